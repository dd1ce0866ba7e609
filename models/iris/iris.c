/* iris.c: configuration tables of the IRIS layer (see iris.h). */
#include "iris.h"

#include <stddef.h>

const char *const mirror_async_kind_names[] = {"dr", "reporting_ro", "reporting_rw", NULL};

static const struct field mirror_policy_fields[] = {
	{FIELD_AT(struct mirror_policy_config, qos_timeout), .type = FIELD_DURATION, .def = "8s",
	 .min = "100ms", .max = "1h",
	 .help = "mirror QoS timeout: a member that hears nothing from its partner for QoS/2 to "
		 "QoS treats it as lost",
	 .source = "iris.md §0, §1.3: default 8000 ms (GHA_mirror_set_tunable_params_qos)"},
	{FIELD_AT(struct mirror_policy_config, transition_time), .type = FIELD_DIST,
	 .units = UNITS_DURATION, .def = "{\"kind\": \"uniform\", \"min\": \"1s\", \"max\": \"5s\"}",
	 .help = "time the new primary spends in Transition applying journal before it accepts "
		 "writes",
	 .source = "iris.md §1.5: 'seconds' (community FAQ); distribution unpublished, modelling "
		   "choice"},
	{FIELD_AT(struct mirror_policy_config, dr_promotion), .type = FIELD_BOOL, .def = "true",
	 .help = "whether an operator promotes a DR async after losing both failover members",
	 .source = "iris.md §2: DR asyncs are never promoted automatically"},
	{FIELD_AT(struct mirror_policy_config, dr_promotion_delay), .type = FIELD_DIST,
	 .units = UNITS_DURATION, .def = "15m",
	 .help = "operator's delay from losing the failover pair to promoting the DR async",
	 .source = "modelling choice (runbook-dependent); the production drill uses 15 min"},
	{FIELD_AT(struct mirror_policy_config, journal_compression), .type = FIELD_NUMBER,
	 .def = "1", .min = "0.01", .max = "1",
	 .help = "bytes sent to async members per journal byte (Zstd by default; 1 = no gain "
		 "assumed)",
	 .source = "iris.md §2: traffic to asyncs compressed with Zstd; ratio unpublished"},
	{FIELD_AT(struct mirror_policy_config, reconnect_delay), .type = FIELD_DURATION,
	 .def = "1s", .min = "0s", .max = "10m",
	 .help = "time to re-establish a member connection once the network allows it",
	 .source = "modelling choice (iris.md §1.1: members reconnect and catch up)"},
	{FIELD_AT(struct mirror_policy_config, dejournal_cpu), .type = FIELD_DURATION,
	 .def = "10us", .min = "0s", .max = "10ms",
	 .help = "CPU a backup or async member spends applying one received set or kill "
		 "(dejournaling)",
	 .source = "modelling choice, UNCONFIRMED: no published figure; a global set in memory "
		   "costs microseconds, far less than a request's application logic"},
	{FIELD_AT(struct mirror_policy_config, dejournal_updaters), .type = FIELD_INT,
	 .def = "16", .min = "1", .max = "16",
	 .help = "parallel dejournaling updaters on a member (capped by its vCPUs)",
	 .source = "iris-2.md §8 (and §4): parallel dejournaling uses up to 16 updaters, bounded by CPUs "
		   "(the per-size table is UNCONFIRMED)"},
	{FIELD_AT(struct mirror_policy_config, dejournal_batch), .type = FIELD_QUANTITY,
	 .units = UNITS_SIZE, .def = "64KiB", .min = "1KiB", .max = "64MiB",
	 .help = "journal bytes one dejournaling updater applies at a time",
	 .source = "modelling choice: one journal buffer (iris.journal_buffer_size)"},
	/* Operator runbook */
	{FIELD_AT(struct mirror_policy_config, operator_force_backup), .type = FIELD_BOOL,
	 .def = "true",
	 .help = "an operator forces the backup to become primary when the primary's instance "
		 "is down and no automatic takeover happened (no arbiter, agent unreachable)",
	 .source = "iris.md §1.4: primary host fails with no arbiter: no automatic failover; a "
		   "manual forced promotion is possible"},
	{FIELD_AT(struct mirror_policy_config, operator_force_backup_delay), .type = FIELD_DIST,
	 .units = UNITS_DURATION, .def = "15m",
	 .help = "how long the primary has been down before the operator forces the backup",
	 .source = "modelling choice (runbook-dependent), as dr_promotion_delay"},
	{FIELD_AT(struct mirror_policy_config, operator_resume_primary), .type = FIELD_BOOL,
	 .def = "true",
	 .help = "an operator tells a primary in trouble indefinitely (backup and arbiter lost) "
		 "to resume when the backup's instance is not running",
	 .source = "iris.md §1.4: backup and arbiter fail together: the mirror is out until "
		   "the backup returns or someone forces the primary to resume"},
	{FIELD_AT(struct mirror_policy_config, operator_resume_primary_delay), .type = FIELD_DIST,
	 .units = UNITS_DURATION, .def = "15m",
	 .help = "how long the primary has been stuck before the operator resumes it",
	 .source = "modelling choice (runbook-dependent), as dr_promotion_delay"},
	{FIELD_AT(struct mirror_policy_config, operator_restart), .type = FIELD_BOOL,
	 .def = "true",
	 .help = "an operator restarts a member whose instance is stopped (forced down, "
		 "crashed) or hung on a host that is up, so the mirror returns to redundancy",
	 .source = "iris.md §1.1: a member forced down stays down until someone restarts it"},
	{FIELD_AT(struct mirror_policy_config, operator_restart_delay), .type = FIELD_DIST,
	 .units = UNITS_DURATION, .def = "30m",
	 .help = "how long a member has been down (its host up) before the operator restarts "
		 "it",
	 .source = "modelling choice (runbook-dependent): longer than a forced promotion, "
		   "since nothing waits for it"},
};
const struct field_table mirror_policy_config_table =
	FIELD_TABLE_OF("mirror", "Mirroring parameters shared by all mirror sets.",
		       struct mirror_policy_config, mirror_policy_fields);

