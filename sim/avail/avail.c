/* avail.c: the upper level of the availability mode (see avail.h for the model).
 *
 * Invariants: a batch is a pure function of (model, seed, batch index); events run in
 * (time, sequence) order; the service state is re-derived from the component states after
 * every event, so no outage is missed or counted twice; downtime is split at year ends.
 */
#include "avail.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "stats.h"
#include "topology.h"

const char *const avail_stage_names[] = {
#define AVAIL_STAGE_NAME(id, name, help) name,
	AVAIL_STAGES(AVAIL_STAGE_NAME)
#undef AVAIL_STAGE_NAME
	NULL};

const char *const avail_takeover_kind_names[] = {
#define AVAIL_TAKEOVER_NAME(id, name) name,
	AVAIL_TAKEOVER_KINDS(AVAIL_TAKEOVER_NAME)
#undef AVAIL_TAKEOVER_NAME
	NULL};

#define MAX_FAILOVER 2

/* ---- the model: built once from the scenario, read-only while batches run ---------------- */

struct proc_def {
	const struct stochastic_fault_config *sc;
	int cls;           /* enum fault_class */
	int host;          /* host class: the host; volume class: its host; else -1 */
	int az;            /* az class: the AZ; host and volume: the host's AZ; else -1 */
	int region;        /* region class: the region; else -1 */
	int pool;          /* crew pool, or -1: repaired on its own */
	int vpurpose;      /* volume class: the volume's enum volume_purpose; else -1 */
	int link;          /* link class: the link (avail_links order); else -1 */
	char name[200];    /* stream name */
};

struct mirror_def {
	const char *name;
	int failover[MAX_FAILOVER];
	int nf;
	int arbiter;       /* host or -1 */
	int *dr;           /* DR async hosts */
	int ndr;
};

enum path_kind { PATH_HOST, PATH_LB, PATH_DNS };

struct path_def {          /* a population's entry */
	int kind;
	int index;         /* host, load balancer or DNS record */
};

struct model {
	const struct scenario_config *cfg;
	size_t nh, naz, nr;
	int *host_az, *host_region, *az_region;
	bool *is_data;                 /* an IRIS instance: role data (volumes matter) */
	bool *in_mirror;
	struct proc_def *procs;
	size_t np;
	int *pool_size;                /* crews per pool */
	size_t npools;
	struct mirror_def *mirrors;
	size_t nm;
	int *standalone;               /* data hosts in no mirror */
	size_t nstandalone;
	int *apps;                     /* ECP application servers */
	int *app_group;                /* the ECP group of each */
	size_t napps, ngroups;
	struct path_def *paths;
	size_t npaths;
	double *dns_delay_h;           /* per DNS record: time to answer the secondary */
	int *dns_primary, *dns_secondary; /* load balancer indexes */
	struct avail_link *links;      /* avail_links */
	size_t nlinks;
	int **lb_azs, **lb_targets;
	size_t *lb_naz, *lb_ntargets;
	size_t nlb, ndns;
};

/* ---- a batch ------------------------------------------------------------------------------ */

enum ev_type { EV_FAIL, EV_REPAIRED, EV_RESTARTED, EV_MIRROR, EV_DNS, EV_LINK };

struct ev {
	double t;
	uint64_t seq;
	int type;
	int id;
	uint32_t gen;
};

struct mirror_state {
	int acting;          /* host serving as primary, or -1 */
	int last_primary;    /* host that was primary last */
	int pending;         /* host becoming primary, or -1 */
	int pending_stage;   /* enum avail_stage of the wait for `pending` */
	uint32_t gen;        /* invalidates a pending completion */
	char outage[160];    /* class of the current outage */
	double reads_back;   /* a takeover under way: when its reads came back (the
			      * library's read outage), h; INFINITY: with the writes */
};

struct dns_state {
	bool on_secondary;
	bool switching;
	uint32_t gen;
};

struct cause_acc {
	char *name;
	double minutes[AVAIL_STAGE_COUNT];
	uint64_t started[AVAIL_STAGE_COUNT];
	uint64_t visits[AVAIL_STAGE_COUNT]; /* outages that entered this stage */
	/* importance sampling: the current cycle's, and likelihood-weighted sums */
	double cyc_minutes[AVAIL_STAGE_COUNT], cyc_started[AVAIL_STAGE_COUNT];
	double w_minutes[AVAIL_STAGE_COUNT], w_started[AVAIL_STAGE_COUNT];
};

struct batch {
	const struct model *m;
	const double *takeover_h; /* the incident library's, or NULL */
	const double *takeover_read_h;
	const unsigned char *volume_harmless;
	const double *link_h, *link_read_h;
	const struct availability_config *ac;
	double now, end;
	struct ev *heap;
	size_t nheap, capheap;
	uint64_t seq;
	gsl_rng **rng;          /* per process */
	gsl_rng *ops;           /* operator and failover draws */
	bool *pdown;
	int *host_own_down, *vol_down, *az_down, *region_down;
	int *jrn_down;          /* per host x 2: failed journal, journal_alt volumes that
				 * volume_harmless lets the instance ride through alone */
	bool *forced;           /* member forced down, waiting for an operator */
	bool *restarting;       /* the operator's restart is scheduled */
	uint32_t *restart_gen;
	bool *active;           /* failover member caught up (Active) */
	int *busy;              /* per pool */
	int *queue;             /* FIFO of waiting processes per pool: ring per pool */
	size_t *qhead, *qlen;
	struct mirror_state *ms;
	struct dns_state *ds;
	bool *link_open;        /* per link: its partition's charged outage is under way */
	uint32_t *link_gen;
	double *link_reads_back; /* when the open outage's reads came back, h */
	/* service */
	bool up;
	int cause;               /* index into causes while down */
	int out_mirror;          /* the mirror whose outage it is, or -1 */
	int out_link;            /* the link whose partition it is, or -1 */
	int stage;
	double since;
	struct cause_acc *causes;
	size_t ncauses, capcauses;
	double *year_minutes;
	size_t years;
	/* outputs */
	double down_minutes;
	double read_down_minutes;
	uint64_t incidents, takeovers, promotions, events;
	uint64_t outages;        /* outages that lasted (not a zero-length takeover) */
	double down_start;       /* when the current outage began */
	uint64_t failures[FAULT_CLASS_COUNT];
	int err;
	/* importance sampling (bias > 0) */
	double bias;             /* target probability of a failure while degraded */
	double beta;             /* current failure-rate multiplier (1 when all is up) */
	uint32_t *pgen;          /* per process: generation of its pending failure event */
	double log_l;            /* log likelihood ratio of the current cycle */
	double last_t;           /* time the likelihood ratio was brought up to */
	bool in_regen;           /* in a regeneration state */
	double cyc_start, cyc_down, cyc_read_down;
	double cyc_inc, cyc_tk, cyc_pr, cyc_fail[FAULT_CLASS_COUNT];
	double w_down, w_read_down, w_time, w_inc, w_tk, w_pr, w_fail[FAULT_CLASS_COUNT];
	double ess_s1, ess_s2;   /* sums of L D and (L D)^2 over cycles */
	uint64_t cycles;
};

static int heap_push(struct batch *b, double t, int type, int id, uint32_t gen)
{
	if (b->nheap == b->capheap) {
		size_t cap = b->capheap ? 2 * b->capheap : 64;
		struct ev *h = realloc(b->heap, cap * sizeof(*h));
		if (!h) {
			b->err = -ENOMEM;
			return -ENOMEM;
		}
		b->heap = h;
		b->capheap = cap;
	}
	struct ev e = {t, b->seq++, type, id, gen};
	size_t i = b->nheap++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		struct ev *q = &b->heap[p];
		if (q->t < e.t || (q->t == e.t && q->seq < e.seq))
			break;
		b->heap[i] = *q;
		i = p;
	}
	b->heap[i] = e;
	return 0;
}

static struct ev heap_pop(struct batch *b)
{
	struct ev top = b->heap[0];
	struct ev last = b->heap[--b->nheap];
	size_t i = 0, n = b->nheap;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && (b->heap[c + 1].t < b->heap[c].t ||
				  (b->heap[c + 1].t == b->heap[c].t && b->heap[c + 1].seq < b->heap[c].seq)))
			c++;
		if (last.t < b->heap[c].t || (last.t == b->heap[c].t && last.seq < b->heap[c].seq))
			break;
		b->heap[i] = b->heap[c];
		i = c;
	}
	if (n > 0)
		b->heap[i] = last;
	return top;
}

static double draw_h(const struct rng_dist *d, gsl_rng *r)
{
	return rng_dist_sample_nonneg(d, r) / 3600.0;
}

