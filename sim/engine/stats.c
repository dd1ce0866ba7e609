/* stats.c: the engine's statistics accumulators (see stats.h for the contracts).
 *
 * Invariants:
 * - No global mutable state: the histogram's bucket edges are constant tables below, so
 *   accumulators may live in any thread.
 * - stat_hist: counts[] sums to n; min <= every recorded value <= max; bucket i holds exactly
 *   the values v with stat_hist_bucket_lower(i) <= v < stat_hist_bucket_upper(i) (last regular
 *   bucket closed at STAT_HIST_MAX), because stat_hist_bucket_index and the bounds are computed
 *   from the same edge table, by exact operations (frexp, ldexp, comparisons).
 * - stat_series: len <= cap; buckets [len, cap) are zero-counted and not reported.
 * - No I/O, no abort on bad input.
 */
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

/* Neumaier's compensated sum: *sum + *comp carries the total with about twice the precision of
 * a plain double accumulator, so long runs of small additions to a large total are kept. */
static void ksum_add(double *sum, double *comp, double x)
{
	double t = *sum + x;
	if (fabs(*sum) >= fabs(x))
		*comp += (*sum - t) + x;
	else
		*comp += (x - t) + *sum;
	*sum = t;
}

/* ---- Welford --------------------------------------------------------------------------- */

void stat_welford_init(struct stat_welford *w)
{
	w->n = 0;
	w->shift = 0.0;
	w->mean = 0.0;
	w->m2 = 0.0;
	w->min = INFINITY;
	w->max = -INFINITY;
}

void stat_welford_add(struct stat_welford *w, double x)
{
	if (w->n == 0)
		w->shift = x;
	double y = x - w->shift;
	w->n++;
	double delta = y - w->mean;
	w->mean += delta / (double)w->n;
	w->m2 += delta * (y - w->mean);
	if (x < w->min)
		w->min = x;
	if (x > w->max)
		w->max = x;
}

void stat_welford_merge(struct stat_welford *dst, const struct stat_welford *src)
{
	if (src->n == 0)
		return;
	if (dst->n == 0) {
		*dst = *src;
		return;
	}
	struct stat_welford b = *src; /* copy: dst may alias src */
	double na = (double)dst->n, nb = (double)b.n, n = na + nb;
	/* src's mean re-expressed relative to dst's shift */
	double mean_b = (b.shift - dst->shift) + b.mean;
	double delta = mean_b - dst->mean;
	dst->mean += delta * (nb / n);
	dst->m2 += b.m2 + delta * delta * (na * nb / n);
	dst->n += b.n;
	if (b.min < dst->min)
		dst->min = b.min;
	if (b.max > dst->max)
		dst->max = b.max;
}

uint64_t stat_welford_count(const struct stat_welford *w) { return w->n; }

double stat_welford_mean(const struct stat_welford *w)
{
	return w->n ? w->shift + w->mean : NAN;
}

double stat_welford_variance(const struct stat_welford *w)
{
	return w->n >= 2 ? w->m2 / (double)(w->n - 1) : NAN;
}

double stat_welford_stddev(const struct stat_welford *w)
{
	return sqrt(stat_welford_variance(w));
}

double stat_welford_min(const struct stat_welford *w) { return w->n ? w->min : NAN; }
double stat_welford_max(const struct stat_welford *w) { return w->n ? w->max : NAN; }

/* ---- histogram ------------------------------------------------------------------------- */

/* Bucket edges within one octave: hist_edge[k] is 2^(k/128) rounded to nearest double;
 * hist_edge[128] = 2 closes the octave. A value m * 2^o with m in [1, 2) lies in sub-bucket k
 * when hist_edge[k] <= m < hist_edge[k + 1].
 *
 * hist_edge and hist_cell are generated, not hand-written. This Python 3 script prints both
 * (60-digit decimal arithmetic, then float(), which rounds correctly; the comparisons building
 * hist_cell are exact double comparisons); with P = 64 it reproduces the previous tables:
 *
 *   from decimal import Decimal, getcontext
 *   getcontext().prec = 60
 *   P, CELLS, LN2 = 128, 256, Decimal(2).ln()
 *   edge = [float((LN2 * k / P).exp()) for k in range(P)] + [2.0]
 *   cell = [max(k for k in range(P) if edge[k] <= 1 + c / CELLS) for c in range(CELLS)]
 *   print(", ".join(x.hex() for x in edge)); print(", ".join(map(str, cell)))
 */
