/*
 * store.h - Knoop's storage: one RocksDB database (through kv), id allocation, write
 * transactions with history entries and group commit, key encoding (layer: store).
 *
 * The store knows bytes and layouts, not domain meaning. Writes are serialised through one
 * writer: store_txn_begin takes the writer lock and store_txn_commit / store_txn_abort release
 * it. A transaction is one WriteBatch: records, indexes and history entries commit together or
 * not at all. Reads use snapshots (store_snapshot) or the latest state (NULL snapshot).
 */
#ifndef STORE_H
#define STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "knoop_err.h"
#include "kv.h"

typedef struct store store_t;
typedef struct store_txn store_txn_t;

typedef struct {
    /*
     * When true (the default) a commit returns only once its batch is on stable storage.
     * Concurrent committers share one fsync (group commit): each writes its batch, releases the
     * writer lock, and waits until some committer has synced past its batch.
     */
    bool sync;
    size_t block_cache_bytes; /* 0 = engine default */
} store_options_t;

/* Who makes a change and why; recorded in every history entry. Borrowed. */
typedef struct {
    const char *actor;  /* NULL = "system" */
    const char *reason; /* may be NULL */
} store_who_t;

void store_options_default(store_options_t *o);

/* Opens or creates the store in directory dir. *out is owned by the caller (store_close). */
int store_open(const char *dir, const store_options_t *o, store_t **out, knoop_error_t *err);

/* Closes the store. Every committed transaction is durable afterwards. NULL is a no-op. */
void store_close(store_t *s);

kv_db_t *store_kv(store_t *s);

/* A consistent read view, released with store_snapshot_free. May return NULL (out of memory). */
kv_snapshot_t *store_snapshot(store_t *s);
void store_snapshot_free(store_t *s, kv_snapshot_t *snap);

/* The sequence number of the last commit. */
uint64_t store_last_seq(store_t *s);

/*
 * Begins a write transaction: blocks until the writer lock is free. who is copied.
 * Returns KNOOP_ENOMEM when the transaction cannot be allocated.
 * Thread: any; the same thread must commit or abort it.
 */
int store_txn_begin(store_t *s, const store_who_t *who, store_txn_t **out, knoop_error_t *err);

/* Allocates a fresh id (node or edge). Returned to the pool if the transaction aborts. */
uint64_t store_txn_alloc_id(store_txn_t *t);

/* The transaction's commit sequence number and timestamp (ms since the epoch, UTC). */
uint64_t store_txn_seq(const store_txn_t *t);
int64_t store_txn_time(const store_txn_t *t);

/* The batch that collects the transaction's writes. */
kv_batch_t *store_txn_batch(store_txn_t *t);

/* The store a transaction belongs to (for reads of the latest state inside it). */
store_t *store_txn_store(store_txn_t *t);

/*
 * Adds a history entry for entity id: operation op ("create", "update", "end", "delete"),
 * before and after as packed msgpack (a map; NULL for nil). Copied. KNOOP_ENOMEM on failure.
 */
int store_txn_history(store_txn_t *t, uint64_t id, const char *op, const void *before, size_t blen,
                      const void *after, size_t alen);

/*
 * Commits the transaction (one atomic batch), releases the writer lock and, when the store
 * syncs, waits for durability. Frees t in every case. On failure nothing is written.
 */
int store_txn_commit(store_txn_t *t, knoop_error_t *err);

/* Drops the transaction's writes, releases the writer lock and frees t. NULL is a no-op. */
void store_txn_abort(store_txn_t *t);

/*
 * Reads key in cf from snap, or, when snap is NULL, from the latest state. On the thread that
 * holds an open transaction of s, latest-state reads see that transaction's own uncommitted
 * writes (read-your-writes), so a change made of several steps can check each step against the
 * ones before it. Ownership and results as kv_get.
 */
int store_get(store_t *s, const kv_snapshot_t *snap, kv_cf_t cf, const void *key, size_t klen,
              void **val, size_t *vlen, knoop_error_t *err);

/* An iterator as kv_iter_new, with the same read-your-writes rule as store_get. The transaction
 * must not write while the iterator lives. */
kv_iter_t *store_iter(store_t *s, const kv_snapshot_t *snap, kv_cf_t cf, const void *lower,
                      size_t lower_len, const void *upper, size_t upper_len);

/*
 * Calls cb for each history entry of entity id in commit order (the value is a msgpack map,
 * valid during the call). cb returns nonzero to stop. Reads snap when not NULL.
 */
typedef int (*store_hist_cb)(void *arg, const void *entry, size_t len);
int store_hist_scan(store_t *s, const kv_snapshot_t *snap, uint64_t id, store_hist_cb cb, void *arg,
                    knoop_error_t *err);

/* Formats a timestamp (ms since the epoch) as RFC 3339 UTC ("2026-11-24T10:00:00.000Z") into
 * buf (at least 32 bytes). Returns buf. */
char *store_format_ts(int64_t ms, char *buf);

/* Fixed-width big-endian integer encoding (keys and records). */
void store_put_u16(unsigned char *p, uint16_t v);
void store_put_u32(unsigned char *p, uint32_t v);
void store_put_u64(unsigned char *p, uint64_t v);
uint16_t store_get_u16(const unsigned char *p);
uint32_t store_get_u32(const unsigned char *p);
uint64_t store_get_u64(const unsigned char *p);
/* Signed 64-bit with the sign bit flipped, so that byte order is numeric order. */
void store_put_i64(unsigned char *p, int64_t v);
int64_t store_get_i64(const unsigned char *p);
/* Dates (int32 day numbers, INT32_MAX = open) biased by 2^31 so byte order is date order. */
void store_put_date(unsigned char *p, int32_t d);
int32_t store_get_date(const unsigned char *p);

/* Index key prefixes in the idx column family (store_int.h). */
#define STORE_IDX_NAME   'n'
#define STORE_IDX_KEY    'k'
#define STORE_IDX_TYPE   't'
#define STORE_IDX_BEHALF 'b'

/* Adjacency direction bytes. */
#define STORE_DIR_OUT 'o'
#define STORE_DIR_IN  'i'

/* Longest adjacency key: 8 + 1 + 1 + 255 + 8 + 8. */
#define STORE_ADJ_KEY_MAX 281

/*
 * Encodes an adjacency key into buf (STORE_ADJ_KEY_MAX bytes) and returns its length.
 * With other == 0 and edge == 0 and want_tail false, returns only the prefix
 * node dir tlen type (for scans by node, direction and type).
 */
size_t store_key_adj(unsigned char *buf, uint64_t node, char dir, const char *type, size_t tlen,
                     uint64_t other, uint64_t edge, bool want_tail);

/* Decodes an adjacency key. Returns false when the key is malformed. type points into key. */
bool store_key_adj_decode(const unsigned char *key, size_t klen, uint64_t *node, char *dir,
                          const char **type, size_t *tlen, uint64_t *other, uint64_t *edge);

#endif
