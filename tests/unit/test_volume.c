/* test_volume: EBS volume model (models/volume.c).
 *
 * A test driver entity submits IOs to one logical volume, open loop (fixed inter-arrival
 * time) or closed loop (a fixed number outstanding, each completion submitting the next),
 * and records completions in 1 s bins by completion time and by submission time. The tests
 * check the model's figures against closed forms: the latency distribution's mean at light
 * load, the IOPS / throughput / host limits under saturation, the gp2 burst duration
 * credits / (3000 - baseline) (aws.md §2b), stripe spreading, degraded and failed modes,
 * and bit-for-bit repetition.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "sim.h"
#include "volume.h"

#define KIB 1024.0
#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)
#define TIB (1024.0 * GIB)
#define DRV_BINS 4096 /* 1 s bins */

/* ---- test driver --------------------------------------------------------------------------- */

enum drv_event { DRV_ARRIVAL, DRV_START, DRV_DONE, DRV_EVENT_COUNT };

struct drv {
	struct volume_logical *v;
	double bytes;             /* per IO */
	sim_time gap;             /* open loop: ns between submissions */
	sim_time until;           /* no new submission at or after this time */
	int depth;                /* closed loop: IOs outstanding */
	uint64_t next_tag;
	uint64_t done;            /* completions without error */
	uint64_t errors;          /* completions with -EIO */
	int submit_error;         /* first error returned by volume_submit */
	double latency_sum;       /* s */
	uint64_t hash;            /* FNV-1a over (completion time, tag, error) */
	sim_time last_done;
	uint64_t by_done[DRV_BINS];       /* completions per second of completion */
	uint64_t by_sub[DRV_BINS];        /* completions per second of submission */
	double lat_by_sub[DRV_BINS];      /* s: latency sum per second of submission */
	sim_time done_at[8];              /* completion time of tags 0..7 */
};

static void drv_submit(struct sim_entity *self)
{
	struct drv *d = self->state;
	int r = volume_submit(d->v, d->bytes, false, self, DRV_DONE, d->next_tag++);
	if (r < 0 && d->submit_error == 0)
		d->submit_error = r;
}

static void drv_on_arrival(struct sim_entity *self, const struct sim_event *ev)
{
	struct drv *d = self->state;
	if (sim_event_time(ev) >= d->until)
		return;
	drv_submit(self);
	sim_schedule_in(self->engine, self, d->gap, DRV_ARRIVAL, NULL, 0);
}

static void drv_on_start(struct sim_entity *self, const struct sim_event *ev)
{
	(void)ev;
	struct drv *d = self->state;
	for (int i = 0; i < d->depth; i++)
		drv_submit(self);
}

static void hash_u64(uint64_t *h, uint64_t x)
{
	for (int i = 0; i < 8; i++) {
		*h ^= (x >> (8 * i)) & 0xff;
		*h *= 0x100000001b3ULL;
	}
}

static void drv_on_done(struct sim_entity *self, const struct sim_event *ev)
{
	struct drv *d = self->state;
	const struct volume_completion *c = sim_event_payload(ev);
	sim_time now = sim_event_time(ev);
	hash_u64(&d->hash, (uint64_t)now);
	hash_u64(&d->hash, c->tag);
	hash_u64(&d->hash, (uint64_t)(int64_t)c->error);
	if (c->tag < 8)
		d->done_at[c->tag] = now;
	d->last_done = now;
	if (c->error) {
		d->errors++;
	} else {
		double lat = sim_time_to_s(now - c->submitted);
		d->done++;
		d->latency_sum += lat;
		size_t bd = (size_t)(now / SIM_S), bs = (size_t)(c->submitted / SIM_S);
		if (bd < DRV_BINS)
			d->by_done[bd]++;
		if (bs < DRV_BINS) {
			d->by_sub[bs]++;
			d->lat_by_sub[bs] += lat;
		}
	}
	if (d->depth > 0 && now < d->until)
		drv_submit(self);
}

static const sim_handler_fn drv_handlers[DRV_EVENT_COUNT] = {
	[DRV_ARRIVAL] = drv_on_arrival,
	[DRV_START] = drv_on_start,
	[DRV_DONE] = drv_on_done,
};

static const struct sim_entity_type drv_type = {
	.name = "drv",
	.state_size = sizeof(struct drv),
	.handlers = drv_handlers,
	.handler_count = DRV_EVENT_COUNT,
};

