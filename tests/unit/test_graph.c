/*
 * test_graph.c - unit tests for the nodes of server/graph/graph.h: create, read, update, delete,
 * the name, external-key and kind/type indexes, history entries and persistence, on a real
 * RocksDB in a temporary directory.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <cmocka.h>

#include "graph.h"
#include "testutil.h"

typedef struct {
    char dir[256];
    store_t *s;
} fx_t;

static const store_who_t WHO = { "tester", "unit test" };

static store_t *open_store(const char *dir)
{
    store_options_t o;
    knoop_error_t err;
    store_t *s = NULL;
    store_options_default(&o);
    o.sync = false;
    if (store_open(dir, &o, &s, &err) != 0)
        fail_msg("store_open: %s", err.msg);
    return s;
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    tu_mkdtemp(f->dir, sizeof f->dir);
    kv_fault_set(0, false);
    f->s = open_store(f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    kv_fault_set(0, false);
    store_close(f->s);
    tu_rmtree(f->dir);
    free(f);
    return 0;
}

static void reopen(fx_t *f)
{
    store_close(f->s);
    f->s = open_store(f->dir);
}

static int64_t now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Creates a node with string properties (key, value pairs ended by NULL); returns its id. */
static uint64_t mknode(fx_t *f, schema_kind_t kind, const char *type, ...)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    va_list ap;
    uint32_t n = 0;
    tu_obj_t o;
    graph_node_t node;
    knoop_error_t err;

    va_start(ap, type);
    while (va_arg(ap, const char *) != NULL) {
        (void)va_arg(ap, const char *);
        n++;
    }
    va_end(ap);
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, n);
    va_start(ap, type);
    for (uint32_t i = 0; i < 2 * n; i++) {
        const char *s = va_arg(ap, const char *);
        msgpack_pack_str(&pk, strlen(s));
        msgpack_pack_str_body(&pk, s, strlen(s));
    }
    va_end(ap);
    tu_obj_init(&o);
    const msgpack_object *props = tu_from_sbuf(&o, &sb);
    memset(&node, 0, sizeof node);
    knoop_error_clear(&err);
    int rc = graph_node_create(f->s, &WHO, kind, type, props, &node, &err);
    if (rc != 0)
        fail_msg("graph_node_create: %d %s", rc, err.msg);
    uint64_t id = node.id;
    graph_node_clear(&node);
    tu_obj_free(&o);
    msgpack_sbuffer_destroy(&sb);
    assert_true(id != 0);
    return id;
}

static uint64_t mkedge(fx_t *f, const char *type, uint64_t src, uint64_t dst, uint64_t behalf)
{
    graph_edge_t e;
    knoop_error_t err;
    memset(&e, 0, sizeof e);
    int rc = graph_edge_create(f->s, &WHO, type, src, dst, 17956, SCHEMA_DATE_OPEN, NULL, behalf,
                               &e, &err);
    if (rc != 0)
        fail_msg("graph_edge_create: %d %s", rc, err.msg);
    uint64_t id = e.id;
    graph_edge_clear(&e);
    return id;
}

/* Every node id (find with neither name nor kind). */
static size_t count_nodes(fx_t *f)
{
    graph_ids_t ids = { 0 };
    bool more = true;
    knoop_error_t err;
    assert_int_equal(graph_node_find(f->s, NULL, 0, NULL, NULL, 100000, &ids, &more, &err), 0);
    assert_false(more);
    size_t n = ids.n;
    graph_ids_free(&ids);
    return n;
}

/* Finds by name; returns the number of hits and writes up to 8 ids into out. */
static size_t find_name(fx_t *f, const store_view_t *snap, const char *name, uint64_t *out)
{
    graph_ids_t ids = { 0 };
    bool more = true;
    knoop_error_t err;
    knoop_error_clear(&err);
    int rc = graph_node_find(f->s, snap, 0, NULL, name, 1000, &ids, &more, &err);
    if (rc != 0)
        fail_msg("graph_node_find(name '%s'): %d %s", name, rc, err.msg);
    assert_false(more);
    size_t n = ids.n;
    for (size_t i = 0; out != NULL && i < n && i < 8; i++)
        out[i] = ids.ids[i];
    graph_ids_free(&ids);
    return n;
}

static int by_key(fx_t *f, const char *value, uint64_t *id)
{
    knoop_error_t err;
    *id = 0;
    return graph_node_by_key(f->s, NULL, value, strlen(value), id, &err);
}

static void get_node(fx_t *f, uint64_t id, graph_node_t *n)
{
    knoop_error_t err;
    memset(n, 0, sizeof *n);
    int rc = graph_node_get(f->s, NULL, id, n, &err);
    if (rc != 0)
        fail_msg("graph_node_get(%llu): %d %s", (unsigned long long)id, rc, err.msg);
}

/* The value of property name in the node's props (NULL when absent); o holds the memory. */
static const msgpack_object *prop(tu_obj_t *o, const graph_node_t *n, const char *name)
{
    const msgpack_object *m = tu_unpack(o, n->props, n->props_len);
    assert_int_equal(m->type, MSGPACK_OBJECT_MAP);
    return tu_map_get(m, name);
}

static uint64_t node_version(fx_t *f, uint64_t id)
{
    graph_node_t n;
    get_node(f, id, &n);
    uint64_t v = n.version;
    graph_node_clear(&n);
    return v;
}

static bool node_exists(fx_t *f, uint64_t id)
{
    graph_node_t n;
    knoop_error_t err;
    memset(&n, 0, sizeof n);
    int rc = graph_node_get(f->s, NULL, id, &n, &err);
    if (rc == 0)
        graph_node_clear(&n);
    else
        assert_int_equal(rc, KNOOP_ENOTFOUND);
    return rc == 0;
}

static bool edge_exists(fx_t *f, uint64_t id)
{
    graph_edge_t e;
    knoop_error_t err;
    memset(&e, 0, sizeof e);
    int rc = graph_edge_get(f->s, NULL, id, &e, &err);
    if (rc == 0)
        graph_edge_clear(&e);
    else
        assert_int_equal(rc, KNOOP_ENOTFOUND);
    return rc == 0;
}

static int count_cb(void *arg, const graph_adj_t *a)
{
    (void)a;
    (*(int *)arg)++;
    return 0;
}

static int adj_count(fx_t *f, uint64_t node)
{
    int n = 0;
    knoop_error_t err;
    assert_int_equal(graph_adj_scan(f->s, NULL, node, NULL, count_cb, &n, &err), 0);
    return n;
}

static int update(fx_t *f, uint64_t id, const msgpack_object *set, const msgpack_object *unset,
                  uint64_t if_version, graph_node_t *out)
{
    knoop_error_t err;
    knoop_error_clear(&err);
    int rc = graph_node_update(f->s, &WHO, id, set, unset, if_version, out, &err);
    if (rc != 0)
        assert_int_equal(err.code, rc);
    return rc;
}

/* Collected history entries of one entity, as packed copies. */
typedef struct {
    size_t n;
    char *e[16];
    size_t len[16];
} hist_t;

static int hist_cb(void *arg, const void *entry, size_t len)
{
    hist_t *h = arg;
    if (h->n < 16) {
        h->e[h->n] = malloc(len);
        memcpy(h->e[h->n], entry, len);
        h->len[h->n] = len;
    }
    h->n++;
    return 0;
}

static void hist_load(fx_t *f, uint64_t id, hist_t *h)
{
    knoop_error_t err;
    memset(h, 0, sizeof *h);
    assert_int_equal(store_hist_scan(f->s, NULL, id, hist_cb, h, &err), 0);
}

static void hist_free(hist_t *h)
{
    for (size_t i = 0; i < h->n && i < 16; i++)
        free(h->e[i]);
}

/* ---- create and get ---- */

static void node_create_stores_kind_type_props_and_version_1(void **state)
{
    fx_t *f = *state;
    tu_obj_t o;
    graph_node_t n;
    knoop_error_t err;
    tu_obj_init(&o);
    const msgpack_object *props = tu_map_str(&o, "name", "Almere", "cbs_code", "GM0034", NULL);
    int64_t before = now_ms();
    memset(&n, 0, sizeof n);
    assert_int_equal(
        graph_node_create(f->s, &WHO, SCHEMA_KIND_ORGANISATION, "gemeente", props, &n, &err), 0);
    int64_t after = now_ms();
    assert_true(n.id != 0);
    assert_int_equal(n.kind, SCHEMA_KIND_ORGANISATION);
    assert_string_equal(n.type, "gemeente");
    assert_true(n.version == 1);
    assert_true(n.created_ms >= before - 1 && n.created_ms <= after + 1);
    assert_true(n.updated_ms == n.created_ms);
    uint64_t id = n.id;
    graph_node_clear(&n);

    get_node(f, id, &n);
    assert_true(n.id == id);
    assert_int_equal(n.kind, SCHEMA_KIND_ORGANISATION);
    assert_string_equal(n.type, "gemeente");
    assert_true(n.version == 1);
    assert_true(tu_str_eq(prop(&o, &n, "name"), "Almere"));
    assert_true(tu_str_eq(prop(&o, &n, "cbs_code"), "GM0034"));
    assert_int_equal(tu_unpack(&o, n.props, n.props_len)->via.map.size, 2);
    graph_node_clear(&n);
    tu_obj_free(&o);
}

