/*
 * graph_record.c - node and edge records, their API form, property checks and small
 * containers used by the graph (layer: graph).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graph_int.h"
#include "proto.h"

const char *const graph_key_fields[] = { "key", "cbs_code", "kvk", "oin", NULL };

#define NODE_HDR 28 /* fmt kind version created updated tlen */
#define EDGE_HDR 59 /* fmt source target from to behalf version created updated tlen */

void graph_ids_free(graph_ids_t *l)
{
    if (l == NULL)
        return;
    knoop_free(l->ids);
    l->ids = NULL;
    l->n = l->cap = 0;
}

static int graph__id_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void graph_ids_sort_unique(graph_ids_t *l)
{
    size_t n = 0;
    if (l->n == 0)
        return;
    qsort(l->ids, l->n, sizeof(*l->ids), graph__id_cmp);
    for (size_t i = 0; i < l->n; i++)
        if (n == 0 || l->ids[n - 1] != l->ids[i])
            l->ids[n++] = l->ids[i];
    l->n = n;
}

bool graph_ids_has(const graph_ids_t *l, uint64_t id)
{
    return l->n > 0 && bsearch(&id, l->ids, l->n, sizeof(id), graph__id_cmp) != NULL;
}

int graph_ids_push(graph_ids_t *l, uint64_t id)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        uint64_t *p = knoop_realloc(l->ids, cap * sizeof(*p));
        if (p == NULL)
            return KNOOP_ENOMEM;
        l->ids = p;
        l->cap = cap;
    }
    l->ids[l->n++] = id;
    return KNOOP_OK;
}

static size_t graph__hash(uint64_t x, size_t cap)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    return (size_t)x & (cap - 1);
}

int graph__idset_add(graph__idset_t *set, uint64_t id)
{
    size_t i;
    if ((set->n + 1) * 2 > set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 64, j;
        uint64_t *slots = knoop_calloc(cap, sizeof(*slots));
        if (slots == NULL)
            return KNOOP_ENOMEM;
        for (j = 0; j < set->cap; j++) {
            if (set->slots[j] == 0)
                continue;
            i = graph__hash(set->slots[j], cap);
            while (slots[i] != 0)
                i = (i + 1) & (cap - 1);
            slots[i] = set->slots[j];
        }
        knoop_free(set->slots);
        set->slots = slots;
        set->cap = cap;
    }
    i = graph__hash(id, set->cap);
    while (set->slots[i] != 0) {
        if (set->slots[i] == id)
            return 0;
        i = (i + 1) & (set->cap - 1);
    }
    set->slots[i] = id;
    set->n++;
    return 1;
}

bool graph__idset_has(const graph__idset_t *set, uint64_t id)
{
    size_t i;
    if (set->cap == 0)
        return false;
    i = graph__hash(id, set->cap);
    while (set->slots[i] != 0) {
        if (set->slots[i] == id)
            return true;
        i = (i + 1) & (set->cap - 1);
    }
    return false;
}

void graph__idset_free(graph__idset_t *set)
{
    knoop_free(set->slots);
    set->slots = NULL;
    set->cap = set->n = 0;
}

bool graph__prefix_successor(unsigned char *p, size_t len)
{
    while (len > 0) {
        if (p[len - 1] != 0xff) {
            p[len - 1]++;
            return true;
        }
        p[--len] = 0;
    }
    return false;
}

graph_hooks_t graph__hooks;

void graph_set_hooks(const graph_hooks_t *h)
{
    if (h == NULL)
        memset(&graph__hooks, 0, sizeof(graph__hooks));
    else
        graph__hooks = *h;
}

