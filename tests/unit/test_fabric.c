/* test_fabric: liveness and reachability (models/infra/fabric.c).
 *
 * A hand-built fabric of two regions: region 0 with AZs 0, 1, 2 and region 1 with AZ 3;
 * hosts h0 and h4 in AZ 0, h1 in AZ 1, h2 in AZ 2, h3 in AZ 3. The tests check the rules of
 * fabric.h: a host is up when it has not crashed and neither its AZ nor its region is out;
 * its instance runs when the host is up and the instance is neither stopped nor hung;
 * partitions cut AZs or regions apart both ways or one way (a conversation needs both
 * directions); listeners hear every change once, in subscription order, never re-entrantly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fabric.h"

enum { R0, R1 };
enum { AZ0, AZ1, AZ2, AZ3 };
enum { H0, H1, H2, H3, H4, HOSTS };

static const int az_region[] = {R0, R0, R0, R1};
static const int host_az[] = {AZ0, AZ1, AZ2, AZ3, AZ0};

static struct fabric *mk(void)
{
	struct fabric *f = fabric_new(2, 4, az_region, HOSTS, host_az);
	assert_non_null(f);
	return f;
}

static struct fabric_place host(const struct fabric *f, int h) { return fabric_host_place(f, h); }
static struct fabric_place az_place(int region, int az) { return (struct fabric_place){region, az, -1}; }
static struct fabric_place client(int region) { return (struct fabric_place){region, -1, -1}; }

/* Every pair of hosts reaches each other, both directions. */
static void assert_all_talk(const struct fabric *f)
{
	for (int a = 0; a < HOSTS; a++)
		for (int b = 0; b < HOSTS; b++) {
			assert_true(fabric_reaches(f, host(f, a), host(f, b)));
			assert_true(fabric_hosts_talk(f, a, b));
		}
}

static void test_initial_state(void **state)
{
	(void)state;
	struct fabric *f = mk();
	for (int h = 0; h < HOSTS; h++) {
		assert_true(fabric_host_up(f, h));
		assert_int_equal(fabric_iris(f, h), FABRIC_IRIS_RUNNING);
		assert_true(fabric_iris_running(f, h));
	}
	for (int a = 0; a < 4; a++)
		assert_true(fabric_az_up(f, a));
	struct fabric_place p = fabric_host_place(f, H3);
	assert_int_equal(p.region, R1);
	assert_int_equal(p.az, AZ3);
	assert_int_equal(p.host, H3);
	p = fabric_host_place(f, H4);
	assert_int_equal(p.region, R0);
	assert_int_equal(p.az, AZ0);
	assert_int_equal(p.host, H4);
	assert_all_talk(f);
	assert_true(fabric_reaches(f, client(R0), host(f, H3)));
	assert_true(fabric_reaches(f, az_place(R0, AZ1), client(R1)));
	fabric_free(f);
}

static void test_host_down(void **state)
{
	(void)state;
	struct fabric *f = mk();
	fabric_set_host_down(f, H1, true);
	assert_false(fabric_host_up(f, H1));
	/* The instance of a host that is down is STOPPED whatever it was set to. */
	assert_int_equal(fabric_iris(f, H1), FABRIC_IRIS_STOPPED);
	assert_false(fabric_iris_running(f, H1));
	/* Its AZ and the other hosts are untouched. */
	assert_true(fabric_az_up(f, AZ1));
	for (int h = 0; h < HOSTS; h++)
		if (h != H1) {
			assert_true(fabric_host_up(f, h));
			assert_true(fabric_iris_running(f, h));
		}
	/* Nothing reaches it, it reaches nothing, even itself. */
	for (int h = 0; h < HOSTS; h++) {
		assert_false(fabric_reaches(f, host(f, h), host(f, H1)));
		assert_false(fabric_reaches(f, host(f, H1), host(f, h)));
		assert_false(fabric_hosts_talk(f, h, H1));
	}
	assert_false(fabric_reaches(f, client(R0), host(f, H1)));
	/* The other hosts still talk. */
	assert_true(fabric_hosts_talk(f, H0, H2));
	assert_true(fabric_hosts_talk(f, H0, H3));
	fabric_set_host_down(f, H1, false);
	assert_true(fabric_host_up(f, H1));
	assert_true(fabric_iris_running(f, H1));
	assert_all_talk(f);
	fabric_free(f);
}

