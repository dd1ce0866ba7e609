/* injector.h: fault injection at run time: scheduled faults (at, for) and stochastic
 * failures (MTBF/MTTR per class) applied to the fabric, volumes and load balancers
 * (configuration: faults.h).
 *
 * Scheduled faults start at `at` and end after `for` (never when 0). Stochastic classes make
 * every component of the class (each host, member volume, AZ or region) alternate between up
 * for an MTBF draw and down for an MTTR draw, each from the component's own stream, so the
 * failures of different components are independent; an AZ or region failure takes down
 * everything under it through the fabric (correlation through the fault-domain tree).
 * Every start and end is reported through the hooks, which open and close incidents.
 *
 * Overlapping faults on one target (a 30 s crash inside a 4 min one, a scheduled drill
 * during a stochastic failure, arbiter_loss during host_crash of the same host) hold its
 * state together: the first to start applies it, the last to end restores it, so the
 * target is down (hung, failed, frozen...) while any of them is active. Each is still its
 * own incident. Overlapping volume_degraded or healthcheck_false_negative faults use the
 * parameters of the most recently started one still active. Partitions each cut on their
 * own (the fabric already combines them).
 *
 * What each kind does:
 *   host_crash       host down (instance stopped); at the end the host reboots and IRIS
 *                    restarts
 *   iris_hang        instance hung (host and agent alive); at the end the hang clears unless
 *                    the instance was forced down meanwhile
 *   volume_failure   the volume fails every IO
 *   volume_degraded  latency x latency_factor, limits x iops_factor
 *   az_outage        AZ down; region_outage: region down
 *   partition        `between` cut apart, both ways or one way
 *   arbiter_loss     the arbiter's host down
 *   healthcheck_false_negative  the load balancer's checks fail with `probability`
 *   backup_freeze    ExternalFreeze on the target: physical database writes stop
 *   iris_crash       the instance stops (crashed), its host and ISCAgent stay up; at the
 *                    end it is restarted (even one forced down meanwhile)
 *   planned_failover the instance is shut down normally (planned maintenance): a mirror
 *                    primary hands over to its Active backup at once; at the end it is
 *                    restarted (and rejoins as backup)
 *   network_degraded messages between the two `between` places (either way) take
 *                    latency_factor times longer and lose transmissions with `loss`
 *   host_lost        the host and its volumes are gone for good (a lost region or AZ with no
 *                    DR member): host down; nothing comes back at the end; a backup
 *                    schedule with `restore` brings a replacement back from the last backup
 */
#ifndef TOPSIM_INJECTOR_H
#define TOPSIM_INJECTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "fabric.h"
#include "faults.h"
#include "lb.h"
#include "sim.h"
#include "volume.h"

struct injector_hooks {
	void *arg;
	int (*host_index)(void *arg, const char *name);   /* -1 when unknown */
	int (*az_index)(void *arg, const char *name);
	int (*region_index)(void *arg, const char *name);
	struct volume_logical *(*volume)(void *arg, const char *host_slash_volume);
	struct lb *(*lb)(void *arg, const char *name);
	void (*freeze)(void *arg, int host, bool frozen);
	void (*restart_iris)(void *arg, int host);        /* host rebooted */
	/* A fault starts (returns an incident id) or ends. kind/target describe it. */
	int (*started)(void *arg, const char *kind, const char *target);
	void (*ended)(void *arg, int incident);
	/* Degrade the link between two places (region, AZ: one of each pair is -1); returns a
	 * token for net_restore, or < 0. NULL: network_degraded does nothing. */
	int (*net_degrade)(void *arg, int a_region, int a_az, int b_region, int b_az,
			   double latency_factor, double loss);
	void (*net_restore)(void *arg, int token);
	/* Shut the instance on `host` down normally (a mirror member hands over); NULL: it
	 * stops as in iris_crash. */
	void (*shutdown_iris)(void *arg, int host);
	/* Optional (NULL: every component): whether stochastic class entry c aims at the
	 * component named `name` (a host, host/volume, AZ or region of its class). */
	bool (*aims)(void *arg, const struct stochastic_fault_config *c, const char *name);
	/* The host and its data are lost (host_lost); may be NULL. */
	void (*host_lost)(void *arg, int host);
};

struct injector;

/* An injector entity "faults" on e for the scenario's faults and stochastic classes. The
 * configs and the fabric must outlive it. Counts of components per stochastic class are
 * taken from the hooks' index functions over the names given; the link class's components
 * are the link_count pairs in links (2 x link_count AZ or region names, which must outlive
 * it: docs/models.md §15 says which pairs). Returns NULL on error. */
struct injector *injector_new(struct sim_engine *e, struct fabric *fabric,
			      const struct fault_config *faults, size_t fault_count,
			      const struct stochastic_fault_config *stochastic,
			      size_t stochastic_count, const char *const *hosts, size_t host_count,
			      const char *const *volumes, size_t volume_count,
			      const char *const *azs, size_t az_count, const char *const *regions,
			      size_t region_count, const char *const *links, size_t link_count,
			      const struct injector_hooks *hooks);
void injector_free(struct injector *inj);

/* Schedule the first events (call at time 0). */
void injector_start(struct injector *inj);

#endif
