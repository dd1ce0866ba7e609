/* network.c: delays between endpoints (see network.h). */
#include "network.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

int network_init(struct network *n, const struct network_config *cfg, size_t region_count,
		 const double *rtt_median_s)
{
	memset(n, 0, sizeof(*n));
	n->cfg = *cfg;
	n->region_count = region_count;
	n->rtt_median_s = calloc(region_count * region_count + 1, sizeof(double));
	if (!n->rtt_median_s)
		return -ENOMEM;
	memcpy(n->rtt_median_s, rtt_median_s, sizeof(double) * region_count * region_count);
	/* p99/median = exp(z99 sigma) */
	n->jitter_sigma = log(cfg->inter_region_jitter) / gsl_cdf_ugaussian_Pinv(0.99);
	return 0;
}

void network_release(struct network *n)
{
	if (!n)
		return;
	free(n->rtt_median_s);
	memset(n, 0, sizeof(*n));
}

sim_time network_delay(const struct network *n, gsl_rng *r, const struct net_endpoint *a,
		       const struct net_endpoint *b, double bytes)
{
	double rtt;
	double bandwidth = a->bandwidth;
	if (b->bandwidth > 0 && (bandwidth <= 0 || b->bandwidth < bandwidth))
		bandwidth = b->bandwidth;
	if (a->region != b->region) {
		double median = n->rtt_median_s[(size_t)a->region * n->region_count + (size_t)b->region];
		rtt = n->jitter_sigma > 0 ? median * exp(n->jitter_sigma * gsl_ran_ugaussian(r)) : median;
		if (n->cfg.inter_region_bandwidth > 0 &&
		    (bandwidth <= 0 || n->cfg.inter_region_bandwidth < bandwidth))
			bandwidth = n->cfg.inter_region_bandwidth;
	} else if (a->host >= 0 && a->host == b->host) {
		rtt = rng_dist_sample_nonneg(&n->cfg.same_host_rtt, r);
	} else if (a->az >= 0 && a->az == b->az) {
		rtt = rng_dist_sample_nonneg(&n->cfg.same_az_rtt, r);
	} else {
		rtt = rng_dist_sample_nonneg(&n->cfg.cross_az_rtt, r);
	}
	double seconds = rtt * 0.5;
	if (bandwidth > 0 && bytes > 0)
		seconds += bytes / bandwidth;
	return sim_time_from_s(seconds);
}
