/* test_expect: expectations against hand-made records (sim/run/expect.h): each quantifier,
 * incident selection, sums of terms, figures, and the failures that are verdicts rather
 * than values (nothing measured, an incident that never recovered). Figures are worked
 * out by hand in each test. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "expect.h"

#define FIG(f) (METRIC_COUNT + EXPECT_FIGURE_##f)

/* A compiled expectation (what the scenario checks fill in). */
static struct expectation_config x_of(const char *metric, int id, int quantifier, int op,
				      double threshold, int unit_kind)
{
	struct expectation_config x = {0};
	x.metric = (char *)metric;
	x.of = quantifier == EXPECT_EVERY ? "every" : quantifier == EXPECT_MEAN ? "mean" : "q";
	x.level = 0.95;
	x.op = op;
	x.value = "v";
	x.terms[0] = (struct expectation_term){id, 1};
	x.term_count = 1;
	x.unit_kind = unit_kind;
	x.per_incident = id < METRIC_COUNT ? metric_def(id)->scope == METRIC_INCIDENT
					   : id == FIG(RECOVERED) || id == FIG(PRIMARY_AFTER);
	x.quantifier = quantifier;
	x.threshold = threshold;
	return x;
}

/* A record with one incident (kind, target) and write availability wa. */
static void make(struct record *r, const char *kind, const char *target, bool recovered,
		 double rto, double detect, double decide, double rpo_durable, const char *after,
		 double wa)
{
	record_init(r);
	r->conservation_ok = true;
	r->incidents = calloc(1, sizeof(*r->incidents));
	assert_non_null(r->incidents);
	r->incident_count = 1;
	struct record_incident *in = &r->incidents[0];
	snprintf(in->target, sizeof(in->target), "%s", target);
	snprintf(in->primary_after, sizeof(in->primary_after), "%s", after);
	in->r.kind = kind;
	in->r.target = in->target;
	in->r.primary_after = in->primary_after;
	in->r.recovered = recovered;
	in->r.rto_s = recovered ? rto : NAN;
	for (int k = 0; k < STAGE_COUNT; k++)
		in->r.stage_s[k] = NAN;
	in->r.stage_s[STAGE_DETECT] = recovered ? detect : NAN;
	in->r.stage_s[STAGE_DECIDE] = recovered ? decide : NAN;
	in->r.rpo_durable_tx = rpo_durable;
	record_add_metric(r, METRIC_WRITE_AVAILABILITY, "", wa);
	record_add_metric(r, METRIC_ERRORS, "read timeout", 3);
	record_add_metric(r, METRIC_ERRORS, "write timeout", 4);
	record_add_metric(r, METRIC_ERRORS, "write refused", 100);
}

static void feed(struct expect_set *set, int n, const double *wa, const double *rto,
		 const double *durable)
{
	for (int i = 0; i < n; i++) {
		struct record r;
		make(&r, "host_crash", "iris-a", true, rto[i], 5, 1, durable[i], "iris-b", wa[i]);
		expect_add(set, &r);
		record_release(&r);
	}
	expect_finish(set);
}

static const double WA[3] = {0.999, 0.998, 0.997};
static const double RTO[3] = {10, 20, 30};
static const double ZERO[3] = {0, 0, 0};

/* mean 0.998, s = 0.001, t(0.975, 2) = 4.302653: half-width 0.0024842; lower bound 0.9955158. */
static void test_mean_and_bounds(void **state)
{
	(void)state;
	struct expectation_config xs[3] = {
		x_of("write_availability", METRIC_WRITE_AVAILABILITY, EXPECT_MEAN, EXPECT_GE, 0.9979,
		     UNITS_FRACTION),
		x_of("write_availability", METRIC_WRITE_AVAILABILITY, EXPECT_LOWER, EXPECT_GE, 0.995,
		     UNITS_FRACTION),
		x_of("write_availability", METRIC_WRITE_AVAILABILITY, EXPECT_LOWER, EXPECT_GE, 0.996,
		     UNITS_FRACTION),
	};
	struct expect_set set;
	assert_int_equal(expect_init(&set, xs, 3), 0);
	feed(&set, 3, WA, RTO, ZERO);
	assert_true(fabs(set.results[0].measured - 0.998) < 1e-12);
	assert_true(set.results[0].pass);
	assert_true(fabs(set.results[1].measured - 0.9955158) < 1e-6);
	assert_true(set.results[1].pass);
	assert_false(set.results[2].pass);
	assert_int_equal(expect_failed(&set), 1);
	expect_release(&set);
}

