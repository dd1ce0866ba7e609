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
 * - Every INSERT and UPDATE binds its values and steps through bound_step; every read binds
 *   its values as parameters (no SQL is built from values) and steps through run_query or a
 *   single-row lookup, which reset the statement whatever happens.
 * - A read-only handle (results_open_readonly) is opened SQLITE_OPEN_READONLY and query_only,
 *   prepares no write statement, and runs nothing that changes the file (no migration, no
 *   journal-mode change). Read statements exist only for the tables the file's version has.
 * - A list handed to the caller owns its row array and a chain of string chunks that never
 *   move, so the rows' pointers stay valid until the list's release, even after close.
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

/* Version 2 -> 3: experiments. A run belongs to an experiment (one `topsim run`, `check`,
 * `compare` or `sweep` invocation, named by the user or after the command) and a variant
 * within it (compare's scenarios or --variant labels, sweep's points; "" for a plain run),
 * so that summaries never pool two experiments and variants are told apart by name, not by
 * hash. Older rows get "". The view v_variants lists them. */
static const char schema_v3[] =
	"ALTER TABLE runs ADD COLUMN experiment TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE runs ADD COLUMN variant TEXT NOT NULL DEFAULT '';\n"
	"CREATE INDEX runs_experiment ON runs(experiment, variant, replication);\n"
	"CREATE VIEW v_variants AS\n"
	"SELECT experiment, variant, scenario_name, scenario_hash, seed,\n"
	"       COUNT(*) AS replications, MIN(run_id) AS first_run_id, MAX(run_id) AS last_run_id\n"
	"FROM runs GROUP BY experiment, variant, scenario_name, scenario_hash, seed;\n";

/* Version 3 -> 4: a time-series point carries its unit (the registry's, metric.h), as a
 * metric does. Points written before know no unit; the series topsim wrote up to schema 3
 * get theirs by name (their meaning then: `errors` was a count per bucket, since replaced by
 * the rate `errors_per_s`); any other series gets "". */
#define SERIES_UNIT_BEFORE_V4                                                                  \
	"CASE name\n"                                                                          \
	"  WHEN 'throughput' THEN '1/s' WHEN 'errors' THEN 'requests'\n"                       \
	"  WHEN 'latency_p50_s' THEN 's' WHEN 'latency_p99_s' THEN 's'\n"                      \
	"  WHEN 'latency_mean_s' THEN 's' WHEN 'cpu_utilisation' THEN 'fraction' ELSE '' END"
static const char schema_v4[] =
	"ALTER TABLE timeseries ADD COLUMN unit TEXT NOT NULL DEFAULT '';\n"
	"UPDATE timeseries SET unit = " SERIES_UNIT_BEFORE_V4 ";\n";

/* Version 4 -> 5: the availability mode (`topsim availability`). One row per invocation in
 * avail_runs with its figures and their intervals across batches of years; the downtime by
 * incident class and stage in avail_causes; component failures per class in
 * avail_failures. Replication tables are untouched: the mode writes no runs rows. */
static const char schema_v5[] =
	"CREATE TABLE avail_runs (\n"
	"  avail_id INTEGER PRIMARY KEY,\n"
	"  experiment TEXT NOT NULL DEFAULT '',\n"
	"  scenario_name TEXT NOT NULL,\n"
	"  scenario_text TEXT,\n"
	"  scenario_hash TEXT,\n"
	"  seed INTEGER NOT NULL,\n"
	"  version TEXT,\n"
	"  started_at TEXT,\n"
	"  wall_s REAL,\n"
	"  years REAL NOT NULL,\n"
	"  batches INTEGER NOT NULL,\n"
	"  level REAL NOT NULL,\n"
	"  write_availability REAL, write_availability_half REAL,\n"
	"  read_availability REAL, read_availability_half REAL,\n"
	"  downtime_min_per_year REAL, downtime_min_per_year_half REAL,\n"
	"  incidents_per_year REAL, incidents_per_year_half REAL,\n"
	"  takeovers_per_year REAL, takeovers_per_year_half REAL,\n"
	"  lossy_promotions_per_year REAL, lossy_promotions_per_year_half REAL,\n"
	"  yearly_downtime_p50_min REAL, yearly_downtime_p90_min REAL,\n"
	"  yearly_downtime_p99_min REAL, yearly_downtime_max_min REAL,\n"
	"  exact_availability REAL,\n"
	"  rpo_tx_per_year REAL,\n"
	"  outages INTEGER NOT NULL DEFAULT 0,\n"
	"  bias REAL,\n"
	"  effective_samples REAL,\n"
	"  events INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE INDEX avail_runs_experiment ON avail_runs(experiment);\n"
	"CREATE TABLE avail_causes (\n"
	"  avail_id INTEGER NOT NULL REFERENCES avail_runs(avail_id) ON DELETE CASCADE,\n"
	"  incident_class TEXT NOT NULL,\n"
	"  stage TEXT NOT NULL,\n"
	"  minutes_per_year REAL, minutes_per_year_half REAL,\n"
	"  incidents_per_year REAL,\n"
	"  samples INTEGER NOT NULL DEFAULT 0,\n"
	"  UNIQUE (avail_id, incident_class, stage)\n"
	");\n"
	"CREATE TABLE avail_library (\n"
	"  avail_id INTEGER NOT NULL REFERENCES avail_runs(avail_id) ON DELETE CASCADE,\n"
	"  incident_class TEXT NOT NULL,\n"
	"  fault TEXT NOT NULL,\n"
	"  replications INTEGER NOT NULL,\n"
	"  recovered INTEGER NOT NULL,\n"
	"  rto_s REAL, rto_s_half REAL,\n"
	"  detect_s REAL, decide_s REAL, transition_s REAL, reroute_s REAL, reconnect_s REAL,\n"
	"  rpo_tx REAL, write_unavailable_s REAL,\n"
	"  used INTEGER NOT NULL,\n"
	"  UNIQUE (avail_id, incident_class)\n"
	");\n"
	"CREATE TABLE avail_failures (\n"
	"  avail_id INTEGER NOT NULL REFERENCES avail_runs(avail_id) ON DELETE CASCADE,\n"
	"  class TEXT NOT NULL,\n"
	"  failures_per_year REAL,\n"
	"  UNIQUE (avail_id, class)\n"
	");\n";

/* Version 5 -> 6: per-incident ECP figures (docs/models.md §13): the longest application
 * server stall, the stalls, requests held then completed, <NETWORK> answers, updates rolled
 * back, sessions preserved and lost. Older incidents get NULL stall and 0 counts (topsim did
 * not record them); v_incidents gains their means. */
static const char schema_v6[] =
	"ALTER TABLE incidents ADD COLUMN ecp_stall_max_s REAL;\n"
	"ALTER TABLE incidents ADD COLUMN ecp_stalls INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE incidents ADD COLUMN ecp_held_completed INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE incidents ADD COLUMN ecp_network_errors INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE incidents ADD COLUMN ecp_rolled_back INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE incidents ADD COLUMN ecp_sessions_preserved INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE incidents ADD COLUMN ecp_sessions_lost INTEGER NOT NULL DEFAULT 0;\n"
	"DROP VIEW v_incidents;\n"
	"CREATE VIEW v_incidents AS\n"
	"SELECT r.scenario_name, r.scenario_hash, i.kind, i.target,\n"
	"       COUNT(DISTINCT i.run_id) AS replications, COUNT(*) AS incidents,\n"
	"       COUNT(*) - COUNT(i.rto_s) AS unrecovered,\n"
	"       AVG(i.rto_s) AS rto_s_mean, MIN(i.rto_s) AS rto_s_min, MAX(i.rto_s) AS rto_s_max,\n"
	"       AVG(i.rpo_tx) AS rpo_tx_mean, MAX(i.rpo_tx) AS rpo_tx_max,\n"
	"       SUM(i.data_lost) AS data_lost,\n"
	"       AVG(i.detect_s) AS detect_s_mean, AVG(i.decide_s) AS decide_s_mean,\n"
	"       AVG(i.transition_s) AS transition_s_mean, AVG(i.reroute_s) AS reroute_s_mean,\n"
	"       AVG(i.reconnect_s) AS reconnect_s_mean,\n"
	"       AVG(i.ecp_stall_max_s) AS ecp_stall_s_mean, MAX(i.ecp_stall_max_s) AS ecp_stall_s_max,\n"
	"       AVG(i.ecp_held_completed) AS ecp_held_completed_mean,\n"
	"       AVG(i.ecp_network_errors) AS ecp_network_errors_mean,\n"
	"       AVG(i.ecp_rolled_back) AS ecp_rolled_back_mean,\n"
	"       AVG(i.ecp_sessions_preserved) AS ecp_sessions_preserved_mean,\n"
	"       AVG(i.ecp_sessions_lost) AS ecp_sessions_lost_mean\n"
	"FROM incidents i JOIN runs r USING (run_id)\n"
	"GROUP BY r.scenario_name, r.scenario_hash, i.kind, i.target;\n";

/* Version 6 -> 7: expectation verdicts. One row per expectation each time `topsim run`,
 * `check`, `compare` or `sweep` evaluates a scenario's expectations into a database: the
 * expectation as printed, its metric, selection, quantifier, comparison and threshold, the
 * figure compared (measured) with the mean and its interval across the values, and the
 * verdict. Written in one transaction after the scenario's last replication, so a file holds
 * every verdict of an evaluation or none. */
