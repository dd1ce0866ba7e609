/* runner.c: replications on worker threads and other ranks, one writer in replication
 * order (see runner.h).
 *
 * Runners (local worker threads, and in a cluster the dispatcher for the other ranks'
 * threads, cluster.h) take replication indices from the pool: first those given back by a
 * dead rank, then in order from `next`, into a ring of 2 x runners slots; a replication i
 * may start only while i < consumed + ring size, so slot i % ring is free (and stays
 * reserved for i until it is consumed, whoever runs it). The calling thread waits for slot
 * `rep % ring`, consumes it (database, summary, caller) and frees it. A failed or
 * interrupted replication stops the pool: the writer keeps every replication before the
 * first one that did not complete.
 */
#include "runner.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cluster.h"
#include "record_store.h"
#include "world_params.h"

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return h;
}

void runner_scenario_hash(const struct scenario *s, char out[17])
{
	snprintf(out, 17, "%016llx", (unsigned long long)fnv1a(s->merged_json));
}

int runner_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n >= 1 ? (int)(n > 256 ? 256 : n) : 1;
}

enum slot_state { SLOT_EMPTY, SLOT_RUNNING, SLOT_DONE };

struct slot {
	enum slot_state state;
	int64_t rep;
	int rc;                 /* world_run's */
	struct record rec;
	char err[512];
	char started_at[32];
	double wall_s;
	double fraction;        /* progress of a running replication */
};

struct pool {
	const struct runner_opts *o;
	const struct world_config *cfg;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct slot *slots;
	int64_t ring;           /* slot count */
	int64_t next;           /* next replication to start */
	int64_t consumed;       /* replications the writer has taken */
	int64_t *again;         /* replications given back by a dead rank, to run first */
	int64_t again_count;
	bool stop;
};

/* With p->mu held: a replication to start now, or false. */
static bool pool_take_locked(struct pool *p, int64_t *rep)
{
	if (p->stop)
		return false;
	if (p->again_count > 0) {
		*rep = p->again[--p->again_count];
	} else if (p->next < p->o->replications && p->next < p->consumed + p->ring) {
		*rep = p->next++;
	} else {
		return false;
	}
	struct slot *sl = &p->slots[*rep % p->ring];
	sl->state = SLOT_RUNNING;
	sl->rep = *rep;
	sl->fraction = 0;
	sl->err[0] = '\0';
	return true;
}

/* With p->mu held: the outcome of replication rep (the record moved in when rc == 0). */
static void pool_deliver_locked(struct pool *p, int64_t rep, int rc, struct record *rec,
				const char *err, const char *started_at, double wall_s)
{
	struct slot *sl = &p->slots[rep % p->ring];
	if (rc == 0)
		sl->rec = *rec;
	else
		snprintf(sl->err, sizeof(sl->err), "%s", err ? err : "");
	snprintf(sl->started_at, sizeof(sl->started_at), "%s", started_at ? started_at : "");
	sl->rc = rc;
	sl->wall_s = wall_s;
	sl->state = SLOT_DONE;
	if (rc < 0)
		p->stop = true;
	pthread_cond_broadcast(&p->cv);
}

struct progress_ctx {
	struct pool *pool;
	struct slot *slot;
};

/* With p->mu held: a running replication's slot moved to `fraction`; ask the caller. */
static bool pool_progress_locked(struct pool *p, struct slot *slot, double fraction)
{
	slot->fraction = fraction;
	double running = 0;
	for (int64_t i = 0; i < p->ring; i++)
		if (p->slots[i].state == SLOT_RUNNING)
			running += p->slots[i].fraction;
	int64_t done = p->consumed;
	for (int64_t i = 0; i < p->ring; i++)
		done += p->slots[i].state == SLOT_DONE && p->slots[i].rc == 0;
	return p->o->progress(p->o->progress_arg, done, p->o->replications, running);
}

static bool on_progress(void *arg, double fraction)
{
	struct progress_ctx *pc = arg;
	pthread_mutex_lock(&pc->pool->mu);
	bool go = pool_progress_locked(pc->pool, pc->slot, fraction);
	pthread_mutex_unlock(&pc->pool->mu);
	return go;
}

/* --- the other ranks, through the cluster's dispatcher -------------------------------------- */

static bool remote_take(void *arg, int64_t *rep)
{
	struct pool *p = arg;
	pthread_mutex_lock(&p->mu);
	bool ok = pool_take_locked(p, rep);
	pthread_mutex_unlock(&p->mu);
	return ok;
}

