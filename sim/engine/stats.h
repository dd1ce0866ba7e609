/* stats.h: the engine's statistics accumulators.
 *
 * Counters, Welford running mean/variance, a log-bucketed histogram whose percentiles carry a
 * bounded relative error, a time-weighted average of a piecewise-constant state (availability),
 * fixed-width time-series buckets, and Student-t confidence intervals across replications.
 *
 * Invariants kept by every accumulator here:
 * - Results are deterministic: the same sequence of calls gives bit-identical results. There is
 *   no global or static mutable state, so accumulators in different threads never interact.
 * - Nothing prints; nothing aborts on bad input. Out-of-domain input is refused with -EINVAL
 *   and leaves the accumulator unchanged. Queries on an empty accumulator return NAN.
 * - Only stat_series allocates (and so has a release); every other struct is plain data that
 *   the caller owns, may copy with `=`, and discards without a call.
 */
#ifndef TOPSIM_STATS_H
#define TOPSIM_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simtime.h"

/* ---- counter --------------------------------------------------------------------------- */

struct stat_counter {
	uint64_t count; /* events counted; wraps modulo 2^64 */
};

/* Set the count to zero. Cannot fail. */
static inline void stat_counter_init(struct stat_counter *c) { c->count = 0; }
/* Add n to the count. Cannot fail. */
static inline void stat_counter_add(struct stat_counter *c, uint64_t n) { c->count += n; }
/* The count. Cannot fail. */
static inline uint64_t stat_counter_get(const struct stat_counter *c) { return c->count; }

/* ---- Welford running mean and variance ------------------------------------------------- */

/* Observations are accumulated relative to the first one (`shift`), so values with a large
 * common offset (1e9 + small noise) keep their full precision. */
struct stat_welford {
	uint64_t n;   /* observations */
	double shift; /* first observation; mean and m2 are of (x - shift) */
	double mean;  /* running mean of (x - shift), same unit as x */
	double m2;    /* sum of squared deviations from the mean, unit of x squared */
	double min;   /* smallest observation; +INFINITY while empty */
	double max;   /* largest observation; -INFINITY while empty */
};

/* Make w empty. Cannot fail. */
void stat_welford_init(struct stat_welford *w);
/* Add observation x (any finite value; a NaN or infinity makes mean and variance NaN).
 * Cannot fail. */
void stat_welford_add(struct stat_welford *w, double x);
/* Fold src into dst as if dst had also seen every observation of src (Chan, Golub and
 * LeVeque's pairwise update). src is not changed; dst == src is allowed. Cannot fail. */
void stat_welford_merge(struct stat_welford *dst, const struct stat_welford *src);
/* Number of observations. Cannot fail. */
uint64_t stat_welford_count(const struct stat_welford *w);
/* Mean; NAN when empty. */
double stat_welford_mean(const struct stat_welford *w);
/* Sample variance (divisor n - 1); NAN when fewer than 2 observations. */
double stat_welford_variance(const struct stat_welford *w);
/* Sample standard deviation, sqrt(variance); NAN when fewer than 2 observations. */
double stat_welford_stddev(const struct stat_welford *w);
/* Smallest / largest observation; NAN when empty. */
double stat_welford_min(const struct stat_welford *w);
double stat_welford_max(const struct stat_welford *w);

/* ---- log-bucketed histogram ------------------------------------------------------------ */

/* Values are durations in seconds. Regular buckets cover [STAT_HIST_MIN, STAT_HIST_MAX] with
 * STAT_HIST_PER_OCTAVE geometric buckets per power of two, bucket edges at 2^(k/128) exactly as
 * listed in stats.c, so a bucket's upper edge is 2^(1/128) = 1.00543 times its lower edge. A
 * quantile is interpolated inside the bucket holding its rank (see stat_hist_quantile), so it
 * lies in that bucket: every quantile has relative error below 1 % (at most 2^(1/128) - 1 =
 * 0.543 %) against the exact order statistic of the same rank, from 1 ns to 1 day. Unlike a
 * fixed per-bucket representative, the estimate moves with the counts, so quantiles of
 * different samples (replications) differ even when they fall in the same bucket.
 *
 * Bucket indexes: 0 is the underflow bucket [0, STAT_HIST_MIN), reported as the exact min;
 * 1 .. STAT_HIST_BUCKETS - 2 are regular; STAT_HIST_BUCKETS - 1 is the overflow bucket
 * (STAT_HIST_MAX, +inf), reported as the exact max. The first regular bucket is clipped to start
 * at STAT_HIST_MIN and the last to end at STAT_HIST_MAX (inclusive).
 *
 * The struct is plain data of about 47 KiB (fixed array, no allocation): keep it off small
 * stacks. */
