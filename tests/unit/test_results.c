/* test_results.c: unit tests of sim/results (the SQLite results database).
 *
 * Each test works in its own mkdtemp directory, removed afterwards. What results_* wrote is
 * read back through the read API, mostly on a separate read-only handle, with every field
 * compared to what was written and distinct values per field, so a column mixed up on either
 * side shows. Raw SQL remains only for what the read API does not cover: PRAGMAs, the
 * views, cascading deletes, schema comparison, and damaging a file on purpose. Interrupted
 * writers are simulated twice: a connection closed mid-transaction,
 * and a fork()ed child that _exit()s mid-transaction after writing enough rows to spill
 * uncommitted pages into the WAL.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "results.h"

/* ---- fixture: a temporary directory ----------------------------------------------------- */

struct fixture {
	char dir[64];   /* the mkdtemp directory */
	char path[128]; /* dir/topsim.db */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_results.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/topsim.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	DIR *d = opendir(f->dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			char p[512];
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(p, sizeof(p), "%s/%s", f->dir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* ---- raw SQLite helpers ----------------------------------------------------------------- */

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
	sqlite3_free(msg);
}

/* Prepare printf-formatted SQL and step to its first row (which must exist). */
static sqlite3_stmt *raw_row(sqlite3 *db, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static sqlite3_stmt *raw_row(sqlite3 *db, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) != SQLITE_ROW)
		fail_msg("%s: no row (%s)", sql, sqlite3_errmsg(db));
	return s;
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = raw_row(db, "%s", sql);
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static double raw_double(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = raw_row(db, "%s", sql);
	double v = sqlite3_column_type(s, 0) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Copy of the first column of the first row (caller frees). */
static char *raw_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = raw_row(db, "%s", sql);
	const unsigned char *t = sqlite3_column_text(s, 0);
	char *v = strdup(t ? (const char *)t : "(null)");
	sqlite3_finalize(s);
	assert_non_null(v);
	return v;
}

/* cmocka 1.1 has no assert_double_equal. */
#define assert_near(got, want, tol)                                                         \
	do {                                                                                \
		double got_ = (got), want_ = (want);                                        \
		if (!(fabs(got_ - want_) <= (tol)))                                         \
			fail_msg("%s = %.17g, want %.17g", #got, got_, want_);             \
	} while (0)

/* ---- helpers over the module ------------------------------------------------------------- */

static struct results *open_ok(const char *path)
{
	char err[256];
	struct results *r = results_open(path, err, sizeof(err));
	if (!r)
		fail_msg("results_open: %s", err);
	return r;
}

static struct results_run run_of(const char *scenario, uint32_t replication, double wall_s)
{
	struct results_run run = {
		.scenario_name = scenario,
		.scenario_text = "{\"name\": \"x\"}",
		.scenario_hash = "abc123",
		.seed = 42,
		.replication = replication,
		.version = "0.1.0",
		.started_at = "2024-01-02T03:04:05Z",
		.wall_s = wall_s,
		.sim_s = 3600.0,
		.warmup_s = 60.0,
		.events = 1000000,
	};
	return run;
}

static struct stat_hist *hist_new(void)
{
	struct stat_hist *h = malloc(sizeof(*h)); /* ~24 KiB: not on the stack */
	assert_non_null(h);
	stat_hist_init(h);
	return h;
}

static struct results *open_ro_ok(const char *path)
{
	char err[256];
	struct results *r = results_open_readonly(path, err, sizeof(err));
	if (!r)
		fail_msg("results_open_readonly: %s", err);
	return r;
}

/* The whole file, for checking that a reader left it byte for byte as it was (caller frees). */
static char *file_bytes(const char *path, long *size /* OUT */)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	*size = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *buf = malloc((size_t)*size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)*size, fp), (size_t)*size);
	fclose(fp);
	return buf;
}

static void assert_same_file(const char *path, const char *before, long before_size)
{
	long size;
	char *now = file_bytes(path, &size);
	assert_int_equal(size, before_size);
	assert_memory_equal(now, before, (size_t)size);
	free(now);
}

/* A double that may be NaN (NaN == NaN here). */
#define assert_same_double(got, want)                                                       \
	do {                                                                                \
		double g_ = (got), w_ = (want);                                             \
		if (!((isnan(g_) && isnan(w_)) || g_ == w_))                                \
			fail_msg("%s = %.17g, want %.17g", #got, g_, w_);                   \
	} while (0)

/* A string that may be NULL. */
#define assert_same_string(got, want)                                                       \
	do {                                                                                \
		const char *g_ = (got), *w_ = (want);                                       \
		if (!w_)                                                                    \
			assert_null(g_);                                                    \
		else                                                                        \
			assert_string_equal(g_, w_);                                        \
	} while (0)

static void assert_run_equal(const struct results_run *got, const struct results_run *want,
			     bool with_text)
{
	assert_same_string(got->scenario_name, want->scenario_name);
	assert_same_string(got->scenario_text, with_text ? want->scenario_text : NULL);
	assert_same_string(got->scenario_hash, want->scenario_hash);
	assert_true(got->seed == want->seed);
	assert_int_equal(got->replication, want->replication);
	assert_same_string(got->version, want->version);
	assert_same_string(got->started_at, want->started_at);
	assert_same_double(got->wall_s, want->wall_s);
	assert_same_double(got->sim_s, want->sim_s);
	assert_same_double(got->warmup_s, want->warmup_s);
	assert_true(got->events == want->events);
	assert_string_equal(got->experiment, want->experiment ? want->experiment : "");
	assert_string_equal(got->variant, want->variant ? want->variant : "");
}

static void assert_incident_equal(const struct results_incident *got,
				  const struct results_incident *want)
{
	assert_string_equal(got->kind, want->kind);
	assert_string_equal(got->target, want->target ? want->target : "");
	assert_same_double(got->start_s, want->start_s);
	assert_same_double(got->end_s, want->end_s);
	assert_same_double(got->rto_s, want->rto_s);
	assert_same_double(got->detect_s, want->detect_s);
	assert_same_double(got->decide_s, want->decide_s);
	assert_same_double(got->transition_s, want->transition_s);
	assert_same_double(got->reroute_s, want->reroute_s);
	assert_same_double(got->reconnect_s, want->reconnect_s);
	assert_int_equal(got->rpo_tx, want->rpo_tx);
	assert_int_equal(got->rpo_durable_tx, want->rpo_durable_tx);
	assert_same_double(got->rpo_bytes, want->rpo_bytes);
	assert_same_double(got->rpo_span_s, want->rpo_span_s);
	assert_same_double(got->write_unavailable_s, want->write_unavailable_s);
	assert_same_double(got->read_unavailable_s, want->read_unavailable_s);
	assert_same_string(got->primary_before, want->primary_before);
	assert_same_string(got->primary_after, want->primary_after);
	assert_int_equal(got->data_lost, want->data_lost != 0);
	assert_same_double(got->ecp_stall_max_s, want->ecp_stall_max_s);
	assert_int_equal(got->ecp_stalls, want->ecp_stalls);
	assert_int_equal(got->ecp_held_completed, want->ecp_held_completed);
	assert_int_equal(got->ecp_network_errors, want->ecp_network_errors);
	assert_int_equal(got->ecp_rolled_back, want->ecp_rolled_back);
	assert_int_equal(got->ecp_sessions_preserved, want->ecp_sessions_preserved);
	assert_int_equal(got->ecp_sessions_lost, want->ecp_sessions_lost);
}

/* ---- tests ------------------------------------------------------------------------------- */

/* Create, write one run with metrics, a histogram and a time series; read it all back. */
static void test_write_and_read_back(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	struct stat_hist *h = hist_new();
	int64_t id = -1;

	/* 1000 values from 0.1 ms to 100 ms, plus one underflow (0) and one overflow value. */
	for (int i = 1; i <= 1000; i++)
		assert_int_equal(stat_hist_add(h, i * 1e-4), 0);
	assert_int_equal(stat_hist_add(h, 0.0), 0);
	assert_int_equal(stat_hist_add(h, 1e5), 0);

	struct results_run run = run_of("demo", 0, 2.0);
	run.seed = UINT64_MAX; /* stored as its two's-complement bit pattern */
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_true(id > 0);
	assert_int_equal(results_add_metric(r, id, "throughput", "", 1234.5, "1/s"), 0);
	assert_int_equal(results_add_metric(r, id, "cpu_utilisation", "host1", 0.75, "fraction"),
			 0);
	assert_int_equal(results_add_metric(r, id, "no_qualifier", NULL, 1.0, NULL), 0);
	assert_int_equal(results_add_latency(r, id, "read", h), 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(results_add_point(r, id, i * 60.0, 60.0, "throughput", "",
						   100.0 + i, "1/s"),
				 0);
	assert_int_equal(results_commit(r), 0);
	results_close(r);

	/* Reopening an up-to-date file changes nothing. */
	r = open_ok(f->path);
	results_close(r);

	/* Through the read API: every field as written. */
	r = open_ro_ok(f->path);
	struct results_run_filter with_text = {.with_text = true};
	struct results_runs runs;
	assert_int_equal(results_runs(r, &with_text, &runs), 0);
	assert_int_equal(runs.n, 1);
	assert_int_equal(runs.v[0].run_id, id);
	assert_run_equal(&runs.v[0].run, &run, true);
	assert_true(runs.v[0].run.seed == UINT64_MAX);
	results_runs_release(&runs);

	struct results_metrics m;
	assert_int_equal(results_metrics(r, id, &m), 0);
	assert_int_equal(m.n, 3);
	results_metrics_release(&m);
	double v;
	char unit[16];
	assert_int_equal(results_metric(r, id, "throughput", "", &v, unit, sizeof(unit)), 0);
	assert_true(v == 1234.5);
	assert_string_equal(unit, "1/s");
	assert_int_equal(results_metric(r, id, "cpu_utilisation", "host1", &v, unit, sizeof(unit)),
			 0);
	assert_true(v == 0.75);
	assert_string_equal(unit, "fraction");
	assert_int_equal(results_metric(r, id, "no_qualifier", "", &v, unit, sizeof(unit)), 0);
	assert_true(v == 1.0);
	assert_string_equal(unit, "");

	/* Latency summary: exactly what stats computes. */
	struct results_latencies lat;
	assert_int_equal(results_latencies(r, id, &lat), 0);
	assert_int_equal(lat.n, 1);
	assert_string_equal(lat.v[0].op_class, "read");
	assert_int_equal(lat.v[0].count, 1002);
	assert_true(lat.v[0].mean_s == stat_hist_mean(h));
	assert_true(lat.v[0].p50_s == stat_hist_quantile(h, 0.50));
	assert_true(lat.v[0].p90_s == stat_hist_quantile(h, 0.90));
	assert_true(lat.v[0].p99_s == stat_hist_quantile(h, 0.99));
	assert_true(lat.v[0].p999_s == stat_hist_quantile(h, 0.999));
	assert_true(lat.v[0].max_s == 1e5);
	results_latencies_release(&lat);

	/* Buckets: the non-empty ones, summing to the count, with the layout's bounds. */
	struct results_buckets b;
	assert_int_equal(results_buckets(r, id, "read", &b), 0);
	size_t nonempty = 0;
	for (size_t i = 0; i < stat_hist_bucket_count(h); i++) {
		if (stat_hist_bucket_n(h, i) == 0)
			continue;
		assert_true(nonempty < b.n);
		assert_true(b.v[nonempty].lower_s == stat_hist_bucket_lower(i));
		assert_true(b.v[nonempty].upper_s == stat_hist_bucket_upper(i));
		assert_int_equal(b.v[nonempty].count, stat_hist_bucket_n(h, i));
		nonempty++;
	}
	assert_int_equal(b.n, nonempty);
	assert_true(b.v[0].lower_s == 0.0);
	assert_true(isinf(b.v[b.n - 1].upper_s));
	results_buckets_release(&b);

	/* Time series. */
	struct results_points pts;
	assert_int_equal(results_points(r, id, "throughput", "", &pts), 0);
	assert_int_equal(pts.n, 10);
	for (size_t i = 0; i < pts.n; i++) {
		assert_true(pts.v[i].t_s == 60.0 * (double)i);
		assert_true(pts.v[i].width_s == 60.0);
		assert_true(pts.v[i].value == 100.0 + (double)i);
		assert_string_equal(pts.v[i].unit, "1/s");
	}
	results_points_release(&pts);
	results_close(r);

	/* File format, and what the read API does not cover: cascading deletes. */
	sqlite3 *db = raw_open(f->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), RESULTS_SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), RESULTS_SCHEMA_VERSION);
	char *mode = raw_text(db, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);

	/* Deleting the run removes its rows everywhere (ON DELETE CASCADE). */
	raw_exec(db, "PRAGMA foreign_keys = ON; DELETE FROM runs");
	assert_int_equal(raw_int(db, "SELECT (SELECT count(*) FROM metrics) + "
				     "(SELECT count(*) FROM latency) + "
				     "(SELECT count(*) FROM latency_buckets) + "
				     "(SELECT count(*) FROM timeseries)"),
			 0);
	sqlite3_close(db);
	free(h);
}

