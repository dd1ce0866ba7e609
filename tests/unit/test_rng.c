/* test_rng.c: unit tests for sim/rng (per-entity streams and distributions).
 *
 * Streams: reproducibility, independence from creation order and from other entities, and
 * golden values that pin the derivation documented in rng.h (the results' reproducibility
 * contract). The golden values were computed by an independent Python implementation of the
 * contract (SplitMix64 / FNV-1a 64 / GSL taus2 seeding as in gsl-2.7 rng/taus.c), not by this
 * code, so they also check that the C matches its documentation.
 *
 * Distributions: closed-form moments against values worked by hand (sources in each case),
 * 2e5-draw sample moments within 4 standard errors of those, sample CDF at several
 * quantiles within 4 binomial standard errors, and rejection of invalid parameters. All
 * streams are seeded, so every run checks the same numbers.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gsl/gsl_cdf.h>

#include "rng.h"

#define NDRAWS 200000
#define NSE 4.0 /* tolerance in standard errors */

static void assert_close_(double actual, double expected, double tol, const char *what,
			  const char *file, int line)
{
	if (fabs(actual - expected) <= tol)
		return;
	print_error("%s: got %.17g, expected %.17g (tolerance %.3g, off by %.3g)\n", what, actual,
		    expected, tol, fabs(actual - expected));
	_fail(file, line);
}
#define assert_close(a, e, tol, what) assert_close_((a), (e), (tol), (what), __FILE__, __LINE__)
#define assert_rel(a, e, rel, what) assert_close((a), (e), (rel) * fabs(e), (what))

/* ---- streams -------------------------------------------------------------------------- */

static void test_stream_reproducible(void **state)
{
	(void)state;
	gsl_rng *a = rng_stream_new(7, 2, "host/db");
	gsl_rng *b = rng_stream_new(7, 2, "host/db");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(gsl_rng_name(a), "taus2");
	for (int i = 0; i < 1000; i++)
		assert_int_equal(gsl_rng_get(a), gsl_rng_get(b));
	gsl_rng_free(a);
	gsl_rng_free(b);
}

/* Number of equal draws, position by position, in the first 1000 of two streams. */
static int count_equal_draws(gsl_rng *a, gsl_rng *b)
{
	int same = 0;
	for (int i = 0; i < 1000; i++)
		same += gsl_rng_get(a) == gsl_rng_get(b);
	gsl_rng_free(a);
	gsl_rng_free(b);
	return same;
}

static void test_stream_differs(void **state)
{
	(void)state;
	/* Independent 32-bit draws coincide with probability 2^-32 each: expect none. */
	assert_int_equal(count_equal_draws(rng_stream_new(7, 2, "a"), rng_stream_new(7, 2, "b")), 0);
	assert_int_equal(count_equal_draws(rng_stream_new(7, 2, "ab"), rng_stream_new(7, 2, "ba")), 0);
	assert_int_equal(count_equal_draws(rng_stream_new(7, 2, "a"), rng_stream_new(7, 3, "a")), 0);
	assert_int_equal(count_equal_draws(rng_stream_new(7, 2, "a"), rng_stream_new(8, 2, "a")), 0);
	assert_int_equal(count_equal_draws(rng_stream_new(1, 0, "a"), rng_stream_new(0, 1, "a")), 0);
	assert_int_equal(count_equal_draws(rng_stream_new(0, 0, ""), rng_stream_new(0, 0, "a")), 0);
	assert_true(rng_stream_seed(1, 0, "x") != rng_stream_seed(0, 1, "x"));
	assert_true(rng_stream_seed(0, 0, "x") != rng_stream_seed(0, 0, "x "));
}

#define ORDER_DRAWS 200

/* Draw ORDER_DRAWS values from each named stream, creating them in the order given and
 * drawing round-robin, so both creation and interleaving differ between calls. */
static void draw_named(const char *const *names, int n, uint32_t out[][ORDER_DRAWS],
		       const int *slot)
{
	gsl_rng *r[8];
	for (int i = 0; i < n; i++) {
		r[i] = rng_stream_new(99, 1, names[i]);
		assert_non_null(r[i]);
	}
	for (int k = 0; k < ORDER_DRAWS; k++)
		for (int i = 0; i < n; i++) {
			uint32_t x = (uint32_t)gsl_rng_get(r[i]);
			if (slot[i] >= 0)
				out[slot[i]][k] = x;
		}
	for (int i = 0; i < n; i++)
		gsl_rng_free(r[i]);
}

