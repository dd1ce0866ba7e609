/* test_avail: the availability mode's upper level (sim/avail/avail.c): determinism whatever
 * the thread count, correlation through the fault-domain tree, aiming, the mirror's paths
 * (takeover, arbiter down, forced down and the operator's restart, DR promotion), and bad
 * input. Closed forms and the exact chain are in tests/validation/test_avail_validation.c.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "avail.h"
#include "ctmc.h"
#include "scenario.h"
#include "../common/run_scenario.h"

static void load(const char *rel, const char *const *sets, size_t n, struct scenario *s)
{
	struct diag diag;
	diag_init(&diag);
	int rc = scenario_load(s, test_source_path(rel), sets, n, NULL, &diag);
	diag_print(&diag, stderr);
	diag_release(&diag);
	assert_int_equal(rc, 0);
}

static void run(const struct scenario *s, double years, int jobs, struct avail_result *r)
{
	struct avail_opts o = {.years = years, .batches = 10, .jobs = jobs, .level = 0.99,
			       .seed = 1};
	char err[256];
	int rc = avail_run(&s->config, &o, r, err, sizeof(err));
	if (rc != 0)
		fail_msg("avail_run: %s", err);
}

static double cause_minutes(const struct avail_result *r, const char *cls, int stage)
{
	for (size_t i = 0; i < r->cause_count; i++)
		if (strcmp(r->causes[i].incident_class, cls) == 0 && r->causes[i].stage == stage)
			return r->causes[i].minutes_per_year.mean;
	return 0;
}

static bool has_cause(const struct avail_result *r, const char *cls)
{
	for (size_t i = 0; i < r->cause_count; i++)
		if (strcmp(r->causes[i].incident_class, cls) == 0)
			return true;
	return false;
}

static const struct avail_cause *cause_of(const struct avail_result *r, const char *cls,
					  int stage)
{
	for (size_t i = 0; i < r->cause_count; i++)
		if (strcmp(r->causes[i].incident_class, cls) == 0 && r->causes[i].stage == stage)
			return &r->causes[i];
	return NULL;
}

static void run_lib(const struct scenario *s, double years, const double *tk, const double *rd,
		    const unsigned char *harmless, struct avail_result *r)
{
	struct avail_opts o = {.years = years, .batches = 10, .jobs = 2, .level = 0.99,
			       .seed = 1, .takeover_h = tk, .takeover_read_h = rd,
			       .volume_harmless = harmless};
	char err[256];
	int rc = avail_run(&s->config, &o, r, err, sizeof(err));
	if (rc != 0)
		fail_msg("avail_run: %s", err);
}

/* The same seed gives the same figures, cause by cause, on 1 and 3 threads. */
static void test_deterministic_across_jobs(void **state)
{
	(void)state;
	const char *sets[] = {"stochastic_faults=[{\"class\": \"host\"}, {\"class\": \"volume\"}, "
			      "{\"class\": \"az\"}, {\"class\": \"region\"}, {\"class\": \"link\"}]"};
	struct scenario s;
	load("scenarios/production.json", sets, 1, &s);
	struct avail_result a, b;
	run(&s, 2000, 1, &a);
	run(&s, 2000, 3, &b);
	assert_true(a.write_availability.mean == b.write_availability.mean);
	assert_true(a.write_availability.half == b.write_availability.half);
	assert_true(a.yearly_downtime_p99 == b.yearly_downtime_p99);
	assert_int_equal(a.events, b.events);
	assert_int_equal(a.cause_count, b.cause_count);
	for (size_t i = 0; i < a.cause_count; i++) {
		assert_string_equal(a.causes[i].incident_class, b.causes[i].incident_class);
		assert_true(a.causes[i].minutes_per_year.mean == b.causes[i].minutes_per_year.mean);
	}
	/* Every class fails at its default rate: 10 hosts every 2 years, 12 volumes every
	 * 500 years, 5 AZs and 2 regions every 10 years (within 5%), 4 links every 5 years. */
	assert_int_equal(a.components, 10 + 12 + 5 + 2 + 4);
	assert_true(fabs(a.failures_per_year[FAULT_CLASS_LINK] / 0.8 - 1) < 0.08);
	assert_true(fabs(a.failures_per_year[FAULT_CLASS_HOST] / 5.0 - 1) < 0.05);
	assert_true(fabs(a.failures_per_year[FAULT_CLASS_AZ] / 0.5 - 1) < 0.05);
	assert_true(fabs(a.failures_per_year[FAULT_CLASS_REGION] / 0.2 - 1) < 0.08);
	avail_result_release(&a);
	avail_result_release(&b);
	scenario_release(&s);
}

