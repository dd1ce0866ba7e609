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
 * SQLite. Reading (results_open_readonly, results_runs, ...) is described further down; what
 * a read returns belongs to the caller until its release function. Not thread-safe: one writer (the runner) at a time. Other processes may read the
 * file while it is written (WAL); they see whole replications only. A second writing process
 * waits for the first's transaction (busy timeout 10 s), then fails with -EIO.
 *
 * Values: a NaN double is stored as NULL; a NULL qualifier, unit, target, source or detail
 * is stored as "". A uint64_t (seed, events, counts) is stored as SQLite's signed 64-bit
 * INTEGER, so values of 2^63 and above read back negative (same bits).
 */
#ifndef TOPSIM_RESULTS_H
#define TOPSIM_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

#define RESULTS_SCHEMA_VERSION 10

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
	const char *experiment;     /* experiment name (schema 3); NULL is stored as "" */
	const char *variant;        /* variant within it (schema 3); NULL is stored as "" */
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

/* One time-series point: at simulated time t_s (start of its bucket), width_s wide, in
 * `unit` (the registry's; NULL stores ""). t_s and width_s must not be NaN; name must not be
 * NULL. */
int results_add_point(struct results *r, int64_t run_id, double t_s, double width_s,
		      const char *name, const char *qualifier, double value, const char *unit);

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
	/* ECP (schema 6): what the incident did to the application servers' sessions, from
	 * the observations of stalls that began while it was under way. A file older than
	 * schema 6 reads NaN for the stall and 0 for the counts. */
	double ecp_stall_max_s;     /* longest stall of an app server; 0 = none */
	int64_t ecp_stalls;         /* stalls that ended (resumed, reset, given up) */
	int64_t ecp_held_completed; /* requests held in a stall, then completed */
	int64_t ecp_network_errors; /* requests answered <NETWORK> */
	int64_t ecp_rolled_back;    /* updates rolled back */
	int64_t ecp_sessions_preserved, ecp_sessions_lost;
	/* Stage kinds (schema 10), in the chain between detect and reroute: detect, operator,
	 * decide, transition, restore, freeze, reroute, reconnect. A file older than schema 10
	 * reads NaN (those spans were charged to the stage that followed). */
	double operator_s;          /* noticed to an operator's action (runbook, DR promotion) */
	double freeze_s;            /* to updates thawed (journal freeze, backup freeze) */
	double restore_s;           /* to the restore from backup done (volumes, journal) */
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

/* ---- expectation verdicts (schema 7; docs/results.md) ----
 * One row of expectation_verdicts: an expectation of a scenario as `topsim run`, `check`,
 * `compare` or `sweep` evaluated it over the replications it ran. Strings NULL are stored as
 * "" (scenario_hash: as NULL); NaN doubles as NULL. */
struct results_verdict {
	const char *experiment;     /* the runs' experiment */
	const char *variant;        /* and variant ("" for a plain run) */
	const char *scenario_name;
	const char *scenario_hash;  /* as in runs.scenario_hash */
	int64_t position;           /* 0-based index among the scenario's expectations */
	const char *expectation;    /* as printed: "rto_s [host_crash iris-a] p95 <= 60s" */
	const char *metric;         /* the metric or sum of figures */
	const char *selection;      /* `where`, or "kind target" of incident metrics; "" none */
	const char *quantifier;     /* every, mean, lower_bound, upper_bound, pNN */
	const char *op;             /* <=, <, >=, >, == */
	double threshold;           /* in unit; NaN for a member name (primary_after) */
	const char *threshold_text; /* as written in the scenario ("60s", "99.9%") */
	const char *unit;           /* the metric's unit (metric registry) */
	double measured;            /* the figure compared with the threshold */
	double mean, lo, hi;        /* mean of the values and its interval at level (NaN with
				     * fewer than 2 values) */
	double level;
	double min, max;            /* of the values */
	int64_t n_values;           /* values: replications, incidents or batches */
	int64_t unmeasured;         /* matching incidents without a value (not recovered) */
	int64_t replications;
	bool pass;                  /* stored as verdict 'pass' or 'fail' */
	const char *measured_text;  /* as printed: "max 12.4s (5 incidents in [10.2s, 13.1s])" */
	const char *reason;         /* why it failed, or "" */
};

