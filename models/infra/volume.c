/* volume.c: EBS volumes as FIFO queues paced by generic-cell-rate limiters.
 *
 * Structure. Each member volume is an engine entity whose state (struct volume_member) holds
 * its limiters (IOPS, throughput and, for gp2, the credit bucket), its backlog ring and its
 * fault state. A struct volume_logical (heap, owned by the group) is what IRIS sees: one
 * member or a stripe set, with the latency distribution, the pool of split IOs and the
 * statistics. A struct volume_group (one per host) holds the host's limiters and the queue of
 * members waiting for them.
 *
 * Invariants:
 *   - A member with an empty backlog has no admission event pending and is not in the host
 *     queue. A member with a backlog has exactly one of the two: an admission event at the
 *     time its own limiters allow its head IO, or a place in the host queue (its head IO is
 *     ready by its own limiters and waits for the host's).
 *   - The group has a host event pending exactly when its host queue is non-empty and the
 *     host's limiters do not yet allow the next IO. Host limiters advance only through
 *     admissions, which happen in host_try (host queue) or directly at submission, and the
 *     direct path is taken only when the host queue is empty: no IO overtakes a waiting one.
 *   - Limiter times are doubles in ns (exact to ~0.01 ns over a day of simulated time);
 *     events are scheduled at the ceiling of a ready time, when the same comparison holds.
 *   - Random draws: latency from the member entity's stream, stripe choices from the logical
 *     volume's own stream; nothing else draws.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "volume.h"

#define VOLUME_TOLERANCE_NS 1e7  /* burst tolerance of IOPS and B/s limiters: 10 ms */
#define VOLUME_SLACK_NS 0.5      /* rounding guard: k IOs of exactly tau fit, not k - 1 */
#define VOLUME_NO_PARENT UINT32_MAX
#define VOLUME_RING_MIN 16       /* initial backlog ring slots */
#define VOLUME_MULTI_MIN 16      /* initial split-IO pool slots */

enum volume_event {
	VOLUME_EV_ADMIT,      /* a member's own limiters allow its head IO now */
	VOLUME_EV_HOST_ADMIT, /* the host's limiters allow the next IO (sent to any member) */
	VOLUME_EV_COUNT
};

/* A generic cell rate limiter (GCRA, virtual scheduling): an IO is allowed at t when
 * t >= tat - tau; admitting k units sets tat = max(tat, t) + k / rate. */
struct volume_cell {
	double rate;  /* units per second; 0 = unlimited */
	double tau;   /* ns: tolerance */
	double tat;   /* ns: theoretical arrival time */
};

/* An IO waiting for admission. */
struct volume_io {
	sim_time submitted;           /* ns */
	uint64_t tag;                 /* requester's tag */
	struct sim_entity *requester; /* receives the completion */
	double bytes;                 /* this member's share */
	uint32_t done_kind;           /* completion event kind */
	uint32_t units;               /* IOPS units: ceil(bytes / io_unit), >= 1 */
	uint32_t parent;              /* index in the logical volume's split pool, or NO_PARENT */
	uint32_t pad;                 /* zero */
};

/* A split stripe IO whose parts are not all admitted yet. */
struct volume_multi {
	sim_time submitted;           /* ns */
	sim_time max_done;            /* ns: latest completion among admitted parts */
	uint64_t tag;
	struct sim_entity *requester;
	double bytes;                 /* whole IO */
	uint32_t done_kind;
	uint32_t parts_left;          /* parts not yet admitted (or failed) */
	uint32_t next_free;           /* free list link while pooled */
	int error;                    /* 0 or -EIO */
};

struct volume_member {
	struct volume_logical *lv;
	struct volume_group *g;
	struct sim_entity *entity;
	struct volume_cell iops;      /* IO units: burst ceiling for gp2, else the limit */
	struct volume_cell bw;        /* bytes */
	struct volume_cell credit;    /* gp2 bucket: rate = baseline, tau = capacity / rate */
	double iops_rate;             /* units/s before the degraded factor (0 = unlimited) */
	double bw_rate;               /* B/s before the degraded factor */
	double credit_rate;           /* gp2 baseline before the factor; 0 = no burst bucket */
	double credit_capacity;       /* gp2 credits */
	double latency_factor;        /* >= 1 */
	double limit_factor;          /* (0, 1] */
	double units;                 /* IO units admitted since the last stats reset */
	bool failed;
	bool in_hq;                   /* in the group's host queue */
	struct volume_member *hq_prev, *hq_next;
	struct sim_handle admit_event; /* VOLUME_EV_ADMIT pending */
	struct volume_io *ring;       /* backlog, FIFO; owned */
	uint32_t ring_cap;            /* power of two */
	uint32_t ring_head;
	uint32_t ring_count;
};