/* An AZ outage takes the standalone server in it down: with only AZ failures, A is the AZ's
 * MTBF / (MTBF + MTTR); a region outage likewise. */
static void test_fault_domain_tree(void **state)
{
	(void)state;
	const char *cls[] = {"az", "region"};
	for (int k = 0; k < 2; k++) {
		char set[256];
		snprintf(set, sizeof(set),
			 "stochastic_faults=[{\"class\": \"%s\", \"mtbf\": {\"kind\": "
			 "\"exponential\", \"mean\": \"100h\"}, \"mttr\": {\"kind\": "
			 "\"exponential\", \"mean\": \"5h\"}}]", cls[k]);
		const char *sets[] = {set};
		struct scenario s;
		load("scenarios/small-development.json", sets, 1, &s);
		struct avail_result r;
		run(&s, 5000, 2, &r);
		printf("  %s: A %.6f +- %.6f\n", cls[k], r.write_availability.mean,
		       r.write_availability.half);
		assert_true(fabs(r.write_availability.mean - 100.0 / 105.0) <=
			    r.write_availability.half);
		char expect[64];
		snprintf(expect, sizeof(expect), "iris-dev %s_outage", cls[k]);
		assert_true(cause_minutes(&r, expect, AVAIL_STAGE_REPAIR) > 0);
		avail_result_release(&r);
		scenario_release(&s);
	}
}

/* Aiming narrows the components: production's data role is three hosts, its db volumes
 * three volumes. */
static void test_aiming(void **state)
{
	(void)state;
	const char *sets[] = {"stochastic_faults=[{\"class\": \"host\", \"roles\": [\"data\"]}, "
			      "{\"class\": \"volume\", \"purposes\": [\"db\"]}]"};
	struct scenario s;
	load("scenarios/production.json", sets, 1, &s);
	struct avail_result r;
	run(&s, 100, 1, &r);
	assert_int_equal(r.components, 6);
	avail_result_release(&r);
	scenario_release(&s);
}

/* Host crashes of the primary with the arbiter down cannot be confirmed: no takeover, the
 * outage waits for the repair. With the arbiter always up, every crash of a primary whose
 * backup is Active is a takeover. */
static void test_arbiter_needed(void **state)
{
	(void)state;
	const char *sets[] = {
		"stochastic_faults=[{\"class\": \"host\", \"hosts\": [\"a\", \"b\", \"arb\"], "
		"\"mtbf\": {\"kind\": \"exponential\", \"mean\": \"100h\"}, \"mttr\": {\"kind\": "
		"\"exponential\", \"mean\": \"20h\"}}]",
		"availability.manual_takeover=false"};
	struct scenario s;
	load("tests/validation/availability/pair.json", sets, 2, &s);
	struct avail_result r;
	run(&s, 2000, 2, &r);
	assert_true(cause_minutes(&r, "M primary host_crash: arbiter down", AVAIL_STAGE_REPAIR) > 0);
	assert_true(cause_minutes(&r, "M primary host_crash: backup down", AVAIL_STAGE_REPAIR) > 0);
	avail_result_release(&r);
	scenario_release(&s);
}

/* A failed volume leaves the primary's agent answering: the backup takes over and forces it
 * down; once the volume is repaired an operator restarts it after restart_delay. If the new
 * primary's host fails in that window, the outage waits for the operator. With no delay
 * that stage never happens. */
