/* evq.h: the pending-event queue behind the engine.
 *
 * A priority queue of nodes ordered by (time, seq): earlier time first, and for equal times
 * the smaller insertion sequence first, so ties are FIFO and a run repeats exactly. The seq
 * is assigned by the caller (the engine) and must be unique among queued nodes.
 *
 * The queue does not own its nodes: they are embedded in the caller's objects (the engine's
 * pooled events) and must stay at a fixed address while queued. The queue writes each node's
 * `pos` field so that a queued node can be removed in O(log n) without a search.
 *
 * This interface is the seam for other backends (a ladder queue, a calendar queue): a backend
 * provides these functions and must pass tests/unit/test_evq.c unchanged. The backend in use
 * is an implicit 4-ary min-heap (evq.c): 4 children per node halve the depth of a binary heap
 * and keep siblings on one or two cache lines.
 */
#ifndef TOPSIM_EVQ_H
#define TOPSIM_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simtime.h"

#define EVQ_NOT_QUEUED UINT32_MAX

/* Embed in the object to be queued. Set time and seq before evq_push; do not change them
 * while queued. pos is the queue's: EVQ_NOT_QUEUED when not queued. */
struct evq_node {
	sim_time time; /* when the event fires, ns */
	uint64_t seq;  /* insertion sequence: tie-breaker, unique while queued */
	uint32_t pos;  /* backend's index of this node; EVQ_NOT_QUEUED when not queued */
};

/* One heap slot: the key copied beside the pointer so that comparisons on the hot path
 * touch the heap array only, except on equal times (then the nodes' seq are read). */
struct evq_slot {
	sim_time time;
	struct evq_node *node;
};

struct evq {
	struct evq_slot *slots; /* implicit 4-ary heap, slots[0] is the minimum */
	uint32_t count;         /* queued nodes */
	uint32_t capacity;      /* allocated slots */
};

/* Initialise an empty queue. Cannot fail (memory is taken on first push). */
void evq_init(struct evq *q);

/* Free the queue's own memory (not the nodes). Safe on an initialised or released queue. */
void evq_release(struct evq *q);

/* Queue n. n must not be queued already. Returns 0, or -ENOMEM when the queue cannot grow
 * (then n is not queued and the queue is unchanged). */
int evq_push(struct evq *q, struct evq_node *n);

/* Remove and return the first node, or NULL when empty. The node's pos becomes
 * EVQ_NOT_QUEUED. */
struct evq_node *evq_pop(struct evq *q);

/* The first node without removing it, or NULL when empty. */
static inline struct evq_node *evq_peek(const struct evq *q)
{
	return q->count ? q->slots[0].node : NULL;
}

/* Remove a queued node wherever it is, in O(log n). Returns true if n was queued (and is now
 * removed), false if it was not queued. */
bool evq_remove(struct evq *q, struct evq_node *n);

static inline size_t evq_size(const struct evq *q) { return q->count; }

/* Name of the backend, for benchmark output and docs. */
const char *evq_backend_name(void);

#endif
