/* summary.h: a run's replications summed up, with confidence intervals across them.
 *
 * The summary consumes records (record.h) one at a time and keeps, for each named figure
 * (a registered metric and its qualifier), the value of every replication; intervals are
 * Student-t over those values at the run's confidence level. Per operation class:
 * throughput and latency mean, p50, p99, p99.9; per
 * host and volume: utilisation; per incident (same kind and target across replications):
 * RTO with its stage means, RPO, write unavailability; availability; failures by cause;
 * Little's-law figures; invariant violations; bytes sent per link class.
 *
 * Latency quantiles: the point estimate is the quantile of the histogram merged across
 * replications (all completions pooled), not the mean of the replications' quantiles, which
 * is biased low when replications are short (a replication's tail quantile rests on few
 * samples). The interval is by sectioning (Asmussen and Glynn, Stochastic Simulation, 2007,
 * section III.5a): replication r goes to section r mod SUMMARY_SECTIONS, each section's
 * pooled quantile is one estimate, and the half-width is the Student-t half-width of those
 * estimates (t(g-1) * sd / sqrt(g) over g non-empty sections), centred on the all-pooled
 * estimate. The spread of the replications' own quantiles understates the pooled estimate's
 * error when the tail comes from rare long excursions, because a pooled tail follows the
 * replications with the longest excursions; sections, pooled like the estimate, follow it
 * better (coverage measured in docs/models.md, section 8).
 * A quantile p is "thin" when the replication with the fewest completions of the class holds
 * fewer than SUMMARY_TAIL_MIN samples beyond it (n * (1 - p) < SUMMARY_TAIL_MIN); the summary
 * warns about it.
 *
 * Ownership: the summary owns everything in it; summary_release frees it.
 */
#ifndef TOPSIM_SUMMARY_H
#define TOPSIM_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "record.h"

/* Across replications, per operation class. Pairs are the mean and the CI half-width
 * (NAN when fewer than two replications). */
#define SUMMARY_SECTIONS 5   /* sections of replications for the quantiles' interval */
#define SUMMARY_TAIL_MIN 10  /* samples beyond a quantile a replication needs for it to mean much */

struct summary_class {
	char name[128];
	double throughput[2];      /* 1/s */
	double mean_s[2];
	double p50_s[2], p99_s[2], p999_s[2]; /* merged-histogram estimate, half-width from the
					       * replications' quantiles (see above) */
	double max_s;              /* over all replications */
	uint64_t completed;        /* over all replications */
	uint64_t completed_min;    /* fewest completions in one replication */
	struct stat_hist *merged;  /* latency over all replications (owned); NULL: no memory */
	struct stat_hist *sections[SUMMARY_SECTIONS]; /* latency by replication mod
							* SUMMARY_SECTIONS (owned; NULL: none yet) */
	bool thin[3];              /* p50, p99, p99.9 rest on too few samples in a replication */
};

/* Across replications, per incident (a fault: same kind and target in every replication).
 * Times in seconds; NAN when absent. */
struct summary_incident {
	char kind[48];
	char target[160];
	int64_t count;             /* occurrences (a stochastic fault recurs) */
	int64_t recovered;         /* of those, with writes back within the run */
	double rto_s[2];
	double rto_max_s;          /* largest over recovered occurrences; NAN when none */
	double stage_s[STAGE_COUNT]; /* means over recovered occurrences */
	double rpo_tx[2];
	double rpo_span_s[2];      /* acknowledgement-time span of the lost updates */
	int64_t lost;              /* occurrences that lost acknowledged updates (rpo_tx > 0) */
	double rpo_durable_tx_max;
	double write_unavailable_s[2];
	double read_unavailable_s[2];
	char primary_after[128];   /* of the last occurrence */
	/* ECP (docs/models.md §13): the longest app server stall over occurrences, and per
	 * occurrence the means of stalls, requests held then completed, <NETWORK> answers,
	 * updates rolled back, sessions preserved and lost (sums until summary_finish). */
	double ecp_stall_max_s;
	double ecp_stalls, ecp_held_completed, ecp_network_errors, ecp_rolled_back;
	double ecp_sessions_preserved, ecp_sessions_lost;
};

