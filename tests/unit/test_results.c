/* test_results.c: unit tests of sim/results (the SQLite results database).
 *
 * Each test works in its own mkdtemp directory, removed afterwards. What results_* wrote is
 * read back through a separate raw SQLite connection, so the checks do not trust the module
 * under test. Interrupted writers are simulated twice: a connection closed mid-transaction,
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
						   100.0 + i),
				 0);
	assert_int_equal(results_commit(r), 0);
	results_close(r);

	/* Reopening an up-to-date file changes nothing. */
	r = open_ok(f->path);
	results_close(r);

	sqlite3 *db = raw_open(f->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), RESULTS_SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 1);
	char *mode = raw_text(db, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);

	sqlite3_stmt *s = raw_row(db,
				  "SELECT run_id, scenario_name, scenario_text, scenario_hash, seed, "
				  "replication, topsim_version, started_at, wall_s, sim_s, warmup_s, "
				  "events FROM runs");
	assert_int_equal(sqlite3_column_int64(s, 0), id);
	assert_string_equal((const char *)sqlite3_column_text(s, 1), "demo");
	assert_string_equal((const char *)sqlite3_column_text(s, 2), "{\"name\": \"x\"}");
	assert_string_equal((const char *)sqlite3_column_text(s, 3), "abc123");
	assert_int_equal(sqlite3_column_int64(s, 4), -1);
	assert_int_equal(sqlite3_column_int64(s, 5), 0);
	assert_string_equal((const char *)sqlite3_column_text(s, 6), "0.1.0");
	assert_string_equal((const char *)sqlite3_column_text(s, 7), "2024-01-02T03:04:05Z");
	assert_true(sqlite3_column_double(s, 8) == 2.0);
	assert_true(sqlite3_column_double(s, 9) == 3600.0);
	assert_true(sqlite3_column_double(s, 10) == 60.0);
	assert_int_equal(sqlite3_column_int64(s, 11), 1000000);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);

	assert_int_equal(raw_int(db, "SELECT count(*) FROM metrics"), 3);
	assert_true(raw_double(db, "SELECT value FROM metrics WHERE name = 'throughput' "
				   "AND qualifier = ''") == 1234.5);
	char *unit = raw_text(db, "SELECT unit FROM metrics WHERE name = 'cpu_utilisation' "
				  "AND qualifier = 'host1'");
	assert_string_equal(unit, "fraction");
	free(unit);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM metrics WHERE name = 'no_qualifier' "
				     "AND qualifier = '' AND unit = ''"),
			 1);

	/* Latency summary: exactly what stats computes. */
	s = raw_row(db, "SELECT count, mean_s, p50_s, p90_s, p99_s, p999_s, max_s FROM latency "
			"WHERE run_id = %lld AND op_class = 'read'",
		    (long long)id);
	assert_int_equal(sqlite3_column_int64(s, 0), 1002);
	assert_true(sqlite3_column_double(s, 1) == stat_hist_mean(h));
	assert_true(sqlite3_column_double(s, 2) == stat_hist_quantile(h, 0.50));
	assert_true(sqlite3_column_double(s, 3) == stat_hist_quantile(h, 0.90));
	assert_true(sqlite3_column_double(s, 4) == stat_hist_quantile(h, 0.99));
	assert_true(sqlite3_column_double(s, 5) == stat_hist_quantile(h, 0.999));
	assert_true(sqlite3_column_double(s, 6) == 1e5);
	sqlite3_finalize(s);

	/* Buckets: the non-empty ones, summing to the count, with the layout's bounds. */
	size_t nonempty = 0;
	for (size_t i = 0; i < stat_hist_bucket_count(h); i++)
		nonempty += stat_hist_bucket_n(h, i) > 0;
	assert_int_equal(raw_int(db, "SELECT count(*) FROM latency_buckets"), nonempty);
	assert_int_equal(raw_int(db, "SELECT sum(count) FROM latency_buckets"), 1002);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM latency_buckets WHERE count <= 0"), 0);
	assert_true(raw_double(db, "SELECT min(lower_s) FROM latency_buckets") == 0.0);
	assert_true(isinf(raw_double(db, "SELECT max(upper_s) FROM latency_buckets")));
	s = raw_row(db, "SELECT lower_s, upper_s, count FROM latency_buckets "
			"WHERE lower_s <= 0.05 AND upper_s > 0.05");
	size_t b = stat_hist_bucket_index(0.05);
	assert_true(sqlite3_column_double(s, 0) == stat_hist_bucket_lower(b));
	assert_true(sqlite3_column_double(s, 1) == stat_hist_bucket_upper(b));
	assert_int_equal(sqlite3_column_int64(s, 2), stat_hist_bucket_n(h, b));
	sqlite3_finalize(s);

	/* Time series. */
	assert_int_equal(raw_int(db, "SELECT count(*) FROM timeseries WHERE name = 'throughput'"),
			 10);
	assert_true(raw_double(db, "SELECT value FROM timeseries WHERE t_s = 540") == 109.0);
	assert_true(raw_double(db, "SELECT sum(width_s) FROM timeseries") == 600.0);

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

	sqlite3 *db = raw_open(f->path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM latency WHERE count = 0 AND "
				     "mean_s IS NULL AND p50_s IS NULL AND p99_s IS NULL AND "
				     "max_s IS NULL"),
			 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM latency_buckets"), 0);
	sqlite3_close(db);
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

	sqlite3 *db = raw_open(f->path);
	sqlite3_stmt *s = raw_row(db, "SELECT wall_s, events, sim_per_wall, events_per_wall_s "
				      "FROM v_runs");
	assert_true(sqlite3_column_double(s, 0) == 2.5);
	assert_int_equal(sqlite3_column_int64(s, 1), 5000000);
	assert_true(sqlite3_column_double(s, 2) == 1440.0);
	assert_true(sqlite3_column_double(s, 3) == 2000000.0);
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
		 "\"%s\" was written by a newer topsim (schema 99; this one reads up to 1)",
		 f->path);
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
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
				     "AND name IN ('runs', 'metrics', 'latency', "
				     "'latency_buckets', 'timeseries')"),
			 5);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'view'"),
			 3);
	/* Not yet: they come with schema version 2. */
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE name IN "
				     "('incidents', 'invariant_violations')"),
			 0);
	sqlite3_close(db);
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
	assert_int_equal(results_add_point(r, id, 0.0, 1.0, "throughput", "", 1.0), 0);
	results_rollback(r);
	results_rollback(r); /* no transaction: a no-op */

	sqlite3 *db = raw_open(f->path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM runs"), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM metrics"), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM timeseries"), 0);

	run.replication = 1;
	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_int_equal(results_commit(r), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM runs WHERE replication = 1"), 1);
	sqlite3_close(db);
	results_close(r);
}

