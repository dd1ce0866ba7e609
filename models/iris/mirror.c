/* mirror.c: the mirror set at run time (see mirror.h; rules in docs/models.md section 9).
 *
 * Invariants:
 * - At most one member has role PRIMARY and accepts writes (checked after every change; a
 *   breach is reported as a violation, never hidden).
 * - A logical link is connected only if it was physically possible when it (re)connected;
 *   a pending timer exists exactly while logical and physical state differ.
 * - ring holds every update acknowledged by the current primary that some member able to
 *   take over may still lack, in journal order.
 */
#include "mirror.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

/* Acknowledged updates remembered one by one (32 MiB): about half an hour at 600 updates/s.
 * Older ones still not on every member that could take over are folded into one aggregate
 * (struct acked_older), exact for a taker that has none of them or all of them. */
#define RING_MAX (1u << 20)

enum role { ROLE_PRIMARY, ROLE_BACKUP, ROLE_ASYNC, ROLE_TRANSITION, ROLE_DOWN };
enum link { LINK_PB, LINK_PA, LINK_BA, LINK_COUNT };
enum mode { MODE_AGENT, MODE_ARBITER };
enum trouble { TROUBLE_NONE, TROUBLE_TIMED, TROUBLE_INDEFINITE };
/* The operator runbook's actions (mirror.h). */
enum op_action { OP_FORCE_BACKUP, OP_RESUME_PRIMARY, OP_RESTART, OP_COUNT };

static const char *const link_names[LINK_COUNT] = {"primary-backup", "primary-arbiter",
						   "backup-arbiter"};

struct member {
	int host;
	const char *name;
	struct iris_node *node;
	enum mirror_member_kind kind;
	enum role role;
	bool forced_down;        /* stays down until restarted by hand (iris.md §1.1) */
	bool active;             /* backup: Active journal transfer */
	bool catching_up;        /* connected, not Active: catching up (rounds, see below) */
	bool catchup_arrived;    /* the current round's data has arrived */
	double catchup_target;   /* the primary's durable journal when the round began */
	sim_time catchup_start;  /* when the round began */
	double received;         /* journal position received from the primary */
	double shipped;          /* journal position last shipped to it */
	sim_time shipped_at;     /* when */
	struct mirror_member_stats stats;
	sim_time not_active_since; /* the failover partner, not Active, since; -1 otherwise */
	sim_time last_arrival;   /* shipments arrive in order */
	bool was_running;        /* instance state the mirror last saw */
	bool was_hung;           /* ... hung, and not stopped since it last ran */
};

struct link_state {
	bool connected;          /* as the members see it */
	struct sim_handle timer; /* pending loss detection or reconnection */
};

struct acked {
	double seq, bytes;
	sim_time t;
	bool durable;
};

struct mirror {
	struct sim_entity *self;
	const struct mirror_policy_config *policy;
	struct fabric *fabric;
	struct mirror_env env;
	struct mirror_listener *listeners;
	size_t listener_count;
	int published_primary;      /* host last announced to listeners' primary() */
	gsl_rng *net_rng;           /* network jitter of shipping, acks and arbiter round trips */
	bool own_net_rng;
	char source[160];
	struct member members[MIRROR_MEMBERS_MAX];
	size_t member_count;
	int arbiter_host;
	int primary;             /* member index with role PRIMARY, or -1 */
	int backup;              /* member index of the failover partner, or -1 */
	int transition;          /* member index in TRANSITION, or -1 */
	enum mode mode;
	enum mode mode_at_loss;  /* mode when the backup noticed the loss of the primary */
	bool active_at_loss;     /* whether the backup was Active then (its own view) */
	bool backup_loss_handled; /* the primary has reacted to losing its backup */
	enum trouble trouble;
	struct sim_handle trouble_timer;
	struct link_state links[LINK_COUNT];
	/* the current outage, for RTO stages */
	bool outage;
	sim_time t_detect, t_decide;
	int old_primary;
	bool taker_active, promoting;
	struct sim_handle promote_timer;
	bool transition_applying;     /* the taker applies its backlog before it is primary */
	struct sim_handle transition_timer; /* MIRROR_EV_TRANSITION_DONE pending */
	/* the primary waiting for the Active backup's acknowledgement (iris.md §1.3 a) */
	struct sim_handle ack_timer;  /* the wait's QoS window ends */
	double ack_wait_upto;         /* the shipment waited for */
	sim_time ack_wait_since;      /* when it was shipped */
	gsl_rng *ack_rng;             /* draws of the window, "mirror:NAME/ack" */
	struct sim_handle op_timer[OP_COUNT]; /* an operator action armed */
	/* acknowledged updates not yet everywhere */
	struct acked *ring;
	size_t ring_cap, ring_head, ring_count;
	struct acked_older {            /* acknowledged updates pushed out of the ring */
		uint64_t count, durable;
		double bytes;
		double seq_min, seq_max;
		sim_time t_first, t_last;
	} older;
};

enum {
	MIRROR_EV_LINK_LOST,
	MIRROR_EV_LINK_UP,
	MIRROR_EV_TROUBLE_END,
	MIRROR_EV_TRANSITION_DONE,
	MIRROR_EV_SHIP,
	MIRROR_EV_ACK,
	MIRROR_EV_CATCHUP_DONE,
	MIRROR_EV_PROMOTE,
	MIRROR_EV_OPERATOR,
	MIRROR_EV_ACK_TIMEOUT,
	MIRROR_EV_COUNT
};

struct ship_payload {
	double upto;
	int member;
	int primary;
};

static void evaluate(struct mirror *m);
static void track_active(struct mirror *m);

static sim_time net_delay(const struct mirror *m, int from_host, int to_host, double bytes)
{
	return m->env.delay(m->env.delay_arg, from_host, to_host, bytes, m->net_rng);
}

/* Tell the listeners when the member mirror-aware clients should use has changed. Called
 * after every change of roles or of the primary index. */
static void publish_primary(struct mirror *m)
{
	int host = mirror_primary_host(m);
	if (host == m->published_primary)
		return;
	m->published_primary = host;
	for (size_t k = 0; k < m->listener_count; k++)
		if (m->listeners[k].primary)
			m->listeners[k].primary(m->listeners[k].arg, m, host);
}

static void note(struct mirror *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct mirror *m, const char *fmt, ...)
{
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	obs_timeline(m->env.obs, m->source, text);
}

static bool running(const struct mirror *m, int i)
{
	return i >= 0 && fabric_iris_running(m->fabric, m->members[i].host) &&
	       iris_node_running(m->members[i].node);
}

static bool talk(const struct mirror *m, int host_a, int host_b)
{
	return fabric_hosts_talk(m->fabric, host_a, host_b);
}

/* --- physical state of the three connections -------------------------------------------------- */

static bool arbiter_up(const struct mirror *m)
{
	return m->arbiter_host >= 0 && fabric_host_up(m->fabric, m->arbiter_host);
}

