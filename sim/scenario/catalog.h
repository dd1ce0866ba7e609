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
};

struct catalog {
	struct catalog_instance *instances;
	size_t instance_count;
	struct catalog_volume *volumes;
	size_t volume_count;
	char **regions;           /* region codes, matrix order */
	size_t region_count;
	double *rtt_ms;           /* region_count^2, row = from, column = to; ms */
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

/* Print the catalog as tables ("instances", "volumes", "regions", or NULL for all). */
int catalog_print(const struct catalog *c, const char *what, FILE *out);

#endif
