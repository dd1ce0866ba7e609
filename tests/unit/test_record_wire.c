/* test_record_wire.c: a record sent between ranks arrives bit for bit (record_wire.h), and a
 * truncated or corrupt message is refused without reading past it. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "record_wire.h"
#include "world_params.h"
#include "../common/run_scenario.h"

/* A record with every part filled by hand, incidents and violations included. */
static void synthetic(struct record *r)
{
	record_init(r);
	r->seed = 42;
	r->replication = 7;
	r->warmup = 30 * SIM_S;
	r->duration = 600 * SIM_S;
	r->engine_events = 123456789;
	r->arrived = 1000;
	r->completed = 990;
	r->failed = 8;
	r->in_flight = 2;
	r->conservation_ok = true;
	r->in_system_mean = 3.25;
	r->dropped = 1;
	r->class_count = 2;
	r->classes = calloc(2, sizeof(*r->classes));
	for (int i = 0; i < 2; i++) {
		snprintf(r->classes[i].name, sizeof(r->classes[i].name), "class%d", i);
		r->classes[i].arrived = 500;
		r->classes[i].failed[1] = (uint64_t)i + 3;
		stat_hist_init(&r->classes[i].latency);
		stat_hist_add(&r->classes[i].latency, 0.0123 * (i + 1));
		stat_hist_add(&r->classes[i].latency, 1.5);
		r->classes[i].latency_mean = 0.1 / 3.0;
	}
	record_add_metric(r, 0, "iris-a", 1.0 / 3.0);
	record_add_metric(r, 1, "", NAN);
	record_add_point(r, 0, 10 * SIM_S, 0, "iris-a", 0.5);
	record_add_point(r, 10 * SIM_S, 10 * SIM_S, 0, "iris-b", -0.0);
	r->incident_count = 2;
	r->incidents = calloc(2, sizeof(*r->incidents));
	struct record_incident *in = &r->incidents[0];
	in->r.kind = "host_crash";
	snprintf(in->target, sizeof(in->target), "iris-a");
	in->r.target = in->target;
	snprintf(in->primary_before, sizeof(in->primary_before), "iris-a");
	in->r.primary_before = in->primary_before;
	snprintf(in->primary_after, sizeof(in->primary_after), "iris-b");
	in->r.primary_after = in->primary_after;
	in->r.rto_s = 8.75;
	in->r.end_s = NAN;
	in = &r->incidents[1];
	in->r.kind = "az_outage";
	snprintf(in->target, sizeof(in->target), "us-east-1a");
	in->r.target = in->target;
	r->event_count = 1;
	r->events = calloc(1, sizeof(*r->events));
	r->events[0] = (struct ledger_event){5 * SIM_S, 1, "mirror", "takeover by iris-b"};
	r->violation_count = 1;
	r->violations = calloc(1, sizeof(*r->violations));
	r->violations[0].t = 6 * SIM_S;
	r->violations[0].invariant = "one_primary";
	snprintf(r->violations[0].detail, sizeof(r->violations[0].detail), "two primaries");
}

/* Decode the encoding of r: every field r's consumers read is r's, bit for bit, and the
 * decoded record's pointers are its own; encoding it again gives as many bytes. (Bytes
 * past a string's end and struct padding are copied as they are, so the encodings are not
 * compared byte for byte: valgrind would rightly call that a use of uninitialised bytes.) */
