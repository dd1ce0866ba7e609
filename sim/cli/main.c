/* main.c: `topsim` entry point: global options and dispatch to a command (cli.h). */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli.h"
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

static void print_usage(FILE *f)
{
	fprintf(f, "usage: topsim [--version] [--help] COMMAND [ARGS]\n\n"
		   "topsim simulates InterSystems IRIS deployments on AWS: failover drills, RTO,\n"
		   "RPO, availability and latency of the reference architectures.\n\n"
		   "Commands:\n");
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nRun 'topsim COMMAND --help' for a command's options.\n"
		   "Exit codes: 0 success, 1 an expectation failed, 2 bad input or usage,\n"
		   "3 internal or I/O error.\n");
}

int main(int argc, char **argv)
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
			print_usage(stdout);
			return CLI_EXIT_OK;
		case 'V':
			printf("topsim %s\n", TOPSIM_VERSION);
			return CLI_EXIT_OK;
		default:
			print_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		print_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *name = argv[optind];
	if (strcmp(name, "help") == 0) {
		print_usage(stdout);
		return CLI_EXIT_OK;
	}
	for (const struct cli_command *cmd = cli_commands; cmd->name; cmd++) {
		if (strcmp(cmd->name, name) == 0) {
			int sub_argc = argc - optind;
			char **sub_argv = argv + optind;
			char prog[64];
			snprintf(prog, sizeof(prog), "topsim %s", cmd->name);
			sub_argv[0] = prog; /* getopt's messages then read "topsim validate: ..." */
			optind = 0; /* reset getopt for the command (glibc: 0 re-initialises) */
			return cmd->run(sub_argc, sub_argv);
		}
	}
	fprintf(stderr, "topsim: unknown command \"%s\"\n", name);
	print_usage(stderr);
	return CLI_EXIT_USAGE;
}
