/* ledger.c: incidents, RTO stages, RPO, availability, timeline, violations (see ledger.h). */
#include "ledger.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ledger_stage_names[STAGE_COUNT] = {
	"detect", "decide", "transition", "reroute", "reconnect", "operator", "freeze", "restore"};
const enum ledger_stage ledger_stage_chain[STAGE_COUNT] = {
	STAGE_DETECT,  STAGE_OPERATOR, STAGE_DECIDE,  STAGE_TRANSITION,
	STAGE_RESTORE, STAGE_FREEZE,   STAGE_REROUTE, STAGE_RECONNECT};

/* Successful tries of the latest incident from the last client timeout. */
struct ack_mark {
	sim_time sent, acked;
};

/* A ring of them, one for reads ([0]) and one for writes ([1]). */
struct ack_ring {
	struct ack_mark *a;
	size_t head, count, cap;
};

struct ledger {
	struct sim_engine *e;
	sim_time measure_from, max_timeout;
	const char *(*primary_name)(void *arg, const char *target);
	void *arg;
	struct incident *incidents;
	size_t incident_count, incident_cap;
	struct ack_ring rings[2]; /* [update] */
	struct ledger_event *events;
	size_t event_count, event_cap;
	struct ledger_violation *violations;
	size_t violation_count, violation_cap;
	uint64_t dropped;
	struct stat_timeweighted writes_ok, reads_ok;
};

/* Room for one more element in *items (geometric growth up to max); false when full. */
static bool grow(void **items, size_t *cap, size_t count, size_t size, size_t max)
{
	if (count < *cap)
		return true;
	if (count >= max)
		return false;
	size_t cap2 = *cap ? *cap * 2 : 64;
	if (cap2 > max)
		cap2 = max;
	void *grown = realloc(*items, size * cap2);
	if (!grown)
		return false;
	*items = grown;
	*cap = cap2;
	return true;
}

struct ledger *ledger_new(struct sim_engine *e, sim_time measure_from, sim_time max_timeout,
			  const char *(*primary_name)(void *arg, const char *target), void *arg)
{
	struct ledger *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->e = e;
	l->measure_from = measure_from;
	l->max_timeout = max_timeout;
	l->primary_name = primary_name;
	l->arg = arg;
	stat_timeweighted_init(&l->writes_ok, 0, 1);
	stat_timeweighted_init(&l->reads_ok, 0, 1);
	return l;
}

void ledger_free(struct ledger *l)
{
	if (!l)
		return;
	free(l->incidents);
	free(l->rings[0].a);
	free(l->rings[1].a);
	free(l->events);
	free(l->violations);
	free(l);
}

static int open_incident(const struct ledger *l)
{
	for (size_t i = l->incident_count; i-- > 0;)
		if (l->incidents[i].end == SIM_TIME_MAX || l->incidents[i].ack == SIM_TIME_MAX)
			return (int)i;
	return -1;
}

/* The incident a try sent at `sent` belongs to: the latest one started at or before it. */
static struct incident *incident_of(struct ledger *l, sim_time sent)
{
	for (size_t i = l->incident_count; i-- > 0;)
		if (l->incidents[i].start <= sent)
			return &l->incidents[i];
	return NULL;
}

static void add_event(struct ledger *l, int incident, const char *source, const char *text)
{
	if (!grow((void **)&l->events, &l->event_cap, l->event_count, sizeof(*l->events),
		  LEDGER_EVENTS_MAX)) {
		l->dropped++;
		return;
	}
	struct ledger_event *ev = &l->events[l->event_count++];
	ev->t = sim_now(l->e);
	ev->incident = incident;
	snprintf(ev->source, sizeof(ev->source), "%s", source);
	snprintf(ev->text, sizeof(ev->text), "%s", text);
}

void ledger_timeline(struct ledger *l, const char *source, const char *text)
{
	add_event(l, open_incident(l), source, text);
}

