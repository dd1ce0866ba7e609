/* gateway.c: a web gateway's connection pool (see gateway.h). */
#include "gateway.h"

#include <stdio.h>

struct gateway {
	const struct web_gateway_config *cfg;
	struct sim_entity *self;
	int64_t busy;                      /* connections in use */
	struct gateway_wait *head, *tail;  /* waiting, oldest first */
	uint64_t waiting, waiting_max, expired;
	sim_time saturated_since;
	struct sim_handle timer;           /* expiry of the oldest waiter */
};

enum { GW_EV_EXPIRE, GW_EV_COUNT };

static void arm(struct gateway *g)
{
	if (!g->head || !sim_handle_is_none(g->timer))
		return;
	g->timer = sim_schedule_at(g->self->engine, g->self,
				   g->head->since + g->cfg->queued_request_timeout, GW_EV_EXPIRE,
				   NULL, 0);
}

static struct gateway_wait *pop(struct gateway *g)
{
	struct gateway_wait *w = g->head;
	g->head = w->next;
	if (!g->head)
		g->tail = NULL;
	g->waiting--;
	return w;
}

static void gw_on_expire(struct sim_entity *self, const struct sim_event *ev)
{
	struct gateway *g = self->state;
	(void)ev;
	g->timer = SIM_HANDLE_NONE;
	sim_time now = sim_now(self->engine);
	while (g->head && g->head->since + g->cfg->queued_request_timeout <= now) {
		struct gateway_wait *w = pop(g);
		g->expired++;
		w->expired(w);
	}
	arm(g);
}

static const sim_handler_fn gw_handlers[GW_EV_COUNT] = {[GW_EV_EXPIRE] = gw_on_expire};
static const struct sim_entity_type gateway_type = {
	.name = "gateway",
	.state_size = sizeof(struct gateway),
	.handlers = gw_handlers,
	.handler_count = GW_EV_COUNT,
};

struct gateway *gateway_new(struct sim_engine *e, const struct web_gateway_config *cfg)
{
	char name[200];
	snprintf(name, sizeof(name), "gateway:%s", cfg->name);
	struct sim_entity *ent = sim_entity_new(e, &gateway_type, name);
	if (!ent)
		return NULL;
	struct gateway *g = ent->state;
	g->cfg = cfg;
	g->self = ent;
	g->saturated_since = SIM_TIME_MAX;
	return g;
}

bool gateway_acquire(struct gateway *g, struct gateway_wait *w)
{
	if (g->busy < g->cfg->connections) {
		g->busy++;
		return true;
	}
	sim_time now = sim_now(g->self->engine);
	if (g->saturated_since == SIM_TIME_MAX)
		g->saturated_since = now;
	w->next = NULL;
	w->since = now;
	if (g->tail)
		g->tail->next = w;
	else
		g->head = w;
	g->tail = w;
	if (++g->waiting > g->waiting_max)
		g->waiting_max = g->waiting;
	arm(g);
	return false;
}

void gateway_release(struct gateway *g)
{
	if (!g->head) {
		g->busy--;
		return;
	}
	/* The connection passes straight to the longest waiter still there. */
	while (g->head) {
		struct gateway_wait *w = pop(g);
		if (w->admitted(w))
			return;
	}
	g->busy--;
}

uint64_t gateway_waiting(const struct gateway *g) { return g->waiting; }
uint64_t gateway_waiting_max(const struct gateway *g) { return g->waiting_max; }
uint64_t gateway_expired(const struct gateway *g) { return g->expired; }
sim_time gateway_saturated_since(const struct gateway *g) { return g->saturated_since; }