struct volume_logical {
	struct volume_group *g;
	char *name;                   /* "HOST/NAME" */
	const char *short_name;       /* NAME, inside `name` */
	int n;                        /* members */
	struct volume_member **members;
	double pe_size;               /* bytes: stripe unit */
	double io_unit;               /* bytes per IOPS unit */
	double sustained_iops;        /* per member, before the degraded factor */
	struct rng_dist latency;      /* s, owned copy */
	gsl_rng *rng;                 /* stripe sets: member choices; NULL for one member */
	struct volume_multi *multi;   /* split-IO pool */
	uint32_t multi_cap;
	uint32_t multi_free;          /* head of free list, NO_PARENT when empty */
	uint32_t backlogged;          /* members with a backlog */
	/* statistics since the last reset */
	sim_time stats_t0;
	uint64_t ios;
	uint64_t errors;
	double bytes;
	double units;                 /* IO units admitted */
	struct stat_welford latency_s;
	struct stat_welford wait_s;
	struct stat_timeweighted backlog; /* 1 while any member has a backlog */
	struct stat_timeweighted limit;   /* current sustained IOPS limit, sum over members */
	/* the time-series bucket (volume_bucket): marks of the window's figures at its start */
	double bucket_units;          /* units at the start of the bucket */
	double bucket_limit_s;        /* integral of `limit` at the start of the bucket */
};

struct volume_group {
	struct sim_engine *e;
	char *host;
	struct volume_cell iops;
	struct volume_cell bw;
	struct volume_member *hq_head, *hq_tail; /* members waiting for the host's limiters */
	struct sim_handle host_event;
	struct volume_logical **lv;
	size_t lv_count, lv_cap;
};

/* ---- limiters ---------------------------------------------------------------------------- */

static void cell_init(struct volume_cell *c, double rate, double tau, sim_time now)
{
	c->rate = (rate > 0 && isfinite(rate)) ? rate : 0;
	c->tau = tau;
	c->tat = (double)now;
}

static double cell_ready(const struct volume_cell *c)
{
	return c->rate > 0 ? c->tat - c->tau - VOLUME_SLACK_NS : -INFINITY;
}

static void cell_take(struct volume_cell *c, sim_time now, double amount)
{
	if (c->rate > 0)
		c->tat = fmax(c->tat, (double)now) + amount * 1e9 / c->rate;
}

/* Change the rate keeping the debt (units admitted ahead of the rate) and, when tau_units > 0,
 * setting the tolerance to tau_units at the new rate (a bucket keeps its capacity). */
static void cell_set_rate(struct volume_cell *c, sim_time now, double rate, double tau_units)
{
	if (c->rate <= 0 || !(rate > 0) || !isfinite(rate))
		return; /* unlimited stays unlimited */
	double debt = fmax(0, c->tat - (double)now) * c->rate / 1e9;
	c->rate = rate;
	c->tat = (double)now + debt * 1e9 / rate;
	if (tau_units > 0)
		c->tau = tau_units * 1e9 / rate;
}

static double member_ready(const struct volume_member *m)
{
	double r = fmax(cell_ready(&m->iops), cell_ready(&m->bw));
	if (m->credit_rate > 0)
		r = fmax(r, cell_ready(&m->credit));
	return r;
}

static double host_ready(const struct volume_group *g)
{
	return fmax(cell_ready(&g->iops), cell_ready(&g->bw));
}

static sim_time ceil_time(double ns, sim_time now)
{
	double c = ceil(ns);
	if (c <= (double)now)
		return now;
	if (c >= 9.2e18)
		return SIM_TIME_MAX;
	return (sim_time)c;
}

/* ---- statistics and completions ------------------------------------------------------------ */

static double lv_limit(const struct volume_logical *v)
{
	double sum = 0;
	for (int k = 0; k < v->n; k++)
		sum += v->sustained_iops * v->members[k]->limit_factor;
	return sum;
}

