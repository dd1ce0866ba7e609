/* test_mirror: the failover mirror's takeover rules (models/iris/mirror.c).
 *
 * A hand-built world: fabric with region 0 (AZs 0, 1, 2) and region 1 (AZ 3); host A (AZ 0,
 * primary at start), B (AZ 1, backup), ARB (AZ 2, arbiter) and DR (AZ 3, async); an IRIS
 * node per member on unlimited volumes with deterministic latency. Faults are applied to the
 * fabric directly at t = 10 s, as the injector does. Policy: QoS 8 s, Transition exactly 2 s,
 * reconnect 1 s, DR promotion after exactly 900 s. Network delay 0.5 ms.
 *
 * Expectations come from ../shared/reference/iris.md §1.3-1.5 and §2 and docs/models.md §9
 * (rules M1-M14); each table row names its rule. Observed through the listener and the observation sink (takeover
 * records, detection times, violations, timeline) and the public questions (primary host,
 * accepts writes, member status, fabric instance state).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fabric.h"
#include "iris.h"
#include "iris_node.h"
#include "mirror.h"
#include "sim.h"
#include "volume.h"

#define T(s) sim_time_from_s(s)
#define S(t) sim_time_to_s(t)
enum { A, B, ARB, DR, NHOST };
static const int az_region[] = {0, 0, 0, 1};
static const int host_az[] = {0, 1, 2, 3};
static const char *const names[] = {"iris-a", "iris-b", "arbiter", "iris-dr"};

struct world {
	struct sim_engine *e;
	struct fabric *f;
	struct volume_group *g[NHOST];
	struct iris_node_config ncfg;
	struct iris_node *node[NHOST];
	struct volume_logical *jrn[NHOST]; /* each member's journal volume */
	struct sim_entity *load;           /* submits updates to A (load_every) */
	struct iris_request rq[64];
	int nrq;
	int ctx[NHOST];
	struct mirror_policy_config pol;
	struct mirror *m;
	struct mirror_takeover tk[8];
	int ntk;
	sim_time detected[8];
	int ndet;
	int violations;
	char timeline[8192];
};

static struct world W;

/* ---- hooks ---------------------------------------------------------------------------------- */

static void h_timeline(void *arg, const char *source, const char *event)
{
	(void)arg;
	(void)source;
	size_t len = strlen(W.timeline);
	snprintf(W.timeline + len, sizeof(W.timeline) - len, "%.3f %s\n", S(sim_now(W.e)), event);
}
static void h_takeover(void *arg, const struct mirror *m, const struct mirror_takeover *t)
{
	(void)arg;
	(void)m;
	assert_true(W.ntk < 8);
	W.tk[W.ntk++] = *t;
}
static void h_detected(void *arg, const struct mirror *m, sim_time when)
{
	(void)arg;
	(void)m;
	if (W.ndet < 8)
		W.detected[W.ndet++] = when;
}
static void h_violation(void *arg, const char *inv, const char *detail)
{
	(void)arg;
	print_message("violation %s: %s\n", inv, detail);
	W.violations++;
}
static sim_time h_delay(void *arg, int from, int to, double bytes, gsl_rng *r)
{
	(void)arg;
	(void)r;
	(void)from;
	(void)to;
	return T(0.5e-3 + bytes / 1e9);
}
static void n_done(void *arg, struct iris_request *rq)
{
	(void)arg;
	(void)rq;
}
static void n_flushed(void *arg, double upto)
{
	int host = *(int *)arg;
	if (W.m)
		mirror_on_flush(W.m, host, upto);
}

/* ---- world ----------------------------------------------------------------------------------- */

struct setup {
	bool arbiter;
	int async_kind;     /* -1 none, else enum mirror_member_kind (MIRROR_DR / REPORTING) */
	bool dr_promotion;
	double qos;         /* s; 0 = 8 */
	uint64_t seed;
	double dejournal_cpu; /* s per record; 0: no dejournaling */
	int dejournal_updaters;
};

/* Load: an update of 70 blocks and 70 KiB of journal (a full buffer: flushed at once) to A
 * every 100 ms from t = 0.1 s, non-synchronous (done at once). */
enum { LOAD_EV, LOAD_EV_COUNT };
static void load_on_tick(struct sim_entity *self, const struct sim_event *ev)
{
	(void)ev;
	struct iris_request *rq = &W.rq[W.nrq++ % 64];
	*rq = (struct iris_request){.cpu_s = 0, .writes = 70, .journal_bytes = 70 * 1024.0};
	iris_node_submit(W.node[A], rq);
	sim_schedule_in(self->engine, self, T(0.1), LOAD_EV, NULL, 0);
}
static const sim_handler_fn load_handlers[LOAD_EV_COUNT] = {[LOAD_EV] = load_on_tick};
static const struct sim_entity_type load_type = {
	.name = "load", .handlers = load_handlers, .handler_count = LOAD_EV_COUNT};
static void start_load(void)
{
	W.load = sim_entity_new(W.e, &load_type, "load");
	assert_non_null(W.load);
	sim_schedule_at(W.e, W.load, T(0.1), LOAD_EV, NULL, 0);
}

