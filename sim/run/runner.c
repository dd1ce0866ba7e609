/* runner.c: replications, parameter resolution from the catalog, results (see runner.h).
 *
 * The wall clock is read here only, for progress, the runs table's metadata and the speed
 * figures; nothing simulated depends on it.
 */
#include "runner.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "datapath.h"

#define PROGRESS_SLICES 200

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* --- parameters from the catalog ------------------------------------------------------------ */

static void volume_params_of(const struct catalog_volume *vt, const struct volume_config *vc,
			     struct volume_params *out)
{
	const double gib = 1073741824.0, mib = 1048576.0;
	double size_gib = vc->size / gib;
	bool hdd = strcmp(vt->name, "st1") == 0 || strcmp(vt->name, "sc1") == 0;
	memset(out, 0, sizeof(*out));
	out->size = vc->size;
	out->io_unit = hdd ? 1 * mib : 256 * 1024;
	if (vc->iops > 0)
		out->iops = vc->iops;
	else if (vt->iops_size_scaled)
		out->iops = fmin(vt->iops_max, fmax(vt->iops_min, vt->iops_per_gib * size_gib));
	else if (vt->iops_baseline > 0)
		out->iops = vt->iops_baseline;
	else if (hdd)
		out->iops = vt->iops_max;
	else
		out->iops = vt->iops_min; /* io1/io2 without provisioned IOPS: the minimum */
	if (vc->throughput > 0)
		out->throughput = vc->throughput;
	else if (vt->throughput_baseline > 0)
		out->throughput = vt->throughput_baseline;
	else if (strcmp(vt->name, "gp2") == 0)
		out->throughput = size_gib <= 170 ? 128 * mib : 250 * mib; /* aws.md §2a tiers */
	else
		out->throughput = vt->throughput_max;
	out->gp2_burst = strcmp(vt->name, "gp2") == 0 && size_gib < 1024;
	out->burst_iops = 3000;       /* aws.md §2b */
	out->burst_credits = 5.4e6;   /* aws.md §2b */
	rng_dist_init_lognormal_median_p99(&out->latency, vt->latency_median, vt->latency_p99);
}

struct resolved {
	struct datapath_host *hosts;
	double *rtt_s;
};

static void resolved_release(struct resolved *r, size_t host_count)
{
	for (size_t h = 0; r->hosts && h < host_count; h++)
		free(r->hosts[h].volumes);
	free(r->hosts);
	free(r->rtt_s);
	memset(r, 0, sizeof(*r));
}

static int resolve(const struct scenario *s, struct resolved *r)
{
	const struct scenario_config *cfg = &s->config;
	size_t nr = cfg->region_count;
	r->hosts = calloc(cfg->host_count + 1, sizeof(*r->hosts));
	r->rtt_s = calloc(nr * nr + 1, sizeof(double));
	if (!r->hosts || !r->rtt_s)
		return -ENOMEM;
	for (size_t a = 0; a < nr; a++)
		for (size_t b = 0; b < nr; b++)
			r->rtt_s[a * nr + b] =
				a == b ? 0 : catalog_region_rtt(&s->catalog, cfg->regions[a].name,
								cfg->regions[b].name);
	for (size_t h = 0; h < cfg->host_count; h++) {
		const struct host_config *hc = &cfg->hosts[h];
		const struct catalog_instance *it = catalog_instance(&s->catalog, hc->instance_type);
		struct datapath_host *dh = &r->hosts[h];
		dh->cfg = hc;
		for (size_t g = 0; g < nr; g++)
			for (size_t a = 0; a < cfg->regions[g].az_count; a++)
				if (strcmp(cfg->regions[g].azs[a], hc->az) == 0)
					dh->region = (int)g;
		dh->vcpu = (int)it->vcpu;
		dh->network_bandwidth = it->network_baseline;
		/* Sustained instance EBS limits (the burst to the maximum lasts 30 min a day). */
		dh->ebs.iops = it->ebs_baseline_iops;
		dh->ebs.bandwidth = it->ebs_baseline_bandwidth;
		dh->volumes = calloc(hc->volume_count + 1, sizeof(*dh->volumes));
		if (!dh->volumes)
			return -ENOMEM;
		for (size_t v = 0; v < hc->volume_count; v++)
			volume_params_of(catalog_volume(&s->catalog, hc->volumes[v].type),
					 &hc->volumes[v], &dh->volumes[v]);
	}
	return 0;
}