/* Insert one verdict (a row of expectation_verdicts); wrap a scenario's verdicts in one
 * results_begin/results_commit. v is only read. Returns 0, -EROFS (read-only handle) or -EIO
 * (message in results_errmsg). */
int results_add_verdict(struct results *r, const struct results_verdict *v);

/* The SQL of migration step from_version -> from_version + 1, exactly as results_open runs
 * it; NULL when from_version is outside [0, RESULTS_SCHEMA_VERSION). Static storage. For
 * tests and tools that need a file at an older version. Cannot fail. */
const char *results_migration_sql(int from_version);

/* ---- availability mode (schema 5; docs/results.md) ----
 * One row in avail_runs per `topsim availability`, its downtime by incident class and stage
 * in avail_causes, component failures per class in avail_failures. Each add is one INSERT;
 * wrap them in results_begin/results_commit. Return 0, -EROFS (read-only handle) or -EIO
 * (message in results_errmsg, also for a file older than schema 5). */
struct results_avail_run {
	const char *experiment;
	const char *scenario_name;
	const char *scenario_text;
	const char *scenario_hash;
	uint64_t seed;
	const char *version;
	const char *started_at;     /* metadata only */
	double wall_s;
	double years;
	int64_t batches;
	double level;
	/* In column order: write_availability and its half-width, read_availability, half,
	 * downtime_min_per_year, half, incidents_per_year, half, takeovers_per_year, half,
	 * lossy_promotions_per_year, half, yearly_downtime_p50_min, _p90_min, _p99_min, _max_min. */
	double figures[16];
	double exact_availability;  /* the exact chain's, NaN when it does not apply */
	double rpo_tx_per_year;     /* expected RPO from the incident library, NaN: none */
	uint64_t outages;           /* outages observed: the downtime estimate's samples */
	double bias;                /* importance sampling's target, 0 (stored NULL): off */
	double effective_samples;   /* with importance sampling: (sum L D)^2 / sum (L D)^2;
				     * else the outages */
	uint64_t events;
	double read_downtime[2];    /* schema 9: read downtime per year, minutes, and half */
};

int results_add_avail_run(struct results *r, const struct results_avail_run *a,
			  int64_t *avail_id /* OUT */);
int results_add_avail_cause(struct results *r, int64_t avail_id, const char *incident_class,
			    const char *stage, double minutes_per_year, double half,
			    double incidents_per_year, uint64_t samples);
int results_add_avail_failures(struct results *r, int64_t avail_id, const char *cls,
			       double failures_per_year);

/* One incident class of the incident library: the request-level run around it. */
struct results_avail_library {
	const char *incident_class;
	const char *fault;          /* "KIND TARGET" scheduled */
	int64_t replications, recovered;
	double rto_s, rto_s_half;
	double stage_s[5];          /* detect, decide, transition, reroute, reconnect */
	double rpo_tx;
	double write_unavailable_s;
	bool used;                  /* its RTO replaced failover_time */
	double read_unavailable_s;  /* schema 9 */
	bool cached;                /* schema 9: taken from avail_library_cache */
	const char *stratum;        /* schema 9: time-of-day stratum, NULL or "" without */
};
int results_add_avail_library(struct results *r, int64_t avail_id,
			      const struct results_avail_library *e);

/* The incident library's cache across invocations (table avail_library_cache, schema 9): one
 * entry per key. An entry holds what the library keeps of its request-level runs. */
