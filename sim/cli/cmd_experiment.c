/* cmd_experiment.c: options, scenario runs and verdicts shared by run, check, compare and
 * sweep (see cmd_experiment.h). */
#include "cmd_experiment.h"

#include "avail.h"
#include "avail_library.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "units.h"
#include "version.h"
#include "world.h"

void exp_opts_init(struct exp_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = -1;
	o->width = 10 * SIM_S;
	o->progress = isatty(STDERR_FILENO);
	o->db_path = "topsim.db";
}

void exp_opts_release(struct exp_opts *o)
{
	cmd_scenario_opts_release(&o->so);
}

static int parse_count(const char *text, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || *text == '\0' || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int exp_opts_parse(struct exp_opts *o, const char *command, int ch, const char *arg)
{
	sim_time *dur = NULL;
	int64_t v;
	switch (ch) {
	case 'n':
		if (parse_count(arg, 1, 100000, &o->replications) < 0)
			return cli_usage_error(command, "replications must be 1 to 100000, not \"%s\"",
					       arg);
		return 0;
	case 's':
		if (parse_count(arg, 0, INT64_MAX, &o->seed) < 0)
			return cli_usage_error(command, "seed must be a non-negative integer, not \"%s\"",
					       arg);
		return 0;
	case 'j':
		if (parse_count(arg, 1, 256, &v) < 0)
			return cli_usage_error(command, "jobs must be 1 to 256, not \"%s\"", arg);
		o->threads = (int)v;
		return 0;
	case 'o':
		/* SQLite reads "" and ":memory:" as a temporary database: the run would succeed
		 * and keep nothing. */
		if (arg[0] == '\0' || strcmp(arg, ":memory:") == 0)
			return cli_usage_error(command, "-o needs a database file name, not \"%s\" "
							"(which keeps nothing)",
					       arg);
		o->db_path = arg;
		return 0;
	case 'I':
		o->so.include_root = arg;
		return 0;
	case 'S':
		return cmd_scenario_add_set(&o->so, arg) < 0 ? CLI_EXIT_INTERNAL : 0;
	case 'c':
		o->so.catalog_dir = arg;
		return 0;
	case 'P':
		o->progress = false;
		return 0;
	case 'E':
		o->expect_file = arg;
		return 0;
	case 'X':
		if (!*arg)
			return cli_usage_error(command, "an experiment name must not be empty");
		o->experiment = arg;
		return 0;
	case 'd': /* checked with the scenario, by the file's own rules */
		o->so.duration = arg;
		return 0;
	case 'w':
		o->so.warmup = arg;
		return 0;
	case 'W':
		dur = &o->width;
		break;
	default:
		return -1;
	}
	char err[UNITS_ERR_SIZE] = "";
	if (units_parse_duration(arg, dur, err, sizeof(err)) < 0)
		return cli_usage_error(command, "--series-width: %s", err);
	if (*dur <= 0)
		return cli_usage_error(command, "--series-width: \"%s\" must be positive", arg);
	return 0;
}

/* Interruption and progress: the CLI's, handed to the runner as a callback. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct progress_state {
	bool show;
	const char *label;
	struct exp_progress *whole;
	double rep_work;    /* simulated seconds of one replication */
};

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void exp_progress_init(struct exp_progress *p)
{
	memset(p, 0, sizeof(*p));
	p->started = wall_now();
}

static double replications_of(const struct exp_opts *o, const struct scenario *s)
{
	return (double)(o->replications ? o->replications : s->config.replications);
}

static double replication_work(const struct scenario *s)
{
	return sim_time_to_s(s->config.warmup + s->config.duration);
}

void exp_progress_add(struct exp_progress *p, const struct exp_opts *o, const struct scenario *s)
{
	p->total += replications_of(o, s) * replication_work(s);
	p->parts++;
}

/* One line for the whole experiment: this part's replications, the experiment's share done
 * and its ETA. */
static bool run_progress(void *arg, int64_t rep, int64_t reps, double fraction)
{
	struct progress_state *p = arg;
	if (p->show) {
		const struct exp_progress *w = p->whole;
		double elapsed = wall_now() - w->started;
		double done = w->total > 0
				      ? (w->done + ((double)rep + fraction) * p->rep_work) / w->total
				      : 0;
		double eta = done > 0 ? elapsed * (1 - done) / done : 0;
		char part[32] = "";
		if (w->parts > 1)
			snprintf(part, sizeof(part), " %zu/%zu", w->part + 1, w->parts);
		fprintf(stderr, "\r%.20s%s: %lld/%lld reps, all %5.1f%%  elapsed %.0fs  ETA %.0fs ",
			p->label, part, (long long)rep, (long long)reps, 100 * done, elapsed, eta);
	}
	return !interrupted;
}

