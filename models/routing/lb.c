/* lb.c: load balancer health checks and routing, and Route 53 DNS failover (see lb.h).
 *
 * Structure. A struct lb (heap, owned by the caller through lb_new/lb_free) holds the
 * per-target health state; its entity "lb:NAME" receives two kinds of events, a check of one
 * target (which reschedules itself every interval) and the result of a check (at the check
 * time for OK and FAIL, `timeout` later for TIMEOUT). A struct dns (heap) holds the Route 53
 * health records of the primary and secondary LBs; its entity "dns:NAME" receives one
 * periodic check event.
 *
 * Invariants:
 *   - Each target of a started LB has exactly one check event pending; results may be in
 *     flight besides it. healthy_count equals the number of targets with healthy set.
 *   - ok_run and fail_run of a target: at most one is non-zero (the current run).
 *   - The DNS answer is a function of the two health records (primary healthy -> primary;
 *     else secondary healthy -> secondary; else primary); t_change and `previous` change
 *     only when the answer does.
 *   - Random draws: check offsets and false negatives from the LB entity's stream, the DNS
 *     check offset from the DNS entity's stream, resolution from the caller's stream.
 *   - No allocation after construction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "lb.h"

enum lb_event {
	LB_EV_CHECK,  /* check one target now; payload: struct lb_check */
	LB_EV_RESULT, /* a check's result counts now; payload: struct lb_check */
	LB_EV_COUNT
};

enum dns_event { DNS_EV_CHECK, DNS_EV_COUNT };

/* Payload of both LB events. */
struct lb_check {
	uint32_t target; /* index in cfg->targets */
	uint32_t ok;     /* LB_EV_RESULT: 1 = success */
};

struct lb_target {
	bool healthy;
	bool deregistered; /* taken out of the target group: no new requests */
	int64_t ok_run;    /* consecutive successes counted */
	int64_t fail_run;  /* consecutive failures counted */
	uint64_t checks;   /* results counted */
	uint64_t failed;   /* of which failures */
};

struct lb {
	struct sim_engine *e;
	struct sim_entity *entity;
	const struct load_balancer_config *cfg;
	struct lb_hooks hooks;
	struct lb_target *t;  /* cfg->target_count entries */
	size_t n;             /* cfg->target_count */
	size_t healthy_count;
	size_t rr;            /* next index to try in lb_pick */
	double false_negative; /* [0, 1] */
	bool started;
};

/* The entity's state: a pointer to its heap object. */
struct lb_entity_state {
	struct lb *lb;
};

/* A Route 53 health record. */
struct dns_health {
	bool healthy;
	int64_t ok_run;
	int64_t fail_run;
};

struct dns {
	struct sim_engine *e;
	struct sim_entity *entity;
	const struct dns_config *cfg;
	struct lb *primary;
	struct lb *secondary;  /* NULL: no failover */
	dns_change_fn changed;
	void *arg;
	struct dns_health hp;  /* primary's health record */
	struct dns_health hs;  /* secondary's */
	struct lb *current;    /* answer now */
	struct lb *previous;   /* answer before the last change */
	sim_time t_change;     /* time of the last change; -1 = none yet */
	bool started;
};

struct dns_entity_state {
	struct dns *d;
};

static int64_t threshold(int64_t t)
{
	return t < 1 ? 1 : t;
}

/* A uniform offset in [0, interval) from r. */
static sim_time uniform_offset(gsl_rng *r, sim_time interval)
{
	sim_time o = (sim_time)(gsl_rng_uniform(r) * (double)interval);
	return o >= interval ? interval - 1 : o;
}

static char *entity_name(const char *prefix, const char *name)
{
	size_t len = strlen(prefix) + strlen(name) + 1;
	char *s = malloc(len);
	if (s)
		snprintf(s, len, "%s%s", prefix, name);
	return s;
}

/* ---- load balancer ----------------------------------------------------------------------- */

static void lb_on_check(struct sim_entity *self, const struct sim_event *ev)
{
	struct lb *lb = ((struct lb_entity_state *)self->state)->lb;
	struct lb_check c = *(const struct lb_check *)sim_event_payload(ev);
	const struct health_check_config *hc = &lb->cfg->health_check;
	enum lb_probe_result r = lb->hooks.probe(lb->hooks.arg, lb->cfg, c.target);
	if (r == PROBE_OK && lb->false_negative > 0 &&
	    gsl_rng_uniform(self->rng) < lb->false_negative)
		r = PROBE_FAIL;
	struct lb_check res = {.target = c.target, .ok = r == PROBE_OK};
	sim_time delay = r == PROBE_TIMEOUT ? (hc->timeout > 0 ? hc->timeout : 0) : 0;
	sim_schedule_in(lb->e, self, delay, LB_EV_RESULT, &res, sizeof(res));
	sim_schedule_in(lb->e, self, hc->interval, LB_EV_CHECK, &c, sizeof(c));
}

