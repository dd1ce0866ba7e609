/* test_catalog: the AWS catalog (sim/scenario/catalog.c).
 *
 * Loads the shipped catalog (scenarios/catalog/) and checks figures documented in
 * docs/catalog.md (instance, volume and RTT tables) after unit conversion; look-ups; the
 * region RTT as the mean of both directions; and, on small hand-written catalog directories
 * in a temporary folder, that malformed files are reported with their file and line and make
 * the load fail.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"

#define GIB (1024.0 * 1024.0 * 1024.0)
#define MIB (1024.0 * 1024.0)

static const char *shipped_dir(void)
{
	static char dir[4096];
	const char *src = getenv("TOPSIM_SOURCE_DIR");
	snprintf(dir, sizeof(dir), "%s/scenarios/catalog", src && *src ? src : TOPSIM_SOURCE_DIR);
	return dir;
}

struct loaded {
	struct catalog c;
	struct jsondoc doc;
	struct diag diag;
	int rc;
};

static void load(struct loaded *l, const char *dir)
{
	catalog_init(&l->c);
	jsondoc_init(&l->doc);
	diag_init(&l->diag);
	l->rc = catalog_load(&l->c, dir, &l->doc, &l->diag);
}

static void unload(struct loaded *l)
{
	catalog_release(&l->c);
	jsondoc_release(&l->doc);
	diag_release(&l->diag);
}

static void assert_near(double x, double want, double rel)
{
	if (!(fabs(x - want) <= rel * fabs(want)))
		fail_msg("%.10g, want %.10g", x, want);
}

/* ---- the shipped catalog ---------------------------------------------------------------- */

static void test_shipped_loads(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, shipped_dir());
	if (l.rc != 0)
		diag_print(&l.diag, stderr);
	assert_int_equal(l.rc, 0);
	assert_int_equal(diag_error_count(&l.diag), 0);
	/* docs/catalog.md: 18 instance types, 6 volume types, 21 regions. */
	assert_int_equal(l.c.instance_count, 18);
	assert_int_equal(l.c.volume_count, 6);
	assert_int_equal(l.c.region_count, 21);
	unload(&l);
}

static void test_shipped_instances(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, shipped_dir());
	assert_int_equal(l.rc, 0);
	/* docs/catalog.md: r5.2xlarge | 8 | 64GiB | 2.5Gbps | 10Gbps | 2300Mbps | 4750Mbps |
	 * 12000IOPS | 18750IOPS | ... | 0.504 | [U] */
	const struct catalog_instance *r = catalog_instance(&l.c, "r5.2xlarge");
	assert_non_null(r);
	assert_string_equal(r->name, "r5.2xlarge");
	assert_int_equal(r->vcpu, 8);
	assert_near(r->memory, 64 * GIB, 1e-12);
	assert_near(r->network_baseline, 2.5e9 / 8, 1e-12);
	assert_near(r->network_burst, 10e9 / 8, 1e-12);
	assert_near(r->ebs_baseline_bandwidth, 2300e6 / 8, 1e-12);
	assert_near(r->ebs_max_bandwidth, 4750e6 / 8, 1e-12);
	assert_near(r->ebs_baseline_iops, 12000, 1e-12);
	assert_near(r->ebs_max_iops, 18750, 1e-12);
	assert_near(r->price_per_hour, 0.504, 1e-12);
	assert_false(r->price_confirmed);
	/* m5.large: 2 vCPU, 8 GiB, price 0.096 confirmed. */
	const struct catalog_instance *m = catalog_instance(&l.c, "m5.large");
	assert_non_null(m);
	assert_int_equal(m->vcpu, 2);
	assert_near(m->memory, 8 * GIB, 1e-12);
	assert_near(m->price_per_hour, 0.096, 1e-12);
	assert_true(m->price_confirmed);
	/* r5.8xlarge: fixed 10 Gbps (network_burst null: equals the baseline); no price. */
	const struct catalog_instance *big = catalog_instance(&l.c, "r5.8xlarge");
	assert_non_null(big);
	assert_int_equal(big->vcpu, 32);
	assert_near(big->network_baseline, 10e9 / 8, 1e-12);
	assert_near(big->network_burst, big->network_baseline, 0);
	assert_true(isnan(big->price_per_hour));
	/* Look-ups that fail. */
	assert_null(catalog_instance(&l.c, "r5.3xlarge"));
	assert_null(catalog_instance(&l.c, "R5.2XLARGE"));
	assert_null(catalog_instance(&l.c, NULL));
	assert_null(catalog_volume(&l.c, "r5.2xlarge"));
	/* Names: every entry once, NULL-terminated. */
	const char **names = catalog_instance_names(&l.c);
	assert_non_null(names);
	size_t n = 0;
	bool seen_t3 = false;
	for (; names[n]; n++)
		seen_t3 |= strcmp(names[n], "t3.small") == 0;
	assert_int_equal(n, l.c.instance_count);
	assert_true(seen_t3);
	free(names);
	unload(&l);
}