static const struct field mirror_async_fields[] = {
	{FIELD_AT(struct mirror_async_config, host), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "host running the async member"},
	{FIELD_AT(struct mirror_async_config, kind), .type = FIELD_ENUM,
	 .enum_names = mirror_async_kind_names, .def = "dr",
	 .help = "dr (disaster recovery, promotable by an operator), reporting_ro or "
		 "reporting_rw (never promoted)",
	 .source = "iris.md §2"},
};
const struct field_table mirror_async_config_table =
	FIELD_TABLE_OF("mirror_async", "An async member of a mirror set.",
		       struct mirror_async_config, mirror_async_fields);

static const struct field mirror_set_fields[] = {
	{FIELD_AT(struct mirror_set_config, name), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "mirror name"},
	{FIELD_LIST_AT(struct mirror_set_config, failover, failover_count),
	 .type = FIELD_STRING_LIST, .flags = FIELD_REQUIRED,
	 .help = "the two failover member hosts (first is primary at start)"},
	{FIELD_AT(struct mirror_set_config, arbiter), .type = FIELD_STRING,
	 .help = "arbiter host; absent means agent-controlled failover only"},
	{FIELD_LIST_AT(struct mirror_set_config, asyncs, async_count), .type = FIELD_ARRAY,
	 .sub = &mirror_async_config_table, .help = "async members (DR and reporting)"},
};
const struct field_table mirror_set_config_table =
	FIELD_TABLE_OF("mirror_set", "A mirror: two failover members, an arbiter, asyncs.",
		       struct mirror_set_config, mirror_set_fields);

const char *const ecp_affinity_names[] = {"sticky", "round_robin", NULL};