static struct drv *drv_new(struct sim_engine *e, const char *name, struct volume_logical *v,
			   double bytes, struct sim_entity **ent /* OUT, may be NULL */)
{
	struct sim_entity *x = sim_entity_new(e, &drv_type, name);
	assert_non_null(x);
	struct drv *d = x->state;
	d->v = v;
	d->bytes = bytes;
	d->hash = 0xcbf29ce484222325ULL;
	if (ent)
		*ent = x;
	return d;
}

/* Open loop: `rate` IOs per second from `start` until `until`. */
static struct drv *drv_open(struct sim_engine *e, const char *name, struct volume_logical *v,
			    double bytes, double rate, sim_time start, sim_time until)
{
	struct sim_entity *x;
	struct drv *d = drv_new(e, name, v, bytes, &x);
	d->gap = sim_time_from_s(1.0 / rate);
	d->until = until;
	sim_schedule_at(e, x, start, DRV_ARRIVAL, NULL, 0);
	return d;
}

/* Closed loop: `depth` IOs outstanding from `start`; no new IO at or after `until`. */
static struct drv *drv_closed(struct sim_engine *e, const char *name, struct volume_logical *v,
			      double bytes, int depth, sim_time start, sim_time until)
{
	struct sim_entity *x;
	struct drv *d = drv_new(e, name, v, bytes, &x);
	d->depth = depth;
	d->until = until;
	sim_schedule_at(e, x, start, DRV_START, NULL, 0);
	return d;
}

static uint64_t bins_sum(const uint64_t *b, int from, int to)
{
	uint64_t s = 0;
	for (int i = from; i < to; i++)
		s += b[i];
	return s;
}

static void run_until(struct sim_engine *e, double seconds)
{
	int r = sim_run_until(e, sim_time_from_s(seconds));
	if (r != SIM_END_TIME)
		fail_msg("run: %d %s", r, sim_engine_error_message(e));
}

static void run_all(struct sim_engine *e)
{
	int r = sim_run(e);
	if (r != SIM_END_EMPTY)
		fail_msg("run: %d %s", r, sim_engine_error_message(e));
}