static void node_create_untyped_and_without_props_has_empty_type_and_map(void **state)
{
    fx_t *f = *state;
    graph_node_t n;
    knoop_error_t err;
    tu_obj_t o;
    tu_obj_init(&o);
    memset(&n, 0, sizeof n);
    assert_int_equal(graph_node_create(f->s, &WHO, SCHEMA_KIND_PERSON, NULL, NULL, &n, &err), 0);
    uint64_t a = n.id;
    graph_node_clear(&n);
    assert_int_equal(graph_node_create(f->s, &WHO, SCHEMA_KIND_PERSON, "", NULL, &n, &err), 0);
    uint64_t b = n.id;
    graph_node_clear(&n);
    assert_true(b > a);
    get_node(f, a, &n);
    assert_string_equal(n.type, "");
    const msgpack_object *m = tu_unpack(&o, n.props, n.props_len);
    assert_int_equal(m->type, MSGPACK_OBJECT_MAP);
    assert_int_equal(m->via.map.size, 0);
    graph_node_clear(&n);
    get_node(f, b, &n);
    assert_string_equal(n.type, "");
    graph_node_clear(&n);
    tu_obj_free(&o);
}

static void node_get_of_missing_id_is_not_found(void **state)
{
    fx_t *f = *state;
    graph_node_t n;
    knoop_error_t err;
    memset(&n, 0, sizeof n);
    assert_int_equal(graph_node_get(f->s, NULL, 12345, &n, &err), KNOOP_ENOTFOUND);
    assert_int_equal(graph_node_get(f->s, NULL, 0, &n, &err), KNOOP_ENOTFOUND);
}

static void node_get_of_an_edge_id_is_not_found(void **state)
{
    fx_t *f = *state;
    uint64_t a = mknode(f, SCHEMA_KIND_PERSON, NULL, NULL);
    uint64_t b = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, NULL);
    uint64_t e = mkedge(f, "lid", a, b, 0);
    graph_node_t n;
    knoop_error_t err;
    memset(&n, 0, sizeof n);
    assert_int_equal(graph_node_get(f->s, NULL, e, &n, &err), KNOOP_ENOTFOUND);
}

static void node_kind_is_read_once_and_then_answered_without_a_read(void **state)
{
    fx_t *f = *state;
    uint64_t a = mknode(f, SCHEMA_KIND_PERSON, NULL, NULL);
    uint64_t b = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, NULL);
    uint64_t e = mkedge(f, "lid", a, b, 0);
    schema_kind_t k = 0;
    knoop_error_t err;
    graph_ids_t gone = { 0 };
    assert_int_equal(graph_node_kind(f->s, NULL, a, &k, &err), KNOOP_OK);
    assert_int_equal(k, SCHEMA_KIND_PERSON);
    assert_int_equal(graph_node_kind(f->s, NULL, b, &k, &err), KNOOP_OK);
    assert_int_equal(k, SCHEMA_KIND_ORGANISATION);
    assert_int_equal(graph_node_kind(f->s, NULL, e, &k, &err), KNOOP_ENOTFOUND);
    assert_int_equal(graph_node_kind(f->s, NULL, e + 1000, &k, &err), KNOOP_ENOTFOUND);
    /* Once known, the kind is kept: it holds even after the node is gone, as documented (the
     * caller asks only for nodes its view names). */
    assert_int_equal(graph_node_delete(f->s, &WHO, a, true, &gone, &err), KNOOP_OK);
    graph_ids_free(&gone);
    assert_int_equal(graph_node_kind(f->s, NULL, a, &k, &err), KNOOP_OK);
    assert_int_equal(k, SCHEMA_KIND_PERSON);
    /* A node never read is read: not found after its delete. */
    uint64_t c = mknode(f, SCHEMA_KIND_PROJECT, NULL, NULL);
    assert_int_equal(graph_node_delete(f->s, &WHO, c, false, &gone, &err), KNOOP_OK);
    graph_ids_free(&gone);
    assert_int_equal(graph_node_kind(f->s, NULL, c, &k, &err), KNOOP_ENOTFOUND);
}

static void node_kind_read_in_an_aborted_transaction_is_not_kept(void **state)
{
    fx_t *f = *state;
    store_txn_t *t;
    graph_node_t n;
    knoop_error_t err;
    schema_kind_t k = 0;
    uint64_t first;
    /* The id an aborted transaction used is handed out again: its kind must not stick. */
    assert_int_equal(store_txn_begin(f->s, &WHO, &t, &err), KNOOP_OK);
    assert_int_equal(graph_node_create_tx(t, SCHEMA_KIND_PERSON, NULL, NULL, &n, &err), KNOOP_OK);
    first = n.id;
    graph_node_clear(&n);
    assert_int_equal(graph_node_kind(f->s, store_txn_view(t), first, &k, &err), KNOOP_OK);
    assert_int_equal(k, SCHEMA_KIND_PERSON);
    assert_int_equal(graph_node_get(f->s, store_txn_view(t), first, &n, &err), KNOOP_OK);
    graph_node_clear(&n);
    store_txn_abort(t);
    uint64_t again = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, NULL);
    assert_int_equal(again, first);
    assert_int_equal(graph_node_kind(f->s, NULL, again, &k, &err), KNOOP_OK);
    assert_int_equal(k, SCHEMA_KIND_ORGANISATION);
}

static void node_create_rejects_props_that_are_not_a_map(void **state)
{
    fx_t *f = *state;
    tu_obj_t o;
    graph_node_t n;
    knoop_error_t err;
    tu_obj_init(&o);
    const msgpack_object *arr = tu_array_str(&o, "name", "Almere", NULL);
    memset(&n, 0, sizeof n);
    knoop_error_clear(&err);
    assert_int_equal(graph_node_create(f->s, &WHO, SCHEMA_KIND_PERSON, NULL, arr, &n, &err),
                     KNOOP_EINVAL);
    assert_int_equal(err.code, KNOOP_EINVAL);
    msgpack_object i = { .type = MSGPACK_OBJECT_POSITIVE_INTEGER, .via.u64 = 7 };
    assert_int_equal(graph_node_create(f->s, &WHO, SCHEMA_KIND_PERSON, NULL, &i, &n, &err),
                     KNOOP_EINVAL);
    tu_obj_free(&o);
    assert_int_equal(count_nodes(f), 0);
    assert_int_equal(find_name(f, NULL, "almere", NULL), 0);
}

static void node_create_rejects_non_string_property_keys(void **state)
{
    fx_t *f = *state;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    tu_obj_t o;
    graph_node_t n;
    knoop_error_t err;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 2);
    msgpack_pack_str(&pk, 4);
    msgpack_pack_str_body(&pk, "name", 4);
    msgpack_pack_str(&pk, 6);
    msgpack_pack_str_body(&pk, "Almere", 6);
    msgpack_pack_int(&pk, 1);
    msgpack_pack_str(&pk, 1);
    msgpack_pack_str_body(&pk, "x", 1);
    tu_obj_init(&o);
    const msgpack_object *props = tu_from_sbuf(&o, &sb);
    memset(&n, 0, sizeof n);
    knoop_error_clear(&err);
    assert_int_equal(graph_node_create(f->s, &WHO, SCHEMA_KIND_PERSON, NULL, props, &n, &err),
                     KNOOP_EINVAL);
    assert_int_equal(err.code, KNOOP_EINVAL);
    tu_obj_free(&o);
    msgpack_sbuffer_destroy(&sb);
    assert_int_equal(count_nodes(f), 0);
    assert_int_equal(find_name(f, NULL, "almere", NULL), 0);
}

static void node_create_rejects_bad_type_names(void **state)
{
    fx_t *f = *state;
    graph_node_t n;
    knoop_error_t err;
    char longtype[KNOOP_MAX_NAME_BYTES + 2];
    memset(longtype, 't', sizeof longtype - 1);
    longtype[sizeof longtype - 1] = '\0';
    memset(&n, 0, sizeof n);
    assert_int_equal(graph_node_create(f->s, &WHO, SCHEMA_KIND_PERSON, "a\nb", NULL, &n, &err),
                     KNOOP_EINVAL);
    assert_int_equal(graph_node_create(f->s, &WHO, SCHEMA_KIND_PERSON, "\xff", NULL, &n, &err),
                     KNOOP_EINVAL);
    assert_int_equal(graph_node_create(f->s, &WHO, SCHEMA_KIND_PERSON, longtype, NULL, &n, &err),
                     KNOOP_EINVAL);
    assert_int_equal(count_nodes(f), 0);
    /* Exactly the maximum is fine. */
    longtype[KNOOP_MAX_NAME_BYTES] = '\0';
    assert_int_equal(graph_node_create(f->s, &WHO, SCHEMA_KIND_PERSON, longtype, NULL, &n, &err),
                     0);
    assert_string_equal(n.type, longtype);
    graph_node_clear(&n);
}

