/* run_scenario.h: what the in-process scenario tests share (validation, drills): find a file
 * of the source tree, load a scenario with --set overrides and run its replications without
 * a database. Header-only, for test programs; include after <cmocka.h>. */
#ifndef TOPSIM_TEST_RUN_SCENARIO_H
#define TOPSIM_TEST_RUN_SCENARIO_H

#include <stdio.h>
#include <stdlib.h>

#include "runner.h"
#include "scenario.h"

/* rel, a path in the source tree ($TOPSIM_SOURCE_DIR, set by CTest). Static buffer. */
static inline const char *test_source_path(const char *rel)
{
	static char path[4096];
	const char *dir = getenv("TOPSIM_SOURCE_DIR");
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : TOPSIM_SOURCE_DIR, rel);
	return path;
}

/* Load rel with the given overrides and run every replication, intervals at `level`.
 * Fails the test when the scenario does not load or run, or conservation fails. */
static inline void test_run_scenario(const char *rel, const char *const *sets, size_t n_sets,
				     double level, struct scenario *s, struct summary *sum)
{
	struct diag diag;
	diag_init(&diag);
	int rc = scenario_load(s, test_source_path(rel), sets, n_sets, NULL, &diag);
	if (rc != 0)
		diag_print(&diag, stderr);
	diag_release(&diag);
	assert_int_equal(rc, 0);
	struct runner_opts o = {
		.replications = s->config.replications,
		.seed = (uint64_t)s->config.seed,
		.duration = s->config.duration,
		.warmup = s->config.warmup,
		.series_width = 60 * SIM_S,
		.version = "test",
		.ci_level = level,
	};
	char err[512] = "";
	rc = runner_run(s, &o, NULL, sum, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "runner: %s\n", err);
	assert_int_equal(rc, 0);
	assert_int_equal(sum->replications, s->config.replications);
	assert_int_equal(sum->conservation_violations, 0);
}

#endif
