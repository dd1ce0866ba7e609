/* sim.h: the umbrella header for model authors (ROSS ross.h): everything a model may use.
 * Models include this (or the individual headers) and nothing from the scenario loader,
 * results or CLI layers; see docs/architecture.md. */
#ifndef TOPSIM_SIM_H
#define TOPSIM_SIM_H

#include "engine.h"
#include "fields.h"
#include "rng.h"
#include "simtime.h"
#include "stats.h"

#endif
