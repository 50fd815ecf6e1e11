/*
 * graph_node.c - nodes: create, read, update, delete, indexes and lookup (layer: graph).
 */
#include <stdlib.h>
#include <string.h>

#include "graph_int.h"

int graph__props_unpack(const char *props, size_t len, msgpack_zone *zone, msgpack_object *out)
{
    size_t off = 0;
    if (len == 0) {
        out->type = MSGPACK_OBJECT_MAP;
        out->via.map.size = 0;
        out->via.map.ptr = NULL;
        return KNOOP_OK;
    }
    if (msgpack_unpack(props, len, &off, zone, out) != MSGPACK_UNPACK_SUCCESS ||
        out->type != MSGPACK_OBJECT_MAP)
        return KNOOP_ECORRUPT;
    return KNOOP_OK;
}

static int graph__put_key_entry(store_txn_t *t, char prefix, const char *s, size_t len,
                                const unsigned char *tail, size_t tail_len, const void *val,
                                size_t vlen, bool add)
{
    unsigned char stack[640];
    unsigned char *k = stack;
    size_t klen = 1 + len + tail_len;
    int rc;
    if (klen > sizeof(stack) && (k = knoop_malloc(klen)) == NULL)
        return KNOOP_ENOMEM;
    k[0] = (unsigned char)prefix;
    memcpy(k + 1, s, len);
    if (tail_len > 0)
        memcpy(k + 1 + len, tail, tail_len);
    rc = add ? store_txn_put(t, KV_CF_IDX, k, klen, val, vlen)
             : store_txn_delete(t, KV_CF_IDX, k, klen);
    if (k != stack)
        knoop_free(k);
    return rc;
}

/* The normalised name index key part of props, or 0 when the node has no indexable name. */
static int graph__norm_name(const msgpack_object *props, char *buf, size_t bufsz)
{
    const char *s;
    size_t len;
    if (!graph__props_str(props, "name", &s, &len))
        return 0;
    return schema_name_normalise(s, len, buf, bufsz);
}

int graph__node_index(store_txn_t *t, const graph_node_t *n, const msgpack_object *props, bool add)
{
    char norm[KNOOP_MAX_INDEX_NAME_BYTES + 1];
    unsigned char tail[1 + KNOOP_MAX_NAME_BYTES + 1 + 8], idv[8];
    size_t tl;
    int nl, rc;

    store_put_u64(idv, n->id);
    nl = graph__norm_name(props, norm, sizeof(norm));
    if (nl < 0)
        return nl;
    if (nl > 0) {
        tail[0] = 0;
        store_put_u64(tail + 1, n->id);
        rc = graph__put_key_entry(t, STORE_IDX_NAME, norm, (size_t)nl, tail, 9, "", 0, add);
        if (rc != KNOOP_OK)
            return rc;
    }
    for (int i = 0; graph_key_fields[i] != NULL; i++) {
        const char *v;
        size_t vl;
        if (!graph__props_str(props, graph_key_fields[i], &v, &vl))
            continue;
        rc = graph__put_key_entry(t, STORE_IDX_KEY, v, vl, NULL, 0, idv, 8, add);
        if (rc != KNOOP_OK)
            return rc;
    }
    tl = strlen(n->type);
    tail[0] = (unsigned char)n->kind;
    memcpy(tail + 1, n->type, tl);
    tail[1 + tl] = 0;
    store_put_u64(tail + 2 + tl, n->id);
    return graph__put_key_entry(t, STORE_IDX_TYPE, "", 0, tail, 10 + tl, "", 0, add);
}

int graph_node_by_key(store_t *s, const store_view_t *view, const char *value, size_t len,
                      uint64_t *id, knoop_error_t *err)
{
    unsigned char stack[300];
    void *v;
    size_t vl;
    int rc;
    if (len + 1 > sizeof(stack))
        return KNOOP_ENOTFOUND;
    stack[0] = STORE_IDX_KEY;
    memcpy(stack + 1, value, len);
    rc = store_get(s, view, KV_CF_IDX, stack, len + 1, &v, &vl, err);
    if (rc != KNOOP_OK)
        return rc;
    if (vl != 8) {
        kv_free(v);
        return knoop_error_set(err, KNOOP_ECORRUPT, "storage: malformed key index entry");
    }
    *id = store_get_u64(v);
    kv_free(v);
    return KNOOP_OK;
}

