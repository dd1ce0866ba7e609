/* shard.c: a sharded cluster's fan-out, merge and failures (see shard.h).
 *
 * Objects: a query (one per request at an entry node) owns its parts (one per shard it
 * needs) through a join. Lifetimes:
 *   - a part lives until it has reported to its query (finished), no event or server holds
 *     it (refs == 0) and it is not waiting for a primary;
 *   - a query lives until its request is answered (done), its merge is over, and every part
 *     has gone.
 * A failed part answers the request at once (the others run on, ignored); the join then only
 * tells when the last part is over.
 */
#include "shard.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "pool.h"

struct shard_query {
	struct shard_cluster *c;
	struct data_req *req;       /* the user's request */
	int entry;                  /* entry host */
	struct svc_req joined;      /* completed by the join when every part is over */
	struct svc_join join;
	struct data_req merge;      /* the merge at the entry node */
	bool merging;
	bool done;                  /* the user's request is answered */
	uint32_t parts_alive;
	void *next_free;
};

struct shard_part {
	struct data_req req;        /* the part's work */
	struct shard_query *q;
	struct shard_part *wait_next;
	struct ecp_app *app;        /* on a compute node, or NULL */
	int shard;
	int host;                   /* where it runs */
	int cause;                  /* the server's answer, carried back */
	uint32_t refs;              /* events and servers holding it */
	bool waiting, finished;
	struct sim_handle timer;
	void *next_free;
};

struct shard_cluster {
	struct sim_engine *e;
	struct shard_params p;
	struct sim_entity *self;
	struct pool queries, parts;
	struct shard_part **waiting;  /* per shard: parts waiting for a primary */
	size_t *compute_next;         /* per shard: next compute node in turn */
	bool *entry;                  /* per host */
	struct shard_stats stats;
};

enum { SHARD_EV_AT_EXEC, SHARD_EV_DONE, SHARD_EV_TIMEOUT, SHARD_EV_COUNT };

static const double SHARD_REQUEST_BYTES = 256; /* a part's request on the wire (as ECP's) */

/* --- lifetimes -------------------------------------------------------------------------------- */

static void query_release(struct shard_query *q)
{
	if (q->done && !q->merging && q->parts_alive == 0)
		pool_put(&q->c->queries, q);
}

static void part_release(struct shard_part *p)
{
	if (!p->finished || p->refs > 0 || p->waiting)
		return;
	struct shard_query *q = p->q;
	pool_put(&q->c->parts, p);
	q->parts_alive--;
	query_release(q);
}

static void answer(struct shard_query *q, int cause)
{
	if (q->done)
		return;
	q->done = true;
	svc_complete(&q->req->base, cause);
}

/* The part is over with `cause` (SVC_OK or CAUSE_SHARD_ERROR). */
static void part_finish(struct shard_part *p, int cause)
{
	struct shard_query *q = p->q;
	if (p->finished)
		return;
	p->finished = true;
	if (!sim_handle_is_none(p->timer)) {
		sim_cancel(q->c->e, p->timer);
		p->timer = SIM_HANDLE_NONE;
	}
	if (cause != SVC_OK) {
		q->c->stats.parts_failed++;
		answer(q, CAUSE_SHARD_ERROR); /* the first failure answers at once */
	}
	svc_join_child_done(&q->join, cause);
	part_release(p);
}

/* --- where a part runs -------------------------------------------------------------------------- */

static bool talk(const struct shard_cluster *c, int a, int b)
{
	return a == b || fabric_hosts_talk(c->p.fabric, a, b);
}

/* Shard k's primary as a mirror connection finds it, or its host; -1 when none runs. */
static int primary_of(const struct shard_cluster *c, size_t k)
{
	struct mirror *m = c->p.node_mirror[k];
	if (m) {
		int h = mirror_primary_host(m);
		return h >= 0 && mirror_member_status(m, h) == MIRROR_STATUS_OK ? h : -1;
	}
	int h = c->p.node_host[k];
	return fabric_iris_running(c->p.fabric, h) ? h : -1;
}

static void wait_for_primary(struct shard_part *p)
{
	struct shard_cluster *c = p->q->c;
	if (!p->waiting) {
		p->waiting = true;
		p->wait_next = c->waiting[p->shard];
		c->waiting[p->shard] = p;
		c->stats.parts_waited++;
	}
	if (sim_handle_is_none(p->timer)) {
		void *ptr = p;
		p->timer = sim_schedule_in(c->e, c->self, c->p.cfg->connection_timeout,
					   SHARD_EV_TIMEOUT, &ptr, sizeof(ptr));
	}
}