static bool physical(const struct mirror *m, enum link l)
{
	int p = m->primary >= 0 ? m->primary : m->transition;
	switch (l) {
	case LINK_PB:
		return p >= 0 && m->backup >= 0 && running(m, p) && running(m, m->backup) &&
		       talk(m, m->members[p].host, m->members[m->backup].host);
	case LINK_PA:
		return p >= 0 && running(m, p) && arbiter_up(m) &&
		       talk(m, m->members[p].host, m->arbiter_host);
	case LINK_BA:
		return m->backup >= 0 && running(m, m->backup) && arbiter_up(m) &&
		       talk(m, m->members[m->backup].host, m->arbiter_host);
	default:
		return false;
	}
}

/* Start a timer when logical and physical states differ; cancel it when they agree again
 * (a flap shorter than the detection window goes unnoticed). */
/* Whether one end of link l is an instance that stopped on a host that is up and still
 * reachable from the other end: *from is that host, *to the other end's. */
static bool reset_seen(const struct mirror *m, enum link l, int *from, int *to)
{
	int p = m->primary >= 0 ? m->primary : m->transition;
	int ph = p >= 0 ? m->members[p].host : -1;
	int bh = m->backup >= 0 ? m->members[m->backup].host : -1;
	int ends[LINK_COUNT][2] = {{ph, bh}, {ph, m->arbiter_host}, {bh, m->arbiter_host}};
	for (int k = 0; k < 2; k++) {
		int a = ends[l][k], b = ends[l][1 - k];
		if (a >= 0 && b >= 0 && fabric_host_up(m->fabric, a) &&
		    fabric_iris(m->fabric, a) == FABRIC_IRIS_STOPPED && talk(m, a, b) &&
		    (fabric_host_up(m->fabric, b))) {
			*from = a;
			*to = b;
			return true;
		}
	}
	return false;
}

static void track_link(struct mirror *m, enum link l)
{
	struct link_state *ls = &m->links[l];
	bool phys = physical(m, l);
	if (phys == ls->connected) {
		sim_cancel(m->self->engine, ls->timer);
		ls->timer = SIM_HANDLE_NONE;
		return;
	}
	if (sim_is_pending(m->self->engine, ls->timer))
		return;
	int32_t which = (int32_t)l;
	if (ls->connected) {
		/* Noticed after QoS/2 to QoS (iris.md §1.3), or at once when one end's instance
		 * stopped on a host that is up: its operating system resets the connection. */
		int from, to;
		sim_time delay;
		if (reset_seen(m, l, &from, &to)) {
			delay = net_delay(m, from, to, 64);
		} else {
			double qos = sim_time_to_s(m->policy->qos_timeout);
			delay = sim_time_from_s(gsl_ran_flat(m->self->rng, qos / 2, qos));
		}
		ls->timer = sim_schedule_in(m->self->engine, m->self, delay, MIRROR_EV_LINK_LOST, &which,
					    sizeof(which));
	} else {
		ls->timer = sim_schedule_in(m->self->engine, m->self, m->policy->reconnect_delay,
					    MIRROR_EV_LINK_UP, &which, sizeof(which));
	}
}

static void track_links(struct mirror *m)
{
	for (int l = 0; l < LINK_COUNT; l++)
		track_link(m, (enum link)l);
}

static void update_mode(struct mirror *m)
{
	enum mode mode = m->arbiter_host >= 0 && m->links[LINK_PB].connected &&
				 m->links[LINK_PA].connected && m->links[LINK_BA].connected &&
				 m->backup >= 0 && m->members[m->backup].active
			 ? MODE_ARBITER
			 : MODE_AGENT;
	/* Leaving arbiter-controlled mode is agreed between the failover members, so it needs
	 * them to reach each other: when the primary is gone the backup keeps deciding as in
	 * arbiter-controlled mode (iris.md §1.4, Table 3-1). */
	if (mode == MODE_AGENT && m->mode == MODE_ARBITER && !physical(m, LINK_PB))
		return;
	if (mode != m->mode)
		note(m, "%s-controlled mode", mode == MODE_ARBITER ? "arbiter" : "agent");
	m->mode = mode;
}

/* --- trouble and write acceptance -------------------------------------------------------------- */

static void set_trouble(struct mirror *m, enum trouble t, sim_time duration)
{
	sim_cancel(m->self->engine, m->trouble_timer);
	m->trouble_timer = SIM_HANDLE_NONE;
	m->trouble = t;
	if (m->primary >= 0)
		iris_node_pause_writes(m->members[m->primary].node, t != TROUBLE_NONE);
	if (t == TROUBLE_TIMED)
		m->trouble_timer = sim_schedule_in(m->self->engine, m->self, duration,
						   MIRROR_EV_TROUBLE_END, NULL, 0);
}

bool mirror_accepts_writes(const struct mirror *m)
{
	return m->primary >= 0 && m->members[m->primary].role == ROLE_PRIMARY &&
	       running(m, m->primary) && m->trouble == TROUBLE_NONE;
}

int mirror_primary_host(const struct mirror *m)
{
	return m->primary >= 0 && m->members[m->primary].role == ROLE_PRIMARY
		       ? m->members[m->primary].host
		       : -1;
}

static void check_single_primary(struct mirror *m)
{
	int accepting = 0;
	for (size_t i = 0; i < m->member_count; i++)
		if (m->members[i].role == ROLE_PRIMARY && running(m, (int)i) &&
		    ((int)i != m->primary || m->trouble == TROUBLE_NONE))
			accepting++;
	if (accepting > 1)
		obs_violation(m->env.obs, "single_primary",
				   "two members of the mirror accept writes at once");
}

/* --- acknowledged updates (RPO) ---------------------------------------------------------------- */

void mirror_note_ack(struct mirror *m, int primary_host, double seq, double bytes, bool durable)
{
	if (m->primary < 0 || m->members[m->primary].host != primary_host)
		return;
	if (m->ring_count == m->ring_cap) {
		if (m->ring_cap >= RING_MAX) {
			/* Fold the oldest into the aggregate to make room. */
			const struct acked *o = &m->ring[m->ring_head];
			struct acked_older *g = &m->older;
			if (g->count == 0) {
				g->seq_min = o->seq;
				g->t_first = o->t;
			}
			g->count++;
			g->durable += o->durable;
			g->bytes += o->bytes;
			g->seq_max = o->seq;
			g->t_last = o->t;
			m->ring_head = (m->ring_head + 1) % m->ring_cap;
			m->ring_count--;
		} else {
			size_t cap = m->ring_cap ? m->ring_cap * 2 : 4096;
			struct acked *ring = malloc(sizeof(*ring) * cap);
			if (!ring) { /* out of memory: the world reports the run as failed */
				sim_stop(m->self->engine);
				return;
			}
			for (size_t i = 0; i < m->ring_count; i++)
				ring[i] = m->ring[(m->ring_head + i) % m->ring_cap];
			free(m->ring);
			m->ring = ring;
			m->ring_cap = cap;
			m->ring_head = 0;
		}
	}
	m->ring[(m->ring_head + m->ring_count++) % m->ring_cap] =
		(struct acked){seq, bytes, sim_now(m->self->engine), durable};
}