static void test_iris_states(void **state)
{
	(void)state;
	struct fabric *f = mk();
	/* A hung instance: host and agent alive (reachable), instance not running. */
	fabric_set_iris(f, H0, FABRIC_IRIS_HUNG);
	assert_true(fabric_host_up(f, H0));
	assert_int_equal(fabric_iris(f, H0), FABRIC_IRIS_HUNG);
	assert_false(fabric_iris_running(f, H0));
	assert_true(fabric_hosts_talk(f, H0, H1));
	/* A stopped instance: host still up and reachable. */
	fabric_set_iris(f, H1, FABRIC_IRIS_STOPPED);
	assert_true(fabric_host_up(f, H1));
	assert_int_equal(fabric_iris(f, H1), FABRIC_IRIS_STOPPED);
	assert_false(fabric_iris_running(f, H1));
	assert_true(fabric_hosts_talk(f, H1, H2));
	/* Only the host named changes. */
	assert_true(fabric_iris_running(f, H4));
	/* The hung host goes down: STOPPED while down. */
	fabric_set_host_down(f, H0, true);
	assert_int_equal(fabric_iris(f, H0), FABRIC_IRIS_STOPPED);
	fabric_set_host_down(f, H0, false);
	fabric_set_iris(f, H0, FABRIC_IRIS_RUNNING);
	fabric_set_iris(f, H1, FABRIC_IRIS_RUNNING);
	assert_true(fabric_iris_running(f, H0));
	assert_true(fabric_iris_running(f, H1));
	fabric_free(f);
}

static void test_az_outage(void **state)
{
	(void)state;
	struct fabric *f = mk();
	fabric_set_az_down(f, AZ0, true);
	assert_false(fabric_az_up(f, AZ0));
	assert_true(fabric_az_up(f, AZ1));
	assert_true(fabric_az_up(f, AZ3));
	/* Both hosts of AZ 0 are down with their instances; the others are not. */
	assert_false(fabric_host_up(f, H0));
	assert_false(fabric_host_up(f, H4));
	assert_int_equal(fabric_iris(f, H0), FABRIC_IRIS_STOPPED);
	assert_int_equal(fabric_iris(f, H4), FABRIC_IRIS_STOPPED);
	assert_true(fabric_host_up(f, H1));
	assert_true(fabric_host_up(f, H2));
	assert_true(fabric_host_up(f, H3));
	/* An AZ-level place (a load-balancer node) in AZ 0 is down too; its region is not. */
	assert_false(fabric_reaches(f, az_place(R0, AZ0), host(f, H1)));
	assert_false(fabric_reaches(f, host(f, H1), az_place(R0, AZ0)));
	assert_true(fabric_reaches(f, az_place(R0, AZ1), host(f, H2)));
	assert_true(fabric_reaches(f, client(R0), host(f, H1)));
	assert_false(fabric_reaches(f, client(R0), host(f, H0)));
	assert_false(fabric_hosts_talk(f, H0, H4)); /* even within the AZ */
	assert_true(fabric_hosts_talk(f, H1, H3));
	fabric_set_az_down(f, AZ0, false);
	assert_true(fabric_host_up(f, H0));
	assert_true(fabric_host_up(f, H4));
	assert_all_talk(f);
	fabric_free(f);
}