#define HIST_CELLS 256
static const double hist_edge[STAT_HIST_PER_OCTAVE + 1] = {
	0x1.0000000000000p+0, 0x1.0163da9fb3335p+0, 0x1.02c9a3e778061p+0,
	0x1.04315e86e7f85p+0, 0x1.059b0d3158574p+0, 0x1.0706b29ddf6dep+0,
	0x1.0874518759bc8p+0, 0x1.09e3ecac6f383p+0, 0x1.0b5586cf9890fp+0,
	0x1.0cc922b7247f7p+0, 0x1.0e3ec32d3d1a2p+0, 0x1.0fb66affed31bp+0,
	0x1.11301d0125b51p+0, 0x1.12abdc06c31ccp+0, 0x1.1429aaea92de0p+0,
	0x1.15a98c8a58e51p+0, 0x1.172b83c7d517bp+0, 0x1.18af9388c8deap+0,
	0x1.1a35beb6fcb75p+0, 0x1.1bbe084045cd4p+0, 0x1.1d4873168b9aap+0,
	0x1.1ed5022fcd91dp+0, 0x1.2063b88628cd6p+0, 0x1.21f49917ddc96p+0,
	0x1.2387a6e756238p+0, 0x1.251ce4fb2a63fp+0, 0x1.26b4565e27cddp+0,
	0x1.284dfe1f56381p+0, 0x1.29e9df51fdee1p+0, 0x1.2b87fd0dad990p+0,
	0x1.2d285a6e4030bp+0, 0x1.2ecafa93e2f56p+0, 0x1.306fe0a31b715p+0,
	0x1.32170fc4cd831p+0, 0x1.33c08b26416ffp+0, 0x1.356c55f929ff1p+0,
	0x1.371a7373aa9cbp+0, 0x1.38cae6d05d866p+0, 0x1.3a7db34e59ff7p+0,
	0x1.3c32dc313a8e5p+0, 0x1.3dea64c123422p+0, 0x1.3fa4504ac801cp+0,
	0x1.4160a21f72e2ap+0, 0x1.431f5d950a897p+0, 0x1.44e086061892dp+0,
	0x1.46a41ed1d0057p+0, 0x1.486a2b5c13cd0p+0, 0x1.4a32af0d7d3dep+0,
	0x1.4bfdad5362a27p+0, 0x1.4dcb299fddd0dp+0, 0x1.4f9b2769d2ca7p+0,
	0x1.516daa2cf6642p+0, 0x1.5342b569d4f82p+0, 0x1.551a4ca5d920fp+0,
	0x1.56f4736b527dap+0, 0x1.58d12d497c7fdp+0, 0x1.5ab07dd485429p+0,
	0x1.5c9268a5946b7p+0, 0x1.5e76f15ad2148p+0, 0x1.605e1b976dc09p+0,
	0x1.6247eb03a5585p+0, 0x1.6434634ccc320p+0, 0x1.6623882552225p+0,
	0x1.68155d44ca973p+0, 0x1.6a09e667f3bcdp+0, 0x1.6c012750bdabfp+0,
	0x1.6dfb23c651a2fp+0, 0x1.6ff7df9519484p+0, 0x1.71f75e8ec5f74p+0,
	0x1.73f9a48a58174p+0, 0x1.75feb564267c9p+0, 0x1.780694fde5d3fp+0,
	0x1.7a11473eb0187p+0, 0x1.7c1ed0130c132p+0, 0x1.7e2f336cf4e62p+0,
	0x1.80427543e1a12p+0, 0x1.82589994cce13p+0, 0x1.8471a4623c7adp+0,
	0x1.868d99b4492edp+0, 0x1.88ac7d98a6699p+0, 0x1.8ace5422aa0dbp+0,
	0x1.8cf3216b5448cp+0, 0x1.8f1ae99157736p+0, 0x1.9145b0b91ffc6p+0,
	0x1.93737b0cdc5e5p+0, 0x1.95a44cbc8520fp+0, 0x1.97d829fde4e50p+0,
	0x1.9a0f170ca07bap+0, 0x1.9c49182a3f090p+0, 0x1.9e86319e32323p+0,
	0x1.a0c667b5de565p+0, 0x1.a309bec4a2d33p+0, 0x1.a5503b23e255dp+0,
	0x1.a799e1330b358p+0, 0x1.a9e6b5579fdbfp+0, 0x1.ac36bbfd3f37ap+0,
	0x1.ae89f995ad3adp+0, 0x1.b0e07298db666p+0, 0x1.b33a2b84f15fbp+0,
	0x1.b59728de5593ap+0, 0x1.b7f76f2fb5e47p+0, 0x1.ba5b030a1064ap+0,
	0x1.bcc1e904bc1d2p+0, 0x1.bf2c25bd71e09p+0, 0x1.c199bdd85529cp+0,
	0x1.c40ab5fffd07ap+0, 0x1.c67f12e57d14bp+0, 0x1.c8f6d9406e7b5p+0,
	0x1.cb720dcef9069p+0, 0x1.cdf0b555dc3fap+0, 0x1.d072d4a07897cp+0,
	0x1.d2f87080d89f2p+0, 0x1.d5818dcfba487p+0, 0x1.d80e316c98398p+0,
	0x1.da9e603db3285p+0, 0x1.dd321f301b460p+0, 0x1.dfc97337b9b5fp+0,
	0x1.e264614f5a129p+0, 0x1.e502ee78b3ff6p+0, 0x1.e7a51fbc74c83p+0,
	0x1.ea4afa2a490dap+0, 0x1.ecf482d8e67f1p+0, 0x1.efa1bee615a27p+0,
	0x1.f252b376bba97p+0, 0x1.f50765b6e4540p+0, 0x1.f7bfdad9cbe14p+0,
	0x1.fa7c1819e90d8p+0, 0x1.fd3c22b8f71f1p+0, 0x1.0000000000000p+1,
};