/* Forget updates every member able to take over already has. */
static void trim_ring(struct mirror *m)
{
	double low = INFINITY;
	bool any = false;
	for (size_t i = 0; i < m->member_count; i++) {
		if ((int)i == m->primary || m->members[i].kind == MIRROR_REPORTING)
			continue;
		any = true;
		if (m->members[i].received < low)
			low = m->members[i].received;
	}
	if (!any)
		low = INFINITY; /* nobody could take over: nothing to count */
	while (m->ring_count && m->ring[m->ring_head].seq <= low) {
		m->ring_head = (m->ring_head + 1) % m->ring_cap;
		m->ring_count--;
	}
	if (m->older.count && m->older.seq_max <= low)
		memset(&m->older, 0, sizeof(m->older));
}

/* --- journal shipping ---------------------------------------------------------------------------- */

static void start_catchup(struct mirror *m);

/* The primary starts waiting for the Active backup's acknowledgement of what it shipped at
 * `since` up to `upto`: if none arrives within the QoS window (drawn in [QoS/2, QoS], as a
 * connection loss is noticed), the primary disconnects the backup (iris.md §1.3 a). */
static void ack_wait(struct mirror *m, double upto, sim_time since)
{
	double qos = sim_time_to_s(m->policy->qos_timeout);
	sim_time at = since + sim_time_from_s(gsl_ran_flat(m->ack_rng, qos / 2, qos));
	sim_time now = sim_now(m->self->engine);
	m->ack_wait_upto = upto;
	m->ack_wait_since = since;
	m->ack_timer = sim_schedule_at(m->self->engine, m->self, at > now ? at : now,
				       MIRROR_EV_ACK_TIMEOUT, NULL, 0);
}

static void ack_wait_cancel(struct mirror *m)
{
	sim_cancel(m->self->engine, m->ack_timer);
	m->ack_timer = SIM_HANDLE_NONE;
}

static void ship_to(struct mirror *m, int i, double upto)
{
	struct member *mb = &m->members[i];
	const struct member *p = &m->members[m->primary];
	if (upto <= mb->received || !running(m, i) || !talk(m, p->host, mb->host))
		return;
	if ((int)i == m->backup && !m->links[LINK_PB].connected)
		return; /* the backup reconnects and catches up first */
	double bytes = upto - mb->received;
	if (mb->kind != MIRROR_FAILOVER)
		bytes *= m->policy->journal_compression;
	sim_time now = sim_now(m->self->engine);
	sim_time at = now + net_delay(m, p->host, mb->host, bytes);
	if (at < mb->last_arrival)
		at = mb->last_arrival; /* in order on one connection */
	mb->last_arrival = at;
	mb->shipped = upto;
	mb->shipped_at = now;
	if ((int)i == m->backup && mb->active && !sim_is_pending(m->self->engine, m->ack_timer))
		ack_wait(m, upto, now);
	struct ship_payload sp = {upto, i, m->primary};
	sim_schedule_at(m->self->engine, m->self, at, MIRROR_EV_SHIP, &sp, sizeof(sp));
}

/* The backup's journal is written up to `upto`: an Active backup acknowledges it; a backup
 * catching up may have caught up. */
static void member_written(struct mirror *m, int i, double upto);

void mirror_on_flush(struct mirror *m, int host, double upto)
{
	if (m->primary < 0)
		return;
	if (m->members[m->primary].host != host) {
		if (m->backup >= 0 && m->members[m->backup].host == host)
			member_written(m, m->backup, upto);
		return;
	}
	for (size_t i = 0; i < m->member_count; i++)
		if ((int)i != m->primary && m->members[i].role != ROLE_DOWN)
			ship_to(m, (int)i, upto);
}

static void mirror_on_ship(struct sim_entity *self, const struct sim_event *ev)
{
	struct mirror *m = self->state;
	const struct ship_payload *sp = sim_event_payload(ev);
	struct member *mb = &m->members[sp->member];
	if (sp->primary != m->primary || m->primary < 0 || !running(m, sp->member))
		return;
	if (sp->upto > mb->received)
		mb->received = sp->upto;
	/* Written to its own journal at once; the backup acknowledges when it is written
	 * (member_written) and dejournals it. */
	iris_node_journal_receive(mb->node, mb->received,
				  iris_node_records_per_byte(m->members[m->primary].node));
	trim_ring(m);
}

static void member_written(struct mirror *m, int i, double upto)
{
	struct member *b = &m->members[i];
	if (!m->links[LINK_PB].connected || !running(m, m->primary) || !running(m, i))
		return;
	if (b->active) {
		/* The Active backup acknowledges what it has received and written (iris.md §1.2:
		 * receipt; written first is a modelling choice, see mirror.h). */
		struct ship_payload ack = {upto, i, m->primary};
		sim_schedule_in(m->self->engine, m->self,
				net_delay(m, b->host, m->members[m->primary].host, 64),
				MIRROR_EV_ACK, &ack, sizeof(ack));
		return;
	}
	if (!b->catching_up || !b->catchup_arrived || upto < b->catchup_target)
		return;
	/* A round of catching up is done: the backup holds what the primary had when it began.
	 * It becomes Active if the round took no longer than the primary waits for an
	 * acknowledgement at the least (QoS/2); otherwise it is still behind: another round. */
	sim_time took = sim_now(m->self->engine) - b->catchup_start;
	if (took > m->policy->qos_timeout / 2) {
		start_catchup(m);
		return;
	}
	b->catching_up = false;
	iris_node_backup_acked(m->members[m->primary].node, upto);
	if (m->backup >= 0)
		m->members[m->backup].active = true;
	iris_node_set_backup_ack(m->members[m->primary].node, true);
	note(m, "backup %s caught up: Active", b->name);
	evaluate(m);
}

static void mirror_on_ack(struct sim_entity *self, const struct sim_event *ev)
{
	struct mirror *m = self->state;
	const struct ship_payload *sp = sim_event_payload(ev);
	if (sp->primary != m->primary || m->primary < 0 || !running(m, m->primary) ||
	    !talk(m, m->members[sp->member].host, m->members[m->primary].host))
		return;
	struct member *b = &m->members[sp->member];
	if (sp->member == m->backup && sim_is_pending(self->engine, m->ack_timer) &&
	    sp->upto >= m->ack_wait_upto) {
		double waited = sim_time_to_s(sim_now(self->engine) - m->ack_wait_since);
		if (waited > b->stats.ack_max_s)
			b->stats.ack_max_s = waited;
		ack_wait_cancel(m);
		if (b->active && b->shipped > sp->upto)
			ack_wait(m, b->shipped, b->shipped_at);
	}
	iris_node_backup_acked(m->members[m->primary].node, sp->upto);
}

static void set_active(struct mirror *m, bool active)
{
	if (m->backup < 0)
		return;
	m->members[m->backup].active = active;
	track_active(m);
	if (!active)
		ack_wait_cancel(m);
	if (m->primary >= 0)
		iris_node_set_backup_ack(m->members[m->primary].node, active);
}

/* The catch-up data of the round has arrived at the backup: it writes it. */
static void mirror_on_catchup_done(struct sim_entity *self, const struct sim_event *ev)
{
	struct mirror *m = self->state;
	const struct ship_payload *sp = sim_event_payload(ev);
	if (sp->member != m->backup || sp->primary != m->primary || !m->links[LINK_PB].connected ||
	    !running(m, sp->member))
		return;
	struct member *b = &m->members[m->backup];
	if (!b->catching_up || sp->upto != b->catchup_target)
		return; /* a round that has been superseded */
	b->catchup_arrived = true;
	if (sp->upto > b->received)
		b->received = sp->upto;
	iris_node_journal_receive(b->node, b->received,
				  iris_node_records_per_byte(m->members[m->primary].node));
	trim_ring(m);
	member_written(m, m->backup, iris_node_journal_durable(b->node));
}

