/* world.h: the one place that knows every model. It builds a world from typed
 * configurations, resolves every name once, wires the services (request seam) and the
 * listeners (observation seam), runs one replication and returns its record.
 *
 * The models, in the order they are built (world.c's registration table): the fabric
 * (regions, AZs, hosts), hosts with their volumes and data servers, mirrors, routing (load
 * balancers, DNS, gateways), the incident ledger, the fault injector, the client
 * populations; then each is started in the same order. A new model is a folder (or a file
 * in one) plus one row in that table with its build, start and report functions.
 *
 * Ownership: the config and everything it points to belong to the caller and must outlive
 * world_run; the record is the caller's (record_release).
 */
#ifndef TOPSIM_WORLD_H
#define TOPSIM_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faults.h"
#include "host.h"
#include "iris.h"
#include "iris_node.h"
#include "record.h"
#include "routing.h"
#include "sim.h"
#include "topology.h"
#include "workload.h"

struct world_config {
	const struct region_config *regions;
	size_t region_count;
	const double *region_rtt_s;     /* region_count^2 median RTTs, symmetric, s */
	const struct network_config *network;
	const struct host_info *hosts;
	size_t host_count;
	const struct mirror_set_config *mirrors;
	size_t mirror_count;
	const struct ecp_config *ecp;   /* ECP application server groups */
	size_t ecp_count;
	const struct sharding_config *sharding;
	const struct web_gateway_config *gateways;
	size_t gateway_count;
	const struct load_balancer_config *lbs;
	size_t lb_count;
	const struct dns_config *dns;
	size_t dns_count;
	const struct workload_config *workload;
	const struct iris_node_config *iris;
	const struct mirror_policy_config *mirror_policy;
	const struct fault_config *faults;
	size_t fault_count;
	const struct stochastic_fault_config *stochastic;
	size_t stochastic_count;
	const struct backup_config *backups;
	size_t backup_count;
	sim_time warmup;                /* statistics start here */
	sim_time duration;              /* measured time after the warm-up */
	sim_time series_width;          /* time-series bucket width */
};

/* Time-series buckets a replication may have at most ((warmup + duration) / series_width):
 * each one is a point of every series in the record. world_run refuses more. */
#define WORLD_SERIES_BUCKETS_MAX 100000

/* Called between slices of simulated time with the fraction done; return false to stop
 * (the replication is then abandoned: world_run returns -EINTR). May be NULL. */
typedef bool (*world_progress_fn)(void *arg, double fraction);

/* Run replication `replication` of the world with `seed` and fill `out` (initialised
 * here). Returns 0; -EINTR when the progress function stopped it; -EINVAL with a message
 * in err for a world that cannot be built; -ENOMEM when memory ran out (message in err).
 * On error `out` is released. */
int world_run(const struct world_config *cfg, uint64_t seed, uint32_t replication,
	      world_progress_fn progress, void *progress_arg, struct record *out, char *err,
	      size_t err_size);

#endif
