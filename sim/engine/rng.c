/* rng.c: per-entity random streams and distributions on GSL (see rng.h for the contract).
 *
 * Invariants: no global or static mutable state (streams and distributions of separate
 * engines are independent across threads); no I/O; the stream derivation is exactly the one
 * written in rng.h and pinned by golden values in tests/unit/test_rng.c; an initialised
 * struct rng_dist always holds parameters that passed its constructor's checks, so sampling,
 * moments and quantiles need no error path.
 */
#include "rng.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

/* ---- streams -------------------------------------------------------------------------- */

#define RNG_GOLDEN UINT64_C(0x9e3779b97f4a7c15)
#define RNG_FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define RNG_FNV_PRIME UINT64_C(0x100000001b3)

/* SplitMix64 finalizer: a bijection on 64-bit words with full avalanche. */
static uint64_t rng_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t rng_fnv1a64(const char *s)
{
	uint64_t h = RNG_FNV_OFFSET;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= *p;
		h *= RNG_FNV_PRIME;
	}
	return h;
}

uint64_t rng_stream_seed(uint64_t scenario_seed, uint32_t replication, const char *name)
{
	uint64_t h = rng_mix64(scenario_seed + RNG_GOLDEN);
	h = rng_mix64(h ^ (uint64_t)replication);
	return rng_mix64(h ^ rng_fnv1a64(name));
}

gsl_rng *rng_stream_new_type(const gsl_rng_type *type, uint64_t scenario_seed,
			     uint32_t replication, const char *name)
{
	uint64_t h = rng_stream_seed(scenario_seed, replication, name);
	gsl_rng *r = gsl_rng_alloc(type ? type : gsl_rng_taus2);
	if (!r)
		return NULL;
	gsl_rng_set(r, (unsigned long)(uint32_t)(h ^ (h >> 32)));
	return r;
}

gsl_rng *rng_stream_new(uint64_t scenario_seed, uint32_t replication, const char *name)
{
	return rng_stream_new_type(gsl_rng_taus2, scenario_seed, replication, name);
}

/* ---- distributions: construction ------------------------------------------------------ */

static bool rng_positive(double x)
{
	return isfinite(x) && x > 0.0;
}

int rng_dist_init_exponential(struct rng_dist *d, double mean)
{
	if (!rng_positive(mean))
		return -EINVAL;
	d->kind = RNG_DIST_EXPONENTIAL;
	d->u.exponential.mean = mean;
	return 0;
}

int rng_dist_init_deterministic(struct rng_dist *d, double value)
{
	if (!isfinite(value))
		return -EINVAL;
	d->kind = RNG_DIST_DETERMINISTIC;
	d->u.deterministic.value = value;
	return 0;
}

int rng_dist_init_uniform(struct rng_dist *d, double a, double b)
{
	if (!isfinite(a) || !isfinite(b) || !(a < b))
		return -EINVAL;
	d->kind = RNG_DIST_UNIFORM;
	d->u.uniform.a = a;
	d->u.uniform.b = b;
	return 0;
}

int rng_dist_init_normal(struct rng_dist *d, double mean, double sd)
{
	if (!isfinite(mean) || !rng_positive(sd))
		return -EINVAL;
	d->kind = RNG_DIST_NORMAL;
	d->u.normal.mean = mean;
	d->u.normal.sd = sd;
	return 0;
}

int rng_dist_init_lognormal(struct rng_dist *d, double mu, double sigma)
{
	if (!isfinite(mu) || !rng_positive(sigma))
		return -EINVAL;
	d->kind = RNG_DIST_LOGNORMAL;
	d->u.lognormal.mu = mu;
	d->u.lognormal.sigma = sigma;
	return 0;
}

int rng_dist_init_lognormal_median_p99(struct rng_dist *d, double median, double p99)
{
	if (!rng_positive(median) || !isfinite(p99) || !(p99 > median))
		return -EINVAL;
	double mu = log(median);
	double sigma = (log(p99) - mu) / gsl_cdf_ugaussian_Pinv(0.99);
	return rng_dist_init_lognormal(d, mu, sigma);
}

int rng_dist_init_gamma(struct rng_dist *d, double shape, double scale)
{
	if (!rng_positive(shape) || !rng_positive(scale))
		return -EINVAL;
	d->kind = RNG_DIST_GAMMA;
	d->u.gamma.shape = shape;
	d->u.gamma.scale = scale;
	return 0;
}

int rng_dist_init_weibull(struct rng_dist *d, double shape, double scale)
{
	if (!rng_positive(shape) || !rng_positive(scale))
		return -EINVAL;
	d->kind = RNG_DIST_WEIBULL;
	d->u.weibull.shape = shape;
	d->u.weibull.scale = scale;
	return 0;
}