/* An empty histogram gives a summary row with count 0, NULL figures and no buckets. */
static void test_empty_histogram(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	struct stat_hist *h = hist_new();
	struct results_run run = run_of("demo", 0, 1.0);
	int64_t id;

	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_int_equal(results_add_latency(r, id, "write", h), 0);
	assert_int_equal(results_commit(r), 0);
	results_close(r);

	r = open_ro_ok(f->path);
	struct results_latencies lat;
	assert_int_equal(results_latencies(r, id, &lat), 0);
	assert_int_equal(lat.n, 1);
	assert_string_equal(lat.v[0].op_class, "write");
	assert_int_equal(lat.v[0].count, 0);
	assert_true(isnan(lat.v[0].mean_s) && isnan(lat.v[0].p50_s) && isnan(lat.v[0].p90_s) &&
		    isnan(lat.v[0].p99_s) && isnan(lat.v[0].p999_s) && isnan(lat.v[0].max_s));
	results_latencies_release(&lat);
	struct results_buckets b;
	assert_int_equal(results_buckets(r, id, "write", &b), 0);
	assert_int_equal(b.n, 0);
	results_buckets_release(&b);
	results_close(r);
	free(h);
}

/* results_finish_run fills in wall time and events once the replication is over. */
static void test_finish_run(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	struct results_run run = run_of("demo", 0, 0.0);
	int64_t id;

	run.events = 0;
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_int_equal(results_finish_run(r, id, 2.5, 5000000), 0);
	assert_int_equal(results_finish_run(r, id + 1, 2.5, 1), -EIO);
	assert_non_null(strstr(results_errmsg(r), "no run with run_id"));
	assert_int_equal(results_commit(r), 0);
	results_close(r);

	r = open_ro_ok(f->path);
	struct results_runs runs;
	assert_int_equal(results_runs(r, NULL, &runs), 0);
	assert_int_equal(runs.n, 1);
	assert_true(runs.v[0].run.wall_s == 2.5);
	assert_true(runs.v[0].run.events == 5000000);
	results_runs_release(&runs);
	results_close(r);

	/* The speed figures are the view's (not in the read API). */
	sqlite3 *db = raw_open(f->path);
	sqlite3_stmt *s = raw_row(db, "SELECT sim_per_wall, events_per_wall_s FROM v_runs");
	assert_true(sqlite3_column_double(s, 0) == 1440.0);
	assert_true(sqlite3_column_double(s, 1) == 2000000.0);
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* A file written by a newer topsim is refused, untouched. */
static void test_newer_version_refused(void **state)
{
	struct fixture *f = *state;
	char err[256], want[256];
	results_close(open_ok(f->path));

	sqlite3 *db = raw_open(f->path);
	raw_exec(db, "PRAGMA user_version = 99");
	sqlite3_close(db);

	assert_null(results_open(f->path, err, sizeof(err)));
	snprintf(want, sizeof(want),
		 "\"%s\" was written by a newer topsim (schema 99; this one reads up to %d)",
		 f->path, RESULTS_SCHEMA_VERSION);
	assert_string_equal(err, want);

	db = raw_open(f->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 99);
	sqlite3_close(db);
}

/* A file that is not SQLite is refused with SQLite's reason, and left as it was. */
static void test_garbage_refused(void **state)
{
	struct fixture *f = *state;
	char err[256], want[256], buf[64] = "";
	FILE *fp = fopen(f->path, "w");
	assert_non_null(fp);
	for (int i = 0; i < 200; i++)
		fputs("this is not a database, it is a text file\n", fp);
	fclose(fp);

	assert_null(results_open(f->path, err, sizeof(err)));
	snprintf(want, sizeof(want), "\"%s\" is not a topsim results database: file is not a "
				     "database",
		 f->path);
	assert_string_equal(err, want);

	fp = fopen(f->path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "this is not a database, it is a text file\n");
}

/* Another application's SQLite file (tables, user_version 0) is refused, not altered. */
static void test_foreign_database_refused(void **state)
{
	struct fixture *f = *state;
	char err[256], want[256];
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	raw_exec(db, "CREATE TABLE customers (id INTEGER PRIMARY KEY)");
	sqlite3_close(db);

	assert_null(results_open(f->path, err, sizeof(err)));
	snprintf(want, sizeof(want), "\"%s\" is not a topsim results database: it holds tables "
				     "but no schema version",
		 f->path);
	assert_string_equal(err, want);

	db = raw_open(f->path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema"), 1);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 0);
	sqlite3_close(db);
}

/* An empty file, or a SQLite file with user_version 0 and no tables, is initialised. */
static void test_empty_file_initialised(void **state)
{
	struct fixture *f = *state;
	FILE *fp = fopen(f->path, "w");
	assert_non_null(fp);
	fclose(fp);
	results_close(open_ok(f->path));

	sqlite3 *db = raw_open(f->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), RESULTS_SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
				     "AND name IN ('runs', 'metrics', 'latency', "
				     "'latency_buckets', 'timeseries', 'incidents', "
				     "'incident_events', 'invariant_violations')"),
			 8);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'view'"),
			 5);
	sqlite3_close(db);
}

/* The availability tables (schema 5): a run with its causes and failures round-trips, the
 * latest run's downtime is found by experiment, a missing one is -ENOENT, a read-only
 * handle refuses to write, and experiments are numbered across both kinds of run. */
static void test_avail_tables(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	struct results_avail_run a = {.experiment = "availability-1", .scenario_name = "prod",
				      .seed = 7, .years = 1000, .batches = 20, .level = 0.95,
				      .exact_availability = NAN, .rpo_tx_per_year = NAN,
				      .events = 1234};
	for (int i = 0; i < 16; i++)
		a.figures[i] = i + 0.5;
	int64_t id = 0;
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_avail_run(r, &a, &id), 0);
	assert_int_equal(results_add_avail_cause(r, id, "MIRROR1 primary host_crash: takeover",
						 "takeover", 0.12, 0.01, 0.5, 42), 0);
	assert_int_equal(results_add_avail_failures(r, id, "host", 5.0), 0);
	/* One row per (class, stage). */
	assert_int_not_equal(results_add_avail_cause(r, id, "MIRROR1 primary host_crash: takeover",
						     "takeover", 1, 1, 1, 1), 0);
	assert_int_equal(results_commit(r), 0);
	double m, h;
	assert_int_equal(results_avail_downtime(r, "availability-1", &m, &h), 0);
	assert_true(m == 4.5 && h == 5.5); /* figures[4], figures[5] */
	assert_int_equal(results_avail_downtime(r, "nope", &m, &h), -ENOENT);
	assert_true(isnan(m));
	char name[64];
	assert_int_equal(results_new_experiment(r, "availability", name, sizeof(name)), 0);
	assert_string_equal(name, "availability-2");
	results_close(r);

	sqlite3 *db = raw_open(f->path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM avail_causes WHERE avail_id = 1 AND "
				     "stage = 'takeover' AND minutes_per_year = 0.12 AND samples = 42"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM avail_runs WHERE exact_availability "
				     "IS NULL AND events = 1234 AND write_availability = 0.5"), 1);
	raw_exec(db, "PRAGMA foreign_keys = ON; DELETE FROM avail_runs");
	assert_int_equal(raw_int(db, "SELECT count(*) FROM avail_causes"), 0);
	sqlite3_close(db);

	char err[256];
	struct results *ro = results_open_readonly(f->path, err, sizeof(err));
	assert_non_null(ro);
	assert_int_equal(results_add_avail_failures(ro, 1, "host", 1), -EROFS);
	results_close(ro);
}

/* The availability tables read back through the read API: runs filtered by experiment, a
 * run's causes in the order written with NULL half-widths as NaN. */
static void test_avail_read(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	struct results_avail_run a = {.experiment = "availability-1", .scenario_name = "prod",
				      .scenario_hash = "abc", .seed = 7, .years = 1000,
				      .batches = 20, .level = 0.95, .exact_availability = 0.999,
				      .rpo_tx_per_year = NAN, .outages = 33, .events = 1};
	for (int i = 0; i < 16; i++)
		a.figures[i] = i + 0.25;
	a.figures[12] = NAN; /* p50 not estimated */
	int64_t id1 = 0, id2 = 0;
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_avail_run(r, &a, &id1), 0);
	assert_int_equal(results_add_avail_cause(r, id1, "host crash", "repair", 3.5, 0.5, 2, 40), 0);
	assert_int_equal(results_add_avail_cause(r, id1, "az outage", "takeover", 0.25, NAN, 0.1, 2),
			 0);
	a.experiment = "availability-2";
	a.seed = 8;
	assert_int_equal(results_add_avail_run(r, &a, &id2), 0);
	assert_int_equal(results_commit(r), 0);
	results_close(r);

	r = open_ro_ok(f->path);
	struct results_avail_rows rows;
	assert_int_equal(results_avail_runs(r, NULL, &rows), 0);
	assert_int_equal(rows.n, 2);
	assert_true(rows.v[0].avail_id == id1 && rows.v[1].avail_id == id2);
	assert_string_equal(rows.v[0].experiment, "availability-1");
	assert_string_equal(rows.v[0].scenario_hash, "abc");
	assert_true(rows.v[0].seed == 7 && rows.v[0].years == 1000 && rows.v[0].batches == 20);
	assert_true(rows.v[0].figures[4] == 4.25 && isnan(rows.v[0].figures[12]));
	assert_true(rows.v[0].figures[15] == 15.25 && rows.v[0].outages == 33);
	assert_true(rows.v[0].exact_availability == 0.999 && isnan(rows.v[0].rpo_tx_per_year));
	assert_true(isnan(rows.v[0].bias));
	results_avail_runs_release(&rows);
	assert_int_equal(results_avail_runs(r, "availability-2", &rows), 0);
	assert_int_equal(rows.n, 1);
	assert_true(rows.v[0].seed == 8);
	results_avail_runs_release(&rows);
	results_avail_runs_release(&rows); /* twice is harmless */
	struct results_avail_causes c;
	assert_int_equal(results_avail_causes(r, id1, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.v[0].incident_class, "host crash");
	assert_string_equal(c.v[1].stage, "takeover");
	assert_true(c.v[0].minutes_per_year == 3.5 && c.v[0].half == 0.5 && c.v[0].samples == 40);
	assert_true(isnan(c.v[1].half) && c.v[1].incidents_per_year == 0.1);
	results_avail_causes_release(&c);
	assert_int_equal(results_avail_causes(r, id2, &c), 0);
	assert_int_equal(c.n, 0);
	results_avail_causes_release(&c);
	results_close(r);
}

/* Expectation verdicts (schema 7): written in one transaction, read back in order with
 * NaN as NULL, filtered by experiment; a bad verdict row is refused and a rolled-back
 * transaction leaves none. */
static void test_verdicts(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	struct results_verdict v = {
		.experiment = "check-1", .variant = "a.json", .scenario_name = "drill",
		.scenario_hash = "0123", .position = 0, .expectation = "rto_s [host_crash iris-a] "
		"p95 <= 60s", .metric = "rto_s", .selection = "host_crash iris-a",
		.quantifier = "p95", .op = "<=", .threshold = 60, .threshold_text = "60s",
		.unit = "s", .measured = 12.5, .mean = 11, .lo = 10, .hi = 12, .level = 0.95,
		.min = 9, .max = 13, .n_values = 5, .unmeasured = 0, .replications = 5,
		.pass = true, .measured_text = "p95 12.5s", .reason = ""};
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_verdict(r, &v), 0);
	v.position = 1;
	v.expectation = "primary_after every == \"iris-b\"";
	v.threshold = NAN;
	v.lo = v.hi = NAN;
	v.pass = false;
	v.reason = "primary after \"iris-a\" in 1 of 5";
	v.selection = NULL; /* stored as "" */
	assert_int_equal(results_add_verdict(r, &v), 0);
	assert_int_equal(results_commit(r), 0);
	v.experiment = "check-2";
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_verdict(r, &v), 0);
	results_rollback(r);
	results_close(r);

	sqlite3 *db = raw_open(f->path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM expectation_verdicts"), 2);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM expectation_verdicts WHERE verdict = "
				     "'fail' AND threshold IS NULL AND selection = ''"), 1);
	/* The verdict column takes pass or fail only. */
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO expectation_verdicts (scenario_name, "
					      "position, expectation, metric, quantifier, op, n_values, "
					      "replications, verdict) VALUES ('s', 0, 'e', 'm', 'mean', "
					      "'<=', 1, 1, 'ok')", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	r = open_ro_ok(f->path);
	struct results_verdicts l;
	assert_int_equal(results_verdicts(r, NULL, &l), 0);
	assert_int_equal(l.n, 2);
	assert_true(l.v[0].verdict_id < l.v[1].verdict_id);
	const struct results_verdict *a = &l.v[0].v, *b = &l.v[1].v;
	assert_string_equal(a->experiment, "check-1");
	assert_string_equal(a->variant, "a.json");
	assert_string_equal(a->scenario_hash, "0123");
	assert_string_equal(a->expectation, "rto_s [host_crash iris-a] p95 <= 60s");
	assert_string_equal(a->quantifier, "p95");
	assert_string_equal(a->unit, "s");
	assert_true(a->threshold == 60 && a->measured == 12.5 && a->lo == 10 && a->hi == 12);
	assert_true(a->min == 9 && a->max == 13 && a->n_values == 5 && a->replications == 5);
	assert_true(a->pass && !b->pass);
	assert_true(b->position == 1 && isnan(b->threshold) && isnan(b->lo) && isnan(b->hi));
	assert_string_equal(b->selection, "");
	assert_string_equal(b->reason, "primary after \"iris-a\" in 1 of 5");
	results_verdicts_release(&l);
	assert_int_equal(results_verdicts(r, "check-2", &l), 0);
	assert_int_equal(l.n, 0);
	results_verdicts_release(&l);
	assert_int_equal(results_add_verdict(r, &v), -EROFS);
	results_close(r);
}

