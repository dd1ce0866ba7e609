/* clients.c: populations, requests and their tries (see clients.h). */
#include "clients.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "pool.h"

struct population;
struct request;

struct attempt {
	struct data_req server_req;  /* what the data server works on */
	struct population *pop;
	struct request *rq;          /* NULL once the client has given up on this try */
	struct route route;
	struct dataserver *server;   /* the data server the route reached, or */
	struct ecp_app *app;         /* the ECP application server; both NULL: none */
	int shard_entry;             /* entry host of the sharded cluster, or -1 */
	struct gateway *gateway;     /* the web gateway whose connection it needs, or NULL */
	struct gateway_wait gateway_wait;
	sim_time gateway_to_server;  /* delay of the leg after the gateway */
	bool holds_connection;       /* of the gateway, until the data server is done */
	int error;                   /* cause answered, SVC_OK = none */
	sim_time sent;
	struct sim_handle timer;
	bool client_done, server_done;
	void *next_free;
};

struct request {
	struct population *pop;
	uint32_t op;
	uint32_t tries;
	sim_time t_start;            /* first try */
	bool measured;
	bool update;                 /* write or commit */
	double request_bytes, response_bytes;
	double cpu_s, journal_bytes, rows;
	uint32_t block_reads, writes;
	bool sync_commit;
	struct route_cache dns;      /* the client's cached DNS answer, for its retries */
	void *next_free;
};

struct population {
	struct clients *c;
	const struct population_config *cfg;
	uint32_t *ops;               /* the classes it draws from */
	size_t op_count;
	double weight;               /* their total weight */
	struct sim_entity *self;
	int region;
	struct router_entry entry;
	size_t next_step;
	double rate;
};

struct op_class {
	struct clients_class pub;
	const struct operation_config *cfg;
	struct stat_hist bucket;
	uint64_t bucket_completed, bucket_failed;
};

struct clients {
	struct sim_engine *e;
	struct clients_params p;
	struct population *pops;
	size_t pop_count;
	struct op_class *classes;
	size_t class_count;
	double total_weight;
	struct pool attempts, requests;
	struct clients_totals totals;
	uint64_t shed;                 /* requests refused by the in-flight cap */
	struct stat_timeweighted in_system;
};

enum { POP_EV_ARRIVAL, POP_EV_AT_SERVER, POP_EV_RESPONSE, POP_EV_TIMEOUT, POP_EV_RETRY,
       POP_EV_AT_GATEWAY, POP_EV_COUNT };

static const struct sim_entity_type population_type;

/* --- tries ------------------------------------------------------------------------------------ */

/* A try is reused only once the client and the server side are both done with it. */
static void attempt_release(struct clients *c, struct attempt *a)
{
	if (a->client_done && a->server_done)
		pool_put(&c->attempts, a);
}

static void schedule_think(struct population *pop)
{
	sim_schedule_in(pop->c->e, pop->self,
			rng_dist_sample_time(&pop->cfg->think_time, pop->self->rng), POP_EV_ARRIVAL,
			NULL, 0);
}

static void send_try(struct clients *c, struct request *rq);

/* The client has the final word on a try that failed with `cause`. */
static void try_failed(struct clients *c, struct request *rq, int cause, sim_time sent)
{
	struct population *pop = rq->pop;
	struct op_class *k = &c->classes[rq->op];
	if (rq->measured)
		k->pub.tries_failed[cause]++;
	ledger_try_failed(c->p.ledger, rq->update, sent);
	if (rq->tries < pop->cfg->attempts) {
		int doublings = rq->tries - 1 < 20 ? (int)rq->tries - 1 : 20;
		sim_time backoff = pop->cfg->backoff > (SIM_TIME_MAX >> doublings)
					   ? SIM_TIME_MAX
					   : pop->cfg->backoff << doublings;
		void *p = rq;
		sim_schedule_in(c->e, pop->self, backoff, POP_EV_RETRY, &p, sizeof(p));
		return;
	}
	sim_time now = sim_now(c->e);
	c->totals.failed++;
	c->totals.in_flight--;
	stat_timeweighted_set(&c->in_system, now, (double)c->totals.in_flight);
	if (rq->measured) {
		k->pub.failed[cause]++;
		k->bucket_failed++;
	}
	bool closed = pop->cfg->arrival == ARRIVAL_CLOSED;
	pool_put(&c->requests, rq);
	if (closed)
		schedule_think(pop);
}

