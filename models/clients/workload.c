/* workload.c: configuration tables of the workload (see workload.h). */
#include "workload.h"

const char *const arrival_kind_names[] = {"poisson", "piecewise", "closed", NULL};
const char *const operation_kind_names[] = {"read", "write", "commit", "sql", "sharded_sql",
					     NULL};
const char *const commit_mode_names[] = {"nonsync", "sync", NULL};
const char *const placement_names[] = {"sharded", "master", NULL};

static const struct field rate_step_fields[] = {
	{FIELD_AT(struct rate_step_config, at), .type = FIELD_DURATION, .flags = FIELD_REQUIRED,
	 .help = "time from which this rate applies"},
	{FIELD_AT(struct rate_step_config, rate), .type = FIELD_QUANTITY, .units = UNITS_RATE,
	 .flags = FIELD_REQUIRED, .max = "1000000/s", .help = "arrival rate from then on"},
};
const struct field_table rate_step_config_table =
	FIELD_TABLE_OF("rate_step", "One step of a piecewise arrival rate.",
		       struct rate_step_config, rate_step_fields);

static const struct field population_fields[] = {
	{FIELD_AT(struct population_config, name), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "population name"},
	{FIELD_AT(struct population_config, region), .type = FIELD_STRING,
	 .flags = FIELD_REQUIRED, .help = "region the clients are in"},
	{FIELD_AT(struct population_config, entry), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "what clients connect to: a DNS record, a load balancer or a host"},
	{FIELD_AT(struct population_config, arrival), .type = FIELD_ENUM,
	 .enum_names = arrival_kind_names, .def = "poisson",
	 .help = "poisson (open, constant rate), piecewise (open, rate steps), closed (clients "
		 "with think time)"},
	{FIELD_AT(struct population_config, rate), .type = FIELD_QUANTITY, .units = UNITS_RATE,
	 .def = "0/s", .max = "1000000/s", .help = "poisson: arrival rate",
	 .source = "a bound of the simulator: at most a million requests a second"},
	{FIELD_LIST_AT(struct population_config, rates, rate_count), .type = FIELD_ARRAY,
	 .sub = &rate_step_config_table, .help = "piecewise: rate steps in time order"},
	{FIELD_AT(struct population_config, clients), .type = FIELD_INT, .def = "0", .min = "0",
	 .max = "250000", .help = "closed: number of clients",
	 .source = "a bound of the simulator: no more clients than requests a run holds in "
		   "flight (CLIENTS_IN_FLIGHT_MAX)"},
	{FIELD_AT(struct population_config, think_time), .type = FIELD_DIST,
	 .units = UNITS_DURATION, .def = "1s", .help = "closed: think time between requests"},
	{FIELD_AT(struct population_config, timeout), .type = FIELD_DURATION, .def = "10s",
	 .min = "1ms", .max = "365d",
	 .help = "client timeout of one try (connection plus response)",
	 .source = "modelling choice (application setting)"},
	{FIELD_AT(struct population_config, attempts), .type = FIELD_INT, .def = "3", .min = "1",
	 .max = "100", .help = "tries per request, the first included",
	 .source = "modelling choice (application setting)"},
	{FIELD_AT(struct population_config, backoff), .type = FIELD_DURATION, .def = "1s",
	 .min = "0s", .max = "1h", .help = "wait before the first retry; doubles at each retry",
	 .source = "modelling choice (application setting)"},
	{FIELD_LIST_AT(struct population_config, operations, operation_count),
	 .type = FIELD_STRING_LIST,
	 .help = "operation classes its requests draw from, by weight (absent: all of them)"},
};
const struct field_table population_config_table =
	FIELD_TABLE_OF("population", "A client population with its arrival process.",
		       struct population_config, population_fields);