/* --- time series into the open transaction ------------------------------------------------- */

struct sink_ctx {
	struct results *db;
	int64_t run_id;
	sim_time warmup;
	int failed;
};

static void sink_point(void *arg, double t_s, double width_s, const char *name,
		       const char *qualifier, double value)
{
	struct sink_ctx *c = arg;
	if (c->db && !c->failed &&
	    results_add_point(c->db, c->run_id, t_s, width_s, name, qualifier, value) < 0)
		c->failed = 1;
}

/* --- one replication ----------------------------------------------------------------------- */

struct rep_result {
	double *throughput, *mean, *p50, *p99, *p999; /* per class */
	double max;
};

static void progress(const struct runner_opts *o, int64_t rep, double frac, double started)
{
	double elapsed = wall_now() - started;
	double done = ((double)rep + frac) / (double)o->replications;
	double eta = done > 0 ? elapsed * (1 - done) / done : 0;
	fprintf(stderr, "\rreplication %lld/%lld %5.1f%%  elapsed %.0fs  ETA %.0fs   ",
		(long long)rep + 1, (long long)o->replications, 100 * done, elapsed, eta);
}

static int grow_summary_utils(struct runner_summary *sum, const char *name, double value,
			      int64_t rep)
{
	for (size_t i = 0; i < sum->util_count; i++)
		if (strcmp(sum->util_names[i], name) == 0) {
			sum->util_mean[i] += (value - sum->util_mean[i]) / (double)(rep + 1);
			return 0;
		}
	char **names = realloc(sum->util_names, sizeof(*names) * (sum->util_count + 1));
	double *means = realloc(sum->util_mean, sizeof(*means) * (sum->util_count + 1));
	if (names)
		sum->util_names = names;
	if (means)
		sum->util_mean = means;
	if (!names || !means || !(names[sum->util_count] = strdup(name)))
		return -ENOMEM;
	means[sum->util_count++] = value;
	return 0;
}

/* Per incident and replication: RTO, stages, RPO, unavailability. */
struct incident_acc {
	char kind[48], target[160], primary_after[128];
	int64_t count, recovered;
	size_t cap;                  /* entries allocated in rto, rpo, unavail */
	double *rto, *rpo, *unavail; /* per occurrence (stochastic faults recur) */
	double stage_sum[5];
	double rpo_durable_max;
};

struct incident_table {
	struct incident_acc *items;
	size_t count;
	int64_t replications;
};

static double stage_s(sim_time from, sim_time to)
{
	return to > from ? sim_time_to_s(to - from) : 0;
}

/* Store one replication's incidents, timeline, violations and availability; accumulate the
 * incident summary. Returns 0 or -EIO (database). */
