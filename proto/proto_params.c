/*
 * proto_params.c - checking a method's named parameters against its spec, and looking them up
 * (layer: proto).
 *
 * Redis checks only a command's arity at dispatch; Knoop's command table gives each method a
 * spec of named, typed parameters, and dispatch runs proto_params_check() before a handler, so
 * handlers read parameters with the lookup helpers and never see a wrong type.
 */
#include "proto.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Bytes of bad input quoted in a message (redis src/networking.c caps its repr at 64). */
#define PARAMS_QUOTE_CAP 64

/* Room for knoop_repr of PARAMS_QUOTE_CAP bytes: each may grow to \xNN, plus quotes and "...". */
#define PARAMS_QUOTE_BUF (4 * PARAMS_QUOTE_CAP + 16)

const char *proto_type_name(const msgpack_object *o)
{
    if (o == NULL)
        return "nothing";
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        return "nil";
    case MSGPACK_OBJECT_BOOLEAN:
        return "boolean";
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        return "unsigned integer";
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        return "negative integer";
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        return "float";
    case MSGPACK_OBJECT_STR:
        return "string";
    case MSGPACK_OBJECT_BIN:
        return "binary";
    case MSGPACK_OBJECT_EXT:
        return "extension";
    case MSGPACK_OBJECT_ARRAY:
        return "array";
    case MSGPACK_OBJECT_MAP:
        return "map";
    default:
        return "unknown type";
    }
}

static const char *params_expected(proto_ptype_t t)
{
    switch (t) {
    case PROTO_T_U64:
        return "unsigned integer";
    case PROTO_T_I64:
        return "integer";
    case PROTO_T_STR:
        return "string";
    case PROTO_T_BOOL:
        return "boolean";
    case PROTO_T_MAP:
        return "map";
    case PROTO_T_ARRAY:
        return "array";
    case PROTO_T_DATE:
        return "YYYY-MM-DD";
    case PROTO_T_STR_OR_U64:
        return "string or unsigned integer";
    default:
        return "any value";
    }
}

/* Describes a value for "got ...": its type, and for scalars its value, strings quoted. */
static const char *params_describe(const msgpack_object *o, char *buf, size_t size)
{
    char q[PARAMS_QUOTE_BUF];

    switch (o->type) {
    case MSGPACK_OBJECT_STR:
        snprintf(buf, size, "string %s",
                 knoop_repr(q, sizeof(q), o->via.str.ptr, o->via.str.size, PARAMS_QUOTE_CAP));
        break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        snprintf(buf, size, "unsigned integer %" PRIu64, o->via.u64);
        break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        snprintf(buf, size, "negative integer %" PRId64, o->via.i64);
        break;
    case MSGPACK_OBJECT_BOOLEAN:
        snprintf(buf, size, "boolean %s", o->via.boolean ? "true" : "false");
        break;
    default:
        snprintf(buf, size, "%s", proto_type_name(o));
        break;
    }
    return buf;
}

static bool params_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool params_date_shaped(const char *s, size_t n)
{
    size_t i;

    if (n != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (i = 0; i < n; i++)
        if (i != 4 && i != 7 && !params_is_digit(s[i]))
            return false;
    return true;
}

/* Checks one present, non-nil value. */
static int params_check_value(const msgpack_object *v, const proto_param_spec_t *p,
                              knoop_error_t *err)
{
    char d[PARAMS_QUOTE_BUF + 32];
    bool ok;

    switch (p->type) {
    case PROTO_T_ANY:
        ok = true;
        break;
    case PROTO_T_U64:
        ok = v->type == MSGPACK_OBJECT_POSITIVE_INTEGER;
        break;
    case PROTO_T_I64:
        if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 > INT64_MAX)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "params.%s: %" PRIu64 " is out of range for a signed integer",
                                   p->name, v->via.u64);
        ok = v->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
             v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER;
        break;
    case PROTO_T_STR:
        ok = v->type == MSGPACK_OBJECT_STR;
        break;
    case PROTO_T_BOOL:
        ok = v->type == MSGPACK_OBJECT_BOOLEAN;
        break;
    case PROTO_T_MAP:
        ok = v->type == MSGPACK_OBJECT_MAP;
        break;
    case PROTO_T_ARRAY:
        ok = v->type == MSGPACK_OBJECT_ARRAY;
        break;
    case PROTO_T_DATE:
        ok = v->type == MSGPACK_OBJECT_STR && params_date_shaped(v->via.str.ptr, v->via.str.size);
        if (!ok && v->type == MSGPACK_OBJECT_STR) {
            /* The style's own example: "params.valid_from: expected YYYY-MM-DD, got '...'". */
            char q[PARAMS_QUOTE_BUF];
            return knoop_error_set(
                err, KNOOP_EINVAL, "params.%s: expected YYYY-MM-DD, got %s", p->name,
                knoop_repr(q, sizeof(q), v->via.str.ptr, v->via.str.size, PARAMS_QUOTE_CAP));
        }
        break;
    case PROTO_T_STR_OR_U64:
        ok = v->type == MSGPACK_OBJECT_STR || v->type == MSGPACK_OBJECT_POSITIVE_INTEGER;
        break;
    default:
        /* A spec with an unknown type is a programming error in the command table. */
        if (KNOOP_NEVER(1))
            return knoop_error_set(err, KNOOP_EINTERNAL, "params.%s: unknown parameter type %d",
                                   p->name, (int)p->type);
        ok = false;
    }
    if (ok)
        return 0;
    return knoop_error_set(err, KNOOP_EINVAL, "params.%s: expected %s, got %s", p->name,
                           params_expected(p->type), params_describe(v, d, sizeof(d)));
}

