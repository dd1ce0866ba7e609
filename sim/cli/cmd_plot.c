/* cmd_plot.c: topsim plot DB KIND: export a results database's figures to whitespace-separated
 * data files through the results read API, then draw them with a plain gnuplot script from
 * plots/KIND.gp.
 *
 * The data files go into a directory next to the output, named after it (plot.svg ->
 * plot-data/), or into --data-dir. Each kind writes meta.gp there (gnuplot assignments: titles,
 * counts, names, marks) and one or more .dat files; the script loads meta.gp, so a user can
 * re-run or edit a plot by hand:
 *   gnuplot -e "datadir='plot-data'; outfile='plot.svg'; term='svg'" plots/KIND.gp
 * Everything written is a function of the database alone (no time stamps, %.9g numbers), so
 * the same data gives the same files; gnuplot's svg terminal writes no date either.
 *
 * Kinds: timeline (one run, a column per incident), latency (one run, CDF per class), rto
 * (every selected run's incidents), utilisation (one run, CPU per host), compare and sweep (a
 * metric per variant of an experiment with 95% intervals; compare adds the paired difference
 * from the first variant).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cli.h"
#include "cmd_plot.h"
#include "datadir.h"
#include "metric.h"
#include "results.h"
#include "stats.h"

extern char **environ;

const char cmd_plot_usage[] =
	"usage: topsim plot DB KIND [--run ID | --experiment NAME] -o FILE.png|FILE.svg\n"
	"                   [--data-only] [--data-dir DIR] [--plots-dir DIR] [--metric NAME[:QUAL]]\n"
	"Export figures from the results database DB into whitespace-separated data files and\n"
	"draw them with gnuplot (plots/KIND.gp). KIND is one of:\n"
	"  timeline     throughput, errors/s and latency p50/p99 around each incident of a run,\n"
	"               fault start and RTO end marked, RTO stages as bands, timeline events\n"
	"  latency      latency CDF per operation class of a run (log x), p50/p99/p99.9 marked\n"
	"  rto          RTO and RPO of every incident of the selected runs, per fault kind\n"
	"  utilisation  CPU utilisation per host over the run\n"
	"  autoscaling  size of the compute nodes' Auto Scaling group over a run (nodes in\n"
	"               service and launching)\n"
	"  compare      a metric per variant of an experiment, mean with 95% interval, and the\n"
	"               paired difference from the first variant\n"
	"  sweep        a metric across the points of a sweep (its variants, in order), mean\n"
	"               with 95% interval\n"
	"gnuplot is looked up on PATH (or $TOPSIM_GNUPLOT); without it the exit code is 3 and\n"
	"the data files are still written.\n"
	"Options:\n"
	"  -o, --output FILE   the picture; .png or .svg chooses the format\n"
	"      --run ID        the run (default: the first run of the selection)\n"
	"      --experiment NAME  only the runs of this experiment (rto: all of its runs;\n"
	"                      compare, sweep: default the experiment of the last run)\n"
	"      --metric NAME[:QUAL]  compare, sweep: a metric of the metrics table, or an\n"
	"                      incident figure (rto_s, detect_s, ..., rpo_tx, rpo_span_s,\n"
	"                      write_unavailable_s; QUAL: the fault kind); default\n"
	"                      throughput:write\n"
	"      --data-only     write the data files, do not run gnuplot\n"
	"      --data-dir DIR  where the data files go (default: FILE without its extension,\n"
	"                      plus -data, next to FILE)\n"
	"      --plots-dir DIR\n"
	"                      the gnuplot scripts (default $TOPSIM_PLOTS_DIR, else the\n"
	"                      scripts installed with topsim)\n";

/* The name of a time series in the metric registry (metric.h). */
#define SERIES(id) (metric_def(METRIC_SERIES_##id)->name)

/* ---- small helpers ---------------------------------------------------------------------- */

