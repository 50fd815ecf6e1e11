/*
 * kv.h - the narrow ordered key-value interface under the store (layer: kv).
 *
 * Everything above this header sees ordered byte keys in a fixed set of column families, write
 * batches that commit atomically, snapshots and bounded iterators. Only kv_rocksdb.c includes
 * RocksDB, so that another ordered key-value engine can take its place.
 *
 * Threading: a kv_db_t is safe to use from many threads at once (RocksDB's guarantee); a batch,
 * an iterator or a snapshot handle belongs to one thread at a time.
 */
#ifndef KV_H
#define KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "knoop_err.h"

/* Column families (see server/store/store_int.h for what each holds). */
typedef enum {
    KV_CF_NODE = 0,
    KV_CF_EDGE,
    KV_CF_ADJ,
    KV_CF_IDX,
    KV_CF_HIST,
    KV_CF_META,
    KV_CF_VER, /* recorded time: versions of node/edge/adj/idx keys (store_int.h) */
    KV_CF_COUNT
} kv_cf_t;

typedef struct kv_db kv_db_t;
typedef struct kv_batch kv_batch_t;
typedef struct kv_snapshot kv_snapshot_t;
typedef struct kv_iter kv_iter_t;

typedef struct {
    bool create_if_missing;   /* default true */
    size_t block_cache_bytes; /* 0 = engine default */
    size_t row_cache_bytes;   /* RocksDB's row cache of point reads; 0 = none */
    /*
     * The free-space reserve: while the file system holding the database has fewer free bytes
     * (statvfs f_bavail) than this, kv_commit and kv_purge refuse with KNOOP_EIO before touching
     * the engine, and succeed again by themselves once space returns. 0 = no reserve. A write that
     * fails inside the engine all the same makes the database read-only (kv_write_failed).
     */
    uint64_t min_free_bytes;
} kv_options_t;

/* Name of a column family ("node", "edge" ...). Static. */
const char *kv_cf_name(kv_cf_t cf);

/*
 * Opens (creating if asked) the database in directory path with all column families.
 * On success *out is owned by the caller, released with kv_close.
 */
int kv_open(const char *path, const kv_options_t *opts, kv_db_t **out, knoop_error_t *err);

/* The bytes RocksDB's block cache and row cache hold now and may hold (0 when not set up;
 * a block cache budget of 0 is RocksDB's own default cache, whose figures are not reported). */
typedef struct {
    size_t block_bytes, block_budget, row_bytes, row_budget;
    size_t memtable_bytes; /* every column family's memtables (written, not yet in files) */
} kv_caches_t;
void kv_caches(kv_db_t *db, kv_caches_t *out);

/* Flushes nothing extra (the WAL holds every committed batch) and closes. NULL is a no-op. */
void kv_close(kv_db_t *db);

/*
 * Reads key in cf, from snap when not NULL, else from the latest state. On success *val is a
 * malloc'd copy owned by the caller (free with kv_free) and *vlen its length. Returns
 * KNOOP_ENOTFOUND (without touching err) when the key is absent.
 */
int kv_get(kv_db_t *db, const kv_snapshot_t *snap, kv_cf_t cf, const void *key, size_t klen,
           void **val, size_t *vlen, knoop_error_t *err);

/*
 * Reads the n keys (keys[i], klens[i] bytes; sorted in key order, no duplicates) of cf from the
 * latest state in one batched lookup, then calls cb(arg, i, value, vlen) for i = 0..n-1 in
 * order, value NULL when the key is absent (value valid during the call only). cb returns
 * nonzero to stop. Returns 0 or a negative knoop_err_t (a storage error; nothing is called).
 */
typedef int (*kv_multi_cb)(void *arg, size_t i, const void *val, size_t vlen);
int kv_multi_get(kv_db_t *db, kv_cf_t cf, size_t n, const void *const *keys, const size_t *klens,
                 kv_multi_cb cb, void *arg, knoop_error_t *err);

/* Frees a value returned by kv_get. */
void kv_free(void *p);

/*
 * Write batches: puts and deletes applied all together or not at all by kv_commit on the
 * database they were made for. kv_batch_new returns NULL when out of memory.
 */
kv_batch_t *kv_batch_new(kv_db_t *db);
void kv_batch_free(kv_batch_t *b);
void kv_batch_clear(kv_batch_t *b);
void kv_batch_put(kv_batch_t *b, kv_cf_t cf, const void *key, size_t klen, const void *val,
                  size_t vlen);
void kv_batch_delete(kv_batch_t *b, kv_cf_t cf, const void *key, size_t klen);
int kv_batch_count(kv_batch_t *b);
/*
 * A put / a delete that commits with the batch but that the batch never reads back (kv_batch_get
 * and kv_batch_iter_new do not see it): it skips the batch's index, which makes large batches
 * cheaper (the version entries the store writes at commit). KNOOP_ENOMEM when out of memory.
 */
