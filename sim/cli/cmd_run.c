/* cmd_run.c: topsim run: load a scenario, run its replications, store, summarise and
 * evaluate its expectations. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_experiment.h"
#include "cmd_run.h"
#include "metric.h"
#include "units.h"

const char cmd_run_usage[] =
	"usage: topsim run FILE [-n REPLICATIONS] [-s SEED] [-j JOBS] [-o DB] [--set PATH=VALUE]...\n"
	"                  [--expect FILE] [--experiment NAME] [--duration D] [--warmup D]\n"
	"                  [--series-width D] [--no-progress]\n"
	"Run the scenario's replications, store every one in the results database (default\n"
	"./topsim.db; one transaction per replication, tagged with the experiment's name) and\n"
	"print per operation class the throughput and latency (mean, p50, p99, p99.9; the\n"
	"percentiles of all replications' completions pooled) with 95% confidence intervals\n"
	"(shown as [0, upper] where a non-negative figure's interval reaches below 0), the\n"
	"incidents of the scenario's faults (RTO mean and max with its stages, RPO in updates\n"
	"and as a time span, occurrences that lost data), availability, failed requests by\n"
	"cause per replication, utilisation per host and volume, the simulation speed, and the\n"
	"verdict of each of the scenario's expectations. Warns when fewer than 3 replications\n"
	"leave the intervals meaningless and when a replication holds fewer than 10 samples\n"
	"beyond a percentile.\n"
	"Exit 1 when an expectation fails or an invariant is violated (single primary, no\n"
	"durable loss from an Active-backup takeover, request conservation).\n"
	"Options:\n" EXP_OPTIONS_HELP;

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		EXP_LONG_OPTIONS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct exp_opts o;
	exp_opts_init(&o);
	int ch, rc = CLI_EXIT_OK;
	while ((ch = getopt_long(argc, argv, "h" EXP_SHORT_OPTIONS, opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(cmd_run_usage, stdout);
			goto out;
		}
		int r = exp_opts_parse(&o, "run", ch, optarg);
		if (r == -1) {
			fputs(cmd_run_usage, stderr);
			rc = CLI_EXIT_USAGE;
			goto out;
		}
		if (r != 0) {
			rc = r;
			goto out;
		}
	}
	if ((rc = exp_opts_finish(&o, "run")) != 0)
		goto out;
	if (optind != argc - 1) {
		rc = cli_usage_error("run", "expected exactly one scenario file");
		goto out;
	}
	/* Check the scenario before creating a database for it. */
	struct scenario probe;
	rc = cmd_scenario_load(&probe, argv[optind], &o.so);
	if (rc == CLI_EXIT_OK)
		rc = exp_check_series(&o, &probe);
	if (rc == CLI_EXIT_OK && o.expect_file) {
		struct diag diag;
		diag_init(&diag);
		if (scenario_load_expectations(&probe, o.expect_file, &diag) < 0)
			rc = CLI_EXIT_USAGE;
		diag_print(&diag, stderr);
		diag_release(&diag);
	}
	scenario_release(&probe);
	if (rc != CLI_EXIT_OK)
		goto out;
	char experiment[256];
	struct results *db = exp_open_db(&o, "run", experiment, sizeof(experiment), &rc);
	if (!db)
		goto out;
	struct exp_result res;
	rc = exp_run(argv[optind], &o, NULL, 0, db, experiment, "", &res);
	results_close(db);
	if (res.ran && (rc == CLI_EXIT_OK || res.sum.replications > 0)) {
		char dur_text[UNITS_FORMAT_SIZE], warm_text[UNITS_FORMAT_SIZE];
		units_format_duration(res.ro.duration, dur_text, sizeof(dur_text));
		units_format_duration(res.ro.warmup, warm_text, sizeof(warm_text));
		printf("scenario %s, seed %llu: %s measured after %s of warm-up, results in %s "
		       "(experiment %s)\n",
		       res.s.config.name, (unsigned long long)res.ro.seed, dur_text, warm_text,
		       o.db_path, experiment);
		if (o.target_width > 0) {
			double w;
			bool met = exp_target_met(&res, &o, &w);
			printf("sequential stopping: %s widest relative half-width %.3g after %lld "
			       "replications (target %g, at most %lld, rounds of %lld)%s\n",
			       metric_def((enum metric_id)o.target_metric)->name, w,
			       (long long)res.sum.replications, o.target_width,
			       (long long)o.max_replications, (long long)res.round,
			       met ? "" : ": NOT MET");
		}
		summary_print(&res.sum, stdout);
		if (rc == CLI_EXIT_OK && res.ex.count) {
			printf("\nexpectations (%lld replications)\n", (long long)res.sum.replications);
			expect_print(&res.ex, stdout);
		}
		if (rc == CLI_EXIT_OK &&
		    (res.sum.conservation_violations || res.sum.violations || expect_failed(&res.ex)))
			rc = CLI_EXIT_EXPECTATION;
	}
	exp_result_release(&res);
out:
	exp_opts_release(&o);
	return rc;
}
