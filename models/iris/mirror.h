/* mirror.h: an IRIS mirror set at run time: failover pair, arbiter, ISCAgents and async
 * members (configuration: iris.h). Rules and sources: docs/models.md section 9, from
 * ../shared/reference/iris.md §1-2.
 *
 * Connections between the primary, the backup and the arbiter are tracked as each member
 * sees them: when the fabric says a connection is physically broken, the loss is noticed
 * after a delay drawn uniformly in [QoS/2, QoS] (iris.md §1.3); a repaired connection is
 * re-established after `reconnect_delay`. Decisions use what members have noticed, and the
 * questions a member asks (the backup asking the arbiter, the backup reaching the primary's
 * agent) need the physical path at the moment they are asked. The takeover rules, trouble
 * states and mode switching follow iris.md §1.4 (HA guide §3.3). Journal data is shipped
 * to the backup and to async members at every flush of the primary; each member writes it
 * to its journal as it arrives and dejournals it into its databases (iris_node.h: CPU,
 * block reads, dirty blocks). An Active backup acknowledges what it has received and
 * written (written first: a modelling choice, iris.md §1.2 says "receipt"), which
 * synchronous commits and the primary's next journal write wait for. Updates acknowledged
 * to clients are remembered until every member that could take over has received them, so
 * that a takeover can count what the new primary lacks (RPO).
 *
 * Acknowledgement and Active (iris.md §1.3 a, HA §3.3.2.1):
 *   Active     the primary times the oldest unacknowledged shipment; no acknowledgement
 *              within a window drawn in [QoS/2, QoS] from it (and the path intact): the
 *              primary disconnects the backup, as on its loss (M6): not Active;
 *   catching   after reconnect_delay the backup catches up in rounds: the journal it lacks
 *   up         up to the primary's durable position is sent in one transfer; the round ends
 *              when the backup has written it. A round of at most QoS/2: Active again (the
 *              primary waits for its acknowledgements); longer: another round.
 * Transition lasts the drawn transition_time and until the taker has applied the journal it
 * received (its dejournaling backlog): a lagging backup takes longer to become primary.
 *
 * A connection is noticed lost at once (one network delay) instead of after QoS/2..QoS when
 * one end's instance stopped on a host that is up and reachable: its operating system
 * resets the connection (an instance crash, a shutdown, a forced-down member); a crashed or
 * isolated host, or a hung instance, sends nothing and is noticed through the QoS timeout.
 *
 * Operator runbook (policy operator_*; iris.md §1.4, §2): each action is armed while its
 * condition holds and taken after a delay drawn from its distribution if the condition
 * still holds then:
 *   force backup    the primary's instance is down and nobody took over (no arbiter, its
 *                   agent unreachable): the running backup is forced to become primary,
 *                   accepting the loss of what it lacks;
 *   resume primary  the primary is in trouble indefinitely (backup and arbiter lost) and the
 *                   backup's instance is not running: the primary resumes without a backup;
 *   restart         a member's instance is stopped (forced down, crashed) or hung on a host
 *                   that is up: it is restarted (a hung one forced down first) and rejoins
 *                   as backup or async.
 * DR promotion (dr_promotion, dr_promotion_delay) is armed only while no failover member's
 * instance is running, and the DR member never forces a running one down.
 *
 * Ownership: the mirror owns its state; entities belong to the engine; the config, policy,
 * fabric and nodes must outlive it.
 */
#ifndef TOPSIM_MIRROR_H
#define TOPSIM_MIRROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fabric.h"
#include "iris.h"
#include "iris_node.h"
#include "obs.h"
#include "sim.h"

enum mirror_member_kind { MIRROR_FAILOVER, MIRROR_DR, MIRROR_REPORTING };

struct mirror_member_init {
	int host;                 /* host index in the fabric */
	const char *name;         /* host name */
	struct iris_node *node;   /* the member's IRIS node */
	enum mirror_member_kind kind;
};

/* A takeover or promotion and what it cost. */
struct mirror_takeover {
	const char *old_primary;  /* NULL when none was primary */
	const char *new_primary;
	sim_time t_detect;        /* first loss noticed in this outage */
	sim_time t_decide;        /* takeover decided */
	sim_time t_ready;         /* new primary accepts writes */
	bool from_active_backup;  /* the taker was an Active backup */
	bool promotion;           /* a DR async promoted by an operator */
	uint64_t lost_tx;         /* acknowledged updates the new primary lacks */
	uint64_t lost_durable_tx; /* of those, durable when acknowledged (sync commits) */
	double lost_bytes;        /* their journal bytes */
	sim_time lost_first, lost_last; /* acknowledgement times of the first and last lost */
};

