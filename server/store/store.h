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
    size_t row_cache_bytes;   /* records found by point reads; default
                               * KNOOP_DEFAULT_ROW_CACHE_MB MiB, 0 = none */
    uint64_t min_free_bytes;  /* the free-space reserve (kv_options_t); default 0 = none */
    size_t adj_cache_bytes;   /* the adjacency cache (store_adj_get); default
                               * KNOOP_DEFAULT_ADJ_CACHE_MB MiB, 0 = none */
} store_options_t;

/* Who makes a change and why; recorded in every history entry. Borrowed. */
typedef struct {
    const char *actor;  /* NULL = "system" */
    const char *reason; /* may be NULL */
} store_who_t;

void store_options_default(store_options_t *o);

/* Opens or creates the store in directory dir. *out is owned by the caller (store_close). */
int store_open(const char *dir, const store_options_t *o, store_t **out, knoop_error_t *err);

/* As store_open, but KNOOP_ENOTFOUND when dir holds no store (nothing is created). */
int store_open_existing(const char *dir, store_t **out, knoop_error_t *err);

/*
 * Restores a backup made by store_checkpoint (knoop backup): checks that backup is a store of
 * this format, copies its files into dir, which must not exist (created 0700, files 0600, each
 * fsynced), opens the copy and writes its digest (store_digest) to digest. On failure dir may
 * hold a partial copy and the error names the file.
 */
int store_restore(const char *backup, const char *dir, char digest[17], knoop_error_t *err);

/* Closes the store. Every committed transaction is durable afterwards. NULL is a no-op. */
void store_close(store_t *s);

kv_db_t *store_kv(store_t *s);

/*
 * A read view: what a read sees. Every read function takes one; NULL reads the latest committed
 * state. store_snapshot makes a view of one consistent moment; store_txn_view gives a write
 * transaction's view, the latest state merged with that transaction's own uncommitted writes
 * (read-your-writes), so that a change made of several steps checks each step against the ones
 * before it. Views are passed explicitly: nothing about a read depends on the calling thread.
 */
typedef struct store_view store_view_t;

/* A snapshot view, released with store_snapshot_free. NULL when out of memory. */
store_view_t *store_snapshot(store_t *s);
void store_snapshot_free(store_t *s, store_view_t *v);

/*
 * Writes a consistent copy of the store as of now to directory dir (which must not exist) while
 * writes go on: an online backup, itself a store that store_open opens. Errors as kv_checkpoint.
 */
int store_checkpoint(store_t *s, const char *dir, knoop_error_t *err);

/* The sequence number of the last commit. */
uint64_t store_last_seq(store_t *s);

/*
 * Begins a write transaction: blocks until the writer lock is free. who is copied.
 * Returns KNOOP_ENOMEM when the transaction cannot be allocated (then no lock is held).
 * Thread: any; the same thread must commit or abort it. Only the command dispatcher (and tools
 * and tests that drive the store directly) begin transactions; handlers receive theirs.
 */
int store_txn_begin(store_t *s, const store_who_t *who, store_txn_t **out, knoop_error_t *err);

/* The transaction's read view (valid until commit or abort). */
const store_view_t *store_txn_view(store_txn_t *t);

/* The store t writes to. */
store_t *store_txn_store(store_txn_t *t);

/*
 * Sets the wall-clock time (ms since the epoch, 0 = none) after which the request that owns t
 * gives up. Long loops inside a write call store_txn_check_deadline, so that a write never holds
 * the writer lock far past the request's time. KNOOP_EUNAVAIL (with err set) once it has passed.
 */
void store_txn_set_deadline(store_txn_t *t, int64_t deadline_ms);
int store_txn_check_deadline(const store_txn_t *t, knoop_error_t *err);

/* Allocates a fresh id (node or edge) inside t; returned to the pool if t aborts. */
uint64_t store_txn_alloc_id(store_txn_t *t);

/* The transaction's commit sequence number and timestamp (ms since the epoch, UTC). */
uint64_t store_txn_seq(const store_txn_t *t);
int64_t store_txn_time(const store_txn_t *t);

/*
 * Adds a put / a delete of key in cf to t. Every write of Knoop goes through these two, so that
 * the transaction's change record (store_change_cb) lists all of them. Copied. KNOOP_ENOMEM when
 * out of memory; then t must be aborted.
 */
int store_txn_put(store_txn_t *t, kv_cf_t cf, const void *key, size_t klen, const void *val,
                  size_t vlen);
int store_txn_delete(store_txn_t *t, kv_cf_t cf, const void *key, size_t klen);

