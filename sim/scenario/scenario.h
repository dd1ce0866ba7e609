/* scenario.h: a scenario: an architecture, a workload, faults and expectations.
 *
 * scenario_load reads a JSON file (with its includes and --set overrides) into typed model
 * configurations through the models' field tables, applies catalog overrides, and checks
 * everything that makes a topology impossible or risky (scenario_check). Every problem of the
 * whole file is reported to the diag in one pass; the caller prints it and exits 2 when there
 * are errors, before anything is simulated or written.
 *
 * Ownership: struct scenario owns its configs, catalog and the merged JSON text
 * (scenario_release).
 */
#ifndef TOPSIM_SCENARIO_H
#define TOPSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "availability.h"
#include "backup.h"
#include "catalog.h"
#include "diag.h"
#include "faults.h"
#include "iris.h"
#include "iris_node.h"
#include "routing.h"
#include "simtime.h"
#include "topology.h"
#include "workload.h"

enum expectation_op { EXPECT_LE, EXPECT_LT, EXPECT_GE, EXPECT_GT, EXPECT_EQ };

/* How an expectation reduces the values of its replications (or incidents) to a verdict. */
enum expectation_quantifier {
	EXPECT_EVERY,      /* every value satisfies the comparison */
	EXPECT_MEAN,       /* the mean across replications */
	EXPECT_LOWER,      /* the lower confidence bound of the mean at `level` */
	EXPECT_UPPER,      /* the upper confidence bound of the mean at `level` */
	EXPECT_PERCENTILE, /* a percentile across replications ("p95") */
};

/* Figures an expectation may name besides the registered metrics (metric.h): what a run
 * says about its incidents and invariants rather than a measured quantity.
 * X(id, name, unit, per_incident, help) */
#define TOPSIM_EXPECT_FIGURES(X)                                                              \
	X(INCIDENTS, "incidents", "incidents", false,                                         \
	  "incidents of the selected kind and target in a replication")                       \
	X(RECOVERED, "recovered", "fraction", true,                                            \
	  "1 when writes came back within the run, else 0 (per incident)")                    \
	X(PRIMARY_AFTER, "primary_after", "host", true,                                        \
	  "host serving writes after the incident, \"\" for none (per incident; op ==)")      \
	X(INVARIANT_VIOLATIONS, "invariant_violations", "violations", false,                   \
	  "invariant violations in a replication, request conservation included")              \
	X(ANNUAL_DOWNTIME, "annual_downtime_s", "s", false,                                    \
	  "expected downtime per year from the availability mode, one value per batch of "   \
	  "availability.years (run and check simulate them when an expectation names it)")

enum expectation_figure {
#define EXPECT_FIGURE_ENUM(id, name, unit, per_incident, help) EXPECT_FIGURE_##id,
	TOPSIM_EXPECT_FIGURES(EXPECT_FIGURE_ENUM)
#undef EXPECT_FIGURE_ENUM
	EXPECT_FIGURE_COUNT
};

/* A term of an expectation's metric expression: a registered metric (0 <= id <
 * METRIC_COUNT) or a figure (id = METRIC_COUNT + enum expectation_figure), added or
 * subtracted. */
struct expectation_term {
	int id;
	int sign;       /* +1 or -1 */
};

#define EXPECT_MAX_TERMS 8

/* An expectation as written, and compiled by the scenario checks (the fields after
 * `value`: valid when scenario_load or scenario_load_expectations succeeded). */
struct expectation_config {
	char *metric;   /* a metric or figure, or a sum of them ("detect_s + decide_s") */
	char *where;    /* qualifier: an operation class, host, volume or "class cause" */
	char *kind;     /* incident metrics: fault kind of the incidents, or NULL for any */
	char *target;   /* incident metrics: fault target of the incidents, or NULL for any */
	char *of;       /* quantifier: every, mean, lower_bound, upper_bound, pNN */
	double level;   /* confidence level of lower_bound and upper_bound */
	int op;         /* enum expectation_op */
	char *value;    /* threshold with the metric's unit ("60s", "99.9%", "0") */
	/* compiled */
	struct expectation_term terms[EXPECT_MAX_TERMS];
	size_t term_count;
	int unit_kind;     /* enum units_kind of the threshold, or -1 for a host name */
	bool per_incident; /* one value per matching incident, else per replication */
	int quantifier;    /* enum expectation_quantifier */
	double quantile;   /* EXPECT_PERCENTILE: in (0, 1) */
	double threshold;  /* in the metric's unit (seconds, fraction, 1/s, ...) */
};

/* Name, unit, scope and help of figure f (0 <= f < EXPECT_FIGURE_COUNT). */
const char *expectation_figure_name(int f);
const char *expectation_figure_unit(int f);
bool expectation_figure_per_incident(int f);
const char *expectation_figure_help(int f);
const char *expectation_op_name(int op);