void ledger_violation(struct ledger *l, const char *invariant, const char *detail)
{
	if (!grow((void **)&l->violations, &l->violation_cap, l->violation_count,
		  sizeof(*l->violations), LEDGER_EVENTS_MAX)) {
		l->dropped++;
		return;
	}
	struct ledger_violation *v = &l->violations[l->violation_count++];
	v->t = sim_now(l->e);
	v->invariant = invariant;
	snprintf(v->detail, sizeof(v->detail), "%s", detail);
}

int ledger_fault_started(struct ledger *l, const char *kind, const char *target)
{
	char text[256];
	snprintf(text, sizeof(text), "%s %s starts", kind, target);
	/* Faults that start at the same instant are one incident (a partition isolating an AZ
	 * from two others is two partition faults). */
	if (l->incident_count > 0) {
		struct incident *last = &l->incidents[l->incident_count - 1];
		if (last->start == sim_now(l->e)) {
			last->active_faults++;
			size_t used = strlen(last->target);
			snprintf(last->target + used, sizeof(last->target) - used, " + %s", target);
			add_event(l, (int)l->incident_count - 1, "fault", text);
			return (int)l->incident_count - 1;
		}
	}
	if (!grow((void **)&l->incidents, &l->incident_cap, l->incident_count,
		  sizeof(*l->incidents), LEDGER_INCIDENTS_MAX)) {
		l->dropped++;
		return -1;
	}
	struct incident *in = &l->incidents[l->incident_count];
	memset(in, 0, sizeof(*in));
	in->kind = kind;
	snprintf(in->target, sizeof(in->target), "%s", target);
	in->start = sim_now(l->e);
	in->active_faults = 1;
	in->end = in->detect = in->decide = in->ready = in->ack = SIM_TIME_MAX;
	in->operator_acted = in->restored = in->thawed = SIM_TIME_MAX;
	in->first_write_failure = in->first_read_failure = in->read_ok = SIM_TIME_MAX;
	in->last_write_fail_sent = in->last_read_fail_sent = -1;
	in->ack_sent = in->read_ok_sent = SIM_TIME_MAX;
	snprintf(in->primary_before, sizeof(in->primary_before), "%s",
		 l->primary_name(l->arg, target));
	for (int k = 0; k < 2; k++)
		l->rings[k].count = l->rings[k].head = 0;
	add_event(l, (int)l->incident_count, "fault", text);
	return (int)l->incident_count++;
}

void ledger_fault_ended(struct ledger *l, int incident)
{
	if (incident < 0 || (size_t)incident >= l->incident_count)
		return;
	struct incident *in = &l->incidents[incident];
	if (in->active_faults > 0 && --in->active_faults > 0) {
		char more[256];
		snprintf(more, sizeof(more), "one fault of %s %s ends", in->kind, in->target);
		add_event(l, incident, "fault", more);
		return; /* merged faults: the incident's faults end with the last one */
	}
	in->end = sim_now(l->e);
	char text[256];
	snprintf(text, sizeof(text), "%s %s ends", in->kind, in->target);
	add_event(l, incident, "fault", text);
}

static void on_detected(void *arg, const struct mirror *m, sim_time when)
{
	struct ledger *l = arg;
	(void)m;
	struct incident *in = incident_of(l, when);
	if (in && in->detect == SIM_TIME_MAX)
		in->detect = when;
}

static void on_takeover(void *arg, const struct mirror *m, const struct mirror_takeover *t)
{
	struct ledger *l = arg;
	(void)m;
	struct incident *in = incident_of(l, t->t_decide);
	if (!in || in->takeover)
		return;
	in->takeover = true;
	in->tk = *t;
	if (in->detect == SIM_TIME_MAX || in->detect > t->t_decide)
		in->detect = t->t_detect < in->start ? in->start : t->t_detect;
	in->decide = t->t_decide;
	in->ready = t->t_ready;
	snprintf(in->primary_after, sizeof(in->primary_after), "%s", t->new_primary);
}

