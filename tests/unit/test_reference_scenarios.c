/* test_reference_scenarios: the six IRIS reference architectures for AWS under scenarios/.
 *
 * Each shipped file must load without errors or warnings, build its fault-domain tree, and
 * have exactly the resources of the reference's tables: hosts, member volumes and their total
 * size, AZs, regions, hosts per role, mirror sets and members, ECP application servers, shard
 * data and compute nodes, load balancers, DNS records and web gateways. The numbers are
 * written out by hand below (not derived from the files), so an edit that drops a host or a
 * volume, or moves a member out of the layout, fails here. The production file's hourly cost
 * is also checked against a sum done by hand from the catalog prices.
 *
 * Files are found under $TOPSIM_SOURCE_DIR (set by CTest), else the TOPSIM_SOURCE_DIR macro.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "diag.h"
#include "engine.h"
#include "scenario.h"
#include "topology.h"

#define GB 1e9 /* the files give sizes in decimal GB/TB, as the reference tables do */

/* cmocka's assert_float_equal works in float; these sums need double. */
#define assert_close(a, b, eps)                                                             \
	do {                                                                                \
		double a_ = (a), b_ = (b);                                                  \
		if (!(fabs(a_ - b_) <= (eps)))                                              \
			print_error("%s = %.9g, expected %.9g\n", #a, a_, b_);              \
		assert_true(fabs(a_ - b_) <= (eps));                                        \
	} while (0)

struct expected {
	const char *file;    /* relative to the source directory */
	size_t hosts;        /* EC2 instances */
	size_t volumes;      /* member EBS volumes (t.counts[TOPO_VOLUME]) */
	double storage_gb;   /* sum of all member volume sizes, decimal GB */
	size_t azs;          /* AZs declared by the regions */
	size_t regions;
	size_t roles[HOST_ROLE_COUNT]; /* hosts per enum host_role */
	size_t mirror_sets;
	size_t failover_members; /* over all mirror sets */
	size_t async_members;    /* over all mirror sets */
	size_t ecp_app_servers;
	size_t shard_data_nodes;
	size_t shard_compute_nodes;
	size_t load_balancers;
	size_t dns_records;
	size_t web_gateways;
	bool reference_stripes; /* every volume striped as the reference's LVM layout: SYS over
				 * 2 disks, DB 4, primary and alternate journal 2 each */
};

/* 1. Small development: one m5.xlarge IRIS server and the optional ICM host, one AZ. */
static const struct expected small_development = {
	.file = "scenarios/small-development.json",
	.hosts = 2,          /* IRIS server m5.xlarge + ICM host t3.small */
	.volumes = 10,       /* SYS x2, DB x4, JRN PRI x2, JRN ALT x2 (LVM stripes) */
	.reference_stripes = true,
	.storage_gb = 160,   /* 20 + 100 + 20 + 20 */
	.azs = 1,            /* us-east-1a only */
	.regions = 1,        /* us-east-1 */
	.roles = {
		[HOST_ROLE_DATA] = 1, /* the single IRIS server */
		[HOST_ROLE_ICM] = 1,  /* ICM provisioning host */
	},
	.mirror_sets = 0,    /* not mirrored */
	.load_balancers = 0, /* clients connect to the server directly */
};

/* 2. Production with HA and DR. */
static const struct expected production = {
	.file = "scenarios/production.json",
	.hosts = 10,          /* 2 failover + 1 DR async + 1 arbiter + 6 web servers */
	.volumes = 30,        /* 10 striped members (SYS 2, DB 4, JRN 2 + 2) x 3 mirror members */
	.reference_stripes = true,
	.storage_gb = 2400,   /* (100 + 500 + 100 + 100) x 3 members */
	.azs = 5,             /* us-east-1a/b/c + us-west-2a/b (the DR ALB needs two AZs) */
	.regions = 2,         /* us-east-1 (1-A/1-B/1-C) and the DR region us-west-2 */
	.roles = {
		[HOST_ROLE_DATA] = 3,    /* iris-a (1-A), iris-b (1-B), iris-dr (region 2) */
		[HOST_ROLE_ARBITER] = 1, /* m5.large in 1-C */
		[HOST_ROLE_WEB] = 6,     /* two per AZ including DR: 1-A, 1-B, us-west-2a */
	},
	.mirror_sets = 1,      /* MIRROR1 */
	.failover_members = 2, /* iris-a, iris-b */
	.async_members = 1,    /* iris-dr, kind dr */
	.load_balancers = 2,   /* lb-main (1-A, 1-B) and lb-dr (region 2) */
	.dns_records = 1,      /* Route 53 failover: primary lb-main, secondary lb-dr */
	.web_gateways = 6,     /* one mirror-aware gateway per web server */
};

/* 3. Large production with ECP application servers. */
static const struct expected large_production = {
	.file = "scenarios/large-production.json",
	.hosts = 16,           /* 3 mirror members + 1 arbiter + 6 app servers + 6 web servers */
	.volumes = 66,         /* 10 striped members x 3 mirror members + (SYS, JRN PRI, JRN
				* ALT: 2 each) x 6 app servers */
	.reference_stripes = true,
	.storage_gb = 38700,   /* (100 + 10000 + 1000 + 1000) x 3 + (200 + 100 + 100) x 6 */
	.azs = 5,              /* us-east-1a/b/c + us-west-2a/b */
	.regions = 2,          /* us-east-1 and the DR region us-west-2 */
	.roles = {
		[HOST_ROLE_DATA] = 3,    /* r5.2xlarge: failover pair + DR async */
		[HOST_ROLE_APP] = 6,     /* r5.4xlarge: two in 1-A, two in 1-B, two in DR */
		[HOST_ROLE_ARBITER] = 1, /* 1-C */
		[HOST_ROLE_WEB] = 6,     /* two per AZ including DR */
	},
	.mirror_sets = 1,      /* MIRROR1, the ECP data server */
	.failover_members = 2, /* iris-a, iris-b */
	.async_members = 1,    /* iris-dr */
	.ecp_app_servers = 6,  /* every app host is an ECP client of MIRROR1 */
	.load_balancers = 2,   /* lb-main and lb-dr */
	.dns_records = 1,      /* failover record over the two load balancers */
	.web_gateways = 6,     /* one per web server, to the app servers of its AZ */
};

/* 4. Sharded cluster with HA: four mirrored data nodes. */
static const struct expected sharded_ha = {
	.file = "scenarios/sharded-ha.json",
	.hosts = 9,            /* 4 data nodes x 2 mirror members + 1 arbiter */
	.volumes = 80,         /* 10 striped members x 8 data hosts */
	.reference_stripes = true,
	.storage_gb = 23200,   /* (100 + 2000 + 400 + 400) x 8 */
	.azs = 3,              /* 1-A, 1-B (members), 1-C (arbiter) */
	.regions = 1,
	.roles = {
		[HOST_ROLE_DATA] = 8,    /* one member of each pair in 1-A, one in 1-B */
		[HOST_ROLE_ARBITER] = 1, /* shared by the four mirrors */
	},
	.mirror_sets = 4,      /* SHARD1..SHARD4 */
	.failover_members = 8, /* two per mirror */
	.async_members = 0,    /* no DR for the sharded cluster */
	.shard_data_nodes = 4, /* the four mirror sets */
	.load_balancers = 1,   /* ALB over all data hosts, mirror_status picks the primaries */
};

/* 5. Basic sharded cluster: four data nodes in one AZ, no mirroring. */
static const struct expected sharded_basic = {
	.file = "scenarios/sharded-basic.json",
	.hosts = 4,            /* dn1..dn4 */
	.volumes = 40,         /* 10 striped members x 4 data nodes */
	.reference_stripes = true,
	.storage_gb = 11600,   /* (100 + 2000 + 400 + 400) x 4 */
	.azs = 1,              /* all in us-east-1a */
	.regions = 1,
	.roles = {
		[HOST_ROLE_DATA] = 4, /* non-mirrored data nodes */
	},
	.mirror_sets = 0,      /* no mirroring */
	.shard_data_nodes = 4, /* host names */
	.load_balancers = 1,   /* single-AZ NLB over the data nodes */
};

/* 6. Sharded cluster with compute nodes (mirrored data nodes). */
static const struct expected sharded_compute = {
	.file = "scenarios/sharded-compute.json",
	.hosts = 13,           /* 8 data hosts + 1 arbiter + 4 compute nodes */
	.volumes = 88,         /* 10 striped members x 8 data hosts + SYS x2 x 4 compute nodes */
	.reference_stripes = true,
	.storage_gb = 23600,   /* 2900 x 8 + 100 x 4 */
	.azs = 3,              /* 1-A, 1-B, 1-C */
	.regions = 1,
	.roles = {
		[HOST_ROLE_DATA] = 8,    /* four mirrored pairs across 1-A and 1-B */
		[HOST_ROLE_COMPUTE] = 4, /* two in 1-A, two in 1-B */
		[HOST_ROLE_ARBITER] = 1, /* 1-C */
	},
	.mirror_sets = 4,         /* SHARD1..SHARD4 */
	.failover_members = 8,
	.async_members = 0,
	.shard_data_nodes = 4,    /* the mirror sets */
	.shard_compute_nodes = 4, /* at least as many as mirrored data nodes */
	.load_balancers = 2,      /* NLBs: queries over the compute nodes, ingest over the data nodes */
};

static const char *source_dir(void)
{
	const char *env = getenv("TOPSIM_SOURCE_DIR");
	return env && *env ? env : TOPSIM_SOURCE_DIR;
}

/* Load x->file into s; fails the test on any error or warning (printed first). */
static void load(struct scenario *s, const struct expected *x)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", source_dir(), x->file);
	struct diag d;
	diag_init(&d);
	memset(s, 0, sizeof(*s));
	int rc = scenario_load(s, path, NULL, 0, NULL, &d);
	if (rc != 0 || diag_error_count(&d) || diag_warning_count(&d))
		diag_print(&d, stderr);
	assert_int_equal(rc, 0);
	assert_int_equal(diag_error_count(&d), 0);
	assert_int_equal(diag_warning_count(&d), 0);
	diag_release(&d);
}