static void test_forced_down_and_restart(void **state)
{
	(void)state;
	const char *sets[] = {
		"hosts[0].volumes=[{\"name\": \"db\", \"type\": \"gp3\", \"purpose\": \"db\", "
		"\"size\": \"100GB\"}]",
		"stochastic_faults=[{\"class\": \"volume\", \"hosts\": [\"a\"], \"mtbf\": {\"kind\": "
		"\"exponential\", \"mean\": \"100h\"}, \"mttr\": {\"kind\": \"exponential\", "
		"\"mean\": \"5h\"}}, {\"class\": \"host\", \"hosts\": [\"b\"], \"mtbf\": {\"kind\": "
		"\"exponential\", \"mean\": \"100h\"}, \"mttr\": {\"kind\": \"exponential\", "
		"\"mean\": \"5h\"}}]",
		"availability.manual_takeover=false", "availability.restart_delay=\"20h\""};
	struct scenario s;
	load("tests/validation/availability/pair.json", sets, 4, &s);
	struct avail_result slow, quick;
	run(&s, 2000, 2, &slow);
	assert_true(has_cause(&slow, "M primary db volume_failure: takeover"));
	assert_true(cause_minutes(&slow, "M primary db volume_failure: takeover",
				  AVAIL_STAGE_TAKEOVER) == 0); /* failover_time 0 */
	assert_true(slow.takeovers_per_year.mean > 50); /* about 87 volume failures a year */
	assert_true(cause_minutes(&slow, "M primary host_crash: backup down",
				  AVAIL_STAGE_OPERATOR_RESTART) > 0);
	scenario_release(&s);
	sets[3] = "availability.restart_delay=\"0s\"";
	load("tests/validation/availability/pair.json", sets, 4, &s);
	run(&s, 2000, 2, &quick);
	assert_true(cause_minutes(&quick, "M primary host_crash: backup down",
				  AVAIL_STAGE_OPERATOR_RESTART) == 0);
	assert_true(quick.downtime_minutes_per_year.mean < slow.downtime_minutes_per_year.mean);
	avail_result_release(&slow);
	avail_result_release(&quick);
	scenario_release(&s);
}

/* Losing the primary region: the operator promotes the DR async after
 * mirror.dr_promotion_delay (15 min), and service returns to the failover pair without an
 * outage when the region is back (an assumption). Region outages of 100 h: every outage of
 * us-east-1 costs exactly 15 min. */
static void test_dr_promotion(void **state)
{
	(void)state;
	const char *sets[] = {"stochastic_faults=[{\"class\": \"region\", \"mttr\": \"100h\"}]"};
	struct scenario s;
	load("scenarios/production.json", sets, 1, &s);
	struct avail_result r;
	run(&s, 5000, 2, &r);
	double per = r.downtime_minutes_per_year.mean / r.incidents_per_year.mean;
	printf("  %.4f incidents/year, %.3f min each\n", r.incidents_per_year.mean, per);
	assert_true(per > 14.99 && per < 15.3);
	assert_true(fabs(r.lossy_promotions_per_year.mean / r.incidents_per_year.mean - 1) < 0.02);
	assert_true(cause_minutes(&r, "MIRROR1 primary region_outage: backup down",
				  AVAIL_STAGE_DR_PROMOTION) > 0);
	avail_result_release(&r);
	scenario_release(&s);
}

/* Route 53: when the primary load balancer has no live target, the record answers the
 * secondary after check_interval x failure_threshold + ttl: production's alias record has no
 * check of its own, so 60 s (its TTL); a health_check record with 30 s x 3 takes 150 s.
 * Service is down for exactly that long, in the dns_failover stage, and back on the primary
 * when its target is repaired. */