static void world_build(struct setup s)
{
	memset(&W, 0, sizeof(W));
	W.e = sim_engine_new(s.seed ? s.seed : 1, 0);
	assert_non_null(W.e);
	W.f = fabric_new(2, 4, az_region, NHOST, host_az);
	assert_non_null(W.f);
	W.ncfg = (struct iris_node_config){.block_size = 8192, .journal_buffer_size = 65536,
					   .journal_sync_interval = 2 * SIM_S,
					   .write_daemon_cycle = 80 * SIM_S,
					   .write_daemon_queue_depth = 32, .journal_io_size = 262144};
	W.pol.qos_timeout = T(s.qos > 0 ? s.qos : 8);
	rng_dist_init_deterministic(&W.pol.transition_time, 2);
	rng_dist_init_deterministic(&W.pol.dr_promotion_delay, 900);
	W.pol.dr_promotion = s.dr_promotion;
	W.pol.journal_compression = 1;
	W.pol.reconnect_delay = 1 * SIM_S;
	W.pol.dejournal_cpu = T(s.dejournal_cpu);
	W.pol.dejournal_updaters = s.dejournal_updaters ? s.dejournal_updaters : 16;
	W.pol.dejournal_batch = s.dejournal_cpu > 0 ? 65536 : 0;
	struct mirror_member_init mem[3];
	size_t n = 0;
	for (int h = 0; h < NHOST; h++) {
		if (h == ARB || (h == DR && s.async_kind < 0))
			continue;
		struct host_ebs_params hp = {0, 0};
		W.g[h] = volume_group_new(W.e, names[h], &hp);
		struct volume_params vp = {.size = 1e11, .iops = INFINITY, .throughput = INFINITY,
					   .io_unit = 262144};
		rng_dist_init_deterministic(&vp.latency, 1e-3);
		struct volume_logical *v = volume_add(W.g[h], "db", 1, 4194304, &vp);
		assert_non_null(v);
		W.jrn[h] = volume_add(W.g[h], "jrn", 1, 4194304, &vp);
		assert_non_null(W.jrn[h]);
		W.ctx[h] = h;
		struct iris_node_params p = {.vcpu = 4, .hit_ratio = 1, .db = v, .journal = W.jrn[h],
					     .wij = v, .done = n_done, .lost = n_done,
					     .flushed = n_flushed, .done_arg = &W.ctx[h]};
		char nm[64];
		snprintf(nm, sizeof(nm), "node:%s", names[h]);
		W.node[h] = iris_node_new(W.e, nm, &W.ncfg, &p);
		assert_non_null(W.node[h]);
		iris_node_start(W.node[h]);
		mem[n++] = (struct mirror_member_init){
			.host = h, .name = names[h], .node = W.node[h],
			.kind = h == DR ? (enum mirror_member_kind)s.async_kind : MIRROR_FAILOVER};
	}
	static struct obs sink = {.timeline = h_timeline, .violation = h_violation};
	sink.arg = &W;
	struct mirror_env env = {.obs = &sink, .delay = h_delay, .delay_arg = &W};
	W.m = mirror_new(W.e, "MIRROR1", &W.pol, W.f, mem, n, s.arbiter ? ARB : -1, &env);
	assert_non_null(W.m);
	struct mirror_listener listener = {.arg = &W, .takeover = h_takeover,
					   .detected = h_detected};
	assert_int_equal(mirror_listen(W.m, &listener), 0);
	mirror_start(W.m);
}

static void world_free(void)
{
	sim_engine_free(W.e);
	for (int h = 0; h < NHOST; h++)
		volume_group_free(W.g[h]);
	fabric_free(W.f);
}

static void run_to(double s)
{
	int r = sim_run_until(W.e, T(s));
	if (r != SIM_END_TIME)
		fail_msg("run: %d %s", r, sim_engine_error_message(W.e));
}

/* As the injector applies a host_crash: one fabric change. */
static void crash(int h) { fabric_crash_host(W.f, h); }
static void reboot(int h)
{
	fabric_set_host_down(W.f, h, false);
	fabric_set_iris(W.f, h, FABRIC_IRIS_RUNNING);
}
static void hang(int h) { fabric_set_iris(W.f, h, FABRIC_IRIS_HUNG); }
static int cut(int az1, int az2) { return fabric_partition(W.f, -1, az1, -1, az2, false); }

static bool timeline_has(const char *text) { return strstr(W.timeline, text) != NULL; }

/* ---- the steady state ------------------------------------------------------------------------- */

static void test_steady_state(void **state)
{
	(void)state;
	world_build((struct setup){.arbiter = true, .async_kind = MIRROR_DR});
	run_to(100);
	assert_int_equal(mirror_primary_host(W.m), A);
	assert_true(mirror_accepts_writes(W.m));
	assert_int_equal(mirror_member_status(W.m, A), MIRROR_STATUS_OK);
	assert_int_equal(mirror_member_status(W.m, B), MIRROR_STATUS_FAIL);
	assert_int_equal(mirror_member_status(W.m, DR), MIRROR_STATUS_FAIL);
	assert_int_equal(mirror_member_status(W.m, ARB), MIRROR_STATUS_NONE); /* not a member */
	assert_true(mirror_has_host(W.m, DR));
	assert_false(mirror_has_host(W.m, ARB));
	assert_string_equal(mirror_name(W.m), "MIRROR1");
	assert_true(timeline_has("iris-a primary, iris-b backup (Active)"));
	assert_true(timeline_has("arbiter-controlled mode"));
	assert_int_equal(W.ntk, 0);
	assert_int_equal(W.ndet, 0);
	assert_int_equal(W.violations, 0);
	world_free();
}