static void test_stream_creation_order(void **state)
{
	(void)state;
	static uint32_t fwd[3][ORDER_DRAWS], rev[3][ORDER_DRAWS], extra[3][ORDER_DRAWS];
	const char *abc[] = {"a", "b", "c"};
	const int abc_slot[] = {0, 1, 2};
	const char *cba[] = {"c", "b", "a"};
	const int cba_slot[] = {2, 1, 0};
	const char *more[] = {"new-disk", "c", "a", "another", "b"};
	const int more_slot[] = {-1, 2, 0, -1, 1};

	draw_named(abc, 3, fwd, abc_slot);
	draw_named(cba, 3, rev, cba_slot);
	draw_named(more, 5, extra, more_slot);
	assert_memory_equal(fwd, rev, sizeof(fwd));
	assert_memory_equal(fwd, extra, sizeof(fwd));
	assert_true(memcmp(fwd[0], fwd[1], sizeof(fwd[0])) != 0);
}

/* Golden values from the independent reference implementation (see the file comment). */
static void test_stream_golden(void **state)
{
	(void)state;
	static const struct {
		uint64_t seed;
		uint32_t rep;
		const char *name;
		uint64_t hash;
		unsigned long first[3]; /* first gsl_rng_get() draws of rng_stream_new() */
	} cases[] = {
		{0, 0, "", UINT64_C(0x709de43aec7e615e), {3431601048UL, 1262415659UL, 3947950660UL}},
		{1, 0, "client", UINT64_C(0xe63570e02ed51765),
		 {1269924992UL, 1617773214UL, 4289775931UL}},
		{42, 3, "host/db-primary", UINT64_C(0x2bd7a208e40f8972),
		 {2277563938UL, 1986244932UL, 3136419544UL}},
		{UINT64_C(0xdeadbeefcafebabe), UINT32_MAX, "mirror.qos", UINT64_C(0x2ee6fd3ad4895344),
		 {4192901665UL, 2287401421UL, 2979706334UL}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(rng_stream_seed(cases[i].seed, cases[i].rep, cases[i].name),
				 cases[i].hash);
		gsl_rng *r = rng_stream_new(cases[i].seed, cases[i].rep, cases[i].name);
		assert_non_null(r);
		for (int k = 0; k < 3; k++)
			assert_int_equal(gsl_rng_get(r), cases[i].first[k]);
		gsl_rng_free(r);
	}
}

static void test_stream_new_type(void **state)
{
	(void)state;
	gsl_rng *a = rng_stream_new_type(gsl_rng_mt19937, 5, 0, "x");
	gsl_rng *b = rng_stream_new_type(gsl_rng_mt19937, 5, 0, "x");
	gsl_rng *c = rng_stream_new_type(NULL, 5, 0, "x");
	gsl_rng *d = rng_stream_new(5, 0, "x");
	assert_string_equal(gsl_rng_name(a), "mt19937");
	assert_string_equal(gsl_rng_name(c), "taus2");
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(gsl_rng_get(a), gsl_rng_get(b));
		assert_int_equal(gsl_rng_get(c), gsl_rng_get(d));
	}
	gsl_rng_free(a);
	gsl_rng_free(b);
	gsl_rng_free(c);
	gsl_rng_free(d);
}

/* ---- distributions: moments and quantiles --------------------------------------------- */

struct dist_case {
	const char *what;
	enum rng_dist_kind kind;
	double p1, p2;            /* constructor parameters (median, p99 for LOGNORMAL_P99) */
	int median_p99;           /* lognormal built from (median, p99) */
	double mean, variance;    /* closed forms worked independently */
};

static const struct rng_dist_point emp_tri[] = {{0.0, 0.0}, {1.0, 0.5}, {3.0, 1.0}};
static const struct rng_dist_point emp_mass[] = {{2.0, 0.3}, {4.0, 1.0}};
static const struct rng_dist_point emp_step[] = {{0.0, 0.0}, {1.0, 0.4}, {1.0, 0.7}, {2.0, 1.0}};