static void dispatch(struct shard_part *p)
{
	struct shard_query *q = p->q;
	struct shard_cluster *c = q->c;
	size_t k = (size_t)p->shard;
	struct ecp_group *g = c->p.compute[k];
	p->app = NULL;
	int host = -1;
	if (g && !p->req.shard.write) {
		/* Compute nodes in turn, skipping those Auto Scaling has not launched or has
		 * terminated; with none, the data node runs the part itself. */
		size_t n = ecp_group_app_count(g);
		for (size_t tries = 0; tries < n && !p->app; tries++) {
			struct ecp_app *a = ecp_group_app(g, c->compute_next[k]++ % n);
			if (!ecp_app_retired(a))
				p->app = a;
		}
	}
	host = p->app ? ecp_app_host(p->app) : primary_of(c, k);
	if (host < 0 || !talk(c, q->entry, host)) {
		wait_for_primary(p);
		return;
	}
	if (!sim_handle_is_none(p->timer)) {
		sim_cancel(c->e, p->timer);
		p->timer = SIM_HANDLE_NONE;
	}
	p->host = host;
	gsl_rng *r = c->self->rng;
	sim_time delay = q->entry == host ? 0
					  : c->p.delay(c->p.delay_arg, q->entry, host,
						       SHARD_REQUEST_BYTES, r);
	/* Joins that are not cosharded: data from every other shard, the slowest counts. */
	for (uint32_t j = 0; j < p->req.shard.joins; j++) {
		sim_time slowest = 0;
		for (size_t o = 0; o < c->p.node_count; o++) {
			int other = o == k ? -1 : primary_of(c, o);
			if (other < 0 || other == host)
				continue;
			sim_time d = c->p.delay(c->p.delay_arg, other, host, c->p.cfg->join_bytes, r);
			if (d > slowest)
				slowest = d;
		}
		delay = sim_time_after(delay, slowest);
	}
	p->refs++;
	void *ptr = p;
	sim_schedule_in(c->e, c->self, delay, SHARD_EV_AT_EXEC, &ptr, sizeof(ptr));
}

/* Parts waiting for shard k's primary try again (called on every change). */
static void retry_waiting(struct shard_cluster *c)
{
	for (size_t k = 0; k < c->p.node_count; k++) {
		struct shard_part *list = c->waiting[k];
		c->waiting[k] = NULL;
		while (list) {
			struct shard_part *p = list;
			list = p->wait_next;
			p->wait_next = NULL;
			if (!p->waiting)
				continue;
			p->waiting = false;
			if (p->finished) {
				part_release(p);
				continue;
			}
			dispatch(p);
		}
	}
}

/* --- events ------------------------------------------------------------------------------------- */

static void part_served(struct svc_req *req, int cause);

static void shard_on_at_exec(struct sim_entity *self, const struct sim_event *ev)
{
	struct shard_part *p = *(struct shard_part *const *)sim_event_payload(ev);
	(void)self;
	if (p->finished) { /* its query failed meanwhile: do not run it */
		p->refs--;
		part_release(p);
		return;
	}
	svc_req_init(&p->req.base, SVC_DATA_REQUEST, NULL, part_served, p);
	struct shard_cluster *c = p->q->c;
	c->stats.parts++;
	if (p->app)
		ecp_app_submit(p->app, &p->req); /* refs carried over: the server holds it now */
	else
		dataserver_submit(c->p.server_of_host[p->host], &p->req);
}

static void part_served(struct svc_req *req, int cause)
{
	struct shard_part *p = (struct shard_part *)((char *)req - offsetof(struct shard_part, req));
	struct shard_query *q = p->q;
	struct shard_cluster *c = q->c;
	p->refs--;
	if (p->finished) {
		part_release(p);
		return;
	}
	if (cause == SVC_OK) {
		if (!talk(c, p->host, q->entry)) {
			part_finish(p, CAUSE_SHARD_ERROR); /* the answer cannot come back */
			return;
		}
		double share = q->req->shard.fan_out ? 1.0 / (double)c->p.node_count : 1.0;
		sim_time back = p->host == q->entry
					? 0
					: c->p.delay(c->p.delay_arg, p->host, q->entry,
						     q->req->shard.response_bytes * share, c->self->rng);
		p->refs++;
		p->cause = SVC_OK;
		void *ptr = p;
		sim_schedule_in(c->e, c->self, back, SHARD_EV_DONE, &ptr, sizeof(ptr));
		return;
	}
	/* Lost in a failover (instance stopped or demoted under it): the async mode fails the
	 * query, the sync mode waits for the new primary. A compute node's <NETWORK> or death
	 * fails it. */
	if (!p->app && c->p.cfg->query_mode == SHARD_QUERY_SYNC &&
	    (cause == CAUSE_NOT_PRIMARY || cause == CAUSE_NO_ANSWER)) {
		dispatch(p);
		return;
	}
	part_finish(p, CAUSE_SHARD_ERROR);
}

