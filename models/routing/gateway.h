/* gateway.h: a web gateway's connections to IRIS: at most `connections` requests in service
 * at once, the others waiting in arrival order for at most `queued_request_timeout`
 * (iris-2.md §7: 1024 connections per Gateway, Queued_Request_Timeout 60 s).
 *
 * A request that reaches the gateway asks for a connection (gateway_acquire). When one is
 * free it takes it at once; otherwise it waits. When a request in service is done at IRIS
 * its connection goes back (gateway_release) and the longest waiter is admitted: its
 * `admitted` callback runs. A waiter still queued after the timeout gets its `expired`
 * callback instead (the gateway answers 503). A waiter whose client has gone declines the
 * connection (its admitted callback returns false), which passes on to the next waiter.
 *
 * So a saturated data server holds at most `connections` requests per gateway, and the
 * gateway queue at most what arrives within one timeout: memory stays bounded whatever the
 * overload.
 *
 * Ownership: waiters are embedded in the caller's requests and belong to the gateway from
 * a queued acquire until their callback; the gateway's entity belongs to the engine; the
 * config must outlive it.
 */
#ifndef TOPSIM_GATEWAY_H
#define TOPSIM_GATEWAY_H

#include <stdbool.h>
#include <stdint.h>

#include "iris.h"
#include "sim.h"

struct gateway_wait {
	struct gateway_wait *next;
	sim_time since;                            /* queued at */
	/* Took a connection; returns false when the request is gone (its client closed the
	 * connection while it waited): the connection then goes to the next waiter. */
	bool (*admitted)(struct gateway_wait *w);
	void (*expired)(struct gateway_wait *w);   /* waited too long: 503 */
};

struct gateway;

/* A gateway entity "gateway:NAME". NULL on error. */
struct gateway *gateway_new(struct sim_engine *e, const struct web_gateway_config *cfg);

/* Take a connection now (true), or queue w (false: a callback follows). */
bool gateway_acquire(struct gateway *g, struct gateway_wait *w);

/* A connection comes back: admits the longest waiter, if any. */
void gateway_release(struct gateway *g);

/* Requests waiting for a connection now, and the most that ever did. */
uint64_t gateway_waiting(const struct gateway *g);
uint64_t gateway_waiting_max(const struct gateway *g);
/* Requests that waited too long (503), since the start. */
uint64_t gateway_expired(const struct gateway *g);
/* When requests first had to wait for a connection (SIM_TIME_MAX: never). */
sim_time gateway_saturated_since(const struct gateway *g);

#endif
