/* datapath.c: populations, routes and requests (see datapath.h).
 *
 * Invariants:
 * - totals.arrived = totals.completed + totals.failed + totals.in_flight at every event.
 * - A request is in exactly one place: the free list, in flight on the network (an event
 *   carries it), or inside an iris_node.
 * - Routes are computed once at build time; a request's route is fixed at its arrival.
 */
#include "datapath.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#define ROUTE_HOPS_MAX 8
#define ROUTES_MAX 4096
#define REQUEST_SLAB 4096

struct route {
	struct net_endpoint hops[ROUTE_HOPS_MAX]; /* client first, data host last */
	int hop_count;
	int node;                                  /* index in datapath nodes */
};

struct population {
	struct datapath *d;
	const struct population_config *cfg;
	struct sim_entity *self;
	struct route *routes;
	size_t route_count;
	size_t next_route;
	size_t next_step;      /* piecewise: index of the next rate step */
	double rate;           /* current arrival rate, 1/s */
};

struct request {
	struct iris_request iris;   /* first member: the node hands it back */
	struct population *pop;
	const struct route *route;
	uint32_t op;
	double response_bytes;
	sim_time t_start;
	bool measured;
	struct request *next_free;
};

struct op_class {
	const struct operation_config *cfg;
	uint64_t arrived, completed;
	struct stat_hist latency;
	struct stat_welford latency_w;
	struct stat_hist bucket;      /* current time-series bucket */
	uint64_t bucket_completed;
};

struct datapath {
	struct sim_engine *e;
	struct datapath_params p;
	struct network net;
	struct volume_group **groups;          /* per host, NULL without volumes */
	struct volume_logical ***volumes;      /* per host, per volume */
	struct iris_node **nodes;
	size_t *node_host;                     /* node index -> host index */
	size_t node_count;
	int *host_node;                        /* host index -> node index or -1 */
	struct population *pops;
	size_t pop_count;
	struct op_class *classes;
	size_t class_count;
	double total_weight;
	struct request **slabs;
	size_t slab_count;
	struct request *free_requests;
	struct datapath_totals totals;
	struct stat_timeweighted in_system; /* requests in the system, from warm-up on */
	struct sim_entity *ticker;
	sim_time bucket_start;
	char *err;
	size_t err_size;
};

enum { POP_EV_ARRIVAL, POP_EV_AT_SERVER, POP_EV_RESPONSE, POP_EV_COUNT };
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

/* --- lookups --------------------------------------------------------------------------------- */

static int host_index(const struct datapath *d, const char *name)
{
	for (size_t i = 0; name && i < d->p.host_count; i++)
		if (strcmp(d->p.hosts[i].cfg->name, name) == 0)
			return (int)i;
	return -1;
}

static const struct mirror_set_config *mirror_named(const struct datapath *d, const char *name)
{
	for (size_t i = 0; name && i < d->p.mirror_count; i++)
		if (strcmp(d->p.mirrors[i].name, name) == 0)
			return &d->p.mirrors[i];
	return NULL;
}

static const struct load_balancer_config *lb_named(const struct datapath *d, const char *name)
{
	for (size_t i = 0; name && i < d->p.lb_count; i++)
		if (strcmp(d->p.lbs[i].name, name) == 0)
			return &d->p.lbs[i];
	return NULL;
}

static int region_of_az(const struct datapath *d, const char *az)
{
	for (size_t r = 0; r < d->p.region_count; r++)
		for (size_t a = 0; a < d->p.regions[r].az_count; a++)
			if (strcmp(d->p.regions[r].azs[a], az) == 0)
				return (int)r;
	return 0;
}

static int region_named(const struct datapath *d, const char *name)
{
	for (size_t r = 0; r < d->p.region_count; r++)
		if (strcmp(d->p.regions[r].name, name) == 0)
			return (int)r;
	return 0;
}

/* --- routes ------------------------------------------------------------------------------------ */

struct route_builder {
	struct datapath *d;
	struct population *pop;
	struct route cur;
};

static void routes_from_host(struct route_builder *b, int h);

static void emit_route(struct route_builder *b, int node)
{
	struct population *pop = b->pop;
	if (pop->route_count >= ROUTES_MAX)
		return;
	struct route *grown = realloc(pop->routes, sizeof(*grown) * (pop->route_count + 1));
	if (!grown) {
		fail(b->d, "out of memory building routes");
		return;
	}
	pop->routes = grown;
	b->cur.node = node;
	pop->routes[pop->route_count++] = b->cur;
}