static void lv_stats_start(struct volume_logical *v, sim_time now)
{
	v->stats_t0 = now;
	v->ios = 0;
	v->errors = 0;
	v->bytes = 0;
	v->units = 0;
	for (int k = 0; k < v->n; k++)
		v->members[k]->units = 0;
	stat_welford_init(&v->latency_s);
	stat_welford_init(&v->wait_s);
	stat_timeweighted_init(&v->backlog, now, v->backlogged > 0 ? 1.0 : 0.0);
	stat_timeweighted_init(&v->limit, now, lv_limit(v));
	v->bucket_units = 0;
	v->bucket_limit_s = 0;
}

static void send_completion(struct sim_engine *e, struct sim_entity *requester, uint32_t kind,
			    sim_time when, uint64_t tag, sim_time submitted, int error)
{
	struct volume_completion c;
	memset(&c, 0, sizeof(c));
	c.tag = tag;
	c.submitted = submitted;
	c.error = error;
	sim_schedule_at(e, requester, when, kind, &c, sizeof(c));
}

static void lv_record(struct volume_logical *v, double bytes, sim_time submitted,
		      sim_time admitted, sim_time done)
{
	v->ios++;
	v->bytes += bytes;
	stat_welford_add(&v->latency_s, sim_time_to_s(done - submitted));
	stat_welford_add(&v->wait_s, sim_time_to_s(admitted - submitted));
}

static void multi_free(struct volume_logical *v, uint32_t idx)
{
	v->multi[idx].next_free = v->multi_free;
	v->multi_free = idx;
}

/* One part of split IO idx is done with (admitted to complete at `done`, or failed). */
static void multi_part_done(struct volume_logical *v, uint32_t idx, sim_time now, sim_time done,
			    int error)
{
	struct volume_multi *mu = &v->multi[idx];
	if (done > mu->max_done)
		mu->max_done = done;
	if (error)
		mu->error = error;
	if (--mu->parts_left > 0)
		return;
	send_completion(v->g->e, mu->requester, mu->done_kind, mu->max_done, mu->tag,
			mu->submitted, mu->error);
	if (mu->error)
		v->errors++;
	else
		lv_record(v, mu->bytes, mu->submitted, now, mu->max_done);
	multi_free(v, idx);
}

static void io_fail(struct volume_member *m, const struct volume_io *io, sim_time now)
{
	struct volume_logical *v = m->lv;
	if (io->parent != VOLUME_NO_PARENT) {
		multi_part_done(v, io->parent, now, now, -EIO);
		return;
	}
	send_completion(v->g->e, io->requester, io->done_kind, now, io->tag, io->submitted, -EIO);
	v->errors++;
}

/* Admit io on m at now: charge every limiter, draw the latency, schedule the completion. */
static void admit(struct volume_member *m, const struct volume_io *io, sim_time now)
{
	struct volume_logical *v = m->lv;
	struct volume_group *g = m->g;
	cell_take(&m->iops, now, io->units);
	cell_take(&m->bw, now, io->bytes);
	if (m->credit_rate > 0)
		cell_take(&m->credit, now, io->units);
	cell_take(&g->iops, now, io->units);
	cell_take(&g->bw, now, io->bytes);
	v->units += io->units;
	m->units += io->units;
	double lat = rng_dist_sample_nonneg(&v->latency, m->entity->rng) * m->latency_factor;
	sim_time done = now + sim_time_from_s(lat);
	if (io->parent != VOLUME_NO_PARENT) {
		multi_part_done(v, io->parent, now, done, 0);
		return;
	}
	send_completion(g->e, io->requester, io->done_kind, done, io->tag, io->submitted, 0);
	lv_record(v, io->bytes, io->submitted, now, done);
}

/* ---- backlog ring -------------------------------------------------------------------------- */

static int ring_reserve(struct volume_member *m, uint32_t extra)
{
	if (m->ring_count + extra <= m->ring_cap)
		return 0;
	uint32_t cap = m->ring_cap ? m->ring_cap : VOLUME_RING_MIN;
	while (cap < m->ring_count + extra) {
		if (cap > UINT32_MAX / 2)
			return -SIM_E_NOMEM;
		cap *= 2;
	}
	struct volume_io *r = malloc((size_t)cap * sizeof(*r));
	if (!r)
		return -SIM_E_NOMEM;
	for (uint32_t i = 0; i < m->ring_count; i++)
		r[i] = m->ring[(m->ring_head + i) & (m->ring_cap - 1)];
	free(m->ring);
	m->ring = r;
	m->ring_cap = cap;
	m->ring_head = 0;
	return 0;
}