/* A round of catching up (iris.md §1.1, HA §3.3.2.1: a reconnecting backup obtains the
 * latest journal data and acknowledges it, then becomes Active): the journal the backup
 * lacks up to the primary's durable position crosses the network in one transfer, and the
 * round ends when the backup has written it (member_written). */
static void start_catchup(struct mirror *m)
{
	struct member *b = &m->members[m->backup];
	const struct member *p = &m->members[m->primary];
	double upto = iris_node_journal_durable(p->node);
	double behind = upto > b->received ? upto - b->received : 0;
	if (!b->catching_up)
		note(m, "backup %s reconnected, catching up %.0f bytes", b->name, behind);
	b->catching_up = true;
	b->catchup_arrived = false;
	b->catchup_target = upto;
	b->catchup_start = sim_now(m->self->engine);
	struct ship_payload sp = {upto, m->backup, m->primary};
	sim_schedule_in(m->self->engine, m->self, net_delay(m, p->host, b->host, behind),
			MIRROR_EV_CATCHUP_DONE, &sp, sizeof(sp));
}
/* --- takeover ------------------------------------------------------------------------------------ */

static void force_down(struct mirror *m, int i, const char *why)
{
	struct member *mb = &m->members[i];
	if (mb->forced_down)
		return;
	mb->forced_down = true;
	mb->role = ROLE_DOWN;
	note(m, "%s forced down (%s)", mb->name, why);
	iris_node_stop(mb->node);
	fabric_set_iris(m->fabric, mb->host, FABRIC_IRIS_STOPPED);
	publish_primary(m);
}

static void begin_takeover(struct mirror *m, int taker, const char *how)
{
	struct member *t = &m->members[taker];
	m->t_decide = sim_now(m->self->engine);
	m->taker_active = t->active || ((int)taker == m->backup && m->active_at_loss);
	m->transition = taker;
	t->role = ROLE_TRANSITION;
	note(m, "%s takes over (%s), Transition", t->name, how);
	/* The new primary gets the latest journal from the old primary's agent when it can reach
	 * its host (iris.md §1.4). */
	int old = m->primary;
	if (old >= 0 && fabric_host_up(m->fabric, m->members[old].host) &&
	    talk(m, t->host, m->members[old].host)) {
		double d = iris_node_journal_durable(m->members[old].node);
		if (d > t->received)
			t->received = d;
	}
	/* It writes what it received and applies all of it before it becomes primary
	 * (mirror_on_transition_done waits for that). */
	iris_node_journal_receive(t->node, t->received, -1);
	m->transition_applying = false;
	sim_time transition = rng_dist_sample_time(&m->policy->transition_time, m->self->rng);
	m->transition_timer = sim_schedule_in(m->self->engine, m->self, transition,
					      MIRROR_EV_TRANSITION_DONE, NULL, 0);
	publish_primary(m);
}

static void mirror_on_transition_done(struct sim_entity *self, const struct sim_event *ev)
{
	struct mirror *m = self->state;
	(void)ev;
	m->transition_timer = SIM_HANDLE_NONE;
	int taker = m->transition;
	if (taker < 0)
		return;
	struct member *t = &m->members[taker];
	if (running(m, taker) && iris_node_dejournal_backlog(t->node) > 0) {
		/* The Transition lasts until the taker has applied the journal it received
		 * (iris.md §1.1: it stays in Transition while it applies journal files). */
		if (!m->transition_applying)
			note(m, "%s applies %.0f bytes of journal before it becomes primary", t->name,
			     iris_node_dejournal_backlog(t->node));
		m->transition_applying = true;
		return; /* mirror_on_applied ends the Transition */
	}
	m->transition_applying = false;
	m->transition = -1;
	if (!running(m, taker)) {
		t->role = t->kind == MIRROR_FAILOVER ? ROLE_BACKUP : ROLE_ASYNC;
		note(m, "%s stopped during Transition", t->name);
		publish_primary(m);
		evaluate(m);
		return;
	}
	int old = m->primary;
	struct mirror_takeover info = {
		.old_primary = old >= 0 ? m->members[old].name : NULL,
		.new_primary = t->name,
		.t_detect = m->outage ? m->t_detect : m->t_decide,
		.t_decide = m->t_decide,
		.t_ready = sim_now(self->engine),
		.from_active_backup = m->taker_active && !m->promoting,
		.promotion = m->promoting,
	};
	/* What the new primary lacks: acknowledged updates beyond its journal. The folded older
	 * ones count whole when the taker lacks the newest of them (exact when it lacks them
	 * all, as a member that far behind does). */
	if (m->older.count && m->older.seq_max > t->received) {
		info.lost_first = m->older.t_first;
		info.lost_last = m->older.t_last;
		info.lost_tx = m->older.count;
		info.lost_bytes = m->older.bytes;
		info.lost_durable_tx = m->older.durable;
	}
	for (size_t k = 0; k < m->ring_count; k++) {
		const struct acked *a = &m->ring[(m->ring_head + k) % m->ring_cap];
		if (a->seq <= t->received)
			continue;
		if (info.lost_tx == 0)
			info.lost_first = a->t;
		info.lost_last = a->t;
		info.lost_tx++;
		info.lost_bytes += a->bytes;
		if (a->durable)
			info.lost_durable_tx++;
	}
	if (info.from_active_backup && info.lost_durable_tx > 0)
		obs_violation(m->env.obs, "no_loss_from_active_backup",
				   "an Active backup took over without durable commits");
	m->ring_count = 0;
	m->ring_head = 0;
	memset(&m->older, 0, sizeof(m->older));

	/* The old primary: forced down now if reachable, else when connectivity returns. */
	if (old >= 0) {
		struct member *o = &m->members[old];
		if (running(m, old) && talk(m, t->host, o->host))
			force_down(m, old, "after takeover");
		else if (o->role == ROLE_PRIMARY)
			o->role = ROLE_DOWN;
		iris_node_pause_writes(o->node, false);
		iris_node_set_backup_ack(o->node, false);
	}
	set_trouble(m, TROUBLE_NONE, 0);
	ack_wait_cancel(m);
	t->role = ROLE_PRIMARY;
	t->kind = MIRROR_FAILOVER;
	m->primary = taker;
	iris_node_journal_reset(t->node, t->received);
	/* The partner: the other failover member, when there is one. */
	m->backup = -1;
	for (size_t i = 0; i < m->member_count; i++)
		if ((int)i != taker && m->members[i].kind == MIRROR_FAILOVER && m->backup < 0)
			m->backup = (int)i;
	if (m->backup >= 0) {
		m->members[m->backup].active = false;
		m->members[m->backup].catching_up = false;
		if (m->members[m->backup].role != ROLE_DOWN)
			m->members[m->backup].role = ROLE_BACKUP;
	}
	iris_node_set_backup_ack(t->node, false);
	for (int l = 0; l < LINK_COUNT; l++) {
		m->links[l].connected = false;
		sim_cancel(self->engine, m->links[l].timer);
		m->links[l].timer = SIM_HANDLE_NONE;
	}
	m->links[LINK_PA].connected = physical(m, LINK_PA);
	m->links[LINK_BA].connected = physical(m, LINK_BA);
	m->backup_loss_handled = true;
	m->outage = false;
	m->promoting = false;
	sim_cancel(self->engine, m->promote_timer);
	m->promote_timer = SIM_HANDLE_NONE;
	update_mode(m);
	note(m, "%s is primary", t->name);
	publish_primary(m);
	for (size_t k = 0; k < m->listener_count; k++)
		if (m->listeners[k].takeover)
			m->listeners[k].takeover(m->listeners[k].arg, m, &info);
	track_links(m);
	evaluate(m);
}