/* sigma for lognormal median 1, p99 10: ln 10 / z_0.99, z_0.99 = 2.3263478740408408. */
#define LN_SIGMA (2.302585092994046 / 2.3263478740408408)

static const struct dist_case dist_cases[] = {
	/* exponential: mean m, variance m^2 */
	{"exponential(2)", RNG_DIST_EXPONENTIAL, 2.0, 0, 0, 2.0, 4.0},
	/* uniform(a, b): (a + b) / 2, (b - a)^2 / 12 */
	{"uniform(1, 3)", RNG_DIST_UNIFORM, 1.0, 3.0, 0, 2.0, 1.0 / 3.0},
	{"normal(5, 2)", RNG_DIST_NORMAL, 5.0, 2.0, 0, 5.0, 4.0},
	{"normal(-1, 0.1)", RNG_DIST_NORMAL, -1.0, 0.1, 0, -1.0, 0.01},
	/* lognormal: e^{mu + s^2/2}, (e^{s^2} - 1) e^{2 mu + s^2}; here mu 0.5, s 0.75:
	 * e^0.78125 = 2.18420..., (e^0.5625 - 1) e^1.5625 */
	{"lognormal(0.5, 0.75)", RNG_DIST_LOGNORMAL, 0.5, 0.75, 0, 2.184200810815618,
	 3.6021643061596613},
	/* median 1, p99 10: mu 0, sigma 0.98979..., mean e^{s^2/2}, var (e^{s^2} - 1) e^{s^2} */
	{"lognormal(median 1, p99 10)", RNG_DIST_LOGNORMAL, 1.0, 10.0, 1, 1.6320510555203518,
	 4.4311244913562104},
	/* gamma(k, theta): k theta, k theta^2 */
	{"gamma(3, 2)", RNG_DIST_GAMMA, 3.0, 2.0, 0, 6.0, 12.0},
	{"gamma(0.5, 1)", RNG_DIST_GAMMA, 0.5, 1.0, 0, 0.5, 0.5},
	/* weibull(k, lambda): lambda G(1 + 1/k), lambda^2 (G(1 + 2/k) - G(1 + 1/k)^2);
	 * k = 2, lambda 1 (Rayleigh): sqrt(pi)/2, 1 - pi/4; k = 0.5, lambda 3: 3 G(3) = 6,
	 * 9 (G(5) - G(3)^2) = 9 (24 - 4) = 180 */
	{"weibull(2, 1)", RNG_DIST_WEIBULL, 2.0, 1.0, 0, 0.8862269254527579,
	 0.21460183660255172},
	{"weibull(0.5, 3)", RNG_DIST_WEIBULL, 0.5, 3.0, 0, 6.0, 180.0},
	/* weibull k = 20: G(1.05) = 0.9735042655627756, G(1.1) = 0.951350769866873 */
	{"weibull(20, 10)", RNG_DIST_WEIBULL, 20.0, 10.0, 0, 9.735042655627756,
	 100.0 * (0.951350769866873 - 0.9735042655627756 * 0.9735042655627756)},
	/* empirical, by hand: mass times segment midpoint; E[(X)^2] on [a, b] = (a^2+ab+b^2)/3.
	 * tri: 0.5 * 0.5 + 0.5 * 2 = 1.25; E X^2 = 0.5/3 + 0.5 * 13/3 = 7/3; var 7/3 - 1.5625
	 * mass: 0.3 * 2 + 0.7 * 3 = 2.7; E X^2 = 1.2 + 0.7 * 28/3; var that - 7.29
	 * step: 0.4 * 0.5 + 0.3 * 1 + 0.3 * 1.5 = 0.95; E X^2 = 0.4/3 + 0.3 + 0.7; var - 0.9025 */
	{"empirical tri", RNG_DIST_EMPIRICAL, 0, 0, 0, 1.25, 7.0 / 3.0 - 1.5625},
	{"empirical mass", RNG_DIST_EMPIRICAL, 1, 0, 0, 2.7, 1.2 + 0.7 * 28.0 / 3.0 - 7.29},
	{"empirical step", RNG_DIST_EMPIRICAL, 2, 0, 0, 0.95, 0.4 / 3.0 + 1.0 - 0.9025},
};

