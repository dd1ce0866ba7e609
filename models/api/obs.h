/* obs.h: the observation seam. How models report what they measured without doing I/O.
 *
 * Design note. A model never hands results out through accessors that a caller pulls
 * from; it pushes observations through a struct obs it was given when it was built:
 * metric values (at the end of a replication, from the model's report hook, as ROSS calls
 * an LP type's `final`), time-series points (as buckets close), timeline events and
 * invariant violations (as they happen). The world implements the sink and turns the
 * observations into the replication's record (record.h); nothing here knows about the
 * results database. Names come from the metric registry (metric.h). Strings passed in are
 * valid during the call only.
 *
 * A NULL obs, or a NULL function in it, discards that kind of observation.
 */
#ifndef TOPSIM_OBS_H
#define TOPSIM_OBS_H

#include "metric.h"
#include "simtime.h"

struct obs {
	void *arg;
	/* Value of metric `id` (METRIC_RUN scope) for `qualifier` ("" when none). */
	void (*metric)(void *arg, enum metric_id id, const char *qualifier, double value);
	/* Bucket [start, start + width) of series `id` for `qualifier`. */
	void (*point)(void *arg, sim_time start, sim_time width, enum metric_id id,
		      const char *qualifier, double value);
	/* Something happened now; `source` is the model instance ("mirror MIRROR1"). */
	void (*timeline)(void *arg, const char *source, const char *text);
	/* An invariant failed now. */
	void (*violation)(void *arg, const char *invariant, const char *detail);
};

static inline void obs_metric(const struct obs *o, enum metric_id id, const char *qualifier,
			      double value)
{
	if (o && o->metric)
		o->metric(o->arg, id, qualifier, value);
}

static inline void obs_point(const struct obs *o, sim_time start, sim_time width,
			     enum metric_id id, const char *qualifier, double value)
{
	if (o && o->point)
		o->point(o->arg, start, width, id, qualifier, value);
}

static inline void obs_timeline(const struct obs *o, const char *source, const char *text)
{
	if (o && o->timeline)
		o->timeline(o->arg, source, text);
}

static inline void obs_violation(const struct obs *o, const char *invariant,
				 const char *detail)
{
	if (o && o->violation)
		o->violation(o->arg, invariant, detail);
}

#endif
