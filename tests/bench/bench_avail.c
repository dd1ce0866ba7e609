/* bench_avail: the availability mode's speed (docs/performance.md), printed, never timed in a
 * test. Runs the production architecture with every component failing at its class's
 * sourced default rate (10 hosts, 12 volumes, 5 AZs, 2 regions, 4 links) for YEARS simulated years
 * (default 10000) on one thread, and, in the same run, the request-level simulator on the
 * same scenario for SECONDS of simulated time (default 120) to give its cost per simulated
 * year side by side.
 * usage: bench_avail [SOURCE_DIR [YEARS [SECONDS]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "avail.h"
#include "runner.h"
#include "scenario.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const char *src = argc > 1 ? argv[1] : TOPSIM_SOURCE_DIR;
	double years = argc > 2 ? atof(argv[2]) : 10000;
	double seconds = argc > 3 ? atof(argv[3]) : 120;
	gsl_set_error_handler_off();
	char path[4096];
	snprintf(path, sizeof(path), "%s/scenarios/production.json", src);
	const char *sets[] = {"stochastic_faults=[{\"class\": \"host\"}, {\"class\": \"volume\"}, "
			      "{\"class\": \"az\"}, {\"class\": \"region\"}, {\"class\": \"link\"}]"};
	struct scenario s;
	struct diag diag;
	diag_init(&diag);
	if (scenario_load(&s, path, sets, 1, NULL, &diag) != 0) {
		diag_print(&diag, stderr);
		return 2;
	}
	diag_release(&diag);

	struct avail_opts o = {.years = years, .batches = 20, .jobs = 1, .level = 0.95, .seed = 1};
	struct avail_result r;
	char err[256];
	double t0 = now_s();
	if (avail_run(&s.config, &o, &r, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_avail: %s\n", err);
		return 3;
	}
	double wall = now_s() - t0;
	printf("upper level: production, every class at its default rate, %zu components\n",
	       r.components);
	printf("  %.0f years in %.3f s on one thread: %.0f years/s, %.0f events/s\n", years, wall,
	       years / wall, (double)r.events / wall);
	printf("  write availability %.7f +- %.7f, downtime %.3f +- %.3f min/year\n",
	       r.write_availability.mean, r.write_availability.half,
	       r.downtime_minutes_per_year.mean, r.downtime_minutes_per_year.half);
	avail_result_release(&r);

	struct runner_opts ro = {.replications = 1, .seed = 1,
				 .duration = sim_time_from_s(seconds), .warmup = 0,
				 .series_width = 60 * SIM_S, .version = "bench", .ci_level = 0.95,
				 .threads = 1};
	struct summary sum;
	t0 = now_s();
	int rc = runner_run(&s, &ro, NULL, &sum, err, sizeof(err));
	double rwall = now_s() - t0;
	if (rc != 0) {
		fprintf(stderr, "bench_avail: request level: %s\n", err);
		return 3;
	}
	double per_year = rwall / seconds * AVAIL_HOURS_PER_YEAR * 3600;
	printf("request level: the same scenario at 2000 requests/s, %.0f s simulated in %.2f s "
	       "(%.0fx real time)\n", seconds, rwall, seconds / rwall);
	printf("  one simulated year would take %.0f s (%.1f h): the upper level is %.3g times "
	       "faster per simulated year\n", per_year, per_year / 3600, per_year * years / wall);
	summary_release(&sum);
	scenario_release(&s);
	return 0;
}