/* --- decisions ------------------------------------------------------------------------------------ */

static void outage_detected(struct mirror *m)
{
	if (m->outage)
		return;
	m->outage = true;
	m->t_detect = sim_now(m->self->engine);
	for (size_t k = 0; k < m->listener_count; k++)
		if (m->listeners[k].detected)
			m->listeners[k].detected(m->listeners[k].arg, m, m->t_detect);
}

/* The backup has noticed the loss of the primary: may it take over? */
static void backup_decides(struct mirror *m)
{
	int b = m->backup, p = m->primary;
	if (b < 0 || p < 0 || m->transition >= 0 || !running(m, b) ||
	    m->members[b].role != ROLE_BACKUP || m->links[LINK_PB].connected)
		return;
	struct member *bm = &m->members[b], *pm = &m->members[p];
	/* Arbiter-controlled: the arbiter confirms it lost the primary too (rule 2). */
	if (m->mode_at_loss == MODE_ARBITER && m->active_at_loss && arbiter_up(m) &&
	    talk(m, bm->host, m->arbiter_host) && !m->links[LINK_PA].connected) {
		begin_takeover(m, b, "the arbiter also lost the primary");
		return;
	}
	/* The primary's agent confirms it is down, or forces a hung one down (rule 3); a
	 * backup that is not Active also gets the latest journal from it (iris.md §1.4). */
	if (fabric_host_up(m->fabric, pm->host) && talk(m, bm->host, pm->host) && !running(m, p)) {
		if (fabric_iris(m->fabric, pm->host) == FABRIC_IRIS_HUNG) {
			force_down(m, p, "hung, by its agent");
			/* The force-down's fabric announcement has evaluated the mirror again
			 * and begun the takeover: do not begin a second one. */
			if (m->transition >= 0)
				return;
		}
		begin_takeover(m, b, "the primary's agent confirms it is down");
	}
}

/* The primary has noticed the loss of its backup. */
static void primary_loses_backup(struct mirror *m)
{
	int p = m->primary;
	if (p < 0 || m->members[p].role != ROLE_PRIMARY || !running(m, p) || m->backup < 0 ||
	    m->backup_loss_handled)
		return;
	m->backup_loss_handled = true;
	bool was_active = m->members[m->backup].active;
	if (!was_active)
		return; /* a primary without an Active backup carries on (iris.md §1.4) */
	/* The trouble state is decided before Active is revoked, so that updates held by the
	 * stalled journal cycle are not let through by a primary that must stop committing. */
	if (m->mode == MODE_ARBITER || m->mode_at_loss == MODE_ARBITER) {
		if (arbiter_up(m) && talk(m, m->members[p].host, m->arbiter_host) &&
		    m->links[LINK_PA].connected) {
			/* Switch to agent mode through the arbiter: a short pause, then continue. */
			note(m, "primary %s lost the backup; continues after switching to agent mode",
			     m->members[p].name);
			set_trouble(m, TROUBLE_TIMED,
				    net_delay(m, m->members[p].host, m->arbiter_host, 64) * 2);
		} else {
			note(m, "primary %s lost backup and arbiter: in trouble indefinitely",
			     m->members[p].name);
			set_trouble(m, TROUBLE_INDEFINITE, 0);
		}
	} else {
		/* Agent-controlled: trouble until the backup answers or the trouble timeout
		 * (2 x QoS) passes (iris.md §1.4, §0). */
		note(m, "primary %s lost the backup: trouble for up to 2 x QoS", m->members[p].name);
		set_trouble(m, TROUBLE_TIMED, 2 * m->policy->qos_timeout);
	}
	set_active(m, false);
}

static bool failover_running(const struct mirror *m)
{
	for (size_t i = 0; i < m->member_count; i++)
		if (m->members[i].kind == MIRROR_FAILOVER && running(m, (int)i))
			return true;
	return false;
}

/* Arm the operator's DR promotion while no primary accepts writes (iris.md §2). */
static void consider_promotion(struct mirror *m)
{
	bool has_dr = false;
	for (size_t i = 0; i < m->member_count; i++)
		has_dr |= m->members[i].kind == MIRROR_DR;
	/* Only when no failover member's instance runs: a running one can still serve (an
	 * operator forces or resumes it instead, below). */
	bool down = !mirror_accepts_writes(m) && m->transition < 0 && !failover_running(m);
	if (down && has_dr && m->policy->dr_promotion &&
	    !sim_is_pending(m->self->engine, m->promote_timer)) {
		m->promote_timer = sim_schedule_in(
			m->self->engine, m->self,
			rng_dist_sample_time(&m->policy->dr_promotion_delay, m->self->rng),
			MIRROR_EV_PROMOTE, NULL, 0);
	} else if (!down) {
		sim_cancel(m->self->engine, m->promote_timer);
		m->promote_timer = SIM_HANDLE_NONE;
	}
}

static void operator_acts(struct mirror *m);

static void mirror_on_promote(struct sim_entity *self, const struct sim_event *ev)
{
	struct mirror *m = self->state;
	(void)ev;
	if (mirror_accepts_writes(m) || m->transition >= 0 || failover_running(m))
		return;
	/* The operator promotes a running DR async. Before it becomes primary it gets the
	 * newest journal from a failover member's agent if it can reach one (iris.md §2). */
	for (size_t i = 0; i < m->member_count; i++) {
		struct member *dr = &m->members[i];
		if (dr->kind != MIRROR_DR || !running(m, (int)i))
			continue;
		for (size_t k = 0; k < m->member_count; k++) {
			struct member *f = &m->members[k];
			if (f->kind == MIRROR_FAILOVER && fabric_host_up(m->fabric, f->host) &&
			    talk(m, dr->host, f->host)) {
				double d = iris_node_journal_durable(f->node);
				if ((int)k == m->primary && d > dr->received)
					dr->received = d;
				if (f->received > dr->received)
					dr->received = f->received;
			}
		}
		if (m->primary >= 0 && running(m, m->primary))
			force_down(m, m->primary, "before DR promotion");
		outage_detected(m);
		operator_acts(m);
		m->promoting = true;
		note(m, "operator promotes DR async %s", dr->name);
		begin_takeover(m, (int)i, "DR promotion by an operator");
		return;
	}
	note(m, "operator finds no running DR async to promote");
}

