/* test_iris_node: an IRIS data server (models/iris/iris_node.c).
 *
 * A hand-built node on volumes with no rate limits and deterministic latencies (journal
 * 1 ms, database 2 ms, WIJ 3 ms), so every completion time is exact arithmetic. The tests
 * check the rules of iris_node.h and docs/models.md §3, §4, §6: CPU as c FCFS servers; block
 * reads hitting the global buffers with the hit ratio, misses read one after another; the
 * journal flushed every sync interval, on a full buffer, on a synchronous commit and at
 * every write-daemon cycle, one flush writing everything buffered in IOs of at most
 * journal_io_size; the write daemon writing the blocks dirtied before its cycle to the WIJ
 * and then to the database with a bounded queue; ExternalFreeze stopping it; trouble pausing
 * updates; a stop dropping requests and the unflushed buffer; the backup acknowledgement;
 * storage errors (iris-2.md §1-2): a failed block read ending its request with an error, a
 * write daemon that cannot write becoming stuck after db_error_freeze_after and resuming at
 * the first write that succeeds (also by probing while stopped), the switch to the alternate
 * journal volume and the freeze when both journal volumes fail.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "iris_node.h"
#include "sim.h"
#include "volume.h"

#define KIB 1024.0
#define MAXRQ 4096
#define MAXFL 64

#define T(s) sim_time_from_s(s)

struct world {
	struct sim_engine *e;
	struct volume_group *g;
	struct volume_logical *jrn, *db, *wij, *alt; /* alt: NULL unless a test adds it */
	sim_time stuck_t[8];     /* stuck callback times */
	bool stuck_v[8];         /* and values */
	int nstuck;
	bool stop_when_stuck;    /* the callback stops the node, as the world does */
	struct iris_node_config cfg;
	struct iris_node *n;
	struct sim_entity *drv;
	struct iris_request rq[MAXRQ];
	sim_time done_at[MAXRQ]; /* -1 = not done */
	sim_time lost_at[MAXRQ];
	int done_order[MAXRQ];
	int ndone, nlost;
	sim_time flush_t[MAXFL];
	double flush_upto[MAXFL];
	int nflush;
};

static struct world W; /* large: static */

static int idx(const struct iris_request *rq) { return (int)(rq - W.rq); }

static void on_done(void *arg, struct iris_request *rq)
{
	(void)arg;
	int i = idx(rq);
	assert_true(W.done_at[i] < 0);
	W.done_at[i] = sim_now(W.e);
	W.done_order[W.ndone++] = i;
}

static void on_lost(void *arg, struct iris_request *rq)
{
	(void)arg;
	W.lost_at[idx(rq)] = sim_now(W.e);
	W.nlost++;
}

static void on_flushed(void *arg, double upto)
{
	(void)arg;
	assert_true(W.nflush < MAXFL);
	W.flush_t[W.nflush] = sim_now(W.e);
	W.flush_upto[W.nflush++] = upto;
}

static void on_stuck(void *arg, bool stuck)
{
	(void)arg;
	assert_true(W.nstuck < 8);
	W.stuck_t[W.nstuck] = sim_now(W.e);
	W.stuck_v[W.nstuck++] = stuck;
	if (stuck && W.stop_when_stuck)
		iris_node_stop(W.n);
}

/* Driver: submits request #payload at its event's time. */
enum { DRV_SUBMIT, DRV_COUNT };
static void drv_on_submit(struct sim_entity *self, const struct sim_event *ev)
{
	(void)self;
	int i = *(const int *)sim_event_payload(ev);
	iris_node_submit(W.n, &W.rq[i]);
}
static const sim_handler_fn drv_handlers[DRV_COUNT] = {[DRV_SUBMIT] = drv_on_submit};
static const struct sim_entity_type drv_type = {
	.name = "drv", .handlers = drv_handlers, .handler_count = DRV_COUNT};

static struct volume_logical *mkvol(const char *name, double latency)
{
	struct volume_params p = {.size = 100 * 1024 * KIB * KIB, .iops = INFINITY,
				  .throughput = INFINITY, .io_unit = 256 * KIB};
	assert_int_equal(rng_dist_init_deterministic(&p.latency, latency), 0);
	struct volume_logical *v = volume_add(W.g, name, 1, 4 * KIB * KIB, &p);
	assert_non_null(v);
	return v;
}

