/* cmd_avail.c: topsim availability: the long-run availability mode. Loads a scenario, runs
 * the upper level (sim/avail/avail.h) over --years in independent batches, prints
 * availability, downtime per year by cause, incidents and the distribution of a year's
 * downtime with intervals, the exact Markov chain's answer where it applies, and stores
 * it all in the results database (docs/results.md, schema 5). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "avail.h"
#include "avail_library.h"
#include "cli.h"
#include "cmd_experiment.h"
#include "ctmc.h"
#include "units.h"
#include "stats.h"
#include "version.h"

int cmd_availability(int argc, char **argv);
extern const char cmd_availability_usage[];

const char cmd_availability_usage[] =
	"usage: topsim availability FILE [--years N] [--batches B] [-s SEED] [-j JOBS] [-o DB]\n"
	"                           [--set PATH=VALUE]... [--experiment NAME] [--no-store]\n"
	"                           [--library R] [--rebuild-library] [--bias P]\n"
	"Long-run availability: simulate only the failures and repairs of every host, volume,\n"
	"AZ, region and link of the scenario's stochastic_faults (class defaults from aws.md where a\n"
	"class gives no mtbf or mttr; without stochastic_faults every component fails at its\n"
	"class's default rate), correlated through the fault-domain tree, with repair\n"
	"crews, operator restarts, mirror takeovers and DR promotion, over N years split into\n"
	"independent batches. Prints write and read availability (reads apart where the\n"
	"incident library found them back before writes), expected downtime per year\n"
	"with its breakdown by incident class and stage, incidents, takeovers and DR promotions\n"
	"per year, and the p50/p90/p99 of a single year's downtime, with confidence intervals\n"
	"across batches; where the scenario's upper level is a small Markov chain (exponential\n"
	"failures and repairs of one mirror's members and arbiter), also its exact solution,\n"
	"flagged when it falls outside the interval. Stores the figures in the results\n"
	"database (tables avail_runs, avail_causes, avail_library, avail_failures).\n"
	"Exit 0, 2 for bad input or usage, 3 for an internal or I/O error.\n"
	"Options:\n"
	"  --years N             simulated years (default availability.years, 1000; 1 to\n"
	"                        10000000)\n"
	"  --batches B           independent batches for the intervals (default 20, at most N)\n"
	"  --library R           incident library: R request-level replications around each\n"
	"                        incident class of a mirror (its primary's host crash, AZ\n"
	"                        outage, failed volume by purpose; a double failure: the\n"
	"                        primary's crash with the backup down) whose mean RTO and\n"
	"                        read outage replace availability.failover_time, and\n"
	"                        around a partition of each link (what a link failure\n"
	"                        costs; without a library: nothing) (default\n"
	"                        availability.library, 3; 0: failover_time only). Kept in the\n"
	"                        results database (avail_library_cache) by scenario hash,\n"
	"                        seed, R and version: a later run reuses it. With\n"
	"                        availability.strata, once per time-of-day stratum at its load\n"
	"      --rebuild-library\n"
	"                        simulate every library class again (and store it)\n"
	"  -s, --seed S          scenario seed (default: the scenario's)\n"
	"  -j, --jobs N          batches run on N threads; results identical whatever N\n"
	"  -o, --output DB       results database (default ./topsim.db)\n"
	"      --experiment NAME\n"
	"                        name in the database (default availability-N)\n"
	"      --bias P          importance sampling (failure biasing): while a component is\n"
	"                        down, the others fail faster so that another failure before\n"
	"                        the repairs has probability about P (e.g. 0.3); estimates are\n"
	"                        likelihood-weighted over regenerative cycles, with their\n"
	"                        effective sample count (needs exponential mtbf)\n"
	"      --no-store        print only, write no database\n"
	"      --set PATH=VALUE  override a scenario field, checked like the file\n"
	"      --catalog-dir DIR\n"
	"                        AWS catalog directory\n"
	"      --include-root DIR\n"
	"                        directory the scenario's includes may read under\n";

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void print_ci(const struct avail_ci *c, const char *fmt_mean, const char *unit)
{
	printf(fmt_mean, c->mean);
	if (isnan(c->half))
		printf(" (no interval)");
	else {
		printf(" \u00b1 ");
		printf(fmt_mean, c->half);
	}
	printf("%s", unit);
}

static double nines(double a)
{
	return a >= 1.0 ? INFINITY : -log10(1.0 - a);
}


/* Expected RPO per year, transactions: each takeover class's rate times the library's RPO;
 * NAN without a library. */