static const char schema_v7[] =
	"CREATE TABLE expectation_verdicts (\n"
	"  verdict_id INTEGER PRIMARY KEY,\n"
	"  experiment TEXT NOT NULL DEFAULT '',\n"
	"  variant TEXT NOT NULL DEFAULT '',\n"
	"  scenario_name TEXT NOT NULL,\n"
	"  scenario_hash TEXT,\n"
	"  position INTEGER NOT NULL,\n"
	"  expectation TEXT NOT NULL,\n"
	"  metric TEXT NOT NULL,\n"
	"  selection TEXT NOT NULL DEFAULT '',\n"
	"  quantifier TEXT NOT NULL,\n"
	"  op TEXT NOT NULL,\n"
	"  threshold REAL,\n"
	"  threshold_text TEXT NOT NULL DEFAULT '',\n"
	"  unit TEXT NOT NULL DEFAULT '',\n"
	"  measured REAL,\n"
	"  mean REAL,\n"
	"  lo REAL,\n"
	"  hi REAL,\n"
	"  level REAL,\n"
	"  min REAL,\n"
	"  max REAL,\n"
	"  n_values INTEGER NOT NULL,\n"
	"  unmeasured INTEGER NOT NULL DEFAULT 0,\n"
	"  replications INTEGER NOT NULL,\n"
	"  verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail')),\n"
	"  measured_text TEXT NOT NULL DEFAULT '',\n"
	"  reason TEXT NOT NULL DEFAULT ''\n"
	");\n"
	"CREATE INDEX expectation_verdicts_experiment ON expectation_verdicts(experiment, variant, "
	"scenario_name, position);\n";

/* Version 7 -> 8: the parameters that make each variant of an experiment (a sweep point's
 * axis values, a compare variant's --set assignments): the path, the value as given, its
 * number and unit when it has them, so plots can draw a numeric axis. Older experiments have
 * none (their variant names carry the same text). */
static const char schema_v8[] =
	"CREATE TABLE variant_params (\n"
	"  experiment TEXT NOT NULL,\n"
	"  variant TEXT NOT NULL,\n"
	"  path TEXT NOT NULL,\n"
	"  value_text TEXT NOT NULL,\n"
	"  value_num REAL,\n"
	"  unit TEXT NOT NULL DEFAULT '',\n"
	"  PRIMARY KEY (experiment, variant, path)\n"
	");\n";

/* Version 8 -> 9: the availability mode's reads apart from writes (read downtime per year in
 * avail_runs, read unavailability and whether a cached entry served in avail_library), and
 * the incident library's cache across invocations (avail_library_cache), keyed by the
 * scenario's hash, seed, replications, topsim version and library slot, and the
 * time-of-day stratum of a library row (avail_library rebuilt: one row per class and
 * stratum). Older rows get NULL read figures and stratum ''. */
static const char schema_v9[] =
	"ALTER TABLE avail_runs ADD COLUMN read_downtime_min_per_year REAL;\n"
	"ALTER TABLE avail_runs ADD COLUMN read_downtime_min_per_year_half REAL;\n"
	"CREATE TABLE avail_library_v9 (\n"
	"  avail_id INTEGER NOT NULL REFERENCES avail_runs(avail_id) ON DELETE CASCADE,\n"
	"  incident_class TEXT NOT NULL,\n"
	"  fault TEXT NOT NULL,\n"
	"  replications INTEGER NOT NULL,\n"
	"  recovered INTEGER NOT NULL,\n"
	"  rto_s REAL, rto_s_half REAL,\n"
	"  detect_s REAL, decide_s REAL, transition_s REAL, reroute_s REAL, reconnect_s REAL,\n"
	"  rpo_tx REAL, write_unavailable_s REAL,\n"
	"  used INTEGER NOT NULL,\n"
	"  read_unavailable_s REAL,\n"
	"  cached INTEGER NOT NULL DEFAULT 0,\n"
	"  stratum TEXT NOT NULL DEFAULT '',\n"
	"  UNIQUE (avail_id, incident_class, stratum)\n"
	");\n"
	"INSERT INTO avail_library_v9 (avail_id, incident_class, fault, replications, recovered,\n"
	"  rto_s, rto_s_half, detect_s, decide_s, transition_s, reroute_s, reconnect_s, rpo_tx,\n"
	"  write_unavailable_s, used)\n"
	"  SELECT avail_id, incident_class, fault, replications, recovered, rto_s, rto_s_half,\n"
	"         detect_s, decide_s, transition_s, reroute_s, reconnect_s, rpo_tx,\n"
	"         write_unavailable_s, used FROM avail_library;\n"
	"DROP TABLE avail_library;\n"
	"ALTER TABLE avail_library_v9 RENAME TO avail_library;\n"
	"CREATE TABLE avail_library_cache (\n"
	"  scenario_hash TEXT NOT NULL,\n"
	"  seed INTEGER NOT NULL,\n"
	"  replications INTEGER NOT NULL,\n"
	"  version TEXT NOT NULL,\n"
	"  slot TEXT NOT NULL,\n"
	"  incident_class TEXT NOT NULL,\n"
	"  fault TEXT NOT NULL,\n"
	"  replications_run INTEGER NOT NULL,\n"
	"  recovered INTEGER NOT NULL,\n"
	"  rto_s REAL, rto_s_half REAL,\n"
	"  stages TEXT NOT NULL,\n"
	"  rpo_tx REAL, rpo_tx_half REAL,\n"
	"  write_unavailable_s REAL, write_unavailable_s_half REAL,\n"
	"  read_unavailable_s REAL, read_unavailable_s_half REAL,\n"
	"  primary_after TEXT NOT NULL,\n"
	"  note TEXT NOT NULL,\n"
	"  built_at TEXT NOT NULL,\n"
	"  wall_s REAL,\n"
	"  PRIMARY KEY (scenario_hash, seed, replications, version, slot)\n"
	");\n";

/* Version 9 -> 10: stage kinds (docs/results.md): an incident's RTO chain gains the
 * `operator` stage (waiting for an operator's runbook action or DR promotion), `freeze`
 * (updates frozen on the journal or by a backup freeze, until they thaw) and `restore`
 * (restoring from a backup). Older incidents get NULL (the stage was charged to the stage
 * that followed it); v_incidents gains their means. */
static const char schema_v10[] =
	"ALTER TABLE incidents ADD COLUMN operator_s REAL;\n"
	"ALTER TABLE incidents ADD COLUMN freeze_s REAL;\n"
	"ALTER TABLE incidents ADD COLUMN restore_s REAL;\n"
	"DROP VIEW v_incidents;\n"
	"CREATE VIEW v_incidents AS\n"
	"SELECT r.scenario_name, r.scenario_hash, i.kind, i.target,\n"
	"       COUNT(DISTINCT i.run_id) AS replications, COUNT(*) AS incidents,\n"
	"       COUNT(*) - COUNT(i.rto_s) AS unrecovered,\n"
	"       AVG(i.rto_s) AS rto_s_mean, MIN(i.rto_s) AS rto_s_min, MAX(i.rto_s) AS rto_s_max,\n"
	"       AVG(i.rpo_tx) AS rpo_tx_mean, MAX(i.rpo_tx) AS rpo_tx_max,\n"
	"       SUM(i.data_lost) AS data_lost,\n"
	"       AVG(i.detect_s) AS detect_s_mean, AVG(i.operator_s) AS operator_s_mean,\n"
	"       AVG(i.decide_s) AS decide_s_mean, AVG(i.transition_s) AS transition_s_mean,\n"
	"       AVG(i.restore_s) AS restore_s_mean, AVG(i.freeze_s) AS freeze_s_mean,\n"
	"       AVG(i.reroute_s) AS reroute_s_mean, AVG(i.reconnect_s) AS reconnect_s_mean,\n"
	"       AVG(i.ecp_stall_max_s) AS ecp_stall_s_mean, MAX(i.ecp_stall_max_s) AS ecp_stall_s_max,\n"
	"       AVG(i.ecp_held_completed) AS ecp_held_completed_mean,\n"
	"       AVG(i.ecp_network_errors) AS ecp_network_errors_mean,\n"
	"       AVG(i.ecp_rolled_back) AS ecp_rolled_back_mean,\n"
	"       AVG(i.ecp_sessions_preserved) AS ecp_sessions_preserved_mean,\n"
	"       AVG(i.ecp_sessions_lost) AS ecp_sessions_lost_mean\n"
	"FROM incidents i JOIN runs r USING (run_id)\n"
	"GROUP BY r.scenario_name, r.scenario_hash, i.kind, i.target;\n";

/* migrations[i] takes a file from user_version i to i + 1. */
static const char *const migrations[] = {
	schema_v1,
	schema_v2,
	schema_v3,
	schema_v4,
	schema_v5,
	schema_v6,
	schema_v7,
	schema_v8,
	schema_v9,
	schema_v10,
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
	STMT_VERDICT,
	STMT_COUNT
};

