/* autoscale.h: an EC2 Auto Scaling group with a target-tracking policy on the average CPU
 * utilisation of its instances (the compute nodes of a sharded cluster).
 *
 * Design note. The group owns a pool of nodes (the scenario's compute nodes, in order); the
 * first min_size run from the start, the rest are not launched. Once per evaluation_period
 * (CloudWatch's one-minute aggregation) it measures m, the mean CPU utilisation over the
 * period of the nodes in service (launched, past their warm-up, not deregistered), and
 * computes desired = ceil(n x m / target) clamped to [min_size, max_size] (n = nodes in
 * service), the target-tracking rule (aws-2.md: the capacity is proportional to the
 * metric). Capacity is every node launched and not deregistered, warming ones included
 * (they count towards desired capacity, aws-2.md). Scale-out: when desired > capacity for
 * scale_out_periods periods in a row (AlarmHigh, 3 of 3), desired - capacity nodes are
 * launched at once; scale-in: when desired < capacity for scale_in_periods periods in a row
 * (AlarmLow, 15 of 15) and no node is launching or warming (warm-up blocks scale-in), the
 * newest nodes down to desired are deregistered from the load balancer (no new requests)
 * and terminated deregistration_delay later. A launched node comes up launch_time later
 * (EC2 launch, IRIS start, ECP connection); the load balancer's health checks decide when it
 * takes traffic; it counts in the metric only after `warmup` from its start.
 * The group does not replace unhealthy nodes (no health-check replacement is modelled).
 *
 * The model knows nothing of hosts: the world is told of each node's state through
 * autoscale_params.set_state and answers the CPU time used through cpu_seconds.
 *
 * Ownership: the config and names belong to the scenario; the group's entity belongs to
 * the engine; autoscale_free releases the rest.
 */
#ifndef TOPSIM_AUTOSCALE_H
#define TOPSIM_AUTOSCALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fields.h"
#include "obs.h"
#include "sim.h"

struct autoscaling_config {
	bool enabled;                /* false: every compute node runs all the time */
	double target_cpu;           /* target value of the average CPU utilisation */
	int64_t min_size, max_size;  /* max_size 0: the whole pool */
	sim_time warmup;             /* instance warm-up: out of the metric this long */
	sim_time evaluation_period;  /* metric period (CloudWatch: 1 minute) */
	int64_t scale_out_periods;   /* periods above target before scaling out */
	int64_t scale_in_periods;    /* periods below before scaling in */
	sim_time launch_time;        /* launch decision to node up (EC2 + IRIS + ECP) */
	sim_time deregistration_delay; /* deregistered to terminated */
};
extern const struct field_table autoscaling_config_table;

enum autoscale_state {
	AS_OFF,        /* not launched or terminated: host down */
	AS_LAUNCHING,  /* launch decided, host not up yet */
	AS_WARMING,    /* host up and registered; out of the metric */
	AS_IN_SERVICE, /* counts in the metric */
	AS_DRAINING,   /* deregistered, about to be terminated */
};
const char *autoscale_state_name(enum autoscale_state s);

struct autoscale_params {
	const struct autoscaling_config *cfg;
	size_t node_count;            /* the pool */
	const char *const *names;     /* per node */
	const int *vcpu;              /* per node */
	/* The world applies a node's new state (host up or down, LB registration). */
	void (*set_state)(void *arg, size_t node, enum autoscale_state s);
	/* CPU-seconds the node has used since the run began (busy vCPUs integrated). */
	double (*cpu_seconds)(void *arg, size_t node);
	void *arg;
	const struct obs *obs;
};

struct autoscale;

/* NULL on out of memory or bad parameters. */
struct autoscale *autoscale_new(struct sim_engine *e, const struct autoscale_params *p);
void autoscale_free(struct autoscale *a); /* NULL is a no-op */
/* Puts the nodes beyond min_size off and starts the evaluations (at time now). */
void autoscale_start(struct autoscale *a);

struct autoscale_counts {
	size_t in_service; /* up and registered with the load balancer (warming included) */
	size_t pending;    /* launching: not up yet */
	size_t draining;
};
void autoscale_counts(const struct autoscale *a, struct autoscale_counts *out /* OUT */);
enum autoscale_state autoscale_node_state(const struct autoscale *a, size_t node);

struct autoscale_stats {
	uint64_t launches;      /* nodes launched (scale-out) */
	uint64_t terminations;  /* nodes terminated (scale-in) */
	size_t max_size;        /* largest capacity (launched, not deregistered) */
	double last_metric;     /* the metric at the last evaluation */
};
void autoscale_stats(const struct autoscale *a, struct autoscale_stats *out /* OUT */);

#endif