static void shard_on_done(struct sim_entity *self, const struct sim_event *ev)
{
	struct shard_part *p = *(struct shard_part *const *)sim_event_payload(ev);
	(void)self;
	p->refs--;
	part_finish(p, p->cause);
}

static void shard_on_timeout(struct sim_entity *self, const struct sim_event *ev)
{
	struct shard_part *p = *(struct shard_part *const *)sim_event_payload(ev);
	(void)self;
	p->timer = SIM_HANDLE_NONE;
	if (!p->waiting || p->finished)
		return;
	/* Out of reach for the connection timeout: it leaves the waiting list lazily. */
	part_finish(p, CAUSE_SHARD_ERROR);
}

static void merge_done(struct svc_req *req, int cause)
{
	struct shard_query *q = (struct shard_query *)((char *)req -
						       offsetof(struct shard_query, merge.base));
	q->merging = false;
	answer(q, cause);
	query_release(q);
}

/* Every part is over: merge the rows at the entry node, then answer. */
static void query_joined(struct svc_req *req, int cause)
{
	struct shard_query *q = (struct shard_query *)((char *)req -
						       offsetof(struct shard_query, joined));
	struct shard_cluster *c = q->c;
	if (q->done || cause != SVC_OK) {
		answer(q, cause == SVC_OK ? SVC_OK : CAUSE_SHARD_ERROR);
		return; /* released by the last part */
	}
	double rows = q->req->shard.rows;
	if (!q->req->shard.fan_out || rows <= 0) {
		answer(q, SVC_OK);
		return;
	}
	q->merge = (struct data_req){0};
	q->merge.iris.cpu_s = rows * sim_time_to_s(c->p.cfg->merge_cpu_per_row);
	svc_req_init(&q->merge.base, SVC_DATA_REQUEST, NULL, merge_done, q);
	q->merging = true;
	struct ecp_app *app = c->p.app_of_host ? c->p.app_of_host[q->entry] : NULL;
	if (app)
		ecp_app_submit(app, &q->merge);
	else
		dataserver_submit(c->p.server_of_host[q->entry], &q->merge);
}

/* --- requests ----------------------------------------------------------------------------------- */

static size_t key_shard(struct shard_cluster *c)
{
	size_t k = c->p.node_count;
	double u = gsl_rng_uniform(c->self->rng);
	double first = 1.0 / (double)k + c->p.cfg->key_skew * (1.0 - 1.0 / (double)k);
	if (u < first || k == 1)
		return 0;
	size_t s = 1 + (size_t)((u - first) / (1.0 - first) * (double)(k - 1));
	return s < k ? s : k - 1;
}

static bool add_part(struct shard_query *q, size_t k, const struct iris_request *work)
{
	struct shard_cluster *c = q->c;
	struct shard_part *p = pool_get(&c->parts);
	if (!p)
		return false;
	p->q = q;
	p->shard = (int)k;
	p->req.iris = *work;
	p->req.shard.write = q->req->shard.write;
	p->req.shard.joins = q->req->shard.joins;
	q->parts_alive++;
	dispatch(p);
	return true;
}

