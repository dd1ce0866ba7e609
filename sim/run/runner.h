/* runner.h: runs a scenario's replications and records them.
 *
 * For each replication: a fresh engine seeded with (scenario seed, replication index), the
 * models built from the scenario and the catalog, the run to warm-up + duration, and one
 * results transaction holding the run row, its metrics, latency histograms and time series.
 * Replications run one after another. Progress with ETA goes to stderr when it is a
 * terminal. SIGINT stops after the current slice of simulated time: the unfinished
 * replication is rolled back and the complete ones stay in the database.
 */
#ifndef TOPSIM_RUNNER_H
#define TOPSIM_RUNNER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "results.h"
#include "scenario.h"

struct runner_opts {
	int64_t replications;   /* number to run */
	uint64_t seed;          /* scenario seed */
	sim_time duration;      /* measured time after warm-up */
	sim_time warmup;
	sim_time series_width;  /* time-series bucket width */
	bool progress;          /* progress line on stderr */
	const char *version;    /* topsim version for the runs table */
	double ci_level;        /* confidence level of the summary's intervals; 0 = 0.95 */
};

/* Across replications, per operation class. */
struct runner_class_summary {
	char name[128];
	double throughput[2];      /* mean and CI half-width (runner_opts.ci_level) across replications, 1/s */
	double mean_s[2], p50_s[2], p99_s[2], p999_s[2];
	double max_s;              /* over all replications */
	uint64_t completed;        /* over all replications */
};

/* Across replications, per incident (a scheduled fault: same kind and target in every
 * replication). Times in seconds; means and CI half-widths; NAN when absent. */
struct runner_incident_summary {
	char kind[48];
	char target[160];
	int64_t count;             /* replications in which it happened */
	int64_t recovered;         /* of those, with writes back within the run */
	double rto_s[2];
	double stage_s[5];         /* detect, decide, transition, reroute, reconnect (means) */
	double rpo_tx[2];
	double rpo_durable_tx_max;
	double write_unavailable_s[2];
	char primary_after[128];   /* of the last replication */
};

struct runner_summary {
	int64_t replications;      /* completed */
	struct runner_class_summary *classes;
	size_t class_count;
	char **util_names;         /* "cpu host" or "volume host/vol" */
	double *util_mean;         /* mean utilisation across replications */
	size_t util_count;
	uint64_t events;           /* all replications */
	double wall_s;             /* all replications */
	double sim_s;              /* simulated seconds, all replications */
	bool interrupted;
	uint64_t conservation_violations; /* replications where arrived != done + in flight */
	struct runner_incident_summary *incidents;
	size_t incident_count;
	uint64_t violations;       /* invariant violations, all replications */
	double write_availability[2], read_availability[2];
	uint64_t failures[4];      /* final failures by cause (datapath_cause_names), all reps */
	double in_system_mean[2];  /* time-average requests in the system (Little's L), CI */
	double arrival_rate[2];    /* completions per second over all classes, CI */
	double latency_mean_s[2];  /* mean latency over all classes, CI */
};

/* Run. Returns 0, -EINTR when interrupted (summary holds the complete replications), or
 * another negative code with a message in err. */
int runner_run(const struct scenario *s, const struct runner_opts *o, struct results *db,
	       struct runner_summary *out, char *err, size_t err_size);

void runner_summary_release(struct runner_summary *sum);

/* Print the summary table (operation classes with 95% CIs, utilisation, speed). */
void runner_print_summary(const struct runner_summary *sum, FILE *out);

#endif
