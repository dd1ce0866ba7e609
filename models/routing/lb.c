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

/* The set of node addresses the LB's DNS name publishes, from time t on. */
struct lb_published {
	sim_time t;
	uint64_t mask; /* bit a: the node in cfg->azs[a] */
};

#define LB_HISTORY 16 /* published sets remembered (clients cache one for at most a TTL) */

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
	int *zone;            /* per target: index in cfg->azs of its AZ, -1 none */
	size_t *rr_node;      /* per node: next index to try in lb_pick_via */
	struct lb_published hist[LB_HISTORY]; /* ring, hist_n entries ending at hist_last */
	size_t hist_n, hist_last;
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
	bool alias;            /* evaluates target health at once, no checks of its own */
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

static bool node_up(const struct lb *lb, size_t a)
{
	return !lb->hooks.node_up || lb->hooks.node_up(lb->hooks.arg, lb->cfg, a);
}

/* Does node a's zone have a healthy registered target? */
static bool zone_healthy(const struct lb *lb, size_t a)
{
	for (size_t i = 0; i < lb->n; i++)
		if (lb->zone[i] == (int)a && lb->t[i].healthy && !lb->t[i].deregistered)
			return true;
	return false;
}

/* The node addresses published now (see lb.h). */
static uint64_t published_now(const struct lb *lb)
{
	uint64_t live = 0, served = 0;
	for (size_t a = 0; a < lb->cfg->az_count && a < 64; a++) {
		if (!node_up(lb, a))
			continue;
		live |= UINT64_C(1) << a;
		if (lb->cfg->cross_zone != CZ_OFF || zone_healthy(lb, a))
			served |= UINT64_C(1) << a;
	}
	return served ? served : live;
}

static void history_push(struct lb *lb, sim_time t, uint64_t mask)
{
	if (lb->hist_n > 0 && lb->hist[lb->hist_last].mask == mask)
		return;
	if (lb->hist_n > 0 && lb->hist[lb->hist_last].t == t) {
		lb->hist[lb->hist_last].mask = mask; /* two changes at one instant: the last counts */
		return;
	}
	lb->hist_last = lb->hist_n ? (lb->hist_last + 1) % LB_HISTORY : 0;
	if (lb->hist_n < LB_HISTORY)
		lb->hist_n++;
	lb->hist[lb->hist_last] = (struct lb_published){t, mask};
}

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
	if (t->healthy != was) {
		lb_refresh(lb);
		if (lb->hooks.changed)
			lb->hooks.changed(lb->hooks.arg, lb->cfg, c.target, t->healthy);
	}
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
	lb->zone = malloc(sizeof(int) * (lb->n + 1));
	lb->rr_node = calloc(cfg->az_count + 1, sizeof(size_t));
	char *name = entity_name("lb:", cfg->name);
	if (!lb->t || !lb->zone || !lb->rr_node || !name || cfg->az_count > 64)
		goto out_free;
	lb->entity = sim_entity_new(e, &lb_type, name);
	free(name);
	if (!lb->entity)
		goto out_free_lb;
	((struct lb_entity_state *)lb->entity->state)->lb = lb;
	lb->e = e;
	lb->cfg = cfg;
	lb->hooks = *hooks;
	for (size_t i = 0; i < lb->n; i++) {
		lb->t[i].healthy = true;
		lb->zone[i] = -1;
	}
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
	free(lb->zone);
	free(lb->rr_node);
	free(lb);
}

void lb_start(struct lb *lb)
{
	if (!lb || lb->started)
		return;
	lb->started = true;
	history_push(lb, INT64_MIN, published_now(lb));
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
	if (lb && target < lb->n) {
		lb->t[target].deregistered = !registered;
		lb_refresh(lb);
	}
}

void lb_set_target_zone(struct lb *lb, size_t target, int node)
{
	if (lb && target < lb->n)
		lb->zone[target] = node >= 0 && (size_t)node < lb->cfg->az_count ? node : -1;
}

