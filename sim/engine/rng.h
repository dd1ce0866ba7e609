/* rng.h: random streams and the distributions that models draw from.
 *
 * Streams. Every entity owns one GSL generator seeded from (scenario seed, replication index,
 * entity name) and from nothing else: no global state, no creation order, no clock. Adding an
 * entity therefore never changes the draws of another, two architectures run with the same
 * seed see the same arrivals and faults on their shared entities (common random numbers),
 * and separate replications on separate threads need no locking.
 *
 * Reproducibility contract. The mapping from (seed, replication, name) to a generator is part
 * of the results' format: changing it changes every published figure. It is:
 *
 *   mix(z)      = SplitMix64 finalizer (Steele, Lea, Flood 2014; Vigna's splitmix64.c):
 *                 z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
 *                 z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
 *                 z ^ (z >> 31)                              (all mod 2^64)
 *   fnv(name)   = FNV-1a 64 over the bytes of name, without the NUL
 *                 (offset basis 0xcbf29ce484222325, prime 0x100000001b3)
 *   G           = 0x9e3779b97f4a7c15
 *   h           = mix(mix(mix(seed + G) ^ replication) ^ fnv(name))  = rng_stream_seed()
 *   gsl seed    = (uint32_t)(h ^ (h >> 32)), passed to gsl_rng_set()
 *   generator   = gsl_rng_taus2 (unless rng_stream_new_type() names another)
 *
 * Why taus2 and 32 bits. taus2 (L'Ecuyer 1996, maximally equidistributed combined Tausworthe,
 * period 2^88) keeps 24 bytes of state, so thousands of per-entity streams stay in cache, and
 * is among GSL's fastest generators. GSL's gsl_rng_set() is its only documented seeding path
 * and taus2 uses only the low 32 bits of the seed it is given (it expands them with an LCG),
 * so the 64-bit hash is folded to 32 bits first; the same 32-bit value is used for every
 * generator type, which also keeps results identical where unsigned long is 32 bits. Writing
 * the three state words directly would depend on GSL's private state layout, so we don't.
 * Consequence: two distinct names collide (get identical streams) with probability about
 * 2^-32 per pair, i.e. about n^2 / 2^33 among n entities of one replication: 1e-6 for 100
 * entities, 1e-4 for 1000, 1e-2 for 10000. Streams of different replications or seeds are
 * never compared, so only collisions within one (seed, replication) matter.
 *
 * Distributions. struct rng_dist is a tagged value, caller-allocated, built by one of the
 * rng_dist_init_*() constructors and destroyed by rng_dist_release() (only the empirical kind
 * owns memory, but release every initialised rng_dist). Values are plain doubles in whatever
 * unit the caller uses (models use seconds). Sampling uses GSL's samplers; a given kind
 * consumes a variable number of uniforms per draw (rejection samplers), and the deterministic
 * kind consumes none, so changing a distribution's kind shifts the entity's later draws.
 *
 * Errors: constructors return 0, -EINVAL for invalid parameters (NaN and infinities are
 * invalid everywhere) or -ENOMEM; on failure *d is left untouched. Note that GSL's default
 * error handler aborts on allocation failure inside gsl_rng_alloc(): the NULL-on-ENOMEM
 * contract of rng_stream_new() holds only once the program has called
 * gsl_set_error_handler_off() (a process-wide choice this module leaves to main()).
 */
#ifndef TOPSIM_RNG_H
#define TOPSIM_RNG_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "simtime.h"

/* ---- streams -------------------------------------------------------------------------- */

/* The 64-bit stream hash h of (scenario_seed, replication, name), as defined in the contract
 * above. name must be a NUL-terminated string (may be empty), not NULL. Pure, cannot fail. */
uint64_t rng_stream_seed(uint64_t scenario_seed, uint32_t replication, const char *name);

/* A new gsl_rng_taus2 generator seeded for (scenario_seed, replication, name). The caller
 * owns it and frees it with gsl_rng_free(). Returns NULL when out of memory (see the note on
 * GSL's error handler above). name as for rng_stream_seed(). */
gsl_rng *rng_stream_new(uint64_t scenario_seed, uint32_t replication, const char *name);

/* As rng_stream_new(), with generator type `type` (NULL means gsl_rng_taus2), seeded through
 * gsl_rng_set() with the same 32-bit value. For tests and comparisons of generators. */
gsl_rng *rng_stream_new_type(const gsl_rng_type *type, uint64_t scenario_seed,
			     uint32_t replication, const char *name);

/* ---- distributions -------------------------------------------------------------------- */

/* X(enumerator suffix, name used in scenarios and reports) */
#define RNG_DIST_KIND_MAP(X)                \
	X(EXPONENTIAL, "exponential")       \
	X(DETERMINISTIC, "deterministic")   \
	X(UNIFORM, "uniform")               \
	X(NORMAL, "normal")                 \
	X(LOGNORMAL, "lognormal")           \
	X(GAMMA, "gamma")                   \
	X(WEIBULL, "weibull")               \
	X(EMPIRICAL, "empirical")

enum rng_dist_kind {
#define RNG_DIST_KIND_ENUM(id, name) RNG_DIST_##id,
	RNG_DIST_KIND_MAP(RNG_DIST_KIND_ENUM)
#undef RNG_DIST_KIND_ENUM
	RNG_DIST_KIND_COUNT
};

