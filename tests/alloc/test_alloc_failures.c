/* test_alloc_failures.c: every allocation failure while building a world and running one
 * simulated second is reported and leaks nothing (Lua's l_alloc idea, by the linker).
 *
 * The test binary is linked with -Wl,--wrap for malloc, calloc, realloc, strdup and free,
 * so every call the project's own code makes goes through the wrappers below. While
 * `armed`, the wrappers count allocations, fail the fail_at-th one, and keep the set of
 * blocks allocated and not yet freed. For fail_at = 1, 2, ... the test runs one replication
 * of a reference architecture and asserts that world_run either completed (no allocation
 * left to fail: the walk is over) or returned an error with a message, and that every block
 * allocated during the attempt was freed. A crash, an error without a message or a leak
 * fails the test. Allocations inside shared libraries (GSL, cJSON, SQLite, libc) are not
 * wrapped and cannot fail here.
 */
#include <execinfo.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../common/run_scenario.h"
#include "world_params.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

static int armed;
static long allocations, fail_at;

/* Live blocks allocated while armed: open addressing over pointer values. */
#define LIVE_CAP (1u << 21)
static void **live;
static size_t live_count;

static size_t slot_of(const void *p)
{
	uintptr_t h = (uintptr_t)p;
	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15u;
	return (size_t)(h >> 11) & (LIVE_CAP - 1);
}

static void live_add(void *p)
{
	size_t i = slot_of(p);
	while (live[i] && live[i] != (void *)1)
		i = (i + 1) & (LIVE_CAP - 1);
	live[i] = p;
	live_count++;
}

static void live_remove(void *p)
{
	for (size_t i = slot_of(p); live[i]; i = (i + 1) & (LIVE_CAP - 1))
		if (live[i] == p) {
			live[i] = (void *)1; /* tombstone */
			live_count--;
			return;
		}
}

/* TOPSIM_ALLOC_TRACE=N prints the call stack of the N-th allocation when it fails (to find
 * the code behind a reported leak: build with -g). */
static int should_fail(void)
{
	if (!armed || ++allocations != fail_at)
		return 0;
	const char *trace = getenv("TOPSIM_ALLOC_TRACE");
	if (trace && atol(trace) == fail_at) {
		void *frames[32];
		int n = backtrace(frames, 32);
		backtrace_symbols_fd(frames, n, 2);
	}
	return 1;
}

void *__wrap_malloc(size_t n)
{
	if (should_fail())
		return NULL;
	void *p = __real_malloc(n);
	if (armed && p)
		live_add(p);
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (should_fail())
		return NULL;
	void *p = __real_calloc(n, size);
	if (armed && p)
		live_add(p);
	return p;
}

void *__wrap_realloc(void *old, size_t n)
{
	if (should_fail())
		return NULL;
	void *p = __real_realloc(old, n);
	if (armed && p) {
		if (old)
			live_remove(old);
		live_add(p);
	}
	return p;
}

char *__wrap_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = __wrap_malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

void __wrap_free(void *p)
{
	if (armed && p)
		live_remove(p);
	__real_free(p);
}

/* Walk every allocation of one replication of rel (with overrides) lasting `run`. */
static void walk(const char *rel, const char *const *sets, size_t n_sets, sim_time run)
{
	struct scenario s;
	struct diag diag;
	diag_init(&diag);
	int rc0 = scenario_load(&s, test_source_path(rel), sets, n_sets, NULL, &diag);
	if (rc0 != 0)
		diag_print(&diag, stderr);
	diag_release(&diag);
	assert_int_equal(rc0, 0);
	struct world_params wp;
	assert_int_equal(world_params_init(&wp, &s, run / 2, run / 2, run / 4), 0);
	live = __real_calloc(LIVE_CAP, sizeof(void *));
	assert_non_null(live);
	long attempts = 0, completed_at = 0, absorbed = 0;
	for (fail_at = 1;; fail_at++) {
		char err[512] = "";
		struct record rec;
		memset(live, 0, LIVE_CAP * sizeof(void *));
		live_count = 0;
		allocations = 0;
		armed = 1;
		int rc = world_run(&wp.cfg, 1, 0, NULL, NULL, &rec, err, sizeof(err));
		uint64_t dropped = rc == 0 ? rec.dropped : 0;
		if (rc == 0)
			record_release(&rec);
		armed = 0;
		attempts++;
		if (live_count != 0)
			fail_msg("%s: allocation %ld failed: %zu blocks leaked (rc %d, \"%s\")", rel,
				 fail_at, live_count, rc, err);
		if (rc == 0) {
			if (allocations < fail_at) { /* nothing left to fail */
				completed_at = allocations;
				break;
			}
			/* A failure absorbed on purpose must have been counted in the record: the
			 * ledger's observations are dropped and reported, nothing else may be. */
			if (dropped == 0)
				fail_msg("%s: allocation %ld failed silently (run completed, nothing "
					 "reported)", rel, fail_at);
			absorbed++;
			continue;
		}
		if (err[0] == '\0')
			fail_msg("%s: allocation %ld failed: error %d without a message", rel, fail_at,
				 rc);
	}
	print_message("%s: %ld allocation failures walked, each reported and freed; %ld of them "
		      "absorbed as dropped observations (%ld allocations in a complete run)\n",
		      rel, attempts - 1, absorbed, completed_at);
	assert_true(completed_at > 100);
	__real_free(live);
	world_params_release(&wp);
	scenario_release(&s);
}

static void test_production(void **state)
{
	(void)state;
	walk("scenarios/production.json", NULL, 0, SIM_S);
}

static void test_sharded_compute(void **state)
{
	(void)state;
	walk("scenarios/sharded-compute.json", NULL, 0, SIM_S);
}

/* A fault early enough that detection, takeover, the incident and its timeline happen. */
static void test_takeover_drill(void **state)
{
	(void)state;
	const char *sets[] = {"faults[0].at=1s"};
	walk("scenarios/drills/primary-host-crash.json", sets, 1, 24 * SIM_S);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_production),
		cmocka_unit_test(test_sharded_compute),
		cmocka_unit_test(test_takeover_drill),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
