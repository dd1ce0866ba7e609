/* runner.c: replications on worker threads, one writer in replication order (see runner.h).
 *
 * Workers take replication indices in order from `next` and run them into a ring of
 * 2 x threads slots; a worker may start replication i only while i < consumed + ring size,
 * so slot i % ring is free. The calling thread waits for slot `rep % ring`, consumes it
 * (database, summary, caller) and frees it. A failed or interrupted replication stops the
 * pool: the writer keeps every replication before the first one that did not complete.
 */
#include "runner.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
	bool stop;
};

struct progress_ctx {
	struct pool *pool;
	struct slot *slot;
};

static bool on_progress(void *arg, double fraction)
{
	struct progress_ctx *pc = arg;
	struct pool *p = pc->pool;
	pthread_mutex_lock(&p->mu);
	pc->slot->fraction = fraction;
	double running = 0;
	for (int64_t i = 0; i < p->ring; i++)
		if (p->slots[i].state == SLOT_RUNNING)
			running += p->slots[i].fraction;
	int64_t done = p->consumed;
	for (int64_t i = 0; i < p->ring; i++)
		done += p->slots[i].state == SLOT_DONE && p->slots[i].rc == 0;
	bool go = p->o->progress(p->o->progress_arg, done, p->o->replications, running);
	pthread_mutex_unlock(&p->mu);
	return go;
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	const struct runner_opts *o = p->o;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->next < o->replications && p->next >= p->consumed + p->ring)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop || p->next >= o->replications)
			break;
		int64_t rep = p->next++;
		struct slot *sl = &p->slots[rep % p->ring];
		sl->state = SLOT_RUNNING;
		sl->rep = rep;
		sl->fraction = 0;
		sl->err[0] = '\0';
		pthread_mutex_unlock(&p->mu);

		time_t t0 = time(NULL);
		struct tm tm;
		strftime(sl->started_at, sizeof(sl->started_at), "%Y-%m-%dT%H:%M:%SZ",
			 gmtime_r(&t0, &tm));
		double started = wall_now();
		struct progress_ctx pc = {p, sl};
		int rc = world_run(p->cfg, o->seed, (uint32_t)(o->first_replication + rep), o->progress ? on_progress : NULL,
				   &pc, &sl->rec, sl->err, sizeof(sl->err));
		double wall = wall_now() - started;

		pthread_mutex_lock(&p->mu);
		sl->rc = rc;
		sl->wall_s = wall;
		sl->state = SLOT_DONE;
		if (rc < 0)
			p->stop = true;
		pthread_cond_broadcast(&p->cv);
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
	snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)fnv1a(s->merged_json));
	int threads = o->threads > 0 ? o->threads : runner_default_threads();
	if (threads > o->replications)
		threads = (int)(o->replications > 0 ? o->replications : 1);
	struct pool p = {.o = o, .cfg = &wp.cfg, .ring = 2 * (int64_t)threads};
	pthread_t *tids = calloc((size_t)threads, sizeof(*tids));
	p.slots = calloc((size_t)p.ring, sizeof(*p.slots));
	if (!tids || !p.slots) {
		free(tids);
		free(p.slots);
		world_params_release(&wp);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	double started = wall_now();
	int rc = 0, started_threads = 0;
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
	/* Records completed after the first failure are dropped. */
	for (int64_t i = 0; i < p.ring; i++)
		if (p.slots[i].state == SLOT_DONE && p.slots[i].rc == 0)
			record_release(&p.slots[i].rec);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	free(p.slots);
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
