/* expect.c: expectations against records (see expect.h). */
#include "expect.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"
#include "summary.h"

_Static_assert(EXPECT_SECTIONS == SUMMARY_SECTIONS, "expectations section as the summary does");

#define FIGURE(f) (METRIC_COUNT + EXPECT_FIGURE_##f)

/* The quantile an expectation reads from the pooled histogram (expect.h), or 0 when it
 * reads per-replication values. */
static double pooled_quantile(const struct expectation_config *x)
{
	if (x->term_count != 1 || x->per_incident || !x->where ||
	    !(x->quantifier == EXPECT_MEAN || x->quantifier == EXPECT_LOWER ||
	      x->quantifier == EXPECT_UPPER))
		return 0;
	switch (x->terms[0].id) {
	case METRIC_LATENCY_P50_S:
		return 0.5;
	case METRIC_LATENCY_P99_S:
		return 0.99;
	case METRIC_LATENCY_P999_S:
		return 0.999;
	default:
		return 0;
	}
}

int expect_init(struct expect_set *set, const struct expectation_config *xs, size_t n)
{
	memset(set, 0, sizeof(*set));
	if (n == 0)
		return 0;
	set->results = calloc(n, sizeof(*set->results));
	if (!set->results)
		return -ENOMEM;
	set->count = n;
	for (size_t i = 0; i < n; i++) {
		struct expect_result *r = &set->results[i];
		r->x = &xs[i];
		if (pooled_quantile(r->x) > 0) {
			if (!(r->pooled = malloc(sizeof(*r->pooled)))) {
				expect_release(set);
				return -ENOMEM;
			}
			stat_hist_init(r->pooled);
		}
	}
	return 0;
}

static void push(struct expect_set *set, struct expect_result *r, double v)
{
	if (r->count == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		double *grown = realloc(r->values, sizeof(double) * cap);
		if (!grown) {
			set->out_of_memory = true;
			return;
		}
		r->values = grown;
		r->cap = cap;
	}
	r->values[r->count++] = v;
}

static bool additive(const char *unit)
{
	return strcmp(unit, "s") != 0 && strcmp(unit, "fraction") != 0;
}

/* Does a record's qualifier q match the expectation's where (NULL: everything)? For "class
 * cause" qualifiers, where may name the class or the cause alone. */
static bool where_matches(const char *where, const char *q, enum metric_qualifier kind)
{
	if (!where || strcmp(where, q) == 0)
		return true;
	if (kind != QUAL_CLASS_CAUSE || strchr(where, ' '))
		return false;
	const char *space = strchr(q, ' ');
	if (!space)
		return false;
	size_t len = strlen(where);
	return ((size_t)(space - q) == len && strncmp(q, where, len) == 0) ||
	       strcmp(space + 1, where) == 0;
}

static bool incident_matches(const struct expectation_config *x, const struct incident_result *in)
{
	return (!x->kind || strcmp(x->kind, in->kind) == 0) &&
	       (!x->target || strcmp(x->target, in->target) == 0);
}

