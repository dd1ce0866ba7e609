/* cmd_scenario.h: what the scenario commands share: loading a scenario from the command
 * line's FILE, --set and --catalog-dir, printing diagnostics, mapping to exit codes. */
#ifndef TOPSIM_CMD_SCENARIO_H
#define TOPSIM_CMD_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>

#include "scenario.h"

struct cmd_scenario_opts {
	const char **sets;        /* --set PATH=VALUE, in order; owned by the struct */
	size_t set_count;
	const char *catalog_dir;  /* --catalog-dir, or NULL */
	const char *include_root; /* --include-root, or NULL for the default (see
				   * cmd_scenario_load) */
	const char *duration;     /* run --duration text, or NULL: checked like the file's */
	const char *warmup;       /* run --warmup text, or NULL */
	bool errors_only;         /* print the diagnostics only when there is an error (a
				   * second load of a scenario whose warnings a first load
				   * already printed) */
};

/* Record a --set argument. Returns 0 or -ENOMEM. */
int cmd_scenario_add_set(struct cmd_scenario_opts *o, const char *assignment);
void cmd_scenario_opts_release(struct cmd_scenario_opts *o);

/* Load FILE, print its diagnostics to stderr. Returns 0 (usable; warnings printed),
 * CLI_EXIT_USAGE (errors printed) or CLI_EXIT_INTERNAL. s must be released either way.
 * Includes must stay under o->include_root; by default under the current directory when
 * FILE is inside it, else under the installed scenarios directory when FILE is one of the
 * scenarios installed with topsim, else under FILE's own directory. */
int cmd_scenario_load(struct scenario *s, const char *file, const struct cmd_scenario_opts *o);

/* The options of validate and show, as their --help lists them (format: cli.h). */
#define SCENARIO_OPTIONS_HELP                                                                 \
	"Options:\n"                                                                            \
	"      --set PATH=VALUE  override a scenario field, checked like the file\n"              \
	"      --catalog-dir DIR\n"                                                             \
	"                        the AWS catalog (default: $TOPSIM_CATALOG_DIR, else the\n"     \
	"                        catalog installed with topsim)\n"                              \
	"      --include-root DIR\n"                                                            \
	"                        directory the scenario's includes may read under (default:\n"  \
	"                        the current directory; for a scenario outside it, the\n"      \
	"                        installed scenarios when it is one of them, else the\n"       \
	"                        scenario's own directory)\n"

int cmd_validate(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_catalog(int argc, char **argv);
/* Their --help texts (format: cli.h). */
extern const char cmd_validate_usage[], cmd_show_usage[], cmd_schema_usage[],
	cmd_catalog_usage[];

#endif