static void test_shipped_volumes(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, shipped_dir());
	assert_int_equal(l.rc, 0);
	/* gp3: 3000 IOPS and 125 MiB/s included, up to 16000 IOPS and 1000 MiB/s; latency
	 * lognormal median 0.8 ms, p99 3 ms (docs/models.md §5). */
	const struct catalog_volume *g3 = catalog_volume(&l.c, "gp3");
	assert_non_null(g3);
	assert_near(g3->iops_baseline, 3000, 1e-12);
	assert_near(g3->iops_max, 16000, 1e-12);
	assert_near(g3->throughput_baseline, 125 * MIB, 1e-12);
	assert_near(g3->throughput_max, 1000 * MIB, 1e-12);
	assert_near(g3->size_min, 1 * GIB, 1e-12);
	assert_near(g3->size_max, 16 * 1024 * GIB, 1e-12);
	assert_near(g3->latency_median, 0.8e-3, 1e-9);
	assert_near(g3->latency_p99, 3e-3, 1e-9);
	assert_false(g3->iops_size_scaled);
	/* gp2: 3 IOPS per GiB, size-scaled, 100 to 16000. */
	const struct catalog_volume *g2 = catalog_volume(&l.c, "gp2");
	assert_non_null(g2);
	assert_true(g2->iops_size_scaled);
	assert_near(g2->iops_per_gib, 3, 0);
	assert_near(g2->iops_min, 100, 1e-12);
	assert_near(g2->afr_max, 0.002, 1e-12);
	/* io2: 0.35/0.8 ms; AFR 0.001%. st1: 5/20 ms, 500 IOPS, 500 MiB/s. */
	const struct catalog_volume *io2 = catalog_volume(&l.c, "io2");
	assert_non_null(io2);
	assert_near(io2->latency_median, 0.35e-3, 1e-9);
	assert_near(io2->latency_p99, 0.8e-3, 1e-9);
	assert_near(io2->afr_max, 1e-5, 1e-9);
	assert_near(io2->iops_max, 256000, 1e-12);
	const struct catalog_volume *st1 = catalog_volume(&l.c, "st1");
	assert_non_null(st1);
	assert_near(st1->latency_median, 5e-3, 1e-9);
	assert_near(st1->iops_max, 500, 1e-12);
	assert_near(st1->throughput_max, 500 * MIB, 1e-12);
	assert_near(st1->size_min, 125 * GIB, 1e-12);
	assert_null(catalog_volume(&l.c, "gp4"));
	const char **names = catalog_volume_names(&l.c);
	size_t n = 0;
	while (names[n])
		n++;
	assert_int_equal(n, 6);
	free(names);
	unload(&l);
}

