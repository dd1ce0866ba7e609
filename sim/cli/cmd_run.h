/* cmd_run.h: `topsim run` (see cmd_run.c for its usage text). */
#ifndef TOPSIM_CMD_RUN_H
#define TOPSIM_CMD_RUN_H

int cmd_run(int argc, char **argv);
extern const char cmd_run_usage[]; /* its --help (format: cli.h) */

#endif
