/* network.h: one-way delays between endpoints by scope, with jitter and serialization.
 *
 * An endpoint is a host (in an AZ of a region) or a client population (in a region, outside
 * any AZ). The delay of one message from a to b is half a round trip drawn from the scope's
 * distribution plus the payload's serialization time over the narrower of the two ends'
 * bandwidths:
 *   same host    network.same_host_rtt / 2
 *   same AZ      network.same_az_rtt / 2
 *   cross-AZ     network.cross_az_rtt / 2 (a client and a host in its region count as this)
 *   cross-region the catalog matrix's median RTT / 2, lognormal with p99/median =
 *                network.inter_region_jitter; bandwidth capped at inter_region_bandwidth
 * Draws come from the caller's stream, so a request's path is reproducible.
 *
 * Degraded links (gray network failures, fault network_degraded): a message between two
 * places (an AZ or a region each, either way) takes latency_factor times its delay and,
 * with probability `loss` per transmission, a TCP retransmission timeout more (every
 * message here is TCP: HTTP, mirror, ECP), doubling at each further loss (RFC 6298 §5.5).
 * The timeout is NETWORK_RTO_MIN_S + the drawn round trip (Linux's RTO floor, TCP_RTO_MIN,
 * is 200 ms; rto = srtt + 4 rttvar is below it on these paths). A message is never lost
 * outright; the extra draws happen only on a degraded link, so other draws are unchanged.
 *
 * Traffic: every message's bytes are counted by link class (for the data-transfer cost): to
 * another region (by ordered region pair, whatever the ends), between a client population
 * and the deployment, to or from a load-balancer node, within one host, within one AZ, and
 * across AZs of a region. Counting draws nothing, so results do not move with it.
 */
#ifndef TOPSIM_NETWORK_H
#define TOPSIM_NETWORK_H

#include <stdbool.h>
#include <stddef.h>

#include "sim.h"
#include "topology.h"

struct net_endpoint {
	int region;        /* index in the network's regions */
	int az;            /* AZ index, -1 for a client population */
	int host;          /* host index, -1 for a client population or a load-balancer node */
	double bandwidth;  /* B/s of the endpoint's interface; 0 = unlimited */
};

#define NETWORK_RTO_MIN_S 0.2  /* Linux TCP_RTO_MIN (include/net/tcp.h: HZ / 5) */

/* A degraded link between side a and side b: each side is an AZ (az >= 0) or a region. */
struct network_degradation {
	int a_region, a_az, b_region, b_az;
	double latency_factor;       /* >= 1 */
	double loss;                 /* [0, 1) per transmission */
	bool active;
};

enum network_link {
	NET_LINK_SAME_HOST,
	NET_LINK_SAME_AZ,
	NET_LINK_CROSS_AZ,
	NET_LINK_CLIENT,         /* a client population and a host or load-balancer node */
	NET_LINK_LOAD_BALANCER,  /* a load-balancer node and a host (clients: NET_LINK_CLIENT) */
	NET_LINK_COUNT
};

/* Link class names as the network_bytes metric qualifies them ("same_az", ...). */
extern const char *const network_link_names[NET_LINK_COUNT];

/* Bytes sent since the last network_traffic_reset. */
struct network_traffic {
	double bytes[NET_LINK_COUNT];
	double *region_bytes;    /* region_count^2, row = from; cross-region messages only */
};

struct network {
	struct network_config cfg;  /* scope distributions (copied, not owned: see below) */
	size_t region_count;
	double *rtt_median_s;        /* region_count^2 medians, symmetric */
	double jitter_sigma;         /* lognormal sigma from inter_region_jitter */
	struct network_degradation *degr; /* owned; slots are reused once restored */
	size_t degr_count, degr_cap;
	struct network_traffic *traffic; /* owned; counted by network_delay through a const
					  * network (the delay draws are what is const) */
};

/* Initialise from the scenario's network config (kept by pointer semantics: the dists are
 * shallow-copied and must outlive the network) and a symmetric region RTT matrix in
 * seconds (copied). Returns 0 or -ENOMEM. */
int network_init(struct network *n, const struct network_config *cfg, size_t region_count,
		 const double *rtt_median_s);
void network_release(struct network *n);

/* Start counting traffic afresh (at the end of the warm-up). Cannot fail. */
void network_traffic_reset(struct network *n);

/* Degrade the link between side a and side b (region, AZ: one of them -1 per side): returns
 * its id (>= 0) for network_restore, or -ENOMEM / -EINVAL (factor < 1, loss outside
 * [0, 1)). Overlapping degradations of one link multiply. */
int network_degrade(struct network *n, int a_region, int a_az, int b_region, int b_az,
		    double latency_factor, double loss);
void network_restore(struct network *n, int id);

/* One-way delay of a message of `bytes` from a to b, drawn from r. Cannot fail. */
sim_time network_delay(const struct network *n, gsl_rng *r, const struct net_endpoint *a,
		       const struct net_endpoint *b, double bytes);

#endif