static const struct field operation_fields[] = {
	{FIELD_AT(struct operation_config, name), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "operation class name used in results"},
	{FIELD_AT(struct operation_config, kind), .type = FIELD_ENUM,
	 .enum_names = operation_kind_names, .flags = FIELD_REQUIRED,
	 .help = "read, write, commit, sql or sharded_sql"},
	{FIELD_AT(struct operation_config, weight), .type = FIELD_NUMBER, .def = "1", .min = "0",
	 .help = "relative share of the mix"},
	{FIELD_AT(struct operation_config, commit_mode), .type = FIELD_ENUM,
	 .enum_names = commit_mode_names, .def = "nonsync",
	 .help = "commit durability: nonsync (IRIS default) or sync (waits for the journal "
		 "flush)",
	 .source = "iris.md §0: non-synchronous commit by default"},
	{FIELD_AT(struct operation_config, writes), .type = FIELD_INT, .def = "1", .min = "0",
	 .max = "1000000", .help = "global sets/kills per commit"},
	{FIELD_AT(struct operation_config, cpu), .type = FIELD_DIST, .units = UNITS_DURATION,
	 .def = "{\"kind\": \"exponential\", \"mean\": \"0.2ms\"}",
	 .help = "CPU time on the server",
	 .source = "modelling choice; calibrate against ^SystemPerformance data"},
	{FIELD_AT(struct operation_config, block_reads), .type = FIELD_DIST,
	 .units = UNITS_NUMBER, .def = "{\"kind\": \"exponential\", \"mean\": 4}",
	 .help = "logical block reads (each a buffer-cache lookup)",
	 .source = "modelling choice"},
	{FIELD_AT(struct operation_config, journal_bytes), .type = FIELD_DIST,
	 .units = UNITS_SIZE, .def = "0B", .help = "journal bytes written",
	 .source = "modelling choice"},
	{FIELD_AT(struct operation_config, request_bytes), .type = FIELD_DIST, .units = UNITS_SIZE,
	 .def = "1KiB", .help = "request size on the network", .source = "modelling choice"},
	{FIELD_AT(struct operation_config, response_bytes), .type = FIELD_DIST,
	 .units = UNITS_SIZE, .def = "4KiB", .help = "response size on the network",
	 .source = "modelling choice"},
	{FIELD_AT(struct operation_config, rows), .type = FIELD_DIST, .units = UNITS_NUMBER,
	 .def = "0",
	 .help = "sharded_sql: rows the shards return, merged at the entry node "
		 "(sharding.merge_cpu_per_row each)",
	 .source = "modelling choice (application setting)"},
	{FIELD_AT(struct operation_config, joins), .type = FIELD_INT, .def = "0", .min = "0",
	 .max = "100",
	 .help = "sharded_sql: joins that are not cosharded, each moving sharding.join_bytes "
		 "between every pair of shards",
	 .source = "iris.md §5: joins that are not cosharded need data from other shards"},
	{FIELD_AT(struct operation_config, placement), .type = FIELD_ENUM,
	 .enum_names = placement_names, .def = "sharded",
	 .help = "sharded cluster: sharded (rows of sharded tables: one shard by key, every "
		 "shard for sharded_sql) or master (non-sharded tables, on data node 1)",
	 .source = "iris.md §5: data node 1 holds the master namespace"},
};
const struct field_table operation_config_table =
	FIELD_TABLE_OF("operation", "One class of the operation mix.", struct operation_config,
		       operation_fields);

static const struct field workload_fields[] = {
	{FIELD_LIST_AT(struct workload_config, populations, population_count),
	 .type = FIELD_ARRAY, .sub = &population_config_table, .help = "client populations"},
	{FIELD_LIST_AT(struct workload_config, operations, operation_count), .type = FIELD_ARRAY,
	 .sub = &operation_config_table, .help = "operation mix"},
	{FIELD_AT(struct workload_config, cache_hit_ratio), .type = FIELD_QUANTITY,
	 .units = UNITS_FRACTION, .def = "0.95", .min = "0", .max = "1",
	 .help = "probability that a block read hits the global buffers",
	 .source = "modelling choice; size global buffers to the working set"},
	{FIELD_AT(struct workload_config, working_set), .type = FIELD_QUANTITY,
	 .units = UNITS_SIZE, .def = "0B",
	 .help = "data the reads touch (uniformly); when set with iris.global_buffers, the hit "
		 "ratio is min(1, global_buffers / working_set) and cache_hit_ratio is ignored"},
};
const struct field_table workload_config_table =
	FIELD_TABLE_OF("workload", "Clients and what they ask of IRIS.", struct workload_config,
		       workload_fields);
