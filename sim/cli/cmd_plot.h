/* cmd_plot.h: drawing one plot kind from an open results database, for topsim plot and
 * topsim report (cmd_plot.c). */
#ifndef TOPSIM_CMD_PLOT_H
#define TOPSIM_CMD_PLOT_H

#include <stdbool.h>
#include <stdint.h>

#include "results.h"

struct plot_opts {
	const char *db;         /* for messages */
	const char *kind;       /* timeline, latency, rto, utilisation, autoscaling, compare, sweep,
				 * availability */
	const char *out;        /* FILE.png or FILE.svg */
	const char *experiment; /* --experiment, or NULL */
	const char *plots_dir;  /* --plots-dir, or NULL for the default */
	const char *metric;     /* --metric NAME[:QUAL], or NULL */
	int64_t run_id;         /* --run, or 0 */
	int64_t replication;    /* --replication K (timeline, latency, utilisation, autoscaling:
				 * that replication of the group), or -1: pool the group */
	int64_t group_of;       /* > 0: the group is this run's (topsim report); 0: the first
				 * selected run's */
	bool data_only;         /* write the data files only */
	bool svg;               /* out ends in .svg (else .png) */
};

/* Export the data of o->kind from r into data_dir (created if missing; its parent must
 * exist), then, unless o->data_only, run gnuplot on plots/KIND.gp to write o->out. Messages
 * go to stderr. Returns a CLI exit code: 2 for a selection with nothing to draw, 3 for I/O
 * errors, a missing script or gnuplot missing or failing. */
int plot_make(struct results *r, const struct plot_opts *o, const char *data_dir);

#endif