/* ---- the takeover table ------------------------------------------------------------------------ */

enum fault { F_CRASH_A, F_HANG_A, F_ISOLATE_A, F_ISOLATE_B, F_ISOLATE_ALL, F_ARBITER_DOWN,
	     F_CRASH_B_THEN_CRASH_A, F_CRASH_B_THEN_HANG_A };

struct row {
	const char *name;
	const char *rule;
	bool arbiter;
	enum fault fault;
	bool takeover;            /* B becomes primary by t = 100 s */
	bool from_active;         /* the takeover record's from_active_backup */
	double decide_min, decide_max; /* window of t_decide, s */
	bool a_forced_down_now;   /* A's instance stopped (forced) once B is primary */
	int writes_at_60;         /* mirror_accepts_writes at 60 s: 1 yes, 0 no */
};

static const struct row rows[] = {
	{"primary host crash, arbiter-controlled", "M7a; HA 3.3.2.2 rule 2; Table 3-1", true,
	 F_CRASH_A, true, true, 14, 18, false, 1},
	{"primary host crash, agent-controlled: no takeover while its host is down",
	 "M7; HA 3.3.5.1", false, F_CRASH_A, false, false, 0, 0, false, 0},
	{"primary hang, agent-controlled: agent forces it down, takeover", "M7b; HA 3.3.2.2 rule 3",
	 false, F_HANG_A, true, true, 14, 18, true, 1},
	{"primary hang, arbiter-controlled (hung instance left hung: not running, M10)",
	 "M7a/b", true, F_HANG_A, true, true, 14, 18, false, 1},
	{"primary isolated, arbiter-controlled: takeover", "M7a; Table 3-1 primary isolated", true,
	 F_ISOLATE_A, true, true, 14, 18, false, 1},
	{"primary isolated, agent-controlled: no takeover, trouble 2xQoS then resumes",
	 "M6, M7; HA 3.3.5.1", false, F_ISOLATE_A, false, false, 0, 0, false, 1},
	{"backup isolated (loses primary and arbiter): no takeover, primary continues",
	 "M6; Table 3-1 backup isolated", true, F_ISOLATE_B, false, false, 0, 0, false, 1},
	{"all three connections lost: no takeover, primary in trouble indefinitely",
	 "M6; Table 3-1 all connections lost", true, F_ISOLATE_ALL, false, false, 0, 0, false, 0},
	{"arbiter fails: no takeover, primary continues", "M3; Table 3-1 arbiter fails", true,
	 F_ARBITER_DOWN, false, false, 0, 0, false, 1},
	{"backup not Active (catching up), primary host crash, arbiter: no takeover",
	 "M8, M12; HA 3.3.2.3", true, F_CRASH_B_THEN_CRASH_A, false, false, 0, 0, false, 0},
	{"backup not Active, primary hung: takeover through the agent", "M8; HA 3.3.2.3", true,
	 F_CRASH_B_THEN_HANG_A, true, false, 30.5, 30.5, true, 1},
};

static void apply_fault(enum fault f)
{
	switch (f) {
	case F_CRASH_A:
		crash(A);
		break;
	case F_HANG_A:
		hang(A);
		break;
	case F_ISOLATE_A:
		cut(0, 1);
		cut(0, 2);
		break;
	case F_ISOLATE_B:
		cut(1, 0);
		cut(1, 2);
		break;
	case F_ISOLATE_ALL:
		cut(0, 1);
		cut(0, 2);
		cut(1, 2);
		break;
	case F_ARBITER_DOWN:
		crash(ARB);
		break;
	case F_CRASH_B_THEN_CRASH_A:
	case F_CRASH_B_THEN_HANG_A:
		/* B crashes at 10 and reboots at 30: it rejoins not Active and needs 1 s to
		 * reconnect and then to catch up; A fails at 30.5, before it is Active again. */
		crash(B);
		run_to(30);
		reboot(B);
		run_to(30.5);
		if (f == F_CRASH_B_THEN_CRASH_A) {
			/* Host down first, then the instance: one atomic crash as the mirror
			 * should see it (see test_host_crash_seen_in_two_steps for the
			 * injector's order). */
			fabric_set_host_down(W.f, A, true);
			fabric_set_iris(W.f, A, FABRIC_IRIS_STOPPED);
		} else
			hang(A);
		break;
	}
}

