/* faults.h: configuration of injected faults, scheduled and stochastic. Behaviour (what each
 * fault does to the topology and the IRIS layer) is in injector.h; incidents and their
 * timeline are kept by datapath.h.
 */
#ifndef TOPSIM_FAULTS_H
#define TOPSIM_FAULTS_H

#include <stddef.h>
#include <stdint.h>

#include "fields.h"
#include "rng.h"
#include "simtime.h"

#define FAULT_KIND_MAP(X)                                                               \
	X(HOST_CRASH, "host_crash", "host")                                             \
	X(IRIS_HANG, "iris_hang", "host")                                               \
	X(VOLUME_FAILURE, "volume_failure", "volume (host/volume)")                     \
	X(VOLUME_DEGRADED, "volume_degraded", "volume (host/volume)")                   \
	X(AZ_OUTAGE, "az_outage", "availability zone")                                  \
	X(REGION_OUTAGE, "region_outage", "region")                                     \
	X(PARTITION, "partition", "two AZs or regions in `between`")                    \
	X(ARBITER_LOSS, "arbiter_loss", "arbiter host")                                 \
	X(HEALTHCHECK_FALSE_NEGATIVE, "healthcheck_false_negative", "load balancer")    \
	X(BACKUP_FREEZE, "backup_freeze", "host (the primary)")

enum fault_kind {
#define FAULT_KIND_ENUM(id, name, target) FAULT_##id,
	FAULT_KIND_MAP(FAULT_KIND_ENUM)
#undef FAULT_KIND_ENUM
	FAULT_KIND_COUNT
};

enum partition_direction { PARTITION_BOTH, PARTITION_ONE_WAY };
enum fault_class { FAULT_CLASS_HOST, FAULT_CLASS_VOLUME, FAULT_CLASS_AZ, FAULT_CLASS_REGION };

struct fault_config {
	int kind;               /* enum fault_kind */
	char *target;           /* what it hits (see FAULT_KIND_MAP); unused for partitions */
	char **between;         /* partition: the two sides (AZ or region names) */
	size_t between_count;
	int direction;          /* partition: both, or one_way (first cannot reach second) */
	sim_time at;            /* start, from the start of the run */
	sim_time duration;      /* "for": how long; 0 = until the end of the run */
	double latency_factor;  /* volume_degraded: latency multiplied by this */
	double iops_factor;     /* volume_degraded: IOPS and throughput caps multiplied by this */
	double probability;     /* healthcheck_false_negative: chance each check fails */
};

struct stochastic_fault_config {
	int class_;             /* enum fault_class: what fails */
	struct rng_dist mtbf;   /* time between failures of one component, s */
	struct rng_dist mttr;   /* time to repair, s */
};

extern const char *const fault_kind_names[];
extern const char *const fault_kind_targets[];
extern const char *const fault_class_names[];
extern const struct field_table fault_config_table;
extern const struct field_table stochastic_fault_config_table;

#endif
