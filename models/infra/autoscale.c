/* autoscale.c: the Auto Scaling group of compute nodes (see autoscale.h). */
#include "autoscale.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

static const struct field autoscaling_fields[] = {
	{FIELD_AT(struct autoscaling_config, enabled), .type = FIELD_BOOL, .def = "false",
	 .help = "true: the compute nodes form an Auto Scaling group with a target-tracking "
		 "policy (the list is the pool up to max_size; nodes beyond the current size are "
		 "not launched); false: every compute node runs all the time"},
	{FIELD_AT(struct autoscaling_config, target_cpu), .type = FIELD_QUANTITY,
	 .units = UNITS_FRACTION, .def = "0.4", .min = "0.01", .max = "1",
	 .help = "target value of the metric, the average CPU utilisation of the nodes in "
		 "service",
	 .source = "aws-2.md (target tracking): the AWS examples use 40% CPU"},
	{FIELD_AT(struct autoscaling_config, min_size), .type = FIELD_INT, .def = "1",
	 .min = "1", .max = "10000",
	 .help = "nodes at least (and at the start: the first min_size of the list)",
	 .source = "assumption: one node keeps the cluster's queries served"},
	{FIELD_AT(struct autoscaling_config, max_size), .type = FIELD_INT, .def = "0",
	 .min = "0", .max = "10000",
	 .help = "nodes at most, at most the compute nodes listed; 0: all of them",
	 .source = "the scenario's pool"},
	{FIELD_AT(struct autoscaling_config, warmup), .type = FIELD_DURATION, .def = "300s",
	 .min = "0s", .max = "3600s",
	 .help = "instance warm-up from a node's start: it does not count in the metric and "
		 "blocks scale-in",
	 .source = "aws-2.md (warm-up): 0-3600 s; unset, it falls back to the default "
		   "cooldown, 300 s"},
	{FIELD_AT(struct autoscaling_config, evaluation_period), .type = FIELD_DURATION,
	 .def = "60s", .min = "10s", .max = "60s",
	 .help = "period over which the metric is averaged and the policy evaluated",
	 .source = "aws-2.md: 1-minute aggregation; high-resolution periods down to 10 s, "
		   "none above 60 s"},
	{FIELD_AT(struct autoscaling_config, scale_out_periods), .type = FIELD_INT, .def = "3",
	 .min = "1", .max = "100",
	 .help = "periods in a row whose desired size exceeds the capacity before it scales "
		 "out",
	 .source = "aws-2.md: AlarmHigh, 3 datapoints within 3 minutes (AWS documentation "
		   "UNCONFIRMED)"},
	{FIELD_AT(struct autoscaling_config, scale_in_periods), .type = FIELD_INT, .def = "15",
	 .min = "1", .max = "100",
	 .help = "periods in a row whose desired size is below the capacity before it scales "
		 "in",
	 .source = "aws-2.md: AlarmLow, 15 datapoints within 15 minutes (AWS documentation "
		   "UNCONFIRMED)"},
	{FIELD_AT(struct autoscaling_config, launch_time), .type = FIELD_DURATION, .def = "60s",
	 .min = "0s", .max = "1h",
	 .help = "from the launch decision to the node up with IRIS running (EC2 launch, "
		 "boot, IRIS start); the ECP connection and the load balancer's health checks "
		 "follow",
	 .source = "aws-2.md: 25.8-29 s from RunInstances to SSH; plus IRIS start, "
		   "assumption: 30 s"},
	{FIELD_AT(struct autoscaling_config, deregistration_delay), .type = FIELD_DURATION,
	 .def = "300s", .min = "0s", .max = "3600s",
	 .help = "scale-in: a node is deregistered from the load balancer (no new requests) "
		 "and terminated this long after",
	 .source = "aws-2.md: deregistration_delay 300 s for every load-balancer type"},
};
const struct field_table autoscaling_config_table =
	FIELD_TABLE_OF("autoscaling", "An EC2 Auto Scaling group of the compute nodes with a "
				      "target-tracking policy on their average CPU utilisation.",
		       struct autoscaling_config, autoscaling_fields);

static const char *const state_names[] = {"off", "launching", "warming", "in service",
					  "draining"};
const char *autoscale_state_name(enum autoscale_state s) { return state_names[s]; }

enum { AS_EV_EVALUATE, AS_EV_UP, AS_EV_WARM, AS_EV_TERMINATE, AS_EV_COUNT };

