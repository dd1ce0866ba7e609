/* router.c: routes, gateways, load balancers and DNS (see router.h). */
#include "router.h"

#include <stdlib.h>
#include <string.h>

#include "ecp.h"
#include "svc.h"

/* What a web gateway knows of one of its servers. */
struct gw_slot {
	sim_time silent_since; /* first seen not answering, SIM_TIME_MAX: answering */
	int member;            /* mirror server: the member it sends to (-1: none yet) */
	bool searching;        /* mirror server: cycling through the members for the primary */
	uint32_t cycles;       /* search cycles done */
	sim_time next_cycle;   /* when the next search cycle runs */
};

struct router {
	struct sim_engine *e;
	struct router_params p;
	struct lb **lbs;
	struct dns **dns;
	size_t *gateway_next;    /* per gateway: round-robin position */
	int *gateway_host;       /* per gateway: its host */
	struct gw_slot **slots;  /* per gateway, per server */
	struct gateway **gateways; /* per gateway: its connection pool */
	int *members;            /* per mirror: its member hosts */
};

/* --- what forwarders know -------------------------------------------------------------- */

static bool answers_gateway(const struct router *r, int from, int h);
static bool refuses_gateway(const struct router *r, int from, int h);

/* The host slot k of gateway g sends to now, or -1 with *cause set. A mirror-aware slot
 * keeps the member it knows as primary until its connection to it fails: refused at once
 * (instance stopped on a live host) or answered as a member that is not primary, or silent
 * for the Server_Response_Timeout (a crashed or cut-off host sends no RST). Then it cycles
 * through the members: a cycle finds the primary when one answers the gateway; after each
 * cycle without one it pauses search_pause x the tries so far (iris-2.md §7). While it
 * searches, the gateway answers its requests with an error (no primary). The cycles are
 * evaluated when requests come (a cycle due in the past sees the state now). */
static int slot_host(struct router *r, int g, size_t k, sim_time now, int *cause)
{
	struct server_ref ref = r->p.gateway_servers[g][k];
	if (ref.mirror < 0)
		return ref.host;
	struct gw_slot *s = &r->slots[g][k];
	const struct web_gateway_config *gw = &r->p.gateways[g];
	const struct mirror *m = r->p.mirrors[ref.mirror];
	int from = r->gateway_host[g];
	if (!s->searching) {
		int h = s->member;
		bool answers = h >= 0 && answers_gateway(r, from, h);
		if (answers && mirror_primary_host(m) == h)
			return h;
		if (h < 0 || answers || refuses_gateway(r, from, h)) {
			s->searching = true; /* the connection failed now */
			s->next_cycle = now;
		} else if (s->silent_since == SIM_TIME_MAX ||
			   now - s->silent_since < gw->server_response_timeout) {
			return h; /* silent: the gateway does not know yet */
		} else {
			s->searching = true;
			s->next_cycle = s->silent_since + gw->server_response_timeout;
		}
		s->cycles = 0;
		s->silent_since = SIM_TIME_MAX;
	}
	while (now >= s->next_cycle) {
		s->cycles++;
		int p = mirror_primary_host(m);
		if (p >= 0 && answers_gateway(r, from, p)) {
			s->member = p;
			s->searching = false;
			return p;
		}
		int tries = (int)s->cycles * (r->members[ref.mirror] > 0 ? r->members[ref.mirror] : 1);
		sim_time pause = gw->search_pause * tries;
		s->next_cycle += pause > 0 ? pause : 1;
	}
	*cause = CAUSE_NO_PRIMARY;
	return -1;
}

/* A SIM_TIME that marks a server offline now. */
#define SIM_TIME_MIN_OFFLINE(now, limit) ((now) - (limit))

/* Slot k of gateway g as a request (or a health check) through the gateway finds it now:
 * its host (slot_host) and what that teaches the gateway about its silence. */
static int slot_now(struct router *r, int g, size_t k, sim_time now, int *cause)
{
	struct gw_slot *s = &r->slots[g][k];
	sim_time limit = r->p.gateways[g].server_response_timeout;
	int h = slot_host(r, g, k, now, cause);
	if (h < 0)
		s->silent_since = SIM_TIME_MAX; /* searching: nothing sent */
	else if (answers_gateway(r, r->gateway_host[g], h))
		s->silent_since = SIM_TIME_MAX;
	else if (refuses_gateway(r, r->gateway_host[g], h))
		s->silent_since = SIM_TIME_MIN_OFFLINE(now, limit);
	else if (s->silent_since == SIM_TIME_MAX)
		s->silent_since = now;
	return h;
}

