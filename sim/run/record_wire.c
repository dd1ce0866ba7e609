/* record_wire.c: a record as bytes and back (see record_wire.h).
 *
 * Layout: header (magic, format version, the sizes of the copied structures), the scalar
 * fields, the seven counts, then classes, metrics and points as raw arrays, the qualifiers
 * as strings, incidents raw followed by their kind strings (and which primaries are set), events raw, violations raw
 * followed by their invariant strings. A string is a u32 length and its bytes (no NUL);
 * the length UINT32_MAX stands for NULL.
 */
#include "record_wire.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WIRE_MAGIC 0x57525354u /* "TSRW" */
#define WIRE_VERSION 1u
#define WIRE_NULL UINT32_MAX

/* --- encoding --------------------------------------------------------------------------- */

struct wbuf {
	unsigned char *p;
	size_t len, cap;
	bool oom;
};

static void put(struct wbuf *b, const void *data, size_t n)
{
	if (b->oom || n == 0)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *grown = realloc(b->p, cap);
		if (!grown) {
			b->oom = true;
			return;
		}
		b->p = grown;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void put_u32(struct wbuf *b, uint32_t v) { put(b, &v, sizeof(v)); }
static void put_u64(struct wbuf *b, uint64_t v) { put(b, &v, sizeof(v)); }

static void put_str(struct wbuf *b, const char *s)
{
	if (!s) {
		put_u32(b, WIRE_NULL);
		return;
	}
	size_t n = strlen(s);
	put_u32(b, (uint32_t)n);
	put(b, s, n);
}

static const uint32_t struct_sizes[] = {
	sizeof(struct record_class),    sizeof(struct record_metric),
	sizeof(struct record_point),    sizeof(struct record_incident),
	sizeof(struct ledger_event),    sizeof(struct ledger_violation),
};
#define SIZE_COUNT (sizeof(struct_sizes) / sizeof(struct_sizes[0]))

int record_wire_encode(const struct record *r, unsigned char **out, size_t *size)
{
	struct wbuf b = {0};
	put_u32(&b, WIRE_MAGIC);
	put_u32(&b, WIRE_VERSION);
	for (size_t i = 0; i < SIZE_COUNT; i++)
		put_u32(&b, struct_sizes[i]);
	put_u64(&b, r->seed);
	put_u32(&b, r->replication);
	put(&b, &r->warmup, sizeof(r->warmup));
	put(&b, &r->duration, sizeof(r->duration));
	const uint64_t scalars[] = {r->engine_events, r->arrived,   r->completed,
				    r->failed,        r->in_flight, r->dropped,
				    r->conservation_ok, r->out_of_memory};
	put(&b, scalars, sizeof(scalars));
	put(&b, &r->in_system_mean, sizeof(r->in_system_mean));
	const uint64_t counts[] = {r->class_count,    r->metric_count, r->point_count,
				   r->qualifier_count, r->incident_count, r->event_count,
				   r->violation_count};
	put(&b, counts, sizeof(counts));
	put(&b, r->classes, r->class_count * sizeof(*r->classes));
	put(&b, r->metrics, r->metric_count * sizeof(*r->metrics));
	put(&b, r->points, r->point_count * sizeof(*r->points));
	for (size_t i = 0; i < r->qualifier_count; i++)
		put_str(&b, r->qualifiers[i]);
	/* Raw, with the pointers cleared: they mean nothing in another process, and the bytes
	 * of a record then depend on its contents only. */
	for (size_t i = 0; i < r->incident_count; i++) {
		struct record_incident in = r->incidents[i];
		in.r.kind = in.r.target = in.r.primary_before = in.r.primary_after = NULL;
		put(&b, &in, sizeof(in));
	}
	for (size_t i = 0; i < r->incident_count; i++) {
		const struct incident_result *in = &r->incidents[i].r;
		put_str(&b, in->kind);
		put_u32(&b, (in->primary_before ? 1u : 0u) | (in->primary_after ? 2u : 0u));
	}
	put(&b, r->events, r->event_count * sizeof(*r->events));
	for (size_t i = 0; i < r->violation_count; i++) {
		struct ledger_violation v = r->violations[i];
		v.invariant = NULL;
		put(&b, &v, sizeof(v));
	}
	for (size_t i = 0; i < r->violation_count; i++)
		put_str(&b, r->violations[i].invariant);
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	*out = b.p;
	*size = b.len;
	return 0;
}

/* --- decoding --------------------------------------------------------------------------- */

struct rbuf {
	const unsigned char *p;
	size_t len, at;
	bool bad;
};

static const void *take(struct rbuf *b, size_t n)
{
	if (b->bad || n > b->len - b->at) {
		b->bad = true;
		return NULL;
	}
	const void *at = b->p + b->at;
	b->at += n;
	return at;
}

static void get(struct rbuf *b, void *dst, size_t n)
{
	const void *src = take(b, n);
	if (src && n)
		memcpy(dst, src, n);
}

static uint32_t get_u32(struct rbuf *b)
{
	uint32_t v = 0;
	get(b, &v, sizeof(v));
	return v;
}

/* A string's bytes (not NUL-terminated) and length; *null when it was NULL. */
static const char *get_str(struct rbuf *b, uint32_t *n, bool *null)
{
	*n = get_u32(b);
	*null = *n == WIRE_NULL;
	if (*null) {
		*n = 0;
		return NULL;
	}
	return take(b, *n);
}

/* An array of count elements of size bytes, allocated into *dst. */
static int get_array(struct rbuf *b, void **dst, uint64_t count, size_t size)
{
	if (count == 0)
		return 0;
	if (count > (b->len - b->at) / size) {
		b->bad = true;
		return -EPROTO;
	}
	if (!(*dst = malloc((size_t)count * size)))
		return -ENOMEM;
	get(b, *dst, (size_t)count * size);
	return 0;
}

/* Copy the n static-string slots' strings (read from b in order) into one block owned by
 * the record, and point slots[i] at them. */
static int get_static_strings(struct rbuf *b, struct record *r, const char **slots[], size_t n,
			      size_t *block_used, size_t block_size)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t len;
		bool null;
		const char *s = get_str(b, &len, &null);
		if (b->bad)
			return -EPROTO;
		if (null) {
			*slots[i] = NULL;
			continue;
		}
		if (len + 1 > block_size - *block_used)
			return -EPROTO;
		char *dst = r->wire_strings + *block_used;
		memcpy(dst, s, len);
		dst[len] = '\0';
		*block_used += len + 1;
		*slots[i] = dst;
	}
	return 0;
}