static void test_takeover_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		print_message("row %zu: %s (%s)\n", i, r->name, r->rule);
		world_build((struct setup){.arbiter = r->arbiter, .async_kind = -1});
		run_to(10);
		apply_fault(r->fault);
		run_to(60);
		if (mirror_accepts_writes(W.m) != r->writes_at_60)
				assert_int_equal(mirror_accepts_writes(W.m), r->writes_at_60);
		run_to(100);
		assert_int_equal(W.violations, 0);
		if (!r->takeover) {
			assert_int_equal(W.ntk, 0);
			assert_int_not_equal(mirror_primary_host(W.m), B);
			world_free();
			continue;
		}
		if (W.ntk != 1)
				assert_int_equal(W.ntk, 1);
		const struct mirror_takeover *t = &W.tk[0];
		assert_string_equal(t->new_primary, "iris-b");
		assert_string_equal(t->old_primary, "iris-a");
		assert_false(t->promotion);
		assert_int_equal(t->from_active_backup, r->from_active);
		double decide = S(t->t_decide);
		if (decide < r->decide_min - 1e-9 || decide > r->decide_max + 1e-9)
			fail_msg("decide %.3f outside [%g, %g]", decide, r->decide_min, r->decide_max);
		assert_true(t->t_detect <= t->t_decide);
		/* Transition: exactly the configured 2 s (M9). */
		assert_int_equal(t->t_ready - t->t_decide, 2 * SIM_S);
		assert_int_equal(mirror_primary_host(W.m), B);
		assert_true(mirror_accepts_writes(W.m));
		assert_int_equal(mirror_member_status(W.m, B), MIRROR_STATUS_OK);
		if (r->a_forced_down_now) {
			/* Forced down: the instance is stopped on a host that is up (M7b, M10). */
			assert_true(fabric_host_up(W.f, A));
			assert_int_equal(fabric_iris(W.f, A), FABRIC_IRIS_STOPPED);
			assert_int_equal(mirror_member_status(W.m, A), MIRROR_STATUS_NONE);
		}
		world_free();
	}
}

/* ---- details of single rules --------------------------------------------------------------------- */

/* During Transition the taker answers 503, the old primary is still the primary of record
 * but accepts nothing; the taker answers 200 once ready (M9, M14). */
static void test_transition(void **state)
{
	(void)state;
	world_build((struct setup){.arbiter = true, .async_kind = -1});
	run_to(10);
	crash(A);
	/* Find the decision: step until the timeline says so. */
	double t = 10;
	while (!timeline_has("takes over") && t < 30) {
		t += 0.01;
		run_to(t);
	}
	assert_true(timeline_has("iris-b takes over (the arbiter also lost the primary)"));
	assert_false(mirror_accepts_writes(W.m));
	assert_int_equal(mirror_member_status(W.m, B), MIRROR_STATUS_FAIL);
	assert_int_equal(mirror_member_status(W.m, A), MIRROR_STATUS_NONE);
	run_to(t + 1.9);
	assert_int_equal(W.ntk, 0);
	assert_int_equal(mirror_member_status(W.m, B), MIRROR_STATUS_FAIL);
	run_to(t + 2.1);
	assert_int_equal(W.ntk, 1);
	assert_int_equal(mirror_member_status(W.m, B), MIRROR_STATUS_OK);
	assert_true(mirror_accepts_writes(W.m));
	world_free();
}

/* An isolated primary is in trouble indefinitely (it cannot keep committing) and, once the
 * backup took over, is forced down when connectivity returns (Table 3-1, M10). */
static void test_isolated_primary_forced_down_at_heal(void **state)
{
	(void)state;
	world_build((struct setup){.arbiter = true, .async_kind = -1});
	run_to(10);
	int p1 = cut(0, 1), p2 = cut(0, 2);
	double t = 10;
	while (!timeline_has("in trouble indefinitely") && t < 20) {
		t += 0.001;
		run_to(t);
	}
	/* At its detection the isolated primary is in trouble: still the primary of record
	 * (200 on mirror_status, M14), accepting nothing. */
	assert_true(timeline_has("primary iris-a lost backup and arbiter: in trouble indefinitely"));
	assert_true(t >= 14 && t <= 18.001);
	assert_true(W.ndet >= 1);
	assert_true(W.detected[0] >= T(14) && W.detected[0] <= T(18));
	assert_false(mirror_accepts_writes(W.m));
	assert_int_equal(mirror_primary_host(W.m), A);
	assert_int_equal(mirror_member_status(W.m, A), MIRROR_STATUS_OK);
	run_to(100);
	assert_int_equal(W.ntk, 1);
	assert_true(timeline_has("lost backup and arbiter: in trouble indefinitely"));
	/* A is still running, unreachable: not forced down yet; answers 503. */
	assert_int_equal(fabric_iris(W.f, A), FABRIC_IRIS_RUNNING);
	assert_int_equal(mirror_member_status(W.m, A), MIRROR_STATUS_FAIL);
	fabric_heal(W.f, p1);
	fabric_heal(W.f, p2);
	run_to(101);
	assert_int_equal(fabric_iris(W.f, A), FABRIC_IRIS_STOPPED);
	assert_true(timeline_has("iris-a forced down (found alive after a takeover)"));
	/* It stays down (until restarted by hand); B stays primary. */
	run_to(300);
	assert_int_equal(fabric_iris(W.f, A), FABRIC_IRIS_STOPPED);
	assert_int_equal(mirror_primary_host(W.m), B);
	assert_int_equal(W.violations, 0);
	world_free();
}