struct mirror;

/* Who wants to know about the mirror's decisions (the incident ledger, gateways, later ECP
 * clients and shard routers): a listener list, as the fabric has. Any function may be NULL.
 * Listeners are called in the order they subscribed, synchronously, from inside the
 * mirror's event that caused the change. */
struct mirror_listener {
	void *arg;
	/* A takeover or promotion completed (the new primary accepts writes). */
	void (*takeover)(void *arg, const struct mirror *m, const struct mirror_takeover *t);
	/* The mirror noticed the loss of its primary (detection, first in an outage). */
	void (*detected)(void *arg, const struct mirror *m, sim_time when);
	/* An operator acted on the mirror (runbook action or DR promotion), now. */
	void (*operator_acted)(void *arg, const struct mirror *m, sim_time when);
	/* The member a mirror-aware client should send to changed: `host` as
	 * mirror_primary_host returns it now (-1: none). Also called once from mirror_start. */
	void (*primary)(void *arg, const struct mirror *m, int host);
};

/* What the mirror needs from the world it lives in. */
struct mirror_env {
	const struct obs *obs; /* timeline ("mirror NAME" as source) and invariant violations */
	/* One-way network delay of `bytes` from host a to host b, drawn now from r. */
	sim_time (*delay)(void *arg, int from_host, int to_host, double bytes, gsl_rng *r);
	void *delay_arg;
	/* The stream those delays are drawn from; NULL: the mirror's own stream
	 * "mirror:NAME/network", so each mirror's draws are independent of other models. */
	gsl_rng *net_rng;
};

struct mirror;

/* Build a mirror entity "mirror:NAME" on e. members[0] and [1] are the failover members
 * (members[0] primary at start); arbiter_host is -1 without an arbiter. Subscribes to the
 * fabric. Returns NULL on error (engine error recorded or out of memory). */
struct mirror *mirror_new(struct sim_engine *e, const char *name,
			  const struct mirror_policy_config *policy, struct fabric *fabric,
			  const struct mirror_member_init *members, size_t member_count,
			  int arbiter_host, const struct mirror_env *env);

/* Add a listener (copied). Returns 0 or -ENOMEM. */
int mirror_listen(struct mirror *m, const struct mirror_listener *l);
void mirror_free(struct mirror *m);

/* Start in the steady state: members connected, backup Active, arbiter-controlled mode
 * when an arbiter is configured. */
void mirror_start(struct mirror *m);

/* The host a mirror-aware gateway sends requests to: the member that is primary (even in
 * trouble), or -1 when none is (no member in Primary state). */
int mirror_primary_host(const struct mirror *m);

/* Whether the primary accepts updates now (primary, running, not in trouble). */
bool mirror_accepts_writes(const struct mirror *m);

/* mirror_status.cxw of a member host: 200 on the primary, 503 on other running members,
 * no answer when its instance is not running. */
enum mirror_status { MIRROR_STATUS_OK, MIRROR_STATUS_FAIL, MIRROR_STATUS_NONE };
enum mirror_status mirror_member_status(const struct mirror *m, int host);

/* Is host a member of this mirror? */
bool mirror_has_host(const struct mirror *m, int host);

/* The primary acknowledged an update to a client: remember it for RPO accounting.
 * seq is its journal position on the primary, durable whether it was durable then. */
void mirror_note_ack(struct mirror *m, int primary_host, double seq, double bytes,
		     bool durable);

/* The primary's journal is durable locally up to `upto` (its flush completed): ship it. */
void mirror_on_flush(struct mirror *m, int host, double upto);

const char *mirror_name(const struct mirror *m);

/* What a member's acknowledgements cost (since the start or the last reset). */
struct mirror_member_stats {
	uint64_t ack_timeouts; /* times the primary dropped it from Active for a late ack */
	double ack_max_s;      /* longest wait of the primary for its acknowledgement, s */
	double not_active_s;   /* time it was the failover partner without being Active, s */
};
/* The stats of the member on `host` (zeros when none). */
void mirror_member_stats(const struct mirror *m, int host,
			 struct mirror_member_stats *out /* OUT */);
void mirror_stats_reset(struct mirror *m);

/* A normal shutdown of the member on `host` (planned maintenance): when it is the primary
 * with an Active, connected backup, its journal is written and sent to the backup and the
 * backup is asked to take over at once (iris.md §1.4 rule 1, §1.5); then the instance stops
 * (fabric). Returns 0, or -EINVAL when host is not a member. */
int mirror_shutdown_member(struct mirror *m, int host);

#endif
