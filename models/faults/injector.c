/* injector.c: scheduled and stochastic faults (see injector.h).
 *
 * Every fault, scheduled or a stochastic component's failure, is an instance: its config
 * (a component carries a config of its class's kind naming itself), the incident it opened
 * and, while active, its resolved target. Scheduled fault i is instance i and has events
 * START(i) and END(i); stochastic components are numbered after them, each with its own
 * entity (stream) "fault:CLASS:NAME" alternating FAIL/REPAIR.
 *
 * What a kind does is its row of FAULT_KIND_MAP (faults.h): how the target resolves (by
 * the row's target sort) and its apply and revert functions, dispatched through kind_ops,
 * generated from the rows.
 *
 * Invariant (overlapping faults): active instances whose kinds share an apply function and
 * whose targets resolve to the same object hold one state of it. The first to start
 * applies it, the last to end reverts it; in between, a kind that reads parameters is
 * re-applied with those of the most recently started instance still active. Partitions
 * never share: each is its own cut.
 */
#include "injector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { INJ_EV_START, INJ_EV_END, INJ_EV_COUNT };
enum { COMP_EV_FAIL, COMP_EV_REPAIR, COMP_EV_COUNT };

/* A resolved target: an index (host, AZ, region) or an object (volume, load balancer). */
struct resolved_target {
	int index;
	void *object;
};

struct instance {
	struct fault_config cfg;  /* a copy: stochastic instances build their own */
	int incident;
	bool active;              /* started, not ended, target resolved */
	struct resolved_target t;
	int token;                /* what apply returned (partition id) */
	uint64_t started;         /* start order, for "most recent" */
};

struct component {
	struct injector *inj;
	const struct stochastic_fault_config *cls;
	size_t instance;          /* its instance index */
	struct sim_entity *self;
};

struct injector {
	struct sim_entity *self;
	struct fabric *fabric;
	size_t fault_count;
	struct instance *instances; /* fault_count scheduled, then one per component */
	size_t instance_count;
	uint64_t starts;
	struct component *components;
	size_t component_count;
	char **link_sides;          /* the link components' two sides each (names not owned) */
	struct injector_hooks h;
};

/* --- what each kind does (the functions FAULT_KIND_MAP names) --------------------------------- */

typedef int (*fault_apply_fn)(struct injector *inj, const struct resolved_target *t,
			      const struct fault_config *f);
typedef void (*fault_revert_fn)(struct injector *inj, const struct resolved_target *t,
				const struct fault_config *f, int token);

static int inj_host_down(struct injector *inj, const struct resolved_target *t,
			 const struct fault_config *f)
{
	(void)f;
	fabric_crash_host(inj->fabric, t->index); /* one change: no instant with the host up */
	return 0;
}
static void inj_host_up(struct injector *inj, const struct resolved_target *t,
			const struct fault_config *f, int token)
{
	(void)f, (void)token;
	fabric_set_host_down(inj->fabric, t->index, false);
	fabric_set_iris(inj->fabric, t->index, FABRIC_IRIS_RUNNING); /* reboot */
	if (inj->h.restart_iris)
		inj->h.restart_iris(inj->h.arg, t->index);
}

/* host_lost: the host crashes and stays down; its data is gone (a restore, if any, is the
 * world's business through the host_lost hook). */
static int inj_host_lost(struct injector *inj, const struct resolved_target *t,
			 const struct fault_config *f)
{
	(void)f;
	fabric_crash_host(inj->fabric, t->index);
	if (inj->h.host_lost)
		inj->h.host_lost(inj->h.arg, t->index);
	return 0;
}
static void inj_host_lost_end(struct injector *inj, const struct resolved_target *t,
			      const struct fault_config *f, int token)
{
	(void)inj, (void)t, (void)f, (void)token; /* nothing comes back by itself */
}

static int inj_hang(struct injector *inj, const struct resolved_target *t,
		    const struct fault_config *f)
{
	(void)f;
	fabric_set_iris(inj->fabric, t->index, FABRIC_IRIS_HUNG);
	return 0;
}
static void inj_unhang(struct injector *inj, const struct resolved_target *t,
		       const struct fault_config *f, int token)
{
	(void)f, (void)token;
	/* Not when it was forced down (or crashed) meanwhile. */
	if (fabric_iris(inj->fabric, t->index) == FABRIC_IRIS_HUNG)
		fabric_set_iris(inj->fabric, t->index, FABRIC_IRIS_RUNNING);
}