/* The data server behind a name: a mirror set (its first failover member) or a host. */
static void routes_to_server(struct route_builder *b, const char *name)
{
	const struct mirror_set_config *m = mirror_named(b->d, name);
	int h = host_index(b->d, m ? m->failover[0] : name);
	if (h < 0) {
		fail(b->d, "route of population \"%s\" reaches unknown server \"%s\"",
		     b->pop->cfg->name, name);
		return;
	}
	routes_from_host(b, h);
}

static void routes_from_host(struct route_builder *b, int h)
{
	struct datapath *d = b->d;
	const struct datapath_host *host = &d->p.hosts[h];
	if (b->cur.hop_count >= ROUTE_HOPS_MAX) {
		fail(d, "route of population \"%s\" is longer than %d hops", b->pop->cfg->name,
		     ROUTE_HOPS_MAX);
		return;
	}
	int saved = b->cur.hop_count;
	b->cur.hops[b->cur.hop_count++] = (struct net_endpoint){
		host->region, host->cfg->az, host->cfg->name, host->network_bandwidth};
	switch (host->cfg->role) {
	case HOST_ROLE_DATA:
		if (d->host_node[h] < 0)
			fail(d, "data host \"%s\" has no IRIS node", host->cfg->name);
		else
			emit_route(b, d->host_node[h]);
		break;
	case HOST_ROLE_WEB: {
		bool found = false;
		for (size_t g = 0; g < d->p.gateway_count; g++) {
			const struct web_gateway_config *gw = &d->p.gateways[g];
			if (strcmp(gw->host, host->cfg->name) != 0)
				continue;
			found = true;
			for (size_t s = 0; s < gw->server_count; s++)
				routes_to_server(b, gw->servers[s]);
		}
		if (!found)
			fail(d, "web host \"%s\" runs no web gateway", host->cfg->name);
		break;
	}
	case HOST_ROLE_APP:
		if (d->p.ecp && d->p.ecp->app_server_count > 0)
			routes_to_server(b, d->p.ecp->data_server);
		else
			fail(d, "application server \"%s\" has no ECP data server", host->cfg->name);
		break;
	case HOST_ROLE_COMPUTE:
		/* Until the shard model: a compute node passes requests to the data nodes. */
		for (size_t i = 0; d->p.sharding && i < d->p.sharding->data_node_count; i++)
			routes_to_server(b, d->p.sharding->data_nodes[i]);
		break;
	default:
		fail(d, "requests of population \"%s\" reach host \"%s\" of role %s, which serves "
			"none",
		     b->pop->cfg->name, host->cfg->name, host_role_names[host->cfg->role]);
		break;
	}
	b->cur.hop_count = saved;
}

static void routes_from_lb(struct route_builder *b, const struct load_balancer_config *lb)
{
	int saved = b->cur.hop_count;
	for (size_t t = 0; t < lb->target_count; t++) {
		int h = host_index(b->d, lb->targets[t]);
		if (h < 0)
			continue;
		/* The load-balancer node in the target's AZ when there is one. */
		const char *az = lb->azs[0];
		for (size_t a = 0; a < lb->az_count; a++)
			if (strcmp(lb->azs[a], b->d->p.hosts[h].cfg->az) == 0)
				az = lb->azs[a];
		b->cur.hops[b->cur.hop_count++] =
			(struct net_endpoint){region_of_az(b->d, az), az, NULL, 0};
		routes_from_host(b, h);
		b->cur.hop_count = saved;
	}
}

static void build_routes(struct datapath *d, struct population *pop)
{
	struct route_builder b = {d, pop, {.hop_count = 1}};
	b.cur.hops[0] = (struct net_endpoint){region_named(d, pop->cfg->region), NULL, NULL, 0};
	const char *entry = pop->cfg->entry;
	for (size_t i = 0; i < d->p.dns_count; i++)
		if (strcmp(d->p.dns[i].name, entry) == 0)
			entry = d->p.dns[i].primary; /* healthy primary record */
	const struct load_balancer_config *lb = lb_named(d, entry);
	if (lb)
		routes_from_lb(&b, lb);
	else if (host_index(d, entry) >= 0)
		routes_from_host(&b, host_index(d, entry));
	else
		fail(d, "population \"%s\" enters at unknown \"%s\"", pop->cfg->name, entry);
	if (!d->err[0] && pop->route_count == 0)
		fail(d, "population \"%s\" has no route to a data server", pop->cfg->name);
}

/* --- requests --------------------------------------------------------------------------------- */

static struct request *request_new(struct datapath *d)
{
	if (!d->free_requests) {
		struct request **grown = realloc(d->slabs, sizeof(*grown) * (d->slab_count + 1));
		struct request *slab = calloc(REQUEST_SLAB, sizeof(*slab));
		if (!grown || !slab) {
			free(slab);
			if (grown)
				d->slabs = grown;
			return NULL;
		}
		d->slabs = grown;
		d->slabs[d->slab_count++] = slab;
		for (size_t i = REQUEST_SLAB; i-- > 0;) {
			slab[i].next_free = d->free_requests;
			d->free_requests = &slab[i];
		}
	}
	struct request *rq = d->free_requests;
	d->free_requests = rq->next_free;
	memset(rq, 0, sizeof(*rq));
	return rq;
}

