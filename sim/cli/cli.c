/* cli.c: the command table of `topsim` (cli.h). Commands live in cmd_*.c. */
#include "cli.h"

#include "cmd_experiment.h"
#include "cmd_run.h"
#include "cmd_scenario.h"

int cmd_plot(int argc, char **argv);   /* cmd_plot.c */
int cmd_report(int argc, char **argv); /* cmd_report.c */
int cmd_availability(int argc, char **argv); /* cmd_avail.c */

const struct cli_command cli_commands[] = {
	{"run", "run a scenario's replications; results into SQLite", cmd_run},
	{"check", "run scenarios and check their expectations (CI: JUnit, JSON, exit 1)", cmd_check},
	{"compare", "run variants with common random numbers; paired differences", cmd_compare},
	{"sweep", "run a scenario over a grid of parameter values", cmd_sweep},
	{"availability", "long-run availability over years: downtime by cause, intervals",
	 cmd_availability},
	{"plot", "draw a results database's figures with gnuplot (PNG, SVG)", cmd_plot},
	{"report", "write a self-contained HTML report of a results database", cmd_report},
	{"validate", "check scenario files without running them", cmd_validate},
	{"show", "print a scenario's topology as a tree, with its hourly cost", cmd_show},
	{"schema", "print the scenario reference (Markdown) or JSON Schema", cmd_schema},
	{"catalog", "print the AWS catalog: instances, volumes, regions", cmd_catalog},
	{NULL, NULL, NULL},
};