static int host_mirror(const struct router *r, int h)
{
	for (size_t m = 0; m < r->p.mirror_count; m++)
		if (mirror_has_host(r->p.mirrors[m], h))
			return (int)m;
	return -1;
}

/* --- health checks ------------------------------------------------------------------------ */

static enum lb_probe_result probe_host(struct router *r, int h, struct fabric_place from,
				       bool tcp)
{
	const struct host_info *host = &r->p.hosts[h];
	struct fabric_place at = fabric_host_place(r->p.fabric, h);
	if (!fabric_reaches(r->p.fabric, from, at) || !fabric_reaches(r->p.fabric, at, from))
		return PROBE_TIMEOUT;
	if (tcp) { /* a connect to the traffic port: the listener, not the application */
		if (host->cfg->role == HOST_ROLE_WEB)
			return PROBE_OK;
		return fabric_iris(r->p.fabric, h) == FABRIC_IRIS_STOPPED ? PROBE_FAIL : PROBE_OK;
	}
	switch (host->cfg->role) {
	case HOST_ROLE_DATA: {
		int m = host_mirror(r, h);
		if (m >= 0) {
			enum mirror_status s = mirror_member_status(r->p.mirrors[m], h);
			return s == MIRROR_STATUS_OK ? PROBE_OK : s == MIRROR_STATUS_FAIL ? PROBE_FAIL
											   : PROBE_TIMEOUT;
		}
		return fabric_iris_running(r->p.fabric, h) ? PROBE_OK : PROBE_TIMEOUT;
	}
	case HOST_ROLE_APP:
	case HOST_ROLE_COMPUTE: {
		struct ecp_app *app = r->p.app_of_host[h];
		return app && ecp_app_probe(app) ? PROBE_OK : PROBE_TIMEOUT;
	}
	case HOST_ROLE_WEB: {
		/* A mirror-aware gateway answers the health path through its primary. */
		int g = r->p.gateway_of_host[h];
		if (g < 0)
			return PROBE_OK;
		for (size_t k = 0; k < r->p.gateways[g].server_count; k++) {
			/* The check passes the gateway like a request: it reaches the member the
			 * gateway uses now (none while it searches) and teaches it what requests do. */
			int cause = SVC_OK;
			int sh = slot_now(r, g, k, sim_now(r->e), &cause);
			if (sh >= 0 && probe_host(r, sh, at, false) == PROBE_OK)
				return PROBE_OK;
		}
		return PROBE_FAIL;
	}
	default:
		return PROBE_OK;
	}
}

static size_t lb_index_of(const struct router *r, const struct load_balancer_config *lb)
{
	return (size_t)(lb - r->p.lbs);
}

static enum lb_probe_result lb_probe(void *arg, const struct load_balancer_config *lb,
				     size_t target)
{
	struct router *r = arg;
	size_t l = lb_index_of(r, lb);
	int h = r->p.lb_target_host[l][target];
	if (h < 0)
		return PROBE_TIMEOUT;
	/* Every live node of the load balancer checks the target; the best answer counts (a
	 * node cut off from the target does not make it unhealthy for the others). */
	enum lb_probe_result best = PROBE_TIMEOUT;
	for (size_t a = 0; a < lb->az_count; a++) {
		int az = r->p.lb_az[l][a];
		if (az < 0 || !fabric_az_up(r->p.fabric, az))
			continue;
		enum lb_probe_result res =
			probe_host(r, h, (struct fabric_place){r->p.az_region[az], az, -1},
				   lb->health_check.protocol == HC_TCP);
		if (res == PROBE_OK)
			return PROBE_OK;
		if (res == PROBE_FAIL)
			best = PROBE_FAIL;
	}
	return best;
}

static bool lb_node_up(void *arg, const struct load_balancer_config *lb, size_t a)
{
	struct router *r = arg;
	int az = r->p.lb_az[lb_index_of(r, lb)][a];
	return az >= 0 && fabric_az_up(r->p.fabric, az);
}

