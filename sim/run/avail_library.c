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
 * fault is not one the library can charge. A double failure: the backup's host crashes
 * 15 s before the primary's, which is back after LIB_RESTART_DOWN. */
#define LIB_WARMUP (30 * SIM_S)
#define LIB_FAULT_AT (60 * SIM_S)
#define LIB_FAULT_FOR (600 * SIM_S)
#define LIB_DURATION (300 * SIM_S)
#define LIB_BACKUP_AHEAD (15 * SIM_S)
#define LIB_RESTART_DOWN (120 * SIM_S)
/* A volume class is harmless when its primary stays primary and writes are back within
 * this in every replication. */
#define LIB_HARMLESS_RTO_S 60.0
/* A partition is harmless when every primary stays primary and writes are back within this
 * (the ledger's resolution): unlike a volume failure, whose alternative in the upper level
 * is a takeover, a partition's measured outage is charged as measured, so only a blip the
 * runs cannot tell from none is not. */
#define LIB_LINK_HARMLESS_RTO_S 1.0
/* A partition lasts past the end of its run; writes that came back only within this much of
 * the end did not come back: the tries still in flight when the run ends are not counted as
 * failures (the client timeout is 10 s, retries add more), so the ledger would take the last
 * seconds' successes for a recovery. Such a partition is charged as long as it lasts. */
#define LIB_LINK_TAIL_S 60.0

static double lib_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const struct host_config *host_of(const struct scenario_config *c, const char *host)
{
	for (size_t h = 0; h < c->host_count; h++)
		if (strcmp(c->hosts[h].name, host) == 0)
			return &c->hosts[h];
	return NULL;
}

/* One scheduled fault of a class. */
struct lib_fault {
	enum fault_kind kind;
	char target[160];          /* a partition: "A <-> B", as the ledger names it */
	sim_time at, for_;
	const char *between[2];    /* a partition: its two sides */
};

/* The scenario s with only the class's faults, no stochastic failures and no expectations,
 * loaded from s's merged text with overrides: a scenario of its own, so a run of it
 * anywhere (another rank of a cluster, cluster.h) starts from the same text. Returns 0, or
 * -EINVAL/-ENOMEM with err. */