/* --- the operator runbook ---------------------------------------------------------------------- */

/* Tell the listeners an operator acts now (the incident's `operator` stage ends). */
static void operator_acts(struct mirror *m)
{
	for (size_t k = 0; k < m->listener_count; k++)
		if (m->listeners[k].operator_acted)
			m->listeners[k].operator_acted(m->listeners[k].arg, m,
						       sim_now(m->self->engine));
}

/* A member the operator would restart: its instance stopped or hung on a host that is up. */
static bool restartable(const struct mirror *m, int i)
{
	enum fabric_iris_state st = fabric_iris(m->fabric, m->members[i].host);
	return fabric_host_up(m->fabric, m->members[i].host) &&
	       (st == FABRIC_IRIS_STOPPED || st == FABRIC_IRIS_HUNG);
}

static bool op_condition(const struct mirror *m, enum op_action a)
{
	const struct mirror_policy_config *pol = m->policy;
	int p = m->primary, b = m->backup;
	switch (a) {
	case OP_FORCE_BACKUP: /* the primary is down and nobody took over */
		return pol->operator_force_backup && p >= 0 && m->transition < 0 && !running(m, p) &&
		       b >= 0 && running(m, b) && m->members[b].role == ROLE_BACKUP;
	case OP_RESUME_PRIMARY: /* stuck in trouble, the backup gone */
		return pol->operator_resume_primary && p >= 0 && running(m, p) &&
		       m->members[p].role == ROLE_PRIMARY && m->trouble == TROUBLE_INDEFINITE &&
		       (b < 0 || !running(m, b));
	case OP_RESTART:
		if (!pol->operator_restart || m->transition >= 0)
			return false;
		for (size_t i = 0; i < m->member_count; i++)
			if (restartable(m, (int)i))
				return true;
		return false;
	case OP_COUNT:
		break;
	}
	return false;
}

static const struct rng_dist *op_delay(const struct mirror *m, enum op_action a)
{
	return a == OP_FORCE_BACKUP	? &m->policy->operator_force_backup_delay
	       : a == OP_RESUME_PRIMARY ? &m->policy->operator_resume_primary_delay
					: &m->policy->operator_restart_delay;
}

/* Arm each action while its condition holds; disarm it when the condition goes away. */
static void consider_operator(struct mirror *m)
{
	for (int a = 0; a < OP_COUNT; a++) {
		struct sim_handle *h = &m->op_timer[a];
		bool pending = sim_is_pending(m->self->engine, *h);
		if (op_condition(m, (enum op_action)a)) {
			if (!pending) {
				int32_t which = a;
				*h = sim_schedule_in(
					m->self->engine, m->self,
					rng_dist_sample_time(op_delay(m, (enum op_action)a), m->self->rng),
					MIRROR_EV_OPERATOR, &which, sizeof(which));
			}
		} else if (pending) {
			sim_cancel(m->self->engine, *h);
			*h = SIM_HANDLE_NONE;
		}
	}
}

static void mirror_on_operator(struct sim_entity *self, const struct sim_event *ev)
{
	struct mirror *m = self->state;
	enum op_action a = (enum op_action)*(const int32_t *)sim_event_payload(ev);
	m->op_timer[a] = SIM_HANDLE_NONE;
	if (!op_condition(m, a))
		return;
	operator_acts(m);
	switch (a) {
	case OP_FORCE_BACKUP:
		outage_detected(m);
		note(m, "operator forces %s to become primary", m->members[m->backup].name);
		begin_takeover(m, m->backup, "forced by an operator");
		break;
	case OP_RESUME_PRIMARY:
		note(m, "operator tells %s to resume", m->members[m->primary].name);
		set_trouble(m, TROUBLE_NONE, 0);
		set_active(m, false);
		break;
	case OP_RESTART:
		for (size_t i = 0; i < m->member_count; i++) {
			if (!restartable(m, (int)i))
				continue;
			struct member *mb = &m->members[i];
			if (fabric_iris(m->fabric, mb->host) == FABRIC_IRIS_HUNG)
				force_down(m, (int)i, "hung, by an operator");
			note(m, "operator restarts %s", mb->name);
			fabric_set_iris(m->fabric, mb->host, FABRIC_IRIS_RUNNING);
		}
		break;
	case OP_COUNT:
		break;
	}
	evaluate(m);
}

/* --- planned work ---------------------------------------------------------------------------------- */

int mirror_shutdown_member(struct mirror *m, int host)
{
	int i = -1;
	for (size_t k = 0; k < m->member_count; k++)
		if (m->members[k].host == host)
			i = (int)k;
	if (i < 0)
		return -EINVAL;
	int b = m->backup;
	if (i == m->primary && running(m, i) && m->transition < 0 && b >= 0 && running(m, b) &&
	    m->members[b].active && m->links[LINK_PB].connected) {
		/* A normal shutdown of the primary: it writes and sends its journal, then tells
		 * the Active backup to take over (iris.md §1.4 rule 1, §1.5: no timeout). */
		double upto = iris_node_journal_appended(m->members[i].node);
		if (upto > m->members[b].received)
			m->members[b].received = upto;
		outage_detected(m);
		note(m, "%s shuts down and asks %s to take over", m->members[i].name,
		     m->members[b].name);
		begin_takeover(m, b, "asked by the primary (planned)");
	}
	fabric_set_iris(m->fabric, host, FABRIC_IRIS_STOPPED);
	return 0;
}

/* Time the failover partner spends not Active (stats.not_active_s). */
static void track_active(struct mirror *m)
{
	sim_time now = sim_now(m->self->engine);
	for (size_t i = 0; i < m->member_count; i++) {
		struct member *mb = &m->members[i];
		bool count = (int)i == m->backup && !mb->active;
		if (count && mb->not_active_since < 0) {
			mb->not_active_since = now;
		} else if (!count && mb->not_active_since >= 0) {
			mb->stats.not_active_s += sim_time_to_s(now - mb->not_active_since);
			mb->not_active_since = -1;
		}
	}
}

static void evaluate(struct mirror *m)
{
	track_active(m);
	update_mode(m);
	if (m->outage && mirror_accepts_writes(m) && m->transition < 0)
		m->outage = false; /* the primary came back without a takeover */
	if (!m->links[LINK_PB].connected) {
		primary_loses_backup(m);
		backup_decides(m);
	}
	/* A taker that stopped while applying its backlog ends its Transition now. */
	if (m->transition_applying && m->transition >= 0 && !running(m, m->transition) &&
	    !sim_is_pending(m->self->engine, m->transition_timer))
		m->transition_timer = sim_schedule_in(m->self->engine, m->self, 0,
						      MIRROR_EV_TRANSITION_DONE, NULL, 0);
	check_single_primary(m);
	consider_promotion(m);
	consider_operator(m);
}

/* --- events ---------------------------------------------------------------------------------------- */

/* Connection l is noticed lost (its QoS window passed, or the primary disconnected a backup
 * whose acknowledgement was late). */