/* hist_cell[c] is the largest k with hist_edge[k] <= 1 + c / 256. The cells are narrower than
 * the narrowest sub-bucket (1/256 = 0.0039 < 2^(1/128) - 1 = 0.0054), so a mantissa in cell c
 * lies in sub-bucket hist_cell[c] or the next one: one comparison settles it, exactly, at every
 * edge. */
static const uint8_t hist_cell[HIST_CELLS] = {
	0, 0, 1, 2, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9, 9, 10,
	11, 11, 12, 13, 13, 14, 15, 15, 16, 17, 17, 18, 19, 19, 20, 21,
	21, 22, 23, 23, 24, 24, 25, 26, 26, 27, 28, 28, 29, 29, 30, 31,
	31, 32, 32, 33, 34, 34, 35, 35, 36, 37, 37, 38, 38, 39, 40, 40,
	41, 41, 42, 42, 43, 44, 44, 45, 45, 46, 46, 47, 48, 48, 49, 49,
	50, 50, 51, 51, 52, 52, 53, 54, 54, 55, 55, 56, 56, 57, 57, 58,
	58, 59, 59, 60, 60, 61, 61, 62, 62, 63, 63, 64, 64, 65, 66, 66,
	67, 67, 68, 68, 69, 69, 70, 70, 70, 71, 71, 72, 72, 73, 73, 74,
	74, 75, 75, 76, 76, 77, 77, 78, 78, 79, 79, 80, 80, 81, 81, 81,
	82, 82, 83, 83, 84, 84, 85, 85, 86, 86, 86, 87, 87, 88, 88, 89,
	89, 90, 90, 90, 91, 91, 92, 92, 93, 93, 94, 94, 94, 95, 95, 96,
	96, 97, 97, 97, 98, 98, 99, 99, 100, 100, 100, 101, 101, 102, 102, 102,
	103, 103, 104, 104, 104, 105, 105, 106, 106, 107, 107, 107, 108, 108, 109, 109,
	109, 110, 110, 111, 111, 111, 112, 112, 112, 113, 113, 114, 114, 114, 115, 115,
	116, 116, 116, 117, 117, 117, 118, 118, 119, 119, 119, 120, 120, 121, 121, 121,
	122, 122, 122, 123, 123, 123, 124, 124, 125, 125, 125, 126, 126, 126, 127, 127,
};