/* Agent-controlled: the primary that lost its Active backup is in trouble from its detection
 * for the trouble timeout 2 x QoS = 16 s, then resumes (M6, iris.md §0). */
static void test_agent_trouble_timeout(void **state)
{
	(void)state;
	world_build((struct setup){.arbiter = false, .async_kind = -1});
	run_to(10);
	crash(B);
	double t = 10;
	while (W.ndet == 0 && !timeline_has("trouble for up to") && t < 20) {
		t += 0.001;
		run_to(t);
	}
	assert_true(timeline_has("primary iris-a lost the backup: trouble for up to 2 x QoS"));
	assert_true(t >= 14 && t <= 18.001);
	assert_false(mirror_accepts_writes(W.m));
	run_to(t + 15.9);
	assert_false(mirror_accepts_writes(W.m));
	run_to(t + 16.1);
	assert_true(mirror_accepts_writes(W.m));
	assert_int_equal(W.ntk, 0);
	world_free();
}

/* Arbiter-controlled: losing the Active backup while the arbiter is reachable costs only the
 * round trip through the arbiter (2 x 0.5 ms), then agent-controlled mode (Table 3-1). */
static void test_arbiter_backup_loss_short_pause(void **state)
{
	(void)state;
	world_build((struct setup){.arbiter = true, .async_kind = -1});
	run_to(10);
	crash(B);
	double t = 10;
	while (!timeline_has("continues after switching") && t < 20) {
		t += 0.0001;
		run_to(t);
	}
	assert_true(timeline_has("primary iris-a lost the backup; continues after switching"));
	run_to(t + 0.002);
	assert_true(mirror_accepts_writes(W.m));
	/* (The switch to agent-controlled mode is not announced while the members cannot
	 * reach each other: docs/models.md §9 simplification; not asserted.) */
	assert_int_equal(W.ntk, 0);
	world_free();
}

/* Detection window: the loss of the primary is noticed uniformly in [QoS/2, QoS] after the
 * failure (iris.md §1.3, §1.5; M1). Over 200 seeds: all in [4, 8], mean 6 within 0.35 s
 * (SE 0.082 s), and the arbiter-controlled decision at max(backup's, arbiter's draw):
 * mean 4 + 4 x 2/3 = 6.667 s after the failure, within 0.35 s. With QoS 2 s: [1, 2]. */
static void test_detection_window(void **state)
{
	(void)state;
	const int n = 200;
	double sum_det = 0, sum_dec = 0, lo = 1e9, hi = -1;
	for (int i = 0; i < n; i++) {
		world_build((struct setup){.arbiter = true, .async_kind = -1, .seed = 100 + i});
		run_to(10);
		crash(A);
		run_to(40);
		assert_int_equal(W.ntk, 1);
		double det = S(W.tk[0].t_detect) - 10, dec = S(W.tk[0].t_decide) - 10;
		sum_det += det;
		sum_dec += dec;
		lo = fmin(lo, det);
		hi = fmax(hi, dec);
		assert_true(dec >= det);
		world_free();
	}
	assert_true(lo >= 4 - 1e-9);
	assert_true(hi <= 8 + 1e-9);
	assert_true(lo < 4.2); /* the window is used, not a point */
	assert_true(fabs(sum_det / n - 6) < 0.35);
	assert_true(fabs(sum_dec / n - (4 + 8.0 / 3)) < 0.35);
	for (int i = 0; i < 20; i++) {
		world_build((struct setup){.arbiter = true, .async_kind = -1, .qos = 2,
					   .seed = 500 + i});
		run_to(10);
		crash(A);
		run_to(20);
		assert_int_equal(W.ntk, 1);
		double det = S(W.tk[0].t_detect) - 10, dec = S(W.tk[0].t_decide) - 10;
		assert_true(det >= 1 - 1e-9 && dec <= 2 + 1e-9);
		world_free();
	}
}

/* DR async: never promoted automatically; an operator promotes it 900 s after the mirror
 * stopped accepting writes when enabled (M13, iris.md §2). A reporting async never is. */
