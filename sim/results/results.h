/* results.h: the results database (SQLite).
 *
 * One self-describing file, default ./topsim.db, in WAL mode, with the schema version in
 * PRAGMA user_version: opening creates or migrates it; a file written by a newer topsim
 * (higher user_version) is refused with a clear message. Each replication is written in one
 * transaction (results_begin ... results_commit), so an interrupted run leaves only complete
 * replications and a consistent file. Times are stored in seconds (REAL); columns carry
 * their unit in the name where it is not obvious (p99_s, wall_s). Tables and views are
 * documented in docs/results.md.
 *
 * Ownership: struct results owns the SQLite connection; strings passed in are copied by
 * SQLite. Not thread-safe: one writer (the runner) at a time. Other processes may read the
 * file while it is written (WAL); they see whole replications only. A second writing process
 * waits for the first's transaction (busy timeout 10 s), then fails with -EIO.
 *
 * Values: a NaN double is stored as NULL; a NULL qualifier, unit, target, source or detail
 * is stored as "". A uint64_t (seed, events, counts) is stored as SQLite's signed 64-bit
 * INTEGER, so values of 2^63 and above read back negative (same bits).
 */
#ifndef TOPSIM_RESULTS_H
#define TOPSIM_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

#define RESULTS_SCHEMA_VERSION 2

struct results;

/* What a replication's row in `runs` holds. */
struct results_run {
	const char *scenario_name;
	const char *scenario_text;  /* full scenario after includes and overrides */
	const char *scenario_hash;  /* hex digest of scenario_text */
	uint64_t seed;
	uint32_t replication;
	const char *version;        /* topsim version */
	const char *started_at;     /* wall-clock start, ISO 8601 UTC (metadata only) */
	double wall_s;              /* wall-clock seconds the replication took */
	double sim_s;               /* simulated seconds (warm-up included) */
	double warmup_s;            /* simulated seconds excluded from statistics */
	uint64_t events;            /* events processed */
};

/* Open or create path. On failure returns NULL and writes a message to err (e.g.
 * `"x.db" was written by a newer topsim (schema 3; this one reads up to 1)`).
 * A new or empty file, or a SQLite file with user_version 0 and no tables, gets the current
 * schema; an older schema is migrated step by step in one transaction. A file that is not
 * SQLite (`"x.db" is not a topsim results database: file is not a database`) or another
 * application's database (tables but user_version 0, or a negative user_version) is
 * refused and left untouched: not even its journal mode is changed. */
struct results *results_open(const char *path, char *err, size_t err_size);

/* Make r the only writer among topsim processes: an exclusive advisory lock (flock) on
 * path, the file r was opened on, held until results_close. Call it before simulating, so a
 * second run on the same file stops at once with a clear message instead of failing half
 * way. Returns 0; -EBUSY when another process holds it (err says the file is in use); -EIO
 * on other failures (message in err). */
int results_lock_writer(struct results *r, const char *path, char *err, size_t err_size);

/* Close; NULL is a no-op. A transaction still open is rolled back. */
void results_close(struct results *r);

/* Transaction around one replication: BEGIN IMMEDIATE (takes the write lock at once, so a
 * concurrent writer is found at begin, not half-way), COMMIT, ROLLBACK. begin and commit
 * return 0 or -EIO (message in results_errmsg); after a failed add or commit the caller
 * calls results_rollback. results_rollback without an open transaction is a no-op. */
int results_begin(struct results *r);
int results_commit(struct results *r);
void results_rollback(struct results *r);

/* Insert the run row; *run_id receives its id. Returns 0 or -EIO (scenario_name NULL is
 * stored as ""). Each results_add_* below returns 0 or -EIO (message in results_errmsg),
 * e.g. for a run_id with no run row (FOREIGN KEY) or a duplicate (UNIQUE). */
int results_add_run(struct results *r, const struct results_run *run, int64_t *run_id /* OUT */);

/* Record what is only known when the replication ends: its wall-clock seconds and events
 * processed, replacing the values given to results_add_run. Returns 0, or -EIO when run_id
 * has no row or the update fails. */
int results_finish_run(struct results *r, int64_t run_id, double wall_s, uint64_t events);

/* A scalar metric of a run: name (e.g. "throughput", "cpu_utilisation"), qualifier (an
 * operation class, host or volume; "" for none), value, unit ("1/s", "s", "fraction", ...).
 * At most one row per (run_id, name, qualifier); name must not be NULL. */
int results_add_metric(struct results *r, int64_t run_id, const char *name,
		       const char *qualifier, double value, const char *unit);

