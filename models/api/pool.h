/* pool.h: a free list over slabs of fixed-size items that never move, so models that
 * create an object per request allocate nothing in the steady state.
 *
 * Ownership: the pool owns its slabs; items handed out belong to the caller until put
 * back. pool_release frees every slab (items still out become invalid).
 */
#ifndef TOPSIM_POOL_H
#define TOPSIM_POOL_H

#include <stddef.h>

struct pool {
	size_t item_size;  /* bytes per item */
	size_t link;       /* offset of the item's free-list pointer (a void * member) */
	char **slabs;
	size_t slab_count, slab_cap;
	void *free;
	size_t out;        /* items handed out and not put back */
};

/* An empty pool of items of item_size bytes whose void * member at link_offset the pool
 * may use while the item is free. */
void pool_init(struct pool *p, size_t item_size, size_t link_offset);

/* A zeroed item, or NULL when out of memory. */
void *pool_get(struct pool *p);
void pool_put(struct pool *p, void *item);
void pool_release(struct pool *p);

#endif
