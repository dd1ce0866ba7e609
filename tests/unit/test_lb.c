/* test_lb: load balancer health checks, routing and Route 53 DNS failover (models/lb.c).
 *
 * Fake probe and node_up hooks read per-LB test state that the tests change between
 * sim_run_until calls; the `changed` hooks log every change with its simulated time. The
 * tests check detection and recovery times against the arithmetic of aws.md §4 (interval x
 * threshold, offset by the uniform first-check phase) and §5 (Route 53 interval x failure
 * threshold; TTL expiries uniform), round-robin and fail-open routing, false negatives,
 * failover semantics and bit-for-bit repetition.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "sim.h"
#include "lb.h"

#define MAX_TARGETS 4
#define MAX_LOG 8192

/* ---- fakes --------------------------------------------------------------------------------- */

struct change {
	sim_time t;
	int lb;          /* index of the fake LB; -1 = DNS */
	size_t target;
	bool up;         /* target healthy / DNS failed over */
	uint64_t failed; /* lb_checks_failed of the target at the change */
	size_t healthy;  /* lb_healthy_count after the change */
};

struct world;

struct fake_lb {
	struct world *w;
	int idx;
	struct lb *lb;
	struct load_balancer_config cfg;
	enum lb_probe_result probe[MAX_TARGETS];
	bool up[2];
	uint64_t probes;
};

struct world {
	struct sim_engine *e;
	struct fake_lb f[2];
	struct dns *dns;
	struct dns_config dcfg;
	struct change log[MAX_LOG];
	size_t nlog;
	sim_time lb_down[2];   /* first time healthy_count reached 0, -1 = never */
	sim_time lb_back[2];   /* first time it left 0 after lb_down, -1 = never */
};

static char *az_names[] = {"us-east-1a", "us-east-1b"};
static char *target_names[] = {"iris-a", "iris-b", "iris-c", "iris-d"};
static char *lb_names[] = {"primary", "secondary"};

static enum lb_probe_result fake_probe(void *arg, const struct load_balancer_config *cfg,
				       size_t target)
{
	struct fake_lb *f = arg;
	assert_ptr_equal(cfg, &f->cfg);
	assert_true(target < f->cfg.target_count);
	f->probes++;
	return f->probe[target];
}

static bool fake_node_up(void *arg, const struct load_balancer_config *cfg, size_t az)
{
	struct fake_lb *f = arg;
	assert_ptr_equal(cfg, &f->cfg);
	assert_true(az < 2);
	return f->up[az];
}

static void log_add(struct world *w, struct change c)
{
	assert_true(w->nlog < MAX_LOG);
	w->log[w->nlog++] = c;
}

static void fake_changed(void *arg, const struct load_balancer_config *cfg, size_t target,
			 bool healthy)
{
	struct fake_lb *f = arg;
	struct world *w = f->w;
	(void)cfg;
	sim_time now = sim_now(w->e);
	size_t hc = lb_healthy_count(f->lb);
	log_add(w, (struct change){now, f->idx, target, healthy, lb_checks_failed(f->lb, target),
				   hc});
	if (!healthy && hc == 0 && w->lb_down[f->idx] < 0)
		w->lb_down[f->idx] = now;
	if (healthy && hc == 1 && w->lb_down[f->idx] >= 0 && w->lb_back[f->idx] < 0)
		w->lb_back[f->idx] = now;
}

static void fake_dns_changed(void *arg, const struct dns_config *cfg, bool failed_over)
{
	struct world *w = arg;
	assert_ptr_equal(cfg, &w->dcfg);
	log_add(w, (struct change){sim_now(w->e), -1, 0, failed_over, 0, 0});
}

/* ALB defaults (routing.c, aws.md §4). */
static struct health_check_config alb_check(void)
{
	return (struct health_check_config){.interval = 30 * SIM_S, .timeout = 5 * SIM_S,
					    .healthy_threshold = 5, .unhealthy_threshold = 2,
					    .path = "/csp/bin/mirror_status.cxw"};
}

static struct health_check_config tuned_check(void)
{
	return (struct health_check_config){.interval = 5 * SIM_S, .timeout = 2 * SIM_S,
					    .healthy_threshold = 2, .unhealthy_threshold = 2,
					    .path = "/csp/bin/mirror_status.cxw"};
}

/* Build LB number idx with n targets, all answering OK, both AZ nodes up, and start it. */
static struct lb *world_lb(struct world *w, int idx, size_t n, struct health_check_config hc,
			   bool fail_open)
{
	struct fake_lb *f = &w->f[idx];
	f->w = w;
	f->idx = idx;
	f->cfg = (struct load_balancer_config){
		.name = lb_names[idx], .kind = LB_ALB, .azs = az_names, .az_count = 2,
		.targets = target_names, .target_count = n, .health_check = hc,
		.fail_open = fail_open};
	for (size_t i = 0; i < MAX_TARGETS; i++)
		f->probe[i] = PROBE_OK;
	f->up[0] = f->up[1] = true;
	struct lb_hooks h = {.probe = fake_probe, .node_up = fake_node_up,
			     .changed = fake_changed, .arg = f};
	f->lb = lb_new(w->e, &f->cfg, &h);
	assert_non_null(f->lb);
	lb_start(f->lb);
	return f->lb;
}