static double expected_rpo(const struct avail_result *r, const struct avail_library *lib)
{
	double rpo = 0;
	bool any = false;
	for (size_t i = 0; i < r->cause_count; i++) {
		struct avail_library_entry mean;
		const struct avail_library_entry *e =
			avail_library_mean(lib, r->causes[i].incident_class, &mean) ? &mean : NULL;
		if (e && e->kind != AVAIL_TAKEOVER_RESTART &&
		    r->causes[i].stage == AVAIL_STAGE_TAKEOVER && !isnan(e->rpo_tx[0])) {
			rpo += r->causes[i].incidents_per_year * e->rpo_tx[0];
			any = true;
		}
	}
	return any ? rpo : NAN;
}

static void print_library(const struct avail_library *l)
{
	if (l->count == 0) {
		printf("incident library: not built (--library 0, or no mirror): every takeover "
		       "costs availability.failover_time; a link's partition costs nothing\n\n");
		return;
	}
	printf("incident library (request-level runs around each incident class: %zu simulated, "
	       "%zu from the cache, %.1f s):\n", l->simulated, l->cached, l->wall_s);
	for (size_t i = 0; i < l->count; i++) {
		const struct avail_library_entry *e = &l->entries[i];
		if (e->stratum_name[0] && (i == 0 || l->entries[i - 1].stratum != e->stratum))
			printf("  [%s: %.3g of the day, load x%.3g]\n", e->stratum_name, e->share,
			       e->load);
		printf("  %-44s %s%s\n    ", e->incident_class, e->fault,
		       e->cached ? " (cached)" : "");
		if (!isnan(e->rto_s[0]))
			printf("RTO %.1f \u00b1 %.1f s (%lld/%lld recovered; detect %.1f, decide %.1f, "
			       "transition %.1f, reroute %.1f, reconnect %.1f), RPO %.1f tx, "
			       "unavailable: writes %.1f s, reads %.1f s",
			       e->rto_s[0], isnan(e->rto_s[1]) ? 0.0 : e->rto_s[1],
			       (long long)e->recovered, (long long)e->replications, e->stage_s[0],
			       e->stage_s[1], e->stage_s[2], e->stage_s[3], e->stage_s[4],
			       e->rpo_tx[0], e->write_unavailable_s[0], e->read_unavailable_s[0]);
		if (e->link >= 0 && e->harmless)
			printf("\n    harmless: writes back in %.1f s with every primary in place: a "
			       "partition of this link costs nothing", e->rto_s[0]);
		else if (e->link >= 0 && e->used && isinf(e->charged_s))
			printf("\n    charged: writes%s out for as long as the partition lasts (not "
			       "back before the run's last minute)", isnan(e->read_charged_s) ? " and reads" : "");
		else if (e->link >= 0 && e->used)
			printf("\n    charged: writes %.1f s, reads %.1f s (at most the partition's "
			       "length)", e->charged_s, e->read_charged_s);
		else if (e->harmless)
			printf("\n    harmless: %s stays primary, writes back in %.1f s: such a failure "
			       "does not take the instance down (the blip is not charged)",
			       e->primary_after, e->rto_s[0]);
		else if (e->used && e->kind == AVAIL_TAKEOVER_RESTART)
			printf("\n    charged on the primary's return: writes %.1f s, reads %.1f s",
			       e->charged_s, e->read_charged_s);
		else if (e->used)
			printf("\n    charged: writes %.1f s, reads %.1f s", e->charged_s,
			       e->read_charged_s);
		else
			printf("%snot used: %s", isnan(e->rto_s[0]) ? "" : "; ", e->note);
		printf("\n");
	}
	printf("\n");
}