/* RTO 10, 20, 30 s: p95 = 20 + 0.9 x 10 = 29 (linear between order statistics); every <= 25
 * fails in 1 of 3 with the worst value 30; the durable RPO is 0 in every incident. */
static void test_percentile_and_every(void **state)
{
	(void)state;
	struct expectation_config xs[3] = {
		x_of("rto_s", METRIC_RTO_S, EXPECT_PERCENTILE, EXPECT_LE, 29.5, UNITS_DURATION),
		x_of("rto_s", METRIC_RTO_S, EXPECT_EVERY, EXPECT_LE, 25, UNITS_DURATION),
		x_of("rpo_durable_tx", METRIC_RPO_DURABLE_TX, EXPECT_EVERY, EXPECT_EQ, 0,
		     UNITS_NUMBER),
	};
	xs[0].quantile = 0.95;
	struct expect_set set;
	assert_int_equal(expect_init(&set, xs, 3), 0);
	feed(&set, 3, WA, RTO, ZERO);
	assert_true(fabs(set.results[0].measured - 29) < 1e-9);
	assert_true(set.results[0].pass);
	assert_false(set.results[1].pass);
	assert_true(set.results[1].measured == 30);
	assert_non_null(strstr(set.results[1].reason, "fails in 1 of 3 incidents"));
	assert_true(set.results[2].pass);
	expect_release(&set);
}

/* Selection and sums: detect + decide = 6 s; a kind that never happened is "nothing
 * measured" (a failure); errors "timeout" sums the classes (3 + 4); invariant violations 0;
 * primary after iris-b. */
static void test_selection_sums_and_figures(void **state)
{
	(void)state;
	struct expectation_config xs[6] = {
		x_of("detect_s + decide_s", METRIC_DETECT_S, EXPECT_EVERY, EXPECT_EQ, 6,
		     UNITS_DURATION),
		x_of("rto_s", METRIC_RTO_S, EXPECT_MEAN, EXPECT_LE, 100, UNITS_DURATION),
		x_of("errors", METRIC_ERRORS, EXPECT_EVERY, EXPECT_EQ, 7, UNITS_NUMBER),
		x_of("invariant_violations", FIG(INVARIANT_VIOLATIONS), EXPECT_EVERY, EXPECT_EQ, 0,
		     UNITS_NUMBER),
		x_of("primary_after", FIG(PRIMARY_AFTER), EXPECT_EVERY, EXPECT_EQ, 0, -1),
		x_of("incidents", FIG(INCIDENTS), EXPECT_EVERY, EXPECT_EQ, 1, UNITS_NUMBER),
	};
	xs[0].terms[1] = (struct expectation_term){METRIC_DECIDE_S, 1};
	xs[0].term_count = 2;
	xs[1].kind = "az_outage";
	xs[2].where = "timeout";
	xs[4].value = "iris-b";
	xs[5].kind = "host_crash";
	xs[5].target = "iris-a";
	struct expect_set set;
	assert_int_equal(expect_init(&set, xs, 6), 0);
	feed(&set, 3, WA, RTO, ZERO);
	for (int i = 0; i < 6; i++)
		printf("  %s: %s %s\n", set.results[i].text, set.results[i].pass ? "ok" : "FAIL",
		       set.results[i].reason);
	assert_true(set.results[0].pass);
	assert_false(set.results[1].pass);
	assert_non_null(strstr(set.results[1].reason, "no matching incident"));
	assert_true(set.results[2].pass);
	assert_true(set.results[3].pass);
	assert_true(set.results[4].pass);
	assert_true(set.results[5].pass);
	expect_release(&set);
}

/* An incident that never recovered has no RTO: the expectation fails ("not measured"), and
 * primary_after "" != "iris-b" fails too; recovered == 0 holds. */
