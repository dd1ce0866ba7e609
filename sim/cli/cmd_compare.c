/* cmd_compare.c: topsim compare and topsim sweep: variants of an architecture run with
 * common random numbers (the same seed and replication indices, so the same arrivals and
 * faults), side by side.
 *
 * compare: scenarios A B ..., or one scenario and labelled variants (--variant NAME: then
 * that variant's --set options). For every figure the summaries share (throughput and
 * latency per class, availability, RTO, RPO and unavailability per incident), the value of
 * each variant with its interval and, against the first variant, the paired difference
 * (replication by replication) with its Student-t interval; a difference whose interval
 * excludes 0 is marked significant. Then the busiest resources (CPU per host, IOPS per
 * volume) the same way, and the cost per hour: the fixed part from the scenario and the
 * catalog (instances, EBS volumes, load balancers' hours; scenario_cost), the traffic part
 * per replication from the recorded network_bytes (data transfer, load-balancer bytes;
 * catalog_transfer_usd) with intervals and paired differences.
 * sweep: one scenario over a grid (--sweep PATH=v1,v2,... or ranges FROM:TO:STEP per axis,
 * every combination is a point and a variant), a table of the headline figures per point.
 * Sequential stopping (--target-width) runs every variant in lockstep rounds until all meet
 * the width (run_rounds), so common random numbers hold.
 * Runs go to the results database tagged with the experiment and the variant names; each
 * variant's assignments go to variant_params.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_experiment.h"
#include "metric.h"
#include "units.h"

struct variant {
	char *name;                 /* owned */
	const char *file;
	const char **sets;          /* owned array; strings owned by argv or `owned` */
	size_t set_count;
	struct exp_result res;
};

struct variants {
	struct variant *v;
	size_t n;
	char **owned;               /* generated "PATH=value" strings */
	size_t owned_count;
};

static struct variant *variant_add(struct variants *vs, const char *name, const char *file)
{
	struct variant *grown = realloc(vs->v, sizeof(*grown) * (vs->n + 1));
	if (!grown)
		return NULL;
	vs->v = grown;
	struct variant *v = &vs->v[vs->n];
	memset(v, 0, sizeof(*v));
	if (!(v->name = strdup(name)))
		return NULL;
	v->file = file;
	vs->n++;
	return v;
}

static int variant_set(struct variant *v, const char *assignment)
{
	const char **grown = realloc(v->sets, sizeof(*grown) * (v->set_count + 1));
	if (!grown)
		return -1;
	v->sets = grown;
	v->sets[v->set_count++] = assignment;
	return 0;
}

static void variants_release(struct variants *vs)
{
	for (size_t i = 0; i < vs->n; i++) {
		free(vs->v[i].name);
		free(vs->v[i].sets);
		exp_result_release(&vs->v[i].res);
	}
	free(vs->v);
	for (size_t i = 0; i < vs->owned_count; i++)
		free(vs->owned[i]);
	free(vs->owned);
	memset(vs, 0, sizeof(*vs));
}

/* Split "16s" into 16 and "s"; false when text does not start with a number. */
static bool split_quantity(const char *text, double *num, const char **unit)
{
	char *end;
	double v = strtod(text, &end);
	if (end == text || !isfinite(v) || (*end && !((*end >= 'A' && *end <= 'Z') ||
						       (*end >= 'a' && *end <= 'z') || *end == '%' ||
						       *end == '/')))
		return false;
	*num = v;
	*unit = end;
	return true;
}

/* A value of a figure in unit `unit` for a table. */
static void fmt_unit(const char *unit, double v, char *buf, size_t size)
{
	double a = fabs(v);
	if (isnan(v))
		snprintf(buf, size, "-");
	else if (strcmp(unit, "s") == 0)
		snprintf(buf, size, a >= 1 || a == 0 ? "%.3gs" : "%.3gms", a >= 1 || a == 0 ? v : v * 1e3);
	else if (strcmp(unit, "fraction") == 0)
		snprintf(buf, size, "%.4f%%", 100 * v);
	else
		snprintf(buf, size, "%.4g", v);
}

static void fmt_ci(const char *unit, double mean, double hw, char *buf, size_t size)
{
	char m[40], h[40];
	fmt_unit(unit, mean, m, sizeof(m));
	if (isnan(hw)) {
		snprintf(buf, size, "%s", m);
		return;
	}
	fmt_unit(unit, hw, h, sizeof(h));
	snprintf(buf, size, "%s ±%s", m, h);
}

/* Sequential stopping over variants: rounds of the first variant's replication count, each
 * round run on every variant (the same replication indices: common random numbers), until
 * the target metric's interval is narrow enough in every variant or the maximum is
 * reached. The decision reads only results, so it is the same whatever -j. */
