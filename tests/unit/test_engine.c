/* test_engine: entities, scheduling, cancel, run control and misuse reporting (engine.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"

/* A recorder entity: logs (time, tag) of every event it receives. */
struct recorder {
	int count;
	sim_time times[64];
	int64_t tags[64];
	int stop_at_tag;         /* call sim_stop when this tag arrives (0 = never) */
	int reschedule_in_past;  /* schedule an event before now from the handler */
};

enum { EV_RECORD = 0, EV_UNUSED = 1, EV_COUNT = 2 };

static void recorder_on_record(struct sim_entity *self, const struct sim_event *ev)
{
	struct recorder *r = self->state;
	const int64_t *tag = sim_event_payload(ev);
	r->times[r->count] = sim_event_time(ev);
	r->tags[r->count] = *tag;
	r->count++;
	if (r->stop_at_tag && *tag == r->stop_at_tag)
		sim_stop(self->engine);
	if (r->reschedule_in_past) {
		int64_t t = 99;
		sim_schedule_at(self->engine, self, sim_event_time(ev) - 1, EV_RECORD, &t, sizeof(t));
	}
}

static const sim_handler_fn recorder_handlers[EV_COUNT] = {[EV_RECORD] = recorder_on_record};
static const struct sim_entity_type recorder_type = {
	.name = "recorder",
	.state_size = sizeof(struct recorder),
	.handlers = recorder_handlers,
	.handler_count = EV_COUNT,
};

static struct sim_handle send(struct sim_engine *e, struct sim_entity *to, sim_time at, int64_t tag)
{
	return sim_schedule_at(e, to, at, EV_RECORD, &tag, sizeof(tag));
}

static void test_entities_named_unique_and_found(void **state)
{
	(void)state;
	struct sim_engine *e = sim_engine_new(7, 0);
	struct sim_entity *a = sim_entity_new(e, &recorder_type, "host-a");
	struct sim_entity *b = sim_entity_new(e, &recorder_type, "host-b");
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->id, 0);
	assert_int_equal(b->id, 1);
	assert_ptr_equal(sim_entity_find(e, "host-b"), b);
	assert_ptr_equal(sim_entity_at(e, 0), a);
	assert_null(sim_entity_find(e, "host-c"));
	assert_int_equal(((struct recorder *)a->state)->count, 0);
	/* Many entities: the name index grows and still finds every one. */
	char name[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "lp%d", i);
		assert_non_null(sim_entity_new(e, &recorder_type, name));
	}
	for (int i = 0; i < 1000; i += 97) {
		snprintf(name, sizeof(name), "lp%d", i);
		assert_int_equal(sim_entity_find(e, name)->id, (uint32_t)i + 2);
	}
	assert_int_equal(sim_entity_count(e), 1002);
	/* A duplicate is refused and reported with this file's location. */
	assert_null(sim_entity_new(e, &recorder_type, "host-a"));
	assert_int_equal(sim_engine_error(e), -SIM_E_DUPNAME);
	assert_non_null(strstr(sim_engine_error_message(e), "test_engine.c:"));
	assert_non_null(strstr(sim_engine_error_message(e), "duplicate entity name \"host-a\""));
	sim_engine_free(e);
}

static void test_events_run_in_time_then_fifo_order(void **state)
{
	(void)state;
	struct sim_engine *e = sim_engine_new(1, 0);
	struct sim_entity *r = sim_entity_new(e, &recorder_type, "r");
	send(e, r, 30, 1);
	send(e, r, 10, 2);
	send(e, r, 30, 3);
	send(e, r, 20, 4);
	send(e, r, 30, 5);
	send(e, r, 10, 6);
	assert_int_equal(sim_run(e), SIM_END_EMPTY);
	struct recorder *rec = r->state;
	static const int64_t expect_tags[] = {2, 6, 4, 1, 3, 5};
	static const sim_time expect_times[] = {10, 10, 20, 30, 30, 30};
	assert_int_equal(rec->count, 6);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(rec->tags[i], expect_tags[i]);
		assert_int_equal(rec->times[i], expect_times[i]);
	}
	assert_int_equal(sim_now(e), 30);
	assert_int_equal(sim_events_processed(e), 6);
	sim_engine_free(e);
}