static void print_result(const struct scenario *s, const struct avail_result *r,
			 const struct ctmc_result *ex, const struct avail_library *lib,
			 double wall)
{
	const struct scenario_config *c = &s->config;
	printf("failure processes (%zu components):\n", r->components);
	for (size_t i = 0; i < c->stochastic_fault_count; i++) {
		const struct stochastic_fault_config *sf = &c->stochastic_faults[i];
		char a[UNITS_FORMAT_SIZE], b[UNITS_FORMAT_SIZE];
		double mtbf_h = rng_dist_mean(&sf->mtbf) / 3600.0;
		double mttr_s = rng_dist_mean(&sf->mttr);
		units_format_duration(sim_time_from_s(mttr_s), b, sizeof(b));
		if (mtbf_h >= AVAIL_HOURS_PER_YEAR)
			snprintf(a, sizeof(a), "%.4g y", mtbf_h / AVAIL_HOURS_PER_YEAR);
		else
			units_format_duration(sim_time_from_s(mtbf_h * 3600.0), a, sizeof(a));
		printf("  %-7s MTBF %s%s, MTTR %s%s, %.4g failures/year\n",
		       fault_class_names[sf->class_], a, sf->mtbf_default ? " (default)" : "", b,
		       sf->mttr_default ? " (default)" : "", r->failures_per_year[sf->class_]);
		if (sf->mtbf_default || sf->mttr_default)
			printf("          default, an assumption: %s\n",
			       fault_class_default_source[sf->class_]);
	}
	printf("\navailability (%.0f%% intervals across %d batches of %.4g years)\n",
	       100 * r->level, r->batches, r->years / r->batches);
	printf("  writes  ");
	print_ci(&r->write_availability, "%.7f", "");
	printf("  (unavailability %.3g, %.2f nines)\n", 1 - r->write_availability.mean,
	       nines(r->write_availability.mean));
	printf("  reads   ");
	print_ci(&r->read_availability, "%.7f", "");
	printf("  (unavailability %.3g; read downtime ", 1 - r->read_availability.mean);
	print_ci(&r->read_downtime_minutes_per_year, "%.4g", " min/year");
	printf(")\n");
	if (ex->applies) {
		printf("  exact chain (%zu states): %.7f (unavailability %.3g), downtime %.4g "
		       "min/year", ex->states, ex->availability, 1 - ex->availability,
		       (1 - ex->availability) * AVAIL_HOURS_PER_YEAR * 60);
		double d = fabs(ex->availability - r->write_availability.mean);
		if (!isnan(r->write_availability.half) && d > r->write_availability.half)
			printf("  DISAGREES: %.3g outside the interval\n", d);
		else
			printf("  (agrees)\n");
	} else {
		printf("  exact chain: does not apply (%s)\n", ex->why);
	}
	printf("\ndowntime  ");
	print_ci(&r->downtime_minutes_per_year, "%.4g", " min/year");
	printf(" (rests on %llu outages)", (unsigned long long)r->outages);
	if (r->importance)
		printf("\n  importance sampling: %llu regenerative cycles, effective sample count "
		       "%.1f; a single year's downtime is not estimated under it\n",
		       (unsigned long long)r->cycles, r->effective_samples);
	else
		printf("\n  a single year's downtime: p50 %.3f, p90 %.3f, p99 %.3f, max %.3f min\n",
		       r->yearly_downtime_p50, r->yearly_downtime_p90, r->yearly_downtime_p99,
		       r->yearly_downtime_max);
	printf("incidents ");
	print_ci(&r->incidents_per_year, "%.4f", " /year");
	printf("; takeovers ");
	print_ci(&r->takeovers_per_year, "%.4f", " /year");
	printf("\npromotions that may lose data (DR promotions, manual takeovers) ");
	print_ci(&r->lossy_promotions_per_year, "%.5f", " /year");
	double rpo = expected_rpo(r, lib);
	if (!isnan(rpo))
		printf("\n  expected RPO: %.3f acknowledged transactions lost per year in takeovers "
		       "(each class's rate times the library's RPO); DR promotions and manual "
		       "takeovers lose what the new primary lacks, not measured\n", rpo);
	else
		printf("\n  expected RPO: not measured (no incident library); DR promotions and "
		       "manual takeovers lose what the new primary lacks\n");

	printf("\ndowntime by cause (min/year with interval; incidents/year counted in the stage "
	       "they began in)\n");
	printf("  %-52s %-17s %24s %12s %8s\n", "incident class", "stage", "min/year",
	       "incidents/yr", "samples");
	for (size_t i = 0; i < r->cause_count; i++) {
		const struct avail_cause *ca = &r->causes[i];
		char m[64];
		if (isnan(ca->minutes_per_year.half))
			snprintf(m, sizeof(m), "%.4f", ca->minutes_per_year.mean);
		else
			snprintf(m, sizeof(m), "%.4f \u00b1 %.4f", ca->minutes_per_year.mean,
				 ca->minutes_per_year.half);
		printf("  %-52s %-17s %24s %12.5f %8llu%s\n", ca->incident_class,
		       avail_stage_names[ca->stage], m, ca->incidents_per_year,
		       (unsigned long long)ca->samples,
		       ca->samples < AVAIL_SAMPLES_MIN ? " thin" : "");
		/* A takeover charged from the library: its minutes by RTO stage, in the
		 * proportions the request-level runs measured. */
		struct avail_library_entry mean;
		const struct avail_library_entry *e =
			avail_library_mean(lib, ca->incident_class, &mean) ? &mean : NULL;
		if (e && e->kind != AVAIL_TAKEOVER_RESTART && ca->stage == AVAIL_STAGE_TAKEOVER &&
		    e->rto_s[0] > 0)
			for (int k = 0; k < STAGE_COUNT; k++)
				if (e->stage_s[k] > 0)
					printf("    %-50s %-17s %24.4f\n", "", ledger_stage_names[k],
					       ca->minutes_per_year.mean * e->stage_s[k] / e->rto_s[0]);
	}
	if (r->cause_count == 0)
		printf("  (no outage in %.4g years)\n", r->years);
	/* Rare events: say when an estimate rests on few observations (no variance
	 * reduction is applied: more years is the remedy). */
	size_t thin = 0;
	for (size_t i = 0; i < r->cause_count; i++)
		thin += r->causes[i].samples < AVAIL_SAMPLES_MIN;
	if (r->importance && r->effective_samples < AVAIL_SAMPLES_MIN)
		printf("\nwarning: the effective sample count is %.1f (fewer than %d): the "
		       "interval is not meaningful; simulate more years or change --bias\n",
		       r->effective_samples, AVAIL_SAMPLES_MIN);
	else if (!r->importance && r->outages < AVAIL_SAMPLES_MIN)
		printf("\nwarning: the downtime rests on %llu outages (fewer than %d): its interval "
		       "is not meaningful; simulate more years\n",
		       (unsigned long long)r->outages, AVAIL_SAMPLES_MIN);
	if (r->batches_without_outage > 0)
		printf("warning: %d of %d batches saw no outage: the interval understates the "
		       "uncertainty; simulate more years\n", r->batches_without_outage, r->batches);
	if (thin)
		printf("warning: %zu cause rows rest on fewer than %d outages (marked thin): their "
		       "figures are rough\n", thin, AVAIL_SAMPLES_MIN);
	printf("\n%.4g years in %.2f s (%.0f years/s, %llu events)\n", r->years, wall,
	       wall > 0 ? r->years / wall : 0.0, (unsigned long long)r->events);
}