/* Number of puts and deletes in t so far. */
size_t store_txn_count(const store_txn_t *t);

/*
 * Adds a history entry for entity id: operation op ("create", "update", "end", "delete"),
 * before and after as packed msgpack (a map; NULL for nil). Copied. KNOOP_ENOMEM on failure.
 * A transaction that writes anything must write at least one history entry: store_txn_commit
 * refuses one that does not (KNOOP_EINTERNAL), so no change escapes the audit trail.
 */
int store_txn_history(store_txn_t *t, uint64_t id, const char *op, const void *before, size_t blen,
                      const void *after, size_t alen);

/*
 * Commits the transaction (one atomic batch), releases the writer lock and, when the store
 * syncs, waits for durability. Frees t in every case. On failure nothing is written.
 * A transaction without writes commits nothing and consumes no sequence number.
 */
int store_txn_commit(store_txn_t *t, knoop_error_t *err);

/* Drops the transaction's writes, releases the writer lock and frees t. NULL is a no-op. */
void store_txn_abort(store_txn_t *t);

/*
 * The change record: each commit is one self-contained, serialisable record, the unit a
 * replicated log carries. A msgpack array
 *     [format:1, seq:u64, ts_ms:i64, actor:str, reason:str|nil, ops:[op...]]
 * with op = [cf:u8, key:bin, value:bin] for a put and [cf:u8, key:bin] for a delete, in the
 * order they were made (the store's counters "next_id" and "seq" in meta included). Applying
 * the ops in order to a store in the state before the commit yields the state after it.
 * The callback runs under the writer lock after the batch is written, in sequence order; it
 * must not call back into the store. record is borrowed for the call.
 */
typedef void (*store_change_cb)(void *arg, uint64_t seq, const void *record, size_t len);
void store_set_change_cb(store_t *s, store_change_cb cb, void *arg);

/*
 * Applies a change record (as store_change_cb received it) as one atomic write, as a replica
 * would. KNOOP_EINVAL when the record is malformed (nothing is written), KNOOP_ECONFLICT when its
 * sequence number is not the next one of s.
 */
int store_apply_record(store_t *s, const void *record, size_t len, knoop_error_t *err);

/*
 * A digest of the logical contents: every key and value of every column family read through
 * view v, in order (64-bit FNV-1a over length-prefixed keys and values, per family, folded).
 * Two stores with the same contents have the same digest. out gets 17 bytes (16 hex + NUL).
 */
int store_digest(store_t *s, const store_view_t *v, char out[17], knoop_error_t *err);

/*
 * Reads key in cf through view v (NULL = latest committed state). Ownership and results as
 * kv_get.
 */
int store_get(store_t *s, const store_view_t *v, kv_cf_t cf, const void *key, size_t klen,
              void **val, size_t *vlen, knoop_error_t *err);

/*
 * An iterator over the keys in [lower, upper) of cf (either bound may be NULL for open), read
 * through view v; it starts at the first key >= lower. Key and value pointers are valid until the
 * next move or free. When store_iter_valid returns false, store_iter_status says whether the scan
 * ended or failed. A transaction must not write while an iterator of its view lives. Through a
 * recorded-time view (store_snapshot_known_at) the keys and values are those the range held as
 * recorded then. NULL when out of memory. Thread: the caller's, one at a time.
 */
typedef struct store_iter store_iter_t;
store_iter_t *store_iter(store_t *s, const store_view_t *v, kv_cf_t cf, const void *lower,
                         size_t lower_len, const void *upper, size_t upper_len);
bool store_iter_valid(const store_iter_t *it);
void store_iter_next(store_iter_t *it);
/* Repositions at the first key >= key (within the bounds). */
void store_iter_seek(store_iter_t *it, const void *key, size_t klen);
const void *store_iter_key(const store_iter_t *it, size_t *klen);
const void *store_iter_value(const store_iter_t *it, size_t *vlen);
int store_iter_status(const store_iter_t *it, knoop_error_t *err);
/* NULL is a no-op. */
void store_iter_free(store_iter_t *it);

/*
 * Recorded time ("as we knew it on"). A view of the store as it was recorded at ts_ms (ms since
 * the epoch, UTC): the state right after the last commit whose timestamp is <= ts_ms, or, before
 * the first commit, the empty store. Reads of node, edge, adj and idx through it answer as they
 * would have then, at O(log n) per point read in the length of history (store_int.h, family
 * "ver"); hist and meta read as they are now. Released with store_snapshot_free.
 * KNOOP_EINVAL when ts_ms lies after now (with err naming params.known_at), KNOOP_ENOMEM.
 */