static void test_cancel(void **state)
{
	(void)state;
	struct sim_engine *e = sim_engine_new(1, 0);
	struct sim_entity *r = sim_entity_new(e, &recorder_type, "r");
	struct sim_handle h1 = send(e, r, 10, 1);
	struct sim_handle h2 = send(e, r, 20, 2);
	struct sim_handle h3 = send(e, r, 30, 3);
	assert_true(sim_is_pending(e, h2));
	assert_int_equal(sim_pending_time(e, h2), 20);
	assert_true(sim_cancel(e, h2));
	assert_false(sim_cancel(e, h2)); /* already cancelled */
	assert_false(sim_is_pending(e, h2));
	assert_int_equal(sim_pending_time(e, h2), SIM_TIME_MAX);
	assert_false(sim_cancel(e, SIM_HANDLE_NONE));
	assert_int_equal(sim_events_pending(e), 2);
	/* The cancelled slot is reused by the next event; the stale handle must not match it. */
	struct sim_handle h4 = send(e, r, 25, 4);
	assert_int_equal(h4.slot, h2.slot);
	assert_false(sim_cancel(e, h2));
	assert_true(sim_is_pending(e, h4));
	assert_int_equal(sim_run(e), SIM_END_EMPTY);
	struct recorder *rec = r->state;
	assert_int_equal(rec->count, 3);
	assert_int_equal(rec->tags[0], 1);
	assert_int_equal(rec->tags[1], 4);
	assert_int_equal(rec->tags[2], 3);
	/* Handles of events that ran are stale. */
	assert_false(sim_cancel(e, h1));
	assert_false(sim_cancel(e, h3));
	sim_engine_free(e);
}

static void test_run_until(void **state)
{
	(void)state;
	struct sim_engine *e = sim_engine_new(1, 0);
	struct sim_entity *r = sim_entity_new(e, &recorder_type, "r");
	for (int i = 1; i <= 10; i++)
		send(e, r, i * SIM_S, i);
	/* Strictly before the end: the event at exactly 5 s stays queued. */
	assert_int_equal(sim_run_until(e, 5 * SIM_S), SIM_END_TIME);
	assert_int_equal(sim_now(e), 5 * SIM_S);
	assert_int_equal(((struct recorder *)r->state)->count, 4);
	assert_int_equal(sim_events_pending(e), 6);
	/* Continuing past the last event leaves the clock at the end time. */
	assert_int_equal(sim_run_until(e, 60 * SIM_S), SIM_END_TIME);
	assert_int_equal(sim_now(e), 60 * SIM_S);
	assert_int_equal(((struct recorder *)r->state)->count, 10);
	/* Running until a time before now is refused. */
	assert_true(sim_run_until(e, 1 * SIM_S) < 0);
	sim_engine_free(e);
}

static void test_stop_from_handler(void **state)
{
	(void)state;
	struct sim_engine *e = sim_engine_new(1, 0);
	struct sim_entity *r = sim_entity_new(e, &recorder_type, "r");
	((struct recorder *)r->state)->stop_at_tag = 3;
	for (int i = 1; i <= 5; i++)
		send(e, r, i, i);
	assert_int_equal(sim_run(e), SIM_END_STOPPED);
	assert_int_equal(((struct recorder *)r->state)->count, 3);
	assert_int_equal(sim_now(e), 3);
	/* A later run continues where it stopped. */
	((struct recorder *)r->state)->stop_at_tag = 0;
	assert_int_equal(sim_run(e), SIM_END_EMPTY);
	assert_int_equal(((struct recorder *)r->state)->count, 5);
	sim_engine_free(e);
}

