/* engine.c: entities, the event pool and the run loop (see engine.h for the contracts).
 *
 * Invariants:
 * - Every event is in exactly one place: the free list, the queue, or (only while its handler
 *   runs) held by the run loop.
 * - events_slab[slot / SLAB] + slot % SLAB is the event whose slot field is `slot`; slabs
 *   never move, so queued events keep their addresses while the pool grows.
 * - An event's generation changes every time it returns to the free list; a handle matches
 *   only the allocation that produced it. Generation 0 is never issued.
 * - seq strictly increases across scheduled events, so (time, seq) is a total order.
 */
#include "engine.h"

#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

_Static_assert(offsetof(struct sim_event, node) == 0, "node must be first: the run loop casts");

#define SLAB_SHIFT 10
#define SLAB_EVENTS (1u << SLAB_SHIFT)

struct sim_engine {
	sim_time now;           /* current time, ns */
	uint64_t seed;          /* scenario seed */
	uint32_t replication;   /* replication index */
	uint64_t next_seq;      /* next insertion sequence */
	uint64_t processed;     /* handlers run */
	bool stop_requested;    /* set by sim_stop */
	struct evq queue;       /* pending events */

	struct sim_event **slabs; /* event pool, SLAB_EVENTS per slab */
	uint32_t slab_count;
	uint32_t slab_capacity;
	struct sim_event *free_list;

	struct sim_entity **entities; /* by id */
	uint32_t entity_count;
	uint32_t entity_capacity;
	uint32_t *name_index;   /* open addressing: entity id + 1, 0 = empty */
	uint32_t name_index_size; /* power of two, > 2 * entity_count */

	int error;              /* first error code (negative), 0 if none */
	char error_message[256]; /* "file:line: text" */
};

const char *sim_strerror(int code)
{
	if (code < 0)
		code = -code;
	switch (code) {
	case SIM_OK:
		return "success";
#define SIM_ERROR_CASE(name, text) \
	case SIM_E_##name:         \
		return text;
		SIM_ERROR_MAP(SIM_ERROR_CASE)
#undef SIM_ERROR_CASE
	}
	return "unknown error";
}

static int record_error(struct sim_engine *e, int code, const char *file, int line,
			const char *fmt, ...)
{
	if (e->error == 0) {
		va_list ap;
		int n = snprintf(e->error_message, sizeof(e->error_message), "%s:%d: ", file, line);
		if (n < 0 || (size_t)n >= sizeof(e->error_message))
			n = 0;
		va_start(ap, fmt);
		vsnprintf(e->error_message + n, sizeof(e->error_message) - (size_t)n, fmt, ap);
		va_end(ap);
		e->error = -code;
	}
	return -code;
}

struct sim_engine *sim_engine_new(uint64_t seed, uint32_t replication)
{
	struct sim_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->seed = seed;
	e->replication = replication;
	e->next_seq = 1;
	evq_init(&e->queue);
	return e;
}

void sim_engine_free(struct sim_engine *e)
{
	if (!e)
		return;
	for (uint32_t i = 0; i < e->entity_count; i++) {
		struct sim_entity *ent = e->entities[i];
		if (ent->type->release)
			ent->type->release(ent);
		gsl_rng_free(ent->rng);
		free(ent->state);
		free((char *)ent->name);
		free(ent);
	}
	free(e->entities);
	free(e->name_index);
	for (uint32_t s = 0; s < e->slab_count; s++)
		free(e->slabs[s]);
	free(e->slabs);
	evq_release(&e->queue);
	free(e);
}

sim_time sim_now(const struct sim_engine *e) { return e->now; }
uint64_t sim_engine_seed(const struct sim_engine *e) { return e->seed; }
uint32_t sim_engine_replication(const struct sim_engine *e) { return e->replication; }
uint64_t sim_events_processed(const struct sim_engine *e) { return e->processed; }
size_t sim_events_pending(const struct sim_engine *e) { return evq_size(&e->queue); }
size_t sim_entity_count(const struct sim_engine *e) { return e->entity_count; }
int sim_engine_error(const struct sim_engine *e) { return e->error; }
const char *sim_engine_error_message(const struct sim_engine *e) { return e->error_message; }

/* --- entities ----------------------------------------------------------------------------- */

static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return h;
}

/* Slot in name_index holding name, or the empty slot where it would go. */
static uint32_t name_slot(const struct sim_engine *e, const char *name)
{
	uint32_t mask = e->name_index_size - 1;
	uint32_t i = (uint32_t)name_hash(name) & mask;
	while (e->name_index[i] != 0 && strcmp(e->entities[e->name_index[i] - 1]->name, name) != 0)
		i = (i + 1) & mask;
	return i;
}