/* The data server completed a try (svc_done_fn). */
static void attempt_served(struct svc_req *req, int cause)
{
	struct attempt *a = (struct attempt *)((char *)req - offsetof(struct attempt, server_req));
	struct population *pop = a->pop;
	struct clients *c = pop->c;
	void *p = a;
	sim_time back = 0;
	if (a->holds_connection) { /* IRIS is done with it: the gateway's connection is free */
		a->holds_connection = false;
		gateway_release(a->gateway);
	}
	switch (cause) {
	case SVC_OK:
		if (!a->rq) {
			a->server_done = true;
			attempt_release(c, a); /* the client gave up on it */
			return;
		}
		/* The response event is the last server-side reference (server_done is set when
		 * it arrives); a response lost on the way leaves the client to its timeout. */
		if (router_delay(c->p.router, pop->self->rng, &a->route, a->rq->response_bytes,
				 true, &back))
			sim_schedule_in(c->e, pop->self, back, POP_EV_RESPONSE, &p, sizeof(p));
		else
			a->server_done = true;
		return;
	case CAUSE_NO_ANSWER: /* the instance stopped with the try inside */
		a->server_done = true;
		attempt_release(c, a);
		return;
	default: /* an error answer (a member that is not primary refuses) */
		if (router_delay(c->p.router, pop->self->rng, &a->route, 256, true, &back)) {
			a->error = cause;
			sim_schedule_in(c->e, pop->self, back, POP_EV_RESPONSE, &p, sizeof(p));
		} else { /* lost on the way: the client sees only its timeout */
			a->server_done = true;
			attempt_release(c, a);
		}
		return;
	}
}

static void send_try(struct clients *c, struct request *rq)
{
	struct population *pop = rq->pop;
	struct attempt *a = pool_get(&c->attempts);
	if (!a) {
		sim_stop(c->e);
		return;
	}
	rq->tries++;
	a->pop = pop;
	a->rq = rq;
	a->sent = sim_now(c->e);
	struct iris_request *w = &a->server_req.iris;
	w->cpu_s = rq->cpu_s;
	w->block_reads = rq->block_reads;
	w->writes = rq->writes;
	w->journal_bytes = rq->journal_bytes;
	w->sync_commit = rq->sync_commit;
	const struct operation_config *oc = c->classes[rq->op].cfg;
	a->server_req.shard = (struct shard_work){
		.fan_out = oc->kind == OP_SHARDED_SQL,
		.master = oc->placement == PLACEMENT_MASTER,
		.write = rq->update,
		.joins = (uint32_t)oc->joins,
		.rows = rq->rows,
		.response_bytes = rq->response_bytes,
		.cpu = &oc->cpu,
		.block_reads = &oc->block_reads,
	};
	svc_req_init(&a->server_req.base, SVC_DATA_REQUEST, NULL, attempt_served, rq);
	int host = router_route(c->p.router, &pop->entry, pop->region, pop->self->rng,
				&rq->dns, &a->route);
	a->error = a->route.error;
	a->shard_entry = host >= 0 && shard_is_entry(c->p.shards, host) ? host : -1;
	a->server = host >= 0 ? c->p.server_of_host[host] : NULL;
	a->app = host >= 0 && c->p.app_of_host ? c->p.app_of_host[host] : NULL;
	void *p = a;
	a->timer = sim_schedule_in(c->e, pop->self, pop->cfg->timeout, POP_EV_TIMEOUT, &p, sizeof(p));
	sim_time delay;
	if ((a->server || a->app || a->shard_entry >= 0) && a->route.gateway >= 0) {
		/* Through a web gateway: to the gateway, then (with a connection) on to IRIS. The
		 * two legs are drawn now, hop by hop, like a whole route. */
		int gw = a->route.gateway_hop, last = a->route.hop_count - 1;
		if (!router_delay_leg(c->p.router, pop->self->rng, &a->route, 0, gw,
				      rq->request_bytes, &delay) ||
		    !router_delay_leg(c->p.router, pop->self->rng, &a->route, gw, last,
				      rq->request_bytes, &a->gateway_to_server)) {
			a->server_done = true; /* lost on the way: only the timeout will tell */
			return;
		}
		a->gateway = router_gateway(c->p.router, (size_t)a->route.gateway);
		sim_schedule_in(c->e, pop->self, delay, POP_EV_AT_GATEWAY, &p, sizeof(p));
		return;
	}
	if (!router_delay(c->p.router, pop->self->rng, &a->route, rq->request_bytes, false, &delay)) {
		a->server_done = true; /* lost on the way: only the timeout will tell */
		return;
	}
	if (!a->server && !a->app && a->shard_entry < 0) {
		/* An error answer from the last hop (gateway without primary, LB without node). */
		if (a->error == CAUSE_LB_UNAVAILABLE) {
			a->server_done = true; /* connection not accepted: the client times out */
			return;
		}
		/* The error answer is the try's last server-side reference until it arrives. */
		sim_time back = 0;
		if (!router_delay(c->p.router, pop->self->rng, &a->route, 256, true, &back)) {
			a->server_done = true;
			return;
		}
		sim_schedule_in(c->e, pop->self, delay + back, POP_EV_RESPONSE, &p, sizeof(p));
		return;
	}
	sim_schedule_in(c->e, pop->self, delay, POP_EV_AT_SERVER, &p, sizeof(p));
}