static void test_past_event_refused_with_location(void **state)
{
	(void)state;
	struct sim_engine *e = sim_engine_new(1, 0);
	struct sim_entity *r = sim_entity_new(e, &recorder_type, "r");
	send(e, r, 100, 1);
	send(e, r, 200, 2);
	((struct recorder *)r->state)->reschedule_in_past = 1;
	int rc = sim_run(e);
	assert_int_equal(rc, -SIM_E_PAST);
	assert_int_equal(sim_engine_error(e), -SIM_E_PAST);
	const char *msg = sim_engine_error_message(e);
	assert_non_null(strstr(msg, "test_engine.c:"));
	assert_non_null(strstr(msg, "scheduled in the past"));
	/* The run stopped at the offending event: the one at 200 did not run. */
	assert_int_equal(((struct recorder *)r->state)->count, 1);
	assert_int_equal(sim_run(e), -SIM_E_PAST); /* the error persists */
	assert_string_equal(sim_strerror(-SIM_E_PAST), "event scheduled in the past");
	sim_engine_free(e);
}

static void test_bad_kind_and_payload_refused(void **state)
{
	(void)state;
	struct sim_engine *e = sim_engine_new(1, 0);
	struct sim_entity *r = sim_entity_new(e, &recorder_type, "r");
	assert_true(sim_handle_is_none(sim_schedule_at(e, r, 5, EV_UNUSED, NULL, 0)));
	assert_int_equal(sim_engine_error(e), -SIM_E_BADKIND);
	sim_engine_free(e);

	e = sim_engine_new(1, 0);
	r = sim_entity_new(e, &recorder_type, "r");
	char big[SIM_PAYLOAD_MAX + 1] = {0};
	assert_true(sim_handle_is_none(sim_schedule_at(e, r, 5, EV_RECORD, big, sizeof(big))));
	assert_int_equal(sim_engine_error(e), -SIM_E_PAYLOAD);
	assert_int_equal(sim_events_pending(e), 0);
	sim_engine_free(e);
}

/* Many events, same seed: identical streams per entity regardless of engine instance. */
static void test_entity_streams_reproducible(void **state)
{
	(void)state;
	struct sim_engine *e1 = sim_engine_new(42, 3);
	struct sim_engine *e2 = sim_engine_new(42, 3);
	struct sim_engine *e3 = sim_engine_new(42, 4);
	sim_entity_new(e2, &recorder_type, "unrelated"); /* created first in e2 only */
	struct sim_entity *a1 = sim_entity_new(e1, &recorder_type, "mirror-a");
	struct sim_entity *a2 = sim_entity_new(e2, &recorder_type, "mirror-a");
	struct sim_entity *a3 = sim_entity_new(e3, &recorder_type, "mirror-a");
	int same_as_other_rep = 0;
	for (int i = 0; i < 100; i++) {
		unsigned long x = gsl_rng_get(a1->rng);
		assert_true(x == gsl_rng_get(a2->rng));
		same_as_other_rep += x == gsl_rng_get(a3->rng);
	}
	assert_true(same_as_other_rep < 3);
	sim_engine_free(e1);
	sim_engine_free(e2);
	sim_engine_free(e3);
}

/* Pool growth across slabs with pending events keeps their payloads intact. */
static void test_many_pending_events(void **state)
{
	(void)state;
	struct sim_engine *e = sim_engine_new(1, 0);
	struct sim_entity *r = sim_entity_new(e, &recorder_type, "r");
	for (int i = 0; i < 5000; i++)
		send(e, r, 5000 - i, 5000 - i);
	assert_int_equal(sim_events_pending(e), 5000);
	/* Only the first 64 fit in the recorder's log; stop there. */
	((struct recorder *)r->state)->stop_at_tag = 64;
	assert_int_equal(sim_run(e), SIM_END_STOPPED);
	struct recorder *rec = r->state;
	for (int i = 0; i < 64; i++)
		assert_int_equal(rec->tags[i], i + 1);
	sim_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entities_named_unique_and_found),
		cmocka_unit_test(test_events_run_in_time_then_fifo_order),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_run_until),
		cmocka_unit_test(test_stop_from_handler),
		cmocka_unit_test(test_past_event_refused_with_location),
		cmocka_unit_test(test_bad_kind_and_payload_refused),
		cmocka_unit_test(test_entity_streams_reproducible),
		cmocka_unit_test(test_many_pending_events),
	};
	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