struct as_node {
	enum autoscale_state state;
	uint64_t seq;          /* launch order: the newest has the largest */
	uint32_t gen;          /* bumped on every launch and termination: stale events */
	double cpu_prev;       /* cpu_seconds at the last evaluation */
	bool sampled;          /* cpu_prev was taken while the node ran */
};

struct autoscale {
	struct autoscale_params p;
	struct sim_engine *e;
	struct sim_entity *self;
	struct as_node *n;
	size_t max_size;
	uint64_t seq;
	int64_t high_run, low_run;
	struct autoscale_stats st;
};

struct as_entity_state {
	struct autoscale *a;
};

struct as_payload {
	uint64_t node;
	uint32_t gen;
};

static void set_state(struct autoscale *a, size_t i, enum autoscale_state s)
{
	a->n[i].state = s;
	a->p.set_state(a->p.arg, i, s);
}

static void timeline(struct autoscale *a, size_t i, const char *what)
{
	char text[160];
	snprintf(text, sizeof(text), "%s %s", a->p.names[i], what);
	obs_timeline(a->p.obs, "autoscaling", text);
}

static size_t capacity(const struct autoscale *a)
{
	size_t c = 0;
	for (size_t i = 0; i < a->p.node_count; i++)
		c += a->n[i].state == AS_LAUNCHING || a->n[i].state == AS_WARMING ||
		     a->n[i].state == AS_IN_SERVICE;
	return c;
}

static void schedule(struct autoscale *a, size_t i, sim_time delay, uint32_t kind)
{
	struct as_payload pl = {i, a->n[i].gen};
	sim_schedule_in(a->e, a->self, delay, kind, &pl, sizeof(pl));
}

static void launch(struct autoscale *a, size_t i)
{
	struct as_node *n = &a->n[i];
	n->gen++;
	n->seq = ++a->seq;
	n->sampled = false;
	a->st.launches++;
	set_state(a, i, AS_LAUNCHING);
	timeline(a, i, "launch");
	schedule(a, i, a->p.cfg->launch_time, AS_EV_UP);
}

static void scale_in_one(struct autoscale *a)
{
	size_t newest = a->p.node_count;
	for (size_t i = 0; i < a->p.node_count; i++)
		if (a->n[i].state == AS_IN_SERVICE &&
		    (newest == a->p.node_count || a->n[i].seq > a->n[newest].seq))
			newest = i;
	if (newest == a->p.node_count)
		return;
	a->n[newest].gen++;
	set_state(a, newest, AS_DRAINING);
	timeline(a, newest, "deregistered (scale-in)");
	schedule(a, newest, a->p.cfg->deregistration_delay, AS_EV_TERMINATE);
}

static void on_evaluate(struct sim_entity *self, const struct sim_event *ev)
{
	struct autoscale *a = ((struct as_entity_state *)self->state)->a;
	(void)ev;
	const struct autoscaling_config *c = a->p.cfg;
	double period = (double)c->evaluation_period / (double)SIM_S;
	double sum = 0;
	size_t in = 0, busy = 0;
	for (size_t i = 0; i < a->p.node_count; i++) {
		struct as_node *n = &a->n[i];
		bool running = n->state == AS_WARMING || n->state == AS_IN_SERVICE ||
			       n->state == AS_DRAINING;
		double now = running ? a->p.cpu_seconds(a->p.arg, i) : 0;
		if (n->state == AS_IN_SERVICE && n->sampled) {
			sum += fmin(1, (now - n->cpu_prev) / (period * a->p.vcpu[i]));
			in++;
		}
		if (n->state == AS_LAUNCHING || n->state == AS_WARMING)
			busy++;
		n->cpu_prev = now;
		n->sampled = running;
	}
	size_t cap = capacity(a);
	if (in > 0) {
		double m = sum / (double)in;
		a->st.last_metric = m;
		double want = ceil((double)in * m / c->target_cpu - 1e-9);
		size_t desired = want < (double)c->min_size ? (size_t)c->min_size
				 : want > (double)a->max_size ? a->max_size
							     : (size_t)want;
		a->high_run = desired > cap ? a->high_run + 1 : 0;
		a->low_run = desired < cap ? a->low_run + 1 : 0;
		if (a->high_run >= c->scale_out_periods) {
			for (size_t i = 0; i < a->p.node_count && cap < desired; i++)
				if (a->n[i].state == AS_OFF) {
					launch(a, i);
					cap++;
				}
			a->high_run = 0;
		} else if (a->low_run >= c->scale_in_periods && busy == 0) {
			while (cap > desired) {
				scale_in_one(a);
				cap--;
			}
			a->low_run = 0;
		}
	}
	if (cap > a->st.max_size)
		a->st.max_size = cap;
	sim_schedule_in(a->e, a->self, c->evaluation_period, AS_EV_EVALUATE, NULL, 0);
}