static void check(const struct expected *x)
{
	struct scenario s;
	load(&s, x);
	const struct scenario_config *c = &s.config;

	/* The built fault-domain tree. */
	struct sim_engine *e = sim_engine_new(1, 0);
	assert_non_null(e);
	struct topology t;
	memset(&t, 0, sizeof(t));
	assert_int_equal(topology_build(&t, e, c->regions, c->region_count, c->hosts,
					c->host_count),
			 0);
	assert_int_equal(t.counts[TOPO_REGION], x->regions);
	assert_int_equal(t.counts[TOPO_AZ], x->azs);
	assert_int_equal(t.counts[TOPO_HOST], x->hosts);
	assert_int_equal(t.counts[TOPO_VOLUME], x->volumes);
	topology_release(&t);
	sim_engine_free(e);

	/* The configuration behind it. */
	assert_int_equal(c->host_count, x->hosts);
	size_t roles[HOST_ROLE_COUNT] = {0};
	double storage = 0;
	for (size_t i = 0; i < c->host_count; i++) {
		assert_true(c->hosts[i].role >= 0 && c->hosts[i].role < HOST_ROLE_COUNT);
		roles[c->hosts[i].role]++;
		for (size_t v = 0; v < c->hosts[i].volume_count; v++) {
			const struct volume_config *vc = &c->hosts[i].volumes[v];
			storage += vc->size * (double)vc->stripe_count;
			if (x->reference_stripes)
				assert_int_equal(vc->stripe_count,
						 vc->purpose == VOLUME_DB ? 4 : 2);
		}
	}
	for (int r = 0; r < HOST_ROLE_COUNT; r++) {
		if (roles[r] != x->roles[r])
			print_error("%s: role %s: %zu hosts, expected %zu\n", x->file,
				    host_role_names[r], roles[r], x->roles[r]);
		assert_int_equal(roles[r], x->roles[r]);
	}
	assert_close(storage / GB, x->storage_gb, 1e-6);

	assert_int_equal(c->mirror_count, x->mirror_sets);
	size_t failover = 0, asyncs = 0;
	for (size_t m = 0; m < c->mirror_count; m++) {
		assert_int_equal(c->mirrors[m].failover_count, 2); /* always a pair */
		assert_non_null(c->mirrors[m].arbiter);            /* every reference mirror has one */
		failover += c->mirrors[m].failover_count;
		asyncs += c->mirrors[m].async_count;
	}
	assert_int_equal(failover, x->failover_members);
	assert_int_equal(asyncs, x->async_members);

	size_t app_servers = 0;
	for (size_t g = 0; g < c->ecp_count; g++)
		app_servers += c->ecp[g].app_server_count;
	assert_int_equal(app_servers, x->ecp_app_servers);
	assert_int_equal(c->sharding.data_node_count, x->shard_data_nodes);
	assert_int_equal(c->sharding.compute_node_count, x->shard_compute_nodes);
	assert_int_equal(c->load_balancer_count, x->load_balancers);
	assert_int_equal(c->dns_count, x->dns_records);
	assert_int_equal(c->web_gateway_count, x->web_gateways);

	/* Every instance type of the references has a catalog price, so the cost is complete. */
	size_t unpriced = 99;
	double cost = scenario_hourly_cost(&s, &unpriced);
	assert_int_equal(unpriced, 0);
	assert_true(cost > 0);

	scenario_release(&s);
}