static void init_case(struct rng_dist *d, const struct dist_case *c)
{
	int rc = -1;
	switch (c->kind) {
	case RNG_DIST_EXPONENTIAL:
		rc = rng_dist_init_exponential(d, c->p1);
		break;
	case RNG_DIST_UNIFORM:
		rc = rng_dist_init_uniform(d, c->p1, c->p2);
		break;
	case RNG_DIST_NORMAL:
		rc = rng_dist_init_normal(d, c->p1, c->p2);
		break;
	case RNG_DIST_LOGNORMAL:
		rc = c->median_p99 ? rng_dist_init_lognormal_median_p99(d, c->p1, c->p2)
				   : rng_dist_init_lognormal(d, c->p1, c->p2);
		break;
	case RNG_DIST_GAMMA:
		rc = rng_dist_init_gamma(d, c->p1, c->p2);
		break;
	case RNG_DIST_WEIBULL:
		rc = rng_dist_init_weibull(d, c->p1, c->p2);
		break;
	case RNG_DIST_EMPIRICAL:
		if (c->p1 == 0)
			rc = rng_dist_init_empirical(d, emp_tri, 3);
		else if (c->p1 == 1)
			rc = rng_dist_init_empirical(d, emp_mass, 2);
		else
			rc = rng_dist_init_empirical(d, emp_step, 4);
		break;
	default:
		fail_msg("no case for kind %d", (int)c->kind);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(d->kind, c->kind);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Fraction of the sorted sample that is <= x (or < x when strict). */
static double frac_below(const double *sorted, size_t n, double x, int strict)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strict ? sorted[mid] < x : sorted[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (double)lo / (double)n;
}

static void test_dist_moments_and_cdf(void **state)
{
	(void)state;
	double *x = malloc(NDRAWS * sizeof(*x));
	assert_non_null(x);
	for (size_t ci = 0; ci < sizeof(dist_cases) / sizeof(dist_cases[0]); ci++) {
		const struct dist_case *c = &dist_cases[ci];
		struct rng_dist d;
		init_case(&d, c);
		print_message("  %-30s mean %-10.6g var %-10.6g\n", c->what, rng_dist_mean(&d),
			      rng_dist_variance(&d));

		/* Closed forms equal the independently worked values. */
		assert_rel(rng_dist_mean(&d), c->mean, 1e-12, c->what);
		assert_rel(rng_dist_variance(&d), c->variance, 1e-11, c->what);

		/* Sample moments: mean within NSE * sqrt(var / n); variance within NSE standard
		 * errors of the sample variance, sqrt((m4 - m2^2) / n), with m4 taken from the
		 * sample (heavy-tailed cases have large fourth moments). */
		gsl_rng *r = rng_stream_new(2024, 0, c->what);
		assert_non_null(r);
		double sum = 0.0;
		for (size_t i = 0; i < NDRAWS; i++) {
			x[i] = rng_dist_sample(&d, r);
			sum += x[i];
		}
		gsl_rng_free(r);
		double m = sum / NDRAWS, m2 = 0.0, m4 = 0.0;
		for (size_t i = 0; i < NDRAWS; i++) {
			double e = (x[i] - m) * (x[i] - m);
			m2 += e;
			m4 += e * e;
		}
		m2 /= NDRAWS;
		m4 /= NDRAWS;
		double s2 = m2 * NDRAWS / (NDRAWS - 1);
		assert_close(m, c->mean, NSE * sqrt(c->variance / NDRAWS), c->what);
		assert_close(s2, c->variance, NSE * sqrt((m4 - m2 * m2) / NDRAWS), c->what);

		/* Sample CDF at the distribution's own quantiles (checks sampler, quantile and
		 * parameter order together, e.g. GSL's Weibull (scale, shape)). A quantile q of p
		 * satisfies P(X < q) <= p <= P(X <= q); both are p except at a point mass. */
		qsort(x, NDRAWS, sizeof(*x), cmp_double);
		static const double ps[] = {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99};
		for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
			double q = rng_dist_quantile(&d, ps[k]);
			double tol = NSE * sqrt(ps[k] * (1 - ps[k]) / NDRAWS);
			double lt = frac_below(x, NDRAWS, q, 1), le = frac_below(x, NDRAWS, q, 0);
			if (!(lt <= ps[k] + tol && le >= ps[k] - tol)) {
				print_error("%s: quantile(%g) = %.17g but sample P(X < q) = %g, "
					    "P(X <= q) = %g (tolerance %.3g)\n",
					    c->what, ps[k], q, lt, le, tol);
				fail();
			}
		}
		rng_dist_release(&d);
	}
	free(x);
}

static void test_dist_lognormal_median_p99(void **state)
{
	(void)state;
	static const double pairs[][2] = {{1.0, 10.0}, {0.002, 0.05}, {3600.0, 86400.0}};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct rng_dist d;
		assert_int_equal(rng_dist_init_lognormal_median_p99(&d, pairs[i][0], pairs[i][1]), 0);
		assert_rel(rng_dist_quantile(&d, 0.99), pairs[i][1], 1e-12, "p99");
		assert_rel(rng_dist_quantile(&d, 0.5), pairs[i][0], 1e-12, "median");
		assert_rel(d.u.lognormal.mu, log(pairs[i][0]), 1e-15, "mu");
		rng_dist_release(&d);
	}
	struct rng_dist d;
	assert_int_equal(rng_dist_init_lognormal_median_p99(&d, 1.0, 10.0), 0);
	assert_close(d.u.lognormal.mu, 0.0, 0.0, "mu");
	assert_rel(d.u.lognormal.sigma, LN_SIGMA, 1e-14, "sigma");
	assert_rel(rng_dist_mean(&d), exp(LN_SIGMA * LN_SIGMA / 2), 1e-14, "mean");
	rng_dist_release(&d);
}