static int store(struct results *db, const char *experiment, const struct scenario *s,
		 uint64_t seed, const struct avail_result *r, const struct ctmc_result *ex,
		 const struct avail_library *lib, double bias, double wall)
{
	char hash[17], started[32];
	runner_scenario_hash(s, hash);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	struct results_avail_run a = {
		.experiment = experiment, .scenario_name = s->config.name,
		.scenario_text = s->merged_json, .scenario_hash = hash, .seed = seed,
		.version = TOPSIM_VERSION, .started_at = started, .wall_s = wall,
		.years = r->years, .batches = r->batches, .level = r->level,
		.figures = {r->write_availability.mean, r->write_availability.half,
			    r->read_availability.mean, r->read_availability.half,
			    r->downtime_minutes_per_year.mean, r->downtime_minutes_per_year.half,
			    r->incidents_per_year.mean, r->incidents_per_year.half,
			    r->takeovers_per_year.mean, r->takeovers_per_year.half,
			    r->lossy_promotions_per_year.mean, r->lossy_promotions_per_year.half,
			    r->yearly_downtime_p50, r->yearly_downtime_p90, r->yearly_downtime_p99,
			    r->yearly_downtime_max},
		.exact_availability = ex->applies ? ex->availability : NAN,
		.rpo_tx_per_year = expected_rpo(r, lib),
		.outages = r->outages,
		.bias = bias,
		.effective_samples = r->effective_samples,
		.events = r->events,
		.read_downtime = {r->read_downtime_minutes_per_year.mean,
				  r->read_downtime_minutes_per_year.half}};
	int64_t id;
	int rc = results_begin(db);
	if (rc == 0)
		rc = results_add_avail_run(db, &a, &id);
	for (size_t i = 0; rc == 0 && i < r->cause_count; i++)
		rc = results_add_avail_cause(db, id, r->causes[i].incident_class,
					     avail_stage_names[r->causes[i].stage],
					     r->causes[i].minutes_per_year.mean,
					     r->causes[i].minutes_per_year.half,
					     r->causes[i].incidents_per_year, r->causes[i].samples);
	for (size_t i = 0; rc == 0 && i < lib->count; i++) {
		const struct avail_library_entry *e = &lib->entries[i];
		struct results_avail_library row = {
			.incident_class = e->incident_class, .fault = e->fault,
			.replications = e->replications, .recovered = e->recovered,
			.rto_s = e->rto_s[0], .rto_s_half = e->rto_s[1], .rpo_tx = e->rpo_tx[0],
			.write_unavailable_s = e->write_unavailable_s[0], .used = e->used,
			.read_unavailable_s = e->read_unavailable_s[0], .cached = e->cached,
			.stratum = e->stratum_name};
		for (int k = 0; k < STAGE_COUNT && k < 5; k++)
			row.stage_s[k] = e->stage_s[k];
		rc = results_add_avail_library(db, id, &row);
	}
	for (int c = 0; rc == 0 && c < FAULT_CLASS_COUNT; c++)
		rc = results_add_avail_failures(db, id, fault_class_names[c],
						r->failures_per_year[c]);
	if (rc == 0)
		rc = results_commit(db);
	if (rc < 0) {
		fprintf(stderr, "topsim availability: storing: %s\n", results_errmsg(db));
		results_rollback(db);
	}
	return rc;
}

