/* cluster.c: replications over MPI ranks (see cluster.h for the design).
 *
 * Messages (all MPI_BYTE on MPI_COMM_WORLD, the tag says which):
 *   rank 0 -> worker   TAG_JOB     struct msg_job + name + catalog dir + scenario text
 *                      TAG_UNIT    struct msg_unit (job id, replication)
 *                      TAG_CANCEL  struct msg_unit (job id): drop that job's units
 *                      TAG_STOP    one byte: leave; 1 when a rank died (then without
 *                                  MPI_Finalize, which would wait for the dead rank)
 *   worker -> rank 0   TAG_READY   struct msg_ready (job id, threads, or the load error)
 *                      TAG_RESULT  struct msg_result + the record's bytes (record_wire.h)
 *                      TAG_BEAT    struct msg_beat + (replication, fraction) per running unit
 *                      TAG_BYE     nothing: the answer to TAG_STOP, its last message
 * A result or heartbeat of a job other than the current one is stale and dropped.
 */
#include "cluster.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TOPSIM_MPI

int cluster_init(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}
int cluster_rank(void) { return 0; }
int cluster_size(void) { return 1; }
const char *cluster_library(void) { return "none (built without MPI)"; }
int cluster_worker_main(void) { return 0; }
int cluster_shutdown(int status) { return status; }
int cluster_dispatch_start(const struct cluster_job *job, struct cluster_dispatch **out,
			   int *slots, char *err, size_t err_size)
{
	(void)job;
	*out = NULL;
	*slots = 0;
	snprintf(err, err_size, "built without MPI");
	return -EINVAL;
}
int cluster_dispatch_run(struct cluster_dispatch *d, const struct cluster_pool_ops *ops)
{
	(void)d;
	(void)ops;
	return -EINVAL;
}
void cluster_dispatch_stop(struct cluster_dispatch *d) { (void)d; }

#else /* TOPSIM_MPI */

#include <mpi.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "record_wire.h"
#include "runner.h"
#include "scenario.h"
#include "world.h"
#include "world_params.h"

enum { TAG_JOB = 1, TAG_UNIT, TAG_CANCEL, TAG_STOP, TAG_READY, TAG_RESULT, TAG_BEAT, TAG_BYE };

#define BEAT_EVERY_S 1.0
#define RANK_TIMEOUT_DEFAULT_S 60.0

struct msg_job {
	uint32_t id;
	int32_t threads;
	uint64_t seed;
	char text_hash[17];  /* runner_scenario_hash of rank 0's scenario */
	int64_t warmup, duration, series_width, first_replication;
	uint32_t name_len, dir_len, text_len;
};

struct msg_unit {
	uint32_t id;
	int64_t rep;
};

struct msg_ready {
	uint32_t id;
	int32_t threads;   /* 0: cannot run the job, see err */
	char err[400];
};

struct msg_result {
	uint32_t id;
	int32_t rc;
	int64_t rep;
	double wall_s;
	char started_at[32];
	char err[512];
};

struct msg_beat {
	uint32_t id;
	uint32_t count;    /* (int64 rep, double fraction) pairs follow */
};

static int rank_, size_ = 1;
static bool initialised, finalised;
static bool *dead_ranks;  /* rank 0: ranks taken for dead, for the rest of the process */

/* TOPSIM_CLUSTER_STATS: what the units run on other ranks cost beyond their simulation. */
static struct {
	int64_t units;
	double overhead_s;   /* sent to result decoded, less the worker's wall time */
	double bytes;        /* records received */
} stats;

static double rank_timeout(void);

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static double wall_now(void);

/* Rank 0: take rank r for dead from now on, saying so once. */
static void mark_dead(int r, const char *why)
{
	if (dead_ranks[r])
		return;
	dead_ranks[r] = true;
	fprintf(stderr, "\ntopsim: rank %d %s: going on without it\n", r, why);
}

/* Rank 0: send to worker r unless it is dead; a send that cannot complete within the rank
 * timeout (a large message to a rank that died) marks it dead. Returns false when r is. */
