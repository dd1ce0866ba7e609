/* evq.c: implicit 4-ary min-heap backend of evq.h.
 *
 * Invariants: for every i > 0, slots[(i-1)/4] is not after slots[i] in (time, seq) order;
 * slots[i].node->pos == i for every queued node; slots[i].time == slots[i].node->time.
 */
#include "evq.h"

#include <errno.h>
#include <stdlib.h>

#define EVQ_ARITY 4

static inline bool slot_before(const struct evq_slot *a, const struct evq_slot *b)
{
	if (a->time != b->time)
		return a->time < b->time;
	return a->node->seq < b->node->seq;
}

void evq_init(struct evq *q)
{
	q->slots = NULL;
	q->count = 0;
	q->capacity = 0;
}

void evq_release(struct evq *q)
{
	free(q->slots);
	evq_init(q);
}

const char *evq_backend_name(void) { return "4-ary heap"; }

static void sift_up(struct evq *q, uint32_t i, struct evq_slot s)
{
	struct evq_slot *slots = q->slots;
	while (i > 0) {
		uint32_t parent = (i - 1) / EVQ_ARITY;
		if (!slot_before(&s, &slots[parent]))
			break;
		slots[i] = slots[parent];
		slots[i].node->pos = i;
		i = parent;
	}
	slots[i] = s;
	s.node->pos = i;
}

static void sift_down(struct evq *q, uint32_t i, struct evq_slot s)
{
	struct evq_slot *slots = q->slots;
	uint32_t n = q->count;
	for (;;) {
		uint64_t first = (uint64_t)i * EVQ_ARITY + 1;
		if (first >= n)
			break;
		uint32_t best = (uint32_t)first;
		uint32_t last = first + EVQ_ARITY < n ? (uint32_t)first + EVQ_ARITY : n;
		for (uint32_t c = best + 1; c < last; c++)
			if (slot_before(&slots[c], &slots[best]))
				best = c;
		if (!slot_before(&slots[best], &s))
			break;
		slots[i] = slots[best];
		slots[i].node->pos = i;
		i = best;
	}
	slots[i] = s;
	s.node->pos = i;
}

int evq_push(struct evq *q, struct evq_node *n)
{
	if (q->count == q->capacity) {
		uint32_t cap = q->capacity ? q->capacity * 2 : 1024;
		if (cap <= q->capacity)
			return -ENOMEM;
		struct evq_slot *grown = realloc(q->slots, sizeof(*grown) * cap);
		if (!grown)
			return -ENOMEM;
		q->slots = grown;
		q->capacity = cap;
	}
	sift_up(q, q->count++, (struct evq_slot){n->time, n});
	return 0;
}

struct evq_node *evq_pop(struct evq *q)
{
	if (q->count == 0)
		return NULL;
	struct evq_node *top = q->slots[0].node;
	struct evq_slot last = q->slots[--q->count];
	if (q->count > 0)
		sift_down(q, 0, last);
	top->pos = EVQ_NOT_QUEUED;
	return top;
}

bool evq_remove(struct evq *q, struct evq_node *n)
{
	uint32_t i = n->pos;
	if (i == EVQ_NOT_QUEUED || i >= q->count || q->slots[i].node != n)
		return false;
	struct evq_slot last = q->slots[--q->count];
	n->pos = EVQ_NOT_QUEUED;
	if (i == q->count)
		return true;
	/* The last slot moves into the hole: up if it is before the hole's parent, else down. */
	if (i > 0 && slot_before(&last, &q->slots[(i - 1) / EVQ_ARITY]))
		sift_up(q, i, last);
	else
		sift_down(q, i, last);
	return true;
}