/* Defaults of the "iris" table (docs/models.md §6) unless changed before world_node. */
static void world_init(void)
{
	memset(&W, 0, sizeof(W));
	for (int i = 0; i < MAXRQ; i++)
		W.done_at[i] = W.lost_at[i] = -1;
	W.e = sim_engine_new(1, 0);
	assert_non_null(W.e);
	struct host_ebs_params hp = {0, 0};
	W.g = volume_group_new(W.e, "iris-a", &hp);
	assert_non_null(W.g);
	W.jrn = mkvol("jrn", 1e-3);
	W.db = mkvol("db", 2e-3);
	W.wij = mkvol("wij", 3e-3);
	W.cfg = (struct iris_node_config){.global_buffers = 0, .block_size = 8 * KIB,
					  .journal_buffer_size = 64 * KIB,
					  .journal_sync_interval = 2 * SIM_S,
					  .write_daemon_cycle = 80 * SIM_S,
					  .write_daemon_queue_depth = 32,
					  .journal_io_size = 256 * KIB,
					  .db_error_policy = IRIS_DB_ERROR_HANG,
					  .db_error_freeze_after = 3 * SIM_S,
					  .io_retry_interval = 1 * SIM_S,
					  .journal_switch_time = 1 * SIM_S};
	W.drv = sim_entity_new(W.e, &drv_type, "drv");
	assert_non_null(W.drv);
}

static void world_node(int vcpu, double hit)
{
	struct iris_node_params p = {.vcpu = vcpu, .hit_ratio = hit, .db = W.db,
				     .journal = W.jrn, .journal_alt = W.alt, .wij = W.wij,
				     .done = on_done, .lost = on_lost, .flushed = on_flushed,
				     .done_arg = &W, .stuck = on_stuck, .stuck_arg = &W};
	W.n = iris_node_new(W.e, "iris-a", &W.cfg, &p);
	assert_non_null(W.n);
	iris_node_start(W.n);
}

static void world_free(void)
{
	sim_engine_free(W.e);
	volume_group_free(W.g);
}

static void run_to(double s)
{
	int r = sim_run_until(W.e, T(s));
	if (r != SIM_END_TIME)
		fail_msg("run: %d %s", r, sim_engine_error_message(W.e));
}

/* Request i: cpu, reads, writes, journal bytes, sync; submitted at time at. */
static void req(int i, double at, double cpu, uint32_t reads, uint32_t writes, double jbytes,
		bool sync)
{
	W.rq[i] = (struct iris_request){.cpu_s = cpu, .block_reads = reads, .writes = writes,
					.journal_bytes = jbytes, .sync_commit = sync};
	sim_schedule_at(W.e, W.drv, T(at), DRV_SUBMIT, &i, sizeof(i));
}

static struct volume_stats vstats(struct volume_logical *v)
{
	struct volume_stats s;
	volume_stats(v, &s);
	return s;
}

/* ---- CPU ------------------------------------------------------------------------------------ */

/* c = 2 servers, FCFS: four 1 s requests at 0 finish at 1, 1, 2, 2 in arrival order;
 * utilisation over [0, 4] = 4 CPU-s / (2 x 4 s) = 0.5; queue: 2 waiting for 1 s = 0.5. */
static void test_cpu_servers(void **state)
{
	(void)state;
	world_init();
	world_node(2, 1.0);
	for (int i = 0; i < 4; i++)
		req(i, 0, 1.0, 0, 0, 0, false);
	run_to(4);
	assert_int_equal(W.done_at[0], T(1));
	assert_int_equal(W.done_at[1], T(1));
	assert_int_equal(W.done_at[2], T(2));
	assert_int_equal(W.done_at[3], T(2));
	for (int i = 0; i < 4; i++)
		assert_int_equal(W.done_order[i], i);
	struct iris_node_stats st;
	iris_node_stats(W.n, &st);
	assert_true(fabs(st.cpu_utilisation - 0.5) < 1e-9);
	assert_true(fabs(st.cpu_queue_mean - 0.5) < 1e-9);
	/* A fifth request alone is served at once. */
	req(4, 5, 0.25, 0, 0, 0, false);
	run_to(6);
	assert_int_equal(W.done_at[4], T(5.25));
	world_free();
}

/* ---- global buffers ---------------------------------------------------------------------------- */

static void test_hit_ratio_extremes(void **state)
{
	(void)state;
	world_init();
	world_node(8, 0.0);
	/* Hit ratio 0: every read misses; misses are read one after another (2 ms each). */
	req(0, 0, 0.01, 5, 0, 0, false);
	run_to(1);
	assert_int_equal(W.done_at[0], T(0.01 + 5 * 2e-3));
	struct iris_node_stats st;
	iris_node_stats(W.n, &st);
	assert_int_equal(st.block_reads, 5);
	assert_int_equal(st.physical_reads, 5);
	assert_int_equal(vstats(W.db).ios, 5);
	assert_true(fabs(vstats(W.db).bytes - 5 * 8 * KIB) < 1e-6);
	world_free();

	world_init();
	world_node(8, 1.0);
	/* Hit ratio 1: no physical read. */
	req(0, 0, 0.01, 500, 0, 0, false);
	run_to(1);
	assert_int_equal(W.done_at[0], T(0.01));
	iris_node_stats(W.n, &st);
	assert_int_equal(st.block_reads, 500);
	assert_int_equal(st.physical_reads, 0);
	assert_int_equal(vstats(W.db).ios, 0);
	world_free();
}