static int run_rounds(struct variants *vs, struct exp_opts *o, struct results *db,
		      const char *experiment)
{
	int rc = CLI_EXIT_OK;
	size_t started = 0;
	for (; started < vs->n && rc == CLI_EXIT_OK; started++) {
		struct variant *v = &vs->v[started];
		rc = exp_start(v->file, o, v->sets, v->set_count, &v->res);
	}
	int64_t rounds = 0;
	while (rc == CLI_EXIT_OK) {
		int64_t n = exp_next_round(&vs->v[0].res, o);
		if (n <= 0)
			break;
		if (rounds++ > 0) { /* the progress line learns of the round as it starts */
			for (size_t i = 0; i < vs->n; i++)
				o->whole->total += (double)n * sim_time_to_s(vs->v[i].res.s.config.warmup +
									    vs->v[i].res.s.config.duration);
			o->whole->parts += vs->n;
		}
		for (size_t i = 0; i < vs->n && rc == CLI_EXIT_OK; i++)
			rc = exp_round(&vs->v[i].res, o, n, db, experiment, vs->v[i].name);
		bool met = true;
		for (size_t i = 0; i < vs->n; i++)
			met &= exp_target_met(&vs->v[i].res, o, NULL);
		if (met)
			break;
	}
	for (size_t i = 0; i < started; i++) {
		int e = exp_end(&vs->v[i].res, o, rc == CLI_EXIT_OK);
		if (rc == CLI_EXIT_OK)
			rc = e;
	}
	return rc;
}

/* The outcome of sequential stopping, one line per variant. */
static void print_stopping(const struct variants *vs, const struct exp_opts *o)
{
	if (o->target_width <= 0)
		return;
	printf("\nsequential stopping: %s, widest relative half-width at %g%% (target %g, at most "
	       "%lld replications, rounds of %lld)\n",
	       metric_def((enum metric_id)o->target_metric)->name, 100 * vs->v[0].res.sum.level,
	       o->target_width, (long long)o->max_replications, (long long)vs->v[0].res.round);
	for (size_t i = 0; i < vs->n; i++) {
		double w;
		bool met = exp_target_met(&vs->v[i].res, o, &w);
		char width[32];
		if (isnan(w))
			snprintf(width, sizeof(width), "- (not measured)");
		else if (isinf(w))
			snprintf(width, sizeof(width), "none");
		else
			snprintf(width, sizeof(width), "%.3g", w);
		printf("  %-36s %lld replications, width %s%s\n", vs->v[i].name,
		       (long long)vs->v[i].res.sum.replications, width, met ? "" : "  NOT MET");
	}
}

/* Load and run every variant with the same seed; stop at the first that cannot run. */
static int run_variants(struct variants *vs, struct exp_opts *o, const char *prefix)
{
	int rc = CLI_EXIT_OK;
	struct exp_progress whole; /* one progress line over every variant */
	exp_progress_init(&whole);
	struct exp_opts run_o = *o;
	run_o.whole = &whole;
	/* Bad input anywhere: exit 2 before running anything. */
	for (size_t i = 0; i < vs->n; i++) {
		struct exp_opts po = *o;
		struct cmd_scenario_opts so = o->so;
		const char **sets = calloc(o->so.set_count + vs->v[i].set_count + 1, sizeof(*sets));
		if (!sets)
			return CLI_EXIT_INTERNAL;
		/* memcpy takes no NULL source, even for 0 bytes */
		for (size_t k = 0; k < o->so.set_count; k++)
			sets[k] = o->so.sets[k];
		for (size_t k = 0; k < vs->v[i].set_count; k++)
			sets[o->so.set_count + k] = vs->v[i].sets[k];
		so.sets = sets;
		so.set_count += vs->v[i].set_count;
		po.so = so;
		struct scenario probe;
		int r = cmd_scenario_load(&probe, vs->v[i].file, &po.so);
		if (r == CLI_EXIT_OK)
			r = exp_check_series(&po, &probe);
		if (r == CLI_EXIT_OK)
			exp_progress_add(&whole, &po, &probe);
		scenario_release(&probe);
		free(sets);
		if (r != CLI_EXIT_OK)
			rc = r;
	}
	if (rc != CLI_EXIT_OK)
		return rc;
	char experiment[256];
	struct results *db = exp_open_db(o, prefix, experiment, sizeof(experiment), &rc);
	if (!db)
		return rc;
	/* What makes each variant, for plots with a numeric axis (results.h). */
	for (size_t i = 0; i < vs->n && rc == CLI_EXIT_OK; i++)
		for (size_t k = 0; k < vs->v[i].set_count && rc == CLI_EXIT_OK; k++) {
			const char *set = vs->v[i].sets[k], *eq = strchr(set, '=');
			char path[256];
			if (!eq || (size_t)(eq - set) >= sizeof(path))
				continue;
			snprintf(path, sizeof(path), "%.*s", (int)(eq - set), set);
			struct results_variant_param vp = {experiment, vs->v[i].name, path, eq + 1, "",
							   NAN};
			if (!split_quantity(eq + 1, &vp.value_num, &vp.unit))
				vp.value_num = NAN;
			if (results_add_variant_param(db, &vp) < 0) {
				fprintf(stderr, "topsim %s: %s\n", prefix, results_errmsg(db));
				rc = CLI_EXIT_INTERNAL;
			}
		}
	if (rc != CLI_EXIT_OK) {
		results_close(db);
		return rc;
	}
	printf("experiment %s in %s: %zu variants, common random numbers (same seed and "
	       "replications)\n",
	       experiment, o->db_path, vs->n);
	if (o->target_width > 0) {
		rc = run_rounds(vs, &run_o, db, experiment);
	} else {
		for (size_t i = 0; i < vs->n && rc == CLI_EXIT_OK; i++) {
			struct variant *v = &vs->v[i];
			rc = exp_run(v->file, &run_o, v->sets, v->set_count, db, experiment,
				     v->name, &v->res);
		}
	}
	for (size_t i = 1; i < vs->n && rc == CLI_EXIT_OK; i++) {
		struct variant *v = &vs->v[i];
		if (v->res.ro.seed != vs->v[0].res.ro.seed)
			fprintf(stderr, "topsim %s: warning: variant \"%s\" has seed %llu, \"%s\" %llu: "
					"no common random numbers\n",
				prefix, v->name, (unsigned long long)v->res.ro.seed, vs->v[0].name,
				(unsigned long long)vs->v[0].res.ro.seed);
	}
	results_close(db);
	return rc;
}

