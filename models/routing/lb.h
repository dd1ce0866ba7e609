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
 * probability.
 *
 * Nodes and DNS (aws-2.md §2). The LB has one node per AZ in cfg->azs; its DNS name
 * publishes the addresses of the live nodes: with cross-zone load balancing off, only those
 * whose AZ has a healthy registered target, unless no live node's AZ has one (then every
 * live node: traffic goes to all zones). The published set is kept with the time it took
 * effect (lb_refresh records a change; the LB calls it on a health or registration change,
 * its owner on a node's AZ going down or up), so a client that resolved at time t' and still
 * caches that answer gets the set of t' (lb_node_pick_at, one node uniformly: Route 53 hands
 * each query one node address). A request goes to the node it resolved; a dead node takes
 * nothing (the client's connection times out). A node sends requests round-robin to healthy
 * targets: with cross-zone on, to every AZ's (lb_pick); off, to its own AZ's only
 * (lb_pick_via). When no target is healthy, to every target in turn if fail_open is set (ALB,
 * NLB), else nowhere (aws.md §4); with cross-zone off, that is every target of the node's
 * own AZ, and a node whose own AZ has no healthy target while another AZ has one sends
 * nowhere (AWS documents fail-open for all zones together only; such a node gets only
 * clients with a cached answer, since its address has left DNS). A load balancer with no AZ listed, or without a node_up
 * hook, counts as always up. Health checks go on while every node is down (the model does
 * not tie checks to nodes).
 *
 * DNS failover (Route 53), two record styles (aws.md §5, aws-2.md §3). A health_check
 * record checks every `check_interval` (first check at a uniform offset within the
 * interval, from the DNS entity's stream) the primary record's load balancer and, when there
 * is one, the secondary's: an LB is healthy when it has a live node and at least one healthy
 * target. Each record's health changes after `failure_threshold` consecutive failures or as
 * many consecutive successes; both start healthy (a new Route 53 health check counts as
 * healthy). An alias record (Evaluate Target Health) has no check of its own: its health is
 * the LB's, re-evaluated whenever the LB's targets or nodes change (dns_refresh; how fast
 * Route 53 reflects a target-group change is unpublished, so at once: assumption). The
 * answer is the primary while it is healthy, the secondary while the primary is unhealthy
 * and the secondary healthy, and the primary when both are unhealthy (failover semantics).
 * The answer in effect at a past time t' (dns_answer_at) is the current one from the last
 * change on, the previous one before it. Clients cache answers for up to `ttl`; dns_resolve
 * is the answer of a client whose cache age is uniform over the TTL: a request made `a`
 * seconds after the answer last changed gets the new answer with probability min(1, a /
 * ttl).
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

/* Target `target` is in the AZ of node `node` (index in cfg->azs), or in none (-1: with
 * cross-zone off it gets no traffic). All targets start in none. */
void lb_set_target_zone(struct lb *lb, size_t target, int node);
/* Record the published node set now if it changed (call when a node's AZ goes down or up;
 * the LB calls it itself on health and registration changes). No-op before lb_start. */
void lb_refresh(struct lb *lb);
/* The published node set (bit a: node cfg->azs[a]) in effect at time t (the oldest
 * remembered one for a t before it; 0 before lb_start). */
uint64_t lb_published_at(const struct lb *lb, sim_time t);
/* One node of the set published at t, uniformly (draws from r only when there are two or
 * more), or -1 when none. */
int lb_node_pick_at(const struct lb *lb, gsl_rng *r, sim_time t);
bool lb_node_is_up(const struct lb *lb, int node);
/* The target for a request that reached node `node`, or -1 (node down or out of range, no
 * target to send to): see "Nodes and DNS" above. */
int lb_pick_via(struct lb *lb, int node);

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

/* The answer in effect at time t (see above). */
struct lb *dns_answer_at(const struct dns *d, sim_time t);
/* An alias record re-evaluates its LBs' health now (call on any change of their targets or
 * nodes); no-op for a health_check record or before dns_start. */
void dns_refresh(struct dns *d);

const struct dns_config *dns_cfg(const struct dns *d);

/* True while the record answers the secondary. */
bool dns_failed_over(const struct dns *d);

/* Added: the time the answer last changed, or -1 before any change. */
sim_time dns_last_change(const struct dns *d);

#endif
