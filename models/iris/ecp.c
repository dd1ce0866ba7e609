/* ecp.c: ECP application servers and their sessions (see ecp.h for the design note).
 *
 * Objects:
 *   job  - a user's request at an app server, from submit until it completes;
 *   msg  - an ECP request of an app server (a block, an update batch, a sync); it sits in
 *          the app's `outstanding` list once sent, or in `held` while the connection cannot
 *          carry it, and is sent again after a recovery;
 *   wire - one sending of a msg: the data_req the data server works on, and the reply.
 *          A msg may have several wires alive (an old sending the data server still holds);
 *          only the wire of the msg's latest sending in the current session counts.
 * Invariants:
 *   - a msg is in at most one list; a msg is returned to the pool only when it is finished
 *     (dead) and no wire refers to it;
 *   - a job waits for at most one msg, or is inside the app's node;
 *   - app->session is bumped whenever in-flight wires become meaningless (Trouble, reset,
 *     crash); a wire of an older session is dropped when it comes back.
 */
#include "ecp.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "pool.h"

enum msg_kind { MSG_BLOCK, MSG_UPDATE, MSG_SYNC };
enum msg_list { LIST_NONE, LIST_OUTSTANDING, LIST_HELD };

struct ecp_job {
	struct iris_request irq;  /* the work on the app server's node */
	struct data_req *req;     /* the user's request */
	bool held;                /* waited in a stall */
	sim_time held_since;      /* when that stall began */
	void *next_free;
};

struct ecp_msg {
	struct ecp_msg *prev, *next;
	enum msg_list list;
	enum msg_kind kind;
	struct ecp_job *job;      /* BLOCK and SYNC: the job waiting for it */
	uint32_t writes, updates; /* UPDATE and SYNC */
	double journal_bytes;
	uint32_t seq;             /* bumped at each sending */
	uint32_t refs;            /* wires alive */
	bool dead;
	struct sim_handle wait;   /* connection_wait while Connection in Progress */
	void *next_free;
};

struct ecp_wire {
	struct data_req req;      /* first: what the data server works on */
	struct ecp_app *app;
	struct ecp_msg *msg;
	uint32_t seq, session;
	int host;
	int cause;
	void *next_free;
};

struct msg_list_head {
	struct ecp_msg *head, *tail;
};

struct ecp_app {
	struct ecp_group *g;
	struct sim_entity *self;
	struct iris_node *node;
	int host;
	const char *name;
	bool running;
	bool retired;            /* not launched or terminated by Auto Scaling: no loss */
	enum ecp_state state;
	bool has_session;         /* the data server holds a session of this app server */
	int conn_host;            /* data host of that session */
	uint32_t conn_inc;        /* data server incarnation of that session */
	uint32_t session;
	sim_time trouble_since;
	bool awaiting_recovery;   /* reconnected to a recovering server, held until it is done */
	bool pending;             /* the current recovery waits for this app server */
	uint32_t crashed_inc;     /* incarnation it had a session with when it crashed, or 0 */
	struct msg_list_head outstanding, held;
	uint32_t batch_writes, batch_updates;
	double batch_journal;
	bool update_on_wire;
	struct ecp_app_stats stats;
};

struct ecp_group {
	struct sim_engine *e;
	struct ecp_params p;
	struct sim_entity *self;
	struct ecp_app *apps;
	size_t app_count;
	struct pool jobs, msgs, wires;
	uint32_t inc;             /* incarnation of the data server: restart or new primary */
	int inc_host;             /* host of that incarnation, -1 none */
	bool inc_dead;            /* its instance has stopped since */
	bool recovering;
	size_t pending;
	struct sim_handle recovery_timer;
	uint64_t *served;         /* per host */
	bool started;             /* ecp_group_start has run (the mirror has its primary) */
};

enum { APP_EV_HEARTBEAT, APP_EV_RECONNECT, APP_EV_CONNECTED, APP_EV_AT_SERVER, APP_EV_REPLY,
       APP_EV_WAIT_EXPIRED, APP_EV_COUNT };
enum { GROUP_EV_RECOVERY_END, GROUP_EV_COUNT };

static const char *const state_names[] = {"Not Connected", "Connection in Progress", "Normal",
					  "Trouble"};