static int record_failovers(struct results *db, int64_t run_id, const struct datapath *d,
			    struct runner_summary *sum, int64_t rep, struct incident_table *tab,
			    sim_time end)
{
	int wrc = 0;
	int64_t *ids = calloc(datapath_incident_count(d) + 1, sizeof(int64_t));
	for (size_t i = 0; i < datapath_incident_count(d); i++) {
		const struct datapath_incident *in = datapath_incident(d, i);
		/* The RTO chain: each moment clamped to be no earlier than the previous one; a
		 * moment that did not happen takes the previous one, so stages add up to the RTO. */
		/* Rerouted when the last write that still failed was sent: from then on writes
		 * reach a primary that accepts them. */
		sim_time reroute = in->last_write_fail_sent >= 0 ? in->last_write_fail_sent : SIM_TIME_MAX;
		sim_time chain[6] = {in->start, in->detect, in->decide, in->ready, reroute, in->ack};
		bool recovered = in->ack != SIM_TIME_MAX;
		for (int k = 1; k < 6; k++) {
			if (chain[k] == SIM_TIME_MAX || chain[k] > in->ack)
				chain[k] = k == 5 ? chain[k] : chain[k - 1];
			if (chain[k] < chain[k - 1])
				chain[k] = chain[k - 1];
		}
		double stages[5];
		for (int k = 0; k < 5; k++)
			stages[k] = recovered ? stage_s(chain[k], chain[k + 1]) : NAN;
		double rto = recovered ? sim_time_to_s(in->ack - in->start) : NAN;
		double unavail = in->first_write_failure == SIM_TIME_MAX
					 ? 0
					 : sim_time_to_s((recovered ? in->ack : end) - in->first_write_failure);
		double read_unavail = in->first_read_failure == SIM_TIME_MAX
					      ? 0
					      : sim_time_to_s((in->read_ok != SIM_TIME_MAX ? in->read_ok : end) -
							      in->first_read_failure);
		const struct mirror_takeover *tk = in->takeover ? &in->tk : NULL;
		if (db) {
			struct results_incident ri = {
				.kind = in->kind,
				.target = in->target,
				.start_s = sim_time_to_s(in->start),
				.end_s = in->end == SIM_TIME_MAX ? NAN : sim_time_to_s(in->end),
				.rto_s = rto,
				.detect_s = in->detect == SIM_TIME_MAX ? NAN : stages[0],
				.decide_s = in->decide == SIM_TIME_MAX ? NAN : stages[1],
				.transition_s = in->ready == SIM_TIME_MAX ? NAN : stages[2],
				.reroute_s = reroute == SIM_TIME_MAX ? NAN : stages[3],
				.reconnect_s = stages[4],
				.rpo_tx = tk ? (int64_t)tk->lost_tx : 0,
				.rpo_durable_tx = tk ? (int64_t)tk->lost_durable_tx : 0,
				.rpo_bytes = tk ? tk->lost_bytes : 0,
				.rpo_span_s = tk && tk->lost_tx ? sim_time_to_s(tk->lost_last - tk->lost_first) : 0,
				.write_unavailable_s = unavail,
				.read_unavailable_s = read_unavail,
				.primary_before = in->primary_before[0] ? in->primary_before : NULL,
				.primary_after = in->primary_after[0] ? in->primary_after : NULL,
				.data_lost = tk && tk->lost_tx > 0,
			};
			wrc |= results_add_incident(db, run_id, &ri, ids ? &ids[i] : NULL);
		}
		/* Summary, keyed by kind and target. */
		struct incident_acc *acc = NULL;
		for (size_t k = 0; k < tab->count; k++)
			if (strcmp(tab->items[k].kind, in->kind) == 0 &&
			    strcmp(tab->items[k].target, in->target) == 0)
				acc = &tab->items[k];
		if (!acc) {
			struct incident_acc *grown = realloc(tab->items, sizeof(*grown) * (tab->count + 1));
			if (!grown)
				continue;
			tab->items = grown;
			acc = &tab->items[tab->count++];
			memset(acc, 0, sizeof(*acc));
			snprintf(acc->kind, sizeof(acc->kind), "%s", in->kind);
			snprintf(acc->target, sizeof(acc->target), "%s", in->target);
		}
		if ((size_t)acc->count == acc->cap) {
			size_t cap = acc->cap ? acc->cap * 2 : 16;
			double *r1 = realloc(acc->rto, sizeof(double) * cap);
			if (r1)
				acc->rto = r1;
			double *r2 = realloc(acc->rpo, sizeof(double) * cap);
			if (r2)
				acc->rpo = r2;
			double *r3 = realloc(acc->unavail, sizeof(double) * cap);
			if (r3)
				acc->unavail = r3;
			if (!r1 || !r2 || !r3)
				continue;
			acc->cap = cap;
		}
		acc->count++;
		snprintf(acc->primary_after, sizeof(acc->primary_after), "%s", in->primary_after);
		if (recovered) {
			acc->rto[acc->recovered] = rto;
			for (int k = 0; k < 5; k++)
				acc->stage_sum[k] += stages[k];
			acc->recovered++;
		}
		acc->rpo[acc->count - 1] = tk ? (double)tk->lost_tx : 0;
		acc->unavail[acc->count - 1] = unavail;
		if (tk && (double)tk->lost_durable_tx > acc->rpo_durable_max)
			acc->rpo_durable_max = (double)tk->lost_durable_tx;
	}
	for (size_t i = 0; db && i < datapath_event_count(d); i++) {
		const struct datapath_event *ev = datapath_event(d, i);
		wrc |= results_add_incident_event(db, run_id,
						  ev->incident >= 0 && ids ? ids[ev->incident] : 0,
						  sim_time_to_s(ev->t), ev->source, ev->text, "");
	}
	for (size_t i = 0; i < datapath_violation_count(d); i++) {
		const struct datapath_violation *v = datapath_violation(d, i);
		sum->violations++;
		if (db)
			wrc |= results_add_violation(db, run_id, sim_time_to_s(v->t), v->invariant,
						     v->detail);
	}
	if (db) {
		wrc |= results_add_metric(db, run_id, "write_availability", "",
					  datapath_write_availability(d), "fraction");
		wrc |= results_add_metric(db, run_id, "read_availability", "",
					  datapath_read_availability(d), "fraction");
	}
	for (size_t c = 0; c < datapath_class_count(d); c++) {
		uint64_t final[CAUSE_COUNT], tries[CAUSE_COUNT];
		datapath_class_failures(d, c, final, tries);
		struct datapath_class_stats cs;
		datapath_class_stats(d, c, &cs);
		for (int k = 0; k < CAUSE_COUNT; k++) {
			sum->failures[k] += final[k];
			if (db && (final[k] || tries[k])) {
				char q[300];
				snprintf(q, sizeof(q), "%s %s", cs.name, datapath_cause_names[k]);
				wrc |= results_add_metric(db, run_id, "errors", q, (double)final[k],
							  "requests");
				wrc |= results_add_metric(db, run_id, "failed_tries", q, (double)tries[k],
							  "tries");
			}
		}
	}
	(void)rep;
	free(ids);
	return wrc ? -EIO : 0;
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return h;
}