/* variant_params (schema 8): a sweep point's values round-trip in the order written, a
 * value without a number reads NaN and is stored NULL, a re-run replaces its row, another
 * experiment's rows are not read, and a read-only handle refuses to write. */
static void test_variant_params(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	struct results_variant_param p[] = {
		{"sweep-1", "mirror.qos_timeout=2s volume=gp3", "mirror.qos_timeout", "2s", "s", 2},
		{"sweep-1", "mirror.qos_timeout=2s volume=gp3", "volume", "gp3", "", NAN},
		{"sweep-1", "mirror.qos_timeout=0.5s volume=gp3", "mirror.qos_timeout", "0.5s", "s", 0.5},
		{"sweep-2", "x=1", "x", "1", "", 1},
	};
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(results_add_variant_param(r, &p[i]), 0);
	p[0].value_text = "2000ms";
	p[0].value_num = 2000;
	p[0].unit = "ms";
	assert_int_equal(results_add_variant_param(r, &p[0]), 0); /* replaces */
	struct results_variant_params l;
	assert_int_equal(results_variant_params(r, "sweep-1", &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].variant, "mirror.qos_timeout=2s volume=gp3");
	assert_string_equal(l.v[0].path, "volume");
	assert_true(isnan(l.v[0].value_num));
	assert_string_equal(l.v[0].unit, "");
	assert_string_equal(l.v[1].value_text, "0.5s");
	assert_true(l.v[1].value_num == 0.5);
	assert_string_equal(l.v[2].value_text, "2000ms");
	assert_true(l.v[2].value_num == 2000);
	assert_string_equal(l.v[2].unit, "ms");
	results_variant_params_release(&l);
	results_variant_params_release(&l); /* released twice: a no-op */
	results_close(r);

	sqlite3 *db = raw_open(f->path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM variant_params WHERE value_num IS NULL"),
			 1);
	sqlite3_close(db);
	char err[256];
	struct results *ro = results_open_readonly(f->path, err, sizeof(err));
	assert_non_null(ro);
	assert_int_equal(results_add_variant_param(ro, &p[3]), -EROFS);
	assert_int_equal(results_variant_params(ro, "sweep-2", &l), 0);
	assert_int_equal(l.n, 1);
	results_variant_params_release(&l);
	results_close(ro);
}

/* A directory that does not exist cannot be opened; the message names the file. */
static void test_unopenable_path(void **state)
{
	struct fixture *f = *state;
	char path[256], err[512];
	snprintf(path, sizeof(path), "%s/missing/topsim.db", f->dir);
	assert_null(results_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "unable to open"));
	results_close(NULL); /* a no-op */
}

/* results_rollback leaves no rows, and the connection stays usable. */
static void test_rollback(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	struct results_run run = run_of("demo", 0, 1.0);
	int64_t id;

	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_int_equal(results_add_metric(r, id, "throughput", "", 1.0, "1/s"), 0);
	assert_int_equal(results_add_point(r, id, 0.0, 1.0, "throughput", "", 1.0, "1/s"), 0);
	results_rollback(r);
	results_rollback(r); /* no transaction: a no-op */

	struct results *reader = open_ro_ok(f->path);
	struct results_runs runs;
	struct results_metrics m;
	struct results_points p;
	assert_int_equal(results_runs(reader, NULL, &runs), 0);
	assert_int_equal(runs.n, 0);
	results_runs_release(&runs);
	assert_int_equal(results_metrics(reader, id, &m), 0);
	assert_int_equal(m.n, 0);
	results_metrics_release(&m);
	assert_int_equal(results_points(reader, id, NULL, NULL, &p), 0);
	assert_int_equal(p.n, 0);
	results_points_release(&p);

	run.replication = 1;
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_int_equal(results_commit(r), 0);
	assert_int_equal(results_runs(reader, NULL, &runs), 0);
	assert_int_equal(runs.n, 1);
	assert_int_equal(runs.v[0].run.replication, 1);
	results_runs_release(&runs);
	results_close(reader);
	results_close(r);
}

/* Until commit, another connection (a reader during a run) sees none of the replication. */
static void test_reader_sees_only_committed(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	struct results_run run = run_of("demo", 0, 1.0);
	int64_t id;
	struct results *reader = open_ro_ok(f->path);
	struct results_runs runs;
	struct results_metrics m;

	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_int_equal(results_add_metric(r, id, "throughput", "", 1.0, "1/s"), 0);
	assert_int_equal(results_runs(reader, NULL, &runs), 0); /* WAL: not blocked */
	assert_int_equal(runs.n, 0);
	results_runs_release(&runs);
	assert_int_equal(results_commit(r), 0);
	assert_int_equal(results_runs(reader, NULL, &runs), 0);
	assert_int_equal(runs.n, 1);
	results_runs_release(&runs);
	assert_int_equal(results_metrics(reader, id, &m), 0);
	assert_int_equal(m.n, 1);
	results_metrics_release(&m);
	results_close(reader);
	results_close(r);
}

/* Errors come back as -EIO with SQLite's message; the transaction can still be rolled back. */
static void test_errors(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	struct results_run run = run_of("demo", 0, 1.0);
	int64_t id;

	assert_int_equal(results_commit(r), -EIO); /* nothing to commit */
	assert_non_null(strstr(results_errmsg(r), "no transaction is active"));

	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_begin(r), -EIO);
	assert_non_null(strstr(results_errmsg(r), "within a transaction"));
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_int_equal(results_add_metric(r, id + 1000, "throughput", "", 1.0, "1/s"), -EIO);
	assert_non_null(strstr(results_errmsg(r), "FOREIGN KEY"));
	assert_int_equal(results_add_metric(r, id, "throughput", "", 1.0, "1/s"), 0);
	assert_int_equal(results_add_metric(r, id, "throughput", "", 2.0, "1/s"), -EIO);
	assert_non_null(strstr(results_errmsg(r), "UNIQUE"));
	assert_int_equal(results_add_metric(r, id, NULL, "", 2.0, "1/s"), -EIO);
	assert_non_null(strstr(results_errmsg(r), "NOT NULL"));
	assert_int_equal(results_add_point(r, id, NAN, 1.0, "x", "", 1.0, NULL), -EIO);
	results_rollback(r);

	struct results_runs runs;
	assert_int_equal(results_runs(r, NULL, &runs), 0);
	assert_int_equal(runs.n, 0);
	results_runs_release(&runs);
	results_close(r);
}

/* Commit replication 0 through the module. */
static void write_committed_replication(const char *path)
{
	struct results *r = open_ok(path);
	struct results_run run = run_of("demo", 0, 1.0);
	int64_t id;
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_int_equal(results_add_metric(r, id, "throughput", "", 10.0, "1/s"), 0);
	assert_int_equal(results_add_point(r, id, 0.0, 1.0, "throughput", "", 10.0, "1/s"), 0);
	assert_int_equal(results_commit(r), 0);
	results_close(r);
}

/* Only the committed replication is visible, the file is intact and writable. */
static void check_only_replication_0(const char *path)
{
	sqlite3 *db = raw_open(path);
	char *ok = raw_text(db, "PRAGMA integrity_check");
	assert_string_equal(ok, "ok");
	free(ok);
	/* No row left behind by the lost replication, whatever its run_id was. */
	assert_int_equal(raw_int(db, "SELECT (SELECT count(*) FROM metrics) + "
				     "(SELECT count(*) FROM timeseries)"),
			 2);
	sqlite3_close(db);

	struct results *reader = open_ro_ok(path);
	struct results_runs runs;
	struct results_metrics m;
	struct results_points p;
	assert_int_equal(results_runs(reader, NULL, &runs), 0);
	assert_int_equal(runs.n, 1);
	assert_int_equal(runs.v[0].run.replication, 0);
	assert_int_equal(results_metrics(reader, runs.v[0].run_id, &m), 0);
	assert_int_equal(m.n, 1);
	assert_true(m.v[0].value == 10.0);
	assert_int_equal(results_points(reader, runs.v[0].run_id, NULL, NULL, &p), 0);
	assert_int_equal(p.n, 1);
	assert_true(p.v[0].value == 10.0);
	results_points_release(&p);
	results_metrics_release(&m);
	results_runs_release(&runs);
	results_close(reader);

	struct results *r = open_ok(path);
	struct results_run run = run_of("demo", 1, 1.0);
	int64_t id;
	assert_int_equal(results_begin(r), 0); /* no stale lock left behind */
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_int_equal(results_commit(r), 0);
	results_close(r);
}

/* A writer that closes without committing leaves nothing of its replication. */
static void test_close_without_commit(void **state)
{
	struct fixture *f = *state;
	write_committed_replication(f->path);

	struct results *r = open_ok(f->path);
	struct results_run run = run_of("demo", 1, 1.0);
	int64_t id;
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_int_equal(results_add_metric(r, id, "throughput", "", 11.0, "1/s"), 0);
	assert_int_equal(results_add_point(r, id, 0.0, 1.0, "throughput", "", 11.0, "1/s"), 0);
	results_close(r);

	check_only_replication_0(f->path);
}

/* A process that dies mid-transaction, after writing enough to spill uncommitted pages into
 * the WAL, leaves nothing of its replication visible to a new connection. */
static void test_killed_writer(void **state)
{
	struct fixture *f = *state;
	write_committed_replication(f->path);

	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[256];
		struct results *r = results_open(f->path, err, sizeof(err));
		struct results_run run = run_of("demo", 1, 1.0);
		int64_t id;
		if (!r || results_begin(r) < 0 || results_add_run(r, &run, &id) < 0 ||
		    results_add_metric(r, id, "throughput", "", 11.0, "1/s") < 0)
			_exit(1);
		for (int i = 0; i < 60000; i++)
			if (results_add_point(r, id, i, 1.0, "queue_depth", "host1", i, NULL) < 0)
				_exit(2);
		_exit(0); /* mid-transaction: no commit, no close */
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	/* The child really wrote into the WAL: it is larger than one committed replication. */
	char wal[160];
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	FILE *fp = fopen(wal, "r");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	assert_true(ftell(fp) > 1024 * 1024);
	fclose(fp);

	check_only_replication_0(f->path);
}

/* The views aggregate two replications of one scenario, apart from another scenario. */
static void test_views(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	struct stat_hist *h[2] = {hist_new(), hist_new()};
	double p99[2];

	for (uint32_t rep = 0; rep < 2; rep++) {
		struct results_run run = run_of("alpha", rep, rep == 0 ? 2.0 : 4.0);
		int64_t id;
		for (int i = 1; i <= 100; i++)
			assert_int_equal(stat_hist_add(h[rep], i * 1e-3 * (rep + 1)), 0);
		p99[rep] = stat_hist_quantile(h[rep], 0.99);
		assert_int_equal(results_begin(r), 0);
		assert_int_equal(results_add_run(r, &run, &id), 0);
		assert_int_equal(results_add_metric(r, id, "throughput", "", 100.0 * (rep + 1),
						    "1/s"),
				 0);
		assert_int_equal(results_add_latency(r, id, "read", h[rep]), 0);
		assert_int_equal(results_commit(r), 0);
	}
	struct results_run other = run_of("beta", 0, 1.0);
	other.scenario_hash = "def456";
	int64_t id;
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &other, &id), 0);
	assert_int_equal(results_add_metric(r, id, "throughput", "", 7.0, "1/s"), 0);
	assert_int_equal(results_add_latency(r, id, "read", h[0]), 0);
	assert_int_equal(results_commit(r), 0);
	results_close(r);

	sqlite3 *db = raw_open(f->path);
	sqlite3_stmt *s = raw_row(db, "SELECT replications, mean, min, max, unit FROM v_metrics "
				      "WHERE scenario_name = 'alpha' AND name = 'throughput'");
	assert_int_equal(sqlite3_column_int(s, 0), 2);
	assert_true(sqlite3_column_double(s, 1) == 150.0);
	assert_true(sqlite3_column_double(s, 2) == 100.0);
	assert_true(sqlite3_column_double(s, 3) == 200.0);
	assert_string_equal((const char *)sqlite3_column_text(s, 4), "1/s");
	sqlite3_finalize(s);
	assert_true(raw_double(db, "SELECT mean FROM v_metrics WHERE scenario_name = 'beta'") ==
		    7.0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM v_metrics"), 2);

	s = raw_row(db, "SELECT replications, count, mean_s, p50_s_mean, p99_s_mean, p99_s_min, "
			"p99_s_max, p999_s_mean, max_s FROM v_latency "
			"WHERE scenario_name = 'alpha' AND op_class = 'read'");
	assert_int_equal(sqlite3_column_int(s, 0), 2);
	assert_int_equal(sqlite3_column_int64(s, 1), 200);
	/* Count-weighted mean of the two means: (50.5 ms + 101 ms) / 2. */
	assert_near(sqlite3_column_double(s, 2), 0.07575, 1e-12);
	assert_near(sqlite3_column_double(s, 3),
			    (stat_hist_quantile(h[0], 0.5) + stat_hist_quantile(h[1], 0.5)) / 2,
			    1e-15);
	assert_near(sqlite3_column_double(s, 4), (p99[0] + p99[1]) / 2, 1e-15);
	assert_true(sqlite3_column_double(s, 5) == p99[0]);
	assert_true(sqlite3_column_double(s, 6) == p99[1]);
	assert_near(sqlite3_column_double(s, 7),
			    (stat_hist_quantile(h[0], 0.999) + stat_hist_quantile(h[1], 0.999)) / 2,
			    1e-15);
	assert_true(sqlite3_column_double(s, 8) == 0.2);
	sqlite3_finalize(s);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM v_latency"), 2);

	s = raw_row(db, "SELECT sim_per_wall, events_per_wall_s FROM v_runs "
			"WHERE scenario_name = 'alpha' AND replication = 1");
	assert_true(sqlite3_column_double(s, 0) == 900.0);    /* 3600 s / 4 s */
	assert_true(sqlite3_column_double(s, 1) == 250000.0); /* 1e6 events / 4 s */
	sqlite3_finalize(s);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM v_runs"), 3);
	sqlite3_close(db);
	free(h[0]);
	free(h[1]);
}