int store_snapshot_known_at(store_t *s, int64_t ts_ms, store_view_t **out, knoop_error_t *err);

/*
 * Checks the version family through v (for graph_check): every key decodes (a versioned key
 * with its sequence number, or a commit-time index entry), every value is "absent" or a value,
 * no sequence number is above seq (meta "seq"), the commit-time index runs in commit order and
 * ends at seq. cb gets each problem (key and text valid during the call). Returns 0, or a
 * negative knoop_err_t when the walk itself fails.
 */
typedef void (*store_ver_check_cb)(void *arg, const void *key, size_t klen, const char *problem);
int store_ver_check(store_t *s, const store_view_t *v, uint64_t seq, store_ver_check_cb cb,
                    void *arg, knoop_error_t *err);

/* As store_snapshot_known_at, for the state right after commit seq (0: the empty store), for
 * tools and tests. NULL when out of memory; released with store_snapshot_free. */
store_view_t *store_snapshot_at_seq(store_t *s, uint64_t seq);

/*
 * A node's adjacency, decoded and shared through a bounded cache (store_adjcache.c explains why
 * it is exact): every entry of the node in the "adj" family, outgoing and incoming each in key
 * order (type length, type, other, edge), as a scan through the same view returns them.
 */
typedef struct {
    uint64_t other, edge;
    int32_t valid_from, valid_to; /* dates as store_get_date returns them */
    uint32_t type_off, type_len;  /* the type: store_adj_types */
} store_adj_ent_t;

typedef struct store_adj store_adj_t;

/*
 * Gets node's adjacency as seen by view v into *out (release with store_adj_release), from the
 * cache or by one scan that it then offers to the cache. *out is NULL (and the result
 * KNOOP_OK) when v cannot use the cache (a transaction's view, a NULL view, no cache) or the
 * node has too many entries: the caller scans instead. Thread: any. Errors: store errors,
 * KNOOP_ENOMEM.
 */
int store_adj_get(store_t *s, const store_view_t *v, uint64_t node, store_adj_t **out,
                  knoop_error_t *err);
/* The entries of a in direction dir (STORE_DIR_OUT or STORE_DIR_IN); *n gets their count. */
const store_adj_ent_t *store_adj_entries(const store_adj_t *a, char dir, size_t *n);
/* The bytes of a's types: entry e's type is the type_len bytes at store_adj_types(a) +
 * e->type_off (not NUL-terminated; they live as long as a). Entries next to each other with the
 * same type share its bytes (the same offset). */
const char *store_adj_types(const store_adj_t *a);
/*
 * The entries of a in direction dir that may be valid on date at (valid_from <= at <
 * valid_to): *n numbers into store_adj_entries(a, dir, ...), ascending (key order). Every entry
 * valid on at is among them, with others to filter out. NULL (and *n untouched) when a has no
 * date index for dir that covers at (few entries, or a date outside those the entries name):
 * the caller walks all entries.
 */
const uint32_t *store_adj_at(const store_adj_t *a, char dir, int32_t at, size_t *n);
void store_adj_release(store_adj_t *a);
/*
 * A cost estimate, never an answer: true, with *n the count of its entries (both directions),
 * when node's adjacency is in the cache now, as of some commit (a later one may have changed
 * it); false when it is not cached or there is no cache. No I/O, no change to the cache's order
 * or figures: one shard lock. Thread: any.
 */
bool store_adj_cached(store_t *s, uint64_t node, size_t *n);

/*
 * Tags: one byte per id for a fact that never changes once the id is committed (a node's kind,
 * kept by graph_node_kind). A committed change never reuses an id, so a tag learnt from a
 * committed view (store_view_committed) holds for every view in which the id exists; it says
 * nothing about whether the id exists in a given view. 0 = not known. Lock-free; ids from 2^30
 * are never kept. Thread: any.
 */
uint8_t store_tag_get(store_t *s, uint64_t id);
/* Keeps tag (not 0) for id. Does nothing when out of memory or id is out of range. */
void store_tag_set(store_t *s, uint64_t id, uint8_t tag);
/* True when v shows committed changes only: NULL (the latest), a snapshot or a recorded-time
 * view; false for a transaction's view, which may show ids that are handed out again. */
bool store_view_committed(const store_view_t *v);

typedef struct {
    uint64_t nodes, bytes, budget, hits, misses;
} store_adjcache_stats_t;

/* The adjacency cache's figures (all 0 without a cache). */
void store_adj_cache_stats(store_t *s, store_adjcache_stats_t *out);
/* The storage engine's caches (kv_caches). */
void store_kv_caches(store_t *s, kv_caches_t *out);