/* The paired difference b - a of two figures' values, replication by replication. Returns
 * false when they cannot be paired (different counts). */
static bool paired(const struct summary_samples *a, const struct summary_samples *b,
		   double level, double *mean, double *hw)
{
	if (!a || !b || a->count != b->count || a->count == 0)
		return false;
	double *d = malloc(sizeof(double) * a->count);
	if (!d)
		return false;
	for (size_t i = 0; i < a->count; i++)
		d[i] = b->values[i] - a->values[i];
	stat_ci_mean(d, a->count, level, mean, hw);
	free(d);
	return true;
}

/* One row of the compare table: figure (id, qualifier) of every variant with its interval,
 * then the paired differences with the first variant. */
static void print_row(const struct variants *vs, const char *label, enum metric_id id,
		      const char *qualifier, double level)
{
	const struct metric_def *d = metric_def(id);
	const struct summary_samples *sa = summary_samples(&vs->v[0].res.sum, id, qualifier);
	printf("%-44.44s", label);
	for (size_t k = 0; k < vs->n; k++) {
		const struct summary_samples *sk = summary_samples(&vs->v[k].res.sum, id, qualifier);
		char cell[64] = "-";
		double m = NAN, h = NAN;
		if (sk && stat_ci_mean(sk->values, sk->count, level, &m, &h) == 0)
			fmt_ci(d->unit, m, h, cell, sizeof(cell));
		printf(" %22s", cell);
	}
	for (size_t k = 1; k < vs->n; k++) {
		const struct summary_samples *sk = summary_samples(&vs->v[k].res.sum, id, qualifier);
		double m, h;
		char cell[64] = "unpaired", mm[40], hh[40];
		if (paired(sa, sk, level, &m, &h)) {
			fmt_unit(d->unit, m, mm, sizeof(mm));
			fmt_unit(d->unit, h, hh, sizeof(hh));
			bool sig = !isnan(h) && fabs(m) > h;
			snprintf(cell, sizeof(cell), "%s%s ±%s%s", m > 0 ? "+" : "", mm, hh,
				 sig ? " *" : "  ");
		}
		printf(" %22s", cell);
	}
	printf("\n");
}

static bool is_utilisation(enum metric_id id)
{
	return id == METRIC_CPU_UTILISATION || id == METRIC_VOLUME_IOPS_UTILISATION;
}

#define COMPARE_BUSIEST 6 /* utilisation rows in compare */

struct busy_row {
	enum metric_id id;
	const char *q;
	double top;    /* highest mean over the variants */
};

/* The busiest resources: the hosts' CPU and the volumes' IOPS utilisation with the highest
 * mean in any variant, COMPARE_BUSIEST of them, busiest first. */
static void print_busiest(const struct variants *vs, double level)
{
	struct busy_row rows[COMPARE_BUSIEST];
	size_t n = 0;
	for (size_t k = 0; k < vs->n; k++) {
		const struct summary *s = &vs->v[k].res.sum;
		for (size_t i = 0; i < s->sample_count; i++) {
			const struct summary_samples *ss = &s->samples[i];
			if (!is_utilisation(ss->id) || ss->count == 0)
				continue;
			double m, h;
			stat_ci_mean(ss->values, ss->count, level, &m, &h);
			size_t j = 0;
			while (j < n && !(rows[j].id == ss->id && strcmp(rows[j].q, ss->qualifier) == 0))
				j++;
			if (j < n) { /* seen in another variant: keep the highest mean */
				if (m > rows[j].top)
					rows[j].top = m;
			} else if (n < COMPARE_BUSIEST) {
				rows[n++] = (struct busy_row){ss->id, ss->qualifier, m};
			} else {
				size_t low = 0;
				for (size_t t = 1; t < n; t++)
					if (rows[t].top < rows[low].top)
						low = t;
				if (m > rows[low].top)
					rows[low] = (struct busy_row){ss->id, ss->qualifier, m};
			}
			/* re-sort: busiest first, then by name (stable output) */
			for (size_t a = 1; a < n; a++)
				for (size_t b = a; b > 0 && (rows[b].top > rows[b - 1].top ||
							     (rows[b].top == rows[b - 1].top &&
							      strcmp(rows[b].q, rows[b - 1].q) < 0));
				     b--) {
					struct busy_row t = rows[b];
					rows[b] = rows[b - 1];
					rows[b - 1] = t;
				}
		}
	}
	if (!n)
		return;
	printf("busiest resources (mean utilisation; CPU per host, IOPS per volume)\n");
	for (size_t i = 0; i < n; i++) {
		char label[256];
		snprintf(label, sizeof(label), "%s %s",
			 rows[i].id == METRIC_CPU_UTILISATION ? "cpu" : "volume", rows[i].q);
		print_row(vs, label, rows[i].id, rows[i].q, level);
	}
}

/* Traffic-driven cost per hour of variant v, one value per replication (n of them): data
 * transfer (cross-AZ, cross-region) and, when `lb`, the load balancers' bytes processed at
 * the first load balancer's kind. Returns the count, 0 when v has no traffic figures. */