/* ---- schema version 2: failover drills ---------------------------------------------------- */

/* Create a file at schema version 1 exactly as a topsim of that version left it: step 0 -> 1
 * only. Two replications of "old" with a metric, a latency row and a time-series point. */
static void make_v1_file(const char *path)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	raw_exec(db, "BEGIN");
	raw_exec(db, results_migration_sql(0));
	raw_exec(db, "PRAGMA user_version = 1");
	raw_exec(db, "INSERT INTO runs (run_id, scenario_name, scenario_text, scenario_hash, seed, "
		     "replication, topsim_version, started_at, wall_s, sim_s, warmup_s, events) "
		     "VALUES (1, 'old', '{}', 'h1', 7, 0, '0.0.9', '2024-01-01T00:00:00Z', 1.5, "
		     "600, 60, 1234), "
		     "(2, 'old', '{}', 'h1', 7, 1, '0.0.9', '2024-01-01T00:01:00Z', 2.5, 600, 60, "
		     "5678)");
	raw_exec(db, "INSERT INTO metrics VALUES (1, 'throughput', '', 10.0, '1/s'), "
		     "(2, 'throughput', '', 20.0, '1/s')");
	raw_exec(db, "INSERT INTO latency (run_id, op_class, count, mean_s) "
		     "VALUES (1, 'read', 3, 0.001)");
	raw_exec(db, "INSERT INTO timeseries VALUES (2, 0, 60, 'throughput', '', 19.0)");
	raw_exec(db, "COMMIT");
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE name GLOB "
				     "'*incident*' OR name = 'invariant_violations'"),
			 0);
	sqlite3_close(db);
}

/* One SQL text per migration step, and none outside them. */
/* The incident library's cache (schema 9): an entry round-trips by its key, every part of the
 * key tells entries apart, a second put replaces, a read-only handle refuses to write, and
 * the read downtime and library columns of schema 9 are stored. */
static void test_avail_cache(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	struct results_avail_key k = {"0123456789abcdef", 7, 3, "1.0", "MIRROR1 host_crash"};
	struct results_avail_cached e, got;
	memset(&e, 0, sizeof(e));
	snprintf(e.incident_class, sizeof(e.incident_class), "MIRROR1 primary host_crash: takeover");
	snprintf(e.fault, sizeof(e.fault), "host_crash iris-a");
	e.replications = 3;
	e.recovered = 3;
	e.rto_s[0] = 8.75;
	e.rto_s[1] = NAN;
	e.rpo_tx[0] = 24.5;
	e.rpo_tx[1] = 1.5;
	e.write_unavailable_s[0] = 8.5;
	e.write_unavailable_s[1] = 0.25;
	e.read_unavailable_s[0] = 4.0;
	e.read_unavailable_s[1] = 0.5;
	snprintf(e.stages, sizeof(e.stages), "detect 6.2,decide 0.4");
	snprintf(e.primary_after, sizeof(e.primary_after), "iris-b");
	snprintf(e.built_at, sizeof(e.built_at), "2026-12-02T00:00:00Z");
	e.wall_s = 2.5;
	assert_int_equal(results_get_avail_cached(r, &k, &got), -ENOENT);
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_put_avail_cached(r, &k, &e), 0);
	assert_int_equal(results_commit(r), 0);
	assert_int_equal(results_get_avail_cached(r, &k, &got), 0);
	assert_string_equal(got.incident_class, e.incident_class);
	assert_string_equal(got.fault, "host_crash iris-a");
	assert_string_equal(got.stages, "detect 6.2,decide 0.4");
	assert_string_equal(got.primary_after, "iris-b");
	assert_string_equal(got.note, "");
	assert_true(got.replications == 3 && got.recovered == 3);
	assert_true(got.rto_s[0] == 8.75 && isnan(got.rto_s[1]));
	assert_true(got.rpo_tx[0] == 24.5 && got.rpo_tx[1] == 1.5);
	assert_true(got.write_unavailable_s[0] == 8.5 && got.write_unavailable_s[1] == 0.25);
	assert_true(got.read_unavailable_s[0] == 4.0 && got.read_unavailable_s[1] == 0.5);
	assert_true(got.wall_s == 2.5);
	/* Each part of the key matters. */
	struct results_avail_key other[] = {
		{"0123456789abcdee", 7, 3, "1.0", "MIRROR1 host_crash"},
		{"0123456789abcdef", 8, 3, "1.0", "MIRROR1 host_crash"},
		{"0123456789abcdef", 7, 4, "1.0", "MIRROR1 host_crash"},
		{"0123456789abcdef", 7, 3, "1.1", "MIRROR1 host_crash"},
		{"0123456789abcdef", 7, 3, "1.0", "MIRROR1 az_outage"},
	};
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		assert_int_equal(results_get_avail_cached(r, &other[i], &got), -ENOENT);
	/* A rebuild replaces the entry. */
	e.rto_s[0] = 9.5;
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_put_avail_cached(r, &k, &e), 0);
	struct results_avail_run a = {.experiment = "availability-1", .scenario_name = "prod",
				      .seed = 7, .years = 1000, .batches = 20, .level = 0.95,
				      .exact_availability = NAN, .rpo_tx_per_year = NAN,
				      .read_downtime = {1.25, 0.125}};
	int64_t id;
	assert_int_equal(results_add_avail_run(r, &a, &id), 0);
	struct results_avail_library row = {.incident_class = "c", .fault = "f",
					    .replications = 3, .recovered = 3, .rto_s = 1,
					    .rto_s_half = NAN, .rpo_tx = 0,
					    .write_unavailable_s = 1, .used = true,
					    .read_unavailable_s = 0.5, .cached = true};
	for (int i = 0; i < 5; i++)
		row.stage_s[i] = NAN;
	assert_int_equal(results_add_avail_library(r, id, &row), 0);
	assert_int_equal(results_commit(r), 0);
	assert_int_equal(results_get_avail_cached(r, &k, &got), 0);
	assert_true(got.rto_s[0] == 9.5);
	results_close(r);

	sqlite3 *db = raw_open(f->path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM avail_library_cache"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM avail_runs WHERE "
				     "read_downtime_min_per_year = 1.25 AND "
				     "read_downtime_min_per_year_half = 0.125"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM avail_library WHERE "
				     "read_unavailable_s = 0.5 AND cached = 1"), 1);
	sqlite3_close(db);

	char err[256];
	struct results *ro = results_open_readonly(f->path, err, sizeof(err));
	assert_non_null(ro);
	assert_int_equal(results_put_avail_cached(ro, &k, &e), -EROFS);
	assert_int_equal(results_get_avail_cached(ro, &k, &got), 0);
	results_close(ro);
}

static void test_migration_sql(void **state)
{
	(void)state;
	assert_null(results_migration_sql(-1));
	assert_non_null(strstr(results_migration_sql(0), "CREATE TABLE runs"));
	assert_non_null(strstr(results_migration_sql(1), "CREATE TABLE incidents"));
	assert_non_null(strstr(results_migration_sql(2), "ADD COLUMN experiment"));
	assert_non_null(strstr(results_migration_sql(5), "ADD COLUMN ecp_stall_max_s"));
	assert_non_null(strstr(results_migration_sql(6), "CREATE TABLE expectation_verdicts"));
	assert_non_null(strstr(results_migration_sql(8), "CREATE TABLE avail_library_cache"));
	assert_null(results_migration_sql(RESULTS_SCHEMA_VERSION));
}

/* A version 1 file is migrated in place: its runs and their rows are kept, it gains the
 * version 2 objects, and its schema ends up identical to a new file's. */
static void test_migrate_v1(void **state)
{
	struct fixture *f = *state;
	char fresh[160];
	make_v1_file(f->path);
	snprintf(fresh, sizeof(fresh), "%s/fresh.db", f->dir);
	results_close(open_ok(fresh));

	/* An old run can take incidents straight after the migration. */
	struct results *r = open_ok(f->path);
	struct results_incident inc = {.kind = "host_crash", .target = "iris-a", .start_s = 100,
				       .end_s = NAN, .rto_s = NAN, .detect_s = NAN,
				       .decide_s = NAN, .transition_s = NAN, .reroute_s = NAN,
				       .reconnect_s = NAN, .rpo_bytes = NAN, .rpo_span_s = NAN,
				       .write_unavailable_s = NAN, .read_unavailable_s = NAN};
	int64_t iid;
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_incident(r, 2, &inc, &iid), 0);
	assert_int_equal(results_add_incident_event(r, 2, iid, 100, "fault", "iris-a crashes",
						    NULL),
			 0);
	assert_int_equal(results_add_violation(r, 2, 101, "single_primary", "x"), 0);
	assert_int_equal(results_commit(r), 0);
	results_close(r);

	/* The old rows, and the new ones, through the read API. */
	r = open_ro_ok(f->path);
	assert_int_equal(results_schema_version(r), RESULTS_SCHEMA_VERSION);
	struct results_run_filter old = {.scenario_name = "old", .with_text = true};
	struct results_runs runs;
	assert_int_equal(results_runs(r, &old, &runs), 0);
	assert_int_equal(runs.n, 2);
	for (size_t k = 0; k < 2; k++) {
		assert_int_equal(runs.v[k].run_id, (int64_t)k + 1);
		assert_string_equal(runs.v[k].run.scenario_text, "{}");
		assert_string_equal(runs.v[k].run.scenario_hash, "h1");
		assert_true(runs.v[k].run.seed == 7);
		assert_int_equal(runs.v[k].run.replication, k);
		assert_string_equal(runs.v[k].run.version, "0.0.9");
		assert_true(runs.v[k].run.sim_s == 600.0 && runs.v[k].run.warmup_s == 60.0);
	}
	assert_string_equal(runs.v[1].run.started_at, "2024-01-01T00:01:00Z");
	assert_true(runs.v[0].run.events == 1234 && runs.v[1].run.events == 5678);
	assert_true(runs.v[0].run.wall_s == 1.5 && runs.v[1].run.wall_s == 2.5);
	results_runs_release(&runs);
	struct results_metrics m;
	assert_int_equal(results_metric_across(r, "old", "h1", "throughput", "", &m), 0);
	assert_int_equal(m.n, 2);
	assert_true(m.v[0].value == 10.0 && m.v[1].value == 20.0);
	results_metrics_release(&m);
	struct results_latencies lat;
	assert_int_equal(results_latencies(r, 1, &lat), 0);
	assert_int_equal(lat.n, 1);
	assert_int_equal(lat.v[0].count, 3);
	assert_true(lat.v[0].mean_s == 0.001 && isnan(lat.v[0].p99_s));
	results_latencies_release(&lat);
	struct results_points pts;
	assert_int_equal(results_points(r, 2, NULL, NULL, &pts), 0);
	assert_int_equal(pts.n, 1);
	assert_true(pts.v[0].value == 19.0);
	results_points_release(&pts);
	struct results_incidents incs;
	struct results_incident_events ev;
	struct results_violations vio;
	assert_int_equal(results_incidents(r, 2, &incs), 0);
	assert_int_equal(incs.n, 1);
	assert_int_equal(incs.v[0].incident_id, iid);
	assert_incident_equal(&incs.v[0].inc, &inc);
	assert_int_equal(results_incident_events(r, 2, iid, &ev), 0);
	assert_int_equal(ev.n, 1);
	assert_string_equal(ev.v[0].event, "iris-a crashes");
	assert_int_equal(results_violations(r, 2, &vio), 0);
	assert_int_equal(vio.n, 1);
	assert_string_equal(vio.v[0].invariant, "single_primary");
	results_incidents_release(&incs);
	results_incident_events_release(&ev);
	results_violations_release(&vio);
	results_close(r);

	sqlite3 *db = raw_open(f->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), RESULTS_SCHEMA_VERSION);
	char *ok = raw_text(db, "PRAGMA integrity_check");
	assert_string_equal(ok, "ok");
	free(ok);
	assert_true(raw_double(db, "SELECT mean FROM v_metrics WHERE name = 'throughput'") ==
		    15.0);
	/* schema 4: the old point gets its series' unit */
	char *unit = raw_text(db, "SELECT unit FROM timeseries WHERE run_id = 2");
	assert_string_equal(unit, "1/s");
	free(unit);
	assert_int_equal(raw_int(db, "SELECT incidents FROM v_incidents WHERE "
				     "scenario_name = 'old'"),
			 1);

	/* Same tables, indexes and views, with the same SQL, as a file created new. */
	char attach[256];
	snprintf(attach, sizeof(attach), "ATTACH '%s' AS fresh", fresh);
	raw_exec(db, attach);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM main.sqlite_schema"),
			 raw_int(db, "SELECT count(*) FROM fresh.sqlite_schema"));
	assert_int_equal(raw_int(db, "SELECT count(*) FROM (SELECT type, name, tbl_name, sql "
				     "FROM main.sqlite_schema EXCEPT SELECT type, name, tbl_name, "
				     "sql FROM fresh.sqlite_schema)"),
			 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM fresh.sqlite_schema WHERE name IN "
				     "('incidents', 'incident_events', 'invariant_violations', "
				     "'incidents_run', 'incident_events_run', "
				     "'invariant_violations_run', 'v_incidents')"),
			 7);
	assert_int_equal(raw_int(db, "PRAGMA fresh.user_version"), RESULTS_SCHEMA_VERSION);
	sqlite3_close(db);
}

