/* results.c: the results database in SQLite (see results.h and docs/results.md).
 *
 * Invariants:
 * - The schema is built only by the migration steps in `migrations`, step i taking a file from
 *   user_version i to i + 1. Each step runs in the same write transaction as the user_version
 *   update, so a file is always at exactly one version. Adding a table or column means adding
 *   a step and bumping RESULTS_SCHEMA_VERSION; a published step is never edited.
 * - A new file runs every step from 0, so it ends up exactly like a migrated old file.
 * - A file at user_version 0 is only initialised when it holds no schema objects at all;
 *   anything else (another application's database, garbage) is refused, never altered.
 * - Every write statement is prepared once at open and reset after each use, so none holds a
 *   read or write lock between calls; the only lock held between calls is the caller's
 *   transaction (results_begin ... results_commit / results_rollback).
 * - errmsg holds a copy of the last failure's message, stable until the next failing call.
 */
#include "results.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <sqlite3.h>

#define RESULTS_BUSY_TIMEOUT_MS 10000 /* wait this long for another writer's transaction */

/* ---- schema ------------------------------------------------------------------------------ */

/* Version 0 -> 1: runs, metrics, latency summaries and buckets, time series; their indexes;
 * the views v_runs, v_metrics and v_latency. */
static const char schema_v1[] =
	"CREATE TABLE runs (\n"
	"  run_id INTEGER PRIMARY KEY,\n"
	"  scenario_name TEXT NOT NULL,\n"
	"  scenario_text TEXT,\n"
	"  scenario_hash TEXT,\n"
	"  seed INTEGER,\n"
	"  replication INTEGER,\n"
	"  topsim_version TEXT,\n"
	"  started_at TEXT,\n"
	"  wall_s REAL,\n"
	"  sim_s REAL,\n"
	"  warmup_s REAL,\n"
	"  events INTEGER\n"
	");\n"
	"CREATE INDEX runs_scenario ON runs(scenario_name, scenario_hash);\n"
	"CREATE TABLE metrics (\n"
	"  run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  name TEXT NOT NULL,\n"
	"  qualifier TEXT NOT NULL DEFAULT '',\n"
	"  value REAL,\n"
	"  unit TEXT NOT NULL DEFAULT ''\n"
	");\n"
	"CREATE UNIQUE INDEX metrics_run ON metrics(run_id, name, qualifier);\n"
	"CREATE TABLE latency (\n"
	"  run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  op_class TEXT NOT NULL,\n"
	"  count INTEGER NOT NULL,\n"
	"  mean_s REAL,\n"
	"  p50_s REAL,\n"
	"  p90_s REAL,\n"
	"  p99_s REAL,\n"
	"  p999_s REAL,\n"
	"  max_s REAL\n"
	");\n"
	"CREATE UNIQUE INDEX latency_run ON latency(run_id, op_class);\n"
	"CREATE TABLE latency_buckets (\n"
	"  run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  op_class TEXT NOT NULL,\n"
	"  lower_s REAL NOT NULL,\n"
	"  upper_s REAL NOT NULL,\n"
	"  count INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX latency_buckets_run ON latency_buckets(run_id, op_class, lower_s);\n"
	"CREATE TABLE timeseries (\n"
	"  run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  t_s REAL NOT NULL,\n"
	"  width_s REAL NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  qualifier TEXT NOT NULL DEFAULT '',\n"
	"  value REAL\n"
	");\n"
	"CREATE INDEX timeseries_run ON timeseries(run_id, name, qualifier, t_s);\n"
	/* One row per replication, with speed figures. */
	"CREATE VIEW v_runs AS\n"
	"SELECT run_id, scenario_name, scenario_hash, seed, replication, topsim_version,\n"
	"       started_at, sim_s, warmup_s, wall_s, events,\n"
	"       CASE WHEN wall_s > 0 THEN sim_s / wall_s END AS sim_per_wall,\n"
	"       CASE WHEN wall_s > 0 THEN events / wall_s END AS events_per_wall_s\n"
	"FROM runs;\n"
	/* A metric across the replications of one scenario (same name and text). */
	"CREATE VIEW v_metrics AS\n"
	"SELECT r.scenario_name, r.scenario_hash, m.name, m.qualifier, m.unit,\n"
	"       COUNT(*) AS replications, AVG(m.value) AS mean,\n"
	"       MIN(m.value) AS min, MAX(m.value) AS max\n"
	"FROM metrics m JOIN runs r USING (run_id)\n"
	"GROUP BY r.scenario_name, r.scenario_hash, m.name, m.qualifier, m.unit;\n"
	/* Latency of an operation class across the replications of one scenario. */
	"CREATE VIEW v_latency AS\n"
	"SELECT r.scenario_name, r.scenario_hash, l.op_class,\n"
	"       COUNT(*) AS replications, SUM(l.count) AS count,\n"
	"       SUM(l.mean_s * l.count) / SUM(CASE WHEN l.mean_s IS NOT NULL THEN l.count END)\n"
	"         AS mean_s,\n"
	"       AVG(l.p50_s) AS p50_s_mean, AVG(l.p90_s) AS p90_s_mean,\n"
	"       AVG(l.p99_s) AS p99_s_mean, MIN(l.p99_s) AS p99_s_min, MAX(l.p99_s) AS p99_s_max,\n"
	"       AVG(l.p999_s) AS p999_s_mean, MAX(l.max_s) AS max_s\n"
	"FROM latency l JOIN runs r USING (run_id)\n"
	"GROUP BY r.scenario_name, r.scenario_hash, l.op_class;\n";