/* Hit ratio 0.9 over 100 000 logical reads: misses are Binomial(100000, 0.1): mean 10000,
 * sd 94.9; tolerance 5 sd. A hit ratio of 0.89 or 0.91 would be 10 sd off. */
static void test_hit_ratio_statistics(void **state)
{
	(void)state;
	world_init();
	world_node(64, 0.9);
	for (int i = 0; i < 2000; i++)
		req(i, i * 0.01, 1e-4, 50, 0, 0, false);
	run_to(100);
	assert_int_equal(W.ndone, 2000);
	struct iris_node_stats st;
	iris_node_stats(W.n, &st);
	assert_int_equal(st.block_reads, 100000);
	double sd = sqrt(100000 * 0.1 * 0.9);
	if (fabs((double)st.physical_reads - 10000) > 5 * sd)
		fail_msg("physical reads %llu, want 10000 +- %.0f",
			 (unsigned long long)st.physical_reads, 5 * sd);
	assert_int_equal(vstats(W.db).ios, st.physical_reads);
	world_free();
}

/* ---- journal ------------------------------------------------------------------------------------- */

/* Periodic sync every 2 s; nothing buffered, no flush. A plain (non-synchronous) update
 * responds at once, before the journal write. */
static void test_journal_periodic_sync(void **state)
{
	(void)state;
	world_init();
	world_node(8, 1.0);
	req(0, 0.5, 0.01, 0, 1, 1000, false);
	run_to(1.9);
	assert_int_equal(W.done_at[0], T(0.51));
	assert_int_equal(W.nflush, 0);
	assert_true(iris_node_journal_appended(W.n) == 1000);
	assert_true(iris_node_journal_durable(W.n) == 0);
	run_to(2.5);
	assert_int_equal(W.nflush, 1);
	assert_int_equal(W.flush_t[0], T(2.001)); /* sync at 2 s + 1 ms journal write */
	assert_true(W.flush_upto[0] == 1000);
	assert_true(iris_node_journal_durable(W.n) == 1000);
	/* Idle syncs at 4, 6, 8 s write nothing. */
	run_to(9);
	assert_int_equal(W.nflush, 1);
	req(1, 9.2, 0.01, 0, 0, 500, false);
	run_to(11);
	assert_int_equal(W.nflush, 2);
	assert_int_equal(W.flush_t[1], T(10.001));
	assert_true(W.flush_upto[1] == 1500);
	struct iris_node_stats st;
	iris_node_stats(W.n, &st);
	assert_int_equal(st.journal_flushes, 2);
	assert_true(st.journal_bytes == 1500);
	assert_int_equal(vstats(W.jrn).ios, 2);
	world_free();
}

/* A full buffer (64 KiB) is flushed at once. */
static void test_journal_buffer_full(void **state)
{
	(void)state;
	world_init();
	world_node(8, 1.0);
	for (int i = 0; i < 3; i++)
		req(i, 0.1, 0.001, 0, 0, 16 * KIB, false);
	run_to(0.5);
	assert_int_equal(W.nflush, 0); /* 48 KiB: not full */
	req(3, 0.6, 0.001, 0, 0, 16 * KIB, false);
	run_to(0.7);
	assert_int_equal(W.nflush, 1);
	assert_int_equal(W.flush_t[0], T(0.602));
	assert_true(W.flush_upto[0] == 64 * KIB);
	assert_int_equal(W.done_at[3], T(0.601)); /* not waiting for the flush */
	world_free();
}

/* A flush is written as IOs of at most journal_io_size (256 KiB): 600 KiB is 3 IOs. */
static void test_journal_flush_ios(void **state)
{
	(void)state;
	world_init();
	world_node(8, 1.0);
	req(0, 0.1, 0.001, 0, 0, 600 * KIB, false);
	run_to(0.5);
	assert_int_equal(W.nflush, 1);
	assert_int_equal(W.flush_t[0], T(0.102));
	struct volume_stats vs = vstats(W.jrn);
	assert_int_equal(vs.ios, 3);
	assert_true(fabs(vs.bytes - 600 * KIB) < 1e-6);
	world_free();
}

/* A synchronous commit waits for the flush holding its bytes (it asks for one at once);
 * commits arriving during a flush share the next one (one flush writes everything). */
static void test_sync_commit_and_group_commit(void **state)
{
	(void)state;
	world_init();
	world_node(8, 1.0);
	req(0, 0.1, 0.001, 0, 0, 100, true);   /* flush 1: 0.101 -> 0.102 */
	req(1, 0.1, 0.001, 0, 0, 100, false);  /* plain: at once */
	req(2, 0.1012, 0.0003, 0, 0, 100, true); /* at 0.1015, flush 1 busy: waits */
	req(3, 0.1013, 0.0003, 0, 0, 100, true); /* at 0.1016: shares flush 2 */
	run_to(0.5);
	assert_int_equal(W.done_at[1], T(0.101));
	assert_int_equal(W.done_at[0], T(0.102));
	assert_int_equal(W.done_at[2], T(0.103));
	assert_int_equal(W.done_at[3], T(0.103));
	/* Flush 1 holds what was buffered when it started (commit 0's 100 bytes); the plain
	 * update appended just after rides in flush 2 with commits 2 and 3. */
	assert_int_equal(W.nflush, 2);
	assert_true(W.flush_upto[0] == 100);
	assert_true(W.flush_upto[1] == 400);
	world_free();
}

