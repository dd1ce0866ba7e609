/* cmd_run.c: topsim run: load a scenario, run its replications, store and summarise. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_run.h"
#include "cmd_scenario.h"
#include "runner.h"
#include "world.h"
#include "units.h"
#include "version.h"

static const char run_usage[] =
	"usage: topsim run FILE [-n REPLICATIONS] [-s SEED] [-o DB] [--set PATH=VALUE]...\n"
	"                  [--duration D] [--warmup D] [--series-width D] [--no-progress]\n"
	"                  [--include-root DIR]\n"
	"Run the scenario's replications, store every one in the results database (default\n"
	"./topsim.db; one transaction per replication) and print per operation class the\n"
	"throughput and latency (mean, p50, p99, p99.9) with 95% confidence intervals,\n"
	"the incidents of the scenario's faults (RTO with its stages, RPO), availability,\n"
	"failed requests by cause, utilisation per host and volume, and the simulation\n"
	"speed. Exit 1 when an invariant is violated (single primary, no durable loss from\n"
	"an Active-backup takeover, request conservation).\n"
	"  -n, --replications N  replications (default: the scenario's)\n"
	"  -s, --seed S          scenario seed (default: the scenario's)\n"
	"  -o, --output DB       results database (default ./topsim.db)\n"
	"      --duration D      measured time per replication, e.g. 1h (default: scenario's)\n"
	"      --warmup D        time excluded from statistics (default: scenario's)\n"
	"      --series-width D  time-series bucket (default 10s; at most 100000 buckets per\n"
	"                        replication)\n"
	"      --set PATH=VALUE  override a scenario field, checked like the file\n"
	"      --catalog-dir DIR AWS catalog directory\n"
	"      --include-root DIR directory the scenario's includes may read under (default:\n"
	"                        the current directory, or the scenario's own directory\n"
	"                        when the scenario is outside it)\n"
	"      --no-progress     no progress line on stderr\n";

/* Interruption and progress: the CLI's, handed to the runner as a callback. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct progress_state {
	bool show;        /* print a progress line on stderr */
	double started;   /* wall clock, s */
};

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool run_progress(void *arg, int64_t rep, int64_t reps, double fraction)
{
	struct progress_state *p = arg;
	if (p->show) {
		double elapsed = wall_now() - p->started;
		double done = ((double)rep + fraction) / (double)reps;
		double eta = done > 0 ? elapsed * (1 - done) / done : 0;
		fprintf(stderr, "\rreplication %lld/%lld %5.1f%%  elapsed %.0fs  ETA %.0fs   ",
			(long long)rep + 1, (long long)reps, 100 * done, elapsed, eta);
	}
	return !interrupted;
}

/* Time-series buckets per replication: the world's bound, checked here first so the message
 * can name the option. */
#define SERIES_BUCKETS_MAX WORLD_SERIES_BUCKETS_MAX