static void world_init(struct world *w, uint64_t seed)
{
	memset(w, 0, sizeof(*w));
	w->e = sim_engine_new(seed, 0);
	assert_non_null(w->e);
	w->lb_down[0] = w->lb_down[1] = -1;
	w->lb_back[0] = w->lb_back[1] = -1;
}

static int world_dns_style = DNS_HEALTH_CHECK; /* style of the next world_dns */

static struct dns *world_dns(struct world *w, sim_time interval, sim_time ttl, bool secondary)
{
	w->dcfg = (struct dns_config){.name = "db.example.com", .primary = "primary",
				      .secondary = secondary ? "secondary" : NULL, .ttl = ttl,
				      .check_interval = interval, .failure_threshold = 3,
				      .style = world_dns_style};
	w->dns = dns_new(w->e, &w->dcfg, w->f[0].lb, secondary ? w->f[1].lb : NULL,
			 fake_dns_changed, w);
	assert_non_null(w->dns);
	dns_start(w->dns);
	return w->dns;
}

static void world_free(struct world *w)
{
	assert_int_equal(sim_engine_error(w->e), 0);
	sim_engine_free(w->e);
	dns_free(w->dns);
	lb_free(w->f[0].lb);
	lb_free(w->f[1].lb);
}

static void run_until(struct world *w, sim_time t)
{
	int r = sim_run_until(w->e, t);
	if (r != SIM_END_TIME)
		fail_msg("run: %s", sim_engine_error_message(w->e));
}

/* The first logged change of (lb, target) to `up` at or after t0; -1 if none. */
static sim_time first_change(const struct world *w, int lb, size_t target, bool up, sim_time t0)
{
	for (size_t i = 0; i < w->nlog; i++) {
		const struct change *c = &w->log[i];
		if (c->lb == lb && c->target == target && c->up == up && c->t >= t0)
			return c->t;
	}
	return -1;
}

static size_t count_changes(const struct world *w, int lb)
{
	size_t n = 0;
	for (size_t i = 0; i < w->nlog; i++)
		n += w->log[i].lb == lb;
	return n;
}

/* ---- (1) detection and recovery times --------------------------------------------------- */

struct detect_stats {
	double down_min, down_max, down_sum; /* s: fault start -> unhealthy */
	double up_min, up_max, up_sum;       /* s: repair -> healthy */
	int runs;
};

/* Target 0 of a 2-target LB answers `fault` from 100 s to 1000 s, then OK again. */
static void detect_runs(struct health_check_config hc, enum lb_probe_result fault, int runs,
			struct detect_stats *s)
{
	*s = (struct detect_stats){.down_min = INFINITY, .down_max = -INFINITY,
				   .up_min = INFINITY, .up_max = -INFINITY};
	for (int k = 0; k < runs; k++) {
		struct world w;
		world_init(&w, 1000 + (uint64_t)k);
		struct lb *lb = world_lb(&w, 0, 2, hc, true);
		run_until(&w, 100 * SIM_S);
		assert_true(lb_target_healthy(lb, 0));
		assert_int_equal(count_changes(&w, 0), 0);
		w.f[0].probe[0] = fault;
		run_until(&w, 1000 * SIM_S);
		assert_false(lb_target_healthy(lb, 0));
		assert_true(lb_target_healthy(lb, 1));
		assert_int_equal(lb_healthy_count(lb), 1);
		sim_time down = first_change(&w, 0, 0, false, 0);
		assert_true(down >= 100 * SIM_S);
		w.f[0].probe[0] = PROBE_OK;
		run_until(&w, 2000 * SIM_S);
		assert_true(lb_target_healthy(lb, 0));
		sim_time up = first_change(&w, 0, 0, true, 0);
		assert_true(up >= 1000 * SIM_S);
		assert_int_equal(count_changes(&w, 0), 2); /* one down, one up, no flapping */
		double d = sim_time_to_s(down) - 100, u = sim_time_to_s(up) - 1000;
		s->down_min = fmin(s->down_min, d);
		s->down_max = fmax(s->down_max, d);
		s->down_sum += d;
		s->up_min = fmin(s->up_min, u);
		s->up_max = fmax(s->up_max, u);
		s->up_sum += u;
		s->runs++;
		world_free(&w);
	}
}

static void test_alb_fail_detected_in_30_to_60_s(void **state)
{
	(void)state;
	struct detect_stats s;
	detect_runs(alb_check(), PROBE_FAIL, 60, &s);
	/* first failing check at 100 s + U[0, 30): unhealthy one interval later */
	assert_true(s.down_min >= 30.0 && s.down_max <= 60.0);
	assert_true(fabs(s.down_sum / s.runs - 45.0) < 4.0);
	assert_true(s.down_max - s.down_min > 15.0); /* the phase really is spread */
	/* healthy after 5 consecutive OK checks: 4 intervals after the first one */
	assert_true(s.up_min >= 120.0 && s.up_max <= 150.0);
	assert_true(fabs(s.up_sum / s.runs - 135.0) < 4.0);
	print_message("ALB fail: detect %.1f..%.1f s (mean %.1f), recover %.1f..%.1f (mean %.1f)\n",
		      s.down_min, s.down_max, s.down_sum / s.runs, s.up_min, s.up_max,
		      s.up_sum / s.runs);
}

