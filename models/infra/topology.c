/* topology.c: configuration tables and the fault-domain tree (see topology.h).
 *
 * The entities built here carry no behaviour yet: hosts, volumes and network links get their
 * handlers from the data-path model. What this file guarantees is the shape: one entity per
 * region, AZ, host and member volume, named uniquely, each with its own RNG stream.
 */
#include "topology.h"

#include <stdlib.h>
#include <string.h>

const char *const host_role_names[] = {"data", "app", "compute", "arbiter", "web", "icm", NULL};
const char *const volume_purpose_names[] = {"sys", "db", "journal", "journal_alt", "wij",
					     "other", NULL};

static const struct field region_fields[] = {
	{FIELD_AT(struct region_config, name), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "AWS region code, e.g. us-east-1; inter-region latency comes from the catalog's "
		 "RTT matrix"},
	{FIELD_LIST_AT(struct region_config, azs, az_count), .type = FIELD_STRING_LIST,
	 .flags = FIELD_REQUIRED, .help = "availability zones of the region, e.g. us-east-1a"},
};
const struct field_table region_config_table =
	FIELD_TABLE_OF("region", "A region and its availability zones.", struct region_config,
		       region_fields);

static const struct field volume_fields[] = {
	{FIELD_AT(struct volume_config, name), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "volume name, unique on its host (e.g. sys, db, jrn_pri, jrn_alt)"},
	{FIELD_AT(struct volume_config, type), .type = FIELD_STRING, .def = "gp3",
	 .help = "EBS volume type from the catalog: gp2, gp3, io1, io2, st1, sc1",
	 .source = "IRIS reference architecture for AWS uses gp3 (docs/catalog.md)"},
	{FIELD_AT(struct volume_config, purpose), .type = FIELD_ENUM,
	 .enum_names = volume_purpose_names, .def = "other",
	 .help = "what IRIS keeps on it: sys, db, journal, journal_alt, wij, other"},
	{FIELD_AT(struct volume_config, size), .type = FIELD_QUANTITY, .units = UNITS_SIZE,
	 .flags = FIELD_REQUIRED, .min = "1GiB", .max = "64TiB",
	 .help = "size of each member volume; checked against the type's limits"},
	{FIELD_AT(struct volume_config, iops), .type = FIELD_QUANTITY, .units = UNITS_IOPS,
	 .def = "0IOPS", .max = "256000IOPS",
	 .help = "provisioned IOPS per member (gp3, io1, io2); 0 = the type's baseline"},
	{FIELD_AT(struct volume_config, throughput), .type = FIELD_QUANTITY,
	 .units = UNITS_BANDWIDTH, .def = "0B/s", .max = "4000MiB/s",
	 .help = "provisioned throughput per member (gp3); 0 = the type's baseline"},
	{FIELD_AT(struct volume_config, stripe_count), .type = FIELD_INT, .def = "1", .min = "1",
	 .max = "27", .help = "LVM stripe set of this many identical volumes (1 = no striping)",
	 .source = "27 EBS volumes per Nitro instance with one ENI (aws.md §2c)"},
	{FIELD_AT(struct volume_config, pe_size), .type = FIELD_QUANTITY, .units = UNITS_SIZE,
	 .def = "4MiB", .min = "1KiB", .max = "16GiB",
	 .help = "LVM physical extent size (the stripe unit)",
	 .source = "LVM2 default extent size 4 MiB (vgcreate(8))"},
};
const struct field_table volume_config_table =
	FIELD_TABLE_OF("volume", "An EBS volume, or an LVM stripe set of identical volumes.",
		       struct volume_config, volume_fields);

static const struct field host_fields[] = {
	{FIELD_AT(struct host_config, name), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "unique host name"},
	{FIELD_AT(struct host_config, instance_type), .type = FIELD_STRING,
	 .flags = FIELD_REQUIRED, .help = "EC2 instance type from the catalog, e.g. r5.2xlarge"},
	{FIELD_AT(struct host_config, az), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "availability zone, one of the regions' azs"},
	{FIELD_AT(struct host_config, role), .type = FIELD_ENUM, .enum_names = host_role_names,
	 .flags = FIELD_REQUIRED,
	 .help = "data (IRIS data server), app (ECP application server), compute (shard "
		 "compute node), arbiter, web, icm"},
	{FIELD_LIST_AT(struct host_config, volumes, volume_count), .type = FIELD_ARRAY,
	 .sub = &volume_config_table, .help = "EBS volumes attached to the host"},
};
const struct field_table host_config_table =
	FIELD_TABLE_OF("host", "An EC2 instance in an availability zone.", struct host_config,
		       host_fields);