static int inj_volume_fail(struct injector *inj, const struct resolved_target *t,
			   const struct fault_config *f)
{
	(void)inj, (void)f;
	volume_set_failed(t->object, true);
	return 0;
}
static void inj_volume_mend(struct injector *inj, const struct resolved_target *t,
			    const struct fault_config *f, int token)
{
	(void)inj, (void)f, (void)token;
	volume_set_failed(t->object, false);
}

static int inj_volume_degrade(struct injector *inj, const struct resolved_target *t,
			      const struct fault_config *f)
{
	(void)inj;
	volume_set_degraded(t->object, f->latency_factor, f->iops_factor);
	return 0;
}
static void inj_volume_restore(struct injector *inj, const struct resolved_target *t,
			       const struct fault_config *f, int token)
{
	(void)inj, (void)f, (void)token;
	volume_set_degraded(t->object, 1, 1);
}

static int inj_az_down(struct injector *inj, const struct resolved_target *t,
		       const struct fault_config *f)
{
	(void)f;
	fabric_set_az_down(inj->fabric, t->index, true);
	return 0;
}
static void inj_az_up(struct injector *inj, const struct resolved_target *t,
		      const struct fault_config *f, int token)
{
	(void)f, (void)token;
	fabric_set_az_down(inj->fabric, t->index, false);
}

static int inj_region_down(struct injector *inj, const struct resolved_target *t,
			   const struct fault_config *f)
{
	(void)f;
	fabric_set_region_down(inj->fabric, t->index, true);
	return 0;
}
static void inj_region_up(struct injector *inj, const struct resolved_target *t,
			  const struct fault_config *f, int token)
{
	(void)f, (void)token;
	fabric_set_region_down(inj->fabric, t->index, false);
}

static int inj_partition(struct injector *inj, const struct resolved_target *t,
			 const struct fault_config *f)
{
	(void)t;
	int side[2][2]; /* [k][0] region, [k][1] AZ: exactly one >= 0 */
	for (int k = 0; k < 2; k++) {
		side[k][1] = inj->h.az_index(inj->h.arg, f->between[k]);
		side[k][0] = side[k][1] >= 0 ? -1 : inj->h.region_index(inj->h.arg, f->between[k]);
	}
	return fabric_partition(inj->fabric, side[0][0], side[0][1], side[1][0], side[1][1],
				f->direction == PARTITION_ONE_WAY);
}
static void inj_heal(struct injector *inj, const struct resolved_target *t,
		     const struct fault_config *f, int token)
{
	(void)t, (void)f;
	fabric_heal(inj->fabric, token);
}

static int inj_lb_false_negative(struct injector *inj, const struct resolved_target *t,
				 const struct fault_config *f)
{
	(void)inj;
	lb_set_false_negative(t->object, f->probability);
	return 0;
}
static void inj_lb_true(struct injector *inj, const struct resolved_target *t,
			const struct fault_config *f, int token)
{
	(void)inj, (void)f, (void)token;
	lb_set_false_negative(t->object, 0);
}

static int inj_freeze(struct injector *inj, const struct resolved_target *t,
		      const struct fault_config *f)
{
	(void)f;
	if (inj->h.freeze)
		inj->h.freeze(inj->h.arg, t->index, true);
	return 0;
}
static void inj_thaw(struct injector *inj, const struct resolved_target *t,
		     const struct fault_config *f, int token)
{
	(void)f, (void)token;
	if (inj->h.freeze)
		inj->h.freeze(inj->h.arg, t->index, false);
}

static int inj_iris_crash(struct injector *inj, const struct resolved_target *t,
			  const struct fault_config *f)
{
	(void)f;
	fabric_set_iris(inj->fabric, t->index, FABRIC_IRIS_STOPPED); /* host and agent stay up */
	return 0;
}
static void inj_iris_restart(struct injector *inj, const struct resolved_target *t,
			     const struct fault_config *f, int token)
{
	(void)f, (void)token;
	if (fabric_host_up(inj->fabric, t->index) &&
	    fabric_iris(inj->fabric, t->index) == FABRIC_IRIS_STOPPED) {
		fabric_set_iris(inj->fabric, t->index, FABRIC_IRIS_RUNNING);
		if (inj->h.restart_iris)
			inj->h.restart_iris(inj->h.arg, t->index);
	}
}

