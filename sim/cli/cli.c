/* cli.c: the command table of `topsim`, its help and `topsim help` (cli.h). Commands live
 * in cmd_*.c. */
#include "cli.h"

#include <string.h>

#include "cmd_experiment.h"
#include "cmd_run.h"
#include "cmd_scenario.h"
#include "manpage.h"

int cmd_plot(int argc, char **argv);   /* cmd_plot.c */
int cmd_report(int argc, char **argv); /* cmd_report.c */
int cmd_availability(int argc, char **argv); /* cmd_avail.c */
extern const char cmd_plot_usage[], cmd_report_usage[], cmd_availability_usage[];

static const char cmd_help_usage[] =
	"usage: topsim help [COMMAND]\n"
	"Print topsim's help (the commands, exit codes, environment), or the help of COMMAND,\n"
	"as 'topsim COMMAND --help' prints it.\n";

static int cmd_help(int argc, char **argv)
{
	if (argc > 2)
		return cli_usage_error("help", "expected at most one command");
	if (argc < 2) {
		cli_print_help(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(cmd_help_usage, stdout);
		return CLI_EXIT_OK;
	}
	const struct cli_command *c = cli_find(argv[1]);
	if (!c)
		return cli_usage_error("help", "unknown command \"%s\"", argv[1]);
	cli_print_command_help(c, stdout);
	return CLI_EXIT_OK;
}

const struct cli_command cli_commands[] = {
	{"run", "run a scenario's replications; results into SQLite", cmd_run, cmd_run_usage, 0},
	{"check", "run scenarios and check their expectations (CI: JUnit, JSON, exit 1)", cmd_check,
	 cmd_check_usage, 0},
	{"compare", "run variants with common random numbers; paired differences", cmd_compare,
	 cmd_compare_usage, 0},
	{"sweep", "run a scenario over a grid of parameter values", cmd_sweep, cmd_sweep_usage, 0},
	{"availability", "long-run availability over years: downtime by cause, intervals",
	 cmd_availability, cmd_availability_usage, 0},
	{"plot", "draw a results database's figures with gnuplot (PNG, SVG)", cmd_plot,
	 cmd_plot_usage, 0},
	{"report", "write a self-contained HTML report of a results database", cmd_report,
	 cmd_report_usage, 0},
	{"validate", "check scenario files without running them", cmd_validate,
	 cmd_validate_usage, 0},
	{"show", "print a scenario's topology as a tree, with its hourly cost", cmd_show,
	 cmd_show_usage, 0},
	{"schema", "print the scenario reference (Markdown), JSON Schema or field paths",
	 cmd_schema, cmd_schema_usage, 0},
	{"catalog", "print the AWS catalog: instances, volumes, regions", cmd_catalog,
	 cmd_catalog_usage, 0},
	{"help", "print topsim's help or a command's", cmd_help, cmd_help_usage, 0},
	{"man", "write the manual pages", cmd_man, cmd_man_usage, CLI_HIDDEN},
	{NULL, NULL, NULL, NULL, 0},
};

const struct cli_command *cli_find(const char *name)
{
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void cli_print_help(FILE *f)
{
	fputs("usage: topsim [--version] [--help] COMMAND [ARGS]\n"
	      "topsim simulates InterSystems IRIS deployments on AWS: failover drills, RTO,\n"
	      "RPO, availability and latency of the reference architectures. Scenarios are JSON\n"
	      "files (topsim-scenario(5)); results go to a SQLite database.\n"
	      "\n"
	      "Run 'topsim help COMMAND' or 'topsim COMMAND --help' for a command's options.\n"
	      "Commands:\n", f);
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (!(c->flags & CLI_HIDDEN))
			fprintf(f, "  %-10s  %s\n", c->name, c->summary);
	fputs("Exit status:\n"
	      "  0           success\n"
	      "  1           run, check: an expectation failed or an invariant was violated\n"
	      "  2           bad input or usage: nothing was simulated or written\n"
	      "  3           internal or I/O error (also: gnuplot missing for plot, report)\n"
	      "Environment:\n"
	      "  TOPSIM_CATALOG_DIR\n"
	      "              the AWS catalog directory (--catalog-dir overrides it)\n"
	      "  TOPSIM_PLOTS_DIR\n"
	      "              the gnuplot scripts (--plots-dir overrides it)\n"
	      "  TOPSIM_DATA_DIR\n"
	      "              a data directory holding catalog/ and plots/, for a topsim moved\n"
	      "              away from its data\n"
	      "  TOPSIM_GNUPLOT\n"
	      "              the gnuplot program (default: gnuplot on PATH)\n"
	      "Files:\n"
	      "  BIN/../share/topsim/catalog\n"
	      "              the AWS catalog, found relative to the topsim binary (BIN is its\n"
	      "              directory: /usr/bin/topsim reads /usr/share/topsim/catalog)\n"
	      "  BIN/../share/topsim/plots\n"
	      "              the gnuplot scripts of topsim plot and topsim report\n"
	      "  BIN/../share/topsim/scenarios\n"
	      "              the reference architectures and, in drills/, the failover drills\n",
	      f);
}

void cli_print_command_help(const struct cli_command *c, FILE *f)
{
	if (c->usage)
		fputs(c->usage, f);
	else
		fprintf(f, "usage: topsim %s\n%s\n", c->name, c->summary);
}
