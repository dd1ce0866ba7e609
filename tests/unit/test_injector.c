/* test_injector: scheduled and stochastic faults (models/faults/injector.c).
 *
 * A hand-built fabric (region r0 with AZs az0, az1; region r1 with az2; hosts h0, h1 in az0
 * and az1, h2 in az2) and one volume h0/db with a deterministic 1 ms latency. Fake hooks
 * resolve names and log every start, end, freeze and restart with its simulated time; a
 * fabric listener and a probe entity observe the state at chosen instants. Scheduled faults
 * must start at `at` and end at `at + for` (never when for = 0) on their target, with the
 * effects listed in injector.h and docs/models.md §11. Stochastic classes must alternate
 * MTBF and MTTR draws per component, starting up at 0; their means and spread are checked
 * against the exponential law with tolerances of about 5 standard errors.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fabric.h"
#include "injector.h"
#include "sim.h"
#include "volume.h"

#define T(s) sim_time_from_s(s)
#define MAXLOG 200000

static char *host_names[] = {"h0", "h1", "h2"};
static char *az_names[] = {"az0", "az1", "az2"};
static char *region_names[] = {"r0", "r1"};
static const int az_region[] = {0, 0, 1};
static const int host_az[] = {0, 1, 2};

struct entry {
	sim_time t;
	char what;        /* 's' started, 'e' ended, 'f' freeze, 'r' restart */
	int id;           /* incident id, or host for f / r */
	bool on;          /* freeze */
	char kind[32];
	char target[64];
};

struct world {
	struct sim_engine *e;
	struct fabric *f;
	struct volume_group *g;
	struct volume_logical *db;
	struct injector *inj;
	struct entry *log;
	size_t nlog;
	int next_incident;
	int announcements;
};

static struct world W;

static int find(char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}
static int h_host(void *arg, const char *name) { (void)arg; return find(host_names, 3, name); }
static int h_az(void *arg, const char *name) { (void)arg; return find(az_names, 3, name); }
static int h_region(void *arg, const char *name) { (void)arg; return find(region_names, 2, name); }
static struct volume_logical *h_volume(void *arg, const char *name)
{
	(void)arg;
	return strcmp(name, "h0/db") == 0 ? W.db : NULL;
}
static struct lb *h_lb(void *arg, const char *name)
{
	(void)arg;
	(void)name;
	return NULL;
}

static struct entry *add(char what)
{
	assert_true(W.nlog < MAXLOG);
	struct entry *x = &W.log[W.nlog++];
	memset(x, 0, sizeof(*x));
	x->t = sim_now(W.e);
	x->what = what;
	return x;
}
static void h_freeze(void *arg, int host, bool frozen)
{
	(void)arg;
	struct entry *x = add('f');
	x->id = host;
	x->on = frozen;
}
static void h_restart(void *arg, int host)
{
	(void)arg;
	add('r')->id = host;
}
static int h_started(void *arg, const char *kind, const char *target)
{
	(void)arg;
	struct entry *x = add('s');
	x->id = ++W.next_incident;
	snprintf(x->kind, sizeof(x->kind), "%s", kind);
	snprintf(x->target, sizeof(x->target), "%s", target);
	return x->id;
}
static void h_ended(void *arg, int incident)
{
	(void)arg;
	add('e')->id = incident;
}

static void on_fabric(void *arg)
{
	(void)arg;
	W.announcements++;
}

/* Aiming: when set, stochastic classes aim at this component only. */
static const char *aim_only;
static bool h_aims(void *arg, const struct stochastic_fault_config *c, const char *name)
{
	(void)arg;
	(void)c;
	return !aim_only || strcmp(aim_only, name) == 0;
}

static const struct injector_hooks hooks = {
	.arg = &W, .host_index = h_host, .az_index = h_az, .region_index = h_region,
	.volume = h_volume, .lb = h_lb, .freeze = h_freeze, .restart_iris = h_restart,
	.started = h_started, .ended = h_ended, .aims = h_aims};