/* A run-scope term's value in a replication (NAN when not measured). */
static double run_term(const struct expectation_config *x, int id, const struct record *rec)
{
	if (id == FIGURE(INCIDENTS)) {
		size_t n = 0;
		for (size_t i = 0; i < rec->incident_count; i++)
			n += incident_matches(x, &rec->incidents[i].r);
		return (double)n;
	}
	if (id == FIGURE(INVARIANT_VIOLATIONS))
		return (double)rec->violation_count + (rec->conservation_ok ? 0 : 1);
	const struct metric_def *d = metric_def((enum metric_id)id);
	if (d->scope == METRIC_LATENCY) {
		for (size_t i = 0; i < rec->class_count; i++) {
			const struct record_class *c = &rec->classes[i];
			if (!x->where || strcmp(c->name, x->where) != 0)
				continue;
			if (c->completed == 0)
				return NAN;
			switch ((enum metric_id)id) {
			case METRIC_LATENCY_MEAN_S:
				return c->latency_mean;
			case METRIC_LATENCY_P50_S:
				return stat_hist_quantile(&c->latency, 0.5);
			case METRIC_LATENCY_P99_S:
				return stat_hist_quantile(&c->latency, 0.99);
			case METRIC_LATENCY_P999_S:
				return stat_hist_quantile(&c->latency, 0.999);
			case METRIC_LATENCY_MAX_S:
				return stat_hist_max(&c->latency);
			default:
				return NAN;
			}
		}
		return NAN;
	}
	/* METRIC_RUN: one value, or the sum over the matching qualifiers of an additive one
	 * (a count that is 0 is not always recorded: missing counts are 0). */
	double sum = 0;
	size_t found = 0;
	for (size_t i = 0; i < rec->metric_count; i++) {
		const struct record_metric *m = &rec->metrics[i];
		if ((int)m->id == id && where_matches(x->where, m->qualifier, d->qualifier)) {
			sum += m->value;
			found++;
		}
	}
	if (found == 1 || (found > 1 && additive(d->unit)))
		return sum;
	return additive(d->unit) ? 0 : NAN;
}

/* An incident term's value (NAN when not measured). */
static double incident_term(int id, const struct incident_result *in)
{
	if (id == FIGURE(RECOVERED))
		return in->recovered ? 1 : 0;
	int stage = -1;
	switch ((enum metric_id)id) {
	case METRIC_RTO_S:
		return in->recovered ? in->rto_s : NAN;
	case METRIC_DETECT_S:
		stage = STAGE_DETECT;
		break;
	case METRIC_DECIDE_S:
		stage = STAGE_DECIDE;
		break;
	case METRIC_TRANSITION_S:
		stage = STAGE_TRANSITION;
		break;
	case METRIC_REROUTE_S:
		stage = STAGE_REROUTE;
		break;
	case METRIC_RECONNECT_S:
		stage = STAGE_RECONNECT;
		break;
	case METRIC_OPERATOR_S:
		stage = STAGE_OPERATOR;
		break;
	case METRIC_FREEZE_S:
		stage = STAGE_FREEZE;
		break;
	case METRIC_RESTORE_S:
		stage = STAGE_RESTORE;
		break;
	case METRIC_RPO_TX:
		return in->rpo_tx;
	case METRIC_RPO_DURABLE_TX:
		return in->rpo_durable_tx;
	case METRIC_RPO_BYTES:
		return in->rpo_bytes;
	case METRIC_RPO_SPAN_S:
		return isnan(in->rpo_span_s) ? 0 : in->rpo_span_s;
	case METRIC_WRITE_UNAVAILABLE_S:
		return in->write_unavailable_s;
	case METRIC_READ_UNAVAILABLE_S:
		return in->read_unavailable_s;
	case METRIC_ECP_STALL_S:
		return in->ecp_stall_max_s;
	case METRIC_ECP_STALLS:
		return (double)in->ecp_stalls;
	case METRIC_ECP_HELD_COMPLETED_INC:
		return (double)in->ecp_held_completed;
	case METRIC_ECP_NETWORK_ERRORS_INC:
		return (double)in->ecp_network_errors;
	case METRIC_ECP_ROLLED_BACK_INC:
		return (double)in->ecp_rolled_back;
	case METRIC_ECP_SESSIONS_PRESERVED_INC:
		return (double)in->ecp_sessions_preserved;
	case METRIC_ECP_SESSIONS_LOST_INC:
		return (double)in->ecp_sessions_lost;
	default:
		return NAN;
	}
	/* a stage that did not happen lasted 0 s in the chain of a recovered incident */
	if (!in->recovered)
		return NAN;
	return isnan(in->stage_s[stage]) ? 0 : in->stage_s[stage];
}