static void test_dist_quantiles_closed_form(void **state)
{
	(void)state;
	struct rng_dist d;
	assert_int_equal(rng_dist_init_exponential(&d, 2.0), 0);
	assert_rel(rng_dist_quantile(&d, 0.5), 2.0 * log(2.0), 1e-14, "exp median");
	assert_close(rng_dist_quantile(&d, 0.0), 0.0, 0.0, "exp q0");
	assert_true(isinf(rng_dist_quantile(&d, 1.0)));
	assert_true(isnan(rng_dist_quantile(&d, -0.1)));
	assert_true(isnan(rng_dist_quantile(&d, 1.5)));
	assert_true(isnan(rng_dist_quantile(&d, NAN)));
	assert_int_equal(rng_dist_init_weibull(&d, 2.0, 3.0), 0);
	/* Weibull: lambda (-ln(1 - p))^{1/k} */
	assert_rel(rng_dist_quantile(&d, 0.9), 3.0 * sqrt(log(10.0)), 1e-13, "weibull q0.9");
	assert_int_equal(rng_dist_init_uniform(&d, 1.0, 5.0), 0);
	assert_rel(rng_dist_quantile(&d, 0.25), 2.0, 1e-15, "uniform q0.25");
	assert_int_equal(rng_dist_init_normal(&d, 5.0, 2.0), 0);
	assert_rel(rng_dist_quantile(&d, 0.975), 5.0 + 2.0 * 1.959963984540054, 1e-12, "normal");
	assert_int_equal(rng_dist_init_gamma(&d, 1.0, 2.0), 0); /* = exponential(2) */
	assert_rel(rng_dist_quantile(&d, 0.5), 2.0 * log(2.0), 1e-10, "gamma(1) median");
	assert_int_equal(rng_dist_init_deterministic(&d, 4.25), 0);
	assert_close(rng_dist_quantile(&d, 0.3), 4.25, 0.0, "deterministic");
	rng_dist_release(&d);
}

