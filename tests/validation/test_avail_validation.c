/* test_avail_validation: the availability mode's upper level (sim/avail) against closed
 * forms (../shared/reference/validation.md; Trivedi, Probability and Statistics with
 * Reliability, Queuing and Computer Science Applications, 2nd ed., 2002, ch. 8) and against
 * the exact Markov chain derived from the same scenario (sim/avail/ctmc.h).
 *
 * Every simulated figure is checked with its 99% interval across 20 independent batches of
 * years (a correct model fails a check about once in a hundred seeds; the seeds are fixed),
 * and the interval's width is bounded, so that a loose interval cannot pass by being wide:
 * the full width at most a tenth of the unavailability. The chain itself must reproduce
 * the closed forms to 1e-9.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "avail.h"
#include "ctmc.h"
#include "scenario.h"
#include "../common/run_scenario.h"

static void load(const char *rel, const char *const *sets, size_t n, struct scenario *s)
{
	struct diag diag;
	diag_init(&diag);
	int rc = scenario_load(s, test_source_path(rel), sets, n, NULL, &diag);
	diag_print(&diag, stderr);
	diag_release(&diag);
	assert_int_equal(rc, 0);
}

/* Simulate `years` and check the write availability's interval against `exact`, with the
 * width bound; returns the result's mean. */
static double check_sim(const struct scenario *s, double years, const char *what, double exact)
{
	struct avail_opts o = {.years = years, .batches = 20, .jobs = 2, .level = 0.99,
			       .seed = (uint64_t)s->config.seed};
	struct avail_result r;
	char err[256];
	assert_int_equal(avail_run(&s->config, &o, &r, err, sizeof(err)), 0);
	struct avail_ci a = r.write_availability;
	double u = 1 - exact;
	printf("  %-34s %.7f +- %.7f  (exact %.7f, error %+.2f%% of U, width %.1f%% of U)\n", what,
	       a.mean, a.half, exact, 100 * (a.mean - exact) / u, 100 * 2 * a.half / u);
	assert_true(a.half > 0);
	assert_true(fabs(a.mean - exact) <= a.half);
	assert_true(2 * a.half <= u / 10);
	/* Downtime per year is the same figure in minutes. */
	assert_true(fabs(r.downtime_minutes_per_year.mean -
			 (1 - a.mean) * AVAIL_HOURS_PER_YEAR * 60) <= 1e-6 * AVAIL_HOURS_PER_YEAR * 60);
	avail_result_release(&r);
	return a.mean;
}

static double chain(const struct scenario *s)
{
	struct ctmc_result c;
	ctmc_solve(&s->config, &c);
	if (!c.applies)
		fail_msg("chain does not apply: %s", c.why);
	return c.availability;
}

/* One repairable unit: A = MTBF / (MTBF + MTTR) = 100/105. */
static void test_one_unit(void **state)
{
	(void)state;
	struct scenario s;
	load("tests/validation/availability/one-unit.json", NULL, 0, &s);
	double exact = 100.0 / 105.0;
	assert_true(fabs(chain(&s) - exact) < 1e-9);
	check_sim(&s, 20000, "one unit", exact);
	scenario_release(&s);
}

/* 1-out-of-2 pair, independent repair: A = 1 - (lambda / (lambda + mu))^2. */
static void test_pair_independent(void **state)
{
	(void)state;
	struct scenario s;
	load("tests/validation/availability/pair.json", NULL, 0, &s);
	double l = 1 / 100.0, m = 1 / 5.0, q = l / (l + m), exact = 1 - q * q;
	assert_true(fabs(chain(&s) - exact) < 1e-9);
	check_sim(&s, 20000, "pair, independent repair", exact);
	scenario_release(&s);
}

/* 1-out-of-2 pair, one repair crew: A = (mu^2 + 2 lambda mu) / (mu^2 + 2 lambda mu +
 * 2 lambda^2). */
static void test_pair_one_crew(void **state)
{
	(void)state;
	const char *sets[] = {"availability.crews=[{\"class\": \"host\", \"count\": 1}]"};
	struct scenario s;
	load("tests/validation/availability/pair.json", sets, 1, &s);
	double l = 1 / 100.0, m = 1 / 5.0;
	double exact = (m * m + 2 * l * m) / (m * m + 2 * l * m + 2 * l * l);
	assert_true(fabs(chain(&s) - exact) < 1e-9);
	check_sim(&s, 40000, "pair, one crew", exact);
	scenario_release(&s);
}