static bool is_annual(const struct expectation_config *x)
{
	return x->term_count == 1 && x->terms[0].id == FIGURE(ANNUAL_DOWNTIME);
}

bool expect_wants_annual(const struct expect_set *set)
{
	for (size_t e = 0; e < set->count; e++)
		if (is_annual(set->results[e].x))
			return true;
	return false;
}

void expect_add_annual(struct expect_set *set, const double *seconds, size_t n)
{
	for (size_t e = 0; e < set->count; e++)
		if (is_annual(set->results[e].x))
			for (size_t i = 0; i < n; i++)
				push(set, &set->results[e], seconds[i]);
}

void expect_add(struct expect_set *set, const struct record *rec)
{
	for (size_t e = 0; e < set->count; e++) {
		struct expect_result *r = &set->results[e];
		const struct expectation_config *x = r->x;
		r->replications++;
		if (is_annual(x))
			continue; /* values come from expect_add_annual */
		if (r->pooled) {
			for (size_t i = 0; i < rec->class_count; i++) {
				const struct record_class *c = &rec->classes[i];
				if (strcmp(c->name, x->where) != 0)
					continue;
				stat_hist_merge(r->pooled, &c->latency);
				if (summary_section_add(r->sections, rec->replication, &c->latency) < 0)
					set->out_of_memory = true;
			}
		}
		if (!x->per_incident) {
			double v = 0;
			for (size_t k = 0; k < x->term_count; k++)
				v += x->terms[k].sign * run_term(x, x->terms[k].id, rec);
			if (isnan(v))
				r->unmeasured++;
			else
				push(set, r, v);
			continue;
		}
		for (size_t i = 0; i < rec->incident_count; i++) {
			const struct incident_result *in = &rec->incidents[i].r;
			if (!incident_matches(x, in))
				continue;
			if (x->terms[0].id == FIGURE(PRIMARY_AFTER)) {
				const char *p = in->primary_after ? in->primary_after : "";
				bool same = strcmp(p, x->value ? x->value : "") == 0;
				if (!same && r->mismatches++ == 0)
					snprintf(r->seen, sizeof(r->seen), "%s", p);
				push(set, r, same ? 1 : 0);
				continue;
			}
			double v = 0;
			for (size_t k = 0; k < x->term_count; k++)
				v += x->terms[k].sign * incident_term(x->terms[k].id, in);
			if (isnan(v))
				r->unmeasured++;
			else
				push(set, r, v);
		}
	}
}

static bool compare(int op, double v, double threshold)
{
	switch (op) {
	case EXPECT_LE:
		return v <= threshold;
	case EXPECT_LT:
		return v < threshold;
	case EXPECT_GE:
		return v >= threshold;
	case EXPECT_GT:
		return v > threshold;
	case EXPECT_EQ:
		return v == threshold;
	}
	return false;
}

void expect_format_value(const struct expectation_config *x, double v, char *buf, size_t size)
{
	if (isnan(v)) {
		snprintf(buf, size, "-");
		return;
	}
	const char *unit = x->term_count ? (x->terms[0].id < METRIC_COUNT
						    ? metric_def((enum metric_id)x->terms[0].id)->unit
						    : expectation_figure_unit(x->terms[0].id -
									       METRIC_COUNT))
					 : "";
	double a = fabs(v);
	switch (x->unit_kind) {
	case UNITS_DURATION:
		if (a == 0)
			snprintf(buf, size, "0s");
		else if (a >= 100)
			snprintf(buf, size, "%.0fs", v);
		else if (a >= 1)
			snprintf(buf, size, "%.2fs", v);
		else if (a >= 1e-3)
			snprintf(buf, size, "%.2fms", v * 1e3);
		else
			snprintf(buf, size, "%.1fus", v * 1e6);
		break;
	case UNITS_FRACTION:
		if (strcmp(unit, "fraction") == 0 && x->terms[0].id == FIGURE(RECOVERED))
			snprintf(buf, size, "%.3g", v);
		else
			snprintf(buf, size, "%.4f%%", 100 * v);
		break;
	case UNITS_RATE:
		snprintf(buf, size, "%.4g/s", v);
		break;
	case UNITS_SIZE:
		snprintf(buf, size, "%.4gB", v);
		break;
	default:
		(void)unit;
		snprintf(buf, size, "%.4g", v);
		break;
	}
}