/* Until commit, another connection (a reader during a run) sees none of the replication. */
static void test_reader_sees_only_committed(void **state)
{
	struct fixture *f = *state;
	struct results *r = open_ok(f->path);
	struct results_run run = run_of("demo", 0, 1.0);
	int64_t id;
	sqlite3 *db = raw_open(f->path);

	assert_int_equal(results_begin(r), 0);
	assert_int_equal(results_add_run(r, &run, &id), 0);
	assert_int_equal(results_add_metric(r, id, "throughput", "", 1.0, "1/s"), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM runs"), 0); /* WAL: not blocked */
	assert_int_equal(results_commit(r), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM runs"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM metrics"), 1);
	sqlite3_close(db);
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
	assert_int_equal(results_add_point(r, id, NAN, 1.0, "x", "", 1.0), -EIO);
	results_rollback(r);

	sqlite3 *db = raw_open(f->path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM runs"), 0);
	sqlite3_close(db);
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
	assert_int_equal(results_add_point(r, id, 0.0, 1.0, "throughput", "", 10.0), 0);
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
	assert_int_equal(raw_int(db, "SELECT count(*) FROM runs"), 1);
	assert_int_equal(raw_int(db, "SELECT max(replication) FROM runs"), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM metrics"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM timeseries"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM timeseries WHERE run_id NOT IN "
				     "(SELECT run_id FROM runs)"),
			 0);
	sqlite3_close(db);

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
	assert_int_equal(results_add_point(r, id, 0.0, 1.0, "throughput", "", 11.0), 0);
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
			if (results_add_point(r, id, i, 1.0, "queue_depth", "host1", i) < 0)
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
		T(test_unopenable_path),
		T(test_rollback),
		T(test_reader_sees_only_committed),
		T(test_errors),
		T(test_close_without_commit),
		T(test_killed_writer),
		T(test_views),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