static int inj_iris_shutdown(struct injector *inj, const struct resolved_target *t,
			     const struct fault_config *f)
{
	if (inj->h.shutdown_iris)
		inj->h.shutdown_iris(inj->h.arg, t->index);
	else
		inj_iris_crash(inj, t, f);
	return 0;
}

static int inj_net_degrade(struct injector *inj, const struct resolved_target *t,
			   const struct fault_config *f)
{
	(void)t;
	if (!inj->h.net_degrade)
		return -1;
	int side[2][2]; /* [k][0] region, [k][1] AZ: exactly one >= 0 */
	for (int k = 0; k < 2; k++) {
		side[k][1] = inj->h.az_index(inj->h.arg, f->between[k]);
		side[k][0] = side[k][1] >= 0 ? -1 : inj->h.region_index(inj->h.arg, f->between[k]);
	}
	return inj->h.net_degrade(inj->h.arg, side[0][0], side[0][1], side[1][0], side[1][1],
				  f->latency_factor, f->loss);
}
static void inj_net_restore(struct injector *inj, const struct resolved_target *t,
			    const struct fault_config *f, int token)
{
	(void)t, (void)f;
	if (inj->h.net_restore && token >= 0)
		inj->h.net_restore(inj->h.arg, token);
}

static const struct kind_ops {
	fault_apply_fn apply;
	fault_revert_fn revert;
} kind_ops[FAULT_KIND_COUNT] = {
#define FAULT_KIND_OPS(id, name, target, reads, apply, revert) [FAULT_##id] = {apply, revert},
	FAULT_KIND_MAP(FAULT_KIND_OPS)
#undef FAULT_KIND_OPS
};

/* --- targets ------------------------------------------------------------------------------------ */

/* Resolve f's target by its kind's target sort. Returns false when it names nothing (the
 * scenario checks reject that; the fault then does nothing). */
static bool resolve(struct injector *inj, const struct fault_config *f, struct resolved_target *t)
{
	const struct injector_hooks *h = &inj->h;
	*t = (struct resolved_target){-1, NULL};
	switch (fault_kind_target[f->kind]) {
	case FAULT_TARGET_HOST:
	case FAULT_TARGET_ARBITER:
		t->index = f->target ? h->host_index(h->arg, f->target) : -1;
		return t->index >= 0;
	case FAULT_TARGET_VOLUME:
		t->object = f->target ? h->volume(h->arg, f->target) : NULL;
		return t->object != NULL;
	case FAULT_TARGET_AZ:
		t->index = f->target ? h->az_index(h->arg, f->target) : -1;
		return t->index >= 0;
	case FAULT_TARGET_REGION:
		t->index = f->target ? h->region_index(h->arg, f->target) : -1;
		return t->index >= 0;
	case FAULT_TARGET_BETWEEN:
		return f->between_count == 2;
	case FAULT_TARGET_LB:
		t->object = f->target ? h->lb(h->arg, f->target) : NULL;
		return t->object != NULL;
	case FAULT_TARGET_COUNT:
		break;
	}
	return false;
}

/* Do instances a and b hold the same state (see the invariant at the top)? */
static bool same_hold(const struct instance *a, const struct instance *b)
{
	return kind_ops[a->cfg.kind].apply == kind_ops[b->cfg.kind].apply &&
	       fault_kind_target[a->cfg.kind] != FAULT_TARGET_BETWEEN &&
	       a->t.index == b->t.index && a->t.object == b->t.object;
}

/* The most recently started active instance holding the same state as x (x excluded), or
 * NULL when x is alone. */
static struct instance *latest_sharing(struct injector *inj, const struct instance *x)
{
	struct instance *best = NULL;
	for (size_t i = 0; i < inj->instance_count; i++) {
		struct instance *o = &inj->instances[i];
		if (o != x && o->active && same_hold(o, x) && (!best || o->started > best->started))
			best = o;
	}
	return best;
}

static void instance_start(struct injector *inj, struct instance *x)
{
	const struct kind_ops *ops = &kind_ops[x->cfg.kind];
	if (!resolve(inj, &x->cfg, &x->t))
		return;
	bool shared = latest_sharing(inj, x) != NULL;
	x->active = true;
	x->started = ++inj->starts;
	/* Already held: only new parameters change anything. */
	if (!shared || fault_kind_reads[x->cfg.kind])
		x->token = ops->apply(inj, &x->t, &x->cfg);
}