int cmd_availability(int argc, char **argv)
{
	static const struct option opts[] = {
		EXP_LONG_OPTIONS,
		{"years", required_argument, NULL, 'Y'},
		{"batches", required_argument, NULL, 'B'},
		{"no-store", no_argument, NULL, 'N'},
		{"library", required_argument, NULL, 'L'},
		{"bias", required_argument, NULL, 'b'},
		{"rebuild-library", no_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct exp_opts o;
	exp_opts_init(&o);
	double years = NAN;
	long batches = 20, library = -1;
	double bias = 0;
	bool store_db = true, rebuild = false;
	int ch, rc = CLI_EXIT_OK;
	while ((ch = getopt_long(argc, argv, "h" EXP_SHORT_OPTIONS, opts, NULL)) != -1) {
		char *end;
		switch (ch) {
		case 'h':
			fputs(cmd_availability_usage, stdout);
			goto out;
		case 'Y':
			errno = 0;
			years = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(years >= 1 && years <= 1e7) ||
			    years != floor(years)) {
				rc = cli_usage_error("availability",
						     "years must be a whole number from 1 to 10000000, "
						     "not \"%s\"", optarg);
				goto out;
			}
			continue;
		case 'B':
			errno = 0;
			batches = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || batches < 2 || batches > 100000) {
				rc = cli_usage_error("availability",
						     "batches must be 2 to 100000, not \"%s\"", optarg);
				goto out;
			}
			continue;
		case 'N':
			store_db = false;
			continue;
		case 'R':
			rebuild = true;
			continue;
		case 'b':
			errno = 0;
			bias = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(bias > 0 && bias < 1)) {
				rc = cli_usage_error("availability",
						     "bias must be a probability between 0 and 1, not "
						     "\"%s\"", optarg);
				goto out;
			}
			continue;
		case 'L':
			errno = 0;
			library = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || library < 0 || library > 1000) {
				rc = cli_usage_error("availability",
						     "library must be 0 to 1000 replications, not \"%s\"",
						     optarg);
				goto out;
			}
			continue;
		case 'n': case 'd': case 'w': case 'W': case 'E':
			rc = cli_usage_error("availability", "option -%c is for request-level runs",
					     ch == 'n' ? 'n' : ch);
			goto out;
		default:
			break;
		}
		int r = exp_opts_parse(&o, "availability", ch, optarg);
		if (r == -1) {
			fputs(cmd_availability_usage, stderr);
			rc = CLI_EXIT_USAGE;
			goto out;
		}
		if (r != 0) {
			rc = r;
			goto out;
		}
	}
	if (optind != argc - 1) {
		rc = cli_usage_error("availability", "expected exactly one scenario file");
		goto out;
	}
	struct scenario s;
	rc = cmd_scenario_load(&s, argv[optind], &o.so);
	if (rc != CLI_EXIT_OK) {
		scenario_release(&s);
		goto out;
	}
	/* A scenario without stochastic_faults: every component fails at its class's sourced
	 * default rate. */
	int defaults = avail_default_classes(&s.config);
	if (defaults < 0) {
		scenario_release(&s);
		rc = CLI_EXIT_INTERNAL;
		goto out;
	}
	if (defaults)
		printf("the scenario has no stochastic_faults: every host, volume, AZ, region and "
		       "link fails at its class's default rate (assumptions, below)\n");
	/* Defaults from the scenario's availability section. */
	if (isnan(years))
		years = (double)s.config.availability.years;
	if (library < 0)
		library = (long)s.config.availability.library;
	if ((double)batches > years) {
		rc = cli_usage_error("availability", "%ld batches need at least %ld years", batches,
				     batches);
		scenario_release(&s);
		goto out;
	}
	uint64_t seed = o.seed >= 0 ? (uint64_t)o.seed : (uint64_t)s.config.seed;
	struct avail_opts ao = {.years = years, .batches = (int)batches, .jobs = o.threads,
				.level = 0.95, .seed = seed, .bias = bias};
	if (ao.jobs <= 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		ao.jobs = cores > 0 ? (int)cores : 1;
	}
	struct results *db = NULL;
	char experiment[256] = "";
	if (store_db) {
		db = exp_open_db(&o, "availability", experiment, sizeof(experiment), &rc);
		if (!db) {
			scenario_release(&s);
			goto out;
		}
	}
	struct avail_result r;
	struct ctmc_result ex;
	struct avail_library lib;
	memset(&r, 0, sizeof(r));
	char err[512] = "";
	int ar = 0;
	if (library > 0 && s.config.mirror_count > 0) {
		struct avail_library_opts lo = {.replications = (int)library, .threads = ao.jobs,
						.seed = seed, .cache = db, .rebuild = rebuild,
						.version = TOPSIM_VERSION};
		if (avail_library_build(&s, &lo, &lib, err, sizeof(err)) == 0) {
			avail_library_apply(&lib, &ao);
		} else {
			/* The availability mode stands without it: failover_time for every takeover. */
			fprintf(stderr, "%s: warning: incident library not built (%s): every takeover "
				"costs availability.failover_time\n", s.file, err);
			avail_library_release(&lib);
			memset(&lib, 0, sizeof(lib));
			err[0] = '\0';
		}
	} else {
		memset(&lib, 0, sizeof(lib));
	}
	double t0 = wall_now();
	if (ar == 0)
		ar = avail_run(&s.config, &ao, &r, err, sizeof(err));
	double wall = wall_now() - t0;
	ctmc_solve(&s.config, &ex);
	if (ar < 0) {
		fprintf(stderr, "%s: error: %s\n", s.file, err);
		rc = ar == -EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_INTERNAL;
	} else {
		printf("scenario %s, seed %llu: %.0f years%s%s%s\n", s.config.name,
		       (unsigned long long)seed, years, db ? ", results in " : "",
		       db ? o.db_path : "", db ? "" : " (not stored)");
		if (db)
			printf("experiment %s\n", experiment);
		print_library(&lib);
		print_result(&s, &r, &ex, &lib, wall);
		if (db && store(db, experiment, &s, seed, &r, &ex, &lib, bias, wall) < 0)
			rc = CLI_EXIT_INTERNAL;
	}
	avail_result_release(&r);
	avail_library_release(&lib);
	results_close(db);
	scenario_release(&s);
