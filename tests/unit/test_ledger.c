/* test_ledger.c: the incident ledger's attribution of ECP observations (ledger.h): each goes
 * to the incident under way when its stall began, and the incident keeps the longest stall,
 * the stalls, held-then-completed requests, <NETWORK> answers, rollbacks and sessions. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ledger.h"
#include "sim.h"

#define T(s) sim_time_from_s(s)

static const char *no_primary(void *arg, const char *target)
{
	(void)arg;
	(void)target;
	return "";
}

struct fixture {
	struct sim_engine *e;
	struct ledger *l;
};

static void at(struct fixture *f, double s)
{
	assert_true(sim_run_until(f->e, T(s)) >= 0);
}

static void stall(struct fixture *f, double since, bool preserved)
{
	struct ledger_ecp_observation o = {.since = T(since), .stall_end = sim_now(f->e),
					   .sessions_preserved = preserved,
					   .sessions_lost = !preserved};
	ledger_ecp(f->l, &o);
}

static void effect(struct fixture *f, double since, uint64_t held, uint64_t net, uint64_t rb)
{
	struct ledger_ecp_observation o = {.since = T(since), .stall_end = -1,
					   .held_completed = held, .network_errors = net,
					   .rolled_back = rb};
	ledger_ecp(f->l, &o);
}

static void result(struct fixture *f, size_t i, struct incident_result *out)
{
	ledger_incident_result(f->l, i, sim_now(f->e), out);
}

/* Two incidents: observations go by the stall's start, not by when they are reported. */
static void test_ecp_attributed_to_incident_of_stall_start(void **state)
{
	(void)state;
	struct fixture f = {sim_engine_new(1, 0), NULL};
	assert_non_null(f.e);
	f.l = ledger_new(f.e, 0, T(30), no_primary, NULL);
	assert_non_null(f.l);

	at(&f, 5);
	effect(&f, 4, 1, 0, 0); /* before any incident: no incident takes it */
	at(&f, 10);
	int a = ledger_fault_started(f.l, "host_crash", "iris-a");
	assert_int_equal(a, 0);
	at(&f, 12);
	/* app-1 stalls at 11 s, app-2 at 12 s */
	at(&f, 40);
	ledger_fault_ended(f.l, a);
	int b = ledger_fault_started(f.l, "az_outage", "us-east-1a");
	assert_int_equal(b, 1);
	/* reported during incident b, but the stalls began in a */
	at(&f, 41);
	stall(&f, 11, true);                 /* 30 s */
	effect(&f, 11, 7, 0, 0);             /* held, then completed */
	at(&f, 47);
	stall(&f, 12, false);                /* 35 s, reset */
	effect(&f, 12, 0, 3, 5);             /* its <NETWORK> answers and rollbacks */
	/* a stall that began in b */
	at(&f, 50);
	stall(&f, 42.5, true);               /* 7.5 s */
	effect(&f, 50, 0, 0, 2);             /* outside a stall (since = now): b */

	struct incident_result ra, rb;
	result(&f, 0, &ra);
	result(&f, 1, &rb);
	assert_float_equal(ra.ecp_stall_max_s, 35.0, 1e-9);
	assert_int_equal(ra.ecp_stalls, 2);
	assert_int_equal(ra.ecp_held_completed, 7);
	assert_int_equal(ra.ecp_network_errors, 3);
	assert_int_equal(ra.ecp_rolled_back, 5);
	assert_int_equal(ra.ecp_sessions_preserved, 1);
	assert_int_equal(ra.ecp_sessions_lost, 1);

	assert_float_equal(rb.ecp_stall_max_s, 7.5, 1e-9);
	assert_int_equal(rb.ecp_stalls, 1);
	assert_int_equal(rb.ecp_held_completed, 0);
	assert_int_equal(rb.ecp_network_errors, 0);
	assert_int_equal(rb.ecp_rolled_back, 2);
	assert_int_equal(rb.ecp_sessions_preserved, 1);
	assert_int_equal(rb.ecp_sessions_lost, 0);
	ledger_free(f.l);
	sim_engine_free(f.e);
}

/* An incident without ECP observations reports zeros; a lost session without a stall (an
 * app server's crash in Normal) counts as lost but not as a stall. */