static void instance_end(struct injector *inj, struct instance *x)
{
	if (!x->active)
		return;
	x->active = false;
	struct instance *rest = latest_sharing(inj, x);
	if (!rest)
		kind_ops[x->cfg.kind].revert(inj, &x->t, &x->cfg, x->token);
	else if (fault_kind_reads[rest->cfg.kind])
		kind_ops[rest->cfg.kind].apply(inj, &rest->t, &rest->cfg);
}

/* --- scheduled ---------------------------------------------------------------------------------- */

static const char *fault_target_text(const struct fault_config *f, char *buf, size_t size)
{
	if (fault_kind_target[f->kind] == FAULT_TARGET_BETWEEN && f->between_count == 2)
		snprintf(buf, size, "%s %s %s", f->between[0],
			 f->direction == PARTITION_ONE_WAY ? "->" : "<->", f->between[1]);
	else
		snprintf(buf, size, "%s", f->target ? f->target : "");
	return buf;
}

static void inj_on_start(struct sim_entity *self, const struct sim_event *ev)
{
	struct injector *inj = self->state;
	size_t i = (size_t)*(const int64_t *)sim_event_payload(ev);
	struct instance *x = &inj->instances[i];
	char target[256];
	x->incident = inj->h.started(inj->h.arg, fault_kind_names[x->cfg.kind],
				     fault_target_text(&x->cfg, target, sizeof(target)));
	instance_start(inj, x);
}

static void inj_on_end(struct sim_entity *self, const struct sim_event *ev)
{
	struct injector *inj = self->state;
	size_t i = (size_t)*(const int64_t *)sim_event_payload(ev);
	struct instance *x = &inj->instances[i];
	instance_end(inj, x);
	inj->h.ended(inj->h.arg, x->incident);
}

static const sim_handler_fn inj_handlers[INJ_EV_COUNT] = {
	[INJ_EV_START] = inj_on_start,
	[INJ_EV_END] = inj_on_end,
};
static const struct sim_entity_type injector_type = {
	.name = "faults",
	.state_size = sizeof(struct injector),
	.handlers = inj_handlers,
	.handler_count = INJ_EV_COUNT,
};

/* --- stochastic ------------------------------------------------------------------------------ */

static void comp_on_fail(struct sim_entity *self, const struct sim_event *ev)
{
	struct component *c = *(struct component **)self->state;
	struct instance *x = &c->inj->instances[c->instance];
	(void)ev;
	char buf[200];
	x->incident = c->inj->h.started(c->inj->h.arg, fault_kind_names[x->cfg.kind],
					fault_target_text(&x->cfg, buf, sizeof(buf)));
	instance_start(c->inj, x);
	sim_schedule_in(self->engine, self, rng_dist_sample_time(&c->cls->mttr, self->rng),
			COMP_EV_REPAIR, NULL, 0);
}

static void comp_on_repair(struct sim_entity *self, const struct sim_event *ev)
{
	struct component *c = *(struct component **)self->state;
	struct instance *x = &c->inj->instances[c->instance];
	(void)ev;
	instance_end(c->inj, x);
	c->inj->h.ended(c->inj->h.arg, x->incident);
	sim_schedule_in(self->engine, self, rng_dist_sample_time(&c->cls->mtbf, self->rng),
			COMP_EV_FAIL, NULL, 0);
}

static const sim_handler_fn comp_handlers[COMP_EV_COUNT] = {
	[COMP_EV_FAIL] = comp_on_fail,
	[COMP_EV_REPAIR] = comp_on_repair,
};
static const struct sim_entity_type component_type = {
	.name = "fault_component",
	.state_size = sizeof(struct component *),
	.handlers = comp_handlers,
	.handler_count = COMP_EV_COUNT,
};

