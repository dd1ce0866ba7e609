/* test_validation: the simulator against closed forms (../shared/reference/validation.md).
 *
 * Each scenario reduces the topology to a classic queue (zero network delay, CPU only,
 * exponential or deterministic service, hit ratio 1); the test runs its replications and
 * asserts that the 99% confidence interval across replications contains the closed form.
 * 99% rather than 95% so that a correct model fails a given check about once in a hundred
 * seeds, not once in twenty; the seed is fixed, so a run is repeatable. Little's law is
 * checked on the full production architecture: the time-average number of requests in the
 * system equals throughput times mean latency.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "runner.h"
#include "scenario.h"
#include "../common/run_scenario.h"

/* Run a scenario without a database; the summary's intervals are at `level`. */
static void run(const char *rel, double level, struct scenario *s, struct summary *sum)
{
	test_run_scenario(rel, NULL, 0, level, s, sum);
}

static void expect_in_ci(const char *what, const double ci[2], double exact)
{
	printf("  %-28s %.5f +- %.5f  (closed form %.5f, error %+.2f%%)\n", what, ci[0], ci[1],
	       exact, 100 * (ci[0] - exact) / exact);
	assert_true(ci[1] > 0);
	assert_true(fabs(ci[0] - exact) <= ci[1]);
}

static void test_mm1_rho05(void **state)
{
	(void)state;
	struct scenario s;
	struct summary sum;
	run("tests/validation/mm1-rho05.json", 0.99, &s, &sum);
	expect_in_ci("M/M/1 rho 0.5 E[T]", sum.classes[0].mean_s, 2.0);
	expect_in_ci("M/M/1 rho 0.5 p99(T)", sum.classes[0].p99_s, log(100) / 0.5);
	expect_in_ci("M/M/1 rho 0.5 throughput", sum.classes[0].throughput, 0.5);
	summary_release(&sum);
	scenario_release(&s);
}

static void test_mm1_rho08(void **state)
{
	(void)state;
	struct scenario s;
	struct summary sum;
	run("tests/validation/mm1-rho08.json", 0.99, &s, &sum);
	expect_in_ci("M/M/1 rho 0.8 E[T]", sum.classes[0].mean_s, 5.0);
	expect_in_ci("M/M/1 rho 0.8 p99(T)", sum.classes[0].p99_s, log(100) / 0.2);
	summary_release(&sum);
	scenario_release(&s);
}

/* Tail percentiles from short replications at high load (issue 11): the summary's quantiles
 * come from the histogram pooled across replications, with the replications' spread as the
 * interval. The mean of the replications' own quantiles is printed beside it for contrast
 * (it is the biased estimate the summary no longer reports). Closed form: the M/M/1 sojourn
 * time is exponential with rate mu - lambda, so its p-quantile is -ln(1 - p)/(mu - lambda)
 * (Kleinrock, Queueing Systems vol. 1, 1975, section 3.2). */
static void test_mm1_rho095_tail(void **state)
{
	(void)state;
	struct scenario s;
	struct summary sum;
	run("tests/validation/mm1-rho095-short.json", 0.99, &s, &sum);
	const struct summary_class *c = &sum.classes[0];
	const double rate = 1.0 - 0.95;
	expect_in_ci("M/M/1 rho 0.95 p50(T)", c->p50_s, log(2) / rate);
	expect_in_ci("M/M/1 rho 0.95 p99(T)", c->p99_s, log(100) / rate);
	expect_in_ci("M/M/1 rho 0.95 p99.9(T)", c->p999_s, log(1000) / rate);
	/* the pooled estimate is close, not only inside a wide interval */
	assert_true(fabs(c->p99_s[0] - log(100) / rate) < 0.1 * log(100) / rate);
	const struct summary_samples *q = summary_samples(&sum, METRIC_LATENCY_P99_S, "job");
	assert_non_null(q);
	double mean = 0;
	for (size_t i = 0; i < q->count; i++)
		mean += q->values[i] / (double)q->count;
	printf("  %-28s %.5f  (mean of the replications' own p99, error %+.2f%%)\n", "", mean,
	       100 * (mean - log(100) / rate) / (log(100) / rate));
	/* some 19,000 completions a replication: 19 beyond p99.9, enough */
	assert_false(c->thin[0] || c->thin[1] || c->thin[2]);
	summary_release(&sum);
	scenario_release(&s);
}

static void test_mmc4(void **state)
{
	(void)state;
	struct scenario s;
	struct summary sum;
	run("tests/validation/mmc4.json", 0.99, &s, &sum);
	expect_in_ci("M/M/4 lambda 3 E[T]", sum.classes[0].mean_s, 1.0 + 27.0 / 53.0);
	summary_release(&sum);
	scenario_release(&s);
}

static void test_md1(void **state)
{
	(void)state;
	struct scenario s;
	struct summary sum;
	run("tests/validation/md1.json", 0.99, &s, &sum);
	expect_in_ci("M/D/1 rho 0.8 E[T]", sum.classes[0].mean_s, 3.0);
	summary_release(&sum);
	scenario_release(&s);
}

/* The ECP path as a tandem (ecp-tandem.json): M/M/4 on the application server's CPU, then
 * M/D/1 on the data server's CPU for the one ECP block request each request makes (Burke:
 * the first stage's departures are Poisson). */
static void test_ecp_tandem(void **state)
{
	(void)state;
	struct scenario s;
	struct summary sum;
	run("tests/validation/ecp-tandem.json", 0.99, &s, &sum);
	expect_in_ci("ECP M/M/4 + M/D/1 E[T]", sum.classes[0].mean_s,
		     1.0 + 27.0 / 53.0 + 0.25 + 0.75 * 0.25 / (2 * 0.25));
	summary_release(&sum);
	scenario_release(&s);
}

static void test_little_on_production(void **state)
{
	(void)state;
	struct scenario s;
	struct summary sum;
	run("tests/validation/little-production.json", 0.99, &s, &sum);
	double lambda_w = sum.arrival_rate[0] * sum.latency_mean_s[0];
	expect_in_ci("Little L = lambda W", sum.in_system_mean, lambda_w);
	summary_release(&sum);
	scenario_release(&s);
}

/* One repairable unit: write availability = MTBF / (MTBF + MTTR) (validation.md). */
static void test_availability_one_unit(void **state)
{
	(void)state;
	struct scenario s;
	struct summary sum;
	run("tests/validation/availability-one-unit.json", 0.99, &s, &sum);
	expect_in_ci("one unit A = MTBF/(MTBF+MTTR)", sum.write_availability, 10.0 / 12.0);
	summary_release(&sum);
	scenario_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm1_rho05),
		cmocka_unit_test(test_mm1_rho08),
		cmocka_unit_test(test_mm1_rho095_tail),
		cmocka_unit_test(test_mmc4),
		cmocka_unit_test(test_md1),
		cmocka_unit_test(test_ecp_tandem),
		cmocka_unit_test(test_little_on_production),
		cmocka_unit_test(test_availability_one_unit),
	};
	return cmocka_run_group_tests_name("validation", tests, NULL, NULL);
}
