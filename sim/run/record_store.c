/* record_store.c: a record into the results database (see record_store.h). */
#include "record_store.h"

#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdlib.h>

static int store_incidents(struct results *db, int64_t run_id, const struct record *rec)
{
	int wrc = 0;
	int64_t *ids = calloc(rec->incident_count + 1, sizeof(int64_t));
	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; i < rec->incident_count; i++) {
		const struct incident_result *in = &rec->incidents[i].r;
		struct results_incident ri = {
			.kind = in->kind,
			.target = in->target,
			.start_s = in->start_s,
			.end_s = in->end_s,
			.rto_s = in->rto_s,
			.detect_s = in->stage_s[STAGE_DETECT],
			.decide_s = in->stage_s[STAGE_DECIDE],
			.transition_s = in->stage_s[STAGE_TRANSITION],
			.reroute_s = in->stage_s[STAGE_REROUTE],
			.reconnect_s = in->stage_s[STAGE_RECONNECT],
			.operator_s = in->stage_s[STAGE_OPERATOR],
			.freeze_s = in->stage_s[STAGE_FREEZE],
			.restore_s = in->stage_s[STAGE_RESTORE],
			.rpo_tx = (int64_t)in->rpo_tx,
			.rpo_durable_tx = (int64_t)in->rpo_durable_tx,
			.rpo_bytes = in->rpo_bytes,
			.rpo_span_s = in->rpo_span_s,
			.write_unavailable_s = in->write_unavailable_s,
			.read_unavailable_s = in->read_unavailable_s,
			.primary_before = in->primary_before,
			.primary_after = in->primary_after,
			.data_lost = in->data_lost,
			.ecp_stall_max_s = in->ecp_stall_max_s,
			.ecp_stalls = (int64_t)in->ecp_stalls,
			.ecp_held_completed = (int64_t)in->ecp_held_completed,
			.ecp_network_errors = (int64_t)in->ecp_network_errors,
			.ecp_rolled_back = (int64_t)in->ecp_rolled_back,
			.ecp_sessions_preserved = (int64_t)in->ecp_sessions_preserved,
			.ecp_sessions_lost = (int64_t)in->ecp_sessions_lost,
		};
		wrc |= results_add_incident(db, run_id, &ri, &ids[i]);
	}
	for (size_t i = 0; i < rec->event_count; i++) {
		const struct ledger_event *ev = &rec->events[i];
		wrc |= results_add_incident_event(db, run_id, ev->incident >= 0 ? ids[ev->incident] : 0,
						  sim_time_to_s(ev->t), ev->source, ev->text, "");
	}
	free(ids);
	return wrc;
}

int record_store(struct results *db, const struct record_run_info *info,
		 const struct record *rec)
{
	sim_time end = rec->warmup + rec->duration;
	struct results_run run = {info->scenario_name, info->scenario_text, info->scenario_hash,
				  rec->seed, rec->replication, info->version, info->started_at,
				  0, sim_time_to_s(end), sim_time_to_s(rec->warmup), 0,
				  info->experiment, info->variant};
	int64_t run_id = 0;
	if (results_begin(db) < 0)
		return -EIO;
	int wrc = results_add_run(db, &run, &run_id);
	for (size_t i = 0; !wrc && i < rec->point_count; i++) {
		const struct record_point *p = &rec->points[i];
		wrc |= results_add_point(db, run_id, sim_time_to_s(p->start), sim_time_to_s(p->width),
					 metric_def(p->id)->name, rec->qualifiers[p->qualifier],
					 p->value, metric_def(p->id)->unit);
	}
	for (size_t i = 0; !wrc && i < rec->class_count; i++)
		wrc |= results_add_latency(db, run_id, rec->classes[i].name, &rec->classes[i].latency);
	for (size_t i = 0; !wrc && i < rec->metric_count; i++) {
		const struct record_metric *m = &rec->metrics[i];
		const struct metric_def *d = metric_def(m->id);
		wrc |= results_add_metric(db, run_id, d->name, m->qualifier, m->value, d->unit);
	}
	if (!wrc && !rec->conservation_ok)
		wrc |= results_add_violation(db, run_id, sim_time_to_s(end), "conservation",
					     "arrived != completed + failed + in flight");
	bool out_of_memory = false;
	if (!wrc) {
		int irc = store_incidents(db, run_id, rec);
		out_of_memory = irc == -ENOMEM;
		wrc |= irc;
	}
	for (size_t i = 0; !wrc && i < rec->violation_count; i++) {
		const struct ledger_violation *v = &rec->violations[i];
		wrc |= results_add_violation(db, run_id, sim_time_to_s(v->t), v->invariant, v->detail);
	}
	if (!wrc)
		wrc |= results_finish_run(db, run_id, info->wall_s, rec->engine_events);
	if (wrc || results_commit(db) < 0) {
		results_rollback(db);
		return out_of_memory ? -ENOMEM : -EIO;
	}
	return 0;
}