static void world_init(void)
{
	static struct entry log[MAXLOG];
	memset(&W, 0, sizeof(W));
	W.log = log;
	W.e = sim_engine_new(3, 0);
	assert_non_null(W.e);
	W.f = fabric_new(2, 3, az_region, 3, host_az);
	assert_non_null(W.f);
	assert_int_equal(fabric_subscribe(W.f, on_fabric, NULL), 0);
	struct host_ebs_params hp = {0, 0};
	W.g = volume_group_new(W.e, "h0", &hp);
	struct volume_params p = {.size = 1e11, .iops = INFINITY, .throughput = INFINITY,
				  .io_unit = 262144};
	rng_dist_init_deterministic(&p.latency, 1e-3);
	W.db = volume_add(W.g, "db", 1, 4194304, &p);
	assert_non_null(W.db);
}

static void world_start(const struct fault_config *faults, size_t n,
			const struct stochastic_fault_config *st, size_t nst)
{
	const char *hosts[] = {"h0", "h1", "h2"};
	const char *vols[] = {"h0/db"};
	const char *azs[] = {"az0", "az1", "az2"};
	const char *regions[] = {"r0", "r1"};
	const char *links[] = {"az0", "az1", "r0", "r1"};
	W.inj = injector_new(W.e, W.f, faults, n, st, nst, hosts, 3, vols, 1, azs, 3, regions, 2,
			     links, 2, &hooks);
	assert_non_null(W.inj);
	injector_start(W.inj);
}