static void test_alb_timeout_detected_5_s_later(void **state)
{
	(void)state;
	struct detect_stats s;
	detect_runs(alb_check(), PROBE_TIMEOUT, 60, &s);
	assert_true(s.down_min >= 35.0 && s.down_max <= 65.0);
	assert_true(fabs(s.down_sum / s.runs - 50.0) < 4.0);
	assert_true(s.up_min >= 120.0 && s.up_max <= 150.0);
	/* same seeds as the PROBE_FAIL runs: exactly 5 s later each time */
	struct detect_stats f;
	detect_runs(alb_check(), PROBE_FAIL, 60, &f);
	assert_true(fabs((s.down_sum - f.down_sum) / s.runs - 5.0) < 1e-9);
	print_message("ALB timeout: detect %.1f..%.1f s (mean %.1f)\n", s.down_min, s.down_max,
		      s.down_sum / s.runs);
}

static void test_tuned_check_detects_in_5_to_10_s(void **state)
{
	(void)state;
	struct detect_stats s;
	detect_runs(tuned_check(), PROBE_FAIL, 60, &s);
	assert_true(s.down_min >= 5.0 && s.down_max <= 10.0);
	assert_true(fabs(s.down_sum / s.runs - 7.5) < 0.7);
	assert_true(s.up_min >= 5.0 && s.up_max <= 10.0);
	print_message("tuned: detect %.2f..%.2f s (mean %.2f), recover mean %.2f\n", s.down_min,
		      s.down_max, s.down_sum / s.runs, s.up_sum / s.runs);
}

static void test_checks_every_interval(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, 7);
	struct lb *lb = world_lb(&w, 0, 3, alb_check(), true);
	run_until(&w, 3000 * SIM_S);
	/* 3000 / 30 = 100 checks per target, one offset within the first interval */
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(lb_checks_done(lb, i), 100);
		assert_int_equal(lb_checks_failed(lb, i), 0);
	}
	assert_int_equal(w.f[0].probes, 300);
	world_free(&w);
}

/* A target that keeps failing then recovers once must not flap; an isolated failure does
 * not make it unhealthy (threshold 2), and an isolated success does not make it healthy. */
static void test_thresholds_need_consecutive_results(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, 8);
	struct lb *lb = world_lb(&w, 0, 1, alb_check(), true);
	run_until(&w, 100 * SIM_S);
	w.f[0].probe[0] = PROBE_FAIL; /* exactly one check fails */
	run_until(&w, 130 * SIM_S);
	w.f[0].probe[0] = PROBE_OK;
	run_until(&w, 400 * SIM_S);
	assert_int_equal(lb_checks_failed(lb, 0), 1);
	assert_true(lb_target_healthy(lb, 0));
	assert_int_equal(count_changes(&w, 0), 0);
	w.f[0].probe[0] = PROBE_FAIL;
	run_until(&w, 500 * SIM_S);
	assert_false(lb_target_healthy(lb, 0));
	/* 4 OK then 1 FAIL then OK: needs 5 more OKs after the failure */
	w.f[0].probe[0] = PROBE_OK;
	run_until(&w, 620 * SIM_S);
	assert_false(lb_target_healthy(lb, 0));
	w.f[0].probe[0] = PROBE_FAIL;
	run_until(&w, 650 * SIM_S);
	w.f[0].probe[0] = PROBE_OK;
	run_until(&w, 770 * SIM_S);
	assert_false(lb_target_healthy(lb, 0)); /* only 4 OK since the failure */
	run_until(&w, 800 * SIM_S);
	assert_true(lb_target_healthy(lb, 0));
	assert_int_equal(count_changes(&w, 0), 2);
	world_free(&w);
}

/* ---- (2) routing --------------------------------------------------------------------------- */

static void test_pick_round_robin_over_healthy(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, 11);
	struct lb *lb = world_lb(&w, 0, 3, tuned_check(), true);
	for (int k = 0; k < 6; k++)
		assert_int_equal(lb_pick(lb), k % 3);
	w.f[0].probe[1] = PROBE_FAIL;
	run_until(&w, 100 * SIM_S);
	assert_false(lb_target_healthy(lb, 1));
	assert_int_equal(lb_healthy_count(lb), 2);
	int count[3] = {0};
	for (int k = 0; k < 300; k++) {
		int t = lb_pick(lb);
		assert_true(t >= 0 && t < 3);
		count[t]++;
	}
	assert_int_equal(count[0], 150);
	assert_int_equal(count[1], 0);
	assert_int_equal(count[2], 150);
	world_free(&w);
}