/* ---- backup acknowledgement (mirror sync in the journal cycle) --------------------------------- */

static void test_backup_ack(void **state)
{
	(void)state;
	world_init();
	world_node(8, 1.0);
	iris_node_set_backup_ack(W.n, true);
	req(0, 0.1, 0.001, 0, 0, 100, true);
	run_to(0.5);
	/* Flushed locally at 0.102 but not acknowledged: still waiting. */
	assert_int_equal(W.nflush, 1);
	assert_int_equal(W.done_at[0], -1);
	/* The next journal write waits for the ack of the previous one. */
	req(1, 0.6, 0.001, 0, 0, 100, true);
	run_to(1.0);
	assert_int_equal(W.nflush, 1);
	assert_int_equal(W.done_at[1], -1);
	/* The ack of the first flush releases commit 0 and lets flush 2 go. */
	iris_node_backup_acked(W.n, 100);
	assert_int_equal(W.done_at[0], T(1.0));
	run_to(1.5);
	assert_int_equal(W.nflush, 2);
	assert_int_equal(W.done_at[1], -1);
	iris_node_backup_acked(W.n, 200);
	assert_int_equal(W.done_at[1], T(1.5));
	/* Without the requirement the local flush suffices. */
	iris_node_set_backup_ack(W.n, false);
	req(2, 2.1, 0.001, 0, 0, 100, true);
	run_to(3);
	assert_int_equal(W.done_at[2], T(2.102));
	world_free();
}

/* Updates stop when a full buffer cannot be written for want of an ack (docs/models.md §6). */
static void test_journal_stall_without_ack(void **state)
{
	(void)state;
	world_init();
	world_node(8, 1.0);
	iris_node_set_backup_ack(W.n, true);
	/* 64 KiB fills the buffer: flush at 0.101 -> 0.102, then no ack. */
	req(0, 0.1, 0.001, 0, 0, 64 * KIB, false);
	/* Another 64 KiB: appended (buffer not yet full behind the unacked flush). */
	req(1, 0.2, 0.001, 0, 0, 64 * KIB, false);
	/* Now 64 KiB are waiting behind an unacknowledged write: updates stall; reads go on. */
	req(2, 0.3, 0.001, 0, 1, 10, false);
	req(3, 0.3, 0.001, 0, 0, 0, false);
	run_to(1.0);
	assert_int_equal(W.done_at[0], T(0.101));
	assert_int_equal(W.done_at[1], T(0.201));
	assert_int_equal(W.done_at[2], -1);
	assert_int_equal(W.done_at[3], T(0.301));
	iris_node_backup_acked(W.n, 64 * KIB);
	assert_int_equal(W.done_at[2], T(1.0));
	world_free();
}

/* ---- trouble and stop ---------------------------------------------------------------------------- */

static void test_pause_writes(void **state)
{
	(void)state;
	world_init();
	world_node(8, 1.0);
	iris_node_pause_writes(W.n, true);
	req(0, 0.1, 0.001, 0, 1, 0, false);    /* a set */
	req(1, 0.1, 0.001, 3, 0, 0, false);    /* a read */
	req(2, 0.2, 0.001, 0, 0, 100, false);  /* journal bytes only */
	req(3, 0.3, 0.001, 0, 0, 0, true);     /* a sync commit */
	run_to(1);
	assert_int_equal(W.done_at[1], T(0.101));
	assert_int_equal(W.done_at[0], -1);
	assert_int_equal(W.done_at[2], -1);
	assert_int_equal(W.done_at[3], -1);
	iris_node_pause_writes(W.n, false);
	/* Released in order at once; the sync commit then waits for its flush (1 ms). */
	assert_int_equal(W.done_at[0], T(1));
	assert_int_equal(W.done_at[2], T(1));
	assert_int_equal(W.done_at[3], -1);
	run_to(1.5);
	assert_int_equal(W.done_at[3], T(1.001));
	assert_int_equal(W.done_order[1], 0);
	assert_int_equal(W.done_order[2], 2);
	assert_int_equal(W.done_order[3], 3);
	world_free();
}

