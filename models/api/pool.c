/* pool.c: slab pool (see pool.h). */
#include "pool.h"

#include <stdlib.h>
#include <string.h>

#define POOL_SLAB_ITEMS 4096

void pool_init(struct pool *p, size_t item_size, size_t link_offset)
{
	memset(p, 0, sizeof(*p));
	p->item_size = item_size;
	p->link = link_offset;
}

static void **link_of(const struct pool *p, void *item)
{
	return (void **)((char *)item + p->link);
}

void *pool_get(struct pool *p)
{
	if (!p->free) {
		if (p->slab_count == p->slab_cap) {
			size_t cap = p->slab_cap ? p->slab_cap * 2 : 8;
			char **grown = realloc(p->slabs, sizeof(*grown) * cap);
			if (!grown)
				return NULL;
			p->slabs = grown;
			p->slab_cap = cap;
		}
		char *slab = calloc(POOL_SLAB_ITEMS, p->item_size);
		if (!slab)
			return NULL;
		p->slabs[p->slab_count++] = slab;
		for (size_t i = POOL_SLAB_ITEMS; i-- > 0;) {
			*link_of(p, slab + i * p->item_size) = p->free;
			p->free = slab + i * p->item_size;
		}
	}
	void *item = p->free;
	p->free = *link_of(p, item);
	memset(item, 0, p->item_size);
	p->out++;
	return item;
}

void pool_put(struct pool *p, void *item)
{
	*link_of(p, item) = p->free;
	p->free = item;
	p->out--;
}

void pool_release(struct pool *p)
{
	for (size_t i = 0; i < p->slab_count; i++)
		free(p->slabs[i]);
	free(p->slabs);
	memset(p, 0, sizeof(*p));
}