static void test_unrecovered(void **state)
{
	(void)state;
	struct expectation_config xs[3] = {
		x_of("rto_s", METRIC_RTO_S, EXPECT_MEAN, EXPECT_LE, 1000, UNITS_DURATION),
		x_of("primary_after", FIG(PRIMARY_AFTER), EXPECT_EVERY, EXPECT_EQ, 0, -1),
		x_of("recovered", FIG(RECOVERED), EXPECT_EVERY, EXPECT_EQ, 0, UNITS_FRACTION),
	};
	xs[1].value = "iris-b";
	struct expect_set set;
	assert_int_equal(expect_init(&set, xs, 3), 0);
	struct record r;
	make(&r, "host_crash", "iris-a", false, 0, 0, 0, 0, "", 0.4);
	expect_add(&set, &r);
	record_release(&r);
	expect_finish(&set);
	assert_false(set.results[0].pass);
	assert_non_null(strstr(set.results[0].reason, "not measured in 1 of 1 incidents"));
	assert_false(set.results[1].pass);
	assert_true(set.results[2].pass);
	expect_release(&set);
}

/* A latency percentile under mean or a bound is the pooled estimate (the run summary's), not
 * the mean of the replications' quantiles; `every` stays per replication. 10 replications of
 * 1000 reads at 1 ms; the odd ones have 15 of them at 1 s instead. A replication's own p99:
 * 1 ms (even) or 1 s (odd: 1.5% beyond), so their mean is about 0.5 s; pooled, 75 of 10,000
 * (0.75%) are beyond 1 ms, so the pooled p99 is 1 ms. Every section of replications (r mod
 * 5: r and r + 5, one odd) is the same mix, so the half-width is 0. */
static void test_latency_percentile_pooled(void **state)
{
	(void)state;
	struct expectation_config xs[3] = {
		x_of("latency_p99_s", METRIC_LATENCY_P99_S, EXPECT_MEAN, EXPECT_LT, 0.010,
		     UNITS_DURATION),
		x_of("latency_p99_s", METRIC_LATENCY_P99_S, EXPECT_UPPER, EXPECT_LT, 0.010,
		     UNITS_DURATION),
		x_of("latency_p99_s", METRIC_LATENCY_P99_S, EXPECT_EVERY, EXPECT_LT, 0.010,
		     UNITS_DURATION),
	};
	for (int i = 0; i < 3; i++)
		xs[i].where = "read";
	struct expect_set set;
	assert_int_equal(expect_init(&set, xs, 3), 0);
	for (uint32_t rep = 0; rep < 10; rep++) {
		struct record r;
		record_init(&r);
		r.replication = rep;
		r.conservation_ok = true;
		r.classes = calloc(1, sizeof(*r.classes));
		assert_non_null(r.classes);
		r.class_count = 1;
		struct record_class *c = &r.classes[0];
		snprintf(c->name, sizeof(c->name), "read");
		stat_hist_init(&c->latency);
		uint64_t slow = rep % 2 ? 15 : 0;
		assert_int_equal(stat_hist_add_n(&c->latency, 0.001, 1000 - slow), 0);
		assert_int_equal(stat_hist_add_n(&c->latency, 1.0, slow), 0);
		c->completed = 1000;
		c->latency_mean = stat_hist_mean(&c->latency);
		expect_add(&set, &r);
		record_release(&r);
	}
	expect_finish(&set);
	const struct expect_result *mean = &set.results[0], *upper = &set.results[1],
				   *every = &set.results[2];
	/* the replications' own quantiles are still there: 5 near 1 ms, 5 near 1 s */
	assert_int_equal(mean->count, 10);
	assert_true(mean->max > 0.9 && mean->min < 0.0011);
	/* pooled: 1 ms within the histogram's bucket error, not the biased 0.5 s */
	assert_true(fabs(mean->measured - 0.001) < 0.03 * 0.001);
	assert_true(mean->pass);
	assert_true(mean->half_width >= 0 && mean->half_width < 1e-6);
	assert_true(strstr(mean->measured_text, "pooled 1.00ms") != NULL);
	assert_true(fabs(upper->measured - 0.001) < 0.03 * 0.001);
	assert_true(upper->pass);
	/* every: per replication, the odd ones fail */
	assert_false(every->pass);
	assert_true(every->measured > 0.9);
	assert_true(strstr(every->reason, "fails in 5 of 10 replications") != NULL);
	expect_release(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mean_and_bounds),
		cmocka_unit_test(test_percentile_and_every),
		cmocka_unit_test(test_selection_sums_and_figures),
		cmocka_unit_test(test_unrecovered),
		cmocka_unit_test(test_latency_percentile_pooled),
	};
	return cmocka_run_group_tests_name("expect", tests, NULL, NULL);
}