static void test_dr_promotion(void **state)
{
	(void)state;
	/* Promotion disabled: nothing, ever. */
	world_build((struct setup){.arbiter = true, .async_kind = MIRROR_DR, .dr_promotion = false});
	run_to(10);
	crash(A);
	crash(B);
	run_to(3000);
	assert_int_equal(W.ntk, 0);
	assert_int_equal(mirror_member_status(W.m, DR), MIRROR_STATUS_FAIL);
	assert_false(mirror_accepts_writes(W.m));
	world_free();

	/* Enabled: at 10 + 900 s, then Transition 2 s. */
	world_build((struct setup){.arbiter = true, .async_kind = MIRROR_DR, .dr_promotion = true});
	run_to(10);
	crash(A);
	crash(B);
	run_to(909.9);
	assert_int_equal(W.ntk, 0);
	run_to(913);
	assert_int_equal(W.ntk, 1);
	assert_true(W.tk[0].promotion);
	assert_false(W.tk[0].from_active_backup);
	assert_string_equal(W.tk[0].new_primary, "iris-dr");
	assert_int_equal(W.tk[0].t_decide, T(910));
	assert_int_equal(W.tk[0].t_ready, T(912));
	assert_int_equal(mirror_primary_host(W.m), DR);
	assert_int_equal(mirror_member_status(W.m, DR), MIRROR_STATUS_OK);
	assert_true(mirror_accepts_writes(W.m));
	world_free();

	/* A takeover within the failover pair cancels the operator's timer. */
	world_build((struct setup){.arbiter = true, .async_kind = MIRROR_DR, .dr_promotion = true});
	run_to(10);
	crash(A);
	run_to(2000);
	assert_int_equal(W.ntk, 1);
	assert_string_equal(W.tk[0].new_primary, "iris-b");
	assert_int_equal(mirror_primary_host(W.m), B);
	world_free();

	/* A reporting async is never promoted. */
	world_build((struct setup){.arbiter = true, .async_kind = MIRROR_REPORTING,
				   .dr_promotion = true});
	run_to(10);
	crash(A);
	crash(B);
	run_to(3000);
	assert_int_equal(W.ntk, 0);
	world_free();
}

/* Agent-controlled, primary host crash: when the host reboots its agent confirms the
 * instance is down and the backup takes over; the restarted old primary serves nothing and
 * is forced down (M7b, M12, M10; the no-arbiter drill of docs/models.md §9). */
static void test_agent_takeover_at_reboot(void **state)
{
	(void)state;
	world_build((struct setup){.arbiter = false, .async_kind = -1});
	run_to(10);
	crash(A);
	run_to(190);
	assert_int_equal(W.ntk, 0);
	reboot(A);
	run_to(193);
	assert_int_equal(W.ntk, 1);
	assert_int_equal(W.tk[0].t_decide, T(190));
	assert_true(W.tk[0].t_detect >= T(14) && W.tk[0].t_detect <= T(18));
	assert_int_equal(mirror_primary_host(W.m), B);
	assert_int_equal(fabric_iris(W.f, A), FABRIC_IRIS_STOPPED);
	assert_int_equal(W.violations, 0);
	world_free();
}

/* After a takeover the old partner rejoins as a backup that is not Active: it reconnects,
 * catches up and becomes Active, and arbiter-controlled mode returns (M11, M3): a second
 * failure of the new primary then fails over back. */
static void test_rejoin_and_fail_back(void **state)
{
	(void)state;
	world_build((struct setup){.arbiter = true, .async_kind = -1});
	run_to(10);
	hang(A);  /* forced down by B's agent query */
	run_to(40);
	assert_int_equal(W.ntk, 1);
	/* A's host reboots (its instance restarts after being forced down). */
	fabric_set_host_down(W.f, A, true);
	run_to(41);
	reboot(A);
	run_to(60);
	assert_true(timeline_has("iris-a restarted as backup"));
	assert_true(timeline_has("backup iris-a caught up: Active"));
	assert_int_equal(mirror_member_status(W.m, A), MIRROR_STATUS_FAIL);
	crash(B);
	run_to(100);
	assert_int_equal(W.ntk, 2);
	assert_string_equal(W.tk[1].new_primary, "iris-a");
	assert_true(W.tk[1].from_active_backup);
	assert_int_equal(mirror_primary_host(W.m), A);
	assert_int_equal(W.violations, 0);
	world_free();
}

/* A hung old primary that the backup replaced on the arbiter's word (M7a) is not forced down
 * while hung (not running). When its hang clears it is running and reachable again, so it
 * must be forced down (M10; Table 3-1 "forces the old primary down when connectivity
 * returns") and stay down until restarted by hand (iris.md §1.1, HA §3.3.2.2). */
static void test_hung_old_primary_forced_down_when_hang_clears(void **state)
{
	(void)state;
	int tries = 0;
	for (uint64_t seed = 1; seed < 40 && tries < 3; seed++) {
		world_build((struct setup){.arbiter = true, .async_kind = -1, .seed = seed});
		run_to(10);
		hang(A);
		run_to(40);
		assert_int_equal(W.ntk, 1);
		if (!timeline_has("(the arbiter also lost the primary)")) {
			world_free(); /* the agent path forced it down already: not this case */
			continue;
		}
		tries++;
		assert_int_equal(fabric_iris(W.f, A), FABRIC_IRIS_HUNG);
		fabric_set_iris(W.f, A, FABRIC_IRIS_RUNNING); /* the hang clears (injector) */
		run_to(60);
		if (fabric_iris(W.f, A) != FABRIC_IRIS_STOPPED)
				assert_int_equal(fabric_iris(W.f, A), FABRIC_IRIS_STOPPED);
		assert_true(timeline_has("iris-a forced down (found alive after a takeover)"));
		assert_false(timeline_has("iris-a restarted as backup"));
		assert_int_equal(mirror_primary_host(W.m), B);
		assert_true(mirror_accepts_writes(W.m));
		assert_int_equal(mirror_member_status(W.m, A), MIRROR_STATUS_NONE);
		assert_int_equal(W.violations, 0);
		/* It stays down until its host reboots, then rejoins as backup (M10, M12). */
		fabric_set_host_down(W.f, A, true);
		run_to(61);
		fabric_set_host_down(W.f, A, false);
		fabric_set_iris(W.f, A, FABRIC_IRIS_RUNNING);
		run_to(80);
		assert_true(timeline_has("iris-a restarted as backup"));
		assert_int_equal(mirror_primary_host(W.m), B);
		assert_int_equal(W.violations, 0);
		world_free();
	}
	assert_true(tries > 0);
}