static void test_dist_empirical_points(void **state)
{
	(void)state;
	/* Quantile at each point's probability is that point's value; between points it is
	 * interpolated; sampling matches the CDF at the points and at segment midpoints. */
	static const struct rng_dist_point pts[] = {
		{0.5, 0.1}, {1.0, 0.3}, {2.0, 0.3}, {4.0, 0.8}, {4.0, 0.9}, {10.0, 1.0}};
	const size_t n = sizeof(pts) / sizeof(pts[0]);
	struct rng_dist d;
	assert_int_equal(rng_dist_init_empirical(&d, pts, n), 0);
	assert_true(d.u.empirical.points != pts); /* a copy */
	assert_close(rng_dist_quantile(&d, 0.0), 0.5, 0.0, "q0");
	assert_close(rng_dist_quantile(&d, 0.1), 0.5, 0.0, "q0.1");
	assert_close(rng_dist_quantile(&d, 0.2), 0.75, 1e-15, "q0.2");
	assert_close(rng_dist_quantile(&d, 0.3), 1.0, 0.0, "q0.3");
	assert_close(rng_dist_quantile(&d, 0.55), 3.0, 1e-15, "q0.55");
	assert_close(rng_dist_quantile(&d, 0.85), 4.0, 0.0, "q0.85 (step)");
	assert_close(rng_dist_quantile(&d, 0.95), 7.0, 1e-14, "q0.95");
	assert_close(rng_dist_quantile(&d, 1.0), 10.0, 0.0, "q1");

	gsl_rng *r = rng_stream_new(3, 0, "empirical");
	size_t below[6] = {0}, eq_first = 0, below_mid = 0, above_max = 0;
	for (int i = 0; i < NDRAWS; i++) {
		double x = rng_dist_sample(&d, r);
		for (size_t k = 0; k < n; k++)
			below[k] += x <= pts[k].value;
		eq_first += x == 0.5;
		below_mid += x <= 7.0; /* P = 0.9 + 0.1 * 0.5 */
		above_max += x > 10.0 || x < 0.5;
	}
	gsl_rng_free(r);
	for (size_t k = 0; k < n; k++) {
		/* P(X <= v_k) is the last cum_prob at that value */
		double p = (k + 1 < n && pts[k + 1].value == pts[k].value) ? pts[k + 1].cum_prob
									    : pts[k].cum_prob;
		assert_close((double)below[k] / NDRAWS, p, NSE * sqrt(p * (1 - p) / NDRAWS) + 1e-12,
			     "fraction below point");
	}
	assert_close((double)eq_first / NDRAWS, 0.1, NSE * sqrt(0.09 / NDRAWS), "point mass");
	assert_close((double)below_mid / NDRAWS, 0.95, NSE * sqrt(0.0475 / NDRAWS), "midpoint");
	assert_int_equal(above_max, 0);

	/* A single point is a point mass. */
	struct rng_dist one;
	const struct rng_dist_point single = {3.0, 1.0};
	assert_int_equal(rng_dist_init_empirical(&one, &single, 1), 0);
	r = rng_stream_new(3, 0, "single");
	for (int i = 0; i < 100; i++)
		assert_close(rng_dist_sample(&one, r), 3.0, 0.0, "single point");
	gsl_rng_free(r);
	assert_close(rng_dist_mean(&one), 3.0, 0.0, "single mean");
	assert_close(rng_dist_variance(&one), 0.0, 0.0, "single variance");
	rng_dist_release(&one);
	rng_dist_release(&d);
}

static void test_dist_deterministic_and_clamps(void **state)
{
	(void)state;
	struct rng_dist d;
	gsl_rng *r = rng_stream_new(11, 0, "clamp");
	gsl_rng *ref = rng_stream_new(11, 0, "clamp");

	assert_int_equal(rng_dist_init_deterministic(&d, 1.5), 0);
	assert_close(rng_dist_sample(&d, r), 1.5, 0.0, "deterministic");
	assert_int_equal(rng_dist_sample_time(&d, r), 1500000000);
	assert_close(rng_dist_mean(&d), 1.5, 0.0, "mean");
	assert_close(rng_dist_variance(&d), 0.0, 0.0, "variance");
	/* consumed no random numbers */
	assert_int_equal(gsl_rng_get(r), gsl_rng_get(ref));

	assert_int_equal(rng_dist_init_deterministic(&d, -2.0), 0);
	assert_close(rng_dist_sample(&d, r), -2.0, 0.0, "raw negative");
	assert_close(rng_dist_sample_nonneg(&d, r), 0.0, 0.0, "clamped");
	assert_int_equal(rng_dist_sample_time(&d, r), 0);

	/* normal(0.5, 1): raw draws negative with probability Phi(-0.5) = 0.30854; the clamped
	 * draws are 0 exactly then, and the clamp consumes the same draws as the raw sampler. */
	assert_int_equal(rng_dist_init_normal(&d, 0.5, 1.0), 0);
	gsl_rng *a = rng_stream_new(12, 0, "n");
	gsl_rng *b = rng_stream_new(12, 0, "n");
	int neg = 0;
	for (int i = 0; i < NDRAWS; i++) {
		double raw = rng_dist_sample(&d, a), clamped = rng_dist_sample_nonneg(&d, b);
		neg += raw < 0;
		assert_close(clamped, raw < 0 ? 0.0 : raw, 0.0, "clamp");
	}
	double p = gsl_cdf_ugaussian_P(-0.5);
	assert_close((double)neg / NDRAWS, p, NSE * sqrt(p * (1 - p) / NDRAWS), "negative share");
	sim_time t = rng_dist_sample_time(&d, a);
	assert_true(t >= 0);

	/* exponential seconds to nanoseconds: 1e5 draws of mean 0.25 s average 0.25e9 ns */
	assert_int_equal(rng_dist_init_exponential(&d, 0.25), 0);
	double sum = 0;
	for (int i = 0; i < 100000; i++)
		sum += (double)rng_dist_sample_time(&d, a);
	assert_close(sum / 100000, 0.25e9, NSE * 0.25e9 / sqrt(100000), "sample_time mean");

	gsl_rng_free(a);
	gsl_rng_free(b);
	gsl_rng_free(r);
	gsl_rng_free(ref);
	rng_dist_release(&d);
}