int graph__hook_node(const store_view_t *view, graph_op_t op, const graph_node_t *old,
                     schema_kind_t kind, const char *type, const msgpack_object **props,
                     msgpack_zone *zone, knoop_buf_t *repl, knoop_error_t *err)
{
    msgpack_object *o;
    size_t off = 0;
    int rc;
    if (graph__hooks.node == NULL)
        return KNOOP_OK;
    rc = graph__hooks.node(graph__hooks.arg, view, op, old, kind, type,
                           props != NULL ? *props : NULL, repl, err);
    if (rc == KNOOP_OK && knoop_buf_failed(repl))
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    if (rc != KNOOP_OK || repl->size == 0 || props == NULL)
        return rc;
    o = msgpack_zone_malloc(zone, sizeof(*o));
    if (o == NULL ||
        msgpack_unpack(repl->data, repl->size, &off, zone, o) != MSGPACK_UNPACK_SUCCESS ||
        o->type != MSGPACK_OBJECT_MAP)
        return knoop_error_set(err, KNOOP_EINTERNAL, "schema: validation produced no map");
    *props = o;
    return KNOOP_OK;
}

int graph__finish(store_txn_t *t, int rc, knoop_error_t *err)
{
    if (rc != KNOOP_OK) {
        store_txn_abort(t);
        return rc;
    }
    return store_txn_commit(t, err);
}

void graph_node_clear(graph_node_t *n)
{
    if (n == NULL)
        return;
    knoop_free(n->buf_);
    memset(n, 0, sizeof(*n));
}

int graph_node_copy(graph_node_t *dst, const graph_node_t *src)
{
    *dst = *src;
    dst->buf_ = knoop_malloc(src->props_len ? src->props_len : 1);
    if (dst->buf_ == NULL) {
        memset(dst, 0, sizeof(*dst));
        return KNOOP_ENOMEM;
    }
    if (src->props_len > 0)
        memcpy(dst->buf_, src->props, src->props_len);
    dst->props = dst->buf_;
    return KNOOP_OK;
}

void graph_edge_clear(graph_edge_t *e)
{
    if (e == NULL)
        return;
    knoop_free(e->buf_);
    memset(e, 0, sizeof(*e));
}

int graph__node_encode(const graph_node_t *n, const char *props, size_t props_len,
                       unsigned char **out, size_t *out_len)
{
    size_t tlen = strlen(n->type);
    unsigned char *p = knoop_malloc(NODE_HDR + tlen + props_len);
    if (p == NULL)
        return KNOOP_ENOMEM;
    p[0] = 1;
    p[1] = (unsigned char)n->kind;
    store_put_u64(p + 2, n->version);
    store_put_i64(p + 10, n->created_ms);
    store_put_i64(p + 18, n->updated_ms);
    store_put_u16(p + 26, (uint16_t)tlen);
    memcpy(p + NODE_HDR, n->type, tlen);
    memcpy(p + NODE_HDR + tlen, props, props_len);
    *out = p;
    *out_len = NODE_HDR + tlen + props_len;
    return KNOOP_OK;
}