static size_t traffic_cost(const struct variant *v, bool lb, double *out, size_t n)
{
	const struct summary *s = &v->res.sum;
	const struct scenario *sc = &v->res.s;
	double per_hour = 3600.0 / sim_time_to_s(sc->config.duration);
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		out[i] = 0;
	for (size_t k = 0; k < s->sample_count; k++) {
		const struct summary_samples *ss = &s->samples[k];
		if (ss->id != METRIC_NETWORK_BYTES)
			continue;
		count = ss->count < n ? ss->count : n;
		for (size_t i = 0; i < count; i++) {
			if (!lb) {
				out[i] += catalog_transfer_usd(&sc->catalog, ss->qualifier,
							       ss->values[i]) * per_hour;
			} else if (strcmp(ss->qualifier, "load_balancer") == 0 &&
				   sc->config.load_balancer_count) {
				int kind = sc->config.load_balancers[0].kind;
				double gb = sc->catalog.prices.lb_per_gb[kind];
				out[i] += isnan(gb) ? 0 : ss->values[i] / 1e9 * gb * per_hour;
			}
		}
	}
	return count;
}

/* Cost per hour: the fixed parts per variant, the traffic-driven ones as means with their
 * intervals and paired differences, and the total. */
static void print_costs(const struct variants *vs, double level)
{
	size_t n = (size_t)vs->v[0].res.sum.replications;
	for (size_t k = 1; k < vs->n; k++)
		if ((size_t)vs->v[k].res.sum.replications > n)
			n = (size_t)vs->v[k].res.sum.replications;
	double *cost = calloc(vs->n * 3 * (n + 1), sizeof(double));
	size_t *count = calloc(vs->n * 3, sizeof(size_t));
	struct scenario_cost *fixed = calloc(vs->n, sizeof(*fixed));
	if (!cost || !count || !fixed) {
		free(cost);
		free(count);
		free(fixed);
		printf("cost per hour: out of memory\n");
		return;
	}
	/* rows: 0 data transfer, 1 load balancer bytes, 2 total; per variant n values */
#define COST(k, row) (cost + ((k) * 3 + (row)) * (n + 1))
	bool other_region = false;
	for (size_t k = 0; k < vs->n; k++) {
		scenario_cost(&vs->v[k].res.s, &fixed[k]);
		other_region |= fixed[k].other_region;
		count[k * 3] = traffic_cost(&vs->v[k], false, COST(k, 0), n);
		count[k * 3 + 1] = traffic_cost(&vs->v[k], true, COST(k, 1), n);
		count[k * 3 + 2] = count[k * 3];
		double base = fixed[k].instances + fixed[k].volumes + fixed[k].load_balancers;
		for (size_t i = 0; i < count[k * 3]; i++)
			COST(k, 2)[i] = base + COST(k, 0)[i] + COST(k, 1)[i];
	}
	const struct catalog_prices *p = &vs->v[0].res.s.catalog.prices;
	printf("cost per hour, USD (on-demand %s prices%s; data transfer and load-balancer "
	       "bytes from the run's traffic)\n",
	       p->region, other_region ? ", also for the hosts in other regions: the catalog "
					 "has no other region's" : "");
	static const char *const fixed_names[] = {"instances", "EBS volumes",
						  "load balancers (hourly)"};
	for (int f = 0; f < 3; f++) {
		printf("%-44s", fixed_names[f]);
		for (size_t k = 0; k < vs->n; k++) {
			double x = f == 0 ? fixed[k].instances : f == 1 ? fixed[k].volumes
								     : fixed[k].load_balancers;
			char cell[40];
			snprintf(cell, sizeof(cell), "$%.4f", x);
			printf(" %22s", cell);
		}
		for (size_t k = 1; k < vs->n; k++) {
			double d = (f == 0 ? fixed[k].instances - fixed[0].instances
				    : f == 1 ? fixed[k].volumes - fixed[0].volumes
					     : fixed[k].load_balancers - fixed[0].load_balancers);
			char cell[40];
			snprintf(cell, sizeof(cell), "%s$%.4f  ", d < 0 ? "-" : "+", fabs(d));
			printf(" %22s", cell);
		}
		printf("\n");
	}
	static const char *const traffic_names[] = {"data transfer (cross-AZ, cross-region)",
						    "load balancers (bytes processed)", "total"};
	for (int row = 0; row < 3; row++) {
		printf("%-44s", traffic_names[row]);
		for (size_t k = 0; k < vs->n; k++) {
			double m = NAN, h = NAN;
			char cell[64] = "-";
			if (count[k * 3 + row] &&
			    stat_ci_mean(COST(k, row), count[k * 3 + row], level, &m, &h) == 0)
				snprintf(cell, sizeof(cell), isnan(h) ? "$%.4f" : "$%.4f ±%.4f", m, h);
			printf(" %22s", cell);
		}
		for (size_t k = 1; k < vs->n; k++) {
			char cell[64] = "unpaired";
			size_t c0 = count[row], ck = count[k * 3 + row];
			if (c0 && c0 == ck) {
				double *d = malloc(sizeof(double) * c0), m, h;
				if (d) {
					for (size_t i = 0; i < c0; i++)
						d[i] = COST(k, row)[i] - COST(0, row)[i];
					stat_ci_mean(d, c0, level, &m, &h);
					free(d);
					bool sig = !isnan(h) && fabs(m) > h;
					snprintf(cell, sizeof(cell), "%s$%.4f ±%.4f%s", m < 0 ? "-" : "+",
						 fabs(m), h, sig ? " *" : "  ");
				}
			}
			printf(" %22s", cell);
		}
		printf("\n");
	}
#undef COST
	for (size_t k = 0; k < vs->n; k++)
		if (fixed[k].unpriced)
			printf("(%s: %zu items without a catalog price are left out of its sums; "
			       "topsim catalog lists the prices)\n",
			       vs->v[k].name, fixed[k].unpriced);
	free(cost);
	free(count);
	free(fixed);
}

