/*
 * store_int.h - the storage layout of Knoop, byte by byte (layer: store, internal).
 *
 * All integers in keys are fixed-width big-endian so that byte order is numeric order and a
 * prefix scan returns entries sorted. Signed values in keys (dates) are biased by 2^31 so that
 * negative dates sort first. Ids (u64) are allocated from one sequence shared by nodes and
 * edges, starting at 1; 0 means "none".
 *
 * Column family "node":  key  id:u64                       (8 bytes)
 *                        value node record (below)
 * Column family "edge":  key  id:u64                       (8 bytes)
 *                        value edge record (below)
 * Column family "adj":   key  node:u64 dir:u8 tlen:u8 type[tlen] other:u64 edge:u64
 *                        value from:u32 to:u32 (biased dates; to = 0xffffffff when open)
 *     dir is 'o' (edge leaves node) or 'i' (edge enters node). Both ends of every edge have an
 *     entry, so a traversal filters on valid time without reading edge records.
 * Column family "idx":
 *     'n' norm_name 0x00 id:u64 -> ""        name index (schema_name_normalise of "name")
 *     'k' value                 -> id:u64    unique external keys (values of key properties)
 *     't' kind:u8 type 0x00 id:u64 -> ""     kind/type listing
 *     'b' base:u64 dep:u64      -> ""        edges held on behalf of edge `base`
 *     'p' pc4[4]                -> msgpack {place, gemeente?}   the PC4 postcode table
 *     'w' code:u32              -> msgpack {code, name, gemeente, valid_from, valid_to}
 *                                          woonplaatsen by BAG woonplaatscode
 *     'W' gemeente 0x00 code:u32 -> msgpack {code, name, gemeente, valid_from, valid_to}
 *                                          the woonplaatsen of a gemeente (CBS code "GM0034"),
 *                                          each with its period at that gemeente, so that a
 *                                          place that moved (places.sync, gemeente.merge) is
 *                                          still found at its former gemeente before the move.
 *                                          An empty value (stores written before) means: the
 *                                          'w' record, when it names this gemeente.
 * Column family "hist":  key  id:u64 seq:u64 n:u32
 *                        value msgpack map {seq, ts, actor, reason, op, id, before, after}
 *     One entry per change of an entity; seq is the commit sequence number, so all entries of
 *     one atomic change share it, and n orders the entries of one transaction (an entity
 *     created and then updated in one batch has two). before/after are the entity as the API shows
 * it (a map) or nil. Entities are nodes and edges (their ids), the schema registry (id 0), and
 * the entries of the auxiliary tables: id = 2^63 | table:u8 << 32 | code:u32 (store_hist_id),
 * table 'p' with the PC4 number as code, 'w' with the woonplaatscode, 'u' with the user number
 * (entries {name, role}: never a password or token hash), and 'r' code 1: the runs of
 * privacy.retention (op "retention", after {kind, older_than_days, cutoff, dry_run, ids}).
 * Column family "meta":  "next_id" -> u64, "seq" -> u64 (last commit sequence),
 *                        "format" -> u32 (layout version, STORE_FORMAT)
 *     "schema/field/...", "schema/list/...", "schema/role/..." -> the schema (cmd_domain.c)
 *     "user/" name        -> msgpack {name, role, no:u32, created, pw: Argon2id string | nil}
 *     "users_next"        -> u32, the next user number (history id store_hist_id('u', no))
 *     "token/" hex64      -> msgpack {user, id, label, created}; hex64 is the SHA-256 of the
 *                            API token (the token itself is never stored) (cmd_user.c)
 *     "audit/" no:u64     -> the audit chain (store.h): msgpack map {no, ts, user, kind, reason,
 *                            ...} followed by hash[32] = SHA-256(previous entry's hash || map);
 *                            kind "change": + seq, ids:[u64], payload:bin32 (SHA-256 over the
 *                            SHA-256 of each of the commit's history entries, in order);
 *                            kind "read": + purpose (str|nil), what (the method), ids (the
 *                            persons and klantcontacten read, all of them: the answer that
 *                            carried them was larger, so the entry is bounded by it)
 *     "audit_head"        -> no:u64 hash[32], the last entry (entries removed at the end show)
 *     "tomb_secret"       -> 32 random bytes, the key of the tombstones' keyed hash (made by
 *                            the first privacy.erase; never leaves the store)
 *     "tomb/" hash[32]    -> "" (empty): an external key of an erased person, as
 *                            crypto_generichash(32, value, key = tomb_secret) (BLAKE2b); a
 *                            node.create / node.put / node.update with that key is a conflict
 *                            unless it passes override (store_tomb_find, cmd_privacy.c)
 *     An erased history entry (store_txn_erase_history) is {seq, ts, actor, reason: nil, op,
 *     id, before: nil, after: nil, erased: true, orig: bin32 (SHA-256 of the entry as it was)}.
 *
 * Column family "ver": recorded time (store_ver.c), every key written in the same batch as the
 * change it records:
 *     cf:u8 esc(key) 0x00 0x01 seq:u64 -> 'a'           the key did not exist before commit seq
 *                                      -> 'p' value     the key had value before commit seq
 *         One entry per key of node, edge, adj and idx that commit seq put or deleted (several
 *         writes of a key in one commit: one entry, the value before the commit). esc doubles
 *         nothing but 0x00, written 0x00 0xff, and 0x00 0x01 ends the key, so that the encoding
 *         keeps key order and no key's entries fall between another key's: the entries of a key
 *         are adjacent, ordered by seq. The key's value as recorded right after commit S is the
 *         value of its first entry with seq > S, or its current value when it has none: one seek.
 *     0xff ts:i64 seq:u64 -> ""                        the commit-time index: commit seq at
 *         ts (ms since the epoch; commit times never go back, store_txn_begin), so that a
 *         known_at timestamp T maps to "right after the last commit with ts <= T" by one seek
 *         to the first entry with ts > T.
 *     hist, meta and the ver family itself have no versions: recorded-time views read them as
 *     they are now. An erasure (store_txn_erase_history) deletes the entries of the erased ids'
 *     keys (store_ver.c ver__forget) and the purge compacts the whole family.
 *
 * Node record:  fmt:u8(=1) kind:u8 version:u64 created_ms:i64 updated_ms:i64 tlen:u16 type[tlen]
 *               props (msgpack map, the rest of the value)
 * Edge record:  fmt:u8(=1) source:u64 target:u64 from:u32 to:u32 on_behalf_of:u64 version:u64
 *               created_ms:i64 updated_ms:i64 tlen:u16 type[tlen] props (msgpack map, the rest)
 *
 * Encoders (store.h): store_key_id (node, edge), store_key_adj, store_key_idx_name ('n'),
 * store_key_idx_ext ('k'), store_key_idx_type ('t'), store_key_idx_behalf ('b'),
 * store_key_postcode ('p'), store_key_place ('w'), store_key_place_of ('W'), store_key_hist
 * (with store_key_hist_decode). The consistency checker (graph_check.c) rebuilds every key it
 * expects through these, so a change of layout here is a change there.
 *
 * Invariants the checker verifies (graph_check): every edge has both adjacency entries with
 * its own dates and no adjacency entry lacks its edge; both ends of an edge are nodes; every
 * index entry of 'n', 'k', 't' and 'b' matches a record and every record has its entries;
 * every node and edge has history whose latest entry's `after` carries its id and version, and
 * the latest entry of an id without a record is a delete; meta "next_id" exceeds every id and
 * meta "seq" equals the highest seq in history; the version family decodes, holds no version
 * past meta "seq", and its commit-time index runs in commit order and ends at meta "seq"
 * (store_ver_check).
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>

#include "knoop_alloc.h"
#include "store.h"
#include "store_adjcache.h"

#define STORE_FORMAT 1

/* The state behind the opaque types of store.h, shared by store.c and store_ver.c. */
/* The tag map covers ids below STORE_TAG_CHUNKS * 2^16 (2^30). */
#define STORE_TAG_CHUNKS 16384

