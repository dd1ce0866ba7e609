/* cmd_check.c: topsim check: run scenarios, evaluate their expectations, report for CI
 * (a table, JUnit XML, JSON) and exit 0 when every expectation holds, 1 when one fails.
 *
 * Every file (and the --expect file) is loaded and checked before anything runs, so bad
 * input exits 2 with nothing simulated or written. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cmd_experiment.h"

const char cmd_check_usage[] =
	"usage: topsim check FILE... [--junit FILE] [--json FILE] [--expect FILE] [-n N] [-j N]\n"
	"                    [-s SEED] [--set PATH=VALUE]... [-o DB] [--duration D] [--warmup D]\n"
	"Run each scenario's replications and evaluate its expectations (or those of --expect):\n"
	"print a table per scenario (expectation, measured value with its interval, verdict),\n"
	"optionally write JUnit XML (one testcase per expectation, the measured figures in the\n"
	"failure message) and JSON. Results go to a database only with -o.\n"
	"Exit 0 when every expectation holds, 1 when one fails (or an invariant is violated),\n"
	"2 on bad input (nothing is run), 3 on an internal or I/O error.\n"
	"Options:\n"
	"      --junit FILE      JUnit XML report\n"
	"      --json FILE       JSON report\n" EXP_OPTIONS_HELP;

struct checked {
	const char *file;
	struct exp_result res;
	int rc;
	double wall_s;
};

static void json_number(cJSON *o, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static int write_json(const char *path, const struct checked *c, size_t n, size_t failed)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *files = cJSON_AddArrayToObject(root, "scenarios");
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		const struct exp_result *r = &c[i].res;
		cJSON *f = cJSON_CreateObject();
		cJSON_AddItemToArray(files, f);
		cJSON_AddStringToObject(f, "file", c[i].file);
		cJSON_AddStringToObject(f, "scenario", r->s.config.name ? r->s.config.name : "");
		cJSON_AddNumberToObject(f, "replications", (double)r->sum.replications);
		cJSON_AddNumberToObject(f, "seed", (double)r->ro.seed);
		cJSON_AddNumberToObject(f, "invariant_violations",
					(double)(r->sum.violations + r->sum.conservation_violations));
		cJSON *xs = cJSON_AddArrayToObject(f, "expectations");
		for (size_t k = 0; k < r->ex.count; k++) {
			const struct expect_result *e = &r->ex.results[k];
			cJSON *x = cJSON_CreateObject();
			cJSON_AddItemToArray(xs, x);
			cJSON_AddStringToObject(x, "expectation", e->text);
			cJSON_AddStringToObject(x, "metric", e->x->metric);
			if (e->x->where)
				cJSON_AddStringToObject(x, "where", e->x->where);
			if (e->x->kind)
				cJSON_AddStringToObject(x, "kind", e->x->kind);
			if (e->x->target)
				cJSON_AddStringToObject(x, "target", e->x->target);
			cJSON_AddStringToObject(x, "of", e->x->of);
			cJSON_AddStringToObject(x, "op", expectation_op_name(e->x->op));
			cJSON_AddStringToObject(x, "value", e->x->value ? e->x->value : "");
			json_number(x, "threshold", e->x->threshold);
			json_number(x, "measured", e->measured);
			json_number(x, "mean", e->mean);
			json_number(x, "half_width", e->half_width);
			json_number(x, "level", e->x->level);
			json_number(x, "min", e->min);
			json_number(x, "max", e->max);
			cJSON_AddNumberToObject(x, "values", (double)e->count);
			cJSON_AddNumberToObject(x, "unmeasured", (double)e->unmeasured);
			cJSON_AddBoolToObject(x, "pass", e->pass);
			cJSON_AddStringToObject(x, "measured_text", e->measured_text);
			cJSON_AddStringToObject(x, "reason", e->reason);
			total++;
		}
	}
	cJSON_AddNumberToObject(root, "expectations", (double)total);
	cJSON_AddNumberToObject(root, "failed", (double)failed);
	char *text = cJSON_Print(root);
	cJSON_Delete(root);
	FILE *f = text ? fopen(path, "w") : NULL;
	int rc = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF ? 0 : -1;
	if (f && fclose(f) != 0)
		rc = -1;
	free(text);
	if (rc < 0)
		fprintf(stderr, "topsim check: cannot write \"%s\"\n", path);
	return rc;
}

static int write_junit(const char *path, const struct checked *c, size_t n)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "topsim check: cannot write \"%s\"\n", path);
		return -1;
	}
	size_t tests = 0, failures = 0;
	for (size_t i = 0; i < n; i++) {
		tests += c[i].res.ex.count + 1;
		failures += expect_failed(&c[i].res.ex) +
			    (c[i].res.sum.violations + c[i].res.sum.conservation_violations > 0);
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<testsuites name=\"topsim check\" tests=\"%zu\" failures=\"%zu\">\n",
		tests, failures);
	for (size_t i = 0; i < n; i++) {
		const struct exp_result *r = &c[i].res;
		const char *name = r->s.config.name ? r->s.config.name : c[i].file;
		fprintf(f, "  <testsuite name=\"");
		exp_xml_escape(f, name);
		fprintf(f, "\" file=\"");
		exp_xml_escape(f, c[i].file);
		fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" time=\"%.3f\">\n", r->ex.count + 1,
			expect_failed(&r->ex) +
				(r->sum.violations + r->sum.conservation_violations > 0),
			c[i].wall_s);
		fprintf(f, "    <properties><property name=\"replications\" value=\"%lld\"/>"
			   "<property name=\"seed\" value=\"%llu\"/></properties>\n",
			(long long)r->sum.replications, (unsigned long long)r->ro.seed);
		for (size_t k = 0; k <= r->ex.count; k++) {
			const struct expect_result *e = k < r->ex.count ? &r->ex.results[k] : NULL;
			fprintf(f, "    <testcase classname=\"");
			exp_xml_escape(f, name);
			fprintf(f, "\" name=\"");
			exp_xml_escape(f, e ? e->text : "invariants hold");
			fprintf(f, "\">\n");
			uint64_t viol = r->sum.violations + r->sum.conservation_violations;
			char msg[600];
			if (e)
				snprintf(msg, sizeof(msg), "measured %s%s%s", e->measured_text,
					 e->reason[0] ? "; " : "", e->reason);
			else
				snprintf(msg, sizeof(msg), "%llu invariant violations over %lld replications",
					 (unsigned long long)viol, (long long)r->sum.replications);
			if (e ? !e->pass : viol > 0) {
				fprintf(f, "      <failure message=\"");
				exp_xml_escape(f, msg);
				fprintf(f, "\" type=\"expectation\">");
				exp_xml_escape(f, e ? e->text : "invariants");
				fputs("\n", f);
				exp_xml_escape(f, msg);
				fprintf(f, "</failure>\n");
			} else {
				fprintf(f, "      <system-out>");
				exp_xml_escape(f, msg);
				fprintf(f, "</system-out>\n");
			}
			fprintf(f, "    </testcase>\n");
		}
		fprintf(f, "  </testsuite>\n");
	}
	fprintf(f, "</testsuites>\n");
	if (fclose(f) != 0) {
		fprintf(stderr, "topsim check: cannot write \"%s\"\n", path);
		return -1;
	}
	return 0;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		EXP_LONG_OPTIONS,
		{"junit", required_argument, NULL, 'J'},
		{"json", required_argument, NULL, 'Q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct exp_opts o;
	exp_opts_init(&o);
	o.db_path = NULL;
	const char *junit = NULL, *json = NULL;
	struct checked *c = NULL;
	size_t n = 0;
	int ch, rc = CLI_EXIT_OK;
	while ((ch = getopt_long(argc, argv, "h" EXP_SHORT_OPTIONS, opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(cmd_check_usage, stdout);
			goto out;
		}
		if (ch == 'J' || ch == 'Q') {
			*(ch == 'J' ? &junit : &json) = optarg;
			continue;
		}
		int r = exp_opts_parse(&o, "check", ch, optarg);
		if (r == -1) {
			fputs(cmd_check_usage, stderr);
			rc = CLI_EXIT_USAGE;
			goto out;
		}
		if (r != 0) {
			rc = r;
			goto out;
		}
	}
	if ((rc = exp_opts_finish(&o, "check")) != 0)
		goto out;
	if (optind >= argc) {
		rc = cli_usage_error("check", "expected one or more scenario files");
		goto out;
	}
	n = (size_t)(argc - optind);
	c = calloc(n, sizeof(*c));
	if (!c) {
		rc = CLI_EXIT_INTERNAL;
		goto out;
	}
	struct exp_progress whole; /* one progress line over every file */
	exp_progress_init(&whole);
	/* Bad input anywhere: exit 2 before running anything. */
	for (size_t i = 0; i < n; i++) {
		struct scenario probe;
		int r = cmd_scenario_load(&probe, argv[optind + (int)i], &o.so);
		if (r == CLI_EXIT_OK)
			r = exp_check_series(&o, &probe);
		if (r == CLI_EXIT_OK && o.expect_file) {
			struct diag diag;
			diag_init(&diag);
			r = scenario_load_expectations(&probe, o.expect_file, &diag) < 0 ? CLI_EXIT_USAGE
											  : CLI_EXIT_OK;
			diag_print(&diag, stderr);
			diag_release(&diag);
		}
		if (r == CLI_EXIT_OK)
			exp_progress_add(&whole, &o, &probe);
		if (r == CLI_EXIT_OK && probe.config.expectation_count == 0)
			fprintf(stderr, "%s: warning: no expectations to check\n", argv[optind + (int)i]);
		scenario_release(&probe);
		if (r != CLI_EXIT_OK && rc != CLI_EXIT_INTERNAL)
			rc = r;
	}
	if (rc != CLI_EXIT_OK)
		goto out;
	char experiment[256] = "";
	struct results *db = NULL;
	if (o.db_path && !(db = exp_open_db(&o, "check", experiment, sizeof(experiment), &rc)))
		goto out;
	o.whole = &whole;
	size_t failed = 0, total = 0;
	for (size_t i = 0; i < n && rc == CLI_EXIT_OK; i++) {
		c[i].file = argv[optind + (int)i];
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		c[i].rc = exp_run(c[i].file, &o, NULL, 0, db, experiment, c[i].file, &c[i].res);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		c[i].wall_s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
		if (c[i].rc != CLI_EXIT_OK) {
			rc = c[i].rc;
			n = i + 1;
			break;
		}
		const struct exp_result *r = &c[i].res;
		uint64_t viol = r->sum.violations + r->sum.conservation_violations;
		printf("%s%s (%s): %lld replications, seed %llu, %.1f s\n", i ? "\n" : "", c[i].file,
		       r->s.config.name, (long long)r->sum.replications, (unsigned long long)r->ro.seed,
		       c[i].wall_s);
		expect_print(&r->ex, stdout);
		if (viol)
			printf("INVARIANT VIOLATED: %llu violations\n", (unsigned long long)viol);
		failed += expect_failed(&r->ex) + (viol > 0);
		total += r->ex.count;
	}
	if (db)
		results_close(db);
	if (rc == CLI_EXIT_OK) {
		printf("\ncheck: %zu scenario%s, %zu expectations, %zu failed\n", n, n == 1 ? "" : "s",
		       total, failed);
		if (junit && write_junit(junit, c, n) < 0)
			rc = CLI_EXIT_INTERNAL;
		if (json && write_json(json, c, n, failed) < 0)
			rc = CLI_EXIT_INTERNAL;
		if (rc == CLI_EXIT_OK && failed)
			rc = CLI_EXIT_EXPECTATION;
	}
out:
	for (size_t i = 0; c && i < n; i++)
		exp_result_release(&c[i].res);
	free(c);
	exp_opts_release(&o);
	return rc;
}
