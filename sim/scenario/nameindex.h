/* nameindex.h: a sorted index of names, for the scenario checks.
 *
 * The checks of a scenario resolve many names (a mirror's members, a load balancer's
 * targets, a fault's target) and look for duplicates. Scanning every list for every
 * reference is quadratic in the size of the file; an index built once makes each lookup
 * O(log n) and duplicate detection O(n log n), whatever the input.
 *
 * An entry is a name and a caller's number (usually the element's index in its array).
 * Entries with a NULL or empty name are not indexed: they are values that were missing or
 * unusable, already reported.
 *
 * Ownership: the index keeps pointers to the names, not copies; the names must outlive it.
 * struct nameindex is caller-allocated (nameindex_init / nameindex_release).
 */
#ifndef TOPSIM_NAMEINDEX_H
#define TOPSIM_NAMEINDEX_H

#include <stdbool.h>
#include <stddef.h>

struct nameindex_entry {
	const char *name; /* not owned */
	size_t id;        /* caller's number */
};

struct nameindex {
	struct nameindex_entry *entries; /* sorted by (name, id) once frozen */
	size_t count, capacity;
	bool sorted;
};

#define NAMEINDEX_NONE ((size_t)-1)

void nameindex_init(struct nameindex *x);

/* Free the entries. Accepts NULL; safe to call twice. */
void nameindex_release(struct nameindex *x);

/* Add a name (ignored when NULL or ""). Returns 0 or -ENOMEM (the index then misses it). */
int nameindex_add(struct nameindex *x, const char *name, size_t id);

/* The smallest id added with this name, or NAMEINDEX_NONE. Sorts the index on first use
 * after an add. NULL name gives NAMEINDEX_NONE. */
size_t nameindex_first(struct nameindex *x, const char *name);

/* Whether the name was added at all. */
bool nameindex_has(struct nameindex *x, const char *name);

/* Whether the name was added with this id. */
bool nameindex_contains(struct nameindex *x, const char *name, size_t id);

/* The names, each once, in order of their smallest id (so suggestions break ties the same
 * way as a scan of the list), as a NULL-terminated array for "did you mean" suggestions; *n gets the count. The caller frees the array (not the names). NULL when
 * out of memory. */
const char **nameindex_names(struct nameindex *x, size_t *n /* OUT */);

#endif
