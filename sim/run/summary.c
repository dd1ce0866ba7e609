/* summary.c: records to a summary with confidence intervals (see summary.h). */
#include "summary.h"

#include "clients.h" /* CLIENTS_IN_FLIGHT_MAX */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void summary_init(struct summary *s, double level)
{
	memset(s, 0, sizeof(*s));
	s->level = level > 0 ? level : 0.95;
}

static struct summary_samples *samples_of(struct summary *s, enum metric_id id, const char *q)
{
	for (size_t i = 0; i < s->sample_count; i++)
		if (s->samples[i].id == id && strcmp(s->samples[i].qualifier, q) == 0)
			return &s->samples[i];
	if (s->sample_count == s->sample_cap) {
		size_t cap = s->sample_cap ? s->sample_cap * 2 : 64;
		struct summary_samples *grown = realloc(s->samples, sizeof(*grown) * cap);
		if (!grown)
			return NULL;
		s->samples = grown;
		s->sample_cap = cap;
	}
	struct summary_samples *ss = &s->samples[s->sample_count++];
	memset(ss, 0, sizeof(*ss));
	ss->id = id;
	snprintf(ss->qualifier, sizeof(ss->qualifier), "%s", q);
	return ss;
}

static void sample(struct summary *s, enum metric_id id, const char *q, double v)
{
	struct summary_samples *ss = samples_of(s, id, q);
	if (ss && ss->count == ss->cap) {
		size_t cap = ss->cap ? ss->cap * 2 : 16;
		double *grown = realloc(ss->values, sizeof(double) * cap);
		if (grown) {
			ss->values = grown;
			ss->cap = cap;
		}
	}
	if (!ss || ss->count == ss->cap) {
		s->out_of_memory = true;
		return;
	}
	ss->values[ss->count++] = v;
}

const struct summary_samples *summary_samples(const struct summary *s, enum metric_id id,
					      const char *qualifier)
{
	for (size_t i = 0; i < s->sample_count; i++)
		if (s->samples[i].id == id && strcmp(s->samples[i].qualifier, qualifier) == 0)
			return &s->samples[i];
	return NULL;
}

static void ci(const struct summary *s, enum metric_id id, const char *q, double out[2])
{
	const struct summary_samples *ss = summary_samples(s, id, q);
	if (!ss) {
		out[0] = out[1] = NAN;
		return;
	}
	stat_ci_mean(ss->values, ss->count, s->level, &out[0], &out[1]);
}

static void add_util(struct summary *s, const char *name, double value)
{
	for (size_t i = 0; i < s->util_count; i++)
		if (strcmp(s->util_names[i], name) == 0) {
			s->util_mean[i] += (value - s->util_mean[i]) / (double)s->replications;
			return;
		}
	char **names = realloc(s->util_names, sizeof(*names) * (s->util_count + 1));
	if (names)
		s->util_names = names;
	double *means = realloc(s->util_mean, sizeof(*means) * (s->util_count + 1));
	if (means)
		s->util_mean = means;
	if (!names || !means || !(names[s->util_count] = strdup(name))) {
		s->out_of_memory = true;
		return;
	}
	means[s->util_count++] = value;
}

static struct summary_gateway *gateway_of(struct summary *s, const char *name)
{
	for (size_t i = 0; i < s->gateway_count; i++)
		if (strcmp(s->gateways[i].name, name) == 0)
			return &s->gateways[i];
	struct summary_gateway *grown =
		realloc(s->gateways, sizeof(*grown) * (s->gateway_count + 1));
	if (!grown) {
		s->out_of_memory = true;
		return NULL;
	}
	s->gateways = grown;
	struct summary_gateway *g = &s->gateways[s->gateway_count++];
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->saturated_at_s = NAN;
	return g;
}

