/* avail_library.h: the incident library of the availability mode. For each incident class
 * whose consequences the upper level (sim/avail/avail.h) charges, run the request-level
 * simulator around that incident (the scenario with only those faults scheduled, R
 * replications, through the runner) and keep its consequences: RTO with its stages, RPO,
 * write and read unavailability. The classes, per mirror with two failover members (the
 * slots of avail.h's AVAIL_TAKEOVER_KINDS):
 *   - a takeover after the primary's host crashed, its AZ went out, or one of its volumes
 *     failed (one class per purpose a stochastic volume class aims at on the primary);
 *   - a double failure: the primary's host crashes while the backup's host is down, and the
 *     primary is back 2 min later: the library charges the time from its return to writes
 *     back (RTO less the 2 min), which the upper level charges when a lost primary returns
 *     with no takeover possible.
 *   - a partition of each link (avail_links) for the whole run, when a stochastic class
 *     `link` exists: harmless when every mirror's primary stays primary and writes are
 *     back within a second (the mean over replications); charged its RTO when writes come back
 *     later; the whole partition when they do not come back during the run.
 * A volume class whose runs keep the primary primary and give writes back within a minute
 * in every replication (an alternate journal takes over) is marked harmless: the upper
 * level then does not take the instance down for such a failure (the journal pair only
 * with both failed).
 *
 * With availability.strata (time-of-day load strata) every class is run once per stratum
 * with every population's load times the stratum's factor, and the upper level charges
 * an event the figures of the stratum its hour of the day falls in.
 *
 * The library is built once per invocation and reused by every batch and year; with a
 * results database as cache each class's figures are stored under (scenario hash of the
 * merged text, seed, replications, topsim version, class) in avail_library_cache and reused
 * by the next invocation whose key matches, so a changed scenario rebuilds them (rebuild
 * forces it).
 *
 * Ownership: struct avail_library owns its entries and tables (avail_library_release). The
 * scenario is not changed: each class runs a scenario loaded from its merged text with the
 * class's faults as an override.
 */
#ifndef TOPSIM_AVAIL_LIBRARY_H
#define TOPSIM_AVAIL_LIBRARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "avail.h"
#include "ledger.h"
#include "results.h"
#include "scenario.h"

struct avail_library_entry {
	int mirror;                    /* index in the scenario's mirrors; -1 for a link */
	int kind;                      /* enum avail_takeover_kind: the slot; -1 for a link */
	int link;                      /* a partition of this link (avail_links order), or -1 */
	int stratum;                   /* index in availability.strata (0 without) */
	char stratum_name[64];         /* "" without strata */
	double share, load;            /* the stratum's share of the day and load factor */
	char incident_class[192];      /* as the upper level names it */
	char fault[224];               /* the scheduled faults: "KIND TARGET[ + KIND TARGET]" */
	int64_t replications;
	int64_t recovered;             /* occurrences with writes back within the run */
	double rto_s[2];               /* mean and half-width, from the (last) fault */
	double stage_s[STAGE_COUNT];   /* stage means */
	double rpo_tx[2];
	double write_unavailable_s[2];
	double read_unavailable_s[2];
	double charged_s;              /* what the upper level charges for writes: the RTO,
					* for a restart the RTO less the primary's outage */
	double read_charged_s;         /* and for reads (at most charged_s) */
	char primary_after[128];
	bool used;                     /* charged instead of failover_time */
	bool harmless;                 /* a volume class the primary rides through, or a
					* partition writes ride through */
	bool cached;                   /* taken from the cache, not simulated now */
	char note[160];                /* why not used, when not */
};

struct avail_library {
	struct avail_library_entry *entries;
	size_t count;
	double *takeover_h;            /* [(stratum * mirrors + mirror) * AVAIL_TAKEOVER_COUNT +
					* kind], NAN unused */
	double *takeover_read_h;       /* same layout, reads */
	unsigned char volume_harmless[VOLUME_OTHER + 1]; /* by purpose, over all mirrors */
	size_t nlinks;                 /* links measured (0 without a link class) */
	double *link_h;                /* [stratum * nlinks + link]: avail_opts.link_h */
	double *link_read_h;
	size_t cached, simulated;      /* entries from the cache, entries simulated now */
	double wall_s;                 /* building it took */
};

struct avail_library_opts {
	int replications;              /* per class, >= 1 */
	int threads;                   /* 0: cores */
	uint64_t seed;
	struct results *cache;         /* NULL: no cache */
	bool rebuild;                  /* simulate every class even when cached (and store) */
	const char *version;           /* topsim's, part of the cache key */
};

/* Build the library of s (stochastic classes filled in: avail_default_classes). Returns 0,
 * or a negative code with a message in err (the scenario could not run at request level, or
 * the cache could not be written). l must be released either way. */
int avail_library_build(struct scenario *s, const struct avail_library_opts *o,
			struct avail_library *l /* OUT */, char *err, size_t err_size);

/* The charged entries of incident_class averaged over the strata by their shares of the day
 * (RTO, stages, RPO, charged times; the rest from the first): false when none. */
bool avail_library_mean(const struct avail_library *l, const char *incident_class,
			struct avail_library_entry *out /* OUT */);

/* Point o's library tables at l's (l must outlive the avail_run that uses o). */
void avail_library_apply(const struct avail_library *l, struct avail_opts *o);

void avail_library_release(struct avail_library *l);

#endif