struct injector *injector_new(struct sim_engine *e, struct fabric *fabric,
			      const struct fault_config *faults, size_t fault_count,
			      const struct stochastic_fault_config *stochastic,
			      size_t stochastic_count, const char *const *hosts, size_t host_count,
			      const char *const *volumes, size_t volume_count,
			      const char *const *azs, size_t az_count, const char *const *regions,
			      size_t region_count, const char *const *links, size_t link_count,
			      const struct injector_hooks *hooks)
{
	for (int k = 0; k < FAULT_KIND_COUNT; k++)
		if (!kind_ops[k].apply || !kind_ops[k].revert) {
			fprintf(stderr, "%s:%d: BUG: fault kind %s has no apply or revert\n",
				__FILE__, __LINE__, fault_kind_names[k]);
			abort();
		}
	struct sim_entity *ent = sim_entity_new(e, &injector_type, "faults");
	if (!ent)
		return NULL;
	struct injector *inj = ent->state;
	inj->self = ent;
	inj->fabric = fabric;
	inj->fault_count = fault_count;
	inj->h = *hooks;
	const char *const *lists[FAULT_CLASS_COUNT] = {
		[FAULT_CLASS_HOST] = hosts, [FAULT_CLASS_VOLUME] = volumes,
		[FAULT_CLASS_AZ] = azs, [FAULT_CLASS_REGION] = regions};
	const size_t counts[FAULT_CLASS_COUNT] = {
		[FAULT_CLASS_HOST] = host_count, [FAULT_CLASS_VOLUME] = volume_count,
		[FAULT_CLASS_AZ] = az_count, [FAULT_CLASS_REGION] = region_count,
		[FAULT_CLASS_LINK] = link_count};
	size_t total = 0;
	for (size_t s = 0; s < stochastic_count; s++)
		total += counts[stochastic[s].class_];
	inj->instances = calloc(fault_count + total + 1, sizeof(*inj->instances));
	inj->components = calloc(total + 1, sizeof(*inj->components));
	inj->link_sides = calloc(2 * link_count + 1, sizeof(char *));
	if (!inj->instances || !inj->components || !inj->link_sides)
		goto fail;
	for (size_t k = 0; k < 2 * link_count; k++)
		inj->link_sides[k] = (char *)links[k];
	for (size_t i = 0; i < fault_count; i++)
		inj->instances[i].cfg = faults[i];
	inj->instance_count = fault_count;
	for (size_t s = 0; s < stochastic_count; s++) {
		int cls = stochastic[s].class_;
		for (size_t k = 0; k < counts[cls]; k++) {
			char pair[200];
			const char *cname = pair;
			if (cls == FAULT_CLASS_LINK)
				snprintf(pair, sizeof(pair), "%s|%s", links[2 * k], links[2 * k + 1]);
			else
				cname = lists[cls][k];
			if (hooks->aims && !hooks->aims(hooks->arg, &stochastic[s], cname))
				continue;
			struct component *c = &inj->components[inj->component_count++];
			struct instance *x = &inj->instances[inj->instance_count];
			/* A component's failure: its class's kind on itself, default parameters. */
			x->cfg = (struct fault_config){.kind = fault_class_kind[cls],
						       .target = (char *)(cls == FAULT_CLASS_LINK ? NULL : cname),
						       .latency_factor = 10, .iops_factor = 1,
						       .probability = 1};
			if (cls == FAULT_CLASS_LINK) { /* a partition both ways between its sides */
				x->cfg.between = inj->link_sides + 2 * k;
				x->cfg.between_count = 2;
			}
			char name[300];
			snprintf(name, sizeof(name), "fault:%s:%s", fault_class_names[cls], cname);
			c->inj = inj;
			c->cls = &stochastic[s];
			c->instance = inj->instance_count++;
			c->self = sim_entity_new(e, &component_type, name);
			if (!c->self)
				goto fail;
			*(struct component **)c->self->state = c;
		}
	}
	return inj;
fail: /* the entity stays with the engine; what it points to is freed here */
	injector_free(inj);
	return NULL;
}

void injector_free(struct injector *inj)
{
	if (!inj)
		return;
	free(inj->instances);
	free(inj->components);
	free(inj->link_sides);
	inj->link_sides = NULL;
	inj->instances = NULL;
	inj->components = NULL;
}

void injector_start(struct injector *inj)
{
	struct sim_engine *e = inj->self->engine;
	for (size_t i = 0; i < inj->fault_count; i++) {
		int64_t idx = (int64_t)i;
		const struct fault_config *f = &inj->instances[i].cfg;
		sim_schedule_at(e, inj->self, f->at, INJ_EV_START, &idx, sizeof(idx));
		if (f->duration > 0)
			sim_schedule_at(e, inj->self, f->at + f->duration, INJ_EV_END, &idx, sizeof(idx));
	}
	for (size_t k = 0; k < inj->component_count; k++) {
		struct component *c = &inj->components[k];
		sim_schedule_in(e, c->self, rng_dist_sample_time(&c->cls->mtbf, c->self->rng),
				COMP_EV_FAIL, NULL, 0);
	}
}
