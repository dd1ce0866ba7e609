/* avail_library.c: the incident library of the availability mode (see avail_library.h). */
#include "avail_library.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runner.h"
#include "summary.h"

/* The request-level run around one incident: 30 s of warm-up, the fault 30 s later for
 * 10 min, measured for 5 min: a takeover that has not given writes back 4.5 min after the
 * fault is not one the library can charge. */
#define LIB_WARMUP (30 * SIM_S)
#define LIB_FAULT_AT (60 * SIM_S)
#define LIB_FAULT_FOR (600 * SIM_S)
#define LIB_DURATION (300 * SIM_S)

static double lib_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const char *az_of(const struct scenario_config *c, const char *host)
{
	for (size_t h = 0; h < c->host_count; h++)
		if (strcmp(c->hosts[h].name, host) == 0)
			return c->hosts[h].az;
	return NULL;
}

int avail_library_build(struct scenario *s, int replications, int threads, uint64_t seed,
			struct avail_library *l, char *err, size_t err_size)
{
	memset(l, 0, sizeof(*l));
	struct scenario_config *c = &s->config;
	size_t n = c->mirror_count * AVAIL_TAKEOVER_COUNT;
	l->entries = calloc(n + 1, sizeof(*l->entries));
	l->takeover_h = calloc(n + 1, sizeof(double));
	if (!l->entries || !l->takeover_h) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		l->takeover_h[i] = NAN;
	/* Borrow the scenario: only the library's fault, no stochastic failures. */
	struct fault_config *faults = c->faults;
	size_t fault_count = c->fault_count, stochastic_count = c->stochastic_fault_count;
	c->stochastic_fault_count = 0;
	double t0 = lib_now();
	int rc = 0;
	for (size_t mi = 0; mi < c->mirror_count && rc == 0; mi++) {
		const struct mirror_set_config *ms = &c->mirrors[mi];
		if (ms->failover_count < 2)
			continue;
		const char *primary = ms->failover[0];
		for (int k = 0; k < AVAIL_TAKEOVER_COUNT && rc == 0; k++) {
			struct avail_library_entry *e = &l->entries[l->count++];
			e->mirror = (int)mi;
			e->kind = k;
			snprintf(e->incident_class, sizeof(e->incident_class), "%s primary %s: takeover",
				 ms->name, avail_takeover_kind_names[k]);
			struct fault_config f = {.at = LIB_FAULT_AT, .duration = LIB_FAULT_FOR,
						 .latency_factor = 10, .iops_factor = 1,
						 .probability = 1};
			if (k == AVAIL_TAKEOVER_HOST_CRASH) {
				f.kind = FAULT_HOST_CRASH;
				f.target = (char *)primary;
			} else {
				f.kind = FAULT_AZ_OUTAGE;
				f.target = (char *)az_of(c, primary);
			}
			snprintf(e->fault, sizeof(e->fault), "%s %s", fault_kind_names[f.kind],
				 f.target ? f.target : "");
			c->faults = &f;
			c->fault_count = 1;
			struct runner_opts ro = {.replications = replications, .seed = seed,
						 .duration = LIB_DURATION, .warmup = LIB_WARMUP,
						 .series_width = 60 * SIM_S, .version = "library",
						 .ci_level = 0.95, .threads = threads};
			struct summary sum;
			rc = runner_run(s, &ro, NULL, &sum, err, err_size);
			if (rc == 0) {
				e->replications = sum.replications;
				const struct summary_incident *in = NULL;
				for (size_t i = 0; i < sum.incident_count; i++)
					if (strcmp(sum.incidents[i].kind, fault_kind_names[f.kind]) == 0 &&
					    strcmp(sum.incidents[i].target, f.target) == 0)
						in = &sum.incidents[i];
				if (!in) {
					snprintf(e->note, sizeof(e->note), "no incident recorded");
				} else {
					e->recovered = in->recovered;
					memcpy(e->rto_s, in->rto_s, sizeof(e->rto_s));
					memcpy(e->stage_s, in->stage_s, sizeof(e->stage_s));
					memcpy(e->rpo_tx, in->rpo_tx, sizeof(e->rpo_tx));
					memcpy(e->write_unavailable_s, in->write_unavailable_s,
					       sizeof(e->write_unavailable_s));
					if (in->recovered == in->count && in->count > 0 &&
					    !isnan(in->rto_s[0])) {
						e->used = true;
						l->takeover_h[mi * AVAIL_TAKEOVER_COUNT + (size_t)k] =
							in->rto_s[0] / 3600.0;
					} else {
						snprintf(e->note, sizeof(e->note),
							 "writes not back in %lld of %lld replications "
							 "within 4 min: failover_time used",
							 (long long)(in->count - in->recovered),
							 (long long)in->count);
					}
				}
			}
			summary_release(&sum);
		}
	}
	c->faults = faults;
	c->fault_count = fault_count;
	c->stochastic_fault_count = stochastic_count;
	l->wall_s = lib_now() - t0;
	return rc;
}

void avail_library_release(struct avail_library *l)
{
	if (!l)
		return;
	free(l->entries);
	free(l->takeover_h);
	l->entries = NULL;
	l->takeover_h = NULL;
	l->count = 0;
}
