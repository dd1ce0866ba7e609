/* main.c: `topsim` entry point: global options and dispatch to a command (cli.h).
 * Under an MPI launcher (cluster.h), ranks other than 0 serve replications and never see
 * the command line; rank 0 runs the command and stops them when it ends. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli.h"
#include "cluster.h"
#include "version.h"

int cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "topsim%s%s: ", command ? " " : "", command ? command : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'topsim %s%s--help'.\n", command ? command : "", command ? " " : "");
	return CLI_EXIT_USAGE;
}

static int run_command(int argc, char **argv);

int main(int argc, char **argv)
{
	if (cluster_init(&argc, &argv) < 0)
		return CLI_EXIT_INTERNAL;
	if (cluster_rank() > 0)
		return cluster_worker_main();
	return cluster_shutdown(run_command(argc, argv));
}

static int run_command(int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;
	/* GSL's default handler aborts; topsim checks return values instead. */
	gsl_set_error_handler_off();
	/* '+' stops at the first non-option: the command and its own options follow. */
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_print_help(stdout);
			return CLI_EXIT_OK;
		case 'V':
			printf("topsim %s\ncluster: %s\n", TOPSIM_VERSION, cluster_library());
			return CLI_EXIT_OK;
		default:
			cli_print_help(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_print_help(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *name = argv[optind];
	const struct cli_command *cmd = cli_find(name);
	if (cmd) {
		int sub_argc = argc - optind;
		char **sub_argv = argv + optind;
		char prog[64];
		snprintf(prog, sizeof(prog), "topsim %s", cmd->name);
		sub_argv[0] = prog; /* getopt's messages then read "topsim validate: ..." */
		optind = 0; /* reset getopt for the command (glibc: 0 re-initialises) */
		return cmd->run(sub_argc, sub_argv);
	}
	return cli_usage_error(NULL, "unknown command \"%s\"", name);
}