static void test_pick_fail_open_and_closed(void **state)
{
	(void)state;
	for (int open = 0; open < 2; open++) {
		struct world w;
		world_init(&w, 12);
		struct lb *lb = world_lb(&w, 0, 3, tuned_check(), open);
		for (size_t i = 0; i < 3; i++)
			w.f[0].probe[i] = i == 0 ? PROBE_TIMEOUT : PROBE_FAIL;
		run_until(&w, 100 * SIM_S);
		assert_int_equal(lb_healthy_count(lb), 0);
		int count[3] = {0};
		for (int k = 0; k < 300; k++) {
			int t = lb_pick(lb);
			if (!open) {
				assert_int_equal(t, -1);
				continue;
			}
			assert_true(t >= 0 && t < 3);
			count[t]++;
		}
		for (int i = 0; i < 3; i++)
			assert_int_equal(count[i], open ? 100 : 0);
		/* one target back: everything goes to it */
		w.f[0].probe[2] = PROBE_OK;
		run_until(&w, 200 * SIM_S);
		assert_int_equal(lb_healthy_count(lb), 1);
		for (int k = 0; k < 10; k++)
			assert_int_equal(lb_pick(lb), 2);
		world_free(&w);
	}
}

static void test_pick_needs_a_live_node(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, 13);
	struct lb *lb = world_lb(&w, 0, 2, alb_check(), true);
	assert_true(lb_any_node_up(lb));
	w.f[0].up[0] = false;
	assert_true(lb_any_node_up(lb));
	assert_true(lb_pick(lb) >= 0); /* clients reach the LB through the other AZ */
	w.f[0].up[1] = false;
	assert_false(lb_any_node_up(lb));
	for (int k = 0; k < 5; k++)
		assert_int_equal(lb_pick(lb), -1);
	w.f[0].up[0] = true;
	assert_true(lb_pick(lb) >= 0);
	world_free(&w);
}

static void test_new_rejects_bad_arguments(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, 14);
	struct lb *lb = world_lb(&w, 0, 2, alb_check(), true);
	struct lb_hooks h = {.probe = NULL, .arg = &w.f[0]};
	assert_null(lb_new(w.e, &w.f[0].cfg, &h));
	assert_null(lb_new(w.e, &w.f[0].cfg, NULL));
	assert_null(lb_new(NULL, &w.f[0].cfg, &h));
	assert_int_equal(sim_engine_error(w.e), 0);
	h.probe = fake_probe;
	assert_null(lb_new(w.e, &w.f[0].cfg, &h)); /* "lb:primary" exists */
	assert_int_equal(sim_engine_error(w.e), -SIM_E_DUPNAME);
	assert_null(dns_new(w.e, &w.dcfg, NULL, NULL, NULL, NULL));
	assert_false(lb_target_healthy(lb, 2));
	assert_int_equal(lb_checks_done(lb, 5), 0);
	assert_ptr_equal(lb_config(lb), &w.f[0].cfg);
	sim_engine_free(w.e);
	lb_free(lb);
	lb_free(NULL);
	dns_free(NULL);
}

/* ---- (3) false negatives ------------------------------------------------------------------- */

static void test_false_negative_certain_fails_after_two_checks(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, 21);
	struct lb *lb = world_lb(&w, 0, 2, alb_check(), true);
	run_until(&w, 100 * SIM_S);
	lb_set_false_negative(lb, 1.0);
	run_until(&w, 300 * SIM_S);
	assert_int_equal(lb_healthy_count(lb), 0);
	for (size_t i = 0; i < 2; i++) {
		sim_time t = first_change(&w, 0, i, false, 0);
		assert_true(t >= 130 * SIM_S && t <= 160 * SIM_S);
	}
	for (size_t i = 0; i < w.nlog; i++)
		assert_int_equal(w.log[i].failed, 2); /* the change came on the 2nd failed check */
	lb_set_false_negative(lb, 0);
	uint64_t failed = lb_checks_failed(lb, 0);
	run_until(&w, 600 * SIM_S);
	assert_int_equal(lb_checks_failed(lb, 0), failed);
	assert_int_equal(lb_healthy_count(lb), 2);
	world_free(&w);
}

static void test_false_negative_fraction(void **state)
{
	(void)state;
	const double ps[] = {0.5, 0.1};
	for (size_t k = 0; k < 2; k++) {
		struct world w;
		world_init(&w, 22);
		struct lb *lb = world_lb(&w, 0, 2, tuned_check(), true);
		lb_set_false_negative(lb, ps[k]);
		run_until(&w, 100000 * SIM_S); /* 20 000 checks per target */
		for (size_t i = 0; i < 2; i++) {
			double frac = (double)lb_checks_failed(lb, i) / (double)lb_checks_done(lb, i);
			assert_int_equal(lb_checks_done(lb, i), 20000);
			assert_true(fabs(frac - ps[k]) < 0.02);
			print_message("false negative p=%.2f: failed fraction %.4f\n", ps[k], frac);
		}
		assert_true(count_changes(&w, 0) > 0); /* p=0.1: P(2 in a row)=1 %, still flaps */
		world_free(&w);
	}
}

/* ---- (4) DNS failover ---------------------------------------------------------------------- */

struct dns_stats {
	double min, max, sum; /* s */
	int runs;
};

