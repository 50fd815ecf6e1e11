/*
 * knoop_json.c - JSON <-> MessagePack conversion for knoop_call_json and the CLI (layer:
 * client, internal; see knoop_json.h).
 */
#include "knoop_json.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes the base64 encoding of p[0..n) into a new JSON string. */
static json_t *json_base64(const char *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t olen = (n + 2) / 3 * 4;
    char *buf = malloc(olen + 1);
    size_t i, o = 0;
    json_t *j;

    if (buf == NULL)
        return NULL;
    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = ((uint32_t)(unsigned char)p[i] << 16) |
                     ((uint32_t)(unsigned char)p[i + 1] << 8) | (unsigned char)p[i + 2];
        buf[o++] = tab[(v >> 18) & 63];
        buf[o++] = tab[(v >> 12) & 63];
        buf[o++] = tab[(v >> 6) & 63];
        buf[o++] = tab[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)(unsigned char)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)(unsigned char)p[i + 1] << 8;
        buf[o++] = tab[(v >> 18) & 63];
        buf[o++] = tab[(v >> 12) & 63];
        buf[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        buf[o++] = '=';
    }
    buf[o] = '\0';
    j = json_stringn(buf, o);
    free(buf);
    return j;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len, k;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2, cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3, cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* A JSON string from possibly invalid UTF-8: invalid bytes become U+FFFD. */
static json_t *json_string_lossy(const char *p, size_t n)
{
    json_t *j = json_stringn(p, n);
    char *buf;
    size_t i = 0, o = 0;

    if (j != NULL)
        return j;
    /* Rare path: each bad byte grows to three. */
    buf = malloc(n * 3 + 1);
    if (buf == NULL)
        return NULL;
    while (i < n) {
        size_t l = utf8_seq((const unsigned char *)p + i, n - i);
        if (l == 0) {
            memcpy(buf + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        } else {
            memcpy(buf + o, p + i, l);
            o += l;
            i += l;
        }
    }
    j = json_stringn(buf, o);
    free(buf);
    return j;
}

static json_t *from_msgpack(const msgpack_object *o, unsigned depth);

/* The text used as an object key for a map key that is not a string. */
static char *key_text(const msgpack_object *k, unsigned depth)
{
    char num[32];
    json_t *j;
    char *s;

    if (k->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        snprintf(num, sizeof(num), "%" PRIu64, k->via.u64);
        return strdup(num);
    }
    if (k->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        snprintf(num, sizeof(num), "%" PRId64, k->via.i64);
        return strdup(num);
    }
    j = from_msgpack(k, depth + 1);
    if (j == NULL)
        return NULL;
    s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(j);
    return s;
}

static json_t *from_msgpack(const msgpack_object *o, unsigned depth)
{
    json_t *j = NULL;
    uint32_t i;

    /* Values come from a bounded unpacker, but the recursion is guarded anyway. */
    if (depth > 64)
        return json_null();
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        return json_null();
    case MSGPACK_OBJECT_BOOLEAN:
        return json_boolean(o->via.boolean);
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        if (o->via.u64 <= (uint64_t)INT64_MAX)
            return json_integer((json_int_t)o->via.u64);
        {
            char num[32];
            snprintf(num, sizeof(num), "%" PRIu64, o->via.u64);
            return json_string(num);
        }
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        return json_integer((json_int_t)o->via.i64);
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        return json_real(o->via.f64);
    case MSGPACK_OBJECT_STR:
        return json_string_lossy(o->via.str.ptr, o->via.str.size);
    case MSGPACK_OBJECT_BIN:
        return json_base64(o->via.bin.ptr, o->via.bin.size);
    case MSGPACK_OBJECT_EXT:
        return json_base64(o->via.ext.ptr, o->via.ext.size);
    case MSGPACK_OBJECT_ARRAY:
        j = json_array();
        if (j == NULL)
            return NULL;
        for (i = 0; i < o->via.array.size; i++) {
            json_t *e = from_msgpack(&o->via.array.ptr[i], depth + 1);
            if (e == NULL || json_array_append_new(j, e) != 0) {
                json_decref(j);
                return NULL;
            }
        }
        return j;
    case MSGPACK_OBJECT_MAP:
        j = json_object();
        if (j == NULL)
            return NULL;
        for (i = 0; i < o->via.map.size; i++) {
            const msgpack_object_kv *kv = &o->via.map.ptr[i];
            json_t *v = from_msgpack(&kv->val, depth + 1);
            char *key;
            int rc;

            if (v == NULL) {
                json_decref(j);
                return NULL;
            }
            if (kv->key.type == MSGPACK_OBJECT_STR) {
                json_t *ks = json_string_lossy(kv->key.via.str.ptr, kv->key.via.str.size);
                key = ks != NULL ? strdup(json_string_value(ks)) : NULL;
                json_decref(ks);
            } else {
                key = key_text(&kv->key, depth);
            }
            if (key == NULL) {
                json_decref(v);
                json_decref(j);
                return NULL;
            }
            rc = json_object_set_new(j, key, v);
            free(key);
            if (rc != 0) {
                json_decref(j);
                return NULL;
            }
        }
        return j;
    }
    return json_null();
}