void lb_refresh(struct lb *lb)
{
	if (lb && lb->started)
		history_push(lb, sim_now(lb->e), published_now(lb));
}

uint64_t lb_published_at(const struct lb *lb, sim_time t)
{
	if (!lb || lb->hist_n == 0)
		return 0;
	size_t k = lb->hist_last;
	for (size_t j = 0; j + 1 < lb->hist_n && lb->hist[k].t > t; j++)
		k = (k + LB_HISTORY - 1) % LB_HISTORY;
	return lb->hist[k].mask;
}

int lb_node_pick_at(const struct lb *lb, gsl_rng *r, sim_time t)
{
	uint64_t m = lb_published_at(lb, t);
	int n = __builtin_popcountll(m);
	if (n == 0)
		return -1;
	int k = n > 1 ? (int)(gsl_rng_uniform(r) * n) : 0;
	for (int a = 0; a < 64; a++)
		if ((m >> a) & 1 && k-- == 0)
			return a;
	return -1;
}

bool lb_node_is_up(const struct lb *lb, int node)
{
	return lb && node >= 0 && (size_t)node < lb->cfg->az_count && node_up(lb, (size_t)node);
}

int lb_pick_via(struct lb *lb, int node)
{
	if (!lb_node_is_up(lb, node) || lb->n == 0)
		return -1;
	if (lb->cfg->cross_zone != CZ_OFF)
		return lb_pick(lb);
	/* Only the node's own zone: its healthy targets in turn; when no target of any zone is
	 * healthy and the LB fails open, every target of its zone. A zone without a healthy
	 * target while another has one gets nothing (its address has left DNS). */
	bool all = lb->healthy_count == 0;
	if (all && !lb->cfg->fail_open)
		return -1;
	for (size_t k = 0; k < lb->n; k++) {
		size_t i = (lb->rr_node[node] + k) % lb->n;
		if (lb->zone[i] == node && !lb->t[i].deregistered && (all || lb->t[i].healthy)) {
			lb->rr_node[node] = (i + 1) % lb->n;
			return (int)i;
		}
	}
	return -1;
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

static void dns_set_answer(struct dns *d, sim_time now)
{
	struct lb *a = dns_answer(d);
	if (a != d->current) {
		d->previous = d->current;
		d->current = a;
		d->t_change = now;
		if (d->changed)
			d->changed(d->arg, d->cfg, a == d->secondary);
	}
}

static void dns_on_check(struct sim_entity *self, const struct sim_event *ev)
{
	struct dns *d = ((struct dns_entity_state *)self->state)->d;
	int64_t thr = threshold(d->cfg->failure_threshold);
	dns_health_update(&d->hp, dns_lb_healthy(d->primary), thr);
	if (d->secondary)
		dns_health_update(&d->hs, dns_lb_healthy(d->secondary), thr);
	dns_set_answer(d, sim_event_time(ev));
	sim_schedule_in(d->e, self, d->cfg->check_interval, DNS_EV_CHECK, NULL, 0);
}

void dns_refresh(struct dns *d)
{
	if (!d || !d->alias || !d->started)
		return;
	d->hp.healthy = dns_lb_healthy(d->primary);
	if (d->secondary)
		d->hs.healthy = dns_lb_healthy(d->secondary);
	dns_set_answer(d, sim_now(d->e));
}

struct lb *dns_answer_at(const struct dns *d, sim_time t)
{
	if (!d)
		return NULL;
	return d->t_change < 0 || t >= d->t_change ? d->current : d->previous;
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
	d->alias = cfg->style == DNS_ALIAS;
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
	if (d->alias) {
		dns_refresh(d); /* evaluates on every change of its LBs from now on */
		return;
	}
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

const struct dns_config *dns_cfg(const struct dns *d)
{
	return d ? d->cfg : NULL;
}