/* The latency distribution of one operation class: a summary row in `latency` (count,
 * mean, p50, p90, p99, p99.9, max, in seconds, exactly as stat_hist_mean / _quantile / _max
 * give them; NULL when h is empty) and the non-empty buckets in `latency_buckets`
 * (lower_s, upper_s, count; the overflow bucket's upper_s is +Inf). At most one per
 * (run_id, op_class). h is only read. */
int results_add_latency(struct results *r, int64_t run_id, const char *op_class,
			const struct stat_hist *h);

/* One time-series point: at simulated time t_s (start of its bucket), width_s wide. t_s and
 * width_s must not be NaN; name must not be NULL. */
int results_add_point(struct results *r, int64_t run_id, double t_s, double width_s,
		      const char *name, const char *qualifier, double value);

/* One injected fault of a failover drill and what it cost (a row of `incidents`). Times are
 * simulated seconds; durations are seconds. NaN is stored as NULL. */
struct results_incident {
	const char *kind;           /* fault kind, e.g. "host_crash"; must not be NULL */
	const char *target;         /* what the fault hit, e.g. "iris-a"; NULL is stored as "" */
	double start_s;             /* simulated time the fault began; must not be NaN */
	double end_s;               /* simulated time it was repaired; NaN = open-ended */
	double rto_s;               /* fault to writes accepted again; NaN = not within the run */
	/* The RTO stages, in order: durations that add up to rto_s; NaN = stage did not happen.
	 * The failover models set the boundaries; the comments give the usual reading. */
	double detect_s;            /* fault to failure noticed (e.g. mirror QoS timeout) */
	double decide_s;            /* noticed to takeover decided (arbiter, agent) */
	double transition_s;        /* decided to new primary serving (journal replay, ...) */
	double reroute_s;           /* new primary serving to traffic sent to it (LB, VIP, DNS) */
	double reconnect_s;         /* rerouted to clients reconnected and writing */
	int64_t rpo_tx;             /* acknowledged commits lost */
	int64_t rpo_durable_tx;     /* of rpo_tx, commits that were durable (sync or flushed) */
	double rpo_bytes;           /* journal bytes of the lost commits */
	double rpo_span_s;          /* commit-time span the lost commits cover */
	double write_unavailable_s; /* time writes were refused or hung, within the run */
	double read_unavailable_s;  /* time reads were refused or hung, within the run */
	const char *primary_before; /* primary member before the fault; NULL stored as NULL */
	const char *primary_after;  /* primary after it; NULL (stored as NULL) = none */
	int data_lost;              /* nonzero: acknowledged data was lost (stored as 1) */
};

/* Insert an incident of run_id; *incident_id (if incident_id is not NULL) receives its id,
 * for results_add_incident_event. inc is only read. Returns 0 or -EIO (e.g. kind NULL or
 * start_s NaN: NOT NULL). */
int results_add_incident(struct results *r, int64_t run_id, const struct results_incident *inc,
			 int64_t *incident_id /* OUT */);

/* One line of the incident timeline (`incident_events`): at simulated time t_s, source
 * (e.g. "mirror MIRROR1", "lb lb-main", "fault") reports event (e.g. "backup iris-b takes
 * over"), with free-text detail. incident_id <= 0 stores NULL (an event tied to no
 * incident); otherwise it must be an incident of the same run_id (FOREIGN KEY). Events keep
 * the order they are added in, which breaks ties in t_s. t_s must not be NaN; event must
 * not be NULL. */
int results_add_incident_event(struct results *r, int64_t run_id,
			       int64_t incident_id /* <= 0: NULL */, double t_s,
			       const char *source, const char *event, const char *detail);

/* A broken invariant (`invariant_violations`): at simulated time t_s, invariant (e.g.
 * "single_primary", "no_loss_from_active_backup", "conservation") did not hold; detail says
 * how. t_s must not be NaN; invariant must not be NULL. */
int results_add_violation(struct results *r, int64_t run_id, double t_s, const char *invariant,
			  const char *detail);

/* The SQL of migration step from_version -> from_version + 1, exactly as results_open runs
 * it; NULL when from_version is outside [0, RESULTS_SCHEMA_VERSION). Static storage. For
 * tests and tools that need a file at an older version. Cannot fail. */
const char *results_migration_sql(int from_version);

/* Message of the last failed call on r ("" if none yet); owned by r, kept until the next
 * failing call or results_close. Never NULL. */
const char *results_errmsg(const struct results *r);

#endif