int knoop__json_from_msgpack(const msgpack_object *o, json_t **out, knoop_error_t *err)
{
    *out = from_msgpack(o, 0);
    if (*out == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory converting the result to JSON");
    return 0;
}

static int pack(msgpack_packer *pk, const json_t *j)
{
    size_t i, n;
    const char *key;
    json_t *v;

    switch (json_typeof(j)) {
    case JSON_NULL:
        return msgpack_pack_nil(pk);
    case JSON_TRUE:
        return msgpack_pack_true(pk);
    case JSON_FALSE:
        return msgpack_pack_false(pk);
    case JSON_INTEGER: {
        json_int_t x = json_integer_value(j);
        if (x >= 0)
            return msgpack_pack_uint64(pk, (uint64_t)x);
        return msgpack_pack_int64(pk, (int64_t)x);
    }
    case JSON_REAL:
        return msgpack_pack_double(pk, json_real_value(j));
    case JSON_STRING:
        n = json_string_length(j);
        if (msgpack_pack_str(pk, n) != 0)
            return -1;
        return msgpack_pack_str_body(pk, json_string_value(j), n);
    case JSON_ARRAY:
        n = json_array_size(j);
        if (msgpack_pack_array(pk, n) != 0)
            return -1;
        for (i = 0; i < n; i++)
            if (pack(pk, json_array_get(j, i)) != 0)
                return -1;
        return 0;
    case JSON_OBJECT:
        if (msgpack_pack_map(pk, json_object_size(j)) != 0)
            return -1;
        json_object_foreach((json_t *)j, key, v)
        {
            size_t kl = strlen(key);
            if (msgpack_pack_str(pk, kl) != 0 || msgpack_pack_str_body(pk, key, kl) != 0 ||
                pack(pk, v) != 0)
                return -1;
        }
        return 0;
    }
    return -1;
}

int knoop__json_pack(msgpack_packer *pk, const json_t *j, knoop_error_t *err)
{
    if (pack(pk, j) != 0)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory packing JSON");
    return 0;
}

static const char *json_type_name(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    case JSON_NULL:
        return "null";
    }
    return "value";
}

int knoop__json_object_to_sbuffer(const char *text, const char *what, msgpack_sbuffer *sbuf,
                                  knoop_error_t *err)
{
    json_error_t jerr;
    msgpack_packer pk;
    json_t *j;
    int rc;

    j = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (j == NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: line %d column %d: %s", what, jerr.line,
                               jerr.column, jerr.text);
    if (!json_is_object(j)) {
        rc = knoop_error_set(err, KNOOP_EINVAL, "%s: expected a JSON object, got %s", what,
                             json_type_name(j));
        json_decref(j);
        return rc;
    }
    msgpack_packer_init(&pk, sbuf, msgpack_sbuffer_write);
    rc = knoop__json_pack(&pk, j, err);
    json_decref(j);
    return rc;
}