/* The spec entry named k, or NULL. */
static const proto_param_spec_t *params_find_spec(const proto_param_spec_t *spec, const char *k,
                                                  size_t n)
{
    for (; spec->name != NULL; spec++)
        if (strlen(spec->name) == n && memcmp(spec->name, k, n) == 0)
            return spec;
    return NULL;
}

static bool params_key_eq(const msgpack_object *k, const char *name, size_t n)
{
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
           memcmp(k->via.str.ptr, name, n) == 0;
}

int proto_params_check(const msgpack_object *map, const proto_param_spec_t *spec,
                       knoop_error_t *err)
{
    return proto_params_check_with(map, spec, NULL, err);
}

int proto_params_check_with(const msgpack_object *map, const proto_param_spec_t *spec,
                            const proto_param_spec_t *common, knoop_error_t *err)
{
    const msgpack_object_kv *kv;
    const proto_param_spec_t *p;
    uint32_t n, i, j;
    char q[PARAMS_QUOTE_BUF];
    int rc;

    if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
        return knoop_error_set(err, KNOOP_EINVAL, "params: expected map, got %s",
                               proto_type_name(map));
    kv = map->via.map.ptr;
    n = map->via.map.size;

    for (i = 0; i < n; i++) {
        const msgpack_object *k = &kv[i].key;

        if (k->type != MSGPACK_OBJECT_STR)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "params: parameter names must be strings, got %s",
                                   proto_type_name(k));
        p = params_find_spec(spec, k->via.str.ptr, k->via.str.size);
        if (p == NULL && common != NULL)
            p = params_find_spec(common, k->via.str.ptr, k->via.str.size);
        if (p == NULL)
            return knoop_error_set(
                err, KNOOP_EINVAL, "params: unknown parameter %s",
                knoop_repr(q, sizeof(q), k->via.str.ptr, k->via.str.size, PARAMS_QUOTE_CAP));
        /* Every earlier key is a distinct known name, so this loop is bounded by the spec. */
        for (j = 0; j < i; j++)
            if (params_key_eq(&kv[j].key, k->via.str.ptr, k->via.str.size))
                return knoop_error_set(err, KNOOP_EINVAL, "params: duplicate parameter '%s'",
                                       p->name);
        if (kv[i].val.type == MSGPACK_OBJECT_NIL)
            continue;
        rc = params_check_value(&kv[i].val, p, err);
        if (rc != 0)
            return rc;
    }

    for (p = spec; p->name != NULL; p++)
        if (p->required && proto_param(map, p->name) == NULL)
            return knoop_error_set(err, KNOOP_EINVAL, "params.%s: required", p->name);
    return 0;
}

const msgpack_object *proto_param(const msgpack_object *map, const char *name)
{
    size_t n = strlen(name);
    uint32_t i;

    if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (i = 0; i < map->via.map.size; i++) {
        const msgpack_object_kv *kv = &map->via.map.ptr[i];
        if (params_key_eq(&kv->key, name, n))
            return kv->val.type == MSGPACK_OBJECT_NIL ? NULL : &kv->val;
    }
    return NULL;
}

bool proto_param_u64(const msgpack_object *map, const char *name, uint64_t *out)
{
    const msgpack_object *v = proto_param(map, name);

    if (v == NULL || v->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return false;
    *out = v->via.u64;
    return true;
}

bool proto_param_str(const msgpack_object *map, const char *name, const char **s, size_t *len)
{
    const msgpack_object *v = proto_param(map, name);

    if (v == NULL || v->type != MSGPACK_OBJECT_STR)
        return false;
    *s = v->via.str.ptr;
    *len = v->via.str.size;
    return true;
}

bool proto_param_bool(const msgpack_object *map, const char *name, bool *out)
{
    const msgpack_object *v = proto_param(map, name);

    if (v == NULL || v->type != MSGPACK_OBJECT_BOOLEAN)
        return false;
    *out = v->via.boolean;
    return true;
}

/* FNV-1a over a key's bytes. */
static uint64_t proto__hash(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

int proto_map_find_dup(const msgpack_object *map, uint32_t *dup)
{
    uint32_t n = map->via.map.size, cap = 8, *slots;
    int found = 0;
    if (map->type != MSGPACK_OBJECT_MAP || n < 2)
        return 0;
    while (cap < 2u * n)
        cap *= 2;
    /* Slots hold index + 1 of a key (0 = empty); open addressing, linear probing. */
    slots = knoop_calloc(cap, sizeof(*slots));
    if (slots == NULL)
        return KNOOP_ENOMEM;
    for (uint32_t i = 0; i < n && !found; i++) {
        const msgpack_object *k = &map->via.map.ptr[i].key;
        uint32_t h;
        if (k->type != MSGPACK_OBJECT_STR)
            continue;
        h = (uint32_t)proto__hash(k->via.str.ptr, k->via.str.size) & (cap - 1);
        for (;; h = (h + 1) & (cap - 1)) {
            const msgpack_object *o;
            if (slots[h] == 0) {
                slots[h] = i + 1;
                break;
            }
            o = &map->via.map.ptr[slots[h] - 1].key;
            if (o->via.str.size == k->via.str.size &&
                memcmp(o->via.str.ptr, k->via.str.ptr, k->via.str.size) == 0) {
                *dup = i;
                found = 1;
                break;
            }
        }
    }
    knoop_free(slots);
    return found;
}