static void request_free(struct datapath *d, struct request *rq)
{
	rq->next_free = d->free_requests;
	d->free_requests = rq;
}

static sim_time route_delay(const struct datapath *d, gsl_rng *r, const struct route *route,
			    double bytes, bool back)
{
	sim_time total = 0;
	for (int i = 0; i + 1 < route->hop_count; i++) {
		const struct net_endpoint *a = &route->hops[back ? route->hop_count - 1 - i : i];
		const struct net_endpoint *b = &route->hops[back ? route->hop_count - 2 - i : i + 1];
		total += network_delay(&d->net, r, a, b, bytes);
	}
	return total;
}

static void pop_schedule_next(struct population *pop)
{
	struct sim_engine *e = pop->self->engine;
	const struct population_config *cfg = pop->cfg;
	if (cfg->arrival == ARRIVAL_CLOSED)
		return; /* closed clients come back after their response and think time */
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
			return; /* rate 0 for ever */
		/* Memoryless: restart at the step boundary with the new rate. */
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
	rq->route = &pop->routes[pop->next_route++ % pop->route_count];
	rq->iris.cpu_s = rng_dist_sample_nonneg(&oc->cpu, r);
	rq->iris.block_reads = (uint32_t)llround(fmin(rng_dist_sample_nonneg(&oc->block_reads, r), 1e6));
	rq->iris.writes = oc->kind == OP_WRITE || oc->kind == OP_COMMIT ? (uint32_t)oc->writes : 0;
	rq->iris.journal_bytes = rng_dist_sample_nonneg(&oc->journal_bytes, r);
	rq->iris.sync_commit = oc->kind == OP_COMMIT && oc->commit_mode == COMMIT_SYNC;
	rq->iris.owner = rq;
	double request_bytes = rng_dist_sample_nonneg(&oc->request_bytes, r);
	rq->response_bytes = rng_dist_sample_nonneg(&oc->response_bytes, r);
	d->totals.arrived++;
	d->totals.in_flight++;
	stat_timeweighted_set(&d->in_system, rq->t_start, (double)d->totals.in_flight);
	if (rq->measured)
		d->classes[op].arrived++;
	void *p = rq;
	sim_schedule_in(self->engine, self, route_delay(d, r, rq->route, request_bytes, false),
			POP_EV_AT_SERVER, &p, sizeof(p));
}

static void pop_on_at_server(struct sim_entity *self, const struct sim_event *ev)
{
	struct request *rq = *(struct request *const *)sim_event_payload(ev);
	struct datapath *d = rq->pop->d;
	(void)self;
	iris_node_submit(d->nodes[rq->route->node], &rq->iris);
}

/* iris_node_done_fn: the data server is done; the response travels back. */
static void datapath_on_node_done(void *arg, struct iris_request *irq)
{
	struct datapath *d = arg;
	struct request *rq = (struct request *)irq;
	struct sim_entity *pop = rq->pop->self;
	void *p = rq;
	sim_schedule_in(d->e, pop, route_delay(d, pop->rng, rq->route, rq->response_bytes, true),
			POP_EV_RESPONSE, &p, sizeof(p));
}

static void pop_on_response(struct sim_entity *self, const struct sim_event *ev)
{
	struct request *rq = *(struct request *const *)sim_event_payload(ev);
	struct population *pop = rq->pop;
	struct datapath *d = pop->d;
	double latency = sim_time_to_s(sim_now(self->engine) - rq->t_start);
	struct op_class *c = &d->classes[rq->op];
	d->totals.completed++;
	d->totals.in_flight--;
	stat_timeweighted_set(&d->in_system, sim_now(self->engine), (double)d->totals.in_flight);
	if (rq->measured) {
		c->completed++;
		stat_hist_add(&c->latency, latency);
		stat_welford_add(&c->latency_w, latency);
		stat_hist_add(&c->bucket, latency);
		c->bucket_completed++;
	}
	request_free(d, rq);
	if (pop->cfg->arrival == ARRIVAL_CLOSED)
		sim_schedule_in(self->engine, self, rng_dist_sample_time(&pop->cfg->think_time, self->rng),
				POP_EV_ARRIVAL, NULL, 0);
}

