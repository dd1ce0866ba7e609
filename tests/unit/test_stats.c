/* test_stats.c: unit tests of sim/stats (counters, Welford, histogram, time-weighted average,
 * time series, confidence intervals).
 *
 * Every check compares against an independent reference computed here (sorted order
 * statistics, two-pass moments in long double, a tabulated Student t quantile), with the
 * tolerance the module promises. Random inputs come from GSL mt19937 with fixed seeds, so the
 * tests are deterministic.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stats.h"

/* Heap-allocate: a struct stat_hist is ~47 KiB. */
static struct stat_hist *hist_new(void)
{
	struct stat_hist *h = malloc(sizeof(*h));
	assert_non_null(h);
	stat_hist_init(h);
	return h;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Exact order statistic with the histogram's rank rule: r = max(1, ceil(p * n)). */
static double exact_quantile(const double *sorted, size_t n, double p)
{
	double r = ceil(p * (double)n);
	size_t rank = r < 1.0 ? 1 : r > (double)n ? n : (size_t)r;
	return sorted[rank - 1];
}

static double rel_err(double got, double want) { return fabs(got - want) / fabs(want); }

/* ---- counter --------------------------------------------------------------------------- */

static void test_counter(void **state)
{
	(void)state;
	struct stat_counter c;
	stat_counter_init(&c);
	assert_int_equal(stat_counter_get(&c), 0);
	stat_counter_add(&c, 1);
	stat_counter_add(&c, 41);
	assert_int_equal(stat_counter_get(&c), 42);
}

/* ---- Welford --------------------------------------------------------------------------- */

/* Two-pass reference in long double. */
static void two_pass(const double *x, size_t n, double *mean, double *var)
{
	long double s = 0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	long double m = s / n, ss = 0;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - m) * (x[i] - m);
	*mean = (double)m;
	*var = (double)(ss / (n - 1));
}

static void check_welford_against_two_pass(double offset, double sd, unsigned long seed)
{
	enum { N = 100000 };
	double *x = malloc(N * sizeof(*x));
	assert_non_null(x);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	struct stat_welford w;
	stat_welford_init(&w);
	double lo = INFINITY, hi = -INFINITY;
	for (size_t i = 0; i < N; i++) {
		x[i] = offset + gsl_ran_gaussian(r, sd);
		stat_welford_add(&w, x[i]);
		lo = fmin(lo, x[i]);
		hi = fmax(hi, x[i]);
	}
	double mean, var;
	two_pass(x, N, &mean, &var);
	assert_int_equal(stat_welford_count(&w), N);
	assert_true(rel_err(stat_welford_mean(&w), mean) <= 1e-9);
	assert_true(rel_err(stat_welford_variance(&w), var) <= 1e-9);
	assert_true(rel_err(stat_welford_stddev(&w), sqrt(var)) <= 1e-9);
	assert_true(stat_welford_min(&w) == lo);
	assert_true(stat_welford_max(&w) == hi);

	/* merge of two unequal parts equals the sequential accumulator */
	struct stat_welford a, b;
	stat_welford_init(&a);
	stat_welford_init(&b);
	for (size_t i = 0; i < N; i++)
		stat_welford_add(i < N / 3 ? &a : &b, x[i]);
	stat_welford_merge(&a, &b);
	assert_int_equal(stat_welford_count(&a), N);
	assert_true(rel_err(stat_welford_mean(&a), mean) <= 1e-9);
	assert_true(rel_err(stat_welford_variance(&a), var) <= 1e-9);
	assert_true(stat_welford_min(&a) == lo);
	assert_true(stat_welford_max(&a) == hi);
	gsl_rng_free(r);
	free(x);
}

static void test_welford_plain(void **state)
{
	(void)state;
	check_welford_against_two_pass(5.0, 2.0, 1);
}

static void test_welford_large_offset(void **state)
{
	(void)state;
	check_welford_against_two_pass(1e9, 1.0, 2);

	/* The same data defeat the naive sum-of-squares formula, so the case has teeth. */
	enum { N = 100000 };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 2);
	double s = 0, s2 = 0;
	for (size_t i = 0; i < N; i++) {
		double x = 1e9 + gsl_ran_gaussian(r, 1.0);
		s += x;
		s2 += x * x;
	}
	double naive = (s2 - s * s / N) / (N - 1);
	assert_true(rel_err(naive, 1.0) > 0.1);
	gsl_rng_free(r);
}