static void add_incident(struct summary *s, const struct incident_result *in)
{
	struct summary_incident *acc = NULL;
	for (size_t k = 0; k < s->incident_count; k++)
		if (strcmp(s->incidents[k].kind, in->kind) == 0 &&
		    strcmp(s->incidents[k].target, in->target) == 0)
			acc = &s->incidents[k];
	if (!acc) {
		struct summary_incident *grown =
			realloc(s->incidents, sizeof(*grown) * (s->incident_count + 1));
		if (!grown) {
			s->out_of_memory = true;
			return;
		}
		s->incidents = grown;
		acc = &s->incidents[s->incident_count++];
		memset(acc, 0, sizeof(*acc));
		acc->rto_max_s = NAN;
		snprintf(acc->kind, sizeof(acc->kind), "%s", in->kind);
		snprintf(acc->target, sizeof(acc->target), "%s", in->target);
	}
	char q[224];
	snprintf(q, sizeof(q), "%s %s", in->kind, in->target);
	acc->count++;
	snprintf(acc->primary_after, sizeof(acc->primary_after), "%s",
		 in->primary_after ? in->primary_after : "");
	if (in->recovered) {
		sample(s, METRIC_RTO_S, q, in->rto_s);
		if (!(in->rto_s <= acc->rto_max_s))
			acc->rto_max_s = in->rto_s;
		for (int k = 0; k < STAGE_COUNT; k++) {
			/* a stage that did not happen lasted 0 in the chain */
			acc->stage_s[k] += isnan(in->stage_s[k]) ? 0 : in->stage_s[k]; /* a sum
									     * until summary_finish */
		}
		acc->recovered++;
	}
	sample(s, METRIC_RPO_TX, q, in->rpo_tx);
	sample(s, METRIC_RPO_SPAN_S, q, isnan(in->rpo_span_s) ? 0 : in->rpo_span_s);
	if (in->data_lost)
		acc->lost++;
	sample(s, METRIC_WRITE_UNAVAILABLE_S, q, in->write_unavailable_s);
	sample(s, METRIC_READ_UNAVAILABLE_S, q, in->read_unavailable_s);
	if (in->rpo_durable_tx > acc->rpo_durable_tx_max)
		acc->rpo_durable_tx_max = in->rpo_durable_tx;
	if (in->ecp_stall_max_s > acc->ecp_stall_max_s)
		acc->ecp_stall_max_s = in->ecp_stall_max_s;
	acc->ecp_stalls += (double)in->ecp_stalls;
	acc->ecp_held_completed += (double)in->ecp_held_completed;
	acc->ecp_network_errors += (double)in->ecp_network_errors;
	acc->ecp_rolled_back += (double)in->ecp_rolled_back;
	acc->ecp_sessions_preserved += (double)in->ecp_sessions_preserved;
	acc->ecp_sessions_lost += (double)in->ecp_sessions_lost;
}