static void test_region_outage(void **state)
{
	(void)state;
	struct fabric *f = mk();
	fabric_set_region_down(f, R0, true);
	for (int a = AZ0; a <= AZ2; a++)
		assert_false(fabric_az_up(f, a));
	assert_true(fabric_az_up(f, AZ3));
	for (int h = 0; h < HOSTS; h++)
		assert_int_equal(fabric_host_up(f, h), h == H3);
	/* Client populations of the region are cut off; the other region's are not. */
	assert_false(fabric_reaches(f, client(R0), host(f, H3)));
	assert_false(fabric_reaches(f, client(R1), client(R0)));
	assert_true(fabric_reaches(f, client(R1), host(f, H3)));
	fabric_set_region_down(f, R0, false);
	assert_all_talk(f);
	assert_true(fabric_reaches(f, client(R0), host(f, H3)));
	fabric_free(f);
}

/* Host, AZ and region flags are independent: lifting one does not lift another. */
static void test_overlapping_outages(void **state)
{
	(void)state;
	struct fabric *f = mk();
	fabric_set_host_down(f, H0, true);
	fabric_set_az_down(f, AZ0, true);
	fabric_set_region_down(f, R0, true);
	fabric_set_region_down(f, R0, false);
	assert_false(fabric_az_up(f, AZ0));
	assert_false(fabric_host_up(f, H0));
	assert_false(fabric_host_up(f, H4));
	assert_true(fabric_host_up(f, H1));
	fabric_set_az_down(f, AZ0, false);
	assert_true(fabric_host_up(f, H4));
	assert_false(fabric_host_up(f, H0)); /* its own crash is still on */
	fabric_set_host_down(f, H0, false);
	assert_true(fabric_host_up(f, H0));
	fabric_free(f);
}

static void test_partition_both_ways(void **state)
{
	(void)state;
	struct fabric *f = mk();
	int id = fabric_partition(f, -1, AZ0, -1, AZ1, false);
	assert_true(id >= 0);
	/* Everything in AZ 0 is cut from everything in AZ 1, both directions. */
	int zero[] = {H0, H4};
	for (int i = 0; i < 2; i++) {
		assert_false(fabric_reaches(f, host(f, zero[i]), host(f, H1)));
		assert_false(fabric_reaches(f, host(f, H1), host(f, zero[i])));
		assert_false(fabric_hosts_talk(f, zero[i], H1));
		assert_false(fabric_hosts_talk(f, H1, zero[i]));
		/* Other pairs are untouched. */
		assert_true(fabric_hosts_talk(f, zero[i], H2));
		assert_true(fabric_hosts_talk(f, zero[i], H3));
	}
	assert_true(fabric_hosts_talk(f, H0, H4)); /* within AZ 0 */
	assert_true(fabric_hosts_talk(f, H1, H2));
	assert_false(fabric_reaches(f, az_place(R0, AZ0), az_place(R0, AZ1)));
	/* Clients (region level, outside any AZ) are on neither side. */
	assert_true(fabric_reaches(f, client(R0), host(f, H0)));
	assert_true(fabric_reaches(f, client(R0), host(f, H1)));
	/* Hosts stay up: a partition is not an outage. */
	assert_true(fabric_host_up(f, H0));
	assert_true(fabric_iris_running(f, H1));
	fabric_heal(f, id);
	assert_all_talk(f);
	fabric_free(f);
}

static void test_partition_one_way(void **state)
{
	(void)state;
	struct fabric *f = mk();
	int id = fabric_partition(f, -1, AZ0, -1, AZ1, true);
	assert_true(id >= 0);
	/* Only a -> b is cut. */
	assert_false(fabric_reaches(f, host(f, H0), host(f, H1)));
	assert_true(fabric_reaches(f, host(f, H1), host(f, H0)));
	assert_false(fabric_reaches(f, host(f, H4), host(f, H1)));
	assert_true(fabric_reaches(f, host(f, H1), host(f, H4)));
	/* A conversation needs both directions: broken whichever end asks. */
	assert_false(fabric_hosts_talk(f, H0, H1));
	assert_false(fabric_hosts_talk(f, H1, H0));
	assert_true(fabric_hosts_talk(f, H0, H2));
	fabric_heal(f, id);
	assert_true(fabric_reaches(f, host(f, H0), host(f, H1)));
	assert_true(fabric_hosts_talk(f, H0, H1));
	fabric_free(f);
}