static void test_welford_small_and_empty(void **state)
{
	(void)state;
	struct stat_welford w, e;
	stat_welford_init(&w);
	stat_welford_init(&e);
	assert_true(isnan(stat_welford_mean(&w)));
	assert_true(isnan(stat_welford_variance(&w)));
	assert_true(isnan(stat_welford_min(&w)));
	stat_welford_add(&w, 3.0);
	assert_true(stat_welford_mean(&w) == 3.0);
	assert_true(isnan(stat_welford_variance(&w)));
	/* 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample variance 32/7 */
	const double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	stat_welford_init(&w);
	for (size_t i = 0; i < 8; i++)
		stat_welford_add(&w, v[i]);
	assert_true(fabs(stat_welford_mean(&w) - 5.0) < 1e-15);
	assert_true(fabs(stat_welford_variance(&w) - 32.0 / 7.0) < 1e-14);
	/* merging an empty accumulator either way changes nothing */
	struct stat_welford copy = w;
	stat_welford_merge(&w, &e);
	assert_memory_equal(&w, &copy, sizeof(w));
	stat_welford_merge(&e, &w);
	assert_true(stat_welford_mean(&e) == stat_welford_mean(&w));
	assert_true(stat_welford_variance(&e) == stat_welford_variance(&w));
	/* self-merge doubles the sample: same mean, m2 doubled */
	stat_welford_merge(&w, &w);
	assert_int_equal(stat_welford_count(&w), 16);
	assert_true(fabs(stat_welford_mean(&w) - 5.0) < 1e-15);
	assert_true(fabs(stat_welford_variance(&w) - 64.0 / 15.0) < 1e-14);
}

/* ---- histogram ------------------------------------------------------------------------- */

/* Every regular bucket: its bounds map back to it exactly, neighbours are contiguous, its upper
 * bound is at most 2^(1/128) times its lower one, and its midpoint is within 0.28 % of both. */
static void test_hist_bucket_edges(void **state)
{
	(void)state;
	const size_t nb = STAT_HIST_BUCKETS;
	assert_int_equal(stat_hist_bucket_count(NULL), nb);
	assert_int_equal(stat_hist_bucket_index(0.0), 0);
	assert_int_equal(stat_hist_bucket_index(-1.0), 0);
	assert_int_equal(stat_hist_bucket_index(NAN), 0);
	assert_int_equal(stat_hist_bucket_index(nextafter(STAT_HIST_MIN, 0)), 0);
	assert_int_equal(stat_hist_bucket_index(STAT_HIST_MIN), 1);
	assert_int_equal(stat_hist_bucket_index(STAT_HIST_MAX), nb - 2);
	assert_int_equal(stat_hist_bucket_index(nextafter(STAT_HIST_MAX, INFINITY)), nb - 1);
	assert_int_equal(stat_hist_bucket_index(INFINITY), nb - 1);
	assert_true(stat_hist_bucket_lower(0) == 0.0);
	assert_true(stat_hist_bucket_upper(0) == STAT_HIST_MIN);
	assert_true(stat_hist_bucket_lower(1) == STAT_HIST_MIN);
	assert_true(stat_hist_bucket_upper(nb - 2) == STAT_HIST_MAX);
	assert_true(stat_hist_bucket_lower(nb - 1) == STAT_HIST_MAX);
	assert_true(isinf(stat_hist_bucket_upper(nb - 1)));
	assert_true(isnan(stat_hist_bucket_lower(nb)));

	double worst = 0, widest = 0;
	for (size_t i = 1; i <= nb - 2; i++) {
		double lo = stat_hist_bucket_lower(i), hi = stat_hist_bucket_upper(i);
		double mid = stat_hist_bucket_mid(i);
		assert_true(lo < hi);
		assert_true(lo < mid && mid < hi);
		assert_true(stat_hist_bucket_upper(i - 1) == lo);
		assert_int_equal(stat_hist_bucket_index(lo), i);
		assert_int_equal(stat_hist_bucket_index(nextafter(hi, 0)), i);
		if (i < nb - 2) {
			assert_int_equal(stat_hist_bucket_index(hi), i + 1);
			assert_int_equal(stat_hist_bucket_index(nextafter(lo, 0)), i - 1);
		}
		worst = fmax(worst, fmax(rel_err(mid, lo), rel_err(mid, hi)));
		widest = fmax(widest, hi / lo - 1);
	}
	assert_true(widest <= 0.00543);  /* 2^(1/128) - 1 = 0.0054298 */
	assert_true(widest > 0.00542);   /* and the buckets really are that wide */
	assert_true(worst <= 0.00272);   /* 2^(1/256) - 1 = 0.0027112 */
	assert_true(worst > 0.0027);
}