size_t avail_stratum_at(const struct availability_config *ac, double t_h)
{
	if (ac->stratum_count < 2)
		return 0;
	double day = fmod(t_h, 24.0) / 24.0, end = 0;
	for (size_t i = 0; i < ac->stratum_count; i++) {
		end += ac->strata[i].share;
		if (day < end)
			return i;
	}
	return ac->stratum_count - 1;
}

/* ---- component state ----------------------------------------------------------------------- */

static bool host_ok(const struct batch *b, int h)
{
	const struct model *m = b->m;
	return b->host_own_down[h] == 0 && b->az_down[m->host_az[h]] == 0 &&
	       b->region_down[m->host_region[h]] == 0;
}

/* The IRIS instance on h can run: its host and (for data hosts) its volumes. */
static bool instance_ok(const struct batch *b, int h)
{
	return host_ok(b, h) &&
	       (!b->m->is_data[h] ||
		(b->vol_down[h] == 0 && (b->jrn_down[2 * h] == 0 || b->jrn_down[2 * h + 1] == 0)));
}

static bool member_up(const struct batch *b, int h)
{
	return instance_ok(b, h) && !b->forced[h];
}

/* The purpose of a failed volume that stops host h's instance, or -1. */
static int failed_purpose(const struct batch *b, int h)
{
	const struct model *m = b->m;
	int both_journals = -1;
	for (size_t p = 0; p < m->np; p++) {
		const struct proc_def *d = &m->procs[p];
		if (d->cls != FAULT_CLASS_VOLUME || d->host != h || !b->pdown[p])
			continue;
		bool harmless = b->volume_harmless && b->volume_harmless[d->vpurpose];
		if (!harmless)
			return d->vpurpose;
		both_journals = VOLUME_JOURNAL;
	}
	return b->jrn_down[2 * h] && b->jrn_down[2 * h + 1] ? both_journals : -1;
}

/* What took host h's instance down, for an incident's class. */
static const char *root_kind(const struct batch *b, int h)
{
	const struct model *m = b->m;
	if (b->region_down[m->host_region[h]])
		return "region_outage";
	if (b->az_down[m->host_az[h]])
		return "az_outage";
	if (b->host_own_down[h])
		return "host_crash";
	int p = failed_purpose(b, h);
	if (p >= 0)
		return avail_takeover_kind_names[AVAIL_TAKEOVER_VOLUME(p)];
	if (b->forced[h])
		return "forced_down";
	return "unknown";
}

/* ---- repair ------------------------------------------------------------------------------- */

static void start_repair(struct batch *b, int p)
{
	const struct proc_def *d = &b->m->procs[p];
	heap_push(b, b->now + draw_h(&d->sc->mttr, b->rng[p]), EV_REPAIRED, p, 0);
}

static void set_proc(struct batch *b, int p, bool down)
{
	const struct proc_def *d = &b->m->procs[p];
	int delta = down ? 1 : -1;
	b->pdown[p] = down;
	switch (d->cls) {
	case FAULT_CLASS_HOST:
		b->host_own_down[d->host] += delta;
		break;
	case FAULT_CLASS_VOLUME:
		/* A failed journal (or alternate journal) volume the library found writes
		 * ride through stops the instance only with its partner failed too. */
		if (b->volume_harmless && b->volume_harmless[d->vpurpose] &&
		    (d->vpurpose == VOLUME_JOURNAL || d->vpurpose == VOLUME_JOURNAL_ALT))
			b->jrn_down[2 * d->host + (d->vpurpose == VOLUME_JOURNAL_ALT)] += delta;
		else if (!(b->volume_harmless && b->volume_harmless[d->vpurpose]))
			b->vol_down[d->host] += delta;
		break;
	case FAULT_CLASS_AZ:
		b->az_down[d->az] += delta;
		break;
	case FAULT_CLASS_REGION:
		b->region_down[d->region] += delta;
		break;
	default:
		break;
	}
}

/* A link failed: open its charged outage when the library measured one. */
static void link_open(struct batch *b, int li)
{
	if (!b->link_h)
		return;
	size_t i = avail_stratum_at(b->ac, b->now) * b->m->nlinks + (size_t)li;
	double h = b->link_h[i];
	if (isnan(h) || h <= 0)
		return;
	double rh = b->link_read_h ? b->link_read_h[i] : NAN;
	b->link_open[li] = true;
	b->link_gen[li]++;
	b->link_reads_back[li] = b->now + (isnan(rh) ? h : fmin(rh, h));
	if (isfinite(h))
		heap_push(b, b->now + h, EV_LINK, li, b->link_gen[li]);
}

static void link_close(struct batch *b, int li)
{
	b->link_open[li] = false;
	b->link_gen[li]++;
}

static void on_fail(struct batch *b, int p)
{
	const struct proc_def *d = &b->m->procs[p];
	set_proc(b, p, true);
	if (d->link >= 0)
		link_open(b, d->link);
	b->failures[d->cls]++;
	b->cyc_fail[d->cls]++;
	if (b->bias > 0)
		b->log_l -= log(b->beta); /* a failure drawn at beta times its rate */
	if (d->pool < 0) {
		start_repair(b, p);
		return;
	}
	size_t np = b->m->np;
	if (b->busy[d->pool] < b->m->pool_size[d->pool]) {
		b->busy[d->pool]++;
		start_repair(b, p);
	} else {
		size_t at = (b->qhead[d->pool] + b->qlen[d->pool]) % np;
		b->queue[(size_t)d->pool * np + at] = p;
		b->qlen[d->pool]++;
	}
}

static void on_repaired(struct batch *b, int p)
{
	const struct proc_def *d = &b->m->procs[p];
	set_proc(b, p, false);
	if (d->link >= 0 && b->link_open[d->link])
		link_close(b, d->link); /* the partition healed before its charged outage ended */
	heap_push(b, b->now + draw_h(&d->sc->mtbf, b->rng[p]) / b->beta, EV_FAIL, p,
		  b->pgen ? b->pgen[p] : 0);
	if (d->pool < 0)
		return;
	size_t np = b->m->np;
	if (b->qlen[d->pool] > 0) {
		int next = b->queue[(size_t)d->pool * np + b->qhead[d->pool]];
		b->qhead[d->pool] = (b->qhead[d->pool] + 1) % np;
		b->qlen[d->pool]--;
		start_repair(b, next);
	} else {
		b->busy[d->pool]--;
	}
}

/* ---- service logic ------------------------------------------------------------------------- */

static void begin_pending(struct batch *b, size_t mi, int host, int stage, double delay_h)
{
	struct mirror_state *s = &b->ms[mi];
	s->reads_back = INFINITY;
	s->pending = host;
	s->pending_stage = stage;
	s->gen++;
	heap_push(b, b->now + delay_h, EV_MIRROR, (int)mi, s->gen);
}

static void cancel_pending(struct batch *b, size_t mi)
{
	b->ms[mi].pending = -1;
	b->ms[mi].gen++;
}

/* The library slot of what took host h's instance down (a takeover from it), or -1. */
static int root_slot(const struct batch *b, int h)
{
	const struct model *m = b->m;
	if (b->region_down[m->host_region[h]])
		return -1;
	if (b->az_down[m->host_az[h]])
		return AVAIL_TAKEOVER_AZ_OUTAGE;
	if (b->host_own_down[h])
		return AVAIL_TAKEOVER_HOST_CRASH;
	int p = failed_purpose(b, h);
	if (p >= 0 && !(b->volume_harmless && b->volume_harmless[p]))
		return AVAIL_TAKEOVER_VOLUME(p);
	return -1;
}

/* The outage of a library slot of mirror mi: the incident library's measured time when
 * there is one, else a failover_time draw; sets the mirror's reads_back from the
 * library's read outage (call after begin_pending's reset, with the pending's start). */
static double slot_time(struct batch *b, size_t mi, int slot, double *read_h)
{
	*read_h = NAN;
	if (b->takeover_h && slot >= 0) {
		size_t i = (avail_stratum_at(b->ac, b->now) * b->m->nm + mi) * AVAIL_TAKEOVER_COUNT +
			   (size_t)slot;
		double h = b->takeover_h[i];
		if (!isnan(h)) {
			if (b->takeover_read_h && !isnan(b->takeover_read_h[i]))
				*read_h = fmin(h, b->takeover_read_h[i]);
			return h;
		}
	}
	return draw_h(&b->ac->failover_time, b->ops);
}

static void begin_slot(struct batch *b, size_t mi, int host, int slot)
{
	double read_h;
	double h = slot_time(b, mi, slot, &read_h);
	begin_pending(b, mi, host, AVAIL_STAGE_TAKEOVER, h);
	if (!isnan(read_h))
		b->ms[mi].reads_back = b->now + read_h;
}

