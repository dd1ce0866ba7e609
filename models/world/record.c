/* record.c: one replication's record (see record.h). */
#include "record.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void record_init(struct record *r) { memset(r, 0, sizeof(*r)); }

void record_release(struct record *r)
{
	free(r->classes);
	free(r->metrics);
	free(r->points);
	for (size_t i = 0; i < r->qualifier_count; i++)
		free(r->qualifiers[i]);
	free(r->qualifiers);
	free(r->incidents);
	free(r->events);
	free(r->violations);
	free(r->wire_strings);
	memset(r, 0, sizeof(*r));
}

static bool reserve(struct record *r, void **items, size_t *cap, size_t count, size_t size)
{
	if (count < *cap)
		return true;
	size_t cap2 = *cap ? *cap * 2 : 64;
	void *grown = realloc(*items, size * cap2);
	if (!grown) {
		r->out_of_memory = true;
		return false;
	}
	*items = grown;
	*cap = cap2;
	return true;
}

void record_add_metric(struct record *r, enum metric_id id, const char *qualifier, double value)
{
	if (!reserve(r, (void **)&r->metrics, &r->metric_cap, r->metric_count, sizeof(*r->metrics)))
		return;
	struct record_metric *m = &r->metrics[r->metric_count++];
	m->id = id;
	snprintf(m->qualifier, sizeof(m->qualifier), "%s", qualifier ? qualifier : "");
	m->value = value;
}

/* Index of qualifier q in the record's table, added when new; the table is small (one entry
 * per class and host), so a linear search is enough. */
static long qualifier_index(struct record *r, const char *q)
{
	for (size_t i = r->qualifier_count; i-- > 0;)
		if (strcmp(r->qualifiers[i], q) == 0)
			return (long)i;
	if (!reserve(r, (void **)&r->qualifiers, &r->qualifier_cap, r->qualifier_count,
		     sizeof(*r->qualifiers)))
		return -1;
	char *copy = strdup(q);
	if (!copy) {
		r->out_of_memory = true;
		return -1;
	}
	r->qualifiers[r->qualifier_count] = copy;
	return (long)r->qualifier_count++;
}

void record_add_point(struct record *r, sim_time start, sim_time width, enum metric_id id,
		      const char *qualifier, double value)
{
	long q = qualifier_index(r, qualifier ? qualifier : "");
	if (q < 0 ||
	    !reserve(r, (void **)&r->points, &r->point_cap, r->point_count, sizeof(*r->points)))
		return;
	r->points[r->point_count++] = (struct record_point){start, width, id, (uint32_t)q, value};
}

double record_metric(const struct record *r, enum metric_id id, const char *qualifier)
{
	for (size_t i = 0; i < r->metric_count; i++)
		if (r->metrics[i].id == id && strcmp(r->metrics[i].qualifier, qualifier) == 0)
			return r->metrics[i].value;
	return NAN;
}