static void node_create_rejects_unknown_kind(void **state)
{
    fx_t *f = *state;
    graph_node_t n;
    knoop_error_t err;
    memset(&n, 0, sizeof n);
    assert_int_equal(graph_node_create(f->s, &WHO, (schema_kind_t)0, NULL, NULL, &n, &err),
                     KNOOP_EINVAL);
    assert_int_equal(
        graph_node_create(f->s, &WHO, (schema_kind_t)(SCHEMA_KIND_LAST + 1), NULL, NULL, &n, &err),
        KNOOP_EINVAL);
    assert_int_equal(count_nodes(f), 0);
}

/* ---- update ---- */

static void node_update_sets_replaces_and_keeps_other_properties(void **state)
{
    fx_t *f = *state;
    uint64_t id =
        mknode(f, SCHEMA_KIND_PERSON, "functionaris", "name", "Jan", "city", "Almere", NULL);
    graph_node_t before, after;
    get_node(f, id, &before);
    tu_obj_t o, p;
    tu_obj_init(&o);
    tu_obj_init(&p);
    const msgpack_object *set = tu_map_str(&o, "name", "Jan de Vries", "phone", "0612345678", NULL);
    memset(&after, 0, sizeof after);
    assert_int_equal(update(f, id, set, NULL, 0, &after), 0);
    assert_true(after.version == 2);
    assert_true(after.created_ms == before.created_ms);
    assert_true(after.updated_ms >= before.updated_ms);
    assert_string_equal(after.type, "functionaris");
    assert_true(tu_str_eq(prop(&p, &after, "name"), "Jan de Vries"));
    assert_true(tu_str_eq(prop(&p, &after, "city"), "Almere"));
    assert_true(tu_str_eq(prop(&p, &after, "phone"), "0612345678"));
    assert_int_equal(p.u.data.via.map.size, 3);
    graph_node_clear(&after);
    /* The stored node is the same as the returned one. */
    get_node(f, id, &after);
    assert_true(after.version == 2);
    assert_true(tu_str_eq(prop(&p, &after, "name"), "Jan de Vries"));
    graph_node_clear(&after);
    graph_node_clear(&before);
    tu_obj_free(&o);
    tu_obj_free(&p);
}

static void node_update_unsets_properties(void **state)
{
    fx_t *f = *state;
    uint64_t id =
        mknode(f, SCHEMA_KIND_PERSON, NULL, "name", "Jan", "city", "Almere", "x", "y", NULL);
    tu_obj_t o, p;
    tu_obj_init(&o);
    tu_obj_init(&p);
    const msgpack_object *unset = tu_array_str(&o, "city", "x", "not-there", NULL);
    graph_node_t n;
    memset(&n, 0, sizeof n);
    assert_int_equal(update(f, id, NULL, unset, 0, &n), 0);
    assert_true(n.version == 2);
    graph_node_clear(&n);
    get_node(f, id, &n);
    assert_null(prop(&p, &n, "city"));
    assert_null(prop(&p, &n, "x"));
    assert_true(tu_str_eq(prop(&p, &n, "name"), "Jan"));
    assert_int_equal(p.u.data.via.map.size, 1);
    graph_node_clear(&n);
    tu_obj_free(&o);
    tu_obj_free(&p);
}

static void node_update_both_set_and_unset_of_a_property_is_einval_and_changes_nothing(void **state)
{
    fx_t *f = *state;
    uint64_t id = mknode(f, SCHEMA_KIND_PERSON, NULL, "name", "Jan", "city", "Almere", NULL);
    tu_obj_t o, u, p;
    tu_obj_init(&o);
    tu_obj_init(&u);
    tu_obj_init(&p);
    const msgpack_object *set = tu_map_str(&o, "city", "Lelystad", "phone", "1", NULL);
    const msgpack_object *unset = tu_array_str(&u, "city", NULL);
    assert_int_equal(update(f, id, set, unset, 0, NULL), KNOOP_EINVAL);
    graph_node_t n;
    get_node(f, id, &n);
    assert_true(n.version == 1);
    assert_true(tu_str_eq(prop(&p, &n, "city"), "Almere"));
    assert_null(prop(&p, &n, "phone"));
    graph_node_clear(&n);
    tu_obj_free(&o);
    tu_obj_free(&u);
    tu_obj_free(&p);
}

static void node_update_with_stale_if_version_is_conflict(void **state)
{
    fx_t *f = *state;
    uint64_t id = mknode(f, SCHEMA_KIND_PERSON, NULL, "name", "Jan", NULL);
    tu_obj_t o;
    tu_obj_init(&o);
    const msgpack_object *set = tu_map_str(&o, "name", "Piet", NULL);
    assert_int_equal(update(f, id, set, NULL, 1, NULL), 0); /* version 1 -> 2 */
    assert_int_equal(update(f, id, set, NULL, 1, NULL), KNOOP_ECONFLICT);
    assert_int_equal(update(f, id, set, NULL, 3, NULL), KNOOP_ECONFLICT);
    assert_true(node_version(f, id) == 2);
    assert_int_equal(update(f, id, set, NULL, 2, NULL), 0);
    assert_true(node_version(f, id) == 3);
    tu_obj_free(&o);
}

static void node_update_of_missing_node_is_not_found(void **state)
{
    fx_t *f = *state;
    tu_obj_t o;
    tu_obj_init(&o);
    const msgpack_object *set = tu_map_str(&o, "name", "Piet", NULL);
    assert_int_equal(update(f, 999, set, NULL, 0, NULL), KNOOP_ENOTFOUND);
    tu_obj_free(&o);
    assert_int_equal(count_nodes(f), 0);
}

static void node_update_rejects_bad_set_and_unset_shapes(void **state)
{
    fx_t *f = *state;
    uint64_t id = mknode(f, SCHEMA_KIND_PERSON, NULL, "name", "Jan", NULL);
    tu_obj_t o;
    tu_obj_init(&o);
    /* set must be a map. */
    const msgpack_object *arr = tu_array_str(&o, "name", "Piet", NULL);
    assert_int_equal(update(f, id, arr, NULL, 0, NULL), KNOOP_EINVAL);
    /* unset must be an array of strings. */
    const msgpack_object *map = tu_map_str(&o, "name", "Piet", NULL);
    assert_int_equal(update(f, id, NULL, map, 0, NULL), KNOOP_EINVAL);
    msgpack_object nums[1] = { { .type = MSGPACK_OBJECT_POSITIVE_INTEGER, .via.u64 = 3 } };
    msgpack_object arr_int = { .type = MSGPACK_OBJECT_ARRAY,
                               .via.array = { .size = 1, .ptr = nums } };
    assert_int_equal(update(f, id, NULL, &arr_int, 0, NULL), KNOOP_EINVAL);
    assert_true(node_version(f, id) == 1);
    tu_obj_free(&o);
}

static void node_get_through_snapshot_sees_the_old_version(void **state)
{
    fx_t *f = *state;
    uint64_t id = mknode(f, SCHEMA_KIND_PERSON, NULL, "name", "Jan", NULL);
    store_view_t *snap = store_snapshot(f->s);
    tu_obj_t o, p;
    tu_obj_init(&o);
    tu_obj_init(&p);
    assert_int_equal(update(f, id, tu_map_str(&o, "name", "Piet", NULL), NULL, 0, NULL), 0);
    graph_node_t n;
    knoop_error_t err;
    memset(&n, 0, sizeof n);
    assert_int_equal(graph_node_get(f->s, snap, id, &n, &err), 0);
    assert_true(n.version == 1);
    assert_true(tu_str_eq(prop(&p, &n, "name"), "Jan"));
    graph_node_clear(&n);
    uint64_t hits[8];
    assert_int_equal(find_name(f, snap, "jan", hits), 1);
    assert_int_equal(find_name(f, snap, "piet", hits), 0);
    store_snapshot_free(f->s, snap);
    tu_obj_free(&o);
    tu_obj_free(&p);
}

/* ---- delete ---- */

static void node_delete_removes_the_node(void **state)
{
    fx_t *f = *state;
    uint64_t id = mknode(f, SCHEMA_KIND_PERSON, NULL, "name", "Jan", NULL);
    uint64_t keep = mknode(f, SCHEMA_KIND_PERSON, NULL, "name", "Jannie", NULL);
    knoop_error_t err;
    assert_int_equal(graph_node_delete(f->s, &WHO, id, false, NULL, &err), 0);
    assert_false(node_exists(f, id));
    assert_true(node_exists(f, keep));
    assert_int_equal(graph_node_delete(f->s, &WHO, id, false, NULL, &err), KNOOP_ENOTFOUND);
    assert_int_equal(count_nodes(f), 1);
    uint64_t hits[8];
    assert_int_equal(find_name(f, NULL, "jan", hits), 1);
    assert_true(hits[0] == keep);
}

/* ---- name index ---- */