static void test_stop_and_restart(void **state)
{
	(void)state;
	world_init();
	world_node(1, 1.0);
	req(0, 0.1, 0.5, 0, 0, 1000, false);   /* on the CPU at the stop */
	req(1, 0.1, 0.5, 0, 0, 1000, false);   /* queued for the CPU */
	req(2, 0.3, 0.001, 0, 0, 0, false);    /* queued */
	run_to(0.4);
	iris_node_stop(W.n);
	assert_false(iris_node_running(W.n));
	/* Queued requests are dropped now, the one on the CPU when its CPU time ends. */
	assert_int_equal(W.lost_at[1], T(0.4));
	assert_int_equal(W.lost_at[2], T(0.4));
	assert_int_equal(W.lost_at[0], -1);
	run_to(1);
	assert_int_equal(W.lost_at[0], T(0.6));
	assert_int_equal(W.ndone, 0);
	/* Submitted while down: dropped at once. */
	req(3, 1.5, 0.001, 0, 0, 0, false);
	run_to(2.5);
	assert_int_equal(W.lost_at[3], T(1.5));
	assert_int_equal(W.nflush, 0);
	iris_node_restart(W.n);
	req(4, 3, 0.001, 0, 0, 100, false);
	run_to(5);
	assert_int_equal(W.done_at[4], T(3.001));
	assert_int_equal(W.nflush, 1);
	assert_true(W.flush_upto[0] == 100);
	world_free();
}

/* The unflushed journal buffer dies with the instance. */
static void test_stop_loses_unflushed_journal(void **state)
{
	(void)state;
	world_init();
	world_node(8, 1.0);
	req(0, 0.1, 0.001, 0, 0, 1000, false);
	run_to(2.5); /* flushed at 2.001 */
	req(1, 3.0, 0.001, 0, 0, 500, false);
	run_to(3.5);
	assert_true(iris_node_journal_appended(W.n) == 1500);
	iris_node_stop(W.n);
	assert_true(iris_node_journal_appended(W.n) == 1000);
	assert_true(iris_node_journal_durable(W.n) == 1000);
	world_free();
}

/* ---- write daemon --------------------------------------------------------------------------------- */

/* Cycle every 5 s (journal sync set to 1 h to isolate it): the blocks dirtied before the
 * cycle go to the WIJ (100 x 8 KiB = 800 KiB as 4 IOs of at most 256 KiB), then to the
 * database as 100 IOs of 8 KiB, at most 32 outstanding: WIJ 5.000 -> 5.003, database in
 * waves of 32, 32, 32, 4 IOs of 2 ms: 5.003 -> 5.011. */
static void test_write_daemon_cycle(void **state)
{
	(void)state;
	world_init();
	W.cfg.write_daemon_cycle = 5 * SIM_S;
	W.cfg.journal_sync_interval = 3600 * SIM_S;
	world_node(8, 1.0);
	for (int i = 0; i < 10; i++)
		req(i, 1.0, 0.001, 0, 10, 100, false);
	run_to(4.99);
	assert_int_equal(vstats(W.wij).ios, 0);
	assert_int_equal(vstats(W.db).ios, 0);
	assert_int_equal(W.nflush, 0);
	run_to(5.0025);
	/* Each cycle syncs the journal too (iris.md §6). */
	assert_int_equal(W.nflush, 1);
	assert_int_equal(W.flush_t[0], T(5.001));
	assert_true(W.flush_upto[0] == 1000);
	assert_int_equal(vstats(W.wij).ios, 4);
	assert_int_equal(vstats(W.db).ios, 0); /* database writes wait for the WIJ phase */
	run_to(5.0035);
	assert_int_equal(vstats(W.db).ios, 32); /* queue depth */
	run_to(5.0055);
	assert_int_equal(vstats(W.db).ios, 64);
	struct iris_node_stats st;
	iris_node_stats(W.n, &st);
	assert_int_equal(st.wd_cycles, 0);
	/* Blocks dirtied during the cycle wait for the next one. */
	req(10, 5.006, 0.0001, 0, 7, 0, false);
	run_to(5.0105);
	iris_node_stats(W.n, &st);
	assert_int_equal(st.wd_cycles, 0);
	run_to(5.0115);
	iris_node_stats(W.n, &st);
	assert_int_equal(st.wd_cycles, 1);
	assert_int_equal(st.wd_blocks, 100);
	struct volume_stats db = vstats(W.db);
	assert_int_equal(db.ios, 100);
	assert_true(fabs(db.bytes - 100 * 8 * KIB) < 1e-6);
	run_to(10.1);
	iris_node_stats(W.n, &st);
	assert_int_equal(st.wd_cycles, 2);
	assert_int_equal(st.wd_blocks, 107);
	assert_int_equal(vstats(W.db).ios, 107);
	world_free();
}

/* WIJ bytes equal the dirty blocks' bytes: journal_io_size is the largest WIJ IO
 * (iris_node.c field table: "largest IO of a journal flush or WIJ write"). */