static struct as_node *event_node(struct autoscale *a, const struct sim_event *ev, size_t *i)
{
	struct as_payload pl;
	memcpy(&pl, ev->payload.bytes, sizeof(pl));
	*i = (size_t)pl.node;
	return a->n[*i].gen == pl.gen ? &a->n[*i] : NULL;
}

static void on_up(struct sim_entity *self, const struct sim_event *ev)
{
	struct autoscale *a = ((struct as_entity_state *)self->state)->a;
	size_t i;
	if (!event_node(a, ev, &i) || a->n[i].state != AS_LAUNCHING)
		return;
	set_state(a, i, AS_WARMING);
	timeline(a, i, "up (IRIS started, registered with the load balancer)");
	schedule(a, i, a->p.cfg->warmup, AS_EV_WARM);
}

static void on_warm(struct sim_entity *self, const struct sim_event *ev)
{
	struct autoscale *a = ((struct as_entity_state *)self->state)->a;
	size_t i;
	if (!event_node(a, ev, &i) || a->n[i].state != AS_WARMING)
		return;
	set_state(a, i, AS_IN_SERVICE);
	timeline(a, i, "in service (warm-up over)");
}

static void on_terminate(struct sim_entity *self, const struct sim_event *ev)
{
	struct autoscale *a = ((struct as_entity_state *)self->state)->a;
	size_t i;
	if (!event_node(a, ev, &i) || a->n[i].state != AS_DRAINING)
		return;
	a->n[i].gen++;
	a->st.terminations++;
	set_state(a, i, AS_OFF);
	timeline(a, i, "terminated");
}

static const sim_handler_fn as_handlers[AS_EV_COUNT] = {
	[AS_EV_EVALUATE] = on_evaluate,
	[AS_EV_UP] = on_up,
	[AS_EV_WARM] = on_warm,
	[AS_EV_TERMINATE] = on_terminate,
};

static const struct sim_entity_type as_type = {
	.name = "autoscale",
	.state_size = sizeof(struct as_entity_state),
	.handlers = as_handlers,
	.handler_count = AS_EV_COUNT,
};

struct autoscale *autoscale_new(struct sim_engine *e, const struct autoscale_params *p)
{
	if (!p->cfg || p->node_count == 0 || !p->set_state || !p->cpu_seconds)
		return NULL;
	struct autoscale *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->p = *p;
	a->e = e;
	a->n = calloc(p->node_count, sizeof(*a->n));
	a->max_size = p->cfg->max_size > 0 && (size_t)p->cfg->max_size < p->node_count
			      ? (size_t)p->cfg->max_size
			      : p->node_count;
	if (!a->n || (size_t)p->cfg->min_size > a->max_size ||
	    !(a->self = sim_entity_new(e, &as_type, "autoscaling"))) {
		autoscale_free(a);
		return NULL;
	}
	((struct as_entity_state *)a->self->state)->a = a;
	return a;
}

void autoscale_free(struct autoscale *a)
{
	if (!a)
		return;
	free(a->n);
	free(a);
}

void autoscale_start(struct autoscale *a)
{
	for (size_t i = 0; i < a->p.node_count; i++) {
		if (i < (size_t)a->p.cfg->min_size) {
			a->n[i].state = AS_IN_SERVICE; /* running from the start, warm */
			a->n[i].seq = ++a->seq;
		} else {
			set_state(a, i, AS_OFF);
		}
	}
	a->st.max_size = capacity(a);
	sim_schedule_in(a->e, a->self, a->p.cfg->evaluation_period, AS_EV_EVALUATE, NULL, 0);
}

void autoscale_counts(const struct autoscale *a, struct autoscale_counts *out)
{
	*out = (struct autoscale_counts){0};
	for (size_t i = 0; i < a->p.node_count; i++) {
		enum autoscale_state s = a->n[i].state;
		out->in_service += s == AS_IN_SERVICE || s == AS_WARMING;
		out->pending += s == AS_LAUNCHING;
		out->draining += s == AS_DRAINING;
	}
}

enum autoscale_state autoscale_node_state(const struct autoscale *a, size_t node)
{
	return a->n[node].state;
}

void autoscale_stats(const struct autoscale *a, struct autoscale_stats *out) { *out = a->st; }