static void node_find_by_name_ignores_case_diacritics_and_punctuation(void **state)
{
    fx_t *f = *state;
    uint64_t sf = mknode(f, SCHEMA_KIND_ORGANISATION, "gemeente", "name", "Súdwest-Fryslân", NULL);
    uint64_t db = mknode(f, SCHEMA_KIND_ORGANISATION, "gemeente", "name", "'s-Hertogenbosch", NULL);
    uint64_t dh =
        mknode(f, SCHEMA_KIND_ORGANISATION, "gemeente", "name", "\xe2\x80\x99s-Gravenhage", NULL);
    uint64_t hits[8];
    assert_int_equal(find_name(f, NULL, "sudwest fryslan", hits), 1);
    assert_true(hits[0] == sf);
    assert_int_equal(find_name(f, NULL, "SÚDWEST-FRYSLÂN", hits), 1);
    assert_true(hits[0] == sf);
    assert_int_equal(find_name(f, NULL, "s hertogenbosch", hits), 1);
    assert_true(hits[0] == db);
    assert_int_equal(find_name(f, NULL, "'s-Gravenhage", hits), 1);
    assert_true(hits[0] == dh);
    assert_int_equal(find_name(f, NULL, "zwolle", hits), 0);
}

static void node_find_by_name_prefix_orders_by_normalised_name(void **state)
{
    fx_t *f = *state;
    uint64_t ams = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", "Amsterdam", NULL);
    uint64_t alm = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", "Almere", NULL);
    uint64_t amv = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", "Amstelveen", NULL);
    (void)mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", "Zaanstad", NULL);
    (void)mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "city", "Amsterdam", NULL); /* not a name */
    uint64_t hits[8];
    assert_int_equal(find_name(f, NULL, "Ams", hits), 2);
    assert_true(hits[0] == amv && hits[1] == ams);
    assert_int_equal(find_name(f, NULL, "a", hits), 3);
    assert_true(hits[0] == alm && hits[1] == amv && hits[2] == ams);
    assert_int_equal(find_name(f, NULL, "amsterdam", hits), 1);
    assert_int_equal(find_name(f, NULL, "amsterdamm", hits), 0);
}

static void node_find_by_name_matches_word_boundaries_not_substrings(void **state)
{
    fx_t *f = *state;
    (void)mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", "Gemeente Almere", NULL);
    uint64_t hits[8];
    assert_int_equal(find_name(f, NULL, "almere", hits), 0);
    assert_int_equal(find_name(f, NULL, "gemeente a", hits), 1);
}

static void node_find_by_name_finds_every_node_with_that_name(void **state)
{
    fx_t *f = *state;
    uint64_t a = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", "Bergen", NULL);
    uint64_t b = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", "Bergen", NULL);
    uint64_t hits[8];
    assert_int_equal(find_name(f, NULL, "bergen", hits), 2);
    assert_true((hits[0] == a && hits[1] == b) || (hits[0] == b && hits[1] == a));
}

static void node_find_by_name_respects_limit_and_reports_more(void **state)
{
    fx_t *f = *state;
    const char *names[] = { "Aa en Hunze", "Aalsmeer", "Aalten", "Achtkarspelen", "Alblasserdam" };
    for (int i = 0; i < 5; i++)
        (void)mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", names[i], NULL);
    graph_ids_t ids = { 0 };
    bool more = false;
    knoop_error_t err;
    assert_int_equal(graph_node_find(f->s, NULL, 0, NULL, "aa", 2, &ids, &more, &err), 0);
    assert_int_equal(ids.n, 2);
    assert_true(more);
    graph_ids_free(&ids);
    memset(&ids, 0, sizeof ids);
    more = true;
    assert_int_equal(graph_node_find(f->s, NULL, 0, NULL, "aa", 3, &ids, &more, &err), 0);
    assert_int_equal(ids.n, 3);
    assert_false(more);
    graph_ids_free(&ids);
}

static void node_rename_moves_the_name_index_entry(void **state)
{
    fx_t *f = *state;
    uint64_t id = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", "Littenseradiel", NULL);
    tu_obj_t o;
    tu_obj_init(&o);
    assert_int_equal(update(f, id, tu_map_str(&o, "name", "Súdwest-Fryslân", NULL), NULL, 0, NULL),
                     0);
    uint64_t hits[8];
    assert_int_equal(find_name(f, NULL, "littenseradiel", hits), 0);
    assert_int_equal(find_name(f, NULL, "sudwest", hits), 1);
    assert_true(hits[0] == id);
    /* Unsetting the name removes the entry. */
    assert_int_equal(update(f, id, NULL, tu_array_str(&o, "name", NULL), 0, NULL), 0);
    assert_int_equal(find_name(f, NULL, "sudwest", hits), 0);
    /* Updating something else leaves a name alone and does not duplicate it. */
    uint64_t other = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", "Urk", NULL);
    assert_int_equal(update(f, other, tu_map_str(&o, "city", "Urk", NULL), NULL, 0, NULL), 0);
    assert_int_equal(find_name(f, NULL, "urk", hits), 1);
    tu_obj_free(&o);
}

static void node_delete_removes_the_name_index_entry(void **state)
{
    fx_t *f = *state;
    uint64_t id = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", "Urk", NULL);
    knoop_error_t err;
    assert_int_equal(graph_node_delete(f->s, &WHO, id, false, NULL, &err), 0);
    assert_int_equal(find_name(f, NULL, "urk", NULL), 0);
}

/* ---- external keys ---- */

static void node_by_key_finds_each_key_field(void **state)
{
    fx_t *f = *state;
    uint64_t a = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "cbs_code", "GM0034", NULL);
    uint64_t b = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "kvk", "12345678", NULL);
    uint64_t c = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "oin", "00000001001234567000", NULL);
    uint64_t d = mknode(f, SCHEMA_KIND_PROJECT, NULL, "key", "PRJ-1", NULL);
    uint64_t id;
    assert_int_equal(by_key(f, "GM0034", &id), 0);
    assert_true(id == a);
    assert_int_equal(by_key(f, "12345678", &id), 0);
    assert_true(id == b);
    assert_int_equal(by_key(f, "00000001001234567000", &id), 0);
    assert_true(id == c);
    assert_int_equal(by_key(f, "PRJ-1", &id), 0);
    assert_true(id == d);
    assert_int_equal(by_key(f, "GM0035", &id), KNOOP_ENOTFOUND);
    assert_int_equal(by_key(f, "GM003", &id), KNOOP_ENOTFOUND);
    int n = 0;
    for (const char *const *k = graph_key_fields; *k != NULL; k++)
        n++;
    assert_int_equal(n, 4);
}

static void node_create_with_taken_key_is_conflict_and_writes_nothing(void **state)
{
    fx_t *f = *state;
    uint64_t a =
        mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", "Almere", "cbs_code", "GM0034", NULL);
    tu_obj_t o;
    graph_node_t n;
    knoop_error_t err;
    tu_obj_init(&o);
    memset(&n, 0, sizeof n);
    /* Same value under the same field, and under another key field. */
    const msgpack_object *p1 = tu_map_str(&o, "name", "Dubbel", "cbs_code", "GM0034", NULL);
    knoop_error_clear(&err);
    assert_int_equal(graph_node_create(f->s, &WHO, SCHEMA_KIND_ORGANISATION, NULL, p1, &n, &err),
                     KNOOP_ECONFLICT);
    assert_int_equal(err.code, KNOOP_ECONFLICT);
    const msgpack_object *p2 = tu_map_str(&o, "name", "Dubbel", "kvk", "GM0034", NULL);
    assert_int_equal(graph_node_create(f->s, &WHO, SCHEMA_KIND_ORGANISATION, NULL, p2, &n, &err),
                     KNOOP_ECONFLICT);
    /* A new key together with a taken one: the new one must not be indexed either. */
    const msgpack_object *p3 =
        tu_map_str(&o, "name", "Dubbel", "kvk", "999", "cbs_code", "GM0034", NULL);
    assert_int_equal(graph_node_create(f->s, &WHO, SCHEMA_KIND_ORGANISATION, NULL, p3, &n, &err),
                     KNOOP_ECONFLICT);
    tu_obj_free(&o);
    assert_int_equal(count_nodes(f), 1);
    assert_int_equal(find_name(f, NULL, "dubbel", NULL), 0);
    uint64_t id;
    assert_int_equal(by_key(f, "GM0034", &id), 0);
    assert_true(id == a);
    assert_int_equal(by_key(f, "999", &id), KNOOP_ENOTFOUND);
}

static void node_create_with_the_same_key_twice_in_one_node_is_conflict_or_ok(void **state)
{
    fx_t *f = *state;
    /* Two key fields of one node with the same value name that node only: not a conflict with
     * another node, so the node is created and found by the value. */
    uint64_t a = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "key", "X1", "cbs_code", "X1", NULL);
    uint64_t id;
    assert_int_equal(by_key(f, "X1", &id), 0);
    assert_true(id == a);
    /* Deleting it releases the value. */
    knoop_error_t err;
    assert_int_equal(graph_node_delete(f->s, &WHO, a, false, NULL, &err), 0);
    assert_int_equal(by_key(f, "X1", &id), KNOOP_ENOTFOUND);
}