/* A hung old primary whose hang clears while it is cut off from the new primary is forced
 * down when the cut heals (M10: "when connectivity returns"), not made backup. */
static void test_hung_old_primary_forced_down_at_heal(void **state)
{
	(void)state;
	int tries = 0;
	for (uint64_t seed = 1; seed < 40 && tries < 2; seed++) {
		world_build((struct setup){.arbiter = true, .async_kind = -1, .seed = seed});
		run_to(10);
		hang(A);
		run_to(40);
		if (!timeline_has("(the arbiter also lost the primary)")) {
			world_free();
			continue;
		}
		tries++;
		int cut_ab = cut(0, 1);
		run_to(41);
		fabric_set_iris(W.f, A, FABRIC_IRIS_RUNNING);
		run_to(50);
		assert_int_equal(fabric_iris(W.f, A), FABRIC_IRIS_RUNNING);
		assert_int_equal(mirror_member_status(W.m, A), MIRROR_STATUS_FAIL); /* serves nothing */
		assert_int_equal(mirror_primary_host(W.m), B);
		fabric_heal(W.f, cut_ab);
		run_to(60);
		assert_int_equal(fabric_iris(W.f, A), FABRIC_IRIS_STOPPED);
		assert_true(timeline_has("iris-a forced down (found alive after a takeover)"));
		assert_int_equal(W.violations, 0);
		world_free();
	}
	assert_true(tries > 0);
}

static int timeline_count(const char *text)
{
	int n = 0;
	for (const char *at = W.timeline; (at = strstr(at, text)); at++)
		n++;
	return n;
}

/* A hung primary forced down by its agent is taken over once: one Transition (of exactly
 * 2 s here), not a second one begun from the force-down's own fabric announcement, which
 * made the takeover end at the earlier of two Transition draws. */
static void test_agent_takeover_begins_once(void **state)
{
	(void)state;
	world_build((struct setup){.arbiter = false, .async_kind = -1});
	run_to(10);
	hang(A);
	run_to(40);
	assert_true(timeline_has("iris-a forced down (hung, by its agent)"));
	if (timeline_count("takes over") != 1)
		assert_int_equal(timeline_count("takes over"), 1);
	assert_int_equal(W.ntk, 1);
	assert_int_equal(W.tk[0].t_ready - W.tk[0].t_decide, T(2));
	assert_int_equal(W.violations, 0);
	world_free();
}

/* A host crash is one fabric change (models/faults/injector.c, fabric_crash_host): the
 * instance never looks stopped on a host that is still up. Here the backup has already lost
 * the primary (not Active, reconnecting after its own reboot) when the primary's host
 * crashes: it must not take over, since it cannot reach the primary's agent (HA 3.3.2.3 /
 * M8; agent-controlled mode: "never while the primary's host is down"). Before the fix the
 * crash was two announcements (instance stopped, then host down) and the backup's agent
 * query succeeded in between, so a non-Active backup took over from a crashed host. */
static void test_host_crash_seen_in_two_steps(void **state)
{
	(void)state;
	world_build((struct setup){.arbiter = true, .async_kind = -1});
	run_to(10);
	crash(B);
	run_to(30);
	reboot(B);
	run_to(30.5);
	crash(A);
	run_to(100);
	if (W.ntk > 0)
		assert_int_equal(W.ntk, 0);
	assert_false(timeline_has("the primary's agent confirms it is down"));
	assert_false(mirror_accepts_writes(W.m)); /* the whole mirror is out until iris-a reboots */
	assert_int_equal(W.violations, 0);
	world_free();
}

/* ---- acknowledgements, catching up and the backlog to apply ------------------------------- */

/* Time of the first timeline event containing `text` at or after `from` s, or -1. */
static double timeline_at(const char *text, double from)
{
	const char *p = W.timeline;
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		double t = atof(p);
		const char *hit = strstr(p, text);
		if (hit && (!eol || hit < eol) && t >= from)
			return t;
		p = eol ? eol + 1 : NULL;
	}
	return -1;
}

/* iris.md §1.3 (a), HA §3.3.5.1, §3.3.2.1: the backup's journal volume turns 10,000 times
 * slower at 10.05 s (each write 10 s). The shipment of 10.1 s is not acknowledged; the
 * primary's journal writes wait for it (updates stall within a buffer) until the QoS window
 * drawn in [4, 8] s from the shipment passes: the primary disconnects the backup, which is no
 * longer Active (arbiter mode: a short pause, then agent mode), and its updates go on without
 * waiting. The backup reconnects 1 s later and catches up in rounds; a round that takes more
 * than QoS/2 (its journal write of 10 s) is not caught up, so it stays not Active until the
 * volume is restored at 30 s and its last slow write (begun at 20.1 s) is done. */