/* --- populations ---------------------------------------------------------------------------- */

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
			sim_time at = sim_time_after(
				now, sim_time_from_s(gsl_ran_exponential(pop->self->rng, 1.0 / pop->rate)));
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
	struct clients *c = pop->c;
	gsl_rng *r = self->rng;
	(void)ev;
	pop_schedule_next(pop);
	struct request *rq = pool_get(&c->requests);
	if (!rq) {
		sim_stop(self->engine);
		return;
	}
	double u = gsl_rng_uniform(r) * pop->weight;
	size_t pick = 0;
	while (pick + 1 < pop->op_count && u >= c->classes[pop->ops[pick]].cfg->weight) {
		u -= c->classes[pop->ops[pick]].cfg->weight;
		pick++;
	}
	uint32_t op = pop->ops[pick];
	const struct operation_config *oc = c->classes[op].cfg;
	rq->pop = pop;
	rq->op = op;
	rq->t_start = sim_now(self->engine);
	rq->dns.lb = -1;
	rq->measured = rq->t_start >= c->p.measure_from;
	rq->update = oc->kind == OP_WRITE || oc->kind == OP_COMMIT;
	rq->cpu_s = rng_dist_sample_nonneg(&oc->cpu, r);
	rq->block_reads = (uint32_t)llround(fmin(rng_dist_sample_nonneg(&oc->block_reads, r), 1e6));
	rq->writes = rq->update ? (uint32_t)oc->writes : 0;
	rq->journal_bytes = rng_dist_sample_nonneg(&oc->journal_bytes, r);
	rq->sync_commit = oc->kind == OP_COMMIT && oc->commit_mode == COMMIT_SYNC;
	rq->request_bytes = rng_dist_sample_nonneg(&oc->request_bytes, r);
	rq->response_bytes = rng_dist_sample_nonneg(&oc->response_bytes, r);
	rq->rows = oc->kind == OP_SHARDED_SQL ? rng_dist_sample_nonneg(&oc->rows, r) : 0;
	c->totals.arrived++;
	if (rq->measured)
		c->classes[op].pub.arrived++;
	if (c->totals.in_flight >= CLIENTS_IN_FLIGHT_MAX) {
		/* The run holds no more: the request is shed, counted and reported. */
		c->totals.failed++;
		c->shed++;
		ledger_try_failed(c->p.ledger, rq->update, rq->t_start);
		if (rq->measured) {
			c->classes[op].pub.failed[CAUSE_SHED]++;
			c->classes[op].bucket_failed++;
		}
		pool_put(&c->requests, rq);
		if (pop->cfg->arrival == ARRIVAL_CLOSED)
			schedule_think(pop);
		return;
	}
	c->totals.in_flight++;
	stat_timeweighted_set(&c->in_system, rq->t_start, (double)c->totals.in_flight);
	send_try(c, rq);
}

static void pop_on_retry(struct sim_entity *self, const struct sim_event *ev)
{
	struct request *rq = *(struct request *const *)sim_event_payload(ev);
	(void)self;
	send_try(rq->pop->c, rq);
}

/* The gateway gave the try a connection: on to IRIS. */
static bool attempt_admitted(struct gateway_wait *w)
{
	struct attempt *a = (struct attempt *)((char *)w - offsetof(struct attempt, gateway_wait));
	struct clients *c = a->pop->c;
	if (!a->rq) { /* the client closed the connection while it waited: nothing to send */
		a->server_done = true;
		attempt_release(c, a);
		return false;
	}
	a->holds_connection = true;
	void *p = a;
	sim_schedule_in(c->e, a->pop->self, a->gateway_to_server, POP_EV_AT_SERVER, &p, sizeof(p));
	return true;
}

