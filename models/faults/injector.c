/* injector.c: scheduled and stochastic faults (see injector.h).
 *
 * Scheduled fault i has events START(i) and END(i). Stochastic components are numbered per
 * class; each has its own entity (stream) "fault:CLASS:NAME" and alternates FAIL/REPAIR.
 */
#include "injector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { INJ_EV_START, INJ_EV_END, INJ_EV_COUNT };
enum { COMP_EV_FAIL, COMP_EV_REPAIR, COMP_EV_COUNT };

struct component {
	struct injector *inj;
	const struct stochastic_fault_config *cls;
	const char *name;       /* host, host/volume, AZ or region */
	struct sim_entity *self;
	int incident;
};

struct injector {
	struct sim_entity *self;
	struct fabric *fabric;
	const struct fault_config *faults;
	size_t fault_count;
	int *incident;          /* per scheduled fault */
	int *partition;         /* per scheduled fault: partition id */
	struct component *components;
	size_t component_count;
	struct injector_hooks h;
};

/* Apply or lift one fault. Returns false when the target cannot be resolved. */
static void apply(struct injector *inj, int kind, const char *target, const struct fault_config *f,
		  bool on, int *partition)
{
	struct injector_hooks *h = &inj->h;
	switch ((enum fault_kind)kind) {
	case FAULT_HOST_CRASH:
	case FAULT_ARBITER_LOSS: {
		int host = h->host_index(h->arg, target);
		if (host < 0)
			return;
		if (on) {
			fabric_set_iris(inj->fabric, host, FABRIC_IRIS_STOPPED);
			fabric_set_host_down(inj->fabric, host, true);
		} else {
			fabric_set_host_down(inj->fabric, host, false);
			fabric_set_iris(inj->fabric, host, FABRIC_IRIS_RUNNING); /* reboot */
			if (h->restart_iris)
				h->restart_iris(h->arg, host);
		}
		break;
	}
	case FAULT_IRIS_HANG: {
		int host = h->host_index(h->arg, target);
		if (host < 0)
			return;
		if (on)
			fabric_set_iris(inj->fabric, host, FABRIC_IRIS_HUNG);
		else if (fabric_iris(inj->fabric, host) == FABRIC_IRIS_HUNG)
			fabric_set_iris(inj->fabric, host, FABRIC_IRIS_RUNNING);
		break;
	}
	case FAULT_VOLUME_FAILURE:
	case FAULT_VOLUME_DEGRADED: {
		struct volume_logical *v = h->volume(h->arg, target);
		if (!v)
			return;
		if (kind == FAULT_VOLUME_FAILURE)
			volume_set_failed(v, on);
		else if (on)
			volume_set_degraded(v, f ? f->latency_factor : 10, f ? f->iops_factor : 1);
		else
			volume_set_degraded(v, 1, 1);
		break;
	}
	case FAULT_AZ_OUTAGE: {
		int az = h->az_index(h->arg, target);
		if (az >= 0)
			fabric_set_az_down(inj->fabric, az, on);
		break;
	}
	case FAULT_REGION_OUTAGE: {
		int r = h->region_index(h->arg, target);
		if (r >= 0)
			fabric_set_region_down(inj->fabric, r, on);
		break;
	}
	case FAULT_PARTITION: {
		if (!on) {
			fabric_heal(inj->fabric, *partition);
			break;
		}
		int side[2][2];
		for (int k = 0; k < 2; k++) {
			side[k][1] = h->az_index(h->arg, f->between[k]);
			side[k][0] = side[k][1] >= 0 ? -1 : h->region_index(h->arg, f->between[k]);
		}
		*partition = fabric_partition(inj->fabric, side[0][0], side[0][1], side[1][0],
					      side[1][1], f->direction == PARTITION_ONE_WAY);
		break;
	}
	case FAULT_HEALTHCHECK_FALSE_NEGATIVE: {
		struct lb *lb = h->lb(h->arg, target);
		if (lb)
			lb_set_false_negative(lb, on ? f->probability : 0);
		break;
	}
	case FAULT_BACKUP_FREEZE: {
		int host = h->host_index(h->arg, target);
		if (host >= 0 && h->freeze)
			h->freeze(h->arg, host, on);
		break;
	}
	case FAULT_KIND_COUNT:
		break;
	}
}