static const char *const stmt_sql[STMT_COUNT] = {
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	[STMT_RUN] = "INSERT INTO runs (scenario_name, scenario_text, scenario_hash, seed, "
		     "replication, topsim_version, started_at, wall_s, sim_s, warmup_s, events, "
		     "experiment, variant) "
		     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	[STMT_FINISH] = "UPDATE runs SET wall_s = ?2, events = ?3 WHERE run_id = ?1",
	[STMT_METRIC] = "INSERT INTO metrics (run_id, name, qualifier, value, unit) "
			"VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_LATENCY] = "INSERT INTO latency (run_id, op_class, count, mean_s, p50_s, p90_s, "
			 "p99_s, p999_s, max_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[STMT_BUCKET] = "INSERT INTO latency_buckets (run_id, op_class, lower_s, upper_s, count) "
			"VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_POINT] = "INSERT INTO timeseries (run_id, t_s, width_s, name, qualifier, value, "
		       "unit) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[STMT_INCIDENT] = "INSERT INTO incidents (run_id, kind, target, start_s, end_s, rto_s, "
			  "detect_s, decide_s, transition_s, reroute_s, reconnect_s, rpo_tx, "
			  "rpo_durable_tx, rpo_bytes, rpo_span_s, write_unavailable_s, "
			  "read_unavailable_s, primary_before, primary_after, data_lost, "
			  "ecp_stall_max_s, ecp_stalls, ecp_held_completed, ecp_network_errors, "
			  "ecp_rolled_back, ecp_sessions_preserved, ecp_sessions_lost, "
			  "operator_s, freeze_s, restore_s) "
			  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
			  "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, "
			  "?29, ?30)",
	[STMT_INCIDENT_EVENT] = "INSERT INTO incident_events (run_id, incident_id, t_s, source, "
				"event, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[STMT_VIOLATION] = "INSERT INTO invariant_violations (run_id, t_s, invariant, detail) "
			   "VALUES (?1, ?2, ?3, ?4)",
	[STMT_VERDICT] = "INSERT INTO expectation_verdicts (experiment, variant, scenario_name, "
			 "scenario_hash, position, expectation, metric, selection, quantifier, op, "
			 "threshold, threshold_text, unit, measured, mean, lo, hi, level, min, max, "
			 "n_values, unmeasured, replications, verdict, measured_text, reason) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
			 "?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
};

/* Read statements. Each binds its values as parameters; an optional filter is
 * `(?n IS NULL OR column = ?n)` with NULL bound for "any". */
enum results_read {
	RD_RUNS,
	RD_RUNS3,
	RD_METRICS,
	RD_METRIC_ONE,
	RD_METRIC_ACROSS,
	RD_LATENCIES,
	RD_LATENCY_ONE,
	RD_BUCKETS,
	RD_POINTS,
	RD_POINTS_BEFORE_V4, /* a read-only file older than schema 4: units by name */
	RD_INCIDENTS,
	RD_INCIDENTS6,       /* from schema 6, with the ECP figures */
	RD_INCIDENTS10,      /* from schema 10, with the operator, freeze and restore stages */
	RD_INCIDENT_EVENTS,
	RD_VIOLATIONS,
	RD_VERDICTS,         /* schema 7 */
	RD_AVAIL_RUNS,       /* schema 5 */
	RD_AVAIL_CAUSES,
	RD_COUNT
};

static const struct {
	int since; /* schema version that has the tables it reads */
	const char *sql;
} read_sql[RD_COUNT] = {
	[RD_RUNS] = {1, "SELECT run_id, scenario_name, CASE WHEN ?4 THEN scenario_text END, "
			"scenario_hash, seed, replication, topsim_version, started_at, wall_s, "
			"sim_s, warmup_s, events FROM runs "
			"WHERE (?1 IS NULL OR run_id = ?1) AND (?2 IS NULL OR scenario_name = ?2) "
			"AND (?3 IS NULL OR scenario_hash = ?3) ORDER BY run_id"},
	/* The same from schema 3 on, with the experiment and variant (and a filter on the
	 * experiment); results_runs prefers it when the file has those columns. */
	[RD_RUNS3] = {3, "SELECT run_id, scenario_name, CASE WHEN ?4 THEN scenario_text END, "
			 "scenario_hash, seed, replication, topsim_version, started_at, wall_s, "
			 "sim_s, warmup_s, events, experiment, variant FROM runs "
			 "WHERE (?1 IS NULL OR run_id = ?1) AND (?2 IS NULL OR scenario_name = ?2) "
			 "AND (?3 IS NULL OR scenario_hash = ?3) "
			 "AND (?5 IS NULL OR experiment = ?5) ORDER BY run_id"},
	[RD_METRICS] = {1, "SELECT m.run_id, r.replication, m.name, m.qualifier, m.value, m.unit "
			   "FROM metrics m JOIN runs r USING (run_id) WHERE m.run_id = ?1 "
			   "ORDER BY m.name, m.qualifier"},
	[RD_METRIC_ONE] = {1, "SELECT value, unit FROM metrics "
			      "WHERE run_id = ?1 AND name = ?2 AND qualifier = ?3"},
	[RD_METRIC_ACROSS] = {1, "SELECT m.run_id, r.replication, m.name, m.qualifier, m.value, "
				 "m.unit FROM metrics m JOIN runs r USING (run_id) "
				 "WHERE (?1 IS NULL OR r.scenario_name = ?1) "
				 "AND (?2 IS NULL OR r.scenario_hash = ?2) "
				 "AND m.name = ?3 AND m.qualifier = ?4 "
				 "ORDER BY r.replication, m.run_id"},
	[RD_LATENCIES] = {1, "SELECT run_id, op_class, count, mean_s, p50_s, p90_s, p99_s, p999_s, "
			     "max_s FROM latency WHERE run_id = ?1 ORDER BY op_class"},
	[RD_LATENCY_ONE] = {1, "SELECT count, mean_s, max_s FROM latency "
			       "WHERE run_id = ?1 AND op_class = ?2"},
	[RD_BUCKETS] = {1, "SELECT lower_s, upper_s, count FROM latency_buckets "
			   "WHERE run_id = ?1 AND op_class = ?2 ORDER BY lower_s"},
	[RD_POINTS] = {4, "SELECT run_id, t_s, width_s, name, qualifier, value, unit FROM timeseries "
			  "WHERE run_id = ?1 AND (?2 IS NULL OR name = ?2) "
			  "AND (?3 IS NULL OR qualifier = ?3) ORDER BY name, qualifier, t_s"},
	[RD_POINTS_BEFORE_V4] = {1, "SELECT run_id, t_s, width_s, name, qualifier, value, "
				    SERIES_UNIT_BEFORE_V4 " FROM timeseries "
				    "WHERE run_id = ?1 AND (?2 IS NULL OR name = ?2) "
				    "AND (?3 IS NULL OR qualifier = ?3) ORDER BY name, qualifier, t_s"},
	[RD_INCIDENTS] = {2, "SELECT incident_id, run_id, kind, target, start_s, end_s, rto_s, "
			     "detect_s, decide_s, transition_s, reroute_s, reconnect_s, rpo_tx, "
			     "rpo_durable_tx, rpo_bytes, rpo_span_s, write_unavailable_s, "
			     "read_unavailable_s, primary_before, primary_after, data_lost, "
			     "NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL "
			     "FROM incidents WHERE run_id = ?1 ORDER BY incident_id"},
	[RD_INCIDENTS6] = {6, "SELECT incident_id, run_id, kind, target, start_s, end_s, rto_s, "
			      "detect_s, decide_s, transition_s, reroute_s, reconnect_s, rpo_tx, "
			      "rpo_durable_tx, rpo_bytes, rpo_span_s, write_unavailable_s, "
			      "read_unavailable_s, primary_before, primary_after, data_lost, "
			      "ecp_stall_max_s, ecp_stalls, ecp_held_completed, ecp_network_errors, "
			      "ecp_rolled_back, ecp_sessions_preserved, ecp_sessions_lost, "
			      "NULL, NULL, NULL "
			      "FROM incidents WHERE run_id = ?1 ORDER BY incident_id"},
	[RD_INCIDENTS10] = {10, "SELECT incident_id, run_id, kind, target, start_s, end_s, rto_s, "
			      "detect_s, decide_s, transition_s, reroute_s, reconnect_s, rpo_tx, "
			      "rpo_durable_tx, rpo_bytes, rpo_span_s, write_unavailable_s, "
			      "read_unavailable_s, primary_before, primary_after, data_lost, "
			      "ecp_stall_max_s, ecp_stalls, ecp_held_completed, ecp_network_errors, "
			      "ecp_rolled_back, ecp_sessions_preserved, ecp_sessions_lost, "
			      "operator_s, freeze_s, restore_s "
			      "FROM incidents WHERE run_id = ?1 ORDER BY incident_id"},
	[RD_INCIDENT_EVENTS] = {2, "SELECT event_id, run_id, incident_id, t_s, source, event, "
				   "detail FROM incident_events WHERE run_id = ?1 "
				   "AND (?2 IS NULL OR incident_id = ?2) ORDER BY t_s, event_id"},
	[RD_VIOLATIONS] = {2, "SELECT run_id, t_s, invariant, detail FROM invariant_violations "
			      "WHERE run_id = ?1 ORDER BY t_s, rowid"},
	[RD_VERDICTS] = {7, "SELECT verdict_id, experiment, variant, scenario_name, scenario_hash, "
			    "position, expectation, metric, selection, quantifier, op, threshold, "
			    "threshold_text, unit, measured, mean, lo, hi, level, min, max, n_values, "
			    "unmeasured, replications, verdict = 'pass', measured_text, reason "
			    "FROM expectation_verdicts WHERE (?1 IS NULL OR experiment = ?1) "
			    "ORDER BY verdict_id"},
	[RD_AVAIL_RUNS] = {5, "SELECT avail_id, experiment, scenario_name, scenario_hash, seed, "
			      "years, batches, level, write_availability, write_availability_half, "
			      "read_availability, read_availability_half, downtime_min_per_year, "
			      "downtime_min_per_year_half, incidents_per_year, incidents_per_year_half, "
			      "takeovers_per_year, takeovers_per_year_half, lossy_promotions_per_year, "
			      "lossy_promotions_per_year_half, yearly_downtime_p50_min, "
			      "yearly_downtime_p90_min, yearly_downtime_p99_min, "
			      "yearly_downtime_max_min, exact_availability, rpo_tx_per_year, outages, "
			      "bias, effective_samples FROM avail_runs "
			      "WHERE (?1 IS NULL OR experiment = ?1) ORDER BY avail_id"},
	[RD_AVAIL_CAUSES] = {5, "SELECT incident_class, stage, minutes_per_year, "
				"minutes_per_year_half, incidents_per_year, samples FROM avail_causes "
				"WHERE avail_id = ?1 ORDER BY rowid"},
};

struct results {
	sqlite3 *db;                     /* owned connection */
	sqlite3_stmt *stmt[STMT_COUNT]; /* owned, prepared at open, indexed by enum results_stmt;
					 * all NULL on a read-only handle */
	sqlite3_stmt *read[RD_COUNT];   /* owned, prepared at open; NULL when the file's schema
					 * predates the tables (read_sql[].since) */
	int version;                     /* schema version of the file */
	bool readonly;                   /* opened by results_open_readonly */
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

/* Step a write statement whose bindings returned `rc` (OR of the bind calls). Every INSERT
 * and UPDATE goes through here, so a failed bind and a failed step are reported alike and the
 * statement is always left reset with its bindings cleared. Returns 0 or -EIO. */
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

/* Prepare the read statements the file's schema version has tables for. A statement that
 * does not compile means tables or columns are missing: not a topsim file of that version.
 * Returns 0 or -EIO (message in r->errmsg). */
static int prepare_reads(struct results *r)
{
	for (int i = 0; i < RD_COUNT; i++) {
		if (read_sql[i].since > r->version)
			continue;
		if (sqlite3_prepare_v3(r->db, read_sql[i].sql, -1, SQLITE_PREPARE_PERSISTENT,
				       &r->read[i], NULL) != SQLITE_OK)
			return db_fail(r);
	}
	return 0;
}

/* The write statement id, or NULL (message set) on a read-only handle. */
static sqlite3_stmt *write_stmt(struct results *r, enum results_stmt id)
{
	if (r->readonly) {
		set_err(r, "the results database is open read-only");
		return NULL;
	}
	return r->stmt[id];
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
	r->version = RESULTS_SCHEMA_VERSION;
	if (prepare_reads(r) < 0) {
		snprintf(err, err_size, "\"%s\": %s", path, r->errmsg);
		goto out_close;
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
	for (int i = 0; i < RD_COUNT; i++)
		sqlite3_finalize(r->read[i]);
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
	sqlite3_stmt *s = write_stmt(r, STMT_BEGIN);
	return s ? step_done(r, s) : -EROFS;
}

int results_commit(struct results *r)
{
	sqlite3_stmt *s = write_stmt(r, STMT_COMMIT);
	return s ? step_done(r, s) : -EROFS;
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
	sqlite3_stmt *s = write_stmt(r, STMT_RUN);
	if (!s)
		return -EROFS;
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
	rc |= bind_text(s, 12, run->experiment ? run->experiment : "", 0);
	rc |= bind_text(s, 13, run->variant ? run->variant : "", 0);
	if (bound_step(r, s, rc) < 0)
		return -EIO;
	*run_id = sqlite3_last_insert_rowid(r->db);
	return 0;
}

int results_finish_run(struct results *r, int64_t run_id, double wall_s, uint64_t events)
{
	sqlite3_stmt *s = write_stmt(r, STMT_FINISH);
	if (!s)
		return -EROFS;
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
	sqlite3_stmt *s = write_stmt(r, STMT_METRIC);
	if (!s)
		return -EROFS;
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= bind_text(s, 2, name, 0);
	rc |= bind_text(s, 3, qualifier, 1);
	rc |= bind_real(s, 4, value);
	rc |= bind_text(s, 5, unit, 1);
	return bound_step(r, s, rc);
}

/* Write the summary row of h. */
static int add_latency_summary(struct results *r, int64_t run_id, const char *op_class,
			       const struct stat_hist *h)
{
	sqlite3_stmt *s = write_stmt(r, STMT_LATENCY);
	if (!s)
		return -EROFS;
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= bind_text(s, 2, op_class, 0);
	rc |= sqlite3_bind_int64(s, 3, (sqlite3_int64)stat_hist_count(h));
	rc |= bind_real(s, 4, stat_hist_mean(h));
	rc |= bind_real(s, 5, stat_hist_quantile(h, 0.50));
	rc |= bind_real(s, 6, stat_hist_quantile(h, 0.90));
	rc |= bind_real(s, 7, stat_hist_quantile(h, 0.99));
	rc |= bind_real(s, 8, stat_hist_quantile(h, 0.999));
	rc |= bind_real(s, 9, stat_hist_max(h));
	return bound_step(r, s, rc);
}

int results_add_latency(struct results *r, int64_t run_id, const char *op_class,
			const struct stat_hist *h)
{
	int err = add_latency_summary(r, run_id, op_class, h);
	if (err < 0)
		return err;
	sqlite3_stmt *s = write_stmt(r, STMT_BUCKET);
	if (!s)
		return -EROFS;
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
		      const char *name, const char *qualifier, double value, const char *unit)
{
	sqlite3_stmt *s = write_stmt(r, STMT_POINT);
	if (!s)
		return -EROFS;
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= sqlite3_bind_double(s, 2, t_s);
	rc |= sqlite3_bind_double(s, 3, width_s);
	rc |= bind_text(s, 4, name, 0);
	rc |= bind_text(s, 5, qualifier, 1);
	rc |= bind_real(s, 6, value);
	rc |= bind_text(s, 7, unit, 1);
	return bound_step(r, s, rc);
}

int results_add_incident(struct results *r, int64_t run_id, const struct results_incident *inc,
			 int64_t *incident_id)
{
	sqlite3_stmt *s = write_stmt(r, STMT_INCIDENT);
	if (!s)
		return -EROFS;
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
	rc |= bind_real(s, 21, inc->ecp_stall_max_s);
	rc |= sqlite3_bind_int64(s, 22, inc->ecp_stalls);
	rc |= sqlite3_bind_int64(s, 23, inc->ecp_held_completed);
	rc |= sqlite3_bind_int64(s, 24, inc->ecp_network_errors);
	rc |= sqlite3_bind_int64(s, 25, inc->ecp_rolled_back);
	rc |= sqlite3_bind_int64(s, 26, inc->ecp_sessions_preserved);
	rc |= sqlite3_bind_int64(s, 27, inc->ecp_sessions_lost);
	rc |= bind_real(s, 28, inc->operator_s);
	rc |= bind_real(s, 29, inc->freeze_s);
	rc |= bind_real(s, 30, inc->restore_s);
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
	sqlite3_stmt *s = write_stmt(r, STMT_INCIDENT_EVENT);
	if (!s)
		return -EROFS;
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= incident_id > 0 ? sqlite3_bind_int64(s, 2, incident_id) : sqlite3_bind_null(s, 2);
	rc |= bind_real(s, 3, t_s);
	rc |= bind_text(s, 4, source, 1);
	rc |= bind_text(s, 5, event, 0);
	rc |= bind_text(s, 6, detail, 1);
	return bound_step(r, s, rc);
}

int results_add_violation(struct results *r, int64_t run_id, double t_s, const char *invariant,
			  const char *detail)
{
	sqlite3_stmt *s = write_stmt(r, STMT_VIOLATION);
	if (!s)
		return -EROFS;
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= bind_real(s, 2, t_s);
	rc |= bind_text(s, 3, invariant, 0);
	rc |= bind_text(s, 4, detail, 1);
	return bound_step(r, s, rc);
}

/* ---- reading ----------------------------------------------------------------------------- */

struct results *results_open_readonly(const char *path, char *err, size_t err_size)
{
	struct results *r = calloc(1, sizeof(*r));

	if (err_size > 0)
		err[0] = '\0';
	if (!r) {
		snprintf(err, err_size, "\"%s\": out of memory", path);
		return NULL;
	}
	r->readonly = true;
	/* No SQLITE_OPEN_CREATE: a missing file is an error, not a new empty database. */
	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, err_size, "\"%s\": cannot open: %s", path,
			 r->db ? sqlite3_errmsg(r->db) : "out of memory");
		goto out_close;
	}
	sqlite3_extended_result_codes(r->db, 1);
	sqlite3_busy_timeout(r->db, RESULTS_BUSY_TIMEOUT_MS);

	if (read_user_version(r, &r->version) < 0) {
		snprintf(err, err_size, "\"%s\" is not a topsim results database: %s", path,
			 r->errmsg);
		goto out_close;
	}
	if (r->version > RESULTS_SCHEMA_VERSION) {
		snprintf(err, err_size,
			 "\"%s\" was written by a newer topsim (schema %d; this one reads up to %d)",
			 path, r->version, RESULTS_SCHEMA_VERSION);
		goto out_close;
	}
	if (r->version <= 0) {
		snprintf(err, err_size,
			 "\"%s\" is not a topsim results database: it has no schema version", path);
		goto out_close;
	}
	/* Belt and braces: even a statement added here by mistake cannot write. */
	if (exec(r, "PRAGMA query_only = 1") < 0) {
		snprintf(err, err_size, "\"%s\": %s", path, r->errmsg);
		goto out_close;
	}
	if (prepare_reads(r) < 0) {
		snprintf(err, err_size, "\"%s\" is not a topsim results database: %s", path,
			 r->errmsg);
		goto out_close;
	}
	return r;

out_close:
	results_close(r);
	return NULL;
}

int results_schema_version(const struct results *r)
{
	return r->version;
}

/* Strings of a list live in chunks that never move, so row pointers stay valid while the
 * row array grows; release frees the chain. */
struct chunk {
	struct chunk *next;
	size_t used, cap; /* bytes of data[] */
	char data[];
};

#define CHUNK_MIN 4096

static void chunks_free(void *mem)
{
	struct chunk *c = mem;
	while (c) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
}

/* One query in progress: the rows collected so far and their strings. */
struct reader {
	void *rows;          /* n rows of row_size bytes, cap allocated */
	size_t n, cap, row_size;
	struct chunk *chunks; /* the rows' strings; head is the chunk being filled */
	bool oom;            /* a string could not be stored */
};

/* Copy column i (TEXT or NULL) into the reader's chunks. NULL for a NULL column, or (with
 * rd->oom set) when out of memory. */
static const char *rd_text(struct reader *rd, sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	const unsigned char *t = sqlite3_column_text(s, i);
	if (!t) {
		rd->oom = true;
		return NULL;
	}
	size_t len = (size_t)sqlite3_column_bytes(s, i) + 1;
	struct chunk *c = rd->chunks;
	if (!c || c->cap - c->used < len) {
		size_t cap = len > CHUNK_MIN ? len : CHUNK_MIN;
		c = malloc(sizeof(*c) + cap);
		if (!c) {
			rd->oom = true;
			return NULL;
		}
		c->used = 0;
		c->cap = cap;
		c->next = rd->chunks;
		rd->chunks = c;
	}
	char *out = c->data + c->used;
	memcpy(out, t, len);
	c->used += len;
	return out;
}

/* A REAL column; NULL reads as NaN. */
static double rd_real(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

typedef void (*row_fill)(struct reader *rd, sqlite3_stmt *s, void *row);

/* Step s (bound with `bind_rc`, the OR of its bind calls) to the end, one zeroed row of
 * rd->row_size per result row filled by fill. The statement is always reset and its
 * bindings cleared. On failure the rows are freed and rd left empty. A NULL s (a table the
 * file's schema predates) gives no rows. Returns 0, -ENOMEM or -EIO. */
static int run_query(struct results *r, sqlite3_stmt *s, int bind_rc, struct reader *rd,
		     row_fill fill)
{
	int rc = 0, step;

	if (!s)
		return 0;
	if (bind_rc != SQLITE_OK) {
		rc = db_fail(r);
		goto out_reset;
	}
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (rd->n == rd->cap) {
			size_t cap = rd->cap ? 2 * rd->cap : 16;
			void *rows = realloc(rd->rows, cap * rd->row_size);
			if (!rows) {
				rd->oom = true;
				break;
			}
			rd->rows = rows;
			rd->cap = cap;
		}
		void *row = (char *)rd->rows + rd->n * rd->row_size;
		memset(row, 0, rd->row_size);
		fill(rd, s, row);
		if (rd->oom)
			break;
		rd->n++;
	}
	if (rd->oom) {
		set_err(r, "out of memory");
		rc = -ENOMEM;
	} else if (step != SQLITE_DONE) {
		rc = db_fail(r);
	}
out_reset:
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc < 0) {
		free(rd->rows);
		chunks_free(rd->chunks);
		rd->rows = NULL;
		rd->chunks = NULL;
		rd->n = rd->cap = 0;
	}
	return rc;
}

/* A reader for list l's rows, and handing its rows and strings over to l (members v, n,
 * mem_). */
#define READER_FOR(l) {.row_size = sizeof(*(l)->v)}
#define LIST_TAKE(l, rd) ((l)->v = (rd).rows, (l)->n = (rd).n, (l)->mem_ = (rd).chunks)

/* Free a list's rows and strings and leave it empty; NULL is a no-op. */
#define LIST_RELEASE(l)                                                                     \
	do {                                                                                \
		if (l) {                                                                    \
			free((l)->v);                                                       \
			chunks_free((l)->mem_);                                             \
			(l)->v = NULL;                                                      \
			(l)->n = 0;                                                         \
			(l)->mem_ = NULL;                                                   \
		}                                                                           \
	} while (0)

/* Bind an optional filter value: NULL (match any) when absent. */
static int bind_opt_id(sqlite3_stmt *s, int i, int64_t id)
{
	return id > 0 ? sqlite3_bind_int64(s, i, id) : sqlite3_bind_null(s, i);
}

static void fill_run(struct reader *rd, sqlite3_stmt *s, void *row)
{
	struct results_run_row *o = row;
	o->run_id = sqlite3_column_int64(s, 0);
	o->run.scenario_name = rd_text(rd, s, 1);
	o->run.scenario_text = rd_text(rd, s, 2);
	o->run.scenario_hash = rd_text(rd, s, 3);
	o->run.seed = (uint64_t)sqlite3_column_int64(s, 4);
	o->run.replication = (uint32_t)sqlite3_column_int64(s, 5);
	o->run.version = rd_text(rd, s, 6);
	o->run.started_at = rd_text(rd, s, 7);
	o->run.wall_s = rd_real(s, 8);
	o->run.sim_s = rd_real(s, 9);
	o->run.warmup_s = rd_real(s, 10);
	o->run.events = (uint64_t)sqlite3_column_int64(s, 11);
	/* Before schema 3 there are no such columns: "" as the writer stores for none. */
	o->run.experiment = sqlite3_column_count(s) > 12 ? rd_text(rd, s, 12) : "";
	o->run.variant = sqlite3_column_count(s) > 13 ? rd_text(rd, s, 13) : "";
}

int results_runs(struct results *r, const struct results_run_filter *filter,
		 struct results_runs *out)
{
	static const struct results_run_filter all = {0};
	const struct results_run_filter *f = filter ? filter : &all;
	sqlite3_stmt *s = r->read[RD_RUNS3] ? r->read[RD_RUNS3] : r->read[RD_RUNS];
	if (!r->read[RD_RUNS3] && f->experiment && *f->experiment) {
		/* No experiments before schema 3: a named one matches nothing. */
		memset(out, 0, sizeof(*out));
		return 0;
	}
	int rc = bind_opt_id(s, 1, f->run_id);
	rc |= bind_text(s, 2, f->scenario_name, 0);
	rc |= bind_text(s, 3, f->scenario_hash, 0);
	rc |= sqlite3_bind_int(s, 4, f->with_text);
	if (s == r->read[RD_RUNS3])
		rc |= bind_text(s, 5, f->experiment, 0);
	struct reader rd = READER_FOR(out);
	int err = run_query(r, s, rc, &rd, fill_run);
	LIST_TAKE(out, rd);
	return err;
}

void results_runs_release(struct results_runs *l)
{
	LIST_RELEASE(l);
}

static void fill_metric(struct reader *rd, sqlite3_stmt *s, void *row)
{
	struct results_metric *o = row;
	o->run_id = sqlite3_column_int64(s, 0);
	o->replication = (uint32_t)sqlite3_column_int64(s, 1);
	o->name = rd_text(rd, s, 2);
	o->qualifier = rd_text(rd, s, 3);
	o->value = rd_real(s, 4);
	o->unit = rd_text(rd, s, 5);
}

int results_metrics(struct results *r, int64_t run_id, struct results_metrics *out)
{
	sqlite3_stmt *s = r->read[RD_METRICS];
	int rc = sqlite3_bind_int64(s, 1, run_id);
	struct reader rd = READER_FOR(out);
	int err = run_query(r, s, rc, &rd, fill_metric);
	LIST_TAKE(out, rd);
	return err;
}

int results_metric(struct results *r, int64_t run_id, const char *name, const char *qualifier,
		   double *value, char *unit, size_t unit_size)
{
	sqlite3_stmt *s = r->read[RD_METRIC_ONE];
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= bind_text(s, 2, name, 0);
	rc |= bind_text(s, 3, qualifier, 1);
	*value = NAN;
	if (unit && unit_size > 0)
		unit[0] = '\0';
	if (rc != SQLITE_OK) {
		rc = db_fail(r);
		goto out_reset;
	}
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*value = rd_real(s, 0);
		if (unit && unit_size > 0) {
			const unsigned char *u = sqlite3_column_text(s, 1);
			snprintf(unit, unit_size, "%s", u ? (const char *)u : "");
		}
		rc = 0;
	} else if (step == SQLITE_DONE) {
		set_err(r, "run %lld has no metric \"%s\" qualified \"%s\"", (long long)run_id,
			name ? name : "(null)", qualifier ? qualifier : "");
		rc = -ENOENT;
	} else {
		rc = db_fail(r);
	}
out_reset:
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

int results_metric_across(struct results *r, const char *scenario_name,
			  const char *scenario_hash, const char *name, const char *qualifier,
			  struct results_metrics *out)
{
	sqlite3_stmt *s = r->read[RD_METRIC_ACROSS];
	int rc = bind_text(s, 1, scenario_name, 0);
	rc |= bind_text(s, 2, scenario_hash, 0);
	rc |= bind_text(s, 3, name, 0);
	rc |= bind_text(s, 4, qualifier, 1);
	struct reader rd = READER_FOR(out);
	int err = run_query(r, s, rc, &rd, fill_metric);
	LIST_TAKE(out, rd);
	return err;
}

void results_metrics_release(struct results_metrics *l)
{
	LIST_RELEASE(l);
}

static void fill_latency(struct reader *rd, sqlite3_stmt *s, void *row)
{
	struct results_latency *o = row;
	o->run_id = sqlite3_column_int64(s, 0);
	o->op_class = rd_text(rd, s, 1);
	o->count = (uint64_t)sqlite3_column_int64(s, 2);
	o->mean_s = rd_real(s, 3);
	o->p50_s = rd_real(s, 4);
	o->p90_s = rd_real(s, 5);
	o->p99_s = rd_real(s, 6);
	o->p999_s = rd_real(s, 7);
	o->max_s = rd_real(s, 8);
}

int results_latencies(struct results *r, int64_t run_id, struct results_latencies *out)
{
	sqlite3_stmt *s = r->read[RD_LATENCIES];
	int rc = sqlite3_bind_int64(s, 1, run_id);
	struct reader rd = READER_FOR(out);
	int err = run_query(r, s, rc, &rd, fill_latency);
	LIST_TAKE(out, rd);
	return err;
}

void results_latencies_release(struct results_latencies *l)
{
	LIST_RELEASE(l);
}

static void fill_bucket(struct reader *rd, sqlite3_stmt *s, void *row)
{
	struct results_bucket *o = row;
	(void)rd;
	o->lower_s = rd_real(s, 0);
	o->upper_s = rd_real(s, 1);
	o->count = (uint64_t)sqlite3_column_int64(s, 2);
}

int results_buckets(struct results *r, int64_t run_id, const char *op_class,
		    struct results_buckets *out)
{
	sqlite3_stmt *s = r->read[RD_BUCKETS];
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= bind_text(s, 2, op_class, 0);
	struct reader rd = READER_FOR(out);
	int err = run_query(r, s, rc, &rd, fill_bucket);
	LIST_TAKE(out, rd);
	return err;
}

void results_buckets_release(struct results_buckets *l)
{
	LIST_RELEASE(l);
}

/* A sum whose division by n gives mean back exactly, as stat_hist_mean computes it: mean * n,
 * or one of its nearest neighbours when rounding moved it. */
static double sum_for_mean(double mean, uint64_t n)
{
	double dn = (double)n, x = mean * dn, up = x, down = x;
	for (int k = 0; k < 4; k++) {
		if (x / dn == mean)
			return x;
		up = nextafter(up, INFINITY);
		if (up / dn == mean)
			return up;
		down = nextafter(down, -INFINITY);
		if (down / dn == mean)
			return down;
	}
	return mean * dn;
}

/* Read the latency summary (count, mean, max) of (run_id, op_class). Returns 0, -ENOENT or
 * -EIO. */
static int latency_summary(struct results *r, int64_t run_id, const char *op_class,
			   uint64_t *count, double *mean_s, double *max_s /* OUT */)
{
	sqlite3_stmt *s = r->read[RD_LATENCY_ONE];
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= bind_text(s, 2, op_class, 0);
	if (rc != SQLITE_OK) {
		rc = db_fail(r);
		goto out_reset;
	}
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*count = (uint64_t)sqlite3_column_int64(s, 0);
		*mean_s = rd_real(s, 1);
		*max_s = rd_real(s, 2);
		rc = 0;
	} else if (step == SQLITE_DONE) {
		set_err(r, "run %lld has no latency of \"%s\"", (long long)run_id,
			op_class ? op_class : "(null)");
		rc = -ENOENT;
	} else {
		rc = db_fail(r);
	}
out_reset:
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

int results_latency_hist(struct results *r, int64_t run_id, const char *op_class,
			 struct stat_hist *h)
{
	struct results_buckets b = {0};
	uint64_t count, total = 0;
	double mean_s, max_s;
	int rc;

	stat_hist_init(h);
	rc = latency_summary(r, run_id, op_class, &count, &mean_s, &max_s);
	if (rc < 0)
		return rc;
	rc = results_buckets(r, run_id, op_class, &b);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < b.n; i++) {
		const struct results_bucket *k = &b.v[i];
		/* The overflow bucket starts where the last regular one ends (inclusive), so it
		 * is known by its infinite upper bound rather than by its lower one. */
		size_t idx = isinf(k->upper_s) ? STAT_HIST_BUCKETS - 1
					       : stat_hist_bucket_index(k->lower_s);
		if (k->lower_s != stat_hist_bucket_lower(idx) ||
		    k->upper_s != stat_hist_bucket_upper(idx) || k->count == 0) {
			set_err(r,
				"run %lld, latency of \"%s\": bucket [%.17g, %.17g) does not fit "
				"this build's histogram layout",
				(long long)run_id, op_class, k->lower_s, k->upper_s);
			rc = -EINVAL;
			goto out_reset_hist;
		}
		if (total == 0)
			h->min = k->lower_s; /* rows come by lower_s: the lowest non-empty bucket */
		h->counts[idx] += k->count;
		total += k->count;
	}
	if (total != count || (count > 0 && (isnan(mean_s) || isnan(max_s)))) {
		set_err(r, "run %lld, latency of \"%s\": buckets hold %llu values, the summary %llu",
			(long long)run_id, op_class, (unsigned long long)total,
			(unsigned long long)count);
		rc = -EINVAL;
		goto out_reset_hist;
	}
	h->n = count;
	if (count > 0) {
		h->max = max_s;
		h->sum = sum_for_mean(mean_s, count);
	}
	results_buckets_release(&b);
	return 0;

out_reset_hist:
	stat_hist_init(h);
	results_buckets_release(&b);
	return rc;
}

static void fill_point(struct reader *rd, sqlite3_stmt *s, void *row)
{
	struct results_point *o = row;
	o->run_id = sqlite3_column_int64(s, 0);
	o->t_s = rd_real(s, 1);
	o->width_s = rd_real(s, 2);
	o->name = rd_text(rd, s, 3);
	o->qualifier = rd_text(rd, s, 4);
	o->value = rd_real(s, 5);
	o->unit = rd_text(rd, s, 6);
}

int results_points(struct results *r, int64_t run_id, const char *name, const char *qualifier,
		   struct results_points *out)
{
	sqlite3_stmt *s = r->read[RD_POINTS] ? r->read[RD_POINTS] : r->read[RD_POINTS_BEFORE_V4];
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= bind_text(s, 2, name, 0);
	rc |= bind_text(s, 3, qualifier, 0);
	struct reader rd = READER_FOR(out);
	int err = run_query(r, s, rc, &rd, fill_point);
	LIST_TAKE(out, rd);
	return err;
}

void results_points_release(struct results_points *l)
{
	LIST_RELEASE(l);
}

static void fill_incident(struct reader *rd, sqlite3_stmt *s, void *row)
{
	struct results_incident_row *o = row;
	struct results_incident *i = &o->inc;
	o->incident_id = sqlite3_column_int64(s, 0);
	o->run_id = sqlite3_column_int64(s, 1);
	i->kind = rd_text(rd, s, 2);
	i->target = rd_text(rd, s, 3);
	i->start_s = rd_real(s, 4);
	i->end_s = rd_real(s, 5);
	i->rto_s = rd_real(s, 6);
	i->detect_s = rd_real(s, 7);
	i->decide_s = rd_real(s, 8);
	i->transition_s = rd_real(s, 9);
	i->reroute_s = rd_real(s, 10);
	i->reconnect_s = rd_real(s, 11);
	i->rpo_tx = sqlite3_column_int64(s, 12);
	i->rpo_durable_tx = sqlite3_column_int64(s, 13);
	i->rpo_bytes = rd_real(s, 14);
	i->rpo_span_s = rd_real(s, 15);
	i->write_unavailable_s = rd_real(s, 16);
	i->read_unavailable_s = rd_real(s, 17);
	i->primary_before = rd_text(rd, s, 18);
	i->primary_after = rd_text(rd, s, 19);
	i->data_lost = sqlite3_column_int(s, 20);
	i->ecp_stall_max_s = rd_real(s, 21);
	i->ecp_stalls = sqlite3_column_int64(s, 22);
	i->ecp_held_completed = sqlite3_column_int64(s, 23);
	i->ecp_network_errors = sqlite3_column_int64(s, 24);
	i->ecp_rolled_back = sqlite3_column_int64(s, 25);
	i->ecp_sessions_preserved = sqlite3_column_int64(s, 26);
	i->ecp_sessions_lost = sqlite3_column_int64(s, 27);
	i->operator_s = rd_real(s, 28);
	i->freeze_s = rd_real(s, 29);
	i->restore_s = rd_real(s, 30);
}

int results_incidents(struct results *r, int64_t run_id, struct results_incidents *out)
{
	sqlite3_stmt *s = r->read[RD_INCIDENTS10]   ? r->read[RD_INCIDENTS10]
			  : r->read[RD_INCIDENTS6] ? r->read[RD_INCIDENTS6]
						   : r->read[RD_INCIDENTS];
	int rc = s ? sqlite3_bind_int64(s, 1, run_id) : SQLITE_OK;
	struct reader rd = READER_FOR(out);
	int err = run_query(r, s, rc, &rd, fill_incident);
	LIST_TAKE(out, rd);
	return err;
}

void results_incidents_release(struct results_incidents *l)
{
	LIST_RELEASE(l);
}

static void fill_incident_event(struct reader *rd, sqlite3_stmt *s, void *row)
{
	struct results_incident_event *o = row;
	o->event_id = sqlite3_column_int64(s, 0);
	o->run_id = sqlite3_column_int64(s, 1);
	o->incident_id = sqlite3_column_int64(s, 2); /* NULL reads as 0 */
	o->t_s = rd_real(s, 3);
	o->source = rd_text(rd, s, 4);
	o->event = rd_text(rd, s, 5);
	o->detail = rd_text(rd, s, 6);
}

int results_incident_events(struct results *r, int64_t run_id, int64_t incident_id,
			    struct results_incident_events *out)
{
	sqlite3_stmt *s = r->read[RD_INCIDENT_EVENTS];
	int rc = SQLITE_OK;
	if (s) {
		rc = sqlite3_bind_int64(s, 1, run_id);
		rc |= bind_opt_id(s, 2, incident_id);
	}
	struct reader rd = READER_FOR(out);
	int err = run_query(r, s, rc, &rd, fill_incident_event);
	LIST_TAKE(out, rd);
	return err;
}

void results_incident_events_release(struct results_incident_events *l)
{
	LIST_RELEASE(l);
}

static void fill_violation(struct reader *rd, sqlite3_stmt *s, void *row)
{
	struct results_violation *o = row;
	o->run_id = sqlite3_column_int64(s, 0);
	o->t_s = rd_real(s, 1);
	o->invariant = rd_text(rd, s, 2);
	o->detail = rd_text(rd, s, 3);
}

int results_violations(struct results *r, int64_t run_id, struct results_violations *out)
{
	sqlite3_stmt *s = r->read[RD_VIOLATIONS];
	int rc = s ? sqlite3_bind_int64(s, 1, run_id) : SQLITE_OK;
	struct reader rd = READER_FOR(out);
	int err = run_query(r, s, rc, &rd, fill_violation);
	LIST_TAKE(out, rd);
	return err;
}

void results_violations_release(struct results_violations *l)
{
	LIST_RELEASE(l);
}

/* ---- expectation verdicts (schema 7) ---------------------------------------------------- */

int results_add_verdict(struct results *r, const struct results_verdict *v)
{
	sqlite3_stmt *s = write_stmt(r, STMT_VERDICT);
	if (!s)
		return -EROFS;
	int rc = bind_text(s, 1, v->experiment, 1);
	rc |= bind_text(s, 2, v->variant, 1);
	rc |= bind_text(s, 3, v->scenario_name, 1);
	rc |= bind_text(s, 4, v->scenario_hash, 0);
	rc |= sqlite3_bind_int64(s, 5, v->position);
	rc |= bind_text(s, 6, v->expectation, 1);
	rc |= bind_text(s, 7, v->metric, 1);
	rc |= bind_text(s, 8, v->selection, 1);
	rc |= bind_text(s, 9, v->quantifier, 1);
	rc |= bind_text(s, 10, v->op, 1);
	rc |= bind_real(s, 11, v->threshold);
	rc |= bind_text(s, 12, v->threshold_text, 1);
	rc |= bind_text(s, 13, v->unit, 1);
	rc |= bind_real(s, 14, v->measured);
	rc |= bind_real(s, 15, v->mean);
	rc |= bind_real(s, 16, v->lo);
	rc |= bind_real(s, 17, v->hi);
	rc |= bind_real(s, 18, v->level);
	rc |= bind_real(s, 19, v->min);
	rc |= bind_real(s, 20, v->max);
	rc |= sqlite3_bind_int64(s, 21, v->n_values);
	rc |= sqlite3_bind_int64(s, 22, v->unmeasured);
	rc |= sqlite3_bind_int64(s, 23, v->replications);
	rc |= sqlite3_bind_text(s, 24, v->pass ? "pass" : "fail", -1, SQLITE_STATIC);
	rc |= bind_text(s, 25, v->measured_text, 1);
	rc |= bind_text(s, 26, v->reason, 1);
	return bound_step(r, s, rc);
}

static void fill_verdict(struct reader *rd, sqlite3_stmt *s, void *row)
{
	struct results_verdict_row *o = row;
	struct results_verdict *v = &o->v;
	o->verdict_id = sqlite3_column_int64(s, 0);
	v->experiment = rd_text(rd, s, 1);
	v->variant = rd_text(rd, s, 2);
	v->scenario_name = rd_text(rd, s, 3);
	v->scenario_hash = rd_text(rd, s, 4);
	v->position = sqlite3_column_int64(s, 5);
	v->expectation = rd_text(rd, s, 6);
	v->metric = rd_text(rd, s, 7);
	v->selection = rd_text(rd, s, 8);
	v->quantifier = rd_text(rd, s, 9);
	v->op = rd_text(rd, s, 10);
	v->threshold = rd_real(s, 11);
	v->threshold_text = rd_text(rd, s, 12);
	v->unit = rd_text(rd, s, 13);
	v->measured = rd_real(s, 14);
	v->mean = rd_real(s, 15);
	v->lo = rd_real(s, 16);
	v->hi = rd_real(s, 17);
	v->level = rd_real(s, 18);
	v->min = rd_real(s, 19);
	v->max = rd_real(s, 20);
	v->n_values = sqlite3_column_int64(s, 21);
	v->unmeasured = sqlite3_column_int64(s, 22);
	v->replications = sqlite3_column_int64(s, 23);
	v->pass = sqlite3_column_int(s, 24) != 0;
	v->measured_text = rd_text(rd, s, 25);
	v->reason = rd_text(rd, s, 26);
}

int results_verdicts(struct results *r, const char *experiment, struct results_verdicts *out)
{
	sqlite3_stmt *s = r->read[RD_VERDICTS];
	int rc = s ? bind_text(s, 1, experiment, 0) : SQLITE_OK;
	struct reader rd = READER_FOR(out);
	int err = run_query(r, s, rc, &rd, fill_verdict);
	LIST_TAKE(out, rd);
	return err;
}

void results_verdicts_release(struct results_verdicts *l)
{
	LIST_RELEASE(l);
}

/* ---- availability mode: reading (schema 5) ---------------------------------------------- */

static void fill_avail_run(struct reader *rd, sqlite3_stmt *s, void *row)
{
	struct results_avail_row *o = row;
	o->avail_id = sqlite3_column_int64(s, 0);
	o->experiment = rd_text(rd, s, 1);
	o->scenario_name = rd_text(rd, s, 2);
	o->scenario_hash = rd_text(rd, s, 3);
	o->seed = (uint64_t)sqlite3_column_int64(s, 4);
	o->years = rd_real(s, 5);
	o->batches = sqlite3_column_int64(s, 6);
	o->level = rd_real(s, 7);
	for (int i = 0; i < 16; i++)
		o->figures[i] = rd_real(s, 8 + i);
	o->exact_availability = rd_real(s, 24);
	o->rpo_tx_per_year = rd_real(s, 25);
	o->outages = (uint64_t)sqlite3_column_int64(s, 26);
	o->bias = rd_real(s, 27);
	o->effective_samples = rd_real(s, 28);
}

int results_avail_runs(struct results *r, const char *experiment,
		       struct results_avail_rows *out)
{
	sqlite3_stmt *s = r->read[RD_AVAIL_RUNS];
	int rc = s ? bind_text(s, 1, experiment, 0) : SQLITE_OK;
	struct reader rd = READER_FOR(out);
	int err = run_query(r, s, rc, &rd, fill_avail_run);
	LIST_TAKE(out, rd);
	return err;
}

void results_avail_runs_release(struct results_avail_rows *l)
{
	LIST_RELEASE(l);
}

static void fill_avail_cause(struct reader *rd, sqlite3_stmt *s, void *row)
{
	struct results_avail_cause *o = row;
	o->incident_class = rd_text(rd, s, 0);
	o->stage = rd_text(rd, s, 1);
	o->minutes_per_year = rd_real(s, 2);
	o->half = rd_real(s, 3);
	o->incidents_per_year = rd_real(s, 4);
	o->samples = (uint64_t)sqlite3_column_int64(s, 5);
}

int results_avail_causes(struct results *r, int64_t avail_id, struct results_avail_causes *out)
{
	sqlite3_stmt *s = r->read[RD_AVAIL_CAUSES];
	int rc = s ? sqlite3_bind_int64(s, 1, avail_id) : SQLITE_OK;
	struct reader rd = READER_FOR(out);
	int err = run_query(r, s, rc, &rd, fill_avail_cause);
	LIST_TAKE(out, rd);
	return err;
}

void results_avail_causes_release(struct results_avail_causes *l)
{
	LIST_RELEASE(l);
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

/* ---- experiments (schema 3) -------------------------------------------------------------- */

int results_new_experiment(struct results *r, const char *prefix, char *out, size_t size)
{
	if (r->version < 3) {
		snprintf(out, size, "%s-1", prefix);
		return 0;
	}
	sqlite3_stmt *s;
	const char *sql = r->version >= 5
		? "SELECT count(DISTINCT experiment) FROM (SELECT experiment FROM runs UNION ALL "
		  "SELECT experiment FROM avail_runs) WHERE experiment = ?1 "
		  "OR experiment GLOB ?1 || '-[0-9]*'"
		: "SELECT count(DISTINCT experiment) FROM runs WHERE experiment = ?1 "
		  "OR experiment GLOB ?1 || '-[0-9]*'";
	if (sqlite3_prepare_v2(r->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(r);
	int rc = bind_text(s, 1, prefix, 1);
	if (rc != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		db_fail(r);
		sqlite3_finalize(s);
		return -EIO;
	}
	int n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	snprintf(out, size, "%s-%d", prefix, n + 1);
	return 0;
}

/* ---- availability mode (schema 5) -------------------------------------------------------- */

/* Prepare sql on r's connection for one write; NULL (message set) on a read-only handle or
 * an older schema. */
static sqlite3_stmt *avail_stmt(struct results *r, const char *sql)
{
	sqlite3_stmt *s = NULL;
	if (r->readonly) {
		set_err(r, "read-only results handle");
		return NULL;
	}
	if (r->version < 5) {
		set_err(r, "the results database predates the availability tables (schema 5)");
		return NULL;
	}
	if (sqlite3_prepare_v2(r->db, sql, -1, &s, NULL) != SQLITE_OK) {
		db_fail(r);
		return NULL;
	}
	return s;
}

static int avail_step(struct results *r, sqlite3_stmt *s, int rc)
{
	rc = bound_step(r, s, rc);
	sqlite3_finalize(s);
	return rc;
}

int results_add_avail_run(struct results *r, const struct results_avail_run *a,
			  int64_t *avail_id)
{
	sqlite3_stmt *s = avail_stmt(
		r, "INSERT INTO avail_runs (experiment, scenario_name, scenario_text, "
		   "scenario_hash, seed, version, started_at, wall_s, years, batches, level, "
		   "write_availability, write_availability_half, read_availability, "
		   "read_availability_half, downtime_min_per_year, downtime_min_per_year_half, "
		   "incidents_per_year, incidents_per_year_half, takeovers_per_year, "
		   "takeovers_per_year_half, lossy_promotions_per_year, lossy_promotions_per_year_half, "
		   "yearly_downtime_p50_min, yearly_downtime_p90_min, yearly_downtime_p99_min, "
		   "yearly_downtime_max_min, exact_availability, events, rpo_tx_per_year, "
		   "outages, bias, effective_samples, read_downtime_min_per_year, "
		   "read_downtime_min_per_year_half) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
		   "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, "
		   "?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35)");
	if (!s)
		return r->readonly ? -EROFS : -EIO;
	int rc = bind_text(s, 1, a->experiment, 1);
	rc |= bind_text(s, 2, a->scenario_name, 1);
	rc |= bind_text(s, 3, a->scenario_text, 0);
	rc |= bind_text(s, 4, a->scenario_hash, 0);
	rc |= sqlite3_bind_int64(s, 5, (sqlite3_int64)a->seed);
	rc |= bind_text(s, 6, a->version, 0);
	rc |= bind_text(s, 7, a->started_at, 0);
	rc |= bind_real(s, 8, a->wall_s);
	rc |= bind_real(s, 9, a->years);
	rc |= sqlite3_bind_int64(s, 10, a->batches);
	rc |= bind_real(s, 11, a->level);
	for (int i = 0; i < 16; i++)
		rc |= bind_real(s, 12 + i, a->figures[i]);
	rc |= bind_real(s, 28, a->exact_availability);
	rc |= sqlite3_bind_int64(s, 29, (sqlite3_int64)a->events);
	rc |= bind_real(s, 30, a->rpo_tx_per_year);
	rc |= sqlite3_bind_int64(s, 31, (sqlite3_int64)a->outages);
	rc |= bind_real(s, 32, a->bias > 0 ? a->bias : NAN);
	rc |= bind_real(s, 33, a->effective_samples);
	rc |= bind_real(s, 34, a->read_downtime[0]);
	rc |= bind_real(s, 35, a->read_downtime[1]);
	rc = avail_step(r, s, rc);
	if (rc == 0 && avail_id)
		*avail_id = sqlite3_last_insert_rowid(r->db);
	return rc;
}

int results_add_avail_cause(struct results *r, int64_t avail_id, const char *incident_class,
			    const char *stage, double minutes_per_year, double half,
			    double incidents_per_year, uint64_t samples)
{
	sqlite3_stmt *s = avail_stmt(
		r, "INSERT INTO avail_causes (avail_id, incident_class, stage, minutes_per_year, "
		   "minutes_per_year_half, incidents_per_year, samples) VALUES (?1, ?2, ?3, ?4, ?5, "
		   "?6, ?7)");
	if (!s)
		return r->readonly ? -EROFS : -EIO;
	int rc = sqlite3_bind_int64(s, 1, avail_id);
	rc |= bind_text(s, 2, incident_class, 1);
	rc |= bind_text(s, 3, stage, 1);
	rc |= bind_real(s, 4, minutes_per_year);
	rc |= bind_real(s, 5, half);
	rc |= bind_real(s, 6, incidents_per_year);
	rc |= sqlite3_bind_int64(s, 7, (sqlite3_int64)samples);
	return avail_step(r, s, rc);
}

int results_add_avail_failures(struct results *r, int64_t avail_id, const char *cls,
			       double failures_per_year)
{
	sqlite3_stmt *s = avail_stmt(r, "INSERT INTO avail_failures (avail_id, class, "
					"failures_per_year) VALUES (?1, ?2, ?3)");
	if (!s)
		return r->readonly ? -EROFS : -EIO;
	int rc = sqlite3_bind_int64(s, 1, avail_id);
	rc |= bind_text(s, 2, cls, 1);
	rc |= bind_real(s, 3, failures_per_year);
	return avail_step(r, s, rc);
}

int results_add_avail_library(struct results *r, int64_t avail_id,
			      const struct results_avail_library *e)
{
	sqlite3_stmt *s = avail_stmt(
		r, "INSERT INTO avail_library (avail_id, incident_class, fault, replications, "
		   "recovered, rto_s, rto_s_half, detect_s, decide_s, transition_s, reroute_s, "
		   "reconnect_s, rpo_tx, write_unavailable_s, used, read_unavailable_s, cached, "
		   "stratum) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
		   "?15, ?16, ?17, ?18)");
	if (!s)
		return r->readonly ? -EROFS : -EIO;
	int rc = sqlite3_bind_int64(s, 1, avail_id);
	rc |= bind_text(s, 2, e->incident_class, 1);
	rc |= bind_text(s, 3, e->fault, 1);
	rc |= sqlite3_bind_int64(s, 4, e->replications);
	rc |= sqlite3_bind_int64(s, 5, e->recovered);
	rc |= bind_real(s, 6, e->rto_s);
	rc |= bind_real(s, 7, e->rto_s_half);
	for (int i = 0; i < 5; i++)
		rc |= bind_real(s, 8 + i, e->stage_s[i]);
	rc |= bind_real(s, 13, e->rpo_tx);
	rc |= bind_real(s, 14, e->write_unavailable_s);
	rc |= sqlite3_bind_int(s, 15, e->used);
	rc |= bind_real(s, 16, e->read_unavailable_s);
	rc |= sqlite3_bind_int(s, 17, e->cached);
	rc |= bind_text(s, 18, e->stratum ? e->stratum : "", 0);
	return avail_step(r, s, rc);
}

int results_avail_downtime(struct results *r, const char *experiment, double *minutes,
			   double *half)
{
	*minutes = *half = NAN;
	if (r->version < 5) {
		set_err(r, "no availability results (schema %d)", r->version);
		return -ENOENT;
	}
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(r->db,
			       "SELECT downtime_min_per_year, downtime_min_per_year_half FROM "
			       "avail_runs WHERE experiment = ?1 ORDER BY avail_id DESC LIMIT 1",
			       -1, &s, NULL) != SQLITE_OK)
		return db_fail(r);
	int rc = bind_text(s, 1, experiment, 1);
	int st = rc == SQLITE_OK ? sqlite3_step(s) : SQLITE_ERROR;
	if (st == SQLITE_ROW) {
		*minutes = sqlite3_column_type(s, 0) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 0);
		*half = sqlite3_column_type(s, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 1);
		rc = 0;
	} else if (st == SQLITE_DONE) {
		set_err(r, "no availability results for experiment \"%s\"", experiment);
		rc = -ENOENT;
	} else {
		rc = db_fail(r);
	}
	sqlite3_finalize(s);
	return rc;
}

/* ---- variant parameters (schema 8) ------------------------------------------------------- */

int results_add_variant_param(struct results *r, const struct results_variant_param *p)
{
	if (r->readonly) {
		set_err(r, "read-only results handle");
		return -EROFS;
	}
	if (r->version < 8) {
		set_err(r, "the results database predates the variant_params table (schema 8)");
		return -EIO;
	}
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(r->db, "INSERT OR REPLACE INTO variant_params (experiment, variant, "
				      "path, value_text, value_num, unit) VALUES (?1, ?2, ?3, ?4, "
				      "?5, ?6)",
			       -1, &s, NULL) != SQLITE_OK) {
		db_fail(r);
		return -EIO;
	}
	int rc = bind_text(s, 1, p->experiment, 1);
	rc |= bind_text(s, 2, p->variant, 1);
	rc |= bind_text(s, 3, p->path, 1);
	rc |= bind_text(s, 4, p->value_text, 1);
	rc |= bind_real(s, 5, p->value_num);
	rc |= bind_text(s, 6, p->unit, 1);
	rc = bound_step(r, s, rc);
	sqlite3_finalize(s);
	return rc;
}

static void fill_variant_param(struct reader *rd, sqlite3_stmt *s, void *row)
{
	struct results_variant_param *o = row;
	o->experiment = rd_text(rd, s, 0);
	o->variant = rd_text(rd, s, 1);
	o->path = rd_text(rd, s, 2);
	o->value_text = rd_text(rd, s, 3);
	o->value_num = rd_real(s, 4);
	o->unit = rd_text(rd, s, 5);
}

int results_variant_params(struct results *r, const char *experiment,
			   struct results_variant_params *out)
{
	memset(out, 0, sizeof(*out));
	if (r->version < 8)
		return 0;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(r->db, "SELECT experiment, variant, path, value_text, value_num, "
				      "unit FROM variant_params WHERE experiment = ?1 ORDER BY rowid",
			       -1, &s, NULL) != SQLITE_OK)
		return db_fail(r);
	struct reader rd = READER_FOR(out);
	int err = run_query(r, s, bind_text(s, 1, experiment, 1), &rd, fill_variant_param);
	sqlite3_finalize(s);
	LIST_TAKE(out, rd);
	return err;
}