static void node_update_to_a_taken_key_is_conflict_and_changes_nothing(void **state)
{
    fx_t *f = *state;
    uint64_t a =
        mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", "Almere", "cbs_code", "GM0034", NULL);
    uint64_t b =
        mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", "Lelystad", "cbs_code", "GM0995", NULL);
    tu_obj_t o, p;
    tu_obj_init(&o);
    tu_obj_init(&p);
    const msgpack_object *set =
        tu_map_str(&o, "name", "Nieuw", "cbs_code", "GM0034", "kvk", "555", NULL);
    assert_int_equal(update(f, b, set, NULL, 0, NULL), KNOOP_ECONFLICT);
    graph_node_t n;
    get_node(f, b, &n);
    assert_true(n.version == 1);
    assert_true(tu_str_eq(prop(&p, &n, "cbs_code"), "GM0995"));
    assert_true(tu_str_eq(prop(&p, &n, "name"), "Lelystad"));
    graph_node_clear(&n);
    uint64_t id;
    assert_int_equal(by_key(f, "GM0034", &id), 0);
    assert_true(id == a);
    assert_int_equal(by_key(f, "GM0995", &id), 0);
    assert_true(id == b);
    assert_int_equal(by_key(f, "555", &id), KNOOP_ENOTFOUND);
    assert_int_equal(find_name(f, NULL, "nieuw", NULL), 0);
    assert_int_equal(find_name(f, NULL, "lelystad", NULL), 1);
    tu_obj_free(&o);
    tu_obj_free(&p);
}

static void node_update_may_set_its_own_key_again(void **state)
{
    fx_t *f = *state;
    uint64_t a = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "cbs_code", "GM0034", NULL);
    tu_obj_t o;
    tu_obj_init(&o);
    assert_int_equal(
        update(f, a, tu_map_str(&o, "cbs_code", "GM0034", "x", "y", NULL), NULL, 0, NULL), 0);
    uint64_t id;
    assert_int_equal(by_key(f, "GM0034", &id), 0);
    assert_true(id == a);
    tu_obj_free(&o);
}

static void node_key_released_by_update_or_delete_is_reusable(void **state)
{
    fx_t *f = *state;
    uint64_t a = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "cbs_code", "GM0001", "kvk", "K1", NULL);
    tu_obj_t o;
    tu_obj_init(&o);
    uint64_t id;
    /* Changed value: the old one is free. */
    assert_int_equal(update(f, a, tu_map_str(&o, "cbs_code", "GM0002", NULL), NULL, 0, NULL), 0);
    assert_int_equal(by_key(f, "GM0001", &id), KNOOP_ENOTFOUND);
    assert_int_equal(by_key(f, "GM0002", &id), 0);
    assert_true(id == a);
    uint64_t b = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "cbs_code", "GM0001", NULL);
    assert_int_equal(by_key(f, "GM0001", &id), 0);
    assert_true(id == b);
    /* Unset: free. */
    assert_int_equal(update(f, a, NULL, tu_array_str(&o, "kvk", NULL), 0, NULL), 0);
    assert_int_equal(by_key(f, "K1", &id), KNOOP_ENOTFOUND);
    uint64_t c = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "kvk", "K1", NULL);
    assert_int_equal(by_key(f, "K1", &id), 0);
    assert_true(id == c);
    /* Delete: free. */
    knoop_error_t err;
    assert_int_equal(graph_node_delete(f->s, &WHO, a, false, NULL, &err), 0);
    assert_int_equal(by_key(f, "GM0002", &id), KNOOP_ENOTFOUND);
    uint64_t d = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "key", "GM0002", NULL);
    assert_int_equal(by_key(f, "GM0002", &id), 0);
    assert_true(id == d);
    tu_obj_free(&o);
}

static void node_create_failing_commit_writes_nothing_and_leaves_key_free(void **state)
{
    fx_t *f = *state;
    tu_obj_t o;
    graph_node_t n;
    knoop_error_t err;
    tu_obj_init(&o);
    memset(&n, 0, sizeof n);
    const msgpack_object *p = tu_map_str(&o, "name", "Almere", "cbs_code", "GM0034", NULL);
    kv_fault_set(1, false);
    assert_int_equal(
        graph_node_create(f->s, &WHO, SCHEMA_KIND_ORGANISATION, "gemeente", p, &n, &err),
        KNOOP_EIO);
    assert_int_equal(kv_fault_fired(), 1);
    assert_int_equal(count_nodes(f), 0);
    assert_int_equal(find_name(f, NULL, "almere", NULL), 0);
    uint64_t id;
    assert_int_equal(by_key(f, "GM0034", &id), KNOOP_ENOTFOUND);
    /* The same node can be created now. */
    assert_int_equal(
        graph_node_create(f->s, &WHO, SCHEMA_KIND_ORGANISATION, "gemeente", p, &n, &err), 0);
    assert_int_equal(by_key(f, "GM0034", &id), 0);
    assert_true(id == n.id);
    graph_node_clear(&n);
    tu_obj_free(&o);
}

static void node_update_failing_commit_changes_nothing(void **state)
{
    fx_t *f = *state;
    uint64_t a =
        mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", "Almere", "cbs_code", "GM0034", NULL);
    tu_obj_t o;
    tu_obj_init(&o);
    kv_fault_set(1, false);
    assert_int_equal(
        update(f, a, tu_map_str(&o, "name", "Nieuw", "cbs_code", "GM9999", NULL), NULL, 0, NULL),
        KNOOP_EIO);
    assert_true(node_version(f, a) == 1);
    uint64_t id;
    assert_int_equal(by_key(f, "GM0034", &id), 0);
    assert_int_equal(by_key(f, "GM9999", &id), KNOOP_ENOTFOUND);
    assert_int_equal(find_name(f, NULL, "almere", NULL), 1);
    assert_int_equal(find_name(f, NULL, "nieuw", NULL), 0);
    tu_obj_free(&o);
}

/* ---- kind / type listing ---- */

static void node_find_by_kind_and_type_lists_ids_in_order(void **state)
{
    fx_t *f = *state;
    uint64_t p1 = mknode(f, SCHEMA_KIND_PERSON, NULL, NULL);
    uint64_t g1 = mknode(f, SCHEMA_KIND_ORGANISATION, "gemeente", NULL);
    uint64_t p2 = mknode(f, SCHEMA_KIND_PERSON, "medewerker", NULL);
    uint64_t o1 = mknode(f, SCHEMA_KIND_ORGANISATION, "provincie", NULL);
    uint64_t g2 = mknode(f, SCHEMA_KIND_ORGANISATION, "gemeente", NULL);
    (void)mknode(f, SCHEMA_KIND_BODY, "gemeente", NULL); /* same type, other kind */
    graph_ids_t ids = { 0 };
    bool more = true;
    knoop_error_t err;

    assert_int_equal(
        graph_node_find(f->s, NULL, SCHEMA_KIND_ORGANISATION, NULL, NULL, 100, &ids, &more, &err),
        0);
    assert_int_equal(ids.n, 3);
    assert_false(more);
    /* Kind alone: ordered by type ("gemeente" < "provincie"), then id. */
    assert_true(ids.ids[0] == g1 && ids.ids[1] == g2 && ids.ids[2] == o1);
    graph_ids_free(&ids);

    memset(&ids, 0, sizeof ids);
    assert_int_equal(graph_node_find(f->s, NULL, SCHEMA_KIND_ORGANISATION, "gemeente", NULL, 100,
                                     &ids, &more, &err),
                     0);
    assert_int_equal(ids.n, 2);
    assert_true(ids.ids[0] == g1 && ids.ids[1] == g2);
    graph_ids_free(&ids);

    memset(&ids, 0, sizeof ids);
    assert_int_equal(
        graph_node_find(f->s, NULL, SCHEMA_KIND_PERSON, NULL, NULL, 100, &ids, &more, &err), 0);
    assert_int_equal(ids.n, 2);
    assert_true(ids.ids[0] == p1 && ids.ids[1] == p2);
    graph_ids_free(&ids);

    memset(&ids, 0, sizeof ids);
    assert_int_equal(
        graph_node_find(f->s, NULL, SCHEMA_KIND_PROJECT, NULL, NULL, 100, &ids, &more, &err), 0);
    assert_int_equal(ids.n, 0);
    assert_false(more);
    graph_ids_free(&ids);
}

static void node_find_by_kind_respects_limit_and_reports_more(void **state)
{
    fx_t *f = *state;
    uint64_t ids_made[5];
    for (int i = 0; i < 5; i++)
        ids_made[i] = mknode(f, SCHEMA_KIND_PERSON, "lid", NULL);
    graph_ids_t ids = { 0 };
    bool more = false;
    knoop_error_t err;
    assert_int_equal(
        graph_node_find(f->s, NULL, SCHEMA_KIND_PERSON, "lid", NULL, 4, &ids, &more, &err), 0);
    assert_int_equal(ids.n, 4);
    assert_true(more);
    for (int i = 0; i < 4; i++)
        assert_true(ids.ids[i] == ids_made[i]);
    graph_ids_free(&ids);
    memset(&ids, 0, sizeof ids);
    assert_int_equal(
        graph_node_find(f->s, NULL, SCHEMA_KIND_PERSON, "lid", NULL, 5, &ids, &more, &err), 0);
    assert_int_equal(ids.n, 5);
    assert_false(more);
    graph_ids_free(&ids);
    /* Every node, by id, with a limit. */
    memset(&ids, 0, sizeof ids);
    assert_int_equal(graph_node_find(f->s, NULL, 0, NULL, NULL, 2, &ids, &more, &err), 0);
    assert_int_equal(ids.n, 2);
    assert_true(more);
    assert_true(ids.ids[0] == ids_made[0] && ids.ids[1] == ids_made[1]);
    graph_ids_free(&ids);
}