static const char *fault_target_text(const struct fault_config *f, char *buf, size_t size)
{
	if (f->kind == FAULT_PARTITION && f->between_count == 2)
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
	const struct fault_config *f = &inj->faults[i];
	char target[256];
	inj->incident[i] = inj->h.started(inj->h.arg, fault_kind_names[f->kind],
					  fault_target_text(f, target, sizeof(target)));
	apply(inj, f->kind, f->target, f, true, &inj->partition[i]);
}

static void inj_on_end(struct sim_entity *self, const struct sim_event *ev)
{
	struct injector *inj = self->state;
	size_t i = (size_t)*(const int64_t *)sim_event_payload(ev);
	const struct fault_config *f = &inj->faults[i];
	apply(inj, f->kind, f->target, f, false, &inj->partition[i]);
	inj->h.ended(inj->h.arg, inj->incident[i]);
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

static const int class_fault_kind[] = {FAULT_HOST_CRASH, FAULT_VOLUME_FAILURE, FAULT_AZ_OUTAGE,
				       FAULT_REGION_OUTAGE};

static void comp_on_fail(struct sim_entity *self, const struct sim_event *ev)
{
	struct component *c = *(struct component **)self->state;
	(void)ev;
	int kind = class_fault_kind[c->cls->class_];
	c->incident = c->inj->h.started(c->inj->h.arg, fault_kind_names[kind], c->name);
	apply(c->inj, kind, c->name, NULL, true, NULL);
	sim_schedule_in(self->engine, self, rng_dist_sample_time(&c->cls->mttr, self->rng),
			COMP_EV_REPAIR, NULL, 0);
}

static void comp_on_repair(struct sim_entity *self, const struct sim_event *ev)
{
	struct component *c = *(struct component **)self->state;
	(void)ev;
	apply(c->inj, class_fault_kind[c->cls->class_], c->name, NULL, false, NULL);
	c->inj->h.ended(c->inj->h.arg, c->incident);
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
			      size_t region_count, const struct injector_hooks *hooks)
{
	struct sim_entity *ent = sim_entity_new(e, &injector_type, "faults");
	if (!ent)
		return NULL;
	struct injector *inj = ent->state;
	inj->self = ent;
	inj->fabric = fabric;
	inj->faults = faults;
	inj->fault_count = fault_count;
	inj->h = *hooks;
	inj->incident = calloc(fault_count + 1, sizeof(int));
	inj->partition = calloc(fault_count + 1, sizeof(int));
	if (!inj->incident || !inj->partition)
		goto fail;
	const char *const *lists[] = {hosts, volumes, azs, regions};
	const size_t counts[] = {host_count, volume_count, az_count, region_count};
	size_t total = 0;
	for (size_t s = 0; s < stochastic_count; s++)
		total += counts[stochastic[s].class_];
	inj->components = calloc(total + 1, sizeof(*inj->components));
	if (!inj->components)
		goto fail;
	for (size_t s = 0; s < stochastic_count; s++) {
		int cls = stochastic[s].class_;
		for (size_t k = 0; k < counts[cls]; k++) {
			struct component *c = &inj->components[inj->component_count++];
			char name[300];
			snprintf(name, sizeof(name), "fault:%s:%s", fault_class_names[cls], lists[cls][k]);
			c->inj = inj;
			c->cls = &stochastic[s];
			c->name = lists[cls][k];
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
	free(inj->incident);
	free(inj->partition);
	free(inj->components);
	inj->incident = inj->partition = NULL;
	inj->components = NULL;
}

void injector_start(struct injector *inj)
{
	struct sim_engine *e = inj->self->engine;
	for (size_t i = 0; i < inj->fault_count; i++) {
		int64_t idx = (int64_t)i;
		const struct fault_config *f = &inj->faults[i];
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