/*
 * Checks that every external key in props is free or already names node id (inside the
 * writer lock, so the check and the write are one step).
 */
static int graph__keys_free(store_t *s, const store_view_t *view, uint64_t id,
                            const msgpack_object *props, knoop_error_t *err)
{
    for (int i = 0; graph_key_fields[i] != NULL; i++) {
        const char *v;
        size_t vl;
        uint64_t owner;
        char q[96];
        int rc;
        if (!graph__props_str(props, graph_key_fields[i], &v, &vl))
            continue;
        rc = graph_node_by_key(s, view, v, vl, &owner, err);
        if (rc == KNOOP_ENOTFOUND)
            continue;
        if (rc != KNOOP_OK)
            return rc;
        if (owner != id)
            return knoop_error_set(err, KNOOP_ECONFLICT,
                                   "props.%s: external key %s already names node %llu",
                                   graph_key_fields[i], knoop_repr(q, sizeof(q), v, vl, 64),
                                   (unsigned long long)owner);
    }
    return KNOOP_OK;
}

static int graph__node_write(store_txn_t *t, const graph_node_t *n, const char *props,
                             size_t props_len)
{
    unsigned char key[8], *rec;
    size_t rlen;
    int rc = graph__node_encode(n, props, props_len, &rec, &rlen);
    if (rc != KNOOP_OK)
        return rc;
    store_put_u64(key, n->id);
    rc = store_txn_put(t, KV_CF_NODE, key, 8, rec, rlen);
    knoop_free(rec);
    return rc;
}

static int graph__history(store_txn_t *t, uint64_t id, const char *op, const graph_node_t *before,
                          const graph_node_t *after)
{
    size_t bl = 0, al = 0;
    char *b = before ? graph__node_packed(before, &bl) : NULL;
    char *a = after ? graph__node_packed(after, &al) : NULL;
    int rc = KNOOP_ENOMEM;
    if ((before == NULL || b != NULL) && (after == NULL || a != NULL))
        rc = store_txn_history(t, id, op, b, bl, a, al);
    knoop_free(b);
    knoop_free(a);
    return rc;
}

int graph_node_create_tx(store_txn_t *t, schema_kind_t kind, const char *type,
                         const msgpack_object *props, graph_node_t *out, knoop_error_t *err)
{
    store_t *s = store_txn_store(t);
    const store_view_t *view = store_txn_view(t);
    graph_node_t n;
    knoop_buf_t sb, repl;
    msgpack_packer pk;
    msgpack_zone zone;
    msgpack_object empty = { .type = MSGPACK_OBJECT_MAP };
    int rc;

    memset(&n, 0, sizeof(n));
    if (out != NULL)
        memset(out, 0, sizeof(*out));
    if (schema_kind_name(kind) == NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "kind: unknown kind %d", (int)kind);
    if (type != NULL && type[0] != '\0') {
        if ((rc = schema_check_name(type, strlen(type), "type", err)) != KNOOP_OK)
            return rc;
        memcpy(n.type, type, strlen(type) + 1);
    }
    if ((rc = graph__props_check(props, "props", err)) != KNOOP_OK)
        return rc;
    if (props == NULL || props->type == MSGPACK_OBJECT_NIL)
        props = &empty;
    msgpack_zone_init(&zone, 1024);
    knoop_buf_init(&repl);
    rc = graph__hook_node(view, GRAPH_OP_CREATE, NULL, kind, n.type, &props, &zone, &repl, err);
    if (rc == KNOOP_OK && repl.size > 0)
        rc = graph__props_check(props, "props", err);
    knoop_buf_init(&sb);
    if (rc == KNOOP_OK) {
        msgpack_packer_init(&pk, &sb, knoop_buf_write);
        msgpack_pack_object(&pk, *props);
        if (sb.data == NULL || knoop_buf_failed(&sb))
            rc = knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    }
    if (rc != KNOOP_OK) {
        knoop_buf_destroy(&sb);
        knoop_buf_destroy(&repl);
        msgpack_zone_destroy(&zone);
        return rc;
    }

    n.id = store_txn_alloc_id(t);
    n.kind = kind;
    n.version = 1;
    n.created_ms = n.updated_ms = store_txn_time(t);
    n.props = sb.data;
    n.props_len = sb.size;
    if ((rc = graph__keys_free(s, view, n.id, props, err)) == KNOOP_OK &&
        (rc = graph__node_write(t, &n, sb.data, sb.size)) == KNOOP_OK &&
        (rc = graph__node_index(t, &n, props, true)) == KNOOP_OK &&
        (rc = graph__history(t, n.id, "create", NULL, &n)) == KNOOP_OK && out != NULL)
        rc = graph_node_copy(out, &n);
    knoop_buf_destroy(&sb);
    knoop_buf_destroy(&repl);
    msgpack_zone_destroy(&zone);
    if (rc == KNOOP_ENOMEM && (err == NULL || err->code != KNOOP_ENOMEM))
        knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    return rc;
}

