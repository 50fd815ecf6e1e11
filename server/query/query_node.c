/*
 * query_node.c - what every query shares: the deadline, a node's name and key, and packing a
 * node as results show it (layer: query).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "proto.h"
#include "query.h"

int query_check_deadline(const query_ctx_t *q, knoop_error_t *err)
{
    struct timespec ts;
    int64_t now;
    if (q->yield_ns != 0) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        if ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec > q->yield_ns)
            return knoop_error_set(err, KNOOP_ELONG, "too long for the event loop");
    }
    if (q->deadline_ms == 0)
        return KNOOP_OK;
    clock_gettime(CLOCK_REALTIME, &ts);
    now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    if (now > q->deadline_ms)
        return knoop_error_set(err, KNOOP_EUNAVAIL,
                               "request took longer than the server's time per request");
    return KNOOP_OK;
}

void query_pack_str(msgpack_packer *pk, const char *s)
{
    if (s == NULL) {
        msgpack_pack_nil(pk);
        return;
    }
    msgpack_pack_str(pk, strlen(s));
    msgpack_pack_str_body(pk, s, strlen(s));
}

/* Copies string prop k of the unpacked props map o (NULL: none) into buf; false when absent. */
static bool query__obj_str(const msgpack_object *o, const char *k, char *buf, size_t sz)
{
    const char *s;
    size_t sl;
    buf[0] = '\0';
    if (o == NULL || !proto_param_str(o, k, &s, &sl))
        return false;
    snprintf(buf, sz, "%.*s", (int)sl, s);
    return true;
}

/* Unpacks n's props into *o with zone z (initialised here: destroy it); NULL when it has
 * none or they cannot be read. */
static const msgpack_object *query__props(const char *props, size_t len, msgpack_zone *z,
                                          msgpack_object *o)
{
    size_t off = 0;
    if (len == 0 || !msgpack_zone_init(z, 512))
        return NULL;
    if (msgpack_unpack(props, len, &off, z, o) == MSGPACK_UNPACK_SUCCESS)
        return o;
    msgpack_zone_destroy(z);
    return NULL;
}

bool query_prop_str(const char *props, size_t len, const char *k, char *buf, size_t sz)
{
    msgpack_zone z;
    msgpack_object o;
    const msgpack_object *m = query__props(props, len, &z, &o);
    bool found = query__obj_str(m, k, buf, sz);
    if (m != NULL)
        msgpack_zone_destroy(&z);
    return found;
}

static void query__name(const msgpack_object *o, schema_kind_t kind, char *buf, size_t sz)
{
    char ini[64], tv[64], sur[192];
    if (query__obj_str(o, "name", buf, sz) || kind != SCHEMA_KIND_PERSON)
        return;
    query__obj_str(o, "initials", ini, sizeof(ini));
    query__obj_str(o, "tussenvoegsel", tv, sizeof(tv));
    query__obj_str(o, "surname", sur, sizeof(sur));
    snprintf(buf, sz, "%s%s%s%s%s", ini, ini[0] && (tv[0] || sur[0]) ? " " : "", tv,
             tv[0] && sur[0] ? " " : "", sur);
}

static void query__key(const msgpack_object *o, char *buf, size_t sz)
{
    buf[0] = '\0';
    for (int k = 0; graph_key_fields[k] != NULL; k++)
        if (query__obj_str(o, graph_key_fields[k], buf, sz))
            break;
}

char *query_node_name(const graph_node_t *n, char *buf, size_t sz)
{
    msgpack_zone z;
    msgpack_object o;
    const msgpack_object *m = query__props(n->props, n->props_len, &z, &o);
    query__name(m, n->kind, buf, sz);
    if (m != NULL)
        msgpack_zone_destroy(&z);
    return buf;
}

char *query_node_key(const graph_node_t *n, char *buf, size_t sz)
{
    msgpack_zone z;
    msgpack_object o;
    const msgpack_object *m = query__props(n->props, n->props_len, &z, &o);
    query__key(m, buf, sz);
    if (m != NULL)
        msgpack_zone_destroy(&z);
    return buf;
}

void query_pack_node(msgpack_packer *pk, const graph_node_t *n)
{
    char name[256], key[KNOOP_MAX_NAME_BYTES + 1];
    msgpack_zone z;
    msgpack_object o;
    /* The props are unpacked once for both the name and the key. */
    const msgpack_object *m = query__props(n->props, n->props_len, &z, &o);
    query__name(m, n->kind, name, sizeof(name));
    query__key(m, key, sizeof(key));
    if (m != NULL)
        msgpack_zone_destroy(&z);
    msgpack_pack_map(pk, 5);
    query_pack_str(pk, "id");
    msgpack_pack_uint64(pk, n->id);
    query_pack_str(pk, "kind");
    query_pack_str(pk, schema_kind_name(n->kind));
    query_pack_str(pk, "type");
    query_pack_str(pk, n->type);
    query_pack_str(pk, "name");
    query_pack_str(pk, name);
    query_pack_str(pk, "key");
    query_pack_str(pk, key);
}

bool query_node_is_example(const graph_node_t *n)
{
    msgpack_zone z;
    msgpack_object o;
    const msgpack_object *v;
    size_t off = 0;
    bool yes = false;
    if (n->props_len == 0 || !msgpack_zone_init(&z, 512))
        return false;
    if (msgpack_unpack(n->props, n->props_len, &off, &z, &o) == MSGPACK_UNPACK_SUCCESS &&
        (v = proto_param(&o, "example")) != NULL)
        yes = v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean;
    msgpack_zone_destroy(&z);
    return yes;
}

void query_pack_props_subset(msgpack_packer *pk, const char *props, size_t len,
                             const char *const *keys)
{
    msgpack_zone z;
    msgpack_object o;
    size_t off = 0;
    uint32_t n = 0;
    if (len == 0 || !msgpack_zone_init(&z, 1024)) {
        msgpack_pack_map(pk, 0);
        return;
    }
    if (msgpack_unpack(props, len, &off, &z, &o) != MSGPACK_UNPACK_SUCCESS ||
        o.type != MSGPACK_OBJECT_MAP) {
        msgpack_zone_destroy(&z);
        msgpack_pack_map(pk, 0);
        return;
    }
    for (int i = 0; keys[i] != NULL; i++)
        n += proto_param(&o, keys[i]) != NULL;
    msgpack_pack_map(pk, n);
    for (int i = 0; keys[i] != NULL; i++) {
        const msgpack_object *v = proto_param(&o, keys[i]);
        if (v == NULL)
            continue;
        query_pack_str(pk, keys[i]);
        msgpack_pack_object(pk, *v);
    }
    msgpack_zone_destroy(&z);
}

int query_nomem(knoop_error_t *err)
{
    return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
}

void query_pack_bool(msgpack_packer *pk, bool v)
{
    if (v)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
}