static void test_dns_failover(void **state)
{
	(void)state;
	const char *sets[] = {
		"load_balancers[0].targets=[\"web-a1\"]",
		"stochastic_faults=[{\"class\": \"host\", \"hosts\": [\"web-a1\"], \"mtbf\": "
		"{\"kind\": \"exponential\", \"mean\": \"100h\"}, \"mttr\": \"10h\"}]"};
	struct scenario s;
	load("scenarios/production.json", sets, 2, &s);
	struct avail_result r;
	run(&s, 200, 2, &r);
	double per = r.downtime_minutes_per_year.mean * 60 / r.incidents_per_year.mean;
	printf("  %.2f incidents/year, %.3f s each\n", r.incidents_per_year.mean, per);
	assert_true(fabs(per - 60) < 1e-6);
	avail_result_release(&r);
	scenario_release(&s);
	const char *hc_sets[] = {sets[0], sets[1], "dns[0].style=\"health_check\""};
	load("scenarios/production.json", hc_sets, 3, &s);
	run(&s, 200, 2, &r);
	per = r.downtime_minutes_per_year.mean * 60 / r.incidents_per_year.mean;
	printf("  health_check record: %.3f s each\n", per);
	assert_true(fabs(per - 150) < 1e-6);
	assert_true(cause_minutes(&r, "entry load balancer down", AVAIL_STAGE_DNS_FAILOVER) > 0);
	/* about 8766 / 110 = 80 failures a year, each an outage */
	assert_true(fabs(r.incidents_per_year.mean / (8766.0 / 110.0) - 1) < 0.05);
	avail_result_release(&r);
	scenario_release(&s);
}

/* Bad input: nothing fails, or fewer years than batches. */
static void test_errors(void **state)
{
	(void)state;
	struct scenario s;
	load("scenarios/production.json", NULL, 0, &s);
	struct avail_result r;
	struct avail_opts o = {.years = 100, .batches = 10, .jobs = 1, .level = 0.95};
	char err[256];
	assert_int_equal(avail_run(&s.config, &o, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "$.stochastic_faults"));
	avail_result_release(&r);
	o.years = 5;
	assert_int_equal(avail_run(&s.config, &o, &r, err, sizeof(err)), -EINVAL);
	avail_result_release(&r);
	scenario_release(&s);
}

/* Importance sampling redraws failure clocks: it refuses a non-exponential mtbf. */
static void test_importance_needs_exponential(void **state)
{
	(void)state;
	const char *sets[] = {"stochastic_faults=[{\"class\": \"host\", \"mtbf\": \"1000h\"}]"};
	struct scenario s;
	load("scenarios/production.json", sets, 1, &s);
	struct avail_opts o = {.years = 100, .batches = 10, .jobs = 1, .level = 0.95, .bias = 0.3};
	struct avail_result r;
	char err[256];
	assert_int_equal(avail_run(&s.config, &o, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "exponential mtbf"));
	avail_result_release(&r);
	scenario_release(&s);
}

/* The incident library's tables: a takeover after a host crash costs its takeover_h (30 min)
 * instead of failover_time (0), and reads its takeover_read_h (6 min): read downtime is
 * write downtime less 24 min per takeover; without a read table reads are down as writes. */