/* Quantile error against exact order statistics on 10^5 values spanning 1e-8 .. 1e4 s. */
static void test_hist_quantile_error(void **state)
{
	(void)state;
	enum { N = 100000 };
	double *x = malloc(N * sizeof(*x));
	assert_non_null(x);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 12345);
	struct stat_hist *h = hist_new();
	double sum = 0;
	for (size_t i = 0; i < N; i++) {
		switch (i % 3) {
		case 0: /* log-uniform over 1e-8 .. 1e4 */
			x[i] = pow(10.0, gsl_ran_flat(r, -8.0, 4.0));
			break;
		case 1: /* lognormal around 10 ms */
			x[i] = gsl_ran_lognormal(r, log(1e-2), 2.5);
			break;
		default: /* exponential, mean 1 s */
			x[i] = gsl_ran_exponential(r, 1.0);
			break;
		}
		assert_int_equal(stat_hist_add(h, x[i]), 0);
		sum += x[i];
	}
	qsort(x, N, sizeof(*x), cmp_double);
	assert_true(x[0] >= STAT_HIST_MIN && x[N - 1] <= STAT_HIST_MAX);
	assert_true(x[0] < 1e-7 && x[N - 1] > 1e3);
	assert_int_equal(stat_hist_count(h), N);
	assert_true(rel_err(stat_hist_mean(h), sum / N) <= 1e-12);
	assert_true(stat_hist_min(h) == x[0]);
	assert_true(stat_hist_max(h) == x[N - 1]);

	const double ps[] = { 0.5, 0.9, 0.99, 0.999, 1.0 };
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		assert_true(rel_err(stat_hist_quantile(h, ps[i]), exact_quantile(x, N, ps[i])) <= 0.006);
	assert_true(stat_hist_quantile(h, 1.0) == x[N - 1]);
	assert_true(stat_hist_quantile(h, 0.0) == x[0]);
	/* and on a fine grid */
	double worst = 0;
	for (int k = 0; k <= 10000; k++) {
		double p = k / 10000.0;
		worst = fmax(worst, rel_err(stat_hist_quantile(h, p), exact_quantile(x, N, p)));
	}
	assert_true(worst <= 0.0055); /* estimate and exact share a bucket: 2^(1/128) - 1 */
	gsl_rng_free(r);
	free(h);
	free(x);
}