/* Version 1 -> 2: failover drills. incidents (one row per injected fault: RTO and its stages,
 * RPO, unavailability, primaries), incident_events (the timeline), invariant_violations;
 * their indexes; the view v_incidents. incident_events refers to its incident through
 * (run_id, incident_id), so an event cannot name another run's incident; a NULL incident_id
 * (an event tied to no incident) is not checked. event_id keeps the order of writing, which
 * breaks ties in t_s and, unlike a plain rowid, survives VACUUM. */
static const char schema_v2[] =
	"CREATE TABLE incidents (\n"
	"  incident_id INTEGER PRIMARY KEY,\n"
	"  run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  kind TEXT NOT NULL,\n"
	"  target TEXT NOT NULL DEFAULT '',\n"
	"  start_s REAL NOT NULL,\n"
	"  end_s REAL,\n"
	"  rto_s REAL,\n"
	"  detect_s REAL,\n"
	"  decide_s REAL,\n"
	"  transition_s REAL,\n"
	"  reroute_s REAL,\n"
	"  reconnect_s REAL,\n"
	"  rpo_tx INTEGER NOT NULL,\n"
	"  rpo_durable_tx INTEGER NOT NULL,\n"
	"  rpo_bytes REAL,\n"
	"  rpo_span_s REAL,\n"
	"  write_unavailable_s REAL,\n"
	"  read_unavailable_s REAL,\n"
	"  primary_before TEXT,\n"
	"  primary_after TEXT,\n"
	"  data_lost INTEGER NOT NULL CHECK (data_lost IN (0, 1))\n"
	");\n"
	"CREATE UNIQUE INDEX incidents_run ON incidents(run_id, incident_id);\n"
	"CREATE TABLE incident_events (\n"
	"  event_id INTEGER PRIMARY KEY,\n"
	"  run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  incident_id INTEGER,\n"
	"  t_s REAL NOT NULL,\n"
	"  source TEXT NOT NULL DEFAULT '',\n"
	"  event TEXT NOT NULL,\n"
	"  detail TEXT NOT NULL DEFAULT '',\n"
	"  FOREIGN KEY (run_id, incident_id) REFERENCES incidents(run_id, incident_id)\n"
	"    ON DELETE CASCADE\n"
	");\n"
	"CREATE INDEX incident_events_run ON incident_events(run_id, incident_id, t_s);\n"
	"CREATE TABLE invariant_violations (\n"
	"  run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  t_s REAL NOT NULL,\n"
	"  invariant TEXT NOT NULL,\n"
	"  detail TEXT NOT NULL DEFAULT ''\n"
	");\n"
	"CREATE INDEX invariant_violations_run ON invariant_violations(run_id, t_s);\n"
	/* Incidents of one kind and target across the replications of one scenario. The means
	 * skip NULLs: rto_s_mean is over the incidents that recovered (unrecovered counts the
	 * others) and each stage mean is over the incidents where that stage happened. */
	"CREATE VIEW v_incidents AS\n"
	"SELECT r.scenario_name, r.scenario_hash, i.kind, i.target,\n"
	"       COUNT(DISTINCT i.run_id) AS replications, COUNT(*) AS incidents,\n"
	"       COUNT(*) - COUNT(i.rto_s) AS unrecovered,\n"
	"       AVG(i.rto_s) AS rto_s_mean, MIN(i.rto_s) AS rto_s_min, MAX(i.rto_s) AS rto_s_max,\n"
	"       AVG(i.rpo_tx) AS rpo_tx_mean, MAX(i.rpo_tx) AS rpo_tx_max,\n"
	"       SUM(i.data_lost) AS data_lost,\n"
	"       AVG(i.detect_s) AS detect_s_mean, AVG(i.decide_s) AS decide_s_mean,\n"
	"       AVG(i.transition_s) AS transition_s_mean, AVG(i.reroute_s) AS reroute_s_mean,\n"
	"       AVG(i.reconnect_s) AS reconnect_s_mean\n"
	"FROM incidents i JOIN runs r USING (run_id)\n"
	"GROUP BY r.scenario_name, r.scenario_hash, i.kind, i.target;\n";