/* Frees the tag map's chunks (store_close). */
void store__tags_free(store_t *s);

/* A read's audit entry waiting to be written in a group (store.c, store_audit_read). */
typedef struct store__audit_wait store__audit_wait_t;

struct store {
    kv_db_t *db;
    store_options_t opts;
    pthread_mutex_t writer;
    uint64_t next_id; /* under writer */
    uint64_t seq;     /* last committed sequence, under writer */
    /* The last commit's timestamp (ms): commit times never go back. Under writer. */
    int64_t last_ts;

    pthread_mutex_t sync_mu;
    pthread_cond_t sync_cv;
    uint64_t written_seq; /* highest seq written to the WAL, under sync_mu */
    uint64_t synced_seq;  /* highest seq known durable, under sync_mu */
    bool syncing;         /* a leader is in kv_sync, under sync_mu */
    int sync_error;       /* sticky result of a failed sync, under sync_mu */

    store_change_cb change_cb; /* under writer */
    void *change_arg;

    /* The head of the audit chain (store_int.h): taken after `writer` when both are held. */
    pthread_mutex_t audit_mu;
    uint64_t audit_no;                          /* entries so far, under audit_mu */
    unsigned char audit_hash[STORE_HASH_BYTES]; /* the last entry's hash, under audit_mu */
    /* Read entries waiting to be written in a group (store_audit_read): a leader takes the queue
     * and writes it under audit_mu. audit_q_mu is never held while audit_mu is taken. */
    pthread_mutex_t audit_q_mu;
    pthread_cond_t audit_q_cv;                              /* a group was written */
    store__audit_wait_t *audit_q, **audit_q_tail;           /* under audit_q_mu */
    bool audit_leading;                                     /* a read is writing a group */
    _Atomic uint64_t audit_read_entries, audit_read_writes; /* store_audit_stats */