/* Extremes of the range and the underflow / overflow buckets. */
static void test_hist_range_ends(void **state)
{
	(void)state;
	struct stat_hist *h = hist_new();
	assert_true(isnan(stat_hist_quantile(h, 0.5)));
	assert_true(isnan(stat_hist_mean(h)));
	assert_int_equal(stat_hist_add(h, -1.0), -EINVAL);
	assert_int_equal(stat_hist_add(h, NAN), -EINVAL);
	assert_int_equal(stat_hist_add(h, INFINITY), -EINVAL);
	assert_int_equal(stat_hist_count(h), 0);

	/* single values are reported exactly (clamped into [min, max]) */
	assert_int_equal(stat_hist_add(h, STAT_HIST_MIN), 0);
	assert_true(stat_hist_quantile(h, 0.5) == STAT_HIST_MIN);
	stat_hist_init(h);
	assert_int_equal(stat_hist_add(h, STAT_HIST_MAX), 0);
	assert_true(stat_hist_quantile(h, 0.5) == STAT_HIST_MAX);

	/* 1e-9 and 86400 among others: quantiles within 0.6 % */
	stat_hist_init(h);
	stat_hist_add(h, 1e-12);
	stat_hist_add_n(h, STAT_HIST_MIN, 10);
	stat_hist_add_n(h, 1.0, 10);
	stat_hist_add_n(h, STAT_HIST_MAX, 10);
	stat_hist_add(h, 1e6);
	assert_int_equal(stat_hist_count(h), 32);
	assert_int_equal(stat_hist_bucket_n(h, 0), 1);
	assert_int_equal(stat_hist_bucket_n(h, 1), 10);
	assert_int_equal(stat_hist_bucket_n(h, STAT_HIST_BUCKETS - 2), 10);
	assert_int_equal(stat_hist_bucket_n(h, STAT_HIST_BUCKETS - 1), 1);
	assert_true(stat_hist_quantile(h, 1.0 / 32) == 1e-12);   /* rank 1: underflow, exact min */
	assert_true(rel_err(stat_hist_quantile(h, 2.0 / 32), STAT_HIST_MIN) <= 0.006);
	assert_true(rel_err(stat_hist_quantile(h, 11.0 / 32), STAT_HIST_MIN) <= 0.006);
	assert_true(rel_err(stat_hist_quantile(h, 12.0 / 32), 1.0) <= 0.006);
	assert_true(rel_err(stat_hist_quantile(h, 22.0 / 32), STAT_HIST_MAX) <= 0.006);
	assert_true(rel_err(stat_hist_quantile(h, 31.0 / 32), STAT_HIST_MAX) <= 0.006);
	assert_true(stat_hist_quantile(h, 31.5 / 32) == 1e6);     /* rank 32: overflow, exact max */
	assert_true(stat_hist_quantile(h, 2.0) == 1e6);            /* p clamped */
	assert_true(stat_hist_quantile(h, -1.0) == 1e-12);
	double sum = 1e-12 + 10 * STAT_HIST_MIN + 10.0 + 10 * STAT_HIST_MAX + 1e6;
	assert_true(rel_err(stat_hist_sum(h), sum) <= 1e-15);

	/* a lone value in a bucket is estimated at the bucket's midpoint, wherever it lies in it:
	 * values just inside each edge of the bucket of 1.0 give the same estimate */
	size_t i = stat_hist_bucket_index(1.0);
	double lo = stat_hist_bucket_lower(i), hi = stat_hist_bucket_upper(i);
	stat_hist_init(h);
	stat_hist_add(h, 1e-3);
	stat_hist_add(h, lo);
	stat_hist_add(h, 1e3);
	double q_lo = stat_hist_quantile(h, 0.5);
	stat_hist_init(h);
	stat_hist_add(h, 1e-3);
	stat_hist_add(h, nextafter(hi, 0));
	stat_hist_add(h, 1e3);
	double q_hi = stat_hist_quantile(h, 0.5);
	assert_true(q_lo == q_hi);
	assert_true(rel_err(q_lo, stat_hist_bucket_mid(i)) <= 1e-15);
	assert_true(rel_err(q_lo, lo) <= 0.006 && rel_err(q_hi, hi) <= 0.006);
	free(h);
}

static void test_hist_merge(void **state)
{
	(void)state;
	enum { N = 50000 };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 777);
	struct stat_hist *whole = hist_new(), *a = hist_new(), *b = hist_new();
	for (size_t i = 0; i < N; i++) {
		double v = gsl_ran_lognormal(r, log(1e-3), 3.0);
		stat_hist_add(whole, v);
		stat_hist_add(i < N / 2 ? a : b, v);
	}
	stat_hist_merge(a, b);
	assert_int_equal(stat_hist_count(a), N);
	assert_memory_equal(a->counts, whole->counts, sizeof(a->counts));
	assert_true(stat_hist_min(a) == stat_hist_min(whole));
	assert_true(stat_hist_max(a) == stat_hist_max(whole));
	assert_true(rel_err(stat_hist_mean(a), stat_hist_mean(whole)) <= 1e-12);
	for (int k = 0; k <= 1000; k++)
		assert_true(stat_hist_quantile(a, k / 1000.0) == stat_hist_quantile(whole, k / 1000.0));
	/* merging into an empty histogram copies */
	struct stat_hist *e = hist_new();
	stat_hist_merge(e, whole);
	assert_memory_equal(e->counts, whole->counts, sizeof(e->counts));
	assert_true(stat_hist_min(e) == stat_hist_min(whole));
	gsl_rng_free(r);
	free(whole);
	free(a);
	free(b);
	free(e);
}