static void link_lost(struct mirror *m, enum link l)
{
	if (l == LINK_PB) {
		if (m->backup >= 0)
			m->members[m->backup].catching_up = false;
		m->mode_at_loss = m->mode;
		m->active_at_loss = m->backup >= 0 && m->members[m->backup].active;
		m->backup_loss_handled = false;
		/* The loss of the primary (as the backup sees it) starts an outage when the
		 * primary is gone; a lost backup is an incident of its own. */
		if (!running(m, m->primary) ||
		    (m->backup >= 0 && running(m, m->backup) &&
		     !talk(m, m->members[m->primary].host, m->members[m->backup].host)))
			outage_detected(m);
	}
	m->links[l].connected = false;
	note(m, "%s connection lost", link_names[l]);
	evaluate(m);
	track_link(m, l);
}

static void mirror_on_link_lost(struct sim_entity *self, const struct sim_event *ev)
{
	struct mirror *m = self->state;
	enum link l = (enum link)*(const int32_t *)sim_event_payload(ev);
	m->links[l].timer = SIM_HANDLE_NONE;
	if (m->links[l].connected)
		link_lost(m, l);
}

/* The Active backup did not acknowledge within the QoS window: the primary disconnects it
 * and acts as on a possible outage of the backup (iris.md §1.3 a, HA §3.3.5.1: it revokes
 * Active, with the trouble state of the mode). The connection is re-established after
 * reconnect_delay and the backup catches up before it is Active again. When the path itself
 * is broken, the connection's own detection (M1) handles it. */
static void mirror_on_ack_timeout(struct sim_entity *self, const struct sim_event *ev)
{
	struct mirror *m = self->state;
	(void)ev;
	m->ack_timer = SIM_HANDLE_NONE;
	int b = m->backup;
	if (b < 0 || m->primary < 0 || !m->members[b].active || !m->links[LINK_PB].connected ||
	    !physical(m, LINK_PB) || !running(m, m->primary))
		return;
	struct member *bm = &m->members[b];
	bm->stats.ack_timeouts++;
	double waited = sim_time_to_s(sim_now(self->engine) - m->ack_wait_since);
	if (waited > bm->stats.ack_max_s)
		bm->stats.ack_max_s = waited;
	note(m, "backup %s acknowledgement late (%.1f s, QoS %.0f s): primary %s disconnects it",
	     bm->name, waited, sim_time_to_s(m->policy->qos_timeout), m->members[m->primary].name);
	sim_cancel(self->engine, m->links[LINK_PB].timer);
	m->links[LINK_PB].timer = SIM_HANDLE_NONE;
	link_lost(m, LINK_PB);
}

/* Dejournaling progressed on some member: a taker waiting to finish its Transition may be
 * done. */
static void mirror_on_applied(void *arg)
{
	struct mirror *m = arg;
	if (!m->transition_applying || m->transition < 0 ||
	    sim_is_pending(m->self->engine, m->transition_timer))
		return;
	if (iris_node_dejournal_backlog(m->members[m->transition].node) <= 0)
		m->transition_timer = sim_schedule_in(m->self->engine, m->self, 0,
						      MIRROR_EV_TRANSITION_DONE, NULL, 0);
}

static void mirror_on_link_up(struct sim_entity *self, const struct sim_event *ev)
{
	struct mirror *m = self->state;
	enum link l = (enum link)*(const int32_t *)sim_event_payload(ev);
	m->links[l].timer = SIM_HANDLE_NONE;
	if (!physical(m, l)) {
		track_link(m, l);
		return;
	}
	m->links[l].connected = true;
	note(m, "%s connection established", link_names[l]);
	if (l == LINK_PB) {
		m->backup_loss_handled = false;
		if (m->trouble == TROUBLE_INDEFINITE || m->trouble == TROUBLE_TIMED) {
			note(m, "primary %s resumes: the backup is back", m->members[m->primary].name);
			set_trouble(m, TROUBLE_NONE, 0);
		}
		if (!m->members[m->backup].active)
			start_catchup(m);
	}
	evaluate(m);
}

static void mirror_on_trouble_end(struct sim_entity *self, const struct sim_event *ev)
{
	struct mirror *m = self->state;
	(void)ev;
	m->trouble_timer = SIM_HANDLE_NONE;
	if (m->trouble == TROUBLE_TIMED) {
		note(m, "primary %s resumes", m->primary >= 0 ? m->members[m->primary].name : "?");
		set_trouble(m, TROUBLE_NONE, 0);
	}
	evaluate(m);
}

/* Fabric listener: instances that stopped or came back, connections to (re)track. */
static void mirror_on_fabric(void *arg)
{
	struct mirror *m = arg;
	for (size_t i = 0; i < m->member_count; i++) {
		struct member *mb = &m->members[i];
		enum fabric_iris_state st = fabric_iris(m->fabric, mb->host);
		bool up = st == FABRIC_IRIS_RUNNING;
		if (!up && iris_node_running(mb->node))
			iris_node_stop(mb->node);
		if (up && !mb->was_running) {
			if (mb->forced_down) {
				mb->forced_down = false; /* restarted (host reboot or operator) */
			}
			iris_node_restart(mb->node);
			if ((int)i != m->primary && mb->role == ROLE_DOWN && mb->was_hung) {
				/* An old primary replaced while hung: its hang cleared, it was not
				 * restarted, so it still acts as primary and must be forced down
				 * once reachable (M10, Table 3-1), below or when connectivity
				 * returns. It serves nothing meanwhile. */
				note(m, "%s hang cleared after a takeover: serves nothing until "
					"forced down", mb->name);
			} else if ((int)i == m->primary && m->transition < 0) {
				/* Nobody took over: the last primary, with the latest journal,
				 * becomes primary again (its unflushed journal buffer is lost). */
				note(m, "%s restarted and resumes as primary", mb->name);
				mb->role = ROLE_PRIMARY;
			} else {
				if ((int)i == m->primary)
					mb->role = ROLE_DOWN; /* a takeover is under way */
				else
					mb->role = mb->kind == MIRROR_FAILOVER ? ROLE_BACKUP : ROLE_ASYNC;
				mb->active = false;
				if ((int)i == m->backup) {
					/* A restarted member is not Active: it cannot take over on the
					 * arbiter's word (iris.md §1.4). */
					m->active_at_loss = false;
					m->mode_at_loss = MODE_AGENT;
				}
				iris_node_journal_reset(mb->node, mb->received);
				if (mb->role == ROLE_DOWN)
					note(m, "%s restarted during a takeover: serves nothing until "
						"forced down", mb->name);
				else
					note(m, "%s restarted as %s", mb->name,
					     mb->kind == MIRROR_FAILOVER ? "backup" : "async");
			}
		}
		/* Hung without a stop since it last ran (a host that went down in between
		 * restarts its instance). */
		mb->was_hung = st == FABRIC_IRIS_HUNG && (mb->was_hung || mb->was_running);
		mb->was_running = up;
	}
	publish_primary(m);
	/* An isolated old primary reachable again from the new primary is forced down. */
	for (size_t i = 0; i < m->member_count; i++) {
		struct member *mb = &m->members[i];
		if ((int)i != m->primary && mb->role == ROLE_DOWN && !mb->forced_down &&
		    running(m, (int)i) && m->primary >= 0 && running(m, m->primary) &&
		    talk(m, mb->host, m->members[m->primary].host))
			force_down(m, (int)i, "found alive after a takeover");
	}
	/* Asyncs and a disconnected-then-reachable member catch up on the next flush; bring
	 * asyncs up to date now. */
	if (m->primary >= 0 && running(m, m->primary)) {
		double upto = iris_node_journal_durable(m->members[m->primary].node);
		for (size_t i = 0; i < m->member_count; i++)
			if (m->members[i].kind != MIRROR_FAILOVER && (int)i != m->primary)
				ship_to(m, (int)i, upto);
	}
	track_links(m);
	evaluate(m);
}