static void remote_give_back(void *arg, int64_t rep)
{
	struct pool *p = arg;
	pthread_mutex_lock(&p->mu);
	p->again[p->again_count++] = rep;
	p->slots[rep % p->ring].fraction = 0;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void remote_deliver(void *arg, int64_t rep, int rc, struct record *rec, const char *err,
			   const char *started_at, double wall_s)
{
	struct pool *p = arg;
	pthread_mutex_lock(&p->mu);
	pool_deliver_locked(p, rep, rc, rec, err, started_at, wall_s);
	pthread_mutex_unlock(&p->mu);
}

static bool remote_progress(void *arg, int64_t rep, double fraction)
{
	struct pool *p = arg;
	pthread_mutex_lock(&p->mu);
	bool go = !p->o->progress || pool_progress_locked(p, &p->slots[rep % p->ring], fraction);
	pthread_mutex_unlock(&p->mu);
	return go;
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	const struct runner_opts *o = p->o;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		int64_t rep;
		/* Wait while nothing can start and some replication may still come back. */
		while (!p->stop && p->consumed < o->replications && !pool_take_locked(p, &rep))
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop || p->consumed >= o->replications)
			break;
		struct slot *sl = &p->slots[rep % p->ring];
		pthread_mutex_unlock(&p->mu);

		char started_at[32];
		time_t t0 = time(NULL);
		struct tm tm;
		strftime(started_at, sizeof(started_at), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t0, &tm));
		double started = wall_now();
		struct progress_ctx pc = {p, sl};
		struct record rec;
		char err[512] = "";
		int rc = world_run(p->cfg, o->seed, (uint32_t)(o->first_replication + rep),
				   o->progress ? on_progress : NULL, &pc, &rec, err, sizeof(err));
		double wall = wall_now() - started;

		pthread_mutex_lock(&p->mu);
		pool_deliver_locked(p, rep, rc, &rec, err, started_at, wall);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int runner_run(const struct scenario *s, const struct runner_opts *o, struct results *db,
	       struct summary *sum, char *err, size_t err_size)
{
	summary_init(sum, o->ci_level);
	struct world_params wp;
	if (world_params_init(&wp, s, o->warmup, o->duration, o->series_width) < 0) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	char hash[17];
	runner_scenario_hash(s, hash);
	int threads = o->threads > 0 ? o->threads : runner_default_threads();
	if (threads > o->replications)
		threads = (int)(o->replications > 0 ? o->replications : 1);
	/* In a cluster, the other ranks' threads join this pool. */
	struct cluster_dispatch *cluster = NULL;
	int remote_slots = 0;
	if (cluster_size() > 1 && o->replications > 0) {
		struct cluster_job job = {s,           o->seed,    o->warmup,
					  o->duration, o->series_width, o->threads,
					  o->first_replication};
		int crc = cluster_dispatch_start(&job, &cluster, &remote_slots, err, err_size);
		if (crc < 0) {
			world_params_release(&wp);
			summary_finish(sum);
			return crc;
		}
	}
	struct pool p = {.o = o, .cfg = &wp.cfg, .ring = 2 * ((int64_t)threads + remote_slots)};
	pthread_t *tids = calloc((size_t)threads, sizeof(*tids));
	p.slots = calloc((size_t)p.ring, sizeof(*p.slots));
	p.again = calloc((size_t)p.ring, sizeof(*p.again));
	if (!tids || !p.slots || !p.again) {
		cluster_dispatch_stop(cluster);
		free(tids);
		free(p.slots);
		free(p.again);
		world_params_release(&wp);
		summary_finish(sum);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	double started = wall_now();
	int rc = 0, started_threads = 0;
	if (cluster) {
		struct cluster_pool_ops ops = {&p, remote_take, remote_give_back, remote_deliver,
					       remote_progress};
		if (cluster_dispatch_run(cluster, &ops) < 0) {
			snprintf(err, err_size, "cannot start the cluster's dispatcher thread");
			rc = -ENOMEM;
		}
	}
	for (int t = 0; t < threads; t++) {
		if (pthread_create(&tids[t], NULL, worker, &p) != 0)
			break;
		started_threads++;
	}
	if (started_threads == 0) {
		snprintf(err, err_size, "cannot start a worker thread");
		rc = -ENOMEM;
	}
	for (int64_t rep = 0; rc == 0 && rep < o->replications; rep++) {
		struct slot *sl = &p.slots[rep % p.ring];
		pthread_mutex_lock(&p.mu);
		while (!(sl->state == SLOT_DONE && sl->rep == rep))
			pthread_cond_wait(&p.cv, &p.mu);
		pthread_mutex_unlock(&p.mu);
		if (sl->rc < 0) {
			rc = sl->rc;
			snprintf(err, err_size, "%s", sl->err);
			break;
		}
		struct record_run_info info = {s->config.name, s->merged_json, hash, o->version,
					       sl->started_at, sl->wall_s, o->experiment, o->variant};
		int src = db ? record_store(db, &info, &sl->rec) : 0;
		if (src < 0) {
			snprintf(err, err_size, "%s",
				 src == -ENOMEM ? "out of memory" : results_errmsg(db));
			rc = src;
		} else {
			summary_add(sum, &sl->rec);
			if (o->on_record)
				o->on_record(o->record_arg, &sl->rec);
		}
		record_release(&sl->rec);
		pthread_mutex_lock(&p.mu);
		sl->state = SLOT_EMPTY;
		p.consumed++;
		if (rc < 0)
			p.stop = true;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
	}
	pthread_mutex_lock(&p.mu);
	p.stop = true;
	pthread_cond_broadcast(&p.cv);
	pthread_mutex_unlock(&p.mu);
	for (int t = 0; t < started_threads; t++)
		pthread_join(tids[t], NULL);
	cluster_dispatch_stop(cluster);
	/* Records completed after the first failure are dropped. */
	for (int64_t i = 0; i < p.ring; i++)
		if (p.slots[i].state == SLOT_DONE && p.slots[i].rc == 0)
			record_release(&p.slots[i].rec);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	free(p.slots);
	free(p.again);
	free(tids);
	sum->wall_s = wall_now() - started;
	sum->interrupted = rc == -EINTR;
	summary_finish(sum);
	world_params_release(&wp);
	if (rc == 0 && sum->out_of_memory) {
		snprintf(err, err_size, "out of memory");
		rc = -ENOMEM;
	}
	return rc;
}