void summary_add(struct summary *s, const struct record *rec)
{
	s->replications++;
	double measured_s = sim_time_to_s(rec->duration);
	if (!s->classes && rec->class_count) {
		s->classes = calloc(rec->class_count, sizeof(*s->classes));
		if (!s->classes) {
			s->out_of_memory = true;
			return;
		}
		s->class_count = rec->class_count;
		for (size_t i = 0; i < rec->class_count; i++) {
			snprintf(s->classes[i].name, sizeof(s->classes[i].name), "%s",
				 rec->classes[i].name);
			s->classes[i].completed_min = UINT64_MAX;
			s->classes[i].merged = malloc(sizeof(struct stat_hist));
			if (s->classes[i].merged)
				stat_hist_init(s->classes[i].merged);
			else
				s->out_of_memory = true;
		}
	}
	double all_done = 0, all_latency = 0;
	for (size_t i = 0; i < rec->class_count && i < s->class_count; i++) {
		const struct record_class *rc = &rec->classes[i];
		struct summary_class *c = &s->classes[i];
		sample(s, METRIC_THROUGHPUT, rc->name, (double)rc->completed / measured_s);
		if (rc->completed > 0) { /* no latency without a completion */
			sample(s, METRIC_LATENCY_MEAN_S, rc->name, rc->latency_mean);
			sample(s, METRIC_LATENCY_P50_S, rc->name, stat_hist_quantile(&rc->latency, 0.5));
			sample(s, METRIC_LATENCY_P99_S, rc->name, stat_hist_quantile(&rc->latency, 0.99));
			sample(s, METRIC_LATENCY_P999_S, rc->name,
			       stat_hist_quantile(&rc->latency, 0.999));
		}
		if (rc->completed && stat_hist_max(&rc->latency) > c->max_s)
			c->max_s = stat_hist_max(&rc->latency);
		c->completed += rc->completed;
		if (rc->completed < c->completed_min)
			c->completed_min = rc->completed;
		if (c->merged)
			stat_hist_merge(c->merged, &rc->latency);
		if (summary_section_add(c->sections, rec->replication, &rc->latency) < 0)
			s->out_of_memory = true;
		all_done += (double)rc->completed;
		if (rc->completed > 0)
			all_latency += (double)rc->completed * rc->latency_mean;
		for (int k = 1; k < CAUSE_COUNT; k++)
			s->failures[k] += rc->failed[k];
	}
	/* Over all classes ("" qualifier). */
	sample(s, METRIC_IN_SYSTEM_MEAN, "", rec->in_system_mean);
	sample(s, METRIC_THROUGHPUT, "", all_done / measured_s);
	if (all_done > 0)
		sample(s, METRIC_LATENCY_MEAN_S, "", all_latency / all_done);
	for (size_t i = 0; i < rec->metric_count; i++) {
		const struct record_metric *m = &rec->metrics[i];
		char name[300];
		switch (m->id) {
		case METRIC_CPU_UTILISATION:
			snprintf(name, sizeof(name), "cpu %s", m->qualifier);
			add_util(s, name, m->value);
			sample(s, m->id, m->qualifier, m->value);
			break;
		case METRIC_VOLUME_IOPS_UTILISATION:
			snprintf(name, sizeof(name), "volume %s", m->qualifier);
			add_util(s, name, m->value);
			sample(s, m->id, m->qualifier, m->value);
			break;
		case METRIC_WRITE_AVAILABILITY:
		case METRIC_READ_AVAILABILITY:
			sample(s, m->id, "", m->value);
			break;
		case METRIC_NETWORK_BYTES: /* for the data-transfer cost (cmd_compare.c) */
			sample(s, m->id, m->qualifier, m->value);
			break;
		case METRIC_ECP_REQUESTS:
			s->has_ecp = true;
			break;
		case METRIC_REQUESTS_SHED:
			s->shed += (uint64_t)m->value;
			break;
		case METRIC_GATEWAY_QUEUE_MAX:
		case METRIC_GATEWAY_EXPIRED:
		case METRIC_GATEWAY_SATURATED_AT_S: {
			struct summary_gateway *g = gateway_of(s, m->qualifier);
			if (!g)
				break;
			if (m->id == METRIC_GATEWAY_QUEUE_MAX && m->value > g->queue_max)
				g->queue_max = m->value;
			else if (m->id == METRIC_GATEWAY_EXPIRED)
				g->expired += (uint64_t)m->value;
			else if (m->id == METRIC_GATEWAY_SATURATED_AT_S &&
				 !(m->value >= g->saturated_at_s))
				g->saturated_at_s = m->value;
			break;
		}
		default:
			break;
		}
	}
	for (size_t i = 0; i < rec->incident_count; i++)
		add_incident(s, &rec->incidents[i].r);
	s->violations += rec->violation_count;
	s->dropped += rec->dropped;
	if (!rec->conservation_ok)
		s->conservation_violations++;
	s->events += rec->engine_events;
	s->sim_s += sim_time_to_s(rec->warmup + rec->duration);
}

int summary_section_add(struct stat_hist *sections[SUMMARY_SECTIONS], uint32_t rep,
			const struct stat_hist *h)
{
	struct stat_hist **sec = &sections[rep % SUMMARY_SECTIONS];
	if (!*sec && (*sec = malloc(sizeof(**sec))))
		stat_hist_init(*sec);
	if (!*sec)
		return -ENOMEM;
	stat_hist_merge(*sec, h);
	return 0;
}