#define assert_rel(x, want, tol)                                                            \
	do {                                                                                \
		double x_ = (x), w_ = (want);                                               \
		if (!(fabs(x_ - w_) <= (tol) * fabs(w_)))                                   \
			fail_msg("%s = %.6g, want %.6g +- %.1f%%", #x, x_, w_, 100 * (tol)); \
	} while (0)

/* ---- volume parameters -------------------------------------------------------------------- */

/* gp3 from scenarios/catalog/volumes.json: 3000 IOPS, 125 MiB/s, 256 KiB IO unit, lognormal
 * latency median 0.8 ms p99 3 ms. */
static struct volume_params gp3(double iops, double mib_s)
{
	struct volume_params p;
	memset(&p, 0, sizeof(p));
	p.size = 100 * GIB;
	p.iops = iops;
	p.throughput = mib_s * MIB;
	p.io_unit = 256 * KIB;
	assert_int_equal(rng_dist_init_lognormal_median_p99(&p.latency, 0.8e-3, 3e-3), 0);
	return p;
}

/* gp2 of `gib` GiB: baseline 3 IOPS/GiB (min 100), burst 3000, bucket 5.4 M credits. */
static struct volume_params gp2(double gib)
{
	struct volume_params p = gp3(fmax(100, 3 * gib), gib <= 170 ? 128 : 250);
	p.size = gib * GIB;
	p.gp2_burst = true;
	p.burst_iops = 3000;
	p.burst_credits = 5.4e6;
	return p;
}

static void set_fixed_latency(struct volume_params *p, double seconds)
{
	rng_dist_release(&p->latency);
	assert_int_equal(rng_dist_init_deterministic(&p->latency, seconds), 0);
}

static const struct host_ebs_params host_unlimited = {0, 0};

/* ---- tests ---------------------------------------------------------------------------------- */

/* (1) 100 IOPS on a 3000-IOPS gp3: no IO waits; the mean latency is the distribution's. */
static void test_light_load_latency_is_the_distribution(void **state)
{
	(void)state;
	struct sim_engine *e = sim_engine_new(1, 0);
	struct volume_group *g = volume_group_new(e, "h1", &host_unlimited);
	struct volume_params p = gp3(3000, 125);
	struct volume_logical *v = volume_add(g, "db", 1, 0, &p);
	assert_non_null(v);
	assert_string_equal(volume_name(v), "h1/db");
	assert_non_null(sim_entity_find(e, "h1/db"));
	struct drv *d = drv_open(e, "drv", v, 16 * KIB, 100, 0, 1000 * SIM_S);
	run_until(e, 1000);
	struct volume_stats st;
	volume_stats(v, &st);
	double want = rng_dist_mean(&p.latency); /* 0.94 ms */
	print_message("light load: %llu IOs, mean latency %.4f ms (distribution %.4f ms), "
		      "wait %.3g s, util %.4f\n", (unsigned long long)st.ios,
		      st.mean_latency * 1e3, want * 1e3, st.mean_wait, st.iops_utilisation);
	assert_int_equal(st.ios, 100000);
	assert_int_equal(st.errors, 0);
	assert_rel(st.mean_latency, want, 0.01);
	assert_rel(d->latency_sum / (double)d->done, want, 0.01);
	assert_true(st.mean_wait == 0.0);
	assert_true(st.busy_fraction == 0.0);
	assert_rel(st.iops_utilisation, 100.0 / 3000, 0.01);
	assert_rel(st.bytes, 100000 * 16 * KIB, 1e-12);
	rng_dist_release(&p.latency);
	volume_group_free(g);
	sim_engine_free(e);
}

/* (2) 6000 IOPS offered for 10 s to a 3000-IOPS gp3: 3000 completions per second, and the
 * IO submitted at t waits about t (arrivals 6000 t, service 3000 t). */
static void test_saturation_paces_at_the_iops_limit(void **state)
{
	(void)state;
	struct sim_engine *e = sim_engine_new(2, 0);
	struct volume_group *g = volume_group_new(e, "h1", &host_unlimited);
	struct volume_params p = gp3(3000, 125);
	struct volume_logical *v = volume_add(g, "db", 1, 0, &p);
	struct drv *d = drv_open(e, "drv", v, 16 * KIB, 6000, 0, 10 * SIM_S);
	run_until(e, 10);
	struct volume_stats st;
	volume_stats(v, &st);
	uint64_t in10 = bins_sum(d->by_done, 0, 10);
	print_message("saturation: %llu completions in 10 s, busy %.3f, util %.4f\n",
		      (unsigned long long)in10, st.busy_fraction, st.iops_utilisation);
	assert_rel((double)in10 / 10, 3000, 0.02);
	for (int s = 1; s < 10; s++)
		assert_rel((double)d->by_done[s], 3000, 0.02);
	assert_rel(st.iops_utilisation, 1.0, 0.02);
	assert_true(st.busy_fraction > 0.99);
	run_all(e); /* drain: the last of 60000 IOs completes at about 20 s */
	assert_int_equal(d->done, 60000);
	assert_rel(sim_time_to_s(d->last_done), 20.0, 0.02);
	for (int s = 1; s < 10; s++) {
		double mean = d->lat_by_sub[s] / (double)d->by_sub[s];
		assert_rel(mean, s + 0.5, 0.03);
		assert_true(mean > d->lat_by_sub[s - 1] / (double)d->by_sub[s - 1]);
	}
	volume_stats(v, &st);
	assert_true(st.mean_wait > 4.5 && st.mean_wait < 5.5); /* mean of t over [0, 10] */
	rng_dist_release(&p.latency);
	volume_group_free(g);
	sim_engine_free(e);
}

/* (3) 1 MiB IOs: 125 MiB/s caps a gp3 at 125 IO/s; each counts as 4 IOPS units (256 KiB). */
static void test_throughput_cap_and_io_units(void **state)
{
	(void)state;
	struct sim_engine *e = sim_engine_new(3, 0);
	struct volume_group *g = volume_group_new(e, "h1", &host_unlimited);
	struct volume_params p = gp3(3000, 125);
	struct volume_logical *v = volume_add(g, "db", 1, 0, &p);
	struct drv *d = drv_closed(e, "drv", v, 1 * MIB, 16, 0, 20 * SIM_S);
	/* IOPS-bound twin: 400 IOPS, throughput unlimited: 1 MiB IOs at 100/s */
	struct volume_params q = gp3(400, INFINITY);
	struct volume_logical *w = volume_add(g, "small", 1, 0, &q);
	struct drv *dw = drv_closed(e, "drvw", w, 1 * MIB, 16, 0, 20 * SIM_S);
	run_until(e, 20);
	struct volume_stats st, sw;
	volume_stats(v, &st);
	volume_stats(w, &sw);
	double rate = (double)bins_sum(d->by_done, 1, 20) / 19;
	double rate_w = (double)bins_sum(dw->by_done, 1, 20) / 19;
	print_message("1 MiB IOs: %.1f IO/s at 125 MiB/s; %.1f IO/s at 400 IOPS; util %.4f\n",
		      rate, rate_w, st.iops_utilisation);
	assert_rel(rate, 125, 0.02);
	assert_rel(st.bytes / 20 / MIB, 125, 0.02);
	assert_rel(st.iops_utilisation, 4 * 125.0 / 3000, 0.02);
	assert_rel(volume_member_units(v, 0), 4.0 * (double)st.ios, 1e-12);
	assert_rel(rate_w, 100, 0.02);
	assert_rel(sw.iops_utilisation, 1.0, 0.02);
	rng_dist_release(&p.latency);
	rng_dist_release(&q.latency);
	volume_group_free(g);
	sim_engine_free(e);
}

/* (4) Two 3000-IOPS volumes on a host limited to 4000 IOPS: 4000/s in all, shared evenly. */
static void test_host_cap_is_shared(void **state)
{
	(void)state;
	struct sim_engine *e = sim_engine_new(4, 0);
	struct host_ebs_params host = {.iops = 4000, .bandwidth = 593.75e6};
	struct volume_group *g = volume_group_new(e, "h1", &host);
	struct volume_params p = gp3(3000, 125);
	struct volume_logical *a = volume_add(g, "a", 1, 0, &p);
	struct volume_logical *b = volume_add(g, "b", 1, 0, &p);
	struct drv *da = drv_closed(e, "da", a, 16 * KIB, 32, 0, 10 * SIM_S);
	struct drv *db = drv_closed(e, "db", b, 16 * KIB, 32, 0, 10 * SIM_S);
	run_until(e, 10);
	double ra = (double)bins_sum(da->by_done, 1, 10) / 9;
	double rb = (double)bins_sum(db->by_done, 1, 10) / 9;
	print_message("host cap 4000: %.1f + %.1f = %.1f IOPS\n", ra, rb, ra + rb);
	assert_rel(ra + rb, 4000, 0.02);
	assert_rel(ra, 2000, 0.05);
	assert_rel(rb, 2000, 0.05);
	volume_group_free(g);

	/* control: the same without the host cap gives 2 x 3000 */
	struct sim_engine *e2 = sim_engine_new(4, 0);
	g = volume_group_new(e2, "h1", &host_unlimited);
	a = volume_add(g, "a", 1, 0, &p);
	b = volume_add(g, "b", 1, 0, &p);
	da = drv_closed(e2, "da", a, 16 * KIB, 32, 0, 10 * SIM_S);
	db = drv_closed(e2, "db", b, 16 * KIB, 32, 0, 10 * SIM_S);
	run_until(e2, 10);
	ra = (double)bins_sum(da->by_done, 1, 10) / 9;
	rb = (double)bins_sum(db->by_done, 1, 10) / 9;
	assert_rel(ra + rb, 6000, 0.02);
	rng_dist_release(&p.latency);
	volume_group_free(g);
	sim_engine_free(e2);
	sim_engine_free(e);
}

/* (5) gp2 100 GiB (baseline 300): bursts at 3000 for 5.4e6 / (3000 - 300) = 2000 s, then
 * 300/s (aws.md §2b). A 1 TiB gp2 runs at its 3072 baseline and never bursts. */
static void test_gp2_burst_then_baseline(void **state)
{
	(void)state;
	struct sim_engine *e = sim_engine_new(5, 0);
	struct volume_group *g = volume_group_new(e, "h1", &host_unlimited);
	struct volume_params p = gp2(100);
	struct volume_logical *v = volume_add(g, "db", 1, 0, &p);
	struct volume_stats st;
	volume_stats(v, &st);
	assert_rel(st.burst_credits, 5.4e6, 1e-9);
	struct drv *d = drv_closed(e, "drv", v, 16 * KIB, 32, 0, 2500 * SIM_S);
	run_until(e, 2500);
	double burst = (double)bins_sum(d->by_done, 100, 1900) / 1800;
	double base = (double)bins_sum(d->by_done, 2100, 2500) / 400;
	int switch_s = -1;
	for (int s = 0; s < 2500 && switch_s < 0; s++)
		if (d->by_done[s] < (3000 + 300) / 2)
			switch_s = s;
	/* the switch time from the total: N = 3000 T + 300 (2500 - T) */
	double total = (double)bins_sum(d->by_done, 0, 2500);
	double t_switch = (total - 300.0 * 2500) / 2700;
	volume_stats(v, &st);
	print_message("gp2 100 GiB: %.1f IOPS bursting, %.1f after, switch at %d s "
		      "(from total %.1f s), credits left %.0f\n", burst, base, switch_s, t_switch,
		      st.burst_credits);
	assert_rel(burst, 3000, 0.02);
	assert_rel(base, 300, 0.02);
	assert_rel((double)switch_s, 2000, 0.02);
	assert_rel(t_switch, 2000, 0.02);
	assert_true(st.burst_credits < 300);
	assert_rel(st.iops_utilisation, total / (300.0 * 2500), 0.01); /* vs the baseline */
	rng_dist_release(&p.latency);
	volume_group_free(g);
	sim_engine_free(e);

	e = sim_engine_new(5, 0);
	g = volume_group_new(e, "h1", &host_unlimited);
	p = gp2(1024);
	assert_rel(p.iops, 3072, 1e-12);
	v = volume_add(g, "db", 1, 0, &p);
	d = drv_closed(e, "drv", v, 16 * KIB, 32, 0, 20 * SIM_S);
	run_until(e, 20);
	double rate = (double)bins_sum(d->by_done, 1, 20) / 19;
	volume_stats(v, &st);
	print_message("gp2 1 TiB: %.1f IOPS, credits %.0f\n", rate, st.burst_credits);
	assert_rel(rate, 3072, 0.02);
	assert_true(st.burst_credits == 0);
	rng_dist_release(&p.latency);
	volume_group_free(g);
	sim_engine_free(e);
}

/* (6) Stripe set of 4: small IOs spread evenly; a 4-PE IO completes with its last part;
 * 4 x 3000 IOPS members sustain 12000 IOPS on a host that allows it. */
static void test_stripe_set(void **state)
{
	(void)state;
	struct sim_engine *e = sim_engine_new(6, 0);
	struct host_ebs_params host = {.iops = 18750, .bandwidth = 593.75e6}; /* r5.4xlarge */
	struct volume_group *g = volume_group_new(e, "h1", &host);
	struct volume_params p = gp3(3000, 125);
	double pe = 64 * KIB;
	struct volume_logical *v = volume_add(g, "db", 4, pe, &p);
	assert_non_null(v);
	assert_int_equal(volume_member_count(v), 4);
	assert_non_null(sim_entity_find(e, "h1/db#0"));
	assert_ptr_equal(sim_entity_find(e, "h1/db#3"), volume_member(v, 3));
	assert_null(sim_entity_find(e, "h1/db"));
	assert_ptr_equal(volume_find(g, "db"), v);
	struct drv *d = drv_open(e, "drv", v, 16 * KIB, 1000, 0, 10 * SIM_S);
	run_all(e);
	assert_int_equal(d->done, 10000);
	for (int k = 0; k < 4; k++) {
		print_message("stripe member %d: %.0f of 10000 small IOs\n", k,
			      volume_member_units(v, k));
		assert_rel(volume_member_units(v, k), 2500, 0.06); /* binomial sd 1.7 % */
	}
	volume_group_free(g);
	sim_engine_free(e);

	/* a 4-PE IO: one part per member; it completes when the slowest part does */
	e = sim_engine_new(6, 0);
	g = volume_group_new(e, "h1", &host);
	set_fixed_latency(&p, 1e-3);
	v = volume_add(g, "db", 4, pe, &p);
	struct sim_entity *x;
	d = drv_new(e, "drv", v, 4 * pe, &x);
	assert_int_equal(volume_submit(v, 4 * pe, true, x, DRV_DONE, 0), 0);
	run_all(e);
	assert_int_equal(d->done_at[0], 1 * SIM_MS);
	for (int k = 0; k < 4; k++)
		assert_rel(volume_member_units(v, k), 1, 0);
	assert_int_equal(volume_member_set_degraded(v, 2, 10, 1), 0);
	assert_int_equal(volume_submit(v, 4 * pe, true, x, DRV_DONE, 1), 0);
	run_all(e);
	assert_int_equal(d->done_at[1] - 1 * SIM_MS, 10 * SIM_MS);
	struct volume_stats st;
	volume_stats(v, &st);
	assert_int_equal(st.ios, 2);
	assert_rel(st.bytes, 8 * pe, 1e-12);
	assert_rel(st.mean_latency, 5.5e-3, 1e-9);
	volume_group_free(g);
	sim_engine_free(e);

	/* throughput of the set: 4 x 3000 = 12000 IOPS under an 18750 host cap */
	e = sim_engine_new(6, 0);
	g = volume_group_new(e, "h1", &host);
	v = volume_add(g, "db", 4, pe, &p);
	d = drv_closed(e, "drv", v, 16 * KIB, 1024, 0, 10 * SIM_S);
	run_until(e, 10);
	double rate = (double)bins_sum(d->by_done, 1, 10) / 9;
	volume_stats(v, &st);
	print_message("stripe of 4: %.1f IOPS, util %.4f\n", rate, st.iops_utilisation);
	assert_rel(rate, 12000, 0.02);
	assert_rel(st.iops_utilisation, 1.0, 0.03);
	rng_dist_release(&p.latency);
	volume_group_free(g);
	sim_engine_free(e);
}

/* (7) Degraded: latency x10 and limits x0.5; failed: -EIO for queued and new IOs. */
static void test_degraded_and_failed(void **state)
{
	(void)state;
	struct sim_engine *e = sim_engine_new(7, 0);
	struct volume_group *g = volume_group_new(e, "h1", &host_unlimited);
	struct volume_params p = gp3(3000, 125);
	set_fixed_latency(&p, 1e-3);
	struct volume_logical *v = volume_add(g, "db", 1, 0, &p);
	assert_int_equal(volume_set_degraded(v, 0.5, 1), -SIM_E_INVAL);
	assert_int_equal(volume_set_degraded(v, 10, 0), -SIM_E_INVAL);
	assert_int_equal(volume_set_degraded(v, 10, 1.5), -SIM_E_INVAL);
	assert_int_equal(volume_set_degraded(v, 10, 0.5), 0);
	drv_open(e, "light", v, 16 * KIB, 100, 0, 10 * SIM_S);
	run_until(e, 10);
	struct volume_stats st;
	volume_stats(v, &st);
	print_message("degraded light load: mean latency %.3f ms\n", st.mean_latency * 1e3);
	assert_rel(st.mean_latency, 10e-3, 1e-9);
	assert_true(st.mean_wait == 0.0);

	/* saturated at half the limit: 1500/s; utilisation against the degraded limit */
	volume_stats_reset(v);
	struct drv *d = drv_closed(e, "sat", v, 16 * KIB, 64, 10 * SIM_S, 40 * SIM_S);
	run_until(e, 30);
	double rate = (double)bins_sum(d->by_done, 11, 30) / 19;
	volume_stats(v, &st);
	print_message("degraded saturated: %.1f IOPS, util %.4f, busy %.3f\n", rate,
		      st.iops_utilisation, st.busy_fraction);
	assert_rel(rate, 1500, 0.02);
	assert_rel(st.iops_utilisation, 1.0, 0.02);
	assert_true(st.busy_fraction > 0.95);

	/* restore: 3000/s again */
	assert_int_equal(volume_set_degraded(v, 1, 1), 0);
	run_until(e, 40);
	rate = (double)bins_sum(d->by_done, 31, 40) / 9;
	assert_rel(rate, 3000, 0.02);
	run_all(e);
	run_until(e, 41); /* the limiter's 10 ms debt from the saturated run has drained */

	/* failure with IOs queued: they and new ones complete with -EIO at once */
	volume_stats_reset(v);
	struct sim_entity *x;
	struct drv *f = drv_new(e, "fail", v, 16 * KIB, &x);
	for (uint64_t t = 0; t < 200; t++) /* 31 admitted in the 10 ms tolerance, the rest queue */
		assert_int_equal(volume_submit(v, 16 * KIB, false, x, DRV_DONE, t), 0);
	assert_int_equal(volume_set_failed(v, true), 0);
	assert_int_equal(volume_submit(v, 16 * KIB, false, x, DRV_DONE, 1000), 0);
	sim_time t_fail = sim_now(e);
	run_all(e);
	volume_stats(v, &st);
	print_message("failed: %llu ok (in flight), %llu -EIO\n", (unsigned long long)f->done,
		      (unsigned long long)f->errors);
	assert_int_equal(f->done + f->errors, 201);
	assert_int_equal(f->done, 31);
	assert_int_equal(st.errors, 170);
	assert_int_equal(st.ios, 31);
	assert_int_equal(f->done_at[7], t_fail + 1 * SIM_MS); /* admitted before the failure */

	/* repaired: normal again */
	assert_int_equal(volume_set_failed(v, false), 0);
	assert_int_equal(volume_submit(v, 16 * KIB, false, x, DRV_DONE, 2000), 0);
	run_all(e);
	assert_int_equal(f->done, 32);

	/* a split IO with one failed member fails as a whole */
	struct volume_logical *s = volume_add(g, "striped", 4, 64 * KIB, &p);
	assert_int_equal(volume_member_set_failed(s, 1, true), 0);
	assert_int_equal(volume_submit(s, 256 * KIB, false, x, DRV_DONE, 3000), 0);
	run_all(e);
	assert_int_equal(f->errors, 171);
	assert_int_equal(volume_member_set_failed(s, 4, true), -SIM_E_INVAL);

	/* misuse is refused */
	assert_int_equal(volume_submit(v, 0, false, x, DRV_DONE, 0), -SIM_E_INVAL);
	assert_int_equal(volume_submit(v, NAN, false, x, DRV_DONE, 0), -SIM_E_INVAL);
	assert_int_equal(volume_submit(v, 4096, false, x, DRV_EVENT_COUNT, 0), -SIM_E_BADKIND);
	assert_null(volume_add(g, "db", 1, 0, &p)); /* duplicate entity name */
	assert_int_equal(sim_engine_error(e), -SIM_E_DUPNAME);
	rng_dist_release(&p.latency);
	volume_group_free(g);
	sim_engine_free(e);
}

/* (8) A run with a host cap, a stripe set and a gp2 volume repeats bit for bit. */
static uint64_t determinism_run(uint64_t seed, uint64_t *events /* OUT */)
{
	struct sim_engine *e = sim_engine_new(seed, 0);
	struct host_ebs_params host = {.iops = 9000, .bandwidth = 200 * MIB};
	struct volume_group *g = volume_group_new(e, "h1", &host);
	struct volume_params p = gp3(3000, 125);
	struct volume_params q = gp2(50);
	q.burst_credits = 1e4;
	struct volume_logical *s = volume_add(g, "db", 4, 64 * KIB, &p);
	struct volume_logical *j = volume_add(g, "jrn", 1, 0, &q);
	struct drv *d1 = drv_closed(e, "d1", s, 16 * KIB, 64, 0, 5 * SIM_S);
	struct drv *d2 = drv_open(e, "d2", s, 256 * KIB, 100, 0, 5 * SIM_S);
	struct drv *d3 = drv_open(e, "d3", j, 64 * KIB, 2500, 0, 5 * SIM_S);
	run_until(e, 2);
	volume_set_degraded(s, 3, 0.7);
	run_all(e);
	uint64_t h = d1->hash ^ (d2->hash * 3) ^ (d3->hash * 7);
	*events = sim_events_processed(e);
	assert_true(d1->done > 0 && d2->done > 0 && d3->done > 0);
	rng_dist_release(&p.latency);
	rng_dist_release(&q.latency);
	volume_group_free(g);
	sim_engine_free(e);
	return h;
}

static void test_same_seed_repeats_bit_for_bit(void **state)
{
	(void)state;
	uint64_t ev1, ev2, ev3;
	uint64_t h1 = determinism_run(42, &ev1);
	uint64_t h2 = determinism_run(42, &ev2);
	uint64_t h3 = determinism_run(43, &ev3);
	print_message("determinism: hash %016llx, %llu events\n", (unsigned long long)h1,
		      (unsigned long long)ev1);
	assert_true(h1 == h2);
	assert_true(ev1 == ev2);
	assert_true(h1 != h3);
}

/* Statistics reset, names and NULL safety. */
static void test_reset_and_edges(void **state)
{
	(void)state;
	struct sim_engine *e = sim_engine_new(9, 0);
	struct host_ebs_params bad = {.iops = -1, .bandwidth = 0};
	assert_null(volume_group_new(e, "h1", &bad));
	struct volume_group *g = volume_group_new(e, "h1", &host_unlimited);
	struct volume_params p = gp3(3000, 125);
	assert_null(volume_add(g, "x", 0, 0, &p));
	assert_null(volume_add(g, "x", 2, 0, &p)); /* stripe without a stripe unit */
	struct volume_params z = p;
	z.iops = 0;
	assert_null(volume_add(g, "x", 1, 0, &z));
	assert_int_equal(sim_engine_error(e), 0);
	struct volume_logical *v = volume_add(g, "db", 1, 0, &p);
	drv_open(e, "drv", v, 16 * KIB, 1000, 0, 20 * SIM_S);
	run_until(e, 10);
	volume_stats_reset(v);
	struct volume_stats st;
	volume_stats(v, &st);
	assert_int_equal(st.ios, 0);
	assert_true(isnan(st.mean_latency));
	run_until(e, 20);
	volume_stats(v, &st);
	assert_true(st.ios >= 9999 && st.ios <= 10001);
	volume_group_free(NULL);
	volume_stats_reset(NULL);
	assert_null(volume_name(NULL));
	assert_int_equal(volume_set_failed(NULL, true), -SIM_E_INVAL);
	rng_dist_release(&p.latency);
	/* the group may go after the engine: member release touches only member memory */
	sim_engine_free(e);
	volume_group_free(g);
}

/* (10) The time-series bucket: 300 IOPS offered for 10 s, then 6000 for 10 s, then nothing, to
 * a 3000-IOPS gp3: the buckets read 0.1, 1.0 (the limit paces), then the backlog drains at
 * the limit. A degraded limit halves the denominator from its change on. The buckets'
 * time-weighted mean is the window's iops_utilisation. */
static void test_bucket_utilisation(void **state)
{
	(void)state;
	struct sim_engine *e = sim_engine_new(10, 0);
	struct volume_group *g = volume_group_new(e, "h1", &host_unlimited);
	struct volume_params p = gp3(3000, 125);
	struct volume_logical *v = volume_add(g, "db", 1, 0, &p);
	drv_open(e, "slow", v, 16 * KIB, 300, 0, 10 * SIM_S);
	drv_open(e, "fast", v, 16 * KIB, 6000, 10 * SIM_S, 20 * SIM_S);
	double b[4], sum = 0;
	for (int i = 0; i < 4; i++) {
		run_until(e, 10.0 * (i + 1));
		b[i] = volume_bucket(v);
		sum += b[i];
	}
	struct volume_stats st;
	volume_stats(v, &st);
	print_message("buckets: %.4f %.4f %.4f %.4f, window %.4f\n", b[0], b[1], b[2], b[3],
		      st.iops_utilisation);
	assert_rel(b[0], 0.1, 0.01);
	assert_rel(b[1], 1.0, 0.02);
	assert_rel(b[2], 1.0, 0.02); /* the 30000 IOs waiting drain at 3000/s */
	assert_true(b[3] < 0.01); /* drained: nothing left */
	assert_rel(st.iops_utilisation, sum / 4, 1e-9);
	/* Degraded to half the limit for a bucket: 3000 IOPS offered fill it twice over. */
	assert_int_equal(volume_set_degraded(v, 1.0, 0.5), 0);
	drv_open(e, "half", v, 16 * KIB, 1500, 40 * SIM_S, 50 * SIM_S);
	run_until(e, 50);
	assert_rel(volume_bucket(v), 1.0, 0.02);
	run_until(e, 50); /* an empty span */
	assert_true(isnan(volume_bucket(v)));
	assert_true(isnan(volume_bucket(NULL)));
	/* A reset starts a new bucket. */
	run_until(e, 55);
	volume_stats_reset(v);
	run_until(e, 60);
	assert_true(volume_bucket(v) < 0.01);
	rng_dist_release(&p.latency);
	volume_group_free(g);
	sim_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_light_load_latency_is_the_distribution),
		cmocka_unit_test(test_saturation_paces_at_the_iops_limit),
		cmocka_unit_test(test_throughput_cap_and_io_units),
		cmocka_unit_test(test_host_cap_is_shared),
		cmocka_unit_test(test_gp2_burst_then_baseline),
		cmocka_unit_test(test_stripe_set),
		cmocka_unit_test(test_degraded_and_failed),
		cmocka_unit_test(test_same_seed_repeats_bit_for_bit),
		cmocka_unit_test(test_reset_and_edges),
		cmocka_unit_test(test_bucket_utilisation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
