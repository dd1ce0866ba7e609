/* catalog.h: the AWS catalog: EC2 instance types, EBS volume types, region RTT matrix.
 *
 * Loaded from scenarios/catalog/{instances,volumes,network}.json (documented with sources in
 * docs/catalog.md). A scenario may add or override entries with a top-level "catalog"
 * object of the same shape ({"instances": {...}, "volumes": {...}}): a named entry that
 * exists is updated key by key, a new name is added and must then give every required key.
 *
 * Ownership: struct catalog owns every string and array in it (catalog_release).
 */
#ifndef TOPSIM_CATALOG_H
#define TOPSIM_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "jsondoc.h"

struct catalog_instance {
	char *name;                    /* e.g. "r5.2xlarge" */
	int64_t vcpu;
	double memory;                 /* bytes */
	double network_baseline;       /* B/s */
	double network_burst;          /* B/s; equals baseline when the type does not burst */
	double ebs_baseline_bandwidth; /* B/s */
	double ebs_max_bandwidth;      /* B/s */
	double ebs_baseline_iops;      /* IOPS */
	double ebs_max_iops;           /* IOPS */
	double price_per_hour;         /* USD on demand, us-east-1; NAN when not sourced */
	bool price_confirmed;          /* false: figure from aws.md marked unconfirmed */
};

struct catalog_volume {
	char *name;               /* gp2, gp3, io1, io2, st1, sc1 */
	double size_min, size_max; /* bytes */
	double iops_min, iops_max; /* IOPS */
	double iops_per_gib;      /* gp2: baseline per GiB; provisioned types: max per GiB */
	double iops_baseline;     /* included IOPS (gp3); 0 when none */
	bool iops_size_scaled;    /* gp2: IOPS = 3/GiB; else provisioned or fixed */
	double throughput_max;    /* B/s */
	double throughput_baseline; /* B/s included (gp3); 0 when none */
	double latency_median;    /* s, per IO of the type's IO size */
	double latency_p99;       /* s */
	double afr_max;           /* annual failure rate, fraction per volume-year */
	/* prices, USD per month (us-east-1); NAN when the catalog has none */
	double price_gib_month;   /* per GiB of size */
	double price_iops_month;  /* per provisioned IOPS above iops_baseline (gp3: 3000 free) */
	double price_iops_tier_above[2];  /* io2: IOPS above which the tier's price applies */
	double price_iops_tier[2];        /* its price per IOPS-month (NAN: no tier) */
	double price_mibps_month; /* per provisioned MiB/s above throughput_baseline (gp3) */
	bool price_confirmed;
};

/* Load balancer kinds as the scenario names them (routing.h lb_kind_names). */
#define CATALOG_LB_KINDS 3

/* Prices that are not an instance's or a volume's (network.json "prices"), USD, one region
 * (`region`: the reference has no other region's). NAN when absent. */
struct catalog_prices {
	char region[32];
	double hours_per_month;        /* AWS's monthly prices / this = hourly */
	double cross_az_per_gb;        /* USD per GB (10^9 B) crossing AZs, per side billed */
	bool cross_az_each_side;       /* billed out of one AZ and into the other */
	double inter_region_per_gb;    /* USD per GB sent to another region */
	struct catalog_region_price {
		char from[32], to[32];
		double per_gb;
	} pairs[8];                    /* exceptions to inter_region_per_gb */
	size_t pair_count;
	double lb_per_hour[CATALOG_LB_KINDS];    /* alb, nlb, classic */
	double lb_per_gb[CATALOG_LB_KINDS];      /* processed (ALB: LCU bytes dimension) */
};

struct catalog {
	struct catalog_instance *instances;
	size_t instance_count;
	struct catalog_volume *volumes;
	size_t volume_count;
	char **regions;           /* region codes, matrix order */
	size_t region_count;
	double *rtt_ms;           /* region_count^2, row = from, column = to; ms */
	struct catalog_prices prices;
};

void catalog_init(struct catalog *c);
void catalog_release(struct catalog *c);

/* The catalog directory: $TOPSIM_CATALOG_DIR if set, else found as datadir.h says
 * (installed: BIN/../share/topsim/catalog). A thread-local buffer, valid until the next
 * call on the same thread; cannot fail. */
const char *catalog_default_dir(void);

/* Load instances.json, volumes.json and network.json from dir. Errors (missing files, bad
 * values) go to diag with file positions. Returns 0 or -EINVAL. */
int catalog_load(struct catalog *c, const char *dir, struct jsondoc *doc, struct diag *diag);

/* Apply a scenario's "catalog" object (see above). Returns the number of errors reported. */
int catalog_apply_overrides(struct catalog *c, const cJSON *obj, struct jsondoc *doc,
			    struct diag *diag);

const struct catalog_instance *catalog_instance(const struct catalog *c, const char *name);
const struct catalog_volume *catalog_volume(const struct catalog *c, const char *name);

/* Index of a region in the matrix, or -1. */
int catalog_region_index(const struct catalog *c, const char *name);

/* Median RTT between two regions in seconds: the mean of both directions of the matrix;
 * NAN when either is unknown. */
double catalog_region_rtt(const struct catalog *c, const char *from, const char *to);

/* Names of all instance types (for "did you mean"); the array is owned by the caller
 * (free), the strings by the catalog. */
const char **catalog_instance_names(const struct catalog *c);
const char **catalog_volume_names(const struct catalog *c);

/* Hourly price of one EBS volume of type v: size (bytes), provisioned iops and throughput
 * (B/s; 0: the type's baseline) at the catalog's prices / hours_per_month. NAN when the
 * type has no size price. Cannot fail. */
double catalog_volume_hourly(const struct catalog *c, const struct catalog_volume *v, double size,
			     double iops, double throughput);

/* USD for `bytes` over a link of class `link` (the network_bytes qualifier: "cross_az",
 * "cross_region FROM TO"; other classes cost nothing here). Cannot fail. */
double catalog_transfer_usd(const struct catalog *c, const char *link, double bytes);

/* Print the catalog as tables ("instances", "volumes", "regions", or NULL for all). */
int catalog_print(const struct catalog *c, const char *what, FILE *out);

#endif