static void test_library_reads(void **state)
{
	(void)state;
	const char *sets[] = {"availability.manual_takeover=false"};
	struct scenario s;
	load("tests/validation/availability/pair.json", sets, 1, &s);
	double tk[AVAIL_TAKEOVER_COUNT], rd[AVAIL_TAKEOVER_COUNT];
	for (int k = 0; k < AVAIL_TAKEOVER_COUNT; k++)
		tk[k] = rd[k] = NAN;
	tk[AVAIL_TAKEOVER_HOST_CRASH] = 0.5;
	rd[AVAIL_TAKEOVER_HOST_CRASH] = 0.1;
	struct avail_result r, same;
	run_lib(&s, 2000, tk, rd, NULL, &r);
	const struct avail_cause *c = cause_of(&r, "M primary host_crash: takeover",
					       AVAIL_STAGE_TAKEOVER);
	assert_non_null(c);
	double tk_y = r.takeovers_per_year.mean;
	/* Each member fails every 105 h: about 83 a year, nearly all of them as primary. */
	assert_true(tk_y > 70 && tk_y < 90);
	assert_true(fabs(c->minutes_per_year.mean / (tk_y * 30.0) - 1) < 0.02);
	double less = r.downtime_minutes_per_year.mean - r.read_downtime_minutes_per_year.mean;
	assert_true(fabs(less / (tk_y * 24.0) - 1) < 0.02);
	assert_true(r.read_availability.mean > r.write_availability.mean);
	assert_true(fabs((r.read_availability.mean - r.write_availability.mean) -
			 less / (AVAIL_HOURS_PER_YEAR * 60)) < 1e-9);
	run_lib(&s, 2000, tk, NULL, NULL, &same);
	assert_true(same.read_downtime_minutes_per_year.mean ==
		    same.downtime_minutes_per_year.mean);
	assert_true(same.read_availability.mean == same.write_availability.mean);
	avail_result_release(&r);
	avail_result_release(&same);
	scenario_release(&s);
}

/* The library's double-failure slot: the primary crashed while the backup was down and comes
 * back with its host; its restart as primary costs the RESTART slot's time (1 h) instead of
 * failover_time (0): one hour per visit of the takeover stage of the "backup down" class. */
static void test_library_restart(void **state)
{
	(void)state;
	const char *sets[] = {"availability.manual_takeover=false"};
	struct scenario s;
	load("tests/validation/availability/pair.json", sets, 1, &s);
	double tk[AVAIL_TAKEOVER_COUNT];
	for (int k = 0; k < AVAIL_TAKEOVER_COUNT; k++)
		tk[k] = NAN;
	struct avail_result zero, lib;
	run_lib(&s, 2000, tk, NULL, NULL, &zero);
	assert_true(cause_minutes(&zero, "M primary host_crash: backup down",
				  AVAIL_STAGE_TAKEOVER) == 0);
	tk[AVAIL_TAKEOVER_RESTART] = 1.0;
	run_lib(&s, 2000, tk, NULL, NULL, &lib);
	const struct avail_cause *c = cause_of(&lib, "M primary host_crash: backup down",
					       AVAIL_STAGE_TAKEOVER);
	assert_non_null(c);
	assert_true(c->samples > 1000);
	assert_true(fabs(c->minutes_per_year.mean / ((double)c->samples / 2000.0 * 60.0) - 1) <
		    0.02);
	avail_result_release(&zero);
	avail_result_release(&lib);
	scenario_release(&s);
}

/* A journal volume the library found harmless (the alternate takes over) takes the instance
 * down only with its partner failed too: each member has a journal pair failing every 100 h
 * and repaired in 5 h; both down begins 2 x (100/105)(5/105)/100 h = 7.95 times a year per
 * member, so about that many takeovers a year (the primary's), against one per failure of
 * either journal volume without the mark. */
static void test_volume_harmless(void **state)
{
	(void)state;
	const char *vols = "[{\"name\": \"j\", \"type\": \"gp3\", \"purpose\": \"journal\", "
			   "\"size\": \"100GB\"}, {\"name\": \"ja\", \"type\": \"gp3\", "
			   "\"purpose\": \"journal_alt\", \"size\": \"100GB\"}]";
	char v0[512], v1[512];
	snprintf(v0, sizeof(v0), "hosts[0].volumes=%s", vols);
	snprintf(v1, sizeof(v1), "hosts[1].volumes=%s", vols);
	const char *sets[] = {
		v0, v1,
		"stochastic_faults=[{\"class\": \"volume\", \"mtbf\": {\"kind\": "
		"\"exponential\", \"mean\": \"100h\"}, \"mttr\": {\"kind\": \"exponential\", "
		"\"mean\": \"5h\"}}]",
		"availability.manual_takeover=false", "availability.restart_delay=\"0s\""};
	struct scenario s;
	load("tests/validation/availability/pair.json", sets, 5, &s);
	unsigned char harmless[VOLUME_OTHER + 1] = {0};
	harmless[VOLUME_JOURNAL] = harmless[VOLUME_JOURNAL_ALT] = 1;
	struct avail_result h, all;
	run_lib(&s, 4000, NULL, NULL, harmless, &h);
	double want = 2.0 * (100.0 / 105.0) * (5.0 / 105.0) / 100.0 * AVAIL_HOURS_PER_YEAR;
	assert_true(fabs(h.takeovers_per_year.mean / want - 1) < 0.1);
	assert_true(has_cause(&h, "M primary journal volume_failure: takeover"));
	run_lib(&s, 1000, NULL, NULL, NULL, &all);
	assert_true(all.takeovers_per_year.mean > 100);
	avail_result_release(&h);
	avail_result_release(&all);
	scenario_release(&s);
}