/* One step of mirror mi's logic after a change; returns the stage while it is down, or -1
 * while a primary serves. */
static int mirror_step(struct batch *b, size_t mi)
{
	const struct mirror_def *md = &b->m->mirrors[mi];
	const struct availability_config *ac = b->ac;
	const struct mirror_policy_config *pol = &b->m->cfg->mirror;
	struct mirror_state *s = &b->ms[mi];

	if (s->pending >= 0 && !member_up(b, s->pending))
		cancel_pending(b, mi);
	for (int k = 0; k < md->nf; k++) {
		int f = md->failover[k];
		if (!member_up(b, f))
			b->active[f] = false;
		else if (s->acting >= 0 && s->acting != f)
			b->active[f] = true;
	}
	if (s->acting >= 0) {
		if (member_up(b, s->acting)) {
			bool on_dr = true;
			for (int k = 0; k < md->nf; k++)
				on_dr &= md->failover[k] != s->acting;
			for (int k = 0; on_dr && k < md->nf; k++)
				if (member_up(b, md->failover[k])) { /* planned failback */
					s->acting = s->last_primary = md->failover[k];
					break;
				}
			return -1;
		}
		/* The primary is lost: an outage begins. */
		int lost = s->acting;
		s->acting = -1;
		snprintf(s->outage, sizeof(s->outage), "%s primary %s", md->name, root_kind(b, lost));
		size_t used = strlen(s->outage);
		/* Its outcome, for the class. */
		const char *outcome = "no backup";
		bool confirm = (md->arbiter >= 0 && host_ok(b, md->arbiter)) || host_ok(b, lost);
		for (int k = 0; k < md->nf; k++) {
			int f = md->failover[k];
			if (f == lost)
				continue;
			if (!member_up(b, f))
				outcome = "backup down";
			else if (!b->active[f])
				outcome = "backup not active";
			else if (!confirm)
				outcome = md->arbiter >= 0 ? "arbiter down" : "no arbiter";
			else
				outcome = "takeover";
		}
		snprintf(s->outage + used, sizeof(s->outage) - used, ": %s", outcome);
	}
	/* No primary: take the best path open now. */
	int lost = s->last_primary;
	bool confirm = (md->arbiter >= 0 && host_ok(b, md->arbiter)) || host_ok(b, lost);
	if (s->pending < 0 || s->pending_stage == AVAIL_STAGE_DR_PROMOTION ||
	    s->pending_stage == AVAIL_STAGE_MANUAL_TAKEOVER) {
		for (int k = 0; k < md->nf; k++) {
			int f = md->failover[k];
			if (f == lost || !member_up(b, f) || !b->active[f] || !confirm)
				continue;
			if (s->pending >= 0)
				cancel_pending(b, mi);
			/* A primary whose agent answers is forced down by the takeover. */
			if (host_ok(b, lost) && !instance_ok(b, lost))
				b->forced[lost] = true;
			b->active[f] = false;
			begin_slot(b, mi, f, root_slot(b, lost));
			b->takeovers++;
			b->cyc_tk++;
			return AVAIL_STAGE_TAKEOVER;
		}
		bool is_failover = false;
		for (int k = 0; k < md->nf; k++)
			is_failover |= md->failover[k] == lost;
		if (is_failover && member_up(b, lost)) {
			if (s->pending >= 0)
				cancel_pending(b, mi);
			begin_slot(b, mi, lost, AVAIL_TAKEOVER_RESTART);
			return AVAIL_STAGE_TAKEOVER;
		}
	}
	if (s->pending >= 0)
		return s->pending_stage;
	if (pol->dr_promotion) {
		for (int k = 0; k < md->ndr; k++)
			if (member_up(b, md->dr[k])) {
				begin_pending(b, mi, md->dr[k], AVAIL_STAGE_DR_PROMOTION,
					      draw_h(&pol->dr_promotion_delay, b->ops));
				return AVAIL_STAGE_DR_PROMOTION;
			}
	}
	if (ac->manual_takeover) {
		/* An operator forces a member that is up but not Active to primary, accepting
		 * the loss of what it lacks (iris.md §1.4: manual forced promotion). */
		for (int k = 0; k < md->nf; k++)
			if (md->failover[k] != lost && member_up(b, md->failover[k])) {
				begin_pending(b, mi, md->failover[k], AVAIL_STAGE_MANUAL_TAKEOVER,
					      draw_h(&ac->manual_takeover_delay, b->ops));
				return AVAIL_STAGE_MANUAL_TAKEOVER;
			}
	}
	for (int k = 0; k < md->nf; k++)
		if (b->forced[md->failover[k]] && instance_ok(b, md->failover[k]))
			return AVAIL_STAGE_OPERATOR_RESTART;
	return AVAIL_STAGE_REPAIR;
}

static void on_mirror(struct batch *b, size_t mi, uint32_t gen)
{
	struct mirror_state *s = &b->ms[mi];
	if (gen != s->gen || s->pending < 0)
		return;
	if (s->pending_stage == AVAIL_STAGE_DR_PROMOTION ||
	    s->pending_stage == AVAIL_STAGE_MANUAL_TAKEOVER)
	{
		b->promotions++;
		b->cyc_pr++;
	}
	s->acting = s->last_primary = s->pending;
	s->pending = -1;
}

static bool lb_ok(const struct batch *b, int l)
{
	const struct model *m = b->m;
	bool node = false, target = false;
	for (size_t k = 0; k < m->lb_naz[l] && !node; k++) {
		int a = m->lb_azs[l][k];
		node = b->az_down[a] == 0 && b->region_down[m->az_region[a]] == 0;
	}
	for (size_t k = 0; k < m->lb_ntargets[l] && !target; k++)
		target = host_ok(b, m->lb_targets[l][k]);
	return node && target;
}

/* DNS record d: returns the stage while its answer leads nowhere, or -1. */
static int dns_step(struct batch *b, size_t d)
{
	const struct model *m = b->m;
	struct dns_state *s = &b->ds[d];
	bool primary = lb_ok(b, m->dns_primary[d]);
	if (primary) {
		s->on_secondary = false;
		if (s->switching) {
			s->switching = false;
			s->gen++;
		}
		return -1;
	}
	if (s->on_secondary)
		return lb_ok(b, m->dns_secondary[d]) ? -1 : AVAIL_STAGE_REPAIR;
	if (!s->switching) {
		s->switching = true;
		s->gen++;
		heap_push(b, b->now + m->dns_delay_h[d], EV_DNS, (int)d, s->gen);
	}
	return AVAIL_STAGE_DNS_FAILOVER;
}

static int cause_index(struct batch *b, const char *name)
{
	for (size_t i = 0; i < b->ncauses; i++)
		if (strcmp(b->causes[i].name, name) == 0)
			return (int)i;
	if (b->ncauses == b->capcauses) {
		size_t cap = b->capcauses ? 2 * b->capcauses : 16;
		struct cause_acc *c = realloc(b->causes, cap * sizeof(*c));
		if (!c) {
			b->err = -ENOMEM;
			return -1;
		}
		b->causes = c;
		b->capcauses = cap;
	}
	struct cause_acc *c = &b->causes[b->ncauses];
	memset(c, 0, sizeof(*c));
	c->name = strdup(name);
	if (!c->name) {
		b->err = -ENOMEM;
		return -1;
	}
	return (int)b->ncauses++;
}

/* Downtime from `since` to now, split at year ends. */
static void account(struct batch *b)
{
	if (b->up || b->cause < 0)
		return;
	double t0 = b->since, t1 = b->now;
	/* Reads: down as writes, except after a takeover's reads came back (the incident
	 * library's read outage) while the outage is still that takeover (reads_back is set
	 * by every begin_pending, so it is the takeover's under way or just completed). */
	double r1 = t1;
	if (b->stage == AVAIL_STAGE_TAKEOVER && b->out_mirror >= 0)
		r1 = fmax(t0, fmin(t1, b->ms[b->out_mirror].reads_back));
	if (b->stage == AVAIL_STAGE_PARTITION && b->out_link >= 0)
		r1 = fmax(t0, fmin(t1, b->link_reads_back[b->out_link]));
	b->read_down_minutes += (r1 - t0) * 60.0;
	b->cyc_read_down += (r1 - t0) * 60.0;
	b->causes[b->cause].minutes[b->stage] += (t1 - t0) * 60.0;
	b->causes[b->cause].cyc_minutes[b->stage] += (t1 - t0) * 60.0;
	b->down_minutes += (t1 - t0) * 60.0;
	b->cyc_down += (t1 - t0) * 60.0;
	while (t0 < t1) {
		size_t y = (size_t)(t0 / AVAIL_HOURS_PER_YEAR);
		if (y >= b->years)
			y = b->years - 1;
		double yend = (double)(y + 1) * AVAIL_HOURS_PER_YEAR;
		double seg_end = t1 < yend || y == b->years - 1 ? t1 : yend;
		b->year_minutes[y] += (seg_end - t0) * 60.0;
		t0 = seg_end;
	}
}

