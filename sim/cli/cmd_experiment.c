/* cmd_experiment.c: options, scenario runs and verdicts shared by run, check, compare and
 * sweep (see cmd_experiment.h). */
#include "cmd_experiment.h"

#include "avail.h"
#include "avail_library.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "metric.h"
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
	o->target_metric = -1;
}

int exp_opts_finish(struct exp_opts *o, const char *command)
{
	if (o->target_width > 0 && o->target_metric < 0)
		return cli_usage_error(command, "--target-width needs --target-metric NAME");
	if (o->target_width == 0 && (o->target_metric >= 0 || o->max_replications))
		return cli_usage_error(command, "--target-metric and --max-replications go with "
						"--target-width REL");
	if (!o->max_replications)
		o->max_replications = EXP_MAX_REPLICATIONS_DEFAULT;
	if (o->target_width > 0 && o->replications > o->max_replications)
		return cli_usage_error(command, "--max-replications %lld is below -n %lld",
				       (long long)o->max_replications, (long long)o->replications);
	return 0;
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
	case 'K':
		o->progress = true;
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
	case 'T': {
		char *end;
		errno = 0;
		double w = strtod(arg, &end);
		if (end != arg && *end == '%' && end[1] == '\0') {
			w /= 100;
			end++;
		}
		if (errno || end == arg || *end || !(w > 0) || w >= 10)
			return cli_usage_error(command, "--target-width must be a relative width "
							"above 0 and below 10 (e.g. 0.1 or 10%%), "
							"not \"%s\"",
					       arg);
		o->target_width = w;
		return 0;
	}
	case 'U': {
		/* the figures the summary keeps per replication (summary.h) */
		static const enum metric_id ok[] = {
			METRIC_THROUGHPUT, METRIC_LATENCY_MEAN_S, METRIC_LATENCY_P50_S,
			METRIC_LATENCY_P99_S, METRIC_LATENCY_P999_S, METRIC_IN_SYSTEM_MEAN,
			METRIC_WRITE_AVAILABILITY, METRIC_READ_AVAILABILITY, METRIC_RTO_S,
			METRIC_RPO_TX, METRIC_RPO_SPAN_S, METRIC_WRITE_UNAVAILABLE_S,
			METRIC_CPU_UTILISATION, METRIC_VOLUME_IOPS_UTILISATION};
		int id = metric_find_incident(arg);
		for (size_t i = 0; id >= 0 && i < sizeof(ok) / sizeof(ok[0]); i++)
			if ((int)ok[i] == id) {
				o->target_metric = id;
				return 0;
			}
		return cli_usage_error(command, "--target-metric: \"%s\" is not one of throughput, "
						"latency_mean_s, latency_p50_s, latency_p99_s, "
						"latency_p999_s, in_system_mean, write_availability, "
						"read_availability, rto_s, rpo_tx, rpo_span_s, "
						"write_unavailable_s, cpu_utilisation, "
						"volume_iops_utilisation",
				       arg);
	}
	case 'R':
		if (parse_count(arg, 2, 100000, &o->max_replications) < 0)
			return cli_usage_error(command, "--max-replications must be 2 to 100000, "
							"not \"%s\"",
					       arg);
		return 0;
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

/* Each record of a round: the experiment's summary (across rounds), then the
 * expectations. */
static void on_record(void *arg, const struct record *rec)
{
	struct exp_result *out = arg;
	summary_add(&out->sum, rec);
	expect_add(&out->ex, rec);
}

int exp_start(const char *file, const struct exp_opts *o, const char *const *extra_sets,
	      size_t extra_count, struct exp_result *out)
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
	out->file = file;
	out->round = o->replications ? o->replications : c->replications;
	out->ro = (struct runner_opts){
		.replications = 0,
		.seed = o->seed >= 0 ? (uint64_t)o->seed : (uint64_t)c->seed,
		.duration = c->duration,
		.warmup = c->warmup,
		.series_width = o->width,
		.version = TOPSIM_VERSION,
		.progress = run_progress,
		.threads = o->threads,
		.on_record = on_record,
		.record_arg = out,
	};
	summary_init(&out->sum, out->ro.ci_level);
	out->ran = true;
	return CLI_EXIT_OK;
}

