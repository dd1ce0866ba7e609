/* test_ecp: ECP application servers and their recovery protocol (models/iris/ecp.c).
 *
 * A hand-built world: fabric with one region, AZ 0 (app servers APP1, APP2) and AZ 1 (the
 * data host DATA, outside any mirror); a data server on an unlimited volume with 1 ms
 * latency whose buffers hold every block; app servers whose buffers hold none, so every
 * block read is one ECP block request. Network delay 0.5 ms one way. ECP defaults: retry
 * every 5 s, troubled interval 60 s, recovery 1200 s, connection wait 20 s, recovery wait
 * 30 s; server CPU 0. Faults are applied to the fabric directly, as the injector does.
 *
 * Expectations follow iris.md §4 and docs/models.md §13: a stall within the troubled
 * interval recovers and the held request completes; past it the session is reset and the
 * request gets <NETWORK>; a restarted data server waits for the app servers that were
 * connected, crashed ones included, up to the recovery wait; past the recovery limit the
 * app server gives up; a request then waits up to the connection wait.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dataserver.h"
#include "ecp.h"
#include "fabric.h"
#include "iris.h"
#include "iris_node.h"
#include "sim.h"
#include "volume.h"

#define T(s) sim_time_from_s(s)
#define S(t) sim_time_to_s(t)
enum { APP1, APP2, DATA, NHOST };
static const int az_region[] = {0, 0};
static const int host_az[] = {0, 0, 1};
static const char *const names[] = {"app-1", "app-2", "data"};

struct result {
	struct data_req r;
	bool done;
	int cause;
	double at;
};

struct world {
	struct sim_engine *e;
	struct fabric *f;
	struct volume_group *g;
	struct iris_node_config ncfg;
	struct dataserver *ds;
	struct dataserver *servers[NHOST];
	struct ecp_config cfg;
	struct ecp_group *grp;
	struct ecp_app *app[2];
	char timeline[16384];
};

static struct world W;

static void h_timeline(void *arg, const char *source, const char *event)
{
	(void)arg;
	size_t len = strlen(W.timeline);
	snprintf(W.timeline + len, sizeof(W.timeline) - len, "%.3f %s %s\n", S(sim_now(W.e)),
		 source, event);
}
static sim_time h_delay(void *arg, int from, int to, double bytes, gsl_rng *r)
{
	(void)arg;
	(void)r;
	(void)from;
	(void)to;
	(void)bytes;
	return T(0.5e-3);
}
static void on_done(struct svc_req *req, int cause)
{
	struct result *res = (struct result *)((char *)req - offsetof(struct result, r));
	assert_false(res->done);
	res->done = true;
	res->cause = cause;
	res->at = S(sim_now(W.e));
}

static void world_build(void)
{
	memset(&W, 0, sizeof(W));
	W.e = sim_engine_new(7, 0);
	assert_non_null(W.e);
	W.f = fabric_new(1, 2, az_region, NHOST, host_az);
	assert_non_null(W.f);
	W.ncfg = (struct iris_node_config){.block_size = 8192, .journal_buffer_size = 65536,
					   .journal_sync_interval = 2 * SIM_S,
					   .write_daemon_cycle = 80 * SIM_S,
					   .write_daemon_queue_depth = 32, .journal_io_size = 262144};
	struct host_ebs_params hp = {0, 0};
	W.g = volume_group_new(W.e, "data", &hp);
	struct volume_params vp = {.size = 1e11, .iops = INFINITY, .throughput = INFINITY,
				   .io_unit = 262144};
	rng_dist_init_deterministic(&vp.latency, 1e-3);
	struct volume_logical *v = volume_add(W.g, "db", 1, 4194304, &vp);
	assert_non_null(v);
	struct iris_node_params np = {.vcpu = 2, .hit_ratio = 1, .db = v, .journal = v, .wij = v};
	W.ds = dataserver_new(W.e, "iris:data", DATA, &W.ncfg, np);
	assert_non_null(W.ds);
	assert_int_equal(dataserver_watch(W.ds, W.f), 0);
	iris_node_start(dataserver_node(W.ds));
	W.servers[DATA] = W.ds;
	W.cfg = (struct ecp_config){.name = "apps", .reconnect_interval = 5 * SIM_S,
				    .server_trouble_duration = 60 * SIM_S,
				    .client_reconnect_duration = 1200 * SIM_S,
				    .connection_wait = 20 * SIM_S, .recovery_wait = 30 * SIM_S,
				    .affinity = ECP_AFFINITY_STICKY, .shared_block_fraction = 0.1,
				    .server_cpu = 0, .request_bytes = 256};
	static struct obs sink = {.timeline = h_timeline};
	sink.arg = &W;
	struct ecp_app_init apps[2] = {{APP1, names[APP1], 2, 0.0}, {APP2, names[APP2], 2, 0.0}};
	struct ecp_params p = {.cfg = &W.cfg, .iris = &W.ncfg, .mirror = NULL, .data_host = DATA,
			       .server_of_host = W.servers, .host_count = NHOST, .fabric = W.f,
			       .obs = &sink, .delay = h_delay, .apps = apps, .app_count = 2,
			       .block_hit_ratio = 1};
	W.grp = ecp_group_new(W.e, &p);
	assert_non_null(W.grp);
	ecp_group_start(W.grp);
	W.app[0] = ecp_group_app(W.grp, 0);
	W.app[1] = ecp_group_app(W.grp, 1);
}

static void world_free(void)
{
	ecp_group_free(W.grp);
	dataserver_free(W.ds);
	sim_engine_free(W.e);
	volume_group_free(W.g);
	fabric_free(W.f);
}

static void run_to(double s)
{
	int r = sim_run_until(W.e, T(s));
	if (r != SIM_END_TIME)
		fail_msg("run: %d %s", r, sim_engine_error_message(W.e));
}

/* A user's request at app server i: `reads` block reads (all misses), 1 ms of CPU. */
static void submit(struct result *res, int i, uint32_t reads, uint32_t writes, bool sync)
{
	memset(res, 0, sizeof(*res));
	res->r.iris.cpu_s = 1e-3;
	res->r.iris.block_reads = reads;
	res->r.iris.writes = writes;
	res->r.iris.journal_bytes = writes ? 100 : 0;
	res->r.iris.sync_commit = sync;
	svc_req_init(&res->r.base, SVC_DATA_REQUEST, NULL, on_done, NULL);
	ecp_app_submit(W.app[i], &res->r);
}