static int load_incident_scenario(const struct scenario *s, const struct lib_fault *f,
				  size_t nf, double load, struct scenario *out, char *err,
				  size_t err_size)
{
	char faults[1024];
	size_t used = (size_t)snprintf(faults, sizeof(faults), "faults=[");
	for (size_t i = 0; i < nf && used < sizeof(faults); i++) {
		char where[256];
		if (f[i].between[0])
			snprintf(where, sizeof(where), "\"between\": [\"%s\", \"%s\"]",
				 f[i].between[0], f[i].between[1]);
		else
			snprintf(where, sizeof(where), "\"target\": \"%s\"", f[i].target);
		used += (size_t)snprintf(faults + used, sizeof(faults) - used,
					 "%s{\"kind\": \"%s\", %s, \"at\": \"%llds\", "
					 "\"for\": \"%llds\"}", i ? ", " : "",
					 fault_kind_names[f[i].kind], where,
					 (long long)(f[i].at / SIM_S), (long long)(f[i].for_ / SIM_S));
	}
	if (used < sizeof(faults))
		snprintf(faults + used, sizeof(faults) - used, "]");
	/* A stratum's load: every population's rate (each step's) or clients times load. */
	const struct workload_config *w = &s->config.workload;
	size_t cap = 3;
	for (size_t i = 0; i < w->population_count; i++)
		cap += 1 + w->populations[i].rate_count;
	struct scenario_override *overrides = calloc(cap, sizeof(*overrides));
	char *texts = calloc(cap, 160);
	if (!overrides || !texts) {
		free(overrides);
		free(texts);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	size_t n = 0;
	overrides[n++] = (struct scenario_override){faults, "the incident library"};
	overrides[n++] = (struct scenario_override){"stochastic_faults=[]", "the incident library"};
	overrides[n++] = (struct scenario_override){"expectations=[]", "the incident library"};
	for (size_t i = 0; load != 1.0 && i < w->population_count; i++) {
		const struct population_config *pc = &w->populations[i];
		char *t = texts + n * 160;
		if (pc->arrival == ARRIVAL_POISSON) {
			snprintf(t, 160, "workload.populations[%zu].rate=\"%.17g/s\"", i,
				 pc->rate * load);
			overrides[n++] = (struct scenario_override){t, "the incident library's stratum"};
		} else if (pc->arrival == ARRIVAL_PIECEWISE) {
			for (size_t j = 0; j < pc->rate_count; j++, t = texts + n * 160) {
				snprintf(t, 160, "workload.populations[%zu].rates[%zu].rate=\"%.17g/s\"",
					 i, j, pc->rates[j].rate * load);
				overrides[n++] =
					(struct scenario_override){t, "the incident library's stratum"};
			}
		} else {
			long long k = llround((double)pc->clients * load);
			snprintf(t, 160, "workload.populations[%zu].clients=%lld", i, k < 1 ? 1 : k);
			overrides[n++] = (struct scenario_override){t, "the incident library's stratum"};
		}
	}
	struct scenario_load_opts o = {.overrides = overrides, .override_count = n,
				       .catalog_dir = s->catalog_dir, .text = s->merged_json};
	struct diag diag;
	diag_init(&diag);
	int rc = scenario_load_with(out, s->file, &o, &diag);
	free(overrides);
	if (rc < 0) {
		const struct diag_item *first = diag_count(&diag) ? diag_item(&diag, 0) : NULL;
		snprintf(err, err_size, "the incident library's scenario for %s %s: %s",
			 fault_kind_names[f[nf - 1].kind], f[nf - 1].target,
			 rc == -ENOMEM ? "out of memory" : first ? first->message : "invalid");
	}
	diag_release(&diag);
	free(texts);
	return rc;
}

/* Stage means as "NAME SECONDS" pairs, by the ledger's names. */
static void stages_format(const double *stage_s, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (int k = 0; k < STAGE_COUNT && used < size; k++)
		used += (size_t)snprintf(out + used, size - used, "%s%s %.17g", k ? "," : "",
					 ledger_stage_names[k], stage_s[k]);
}

/* Back from the cache's text: every stage of the ledger named once, nothing else. Returns
 * false when the stages do not match (another build's ledger): the entry is rebuilt. */
static bool stages_parse(const char *text, double *stage_s)
{
	bool seen[STAGE_COUNT] = {false};
	const char *p = text;
	int n = 0;
	while (*p) {
		char name[64];
		double v;
		int len = 0;
		if (sscanf(p, "%63[^ ] %lf%n", name, &v, &len) != 2 || len == 0)
			return false;
		int k = 0;
		while (k < STAGE_COUNT && strcmp(ledger_stage_names[k], name) != 0)
			k++;
		if (k == STAGE_COUNT || seen[k])
			return false;
		seen[k] = true;
		stage_s[k] = v;
		n++;
		p += len;
		if (*p == ',')
			p++;
		else if (*p)
			return false;
	}
	return n == STAGE_COUNT;
}

static void entry_to_cached(const struct avail_library_entry *e, double wall_s,
			    struct results_avail_cached *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->incident_class, sizeof(c->incident_class), "%s", e->incident_class);
	snprintf(c->fault, sizeof(c->fault), "%s", e->fault);
	c->replications = e->replications;
	c->recovered = e->recovered;
	memcpy(c->rto_s, e->rto_s, sizeof(c->rto_s));
	memcpy(c->rpo_tx, e->rpo_tx, sizeof(c->rpo_tx));
	memcpy(c->write_unavailable_s, e->write_unavailable_s, sizeof(c->write_unavailable_s));
	memcpy(c->read_unavailable_s, e->read_unavailable_s, sizeof(c->read_unavailable_s));
	stages_format(e->stage_s, c->stages, sizeof(c->stages));
	snprintf(c->primary_after, sizeof(c->primary_after), "%s", e->primary_after);
	snprintf(c->note, sizeof(c->note), "%s", e->note);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(c->built_at, sizeof(c->built_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	c->wall_s = wall_s;
}

static bool entry_from_cached(const struct results_avail_cached *c,
			      struct avail_library_entry *e)
{
	double stage_s[STAGE_COUNT];
	if (!stages_parse(c->stages, stage_s) || strcmp(c->incident_class, e->incident_class) != 0)
		return false;
	memcpy(e->stage_s, stage_s, sizeof(stage_s));
	snprintf(e->fault, sizeof(e->fault), "%s", c->fault);
	e->replications = c->replications;
	e->recovered = c->recovered;
	memcpy(e->rto_s, c->rto_s, sizeof(e->rto_s));
	memcpy(e->rpo_tx, c->rpo_tx, sizeof(e->rpo_tx));
	memcpy(e->write_unavailable_s, c->write_unavailable_s, sizeof(e->write_unavailable_s));
	memcpy(e->read_unavailable_s, c->read_unavailable_s, sizeof(e->read_unavailable_s));
	snprintf(e->primary_after, sizeof(e->primary_after), "%s", c->primary_after);
	snprintf(e->note, sizeof(e->note), "%s", c->note);
	e->cached = true;
	return true;
}

/* Run class e (its faults f) at request level and fill its measured figures. */
static int simulate(struct scenario *s, const struct avail_library_opts *o,
		    const struct lib_fault *f, size_t nf, struct avail_library_entry *e, char *err,
		    size_t err_size)
{
	struct scenario cs;
	int rc = load_incident_scenario(s, f, nf, e->load, &cs, err, err_size);
	struct runner_opts ro = {.replications = o->replications, .seed = o->seed,
				 .duration = LIB_DURATION, .warmup = LIB_WARMUP,
				 .series_width = 60 * SIM_S, .version = "library",
				 .ci_level = 0.95, .threads = o->threads};
	struct summary sum;
	if (rc == 0)
		rc = runner_run(&cs, &ro, NULL, &sum, err, err_size);
	scenario_release(&cs);
	if (rc < 0)
		return rc;
	e->replications = sum.replications;
	/* The incident of the class's last fault (the primary's). */
	const struct lib_fault *key = &f[nf - 1];
	const struct summary_incident *in = NULL;
	for (size_t i = 0; i < sum.incident_count; i++)
		if (strcmp(sum.incidents[i].kind, fault_kind_names[key->kind]) == 0 &&
		    strcmp(sum.incidents[i].target, key->target) == 0)
			in = &sum.incidents[i];
	for (int k = 0; k < 2; k++)
		e->rto_s[k] = e->rpo_tx[k] = e->write_unavailable_s[k] = e->read_unavailable_s[k] =
			NAN;
	if (!in) {
		snprintf(e->note, sizeof(e->note), "no incident recorded");
	} else {
		e->recovered = in->recovered;
		memcpy(e->rto_s, in->rto_s, sizeof(e->rto_s));
		memcpy(e->stage_s, in->stage_s, sizeof(e->stage_s));
		memcpy(e->rpo_tx, in->rpo_tx, sizeof(e->rpo_tx));
		memcpy(e->write_unavailable_s, in->write_unavailable_s,
		       sizeof(e->write_unavailable_s));
		memcpy(e->read_unavailable_s, in->read_unavailable_s,
		       sizeof(e->read_unavailable_s));
		snprintf(e->primary_after, sizeof(e->primary_after), "%s", in->primary_after);
		if (in->recovered != in->count || in->count == 0 || isnan(in->rto_s[0]))
			snprintf(e->note, sizeof(e->note),
				 "writes not back in %lld of %lld replications within 4 min: "
				 "failover_time used",
				 (long long)(in->count - in->recovered), (long long)in->count);
	}
	summary_release(&sum);
	return 0;
}

/* A partition: harmless when every mirror's primary stayed primary and writes were back
 * within LIB_LINK_HARMLESS_RTO_S (on average over the replications); charged its RTO when
 * writes came back later in every replication, before the run's last LIB_LINK_TAIL_S;
 * otherwise (writes out to the end of a replication) the whole partition. Reads: in proportion, as takeovers. */
static void charge_link(const struct scenario_config *c, struct avail_library_entry *e)
{
	if (e->note[0] && e->recovered == 0 && isnan(e->rto_s[0]) &&
	    strcmp(e->note, "no incident recorded") == 0)
		return;
	e->note[0] = '\0';
	bool stayed = true;
	for (size_t m = 0; m < c->mirror_count; m++)
		stayed &= c->mirrors[m].failover_count == 0 ||
			  strstr(e->primary_after, c->mirrors[m].failover[0]) != NULL;
	e->used = true;
	double window_s = (double)(LIB_WARMUP + LIB_DURATION - LIB_FAULT_AT) / SIM_S;
	if (e->recovered == e->replications && !isnan(e->rto_s[0]) &&
	    e->rto_s[0] < window_s - LIB_LINK_TAIL_S) {
		if (stayed && e->rto_s[0] < LIB_LINK_HARMLESS_RTO_S) {
			e->harmless = true;
			return;
		}
		e->charged_s = e->rto_s[0];
	} else {
		e->charged_s = INFINITY; /* writes out while the partition lasts */
	}
	double w = e->write_unavailable_s[0], r = e->read_unavailable_s[0];
	e->read_charged_s = e->charged_s;
	if (!isnan(w) && !isnan(r) && w > 0 && r < w)
		e->read_charged_s = isfinite(e->charged_s) ? e->charged_s * fmax(0.0, r) / w
							 : NAN; /* a share of the partition: as writes */
}

/* From the measured figures: what the upper level charges, and whether. */
static void charge(const struct scenario_config *c, struct avail_library_entry *e)
{
	e->used = e->harmless = false;
	e->charged_s = e->read_charged_s = NAN;
	if (e->link >= 0) {
		charge_link(c, e);
		return;
	}
	if (e->note[0] || e->recovered != e->replications || isnan(e->rto_s[0]))
		return;
	const char *primary = c->mirrors[e->mirror].failover[0];
	double offset = e->kind == AVAIL_TAKEOVER_RESTART ? (double)LIB_RESTART_DOWN / SIM_S : 0;
	e->charged_s = fmax(0.0, e->rto_s[0] - offset);
	/* Reads: the charged outage in the proportion of the time reads were unavailable to
	 * the time writes were (both measured alike by the ledger), no longer than writes
	 * (the upper level's outage is the writes'). */
	double w = e->write_unavailable_s[0] - offset, r = e->read_unavailable_s[0] - offset;
	e->read_charged_s = e->charged_s;
	bool reads = false; /* a workload without reads measures no read outage */
	for (size_t i = 0; i < c->workload.operation_count; i++)
		reads |= c->workload.operations[i].kind != OP_WRITE &&
			 c->workload.operations[i].kind != OP_COMMIT;
	if (reads && !isnan(w) && !isnan(r) && w > 0)
		e->read_charged_s = e->charged_s * fmin(1.0, fmax(0.0, r) / w);
	e->used = true;
	if (e->kind >= AVAIL_TAKEOVER_VOLUME_SYS && strcmp(e->primary_after, primary) == 0 &&
	    e->rto_s[0] < LIB_HARMLESS_RTO_S)
		e->harmless = true;
}

/* Does some stochastic volume class aim at a volume of this purpose on host h? */
static bool volume_fails(const struct scenario_config *c, const struct host_config *h,
			 int purpose)
{
	bool has = false;
	for (size_t v = 0; v < h->volume_count; v++)
		has |= h->volumes[v].purpose == purpose;
	if (!has)
		return false;
	for (size_t i = 0; i < c->stochastic_fault_count; i++)
		if (c->stochastic_faults[i].class_ == FAULT_CLASS_VOLUME &&
		    stochastic_fault_aims(&c->stochastic_faults[i], h->name,
					  host_role_names[h->role], volume_purpose_names[purpose]))
			return true;
	return false;
}

/* Entry e (its faults f): from the cache when it holds it under slot, else simulated (and
 * stored). */
static int lib_entry(struct scenario *s, const struct avail_library_opts *o, const char *hash,
		     const char *slot, const struct lib_fault *f, size_t nf,
		     struct avail_library_entry *e, struct avail_library *l, char *err,
		     size_t err_size)
{
	int rc = 0;
	struct results_avail_key key = {hash, o->seed, o->replications,
					o->version ? o->version : "", slot};
	struct results_avail_cached cached;
	bool hit = o->cache && !o->rebuild &&
		   results_get_avail_cached(o->cache, &key, &cached) == 0 &&
		   entry_from_cached(&cached, e);
	if (!hit) {
		double t1 = lib_now();
		rc = simulate(s, o, f, nf, e, err, err_size);
		if (rc == 0 && o->cache) {
			entry_to_cached(e, lib_now() - t1, &cached);
			rc = results_begin(o->cache);
			if (rc == 0)
				rc = results_put_avail_cached(o->cache, &key, &cached);
			if (rc == 0)
				rc = results_commit(o->cache);
			if (rc < 0) {
				snprintf(err, err_size, "storing the library's cache: %s",
					 results_errmsg(o->cache));
				results_rollback(o->cache);
			}
		}
		l->simulated++;
	} else {
		l->cached++;
	}
	return rc;
}

int avail_library_build(struct scenario *s, const struct avail_library_opts *o,
			struct avail_library *l, char *err, size_t err_size)
{
	memset(l, 0, sizeof(*l));
	struct scenario_config *c = &s->config;
	const struct availability_config *ac = &c->availability;
	size_t ns = ac->stratum_count ? ac->stratum_count : 1;
	size_t n = ns * c->mirror_count * AVAIL_TAKEOVER_COUNT;
	bool link_class = false;
	for (size_t i = 0; i < c->stochastic_fault_count; i++)
		link_class |= c->stochastic_faults[i].class_ == FAULT_CLASS_LINK;
	l->nlinks = link_class ? avail_links(c, NULL, 0) : 0;
	struct avail_link *links = calloc(l->nlinks + 1, sizeof(*links));
	l->entries = calloc(n + ns * l->nlinks + 1, sizeof(*l->entries));
	l->takeover_h = calloc(n + 1, sizeof(double));
	l->takeover_read_h = calloc(n + 1, sizeof(double));
	l->link_h = calloc(ns * l->nlinks + 1, sizeof(double));
	l->link_read_h = calloc(ns * l->nlinks + 1, sizeof(double));
	if (!links || !l->entries || !l->takeover_h || !l->takeover_read_h || !l->link_h ||
	    !l->link_read_h) {
		free(links);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	avail_links(c, links, l->nlinks);
	for (size_t i = 0; i < n; i++)
		l->takeover_h[i] = l->takeover_read_h[i] = NAN;
	for (size_t i = 0; i < ns * l->nlinks; i++)
		l->link_h[i] = l->link_read_h[i] = NAN;
	/* A purpose is harmless when it is on every mirror's primary where it was measured. */
	bool measured[VOLUME_OTHER + 1] = {false}, harmful[VOLUME_OTHER + 1] = {false};
	char hash[17];
	runner_scenario_hash(s, hash);
	double t0 = lib_now();
	int rc = 0;
	for (size_t st = 0; st < ns && rc == 0; st++)
	for (size_t mi = 0; mi < c->mirror_count && rc == 0; mi++) {
		const struct mirror_set_config *ms = &c->mirrors[mi];
		if (ms->failover_count < 2)
			continue;
		const char *primary = ms->failover[0], *backup = ms->failover[1];
		const struct host_config *ph = host_of(c, primary);
		if (!ph)
			continue;
		for (int k = 0; k < AVAIL_TAKEOVER_COUNT && rc == 0; k++) {
			struct lib_fault f[2];
			size_t nf = 1;
			char cls[192];
			memset(f, 0, sizeof(f));
			f[0].at = LIB_FAULT_AT;
			f[0].for_ = LIB_FAULT_FOR;
			int purpose = -1;
			if (k == AVAIL_TAKEOVER_HOST_CRASH || k == AVAIL_TAKEOVER_AZ_OUTAGE) {
				f[0].kind = k == AVAIL_TAKEOVER_HOST_CRASH ? FAULT_HOST_CRASH
									   : FAULT_AZ_OUTAGE;
				snprintf(f[0].target, sizeof(f[0].target), "%s",
					 k == AVAIL_TAKEOVER_HOST_CRASH ? primary : ph->az);
				snprintf(cls, sizeof(cls), "%s primary %s: takeover", ms->name,
					 avail_takeover_kind_names[k]);
			} else if (k == AVAIL_TAKEOVER_RESTART) {
				f[0] = (struct lib_fault){FAULT_HOST_CRASH, "", LIB_FAULT_AT - LIB_BACKUP_AHEAD,
							  LIB_FAULT_FOR, {NULL, NULL}};
				snprintf(f[0].target, sizeof(f[0].target), "%s", backup);
				f[1] = (struct lib_fault){FAULT_HOST_CRASH, "", LIB_FAULT_AT,
							  LIB_RESTART_DOWN, {NULL, NULL}};
				snprintf(f[1].target, sizeof(f[1].target), "%s", primary);
				nf = 2;
				snprintf(cls, sizeof(cls), "%s primary host_crash: backup down", ms->name);
			} else {
				purpose = k - AVAIL_TAKEOVER_VOLUME_SYS + VOLUME_SYS;
				if (!volume_fails(c, ph, purpose))
					continue;
				const char *vname = NULL;
				for (size_t v = 0; v < ph->volume_count && !vname; v++)
					if (ph->volumes[v].purpose == purpose)
						vname = ph->volumes[v].name;
				f[0].kind = FAULT_VOLUME_FAILURE;
				snprintf(f[0].target, sizeof(f[0].target), "%s/%s", primary, vname);
				snprintf(cls, sizeof(cls), "%s primary %s: takeover", ms->name,
					 avail_takeover_kind_names[k]);
			}
			struct avail_library_entry *e = &l->entries[l->count++];
			e->link = -1;
			e->mirror = (int)mi;
			e->kind = k;
			e->stratum = (int)st;
			e->share = ac->stratum_count ? ac->strata[st].share : 1.0;
			e->load = ac->stratum_count ? ac->strata[st].load : 1.0;
			snprintf(e->stratum_name, sizeof(e->stratum_name), "%s",
				 ac->stratum_count ? ac->strata[st].name : "");
			snprintf(e->incident_class, sizeof(e->incident_class), "%s", cls);
			size_t fu = 0;
			for (size_t i = 0; i < nf && fu < sizeof(e->fault); i++)
				fu += (size_t)snprintf(e->fault + fu, sizeof(e->fault) - fu, "%s%s %s",
						      i ? " + " : "", fault_kind_names[f[i].kind],
						      f[i].target);
			char slot[256];
			snprintf(slot, sizeof(slot), "%s %s%s%s", ms->name, avail_takeover_kind_names[k],
				 e->stratum_name[0] ? " @" : "", e->stratum_name);
			rc = lib_entry(s, o, hash, slot, f, nf, e, l, err, err_size);
			if (rc < 0)
				break;
			charge(c, e);
			size_t at = (st * c->mirror_count + mi) * AVAIL_TAKEOVER_COUNT + (size_t)k;
			if (purpose >= 0) {
				measured[purpose] = true;
				harmful[purpose] |= !e->harmless;
			}
			if (e->used && !e->harmless) {
				l->takeover_h[at] = e->charged_s / 3600.0;
				l->takeover_read_h[at] = e->read_charged_s / 3600.0;
			}
		}
	}
	/* Links: a partition between the link's two sides for the whole run. */
	for (size_t st = 0; st < ns && rc == 0; st++)
	for (size_t li = 0; li < l->nlinks && rc == 0; li++) {
		struct lib_fault f = {FAULT_PARTITION, "", LIB_FAULT_AT, LIB_FAULT_FOR,
				      {links[li].side[0], links[li].side[1]}};
		snprintf(f.target, sizeof(f.target), "%s <-> %s", links[li].side[0],
			 links[li].side[1]);
		struct avail_library_entry *e = &l->entries[l->count++];
		e->link = (int)li;
		e->mirror = -1;
		e->kind = -1;
		e->stratum = (int)st;
		e->share = ac->stratum_count ? ac->strata[st].share : 1.0;
		e->load = ac->stratum_count ? ac->strata[st].load : 1.0;
		snprintf(e->stratum_name, sizeof(e->stratum_name), "%s",
			 ac->stratum_count ? ac->strata[st].name : "");
		snprintf(e->incident_class, sizeof(e->incident_class), "link %s: partition",
			 f.target);
		snprintf(e->fault, sizeof(e->fault), "partition %s", f.target);
		char slot[256];
		snprintf(slot, sizeof(slot), "link %s%s%s", f.target, e->stratum_name[0] ? " @" : "",
			 e->stratum_name);
		rc = lib_entry(s, o, hash, slot, &f, 1, e, l, err, err_size);
		if (rc < 0)
			break;
		charge(c, e);
		size_t at = st * l->nlinks + li;
		if (e->used && !e->harmless) {
			l->link_h[at] = e->charged_s / 3600.0;
			l->link_read_h[at] = e->read_charged_s / 3600.0;
		}
	}
	free(links);
	for (int p = 0; p <= VOLUME_OTHER; p++)
		l->volume_harmless[p] = measured[p] && !harmful[p];
	l->wall_s = lib_now() - t0;
	return rc;
}

bool avail_library_mean(const struct avail_library *l, const char *incident_class,
			struct avail_library_entry *out)
{
	double share = 0;
	for (size_t i = 0; i < l->count; i++) {
		const struct avail_library_entry *e = &l->entries[i];
		if (!e->used || e->harmless || strcmp(e->incident_class, incident_class) != 0)
			continue;
		if (share == 0) {
			*out = *e;
			out->rto_s[0] = out->rpo_tx[0] = out->charged_s = out->read_charged_s = 0;
			for (int k = 0; k < STAGE_COUNT; k++)
				out->stage_s[k] = 0;
		}
		share += e->share;
		out->rto_s[0] += e->share * e->rto_s[0];
		out->rpo_tx[0] += e->share * (isnan(e->rpo_tx[0]) ? 0 : e->rpo_tx[0]);
		out->charged_s += e->share * e->charged_s;
		out->read_charged_s += e->share * e->read_charged_s;
		for (int k = 0; k < STAGE_COUNT; k++)
			out->stage_s[k] += e->share * (isnan(e->stage_s[k]) ? 0 : e->stage_s[k]);
	}
	if (share == 0)
		return false;
	out->rto_s[0] /= share;
	out->rpo_tx[0] /= share;
	out->charged_s /= share;
	out->read_charged_s /= share;
	for (int k = 0; k < STAGE_COUNT; k++)
		out->stage_s[k] /= share;
	return true;
}

void avail_library_apply(const struct avail_library *l, struct avail_opts *o)
{
	o->takeover_h = l->takeover_h;
	o->takeover_read_h = l->takeover_read_h;
	o->volume_harmless = l->volume_harmless;
	o->link_h = l->nlinks ? l->link_h : NULL;
	o->link_read_h = l->nlinks ? l->link_read_h : NULL;
}

void avail_library_release(struct avail_library *l)
{
	if (!l)
		return;
	free(l->entries);
	free(l->takeover_h);
	free(l->takeover_read_h);
	free(l->link_h);
	free(l->link_read_h);
	l->link_h = l->link_read_h = NULL;
	l->entries = NULL;
	l->takeover_h = l->takeover_read_h = NULL;
	l->count = 0;
}