static void test_slow_backup_loses_active(void **state)
{
	(void)state;
	world_build((struct setup){.arbiter = true, .async_kind = -1});
	start_load();
	run_to(10.05);
	assert_int_equal(volume_set_degraded(W.jrn[B], 10000, 1), 0);
	run_to(10.15);
	double stalled = iris_node_journal_durable(W.node[A]);
	run_to(14.0);
	assert_true(iris_node_journal_durable(W.node[A]) == stalled); /* waits for the ack */
	run_to(20);
	double late = timeline_at("acknowledgement late", 0);
	assert_true(late >= 14.1 && late <= 18.11);
	assert_true(timeline_at("primary-backup connection lost", late) == late);
	assert_true(timeline_at("agent-controlled mode", late) == late);
	assert_true(timeline_at("catching up", late) - late > 0.999 &&
		    timeline_at("catching up", late) - late < 1.001);
	assert_true(mirror_accepts_writes(W.m));
	double d20 = iris_node_journal_durable(W.node[A]);
	run_to(25);
	/* No longer waiting: 50 updates of 70 KiB flushed in 5 s. */
	assert_true(iris_node_journal_durable(W.node[A]) - d20 >= 49 * 70 * 1024.0);
	assert_true(timeline_at("caught up: Active", 0) < 0);
	run_to(29.9);
	assert_true(timeline_at("caught up: Active", 0) < 0);
	assert_int_equal(volume_set_degraded(W.jrn[B], 1, 1), 0);
	run_to(40);
	double back = timeline_at("caught up: Active", 0);
	assert_true(back > 30.1 && back < 30.3);
	assert_true(timeline_at("arbiter-controlled mode", back) == back);
	assert_true(timeline_at("acknowledgement late", late + 0.001) < 0); /* once */
	struct mirror_member_stats st;
	mirror_member_stats(W.m, B, &st);
	assert_int_equal(st.ack_timeouts, 1);
	assert_true(fabs(st.ack_max_s - (late - 10.101)) < 2e-3); /* timeline: ms */
	assert_int_equal(W.ntk, 0);
	assert_int_equal(W.violations, 0);
	world_free();
}

/* The backup dejournals with one updater at 2 ms per record, 500 records/s, while it receives
 * 700 (one record per KiB of journal): its backlog grows by 200 KiB/s. The primary crashes at
 * 40 s; the backup takes over (arbiter), spends the 2 s Transition, then applies what is left
 * at 500 KiB/s before it is primary (iris.md §1.1: Transition lasts while it applies
 * journal). */
static void test_takeover_applies_backlog(void **state)
{
	(void)state;
	world_build((struct setup){.arbiter = true, .async_kind = -1, .dejournal_cpu = 2e-3,
				   .dejournal_updaters = 1});
	start_load();
	run_to(39.95);
	double backlog = iris_node_dejournal_backlog(W.node[B]);
	assert_true(backlog > 7000 * 1024.0 && backlog < 8200 * 1024.0); /* about 200 KiB/s x 40 s */
	assert_true(iris_node_dejournal_backlog(W.node[A]) == 0);
	crash(A);
	run_to(80);
	assert_int_equal(W.ntk, 1);
	double decide = S(W.tk[0].t_decide), ready = S(W.tk[0].t_ready);
	double applies = timeline_at("applies", 0);
	assert_true(fabs(applies - (decide + 2)) < 1e-3); /* timeline: ms */
	const char *line = strstr(W.timeline, "applies ");
	assert_non_null(line);
	double left = atof(line + strlen("applies "));
	assert_true(left > 3000 * 1024.0);
	/* ready when the rest is applied at 500 KiB/s, to one batch (64 records, 128 ms) */
	assert_true(fabs(ready - (decide + 2 + left / (500 * 1024.0))) < 0.13);
	assert_true(iris_node_dejournal_backlog(W.node[B]) == 0);
	assert_int_equal(mirror_primary_host(W.m), B);
	assert_int_equal(W.violations, 0);
	world_free();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steady_state),
		cmocka_unit_test(test_takeover_table),
		cmocka_unit_test(test_transition),
		cmocka_unit_test(test_isolated_primary_forced_down_at_heal),
		cmocka_unit_test(test_agent_trouble_timeout),
		cmocka_unit_test(test_arbiter_backup_loss_short_pause),
		cmocka_unit_test(test_detection_window),
		cmocka_unit_test(test_dr_promotion),
		cmocka_unit_test(test_agent_takeover_at_reboot),
		cmocka_unit_test(test_rejoin_and_fail_back),
		cmocka_unit_test(test_hung_old_primary_forced_down_when_hang_clears),
		cmocka_unit_test(test_hung_old_primary_forced_down_at_heal),
		cmocka_unit_test(test_host_crash_seen_in_two_steps),
		cmocka_unit_test(test_agent_takeover_begins_once),
		cmocka_unit_test(test_slow_backup_loses_active),
		cmocka_unit_test(test_takeover_applies_backlog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