static void test_write_daemon_wij_bytes(void **state)
{
	(void)state;
	world_init();
	W.cfg.write_daemon_cycle = 5 * SIM_S;
	W.cfg.journal_sync_interval = 3600 * SIM_S;
	world_node(8, 1.0);
	for (int i = 0; i < 10; i++)
		req(i, 1.0, 0.001, 0, 10, 0, false);
	run_to(6);
	struct volume_stats wij = vstats(W.wij);
	assert_int_equal(wij.ios, 4);
	double want = 100 * 8 * KIB;
	/* 100 dirty 8 KiB blocks (800 KiB): 3 x 256 KiB and a last IO of 32 KiB. */
	if (fabs(wij.bytes - want) > 1e-6)
		print_message("WIJ bytes %.0f, want %.0f\n", wij.bytes, want);
	assert_true(fabs(wij.bytes - want) <= 1e-6);
	world_free();
}

/* ExternalFreeze: no write-daemon writes while frozen; the journal goes on; after the thaw
 * the next cycle writes everything dirtied meanwhile. */
static void test_freeze(void **state)
{
	(void)state;
	world_init();
	W.cfg.write_daemon_cycle = 5 * SIM_S;
	world_node(8, 1.0);
	iris_node_freeze(W.n, true);
	req(0, 0.5, 0.001, 0, 50, 1000, false);
	run_to(2.5);
	assert_int_equal(W.nflush, 1); /* journal sync at 2 s as usual */
	assert_int_equal(W.done_at[0], T(0.501)); /* users keep updating */
	run_to(9.9);
	assert_int_equal(vstats(W.wij).ios, 0);
	assert_int_equal(vstats(W.db).ios, 0);
	struct iris_node_stats st;
	iris_node_stats(W.n, &st);
	assert_int_equal(st.wd_cycles, 0);
	req(1, 9.95, 0.001, 0, 30, 0, false);
	iris_node_freeze(W.n, false);
	run_to(10.5);
	iris_node_stats(W.n, &st);
	assert_int_equal(st.wd_cycles, 1);
	assert_int_equal(st.wd_blocks, 80);
	assert_int_equal(vstats(W.db).ios, 80);
	world_free();
}

/* ---- storage errors (iris-2.md §1-2) ----------------------------------------------------- */

/* A failed database volume fails a block read at once: the request is done at once with
 * `failed` set and its update is not applied; after the repair reads work again. */
static void test_read_error_fails_request(void **state)
{
	(void)state;
	world_init();
	world_node(8, 0.0); /* every block read misses */
	volume_set_failed(W.db, true);
	req(0, 1.0, 0.001, 2, 1, 100, false);
	run_to(1.5);
	assert_int_equal(W.done_at[0], T(1.001)); /* CPU, then the first read fails at once */
	assert_true(W.rq[0].failed);
	assert_true(iris_node_journal_appended(W.n) == 0); /* nothing applied */
	volume_set_failed(W.db, false);
	req(1, 2.0, 0.001, 2, 1, 100, false);
	run_to(3);
	assert_int_equal(W.done_at[1], T(2.005)); /* 1 ms CPU + 2 reads of 2 ms */
	assert_false(W.rq[1].failed);
	struct iris_node_stats st;
	iris_node_stats(W.n, &st);
	assert_int_equal(st.read_errors, 1);
	world_free();
}

/* The write daemon cannot write to a failed database volume: it retries every 1 s and is
 * stuck once it has been unable to write for 3 s; the first write after the repair
 * succeeds, it reports so and finishes its pass. Cycle at 5 s: WIJ (3 ms) to 5.003, the 10
 * database writes fail at 5.003, 6.003, 7.003 (stuck: 3 s), 8.003 and 9.003; repaired at
 * 9.5, written at 10.003 + 2 ms. */
static void test_write_daemon_stuck_and_resume(void **state)
{
	(void)state;
	world_init();
	W.cfg.write_daemon_cycle = 5 * SIM_S;
	W.cfg.journal_sync_interval = 3600 * SIM_S;
	world_node(8, 1.0);
	volume_set_failed(W.db, true);
	req(0, 1.0, 0.001, 0, 10, 0, false);
	run_to(9.5);
	assert_int_equal(W.nstuck, 1);
	assert_int_equal(W.stuck_t[0], T(8.003));
	assert_true(W.stuck_v[0]);
	struct iris_node_stats st;
	iris_node_stats(W.n, &st);
	assert_int_equal(st.wd_errors, 50);
	assert_int_equal(st.wd_cycles, 0);
	volume_set_failed(W.db, false);
	run_to(10.1);
	assert_int_equal(W.nstuck, 2);
	assert_int_equal(W.stuck_t[1], T(10.005));
	assert_false(W.stuck_v[1]);
	iris_node_stats(W.n, &st);
	assert_int_equal(st.wd_cycles, 1);
	assert_int_equal(st.wd_blocks, 10);
	world_free();
}

