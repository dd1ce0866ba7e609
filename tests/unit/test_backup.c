/* test_backup.c: backup schedules (backup.h) on a hand-built IRIS node: an external
 * freeze past its timeout suspends updates (not reads) until the thaw and opens an incident
 * then; an EBS snapshot completes after its pending copy; an online backup's last pass
 * suspends the write daemon; a lost host is restored after the operator's delay, the
 * volumes' initialization and the journal replay, losing the updates after the recovery
 * point (the last journal copy). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "backup.h"
#include "iris_node.h"
#include "sim.h"
#include "volume.h"

#define T(s) sim_time_from_s(s)
#define MAXRQ 16

static struct {
	struct sim_engine *e;
	struct volume_group *g;
	struct volume_logical *db, *jrn;
	struct iris_node_config cfg;
	struct iris_node *n;
	struct sim_entity *drv;
	struct iris_request rq[MAXRQ];
	sim_time done_at[MAXRQ];
	/* hook records */
	sim_time started_at, ended_at, frozen_at, thawed_at, operator_at, restored_at;
	uint64_t lost_tx;
	double lost_span;
} W;

static void on_done(void *arg, struct iris_request *rq)
{
	(void)arg;
	W.done_at[rq - W.rq] = sim_now(W.e);
}
static void on_lost(void *arg, struct iris_request *rq) { (void)arg, (void)rq; }

enum { DRV_SUBMIT, DRV_COUNT };
static void drv_on_submit(struct sim_entity *self, const struct sim_event *ev)
{
	(void)self;
	iris_node_submit(W.n, &W.rq[*(const int *)sim_event_payload(ev)]);
}
static const sim_handler_fn drv_handlers[DRV_COUNT] = {[DRV_SUBMIT] = drv_on_submit};
static const struct sim_entity_type drv_type = {
	.name = "drv", .handlers = drv_handlers, .handler_count = DRV_COUNT};

static struct volume_logical *mkvol(const char *name)
{
	struct volume_params p = {.size = 100e9, .iops = INFINITY, .throughput = INFINITY,
				  .io_unit = 262144};
	assert_int_equal(rng_dist_init_deterministic(&p.latency, 1e-3), 0);
	struct volume_logical *v = volume_add(W.g, name, 1, 4194304, &p);
	assert_non_null(v);
	return v;
}

static void setup_world(void)
{
	memset(&W, 0, sizeof(W));
	for (int i = 0; i < MAXRQ; i++)
		W.done_at[i] = -1;
	W.started_at = W.ended_at = W.frozen_at = W.thawed_at = W.operator_at = W.restored_at =
		-1;
	W.e = sim_engine_new(1, 0);
	struct host_ebs_params hp = {0, 0};
	W.g = volume_group_new(W.e, "iris-a", &hp);
	W.db = mkvol("db");
	W.jrn = mkvol("jrn");
	W.cfg = (struct iris_node_config){.global_buffers = 1e9, .block_size = 8192,
					  .journal_buffer_size = 65536,
					  .journal_sync_interval = 2 * SIM_S,
					  .write_daemon_cycle = 80 * SIM_S,
					  .write_daemon_queue_depth = 32, .journal_io_size = 262144,
					  .db_error_freeze_after = 3 * SIM_S,
					  .io_retry_interval = SIM_S, .journal_switch_time = SIM_S};
	struct iris_node_params p = {.vcpu = 4, .hit_ratio = 1, .db = W.db, .journal = W.jrn,
				     .done = on_done, .lost = on_lost, .done_arg = &W};
	W.n = iris_node_new(W.e, "iris-a", &W.cfg, &p);
	assert_non_null(W.n);
	iris_node_start(W.n);
	W.drv = sim_entity_new(W.e, &drv_type, "drv");
}

static void req(int i, double at, bool update)
{
	W.rq[i] = (struct iris_request){.cpu_s = 1e-4, .block_reads = 1,
					.writes = update ? 1 : 0,
					.journal_bytes = update ? 1000 : 0};
	sim_schedule_at(W.e, W.drv, T(at), DRV_SUBMIT, &i, sizeof(i));
}

static int h_started(void *arg, const char *kind, const char *target)
{
	(void)arg;
	assert_string_equal(target, "iris-a");
	assert_non_null(strstr(kind, "backup_"));
	W.started_at = sim_now(W.e);
	return 0;
}
static void h_ended(void *arg, int incident)
{
	(void)arg, (void)incident;
	W.ended_at = sim_now(W.e);
}
static void h_frozen(void *arg, int host, bool frozen)
{
	(void)arg, (void)host;
	*(frozen ? &W.frozen_at : &W.thawed_at) = sim_now(W.e);
}
static bool h_primary(void *arg, int host) { return (void)arg, (void)host, false; }
static void h_operator(void *arg) { (void)arg, W.operator_at = sim_now(W.e); }
static void h_lost(void *arg, uint64_t tx, double bytes, double span)
{
	(void)arg, (void)bytes;
	W.lost_tx = tx;
	W.lost_span = span;
}
static void h_restored(void *arg, int host) { (void)arg, (void)host, W.restored_at = sim_now(W.e); }