/* The estimate moves with the counts inside a bucket: successive ranks in one bucket give
 * strictly increasing estimates, and two samples whose medians share a bucket (which a fixed
 * per-bucket representative would report identically) give different medians. */
static void test_hist_quantile_interpolates(void **state)
{
	(void)state;
	size_t i = stat_hist_bucket_index(1.0);
	double lo = stat_hist_bucket_lower(i), hi = stat_hist_bucket_upper(i);
	struct stat_hist *h = hist_new();
	/* 50 below, 100 in the bucket (all at 1.0), 50 above: ranks 51..150 are in the bucket */
	stat_hist_add_n(h, 1e-3, 50);
	stat_hist_add_n(h, 1.0, 100);
	stat_hist_add_n(h, 1e3, 50);
	double prev = lo;
	for (int r = 51; r <= 150; r++) {
		double q = stat_hist_quantile(h, (r - 0.5) / 200.0); /* rank r */
		assert_true(q > prev && q < hi);
		assert_true(rel_err(q, lo * pow(hi / lo, (r - 50 - 0.5) / 100.0)) <= 1e-15);
		assert_true(rel_err(q, 1.0) <= 0.0055);
		prev = q;
	}
	/* ranks 50 and 151 are the last and first of the neighbouring buckets */
	assert_true(rel_err(stat_hist_quantile(h, 49.5 / 200.0), 1e-3) <= 0.0055);
	assert_int_equal(stat_hist_bucket_index(stat_hist_quantile(h, 49.5 / 200.0)),
			 stat_hist_bucket_index(1e-3));
	assert_true(rel_err(stat_hist_quantile(h, 150.5 / 200.0), 1e3) <= 0.0055);
	assert_true(stat_hist_quantile(h, 199.5 / 200.0) == 1e3); /* clamped to the max */

	/* Two samples of 30 with ten values spread over the bucket; b has one more value below
	 * and one fewer above, so its median (rank 15) is the 4th in the bucket, not the 5th. */
	double xa[30], xb[30];
	struct stat_hist *a = hist_new(), *b = hist_new();
	for (int k = 0; k < 30; k++) {
		double in = lo * pow(hi / lo, (k - 10 + 0.5) / 10.0);
		xa[k] = k < 10 ? 1e-3 : k < 20 ? in : 1e3;
		xb[k] = k < 11 ? 1e-3 : k < 21 ? lo * pow(hi / lo, (k - 11 + 0.5) / 10.0) : 1e3;
		stat_hist_add(a, xa[k]);
		stat_hist_add(b, xb[k]);
	}
	double qa = stat_hist_quantile(a, 0.5), qb = stat_hist_quantile(b, 0.5);
	assert_int_equal(stat_hist_bucket_index(qa), i);
	assert_int_equal(stat_hist_bucket_index(qb), i);
	assert_true(qb < qa);
	assert_true(rel_err(qa, exact_quantile(xa, 30, 0.5)) <= 0.0055);
	assert_true(rel_err(qb, exact_quantile(xb, 30, 0.5)) <= 0.0055);
	free(a);
	free(b);
	free(h);
}

/* Replications: medians and p99s of independent runs that land in the same bucket still
 * differ, so a confidence interval across replications has a width (it was 0 when every
 * replication reported the bucket midpoint), and it covers the closed form. Exponential with
 * mean 1: median ln 2, p99 ln 100. */
