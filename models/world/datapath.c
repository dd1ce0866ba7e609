/* datapath.c: populations, requests and their tries, routes, incidents (see datapath.h).
 *
 * A request (client side) makes up to `attempts` tries. Each try resolves its route at the
 * moment it is sent (DNS answer with TTL caching, the load balancer's healthy targets, the
 * gateway's view of the mirror's primary), crosses the network hop by hop (a hop the fabric
 * cuts loses the try), and is served by the data server's IRIS node. A try ends for the
 * client with a response, an error answer, or its timeout; for the server when the node is
 * done with it or drops it. A try's memory is reused only when both sides have ended.
 *
 * Invariants:
 * - totals.arrived = totals.completed + totals.failed + totals.in_flight at every event.
 * - A try is in exactly one place: the free list, on the network (an event carries it), or
 *   inside an iris_node; `client_done` and `server_done` say which sides have finished.
 */
#include "datapath.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#define ROUTE_HOPS_MAX 8
#define SLAB 4096

const char *const datapath_cause_names[] = {"timeout", "not_primary", "no_primary",
					    "lb_unavailable", NULL};

struct request;

struct attempt {
	struct iris_request iris;      /* first member: the node hands it back */
	struct request *rq;            /* NULL once the client has given up on this try */
	struct net_endpoint hops[ROUTE_HOPS_MAX];
	struct fabric_place places[ROUTE_HOPS_MAX];
	int hop_count;
	int node;                      /* node index, or -1 */
	int host;                      /* data host index, or -1 */
	int error;                     /* enum datapath_cause answered, -1 = none */
	sim_time sent;
	struct sim_handle timer;
	bool client_done, server_done;
	struct attempt *next_free;
};

struct request {
	struct population *pop;
	uint32_t op;
	uint32_t tries;
	sim_time t_start;              /* first try */
	bool measured;
	bool update;                   /* write or commit */
	double request_bytes, response_bytes;
	double cpu_s, journal_bytes;
	uint32_t block_reads, writes;
	bool sync_commit;
	struct request *next_free;
};

/* A free list over slabs of fixed-size items that never move: no allocation per request
 * in the steady state. `link` is the offset of the item's free-list pointer. */
struct slab_pool {
	size_t item_size, link;
	char **slabs;
	size_t slab_count;
	void *free;
};

struct population {
	struct datapath *d;
	const struct population_config *cfg;
	struct sim_entity *self;
	int region;
	int entry_dns, entry_lb, entry_host; /* what the entry names; -1 for the others */
	size_t next_step;
	double rate;
};

struct op_class {
	const struct operation_config *cfg;
	uint64_t arrived, completed;
	uint64_t failed[CAUSE_COUNT], tries_failed[CAUSE_COUNT];
	struct stat_hist latency;
	struct stat_welford latency_w;
	struct stat_hist bucket;
	uint64_t bucket_completed, bucket_failed;
};

struct gateway_rr {
	size_t next;
};

struct node_ctx {
	struct datapath *d;
	int host;
};

/* A server named in the configuration, resolved once: a mirror set or a host. */
struct server_ref {
	int mirror;  /* mirror index, or -1 */
	int host;    /* host index when not a mirror, else -1 */
};

struct datapath {
	struct sim_engine *e;
	struct datapath_params p;
	struct network net;
	struct fabric *fabric;
	struct volume_group **groups;
	struct volume_logical ***volumes;
	struct iris_node **nodes;
	struct node_ctx *node_ctx;             /* per host: callback context of its node */
	size_t *node_host;
	size_t node_count;
	int *host_node;
	int *host_mirror;              /* host -> mirror index or -1 */
	struct mirror **mirrors;
	struct lb **lbs;
	struct dns **dns;
	struct gateway_rr *gw_rr;
	int *gw_of_host;               /* host -> its web gateway index, or -1 */
	struct server_ref **gw_servers; /* per gateway, its servers */
	struct server_ref ecp_server;
	struct server_ref *shard_servers;
	int **lb_target_host;          /* per LB, per target: host index */
	size_t data_rr;
	struct injector *injector;
	struct population *pops;
	size_t pop_count;
	struct op_class *classes;
	size_t class_count;
	double total_weight;
	struct slab_pool attempts, requests;
	struct datapath_totals totals;
	struct stat_timeweighted in_system;
	struct stat_timeweighted writes_ok, reads_ok;
	struct sim_entity *ticker;
	sim_time bucket_start;
	struct datapath_incident *incidents;
	size_t incident_count;
	/* Acknowledged writes of the latest incident from the last client timeout: a failure
	 * seen late (a timeout) moves the recovery to the first of these sent after it. */
	struct ack_mark {
		sim_time sent, acked;
	} *acks;
	size_t ack_head, ack_count, ack_cap;
	sim_time max_timeout;
	struct datapath_event *events;
	size_t event_count;
	struct datapath_violation *violations;
	size_t violation_count;
	char *err;
	size_t err_size;
};

enum { POP_EV_ARRIVAL, POP_EV_AT_SERVER, POP_EV_RESPONSE, POP_EV_TIMEOUT, POP_EV_RETRY,
       POP_EV_COUNT };
enum { TICK_EV_WARMUP, TICK_EV_BUCKET, TICK_EV_COUNT };