int rng_dist_init_empirical(struct rng_dist *d, const struct rng_dist_point *points, size_t n)
{
	if (!points || n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		double v = points[i].value, c = points[i].cum_prob;
		if (!isfinite(v) || !(c >= 0.0 && c <= 1.0))
			return -EINVAL;
		if (i > 0 && (v < points[i - 1].value || c < points[i - 1].cum_prob))
			return -EINVAL;
	}
	if (points[n - 1].cum_prob != 1.0)
		return -EINVAL;
	if (n > SIZE_MAX / sizeof(*points))
		return -ENOMEM;
	struct rng_dist_point *copy = malloc(n * sizeof(*points));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, points, n * sizeof(*points));
	d->kind = RNG_DIST_EMPIRICAL;
	d->u.empirical.points = copy;
	d->u.empirical.n = n;
	return 0;
}

void rng_dist_release(struct rng_dist *d)
{
	if (!d)
		return;
	if (d->kind == RNG_DIST_EMPIRICAL)
		free(d->u.empirical.points);
	d->kind = RNG_DIST_DETERMINISTIC;
	d->u.deterministic.value = 0.0;
}

/* ---- distributions: use --------------------------------------------------------------- */

/* Inverse of the empirical piecewise-linear CDF at p in [0, 1]: the first point whose
 * cumulative probability reaches p, interpolated from its predecessor. Because that point is
 * the first to reach p, its predecessor's probability is < p, so the interval is not empty. */
static double rng_empirical_inverse(const struct rng_dist_point *pt, size_t n, double p)
{
	size_t lo = 0, hi = n - 1; /* last point has cum_prob 1 >= p: answer in [lo, hi] */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pt[mid].cum_prob >= p)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == 0)
		return pt[0].value;
	const struct rng_dist_point *a = &pt[lo - 1], *b = &pt[lo];
	double t = (p - a->cum_prob) / (b->cum_prob - a->cum_prob);
	return a->value + (b->value - a->value) * t;
}

double rng_dist_sample(const struct rng_dist *d, gsl_rng *r)
{
	switch (d->kind) {
	case RNG_DIST_EXPONENTIAL:
		return gsl_ran_exponential(r, d->u.exponential.mean);
	case RNG_DIST_DETERMINISTIC:
		return d->u.deterministic.value;
	case RNG_DIST_UNIFORM:
		return gsl_ran_flat(r, d->u.uniform.a, d->u.uniform.b);
	case RNG_DIST_NORMAL:
		return d->u.normal.mean + gsl_ran_gaussian_ziggurat(r, d->u.normal.sd);
	case RNG_DIST_LOGNORMAL:
		/* exp of a ziggurat normal: the same law as gsl_ran_lognormal, faster */
		return exp(d->u.lognormal.mu + d->u.lognormal.sigma * gsl_ran_gaussian_ziggurat(r, 1.0));
	case RNG_DIST_GAMMA:
		return gsl_ran_gamma(r, d->u.gamma.shape, d->u.gamma.scale);
	case RNG_DIST_WEIBULL: /* GSL: a = scale, b = shape */
		return gsl_ran_weibull(r, d->u.weibull.scale, d->u.weibull.shape);
	case RNG_DIST_EMPIRICAL:
		return rng_empirical_inverse(d->u.empirical.points, d->u.empirical.n,
					     gsl_rng_uniform(r));
	case RNG_DIST_KIND_COUNT:
		break;
	}
	abort(); /* not an initialised rng_dist: a programmer bug */
}

double rng_dist_sample_nonneg(const struct rng_dist *d, gsl_rng *r)
{
	double x = rng_dist_sample(d, r);
	return x > 0.0 ? x : 0.0;
}

sim_time rng_dist_sample_time(const struct rng_dist *d, gsl_rng *r)
{
	return sim_time_from_s(rng_dist_sample_nonneg(d, r));
}

/* Mean of the empirical distribution: the point mass at the first value plus, for each
 * segment, its probability times its midpoint (X is uniform within a segment). */
static double rng_empirical_mean(const struct rng_dist_point *pt, size_t n)
{
	double m = pt[0].cum_prob * pt[0].value;
	for (size_t i = 1; i < n; i++)
		m += (pt[i].cum_prob - pt[i - 1].cum_prob) * 0.5 * (pt[i - 1].value + pt[i].value);
	return m;
}

/* Variance about the mean m, summed in centred form to avoid E[X^2] - m^2 cancellation:
 * for X uniform on [a, b], E[(X - m)^2] = (a'^2 + a'b' + b'^2) / 3 with a' = a - m, b' = b - m. */
static double rng_empirical_variance(const struct rng_dist_point *pt, size_t n)
{
	double m = rng_empirical_mean(pt, n);
	double a0 = pt[0].value - m;
	double v = pt[0].cum_prob * a0 * a0;
	for (size_t i = 1; i < n; i++) {
		double a = pt[i - 1].value - m, b = pt[i].value - m;
		v += (pt[i].cum_prob - pt[i - 1].cum_prob) * (a * a + a * b + b * b) / 3.0;
	}
	return v;
}