int record_wire_decode(const unsigned char *buf, size_t size, struct record *r)
{
	record_init(r);
	struct rbuf b = {.p = buf, .len = size};
	if (get_u32(&b) != WIRE_MAGIC || get_u32(&b) != WIRE_VERSION)
		return -EPROTO;
	for (size_t i = 0; i < SIZE_COUNT; i++)
		if (get_u32(&b) != struct_sizes[i])
			return -EPROTO;
	get(&b, &r->seed, sizeof(r->seed));
	r->replication = get_u32(&b);
	get(&b, &r->warmup, sizeof(r->warmup));
	get(&b, &r->duration, sizeof(r->duration));
	uint64_t scalars[8] = {0};
	get(&b, scalars, sizeof(scalars));
	r->engine_events = scalars[0];
	r->arrived = scalars[1];
	r->completed = scalars[2];
	r->failed = scalars[3];
	r->in_flight = scalars[4];
	r->dropped = scalars[5];
	r->conservation_ok = scalars[6] != 0;
	r->out_of_memory = scalars[7] != 0;
	get(&b, &r->in_system_mean, sizeof(r->in_system_mean));
	uint64_t counts[7] = {0};
	get(&b, counts, sizeof(counts));
	if (b.bad)
		return -EPROTO;
	int rc;
	if ((rc = get_array(&b, (void **)&r->classes, counts[0], sizeof(*r->classes))) < 0)
		return rc;
	r->class_count = (size_t)counts[0];
	if ((rc = get_array(&b, (void **)&r->metrics, counts[1], sizeof(*r->metrics))) < 0)
		return rc;
	r->metric_count = r->metric_cap = (size_t)counts[1];
	if ((rc = get_array(&b, (void **)&r->points, counts[2], sizeof(*r->points))) < 0)
		return rc;
	r->point_count = r->point_cap = (size_t)counts[2];
	if (counts[3] > (b.len - b.at) / sizeof(uint32_t))
		return -EPROTO;
	if (counts[3] && !(r->qualifiers = calloc((size_t)counts[3], sizeof(*r->qualifiers))))
		return -ENOMEM;
	r->qualifier_cap = (size_t)counts[3];
	for (uint64_t i = 0; i < counts[3]; i++) {
		uint32_t len;
		bool null;
		const char *s = get_str(&b, &len, &null);
		if (b.bad || null)
			return -EPROTO;
		if (!(r->qualifiers[i] = malloc((size_t)len + 1)))
			return -ENOMEM;
		memcpy(r->qualifiers[i], s, len);
		r->qualifiers[i][len] = '\0';
		r->qualifier_count++;
	}
	for (size_t i = 0; i < r->point_count; i++)
		if (r->points[i].qualifier >= r->qualifier_count)
			return -EPROTO;

	/* Incidents, then their kinds: the strings go into one block sized from what is left
	 * of the buffer (the strings cannot be longer than that). */
	if ((rc = get_array(&b, (void **)&r->incidents, counts[4], sizeof(*r->incidents))) < 0)
		return rc;
	r->incident_count = (size_t)counts[4];
	size_t block_size = b.len - b.at + 1, block_used = 0;
	if (!(r->wire_strings = malloc(block_size)))
		return -ENOMEM;
	for (size_t i = 0; i < r->incident_count; i++) {
		struct record_incident *in = &r->incidents[i];
		const char **slot[] = {&in->r.kind};
		if ((rc = get_static_strings(&b, r, slot, 1, &block_used, block_size)) < 0)
			return rc;
		uint32_t present = get_u32(&b);
		in->target[sizeof(in->target) - 1] = '\0';
		in->primary_before[sizeof(in->primary_before) - 1] = '\0';
		in->primary_after[sizeof(in->primary_after) - 1] = '\0';
		/* As world.c makes them: into the incident's own fields. */
		in->r.target = in->target;
		in->r.primary_before = present & 1u ? in->primary_before : NULL;
		in->r.primary_after = present & 2u ? in->primary_after : NULL;
	}
	if ((rc = get_array(&b, (void **)&r->events, counts[5], sizeof(*r->events))) < 0)
		return rc;
	r->event_count = (size_t)counts[5];
	for (size_t i = 0; i < r->event_count; i++) {
		struct ledger_event *ev = &r->events[i];
		ev->source[sizeof(ev->source) - 1] = ev->text[sizeof(ev->text) - 1] = '\0';
		if (ev->incident < -1 || ev->incident >= (int)r->incident_count)
			return -EPROTO;
	}
	if ((rc = get_array(&b, (void **)&r->violations, counts[6], sizeof(*r->violations))) < 0)
		return rc;
	r->violation_count = (size_t)counts[6];
	for (size_t i = 0; i < r->violation_count; i++) {
		struct ledger_violation *v = &r->violations[i];
		v->detail[sizeof(v->detail) - 1] = '\0';
		const char **slot[] = {&v->invariant};
		if ((rc = get_static_strings(&b, r, slot, 1, &block_used, block_size)) < 0)
			return rc;
	}
	for (size_t i = 0; i < r->class_count; i++)
		r->classes[i].name[sizeof(r->classes[i].name) - 1] = '\0';
	for (size_t i = 0; i < r->metric_count; i++)
		r->metrics[i].qualifier[sizeof(r->metrics[i].qualifier) - 1] = '\0';
	return b.bad || b.at != b.len ? -EPROTO : 0;
}