    store_adjcache_t *adjcache; /* NULL: none (store_adjcache.c) */

    /* The tag map (store_tag.c): chunks of 2^16 one-byte tags, made on first use. */
    _Atomic(uint8_t *) tags[STORE_TAG_CHUNKS];
};

struct store_view {
    store_t *s;
    kv_snapshot_t *snap; /* a snapshot view */
    store_txn_t *txn;    /* a transaction's view */
    uint64_t seq;        /* a snapshot view: the last commit published before it was taken */
    /*
     * A recorded-time view (store_snapshot_known_at): the store as it was right after commit
     * asof_seq, rebuilt from snap through the version family (store_ver.c).
     */
    bool versioned;
    uint64_t asof_seq;
    /*
     * Its iterator over the version family for point reads (store__ver_get), made on first use
     * and freed with the view. point_holder points at point (a view is passed as const, and a
     * recorded-time view is used by one thread at a time, like the request that owns it).
     */
    kv_iter_t *point;
    kv_iter_t **point_holder;
};

struct store_txn {
    store_t *s;
    store_view_t view;
    uint32_t hist_n; /* history entries so far: orders several entries of one id in one txn */
    kv_batch_t *batch;
    knoop_buf_t ops; /* the change record's ops, packed as they are made */
    size_t nops;
    bool oom; /* a write could not be recorded: the transaction cannot commit */
    uint64_t next_id;
    uint64_t seq;
    int64_t ts;
    bool allocated;
    int64_t deadline_ms;
    char actor[128];
    char reason[256];
    bool has_reason;
    /* The audit entry of this change: the hash over its history entries' hashes, the ids. */
    knoop_buf_t hist_hashes; /* the SHA-256 of each history entry, in order */
    knoop_buf_t audit_ids;   /* u64 ids, big-endian, consecutive duplicates folded */
    uint64_t last_hist_id;
    knoop_buf_t adj_nodes; /* u64 (native) nodes whose adjacency this change writes */
    /* Keys put or deleted in the versioned families: cf:u8 klen:u32 key, in order (store_ver.c
     * writes each one's version entry at commit). */
    knoop_buf_t touched;
    /* Ids whose history this transaction erases: their version entries go too (store_ver.c). */
    knoop_buf_t forget; /* u64 ids, native order */
};

/* The names of the meta keys (STORE_META_*) are in store.h: the checker reads them. */

/* ---- recorded time (store_ver.c) ---- */

/* Whether the puts and deletes of cf get version entries. */
bool store__ver_family(kv_cf_t cf);

/*
 * Adds the version entries of t to t (one per distinct key it touched, with the value the key had
 * before t, read from the latest committed state), the commit-time index entry, and, when t
 * erases history, the deletion of the erased ids' version entries. Called by store_txn_commit
 * under the writer lock. KNOOP_ENOMEM or a storage error (t must then be aborted).
 */
int store__ver_commit(store_txn_t *t, knoop_error_t *err);

/*
 * As store_txn_put / store_txn_delete (in the change record too), for writes t never reads back:
 * they skip the batch's index (kv_batch_put_unindexed). The version entries use them.
 */
int store__txn_put_unindexed(store_txn_t *t, kv_cf_t cf, const void *key, size_t klen,
                             const void *val, size_t vlen);
int store__txn_delete_unindexed(store_txn_t *t, kv_cf_t cf, const void *key, size_t klen);

/* Notes that t erases the history of id, so that its version entries go at commit too. */
int store__ver_forget_id(store_txn_t *t, uint64_t id);

/* The last commit timestamp recorded in the commit-time index (0 when none). */
int store__ver_last_ts(store_t *s, int64_t *out, knoop_error_t *err);

/* Reads key as recorded at v->asof_seq (v versioned). Results as store_get. */
int store__ver_get(store_t *s, const store_view_t *v, kv_cf_t cf, const void *key, size_t klen,
                   void **val, size_t *vlen, knoop_error_t *err);

#endif