double rng_dist_mean(const struct rng_dist *d)
{
	switch (d->kind) {
	case RNG_DIST_EXPONENTIAL:
		return d->u.exponential.mean;
	case RNG_DIST_DETERMINISTIC:
		return d->u.deterministic.value;
	case RNG_DIST_UNIFORM:
		return 0.5 * (d->u.uniform.a + d->u.uniform.b);
	case RNG_DIST_NORMAL:
		return d->u.normal.mean;
	case RNG_DIST_LOGNORMAL: {
		double s = d->u.lognormal.sigma;
		return exp(d->u.lognormal.mu + 0.5 * s * s);
	}
	case RNG_DIST_GAMMA:
		return d->u.gamma.shape * d->u.gamma.scale;
	case RNG_DIST_WEIBULL: /* lambda Gamma(1 + 1/k) */
		return d->u.weibull.scale * tgamma(1.0 + 1.0 / d->u.weibull.shape);
	case RNG_DIST_EMPIRICAL:
		return rng_empirical_mean(d->u.empirical.points, d->u.empirical.n);
	case RNG_DIST_KIND_COUNT:
		break;
	}
	abort();
}

double rng_dist_variance(const struct rng_dist *d)
{
	switch (d->kind) {
	case RNG_DIST_EXPONENTIAL:
		return d->u.exponential.mean * d->u.exponential.mean;
	case RNG_DIST_DETERMINISTIC:
		return 0.0;
	case RNG_DIST_UNIFORM: {
		double w = d->u.uniform.b - d->u.uniform.a;
		return w * w / 12.0;
	}
	case RNG_DIST_NORMAL:
		return d->u.normal.sd * d->u.normal.sd;
	case RNG_DIST_LOGNORMAL: { /* (e^{s^2} - 1) e^{2 mu + s^2} */
		double s2 = d->u.lognormal.sigma * d->u.lognormal.sigma;
		return expm1(s2) * exp(2.0 * d->u.lognormal.mu + s2);
	}
	case RNG_DIST_GAMMA:
		return d->u.gamma.shape * d->u.gamma.scale * d->u.gamma.scale;
	case RNG_DIST_WEIBULL: {
		/* lambda^2 (G2 - G1^2) with G1 = Gamma(1 + 1/k), G2 = Gamma(1 + 2/k), written as
		 * lambda^2 G1^2 expm1(ln G2 - 2 ln G1): for large k, G2 and G1^2 are both near 1
		 * and their plain difference would lose most of its digits. */
		double k = d->u.weibull.shape, l = d->u.weibull.scale;
		double lg1 = lgamma(1.0 + 1.0 / k), lg2 = lgamma(1.0 + 2.0 / k);
		return l * l * exp(2.0 * lg1) * expm1(lg2 - 2.0 * lg1);
	}
	case RNG_DIST_EMPIRICAL:
		return rng_empirical_variance(d->u.empirical.points, d->u.empirical.n);
	case RNG_DIST_KIND_COUNT:
		break;
	}
	abort();
}

double rng_dist_quantile(const struct rng_dist *d, double p)
{
	if (!(p >= 0.0 && p <= 1.0)) /* also catches NaN; GSL's error handler would abort */
		return NAN;
	switch (d->kind) {
	case RNG_DIST_EXPONENTIAL:
		return gsl_cdf_exponential_Pinv(p, d->u.exponential.mean);
	case RNG_DIST_DETERMINISTIC:
		return d->u.deterministic.value;
	case RNG_DIST_UNIFORM:
		return gsl_cdf_flat_Pinv(p, d->u.uniform.a, d->u.uniform.b);
	case RNG_DIST_NORMAL:
		return d->u.normal.mean + gsl_cdf_gaussian_Pinv(p, d->u.normal.sd);
	case RNG_DIST_LOGNORMAL:
		return gsl_cdf_lognormal_Pinv(p, d->u.lognormal.mu, d->u.lognormal.sigma);
	case RNG_DIST_GAMMA:
		return gsl_cdf_gamma_Pinv(p, d->u.gamma.shape, d->u.gamma.scale);
	case RNG_DIST_WEIBULL: /* GSL: a = scale, b = shape */
		return gsl_cdf_weibull_Pinv(p, d->u.weibull.scale, d->u.weibull.shape);
	case RNG_DIST_EMPIRICAL:
		return rng_empirical_inverse(d->u.empirical.points, d->u.empirical.n, p);
	case RNG_DIST_KIND_COUNT:
		break;
	}
	abort();
}

static const char *const rng_dist_kind_names[] = {
#define RNG_DIST_KIND_NAME(id, name) [RNG_DIST_##id] = name,
	RNG_DIST_KIND_MAP(RNG_DIST_KIND_NAME)
#undef RNG_DIST_KIND_NAME
};

const char *rng_dist_kind_name(enum rng_dist_kind kind)
{
	if ((unsigned)kind >= RNG_DIST_KIND_COUNT)
		return "unknown";
	return rng_dist_kind_names[kind];
}

int rng_dist_kind_from_name(const char *name)
{
	if (!name)
		return -EINVAL;
	for (int k = 0; k < RNG_DIST_KIND_COUNT; k++)
		if (strcmp(name, rng_dist_kind_names[k]) == 0)
			return k;
	return -EINVAL;
}
