/* cli.h: the `topsim` command line: command table, help texts, exit codes, shared helpers.
 *
 * Every command is `topsim COMMAND [options]`, parses its own options with getopt_long,
 * answers --help on stdout with exit 0, and returns one of the exit codes below. The
 * command table is the single list of commands: `topsim --help`, `topsim help COMMAND`, the
 * manual pages (`topsim man`, manpage.h) and the bash completion (which asks the binary)
 * all read it, so a new command needs one entry here and its help text.
 *
 * Help text format. A command's help (its `usage` string) is plain text that --help prints
 * as it is and manpage.c turns into a manual page, so it follows these rules:
 *   - it opens with "usage: topsim COMMAND ..."; indented lines right after it continue the
 *     synopsis, and an indented line starting with "topsim" is another synopsis form;
 *   - an unindented line is prose; a blank line ends a paragraph;
 *   - an unindented line that is one capitalised word and a colon ("Options:") opens a
 *     section (OPTIONS in the manual page);
 *   - a line indented by 2 to 7 spaces is a list item: its term (e.g. "-o, --output FILE")
 *     runs to the first two consecutive spaces, its text follows; a term with no room for
 *     text stands alone on its line;
 *   - a line indented by 8 spaces or more continues the list item above it.
 * A test renders every page with groff's warnings on (tests/check_install.sh).
 */
#ifndef TOPSIM_CLI_H
#define TOPSIM_CLI_H

#include <stdio.h>

enum cli_exit {
	CLI_EXIT_OK = 0,          /* success */
	CLI_EXIT_EXPECTATION = 1, /* ran, but an expectation or invariant failed */
	CLI_EXIT_USAGE = 2,       /* bad input or usage: nothing was simulated or written */
	CLI_EXIT_INTERNAL = 3,    /* internal or I/O error */
};

enum cli_command_flags {
	CLI_HIDDEN = 1, /* a tool for the build (topsim man): not listed, no manual page */
};

struct cli_command {
	const char *name;    /* as typed after `topsim` */
	const char *summary; /* one line for `topsim --help` and the manual page's NAME */
	int (*run)(int argc, char **argv); /* argv[0] is the command name; returns enum cli_exit */
	const char *usage;   /* the --help text, in the format above */
	unsigned flags;      /* enum cli_command_flags */
};

/* The command table, terminated by a zero entry. */
extern const struct cli_command cli_commands[];

/* The command called name, or NULL. */
const struct cli_command *cli_find(const char *name);

/* topsim's own help (`topsim --help`): synopsis, the commands with their summaries, exit
 * codes, environment and files, in the format above. */
void cli_print_help(FILE *f);

/* Print a command's help (its usage, or its summary when it has none) to f. */
void cli_print_command_help(const struct cli_command *c, FILE *f);

/* Print "topsim: message" plus a hint to try --help, to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