/* Re-derive the service state after a change. */
static void evaluate(struct batch *b)
{
	const struct model *m = b->m;
	/* Operator restarts of forced-down members whose instance could run again. */
	for (size_t h = 0; h < m->nh; h++) {
		if (!b->forced[h])
			continue;
		bool ok = instance_ok(b, (int)h);
		if (ok && !b->restarting[h]) {
			b->restarting[h] = true;
			heap_push(b, b->now + draw_h(&b->ac->restart_delay, b->ops), EV_RESTARTED,
				  (int)h, ++b->restart_gen[h]);
		} else if (!ok && b->restarting[h]) {
			b->restarting[h] = false;
			b->restart_gen[h]++;
		}
	}
	char outage[200] = "";
	int stage = -1, out_mirror = -1;
	for (size_t i = 0; i < m->nm; i++) {
		int st = mirror_step(b, i);
		if (st >= 0 && stage < 0) {
			stage = st;
			out_mirror = (int)i;
			snprintf(outage, sizeof(outage), "%s", b->ms[i].outage);
		}
	}
	for (size_t i = 0; i < m->nstandalone && stage < 0; i++)
		if (!instance_ok(b, m->standalone[i])) {
			stage = AVAIL_STAGE_REPAIR;
			snprintf(outage, sizeof(outage), "%s %s", m->cfg->hosts[m->standalone[i]].name,
				 root_kind(b, m->standalone[i]));
		}
	/* Each ECP group needs one of its application servers. */
	for (size_t g = 0; g < m->ngroups && stage < 0; g++) {
		bool any = false;
		int first = -1;
		for (size_t i = 0; i < m->napps && !any; i++)
			if (m->app_group[i] == (int)g) {
				any = instance_ok(b, m->apps[i]);
				if (first < 0)
					first = m->apps[i];
			}
		if (!any && first >= 0) {
			stage = AVAIL_STAGE_REPAIR;
			snprintf(outage, sizeof(outage), "%s app servers %s",
				 m->cfg->ecp[g].name ? m->cfg->ecp[g].name : "ecp",
				 root_kind(b, first));
		}
	}
	for (size_t d = 0; d < m->ndns; d++) {
		int st = dns_step(b, d);
		(void)st;
	}
	for (size_t i = 0; i < m->npaths && stage < 0; i++) {
		const struct path_def *p = &m->paths[i];
		int st = -1;
		const char *what = "";
		if (p->kind == PATH_HOST) {
			if (!host_ok(b, p->index)) {
				st = AVAIL_STAGE_REPAIR;
				what = root_kind(b, p->index);
			}
		} else if (p->kind == PATH_LB) {
			if (!lb_ok(b, p->index)) {
				st = AVAIL_STAGE_REPAIR;
				what = "load balancer down";
			}
		} else {
			const struct dns_state *s = &b->ds[p->index];
			if (s->switching)
				st = AVAIL_STAGE_DNS_FAILOVER;
			else if (s->on_secondary && !lb_ok(b, m->dns_secondary[p->index]))
				st = AVAIL_STAGE_REPAIR;
			what = "load balancer down";
		}
		if (st >= 0) {
			stage = st;
			snprintf(outage, sizeof(outage), "entry %s", what);
		}
	}
	/* A partition's charged outage, when nothing else has the service down. */
	int out_link = -1;
	for (size_t li = 0; li < m->nlinks && stage < 0; li++)
		if (b->link_open[li]) {
			stage = AVAIL_STAGE_PARTITION;
			out_link = (int)li;
			snprintf(outage, sizeof(outage), "link %s <-> %s: partition",
				 m->links[li].side[0], m->links[li].side[1]);
		}
	bool up = stage < 0;
	if (up == b->up && (up || (stage == b->stage && out_mirror == b->out_mirror &&
				   out_link == b->out_link)))
		return;
	account(b);
	if (up && !b->up && b->now > b->down_start)
		b->outages++;
	if (!up && b->up) {
		b->down_start = b->now;
		b->incidents++;
		b->cyc_inc++;
		b->cause = cause_index(b, outage);
		if (b->cause >= 0) {
			b->causes[b->cause].started[stage]++;
			b->causes[b->cause].cyc_started[stage]++;
		}
	}
	if (!up && b->cause >= 0 && (b->up || stage != b->stage))
		b->causes[b->cause].visits[stage]++;
	b->up = up;
	b->stage = stage;
	b->out_mirror = out_mirror;
	b->out_link = out_link;
	b->since = b->now;
}

/* ---- importance sampling ------------------------------------------------------------------- */

/* Failure rate (per hour) of the processes up now, at their original rates. */
static double up_rate(const struct batch *b)
{
	double lam = 0;
	for (size_t p = 0; p < b->m->np; p++)
		if (!b->pdown[p])
			lam += 3600.0 / rng_dist_mean(&b->m->procs[p].sc->mtbf);
	return lam;
}

/* Bring the likelihood ratio to time t: surviving an interval at beta times the rates
 * instead of the rates multiplies it by exp((beta - 1) Lambda dt). */
static void is_advance(struct batch *b, double t)
{
	if (b->beta != 1.0)
		b->log_l += (b->beta - 1.0) * up_rate(b) * (t - b->last_t);
	b->last_t = t;
}

/* The regeneration state: everything up, nothing pending or forced, each mirror's first
 * member primary with the others Active, every Route 53 record on its primary. With
 * exponential failure clocks the future from here does not depend on the past. */
static bool is_regen(const struct batch *b)
{
	const struct model *m = b->m;
	for (size_t p = 0; p < m->np; p++)
		if (b->pdown[p])
			return false;
	for (size_t h = 0; h < m->nh; h++)
		if (b->forced[h] || b->restarting[h])
			return false;
	for (size_t i = 0; i < m->nm; i++) {
		const struct mirror_def *md = &m->mirrors[i];
		if (b->ms[i].acting != md->failover[0] || b->ms[i].pending >= 0)
			return false;
		for (int k = 1; k < md->nf; k++)
			if (!b->active[md->failover[k]])
				return false;
	}
	for (size_t d = 0; d < m->ndns; d++)
		if (b->ds[d].switching || b->ds[d].on_secondary)
			return false;
	return true;
}

static void is_close_cycle(struct batch *b)
{
	double l = exp(b->log_l);
	double ld = l * b->cyc_down;
	b->w_down += ld;
	b->w_read_down += l * b->cyc_read_down;
	b->w_time += l * (b->now - b->cyc_start);
	b->w_inc += l * b->cyc_inc;
	b->w_tk += l * b->cyc_tk;
	b->w_pr += l * b->cyc_pr;
	for (int c = 0; c < FAULT_CLASS_COUNT; c++) {
		b->w_fail[c] += l * b->cyc_fail[c];
		b->cyc_fail[c] = 0;
	}
	for (size_t i = 0; i < b->ncauses; i++)
		for (int s = 0; s < AVAIL_STAGE_COUNT; s++) {
			struct cause_acc *ca = &b->causes[i];
			ca->w_minutes[s] += l * ca->cyc_minutes[s];
			ca->w_started[s] += l * ca->cyc_started[s];
			ca->cyc_minutes[s] = ca->cyc_started[s] = 0;
		}
	b->ess_s1 += ld;
	b->ess_s2 += ld * ld;
	b->cycles++;
	b->log_l = 0;
	b->cyc_start = b->now;
	b->cyc_down = b->cyc_read_down = b->cyc_inc = b->cyc_tk = b->cyc_pr = 0;
}

/* After a change: close the cycle on entering the regeneration state, and re-choose the
 * bias: 1 with everything up, else the factor that makes another failure during the
 * mean remaining repair about `bias` likely. A new factor redraws the clocks of every
 * process up (memoryless: valid under both measures). */
static void is_rebias(struct batch *b)
{
	const struct model *m = b->m;
	bool regen = is_regen(b);
	if (regen && !b->in_regen)
		is_close_cycle(b);
	b->in_regen = regen;
	double repair = 0;
	int down = 0;
	for (size_t p = 0; p < m->np; p++)
		if (b->pdown[p]) {
			repair += rng_dist_mean(&m->procs[p].sc->mttr) / 3600.0;
			down++;
		}
	double beta = 1.0;
	if (down > 0) {
		double lam = up_rate(b);
		if (lam > 0 && repair > 0)
			beta = fmax(1.0, b->bias / (lam * repair / down));
	}
	if (beta == b->beta)
		return;
	b->beta = beta;
	for (size_t p = 0; p < m->np; p++)
		if (!b->pdown[p])
			heap_push(b, b->now + draw_h(&m->procs[p].sc->mtbf, b->rng[p]) / beta,
				  EV_FAIL, (int)p, ++b->pgen[p]);
}

