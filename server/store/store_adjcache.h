/*
 * store_adjcache.h - the adjacency cache's life cycle, for store.c (layer: store, internal).
 * Readers use store_adj_get (store.h); store_adjcache.c explains the rules that keep it exact.
 */
#ifndef STORE_ADJCACHE_H
#define STORE_ADJCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct store_adjcache store_adjcache_t;

/* A cache of at most budget bytes; NULL when budget is 0 (no cache) or out of memory. */
store_adjcache_t *store_adjcache_new(size_t budget);
/* Frees c and every entry (no reader may hold one). NULL is a no-op. */
void store_adjcache_free(store_adjcache_t *c);

/*
 * Removes the entries of the n nodes and marks their shards changed by commit seq. Called
 * before the commit's batch is written. NULL c is a no-op.
 */
void store_adjcache_invalidate(store_adjcache_t *c, const uint64_t *nodes, size_t n, uint64_t seq);
/* As store_adjcache_invalidate for every node (a change applied from a record). */
void store_adjcache_clear(store_adjcache_t *c, uint64_t seq);

void store_adjcache_stats(store_adjcache_t *c, store_adjcache_stats_t *out);

/* The cache of s (NULL: none). */
store_adjcache_t *store__adjcache(store_t *s);
/* The seq of a snapshot view (store_adjcache.c); false for views that cannot use the cache. */
bool store__view_seq(const store_view_t *v, uint64_t *seq);

#endif
