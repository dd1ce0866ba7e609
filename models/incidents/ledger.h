/* ledger.h: the incident ledger. Faults become incidents; the ledger follows each one from
 * the fault's start to writes reliably back and states what it cost: the RTO and its
 * stages, the RPO, write and read unavailability. It also keeps the replication's timeline
 * and invariant violations, and write/read availability (docs/models.md sections 11-12).
 *
 * Design note. Everything that decides what an incident measured lives here, once:
 *   - An incident opens when a fault starts (faults starting at the same instant are one
 *     incident) and is open while its fault lasts or writes have not come back.
 *   - A try belongs to the incident under way when its failure is seen, and a success to
 *     the latest incident started at or before the try was sent.
 *   - RTO ends at the first acknowledged write sent after the last failed write of the
 *     incident (a failure seen late, by a timeout, moves the end to the first success sent
 *     after it, from the acknowledgements kept for one client timeout). Reads recover by
 *     the same rule: the first successful read sent after the last failed read.
 *   - The stage chain: start -> detect -> operator (an operator acted: the runbook's wait)
 *     -> decide -> ready (transition) -> restored (restore from backup done) -> thawed
 *     (updates frozen by the journal or a backup freeze resumed) -> reroute (the last
 *     failed write was sent) -> acknowledged (reconnect). Each moment is clamped to be no
 *     earlier than the one before; a moment that did not happen takes the previous one, so
 *     the stages add up to the RTO. The stage a span is charged to is named after what
 *     ended it: a journal freeze is `freeze`, a 15-minute wait for the operator `operator`,
 *     not `reroute` or `decide` (ledger_stage_chain gives the order).
 *   - RPO comes from the mirror's takeover record (acknowledged updates the new primary
 *     lacks).
 *   - An ECP observation (a stall's end, requests held then completed, <NETWORK> answers,
 *     rollbacks, sessions preserved or lost) belongs to the incident under way when its
 *     stall began, as a failed try belongs to the one under way when its failure is seen.
 * The ledger is told what happens (fault started/ended, takeover, detection, try outcomes,
 * timeline text, violations) and, at the end, reports finished incidents
 * (ledger_incident_result). It holds at most LEDGER_INCIDENTS_MAX incidents and
 * LEDGER_EVENTS_MAX timeline events and violations; what does not fit (or meets an
 * allocation failure) is counted as dropped and reported, never silently lost.
 *
 * Ownership: the ledger owns its arrays and copies every string it is given, except
 * incident kinds, which must outlive it (they come from the fault table).
 */
#ifndef TOPSIM_LEDGER_H
#define TOPSIM_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mirror.h"
#include "sim.h"

#define LEDGER_INCIDENTS_MAX 100000
#define LEDGER_EVENTS_MAX 1000000

/* An incident as it unfolds. Times are absolute, ns; SIM_TIME_MAX when the moment did not
 * happen. */
struct incident {
	const char *kind;
	char target[160];
	sim_time start, end;            /* end: when the last of its faults ended */
	int active_faults;              /* faults of the incident still in effect */
	sim_time detect, decide, ready, ack; /* RTO chain; ack: first acknowledged write sent
					      * after the last failed write */
	sim_time operator_acted;        /* first operator action of the runbook in it */
	sim_time restored;              /* restore from backup finished (writes accepted) */
	sim_time thawed;                /* updates frozen in it resumed (the last thaw) */
	int frozen;                     /* update freezes in it not yet thawed */
	uint64_t lost_tx;               /* data lost without a takeover (ledger_data_lost) */
	double lost_bytes, lost_span_s;
	sim_time last_write_fail_sent;  /* send time of the latest failed write try (-1: none) */
	sim_time ack_sent;              /* send time of the write that set `ack` */
	sim_time first_write_failure, first_read_failure, read_ok;
	sim_time last_read_fail_sent;   /* send time of the latest failed read try (-1: none) */
	sim_time read_ok_sent;          /* send time of the read that set `read_ok` */
	bool takeover;                  /* a takeover or promotion happened in it */
	struct mirror_takeover tk;      /* its figures when it did */
	char primary_before[128], primary_after[128];
	struct incident_ecp {           /* ECP observations given to it (ledger_ecp) */
		double stall_max_s;
		uint64_t stalls, held_completed, network_errors, rolled_back;
		uint64_t sessions_preserved, sessions_lost;
	} ecp;
};

/* Stage kinds. The first five keep their indexes (stored positionally by the availability
 * mode); the chain's order is ledger_stage_chain. */
enum ledger_stage { STAGE_DETECT, STAGE_DECIDE, STAGE_TRANSITION, STAGE_REROUTE,
		    STAGE_RECONNECT, STAGE_OPERATOR, STAGE_FREEZE, STAGE_RESTORE, STAGE_COUNT };
extern const char *const ledger_stage_names[STAGE_COUNT];
/* The stages in the order they happen in an incident. */
extern const enum ledger_stage ledger_stage_chain[STAGE_COUNT];

