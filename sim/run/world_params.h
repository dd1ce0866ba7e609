/* world_params.h: a loaded scenario and its catalog as the typed world configuration the
 * models are built from (world.h): every host's instance type and volume types looked up in
 * the catalog, the regions' round-trip matrix, the scenario's sections by reference.
 *
 * Ownership: world_params owns the host array, the volume parameters and the RTT matrix;
 * the world_config inside points into it and into the scenario, which must outlive it.
 */
#ifndef TOPSIM_WORLD_PARAMS_H
#define TOPSIM_WORLD_PARAMS_H

#include "scenario.h"
#include "world.h"

struct world_params {
	struct world_config cfg;
	struct host_info *hosts;
	size_t host_count;          /* entries of hosts */
	double *rtt_s;
};

/* Fill p from s for a run of `warmup` + `duration` with time-series buckets of
 * `series_width`. Returns 0 or -ENOMEM. */
int world_params_init(struct world_params *p, const struct scenario *s, sim_time warmup,
		      sim_time duration, sim_time series_width);
void world_params_release(struct world_params *p);

#endif