static void node_find_by_kind_forgets_deleted_nodes(void **state)
{
    fx_t *f = *state;
    uint64_t a = mknode(f, SCHEMA_KIND_PROJECT, "programma", NULL);
    uint64_t b = mknode(f, SCHEMA_KIND_PROJECT, "programma", NULL);
    knoop_error_t err;
    assert_int_equal(graph_node_delete(f->s, &WHO, a, false, NULL, &err), 0);
    graph_ids_t ids = { 0 };
    bool more;
    assert_int_equal(
        graph_node_find(f->s, NULL, SCHEMA_KIND_PROJECT, "programma", NULL, 10, &ids, &more, &err),
        0);
    assert_int_equal(ids.n, 1);
    assert_true(ids.ids[0] == b);
    graph_ids_free(&ids);
}

/* ---- history ---- */

static void node_history_records_create_update_delete_with_actor_and_reason(void **state)
{
    fx_t *f = *state;
    uint64_t id = mknode(f, SCHEMA_KIND_PERSON, "functionaris", "name", "Jan", NULL);
    tu_obj_t o;
    tu_obj_init(&o);
    store_who_t who2 = { "bob", "typo" };
    knoop_error_t err;
    assert_int_equal(graph_node_update(f->s, &who2, id, tu_map_str(&o, "name", "Jans", NULL), NULL,
                                       0, NULL, &err),
                     0);
    store_who_t who3 = { NULL, NULL };
    assert_int_equal(graph_node_delete(f->s, &who3, id, false, NULL, &err), 0);

    hist_t h;
    hist_load(f, id, &h);
    assert_int_equal(h.n, 3);
    const char *ops[] = { "create", "update", "delete" };
    const char *actors[] = { "tester", "bob", "system" };
    uint64_t prev_seq = 0;
    for (int i = 0; i < 3; i++) {
        const msgpack_object *e = tu_unpack(&o, h.e[i], h.len[i]);
        assert_int_equal(e->type, MSGPACK_OBJECT_MAP);
        assert_true(tu_str_eq(tu_map_get(e, "op"), ops[i]));
        assert_true(tu_str_eq(tu_map_get(e, "actor"), actors[i]));
        const msgpack_object *seq = tu_map_get(e, "seq");
        assert_non_null(seq);
        assert_int_equal(seq->type, MSGPACK_OBJECT_POSITIVE_INTEGER);
        assert_true(seq->via.u64 > prev_seq);
        prev_seq = seq->via.u64;
        const msgpack_object *reason = tu_map_get(e, "reason");
        assert_non_null(reason);
        if (i == 0)
            assert_true(tu_str_eq(reason, "unit test"));
        else if (i == 1)
            assert_true(tu_str_eq(reason, "typo"));
        else
            assert_int_equal(reason->type, MSGPACK_OBJECT_NIL);
        const msgpack_object *before = tu_map_get(e, "before");
        const msgpack_object *after = tu_map_get(e, "after");
        assert_non_null(before);
        assert_non_null(after);
        switch (i) {
        case 0:
            assert_int_equal(before->type, MSGPACK_OBJECT_NIL);
            assert_true(tu_uint_eq(tu_map_get(after, "id"), id));
            assert_true(tu_uint_eq(tu_map_get(after, "version"), 1));
            assert_true(tu_str_eq(tu_map_get(after, "type"), "functionaris"));
            assert_true(tu_str_eq(tu_map_get(tu_map_get(after, "props"), "name"), "Jan"));
            break;
        case 1:
            assert_true(tu_str_eq(tu_map_get(tu_map_get(before, "props"), "name"), "Jan"));
            assert_true(tu_uint_eq(tu_map_get(before, "version"), 1));
            assert_true(tu_str_eq(tu_map_get(tu_map_get(after, "props"), "name"), "Jans"));
            assert_true(tu_uint_eq(tu_map_get(after, "version"), 2));
            break;
        default:
            assert_true(tu_str_eq(tu_map_get(tu_map_get(before, "props"), "name"), "Jans"));
            assert_int_equal(after->type, MSGPACK_OBJECT_NIL);
        }
    }
    hist_free(&h);
    tu_obj_free(&o);
}

static void node_failed_update_adds_no_history(void **state)
{
    fx_t *f = *state;
    uint64_t id = mknode(f, SCHEMA_KIND_PERSON, NULL, "name", "Jan", NULL);
    tu_obj_t o;
    tu_obj_init(&o);
    assert_int_equal(update(f, id, tu_map_str(&o, "name", "X", NULL), NULL, 7, NULL),
                     KNOOP_ECONFLICT);
    hist_t h;
    hist_load(f, id, &h);
    assert_int_equal(h.n, 1);
    hist_free(&h);
    tu_obj_free(&o);
}

/* ---- packing ---- */

static void node_pack_shows_the_documented_fields(void **state)
{
    fx_t *f = *state;
    uint64_t id = mknode(f, SCHEMA_KIND_ORGANISATION, "gemeente", "name", "Urk", NULL);
    graph_node_t n;
    get_node(f, id, &n);
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    graph_node_pack(&pk, &n);
    tu_obj_t o;
    tu_obj_init(&o);
    const msgpack_object *m = tu_from_sbuf(&o, &sb);
    assert_int_equal(m->type, MSGPACK_OBJECT_MAP);
    assert_true(tu_uint_eq(tu_map_get(m, "id"), id));
    assert_non_null(tu_map_get(m, "kind"));
    assert_true(tu_str_eq(tu_map_get(m, "type"), "gemeente"));
    assert_true(tu_str_eq(tu_map_get(tu_map_get(m, "props"), "name"), "Urk"));
    assert_true(tu_uint_eq(tu_map_get(m, "version"), 1));
    char ts[32];
    graph_format_ts(n.created_ms, ts);
    assert_true(tu_str_eq(tu_map_get(m, "created"), ts));
    graph_format_ts(n.updated_ms, ts);
    assert_true(tu_str_eq(tu_map_get(m, "updated"), ts));
    tu_obj_free(&o);
    msgpack_sbuffer_destroy(&sb);
    graph_node_clear(&n);
}

static void format_ts_is_rfc3339_utc(void **state)
{
    (void)state;
    char buf[32];
    assert_ptr_equal(graph_format_ts(0, buf), buf);
    assert_memory_equal(buf, "1970-01-01T00:00:00", 19);
    assert_int_equal(buf[strlen(buf) - 1], 'Z');
    graph_format_ts(1551441600123, buf); /* 2019-03-01T12:00:00.123Z */
    assert_memory_equal(buf, "2019-03-01T12:00:00", 19);
    assert_int_equal(buf[strlen(buf) - 1], 'Z');
}

/* ---- persistence ---- */

static void node_and_its_indexes_survive_reopen(void **state)
{
    fx_t *f = *state;
    uint64_t a = mknode(f, SCHEMA_KIND_ORGANISATION, "gemeente", "name", "Súdwest-Fryslân",
                        "cbs_code", "GM1900", NULL);
    reopen(f);
    graph_node_t n;
    tu_obj_t o;
    tu_obj_init(&o);
    get_node(f, a, &n);
    assert_int_equal(n.kind, SCHEMA_KIND_ORGANISATION);
    assert_string_equal(n.type, "gemeente");
    assert_true(tu_str_eq(prop(&o, &n, "name"), "Súdwest-Fryslân"));
    graph_node_clear(&n);
    uint64_t id, hits[8];
    assert_int_equal(by_key(f, "GM1900", &id), 0);
    assert_true(id == a);
    assert_int_equal(find_name(f, NULL, "sudwest fryslan", hits), 1);
    assert_true(hits[0] == a);
    /* A node created after reopening gets a new id. */
    uint64_t b = mknode(f, SCHEMA_KIND_PERSON, NULL, NULL);
    assert_true(b > a);
    graph_ids_t ids = { 0 };
    bool more;
    knoop_error_t err;
    assert_int_equal(graph_node_find(f->s, NULL, SCHEMA_KIND_ORGANISATION, "gemeente", NULL, 10,
                                     &ids, &more, &err),
                     0);
    assert_int_equal(ids.n, 1);
    graph_ids_free(&ids);
    hist_t h;
    hist_load(f, a, &h);
    assert_int_equal(h.n, 1);
    hist_free(&h);
    tu_obj_free(&o);
}

/* ---- delete with edges ---- */