static int grow_name_index(struct sim_engine *e)
{
	uint32_t size = e->name_index_size ? e->name_index_size * 2 : 64;
	uint32_t *index = calloc(size, sizeof(*index));
	if (!index)
		return -ENOMEM;
	free(e->name_index);
	e->name_index = index;
	e->name_index_size = size;
	for (uint32_t id = 0; id < e->entity_count; id++)
		e->name_index[name_slot(e, e->entities[id]->name)] = id + 1;
	return 0;
}

struct sim_entity *sim_entity_find(const struct sim_engine *e, const char *name)
{
	if (e->entity_count == 0 || !name)
		return NULL;
	uint32_t v = e->name_index[name_slot(e, name)];
	return v ? e->entities[v - 1] : NULL;
}

struct sim_entity *sim_entity_at(const struct sim_engine *e, uint32_t id)
{
	return id < e->entity_count ? e->entities[id] : NULL;
}

struct sim_entity *sim_entity_new_at(struct sim_engine *e, const struct sim_entity_type *type,
				     const char *name, const char *file, int line)
{
	if (!type || !name || !*name) {
		record_error(e, SIM_E_INVAL, file, line, "entity needs a type and a non-empty name");
		return NULL;
	}
	if (sim_entity_find(e, name)) {
		record_error(e, SIM_E_DUPNAME, file, line, "duplicate entity name \"%s\"", name);
		return NULL;
	}
	if (e->entity_count == e->entity_capacity) {
		uint32_t cap = e->entity_capacity ? e->entity_capacity * 2 : 64;
		struct sim_entity **grown = realloc(e->entities, sizeof(*grown) * cap);
		if (!grown)
			goto out_nomem;
		e->entities = grown;
		e->entity_capacity = cap;
	}
	if ((e->entity_count + 1) * 2 >= e->name_index_size && grow_name_index(e) < 0)
		goto out_nomem;

	struct sim_entity *ent = calloc(1, sizeof(*ent));
	if (!ent)
		goto out_nomem;
	ent->name = strdup(name);
	ent->state = type->state_size ? calloc(1, type->state_size) : NULL;
	ent->rng = rng_stream_new(e->seed, e->replication, name);
	if (!ent->name || (type->state_size && !ent->state) || !ent->rng)
		goto out_free_entity;
	ent->type = type;
	ent->engine = e;
	ent->id = e->entity_count;
	e->entities[e->entity_count++] = ent;
	e->name_index[name_slot(e, name)] = ent->id + 1;
	return ent;

out_free_entity:
	if (ent->rng)
		gsl_rng_free(ent->rng);
	free(ent->state);
	free((char *)ent->name);
	free(ent);
out_nomem:
	record_error(e, SIM_E_NOMEM, file, line, "out of memory creating entity \"%s\"", name);
	return NULL;
}

/* --- event pool --------------------------------------------------------------------------- */

static struct sim_event *event_by_slot(const struct sim_engine *e, uint32_t slot)
{
	uint32_t s = slot >> SLAB_SHIFT;
	return s < e->slab_count ? &e->slabs[s][slot & (SLAB_EVENTS - 1)] : NULL;
}

static int grow_pool(struct sim_engine *e)
{
	if (e->slab_count == e->slab_capacity) {
		uint32_t cap = e->slab_capacity ? e->slab_capacity * 2 : 16;
		struct sim_event **grown = realloc(e->slabs, sizeof(*grown) * cap);
		if (!grown)
			return -ENOMEM;
		e->slabs = grown;
		e->slab_capacity = cap;
	}
	struct sim_event *slab = calloc(SLAB_EVENTS, sizeof(*slab));
	if (!slab)
		return -ENOMEM;
	uint32_t base = e->slab_count << SLAB_SHIFT;
	for (uint32_t i = SLAB_EVENTS; i-- > 0;) {
		slab[i].slot = base + i;
		slab[i].generation = 1;
		slab[i].node.pos = EVQ_NOT_QUEUED;
		slab[i].next_free = e->free_list;
		e->free_list = &slab[i];
	}
	e->slabs[e->slab_count++] = slab;
	return 0;
}

static inline void event_release(struct sim_engine *e, struct sim_event *ev)
{
	if (++ev->generation == 0)
		ev->generation = 1;
	ev->next_free = e->free_list;
	e->free_list = ev;
}