static void backlog_change(struct volume_logical *v, int delta)
{
	uint32_t before = v->backlogged;
	v->backlogged += delta;
	if ((before == 0) != (v->backlogged == 0))
		stat_timeweighted_set(&v->backlog, sim_now(v->g->e), v->backlogged ? 1.0 : 0.0);
}

/* Append io; the ring has room (ring_reserve). */
static void ring_push(struct volume_member *m, const struct volume_io *io)
{
	m->ring[(m->ring_head + m->ring_count) & (m->ring_cap - 1)] = *io;
	if (m->ring_count++ == 0)
		backlog_change(m->lv, +1);
}

static struct volume_io ring_pop(struct volume_member *m)
{
	struct volume_io io = m->ring[m->ring_head];
	m->ring_head = (m->ring_head + 1) & (m->ring_cap - 1);
	if (--m->ring_count == 0)
		backlog_change(m->lv, -1);
	return io;
}

/* ---- host queue ------------------------------------------------------------------------------ */

static void hq_push(struct volume_group *g, struct volume_member *m)
{
	m->in_hq = true;
	m->hq_next = NULL;
	m->hq_prev = g->hq_tail;
	if (g->hq_tail)
		g->hq_tail->hq_next = m;
	else
		g->hq_head = m;
	g->hq_tail = m;
}

static void hq_remove(struct volume_group *g, struct volume_member *m)
{
	if (!m->in_hq)
		return;
	if (m->hq_prev)
		m->hq_prev->hq_next = m->hq_next;
	else
		g->hq_head = m->hq_next;
	if (m->hq_next)
		m->hq_next->hq_prev = m->hq_prev;
	else
		g->hq_tail = m->hq_prev;
	m->hq_prev = m->hq_next = NULL;
	m->in_hq = false;
}

static void member_wait(struct volume_member *m, double ready, sim_time now)
{
	m->admit_event = sim_schedule_at(m->g->e, m->entity, ceil_time(ready, now),
					 VOLUME_EV_ADMIT, NULL, 0);
}

/* Admit IOs from the host queue while the host's limiters allow, round robin over members;
 * then schedule the host event for the next one. Called only with no host event pending. */
static void host_try(struct volume_group *g)
{
	sim_time now = sim_now(g->e);
	while (g->hq_head) {
		double hr = host_ready(g);
		if (hr > (double)now) {
			g->host_event = sim_schedule_at(g->e, g->hq_head->entity, ceil_time(hr, now),
							VOLUME_EV_HOST_ADMIT, NULL, 0);
			return;
		}
		struct volume_member *m = g->hq_head;
		hq_remove(g, m);
		double mr = member_ready(m);
		if (mr > (double)now) { /* its limits were lowered while it queued */
			member_wait(m, mr, now);
			continue;
		}
		struct volume_io io = ring_pop(m);
		admit(m, &io, now);
		if (m->ring_count == 0)
			continue;
		mr = member_ready(m);
		if (mr > (double)now)
			member_wait(m, mr, now);
		else
			hq_push(g, m);
	}
}

/* m's head IO changed (new backlog or limits): wait for its own limiters or for the host. */
static void member_kick(struct volume_member *m)
{
	struct volume_group *g = m->g;
	sim_time now = sim_now(g->e);
	double mr = member_ready(m);
	if (mr > (double)now) {
		member_wait(m, mr, now);
		return;
	}
	hq_push(g, m);
	if (!sim_is_pending(g->e, g->host_event))
		host_try(g);
}

/* ---- handlers ---------------------------------------------------------------------------------- */

static void volume_on_admit(struct sim_entity *self, const struct sim_event *ev)
{
	(void)ev;
	struct volume_member *m = self->state;
	m->admit_event = SIM_HANDLE_NONE;
	if (m->ring_count > 0 && !m->in_hq)
		member_kick(m);
}

static void volume_on_host_admit(struct sim_entity *self, const struct sim_event *ev)
{
	(void)ev;
	struct volume_member *m = self->state;
	m->g->host_event = SIM_HANDLE_NONE;
	host_try(m->g);
}

static void volume_member_release(struct sim_entity *self)
{
	struct volume_member *m = self->state;
	free(m->ring);
	m->ring = NULL;
}

static const sim_handler_fn volume_handlers[VOLUME_EV_COUNT] = {
	[VOLUME_EV_ADMIT] = volume_on_admit,
	[VOLUME_EV_HOST_ADMIT] = volume_on_host_admit,
};

