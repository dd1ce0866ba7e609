/* avail.h: the upper level of the long-run availability mode (`topsim availability`).
 *
 * Design note. A request-level replication costs events per request, so a year of it takes
 * hours; the failures that matter (double failures, AZ and region outages) are rare and need
 * thousands of years. The upper level simulates only the fault and repair processes of the
 * architecture and the service logic on top of them, as hierarchical dependability tools do
 * (SHARPE, Moebius), and costs events per failure, not per request.
 *
 * Time base: hours as double, from 0 to the batch's length (10^5 years is 8.8e8 h; a double
 * keeps 1e-7 h, a third of a millisecond, there). Request-level time stays int64 ns.
 *
 * What is simulated, per batch of years (independent batches give the intervals):
 *   - Failure processes: every stochastic class entry times every component it aims at (a
 *     host, a volume, an AZ, a region, a link: avail_links) alternates up (an mtbf draw)
 *     and down. A host or volume repair starts at once, or waits FIFO for a crew of its
 *     pool (availability.crews, one pool per class or per AZ); AZ and region outages and
 *     link partitions end by themselves (mttr). Each process draws from its own stream,
 *     seeded from (scenario seed, batch, "avail:<class>[#entry]:<component>"), so two
 *     architectures compared with one seed fail the components they share alike.
 *   - The fault-domain tree: a host is down while its own processes, its AZ or its region
 *     are down; a data host (IRIS instance) also while one of its volumes is (a journal or
 *     alternate journal volume the incident library marked harmless: only while its
 *     partner is down too).
 *   - Each mirror: the acting primary serves; when it is lost the backup takes over if it
 *     is up and was Active (up while a primary served) and the loss can be confirmed (the
 *     arbiter's host is up, or the lost primary's ISCAgent answers because its host is up:
 *     a failed volume). The takeover costs failover_time, or the incident library's
 *     measure for what took the primary down (takeover_h). A primary lost to a failed
 *     volume is forced down by the takeover: once its volume is repaired an operator
 *     restarts it after restart_delay, then it rejoins. A member whose host crashed rejoins
 *     when the host is back. With no takeover possible, the last primary restarts as
 *     primary when it is back (failover_time again, or the library's RESTART slot), or, with mirror.dr_promotion, an
 *     operator promotes a running DR async after mirror.dr_promotion_delay, or, with
 *     availability.manual_takeover, an operator forces a member that is up but was not
 *     Active to primary after manual_takeover_delay (accepting data loss). A failover
 *     member back while a DR async acts as primary takes over again without an outage (a
 *     planned failback; an assumption).
 *   - Standalone data hosts (role data, in no mirror) must be up; each ECP group: at least
 *     one of its application servers; load balancers: the one the
 *     Route 53 record answers (the secondary after check_interval x failure_threshold +
 *     ttl of the primary being down) needs a node AZ up and a target host up.
 *   - Links: a failed link is a partition between its two AZs (or regions) for its repair
 *     time. Its effect is the incident library's request-level run of that partition
 *     (link_h): harmless (writes back within the bound with the primary still primary:
 *     NAN) costs nothing; otherwise the service is out for min(the library's RTO, the
 *     partition's length), or the whole partition when writes did not come back during
 *     the run (INFINITY). The charge does not depend on the mirror's state at the time (an
 *     assumption: the library measured it from the steady state); while another outage is
 *     under way the time counts once, to that outage (the partition does not block or
 *     delay a takeover in the upper level). Without a library link failures are counted
 *     but cost nothing.
 *   - Service is up while all of these are; reads are down with it, except that a takeover
 *     or restart charged from the incident library stops reads only for the read outage
 *     the library measured (takeover_read_h). Each outage is an incident of a class named at its start from what
 *     failed and in what state the mirror was ("host_crash of primary: takeover",
 *     "az_outage of primary: backup down", ...), and its downtime is split by stage
 *     (takeover, repair, operator_restart, dr_promotion, dns_failover).
 *
 * Ownership: avail_run fills a caller-owned struct avail_result, which owns its arrays
 * (avail_result_release). Nothing here prints, reads a clock or touches a database.
 */
#ifndef TOPSIM_AVAIL_H
#define TOPSIM_AVAIL_H

#include <stddef.h>
#include <stdint.h>

#include "faults.h"
#include "scenario.h"
#include "topology.h"

#define AVAIL_HOURS_PER_YEAR 8766.0 /* Julian year, as the "y" unit */