const char *ecp_state_name(enum ecp_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

double ecp_control_bytes(double app_cache_bytes, double block_size)
{
	double fraction = block_size >= 65536 ? 0.00125 : block_size >= 32768 ? 0.0025
						  : block_size >= 16384 ? 0.005 : 0.01;
	return 50.0 * 1048576.0 + fraction * app_cache_bytes;
}

double ecp_hit_ratio(double base, double write_share, const struct ecp_config *cfg,
		     size_t app_count)
{
	if (app_count < 2)
		return base;
	double shared = cfg->affinity == ECP_AFFINITY_ROUND_ROBIN ? 1.0 : cfg->shared_block_fraction;
	double invalidated = fmin(1.0, fmax(0.0, write_share)) * shared *
			     (double)(app_count - 1) / (double)app_count;
	return base * (1.0 - invalidated);
}

double ecp_block_hit_ratio(double base, double app, double server)
{
	double miss = 1.0 - app;
	if (miss <= 0)
		return server;
	double invalidated = fmax(0.0, base - app), capacity = 1.0 - base;
	double kept = server > base && base < 1 ? (server - base) / (1.0 - base) : 0.0;
	return fmin(1.0, (invalidated + capacity * kept) / miss);
}

/* --- lists and lifetimes -------------------------------------------------------------------- */

static struct msg_list_head *list_of(struct ecp_app *a, enum msg_list l)
{
	return l == LIST_OUTSTANDING ? &a->outstanding : &a->held;
}

static void list_remove(struct ecp_app *a, struct ecp_msg *m)
{
	if (m->list == LIST_NONE)
		return;
	struct msg_list_head *h = list_of(a, m->list);
	if (m->prev)
		m->prev->next = m->next;
	else
		h->head = m->next;
	if (m->next)
		m->next->prev = m->prev;
	else
		h->tail = m->prev;
	m->prev = m->next = NULL;
	m->list = LIST_NONE;
}

static void list_append(struct ecp_app *a, struct ecp_msg *m, enum msg_list l)
{
	list_remove(a, m);
	struct msg_list_head *h = list_of(a, l);
	m->prev = h->tail;
	m->next = NULL;
	if (h->tail)
		h->tail->next = m;
	else
		h->head = m;
	h->tail = m;
	m->list = l;
}

static void msg_finish(struct ecp_app *a, struct ecp_msg *m)
{
	list_remove(a, m);
	if (!sim_handle_is_none(m->wait))
		sim_cancel(a->g->e, m->wait);
	m->wait = SIM_HANDLE_NONE;
	m->dead = true;
	m->job = NULL;
	if (m->refs == 0)
		pool_put(&a->g->msgs, m);
}

static void wire_release(struct ecp_group *g, struct ecp_wire *w)
{
	struct ecp_msg *m = w->msg;
	pool_put(&g->wires, w);
	if (--m->refs == 0 && m->dead)
		pool_put(&g->msgs, m);
}

static void timeline(struct ecp_app *a, const char *text)
{
	char source[300];
	snprintf(source, sizeof(source), "ecp %s", a->name);
	obs_timeline(a->g->p.obs, source, text);
}

/* Report an observation (params.observe) with `since`; the counts are set by the caller. */
static void observe(struct ecp_app *a, struct ecp_observation o)
{
	if (!a->g->p.observe)
		return;
	o.app = a->name;
	a->g->p.observe(a->g->p.observe_arg, &o);
}

/* When the stall under way began, or now outside a stall. */
static sim_time stall_since(const struct ecp_app *a)
{
	return a->state == ECP_TROUBLE ? a->trouble_since : sim_now(a->g->e);
}

/* The user's request is done with cause. */
static void job_done(struct ecp_app *a, struct ecp_job *j, int cause)
{
	if (cause == SVC_OK && j->held) {
		a->stats.held_completed++;
		observe(a, (struct ecp_observation){.since = j->held_since, .stall_end = -1,
						    .held_completed = 1});
	}
	if (cause == CAUSE_ECP_NETWORK) {
		a->stats.network_errors++;
		observe(a, (struct ecp_observation){.since = j->held ? j->held_since
								    : stall_since(a),
						    .stall_end = -1, .network_errors = 1});
	}
	struct data_req *r = j->req;
	pool_put(&a->g->jobs, j);
	svc_complete(&r->base, cause);
}

/* A held or outstanding msg fails for good: its user gets `cause`, its updates roll back. */
static void msg_fail(struct ecp_app *a, struct ecp_msg *m, int cause)
{
	struct ecp_job *j = m->job;
	if (m->kind == MSG_UPDATE || m->kind == MSG_SYNC) {
		a->stats.rolled_back += m->updates;
		if (m->updates)
			observe(a, (struct ecp_observation){.since = stall_since(a), .stall_end = -1,
							    .rolled_back = m->updates});
	}
	if (m->kind == MSG_UPDATE)
		a->update_on_wire = false;
	msg_finish(a, m);
	if (!j)
		return;
	if (m->kind == MSG_BLOCK && cause == CAUSE_NO_ANSWER) {
		iris_node_fetched(a->node, &j->irq); /* the stopped node drops it (lost) */
		return;
	}
	job_done(a, j, cause);
}

static void fail_all(struct ecp_app *a, int cause)
{
	struct msg_list_head *lists[2] = {&a->outstanding, &a->held};
	for (int k = 0; k < 2; k++)
		while (lists[k]->head)
			msg_fail(a, lists[k]->head, cause);
	a->stats.rolled_back += a->batch_updates;
	if (a->batch_updates)
		observe(a, (struct ecp_observation){.since = stall_since(a), .stall_end = -1,
						    .rolled_back = a->batch_updates});
	a->batch_updates = a->batch_writes = 0;
	a->batch_journal = 0;
}

/* --- the connection -------------------------------------------------------------------------- */

static bool talk(const struct ecp_group *g, int a, int b)
{
	return fabric_hosts_talk(g->p.fabric, a, b);
}

/* The data host the app server would reach now: the mirror's primary (found through the
 * members' addresses) or the configured host, running; -1 when there is none. */
static int current_server(const struct ecp_group *g)
{
	if (g->p.mirror) {
		int h = mirror_primary_host(g->p.mirror);
		return h >= 0 && mirror_member_status(g->p.mirror, h) == MIRROR_STATUS_OK ? h : -1;
	}
	return fabric_iris_running(g->p.fabric, g->p.data_host) ? g->p.data_host : -1;
}

static bool session_alive(const struct ecp_app *a)
{
	const struct ecp_group *g = a->g;
	return a->has_session && g->inc_host == a->conn_host && g->inc == a->conn_inc &&
	       !g->inc_dead && current_server(g) == a->conn_host && talk(g, a->host, a->conn_host);
}

static void send_msg(struct ecp_app *a, struct ecp_msg *m);

static void send_held(struct ecp_app *a)
{
	while (a->held.head && a->state == ECP_NORMAL && !a->awaiting_recovery)
		send_msg(a, a->held.head);
}

static void set_state(struct ecp_app *a, enum ecp_state s, const char *why)
{
	a->state = s;
	char text[200];
	snprintf(text, sizeof(text), "%s%s%s", ecp_state_name(s), why ? ": " : "", why ? why : "");
	timeline(a, text);
}

/* The stall ends now: kept in the stats and reported with its fate (a session preserved
 * or lost). Called while the state is still Trouble. */
static void note_stall(struct ecp_app *a, bool preserved)
{
	sim_time now = sim_now(a->g->e);
	double s = sim_time_to_s(now - a->trouble_since);
	if (s > a->stats.stall_max_s)
		a->stats.stall_max_s = s;
	observe(a, (struct ecp_observation){.since = a->trouble_since, .stall_end = now,
					    .sessions_preserved = preserved,
					    .sessions_lost = !preserved});
}

static void schedule_reconnect(struct ecp_app *a, sim_time delay)
{
	sim_schedule_in(a->g->e, a->self, delay, APP_EV_RECONNECT, NULL, 0);
}

static void enter_trouble(struct ecp_app *a, const char *why)
{
	if (a->state != ECP_NORMAL)
		return;
	a->stats.troubles++;
	a->trouble_since = sim_now(a->g->e);
	a->session++;
	a->awaiting_recovery = false;
	/* What was sent is held with what comes next; the recovery replays it. */
	while (a->outstanding.head)
		list_append(a, a->outstanding.head, LIST_HELD);
	for (struct ecp_msg *m = a->held.head; m; m = m->next)
		if (m->job) {
			m->job->held = true;
			m->job->held_since = a->trouble_since;
		}
	set_state(a, ECP_TROUBLE, why);
	schedule_reconnect(a, a->g->p.cfg->reconnect_interval);
}

/* A session that resumes: recovered on the same server, or at the end of a recovery. */
static void resume(struct ecp_app *a, const char *why)
{
	note_stall(a, true);
	a->awaiting_recovery = false;
	set_state(a, ECP_NORMAL, why);
	send_held(a);
}

/* The data server reset the session (or it was lost): held requests get <NETWORK>, the open
 * updates roll back; a new session starts on `host`. */
static void reset_session(struct ecp_app *a, int host, uint32_t inc, const char *why)
{
	note_stall(a, false);
	a->stats.sessions_lost++;
	a->session++;
	fail_all(a, CAUSE_ECP_NETWORK);
	a->conn_host = host;
	a->conn_inc = inc;
	a->has_session = true;
	a->awaiting_recovery = false;
	set_state(a, ECP_NORMAL, why);
}

static void end_recovery(struct ecp_group *g)
{
	g->recovering = false;
	g->pending = 0;
	if (!sim_handle_is_none(g->recovery_timer))
		sim_cancel(g->e, g->recovery_timer);
	g->recovery_timer = SIM_HANDLE_NONE;
	for (size_t i = 0; i < g->app_count; i++) {
		struct ecp_app *a = &g->apps[i];
		a->pending = false;
		if (a->awaiting_recovery)
			resume(a, "recovery complete");
	}
}

static void new_incarnation(struct ecp_group *g, int host)
{
	g->inc++;
	g->inc_host = host;
	g->inc_dead = false;
	if (g->recovering)
		end_recovery(g);
	/* The app servers connected before must come back within recovery_wait, those that
	 * crashed with a session included: the data server cannot know they are gone. */
	g->pending = 0;
	for (size_t i = 0; i < g->app_count; i++) {
		struct ecp_app *a = &g->apps[i];
		a->pending = a->has_session || (!a->running && a->crashed_inc == g->inc - 1);
		g->pending += a->pending;
	}
	if (g->pending == 0)
		return;
	g->recovering = true;
	g->recovery_timer = sim_schedule_in(g->e, g->self, g->p.cfg->recovery_wait,
					    GROUP_EV_RECOVERY_END, NULL, 0);
}

static void give_up(struct ecp_app *a)
{
	note_stall(a, false);
	a->stats.sessions_lost++;
	a->session++;
	fail_all(a, CAUSE_ECP_NETWORK);
	a->has_session = false;
	a->awaiting_recovery = false;
	set_state(a, ECP_NOT_CONNECTED, "recovery given up");
}

static void app_on_reconnect(struct sim_entity *self, const struct sim_event *ev)
{
	struct ecp_app *a = *(struct ecp_app **)self->state;
	struct ecp_group *g = a->g;
	(void)ev;
	if (!a->running || (a->state != ECP_TROUBLE && a->state != ECP_CONNECTING))
		return;
	sim_time now = sim_now(g->e);
	if (a->state == ECP_TROUBLE && now - a->trouble_since >= g->p.cfg->client_reconnect_duration) {
		give_up(a);
		return;
	}
	int target = current_server(g);
	if (target >= 0 && target == g->inc_host && !g->inc_dead && talk(g, a->host, target)) {
		/* A connection attempt: one round trip. */
		double bytes = g->p.cfg->request_bytes;
		sim_time rtt = g->p.delay(g->p.delay_arg, a->host, target, bytes, self->rng) +
			       g->p.delay(g->p.delay_arg, target, a->host, bytes, self->rng);
		int64_t payload[2] = {target, g->inc};
		sim_schedule_in(g->e, self, rtt, APP_EV_CONNECTED, payload, sizeof(payload));
		return;
	}
	schedule_reconnect(a, g->p.cfg->reconnect_interval);
}

static void app_on_connected(struct sim_entity *self, const struct sim_event *ev)
{
	struct ecp_app *a = *(struct ecp_app **)self->state;
	struct ecp_group *g = a->g;
	const int64_t *payload = sim_event_payload(ev);
	int host = (int)payload[0];
	uint32_t inc = (uint32_t)payload[1];
	if (!a->running || (a->state != ECP_TROUBLE && a->state != ECP_CONNECTING))
		return;
	if (g->inc != inc || g->inc_host != host || g->inc_dead || current_server(g) != host ||
	    !talk(g, a->host, host)) {
		schedule_reconnect(a, g->p.cfg->reconnect_interval);
		return;
	}
	sim_time now = sim_now(g->e);
	if (a->state == ECP_CONNECTING || !a->has_session) {
		a->conn_host = host;
		a->conn_inc = inc;
		a->has_session = true;
		a->awaiting_recovery = false;
		set_state(a, ECP_NORMAL, "connected");
		send_held(a);
		return;
	}
	if (a->conn_inc == inc) { /* the same instance: within its troubled interval? */
		if (now - a->trouble_since > g->p.cfg->server_trouble_duration) {
			reset_session(a, host, inc, "session reset by the data server (troubled "
						    "interval passed)");
			return;
		}
		a->stats.sessions_preserved++;
		resume(a, "session recovered");
		return;
	}
	if (g->recovering && a->pending) { /* a restarted server or new primary recovers it */
		a->pending = false;
		a->conn_host = host;
		a->conn_inc = inc;
		a->awaiting_recovery = true;
		a->stats.sessions_preserved++;
		timeline(a, "reconnected, waiting for the data server's recovery");
		if (--g->pending == 0)
			end_recovery(g);
		return;
	}
	reset_session(a, host, inc, "session reset (reconnected after the data server's recovery)");
}

static void app_on_heartbeat(struct sim_entity *self, const struct sim_event *ev)
{
	struct ecp_app *a = *(struct ecp_app **)self->state;
	(void)ev;
	sim_schedule_in(a->g->e, self, a->g->p.cfg->reconnect_interval, APP_EV_HEARTBEAT, NULL, 0);
	if (a->running && a->state == ECP_NORMAL && !a->awaiting_recovery && !session_alive(a))
		enter_trouble(a, "data server lost");
}

static void app_on_wait_expired(struct sim_entity *self, const struct sim_event *ev)
{
	struct ecp_app *a = *(struct ecp_app **)self->state;
	struct ecp_msg *m = *(struct ecp_msg *const *)sim_event_payload(ev);
	m->wait = SIM_HANDLE_NONE;
	if (m->dead || m->list != LIST_HELD || a->state != ECP_CONNECTING)
		return;
	msg_fail(a, m, CAUSE_ECP_NETWORK);
}

/* --- messages ---------------------------------------------------------------------------------- */

static void wire_served(struct svc_req *req, int cause);

static void send_msg(struct ecp_app *a, struct ecp_msg *m)
{
	struct ecp_group *g = a->g;
	if (a->state == ECP_NOT_CONNECTED) {
		set_state(a, ECP_CONNECTING, NULL);
		schedule_reconnect(a, 0);
	}
	if (a->state != ECP_NORMAL || a->awaiting_recovery) {
		if (m->list != LIST_HELD)
			list_append(a, m, LIST_HELD);
		if (a->state == ECP_CONNECTING && m->job && sim_handle_is_none(m->wait)) {
			void *p = m;
			m->wait = sim_schedule_in(g->e, a->self, g->p.cfg->connection_wait,
						  APP_EV_WAIT_EXPIRED, &p, sizeof(p));
		} else if (a->state == ECP_TROUBLE && m->job) {
			m->job->held = true;
			m->job->held_since = a->trouble_since;
		}
		return;
	}
	if (!sim_handle_is_none(m->wait)) {
		sim_cancel(g->e, m->wait);
		m->wait = SIM_HANDLE_NONE;
	}
	list_append(a, m, LIST_OUTSTANDING);
	m->seq++;
	a->stats.requests++;
	if (!talk(g, a->host, a->conn_host))
		return; /* lost on the way: the heartbeat will notice */
	struct ecp_wire *w = pool_get(&g->wires);
	if (!w) {
		sim_stop(g->e);
		return;
	}
	w->app = a;
	w->msg = m;
	w->seq = m->seq;
	w->session = a->session;
	w->host = a->conn_host;
	m->refs++;
	double bytes = g->p.cfg->request_bytes + (m->kind == MSG_BLOCK ? 0 : m->journal_bytes);
	void *p = w;
	sim_schedule_in(g->e, a->self, g->p.delay(g->p.delay_arg, a->host, w->host, bytes, a->self->rng),
			APP_EV_AT_SERVER, &p, sizeof(p));
}

static bool wire_stale(const struct ecp_wire *w)
{
	return w->msg->dead || w->seq != w->msg->seq || w->session != w->app->session ||
	       !w->app->running;
}

static void app_on_at_server(struct sim_entity *self, const struct sim_event *ev)
{
	struct ecp_wire *w = *(struct ecp_wire *const *)sim_event_payload(ev);
	struct ecp_group *g = w->app->g;
	(void)self;
	struct dataserver *ds = g->p.server_of_host[w->host];
	if (wire_stale(w) || !ds) {
		wire_release(g, w);
		return;
	}
	const struct ecp_msg *m = w->msg;
	struct iris_request *irq = &w->req.iris;
	*irq = (struct iris_request){0};
	irq->cpu_s = sim_time_to_s(g->p.cfg->server_cpu) * (m->kind == MSG_UPDATE ? m->updates : 1);
	irq->block_reads = m->kind == MSG_BLOCK;
	irq->own_hit_ratio = true;
	irq->hit_ratio = g->p.block_hit_ratio;
	irq->writes = m->writes;
	irq->journal_bytes = m->journal_bytes;
	irq->sync_commit = m->kind == MSG_SYNC;
	svc_req_init(&w->req.base, SVC_DATA_REQUEST, NULL, wire_served, w);
	dataserver_submit(ds, &w->req);
}

static void wire_served(struct svc_req *req, int cause)
{
	struct ecp_wire *w = (struct ecp_wire *)((char *)req - offsetof(struct ecp_wire, req));
	struct ecp_app *a = w->app;
	struct ecp_group *g = a->g;
	if (cause == SVC_OK)
		g->served[w->host]++;
	if (cause == CAUSE_NO_ANSWER || !talk(g, w->host, a->host)) {
		wire_release(g, w); /* no answer: the heartbeat will notice */
		return;
	}
	w->cause = cause;
	double bytes = cause == SVC_OK && w->msg->kind == MSG_BLOCK ? g->p.iris->block_size
								   : g->p.cfg->request_bytes;
	void *p = w;
	sim_schedule_in(g->e, a->self, g->p.delay(g->p.delay_arg, w->host, a->host, bytes, a->self->rng),
			APP_EV_REPLY, &p, sizeof(p));
}

static void flush_batch(struct ecp_app *a);

static void app_on_reply(struct sim_entity *self, const struct sim_event *ev)
{
	struct ecp_wire *w = *(struct ecp_wire *const *)sim_event_payload(ev);
	struct ecp_app *a = w->app;
	struct ecp_group *g = a->g;
	(void)self;
	struct ecp_msg *m = w->msg;
	if (wire_stale(w)) {
		wire_release(g, w);
		return;
	}
	int cause = w->cause;
	wire_release(g, w);
	if (cause == CAUSE_NOT_PRIMARY) { /* refused: the member is no longer primary */
		enter_trouble(a, "request refused (not primary)");
		return;
	}
	if (cause != SVC_OK) { /* an error the data server answered (a failed block read) */
		struct ecp_job *failed = m->job;
		if (m->kind == MSG_UPDATE)
			a->update_on_wire = false;
		msg_finish(a, m);
		if (failed)
			job_done(a, failed, cause);
		flush_batch(a);
		return;
	}
	struct ecp_job *j = m->job;
	enum msg_kind kind = m->kind;
	msg_finish(a, m);
	switch (kind) {
	case MSG_BLOCK:
		iris_node_fetched(a->node, &j->irq);
		break;
	case MSG_SYNC:
		job_done(a, j, SVC_OK);
		break;
	case MSG_UPDATE:
		a->update_on_wire = false;
		flush_batch(a);
		break;
	}
}

static struct ecp_msg *msg_new(struct ecp_app *a, enum msg_kind kind, struct ecp_job *j)
{
	struct ecp_msg *m = pool_get(&a->g->msgs);
	if (!m) {
		sim_stop(a->g->e);
		return NULL;
	}
	m->kind = kind;
	m->job = j;
	return m;
}

/* Updates go one batch at a time: what is made while a batch is on the wire waits for the
 * next. */
static void flush_batch(struct ecp_app *a)
{
	if (a->update_on_wire || a->batch_updates == 0)
		return;
	struct ecp_msg *m = msg_new(a, MSG_UPDATE, NULL);
	if (!m)
		return;
	m->writes = a->batch_writes;
	m->updates = a->batch_updates;
	m->journal_bytes = a->batch_journal;
	a->batch_writes = a->batch_updates = 0;
	a->batch_journal = 0;
	a->update_on_wire = true;
	send_msg(a, m);
}

/* --- the app server's node ---------------------------------------------------------------------- */

static void node_fetch(void *arg, struct iris_request *irq)
{
	struct ecp_app *a = arg;
	struct ecp_msg *m = msg_new(a, MSG_BLOCK, irq->owner);
	if (m)
		send_msg(a, m);
}

static void node_done(void *arg, struct iris_request *irq)
{
	struct ecp_app *a = arg;
	struct ecp_job *j = irq->owner;
	const struct iris_request *work = &j->req->iris;
	if (work->sync_commit) {
		struct ecp_msg *m = msg_new(a, MSG_SYNC, j);
		if (!m)
			return;
		m->writes = work->writes;
		m->journal_bytes = work->journal_bytes;
		m->updates = 1;
		send_msg(a, m);
		return;
	}
	if (work->writes > 0 || work->journal_bytes > 0) {
		a->batch_writes += work->writes;
		a->batch_journal += work->journal_bytes;
		a->batch_updates++;
		flush_batch(a);
	}
	job_done(a, j, SVC_OK);
}

static void node_lost(void *arg, struct iris_request *irq)
{
	struct ecp_app *a = arg;
	job_done(a, irq->owner, CAUSE_NO_ANSWER);
}

void ecp_app_submit(struct ecp_app *a, struct data_req *r)
{
	struct ecp_job *j = pool_get(&a->g->jobs);
	if (!j) {
		sim_stop(a->g->e);
		return;
	}
	j->req = r;
	j->irq.cpu_s = r->iris.cpu_s;
	j->irq.block_reads = r->iris.block_reads;
	j->irq.owner = j;
	iris_node_submit(a->node, &j->irq); /* a stopped node drops it at once (node_lost) */
}

/* --- the fabric: app server crashes, data server restarts ------------------------------------- */

static void app_stop(struct ecp_app *a)
{
	a->running = false;
	iris_node_stop(a->node);
	a->session++;
	fail_all(a, CAUSE_NO_ANSWER);
	a->update_on_wire = false;
	a->crashed_inc = a->has_session ? a->conn_inc : 0;
	if (!a->retired && (a->has_session || a->state == ECP_TROUBLE)) {
		a->stats.sessions_lost++;
		observe(a, (struct ecp_observation){.since = stall_since(a), .stall_end = -1,
						    .sessions_lost = 1});
	}
	a->has_session = false;
	a->awaiting_recovery = false;
	set_state(a, ECP_NOT_CONNECTED, "instance down");
}

static void app_restart(struct ecp_app *a)
{
	struct ecp_group *g = a->g;
	a->running = true;
	iris_node_restart(a->node);
	timeline(a, "instance up");
	/* The data server resets a restarted app server's state at once (iris.md §4). */
	if (g->recovering && a->pending) {
		a->pending = false;
		if (--g->pending == 0)
			end_recovery(g);
	}
}

static void group_on_fabric(void *arg)
{
	struct ecp_group *g = arg;
	if (!g->started)
		return;
	if (g->inc_host >= 0 && !fabric_iris_running(g->p.fabric, g->inc_host))
		g->inc_dead = true;
	if (!g->p.mirror && g->inc_dead && fabric_iris_running(g->p.fabric, g->p.data_host))
		new_incarnation(g, g->p.data_host);
	for (size_t i = 0; i < g->app_count; i++) {
		struct ecp_app *a = &g->apps[i];
		bool up = fabric_iris_running(g->p.fabric, a->host);
		if (a->running && !up)
			app_stop(a);
		else if (!a->running && up)
			app_restart(a);
	}
}

static void group_on_primary(void *arg, const struct mirror *m, int host)
{
	struct ecp_group *g = arg;
	(void)m;
	if (g->started && host >= 0 && (host != g->inc_host || g->inc_dead))
		new_incarnation(g, host);
}

static void group_on_recovery_end(struct sim_entity *self, const struct sim_event *ev)
{
	struct ecp_group *g = *(struct ecp_group **)self->state;
	(void)ev;
	g->recovery_timer = SIM_HANDLE_NONE;
	if (g->recovering)
		end_recovery(g);
}

/* --- build ------------------------------------------------------------------------------------- */

static const sim_handler_fn app_handlers[APP_EV_COUNT] = {
	[APP_EV_HEARTBEAT] = app_on_heartbeat,     [APP_EV_RECONNECT] = app_on_reconnect,
	[APP_EV_CONNECTED] = app_on_connected,     [APP_EV_AT_SERVER] = app_on_at_server,
	[APP_EV_REPLY] = app_on_reply,             [APP_EV_WAIT_EXPIRED] = app_on_wait_expired,
};
static const struct sim_entity_type app_type = {
	.name = "ecp_app",
	.state_size = sizeof(struct ecp_app *),
	.handlers = app_handlers,
	.handler_count = APP_EV_COUNT,
};
static const sim_handler_fn group_handlers[GROUP_EV_COUNT] = {
	[GROUP_EV_RECOVERY_END] = group_on_recovery_end,
};
static const struct sim_entity_type group_type = {
	.name = "ecp_group",
	.state_size = sizeof(struct ecp_group *),
	.handlers = group_handlers,
	.handler_count = GROUP_EV_COUNT,
};

struct ecp_group *ecp_group_new(struct sim_engine *e, const struct ecp_params *p)
{
	struct ecp_group *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->e = e;
	g->p = *p;
	pool_init(&g->jobs, sizeof(struct ecp_job), offsetof(struct ecp_job, next_free));
	pool_init(&g->msgs, sizeof(struct ecp_msg), offsetof(struct ecp_msg, next_free));
	pool_init(&g->wires, sizeof(struct ecp_wire), offsetof(struct ecp_wire, next_free));
	g->apps = calloc(p->app_count + 1, sizeof(*g->apps));
	g->served = calloc(p->host_count + 1, sizeof(*g->served));
	if (!g->apps || !g->served)
		goto fail;
	char name[320];
	snprintf(name, sizeof(name), "ecp-group:%s", p->cfg->name);
	if (!(g->self = sim_entity_new(e, &group_type, name)))
		goto fail;
	*(struct ecp_group **)g->self->state = g;
	g->app_count = p->app_count;
	g->inc = 1;
	g->inc_host = -1; /* set by ecp_group_start, once the mirror has started */
	for (size_t i = 0; i < p->app_count; i++) {
		struct ecp_app *a = &g->apps[i];
		const struct ecp_app_init *in = &p->apps[i];
		a->g = g;
		a->host = in->host;
		a->name = in->name;
		a->running = true;
		a->state = ECP_NORMAL;
		snprintf(name, sizeof(name), "ecp:%s", in->name);
		if (!(a->self = sim_entity_new(e, &app_type, name)))
			goto fail;
		*(struct ecp_app **)a->self->state = a;
		struct iris_node_params np = {
			.vcpu = in->vcpu,
			.hit_ratio = in->hit_ratio,
			.done = node_done,
			.lost = node_lost,
			.fetch = node_fetch,
			.done_arg = a,
		};
		snprintf(name, sizeof(name), "iris:%s", in->name);
		if (!(a->node = iris_node_new(e, name, p->iris, &np)))
			goto fail;
	}
	if (fabric_subscribe(p->fabric, group_on_fabric, g) < 0)
		goto fail;
	if (p->mirror) {
		struct mirror_listener l = {.arg = g, .primary = group_on_primary};
		if (mirror_listen(p->mirror, &l) < 0)
			goto fail;
	}
	return g;
fail:
	ecp_group_free(g);
	return NULL;
}

void ecp_group_free(struct ecp_group *g)
{
	if (!g)
		return;
	pool_release(&g->jobs);
	pool_release(&g->msgs);
	pool_release(&g->wires);
	free(g->apps);
	free(g->served);
	free(g);
}

void ecp_group_start(struct ecp_group *g)
{
	g->started = true;
	g->inc_host = g->p.mirror ? mirror_primary_host(g->p.mirror) : g->p.data_host;
	for (size_t i = 0; i < g->app_count; i++) {
		struct ecp_app *a = &g->apps[i];
		a->has_session = g->inc_host >= 0; /* connected in the steady state */
		a->state = a->has_session ? ECP_NORMAL : ECP_NOT_CONNECTED;
		a->conn_host = g->inc_host;
		a->conn_inc = g->inc;
		/* Heartbeats at a phase of their own, so app servers do not notice in lockstep. */
		sim_time phase = (sim_time)(gsl_rng_uniform(a->self->rng) *
					    (double)g->p.cfg->reconnect_interval);
		sim_schedule_in(g->e, a->self, phase, APP_EV_HEARTBEAT, NULL, 0);
	}
}

size_t ecp_group_app_count(const struct ecp_group *g) { return g->app_count; }
struct ecp_app *ecp_group_app(const struct ecp_group *g, size_t i)
{
	return i < g->app_count ? &g->apps[i] : NULL;
}
enum ecp_state ecp_app_state(const struct ecp_app *a) { return a->state; }
bool ecp_app_healthy(const struct ecp_app *a)
{
	return a->running && a->state == ECP_NORMAL && !a->awaiting_recovery;
}
bool ecp_app_probe(struct ecp_app *a)
{
	if (a->running && a->state == ECP_NOT_CONNECTED) {
		set_state(a, ECP_CONNECTING, "health check");
		schedule_reconnect(a, 0);
	}
	return ecp_app_healthy(a);
}

void ecp_app_set_retired(struct ecp_app *a, bool retired) { a->retired = retired; }
bool ecp_app_retired(const struct ecp_app *a) { return a->retired; }
int ecp_app_host(const struct ecp_app *a) { return a->host; }
struct iris_node *ecp_app_node(const struct ecp_app *a) { return a->node; }
void ecp_app_stats(const struct ecp_app *a, struct ecp_app_stats *out) { *out = a->stats; }
void ecp_app_stats_reset(struct ecp_app *a)
{
	a->stats = (struct ecp_app_stats){0};
	for (size_t h = 0; h < a->g->p.host_count; h++)
		a->g->served[h] = 0;
}
uint64_t ecp_group_served(const struct ecp_group *g, int host)
{
	return host >= 0 && (size_t)host < g->p.host_count ? g->served[host] : 0;
}
