/* expect.h: a scenario's expectations evaluated against the records of its replications.
 *
 * An expectation (scenario.h, compiled by the scenario checks) names a metric or figure, or
 * a sum of them, optionally a qualifier (`where`) or an incident selection (kind, target).
 * Each record adds its values: one per replication for run, latency and per-replication
 * figures; one per matching incident for incident metrics. expect_finish reduces them by
 * the quantifier and compares with the threshold:
 *   every        every value satisfies the comparison (measured: the worst value)
 *   mean         the mean across values
 *   lower_bound  mean - Student-t half-width at `level` (needs 2 values or more)
 *   upper_bound  mean + half-width
 *   pNN          the NN-th percentile across values (linear interpolation between order
 *                statistics, GSL's gsl_stats_quantile_from_sorted_data)
 * A latency percentile (latency_p50_s, latency_p99_s, latency_p999_s of one class, alone in
 * its expectation) under mean, lower_bound or upper_bound is the run summary's estimate: the
 * quantile of the histogram merged across replications (all completions pooled) with the
 * sectioning half-width (summary.h), not the mean of the replications' quantiles, which is
 * biased low when replications are short. `every` and pNN still read one quantile per
 * replication.
 * An expectation fails when nothing was measured (no matching incident, class without
 * completions), and when an incident value is missing because writes never came back
 * (rto_s and the stages of an unrecovered incident): "not recovered" is a verdict, not a
 * value to average away. Stages that did not happen in a recovered incident count as 0 s,
 * as in the run summary.
 *
 * Ownership: the set points at the expectations (they must outlive it) and owns its values
 * and texts; expect_release frees them.
 */
#ifndef TOPSIM_EXPECT_H
#define TOPSIM_EXPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "record.h"
#include "results.h"
#include "scenario.h"
#include "stats.h"

#define EXPECT_SECTIONS 5 /* as SUMMARY_SECTIONS: the same interval as the run summary */

struct expect_result {
	const struct expectation_config *x; /* not owned */
	double *values;            /* one per replication or matching incident */
	size_t count, cap;
	size_t unmeasured;         /* matching incidents without a value (not recovered) */
	size_t mismatches;         /* primary_after: incidents with another primary after */
	char seen[128];            /* primary_after: the first other primary seen */
	int64_t replications;
	struct stat_hist *pooled;  /* latency percentile under mean or a bound: every
				    * replication's histogram merged (owned), else NULL */
	struct stat_hist *sections[EXPECT_SECTIONS]; /* by replication mod EXPECT_SECTIONS */
	/* set by expect_finish */
	bool pass;
	double measured;           /* the figure compared with the threshold, in the metric's unit */
	double mean, half_width;   /* across values; half_width NAN with fewer than 2 */
	double min, max;
	char text[320];            /* the expectation: "rto_s [host_crash iris-a] p95 <= 60s" */
	char measured_text[200];   /* "12.4s (mean 11.9s ±0.8s, 5 values in [10.2s, 13.1s])" */
	char reason[200];          /* why it failed, or "" */
};

struct expect_set {
	struct expect_result *results;
	size_t count;
	bool out_of_memory;
};

/* A set over n expectations (xs may be NULL when n is 0). Returns 0 or -ENOMEM. */
int expect_init(struct expect_set *set, const struct expectation_config *xs, size_t n);

/* Add one replication's record (in replication order). */
void expect_add(struct expect_set *set, const struct record *rec);

/* Whether an expectation names annual_downtime_s (the availability mode's figure). */
bool expect_wants_annual(const struct expect_set *set);

/* Add the availability mode's downtime per year, seconds, one value per batch, to every
 * expectation on annual_downtime_s (before expect_finish; expect_add gives them none). */
void expect_add_annual(struct expect_set *set, const double *seconds, size_t n);

/* Reduce and compare (once, after the last expect_add). */
void expect_finish(struct expect_set *set);

/* Expectations that failed (after expect_finish). */
size_t expect_failed(const struct expect_set *set);

/* The table: expectation, measured value with interval, verdict (after expect_finish). */
void expect_print(const struct expect_set *set, FILE *out);

/* A value in the unit of x's metric, for tables: "12.4s", "99.95%", "3 updates". */
void expect_format_value(const struct expectation_config *x, double v, char *buf, size_t size);

/* Store the verdicts (after expect_finish) in db's expectation_verdicts, tagged with the
 * runs' experiment, variant, scenario name and hash (runner_scenario_hash), in one
 * transaction: every verdict of the set or, on failure (rolled back), none. A set without
 * expectations writes nothing. Returns 0, or -EIO / -EROFS with the message in
 * results_errmsg(db). */
int expect_store(const struct expect_set *set, struct results *db, const char *experiment,
		 const char *variant, const char *scenario_name, const char *scenario_hash);

void expect_release(struct expect_set *set);

#endif
