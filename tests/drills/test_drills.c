/* test_drills: the failure drills of scenarios/drills/ against what the IRIS and AWS rules
 * predict (../shared/reference/iris.md §1-3, aws.md §4-5).
 *
 * Each drill file states its expected outcome as expectations (who is primary after,
 * whether the incident recovered, RTO and stage ranges derived from the scenario's
 * parameters, data lost, invariants); the derivations are in each drill's description and
 * in docs/models.md. This test runs every drill that has expectations through
 * `topsim check` (in-process: cmd_check), one cmocka test per file, so a drill's outcome is
 * data, not C. The ranges come from the rules, not from a run of the model: when the model
 * disagrees, the check fails and the model is what needs looking at.
 *
 * Two checks stay in C because they are not one scenario's expectations: the slow journal
 * volume against its own baseline (a paired difference of two runs), and a regression of
 * tries that time out before their answers arrive.
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "cmd_experiment.h"
#include "runner.h"
#include "../common/run_scenario.h"
#include "scenario.h"

/* main.c (not in the library) defines this for the topsim binary. */
int cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "topsim %s: ", command ? command : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

static void run_sets(const char *rel, const char *const *sets, size_t n_sets, struct scenario *s,
		     struct summary *sum)
{
	test_run_scenario(rel, sets, n_sets, 0.95, s, sum);
}

static void release(struct scenario *s, struct summary *sum)
{
	summary_release(sum);
	scenario_release(s);
}

/* One drill through `topsim check`: every expectation holds (exit 0). */
static void test_drill(void **state)
{
	const char *rel = *state;
	char path[4096], junit[4200], root[4096];
	snprintf(path, sizeof(path), "%s", test_source_path(rel));
	snprintf(root, sizeof(root), "%s", test_source_path("scenarios"));
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	snprintf(junit, sizeof(junit), "drills-%s.xml", base);
	/* The drills include ../production.json: their include root is scenarios/. */
	char *argv[] = {"topsim check", path,      "--no-progress", "-j", "2", "--junit",
			junit,          "--include-root", root,        NULL};
	optind = 0;
	fflush(stdout);
	int rc = cmd_check(9, argv);
	fflush(stdout);
	if (rc != 0)
		fail_msg("%s: topsim check exited %d (table above; JUnit in %s)", rel, rc, junit);
}

/* Drill slow-journal-volume against its baseline. Gray journal volume on the primary
 * (latency x50, IOPS x0.1) for 5 of the 10 measured minutes, commits synchronous (the
 * drill's own expectations: no failover, nothing lost, writes never stop). The same
 * drill with the factors set to 1 is the baseline (same seed: common random numbers).
 * gp3 write latency: lognormal median 0.8 ms, p99 3 ms -> sigma = ln(3/0.8)/2.326 = 0.568,
 * mean = 0.8 ms x exp(sigma^2/2) = 0.94 ms; x50 = 47 ms. A sync commit waits for the rest
 * of the flush in progress and for its own: 0.5-3 x 47 ms more while degraded, and the
 * fault covers half of the measured time: commit mean + [11.7, 70] ms. Plain sets and
 * reads do not wait for the journal: their means move by less than 3 ms. */
static void expect_range(const char *what, double v, double lo, double hi)
{
	printf("    %-44s %10.4f  expected [%g, %g]\n", what, v, lo, hi);
	if (!(v >= lo && v <= hi))
		fail_msg("%s = %g outside [%g, %g]", what, v, lo, hi);
}

static void test_slow_journal_volume_against_baseline(void **state)
{
	(void)state;
	struct scenario s, sb;
	struct summary sum, base;
	run_sets("scenarios/drills/slow-journal-volume.json", NULL, 0, &s, &sum);
	static const char *const undo[] = {"faults[0].latency_factor=1", "faults[0].iops_factor=1"};
	run_sets("scenarios/drills/slow-journal-volume.json", undo, 2, &sb, &base);
	assert_int_equal(sum.class_count, base.class_count);
	const double degraded_write = 47e-3, fraction = 0.5;
	for (size_t c = 0; c < sum.class_count; c++) {
		double delta = sum.classes[c].mean_s[0] - base.classes[c].mean_s[0];
		char what[160];
		snprintf(what, sizeof(what), "%s mean latency increase, s", sum.classes[c].name);
		if (strcmp(sum.classes[c].name, "commit") == 0)
			expect_range(what, delta, 0.5 * degraded_write * fraction,
				     3.0 * degraded_write * fraction);
		else if (strcmp(sum.classes[c].name, "read") == 0 ||
			 strcmp(sum.classes[c].name, "write") == 0)
			expect_range(what, delta, -3e-3, 3e-3);
	}
	release(&sb, &base);
	release(&s, &sum);
}

/* Answers slower than the client's timeout: every try of the primary-crash drill times out
 * (5 ms timeout) while errors and responses are still on their way. Tries must be kept
 * until their last event has arrived (a regression: they were reused early and the run ran
 * out of memory). Checked: the run completes, every request is accounted for, and the
 * timeouts are counted as failures. */
static void test_timeouts_shorter_than_answers(void **state)
{
	(void)state;
	static const char *const sets[] = {"workload.populations[users].timeout=5ms",
					   "duration=2m"};
	struct scenario s;
	struct summary sum;
	run_sets("scenarios/drills/primary-host-crash.json", sets, 2, &s, &sum);
	assert_int_equal(sum.conservation_violations, 0);
	assert_true(sum.failures[CAUSE_TIMEOUT] > 1000);
	release(&s, &sum);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	/* Every scenarios/drills/ *.json that has expectations (the others are bases that drills
	 * include), in name order. */
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", test_source_path("scenarios/drills"));
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "cannot open %s\n", dir);
		return 1;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		char file[8192], rel[4200];
		snprintf(file, sizeof(file), "%s/%s", dir, e->d_name);
		FILE *f = fopen(file, "r");
		char buf[1 << 16];
		size_t got = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		if (f)
			fclose(f);
		buf[got] = '\0';
		if (!strstr(buf, "\"expectations\""))
			continue;
		snprintf(rel, sizeof(rel), "scenarios/drills/%s", e->d_name);
		char **grown = realloc(names, sizeof(*names) * (n + 1));
		if (!grown || !(grown[n] = strdup(rel)))
			return 1;
		names = grown;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	struct CMUnitTest *tests = calloc(n + 2, sizeof(*tests));
	if (!tests)
		return 1;
	for (size_t i = 0; i < n; i++)
		tests[i] = (struct CMUnitTest){names[i], test_drill, NULL, NULL, names[i]};
	tests[n] = (struct CMUnitTest)cmocka_unit_test(test_slow_journal_volume_against_baseline);
	tests[n + 1] = (struct CMUnitTest)cmocka_unit_test(test_timeouts_shorter_than_answers);
	int failed = _cmocka_run_group_tests("drills", tests, n + 2, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(tests);
	return failed;
}