void shard_submit(struct shard_cluster *c, int entry, struct data_req *r)
{
	/* The entry node first answers the connection as a data server or compute node would. */
	struct ecp_app *app = c->p.app_of_host ? c->p.app_of_host[entry] : NULL;
	struct dataserver *ds = c->p.server_of_host[entry];
	if (!iris_node_running(app ? ecp_app_node(app) : dataserver_node(ds))) {
		svc_complete(&r->base, CAUSE_NO_ANSWER);
		return;
	}
	for (size_t k = 0; !app && k < c->p.node_count; k++)
		if (c->p.node_mirror[k] && mirror_has_host(c->p.node_mirror[k], entry) &&
		    mirror_member_status(c->p.node_mirror[k], entry) != MIRROR_STATUS_OK) {
			svc_complete(&r->base, CAUSE_NOT_PRIMARY);
			return;
		}
	struct shard_query *q = pool_get(&c->queries);
	if (!q) {
		sim_stop(c->e);
		return;
	}
	q->c = c;
	q->req = r;
	q->entry = entry;
	svc_req_init(&q->joined, SVC_DATA_REQUEST, NULL, query_joined, q);
	size_t k = c->p.node_count;
	size_t n = r->shard.fan_out ? k : 1;
	svc_join_init(&q->join, &q->joined, n);
	if (r->shard.fan_out) {
		gsl_rng *rng = c->self->rng;
		for (size_t s = 0; s < k; s++) {
			struct iris_request w = {0};
			w.cpu_s = rng_dist_sample_nonneg(r->shard.cpu, rng) / (double)k;
			w.block_reads = (uint32_t)llround(
				fmin(rng_dist_sample_nonneg(r->shard.block_reads, rng), 1e6) / (double)k);
			if (!add_part(q, s, &w)) {
				sim_stop(c->e);
				return;
			}
		}
		return;
	}
	struct iris_request w = {.cpu_s = r->iris.cpu_s,
				 .block_reads = r->iris.block_reads,
				 .writes = r->iris.writes,
				 .journal_bytes = r->iris.journal_bytes,
				 .sync_commit = r->iris.sync_commit};
	if (!add_part(q, r->shard.master ? 0 : key_shard(c), &w))
		sim_stop(c->e);
}

/* --- the fabric and the mirrors: parts waiting for a primary try again ------------------------- */

static void on_fabric(void *arg) { retry_waiting(arg); }
static void on_primary(void *arg, const struct mirror *m, int host)
{
	(void)m;
	(void)host;
	retry_waiting(arg);
}

static const sim_handler_fn shard_handlers[SHARD_EV_COUNT] = {
	[SHARD_EV_AT_EXEC] = shard_on_at_exec,
	[SHARD_EV_DONE] = shard_on_done,
	[SHARD_EV_TIMEOUT] = shard_on_timeout,
};
static const struct sim_entity_type shard_type = {
	.name = "shards",
	.state_size = sizeof(struct shard_cluster *),
	.handlers = shard_handlers,
	.handler_count = SHARD_EV_COUNT,
};

struct shard_cluster *shard_cluster_new(struct sim_engine *e, const struct shard_params *p)
{
	struct shard_cluster *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->e = e;
	c->p = *p;
	pool_init(&c->queries, sizeof(struct shard_query), offsetof(struct shard_query, next_free));
	pool_init(&c->parts, sizeof(struct shard_part), offsetof(struct shard_part, next_free));
	c->waiting = calloc(p->node_count + 1, sizeof(*c->waiting));
	c->compute_next = calloc(p->node_count + 1, sizeof(*c->compute_next));
	c->entry = calloc(p->host_count + 1, sizeof(*c->entry));
	if (!c->waiting || !c->compute_next || !c->entry)
		goto fail;
	if (!(c->self = sim_entity_new(e, &shard_type, "shards")))
		goto fail;
	*(struct shard_cluster **)c->self->state = c;
	for (size_t k = 0; k < p->node_count; k++) {
		struct mirror *m = p->node_mirror[k];
		for (size_t h = 0; h < p->host_count; h++)
			if (m ? mirror_has_host(m, (int)h) : (int)h == p->node_host[k])
				c->entry[h] = p->server_of_host[h] != NULL;
		if (p->compute[k])
			for (size_t i = 0; i < ecp_group_app_count(p->compute[k]); i++)
				c->entry[ecp_app_host(ecp_group_app(p->compute[k], i))] = true;
		struct mirror_listener l = {.arg = c, .primary = on_primary};
		if (m && mirror_listen(m, &l) < 0)
			goto fail;
	}
	if (fabric_subscribe(p->fabric, on_fabric, c) < 0)
		goto fail;
	return c;
fail:
	shard_cluster_free(c);
	return NULL;
}

void shard_cluster_free(struct shard_cluster *c)
{
	if (!c)
		return;
	pool_release(&c->queries);
	pool_release(&c->parts);
	free(c->waiting);
	free(c->compute_next);
	free(c->entry);
	free(c);
}

bool shard_is_entry(const struct shard_cluster *c, int host)
{
	return c && host >= 0 && (size_t)host < c->p.host_count && c->entry[host];
}

void shard_cluster_stats(const struct shard_cluster *c, struct shard_stats *out)
{
	*out = c->stats;
}
void shard_cluster_stats_reset(struct shard_cluster *c) { c->stats = (struct shard_stats){0}; }