/* A named figure's values, one per replication (or per occurrence). */
struct summary_samples {
	enum metric_id id;
	char qualifier[224];      /* a class, host, or "KIND TARGET" of an incident */
	double *values;
	size_t count, cap;
};

struct summary {
	double level;              /* confidence level of the intervals */
	bool has_ecp;              /* a replication had ECP application servers */
	int64_t replications;      /* records added */
	struct summary_class *classes;
	size_t class_count;
	char **util_names;         /* "cpu HOST" or "volume HOST/VOLUME" */
	double *util_mean;         /* mean utilisation across replications */
	size_t util_count;
	uint64_t events;           /* all replications */
	double wall_s;             /* all replications (set by the runner) */
	double sim_s;              /* simulated seconds, all replications */
	bool interrupted;          /* set by the runner */
	uint64_t conservation_violations; /* replications where conservation failed */
	struct summary_incident *incidents;
	size_t incident_count;
	uint64_t violations;       /* invariant violations, all replications */
	uint64_t dropped;          /* observations dropped, all replications */
	double write_availability[2], read_availability[2];
	uint64_t failures[CAUSE_COUNT]; /* final failures by cause, all replications (the
					 * summary prints them per replication) */
	double in_system_mean[2];  /* time-average requests in the system (Little's L) */
	double arrival_rate[2];    /* completions per second over all classes */
	double latency_mean_s[2];  /* mean latency over all classes */
	/* saturation findings */
	uint64_t shed;             /* arrivals refused by the in-flight cap, all replications */
	struct summary_gateway {
		char name[128];
		double saturated_at_s;  /* earliest over replications; NAN: never */
		double queue_max;       /* largest over replications */
		uint64_t expired;       /* 503 after the queued-request timeout, all replications */
	} *gateways;
	size_t gateway_count;
	/* per-replication values by name (the intervals above come from these) */
	struct summary_samples *samples;
	size_t sample_count, sample_cap;
	bool out_of_memory;
};

/* An empty summary with intervals at `level` (0 means 0.95). */
void summary_init(struct summary *s, double level);

/* Add one replication. */
void summary_add(struct summary *s, const struct record *rec);

/* Compute the intervals from what was added (call once, after the last summary_add). */
void summary_finish(struct summary *s);

/* The values of figure (id, qualifier) across replications, or NULL. */
const struct summary_samples *summary_samples(const struct summary *s, enum metric_id id,
					      const char *qualifier);

/* The widest relative half-width (half-width / |mean|) at the summary's level among the
 * figures of metric id, every qualifier (class, incident, host), from what was added so far
 * (summary_finish not needed): latency quantiles by sectioning as the summary reports them,
 * other figures Student t over their values. 0 when a half-width is 0, INFINITY when it
 * cannot be computed (fewer than 2 values, a mean of 0 with a spread). NAN when no figure
 * of id was recorded; *figures (may be NULL) gets their count. For sequential stopping. */
double summary_rel_width(const struct summary *s, enum metric_id id, size_t *figures);

/* Sectioning (above), for any pooled latency histogram: fold replication rep's histogram h
 * into sections[rep % SUMMARY_SECTIONS] (allocated on first use). Returns 0 or -ENOMEM. */
int summary_section_add(struct stat_hist *sections[SUMMARY_SECTIONS], uint32_t rep,
			const struct stat_hist *h);
/* The sectioning half-width at level of quantile p over the non-empty sections (Student t,
 * NAN with fewer than 2); the estimate itself is the pooled histogram's quantile. */
double summary_section_half_width(struct stat_hist *const sections[SUMMARY_SECTIONS], double p,
				  double level);

void summary_release(struct summary *s);

#define SUMMARY_MIN_REPLICATIONS 3 /* fewer: the summary warns its intervals mean little */

/* Print the summary table (operation classes with CIs, incidents, availability, failures
 * per replication, utilisation, speed). Non-negative figures whose interval reaches below 0
 * print as "mean [0, upper]": the interval is computed as usual, the display is clamped. */
void summary_print(const struct summary *s, FILE *out);

#endif