static void describe(struct expect_result *r)
{
	const struct expectation_config *x = r->x;
	char sel[300] = "", of[48];
	if (x->where)
		snprintf(sel, sizeof(sel), " [%s]", x->where);
	else if (x->kind || x->target)
		snprintf(sel, sizeof(sel), " [%s%s%s]", x->kind ? x->kind : "any",
			 x->target ? " " : "", x->target ? x->target : "");
	if (x->quantifier == EXPECT_LOWER || x->quantifier == EXPECT_UPPER)
		snprintf(of, sizeof(of), "%s(%g%%)", x->of, 100 * x->level);
	else
		snprintf(of, sizeof(of), "%s", x->terms[0].id == FIGURE(PRIMARY_AFTER) ? "every" : x->of);
	snprintf(r->text, sizeof(r->text), "%s%s %s %s %s%s%s", x->metric, sel, of,
		 expectation_op_name(x->op), x->terms[0].id == FIGURE(PRIMARY_AFTER) ? "\"" : "",
		 x->value ? x->value : "", x->terms[0].id == FIGURE(PRIMARY_AFTER) ? "\"" : "");
}

static const char *failing_word(const struct expectation_config *x)
{
	return x->op == EXPECT_GE || x->op == EXPECT_GT ? "min" : x->op == EXPECT_EQ ? "value" : "max";
}