double summary_section_half_width(struct stat_hist *const sections[SUMMARY_SECTIONS], double p,
				  double level)
{
	double est[SUMMARY_SECTIONS], mean = NAN, half_width = NAN;
	size_t g = 0;
	for (int j = 0; j < SUMMARY_SECTIONS; j++)
		if (sections[j] && stat_hist_count(sections[j]) > 0)
			est[g++] = stat_hist_quantile(sections[j], p);
	stat_ci_mean(est, g, level, &mean, &half_width);
	return half_width;
}

/* The sectioning estimate of quantile p of class c: the pooled quantile and the Student-t
 * half-width over the sections' quantiles (summary.h). */
static void section_quantile(const struct summary *s, const struct summary_class *c, double p,
			     double out[2])
{
	out[0] = NAN;
	if (c->merged && stat_hist_count(c->merged) > 0)
		out[0] = stat_hist_quantile(c->merged, p);
	out[1] = summary_section_half_width(c->sections, p, s->level);
}

static double quantile_of(enum metric_id id)
{
	switch (id) {
	case METRIC_LATENCY_P50_S:
		return 0.5;
	case METRIC_LATENCY_P99_S:
		return 0.99;
	case METRIC_LATENCY_P999_S:
		return 0.999;
	default:
		return NAN;
	}
}

double summary_rel_width(const struct summary *s, enum metric_id id, size_t *figures)
{
	double worst = -1;
	size_t n = 0;
	for (size_t i = 0; i < s->sample_count; i++) {
		const struct summary_samples *ss = &s->samples[i];
		if (ss->id != id)
			continue;
		double ci2[2] = {NAN, NAN};
		double p = quantile_of(id);
		const struct summary_class *c = NULL;
		for (size_t k = 0; !isnan(p) && k < s->class_count; k++)
			if (strcmp(s->classes[k].name, ss->qualifier) == 0)
				c = &s->classes[k];
		if (c)
			section_quantile(s, c, p, ci2);
		else
			stat_ci_mean(ss->values, ss->count, s->level, &ci2[0], &ci2[1]);
		double rel = ci2[1] == 0 ? 0 : isnan(ci2[1]) || ci2[0] == 0 ? INFINITY
									: fabs(ci2[1] / ci2[0]);
		n++;
		if (rel > worst)
			worst = rel;
	}
	if (figures)
		*figures = n;
	return n ? worst : NAN;
}

void summary_finish(struct summary *s)
{
	for (size_t i = 0; i < s->class_count; i++) {
		struct summary_class *c = &s->classes[i];
		ci(s, METRIC_THROUGHPUT, c->name, c->throughput);
		ci(s, METRIC_LATENCY_MEAN_S, c->name, c->mean_s);
		ci(s, METRIC_LATENCY_P50_S, c->name, c->p50_s);
		ci(s, METRIC_LATENCY_P99_S, c->name, c->p99_s);
		ci(s, METRIC_LATENCY_P999_S, c->name, c->p999_s);
		/* the level from the pooled histogram, the spread from the sections (summary.h) */
		static const double ps[3] = {0.5, 0.99, 0.999};
		double *q[3] = {c->p50_s, c->p99_s, c->p999_s};
		for (int k = 0; k < 3; k++) {
			double est[2];
			section_quantile(s, c, ps[k], est);
			if (!isnan(est[0]))
				q[k][0] = est[0];
			q[k][1] = est[1];
			double beyond = c->completed_min == UINT64_MAX
						? 0
						: (double)c->completed_min * (1 - ps[k]);
			c->thin[k] = beyond < SUMMARY_TAIL_MIN;
		}
	}
	ci(s, METRIC_IN_SYSTEM_MEAN, "", s->in_system_mean);
	ci(s, METRIC_THROUGHPUT, "", s->arrival_rate);
	ci(s, METRIC_LATENCY_MEAN_S, "", s->latency_mean_s);
	ci(s, METRIC_WRITE_AVAILABILITY, "", s->write_availability);
	ci(s, METRIC_READ_AVAILABILITY, "", s->read_availability);
	for (size_t i = 0; i < s->incident_count; i++) {
		struct summary_incident *is = &s->incidents[i];
		char q[224];
		snprintf(q, sizeof(q), "%s %s", is->kind, is->target);
		ci(s, METRIC_RTO_S, q, is->rto_s);
		for (int k = 0; k < STAGE_COUNT; k++)
			is->stage_s[k] = is->recovered ? is->stage_s[k] / (double)is->recovered : NAN;
		ci(s, METRIC_RPO_TX, q, is->rpo_tx);
		ci(s, METRIC_RPO_SPAN_S, q, is->rpo_span_s);
		ci(s, METRIC_WRITE_UNAVAILABLE_S, q, is->write_unavailable_s);
		ci(s, METRIC_READ_UNAVAILABLE_S, q, is->read_unavailable_s);
		double n = is->count ? (double)is->count : 1;
		is->ecp_stalls /= n;
		is->ecp_held_completed /= n;
		is->ecp_network_errors /= n;
		is->ecp_rolled_back /= n;
		is->ecp_sessions_preserved /= n;
		is->ecp_sessions_lost /= n;
	}
}

