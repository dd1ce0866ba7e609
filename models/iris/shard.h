/* shard.h: a sharded cluster: the entry node splits a request into shard-local parts, runs
 * them on the data nodes (or their compute nodes) and merges the answers.
 *
 * Design note (iris.md §5, iris-2.md §5). A request reaches a node of the cluster (a data
 * node's member or a compute node) through a load balancer or directly: that node is its
 * entry. The entry's cluster splits it into parts, one per shard it needs:
 *   - a sharded query (shard_work.fan_out) has a part on every data node, each doing 1/K of
 *     the query's work (its CPU and block reads drawn independently from the class's
 *     distributions and divided by K: shards differ); the query waits for the slowest part
 *     (svc_join), then the entry merges the rows (merge_cpu_per_row each on its CPU);
 *   - any other request has one part: on data node 1 for the master namespace's tables
 *     (shard_work.master), else on the shard its key picks (evenly, or skewed towards data
 *     node 1 by key_skew);
 *   - each join that is not cosharded moves join_bytes between the part's data node and
 *     each other one before the part runs (the slowest transfer counts).
 * A part runs on its data node's primary (a mirror member found through the mirror, as a
 * mirror connection does) over the shard network, or, for reads when the data node has
 * compute nodes, on one of them in turn (an ECP application server of that data node,
 * ecp.h: it caches the data node's blocks and rides through its failover). Writes always run
 * on data nodes.
 *
 * Failures. A part whose data node has no reachable primary waits for one for
 * connection_timeout, then fails. A part lost in its data node's failover (the instance
 * stopped or demoted under it) fails at once in the async query mode (the default) and waits
 * for the new primary in the sync mode. A part on a compute node fails only if the compute
 * node answers <NETWORK> or dies. One failed part fails the request with `shard_error`;
 * the client retries as it would any error.
 *
 * Ownership: the cluster copies its params struct; arrays, mirrors, servers, groups and
 * configs it points to must outlive it. A data_req submitted with shard_submit belongs to
 * the cluster until it completes.
 */
#ifndef TOPSIM_SHARD_H
#define TOPSIM_SHARD_H

#include <stdbool.h>
#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "dataserver.h"
#include "ecp.h"
#include "fabric.h"
#include "iris.h"
#include "mirror.h"
#include "obs.h"
#include "sim.h"

struct shard_params {
	const struct sharding_config *cfg;
	size_t node_count;                     /* K data nodes; [0] is data node 1 */
	struct mirror *const *node_mirror;     /* per data node: its mirror, or NULL */
	const int *node_host;                  /* per data node without a mirror: its host */
	struct ecp_group *const *compute;      /* per data node: its compute nodes, or NULL */
	struct dataserver *const *server_of_host;
	struct ecp_app *const *app_of_host;    /* compute nodes among them */
	size_t host_count;
	struct fabric *fabric;
	/* One-way network delay of `bytes` from host a to host b, drawn now from r. */
	sim_time (*delay)(void *arg, int from_host, int to_host, double bytes, gsl_rng *r);
	void *delay_arg;
};

struct shard_cluster;

/* The cluster entity "shards". NULL on error (engine error recorded or out of memory). */
struct shard_cluster *shard_cluster_new(struct sim_engine *e, const struct shard_params *p);
void shard_cluster_free(struct shard_cluster *c);

/* Is host a node of the cluster a request can enter at (a data node's member or a compute
 * node)? */
bool shard_is_entry(const struct shard_cluster *c, int host);

/* A request entering at host `entry` (see the design note). It completes with SVC_OK,
 * CAUSE_NOT_PRIMARY (the entry is a mirror member that is not primary), CAUSE_SHARD_ERROR,
 * or the entry's own failure when the entry node dies while merging. */
void shard_submit(struct shard_cluster *c, int entry, struct data_req *r);

struct shard_stats {
	uint64_t parts;          /* shard-local parts run */
	uint64_t parts_failed;   /* of those, failed */
	uint64_t parts_waited;   /* waited for a primary (failover, sync mode) */
};
void shard_cluster_stats(const struct shard_cluster *c, struct shard_stats *out /* OUT */);
void shard_cluster_stats_reset(struct shard_cluster *c);

#endif