static void test_shipped_regions(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, shipped_dir());
	assert_int_equal(l.rc, 0);
	/* docs/catalog.md RTT table: rows in alphabetical order, us-east-1 18th. */
	assert_int_equal(catalog_region_index(&l.c, "af-south-1"), 0);
	assert_int_equal(catalog_region_index(&l.c, "us-east-1"), 17);
	assert_int_equal(catalog_region_index(&l.c, "us-west-2"), 20);
	assert_int_equal(catalog_region_index(&l.c, "us-east-1a"), -1);
	/* us-east-1 -> us-west-2 64 ms, back 63 ms: the mean, 63.5 ms, both ways. */
	assert_near(catalog_region_rtt(&l.c, "us-east-1", "us-west-2"), 0.0635, 1e-12);
	assert_near(catalog_region_rtt(&l.c, "us-west-2", "us-east-1"), 0.0635, 1e-12);
	/* eu-west-1 <-> us-east-1: 69 and 70 ms. Within us-east-1: 4 ms. */
	assert_near(catalog_region_rtt(&l.c, "eu-west-1", "us-east-1"), 0.0695, 1e-12);
	assert_near(catalog_region_rtt(&l.c, "us-east-1", "us-east-1"), 0.004, 1e-12);
	assert_true(isnan(catalog_region_rtt(&l.c, "us-east-1", "mars-north-1")));
	assert_true(isnan(catalog_region_rtt(&l.c, "mars-north-1", "us-east-1")));
	/* The raw matrix keeps the direction: row = from. */
	size_t n = l.c.region_count;
	assert_near(l.c.rtt_ms[17 * n + 20], 64, 0);
	assert_near(l.c.rtt_ms[20 * n + 17], 63, 0);
	unload(&l);
}

/* ---- hand-written catalog directories ------------------------------------------------------ */

static const char *good_instances =
	"{\"instances\": {\"x9.test\": {\"vcpu\": 4, \"memory\": \"16GiB\",\n"
	"  \"network_baseline\": \"1Gbps\", \"ebs_baseline_bandwidth\": \"100MB/s\",\n"
	"  \"ebs_max_bandwidth\": \"200MB/s\", \"ebs_baseline_iops\": \"1000IOPS\",\n"
	"  \"ebs_max_iops\": \"2000IOPS\"}}}\n";
static const char *good_volumes =
	"{\"volumes\": {\"vt\": {\"size_min\": \"1GiB\", \"size_max\": \"1TiB\",\n"
	"  \"iops_max\": \"3000IOPS\", \"throughput_max\": \"125MiB/s\",\n"
	"  \"latency\": {\"median\": \"1ms\", \"p99\": \"4ms\"}}}}\n";
static const char *good_network =
	"{\"regions\": [\"r-a\", \"r-b\"],\n \"rtt_ms\": [[1, 10], [12, 1]]}\n";

struct tmpcat {
	char dir[256];
};

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	if (text)
		fputs(text, f);
	fclose(f);
}

/* A catalog directory with the three good files, except those given (NULL = good;
 * "" = the file is absent). */
static void mk_dir(struct tmpcat *t, const char *instances, const char *volumes,
		   const char *network)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/topsim-test-catalog-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	const char *texts[3] = {instances ? instances : good_instances,
				volumes ? volumes : good_volumes,
				network ? network : good_network};
	static const char *const files[3] = {"instances.json", "volumes.json", "network.json"};
	for (int i = 0; i < 3; i++)
		if (*texts[i])
			write_file(t->dir, files[i], texts[i]);
}

static void rm_dir(struct tmpcat *t)
{
	static const char *const files[3] = {"instances.json", "volumes.json", "network.json"};
	for (int i = 0; i < 3; i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", t->dir, files[i]);
		unlink(path);
	}
	rmdir(t->dir);
}

/* Some error's message contains `text`; returns it. */
static const struct diag_item *find_error(const struct diag *d, const char *text)
{
	for (size_t i = 0; i < diag_count(d); i++) {
		const struct diag_item *it = diag_item(d, i);
		if (it->severity == DIAG_ERROR && strstr(it->message, text))
			return it;
	}
	diag_print(d, stderr);
	fail_msg("no error containing \"%s\"", text);
	return NULL;
}

static void test_minimal_dir(void **state)
{
	(void)state;
	struct tmpcat t;
	mk_dir(&t, NULL, NULL, NULL);
	struct loaded l;
	load(&l, t.dir);
	if (l.rc)
		diag_print(&l.diag, stderr);
	assert_int_equal(l.rc, 0);
	const struct catalog_instance *x = catalog_instance(&l.c, "x9.test");
	assert_non_null(x);
	assert_int_equal(x->vcpu, 4);
	assert_near(x->ebs_baseline_bandwidth, 100e6, 1e-12);
	assert_near(x->network_burst, x->network_baseline, 0); /* no burst given */
	assert_true(isnan(x->price_per_hour));
	assert_near(catalog_region_rtt(&l.c, "r-a", "r-b"), 0.011, 1e-12);
	assert_near(catalog_volume(&l.c, "vt")->latency_p99, 4e-3, 1e-9);
	unload(&l);
	rm_dir(&t);
}