/* Stages of an outage's downtime. X(ID, name, help) */
#define AVAIL_STAGES(X)                                                                      \
	X(TAKEOVER, "takeover", "a backup or restarted primary is becoming primary")         \
	X(REPAIR, "repair", "waiting for a failed component to be repaired")                 \
	X(OPERATOR_RESTART, "operator_restart", "waiting for an operator to restart a member") \
	X(DR_PROMOTION, "dr_promotion", "waiting for an operator to promote a DR async")      \
	X(MANUAL_TAKEOVER, "manual_takeover",                                                \
	  "waiting for an operator to force a member that is not Active to primary")         \
	X(DNS_FAILOVER, "dns_failover", "Route 53 has not yet switched to the secondary")    \
	X(PARTITION, "partition", "a partition between two AZs or regions keeps writes out")

enum avail_stage {
#define AVAIL_STAGE_ENUM(id, name, help) AVAIL_STAGE_##id,
	AVAIL_STAGES(AVAIL_STAGE_ENUM)
#undef AVAIL_STAGE_ENUM
	AVAIL_STAGE_COUNT
};
extern const char *const avail_stage_names[];

/* Slots of the incident library's tables, per mirror: the request-level consequences the
 * upper level charges instead of availability.failover_time. A takeover after the primary's
 * host crashed, its AZ went out, or one of its volumes (by purpose, in volume_purpose order)
 * failed; and RESTART: the old primary becoming primary again once it is back after a loss
 * no takeover could follow (a double failure: the backup was down too), timed from its
 * return. */
#define AVAIL_TAKEOVER_KINDS(X)                                                              \
	X(HOST_CRASH, "host_crash") X(AZ_OUTAGE, "az_outage") X(RESTART, "restart")          \
	X(VOLUME_SYS, "sys volume_failure") X(VOLUME_DB, "db volume_failure")                \
	X(VOLUME_JOURNAL, "journal volume_failure")                                          \
	X(VOLUME_JOURNAL_ALT, "journal_alt volume_failure")                                  \
	X(VOLUME_WIJ, "wij volume_failure") X(VOLUME_OTHER, "other volume_failure")
enum avail_takeover_kind {
#define AVAIL_TAKEOVER_ENUM(id, name) AVAIL_TAKEOVER_##id,
	AVAIL_TAKEOVER_KINDS(AVAIL_TAKEOVER_ENUM)
#undef AVAIL_TAKEOVER_ENUM
	AVAIL_TAKEOVER_COUNT
};
_Static_assert(AVAIL_TAKEOVER_VOLUME_OTHER - AVAIL_TAKEOVER_VOLUME_SYS ==
		       VOLUME_OTHER - VOLUME_SYS,
	       "one volume slot per volume purpose, in order");
/* The slot of a failed volume of purpose p (enum volume_purpose). */
#define AVAIL_TAKEOVER_VOLUME(p) (AVAIL_TAKEOVER_VOLUME_SYS + (p) - VOLUME_SYS)
extern const char *const avail_takeover_kind_names[];

struct avail_opts {
	double years;      /* simulated years in all, > 0 */
	int batches;       /* independent batches (>= 2 for an interval); years split evenly */
	int jobs;          /* threads; results do not depend on it */
	double level;      /* confidence level of the intervals, e.g. 0.95 */
	uint64_t seed;     /* scenario seed */
	/* Optional: the incident library's outage of a takeover, hours, indexed
	 * [(stratum * mirrors + mirror) * AVAIL_TAKEOVER_COUNT + kind], stratum the
	 * time-of-day stratum the event falls in (avail_stratum_at; 0 without strata); NAN or
	 * a NULL table: failover_time. Not owned; must outlive avail_run. */
	const double *takeover_h;
	/* Optional, same layout: how long reads were unavailable in that incident, hours, at
	 * most its takeover_h (reads come back no later than writes in the upper level); NAN
	 * or NULL: as long as writes. A takeover whose reads came back earlier counts only
	 * that long as read downtime. */
	const double *takeover_read_h;
	/* Optional, indexed by enum volume_purpose: 1 where the incident library found that a
	 * failed volume of that purpose on a primary does not stop writes at request level
	 * (an alternate journal takes over): such a failure does not take the instance down
	 * in the upper level. NULL: every volume failure does. */
	const unsigned char *volume_harmless;
	/* Optional, indexed [stratum * links + link] (avail_links order): the incident
	 * library's write outage of a partition of that link, hours: NAN (or a NULL table):
	 * none (harmless, or not measured); INFINITY: as long as the partition. */
	const double *link_h;
	/* Optional, same layout: its read outage, hours, at most link_h; NAN: as writes. */
	const double *link_read_h;
	/* Importance sampling (failure biasing), 0: off. While a component is down, every
	 * component still up fails faster, by a factor chosen so that another failure before
	 * the repairs end has about this probability (e.g. 0.3); each regenerative cycle
	 * (from one instant with everything up and each mirror's first member primary to the
	 * next) carries its likelihood ratio, and downtime and the other rates are ratios of
	 * likelihood-weighted sums over cycles. Needs exponential mtbf everywhere. */
	double bias;
};