/* No connection within the queued-request timeout: the gateway answers 503. */
static void attempt_expired(struct gateway_wait *w)
{
	struct attempt *a = (struct attempt *)((char *)w - offsetof(struct attempt, gateway_wait));
	struct clients *c = a->pop->c;
	sim_time back = 0;
	void *p = a;
	a->error = CAUSE_SERVER_BUSY;
	if (router_delay_leg(c->p.router, a->pop->self->rng, &a->route, a->route.gateway_hop, 0,
			     256, &back)) {
		sim_schedule_in(c->e, a->pop->self, back, POP_EV_RESPONSE, &p, sizeof(p));
	} else {
		a->server_done = true;
		attempt_release(c, a);
	}
}

static void pop_on_at_gateway(struct sim_entity *self, const struct sim_event *ev)
{
	struct attempt *a = *(struct attempt *const *)sim_event_payload(ev);
	(void)self;
	a->gateway_wait.admitted = attempt_admitted;
	a->gateway_wait.expired = attempt_expired;
	if (gateway_acquire(a->gateway, &a->gateway_wait)) {
		a->holds_connection = true;
		void *p = a;
		sim_schedule_in(a->pop->c->e, a->pop->self, a->gateway_to_server, POP_EV_AT_SERVER,
				&p, sizeof(p));
	}
}

static void pop_on_at_server(struct sim_entity *self, const struct sim_event *ev)
{
	struct attempt *a = *(struct attempt *const *)sim_event_payload(ev);
	(void)self;
	if (a->shard_entry >= 0)
		shard_submit(a->pop->c->p.shards, a->shard_entry, &a->server_req);
	else if (a->app)
		ecp_app_submit(a->app, &a->server_req);
	else
		dataserver_submit(a->server, &a->server_req);
}

static void pop_on_response(struct sim_entity *self, const struct sim_event *ev)
{
	struct attempt *a = *(struct attempt *const *)sim_event_payload(ev);
	struct population *pop = *(struct population **)self->state;
	struct clients *c = pop->c;
	struct request *rq = a->rq;
	a->server_done = true; /* this event was the server side's last reference */
	if (!rq) { /* answered after the client's timeout */
		a->client_done = true;
		attempt_release(c, a);
		return;
	}
	sim_cancel(c->e, a->timer);
	a->client_done = true;
	a->rq = NULL;
	int error = a->error;
	sim_time sent = a->sent;
	attempt_release(c, a);
	if (error != SVC_OK) {
		try_failed(c, rq, error, sent);
		return;
	}
	sim_time now = sim_now(self->engine);
	double latency = sim_time_to_s(now - rq->t_start);
	struct op_class *k = &c->classes[rq->op];
	c->totals.completed++;
	c->totals.in_flight--;
	stat_timeweighted_set(&c->in_system, now, (double)c->totals.in_flight);
	ledger_try_succeeded(c->p.ledger, rq->update, sent);
	if (rq->measured) {
		k->pub.completed++;
		stat_hist_add(&k->pub.latency, latency);
		stat_welford_add(&k->pub.latency_w, latency);
		stat_hist_add(&k->bucket, latency);
		k->bucket_completed++;
	}
	bool closed = pop->cfg->arrival == ARRIVAL_CLOSED;
	pool_put(&c->requests, rq);
	if (closed)
		schedule_think(pop);
}

static void pop_on_timeout(struct sim_entity *self, const struct sim_event *ev)
{
	struct attempt *a = *(struct attempt *const *)sim_event_payload(ev);
	struct clients *c = (*(struct population **)self->state)->c;
	struct request *rq = a->rq;
	sim_time sent = a->sent;
	int error = a->error;
	a->client_done = true;
	a->rq = NULL;
	attempt_release(c, a);
	int cause = error != SVC_OK ? error : CAUSE_TIMEOUT; /* no LB node took it: no answer */
	if (rq)
		try_failed(c, rq, cause, sent);
}

static const sim_handler_fn pop_handlers[POP_EV_COUNT] = {
	[POP_EV_ARRIVAL] = pop_on_arrival,   [POP_EV_AT_SERVER] = pop_on_at_server,
	[POP_EV_RESPONSE] = pop_on_response, [POP_EV_TIMEOUT] = pop_on_timeout,
	[POP_EV_RETRY] = pop_on_retry,       [POP_EV_AT_GATEWAY] = pop_on_at_gateway,
};
static const struct sim_entity_type population_type = {
	.name = "population",
	.state_size = sizeof(struct population *),
	.handlers = pop_handlers,
	.handler_count = POP_EV_COUNT,
};

/* --- build and report -------------------------------------------------------------------------- */