static void test_missing_dir(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, "/nonexistent/topsim/catalog");
	assert_int_equal(l.rc, -EINVAL);
	/* One error per file it could not read. */
	assert_int_equal(diag_error_count(&l.diag), 3);
	find_error(&l.diag, "instances.json");
	find_error(&l.diag, "volumes.json");
	find_error(&l.diag, "network.json");
	unload(&l);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct tmpcat t;
	mk_dir(&t, NULL, "", NULL);
	struct loaded l;
	load(&l, t.dir);
	assert_int_equal(l.rc, -EINVAL);
	assert_int_equal(diag_error_count(&l.diag), 1);
	find_error(&l.diag, "volumes.json");
	/* The others still loaded. */
	assert_non_null(catalog_instance(&l.c, "x9.test"));
	unload(&l);
	rm_dir(&t);
}

static void test_syntax_error(void **state)
{
	(void)state;
	struct tmpcat t;
	mk_dir(&t, "{\"instances\": {\n  \"x9.test\": {\"vcpu\": 4,,}\n}}\n", NULL, NULL);
	struct loaded l;
	load(&l, t.dir);
	assert_int_equal(l.rc, -EINVAL);
	assert_true(diag_error_count(&l.diag) >= 1);
	const struct diag_item *it = diag_item(&l.diag, 0);
	assert_non_null(it->file);
	assert_non_null(strstr(it->file, "instances.json"));
	assert_int_equal(it->line, 2);
	unload(&l);
	rm_dir(&t);
}

static void test_bad_values(void **state)
{
	(void)state;
	struct tmpcat t;
	/* Line 2: unknown key (typo); line 3: vcpu not whole; line 4: a size that is not one;
	 * line 5: a new type missing required fields. */
	mk_dir(&t,
	       "{\"instances\": {\n"
	       "  \"a1\": {\"vpcu\": 4, \"memory\": \"16GiB\", \"network_baseline\": \"1Gbps\", \"ebs_baseline_bandwidth\": \"1Gbps\", \"ebs_max_bandwidth\": \"1Gbps\", \"ebs_baseline_iops\": \"1IOPS\", \"ebs_max_iops\": \"1IOPS\"},\n"
	       "  \"a2\": {\"vcpu\": 2.5, \"memory\": \"16GiB\", \"network_baseline\": \"1Gbps\", \"ebs_baseline_bandwidth\": \"1Gbps\", \"ebs_max_bandwidth\": \"1Gbps\", \"ebs_baseline_iops\": \"1IOPS\", \"ebs_max_iops\": \"1IOPS\"},\n"
	       "  \"a3\": {\"vcpu\": 2, \"memory\": \"16 parsecs\", \"network_baseline\": \"1Gbps\", \"ebs_baseline_bandwidth\": \"1Gbps\", \"ebs_max_bandwidth\": \"1Gbps\", \"ebs_baseline_iops\": \"1IOPS\", \"ebs_max_iops\": \"1IOPS\"},\n"
	       "  \"a4\": {\"vcpu\": 2}\n"
	       "}}\n",
	       NULL, NULL);
	struct loaded l;
	load(&l, t.dir);
	assert_int_equal(l.rc, -EINVAL);
	const struct diag_item *it = find_error(&l.diag, "did you mean \"vcpu\"");
	assert_non_null(strstr(it->file, "instances.json"));
	assert_int_equal(it->line, 2);
	it = find_error(&l.diag, "vcpu must be a whole number");
	assert_int_equal(it->line, 3);
	it = find_error(&l.diag, "missing required field \"memory\" for new instance type \"a4\"");
	assert_int_equal(it->line, 5);
	/* a3's memory is not a size: reported on its line. */
	bool mem = false;
	for (size_t i = 0; i < diag_count(&l.diag); i++) {
		const struct diag_item *d = diag_item(&l.diag, i);
		if (d->line == 4 && d->path && strstr(d->path, "a3.memory"))
			mem = true;
	}
	assert_true(mem);
	unload(&l);
	rm_dir(&t);
}

