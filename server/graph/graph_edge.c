/*
 * graph_edge.c - time-bounded edges: create, read, end with on-behalf-of cascades, delete
 * closures and adjacency scans (layer: graph).
 */
#include <stdlib.h>
#include <string.h>

#include "graph_int.h"

#include <time.h>

static int64_t graph__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int graph_edge_get(store_t *s, const store_view_t *view, uint64_t id, graph_edge_t *out,
                   knoop_error_t *err)
{
    return graph__edge_read(s, view, id, out, err);
}

bool graph_time_match(const graph_filter_t *f, schema_date_t from, schema_date_t to)
{
    if (f == NULL)
        return true;
    switch (f->time) {
    case GRAPH_TIME_AT:
        return from <= f->at && f->at < to;
    case GRAPH_TIME_OVERLAP:
        return from < f->to && f->from < to;
    default:
        return true;
    }
}

static int graph__adj_scan_dir(store_t *s, const store_view_t *view, uint64_t node, char dir,
                               const graph_filter_t *f, graph_adj_cb cb, void *arg, bool *stopped,
                               knoop_error_t *err)
{
    unsigned char lo[STORE_ADJ_KEY_MAX], hi[STORE_ADJ_KEY_MAX];
    const char *type = f != NULL ? f->type : NULL;
    size_t plen = store_key_adj(lo, node, dir, type, type ? strlen(type) : 0, 0, 0, false);
    store_iter_t *it;
    bool has_hi;
    int rc;

    memcpy(hi, lo, plen);
    has_hi = graph__prefix_successor(hi, plen);
    it = store_iter(s, view, KV_CF_ADJ, lo, plen, has_hi ? hi : NULL, plen);
    if (it == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    for (; store_iter_valid(it); store_iter_next(it)) {
        size_t kl, vl;
        const unsigned char *k = store_iter_key(it, &kl);
        const unsigned char *v = store_iter_value(it, &vl);
        graph_adj_t a;
        char d;
        if (vl != 8 ||
            !store_key_adj_decode(k, kl, &a.node, &d, &a.type, &a.type_len, &a.other, &a.edge)) {
            store_iter_free(it);
            return knoop_error_set(err, KNOOP_ECORRUPT,
                                   "storage: malformed adjacency entry of node %llu",
                                   (unsigned long long)node);
        }
        a.valid_from = store_get_date(v);
        a.valid_to = store_get_date(v + 4);
        if (!graph_time_match(f, a.valid_from, a.valid_to))
            continue;
        a.dir = d == STORE_DIR_OUT ? GRAPH_OUT : GRAPH_IN;
        if (cb(arg, &a) != 0) {
            *stopped = true;
            break;
        }
    }
    rc = store_iter_status(it, err);
    store_iter_free(it);
    return rc;
}

/* How many entries ahead a walk through the date index asks for the entry it will read: the
 * candidates are scattered over the direction's entries (a gemeente's 700 of 2,700 on a day),
 * each in a cache line of its own, and without it the walk waited on memory for most of them
 * (perf, warm k = 1 path questions: two thirds of its samples on the load of an entry's dates;
 * its share of knoopd's samples 21.6% -> 15.8% with it). */
#define GRAPH_ADJ_PREFETCH 8

/* graph__adj_scan_dir over a node's cached adjacency (store_adj_get): the same entries, in the
 * same order, filtered in memory. */
static bool graph__adj_walk(const store_adj_t *adj, uint64_t node, char dir,
                            const graph_filter_t *f, graph_adj_cb cb, void *arg)
{
    const char *type = f != NULL ? f->type : NULL;
    size_t tlen = type != NULL ? strlen(type) : 0, n, nc = 0;
    const store_adj_ent_t *e = store_adj_entries(adj, dir, &n);
    const char *types = store_adj_types(adj);
    graph_adj_t a = { .node = node, .dir = dir == STORE_DIR_OUT ? GRAPH_OUT : GRAPH_IN };
    /* On a date, only the entries the date index names can match (store_adj_at). */
    const uint32_t *cand =
        f != NULL && f->time == GRAPH_TIME_AT ? store_adj_at(adj, dir, f->at, &nc) : NULL;
    if (cand != NULL)
        n = nc;
    for (size_t k = 0; k < n; k++) {
        size_t i = cand != NULL ? cand[k] : k;
        if (cand != NULL && k + GRAPH_ADJ_PREFETCH < n)
            __builtin_prefetch(&e[cand[k + GRAPH_ADJ_PREFETCH]]);
        if (type != NULL &&
            (e[i].type_len != tlen || memcmp(types + e[i].type_off, type, tlen) != 0))
            continue;
        if (!graph_time_match(f, e[i].valid_from, e[i].valid_to))
            continue;
        a.other = e[i].other;
        a.edge = e[i].edge;
        a.type = types + e[i].type_off;
        a.type_len = e[i].type_len;
        a.valid_from = e[i].valid_from;
        a.valid_to = e[i].valid_to;
        if (cb(arg, &a) != 0)
            return true;
    }
    return false;
}

bool graph_adj_small(store_t *s, uint64_t node, size_t max)
{
    size_t n;
    return store_adj_cached(s, node, &n) && n <= max;
}

int graph_adj_scan(store_t *s, const store_view_t *view, uint64_t node, const graph_filter_t *f,
                   graph_adj_cb cb, void *arg, knoop_error_t *err)
{
    graph_dir_t dir = f != NULL && f->dir != 0 ? f->dir : GRAPH_BOTH;
    bool stopped = false;
    store_adj_t *adj;
    int rc = KNOOP_OK;
    if (f != NULL && f->type != NULL && strlen(f->type) > 255)
        return KNOOP_OK; /* no stored type is that long */
    if ((rc = store_adj_get(s, view, node, &adj, err)) != KNOOP_OK)
        return rc;
    if (adj != NULL) {
        if (dir & GRAPH_OUT)
            stopped = graph__adj_walk(adj, node, STORE_DIR_OUT, f, cb, arg);
        if (!stopped && (dir & GRAPH_IN))
            graph__adj_walk(adj, node, STORE_DIR_IN, f, cb, arg);
        store_adj_release(adj);
        return KNOOP_OK;
    }
    if (dir & GRAPH_OUT)
        rc = graph__adj_scan_dir(s, view, node, STORE_DIR_OUT, f, cb, arg, &stopped, err);
    if (rc == KNOOP_OK && !stopped && (dir & GRAPH_IN))
        rc = graph__adj_scan_dir(s, view, node, STORE_DIR_IN, f, cb, arg, &stopped, err);
    return rc;
}

/* Writes (or deletes) both adjacency entries of e. */
static int graph__adj_write(store_txn_t *t, const graph_edge_t *e, bool add)
{
    unsigned char key[STORE_ADJ_KEY_MAX], val[8];
    size_t tl = strlen(e->type), kl;
    int rc;
    store_put_date(val, e->valid_from);
    store_put_date(val + 4, e->valid_to);
    kl = store_key_adj(key, e->source, STORE_DIR_OUT, e->type, tl, e->target, e->id, true);
    rc = add ? store_txn_put(t, KV_CF_ADJ, key, kl, val, 8)
             : store_txn_delete(t, KV_CF_ADJ, key, kl);
    if (rc != KNOOP_OK)
        return rc;
    kl = store_key_adj(key, e->target, STORE_DIR_IN, e->type, tl, e->source, e->id, true);
    return add ? store_txn_put(t, KV_CF_ADJ, key, kl, val, 8)
               : store_txn_delete(t, KV_CF_ADJ, key, kl);
}

static void graph__behalf_key(unsigned char *k, uint64_t base, uint64_t dep)
{
    k[0] = STORE_IDX_BEHALF;
    store_put_u64(k + 1, base);
    store_put_u64(k + 9, dep);
}

static int graph__edge_write(store_txn_t *t, const graph_edge_t *e)
{
    unsigned char key[8], *rec;
    size_t rlen;
    int rc = graph__edge_encode(e, e->props, e->props_len, &rec, &rlen);
    if (rc != KNOOP_OK)
        return rc;
    store_put_u64(key, e->id);
    rc = store_txn_put(t, KV_CF_EDGE, key, 8, rec, rlen);
    knoop_free(rec);
    if (rc != KNOOP_OK)
        return rc;
    return graph__adj_write(t, e, true);
}

static int graph__edge_history(store_txn_t *t, const char *op, const graph_edge_t *before,
                               const graph_edge_t *after)
{
    size_t bl = 0, al = 0;
    char *b = before ? graph__edge_packed(before, &bl) : NULL;
    char *a = after ? graph__edge_packed(after, &al) : NULL;
    int rc = KNOOP_ENOMEM;
    if ((before == NULL || b != NULL) && (after == NULL || a != NULL))
        rc = store_txn_history(t, before ? before->id : after->id, op, b, bl, a, al);
    knoop_free(b);
    knoop_free(a);
    return rc;
}

int graph_edge_create_tx(store_txn_t *t, const char *type, uint64_t source, uint64_t target,
                         schema_date_t from, schema_date_t to, const msgpack_object *props,
                         uint64_t on_behalf_of, graph_edge_t *out, knoop_error_t *err)
{
    store_t *s = store_txn_store(t);
    const store_view_t *view = store_txn_view(t);
    graph_edge_t e;
    knoop_buf_t sb, repl;
    msgpack_packer pk;
    graph_node_t src, tgt;
    void *v;
    size_t vl;
    unsigned char key[17];
    char d1[11], d2[11];
    int rc;

    memset(&e, 0, sizeof(e));
    if (out != NULL)
        memset(out, 0, sizeof(*out));
    if (type == NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "type: required");
    if ((rc = schema_check_name(type, strlen(type), "type", err)) != KNOOP_OK)
        return rc;
    if (strlen(type) > 255)
        return knoop_error_set(err, KNOOP_EINVAL, "type: longer than 255 bytes");
    if (from < SCHEMA_DATE_MIN || from > SCHEMA_DATE_MAX)
        return knoop_error_set(err, KNOOP_EINVAL, "valid_from: out of range");
    if (to != SCHEMA_DATE_OPEN && (to < SCHEMA_DATE_MIN || to > SCHEMA_DATE_MAX))
        return knoop_error_set(err, KNOOP_EINVAL, "valid_to: out of range");
    if (to < from)
        return knoop_error_set(err, KNOOP_EINVAL, "valid_to: %s is before valid_from %s",
                               schema_date_format(to, d1), schema_date_format(from, d2));
    if ((rc = graph__props_check(props, "props", err)) != KNOOP_OK)
        return rc;
    memcpy(e.type, type, strlen(type) + 1);
    knoop_buf_init(&sb);
    msgpack_packer_init(&pk, &sb, knoop_buf_write);
    if (props == NULL || props->type == MSGPACK_OBJECT_NIL)
        msgpack_pack_map(&pk, 0);
    else
        msgpack_pack_object(&pk, *props);
    if (sb.data == NULL || knoop_buf_failed(&sb))
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    knoop_buf_init(&repl);
    memset(&src, 0, sizeof(src));
    memset(&tgt, 0, sizeof(tgt));

    /* Both ends and the base edge must exist now, inside the writer lock. */
    if ((rc = graph__node_read(s, view, source, &src, err)) != KNOOP_OK) {
        if (rc == KNOOP_ENOTFOUND)
            knoop_error_set(err, rc, "source: node %llu does not exist",
                            (unsigned long long)source);
        goto out;
    }
    if ((rc = graph__node_read(s, view, target, &tgt, err)) != KNOOP_OK) {
        if (rc == KNOOP_ENOTFOUND)
            knoop_error_set(err, rc, "target: node %llu does not exist",
                            (unsigned long long)target);
        goto out;
    }
    if (graph__hooks.edge != NULL) {
        msgpack_object empty = { .type = MSGPACK_OBJECT_MAP };
        const msgpack_object *pp =
            props != NULL && props->type != MSGPACK_OBJECT_NIL ? props : &empty;
        graph_edge_t probe = e;
        probe.source = source;
        probe.target = target;
        probe.valid_from = from;
        probe.valid_to = to;
        probe.on_behalf_of = on_behalf_of;
        rc = graph__hooks.edge(graph__hooks.arg, view, &probe, &src, &tgt, pp, &repl, err);
        if (rc == KNOOP_OK && knoop_buf_failed(&repl))
            rc = KNOOP_ENOMEM;
        if (rc != KNOOP_OK)
            goto out;
        if (repl.size > 0) {
            /* The hook normalised the properties: store its map instead. */
            knoop_buf_clear(&sb);
            knoop_buf_write(&sb, repl.data, repl.size);
        }
    }
    if (on_behalf_of != 0) {
        store_put_u64(key, on_behalf_of);
        if ((rc = store_get(s, view, KV_CF_EDGE, key, 8, &v, &vl, err)) != KNOOP_OK) {
            if (rc == KNOOP_ENOTFOUND)
                knoop_error_set(err, rc, "on_behalf_of: edge %llu does not exist",
                                (unsigned long long)on_behalf_of);
            goto out;
        }
        kv_free(v);
    }
    e.id = store_txn_alloc_id(t);
    e.source = source;
    e.target = target;
    e.valid_from = from;
    e.valid_to = to;
    e.on_behalf_of = on_behalf_of;
    e.version = 1;
    e.created_ms = e.updated_ms = store_txn_time(t);
    e.props = sb.data;
    e.props_len = sb.size;
    if ((rc = graph__edge_write(t, &e)) != KNOOP_OK ||
        (rc = graph__edge_history(t, "create", NULL, &e)) != KNOOP_OK)
        goto out;
    if (on_behalf_of != 0) {
        graph__behalf_key(key, on_behalf_of, e.id);
        if ((rc = store_txn_put(t, KV_CF_IDX, key, 17, "", 0)) != KNOOP_OK)
            goto out;
    }
    if (out != NULL) {
        *out = e;
        out->buf_ = knoop_buf_release(&sb);
        out->props = out->buf_;
    }
out:
    knoop_buf_destroy(&sb);
    knoop_buf_destroy(&repl);
    graph_node_clear(&src);
    graph_node_clear(&tgt);
    if (rc == KNOOP_ENOMEM && (err == NULL || err->code != KNOOP_ENOMEM))
        knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    return rc;
}

int graph_edge_create(store_t *s, const store_who_t *who, const char *type, uint64_t source,
                      uint64_t target, schema_date_t from, schema_date_t to,
                      const msgpack_object *props, uint64_t on_behalf_of, graph_edge_t *out,
                      knoop_error_t *err)
{
    store_txn_t *t;
    int rc = store_txn_begin(s, who, &t, err);
    if (rc != KNOOP_OK)
        return rc;
    rc = graph_edge_create_tx(t, type, source, target, from, to, props, on_behalf_of, out, err);
    rc = graph__finish(t, rc, err);
    if (rc != KNOOP_OK && out != NULL)
        graph_edge_clear(out);
    return rc;
}

/* Appends the ids of edges held on behalf of base to l. */
static int graph__dependents(store_t *s, const store_view_t *view, uint64_t base, graph_ids_t *l,
                             knoop_error_t *err)
{
    unsigned char lo[9], hi[9];
    store_iter_t *it;
    int rc = KNOOP_OK;
    lo[0] = STORE_IDX_BEHALF;
    store_put_u64(lo + 1, base);
    memcpy(hi, lo, 9);
    graph__prefix_successor(hi, 9);
    it = store_iter(s, view, KV_CF_IDX, lo, 9, hi, 9);
    if (it == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    for (; store_iter_valid(it) && rc == KNOOP_OK; store_iter_next(it)) {
        size_t kl;
        const unsigned char *k = store_iter_key(it, &kl);
        if (kl == 17)
            rc = graph_ids_push(l, store_get_u64(k + 9));
    }
    if (rc != KNOOP_OK)
        knoop_error_set(err, rc, "out of memory");
    else
        rc = store_iter_status(it, err);
    store_iter_free(it);
    return rc;
}

/* Rewrites e with valid_to = to (record, both adjacency entries, history). */
static int graph__edge_set_end(store_txn_t *t, const graph_edge_t *old, schema_date_t to)
{
    graph_edge_t e = *old;
    int rc;
    e.valid_to = to;
    e.version = old->version + 1;
    e.updated_ms = store_txn_time(t);
    if ((rc = graph__edge_write(t, &e)) != KNOOP_OK)
        return rc;
    return graph__edge_history(t, "end", old, &e);
}

int graph_edge_end_tx(store_txn_t *t, uint64_t id, schema_date_t on, graph_ids_t *ended,
                      knoop_error_t *err)
{
    store_t *s = store_txn_store(t);
    const store_view_t *view = store_txn_view(t);
    graph_edge_t e;
    graph_ids_t queue = { 0 }, done = { 0 };
    graph__idset_t seen = { 0 };
    char d1[11], d2[11];
    size_t qi = 0;
    int rc;

    memset(&e, 0, sizeof(e));
    if (on < SCHEMA_DATE_MIN || on > SCHEMA_DATE_MAX)
        return knoop_error_set(err, KNOOP_EINVAL, "on: out of range");
    if ((rc = graph__edge_read(s, view, id, &e, err)) != KNOOP_OK)
        goto out;
    if (on < e.valid_from) {
        rc = knoop_error_set(err, KNOOP_EINVAL, "on: %s is before the edge's valid_from %s",
                             schema_date_format(on, d1), schema_date_format(e.valid_from, d2));
        goto out;
    }
    if (e.valid_to != SCHEMA_DATE_OPEN && e.valid_to <= on) {
        rc = knoop_error_set(err, KNOOP_ECONFLICT, "edge %llu already ended on %s",
                             (unsigned long long)id, schema_date_format(e.valid_to, d1));
        goto out;
    }
    if ((rc = graph__edge_set_end(t, &e, on)) != KNOOP_OK ||
        (rc = graph_ids_push(&done, id)) != KNOOP_OK || (rc = graph__idset_add(&seen, id)) < 0)
        goto out;
    graph_edge_clear(&e);
    if ((rc = graph__dependents(s, view, id, &queue, err)) != KNOOP_OK)
        goto out;
    /* Breadth first through the on-behalf-of tree; each edge visited once. */
    while (qi < queue.n) {
        uint64_t dep = queue.ids[qi++];
        schema_date_t to;
        if ((rc = store_txn_check_deadline(t, err)) != KNOOP_OK)
            goto out;
        if ((rc = graph__idset_add(&seen, dep)) < 0)
            goto out;
        if (rc == 0)
            continue;
        if ((rc = graph__edge_read(s, view, dep, &e, err)) != KNOOP_OK)
            goto out;
        to = on > e.valid_from ? on : e.valid_from;
        if (e.valid_to == SCHEMA_DATE_OPEN || e.valid_to > to) {
            if ((rc = graph__edge_set_end(t, &e, to)) != KNOOP_OK ||
                (rc = graph_ids_push(&done, dep)) != KNOOP_OK)
                goto out;
        }
        graph_edge_clear(&e);
        if ((rc = graph__dependents(s, view, dep, &queue, err)) != KNOOP_OK)
            goto out;
    }
    rc = KNOOP_OK;
    if (ended != NULL)
        for (size_t i = 0; i < done.n && rc == KNOOP_OK; i++)
            rc = graph_ids_push(ended, done.ids[i]);
out:
    graph_edge_clear(&e);
    graph_ids_free(&queue);
    graph_ids_free(&done);
    graph__idset_free(&seen);
    if (rc == KNOOP_ENOMEM && (err == NULL || err->code != KNOOP_ENOMEM))
        knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    return rc;
}

int graph_edge_end(store_t *s, const store_who_t *who, uint64_t id, schema_date_t on,
                   graph_ids_t *ended, knoop_error_t *err)
{
    store_txn_t *t;
    size_t n0 = ended != NULL ? ended->n : 0;
    int rc = store_txn_begin(s, who, &t, err);
    if (rc != KNOOP_OK)
        return rc;
    rc = graph__finish(t, graph_edge_end_tx(t, id, on, ended, err), err);
    if (rc != KNOOP_OK && ended != NULL)
        ended->n = n0;
    return rc;
}

int graph__edge_delete_closure(store_txn_t *t, graph__idset_t *set, graph_ids_t *order,
                               knoop_error_t *err)
{
    store_t *s = store_txn_store(t);
    const store_view_t *view = store_txn_view(t);
    graph_ids_t queue = { 0 };
    size_t qi = 0;
    int rc = KNOOP_OK;

    /* Seed the queue with the set's members, then follow dependents. */
    for (size_t i = 0; i < set->cap && rc == KNOOP_OK; i++)
        if (set->slots[i] != 0)
            rc = graph_ids_push(&queue, set->slots[i]);
    while (rc == KNOOP_OK && qi < queue.n) {
        uint64_t id = queue.ids[qi++];
        graph_edge_t e;
        unsigned char key[17];
        size_t before = queue.n;
        if ((rc = store_txn_check_deadline(t, err)) != KNOOP_OK)
            break;
        if ((rc = graph__edge_read(s, view, id, &e, err)) != KNOOP_OK)
            break;
        rc = graph__adj_write(t, &e, false);
        store_put_u64(key, id);
        if (rc == KNOOP_OK)
            rc = store_txn_delete(t, KV_CF_EDGE, key, 8);
        if (rc == KNOOP_OK && e.on_behalf_of != 0) {
            graph__behalf_key(key, e.on_behalf_of, id);
            rc = store_txn_delete(t, KV_CF_IDX, key, 17);
        }
        if (rc == KNOOP_OK)
            rc = graph__edge_history(t, "delete", &e, NULL);
        graph_edge_clear(&e);
        if (rc == KNOOP_OK)
            rc = graph_ids_push(order, id);
        if (rc == KNOOP_OK)
            rc = graph__dependents(s, view, id, &queue, err);
        /* Keep only dependents not already queued. */
        for (size_t i = before; rc == KNOOP_OK && i < queue.n;) {
            int added = graph__idset_add(set, queue.ids[i]);
            if (added < 0) {
                rc = added;
            } else if (added == 0) {
                queue.ids[i] = queue.ids[--queue.n];
            } else {
                i++;
            }
        }
    }
    graph_ids_free(&queue);
    return rc;
}

int graph_adj_scan_all(store_t *s, const store_view_t *view, graph_dir_t dir, int64_t deadline_ms,
                       graph_adj_cb cb, void *arg, knoop_error_t *err)
{
    char want = dir == GRAPH_IN ? STORE_DIR_IN : STORE_DIR_OUT;
    store_iter_t *it = store_iter(s, view, KV_CF_ADJ, NULL, 0, NULL, 0);
    uint64_t n = 0;
    int rc;
    if (it == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    for (; store_iter_valid(it); store_iter_next(it)) {
        size_t kl, vl;
        const unsigned char *k = store_iter_key(it, &kl);
        const unsigned char *v = store_iter_value(it, &vl);
        graph_adj_t a;
        char d;
        if ((++n & 1023) == 0 && deadline_ms != 0 && graph__now_ms() > deadline_ms) {
            store_iter_free(it);
            return knoop_error_set(err, KNOOP_EUNAVAIL,
                                   "request took longer than the server's time per request");
        }
        if (vl != 8 ||
            !store_key_adj_decode(k, kl, &a.node, &d, &a.type, &a.type_len, &a.other, &a.edge)) {
            store_iter_free(it);
            return knoop_error_set(err, KNOOP_ECORRUPT, "storage: malformed adjacency entry");
        }
        if (d != want)
            continue;
        a.valid_from = store_get_date(v);
        a.valid_to = store_get_date(v + 4);
        a.dir = d == STORE_DIR_OUT ? GRAPH_OUT : GRAPH_IN;
        if (cb(arg, &a) != 0)
            break;
    }
    rc = store_iter_status(it, err);
    store_iter_free(it);
    return rc;
}

/* True when the maps a and b hold the same keys with equal values, in any order. */
static bool graph__map_equal(const msgpack_object *a, const msgpack_object *b)
{
    if (a->via.map.size != b->via.map.size)
        return false;
    for (uint32_t i = 0; i < a->via.map.size; i++) {
        const msgpack_object *k = &a->via.map.ptr[i].key;
        const msgpack_object *bv = graph__map_get(b, k->via.str.ptr, k->via.str.size);
        if (k->type != MSGPACK_OBJECT_STR || bv == NULL ||
            !msgpack_object_equal(a->via.map.ptr[i].val, *bv))
            return false;
    }
    return true;
}

/*
 * Moves the ends that base's old end caused to its new end (graph_edge_update_tx), through the
 * on-behalf-of tree. seen guards against cycles.
 */
static int graph__cascade_end(store_txn_t *t, uint64_t base, schema_date_t old_to,
                              schema_date_t new_to, graph__idset_t *seen, graph_ids_t *moved,
                              knoop_error_t *err)
{
    store_t *s = store_txn_store(t);
    const store_view_t *view = store_txn_view(t);
    graph_ids_t deps = { 0 };
    int rc;
    if ((rc = graph__dependents(s, view, base, &deps, err)) != KNOOP_OK)
        goto out;
    for (size_t i = 0; i < deps.n; i++) {
        graph_edge_t d;
        schema_date_t to, caused;
        int added = graph__idset_add(seen, deps.ids[i]);
        if (added < 0) {
            rc = added;
            goto out;
        }
        if (added == 0)
            continue;
        if ((rc = store_txn_check_deadline(t, err)) != KNOOP_OK ||
            (rc = graph__edge_read(s, view, deps.ids[i], &d, err)) != KNOOP_OK)
            goto out;
        to = d.valid_to;
        caused = old_to != SCHEMA_DATE_OPEN && old_to < d.valid_from ? d.valid_from : old_to;
        if (new_to != SCHEMA_DATE_OPEN && (d.valid_to == SCHEMA_DATE_OPEN || d.valid_to > new_to))
            to = new_to > d.valid_from ? new_to : d.valid_from; /* ends earlier now */
        else if (old_to != SCHEMA_DATE_OPEN && d.valid_to == caused)
            to = new_to == SCHEMA_DATE_OPEN || new_to > d.valid_from ? new_to : d.valid_from;
        if (to != d.valid_to) {
            schema_date_t was = d.valid_to;
            graph_edge_t e = d;
            e.valid_to = to;
            e.version = d.version + 1;
            e.updated_ms = store_txn_time(t);
            if ((rc = graph__edge_write(t, &e)) != KNOOP_OK ||
                (rc = graph__edge_history(t, "update", &d, &e)) != KNOOP_OK ||
                (rc = graph_ids_push(moved, d.id)) != KNOOP_OK ||
                (rc = graph__cascade_end(t, d.id, was, to, seen, moved, err)) != KNOOP_OK) {
                graph_edge_clear(&d);
                goto out;
            }
        }
        graph_edge_clear(&d);
    }
out:
    graph_ids_free(&deps);
    return rc;
}

int graph_edge_update_tx(store_txn_t *t, uint64_t id, const msgpack_object *set,
                         const msgpack_object *unset, const schema_date_t *from,
                         const schema_date_t *to, graph_ids_t *moved, bool *changed,
                         graph_edge_t *out, knoop_error_t *err)
{
    store_t *s = store_txn_store(t);
    const store_view_t *view = store_txn_view(t);
    graph_edge_t old, e;
    graph_node_t src, tgt;
    graph_ids_t mv = { 0 };
    graph__idset_t seen = { 0 };
    msgpack_zone zone;
    msgpack_object oldp, newp, normp;
    msgpack_object_kv *kvs = NULL;
    knoop_buf_t sb, repl;
    msgpack_packer pk;
    uint32_t cnt = 0;
    char d1[11], d2[11];
    int rc;

    *changed = false;
    if (out != NULL)
        memset(out, 0, sizeof(*out));
    memset(&old, 0, sizeof(old));
    memset(&src, 0, sizeof(src));
    memset(&tgt, 0, sizeof(tgt));
    if (set != NULL && set->type == MSGPACK_OBJECT_NIL)
        set = NULL;
    if ((rc = graph__props_check(set, "set", err)) != KNOOP_OK ||
        (rc = graph__unset_check(unset, set, err)) != KNOOP_OK)
        return rc;
    if (from != NULL && (*from < SCHEMA_DATE_MIN || *from > SCHEMA_DATE_MAX))
        return knoop_error_set(err, KNOOP_EINVAL, "valid_from: out of range");
    if (to != NULL && *to != SCHEMA_DATE_OPEN && (*to < SCHEMA_DATE_MIN || *to > SCHEMA_DATE_MAX))
        return knoop_error_set(err, KNOOP_EINVAL, "valid_to: out of range");
    msgpack_zone_init(&zone, 1024);
    knoop_buf_init(&sb);
    knoop_buf_init(&repl);
    if ((rc = graph__edge_read(s, view, id, &old, err)) != KNOOP_OK)
        goto out;
    e = old;
    e.buf_ = NULL;
    if (from != NULL)
        e.valid_from = *from;
    if (to != NULL)
        e.valid_to = *to;
    if (e.valid_to < e.valid_from) {
        rc = knoop_error_set(err, KNOOP_EINVAL, "valid_to: %s is before valid_from %s",
                             schema_date_format(e.valid_to, d1),
                             schema_date_format(e.valid_from, d2));
        goto out;
    }
    if (graph__props_unpack(old.props, old.props_len, &zone, &oldp) != KNOOP_OK) {
        rc = knoop_error_set(err, KNOOP_ECORRUPT, "storage: edge %llu: malformed properties",
                             (unsigned long long)id);
        goto out;
    }
    if ((rc = graph__props_merge(&oldp, set, unset, &kvs, &newp)) != KNOOP_OK)
        goto out;
    if ((cnt = newp.via.map.size) > KNOOP_MAX_PROPERTIES) {
        rc = knoop_error_set(err, KNOOP_ETOOLARGE,
                             "set: edge %llu would have %u properties, at most %d",
                             (unsigned long long)id, (unsigned)cnt, KNOOP_MAX_PROPERTIES);
        goto out;
    }
    if ((rc = graph__node_read(s, view, old.source, &src, err)) != KNOOP_OK ||
        (rc = graph__node_read(s, view, old.target, &tgt, err)) != KNOOP_OK)
        goto out;
    if (graph__hooks.edge != NULL) {
        rc = graph__hooks.edge(graph__hooks.arg, view, &e, &src, &tgt, &newp, &repl, err);
        if (rc == KNOOP_OK && knoop_buf_failed(&repl))
            rc = KNOOP_ENOMEM;
        if (rc != KNOOP_OK)
            goto out;
        if (repl.size > 0) {
            size_t off = 0;
            if (msgpack_unpack(repl.data, repl.size, &off, &zone, &normp) !=
                    MSGPACK_UNPACK_SUCCESS ||
                normp.type != MSGPACK_OBJECT_MAP) {
                rc = knoop_error_set(err, KNOOP_EINTERNAL, "schema: validation produced no map");
                goto out;
            }
            newp = normp;
        }
    }
    if (graph__map_equal(&oldp, &newp) && e.valid_from == old.valid_from &&
        e.valid_to == old.valid_to) {
        rc = KNOOP_OK; /* nothing to correct: write nothing */
        if (out != NULL) {
            *out = old;
            old.buf_ = NULL;
        }
        goto out;
    }
    msgpack_packer_init(&pk, &sb, knoop_buf_write);
    msgpack_pack_object(&pk, newp);
    if (sb.data == NULL || knoop_buf_failed(&sb)) {
        rc = KNOOP_ENOMEM;
        goto out;
    }
    e.props = sb.data;
    e.props_len = sb.size;
    e.version = old.version + 1;
    e.updated_ms = store_txn_time(t);
    if ((rc = graph__edge_write(t, &e)) != KNOOP_OK ||
        (rc = graph__edge_history(t, "update", &old, &e)) != KNOOP_OK ||
        (rc = graph__idset_add(&seen, id)) < 0)
        goto out;
    rc = KNOOP_OK;
    if (e.valid_to != old.valid_to &&
        (rc = graph__cascade_end(t, id, old.valid_to, e.valid_to, &seen, &mv, err)) != KNOOP_OK)
        goto out;
    for (size_t i = 0; moved != NULL && i < mv.n && rc == KNOOP_OK; i++)
        rc = graph_ids_push(moved, mv.ids[i]);
    if (rc != KNOOP_OK)
        goto out;
    *changed = true;
    if (out != NULL) {
        *out = e;
        out->buf_ = knoop_buf_release(&sb);
        out->props = out->buf_;
    }
out:
    knoop_free(kvs);
    graph_edge_clear(&old);
    graph_node_clear(&src);
    graph_node_clear(&tgt);
    graph_ids_free(&mv);
    graph__idset_free(&seen);
    knoop_buf_destroy(&sb);
    knoop_buf_destroy(&repl);
    msgpack_zone_destroy(&zone);
    if (rc != KNOOP_OK)
        *changed = false;
    if (rc == KNOOP_ENOMEM && (err == NULL || err->code != KNOOP_ENOMEM))
        knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    return rc;
}