static void lb_changed(void *arg, const struct load_balancer_config *lb, size_t target,
		       bool healthy)
{
	struct router *r = arg;
	char source[96], text[192];
	snprintf(source, sizeof(source), "lb %s", lb->name);
	snprintf(text, sizeof(text), "target %s %s", lb->targets[target],
		 healthy ? "healthy" : "unhealthy");
	obs_timeline(r->p.obs, source, text);
	for (size_t i = 0; i < r->p.dns_count; i++)
		dns_refresh(r->dns[i]);
}

/* Something in the fabric changed (an AZ, host or instance): nodes may have gone or come
 * back, and with them what the LBs publish and what alias records answer. */
static void on_fabric(void *arg)
{
	struct router *r = arg;
	for (size_t i = 0; i < r->p.lb_count; i++)
		lb_refresh(r->lbs[i]);
	for (size_t i = 0; i < r->p.dns_count; i++)
		dns_refresh(r->dns[i]);
}

static void dns_changed(void *arg, const struct dns_config *cfg, bool failed_over)
{
	struct router *r = arg;
	char source[96], text[192];
	snprintf(source, sizeof(source), "dns %s", cfg->name);
	snprintf(text, sizeof(text), "answers %s",
		 failed_over && cfg->secondary ? cfg->secondary : cfg->primary);
	obs_timeline(r->p.obs, source, text);
}

/* --- routes ------------------------------------------------------------------------------------ */

static void hop_host(const struct router *r, struct route *rt, int h)
{
	const struct host_info *host = &r->p.hosts[h];
	if (rt->hop_count >= ROUTE_HOPS_MAX)
		return;
	struct fabric_place place = fabric_host_place(r->p.fabric, h);
	rt->hops[rt->hop_count] =
		(struct net_endpoint){place.region, place.az, h, host->network_bandwidth};
	rt->places[rt->hop_count++] = place;
}

/* Does host h answer a gateway on host from: reachable, its instance running, and an
 * application server with its ECP connection Normal (a stalled one does not answer)? */
static bool answers_gateway(const struct router *r, int from, int h)
{
	if (h < 0 || !fabric_hosts_talk(r->p.fabric, from, h) || !fabric_iris_running(r->p.fabric, h))
		return false;
	const struct ecp_app *app = r->p.app_of_host ? r->p.app_of_host[h] : NULL;
	return !app || ecp_app_healthy(app);
}

/* A server whose host is up but whose instance is stopped refuses the connection at once:
 * the gateway knows without waiting for its timeout. */
static bool refuses_gateway(const struct router *r, int from, int h)
{
	return h >= 0 && fabric_hosts_talk(r->p.fabric, from, h) &&
	       fabric_iris(r->p.fabric, h) == FABRIC_IRIS_STOPPED;
}


/* Web gateway g's next server in turn, skipping those marked offline: silent for the
 * Server_Response_Timeout (iris-2.md §7), or refusing connections (instance stopped on a
 * live host: at once). The gateway learns a server is silent from the
 * requests it sends, so the mark is taken when a route is resolved. When every server is
 * offline, the one in turn is used. Returns the host (-1 with *cause when none). */
static int gateway_pick(struct router *r, int g, int *cause)
{
	size_t n = r->p.gateways[g].server_count;
	sim_time now = sim_now(r->e), limit = r->p.gateways[g].server_response_timeout;
	size_t start = r->gateway_next[g]++ % n;
	int first = -1, first_cause = SVC_OK;
	for (size_t j = 0; j < n; j++) {
		size_t k = (start + j) % n;
		struct gw_slot *s = &r->slots[g][k];
		int c = SVC_OK;
		int h = slot_now(r, g, k, now, &c);
		if (j == 0) {
			first = h;
			first_cause = c;
		}
		if (n == 1 || s->silent_since == SIM_TIME_MAX || now - s->silent_since < limit) {
			*cause = c;
			return h;
		}
	}
	*cause = first_cause;
	return first;
}

/* Walk from host h to a data host or application server, adding hops. Returns its host or -1 (rt->error set
 * when an answer comes back rather than silence). */
