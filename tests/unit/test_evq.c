/* test_evq: the event-queue contract (evq.h). Any backend must pass this file unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "evq.h"

static void test_empty_queue(void **state)
{
	(void)state;
	struct evq q;
	evq_init(&q);
	assert_null(evq_peek(&q));
	assert_null(evq_pop(&q));
	assert_int_equal(evq_size(&q), 0);
	evq_release(&q);
	evq_release(&q); /* releasing twice is harmless */
}

static void test_orders_by_time(void **state)
{
	(void)state;
	static const sim_time times[] = {50, 10, 40, 30, 20, 70, 60, 0, 90, 80};
	struct evq_node nodes[10];
	struct evq q;
	evq_init(&q);
	for (int i = 0; i < 10; i++) {
		nodes[i] = (struct evq_node){.time = times[i], .seq = (uint64_t)i, .pos = EVQ_NOT_QUEUED};
		assert_int_equal(evq_push(&q, &nodes[i]), 0);
	}
	assert_int_equal(evq_size(&q), 10);
	for (sim_time expect = 0; expect < 100; expect += 10) {
		assert_int_equal(evq_peek(&q)->time, expect);
		struct evq_node *n = evq_pop(&q);
		assert_int_equal(n->time, expect);
		assert_int_equal(n->pos, EVQ_NOT_QUEUED);
	}
	assert_null(evq_pop(&q));
	evq_release(&q);
}

static void test_ties_are_fifo(void **state)
{
	(void)state;
	enum { N = 1000 };
	struct evq_node *nodes = calloc(N, sizeof(*nodes));
	struct evq q;
	evq_init(&q);
	/* Three distinct times, pushed interleaved; within a time, seq order must come out. */
	for (int i = 0; i < N; i++) {
		nodes[i] = (struct evq_node){.time = (sim_time)(i % 3) * 5, .seq = (uint64_t)i};
		assert_int_equal(evq_push(&q, &nodes[i]), 0);
	}
	sim_time last_time = -1;
	uint64_t last_seq = 0;
	for (int i = 0; i < N; i++) {
		struct evq_node *n = evq_pop(&q);
		if (n->time == last_time)
			assert_true(n->seq > last_seq);
		else
			assert_true(n->time > last_time);
		last_time = n->time;
		last_seq = n->seq;
	}
	evq_release(&q);
	free(nodes);
}

static void test_remove(void **state)
{
	(void)state;
	enum { N = 64 };
	struct evq_node nodes[N];
	struct evq q;
	evq_init(&q);
	for (int i = 0; i < N; i++) {
		nodes[i] = (struct evq_node){.time = (sim_time)((i * 37) % N), .seq = (uint64_t)i};
		assert_int_equal(evq_push(&q, &nodes[i]), 0);
	}
	/* Remove every node whose time is odd, including the current minimum's neighbours. */
	for (int i = 0; i < N; i++)
		if (nodes[i].time % 2 == 1)
			assert_true(evq_remove(&q, &nodes[i]));
	/* A node removed already, or never queued, is refused. */
	assert_false(evq_remove(&q, &nodes[1]));
	struct evq_node stray = {.time = 3, .seq = 999, .pos = EVQ_NOT_QUEUED};
	assert_false(evq_remove(&q, &stray));
	assert_int_equal(evq_size(&q), N / 2);
	for (sim_time expect = 0; expect < N; expect += 2)
		assert_int_equal(evq_pop(&q)->time, expect);
	assert_null(evq_pop(&q));
	/* Removing the minimum and the last slot. */
	for (int i = 0; i < 8; i++) {
		nodes[i] = (struct evq_node){.time = i, .seq = (uint64_t)i};
		evq_push(&q, &nodes[i]);
	}
	assert_true(evq_remove(&q, &nodes[0]));
	assert_true(evq_remove(&q, &nodes[7]));
	assert_int_equal(evq_pop(&q)->time, 1);
	evq_release(&q);
}

