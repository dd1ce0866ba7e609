/* avail_library.c: the incident library of the availability mode (see avail_library.h). */
#include "avail_library.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
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

/* The scenario s with only the library's fault (kind at target, LIB_FAULT_AT for
 * LIB_FAULT_FOR), no stochastic failures and no expectations, loaded from s's merged text
 * with overrides: a scenario of its own, so a run of it anywhere (another rank of a
 * cluster, cluster.h) starts from the same text. Returns 0, or -EINVAL/-ENOMEM with err. */
static int load_incident_scenario(const struct scenario *s, enum fault_kind kind,
				  const char *target, struct scenario *out, char *err,
				  size_t err_size)
{
	char faults[512];
	snprintf(faults, sizeof(faults),
		 "faults=[{\"kind\": \"%s\", \"target\": \"%s\", \"at\": \"%llds\", "
		 "\"for\": \"%llds\"}]",
		 fault_kind_names[kind], target ? target : "",
		 (long long)(LIB_FAULT_AT / SIM_S), (long long)(LIB_FAULT_FOR / SIM_S));
	const struct scenario_override overrides[] = {
		{faults, "the incident library"},
		{"stochastic_faults=[]", "the incident library"},
		{"expectations=[]", "the incident library"},
	};
	struct scenario_load_opts o = {.overrides = overrides, .override_count = 3,
				       .catalog_dir = s->catalog_dir, .text = s->merged_json};
	struct diag diag;
	diag_init(&diag);
	int rc = scenario_load_with(out, s->file, &o, &diag);
	if (rc < 0) {
		const struct diag_item *first = diag_count(&diag) ? diag_item(&diag, 0) : NULL;
		snprintf(err, err_size, "the incident library's scenario for %s %s: %s",
			 fault_kind_names[kind], target ? target : "",
			 rc == -ENOMEM ? "out of memory" : first ? first->message : "invalid");
	}
	diag_release(&diag);
	return rc;
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
			enum fault_kind kind = k == AVAIL_TAKEOVER_HOST_CRASH ? FAULT_HOST_CRASH
									     : FAULT_AZ_OUTAGE;
			const char *target = k == AVAIL_TAKEOVER_HOST_CRASH ? primary : az_of(c, primary);
			snprintf(e->fault, sizeof(e->fault), "%s %s", fault_kind_names[kind],
				 target ? target : "");
			struct scenario cs;
			rc = load_incident_scenario(s, kind, target, &cs, err, err_size);
			struct runner_opts ro = {.replications = replications, .seed = seed,
						 .duration = LIB_DURATION, .warmup = LIB_WARMUP,
						 .series_width = 60 * SIM_S, .version = "library",
						 .ci_level = 0.95, .threads = threads};
			struct summary sum;
			if (rc == 0)
				rc = runner_run(&cs, &ro, NULL, &sum, err, err_size);
			scenario_release(&cs);
			if (rc == 0) {
				e->replications = sum.replications;
				const struct summary_incident *in = NULL;
				for (size_t i = 0; i < sum.incident_count; i++)
					if (strcmp(sum.incidents[i].kind, fault_kind_names[kind]) == 0 &&
					    strcmp(sum.incidents[i].target, target ? target : "") == 0)
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
				summary_release(&sum);
			}
		}
	}
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