static void finish_one(struct expect_result *r)
{
	const struct expectation_config *x = r->x;
	describe(r);
	r->mean = r->half_width = r->min = r->max = r->measured = NAN;
	r->reason[0] = '\0';
	/* What one value is, in the plural: annual downtime has one per batch of years. */
	const char *unit_of = is_annual(x)        ? "batches"
			      : x->per_incident ? "incidents"
						: "replications";
	if (x->terms[0].id == FIGURE(PRIMARY_AFTER)) {
		size_t same = r->count - r->mismatches;
		r->pass = r->count > 0 && r->mismatches == 0;
		snprintf(r->measured_text, sizeof(r->measured_text), "%zu of %zu incidents", same,
			 r->count);
		if (r->count == 0)
			snprintf(r->reason, sizeof(r->reason), "no matching incident");
		else if (r->mismatches)
			snprintf(r->reason, sizeof(r->reason), "primary after \"%s\" in %zu of %zu",
				 r->seen, r->mismatches, r->count);
		return;
	}
	if (r->count) {
		stat_ci_mean(r->values, r->count, x->level > 0 ? x->level : 0.95, &r->mean,
			     &r->half_width);
		r->min = r->max = r->values[0];
		for (size_t i = 1; i < r->count; i++) {
			r->min = fmin(r->min, r->values[i]);
			r->max = fmax(r->max, r->values[i]);
		}
	}
	double q = pooled_quantile(x);
	if (r->pooled && r->count) {
		/* the summary's estimate: pooled quantile, sectioning half-width */
		r->mean = stat_hist_quantile(r->pooled, q);
		r->half_width =
			summary_section_half_width(r->sections, q, x->level > 0 ? x->level : 0.95);
	}
	bool ok = r->count > 0;
	switch (x->quantifier) {
	case EXPECT_EVERY: {
		size_t failing = 0;
		for (size_t i = 0; i < r->count; i++)
			if (!compare(x->op, r->values[i], x->threshold)) {
				if (failing++ == 0)
					r->measured = r->values[i];
			}
		if (r->count && x->op != EXPECT_EQ)
			r->measured = x->op == EXPECT_GE || x->op == EXPECT_GT ? r->min : r->max;
		else if (r->count && !failing)
			r->measured = r->values[0];
		if (failing)
			snprintf(r->reason, sizeof(r->reason), "fails in %zu of %zu %s", failing,
				 r->count, unit_of);
		ok &= failing == 0;
		break;
	}
	case EXPECT_MEAN:
		r->measured = r->mean;
		break;
	case EXPECT_LOWER:
	case EXPECT_UPPER:
		if (isnan(r->half_width)) {
			snprintf(r->reason, sizeof(r->reason),
				 r->pooled ? "a confidence bound needs 2 sections of replications or "
					     "more, got %zu replications"
					   : "a confidence bound needs 2 values or more, got %zu",
				 r->count);
			ok = false;
			break;
		}
		r->measured = x->quantifier == EXPECT_LOWER ? r->mean - r->half_width
							    : r->mean + r->half_width;
		break;
	case EXPECT_PERCENTILE:
		if (r->count) {
			double *sorted = malloc(sizeof(double) * r->count);
			if (sorted) {
				memcpy(sorted, r->values, sizeof(double) * r->count);
				gsl_sort(sorted, 1, r->count);
				r->measured = gsl_stats_quantile_from_sorted_data(sorted, 1, r->count,
										   x->quantile);
				free(sorted);
			}
		}
		break;
	}
	if (x->quantifier != EXPECT_EVERY && ok && !compare(x->op, r->measured, x->threshold))
		ok = false;
	if (r->count == 0 && !r->reason[0])
		snprintf(r->reason, sizeof(r->reason), "nothing measured%s",
			 x->per_incident ? ": no matching incident" : "");
	if (r->unmeasured) {
		ok = false;
		snprintf(r->reason, sizeof(r->reason), "not measured in %zu of %zu %s%s",
			 r->unmeasured, r->unmeasured + r->count, unit_of,
			 x->per_incident ? " (writes never came back)" : "");
	}
	r->pass = ok;
	char m[48], mean[48], hw[48], lo[48], hi[48];
	expect_format_value(x, r->measured, m, sizeof(m));
	expect_format_value(x, r->mean, mean, sizeof(mean));
	expect_format_value(x, r->min, lo, sizeof(lo));
	expect_format_value(x, r->max, hi, sizeof(hi));
	hw[0] = '\0';
	if (!isnan(r->half_width)) {
		char w[40];
		expect_format_value(x, r->half_width, w, sizeof(w));
		snprintf(hw, sizeof(hw), " ±%s", w);
	}
	char range[120];
	if (r->count == 0)
		snprintf(range, sizeof(range), "no %s", unit_of);
	else if (r->min == r->max)
		snprintf(range, sizeof(range), "%zu %.*s, all %s", r->count,
			 (int)(strlen(unit_of) - (r->count == 1 ? (is_annual(x) ? 2 : 1) : 0)),
			 unit_of, lo);
	else
		snprintf(range, sizeof(range), "%zu %s in [%s, %s]", r->count, unit_of, lo, hi);
	if (r->pooled && x->quantifier == EXPECT_MEAN)
		snprintf(r->measured_text, sizeof(r->measured_text), "pooled %s%s (%s)", mean, hw,
			 range);
	else if (r->pooled)
		snprintf(r->measured_text, sizeof(r->measured_text), "%s %s (pooled %s%s, %s)",
			 x->quantifier == EXPECT_LOWER ? "lower bound" : "upper bound", m, mean, hw,
			 range);
	else if (x->quantifier == EXPECT_MEAN)
		snprintf(r->measured_text, sizeof(r->measured_text), "mean %s%s (%s)", mean, hw, range);
	else if (x->quantifier == EXPECT_EVERY)
		snprintf(r->measured_text, sizeof(r->measured_text), "%s %s (%s)",
			 failing_word(x), m, range);
	else
		snprintf(r->measured_text, sizeof(r->measured_text), "%s %s (mean %s%s, %s)",
			 x->quantifier == EXPECT_PERCENTILE ? x->of
			 : x->quantifier == EXPECT_LOWER    ? "lower bound"
							    : "upper bound",
			 m, mean, hw, range);
}