/*
 * Calls cb for each history entry of entity id in commit order (the value is a msgpack map,
 * valid during the call). cb returns nonzero to stop. Reads through v.
 */
typedef int (*store_hist_cb)(void *arg, const void *entry, size_t len);
int store_hist_scan(store_t *s, const store_view_t *v, uint64_t id, store_hist_cb cb, void *arg,
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

/* Keys of the meta family (store_int.h): the id and commit sequence counters, the layout. */
#define STORE_META_NEXT_ID    "next_id"
#define STORE_META_SEQ        "seq"
#define STORE_META_FORMAT     "format"
#define STORE_META_AUDIT_HEAD "audit_head"

/*
 * The audit chain (store_int.h): one entry per committed change (kind "change", written in the
 * change's own batch) and one per audited read of personal data (kind "read", store_audit_read).
 * Each entry's value is a msgpack map followed by its 32-byte hash, SHA-256(previous entry's
 * hash || map); the first entry's previous hash is 32 zero bytes. A change entry covers its
 * history entries through `payload`, SHA-256 over the SHA-256 of each history entry in order;
 * an erased history entry keeps the hash of what it was (`orig`), so erasure keeps the chain
 * verifiable.
 */
#define STORE_HASH_BYTES    32
#define STORE_AUDIT_PREFIX  "audit/"
#define STORE_AUDIT_KEY_LEN 14
/* "audit/" no:u64 into buf (STORE_AUDIT_KEY_LEN bytes). */
size_t store_key_audit(unsigned char *buf, uint64_t no);

/*
 * Appends a "read" entry: user read personal data (what: the method, ids: the persons read, n of
 * them, all listed) for reason and purpose (either may be NULL: nil in the entry). Written at
 * once without fsync (it is
 * durable with the next commit or sync), outside any transaction: the read audit is this
 * server's access log and is not part of the change record. Concurrent reads' entries are
 * written in groups: one caller writes the entries queued meanwhile in one batch, and each
 * caller returns once its own entry is written (or with the group's error: then none of the
 * group is). Takes only the audit locks, never the writer lock, so it may run on the event
 * loop. Returns 0 or a negative knoop_err_t.
 */
int store_audit_read(store_t *s, const char *user, const char *reason, const char *purpose,
                     const char *what, const uint64_t *ids, size_t n, knoop_error_t *err);

/* Read entries written since the store opened, and the batches they took (store_audit_read's
 * groups: entries / writes is the average group). */
typedef struct {
    uint64_t read_entries, read_writes;
} store_audit_stats_t;
void store_audit_stats(store_t *s, store_audit_stats_t *out);

/*
 * Erasure: replaces every history entry of id (through t's view, t's own entries included) by
 * {seq, ts, actor, reason: nil, op, id, before: nil, after: nil, erased: true, orig}, where orig
 * is the SHA-256 of the entry as it was (so the audit chain still verifies). *count gets how
 * many. KNOOP_ENOMEM (t must then be aborted).
 */
int store_txn_erase_history(store_txn_t *t, uint64_t id, size_t *count, knoop_error_t *err);

/*
 * After an erasure has committed: makes the removed values leave the files (kv_purge) for the
 * node, edge, adjacency and history keys of the n ids and the whole index family. Thread: any;
 * blocks for a flush and compactions; do not hold a transaction.
 */
int store_purge(store_t *s, const uint64_t *ids, size_t n, knoop_error_t *err);

/* Calls cb for each audit entry from number from_no on (the map only, valid during the call);
 * cb returns nonzero to stop. Reads through v. */
typedef int (*store_audit_cb)(void *arg, uint64_t no, const void *entry, size_t len);
int store_audit_scan(store_t *s, const store_view_t *v, uint64_t from_no, store_audit_cb cb,
                     void *arg, knoop_error_t *err);

typedef struct {
    bool ok;
    uint64_t entries;   /* entries walked */
    uint64_t first_bad; /* the number of the first entry that fails (0 = none) */
    char problem[160];  /* what failed there */
} store_audit_result_t;

/*
 * Walks the audit chain through v: each entry's number follows the last, its hash matches
 * SHA-256(previous hash || map), a change entry's payload matches its history entries, and the
 * last entry is the recorded head. Fills out; returns 0 (also when the chain is broken: see
 * out->ok) or a negative knoop_err_t when the walk itself fails.
 */
int store_audit_verify(store_t *s, const store_view_t *v, store_audit_result_t *out,
                       knoop_error_t *err);

/*
 * Tombstones of erased persons (store_int.h): each external key of a person that privacy.erase
 * removed is kept only as a keyed hash, BLAKE2b-256 (crypto_generichash) under a secret of this
 * store (meta "tomb_secret", 32 random bytes made by the first erasure), in meta "tomb/" hash[32].
 * value is the key's string value (the same for every key property, like the 'k' index).
 *
 * store_txn_tomb_add records value in t (making the secret when the store has none);
 * store_txn_tomb_remove drops its tombstone (none: a no-op). KNOOP_ENOMEM (t must then be
 * aborted) or a storage error. store_tomb_find sets *found, reading through v.
 */
#define STORE_META_TOMB_SECRET "tomb_secret"
#define STORE_TOMB_PREFIX      "tomb/"
#define STORE_TOMB_KEY_LEN     (5 + STORE_HASH_BYTES)
int store_txn_tomb_add(store_txn_t *t, const char *value, size_t vlen, knoop_error_t *err);
int store_txn_tomb_remove(store_txn_t *t, const char *value, size_t vlen, knoop_error_t *err);
int store_tomb_find(store_t *s, const store_view_t *v, const char *value, size_t vlen, bool *found,
                    knoop_error_t *err);

/* Index key prefixes in the idx column family (store_int.h). */
#define STORE_IDX_NAME     'n'
#define STORE_IDX_KEY      'k'
#define STORE_IDX_TYPE     't'
#define STORE_IDX_BEHALF   'b'
#define STORE_IDX_POSTCODE 'p'
#define STORE_IDX_PLACE    'w'
#define STORE_IDX_PLACE_OF 'W'

/* The postcode table: key 'p' pc4[4]. Encodes into buf (STORE_POSTCODE_KEY_LEN bytes). */
#define STORE_POSTCODE_KEY_LEN 5
size_t store_key_postcode(unsigned char *buf, const char pc4[4]);

/* Woonplaatsen by BAG code: key 'w' code:u32 (STORE_PLACE_KEY_LEN bytes). */
#define STORE_PLACE_KEY_LEN 5
size_t store_key_place(unsigned char *buf, uint32_t code);

/*
 * The places of a gemeente: key 'W' gemeente 0x00 code:u32 (buf: glen + 6 bytes). With
 * want_code false, only the prefix 'W' gemeente 0x00 (for a scan of one gemeente's places).
 */
size_t store_key_place_of(unsigned char *buf, const char *gemeente, size_t glen, uint32_t code,
                          bool want_code);

/*
 * The history id of an entry of an auxiliary table (not a node or an edge): the postcode table
 * (table 'p', code = the PC4 number) and woonplaatsen (table 'w', code = the BAG code). These ids
 * have the top bit set, so they never meet an allocated node or edge id.
 */
#define STORE_HIST_ID_AUX (UINT64_C(1) << 63)
uint64_t store_hist_id(char table, uint32_t code);

/*
 * Key encoders for the other layouts of store_int.h, so that no layer above builds a key by hand.
 * Each writes into buf (the size stated) and returns the key's length.
 */
/* A node or edge record key: id:u64 (STORE_ID_KEY_LEN bytes). */
#define STORE_ID_KEY_LEN 8
size_t store_key_id(unsigned char *buf, uint64_t id);

/* A name index entry: 'n' norm[nlen] 0x00 id:u64 (buf: nlen + 10 bytes). */
size_t store_key_idx_name(unsigned char *buf, const char *norm, size_t nlen, uint64_t id);

/* A unique external key entry: 'k' value[vlen] (buf: vlen + 1 bytes). */
size_t store_key_idx_ext(unsigned char *buf, const char *value, size_t vlen);

/* A kind/type listing entry: 't' kind:u8 type[tlen] 0x00 id:u64 (buf: tlen + 11 bytes). */
size_t store_key_idx_type(unsigned char *buf, uint8_t kind, const char *type, size_t tlen,
                          uint64_t id);

/* An on-behalf-of entry: 'b' base:u64 dep:u64 (STORE_BEHALF_KEY_LEN bytes). */
#define STORE_BEHALF_KEY_LEN 17
size_t store_key_idx_behalf(unsigned char *buf, uint64_t base, uint64_t dep);

/* A history entry key: id:u64 seq:u64 n:u32 (STORE_HIST_KEY_LEN bytes). */
#define STORE_HIST_KEY_LEN 20
size_t store_key_hist(unsigned char *buf, uint64_t id, uint64_t seq, uint32_t n);

/* Decodes a history entry key. Returns false when klen is not STORE_HIST_KEY_LEN. */
bool store_key_hist_decode(const unsigned char *key, size_t klen, uint64_t *id, uint64_t *seq,
                           uint32_t *n);

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