static void lb_on_result(struct sim_entity *self, const struct sim_event *ev)
{
	struct lb *lb = ((struct lb_entity_state *)self->state)->lb;
	struct lb_check c = *(const struct lb_check *)sim_event_payload(ev);
	const struct health_check_config *hc = &lb->cfg->health_check;
	struct lb_target *t = &lb->t[c.target];
	bool was = t->healthy;
	t->checks++;
	if (c.ok) {
		t->fail_run = 0;
		t->ok_run++;
		if (!t->healthy && t->ok_run >= threshold(hc->healthy_threshold)) {
			t->healthy = true;
			lb->healthy_count++;
		}
	} else {
		t->failed++;
		t->ok_run = 0;
		t->fail_run++;
		if (t->healthy && t->fail_run >= threshold(hc->unhealthy_threshold)) {
			t->healthy = false;
			lb->healthy_count--;
		}
	}
	if (t->healthy != was && lb->hooks.changed)
		lb->hooks.changed(lb->hooks.arg, lb->cfg, c.target, t->healthy);
}

static const sim_handler_fn lb_handlers[LB_EV_COUNT] = {
	[LB_EV_CHECK] = lb_on_check,
	[LB_EV_RESULT] = lb_on_result,
};

static const struct sim_entity_type lb_type = {
	.name = "lb",
	.state_size = sizeof(struct lb_entity_state),
	.handlers = lb_handlers,
	.handler_count = LB_EV_COUNT,
};

struct lb *lb_new(struct sim_engine *e, const struct load_balancer_config *cfg,
		  const struct lb_hooks *hooks)
{
	if (!e || !cfg || !cfg->name || !hooks || !hooks->probe || cfg->target_count > UINT32_MAX)
		return NULL;
	struct lb *lb = calloc(1, sizeof(*lb));
	if (!lb)
		return NULL;
	lb->n = cfg->target_count;
	lb->t = calloc(lb->n ? lb->n : 1, sizeof(*lb->t));
	char *name = entity_name("lb:", cfg->name);
	if (!lb->t || !name)
		goto out_free;
	lb->entity = sim_entity_new(e, &lb_type, name);
	free(name);
	if (!lb->entity)
		goto out_free_lb;
	((struct lb_entity_state *)lb->entity->state)->lb = lb;
	lb->e = e;
	lb->cfg = cfg;
	lb->hooks = *hooks;
	for (size_t i = 0; i < lb->n; i++)
		lb->t[i].healthy = true;
	lb->healthy_count = lb->n;
	return lb;

out_free:
	free(name);
out_free_lb:
	lb_free(lb);
	return NULL;
}

void lb_free(struct lb *lb)
{
	if (!lb)
		return;
	free(lb->t);
	free(lb);
}

void lb_start(struct lb *lb)
{
	if (!lb || lb->started)
		return;
	lb->started = true;
	sim_time interval = lb->cfg->health_check.interval;
	if (interval <= 0)
		return; /* no checks: health stays as it is */
	for (size_t i = 0; i < lb->n; i++) {
		struct lb_check c = {.target = (uint32_t)i};
		sim_time off = uniform_offset(lb->entity->rng, interval);
		sim_schedule_in(lb->e, lb->entity, off, LB_EV_CHECK, &c, sizeof(c));
	}
}

bool lb_any_node_up(const struct lb *lb)
{
	if (!lb)
		return false;
	if (!lb->hooks.node_up || lb->cfg->az_count == 0)
		return true;
	for (size_t i = 0; i < lb->cfg->az_count; i++)
		if (lb->hooks.node_up(lb->hooks.arg, lb->cfg, i))
			return true;
	return false;
}

int lb_pick(struct lb *lb)
{
	if (!lb || lb->n == 0 || !lb_any_node_up(lb))
		return -1;
	bool all = lb->healthy_count == 0;
	if (all && !lb->cfg->fail_open)
		return -1;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < lb->n; k++) {
			size_t i = (lb->rr + k) % lb->n;
			if (!lb->t[i].deregistered && (all || lb->t[i].healthy)) {
				lb->rr = (i + 1) % lb->n;
				return (int)i;
			}
		}
		/* Every healthy target is deregistered: none registered is healthy. */
		if (all || !lb->cfg->fail_open)
			break;
		all = true;
	}
	return -1;
}

void lb_set_registered(struct lb *lb, size_t target, bool registered)
{
	if (lb && target < lb->n)
		lb->t[target].deregistered = !registered;
}

bool lb_target_healthy(const struct lb *lb, size_t target)
{
	return lb && target < lb->n && lb->t[target].healthy;
}