int graph__node_decode(uint64_t id, const void *val, size_t len, graph_node_t *out,
                       knoop_error_t *err)
{
    const unsigned char *p = val;
    size_t tlen;
    memset(out, 0, sizeof(*out));
    if (len < NODE_HDR || p[0] != 1)
        goto corrupt;
    tlen = store_get_u16(p + 26);
    if (tlen > KNOOP_MAX_NAME_BYTES || NODE_HDR + tlen > len)
        goto corrupt;
    out->id = id;
    out->kind = (schema_kind_t)p[1];
    out->version = store_get_u64(p + 2);
    out->created_ms = store_get_i64(p + 10);
    out->updated_ms = store_get_i64(p + 18);
    memcpy(out->type, p + NODE_HDR, tlen);
    out->type[tlen] = '\0';
    out->props_len = len - NODE_HDR - tlen;
    out->buf_ = knoop_malloc(out->props_len ? out->props_len : 1);
    if (out->buf_ == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    memcpy(out->buf_, p + NODE_HDR + tlen, out->props_len);
    out->props = out->buf_;
    return KNOOP_OK;
corrupt:
    return knoop_error_set(err, KNOOP_ECORRUPT, "storage: node %llu: malformed record",
                           (unsigned long long)id);
}

int graph__edge_encode(const graph_edge_t *e, const char *props, size_t props_len,
                       unsigned char **out, size_t *out_len)
{
    size_t tlen = strlen(e->type);
    unsigned char *p = knoop_malloc(EDGE_HDR + tlen + props_len);
    if (p == NULL)
        return KNOOP_ENOMEM;
    p[0] = 1;
    store_put_u64(p + 1, e->source);
    store_put_u64(p + 9, e->target);
    store_put_date(p + 17, e->valid_from);
    store_put_date(p + 21, e->valid_to);
    store_put_u64(p + 25, e->on_behalf_of);
    store_put_u64(p + 33, e->version);
    store_put_i64(p + 41, e->created_ms);
    store_put_i64(p + 49, e->updated_ms);
    store_put_u16(p + 57, (uint16_t)tlen);
    memcpy(p + EDGE_HDR, e->type, tlen);
    memcpy(p + EDGE_HDR + tlen, props, props_len);
    *out = p;
    *out_len = EDGE_HDR + tlen + props_len;
    return KNOOP_OK;
}

int graph__edge_decode(uint64_t id, const void *val, size_t len, graph_edge_t *out,
                       knoop_error_t *err)
{
    const unsigned char *p = val;
    size_t tlen;
    memset(out, 0, sizeof(*out));
    if (len < EDGE_HDR || p[0] != 1)
        goto corrupt;
    tlen = store_get_u16(p + 57);
    if (tlen > KNOOP_MAX_NAME_BYTES || EDGE_HDR + tlen > len)
        goto corrupt;
    out->id = id;
    out->source = store_get_u64(p + 1);
    out->target = store_get_u64(p + 9);
    out->valid_from = store_get_date(p + 17);
    out->valid_to = store_get_date(p + 21);
    out->on_behalf_of = store_get_u64(p + 25);
    out->version = store_get_u64(p + 33);
    out->created_ms = store_get_i64(p + 41);
    out->updated_ms = store_get_i64(p + 49);
    memcpy(out->type, p + EDGE_HDR, tlen);
    out->type[tlen] = '\0';
    out->props_len = len - EDGE_HDR - tlen;
    out->buf_ = knoop_malloc(out->props_len ? out->props_len : 1);
    if (out->buf_ == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    memcpy(out->buf_, p + EDGE_HDR + tlen, out->props_len);
    out->props = out->buf_;
    return KNOOP_OK;
corrupt:
    return knoop_error_set(err, KNOOP_ECORRUPT, "storage: edge %llu: malformed record",
                           (unsigned long long)id);
}

static int graph__read(store_t *s, const store_view_t *view, kv_cf_t cf, uint64_t id, void **val,
                       size_t *len, knoop_error_t *err)
{
    unsigned char key[8];
    int rc;
    store_put_u64(key, id);
    rc = store_get(s, view, cf, key, 8, val, len, err);
    if (rc == KNOOP_ENOTFOUND)
        return knoop_error_set(err, KNOOP_ENOTFOUND, "%s %llu does not exist",
                               cf == KV_CF_NODE ? "node" : "edge", (unsigned long long)id);
    return rc;
}

int graph__node_read(store_t *s, const store_view_t *view, uint64_t id, graph_node_t *out,
                     knoop_error_t *err)
{
    void *v;
    size_t len;
    int rc;
    /* Empty on failure too, so that graph_node_clear after any result is safe. */
    memset(out, 0, sizeof(*out));
    rc = graph__read(s, view, KV_CF_NODE, id, &v, &len, err);
    if (rc != KNOOP_OK)
        return rc;
    rc = graph__node_decode(id, v, len, out, err);
    kv_free(v);
    if (rc == KNOOP_OK && store_view_committed(view))
        store_tag_set(s, id, (uint8_t)out->kind); /* graph_node_kind */
    return rc;
}

bool graph__record_kind(const void *val, size_t len, schema_kind_t *kind)
{
    const unsigned char *p = val;
    if (len < NODE_HDR || p[0] != 1 || schema_kind_name((schema_kind_t)p[1]) == NULL)
        return false;
    *kind = (schema_kind_t)p[1];
    return true;
}

int graph_node_kind(store_t *s, const store_view_t *view, uint64_t id, schema_kind_t *kind,
                    knoop_error_t *err)
{
    uint8_t tag = store_tag_get(s, id);
    void *v;
    size_t len;
    int rc;
    if (tag != 0) {
        *kind = (schema_kind_t)tag;
        return KNOOP_OK;
    }
    if ((rc = graph__read(s, view, KV_CF_NODE, id, &v, &len, err)) != KNOOP_OK)
        return rc;
    if (!graph__record_kind(v, len, kind)) {
        kv_free(v);
        return knoop_error_set(err, KNOOP_ECORRUPT, "storage: node %llu: malformed record",
                               (unsigned long long)id);
    }
    kv_free(v);
    if (store_view_committed(view))
        store_tag_set(s, id, (uint8_t)*kind);
    return KNOOP_OK;
}

int graph__edge_read(store_t *s, const store_view_t *view, uint64_t id, graph_edge_t *out,
                     knoop_error_t *err)
{
    void *v;
    size_t len;
    int rc;
    memset(out, 0, sizeof(*out));
    rc = graph__read(s, view, KV_CF_EDGE, id, &v, &len, err);
    if (rc != KNOOP_OK)
        return rc;
    rc = graph__edge_decode(id, v, len, out, err);
    kv_free(v);
    return rc;
}

char *graph_format_ts(int64_t ms, char *buf)
{
    return store_format_ts(ms, buf);
}

static void graph__pack_props(msgpack_packer *pk, const char *props, size_t len)
{
    if (len == 0)
        msgpack_pack_map(pk, 0);
    else
        pk->callback(pk->data, props, len); /* already packed: append as is */
}

void graph_node_pack(msgpack_packer *pk, const graph_node_t *n)
{
    char ts[32];
    msgpack_pack_map(pk, 7);
    PROTO_PACK_KEY(pk, "id");
    msgpack_pack_uint64(pk, n->id);
    PROTO_PACK_KEY(pk, "kind");
    proto_pack_str(pk, schema_kind_name(n->kind) ? schema_kind_name(n->kind) : "?");
    PROTO_PACK_KEY(pk, "type");
    if (n->type[0])
        proto_pack_str(pk, n->type);
    else
        msgpack_pack_nil(pk);
    PROTO_PACK_KEY(pk, "props");
    graph__pack_props(pk, n->props, n->props_len);
    PROTO_PACK_KEY(pk, "version");
    msgpack_pack_uint64(pk, n->version);
    PROTO_PACK_KEY(pk, "created");
    proto_pack_str(pk, graph_format_ts(n->created_ms, ts));
    PROTO_PACK_KEY(pk, "updated");
    proto_pack_str(pk, graph_format_ts(n->updated_ms, ts));
}

void graph_edge_pack(msgpack_packer *pk, const graph_edge_t *e)
{
    char ts[32], d[11];
    msgpack_pack_map(pk, 11);
    PROTO_PACK_KEY(pk, "id");
    msgpack_pack_uint64(pk, e->id);
    PROTO_PACK_KEY(pk, "type");
    proto_pack_str(pk, e->type);
    PROTO_PACK_KEY(pk, "source");
    msgpack_pack_uint64(pk, e->source);
    PROTO_PACK_KEY(pk, "target");
    msgpack_pack_uint64(pk, e->target);
    PROTO_PACK_KEY(pk, "valid_from");
    proto_pack_str(pk, schema_date_format(e->valid_from, d));
    PROTO_PACK_KEY(pk, "valid_to");
    if (e->valid_to == SCHEMA_DATE_OPEN)
        msgpack_pack_nil(pk);
    else
        proto_pack_str(pk, schema_date_format(e->valid_to, d));
    PROTO_PACK_KEY(pk, "on_behalf_of");
    if (e->on_behalf_of)
        msgpack_pack_uint64(pk, e->on_behalf_of);
    else
        msgpack_pack_nil(pk);
    PROTO_PACK_KEY(pk, "props");
    graph__pack_props(pk, e->props, e->props_len);
    PROTO_PACK_KEY(pk, "version");
    msgpack_pack_uint64(pk, e->version);
    PROTO_PACK_KEY(pk, "created");
    proto_pack_str(pk, graph_format_ts(e->created_ms, ts));
    PROTO_PACK_KEY(pk, "updated");
    proto_pack_str(pk, graph_format_ts(e->updated_ms, ts));
}

static char *graph__packed(const void *x, bool node, size_t *len)
{
    knoop_buf_t sb;
    msgpack_packer pk;
    knoop_buf_init(&sb);
    msgpack_packer_init(&pk, &sb, knoop_buf_write);
    if (node)
        graph_node_pack(&pk, x);
    else
        graph_edge_pack(&pk, x);
    *len = sb.size;
    return knoop_buf_release(&sb);
}

char *graph__node_packed(const graph_node_t *n, size_t *len)
{
    return graph__packed(n, true, len);
}

char *graph__edge_packed(const graph_edge_t *e, size_t *len)
{
    return graph__packed(e, false, len);
}

bool graph__props_str(const msgpack_object *props, const char *name, const char **s, size_t *len)
{
    size_t nl = strlen(name);
    if (props == NULL || props->type != MSGPACK_OBJECT_MAP)
        return false;
    for (uint32_t i = 0; i < props->via.map.size; i++) {
        const msgpack_object_kv *kv = &props->via.map.ptr[i];
        if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == nl &&
            memcmp(kv->key.via.str.ptr, name, nl) == 0) {
            if (kv->val.type != MSGPACK_OBJECT_STR)
                return false;
            *s = kv->val.via.str.ptr;
            *len = kv->val.via.str.size;
            return true;
        }
    }
    return false;
}

static bool graph__is_key_field(const char *k, size_t len)
{
    for (int i = 0; graph_key_fields[i] != NULL; i++)
        if (strlen(graph_key_fields[i]) == len && memcmp(graph_key_fields[i], k, len) == 0)
            return true;
    return false;
}

int graph__props_check(const msgpack_object *props, const char *field, knoop_error_t *err)
{
    char sub[KNOOP_MAX_NAME_BYTES + 64];
    if (props == NULL || props->type == MSGPACK_OBJECT_NIL)
        return KNOOP_OK;
    if (props->type != MSGPACK_OBJECT_MAP)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: expected a map of properties", field);
    if (props->via.map.size > KNOOP_MAX_PROPERTIES)
        return knoop_error_set(err, KNOOP_ETOOLARGE, "%s: %u properties, at most %d", field,
                               (unsigned)props->via.map.size, KNOOP_MAX_PROPERTIES);
    for (uint32_t i = 0; i < props->via.map.size; i++) {
        const msgpack_object_kv *kv = &props->via.map.ptr[i];
        const char *k = kv->key.via.str.ptr;
        size_t kl = kv->key.via.str.size;
        int rc;
        if (kv->key.type != MSGPACK_OBJECT_STR)
            return knoop_error_set(err, KNOOP_EINVAL, "%s: property names must be strings", field);
        snprintf(sub, sizeof(sub), "%s: property name", field);
        if ((rc = schema_check_name(k, kl, sub, err)) != KNOOP_OK)
            return rc;
        if (kl == 4 && memcmp(k, "name", 4) == 0 && kv->val.type != MSGPACK_OBJECT_STR &&
            kv->val.type != MSGPACK_OBJECT_NIL)
            return knoop_error_set(err, KNOOP_EINVAL, "%s.name: expected a string", field);
        if (graph__is_key_field(k, kl) && kv->val.type != MSGPACK_OBJECT_NIL) {
            if (kv->val.type != MSGPACK_OBJECT_STR)
                return knoop_error_set(err, KNOOP_EINVAL,
                                       "%s.%.*s: an external key must be a string", field, (int)kl,
                                       k);
            snprintf(sub, sizeof(sub), "%s.%.*s", field, (int)kl, k);
            rc = schema_check_name(kv->val.via.str.ptr, kv->val.via.str.size, sub, err);
            if (rc != KNOOP_OK)
                return rc;
        }
    }
    {
        /* Duplicate names, in linear time (the keys are strings: checked above). */
        uint32_t d;
        int found = proto_map_find_dup(props, &d);
        if (found < 0)
            return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
        if (found > 0) {
            const msgpack_object *k = &props->via.map.ptr[d].key;
            char q[96];
            return knoop_error_set(err, KNOOP_EINVAL, "%s.%s: given twice", field,
                                   knoop_repr(q, sizeof(q), k->via.str.ptr, k->via.str.size, 64));
        }
    }
    return KNOOP_OK;
}