static void print_compare(const struct variants *vs)
{
	const struct summary *base = &vs->v[0].res.sum;
	double level = base->level;
	printf("\n%lld replications each; values: mean ±%g%% CI; diff: paired difference with the "
	       "first variant (\"%s\"), * significant at %g%%\n",
	       (long long)base->replications, 100 * level, vs->v[0].name, 100 * level);
	printf("%-44s", "figure");
	for (size_t k = 0; k < vs->n; k++)
		printf(" %22.22s", vs->v[k].name);
	for (size_t k = 1; k < vs->n; k++)
		printf(" %22.22s", "diff");
	printf("\n");
	for (size_t i = 0; i < base->sample_count; i++) {
		const struct summary_samples *sa = &base->samples[i];
		if (is_utilisation(sa->id) || sa->id == METRIC_NETWORK_BYTES)
			continue; /* the busiest only, and bytes as cost, below */
		const struct metric_def *d = metric_def(sa->id);
		char label[200];
		snprintf(label, sizeof(label), "%s%s%s%s", d->name, sa->qualifier[0] ? " [" : "",
			 sa->qualifier, sa->qualifier[0] ? "]" : "");
		print_row(vs, label, sa->id, sa->qualifier, level);
	}
	print_busiest(vs, level);
	print_costs(vs, level);
}

