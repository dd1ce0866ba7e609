/* runner.h: runs a scenario's replications and hands each record to its consumers.
 *
 * For each replication: world_run (a fresh engine seeded with the scenario seed and the
 * replication index, the models built from the scenario and the catalog, the run to
 * warm-up + duration) gives a record; the runner stores it in the results database (one
 * transaction, record_store.h) when one is given, adds it to the summary (summary.h) and
 * hands it to the caller's record function (expectations, comparisons).
 *
 * Replications run on `threads` worker threads; the calling thread is the one writer: it
 * takes the records in replication order, so the database, the summary and every consumer
 * see the same sequence whatever the thread count (each replication's random streams derive
 * from the seed, the replication and the entity name, never from the thread). At most
 * 2 x threads records are held at once.
 *
 * The runner prints nothing and installs no signal handler: progress and interruption are
 * the caller's, through `progress` (called between slices of simulated time; returning
 * false stops after the current slice: the unfinished replication is dropped and the
 * complete ones stay). The wall clock is read here only for the runs table's metadata and
 * the speed figures; nothing simulated depends on it.
 */
#ifndef TOPSIM_RUNNER_H
#define TOPSIM_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "results.h"
#include "scenario.h"
#include "summary.h"

/* Progress: `rep` replications of `reps` complete and, of those running, `fraction` summed
 * (so (rep + fraction) / reps of the work is done); return false to stop. Called from the
 * worker threads, one call at a time. */
typedef bool (*runner_progress_fn)(void *arg, int64_t rep, int64_t reps, double fraction);

struct runner_opts {
	int64_t replications;   /* number to run */
	int64_t first_replication; /* replication indices first..first + replications - 1
				    * (0 by default): a later round of sequential stopping
				    * continues where the last ended, each replication the run
				    * it would be in one round */
	uint64_t seed;          /* scenario seed */
	sim_time duration;      /* measured time after warm-up */
	sim_time warmup;
	sim_time series_width;  /* time-series bucket width */
	const char *version;    /* topsim version for the runs table */
	double ci_level;        /* confidence level of the summary's intervals; 0 = 0.95 */
	runner_progress_fn progress; /* may be NULL */
	void *progress_arg;
	int threads;            /* worker threads; 0 = the number of online cores */
	/* Called on the calling thread for each record, in replication order, after the
	 * summary took it; the record is released afterwards. May be NULL. */
	void (*on_record)(void *arg, const struct record *rec);
	void *record_arg;
	const char *experiment; /* runs table: experiment and variant names, or NULL */
	const char *variant;
};

/* The number of online cores (at least 1). */
int runner_default_threads(void);

/* The scenario hash stored in runs.scenario_hash: 16 hex digits of the FNV-1a hash of s's
 * merged JSON, into out[17]. Cannot fail. */
void runner_scenario_hash(const struct scenario *s, char out[17]);

/* Run. The summary is initialised here and holds the complete replications whatever the
 * outcome (release it with summary_release). Returns 0; -EINTR when progress stopped it;
 * -EINVAL (a world that cannot be built), -ENOMEM or -EIO (database) with a message in err. */
int runner_run(const struct scenario *s, const struct runner_opts *o, struct results *db,
	       struct summary *out, char *err, size_t err_size);

#endif