static struct ecp_app_stats stats(int i)
{
	struct ecp_app_stats st;
	ecp_app_stats(W.app[i], &st);
	return st;
}

static void crash(int h) { fabric_crash_host(W.f, h); }
static void reboot(int h)
{
	fabric_set_host_down(W.f, h, false);
	fabric_set_iris(W.f, h, FABRIC_IRIS_RUNNING);
}

/* ---- the data path ---------------------------------------------------------------------------- */

static void test_block_requests_and_updates(void **state)
{
	(void)state;
	world_build();
	run_to(1);
	struct result read, set, commit;
	submit(&read, 0, 2, 0, false);
	submit(&set, 1, 0, 1, false);
	submit(&commit, 1, 0, 1, true);
	run_to(2);
	/* read: 1 ms CPU, then two block requests one after another, 1 ms round trip each */
	assert_true(read.done && read.cause == SVC_OK);
	assert_in_range((uint64_t)llround((read.at - 1) * 1e6), 2990, 3010);
	/* a set is answered after its CPU: the update goes asynchronously */
	assert_true(set.done && set.cause == SVC_OK);
	assert_in_range((uint64_t)llround((set.at - 1) * 1e6), 990, 1010);
	/* a sync commit waits for the data server's journal flush (1 ms) plus the round trip */
	assert_true(commit.done && commit.cause == SVC_OK);
	assert_true(commit.at - 1 >= 0.001 + 0.001 + 0.001 - 1e-6);
	assert_int_equal(stats(0).requests, 2);
	assert_int_equal(stats(1).requests, 2); /* one update batch, one sync */
	assert_int_equal(ecp_group_served(W.grp, DATA), 4);
	assert_int_equal(ecp_app_state(W.app[0]), ECP_NORMAL);
	world_free();
}

/* ---- recovery ----------------------------------------------------------------------------------- */

/* The data server crashes and restarts: a restart for the app servers. Both were connected
 * and both come back within a retry interval: sessions recovered, the held request done. */
