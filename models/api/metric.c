/* metric.c: the metric registry (see metric.h). */
#include "metric.h"

#include <stdbool.h>
#include <string.h>

static const struct metric_def defs[METRIC_COUNT] = {
#define METRIC_ROW(id, name_, unit_, scope_, qual_, help_) \
	[METRIC_##id] = {name_, unit_, scope_, qual_, help_},
	TOPSIM_METRICS(METRIC_ROW)
#undef METRIC_ROW
};

const struct metric_def *metric_def(enum metric_id id) { return &defs[id]; }

static int find(const char *name, bool series)
{
	for (int i = 0; name && i < METRIC_COUNT; i++)
		if ((defs[i].scope == METRIC_SERIES) == series && strcmp(defs[i].name, name) == 0)
			return i;
	return -1;
}

int metric_find(const char *name) { return find(name, false); }
int metric_find_series(const char *name) { return find(name, true); }

int metric_find_incident(const char *name)
{
	for (int i = 0; name && i < METRIC_COUNT; i++)
		if (defs[i].scope == METRIC_INCIDENT && strcmp(defs[i].name, name) == 0)
			return i;
	return metric_find(name);
}

const char *metric_scope_name(enum metric_scope s)
{
	static const char *const names[] = {"run", "incident", "series", "latency"};
	return names[s];
}

const char *metric_qualifier_name(enum metric_qualifier q)
{
	static const char *const names[] = {"", "operation class", "host", "volume",
					    "operation class and cause", "incident", "web gateway",
					    "link class"};
	return names[q];
}
