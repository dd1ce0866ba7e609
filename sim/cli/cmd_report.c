/* cmd_report.c: topsim report DB -o FILE.html: one self-contained HTML page for a design
 * review, from a results database through the read API.
 *
 * The page: the runs grouped by experiment, variant and scenario (seed, replications,
 * simulated time); per group the architecture (`topsim show` of the stored scenario text:
 * topology tree and hourly cost), a summary table (throughput and errors per class, read and
 * write availability, CPU per host, IOPS per volume, latency p50/p99/p99.9 per class: mean
 * across replications with its 95% Student-t interval), every incident with its RTO stages
 * and RPO, the expectations' stored verdicts (expectation_verdicts, matched to the group by
 * experiment, variant, scenario name and hash), and plots drawn by plot_make into a
 * temporary directory and inlined as SVG: the timeline and the latency CDF pooled over the
 * group's replications, the utilisation of its first run, RTO and RPO across the group's
 * runs when it has incidents; per experiment with several variants the comparison of RTO
 * (or write throughput without incidents); per availability experiment its latest run's
 * figures, downtime by cause and availability plot.
 *
 * The page is well-formed XML (XHTML syntax of HTML5: every element closed, text escaped),
 * has no scripts and no external assets, and carries no time stamp: the same database gives
 * the same file. Without gnuplot the tables are still written, each plot is replaced by a
 * note, and the command exits 3.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_plot.h"
#include "metric.h"
#include "results.h"
#include "stats.h"

extern char **environ;

const char cmd_report_usage[] =
	"usage: topsim report DB -o FILE.html [--experiment NAME] [--plots-dir DIR]\n"
	"Write one self-contained HTML page (inline SVG, no scripts or external files) for a\n"
	"design review: the runs grouped by experiment, variant and scenario, each with its\n"
	"topology and hourly cost (as topsim show prints them), summary tables\n"
	"with 95% intervals, every incident with its RTO stages and RPO, the expectations with\n"
	"their verdicts, and plots (timeline and latency CDF pooled over each group's\n"
	"replications, utilisation of its first run, RTO and RPO across replications,\n"
	"comparison of variants); and the availability runs' downtime by cause. gnuplot draws\n"
	"the plots; without it the page has the tables only and the exit code is 3.\n"
	"Options:\n"
	"  -o, --output FILE     the page (required)\n"
	"      --experiment NAME\n"
	"                        only the runs of this experiment\n"
	"      --plots-dir DIR   the gnuplot scripts (as for topsim plot)\n";

#define REPORT_MAX_GROUPS 16

struct group {
	const struct results_run *first; /* owned by the runs list */
	int64_t first_id;
	int64_t ids[256];
	size_t n;
};

struct report {
	FILE *f;
	struct results *r;
	const char *db;
	const char *plots_dir;
	char tmp[256];
	int plot_no;
	int plots_failed;
};