/* One point of an empirical CDF: P(X <= value) = cum_prob. */
struct rng_dist_point {
	double value;    /* caller's unit */
	double cum_prob; /* cumulative probability at value, in [0, 1] */
};

/* A distribution. Read the fields if you like; build and destroy it only through the
 * functions below. Parameters are in the caller's unit (u) unless marked otherwise. */
struct rng_dist {
	enum rng_dist_kind kind;
	union {
		struct {
			double mean; /* u, > 0 */
		} exponential;
		struct {
			double value; /* u */
		} deterministic;
		struct {
			double a; /* lower bound, u */
			double b; /* upper bound, u, > a */
		} uniform;
		struct {
			double mean; /* u */
			double sd;   /* standard deviation, u, > 0 */
		} normal;
		struct {
			double mu;    /* mean of ln X, ln u */
			double sigma; /* standard deviation of ln X, > 0, dimensionless */
		} lognormal;
		struct {
			double shape; /* k, > 0, dimensionless */
			double scale; /* theta, u, > 0 */
		} gamma;
		struct {
			double shape; /* k, > 0, dimensionless */
			double scale; /* lambda, u, > 0 */
		} weibull;
		struct {
			struct rng_dist_point *points; /* owned copy, n points, validated */
			size_t n;                      /* >= 1 */
		} empirical;
	} u;
};

/* Exponential with the given mean (mean > 0). */
int rng_dist_init_exponential(struct rng_dist *d, double mean);

/* Always `value` (any finite value); sampling consumes no random numbers. */
int rng_dist_init_deterministic(struct rng_dist *d, double value);

/* Uniform on [a, b), a < b. */
int rng_dist_init_uniform(struct rng_dist *d, double a, double b);

/* Normal (mean, sd > 0). Draws can be negative: see rng_dist_sample_nonneg(). */
int rng_dist_init_normal(struct rng_dist *d, double mean, double sd);

/* Lognormal: ln X is normal(mu, sigma), sigma > 0. Median exp(mu). */
int rng_dist_init_lognormal(struct rng_dist *d, double mu, double sigma);

/* Lognormal with the given median and 99th percentile, 0 < median < p99:
 * mu = ln median, sigma = (ln p99 - mu) / z, z = gsl_cdf_ugaussian_Pinv(0.99) ~ 2.3263. */
int rng_dist_init_lognormal_median_p99(struct rng_dist *d, double median, double p99);

/* Gamma with shape k > 0 and scale theta > 0: mean k theta. */
int rng_dist_init_gamma(struct rng_dist *d, double shape, double scale);

/* Weibull with shape k > 0 and scale lambda > 0: P(X > x) = exp(-(x / lambda)^k). */
int rng_dist_init_weibull(struct rng_dist *d, double shape, double scale);

/* Piecewise-linear CDF through n >= 1 points, sampled by inverse CDF with linear interpolation
 * between points. Values non-decreasing; cumulative probabilities non-decreasing, in [0, 1],
 * the last exactly 1. A first cum_prob p0 > 0 is a point mass p0 at the first value; two
 * points with equal values are a point mass (a step) there. The points are copied: the caller
 * keeps ownership of `points`. Returns 0, -EINVAL (points NULL, n == 0 or the rules above
 * broken) or -ENOMEM. */
int rng_dist_init_empirical(struct rng_dist *d, const struct rng_dist_point *points, size_t n);

/* Free what d owns. d becomes deterministic(0), so a second release is harmless. Accepts
 * NULL. Cannot fail. */
void rng_dist_release(struct rng_dist *d);

/* One draw from d using r: the raw value, which for the normal kind can be negative.
 * Cannot fail. */
double rng_dist_sample(const struct rng_dist *d, gsl_rng *r);

/* One draw clamped at 0, for durations. Consumes exactly what rng_dist_sample() does.
 * Cannot fail. */
double rng_dist_sample_nonneg(const struct rng_dist *d, gsl_rng *r);

/* One non-negative draw read as seconds: sim_time_from_s(rng_dist_sample_nonneg(d, r)).
 * Cannot fail. */
sim_time rng_dist_sample_time(const struct rng_dist *d, gsl_rng *r);

/* Exact mean and variance of the distribution (of the raw, unclamped draw). Cannot fail. */
double rng_dist_mean(const struct rng_dist *d);
double rng_dist_variance(const struct rng_dist *d);

/* Quantile (inverse CDF) at p in [0, 1]: GSL's gsl_cdf_*_Pinv for the continuous kinds, the
 * interpolated inverse that sampling uses for the empirical kind (p = 0 gives the first
 * value), the value itself for the deterministic kind. p = 0 or 1 gives -inf or +inf where
 * the support is unbounded. Returns NaN for p outside [0, 1] or NaN. Cannot fail. */
double rng_dist_quantile(const struct rng_dist *d, double p);

/* The scenario name of a kind ("exponential", ...); "unknown" for a value outside the enum.
 * Static storage. Cannot fail. */
const char *rng_dist_kind_name(enum rng_dist_kind kind);

/* The kind named `name` (exact, case-sensitive match of the names above) as a non-negative
 * enum rng_dist_kind value, or -EINVAL for an unknown name or NULL. */
int rng_dist_kind_from_name(const char *name);

#endif