static const struct sim_entity_type volume_member_type = {
	.name = "volume",
	.state_size = sizeof(struct volume_member),
	.handlers = volume_handlers,
	.handler_count = VOLUME_EV_COUNT,
	.release = volume_member_release,
};

/* ---- group and volumes ---------------------------------------------------------------------- */

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

struct volume_group *volume_group_new(struct sim_engine *e, const char *host_name,
				      const struct host_ebs_params *host)
{
	if (!e || !host_name || !host || !(host->iops >= 0) || !(host->bandwidth >= 0))
		return NULL;
	struct volume_group *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->host = dup_str(host_name);
	if (!g->host) {
		free(g);
		return NULL;
	}
	g->e = e;
	sim_time now = sim_now(e);
	cell_init(&g->iops, host->iops, VOLUME_TOLERANCE_NS, now);
	cell_init(&g->bw, host->bandwidth, VOLUME_TOLERANCE_NS, now);
	g->host_event = SIM_HANDLE_NONE;
	return g;
}

static void lv_free(struct volume_logical *v)
{
	if (!v)
		return;
	rng_dist_release(&v->latency);
	if (v->rng)
		gsl_rng_free(v->rng);
	free(v->multi);
	free(v->members);
	free(v->name);
	free(v);
}

void volume_group_free(struct volume_group *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->lv_count; i++)
		lv_free(g->lv[i]);
	free(g->lv);
	free(g->host);
	free(g);
}

static bool params_valid(const struct volume_params *p, int members, double pe_size)
{
	if (!(p->iops > 0) || !(p->throughput > 0) || !(p->io_unit > 0) || !isfinite(p->io_unit))
		return false;
	if (!(p->size >= 0) || members < 1 || (members > 1 && !(pe_size > 0 && isfinite(pe_size))))
		return false;
	if (p->gp2_burst && (!(p->burst_iops > 0) || !(p->burst_credits >= 0) ||
			     !isfinite(p->burst_iops) || !isfinite(p->burst_credits)))
		return false;
	return true;
}

static int dist_copy(struct rng_dist *dst, const struct rng_dist *src)
{
	if (src->kind == RNG_DIST_EMPIRICAL) {
		int r = rng_dist_init_empirical(dst, src->u.empirical.points, src->u.empirical.n);
		return r == 0 ? 0 : (r == -ENOMEM ? -SIM_E_NOMEM : -SIM_E_INVAL);
	}
	*dst = *src;
	return 0;
}

#define VOLUME_TIB 1099511627776.0 /* bytes */

static void member_setup(struct volume_member *m, const struct volume_params *p, sim_time now)
{
	/* gp2 bursts only below 1 TiB and only when the ceiling is above the baseline */
	bool burst = p->gp2_burst && p->size < VOLUME_TIB && p->burst_iops > p->iops;
	m->iops_rate = burst ? p->burst_iops : (isfinite(p->iops) ? p->iops : 0);
	m->bw_rate = isfinite(p->throughput) ? p->throughput : 0;
	m->credit_rate = burst ? p->iops : 0;
	m->credit_capacity = burst ? p->burst_credits : 0;
	m->latency_factor = 1.0;
	m->limit_factor = 1.0;
	cell_init(&m->iops, m->iops_rate, VOLUME_TOLERANCE_NS, now);
	cell_init(&m->bw, m->bw_rate, VOLUME_TOLERANCE_NS, now);
	cell_init(&m->credit, m->credit_rate,
		  burst ? m->credit_capacity * 1e9 / m->credit_rate : 0, now);
	m->admit_event = SIM_HANDLE_NONE;
}

