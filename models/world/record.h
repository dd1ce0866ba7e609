/* record.h: what one replication produced, in memory: the unit every consumer works on
 * (the results writer, the run summary, and later check, compare and sweep).
 *
 * A record is filled by world_run (world.h) from the models' observations and touches no
 * database. Everything in it is owned by the record and freed by record_release; strings
 * are copies, except incident kinds and invariant names, which are static (or, in a record
 * decoded from another process, point into wire_strings).
 */
#ifndef TOPSIM_RECORD_H
#define TOPSIM_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger.h"
#include "metric.h"
#include "sim.h"
#include "svc.h"

/* An operation class over the measured period. */
struct record_class {
	char name[128];
	uint64_t arrived, completed;
	uint64_t failed[CAUSE_COUNT];       /* requests failed for good, by cause */
	uint64_t tries_failed[CAUSE_COUNT]; /* failed tries, by cause */
	struct stat_hist latency;           /* s, at the client */
	double latency_mean;                /* exact mean (Welford), s; NAN when none */
};

/* A METRIC_RUN value. */
struct record_metric {
	enum metric_id id;
	char qualifier[160];
	double value;
};

/* A time-series point; qualifier indexes record.qualifiers. */
struct record_point {
	sim_time start, width;
	enum metric_id id;
	uint32_t qualifier;
	double value;
};

struct record_incident {
	struct incident_result r;          /* its strings point into the fields below */
	char target[160], primary_before[128], primary_after[128];
};

struct record {
	uint64_t seed;
	uint32_t replication;
	sim_time warmup, duration;         /* the run lasted warmup + duration */
	uint64_t engine_events;            /* engine events processed */
	struct record_class *classes;
	size_t class_count;
	struct record_metric *metrics;
	size_t metric_count, metric_cap;
	struct record_point *points;
	size_t point_count, point_cap;
	char **qualifiers;                 /* distinct series qualifiers */
	size_t qualifier_count, qualifier_cap;
	struct record_incident *incidents;
	size_t incident_count;
	struct ledger_event *events;       /* timeline; .incident indexes incidents */
	size_t event_count;
	struct ledger_violation *violations;
	size_t violation_count;
	uint64_t arrived, completed, failed, in_flight; /* whole run, for conservation */
	bool conservation_ok;              /* arrived == completed + failed + in_flight */
	double in_system_mean;             /* time-average requests in the system after the
					    * warm-up (Little's L) */
	uint64_t dropped;                  /* observations lost to caps or memory */
	bool out_of_memory;                /* something could not be recorded */
	char *wire_strings;                /* a record decoded from another process
					    * (record_wire.h): its incident kinds and invariant
					    * names point here instead of to static strings */
};

void record_init(struct record *r);
void record_release(struct record *r);

/* Append observations (out of memory sets r->out_of_memory). */
void record_add_metric(struct record *r, enum metric_id id, const char *qualifier, double value);
void record_add_point(struct record *r, sim_time start, sim_time width, enum metric_id id,
		      const char *qualifier, double value);

/* The value of a METRIC_RUN metric for qualifier, or NAN when not recorded. */
double record_metric(const struct record *r, enum metric_id id, const char *qualifier);

#endif