static bool send_to_worker(const void *buf, size_t size, int r, int tag)
{
	if (dead_ranks[r])
		return false;
	MPI_Request req;
	if (MPI_Isend(buf, (int)size, MPI_BYTE, r, tag, MPI_COMM_WORLD, &req) != MPI_SUCCESS) {
		mark_dead(r, "cannot be reached");
		return false;
	}
	double until = wall_now() + rank_timeout();
	for (;;) {
		int done = 0;
		if (MPI_Test(&req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
			break;
		if (done)
			return true;
		if (wall_now() > until)
			break;
		sleep_ms(1);
	}
	/* Given up: the send is cancelled so that finalising does not wait for it. */
	MPI_Cancel(&req);
	MPI_Request_free(&req);
	mark_dead(r, "takes no message");
	return false;
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}


int cluster_init(int *argc, char ***argv)
{
	if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") && !getenv("PMIX_RANK"))
		return 0;
	int provided = 0;
	if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) {
		fprintf(stderr, "topsim: MPI_Init_thread failed\n");
		return -1;
	}
	initialised = true;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
	MPI_Comm_size(MPI_COMM_WORLD, &size_);
	/* Errors come back as codes: a dead peer must not abort rank 0. */
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	if (!(dead_ranks = calloc((size_t)size_, sizeof(*dead_ranks)))) {
		fprintf(stderr, "topsim: out of memory\n");
		MPI_Abort(MPI_COMM_WORLD, 3);
	}
	if (provided < MPI_THREAD_SERIALIZED && size_ > 1) {
		if (rank_ == 0)
			fprintf(stderr, "topsim: this MPI library does not allow threads "
					"(MPI_THREAD_SERIALIZED); run one process per rank without MPI\n");
		MPI_Finalize();
		finalised = true;
		return -1;
	}
	return 0;
}

int cluster_rank(void) { return rank_; }
int cluster_size(void) { return size_; }

const char *cluster_library(void)
{
	static char name[128];
	if (!name[0]) {
#ifdef OMPI_MAJOR_VERSION
		snprintf(name, sizeof(name), "Open MPI %d.%d.%d", OMPI_MAJOR_VERSION,
			 OMPI_MINOR_VERSION, OMPI_RELEASE_VERSION);
#else
		snprintf(name, sizeof(name), "MPI %d.%d", MPI_VERSION, MPI_SUBVERSION);
#endif
	}
	return name;
}

int cluster_shutdown(int status)
{
	if (!initialised || finalised)
		return status;
	if (rank_ == 0 && size_ > 1 && getenv("TOPSIM_CLUSTER_STATS"))
		fprintf(stderr, "cluster: %d ranks; %lld replications ran on the other %d, %.1f kB "
				"per record, %.2f ms per replication from sending it to its record "
				"decoded beyond the simulation\n",
			size_, (long long)stats.units, size_ - 1,
			stats.units ? stats.bytes / (double)stats.units / 1e3 : 0.0,
			stats.units ? 1e3 * stats.overhead_s / (double)stats.units : 0.0);
	if (rank_ == 0 && size_ > 1) {
		/* Stop every worker, and read what they still send (a result of a cancelled job
		 * may be blocking a worker's send) until each says bye or stays silent. */
		bool *bye = calloc((size_t)size_, sizeof(*bye));
		int left = 0;
		bool any_dead = false;
		for (int r = 1; r < size_; r++)
			any_dead |= dead_ranks[r];
		unsigned char lost = any_dead;
		for (int r = 1; r < size_; r++)
			left += send_to_worker(&lost, 1, r, TAG_STOP);
		/* A rank taken for dead may only have been slow: if it speaks now (its heartbeat
		 * comes every second), it is alive after all and told to stop too. Sending to a
		 * truly dead rank could hang in TCP connect, so nothing is sent to a silent one. */
		double timeout = rank_timeout(), started = wall_now(), last = started;
		unsigned char *in = NULL;
		while (bye && wall_now() - last < timeout &&
		       (left > 0 || (any_dead && wall_now() - started < 2.5 * BEAT_EVERY_S))) {
			int flag = 0, count = 0;
			MPI_Status st;
			MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
			if (!flag) {
				sleep_ms(1);
				continue;
			}
			MPI_Get_count(&st, MPI_BYTE, &count);
			unsigned char *grown = realloc(in, (size_t)count + 1);
			if (!grown)
				break;
			in = grown;
			MPI_Recv(in, count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
			last = wall_now();
			int r = st.MPI_SOURCE;
			if (r <= 0 || r >= size_ || bye[r])
				continue;
			if (dead_ranks[r]) {
				dead_ranks[r] = false;
				left += send_to_worker(&lost, 1, r, TAG_STOP);
			}
			if (st.MPI_TAG == TAG_BYE) {
				bye[r] = true;
				left--;
			}
		}
		free(in);
		free(bye);
		/* After a rank died, finalising can wait minutes for a TCP connection to it
		 * (Open MPI 4.1 reconnects to send what was queued for it). Everything is
		 * written: leave without it (mpirun --enable-recovery lets the job end). */
		for (int r = 1; r < size_; r++)
			if (dead_ranks[r]) {
				fflush(NULL);
				_exit(status);
			}
	}
	fflush(NULL);
	MPI_Finalize();
	finalised = true;
	return status;
}

/* --- worker ------------------------------------------------------------------------------- */

struct done_unit {
	struct done_unit *next;
	struct msg_result head;
	unsigned char *bytes;
	size_t size;
};

struct running_unit {
	int64_t rep;       /* -1: the thread is idle */
	double fraction;
};

struct worker {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* the current job */
	uint32_t job;
	bool loaded;
	struct scenario s;
	struct world_params wp;
	uint64_t seed;
	int64_t first_replication;
	int threads;
	pthread_t *tids;
	int started;
	struct running_unit *running;  /* one per thread */
	int64_t *queue;                /* units to run, FIFO */
	size_t qhead, qlen, qcap;
	bool cancel;                   /* drop the job's units (world_run stops at its next slice) */
	bool quit;                     /* threads leave */
	struct done_unit *done, **done_tail;
	struct thread_arg *args;       /* one per thread */
};

struct thread_arg {
	struct worker *w;
	int index;
};

static bool worker_progress(void *arg, double fraction)
{
	struct thread_arg *ta = arg;
	struct worker *w = ta->w;
	pthread_mutex_lock(&w->mu);
	w->running[ta->index].fraction = fraction;
	bool go = !w->cancel;
	pthread_mutex_unlock(&w->mu);
	return go;
}

static void *worker_thread(void *arg)
{
	struct thread_arg *ta = arg;
	struct worker *w = ta->w;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->quit && w->qlen == 0)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->quit)
			break;
		int64_t rep = w->queue[w->qhead];
		w->qhead = (w->qhead + 1) % w->qcap;
		w->qlen--;
		w->running[ta->index] = (struct running_unit){rep, 0};
		uint32_t job = w->job;
		pthread_mutex_unlock(&w->mu);

		struct done_unit *d = calloc(1, sizeof(*d));
		struct record rec;
		time_t t0 = time(NULL);
		struct tm tm;
		double started = wall_now();
		int rc = -ENOMEM;
		if (d) {
			strftime(d->head.started_at, sizeof(d->head.started_at),
				 "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t0, &tm));
			rc = world_run(&w->wp.cfg, w->seed, (uint32_t)(w->first_replication + rep),
				       worker_progress, ta, &rec, d->head.err, sizeof(d->head.err));
			if (rc == 0) {
				if (record_wire_encode(&rec, &d->bytes, &d->size) < 0) {
					rc = -ENOMEM;
					snprintf(d->head.err, sizeof(d->head.err), "out of memory");
				}
				record_release(&rec);
			}
		}
		pthread_mutex_lock(&w->mu);
		w->running[ta->index].rep = -1;
		if (d) {
			d->head.id = job;
			d->head.rc = rc;
			d->head.rep = rep;
			d->head.wall_s = wall_now() - started;
			*w->done_tail = d;
			w->done_tail = &d->next;
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Stop the job's threads (their units are dropped) and release it. */
static void worker_end_job(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	w->cancel = w->quit = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (int t = 0; t < w->started; t++)
		pthread_join(w->tids[t], NULL);
	for (struct done_unit *d = w->done, *next; d; d = next) {
		next = d->next;
		free(d->bytes);
		free(d);
	}
	if (w->loaded) {
		world_params_release(&w->wp);
		scenario_release(&w->s);
	}
	free(w->tids);
	free(w->running);
	free(w->queue);
	free(w->args);
	w->args = NULL;
	w->tids = NULL;
	w->running = NULL;
	w->queue = NULL;
	w->done = NULL;
	w->done_tail = &w->done;
	w->qhead = w->qlen = w->qcap = 0;
	w->started = 0;
	w->loaded = w->cancel = w->quit = false;
}

static int default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n >= 1 ? (int)(n > 256 ? 256 : n) : 1;
}

/* Load the job in buf (TAG_JOB) and start its threads; the answer goes to rank 0. */
static void worker_start_job(struct worker *w, const unsigned char *buf, size_t size)
{
	struct msg_ready ready = {0};
	struct msg_job h;
	if (size < sizeof(h)) {
		snprintf(ready.err, sizeof(ready.err), "a job message too short");
		goto answer;
	}
	memcpy(&h, buf, sizeof(h));
	ready.id = w->job = h.id;
	if ((size_t)h.name_len + h.dir_len + h.text_len + 3 != size - sizeof(h)) {
		snprintf(ready.err, sizeof(ready.err), "a job message of the wrong size");
		goto answer;
	}
	const char *name = (const char *)buf + sizeof(h);
	const char *dir = name + h.name_len + 1;
	const char *text = dir + h.dir_len + 1;
	struct scenario_load_opts o = {.catalog_dir = dir, .text = text};
	struct diag diag;
	diag_init(&diag);
	int rc = scenario_load_with(&w->s, name, &o, &diag);
	if (rc < 0) {
		const struct diag_item *first = diag_count(&diag) ? diag_item(&diag, 0) : NULL;
		snprintf(ready.err, sizeof(ready.err), "cannot load %s: %s", name,
			 first ? first->message : "out of memory");
		diag_release(&diag);
		scenario_release(&w->s);
		goto answer;
	}
	diag_release(&diag);
	char hash[17];
	runner_scenario_hash(&w->s, hash);
	h.text_hash[sizeof(h.text_hash) - 1] = '\0';
	if (strcmp(hash, h.text_hash) != 0) {
		snprintf(ready.err, sizeof(ready.err),
			 "read %s differently from rank 0 (another catalog in %s?)", name, dir);
		scenario_release(&w->s);
		goto answer;
	}
	if (world_params_init(&w->wp, &w->s, h.warmup, h.duration, h.series_width) < 0) {
		snprintf(ready.err, sizeof(ready.err), "out of memory");
		scenario_release(&w->s);
		goto answer;
	}
	w->loaded = true;
	w->seed = h.seed;
	w->first_replication = h.first_replication;
	w->threads = h.threads > 0 ? h.threads : default_threads();
	w->tids = calloc((size_t)w->threads, sizeof(*w->tids));
	w->running = calloc((size_t)w->threads, sizeof(*w->running));
	struct thread_arg *args = w->args = calloc((size_t)w->threads, sizeof(*args));
	w->qcap = 64;
	w->queue = malloc(w->qcap * sizeof(*w->queue));
	if (!w->tids || !w->running || !args || !w->queue) {
		snprintf(ready.err, sizeof(ready.err), "out of memory");
		goto answer;
	}
	for (int t = 0; t < w->threads; t++) {
		w->running[t].rep = -1;
		args[t] = (struct thread_arg){w, t};
		if (pthread_create(&w->tids[t], NULL, worker_thread, &args[t]) != 0)
			break;
		w->started++;
	}
	if (w->started == 0)
		snprintf(ready.err, sizeof(ready.err), "cannot start a thread");
	ready.threads = w->started;
answer:
	MPI_Send(&ready, sizeof(ready), MPI_BYTE, 0, TAG_READY, MPI_COMM_WORLD);
}

static void worker_queue(struct worker *w, int64_t rep)
{
	pthread_mutex_lock(&w->mu);
	if (w->qlen == w->qcap) {
		size_t cap = w->qcap * 2;
		int64_t *q = malloc(cap * sizeof(*q));
		if (!q) {
			pthread_mutex_unlock(&w->mu);
			return; /* rank 0 times the unit out and runs it elsewhere */
		}
		for (size_t i = 0; i < w->qlen; i++)
			q[i] = w->queue[(w->qhead + i) % w->qcap];
		free(w->queue);
		w->queue = q;
		w->qhead = 0;
		w->qcap = cap;
	}
	w->queue[(w->qhead + w->qlen++) % w->qcap] = rep;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void worker_send_beat(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	size_t n = 0;
	unsigned char buf[sizeof(struct msg_beat) + 256 * 16];
	struct msg_beat h = {w->job, 0};
	for (int t = 0; t < w->started && n < 256; t++)
		if (w->running && w->running[t].rep >= 0) {
			memcpy(buf + sizeof(h) + n * 16, &w->running[t].rep, 8);
			memcpy(buf + sizeof(h) + n * 16 + 8, &w->running[t].fraction, 8);
			n++;
		}
	pthread_mutex_unlock(&w->mu);
	h.count = (uint32_t)n;
	memcpy(buf, &h, sizeof(h));
	MPI_Send(buf, (int)(sizeof(h) + n * 16), MPI_BYTE, 0, TAG_BEAT, MPI_COMM_WORLD);
}

/* Send the finished units' results. */
static void worker_send_done(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	struct done_unit *list = w->done;
	w->done = NULL;
	w->done_tail = &w->done;
	pthread_mutex_unlock(&w->mu);
	for (struct done_unit *d = list, *next; d; d = next) {
		next = d->next;
		size_t size = sizeof(d->head) + d->size;
		unsigned char *msg = malloc(size);
		if (msg) {
			memcpy(msg, &d->head, sizeof(d->head));
			if (d->size)
				memcpy(msg + sizeof(d->head), d->bytes, d->size);
			MPI_Send(msg, (int)size, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
			free(msg);
		}
		free(d->bytes);
		free(d);
	}
}

int cluster_worker_main(void)
{
	struct worker w = {0};
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	w.done_tail = &w.done;
	double last_beat = 0;
	unsigned char *buf = NULL;
	size_t buf_cap = 0;
	bool quick_exit_after = false; /* TAG_STOP said a rank died */
	for (;;) {
		bool busy = false;
		int flag = 0;
		MPI_Status st;
		if (MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS)
			break;
		if (flag) {
			busy = true;
			int count = 0;
			MPI_Get_count(&st, MPI_BYTE, &count);
			if ((size_t)count + 1 > buf_cap) {
				free(buf);
				buf_cap = (size_t)count + 1;
				if (!(buf = malloc(buf_cap)))
					break;
			}
			MPI_Recv(buf, count, MPI_BYTE, 0, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			if (st.MPI_TAG == TAG_STOP) {
				quick_exit_after = count >= 1 && buf[0] != 0;
				break;
			}
			struct msg_unit u = {0};
			if ((st.MPI_TAG == TAG_UNIT || st.MPI_TAG == TAG_CANCEL) &&
			    (size_t)count >= sizeof(u))
				memcpy(&u, buf, sizeof(u));
			switch (st.MPI_TAG) {
			case TAG_JOB:
				worker_end_job(&w);
				buf[count] = '\0';
				worker_start_job(&w, buf, (size_t)count);
				break;
			case TAG_UNIT:
				if (u.id == w.job && w.started > 0)
					worker_queue(&w, u.rep);
				break;
			case TAG_CANCEL:
				if (u.id == w.job)
					worker_end_job(&w);
				break;
			default:
				break;
			}
		}
		worker_send_done(&w);
		if (wall_now() - last_beat >= BEAT_EVERY_S) {
			worker_send_beat(&w);
			last_beat = wall_now();
		}
		if (!busy)
			sleep_ms(1);
	}
	worker_end_job(&w);
	MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_BYE, MPI_COMM_WORLD);
	free(buf);
	if (quick_exit_after) {
		/* A rank died: MPI_Finalize would wait for it (minutes in Open MPI 4.1, a TCP
		 * reconnect); this rank has nothing left to write, so it leaves as rank 0 does. */
		fflush(NULL);
		_exit(0);
	}
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
	MPI_Finalize();
	finalised = true;
	return 0;
}

/* --- rank 0's dispatcher ------------------------------------------------------------------- */

struct peer {
	bool dead;
	int slots;            /* its threads */
	int64_t *out;         /* units sent, not yet answered (slots entries) */
	double *sent_at;      /* wall clock when each was sent */
	int out_count;
	double heard;         /* wall clock of its last message */
};

struct cluster_dispatch {
	uint32_t job;
	struct peer *peers;   /* indexed by rank; [0] unused */
	struct cluster_pool_ops ops;
	pthread_t tid;
	bool running;
	pthread_mutex_t mu;
	bool stop;
	double timeout_s;
};

static uint32_t next_job_id;

static double rank_timeout(void)
{
	const char *t = getenv("TOPSIM_RANK_TIMEOUT");
	char *end;
	double v = t ? strtod(t, &end) : 0;
	return t && end != t && *end == '\0' && v > 0 && v < 1e6 ? v : RANK_TIMEOUT_DEFAULT_S;
}

static void peer_dies(struct cluster_dispatch *d, int r, const char *why)
{
	struct peer *p = &d->peers[r];
	p->dead = true;
	if (p->out_count > 0) {
		dead_ranks[r] = true;
		fprintf(stderr, "\ntopsim: rank %d %s: its %d running replications go to other "
				"ranks\n", r, why, p->out_count);
	} else {
		mark_dead(r, why);
	}
	for (int i = 0; i < p->out_count; i++)
		d->ops.give_back(d->ops.arg, p->out[i]);
	p->out_count = 0;
}

/* Remove rep from r's units; false when it was not there (a unit given back already).
 * *sent_at: when it was sent. */
static bool peer_unit_done(struct peer *p, int64_t rep, double *sent_at)
{
	for (int i = 0; i < p->out_count; i++)
		if (p->out[i] == rep) {
			*sent_at = p->sent_at[i];
			p->out_count--;
			p->out[i] = p->out[p->out_count];
			p->sent_at[i] = p->sent_at[p->out_count];
			return true;
		}
	return false;
}


int cluster_dispatch_start(const struct cluster_job *job, struct cluster_dispatch **out,
			   int *slots, char *err, size_t err_size)
{
	*out = NULL;
	*slots = 0;
	struct cluster_dispatch *d = calloc(1, sizeof(*d));
	if (!d || !(d->peers = calloc((size_t)size_, sizeof(*d->peers)))) {
		free(d);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	d->job = ++next_job_id;
	d->timeout_s = rank_timeout();
	pthread_mutex_init(&d->mu, NULL);
	const struct scenario *sc = job->scenario;
	const char *name = sc->file ? sc->file : "";
	const char *dir = sc->catalog_dir ? sc->catalog_dir : "";
	struct msg_job h = {.id = d->job, .threads = job->threads, .seed = job->seed,
			    .warmup = job->warmup,
			    .duration = job->duration, .series_width = job->series_width,
			    .first_replication = job->first_replication,
			    .name_len = (uint32_t)strlen(name), .dir_len = (uint32_t)strlen(dir),
			    .text_len = (uint32_t)strlen(sc->merged_json)};
	runner_scenario_hash(sc, h.text_hash);
	size_t size = sizeof(h) + h.name_len + h.dir_len + h.text_len + 3;
	unsigned char *msg = malloc(size);
	if (!msg) {
		cluster_dispatch_stop(d);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), name, h.name_len + 1);
	memcpy(msg + sizeof(h) + h.name_len + 1, dir, h.dir_len + 1);
	memcpy(msg + sizeof(h) + h.name_len + h.dir_len + 2, sc->merged_json, h.text_len + 1);
	double now = wall_now();
	for (int r = 1; r < size_; r++) {
		d->peers[r].heard = now;
		d->peers[r].dead = !send_to_worker(msg, size, r, TAG_JOB);
	}
	free(msg);
	/* Every live worker answers, or is silent past the timeout. */
	int waiting = 0;
	for (int r = 1; r < size_; r++)
		waiting += !d->peers[r].dead && d->peers[r].slots == 0;
	int rc = 0;
	while (waiting > 0 && rc == 0) {
		int flag = 0;
		MPI_Status st;
		MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
		if (!flag) {
			for (int r = 1; r < size_; r++)
				if (!d->peers[r].dead && d->peers[r].slots == 0 &&
				    wall_now() - d->peers[r].heard > d->timeout_s) {
					char why[64];
					snprintf(why, sizeof(why), "did not answer in %.0f s",
						 d->timeout_s);
					d->peers[r].dead = true;
					mark_dead(r, why);
					waiting--;
				}
			sleep_ms(1);
			continue;
		}
		int count = 0;
		MPI_Get_count(&st, MPI_BYTE, &count);
		unsigned char *in = malloc((size_t)count + 1);
		if (!in) {
			rc = -ENOMEM;
			snprintf(err, err_size, "out of memory");
			break;
		}
		MPI_Recv(in, count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
		struct peer *p = &d->peers[st.MPI_SOURCE];
		p->heard = wall_now();
		struct msg_ready ready;
		if (st.MPI_TAG == TAG_READY && (size_t)count == sizeof(ready) && !p->dead) {
			memcpy(&ready, in, sizeof(ready));
			ready.err[sizeof(ready.err) - 1] = '\0';
			if (ready.id == d->job) {
				if (ready.threads <= 0) {
					snprintf(err, err_size, "rank %d %s", st.MPI_SOURCE, ready.err);
					rc = -EINVAL;
				} else if (!(p->out = calloc((size_t)ready.threads, sizeof(*p->out))) ||
					   !(p->sent_at = calloc((size_t)ready.threads,
								 sizeof(*p->sent_at)))) {
					snprintf(err, err_size, "out of memory");
					rc = -ENOMEM;
				} else {
					p->slots = ready.threads;
					*slots += p->slots;
					waiting--;
				}
			}
		}
		/* Anything else is a stale message of an earlier job. */
		free(in);
	}
	if (rc < 0) {
		cluster_dispatch_stop(d);
		*slots = 0;
		return rc;
	}
	*out = d;
	return 0;
}

static void handle_result(struct cluster_dispatch *d, int r, const unsigned char *in, size_t n)
{
	struct msg_result h;
	if (n < sizeof(h))
		return;
	memcpy(&h, in, sizeof(h));
	h.err[sizeof(h.err) - 1] = h.started_at[sizeof(h.started_at) - 1] = '\0';
	struct peer *p = &d->peers[r];
	double sent_at;
	if (h.id != d->job || p->dead || !peer_unit_done(p, h.rep, &sent_at))
		return;
	struct record rec;
	int rc = h.rc;
	const char *err = h.err;
	char msg[640];
	if (rc == 0) {
		int dr = record_wire_decode(in + sizeof(h), n - sizeof(h), &rec);
		if (dr < 0) {
			record_release(&rec);
			rc = dr;
			snprintf(msg, sizeof(msg), "rank %d sent replication %lld in a form this build "
						   "cannot read (%s)", r, (long long)h.rep,
				 dr == -ENOMEM ? "out of memory" : "another topsim build?");
			err = msg;
		}
	} else if (rc != -EINTR) {
		snprintf(msg, sizeof(msg), "rank %d: %s", r, h.err);
		err = msg;
	}
	if (rc == 0) {
		stats.units++;
		stats.overhead_s += wall_now() - sent_at - h.wall_s;
		stats.bytes += (double)(n - sizeof(h));
	}
	d->ops.deliver(d->ops.arg, h.rep, rc, rc == 0 ? &rec : NULL, err, h.started_at, h.wall_s);
}

static void handle_beat(struct cluster_dispatch *d, int r, const unsigned char *in, size_t n)
{
	struct msg_beat h;
	if (n < sizeof(h))
		return;
	memcpy(&h, in, sizeof(h));
	if (h.id != d->job || (size_t)h.count * 16 != n - sizeof(h))
		return;
	struct peer *p = &d->peers[r];
	for (uint32_t i = 0; i < h.count; i++) {
		int64_t rep;
		double fraction;
		memcpy(&rep, in + sizeof(h) + i * 16, 8);
		memcpy(&fraction, in + sizeof(h) + i * 16 + 8, 8);
		bool mine = false;
		for (int k = 0; k < p->out_count; k++)
			mine |= p->out[k] == rep;
		if (mine && !d->ops.progress(d->ops.arg, rep, fraction)) {
			/* Interrupted: the replication ends here, as a local one would. */
			double sent_at;
			peer_unit_done(p, rep, &sent_at);
			d->ops.deliver(d->ops.arg, rep, -EINTR, NULL, "interrupted", "", 0);
		}
	}
}

static void *dispatch_thread(void *arg)
{
	struct cluster_dispatch *d = arg;
	unsigned char *in = NULL;
	size_t in_cap = 0;
	for (;;) {
		pthread_mutex_lock(&d->mu);
		bool stop = d->stop;
		pthread_mutex_unlock(&d->mu);
		if (stop)
			break;
		bool busy = false;
		for (int r = 1; r < size_; r++) {
			struct peer *p = &d->peers[r];
			int64_t rep;
			while (!p->dead && p->out_count < p->slots && d->ops.take(d->ops.arg, &rep)) {
				struct msg_unit u = {d->job, rep};
				p->sent_at[p->out_count] = wall_now();
				p->out[p->out_count++] = rep;
				busy = true;
				if (!send_to_worker(&u, sizeof(u), r, TAG_UNIT))
					peer_dies(d, r, "cannot be reached");
			}
		}
		int flag = 0;
		MPI_Status st;
		MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
		if (flag) {
			busy = true;
			int count = 0;
			MPI_Get_count(&st, MPI_BYTE, &count);
			if ((size_t)count > in_cap) {
				unsigned char *grown = realloc(in, (size_t)count);
				if (!grown) {
					/* Leave the message queued; the sender times out if it stays. */
					sleep_ms(10);
					continue;
				}
				in = grown;
				in_cap = (size_t)count;
			}
			MPI_Recv(in, count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
			int r = st.MPI_SOURCE;
			if (r > 0 && r < size_) {
				d->peers[r].heard = wall_now();
				if (st.MPI_TAG == TAG_RESULT)
					handle_result(d, r, in, (size_t)count);
				else if (st.MPI_TAG == TAG_BEAT)
					handle_beat(d, r, in, (size_t)count);
			}
		}
		double now = wall_now();
		for (int r = 1; r < size_; r++) {
			struct peer *p = &d->peers[r];
			if (!p->dead && now - p->heard > d->timeout_s) {
				char why[64];
				snprintf(why, sizeof(why), "has been silent for %.0f s", d->timeout_s);
				peer_dies(d, r, why);
			}
		}
		if (!busy)
			sleep_ms(1);
	}
	free(in);
	return NULL;
}

int cluster_dispatch_run(struct cluster_dispatch *d, const struct cluster_pool_ops *ops)
{
	d->ops = *ops;
	if (pthread_create(&d->tid, NULL, dispatch_thread, d) != 0)
		return -ENOMEM;
	d->running = true;
	return 0;
}

void cluster_dispatch_stop(struct cluster_dispatch *d)
{
	if (!d)
		return;
	if (d->running) {
		pthread_mutex_lock(&d->mu);
		d->stop = true;
		pthread_mutex_unlock(&d->mu);
		pthread_join(d->tid, NULL);
	}
	/* Workers with units out drop what is left of this job (a result already on its way
	 * is stale for the next job and dropped there). */
	struct msg_unit u = {d->job, -1};
	for (int r = 1; r < size_; r++)
		if (d->peers && !d->peers[r].dead && d->peers[r].out_count > 0)
			send_to_worker(&u, sizeof(u), r, TAG_CANCEL);
	for (int r = 0; d->peers && r < size_; r++) {
		free(d->peers[r].out);
		free(d->peers[r].sent_at);
	}
	free(d->peers);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

#endif /* TOPSIM_MPI */