static int parse_count(const char *text, int64_t max, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || *text == '\0' || *end != '\0' || v < 1 || v > max)
		return -1;
	*out = v;
	return 0;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"replications", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{"set", required_argument, NULL, 'S'},
		{"duration", required_argument, NULL, 'd'},
		{"warmup", required_argument, NULL, 'w'},
		{"series-width", required_argument, NULL, 'W'},
		{"catalog-dir", required_argument, NULL, 'c'},
		{"include-root", required_argument, NULL, 'I'},
		{"no-progress", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cmd_scenario_opts so = {0};
	const char *db_path = "topsim.db";
	int64_t replications = 0, seed = -1;
	sim_time width = 10 * SIM_S;
	bool progress = isatty(STDERR_FILENO);
	char err[UNITS_ERR_SIZE] = "";
	int ch, rc = CLI_EXIT_OK;
	while ((ch = getopt_long(argc, argv, "hn:s:o:", opts, NULL)) != -1) {
		sim_time *dur = NULL;
		switch (ch) {
		case 'n':
			if (parse_count(optarg, 100000, &replications) < 0) {
				rc = cli_usage_error("run", "replications must be 1 to 100000, not \"%s\"",
						     optarg);
				goto out;
			}
			break;
		case 's':
			if (parse_count(optarg, INT64_MAX, &seed) < 0 && strcmp(optarg, "0") != 0) {
				rc = cli_usage_error("run", "seed must be a non-negative integer, not \"%s\"",
						     optarg);
				goto out;
			}
			if (strcmp(optarg, "0") == 0)
				seed = 0;
			break;
		case 'o':
			/* SQLite reads "" and ":memory:" as a temporary database: the run would
			 * succeed and keep nothing. */
			if (optarg[0] == '\0' || strcmp(optarg, ":memory:") == 0) {
				rc = cli_usage_error("run", "-o needs a database file name, not \"%s\" "
							    "(which keeps nothing)",
						     optarg);
				goto out;
			}
			db_path = optarg;
			break;
		case 'S':
			if (cmd_scenario_add_set(&so, optarg) < 0) {
				rc = CLI_EXIT_INTERNAL;
				goto out;
			}
			break;
		case 'd': /* checked with the scenario, by the file's own rules */
			so.duration = optarg;
			break;
		case 'w':
			so.warmup = optarg;
			break;
		case 'W':
			dur = &width;
			break;
		case 'c':
			so.catalog_dir = optarg;
			break;
		case 'I':
			so.include_root = optarg;
			break;
		case 'P':
			progress = false;
			break;
		case 'h':
			fputs(run_usage, stdout);
			goto out;
		default:
			fputs(run_usage, stderr);
			rc = CLI_EXIT_USAGE;
			goto out;
		}
		if (dur && (units_parse_duration(optarg, dur, err, sizeof(err)) < 0 || *dur <= 0)) {
			rc = cli_usage_error("run", "--series-width: %s",
					     err[0] ? err : "must be positive");
			goto out;
		}
		err[0] = '\0';
	}
	if (optind != argc - 1) {
		rc = cli_usage_error("run", "expected exactly one scenario file");
		goto out;
	}
	struct scenario s;
	rc = cmd_scenario_load(&s, argv[optind], &so);
	if (rc != CLI_EXIT_OK) {
		scenario_release(&s);
		goto out;
	}
	if (s.config.workload.population_count == 0) {
		fprintf(stderr, "%s: error: $.workload: the scenario has no client populations to "
				"run\n",
			argv[optind]);
		scenario_release(&s);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	/* warm-up + duration is at most a year (scenario checks), so this cannot overflow. */
	sim_time run_end = s.config.warmup + s.config.duration;
	sim_time buckets = run_end / width + (run_end % width != 0);
	if (buckets > SERIES_BUCKETS_MAX) {
		char w[UNITS_FORMAT_SIZE], need[UNITS_FORMAT_SIZE];
		/* The smallest width that fits, rounded up to a whole millisecond. */
		sim_time least = run_end / SERIES_BUCKETS_MAX + (run_end % SERIES_BUCKETS_MAX != 0);
		least = (least + SIM_MS - 1) / SIM_MS * SIM_MS;
		units_format_duration(width, w, sizeof(w));
		units_format_duration(least, need, sizeof(need));
		rc = cli_usage_error("run",
				     "--series-width %s gives more than %d time-series buckets per "
				     "replication; use at least %s for this run",
				     w, SERIES_BUCKETS_MAX, need);
		scenario_release(&s);
		goto out;
	}
	struct runner_opts ro = {
		.replications = replications ? replications : s.config.replications,
		.seed = seed >= 0 ? (uint64_t)seed : (uint64_t)s.config.seed,
		.duration = s.config.duration,
		.warmup = s.config.warmup,
		.series_width = width,
		.version = TOPSIM_VERSION,
		.progress = run_progress,
	};
	struct progress_state ps = {progress, wall_now()};
	ro.progress_arg = &ps;
	char dberr[512];
	struct results *db = results_open(db_path, dberr, sizeof(dberr));
	if (!db) {
		fprintf(stderr, "topsim run: %s\n", dberr);
		scenario_release(&s);
		rc = strstr(dberr, "newer") || strstr(dberr, "not a topsim") ? CLI_EXIT_USAGE
									    : CLI_EXIT_INTERNAL;
		goto out;
	}
	/* One writer per file, found before anything is simulated. */
	int lr = results_lock_writer(db, db_path, dberr, sizeof(dberr));
	if (lr < 0) {
		fprintf(stderr, "topsim run: %s\n", dberr);
		results_close(db);
		scenario_release(&s);
		rc = CLI_EXIT_INTERNAL;
		goto out;
	}
	struct summary sum;
	char rerr[512] = "";
	struct sigaction sa = {0}, old_sa;
	sa.sa_handler = on_sigint;
	interrupted = 0;
	sigaction(SIGINT, &sa, &old_sa);
	int r = runner_run(&s, &ro, db, &sum, rerr, sizeof(rerr));
	sigaction(SIGINT, &old_sa, NULL);
	if (progress)
		fprintf(stderr, "\r%*s\r", 70, "");
	results_close(db);
	if (r < 0 && r != -EINTR) {
		fprintf(stderr, "topsim run: %s\n", rerr);
		rc = r == -EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_INTERNAL; /* out of memory: 3 */
	} else {
		char dur_text[UNITS_FORMAT_SIZE], warm_text[UNITS_FORMAT_SIZE];
		units_format_duration(ro.duration, dur_text, sizeof(dur_text));
		units_format_duration(ro.warmup, warm_text, sizeof(warm_text));
		printf("scenario %s, seed %llu: %s measured after %s of warm-up, results in %s\n",
		       s.config.name, (unsigned long long)ro.seed, dur_text, warm_text, db_path);
		summary_print(&sum, stdout);
		if (r == -EINTR) {
			fprintf(stderr, "topsim run: interrupted; %lld complete replications kept in %s\n",
				(long long)sum.replications, db_path);
			rc = CLI_EXIT_INTERNAL;
		} else if (sum.conservation_violations || sum.violations) {
			rc = CLI_EXIT_EXPECTATION;
		}
	}
	summary_release(&sum);
	scenario_release(&s);
out:
	cmd_scenario_opts_release(&so);
	return rc;
}