/* Time-of-day strata: the library's tables per stratum; a takeover is charged the figures of
 * the stratum its hour falls in. Peak (the first 6 h of each day) costs 30 min, the rest
 * nothing: failures fall uniformly over the day, so a quarter of the takeovers cost 30 min. */
static void test_strata(void **state)
{
	(void)state;
	const char *sets[] = {"availability.manual_takeover=false",
			      "availability.strata=[{\"name\": \"peak\", \"share\": 0.25, "
			      "\"load\": 2}, {\"name\": \"off\", \"share\": 0.75, \"load\": 0.5}]"};
	struct scenario s;
	load("tests/validation/availability/pair.json", sets, 2, &s);
	const struct availability_config *ac = &s.config.availability;
	assert_int_equal(avail_stratum_at(ac, 0.0), 0);
	assert_int_equal(avail_stratum_at(ac, 5.99), 0);
	assert_int_equal(avail_stratum_at(ac, 6.0), 1);
	assert_int_equal(avail_stratum_at(ac, 23.99), 1);
	assert_int_equal(avail_stratum_at(ac, 24.0 * 1000 + 1), 0);
	double tk[2 * AVAIL_TAKEOVER_COUNT];
	for (int k = 0; k < 2 * AVAIL_TAKEOVER_COUNT; k++)
		tk[k] = NAN;
	tk[AVAIL_TAKEOVER_HOST_CRASH] = 0.5;
	tk[AVAIL_TAKEOVER_COUNT + AVAIL_TAKEOVER_HOST_CRASH] = 0.0;
	struct avail_result r;
	run_lib(&s, 4000, tk, NULL, NULL, &r);
	const struct avail_cause *c = cause_of(&r, "M primary host_crash: takeover",
					       AVAIL_STAGE_TAKEOVER);
	assert_non_null(c);
	double want = 0.25 * r.takeovers_per_year.mean * 30.0;
	assert_true(fabs(c->minutes_per_year.mean / want - 1) < 0.05);
	avail_result_release(&r);
	scenario_release(&s);
}

static void run_links(const struct scenario *s, const double *lh, const double *lr,
		      struct avail_result *r)
{
	struct avail_opts o = {.years = 2000, .batches = 10, .jobs = 2, .level = 0.99,
			       .seed = 1, .link_h = lh, .link_read_h = lr};
	char err[256];
	int rc = avail_run(&s->config, &o, r, err, sizeof(err));
	if (rc != 0)
		fail_msg("avail_run: %s", err);
}

/* Links: production's AZ pairs that hold hosts (us-east-1a|b, a|c, b|c) and its region pair
 * fail at components / (MTBF + MTTR); a link the library found harmless costs nothing; a
 * charged one costs its rate times E[min(library outage, partition)] (exponential
 * partition of mean m: m (1 - exp(-c / m))); one whose writes did not come back costs the
 * whole partition. */