static void round_trip(const struct record *r)
{
	unsigned char *a, *b;
	size_t na, nb;
	assert_int_equal(record_wire_encode(r, &a, &na), 0);
	struct record d;
	assert_int_equal(record_wire_decode(a, na, &d), 0);
	assert_int_equal(record_wire_encode(&d, &b, &nb), 0);
	assert_int_equal(na, nb);
	assert_int_equal(d.class_count, r->class_count);
	assert_int_equal(d.point_count, r->point_count);
	assert_int_equal(d.qualifier_count, r->qualifier_count);
	for (size_t i = 0; i < r->class_count; i++) {
		const struct record_class *x = &d.classes[i], *y = &r->classes[i];
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->arrived, y->arrived);
		assert_int_equal(x->completed, y->completed);
		assert_memory_equal(x->failed, y->failed, sizeof(x->failed));
		assert_memory_equal(x->tries_failed, y->tries_failed, sizeof(x->tries_failed));
		assert_memory_equal(&x->latency, &y->latency, sizeof(x->latency));
		assert_memory_equal(&x->latency_mean, &y->latency_mean, sizeof(double));
	}
	for (size_t i = 0; i < r->point_count; i++)
		assert_memory_equal(&d.points[i], &r->points[i], sizeof(d.points[i]));
	for (size_t i = 0; i < r->metric_count; i++) {
		assert_int_equal(d.metrics[i].id, r->metrics[i].id);
		assert_string_equal(d.metrics[i].qualifier, r->metrics[i].qualifier);
		assert_memory_equal(&d.metrics[i].value, &r->metrics[i].value, sizeof(double));
	}
	for (size_t i = 0; i < r->qualifier_count; i++)
		assert_string_equal(d.qualifiers[i], r->qualifiers[i]);
	for (size_t i = 0; i < r->incident_count; i++) {
		const struct incident_result *x = &d.incidents[i].r, *y = &r->incidents[i].r;
		assert_string_equal(x->kind, y->kind);
		assert_ptr_equal(x->target, d.incidents[i].target);
		assert_string_equal(x->target, y->target);
		assert_int_equal(x->primary_before == NULL, y->primary_before == NULL);
		assert_int_equal(x->primary_after == NULL, y->primary_after == NULL);
		if (x->primary_after) {
			assert_ptr_equal(x->primary_after, d.incidents[i].primary_after);
			assert_string_equal(x->primary_after, y->primary_after);
		}
		assert_memory_equal(&x->rto_s, &y->rto_s, sizeof(double));
	}
	for (size_t i = 0; i < r->violation_count; i++)
		assert_string_equal(d.violations[i].invariant, r->violations[i].invariant);
	for (size_t i = 0; i < r->event_count; i++)
		assert_string_equal(d.events[i].text, r->events[i].text);
	assert_int_equal(d.seed, r->seed);
	assert_int_equal(d.replication, r->replication);
	assert_int_equal(d.engine_events, r->engine_events);
	assert_true(d.conservation_ok == r->conservation_ok);
	record_release(&d);
	free(a);
	free(b);
}

static void test_synthetic_round_trip(void **state)
{
	(void)state;
	struct record r;
	synthetic(&r);
	round_trip(&r);
	record_release(&r);
}

/* A real replication: a drill whose primary host crashes at 3 min (the run ends 10 s later),
 * so incidents, events and series are there. */
static void test_drill_round_trip(void **state)
{
	(void)state;
	struct scenario s;
	struct diag diag;
	diag_init(&diag);
	assert_int_equal(scenario_load(&s, test_source_path("scenarios/drills/primary-host-crash.json"),
				       NULL, 0, NULL, &diag),
			 0);
	diag_release(&diag);
	struct world_params wp;
	assert_int_equal(world_params_init(&wp, &s, 30 * SIM_S, 160 * SIM_S, 10 * SIM_S), 0);
	struct record r;
	char err[256];
	assert_int_equal(world_run(&wp.cfg, 1, 0, NULL, NULL, &r, err, sizeof(err)), 0);
	assert_true(r.incident_count >= 1);
	assert_true(r.event_count >= 1);
	assert_true(r.point_count > 100);
	round_trip(&r);
	record_release(&r);
	world_params_release(&wp);
	scenario_release(&s);
}

/* Truncations (every length through the header and the first arrays, then every 61st, and
 * the last 64), a wrong magic and a wrong structure size are refused. */
static void test_corrupt_refused(void **state)
{
	(void)state;
	struct record r;
	synthetic(&r);
	unsigned char *a;
	size_t n;
	assert_int_equal(record_wire_encode(&r, &a, &n), 0);
	record_release(&r);
	for (size_t len = 0; len < n; len += len < 512 || len + 64 >= n ? 1 : 61) {
		struct record d;
		unsigned char *copy = malloc(len ? len : 1); /* exactly len bytes, for ASan */
		memcpy(copy, a, len);
		assert_int_equal(record_wire_decode(copy, len, &d), -EPROTO);
		record_release(&d);
		free(copy);
	}
	struct record d;
	a[0] ^= 1;
	assert_int_equal(record_wire_decode(a, n, &d), -EPROTO);
	record_release(&d);
	a[0] ^= 1;
	a[8] ^= 1; /* sizeof(struct record_class) */
	assert_int_equal(record_wire_decode(a, n, &d), -EPROTO);
	record_release(&d);
	a[8] ^= 1;
	assert_int_equal(record_wire_decode(a, n, &d), 0);
	record_release(&d);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synthetic_round_trip),
		cmocka_unit_test(test_drill_round_trip),
		cmocka_unit_test(test_corrupt_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