static void on_record(void *arg, const struct record *rec)
{
	expect_add(arg, rec);
}

int exp_check_series(const struct exp_opts *o, const struct scenario *s)
{
	const struct scenario_config *c = &s->config;
	/* warm-up + duration is at most a year (scenario checks), so this cannot overflow. */
	sim_time run_end = c->warmup + c->duration;
	sim_time buckets = run_end / o->width + (run_end % o->width != 0);
	if (buckets <= WORLD_SERIES_BUCKETS_MAX)
		return CLI_EXIT_OK;
	char w[UNITS_FORMAT_SIZE], need[UNITS_FORMAT_SIZE];
	/* The smallest width that fits, rounded up to a whole millisecond. */
	sim_time least =
		run_end / WORLD_SERIES_BUCKETS_MAX + (run_end % WORLD_SERIES_BUCKETS_MAX != 0);
	least = (least + SIM_MS - 1) / SIM_MS * SIM_MS;
	units_format_duration(o->width, w, sizeof(w));
	units_format_duration(least, need, sizeof(need));
	fprintf(stderr, "topsim: error: --series-width %s gives more than %d time-series buckets "
			"per replication; use at least %s for this run\n",
		w, WORLD_SERIES_BUCKETS_MAX, need);
	return CLI_EXIT_USAGE;
}

int exp_run(const char *file, const struct exp_opts *o, const char *const *extra_sets,
	    size_t extra_count, struct results *db, const char *experiment, const char *variant,
	    struct exp_result *out)
{
	memset(out, 0, sizeof(*out));
	struct cmd_scenario_opts so = o->so;
	const char **sets = NULL;
	if (extra_count) {
		sets = calloc(o->so.set_count + extra_count, sizeof(*sets));
		if (!sets)
			return CLI_EXIT_INTERNAL;
		for (size_t i = 0; i < o->so.set_count; i++)
			sets[i] = o->so.sets[i];
		for (size_t i = 0; i < extra_count; i++)
			sets[o->so.set_count + i] = extra_sets[i];
		so.sets = sets;
		so.set_count += extra_count;
	}
	so.errors_only = true; /* the caller's check before the run printed the warnings */
	int rc = cmd_scenario_load(&out->s, file, &so);
	free(sets);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (o->expect_file) {
		struct diag diag;
		diag_init(&diag);
		int r = scenario_load_expectations(&out->s, o->expect_file, &diag);
		diag_print(&diag, stderr);
		diag_release(&diag);
		if (r < 0)
			return r == -ENOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_USAGE;
	}
	if (out->s.config.workload.population_count == 0) {
		fprintf(stderr, "%s: error: $.workload: the scenario has no client populations to "
				"run\n",
			file);
		return CLI_EXIT_USAGE;
	}
	const struct scenario_config *c = &out->s.config;
	if (exp_check_series(o, &out->s) != CLI_EXIT_OK)
		return CLI_EXIT_USAGE;
	if (expect_init(&out->ex, c->expectations, c->expectation_count) < 0)
		return CLI_EXIT_INTERNAL;
	struct exp_progress alone;
	struct exp_progress *whole = o->whole;
	if (!whole) {
		exp_progress_init(&alone);
		exp_progress_add(&alone, o, &out->s);
		whole = &alone;
	}
	struct progress_state ps = {o->progress, variant && *variant ? variant : c->name, whole,
				    replication_work(&out->s)};
	out->ro = (struct runner_opts){
		.replications = o->replications ? o->replications : c->replications,
		.seed = o->seed >= 0 ? (uint64_t)o->seed : (uint64_t)c->seed,
		.duration = c->duration,
		.warmup = c->warmup,
		.series_width = o->width,
		.version = TOPSIM_VERSION,
		.progress = run_progress,
		.progress_arg = &ps,
		.threads = o->threads,
		.on_record = on_record,
		.record_arg = &out->ex,
		.experiment = experiment,
		.variant = variant,
	};
	char rerr[512] = "";
	struct sigaction sa = {0}, old_sa;
	sa.sa_handler = on_sigint;
	interrupted = 0;
	sigaction(SIGINT, &sa, &old_sa);
	int r = runner_run(&out->s, &out->ro, db, &out->sum, rerr, sizeof(rerr));
	sigaction(SIGINT, &old_sa, NULL);
	whole->done += (double)out->ro.replications * ps.rep_work;
	whole->part++;
	if (o->progress)
		fprintf(stderr, "\r%*s\r", 79, "");
	out->ran = true;
	if (r == 0 && expect_wants_annual(&out->ex)) {
		/* The availability mode for annual_downtime_s: the scenario's years and library,
		 * the run's seed; one value per batch. */
		const struct availability_config *ac = &c->availability;
		struct avail_library lib;
		memset(&lib, 0, sizeof(lib));
		struct avail_opts ao = {.years = (double)ac->years, .batches = 20,
					.jobs = o->threads > 0 ? o->threads : runner_default_threads(),
					.level = 0.95, .seed = out->ro.seed};
		struct avail_result ar;
		memset(&ar, 0, sizeof(ar));
		int a = avail_default_classes(&out->s.config) < 0 ? -ENOMEM : 0;
		if (a == 0 && ac->library > 0 && c->mirror_count > 0) {
			if (avail_library_build(&out->s, (int)ac->library, ao.jobs, ao.seed, &lib,
						rerr, sizeof(rerr)) == 0) {
				ao.takeover_h = lib.takeover_h;
			} else {
				fprintf(stderr, "topsim: %s: warning: incident library not built (%s): "
					"every takeover costs availability.failover_time\n", file, rerr);
				avail_library_release(&lib);
				memset(&lib, 0, sizeof(lib));
			}
		}
		if (a == 0)
			a = avail_run(c, &ao, &ar, rerr, sizeof(rerr));
		if (a == 0) {
			double sec[20];
			for (int i = 0; i < ar.batches && i < 20; i++)
				sec[i] = ar.batch_minutes[i] * 60.0;
			expect_add_annual(&out->ex, sec, (size_t)ar.batches);
		} else {
			r = a;
		}
		avail_result_release(&ar);
		avail_library_release(&lib);
	}
	expect_finish(&out->ex);
	if (r == -EINTR) {
		fprintf(stderr, "topsim: interrupted; %lld complete replications kept%s%s\n",
			(long long)out->sum.replications, db ? " in " : "", db ? o->db_path : "");
		return CLI_EXIT_INTERNAL;
	}
	if (r < 0) {
		fprintf(stderr, "topsim: %s: %s\n", file, rerr);
		return r == -EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_INTERNAL;
	}
	if (out->ex.out_of_memory) {
		fprintf(stderr, "topsim: out of memory evaluating expectations\n");
		return CLI_EXIT_INTERNAL;
	}
	if (db) {
		/* The verdicts beside the runs, for topsim report (one transaction). */
		char hash[17];
		runner_scenario_hash(&out->s, hash);
		if (expect_store(&out->ex, db, experiment, variant, c->name, hash) < 0) {
			fprintf(stderr, "topsim: %s: storing the expectations' verdicts: %s\n", file,
				results_errmsg(db));
			return CLI_EXIT_INTERNAL;
		}
	}
	return CLI_EXIT_OK;
}

