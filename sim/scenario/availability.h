/* availability.h: the scenario's "availability" section: what the long-run availability mode
 * (`topsim availability`, sim/avail/) reads besides the topology, the mirror policy and the
 * stochastic fault classes: repair crews, the operator's restart of a forced-down mirror
 * member, and the outage a takeover costs.
 *
 * These keys are read by the availability mode only; a request-level run has no repair
 * queue (every component is repaired on its own) and measures its failovers itself.
 *
 * Ownership: struct availability_config owns its crews (released with the scenario).
 */
#ifndef TOPSIM_AVAILABILITY_H
#define TOPSIM_AVAILABILITY_H

#include <stddef.h>
#include <stdint.h>

#include "fields.h"
#include "rng.h"

/* Where a crew pool works: one pool for the whole class, or one per AZ. */
enum crew_scope { CREW_PER_CLASS, CREW_PER_AZ };

struct crew_config {
	int class_;     /* enum fault_class: host or volume */
	int64_t count;  /* crews in the pool: repairs in progress at once */
	int per;        /* enum crew_scope */
};

/* A time-of-day load stratum: the strata lay out each simulated day in order from midnight. */
struct stratum_config {
	char *name;
	double share;   /* fraction of the day, (0, 1]; the strata's shares sum to 1 */
	double load;    /* factor on every population's arrival rate (closed: its clients) in
			 * the incident library's runs of this stratum */
};

struct availability_config {
	struct crew_config *crews;        /* repair pools; a class without one repairs each
					   * component independently */
	size_t crew_count;
	struct rng_dist failover_time;    /* s: writes unavailable during a takeover */
	struct rng_dist restart_delay;    /* s: operator's delay before restarting a member
					   * forced down by a takeover, once its host is fine */
	int64_t years;                    /* years simulated by default (topsim availability
					   * without --years; run and check for
					   * annual_downtime_s expectations) */
	int64_t library;                  /* incident library replications per takeover
					   * class by default (0: none) */
	bool manual_takeover;             /* an operator forces a member that is not Active
					   * to primary when nothing else can serve */
	struct rng_dist manual_takeover_delay; /* s: before the manual takeover */
	struct stratum_config *strata;    /* time-of-day load strata; none: one load, the
					   * scenario's, at every hour */
	size_t stratum_count;
};

extern const char *const crew_scope_names[];
extern const struct field_table crew_config_table;
extern const struct field_table stratum_config_table;
extern const struct field_table availability_config_table;

#endif