static void dns_stats_add(struct dns_stats *s, double x)
{
	if (s->runs == 0)
		s->min = s->max = x;
	s->min = fmin(s->min, x);
	s->max = fmax(s->max, x);
	s->sum += x;
	s->runs++;
}

/* Primary's targets all fail from 1000 s; failover delay after the LB's last healthy target
 * goes; then recovery from 3000 s and the fail-back delay after the LB is healthy again. */
static void dns_runs(sim_time interval, int runs, struct dns_stats *over, struct dns_stats *back)
{
	*over = (struct dns_stats){0};
	*back = (struct dns_stats){0};
	for (int k = 0; k < runs; k++) {
		struct world w;
		world_init(&w, 500 + (uint64_t)k);
		world_lb(&w, 0, 2, alb_check(), true);
		world_lb(&w, 1, 2, alb_check(), true);
		struct dns *d = world_dns(&w, interval, 60 * SIM_S, true);
		run_until(&w, 1000 * SIM_S);
		assert_false(dns_failed_over(d));
		assert_int_equal(dns_last_change(d), -1);
		w.f[0].probe[0] = w.f[0].probe[1] = PROBE_FAIL;
		run_until(&w, 3000 * SIM_S);
		assert_true(dns_failed_over(d));
		assert_true(w.lb_down[0] > 0);
		sim_time t_over = first_change(&w, -1, 0, true, 0);
		assert_int_equal(t_over, dns_last_change(d));
		dns_stats_add(over, sim_time_to_s(t_over - w.lb_down[0]));
		w.f[0].probe[0] = PROBE_OK;
		run_until(&w, 5000 * SIM_S);
		assert_false(dns_failed_over(d));
		assert_true(w.lb_back[0] > 0);
		sim_time t_back = first_change(&w, -1, 0, false, 0);
		dns_stats_add(back, sim_time_to_s(t_back - w.lb_back[0]));
		assert_int_equal(count_changes(&w, -1), 2);
		world_free(&w);
	}
}

static void test_dns_failover_and_back_standard(void **state)
{
	(void)state;
	struct dns_stats over, back;
	dns_runs(30 * SIM_S, 60, &over, &back);
	/* first failing check U[0, 30) after the LB goes, failover 2 intervals later */
	assert_true(over.min >= 60.0 && over.max <= 90.0);
	assert_true(fabs(over.sum / over.runs - 75.0) < 4.0);
	assert_true(back.min >= 60.0 && back.max <= 90.0);
	print_message("DNS 30 s x 3: failover %.1f..%.1f s (mean %.1f), failback mean %.1f\n",
		      over.min, over.max, over.sum / over.runs, back.sum / back.runs);
}

static void test_dns_failover_fast(void **state)
{
	(void)state;
	struct dns_stats over, back;
	dns_runs(10 * SIM_S, 60, &over, &back);
	assert_true(over.min >= 20.0 && over.max <= 30.0);
	assert_true(fabs(over.sum / over.runs - 25.0) < 1.5);
	assert_true(back.min >= 20.0 && back.max <= 30.0);
	print_message("DNS 10 s x 3: failover %.1f..%.1f s (mean %.1f)\n", over.min, over.max,
		      over.sum / over.runs);
}

static double secondary_fraction(struct world *w, gsl_rng *r, int n)
{
	int sec = 0;
	for (int k = 0; k < n; k++) {
		struct lb *a = dns_resolve(w->dns, r);
		assert_true(a == w->f[0].lb || a == w->f[1].lb);
		sec += a == w->f[1].lb;
	}
	return (double)sec / n;
}

static void test_dns_ttl_caching(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, 31);
	world_lb(&w, 0, 2, alb_check(), true);
	world_lb(&w, 1, 2, alb_check(), true);
	struct dns *d = world_dns(&w, 30 * SIM_S, 60 * SIM_S, true);
	gsl_rng *r = rng_stream_new(31, 0, "clients");
	assert_non_null(r);
	run_until(&w, 1000 * SIM_S);
	assert_true(secondary_fraction(&w, r, 1000) == 0.0);
	/* the primary LB loses both nodes at once */
	w.f[0].up[0] = w.f[0].up[1] = false;
	run_until(&w, 1200 * SIM_S);
	sim_time tc = dns_last_change(d);
	assert_true(tc >= 1060 * SIM_S && tc <= 1090 * SIM_S);
	assert_true(dns_failed_over(d));
	/* resolutions at exactly tc + a: the new answer with probability a / 60 */
	const double ages[] = {0, 15, 30, 45, 60, 90};
	const double want[] = {0, 0.25, 0.5, 0.75, 1, 1};
	sim_engine_free(w.e);
	for (size_t k = 0; k < 6; k++) {
		/* rebuild the same world (same seed): the change happens at the same time */
		struct world v;
		world_init(&v, 31);
		world_lb(&v, 0, 2, alb_check(), true);
		world_lb(&v, 1, 2, alb_check(), true);
		world_dns(&v, 30 * SIM_S, 60 * SIM_S, true);
		run_until(&v, 1000 * SIM_S);
		v.f[0].up[0] = v.f[0].up[1] = false;
		sim_time at = tc + sim_time_from_s(ages[k]);
		run_until(&v, at);
		if (ages[k] == 0) /* the change event itself has not run yet */
			run_until(&v, at + 1);
		assert_int_equal(dns_last_change(v.dns), tc);
		double f = secondary_fraction(&v, r, 20000);
		print_message("ttl 60 s: %.0f s after the change, %.4f answer the secondary\n",
			      ages[k], f);
		assert_true(fabs(f - want[k]) < 0.03);
		if (want[k] == 0 || want[k] == 1)
			assert_true(f == want[k]);
		world_free(&v);
	}
	gsl_rng_free(r);
	dns_free(w.dns);
	lb_free(w.f[0].lb);
	lb_free(w.f[1].lb);
}