struct volume_logical *volume_add(struct volume_group *g, const char *name, int members,
				  double pe_size, const struct volume_params *p)
{
	if (!g || !name || !*name || !p || !params_valid(p, members, pe_size))
		return NULL;
	if (g->lv_count == g->lv_cap) {
		size_t cap = g->lv_cap ? 2 * g->lv_cap : 4;
		struct volume_logical **a = realloc(g->lv, cap * sizeof(*a));
		if (!a)
			return NULL;
		g->lv = a;
		g->lv_cap = cap;
	}
	struct volume_logical *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	size_t hl = strlen(g->host);
	size_t len = hl + 1 + strlen(name) + 1;
	v->name = malloc(len);
	v->members = calloc((size_t)members, sizeof(*v->members));
	rng_dist_init_deterministic(&v->latency, 0); /* safe to release on every path */
	if (!v->name || !v->members)
		goto out_free;
	snprintf(v->name, len, "%s/%s", g->host, name);
	v->short_name = v->name + hl + 1;
	if (dist_copy(&v->latency, &p->latency) < 0)
		goto out_free;
	struct sim_engine *e = g->e;
	if (members > 1) {
		v->rng = rng_stream_new(sim_engine_seed(e), sim_engine_replication(e), v->name);
		if (!v->rng)
			goto out_free;
	}
	v->g = g;
	v->n = members;
	v->pe_size = members > 1 ? pe_size : 0;
	v->io_unit = p->io_unit;
	v->sustained_iops = p->iops;
	v->multi_free = VOLUME_NO_PARENT;
	sim_time now = sim_now(e);
	size_t mlen = len + 24;
	char *mname = malloc(mlen);
	if (!mname)
		goto out_free;
	for (int k = 0; k < members; k++) {
		if (members == 1)
			snprintf(mname, mlen, "%s", v->name);
		else
			snprintf(mname, mlen, "%s#%d", v->name, k);
		struct sim_entity *ent = sim_entity_new(e, &volume_member_type, mname);
		if (!ent) {
			free(mname);
			goto out_free;
		}
		struct volume_member *m = ent->state;
		m->lv = v;
		m->g = g;
		m->entity = ent;
		member_setup(m, p, now);
		v->members[k] = m;
	}
	free(mname);
	lv_stats_start(v, now);
	g->lv[g->lv_count++] = v;
	return v;

out_free:
	lv_free(v);
	return NULL;
}

/* ---- submission ----------------------------------------------------------------------------- */

static uint32_t io_units(const struct volume_logical *v, double bytes)
{
	double u = ceil(bytes / v->io_unit);
	if (u < 1)
		return 1;
	return u > (double)UINT32_MAX ? UINT32_MAX : (uint32_t)u;
}

/* Submit io to member m at now; room for it is reserved. */
static void member_submit(struct volume_member *m, struct volume_io *io, sim_time now)
{
	if (m->failed) {
		io_fail(m, io, now);
		return;
	}
	struct volume_group *g = m->g;
	if (m->ring_count == 0 && !g->hq_head && member_ready(m) <= (double)now &&
	    host_ready(g) <= (double)now) {
		admit(m, io, now);
		return;
	}
	ring_push(m, io);
	if (m->ring_count == 1)
		member_kick(m);
}

static int multi_alloc(struct volume_logical *v, uint32_t *idx /* OUT */)
{
	if (v->multi_free == VOLUME_NO_PARENT) {
		uint32_t cap = v->multi_cap ? 2 * v->multi_cap : VOLUME_MULTI_MIN;
		if (cap <= v->multi_cap || cap >= VOLUME_NO_PARENT)
			return -SIM_E_NOMEM;
		struct volume_multi *a = realloc(v->multi, (size_t)cap * sizeof(*a));
		if (!a)
			return -SIM_E_NOMEM;
		memset(a + v->multi_cap, 0, (size_t)(cap - v->multi_cap) * sizeof(*a));
		v->multi = a;
		for (uint32_t i = cap; i-- > v->multi_cap;) {
			a[i].next_free = v->multi_free;
			v->multi_free = i;
		}
		v->multi_cap = cap;
	}
	*idx = v->multi_free;
	v->multi_free = v->multi[*idx].next_free;
	return 0;
}