static void test_bad_volume_latency(void **state)
{
	(void)state;
	struct tmpcat t;
	mk_dir(&t, NULL,
	       "{\"volumes\": {\"vt\": {\"size_min\": \"1GiB\", \"size_max\": \"1TiB\",\n"
	       "  \"iops_max\": \"3000IOPS\", \"throughput_max\": \"125MiB/s\",\n"
	       "  \"latency\": {\"median\": \"4ms\", \"p99\": \"1ms\"}}}}\n",
	       NULL);
	struct loaded l;
	load(&l, t.dir);
	assert_int_equal(l.rc, -EINVAL);
	const struct diag_item *it = find_error(&l.diag, "p99 > median");
	assert_int_equal(it->line, 3);
	unload(&l);
	rm_dir(&t);
}

static void test_bad_network(void **state)
{
	(void)state;
	struct tmpcat t;
	/* A short row and a negative RTT. */
	mk_dir(&t, NULL, NULL,
	       "{\"regions\": [\"r-a\", \"r-b\"],\n"
	       " \"rtt_ms\": [[1],\n"
	       "            [-12, 1]]}\n");
	struct loaded l;
	load(&l, t.dir);
	assert_int_equal(l.rc, -EINVAL);
	const struct diag_item *it = find_error(&l.diag, "row 0 must hold 2 numbers");
	assert_int_equal(it->line, 2);
	it = find_error(&l.diag, "non-negative");
	assert_int_equal(it->line, 3);
	unload(&l);
	rm_dir(&t);
	/* No matrix at all. */
	mk_dir(&t, NULL, NULL, "{\"regions\": [\"r-a\"]}\n");
	load(&l, t.dir);
	assert_int_equal(l.rc, -EINVAL);
	find_error(&l.diag, "needs \"regions\" and \"rtt_ms\"");
	unload(&l);
	rm_dir(&t);
}

/* A file without its top-level object ("instances" / "volumes") is malformed: the catalog
 * would be empty and every scenario would fail later with "unknown instance type". */
static void test_missing_top_level_key(void **state)
{
	(void)state;
	struct tmpcat t;
	mk_dir(&t, "{\"instanses\": {}}\n", NULL, NULL);
	struct loaded l;
	load(&l, t.dir);
	int rc = l.rc;
	size_t errors = diag_error_count(&l.diag);
	size_t count = l.c.instance_count;
	unload(&l);
	rm_dir(&t);
	assert_int_equal(count, 0);
	assert_int_equal(rc, -EINVAL);
	assert_true(errors >= 1);
}

static void test_overrides(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, shipped_dir());
	assert_int_equal(l.rc, 0);
	const char *text =
		"{\"instances\": {\"r5.2xlarge\": {\"vcpu\": 12},\n"
		"                 \"z1.new\": {\"vcpu\": 2}},\n"
		" \"volumes\": {\"gp3\": {\"latency\": {\"median\": \"1ms\", \"p99\": \"2ms\"}}}}";
	cJSON *obj = jsondoc_parse(&l.doc, "override.json", text, strlen(text), &l.diag);
	assert_non_null(obj);
	int errors = catalog_apply_overrides(&l.c, obj, &l.doc, &l.diag);
	/* The existing entry is updated key by key; the new one lacks 6 required keys. */
	assert_int_equal(errors, 6);
	const struct catalog_instance *r = catalog_instance(&l.c, "r5.2xlarge");
	assert_int_equal(r->vcpu, 12);
	assert_near(r->memory, 64 * GIB, 1e-12); /* untouched */
	assert_non_null(catalog_instance(&l.c, "z1.new"));
	const struct catalog_volume *g3 = catalog_volume(&l.c, "gp3");
	assert_near(g3->latency_median, 1e-3, 1e-9);
	assert_near(g3->latency_p99, 2e-3, 1e-9);
	assert_near(g3->iops_baseline, 3000, 1e-12);
	const struct diag_item *it = find_error(&l.diag, "\"ebs_max_iops\" for new instance type");
	assert_string_equal(it->file, "override.json");
	assert_int_equal(it->line, 2);
	cJSON_Delete(obj);
	unload(&l);
}