static void node_delete_is_refused_while_edges_reference_it(void **state)
{
    fx_t *f = *state;
    uint64_t p = mknode(f, SCHEMA_KIND_PERSON, NULL, "name", "Jan", NULL);
    uint64_t o = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", "Urk", NULL);
    uint64_t e = mkedge(f, "lid", p, o, 0);
    knoop_error_t err;
    graph_ids_t del = { 0 };
    assert_int_equal(graph_node_delete(f->s, &WHO, o, false, &del, &err), KNOOP_ECONFLICT);
    assert_int_equal(graph_node_delete(f->s, &WHO, p, false, &del, &err), KNOOP_ECONFLICT);
    assert_int_equal(del.n, 0);
    assert_true(node_exists(f, o));
    assert_true(node_exists(f, p));
    assert_true(edge_exists(f, e));
    assert_int_equal(adj_count(f, p), 1);
    assert_int_equal(adj_count(f, o), 1);
    assert_int_equal(find_name(f, NULL, "urk", NULL), 1);
    graph_ids_free(&del);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void node_cascade_delete_removes_edges_and_dependents_transitively(void **state)
{
    fx_t *f = *state;
    uint64_t p = mknode(f, SCHEMA_KIND_PERSON, NULL, "name", "Jan", NULL);
    uint64_t q = mknode(f, SCHEMA_KIND_PERSON, NULL, "name", "Piet", NULL);
    uint64_t gem = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", "Urk", NULL);
    uint64_t com = mknode(f, SCHEMA_KIND_BODY, NULL, "name", "Commissie Milieu", NULL);
    uint64_t sub = mknode(f, SCHEMA_KIND_BODY, NULL, "name", "Werkgroep", NULL);
    uint64_t e1 = mkedge(f, "wethouder", p, gem, 0);
    uint64_t e2 = mkedge(f, "lid", p, com, e1); /* on behalf of e1 */
    uint64_t e3 = mkedge(f, "lid", p, sub, e2); /* on behalf of e2 */
    uint64_t e4 = mkedge(f, "raadslid", q, gem, 0);
    uint64_t keep = mkedge(f, "lid", q, com, 0); /* unrelated to gem */

    graph_ids_t del = { 0 };
    knoop_error_t err;
    knoop_error_clear(&err);
    int rc = graph_node_delete(f->s, &WHO, gem, true, &del, &err);
    if (rc != 0)
        fail_msg("cascade delete: %d %s", rc, err.msg);
    assert_int_equal(del.n, 4);
    qsort(del.ids, del.n, sizeof del.ids[0], cmp_u64);
    uint64_t want[4] = { e1, e2, e3, e4 };
    qsort(want, 4, sizeof want[0], cmp_u64);
    for (int i = 0; i < 4; i++)
        assert_true(del.ids[i] == want[i]);
    graph_ids_free(&del);

    assert_false(node_exists(f, gem));
    for (int i = 0; i < 4; i++)
        assert_false(edge_exists(f, want[i]));
    assert_true(edge_exists(f, keep));
    assert_true(node_exists(f, p) && node_exists(f, q) && node_exists(f, com) &&
                node_exists(f, sub));
    assert_int_equal(adj_count(f, p), 0);
    assert_int_equal(adj_count(f, sub), 0);
    assert_int_equal(adj_count(f, q), 1);
    assert_int_equal(adj_count(f, com), 1);
    /* Now p has no edges and deletes without cascade. */
    assert_int_equal(graph_node_delete(f->s, &WHO, p, false, NULL, &err), 0);

    /* Each deleted edge has a "delete" history entry. */
    tu_obj_t o;
    tu_obj_init(&o);
    for (int i = 0; i < 4; i++) {
        hist_t h;
        hist_load(f, want[i], &h);
        assert_int_equal(h.n, 2);
        assert_true(tu_str_eq(tu_map_get(tu_unpack(&o, h.e[1], h.len[1]), "op"), "delete"));
        hist_free(&h);
    }
    tu_obj_free(&o);
}

static void node_cascade_delete_with_failing_commit_changes_nothing(void **state)
{
    fx_t *f = *state;
    uint64_t p = mknode(f, SCHEMA_KIND_PERSON, NULL, NULL);
    uint64_t gem = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "cbs_code", "GM0171", NULL);
    uint64_t com = mknode(f, SCHEMA_KIND_BODY, NULL, NULL);
    uint64_t e1 = mkedge(f, "wethouder", p, gem, 0);
    uint64_t e2 = mkedge(f, "lid", p, com, e1);
    graph_ids_t del = { 0 };
    knoop_error_t err;
    kv_fault_set(1, false);
    assert_int_equal(graph_node_delete(f->s, &WHO, gem, true, &del, &err), KNOOP_EIO);
    graph_ids_free(&del);
    assert_true(node_exists(f, gem));
    assert_true(edge_exists(f, e1));
    assert_true(edge_exists(f, e2));
    assert_int_equal(adj_count(f, p), 2);
    uint64_t id;
    assert_int_equal(by_key(f, "GM0171", &id), 0);
    assert_true(id == gem);
}

static void node_cascade_delete_lists_each_edge_once(void **state)
{
    fx_t *f = *state;
    uint64_t gem = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, NULL);
    uint64_t p = mknode(f, SCHEMA_KIND_PERSON, NULL, NULL);
    uint64_t loop = mkedge(f, "fusie", gem, gem, 0); /* both ends on gem */
    uint64_t e1 = mkedge(f, "wethouder", p, gem, 0);
    uint64_t e2 = mkedge(f, "loco", p, gem, e1); /* touches gem and depends on e1 */
    graph_ids_t del = { 0 };
    knoop_error_t err;
    assert_int_equal(graph_node_delete(f->s, &WHO, gem, true, &del, &err), 0);
    assert_int_equal(del.n, 3);
    qsort(del.ids, del.n, sizeof del.ids[0], cmp_u64);
    uint64_t want[3] = { loop, e1, e2 };
    qsort(want, 3, sizeof want[0], cmp_u64);
    for (int i = 0; i < 3; i++)
        assert_true(del.ids[i] == want[i]);
    graph_ids_free(&del);
    assert_int_equal(adj_count(f, p), 0);
    /* Each deleted edge has exactly one delete entry. */
    tu_obj_t o;
    tu_obj_init(&o);
    for (int i = 0; i < 3; i++) {
        hist_t h;
        hist_load(f, want[i], &h);
        assert_int_equal(h.n, 2);
        hist_free(&h);
    }
    hist_t h;
    hist_load(f, gem, &h);
    assert_int_equal(h.n, 2);
    assert_true(tu_str_eq(tu_map_get(tu_unpack(&o, h.e[1], h.len[1]), "op"), "delete"));
    hist_free(&h);
    tu_obj_free(&o);
}

static void node_cascade_delete_without_edges_deletes_just_the_node(void **state)
{
    fx_t *f = *state;
    uint64_t a = mknode(f, SCHEMA_KIND_PERSON, NULL, "name", "Jan", NULL);
    graph_ids_t del = { 0 };
    knoop_error_t err;
    assert_int_equal(graph_node_delete(f->s, &WHO, a, true, &del, &err), 0);
    assert_int_equal(del.n, 0);
    graph_ids_free(&del);
    assert_false(node_exists(f, a));
}

static void node_delete_is_refused_while_an_ended_edge_references_it(void **state)
{
    fx_t *f = *state;
    uint64_t p = mknode(f, SCHEMA_KIND_PERSON, NULL, NULL);
    uint64_t o = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, NULL);
    uint64_t e = mkedge(f, "lid", p, o, 0);
    knoop_error_t err;
    assert_int_equal(graph_edge_end(f->s, &WHO, e, 18000, NULL, &err), 0);
    assert_int_equal(graph_node_delete(f->s, &WHO, o, false, NULL, &err), KNOOP_ECONFLICT);
    assert_true(node_exists(f, o));
    assert_true(edge_exists(f, e));
}

static void node_long_name_is_indexed_by_its_prefix(void **state)
{
    fx_t *f = *state;
    char name[700];
    memset(name, 'a', 600);
    strcpy(name + 600, " Zuid");
    uint64_t a = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "name", name, NULL);
    uint64_t hits[8];
    assert_int_equal(find_name(f, NULL, "aaaa", hits), 1);
    assert_true(hits[0] == a);
    tu_obj_t o;
    tu_obj_init(&o);
    assert_int_equal(update(f, a, tu_map_str(&o, "name", "Kort", NULL), NULL, 0, NULL), 0);
    assert_int_equal(find_name(f, NULL, "aaaa", hits), 0);
    assert_int_equal(find_name(f, NULL, "kort", hits), 1);
    knoop_error_t err;
    assert_int_equal(graph_node_delete(f->s, &WHO, a, false, NULL, &err), 0);
    assert_int_equal(find_name(f, NULL, "kort", hits), 0);
    tu_obj_free(&o);
}

static void node_by_key_ignores_properties_that_are_not_keys(void **state)
{
    fx_t *f = *state;
    (void)mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "city", "GM0034", "name", "GM0035", NULL);
    uint64_t id;
    assert_int_equal(by_key(f, "GM0034", &id), KNOOP_ENOTFOUND);
    assert_int_equal(by_key(f, "GM0035", &id), KNOOP_ENOTFOUND);
    /* And such values do not block a real key. */
    uint64_t b = mknode(f, SCHEMA_KIND_ORGANISATION, NULL, "cbs_code", "GM0034", NULL);
    assert_int_equal(by_key(f, "GM0034", &id), 0);
    assert_true(id == b);
}

/* ---- concurrent writers ---- */

#define NRACERS 8