static const struct field ecp_fields[] = {
	{FIELD_AT(struct ecp_config, name), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "group name (timeline sources and metrics name the app servers)"},
	{FIELD_AT(struct ecp_config, data_server), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "data server: a data host or a mirror-set name"},
	{FIELD_LIST_AT(struct ecp_config, app_servers, app_server_count),
	 .type = FIELD_STRING_LIST, .flags = FIELD_REQUIRED,
	 .help = "ECP application server hosts"},
	{FIELD_AT(struct ecp_config, reconnect_interval), .type = FIELD_DURATION, .def = "5s",
	 .min = "1s", .max = "60s", .help = "time between reconnection attempts",
	 .source = "iris.md §0: ClientReconnectInterval 5 s (RACS_ClientReconnectInterval)"},
	{FIELD_AT(struct ecp_config, server_trouble_duration), .type = FIELD_DURATION,
	 .def = "60s", .min = "20s", .max = "65535s",
	 .help = "data server's Troubled-state interval",
	 .source = "iris.md §0: ServerTroubleDuration 60 s (RACS_ServerTroubleDuration)"},
	{FIELD_AT(struct ecp_config, client_reconnect_duration), .type = FIELD_DURATION,
	 .def = "1200s", .min = "10s", .max = "65535s",
	 .help = "how long an application server keeps trying to recover its sessions",
	 .source = "iris.md §0: ClientReconnectDuration 1200 s (RACS_ClientReconnectDuration)"},
	{FIELD_AT(struct ecp_config, connection_wait), .type = FIELD_DURATION, .def = "20s",
	 .min = "1s", .max = "1h",
	 .help = "how long a user process waits on a connection in progress before <NETWORK>",
	 .source = "iris.md §0: up to 20 s (GSCALE_ecp_monitor_states)"},
	{FIELD_AT(struct ecp_config, recovery_wait), .type = FIELD_DURATION, .def = "30s",
	 .min = "0s", .max = "1h",
	 .help = "a restarted data server (or a new mirror primary) waits this long for the "
		 "application servers connected before to reconnect and recover their sessions",
	 .source = "iris.md §4: about 30 s ([SCALE] §7.1); unconfirmed for a mirror failover "
		   "(iris-2.md §6), assumed the same"},
	{FIELD_AT(struct ecp_config, global_buffers), .type = FIELD_QUANTITY,
	 .units = UNITS_SIZE, .def = "0B",
	 .help = "global buffers of each application server, against workload.working_set (as "
		 "iris.global_buffers is for data servers); 0 B: the same as iris.global_buffers",
	 .source = "iris-2.md §6: app-server cache sizing guidance unconfirmed (compute nodes: "
		   "the data node's size); the same size is the default"},
	{FIELD_AT(struct ecp_config, affinity), .type = FIELD_ENUM,
	 .enum_names = ecp_affinity_names, .def = "sticky",
	 .help = "sticky: each user stays on one application server (sessions pinned by the "
		 "load balancer or gateway); round_robin: a user's requests spread over all of "
		 "them, so blocks a user updates are invalidated in the other caches",
	 .source = "iris.md §4: spreading users round-robin lowers cache efficiency "
		   "([SCALE] §7.3.2); the hit-ratio formula is topsim's (docs/models.md)"},
	{FIELD_AT(struct ecp_config, shared_block_fraction), .type = FIELD_NUMBER, .def = "0.1",
	 .min = "0", .max = "1",
	 .help = "with sticky users, the share of updated blocks that users of other "
		 "application servers also read (with round_robin every updated block counts)",
	 .source = "assumption: no published figure (iris.md §4 gives only the direction)"},
	{FIELD_AT(struct ecp_config, server_cpu), .type = FIELD_DURATION, .def = "20us",
	 .min = "0s", .max = "1s",
	 .help = "data-server CPU per ECP request (block read, update batch, lock, sync)",
	 .source = "assumption: no published figure (iris-2.md §6: ECP round-trip cost "
		   "unconfirmed)"},
	{FIELD_AT(struct ecp_config, request_bytes), .type = FIELD_QUANTITY,
	 .units = UNITS_SIZE, .def = "256B", .min = "16B", .max = "1MiB",
	 .help = "an ECP request on the wire; a block reply carries one database block "
		 "(iris.block_size)",
	 .source = "assumption for the request; iris-2.md §6 for the whole-block reply"},
};
void ecp_config_defaults(struct ecp_config *c)
{
	*c = (struct ecp_config){
		.reconnect_interval = 5 * SIM_S,
		.server_trouble_duration = 60 * SIM_S,
		.client_reconnect_duration = 1200 * SIM_S,
		.connection_wait = 20 * SIM_S,
		.recovery_wait = 30 * SIM_S,
		.affinity = ECP_AFFINITY_STICKY,
		.shared_block_fraction = 0.1,
		.server_cpu = 20 * (SIM_MS / 1000),
		.request_bytes = 256,
	};
}

const struct field_table ecp_config_table =
	FIELD_TABLE_OF("ecp", "A group of ECP application servers caching one data server's "
		       "databases.",
		       struct ecp_config, ecp_fields);

const char *const shard_query_mode_names[] = {"async", "sync", NULL};