void summary_release(struct summary *s)
{
	for (size_t i = 0; i < s->class_count; i++) {
		free(s->classes[i].merged);
		for (int j = 0; j < SUMMARY_SECTIONS; j++)
			free(s->classes[i].sections[j]);
	}
	free(s->classes);
	free(s->incidents);
	free(s->gateways);
	for (size_t i = 0; i < s->util_count; i++)
		free(s->util_names[i]);
	free(s->util_names);
	free(s->util_mean);
	for (size_t i = 0; i < s->sample_count; i++)
		free(s->samples[i].values);
	free(s->samples);
	memset(s, 0, sizeof(*s));
}

/* "mean ±half" or, for a non-negative figure whose interval reaches below 0, "mean [0, hi]"
 * (the interval as computed, its display clamped at 0). */
static void fmt_ci(char *buf, size_t size, const double v[2], double scale, int decimals,
		   bool nonneg)
{
	double m = v[0] * scale, h = v[1] * scale;
	if (isnan(h))
		snprintf(buf, size, "%.*f", decimals, m);
	else if (nonneg && m - h < 0)
		snprintf(buf, size, "%.*f [0, %.*f]", decimals, m, decimals, m + h);
	else
		snprintf(buf, size, "%.*f ±%.*f", decimals, m, decimals, h);
}

static void print_ci(FILE *out, const double v[2], double scale)
{
	if (isnan(v[1]))
		fprintf(out, " %10.3f %8s", v[0] * scale, "");
	else if (v[0] - v[1] < 0 && v[0] >= 0) /* every figure printed this way is >= 0 */
		fprintf(out, " %10.3f [0,%6.3f]", v[0] * scale, (v[0] + v[1]) * scale);
	else
		fprintf(out, " %10.3f ±%7.3f", v[0] * scale, v[1] * scale);
}