const char cmd_compare_usage[] =
	"usage: topsim compare A.json B.json [C.json ...] [options]\n"
	"       topsim compare FILE --variant NAME: [--set PATH=VALUE]... [--variant ...] [options]\n"
	"Run variants with common random numbers (the same seed and replications: the same\n"
	"arrivals and faults) and print, for every figure of the run summary (throughput and\n"
	"latency per class, availability, RTO, RPO and unavailability per incident), each\n"
	"variant's mean with its confidence interval and the paired difference with the first\n"
	"variant, * when significant; then the busiest resources (CPU per host, IOPS per\n"
	"volume) the same way, and the cost per hour from the catalog's prices: instances, EBS\n"
	"volumes, load balancers, and the run's data transfer (cross-AZ, cross-region) and\n"
	"load-balancer bytes with intervals. With one FILE,\n"
	"the first variant is the scenario as it is (\"baseline\"); --set after --variant NAME:\n"
	"belongs to that variant, before any --variant to all. Runs are stored in the results\n"
	"database under experiment compare-N (or --experiment) and the variants' names, their\n"
	"--set assignments in variant_params.\n"
	"Exit 0, 2 on bad input, 3 on an internal error (the variants' expectations are\n"
	"evaluated and their verdicts stored in the database for topsim report; they do not\n"
	"change the exit code).\n"
	"Options:\n"
	"      --variant NAME:   start a variant (the colon is optional)\n"
	"      --years N         also each variant's annual downtime from the availability mode\n"
	"                        (N years in 20 batches, paired by batch; without\n"
	"                        stochastic_faults every class fails at its default\n"
	"                        rate; printed, not stored)\n"
	"      --library R       with --years: incident library replications per takeover\n"
	"                        class (default 3; 0: availability.failover_time)\n" EXP_OPTIONS_HELP;

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		EXP_LONG_OPTIONS,
		{"variant", required_argument, NULL, 'V'},
		{"years", required_argument, NULL, 'Y'},
		{"library", required_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct exp_opts o;
	exp_opts_init(&o);
	struct variants vs = {0};
	struct variant *current = NULL;
	double avail_years = 0;
	int avail_library = 3;
	int ch, rc = CLI_EXIT_OK;
	/* "-" first: positional files come in order, so variants and their --set interleave. */
	const char **files = calloc((size_t)argc, sizeof(*files));
	size_t nfiles = 0;
	if (!files) {
		rc = CLI_EXIT_INTERNAL;
		goto out;
	}
	while ((ch = getopt_long(argc, argv, "-h" EXP_SHORT_OPTIONS, opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(cmd_compare_usage, stdout);
			goto out;
		}
		if (ch == 1) {
			files[nfiles++] = optarg;
			continue;
		}
		if (ch == 'V') {
			char name[128];
			snprintf(name, sizeof(name), "%s", optarg);
			size_t len = strlen(name);
			if (len && name[len - 1] == ':')
				name[--len] = '\0';
			if (!len) {
				rc = cli_usage_error("compare", "a variant needs a name: --variant NAME:");
				goto out;
			}
			if (!(current = variant_add(&vs, name, NULL))) {
				rc = CLI_EXIT_INTERNAL;
				goto out;
			}
			continue;
		}
		if (ch == 'Y' || ch == 'L') {
			char *end;
			double v = strtod(optarg, &end);
			bool years = ch == 'Y';
			if (*end || end == optarg || v != floor(v) ||
			    !(years ? v >= 20 && v <= 1e7 : v >= 0 && v <= 1000)) {
				rc = cli_usage_error("compare", years ? "years must be a whole number "
									"from 20 to 10000000, not \"%s\""
								      : "library must be 0 to 1000 "
									"replications, not \"%s\"",
						     optarg);
				goto out;
			}
			if (years)
				avail_years = v;
			else
				avail_library = (int)v;
			continue;
		}
		if (ch == 'S' && current) {
			if (variant_set(current, optarg) < 0) {
				rc = CLI_EXIT_INTERNAL;
				goto out;
			}
			continue;
		}
		int r = exp_opts_parse(&o, "compare", ch, optarg);
		if (r == -1) {
			fputs(cmd_compare_usage, stderr);
			rc = CLI_EXIT_USAGE;
			goto out;
		}
		if (r != 0) {
			rc = r;
			goto out;
		}
	}
	if ((rc = exp_opts_finish(&o, "compare")) != 0)
		goto out;
	if (vs.n) {
		if (nfiles != 1) {
			rc = cli_usage_error("compare", "--variant needs exactly one scenario file");
			goto out;
		}
		/* The baseline first, then the labelled variants. */
		struct variant *b = variant_add(&vs, "baseline", files[0]);
		if (!b) {
			rc = CLI_EXIT_INTERNAL;
			goto out;
		}
		struct variant tmp = vs.v[vs.n - 1];
		memmove(&vs.v[1], &vs.v[0], sizeof(*vs.v) * (vs.n - 1));
		vs.v[0] = tmp;
		for (size_t i = 0; i < vs.n; i++)
			vs.v[i].file = files[0];
	} else {
		if (nfiles < 2) {
			rc = cli_usage_error("compare", "expected two scenario files or more, or one "
							"with --variant");
			goto out;
		}
		for (size_t i = 0; i < nfiles; i++) {
			const char *slash = strrchr(files[i], '/');
			char name[128];
			snprintf(name, sizeof(name), "%s", slash ? slash + 1 : files[i]);
			char *dot = strrchr(name, '.');
			if (dot && strcmp(dot, ".json") == 0)
				*dot = '\0';
			if (!variant_add(&vs, name, files[i])) {
				rc = CLI_EXIT_INTERNAL;
				goto out;
			}
		}
	}
	rc = run_variants(&vs, &o, "compare");
	if (rc == CLI_EXIT_OK) {
		print_stopping(&vs, &o);
		print_compare(&vs);
	}
	if (rc == CLI_EXIT_OK && avail_years > 0) {
		struct scenario **sc = calloc(vs.n + 1, sizeof(*sc));
		const char **names = calloc(vs.n + 1, sizeof(*names));
		if (!sc || !names) {
			rc = CLI_EXIT_INTERNAL;
		} else {
			for (size_t i = 0; i < vs.n; i++) {
				sc[i] = &vs.v[i].res.s;
				names[i] = vs.v[i].name;
			}
			int jobs = o.threads > 0 ? o.threads : runner_default_threads();
			rc = cmd_avail_compare(sc, names, vs.n, avail_years, avail_library, jobs,
					       vs.v[0].res.ro.seed);
		}
		free(sc);
		free(names);
	}
out:
	free(files);
	variants_release(&vs);
	exp_opts_release(&o);
	return rc;
}

/* --- sweep ------------------------------------------------------------------------------ */

const char cmd_sweep_usage[] =
	"usage: topsim sweep FILE --sweep PATH=V1,V2,... [--sweep ...] [options]\n"
	"Run the scenario at every point of the grid of the --sweep axes (each value of each\n"
	"axis, every combination), all with common random numbers, and print a table per point:\n"
	"the RTO of each incident, write availability and the p99 latency of each class, means\n"
	"with their confidence intervals. A value FROM:TO:STEP is a range (2s:16s:2s; the same\n"
	"unit, or durations in any), FROM:TO:xFACTOR a geometric one (1s:16s:x2); at most 1000\n"
	"values per axis and 1000 points. Runs are stored under experiment sweep-N (or\n"
	"--experiment), the variant named after the point (\"mirror.qos_timeout=2s\"), its values\n"
	"with their number and unit in variant_params.\n"
	"Exit 0, 2 on bad input, 3 on an internal error (the variants' expectations are\n"
	"evaluated and their verdicts stored in the database for topsim report; they do not\n"
	"change the exit code).\n"
	"Options:\n"
	"      --sweep PATH=V1,V2,...  an axis: a scenario field and its values or ranges\n" EXP_OPTIONS_HELP;

struct axis {
	char *path;
	char **values;
	double *num;      /* each value's number, NAN when it has none ("gp3") */
	char **unit;      /* each value's unit after the number ("s", "" for a bare number) */
	size_t count;
};

#define SWEEP_POINTS_MAX 1000

static int axis_push(struct axis *a, const char *text, size_t len)
{
	char **vals = realloc(a->values, sizeof(*vals) * (a->count + 1));
	if (!vals)
		return -1;
	a->values = vals;
	double *num = realloc(a->num, sizeof(*num) * (a->count + 1));
	if (!num)
		return -1;
	a->num = num;
	char **unit = realloc(a->unit, sizeof(*unit) * (a->count + 1));
	if (!unit)
		return -1;
	a->unit = unit;
	if (!(vals[a->count] = strndup(text, len)))
		return -1;
	const char *u = "";
	if (!split_quantity(vals[a->count], &num[a->count], &u))
		num[a->count] = NAN;
	if (!(unit[a->count] = strdup(u))) {
		free(vals[a->count]);
		return -1;
	}
	a->count++;
	return 0;
}

/* Expand the range FROM:TO:STEP (or FROM:TO:xFACTOR) into a's values. Returns 0, -1 on out
 * of memory, or CLI_EXIT_USAGE (printed). */
static int axis_range(struct axis *a, const char *item, const char *whole)
{
	char buf[3][64];
	const char *p = item;
	for (int k = 0; k < 3; k++) {
		size_t len = strcspn(p, ":");
		if (len == 0 || len >= sizeof(buf[k]) || (k < 2 && p[len] != ':') ||
		    (k == 2 && p[len]))
			return cli_usage_error("sweep", "a range is FROM:TO:STEP or FROM:TO:xFACTOR, "
							"not \"%s\" in \"%s\"",
					       item, whole);
		memcpy(buf[k], p, len);
		buf[k][len] = '\0';
		p += len + 1;
	}
	bool times = buf[2][0] == 'x';
	double v[3];
	const char *u[3];
	for (int k = 0; k < 3; k++)
		if (!split_quantity(buf[k] + (k == 2 && times), &v[k], &u[k]))
			return cli_usage_error("sweep", "range \"%s\": \"%s\" is not a number with "
							"an optional unit",
					       item, buf[k]);
	if (times && *u[2])
		return cli_usage_error("sweep", "range \"%s\": a factor xN has no unit", item);
	if (strcmp(u[0], u[1]) != 0 || (!times && strcmp(u[0], u[2]) != 0)) {
		/* durations in different units ("500ms:2s:250ms") go through seconds */
		char err[UNITS_ERR_SIZE];
		bool durations = true;
		for (int k = 0; k < 3 && durations; k++)
			if (!(times && k == 2))
				durations = units_parse_seconds(buf[k], &v[k], err, sizeof(err)) == 0;
		if (!durations)
			return cli_usage_error("sweep", "range \"%s\": FROM, TO and STEP need the "
							"same unit",
					       item);
		u[0] = "s";
	}
	if (times ? !(v[2] > 1) : !(v[2] > 0))
		return cli_usage_error("sweep", "range \"%s\": the step must be %s", item,
				       times ? "a factor above 1" : "positive");
	if (v[0] > v[1])
		return cli_usage_error("sweep", "range \"%s\": FROM is above TO", item);
	if (times && !(v[0] > 0))
		return cli_usage_error("sweep", "range \"%s\": a factor step needs FROM above 0",
				       item);
	/* count first: no range of a million points gets allocated */
	double n = times ? floor(log(v[1] / v[0]) / log(v[2]) + 1e-9) + 1
			 : floor((v[1] - v[0]) / v[2] + 1e-9) + 1;
	if (n + (double)a->count > SWEEP_POINTS_MAX)
		return cli_usage_error("sweep", "range \"%s\" has %.0f values: at most %d per axis",
				       item, n, SWEEP_POINTS_MAX);
	for (int64_t i = 0; i < (int64_t)n; i++) {
		double x = times ? v[0] * pow(v[2], (double)i) : v[0] + (double)i * v[2];
		char text[96];
		snprintf(text, sizeof(text), "%.12g%s", x, u[0]);
		if (axis_push(a, text, strlen(text)) < 0)
			return -1;
	}
	return 0;
}

static void print_sweep(const struct variants *vs)
{
	const struct summary *s0 = &vs->v[0].res.sum;
	double level = s0->level;
	printf("\n%lld replications per point; means ±%g%% CI (p99: all replications' completions "
	       "pooled)\n",
	       (long long)s0->replications, 100 * level);
	int w = 36; /* the point column fits the longest name */
	for (size_t k = 0; k < vs->n; k++)
		if ((int)strlen(vs->v[k].name) > w)
			w = (int)strlen(vs->v[k].name);
	printf("%-*s", w, "point");
	for (size_t i = 0; i < s0->incident_count; i++) {
		char h[80];
		snprintf(h, sizeof(h), "RTO %s", s0->incidents[i].target);
		printf(" %20.20s", h);
	}
	printf(" %20s", "write availability");
	for (size_t c = 0; c < s0->class_count; c++) {
		char h[80];
		snprintf(h, sizeof(h), "p99 %s", s0->classes[c].name);
		printf(" %20.20s", h);
	}
	printf("\n");
	for (size_t k = 0; k < vs->n; k++) {
		const struct summary *s = &vs->v[k].res.sum;
		printf("%-*s", w, vs->v[k].name);
		char cell[64];
		for (size_t i = 0; i < s0->incident_count; i++) {
			double m = NAN, h = NAN;
			for (size_t j = 0; j < s->incident_count; j++)
				if (strcmp(s->incidents[j].kind, s0->incidents[i].kind) == 0 &&
				    strcmp(s->incidents[j].target, s0->incidents[i].target) == 0) {
					m = s->incidents[j].rto_s[0];
					h = s->incidents[j].rto_s[1];
				}
			fmt_ci("s", m, h, cell, sizeof(cell));
			printf(" %20s", cell);
		}
		fmt_ci("fraction", s->write_availability[0], s->write_availability[1], cell,
		       sizeof(cell));
		printf(" %20s", cell);
		for (size_t c = 0; c < s0->class_count && c < s->class_count; c++) {
			fmt_ci("s", s->classes[c].p99_s[0], s->classes[c].p99_s[1], cell, sizeof(cell));
			printf(" %20s", cell);
		}
		printf("\n");
	}
}

int cmd_sweep(int argc, char **argv)
{
	static const struct option opts[] = {
		EXP_LONG_OPTIONS,
		{"sweep", required_argument, NULL, 'G'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct exp_opts o;
	exp_opts_init(&o);
	struct variants vs = {0};
	struct axis *axes = NULL;
	size_t naxes = 0;
	int ch, rc = CLI_EXIT_OK;
	while ((ch = getopt_long(argc, argv, "h" EXP_SHORT_OPTIONS, opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(cmd_sweep_usage, stdout);
			goto out;
		}
		if (ch == 'G') {
			const char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg || !eq[1]) {
				rc = cli_usage_error("sweep", "expected --sweep PATH=V1,V2,..., not \"%s\"",
						     optarg);
				goto out;
			}
			struct axis *grown = realloc(axes, sizeof(*grown) * (naxes + 1));
			if (!grown) {
				rc = CLI_EXIT_INTERNAL;
				goto out;
			}
			axes = grown;
			struct axis *a = &axes[naxes++];
			memset(a, 0, sizeof(*a));
			a->path = strndup(optarg, (size_t)(eq - optarg));
			if (!a->path) {
				rc = CLI_EXIT_INTERNAL;
				goto out;
			}
			for (const char *p = eq + 1;;) {
				size_t len = strcspn(p, ",");
				if (len == 0) {
					rc = cli_usage_error("sweep", "empty value in \"%s\"", optarg);
					goto out;
				}
				char item[256];
				snprintf(item, sizeof(item), "%.*s", (int)len, p);
				int r = strchr(item, ':') ? axis_range(a, item, optarg)
							  : axis_push(a, p, len);
				if (r != 0) {
					rc = r < 0 ? CLI_EXIT_INTERNAL : r;
					goto out;
				}
				if (a->count > SWEEP_POINTS_MAX) {
					rc = cli_usage_error("sweep", "more than %d values in \"%s\"",
							     SWEEP_POINTS_MAX, optarg);
					goto out;
				}
				p += len;
				if (!*p)
					break;
				p++;
			}
			continue;
		}
		int r = exp_opts_parse(&o, "sweep", ch, optarg);
		if (r == -1) {
			fputs(cmd_sweep_usage, stderr);
			rc = CLI_EXIT_USAGE;
			goto out;
		}
		if (r != 0) {
			rc = r;
			goto out;
		}
	}
	if ((rc = exp_opts_finish(&o, "sweep")) != 0)
		goto out;
	if (naxes > 16) {
		rc = cli_usage_error("sweep", "at most 16 --sweep axes");
		goto out;
	}
	if (optind != argc - 1 || naxes == 0) {
		rc = cli_usage_error("sweep", "expected one scenario file and at least one --sweep");
		goto out;
	}
	size_t points = 1;
	for (size_t i = 0; i < naxes && points <= SWEEP_POINTS_MAX; i++)
		points *= axes[i].count;
	if (points > SWEEP_POINTS_MAX) {
		rc = cli_usage_error("sweep", "%zu points: at most %d", points, SWEEP_POINTS_MAX);
		goto out;
	}
	vs.owned = calloc(points * naxes, sizeof(*vs.owned));
	if (!vs.owned) {
		rc = CLI_EXIT_INTERNAL;
		goto out;
	}
	for (size_t p = 0; p < points; p++) {
		char name[512] = "";
		size_t used = 0, rest = p;
		struct variant *v = variant_add(&vs, "", argv[optind]);
		if (!v) {
			rc = CLI_EXIT_INTERNAL;
			goto out;
		}
		/* the last axis varies fastest */
		size_t idx[64] = {0};
		for (size_t i = naxes; i-- > 0;) {
			idx[i % 64] = rest % axes[i].count;
			rest /= axes[i].count;
		}
		for (size_t i = 0; i < naxes; i++) {
			size_t len = strlen(axes[i].path) + strlen(axes[i].values[idx[i % 64]]) + 2;
			char *set = malloc(len);
			if (!set) {
				rc = CLI_EXIT_INTERNAL;
				goto out;
			}
			snprintf(set, len, "%s=%s", axes[i].path, axes[i].values[idx[i % 64]]);
			vs.owned[vs.owned_count++] = set;
			if (variant_set(v, set) < 0) {
				rc = CLI_EXIT_INTERNAL;
				goto out;
			}
			used += (size_t)snprintf(name + used, used < sizeof(name) ? sizeof(name) - used : 0,
						 "%s%s", i ? " " : "", set);
		}
		free(v->name);
		if (!(v->name = strdup(name))) {
			rc = CLI_EXIT_INTERNAL;
			goto out;
		}
	}
	rc = run_variants(&vs, &o, "sweep");
	if (rc == CLI_EXIT_OK) {
		print_stopping(&vs, &o);
		print_sweep(&vs);
	}
out:
	for (size_t i = 0; i < naxes; i++) {
		for (size_t k = 0; k < axes[i].count; k++) {
			free(axes[i].values[k]);
			free(axes[i].unit[k]);
		}
		free(axes[i].values);
		free(axes[i].num);
		free(axes[i].unit);
		free(axes[i].path);
	}
	free(axes);
	variants_release(&vs);
	exp_opts_release(&o);
	return rc;
}