int runner_run(const struct scenario *s, const struct runner_opts *o, struct results *db,
	       struct runner_summary *sum, char *err, size_t err_size)
{
	const struct scenario_config *cfg = &s->config;
	memset(sum, 0, sizeof(*sum));
	struct incident_table inc_tab = {NULL, 0, o->replications};
	struct incident_table *per_rep_inc = &inc_tab;
	double *avail_w = calloc((size_t)o->replications + 1, sizeof(double));
	double *avail_r = calloc((size_t)o->replications + 1, sizeof(double));
	struct resolved res = {0};
	int rc = resolve(s, &res);
	if (rc < 0) {
		snprintf(err, err_size, "out of memory");
		return rc;
	}
	size_t nclass = cfg->workload.operation_count;
	sum->classes = calloc(nclass + 1, sizeof(*sum->classes));
	sum->class_count = nclass;
	double **per_rep = calloc(5 * (nclass + 1) + 3, sizeof(double *));
	if (!sum->classes || !per_rep) {
		snprintf(err, err_size, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < 5 * nclass + 3; i++)
		if (!(per_rep[i] = calloc((size_t)o->replications + 1, sizeof(double)))) {
			rc = -ENOMEM;
			goto out;
		}
	for (size_t i = 0; i < nclass; i++)
		snprintf(sum->classes[i].name, sizeof(sum->classes[i].name), "%s",
			 cfg->workload.operations[i].name);

	char hash[17];
	snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)fnv1a(s->merged_json));
	struct sigaction sa = {0}, old_sa;
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, &old_sa);
	interrupted = 0;
	double started = wall_now();
	sim_time end = o->warmup + o->duration;

	for (int64_t rep = 0; rep < o->replications && !interrupted; rep++) {
		struct sim_engine *e = sim_engine_new(o->seed, (uint32_t)rep);
		struct sink_ctx sink = {db, 0, o->warmup, 0};
		struct metrics_sink ms = {&sink, sink_point};
		struct datapath_params dp = {
			.regions = cfg->regions,
			.region_count = cfg->region_count,
			.region_rtt_s = res.rtt_s,
			.network = &cfg->network,
			.hosts = res.hosts,
			.host_count = cfg->host_count,
			.mirrors = cfg->mirrors,
			.mirror_count = cfg->mirror_count,
			.ecp = &cfg->ecp,
			.sharding = &cfg->sharding,
			.gateways = cfg->web_gateways,
			.gateway_count = cfg->web_gateway_count,
			.lbs = cfg->load_balancers,
			.lb_count = cfg->load_balancer_count,
			.dns = cfg->dns,
			.dns_count = cfg->dns_count,
			.workload = &cfg->workload,
			.iris = &cfg->iris,
			.mirror_policy = &cfg->mirror,
			.faults = cfg->faults,
			.fault_count = cfg->fault_count,
			.stochastic = cfg->stochastic_faults,
			.stochastic_count = cfg->stochastic_fault_count,
			.warmup = o->warmup,
			.series_width = o->series_width,
			.sink = &ms,
		};
		time_t t0 = time(NULL);
		char started_at[32];
		strftime(started_at, sizeof(started_at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t0));
		double rep_started = wall_now();
		struct results_run run = {cfg->name, s->merged_json, hash, o->seed, (uint32_t)rep,
					  o->version, started_at, 0, sim_time_to_s(end),
					  sim_time_to_s(o->warmup), 0};
		if (!e || (db && (results_begin(db) < 0 || results_add_run(db, &run, &sink.run_id) < 0))) {
			snprintf(err, err_size, "%s", db ? results_errmsg(db) : "out of memory");
			sim_engine_free(e);
			rc = -EIO;
			goto out_restore;
		}
		struct datapath *d = datapath_new(e, &dp, err, err_size);
		if (!d) {
			if (db)
				results_rollback(db);
			sim_engine_free(e);
			rc = -EINVAL;
			goto out_restore;
		}
		int r = 0;
		for (int slice = 1; slice <= PROGRESS_SLICES && !interrupted; slice++) {
			r = sim_run_until(e, (sim_time)((double)end * slice / PROGRESS_SLICES));
			if (r < 0 || r == SIM_END_STOPPED)
				break;
			if (o->progress)
				progress(o, rep, (double)slice / PROGRESS_SLICES, started);
		}
		if (r < 0 || r == SIM_END_STOPPED || sink.failed) {
			snprintf(err, err_size, "%s",
				 sink.failed ? results_errmsg(db)
				 : r < 0     ? sim_engine_error_message(e)
					     : "the simulation stopped (out of memory)");
			datapath_free(d);
			sim_engine_free(e);
			if (db)
				results_rollback(db);
			rc = -EIO;
			goto out_restore;
		}
		if (interrupted) {
			datapath_free(d);
			sim_engine_free(e);
			if (db)
				results_rollback(db);
			break;
		}
		datapath_flush_series(d);

		/* Metrics of this replication. */
		double measured_s = sim_time_to_s(o->duration);
		int wrc = 0;
		for (size_t i = 0; i < nclass; i++) {
			struct datapath_class_stats cs;
			datapath_class_stats(d, i, &cs);
			double thr = (double)cs.completed / measured_s;
			per_rep[5 * i][rep] = thr;
			per_rep[5 * i + 1][rep] = stat_welford_mean(cs.latency_w);
			per_rep[5 * i + 2][rep] = stat_hist_quantile(cs.latency, 0.5);
			per_rep[5 * i + 3][rep] = stat_hist_quantile(cs.latency, 0.99);
			per_rep[5 * i + 4][rep] = stat_hist_quantile(cs.latency, 0.999);
			if (cs.completed && stat_hist_max(cs.latency) > sum->classes[i].max_s)
				sum->classes[i].max_s = stat_hist_max(cs.latency);
			sum->classes[i].completed += cs.completed;
			if (db) {
				wrc |= results_add_metric(db, sink.run_id, "throughput", cs.name, thr, "1/s");
				wrc |= results_add_metric(db, sink.run_id, "arrived", cs.name,
							  (double)cs.arrived, "requests");
				wrc |= results_add_metric(db, sink.run_id, "completed", cs.name,
							  (double)cs.completed, "requests");
				wrc |= results_add_latency(db, sink.run_id, cs.name, cs.latency);
			}
		}
		for (size_t i = 0; i < datapath_node_count(d); i++) {
			struct iris_node_stats st;
			datapath_node_stats(d, i, &st);
			char name[300];
			snprintf(name, sizeof(name), "cpu %s", datapath_node_host(d, i));
			grow_summary_utils(sum, name, st.cpu_utilisation, rep);
			if (db) {
				const char *h = datapath_node_host(d, i);
				wrc |= results_add_metric(db, sink.run_id, "cpu_utilisation", h,
							  st.cpu_utilisation, "fraction");
				wrc |= results_add_metric(db, sink.run_id, "physical_reads", h,
							  (double)st.physical_reads, "IOs");
				wrc |= results_add_metric(db, sink.run_id, "journal_flushes", h,
							  (double)st.journal_flushes, "flushes");
				wrc |= results_add_metric(db, sink.run_id, "write_daemon_blocks", h,
							  (double)st.wd_blocks, "blocks");
			}
		}
		for (size_t i = 0; i < datapath_volume_count(d); i++) {
			struct volume_stats vs;
			datapath_volume_stats(d, i, &vs);
			char name[300];
			snprintf(name, sizeof(name), "volume %s", datapath_volume_name(d, i));
			grow_summary_utils(sum, name, vs.iops_utilisation, rep);
			if (db) {
				const char *v = datapath_volume_name(d, i);
				wrc |= results_add_metric(db, sink.run_id, "volume_iops_utilisation", v,
							  vs.iops_utilisation, "fraction");
				wrc |= results_add_metric(db, sink.run_id, "volume_ios", v,
							  (double)vs.ios, "IOs");
				wrc |= results_add_metric(db, sink.run_id, "volume_mean_latency_s", v,
							  vs.mean_latency, "s");
			}
		}
		/* Little's law figures over all classes. */
		double all_done = 0, all_latency = 0;
		for (size_t i = 0; i < nclass; i++) {
			struct datapath_class_stats cs;
			datapath_class_stats(d, i, &cs);
			all_done += (double)cs.completed;
			all_latency += (double)cs.completed * stat_welford_mean(cs.latency_w);
		}
		if (avail_w && avail_r) {
			avail_w[rep] = datapath_write_availability(d);
			avail_r[rep] = datapath_read_availability(d);
		}
		per_rep[5 * nclass][rep] = datapath_in_system_mean(d);
		per_rep[5 * nclass + 1][rep] = all_done / measured_s;
		per_rep[5 * nclass + 2][rep] = all_done > 0 ? all_latency / all_done : 0;
		struct datapath_totals tot;
		datapath_totals(d, &tot);
		if (tot.arrived != tot.completed + tot.failed + tot.in_flight) {
			sum->conservation_violations++;
			if (db)
				wrc |= results_add_violation(db, sink.run_id, sim_time_to_s(end),
							     "conservation",
							     "arrived != completed + failed + in flight");
		}
		wrc |= record_failovers(db, sink.run_id, d, sum, rep, per_rep_inc, end);
		double rep_wall = wall_now() - rep_started;
		if (db) {
			wrc |= results_add_metric(db, sink.run_id, "requests_in_flight_at_end", "",
						  (double)tot.in_flight, "requests");
			wrc |= results_finish_run(db, sink.run_id, rep_wall, sim_events_processed(e));
		}
		sum->events += sim_events_processed(e);
		sum->sim_s += sim_time_to_s(end);
		datapath_free(d);
		sim_engine_free(e);
		if (db && (wrc || results_commit(db) < 0)) {
			snprintf(err, err_size, "%s", results_errmsg(db));
			results_rollback(db);
			rc = -EIO;
			goto out_restore;
		}
		sum->replications++;
	}
	if (o->progress)
		fprintf(stderr, "\r%*s\r", 70, "");
	sum->wall_s = wall_now() - started;
	sum->interrupted = interrupted;
	double level = o->ci_level > 0 ? o->ci_level : 0.95;
	for (size_t i = 0; i < nclass; i++) {
		struct runner_class_summary *c = &sum->classes[i];
		double *dst[5] = {c->throughput, c->mean_s, c->p50_s, c->p99_s, c->p999_s};
		for (int k = 0; k < 5; k++)
			stat_ci_mean(per_rep[5 * i + k], (size_t)sum->replications, level, &dst[k][0],
				     &dst[k][1]);
	}
	stat_ci_mean(per_rep[5 * nclass], (size_t)sum->replications, level, &sum->in_system_mean[0],
		     &sum->in_system_mean[1]);
	stat_ci_mean(per_rep[5 * nclass + 1], (size_t)sum->replications, level,
		     &sum->arrival_rate[0], &sum->arrival_rate[1]);
	stat_ci_mean(per_rep[5 * nclass + 2], (size_t)sum->replications, level,
		     &sum->latency_mean_s[0], &sum->latency_mean_s[1]);
	if (avail_w && avail_r) {
		stat_ci_mean(avail_w, (size_t)sum->replications, level, &sum->write_availability[0],
			     &sum->write_availability[1]);
		stat_ci_mean(avail_r, (size_t)sum->replications, level, &sum->read_availability[0],
			     &sum->read_availability[1]);
	}
	sum->incidents = calloc(inc_tab.count + 1, sizeof(*sum->incidents));
	for (size_t i = 0; sum->incidents && i < inc_tab.count; i++) {
		struct incident_acc *a = &inc_tab.items[i];
		struct runner_incident_summary *is = &sum->incidents[i];
		snprintf(is->kind, sizeof(is->kind), "%s", a->kind);
		snprintf(is->target, sizeof(is->target), "%s", a->target);
		snprintf(is->primary_after, sizeof(is->primary_after), "%s", a->primary_after);
		is->count = a->count;
		is->recovered = a->recovered;
		stat_ci_mean(a->rto, (size_t)a->recovered, level, &is->rto_s[0], &is->rto_s[1]);
		for (int k = 0; k < 5; k++)
			is->stage_s[k] = a->recovered ? a->stage_sum[k] / (double)a->recovered : NAN;
		stat_ci_mean(a->rpo, (size_t)a->count, level, &is->rpo_tx[0], &is->rpo_tx[1]);
		stat_ci_mean(a->unavail, (size_t)a->count, level, &is->write_unavailable_s[0],
			     &is->write_unavailable_s[1]);
		is->rpo_durable_tx_max = a->rpo_durable_max;
		sum->incident_count++;
	}
	rc = interrupted ? -EINTR : 0;