/* ---- distributions: invalid parameters ------------------------------------------------ */

static void test_dist_invalid(void **state)
{
	(void)state;
	struct rng_dist d;
	rng_dist_init_deterministic(&d, 7.0); /* failures must leave this untouched */
	const double inf = INFINITY;

	assert_int_equal(rng_dist_init_exponential(&d, -1.0), -EINVAL);
	assert_int_equal(rng_dist_init_exponential(&d, 0.0), -EINVAL);
	assert_int_equal(rng_dist_init_exponential(&d, NAN), -EINVAL);
	assert_int_equal(rng_dist_init_exponential(&d, inf), -EINVAL);
	assert_int_equal(rng_dist_init_deterministic(&d, NAN), -EINVAL);
	assert_int_equal(rng_dist_init_deterministic(&d, -inf), -EINVAL);
	assert_int_equal(rng_dist_init_uniform(&d, 3.0, 1.0), -EINVAL);
	assert_int_equal(rng_dist_init_uniform(&d, 2.0, 2.0), -EINVAL);
	assert_int_equal(rng_dist_init_uniform(&d, 0.0, inf), -EINVAL);
	assert_int_equal(rng_dist_init_normal(&d, 1.0, 0.0), -EINVAL);
	assert_int_equal(rng_dist_init_normal(&d, 1.0, -1.0), -EINVAL);
	assert_int_equal(rng_dist_init_normal(&d, NAN, 1.0), -EINVAL);
	assert_int_equal(rng_dist_init_lognormal(&d, 0.0, 0.0), -EINVAL);
	assert_int_equal(rng_dist_init_lognormal(&d, inf, 1.0), -EINVAL);
	assert_int_equal(rng_dist_init_lognormal_median_p99(&d, 1.0, 1.0), -EINVAL);
	assert_int_equal(rng_dist_init_lognormal_median_p99(&d, 2.0, 1.0), -EINVAL);
	assert_int_equal(rng_dist_init_lognormal_median_p99(&d, 0.0, 1.0), -EINVAL);
	assert_int_equal(rng_dist_init_lognormal_median_p99(&d, -1.0, 1.0), -EINVAL);
	assert_int_equal(rng_dist_init_lognormal_median_p99(&d, 1.0, inf), -EINVAL);
	assert_int_equal(rng_dist_init_gamma(&d, 0.0, 1.0), -EINVAL);
	assert_int_equal(rng_dist_init_gamma(&d, 1.0, -1.0), -EINVAL);
	assert_int_equal(rng_dist_init_weibull(&d, -2.0, 1.0), -EINVAL);
	assert_int_equal(rng_dist_init_weibull(&d, 2.0, 0.0), -EINVAL);

	static const struct rng_dist_point unsorted[] = {{0.0, 0.0}, {2.0, 0.5}, {1.0, 1.0}};
	static const struct rng_dist_point prob_down[] = {{0.0, 0.0}, {1.0, 0.6}, {2.0, 0.5},
							  {3.0, 1.0}};
	static const struct rng_dist_point not_one[] = {{0.0, 0.0}, {1.0, 0.99}};
	static const struct rng_dist_point over_one[] = {{0.0, 0.0}, {1.0, 1.5}, {2.0, 1.0}};
	static const struct rng_dist_point negative[] = {{0.0, -0.1}, {1.0, 1.0}};
	static const struct rng_dist_point nan_value[] = {{0.0, 0.0}, {NAN, 0.5}, {2.0, 1.0}};
	static const struct rng_dist_point nan_prob[] = {{0.0, 0.0}, {1.0, NAN}, {2.0, 1.0}};
	static const struct rng_dist_point ok[] = {{0.0, 0.0}, {1.0, 1.0}};
	assert_int_equal(rng_dist_init_empirical(&d, unsorted, 3), -EINVAL);
	assert_int_equal(rng_dist_init_empirical(&d, prob_down, 4), -EINVAL);
	assert_int_equal(rng_dist_init_empirical(&d, not_one, 2), -EINVAL);
	assert_int_equal(rng_dist_init_empirical(&d, over_one, 3), -EINVAL);
	assert_int_equal(rng_dist_init_empirical(&d, negative, 2), -EINVAL);
	assert_int_equal(rng_dist_init_empirical(&d, nan_value, 3), -EINVAL);
	assert_int_equal(rng_dist_init_empirical(&d, nan_prob, 3), -EINVAL);
	assert_int_equal(rng_dist_init_empirical(&d, ok, 0), -EINVAL);
	assert_int_equal(rng_dist_init_empirical(&d, NULL, 2), -EINVAL);

	assert_int_equal(d.kind, RNG_DIST_DETERMINISTIC);
	assert_close(d.u.deterministic.value, 7.0, 0.0, "untouched after failures");
	rng_dist_release(&d);
}