static void test_data_server_restart_recovers(void **state)
{
	(void)state;
	world_build();
	run_to(10);
	crash(DATA);
	run_to(10.5);
	struct result held;
	submit(&held, 0, 1, 0, false);
	run_to(16);
	assert_int_equal(ecp_app_state(W.app[0]), ECP_TROUBLE); /* noticed within 5 s */
	assert_int_equal(ecp_app_state(W.app[1]), ECP_TROUBLE);
	assert_false(held.done);
	run_to(30);
	reboot(DATA);
	run_to(40);
	assert_true(held.done);
	assert_int_equal(held.cause, SVC_OK);
	assert_in_range((uint64_t)llround(held.at * 1000), 30000, 35100); /* next retry */
	for (int i = 0; i < 2; i++) {
		struct ecp_app_stats st = stats(i);
		assert_int_equal(ecp_app_state(W.app[i]), ECP_NORMAL);
		assert_int_equal(st.sessions_preserved, 1);
		assert_int_equal(st.sessions_lost, 0);
		assert_true(st.stall_max_s >= 15 && st.stall_max_s <= 25.1);
	}
	assert_int_equal(stats(0).held_completed, 1);
	assert_non_null(strstr(W.timeline, "ecp app-1 Trouble: data server lost"));
	assert_non_null(strstr(W.timeline, "waiting for the data server's recovery"));
	assert_non_null(strstr(W.timeline, "Normal: recovery complete"));
	world_free();
}

/* A partition shorter than the troubled interval: the same instance recovers the session. */
static void test_short_partition_recovers(void **state)
{
	(void)state;
	world_build();
	run_to(10);
	int p = fabric_partition(W.f, -1, 0, -1, 1, false);
	run_to(11);
	struct result held;
	submit(&held, 0, 1, 1, false);
	run_to(40);
	fabric_heal(W.f, p);
	run_to(50);
	assert_true(held.done && held.cause == SVC_OK);
	assert_int_equal(stats(0).sessions_preserved, 1);
	assert_int_equal(stats(0).rolled_back, 0);
	world_free();
}

/* Past the troubled interval the data server has reset the session: <NETWORK>, the update
 * batch that waited rolls back. */
static void test_long_partition_resets(void **state)
{
	(void)state;
	world_build();
	run_to(10);
	int p = fabric_partition(W.f, -1, 0, -1, 1, false);
	run_to(11);
	struct result held, set;
	submit(&held, 0, 1, 0, false);
	submit(&set, 0, 0, 2, false); /* answered at once; its batch waits */
	run_to(100);
	assert_true(set.done && set.cause == SVC_OK);
	assert_false(held.done);
	fabric_heal(W.f, p);
	run_to(110);
	assert_true(held.done);
	assert_int_equal(held.cause, CAUSE_ECP_NETWORK);
	struct ecp_app_stats st = stats(0);
	assert_int_equal(st.sessions_lost, 1);
	assert_int_equal(st.sessions_preserved, 0);
	assert_int_equal(st.network_errors, 1);
	assert_int_equal(st.rolled_back, 1); /* one update (the set) rolled back */
	assert_true(st.stall_max_s >= 85 && st.stall_max_s <= 100.1);
	assert_int_equal(ecp_app_state(W.app[0]), ECP_NORMAL); /* a new session */
	assert_non_null(strstr(W.timeline, "session reset by the data server"));
	world_free();
}

/* The data server restarts while APP2 is down: it waits the recovery wait for APP2 before
 * resuming APP1. */
static void test_recovery_waits_for_crashed_app_server(void **state)
{
	(void)state;
	world_build();
	run_to(10);
	crash(APP2);
	assert_int_equal(stats(1).sessions_lost, 1);
	run_to(12);
	crash(DATA);
	run_to(13);
	struct result held;
	submit(&held, 0, 1, 0, false);
	run_to(20);
	reboot(DATA);
	run_to(49.9);
	assert_false(held.done); /* APP1 reconnected, waiting for the recovery */
	run_to(51);
	assert_true(held.done && held.cause == SVC_OK);
	assert_in_range((uint64_t)llround(held.at * 1000), 50000, 50010);
	world_free();
}

