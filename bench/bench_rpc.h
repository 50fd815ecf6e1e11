/*
 * bench_rpc.h - small MessagePack and call helpers shared by the benchmarks that talk to knoopd
 * through libknoop (bench_path, bench_asof, bench_queries).
 */
#ifndef BENCH_RPC_H
#define BENCH_RPC_H

#include <msgpack.h>

#include "knoop.h"

/* Packs the C string s as a MessagePack string. */
void bench_pk_str(msgpack_packer *pk, const char *s);

/* The value of string key k in map o; NULL when o is not a map or has no such key. */
const msgpack_object *bench_mp_get(const msgpack_object *o, const char *k);

/* Calls method on c with the packed params in sb; on failure prints "prog: method: error" and
 * exits 1. The result is the caller's (knoop_result_free). */
knoop_result_t *bench_call(knoop_conn_t *c, const char *prog, const char *method,
                           const msgpack_sbuffer *sb);

/* Packs the head of one op of a `batch`: {method: method, params: a map of nparams entries},
 * the entries to follow. */
void bench_op_head(msgpack_packer *pk, const char *method, uint32_t nparams);

/* Packs one op node.create of a person {key, initials "B.", surname}. */
void bench_op_person(msgpack_packer *pk, const char *key, const char *surname);

/* Sends the n ops packed in ops as one `batch` (as bench_call: exits on failure) and clears
 * ops; with ids, ids[i] gets the id of op i's result (a node or edge id, or the klantcontact's
 * of contact.register), 0 when it has none. */
void bench_batch(knoop_conn_t *c, const char *prog, msgpack_sbuffer *ops, size_t n, uint64_t *ids);

#endif
