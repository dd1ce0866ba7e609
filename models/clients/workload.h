/* workload.h: configuration of client populations and the operation mix. Behaviour (the
 * request path through DNS, load balancer, gateway, ECP and data server) arrives with the
 * data-path issue; this header fixes the scenario format.
 */
#ifndef TOPSIM_WORKLOAD_H
#define TOPSIM_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "fields.h"
#include "rng.h"
#include "simtime.h"

enum arrival_kind { ARRIVAL_POISSON, ARRIVAL_PIECEWISE, ARRIVAL_CLOSED };
enum operation_kind { OP_READ, OP_WRITE, OP_COMMIT, OP_SQL, OP_SHARDED_SQL };
/* Where a sharded cluster keeps an operation's data: sharded tables (one shard by key, or
 * every shard for sharded_sql) or the master namespace's tables on data node 1. */
enum placement { PLACEMENT_SHARDED, PLACEMENT_MASTER };
enum commit_mode { COMMIT_NONSYNC, COMMIT_SYNC };

struct rate_step_config {
	sim_time at;  /* from this time on (since the start of the run) */
	double rate;  /* arrivals per second */
};

struct population_config {
	char *name;
	char *region;                /* where the clients are */
	char *entry;                 /* DNS record, load balancer or host they connect to */
	int arrival;                 /* enum arrival_kind */
	double rate;                 /* poisson: arrivals per second */
	struct rate_step_config *rates; /* piecewise: rate steps, in time order */
	size_t rate_count;
	int64_t clients;             /* closed: number of clients */
	struct rng_dist think_time;  /* closed: think time between requests, s */
	sim_time timeout;            /* a request without an answer by then has failed */
	int64_t attempts;            /* tries per request, the first included */
	sim_time backoff;            /* wait before the first retry; doubles each retry */
	char **operations;           /* the classes its requests draw from; none: all */
	size_t operation_count;
};

struct operation_config {
	char *name;                   /* label in results, e.g. "order_commit" */
	int kind;                     /* enum operation_kind */
	double weight;                /* relative share of the mix */
	int commit_mode;              /* enum commit_mode, for kind commit */
	int64_t writes;               /* global sets/kills per commit */
	struct rng_dist cpu;          /* CPU demand on the server, s */
	struct rng_dist block_reads;  /* logical block reads */
	struct rng_dist journal_bytes; /* journal bytes written, B */
	struct rng_dist request_bytes; /* request payload on the network, B */
	struct rng_dist response_bytes; /* response payload on the network, B */
	struct rng_dist rows;         /* sharded_sql: rows merged at the entry node */
	int64_t joins;                /* sharded_sql: joins that are not cosharded */
	int placement;                /* enum placement: sharded tables or the master's */
};

struct workload_config {
	struct population_config *populations;
	size_t population_count;
	struct operation_config *operations;
	size_t operation_count;
	double cache_hit_ratio;       /* probability a block read hits the global buffers */
	double working_set;           /* B of data the reads touch uniformly; with
				       * iris.global_buffers it sets the hit ratio; 0 = unused */
};

extern const char *const arrival_kind_names[];
extern const char *const operation_kind_names[];
extern const char *const placement_names[];
extern const char *const commit_mode_names[];
extern const struct field_table rate_step_config_table;
extern const struct field_table population_config_table;
extern const struct field_table operation_config_table;
extern const struct field_table workload_config_table;

#endif
