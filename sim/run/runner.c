/* runner.c: replications, records, results and summary (see runner.h). */
#include "runner.h"

#include <errno.h>
#include <string.h>
#include <time.h>

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

struct progress_ctx {
	const struct runner_opts *o;
	int64_t rep;
};

static bool on_progress(void *arg, double fraction)
{
	struct progress_ctx *p = arg;
	return p->o->progress(p->o->progress_arg, p->rep, p->o->replications, fraction);
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
	double started = wall_now();
	int rc = 0;
	for (int64_t rep = 0; rep < o->replications; rep++) {
		time_t t0 = time(NULL);
		char started_at[32];
		strftime(started_at, sizeof(started_at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t0));
		double rep_started = wall_now();
		struct progress_ctx pc = {o, rep};
		struct record rec;
		rc = world_run(&wp.cfg, o->seed, (uint32_t)rep, o->progress ? on_progress : NULL, &pc,
			       &rec, err, err_size);
		if (rc < 0)
			break;
		struct record_run_info info = {s->config.name, s->merged_json, hash, o->version,
					       started_at, wall_now() - rep_started};
		if (db && record_store(db, &info, &rec) < 0) {
			snprintf(err, err_size, "%s", results_errmsg(db));
			record_release(&rec);
			rc = -EIO;
			break;
		}
		summary_add(sum, &rec);
		record_release(&rec);
	}
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