struct results_avail_key {
	const char *scenario_hash;  /* runner_scenario_hash of the merged scenario text */
	uint64_t seed;
	int64_t replications;       /* asked for */
	const char *version;        /* topsim's: another build may simulate differently */
	const char *slot;           /* "MIRROR KIND", e.g. "MIRROR1 host_crash" */
};
struct results_avail_cached {
	char incident_class[192];
	char fault[224];
	int64_t replications, recovered;
	double rto_s[2], rpo_tx[2], write_unavailable_s[2], read_unavailable_s[2]; /* mean, half */
	char stages[512];           /* "NAME SECONDS" pairs separated by commas, by the
				     * ledger's stage names */
	char primary_after[128];
	char note[160];
	char built_at[32];          /* metadata */
	double wall_s;              /* building it took */
};
/* Store (replacing) the entry of key k; call inside results_begin/commit. Returns 0, -EIO
 * (message in results_errmsg), -EROFS. */
int results_put_avail_cached(struct results *r, const struct results_avail_key *k,
			     const struct results_avail_cached *e);
/* The entry of key k. Returns 0, -ENOENT (none, or a file before schema 9) or -EIO. */
int results_get_avail_cached(struct results *r, const struct results_avail_key *k,
			     struct results_avail_cached *e /* OUT */);

/* The expected downtime per year (minutes) and its half-width of the latest availability
 * run of experiment. Returns 0, -ENOENT (none, or a file older than schema 5) or -EIO. */
int results_avail_downtime(struct results *r, const char *experiment, double *minutes /* OUT */,
			   double *half /* OUT */);

/* ==== reading ==============================================================================
 *
 * The read API serves tests and the commands that look at results (check, compare, sweep,
 * plot, report) so that none of them writes SQL. Every query is a statement prepared once at
 * open with its values bound as parameters; nothing is built from user strings.
 *
 * Ownership: a query fills a caller-allocated list struct (`struct results_runs runs;`) whose
 * rows, and every string they point to, belong to the list until its release function
 * (results_runs_release, ...) frees them all at once. A query always leaves the list in a
 * releasable state: on success it holds the rows (n may be 0), on failure it is empty. A
 * zeroed list may be released too, and releasing twice is harmless. So the one rule is: call
 * the list's release after the query, whatever it returned. Rows stay valid after the
 * handle is closed.
 *
 * Values come back as they were written: NULL REALs as NaN; a NULL text column as a NULL
 * pointer (only scenario_text, scenario_hash, version, started_at, primary_before and
 * primary_after can be NULL: qualifier, unit, target, source and detail are "" for none);
 * uint64_t columns with the same bits (a seed of UINT64_MAX reads back UINT64_MAX).
 *
 * Errors: queries return 0, -ENOENT (a lookup of one thing that is not there), -ENOMEM or
 * -EIO, with the message in results_errmsg. A handle may be read and written in turn; reads
 * inside an open transaction see its uncommitted rows.
 */

/* Open an existing results database for reading only. The file's contents are never changed:
 * no migration, no journal-mode change, no write statement (the connection is opened
 * SQLITE_OPEN_READONLY and query_only). As with any SQLite reader of a WAL file, SQLite may
 * create its -wal and -shm companions. On failure returns NULL with a message in err:
 * a missing file (`"x.db": cannot open: unable to open database file`), a file that is not
 * SQLite or not topsim's (`"x.db" is not a topsim results database: ...`: user_version 0, or
 * tables or columns missing for its version), a newer schema
 * (`"x.db" was written by a newer topsim (schema 3; this one reads up to 2)`). An older
 * schema is read as it is: a version 1 file simply has no incidents, events or violations.
 * Close with results_close. The write calls on a read-only handle return -EROFS. */
struct results *results_open_readonly(const char *path, char *err, size_t err_size);

/* Schema version of the open file (PRAGMA user_version as found at open). Cannot fail. */
int results_schema_version(const struct results *r);

/* ---- runs ---- */

/* A row of `runs`. run.scenario_text is NULL unless the filter asked for it; run.experiment
 * and run.variant are "" in files older than schema 3. */
struct results_run_row {
	int64_t run_id;
	struct results_run run; /* strings owned by the list */
};