static void test_partition_regions(void **state)
{
	(void)state;
	struct fabric *f = mk();
	int id = fabric_partition(f, R0, -1, R1, -1, false);
	for (int h = 0; h < HOSTS; h++) {
		if (h == H3)
			continue;
		assert_false(fabric_hosts_talk(f, h, H3));
		assert_false(fabric_reaches(f, client(R1), host(f, h)));
		assert_false(fabric_reaches(f, host(f, h), client(R1)));
		assert_true(fabric_reaches(f, client(R0), host(f, h)));
	}
	assert_true(fabric_hosts_talk(f, H0, H1)); /* AZs of one region still talk */
	assert_true(fabric_hosts_talk(f, H1, H2));
	fabric_heal(f, id);
	assert_all_talk(f);
	/* One way, region 1 -> region 0 only. */
	id = fabric_partition(f, R1, -1, R0, -1, true);
	assert_false(fabric_reaches(f, host(f, H3), host(f, H0)));
	assert_true(fabric_reaches(f, host(f, H0), host(f, H3)));
	assert_false(fabric_reaches(f, client(R1), host(f, H2)));
	assert_true(fabric_reaches(f, client(R0), host(f, H3)));
	fabric_heal(f, id);
	/* An AZ against a region. */
	id = fabric_partition(f, -1, AZ2, R1, -1, false);
	assert_false(fabric_hosts_talk(f, H2, H3));
	assert_true(fabric_hosts_talk(f, H0, H3));
	assert_true(fabric_hosts_talk(f, H1, H2));
	fabric_heal(f, id);
	assert_all_talk(f);
	fabric_free(f);
}

/* Partitions are independent: healing one keeps the others; bad or repeated heals are
 * harmless. Isolating an AZ takes two partitions, as the drills do. */
static void test_several_partitions(void **state)
{
	(void)state;
	struct fabric *f = mk();
	int p01 = fabric_partition(f, -1, AZ0, -1, AZ1, false);
	int p02 = fabric_partition(f, -1, AZ0, -1, AZ2, false);
	assert_int_not_equal(p01, p02);
	assert_false(fabric_hosts_talk(f, H0, H1));
	assert_false(fabric_hosts_talk(f, H0, H2));
	assert_true(fabric_hosts_talk(f, H1, H2));
	fabric_heal(f, p01);
	assert_true(fabric_hosts_talk(f, H0, H1));
	assert_false(fabric_hosts_talk(f, H0, H2));
	fabric_heal(f, p01);
	fabric_heal(f, -1);
	fabric_heal(f, 99);
	assert_false(fabric_hosts_talk(f, H0, H2));
	fabric_heal(f, p02);
	assert_all_talk(f);
	/* A partition together with an outage: healing it leaves the outage. */
	int p = fabric_partition(f, -1, AZ1, -1, AZ2, false);
	fabric_set_host_down(f, H2, true);
	fabric_heal(f, p);
	assert_false(fabric_hosts_talk(f, H1, H2));
	fabric_set_host_down(f, H2, false);
	assert_true(fabric_hosts_talk(f, H1, H2));
	fabric_free(f);
}

/* ---- listeners ------------------------------------------------------------------------------ */

struct lis {
	struct fabric *f;
	char log[64];
	int n;
	int depth, max_depth;
	bool a_changes;        /* A brings H2 down on its first call */
	bool h1_up_seen[8];    /* what A saw of H1 at each of its calls */
	int a_calls;
};

static void lis_a(void *arg)
{
	struct lis *l = arg;
	l->depth++;
	if (l->depth > l->max_depth)
		l->max_depth = l->depth;
	if (l->a_calls < 8)
		l->h1_up_seen[l->a_calls++] = fabric_host_up(l->f, H1);
	l->log[l->n++] = 'A';
	if (l->a_changes) {
		l->a_changes = false;
		fabric_set_host_down(l->f, H2, true);
		/* Applied at once, announced later. */
		assert_false(fabric_host_up(l->f, H2));
	}
	l->depth--;
}