/* What an incident measured, in seconds; NAN where it does not apply (no recovery, or a
 * stage whose moment did not happen). */
struct incident_result {
	const char *kind;
	const char *target;
	double start_s, end_s;         /* end NAN while the fault lasted past the run */
	bool recovered;                /* writes came back within the run */
	double rto_s;
	double stage_s[STAGE_COUNT];
	double rpo_tx, rpo_durable_tx, rpo_bytes, rpo_span_s;
	double write_unavailable_s, read_unavailable_s;
	bool data_lost;
	const char *primary_before, *primary_after; /* NULL when empty */
	/* ECP (docs/models.md §13): the longest stall of an application server (0 when none),
	 * the stalls that ended, requests held then completed, <NETWORK> answers, updates
	 * rolled back, sessions preserved and lost. */
	double ecp_stall_max_s;
	uint64_t ecp_stalls, ecp_held_completed, ecp_network_errors, ecp_rolled_back;
	uint64_t ecp_sessions_preserved, ecp_sessions_lost;
};

struct ledger_event {
	sim_time t;
	int incident;       /* index of the incident open then, or -1 */
	char source[64];
	char text[192];
};

struct ledger_violation {
	sim_time t;
	const char *invariant; /* static string */
	char detail[192];
};

struct ledger;

/* A ledger on e. primary_name(arg, target) names the host serving writes now for the
 * incident whose (first) fault target is `target` ("" when none); the
 * ledger asks when an incident opens and when writes come back. measure_from: availability
 * counts from then (the warm-up). max_timeout: the longest client timeout. */
struct ledger *ledger_new(struct sim_engine *e, sim_time measure_from, sim_time max_timeout,
			  const char *(*primary_name)(void *arg, const char *target), void *arg);
void ledger_free(struct ledger *l);

/* Faults (the injector's hooks). fault_started returns the incident index (or -1). */
int ledger_fault_started(struct ledger *l, const char *kind, const char *target);
void ledger_fault_ended(struct ledger *l, int incident);

/* Updates were frozen (true) or resumed (false) on the instance serving writes: a journal
 * that cannot be written, a journal directory switch, an ExternalFreeze past its timeout
 * or a full buffer pool. A thaw ends the incident's `freeze` stage. */
void ledger_updates_frozen(struct ledger *l, bool frozen);

/* An operator acted now (outside a mirror: a restore started): ends the `operator` stage
 * of the open incident. */
void ledger_operator_acted(struct ledger *l);

/* A restore from backup finished: the restored instance accepts writes (`restore` stage). */
void ledger_restored(struct ledger *l);

/* Data lost by the incident under way when no takeover counted it (a restore from a backup
 * taken before it): acknowledged updates, their journal bytes and the span they cover. */
void ledger_data_lost(struct ledger *l, uint64_t tx, double bytes, double span_s);

/* The mirror's listener functions: connect with ledger_mirror_listener. */
struct mirror_listener ledger_mirror_listener(struct ledger *l);

/* Timeline and violations (also an obs sink: see ledger_obs). */
void ledger_timeline(struct ledger *l, const char *source, const char *text);
void ledger_violation(struct ledger *l, const char *invariant, const char *detail);

/* Client outcomes of tries: `update` a write or commit; `sent` when the try was sent. */
void ledger_try_failed(struct ledger *l, bool update, sim_time sent);
void ledger_try_succeeded(struct ledger *l, bool update, sim_time sent);

/* An ECP observation (ecp.h, passed field by field: the ledger does not know ECP) of app
 * server `app`: a stall that began at `since` and ended at stall_end (-1: not a stall's end)
 * and its effects, added to the incident under way at `since` (none: dropped from the
 * per-incident figures; the run's figures keep it). */
struct ledger_ecp_observation {
	sim_time since, stall_end;
	uint64_t held_completed, network_errors, rolled_back;
	uint64_t sessions_preserved, sessions_lost;
};
void ledger_ecp(struct ledger *l, const struct ledger_ecp_observation *o);

/* Start measuring availability now (end of the warm-up). */
void ledger_start_measuring(struct ledger *l);

/* --- report (at the end of the run) --- */
double ledger_write_availability(const struct ledger *l);
double ledger_read_availability(const struct ledger *l);
size_t ledger_incident_count(const struct ledger *l);
/* Incident i's figures at `end` (the run's end). Strings point into the ledger. */
void ledger_incident_result(const struct ledger *l, size_t i, sim_time end,
			    struct incident_result *out);
size_t ledger_event_count(const struct ledger *l);
const struct ledger_event *ledger_event(const struct ledger *l, size_t i);
size_t ledger_violation_count(const struct ledger *l);
const struct ledger_violation *ledger_violation_at(const struct ledger *l, size_t i);
/* Entries that did not fit (caps or out of memory): incidents, events, violations. */
uint64_t ledger_dropped(const struct ledger *l);

#endif