static void test_hist_replications_differ(void **state)
{
	(void)state;
	enum { R = 10, N = 200000 };
	const double ps[2] = { 0.5, 0.99 }, truth[2] = { log(2.0), log(100.0) };
	double q[2][R];
	double *x = malloc(N * sizeof(*x));
	assert_non_null(x);
	struct stat_hist *h = hist_new();
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	for (int rep = 0; rep < R; rep++) {
		gsl_rng_set(r, 1000 + (unsigned long)rep);
		stat_hist_init(h);
		for (size_t k = 0; k < N; k++) {
			x[k] = gsl_ran_exponential(r, 1.0);
			stat_hist_add(h, x[k]);
		}
		qsort(x, N, sizeof(*x), cmp_double);
		for (int j = 0; j < 2; j++) {
			q[j][rep] = stat_hist_quantile(h, ps[j]);
			assert_true(rel_err(q[j][rep], exact_quantile(x, N, ps[j])) <= 0.0055);
		}
	}
	for (int j = 0; j < 2; j++) {
		int shared = 0;
		for (int u = 0; u < R; u++)
			for (int v = u + 1; v < R; v++) {
				assert_true(q[j][u] != q[j][v]);
				shared += stat_hist_bucket_index(q[j][u]) ==
					  stat_hist_bucket_index(q[j][v]);
			}
		assert_true(shared > 0); /* the case has teeth: some estimates share a bucket */
		double mean, hw;
		assert_int_equal(stat_ci_mean(q[j], R, 0.95, &mean, &hw), 0);
		assert_true(hw > 0.0);
		assert_true(fabs(mean - truth[j]) <= hw);
	}
	gsl_rng_free(r);
	free(h);
	free(x);
}

/* The exact sum survives many tiny values added to a large one (compensated summation). */
static void test_hist_sum_compensated(void **state)
{
	(void)state;
	struct stat_hist *h = hist_new();
	stat_hist_add(h, STAT_HIST_MAX);
	for (int i = 0; i < 1000000; i++)
		stat_hist_add(h, STAT_HIST_MIN);
	long double want = (long double)STAT_HIST_MAX + 1e6L * (long double)STAT_HIST_MIN;
	assert_true(fabsl(stat_hist_sum(h) - want) / want <= 1e-15L);
	free(h);
}

/* The constant tables behind the bucket index agree with 2^(k/128), and the layout constants
 * with the index: 1e-9 = 2^-30 * 2^(13.14/128) opens the regular buckets, so 1.0 (global
 * bucket 0) is regular bucket 30 * 128 - 13 + 1. */
static void test_hist_edges_are_powers(void **state)
{
	(void)state;
	assert_int_equal(STAT_HIST_PER_OCTAVE, 128);
	size_t i1 = stat_hist_bucket_index(1.0);
	assert_int_equal(i1, 30 * 128 - 13 + 1);
	assert_true(stat_hist_bucket_upper(1) == ldexp(stat_hist_bucket_lower(i1 + 14), -30));
	/* octave containing 1.0 starts at global bucket 0: index(2^(k/128)) steps by one */
	for (int k = 0; k <= 128; k++) {
		double e = exp2(k / 128.0);
		double lo = stat_hist_bucket_lower(i1 + (size_t)k);
		assert_true(fabs(lo - e) <= 2 * e * 0x1p-52);
	}
	assert_true(stat_hist_bucket_lower(i1 + 128) == 2.0);
	/* every octave reuses the same edges, scaled by a power of two */
	for (size_t i = i1; i < i1 + 128; i++) {
		assert_true(stat_hist_bucket_lower(i + 128) == 2 * stat_hist_bucket_lower(i));
		assert_true(stat_hist_bucket_lower(i - 128) == 0.5 * stat_hist_bucket_lower(i));
	}
	/* 86400 = 2^16 * 2^(51.04/128): the last regular bucket is global 16 * 128 + 51 */
	assert_int_equal(stat_hist_bucket_index(STAT_HIST_MAX), i1 + 16 * 128 + 51);
	assert_int_equal(STAT_HIST_REGULAR, 16 * 128 + 51 + 30 * 128 - 13 + 1);
}

/* ---- time-weighted average ------------------------------------------------------------- */

