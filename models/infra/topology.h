/* topology.h: regions, availability zones, hosts, volumes and the network between them.
 *
 * Configuration (field tables, filled by the scenario loader) and the built topology: every
 * region, AZ and host becomes an engine entity with its own RNG stream (volumes become
 * entities of the volume model, volume.h, under the node's name), arranged in
 * a fault-domain tree (region > AZ > host > volume) that fault injection walks: an AZ outage
 * takes down everything under the AZ node.
 *
 * Ownership: a struct topology owns its nodes and names; the entities belong to the engine.
 * Names of nodes are unique across the whole tree (they name entities).
 */
#ifndef TOPSIM_TOPOLOGY_H
#define TOPSIM_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "fields.h"
#include "rng.h"

/* --- configuration ------------------------------------------------------------------------ */

struct region_config {
	char *name;         /* AWS region code, e.g. "us-east-1" */
	char **azs;         /* AZ names in this region, e.g. "us-east-1a" */
	size_t az_count;
};

enum volume_purpose {
	VOLUME_SYS,         /* IRIS installation and system databases */
	VOLUME_DB,          /* application databases */
	VOLUME_JOURNAL,     /* primary journal directory */
	VOLUME_JOURNAL_ALT, /* alternate journal directory */
	VOLUME_WIJ,         /* write image journal */
	VOLUME_OTHER,
};

struct volume_config {
	char *name;           /* unique within the host, e.g. "db" */
	char *type;           /* EBS type from the catalog: gp2, gp3, io1, io2, st1, sc1 */
	int purpose;          /* enum volume_purpose */
	double size;          /* bytes, per member volume */
	double iops;          /* provisioned IOPS per member; 0 = the type's baseline */
	double throughput;    /* provisioned B/s per member; 0 = the type's baseline */
	int64_t stripe_count; /* LVM stripe set of this many identical volumes; 1 = plain */
	double pe_size;       /* LVM physical extent (stripe unit), bytes */
};

enum host_role {
	HOST_ROLE_DATA,    /* IRIS data server: mirror member, data node, standalone */
	HOST_ROLE_APP,     /* IRIS ECP application server */
	HOST_ROLE_COMPUTE, /* IRIS shard compute node */
	HOST_ROLE_ARBITER, /* ISCAgent-only arbiter */
	HOST_ROLE_WEB,     /* web server with the IRIS web gateway */
	HOST_ROLE_ICM,     /* InterSystems Cloud Manager provisioning host */
	HOST_ROLE_COUNT
};

struct host_config {
	char *name;                    /* unique host name */
	char *instance_type;           /* EC2 type from the catalog, e.g. "r5.2xlarge" */
	char *az;                      /* AZ name from the regions */
	int role;                      /* enum host_role */
	struct volume_config *volumes; /* EBS volumes attached */
	size_t volume_count;
};

struct network_config {
	struct rng_dist same_host_rtt;   /* round trip between processes on one host, s */
	struct rng_dist same_az_rtt;     /* round trip within an AZ, s */
	struct rng_dist cross_az_rtt;    /* round trip between AZs of a region, s */
	double inter_region_jitter;      /* p99/median of inter-region RTT (lognormal) */
	double inter_region_bandwidth;   /* B/s cap per instance to other regions */
};

extern const char *const host_role_names[];
extern const char *const volume_purpose_names[];
extern const struct field_table region_config_table;
extern const struct field_table volume_config_table;
extern const struct field_table host_config_table;
extern const struct field_table network_config_table;

/* --- built topology -------------------------------------------------------------------------- */

enum topo_kind { TOPO_REGION, TOPO_AZ, TOPO_HOST, TOPO_VOLUME };

/* A node of the fault-domain tree. */
struct topo_node {
	enum topo_kind kind;
	const char *name;          /* entity name (volumes: "host/volume", stripe members
				    * "host/volume#k") */
	struct topo_node *parent;  /* NULL for regions */
	struct topo_node **children;
	size_t child_count;
	struct sim_entity *entity; /* the engine entity for this node; NULL for volumes, whose
				    * entities the volume model creates under the same name */
	char *owned_name;          /* volumes: the node's name, owned */
	const void *config;        /* struct region_config, host_config or volume_config; NULL
				    * for an AZ */
	uint32_t index;            /* position among nodes of its kind, creation order */
};

struct topology {
	struct topo_node **nodes;  /* all nodes, creation order (parents before children) */
	size_t node_count;
	size_t counts[4];          /* nodes per enum topo_kind (volume = member volumes) */
};

/* Build the fault-domain tree of regions, AZs, hosts and volumes as entities on engine e.
 * Configs must already be checked (scenario_check); they must outlive the topology.
 * Returns 0 or a negative SIM_E_* code (engine error recorded). */
int topology_build(struct topology *t, struct sim_engine *e, const struct region_config *regions,
		   size_t region_count, const struct host_config *hosts, size_t host_count);

/* Free the tree (not the entities: the engine owns those). NULL-safe. */
void topology_release(struct topology *t);

/* The node with this name, or NULL. */
struct topo_node *topology_find(const struct topology *t, const char *name);

/* True if `node` is `ancestor` or lies under it (fault-domain containment). */
bool topology_contains(const struct topo_node *ancestor, const struct topo_node *node);

#endif
