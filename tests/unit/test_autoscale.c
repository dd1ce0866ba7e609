/* test_autoscale: the compute nodes' Auto Scaling group (models/infra/autoscale.c).
 *
 * A fake world spreads a CPU demand (vCPUs busy in all) evenly over the nodes that take
 * traffic (warming or in service), each capped at its 8 vCPUs, and integrates each node's
 * CPU-seconds. With the AWS defaults (target 40%, 1-minute periods, scale out after 3
 * periods, in after 15, launch 60 s, warm-up 300 s, deregistration 300 s) the tests check
 * when nodes launch, come up, enter service, drain and terminate, to the second, and that
 * the size never leaves [min, max].
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "autoscale.h"
#include "engine.h"

#define N 5

struct fake {
	struct sim_engine *e;
	struct autoscale *as;
	struct autoscaling_config cfg;
	enum autoscale_state st[N];
	double cpu[N];       /* CPU-seconds integrated up to `t_last` */
	sim_time t_last;
	double demand;       /* vCPUs busy over all active nodes */
	size_t max_cap;      /* largest number of nodes not off seen */
	size_t min_active;   /* fewest active nodes seen after the start */
	bool started;
};

static bool active(enum autoscale_state s) { return s == AS_WARMING || s == AS_IN_SERVICE; }

static void integrate(struct fake *f)
{
	sim_time now = sim_now(f->e);
	size_t n = 0;
	for (size_t i = 0; i < N; i++)
		n += active(f->st[i]);
	double each = n ? f->demand / (double)n : 0;
	if (each > 8)
		each = 8;
	for (size_t i = 0; i < N; i++)
		if (active(f->st[i]))
			f->cpu[i] += each * (double)(now - f->t_last) / (double)SIM_S;
	f->t_last = now;
}

static void fake_set_state(void *arg, size_t node, enum autoscale_state s)
{
	struct fake *f = arg;
	integrate(f);
	f->st[node] = s;
	size_t cap = 0, act = 0;
	for (size_t i = 0; i < N; i++) {
		cap += f->st[i] != AS_OFF && f->st[i] != AS_DRAINING;
		act += active(f->st[i]);
	}
	if (cap > f->max_cap)
		f->max_cap = cap;
	if (f->started && act < f->min_active)
		f->min_active = act;
}

static double fake_cpu(void *arg, size_t node)
{
	struct fake *f = arg;
	integrate(f);
	return f->cpu[node];
}

static const char *names[N] = {"cn1", "cn2", "cn3", "cn4", "cn5"};
static const int vcpu[N] = {8, 8, 8, 8, 8};

static void setup(struct fake *f, int64_t min, int64_t max)
{
	memset(f, 0, sizeof(*f));
	f->e = sim_engine_new(1, 0);
	assert_non_null(f->e);
	f->cfg = (struct autoscaling_config){
		.enabled = true, .target_cpu = 0.4, .min_size = min, .max_size = max,
		.warmup = 300 * SIM_S, .evaluation_period = 60 * SIM_S, .scale_out_periods = 3,
		.scale_in_periods = 15, .launch_time = 60 * SIM_S,
		.deregistration_delay = 300 * SIM_S};
	for (size_t i = 0; i < N; i++)
		f->st[i] = AS_IN_SERVICE; /* every host up until the group says otherwise */
	struct autoscale_params p = {&f->cfg, N, names, vcpu, fake_set_state, fake_cpu, f, NULL};
	f->as = autoscale_new(f->e, &p);
	assert_non_null(f->as);
	autoscale_start(f->as);
	f->started = true;
	f->min_active = N;
}

static void run_to(struct fake *f, sim_time t)
{
	assert_true(sim_run_until(f->e, t) >= 0);
}

static void set_demand(struct fake *f, double vcpus)
{
	integrate(f);
	f->demand = vcpus;
}

static void teardown(struct fake *f)
{
	autoscale_free(f->as);
	sim_engine_free(f->e);
}

#define MIN(m) ((sim_time)(m) * 60 * SIM_S)