struct clients *clients_new(struct sim_engine *e, const struct clients_params *p)
{
	struct clients *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	const struct workload_config *w = p->workload;
	c->e = e;
	c->p = *p;
	pool_init(&c->attempts, sizeof(struct attempt), offsetof(struct attempt, next_free));
	pool_init(&c->requests, sizeof(struct request), offsetof(struct request, next_free));
	stat_timeweighted_init(&c->in_system, 0, 0);
	c->classes = calloc(w->operation_count + 1, sizeof(*c->classes));
	c->pops = calloc(w->population_count + 1, sizeof(*c->pops));
	if (!c->classes || !c->pops)
		goto fail;
	c->class_count = w->operation_count;
	for (size_t i = 0; i < c->class_count; i++) {
		struct op_class *k = &c->classes[i];
		k->cfg = &w->operations[i];
		k->pub.name = k->cfg->name;
		stat_hist_init(&k->pub.latency);
		stat_hist_init(&k->bucket);
		stat_welford_init(&k->pub.latency_w);
		c->total_weight += w->operations[i].weight;
	}
	c->pop_count = w->population_count;
	for (size_t i = 0; i < c->pop_count; i++) {
		struct population *pop = &c->pops[i];
		char name[300];
		snprintf(name, sizeof(name), "population:%s", w->populations[i].name);
		pop->c = c;
		pop->cfg = &w->populations[i];
		pop->region = p->population_region[i];
		pop->entry = p->population_entry[i];
		pop->self = sim_entity_new(e, &population_type, name);
		if (!pop->self)
			goto fail;
		*(struct population **)pop->self->state = pop;
		pop->ops = calloc(c->class_count + 1, sizeof(*pop->ops));
		if (!pop->ops)
			goto fail;
		for (size_t k = 0; k < c->class_count; k++) {
			bool in = pop->cfg->operation_count == 0;
			for (size_t j = 0; !in && j < pop->cfg->operation_count; j++)
				in = strcmp(pop->cfg->operations[j], c->classes[k].cfg->name) == 0;
			if (in) {
				pop->ops[pop->op_count++] = (uint32_t)k;
				pop->weight += c->classes[k].cfg->weight;
			}
		}
		pop->rate = pop->cfg->arrival == ARRIVAL_POISSON ? pop->cfg->rate : 0;
		if (pop->cfg->arrival == ARRIVAL_CLOSED) {
			for (int64_t k = 0; k < pop->cfg->clients; k++)
				schedule_think(pop);
		} else {
			pop_schedule_next(pop);
		}
	}
	return c;
fail:
	clients_free(c);
	return NULL;
}

void clients_free(struct clients *c)
{
	if (!c)
		return;
	for (size_t i = 0; c->pops && i < c->pop_count; i++)
		free(c->pops[i].ops);
	free(c->pops);
	free(c->classes);
	pool_release(&c->attempts);
	pool_release(&c->requests);
	free(c);
}

void clients_start_measuring(struct clients *c)
{
	stat_timeweighted_init(&c->in_system, sim_now(c->e), (double)c->totals.in_flight);
}

void clients_close_bucket(struct clients *c, sim_time start, sim_time end,
			  const struct obs *obs)
{
	double width_s = sim_time_to_s(end - start);
	for (size_t i = 0; i < c->class_count; i++) {
		struct op_class *k = &c->classes[i];
		const char *name = k->pub.name;
		obs_point(obs, start, end - start, METRIC_SERIES_THROUGHPUT, name,
			  (double)k->bucket_completed / width_s);
		obs_point(obs, start, end - start, METRIC_SERIES_ERRORS_PER_S, name,
			  (double)k->bucket_failed / width_s);
		if (k->bucket_completed > 0) {
			obs_point(obs, start, end - start, METRIC_SERIES_LATENCY_P50_S, name,
				  stat_hist_quantile(&k->bucket, 0.5));
			obs_point(obs, start, end - start, METRIC_SERIES_LATENCY_P99_S, name,
				  stat_hist_quantile(&k->bucket, 0.99));
			obs_point(obs, start, end - start, METRIC_SERIES_LATENCY_MEAN_S, name,
				  stat_hist_mean(&k->bucket));
		}
		stat_hist_init(&k->bucket);
		k->bucket_completed = 0;
		k->bucket_failed = 0;
	}
}

size_t clients_class_count(const struct clients *c) { return c->class_count; }
const struct clients_class *clients_class(const struct clients *c, size_t i)
{
	return &c->classes[i].pub;
}
void clients_totals(const struct clients *c, struct clients_totals *out) { *out = c->totals; }
uint64_t clients_shed(const struct clients *c) { return c->shed; }
double clients_in_system_mean(const struct clients *c)
{
	return stat_timeweighted_mean(&c->in_system, sim_now(c->e));
}
