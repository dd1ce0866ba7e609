/* test_network: one-way delays by scope (models/infra/network.c).
 *
 * network.h: a message from a to b takes half a round trip drawn from the scope's
 * distribution (same host, same AZ, cross-AZ, or cross-region from the RTT matrix, lognormal
 * with p99/median = inter_region_jitter) plus bytes / the narrower end's bandwidth, capped at
 * inter_region_bandwidth across regions. Deterministic round trips check the scope choice
 * and the serialization arithmetic exactly; lognormal ones check the jitter's median, p99 and
 * log-spread against the closed form with tolerances of several standard errors.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <gsl/gsl_cdf.h>

#include "network.h"

#define MS 1e-3

/* Two regions; the matrix is in seconds: 64 ms between them (us-east-1 / us-west-2 in the
 * shipped catalog), 4 ms within each (unused: same-region scopes take the AZ figures). */
static const double rtt2[] = {0.004, 0.064, 0.064, 0.004};

struct net_fixture {
	struct network_config cfg;
	struct network n;
	gsl_rng *r;
};

static void det_config(struct network_config *cfg, double jitter, double bandwidth)
{
	assert_int_equal(rng_dist_init_deterministic(&cfg->same_host_rtt, 0.1 * MS), 0);
	assert_int_equal(rng_dist_init_deterministic(&cfg->same_az_rtt, 0.5 * MS), 0);
	assert_int_equal(rng_dist_init_deterministic(&cfg->cross_az_rtt, 2 * MS), 0);
	cfg->inter_region_jitter = jitter;
	cfg->inter_region_bandwidth = bandwidth;
}

static void fx_init(struct net_fixture *fx, double jitter, double bandwidth)
{
	det_config(&fx->cfg, jitter, bandwidth);
	assert_int_equal(network_init(&fx->n, &fx->cfg, 2, rtt2), 0);
	fx->r = rng_stream_new(1, 0, "net-test");
	assert_non_null(fx->r);
}

static void fx_release(struct net_fixture *fx)
{
	network_release(&fx->n);
	gsl_rng_free(fx->r);
}

static sim_time delay(struct net_fixture *fx, struct net_endpoint a, struct net_endpoint b,
		      double bytes)
{
	return network_delay(&fx->n, fx->r, &a, &b, bytes);
}

static struct net_endpoint ep(int region, int az, int host, double bw)
{
	return (struct net_endpoint){region, az, host, bw};
}

static void test_scopes(void **state)
{
	(void)state;
	struct net_fixture fx;
	fx_init(&fx, 1.0, 0); /* jitter 1: no spread across regions */
	struct net_endpoint h0 = ep(0, 0, 0, 0), h1 = ep(0, 0, 1, 0), h2 = ep(0, 1, 2, 0);
	struct net_endpoint h3 = ep(1, 2, 3, 0), client0 = ep(0, -1, -1, 0);
	struct net_endpoint lb_node0 = ep(0, 0, -1, 0), client1 = ep(1, -1, -1, 0);
	/* Half the scope's round trip, to the nanosecond. */
	assert_int_equal(delay(&fx, h0, h0, 0), sim_time_from_s(0.05 * MS));
	assert_int_equal(delay(&fx, h0, h1, 0), sim_time_from_s(0.25 * MS));
	assert_int_equal(delay(&fx, h1, h0, 0), sim_time_from_s(0.25 * MS));
	assert_int_equal(delay(&fx, h0, h2, 0), sim_time_from_s(1 * MS));
	assert_int_equal(delay(&fx, h2, h0, 0), sim_time_from_s(1 * MS));
	/* A load-balancer node in the host's AZ is same-AZ; a client in the region is cross-AZ. */
	assert_int_equal(delay(&fx, lb_node0, h1, 0), sim_time_from_s(0.25 * MS));
	assert_int_equal(delay(&fx, client0, h0, 0), sim_time_from_s(1 * MS));
	assert_int_equal(delay(&fx, h2, client0, 0), sim_time_from_s(1 * MS));
	/* Across regions: half the matrix median, whatever the AZs and hosts. */
	assert_int_equal(delay(&fx, h0, h3, 0), sim_time_from_s(32 * MS));
	assert_int_equal(delay(&fx, h3, h2, 0), sim_time_from_s(32 * MS));
	assert_int_equal(delay(&fx, client1, h0, 0), sim_time_from_s(32 * MS));
	assert_int_equal(delay(&fx, client0, client1, 0), sim_time_from_s(32 * MS));
	fx_release(&fx);
}