out:
	exp_opts_release(&o);
	return rc;
}

int cmd_avail_compare(struct scenario *const *variants, const char *const *names, size_t n,
		      double years, int library, int jobs, uint64_t seed)
{
	struct avail_result *r = calloc(n + 1, sizeof(*r));
	bool *ok = calloc(n + 1, sizeof(bool));
	if (!r || !ok) {
		free(r);
		free(ok);
		return CLI_EXIT_INTERNAL;
	}
	int rc = CLI_EXIT_OK;
	printf("\nannual downtime (availability mode: %.0f years in 20 batches, seed %llu, incident "
	       "library %d replications; values: mean \u00b195%% CI; diff: paired by batch with "
	       "\"%s\", * significant)\n",
	       years, (unsigned long long)seed, library, names[0]);
	printf("%-24s %24s %26s %28s %10s\n", "variant", "write availability", "downtime min/year",
	       "diff min/year", "outages");
	for (size_t i = 0; i < n; i++) {
		struct avail_opts o = {.years = years, .batches = 20, .jobs = jobs, .level = 0.95,
				       .seed = seed};
		if (avail_default_classes(&variants[i]->config) < 0) {
			rc = CLI_EXIT_INTERNAL;
			break;
		}
		struct avail_library lib;
		memset(&lib, 0, sizeof(lib));
		char err[512] = "";
		int ar = 0;
		if (library > 0 && variants[i]->config.mirror_count > 0) {
			struct avail_library_opts lo = {.replications = library, .threads = jobs,
							.seed = seed};
			if (avail_library_build(variants[i], &lo, &lib, err, sizeof(err)) == 0) {
				avail_library_apply(&lib, &o);
			} else {
				fprintf(stderr, "%s: warning: incident library not built (%s): every "
					"takeover costs availability.failover_time\n", names[i], err);
				avail_library_release(&lib);
				memset(&lib, 0, sizeof(lib));
			}
		}
		if (ar == 0)
			ar = avail_run(&variants[i]->config, &o, &r[i], err, sizeof(err));
		avail_library_release(&lib);
		if (ar < 0) {
			printf("%-24.24s   cannot run: %s\n", names[i], err);
			if (ar != -EINVAL)
				rc = CLI_EXIT_INTERNAL;
			continue;
		}
		ok[i] = true;
		char a[64], d[64], diff[64] = "";
		snprintf(a, sizeof(a), "%.7f \u00b1%.7f", r[i].write_availability.mean,
			 r[i].write_availability.half);
		snprintf(d, sizeof(d), "%.3f \u00b1%.3f", r[i].downtime_minutes_per_year.mean,
			 r[i].downtime_minutes_per_year.half);
		if (i > 0 && ok[0] && r[0].batches == r[i].batches) {
			double *x = malloc((size_t)r[i].batches * sizeof(double)), m, h;
			if (x) {
				for (int b = 0; b < r[i].batches; b++)
					x[b] = r[i].batch_minutes[b] - r[0].batch_minutes[b];
				stat_ci_mean(x, (size_t)r[i].batches, 0.95, &m, &h);
				snprintf(diff, sizeof(diff), "%+.4g \u00b1%.2g%s", m, h,
					 !isnan(h) && fabs(m) > h && fabs(m) > 1e-9 ? " *" : "");
				free(x);
			}
		}
		printf("%-24.24s %26s %28s %28s %10llu%s\n", names[i], a, d, diff,
		       (unsigned long long)r[i].outages,
		       r[i].outages < AVAIL_SAMPLES_MIN ? " thin" : "");
	}
	for (size_t i = 0; i < n; i++)
		avail_result_release(&r[i]);
	free(r);
	free(ok);
	return rc;
}