struct results_runs {
	struct results_run_row *v; /* n rows, ordered by run_id (order of writing) */
	size_t n;
	void *mem_;                /* private: what release frees */
};

/* Which runs to list; a NULL filter, or NULL / 0 members, match every run. */
struct results_run_filter {
	int64_t run_id;            /* > 0: only this run */
	const char *scenario_name; /* only this scenario name */
	const char *scenario_hash; /* only this scenario hash */
	const char *experiment;    /* only this experiment (schema 3; older files: none match) */
	bool with_text;            /* also read scenario_text (it can be large) */
};

/* List the runs that match filter into *out (OUT). Returns 0, -ENOMEM or -EIO. */
int results_runs(struct results *r, const struct results_run_filter *filter,
		 struct results_runs *out /* OUT */);
void results_runs_release(struct results_runs *l);

/* ---- metrics ---- */

/* A row of `metrics`, with the replication of its run. */
struct results_metric {
	int64_t run_id;
	uint32_t replication;      /* from runs */
	const char *name;
	const char *qualifier;     /* "" for none */
	double value;              /* NaN when stored NULL */
	const char *unit;          /* "" for none */
};

struct results_metrics {
	struct results_metric *v;
	size_t n;
	void *mem_;                /* private */
};

/* Every metric of run_id, ordered by (name, qualifier). Returns 0, -ENOMEM or -EIO. */
int results_metrics(struct results *r, int64_t run_id, struct results_metrics *out /* OUT */);

/* One metric of run_id by name and qualifier (NULL = ""): *value (OUT) gets it (NaN when
 * stored NULL) and, when unit is not NULL, its unit is copied into unit[unit_size]
 * (truncated to fit). Returns 0, -ENOENT (no such row), or -EIO. */
int results_metric(struct results *r, int64_t run_id, const char *name, const char *qualifier,
		   double *value /* OUT */, char *unit /* OUT, may be NULL */, size_t unit_size);

/* One metric (name, qualifier; NULL qualifier = "") across the runs of a scenario, one row
 * per run that reported it, ordered by (replication, run_id): the per-replication values a
 * confidence interval (stat_ci_mean) needs. A NULL scenario_name or scenario_hash matches
 * any; pass both to keep runs with different overrides apart, as the views do.
 * Returns 0, -ENOMEM or -EIO. */
int results_metric_across(struct results *r, const char *scenario_name,
			  const char *scenario_hash, const char *name, const char *qualifier,
			  struct results_metrics *out /* OUT */);
void results_metrics_release(struct results_metrics *l);

/* ---- latency ---- */

/* A row of `latency`: the summary results_add_latency wrote. Figures NaN when count is 0. */
struct results_latency {
	int64_t run_id;
	const char *op_class;
	uint64_t count;
	double mean_s, p50_s, p90_s, p99_s, p999_s, max_s; /* seconds */
};

struct results_latencies {
	struct results_latency *v; /* ordered by op_class */
	size_t n;
	void *mem_;                /* private */
};

/* Latency summaries of run_id. Returns 0, -ENOMEM or -EIO. */
int results_latencies(struct results *r, int64_t run_id,
		      struct results_latencies *out /* OUT */);
void results_latencies_release(struct results_latencies *l);

/* A row of `latency_buckets` (only non-empty buckets are stored). */
struct results_bucket {
	double lower_s;            /* inclusive */
	double upper_s;            /* exclusive; +Inf for the overflow bucket */
	uint64_t count;
};

struct results_buckets {
	struct results_bucket *v;  /* ordered by lower_s */
	size_t n;
	void *mem_;                /* private */
};

/* The stored histogram buckets of (run_id, op_class). Returns 0, -ENOMEM or -EIO. */
int results_buckets(struct results *r, int64_t run_id, const char *op_class,
		    struct results_buckets *out /* OUT */);
void results_buckets_release(struct results_buckets *l);

