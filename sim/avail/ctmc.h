/* ctmc.h: the exact cross-check of the availability mode. Where a scenario's upper level
 * (avail.h) is a small continuous-time Markov chain, derive the chain from the scenario and
 * solve it exactly.
 *
 * When it applies: every failure process is exponential (mtbf and mttr) and of the host
 * class, aimed only at the members of at most one mirror (two failover members, its
 * arbiter) or at one standalone data host; no DR promotion and no manual takeover with a
 * delay other than 0 (those waits are not exponential); host crews, if any, one pool for
 * the class. Anything else (volumes, AZs, regions, web servers failing) is refused with the
 * reason, and the simulation stands alone.
 *
 * The chain: a state is the ordered list of failed processes (the first k of them under
 * repair when k crews serve the class FIFO; all of them without crews) and the mirror's
 * state (acting primary, last primary, which member is Active), with the mirror's logic
 * applied instantly after every failure or repair exactly as avail.c applies it. The
 * stationary distribution pi solves pi Q = 0 with sum pi = 1 (GSL LU). Unavailability is the
 * probability of the states with no primary plus the rate of takeovers and restarts times
 * the mean failover_time (validation.md: failovers per year times the outage per
 * failover), which is exact to first order in failover_time x failure rates.
 */
#ifndef TOPSIM_CTMC_H
#define TOPSIM_CTMC_H

#include <stdbool.h>
#include <stddef.h>

#include "scenario.h"

struct ctmc_result {
	bool applies;
	char why[160];          /* when it does not apply */
	size_t states;          /* reachable states */
	double availability;    /* exact */
	double takeovers_per_year; /* rate of takeovers and primary restarts */
};

/* Derive and solve cfg's chain. Cannot fail: out->applies says whether there is an answer
 * (out of memory or a singular system are reported as not applying, with the reason). */
void ctmc_solve(const struct scenario_config *cfg, struct ctmc_result *out /* OUT */);

#endif