int graph_node_create(store_t *s, const store_who_t *who, schema_kind_t kind, const char *type,
                      const msgpack_object *props, graph_node_t *out, knoop_error_t *err)
{
    store_txn_t *t;
    int rc = store_txn_begin(s, who, &t, err);
    if (rc != KNOOP_OK)
        return rc;
    rc = graph__finish(t, graph_node_create_tx(t, kind, type, props, out, err), err);
    if (rc != KNOOP_OK && out != NULL)
        graph_node_clear(out);
    return rc;
}

int graph_node_get(store_t *s, const store_view_t *view, uint64_t id, graph_node_t *out,
                   knoop_error_t *err)
{
    return graph__node_read(s, view, id, out, err);
}

bool graph__str_in_array(const msgpack_object *arr, const char *k, size_t kl)
{
    if (arr == NULL || arr->type != MSGPACK_OBJECT_ARRAY)
        return false;
    for (uint32_t i = 0; i < arr->via.array.size; i++) {
        const msgpack_object *o = &arr->via.array.ptr[i];
        if (o->type == MSGPACK_OBJECT_STR && o->via.str.size == kl &&
            memcmp(o->via.str.ptr, k, kl) == 0)
            return true;
    }
    return false;
}

const msgpack_object *graph__map_get(const msgpack_object *map, const char *k, size_t kl)
{
    if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *o = &map->via.map.ptr[i].key;
        if (o->type == MSGPACK_OBJECT_STR && o->via.str.size == kl &&
            memcmp(o->via.str.ptr, k, kl) == 0)
            return &map->via.map.ptr[i].val;
    }
    return NULL;
}

int graph__props_merge(const msgpack_object *old, const msgpack_object *set,
                       const msgpack_object *unset, msgpack_object_kv **kvs, msgpack_object *out)
{
    uint32_t nset = set != NULL && set->type == MSGPACK_OBJECT_MAP ? set->via.map.size : 0;
    uint32_t cnt = 0;
    *kvs = knoop_calloc((size_t)old->via.map.size + nset + 1, sizeof(**kvs));
    if (*kvs == NULL)
        return KNOOP_ENOMEM;
    for (uint32_t i = 0; i < old->via.map.size; i++) {
        const msgpack_object *k = &old->via.map.ptr[i].key;
        if (graph__map_get(set, k->via.str.ptr, k->via.str.size) != NULL ||
            graph__str_in_array(unset, k->via.str.ptr, k->via.str.size))
            continue;
        (*kvs)[cnt++] = old->via.map.ptr[i];
    }
    for (uint32_t i = 0; i < nset; i++)
        if (set->via.map.ptr[i].val.type != MSGPACK_OBJECT_NIL)
            (*kvs)[cnt++] = set->via.map.ptr[i];
    out->type = MSGPACK_OBJECT_MAP;
    out->via.map.size = cnt;
    out->via.map.ptr = *kvs;
    return KNOOP_OK;
}

int graph__unset_check(const msgpack_object *unset, const msgpack_object *set, knoop_error_t *err)
{
    char q[96];
    if (unset == NULL || unset->type == MSGPACK_OBJECT_NIL)
        return KNOOP_OK;
    if (unset->type != MSGPACK_OBJECT_ARRAY)
        return knoop_error_set(err, KNOOP_EINVAL, "unset: expected an array of property names");
    if (unset->via.array.size > KNOOP_MAX_PROPERTIES)
        return knoop_error_set(err, KNOOP_ETOOLARGE, "unset: %u names, at most %d",
                               (unsigned)unset->via.array.size, KNOOP_MAX_PROPERTIES);
    for (uint32_t i = 0; i < unset->via.array.size; i++) {
        const msgpack_object *o = &unset->via.array.ptr[i];
        if (o->type != MSGPACK_OBJECT_STR)
            return knoop_error_set(err, KNOOP_EINVAL, "unset[%u]: expected a property name",
                                   (unsigned)i);
        if (graph__map_get(set, o->via.str.ptr, o->via.str.size) != NULL)
            return knoop_error_set(err, KNOOP_EINVAL, "unset[%u]: %s is also in set", (unsigned)i,
                                   knoop_repr(q, sizeof(q), o->via.str.ptr, o->via.str.size, 64));
    }
    return KNOOP_OK;
}

