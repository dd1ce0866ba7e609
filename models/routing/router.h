/* router.h: how a client's try finds its data server: DNS, load balancer, web gateway,
 * ECP application server or shard compute node, hop by hop over the network.
 *
 * A route is resolved when a try is sent: the DNS answer (with TTL caching), a healthy
 * target of the load balancer (round robin) and the load-balancer node in the target's AZ
 * when it has a live one there, then from host to host: a web gateway forwards to its
 * servers in turn (a mirror set means the member the gateway knows as primary), until a
 * data host, an ECP application server (which reaches its data server itself, ecp.h) or a
 * shard compute node (whose cluster runs the request, shard.h). Each hop is a network
 * endpoint; a try crosses hop by hop and is lost
 * when the fabric cuts a hop (router_delay).
 *
 * A mirror-aware web gateway finds the primary as IRIS's does (iris-2.md §7): it keeps the
 * member it knows until its connection to it fails, refused at once (instance stopped on a
 * live host, or the member answers that it is not primary) or silent for the gateway's
 * Server_Response_Timeout (a crashed or cut-off host sends no RST); then it cycles through
 * the mirror's members until one answers as primary, pausing search_pause x the tries so
 * far after each cycle without one, and answers its requests with an error meanwhile.
 * (ECP application servers find it themselves, ecp.h.)
 *
 * The router also owns the load balancers and DNS records (lb.h) and answers their health
 * checks. An http check: a data host answers mirror_status (200 on the primary, 503 on other
 * members, no answer when its instance is down); an application server or compute node
 * answers while its instance runs and its ECP connection is Normal (a health page needs
 * data); a web host answers through its gateway's servers. A tcp check (NLB default) only
 * connects: any reachable host whose listener is there succeeds (a web host always; an IRIS
 * host while its instance process exists, hung or not, whatever its mirror role), a host up
 * with its instance stopped refuses at once (fail), an unreachable host times out. Every
 * live node of a load balancer checks, and the best answer counts. The router keeps each
 * LB's published nodes and each alias record's answer current: it refreshes them on every
 * change of the fabric (AZ, host, instance) and of target health.
 *
 * Ownership: the router owns its tables, load balancers and DNS records; entities belong
 * to the engine; the params' arrays and configs must outlive it.
 */
#ifndef TOPSIM_ROUTER_H
#define TOPSIM_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "fabric.h"
#include "gateway.h"
#include "host.h"
#include "iris.h"
#include "lb.h"
#include "mirror.h"
#include "network.h"
#include "obs.h"
#include "routing.h"
#include "sim.h"

#define ROUTE_HOPS_MAX 8

/* A server named in the configuration, resolved once: a mirror set or a host. */
struct server_ref {
	int mirror;  /* mirror index, or -1 */
	int host;    /* host index when not a mirror, else -1 */
};

struct ecp_app;

struct router_params {
	const struct host_info *hosts;
	size_t host_count;
	const int *az_region;            /* per AZ index: its region */
	const struct network *net;
	struct fabric *fabric;
	struct mirror *const *mirrors;   /* for health checks (mirror_status) */
	size_t mirror_count;
	const struct load_balancer_config *lbs;
	size_t lb_count;
	const int *const *lb_target_host; /* per LB, per target: host index (-1 unknown) */
	const int *const *lb_az;          /* per LB, per AZ entry: AZ index (-1 unknown) */
	const struct dns_config *dns;
	size_t dns_count;
	const int *dns_primary_lb, *dns_secondary_lb; /* per DNS record: LB index or -1 */
	const struct web_gateway_config *gateways;
	size_t gateway_count;
	const struct server_ref *const *gateway_servers; /* per gateway, per server */
	const int *gateway_of_host;       /* per host: its gateway index or -1 */
	struct ecp_app *const *app_of_host; /* per host: its ECP application server or NULL */
	const struct obs *obs;            /* timeline: health and DNS answer changes */
};

/* Where a population's requests enter: one of the three, the others -1. */
struct router_entry {
	int dns, lb, host;
};

/* What a client caches from DNS (one per request: its retries reuse it until it expires):
 * the load balancer and the node address it resolved. lb -1: nothing cached. */
struct route_cache {
	int lb;          /* index in params.lbs */
	int node;        /* index in that LB's azs, -1: none was published */
	sim_time until;  /* the cached answer expires then */
};

struct route {
	struct net_endpoint hops[ROUTE_HOPS_MAX];
	struct fabric_place places[ROUTE_HOPS_MAX];
	int hop_count;
	int error;   /* cause answered by the last hop (svc.h), SVC_OK when none */
	int gateway; /* the web gateway the route passes (index in params.gateways), or -1 */
	int gateway_hop; /* its hop index */
};

struct router;

/* Build the router, its load balancers and DNS records; subscribes to every mirror's
 * primary announcements. NULL on error (engine error or out of memory). */
struct router *router_new(struct sim_engine *e, const struct router_params *p);
void router_free(struct router *r);

/* Start the health checks (load balancers, then DNS). */
void router_start(struct router *r);

/* Web gateway g's connection pool (index in params.gateways). */
struct gateway *router_gateway(const struct router *r, size_t g);

/* Load balancer i (index in params.lbs), for fault injection. */
struct lb *router_lb(const struct router *r, size_t i);

/* Resolve a try from a population in `region` entering at `entry`: fills `out` and returns
 * the data host or application server host the try is for, or -1 (out->error says why when
 * an answer comes back rather than silence). Entering through DNS or a load balancer, the
 * client uses its cached answer while it lasts, else resolves: its cache was filled at
 * now - u, u uniform over the TTL (the DNS record's, or the LB's 60 s), so it gets the LB
 * and node address published then, and keeps them until then + TTL (`cache` updated; NULL:
 * nothing kept). A node that is down takes nothing (CAUSE_LB_UNAVAILABLE: the client's
 * connection times out). Draws from rng. */
int router_route(struct router *r, const struct router_entry *entry, int region, gsl_rng *rng,
		 struct route_cache *cache, struct route *out);

/* Sum of one-way delays along the route (backwards when `back`) for `bytes`; false when a
 * hop is cut (the message is lost). */
bool router_delay(const struct router *r, gsl_rng *rng, const struct route *rt, double bytes,
		  bool back, sim_time *out);

/* The same from hop `from` to hop `to` (either direction; from == to is 0). */
bool router_delay_leg(const struct router *r, gsl_rng *rng, const struct route *rt, int from,
		      int to, double bytes, sim_time *out);

#endif
