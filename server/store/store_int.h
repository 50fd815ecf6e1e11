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
 * meta "seq" equals the highest seq in history.
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include "store.h"

#define STORE_FORMAT 1

/* The names of the meta keys (STORE_META_*) are in store.h: the checker reads them. */

#endif