int graph_node_update_tx(store_txn_t *t, uint64_t id, const msgpack_object *set,
                         const msgpack_object *unset, uint64_t if_version, graph_node_t *out,
                         knoop_error_t *err)
{
    store_t *s = store_txn_store(t);
    const store_view_t *view = store_txn_view(t);
    graph_node_t old, n;
    if (out != NULL)
        memset(out, 0, sizeof(*out));
    msgpack_zone zone;
    msgpack_object oldp, newp;
    msgpack_object_kv *kvs = NULL;
    knoop_buf_t sb, repl;
    msgpack_packer pk;
    uint32_t cnt = 0;
    int rc;

    memset(&old, 0, sizeof(old));
    if ((rc = graph__props_check(set, "set", err)) != KNOOP_OK ||
        (rc = graph__unset_check(unset, set, err)) != KNOOP_OK)
        return rc;
    msgpack_zone_init(&zone, 1024);
    knoop_buf_init(&sb);
    knoop_buf_init(&repl);
    if ((rc = graph__node_read(s, view, id, &old, err)) != KNOOP_OK)
        goto out;
    if (if_version != 0 && old.version != if_version) {
        rc = knoop_error_set(err, KNOOP_ECONFLICT,
                             "node %llu is at version %llu, not %llu (changed meanwhile)",
                             (unsigned long long)id, (unsigned long long)old.version,
                             (unsigned long long)if_version);
        goto out;
    }
    if (graph__props_unpack(old.props, old.props_len, &zone, &oldp) != KNOOP_OK) {
        rc = knoop_error_set(err, KNOOP_ECORRUPT, "storage: node %llu: malformed properties",
                             (unsigned long long)id);
        goto out;
    }
    if ((rc = graph__props_merge(&oldp, set, unset, &kvs, &newp)) != KNOOP_OK)
        goto out;
    if ((cnt = newp.via.map.size) > KNOOP_MAX_PROPERTIES) {
        rc = knoop_error_set(err, KNOOP_ETOOLARGE,
                             "set: node %llu would have %u properties, at most %d",
                             (unsigned long long)id, (unsigned)cnt, KNOOP_MAX_PROPERTIES);
        goto out;
    }
    {
        const msgpack_object *np = &newp;
        rc = graph__hook_node(view, GRAPH_OP_UPDATE, &old, old.kind, old.type, &np, &zone, &repl,
                              err);
        if (rc == KNOOP_OK && repl.size > 0)
            rc = graph__props_check(np, "set", err);
        if (rc != KNOOP_OK)
            goto out;
        newp = *np;
    }
    msgpack_packer_init(&pk, &sb, knoop_buf_write);
    msgpack_pack_object(&pk, newp);
    if (sb.data == NULL || knoop_buf_failed(&sb)) {
        rc = KNOOP_ENOMEM;
        goto out;
    }

    n = old;
    n.buf_ = NULL;
    n.props = sb.data;
    n.props_len = sb.size;
    n.version = old.version + 1;
    n.updated_ms = store_txn_time(t);
    if ((rc = graph__keys_free(s, view, id, &newp, err)) != KNOOP_OK ||
        (rc = graph__node_index(t, &old, &oldp, false)) != KNOOP_OK ||
        (rc = graph__node_index(t, &n, &newp, true)) != KNOOP_OK ||
        (rc = graph__node_write(t, &n, sb.data, sb.size)) != KNOOP_OK ||
        (rc = graph__history(t, id, "update", &old, &n)) != KNOOP_OK)
        goto out;
    if (out != NULL)
        rc = graph_node_copy(out, &n);
out:
    /* Removing an index entry and putting it back in one batch is fine: the put comes last. */
    knoop_free(kvs);
    graph_node_clear(&old);
    knoop_buf_destroy(&sb);
    knoop_buf_destroy(&repl);
    msgpack_zone_destroy(&zone);
    if (rc == KNOOP_ENOMEM && (err == NULL || err->code != KNOOP_ENOMEM))
        knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    return rc;
}

