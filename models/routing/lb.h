/* lb.h: load balancers and DNS failover at run time (configuration: routing.h).
 *
 * A load balancer health-checks each target every `interval` (AWS: targets are checked
 * independently; the first check of each target starts at a uniformly drawn offset within
 * the interval, from the LB entity's stream). A check asks the probe function; an answer of
 * PROBE_OK counts as a success and PROBE_FAIL (an HTTP error such as 503 from a mirror
 * backup) as a failure, both at the time of the check; PROBE_TIMEOUT counts as a failure
 * `timeout` after the check. Results count in the order they arrive (with timeout <
 * interval, as AWS requires, that is the order of the checks). A target becomes unhealthy
 * after `unhealthy_threshold` consecutive failures and healthy after `healthy_threshold`
 * consecutive successes (thresholds below 1 count as 1). Targets start healthy (the
 * scenario starts in a steady state). With a false-negative probability set (fault
 * injection), each check that the probe answers PROBE_OK fails (at check time) with that
 * probability. Requests go round-robin to healthy targets; when none is healthy, to every
 * target round-robin if fail_open is set (ALB), else nowhere (aws.md §4). A load balancer
 * node in an AZ that is down cannot serve; clients reach the LB through any live node. An
 * LB with no AZ listed, or without a node_up hook, counts as always up. Health checks go on
 * while every node is down (the model does not tie checks to nodes).
 *
 * DNS failover (Route 53): every `check_interval` (first check at a uniform offset within
 * the interval, from the DNS entity's stream), a health check of the primary record's load
 * balancer and, when there is one, of the secondary's: an LB is healthy when it has a live
 * node and at least one healthy target (alias with Evaluate Target Health). Each record's
 * health changes after `failure_threshold` consecutive failures or as many consecutive
 * successes; both start healthy (a new Route 53 health check counts as healthy). The answer
 * is the primary while it is healthy, the secondary while the primary is unhealthy and the
 * secondary healthy, and the primary when both are unhealthy (aws.md §5, failover
 * semantics). Clients cache answers for up to `ttl`: a request made `a` seconds after the
 * answer last changed gets the new answer with probability min(1, a / ttl) (cache expiries
 * uniform over the TTL), else the answer before that change; ttl 0 means always the new one.
 *
 * Ownership and lifetime: lb and dns objects are heap objects that own their state; their
 * entities belong to the engine; configs, hooks' args and (for dns) both LBs must outlive
 * them. Free an lb or dns only when the engine will run no more of its events (after the
 * last run call, before or after sim_engine_free: the free functions do not touch the
 * engine). Nothing allocates after construction.
 */
#ifndef TOPSIM_LB_H
#define TOPSIM_LB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routing.h"
#include "sim.h"

enum lb_probe_result { PROBE_OK, PROBE_FAIL, PROBE_TIMEOUT };

/* Ask target `target` (index in cfg->targets) its health-check path now. */
typedef enum lb_probe_result (*lb_probe_fn)(void *arg, const struct load_balancer_config *lb,
					    size_t target);
/* Is the LB's node in AZ cfg->azs[i] alive? */
typedef bool (*lb_node_up_fn)(void *arg, const struct load_balancer_config *lb, size_t az);
/* Told when a target's health changes (for the incident timeline), at the simulated time of
 * the change (sim_now of the engine). */
typedef void (*lb_health_change_fn)(void *arg, const struct load_balancer_config *lb,
				    size_t target, bool healthy);

struct lb_hooks {
	lb_probe_fn probe;           /* required */
	lb_node_up_fn node_up;       /* may be NULL: every node always up */
	lb_health_change_fn changed; /* may be NULL */
	void *arg;
};

struct lb;

/* A load balancer entity named "lb:NAME" on e; the hooks are copied. Returns NULL on bad
 * arguments (NULL e, cfg, cfg->name, hooks or hooks->probe), out of memory, or when the
 * entity cannot be created (engine error, e.g. a duplicate name). */
struct lb *lb_new(struct sim_engine *e, const struct load_balancer_config *cfg,
		  const struct lb_hooks *hooks);
void lb_free(struct lb *lb); /* NULL is a no-op */

/* Start health checking at the current time (the first check of each target at now + a
 * uniform offset in [0, interval)). A second call does nothing. */
void lb_start(struct lb *lb);

/* The target index for the next request (round-robin over healthy targets, fail-open over
 * all), or -1 when no node of the LB is up, the LB has no target, or none is healthy and
 * fail_open is off. */
int lb_pick(struct lb *lb);

bool lb_target_healthy(const struct lb *lb, size_t target); /* false when out of range */
/* Register a target with the target group or take it out (Auto Scaling scale-in, a node
 * not launched): a deregistered target gets no new requests, whatever its health. All
 * targets start registered. */
void lb_set_registered(struct lb *lb, size_t target, bool registered);
size_t lb_healthy_count(const struct lb *lb);
bool lb_any_node_up(const struct lb *lb);

/* Fault injection: each check of a healthy-answering target fails with probability p
 * (clamped to [0, 1]; 0 restores). Draws from the LB entity's stream only while p > 0. */
void lb_set_false_negative(struct lb *lb, double p);

/* Added: health checks of a target counted so far (results arrived), and how many of them
 * failed (PROBE_FAIL, PROBE_TIMEOUT or a false negative). 0 when out of range. */
uint64_t lb_checks_done(const struct lb *lb, size_t target);
uint64_t lb_checks_failed(const struct lb *lb, size_t target);

const struct load_balancer_config *lb_config(const struct lb *lb);

struct dns;
/* Told when the answer changes; failed_over is true when it is now the secondary. */
typedef void (*dns_change_fn)(void *arg, const struct dns_config *cfg, bool failed_over);

/* A DNS failover record entity "dns:NAME" over a primary and (optional, may be NULL)
 * secondary LB. `changed` may be NULL. Returns NULL on bad arguments (NULL e, cfg,
 * cfg->name or primary), out of memory, or engine error. */
struct dns *dns_new(struct sim_engine *e, const struct dns_config *cfg, struct lb *primary,
		    struct lb *secondary, dns_change_fn changed, void *arg);
void dns_free(struct dns *d); /* NULL is a no-op */

/* Start the Route 53 health checks at the current time. A second call does nothing. */
void dns_start(struct dns *d);

/* The LB a client resolving now gets, given TTL caching (draws one uniform from r, only
 * while a change is younger than the TTL). */
struct lb *dns_resolve(struct dns *d, gsl_rng *r);

/* True while the record answers the secondary. */
bool dns_failed_over(const struct dns *d);

/* Added: the time the answer last changed, or -1 before any change. */
sim_time dns_last_change(const struct dns *d);

#endif