/* ---- one batch ----------------------------------------------------------------------------- */

static void batch_release(struct batch *b)
{
	if (b->rng)
		for (size_t p = 0; p < b->m->np; p++)
			if (b->rng[p])
				gsl_rng_free(b->rng[p]);
	if (b->ops)
		gsl_rng_free(b->ops);
	free(b->rng);
	free(b->heap);
	free(b->pdown);
	free(b->host_own_down);
	free(b->vol_down);
	free(b->jrn_down);
	free(b->az_down);
	free(b->region_down);
	free(b->forced);
	free(b->restarting);
	free(b->restart_gen);
	free(b->active);
	free(b->busy);
	free(b->queue);
	free(b->qhead);
	free(b->qlen);
	free(b->ms);
	free(b->ds);
	free(b->link_open);
	free(b->link_gen);
	free(b->link_reads_back);
	for (size_t i = 0; i < b->ncauses; i++)
		free(b->causes[i].name);
	free(b->causes);
	free(b->year_minutes);
	free(b->pgen);
}

static int batch_run(struct batch *b, const struct model *m, uint64_t seed, uint32_t index,
		     size_t years, const struct avail_opts *o)
{
	double bias = o->bias;
	memset(b, 0, sizeof(*b));
	b->m = m;
	b->takeover_h = o->takeover_h;
	b->takeover_read_h = o->takeover_read_h;
	b->volume_harmless = o->volume_harmless;
	b->link_h = o->link_h;
	b->link_read_h = o->link_read_h;
	b->bias = bias;
	b->beta = 1.0;
	b->in_regen = true;
	b->ac = &m->cfg->availability;
	b->years = years;
	b->end = (double)years * AVAIL_HOURS_PER_YEAR;
	size_t np = m->np, nh = m->nh, npools = m->npools;
	b->rng = calloc(np + 1, sizeof(*b->rng));
	b->pdown = calloc(np + 1, sizeof(bool));
	b->host_own_down = calloc(nh + 1, sizeof(int));
	b->vol_down = calloc(nh + 1, sizeof(int));
	b->jrn_down = calloc(2 * nh + 1, sizeof(int));
	b->az_down = calloc(m->naz + 1, sizeof(int));
	b->region_down = calloc(m->nr + 1, sizeof(int));
	b->forced = calloc(nh + 1, sizeof(bool));
	b->restarting = calloc(nh + 1, sizeof(bool));
	b->restart_gen = calloc(nh + 1, sizeof(uint32_t));
	b->active = calloc(nh + 1, sizeof(bool));
	b->busy = calloc(npools + 1, sizeof(int));
	b->queue = calloc(npools * np + 1, sizeof(int));
	b->qhead = calloc(npools + 1, sizeof(size_t));
	b->qlen = calloc(npools + 1, sizeof(size_t));
	b->ms = calloc(m->nm + 1, sizeof(*b->ms));
	b->ds = calloc(m->ndns + 1, sizeof(*b->ds));
	b->year_minutes = calloc(years, sizeof(double));
	b->link_open = calloc(m->nlinks + 1, sizeof(bool));
	b->link_gen = calloc(m->nlinks + 1, sizeof(uint32_t));
	b->link_reads_back = calloc(m->nlinks + 1, sizeof(double));
	if (!b->link_open || !b->link_gen || !b->link_reads_back)
		return -ENOMEM;
	b->ops = rng_stream_new(seed, index, "avail:operators");
	if (!b->rng || !b->pdown || !b->host_own_down || !b->vol_down || !b->jrn_down || !b->az_down ||
	    !b->region_down || !b->forced || !b->restarting || !b->restart_gen || !b->active ||
	    !b->busy || !b->queue || !b->qhead || !b->qlen || !b->ms || !b->ds ||
	    !b->year_minutes || !b->ops)
		return -ENOMEM;
	if (bias > 0 && !(b->pgen = calloc(np + 1, sizeof(uint32_t))))
		return -ENOMEM;
	for (size_t p = 0; p < np; p++) {
		b->rng[p] = rng_stream_new(seed, index, m->procs[p].name);
		if (!b->rng[p])
			return -ENOMEM;
		heap_push(b, draw_h(&m->procs[p].sc->mtbf, b->rng[p]), EV_FAIL, (int)p, 0);
	}
	/* Steady state at 0: the first failover member primary, the other Active. */
	for (size_t i = 0; i < m->nm; i++) {
		const struct mirror_def *md = &m->mirrors[i];
		b->ms[i].acting = b->ms[i].last_primary = md->failover[0];
		b->ms[i].pending = -1;
		b->ms[i].reads_back = INFINITY;
		for (int k = 1; k < md->nf; k++)
			b->active[md->failover[k]] = true;
	}
	b->up = true;
	b->stage = -1;
	b->cause = -1;
	b->out_mirror = -1;
	b->out_link = -1;
	while (b->nheap > 0 && b->err == 0) {
		if (b->heap[0].t >= b->end)
			break;
		struct ev e = heap_pop(b);
		if (e.type == EV_FAIL && b->pgen && e.gen != b->pgen[e.id])
			continue; /* a clock redrawn at another bias */
		if (b->bias > 0)
			is_advance(b, e.t);
		b->now = e.t;
		b->events++;
		switch (e.type) {
		case EV_FAIL:
			on_fail(b, e.id);
			break;
		case EV_REPAIRED:
			on_repaired(b, e.id);
			break;
		case EV_RESTARTED:
			if (e.gen == b->restart_gen[e.id] && b->restarting[e.id]) {
				b->restarting[e.id] = false;
				b->forced[e.id] = false;
			}
			break;
		case EV_MIRROR:
			on_mirror(b, (size_t)e.id, e.gen);
			break;
		case EV_LINK:
			if (e.gen == b->link_gen[e.id] && b->link_open[e.id])
				link_close(b, e.id);
			break;
		case EV_DNS:
			if (e.gen == b->ds[e.id].gen && b->ds[e.id].switching) {
				b->ds[e.id].switching = false;
				b->ds[e.id].on_secondary = true;
			}
			break;
		}
		evaluate(b);
		if (b->bias > 0)
			is_rebias(b);
	}
	b->now = b->end;
	account(b); /* importance sampling drops the last, unfinished cycle */
	if (!b->up && b->now > b->down_start)
		b->outages++;
	return b->err;
}

/* ---- building the model -------------------------------------------------------------------- */