int graph_node_update(store_t *s, const store_who_t *who, uint64_t id, const msgpack_object *set,
                      const msgpack_object *unset, uint64_t if_version, graph_node_t *out,
                      knoop_error_t *err)
{
    store_txn_t *t;
    int rc = store_txn_begin(s, who, &t, err);
    if (rc != KNOOP_OK)
        return rc;
    rc = graph__finish(t, graph_node_update_tx(t, id, set, unset, if_version, out, err), err);
    if (rc != KNOOP_OK && out != NULL)
        graph_node_clear(out);
    return rc;
}

/* Collects the ids of every edge attached to node (both directions, each once). */
static int graph__collect_cb(void *arg, const graph_adj_t *a)
{
    graph__idset_t *set = arg;
    return graph__idset_add(set, a->edge) < 0 ? -1 : 0;
}

/* Deletes node id (with its edges when cascade), telling the node hook op. */
static int graph__node_remove(store_txn_t *t, uint64_t id, bool cascade, graph_op_t op,
                              graph_ids_t *deleted, knoop_error_t *err)
{
    store_t *s = store_txn_store(t);
    const store_view_t *view = store_txn_view(t);
    graph_node_t old;
    graph__idset_t set = { 0 };
    graph_ids_t order = { 0 };
    msgpack_zone zone;
    msgpack_object oldp;
    unsigned char key[8];
    int rc;

    memset(&old, 0, sizeof(old));
    msgpack_zone_init(&zone, 1024);
    if ((rc = graph__node_read(s, view, id, &old, err)) != KNOOP_OK)
        goto out;
    if (graph__hooks.node != NULL &&
        (rc = graph__hooks.node(graph__hooks.arg, view, op, &old, old.kind, old.type, NULL, NULL,
                                err)) != KNOOP_OK)
        goto out;
    rc = graph_adj_scan(s, view, id, NULL, graph__collect_cb, &set, err);
    if (rc != KNOOP_OK)
        goto out;
    if (set.n > 0 && !cascade) {
        rc = knoop_error_set(err, KNOOP_ECONFLICT,
                             "node %llu still has %zu edge(s); end or delete them first, or pass "
                             "cascade to delete them with the node",
                             (unsigned long long)id, set.n);
        goto out;
    }
    if (set.n > 0 && (rc = graph__edge_delete_closure(t, &set, &order, err)) != KNOOP_OK)
        goto out;
    if (graph__props_unpack(old.props, old.props_len, &zone, &oldp) != KNOOP_OK) {
        rc = knoop_error_set(err, KNOOP_ECORRUPT, "storage: node %llu: malformed properties",
                             (unsigned long long)id);
        goto out;
    }
    if ((rc = graph__node_index(t, &old, &oldp, false)) != KNOOP_OK ||
        (rc = graph__history(t, id, "delete", &old, NULL)) != KNOOP_OK)
        goto out;
    store_put_u64(key, id);
    if ((rc = store_txn_delete(t, KV_CF_NODE, key, 8)) != KNOOP_OK)
        goto out;
    if (deleted != NULL)
        for (size_t i = 0; i < order.n && rc == KNOOP_OK; i++)
            rc = graph_ids_push(deleted, order.ids[i]);
out:
    graph__idset_free(&set);
    graph_ids_free(&order);
    graph_node_clear(&old);
    msgpack_zone_destroy(&zone);
    if (rc == KNOOP_ENOMEM && (err == NULL || err->code != KNOOP_ENOMEM))
        knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    return rc;
}

int graph_node_delete_tx(store_txn_t *t, uint64_t id, bool cascade, graph_ids_t *deleted,
                         knoop_error_t *err)
{
    return graph__node_remove(t, id, cascade, GRAPH_OP_DELETE, deleted, err);
}

int graph_node_erase_tx(store_txn_t *t, uint64_t id, graph_ids_t *deleted, knoop_error_t *err)
{
    return graph__node_remove(t, id, true, GRAPH_OP_ERASE, deleted, err);
}