static int walk_from_host(struct router *r, struct route *rt, int h, int depth)
{
	hop_host(r, rt, h);
	if (depth > 4)
		return -1;
	int cause = SVC_OK, next = -1;
	switch (r->p.hosts[h].cfg->role) {
	case HOST_ROLE_DATA:
	case HOST_ROLE_APP:     /* an application server reaches its data server by ECP */
	case HOST_ROLE_COMPUTE: /* a compute node runs what its sharded cluster gives it */
		return h;
	case HOST_ROLE_WEB: {
		int g = r->p.gateway_of_host[h];
		size_t n = g >= 0 ? r->p.gateways[g].server_count : 0;
		if (g >= 0 && rt->gateway < 0) {
			rt->gateway = g;
			rt->gateway_hop = rt->hop_count - 1;
		}
		if (n > 0)
			next = gateway_pick(r, g, &cause);
		break;
	}
	default:
		break;
	}
	if (next < 0) {
		rt->error = cause != SVC_OK ? cause : CAUSE_NO_PRIMARY;
		return -1;
	}
	return walk_from_host(r, rt, next, depth + 1);
}

int router_route(struct router *r, const struct router_entry *entry, int region, gsl_rng *rng,
		 struct route_cache *cache, struct route *rt)
{
	rt->hop_count = 1;
	rt->hops[0] = (struct net_endpoint){region, -1, -1, 0};
	rt->places[0] = (struct fabric_place){region, -1, -1};
	rt->error = SVC_OK;
	rt->gateway = rt->gateway_hop = -1;
	if (entry->dns < 0 && entry->lb < 0)
		return entry->host >= 0 ? walk_from_host(r, rt, entry->host, 0) : -1;
	sim_time now = sim_now(r->e);
	struct route_cache fresh, *c = cache ? cache : &fresh;
	if (!cache || cache->lb < 0 || now >= cache->until) {
		/* Resolve: the client's cache was filled u ago, u uniform over the TTL. */
		const struct dns *d = entry->dns >= 0 ? r->dns[entry->dns] : NULL;
		sim_time ttl = d ? dns_cfg(d)->ttl : LB_DNS_TTL;
		sim_time u = (sim_time)(gsl_rng_uniform(rng) * (double)ttl);
		sim_time filled = now - u;
		struct lb *lb = d ? dns_answer_at(d, filled) : r->lbs[entry->lb];
		size_t l = lb_index_of(r, lb_config(lb));
		c->lb = (int)l;
		c->node = lb_node_pick_at(lb, rng, filled);
		c->until = filled + ttl;
	}
	struct lb *lb = r->lbs[c->lb];
	const struct load_balancer_config *cfg = lb_config(lb);
	int t = lb_pick_via(lb, c->node);
	if (t < 0) {
		rt->error = CAUSE_LB_UNAVAILABLE;
		return -1;
	}
	size_t l = (size_t)c->lb;
	int h = r->p.lb_target_host[l][t];
	int node_az = r->p.lb_az[l][c->node];
	if (node_az < 0 || h < 0) {
		rt->error = CAUSE_LB_UNAVAILABLE;
		return -1;
	}
	(void)cfg;
	int node_region = r->p.az_region[node_az];
	rt->hops[rt->hop_count] = (struct net_endpoint){node_region, node_az, -1, 0};
	rt->places[rt->hop_count++] = (struct fabric_place){node_region, node_az, -1};
	return walk_from_host(r, rt, h, 0);
}

bool router_delay_leg(const struct router *r, gsl_rng *rng, const struct route *rt, int from,
		      int to, double bytes, sim_time *out)
{
	sim_time total = 0;
	int step = to >= from ? 1 : -1;
	for (int i = from; i != to; i += step) {
		if (!fabric_reaches(r->p.fabric, rt->places[i], rt->places[i + step]))
			return false;
		total += network_delay(r->p.net, rng, &rt->hops[i], &rt->hops[i + step], bytes);
	}
	*out = total;
	return true;
}

bool router_delay(const struct router *r, gsl_rng *rng, const struct route *rt, double bytes,
		  bool back, sim_time *out)
{
	int last = rt->hop_count - 1;
	return router_delay_leg(r, rng, rt, back ? last : 0, back ? 0 : last, bytes, out);
}

/* --- build ------------------------------------------------------------------------------------ */