static const sim_handler_fn pop_handlers[POP_EV_COUNT] = {
	[POP_EV_ARRIVAL] = pop_on_arrival,
	[POP_EV_AT_SERVER] = pop_on_at_server,
	[POP_EV_RESPONSE] = pop_on_response,
};
static const struct sim_entity_type population_type = {
	.name = "population",
	.state_size = sizeof(struct population *),
	.handlers = pop_handlers,
	.handler_count = POP_EV_COUNT,
};

/* --- warm-up and time series -------------------------------------------------------------- */

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
	for (size_t i = 0; i < d->node_count; i++)
		iris_node_stats_reset(d->nodes[i]);
	for (size_t h = 0; h < d->p.host_count; h++)
		for (size_t v = 0; d->volumes[h] && v < d->p.hosts[h].cfg->volume_count; v++)
			volume_stats_reset(d->volumes[h][v]);
	d->bucket_start = sim_now(self->engine);
	stat_timeweighted_init(&d->in_system, d->bucket_start, (double)d->totals.in_flight);
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

/* --- build ------------------------------------------------------------------------------------- */

static struct volume_logical *volume_by_purpose(struct datapath *d, size_t h, int purpose)
{
	const struct host_config *hc = d->p.hosts[h].cfg;
	for (size_t v = 0; v < hc->volume_count; v++)
		if (hc->volumes[v].purpose == purpose)
			return d->volumes[h][v];
	return NULL;
}

static int build_hosts(struct datapath *d)
{
	size_t n = d->p.host_count;
	d->groups = calloc(n + 1, sizeof(*d->groups));
	d->volumes = calloc(n + 1, sizeof(*d->volumes));
	d->host_node = malloc(sizeof(int) * (n + 1));
	d->nodes = calloc(n + 1, sizeof(*d->nodes));
	d->node_host = calloc(n + 1, sizeof(*d->node_host));
	if (!d->groups || !d->volumes || !d->host_node || !d->nodes || !d->node_host)
		return -ENOMEM;
	for (size_t h = 0; h < n; h++) {
		const struct datapath_host *host = &d->p.hosts[h];
		d->host_node[h] = -1;
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
		struct iris_node_params np = {
			.vcpu = host->vcpu,
			.hit_ratio = hit,
			.db = db,
			.journal = jrn ? jrn : db,
			.wij = volume_by_purpose(d, h, VOLUME_WIJ),
			.done = datapath_on_node_done,
			.done_arg = d,
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

struct datapath *datapath_new(struct sim_engine *e, const struct datapath_params *p, char *err,
			      size_t err_size)
{
	struct datapath *d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	err[0] = '\0';
	d->e = e;
	stat_timeweighted_init(&d->in_system, 0, 0);
	d->p = *p;
	d->err = err;
	d->err_size = err_size;
	const struct workload_config *w = p->workload;
	if (network_init(&d->net, p->network, p->region_count, p->region_rtt_s) < 0 ||
	    build_hosts(d) < 0)
		goto out_fail;

	d->class_count = w->operation_count;
	d->classes = calloc(d->class_count + 1, sizeof(*d->classes));
	if (!d->classes)
		goto out_fail;
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
		pop->self = sim_entity_new(e, &population_type, name);
		if (!pop->self)
			goto out_fail;
		*(struct population **)pop->self->state = pop;
		build_routes(d, pop);
		if (d->err[0])
			goto out_fail;
		pop->rate = pop->cfg->arrival == ARRIVAL_POISSON ? pop->cfg->rate : 0;
		if (pop->cfg->arrival == ARRIVAL_CLOSED) {
			for (int64_t c = 0; c < pop->cfg->clients; c++)
				sim_schedule_in(e, pop->self,
						rng_dist_sample_time(&pop->cfg->think_time, pop->self->rng),
						POP_EV_ARRIVAL, NULL, 0);
		} else {
			pop_schedule_next(pop);
		}
	}
	d->ticker = sim_entity_new(e, &ticker_type, "datapath");
	if (!d->ticker)
		goto out_fail;
	*(struct datapath **)d->ticker->state = d;
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
	free(d->groups);
	free(d->volumes);
	free(d->host_node);
	free(d->nodes);
	free(d->node_host);
	for (size_t i = 0; d->pops && i < d->pop_count; i++)
		free(d->pops[i].routes);
	free(d->pops);
	free(d->classes);
	for (size_t s = 0; s < d->slab_count; s++)
		free(d->slabs[s]);
	free(d->slabs);
	network_release(&d->net);
	free(d);
}

/* --- results ----------------------------------------------------------------------------------- */

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

void datapath_totals(const struct datapath *d, struct datapath_totals *out) { *out = d->totals; }

double datapath_in_system_mean(const struct datapath *d)
{
	return stat_timeweighted_mean(&d->in_system, sim_now(d->e));
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