struct sim_handle sim_schedule_at_loc(struct sim_engine *e, struct sim_entity *target,
				      sim_time when, uint32_t kind, const void *payload,
				      size_t size, const char *file, int line)
{
	if (!target) {
		record_error(e, SIM_E_INVAL, file, line, "event of kind %u has no target", kind);
		return SIM_HANDLE_NONE;
	}
	if (when < e->now) {
		record_error(e, SIM_E_PAST, file, line,
			     "event of kind %u for \"%s\" scheduled in the past (at %lld ns, now %lld ns)",
			     kind, target->name, (long long)when, (long long)e->now);
		return SIM_HANDLE_NONE;
	}
	if (kind >= target->type->handler_count || !target->type->handlers[kind]) {
		record_error(e, SIM_E_BADKIND, file, line,
			     "event kind %u has no handler in type \"%s\" of \"%s\"", kind,
			     target->type->name, target->name);
		return SIM_HANDLE_NONE;
	}
	if (size > SIM_PAYLOAD_MAX || (size && !payload)) {
		record_error(e, SIM_E_PAYLOAD, file, line, "payload of %zu bytes for \"%s\" (max %d)",
			     size, target->name, SIM_PAYLOAD_MAX);
		return SIM_HANDLE_NONE;
	}
	if (!e->free_list && grow_pool(e) < 0) {
		record_error(e, SIM_E_NOMEM, file, line, "out of memory growing the event pool");
		return SIM_HANDLE_NONE;
	}
	struct sim_event *ev = e->free_list;
	e->free_list = ev->next_free;
	ev->node.time = when;
	ev->node.seq = e->next_seq++;
	ev->target = target;
	ev->kind = kind;
	ev->payload_size = (uint32_t)size;
	if (size)
		memcpy(ev->payload.bytes, payload, size);
	if (size < SIM_PAYLOAD_MAX)
		memset(ev->payload.bytes + size, 0, SIM_PAYLOAD_MAX - size);
	if (evq_push(&e->queue, &ev->node) < 0) {
		event_release(e, ev);
		record_error(e, SIM_E_NOMEM, file, line, "out of memory growing the event queue");
		return SIM_HANDLE_NONE;
	}
	return (struct sim_handle){ev->slot, ev->generation};
}

static struct sim_event *pending_event(const struct sim_engine *e, struct sim_handle h)
{
	if (h.generation == 0)
		return NULL;
	struct sim_event *ev = event_by_slot(e, h.slot);
	if (!ev || ev->generation != h.generation || ev->node.pos == EVQ_NOT_QUEUED)
		return NULL;
	return ev;
}

bool sim_cancel(struct sim_engine *e, struct sim_handle h)
{
	struct sim_event *ev = pending_event(e, h);
	if (!ev || !evq_remove(&e->queue, &ev->node))
		return false;
	event_release(e, ev);
	return true;
}

bool sim_is_pending(const struct sim_engine *e, struct sim_handle h)
{
	return pending_event(e, h) != NULL;
}

sim_time sim_pending_time(const struct sim_engine *e, struct sim_handle h)
{
	const struct sim_event *ev = pending_event(e, h);
	return ev ? ev->node.time : SIM_TIME_MAX;
}

/* --- run loop ----------------------------------------------------------------------------- */

void sim_stop(struct sim_engine *e) { e->stop_requested = true; }

static int run_loop(struct sim_engine *e, sim_time end)
{
	e->stop_requested = false;
	if (e->error)
		return e->error;
	for (;;) {
		struct evq_node *top = evq_peek(&e->queue);
		if (!top)
			return SIM_END_EMPTY;
		if (top->time >= end)
			return SIM_END_TIME;
		evq_pop(&e->queue);
		struct sim_event *ev = (struct sim_event *)top; /* node is the first member */
		e->now = ev->node.time;
		e->processed++;
		ev->target->type->handlers[ev->kind](ev->target, ev);
		/* Pooled after the handler, so the handler's reads stay valid and a handle to the
		 * running event reads as not pending. */
		event_release(e, ev);
		if (e->error)
			return e->error;
		if (e->stop_requested)
			return SIM_END_STOPPED;
	}
}

int sim_run(struct sim_engine *e) { return run_loop(e, SIM_TIME_MAX); }

int sim_run_until(struct sim_engine *e, sim_time end)
{
	if (end < e->now)
		return record_error(e, SIM_E_PAST, __FILE__, __LINE__,
				    "run until %lld ns is before now (%lld ns)", (long long)end,
				    (long long)e->now);
	int r = run_loop(e, end);
	if (r == SIM_END_TIME || r == SIM_END_EMPTY) {
		e->now = end;
		return SIM_END_TIME;
	}
	return r;
}