static int find_name(char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

static int host_index(const struct scenario_config *c, const char *name)
{
	for (size_t h = 0; name && h < c->host_count; h++)
		if (strcmp(c->hosts[h].name, name) == 0)
			return (int)h;
	return -1;
}

static int lb_index(const struct scenario_config *c, const char *name)
{
	for (size_t l = 0; name && l < c->load_balancer_count; l++)
		if (strcmp(c->load_balancers[l].name, name) == 0)
			return (int)l;
	return -1;
}

static void model_release(struct model *m)
{
	free(m->host_az);
	free(m->host_region);
	free(m->az_region);
	free(m->is_data);
	free(m->in_mirror);
	free(m->procs);
	free(m->pool_size);
	for (size_t i = 0; m->mirrors && i < m->nm; i++)
		free(m->mirrors[i].dr);
	free(m->mirrors);
	free(m->standalone);
	free(m->apps);
	free(m->app_group);
	free(m->paths);
	free(m->dns_delay_h);
	free(m->dns_primary);
	free(m->dns_secondary);
	free(m->links);
	for (size_t l = 0; l < m->nlb; l++) {
		if (m->lb_azs)
			free(m->lb_azs[l]);
		if (m->lb_targets)
			free(m->lb_targets[l]);
	}
	free(m->lb_azs);
	free(m->lb_targets);
	free(m->lb_naz);
	free(m->lb_ntargets);
}

static int model_build(struct model *m, const struct scenario_config *c, char *err,
		       size_t err_size)
{
	memset(m, 0, sizeof(*m));
	m->cfg = c;
	m->nh = c->host_count;
	m->nr = c->region_count;
	for (size_t r = 0; r < c->region_count; r++)
		m->naz += c->regions[r].az_count;
	char **az_names = calloc(m->naz + 1, sizeof(char *));
	m->az_region = calloc(m->naz + 1, sizeof(int));
	m->host_az = calloc(m->nh + 1, sizeof(int));
	m->host_region = calloc(m->nh + 1, sizeof(int));
	m->is_data = calloc(m->nh + 1, sizeof(bool));
	m->in_mirror = calloc(m->nh + 1, sizeof(bool));
	if (!az_names || !m->az_region || !m->host_az || !m->host_region || !m->is_data ||
	    !m->in_mirror) {
		free(az_names);
		return -ENOMEM;
	}
	size_t k = 0;
	for (size_t r = 0; r < c->region_count; r++)
		for (size_t a = 0; a < c->regions[r].az_count; a++) {
			az_names[k] = c->regions[r].azs[a];
			m->az_region[k++] = (int)r;
		}
	for (size_t h = 0; h < m->nh; h++) {
		int a = find_name(az_names, m->naz, c->hosts[h].az);
		m->host_az[h] = a < 0 ? 0 : a;
		m->host_region[h] = m->az_region[m->host_az[h]];
		m->is_data[h] = c->hosts[h].role == HOST_ROLE_DATA;
	}
	/* Crew pools. */
	int pool_base[FAULT_CLASS_COUNT], pool_per_az[FAULT_CLASS_COUNT];
	for (int i = 0; i < FAULT_CLASS_COUNT; i++)
		pool_base[i] = -1, pool_per_az[i] = 0;
	const struct availability_config *ac = &c->availability;
	for (size_t i = 0; i < ac->crew_count; i++) {
		int cls = ac->crews[i].class_;
		if (cls < 0 || cls >= FAULT_CLASS_COUNT)
			continue;
		pool_base[cls] = (int)m->npools;
		pool_per_az[cls] = ac->crews[i].per == CREW_PER_AZ;
		m->npools += pool_per_az[cls] ? m->naz : 1;
	}
	m->pool_size = calloc(m->npools + 1, sizeof(int));
	if (!m->pool_size)
		goto nomem;
	for (size_t i = 0; i < ac->crew_count; i++) {
		int cls = ac->crews[i].class_;
		if (cls < 0 || cls >= FAULT_CLASS_COUNT)
			continue;
		size_t n = pool_per_az[cls] ? m->naz : 1;
		for (size_t j = 0; j < n; j++)
			m->pool_size[(size_t)pool_base[cls] + j] = (int)ac->crews[i].count;
	}
	/* Failure processes: every class entry times every component it aims at. */
	size_t cap = 0;
	for (size_t s = 0; s < c->stochastic_fault_count; s++) {
		size_t nv = 0;
		for (size_t h = 0; h < m->nh; h++)
			nv += c->hosts[h].volume_count;
		cap += m->nh + nv + m->naz + m->nr;
	}
	m->nlinks = avail_links(c, NULL, 0);
	m->links = calloc(m->nlinks + 1, sizeof(*m->links));
	if (!m->links)
		goto nomem;
	avail_links(c, m->links, m->nlinks);
	cap += c->stochastic_fault_count * m->nlinks;
	m->procs = calloc(cap + 1, sizeof(*m->procs));
	if (!m->procs)
		goto nomem;
	for (size_t s = 0; s < c->stochastic_fault_count; s++) {
		const struct stochastic_fault_config *sc = &c->stochastic_faults[s];
		int cls = sc->class_;
		const char *cname = fault_class_names[cls];
		/* Stream names: "avail:host:iris-a", a second entry of the class "avail:host#2:..." */
		char tag[64];
		int seen = 0;
		for (size_t t = 0; t < s; t++)
			seen += c->stochastic_faults[t].class_ == cls;
		if (seen)
			snprintf(tag, sizeof(tag), "%s#%d", cname, seen + 1);
		else
			snprintf(tag, sizeof(tag), "%s", cname);
#define ADD_PROC(h_, az_, r_, fmt, ...)                                                        \
	do {                                                                                   \
		struct proc_def *d = &m->procs[m->np++];                                       \
		d->sc = sc;                                                                    \
		d->cls = cls;                                                                  \
		d->host = (h_);                                                                \
		d->az = (az_);                                                                 \
		d->region = (r_);                                                              \
		d->pool = -1;                                                                  \
		d->vpurpose = -1;                                                              \
		d->link = -1;                                                                  \
		if (pool_base[cls] >= 0)                                                       \
			d->pool = pool_base[cls] + (pool_per_az[cls] && (az_) >= 0 ? (az_) : 0); \
		snprintf(d->name, sizeof(d->name), "avail:%s:" fmt, tag, __VA_ARGS__);         \
	} while (0)
		switch (cls) {
		case FAULT_CLASS_HOST:
			for (size_t h = 0; h < m->nh; h++)
				if (stochastic_fault_aims(sc, c->hosts[h].name,
							  host_role_names[c->hosts[h].role], NULL))
					ADD_PROC((int)h, m->host_az[h], -1, "%s", c->hosts[h].name);
			break;
		case FAULT_CLASS_VOLUME:
			for (size_t h = 0; h < m->nh; h++)
				for (size_t v = 0; v < c->hosts[h].volume_count; v++) {
					const struct volume_config *vc = &c->hosts[h].volumes[v];
					if (stochastic_fault_aims(sc, c->hosts[h].name,
								  host_role_names[c->hosts[h].role],
								  volume_purpose_names[vc->purpose]))
					{
						ADD_PROC((int)h, m->host_az[h], -1, "%s/%s",
							 c->hosts[h].name, vc->name);
						m->procs[m->np - 1].vpurpose = vc->purpose;
					}
				}
			break;
		case FAULT_CLASS_AZ:
			for (size_t a = 0; a < m->naz; a++)
				ADD_PROC(-1, (int)a, -1, "%s", az_names[a]);
			break;
		case FAULT_CLASS_REGION:
			for (size_t r = 0; r < m->nr; r++)
				ADD_PROC(-1, -1, (int)r, "%s", c->regions[r].name);
			break;
		case FAULT_CLASS_LINK:
			/* A crew per AZ: an AZ link's first AZ's (a region link: the first). */
			for (size_t li = 0; li < m->nlinks; li++) {
				const struct avail_link *l = &m->links[li];
				int a = l->regions ? 0 : find_name(az_names, m->naz, l->side[0]);
				ADD_PROC(-1, a, -1, "%s|%s", l->side[0], l->side[1]);
				m->procs[m->np - 1].link = (int)li;
			}
			break;
		default:
			break;
		}
#undef ADD_PROC
	}
	/* Mirrors. */
	m->nm = c->mirror_count;
	m->mirrors = calloc(m->nm + 1, sizeof(*m->mirrors));
	if (!m->mirrors)
		goto nomem;
	for (size_t i = 0; i < m->nm; i++) {
		const struct mirror_set_config *ms = &c->mirrors[i];
		struct mirror_def *md = &m->mirrors[i];
		md->name = ms->name;
		md->arbiter = host_index(c, ms->arbiter);
		for (size_t f = 0; f < ms->failover_count && f < MAX_FAILOVER; f++) {
			int h = host_index(c, ms->failover[f]);
			if (h >= 0) {
				md->failover[md->nf++] = h;
				m->in_mirror[h] = true;
			}
		}
		md->dr = calloc(ms->async_count + 1, sizeof(int));
		if (!md->dr)
			goto nomem;
		for (size_t a = 0; a < ms->async_count; a++) {
			int h = host_index(c, ms->asyncs[a].host);
			if (h < 0)
				continue;
			m->in_mirror[h] = true;
			if (ms->asyncs[a].kind == ASYNC_DR)
				md->dr[md->ndr++] = h;
		}
		if (md->nf == 0) {
			snprintf(err, err_size, "mirror \"%s\" has no failover member", ms->name);
			goto inval;
		}
	}
	m->standalone = calloc(m->nh + 1, sizeof(int));
	size_t napp_all = 0;
	for (size_t g = 0; g < c->ecp_count; g++)
		napp_all += c->ecp[g].app_server_count;
	m->apps = calloc(napp_all + 1, sizeof(int));
	m->app_group = calloc(napp_all + 1, sizeof(int));
	if (!m->standalone || !m->apps || !m->app_group)
		goto nomem;
	for (size_t h = 0; h < m->nh; h++)
		if (m->is_data[h] && !m->in_mirror[h])
			m->standalone[m->nstandalone++] = (int)h;
	m->ngroups = c->ecp_count;
	for (size_t g = 0; g < c->ecp_count; g++)
		for (size_t i = 0; i < c->ecp[g].app_server_count; i++) {
			int h = host_index(c, c->ecp[g].app_servers[i]);
			if (h >= 0) {
				m->app_group[m->napps] = (int)g;
				m->apps[m->napps++] = h;
			}
		}
	/* Load balancers and DNS records. */
	m->nlb = c->load_balancer_count;
	m->ndns = c->dns_count;
	m->lb_azs = calloc(m->nlb + 1, sizeof(int *));
	m->lb_targets = calloc(m->nlb + 1, sizeof(int *));
	m->lb_naz = calloc(m->nlb + 1, sizeof(size_t));
	m->lb_ntargets = calloc(m->nlb + 1, sizeof(size_t));
	m->dns_delay_h = calloc(m->ndns + 1, sizeof(double));
	m->dns_primary = calloc(m->ndns + 1, sizeof(int));
	m->dns_secondary = calloc(m->ndns + 1, sizeof(int));
	if (!m->lb_azs || !m->lb_targets || !m->lb_naz || !m->lb_ntargets || !m->dns_delay_h ||
	    !m->dns_primary || !m->dns_secondary)
		goto nomem;
	for (size_t l = 0; l < m->nlb; l++) {
		const struct load_balancer_config *lc = &c->load_balancers[l];
		m->lb_azs[l] = calloc(lc->az_count + 1, sizeof(int));
		m->lb_targets[l] = calloc(lc->target_count + 1, sizeof(int));
		if (!m->lb_azs[l] || !m->lb_targets[l])
			goto nomem;
		for (size_t a = 0; a < lc->az_count; a++) {
			int ai = find_name(az_names, m->naz, lc->azs[a]);
			if (ai >= 0)
				m->lb_azs[l][m->lb_naz[l]++] = ai;
		}
		for (size_t t = 0; t < lc->target_count; t++) {
			int h = host_index(c, lc->targets[t]);
			if (h >= 0)
				m->lb_targets[l][m->lb_ntargets[l]++] = h;
		}
	}
	for (size_t d = 0; d < m->ndns; d++) {
		const struct dns_config *dc = &c->dns[d];
		m->dns_primary[d] = lb_index(c, dc->primary);
		m->dns_secondary[d] = lb_index(c, dc->secondary);
		if (m->dns_primary[d] < 0 || m->dns_secondary[d] < 0) {
			snprintf(err, err_size, "dns \"%s\": primary and secondary must be load "
				 "balancers", dc->name);
			goto inval;
		}
		/* Route 53 marks the primary unhealthy after failure_threshold checks (an alias
		 * record has none: its check_interval and failure_threshold are 0 and it follows
		 * the load balancer at once), and clients keep a cached answer up to the TTL. */
		m->dns_delay_h[d] = (sim_time_to_s(dc->check_interval) *
					     (double)dc->failure_threshold +
				     sim_time_to_s(dc->ttl)) / 3600.0;
	}
	/* The populations' entries. */
	const struct workload_config *w = &c->workload;
	m->paths = calloc(w->population_count + 1, sizeof(*m->paths));
	if (!m->paths)
		goto nomem;
	for (size_t i = 0; i < w->population_count; i++) {
		const char *e = w->populations[i].entry;
		struct path_def p = {.kind = -1};
		for (size_t d = 0; e && d < c->dns_count; d++)
			if (strcmp(c->dns[d].name, e) == 0)
				p = (struct path_def){PATH_DNS, (int)d};
		if (p.kind < 0 && lb_index(c, e) >= 0)
			p = (struct path_def){PATH_LB, lb_index(c, e)};
		if (p.kind < 0 && host_index(c, e) >= 0)
			p = (struct path_def){PATH_HOST, host_index(c, e)};
		if (p.kind >= 0)
			m->paths[m->npaths++] = p;
	}
	free(az_names);
	return 0;
nomem:
	free(az_names);
	return -ENOMEM;
inval:
	free(az_names);
	return -EINVAL;
}

/* ---- batches on threads, summary ----------------------------------------------------------- */

struct job {
	const struct model *m;
	const struct avail_opts *o;
	struct batch *batches;
	size_t *years;
	int *rc;
	int worker, workers;
};

static void *job_main(void *arg)
{
	struct job *j = arg;
	for (int i = j->worker; i < j->o->batches; i += j->workers)
		j->rc[i] = batch_run(&j->batches[i], j->m, j->o->seed, (uint32_t)i, j->years[i],
				     j->o);
	return NULL;
}

static struct avail_ci ci_of(const double *x, size_t n, double level)
{
	struct avail_ci c;
	stat_ci_mean(x, n, level, &c.mean, &c.half);
	return c;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int cmp_cause(const void *a, const void *b)
{
	const struct avail_cause *x = a, *y = b;
	int c = strcmp(x->incident_class, y->incident_class);
	return c ? c : x->stage - y->stage;
}

static double quantile_sorted(const double *x, size_t n, double p)
{
	if (n == 0)
		return NAN;
	double r = p * (double)(n - 1);
	size_t i = (size_t)r;
	if (i + 1 >= n)
		return x[n - 1];
	return x[i] + (r - (double)i) * (x[i + 1] - x[i]);
}

/* Whether some host of c is in AZ az (or, with region, in one of that region's AZs). */
static bool holds_hosts(const struct scenario_config *c, const char *az,
			const struct region_config *region)
{
	for (size_t h = 0; h < c->host_count; h++) {
		if (!c->hosts[h].az)
			continue;
		if (az && strcmp(c->hosts[h].az, az) == 0)
			return true;
		for (size_t a = 0; region && a < region->az_count; a++)
			if (strcmp(c->hosts[h].az, region->azs[a]) == 0)
				return true;
	}
	return false;
}

size_t avail_links(const struct scenario_config *c, struct avail_link *out, size_t cap)
{
	size_t n = 0;
	for (size_t r = 0; r < c->region_count; r++) {
		const struct region_config *rc = &c->regions[r];
		for (size_t a = 0; a < rc->az_count; a++)
			for (size_t b = a + 1; b < rc->az_count; b++)
				if (holds_hosts(c, rc->azs[a], NULL) && holds_hosts(c, rc->azs[b], NULL)) {
					if (out && n < cap)
						out[n] = (struct avail_link){false, {rc->azs[a], rc->azs[b]}};
					n++;
				}
	}
	for (size_t r = 0; r < c->region_count; r++)
		for (size_t q = r + 1; q < c->region_count; q++)
			if (holds_hosts(c, NULL, &c->regions[r]) &&
			    holds_hosts(c, NULL, &c->regions[q])) {
				if (out && n < cap)
					out[n] = (struct avail_link){
						true, {c->regions[r].name, c->regions[q].name}};
				n++;
			}
	return n;
}

int avail_default_classes(struct scenario_config *cfg)
{
	if (cfg->stochastic_fault_count > 0)
		return 0;
	struct stochastic_fault_config *sf = calloc(FAULT_CLASS_COUNT, sizeof(*sf));
	if (!sf)
		return -ENOMEM;
	for (int c = 0; c < FAULT_CLASS_COUNT; c++) {
		sf[c].class_ = c;
		rng_dist_init_exponential(&sf[c].mtbf, fault_class_default_mtbf_h[c] * 3600.0);
		rng_dist_init_exponential(&sf[c].mttr, fault_class_default_mttr_h[c] * 3600.0);
		sf[c].mtbf_default = sf[c].mttr_default = true;
	}
	free(cfg->stochastic_faults);
	cfg->stochastic_faults = sf;
	cfg->stochastic_fault_count = FAULT_CLASS_COUNT;
	return 1;
}

int avail_run(const struct scenario_config *cfg, const struct avail_opts *o,
	      struct avail_result *r, char *err, size_t err_size)
{
	memset(r, 0, sizeof(*r));
	if (!(o->years >= 1) || o->batches < 1 || (double)o->batches > o->years) {
		snprintf(err, err_size, "years must be at least 1 and at least the batch count");
		return -EINVAL;
	}
	struct model m;
	int rc = model_build(&m, cfg, err, err_size);
	for (size_t p = 0; rc == 0 && o->bias > 0 && p < m.np; p++)
		if (m.procs[p].sc->mtbf.kind != RNG_DIST_EXPONENTIAL) {
			snprintf(err, err_size, "importance sampling needs exponential mtbf "
				 "everywhere (%s is not)", m.procs[p].name + strlen("avail:"));
			rc = -EINVAL;
		}
	if (rc == 0 && !(o->bias >= 0 && o->bias < 1)) {
		snprintf(err, err_size, "the bias must be in [0, 1)");
		rc = -EINVAL;
	}
	if (rc == 0 && m.np == 0) {
		snprintf(err, err_size, "$.stochastic_faults: no stochastic fault class, so nothing fails (add {\"class\": \"host\"} and the others for their sourced default rates)");
		rc = -EINVAL;
	}
	if (rc < 0) {
		model_release(&m);
		return rc;
	}
	size_t total = (size_t)o->years, nb = (size_t)o->batches;
	struct batch *batches = calloc(nb, sizeof(*batches));
	size_t *years = calloc(nb, sizeof(size_t));
	int *rcs = calloc(nb, sizeof(int));
	int workers = o->jobs < 1 ? 1 : o->jobs;
	if ((size_t)workers > nb)
		workers = (int)nb;
	struct job *jobs = calloc((size_t)workers, sizeof(*jobs));
	pthread_t *th = calloc((size_t)workers, sizeof(*th));
	if (!batches || !years || !rcs || !jobs || !th) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nb; i++)
		years[i] = total / nb + (i < total % nb);
	for (int w = 0; w < workers; w++) {
		jobs[w] = (struct job){&m, o, batches, years, rcs, w, workers};
		if (w > 0 && pthread_create(&th[w], NULL, job_main, &jobs[w]) != 0) {
			jobs[w].workers = 0; /* run it here below */
		}
	}
	job_main(&jobs[0]);
	for (int w = 1; w < workers; w++) {
		if (jobs[w].workers == 0) {
			jobs[w].workers = workers;
			job_main(&jobs[w]);
		} else {
			pthread_join(th[w], NULL);
		}
	}
	for (size_t i = 0; i < nb; i++)
		if (rcs[i] < 0) {
			rc = rcs[i];
			goto out;
		}
	/* Summary across batches. */
	double *ua = calloc(nb, sizeof(double)), *dm = calloc(nb, sizeof(double));
	double *inc = calloc(nb, sizeof(double)), *tk = calloc(nb, sizeof(double));
	double *pr = calloc(nb, sizeof(double)), *all_years = calloc(total, sizeof(double));
	double *per = calloc(nb, sizeof(double));
	double *ra = calloc(nb, sizeof(double)), *rdm = calloc(nb, sizeof(double));
	if (!ua || !dm || !inc || !tk || !pr || !all_years || !per || !ra || !rdm) {
		rc = -ENOMEM;
		goto out_summary;
	}
	size_t y = 0;
	bool is = o->bias > 0;
	double ess1 = 0, ess2 = 0, wt_all = 0;
	for (size_t i = 0; i < nb && is; i++) {
		if (batches[i].cycles == 0) {
			snprintf(err, err_size, "importance sampling: batch %zu closed no regenerative "
				 "cycle; simulate more years", i);
			rc = -EINVAL;
			goto out_summary;
		}
		ess1 += batches[i].ess_s1;
		ess2 += batches[i].ess_s2;
		wt_all += batches[i].w_time;
		r->cycles += batches[i].cycles;
	}
	for (size_t i = 0; i < nb; i++) {
		const struct batch *b = &batches[i];
		double yrs = (double)years[i];
		if (is) {
			/* Ratios of likelihood-weighted sums over the batch's closed cycles. */
			double per_year = AVAIL_HOURS_PER_YEAR / b->w_time;
			ua[i] = 1.0 - b->w_down / (b->w_time * 60.0);
			dm[i] = b->w_down * per_year;
			ra[i] = 1.0 - b->w_read_down / (b->w_time * 60.0);
			rdm[i] = b->w_read_down * per_year;
			inc[i] = b->w_inc * per_year;
			tk[i] = b->w_tk * per_year;
			pr[i] = b->w_pr * per_year;
		} else {
			ua[i] = 1.0 - b->down_minutes / (yrs * AVAIL_HOURS_PER_YEAR * 60.0);
			dm[i] = b->down_minutes / yrs;
			ra[i] = 1.0 - b->read_down_minutes / (yrs * AVAIL_HOURS_PER_YEAR * 60.0);
			rdm[i] = b->read_down_minutes / yrs;
			inc[i] = (double)b->incidents / yrs;
			tk[i] = (double)b->takeovers / yrs;
			pr[i] = (double)b->promotions / yrs;
		}
		for (size_t k = 0; k < years[i]; k++)
			all_years[y++] = b->year_minutes[k];
		r->events += b->events;
		for (int c = 0; c < FAULT_CLASS_COUNT; c++)
			r->failures_per_year[c] += is ? b->w_fail[c] * AVAIL_HOURS_PER_YEAR / wt_all
						      : (double)b->failures[c] / o->years;
		r->outages += b->outages;
		r->batches_without_outage += b->outages == 0;
	}
	r->years = (double)total;
	r->batches = (int)nb;
	r->level = o->level;
	r->components = m.np;
	r->write_availability = ci_of(ua, nb, o->level);
	r->read_availability = ci_of(ra, nb, o->level);
	r->read_downtime_minutes_per_year = ci_of(rdm, nb, o->level);
	r->downtime_minutes_per_year = ci_of(dm, nb, o->level);
	r->batch_minutes = malloc(nb * sizeof(double));
	if (!r->batch_minutes) {
		rc = -ENOMEM;
		goto out_summary;
	}
	memcpy(r->batch_minutes, dm, nb * sizeof(double));
	r->incidents_per_year = ci_of(inc, nb, o->level);
	r->takeovers_per_year = ci_of(tk, nb, o->level);
	r->lossy_promotions_per_year = ci_of(pr, nb, o->level);
	qsort(all_years, total, sizeof(double), cmp_double);
	r->yearly_downtime_p50 = quantile_sorted(all_years, total, 0.50);
	r->yearly_downtime_p90 = quantile_sorted(all_years, total, 0.90);
	r->yearly_downtime_p99 = quantile_sorted(all_years, total, 0.99);
	r->yearly_downtime_max = all_years[total - 1];
	r->importance = is;
	r->effective_samples = (double)r->outages;
	if (is) {
		/* The biased years' downtime is not a sample of a year's downtime. */
		r->yearly_downtime_p50 = r->yearly_downtime_p90 = NAN;
		r->yearly_downtime_p99 = r->yearly_downtime_max = NAN;
		r->effective_samples = ess2 > 0 ? ess1 * ess1 / ess2 : 0;
	}
	/* Causes: the union of the batches' (class, stage) pairs with downtime. */
	for (size_t i = 0; i < nb; i++) {
		const struct batch *b = &batches[i];
		for (size_t c = 0; c < b->ncauses; c++)
			for (int s = 0; s < AVAIL_STAGE_COUNT; s++) {
				if (b->causes[c].minutes[s] <= 0 && b->causes[c].started[s] == 0)
					continue;
				bool have = false;
				for (size_t k = 0; k < r->cause_count && !have; k++)
					have = r->causes[k].stage == s &&
					       strcmp(r->causes[k].incident_class, b->causes[c].name) == 0;
				if (have)
					continue;
				struct avail_cause *nc =
					realloc(r->causes, (r->cause_count + 1) * sizeof(*nc));
				if (!nc) {
					rc = -ENOMEM;
					goto out_summary;
				}
				r->causes = nc;
				nc[r->cause_count] = (struct avail_cause){
					.incident_class = strdup(b->causes[c].name), .stage = s};
				if (!nc[r->cause_count].incident_class) {
					rc = -ENOMEM;
					goto out_summary;
				}
				r->cause_count++;
			}
	}
	if (r->cause_count > 1) /* qsort wants a non-NULL base even for 0 elements */
		qsort(r->causes, r->cause_count, sizeof(*r->causes), cmp_cause);
	for (size_t k = 0; k < r->cause_count; k++) {
		struct avail_cause *ca = &r->causes[k];
		uint64_t started = 0;
		double started_w = 0;
		for (size_t i = 0; i < nb; i++) {
			per[i] = 0;
			const struct batch *b = &batches[i];
			for (size_t c = 0; c < b->ncauses; c++)
				if (strcmp(b->causes[c].name, ca->incident_class) == 0) {
					const struct cause_acc *cc = &b->causes[c];
					per[i] = is ? cc->w_minutes[ca->stage] * AVAIL_HOURS_PER_YEAR /
							      b->w_time
						    : cc->minutes[ca->stage] / (double)years[i];
					started_w += cc->w_started[ca->stage];
					started += cc->started[ca->stage];
					ca->samples += cc->visits[ca->stage];
				}
		}
		ca->minutes_per_year = ci_of(per, nb, o->level);
		ca->incidents_per_year = is ? started_w * AVAIL_HOURS_PER_YEAR / wt_all
					    : (double)started / o->years;
	}
out_summary:
	free(ua);
	free(dm);
	free(inc);
	free(tk);
	free(pr);
	free(all_years);
	free(per);
	free(ra);
	free(rdm);
out:
	for (size_t i = 0; batches && i < nb; i++)
		if (batches[i].m)
			batch_release(&batches[i]);
	free(batches);
	free(years);
	free(rcs);
	free(jobs);
	free(th);
	model_release(&m);
	if (rc < 0 && rc != -EINVAL)
		snprintf(err, err_size, "out of memory");
	return rc;
}

void avail_result_release(struct avail_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->cause_count; i++)
		free(r->causes[i].incident_class);
	free(r->causes);
	free(r->batch_minutes);
	r->batch_minutes = NULL;
	r->causes = NULL;
	r->cause_count = 0;
}