static const sim_handler_fn mirror_handlers[MIRROR_EV_COUNT] = {
	[MIRROR_EV_LINK_LOST] = mirror_on_link_lost,
	[MIRROR_EV_LINK_UP] = mirror_on_link_up,
	[MIRROR_EV_TROUBLE_END] = mirror_on_trouble_end,
	[MIRROR_EV_TRANSITION_DONE] = mirror_on_transition_done,
	[MIRROR_EV_SHIP] = mirror_on_ship,
	[MIRROR_EV_ACK] = mirror_on_ack,
	[MIRROR_EV_CATCHUP_DONE] = mirror_on_catchup_done,
	[MIRROR_EV_PROMOTE] = mirror_on_promote,
	[MIRROR_EV_OPERATOR] = mirror_on_operator,
	[MIRROR_EV_ACK_TIMEOUT] = mirror_on_ack_timeout,
};

static void mirror_release(struct sim_entity *self)
{
	struct mirror *m = self->state;
	free(m->ring);
	m->ring = NULL;
	free(m->listeners);
	m->listeners = NULL;
	if (m->own_net_rng)
		gsl_rng_free(m->net_rng);
	m->net_rng = NULL;
	if (m->ack_rng)
		gsl_rng_free(m->ack_rng);
	m->ack_rng = NULL;
}

static const struct sim_entity_type mirror_type = {
	.name = "mirror",
	.state_size = sizeof(struct mirror),
	.handlers = mirror_handlers,
	.handler_count = MIRROR_EV_COUNT,
	.release = mirror_release,
};

struct mirror *mirror_new(struct sim_engine *e, const char *name,
			  const struct mirror_policy_config *policy, struct fabric *fabric,
			  const struct mirror_member_init *members, size_t member_count,
			  int arbiter_host, const struct mirror_env *env)
{
	char ename[200];
	snprintf(ename, sizeof(ename), "mirror:%s", name);
	if (member_count < 2 || member_count > MIRROR_MEMBERS_MAX)
		return NULL;
	struct sim_entity *ent = sim_entity_new(e, &mirror_type, ename);
	if (!ent)
		return NULL;
	struct mirror *m = ent->state;
	m->self = ent;
	m->policy = policy;
	m->fabric = fabric;
	m->env = *env;
	m->published_primary = -2; /* nothing announced yet */
	if (env->net_rng) {
		m->net_rng = env->net_rng;
	} else {
		char sname[220];
		snprintf(sname, sizeof(sname), "%s/network", ename);
		m->net_rng = rng_stream_new(sim_engine_seed(e), sim_engine_replication(e), sname);
		m->own_net_rng = true;
		if (!m->net_rng)
			return NULL;
	}
	{
		char sname[220];
		snprintf(sname, sizeof(sname), "%s/ack", ename);
		m->ack_rng = rng_stream_new(sim_engine_seed(e), sim_engine_replication(e), sname);
		if (!m->ack_rng)
			return NULL;
	}
	snprintf(m->source, sizeof(m->source), "mirror %s", name);
	m->member_count = member_count;
	m->arbiter_host = arbiter_host;
	m->primary = m->backup = m->transition = m->old_primary = -1;
	for (size_t i = 0; i < member_count; i++) {
		struct member *mb = &m->members[i];
		mb->host = members[i].host;
		mb->name = members[i].name;
		mb->node = members[i].node;
		mb->kind = members[i].kind;
		mb->role = i == 0 ? ROLE_PRIMARY : i == 1 ? ROLE_BACKUP : ROLE_ASYNC;
		mb->was_running = true;
		mb->not_active_since = -1;
		/* Every member may receive journal and dejournal it (iris.md §2; iris-2.md §8). */
		struct iris_dejournal_params dj = {
			.cpu_per_record = sim_time_to_s(policy->dejournal_cpu),
			.updaters = (int)policy->dejournal_updaters,
			.batch_bytes = policy->dejournal_batch,
			.applied = mirror_on_applied,
			.arg = m,
		};
		iris_node_set_dejournal(mb->node, &dj);
	}
	if (fabric_subscribe(fabric, mirror_on_fabric, m) < 0)
		return NULL;
	return m;
}

int mirror_listen(struct mirror *m, const struct mirror_listener *l)
{
	struct mirror_listener *grown =
		realloc(m->listeners, sizeof(*grown) * (m->listener_count + 1));
	if (!grown)
		return -ENOMEM;
	m->listeners = grown;
	m->listeners[m->listener_count++] = *l;
	return 0;
}

void mirror_free(struct mirror *m)
{
	(void)m; /* state lives in the engine's entity; the ring is freed by its release hook */
}

void mirror_start(struct mirror *m)
{
	m->primary = 0;
	m->backup = 1;
	for (int l = 0; l < LINK_COUNT; l++)
		m->links[l].connected = physical(m, (enum link)l);
	set_active(m, m->links[LINK_PB].connected);
	update_mode(m);
	note(m, "%s primary, %s backup%s", m->members[0].name, m->members[1].name,
	     m->members[1].active ? " (Active)" : "");
	publish_primary(m);
	track_links(m);
}

enum mirror_status mirror_member_status(const struct mirror *m, int host)
{
	for (size_t i = 0; i < m->member_count; i++) {
		if (m->members[i].host != host)
			continue;
		if (!running(m, (int)i))
			return MIRROR_STATUS_NONE;
		return (int)i == m->primary && m->members[i].role == ROLE_PRIMARY ? MIRROR_STATUS_OK
										   : MIRROR_STATUS_FAIL;
	}
	return MIRROR_STATUS_NONE;
}

bool mirror_has_host(const struct mirror *m, int host)
{
	for (size_t i = 0; i < m->member_count; i++)
		if (m->members[i].host == host)
			return true;
	return false;
}

const char *mirror_name(const struct mirror *m) { return m->source + 7; }

void mirror_member_stats(const struct mirror *m, int host, struct mirror_member_stats *out)
{
	memset(out, 0, sizeof(*out));
	sim_time now = sim_now(m->self->engine);
	for (size_t i = 0; i < m->member_count; i++) {
		const struct member *mb = &m->members[i];
		if (mb->host != host)
			continue;
		*out = mb->stats;
		if (mb->not_active_since >= 0)
			out->not_active_s += sim_time_to_s(now - mb->not_active_since);
	}
}

void mirror_stats_reset(struct mirror *m)
{
	sim_time now = sim_now(m->self->engine);
	for (size_t i = 0; i < m->member_count; i++) {
		struct member *mb = &m->members[i];
		memset(&mb->stats, 0, sizeof(mb->stats));
		if (mb->not_active_since >= 0)
			mb->not_active_since = now;
	}
}