static void world_free(void)
{
	injector_free(W.inj);
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

static size_t count(char what)
{
	size_t n = 0;
	for (size_t i = 0; i < W.nlog; i++)
		n += W.log[i].what == what;
	return n;
}

static struct fault_config fault(int kind, const char *target, double at, double dur)
{
	return (struct fault_config){.kind = kind, .target = (char *)target, .at = T(at),
				     .duration = T(dur), .latency_factor = 10, .iops_factor = 1,
				     .probability = 1};
}

/* ---- scheduled ------------------------------------------------------------------------------- */

static void test_host_crash(void **state)
{
	(void)state;
	world_init();
	struct fault_config f[] = {fault(FAULT_HOST_CRASH, "h1", 10, 5)};
	world_start(f, 1, NULL, 0);
	run_to(10);
	assert_true(fabric_host_up(W.f, 1));
	assert_int_equal(W.nlog, 0);
	run_to(10.000000001);
	assert_false(fabric_host_up(W.f, 1));
	assert_int_equal(fabric_iris(W.f, 1), FABRIC_IRIS_STOPPED);
	assert_true(fabric_host_up(W.f, 0)); /* only the target */
	assert_true(fabric_host_up(W.f, 2));
	assert_int_equal(W.nlog, 1);
	assert_int_equal(W.log[0].what, 's');
	assert_int_equal(W.log[0].t, T(10));
	assert_string_equal(W.log[0].kind, "host_crash");
	assert_string_equal(W.log[0].target, "h1");
	run_to(15);
	assert_false(fabric_host_up(W.f, 1));
	run_to(16);
	/* At 15 s: the host is back, its instance rebooted (running), restart hook, incident
	 * closed. */
	assert_true(fabric_host_up(W.f, 1));
	assert_true(fabric_iris_running(W.f, 1));
	assert_int_equal(W.nlog, 3);
	assert_int_equal(W.log[1].what, 'r');
	assert_int_equal(W.log[1].id, 1);
	assert_int_equal(W.log[1].t, T(15));
	assert_int_equal(W.log[2].what, 'e');
	assert_int_equal(W.log[2].id, W.log[0].id);
	assert_int_equal(W.log[2].t, T(15));
	/* A crash of a host whose instance was stopped reboots it too (docs/models.md §11). */
	world_free();
}

static void test_iris_hang(void **state)
{
	(void)state;
	world_init();
	struct fault_config f[] = {fault(FAULT_IRIS_HANG, "h0", 1, 2),
				   fault(FAULT_IRIS_HANG, "h1", 1, 2)};
	world_start(f, 2, NULL, 0);
	run_to(1.5);
	assert_true(fabric_host_up(W.f, 0)); /* host and agent alive */
	assert_int_equal(fabric_iris(W.f, 0), FABRIC_IRIS_HUNG);
	assert_int_equal(fabric_iris(W.f, 1), FABRIC_IRIS_HUNG);
	/* h1 is forced down meanwhile: its hang's end leaves it stopped. */
	fabric_set_iris(W.f, 1, FABRIC_IRIS_STOPPED);
	run_to(3.5);
	assert_int_equal(fabric_iris(W.f, 0), FABRIC_IRIS_RUNNING);
	assert_int_equal(fabric_iris(W.f, 1), FABRIC_IRIS_STOPPED);
	assert_int_equal(count('s'), 2);
	assert_int_equal(count('e'), 2);
	assert_int_equal(count('r'), 0); /* no reboot for a hang */
	world_free();
}

static void test_az_and_region_outage(void **state)
{
	(void)state;
	world_init();
	struct fault_config f[] = {fault(FAULT_AZ_OUTAGE, "az1", 1, 2),
				   fault(FAULT_REGION_OUTAGE, "r1", 5, 1)};
	world_start(f, 2, NULL, 0);
	run_to(2);
	assert_false(fabric_az_up(W.f, 1));
	assert_false(fabric_host_up(W.f, 1));
	assert_true(fabric_host_up(W.f, 0));
	assert_true(fabric_host_up(W.f, 2));
	run_to(4);
	assert_true(fabric_host_up(W.f, 1));
	run_to(5.5);
	assert_false(fabric_az_up(W.f, 2));
	assert_false(fabric_host_up(W.f, 2));
	assert_true(fabric_host_up(W.f, 0));
	assert_true(fabric_host_up(W.f, 1));
	run_to(7);
	assert_true(fabric_host_up(W.f, 2));
	assert_int_equal(W.nlog, 4);
	assert_string_equal(W.log[0].kind, "az_outage");
	assert_string_equal(W.log[0].target, "az1");
	assert_int_equal(W.log[1].t, T(3));
	assert_string_equal(W.log[2].kind, "region_outage");
	assert_string_equal(W.log[2].target, "r1");
	assert_int_equal(W.log[2].t, T(5));
	assert_int_equal(W.log[3].t, T(6));
	world_free();
}

static void test_partitions(void **state)
{
	(void)state;
	world_init();
	char *ab[] = {"az0", "az1"};
	char *regions[] = {"r1", "r0"};
	struct fault_config f[3] = {fault(FAULT_PARTITION, NULL, 1, 1),
				    fault(FAULT_PARTITION, NULL, 3, 1),
				    fault(FAULT_PARTITION, NULL, 5, 1)};
	f[0].between = ab;
	f[0].between_count = 2;
	f[1].between = ab;
	f[1].between_count = 2;
	f[1].direction = PARTITION_ONE_WAY;
	f[2].between = regions;
	f[2].between_count = 2;
	f[2].direction = PARTITION_ONE_WAY;
	world_start(f, 3, NULL, 0);
	struct fabric_place p0 = fabric_host_place(W.f, 0), p1 = fabric_host_place(W.f, 1),
			    p2 = fabric_host_place(W.f, 2);
	run_to(1.5);
	assert_false(fabric_reaches(W.f, p0, p1));
	assert_false(fabric_reaches(W.f, p1, p0));
	assert_true(fabric_hosts_talk(W.f, 0, 2));
	assert_true(fabric_host_up(W.f, 0));
	run_to(2.5);
	assert_true(fabric_hosts_talk(W.f, 0, 1));
	run_to(3.5);
	/* One way: the first side cannot reach the second. */
	assert_false(fabric_reaches(W.f, p0, p1));
	assert_true(fabric_reaches(W.f, p1, p0));
	run_to(4.5);
	assert_true(fabric_reaches(W.f, p0, p1));
	run_to(5.5);
	/* Regions, one way: r1 cannot reach r0. */
	assert_false(fabric_reaches(W.f, p2, p0));
	assert_true(fabric_reaches(W.f, p0, p2));
	assert_true(fabric_hosts_talk(W.f, 0, 1));
	run_to(6.5);
	assert_true(fabric_hosts_talk(W.f, 0, 2));
	assert_int_equal(count('s'), 3);
	assert_int_equal(count('e'), 3);
	assert_string_equal(W.log[0].target, "az0 <-> az1");
	assert_string_equal(W.log[2].target, "az0 -> az1");
	assert_string_equal(W.log[4].target, "r1 -> r0");
	assert_string_equal(W.log[4].kind, "partition");
	world_free();
}

static void test_arbiter_loss_and_freeze(void **state)
{
	(void)state;
	world_init();
	struct fault_config f[] = {fault(FAULT_ARBITER_LOSS, "h2", 1, 1),
				   fault(FAULT_BACKUP_FREEZE, "h0", 2, 3)};
	world_start(f, 2, NULL, 0);
	run_to(1.5);
	assert_false(fabric_host_up(W.f, 2));
	run_to(2.5);
	assert_true(fabric_host_up(W.f, 2));
	run_to(6);
	/* s(arbiter) r e s(freeze) f(on) f(off) e */
	assert_int_equal(W.nlog, 7);
	assert_int_equal(W.log[4].what, 'f');
	assert_int_equal(W.log[4].id, 0);
	assert_true(W.log[4].on);
	assert_int_equal(W.log[4].t, T(2));
	assert_int_equal(W.log[5].what, 'f');
	assert_false(W.log[5].on);
	assert_int_equal(W.log[5].t, T(5));
	assert_string_equal(W.log[3].kind, "backup_freeze");
	assert_true(fabric_host_up(W.f, 0)); /* a freeze is not an outage */
	world_free();
}

/* "for" 0 or absent: never ends. */
static void test_no_end(void **state)
{
	(void)state;
	world_init();
	struct fault_config f[] = {fault(FAULT_HOST_CRASH, "h0", 1, 0)};
	world_start(f, 1, NULL, 0);
	run_to(1e6);
	assert_false(fabric_host_up(W.f, 0));
	assert_int_equal(count('s'), 1);
	assert_int_equal(count('e'), 0);
	assert_int_equal(sim_events_pending(W.e), 0);
	world_free();
}

/* Two overlapping crashes of one host (a scheduled drill during a stochastic failure, or two
 * scheduled faults): the host is down while either is active, and reboots once, when the
 * last ends (issue 17). */
static void test_overlapping_crashes(void **state)
{
	(void)state;
	world_init();
	struct fault_config f[] = {fault(FAULT_HOST_CRASH, "h1", 1, 10),
				   fault(FAULT_HOST_CRASH, "h1", 5, 2),
				   fault(FAULT_ARBITER_LOSS, "h1", 9, 4)};
	world_start(f, 3, NULL, 0);
	run_to(6);
	assert_false(fabric_host_up(W.f, 1));
	run_to(8);
	assert_false(fabric_host_up(W.f, 1)); /* the inner crash ended at 7 s */
	assert_int_equal(count('r'), 0);
	run_to(12);
	assert_false(fabric_host_up(W.f, 1)); /* arbiter_loss (to 13 s) holds it down too */
	run_to(14);
	assert_true(fabric_host_up(W.f, 1));
	assert_true(fabric_iris_running(W.f, 1));
	assert_int_equal(count('r'), 1);
	for (size_t i = 0; i < W.nlog; i++)
		if (W.log[i].what == 'r')
			assert_int_equal(W.log[i].t, T(13));
	assert_int_equal(count('s'), 3); /* each fault is still its own incident */
	assert_int_equal(count('e'), 3);
	world_free();
}

/* Overlapping hangs and AZ outages: restored when the last ends. */
static void test_overlapping_hangs_and_outages(void **state)
{
	(void)state;
	world_init();
	struct fault_config f[] = {fault(FAULT_IRIS_HANG, "h0", 1, 10),
				   fault(FAULT_IRIS_HANG, "h0", 2, 1),
				   fault(FAULT_AZ_OUTAGE, "az2", 1, 10),
				   fault(FAULT_AZ_OUTAGE, "az2", 2, 1),
				   fault(FAULT_BACKUP_FREEZE, "h1", 1, 10),
				   fault(FAULT_BACKUP_FREEZE, "h1", 2, 1)};
	world_start(f, 6, NULL, 0);
	run_to(5);
	assert_int_equal(fabric_iris(W.f, 0), FABRIC_IRIS_HUNG);
	assert_false(fabric_az_up(W.f, 2));
	/* One freeze and no thaw yet. */
	size_t freezes = 0;
	for (size_t i = 0; i < W.nlog; i++)
		if (W.log[i].what == 'f') {
			assert_true(W.log[i].on);
			freezes++;
		}
	assert_int_equal(freezes, 1);
	run_to(12);
	assert_int_equal(fabric_iris(W.f, 0), FABRIC_IRIS_RUNNING);
	assert_true(fabric_az_up(W.f, 2));
	assert_int_equal(W.log[W.nlog - 1].what, 'e');
	assert_int_equal(count('f'), 2);
	world_free();
}

/* Volume faults, observed through IOs: failed IOs complete at once with -EIO; a degraded
 * volume's latency is x latency_factor. */
enum { PROBE_GO, PROBE_DONE, PROBE_COUNT };
static sim_time probe_lat[8];
static int probe_err[8];
static void probe_go(struct sim_entity *self, const struct sim_event *ev)
{
	uint64_t k = *(const uint64_t *)sim_event_payload(ev);
	volume_submit(W.db, 8192, false, self, PROBE_DONE, k);
}
static void probe_done(struct sim_entity *self, const struct sim_event *ev)
{
	const struct volume_completion *c = sim_event_payload(ev);
	probe_lat[c->tag] = sim_now(self->engine) - c->submitted;
	probe_err[c->tag] = c->error;
}
static const sim_handler_fn probe_handlers[PROBE_COUNT] = {[PROBE_GO] = probe_go,
							    [PROBE_DONE] = probe_done};
static const struct sim_entity_type probe_type = {
	.name = "probe", .handlers = probe_handlers, .handler_count = PROBE_COUNT};

static void test_volume_faults(void **state)
{
	(void)state;
	world_init();
	struct fault_config f[] = {fault(FAULT_VOLUME_FAILURE, "h0/db", 1, 1),
				   fault(FAULT_VOLUME_DEGRADED, "h0/db", 3, 1)};
	f[1].latency_factor = 7;
	world_start(f, 2, NULL, 0);
	struct sim_entity *probe = sim_entity_new(W.e, &probe_type, "probe");
	const double at[] = {0.5, 1.5, 2.5, 3.5, 4.5};
	for (uint64_t k = 0; k < 5; k++) {
		probe_lat[k] = -1;
		sim_schedule_at(W.e, probe, T(at[k]), PROBE_GO, &k, sizeof(k));
	}
	run_to(6);
	assert_int_equal(probe_err[0], 0);
	assert_int_equal(probe_lat[0], T(1e-3));
	assert_int_equal(probe_err[1], -EIO);
	assert_int_equal(probe_lat[1], 0);
	assert_int_equal(probe_err[2], 0);
	assert_int_equal(probe_lat[2], T(1e-3));
	assert_int_equal(probe_err[3], 0);
	assert_int_equal(probe_lat[3], T(7e-3));
	assert_int_equal(probe_lat[4], T(1e-3));
	assert_string_equal(W.log[0].kind, "volume_failure");
	assert_string_equal(W.log[0].target, "h0/db");
	assert_string_equal(W.log[2].kind, "volume_degraded");
	world_free();
}

/* Nested volume_degraded faults on one volume: the most recently started one still active
 * sets the factors; normal again when the last ends. */
static void test_overlapping_degraded(void **state)
{
	(void)state;
	world_init();
	struct fault_config f[] = {fault(FAULT_VOLUME_DEGRADED, "h0/db", 1, 6),
				   fault(FAULT_VOLUME_DEGRADED, "h0/db", 3, 1)};
	f[0].latency_factor = 5;
	f[1].latency_factor = 50;
	world_start(f, 2, NULL, 0);
	struct sim_entity *probe = sim_entity_new(W.e, &probe_type, "probe");
	const double at[] = {2, 3.5, 5, 7.5};
	for (uint64_t k = 0; k < 4; k++) {
		probe_lat[k] = -1;
		sim_schedule_at(W.e, probe, T(at[k]), PROBE_GO, &k, sizeof(k));
	}
	run_to(8);
	assert_int_equal(probe_lat[0], T(5e-3));
	assert_int_equal(probe_lat[1], T(50e-3));
	assert_int_equal(probe_lat[2], T(5e-3)); /* the inner ended at 4 s: the outer's factor */
	assert_int_equal(probe_lat[3], T(1e-3));
	world_free();
}

/* ---- stochastic -------------------------------------------------------------------------------- */

/* Deterministic MTBF 100 s, MTTR 10 s: every component fails at 100, 210, 320, ... and is
 * repaired 10 s later (starting up at 0, alternating). */
static void test_stochastic_alternation(void **state)
{
	(void)state;
	world_init();
	struct stochastic_fault_config st = {.class_ = FAULT_CLASS_HOST};
	rng_dist_init_deterministic(&st.mtbf, 100);
	rng_dist_init_deterministic(&st.mttr, 10);
	world_start(NULL, 0, &st, 1);
	run_to(99.9);
	assert_int_equal(W.nlog, 0);
	run_to(105);
	for (int h = 0; h < 3; h++)
		assert_false(fabric_host_up(W.f, h));
	assert_int_equal(count('s'), 3);
	run_to(335);
	/* Three hosts x 3 failures (100, 210, 320) and 3 repairs (110, 220, 330), each a reboot. */
	assert_int_equal(count('s'), 9);
	assert_int_equal(count('e'), 9);
	assert_int_equal(count('r'), 9);
	for (size_t i = 0; i < W.nlog; i++) {
		const struct entry *x = &W.log[i];
		if (x->what == 's') {
			assert_string_equal(x->kind, "host_crash");
			double t = sim_time_to_s(x->t);
			assert_true(t == 100 || t == 210 || t == 320);
		} else if (x->what == 'e') {
			double t = sim_time_to_s(x->t);
			assert_true(t == 110 || t == 220 || t == 330);
		}
	}
	world_free();
}

/* A class aimed at h1 fails h1 only (the world's hook decides from roles, hosts and
 * purposes; see stochastic_fault_aims). */
static void test_stochastic_aimed(void **state)
{
	(void)state;
	world_init();
	aim_only = "h1";
	struct stochastic_fault_config st = {.class_ = FAULT_CLASS_HOST};
	rng_dist_init_deterministic(&st.mtbf, 100);
	rng_dist_init_deterministic(&st.mttr, 10);
	world_start(NULL, 0, &st, 1);
	run_to(105);
	assert_true(fabric_host_up(W.f, 0));
	assert_false(fabric_host_up(W.f, 1));
	assert_true(fabric_host_up(W.f, 2));
	assert_int_equal(count('s'), 1);
	aim_only = NULL;
	world_free();
}

/* Exponential MTBF 100 s and MTTR 10 s on every host (3 components) over 1.2e6 s: about
 * 32700 cycles. Means of up and down durations within 2.5% (SE 0.55%), coefficient of
 * variation 1 within 4% (SE 0.8%); the fraction of time down 10/110 within 3%. Swapping the
 * two distributions, or a wrong mean, fails by far. */
static void test_stochastic_means(void **state)
{
	(void)state;
	world_init();
	struct stochastic_fault_config st = {.class_ = FAULT_CLASS_HOST};
	rng_dist_init_exponential(&st.mtbf, 100);
	rng_dist_init_exponential(&st.mttr, 10);
	world_start(NULL, 0, &st, 1);
	const double horizon = 1.2e6;
	run_to(horizon);
	/* Pair each start with its end by incident id: ids are consecutive per start. */
	static sim_time start_of[MAXLOG];
	static char target_of[MAXLOG];
	sim_time last_end[3] = {0, 0, 0};
	double up_sum = 0, up_sum2 = 0, down_sum = 0, down_sum2 = 0, down_total = 0;
	size_t up_n = 0, down_n = 0;
	for (size_t i = 0; i < W.nlog; i++) {
		const struct entry *x = &W.log[i];
		if (x->what == 's') {
			int h = h_host(NULL, x->target);
			assert_true(h >= 0);
			start_of[x->id] = x->t;
			target_of[x->id] = (char)h;
			double up = sim_time_to_s(x->t - last_end[h]);
			up_sum += up;
			up_sum2 += up * up;
			up_n++;
		} else if (x->what == 'e') {
			int h = target_of[x->id];
			double down = sim_time_to_s(x->t - start_of[x->id]);
			down_sum += down;
			down_sum2 += down * down;
			down_total += down;
			down_n++;
			last_end[h] = x->t;
		}
	}
	assert_true(up_n > 30000);
	double up_mean = up_sum / up_n, down_mean = down_sum / down_n;
	double up_cv = sqrt(up_sum2 / up_n - up_mean * up_mean) / up_mean;
	double down_cv = sqrt(down_sum2 / down_n - down_mean * down_mean) / down_mean;
	print_message("n %zu/%zu up %.3f (cv %.3f) down %.4f (cv %.3f)\n", up_n, down_n, up_mean,
		      up_cv, down_mean, down_cv);
	assert_true(fabs(up_mean / 100 - 1) < 0.025);
	assert_true(fabs(down_mean / 10 - 1) < 0.025);
	assert_true(fabs(up_cv - 1) < 0.04);
	assert_true(fabs(down_cv - 1) < 0.04);
	assert_true(fabs(down_total / (3 * horizon) / (10.0 / 110) - 1) < 0.03);
	/* Components are independent: each has its own stream, so their first failures differ. */
	sim_time first[3] = {-1, -1, -1};
	for (size_t i = 0; i < W.nlog; i++)
		if (W.log[i].what == 's') {
			int h = h_host(NULL, W.log[i].target);
			if (first[h] < 0)
				first[h] = W.log[i].t;
		}
	assert_true(first[0] != first[1] && first[1] != first[2] && first[0] != first[2]);
	world_free();
}

/* An AZ-class failure takes down every host in the AZ through the fabric (correlation
 * through the fault-domain tree); a volume-class failure fails that volume. */
static void test_stochastic_classes(void **state)
{
	(void)state;
	world_init();
	struct stochastic_fault_config st[2] = {{.class_ = FAULT_CLASS_AZ},
						{.class_ = FAULT_CLASS_VOLUME}};
	rng_dist_init_deterministic(&st[0].mtbf, 50);
	rng_dist_init_deterministic(&st[0].mttr, 5);
	rng_dist_init_deterministic(&st[1].mtbf, 20);
	rng_dist_init_deterministic(&st[1].mttr, 1);
	world_start(NULL, 0, st, 2);
	run_to(20.5);
	assert_int_equal(count('s'), 1);
	assert_string_equal(W.log[0].kind, "volume_failure");
	assert_string_equal(W.log[0].target, "h0/db");
	run_to(52);
	for (int h = 0; h < 3; h++)
		assert_false(fabric_host_up(W.f, h)); /* all three AZs failed at 50 */
	size_t az = 0;
	for (size_t i = 0; i < W.nlog; i++)
		if (W.log[i].what == 's' && strcmp(W.log[i].kind, "az_outage") == 0)
			az++;
	assert_int_equal(az, 3);
	run_to(56);
	for (int h = 0; h < 3; h++)
		assert_true(fabric_host_up(W.f, h));
	world_free();
}

/* A link-class failure is a partition both ways between the link's two sides (here the
 * world's links az0|az1 and r0|r1), named like a scheduled partition, healed at repair. */
static void test_stochastic_links(void **state)
{
	(void)state;
	world_init();
	struct stochastic_fault_config st[1] = {{.class_ = FAULT_CLASS_LINK}};
	rng_dist_init_deterministic(&st[0].mtbf, 10);
	rng_dist_init_deterministic(&st[0].mttr, 2);
	world_start(NULL, 0, st, 1);
	run_to(10.5);
	assert_false(fabric_hosts_talk(W.f, 0, 1));
	assert_false(fabric_hosts_talk(W.f, 0, 2));
	assert_true(fabric_host_up(W.f, 0));
	assert_int_equal(count('s'), 2);
	assert_string_equal(W.log[0].kind, "partition");
	assert_string_equal(W.log[0].target, "az0 <-> az1");
	assert_string_equal(W.log[1].target, "r0 <-> r1");
	run_to(12.5);
	assert_true(fabric_hosts_talk(W.f, 0, 1));
	assert_true(fabric_hosts_talk(W.f, 0, 2));
	assert_int_equal(count('e'), 2);
	world_free();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_crash),
		cmocka_unit_test(test_iris_hang),
		cmocka_unit_test(test_az_and_region_outage),
		cmocka_unit_test(test_partitions),
		cmocka_unit_test(test_arbiter_loss_and_freeze),
		cmocka_unit_test(test_no_end),
		cmocka_unit_test(test_overlapping_crashes),
		cmocka_unit_test(test_overlapping_hangs_and_outages),
		cmocka_unit_test(test_overlapping_degraded),
		cmocka_unit_test(test_volume_faults),
		cmocka_unit_test(test_stochastic_alternation),
		cmocka_unit_test(test_stochastic_aimed),
		cmocka_unit_test(test_stochastic_means),
		cmocka_unit_test(test_stochastic_classes),
		cmocka_unit_test(test_stochastic_links),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