out_restore:
	sigaction(SIGINT, &old_sa, NULL);
out:
	for (size_t i = 0; i < inc_tab.count; i++) {
		free(inc_tab.items[i].rto);
		free(inc_tab.items[i].rpo);
		free(inc_tab.items[i].unavail);
	}
	free(inc_tab.items);
	free(avail_w);
	free(avail_r);
	for (size_t i = 0; per_rep && i < 5 * nclass + 3; i++)
		free(per_rep[i]);
	free(per_rep);
	resolved_release(&res, cfg->host_count);
	return rc;
}

void runner_summary_release(struct runner_summary *sum)
{
	if (!sum)
		return;
	free(sum->classes);
	free(sum->incidents);
	for (size_t i = 0; i < sum->util_count; i++)
		free(sum->util_names[i]);
	free(sum->util_names);
	free(sum->util_mean);
	memset(sum, 0, sizeof(*sum));
}

static void print_ci(FILE *out, const double v[2], double scale)
{
	if (isnan(v[1]))
		fprintf(out, " %10.3f %8s", v[0] * scale, "");
	else
		fprintf(out, " %10.3f ±%7.3f", v[0] * scale, v[1] * scale);
}

void runner_print_summary(const struct runner_summary *sum, FILE *out)
{
	fprintf(out, "%lld replication%s%s; latency in ms at the client, 95%% CI across "
		     "replications\n",
		(long long)sum->replications, sum->replications == 1 ? "" : "s",
		sum->interrupted ? " (interrupted)" : "");
	fprintf(out, "%-18s %19s %19s %19s %19s %19s\n", "operation", "throughput/s", "mean",
		"p50", "p99", "p99.9");
	for (size_t i = 0; i < sum->class_count; i++) {
		const struct runner_class_summary *c = &sum->classes[i];
		fprintf(out, "%-18s", c->name);
		print_ci(out, c->throughput, 1);
		print_ci(out, c->mean_s, 1e3);
		print_ci(out, c->p50_s, 1e3);
		print_ci(out, c->p99_s, 1e3);
		print_ci(out, c->p999_s, 1e3);
		fputc('\n', out);
	}
	if (sum->incident_count) {
		fprintf(out, "\nincidents (RTO: fault to first acknowledged write; stages are means; "
			     "RPO: acknowledged updates lost)\n");
		fprintf(out, "%-22s %-24s %5s %16s %7s %7s %7s %7s %7s %14s %7s  %s\n", "fault", "target",
			"recov", "RTO s", "detect", "decide", "trans", "reroute", "reconn", "RPO tx",
			"lost>0", "primary after");
		for (size_t i = 0; i < sum->incident_count; i++) {
			const struct runner_incident_summary *is = &sum->incidents[i];
			char rto[32], rpo[32];
			if (is->recovered == 0)
				snprintf(rto, sizeof(rto), "not recovered");
			else if (isnan(is->rto_s[1]))
				snprintf(rto, sizeof(rto), "%.1f", is->rto_s[0]);
			else
				snprintf(rto, sizeof(rto), "%.1f ±%.1f", is->rto_s[0], is->rto_s[1]);
			if (isnan(is->rpo_tx[1]))
				snprintf(rpo, sizeof(rpo), "%.0f", is->rpo_tx[0]);
			else
				snprintf(rpo, sizeof(rpo), "%.0f ±%.0f", is->rpo_tx[0], is->rpo_tx[1]);
			fprintf(out, "%-22s %-24s %2lld/%-2lld %16s %7.1f %7.1f %7.1f %7.1f %7.1f %14s %7s  %s\n",
				is->kind, is->target, (long long)is->recovered, (long long)is->count, rto,
				is->stage_s[0], is->stage_s[1], is->stage_s[2], is->stage_s[3],
				is->stage_s[4], rpo, is->rpo_durable_tx_max > 0 ? "durable" : "",
				is->primary_after);
		}
	}
	fprintf(out, "\navailability: writes %.5f, reads %.5f", sum->write_availability[0],
		sum->read_availability[0]);
	uint64_t any = 0;
	for (int k = 0; k < 4; k++)
		any += sum->failures[k];
	if (any) {
		fprintf(out, "; failed requests:");
		for (int k = 0; k < 4; k++)
			if (sum->failures[k])
				fprintf(out, " %s %llu", datapath_cause_names[k],
					(unsigned long long)sum->failures[k]);
	}
	fputc('\n', out);
	if (sum->violations)
		fprintf(out, "INVARIANT VIOLATED: %llu violations (table invariant_violations)\n",
			(unsigned long long)sum->violations);
	fprintf(out, "\nutilisation (mean across replications)\n");
	for (size_t i = 0; i < sum->util_count; i++)
		if (sum->util_mean[i] > 0 || strncmp(sum->util_names[i], "cpu", 3) == 0)
			fprintf(out, "  %-40s %6.1f%%\n", sum->util_names[i], 100 * sum->util_mean[i]);
	fprintf(out, "\n%llu events in %.2f s wall: %.0f events/s, simulated/wall time %.0fx\n",
		(unsigned long long)sum->events, sum->wall_s,
		sum->wall_s > 0 ? (double)sum->events / sum->wall_s : 0,
		sum->wall_s > 0 ? sum->sim_s / sum->wall_s : 0);
	if (sum->conservation_violations)
		fprintf(out, "INVARIANT VIOLATED: request conservation failed in %llu replications\n",
			(unsigned long long)sum->conservation_violations);
}
