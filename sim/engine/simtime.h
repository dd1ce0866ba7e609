/* simtime.h: simulated time.
 *
 * Simulated time is a signed 64-bit count of nanoseconds since the start of a replication
 * (range about +-292 years). Integer time makes event ordering exact and runs repeatable:
 * two events compare equal only when their times are bit-for-bit equal, and ties are then
 * broken by insertion order (see engine.h). Header only; no state.
 */
#ifndef TOPSIM_SIMTIME_H
#define TOPSIM_SIMTIME_H

#include <math.h>
#include <stdint.h>

typedef int64_t sim_time; /* nanoseconds */

#define SIM_NS ((sim_time)1)
#define SIM_US ((sim_time)1000)
#define SIM_MS ((sim_time)1000000)
#define SIM_S ((sim_time)1000000000)
#define SIM_MIN (60 * SIM_S)
#define SIM_HOUR (3600 * SIM_S)
#define SIM_DAY (86400 * SIM_S)
#define SIM_TIME_MAX INT64_MAX /* "never" */

/* Seconds (double) to simulated time, rounded to the nearest nanosecond. Values beyond the
 * representable range saturate at +-SIM_TIME_MAX; NaN maps to 0. Cannot fail. */
static inline sim_time sim_time_from_s(double seconds)
{
	double ns = seconds * 1e9;
	if (ns != ns)
		return 0;
	if (ns >= 9.2e18)
		return SIM_TIME_MAX;
	if (ns <= -9.2e18)
		return -SIM_TIME_MAX;
	return (sim_time)llround(ns);
}

static inline double sim_time_to_s(sim_time t) { return (double)t * 1e-9; }
static inline double sim_time_to_ms(sim_time t) { return (double)t * 1e-6; }

#endif