int volume_submit(struct volume_logical *v, double bytes, bool write,
		  struct sim_entity *requester, uint32_t done_kind, uint64_t tag)
{
	(void)write;
	if (!v || !requester || !(bytes > 0) || !isfinite(bytes))
		return -SIM_E_INVAL;
	if (done_kind >= requester->type->handler_count || !requester->type->handlers[done_kind])
		return -SIM_E_BADKIND;
	sim_time now = sim_now(v->g->e);
	struct volume_io io = {
		.submitted = now,
		.tag = tag,
		.requester = requester,
		.done_kind = done_kind,
		.parent = VOLUME_NO_PARENT,
	};
	int err;
	if (v->n == 1 || bytes <= v->pe_size) {
		struct volume_member *m =
			v->members[v->n == 1 ? 0 : gsl_rng_uniform_int(v->rng, (unsigned long)v->n)];
		if ((err = ring_reserve(m, 1)) < 0)
			return err;
		io.bytes = bytes;
		io.units = io_units(v, bytes);
		member_submit(m, &io, now);
		return 0;
	}
	/* Split: stripe units i = 0 .. parts-1 go to member (first + i) mod n; the units landing
	 * on one member are contiguous there and travel as one IO. */
	double parts_d = ceil(bytes / v->pe_size);
	uint64_t parts = parts_d > 4e9 ? (uint64_t)4e9 : (uint64_t)parts_d;
	uint32_t used = parts < (uint64_t)v->n ? (uint32_t)parts : (uint32_t)v->n;
	uint32_t first = (uint32_t)gsl_rng_uniform_int(v->rng, (unsigned long)v->n);
	for (uint32_t i = 0; i < used; i++)
		if ((err = ring_reserve(v->members[(first + i) % v->n], 1)) < 0)
			return err;
	uint32_t idx;
	if ((err = multi_alloc(v, &idx)) < 0)
		return err;
	struct volume_multi *mu = &v->multi[idx];
	mu->submitted = now;
	mu->max_done = now;
	mu->tag = tag;
	mu->requester = requester;
	mu->bytes = bytes;
	mu->done_kind = done_kind;
	mu->parts_left = used;
	mu->next_free = VOLUME_NO_PARENT;
	mu->error = 0;
	io.parent = idx;
	double short_by = (double)parts * v->pe_size - bytes; /* the last unit is partial */
	uint32_t last = (uint32_t)((parts - 1) % (uint64_t)v->n);
	for (uint32_t i = 0; i < used; i++) {
		uint64_t count = parts / (uint64_t)v->n + (i < parts % (uint64_t)v->n ? 1 : 0);
		io.bytes = (double)count * v->pe_size - (i == last ? short_by : 0);
		io.units = io_units(v, io.bytes);
		/* a part may complete the whole IO (failed member): mu is not touched after */
		member_submit(v->members[(first + i) % v->n], &io, now);
	}
	return 0;
}

/* ---- faults -------------------------------------------------------------------------------- */

static void member_degrade(struct volume_member *m, double latency_factor, double limit_factor)
{
	struct volume_logical *v = m->lv;
	sim_time now = sim_now(v->g->e);
	m->latency_factor = latency_factor;
	m->limit_factor = limit_factor;
	cell_set_rate(&m->iops, now, m->iops_rate * limit_factor, 0);
	cell_set_rate(&m->bw, now, m->bw_rate * limit_factor, 0);
	if (m->credit_rate > 0)
		cell_set_rate(&m->credit, now, m->credit_rate * limit_factor, m->credit_capacity);
	stat_timeweighted_set(&v->limit, now, lv_limit(v));
	if (sim_cancel(v->g->e, m->admit_event)) { /* its head waits for new limits */
		m->admit_event = SIM_HANDLE_NONE;
		member_kick(m);
	}
}

static void member_fail(struct volume_member *m, bool failed)
{
	m->failed = failed;
	if (!failed)
		return;
	struct volume_group *g = m->g;
	sim_time now = sim_now(g->e);
	sim_cancel(g->e, m->admit_event);
	m->admit_event = SIM_HANDLE_NONE;
	hq_remove(g, m);
	if (!g->hq_head && sim_cancel(g->e, g->host_event))
		g->host_event = SIM_HANDLE_NONE;
	while (m->ring_count > 0) {
		struct volume_io io = ring_pop(m);
		io_fail(m, &io, now);
	}
}

static bool factors_valid(double latency_factor, double limit_factor)
{
	return latency_factor >= 1 && isfinite(latency_factor) && limit_factor > 0 &&
	       limit_factor <= 1;
}

int volume_set_degraded(struct volume_logical *v, double latency_factor, double limit_factor)
{
	if (!v || !factors_valid(latency_factor, limit_factor))
		return -SIM_E_INVAL;
	for (int k = 0; k < v->n; k++)
		member_degrade(v->members[k], latency_factor, limit_factor);
	return 0;
}

int volume_set_failed(struct volume_logical *v, bool failed)
{
	if (!v)
		return -SIM_E_INVAL;
	for (int k = 0; k < v->n; k++)
		member_fail(v->members[k], failed);
	return 0;
}

int volume_member_count(const struct volume_logical *v) { return v ? v->n : 0; }

struct sim_entity *volume_member(const struct volume_logical *v, int k)
{
	return (v && k >= 0 && k < v->n) ? v->members[k]->entity : NULL;
}