void exp_result_release(struct exp_result *r)
{
	if (r->ran)
		summary_release(&r->sum);
	expect_release(&r->ex);
	scenario_release(&r->s);
	memset(r, 0, sizeof(*r));
}

struct results *exp_open_db(const struct exp_opts *o, const char *prefix, char *name,
			    size_t name_size, int *rc)
{
	char dberr[512];
	struct results *db = results_open(o->db_path, dberr, sizeof(dberr));
	if (!db) {
		fprintf(stderr, "topsim %s: %s\n", prefix, dberr);
		*rc = strstr(dberr, "newer") || strstr(dberr, "not a topsim") ? CLI_EXIT_USAGE
									     : CLI_EXIT_INTERNAL;
		return NULL;
	}
	/* One writer per file, found before anything is simulated. */
	if (results_lock_writer(db, o->db_path, dberr, sizeof(dberr)) < 0) {
		fprintf(stderr, "topsim %s: %s\n", prefix, dberr);
		results_close(db);
		*rc = CLI_EXIT_INTERNAL;
		return NULL;
	}
	if (o->experiment) {
		snprintf(name, name_size, "%s", o->experiment);
	} else if (results_new_experiment(db, prefix, name, name_size) < 0) {
		fprintf(stderr, "topsim %s: %s\n", prefix, results_errmsg(db));
		results_close(db);
		*rc = CLI_EXIT_INTERNAL;
		return NULL;
	}
	return db;
}

void exp_xml_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		switch (ch) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			if (ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r')
				fputc('?', f); /* not representable in XML 1.0 */
			else
				fputc(ch, f);
		}
	}
}
