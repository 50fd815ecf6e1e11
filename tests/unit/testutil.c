/*
 * testutil.c - helpers shared by the unit tests.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void tu_mkdtemp(char *buf, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    snprintf(buf, size, "%s/knoop-test-XXXXXX", tmp);
    if (mkdtemp(buf) == NULL) {
        perror("mkdtemp");
        abort();
    }
}

static int tu__rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tu_rmtree(const char *path)
{
    nftw(path, tu__rm, 16, FTW_DEPTH | FTW_PHYS);
}

void tu_obj_init(tu_obj_t *o)
{
    msgpack_unpacked_init(&o->u);
    o->buf = NULL;
    o->live = true;
}

void tu_obj_free(tu_obj_t *o)
{
    if (o->live) {
        msgpack_unpacked_destroy(&o->u);
        free(o->buf);
    }
    o->buf = NULL;
    o->live = false;
}

const msgpack_object *tu_unpack(tu_obj_t *o, const void *data, size_t len)
{
    size_t off = 0;
    tu_obj_free(o);
    tu_obj_init(o);
    o->buf = malloc(len ? len : 1);
    if (o->buf == NULL)
        abort();
    if (len > 0)
        memcpy(o->buf, data, len);
    if (msgpack_unpack_next(&o->u, o->buf, len, &off) != MSGPACK_UNPACK_SUCCESS) {
        fprintf(stderr, "tu_unpack: %zu bytes are not one msgpack value\n", len);
        abort();
    }
    return &o->u.data;
}

const msgpack_object *tu_from_sbuf(tu_obj_t *o, const msgpack_sbuffer *sb)
{
    return tu_unpack(o, sb->data, sb->size);
}

static void tu__pack_str(msgpack_packer *pk, const char *s)
{
    if (s == NULL) {
        msgpack_pack_nil(pk);
        return;
    }
    msgpack_pack_str(pk, strlen(s));
    msgpack_pack_str_body(pk, s, strlen(s));
}

const msgpack_object *tu_map_str(tu_obj_t *o, ...)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    va_list ap;
    size_t n = 0;
    const msgpack_object *res;

    va_start(ap, o);
    while (va_arg(ap, const char *) != NULL) {
        (void)va_arg(ap, const char *);
        n++;
    }
    va_end(ap);

    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, (uint32_t)n);
    va_start(ap, o);
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (k == NULL)
            break;
        tu__pack_str(&pk, k);
        tu__pack_str(&pk, va_arg(ap, const char *));
    }
    va_end(ap);
    res = tu_from_sbuf(o, &sb);
    msgpack_sbuffer_destroy(&sb);
    return res;
}

const msgpack_object *tu_array_str(tu_obj_t *o, ...)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    va_list ap;
    size_t n = 0;
    const msgpack_object *res;

    va_start(ap, o);
    while (va_arg(ap, const char *) != NULL)
        n++;
    va_end(ap);

    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, n);
    va_start(ap, o);
    for (;;) {
        const char *s = va_arg(ap, const char *);
        if (s == NULL)
            break;
        tu__pack_str(&pk, s);
    }
    va_end(ap);
    res = tu_from_sbuf(o, &sb);
    msgpack_sbuffer_destroy(&sb);
    return res;
}

const msgpack_object *tu_map_get(const msgpack_object *map, const char *key)
{
    size_t klen = strlen(key);
    if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *k = &map->via.map.ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == klen &&
            memcmp(k->via.str.ptr, key, klen) == 0)
            return &map->via.map.ptr[i].val;
    }
    return NULL;
}

bool tu_str_eq(const msgpack_object *o, const char *s)
{
    size_t n = strlen(s);
    return o != NULL && o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
           memcmp(o->via.str.ptr, s, n) == 0;
}

bool tu_uint_eq(const msgpack_object *o, unsigned long long v)
{
    return o != NULL && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 == v;
}