typedef struct {
    store_t *s;
    pthread_barrier_t *go;
    uint64_t node;
    int rc;
} racer_t;

static void *race_create(void *arg)
{
    racer_t *r = arg;
    tu_obj_t o;
    graph_node_t n;
    knoop_error_t err;
    tu_obj_init(&o);
    const msgpack_object *props = tu_map_str(&o, "cbs_code", "GM0363", NULL);
    memset(&n, 0, sizeof n);
    pthread_barrier_wait(r->go);
    r->rc = graph_node_create(r->s, &WHO, SCHEMA_KIND_ORGANISATION, NULL, props, &n, &err);
    if (r->rc == 0)
        graph_node_clear(&n);
    tu_obj_free(&o);
    return NULL;
}

static void *race_update(void *arg)
{
    racer_t *r = arg;
    tu_obj_t o;
    knoop_error_t err;
    tu_obj_init(&o);
    const msgpack_object *set = tu_map_str(&o, "x", "y", NULL);
    pthread_barrier_wait(r->go);
    r->rc = graph_node_update(r->s, &WHO, r->node, set, NULL, 1, NULL, &err);
    tu_obj_free(&o);
    return NULL;
}

static void race(fx_t *f, void *(*fn)(void *), uint64_t node, int *ok, int *conflict)
{
    pthread_t th[NRACERS];
    racer_t r[NRACERS];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, NRACERS);
    for (int i = 0; i < NRACERS; i++) {
        r[i].s = f->s;
        r[i].go = &go;
        r[i].node = node;
        r[i].rc = 1;
        assert_int_equal(pthread_create(&th[i], NULL, fn, &r[i]), 0);
    }
    *ok = *conflict = 0;
    for (int i = 0; i < NRACERS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        *ok += r[i].rc == 0;
        *conflict += r[i].rc == KNOOP_ECONFLICT;
    }
    pthread_barrier_destroy(&go);
}

static void node_create_with_one_key_from_8_threads_has_exactly_one_winner(void **state)
{
    fx_t *f = *state;
    for (int round = 0; round < 5; round++) {
        int ok, conflict;
        race(f, race_create, 0, &ok, &conflict);
        assert_int_equal(ok, 1);
        assert_int_equal(conflict, NRACERS - 1);
        assert_int_equal(count_nodes(f), 1);
        uint64_t id;
        knoop_error_t err;
        assert_int_equal(by_key(f, "GM0363", &id), 0);
        assert_int_equal(graph_node_delete(f->s, &WHO, id, false, NULL, &err), 0);
    }
}

static void node_update_with_if_version_from_8_threads_has_exactly_one_winner(void **state)
{
    fx_t *f = *state;
    for (int round = 0; round < 5; round++) {
        uint64_t id = mknode(f, SCHEMA_KIND_PERSON, NULL, NULL);
        int ok, conflict;
        race(f, race_update, id, &ok, &conflict);
        assert_int_equal(ok, 1);
        assert_int_equal(conflict, NRACERS - 1);
        assert_true(node_version(f, id) == 2);
    }
}

/* ---- the change record: the unit a replicated log carries ---- */

typedef struct {
    store_t *replica;
    int applied, failed;
    char msg[256];
} replicator_t;

static void replicate_cb(void *arg, uint64_t seq, const void *rec, size_t len)
{
    replicator_t *r = arg;
    knoop_error_t err;
    (void)seq;
    if (store_apply_record(r->replica, rec, len, &err) == 0) {
        r->applied++;
    } else {
        r->failed++;
        snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
    }
}

static void change_records_applied_to_a_replica_reproduce_the_store_byte_for_byte(void **state)
{
    fx_t *f = *state;
    char rdir[256], d1[17], d2[17];
    replicator_t r = { 0 };
    graph_ids_t ended = { 0 }, deleted = { 0 };
    knoop_error_t err;

    tu_mkdtemp(rdir, sizeof rdir);
    r.replica = open_store(rdir);
    store_set_change_cb(f->s, replicate_cb, &r);
    uint64_t g = mknode(f, SCHEMA_KIND_ORGANISATION, "gemeente", "name", "Almere", "cbs_code",
                        "GM0034", NULL);
    uint64_t p = mknode(f, SCHEMA_KIND_PERSON, NULL, "surname", "Jansen", NULL);
    uint64_t base = mkedge(f, "wethouder", p, g, 0);
    mkedge(f, "lid", p, g, base);
    assert_int_equal(graph_edge_end(f->s, &WHO, base, 18000, &ended, &err), 0);
    assert_int_equal(ended.n, 2);
    assert_int_equal(graph_node_delete(f->s, &WHO, p, true, &deleted, &err), 0);
    store_set_change_cb(f->s, NULL, NULL);
    assert_int_equal(r.failed, 0);
    assert_int_equal(r.applied, 6);
    assert_int_equal(store_last_seq(r.replica), store_last_seq(f->s));
    assert_int_equal(store_digest(f->s, NULL, d1, &err), 0);
    assert_int_equal(store_digest(r.replica, NULL, d2, &err), 0);
    assert_string_equal(d1, d2);
    /* A record out of sequence is refused. */
    {
        msgpack_sbuffer sb;
        msgpack_packer pk;
        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        msgpack_pack_array(&pk, 6);
        msgpack_pack_uint8(&pk, 1);
        msgpack_pack_uint64(&pk, 99);
        msgpack_pack_int64(&pk, 0);
        msgpack_pack_str_with_body(&pk, "x", 1);
        msgpack_pack_nil(&pk);
        msgpack_pack_array(&pk, 0);
        assert_int_equal(store_apply_record(r.replica, sb.data, sb.size, &err), KNOOP_ECONFLICT);
        assert_int_equal(store_apply_record(r.replica, "\x91", 1, &err), KNOOP_EINVAL);
        msgpack_sbuffer_destroy(&sb);
    }
    graph_ids_free(&ended);
    graph_ids_free(&deleted);
    store_close(r.replica);
    tu_rmtree(rdir);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(node_create_stores_kind_type_props_and_version_1),
        T(node_create_untyped_and_without_props_has_empty_type_and_map),
        T(node_get_of_missing_id_is_not_found),
        T(node_get_of_an_edge_id_is_not_found),
        T(node_kind_is_read_once_and_then_answered_without_a_read),
        T(node_kind_read_in_an_aborted_transaction_is_not_kept),
        T(node_create_rejects_props_that_are_not_a_map),
        T(node_create_rejects_non_string_property_keys),
        T(node_create_rejects_bad_type_names),
        T(node_create_rejects_unknown_kind),
        T(node_update_sets_replaces_and_keeps_other_properties),
        T(node_update_unsets_properties),
        T(node_update_both_set_and_unset_of_a_property_is_einval_and_changes_nothing),
        T(node_update_with_stale_if_version_is_conflict),
        T(node_update_of_missing_node_is_not_found),
        T(node_update_rejects_bad_set_and_unset_shapes),
        T(node_get_through_snapshot_sees_the_old_version),
        T(node_delete_removes_the_node),
        T(node_find_by_name_ignores_case_diacritics_and_punctuation),
        T(node_find_by_name_prefix_orders_by_normalised_name),
        T(node_find_by_name_matches_word_boundaries_not_substrings),
        T(node_find_by_name_finds_every_node_with_that_name),
        T(node_find_by_name_respects_limit_and_reports_more),
        T(node_rename_moves_the_name_index_entry),
        T(node_delete_removes_the_name_index_entry),
        T(node_by_key_finds_each_key_field),
        T(node_create_with_taken_key_is_conflict_and_writes_nothing),
        T(node_create_with_the_same_key_twice_in_one_node_is_conflict_or_ok),
        T(node_update_to_a_taken_key_is_conflict_and_changes_nothing),
        T(node_update_may_set_its_own_key_again),
        T(node_key_released_by_update_or_delete_is_reusable),
        T(node_create_failing_commit_writes_nothing_and_leaves_key_free),
        T(node_update_failing_commit_changes_nothing),
        T(node_find_by_kind_and_type_lists_ids_in_order),
        T(node_find_by_kind_respects_limit_and_reports_more),
        T(node_find_by_kind_forgets_deleted_nodes),
        T(node_history_records_create_update_delete_with_actor_and_reason),
        T(node_failed_update_adds_no_history),
        T(node_pack_shows_the_documented_fields),
        cmocka_unit_test(format_ts_is_rfc3339_utc),
        T(change_records_applied_to_a_replica_reproduce_the_store_byte_for_byte),
        T(node_and_its_indexes_survive_reopen),
        T(node_delete_is_refused_while_edges_reference_it),
        T(node_cascade_delete_removes_edges_and_dependents_transitively),
        T(node_cascade_delete_with_failing_commit_changes_nothing),
        T(node_cascade_delete_lists_each_edge_once),
        T(node_cascade_delete_without_edges_deletes_just_the_node),
        T(node_delete_is_refused_while_an_ended_edge_references_it),
        T(node_long_name_is_indexed_by_its_prefix),
        T(node_by_key_ignores_properties_that_are_not_keys),
        T(node_create_with_one_key_from_8_threads_has_exactly_one_winner),
        T(node_update_with_if_version_from_8_threads_has_exactly_one_winner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