struct scenario_config {
	char *name;
	char *description;
	int64_t seed;            /* scenario seed of the RNG streams */
	sim_time duration;       /* simulated time per replication, after warm-up */
	sim_time warmup;         /* excluded from statistics */
	int64_t replications;
	struct region_config *regions;
	size_t region_count;
	struct network_config network;
	struct host_config *hosts;
	size_t host_count;
	struct iris_node_config iris;    /* parameters of every IRIS instance */
	struct mirror_policy_config mirror;
	struct mirror_set_config *mirrors;
	size_t mirror_count;
	struct ecp_config *ecp;          /* ECP application server groups */
	size_t ecp_count;
	struct sharding_config sharding; /* in use when sharding.data_node_count > 0 */
	struct web_gateway_config *web_gateways;
	size_t web_gateway_count;
	struct load_balancer_config *load_balancers;
	size_t load_balancer_count;
	struct dns_config *dns;
	size_t dns_count;
	struct workload_config workload;
	struct fault_config *faults;
	size_t fault_count;
	struct stochastic_fault_config *stochastic_faults;
	size_t stochastic_fault_count;
	struct backup_config *backups;
	size_t backup_count;
	struct expectation_config *expectations;
	size_t expectation_count;
	struct availability_config availability; /* read by `topsim availability` only */
};

extern const struct field_table scenario_config_table;

/* The JSON Schema of a scenario file (`topsim schema --json`): the field tables' schema
 * (field_schema_json) with what the loader adds to them: an expectation's value may be a
 * JSON number too. NULL when out of memory; the caller frees it (cJSON_Delete). */
cJSON *scenario_schema_json(void);

struct scenario {
	struct scenario_config config;
	struct catalog catalog;
	char *file;          /* path given */
	char *merged_json;   /* the scenario after includes and overrides, printed JSON */
	char *catalog_dir;   /* the catalog directory it was loaded with */
};

/* Load and check path. sets: n_sets "--set PATH=VALUE" assignments applied after includes.
 * catalog_dir: NULL for catalog_default_dir(). Returns 0 when the scenario is usable (maybe
 * with warnings), -EINVAL when errors were reported to diag, -ENOMEM. s must be released
 * either way. */
int scenario_load(struct scenario *s, const char *path, const char *const *sets, size_t n_sets,
		  const char *catalog_dir, struct diag *diag);

/* One override of a scenario field from the command line. */
struct scenario_override {
	const char *assignment; /* "PATH=VALUE", as for --set */
	const char *source;     /* name in messages, e.g. "--duration"; NULL: "--set #N" */
};

struct scenario_load_opts {
	const struct scenario_override *overrides; /* applied in order after includes */
	size_t override_count;
	const char *catalog_dir;  /* NULL: catalog_default_dir() */
	const char *include_root; /* includes must stay under this directory; NULL: anywhere
				   * (the CLI always sets one, see docs/scenario-format.md) */
	const char *duration;     /* run option --duration, or NULL: replaces the file's
				   * duration after the scenario text is kept, so merged_json
				   * stays the file's; checked by the same field rules */
	const char *warmup;       /* run option --warmup, likewise */
	const char *text;         /* when not NULL: the scenario's JSON text, parsed instead of
				   * reading path (which names it in messages); its includes
				   * must be merged already (a merged_json is such a text) */
};

/* scenario_load with options. Every override goes through the same parser and bounds as
 * the file (a --duration beyond the cap is refused like a "duration" in the file). */
int scenario_load_with(struct scenario *s, const char *path, const struct scenario_load_opts *o,
		       struct diag *diag);

/* Replace s's expectations by those of an expectations file (JSON: {"expectations": [...]})
 * and check them against s as scenario_load does. Errors go to diag with the file's
 * line:col. Returns 0, -EINVAL (errors reported) or -ENOMEM. */
int scenario_load_expectations(struct scenario *s, const char *path, struct diag *diag);

void scenario_release(struct scenario *s);

/* Hourly on-demand cost of the hosts (instances only); *unpriced counts hosts whose type
 * has no sourced price (not included in the sum). */
double scenario_hourly_cost(const struct scenario *s, size_t *unpriced /* OUT */);

/* The architecture's fixed hourly cost from the catalog's prices (on demand, the prices'
 * region; docs/experiments.md): EC2 instances, EBS volumes (size, provisioned IOPS and
 * throughput above the type's free baseline, per stripe member), load balancers (hourly).
 * Traffic-driven costs (data transfer, load-balancer capacity units) come from a run's
 * network_bytes (catalog_transfer_usd). Cannot fail. */
struct scenario_cost {
	double instances, volumes, load_balancers;  /* USD per hour */
	size_t unpriced;          /* items without a price (left out of the sums) */
	bool other_region;        /* a host or load balancer outside the prices' region, priced
				   * at that region's prices anyway */
};
void scenario_cost(const struct scenario *s, struct scenario_cost *out /* OUT */);

#endif
