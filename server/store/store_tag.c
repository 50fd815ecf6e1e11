/*
 * store_tag.c - one byte per id for facts that never change once the id is committed
 * (layer: store).
 *
 * graph_node_kind keeps each node's kind here, so that a search that meets a hundred thousand
 * nodes through their adjacency learns what each one is without a record read per node. Such a
 * fact is safe to share between every view because a committed change never reuses an id: ids
 * come from the "next_id" counter inside the transaction, and only an aborted transaction's ids
 * are handed out again. So tags may be learnt only from committed views (store_view_committed),
 * and then hold for every view in which the id exists; they never need invalidating.
 *
 * The map is two-level: a fixed table of STORE_TAG_CHUNKS atomic pointers, each to a chunk of
 * 2^16 bytes made on first use (a lost race frees its own chunk). Reads take no lock. Ids past
 * the table (2^30) are never kept, which only costs those ids their record reads.
 */
#include <stdatomic.h>

#include "knoop_alloc.h"
#include "store_int.h"

#define TAG_CHUNK_BITS 16
#define TAG_CHUNK      ((uint64_t)1 << TAG_CHUNK_BITS)

uint8_t store_tag_get(store_t *s, uint64_t id)
{
    uint64_t c = id >> TAG_CHUNK_BITS;
    uint8_t *chunk;
    if (c >= STORE_TAG_CHUNKS)
        return 0;
    chunk = atomic_load_explicit(&s->tags[c], memory_order_acquire);
    return chunk != NULL ? atomic_load_explicit((_Atomic uint8_t *)&chunk[id & (TAG_CHUNK - 1)],
                                                memory_order_relaxed)
                         : 0;
}

void store_tag_set(store_t *s, uint64_t id, uint8_t tag)
{
    uint64_t c = id >> TAG_CHUNK_BITS;
    uint8_t *chunk, *expected = NULL;
    if (c >= STORE_TAG_CHUNKS || tag == 0)
        return;
    chunk = atomic_load_explicit(&s->tags[c], memory_order_acquire);
    if (chunk == NULL) {
        if ((chunk = knoop_calloc(TAG_CHUNK, 1)) == NULL)
            return; /* not kept: the next reader reads the record again */
        if (!atomic_compare_exchange_strong_explicit(&s->tags[c], &expected, chunk,
                                                     memory_order_acq_rel, memory_order_acquire)) {
            knoop_free(chunk);
            chunk = expected;
        }
    }
    /* Every committed read of a node passes here: write only what is new, so that the cache
     * line the readers share is not dirtied again and again. */
    _Atomic uint8_t *slot = (_Atomic uint8_t *)&chunk[id & (TAG_CHUNK - 1)];
    if (atomic_load_explicit(slot, memory_order_relaxed) != tag)
        atomic_store_explicit(slot, tag, memory_order_relaxed);
}

void store__tags_free(store_t *s)
{
    for (size_t c = 0; c < STORE_TAG_CHUNKS; c++)
        knoop_free(atomic_load_explicit(&s->tags[c], memory_order_relaxed));
}

bool store_view_committed(const store_view_t *v)
{
    return v == NULL || v->txn == NULL;
}