/* Prices (network.json "prices", volumes.json price_*): hourly volume prices and data
 * transfer, worked out by hand from docs/catalog.md's figures (730 h per month). */
static void test_prices(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, shipped_dir());
	assert_int_equal(l.rc, 0);
	const struct catalog *c = &l.c;
	const double GiB = 1073741824.0, MiB = 1048576.0;
	assert_string_equal(c->prices.region, "us-east-1");
	assert_near(c->prices.hours_per_month, 730, 1e-12);
	/* gp2 100 GiB: 100 x $0.10 a month */
	assert_near(catalog_volume_hourly(c, catalog_volume(c, "gp2"), 100 * GiB, 0, 0), 10.0 / 730,
		    1e-12);
	/* gp3 1000 GiB, 6000 IOPS, 250 MiB/s: 1000 x 0.08 + (6000 - 3000 free) x 0.005
	 * + (250 - 125 free) x 0.04 = 80 + 15 + 5 = $100 a month */
	assert_near(catalog_volume_hourly(c, catalog_volume(c, "gp3"), 1000 * GiB, 6000,
					  250 * MiB),
		    100.0 / 730, 1e-12);
	/* gp3 at its baseline (IOPS and throughput 0 or below the free amounts): size only */
	assert_near(catalog_volume_hourly(c, catalog_volume(c, "gp3"), 1000 * GiB, 3000,
					  125 * MiB),
		    80.0 / 730, 1e-12);
	/* io1 100 GiB, 5000 IOPS: 12.5 + 5000 x 0.065 = $337.5 */
	assert_near(catalog_volume_hourly(c, catalog_volume(c, "io1"), 100 * GiB, 5000, 0),
		    337.5 / 730, 1e-12);
	/* io2 100 GiB, 50,000 IOPS: 12.5 + 32,000 x 0.065 + 18,000 x 0.046 = $2920.5;
	 * 80,000 IOPS: 12.5 + 2080 + 32,000 x 0.046 + 16,000 x 0.032 = $4076.5 */
	assert_near(catalog_volume_hourly(c, catalog_volume(c, "io2"), 100 * GiB, 50000, 0),
		    2920.5 / 730, 1e-12);
	assert_near(catalog_volume_hourly(c, catalog_volume(c, "io2"), 100 * GiB, 80000, 0),
		    4076.5 / 730, 1e-12);
	/* st1 500 GiB: $22.5 */
	assert_near(catalog_volume_hourly(c, catalog_volume(c, "st1"), 500 * GiB, 0, 0),
		    22.5 / 730, 1e-12);
	/* data transfer: 1 GB (10^9 B) across AZs is billed out and in, $0.01 each; to another
	 * region $0.02, us-east-1 to us-east-2 $0.01; within an AZ, to clients and through load
	 * balancers nothing here */
	assert_near(catalog_transfer_usd(c, "cross_az", 1e9), 0.02, 1e-12);
	assert_near(catalog_transfer_usd(c, "cross_region us-east-1 us-west-2", 5e9), 0.10, 1e-12);
	assert_near(catalog_transfer_usd(c, "cross_region us-east-1 us-east-2", 1e9), 0.01, 1e-12);
	assert_true(catalog_transfer_usd(c, "same_az", 1e9) == 0);
	assert_true(catalog_transfer_usd(c, "load_balancer", 1e9) == 0);
	/* load balancers: alb, nlb, classic */
	assert_near(c->prices.lb_per_hour[0], 0.0225, 1e-12);
	assert_near(c->prices.lb_per_gb[0], 0.008, 1e-12);
	assert_true(isnan(c->prices.lb_per_gb[1]));
	assert_near(c->prices.lb_per_hour[2], 0.025, 1e-12);
	unload(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_loads),
		cmocka_unit_test(test_shipped_instances),
		cmocka_unit_test(test_shipped_volumes),
		cmocka_unit_test(test_shipped_regions),
		cmocka_unit_test(test_minimal_dir),
		cmocka_unit_test(test_missing_dir),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_volume_latency),
		cmocka_unit_test(test_bad_network),
		cmocka_unit_test(test_missing_top_level_key),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_prices),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