static void fail(struct datapath *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct datapath *d, const char *fmt, ...)
{
	if (d->err[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->err, d->err_size, fmt, ap);
	va_end(ap);
}

/* --- lookups ---------------------------------------------------------------------------------- */

static int host_index(const struct datapath *d, const char *name)
{
	for (size_t i = 0; name && i < d->p.host_count; i++)
		if (strcmp(d->p.hosts[i].cfg->name, name) == 0)
			return (int)i;
	return -1;
}

static int mirror_index(const struct datapath *d, const char *name)
{
	for (size_t i = 0; name && i < d->p.mirror_count; i++)
		if (strcmp(d->p.mirrors[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int lb_index(const struct datapath *d, const char *name)
{
	for (size_t i = 0; name && i < d->p.lb_count; i++)
		if (strcmp(d->p.lbs[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int dns_index(const struct datapath *d, const char *name)
{
	for (size_t i = 0; name && i < d->p.dns_count; i++)
		if (strcmp(d->p.dns[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int az_index(const struct datapath *d, const char *az)
{
	int k = 0;
	for (size_t r = 0; r < d->p.region_count; r++)
		for (size_t a = 0; a < d->p.regions[r].az_count; a++, k++)
			if (az && strcmp(d->p.regions[r].azs[a], az) == 0)
				return k;
	return -1;
}

static int region_of_az(const struct datapath *d, int az)
{
	int k = 0;
	for (size_t r = 0; r < d->p.region_count; r++)
		for (size_t a = 0; a < d->p.regions[r].az_count; a++, k++)
			if (k == az)
				return (int)r;
	return 0;
}

static int region_index(const struct datapath *d, const char *name)
{
	for (size_t r = 0; name && r < d->p.region_count; r++)
		if (strcmp(d->p.regions[r].name, name) == 0)
			return (int)r;
	return -1;
}

/* --- incidents, timeline, violations ---------------------------------------------------------- */

static int open_incident(const struct datapath *d)
{
	for (size_t i = d->incident_count; i-- > 0;)
		if (d->incidents[i].end == SIM_TIME_MAX || d->incidents[i].ack == SIM_TIME_MAX)
			return (int)i;
	return -1;
}

static void add_event(struct datapath *d, int incident, const char *source, const char *text)
{
	struct datapath_event *grown = realloc(d->events, sizeof(*grown) * (d->event_count + 1));
	if (!grown)
		return;
	d->events = grown;
	struct datapath_event *ev = &d->events[d->event_count++];
	ev->t = sim_now(d->e);
	ev->incident = incident;
	snprintf(ev->source, sizeof(ev->source), "%s", source);
	snprintf(ev->text, sizeof(ev->text), "%s", text);
}

static void add_violation(struct datapath *d, const char *invariant, const char *detail)
{
	struct datapath_violation *grown =
		realloc(d->violations, sizeof(*grown) * (d->violation_count + 1));
	if (!grown)
		return;
	d->violations = grown;
	struct datapath_violation *v = &d->violations[d->violation_count++];
	v->t = sim_now(d->e);
	v->invariant = invariant;
	snprintf(v->detail, sizeof(v->detail), "%s", detail);
}

static const char *current_primary_name(const struct datapath *d)
{
	for (size_t m = 0; m < d->p.mirror_count; m++) {
		int h = mirror_primary_host(d->mirrors[m]);
		if (h >= 0)
			return d->p.hosts[h].cfg->name;
	}
	return "";
}

static int inj_started(void *arg, const char *kind, const char *target)
{
	struct datapath *d = arg;
	/* Faults that start at the same instant are one incident (a partition isolating an AZ
	 * from two others is two partition faults). */
	if (d->incident_count > 0) {
		struct datapath_incident *last = &d->incidents[d->incident_count - 1];
		if (last->start == sim_now(d->e)) {
			size_t used = strlen(last->target);
			snprintf(last->target + used, sizeof(last->target) - used, " + %s", target);
			char text[256];
			snprintf(text, sizeof(text), "%s %s starts", kind, target);
			add_event(d, (int)d->incident_count - 1, "fault", text);
			return (int)d->incident_count - 1;
		}
	}
	struct datapath_incident *grown =
		realloc(d->incidents, sizeof(*grown) * (d->incident_count + 1));
	if (!grown)
		return -1;
	d->incidents = grown;
	struct datapath_incident *in = &d->incidents[d->incident_count];
	memset(in, 0, sizeof(*in));
	in->kind = kind;
	snprintf(in->target, sizeof(in->target), "%s", target);
	in->start = sim_now(d->e);
	in->end = in->detect = in->decide = in->ready = in->ack = SIM_TIME_MAX;
	in->first_write_failure = in->first_read_failure = in->read_ok = SIM_TIME_MAX;
	in->last_write_fail_sent = -1;
	in->ack_sent = SIM_TIME_MAX;
	snprintf(in->primary_before, sizeof(in->primary_before), "%s", current_primary_name(d));
	d->ack_count = 0;
	d->ack_head = 0;
	char text[256];
	snprintf(text, sizeof(text), "%s %s starts", kind, target);
	add_event(d, (int)d->incident_count, "fault", text);
	return (int)d->incident_count++;
}

static void inj_ended(void *arg, int incident)
{
	struct datapath *d = arg;
	if (incident < 0 || (size_t)incident >= d->incident_count)
		return;
	struct datapath_incident *in = &d->incidents[incident];
	in->end = sim_now(d->e);
	char text[256];
	snprintf(text, sizeof(text), "%s %s ends", in->kind, in->target);
	add_event(d, incident, "fault", text);
}

static void mirror_timeline(void *arg, const char *source, const char *event)
{
	struct datapath *d = arg;
	add_event(d, open_incident(d), source, event);
}

static struct datapath_incident *incident_of(struct datapath *d, sim_time sent);

static void mirror_detected(void *arg, sim_time when)
{
	struct datapath *d = arg;
	struct datapath_incident *in = incident_of(d, when);
	if (in && in->detect == SIM_TIME_MAX)
		in->detect = when;
}

static void mirror_took_over(void *arg, const struct mirror_takeover *t)
{
	struct datapath *d = arg;
	struct datapath_incident *in = incident_of(d, t->t_decide);
	if (!in || in->takeover)
		return;
	in->takeover = true;
	in->tk = *t;
	if (in->detect == SIM_TIME_MAX || in->detect > t->t_decide)
		in->detect = t->t_detect < in->start ? in->start : t->t_detect;
	in->decide = t->t_decide;
	in->ready = t->t_ready;
	snprintf(in->primary_after, sizeof(in->primary_after), "%s", t->new_primary);
}

static void mirror_violation(void *arg, const char *invariant, const char *detail)
{
	add_violation(arg, invariant, detail);
}

static sim_time mirror_delay(void *arg, int from, int to, double bytes)
{
	struct datapath *d = arg;
	const struct datapath_host *a = &d->p.hosts[from], *b = &d->p.hosts[to];
	struct net_endpoint ea = {a->region, fabric_host_place(d->fabric, from).az, from,
				  a->network_bandwidth};
	struct net_endpoint eb = {b->region, fabric_host_place(d->fabric, to).az, to,
				  b->network_bandwidth};
	return network_delay(&d->net, d->ticker->rng, &ea, &eb, bytes);
}

static void lb_changed(void *arg, const struct load_balancer_config *lb, size_t target,
		       bool healthy)
{
	struct datapath *d = arg;
	char source[96], text[192];
	snprintf(source, sizeof(source), "lb %s", lb->name);
	snprintf(text, sizeof(text), "target %s %s", lb->targets[target],
		 healthy ? "healthy" : "unhealthy");
	add_event(d, open_incident(d), source, text);
}

static void dns_changed(void *arg, const struct dns_config *cfg, bool failed_over)
{
	struct datapath *d = arg;
	char source[96], text[192];
	snprintf(source, sizeof(source), "dns %s", cfg->name);
	snprintf(text, sizeof(text), "answers %s", failed_over && cfg->secondary ? cfg->secondary
										  : cfg->primary);
	add_event(d, open_incident(d), source, text);
}

/* --- health checks of load-balancer targets ----------------------------------------------------- */

/* The data host a gateway (or ECP, or compute node) forwards to now; -1 with *cause set when
 * there is none. */
static int server_host(struct datapath *d, struct server_ref ref, int *cause)
{
	if (ref.mirror >= 0) {
		int h = mirror_primary_host(d->mirrors[ref.mirror]);
		if (h < 0)
			*cause = CAUSE_NO_PRIMARY;
		return h;
	}
	return ref.host;
}

static struct server_ref resolve_server(struct datapath *d, const char *name)
{
	int m = mirror_index(d, name);
	return (struct server_ref){m, m >= 0 ? -1 : host_index(d, name)};
}

static enum lb_probe_result probe_host(struct datapath *d, int h, struct fabric_place from)
{
	const struct datapath_host *host = &d->p.hosts[h];
	struct fabric_place at = fabric_host_place(d->fabric, h);
	if (!fabric_reaches(d->fabric, from, at) || !fabric_reaches(d->fabric, at, from))
		return PROBE_TIMEOUT;
	switch (host->cfg->role) {
	case HOST_ROLE_DATA:
		if (d->host_mirror[h] >= 0) {
			enum mirror_status s = mirror_member_status(d->mirrors[d->host_mirror[h]], h);
			return s == MIRROR_STATUS_OK ? PROBE_OK : s == MIRROR_STATUS_FAIL ? PROBE_FAIL
											   : PROBE_TIMEOUT;
		}
		return fabric_iris_running(d->fabric, h) ? PROBE_OK : PROBE_TIMEOUT;
	case HOST_ROLE_WEB: {
		/* A mirror-aware gateway answers the health path through its primary. */
		int g = d->gw_of_host[h];
		if (g < 0)
			return PROBE_OK;
		for (size_t k = 0; k < d->p.gateways[g].server_count; k++) {
			int cause = -1;
			int sh = server_host(d, d->gw_servers[g][k], &cause);
			if (sh >= 0 && probe_host(d, sh, at) == PROBE_OK)
				return PROBE_OK;
		}
		return PROBE_FAIL;
	}
	default:
		return PROBE_OK;
	}
}

static enum lb_probe_result lb_probe(void *arg, const struct load_balancer_config *lb,
				     size_t target)
{
	struct datapath *d = arg;
	int h = d->lb_target_host[lb - d->p.lbs][target];
	if (h < 0)
		return PROBE_TIMEOUT;
	/* Every live node of the load balancer checks the target; the best answer counts (a
	 * node cut off from the target does not make it unhealthy for the others). */
	enum lb_probe_result best = PROBE_TIMEOUT;
	for (size_t a = 0; a < lb->az_count; a++) {
		int az = az_index(d, lb->azs[a]);
		if (az < 0 || !fabric_az_up(d->fabric, az))
			continue;
		enum lb_probe_result r =
			probe_host(d, h, (struct fabric_place){region_of_az(d, az), az, -1});
		if (r == PROBE_OK)
			return PROBE_OK;
		if (r == PROBE_FAIL)
			best = PROBE_FAIL;
	}
	return best;
}

static bool lb_node_up(void *arg, const struct load_balancer_config *lb, size_t a)
{
	struct datapath *d = arg;
	int az = az_index(d, lb->azs[a]);
	return az >= 0 && fabric_az_up(d->fabric, az);
}

/* --- pools --------------------------------------------------------------------------------------- */

static void **pool_link(const struct slab_pool *p, void *item)
{
	return (void **)((char *)item + p->link);
}

/* A zeroed item, or NULL when out of memory. */
static void *pool_get(struct slab_pool *p)
{
	if (!p->free) {
		char **grown = realloc(p->slabs, sizeof(*grown) * (p->slab_count + 1));
		char *slab = calloc(SLAB, p->item_size);
		if (grown)
			p->slabs = grown;
		if (!grown || !slab) {
			free(slab);
			return NULL;
		}
		p->slabs[p->slab_count++] = slab;
		for (size_t i = SLAB; i-- > 0;) {
			*pool_link(p, slab + i * p->item_size) = p->free;
			p->free = slab + i * p->item_size;
		}
	}
	void *item = p->free;
	p->free = *pool_link(p, item);
	memset(item, 0, p->item_size);
	return item;
}

static void pool_put(struct slab_pool *p, void *item)
{
	*pool_link(p, item) = p->free;
	p->free = item;
}

static void pool_release(struct slab_pool *p)
{
	for (size_t i = 0; i < p->slab_count; i++)
		free(p->slabs[i]);
	free(p->slabs);
	memset(p, 0, sizeof(*p));
}

static struct attempt *attempt_new(struct datapath *d)
{
	return pool_get(&d->attempts);
}

/* A try is reused only once the client and the server side are both done with it. */
static void attempt_release(struct datapath *d, struct attempt *a)
{
	if (a->client_done && a->server_done)
		pool_put(&d->attempts, a);
}

static struct request *request_new(struct datapath *d)
{
	return pool_get(&d->requests);
}
static void request_free(struct datapath *d, struct request *rq) { pool_put(&d->requests, rq); }

/* --- routes ---------------------------------------------------------------------------------------- */

static void hop_host(struct datapath *d, struct attempt *a, int h)
{
	const struct datapath_host *host = &d->p.hosts[h];
	if (a->hop_count >= ROUTE_HOPS_MAX)
		return;
	a->hops[a->hop_count] =
		(struct net_endpoint){host->region, fabric_host_place(d->fabric, h).az, h,
				      host->network_bandwidth};
	a->places[a->hop_count++] = fabric_host_place(d->fabric, h);
}

/* Walk from host h to a data host, adding hops. Returns the data host or -1 (a->error set
 * when an answer comes back rather than silence). */
static int walk_from_host(struct datapath *d, struct attempt *a, int h, int depth)
{
	const struct datapath_host *host = &d->p.hosts[h];
	hop_host(d, a, h);
	if (depth > 4)
		return -1;
	int cause = -1, next = -1;
	switch (host->cfg->role) {
	case HOST_ROLE_DATA:
		return h;
	case HOST_ROLE_WEB: {
		int g = d->gw_of_host[h];
		size_t n = g >= 0 ? d->p.gateways[g].server_count : 0;
		if (n > 0)
			next = server_host(d, d->gw_servers[g][d->gw_rr[g].next++ % n], &cause);
		break;
	}
	case HOST_ROLE_APP:
		if (d->p.ecp && d->p.ecp->app_server_count > 0)
			next = server_host(d, d->ecp_server, &cause);
		break;
	case HOST_ROLE_COMPUTE:
		if (d->p.sharding && d->p.sharding->data_node_count > 0)
			next = server_host(
				d, d->shard_servers[d->data_rr++ % d->p.sharding->data_node_count], &cause);
		break;
	default:
		break;
	}
	if (next < 0) {
		a->error = cause >= 0 ? cause : CAUSE_NO_PRIMARY;
		return -1;
	}
	return walk_from_host(d, a, next, depth + 1);
}

static int route(struct datapath *d, struct population *pop, struct attempt *a)
{
	a->hop_count = 1;
	a->hops[0] = (struct net_endpoint){pop->region, -1, -1, 0};
	a->places[0] = (struct fabric_place){pop->region, -1, -1};
	a->error = -1;
	struct lb *lb = NULL;
	if (pop->entry_dns >= 0)
		lb = dns_resolve(d->dns[pop->entry_dns], pop->self->rng);
	else if (pop->entry_lb >= 0)
		lb = d->lbs[pop->entry_lb];
	if (!lb)
		return pop->entry_host >= 0 ? walk_from_host(d, a, pop->entry_host, 0) : -1;
	int t = lb_pick(lb);
	const struct load_balancer_config *cfg = lb_config(lb);
	if (t < 0) {
		a->error = CAUSE_LB_UNAVAILABLE;
		return -1;
	}
	int h = d->lb_target_host[cfg - d->p.lbs][t];
	/* The load-balancer node: in the target's AZ when it has a live one there. */
	int node_az = -1;
	for (size_t k = 0; k < cfg->az_count; k++) {
		int az = az_index(d, cfg->azs[k]);
		if (az < 0 || !fabric_az_up(d->fabric, az))
			continue;
		if (node_az < 0 || strcmp(cfg->azs[k], d->p.hosts[h].cfg->az) == 0)
			node_az = az;
	}
	if (node_az < 0) {
		a->error = CAUSE_LB_UNAVAILABLE;
		return -1;
	}
	a->hops[a->hop_count] =
		(struct net_endpoint){region_of_az(d, node_az), node_az, -1, 0};
	a->places[a->hop_count++] = (struct fabric_place){region_of_az(d, node_az), node_az, -1};
	return walk_from_host(d, a, h, 0);
}

/* Sum of one-way delays along the route; false when a hop is cut (the try is lost). */
static bool route_delay(struct datapath *d, gsl_rng *r, const struct attempt *a, double bytes,
			bool back, sim_time *out)
{
	sim_time total = 0;
	for (int i = 0; i + 1 < a->hop_count; i++) {
		int from = back ? a->hop_count - 1 - i : i;
		int to = back ? a->hop_count - 2 - i : i + 1;
		if (!fabric_reaches(d->fabric, a->places[from], a->places[to]))
			return false;
		total += network_delay(&d->net, r, &a->hops[from], &a->hops[to], bytes);
	}
	*out = total;
	return true;
}

/* --- tries ----------------------------------------------------------------------------------------- */

static void set_outcome(struct datapath *d, struct request *rq, bool ok)
{
	struct stat_timeweighted *tw = rq->update ? &d->writes_ok : &d->reads_ok;
	if (sim_now(d->e) >= d->p.warmup)
		stat_timeweighted_set(tw, sim_now(d->e), ok ? 1 : 0);
}

static void send_try(struct datapath *d, struct request *rq);

/* The client has the final word on a try that failed with `cause`. */
/* Keep the acknowledgement of a write for the latest incident, dropping those older than a
 * client timeout (no failure seen from now on can have been sent before them). */
static void remember_ack(struct datapath *d, sim_time sent, sim_time now)
{
	while (d->ack_count && d->acks[d->ack_head].acked < now - d->max_timeout) {
		d->ack_head = (d->ack_head + 1) % d->ack_cap;
		d->ack_count--;
	}
	if (d->ack_count == d->ack_cap) {
		size_t cap = d->ack_cap ? d->ack_cap * 2 : 1024;
		struct ack_mark *grown = malloc(sizeof(*grown) * cap);
		if (!grown)
			return;
		for (size_t k = 0; k < d->ack_count; k++)
			grown[k] = d->acks[(d->ack_head + k) % d->ack_cap];
		free(d->acks);
		d->acks = grown;
		d->ack_cap = cap;
		d->ack_head = 0;
	}
	d->acks[(d->ack_head + d->ack_count++) % d->ack_cap] = (struct ack_mark){sent, now};
}

/* The incident a try sent at `sent` belongs to: the latest one started at or before it. */
static struct datapath_incident *incident_of(struct datapath *d, sim_time sent)
{
	for (size_t i = d->incident_count; i-- > 0;)
		if (d->incidents[i].start <= sent)
			return &d->incidents[i];
	return NULL;
}

static void try_failed(struct datapath *d, struct request *rq, int cause, sim_time sent)
{
	struct population *pop = rq->pop;
	struct op_class *c = &d->classes[rq->op];
	if (rq->measured)
		c->tries_failed[cause]++;
	set_outcome(d, rq, false);
	sim_time now = sim_now(d->e);
	/* A failure belongs to the incident under way when it is seen (a try sent just before a
	 * fault and lost to it belongs to that fault). */
	struct datapath_incident *in = incident_of(d, now);
	if (in) {
		if (rq->update) {
			if (in->first_write_failure == SIM_TIME_MAX || sent < in->first_write_failure)
				in->first_write_failure = sent < in->start ? in->start : sent;
			if (sent > in->last_write_fail_sent) {
				in->last_write_fail_sent = sent;
				if (in->ack_sent != SIM_TIME_MAX && in->ack_sent <= sent) {
					/* writes failed again after they had come back: recovery is the
					 * first acknowledgement of a write sent after this one */
					in->ack = in->ack_sent = SIM_TIME_MAX;
					for (size_t k = 0; k < d->ack_count; k++) {
						const struct ack_mark *a =
							&d->acks[(d->ack_head + k) % d->ack_cap];
						if (a->sent > sent) {
							in->ack = a->acked;
							in->ack_sent = a->sent;
							break;
						}
					}
				}
			}
		} else {
			if (in->first_read_failure == SIM_TIME_MAX || sent < in->first_read_failure)
				in->first_read_failure = sent < in->start ? in->start : sent;
			if (in->read_ok != SIM_TIME_MAX)
				in->read_ok = SIM_TIME_MAX;
		}
	}
	if (rq->tries < pop->cfg->attempts) {
		sim_time backoff = pop->cfg->backoff << (rq->tries - 1 < 20 ? rq->tries - 1 : 20);
		void *p = rq;
		sim_schedule_in(d->e, pop->self, backoff, POP_EV_RETRY, &p, sizeof(p));
		return;
	}
	d->totals.failed++;
	d->totals.in_flight--;
	stat_timeweighted_set(&d->in_system, now, (double)d->totals.in_flight);
	if (rq->measured) {
		c->failed[cause]++;
		c->bucket_failed++;
	}
	struct sim_entity *self = pop->self;
	bool closed = pop->cfg->arrival == ARRIVAL_CLOSED;
	request_free(d, rq);
	if (closed)
		sim_schedule_in(d->e, self, rng_dist_sample_time(&pop->cfg->think_time, self->rng),
				POP_EV_ARRIVAL, NULL, 0);
}

static void send_try(struct datapath *d, struct request *rq)
{
	struct population *pop = rq->pop;
	struct attempt *a = attempt_new(d);
	if (!a) {
		sim_stop(d->e);
		return;
	}
	rq->tries++;
	a->rq = rq;
	a->sent = sim_now(d->e);
	a->iris.cpu_s = rq->cpu_s;
	a->iris.block_reads = rq->block_reads;
	a->iris.writes = rq->writes;
	a->iris.journal_bytes = rq->journal_bytes;
	a->iris.sync_commit = rq->sync_commit;
	a->iris.owner = a;
	a->host = route(d, pop, a);
	a->node = a->host >= 0 ? d->host_node[a->host] : -1;
	void *p = a;
	a->timer = sim_schedule_in(d->e, pop->self, pop->cfg->timeout, POP_EV_TIMEOUT, &p, sizeof(p));
	sim_time delay;
	bool reaches = route_delay(d, pop->self->rng, a, rq->request_bytes, false, &delay);
	if (!reaches) {
		a->server_done = true; /* lost on the way: only the timeout will tell */
		return;
	}
	if (a->host < 0 || a->node < 0) {
		/* An error answer from the last hop (gateway without primary, LB without node). */
		if (a->error == CAUSE_LB_UNAVAILABLE) {
			a->server_done = true; /* connection not accepted: the client times out */
			return;
		}
		/* The error answer is the try's last server-side reference until it arrives. */
		sim_time back = 0;
		if (!route_delay(d, pop->self->rng, a, 256, true, &back)) {
			a->server_done = true;
			return;
		}
		sim_schedule_in(d->e, pop->self, delay + back, POP_EV_RESPONSE, &p, sizeof(p));
		return;
	}
	sim_schedule_in(d->e, pop->self, delay, POP_EV_AT_SERVER, &p, sizeof(p));
}

static void pop_schedule_next(struct population *pop)
{
	struct sim_engine *e = pop->self->engine;
	const struct population_config *cfg = pop->cfg;
	if (cfg->arrival == ARRIVAL_CLOSED)
		return;
	sim_time now = sim_now(e);
	for (;;) {
		sim_time boundary = pop->next_step < cfg->rate_count ? cfg->rates[pop->next_step].at
								     : SIM_TIME_MAX;
		if (pop->rate > 0) {
			sim_time at = now + sim_time_from_s(gsl_ran_exponential(pop->self->rng,
										  1.0 / pop->rate));
			if (at < boundary) {
				sim_schedule_at(e, pop->self, at, POP_EV_ARRIVAL, NULL, 0);
				return;
			}
		}
		if (boundary == SIM_TIME_MAX)
			return;
		now = boundary;
		pop->rate = cfg->rates[pop->next_step++].rate;
	}
}

static void pop_on_arrival(struct sim_entity *self, const struct sim_event *ev)
{
	struct population *pop = *(struct population **)self->state;
	struct datapath *d = pop->d;
	gsl_rng *r = self->rng;
	(void)ev;
	pop_schedule_next(pop);
	struct request *rq = request_new(d);
	if (!rq) {
		sim_stop(self->engine);
		return;
	}
	double u = gsl_rng_uniform(r) * d->total_weight;
	uint32_t op = 0;
	while (op + 1 < d->class_count && u >= d->classes[op].cfg->weight) {
		u -= d->classes[op].cfg->weight;
		op++;
	}
	const struct operation_config *oc = d->classes[op].cfg;
	rq->pop = pop;
	rq->op = op;
	rq->t_start = sim_now(self->engine);
	rq->measured = rq->t_start >= d->p.warmup;
	rq->update = oc->kind == OP_WRITE || oc->kind == OP_COMMIT;
	rq->cpu_s = rng_dist_sample_nonneg(&oc->cpu, r);
	rq->block_reads = (uint32_t)llround(fmin(rng_dist_sample_nonneg(&oc->block_reads, r), 1e6));
	rq->writes = rq->update ? (uint32_t)oc->writes : 0;
	rq->journal_bytes = rng_dist_sample_nonneg(&oc->journal_bytes, r);
	rq->sync_commit = oc->kind == OP_COMMIT && oc->commit_mode == COMMIT_SYNC;
	rq->request_bytes = rng_dist_sample_nonneg(&oc->request_bytes, r);
	rq->response_bytes = rng_dist_sample_nonneg(&oc->response_bytes, r);
	d->totals.arrived++;
	d->totals.in_flight++;
	stat_timeweighted_set(&d->in_system, rq->t_start, (double)d->totals.in_flight);
	if (rq->measured)
		d->classes[op].arrived++;
	send_try(d, rq);
}

static void pop_on_retry(struct sim_entity *self, const struct sim_event *ev)
{
	struct request *rq = *(struct request *const *)sim_event_payload(ev);
	(void)self;
	send_try(rq->pop->d, rq);
}

static void pop_on_at_server(struct sim_entity *self, const struct sim_event *ev)
{
	struct attempt *a = *(struct attempt *const *)sim_event_payload(ev);
	struct datapath *d = (*(struct population **)self->state)->d;
	int m = d->host_mirror[a->host];
	if (m >= 0) {
		enum mirror_status s = mirror_member_status(d->mirrors[m], a->host);
		if (s == MIRROR_STATUS_FAIL) {
			/* A member that is not primary refuses (503 / <PROTECT>). */
			a->error = CAUSE_NOT_PRIMARY;
			sim_time back = 0;
			void *p = a;
			if (route_delay(d, self->rng, a, 256, true, &back)) {
				sim_schedule_in(d->e, self, back, POP_EV_RESPONSE, &p, sizeof(p));
			} else {
				a->server_done = true;
				attempt_release(d, a);
			}
			return;
		}
	}
	iris_node_submit(d->nodes[a->node], &a->iris);
}

/* iris_node_done_fn */
static void datapath_on_node_done(void *arg, struct iris_request *irq)
{
	struct datapath *d = arg;
	struct attempt *a = (struct attempt *)irq;
	int m = d->host_mirror[a->host];
	if (m >= 0 && (a->iris.writes > 0 || a->iris.journal_bytes > 0))
		mirror_note_ack(d->mirrors[m], a->host, a->iris.journal_seq, a->iris.journal_bytes,
				a->iris.sync_commit);
	if (!a->rq) {
		a->server_done = true;
		attempt_release(d, a); /* the client gave up on it */
		return;
	}
	struct sim_entity *pop = a->rq->pop->self;
	sim_time back;
	void *p = a;
	/* The response event is the last server-side reference (server_done is set when it
	 * arrives); a response lost on the way leaves the client to its timeout. */
	if (route_delay(d, pop->rng, a, a->rq->response_bytes, true, &back))
		sim_schedule_in(d->e, pop, back, POP_EV_RESPONSE, &p, sizeof(p));
	else
		a->server_done = true;
}

/* iris_node_lost_fn: the instance stopped with the try inside. */
static void datapath_on_node_lost(void *arg, struct iris_request *irq)
{
	struct datapath *d = arg;
	struct attempt *a = (struct attempt *)irq;
	a->server_done = true;
	attempt_release(d, a);
}

static void pop_on_response(struct sim_entity *self, const struct sim_event *ev)
{
	struct attempt *a = *(struct attempt *const *)sim_event_payload(ev);
	struct population *pop = *(struct population **)self->state;
	struct datapath *d = pop->d;
	struct request *rq = a->rq;
	a->server_done = true; /* this event was the server side's last reference */
	if (!rq) { /* answered after the client's timeout */
		a->client_done = true;
		attempt_release(d, a);
		return;
	}
	sim_cancel(d->e, a->timer);
	a->client_done = true;
	a->rq = NULL;
	int error = a->error;
	sim_time sent = a->sent;
	attempt_release(d, a);
	if (error >= 0) {
		try_failed(d, rq, error, sent);
		return;
	}
	sim_time now = sim_now(self->engine);
	double latency = sim_time_to_s(now - rq->t_start);
	struct op_class *c = &d->classes[rq->op];
	d->totals.completed++;
	d->totals.in_flight--;
	stat_timeweighted_set(&d->in_system, now, (double)d->totals.in_flight);
	set_outcome(d, rq, true);
	struct datapath_incident *in = incident_of(d, sent);
	if (in) {
		if (rq->update && in == &d->incidents[d->incident_count - 1])
			remember_ack(d, sent, now);
		if (rq->update && in->ack == SIM_TIME_MAX && sent > in->last_write_fail_sent) {
			in->ack = now;
			in->ack_sent = sent;
			if (!in->takeover) /* who serves writes once they are back */
				snprintf(in->primary_after, sizeof(in->primary_after), "%s",
					 current_primary_name(d));
		}
		if (!rq->update && in->read_ok == SIM_TIME_MAX && in->first_read_failure != SIM_TIME_MAX)
			in->read_ok = now;
	}
	if (rq->measured) {
		c->completed++;
		stat_hist_add(&c->latency, latency);
		stat_welford_add(&c->latency_w, latency);
		stat_hist_add(&c->bucket, latency);
		c->bucket_completed++;
	}
	bool closed = pop->cfg->arrival == ARRIVAL_CLOSED;
	request_free(d, rq);
	if (closed)
		sim_schedule_in(self->engine, self, rng_dist_sample_time(&pop->cfg->think_time, self->rng),
				POP_EV_ARRIVAL, NULL, 0);
}

static void pop_on_timeout(struct sim_entity *self, const struct sim_event *ev)
{
	struct attempt *a = *(struct attempt *const *)sim_event_payload(ev);
	struct datapath *d = (*(struct population **)self->state)->d;
	struct request *rq = a->rq;
	sim_time sent = a->sent;
	int error = a->error;
	a->client_done = true;
	a->rq = NULL;
	attempt_release(d, a);
	int cause = error >= 0 ? error : CAUSE_TIMEOUT; /* no LB node took it: no answer */
	if (rq)
		try_failed(d, rq, cause, sent);
}

static const sim_handler_fn pop_handlers[POP_EV_COUNT] = {
	[POP_EV_ARRIVAL] = pop_on_arrival,   [POP_EV_AT_SERVER] = pop_on_at_server,
	[POP_EV_RESPONSE] = pop_on_response, [POP_EV_TIMEOUT] = pop_on_timeout,
	[POP_EV_RETRY] = pop_on_retry,
};
static const struct sim_entity_type population_type = {
	.name = "population",
	.state_size = sizeof(struct population *),
	.handlers = pop_handlers,
	.handler_count = POP_EV_COUNT,
};

/* --- warm-up and time series --------------------------------------------------------------------- */

static void emit_buckets(struct datapath *d, sim_time end)
{
	double t_s = sim_time_to_s(d->bucket_start);
	double width_s = sim_time_to_s(end - d->bucket_start);
	if (width_s <= 0)
		return;
	for (size_t i = 0; i < d->class_count; i++) {
		struct op_class *c = &d->classes[i];
		const char *name = c->cfg->name;
		metrics_point(d->p.sink, t_s, width_s, "throughput", name,
			      (double)c->bucket_completed / width_s);
		metrics_point(d->p.sink, t_s, width_s, "errors", name, (double)c->bucket_failed);
		if (c->bucket_completed > 0) {
			metrics_point(d->p.sink, t_s, width_s, "latency_p50_s", name,
				      stat_hist_quantile(&c->bucket, 0.5));
			metrics_point(d->p.sink, t_s, width_s, "latency_p99_s", name,
				      stat_hist_quantile(&c->bucket, 0.99));
			metrics_point(d->p.sink, t_s, width_s, "latency_mean_s", name,
				      stat_hist_mean(&c->bucket));
		}
		stat_hist_init(&c->bucket);
		c->bucket_completed = 0;
		c->bucket_failed = 0;
	}
	for (size_t i = 0; i < d->node_count; i++) {
		struct iris_node_stats st;
		iris_node_stats(d->nodes[i], &st);
		metrics_point(d->p.sink, t_s, width_s, "cpu_utilisation",
			      d->p.hosts[d->node_host[i]].cfg->name, st.cpu_utilisation);
	}
	d->bucket_start = end;
}

static void tick_on_warmup(struct sim_entity *self, const struct sim_event *ev)
{
	struct datapath *d = *(struct datapath **)self->state;
	(void)ev;
	sim_time now = sim_now(self->engine);
	for (size_t i = 0; i < d->node_count; i++)
		iris_node_stats_reset(d->nodes[i]);
	for (size_t h = 0; h < d->p.host_count; h++)
		for (size_t v = 0; d->volumes[h] && v < d->p.hosts[h].cfg->volume_count; v++)
			volume_stats_reset(d->volumes[h][v]);
	d->bucket_start = now;
	stat_timeweighted_init(&d->in_system, now, (double)d->totals.in_flight);
	stat_timeweighted_init(&d->writes_ok, now, 1);
	stat_timeweighted_init(&d->reads_ok, now, 1);
	sim_schedule_in(self->engine, self, d->p.series_width, TICK_EV_BUCKET, NULL, 0);
}

static void tick_on_bucket(struct sim_entity *self, const struct sim_event *ev)
{
	struct datapath *d = *(struct datapath **)self->state;
	(void)ev;
	emit_buckets(d, sim_now(self->engine));
	sim_schedule_in(self->engine, self, d->p.series_width, TICK_EV_BUCKET, NULL, 0);
}

static const sim_handler_fn tick_handlers[TICK_EV_COUNT] = {
	[TICK_EV_WARMUP] = tick_on_warmup,
	[TICK_EV_BUCKET] = tick_on_bucket,
};
static const struct sim_entity_type ticker_type = {
	.name = "datapath",
	.state_size = sizeof(struct datapath *),
	.handlers = tick_handlers,
	.handler_count = TICK_EV_COUNT,
};

void datapath_flush_series(struct datapath *d) { emit_buckets(d, sim_now(d->e)); }

/* --- injector hooks -------------------------------------------------------------------------------- */

static int hook_host(void *arg, const char *name) { return host_index(arg, name); }
static int hook_az(void *arg, const char *name) { return az_index(arg, name); }
static int hook_region(void *arg, const char *name) { return region_index(arg, name); }

static struct volume_logical *hook_volume(void *arg, const char *name)
{
	struct datapath *d = arg;
	const char *slash = strchr(name, '/');
	if (!slash)
		return NULL;
	for (size_t h = 0; h < d->p.host_count; h++) {
		const struct host_config *hc = d->p.hosts[h].cfg;
		if (strncmp(hc->name, name, (size_t)(slash - name)) != 0 ||
		    hc->name[slash - name] != '\0' || !d->volumes[h])
			continue;
		for (size_t v = 0; v < hc->volume_count; v++)
			if (strcmp(hc->volumes[v].name, slash + 1) == 0)
				return d->volumes[h][v];
	}
	return NULL;
}

static struct lb *hook_lb(void *arg, const char *name)
{
	struct datapath *d = arg;
	int i = lb_index(d, name);
	return i >= 0 ? d->lbs[i] : NULL;
}

static void hook_freeze(void *arg, int host, bool frozen)
{
	struct datapath *d = arg;
	if (d->host_node[host] >= 0)
		iris_node_freeze(d->nodes[d->host_node[host]], frozen);
}

/* --- build ------------------------------------------------------------------------------------------ */

static struct volume_logical *volume_by_purpose(struct datapath *d, size_t h, int purpose)
{
	const struct host_config *hc = d->p.hosts[h].cfg;
	for (size_t v = 0; v < hc->volume_count; v++)
		if (hc->volumes[v].purpose == purpose)
			return d->volumes[h][v];
	return NULL;
}

/* The node callbacks need the node's host: one small context per host. */

static void node_flushed(void *arg, double upto)
{
	struct node_ctx *c = arg;
	int m = c->d->host_mirror[c->host];
	if (m >= 0)
		mirror_on_flush(c->d->mirrors[m], c->host, upto);
}
static void node_done(void *arg, struct iris_request *rq)
{
	datapath_on_node_done(((struct node_ctx *)arg)->d, rq);
}
static void node_lost(void *arg, struct iris_request *rq)
{
	datapath_on_node_lost(((struct node_ctx *)arg)->d, rq);
}

static int build_hosts(struct datapath *d)
{
	struct node_ctx *ctx = d->node_ctx;
	size_t n = d->p.host_count;
	d->groups = calloc(n + 1, sizeof(*d->groups));
	d->volumes = calloc(n + 1, sizeof(*d->volumes));
	d->host_node = malloc(sizeof(int) * (n + 1));
	d->host_mirror = malloc(sizeof(int) * (n + 1));
	d->nodes = calloc(n + 1, sizeof(*d->nodes));
	d->node_host = calloc(n + 1, sizeof(*d->node_host));
	if (!d->groups || !d->volumes || !d->host_node || !d->host_mirror || !d->nodes ||
	    !d->node_host)
		return -ENOMEM;
	for (size_t h = 0; h < n; h++) {
		const struct datapath_host *host = &d->p.hosts[h];
		d->host_node[h] = -1;
		d->host_mirror[h] = -1;
		if (host->cfg->volume_count == 0)
			continue;
		d->groups[h] = volume_group_new(d->e, host->cfg->name, &host->ebs);
		d->volumes[h] = calloc(host->cfg->volume_count, sizeof(*d->volumes[h]));
		if (!d->groups[h] || !d->volumes[h])
			return -ENOMEM;
		for (size_t v = 0; v < host->cfg->volume_count; v++) {
			const struct volume_config *vc = &host->cfg->volumes[v];
			d->volumes[h][v] = volume_add(d->groups[h], vc->name, (int)vc->stripe_count,
						      vc->pe_size, &host->volumes[v]);
			if (!d->volumes[h][v])
				return -EINVAL;
		}
	}
	for (size_t h = 0; h < n; h++) {
		const struct datapath_host *host = &d->p.hosts[h];
		if (host->cfg->role != HOST_ROLE_DATA)
			continue;
		if (host->cfg->volume_count == 0) {
			fail(d, "data host \"%s\" has no volumes", host->cfg->name);
			return -EINVAL;
		}
		struct volume_logical *db = volume_by_purpose(d, h, VOLUME_DB);
		if (!db)
			db = d->volumes[h][0];
		struct volume_logical *jrn = volume_by_purpose(d, h, VOLUME_JOURNAL);
		double hit = d->p.workload->cache_hit_ratio;
		if (d->p.workload->working_set > 0 && d->p.iris->global_buffers > 0)
			hit = fmin(1.0, d->p.iris->global_buffers / d->p.workload->working_set);
		ctx[h] = (struct node_ctx){d, (int)h};
		struct iris_node_params np = {
			.vcpu = host->vcpu,
			.hit_ratio = hit,
			.db = db,
			.journal = jrn ? jrn : db,
			.wij = volume_by_purpose(d, h, VOLUME_WIJ),
			.done = node_done,
			.lost = node_lost,
			.flushed = node_flushed,
			.done_arg = &ctx[h],
		};
		char name[300];
		snprintf(name, sizeof(name), "iris:%s", host->cfg->name);
		struct iris_node *node = iris_node_new(d->e, name, d->p.iris, &np);
		if (!node)
			return -EINVAL;
		d->host_node[h] = (int)d->node_count;
		d->node_host[d->node_count] = h;
		d->nodes[d->node_count++] = node;
		iris_node_start(node);
	}
	return 0;
}

static int build_fabric(struct datapath *d)
{
	size_t az_count = 0;
	for (size_t r = 0; r < d->p.region_count; r++)
		az_count += d->p.regions[r].az_count;
	int *az_region = calloc(az_count + 1, sizeof(int));
	int *host_az = calloc(d->p.host_count + 1, sizeof(int));
	if (!az_region || !host_az) {
		free(az_region);
		free(host_az);
		return -ENOMEM;
	}
	for (size_t a = 0; a < az_count; a++)
		az_region[a] = region_of_az(d, (int)a);
	for (size_t h = 0; h < d->p.host_count; h++)
		host_az[h] = az_index(d, d->p.hosts[h].cfg->az);
	d->fabric = fabric_new(d->p.region_count, az_count, az_region, d->p.host_count, host_az);
	free(az_region);
	free(host_az);
	return d->fabric ? 0 : -ENOMEM;
}

static int build_mirrors(struct datapath *d)
{
	d->mirrors = calloc(d->p.mirror_count + 1, sizeof(*d->mirrors));
	if (!d->mirrors)
		return -ENOMEM;
	struct mirror_hooks hooks = {d, mirror_timeline, mirror_took_over, mirror_detected,
				     mirror_violation, mirror_delay};
	for (size_t m = 0; m < d->p.mirror_count; m++) {
		const struct mirror_set_config *ms = &d->p.mirrors[m];
		struct mirror_member_init members[MIRROR_MEMBERS_MAX];
		size_t count = 0;
		for (size_t k = 0; k < ms->failover_count && count < 2; k++) {
			int h = host_index(d, ms->failover[k]);
			members[count++] = (struct mirror_member_init){
				h, ms->failover[k], d->nodes[d->host_node[h]], MIRROR_FAILOVER};
			d->host_mirror[h] = (int)m;
		}
		for (size_t k = 0; k < ms->async_count && count < MIRROR_MEMBERS_MAX; k++) {
			int h = host_index(d, ms->asyncs[k].host);
			members[count++] = (struct mirror_member_init){
				h, ms->asyncs[k].host, d->nodes[d->host_node[h]],
				ms->asyncs[k].kind == ASYNC_DR ? MIRROR_DR : MIRROR_REPORTING};
			d->host_mirror[h] = (int)m;
		}
		int arbiter = ms->arbiter ? host_index(d, ms->arbiter) : -1;
		d->mirrors[m] = mirror_new(d->e, ms->name, d->p.mirror_policy, d->fabric, members,
					   count, arbiter, &hooks);
		if (!d->mirrors[m]) {
			fail(d, "cannot build mirror \"%s\"", ms->name);
			return -EINVAL;
		}
	}
	return 0;
}

static int build_routing(struct datapath *d)
{
	d->lbs = calloc(d->p.lb_count + 1, sizeof(*d->lbs));
	d->dns = calloc(d->p.dns_count + 1, sizeof(*d->dns));
	d->gw_rr = calloc(d->p.gateway_count + 1, sizeof(*d->gw_rr));
	d->gw_of_host = malloc(sizeof(int) * (d->p.host_count + 1));
	d->gw_servers = calloc(d->p.gateway_count + 1, sizeof(*d->gw_servers));
	d->lb_target_host = calloc(d->p.lb_count + 1, sizeof(*d->lb_target_host));
	size_t shards = d->p.sharding ? d->p.sharding->data_node_count : 0;
	d->shard_servers = calloc(shards + 1, sizeof(*d->shard_servers));
	if (!d->lbs || !d->dns || !d->gw_rr || !d->gw_of_host || !d->gw_servers ||
	    !d->lb_target_host || !d->shard_servers)
		return -ENOMEM;
	for (size_t h = 0; h < d->p.host_count; h++)
		d->gw_of_host[h] = -1;
	for (size_t g = 0; g < d->p.gateway_count; g++) {
		const struct web_gateway_config *gw = &d->p.gateways[g];
		int h = host_index(d, gw->host);
		if (h >= 0 && d->gw_of_host[h] < 0)
			d->gw_of_host[h] = (int)g;
		d->gw_servers[g] = calloc(gw->server_count + 1, sizeof(struct server_ref));
		if (!d->gw_servers[g])
			return -ENOMEM;
		for (size_t k = 0; k < gw->server_count; k++)
			d->gw_servers[g][k] = resolve_server(d, gw->servers[k]);
	}
	if (d->p.ecp && d->p.ecp->app_server_count > 0)
		d->ecp_server = resolve_server(d, d->p.ecp->data_server);
	for (size_t k = 0; k < shards; k++)
		d->shard_servers[k] = resolve_server(d, d->p.sharding->data_nodes[k]);
	for (size_t l = 0; l < d->p.lb_count; l++) {
		const struct load_balancer_config *lb = &d->p.lbs[l];
		d->lb_target_host[l] = calloc(lb->target_count + 1, sizeof(int));
		if (!d->lb_target_host[l])
			return -ENOMEM;
		for (size_t t = 0; t < lb->target_count; t++)
			d->lb_target_host[l][t] = host_index(d, lb->targets[t]);
	}
	struct lb_hooks hooks = {lb_probe, lb_node_up, lb_changed, d};
	for (size_t i = 0; i < d->p.lb_count; i++)
		if (!(d->lbs[i] = lb_new(d->e, &d->p.lbs[i], &hooks)))
			return -EINVAL;
	for (size_t i = 0; i < d->p.dns_count; i++) {
		const struct dns_config *c = &d->p.dns[i];
		int pi = lb_index(d, c->primary), si = c->secondary ? lb_index(d, c->secondary) : -1;
		if (pi < 0)
			return -EINVAL;
		if (!(d->dns[i] = dns_new(d->e, c, d->lbs[pi], si >= 0 ? d->lbs[si] : NULL,
					  dns_changed, d)))
			return -EINVAL;
	}
	return 0;
}

static int build_injector(struct datapath *d)
{
	size_t nh = d->p.host_count, nv = 0, na = 0, nr = d->p.region_count;
	for (size_t h = 0; h < nh; h++)
		nv += d->p.hosts[h].cfg->volume_count;
	for (size_t r = 0; r < nr; r++)
		na += d->p.regions[r].az_count;
	const char **hosts = calloc(nh + 1, sizeof(char *));
	const char **vols = calloc(nv + 1, sizeof(char *));
	const char **azs = calloc(na + 1, sizeof(char *));
	const char **regions = calloc(nr + 1, sizeof(char *));
	int rc = -ENOMEM;
	if (!hosts || !vols || !azs || !regions)
		goto out;
	size_t k = 0;
	for (size_t h = 0; h < nh; h++) {
		hosts[h] = d->p.hosts[h].cfg->name;
		for (size_t v = 0; v < d->p.hosts[h].cfg->volume_count; v++)
			vols[k++] = volume_name(d->volumes[h][v]);
	}
	k = 0;
	for (size_t r = 0; r < nr; r++) {
		regions[r] = d->p.regions[r].name;
		for (size_t a = 0; a < d->p.regions[r].az_count; a++)
			azs[k++] = d->p.regions[r].azs[a];
	}
	struct injector_hooks hooks = {d, hook_host, hook_az, hook_region, hook_volume, hook_lb,
				       hook_freeze, NULL, inj_started, inj_ended};
	d->injector = injector_new(d->e, d->fabric, d->p.faults, d->p.fault_count, d->p.stochastic,
				   d->p.stochastic_count, hosts, nh, vols, nv, azs, na, regions, nr,
				   &hooks);
	rc = d->injector ? 0 : -EINVAL;
out:
	free(hosts);
	free(vols);
	free(azs);
	free(regions);
	return rc;
}

struct datapath *datapath_new(struct sim_engine *e, const struct datapath_params *p, char *err,
			      size_t err_size)
{
	struct datapath *d = calloc(1, sizeof(*d));
	if (!d || !(d->node_ctx = calloc(p->host_count + 1, sizeof(*d->node_ctx)))) {
		free(d);
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	err[0] = '\0';
	d->e = e;
	d->p = *p;
	d->attempts.item_size = sizeof(struct attempt);
	d->attempts.link = offsetof(struct attempt, next_free);
	d->requests.item_size = sizeof(struct request);
	d->requests.link = offsetof(struct request, next_free);
	d->err = err;
	d->err_size = err_size;
	stat_timeweighted_init(&d->in_system, 0, 0);
	stat_timeweighted_init(&d->writes_ok, 0, 1);
	stat_timeweighted_init(&d->reads_ok, 0, 1);
	const struct workload_config *w = p->workload;
	/* The ticker first: its stream serves the mirror's network draws. */
	d->ticker = sim_entity_new(e, &ticker_type, "datapath");
	if (!d->ticker)
		goto out_fail;
	*(struct datapath **)d->ticker->state = d;
	if (network_init(&d->net, p->network, p->region_count, p->region_rtt_s) < 0 ||
	    build_fabric(d) < 0 || build_hosts(d) < 0 || build_mirrors(d) < 0 ||
	    build_routing(d) < 0 || build_injector(d) < 0)
		goto out_fail;
	d->classes = calloc(w->operation_count + 1, sizeof(*d->classes));
	if (!d->classes)
		goto out_fail;
	d->class_count = w->operation_count;
	for (size_t i = 0; i < d->class_count; i++) {
		d->classes[i].cfg = &w->operations[i];
		stat_hist_init(&d->classes[i].latency);
		stat_hist_init(&d->classes[i].bucket);
		stat_welford_init(&d->classes[i].latency_w);
		d->total_weight += w->operations[i].weight;
	}
	d->pop_count = w->population_count;
	d->pops = calloc(d->pop_count + 1, sizeof(*d->pops));
	if (!d->pops)
		goto out_fail;
	for (size_t i = 0; i < d->pop_count; i++) {
		struct population *pop = &d->pops[i];
		char name[300];
		snprintf(name, sizeof(name), "population:%s", w->populations[i].name);
		pop->d = d;
		pop->cfg = &w->populations[i];
		pop->region = region_index(d, pop->cfg->region);
		pop->entry_dns = dns_index(d, pop->cfg->entry);
		pop->entry_lb = pop->entry_dns < 0 ? lb_index(d, pop->cfg->entry) : -1;
		pop->entry_host = pop->entry_dns < 0 && pop->entry_lb < 0
					  ? host_index(d, pop->cfg->entry)
					  : -1;
		if (pop->region < 0)
			pop->region = 0;
		pop->self = sim_entity_new(e, &population_type, name);
		if (!pop->self)
			goto out_fail;
		*(struct population **)pop->self->state = pop;
		pop->rate = pop->cfg->arrival == ARRIVAL_POISSON ? pop->cfg->rate : 0;
		if (pop->cfg->timeout > d->max_timeout)
			d->max_timeout = pop->cfg->timeout;
		if (pop->cfg->arrival == ARRIVAL_CLOSED) {
			for (int64_t c = 0; c < pop->cfg->clients; c++)
				sim_schedule_in(e, pop->self,
						rng_dist_sample_time(&pop->cfg->think_time, pop->self->rng),
						POP_EV_ARRIVAL, NULL, 0);
		} else {
			pop_schedule_next(pop);
		}
	}
	for (size_t m = 0; m < d->p.mirror_count; m++)
		mirror_start(d->mirrors[m]);
	for (size_t i = 0; i < d->p.lb_count; i++)
		lb_start(d->lbs[i]);
	for (size_t i = 0; i < d->p.dns_count; i++)
		dns_start(d->dns[i]);
	injector_start(d->injector);
	sim_schedule_at(e, d->ticker, p->warmup, TICK_EV_WARMUP, NULL, 0);
	if (sim_engine_error(e))
		goto out_fail;
	return d;

out_fail:
	if (!err[0])
		snprintf(err, err_size, "%s",
			 sim_engine_error(e) ? sim_engine_error_message(e) : "out of memory");
	datapath_free(d);
	return NULL;
}

void datapath_free(struct datapath *d)
{
	if (!d)
		return;
	for (size_t h = 0; h < d->p.host_count; h++) {
		if (d->groups)
			volume_group_free(d->groups[h]);
		if (d->volumes)
			free(d->volumes[h]);
	}
	free(d->node_ctx);
	free(d->groups);
	free(d->volumes);
	free(d->host_node);
	free(d->host_mirror);
	free(d->nodes);
	free(d->node_host);
	for (size_t i = 0; d->lbs && i < d->p.lb_count; i++)
		lb_free(d->lbs[i]);
	for (size_t i = 0; d->dns && i < d->p.dns_count; i++)
		dns_free(d->dns[i]);
	free(d->lbs);
	free(d->dns);
	free(d->gw_rr);
	free(d->gw_of_host);
	for (size_t g = 0; d->gw_servers && g < d->p.gateway_count; g++)
		free(d->gw_servers[g]);
	free(d->gw_servers);
	free(d->shard_servers);
	for (size_t l = 0; d->lb_target_host && l < d->p.lb_count; l++)
		free(d->lb_target_host[l]);
	free(d->lb_target_host);
	free(d->mirrors);
	injector_free(d->injector);
	fabric_free(d->fabric);
	free(d->pops);
	free(d->classes);
	pool_release(&d->attempts);
	pool_release(&d->requests);
	free(d->incidents);
	free(d->acks);
	free(d->events);
	free(d->violations);
	network_release(&d->net);
	free(d);
}

/* --- results ----------------------------------------------------------------------------------------- */

size_t datapath_class_count(const struct datapath *d) { return d->class_count; }

void datapath_class_stats(const struct datapath *d, size_t i, struct datapath_class_stats *out)
{
	const struct op_class *c = &d->classes[i];
	out->name = c->cfg->name;
	out->arrived = c->arrived;
	out->completed = c->completed;
	out->latency = &c->latency;
	out->latency_w = &c->latency_w;
}

void datapath_class_failures(const struct datapath *d, size_t i, uint64_t *final, uint64_t *tries)
{
	for (int k = 0; k < CAUSE_COUNT; k++) {
		final[k] = d->classes[i].failed[k];
		tries[k] = d->classes[i].tries_failed[k];
	}
}

void datapath_totals(const struct datapath *d, struct datapath_totals *out) { *out = d->totals; }

double datapath_in_system_mean(const struct datapath *d)
{
	return stat_timeweighted_mean(&d->in_system, sim_now(d->e));
}

double datapath_write_availability(const struct datapath *d)
{
	return stat_timeweighted_mean(&d->writes_ok, sim_now(d->e));
}

double datapath_read_availability(const struct datapath *d)
{
	return stat_timeweighted_mean(&d->reads_ok, sim_now(d->e));
}

size_t datapath_node_count(const struct datapath *d) { return d->node_count; }

const char *datapath_node_host(const struct datapath *d, size_t i)
{
	return d->p.hosts[d->node_host[i]].cfg->name;
}

void datapath_node_stats(const struct datapath *d, size_t i, struct iris_node_stats *out)
{
	iris_node_stats(d->nodes[i], out);
}

size_t datapath_volume_count(const struct datapath *d)
{
	size_t n = 0;
	for (size_t h = 0; h < d->p.host_count; h++)
		if (d->volumes[h])
			n += d->p.hosts[h].cfg->volume_count;
	return n;
}

static const struct volume_logical *volume_at(const struct datapath *d, size_t i)
{
	for (size_t h = 0; h < d->p.host_count; h++) {
		if (!d->volumes[h])
			continue;
		if (i < d->p.hosts[h].cfg->volume_count)
			return d->volumes[h][i];
		i -= d->p.hosts[h].cfg->volume_count;
	}
	return NULL;
}

const char *datapath_volume_name(const struct datapath *d, size_t i)
{
	return volume_name(volume_at(d, i));
}

void datapath_volume_stats(const struct datapath *d, size_t i, struct volume_stats *out)
{
	volume_stats(volume_at(d, i), out);
}

size_t datapath_incident_count(const struct datapath *d) { return d->incident_count; }
const struct datapath_incident *datapath_incident(const struct datapath *d, size_t i)
{
	return &d->incidents[i];
}
size_t datapath_event_count(const struct datapath *d) { return d->event_count; }
const struct datapath_event *datapath_event(const struct datapath *d, size_t i)
{
	return &d->events[i];
}
size_t datapath_violation_count(const struct datapath *d) { return d->violation_count; }
const struct datapath_violation *datapath_violation(const struct datapath *d, size_t i)
{
	return &d->violations[i];
}