/* A request inside a crashing app server gets no answer. */
static void test_app_server_crash_drops_its_requests(void **state)
{
	(void)state;
	world_build();
	run_to(10);
	crash(DATA); /* the request will wait in the app server */
	run_to(16);
	struct result held;
	submit(&held, 0, 1, 0, false);
	run_to(17);
	crash(APP1);
	assert_true(held.done);
	assert_int_equal(held.cause, CAUSE_NO_ANSWER);
	assert_int_equal(ecp_app_state(W.app[0]), ECP_NOT_CONNECTED);
	struct result refused;
	submit(&refused, 0, 1, 0, false); /* a stopped instance drops it at once */
	assert_true(refused.done && refused.cause == CAUSE_NO_ANSWER);
	world_free();
}

/* Past the recovery limit the app server gives up; a request then waits up to the
 * connection wait for a new connection. */
static void test_give_up_and_connection_wait(void **state)
{
	(void)state;
	world_build();
	run_to(10);
	int p = fabric_partition(W.f, -1, 0, -1, 1, false);
	run_to(11);
	struct result held;
	submit(&held, 0, 1, 0, false);
	run_to(1209);
	assert_false(held.done);
	run_to(1216);
	assert_true(held.done && held.cause == CAUSE_ECP_NETWORK);
	assert_int_equal(ecp_app_state(W.app[0]), ECP_NOT_CONNECTED);
	assert_true(stats(0).stall_max_s >= 1200 && stats(0).stall_max_s <= 1205.1);
	run_to(1250);
	struct result waiting;
	submit(&waiting, 0, 1, 0, false);
	run_to(1250.01); /* its CPU done, its block needs the data server: a connection starts */
	assert_int_equal(ecp_app_state(W.app[0]), ECP_CONNECTING);
	run_to(1269.9);
	assert_false(waiting.done);
	run_to(1270.1);
	assert_true(waiting.done && waiting.cause == CAUSE_ECP_NETWORK);
	fabric_heal(W.f, p);
	run_to(1280);
	assert_int_equal(ecp_app_state(W.app[0]), ECP_NORMAL);
	struct result after;
	submit(&after, 0, 1, 0, false);
	run_to(1281);
	assert_true(after.done && after.cause == SVC_OK);
	world_free();
}

/* ---- formulas ----------------------------------------------------------------------------------- */

static void test_cache_formulas(void **state)
{
	(void)state;
	struct ecp_config c = {.affinity = ECP_AFFINITY_STICKY, .shared_block_fraction = 0.1};
	/* large-production: w = 70/800, n = 6 */
	assert_float_equal(ecp_hit_ratio(0.97, 0.0875, &c, 6), 0.97 * (1 - 0.0875 * 0.1 * 5 / 6),
			   1e-12);
	c.affinity = ECP_AFFINITY_ROUND_ROBIN;
	assert_float_equal(ecp_hit_ratio(0.97, 0.0875, &c, 6), 0.97 * (1 - 0.0875 * 5.0 / 6),
			   1e-12);
	assert_float_equal(ecp_hit_ratio(0.97, 0.0875, &c, 1), 0.97, 0); /* nobody to invalidate */
	/* same-size buffers: only invalidated blocks are on the data server */
	double app = 0.9;
	assert_float_equal(ecp_block_hit_ratio(0.95, app, 0.95), 0.05 / 0.1, 1e-12);
	/* larger data-server buffers keep (0.99 - 0.95) / 0.05 of the capacity misses */
	assert_float_equal(ecp_block_hit_ratio(0.95, 0.95, 0.99), 0.8, 1e-12);
	assert_float_equal(ecp_control_bytes(1e9, 8192), 50 * 1048576.0 + 1e7, 1e-3);
	assert_float_equal(ecp_control_bytes(1e9, 65536), 50 * 1048576.0 + 1.25e6, 1e-3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block_requests_and_updates),
		cmocka_unit_test(test_data_server_restart_recovers),
		cmocka_unit_test(test_short_partition_recovers),
		cmocka_unit_test(test_long_partition_resets),
		cmocka_unit_test(test_recovery_waits_for_crashed_app_server),
		cmocka_unit_test(test_app_server_crash_drops_its_requests),
		cmocka_unit_test(test_give_up_and_connection_wait),
		cmocka_unit_test(test_cache_formulas),
	};
	return cmocka_run_group_tests_name("ecp", tests, NULL, NULL);
}