#define STAT_HIST_MIN 1e-9          /* seconds: 1 ns */
#define STAT_HIST_MAX 86400.0       /* seconds: 1 day */
#define STAT_HIST_PER_OCTAVE 128    /* regular buckets per factor of two */
#define STAT_HIST_REGULAR 5927      /* regular buckets spanning [1e-9, 86400] */
#define STAT_HIST_BUCKETS (STAT_HIST_REGULAR + 2)

struct stat_hist {
	uint64_t n;                          /* observations, all buckets */
	double sum;                          /* seconds: compensated sum of exact values */
	double sum_comp;                     /* seconds: Neumaier compensation term of sum */
	double min;                          /* seconds: exact smallest; +INFINITY while empty */
	double max;                          /* seconds: exact largest; -INFINITY while empty */
	uint64_t counts[STAT_HIST_BUCKETS]; /* observations per bucket, indexed as above */
};

/* Make h empty. Cannot fail. */
void stat_hist_init(struct stat_hist *h);
/* Record one value in seconds. Returns 0, or -EINVAL (nothing recorded) when value is
 * negative, NaN or infinite. O(1). */
int stat_hist_add(struct stat_hist *h, double value);
/* Record `count` copies of value (count 0 records nothing). Same returns as stat_hist_add. */
int stat_hist_add_n(struct stat_hist *h, double value, uint64_t count);
/* Fold src into dst (aggregating replications): afterwards dst equals a histogram that saw
 * both sets of values, bucket for bucket. src is not changed. Cannot fail. */
void stat_hist_merge(struct stat_hist *dst, const struct stat_hist *src);
/* Quantile p in [0, 1] (clamped) by rank r = max(1, ceil(p * n)). Bucket i is the lowest whose
 * cumulative count reaches r; with `before` observations in lower buckets and c in bucket i,
 * whose bounds are lo and hi, the estimate is the geometric interpolation
 * lo * (hi / lo)^((r - before - 0.5) / c), clamped into [lo, hi] and then into [min, max].
 * Rank in the underflow bucket gives the exact min, in the overflow bucket the exact max;
 * p = 0 gives the exact min, p = 1 the exact max. NAN when empty or p is NaN.
 * O(STAT_HIST_BUCKETS). */
double stat_hist_quantile(const struct stat_hist *h, double p);
/* Observations, exact mean (seconds), exact min and max (seconds). Mean, min and max are NAN
 * when empty. Cannot fail. */
uint64_t stat_hist_count(const struct stat_hist *h);
double stat_hist_mean(const struct stat_hist *h);
double stat_hist_sum(const struct stat_hist *h);
double stat_hist_min(const struct stat_hist *h);
double stat_hist_max(const struct stat_hist *h);

/* Bucket iteration for results storage. stat_hist_bucket_count is the number of buckets,
 * STAT_HIST_BUCKETS; i must be below it (otherwise 0 / NAN is returned). Bucket i holds values
 * v with lower(i) <= v < upper(i), except the last regular bucket, which includes its upper
 * bound STAT_HIST_MAX. Underflow is [0, STAT_HIST_MIN); overflow holds values above
 * STAT_HIST_MAX and reports bounds STAT_HIST_MAX and INFINITY. The bounds depend only on i (the
 * layout is fixed), so they take no histogram. stat_hist_bucket_mid is the bucket's geometric
 * midpoint sqrt(lower * upper), which quantile returns (up to rounding, and before the
 * [min, max] clamp) for the middle rank of a bucket with an odd count; NAN for underflow and
 * overflow, whose quantiles are the exact min / max. */
size_t stat_hist_bucket_count(const struct stat_hist *h);
uint64_t stat_hist_bucket_n(const struct stat_hist *h, size_t i);
double stat_hist_bucket_lower(size_t i);
double stat_hist_bucket_upper(size_t i);
double stat_hist_bucket_mid(size_t i);
/* Index of the bucket value falls into; NaN and negative values give 0. Cannot fail. */
size_t stat_hist_bucket_index(double value);

/* ---- time-weighted average ------------------------------------------------------------- */