void summary_print(const struct summary *s, FILE *out)
{
	fprintf(out, "%lld replication%s%s; latency in ms at the client, %g%% CI across "
		     "replications; percentiles from all replications' completions pooled\n",
		(long long)s->replications, s->replications == 1 ? "" : "s",
		s->interrupted ? " (interrupted)" : "", 100 * s->level);
	if (s->replications < SUMMARY_MIN_REPLICATIONS)
		fprintf(out, "WARNING: %lld replication%s: %s; run %d or more (-n)\n",
			(long long)s->replications, s->replications == 1 ? "" : "s",
			s->replications < 2 ? "no confidence interval can be computed"
					    : "the intervals rest on one degree of freedom and mean "
					      "little",
			SUMMARY_MIN_REPLICATIONS);
	fprintf(out, "%-18s %19s %19s %19s %19s %19s\n", "operation", "throughput/s", "mean",
		"p50", "p99", "p99.9");
	for (size_t i = 0; i < s->class_count; i++) {
		const struct summary_class *c = &s->classes[i];
		fprintf(out, "%-18s", c->name);
		print_ci(out, c->throughput, 1);
		print_ci(out, c->mean_s, 1e3);
		print_ci(out, c->p50_s, 1e3);
		print_ci(out, c->p99_s, 1e3);
		print_ci(out, c->p999_s, 1e3);
		fputc('\n', out);
	}
	for (size_t i = 0; i < s->class_count; i++) {
		const struct summary_class *c = &s->classes[i];
		static const char *const names[3] = {"p50", "p99", "p99.9"};
		static const double tail[3] = {0.5, 0.01, 0.001};
		for (int k = 2; k >= 0; k--) {
			if (!c->thin[k] || c->completed == 0)
				continue;
			fprintf(out, "WARNING: '%s' %s: a replication holds %llu completions, %.1f "
				     "beyond the quantile (fewer than %d): its interval means little; "
				     "lengthen the run\n",
				c->name, names[k], (unsigned long long)c->completed_min,
				(double)c->completed_min * tail[k], SUMMARY_TAIL_MIN);
			break; /* the highest thin quantile says it */
		}
	}
	if (s->incident_count) {
		fprintf(out, "\nincidents (RTO: fault to first acknowledged write, mean and max; stages "
			     "are means; RPO: acknowledged updates lost and the time span they cover; "
			     "lost>0: occurrences that lost any)\n");
		fprintf(out, "%-22s %-24s %5s %16s %7s", "fault", "target", "recov", "RTO s", "max");
		static const char *const short_names[STAGE_COUNT] = {
			[STAGE_DETECT] = "detect",   [STAGE_OPERATOR] = "oper",
			[STAGE_DECIDE] = "decide",   [STAGE_TRANSITION] = "trans",
			[STAGE_RESTORE] = "restore", [STAGE_FREEZE] = "freeze",
			[STAGE_REROUTE] = "reroute", [STAGE_RECONNECT] = "reconn"};
		for (int c = 0; c < STAGE_COUNT; c++) /* in chain order */
			fprintf(out, " %7s", short_names[ledger_stage_chain[c]]);
		fprintf(out, " %14s %16s %7s  %s\n", "RPO tx", "RPO span s", "lost>0",
			"primary after");
		for (size_t i = 0; i < s->incident_count; i++) {
			const struct summary_incident *is = &s->incidents[i];
			char rto[40], rpo[40], span[40], lost[24];
			if (is->recovered == 0)
				snprintf(rto, sizeof(rto), "not recovered");
			else
				fmt_ci(rto, sizeof(rto), is->rto_s, 1, 1, true);
			fmt_ci(rpo, sizeof(rpo), is->rpo_tx, 1, 0, true);
			fmt_ci(span, sizeof(span), is->rpo_span_s, 1, 2, true);
			snprintf(lost, sizeof(lost), "%lld/%lld", (long long)is->lost,
				 (long long)is->count);
			fprintf(out, "%-22s %-24s %2lld/%-2lld %16s %7.1f", is->kind, is->target,
				(long long)is->recovered, (long long)is->count, rto, is->rto_max_s);
			for (int c = 0; c < STAGE_COUNT; c++)
				fprintf(out, " %7.1f", is->stage_s[ledger_stage_chain[c]]);
			fprintf(out, " %14s %16s %7s  %s\n", rpo, span, lost, is->primary_after);
		}
		if (s->has_ecp) {
			fprintf(out, "\nECP by incident (stalls that began in it; max over occurrences, "
				     "the others means per occurrence: stalls ended, requests held then "
				     "completed, <NETWORK> answers, updates rolled back, sessions "
				     "preserved and lost)\n");
			fprintf(out, "%-22s %-24s %9s %7s %9s %9s %9s %7s %7s\n", "fault", "target",
				"stall s", "stalls", "held ok", "<NETWORK>", "rollback", "kept",
				"lost");
			for (size_t i = 0; i < s->incident_count; i++) {
				const struct summary_incident *is = &s->incidents[i];
				fprintf(out, "%-22s %-24s %9.1f %7.1f %9.1f %9.1f %9.1f %7.1f %7.1f\n",
					is->kind, is->target, is->ecp_stall_max_s, is->ecp_stalls,
					is->ecp_held_completed, is->ecp_network_errors,
					is->ecp_rolled_back, is->ecp_sessions_preserved,
					is->ecp_sessions_lost);
			}
		}
		for (size_t i = 0; i < s->incident_count; i++)
			if (s->incidents[i].rpo_durable_tx_max > 0)
				fprintf(out, "DURABLE DATA LOST: %s %s lost up to %.0f updates acknowledged "
					     "as durable (synchronous commits) in one occurrence\n",
					s->incidents[i].kind, s->incidents[i].target,
					s->incidents[i].rpo_durable_tx_max);
	}
	fprintf(out, "\navailability: writes %.5f, reads %.5f", s->write_availability[0],
		s->read_availability[0]);
	uint64_t any = 0;
	for (int k = 1; k < CAUSE_COUNT; k++)
		any += s->failures[k];
	if (any && s->replications > 0) {
		fprintf(out, "; failed requests per replication:");
		for (int k = 1; k < CAUSE_COUNT; k++)
			if (s->failures[k])
				fprintf(out, " %s %.1f", svc_cause_name(k),
					(double)s->failures[k] / (double)s->replications);
	}
	fputc('\n', out);
	if (s->violations)
		fprintf(out, "INVARIANT VIOLATED: %llu violations (table invariant_violations)\n",
			(unsigned long long)s->violations);
	if (s->dropped)
		fprintf(out, "WARNING: %llu timeline events, violations or incidents were not kept "
			     "(limits or memory; metric observations_dropped)\n",
			(unsigned long long)s->dropped);
	bool saturated = s->shed > 0;
	for (size_t i = 0; i < s->gateway_count; i++)
		saturated |= !isnan(s->gateways[i].saturated_at_s);
	if (saturated) {
		fprintf(out, "\nSATURATED: at times the offered load exceeded what the system served "
			     "(a lasting overload, or a burst such as the requests an ECP stall "
			     "holds)\n");
		for (size_t i = 0; i < s->gateway_count; i++) {
			const struct summary_gateway *g = &s->gateways[i];
			if (isnan(g->saturated_at_s))
				continue;
			fprintf(out, "  web gateway %s: all connections first busy at t = %.1f s; up to "
				     "%.0f requests waiting; %llu answered 503 (server_busy)\n",
				g->name, g->saturated_at_s, g->queue_max,
				(unsigned long long)g->expired);
		}
		if (s->shed)
			fprintf(out, "  %llu arrivals shed: the run holds at most %d requests in "
				     "flight\n",
				(unsigned long long)s->shed, CLIENTS_IN_FLIGHT_MAX);
		for (size_t i = 0; i < s->util_count; i++)
			if (s->util_mean[i] >= 0.95)
				fprintf(out, "  busy: %s %.1f%%\n", s->util_names[i],
					100 * s->util_mean[i]);
	}
	fprintf(out, "\nutilisation (mean across replications)\n");
	for (size_t i = 0; i < s->util_count; i++)
		if (s->util_mean[i] > 0 || strncmp(s->util_names[i], "cpu", 3) == 0)
			fprintf(out, "  %-40s %6.1f%%\n", s->util_names[i], 100 * s->util_mean[i]);
	fprintf(out, "\n%llu events in %.2f s wall: %.0f events/s, simulated/wall time %.0fx\n",
		(unsigned long long)s->events, s->wall_s,
		s->wall_s > 0 ? (double)s->events / s->wall_s : 0,
		s->wall_s > 0 ? s->sim_s / s->wall_s : 0);
	if (s->conservation_violations)
		fprintf(out, "INVARIANT VIOLATED: request conservation failed in %llu replications\n",
			(unsigned long long)s->conservation_violations);
}
