/* fabric.h: what is up and who can reach whom: the live state that faults change and every
 * model consults.
 *
 * Places are hosts, AZs and regions of the scenario, by index. A host is up when it has not
 * crashed and neither its AZ nor its region is out. Its IRIS instance runs when the host is
 * up and the instance is neither stopped (crashed, forced down) nor hung; the ISCAgent runs
 * whenever the host is up. Partitions cut AZs or regions apart, both ways or one way.
 * A message from place a to place b gets through when both ends are up and no partition
 * cuts a -> b. Clients live in a region, outside AZs.
 *
 * Listeners are told after every change (a fault starting or ending, an instance forced
 * down or restarted), in the order they subscribed, so that the mirror can start its
 * detection timers and routing can see targets vanish. Changes made from a listener are
 * applied and announced after the current round of listeners.
 *
 * Ownership: the fabric owns its arrays; the names it points to belong to the scenario.
 */
#ifndef TOPSIM_FABRIC_H
#define TOPSIM_FABRIC_H

#include <stdbool.h>
#include <stddef.h>

#include "sim.h"

enum fabric_iris_state {
	FABRIC_IRIS_RUNNING,
	FABRIC_IRIS_HUNG,     /* process alive, not answering (IRIS hang) */
	FABRIC_IRIS_STOPPED,  /* crashed, shut down or forced down */
};

struct fabric_place {
	int region;      /* region index */
	int az;          /* AZ index, -1 for a client population (region only) */
	int host;        /* host index, -1 for an AZ-level place (LB node) or a client */
};

typedef void (*fabric_listener_fn)(void *arg);

struct fabric;

/* A fabric for the scenario's regions, AZs (with their region) and hosts (with their AZ).
 * Returns NULL on out of memory. */
struct fabric *fabric_new(size_t region_count, size_t az_count, const int *az_region,
			  size_t host_count, const int *host_az);
void fabric_free(struct fabric *f);

/* Subscribe to changes. Returns 0 or -ENOMEM. */
int fabric_subscribe(struct fabric *f, fabric_listener_fn fn, void *arg);

/* --- changes (faults call these; each call announces the change) --------------------------- */
void fabric_set_host_down(struct fabric *f, int host, bool down);
void fabric_set_az_down(struct fabric *f, int az, bool down);
void fabric_set_region_down(struct fabric *f, int region, bool down);
void fabric_set_iris(struct fabric *f, int host, enum fabric_iris_state s);
/* A host crash as one change: the host goes down and its instance is stopped, announced
 * once, so that no listener sees the instance stopped on a host still up (an ISCAgent
 * that could confirm the crash). */
void fabric_crash_host(struct fabric *f, int host);
/* A partition between two places given as AZ or region (exactly one of az/region >= 0 on
 * each side). one_way: only a -> b is cut. Returns a partition id for fabric_heal, or -1 on
 * out of memory. */
int fabric_partition(struct fabric *f, int a_region, int a_az, int b_region, int b_az,
		     bool one_way);
void fabric_heal(struct fabric *f, int partition_id);

/* --- questions ------------------------------------------------------------------------------- */
bool fabric_host_up(const struct fabric *f, int host);
bool fabric_az_up(const struct fabric *f, int az);
enum fabric_iris_state fabric_iris(const struct fabric *f, int host); /* STOPPED if host down */
bool fabric_iris_running(const struct fabric *f, int host);
struct fabric_place fabric_host_place(const struct fabric *f, int host);
/* Can a message from a reach b (both up, not cut)? */
bool fabric_reaches(const struct fabric *f, struct fabric_place a, struct fabric_place b);
/* Host to host, both directions needed for a conversation. */
bool fabric_hosts_talk(const struct fabric *f, int a, int b);

#endif