int exp_round(struct exp_result *out, const struct exp_opts *o, int64_t n, struct results *db,
	      const char *experiment, const char *variant)
{
	const struct scenario_config *c = &out->s.config;
	struct exp_progress alone;
	struct exp_progress *whole = o->whole;
	if (!whole) {
		exp_progress_init(&alone);
		exp_progress_add(&alone, o, &out->s);
		whole = &alone;
	}
	struct progress_state ps = {o->progress, variant && *variant ? variant : c->name, whole,
				    replication_work(&out->s)};
	out->db = db;
	out->experiment = experiment;
	out->variant = variant;
	struct runner_opts ro = out->ro;
	ro.first_replication = out->sum.replications;
	ro.replications = n;
	ro.progress_arg = &ps;
	ro.experiment = experiment;
	ro.variant = variant;
	char rerr[512] = "";
	struct sigaction sa = {0}, old_sa;
	sa.sa_handler = on_sigint;
	interrupted = 0;
	sigaction(SIGINT, &sa, &old_sa);
	struct summary round; /* the runner's, of this round only: out->sum has them all */
	int r = runner_run(&out->s, &ro, db, &round, rerr, sizeof(rerr));
	sigaction(SIGINT, &old_sa, NULL);
	out->sum.wall_s += round.wall_s;
	out->sum.interrupted |= round.interrupted;
	summary_release(&round);
	out->ro.replications = out->sum.replications;
	whole->done += (double)n * ps.rep_work;
	whole->part++;
	if (o->progress)
		fprintf(stderr, "\r%*s\r", 79, "");
	if (r == -EINTR) {
		fprintf(stderr, "topsim: interrupted; %lld complete replications kept%s%s\n",
			(long long)out->sum.replications, db ? " in " : "", db ? o->db_path : "");
		return CLI_EXIT_INTERNAL;
	}
	if (r < 0) {
		fprintf(stderr, "topsim: %s: %s\n", out->file, rerr);
		return r == -EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_INTERNAL;
	}
	if (out->sum.out_of_memory) {
		fprintf(stderr, "topsim: out of memory\n");
		return CLI_EXIT_INTERNAL;
	}
	return CLI_EXIT_OK;
}

bool exp_target_met(const struct exp_result *r, const struct exp_opts *o, double *width)
{
	double w = summary_rel_width(&r->sum, o->target_metric, NULL);
	if (width)
		*width = w;
	/* a metric the run never measured cannot get narrower: stop */
	return isnan(w) || w <= o->target_width;
}

int exp_end(struct exp_result *out, const struct exp_opts *o, bool complete)
{
	const struct scenario_config *c = &out->s.config;
	summary_finish(&out->sum);
	int r = 0;
	char rerr[512] = "";
	if (complete && expect_wants_annual(&out->ex)) {
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
			struct avail_library_opts lo = {.replications = (int)ac->library,
							.threads = ao.jobs, .seed = ao.seed};
			if (avail_library_build(&out->s, &lo, &lib, rerr, sizeof(rerr)) == 0) {
				avail_library_apply(&lib, &ao);
			} else {
				fprintf(stderr, "topsim: %s: warning: incident library not built (%s): "
					"every takeover costs availability.failover_time\n", out->file, rerr);
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
	if (r < 0) {
		fprintf(stderr, "topsim: %s: %s\n", out->file, rerr);
		return r == -EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_INTERNAL;
	}
	if (out->ex.out_of_memory) {
		fprintf(stderr, "topsim: out of memory evaluating expectations\n");
		return CLI_EXIT_INTERNAL;
	}
	if (complete && out->db) {
		/* The verdicts beside the runs, for topsim report (one transaction). */
		char hash[17];
		runner_scenario_hash(&out->s, hash);
		if (expect_store(&out->ex, out->db, out->experiment, out->variant, c->name, hash) <
		    0) {
			fprintf(stderr, "topsim: %s: storing the expectations' verdicts: %s\n",
				out->file, results_errmsg(out->db));
			return CLI_EXIT_INTERNAL;
		}
	}
	return CLI_EXIT_OK;
}

/* The replications of the next round: the initial count, at most up to the maximum. */
int64_t exp_next_round(const struct exp_result *r, const struct exp_opts *o)
{
	int64_t left = o->max_replications - r->sum.replications;
	return left < r->round ? left : r->round;
}

int exp_run(const char *file, const struct exp_opts *o, const char *const *extra_sets,
	    size_t extra_count, struct results *db, const char *experiment, const char *variant,
	    struct exp_result *out)
{
	int rc = exp_start(file, o, extra_sets, extra_count, out);
	if (rc != CLI_EXIT_OK)
		return rc;
	rc = exp_round(out, o, o->target_width > 0 ? exp_next_round(out, o) : out->round, db,
		       experiment, variant);
	/* Sequential stopping: more rounds of the same size until the target metric's
	 * interval is narrow enough or the maximum is reached. */
	while (rc == CLI_EXIT_OK && o->target_width > 0 && !exp_target_met(out, o, NULL) &&
	       exp_next_round(out, o) > 0) {
		if (o->whole) {
			o->whole->total += (double)exp_next_round(out, o) * replication_work(&out->s);
			o->whole->parts++;
		}
		rc = exp_round(out, o, exp_next_round(out, o), db, experiment, variant);
	}
	int e = exp_end(out, o, rc == CLI_EXIT_OK);
	return rc != CLI_EXIT_OK ? rc : e;
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