void expect_finish(struct expect_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		finish_one(&set->results[i]);
}

size_t expect_failed(const struct expect_set *set)
{
	size_t n = 0;
	for (size_t i = 0; i < set->count; i++)
		n += !set->results[i].pass;
	return n;
}

void expect_print(const struct expect_set *set, FILE *out)
{
	if (!set->count)
		return;
	size_t w = 11;
	for (size_t i = 0; i < set->count; i++)
		if (strlen(set->results[i].text) > w)
			w = strlen(set->results[i].text);
	fprintf(out, "%-*s  %-4s  %s\n", (int)w, "expectation", "", "measured");
	for (size_t i = 0; i < set->count; i++) {
		const struct expect_result *r = &set->results[i];
		fprintf(out, "%-*s  %-4s  %s%s%s\n", (int)w, r->text, r->pass ? "ok" : "FAIL",
			r->measured_text, r->reason[0] ? "; " : "", r->reason);
	}
}

/* The unit of x's metric (its first term's), "" for a member name (primary_after). */
static const char *expect_unit(const struct expectation_config *x)
{
	if (x->term_count == 0 || x->terms[0].id == FIGURE(PRIMARY_AFTER))
		return "";
	return x->terms[0].id < METRIC_COUNT ? metric_def((enum metric_id)x->terms[0].id)->unit
					     : expectation_figure_unit(x->terms[0].id - METRIC_COUNT);
}

int expect_store(const struct expect_set *set, struct results *db, const char *experiment,
		 const char *variant, const char *scenario_name, const char *scenario_hash)
{
	if (set->count == 0)
		return 0;
	int rc = results_begin(db);
	for (size_t i = 0; rc == 0 && i < set->count; i++) {
		const struct expect_result *r = &set->results[i];
		const struct expectation_config *x = r->x;
		char selection[300] = "";
		if (x->where)
			snprintf(selection, sizeof(selection), "%s", x->where);
		else if (x->kind || x->target)
			snprintf(selection, sizeof(selection), "%s%s%s", x->kind ? x->kind : "any",
				 x->target ? " " : "", x->target ? x->target : "");
		bool member = x->terms[0].id == FIGURE(PRIMARY_AFTER);
		bool ci = !isnan(r->half_width);
		struct results_verdict v = {
			.experiment = experiment, .variant = variant, .scenario_name = scenario_name,
			.scenario_hash = scenario_hash, .position = (int64_t)i,
			.expectation = r->text, .metric = x->metric, .selection = selection,
			.quantifier = member ? "every" : x->of, .op = expectation_op_name(x->op),
			.threshold = member ? NAN : x->threshold, .threshold_text = x->value,
			.unit = expect_unit(x), .measured = r->measured, .mean = r->mean,
			.lo = ci ? r->mean - r->half_width : NAN,
			.hi = ci ? r->mean + r->half_width : NAN,
			.level = x->level > 0 ? x->level : 0.95, .min = r->min, .max = r->max,
			.n_values = (int64_t)r->count, .unmeasured = (int64_t)r->unmeasured,
			.replications = r->replications, .pass = r->pass,
			.measured_text = r->measured_text, .reason = r->reason};
		rc = results_add_verdict(db, &v);
	}
	if (rc == 0)
		rc = results_commit(db);
	if (rc < 0)
		results_rollback(db);
	return rc;
}

void expect_release(struct expect_set *set)
{
	for (size_t i = 0; i < set->count; i++) {
		free(set->results[i].values);
		free(set->results[i].pooled);
		for (int j = 0; j < EXPECT_SECTIONS; j++)
			free(set->results[i].sections[j]);
	}
	free(set->results);
	memset(set, 0, sizeof(*set));
}