/* A constant failover time: failovers per year times the outage on top of the double-failure
 * term (validation.md). Each takeover and each primary restart costs 10 min; the chain
 * counts them, and with independent repair the rate is known in closed form too: the
 * primary fails while the backup is up (p_up^2 lambda) and, after a double failure, the
 * last primary is the first repaired half the time (p_down^2 mu). */
static void test_pair_failover_time(void **state)
{
	(void)state;
	const char *sets[] = {"availability.failover_time=\"10m\""};
	struct scenario s;
	load("tests/validation/availability/pair.json", sets, 1, &s);
	double l = 1 / 100.0, m = 1 / 5.0, q = l / (l + m), p = 1 - q, tau = 10 / 60.0;
	double rate = p * p * l + q * q * m; /* per hour: takeovers + restarts */
	double exact = 1 - q * q - rate * tau;
	double c = chain(&s);
	printf("  chain %.7f, closed form with failovers x outage %.7f\n", c, exact);
	assert_true(fabs(c - exact) < 1e-9);
	check_sim(&s, 20000, "pair, 10 min failover time", exact);
	scenario_release(&s);
}

/* The production architecture with exponential failures of both members and the arbiter:
 * the simulated upper level against its exact chain. */
static void test_production_chain(void **state)
{
	(void)state;
	struct scenario s;
	load("tests/validation/availability/production-exponential.json", NULL, 0, &s);
	double c = chain(&s);
	check_sim(&s, 200000, "production (chain)", c);
	scenario_release(&s);
}

/* Rare events: a pair of MTBF 10,000 h and MTTR 1 h is down (lambda/(lambda+mu))^2 =
 * 1.0e-8 of the time (8 nines). Plain sampling of 20,000 years sees a handful of double
 * failures; importance sampling (failure biasing, likelihood ratios over regenerative
 * cycles) must put the closed form inside a 99% interval whose full width is at most the
 * unavailability itself, on hundreds of effective samples. The same biasing on the
 * moderate pair with one crew must still reproduce its closed form. */
static void test_rare_pair_importance_sampling(void **state)
{
	(void)state;
	struct scenario s;
	load("tests/validation/availability/rare-pair.json", NULL, 0, &s);
	double l = 1e-4, m = 1.0, q = l / (l + m), exact_u = q * q;
	assert_true(fabs(1 - chain(&s) - exact_u) < 1e-12);
	char err[256];
	struct avail_opts o = {.years = 20000, .batches = 20, .jobs = 2, .level = 0.99,
			       .seed = (uint64_t)s.config.seed};
	struct avail_result plain, is;
	assert_int_equal(avail_run(&s.config, &o, &plain, err, sizeof(err)), 0);
	o.bias = 0.3;
	assert_int_equal(avail_run(&s.config, &o, &is, err, sizeof(err)), 0);
	double u = 1 - is.write_availability.mean, h = is.write_availability.half;
	printf("  rare pair: plain %llu outages; importance sampling U %.4g +- %.2g (exact %.4g), "
	       "%.0f effective samples, %llu cycles\n",
	       (unsigned long long)plain.outages, u, h, exact_u, is.effective_samples,
	       (unsigned long long)is.cycles);
	assert_true(plain.outages < 30);
	assert_true(is.importance && is.effective_samples > 200);
	assert_true(fabs(u - exact_u) <= h);
	assert_true(2 * h <= exact_u);
	avail_result_release(&plain);
	avail_result_release(&is);
	scenario_release(&s);

	const char *sets[] = {"availability.crews=[{\"class\": \"host\", \"count\": 1}]"};
	load("tests/validation/availability/pair.json", sets, 1, &s);
	l = 1 / 100.0, m = 1 / 5.0;
	double exact = (m * m + 2 * l * m) / (m * m + 2 * l * m + 2 * l * l);
	o.years = 20000;
	o.seed = (uint64_t)s.config.seed;
	assert_int_equal(avail_run(&s.config, &o, &is, err, sizeof(err)), 0);
	printf("  pair, one crew, biased: %.7f +- %.7f (exact %.7f)\n", is.write_availability.mean,
	       is.write_availability.half, exact);
	assert_true(fabs(is.write_availability.mean - exact) <= is.write_availability.half);
	avail_result_release(&is);
	scenario_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_unit),
		cmocka_unit_test(test_pair_independent),
		cmocka_unit_test(test_pair_one_crew),
		cmocka_unit_test(test_pair_failover_time),
		cmocka_unit_test(test_production_chain),
		cmocka_unit_test(test_rare_pair_importance_sampling),
	};
	return cmocka_run_group_tests_name("availability validation", tests, NULL, NULL);
}
