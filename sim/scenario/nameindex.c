/* nameindex.c: a sorted index of names (see nameindex.h).
 *
 * Entries are appended unsorted and sorted by (name, id) with qsort on the first lookup, so
 * building costs O(n log n) and a lookup a binary search to the first entry of its name.
 */
#include "nameindex.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void nameindex_init(struct nameindex *x) { memset(x, 0, sizeof(*x)); }

void nameindex_release(struct nameindex *x)
{
	if (!x)
		return;
	free(x->entries);
	memset(x, 0, sizeof(*x));
}

int nameindex_add(struct nameindex *x, const char *name, size_t id)
{
	if (!name || !*name)
		return 0;
	if (x->count == x->capacity) {
		size_t cap = x->capacity ? x->capacity * 2 : 16;
		struct nameindex_entry *grown = realloc(x->entries, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		x->entries = grown;
		x->capacity = cap;
	}
	x->entries[x->count++] = (struct nameindex_entry){name, id};
	x->sorted = false;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct nameindex_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void sort_once(struct nameindex *x)
{
	if (!x->sorted && x->count > 1)
		qsort(x->entries, x->count, sizeof(*x->entries), entry_cmp);
	x->sorted = true;
}

/* Position of the first entry not below (name, id). */
static size_t lower_bound(struct nameindex *x, const char *name, size_t id)
{
	sort_once(x);
	struct nameindex_entry key = {name, id};
	size_t lo = 0, hi = x->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (entry_cmp(&x->entries[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t nameindex_first(struct nameindex *x, const char *name)
{
	if (!name)
		return NAMEINDEX_NONE;
	size_t i = lower_bound(x, name, 0);
	if (i < x->count && strcmp(x->entries[i].name, name) == 0)
		return x->entries[i].id;
	return NAMEINDEX_NONE;
}

bool nameindex_contains(struct nameindex *x, const char *name, size_t id)
{
	if (!name)
		return false;
	size_t i = lower_bound(x, name, id);
	return i < x->count && x->entries[i].id == id && strcmp(x->entries[i].name, name) == 0;
}

bool nameindex_has(struct nameindex *x, const char *name)
{
	return nameindex_first(x, name) != NAMEINDEX_NONE;
}

static int id_cmp(const void *a, const void *b)
{
	const struct nameindex_entry *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

const char **nameindex_names(struct nameindex *x, size_t *n)
{
	sort_once(x);
	*n = 0;
	const char **names = calloc(x->count + 1, sizeof(*names));
	struct nameindex_entry *firsts = calloc(x->count + 1, sizeof(*firsts));
	if (!names || !firsts) {
		free(names);
		free(firsts);
		return NULL;
	}
	size_t k = 0;
	for (size_t i = 0; i < x->count; i++)
		if (i == 0 || strcmp(x->entries[i].name, x->entries[i - 1].name) != 0)
			firsts[k++] = x->entries[i];
	qsort(firsts, k, sizeof(*firsts), id_cmp); /* in the order the names were added */
	for (size_t i = 0; i < k; i++)
		names[i] = firsts[i].name;
	*n = k;
	free(firsts);
	return names;
}