static const struct field sharding_fields[] = {
	{FIELD_LIST_AT(struct sharding_config, data_nodes, data_node_count),
	 .type = FIELD_STRING_LIST, .flags = FIELD_REQUIRED,
	 .help = "data nodes: data hosts, or mirror-set names for mirrored data nodes; the "
		 "first is data node 1 (master namespace)"},
	{FIELD_LIST_AT(struct sharding_config, compute_nodes, compute_node_count),
	 .type = FIELD_STRING_LIST,
	 .help = "compute node hosts (role compute), tied to the data nodes in turn"},
	{FIELD_AT(struct sharding_config, connection_timeout), .type = FIELD_DURATION,
	 .def = "60s", .min = "1s", .max = "1h",
	 .help = "a shard-local query that cannot reach its data node (down, unreachable, no "
		 "primary) fails after this long",
	 .source = "iris.md §0: 60 s (GSCALE §8.2.6.3); iris.md §5 (inference: a down data "
		   "node fails sharded queries after it)"},
	{FIELD_AT(struct sharding_config, query_mode), .type = FIELD_ENUM,
	 .enum_names = shard_query_mode_names, .def = "async",
	 .help = "async: a sharded query running when a data-node mirror fails over returns an "
		 "error (the client retries); sync: it waits for the new primary",
	 .source = "iris.md §5, iris-2.md §5: asynchronous by default (RunQueriesAsync)"},
	{FIELD_AT(struct sharding_config, merge_cpu_per_row), .type = FIELD_DURATION,
	 .def = "1us", .min = "0s", .max = "1s",
	 .help = "CPU at the entry node per row the shards return",
	 .source = "assumption: no published figure"},
	{FIELD_AT(struct sharding_config, join_bytes), .type = FIELD_QUANTITY,
	 .units = UNITS_SIZE, .def = "1MiB", .min = "0B", .max = "1TiB",
	 .help = "data a join that is not cosharded moves between each pair of shards",
	 .source = "assumption: no published figure (iris.md §5 gives only the direction)"},
	{FIELD_AT(struct sharding_config, key_skew), .type = FIELD_QUANTITY,
	 .units = UNITS_FRACTION, .def = "0", .min = "0", .max = "1",
	 .help = "0: rows spread evenly (system-assigned shard key); s > 0: a user-defined key "
		 "that puts a further share s of the rest on data node 1",
	 .source = "iris.md §5: a system-assigned key balances best; skew is the "
		   "application's"},
	{FIELD_AT(struct sharding_config, autoscaling), .type = FIELD_OBJECT,
	 .sub = &autoscaling_config_table,
	 .help = "Auto Scaling group of the compute nodes (docs/models.md §14)"},
};
const struct field_table sharding_config_table =
	FIELD_TABLE_OF("sharding", "A sharded cluster: data nodes and compute nodes.",
		       struct sharding_config, sharding_fields);

static const struct field web_gateway_fields[] = {
	{FIELD_AT(struct web_gateway_config, name), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "gateway name"},
	{FIELD_AT(struct web_gateway_config, host), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "web server host (role web) it runs on"},
	{FIELD_LIST_AT(struct web_gateway_config, servers, server_count),
	 .type = FIELD_STRING_LIST, .flags = FIELD_REQUIRED,
	 .help = "IRIS hosts (data or app) or one mirror-set name it forwards to"},
	{FIELD_AT(struct web_gateway_config, mirror_aware), .type = FIELD_BOOL, .def = "true",
	 .help = "finds the mirror primary by itself when its server is a mirror set; false: "
		 "sends to the set's first failover member only",
	 .source = "iris.md §3: mirror-aware web gateway configuration"},
	{FIELD_AT(struct web_gateway_config, connections), .type = FIELD_INT, .def = "1024",
	 .min = "1", .max = "100000",
	 .help = "connections to IRIS at most; requests beyond wait for one",
	 .source = "iris-2.md §7: maximum connections per Gateway 1024"},
	{FIELD_AT(struct web_gateway_config, queued_request_timeout), .type = FIELD_DURATION,
	 .def = "60s", .min = "5s", .max = "1h",
	 .help = "a request waiting this long for a connection fails with 503 (server_busy)",
	 .source = "iris-2.md §7: Queued_Request_Timeout 60 s (minimum 5)"},
	{FIELD_AT(struct web_gateway_config, server_response_timeout), .type = FIELD_DURATION,
	 .def = "60s", .min = "5s", .max = "1h",
	 .help = "with several servers, one that has not answered for this long (down, "
		 "unreachable or stalled) is marked offline and skipped until it answers again",
	 .source = "iris-2.md §7: Server_Response_Timeout 60 s; a server that misses it is "
		   "marked offline. The Gateway's retry interval for offline servers is "
		   "unpublished: topsim uses a server again as soon as it answers"},
	{FIELD_AT(struct web_gateway_config, search_pause), .type = FIELD_DURATION, .def = "1s",
	 .min = "0s", .max = "1m",
	 .help = "mirror-aware: when its connection to the member it uses fails (refused at "
		 "once, or silent for server_response_timeout), the gateway cycles through the "
		 "mirror's members for the primary and, after each cycle without one, pauses "
		 "this long times the tries so far",
	 .source = "iris-2.md §7: after each cycle it pauses for as many seconds as the "
		   "number of tries so far; detection is on demand, when a connection fails"},
};
const struct field_table web_gateway_config_table =
	FIELD_TABLE_OF("web_gateway", "An IRIS web gateway on a web server.",
		       struct web_gateway_config, web_gateway_fields);