/* Stuck and stopped (the world hangs or takes down the instance): the node probes the
 * failing volume every 1 s and reports the first write that succeeds. Stuck at 8.003 as
 * above; probes at 9.003 and 10.003 fail; repaired at 10.5; the probe at 11.003 is written
 * at 11.005. */
static void test_stuck_probe_while_stopped(void **state)
{
	(void)state;
	world_init();
	W.cfg.write_daemon_cycle = 5 * SIM_S;
	W.cfg.journal_sync_interval = 3600 * SIM_S;
	W.stop_when_stuck = true;
	world_node(8, 1.0);
	volume_set_failed(W.db, true);
	req(0, 1.0, 0.001, 0, 10, 0, false);
	run_to(10.5);
	assert_int_equal(W.nstuck, 1);
	assert_int_equal(W.stuck_t[0], T(8.003));
	assert_false(iris_node_running(W.n));
	volume_set_failed(W.db, false);
	run_to(12);
	assert_int_equal(W.nstuck, 2);
	assert_int_equal(W.stuck_t[1], T(11.005));
	assert_false(W.stuck_v[1]);
	world_free();
}

/* The primary journal volume fails: the flush of a sync commit at 0.501 fails at once,
 * updates pause for the 1 s switch, then the journal is written to the alternate volume
 * (1 ms): the commit is durable at 1.502; a plain set arriving during the switch waits
 * for it (1.501). */
static void test_journal_switch_to_alternate(void **state)
{
	(void)state;
	world_init();
	W.alt = mkvol("alt", 1e-3);
	world_node(8, 1.0);
	volume_set_failed(W.jrn, true);
	req(0, 0.5, 0.001, 0, 1, 1000, true);
	req(1, 1.0, 0.001, 0, 1, 100, false);
	run_to(3);
	assert_int_equal(W.done_at[1], T(1.501));
	assert_int_equal(W.done_at[0], T(1.502));
	struct iris_node_stats st;
	iris_node_stats(W.n, &st);
	assert_int_equal(st.journal_switches, 1);
	assert_int_equal(st.journal_freezes, 0);
	assert_true(vstats(W.alt).ios >= 1);
	/* It stays on the alternate (the sync at 2 s writes the set there). */
	assert_true(iris_node_journal_durable(W.n) == 1100);
	world_free();
}

/* Both journal volumes fail: the switch (0.501 to 1.501) leads to a failed write on the
 * alternate too, and journaled updates freeze; each periodic sync retries on the other
 * volume (2 s: primary, fails; 4 s: alternate, repaired at 2.5): thawed at 4.001. */
static void test_journal_both_fail_freeze(void **state)
{
	(void)state;
	world_init();
	W.alt = mkvol("alt", 1e-3);
	world_node(8, 1.0);
	volume_set_failed(W.jrn, true);
	volume_set_failed(W.alt, true);
	req(0, 0.5, 0.001, 0, 1, 1000, true);
	req(1, 3.0, 0.001, 0, 1, 100, false);
	run_to(2.5);
	volume_set_failed(W.alt, false);
	run_to(3.9);
	assert_int_equal(W.done_at[0], -1);
	assert_int_equal(W.done_at[1], -1); /* frozen: updates wait */
	run_to(5);
	assert_int_equal(W.done_at[0], T(4.001));
	assert_int_equal(W.done_at[1], T(4.001));
	struct iris_node_stats st;
	iris_node_stats(W.n, &st);
	assert_int_equal(st.journal_switches, 1);
	assert_int_equal(st.journal_freezes, 1);
	world_free();
}

/* A backup or async member writes the journal it receives at once, one write per arrival:
 * 100 KiB received at 0.5 s is durable at 0.501 (one IO); an older position changes
 * nothing; 10 KiB more at 0.6 s is written at once (0.601), not at the periodic sync; what
 * arrives while a write is under way goes in the next write, issued when it completes. */
static void test_journal_receive(void **state)
{
	(void)state;
	world_init();
	world_node(8, 1.0);
	run_to(0.5);
	iris_node_journal_receive(W.n, 100 * KIB, 0);
	iris_node_journal_receive(W.n, 50 * KIB, 0); /* older position: nothing */
	run_to(0.55);
	assert_int_equal(W.nflush, 1);
	assert_int_equal(W.flush_t[0], T(0.501));
	assert_true(iris_node_journal_durable(W.n) == 100 * KIB);
	run_to(0.6);
	iris_node_journal_receive(W.n, 110 * KIB, 0);
	run_to(1.0);
	assert_int_equal(W.nflush, 2);
	assert_int_equal(W.flush_t[1], T(0.601));
	iris_node_journal_receive(W.n, 120 * KIB, 0);
	run_to(1.0005);
	iris_node_journal_receive(W.n, 130 * KIB, 0); /* during the write of 120 */
	run_to(1.9);
	assert_int_equal(W.nflush, 4);
	assert_int_equal(W.flush_t[2], T(1.001));
	assert_true(W.flush_upto[2] == 120 * KIB);
	assert_int_equal(W.flush_t[3], T(1.002));
	assert_true(W.flush_upto[3] == 130 * KIB);
	assert_int_equal(vstats(W.jrn).ios, 4);
	world_free();
}