/* The matrix is copied at init. */
static void test_matrix_copied(void **state)
{
	(void)state;
	struct net_fixture fx;
	double m[] = {0.004, 0.100, 0.100, 0.004};
	det_config(&fx.cfg, 1.0, 0);
	assert_int_equal(network_init(&fx.n, &fx.cfg, 2, m), 0);
	fx.r = rng_stream_new(1, 0, "net-test");
	m[1] = m[2] = 1.0;
	assert_int_equal(delay(&fx, ep(0, 0, 0, 0), ep(1, 1, 1, 0), 0), sim_time_from_s(0.050));
	fx_release(&fx);
}

static void test_serialization(void **state)
{
	(void)state;
	struct net_fixture fx;
	double cap = 5e9 / 8; /* 5 Gbps in B/s, the default inter-region cap */
	fx_init(&fx, 1.0, cap);
	double mb = 1e6;
	struct net_endpoint fast0 = ep(0, 0, 0, 1.25e9), slow1 = ep(0, 1, 1, 125e6);
	struct net_endpoint unl0 = ep(0, 0, 2, 0), unl1 = ep(0, 1, 3, 0);
	/* Over the narrower end: 1 MB at 125 MB/s is 8 ms, either direction. */
	assert_int_equal(delay(&fx, fast0, slow1, mb), sim_time_from_s(1 * MS + 8 * MS));
	assert_int_equal(delay(&fx, slow1, fast0, mb), sim_time_from_s(1 * MS + 8 * MS));
	/* An unlimited end (0) leaves the other's bandwidth. */
	assert_int_equal(delay(&fx, unl0, slow1, mb), sim_time_from_s(1 * MS + 8 * MS));
	assert_int_equal(delay(&fx, fast0, unl1, mb), sim_time_from_s(1 * MS + 0.8 * MS));
	/* Both unlimited, or no payload: no serialization. */
	assert_int_equal(delay(&fx, unl0, unl1, mb), sim_time_from_s(1 * MS));
	assert_int_equal(delay(&fx, fast0, slow1, 0), sim_time_from_s(1 * MS));
	/* Linear in bytes: 64 bytes at 125 MB/s is 512 ns. */
	assert_int_equal(delay(&fx, fast0, slow1, 64), sim_time_from_s(1 * MS) + 512);
	/* Across regions the cap applies when it is narrower than both ends: 1 MB at 625 MB/s
	 * is 1.6 ms; between unlimited ends too. */
	struct net_endpoint fast_w = ep(1, 2, 4, 1.25e9), slow_w = ep(1, 2, 5, 100e6);
	assert_int_equal(delay(&fx, fast0, fast_w, mb), sim_time_from_s(32 * MS + 1.6 * MS));
	assert_int_equal(delay(&fx, unl0, ep(1, 2, 6, 0), mb), sim_time_from_s(32 * MS + 1.6 * MS));
	/* ... and not when an end is narrower: 1 MB at 100 MB/s is 10 ms. */
	assert_int_equal(delay(&fx, fast0, slow_w, mb), sim_time_from_s(32 * MS + 10 * MS));
	/* The cap is for other regions only: within a region 1.25 GB/s applies. */
	assert_int_equal(delay(&fx, fast0, ep(0, 1, 7, 1.25e9), mb),
			 sim_time_from_s(1 * MS + 0.8 * MS));
	fx_release(&fx);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Empirical quantile (sorted sample, nearest rank). */
static double quantile(const double *s, size_t n, double p)
{
	size_t k = (size_t)ceil(p * (double)n);
	if (k < 1)
		k = 1;
	return s[k - 1];
}

/* Cross-region jitter: one-way delay = median/2 x exp(sigma Z), sigma = ln(1.1) / z99. With
 * n = 40000, the relative standard error of the median is sigma sqrt(pi/2) / sqrt(n) = 0.026%
 * and of the p99 about 0.08%; the tolerances are 0.2% and 0.6%. A jitter of 1.05 or 1.15
 * would move the p99 by 4.5%. */
static void test_inter_region_jitter(void **state)
{
	(void)state;
	struct net_fixture fx;
	fx_init(&fx, 1.1, 0);
	const size_t n = 40000;
	double *s = malloc(sizeof(double) * n);
	assert_non_null(s);
	double sum_log = 0, sum_log2 = 0;
	for (size_t i = 0; i < n; i++) {
		s[i] = sim_time_to_s(delay(&fx, ep(0, 0, 0, 0), ep(1, 2, 3, 0), 0));
		double l = log(s[i]);
		sum_log += l;
		sum_log2 += l * l;
	}
	qsort(s, n, sizeof(double), cmp_double);
	double med = quantile(s, n, 0.5), p99 = quantile(s, n, 0.99);
	assert_true(fabs(med / 0.032 - 1) < 0.002);
	assert_true(fabs(p99 / 0.032 - 1.1) < 1.1 * 0.006);
	double sigma = log(1.1) / gsl_cdf_ugaussian_Pinv(0.99);
	double mean_log = sum_log / n;
	double sd_log = sqrt(sum_log2 / n - mean_log * mean_log);
	/* SE of the sample sd is sigma / sqrt(2n) = 0.35%; tolerance 2%. */
	assert_true(fabs(sd_log / sigma - 1) < 0.02);
	assert_true(fabs(mean_log - log(0.032)) < 5 * sigma / sqrt((double)n));
	/* All positive, none beyond 1.6 x median (z = 11). */
	assert_true(s[0] > 0);
	assert_true(s[n - 1] < 0.032 * 1.6);
	free(s);
	fx_release(&fx);
}

/* Same-AZ jitter with the shipped default (lognormal median 0.25 ms, p99 0.6 ms): one-way
 * median 0.125 ms, p99 0.3 ms. sigma = ln 2.4 / z99 = 0.376; n = 40000: SE of the median
 * 0.24%, of the p99 0.7%; tolerances 1.2% and 3%. */
static void test_same_az_jitter(void **state)
{
	(void)state;
	struct net_fixture fx;
	fx_init(&fx, 1.0, 0);
	rng_dist_release(&fx.cfg.same_az_rtt);
	assert_int_equal(rng_dist_init_lognormal_median_p99(&fx.n.cfg.same_az_rtt, 0.25 * MS,
							      0.6 * MS), 0);
	const size_t n = 40000;
	double *s = malloc(sizeof(double) * n);
	assert_non_null(s);
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		s[i] = sim_time_to_s(delay(&fx, ep(0, 0, 0, 0), ep(0, 0, 1, 0), 0));
		sum += s[i];
	}
	qsort(s, n, sizeof(double), cmp_double);
	assert_true(fabs(quantile(s, n, 0.5) / (0.125 * MS) - 1) < 0.012);
	assert_true(fabs(quantile(s, n, 0.99) / (0.3 * MS) - 1) < 0.03);
	/* Mean: median x exp(sigma^2 / 2) = 0.1343 ms; SE 0.19%, tolerance 1%. */
	double sigma = log(2.4) / gsl_cdf_ugaussian_Pinv(0.99);
	assert_true(fabs(sum / n / (0.125 * MS * exp(sigma * sigma / 2)) - 1) < 0.01);
	/* Cross-AZ and same-host draws are still the deterministic ones. */
	assert_int_equal(delay(&fx, ep(0, 0, 0, 0), ep(0, 1, 1, 0), 0), sim_time_from_s(1 * MS));
	assert_int_equal(delay(&fx, ep(0, 0, 0, 0), ep(0, 0, 0, 0), 0),
			 sim_time_from_s(0.05 * MS));
	rng_dist_release(&fx.n.cfg.same_az_rtt);
	free(s);
	fx_release(&fx);
}