static const struct field network_fields[] = {
	{FIELD_AT(struct network_config, same_host_rtt), .type = FIELD_DIST,
	 .units = UNITS_DURATION,
	 .def = "{\"kind\": \"lognormal\", \"median\": \"0.03ms\", \"p99\": \"0.1ms\"}",
	 .help = "round-trip time between processes on one host",
	 .source = "modelling choice, no published figure (docs/catalog.md, network.json)"},
	{FIELD_AT(struct network_config, same_az_rtt), .type = FIELD_DIST,
	 .units = UNITS_DURATION,
	 .def = "{\"kind\": \"lognormal\", \"median\": \"0.25ms\", \"p99\": \"0.6ms\"}",
	 .help = "round-trip time within one availability zone",
	 .source = "aws.md §3a: intra-AZ ping 0.20-0.56 ms (orensol 2009; xkyle)"},
	{FIELD_AT(struct network_config, cross_az_rtt), .type = FIELD_DIST,
	 .units = UNITS_DURATION,
	 .def = "{\"kind\": \"lognormal\", \"median\": \"1ms\", \"p99\": \"2.5ms\"}",
	 .help = "round-trip time between availability zones of one region",
	 .source = "aws.md §3a: inter-AZ 0.5-2 ms by pair, p99 2-3 ms (flashgrid; xkyle)"},
	{FIELD_AT(struct network_config, inter_region_jitter), .type = FIELD_NUMBER, .def = "1.1",
	 .min = "1", .max = "10",
	 .help = "p99/median of inter-region RTT (lognormal around the catalog matrix median)",
	 .source = "aws.md §3b: p99 about median x 1.05-1.15 (unconfirmed)"},
	{FIELD_AT(struct network_config, inter_region_bandwidth), .type = FIELD_QUANTITY,
	 .units = UNITS_BANDWIDTH, .def = "5Gbps", .min = "1Mbps",
	 .help = "bandwidth cap per instance to other regions (journal shipping to DR)",
	 .source = "aws.md §1a/§3c: instances under 32 vCPU get 5 Gbps to other regions"},
};
const struct field_table network_config_table =
	FIELD_TABLE_OF("network", "Latency and bandwidth between endpoints, by scope.",
		       struct network_config, network_fields);

/* --- entities of the tree -------------------------------------------------------------------- */

/* No handlers yet: the tree's entities receive events once models give them behaviour. */
static const struct sim_entity_type region_type = {.name = "region"};
static const struct sim_entity_type az_type = {.name = "az"};
static const struct sim_entity_type host_type = {.name = "host"};

static struct topo_node *add_node(struct topology *t, struct sim_engine *e, enum topo_kind kind,
				  const char *name, struct topo_node *parent, const void *config)
{
	static const struct sim_entity_type *const types[] = {&region_type, &az_type, &host_type,
							       NULL};
	struct topo_node *n = calloc(1, sizeof(*n));
	struct topo_node **grown = realloc(t->nodes, sizeof(*grown) * (t->node_count + 1));
	if (!n || !grown) {
		free(n);
		if (grown)
			t->nodes = grown;
		return NULL;
	}
	t->nodes = grown;
	/* Volume leaves get no entity here: the volume model owns the entities of that name
	 * (volume.h), and fault injection reaches them through volume_find by the same name. */
	if (kind == TOPO_VOLUME) {
		n->owned_name = strdup(name);
		if (!n->owned_name) {
			free(n);
			return NULL;
		}
	} else if (!(n->entity = sim_entity_new(e, types[kind], name))) {
		free(n);
		return NULL;
	}
	if (parent) {
		struct topo_node **kids =
			realloc(parent->children, sizeof(*kids) * (parent->child_count + 1));
		if (!kids) {
			free(n);
			return NULL;
		}
		parent->children = kids;
		parent->children[parent->child_count++] = n;
	}
	n->kind = kind;
	n->name = n->entity ? n->entity->name : n->owned_name;
	n->parent = parent;
	n->config = config;
	n->index = (uint32_t)t->counts[kind]++;
	t->nodes[t->node_count++] = n;
	return n;
}

int topology_build(struct topology *t, struct sim_engine *e, const struct region_config *regions,
		   size_t region_count, const struct host_config *hosts, size_t host_count)
{
	memset(t, 0, sizeof(*t));
	for (size_t r = 0; r < region_count; r++) {
		struct topo_node *rn = add_node(t, e, TOPO_REGION, regions[r].name, NULL, &regions[r]);
		if (!rn)
			goto out_fail;
		for (size_t a = 0; a < regions[r].az_count; a++)
			if (!add_node(t, e, TOPO_AZ, regions[r].azs[a], rn, NULL))
				goto out_fail;
	}
	for (size_t h = 0; h < host_count; h++) {
		struct topo_node *az = topology_find(t, hosts[h].az);
		if (!az || az->kind != TOPO_AZ) { /* scenario_check refuses this first */
			topology_release(t);
			return -SIM_E_INVAL;
		}
		struct topo_node *hn = add_node(t, e, TOPO_HOST, hosts[h].name, az, &hosts[h]);
		if (!hn)
			goto out_fail;
		for (size_t v = 0; v < hosts[h].volume_count; v++) {
			const struct volume_config *vc = &hosts[h].volumes[v];
			for (int64_t k = 0; k < vc->stripe_count; k++) {
				char name[512];
				if (vc->stripe_count == 1)
					snprintf(name, sizeof(name), "%s/%s", hosts[h].name, vc->name);
				else
					snprintf(name, sizeof(name), "%s/%s#%lld", hosts[h].name,
						 vc->name, (long long)k);
				if (!add_node(t, e, TOPO_VOLUME, name, hn, vc))
					goto out_fail;
			}
		}
	}
	return 0;

out_fail:
	topology_release(t);
	return sim_engine_error(e) ? sim_engine_error(e) : -SIM_E_NOMEM;
}

void topology_release(struct topology *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->node_count; i++) {
		free(t->nodes[i]->children);
		free(t->nodes[i]->owned_name);
		free(t->nodes[i]);
	}
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}

struct topo_node *topology_find(const struct topology *t, const char *name)
{
	for (size_t i = 0; i < t->node_count; i++)
		if (strcmp(t->nodes[i]->name, name) == 0)
			return t->nodes[i];
	return NULL;
}

bool topology_contains(const struct topo_node *ancestor, const struct topo_node *node)
{
	for (; node; node = node->parent)
		if (node == ancestor)
			return true;
	return false;
}