static void test_dns_ttl_zero_is_immediate(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, 32);
	world_lb(&w, 0, 1, alb_check(), true);
	world_lb(&w, 1, 1, alb_check(), true);
	struct dns *d = world_dns(&w, 10 * SIM_S, 0, true);
	gsl_rng *r = rng_stream_new(32, 0, "clients");
	w.f[0].up[0] = w.f[0].up[1] = false;
	sim_time t = 0;
	while (dns_last_change(d) < 0 && t < 100 * SIM_S)
		run_until(&w, t += 100 * SIM_MS);
	sim_time tc = dns_last_change(d);
	assert_true(tc >= 20 * SIM_S && tc <= 30 * SIM_S);
	assert_true(sim_now(w.e) - tc <= 100 * SIM_MS);
	assert_true(secondary_fraction(&w, r, 1000) == 1.0); /* < 0.1 s after the change */
	gsl_rng_free(r);
	world_free(&w);
}

/* Both unhealthy -> the primary (aws.md §5); without a secondary there is no failover. */
static void test_dns_needs_a_healthy_secondary(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, 33);
	world_lb(&w, 0, 2, alb_check(), true);
	struct lb *s = world_lb(&w, 1, 2, alb_check(), true);
	struct dns *d = world_dns(&w, 30 * SIM_S, 60 * SIM_S, true);
	/* DR asyncs answer 503 behind the secondary */
	w.f[1].probe[0] = w.f[1].probe[1] = PROBE_FAIL;
	run_until(&w, 500 * SIM_S);
	assert_int_equal(lb_healthy_count(s), 0);
	w.f[0].probe[0] = w.f[0].probe[1] = PROBE_FAIL;
	run_until(&w, 2000 * SIM_S);
	assert_false(dns_failed_over(d));
	assert_int_equal(count_changes(&w, -1), 0);
	/* the DR async is promoted: healthy after 5 x 30 s, then 3 Route 53 checks */
	w.f[1].probe[0] = PROBE_OK;
	run_until(&w, 3000 * SIM_S);
	assert_true(dns_failed_over(d));
	sim_time t = dns_last_change(d) - w.lb_back[1];
	assert_true(t >= 60 * SIM_S && t <= 90 * SIM_S);
	world_free(&w);

	world_init(&w, 34);
	world_lb(&w, 0, 2, alb_check(), true);
	d = world_dns(&w, 10 * SIM_S, 60 * SIM_S, false);
	w.f[0].up[0] = w.f[0].up[1] = false;
	run_until(&w, 2000 * SIM_S);
	assert_false(dns_failed_over(d));
	assert_int_equal(dns_last_change(d), -1);
	assert_ptr_equal(dns_resolve(d, NULL), w.f[0].lb);
	world_free(&w);
}

/* ---- (4b) nodes in DNS, cross-zone, alias records ------------------------------------------ */

/* Two targets, one per AZ: target 0 in node 0's zone, target 1 in node 1's. */
static struct lb *zoned_lb(struct world *w, int cross_zone, bool fail_open)
{
	struct fake_lb *f = &w->f[0];
	f->w = w;
	f->cfg = (struct load_balancer_config){
		.name = lb_names[0], .kind = LB_NLB, .azs = az_names, .az_count = 2,
		.targets = target_names, .target_count = 2, .health_check = alb_check(),
		.fail_open = fail_open, .cross_zone = cross_zone};
	f->probe[0] = f->probe[1] = PROBE_OK;
	f->up[0] = f->up[1] = true;
	struct lb_hooks h = {.probe = fake_probe, .node_up = fake_node_up,
			     .changed = fake_changed, .arg = f};
	f->lb = lb_new(w->e, &f->cfg, &h);
	assert_non_null(f->lb);
	lb_set_target_zone(f->lb, 0, 0);
	lb_set_target_zone(f->lb, 1, 1);
	lb_start(f->lb);
	return f->lb;
}

/* aws-2.md §2: with cross-zone off a node's address is published while its AZ has a healthy
 * target, and a node sends only to its own AZ; with it on, every live node is published and
 * sends anywhere. */