/* Draws come from the caller's stream: the same stream gives the same delays. */
static void test_reproducible(void **state)
{
	(void)state;
	struct net_fixture fx;
	fx_init(&fx, 1.1, 0);
	gsl_rng *a = rng_stream_new(7, 2, "path"), *b = rng_stream_new(7, 2, "path");
	bool differ = false;
	sim_time first = 0;
	for (int i = 0; i < 100; i++) {
		struct net_endpoint x = ep(0, 0, 0, 0), y = ep(1, 2, 3, 0);
		sim_time da = network_delay(&fx.n, a, &x, &y, 0);
		sim_time db = network_delay(&fx.n, b, &x, &y, 0);
		assert_int_equal(da, db);
		if (i == 0)
			first = da;
		else if (da != first)
			differ = true;
	}
	assert_true(differ); /* jitter really draws */
	gsl_rng_free(a);
	gsl_rng_free(b);
	fx_release(&fx);
}

/* A degraded link (network.h): between AZ 0 and AZ 1 (either way) x10; other scopes and
 * links unchanged; restored, back to normal. With loss p per transmission, the extra delay
 * of a message is a retransmission timeout (200 ms + the degraded round trip), doubling per
 * further loss: mean extra = sum_k p^k (1 - p) sum_{j<k} rto 2^j, checked on 200,000
 * messages within 3 standard errors. */