static void test_timeweighted(void **state)
{
	(void)state;
	struct stat_timeweighted tw;
	/* 0/1 state: up 90 s, down 10 s -> availability 0.9 */
	stat_timeweighted_init(&tw, 0, 1.0);
	assert_int_equal(stat_timeweighted_set(&tw, 90 * SIM_S, 0.0), 0);
	assert_int_equal(stat_timeweighted_set(&tw, 100 * SIM_S, 1.0), 0);
	assert_true(fabs(stat_timeweighted_mean(&tw, 100 * SIM_S) - 0.9) < 1e-15);
	assert_true(stat_timeweighted_total_time(&tw, 100 * SIM_S) == 100 * SIM_S);
	assert_true(fabs(stat_timeweighted_integral(&tw, 100 * SIM_S) - 90.0) < 1e-12);
	/* the current value extends to the query time: up 10 s more */
	assert_true(fabs(stat_timeweighted_mean(&tw, 110 * SIM_S) - 100.0 / 110.0) < 1e-15);
	assert_true(stat_timeweighted_value(&tw) == 1.0);
	/* going back in time is refused and changes nothing */
	assert_int_equal(stat_timeweighted_set(&tw, 50 * SIM_S, 0.0), -EINVAL);
	assert_true(stat_timeweighted_value(&tw) == 1.0);
	assert_true(isnan(stat_timeweighted_mean(&tw, 50 * SIM_S)));
	assert_true(isnan(stat_timeweighted_mean(&tw, 0)));
	/* repeated sets at the same instant: only the last value holds */
	stat_timeweighted_init(&tw, 5 * SIM_S, 3.0);
	stat_timeweighted_set(&tw, 5 * SIM_S, 7.0);
	stat_timeweighted_set(&tw, 7 * SIM_S, 1.0);
	/* 7 for 2 s, 1 for 2 s over a 4 s window starting at t0 = 5 s */
	assert_true(fabs(stat_timeweighted_mean(&tw, 9 * SIM_S) - 4.0) < 1e-15);

	/* a year of 1 h cycles with 1 ms outages: many small terms against a large total */
	stat_timeweighted_init(&tw, 0, 1.0);
	sim_time t = 0;
	for (int k = 0; k < 24 * 365; k++) {
		t += SIM_HOUR - SIM_MS;
		stat_timeweighted_set(&tw, t, 0.0);
		t += SIM_MS;
		stat_timeweighted_set(&tw, t, 1.0);
	}
	double want = 1.0 - (double)SIM_MS / (double)SIM_HOUR;
	assert_true(rel_err(stat_timeweighted_mean(&tw, t), want) <= 1e-14);
}

/* ---- time series ----------------------------------------------------------------------- */

static void test_series(void **state)
{
	(void)state;
	struct stat_series s;
	assert_int_equal(stat_series_init(&s, 0, 0), -EINVAL);
	stat_series_release(&s); /* zeroed after a failed init: harmless */
	assert_int_equal(stat_series_init(&s, 10 * SIM_S, 100 * SIM_S), 0);
	assert_int_equal(stat_series_bucket_count(&s), 0);
	assert_int_equal(stat_series_add(&s, 99 * SIM_S, 1.0), -EINVAL);
	assert_int_equal(stat_series_add(&s, 100 * SIM_S, 1.0), 0);      /* bucket 0 */
	assert_int_equal(stat_series_add(&s, 110 * SIM_S - 1, 3.0), 0);  /* bucket 0, last ns */
	assert_int_equal(stat_series_add(&s, 110 * SIM_S, 5.0), 0);      /* bucket 1 */
	assert_int_equal(stat_series_add(&s, 135 * SIM_S, -2.0), 0);     /* bucket 3 */
	assert_int_equal(stat_series_bucket_count(&s), 4);
	assert_int_equal(stat_series_bucket_n(&s, 0), 2);
	assert_true(stat_series_bucket_sum(&s, 0) == 4.0);
	assert_true(stat_series_bucket_max(&s, 0) == 3.0);
	assert_true(stat_series_bucket_mean(&s, 0) == 2.0);
	assert_int_equal(stat_series_bucket_n(&s, 1), 1);
	assert_true(stat_series_bucket_max(&s, 1) == 5.0);
	assert_int_equal(stat_series_bucket_n(&s, 2), 0);
	assert_true(isnan(stat_series_bucket_max(&s, 2)));
	assert_true(isnan(stat_series_bucket_mean(&s, 2)));
	assert_true(stat_series_bucket_max(&s, 3) == -2.0);
	assert_true(stat_series_bucket_start(&s, 3) == 130 * SIM_S);
	assert_int_equal(stat_series_bucket_n(&s, 4), 0); /* out of range */

	/* growth across many buckets, out of order */
	enum { M = 100000 };
	for (size_t i = M; i-- > 0;)
		assert_int_equal(stat_series_add(&s, 100 * SIM_S + (sim_time)i * 10 * SIM_S + 5,
						 (double)i), 0);
	assert_int_equal(stat_series_bucket_count(&s), M);
	uint64_t total = 0;
	for (size_t i = 0; i < M; i++) {
		total += stat_series_bucket_n(&s, i);
		if (i >= 4)
			assert_true(stat_series_bucket_mean(&s, i) == (double)i);
	}
	assert_int_equal(total, M + 4);

	/* a bucket index whose array cannot exist: refused, series unchanged */
	struct stat_series big;
	assert_int_equal(stat_series_init(&big, 1, 0), 0);
	assert_int_equal(stat_series_add(&big, 5, 1.0), 0);
	assert_int_equal(stat_series_add(&big, SIM_TIME_MAX, 1.0), -ENOMEM);
	assert_int_equal(stat_series_bucket_count(&big), 6);
	stat_series_release(&big);

	stat_series_release(&s);
	stat_series_release(&s); /* already released: harmless */
	assert_int_equal(stat_series_bucket_count(&s), 0);
}