static void lis_b(void *arg)
{
	struct lis *l = arg;
	l->depth++;
	if (l->depth > l->max_depth)
		l->max_depth = l->depth;
	l->log[l->n++] = 'B';
	l->depth--;
}

static void test_listeners(void **state)
{
	(void)state;
	struct lis l = {0};
	l.f = mk();
	assert_int_equal(fabric_subscribe(l.f, lis_a, &l), 0);
	assert_int_equal(fabric_subscribe(l.f, lis_b, &l), 0);
	/* Every kind of change is announced once to each listener, in subscription order. */
	fabric_set_host_down(l.f, H1, true);
	assert_false(l.h1_up_seen[0]); /* the listener sees the new state */
	fabric_set_host_down(l.f, H1, false);
	assert_true(l.h1_up_seen[1]);
	fabric_set_az_down(l.f, AZ1, true);
	fabric_set_region_down(l.f, R1, true);
	fabric_set_iris(l.f, H0, FABRIC_IRIS_HUNG);
	int id = fabric_partition(l.f, -1, AZ0, -1, AZ2, false);
	fabric_heal(l.f, id);
	assert_int_equal(l.n, 14);
	assert_string_equal(l.log, "ABABABABABABAB");
	assert_int_equal(l.max_depth, 1);
	fabric_free(l.f);
}

static void test_listener_change_is_deferred(void **state)
{
	(void)state;
	struct lis l = {0};
	l.f = mk();
	fabric_subscribe(l.f, lis_a, &l);
	fabric_subscribe(l.f, lis_b, &l);
	l.a_changes = true;
	fabric_set_host_down(l.f, H1, true);
	/* A's change is announced after the current round (A, B), as one more round; never
	 * re-entrantly. */
	assert_string_equal(l.log, "ABAB");
	assert_int_equal(l.max_depth, 1);
	assert_false(fabric_host_up(l.f, H2));
	fabric_free(l.f);
}

/* A host crash is one change: one announcement, and the listener already sees the host
 * down with its instance stopped (never the instance stopped on a host still up). */
struct crash_seen {
	struct fabric *f;
	int calls;
	bool host_up;
	bool saw_stopped_on_up_host;
};

static void lis_crash(void *arg)
{
	struct crash_seen *c = arg;
	c->calls++;
	c->host_up = fabric_host_up(c->f, H1);
	if (c->host_up && fabric_iris(c->f, H1) == FABRIC_IRIS_STOPPED)
		c->saw_stopped_on_up_host = true;
}

static void test_crash_host_is_one_change(void **state)
{
	(void)state;
	struct crash_seen c = {0};
	c.f = mk();
	fabric_subscribe(c.f, lis_crash, &c);
	fabric_crash_host(c.f, H1);
	assert_int_equal(c.calls, 1);
	assert_false(c.host_up);
	assert_false(c.saw_stopped_on_up_host);
	assert_int_equal(fabric_iris(c.f, H1), FABRIC_IRIS_STOPPED);
	assert_true(fabric_host_up(c.f, H0));
	/* The reboot brings the host back with the instance still stopped until it restarts. */
	fabric_set_host_down(c.f, H1, false);
	assert_true(fabric_host_up(c.f, H1));
	assert_int_equal(fabric_iris(c.f, H1), FABRIC_IRIS_STOPPED);
	fabric_set_iris(c.f, H1, FABRIC_IRIS_RUNNING);
	assert_true(fabric_iris_running(c.f, H1));
	fabric_free(c.f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initial_state),
		cmocka_unit_test(test_host_down),
		cmocka_unit_test(test_iris_states),
		cmocka_unit_test(test_az_outage),
		cmocka_unit_test(test_region_outage),
		cmocka_unit_test(test_overlapping_outages),
		cmocka_unit_test(test_partition_both_ways),
		cmocka_unit_test(test_partition_one_way),
		cmocka_unit_test(test_partition_regions),
		cmocka_unit_test(test_several_partitions),
		cmocka_unit_test(test_listeners),
		cmocka_unit_test(test_listener_change_is_deferred),
		cmocka_unit_test(test_crash_host_is_one_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