void results_variant_params_release(struct results_variant_params *l)
{
	LIST_RELEASE(l);
}

/* ---- the incident library's cache (schema 9) ----------------------------------------------- */

int results_put_avail_cached(struct results *r, const struct results_avail_key *k,
			     const struct results_avail_cached *e)
{
	if (r->version < 9) {
		set_err(r, "the results database predates the library cache (schema 9)");
		return -EIO;
	}
	sqlite3_stmt *s = avail_stmt(
		r, "INSERT OR REPLACE INTO avail_library_cache (scenario_hash, seed, replications, "
		   "version, slot, incident_class, fault, replications_run, recovered, rto_s, "
		   "rto_s_half, stages, rpo_tx, rpo_tx_half, write_unavailable_s, "
		   "write_unavailable_s_half, read_unavailable_s, read_unavailable_s_half, "
		   "primary_after, note, built_at, wall_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
		   "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)");
	if (!s)
		return r->readonly ? -EROFS : -EIO;
	int rc = bind_text(s, 1, k->scenario_hash, 0);
	rc |= sqlite3_bind_int64(s, 2, (sqlite3_int64)k->seed);
	rc |= sqlite3_bind_int64(s, 3, k->replications);
	rc |= bind_text(s, 4, k->version, 0);
	rc |= bind_text(s, 5, k->slot, 0);
	rc |= bind_text(s, 6, e->incident_class, 0);
	rc |= bind_text(s, 7, e->fault, 0);
	rc |= sqlite3_bind_int64(s, 8, e->replications);
	rc |= sqlite3_bind_int64(s, 9, e->recovered);
	rc |= bind_real(s, 10, e->rto_s[0]);
	rc |= bind_real(s, 11, e->rto_s[1]);
	rc |= bind_text(s, 12, e->stages, 0);
	rc |= bind_real(s, 13, e->rpo_tx[0]);
	rc |= bind_real(s, 14, e->rpo_tx[1]);
	rc |= bind_real(s, 15, e->write_unavailable_s[0]);
	rc |= bind_real(s, 16, e->write_unavailable_s[1]);
	rc |= bind_real(s, 17, e->read_unavailable_s[0]);
	rc |= bind_real(s, 18, e->read_unavailable_s[1]);
	rc |= bind_text(s, 19, e->primary_after, 0);
	rc |= bind_text(s, 20, e->note, 0);
	rc |= bind_text(s, 21, e->built_at, 0);
	rc |= bind_real(s, 22, e->wall_s);
	return avail_step(r, s, rc);
}