/* Global regular-bucket number (octave * STAT_HIST_PER_OCTAVE + sub-bucket) of STAT_HIST_MIN:
 * 1e-9 = 2^-30 * 2^(13.14 / 128), so octave -30, sub-bucket 13. The regular buckets run to
 * global 16 * 128 + 51 (86400 = 2^16 * 2^(51.04 / 128)), so STAT_HIST_REGULAR is
 * 2099 - (-3827) + 1 = 5927. The stats tests check both against stat_hist_bucket_index. */
#define HIST_FIRST_GLOBAL (-30 * STAT_HIST_PER_OCTAVE + 13)
#define HIST_OVERFLOW (STAT_HIST_BUCKETS - 1)

size_t stat_hist_bucket_index(double value)
{
	if (!(value >= STAT_HIST_MIN))
		return 0;
	if (value > STAT_HIST_MAX)
		return HIST_OVERFLOW;
	int e;
	double m = 2.0 * frexp(value, &e); /* value = m * 2^(e - 1), m in [1, 2), exact */
	int k = hist_cell[(int)((m - 1.0) * HIST_CELLS)];
	if (m >= hist_edge[k + 1])
		k++;
	int global = (e - 1) * STAT_HIST_PER_OCTAVE + k;
	return (size_t)(global - HIST_FIRST_GLOBAL + 1);
}

/* Unclipped edges of regular bucket i (1 .. STAT_HIST_REGULAR). */
static void hist_edges(size_t i, double *lo, double *hi)
{
	int global = HIST_FIRST_GLOBAL + (int)i - 1;
	/* floor division for negative global */
	int octave = global >= 0 ? global / STAT_HIST_PER_OCTAVE
				 : -((-global + STAT_HIST_PER_OCTAVE - 1) / STAT_HIST_PER_OCTAVE);
	int k = global - octave * STAT_HIST_PER_OCTAVE;
	*lo = ldexp(hist_edge[k], octave);
	*hi = ldexp(hist_edge[k + 1], octave);
}

double stat_hist_bucket_lower(size_t i)
{
	double lo, hi;
	if (i == 0)
		return 0.0;
	if (i == HIST_OVERFLOW)
		return STAT_HIST_MAX;
	if (i > HIST_OVERFLOW)
		return NAN;
	hist_edges(i, &lo, &hi);
	return i == 1 ? STAT_HIST_MIN : lo;
}

double stat_hist_bucket_upper(size_t i)
{
	double lo, hi;
	if (i == 0)
		return STAT_HIST_MIN;
	if (i == HIST_OVERFLOW)
		return INFINITY;
	if (i > HIST_OVERFLOW)
		return NAN;
	hist_edges(i, &lo, &hi);
	return i == STAT_HIST_REGULAR ? STAT_HIST_MAX : hi;
}

double stat_hist_bucket_mid(size_t i)
{
	if (i == 0 || i >= HIST_OVERFLOW)
		return NAN;
	return sqrt(stat_hist_bucket_lower(i) * stat_hist_bucket_upper(i));
}

void stat_hist_init(struct stat_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = INFINITY;
	h->max = -INFINITY;
}