static void test_cross_zone_off_unpublishes_a_zone_without_healthy_target(void **state)
{
	(void)state;
	for (int cz = CZ_ON; cz <= CZ_OFF; cz++) {
		struct world w;
		world_init(&w, 41);
		struct lb *lb = zoned_lb(&w, cz, true);
		run_until(&w, 100 * SIM_S);
		assert_int_equal(lb_published_at(lb, 100 * SIM_S), 3);
		/* Off: each node its own zone's target. On: one round robin over both targets
		 * whatever the node (here the calls alternate, so node b gets 0 and node a 1). */
		for (int k = 0; k < 4; k++) {
			assert_int_equal(lb_pick_via(lb, 1), cz == CZ_OFF ? 1 : 0);
			assert_int_equal(lb_pick_via(lb, 0), cz == CZ_OFF ? 0 : 1);
		}
		w.f[0].probe[1] = PROBE_FAIL; /* the member in AZ b turns backup: 503 */
		run_until(&w, 300 * SIM_S);
		assert_false(lb_target_healthy(lb, 1));
		sim_time tc = w.log[w.nlog - 1].t; /* target 1 unhealthy */
		assert_int_equal(lb_published_at(lb, tc - 1), 3);
		assert_int_equal(lb_published_at(lb, tc), cz == CZ_OFF ? 1 : 3);
		if (cz == CZ_OFF) {
			gsl_rng *r = rng_stream_new(41, 0, "clients");
			for (int k = 0; k < 100; k++)
				assert_int_equal(lb_node_pick_at(lb, r, tc), 0);
			gsl_rng_free(r);
			/* A client that cached node b: no healthy target in its zone while zone a
			 * has one: nothing (fail-open is for all zones together). */
			assert_int_equal(lb_pick_via(lb, 1), -1);
		} else {
			for (int k = 0; k < 4; k++)
				assert_int_equal(lb_pick_via(lb, 1), 0);
		}
		world_free(&w);
	}
	/* fail_open off: node b with no healthy target in its AZ sends nowhere. */
	struct world w;
	world_init(&w, 42);
	struct lb *lb = zoned_lb(&w, CZ_OFF, false);
	w.f[0].probe[1] = PROBE_FAIL;
	run_until(&w, 300 * SIM_S);
	assert_int_equal(lb_pick_via(lb, 1), -1);
	assert_int_equal(lb_pick_via(lb, 0), 0);
	/* Every zone without a healthy target: every live node is published again and, failing
	 * open, each sends to its own zone. */
	w.f[0].probe[0] = PROBE_FAIL;
	run_until(&w, 600 * SIM_S);
	assert_int_equal(lb_healthy_count(lb), 0);
	assert_int_equal(lb_published_at(lb, 600 * SIM_S), 3);
	assert_int_equal(lb_pick_via(lb, 1), -1); /* fail_open off */
	world_free(&w);
	world_init(&w, 44);
	lb = zoned_lb(&w, CZ_OFF, true);
	w.f[0].probe[0] = w.f[0].probe[1] = PROBE_FAIL;
	run_until(&w, 600 * SIM_S);
	assert_int_equal(lb_pick_via(lb, 1), 1);
	assert_int_equal(lb_pick_via(lb, 0), 0);
	world_free(&w);
}

/* A dead node leaves DNS at once, but a client whose cache was filled u ago (u uniform over
 * the 60 s TTL) still has the old answer while u > age: a node picked from the set of
 * now - u is the dead one with probability (1 - age / 60) / 2. */
static void test_dead_node_cached_for_the_ttl(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, 43);
	struct lb *lb = zoned_lb(&w, CZ_ON, true);
	run_until(&w, 500 * SIM_S);
	w.f[0].up[0] = false; /* AZ a goes dark */
	lb_refresh(lb);       /* the router does this on the fabric's change */
	sim_time tc = sim_now(w.e);
	assert_int_equal(lb_published_at(lb, tc), 2);
	assert_int_equal(lb_published_at(lb, tc - 1), 3);
	assert_false(lb_node_is_up(lb, 0));
	assert_int_equal(lb_pick_via(lb, 0), -1); /* the dead node takes nothing */
	gsl_rng *r = rng_stream_new(43, 0, "clients");
	const double ages[] = {0, 15, 30, 45, 60};
	for (size_t k = 0; k < 5; k++) {
		int dead = 0, n = 40000;
		for (int i = 0; i < n; i++) {
			sim_time u = (sim_time)(gsl_rng_uniform(r) * (double)LB_DNS_TTL);
			sim_time filled = tc + sim_time_from_s(ages[k]) - u;
			dead += lb_node_pick_at(lb, r, filled) == 0;
		}
		double want = (1 - ages[k] / 60.0) / 2, got = (double)dead / n;
		print_message("%.0f s after the node died: %.4f of new resolutions get it (%.4f)\n",
			      ages[k], got, want);
		assert_true(fabs(got - want) < 0.01);
	}
	gsl_rng_free(r);
	world_free(&w);
}

/* Route 53 record styles (aws.md §5, aws-2.md §3): the primary LB loses both nodes at T. A
 * record with its own health check (30 s x 3) answers the secondary 60-90 s later; an alias
 * record with Evaluate Target Health follows the LB at once. */