/* Rebuild the histogram of (run_id, op_class) into *h (OUT, caller-allocated, ~47 KiB) from
 * its buckets and summary, so quantiles and merges across replications can be recomputed
 * with stat_hist_*. Bucket counts, n and max are exact, and the sum is chosen so that
 * stat_hist_mean returns the stored mean. The exact minimum is not stored: h->min is the
 * lower bound of the lowest non-empty bucket. Quantiles are therefore bit-identical to what
 * the writer computed except for ranks in the lowest non-empty bucket, which may come out
 * lower, by less than that bucket's width (0.543 %), or as 0 in the underflow bucket.
 * Returns 0; -ENOENT when there is no latency row; -EINVAL when the stored buckets do not
 * fit this build's histogram layout (bounds differ, or counts do not add up to the count);
 * -EIO. On failure *h is left empty (stat_hist_init). */
int results_latency_hist(struct results *r, int64_t run_id, const char *op_class,
			 struct stat_hist *h /* OUT */);

/* ---- failover drills ---- */

/* A row of `incidents`: every column. inc.target is "" for none; inc.primary_before and
 * inc.primary_after are NULL when stored NULL; inc.data_lost is 0 or 1. */
struct results_incident_row {
	int64_t incident_id;
	int64_t run_id;
	struct results_incident inc; /* strings owned by the list */
};

struct results_incidents {
	struct results_incident_row *v; /* ordered by incident_id (order of writing) */
	size_t n;
	void *mem_;                     /* private */
};

/* Incidents of run_id. Returns 0, -ENOMEM or -EIO. */
int results_incidents(struct results *r, int64_t run_id,
		      struct results_incidents *out /* OUT */);
void results_incidents_release(struct results_incidents *l);

/* A row of `incident_events`. */
struct results_incident_event {
	int64_t event_id;          /* order of writing */
	int64_t run_id;
	int64_t incident_id;       /* 0 when tied to no incident (stored NULL) */
	double t_s;
	const char *source;        /* "" for none */
	const char *event;
	const char *detail;        /* "" for none */
};

struct results_incident_events {
	struct results_incident_event *v; /* ordered by (t_s, event_id): the timeline */
	size_t n;
	void *mem_;                       /* private */
};

/* The timeline of run_id: every event when incident_id <= 0, else only that incident's.
 * Returns 0, -ENOMEM or -EIO. */
int results_incident_events(struct results *r, int64_t run_id, int64_t incident_id,
			    struct results_incident_events *out /* OUT */);
void results_incident_events_release(struct results_incident_events *l);

/* A row of `invariant_violations`. */
struct results_violation {
	int64_t run_id;
	double t_s;
	const char *invariant;
	const char *detail;        /* "" for none */
};

struct results_violations {
	struct results_violation *v; /* ordered by t_s, then order of writing */
	size_t n;
	void *mem_;                  /* private */
};

/* Invariant violations of run_id. Returns 0, -ENOMEM or -EIO. */
int results_violations(struct results *r, int64_t run_id,
		       struct results_violations *out /* OUT */);
void results_violations_release(struct results_violations *l);

/* ---- time series ---- */

/* A row of `timeseries`. */
struct results_point {
	int64_t run_id;
	double t_s;                /* start of the bucket */
	double width_s;
	const char *name;
	const char *qualifier;     /* "" for none */
	double value;              /* NaN when stored NULL */
	const char *unit;          /* "" when unknown (schema 4; older points: see results.c) */
};

struct results_points {
	struct results_point *v;   /* ordered by (name, qualifier, t_s) */
	size_t n;
	void *mem_;                /* private */
};

/* Time-series points of run_id, only of series `name` and `qualifier` when they are not
 * NULL (qualifier "" selects the unqualified series). Returns 0, -ENOMEM or -EIO. */
int results_points(struct results *r, int64_t run_id, const char *name, const char *qualifier,
		   struct results_points *out /* OUT */);
void results_points_release(struct results_points *l);

/* ---- expectation verdicts (schema 7) ---- */