static void test_ecp_crash_without_stall(void **state)
{
	(void)state;
	struct fixture f = {sim_engine_new(1, 0), NULL};
	assert_non_null(f.e);
	f.l = ledger_new(f.e, 0, T(30), no_primary, NULL);
	assert_non_null(f.l);
	at(&f, 10);
	ledger_fault_started(f.l, "host_crash", "app-a1");
	ledger_fault_started(f.l, "host_crash", "iris-b"); /* same instant: one incident */
	struct incident_result r;
	result(&f, 0, &r);
	assert_float_equal(r.ecp_stall_max_s, 0, 0);
	assert_int_equal(r.ecp_stalls, 0);
	assert_int_equal(r.ecp_sessions_lost, 0);
	struct ledger_ecp_observation o = {.since = T(10), .stall_end = -1, .sessions_lost = 1};
	ledger_ecp(f.l, &o);
	result(&f, 0, &r);
	assert_int_equal(ledger_incident_count(f.l), 1);
	assert_int_equal(r.ecp_stalls, 0);
	assert_int_equal(r.ecp_sessions_lost, 1);
	assert_float_equal(r.ecp_stall_max_s, 0, 0);
	ledger_free(f.l);
	sim_engine_free(f.e);
}

/* Stage kinds: a journal freeze is charged to `freeze` (start to the thaw), an operator's
 * wait to `operator` (detection to the action), a restore to `restore`; stages that did not
 * happen are NaN and the chain adds up to the RTO. Writes: failures sent at 10-139 s, the
 * first write sent after the last failure acknowledged at 141 s. */
static void test_stage_kinds(void **state)
{
	(void)state;
	struct fixture f = {sim_engine_new(1, 0), NULL};
	assert_non_null(f.e);
	f.l = ledger_new(f.e, 0, T(30), no_primary, NULL);
	assert_non_null(f.l);
	struct mirror_listener ml = ledger_mirror_listener(f.l);

	/* 1: a journal freeze from 12 s to 130 s */
	at(&f, 10);
	int a = ledger_fault_started(f.l, "volume_failure", "iris-a/jrn");
	at(&f, 12);
	ledger_updates_frozen(f.l, true);
	at(&f, 130);
	ledger_updates_frozen(f.l, false);
	ledger_fault_ended(f.l, a);
	at(&f, 139);
	ledger_try_failed(f.l, true, T(128)); /* a timeout of a write sent while frozen */
	at(&f, 141);
	ledger_try_succeeded(f.l, true, T(140));
	struct incident_result r;
	result(&f, 0, &r);
	assert_true(r.recovered);
	assert_float_equal(r.rto_s, 131, 1e-9);
	assert_float_equal(r.stage_s[STAGE_FREEZE], 120, 1e-9);
	assert_true(isnan(r.stage_s[STAGE_DETECT]) && isnan(r.stage_s[STAGE_OPERATOR]) &&
		    isnan(r.stage_s[STAGE_RESTORE]));
	assert_float_equal(r.stage_s[STAGE_REROUTE], 0, 1e-9); /* sent before the thaw */
	assert_float_equal(r.stage_s[STAGE_RECONNECT], 11, 1e-9);

	/* 2: detected at 205 s, an operator acts at 1100 s, takeover ready at 1103 s; a
	 * restore (no takeover) would be charged after the transition */
	at(&f, 200);
	int b = ledger_fault_started(f.l, "region_outage", "us-east-1");
	at(&f, 205);
	ml.detected(ml.arg, NULL, T(205));
	at(&f, 1100);
	ml.operator_acted(ml.arg, NULL, T(1100));
	struct mirror_takeover tk = {.new_primary = "iris-dr", .t_detect = T(205),
				     .t_decide = T(1100), .t_ready = T(1103)};
	at(&f, 1103);
	ml.takeover(ml.arg, NULL, &tk);
	at(&f, 1200);
	ledger_restored(f.l); /* charged after the transition */
	ledger_data_lost(f.l, 7, 700, 3);
	ledger_fault_ended(f.l, b);
	at(&f, 1201);
	ledger_try_succeeded(f.l, true, T(1104));
	result(&f, 1, &r);
	assert_float_equal(r.rto_s, 1001, 1e-9);
	assert_float_equal(r.stage_s[STAGE_DETECT], 5, 1e-9);
	assert_float_equal(r.stage_s[STAGE_OPERATOR], 895, 1e-9);
	assert_float_equal(r.stage_s[STAGE_DECIDE], 0, 1e-9);
	assert_float_equal(r.stage_s[STAGE_TRANSITION], 3, 1e-9);
	assert_float_equal(r.stage_s[STAGE_RESTORE], 97, 1e-9);
	assert_float_equal(r.stage_s[STAGE_RECONNECT], 1, 1e-9);
	assert_true(isnan(r.stage_s[STAGE_FREEZE]));
	double sum = 0;
	for (int k = 0; k < STAGE_COUNT; k++)
		sum += isnan(r.stage_s[k]) ? 0 : r.stage_s[k];
	assert_float_equal(sum, r.rto_s, 1e-9);
	assert_float_equal(r.rpo_tx, 7, 0);
	assert_true(r.data_lost);
	ledger_free(f.l);
	sim_engine_free(f.e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ecp_attributed_to_incident_of_stall_start),
		cmocka_unit_test(test_ecp_crash_without_stall),
		cmocka_unit_test(test_stage_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