/* A figure with its interval across batches. */
struct avail_ci {
	double mean;
	double half;       /* half-width; NAN with fewer than 2 batches */
};

/* Downtime of one incident class in one stage. */
struct avail_cause {
	char *incident_class;       /* owned */
	int stage;                  /* enum avail_stage */
	struct avail_ci minutes_per_year;
	double incidents_per_year;  /* outages of this class (counted once, in the stage
				     * they started in) */
	uint64_t samples;           /* outages of this class that spent time in this stage:
				     * the observations its estimate rests on */
};

/* An estimate resting on fewer outages than this is flagged as thin. */
#define AVAIL_SAMPLES_MIN 30

struct avail_result {
	double years;                 /* simulated */
	int batches;
	double level;
	struct avail_ci write_availability;
	struct avail_ci read_availability;      /* from read downtime: writes' less what
						 * the library's runs found reads kept */
	struct avail_ci read_downtime_minutes_per_year;
	struct avail_ci downtime_minutes_per_year;
	struct avail_ci incidents_per_year;
	struct avail_ci takeovers_per_year;
	struct avail_ci lossy_promotions_per_year; /* DR promotions and manual takeovers:
						    * promotions that may lose data */
	double yearly_downtime_p50;   /* minutes, across simulated years */
	double yearly_downtime_p90;
	double yearly_downtime_p99;
	double yearly_downtime_max;
	double failures_per_year[FAULT_CLASS_COUNT]; /* component failures by class */
	uint64_t outages;             /* service outages that lasted (a takeover of zero
				       * failover_time is none): the samples the downtime
				       * estimate rests on */
	bool importance;              /* importance sampling was on: the yearly downtime
				       * distribution is not estimated (NAN) */
	uint64_t cycles;              /* importance sampling: regenerative cycles closed */
	double effective_samples;     /* importance sampling: (sum L D)^2 / sum (L D)^2 over
				       * cycles; without it, the outages */
	int batches_without_outage;   /* batches that saw none (their variance is 0) */
	uint64_t events;              /* failure-process and service events processed */
	size_t components;            /* failure processes simulated */
	double *batch_minutes;        /* downtime per year of each batch, minutes (owned;
				       * paired differences between variants run with one
				       * seed use it: batch b sees the same streams by name) */
	struct avail_cause *causes;   /* sorted by class name, then stage */
	size_t cause_count;
};

/* A link component: two AZs of one region that both hold hosts, or two regions that both
 * hold hosts. Names point into the config. */
struct avail_link {
	bool regions;          /* two regions, else two AZs */
	const char *side[2];
};

/* The links of cfg, in a fixed order (AZ pairs region by region in the order the regions
 * and their AZs are listed, then region pairs): writes up to cap into out (NULL: counts
 * only) and returns how many there are. */
size_t avail_links(const struct scenario_config *cfg, struct avail_link *out, size_t cap);

/* When cfg has no stochastic_faults: give it one entry per class (host, volume, az,
 * region, link) at the class's sourced default rate, so that every component fails (flagged as
 * defaults). The entries belong to the config (freed by scenario_release). Returns 1 when
 * it added them, 0 when cfg already had classes, -ENOMEM. */
int avail_default_classes(struct scenario_config *cfg);

/* Simulate cfg's fault and repair processes for o->years and summarise. cfg must have been
 * checked by scenario_load (stochastic defaults filled in). Returns 0, -EINVAL (message in
 * err: nothing to fail, or bad options) or -ENOMEM. r must be released either way. */
int avail_run(const struct scenario_config *cfg, const struct avail_opts *o,
	      struct avail_result *r /* OUT */, char *err, size_t err_size);

void avail_result_release(struct avail_result *r);

/* The time-of-day stratum of ac that hour t_h (since the start, days from midnight) falls
 * in: the strata lay out each day in order from midnight by their shares; 0 without. */
size_t avail_stratum_at(const struct availability_config *ac, double t_h);

#endif