int kv_batch_put_unindexed(kv_batch_t *b, kv_cf_t cf, const void *key, size_t klen, const void *val,
                           size_t vlen);
int kv_batch_delete_unindexed(kv_batch_t *b, kv_cf_t cf, const void *key, size_t klen);

/*
 * Reads key through batch b: b's own writes first (a deleted key is KNOOP_ENOTFOUND), then the
 * database's latest state. Ownership as for kv_get.
 */
int kv_batch_get(kv_db_t *db, kv_batch_t *b, kv_cf_t cf, const void *key, size_t klen, void **val,
                 size_t *vlen, knoop_error_t *err);

/*
 * Commits b atomically. With sync the call returns after the WAL is on stable storage; without,
 * after it is in the OS (survives a process crash; kv_sync makes it durable). Every write of
 * Knoop goes through here, which makes it the one place for commit fault injection.
 */
int kv_commit(kv_db_t *db, kv_batch_t *b, bool sync, knoop_error_t *err);

/*
 * True once a write to the log failed (a full disk): from then on every kv_commit and kv_sync
 * fails with KNOOP_EIO at once and reads go on; a restart writes again.
 */
bool kv_write_failed(const kv_db_t *db);

/* Makes every batch committed so far durable (one fsync of the WAL). Subject to fault
 * injection like kv_commit. */
int kv_sync(kv_db_t *db, knoop_error_t *err);

/*
 * Writes a consistent copy of the whole database, as of now, to directory dir, which must not
 * exist (its parent must): SST files are hard-linked where the file system allows, so this is
 * quick and needs little space; writes may go on meanwhile. The copy is a complete database that
 * kv_open opens. KNOOP_EIO when it cannot be made (dir exists, no space ...).
 */
int kv_checkpoint(kv_db_t *db, const char *dir, knoop_error_t *err);

/* A key range [lo, hi) of one column family; NULL bounds are open. */
typedef struct {
    kv_cf_t cf;
    const void *lo, *hi;
    size_t lo_len, hi_len;
} kv_range_t;

/*
 * Makes deleted and overwritten values leave the disk (AVG erasure): syncs the WAL, flushes the
 * memtables of every column family (so that the WAL files holding earlier writes become obsolete
 * and are deleted), then compacts each of the n ranges to the bottommost level, which rewrites
 * the SST files that overlap it without the dropped values. Values a live snapshot or iterator
 * still sees are kept until it is released. Blocks for the flush and compactions (seconds on a
 * large store). KNOOP_EIO on failure.
 */
int kv_purge(kv_db_t *db, const kv_range_t *ranges, size_t n, knoop_error_t *err);

/* A consistent read view. Release with kv_snapshot_free on the same db. */
kv_snapshot_t *kv_snapshot_new(kv_db_t *db);
void kv_snapshot_free(kv_db_t *db, kv_snapshot_t *snap);

/*
 * An iterator over keys in [lower, upper) of cf (either bound may be NULL for open), reading
 * snap when not NULL. It starts positioned at the first key >= lower. Key and value pointers
 * are valid until the next move or free. When kv_iter_valid returns false, kv_iter_status
 * says whether the scan ended or failed.
 */
kv_iter_t *kv_iter_new(kv_db_t *db, const kv_snapshot_t *snap, kv_cf_t cf, const void *lower,
                       size_t lower_len, const void *upper, size_t upper_len);
/* An iterator like kv_iter_new over the latest state merged with batch b's own writes. b must
 * not change while the iterator lives. */
kv_iter_t *kv_batch_iter_new(kv_db_t *db, kv_batch_t *b, kv_cf_t cf, const void *lower,
                             size_t lower_len, const void *upper, size_t upper_len);
bool kv_iter_valid(const kv_iter_t *it);
void kv_iter_next(kv_iter_t *it);
void kv_iter_seek(kv_iter_t *it, const void *key, size_t klen);
/* Positions at the last key of the iterator's range (not for batch iterators). */
void kv_iter_seek_last(kv_iter_t *it);
/*
 * A copy of the current value from byte skip on, owned by the caller and freed with kv_free
 * (like kv_get's values). KNOOP_ENOMEM when out of memory.
 */
int kv_iter_value_copy(const kv_iter_t *it, size_t skip, void **val, size_t *vlen);
const void *kv_iter_key(const kv_iter_t *it, size_t *klen);
const void *kv_iter_value(const kv_iter_t *it, size_t *vlen);
int kv_iter_status(const kv_iter_t *it, knoop_error_t *err);
void kv_iter_free(kv_iter_t *it);

/*
 * Fault injection for tests: make the nth kv_commit or kv_sync from now fail with KNOOP_EIO
 * (n >= 1), and with persistent every one after it too. n = 0 turns injection off. Returns how many
 * injected faults fired since the last call to kv_fault_set.
 */
int kv_fault_set(int n, bool persistent);
int kv_fault_fired(void);

#endif
