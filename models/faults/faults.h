/* faults.h: the fault kinds and the configuration of injected faults, scheduled and
 * stochastic. Behaviour (what each kind does to the topology and the IRIS layer) is in
 * injector.h; incidents and their timeline are kept by the ledger.
 *
 * Fault kinds are rows of one table, FAULT_KIND_MAP. A new kind is one row there plus the
 * apply and revert functions it names (in injector.c): the enum, the JSON names, the
 * `kind` field's help (and so `topsim schema` and docs/scenario-reference.md), the target
 * each kind names, the parameters it reads and the injector's dispatch are all generated
 * from the rows.
 */
#ifndef TOPSIM_FAULTS_H
#define TOPSIM_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fields.h"
#include "rng.h"
#include "simtime.h"

/* What a fault's `target` names: the scenario checks it against the names of that sort,
 * the injector resolves it through the matching hook. Each has a text (a macro, so that
 * generated help can paste it into string literals). */
#define FAULT_TARGET_TEXT_HOST "host"
#define FAULT_TARGET_TEXT_ARBITER "arbiter host"
#define FAULT_TARGET_TEXT_VOLUME "volume (host/volume)"
#define FAULT_TARGET_TEXT_AZ "availability zone"
#define FAULT_TARGET_TEXT_REGION "region"
#define FAULT_TARGET_TEXT_BETWEEN "two AZs or regions in `between`"
#define FAULT_TARGET_TEXT_LB "load balancer"
#define FAULT_TARGET_MAP(X) X(HOST) X(ARBITER) X(VOLUME) X(AZ) X(REGION) X(BETWEEN) X(LB)

enum fault_target {
#define FAULT_TARGET_ENUM(id) FAULT_TARGET_##id,
	FAULT_TARGET_MAP(FAULT_TARGET_ENUM)
#undef FAULT_TARGET_ENUM
	FAULT_TARGET_COUNT
};

/* Fields of struct fault_config a kind reads besides `target`, `at` and `for`. */
enum {
	FAULT_READS_BETWEEN = 1 << 0,
	FAULT_READS_DIRECTION = 1 << 1,
	FAULT_READS_LATENCY_FACTOR = 1 << 2,
	FAULT_READS_IOPS_FACTOR = 1 << 3,
	FAULT_READS_PROBABILITY = 1 << 4,
	FAULT_READS_LOSS = 1 << 5,
};

/* One row per fault kind: X(ID, name, TARGET, reads, apply, revert)
 *   ID      enum suffix: FAULT_<ID>
 *   name    its JSON name (an identifier, stringified)
 *   TARGET  what `target` names: FAULT_TARGET_<TARGET>
 *   reads   FAULT_READS_* mask of the parameters it reads
 *   apply   injector.c function that starts it on a resolved target
 *   revert  injector.c function that ends it
 * Kinds whose rows name the same apply function act on the same state of their target
 * (host_crash and arbiter_loss both take a host down): overlapping faults on one target
 * share it, see injector.h. Only injector.c expands the last two columns. */
#define FAULT_KIND_MAP(X)                                                               \
	X(HOST_CRASH, host_crash, HOST, 0, inj_host_down, inj_host_up)                  \
	X(IRIS_HANG, iris_hang, HOST, 0, inj_hang, inj_unhang)                          \
	X(VOLUME_FAILURE, volume_failure, VOLUME, 0, inj_volume_fail, inj_volume_mend)  \
	X(VOLUME_DEGRADED, volume_degraded, VOLUME,                                     \
	  FAULT_READS_LATENCY_FACTOR | FAULT_READS_IOPS_FACTOR, inj_volume_degrade,     \
	  inj_volume_restore)                                                           \
	X(AZ_OUTAGE, az_outage, AZ, 0, inj_az_down, inj_az_up)                          \
	X(REGION_OUTAGE, region_outage, REGION, 0, inj_region_down, inj_region_up)      \
	X(PARTITION, partition, BETWEEN, FAULT_READS_BETWEEN | FAULT_READS_DIRECTION,   \
	  inj_partition, inj_heal)                                                      \
	X(ARBITER_LOSS, arbiter_loss, ARBITER, 0, inj_host_down, inj_host_up)           \
	X(HEALTHCHECK_FALSE_NEGATIVE, healthcheck_false_negative, LB,                   \
	  FAULT_READS_PROBABILITY, inj_lb_false_negative, inj_lb_true)                  \
	X(BACKUP_FREEZE, backup_freeze, HOST, 0, inj_freeze, inj_thaw)                  \
	X(IRIS_CRASH, iris_crash, HOST, 0, inj_iris_crash, inj_iris_restart)            \
	X(PLANNED_FAILOVER, planned_failover, HOST, 0, inj_iris_shutdown, inj_iris_restart) \
	X(NETWORK_DEGRADED, network_degraded, BETWEEN,                                  \
	  FAULT_READS_BETWEEN | FAULT_READS_LATENCY_FACTOR | FAULT_READS_LOSS,          \
	  inj_net_degrade, inj_net_restore)                                             \
	X(HOST_LOST, host_lost, HOST, 0, inj_host_lost, inj_host_lost_end)