int graph_node_delete(store_t *s, const store_who_t *who, uint64_t id, bool cascade,
                      graph_ids_t *deleted, knoop_error_t *err)
{
    store_txn_t *t;
    size_t n0 = deleted != NULL ? deleted->n : 0;
    int rc = store_txn_begin(s, who, &t, err);
    if (rc != KNOOP_OK)
        return rc;
    rc = graph__finish(t, graph_node_delete_tx(t, id, cascade, deleted, err), err);
    if (rc != KNOOP_OK && deleted != NULL)
        deleted->n = n0;
    return rc;
}

/* Scans idx keys with prefix p, calling back with the trailing 8-byte id of each. */
static int graph__idx_scan(store_t *s, const store_view_t *view, const unsigned char *p,
                           size_t plen, int kind, const char *type, size_t limit, graph_ids_t *out,
                           bool *more, knoop_error_t *err)
{
    unsigned char upper[700];
    bool has_upper;
    store_iter_t *it;
    int rc = KNOOP_OK;

    memcpy(upper, p, plen);
    has_upper = graph__prefix_successor(upper, plen);
    it = store_iter(s, view, KV_CF_IDX, p, plen, has_upper ? upper : NULL, plen);
    if (it == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    for (; store_iter_valid(it); store_iter_next(it)) {
        size_t kl;
        const unsigned char *k = store_iter_key(it, &kl);
        uint64_t id;
        if (kl < plen + 8)
            continue;
        id = store_get_u64(k + kl - 8);
        if (kind != 0 || type != NULL) {
            graph_node_t n;
            bool ok;
            rc = graph__node_read(s, view, id, &n, err);
            if (rc == KNOOP_ENOTFOUND)
                continue;
            if (rc != KNOOP_OK)
                break;
            ok = (kind == 0 || (int)n.kind == kind) && (type == NULL || strcmp(n.type, type) == 0);
            graph_node_clear(&n);
            if (!ok)
                continue;
        }
        if (out->n >= limit) {
            *more = true;
            break;
        }
        if ((rc = graph_ids_push(out, id)) != KNOOP_OK) {
            knoop_error_set(err, rc, "out of memory");
            break;
        }
    }
    if (rc == KNOOP_OK)
        rc = store_iter_status(it, err);
    store_iter_free(it);
    return rc;
}

int graph_node_find(store_t *s, const store_view_t *view, int kind, const char *type,
                    const char *name, size_t limit, graph_ids_t *out, bool *more,
                    knoop_error_t *err)
{
    unsigned char p[700];
    size_t plen;
    int rc = KNOOP_OK;

    *more = false;
    if (type != NULL && type[0] == '\0')
        type = NULL;
    if (name != NULL) {
        int nl;
        p[0] = STORE_IDX_NAME;
        nl = schema_name_normalise(name, strlen(name), (char *)p + 1, KNOOP_MAX_INDEX_NAME_BYTES);
        if (nl < 0)
            return knoop_error_set(err, nl, "name: not valid UTF-8");
        return graph__idx_scan(s, view, p, 1 + (size_t)nl, kind, type, limit, out, more, err);
    }
    if (kind != 0 || type != NULL) {
        int k0 = kind ? kind : SCHEMA_KIND_FIRST, k1 = kind ? kind : SCHEMA_KIND_LAST;
        for (int k = k0; k <= k1 && rc == KNOOP_OK && !*more; k++) {
            p[0] = STORE_IDX_TYPE;
            p[1] = (unsigned char)k;
            plen = 2;
            if (type != NULL) {
                size_t tl = strlen(type);
                if (tl > KNOOP_MAX_NAME_BYTES)
                    return KNOOP_OK;
                memcpy(p + 2, type, tl);
                p[2 + tl] = 0;
                plen = 3 + tl;
            }
            rc = graph__idx_scan(s, view, p, plen, 0, NULL, limit, out, more, err);
        }
        return rc;
    }
    {
        store_iter_t *it = store_iter(s, view, KV_CF_NODE, NULL, 0, NULL, 0);
        if (it == NULL)
            return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
        for (; store_iter_valid(it); store_iter_next(it)) {
            size_t kl;
            const unsigned char *k = store_iter_key(it, &kl);
            if (kl != 8)
                continue;
            if (out->n >= limit) {
                *more = true;
                break;
            }
            if ((rc = graph_ids_push(out, store_get_u64(k))) != KNOOP_OK) {
                knoop_error_set(err, rc, "out of memory");
                break;
            }
        }
        if (rc == KNOOP_OK)
            rc = store_iter_status(it, err);
        store_iter_free(it);
    }
    return rc;
}