/* A migration step that fails leaves the file at its old version with its rows, untouched. */
static void test_migrate_v1_failure_rolls_back(void **state)
{
	struct fixture *f = *state;
	char err[512];
	make_v1_file(f->path);
	sqlite3 *db = raw_open(f->path);
	raw_exec(db, "CREATE TABLE incidents (x)"); /* in the way of step 1 -> 2 */
	sqlite3_close(db);

	assert_null(results_open(f->path, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot create or update the results schema"));
	assert_non_null(strstr(err, "incidents already exists"));

	db = raw_open(f->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM runs"), 2);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE name IN "
				     "('incident_events', 'invariant_violations', 'v_incidents')"),
			 0);
	sqlite3_close(db);
}

/* An incident with every optional figure NaN: a fault that never healed or recovered. */
static struct results_incident incident_open_ended(const char *kind, double start_s)
{
	struct results_incident inc = {
		.kind = kind,
		.target = NULL,
		.start_s = start_s,
		.end_s = NAN,
		.rto_s = NAN,
		.detect_s = NAN,
		.decide_s = NAN,
		.transition_s = NAN,
		.reroute_s = NAN,
		.reconnect_s = NAN,
		.rpo_bytes = NAN,
		.rpo_span_s = NAN,
		.write_unavailable_s = NAN,
		.read_unavailable_s = NAN,
	};
	return inc;
}

/* An incident that recovered through the given stages (NaN = absent); rto_s is their sum. */
static struct results_incident incident_recovered(const char *target, double detect,
						  double decide, double transition, double reroute,
						  double reconnect, int64_t rpo_tx)
{
	struct results_incident inc = incident_open_ended("host_crash", 300.0);
	double stages[] = {detect, decide, transition, reroute, reconnect}, rto = 0;
	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		rto += isnan(stages[i]) ? 0 : stages[i];
	inc.target = target;
	inc.end_s = 360.0;
	inc.rto_s = rto;
	inc.detect_s = detect;
	inc.decide_s = decide;
	inc.transition_s = transition;
	inc.reroute_s = reroute;
	inc.reconnect_s = reconnect;
	inc.rpo_tx = rpo_tx;
	inc.rpo_durable_tx = rpo_tx / 2;
	inc.rpo_bytes = 4096.0 * (double)rpo_tx;
	inc.rpo_span_s = 0.01 * (double)rpo_tx;
	inc.write_unavailable_s = rto;
	inc.read_unavailable_s = rto / 2;
	inc.primary_before = "iris-a";
	inc.primary_after = "iris-b";
	inc.data_lost = rpo_tx > 0;
	inc.ecp_stall_max_s = 12.5 + (double)rpo_tx;
	inc.ecp_stalls = 6;
	inc.ecp_held_completed = 4093 + rpo_tx;
	inc.ecp_network_errors = 2 * rpo_tx;
	inc.ecp_rolled_back = 3 * rpo_tx;
	inc.ecp_sessions_preserved = 4;
	inc.ecp_sessions_lost = 2;
	return inc;
}

/* Every column round-trips; NaN comes back NULL, a NULL target "", a NULL primary NULL. */
static void test_incident_round_trip(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	struct results_run run = run_of("drill", 0, 1.0);
	int64_t id, full, open_ended;

	struct results_incident a = incident_recovered("iris-a", 8.0, 2.0, 5.0, NAN, 1.5, 7);
	a.data_lost = 5; /* any nonzero value is stored as 1 */
	struct results_incident b = incident_open_ended("az_outage", 1000.0);

	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_int_equal(results_add_incident(r, id, &a, &full), 0);
	assert_int_equal(results_add_incident(r, id, &b, &open_ended), 0);
	assert_true(full > 0 && open_ended > full);
	assert_int_equal(results_add_incident(r, id, &b, NULL), 0); /* id not wanted */

	/* Rejected: no kind, no start, no run. */
	b.kind = NULL;
	assert_int_equal(results_add_incident(r, id, &b, NULL), -EIO);
	assert_non_null(strstr(results_errmsg(r), "NOT NULL"));
	b.kind = "az_outage";
	b.start_s = NAN;
	assert_int_equal(results_add_incident(r, id, &b, NULL), -EIO);
	assert_non_null(strstr(results_errmsg(r), "NOT NULL"));
	b.start_s = 1.0;
	assert_int_equal(results_add_incident(r, id + 1, &b, NULL), -EIO);
	assert_non_null(strstr(results_errmsg(r), "FOREIGN KEY"));
	assert_int_equal(results_commit(r), 0);
	results_close(r);

	r = open_ro_ok(f->path);
	struct results_incidents incs;
	assert_int_equal(results_incidents(r, id, &incs), 0);
	assert_int_equal(incs.n, 3);
	assert_int_equal(incs.v[0].incident_id, full);
	assert_int_equal(incs.v[1].incident_id, open_ended);
	assert_true(incs.v[2].incident_id > open_ended);
	for (size_t k = 0; k < incs.n; k++)
		assert_int_equal(incs.v[k].run_id, id);
	assert_incident_equal(&incs.v[0].inc, &a);
	assert_int_equal(incs.v[0].inc.data_lost, 1); /* 5 was stored as 1 */
	assert_true(isnan(incs.v[0].inc.reroute_s)); /* no reroute stage */
	b = incident_open_ended("az_outage", 1000.0);
	assert_incident_equal(&incs.v[1].inc, &b);
	assert_string_equal(incs.v[1].inc.target, "");
	assert_null(incs.v[1].inc.primary_before);
	assert_null(incs.v[1].inc.primary_after);
	/* Stages add up to the RTO where they are present. */
	const struct results_incident *g = &incs.v[0].inc;
	assert_true(g->rto_s == g->detect_s + g->decide_s + g->transition_s + g->reconnect_s);
	results_incidents_release(&incs);
	results_close(r);
}

/* The timeline keeps the order of writing within a time, ties events to their incident or to
 * none, and refuses another run's incident; violations are stored as given. */
static void test_incident_events_and_violations(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	struct results_run run0 = run_of("drill", 0, 1.0), run1 = run_of("drill", 1, 1.0);
	struct results_incident inc = incident_recovered("iris-a", 8, 2, 5, 3, 2, 0);
	int64_t id0, id1, iid0, iid1;

	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &run0, &id0), 0);
	assert_int_equal(results_add_run(r, &run1, &id1), 0);
	assert_int_equal(results_add_incident(r, id0, &inc, &iid0), 0);
	assert_int_equal(results_add_incident(r, id1, &inc, &iid1), 0);

	assert_int_equal(results_add_incident_event(r, id0, iid0, 300.0, "fault",
						    "host iris-a crashes", "power"),
			 0);
	assert_int_equal(results_add_incident_event(r, id0, iid0, 308.0, "mirror MIRROR1",
						    "qos timeout on iris-a", NULL),
			 0);
	assert_int_equal(results_add_incident_event(r, id0, iid0, 308.0, "mirror MIRROR1",
						    "backup iris-b takes over", ""),
			 0);
	assert_int_equal(results_add_incident_event(r, id0, 0, 50.0, NULL, "warm-up over", NULL),
			 0);
	assert_int_equal(results_add_incident_event(r, id0, -1, 318.0, "lb lb-main",
						    "iris-b healthy", "2 checks"),
			 0);
	/* Rejected: another run's incident, an incident that does not exist, no event, no time. */
	assert_int_equal(results_add_incident_event(r, id0, iid1, 1.0, "x", "y", ""), -EIO);
	assert_non_null(strstr(results_errmsg(r), "FOREIGN KEY"));
	assert_int_equal(results_add_incident_event(r, id0, iid1 + 100, 1.0, "x", "y", ""), -EIO);
	assert_non_null(strstr(results_errmsg(r), "FOREIGN KEY"));
	assert_int_equal(results_add_incident_event(r, id0, iid0, 1.0, "x", NULL, ""), -EIO);
	assert_non_null(strstr(results_errmsg(r), "NOT NULL"));
	assert_int_equal(results_add_incident_event(r, id0, iid0, NAN, "x", "y", ""), -EIO);
	assert_non_null(strstr(results_errmsg(r), "NOT NULL"));

	assert_int_equal(results_add_violation(r, id0, 308.5, "single_primary",
					       "iris-a and iris-b both primary"),
			 0);
	assert_int_equal(results_add_violation(r, id1, 400.0, "conservation", NULL), 0);
	assert_int_equal(results_add_violation(r, id0, 309.0, NULL, "x"), -EIO);
	assert_non_null(strstr(results_errmsg(r), "NOT NULL"));
	assert_int_equal(results_add_violation(r, id0, NAN, "conservation", "x"), -EIO);
	assert_int_equal(results_add_violation(r, id0 + 100, 1.0, "conservation", "x"), -EIO);
	assert_non_null(strstr(results_errmsg(r), "FOREIGN KEY"));
	assert_int_equal(results_commit(r), 0);
	results_close(r);

	r = open_ro_ok(f->path);
	struct results_incident_events ev;
	assert_int_equal(results_incident_events(r, id0, 0, &ev), 0);
	static const struct {
		double t_s;
		bool tied; /* to incident iid0 */
		const char *source, *event, *detail;
	} want[] = {
		{50.0, false, "", "warm-up over", ""},
		{300.0, true, "fault", "host iris-a crashes", "power"},
		{308.0, true, "mirror MIRROR1", "qos timeout on iris-a", ""},
		{308.0, true, "mirror MIRROR1", "backup iris-b takes over", ""},
		{318.0, false, "lb lb-main", "iris-b healthy", "2 checks"},
	};
	assert_int_equal(ev.n, 5);
	for (size_t i = 0; i < ev.n; i++) {
		assert_int_equal(ev.v[i].run_id, id0);
		assert_int_equal(ev.v[i].incident_id, want[i].tied ? iid0 : 0);
		assert_true(ev.v[i].t_s == want[i].t_s);
		assert_string_equal(ev.v[i].source, want[i].source);
		assert_string_equal(ev.v[i].event, want[i].event);
		assert_string_equal(ev.v[i].detail, want[i].detail);
	}
	results_incident_events_release(&ev);
	assert_int_equal(results_incident_events(r, id1, 0, &ev), 0);
	assert_int_equal(ev.n, 0); /* every refused event left nothing */
	results_incident_events_release(&ev);

	struct results_violations vio;
	assert_int_equal(results_violations(r, id0, &vio), 0);
	assert_int_equal(vio.n, 1);
	assert_int_equal(vio.v[0].run_id, id0);
	assert_true(vio.v[0].t_s == 308.5);
	assert_string_equal(vio.v[0].invariant, "single_primary");
	assert_string_equal(vio.v[0].detail, "iris-a and iris-b both primary");
	results_violations_release(&vio);
	assert_int_equal(results_violations(r, id1, &vio), 0);
	assert_int_equal(vio.n, 1);
	assert_int_equal(vio.v[0].run_id, id1);
	assert_true(vio.v[0].t_s == 400.0);
	assert_string_equal(vio.v[0].invariant, "conservation");
	assert_string_equal(vio.v[0].detail, "");
	results_violations_release(&vio);
	results_close(r);
}

/* v_incidents aggregates one kind and target over two replications: NULLs (no recovery, an
 * absent stage) are left out of the means and counted in unrecovered. */