static void test_scale_out_and_in(void **state)
{
	(void)state;
	struct fake f;
	setup(&f, 1, 4);
	/* Only min_size runs from the start; the rest of the pool is off. */
	assert_int_equal(autoscale_node_state(f.as, 0), AS_IN_SERVICE);
	for (size_t i = 1; i < N; i++)
		assert_int_equal(f.st[i], AS_OFF);
	/* 2 vCPUs of 8: 25% < 40%: no launch in 10 minutes. */
	set_demand(&f, 2);
	run_to(&f, MIN(10));
	assert_int_equal(f.st[1], AS_OFF);
	/* 6 vCPUs: 75%, desired ceil(1 x 0.75 / 0.4) = 2, above capacity at the evaluations
	 * of 11m, 12m and 13m: launch at 13m, up at 14m, in service at 19m. */
	set_demand(&f, 6);
	run_to(&f, MIN(13) - 1);
	assert_int_equal(f.st[1], AS_OFF);
	run_to(&f, MIN(13) + 1);
	assert_int_equal(f.st[1], AS_LAUNCHING);
	assert_int_equal(f.st[2], AS_OFF); /* one node only: desired is 2 */
	run_to(&f, MIN(14) - 1);
	assert_int_equal(f.st[1], AS_LAUNCHING);
	run_to(&f, MIN(14) + 1);
	assert_int_equal(f.st[1], AS_WARMING);
	run_to(&f, MIN(19) - 1);
	assert_int_equal(f.st[1], AS_WARMING);
	run_to(&f, MIN(19) + 1);
	assert_int_equal(f.st[1], AS_IN_SERVICE);
	/* Two nodes at 37.5%: desired ceil(2 x 0.375 / 0.4) = 2: stable. */
	run_to(&f, MIN(30));
	assert_int_equal(f.st[2], AS_OFF);
	struct autoscale_stats st;
	autoscale_stats(f.as, &st);
	assert_int_equal(st.launches, 1);
	assert_true(fabs(st.last_metric - 0.375) < 1e-9);
	/* 20 vCPUs: both nodes at 100%, desired ceil(2 x 1 / 0.4) = 5, clamped to 4: two
	 * launched at 33m, never a fifth. */
	set_demand(&f, 20);
	run_to(&f, MIN(33) + 1);
	assert_int_equal(f.st[2], AS_LAUNCHING);
	assert_int_equal(f.st[3], AS_LAUNCHING);
	assert_int_equal(f.st[4], AS_OFF);
	run_to(&f, MIN(60));
	assert_int_equal(f.st[4], AS_OFF);
	assert_int_equal(f.max_cap, 4);
	/* Demand falls to 1 vCPU at 60m: desired 1 from the evaluation of 61m; after 15 in a
	 * row (75m) the three newest are deregistered, terminated 300 s later. */
	set_demand(&f, 1);
	run_to(&f, MIN(75) - 1);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(f.st[i], AS_IN_SERVICE);
	run_to(&f, MIN(75) + 1);
	assert_int_equal(f.st[0], AS_IN_SERVICE);
	for (size_t i = 1; i < 4; i++)
		assert_int_equal(f.st[i], AS_DRAINING);
	run_to(&f, MIN(80) - 1);
	assert_int_equal(f.st[1], AS_DRAINING);
	run_to(&f, MIN(80) + 1);
	for (size_t i = 1; i < 4; i++)
		assert_int_equal(f.st[i], AS_OFF);
	/* Never below min_size, even with no load at all. */
	set_demand(&f, 0);
	run_to(&f, MIN(150));
	assert_int_equal(f.st[0], AS_IN_SERVICE);
	assert_int_equal(f.min_active, 1);
	autoscale_stats(f.as, &st);
	assert_int_equal(st.launches, 3);
	assert_int_equal(st.terminations, 3);
	assert_int_equal(st.max_size, 4);
	teardown(&f);
}

static void test_short_dip_does_not_scale_in(void **state)
{
	(void)state;
	struct fake f;
	setup(&f, 2, 5);
	/* Two nodes at 50%: desired ceil(2 x 0.5 / 0.4) = 3: launch at 3m. */
	set_demand(&f, 8);
	run_to(&f, MIN(20));
	assert_int_equal(f.st[2], AS_IN_SERVICE);
	assert_int_equal(f.st[3], AS_OFF);
	/* A 14-minute dip, then the load is back: no scale-in. */
	set_demand(&f, 1);
	run_to(&f, MIN(34));
	set_demand(&f, 8);
	run_to(&f, MIN(60));
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(f.st[i], AS_IN_SERVICE);
	/* Scale-in never goes below min_size (2). */
	set_demand(&f, 0.1);
	run_to(&f, MIN(100));
	assert_int_equal(f.st[0], AS_IN_SERVICE);
	assert_int_equal(f.st[1], AS_IN_SERVICE);
	assert_int_equal(f.st[2], AS_OFF);
	teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale_out_and_in),
		cmocka_unit_test(test_short_dip_does_not_scale_in),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