/* A piecewise-constant value over simulated time; its average over [t0, t] is the integral
 * divided by the elapsed time. For a 0/1 "up" state that average is the availability. */
struct stat_timeweighted {
	sim_time t0;     /* ns: start of the observation window */
	sim_time t_last; /* ns: time of the last set (or t0) */
	double value;    /* value held since t_last */
	double area;     /* value * ns: integral over [t0, t_last] */
	double area_comp; /* value * ns: Neumaier compensation term of area */
};

/* Start observing at t0 with the given value. Cannot fail. */
void stat_timeweighted_init(struct stat_timeweighted *tw, sim_time t0, double value);
/* The value changes to `value` at time t. Returns 0, or -EINVAL (unchanged) when t is before
 * the previous set or init. */
int stat_timeweighted_set(struct stat_timeweighted *tw, sim_time t, double value);
/* Time average over [t0, t], the current value extending to t. NAN when t <= t0 or t is before
 * the last set. */
double stat_timeweighted_mean(const struct stat_timeweighted *tw, sim_time t);
/* Integral over [t0, t] in value * seconds (for a 0/1 state: seconds in state 1). NAN when t
 * is before the last set. */
double stat_timeweighted_integral(const struct stat_timeweighted *tw, sim_time t);
/* Length of the window [t0, t] in ns (t - t0). Cannot fail. */
sim_time stat_timeweighted_total_time(const struct stat_timeweighted *tw, sim_time t);
/* The value currently held. Cannot fail. */
double stat_timeweighted_value(const struct stat_timeweighted *tw);

/* ---- fixed-width time series ----------------------------------------------------------- */

struct stat_series_bucket {
	uint64_t n; /* values added in this bucket */
	double sum; /* sum of those values */
	double max; /* largest of those values; -INFINITY while empty */
};

/* Bucket i covers [start + i * width, start + (i + 1) * width). The series owns `b`. */
struct stat_series {
	sim_time width;                /* ns: bucket width, > 0 */
	sim_time start;                /* ns: start of bucket 0 */
	size_t len;                    /* buckets in use: highest bucket touched + 1 */
	size_t cap;                    /* buckets allocated in b */
	struct stat_series_bucket *b;  /* owned array of cap buckets, NULL while empty */
};

/* Empty series of buckets `width` ns wide from `start`. Allocates nothing. Returns 0, or
 * -EINVAL when width <= 0 (the series is then left zeroed, safe to release). */
int stat_series_init(struct stat_series *s, sim_time width, sim_time start);
/* Free the buckets and zero s. Accepts a zeroed or already released series. */
void stat_series_release(struct stat_series *s);
/* Add value to the bucket containing t, growing the series as needed (buckets skipped over
 * are empty). Returns 0; -EINVAL when t < start; -ENOMEM when the buckets cannot be
 * allocated. On error the series is unchanged. */
int stat_series_add(struct stat_series *s, sim_time t, double value);
/* Number of buckets (highest touched + 1). Cannot fail. */
size_t stat_series_bucket_count(const struct stat_series *s);
/* Per-bucket figures for i below stat_series_bucket_count: start time (ns), count, sum, max
 * and mean. Max and mean are NAN for an empty bucket; all are 0 / NAN when i is out of range. */
sim_time stat_series_bucket_start(const struct stat_series *s, size_t i);
uint64_t stat_series_bucket_n(const struct stat_series *s, size_t i);
double stat_series_bucket_sum(const struct stat_series *s, size_t i);
double stat_series_bucket_max(const struct stat_series *s, size_t i);
double stat_series_bucket_mean(const struct stat_series *s, size_t i);

/* ---- confidence intervals across replications ------------------------------------------ */

/* Two-sided confidence interval of the mean of x[0..n-1] (one value per replication) at
 * `level` (e.g. 0.95): half_width = t_{(1+level)/2, n-1} * s / sqrt(n), Student t from GSL,
 * s the sample standard deviation (two-pass).
 * OUT: *mean (NAN when n = 0), *half_width (NAN when n < 2: one replication gives no interval).
 * Returns 0, or -EINVAL when level is not strictly between 0 and 1 (outputs set to NAN). */
int stat_ci_mean(const double *x, size_t n, double level, double *mean, double *half_width);
/* The same interval from a Welford accumulator of per-replication values.
 * OUT: *mean, *half_width as for stat_ci_mean. Same returns. */
int stat_welford_ci(const struct stat_welford *w, double level, double *mean,
		    double *half_width);

#endif
