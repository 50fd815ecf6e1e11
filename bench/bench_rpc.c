/*
 * bench_rpc.c - see bench_rpc.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_rpc.h"

void bench_pk_str(msgpack_packer *pk, const char *s)
{
    msgpack_pack_str_with_body(pk, s, strlen(s));
}

const msgpack_object *bench_mp_get(const msgpack_object *o, const char *k)
{
    if (o == NULL || o->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < o->via.map.size; i++) {
        const msgpack_object *key = &o->via.map.ptr[i].key;
        if (key->type == MSGPACK_OBJECT_STR && key->via.str.size == strlen(k) &&
            memcmp(key->via.str.ptr, k, key->via.str.size) == 0)
            return &o->via.map.ptr[i].val;
    }
    return NULL;
}

knoop_result_t *bench_call(knoop_conn_t *c, const char *prog, const char *method,
                           const msgpack_sbuffer *sb)
{
    knoop_result_t *r = NULL;
    knoop_error_t err;
    if (knoop_call(c, method, sb->data, sb->size, &r, &err) != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, method, err.msg);
        exit(1);
    }
    return r;
}

void bench_op_head(msgpack_packer *pk, const char *method, uint32_t nparams)
{
    msgpack_pack_map(pk, 2);
    bench_pk_str(pk, "method");
    bench_pk_str(pk, method);
    bench_pk_str(pk, "params");
    msgpack_pack_map(pk, nparams);
}

void bench_op_person(msgpack_packer *pk, const char *key, const char *surname)
{
    bench_op_head(pk, "node.create", 2);
    bench_pk_str(pk, "kind");
    bench_pk_str(pk, "person");
    bench_pk_str(pk, "props");
    msgpack_pack_map(pk, 3);
    bench_pk_str(pk, "key");
    bench_pk_str(pk, key);
    bench_pk_str(pk, "initials");
    bench_pk_str(pk, "B.");
    bench_pk_str(pk, "surname");
    bench_pk_str(pk, surname);
}

void bench_batch(knoop_conn_t *c, const char *prog, msgpack_sbuffer *ops, size_t n, uint64_t *ids)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 1);
    bench_pk_str(&pk, "ops");
    msgpack_pack_array(&pk, (uint32_t)n);
    msgpack_sbuffer_write(&sb, ops->data, ops->size);
    knoop_result_t *r = bench_call(c, prog, "batch", &sb);
    const msgpack_object *res = bench_mp_get(knoop_result_value(r), "results");
    for (uint32_t i = 0; ids != NULL && res != NULL && i < res->via.array.size; i++) {
        const msgpack_object *id = bench_mp_get(&res->via.array.ptr[i], "id");
        const msgpack_object *kc = bench_mp_get(&res->via.array.ptr[i], "klantcontact");
        if (id == NULL && kc != NULL)
            id = bench_mp_get(kc, "id");
        ids[i] = id != NULL ? id->via.u64 : 0;
    }
    knoop_result_free(r);
    msgpack_sbuffer_destroy(&sb);
    msgpack_sbuffer_clear(ops);
}