static void test_incident_view(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	int64_t id;

	/* Replication 0: one recovery in 20 s, 3 commits lost; and a partition elsewhere. */
	struct results_run run = run_of("drill", 0, 1.0);
	struct results_incident a = incident_recovered("iris-a", 8, 2, 5, 3, 2, 3);
	struct results_incident p = incident_recovered("az-b", 1, 1, 1, 1, 1, 0);
	p.kind = "network_partition";
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_int_equal(results_add_incident(r, id, &a, NULL), 0);
	assert_int_equal(results_add_incident(r, id, &p, NULL), 0);
	assert_int_equal(results_commit(r), 0);

	/* Replication 1: a recovery in 30 s without a reroute stage, 5 lost; then one that never
	 * recovered, only detected. */
	run = run_of("drill", 1, 1.0);
	struct results_incident b = incident_recovered("iris-a", 10, 2, 10, NAN, 8, 5);
	struct results_incident c = incident_open_ended("host_crash", 3000.0);
	c.target = "iris-a";
	c.detect_s = 9.0;
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_int_equal(results_add_incident(r, id, &b, NULL), 0);
	assert_int_equal(results_add_incident(r, id, &c, NULL), 0);
	assert_int_equal(results_commit(r), 0);

	/* Another scenario with the same kind and target is kept apart. */
	run = run_of("other", 0, 1.0);
	run.scenario_hash = "def456";
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_int_equal(results_add_incident(r, id, &a, NULL), 0);
	assert_int_equal(results_commit(r), 0);
	results_close(r);

	sqlite3 *db = raw_open(f->path);
	sqlite3_stmt *s = raw_row(db, "SELECT replications, incidents, unrecovered, rto_s_mean, "
				      "rto_s_min, rto_s_max, rpo_tx_mean, rpo_tx_max, data_lost, "
				      "detect_s_mean, decide_s_mean, transition_s_mean, "
				      "reroute_s_mean, reconnect_s_mean, scenario_hash FROM "
				      "v_incidents WHERE scenario_name = 'drill' AND "
				      "kind = 'host_crash' AND target = 'iris-a'");
	assert_int_equal(sqlite3_column_int(s, 0), 2);
	assert_int_equal(sqlite3_column_int(s, 1), 3);
	assert_int_equal(sqlite3_column_int(s, 2), 1);
	assert_true(sqlite3_column_double(s, 3) == 25.0);
	assert_true(sqlite3_column_double(s, 4) == 20.0);
	assert_true(sqlite3_column_double(s, 5) == 30.0);
	assert_near(sqlite3_column_double(s, 6), 8.0 / 3.0, 1e-15);
	assert_int_equal(sqlite3_column_int64(s, 7), 5);
	assert_int_equal(sqlite3_column_int(s, 8), 2);
	assert_true(sqlite3_column_double(s, 9) == 9.0);   /* (8 + 10 + 9) / 3 */
	assert_true(sqlite3_column_double(s, 10) == 2.0);  /* (2 + 2) / 2 */
	assert_true(sqlite3_column_double(s, 11) == 7.5);  /* (5 + 10) / 2 */
	assert_true(sqlite3_column_double(s, 12) == 3.0);  /* only replication 0 rerouted */
	assert_true(sqlite3_column_double(s, 13) == 5.0);  /* (2 + 8) / 2 */
	assert_string_equal((const char *)sqlite3_column_text(s, 14), "abc123");
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);

	s = raw_row(db, "SELECT replications, incidents, unrecovered, rto_s_mean FROM v_incidents "
			"WHERE scenario_name = 'drill' AND kind = 'network_partition'");
	assert_int_equal(sqlite3_column_int(s, 0), 1);
	assert_int_equal(sqlite3_column_int(s, 1), 1);
	assert_int_equal(sqlite3_column_int(s, 2), 0);
	assert_true(sqlite3_column_double(s, 3) == 5.0);
	sqlite3_finalize(s);
	assert_true(raw_double(db, "SELECT rto_s_mean FROM v_incidents WHERE "
				   "scenario_name = 'other'") == 20.0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM v_incidents"), 3);
	sqlite3_close(db);
}

/* Deleting a run removes its incidents, events and violations and nothing else; deleting an
 * incident removes its events but keeps the run's events tied to no incident. */
static void test_incident_cascade(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	int64_t ids[2], iids[2][2];

	for (int k = 0; k < 2; k++) {
		struct results_run run = run_of("drill", (uint32_t)k, 1.0);
		struct results_incident inc = incident_recovered("iris-a", 8, 2, 5, 3, 2, k);
		assert_int_equal(results_begin(r), 0);
		assert_int_equal(results_add_run(r, &run, &ids[k]), 0);
		for (int j = 0; j < 2; j++) {
			assert_int_equal(results_add_incident(r, ids[k], &inc, &iids[k][j]), 0);
			assert_int_equal(results_add_incident_event(r, ids[k], iids[k][j], 300 + j,
								    "fault", "crash", NULL),
					 0);
		}
		assert_int_equal(results_add_incident_event(r, ids[k], 0, 1.0, "fault",
							    "nothing", NULL),
				 0);
		assert_int_equal(results_add_violation(r, ids[k], 2.0, "conservation", NULL), 0);
		assert_int_equal(results_commit(r), 0);
	}
	results_close(r);

	sqlite3 *db = raw_open(f->path);
	char sql[256];
	raw_exec(db, "PRAGMA foreign_keys = ON");
	snprintf(sql, sizeof(sql), "DELETE FROM runs WHERE run_id = %lld", (long long)ids[0]);
	raw_exec(db, sql);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM incidents"), 2);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM incident_events"), 3);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM invariant_violations"), 1);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM incidents WHERE run_id <> %lld", (long long)ids[1]);
	assert_int_equal(raw_int(db, sql), 0);
	snprintf(sql, sizeof(sql),
		 "SELECT (SELECT count(*) FROM incident_events WHERE run_id <> %lld) + "
		 "(SELECT count(*) FROM invariant_violations WHERE run_id <> %lld)",
		 (long long)ids[1], (long long)ids[1]);
	assert_int_equal(raw_int(db, sql), 0);

	snprintf(sql, sizeof(sql), "DELETE FROM incidents WHERE incident_id = %lld",
		 (long long)iids[1][0]);
	raw_exec(db, sql);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM incident_events"), 2);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM incident_events WHERE "
				     "incident_id IS NULL"),
			 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM incident_events WHERE incident_id = %lld",
		 (long long)iids[1][1]);
	assert_int_equal(raw_int(db, sql), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	sqlite3_close(db);
}

/* ---- the read API ---------------------------------------------------------------------- */

/* What test_read_api writes: two scenarios, three runs, every kind of row. */
struct read_fixture {
	struct results_run run[3];
	int64_t id[3];
	struct results_incident inc[2];
	int64_t iid[2];
	struct stat_hist *h;
};

static void write_read_fixture(const char *path, struct read_fixture *x)
{
	struct results *r = open_ok(path);

	x->run[0] = run_of("alpha", 0, 2.0);
	x->run[0].seed = UINT64_MAX;
	x->run[0].events = (uint64_t)INT64_MAX + 5; /* above 2^63: same bits back */
	x->run[1] = run_of("alpha", 1, 3.0);
	x->run[1].seed = 43;
	x->run[1].started_at = NULL;
	x->run[1].version = NULL;
	x->run[2] = run_of("beta", 0, 4.0);
	x->run[2].scenario_hash = "def456";
	x->run[2].scenario_text = NULL;
	x->run[2].experiment = "compare-1";
	x->run[2].variant = "b";
	x->run[2].sim_s = 7200.5;
	x->run[2].warmup_s = NAN;

	x->h = hist_new();
	assert_int_equal(stat_hist_add(x->h, 0.0), 0); /* underflow */
	for (int i = 1; i <= 5000; i++)
		assert_int_equal(stat_hist_add(x->h, 1e-4 * i + 3e-7 * (i % 7)), 0);
	assert_int_equal(stat_hist_add(x->h, 2e5), 0); /* overflow */

	x->inc[0] = incident_recovered("iris-a", 8.0, 2.0, 5.0, NAN, 1.5, 7);
	x->inc[1] = incident_open_ended("az_outage", 1000.0);

	for (int k = 0; k < 3; k++) {
		struct stat_hist *empty = hist_new();
		assert_int_equal(results_begin(r), 0);
		assert_int_equal(results_add_run(r, &x->run[k], &x->id[k]), 0);
		assert_int_equal(results_add_metric(r, x->id[k], "throughput", "read",
						    100.0 + k, "1/s"),
				 0);
		assert_int_equal(results_add_metric(r, x->id[k], "availability", NULL,
						    k == 1 ? NAN : 0.99 + k * 0.001, "fraction"),
				 0);
		assert_int_equal(results_add_metric(r, x->id[k], "cpu_utilisation", "host1",
						    0.5 + k * 0.1, NULL),
				 0);
		assert_int_equal(results_add_latency(r, x->id[k], "read", x->h), 0);
		assert_int_equal(results_add_latency(r, x->id[k], "write", empty), 0);
		for (int i = 0; i < 4; i++) {
			assert_int_equal(results_add_point(r, x->id[k], i * 60.0, 60.0,
							   "throughput", "read", 10.0 * i + k, "1/s"),
					 0);
			assert_int_equal(results_add_point(r, x->id[k], i * 60.0, 60.0,
							   "queue_depth", "",
							   i == 2 ? NAN : i + 0.5, NULL),
					 0);
		}
		free(empty);
		if (k == 0) {
			assert_int_equal(results_add_incident(r, x->id[0], &x->inc[0],
							      &x->iid[0]),
					 0);
			assert_int_equal(results_add_incident(r, x->id[0], &x->inc[1],
							      &x->iid[1]),
					 0);
			assert_int_equal(results_add_incident_event(r, x->id[0], x->iid[0], 308.0,
								    "mirror MIRROR1",
								    "backup iris-b takes over",
								    NULL),
					 0);
			assert_int_equal(results_add_incident_event(r, x->id[0], x->iid[0], 300.0,
								    "fault", "host iris-a crashes",
								    "power"),
					 0);
			assert_int_equal(results_add_incident_event(r, x->id[0], 0, 308.0, NULL,
								    "tie at 308 s", "second"),
					 0);
			assert_int_equal(results_add_incident_event(r, x->id[0], x->iid[1],
								    1000.0, "fault", "az down", ""),
					 0);
			assert_int_equal(results_add_violation(r, x->id[0], 309.0, "conservation",
							       NULL),
					 0);
			assert_int_equal(results_add_violation(r, x->id[0], 308.5,
							       "single_primary", "two primaries"),
					 0);
		}
		assert_int_equal(results_commit(r), 0);
	}
	results_close(r);
}

/* Runs: every field, in order of writing, filtered by id, name and hash; text on demand. */
static void test_read_runs(void **state)
{
	struct fixture *f = *state;
	struct read_fixture x;
	write_read_fixture(f->path, &x);
	long size;
	char *before = file_bytes(f->path, &size);

	struct results *r = open_ro_ok(f->path);
	assert_int_equal(results_schema_version(r), RESULTS_SCHEMA_VERSION);
	struct results_runs runs;
	assert_int_equal(results_runs(r, NULL, &runs), 0);
	assert_int_equal(runs.n, 3);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(runs.v[k].run_id, x.id[k]);
		assert_run_equal(&runs.v[k].run, &x.run[k], false);
	}
	assert_true(runs.v[0].run.seed == UINT64_MAX);
	results_runs_release(&runs);

	struct results_run_filter by_name = {.scenario_name = "alpha", .with_text = true};
	assert_int_equal(results_runs(r, &by_name, &runs), 0);
	assert_int_equal(runs.n, 2);
	assert_run_equal(&runs.v[0].run, &x.run[0], true);
	assert_run_equal(&runs.v[1].run, &x.run[1], true);
	results_runs_release(&runs);

	struct results_run_filter by_hash = {.scenario_hash = "def456", .with_text = true};
	assert_int_equal(results_runs(r, &by_hash, &runs), 0);
	assert_int_equal(runs.n, 1);
	assert_int_equal(runs.v[0].run_id, x.id[2]);
	assert_run_equal(&runs.v[0].run, &x.run[2], true); /* NULL text stays NULL */
	results_runs_release(&runs);

	struct results_run_filter by_id = {.run_id = x.id[1]};
	assert_int_equal(results_runs(r, &by_id, &runs), 0);
	assert_int_equal(runs.n, 1);
	assert_run_equal(&runs.v[0].run, &x.run[1], false);
	results_runs_release(&runs);

	struct results_run_filter by_experiment = {.experiment = "compare-1"};
	assert_int_equal(results_runs(r, &by_experiment, &runs), 0);
	assert_int_equal(runs.n, 1);
	assert_int_equal(runs.v[0].run_id, x.id[2]);
	assert_string_equal(runs.v[0].run.variant, "b");
	results_runs_release(&runs);

	struct results_run_filter none = {.scenario_name = "alpha", .scenario_hash = "def456"};
	assert_int_equal(results_runs(r, &none, &runs), 0);
	assert_int_equal(runs.n, 0);
	assert_null(runs.v);
	results_runs_release(&runs);
	results_runs_release(&runs); /* twice: harmless */
	results_runs_release(NULL);

	results_close(r);
	assert_same_file(f->path, before, size);
	free(before);
	free(x.h);
}