static void test_dist_release(void **state)
{
	(void)state;
	static const struct rng_dist_point pts[] = {{0.0, 0.0}, {1.0, 1.0}};
	struct rng_dist d;
	assert_int_equal(rng_dist_init_empirical(&d, pts, 2), 0);
	rng_dist_release(&d);
	assert_int_equal(d.kind, RNG_DIST_DETERMINISTIC);
	rng_dist_release(&d); /* harmless twice */
	rng_dist_release(NULL);
}

static void test_dist_kind_names(void **state)
{
	(void)state;
	static const char *const names[] = {"exponential", "deterministic", "uniform", "normal",
					    "lognormal",   "gamma",         "weibull", "empirical"};
	assert_int_equal(RNG_DIST_KIND_COUNT, 8);
	for (int k = 0; k < RNG_DIST_KIND_COUNT; k++) {
		assert_string_equal(rng_dist_kind_name((enum rng_dist_kind)k), names[k]);
		assert_int_equal(rng_dist_kind_from_name(names[k]), k);
	}
	assert_int_equal(rng_dist_kind_from_name("lognormal"), RNG_DIST_LOGNORMAL);
	assert_int_equal(rng_dist_kind_from_name("Exponential"), -EINVAL);
	assert_int_equal(rng_dist_kind_from_name("exp"), -EINVAL);
	assert_int_equal(rng_dist_kind_from_name(""), -EINVAL);
	assert_int_equal(rng_dist_kind_from_name(NULL), -EINVAL);
	assert_string_equal(rng_dist_kind_name(RNG_DIST_KIND_COUNT), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_reproducible),
		cmocka_unit_test(test_stream_differs),
		cmocka_unit_test(test_stream_creation_order),
		cmocka_unit_test(test_stream_golden),
		cmocka_unit_test(test_stream_new_type),
		cmocka_unit_test(test_dist_moments_and_cdf),
		cmocka_unit_test(test_dist_lognormal_median_p99),
		cmocka_unit_test(test_dist_quantiles_closed_form),
		cmocka_unit_test(test_dist_empirical_points),
		cmocka_unit_test(test_dist_deterministic_and_clamps),
		cmocka_unit_test(test_dist_invalid),
		cmocka_unit_test(test_dist_release),
		cmocka_unit_test(test_dist_kind_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