int volume_member_set_degraded(struct volume_logical *v, int k, double latency_factor,
			       double limit_factor)
{
	if (!v || k < 0 || k >= v->n || !factors_valid(latency_factor, limit_factor))
		return -SIM_E_INVAL;
	member_degrade(v->members[k], latency_factor, limit_factor);
	return 0;
}

int volume_member_set_failed(struct volume_logical *v, int k, bool failed)
{
	if (!v || k < 0 || k >= v->n)
		return -SIM_E_INVAL;
	member_fail(v->members[k], failed);
	return 0;
}

struct volume_logical *volume_find(const struct volume_group *g, const char *name)
{
	if (!g || !name)
		return NULL;
	for (size_t i = 0; i < g->lv_count; i++)
		if (strcmp(g->lv[i]->short_name, name) == 0)
			return g->lv[i];
	return NULL;
}

/* ---- statistics ------------------------------------------------------------------------------ */

void volume_stats(const struct volume_logical *v, struct volume_stats *out /* OUT */)
{
	memset(out, 0, sizeof(*out));
	if (!v)
		return;
	sim_time now = sim_now(v->g->e);
	out->ios = v->ios;
	out->errors = v->errors;
	out->bytes = v->bytes;
	out->mean_latency = stat_welford_mean(&v->latency_s);
	out->mean_wait = stat_welford_mean(&v->wait_s);
	out->busy_fraction = stat_timeweighted_mean(&v->backlog, now);
	double limit_s = stat_timeweighted_integral(&v->limit, now);
	out->iops_utilisation = limit_s > 0 ? v->units / limit_s : NAN;
	for (int k = 0; k < v->n; k++) {
		const struct volume_member *m = v->members[k];
		if (m->credit_rate <= 0)
			continue;
		const struct volume_cell *c = &m->credit;
		double debt = fmax(0, c->tat - (double)now) * c->rate / 1e9;
		out->burst_credits += fmax(0, m->credit_capacity - debt);
	}
}

double volume_bucket(struct volume_logical *v)
{
	if (!v)
		return NAN;
	sim_time now = sim_now(v->g->e);
	double limit_s = stat_timeweighted_integral(&v->limit, now);
	double used = v->units - v->bucket_units, allowed = limit_s - v->bucket_limit_s;
	v->bucket_units = v->units;
	v->bucket_limit_s = limit_s;
	return allowed > 0 ? used / allowed : NAN;
}

void volume_stats_reset(struct volume_logical *v)
{
	if (v)
		lv_stats_start(v, sim_now(v->g->e));
}

double volume_member_units(const struct volume_logical *v, int k)
{
	return (v && k >= 0 && k < v->n) ? v->members[k]->units : 0;
}

const char *volume_name(const struct volume_logical *v) { return v ? v->name : NULL; }

void volume_params_for(const struct volume_type *t, double size, double iops,
		       double throughput, struct volume_params *out)
{
	const double gib = 1073741824.0, mib = 1048576.0;
	double size_gib = size / gib;
	bool hdd = strcmp(t->name, "st1") == 0 || strcmp(t->name, "sc1") == 0;
	bool gp2 = strcmp(t->name, "gp2") == 0;
	memset(out, 0, sizeof(*out));
	out->size = size;
	out->io_unit = hdd ? 1 * mib : 256 * 1024;
	if (iops > 0)
		out->iops = iops;
	else if (t->iops_size_scaled)
		out->iops = fmin(t->iops_max, fmax(t->iops_min, t->iops_per_gib * size_gib));
	else if (t->iops_baseline > 0)
		out->iops = t->iops_baseline;
	else if (hdd)
		out->iops = t->iops_max;
	else
		out->iops = t->iops_min; /* io1/io2 without provisioned IOPS: the minimum */
	if (throughput > 0)
		out->throughput = throughput;
	else if (t->throughput_baseline > 0)
		out->throughput = t->throughput_baseline;
	else if (gp2)
		out->throughput = size_gib <= 170 ? 128 * mib : 250 * mib; /* aws.md §2a tiers */
	else
		out->throughput = t->throughput_max;
	out->gp2_burst = gp2 && size_gib < 1024;
	out->burst_iops = 3000;     /* aws.md §2b */
	out->burst_credits = 5.4e6; /* aws.md §2b */
	rng_dist_init_lognormal_median_p99(&out->latency, t->latency_median, t->latency_p99);
}