static double col_real(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

static void col_text(sqlite3_stmt *s, int i, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	snprintf(out, size, "%s", t ? (const char *)t : "");
}

int results_get_avail_cached(struct results *r, const struct results_avail_key *k,
			     struct results_avail_cached *e)
{
	memset(e, 0, sizeof(*e));
	if (r->version < 9)
		return -ENOENT;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(r->db,
			       "SELECT incident_class, fault, replications_run, recovered, rto_s, "
			       "rto_s_half, stages, rpo_tx, rpo_tx_half, write_unavailable_s, "
			       "write_unavailable_s_half, read_unavailable_s, "
			       "read_unavailable_s_half, primary_after, note, built_at, wall_s FROM "
			       "avail_library_cache WHERE scenario_hash = ?1 AND seed = ?2 AND "
			       "replications = ?3 AND version = ?4 AND slot = ?5",
			       -1, &s, NULL) != SQLITE_OK)
		return db_fail(r);
	int rc = bind_text(s, 1, k->scenario_hash, 0);
	rc |= sqlite3_bind_int64(s, 2, (sqlite3_int64)k->seed);
	rc |= sqlite3_bind_int64(s, 3, k->replications);
	rc |= bind_text(s, 4, k->version, 0);
	rc |= bind_text(s, 5, k->slot, 0);
	int st = rc == SQLITE_OK ? sqlite3_step(s) : SQLITE_ERROR;
	if (st == SQLITE_ROW) {
		col_text(s, 0, e->incident_class, sizeof(e->incident_class));
		col_text(s, 1, e->fault, sizeof(e->fault));
		e->replications = sqlite3_column_int64(s, 2);
		e->recovered = sqlite3_column_int64(s, 3);
		e->rto_s[0] = col_real(s, 4);
		e->rto_s[1] = col_real(s, 5);
		col_text(s, 6, e->stages, sizeof(e->stages));
		e->rpo_tx[0] = col_real(s, 7);
		e->rpo_tx[1] = col_real(s, 8);
		e->write_unavailable_s[0] = col_real(s, 9);
		e->write_unavailable_s[1] = col_real(s, 10);
		e->read_unavailable_s[0] = col_real(s, 11);
		e->read_unavailable_s[1] = col_real(s, 12);
		col_text(s, 13, e->primary_after, sizeof(e->primary_after));
		col_text(s, 14, e->note, sizeof(e->note));
		col_text(s, 15, e->built_at, sizeof(e->built_at));
		e->wall_s = col_real(s, 16);
		rc = 0;
	} else if (st == SQLITE_DONE) {
		rc = -ENOENT;
	} else {
		rc = db_fail(r);
	}
	sqlite3_finalize(s);
	return rc;
}