/* ---- confidence interval --------------------------------------------------------------- */

static void test_ci_mean(void **state)
{
	(void)state;
	/* 1..10: mean 5.5, s^2 = 55/6; t_{0.975, 9} = 2.262157 (standard tables) */
	double x[10];
	for (int i = 0; i < 10; i++)
		x[i] = i + 1;
	double mean, hw;
	assert_int_equal(stat_ci_mean(x, 10, 0.95, &mean, &hw), 0);
	assert_true(fabs(mean - 5.5) < 1e-15);
	double want = 2.262157 * sqrt(55.0 / 6.0) / sqrt(10.0);
	assert_true(fabs(hw - want) < 1e-6);
	/* t_{0.995, 9} = 3.249836 */
	assert_int_equal(stat_ci_mean(x, 10, 0.99, &mean, &hw), 0);
	assert_true(fabs(hw - 3.249836 * sqrt(55.0 / 6.0) / sqrt(10.0)) < 1e-6);

	/* the Welford route gives the same interval */
	struct stat_welford w;
	stat_welford_init(&w);
	for (int i = 0; i < 10; i++)
		stat_welford_add(&w, x[i]);
	double wmean, whw;
	assert_int_equal(stat_welford_ci(&w, 0.95, &wmean, &whw), 0);
	assert_true(fabs(wmean - 5.5) < 1e-15);
	assert_true(fabs(whw - want) < 1e-6);

	/* one replication: a mean but no interval; none: neither */
	assert_int_equal(stat_ci_mean(x, 1, 0.95, &mean, &hw), 0);
	assert_true(mean == 1.0 && isnan(hw));
	assert_int_equal(stat_ci_mean(x, 0, 0.95, &mean, &hw), 0);
	assert_true(isnan(mean) && isnan(hw));
	/* constant values: zero width */
	const double c[3] = { 2.0, 2.0, 2.0 };
	assert_int_equal(stat_ci_mean(c, 3, 0.95, &mean, &hw), 0);
	assert_true(mean == 2.0 && hw == 0.0);
	/* bad level */
	assert_int_equal(stat_ci_mean(x, 10, 1.0, &mean, &hw), -EINVAL);
	assert_true(isnan(mean) && isnan(hw));
	assert_int_equal(stat_ci_mean(x, 10, 0.0, &mean, &hw), -EINVAL);
	assert_int_equal(stat_ci_mean(x, 10, NAN, &mean, &hw), -EINVAL);
	assert_int_equal(stat_welford_ci(&w, 1.5, &wmean, &whw), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter),
		cmocka_unit_test(test_welford_plain),
		cmocka_unit_test(test_welford_large_offset),
		cmocka_unit_test(test_welford_small_and_empty),
		cmocka_unit_test(test_hist_bucket_edges),
		cmocka_unit_test(test_hist_edges_are_powers),
		cmocka_unit_test(test_hist_quantile_error),
		cmocka_unit_test(test_hist_range_ends),
		cmocka_unit_test(test_hist_quantile_interpolates),
		cmocka_unit_test(test_hist_replications_differ),
		cmocka_unit_test(test_hist_merge),
		cmocka_unit_test(test_hist_sum_compensated),
		cmocka_unit_test(test_timeweighted),
		cmocka_unit_test(test_series),
		cmocka_unit_test(test_ci_mean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