static void test_growth(void **state)
{
	(void)state;
	enum { N = 200000 };
	struct evq_node *nodes = malloc(sizeof(*nodes) * N);
	struct evq q;
	evq_init(&q);
	for (int i = 0; i < N; i++) {
		nodes[i] = (struct evq_node){.time = (sim_time)(N - i), .seq = (uint64_t)i};
		assert_int_equal(evq_push(&q, &nodes[i]), 0);
	}
	assert_int_equal(evq_size(&q), N);
	for (int i = 1; i <= N; i++)
		assert_int_equal(evq_pop(&q)->time, i);
	evq_release(&q);
	free(nodes);
}

/* --- randomized comparison against a sorted reference ------------------------------------- */

static uint64_t rng_state = 0x853c49e6748fea9bu;
static uint64_t next_random(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static int node_before(const struct evq_node *a, const struct evq_node *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* Reference: an unsorted array of queued nodes; min by linear scan. Slow and obviously right. */
struct reference {
	struct evq_node **items;
	size_t count;
};

static size_t reference_min(const struct reference *r)
{
	size_t best = 0;
	for (size_t i = 1; i < r->count; i++)
		if (node_before(r->items[i], r->items[best]))
			best = i;
	return best;
}

static void test_randomized_against_reference(void **state)
{
	(void)state;
	enum { OPS = 100000, POOL = 4096 };
	struct evq_node *pool = calloc(POOL, sizeof(*pool));
	struct reference ref = {calloc(POOL, sizeof(struct evq_node *)), 0};
	struct evq_node **free_nodes = calloc(POOL, sizeof(*free_nodes));
	size_t free_count = 0;
	for (size_t i = 0; i < POOL; i++) {
		pool[i].pos = EVQ_NOT_QUEUED;
		free_nodes[free_count++] = &pool[i];
	}
	struct evq q;
	evq_init(&q);
	uint64_t seq = 0;
	sim_time now = 0;
	size_t pushes = 0, pops = 0, removes = 0;
	for (int op = 0; op < OPS; op++) {
		unsigned choice = (unsigned)(next_random() % 10);
		if ((choice < 5 || ref.count == 0) && free_count > 0) {
			struct evq_node *n = free_nodes[--free_count];
			/* Few distinct times so ties are common. */
			n->time = now + (sim_time)(next_random() % 50);
			n->seq = seq++;
			assert_int_equal(evq_push(&q, n), 0);
			ref.items[ref.count++] = n;
			pushes++;
		} else if (choice < 8 && ref.count > 0) {
			size_t m = reference_min(&ref);
			struct evq_node *expect = ref.items[m];
			assert_ptr_equal(evq_peek(&q), expect);
			assert_ptr_equal(evq_pop(&q), expect);
			now = expect->time;
			ref.items[m] = ref.items[--ref.count];
			free_nodes[free_count++] = expect;
			pops++;
		} else if (ref.count > 0) {
			size_t k = (size_t)(next_random() % ref.count);
			struct evq_node *victim = ref.items[k];
			assert_true(evq_remove(&q, victim));
			assert_false(evq_remove(&q, victim));
			ref.items[k] = ref.items[--ref.count];
			free_nodes[free_count++] = victim;
			removes++;
		}
		assert_int_equal(evq_size(&q), ref.count);
	}
	/* Drain: the rest comes out in reference order. */
	while (ref.count > 0) {
		size_t m = reference_min(&ref);
		assert_ptr_equal(evq_pop(&q), ref.items[m]);
		ref.items[m] = ref.items[--ref.count];
	}
	assert_null(evq_pop(&q));
	assert_true(pushes > 40000 && pops > 20000 && removes > 10000);
	evq_release(&q);
	free(pool);
	free(ref.items);
	free(free_nodes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_queue),
		cmocka_unit_test(test_orders_by_time),
		cmocka_unit_test(test_ties_are_fifo),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_randomized_against_reference),
	};
	return cmocka_run_group_tests_name("evq", tests, NULL, NULL);
}