void ledger_operator_acted(struct ledger *l)
{
	int i = open_incident(l); /* an action after writes came back is not in its RTO */
	if (i >= 0 && l->incidents[i].operator_acted == SIM_TIME_MAX)
		l->incidents[i].operator_acted = sim_now(l->e);
}

static void on_operator(void *arg, const struct mirror *m, sim_time when)
{
	(void)m;
	(void)when; /* now */
	ledger_operator_acted(arg);
}

struct mirror_listener ledger_mirror_listener(struct ledger *l)
{
	return (struct mirror_listener){.arg = l,
					.takeover = on_takeover,
					.detected = on_detected,
					.operator_acted = on_operator};
}

/* The incident a freeze, thaw or restore now belongs to: the open one, else none. */
static struct incident *incident_now(struct ledger *l)
{
	int i = open_incident(l);
	return i < 0 ? NULL : &l->incidents[i];
}

void ledger_updates_frozen(struct ledger *l, bool frozen)
{
	struct incident *in = incident_now(l);
	if (!in)
		return;
	if (frozen) {
		in->frozen++;
		return;
	}
	if (in->frozen > 0 && --in->frozen == 0)
		in->thawed = sim_now(l->e);
}

void ledger_restored(struct ledger *l)
{
	struct incident *in = incident_now(l);
	if (in && in->restored == SIM_TIME_MAX)
		in->restored = sim_now(l->e);
}

void ledger_data_lost(struct ledger *l, uint64_t tx, double bytes, double span_s)
{
	struct incident *in = incident_now(l);
	if (!in)
		return;
	in->lost_tx += tx;
	in->lost_bytes += bytes;
	if (span_s > in->lost_span_s)
		in->lost_span_s = span_s;
}

static void set_outcome(struct ledger *l, bool update, bool ok)
{
	sim_time now = sim_now(l->e);
	if (now >= l->measure_from)
		stat_timeweighted_set(update ? &l->writes_ok : &l->reads_ok, now, ok ? 1 : 0);
}

void ledger_start_measuring(struct ledger *l)
{
	sim_time now = sim_now(l->e);
	stat_timeweighted_init(&l->writes_ok, now, 1);
	stat_timeweighted_init(&l->reads_ok, now, 1);
}

/* Keep a success of the latest incident, dropping those older than a client timeout (no
 * failure seen from now on can have been sent before them). */
static void remember_ack(struct ledger *l, struct ack_ring *r, sim_time sent, sim_time now)
{
	while (r->count && r->a[r->head].acked < now - l->max_timeout) {
		r->head = (r->head + 1) % r->cap;
		r->count--;
	}
	if (r->count == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		struct ack_mark *grown = malloc(sizeof(*grown) * cap);
		if (!grown) { /* the recovery moment may be off: counted and reported */
			l->dropped++;
			return;
		}
		for (size_t k = 0; k < r->count; k++)
			grown[k] = r->a[(r->head + k) % r->cap];
		free(r->a);
		r->a = grown;
		r->cap = cap;
		r->head = 0;
	}
	r->a[(r->head + r->count++) % r->cap] = (struct ack_mark){sent, now};
}

/* A try of the kind failed, sent at `sent`: its recovery (*ok, set by the success of a try
 * sent at *ok_sent) stands only if that try was sent after this one; otherwise it moves to
 * the first remembered success sent after this one (or is undone). The same rule for reads
 * and writes. */
static void failure_moves_recovery(const struct ack_ring *r, sim_time sent, sim_time *ok,
				   sim_time *ok_sent)
{
	if (*ok_sent == SIM_TIME_MAX || *ok_sent > sent)
		return;
	*ok = *ok_sent = SIM_TIME_MAX;
	for (size_t k = 0; k < r->count; k++) {
		const struct ack_mark *a = &r->a[(r->head + k) % r->cap];
		if (a->sent > sent) {
			*ok = a->acked;
			*ok_sent = a->sent;
			break;
		}
	}
}

