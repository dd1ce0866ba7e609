/* phold: the PHOLD benchmark run through the engine's public entity and event API.
 *
 * PHOLD (Fujimoto 1990; parameters of ROSS's phold with --mean=2; the floor it is compared
 * with is phold_bound.c beside it):
 * NLP logical processes, each an entity, start with START events at Exp(1) + 1; every event
 * schedules one event at now + Exp(1) + 1, sent to a uniformly random LP with probability
 * REMOTE, else to itself. One time unit is one simulated second. Each LP draws from its own
 * stream, as every topsim entity does.
 *
 * A benchmark, not a test: it prints figures and asserts nothing.
 * prints: phold nlp=.. start=.. remote=.. end=.. queue=.. events=N wall=S rate=R/s
 *         checksum=X peak_rss_kib=K
 * The checksum summarises the final state (events received per LP, in LP order), so two runs
 * or two engine versions can be compared: same parameters and seed, same checksum.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <gsl/gsl_randist.h>

#include "engine.h"

struct phold_lp {
	uint64_t received;       /* events handled */
	sim_time last_time;      /* time of the last event handled */
};

struct phold_params {
	unsigned nlp;
	unsigned start;
	double remote;
	double end;
	uint64_t seed;
};

static struct phold_params params = {1024, 16, 0.25, 1000.0, 1};
static struct sim_entity **lps;

enum { PHOLD_EV_ARRIVE = 0 };

static sim_time phold_hop(gsl_rng *r)
{
	return sim_time_from_s(gsl_ran_exponential(r, 1.0) + 1.0);
}

static void phold_on_arrive(struct sim_entity *self, const struct sim_event *ev)
{
	struct phold_lp *lp = self->state;
	lp->received++;
	lp->last_time = sim_event_time(ev);
	struct sim_entity *dest = self;
	if (gsl_rng_uniform(self->rng) <= params.remote)
		dest = lps[gsl_rng_uniform_int(self->rng, params.nlp)];
	sim_schedule_in(self->engine, dest, phold_hop(self->rng), PHOLD_EV_ARRIVE, NULL, 0);
}

static const sim_handler_fn phold_handlers[] = {[PHOLD_EV_ARRIVE] = phold_on_arrive};
static const struct sim_entity_type phold_lp_type = {
	.name = "phold_lp",
	.state_size = sizeof(struct phold_lp),
	.handlers = phold_handlers,
	.handler_count = 1,
};

static int parse_uint(const char *s, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v == 0 || v > 100000000ul)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || !(v >= 0 && v < 1e12))
		return -1;
	*out = v;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_phold [--lps N] [--start N] [--remote P] [--end T] [--seed S]\n"
		   "PHOLD through topsim's engine; defaults 1024 16 0.25 1000 1\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"lps", required_argument, NULL, 'l'},    {"start", required_argument, NULL, 's'},
		{"remote", required_argument, NULL, 'r'}, {"end", required_argument, NULL, 'e'},
		{"seed", required_argument, NULL, 'S'},   {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	unsigned seed = 1;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case 'l': bad = parse_uint(optarg, &params.nlp); break;
		case 's': bad = parse_uint(optarg, &params.start); break;
		case 'r': bad = parse_double(optarg, &params.remote) || params.remote > 1; break;
		case 'e': bad = parse_double(optarg, &params.end) || params.end == 0; break;
		case 'S': bad = parse_uint(optarg, &seed); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (bad) {
			fprintf(stderr, "bench_phold: invalid value \"%s\"\n", optarg);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	params.seed = seed;

	struct sim_engine *e = sim_engine_new(params.seed, 0);
	lps = calloc(params.nlp, sizeof(*lps));
	if (!e || !lps) {
		fprintf(stderr, "bench_phold: out of memory\n");
		return 3;
	}
	for (unsigned i = 0; i < params.nlp; i++) {
		char name[32];
		snprintf(name, sizeof(name), "lp%u", i);
		lps[i] = sim_entity_new(e, &phold_lp_type, name);
		if (!lps[i])
			break;
		for (unsigned k = 0; k < params.start; k++)
			sim_schedule_at(e, lps[i], phold_hop(lps[i]->rng), PHOLD_EV_ARRIVE, NULL, 0);
	}
	if (sim_engine_error(e)) {
		fprintf(stderr, "bench_phold: %s\n", sim_engine_error_message(e));
		return 3;
	}

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int r = sim_run_until(e, sim_time_from_s(params.end));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r < 0) {
		fprintf(stderr, "bench_phold: %s\n", sim_engine_error_message(e));
		return 3;
	}
	double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	uint64_t events = sim_events_processed(e);

	uint64_t checksum = 0xcbf29ce484222325u;
	for (unsigned i = 0; i < params.nlp; i++) {
		const struct phold_lp *lp = lps[i]->state;
		uint64_t words[2] = {lp->received, (uint64_t)lp->last_time};
		for (int w = 0; w < 2; w++)
			for (int b = 0; b < 8; b++)
				checksum = (checksum ^ ((words[w] >> (8 * b)) & 0xff)) * 0x100000001b3u;
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("phold nlp=%u start=%u remote=%g end=%g seed=%" PRIu64 " queue=%s events=%" PRIu64
	       " wall=%.3fs rate=%.0f/s checksum=%016" PRIx64 " peak_rss_kib=%ld\n",
	       params.nlp, params.start, params.remote, params.end, params.seed,
	       evq_backend_name(), events, wall, (double)events / wall, checksum, ru.ru_maxrss);
	free(lps);
	sim_engine_free(e);
	return 0;
}