static void test_degraded_link(void **state)
{
	(void)state;
	struct net_fixture fx;
	fx_init(&fx, 1.0, 0);
	struct net_endpoint h0 = ep(0, 0, 0, 0), h1 = ep(0, 0, 1, 0), h2 = ep(0, 1, 2, 0);
	struct net_endpoint h3 = ep(1, 2, 3, 0);
	assert_int_equal(network_degrade(&fx.n, -1, 0, -1, 1, 0.5, 0), -EINVAL);
	assert_int_equal(network_degrade(&fx.n, -1, 0, -1, 1, 10, 1), -EINVAL);
	int id = network_degrade(&fx.n, -1, 0, -1, 1, 10, 0);
	assert_true(id >= 0);
	assert_int_equal(delay(&fx, h0, h2, 0), sim_time_from_s(10 * MS));
	assert_int_equal(delay(&fx, h2, h0, 0), sim_time_from_s(10 * MS));
	assert_int_equal(delay(&fx, h0, h1, 0), sim_time_from_s(0.25 * MS)); /* same AZ */
	assert_int_equal(delay(&fx, h0, h3, 0), sim_time_from_s(32 * MS));   /* other region */
	/* A region-wide degradation as well: both apply to 0 <-> 1 within region 0. */
	int id2 = network_degrade(&fx.n, 0, -1, 1, -1, 2, 0);
	assert_int_equal(delay(&fx, h0, h3, 0), sim_time_from_s(64 * MS));
	assert_int_equal(delay(&fx, h0, h2, 0), sim_time_from_s(10 * MS));
	network_restore(&fx.n, id2);
	network_restore(&fx.n, id);
	assert_int_equal(delay(&fx, h0, h2, 0), sim_time_from_s(1 * MS));
	/* Loss 0.1 on the link at x1: rto = 0.2 + 0.002 s. */
	id = network_degrade(&fx.n, -1, 0, -1, 1, 1, 0.1);
	assert_true(id >= 0);
	const int n = 200000;
	double sum = 0, sum2 = 0;
	for (int i = 0; i < n; i++) {
		double extra = sim_time_to_s(delay(&fx, h0, h2, 0)) - 1 * MS;
		sum += extra;
		sum2 += extra * extra;
	}
	double p = 0.1, rto = 0.202, want = 0, acc = 0;
	for (int k = 1; k <= 6; k++) {
		acc += rto * pow(2, k - 1);
		want += (k < 6 ? pow(p, k) * (1 - p) : pow(p, k)) * acc;
	}
	double mean = sum / n, sd = sqrt(sum2 / n - mean * mean);
	if (fabs(mean - want) > 3 * sd / sqrt(n))
		fail_msg("mean extra delay %g s, want %g +- %g", mean, want, 3 * sd / sqrt(n));
	fx_release(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scopes),
		cmocka_unit_test(test_matrix_copied),
		cmocka_unit_test(test_serialization),
		cmocka_unit_test(test_inter_region_jitter),
		cmocka_unit_test(test_same_az_jitter),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_degraded_link),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