/* migrations[i] takes a file from user_version i to i + 1. */
static const char *const migrations[] = {
	schema_v1,
	schema_v2,
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == RESULTS_SCHEMA_VERSION,
	       "one migration step per schema version");

/* ---- the connection ---------------------------------------------------------------------- */

enum results_stmt {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_RUN,
	STMT_FINISH,
	STMT_METRIC,
	STMT_LATENCY,
	STMT_BUCKET,
	STMT_POINT,
	STMT_INCIDENT,
	STMT_INCIDENT_EVENT,
	STMT_VIOLATION,
	STMT_COUNT
};

static const char *const stmt_sql[STMT_COUNT] = {
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	[STMT_RUN] = "INSERT INTO runs (scenario_name, scenario_text, scenario_hash, seed, "
		     "replication, topsim_version, started_at, wall_s, sim_s, warmup_s, events) "
		     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[STMT_FINISH] = "UPDATE runs SET wall_s = ?2, events = ?3 WHERE run_id = ?1",
	[STMT_METRIC] = "INSERT INTO metrics (run_id, name, qualifier, value, unit) "
			"VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_LATENCY] = "INSERT INTO latency (run_id, op_class, count, mean_s, p50_s, p90_s, "
			 "p99_s, p999_s, max_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[STMT_BUCKET] = "INSERT INTO latency_buckets (run_id, op_class, lower_s, upper_s, count) "
			"VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_POINT] = "INSERT INTO timeseries (run_id, t_s, width_s, name, qualifier, value) "
		       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[STMT_INCIDENT] = "INSERT INTO incidents (run_id, kind, target, start_s, end_s, rto_s, "
			  "detect_s, decide_s, transition_s, reroute_s, reconnect_s, rpo_tx, "
			  "rpo_durable_tx, rpo_bytes, rpo_span_s, write_unavailable_s, "
			  "read_unavailable_s, primary_before, primary_after, data_lost) "
			  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
			  "?15, ?16, ?17, ?18, ?19, ?20)",
	[STMT_INCIDENT_EVENT] = "INSERT INTO incident_events (run_id, incident_id, t_s, source, "
				"event, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[STMT_VIOLATION] = "INSERT INTO invariant_violations (run_id, t_s, invariant, detail) "
			   "VALUES (?1, ?2, ?3, ?4)",
};

struct results {
	sqlite3 *db;                     /* owned connection */
	sqlite3_stmt *stmt[STMT_COUNT]; /* owned, prepared at open, indexed by enum results_stmt */
	char errmsg[512];                /* last failure, "" when none yet */
	int lock_fd;                     /* results_lock_writer's descriptor, or -1; closed
					  * only after the connection (see results_lock_writer) */
};

static void set_err(struct results *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_err(struct results *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->errmsg, sizeof(r->errmsg), fmt, ap);
	va_end(ap);
}

/* Record SQLite's message for the last failure and return -EIO. */
static int db_fail(struct results *r)
{
	set_err(r, "%s", sqlite3_errmsg(r->db));
	return -EIO;
}

/* Run a statement to completion and reset it (which releases its locks). */
static int step_done(struct results *r, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		/* Take the message before reset, which may replace it. */
		db_fail(r);
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return -EIO;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return 0;
}

/* Step an insert whose bindings returned `rc` (OR of the bind calls). Returns 0 or -EIO. */
static int bound_step(struct results *r, sqlite3_stmt *s, int rc)
{
	if (rc != SQLITE_OK) {
		db_fail(r);
		sqlite3_clear_bindings(s);
		return -EIO;
	}
	return step_done(r, s);
}

/* Bind a string that may be NULL (stored as NULL) or, with empty_for_null, as "". */
static int bind_text(sqlite3_stmt *s, int i, const char *v, int empty_for_null)
{
	if (!v)
		return empty_for_null ? sqlite3_bind_text(s, i, "", 0, SQLITE_STATIC)
				      : sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

/* A double that is NaN is stored as NULL (SQLite does this itself; explicit for clarity). */
static int bind_real(sqlite3_stmt *s, int i, double v)
{
	return isnan(v) ? sqlite3_bind_null(s, i) : sqlite3_bind_double(s, i, v);
}

/* The integer a one-row query returns. Returns 0 or -EIO. */
static int query_int(struct results *r, const char *sql, int *out /* OUT */)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(r->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(r);
	if (sqlite3_step(s) != SQLITE_ROW) {
		db_fail(r);
		sqlite3_finalize(s);
		return -EIO;
	}
	*out = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return 0;
}

/* Read PRAGMA user_version. Returns 0 or -EIO. */
static int read_user_version(struct results *r, int *version /* OUT */)
{
	return query_int(r, "PRAGMA user_version", version);
}

/* Number of schema objects (tables, indexes, views, triggers). Returns 0 or -EIO. */
static int count_schema_objects(struct results *r, int *n /* OUT */)
{
	return query_int(r, "SELECT count(*) FROM sqlite_schema", n);
}

/* Run SQL (several statements allowed). Returns 0 or -EIO. */
static int exec(struct results *r, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(r->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		set_err(r, "%s", msg ? msg : sqlite3_errmsg(r->db));
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

/* Bring the schema to RESULTS_SCHEMA_VERSION inside one write transaction, re-reading the
 * version under the lock so two processes opening a new file do not both create it. On
 * failure writes a message for the user to err. Returns 0 or -EIO. */
static int migrate(struct results *r, const char *path, char *err, size_t err_size)
{
	int version, objects;
	if (exec(r, "BEGIN IMMEDIATE") < 0)
		goto out_report;
	if (read_user_version(r, &version) < 0)
		goto out_rollback;
	if (version > RESULTS_SCHEMA_VERSION || version < 0) {
		snprintf(err, err_size,
			 version < 0 ? "\"%s\" is not a topsim results database: schema version %d"
				     : "\"%s\" was written by a newer topsim (schema %d; this one "
				       "reads up to %d)",
			 path, version, RESULTS_SCHEMA_VERSION);
		exec(r, "ROLLBACK");
		return -EIO;
	}
	if (version == 0) {
		if (count_schema_objects(r, &objects) < 0)
			goto out_rollback;
		if (objects > 0) {
			snprintf(err, err_size,
				 "\"%s\" is not a topsim results database: it holds tables but no "
				 "schema version",
				 path);
			exec(r, "ROLLBACK");
			return -EIO;
		}
	}
	for (int v = version; v < RESULTS_SCHEMA_VERSION; v++) {
		char set_version[64];
		if (exec(r, migrations[v]) < 0)
			goto out_rollback;
		snprintf(set_version, sizeof(set_version), "PRAGMA user_version = %d", v + 1);
		if (exec(r, set_version) < 0)
			goto out_rollback;
	}
	if (exec(r, "COMMIT") < 0)
		goto out_rollback;
	return 0;

out_rollback:
	snprintf(err, err_size, "\"%s\": cannot create or update the results schema: %s", path,
		 r->errmsg);
	exec(r, "ROLLBACK");
	return -EIO;
out_report:
	snprintf(err, err_size, "\"%s\" is not a topsim results database: %s", path, r->errmsg);
	return -EIO;
}

struct results *results_open(const char *path, char *err, size_t err_size)
{
	struct results *r = calloc(1, sizeof(*r));
	int version, objects;

	if (err_size > 0)
		err[0] = '\0';
	if (!r) {
		snprintf(err, err_size, "\"%s\": out of memory", path);
		return NULL;
	}
	r->lock_fd = -1;
	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		snprintf(err, err_size, "\"%s\": cannot open: %s", path,
			 r->db ? sqlite3_errmsg(r->db) : "out of memory");
		goto out_close;
	}
	sqlite3_extended_result_codes(r->db, 1);
	sqlite3_busy_timeout(r->db, RESULTS_BUSY_TIMEOUT_MS);

	/* The first statement that reads the file: garbage is found here (SQLITE_NOTADB). */
	if (read_user_version(r, &version) < 0) {
		snprintf(err, err_size, "\"%s\" is not a topsim results database: %s", path,
			 r->errmsg);
		goto out_close;
	}
	/* Refuse a newer file, or anything not ours, before changing anything in it, even its
	 * journal mode: these are reads only. */
	if (version > RESULTS_SCHEMA_VERSION) {
		snprintf(err, err_size,
			 "\"%s\" was written by a newer topsim (schema %d; this one reads up to %d)",
			 path, version, RESULTS_SCHEMA_VERSION);
		goto out_close;
	}
	if (version < 0) {
		snprintf(err, err_size,
			 "\"%s\" is not a topsim results database: schema version %d", path,
			 version);
		goto out_close;
	}
	if (version == 0) {
		if (count_schema_objects(r, &objects) < 0) {
			snprintf(err, err_size, "\"%s\" is not a topsim results database: %s", path,
				 r->errmsg);
			goto out_close;
		}
		if (objects > 0) {
			snprintf(err, err_size,
				 "\"%s\" is not a topsim results database: it holds tables but no "
				 "schema version",
				 path);
			goto out_close;
		}
	}

	/* WAL: readers never block the writer and a killed writer leaves the file consistent.
	 * Where WAL is unavailable (":memory:", some network file systems) SQLite keeps its
	 * rollback journal, which is just as atomic, so that is not an error. */
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(r->db, "PRAGMA journal_mode = WAL", -1, &s, NULL) != SQLITE_OK) {
		db_fail(r);
		snprintf(err, err_size, "\"%s\": cannot set WAL mode: %s", path, r->errmsg);
		goto out_close;
	}
	if (sqlite3_step(s) != SQLITE_ROW) {
		db_fail(r);
		sqlite3_finalize(s);
		snprintf(err, err_size, "\"%s\" is not a topsim results database: %s", path,
			 r->errmsg);
		goto out_close;
	}
	sqlite3_finalize(s);

	/* synchronous NORMAL in WAL mode syncs at checkpoints, not at each commit: a power loss
	 * may undo the last committed replications but never leaves half of one. */
	/* A small page cache: a long replication's time series spill to the WAL during its
	 * transaction instead of growing memory with simulated time (docs/performance.md). */
	if (exec(r, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
		    "PRAGMA cache_size = -256") < 0) {
		snprintf(err, err_size, "\"%s\": %s", path, r->errmsg);
		goto out_close;
	}

	if (version < RESULTS_SCHEMA_VERSION && migrate(r, path, err, err_size) < 0)
		goto out_close;

	for (int i = 0; i < STMT_COUNT; i++) {
		if (sqlite3_prepare_v3(r->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &r->stmt[i], NULL) != SQLITE_OK) {
			snprintf(err, err_size, "\"%s\": %s", path, sqlite3_errmsg(r->db));
			goto out_close;
		}
	}
	return r;

out_close:
	results_close(r);
	return NULL;
}

void results_close(struct results *r)
{
	if (!r)
		return;
	results_rollback(r);
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(r->stmt[i]);
	sqlite3_close(r->db); /* every statement is finalized, so this cannot be busy */
	if (r->lock_fd >= 0)
		close(r->lock_fd); /* after the connection: see results_lock_writer */
	free(r);
}

int results_lock_writer(struct results *r, const char *path, char *err, size_t err_size)
{
	/* flock(2) locks are separate from the POSIX record locks SQLite takes, so this one
	 * does not disturb them; but closing any descriptor of the file drops the process's
	 * POSIX locks, which is why lock_fd stays open until after sqlite3_close. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, err_size, "\"%s\": cannot open: %s", path, strerror(errno));
		return -EIO;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK) {
			snprintf(err, err_size,
				 "\"%s\" is in use by another topsim run; wait for it to finish or "
				 "write to another file (-o)",
				 path);
			return -EBUSY;
		}
		snprintf(err, err_size, "\"%s\": cannot lock: %s", path, strerror(e));
		return -EIO;
	}
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	r->lock_fd = fd;
	return 0;
}

/* ---- transactions ------------------------------------------------------------------------ */

int results_begin(struct results *r)
{
	return step_done(r, r->stmt[STMT_BEGIN]);
}

int results_commit(struct results *r)
{
	return step_done(r, r->stmt[STMT_COMMIT]);
}

void results_rollback(struct results *r)
{
	if (!r || !r->db || sqlite3_get_autocommit(r->db))
		return; /* no transaction open */
	if (r->stmt[STMT_ROLLBACK]) {
		step_done(r, r->stmt[STMT_ROLLBACK]);
	} else {
		char *msg = NULL;
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, &msg);
		sqlite3_free(msg);
	}
}

/* ---- rows -------------------------------------------------------------------------------- */

int results_add_run(struct results *r, const struct results_run *run, int64_t *run_id)
{
	sqlite3_stmt *s = r->stmt[STMT_RUN];
	int rc = bind_text(s, 1, run->scenario_name, 1);
	rc |= bind_text(s, 2, run->scenario_text, 0);
	rc |= bind_text(s, 3, run->scenario_hash, 0);
	rc |= sqlite3_bind_int64(s, 4, (sqlite3_int64)run->seed);
	rc |= sqlite3_bind_int64(s, 5, run->replication);
	rc |= bind_text(s, 6, run->version, 0);
	rc |= bind_text(s, 7, run->started_at, 0);
	rc |= bind_real(s, 8, run->wall_s);
	rc |= bind_real(s, 9, run->sim_s);
	rc |= bind_real(s, 10, run->warmup_s);
	rc |= sqlite3_bind_int64(s, 11, (sqlite3_int64)run->events);
	if (bound_step(r, s, rc) < 0)
		return -EIO;
	*run_id = sqlite3_last_insert_rowid(r->db);
	return 0;
}

int results_finish_run(struct results *r, int64_t run_id, double wall_s, uint64_t events)
{
	sqlite3_stmt *s = r->stmt[STMT_FINISH];
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= bind_real(s, 2, wall_s);
	rc |= sqlite3_bind_int64(s, 3, (sqlite3_int64)events);
	if (bound_step(r, s, rc) < 0)
		return -EIO;
	if (sqlite3_changes(r->db) != 1) {
		set_err(r, "no run with run_id %lld", (long long)run_id);
		return -EIO;
	}
	return 0;
}

int results_add_metric(struct results *r, int64_t run_id, const char *name,
		       const char *qualifier, double value, const char *unit)
{
	sqlite3_stmt *s = r->stmt[STMT_METRIC];
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= bind_text(s, 2, name, 0);
	rc |= bind_text(s, 3, qualifier, 1);
	rc |= bind_real(s, 4, value);
	rc |= bind_text(s, 5, unit, 1);
	if (rc != SQLITE_OK) {
		db_fail(r);
		sqlite3_clear_bindings(s);
		return -EIO;
	}
	return step_done(r, s);
}

/* Write the summary row of h. */
static int add_latency_summary(struct results *r, int64_t run_id, const char *op_class,
			       const struct stat_hist *h)
{
	sqlite3_stmt *s = r->stmt[STMT_LATENCY];
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= bind_text(s, 2, op_class, 0);
	rc |= sqlite3_bind_int64(s, 3, (sqlite3_int64)stat_hist_count(h));
	rc |= bind_real(s, 4, stat_hist_mean(h));
	rc |= bind_real(s, 5, stat_hist_quantile(h, 0.50));
	rc |= bind_real(s, 6, stat_hist_quantile(h, 0.90));
	rc |= bind_real(s, 7, stat_hist_quantile(h, 0.99));
	rc |= bind_real(s, 8, stat_hist_quantile(h, 0.999));
	rc |= bind_real(s, 9, stat_hist_max(h));
	if (rc != SQLITE_OK) {
		db_fail(r);
		sqlite3_clear_bindings(s);
		return -EIO;
	}
	return step_done(r, s);
}

int results_add_latency(struct results *r, int64_t run_id, const char *op_class,
			const struct stat_hist *h)
{
	if (add_latency_summary(r, run_id, op_class, h) < 0)
		return -EIO;
	sqlite3_stmt *s = r->stmt[STMT_BUCKET];
	size_t nb = stat_hist_bucket_count(h);
	for (size_t i = 0; i < nb; i++) {
		uint64_t n = stat_hist_bucket_n(h, i);
		if (n == 0)
			continue;
		int rc = sqlite3_bind_int64(s, 1, run_id);
		rc |= bind_text(s, 2, op_class, 0);
		rc |= sqlite3_bind_double(s, 3, stat_hist_bucket_lower(i));
		rc |= sqlite3_bind_double(s, 4, stat_hist_bucket_upper(i)); /* overflow: +inf */
		rc |= sqlite3_bind_int64(s, 5, (sqlite3_int64)n);
		if (bound_step(r, s, rc) < 0)
			return -EIO;
	}
	return 0;
}

int results_add_point(struct results *r, int64_t run_id, double t_s, double width_s,
		      const char *name, const char *qualifier, double value)
{
	sqlite3_stmt *s = r->stmt[STMT_POINT];
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= sqlite3_bind_double(s, 2, t_s);
	rc |= sqlite3_bind_double(s, 3, width_s);
	rc |= bind_text(s, 4, name, 0);
	rc |= bind_text(s, 5, qualifier, 1);
	rc |= bind_real(s, 6, value);
	if (rc != SQLITE_OK) {
		db_fail(r);
		sqlite3_clear_bindings(s);
		return -EIO;
	}
	return step_done(r, s);
}

int results_add_incident(struct results *r, int64_t run_id, const struct results_incident *inc,
			 int64_t *incident_id)
{
	sqlite3_stmt *s = r->stmt[STMT_INCIDENT];
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= bind_text(s, 2, inc->kind, 0);
	rc |= bind_text(s, 3, inc->target, 1);
	rc |= bind_real(s, 4, inc->start_s);
	rc |= bind_real(s, 5, inc->end_s);
	rc |= bind_real(s, 6, inc->rto_s);
	rc |= bind_real(s, 7, inc->detect_s);
	rc |= bind_real(s, 8, inc->decide_s);
	rc |= bind_real(s, 9, inc->transition_s);
	rc |= bind_real(s, 10, inc->reroute_s);
	rc |= bind_real(s, 11, inc->reconnect_s);
	rc |= sqlite3_bind_int64(s, 12, inc->rpo_tx);
	rc |= sqlite3_bind_int64(s, 13, inc->rpo_durable_tx);
	rc |= bind_real(s, 14, inc->rpo_bytes);
	rc |= bind_real(s, 15, inc->rpo_span_s);
	rc |= bind_real(s, 16, inc->write_unavailable_s);
	rc |= bind_real(s, 17, inc->read_unavailable_s);
	rc |= bind_text(s, 18, inc->primary_before, 0);
	rc |= bind_text(s, 19, inc->primary_after, 0);
	rc |= sqlite3_bind_int(s, 20, inc->data_lost != 0);
	if (bound_step(r, s, rc) < 0)
		return -EIO;
	if (incident_id)
		*incident_id = sqlite3_last_insert_rowid(r->db);
	return 0;
}

int results_add_incident_event(struct results *r, int64_t run_id, int64_t incident_id,
			       double t_s, const char *source, const char *event,
			       const char *detail)
{
	sqlite3_stmt *s = r->stmt[STMT_INCIDENT_EVENT];
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= incident_id > 0 ? sqlite3_bind_int64(s, 2, incident_id) : sqlite3_bind_null(s, 2);
	rc |= bind_real(s, 3, t_s);
	rc |= bind_text(s, 4, source, 1);
	rc |= bind_text(s, 5, event, 0);
	rc |= bind_text(s, 6, detail, 1);
	if (rc != SQLITE_OK) {
		db_fail(r);
		sqlite3_clear_bindings(s);
		return -EIO;
	}
	return step_done(r, s);
}

int results_add_violation(struct results *r, int64_t run_id, double t_s, const char *invariant,
			  const char *detail)
{
	sqlite3_stmt *s = r->stmt[STMT_VIOLATION];
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= bind_real(s, 2, t_s);
	rc |= bind_text(s, 3, invariant, 0);
	rc |= bind_text(s, 4, detail, 1);
	if (rc != SQLITE_OK) {
		db_fail(r);
		sqlite3_clear_bindings(s);
		return -EIO;
	}
	return step_done(r, s);
}

const char *results_migration_sql(int from_version)
{
	if (from_version < 0 || from_version >= RESULTS_SCHEMA_VERSION)
		return NULL;
	return migrations[from_version];
}

const char *results_errmsg(const struct results *r)
{
	return r->errmsg;
}