static const struct backup_hooks hooks = {.started = h_started, .ended = h_ended,
					  .updates_frozen = h_frozen,
					  .is_mirror_primary = h_primary,
					  .operator_acted = h_operator, .data_lost = h_lost,
					  .restored = h_restored};

static struct backup_config base_cfg(int method)
{
	return (struct backup_config){.host = "iris-a", .method = method, .start = 10 * SIM_S,
				      .freeze_timeout = 60 * SIM_S,
				      .timeout_action = BACKUP_TIMEOUT_PAUSE,
				      .snapshot_freeze = 10 * SIM_S, .snapshot_rate = 1e8,
				      .lvm_snapshot_time = 5 * SIM_S, .copy_rate = 1e9,
				      .database_size = 1e9, .passes = 3, .io_size = 262144,
				      .queue_depth = 8, .restore_delay = 5 * SIM_S,
				      .initialization_rate = 1e9, .journal_replay_rate = 2e7};
}

static void run_to(double s) { assert_int_equal(sim_run_until(W.e, T(s)), SIM_END_TIME); }

/* EBS snapshot whose freeze (120 s) passes its 60 s timeout: updates wait 70-130 s, reads
 * do not; incident 70-130 s; then 1 GB pending at 100 MB/s: complete at 140 s. */
static void test_freeze_timeout_pause(void **state)
{
	(void)state;
	setup_world();
	struct backup_config c = base_cfg(BACKUP_EBS_SNAPSHOT);
	c.snapshot_freeze = 120 * SIM_S;
	struct backup *b = backup_new(W.e, &c, 0, 0, W.n, W.db, 5e9, &W.cfg, &hooks, NULL);
	assert_non_null(b);
	backup_start(b);
	req(0, 30, true);  /* frozen daemon, updates go on */
	req(1, 80, true);  /* suspended until the thaw */
	req(2, 80, false); /* reads go on */
	run_to(200);
	assert_true(W.done_at[0] < T(30.01));
	assert_true(W.done_at[2] < T(80.01));
	assert_int_equal(W.done_at[1], T(130));
	assert_int_equal(W.started_at, T(70));
	assert_int_equal(W.frozen_at, T(70));
	assert_int_equal(W.thawed_at, T(130));
	assert_int_equal(W.ended_at, T(130));
	struct backup_stats st;
	backup_stats(b, &st);
	assert_int_equal(st.completed, 1);
	assert_float_equal(st.freeze_s_max, 120, 1e-9);
	assert_float_equal(st.suspended_s, 60, 1e-9);
	assert_int_equal(st.last_point, T(10));
	sim_engine_free(W.e);
	volume_group_free(W.g);
}

/* Online backup: pass 1 reads 1 GB at 1 GB/s (paced, 8 IOs of 256 KiB in flight), the
 * last pass suspends the write daemon briefly; no update waits, no incident. */
static void test_online_passes(void **state)
{
	(void)state;
	setup_world();
	struct backup_config c = base_cfg(BACKUP_ONLINE);
	struct backup *b = backup_new(W.e, &c, 0, 0, W.n, W.db, 5e9, &W.cfg, &hooks, NULL);
	backup_start(b);
	req(0, 10.5, true);
	run_to(30);
	struct backup_stats st;
	backup_stats(b, &st);
	assert_int_equal(st.completed, 1);
	assert_float_equal(st.bytes_read, 1e9 + 8192, 1); /* pass 2: the block dirtied */
	assert_true(st.freeze_s_max < 0.01);
	assert_true(st.last_point > T(11) && st.last_point < T(11.1));
	assert_int_equal(W.started_at, -1);
	assert_true(W.done_at[0] < T(10.51));
	sim_engine_free(W.e);
	volume_group_free(W.g);
}

/* Restore: snapshot at 10 s (complete at 21 s), journal copied every 20 s, updates at 15,
 * 25 and 35 s, host lost at 38 s: recovery point 20 s, 2 updates and 18 s lost; operator at
 * 43 s, 1 s to initialize 1 GB, 1000 journal bytes to replay: restored at 44.00005 s. */
static void test_restore(void **state)
{
	(void)state;
	setup_world();
	struct backup_config c = base_cfg(BACKUP_EBS_SNAPSHOT);
	c.snapshot_rate = 1e9;
	c.restore = true;
	c.journal_copy_interval = 20 * SIM_S;
	struct backup *b = backup_new(W.e, &c, 0, 0, W.n, W.db, 5e9, &W.cfg, &hooks, NULL);
	backup_start(b);
	req(0, 15, true);
	req(1, 25, true);
	req(2, 35, true);
	run_to(38);
	iris_node_stop(W.n);
	assert_true(backup_host_lost(b));
	assert_int_equal(W.lost_tx, 2);
	assert_float_equal(W.lost_span, 18, 1e-9);
	run_to(100);
	assert_int_equal(W.operator_at, T(43));
	assert_int_equal(W.restored_at, T(44.00005));
	sim_engine_free(W.e);
	volume_group_free(W.g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_freeze_timeout_pause),
		cmocka_unit_test(test_online_passes),
		cmocka_unit_test(test_restore),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