/* Metrics of a run, one metric, and one metric across the runs of a scenario. */
static void test_read_metrics(void **state)
{
	struct fixture *f = *state;
	struct read_fixture x;
	write_read_fixture(f->path, &x);
	struct results *r = open_ro_ok(f->path);

	struct results_metrics m;
	assert_int_equal(results_metrics(r, x.id[1], &m), 0);
	assert_int_equal(m.n, 3); /* by name: availability, cpu_utilisation, throughput */
	assert_int_equal(m.v[0].run_id, x.id[1]);
	assert_int_equal(m.v[0].replication, 1);
	assert_string_equal(m.v[0].name, "availability");
	assert_string_equal(m.v[0].qualifier, "");
	assert_true(isnan(m.v[0].value));
	assert_string_equal(m.v[0].unit, "fraction");
	assert_string_equal(m.v[1].name, "cpu_utilisation");
	assert_string_equal(m.v[1].qualifier, "host1");
	assert_true(m.v[1].value == 0.5 + 0.1);
	assert_string_equal(m.v[1].unit, "");
	assert_string_equal(m.v[2].name, "throughput");
	assert_string_equal(m.v[2].qualifier, "read");
	assert_true(m.v[2].value == 101.0);
	assert_string_equal(m.v[2].unit, "1/s");
	results_metrics_release(&m);

	double v;
	char unit[8];
	assert_int_equal(results_metric(r, x.id[2], "throughput", "read", &v, unit, sizeof(unit)),
			 0);
	assert_true(v == 102.0);
	assert_string_equal(unit, "1/s");
	assert_int_equal(results_metric(r, x.id[0], "availability", NULL, &v, NULL, 0), 0);
	assert_true(v == 0.99);
	assert_int_equal(results_metric(r, x.id[0], "availability", "", &v, unit, 4), 0);
	assert_string_equal(unit, "fra"); /* truncated to fit */
	assert_int_equal(results_metric(r, x.id[0], "throughput", "", &v, unit, sizeof(unit)),
			 -ENOENT);
	assert_true(isnan(v));
	assert_non_null(strstr(results_errmsg(r), "no metric \"throughput\""));
	/* A value that looks like SQL is only ever a bound parameter. */
	assert_int_equal(results_metric(r, x.id[0], "x' OR '1'='1", "", &v, NULL, 0), -ENOENT);

	assert_int_equal(results_metric_across(r, "alpha", "abc123", "throughput", "read", &m), 0);
	assert_int_equal(m.n, 2);
	double values[2];
	for (size_t i = 0; i < m.n; i++) {
		assert_int_equal(m.v[i].run_id, x.id[i]);
		assert_int_equal(m.v[i].replication, i);
		assert_string_equal(m.v[i].name, "throughput");
		assert_string_equal(m.v[i].qualifier, "read");
		assert_string_equal(m.v[i].unit, "1/s");
		values[i] = m.v[i].value;
	}
	double mean, half;
	assert_int_equal(stat_ci_mean(values, m.n, 0.95, &mean, &half), 0);
	assert_true(mean == 100.5);
	results_metrics_release(&m);
	assert_int_equal(results_metric_across(r, NULL, NULL, "throughput", "read", &m), 0);
	assert_int_equal(m.n, 3);
	results_metrics_release(&m);
	assert_int_equal(results_metric_across(r, "alpha", NULL, "throughput", NULL, &m), 0);
	assert_int_equal(m.n, 0); /* NULL qualifier is "", and throughput has "read" */
	results_metrics_release(&m);
	assert_int_equal(results_metric_across(r, "beta", "abc123", "throughput", "read", &m), 0);
	assert_int_equal(m.n, 0);
	results_metrics_release(&m);
	results_close(r);
	free(x.h);
}

/* Latency summaries and buckets as written; the rebuilt histogram gives the same figures. */
static void test_read_latency(void **state)
{
	struct fixture *f = *state;
	struct read_fixture x;
	write_read_fixture(f->path, &x);
	struct results *r = open_ro_ok(f->path);

	struct results_latencies l;
	assert_int_equal(results_latencies(r, x.id[0], &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].run_id, x.id[0]);
	assert_string_equal(l.v[0].op_class, "read");
	assert_int_equal(l.v[0].count, 5002);
	assert_true(l.v[0].mean_s == stat_hist_mean(x.h));
	assert_true(l.v[0].p50_s == stat_hist_quantile(x.h, 0.50));
	assert_true(l.v[0].p90_s == stat_hist_quantile(x.h, 0.90));
	assert_true(l.v[0].p99_s == stat_hist_quantile(x.h, 0.99));
	assert_true(l.v[0].p999_s == stat_hist_quantile(x.h, 0.999));
	assert_true(l.v[0].max_s == 2e5);
	assert_string_equal(l.v[1].op_class, "write");
	assert_int_equal(l.v[1].count, 0);
	assert_true(isnan(l.v[1].mean_s) && isnan(l.v[1].p50_s) && isnan(l.v[1].p90_s) &&
		    isnan(l.v[1].p99_s) && isnan(l.v[1].p999_s) && isnan(l.v[1].max_s));
	results_latencies_release(&l);

	struct results_buckets b;
	assert_int_equal(results_buckets(r, x.id[1], "read", &b), 0);
	size_t j = 0;
	for (size_t i = 0; i < stat_hist_bucket_count(x.h); i++) {
		if (stat_hist_bucket_n(x.h, i) == 0)
			continue;
		assert_true(j < b.n);
		assert_true(b.v[j].lower_s == stat_hist_bucket_lower(i));
		assert_true(b.v[j].upper_s == stat_hist_bucket_upper(i));
		assert_int_equal(b.v[j].count, stat_hist_bucket_n(x.h, i));
		j++;
	}
	assert_int_equal(b.n, j);
	assert_true(b.v[0].lower_s == 0.0);
	assert_true(isinf(b.v[b.n - 1].upper_s));
	results_buckets_release(&b);
	assert_int_equal(results_buckets(r, x.id[1], "write", &b), 0);
	assert_int_equal(b.n, 0);
	results_buckets_release(&b);

	struct stat_hist *h = hist_new();
	assert_int_equal(results_latency_hist(r, x.id[2], "read", h), 0);
	assert_int_equal(stat_hist_count(h), 5002);
	assert_memory_equal(h->counts, x.h->counts, sizeof(h->counts));
	assert_true(stat_hist_mean(h) == stat_hist_mean(x.h));
	assert_true(stat_hist_max(h) == 2e5);
	assert_true(stat_hist_min(h) == 0.0); /* lower bound of the underflow bucket */
	static const double ps[] = {0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0};
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		assert_true(stat_hist_quantile(h, ps[i]) == stat_hist_quantile(x.h, ps[i]));
	/* Replications merge bucket for bucket. */
	struct stat_hist *h2 = hist_new();
	assert_int_equal(results_latency_hist(r, x.id[0], "read", h2), 0);
	stat_hist_merge(h2, h);
	struct stat_hist *both = hist_new();
	stat_hist_merge(both, x.h);
	stat_hist_merge(both, x.h);
	assert_int_equal(stat_hist_count(h2), 2 * 5002);
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		assert_true(stat_hist_quantile(h2, ps[i]) == stat_hist_quantile(both, ps[i]));
	free(both);

	/* An empty histogram comes back empty; a missing one is -ENOENT and left empty. */
	assert_int_equal(results_latency_hist(r, x.id[0], "write", h), 0);
	assert_int_equal(stat_hist_count(h), 0);
	assert_true(isnan(stat_hist_quantile(h, 0.5)));
	assert_int_equal(results_latency_hist(r, x.id[0], "journal_sync", h2), -ENOENT);
	assert_int_equal(stat_hist_count(h2), 0);
	assert_non_null(strstr(results_errmsg(r), "no latency of \"journal_sync\""));
	results_close(r);
	free(h);
	free(h2);
	free(x.h);
}

/* Buckets that do not fit this build's layout, or do not add up, are refused with -EINVAL. */
static void test_read_latency_hist_mismatch(void **state)
{
	struct fixture *f = *state;
	struct read_fixture x;
	write_read_fixture(f->path, &x);
	struct stat_hist *h = hist_new();
	char sql[256];

	sqlite3 *db = raw_open(f->path);
	snprintf(sql, sizeof(sql),
		 "UPDATE latency_buckets SET lower_s = lower_s * 1.001 WHERE run_id = %lld "
		 "AND lower_s > 0.01 AND lower_s < 0.02",
		 (long long)x.id[0]);
	raw_exec(db, sql);
	snprintf(sql, sizeof(sql),
		 "UPDATE latency SET count = count + 1 WHERE run_id = %lld", (long long)x.id[1]);
	raw_exec(db, sql);
	sqlite3_close(db);

	struct results *r = open_ro_ok(f->path);
	assert_int_equal(results_latency_hist(r, x.id[0], "read", h), -EINVAL);
	assert_non_null(strstr(results_errmsg(r), "does not fit this build's histogram layout"));
	assert_int_equal(stat_hist_count(h), 0);
	assert_int_equal(results_latency_hist(r, x.id[1], "read", h), -EINVAL);
	assert_non_null(strstr(results_errmsg(r), "buckets hold 5002 values, the summary 5003"));
	assert_int_equal(results_latency_hist(r, x.id[2], "read", h), 0);
	results_close(r);
	free(h);
	free(x.h);
}

/* Without an underflow value the exact minimum is lost: the rebuilt min is its bucket's lower
 * bound, so only quantiles ranked in that lowest bucket may come out lower, within it. */
static void test_read_latency_hist_min(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	struct stat_hist *h = hist_new(), *back = hist_new();
	struct results_run run = run_of("demo", 0, 1.0);
	int64_t id;

	for (int i = 0; i < 50; i++) /* the lowest bucket holds 1.0002e-3 (min) and 1.0003e-3 */
		assert_int_equal(stat_hist_add(h, i == 0 ? 1.0002e-3 : i == 1 ? 1.0003e-3
								: 1e-3 * (1 + 0.1 * i)),
				 0);
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_int_equal(results_add_latency(r, id, "read", h), 0);
	assert_int_equal(results_commit(r), 0);

	assert_int_equal(results_latency_hist(r, id, "read", back), 0);
	size_t lowest = stat_hist_bucket_index(1.0002e-3);
	assert_int_equal(stat_hist_bucket_index(1.0003e-3), lowest);
	assert_true(stat_hist_min(back) == stat_hist_bucket_lower(lowest));
	assert_true(stat_hist_min(back) < stat_hist_min(h));
	double q = stat_hist_quantile(back, 0.01); /* rank 1: in the lowest bucket */
	assert_true(q <= stat_hist_quantile(h, 0.01) && q >= stat_hist_bucket_lower(lowest));
	for (double p = 0.05; p <= 1.0; p += 0.05) /* ranks 3 and up: above it, identical */
		assert_true(stat_hist_quantile(back, p) == stat_hist_quantile(h, p));
	assert_true(stat_hist_mean(back) == stat_hist_mean(h));
	results_close(r);
	free(h);
	free(back);
}

/* Incidents (every column), the timeline in order, violations; nothing for other runs. */
static void test_read_incidents(void **state)
{
	struct fixture *f = *state;
	struct read_fixture x;
	write_read_fixture(f->path, &x);
	struct results *r = open_ro_ok(f->path);

	struct results_incidents inc;
	assert_int_equal(results_incidents(r, x.id[0], &inc), 0);
	assert_int_equal(inc.n, 2);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(inc.v[k].incident_id, x.iid[k]);
		assert_int_equal(inc.v[k].run_id, x.id[0]);
		assert_incident_equal(&inc.v[k].inc, &x.inc[k]);
	}
	assert_string_equal(inc.v[1].inc.target, "");
	assert_null(inc.v[1].inc.primary_before);
	results_incidents_release(&inc);
	assert_int_equal(results_incidents(r, x.id[1], &inc), 0);
	assert_int_equal(inc.n, 0);
	results_incidents_release(&inc);

	struct results_incident_events ev;
	assert_int_equal(results_incident_events(r, x.id[0], 0, &ev), 0);
	assert_int_equal(ev.n, 4);
	static const struct {
		double t_s;
		int incident; /* index into iid, -1 for none */
		const char *source, *event, *detail;
	} want[] = {
		{300.0, 0, "fault", "host iris-a crashes", "power"},
		{308.0, 0, "mirror MIRROR1", "backup iris-b takes over", ""},
		{308.0, -1, "", "tie at 308 s", "second"},
		{1000.0, 1, "fault", "az down", ""},
	};
	for (size_t i = 0; i < ev.n; i++) {
		assert_int_equal(ev.v[i].run_id, x.id[0]);
		assert_int_equal(ev.v[i].incident_id,
				 want[i].incident < 0 ? 0 : x.iid[want[i].incident]);
		assert_true(ev.v[i].t_s == want[i].t_s);
		assert_string_equal(ev.v[i].source, want[i].source);
		assert_string_equal(ev.v[i].event, want[i].event);
		assert_string_equal(ev.v[i].detail, want[i].detail);
		if (i > 0 && ev.v[i].t_s == ev.v[i - 1].t_s)
			assert_true(ev.v[i].event_id > ev.v[i - 1].event_id);
	}
	assert_true(ev.v[0].event_id > ev.v[1].event_id); /* written second, happened first */
	results_incident_events_release(&ev);
	assert_int_equal(results_incident_events(r, x.id[0], x.iid[0], &ev), 0);
	assert_int_equal(ev.n, 2);
	assert_string_equal(ev.v[0].event, "host iris-a crashes");
	assert_string_equal(ev.v[1].event, "backup iris-b takes over");
	results_incident_events_release(&ev);
	assert_int_equal(results_incident_events(r, x.id[2], 0, &ev), 0);
	assert_int_equal(ev.n, 0);
	results_incident_events_release(&ev);

	struct results_violations vio;
	assert_int_equal(results_violations(r, x.id[0], &vio), 0);
	assert_int_equal(vio.n, 2);
	assert_int_equal(vio.v[0].run_id, x.id[0]);
	assert_true(vio.v[0].t_s == 308.5);
	assert_string_equal(vio.v[0].invariant, "single_primary");
	assert_string_equal(vio.v[0].detail, "two primaries");
	assert_int_equal(vio.v[1].run_id, x.id[0]);
	assert_true(vio.v[1].t_s == 309.0);
	assert_string_equal(vio.v[1].invariant, "conservation");
	assert_string_equal(vio.v[1].detail, "");
	results_violations_release(&vio);
	assert_int_equal(results_violations(r, x.id[1], &vio), 0);
	assert_int_equal(vio.n, 0);
	results_violations_release(&vio);
	results_close(r);
	free(x.h);
}