size_t lb_healthy_count(const struct lb *lb)
{
	return lb ? lb->healthy_count : 0;
}

void lb_set_false_negative(struct lb *lb, double p)
{
	if (!lb)
		return;
	lb->false_negative = p > 0 ? (p < 1 ? p : 1) : 0; /* NaN -> 0 */
}

uint64_t lb_checks_done(const struct lb *lb, size_t target)
{
	return lb && target < lb->n ? lb->t[target].checks : 0;
}

uint64_t lb_checks_failed(const struct lb *lb, size_t target)
{
	return lb && target < lb->n ? lb->t[target].failed : 0;
}

const struct load_balancer_config *lb_config(const struct lb *lb)
{
	return lb ? lb->cfg : NULL;
}

/* ---- DNS failover ------------------------------------------------------------------------ */

static bool dns_lb_healthy(const struct lb *lb)
{
	return lb_any_node_up(lb) && lb_healthy_count(lb) > 0;
}

static void dns_health_update(struct dns_health *h, bool ok, int64_t thr)
{
	if (ok) {
		h->fail_run = 0;
		if (++h->ok_run >= thr)
			h->healthy = true;
	} else {
		h->ok_run = 0;
		if (++h->fail_run >= thr)
			h->healthy = false;
	}
}

static struct lb *dns_answer(const struct dns *d)
{
	if (d->hp.healthy || !d->secondary || !d->hs.healthy)
		return d->primary;
	return d->secondary;
}

static void dns_on_check(struct sim_entity *self, const struct sim_event *ev)
{
	struct dns *d = ((struct dns_entity_state *)self->state)->d;
	int64_t thr = threshold(d->cfg->failure_threshold);
	dns_health_update(&d->hp, dns_lb_healthy(d->primary), thr);
	if (d->secondary)
		dns_health_update(&d->hs, dns_lb_healthy(d->secondary), thr);
	struct lb *a = dns_answer(d);
	if (a != d->current) {
		d->previous = d->current;
		d->current = a;
		d->t_change = sim_event_time(ev);
		if (d->changed)
			d->changed(d->arg, d->cfg, a == d->secondary);
	}
	sim_schedule_in(d->e, self, d->cfg->check_interval, DNS_EV_CHECK, NULL, 0);
}

static const sim_handler_fn dns_handlers[DNS_EV_COUNT] = {
	[DNS_EV_CHECK] = dns_on_check,
};

static const struct sim_entity_type dns_type = {
	.name = "dns",
	.state_size = sizeof(struct dns_entity_state),
	.handlers = dns_handlers,
	.handler_count = DNS_EV_COUNT,
};

struct dns *dns_new(struct sim_engine *e, const struct dns_config *cfg, struct lb *primary,
		    struct lb *secondary, dns_change_fn changed, void *arg)
{
	if (!e || !cfg || !cfg->name || !primary)
		return NULL;
	struct dns *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	char *name = entity_name("dns:", cfg->name);
	if (!name)
		goto out_free_dns;
	d->entity = sim_entity_new(e, &dns_type, name);
	free(name);
	if (!d->entity)
		goto out_free_dns;
	((struct dns_entity_state *)d->entity->state)->d = d;
	d->e = e;
	d->cfg = cfg;
	d->primary = primary;
	d->secondary = secondary;
	d->changed = changed;
	d->arg = arg;
	d->hp.healthy = true;
	d->hs.healthy = true;
	d->current = primary;
	d->previous = primary;
	d->t_change = -1;
	return d;

out_free_dns:
	free(d);
	return NULL;
}

void dns_free(struct dns *d)
{
	free(d);
}

void dns_start(struct dns *d)
{
	if (!d || d->started)
		return;
	d->started = true;
	sim_time interval = d->cfg->check_interval;
	if (interval <= 0)
		return; /* no checks: the record never fails over */
	sim_time off = uniform_offset(d->entity->rng, interval);
	sim_schedule_in(d->e, d->entity, off, DNS_EV_CHECK, NULL, 0);
}

struct lb *dns_resolve(struct dns *d, gsl_rng *r)
{
	if (!d)
		return NULL;
	if (d->t_change < 0 || d->cfg->ttl <= 0)
		return d->current;
	sim_time age = sim_now(d->e) - d->t_change;
	if (age >= d->cfg->ttl)
		return d->current;
	double p = (double)age / (double)d->cfg->ttl;
	return gsl_rng_uniform(r) < p ? d->current : d->previous;
}

bool dns_failed_over(const struct dns *d)
{
	return d && d->secondary && d->current == d->secondary;
}

sim_time dns_last_change(const struct dns *d)
{
	return d ? d->t_change : -1;
}
