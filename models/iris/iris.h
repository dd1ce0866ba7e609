/* iris.h: configuration of the IRIS layer: mirroring policy, mirror sets, ECP, sharding and
 * web gateways. Mirroring behaviour is in mirror.h; ECP recovery and sharded fan-out are not
 * modelled yet (application servers and compute nodes only pass requests on). Defaults are
 * cited in the tables (iris.md section numbers refer to ../shared/reference/iris.md, which
 * carries the URLs; see docs/scenario-reference.md).
 */
#ifndef TOPSIM_IRIS_H
#define TOPSIM_IRIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "autoscale.h"
#include "fields.h"
#include "rng.h"
#include "simtime.h"

#define MIRROR_MEMBERS_MAX 16 /* 2 failover members + up to 14 asyncs (iris.md §0) */

enum mirror_async_kind { ASYNC_DR, ASYNC_REPORTING_RO, ASYNC_REPORTING_RW };
enum mirror_arbiter_mode { ARBITER_AUTO, ARBITER_NONE };

/* Mirroring parameters shared by every mirror set of the scenario. */
struct mirror_policy_config {
	sim_time qos_timeout;         /* QoS timeout; IRIS default 8 s */
	struct rng_dist transition_time; /* new primary's Transition (journal apply), s */
	struct rng_dist dr_promotion_delay; /* operator's delay before promoting a DR async, s */
	bool dr_promotion;            /* whether an operator promotes a DR async at all */
	double journal_compression;   /* bytes shipped to asyncs per journal byte */
	sim_time reconnect_delay;     /* re-establishing a repaired member connection */
	/* Dejournaling on backup and async members (iris_node_journal_receive). */
	sim_time dejournal_cpu;       /* CPU per set or kill applied */
	int64_t dejournal_updaters;   /* parallel updaters, at most 16 and the vCPUs */
	double dejournal_batch;       /* journal bytes an updater applies at a time */
	/* Operator runbook (iris.md §1.4, §2; mirror.h): each action is taken once its
	 * condition has held for a delay drawn from its distribution. */
	bool operator_force_backup;               /* force the backup to become primary */
	struct rng_dist operator_force_backup_delay;
	bool operator_resume_primary;             /* tell an isolated primary to resume */
	struct rng_dist operator_resume_primary_delay;
	bool operator_restart;                    /* restart forced-down, crashed or hung members */
	struct rng_dist operator_restart_delay;
};

struct mirror_async_config {
	char *host;     /* host running the async member */
	int kind;       /* enum mirror_async_kind */
};

struct mirror_set_config {
	char *name;                         /* mirror name */
	char **failover;                    /* the two failover members (host names) */
	size_t failover_count;
	char *arbiter;                      /* arbiter host, or NULL (agent-controlled) */
	struct mirror_async_config *asyncs; /* async members */
	size_t async_count;
};

enum ecp_affinity { ECP_AFFINITY_STICKY, ECP_AFFINITY_ROUND_ROBIN };

/* One group of ECP application servers and the data server they cache (an entry of the
 * scenario's "ecp" array). */
struct ecp_config {
	char *name;                       /* group name */
	char *data_server;                /* host or mirror-set name serving the data */
	char **app_servers;               /* ECP application server hosts */
	size_t app_server_count;
	sim_time reconnect_interval;      /* ClientReconnectInterval, default 5 s */
	sim_time server_trouble_duration; /* ServerTroubleDuration, default 60 s */
	sim_time client_reconnect_duration; /* ClientReconnectDuration, default 1200 s */
	sim_time connection_wait;         /* "connection in progress" wait, default 20 s */
	sim_time recovery_wait;           /* restarted server waits for its app servers, 30 s */
	int affinity;                     /* enum ecp_affinity: users stay on one app server */
	double shared_block_fraction;     /* reads of blocks other app servers' users update */
	sim_time server_cpu;              /* data-server CPU per ECP request */
	double request_bytes;             /* an ECP request on the wire (a reply: one block) */
	double global_buffers;            /* each app server's buffers; 0: iris.global_buffers */
};

enum shard_query_mode { SHARD_QUERY_ASYNC, SHARD_QUERY_SYNC };

struct sharding_config {
	char **data_nodes;            /* host or mirror-set names, one per data node */
	size_t data_node_count;
	char **compute_nodes;         /* compute node hosts */
	size_t compute_node_count;
	sim_time connection_timeout;  /* shard connection timeout, default 60 s */
	int query_mode;               /* enum shard_query_mode, default async */
	sim_time merge_cpu_per_row;   /* entry node's CPU per row merged */
	double join_bytes;            /* moved between each pair of shards per join */
	double key_skew;              /* extra share of one-shard rows on data node 1 */
	struct autoscaling_config autoscaling; /* Auto Scaling group of the compute nodes */
};

struct web_gateway_config {
	char *name;          /* gateway name */
	char *host;          /* web server host it runs on */
	char **servers;      /* IRIS hosts or a mirror-set name it forwards to */
	size_t server_count;
	bool mirror_aware;   /* follows the primary of a mirror set by itself */
	int64_t connections; /* connections to IRIS it holds at most (requests in service) */
	sim_time queued_request_timeout; /* a request waiting for a connection longer fails */
	sim_time server_response_timeout; /* a server silent this long is marked offline */
	sim_time search_pause;  /* mirror-aware: pause per try so far after each search cycle */
};

extern const char *const mirror_async_kind_names[];
extern const char *const ecp_affinity_names[];
extern const char *const shard_query_mode_names[];
extern const struct field_table mirror_policy_config_table;
extern const struct field_table mirror_async_config_table;
extern const struct field_table mirror_set_config_table;
extern const struct field_table ecp_config_table;

/* The ECP defaults (the table's), for the compute nodes' connections to their data nodes. */
void ecp_config_defaults(struct ecp_config *c);
extern const struct field_table sharding_config_table;
extern const struct field_table web_gateway_config_table;

#endif
