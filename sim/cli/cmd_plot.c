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
 * Kinds: timeline (a column per incident of the reference run, series averaged over the
 * group's replications aligned on each one's fault start, with their range), latency (CDF per
 * class of the histogram merged over the group), rto (every selected run's incidents),
 * utilisation (one run, CPU per host and IOPS per volume), compare and sweep (a metric per
 * variant of an experiment with 95% intervals; compare adds the paired difference from the
 * first variant), availability (the avail_* tables of the latest availability run).
 * The group: the selected runs with the first selected run's experiment, variant, scenario
 * name and hash, i.e. the replications of one scenario as one command ran them; --run selects
 * one run and --replication one replication of the group.
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
	"usage: topsim plot DB KIND [--run ID | --experiment NAME] [--replication K]\n"
	"                   -o FILE.png|FILE.svg [--data-only] [--data-dir DIR] [--plots-dir DIR]\n"
	"                   [--metric NAME[:QUAL]]\n"
	"Export figures from the results database DB into whitespace-separated data files and\n"
	"draw them with gnuplot (plots/KIND.gp). KIND is one of:\n"
	"  timeline     throughput, errors/s and latency p50/p99 around each incident, mean over\n"
	"               the replications with their range as a band, fault start and RTO end\n"
	"               marked, RTO stages (mean durations) as bands, the first replication's\n"
	"               timeline events as labels\n"
	"  latency      latency CDF per operation class of the histogram merged over the\n"
	"               replications (log x), p50/p99/p99.9 marked\n"
	"  rto          RTO and RPO of every incident of the selected runs, per fault kind\n"
	"  utilisation  CPU utilisation per host and IOPS utilisation per volume over a run\n"
	"  autoscaling  size of the compute nodes' Auto Scaling group over a run (nodes in\n"
	"               service and launching)\n"
	"  compare      a metric per variant of an experiment, mean with 95% interval, and the\n"
	"               paired difference from the first variant\n"
	"  sweep        a metric across the points of a sweep (its variants, in order), mean\n"
	"               with 95% interval\n"
	"  availability downtime per year by cause with intervals, and the distribution of a\n"
	"               single year's downtime, of the latest topsim availability run\n"
	"The replications pooled by timeline and latency are those of the first selected run's\n"
	"scenario and variant in its experiment (its group); utilisation and autoscaling draw\n"
	"the group's first replication.\n"
	"gnuplot is looked up on PATH (or $TOPSIM_GNUPLOT); without it the exit code is 3 and\n"
	"the data files are still written.\n"
	"Options:\n"
	"  -o, --output FILE   the picture; .png or .svg chooses the format\n"
	"      --run ID        that run alone (default: the group of the first run of the\n"
	"                      selection)\n"
	"      --replication K timeline, latency, utilisation, autoscaling: replication K of\n"
	"                      the group alone instead of the pooled replications\n"
	"      --experiment NAME  only the runs of this experiment (rto: all of its runs;\n"
	"                      compare, sweep: default the experiment of the last run;\n"
	"                      availability: its latest availability run)\n"
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

/* The RTO stages in chain order (models/incidents/ledger.h). */
#define TL_STAGES 8
static const char *const stage_names[TL_STAGES] = {"detect",  "operator", "decide", "transition",
						   "restore", "freeze",   "reroute", "reconnect"};

/* "scenario S, variant V, seed N, mean of R replications (runs A-B)" for a pooled group, or
 * run_title's for one run. */
static void group_title(const struct results_runs *runs, const size_t *grp, size_t n_grp,
			char *buf, size_t size)
{
	if (n_grp == 1) {
		run_title(&runs->v[grp[0]], buf, size);
		return;
	}
	const struct results_run *r = &runs->v[grp[0]].run;
	snprintf(buf, size, "scenario %s%s%s, seed %llu, %zu replications pooled (runs %lld-%lld)",
		 r->scenario_name, r->variant && *r->variant ? ", variant " : "",
		 r->variant && *r->variant ? r->variant : "", (unsigned long long)r->seed, n_grp,
		 (long long)runs->v[grp[0]].run_id, (long long)runs->v[grp[n_grp - 1]].run_id);
}

/* Event labels on the timeline: rows 5 (top) down to 0. A label is about TL_CHAR_PX pixels
 * per character wide in a panel TL_PANEL_PX(incidents) pixels wide (the picture's geometry
 * in plots/timeline.gp: 150 + 640 n pixels wide, each column 0.96 of it over n, less 205
 * pixels of margins). It starts at its event, or ends there when it would run past the
 * panel's right edge and fits before the event. Events come in time order; each label goes in the highest row whose
 * previous label ends before it starts, so labels close together are stacked instead of
 * drawn over one another. When no row is free there, the event is drawn as a point
 * without a label (and counted), rather than over another label. */
#define TL_ROWS 6
#define TL_CHAR_PX 6.0
#define TL_LABEL_MAX 48
#define TL_PANEL_PX(n) (0.96 * (150.0 + 640.0 * (double)(n)) / (double)(n) - 205.0)

enum tl_align { TL_LEFT, TL_RIGHT, TL_UNLABELLED };

struct tl_rows {
	double end[TL_ROWS]; /* x where the last label of each row ends (s) */
	double s_per_char;   /* seconds of x axis per label character */
	double xlo, xhi;     /* the panel's edges */
	int last;            /* the row of the last unlabelled point */
};

static void tl_rows_init(struct tl_rows *t, double xlo, double xhi, size_t incidents)
{
	for (int i = 0; i < TL_ROWS; i++)
		t->end[i] = -INFINITY;
	t->s_per_char = (xhi - xlo) / TL_PANEL_PX(incidents) * TL_CHAR_PX;
	t->xlo = xlo;
	t->xhi = xhi;
	t->last = 0;
}

/* Place a label of len characters for an event at x: its row (TL_ROWS - 1 down to 0) into
 * *row, and how it is drawn. */
static enum tl_align tl_rows_place(struct tl_rows *t, double x, size_t len, int *row)
{
	/* the marker and the label's offset (0.8 character) come before the text */
	double w = ((double)len + 2.0) * t->s_per_char;
	bool right = x + w > t->xhi && x - w >= t->xlo; /* too long for either side: left */
	double start = right ? x - w : x, end = right ? x + t->s_per_char : x + w;
	for (int i = TL_ROWS - 1; i >= 0; i--) {
		if (t->end[i] < start) {
			t->end[i] = end;
			*row = i;
			return right ? TL_RIGHT : TL_LEFT;
		}
	}
	*row = t->last;
	t->last = (t->last + 1) % TL_ROWS;
	return TL_UNLABELLED;
}

/* One bucket of the pooled timeline: per class and figure (throughput, errors, p50, p99),
 * the sum, count, min and max over the replications that have a value. */
struct tl_bin {
	double x_sum;
	size_t x_n;
	double sum[16][4], min[16][4], max[16][4];
	size_t n[16][4];
};

static const enum metric_id tl_series[4] = {METRIC_SERIES_THROUGHPUT,
					     METRIC_SERIES_ERRORS_PER_S,
					     METRIC_SERIES_LATENCY_P50_S,
					     METRIC_SERIES_LATENCY_P99_S};

/* The k-th incident of a run if it has the reference's kind and target, else NULL. */
static const struct results_incident *tl_match(const struct results_incidents *inc, size_t k,
					       const struct results_incident *ref)
{
	if (k >= inc->n)
		return NULL;
	const struct results_incident *in = &inc->v[k].inc;
	return strcmp(in->kind, ref->kind) == 0 && strcmp(in->target, ref->target) == 0 ? in : NULL;
}

static int export_timeline(struct results *r, const struct results_runs *runs,
			   const size_t *grp, size_t n_grp, const char *dir)
{
	int rc = CLI_EXIT_INTERNAL;
	char path[4096], title[1024];
	const struct results_run_row *run = &runs->v[grp[0]]; /* the reference replication */
	struct results_incidents *inc = calloc(n_grp, sizeof(*inc));
	struct results_points *pts = calloc(n_grp * 4, sizeof(*pts));
	struct results_incident_events ev = {0};
	struct tl_bin *bins = NULL;
	struct classes cls = {0};
	double xlo[4], xhi[4], emax[4] = {0, 0, 0, 0};
	FILE *meta = NULL, *f = NULL, *b = NULL;
	size_t n_inc = 0;

	if (!inc || !pts)
		goto out;
	for (size_t g = 0; g < n_grp; g++) {
		int64_t id = runs->v[grp[g]].run_id;
		if (results_incidents(r, id, &inc[g]) != 0)
			goto out_db;
		for (int m = 0; m < 4; m++)
			if (results_points(r, id, metric_def(tl_series[m])->name, NULL,
					   &pts[g * 4 + m]) != 0)
				goto out_db;
	}
	if (results_incident_events(r, run->run_id, 0, &ev) != 0)
		goto out_db;
	if (inc[0].n == 0) {
		fprintf(stderr, "topsim: plot: run %lld has no incidents: a timeline needs a fault\n",
			(long long)run->run_id);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	n_inc = inc[0].n > 4 ? 4 : inc[0].n;
	if (inc[0].n > 4)
		fprintf(stderr, "topsim: plot: run %lld has %zu incidents; the timeline shows the "
				"first 4\n", (long long)run->run_id, inc[0].n);
	/* The classes of the throughput series, in the order the database lists them. */
	for (size_t i = 0; i < pts[0].n; i++)
		class_index(&cls, pts[0].v[i].qualifier);
	double width = pts[0].n ? pts[0].v[0].width_s : 10;

	double rto_mean[4], rto_min[4], rto_max[4], rpo_mean[4];
	size_t matched[4], recovered[4], unlabelled[4];
	for (size_t k = 0; k < n_inc; k++) {
		const struct results_incident *ref = &inc[0].v[k].inc;
		double d_sum[TL_STAGES] = {0}, rto_sum = 0, rpo_sum = 0;
		matched[k] = recovered[k] = 0;
		rto_min[k] = INFINITY;
		rto_max[k] = -INFINITY;
		for (size_t g = 0; g < n_grp; g++) {
			const struct results_incident *in = tl_match(&inc[g], k, ref);
			if (!in)
				continue;
			matched[k]++;
			double d[TL_STAGES] = {in->detect_s,     in->operator_s, in->decide_s,
					       in->transition_s, in->restore_s,  in->freeze_s,
					       in->reroute_s,    in->reconnect_s};
			for (int s = 0; s < TL_STAGES; s++)
				d_sum[s] += isnan(d[s]) ? 0 : d[s];
			rpo_sum += (double)in->rpo_tx;
			if (!isnan(in->rto_s)) {
				recovered[k]++;
				rto_sum += in->rto_s;
				rto_min[k] = fmin(rto_min[k], in->rto_s);
				rto_max[k] = fmax(rto_max[k], in->rto_s);
			}
		}
		rto_mean[k] = recovered[k] ? rto_sum / (double)recovered[k] : NAN;
		rpo_mean[k] = rpo_sum / (double)matched[k];
		double t0 = ref->start_s;
		double lo = t0 - TIMELINE_BEFORE_S;
		double hi = t0 + (isnan(rto_mean[k]) ? 0 : rto_max[k]) + TIMELINE_AFTER_S;
		if (hi > run->run.sim_s)
			hi = run->run.sim_s;
		if (lo < 0)
			lo = 0;
		xlo[k] = lo - t0;
		xhi[k] = hi - t0;
		char name[64];

		/* Buckets by their position relative to each replication's fault start. */
		long j0 = (long)floor(xlo[k] / width) - 1;
		size_t nb = (size_t)(ceil(xhi[k] / width) - (double)j0) + 2;
		free(bins);
		if (!(bins = calloc(nb, sizeof(*bins))))
			goto out;
		for (size_t g = 0; g < n_grp; g++) {
			const struct results_incident *in = tl_match(&inc[g], k, ref);
			if (!in)
				continue;
			for (int m = 0; m < 4; m++) {
				const struct results_points *pp = &pts[g * 4 + m];
				for (size_t i = 0; i < pp->n; i++) {
					const struct results_point *p = &pp->v[i];
					double rel = p->t_s + p->width_s / 2 - in->start_s;
					int c = -1;
					for (size_t q = 0; q < cls.n; q++)
						if (strcmp(cls.names[q], p->qualifier) == 0)
							c = (int)q;
					if (rel < xlo[k] || rel > xhi[k] || c < 0 || isnan(p->value))
						continue;
					long j = (long)floor(rel / width) - j0;
					if (j < 0 || (size_t)j >= nb)
						continue;
					struct tl_bin *bn = &bins[j];
					if (m == 0 && c == 0) {
						bn->x_sum += rel;
						bn->x_n++;
					}
					double v = m >= 2 ? p->value * 1e3 : p->value;
					if (bn->n[c][m]++ == 0)
						bn->min[c][m] = bn->max[c][m] = v;
					bn->min[c][m] = fmin(bn->min[c][m], v);
					bn->max[c][m] = fmax(bn->max[c][m], v);
					bn->sum[c][m] += v;
				}
			}
		}

		/* series-K.dat: t relative to the fault (bucket middle, s), then per class the
		 * mean over the replications of throughput (1/s), errors (1/s), p50 (ms), p99
		 * (ms); band-K.dat: the same t, then per class min and max of each. */
		snprintf(name, sizeof(name), "series-%zu.dat", k + 1);
		if (!(f = open_data(dir, name, path, sizeof(path))))
			goto out;
		char bpath[4096];
		snprintf(name, sizeof(name), "band-%zu.dat", k + 1);
		if (!(b = open_data(dir, name, bpath, sizeof(bpath))))
			goto out;
		fprintf(f, "# incident %zu (%s %s) of run %lld, mean of %zu replications: t "
			   "relative to the fault start (s)", k + 1, ref->kind, ref->target,
			(long long)run->run_id, matched[k]);
		fprintf(b, "# incident %zu (%s %s): t (s), per class min and max over %zu "
			   "replications", k + 1, ref->kind, ref->target, matched[k]);
		for (size_t c = 0; c < cls.n; c++) {
			fprintf(f, "; %s: throughput (1/s) errors (1/s) p50 (ms) p99 (ms)",
				cls.names[c]);
			fprintf(b, "; %s: throughput min max, errors min max, p50 min max, p99 min "
				   "max", cls.names[c]);
		}
		fputc('\n', f);
		fputc('\n', b);
		for (size_t j = 0; j < nb; j++) {
			const struct tl_bin *bn = &bins[j];
			if (bn->x_n == 0)
				continue;
			double x = bn->x_sum / (double)bn->x_n;
			dat_num(f, x);
			dat_num(b, x);
			for (size_t c = 0; c < cls.n; c++)
				for (int m = 0; m < 4; m++) {
					size_t n = bn->n[c][m];
					dat_num(f, n ? bn->sum[c][m] / (double)n : NAN);
					dat_num(b, n ? bn->min[c][m] : NAN);
					dat_num(b, n ? bn->max[c][m] : NAN);
					if (m == 1 && n && bn->max[c][m] > emax[k])
						emax[k] = bn->max[c][m];
				}
			fputc('\n', f);
			fputc('\n', b);
		}
		rc = close_data(f, path);
		f = NULL;
		int rc2 = close_data(b, bpath);
		b = NULL;
		if (rc != CLI_EXIT_OK || rc2 != CLI_EXIT_OK)
			goto out_fail;
		rc = CLI_EXIT_INTERNAL;

		/* stages-K.dat: stage start end (s, relative to the fault), mean durations over
		 * the replications; a stage that did not happen has start = end. */
		snprintf(name, sizeof(name), "stages-%zu.dat", k + 1);
		if (!(f = open_data(dir, name, path, sizeof(path))))
			goto out;
		fprintf(f, "# RTO stage, start (s), end (s), relative to the fault start; mean "
			   "durations over %zu replications\n", matched[k]);
		double at = 0;
		for (int s = 0; s < TL_STAGES; s++) {
			double len = d_sum[s] / (double)matched[k];
			fprintf(f, "%s", stage_names[s]);
			dat_num(f, at);
			dat_num(f, at + len);
			fputc('\n', f);
			at += len;
		}
		rc = close_data(f, path);
		f = NULL;
		if (rc != CLI_EXIT_OK)
			goto out_fail;
		rc = CLI_EXIT_INTERNAL;

		/* events-K.dat: t (s, relative), row, how the label is drawn (0 left of the text,
		 * 1 right of it, 2 no label: no free row), "event": the reference replication's
		 * events in the window, staggered (tl_rows). */
		snprintf(name, sizeof(name), "events-%zu.dat", k + 1);
		if (!(f = open_data(dir, name, path, sizeof(path))))
			goto out;
		fprintf(f, "# events of run %lld: t (s, relative to the fault start), row (5 top "
			   "down to 0), label (0 after the point, 1 before it, 2 none), \"event\"\n",
			(long long)run->run_id);
		struct tl_rows rows;
		tl_rows_init(&rows, xlo[k], xhi[k], n_inc);
		int written = 0;
		unlabelled[k] = 0;
		for (size_t i = 0; i < ev.n; i++) {
			if (ev.v[i].t_s < lo || ev.v[i].t_s > hi)
				continue;
			double x = ev.v[i].t_s - t0;
			size_t len = strlen(ev.v[i].event);
			int row;
			enum tl_align a = tl_rows_place(&rows, x, len > TL_LABEL_MAX ? TL_LABEL_MAX + 3
										     : len, &row);
			unlabelled[k] += a == TL_UNLABELLED;
			dat_num(f, x);
			fprintf(f, " %d %d ", row, (int)a);
			dat_str(f, ev.v[i].event, TL_LABEL_MAX);
			fputc('\n', f);
			written++;
		}
		if (written == 0) /* gnuplot refuses an empty file */
			fputs("NaN 5 2 \"\"\n", f);
		rc = close_data(f, path);
		f = NULL;
		if (rc != CLI_EXIT_OK)
			goto out_fail;
		rc = CLI_EXIT_INTERNAL;
	}

	if (!(meta = open_data(dir, "meta.gp", path, sizeof(path))))
		goto out;
	group_title(runs, grp, n_grp, title, sizeof(title));
	fputs("# written by topsim plot timeline\ntitle = ", meta);
	gp_str(meta, title);
	fprintf(meta, "\nincidents = %zu\nclasses = %zu\nclass_names = ", n_inc, cls.n);
	gp_words(meta, (const char (*)[64])cls.names, cls.n);
	fprintf(meta, "\nreplications = %zu\narray rto[%zu]\narray rpo[%zu]\narray xmin[%zu]\n"
		      "array xmax[%zu]\narray errors_max[%zu]\narray incident_title[%zu]\n"
		      "array pooled[%zu]\narray unlabelled[%zu]\n", n_grp, n_inc, n_inc, n_inc, n_inc,
		n_inc, n_inc, n_inc, n_inc);
	for (size_t k = 0; k < n_inc; k++) {
		const struct results_incident *in = &inc[0].v[k].inc;
		char t[320];
		fprintf(meta, "rto[%zu] = %.9g\nrpo[%zu] = %.9g\nxmin[%zu] = %.9g\nxmax[%zu] = %.9g\n",
			k + 1, isnan(rto_mean[k]) ? -1.0 : rto_mean[k], k + 1, rpo_mean[k], k + 1,
			xlo[k], k + 1, xhi[k]);
		fprintf(meta, "errors_max[%zu] = %.9g\npooled[%zu] = %zu\nunlabelled[%zu] = %zu\n",
			k + 1, emax[k], k + 1, matched[k], k + 1, unlabelled[k]);
		if (matched[k] == 1 && isnan(in->rto_s))
			snprintf(t, sizeof(t), "%s %s at %.0f s: no RTO within the run", in->kind,
				 in->target, in->start_s);
		else if (matched[k] == 1)
			snprintf(t, sizeof(t), "%s %s at %.0f s: RTO %.2f s, RPO %lld commits",
				 in->kind, in->target, in->start_s, in->rto_s, (long long)in->rpo_tx);
		else if (recovered[k] == 0)
			snprintf(t, sizeof(t), "%s %s, %zu replications: no RTO within the runs",
				 in->kind, in->target, matched[k]);
		else
			snprintf(t, sizeof(t), "%s %s, %zu replications: RTO mean %.2f s (%.2f to "
				 "%.2f%s), RPO mean %.3g commits", in->kind, in->target, matched[k],
				 rto_mean[k], rto_min[k], rto_max[k],
				 recovered[k] < matched[k] ? ", some not recovered" : "", rpo_mean[k]);
		fprintf(meta, "incident_title[%zu] = ", k + 1);
		gp_str(meta, t);
		fputc('\n', meta);
	}
	rc = close_data(meta, path);
	meta = NULL;
	goto out;
out_db:
	fprintf(stderr, "topsim: plot: %s\n", results_errmsg(r));
	goto out;
out_fail:
	rc = CLI_EXIT_INTERNAL;
out:
	if (f)
		fclose(f);
	if (b)
		fclose(b);
	if (meta)
		fclose(meta);
	free(bins);
	for (size_t g = 0; inc && g < n_grp; g++)
		results_incidents_release(&inc[g]);
	for (size_t g = 0; pts && g < n_grp * 4; g++)
		results_points_release(&pts[g]);
	free(inc);
	free(pts);
	results_incident_events_release(&ev);
	return rc;
}

/* ---- latency ---------------------------------------------------------------------------- */

static int export_latency(struct results *r, const struct results_runs *runs, const size_t *grp,
			  size_t n_grp, const char *dir)
{
	int rc = CLI_EXIT_INTERNAL;
	char path[4096], title[1024];
	const struct results_run_row *run = &runs->v[grp[0]];
	struct results_latencies lat = {0};
	struct stat_hist *h = malloc(sizeof(*h)), *one = malloc(sizeof(*one));
	double (*marks)[3] = NULL;
	FILE *f = NULL, *q = NULL, *meta = NULL;

	if (!h || !one)
		goto out;
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
	if (!(marks = calloc(lat.n, sizeof(*marks))))
		goto out;
	/* cdf.dat: one block per class (index i-1 in gnuplot): latency (ms) at a bucket's upper
	 * bound, fraction of requests at most that, from the histogram merged over the group's
	 * replications (stat_hist_merge of the stored histograms). The overflow bucket is left
	 * out. */
	if (!(f = open_data(dir, "cdf.dat", path, sizeof(path))))
		goto out;
	for (size_t c = 0; c < lat.n; c++) {
		stat_hist_init(h);
		for (size_t g = 0; g < n_grp; g++) {
			int e = results_latency_hist(r, runs->v[grp[g]].run_id, lat.v[c].op_class, one);
			if (e == -ENOENT)
				continue;
			if (e != 0) {
				fprintf(stderr, "topsim: plot: run %lld, class %s: %s\n",
					(long long)runs->v[grp[g]].run_id, lat.v[c].op_class,
					e == -EINVAL ? "the stored histogram does not fit this build"
						     : results_errmsg(r));
				goto out;
			}
			stat_hist_merge(h, one);
		}
		uint64_t total = stat_hist_count(h), cum = 0;
		fprintf(f, "%s# class %s: latency (ms), cumulative fraction (%zu replication%s "
			   "merged, %llu requests)\n", c ? "\n\n" : "", lat.v[c].op_class, n_grp,
			n_grp == 1 ? "" : "s", (unsigned long long)total);
		bool first = true;
		for (size_t i = 0; i < stat_hist_bucket_count(h) && total > 0; i++) {
			uint64_t n = stat_hist_bucket_n(h, i);
			if (n == 0)
				continue;
			if (first)
				fprintf(f, "%.9g 0\n", stat_hist_bucket_lower(i) * 1e3);
			first = false;
			cum += n;
			double upper = stat_hist_bucket_upper(i);
			if (!isfinite(upper))
				continue;
			fprintf(f, "%.9g %.9g\n", upper * 1e3, (double)cum / (double)total);
		}
		marks[c][0] = stat_hist_quantile(h, 0.5);
		marks[c][1] = stat_hist_quantile(h, 0.99);
		marks[c][2] = stat_hist_quantile(h, 0.999);
	}
	rc = close_data(f, path);
	f = NULL;
	if (rc != CLI_EXIT_OK)
		goto out;
	rc = CLI_EXIT_INTERNAL;

	/* quantiles.dat: one block per class: latency (ms), fraction, "label", of the merged
	 * histogram. */
	if (!(q = open_data(dir, "quantiles.dat", path, sizeof(path))))
		goto out;
	for (size_t c = 0; c < lat.n; c++) {
		fprintf(q, "%s# class %s: quantile (ms), fraction, label\n", c ? "\n\n" : "",
			lat.v[c].op_class);
		static const char *const names[3] = {"p50", "p99", "p99.9"};
		static const double ps[3] = {0.5, 0.99, 0.999};
		for (int m = 0; m < 3; m++) {
			double v = marks[c][m];
			fprintf(q, "%.9g %g \"%s ", v * 1e3, ps[m], names[m]);
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
	group_title(runs, grp, n_grp, title, sizeof(title));
	fputs("# written by topsim plot latency\ntitle = ", meta);
	gp_str(meta, title);
	fprintf(meta, "\nreplications = %zu\nclasses = %zu\nclass_names = ", n_grp, lat.n);
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
	free(marks);
	free(h);
	free(one);
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

/* One block per qualifier of pts into f: t at the bucket's end (s), value (%). Points are
 * ordered by (qualifier, t_s), so a qualifier's points are contiguous. The names go to
 * names (at most 16; more are left out with a message). */
static void utilisation_blocks(FILE *f, const struct results_points *pts, const char *what,
			       struct classes *names)
{
	for (size_t i = 0; i < pts->n; i++) {
		const struct results_point *p = &pts->v[i];
		size_t before = names->n;
		if (class_index(names, p->qualifier) < 0)
			continue;
		if (names->n != before)
			fprintf(f, "%s# %s %s: t (s), utilisation (%%)\n", before ? "\n\n" : "", what,
				p->qualifier);
		dat_num(f, p->t_s + p->width_s);
		dat_num(f, p->value * 100);
		fputc('\n', f);
	}
	if (names->n == 0) /* gnuplot refuses an empty file */
		fputs("NaN NaN\n", f);
}

static int export_utilisation(struct results *r, const struct results_run_row *run,
			      const char *dir)
{
	int rc = CLI_EXIT_INTERNAL;
	char path[4096], title[1024];
	struct results_points pts = {0}, vol = {0};
	struct classes hosts = {0}, volumes = {0};
	FILE *f = NULL, *meta = NULL;

	if (results_points(r, run->run_id, SERIES(CPU_UTILISATION), NULL, &pts) != 0 ||
	    results_points(r, run->run_id, SERIES(VOLUME_IOPS_UTILISATION), NULL, &vol) != 0) {
		fprintf(stderr, "topsim: plot: %s\n", results_errmsg(r));
		goto out;
	}
	if (pts.n == 0 && vol.n == 0) {
		fprintf(stderr, "topsim: plot: run %lld has no cpu_utilisation or "
				"volume_iops_utilisation series\n", (long long)run->run_id);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	/* utilisation.dat: one block per host: t at the bucket's end (s), CPU utilisation since
	 * the warm-up (%). volumes.dat: one block per volume: t at the bucket's end (s), IOPS
	 * utilisation in the bucket (%). */
	if (!(f = open_data(dir, "utilisation.dat", path, sizeof(path))))
		goto out;
	utilisation_blocks(f, &pts, "host", &hosts);
	rc = close_data(f, path);
	f = NULL;
	if (rc != CLI_EXIT_OK)
		goto out;
	rc = CLI_EXIT_INTERNAL;
	if (!(f = open_data(dir, "volumes.dat", path, sizeof(path))))
		goto out;
	utilisation_blocks(f, &vol, "volume", &volumes);
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
	fprintf(meta, "\nvolumes = %zu\nvolume_names = ", volumes.n);
	gp_words(meta, (const char (*)[64])volumes.names, volumes.n);
	fprintf(meta, "\nwarmup = %.9g\n", run->run.warmup_s);
	rc = close_data(meta, path);
	meta = NULL;
out:
	if (f)
		fclose(f);
	if (meta)
		fclose(meta);
	results_points_release(&pts);
	results_points_release(&vol);
	return rc;
}

/* ---- availability ----------------------------------------------------------------------- */

/* Figures of struct results_avail_row.figures by position (results.h). */
enum { AV_WRITE, AV_WRITE_HALF, AV_READ, AV_READ_HALF, AV_DOWNTIME, AV_DOWNTIME_HALF,
       AV_P50 = 12, AV_P90, AV_P99, AV_MAX };

static int cause_cmp(const void *a, const void *b)
{
	const struct results_avail_cause *x = a, *y = b;
	double u = isnan(x->minutes_per_year) ? -1 : x->minutes_per_year;
	double v = isnan(y->minutes_per_year) ? -1 : y->minutes_per_year;
	return u < v ? 1 : u > v ? -1 : 0;
}

static int export_availability(struct results *r, const struct plot_opts *o, const char *dir)
{
	int rc = CLI_EXIT_INTERNAL;
	char path[4096], title[1024];
	struct results_avail_rows rows = {0};
	struct results_avail_causes causes = {0};
	FILE *f = NULL, *meta = NULL;

	if (results_avail_runs(r, o->experiment, &rows) != 0) {
		fprintf(stderr, "topsim: plot: %s\n", results_errmsg(r));
		goto out;
	}
	if (rows.n == 0) {
		fprintf(stderr, "topsim: plot: no availability runs%s%s%s in \"%s\" (topsim "
				"availability writes them)\n", o->experiment ? " of experiment \"" : "",
			o->experiment ? o->experiment : "", o->experiment ? "\"" : "", o->db);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	const struct results_avail_row *a = &rows.v[rows.n - 1]; /* the latest */
	if (results_avail_causes(r, a->avail_id, &causes) != 0) {
		fprintf(stderr, "topsim: plot: %s\n", results_errmsg(r));
		goto out;
	}
	/* causes.dat: row (1 = most downtime), minutes per year, interval low and high,
	 * incidents per year, samples, "incident class (stage)"; sorted by downtime. */
	if (causes.n > 1)
		qsort(causes.v, causes.n, sizeof(*causes.v), cause_cmp);
	size_t n_causes = causes.n > 24 ? 24 : causes.n;
	if (causes.n > 24)
		fprintf(stderr, "topsim: plot: %zu causes; the plot shows the 24 with the most "
				"downtime\n", causes.n);
	if (!(f = open_data(dir, "causes.dat", path, sizeof(path))))
		goto out;
	fprintf(f, "# availability run %lld: row, downtime (min/year), %.0f%% low, high, "
		   "incidents/year, samples, \"incident class (stage)\"\n", (long long)a->avail_id,
		100 * a->level);
	for (size_t i = 0; i < n_causes; i++) {
		const struct results_avail_cause *c = &causes.v[i];
		double half = isnan(c->half) ? 0 : c->half;
		char label[200];
		snprintf(label, sizeof(label), "%s (%s)", c->incident_class, c->stage);
		fprintf(f, "%zu", i + 1);
		dat_num(f, c->minutes_per_year);
		dat_num(f, c->minutes_per_year - half);
		dat_num(f, c->minutes_per_year + half);
		dat_num(f, c->incidents_per_year);
		fprintf(f, " %llu ", (unsigned long long)c->samples);
		dat_str(f, label, 90);
		fputc('\n', f);
	}
	if (n_causes == 0)
		fputs("NaN NaN NaN NaN NaN 0 \"\"\n", f);
	rc = close_data(f, path);
	f = NULL;
	if (rc != CLI_EXIT_OK)
		goto out;
	rc = CLI_EXIT_INTERNAL;

	/* yearly.dat: a single year's downtime (min) and the fraction of years with more:
	 * p50 0.5, p90 0.1, p99 0.01, and the worst year drawn at 1/years. */
	if (!(f = open_data(dir, "yearly.dat", path, sizeof(path))))
		goto out;
	fputs("# a single year's downtime (min), fraction of years with more, \"label\"\n", f);
	bool has_yearly = !isnan(a->figures[AV_P50]);
	const struct {
		int fig;
		double frac;
		const char *name;
	} q[] = {{AV_P50, 0.5, "p50"}, {AV_P90, 0.1, "p90"}, {AV_P99, 0.01, "p99"},
		 {AV_MAX, 0, "worst year"}};
	for (int i = 0; i < 4; i++) {
		double frac = q[i].frac > 0 ? q[i].frac : 1.0 / a->years;
		dat_num(f, a->figures[q[i].fig]);
		dat_num(f, frac);
		fprintf(f, " \"%s %.3g min\"\n", q[i].name, a->figures[q[i].fig]);
	}
	rc = close_data(f, path);
	f = NULL;
	if (rc != CLI_EXIT_OK)
		goto out;
	rc = CLI_EXIT_INTERNAL;

	if (!(meta = open_data(dir, "meta.gp", path, sizeof(path))))
		goto out;
	snprintf(title, sizeof(title), "scenario %s, seed %llu, %.0f years in %lld batches%s%s "
		 "(availability run %lld)", a->scenario_name, (unsigned long long)a->seed, a->years,
		 (long long)a->batches, *a->experiment ? ", experiment " : "", a->experiment,
		 (long long)a->avail_id);
	fputs("# written by topsim plot availability\ntitle = ", meta);
	gp_str(meta, title);
	fprintf(meta, "\ncauses = %zu\nhas_yearly = %d\nyears = %.9g\nlevel = %.9g\n"
		      "downtime = %.9g\ndowntime_half = %.9g\nwrite_availability = %.9g\n",
		n_causes, has_yearly, a->years, a->level, a->figures[AV_DOWNTIME],
		isnan(a->figures[AV_DOWNTIME_HALF]) ? 0 : a->figures[AV_DOWNTIME_HALF],
		a->figures[AV_WRITE]);
	rc = close_data(meta, path);
	meta = NULL;
out:
	if (f)
		fclose(f);
	if (meta)
		fclose(meta);
	results_avail_runs_release(&rows);
	results_avail_causes_release(&causes);
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
	{METRIC_OPERATOR_S, offsetof(struct results_incident, operator_s), false},
	{METRIC_FREEZE_S, offsetof(struct results_incident, freeze_s), false},
	{METRIC_RESTORE_S, offsetof(struct results_incident, restore_s), false},
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
	/* A sweep over one numeric axis (variant_params, schema 8: one path, a number with one
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

/* The group the pooled kinds draw: the selected runs with the same experiment, variant,
 * scenario name and hash as the reference run (o->group_of when set, else the first
 * selected); with o->replication >= 0 only that replication of it. Indexes into runs go to
 * grp[0..*n). Returns a CLI exit code. */
static int select_group(const struct results_runs *runs, const size_t *sel, size_t n_sel,
			const struct plot_opts *o, size_t *grp, size_t *n)
{
	const struct results_run *ref = &runs->v[sel[0]].run;
	for (size_t s = 0; s < n_sel && o->group_of > 0; s++)
		if (runs->v[sel[s]].run_id == o->group_of)
			ref = &runs->v[sel[s]].run;
	*n = 0;
	for (size_t s = 0; s < n_sel; s++) {
		const struct results_run *x = &runs->v[sel[s]].run;
		if (strcmp(x->experiment, ref->experiment) || strcmp(x->variant, ref->variant) ||
		    strcmp(x->scenario_name, ref->scenario_name) ||
		    strcmp(x->scenario_hash ? x->scenario_hash : "",
			   ref->scenario_hash ? ref->scenario_hash : ""))
			continue;
		if (o->replication >= 0 && x->replication != (uint32_t)o->replication)
			continue;
		grp[(*n)++] = sel[s];
	}
	if (*n == 0) {
		fprintf(stderr, "topsim: plot: no replication %lld of scenario \"%s\"%s%s%s in "
				"\"%s\"\n", (long long)o->replication, ref->scenario_name,
			*ref->experiment ? " in experiment \"" : "", ref->experiment,
			*ref->experiment ? "\"" : "", o->db);
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

int plot_make(struct results *r, const struct plot_opts *o, const char *data_dir)
{
	if (mkdir(data_dir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "topsim: plot: cannot create \"%s\": %s\n", data_dir, strerror(errno));
		return CLI_EXIT_INTERNAL;
	}
	if (strcmp(o->kind, "availability") == 0) {
		int rc = export_availability(r, o, data_dir);
		if (rc == CLI_EXIT_OK && !o->data_only)
			rc = run_gnuplot(o, data_dir);
		return rc;
	}
	struct results_runs runs = {0};
	size_t *sel = NULL, n_sel = 0, *grp = NULL, n_grp = 0;
	int rc = select_runs(r, o, &runs, &sel, &n_sel);
	if (rc != CLI_EXIT_OK)
		goto out;
	if (!(grp = calloc(n_sel, sizeof(*grp)))) {
		rc = CLI_EXIT_INTERNAL;
		goto out;
	}
	if ((rc = select_group(&runs, sel, n_sel, o, grp, &n_grp)) != CLI_EXIT_OK)
		goto out;
	const struct results_run_row *first = &runs.v[grp[0]];
	if (strcmp(o->kind, "timeline") == 0)
		rc = export_timeline(r, &runs, grp, n_grp, data_dir);
	else if (strcmp(o->kind, "latency") == 0)
		rc = export_latency(r, &runs, grp, n_grp, data_dir);
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
	free(grp);
	results_runs_release(&runs);
	return rc;
}

/* ---- the command ------------------------------------------------------------------------ */

static const char *const plot_kinds[] = {"timeline", "latency", "rto", "utilisation",
					 "autoscaling", "compare", "sweep", "availability", NULL};

int cmd_plot(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"run", required_argument, NULL, 'r'},
		{"replication", required_argument, NULL, 'R'},
		{"experiment", required_argument, NULL, 'X'},
		{"metric", required_argument, NULL, 'm'},
		{"data-only", no_argument, NULL, 'D'},
		{"data-dir", required_argument, NULL, 'd'},
		{"plots-dir", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct plot_opts o = {.replication = -1};
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
		case 'R': {
			char *end;
			errno = 0;
			long long v = strtoll(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 0 || v > UINT32_MAX)
				return cli_usage_error("plot", "--replication wants a replication index "
							       "(0, 1, ...), not \"%s\"", optarg);
			o.replication = v;
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
					       "utilisation, autoscaling, compare, sweep, "
					       "availability)", o.kind);
	if (o.replication >= 0 && strcmp(o.kind, "timeline") && strcmp(o.kind, "latency") &&
	    strcmp(o.kind, "utilisation") && strcmp(o.kind, "autoscaling"))
		return cli_usage_error("plot", "--replication applies to timeline, latency, "
					       "utilisation and autoscaling, not \"%s\"", o.kind);
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