static void test_small_development(void **state)
{
	(void)state;
	check(&small_development);
}

static void test_production(void **state)
{
	(void)state;
	check(&production);
}

static void test_large_production(void **state)
{
	(void)state;
	check(&large_production);
}

static void test_sharded_ha(void **state)
{
	(void)state;
	check(&sharded_ha);
}

static void test_sharded_basic(void **state)
{
	(void)state;
	check(&sharded_basic);
}

static void test_sharded_compute(void **state)
{
	(void)state;
	check(&sharded_compute);
}

/* The production file's hourly cost, summed by hand from `topsim catalog instances`
 * (on-demand us-east-1 Linux): 3 x r5.2xlarge at $0.504 (mirror members) + 7 x m5.large at
 * $0.096 (arbiter and six web servers) = 1.512 + 0.672 = $2.184 per hour. */
static void test_production_cost(void **state)
{
	(void)state;
	struct scenario s;
	load(&s, &production);
	size_t unpriced = 99;
	double cost = scenario_hourly_cost(&s, &unpriced);
	assert_int_equal(unpriced, 0);
	assert_close(cost, 3 * 0.504 + 7 * 0.096, 1e-9);
	assert_close(cost, 2.184, 1e-9);
	/* Beyond instances: each of the 3 data servers has gp3 volumes of 2 x 50 GB (sys),
	 * 4 x 125 GB (db), 2 x 50 GB (journal), 2 x 50 GB (alternate journal) = 800 GB (10^9 B)
	 * at their baseline IOPS and throughput (free): 2400e9 B / 2^30 = 2235.17 GiB x
	 * $0.08 a month / 730 h = $0.2449506 per hour. Two ALBs at $0.0225 per hour. The DR host
	 * is in us-west-2, priced at us-east-1's prices (the catalog has no other region's). */
	struct scenario_cost sc;
	scenario_cost(&s, &sc);
	assert_int_equal(sc.unpriced, 0);
	assert_close(sc.instances, 2.184, 1e-9);
	assert_close(sc.volumes, 2400e9 / 1073741824.0 * 0.08 / 730, 1e-9);
	assert_close(sc.volumes, 0.2449506, 1e-6);
	assert_close(sc.load_balancers, 0.045, 1e-12);
	assert_true(sc.other_region);
	scenario_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_development),
		cmocka_unit_test(test_production),
		cmocka_unit_test(test_large_production),
		cmocka_unit_test(test_sharded_ha),
		cmocka_unit_test(test_sharded_basic),
		cmocka_unit_test(test_sharded_compute),
		cmocka_unit_test(test_production_cost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
