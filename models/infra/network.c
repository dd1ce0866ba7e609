/* network.c: delays between endpoints (see network.h). */
#include "network.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

const char *const network_link_names[NET_LINK_COUNT] = {
	[NET_LINK_SAME_HOST] = "same_host",
	[NET_LINK_SAME_AZ] = "same_az",
	[NET_LINK_CROSS_AZ] = "cross_az",
	[NET_LINK_CLIENT] = "client",
	[NET_LINK_LOAD_BALANCER] = "load_balancer",
};

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
	n->traffic = calloc(1, sizeof(*n->traffic));
	if (n->traffic)
		n->traffic->region_bytes = calloc(region_count * region_count + 1, sizeof(double));
	if (!n->traffic || !n->traffic->region_bytes) {
		network_release(n); /* a failed init leaves nothing to release */
		return -ENOMEM;
	}
	/* p99/median = exp(z99 sigma) */
	n->jitter_sigma = log(cfg->inter_region_jitter) / gsl_cdf_ugaussian_Pinv(0.99);
	return 0;
}

void network_release(struct network *n)
{
	if (!n)
		return;
	free(n->rtt_median_s);
	free(n->degr);
	if (n->traffic)
		free(n->traffic->region_bytes);
	free(n->traffic);
	memset(n, 0, sizeof(*n));
}

int network_degrade(struct network *n, int a_region, int a_az, int b_region, int b_az,
		    double latency_factor, double loss)
{
	if (!(latency_factor >= 1) || !(loss >= 0 && loss < 1))
		return -EINVAL;
	size_t id = 0;
	while (id < n->degr_count && n->degr[id].active)
		id++;
	if (id == n->degr_count) {
		if (n->degr_count == n->degr_cap) {
			size_t cap = n->degr_cap ? 2 * n->degr_cap : 4;
			struct network_degradation *grown = realloc(n->degr, cap * sizeof(*grown));
			if (!grown)
				return -ENOMEM;
			n->degr = grown;
			n->degr_cap = cap;
		}
		n->degr_count++;
	}
	n->degr[id] = (struct network_degradation){a_region, a_az, b_region, b_az, latency_factor,
						   loss, true};
	return (int)id;
}

void network_restore(struct network *n, int id)
{
	if (id >= 0 && (size_t)id < n->degr_count)
		n->degr[id].active = false;
}

void network_traffic_reset(struct network *n)
{
	memset(n->traffic->bytes, 0, sizeof(n->traffic->bytes));
	memset(n->traffic->region_bytes, 0, sizeof(double) * n->region_count * n->region_count);
}

static void count_traffic(const struct network *n, const struct net_endpoint *a,
			  const struct net_endpoint *b, double bytes)
{
	struct network_traffic *t = n->traffic;
	if (!(bytes > 0))
		return;
	if (a->region != b->region)
		t->region_bytes[(size_t)a->region * n->region_count + (size_t)b->region] += bytes;
	else if (a->az < 0 || b->az < 0)
		t->bytes[NET_LINK_CLIENT] += bytes;
	else if (a->host < 0 || b->host < 0)
		t->bytes[NET_LINK_LOAD_BALANCER] += bytes;
	else if (a->host == b->host)
		t->bytes[NET_LINK_SAME_HOST] += bytes;
	else if (a->az == b->az)
		t->bytes[NET_LINK_SAME_AZ] += bytes;
	else
		t->bytes[NET_LINK_CROSS_AZ] += bytes;
}

static bool on_side(const struct net_endpoint *e, int region, int az)
{
	return az >= 0 ? e->az == az : e->region == region;
}

/* The degradations on the link from a to b: the product of their latency factors and the
 * probability that a transmission survives all of them. */
static void degraded(const struct network *n, const struct net_endpoint *a,
		     const struct net_endpoint *b, double *factor, double *pass)
{
	*factor = 1;
	*pass = 1;
	for (size_t i = 0; i < n->degr_count; i++) {
		const struct network_degradation *d = &n->degr[i];
		if (!d->active)
			continue;
		if ((on_side(a, d->a_region, d->a_az) && on_side(b, d->b_region, d->b_az)) ||
		    (on_side(a, d->b_region, d->b_az) && on_side(b, d->a_region, d->a_az))) {
			*factor *= d->latency_factor;
			*pass *= 1 - d->loss;
		}
	}
}

sim_time network_delay(const struct network *n, gsl_rng *r, const struct net_endpoint *a,
		       const struct net_endpoint *b, double bytes)
{
	double rtt;
	double bandwidth = a->bandwidth;
	count_traffic(n, a, b, bytes);
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
	if (n->degr_count) {
		double factor, pass;
		degraded(n, a, b, &factor, &pass);
		seconds *= factor;
		/* Each lost transmission costs a retransmission timeout, doubling (at most 6). */
		double rto = NETWORK_RTO_MIN_S + rtt * factor;
		for (int k = 0; pass < 1 && k < 6 && gsl_rng_uniform(r) >= pass; k++, rto *= 2)
			seconds += rto;
	}
	if (bandwidth > 0 && bytes > 0)
		seconds += bytes / bandwidth;
	return sim_time_from_s(seconds);
}
