/* cmd_experiment.h: what run, check, compare and sweep share: the common options, loading a
 * scenario with its overrides and expectations, running it on threads with progress and
 * interruption, and the expectations' verdicts.
 *
 * Ownership: struct exp_opts owns its --set list (exp_opts_release); struct exp_result owns
 * the scenario, summary and expectation set (exp_result_release).
 */
#ifndef TOPSIM_CMD_EXPERIMENT_H
#define TOPSIM_CMD_EXPERIMENT_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "cmd_scenario.h"
#include "expect.h"
#include "results.h"
#include "runner.h"
#include "summary.h"

struct exp_opts;

/* The progress of a whole experiment: every variant of compare, point of sweep or file of
 * check on one line with one ETA. Work is counted in simulated seconds (replications times
 * warm-up plus duration), so a point with longer replications weighs more; the ETA assumes
 * the rest runs at the speed so far. */
struct exp_progress {
	double started;     /* wall clock (monotonic s) when the experiment started */
	double total;       /* simulated seconds of every part */
	double done;        /* of those, in parts that finished */
	size_t part, parts; /* parts finished, parts counted */
};

/* An empty experiment starting now. Cannot fail. */
void exp_progress_init(struct exp_progress *p);
/* Count one part: scenario s (loaded with its overrides) run with o's replications. */
void exp_progress_add(struct exp_progress *p, const struct exp_opts *o, const struct scenario *s);

struct exp_opts {
	struct cmd_scenario_opts so;  /* --set, --catalog-dir, --include-root, and --duration and
				       * --warmup (checked by the scenario's own field rules) */
	const char *expect_file;      /* --expect, or NULL */
	int64_t replications;         /* 0: the scenario's */
	int64_t seed;                 /* -1: the scenario's */
	sim_time width;               /* time-series bucket */
	int threads;                  /* -j; 0: the number of cores */
	bool progress;                /* progress line on stderr */
	const char *db_path;          /* -o */
	const char *experiment;       /* --experiment, or NULL for a new name */
	struct exp_progress *whole;   /* the experiment's progress (not owned), or NULL: each
				       * exp_run shows its own */
	/* Sequential stopping (--target-width, --target-metric, --max-replications): rounds
	 * of the initial replication count until the target metric's widest relative
	 * half-width is at most target_width or max_replications are done. */
	double target_width;          /* 0: off (one round) */
	int target_metric;            /* enum metric_id; -1: none given */
	int64_t max_replications;     /* 0: not given (EXP_MAX_REPLICATIONS_DEFAULT) */
};

#define EXP_MAX_REPLICATIONS_DEFAULT 100

/* Long options every experiment command takes; the short ones are "n:s:o:j:". */
#define EXP_LONG_OPTIONS                                                                      \
	{"replications", required_argument, NULL, 'n'}, {"seed", required_argument, NULL, 's'},  \
	{"output", required_argument, NULL, 'o'}, {"jobs", required_argument, NULL, 'j'},        \
	{"set", required_argument, NULL, 'S'}, {"duration", required_argument, NULL, 'd'},       \
	{"warmup", required_argument, NULL, 'w'}, {"series-width", required_argument, NULL, 'W'},\
	{"catalog-dir", required_argument, NULL, 'c'}, {"no-progress", no_argument, NULL, 'P'},  \
	{"progress", no_argument, NULL, 'K'},                                                    \
	{"expect", required_argument, NULL, 'E'}, {"experiment", required_argument, NULL, 'X'},  \
	{"include-root", required_argument, NULL, 'I'},                                        \
	{"target-width", required_argument, NULL, 'T'},                                          \
	{"target-metric", required_argument, NULL, 'U'},                                         \
	{"max-replications", required_argument, NULL, 'R'}

#define EXP_SHORT_OPTIONS "n:s:o:j:"

#define EXP_OPTIONS_HELP                                                                      \
	"  -n, --replications N  replications (default: the scenario's)\n"                      \
	"  -s, --seed S          scenario seed (default: the scenario's)\n"                      \
	"  -j, --jobs N          replications run on N threads (default: the number of cores);\n"\
	"                        results are identical whatever N (under mpirun: N per rank,\n" \
	"                        README \"Running on a cluster\")\n"                           \
	"  -o, --output DB       results database (default ./topsim.db)\n"                       \
	"      --experiment NAME\n"                                                             \
	"                        name of the experiment in the database (default: the command\n"\
	"                        and a number, new for each invocation)\n"                       \
	"      --expect FILE     expectations from FILE ({\"expectations\": [...]}) instead of\n" \
	"                        the scenario's\n"                                               \
	"      --duration D      measured time per replication, e.g. 1h (default: scenario's)\n"  \
	"      --warmup D        time excluded from statistics (default: scenario's)\n"           \
	"      --series-width D  time-series bucket (default 10s; at most 100000 buckets per\n" \
	"                        replication)\n"                                                 \
	"      --set PATH=VALUE  override a scenario field, checked like the file\n"              \
	"      --catalog-dir DIR\n"                                                             \
	"                        the AWS catalog (default: $TOPSIM_CATALOG_DIR, else the\n"     \
	"                        catalog installed with topsim)\n"                              \
	"      --include-root DIR\n"                                                            \
	"                        directory the scenario's includes may read under (default:\n"  \
	"                        the current directory; for a scenario outside it, the\n"      \
	"                        installed scenarios when it is one of them, else the\n"       \
	"                        scenario's own directory)\n"                                   \
	"      --no-progress     no progress line on stderr\n"                                 \
	"      --progress        a progress line even when stderr is not a terminal (under\n"  \
	"                        mpirun, which passes rank 0's stderr through a pipe)\n"       \
	"      --target-width REL\n"                                                            \
	"                        sequential stopping: run replications in rounds of -n until\n"\
	"                        the --target-metric's widest interval half-width is at most\n"\
	"                        REL of its mean (e.g. 0.1 or 10%); compare and sweep give\n"  \
	"                        every variant the same count (until all meet it)\n"           \
	"      --target-metric NAME\n"                                                          \
	"                        the metric of --target-width (e.g. rto_s, latency_p99_s,\n"   \
	"                        write_availability; every class or incident of it)\n"        \
	"      --max-replications N\n"                                                          \
	"                        with --target-width: stop at N replications (default 100)\n"

