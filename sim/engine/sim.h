/* sim.h: the engine's umbrella header (ROSS ross.h): time, events, entities, random
 * streams and statistics. A model includes this plus the model API (models/api/) and
 * nothing from the scenario loader, results or CLI layers; see docs/architecture.md. */
#ifndef TOPSIM_SIM_H
#define TOPSIM_SIM_H

#include "engine.h"
#include "rng.h"
#include "simtime.h"
#include "stats.h"

#endif