void ledger_try_failed(struct ledger *l, bool update, sim_time sent)
{
	set_outcome(l, update, false);
	/* A failure belongs to the incident under way when it is seen (a try sent just before a
	 * fault and lost to it belongs to that fault). */
	struct incident *in = incident_of(l, sim_now(l->e));
	if (!in)
		return;
	/* An incident that is over (its faults ended and writes came back) takes only
	 * failures of tries sent before it recovered; later ones are not its doing. */
	bool open = in->end == SIM_TIME_MAX || in->ack == SIM_TIME_MAX;
	if (!open && sent >= in->ack)
		return;
	if (!update) {
		if (in->first_read_failure == SIM_TIME_MAX || sent < in->first_read_failure)
			in->first_read_failure = sent < in->start ? in->start : sent;
		if (sent <= in->last_read_fail_sent)
			return;
		in->last_read_fail_sent = sent;
		failure_moves_recovery(&l->rings[0], sent, &in->read_ok, &in->read_ok_sent);
		return;
	}
	if (in->first_write_failure == SIM_TIME_MAX || sent < in->first_write_failure)
		in->first_write_failure = sent < in->start ? in->start : sent;
	if (sent <= in->last_write_fail_sent)
		return;
	in->last_write_fail_sent = sent;
	/* Writes failed again after they had come back: recovery is the first acknowledgement
	 * of a write sent after this one. */
	failure_moves_recovery(&l->rings[1], sent, &in->ack, &in->ack_sent);
}

void ledger_try_succeeded(struct ledger *l, bool update, sim_time sent)
{
	sim_time now = sim_now(l->e);
	set_outcome(l, update, true);
	struct incident *in = incident_of(l, sent);
	if (!in)
		return;
	if (in == &l->incidents[l->incident_count - 1])
		remember_ack(l, &l->rings[update ? 1 : 0], sent, now);
	if (update && in->ack == SIM_TIME_MAX && sent > in->last_write_fail_sent) {
		in->ack = now;
		in->ack_sent = sent;
		if (!in->takeover) /* who serves writes once they are back */
			snprintf(in->primary_after, sizeof(in->primary_after), "%s",
				 l->primary_name(l->arg, in->target));
	}
	/* Reads recover as writes do: at the first success of a try sent after the last
	 * failed one. */
	if (!update && in->read_ok == SIM_TIME_MAX && sent > in->last_read_fail_sent) {
		in->read_ok = now;
		in->read_ok_sent = sent;
	}
}

void ledger_ecp(struct ledger *l, const struct ledger_ecp_observation *o)
{
	struct incident *in = incident_of(l, o->since);
	if (!in)
		return;
	struct incident_ecp *e = &in->ecp;
	if (o->stall_end >= 0) {
		e->stalls++;
		double s = o->stall_end > o->since ? sim_time_to_s(o->stall_end - o->since) : 0;
		if (s > e->stall_max_s)
			e->stall_max_s = s;
	}
	e->held_completed += o->held_completed;
	e->network_errors += o->network_errors;
	e->rolled_back += o->rolled_back;
	e->sessions_preserved += o->sessions_preserved;
	e->sessions_lost += o->sessions_lost;
}

double ledger_write_availability(const struct ledger *l)
{
	return stat_timeweighted_mean(&l->writes_ok, sim_now(l->e));
}

double ledger_read_availability(const struct ledger *l)
{
	return stat_timeweighted_mean(&l->reads_ok, sim_now(l->e));
}

size_t ledger_incident_count(const struct ledger *l) { return l->incident_count; }

static double span_s(sim_time from, sim_time to)
{
	return to > from ? sim_time_to_s(to - from) : 0;
}