int stat_hist_add_n(struct stat_hist *h, double value, uint64_t count)
{
	if (!(value >= 0.0) || isinf(value))
		return -EINVAL;
	if (count == 0)
		return 0;
	h->counts[stat_hist_bucket_index(value)] += count;
	h->n += count;
	ksum_add(&h->sum, &h->sum_comp, count == 1 ? value : value * (double)count);
	if (value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
	return 0;
}

int stat_hist_add(struct stat_hist *h, double value)
{
	return stat_hist_add_n(h, value, 1);
}

void stat_hist_merge(struct stat_hist *dst, const struct stat_hist *src)
{
	if (src->n == 0)
		return;
	for (size_t i = 0; i < STAT_HIST_BUCKETS; i++)
		dst->counts[i] += src->counts[i];
	dst->n += src->n;
	double sum = src->sum, comp = src->sum_comp; /* read first: dst may alias src */
	ksum_add(&dst->sum, &dst->sum_comp, sum);
	ksum_add(&dst->sum, &dst->sum_comp, comp);
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

double stat_hist_quantile(const struct stat_hist *h, double p)
{
	if (h->n == 0 || isnan(p))
		return NAN;
	if (p <= 0.0)
		return h->min;
	if (p >= 1.0)
		return h->max;
	double r = ceil(p * (double)h->n);
	uint64_t rank = r < 1.0 ? 1 : r >= (double)h->n ? h->n : (uint64_t)r;
	uint64_t before = 0; /* observations in buckets below i */
	size_t i = 0;
	for (; i < STAT_HIST_BUCKETS; i++) {
		if (before + h->counts[i] >= rank)
			break;
		before += h->counts[i];
	}
	if (i == 0)
		return h->min;
	if (i >= HIST_OVERFLOW)
		return h->max;
	/* The c values of bucket i are taken as spread geometrically over [lo, hi): the j-th of
	 * them (j = rank - before, 1 .. c) sits at fraction (j - 0.5) / c of the log-width. The
	 * estimate then moves with the counts instead of sticking to one representative, and
	 * stays in the bucket, so within hi / lo - 1 of the exact order statistic. */
	double lo = stat_hist_bucket_lower(i), hi = stat_hist_bucket_upper(i);
	double c = (double)h->counts[i];
	double f = ((double)(rank - before) - 0.5) / c;
	double v = lo * pow(hi / lo, f);
	v = v < lo ? lo : v > hi ? hi : v;
	return v < h->min ? h->min : v > h->max ? h->max : v;
}

uint64_t stat_hist_count(const struct stat_hist *h) { return h->n; }

double stat_hist_sum(const struct stat_hist *h) { return h->sum + h->sum_comp; }

double stat_hist_mean(const struct stat_hist *h)
{
	return h->n ? (h->sum + h->sum_comp) / (double)h->n : NAN;
}

double stat_hist_min(const struct stat_hist *h) { return h->n ? h->min : NAN; }
double stat_hist_max(const struct stat_hist *h) { return h->n ? h->max : NAN; }

size_t stat_hist_bucket_count(const struct stat_hist *h)
{
	(void)h;
	return STAT_HIST_BUCKETS;
}

uint64_t stat_hist_bucket_n(const struct stat_hist *h, size_t i)
{
	return i < STAT_HIST_BUCKETS ? h->counts[i] : 0;
}

/* ---- time-weighted average ------------------------------------------------------------- */

void stat_timeweighted_init(struct stat_timeweighted *tw, sim_time t0, double value)
{
	tw->t0 = t0;
	tw->t_last = t0;
	tw->value = value;
	tw->area = 0.0;
	tw->area_comp = 0.0;
}

int stat_timeweighted_set(struct stat_timeweighted *tw, sim_time t, double value)
{
	if (t < tw->t_last)
		return -EINVAL;
	if (t > tw->t_last)
		ksum_add(&tw->area, &tw->area_comp, tw->value * (double)(t - tw->t_last));
	tw->t_last = t;
	tw->value = value;
	return 0;
}

/* Integral over [t0, t] in value * ns; NAN when t < t_last. */
static double timeweighted_area(const struct stat_timeweighted *tw, sim_time t)
{
	if (t < tw->t_last)
		return NAN;
	double sum = tw->area, comp = tw->area_comp;
	if (t > tw->t_last)
		ksum_add(&sum, &comp, tw->value * (double)(t - tw->t_last));
	return sum + comp;
}

double stat_timeweighted_mean(const struct stat_timeweighted *tw, sim_time t)
{
	if (t <= tw->t0)
		return NAN;
	return timeweighted_area(tw, t) / (double)(t - tw->t0);
}

double stat_timeweighted_integral(const struct stat_timeweighted *tw, sim_time t)
{
	return timeweighted_area(tw, t) * 1e-9;
}

sim_time stat_timeweighted_total_time(const struct stat_timeweighted *tw, sim_time t)
{
	return t - tw->t0;
}

double stat_timeweighted_value(const struct stat_timeweighted *tw) { return tw->value; }

/* ---- time series ----------------------------------------------------------------------- */

int stat_series_init(struct stat_series *s, sim_time width, sim_time start)
{
	memset(s, 0, sizeof(*s));
	if (width <= 0)
		return -EINVAL;
	s->width = width;
	s->start = start;
	return 0;
}

void stat_series_release(struct stat_series *s)
{
	free(s->b);
	memset(s, 0, sizeof(*s));
}

/* Make room for at least `need` buckets; new buckets are empty. */
static int series_reserve(struct stat_series *s, size_t need)
{
	if (need <= s->cap)
		return 0;
	const size_t max_buckets = SIZE_MAX / sizeof(*s->b);
	if (need > max_buckets)
		return -ENOMEM;
	size_t cap = s->cap < 16 ? 16 : s->cap;
	while (cap < need)
		cap = cap > max_buckets / 2 ? max_buckets : cap * 2;
	struct stat_series_bucket *b = realloc(s->b, cap * sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (size_t i = s->cap; i < cap; i++)
		b[i] = (struct stat_series_bucket){ .n = 0, .sum = 0.0, .max = -INFINITY };
	s->b = b;
	s->cap = cap;
	return 0;
}

int stat_series_add(struct stat_series *s, sim_time t, double value)
{
	if (s->width <= 0 || t < s->start)
		return -EINVAL;
	/* unsigned difference: exact for t >= start even when start is very negative */
	uint64_t idx = ((uint64_t)t - (uint64_t)s->start) / (uint64_t)s->width;
	if (idx >= SIZE_MAX)
		return -ENOMEM;
	int rc = series_reserve(s, (size_t)idx + 1);
	if (rc)
		return rc;
	struct stat_series_bucket *b = &s->b[idx];
	b->n++;
	b->sum += value;
	if (value > b->max)
		b->max = value;
	if ((size_t)idx >= s->len)
		s->len = (size_t)idx + 1;
	return 0;
}

size_t stat_series_bucket_count(const struct stat_series *s) { return s->len; }

sim_time stat_series_bucket_start(const struct stat_series *s, size_t i)
{
	return s->start + (sim_time)i * s->width;
}

uint64_t stat_series_bucket_n(const struct stat_series *s, size_t i)
{
	return i < s->len ? s->b[i].n : 0;
}

double stat_series_bucket_sum(const struct stat_series *s, size_t i)
{
	return i < s->len ? s->b[i].sum : 0.0;
}

double stat_series_bucket_max(const struct stat_series *s, size_t i)
{
	return i < s->len && s->b[i].n ? s->b[i].max : NAN;
}

double stat_series_bucket_mean(const struct stat_series *s, size_t i)
{
	return i < s->len && s->b[i].n ? s->b[i].sum / (double)s->b[i].n : NAN;
}

/* ---- confidence intervals -------------------------------------------------------------- */

/* Half width t_{(1+level)/2, n-1} * sd / sqrt(n); the caller has checked level and n >= 2. */
static double ci_half_width(double sd, uint64_t n, double level)
{
	double t = gsl_cdf_tdist_Pinv((1.0 + level) / 2.0, (double)(n - 1));
	return t * sd / sqrt((double)n);
}

static bool ci_level_ok(double level) { return level > 0.0 && level < 1.0; }

int stat_ci_mean(const double *x, size_t n, double level, double *mean, double *half_width)
{
	*mean = NAN;
	*half_width = NAN;
	if (!ci_level_ok(level))
		return -EINVAL;
	if (n == 0)
		return 0;
	double sum = 0.0, comp = 0.0;
	for (size_t i = 0; i < n; i++)
		ksum_add(&sum, &comp, x[i]);
	double m = (sum + comp) / (double)n;
	*mean = m;
	if (n < 2)
		return 0;
	double ss = 0.0, ss_comp = 0.0;
	for (size_t i = 0; i < n; i++)
		ksum_add(&ss, &ss_comp, (x[i] - m) * (x[i] - m));
	double sd = sqrt((ss + ss_comp) / (double)(n - 1));
	*half_width = ci_half_width(sd, n, level);
	return 0;
}

int stat_welford_ci(const struct stat_welford *w, double level, double *mean, double *half_width)
{
	*mean = NAN;
	*half_width = NAN;
	if (!ci_level_ok(level))
		return -EINVAL;
	*mean = stat_welford_mean(w);
	if (w->n < 2)
		return 0;
	*half_width = ci_half_width(stat_welford_stddev(w), w->n, level);
	return 0;
}