void exp_opts_init(struct exp_opts *o);
/* After the last option: the options' consistency (--target-width with --target-metric,
 * --max-replications at least -n). Returns 0 or CLI_EXIT_USAGE (printed). */
int exp_opts_finish(struct exp_opts *o, const char *command);
void exp_opts_release(struct exp_opts *o);

/* Handle option ch of EXP_LONG_OPTIONS. Returns 0 when handled, -1 when ch is not a common
 * option, or an exit code (a usage error, already printed). */
int exp_opts_parse(struct exp_opts *o, const char *command, int ch, const char *arg);

struct exp_result {
	struct scenario s;
	struct runner_opts ro;        /* .replications: done so far */
	struct summary sum;           /* every round's records */
	struct expect_set ex;
	bool ran;                     /* exp_start succeeded (sum and ex are filled) */
	const char *file;             /* not owned */
	int64_t round;                /* replications per round: -n or the scenario's */
	struct results *db;           /* where the rounds stored their runs (not owned; may be
				       * NULL), and under which experiment and variant: the
				       * verdicts go there too */
	const char *experiment, *variant;
};

/* Load file (with o's --set plus extra_sets, and --expect), run its replications into db
 * (may be NULL) tagged (experiment, variant), evaluate the expectations. Diagnostics and
 * errors are printed to stderr. Returns CLI_EXIT_OK when the run completed (verdicts are
 * in out->ex), CLI_EXIT_USAGE for bad input, CLI_EXIT_INTERNAL otherwise (interrupted: the
 * complete replications are kept). out must be released either way. */
int exp_run(const char *file, const struct exp_opts *o, const char *const *extra_sets,
	    size_t extra_count, struct results *db, const char *experiment, const char *variant,
	    struct exp_result *out);

void exp_result_release(struct exp_result *r);

/* exp_run in steps, for experiments that run variants in lockstep rounds (compare and sweep
 * with sequential stopping: common random numbers need the same replications for all).
 * exp_start loads the file as exp_run does (nothing runs); exp_round runs the next n
 * replications (indices continue from those done) into db and adds them to out->sum and
 * out->ex; exp_end finishes the summary and the expectations (with the availability mode
 * for annual_downtime_s when `complete`). Each returns a CLI exit code, printed. */
int exp_start(const char *file, const struct exp_opts *o, const char *const *extra_sets,
	      size_t extra_count, struct exp_result *out);
int exp_round(struct exp_result *out, const struct exp_opts *o, int64_t n, struct results *db,
	      const char *experiment, const char *variant);
int exp_end(struct exp_result *out, const struct exp_opts *o, bool complete);
/* Whether r's target metric is narrow enough (o->target_width); *width (may be NULL) gets
 * its widest relative half-width (NAN when not measured, which counts as met). */
bool exp_target_met(const struct exp_result *r, const struct exp_opts *o, double *width);
/* The size of r's next round: its round size, at most up to o's maximum (0: none left). */
int64_t exp_next_round(const struct exp_result *r, const struct exp_opts *o);

/* The run of s with o's series width stays within WORLD_SERIES_BUCKETS_MAX buckets:
 * CLI_EXIT_OK, or CLI_EXIT_USAGE with a message naming the smallest width that fits.
 * Commands check it on their probe load, before a database is opened. */
int exp_check_series(const struct exp_opts *o, const struct scenario *s);

/* compare --years: each loaded variant's annual downtime from the availability mode
 * (cmd_avail.c): `years` in 20 batches with the same seed, the incident library with
 * `library` replications (0: none), and the paired difference by batch with the first
 * variant. Prints the table; a variant that cannot run (no stochastic_faults) gets its
 * reason. Returns CLI_EXIT_OK or CLI_EXIT_INTERNAL. */
int cmd_avail_compare(struct scenario *const *variants, const char *const *names, size_t n,
		      double years, int library, int jobs, uint64_t seed);

int cmd_check(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
extern const char cmd_check_usage[], cmd_compare_usage[], cmd_sweep_usage[];

/* Open o->db_path for writing and name the experiment (o->experiment or a new
 * "PREFIX-N"). Returns the handle or NULL (printed; *rc set to the exit code). */
struct results *exp_open_db(const struct exp_opts *o, const char *prefix, char *name,
			    size_t name_size, int *rc);

/* XML text escape of s into f (&, <, >, ", ' and control characters). */
void exp_xml_escape(FILE *f, const char *s);

#endif