void ledger_incident_result(const struct ledger *l, size_t i, sim_time end,
			    struct incident_result *out)
{
	const struct incident *in = &l->incidents[i];
	/* Rerouted when the last write that still failed was sent: from then on writes reach a
	 * primary that accepts them. */
	sim_time reroute = in->last_write_fail_sent >= 0 ? in->last_write_fail_sent : SIM_TIME_MAX;
	sim_time moment[STAGE_COUNT];     /* the moment that ends each stage */
	moment[STAGE_DETECT] = in->detect;
	moment[STAGE_OPERATOR] = in->operator_acted;
	moment[STAGE_DECIDE] = in->decide;
	moment[STAGE_TRANSITION] = in->ready;
	moment[STAGE_RESTORE] = in->restored;
	moment[STAGE_FREEZE] = in->frozen ? SIM_TIME_MAX : in->thawed;
	moment[STAGE_REROUTE] = reroute;
	moment[STAGE_RECONNECT] = in->ack;
	bool recovered = in->ack != SIM_TIME_MAX;
	double stages[STAGE_COUNT];
	sim_time prev = in->start;
	for (int c = 0; c < STAGE_COUNT; c++) {
		enum ledger_stage k = ledger_stage_chain[c];
		sim_time t = moment[k];
		if (k != STAGE_RECONNECT && (t == SIM_TIME_MAX || t > in->ack))
			t = prev;
		if (t < prev)
			t = prev;
		stages[k] = recovered ? span_s(prev, t) : NAN;
		prev = t;
	}
	const struct mirror_takeover *tk = in->takeover ? &in->tk : NULL;
	memset(out, 0, sizeof(*out));
	out->kind = in->kind;
	out->target = in->target;
	out->start_s = sim_time_to_s(in->start);
	out->end_s = in->end == SIM_TIME_MAX ? NAN : sim_time_to_s(in->end);
	out->recovered = recovered;
	out->rto_s = recovered ? sim_time_to_s(in->ack - in->start) : NAN;
	for (int k = 0; k < STAGE_COUNT; k++) /* a stage whose moment did not happen: NAN */
		out->stage_s[k] = k != STAGE_RECONNECT && moment[k] == SIM_TIME_MAX ? NAN : stages[k];
	out->rpo_tx = (tk ? (double)tk->lost_tx : 0) + (double)in->lost_tx;
	out->rpo_durable_tx = tk ? (double)tk->lost_durable_tx : 0;
	out->rpo_bytes = (tk ? tk->lost_bytes : 0) + in->lost_bytes;
	out->rpo_span_s = tk && tk->lost_tx ? sim_time_to_s(tk->lost_last - tk->lost_first) : 0;
	if (in->lost_span_s > out->rpo_span_s)
		out->rpo_span_s = in->lost_span_s;
	out->write_unavailable_s =
		in->first_write_failure == SIM_TIME_MAX
			? 0
			: sim_time_to_s((recovered ? in->ack : end) - in->first_write_failure);
	out->read_unavailable_s =
		in->first_read_failure == SIM_TIME_MAX
			? 0
			: sim_time_to_s((in->read_ok != SIM_TIME_MAX ? in->read_ok : end) -
					in->first_read_failure);
	out->data_lost = (tk && tk->lost_tx > 0) || in->lost_tx > 0;
	out->primary_before = in->primary_before[0] ? in->primary_before : NULL;
	out->primary_after = in->primary_after[0] ? in->primary_after : NULL;
	out->ecp_stall_max_s = in->ecp.stall_max_s;
	out->ecp_stalls = in->ecp.stalls;
	out->ecp_held_completed = in->ecp.held_completed;
	out->ecp_network_errors = in->ecp.network_errors;
	out->ecp_rolled_back = in->ecp.rolled_back;
	out->ecp_sessions_preserved = in->ecp.sessions_preserved;
	out->ecp_sessions_lost = in->ecp.sessions_lost;
}

size_t ledger_event_count(const struct ledger *l) { return l->event_count; }
const struct ledger_event *ledger_event(const struct ledger *l, size_t i) { return &l->events[i]; }
size_t ledger_violation_count(const struct ledger *l) { return l->violation_count; }
const struct ledger_violation *ledger_violation_at(const struct ledger *l, size_t i)
{
	return &l->violations[i];
}
uint64_t ledger_dropped(const struct ledger *l) { return l->dropped; }