/* s as a gnuplot single-quoted string (a quote is doubled; newlines become spaces). */
static void gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; s && *s; s++) {
		if (*s == '\'')
			fputs("''", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* s as a double-quoted field of a data file, at most max characters. */
static void dat_str(FILE *f, const char *s, size_t max)
{
	fputc('"', f);
	size_t n = 0;
	for (; s && *s && n < max; s++, n++)
		fputc(*s == '"' ? '\'' : (*s == '\n' || *s == '\t') ? ' ' : *s, f);
	if (s && *s)
		fputs("...", f);
	fputc('"', f);
}

static void dat_num(FILE *f, double v)
{
	if (isnan(v))
		fputs(" NaN", f);
	else
		fprintf(f, " %.9g", v);
}

static FILE *open_data(const char *dir, const char *name, char *path, size_t size)
{
	snprintf(path, size, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "topsim: plot: cannot write \"%s\": %s\n", path, strerror(errno));
	return f;
}

static int close_data(FILE *f, const char *path)
{
	if (ferror(f) | (fclose(f) != 0)) {
		fprintf(stderr, "topsim: plot: cannot write \"%s\"\n", path);
		return CLI_EXIT_INTERNAL;
	}
	return CLI_EXIT_OK;
}

/* "scenario S, variant V, seed N, replication R (run ID)" */
static void run_title(const struct results_run_row *row, char *buf, size_t size)
{
	const struct results_run *r = &row->run;
	snprintf(buf, size, "scenario %s%s%s, seed %llu, replication %u (run %lld)",
		 r->scenario_name, r->variant && *r->variant ? ", variant " : "",
		 r->variant && *r->variant ? r->variant : "", (unsigned long long)r->seed,
		 r->replication, (long long)row->run_id);
}

/* ---- run selection ---------------------------------------------------------------------- */

/* The runs the options select: --run, else those of --experiment, else all. Indexes of the
 * selected rows go to sel[0..*n). Returns a CLI exit code. */
static int select_runs(struct results *r, const struct plot_opts *o, struct results_runs *runs,
		       size_t **sel, size_t *n)
{
	struct results_run_filter filter = {.run_id = o->run_id, .experiment = o->experiment};
	if (results_runs(r, &filter, runs) != 0) {
		fprintf(stderr, "topsim: plot: %s\n", results_errmsg(r));
		return CLI_EXIT_INTERNAL;
	}
	*sel = calloc(runs->n ? runs->n : 1, sizeof(**sel));
	if (!*sel)
		return CLI_EXIT_INTERNAL;
	*n = 0;
	for (size_t i = 0; i < runs->n; i++)
		(*sel)[(*n)++] = i;
	if (*n == 0) {
		if (o->run_id > 0)
			fprintf(stderr, "topsim: plot: no run %lld%s%s%s in \"%s\"\n",
				(long long)o->run_id, o->experiment ? " in experiment \"" : "",
				o->experiment ? o->experiment : "", o->experiment ? "\"" : "", o->db);
		else
			fprintf(stderr, "topsim: plot: no runs%s%s%s in \"%s\"\n",
				o->experiment ? " of experiment \"" : "",
				o->experiment ? o->experiment : "", o->experiment ? "\"" : "", o->db);
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

/* ---- timeline --------------------------------------------------------------------------- */

#define TIMELINE_BEFORE_S 60.0  /* shown before the fault */
#define TIMELINE_AFTER_S 120.0  /* shown after the RTO end (or the fault start without one) */

struct classes {
	char names[16][64];
	size_t n;
};

static int class_index(struct classes *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->names[i], name) == 0)
			return (int)i;
	if (c->n == 16)
		return -1;
	snprintf(c->names[c->n], sizeof(c->names[0]), "%s", name);
	return (int)c->n++;
}

/* Space-separated list of names, for gnuplot's word(). */
static void gp_words(FILE *f, const char (*names)[64], size_t n)
{
	char buf[16 * 64 + 16] = "";
	for (size_t i = 0; i < n; i++) {
		strncat(buf, names[i], sizeof(buf) - strlen(buf) - 2);
		if (i + 1 < n)
			strcat(buf, " ");
	}
	gp_str(f, buf);
}

static const char *const stage_names[] = {"detect", "decide", "transition", "reroute",
					  "reconnect"};

static int export_timeline(struct results *r, const struct results_run_row *run,
			   const char *dir)
{
	int rc = CLI_EXIT_INTERNAL;
	char path[4096], title[1024];
	struct results_incidents inc = {0};
	struct results_points pts = {0};
	struct results_incident_events ev = {0};
	struct classes cls = {0};
	double xlo[4], xhi[4], emax[4] = {0, 0, 0, 0};
	FILE *meta = NULL;

	if (results_incidents(r, run->run_id, &inc) != 0 || results_points(r, run->run_id, NULL,
									  NULL, &pts) != 0 ||
	    results_incident_events(r, run->run_id, 0, &ev) != 0) {
		fprintf(stderr, "topsim: plot: %s\n", results_errmsg(r));
		goto out;
	}
	if (inc.n == 0) {
		fprintf(stderr, "topsim: plot: run %lld has no incidents: a timeline needs a fault\n",
			(long long)run->run_id);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	size_t n_inc = inc.n > 4 ? 4 : inc.n;
	if (inc.n > 4)
		fprintf(stderr, "topsim: plot: run %lld has %zu incidents; the timeline shows the "
				"first 4\n", (long long)run->run_id, inc.n);
	/* The classes of the throughput series, in the order the database lists them. */
	for (size_t i = 0; i < pts.n; i++)
		if (strcmp(pts.v[i].name, SERIES(THROUGHPUT)) == 0)
			class_index(&cls, pts.v[i].qualifier);

	for (size_t k = 0; k < n_inc; k++) {
		const struct results_incident *in = &inc.v[k].inc;
		double t0 = in->start_s;
		double lo = t0 - TIMELINE_BEFORE_S;
		double hi = t0 + (isnan(in->rto_s) ? 0 : in->rto_s) + TIMELINE_AFTER_S;
		if (hi > run->run.sim_s)
			hi = run->run.sim_s;
		if (lo < 0)
			lo = 0;
		xlo[k] = lo - t0;
		xhi[k] = hi - t0;
		char name[64];

		/* series-K.dat: t relative to the fault (bucket middle, s), then per class:
		 * throughput (1/s), errors (1/s), p50 (ms), p99 (ms). Buckets share t_s across
		 * series, so rows are keyed by t_s. */
		snprintf(name, sizeof(name), "series-%zu.dat", k + 1);
		FILE *f = open_data(dir, name, path, sizeof(path));
		if (!f)
			goto out;
		fprintf(f, "# incident %zu (%s %s) of run %lld: t relative to the fault start (s)",
			k + 1, in->kind, in->target, (long long)run->run_id);
		for (size_t c = 0; c < cls.n; c++)
			fprintf(f, "; %s: throughput (1/s) errors (1/s) p50 (ms) p99 (ms)",
				cls.names[c]);
		fputc('\n', f);
		/* The bucket start times of the throughput series of the first class. */
		for (size_t i = 0; i < pts.n; i++) {
			const struct results_point *p = &pts.v[i];
			if (strcmp(p->name, SERIES(THROUGHPUT)) != 0 || cls.n == 0 ||
			    strcmp(p->qualifier, cls.names[0]) != 0)
				continue;
			double mid = p->t_s + p->width_s / 2;
			if (mid < lo || mid > hi)
				continue;
			dat_num(f, mid - t0);
			for (size_t c = 0; c < cls.n; c++) {
				double v[4] = {NAN, NAN, NAN, NAN};
				for (size_t j = 0; j < pts.n; j++) {
					const struct results_point *q = &pts.v[j];
					if (q->t_s != p->t_s || strcmp(q->qualifier, cls.names[c]) != 0)
						continue;
					if (strcmp(q->name, SERIES(THROUGHPUT)) == 0)
						v[0] = q->value;
					else if (strcmp(q->name, SERIES(ERRORS_PER_S)) == 0)
						v[1] = q->value; /* stored as a rate */
					else if (strcmp(q->name, SERIES(LATENCY_P50_S)) == 0)
						v[2] = q->value * 1e3;
					else if (strcmp(q->name, SERIES(LATENCY_P99_S)) == 0)
						v[3] = q->value * 1e3;
				}
				if (v[1] > emax[k])
					emax[k] = v[1];
				for (int m = 0; m < 4; m++)
					dat_num(f, v[m]);
			}
			fputc('\n', f);
		}
		if ((rc = close_data(f, path)) != CLI_EXIT_OK)
			goto out;
		rc = CLI_EXIT_INTERNAL;

		/* stages-K.dat: stage start end (s, relative to the fault); a stage that did not
		 * happen has start = end. */
		snprintf(name, sizeof(name), "stages-%zu.dat", k + 1);
		if (!(f = open_data(dir, name, path, sizeof(path))))
			goto out;
		fputs("# RTO stage, start (s), end (s), relative to the fault start\n", f);
		double d[5] = {in->detect_s, in->decide_s, in->transition_s, in->reroute_s,
			       in->reconnect_s};
		double at = 0;
		for (int s = 0; s < 5; s++) {
			double len = isnan(d[s]) ? 0 : d[s];
			fprintf(f, "%s", stage_names[s]);
			dat_num(f, at);
			dat_num(f, at + len);
			fputc('\n', f);
			at += len;
		}
		if ((rc = close_data(f, path)) != CLI_EXIT_OK)
			goto out;
		rc = CLI_EXIT_INTERNAL;

		/* events-K.dat: t (s, relative) "source: event", the run's events in the window. */
		snprintf(name, sizeof(name), "events-%zu.dat", k + 1);
		if (!(f = open_data(dir, name, path, sizeof(path))))
			goto out;
		fputs("# t (s, relative to the fault start), row (5 down to 0), \"event\"\n", f);
		int row = 0;
		for (size_t i = 0; i < ev.n; i++) {
			if (ev.v[i].t_s < lo || ev.v[i].t_s > hi)
				continue;
			dat_num(f, ev.v[i].t_s - t0);
			fprintf(f, " %d ", 5 - row++ % 6);
			dat_str(f, ev.v[i].event, 48);
			fputc('\n', f);
		}
		if (row == 0) /* gnuplot refuses an empty file */
			fputs("NaN 5 \"\"\n", f);
		if ((rc = close_data(f, path)) != CLI_EXIT_OK)
			goto out;
		rc = CLI_EXIT_INTERNAL;
	}

	if (!(meta = open_data(dir, "meta.gp", path, sizeof(path))))
		goto out;
	run_title(run, title, sizeof(title));
	fputs("# written by topsim plot timeline\ntitle = ", meta);
	gp_str(meta, title);
	fprintf(meta, "\nincidents = %zu\nclasses = %zu\nclass_names = ", n_inc, cls.n);
	gp_words(meta, (const char (*)[64])cls.names, cls.n);
	fprintf(meta, "\narray rto[%zu]\narray rpo[%zu]\narray xmin[%zu]\narray xmax[%zu]\n"
		      "array errors_max[%zu]\narray incident_title[%zu]\n", n_inc, n_inc, n_inc,
		n_inc, n_inc, n_inc);
	for (size_t k = 0; k < n_inc; k++) {
		const struct results_incident *in = &inc.v[k].inc;
		char t[256];
		fprintf(meta, "rto[%zu] = %.9g\nrpo[%zu] = %lld\nxmin[%zu] = %.9g\nxmax[%zu] = %.9g\n",
			k + 1, isnan(in->rto_s) ? -1.0 : in->rto_s, k + 1, (long long)in->rpo_tx,
			k + 1, xlo[k], k + 1, xhi[k]);
		fprintf(meta, "errors_max[%zu] = %.9g\n", k + 1, emax[k]);
		if (isnan(in->rto_s))
			snprintf(t, sizeof(t), "%s %s at %.0f s: no RTO within the run", in->kind,
				 in->target, in->start_s);
		else
			snprintf(t, sizeof(t), "%s %s at %.0f s: RTO %.2f s, RPO %lld commits",
				 in->kind, in->target, in->start_s, in->rto_s, (long long)in->rpo_tx);
		fprintf(meta, "incident_title[%zu] = ", k + 1);
		gp_str(meta, t);
		fputc('\n', meta);
	}
	rc = close_data(meta, path);
	meta = NULL;
out:
	if (meta)
		fclose(meta);
	results_incidents_release(&inc);
	results_points_release(&pts);
	results_incident_events_release(&ev);
	return rc;
}

/* ---- latency ---------------------------------------------------------------------------- */

static int export_latency(struct results *r, const struct results_run_row *run, const char *dir)
{
	int rc = CLI_EXIT_INTERNAL;
	char path[4096], title[1024];
	struct results_latencies lat = {0};
	FILE *f = NULL, *q = NULL, *meta = NULL;

	if (results_latencies(r, run->run_id, &lat) != 0) {
		fprintf(stderr, "topsim: plot: %s\n", results_errmsg(r));
		goto out;
	}
	if (lat.n == 0) {
		fprintf(stderr, "topsim: plot: run %lld has no latency histograms\n",
			(long long)run->run_id);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	/* cdf.dat: one block per class (index i-1 in gnuplot): latency (ms) at a bucket's upper
	 * bound, fraction of requests at most that. The overflow bucket is left out. */
	if (!(f = open_data(dir, "cdf.dat", path, sizeof(path))))
		goto out;
	for (size_t c = 0; c < lat.n; c++) {
		struct results_buckets b = {0};
		if (results_buckets(r, run->run_id, lat.v[c].op_class, &b) != 0) {
			fprintf(stderr, "topsim: plot: %s\n", results_errmsg(r));
			goto out;
		}
		uint64_t total = 0, cum = 0;
		for (size_t i = 0; i < b.n; i++)
			total += b.v[i].count;
		fprintf(f, "%s# class %s: latency (ms), cumulative fraction\n", c ? "\n\n" : "",
			lat.v[c].op_class);
		if (b.n > 0)
			fprintf(f, "%.9g 0\n", b.v[0].lower_s * 1e3);
		for (size_t i = 0; i < b.n && total > 0; i++) {
			cum += b.v[i].count;
			if (!isfinite(b.v[i].upper_s))
				continue;
			fprintf(f, "%.9g %.9g\n", b.v[i].upper_s * 1e3, (double)cum / (double)total);
		}
		results_buckets_release(&b);
	}
	rc = close_data(f, path);
	f = NULL;
	if (rc != CLI_EXIT_OK)
		goto out;
	rc = CLI_EXIT_INTERNAL;

	/* quantiles.dat: one block per class: latency (ms), fraction, "label". */
	if (!(q = open_data(dir, "quantiles.dat", path, sizeof(path))))
		goto out;
	for (size_t c = 0; c < lat.n; c++) {
		const struct results_latency *l = &lat.v[c];
		fprintf(q, "%s# class %s: quantile (ms), fraction, label\n", c ? "\n\n" : "",
			l->op_class);
		const struct {
			const char *name;
			double p, v;
		} marks[] = {{"p50", 0.5, l->p50_s}, {"p99", 0.99, l->p99_s},
			     {"p99.9", 0.999, l->p999_s}};
		for (int m = 0; m < 3; m++) {
			double v = marks[m].v;
			fprintf(q, "%.9g %g \"%s ", v * 1e3, marks[m].p, marks[m].name);
			if (v >= 1)
				fprintf(q, "%.3g s\"\n", v);
			else
				fprintf(q, "%.3g ms\"\n", v * 1e3);
		}
	}
	rc = close_data(q, path);
	q = NULL;
	if (rc != CLI_EXIT_OK)
		goto out;
	rc = CLI_EXIT_INTERNAL;

	if (!(meta = open_data(dir, "meta.gp", path, sizeof(path))))
		goto out;
	run_title(run, title, sizeof(title));
	fputs("# written by topsim plot latency\ntitle = ", meta);
	gp_str(meta, title);
	fprintf(meta, "\nclasses = %zu\nclass_names = ", lat.n);
	char names[16][64];
	size_t nn = lat.n > 16 ? 16 : lat.n;
	for (size_t c = 0; c < nn; c++)
		snprintf(names[c], sizeof(names[c]), "%s", lat.v[c].op_class);
	gp_words(meta, (const char (*)[64])names, nn);
	fputc('\n', meta);
	rc = close_data(meta, path);
	meta = NULL;
out:
	if (f)
		fclose(f);
	if (q)
		fclose(q);
	if (meta)
		fclose(meta);
	results_latencies_release(&lat);
	return rc;
}

/* ---- rto -------------------------------------------------------------------------------- */

static int export_rto(struct results *r, const struct results_runs *runs, const size_t *sel,
		      size_t n_sel, const char *dir)
{
	int rc = CLI_EXIT_INTERNAL;
	char path[4096];
	char kinds[16][64];
	size_t n_kinds = 0, rows = 0;
	FILE *f = NULL, *meta = NULL;

	/* incidents.dat: kind index, x (kind index with a small offset per replication, so
	 * points do not hide each other), RTO (s), RPO (commits), RPO span (ms), replication,
	 * run, "kind target". */
	if (!(f = open_data(dir, "incidents.dat", path, sizeof(path))))
		goto out;
	fputs("# kind, x, rto (s), rpo (commits), rpo span (ms), replication, run, \"kind\"\n", f);
	for (size_t s = 0; s < n_sel; s++) {
		const struct results_run_row *run = &runs->v[sel[s]];
		struct results_incidents inc = {0};
		if (results_incidents(r, run->run_id, &inc) != 0) {
			fprintf(stderr, "topsim: plot: %s\n", results_errmsg(r));
			goto out;
		}
		for (size_t i = 0; i < inc.n; i++) {
			const struct results_incident *in = &inc.v[i].inc;
			char label[64];
			snprintf(label, sizeof(label), "%s%s%s", in->kind, *in->target ? " " : "",
				 in->target);
			size_t k = 0;
			while (k < n_kinds && strcmp(kinds[k], label) != 0)
				k++;
			if (k == n_kinds) {
				if (n_kinds == 16)
					continue;
				snprintf(kinds[n_kinds++], sizeof(kinds[0]), "%s", label);
			}
			/* 0, +0.04, -0.04, +0.08, ...: replications side by side */
			uint32_t m = run->run.replication % 9;
			double jitter = (double)((m + 1) / 2) * 0.04 * (m % 2 ? 1 : -1);
			fprintf(f, "%zu %.9g", k + 1, (double)(k + 1) + jitter);
			dat_num(f, in->rto_s);
			fprintf(f, " %lld", (long long)in->rpo_tx);
			dat_num(f, in->rpo_span_s * 1e3);
			fprintf(f, " %u %lld ", run->run.replication, (long long)run->run_id);
			dat_str(f, label, 63);
			fputc('\n', f);
			rows++;
		}
		results_incidents_release(&inc);
	}
	rc = close_data(f, path);
	f = NULL;
	if (rc != CLI_EXIT_OK)
		goto out;
	if (rows == 0) {
		fprintf(stderr, "topsim: plot: the selected runs have no incidents\n");
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	rc = CLI_EXIT_INTERNAL;
	if (!(meta = open_data(dir, "meta.gp", path, sizeof(path))))
		goto out;
	const struct results_run *first = &runs->v[sel[0]].run;
	char title[1024];
	snprintf(title, sizeof(title), "scenario %s%s%s, seed %llu, %zu run%s%s%s", first->scenario_name,
		 first->variant && *first->variant ? ", variant " : "",
		 first->variant && *first->variant ? first->variant : "",
		 (unsigned long long)first->seed, n_sel, n_sel == 1 ? "" : "s",
		 first->experiment && *first->experiment ? ", experiment " : "",
		 first->experiment && *first->experiment ? first->experiment : "");
	fputs("# written by topsim plot rto\ntitle = ", meta);
	gp_str(meta, title);
	fprintf(meta, "\nkinds = %zu\nincidents = %zu\narray kind_name[%zu]\n", n_kinds, rows,
		n_kinds);
	for (size_t k = 0; k < n_kinds; k++) {
		fprintf(meta, "kind_name[%zu] = ", k + 1);
		gp_str(meta, kinds[k]);
		fputc('\n', meta);
	}
	rc = close_data(meta, path);
	meta = NULL;
out:
	if (f)
		fclose(f);
	if (meta)
		fclose(meta);
	return rc;
}

/* ---- autoscaling ------------------------------------------------------------------------ */

static int export_autoscaling(struct results *r, const struct results_run_row *run,
			      const char *dir)
{
	int rc = CLI_EXIT_INTERNAL;
	char path[4096], title[1024];
	struct results_points in = {0}, up = {0};
	FILE *f = NULL, *meta = NULL;

	if (results_points(r, run->run_id, SERIES(ASG_IN_SERVICE), NULL, &in) != 0 ||
	    results_points(r, run->run_id, SERIES(ASG_LAUNCHING), NULL, &up) != 0) {
		fprintf(stderr, "topsim: plot: %s\n", results_errmsg(r));
		goto out;
	}
	if (in.n == 0) {
		fprintf(stderr, "topsim: plot: run %lld has no asg_in_service series (no "
				"sharding.autoscaling)\n", (long long)run->run_id);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	/* autoscaling.dat: t at the bucket's end (s), nodes in service, nodes launching. */
	if (!(f = open_data(dir, "autoscaling.dat", path, sizeof(path))))
		goto out;
	fputs("# t (s), nodes in service, nodes launching\n", f);
	for (size_t i = 0; i < in.n; i++) {
		dat_num(f, in.v[i].t_s + in.v[i].width_s);
		dat_num(f, in.v[i].value);
		dat_num(f, i < up.n && up.v[i].t_s == in.v[i].t_s ? up.v[i].value : 0);
		fputc('\n', f);
	}
	rc = close_data(f, path);
	f = NULL;
	if (rc != CLI_EXIT_OK)
		goto out;
	rc = CLI_EXIT_INTERNAL;
	if (!(meta = open_data(dir, "meta.gp", path, sizeof(path))))
		goto out;
	run_title(run, title, sizeof(title));
	fputs("# written by topsim plot autoscaling\ntitle = ", meta);
	gp_str(meta, title);
	fprintf(meta, "\nwarmup = %.9g\n", run->run.warmup_s);
	rc = close_data(meta, path);
	meta = NULL;
out:
	if (f)
		fclose(f);
	if (meta)
		fclose(meta);
	results_points_release(&in);
	results_points_release(&up);
	return rc;
}

/* ---- utilisation ------------------------------------------------------------------------ */

static int export_utilisation(struct results *r, const struct results_run_row *run,
			      const char *dir)
{
	int rc = CLI_EXIT_INTERNAL;
	char path[4096], title[1024];
	struct results_points pts = {0};
	struct classes hosts = {0};
	FILE *f = NULL, *meta = NULL;

	if (results_points(r, run->run_id, SERIES(CPU_UTILISATION), NULL, &pts) != 0) {
		fprintf(stderr, "topsim: plot: %s\n", results_errmsg(r));
		goto out;
	}
	if (pts.n == 0) {
		fprintf(stderr, "topsim: plot: run %lld has no cpu_utilisation series\n",
			(long long)run->run_id);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	/* utilisation.dat: one block per host: t at the bucket's end (s), CPU utilisation (%).
	 * Points are ordered by (qualifier, t_s), so a host's points are contiguous. */
	if (!(f = open_data(dir, "utilisation.dat", path, sizeof(path))))
		goto out;
	for (size_t i = 0; i < pts.n; i++) {
		const struct results_point *p = &pts.v[i];
		size_t before = hosts.n;
		if (class_index(&hosts, p->qualifier) < 0)
			continue;
		if (hosts.n != before)
			fprintf(f, "%s# host %s: t (s), CPU utilisation (%%)\n", before ? "\n\n" : "",
				p->qualifier);
		dat_num(f, p->t_s + p->width_s);
		dat_num(f, p->value * 100);
		fputc('\n', f);
	}
	rc = close_data(f, path);
	f = NULL;
	if (rc != CLI_EXIT_OK)
		goto out;
	rc = CLI_EXIT_INTERNAL;
	if (!(meta = open_data(dir, "meta.gp", path, sizeof(path))))
		goto out;
	run_title(run, title, sizeof(title));
	fputs("# written by topsim plot utilisation\ntitle = ", meta);
	gp_str(meta, title);
	fprintf(meta, "\nhosts = %zu\nhost_names = ", hosts.n);
	gp_words(meta, (const char (*)[64])hosts.names, hosts.n);
	fprintf(meta, "\nwarmup = %.9g\n", run->run.warmup_s);
	rc = close_data(meta, path);
	meta = NULL;
out:
	if (f)
		fclose(f);
	if (meta)
		fclose(meta);
	results_points_release(&pts);
	return rc;
}

/* ---- compare and sweep ------------------------------------------------------------------ */

/* Incident figures a comparison may plot, names and units from the metric registry: a
 * run's value is that of its first incident (of the kind given as qualifier, if any). */
static const struct {
	enum metric_id id;
	size_t offset;
	bool is_count;
} incident_fields[] = {
	{METRIC_RTO_S, offsetof(struct results_incident, rto_s), false},
	{METRIC_DETECT_S, offsetof(struct results_incident, detect_s), false},
	{METRIC_DECIDE_S, offsetof(struct results_incident, decide_s), false},
	{METRIC_TRANSITION_S, offsetof(struct results_incident, transition_s), false},
	{METRIC_REROUTE_S, offsetof(struct results_incident, reroute_s), false},
	{METRIC_RECONNECT_S, offsetof(struct results_incident, reconnect_s), false},
	{METRIC_RPO_TX, offsetof(struct results_incident, rpo_tx), true},
	{METRIC_RPO_DURABLE_TX, offsetof(struct results_incident, rpo_durable_tx), true},
	{METRIC_RPO_SPAN_S, offsetof(struct results_incident, rpo_span_s), false},
	{METRIC_WRITE_UNAVAILABLE_S, offsetof(struct results_incident, write_unavailable_s), false},
	{METRIC_READ_UNAVAILABLE_S, offsetof(struct results_incident, read_unavailable_s), false},
	/* ECP figures whose names are not also run metrics (those stay the run's) */
	{METRIC_ECP_STALL_S, offsetof(struct results_incident, ecp_stall_max_s), false},
	{METRIC_ECP_STALLS, offsetof(struct results_incident, ecp_stalls), true},
};

/* The value of metric (name, qual) for run_id: an incident field or a row of `metrics`.
 * Returns 0 with *x (NaN when the run has none), or -EIO (message in results_errmsg). */
static int compare_value(struct results *r, int64_t run_id, const char *name, const char *qual,
			 double *x, char *unit, size_t unit_size)
{
	*x = NAN;
	for (size_t i = 0; i < sizeof(incident_fields) / sizeof(incident_fields[0]); i++) {
		const struct metric_def *def = metric_def(incident_fields[i].id);
		if (strcmp(name, def->name) != 0)
			continue;
		snprintf(unit, unit_size, "%s", def->unit);
		struct results_incidents inc = {0};
		if (results_incidents(r, run_id, &inc) != 0)
			return -EIO;
		for (size_t k = 0; k < inc.n; k++) {
			const struct results_incident *in = &inc.v[k].inc;
			if (*qual && strcmp(in->kind, qual) != 0)
				continue;
			const char *p = (const char *)in + incident_fields[i].offset;
			if (incident_fields[i].is_count) {
				int64_t v;
				memcpy(&v, p, sizeof(v));
				*x = (double)v;
			} else {
				memcpy(x, p, sizeof(*x));
			}
			break;
		}
		results_incidents_release(&inc);
		return 0;
	}
	int e = results_metric(r, run_id, name, qual, x, unit, unit_size);
	return e == -ENOENT ? 0 : e;
}

struct variant_values {
	char name[64];
	double v[64];        /* by replication (0..63); NaN = none */
};

static int export_compare(struct results *r, const struct plot_opts *o,
			  const struct results_runs *runs, const size_t *sel, size_t n_sel,
			  const char *dir)
{
	int rc = CLI_EXIT_INTERNAL;
	char path[4096], name[128], qual[128] = "", unit[32] = "";
	struct variant_values *vars = NULL;
	size_t n_var = 0;
	FILE *f = NULL, *meta = NULL;
	const char *experiment = runs->v[sel[n_sel - 1]].run.experiment;

	snprintf(name, sizeof(name), "%s", o->metric ? o->metric : "throughput:write");
	char *colon = strchr(name, ':');
	if (colon) {
		*colon = '\0';
		snprintf(qual, sizeof(qual), "%s", colon + 1);
	}
	if (!(vars = calloc(16, sizeof(*vars))))
		goto out;
	/* Per variant of the experiment (in the order of their first run), the value of each
	 * replication. */
	size_t values = 0;
	for (size_t s = 0; s < n_sel; s++) {
		const struct results_run_row *row = &runs->v[sel[s]];
		const struct results_run *run = &row->run;
		if (strcmp(run->experiment, experiment) != 0 || run->replication >= 64)
			continue;
		const char *vn = *run->variant ? run->variant : run->scenario_name;
		size_t k = 0;
		while (k < n_var && strcmp(vars[k].name, vn) != 0)
			k++;
		if (k == n_var) {
			if (n_var == 16)
				continue;
			snprintf(vars[n_var].name, sizeof(vars[0].name), "%s", vn);
			for (size_t i = 0; i < 64; i++)
				vars[n_var].v[i] = NAN;
			n_var++;
		}
		double x;
		if (compare_value(r, row->run_id, name, qual, &x, unit, sizeof(unit)) != 0) {
			fprintf(stderr, "topsim: plot: %s\n", results_errmsg(r));
			goto out;
		}
		vars[k].v[run->replication] = x;
		if (!isnan(x))
			values++;
	}
	if (values == 0) {
		fprintf(stderr, "topsim: plot: no run of experiment \"%s\" has the metric \"%s%s%s\"\n",
			experiment, name, *qual ? ":" : "", qual);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	/* A sweep over one numeric axis (variant_params, schema 7: one path, a number with one
	 * unit at every point) is drawn against that number; otherwise by point name. */
	bool sweep = strcmp(o->kind, "sweep") == 0, numeric = false;
	double xs[16];
	char xlabel[300] = "";
	if (sweep) {
		struct results_variant_params vp;
		if (results_variant_params(r, experiment, &vp) != 0) {
			fprintf(stderr, "topsim: plot: %s\n", results_errmsg(r));
			goto out;
		}
		numeric = vp.n > 0;
		for (size_t i = 0; i < vp.n && numeric; i++)
			numeric = strcmp(vp.v[i].path, vp.v[0].path) == 0 &&
				  strcmp(vp.v[i].unit, vp.v[0].unit) == 0 && !isnan(vp.v[i].value_num);
		for (size_t k = 0; k < n_var && numeric; k++) {
			size_t i = 0;
			while (i < vp.n && strcmp(vp.v[i].variant, vars[k].name) != 0)
				i++;
			numeric = i < vp.n;
			if (numeric)
				xs[k] = vp.v[i].value_num;
		}
		if (numeric)
			snprintf(xlabel, sizeof(xlabel), "%s%s%s%s", vp.v[0].path,
				 *vp.v[0].unit ? " (" : "", vp.v[0].unit, *vp.v[0].unit ? ")" : "");
		results_variant_params_release(&vp);
	}
	/* compare.dat: variant index, mean, 95% low, 95% high, replications, "variant", then the
	 * paired difference with the first variant (replication by replication): mean, 95% low,
	 * 95% high, pairs (NaN for the first variant); a sweep's rows end with the point's
	 * numeric value (its index when the axis is not numeric). */
	if (!(f = open_data(dir, "compare.dat", path, sizeof(path))))
		goto out;
	fprintf(f, "# %s%s%s (%s) per variant: variant, mean, 95%% low, 95%% high, "
		   "replications, \"variant\", difference from \"%s\": mean, 95%% low, 95%% high, "
		   "pairs\n", name, *qual ? ":" : "", qual, unit, vars[0].name);
	for (size_t k = 0; k < n_var; k++) {
		double x[64], d[64];
		size_t n = 0, nd = 0;
		for (size_t i = 0; i < 64; i++) {
			if (isnan(vars[k].v[i]))
				continue;
			x[n++] = vars[k].v[i];
			if (k > 0 && !isnan(vars[0].v[i]))
				d[nd++] = vars[k].v[i] - vars[0].v[i];
		}
		double mean = NAN, half = NAN, dmean = NAN, dhalf = NAN;
		stat_ci_mean(x, n, 0.95, &mean, &half);
		stat_ci_mean(d, nd, 0.95, &dmean, &dhalf);
		if (n == 1)
			half = 0;
		if (nd == 1)
			dhalf = 0;
		fprintf(f, "%zu", k + 1);
		dat_num(f, mean);
		dat_num(f, mean - half);
		dat_num(f, mean + half);
		fprintf(f, " %zu ", n);
		dat_str(f, vars[k].name, 63);
		dat_num(f, dmean);
		dat_num(f, dmean - dhalf);
		dat_num(f, dmean + dhalf);
		fprintf(f, " %zu", nd);
		if (sweep)
			dat_num(f, numeric ? xs[k] : (double)(k + 1));
		fputc('\n', f);
	}
	rc = close_data(f, path);
	f = NULL;
	if (rc != CLI_EXIT_OK)
		goto out;
	rc = CLI_EXIT_INTERNAL;
	if (!(meta = open_data(dir, "meta.gp", path, sizeof(path))))
		goto out;
	char title[1024], ylabel[256];
	snprintf(title, sizeof(title), "scenario %s, seed %llu%s%s: %s%s%s per variant, 95%% "
				       "interval", runs->v[sel[0]].run.scenario_name,
		 (unsigned long long)runs->v[sel[0]].run.seed,
		 *experiment ? ", experiment " : "", experiment, name, *qual ? " " : "", qual);
	snprintf(ylabel, sizeof(ylabel), "%s%s%s%s%s%s", name, *qual ? " " : "", qual,
		 *unit ? " (" : "", unit, *unit ? ")" : "");
	fprintf(meta, "# written by topsim plot %s\ntitle = ", o->kind);
	gp_str(meta, title);
	fputs("\nylabel = ", meta);
	gp_str(meta, ylabel);
	fputs("\nbaseline = ", meta);
	gp_str(meta, vars[0].name);
	fprintf(meta, "\nvariants = %zu\n", n_var);
	if (sweep) {
		fprintf(meta, "numeric = %d\nxlabel = ", numeric);
		gp_str(meta, xlabel);
		fputc('\n', meta);
	}
	rc = close_data(meta, path);
	meta = NULL;
out:
	if (f)
		fclose(f);
	if (meta)
		fclose(meta);
	free(vars);
	return rc;
}

/* ---- gnuplot ---------------------------------------------------------------------------- */

static const char *plots_default_dir(void)
{
	static char dir[PATH_MAX];
	return datadir_find("TOPSIM_PLOTS_DIR", "plots", dir, sizeof(dir));
}

/* Run gnuplot on DIR/KIND.gp. Returns a CLI exit code. */
static int run_gnuplot(const struct plot_opts *o, const char *data_dir)
{
	char script[4096], vars[8192];
	const char *plots = o->plots_dir ? o->plots_dir : plots_default_dir();
	snprintf(script, sizeof(script), "%s/%s.gp", plots, o->kind);
	struct stat st;
	if (stat(script, &st) != 0) {
		fprintf(stderr, "topsim: plot: cannot find the gnuplot script \"%s\" (use "
				"--plots-dir or TOPSIM_PLOTS_DIR)\n", script);
		return CLI_EXIT_INTERNAL;
	}
	FILE *m = fmemopen(vars, sizeof(vars), "w");
	if (!m)
		return CLI_EXIT_INTERNAL;
	fputs("datadir = ", m);
	gp_str(m, data_dir);
	fputs("; outfile = ", m);
	gp_str(m, o->out);
	fprintf(m, "; term = '%s'", o->svg ? "svg" : "png");
	fclose(m);
	vars[sizeof(vars) - 1] = '\0';

	const char *gp = getenv("TOPSIM_GNUPLOT");
	if (!gp || !*gp)
		gp = "gnuplot";
	char *argv[] = {(char *)gp, "-e", vars, script, NULL};
	pid_t pid;
	int e = posix_spawnp(&pid, gp, NULL, NULL, argv, environ);
	if (e != 0) {
		fprintf(stderr, "topsim: plot: cannot run \"%s\": %s; install gnuplot (Debian: "
				"apt-get install gnuplot-nox); the data files are in \"%s\"\n",
			gp, strerror(e), data_dir);
		return CLI_EXIT_INTERNAL;
	}
	int status;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			fprintf(stderr, "topsim: plot: cannot run \"%s\": not found; install gnuplot "
					"(Debian: apt-get install gnuplot-nox); the data files are in "
					"\"%s\"\n", gp, data_dir);
		else
			fprintf(stderr, "topsim: plot: gnuplot failed on \"%s\" (data in \"%s\")\n",
				script, data_dir);
		return CLI_EXIT_INTERNAL;
	}
	return CLI_EXIT_OK;
}

int plot_make(struct results *r, const struct plot_opts *o, const char *data_dir)
{
	if (mkdir(data_dir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "topsim: plot: cannot create \"%s\": %s\n", data_dir, strerror(errno));
		return CLI_EXIT_INTERNAL;
	}
	struct results_runs runs = {0};
	size_t *sel = NULL, n_sel = 0;
	int rc = select_runs(r, o, &runs, &sel, &n_sel);
	if (rc != CLI_EXIT_OK)
		goto out;
	const struct results_run_row *first = &runs.v[sel[0]];
	if (strcmp(o->kind, "timeline") == 0)
		rc = export_timeline(r, first, data_dir);
	else if (strcmp(o->kind, "latency") == 0)
		rc = export_latency(r, first, data_dir);
	else if (strcmp(o->kind, "rto") == 0)
		rc = export_rto(r, &runs, sel, n_sel, data_dir);
	else if (strcmp(o->kind, "utilisation") == 0)
		rc = export_utilisation(r, first, data_dir);
	else if (strcmp(o->kind, "autoscaling") == 0)
		rc = export_autoscaling(r, first, data_dir);
	else /* compare, sweep */
		rc = export_compare(r, o, &runs, sel, n_sel, data_dir);
	if (rc == CLI_EXIT_OK && !o->data_only)
		rc = run_gnuplot(o, data_dir);
out:
	free(sel);
	results_runs_release(&runs);
	return rc;
}

/* ---- the command ------------------------------------------------------------------------ */

static const char *const plot_kinds[] = {"timeline", "latency", "rto", "utilisation",
					 "autoscaling", "compare", "sweep", NULL};

int cmd_plot(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"run", required_argument, NULL, 'r'},
		{"experiment", required_argument, NULL, 'X'},
		{"metric", required_argument, NULL, 'm'},
		{"data-only", no_argument, NULL, 'D'},
		{"data-dir", required_argument, NULL, 'd'},
		{"plots-dir", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct plot_opts o = {0};
	const char *data_dir_opt = NULL;
	int ch;
	while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			fputs(cmd_plot_usage, stdout);
			return CLI_EXIT_OK;
		case 'o':
			o.out = optarg;
			break;
		case 'r': {
			char *end;
			errno = 0;
			long long v = strtoll(optarg, &end, 10);
			if (errno || end == optarg || *end || v <= 0)
				return cli_usage_error("plot", "--run wants a positive run id, not "
							       "\"%s\"", optarg);
			o.run_id = v;
			break;
		}
		case 'X':
			o.experiment = optarg;
			break;
		case 'm':
			o.metric = optarg;
			break;
		case 'D':
			o.data_only = true;
			break;
		case 'd':
			data_dir_opt = optarg;
			break;
		case 'p':
			o.plots_dir = optarg;
			break;
		default:
			fputs(cmd_plot_usage, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("plot", "expected a database and a plot kind");
	o.db = argv[optind];
	o.kind = argv[optind + 1];
	size_t k = 0;
	while (plot_kinds[k] && strcmp(plot_kinds[k], o.kind) != 0)
		k++;
	if (!plot_kinds[k])
		return cli_usage_error("plot", "unknown plot kind \"%s\" (timeline, latency, rto, "
					       "utilisation, autoscaling, compare, sweep)", o.kind);
	if (!o.out)
		return cli_usage_error("plot", "-o FILE.png or FILE.svg is required");
	size_t len = strlen(o.out);
	if (len > 4 && strcmp(o.out + len - 4, ".svg") == 0)
		o.svg = true;
	else if (!(len > 4 && strcmp(o.out + len - 4, ".png") == 0))
		return cli_usage_error("plot", "\"%s\": the output must end in .png or .svg", o.out);

	char data_dir[4096];
	if (data_dir_opt)
		snprintf(data_dir, sizeof(data_dir), "%s", data_dir_opt);
	else
		snprintf(data_dir, sizeof(data_dir), "%.*s-data", (int)(len - 4), o.out);

	char err[512];
	struct results *r = results_open_readonly(o.db, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "topsim: plot: %s\n", err);
		return CLI_EXIT_USAGE;
	}
	int rc = plot_make(r, &o, data_dir);
	results_close(r);
	return rc;
}
