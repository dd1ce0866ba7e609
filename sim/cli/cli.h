/* cli.h: the `topsim` command line: command table, exit codes, shared option helpers.
 *
 * Every command is `topsim COMMAND [options]`, parses its own options with getopt_long,
 * answers --help on stdout with exit 0, and returns one of the exit codes below.
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

struct cli_command {
	const char *name;    /* as typed after `topsim` */
	const char *summary; /* one line for `topsim --help` */
	int (*run)(int argc, char **argv); /* argv[0] is the command name; returns enum cli_exit */
};

/* The command table, terminated by a zero entry. */
extern const struct cli_command cli_commands[];

/* Print "topsim: message" plus a hint to try --help, to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