/* Time series of a run, all of them or one by name and qualifier. */
static void test_read_points(void **state)
{
	struct fixture *f = *state;
	struct read_fixture x;
	write_read_fixture(f->path, &x);
	struct results *r = open_ro_ok(f->path);

	struct results_points p;
	assert_int_equal(results_points(r, x.id[1], NULL, NULL, &p), 0);
	assert_int_equal(p.n, 8);
	for (size_t i = 0; i < 8; i++) {
		int k = (int)(i % 4);
		bool queue = i < 4; /* ordered by name: queue_depth, then throughput */
		assert_int_equal(p.v[i].run_id, x.id[1]);
		assert_true(p.v[i].t_s == k * 60.0);
		assert_true(p.v[i].width_s == 60.0);
		assert_string_equal(p.v[i].name, queue ? "queue_depth" : "throughput");
		assert_string_equal(p.v[i].qualifier, queue ? "" : "read");
		if (queue)
			assert_same_double(p.v[i].value, k == 2 ? NAN : k + 0.5);
		else
			assert_true(p.v[i].value == 10.0 * k + 1);
	}
	results_points_release(&p);

	assert_int_equal(results_points(r, x.id[2], "throughput", "read", &p), 0);
	assert_int_equal(p.n, 4);
	assert_true(p.v[3].value == 32.0);
	results_points_release(&p);
	assert_int_equal(results_points(r, x.id[2], NULL, "", &p), 0);
	assert_int_equal(p.n, 4);
	assert_string_equal(p.v[0].name, "queue_depth");
	results_points_release(&p);
	assert_int_equal(results_points(r, x.id[2], "throughput", "", &p), 0);
	assert_int_equal(p.n, 0);
	results_points_release(&p);
	results_close(r);
	free(x.h);
}

/* The read API also works on the writing handle, and sees its open transaction. */
static void test_read_on_write_handle(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	struct results_run run = run_of("demo", 0, 1.0);
	struct results_runs runs;
	int64_t id;

	assert_int_equal(results_schema_version(r), RESULTS_SCHEMA_VERSION);
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_int_equal(results_runs(r, NULL, &runs), 0);
	assert_int_equal(runs.n, 1);
	assert_run_equal(&runs.v[0].run, &run, false);
	results_runs_release(&runs);
	results_rollback(r);
	assert_int_equal(results_runs(r, NULL, &runs), 0);
	assert_int_equal(runs.n, 0);
	results_runs_release(&runs);
	results_close(r);
}

/* What results_open_readonly refuses, each time with the file left exactly as it was. */
static void test_readonly_refusals(void **state)
{
	struct fixture *f = *state;
	char err[512], want[512], path[256];
	long size;
	char *before;

	/* A missing file is not created. */
	snprintf(path, sizeof(path), "%s/missing.db", f->dir);
	assert_null(results_open_readonly(path, err, sizeof(err)));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "cannot open: unable to open database file"));
	assert_int_equal(access(path, F_OK), -1);

	/* Not SQLite. */
	FILE *fp = fopen(f->path, "w");
	assert_non_null(fp);
	for (int i = 0; i < 200; i++)
		fputs("this is not a database, it is a text file\n", fp);
	fclose(fp);
	before = file_bytes(f->path, &size);
	assert_null(results_open_readonly(f->path, err, sizeof(err)));
	snprintf(want, sizeof(want),
		 "\"%s\" is not a topsim results database: file is not a database", f->path);
	assert_string_equal(err, want);
	assert_same_file(f->path, before, size);
	free(before);

	/* An empty file: not initialised, as results_open would. */
	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_null(results_open_readonly(f->path, err, sizeof(err)));
	snprintf(want, sizeof(want),
		 "\"%s\" is not a topsim results database: it has no schema version", f->path);
	assert_string_equal(err, want);
	before = file_bytes(f->path, &size);
	assert_int_equal(size, 0);
	free(before);

	/* Another application's database. */
	unlink(f->path);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	raw_exec(db, "CREATE TABLE customers (id INTEGER PRIMARY KEY)");
	sqlite3_close(db);
	before = file_bytes(f->path, &size);
	assert_null(results_open_readonly(f->path, err, sizeof(err)));
	assert_string_equal(err, want);
	assert_same_file(f->path, before, size);
	free(before);

	/* Another application's database that happens to set user_version. */
	db = raw_open(f->path);
	raw_exec(db, "PRAGMA user_version = 2");
	sqlite3_close(db);
	before = file_bytes(f->path, &size);
	assert_null(results_open_readonly(f->path, err, sizeof(err)));
	snprintf(want, sizeof(want),
		 "\"%s\" is not a topsim results database: no such table: runs", f->path);
	assert_string_equal(err, want);
	assert_same_file(f->path, before, size);
	free(before);

	/* A newer topsim's file. */
	unlink(f->path);
	results_close(open_ok(f->path));
	db = raw_open(f->path);
	raw_exec(db, "PRAGMA user_version = 99");
	sqlite3_close(db);
	before = file_bytes(f->path, &size);
	assert_null(results_open_readonly(f->path, err, sizeof(err)));
	snprintf(want, sizeof(want),
		 "\"%s\" was written by a newer topsim (schema 99; this one reads up to %d)",
		 f->path, RESULTS_SCHEMA_VERSION);
	assert_string_equal(err, want);
	assert_same_file(f->path, before, size);
	free(before);
}

/* A read-only handle refuses every write call with -EROFS, and reading changes no byte. */
static void test_readonly_no_writes(void **state)
{
	struct fixture *f = *state;
	struct read_fixture x;
	write_read_fixture(f->path, &x);
	long size;
	char *before = file_bytes(f->path, &size);
	struct results *r = open_ro_ok(f->path);
	struct results_run run = run_of("demo", 9, 1.0);
	struct results_incident inc = incident_open_ended("host_crash", 1.0);
	int64_t id = 0;

	assert_int_equal(results_begin(r), -EROFS);
	assert_string_equal(results_errmsg(r), "the results database is open read-only");
	assert_int_equal(results_commit(r), -EROFS);
	results_rollback(r); /* nothing open: a no-op */
	assert_int_equal(results_add_run(r, &run, &id), -EROFS);
	assert_int_equal(results_finish_run(r, x.id[0], 1.0, 1), -EROFS);
	assert_int_equal(results_add_metric(r, x.id[0], "m", "", 1.0, ""), -EROFS);
	assert_int_equal(results_add_latency(r, x.id[0], "other", x.h), -EROFS);
	assert_int_equal(results_add_point(r, x.id[0], 0.0, 1.0, "p", "", 1.0, NULL), -EROFS);
	assert_int_equal(results_add_incident(r, x.id[0], &inc, NULL), -EROFS);
	assert_int_equal(results_add_incident_event(r, x.id[0], 0, 1.0, "s", "e", ""), -EROFS);
	assert_int_equal(results_add_violation(r, x.id[0], 1.0, "conservation", ""), -EROFS);

	/* Read everything there is. */
	struct stat_hist *h = hist_new();
	for (int k = 0; k < 3; k++) {
		struct results_metrics m;
		struct results_points p;
		struct results_latencies l;
		struct results_incidents i;
		assert_int_equal(results_metrics(r, x.id[k], &m), 0);
		assert_int_equal(results_points(r, x.id[k], NULL, NULL, &p), 0);
		assert_int_equal(results_latencies(r, x.id[k], &l), 0);
		assert_int_equal(results_incidents(r, x.id[k], &i), 0);
		assert_int_equal(results_latency_hist(r, x.id[k], "read", h), 0);
		results_metrics_release(&m);
		results_points_release(&p);
		results_latencies_release(&l);
		results_incidents_release(&i);
	}
	results_close(r);
	assert_same_file(f->path, before, size);
	free(before);
	free(h);
	free(x.h);
}

/* A version 5 file with an incident: read as it is, its incident has no ECP figures (NaN
 * stall, 0 counts); migrated, it gets the schema 6 columns (NULL stall, 0 counts) and
 * v_incidents their means, and a new incident's figures round-trip. */
static void test_v5_incident_ecp(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	raw_exec(db, "BEGIN");
	for (int v = 0; v < 5; v++)
		raw_exec(db, results_migration_sql(v));
	raw_exec(db, "PRAGMA user_version = 5");
	raw_exec(db, "INSERT INTO runs (run_id, scenario_name, scenario_text, scenario_hash, seed, "
		     "replication, topsim_version, started_at, wall_s, sim_s, warmup_s, events) "
		     "VALUES (1, 'old', '{}', 'h1', 7, 0, '0.9', '2026-01-01T00:00:00Z', 1, 600, "
		     "60, 10)");
	raw_exec(db, "INSERT INTO incidents (run_id, kind, target, start_s, rto_s, rpo_tx, "
		     "rpo_durable_tx, data_lost) VALUES (1, 'host_crash', 'iris-a', 100, 20, 0, 0, 0)");
	raw_exec(db, "COMMIT");
	sqlite3_close(db);

	struct results *r = open_ro_ok(f->path);
	assert_int_equal(results_schema_version(r), 5);
	struct results_incidents inc;
	assert_int_equal(results_incidents(r, 1, &inc), 0);
	assert_int_equal(inc.n, 1);
	assert_true(inc.v[0].inc.rto_s == 20.0);
	assert_true(isnan(inc.v[0].inc.ecp_stall_max_s));
	assert_int_equal(inc.v[0].inc.ecp_stalls, 0);
	assert_int_equal(inc.v[0].inc.ecp_sessions_lost, 0);
	results_incidents_release(&inc);
	results_close(r);

	r = open_ok(f->path);
	assert_int_equal(results_schema_version(r), RESULTS_SCHEMA_VERSION);
	struct results_incident b = incident_recovered("iris-a", 10, 2, 10, NAN, 8, 5);
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_incident(r, 1, &b, NULL), 0);
	assert_int_equal(results_commit(r), 0);
	assert_int_equal(results_incidents(r, 1, &inc), 0);
	assert_int_equal(inc.n, 2);
	assert_true(isnan(inc.v[0].inc.ecp_stall_max_s));
	assert_int_equal(inc.v[0].inc.ecp_held_completed, 0);
	assert_incident_equal(&inc.v[1].inc, &b);
	results_incidents_release(&inc);
	results_close(r);
	db = raw_open(f->path);
	/* the stall mean skips the old incident's NULL; the counts take its 0 */
	assert_true(raw_double(db, "SELECT ecp_stall_s_mean FROM v_incidents") == 17.5);
	assert_true(raw_double(db, "SELECT ecp_sessions_lost_mean FROM v_incidents") == 1.0);
	assert_true(raw_double(db, "SELECT ecp_held_completed_mean FROM v_incidents") ==
		    (4098.0 / 2));
	sqlite3_close(db);
}

/* A version 1 file is read as it is, not migrated: it has runs but no incidents. */
static void test_readonly_v1_file(void **state)
{
	struct fixture *f = *state;
	make_v1_file(f->path);
	long size;
	char *before = file_bytes(f->path, &size);

	struct results *r = open_ro_ok(f->path);
	assert_int_equal(results_schema_version(r), 1);
	struct results_runs runs;
	assert_int_equal(results_runs(r, NULL, &runs), 0);
	assert_int_equal(runs.n, 2);
	assert_int_equal(runs.v[1].run_id, 2);
	assert_string_equal(runs.v[1].run.scenario_name, "old");
	assert_true(runs.v[1].run.events == 5678);
	results_runs_release(&runs);
	struct results_metrics m;
	assert_int_equal(results_metric_across(r, "old", "h1", "throughput", "", &m), 0);
	assert_int_equal(m.n, 2);
	assert_true(m.v[0].value == 10.0 && m.v[1].value == 20.0);
	results_metrics_release(&m);
	struct results_incidents inc;
	struct results_incident_events ev;
	struct results_violations vio;
	assert_int_equal(results_incidents(r, 2, &inc), 0);
	assert_int_equal(inc.n, 0);
	assert_int_equal(results_incident_events(r, 2, 0, &ev), 0);
	assert_int_equal(ev.n, 0);
	assert_int_equal(results_violations(r, 2, &vio), 0);
	assert_int_equal(vio.n, 0);
	results_incidents_release(&inc);
	results_incident_events_release(&ev);
	results_violations_release(&vio);
	results_close(r);

	assert_same_file(f->path, before, size);
	free(before);
	sqlite3 *db = raw_open(f->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 1);
	sqlite3_close(db);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_write_and_read_back),
		T(test_empty_histogram),
		T(test_finish_run),
		T(test_newer_version_refused),
		T(test_garbage_refused),
		T(test_foreign_database_refused),
		T(test_empty_file_initialised),
		T(test_avail_tables),
		T(test_avail_read),
		T(test_avail_cache),
		T(test_verdicts),
		T(test_variant_params),
		T(test_unopenable_path),
		T(test_rollback),
		T(test_reader_sees_only_committed),
		T(test_errors),
		T(test_close_without_commit),
		T(test_killed_writer),
		T(test_views),
		T(test_migration_sql),
		T(test_migrate_v1),
		T(test_migrate_v1_failure_rolls_back),
		T(test_incident_round_trip),
		T(test_incident_events_and_violations),
		T(test_incident_view),
		T(test_incident_cascade),
		T(test_read_runs),
		T(test_read_metrics),
		T(test_read_latency),
		T(test_read_latency_hist_mismatch),
		T(test_read_latency_hist_min),
		T(test_read_incidents),
		T(test_read_points),
		T(test_read_on_write_handle),
		T(test_readonly_refusals),
		T(test_readonly_no_writes),
		T(test_readonly_v1_file),
		T(test_v5_incident_ecp),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