enum fault_kind {
#define FAULT_KIND_ENUM(id, name, target, reads, apply, revert) FAULT_##id,
	FAULT_KIND_MAP(FAULT_KIND_ENUM)
#undef FAULT_KIND_ENUM
	FAULT_KIND_COUNT
};

/* Stochastic classes: X(ID, name, KIND, MTBF_H, MTTR_H, SOURCE) where KIND (a FAULT_KIND_MAP
 * ID) is what a failure of one component of the class is, and MTBF_H, MTTR_H the default
 * means (hours, exponential) used when a class entry gives no mtbf or mttr, with where they
 * come from. Every default is an assumption: AWS publishes no EC2 failure rate (aws.md §6a)
 * and the AZ and region rates are arithmetic on published outage summaries (aws-2.md §6). */
#define FAULT_CLASS_MAP(X)                                                              \
	X(HOST, "host", HOST_CRASH, 2.0 * 8766.0, 10.0 / 60.0,                         \
	  "assumption, aws.md §6a: no published EC2 failure rate; typical modelling "   \
	  "choice host MTBF 1-3 years (2 y), MTTR 5-15 min (10 min)")                  \
	X(VOLUME, "volume", VOLUME_FAILURE, 500.0 * 8766.0, 4.0,                        \
	  "aws.md §2: gp2/gp3/io1 AFR 0.1-0.2%/year (0.2%: MTBF 500 y); MTTR 4 h is an " \
	  "assumption (replace the volume, rebuild the member)")                       \
	X(AZ, "az", AZ_OUTAGE, 10.0 * 8766.0, 3.0,                                      \
	  "assumption, aws-2.md §6: about 0.05-0.1 reported events per AZ-year (0.1: "  \
	  "MTBF 10 y); aws.md §6b: impact usually 1-6 h (3 h)")                        \
	X(REGION, "region", REGION_OUTAGE, 10.0 * 8766.0, 7.0,                          \
	  "assumption, aws-2.md §6: 0.6 region events/year in us-east-1, median 7 h, "  \
	  "most spare running EC2 (aws.md §6b), so one that stops it every 10 y")      \
	X(LINK, "link", PARTITION, 5.0 * 8766.0, 0.5,                                   \
	  "assumption: AWS publishes no rate of network partitions between AZs or "     \
	  "regions; aws.md §6b lists network events among AZ and region outages "       \
	  "(2021-12-15 us-west: about 30 min), so a link (a pair of AZs, or of "         \
	  "regions, both holding hosts) partitioned once in 5 y for 30 min")

enum fault_class {
#define FAULT_CLASS_ENUM(id, name, kind, mtbf_h, mttr_h, source) FAULT_CLASS_##id,
	FAULT_CLASS_MAP(FAULT_CLASS_ENUM)
#undef FAULT_CLASS_ENUM
	FAULT_CLASS_COUNT
};

enum partition_direction { PARTITION_BOTH, PARTITION_ONE_WAY };

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
	double loss;            /* network_degraded: chance each transmission is lost */
};

struct stochastic_fault_config {
	int class_;             /* enum fault_class: what fails */
	struct rng_dist mtbf;   /* time between failures of one component, s; absent (a
				 * deterministic 0) until the scenario check puts the class's
				 * default (FAULT_CLASS_MAP) there */
	struct rng_dist mttr;   /* time to repair, s; likewise */
	/* Aiming: which components of the class fail. Empty lists aim at all of them. */
	char **roles;           /* host and volume classes: hosts with these roles */
	size_t role_count;
	char **hosts;           /* host and volume classes: these hosts */
	size_t host_count;
	char **purposes;        /* volume class: volumes with these purposes */
	size_t purpose_count;
	bool mtbf_default;      /* set by the scenario check: mtbf is the class's default */
	bool mttr_default;      /* likewise mttr */
};

/* Generated from the tables above, indexed by enum fault_kind, enum fault_target or enum
 * fault_class; the name lists end with NULL. */
extern const char *const fault_kind_names[];
extern const char *const fault_kind_targets[];     /* text of the kind's target */
extern const enum fault_target fault_kind_target[];
extern const unsigned fault_kind_reads[];          /* FAULT_READS_* mask */
extern const char *const fault_target_names[];
extern const char *const fault_class_names[];
extern const enum fault_kind fault_class_kind[];
extern const double fault_class_default_mtbf_h[];   /* hours, exponential mean */
extern const double fault_class_default_mttr_h[];   /* hours, exponential mean */
extern const char *const fault_class_default_source[];
extern const struct field_table fault_config_table;
extern const struct field_table stochastic_fault_config_table;

/* Whether class entry c aims at a component: a host (purpose NULL) or one of its volumes
 * (purpose its name, e.g. "db"), given the host's name and role name. AZ, region and link
 * classes aim at every AZ, region or link (the scenario check refuses aiming lists there). */
bool stochastic_fault_aims(const struct stochastic_fault_config *c, const char *host,
			   const char *role, const char *purpose);

#endif