static void test_alias_record_follows_the_lb_at_once(void **state)
{
	(void)state;
	double hc_sum = 0, hc_min = 1e9, hc_max = 0;
	int runs = 40;
	for (int style = DNS_ALIAS; style <= DNS_HEALTH_CHECK; style++) {
		for (int k = 0; k < runs; k++) {
			struct world w;
			world_init(&w, 500 + (uint64_t)k);
			world_lb(&w, 0, 2, alb_check(), true);
			world_lb(&w, 1, 2, alb_check(), true);
			world_dns_style = style;
			world_dns(&w, 30 * SIM_S, 60 * SIM_S, true);
			world_dns_style = DNS_HEALTH_CHECK;
			run_until(&w, 1000 * SIM_S);
			assert_false(dns_failed_over(w.dns));
			sim_time t0 = sim_now(w.e);
			w.f[0].up[0] = w.f[0].up[1] = false;
			lb_refresh(w.f[0].lb);
			dns_refresh(w.dns); /* the router does both on the fabric's change */
			run_until(&w, 1200 * SIM_S);
			assert_true(dns_failed_over(w.dns));
			double s = sim_time_to_s(dns_last_change(w.dns) - t0);
			if (style == DNS_ALIAS) {
				assert_true(s == 0.0);
				assert_ptr_equal(dns_answer_at(w.dns, t0 - 1), w.f[0].lb);
				assert_ptr_equal(dns_answer_at(w.dns, t0), w.f[1].lb);
			} else {
				hc_sum += s;
				hc_min = s < hc_min ? s : hc_min;
				hc_max = s > hc_max ? s : hc_max;
			}
			world_free(&w);
		}
	}
	print_message("primary LB lost: alias record 0 s, health-checked record %.1f..%.1f s "
		      "(mean %.1f)\n", hc_min, hc_max, hc_sum / runs);
	assert_true(hc_min >= 60.0 && hc_max <= 90.0);
	assert_true(fabs(hc_sum / runs - 75.0) < 5.0);
}

/* ---- (5) determinism ----------------------------------------------------------------------- */

static void flappy_run(uint64_t seed, struct change *out, size_t *n)
{
	struct world w;
	world_init(&w, seed);
	struct lb *p = world_lb(&w, 0, 3, tuned_check(), true);
	world_lb(&w, 1, 2, alb_check(), true);
	world_dns(&w, 10 * SIM_S, 60 * SIM_S, true);
	lb_set_false_negative(p, 0.6);
	run_until(&w, 20000 * SIM_S);
	assert_true(w.nlog > 100);
	memcpy(out, w.log, w.nlog * sizeof(*out));
	*n = w.nlog;
	world_free(&w);
}

static struct change det_a[MAX_LOG], det_b[MAX_LOG];

static bool same_changes(const struct change *a, size_t na, const struct change *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].t != b[i].t || a[i].lb != b[i].lb || a[i].target != b[i].target ||
		    a[i].up != b[i].up || a[i].failed != b[i].failed || a[i].healthy != b[i].healthy)
			return false;
	return true;
}

static void test_same_seed_same_changes(void **state)
{
	(void)state;
	size_t na, nb;
	flappy_run(77, det_a, &na);
	flappy_run(77, det_b, &nb);
	assert_true(same_changes(det_a, na, det_b, nb));
	size_t dns = 0;
	for (size_t i = 0; i < na; i++)
		dns += det_a[i].lb == -1;
	assert_true(dns > 0); /* the record flapped too */
	flappy_run(78, det_b, &nb);
	assert_false(same_changes(det_a, na, det_b, nb));
	print_message("determinism: %zu changes (%zu of the DNS record), last at %.3f s\n", na,
		      dns, sim_time_to_s(det_a[na - 1].t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alb_fail_detected_in_30_to_60_s),
		cmocka_unit_test(test_alb_timeout_detected_5_s_later),
		cmocka_unit_test(test_tuned_check_detects_in_5_to_10_s),
		cmocka_unit_test(test_checks_every_interval),
		cmocka_unit_test(test_thresholds_need_consecutive_results),
		cmocka_unit_test(test_pick_round_robin_over_healthy),
		cmocka_unit_test(test_pick_fail_open_and_closed),
		cmocka_unit_test(test_pick_needs_a_live_node),
		cmocka_unit_test(test_new_rejects_bad_arguments),
		cmocka_unit_test(test_false_negative_certain_fails_after_two_checks),
		cmocka_unit_test(test_false_negative_fraction),
		cmocka_unit_test(test_dns_failover_and_back_standard),
		cmocka_unit_test(test_dns_failover_fast),
		cmocka_unit_test(test_dns_ttl_caching),
		cmocka_unit_test(test_dns_ttl_zero_is_immediate),
		cmocka_unit_test(test_dns_needs_a_healthy_secondary),
		cmocka_unit_test(test_cross_zone_off_unpublishes_a_zone_without_healthy_target),
		cmocka_unit_test(test_dead_node_cached_for_the_ttl),
		cmocka_unit_test(test_alias_record_follows_the_lb_at_once),
		cmocka_unit_test(test_same_seed_same_changes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
