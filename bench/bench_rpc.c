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