static int applied_calls;
static void on_applied(void *arg)
{
	(void)arg;
	applied_calls++;
}

/* Dejournaling (iris_node.h): written journal is applied by parallel updaters capped by the
 * vCPUs (2 here), one batch (8 KiB = 8 records at one record per KiB) each; a batch costs
 * 8 x 1 ms of CPU, then its 8 block reads (all miss: hit ratio 0) one after another at 2 ms
 * each, and dirties 8 blocks. 32 KiB received at 0.5 s: written at 0.501; batches 1-2 on
 * CPU to 0.509, read to 0.525; batches 3-4 CPU to 0.533, read to 0.549. The write daemon
 * at 80 s writes the 32 dirtied blocks. */
static void test_dejournal(void **state)
{
	(void)state;
	world_init();
	world_node(2, 0.0);
	struct iris_dejournal_params dj = {.cpu_per_record = 1e-3, .updaters = 16,
					   .batch_bytes = 8 * KIB, .applied = on_applied};
	applied_calls = 0;
	iris_node_set_dejournal(W.n, &dj);
	run_to(0.5);
	iris_node_journal_receive(W.n, 32 * KIB, 1.0 / 1024);
	run_to(0.52);
	assert_true(iris_node_dejournal_backlog(W.n) == 32 * KIB);
	assert_true(iris_node_journal_applied(W.n) == 0);
	run_to(0.5245);
	assert_true(iris_node_dejournal_backlog(W.n) == 32 * KIB);
	run_to(0.5255);
	assert_true(iris_node_dejournal_backlog(W.n) == 16 * KIB); /* batches 1-2 applied */
	run_to(0.5485);
	assert_true(iris_node_dejournal_backlog(W.n) == 16 * KIB);
	run_to(0.5495);
	assert_true(iris_node_dejournal_backlog(W.n) == 0);
	assert_true(iris_node_journal_applied(W.n) == 32 * KIB);
	assert_true(applied_calls >= 4);
	struct iris_node_stats st;
	iris_node_stats(W.n, &st);
	assert_int_equal(st.dejournal_records, 32);
	assert_int_equal(st.physical_reads, 32);
	assert_true(st.dejournal_backlog_max == 32 * KIB);
	assert_true(fabs(iris_node_cpu_seconds(W.n) - 0.032) < 1e-9);
	run_to(81);
	iris_node_stats(W.n, &st);
	assert_int_equal(st.wd_blocks, 32);
	/* Taking over: a reset counts everything as applied and stops receiving. */
	iris_node_journal_receive(W.n, 40 * KIB, -1);
	iris_node_journal_reset(W.n, 40 * KIB);
	assert_true(iris_node_dejournal_backlog(W.n) == 0);
	world_free();
}

/* The primary's records per journal byte: sets and kills over journal bytes its requests
 * appended (2 + 3 blocks over 1000 + 1500 bytes). */
static void test_records_per_byte(void **state)
{
	(void)state;
	world_init();
	world_node(8, 1.0);
	assert_true(iris_node_records_per_byte(W.n) == 0);
	req(0, 0.1, 0.001, 0, 2, 1000, false);
	req(1, 0.2, 0.001, 0, 3, 1500, false);
	run_to(1);
	assert_true(fabs(iris_node_records_per_byte(W.n) - 5.0 / 2500) < 1e-15);
	world_free();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_servers),
		cmocka_unit_test(test_hit_ratio_extremes),
		cmocka_unit_test(test_hit_ratio_statistics),
		cmocka_unit_test(test_journal_periodic_sync),
		cmocka_unit_test(test_journal_buffer_full),
		cmocka_unit_test(test_journal_flush_ios),
		cmocka_unit_test(test_sync_commit_and_group_commit),
		cmocka_unit_test(test_backup_ack),
		cmocka_unit_test(test_journal_stall_without_ack),
		cmocka_unit_test(test_pause_writes),
		cmocka_unit_test(test_stop_and_restart),
		cmocka_unit_test(test_stop_loses_unflushed_journal),
		cmocka_unit_test(test_write_daemon_cycle),
		cmocka_unit_test(test_write_daemon_wij_bytes),
		cmocka_unit_test(test_freeze),
		cmocka_unit_test(test_read_error_fails_request),
		cmocka_unit_test(test_write_daemon_stuck_and_resume),
		cmocka_unit_test(test_stuck_probe_while_stopped),
		cmocka_unit_test(test_journal_switch_to_alternate),
		cmocka_unit_test(test_journal_both_fail_freeze),
		cmocka_unit_test(test_journal_receive),
		cmocka_unit_test(test_dejournal),
		cmocka_unit_test(test_records_per_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
