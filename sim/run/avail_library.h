/* avail_library.h: the incident library of the availability mode. For each kind of loss of
 * a mirror's primary that the upper level (sim/avail/avail.h) turns into a takeover, run the
 * request-level simulator around that incident (the scenario with only that fault
 * scheduled, R replications, through the runner) and keep its consequences: RTO with its
 * stages, RPO, write unavailability. The upper level then charges each takeover of that
 * class the measured mean RTO instead of availability.failover_time. Built once per
 * invocation and reused by every batch and year.
 *
 * Ownership: struct avail_library owns its entries and its takeover table
 * (avail_library_release). The scenario is not changed: each incident class runs a
 * scenario loaded from its merged text with the class's fault as an override.
 */
#ifndef TOPSIM_AVAIL_LIBRARY_H
#define TOPSIM_AVAIL_LIBRARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "avail.h"
#include "ledger.h"
#include "scenario.h"

struct avail_library_entry {
	int mirror;                    /* index in the scenario's mirrors */
	int kind;                      /* enum avail_takeover_kind */
	char incident_class[192];      /* as the upper level names it */
	char fault[224];               /* the scheduled fault: "KIND TARGET" */
	int64_t replications;
	int64_t recovered;             /* occurrences with writes back within the run */
	double rto_s[2];               /* mean and half-width */
	double stage_s[STAGE_COUNT];   /* stage means */
	double rpo_tx[2];
	double write_unavailable_s[2];
	bool used;                     /* its RTO replaces failover_time */
	char note[160];                /* why not, when not used */
};

struct avail_library {
	struct avail_library_entry *entries;
	size_t count;
	double *takeover_h;            /* [mirror * AVAIL_TAKEOVER_COUNT + kind], NAN unused */
	double wall_s;                 /* building it took */
};

/* Build the library of s with `replications` per class on `threads` threads (0: cores),
 * seeded by seed. Returns 0, or a negative code with a message in err (the scenario could
 * not run at request level). l must be released either way. */
int avail_library_build(struct scenario *s, int replications, int threads, uint64_t seed,
			struct avail_library *l /* OUT */, char *err, size_t err_size);

void avail_library_release(struct avail_library *l);

#endif
