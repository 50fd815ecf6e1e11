/*
 * bench_rpc.h - small MessagePack and call helpers shared by the benchmarks that talk to knoopd
 * through libknoop (bench_path, bench_asof).
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

#endif