static void test_links(void **state)
{
	(void)state;
	const char *sets[] = {"stochastic_faults=[{\"class\": \"link\", \"mtbf\": {\"kind\": "
			      "\"exponential\", \"mean\": \"100h\"}, \"mttr\": {\"kind\": "
			      "\"exponential\", \"mean\": \"30m\"}}]"};
	struct scenario s;
	load("scenarios/production.json", sets, 1, &s);
	struct avail_link links[8];
	assert_int_equal(avail_links(&s.config, links, 8), 4);
	assert_string_equal(links[0].side[0], "us-east-1a");
	assert_string_equal(links[0].side[1], "us-east-1b");
	assert_string_equal(links[2].side[0], "us-east-1b");
	assert_string_equal(links[2].side[1], "us-east-1c");
	assert_true(links[3].regions);
	/* The exact chain does not cover links: it says so rather than disagree. */
	struct ctmc_result ex;
	ctmc_solve(&s.config, &ex);
	assert_false(ex.applies);
	assert_non_null(strstr(ex.why, "link failures"));
	assert_string_equal(links[3].side[1], "us-west-2");
	double rate = AVAIL_HOURS_PER_YEAR / 100.5; /* per link, per year */
	struct avail_result r;
	/* No library: counted, not charged. */
	run_links(&s, NULL, NULL, &r);
	assert_int_equal(r.components, 4);
	assert_true(fabs(r.failures_per_year[FAULT_CLASS_LINK] / (4 * rate) - 1) < 0.01);
	assert_true(r.downtime_minutes_per_year.mean == 0);
	assert_int_equal(r.cause_count, 0);
	avail_result_release(&r);
	/* Harmless everywhere (NAN): likewise. */
	double lh[4] = {NAN, NAN, NAN, NAN}, lr[4] = {NAN, NAN, NAN, NAN};
	run_links(&s, lh, lr, &r);
	assert_true(r.downtime_minutes_per_year.mean == 0);
	avail_result_release(&r);
	/* a|b charged 72 s of writes and 36 s of reads. */
	lh[0] = 0.02;
	lr[0] = 0.01;
	run_links(&s, lh, lr, &r);
	double w = rate * 0.5 * (1 - exp(-0.02 / 0.5)) * 60, rd = rate * 0.5 * (1 - exp(-0.01 / 0.5)) * 60;
	assert_true(fabs(r.downtime_minutes_per_year.mean / w - 1) < 0.02);
	assert_true(fabs(r.read_downtime_minutes_per_year.mean / rd - 1) < 0.02);
	const struct avail_cause *c =
		cause_of(&r, "link us-east-1a <-> us-east-1b: partition", AVAIL_STAGE_PARTITION);
	assert_non_null(c);
	assert_true(fabs(c->incidents_per_year / rate - 1) < 0.02);
	assert_true(fabs(c->minutes_per_year.mean / w - 1) < 0.02);
	avail_result_release(&r);
	/* The region pair's writes not back during the run: the whole partition. */
	lh[0] = lr[0] = NAN;
	lh[3] = INFINITY;
	run_links(&s, lh, lr, &r);
	w = rate * 0.5 * 60;
	assert_true(fabs(r.downtime_minutes_per_year.mean / w - 1) < 0.02);
	assert_true(r.read_downtime_minutes_per_year.mean == r.downtime_minutes_per_year.mean);
	assert_true(has_cause(&r, "link us-east-1 <-> us-west-2: partition"));
	avail_result_release(&r);
	scenario_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic_across_jobs),
		cmocka_unit_test(test_fault_domain_tree),
		cmocka_unit_test(test_aiming),
		cmocka_unit_test(test_arbiter_needed),
		cmocka_unit_test(test_forced_down_and_restart),
		cmocka_unit_test(test_dr_promotion),
		cmocka_unit_test(test_dns_failover),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_importance_needs_exponential),
		cmocka_unit_test(test_library_reads),
		cmocka_unit_test(test_library_restart),
		cmocka_unit_test(test_volume_harmless),
		cmocka_unit_test(test_strata),
		cmocka_unit_test(test_links),
	};
	return cmocka_run_group_tests_name("avail", tests, NULL, NULL);
}
