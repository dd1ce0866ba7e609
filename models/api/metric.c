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

static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return 64;
	size_t row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *metric_suggest(const char *name)
{
	const char *best = NULL;
	size_t best_d = 4; /* at most 3 edits */
	for (int i = 0; name && i < METRIC_COUNT; i++) {
		if (defs[i].scope == METRIC_SERIES)
			continue;
		size_t d = distance(name, defs[i].name);
		if (d < best_d) {
			best_d = d;
			best = defs[i].name;
		}
	}
	return best;
}

const char *metric_scope_name(enum metric_scope s)
{
	static const char *const names[] = {"run", "incident", "series", "latency"};
	return names[s];
}

const char *metric_qualifier_name(enum metric_qualifier q)
{
	static const char *const names[] = {"", "operation class", "host", "volume",
					    "operation class and cause", "incident"};
	return names[q];
}