struct results_verdict_row {
	int64_t verdict_id;
	struct results_verdict v;  /* strings owned by the list */
};

struct results_verdicts {
	struct results_verdict_row *v; /* ordered by verdict_id (order of writing) */
	size_t n;
	void *mem_;                    /* private */
};

/* The stored verdicts, only experiment's when it is not NULL; none in a file older than
 * schema 7. Returns 0, -ENOMEM or -EIO. */
int results_verdicts(struct results *r, const char *experiment,
		     struct results_verdicts *out /* OUT */);
void results_verdicts_release(struct results_verdicts *l);

/* ---- availability mode (schema 5) ---- */

/* A row of avail_runs: the figures results_add_avail_run wrote (metadata left out). */
struct results_avail_row {
	int64_t avail_id;
	const char *experiment;
	const char *scenario_name;
	const char *scenario_hash;  /* NULL when stored NULL */
	uint64_t seed;
	double years;
	int64_t batches;
	double level;
	double figures[16];         /* in the order of struct results_avail_run's figures */
	double exact_availability, rpo_tx_per_year;
	uint64_t outages;
	double bias;                /* NaN: off */
	double effective_samples;
};

struct results_avail_rows {
	struct results_avail_row *v; /* ordered by avail_id */
	size_t n;
	void *mem_;                  /* private */
};

/* The availability runs, only experiment's when it is not NULL; none in a file older than
 * schema 5. Returns 0, -ENOMEM or -EIO. */
int results_avail_runs(struct results *r, const char *experiment,
		       struct results_avail_rows *out /* OUT */);
void results_avail_runs_release(struct results_avail_rows *l);

/* A row of avail_causes. */
struct results_avail_cause {
	const char *incident_class;
	const char *stage;
	double minutes_per_year, half; /* half-width at the run's level; NaN: none */
	double incidents_per_year;
	uint64_t samples;
};

struct results_avail_causes {
	struct results_avail_cause *v; /* in the order written */
	size_t n;
	void *mem_;                    /* private */
};

/* The downtime by cause of availability run avail_id. Returns 0, -ENOMEM or -EIO. */
int results_avail_causes(struct results *r, int64_t avail_id,
			 struct results_avail_causes *out /* OUT */);
void results_avail_causes_release(struct results_avail_causes *l);

/* Message of the last failed call on r ("" if none yet); owned by r, kept until the next
 * failing call or results_close. Never NULL. */
const char *results_errmsg(const struct results *r);

/* A new experiment name "PREFIX-N" (schema 3): N is one more than the experiments already
 * named PREFIX or PREFIX-digits in the file, so re-running into a database starts a new
 * experiment rather than pooling with an old one ("PREFIX-1" in a new or older file).
 * Returns 0 or -EIO. */
int results_new_experiment(struct results *r, const char *prefix, char *out /* OUT */,
			   size_t size);


/* ---- variant parameters (schema 7) -------------------------------------------------------
 * The assignments that make a variant of an experiment (a sweep point's axis values, a
 * compare variant's --set), so that plots can draw a numeric axis: the path, the value as
 * given, its number (NAN when it has none, stored NULL) and the unit after the number ("s",
 * "" for a bare number). One row per (experiment, variant, path). */
struct results_variant_param {
	const char *experiment, *variant, *path, *value_text, *unit;
	double value_num;
};

/* Store one (a re-run replaces it). Returns 0, -EROFS (read-only handle) or -EIO (message in
 * results_errmsg, also for a file older than schema 7). */
int results_add_variant_param(struct results *r, const struct results_variant_param *p);

struct results_variant_params {
	struct results_variant_param *v; /* n rows in the order they were written */
	size_t n;
	void *mem_;
};

/* Every parameter of experiment's variants (none in a file older than schema 7). Returns 0,
 * -ENOMEM or -EIO; release with results_variant_params_release. */
int results_variant_params(struct results *r, const char *experiment,
			   struct results_variant_params *out /* OUT */);
void results_variant_params_release(struct results_variant_params *l);

#endif