struct router *router_new(struct sim_engine *e, const struct router_params *p)
{
	struct router *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->e = e;
	r->p = *p;
	r->lbs = calloc(p->lb_count + 1, sizeof(*r->lbs));
	r->dns = calloc(p->dns_count + 1, sizeof(*r->dns));
	r->gateway_next = calloc(p->gateway_count + 1, sizeof(*r->gateway_next));
	r->members = calloc(p->mirror_count + 1, sizeof(int));
	r->gateways = calloc(p->gateway_count + 1, sizeof(*r->gateways));
	r->gateway_host = calloc(p->gateway_count + 1, sizeof(*r->gateway_host));
	r->slots = calloc(p->gateway_count + 1, sizeof(*r->slots));
	if (!r->lbs || !r->dns || !r->gateway_next || !r->members || !r->gateways ||
	    !r->gateway_host || !r->slots)
		goto fail;
	for (size_t m = 0; m < p->mirror_count; m++)
		for (size_t h = 0; h < p->host_count; h++)
			r->members[m] += mirror_has_host(p->mirrors[m], (int)h);
	for (size_t g = 0; g < p->gateway_count; g++) {
		size_t n = p->gateways[g].server_count;
		r->gateway_host[g] = -1;
		for (size_t h = 0; h < p->host_count; h++)
			if (strcmp(p->hosts[h].cfg->name, p->gateways[g].host) == 0)
				r->gateway_host[g] = (int)h;
		if (!(r->slots[g] = calloc(n + 1, sizeof(struct gw_slot))))
			goto fail;
		for (size_t k = 0; k < n; k++) {
			struct server_ref ref = p->gateway_servers[g][k];
			r->slots[g][k].silent_since = SIM_TIME_MAX;
			/* Configured with the primary of the start (the member it first reaches). */
			r->slots[g][k].member =
				ref.mirror >= 0 ? mirror_primary_host(p->mirrors[ref.mirror]) : -1;
		}
	}
	for (size_t g = 0; g < p->gateway_count; g++)
		if (!(r->gateways[g] = gateway_new(e, &p->gateways[g])))
			goto fail;
	struct lb_hooks hooks = {lb_probe, lb_node_up, lb_changed, r};
	for (size_t i = 0; i < p->lb_count; i++) {
		if (!(r->lbs[i] = lb_new(e, &p->lbs[i], &hooks)))
			goto fail;
		/* Each target in the zone of the node in its host's AZ. */
		for (size_t t = 0; t < p->lbs[i].target_count; t++) {
			int h = p->lb_target_host[i][t];
			for (size_t a = 0; h >= 0 && a < p->lbs[i].az_count; a++)
				if (strcmp(p->lbs[i].azs[a], p->hosts[h].cfg->az) == 0)
					lb_set_target_zone(r->lbs[i], t, (int)a);
		}
	}
	for (size_t i = 0; i < p->dns_count; i++) {
		int pi = p->dns_primary_lb[i], si = p->dns_secondary_lb[i];
		if (pi < 0)
			goto fail;
		if (!(r->dns[i] = dns_new(e, &p->dns[i], r->lbs[pi], si >= 0 ? r->lbs[si] : NULL,
					  dns_changed, r)))
			goto fail;
	}
	if (p->fabric && fabric_subscribe(p->fabric, on_fabric, r) < 0)
		goto fail;
	return r;
fail:
	router_free(r);
	return NULL;
}

void router_free(struct router *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->lbs && i < r->p.lb_count; i++)
		lb_free(r->lbs[i]);
	for (size_t i = 0; r->dns && i < r->p.dns_count; i++)
		dns_free(r->dns[i]);
	free(r->lbs);
	free(r->dns);
	free(r->gateway_next);
	for (size_t g = 0; r->slots && g < r->p.gateway_count; g++)
		free(r->slots[g]);
	free(r->slots);
	free(r->gateway_host);
	free(r->members);
	free(r->gateways);
	free(r);
}

void router_start(struct router *r)
{
	for (size_t i = 0; i < r->p.lb_count; i++)
		lb_start(r->lbs[i]);
	for (size_t i = 0; i < r->p.dns_count; i++)
		dns_start(r->dns[i]);
}

struct lb *router_lb(const struct router *r, size_t i) { return i < r->p.lb_count ? r->lbs[i] : NULL; }

struct gateway *router_gateway(const struct router *r, size_t g)
{
	return g < r->p.gateway_count ? r->gateways[g] : NULL;
}