static void html(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void cell_num(FILE *f, double v, double scale)
{
	if (isnan(v))
		fputs("<td>-</td>", f);
	else if (fabs(v * scale) >= 1e4)
		fprintf(f, "<td>%.0f</td>", v * scale);
	else
		fprintf(f, "<td>%.4g</td>", v * scale);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

/* Draw kind into the temporary directory and copy the SVG inline; a note when it fails.
 * run_id > 0: that run alone; group_of > 0: the replications of that run's group (pooled). */
static void report_plot(struct report *rp, const char *kind, int64_t run_id, int64_t group_of,
			const char *experiment, const char *metric, const char *caption)
{
	char out[512], data[512];
	int no = ++rp->plot_no;
	snprintf(out, sizeof(out), "%s/plot-%d.svg", rp->tmp, no);
	snprintf(data, sizeof(data), "%s/plot-%d-data", rp->tmp, no);
	struct plot_opts o = {.db = rp->db, .kind = kind, .out = out, .experiment = experiment,
			      .plots_dir = rp->plots_dir, .metric = metric, .run_id = run_id,
			      .replication = -1, .group_of = group_of, .svg = true};
	fputs("<figure>", rp->f);
	FILE *svg = NULL;
	if (plot_make(rp->r, &o, data) == CLI_EXIT_OK && (svg = fopen(out, "r"))) {
		char buf[8192];
		size_t n;
		bool started = false;
		/* Drop the XML declaration: the SVG element goes inside the page. */
		while ((n = fread(buf, 1, sizeof(buf) - 1, svg)) > 0) {
			buf[n] = '\0';
			const char *p = buf;
			if (!started) {
				p = strstr(buf, "<svg");
				if (!p)
					continue;
				started = true;
			}
			fwrite(p, 1, n - (size_t)(p - buf), rp->f);
		}
		fclose(svg);
	} else {
		rp->plots_failed++;
		fputs("<p class=\"note\">plot not drawn (see the messages of topsim report)</p>",
		      rp->f);
	}
	fputs("<figcaption>", rp->f);
	html(rp->f, caption);
	fputs("</figcaption></figure>\n", rp->f);
}

/* The group's architecture: its stored scenario text (includes and overrides applied) is
 * written to the temporary directory and described by `topsim show` (this executable), whose
 * output (topology tree and hourly cost) goes into the page. A note when it fails. */
static void report_architecture(struct report *rp, const struct group *g)
{
	char json[512], txt[512];
	int no = ++rp->plot_no;
	snprintf(json, sizeof(json), "%s/scenario-%d.json", rp->tmp, no);
	snprintf(txt, sizeof(txt), "%s/scenario-%d.txt", rp->tmp, no);
	struct results_runs one = {0};
	struct results_run_filter filter = {.run_id = g->first_id, .with_text = true};
	bool shown = false;
	FILE *j = NULL;
	if (results_runs(rp->r, &filter, &one) == 0 && one.n == 1 && one.v[0].run.scenario_text &&
	    (j = fopen(json, "w"))) {
		fputs(one.v[0].run.scenario_text, j);
		if (fclose(j) == 0) {
			posix_spawn_file_actions_t fa;
			posix_spawn_file_actions_init(&fa);
			posix_spawn_file_actions_addopen(&fa, 1, txt, O_WRONLY | O_CREAT | O_TRUNC, 0666);
			posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
			char *argv[] = {"topsim", "show", "--include-root", rp->tmp, json, NULL};
			pid_t pid;
			int status;
			if (posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ) == 0 &&
			    waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
			    WEXITSTATUS(status) == 0)
				shown = true;
			posix_spawn_file_actions_destroy(&fa);
		}
	}
	results_runs_release(&one);
	FILE *t = shown ? fopen(txt, "r") : NULL;
	if (!t) {
		fputs("<p class=\"note\">topology not available (the stored scenario could not be "
		      "loaded)</p>\n", rp->f);
		return;
	}
	fputs("<pre>", rp->f);
	char line[1024];
	while (fgets(line, sizeof(line), t))
		html(rp->f, line);
	fputs("</pre>\n", rp->f);
	fclose(t);
}

/* Mean and 95% interval of values[0..n) as table cells. */
static void cells_ci(FILE *f, const double *v, size_t n, double scale)
{
	double mean = NAN, half = NAN;
	stat_ci_mean(v, n, 0.95, &mean, &half);
	cell_num(f, mean, scale);
	if (n < 2 || isnan(half))
		fputs("<td>-</td>", f);
	else
		fprintf(f, "<td>&#177;%.3g</td>", half * scale);
	fprintf(f, "<td>%zu</td>", n);
}

static int report_summary(struct report *rp, const struct group *g)
{
	FILE *f = rp->f;
	struct results_metrics first = {0};
	double v[256];
	if (results_metrics(rp->r, g->first_id, &first) != 0)
		return -EIO;
	const char *wanted[] = {metric_def(METRIC_THROUGHPUT)->name, metric_def(METRIC_ERRORS)->name,
				metric_def(METRIC_WRITE_AVAILABILITY)->name,
				metric_def(METRIC_READ_AVAILABILITY)->name,
				metric_def(METRIC_CPU_UTILISATION)->name,
				metric_def(METRIC_VOLUME_IOPS_UTILISATION)->name};
	fputs("<div class=\"scroll\"><table><thead><tr><th>figure</th><th>of</th><th>unit</th>"
	      "<th>mean</th><th>95% interval</th><th>replications</th></tr></thead><tbody>\n", f);
	for (size_t w = 0; w < sizeof(wanted) / sizeof(wanted[0]); w++) {
		for (size_t i = 0; i < first.n; i++) {
			const struct results_metric *m = &first.v[i];
			if (strcmp(m->name, wanted[w]) != 0)
				continue;
			size_t n = 0;
			for (size_t k = 0; k < g->n; k++) {
				double x;
				if (results_metric(rp->r, g->ids[k], m->name, m->qualifier, &x, NULL,
						   0) == 0 && !isnan(x))
					v[n++] = x;
			}
			bool fraction = strcmp(m->unit, "fraction") == 0;
			fputs("<tr><td>", f);
			html(f, m->name);
			fputs("</td><td>", f);
			html(f, m->qualifier);
			fputs("</td><td>", f);
			html(f, fraction ? "%" : m->unit);
			fputs("</td>", f);
			cells_ci(f, v, n, fraction ? 100 : 1);
			fputs("</tr>\n", f);
		}
	}
	/* Latency per class from the latency table. */
	struct results_latencies lat = {0};
	if (results_latencies(rp->r, g->first_id, &lat) == 0) {
		for (size_t c = 0; c < lat.n; c++) {
			const char *names[] = {"latency p50", "latency p99", "latency p99.9"};
			for (int q = 0; q < 3; q++) {
				size_t n = 0;
				for (size_t k = 0; k < g->n; k++) {
					struct results_latencies l = {0};
					if (results_latencies(rp->r, g->ids[k], &l) != 0)
						continue;
					for (size_t j = 0; j < l.n; j++) {
						if (strcmp(l.v[j].op_class, lat.v[c].op_class))
							continue;
						double x = q == 0 ? l.v[j].p50_s : q == 1 ? l.v[j].p99_s
											  : l.v[j].p999_s;
						if (!isnan(x))
							v[n++] = x;
					}
					results_latencies_release(&l);
				}
				fprintf(f, "<tr><td>%s</td><td>", names[q]);
				html(f, lat.v[c].op_class);
				fputs("</td><td>ms</td>", f);
				cells_ci(f, v, n, 1e3);
				fputs("</tr>\n", f);
			}
		}
		results_latencies_release(&lat);
	}
	fputs("</tbody></table></div>\n", f);
	results_metrics_release(&first);
	return 0;
}

/* The group's incidents; returns how many, or -EIO. */
static int report_incidents(struct report *rp, const struct group *g)
{
	FILE *f = rp->f;
	int count = 0;
	for (size_t k = 0; k < g->n; k++) {
		struct results_incidents inc = {0};
		if (results_incidents(rp->r, g->ids[k], &inc) != 0)
			return -EIO;
		for (size_t i = 0; i < inc.n; i++) {
			const struct results_incident *in = &inc.v[i].inc;
			if (count++ == 0)
				fputs("<div class=\"scroll\"><table><thead><tr><th>run</th><th>fault</th>"
				      "<th>target</th><th>start (s)</th><th>RTO (s)</th>"
				      "<th>detect</th><th>operator</th><th>decide</th>"
				      "<th>transition</th><th>restore</th><th>freeze</th>"
				      "<th>reroute</th><th>reconnect</th><th>RPO (commits)</th>"
				      "<th>writes down (s)</th><th>primary</th></tr></thead><tbody>\n",
				      f);
			fprintf(f, "<tr><td>%lld</td><td>", (long long)inc.v[i].run_id);
			html(f, in->kind);
			fputs("</td><td>", f);
			html(f, in->target);
			fputs("</td>", f);
			cell_num(f, in->start_s, 1);
			cell_num(f, in->rto_s, 1);
			cell_num(f, in->detect_s, 1);
			cell_num(f, in->operator_s, 1);
			cell_num(f, in->decide_s, 1);
			cell_num(f, in->transition_s, 1);
			cell_num(f, in->restore_s, 1);
			cell_num(f, in->freeze_s, 1);
			cell_num(f, in->reroute_s, 1);
			cell_num(f, in->reconnect_s, 1);
			fprintf(f, "<td>%lld%s</td>", (long long)in->rpo_tx,
				in->data_lost ? " (data lost)" : "");
			cell_num(f, in->write_unavailable_s, 1);
			fputs("<td>", f);
			html(f, in->primary_before ? in->primary_before : "-");
			fputs(" &#8594; ", f);
			html(f, in->primary_after ? in->primary_after : "none");
			fputs("</td></tr>\n", f);
		}
		results_incidents_release(&inc);
	}
	if (count)
		fputs("</tbody></table></div>\n", f);
	else
		fputs("<p>No incidents.</p>\n", f);
	return count;
}

static void report_violations(struct report *rp, const struct group *g)
{
	size_t total = 0;
	for (size_t k = 0; k < g->n; k++) {
		struct results_violations v = {0};
		if (results_violations(rp->r, g->ids[k], &v) != 0)
			continue;
		for (size_t i = 0; i < v.n; i++) {
			if (total++ == 0)
				fputs("<ul class=\"bad\">\n", rp->f);
			fprintf(rp->f, "<li>run %lld at %.3f s: ", (long long)v.v[i].run_id,
				v.v[i].t_s);
			html(rp->f, v.v[i].invariant);
			fputs(" ", rp->f);
			html(rp->f, v.v[i].detail);
			fputs("</li>\n", rp->f);
		}
		results_violations_release(&v);
	}
	if (total)
		fputs("</ul>\n", rp->f);
	else
		fputs("<p>Invariants held in every run (single primary, no durable loss from an "
		      "Active-backup takeover, conservation).</p>\n", rp->f);
}

/* A value in a stored unit, for a table cell: fractions as %, seconds as s or ms. */
static void unit_value(FILE *f, double v, const char *unit)
{
	if (isnan(v))
		fputs("-", f);
	else if (strcmp(unit, "fraction") == 0)
		fprintf(f, "%.4g%%", 100 * v);
	else if (strcmp(unit, "s") == 0 && fabs(v) < 1 && v != 0)
		fprintf(f, "%.4g ms", 1e3 * v);
	else {
		fprintf(f, "%.4g", v);
		if (*unit) {
			fputs(" ", f);
			html(f, unit);
		}
	}
}

/* The verdicts stored for group g (same experiment, variant, scenario name and hash), as a
 * table: expectation, verdict (pass or FAIL, the row marked), the figure compared, mean with
 * its interval, the values and why it failed. */
static void report_verdicts(struct report *rp, const struct group *g,
			    const struct results_verdicts *all)
{
	FILE *f = rp->f;
	size_t shown = 0, failed = 0;
	for (size_t i = 0; i < all->n; i++) {
		const struct results_verdict *v = &all->v[i].v;
		if (strcmp(v->experiment, g->first->experiment) ||
		    strcmp(v->variant, g->first->variant) ||
		    strcmp(v->scenario_name, g->first->scenario_name) ||
		    strcmp(v->scenario_hash ? v->scenario_hash : "",
			   g->first->scenario_hash ? g->first->scenario_hash : ""))
			continue;
		if (shown++ == 0)
			fputs("<div class=\"scroll\"><table class=\"verdicts\"><thead><tr>"
			      "<th>expectation</th><th>verdict</th><th>measured</th><th>mean</th>"
			      "<th>interval</th><th>values</th><th>why it failed</th></tr></thead>"
			      "<tbody>\n", f);
		failed += !v->pass;
		fprintf(f, "<tr class=\"%s\"><td>", v->pass ? "pass" : "fail");
		html(f, v->expectation);
		fprintf(f, "</td><td class=\"verdict\">%s</td><td>",
			v->pass ? "&#10003; pass" : "&#10007; FAIL");
		html(f, v->measured_text);
		fputs("</td><td>", f);
		unit_value(f, v->mean, v->unit);
		fputs("</td><td>", f);
		if (isnan(v->lo)) {
			fputs("-", f);
		} else {
			fputs("[", f);
			unit_value(f, v->lo, v->unit);
			fputs(", ", f);
			unit_value(f, v->hi, v->unit);
			fprintf(f, "] (%.0f%%)", 100 * v->level);
		}
		fprintf(f, "</td><td>%lld</td><td>", (long long)v->n_values);
		html(f, *v->reason ? v->reason : "-");
		fputs("</td></tr>\n", f);
	}
	if (shown)
		fprintf(f, "</tbody></table></div>\n<p>%zu expectation%s, %zu failed.</p>\n", shown,
			shown == 1 ? "" : "s", failed);
	else if (results_schema_version(rp->r) < 7)
		fputs("<p>No verdicts: the database predates stored verdicts (schema 7).</p>\n", f);
	else
		fputs("<p>No expectations were evaluated for these runs (the scenario has none, or "
		      "they were run by topsim check without -o).</p>\n", f);
}

/* The availability runs: per experiment its latest run's figures, downtime by cause and the
 * availability plot. Returns how many sections, or -EIO. */
static int report_availability(struct report *rp, const char *experiment)
{
	FILE *f = rp->f;
	struct results_avail_rows rows = {0};
	if (results_avail_runs(rp->r, experiment, &rows) != 0)
		return -EIO;
	int sections = 0;
	for (size_t i = 0; i < rows.n; i++) {
		const struct results_avail_row *a = &rows.v[i];
		bool later = false;
		for (size_t j = i + 1; j < rows.n; j++)
			later |= strcmp(rows.v[j].experiment, a->experiment) == 0;
		if (later)
			continue; /* the experiment's latest run only */
		sections++;
		fputs("<h2>Availability: ", f);
		html(f, a->experiment);
		fputs("</h2>\n<p>Scenario ", f);
		html(f, a->scenario_name);
		fprintf(f, ", seed %llu: %.0f simulated years in %lld batches, %.0f%% intervals "
			   "across batches (topsim availability).</p>\n", (unsigned long long)a->seed,
			a->years, (long long)a->batches, 100 * a->level);
		static const struct {
			const char *name;
			int fig, half;
			const char *unit;
		} figs[] = {{"write availability", 0, 1, "fraction"},
			    {"read availability", 2, 3, "fraction"},
			    {"downtime per year", 4, 5, "min"},
			    {"incidents per year", 6, 7, ""},
			    {"takeovers per year", 8, 9, ""},
			    {"promotions that may lose data, per year", 10, 11, ""},
			    {"a single year's downtime, p50", 12, -1, "min"},
			    {"a single year's downtime, p90", 13, -1, "min"},
			    {"a single year's downtime, p99", 14, -1, "min"},
			    {"the worst year's downtime", 15, -1, "min"}};
		fputs("<div class=\"scroll\"><table><thead><tr><th>figure</th><th>value</th>"
		      "<th>interval half-width</th></tr></thead><tbody>\n", f);
		for (size_t k = 0; k < sizeof(figs) / sizeof(figs[0]); k++) {
			fprintf(f, "<tr><td>%s</td><td>", figs[k].name);
			double v = a->figures[figs[k].fig];
			if (strcmp(figs[k].unit, "fraction") == 0 && !isnan(v))
				fprintf(f, "%.7f", v);
			else
				unit_value(f, v, figs[k].unit);
			fputs("</td><td>", f);
			if (figs[k].half >= 0 && !isnan(a->figures[figs[k].half]))
				fprintf(f, "&#177;%.3g", a->figures[figs[k].half]);
			else
				fputs("-", f);
			fputs("</td></tr>\n", f);
		}
		fputs("</tbody></table></div>\n", f);
		struct results_avail_causes c = {0};
		if (results_avail_causes(rp->r, a->avail_id, &c) != 0) {
			results_avail_runs_release(&rows);
			return -EIO;
		}
		fputs("<h3>Downtime by cause</h3>\n<div class=\"scroll\"><table><thead><tr>"
		      "<th>incident class</th><th>stage</th><th>min/year</th><th>interval</th>"
		      "<th>incidents/year</th><th>outages</th></tr></thead><tbody>\n", f);
		for (size_t k = 0; k < c.n; k++) {
			fputs("<tr><td>", f);
			html(f, c.v[k].incident_class);
			fputs("</td><td>", f);
			html(f, c.v[k].stage);
			fputs("</td>", f);
			cell_num(f, c.v[k].minutes_per_year, 1);
			if (isnan(c.v[k].half))
				fputs("<td>-</td>", f);
			else
				fprintf(f, "<td>&#177;%.3g</td>", c.v[k].half);
			cell_num(f, c.v[k].incidents_per_year, 1);
			fprintf(f, "<td>%llu</td></tr>\n", (unsigned long long)c.v[k].samples);
		}
		if (c.n == 0)
			fputs("<tr><td>no outage in the simulated years</td><td></td><td></td><td></td>"
			      "<td></td><td></td></tr>\n", f);
		fputs("</tbody></table></div>\n", f);
		results_avail_causes_release(&c);
		char caption[512];
		snprintf(caption, sizeof(caption), "Availability run of experiment %s: downtime per "
			 "year by cause with intervals, and the distribution of a single year's "
			 "downtime.", a->experiment);
		report_plot(rp, "availability", 0, 0, a->experiment, NULL, caption);
	}
	results_avail_runs_release(&rows);
	return sections;
}

static const char report_css[] =
	"body{font-family:Helvetica,Arial,sans-serif;margin:1em auto;max-width:75em;"
	"padding:0 1em;color:#222;line-height:1.4}"
	"h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #ccc;margin-top:2em}"
	"h3{font-size:1.05em}"
	"table{border-collapse:collapse;font-size:0.9em}"
	"th,td{border:1px solid #ccc;padding:0.2em 0.5em;text-align:right}"
	"th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}"
	".scroll{overflow-x:auto}"
	"figure{margin:1em 0}svg{max-width:100%;height:auto}"
	"pre{overflow-x:auto;font-size:0.85em;background:#f8f8f8;padding:0.5em}"
	"figcaption{font-size:0.9em;color:#555}.note{color:#a00}.bad{color:#a00}"
	"table.verdicts td{white-space:nowrap;text-align:left}"
	"table.verdicts td:first-child{white-space:normal;min-width:13em}"
	"td.verdict{font-weight:bold;white-space:nowrap}tr.pass td.verdict{color:#060}"
	"tr.fail td{background:#fde8e8}tr.fail td.verdict{color:#a00}"
	"@media print{figure,table{page-break-inside:avoid}.scroll{overflow:visible}}";

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"experiment", required_argument, NULL, 'X'},
		{"plots-dir", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = NULL, *experiment = NULL, *plots_dir = NULL;
	int ch;
	while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			fputs(cmd_report_usage, stdout);
			return CLI_EXIT_OK;
		case 'o':
			out = optarg;
			break;
		case 'X':
			experiment = optarg;
			break;
		case 'p':
			plots_dir = optarg;
			break;
		default:
			fputs(cmd_report_usage, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("report", "expected a database");
	if (!out)
		return cli_usage_error("report", "-o FILE.html is required");

	struct report rp = {.db = argv[optind], .plots_dir = plots_dir};
	char err[512];
	int rc = CLI_EXIT_INTERNAL;
	struct results_runs runs = {0};
	struct results_verdicts verdicts = {0};
	struct results_avail_rows avail = {0};
	struct group *groups = NULL;
	size_t n_groups = 0;
	rp.r = results_open_readonly(rp.db, err, sizeof(err));
	if (!rp.r) {
		fprintf(stderr, "topsim: report: %s\n", err);
		return CLI_EXIT_USAGE;
	}
	struct results_run_filter filter = {.experiment = experiment};
	if (results_runs(rp.r, &filter, &runs) != 0) {
		fprintf(stderr, "topsim: report: %s\n", results_errmsg(rp.r));
		goto out;
	}
	if (results_verdicts(rp.r, experiment, &verdicts) != 0 ||
	    results_avail_runs(rp.r, experiment, &avail) != 0) {
		fprintf(stderr, "topsim: report: %s\n", results_errmsg(rp.r));
		goto out;
	}
	if (runs.n == 0 && avail.n == 0) {
		fprintf(stderr, "topsim: report: no runs%s%s%s in \"%s\"\n",
			experiment ? " of experiment \"" : "", experiment ? experiment : "",
			experiment ? "\"" : "", rp.db);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	/* Groups: (experiment, variant, scenario name, hash) in order of their first run. */
	if (!(groups = calloc(REPORT_MAX_GROUPS, sizeof(*groups))))
		goto out;
	for (size_t i = 0; i < runs.n; i++) {
		const struct results_run *run = &runs.v[i].run;
		size_t k = 0;
		for (; k < n_groups; k++) {
			const struct results_run *g = groups[k].first;
			if (!strcmp(g->experiment, run->experiment) && !strcmp(g->variant, run->variant) &&
			    !strcmp(g->scenario_name, run->scenario_name) &&
			    !strcmp(g->scenario_hash, run->scenario_hash))
				break;
		}
		if (k == n_groups) {
			if (n_groups == REPORT_MAX_GROUPS)
				continue;
			groups[k].first = run;
			groups[k].first_id = runs.v[i].run_id;
			n_groups++;
		}
		if (groups[k].n < sizeof(groups[k].ids) / sizeof(groups[k].ids[0]))
			groups[k].ids[groups[k].n++] = runs.v[i].run_id;
	}

	const char *tmpdir = getenv("TMPDIR");
	snprintf(rp.tmp, sizeof(rp.tmp), "%s/topsim-report-XXXXXX", tmpdir && *tmpdir ? tmpdir
										       : "/tmp");
	if (!mkdtemp(rp.tmp)) {
		fprintf(stderr, "topsim: report: cannot create a temporary directory: %s\n",
			strerror(errno));
		rp.tmp[0] = '\0';
		goto out;
	}
	if (!(rp.f = fopen(out, "w"))) {
		fprintf(stderr, "topsim: report: cannot write \"%s\": %s\n", out, strerror(errno));
		goto out;
	}
	FILE *f = rp.f;
	const char *base = strrchr(rp.db, '/') ? strrchr(rp.db, '/') + 1 : rp.db;
	fputs("<!DOCTYPE html>\n<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\"><head>"
	      "<meta charset=\"utf-8\"/><meta name=\"viewport\" content=\"width=device-width, "
	      "initial-scale=1\"/><title>topsim report: ", f);
	html(f, base);
	fprintf(f, "</title><style>%s</style></head><body>\n<h1>topsim report: ", report_css);
	html(f, base);
	fprintf(f, "</h1>\n<p>%zu runs in %zu groups (experiment, variant, scenario)", runs.n,
		n_groups);
	if (avail.n)
		fprintf(f, " and %zu availability run%s", avail.n, avail.n == 1 ? "" : "s");
	if (runs.n) {
		fputs(", written by topsim ", f);
		html(f, runs.v[0].run.version ? runs.v[0].run.version : "?");
	}
	fputs(". Intervals are 95% Student-t intervals of the mean across replications.</p>\n", f);

	/* The runs. */
	if (runs.n) {
		fputs("<h2>Runs</h2>\n<div class=\"scroll\"><table><thead><tr><th>experiment</th>"
		      "<th>variant</th><th>scenario</th><th>seed</th><th>replications</th>"
		      "<th>runs</th><th>simulated (s)</th><th>warm-up (s)</th><th>scenario hash</th>"
		      "</tr></thead><tbody>\n", f);
		for (size_t k = 0; k < n_groups; k++) {
			const struct group *g = &groups[k];
			fputs("<tr><td>", f);
			html(f, g->first->experiment);
			fputs("</td><td>", f);
			html(f, g->first->variant);
			fputs("</td><td>", f);
			html(f, g->first->scenario_name);
			fprintf(f, "</td><td>%llu</td><td>%zu</td><td>%lld&#8211;%lld</td>",
				(unsigned long long)g->first->seed, g->n, (long long)g->ids[0],
				(long long)g->ids[g->n - 1]);
			cell_num(f, g->first->sim_s, 1);
			cell_num(f, g->first->warmup_s, 1);
			fputs("<td>", f);
			fprintf(f, "%.12s", g->first->scenario_hash ? g->first->scenario_hash : "");
			fputs("</td></tr>\n", f);
		}
		fputs("</tbody></table></div>\n", f);
	}

	for (size_t k = 0; k < n_groups; k++) {
		const struct group *g = &groups[k];
		char title[512], caption[640];
		snprintf(title, sizeof(title), "%s%s%s%s%s", g->first->scenario_name,
			 *g->first->variant ? ", variant " : "", g->first->variant,
			 *g->first->experiment ? ", experiment " : "", g->first->experiment);
		fputs("<h2>", f);
		html(f, title);
		fputs("</h2>\n<h3>Architecture</h3>\n", f);
		report_architecture(&rp, g);
		fputs("<h3>Summary</h3>\n", f);
		if (report_summary(&rp, g) != 0) {
			fprintf(stderr, "topsim: report: %s\n", results_errmsg(rp.r));
			goto out;
		}
		fputs("<h3>Incidents</h3>\n", f);
		int incidents = report_incidents(&rp, g);
		if (incidents < 0) {
			fprintf(stderr, "topsim: report: %s\n", results_errmsg(rp.r));
			goto out;
		}
		fputs("<h3>Invariants</h3>\n", f);
		report_violations(&rp, g);
		fputs("<h3>Expectations</h3>\n", f);
		report_verdicts(&rp, g, &verdicts);
		fputs("<h3>Plots</h3>\n", f);
		const char *exp_or_all = *g->first->experiment ? g->first->experiment : NULL;
		const char *pooled = g->n > 1 ? "mean over the group's replications, their range as "
						"a band" : "one replication";
		if (incidents > 0) {
			snprintf(caption, sizeof(caption), "Timeline around the incidents (%zu "
				 "replication%s, runs %lld-%lld: %s): throughput, errors and latency, "
				 "RTO stages as bands, the events of run %lld as labelled points.",
				 g->n, g->n == 1 ? "" : "s", (long long)g->ids[0],
				 (long long)g->ids[g->n - 1], pooled, (long long)g->first_id);
			report_plot(&rp, "timeline", 0, g->first_id, exp_or_all, NULL,
				    caption);
		}
		snprintf(caption, sizeof(caption), "Latency CDF per operation class, the histograms "
			 "of %zu replication%s merged (runs %lld-%lld).", g->n, g->n == 1 ? "" : "s",
			 (long long)g->ids[0], (long long)g->ids[g->n - 1]);
		report_plot(&rp, "latency", 0, g->first_id, exp_or_all, NULL, caption);
		snprintf(caption, sizeof(caption), "Utilisation over run %lld: CPU per host (since "
			 "the warm-up) and IOPS per volume (in each bucket).", (long long)g->first_id);
		report_plot(&rp, "utilisation", g->first_id, 0, NULL, NULL, caption);
		/* RTO across the group: only when the experiment holds this group alone, since
		 * the rto plot selects by experiment. */
		bool alone = true;
		for (size_t j = 0; j < n_groups; j++)
			if (j != k && !strcmp(groups[j].first->experiment, g->first->experiment))
				alone = false;
		if (incidents > 0 && alone && *g->first->experiment)
			report_plot(&rp, "rto", 0, 0, g->first->experiment, NULL,
				    "RTO and RPO of every incident across the replications.");
	}
	/* Experiments with several variants: the comparison. */
	for (size_t k = 0; k < n_groups; k++) {
		const char *e = groups[k].first->experiment;
		size_t same = 0;
		bool seen = false;
		for (size_t j = 0; j < n_groups; j++) {
			if (!strcmp(groups[j].first->experiment, e)) {
				same++;
				seen |= j < k;
			}
		}
		if (!*e || same < 2 || seen)
			continue;
		struct results_incidents inc = {0};
		bool has_incidents = results_incidents(rp.r, groups[k].first_id, &inc) == 0 &&
				     inc.n > 0;
		results_incidents_release(&inc);
		char caption[512];
		snprintf(caption, sizeof(caption), "Experiment %s: %s per variant with 95%% "
			 "intervals, and the paired difference from the first variant.", e,
			 has_incidents ? "RTO" : "write throughput");
		fputs("<h2>Comparison: ", f);
		html(f, e);
		fputs("</h2>\n", f);
		report_plot(&rp, "compare", 0, 0, e, has_incidents ? "rto_s" : "throughput:write",
			    caption);
	}
	if (report_availability(&rp, experiment) < 0) {
		fprintf(stderr, "topsim: report: %s\n", results_errmsg(rp.r));
		goto out;
	}
	fputs("</body></html>\n", f);
	rc = CLI_EXIT_OK;
	if (rp.plots_failed) {
		fprintf(stderr, "topsim: report: %d plot%s not drawn; the page has the tables\n",
			rp.plots_failed, rp.plots_failed == 1 ? "" : "s");
		rc = CLI_EXIT_INTERNAL;
	}
out:
	if (rp.f && (ferror(rp.f) | (fclose(rp.f) != 0))) {
		fprintf(stderr, "topsim: report: cannot write \"%s\"\n", out);
		rc = CLI_EXIT_INTERNAL;
	}
	if (rp.tmp[0])
		nftw(rp.tmp, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(groups);
	results_runs_release(&runs);
	results_verdicts_release(&verdicts);
	results_avail_runs_release(&avail);
	results_close(rp.r);
	return rc;
}
