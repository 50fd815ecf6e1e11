/*
 * test_graph_edge.c - unit tests for the edges of server/graph/graph.h: time-bounded edges,
 * adjacency scans in both directions, valid-time boundaries, ending edges with cascades through
 * on-behalf-of chains, atomicity and history, on a real RocksDB in a temporary directory.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph.h"
#include "testutil.h"

typedef struct {
    char dir[256];
    store_t *s;
    uint64_t p, q, org, com; /* two persons, an organisation, a committee */
} fx_t;

static const store_who_t WHO = { "tester", "unit test" };

static schema_date_t D(const char *s)
{
    schema_date_t d = 0;
    knoop_error_t err;
    if (schema_date_parse(s, strlen(s), "test", &d, &err) != 0)
        fail_msg("bad date in test: %s", s);
    return d;
}

/* The store in dir, not syncing, with an adjacency cache of adj_cache_bytes. */
static store_t *open_store_cache(const char *dir, size_t adj_cache_bytes)
{
    store_options_t o;
    knoop_error_t err;
    store_t *s = NULL;
    store_options_default(&o);
    o.sync = false;
    o.adj_cache_bytes = adj_cache_bytes;
    if (store_open(dir, &o, &s, &err) != 0)
        fail_msg("store_open: %s", err.msg);
    return s;
}

static store_t *open_store(const char *dir)
{
    return open_store_cache(dir, (size_t)KNOOP_DEFAULT_ADJ_CACHE_MB * 1024 * 1024);
}

static uint64_t mknode(store_t *s, schema_kind_t kind)
{
    graph_node_t n;
    knoop_error_t err;
    memset(&n, 0, sizeof n);
    if (graph_node_create(s, &WHO, kind, NULL, NULL, &n, &err) != 0)
        fail_msg("graph_node_create: %s", err.msg);
    uint64_t id = n.id;
    graph_node_clear(&n);
    return id;
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    tu_mkdtemp(f->dir, sizeof f->dir);
    kv_fault_set(0, false);
    f->s = open_store(f->dir);
    f->p = mknode(f->s, SCHEMA_KIND_PERSON);
    f->q = mknode(f->s, SCHEMA_KIND_PERSON);
    f->org = mknode(f->s, SCHEMA_KIND_ORGANISATION);
    f->com = mknode(f->s, SCHEMA_KIND_BODY);
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

static int create(fx_t *f, const char *type, uint64_t src, uint64_t dst, schema_date_t from,
                  schema_date_t to, uint64_t behalf, uint64_t *id)
{
    graph_edge_t e;
    knoop_error_t err;
    memset(&e, 0, sizeof e);
    knoop_error_clear(&err);
    int rc = graph_edge_create(f->s, &WHO, type, src, dst, from, to, NULL, behalf, &e, &err);
    if (rc == 0) {
        *id = e.id;
        graph_edge_clear(&e);
    } else {
        assert_int_equal(err.code, rc);
    }
    return rc;
}

static uint64_t mkedge(fx_t *f, const char *type, uint64_t src, uint64_t dst, const char *from,
                       const char *to, uint64_t behalf)
{
    uint64_t id = 0;
    int rc = create(f, type, src, dst, D(from), to ? D(to) : SCHEMA_DATE_OPEN, behalf, &id);
    if (rc != 0)
        fail_msg("graph_edge_create(%s): %d", type, rc);
    assert_true(id != 0);
    return id;
}

static void get_edge(fx_t *f, uint64_t id, graph_edge_t *e)
{
    knoop_error_t err;
    memset(e, 0, sizeof *e);
    int rc = graph_edge_get(f->s, NULL, id, e, &err);
    if (rc != 0)
        fail_msg("graph_edge_get(%llu): %d %s", (unsigned long long)id, rc, err.msg);
}

static schema_date_t valid_to(fx_t *f, uint64_t id)
{
    graph_edge_t e;
    get_edge(f, id, &e);
    schema_date_t to = e.valid_to;
    graph_edge_clear(&e);
    return to;
}

static uint64_t edge_version(fx_t *f, uint64_t id)
{
    graph_edge_t e;
    get_edge(f, id, &e);
    uint64_t v = e.version;
    graph_edge_clear(&e);
    return v;
}

/* Adjacency entries as collected by a scan. */
typedef struct {
    size_t n, stop_after;
    graph_adj_t a[32];
    char types[32][64];
} adj_t;

static int adj_cb(void *arg, const graph_adj_t *a)
{
    adj_t *l = arg;
    if (l->n < 32) {
        l->a[l->n] = *a;
        size_t tl = a->type_len < 63 ? a->type_len : 63;
        memcpy(l->types[l->n], a->type, tl);
        l->types[l->n][tl] = '\0';
        l->a[l->n].type = l->types[l->n];
    }
    l->n++;
    return l->stop_after != 0 && l->n >= l->stop_after;
}

static size_t scan(fx_t *f, uint64_t node, const graph_filter_t *flt, adj_t *l)
{
    knoop_error_t err;
    memset(l, 0, sizeof *l);
    knoop_error_clear(&err);
    int rc = graph_adj_scan(f->s, NULL, node, flt, adj_cb, l, &err);
    if (rc != 0)
        fail_msg("graph_adj_scan: %d %s", rc, err.msg);
    return l->n;
}

static size_t scan_at(fx_t *f, uint64_t node, graph_dir_t dir, schema_date_t at)
{
    graph_filter_t flt = { .dir = dir, .type = NULL, .time = GRAPH_TIME_AT, .at = at };
    adj_t l;
    return scan(f, node, &flt, &l);
}

static size_t hist_count(fx_t *f, uint64_t id);

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

static size_t hist_count(fx_t *f, uint64_t id)
{
    hist_t h;
    hist_load(f, id, &h);
    size_t n = h.n;
    hist_free(&h);
    return n;
}

static int end_edge(fx_t *f, uint64_t id, schema_date_t on, graph_ids_t *ended)
{
    knoop_error_t err;
    knoop_error_clear(&err);
    int rc = graph_edge_end(f->s, &WHO, id, on, ended, &err);
    if (rc != 0)
        assert_int_equal(err.code, rc);
    return rc;
}

/* ---- create ---- */

static void edge_create_with_open_end_stores_every_field(void **state)
{
    fx_t *f = *state;
    tu_obj_t o;
    graph_edge_t e;
    knoop_error_t err;
    tu_obj_init(&o);
    const msgpack_object *props = tu_map_str(&o, "portefeuille", "Milieu", NULL);
    memset(&e, 0, sizeof e);
    assert_int_equal(graph_edge_create(f->s, &WHO, "wethouder", f->p, f->org, D("2019-03-01"),
                                       SCHEMA_DATE_OPEN, props, 0, &e, &err),
                     0);
    uint64_t id = e.id;
    assert_true(id > f->com);
    graph_edge_clear(&e);
    get_edge(f, id, &e);
    assert_true(e.id == id);
    assert_string_equal(e.type, "wethouder");
    assert_true(e.source == f->p && e.target == f->org);
    assert_int_equal(e.valid_from, D("2019-03-01"));
    assert_int_equal(e.valid_to, SCHEMA_DATE_OPEN);
    assert_true(e.on_behalf_of == 0);
    assert_true(e.version == 1);
    assert_true(e.created_ms > 0 && e.updated_ms == e.created_ms);
    const msgpack_object *m = tu_unpack(&o, e.props, e.props_len);
    assert_true(tu_str_eq(tu_map_get(m, "portefeuille"), "Milieu"));
    graph_edge_clear(&e);
    tu_obj_free(&o);
}

static void edge_create_with_closed_end_stores_valid_to(void **state)
{
    fx_t *f = *state;
    uint64_t id = mkedge(f, "burgemeester", f->p, f->org, "2019-03-01", "2023-03-29", 0);
    graph_edge_t e;
    get_edge(f, id, &e);
    assert_int_equal(e.valid_from, D("2019-03-01"));
    assert_int_equal(e.valid_to, D("2023-03-29"));
    graph_edge_clear(&e);
}

static void edge_create_with_to_before_from_is_einval_and_writes_nothing(void **state)
{
    fx_t *f = *state;
    uint64_t id = 0;
    assert_int_equal(create(f, "lid", f->p, f->org, D("2023-03-29"), D("2019-03-01"), 0, &id),
                     KNOOP_EINVAL);
    assert_int_equal(create(f, "lid", f->p, f->org, D("2019-03-02"), D("2019-03-01"), 0, &id),
                     KNOOP_EINVAL);
    adj_t l;
    assert_int_equal(scan(f, f->p, NULL, &l), 0);
    assert_int_equal(scan(f, f->org, NULL, &l), 0);
}

static void edge_create_with_missing_ends_or_base_is_not_found_and_writes_nothing(void **state)
{
    fx_t *f = *state;
    uint64_t id = 0;
    const schema_date_t from = D("2019-03-01");
    assert_int_equal(create(f, "lid", 9999, f->org, from, SCHEMA_DATE_OPEN, 0, &id),
                     KNOOP_ENOTFOUND);
    assert_int_equal(create(f, "lid", f->p, 9999, from, SCHEMA_DATE_OPEN, 0, &id), KNOOP_ENOTFOUND);
    assert_int_equal(create(f, "lid", f->p, f->org, from, SCHEMA_DATE_OPEN, 9999, &id),
                     KNOOP_ENOTFOUND);
    /* A node id is not an edge to hold a role on behalf of. */
    assert_int_equal(create(f, "lid", f->p, f->org, from, SCHEMA_DATE_OPEN, f->com, &id),
                     KNOOP_ENOTFOUND);
    /* An edge id is not a node. */
    uint64_t e = mkedge(f, "lid", f->q, f->com, "2019-01-01", NULL, 0);
    assert_int_equal(create(f, "lid", f->p, e, from, SCHEMA_DATE_OPEN, 0, &id), KNOOP_ENOTFOUND);
    adj_t l;
    assert_int_equal(scan(f, f->p, NULL, &l), 0);
    assert_int_equal(scan(f, f->org, NULL, &l), 0);
    assert_int_equal(scan(f, f->com, NULL, &l), 1);
}

static void edge_create_rejects_bad_type_and_props(void **state)
{
    fx_t *f = *state;
    graph_edge_t e;
    knoop_error_t err;
    tu_obj_t o;
    tu_obj_init(&o);
    memset(&e, 0, sizeof e);
    char longtype[KNOOP_MAX_NAME_BYTES + 2];
    memset(longtype, 't', sizeof longtype - 1);
    longtype[sizeof longtype - 1] = '\0';
    const schema_date_t from = D("2019-03-01");
    assert_int_equal(graph_edge_create(f->s, &WHO, "a\nb", f->p, f->org, from, SCHEMA_DATE_OPEN,
                                       NULL, 0, &e, &err),
                     KNOOP_EINVAL);
    assert_int_equal(graph_edge_create(f->s, &WHO, longtype, f->p, f->org, from, SCHEMA_DATE_OPEN,
                                       NULL, 0, &e, &err),
                     KNOOP_EINVAL);
    const msgpack_object *arr = tu_array_str(&o, "x", NULL);
    assert_int_equal(graph_edge_create(f->s, &WHO, "lid", f->p, f->org, from, SCHEMA_DATE_OPEN, arr,
                                       0, &e, &err),
                     KNOOP_EINVAL);
    tu_obj_free(&o);
    adj_t l;
    assert_int_equal(scan(f, f->p, NULL, &l), 0);
}

static void edge_get_of_missing_or_node_id_is_not_found(void **state)
{
    fx_t *f = *state;
    graph_edge_t e;
    knoop_error_t err;
    memset(&e, 0, sizeof e);
    assert_int_equal(graph_edge_get(f->s, NULL, 9999, &e, &err), KNOOP_ENOTFOUND);
    assert_int_equal(graph_edge_get(f->s, NULL, f->p, &e, &err), KNOOP_ENOTFOUND);
}

static void edge_create_writes_history_with_dates_as_strings(void **state)
{
    fx_t *f = *state;
    uint64_t id = mkedge(f, "lid", f->p, f->com, "2019-03-01", NULL, 0);
    hist_t h;
    tu_obj_t o;
    tu_obj_init(&o);
    hist_load(f, id, &h);
    assert_int_equal(h.n, 1);
    const msgpack_object *e = tu_unpack(&o, h.e[0], h.len[0]);
    assert_true(tu_str_eq(tu_map_get(e, "op"), "create"));
    assert_true(tu_str_eq(tu_map_get(e, "actor"), "tester"));
    assert_true(tu_str_eq(tu_map_get(e, "reason"), "unit test"));
    assert_int_equal(tu_map_get(e, "before")->type, MSGPACK_OBJECT_NIL);
    const msgpack_object *after = tu_map_get(e, "after");
    assert_true(tu_uint_eq(tu_map_get(after, "id"), id));
    assert_true(tu_uint_eq(tu_map_get(after, "source"), f->p));
    assert_true(tu_uint_eq(tu_map_get(after, "target"), f->com));
    assert_true(tu_str_eq(tu_map_get(after, "valid_from"), "2019-03-01"));
    assert_int_equal(tu_map_get(after, "valid_to")->type, MSGPACK_OBJECT_NIL);
    assert_int_equal(tu_map_get(after, "on_behalf_of")->type, MSGPACK_OBJECT_NIL);
    hist_free(&h);
    tu_obj_free(&o);
}

/* ---- adjacency ---- */

static void adj_scan_sees_both_ends_out_before_in(void **state)
{
    fx_t *f = *state;
    uint64_t e1 = mkedge(f, "lid", f->p, f->com, "2019-03-01", NULL, 0);
    uint64_t e2 = mkedge(f, "kent", f->q, f->p, "2020-01-01", "2021-01-01", 0);
    adj_t l;
    assert_int_equal(scan(f, f->p, NULL, &l), 2);
    assert_int_equal(l.a[0].dir, GRAPH_OUT);
    assert_true(l.a[0].node == f->p && l.a[0].other == f->com && l.a[0].edge == e1);
    assert_string_equal(l.a[0].type, "lid");
    assert_int_equal(l.a[0].valid_from, D("2019-03-01"));
    assert_int_equal(l.a[0].valid_to, SCHEMA_DATE_OPEN);
    assert_int_equal(l.a[1].dir, GRAPH_IN);
    assert_true(l.a[1].node == f->p && l.a[1].other == f->q && l.a[1].edge == e2);
    assert_string_equal(l.a[1].type, "kent");
    assert_int_equal(l.a[1].valid_from, D("2020-01-01"));
    assert_int_equal(l.a[1].valid_to, D("2021-01-01"));

    /* The other ends see the same edges in the other direction. */
    assert_int_equal(scan(f, f->com, NULL, &l), 1);
    assert_int_equal(l.a[0].dir, GRAPH_IN);
    assert_true(l.a[0].other == f->p && l.a[0].edge == e1);
    assert_int_equal(scan(f, f->q, NULL, &l), 1);
    assert_int_equal(l.a[0].dir, GRAPH_OUT);
    assert_true(l.a[0].other == f->p && l.a[0].edge == e2);
    assert_int_equal(scan(f, f->org, NULL, &l), 0);
}

static void adj_scan_filters_by_direction_and_type(void **state)
{
    fx_t *f = *state;
    uint64_t e1 = mkedge(f, "lid", f->p, f->com, "2019-03-01", NULL, 0);
    uint64_t e2 = mkedge(f, "wethouder", f->p, f->org, "2019-03-01", NULL, 0);
    uint64_t e3 = mkedge(f, "lid", f->q, f->p, "2019-03-01", NULL, 0);
    (void)mkedge(f, "lidmaat", f->p, f->org, "2019-03-01", NULL, 0);
    (void)mkedge(f, "li", f->p, f->org, "2019-03-01", NULL, 0);
    adj_t l;
    graph_filter_t flt = { .dir = GRAPH_OUT, .type = "lid", .time = GRAPH_TIME_ALL };
    assert_int_equal(scan(f, f->p, &flt, &l), 1);
    assert_true(l.a[0].edge == e1);
    flt.dir = GRAPH_IN;
    assert_int_equal(scan(f, f->p, &flt, &l), 1);
    assert_true(l.a[0].edge == e3);
    flt.dir = GRAPH_BOTH;
    assert_int_equal(scan(f, f->p, &flt, &l), 2);
    assert_true(l.a[0].edge == e1 && l.a[1].edge == e3);
    flt.type = "wethouder";
    assert_int_equal(scan(f, f->p, &flt, &l), 1);
    assert_true(l.a[0].edge == e2);
    flt.type = NULL;
    flt.dir = GRAPH_OUT;
    assert_int_equal(scan(f, f->p, &flt, &l), 4);
    flt.dir = GRAPH_IN;
    assert_int_equal(scan(f, f->p, &flt, &l), 1);
    flt.type = "onbekend";
    flt.dir = GRAPH_BOTH;
    assert_int_equal(scan(f, f->p, &flt, &l), 0);
}

static void adj_scan_orders_by_type_then_other_then_edge(void **state)
{
    fx_t *f = *state;
    uint64_t b1 = mkedge(f, "b", f->p, f->com, "2019-01-01", NULL, 0);
    uint64_t a1 = mkedge(f, "a", f->p, f->org, "2019-01-01", NULL, 0);
    uint64_t a2 = mkedge(f, "a", f->p, f->q, "2019-01-01", NULL, 0);
    uint64_t a3 = mkedge(f, "a", f->p, f->q, "2018-01-01", NULL, 0);
    adj_t l;
    graph_filter_t flt = { .dir = GRAPH_OUT, .type = NULL, .time = GRAPH_TIME_ALL };
    assert_int_equal(scan(f, f->p, &flt, &l), 4);
    /* f->q < f->org < f->com (created in that order). */
    assert_true(l.a[0].edge == a2);
    assert_true(l.a[1].edge == a3);
    assert_true(l.a[2].edge == a1);
    assert_true(l.a[3].edge == b1);
}

static void adj_scan_stops_when_callback_returns_nonzero(void **state)
{
    fx_t *f = *state;
    for (int i = 0; i < 5; i++)
        (void)mkedge(f, "lid", f->p, f->com, "2019-01-01", NULL, 0);
    adj_t l;
    knoop_error_t err;
    memset(&l, 0, sizeof l);
    l.stop_after = 2;
    assert_int_equal(graph_adj_scan(f->s, NULL, f->p, NULL, adj_cb, &l, &err), 0);
    assert_int_equal(l.n, 2);
}

static void adj_scan_of_a_self_loop_sees_both_directions(void **state)
{
    fx_t *f = *state;
    uint64_t e = mkedge(f, "kent", f->p, f->p, "2019-01-01", NULL, 0);
    adj_t l;
    assert_int_equal(scan(f, f->p, NULL, &l), 2);
    assert_true(l.a[0].edge == e && l.a[0].dir == GRAPH_OUT);
    assert_true(l.a[1].edge == e && l.a[1].dir == GRAPH_IN);
}

/* ---- valid time ---- */

static void edge_valid_at_is_inclusive_at_valid_from_and_exclusive_at_valid_to(void **state)
{
    fx_t *f = *state;
    (void)mkedge(f, "burgemeester", f->p, f->org, "2019-03-01", "2023-03-29", 0);
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("2019-02-28")), 0);
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("2019-03-01")), 1);
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("2021-06-15")), 1);
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("2023-03-28")), 1);
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("2023-03-29")), 0);
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("2030-01-01")), 0);
    /* The same from the other end. */
    assert_int_equal(scan_at(f, f->org, GRAPH_IN, D("2019-02-28")), 0);
    assert_int_equal(scan_at(f, f->org, GRAPH_IN, D("2019-03-01")), 1);
    assert_int_equal(scan_at(f, f->org, GRAPH_IN, D("2023-03-28")), 1);
    assert_int_equal(scan_at(f, f->org, GRAPH_IN, D("2023-03-29")), 0);
}

static void edge_with_open_end_is_valid_at_every_later_date(void **state)
{
    fx_t *f = *state;
    (void)mkedge(f, "lid", f->p, f->org, "2019-03-01", NULL, 0);
    assert_int_equal(scan_at(f, f->p, GRAPH_BOTH, D("2019-02-28")), 0);
    assert_int_equal(scan_at(f, f->p, GRAPH_BOTH, D("2019-03-01")), 1);
    assert_int_equal(scan_at(f, f->p, GRAPH_BOTH, SCHEMA_DATE_MAX), 1);
}

static void edge_valid_at_works_for_dates_before_1970(void **state)
{
    fx_t *f = *state;
    (void)mkedge(f, "lid", f->p, f->org, "1946-05-01", "1970-01-02", 0);
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("1946-04-30")), 0);
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("1946-05-01")), 1);
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("1969-12-31")), 1);
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("1970-01-01")), 1);
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("1970-01-02")), 0);
}

static bool overlaps(schema_date_t qf, schema_date_t qt, schema_date_t from, schema_date_t to)
{
    graph_filter_t flt = { .dir = GRAPH_BOTH, .time = GRAPH_TIME_OVERLAP, .from = qf, .to = qt };
    return graph_time_match(&flt, from, to);
}

static void time_match_overlap_uses_half_open_intervals(void **state)
{
    (void)state;
    const schema_date_t a = D("2019-03-01"), b = D("2023-03-29");
    /* Query ending exactly where the edge starts: no overlap. */
    assert_false(overlaps(D("2018-01-01"), a, a, b));
    assert_true(overlaps(D("2018-01-01"), a + 1, a, b));
    /* Query starting on the edge's last day: overlap; on its end: none. */
    assert_true(overlaps(b - 1, D("2025-01-01"), a, b));
    assert_false(overlaps(b, D("2025-01-01"), a, b));
    /* Inside, around. */
    assert_true(overlaps(a + 10, a + 20, a, b));
    assert_true(overlaps(a - 10, b + 10, a, b));
    /* Open-ended query and open-ended edge. */
    assert_true(overlaps(b - 1, SCHEMA_DATE_OPEN, a, b));
    assert_false(overlaps(b, SCHEMA_DATE_OPEN, a, b));
    assert_true(overlaps(D("2100-01-01"), D("2100-01-02"), a, SCHEMA_DATE_OPEN));
    assert_false(overlaps(D("2000-01-01"), a, a, SCHEMA_DATE_OPEN));
    assert_true(overlaps(D("2000-01-01"), SCHEMA_DATE_OPEN, a, SCHEMA_DATE_OPEN));
}

static void time_match_at_and_all(void **state)
{
    (void)state;
    const schema_date_t a = D("2019-03-01"), b = D("2023-03-29");
    graph_filter_t at = { .dir = GRAPH_BOTH, .time = GRAPH_TIME_AT, .at = a - 1 };
    assert_false(graph_time_match(&at, a, b));
    at.at = a;
    assert_true(graph_time_match(&at, a, b));
    at.at = b - 1;
    assert_true(graph_time_match(&at, a, b));
    at.at = b;
    assert_false(graph_time_match(&at, a, b));
    assert_true(graph_time_match(&at, a, SCHEMA_DATE_OPEN));
    graph_filter_t all = { .dir = GRAPH_BOTH, .time = GRAPH_TIME_ALL };
    assert_true(graph_time_match(&all, a, b));
    assert_true(graph_time_match(&all, SCHEMA_DATE_MIN, SCHEMA_DATE_OPEN));
}

static void adj_scan_with_overlap_filter_applies_boundaries(void **state)
{
    fx_t *f = *state;
    uint64_t e1 = mkedge(f, "lid", f->p, f->org, "2019-03-01", "2023-03-29", 0);
    uint64_t e2 = mkedge(f, "lid", f->p, f->com, "2023-03-29", NULL, 0);
    adj_t l;
    graph_filter_t flt = {
        .dir = GRAPH_OUT, .time = GRAPH_TIME_OVERLAP, .from = D("2020-01-01"), .to = D("2023-03-29")
    };
    assert_int_equal(scan(f, f->p, &flt, &l), 1);
    assert_true(l.a[0].edge == e1);
    flt.from = D("2023-03-29");
    flt.to = SCHEMA_DATE_OPEN;
    assert_int_equal(scan(f, f->p, &flt, &l), 1);
    assert_true(l.a[0].edge == e2);
    flt.from = D("2023-03-28");
    flt.to = D("2023-03-30");
    assert_int_equal(scan(f, f->p, &flt, &l), 2);
    flt.from = D("2010-01-01");
    flt.to = D("2019-03-01");
    assert_int_equal(scan(f, f->p, &flt, &l), 0);
}

/* ---- ending edges ---- */

static void edge_end_sets_valid_to_and_bumps_version(void **state)
{
    fx_t *f = *state;
    uint64_t id = mkedge(f, "wethouder", f->p, f->org, "2019-03-01", NULL, 0);
    graph_ids_t ended = { 0 };
    assert_int_equal(end_edge(f, id, D("2022-06-01"), &ended), 0);
    assert_int_equal(ended.n, 1);
    assert_true(ended.ids[0] == id);
    graph_ids_free(&ended);
    graph_edge_t e;
    get_edge(f, id, &e);
    assert_int_equal(e.valid_to, D("2022-06-01"));
    assert_int_equal(e.valid_from, D("2019-03-01"));
    assert_true(e.version == 2);
    assert_true(e.updated_ms >= e.created_ms);
    graph_edge_clear(&e);
}

static void edge_end_updates_adjacency_at_both_ends(void **state)
{
    fx_t *f = *state;
    uint64_t id = mkedge(f, "wethouder", f->p, f->org, "2019-03-01", NULL, 0);
    assert_int_equal(end_edge(f, id, D("2022-06-01"), NULL), 0);
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("2022-05-31")), 1);
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("2022-06-01")), 0);
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("2030-01-01")), 0);
    assert_int_equal(scan_at(f, f->org, GRAPH_IN, D("2022-05-31")), 1);
    assert_int_equal(scan_at(f, f->org, GRAPH_IN, D("2022-06-01")), 0);
    adj_t l;
    assert_int_equal(scan(f, f->p, NULL, &l), 1);
    assert_int_equal(l.a[0].valid_to, D("2022-06-01"));
    assert_int_equal(scan(f, f->org, NULL, &l), 1);
    assert_int_equal(l.a[0].valid_to, D("2022-06-01"));
}

static void edge_end_cascades_through_a_chain_of_on_behalf_of_edges(void **state)
{
    fx_t *f = *state;
    uint64_t base = mkedge(f, "wethouder", f->p, f->org, "2019-03-01", NULL, 0);
    uint64_t d1 = mkedge(f, "lid", f->p, f->com, "2019-04-01", NULL, base);
    uint64_t d2 = mkedge(f, "voorzitter", f->p, f->com, "2019-05-01", NULL, d1);
    uint64_t d3 = mkedge(f, "deelnemer", f->p, f->q, "2019-06-01", NULL, d2);
    uint64_t other = mkedge(f, "lid", f->q, f->com, "2019-03-01", NULL, 0);
    graph_ids_t ended = { 0 };
    const schema_date_t on = D("2022-03-30");
    assert_int_equal(end_edge(f, base, on, &ended), 0);
    assert_int_equal(ended.n, 4);
    assert_true(ended.ids[0] == base);
    bool seen1 = false, seen2 = false, seen3 = false;
    for (size_t i = 1; i < ended.n; i++) {
        seen1 |= ended.ids[i] == d1;
        seen2 |= ended.ids[i] == d2;
        seen3 |= ended.ids[i] == d3;
    }
    assert_true(seen1 && seen2 && seen3);
    graph_ids_free(&ended);
    assert_int_equal(valid_to(f, base), on);
    assert_int_equal(valid_to(f, d1), on);
    assert_int_equal(valid_to(f, d2), on);
    assert_int_equal(valid_to(f, d3), on);
    assert_int_equal(valid_to(f, other), SCHEMA_DATE_OPEN);
    /* Adjacency agrees: nothing of p's is valid on the end date. */
    assert_int_equal(scan_at(f, f->p, GRAPH_BOTH, on - 1), 4);
    assert_int_equal(scan_at(f, f->p, GRAPH_BOTH, on), 0);
    assert_int_equal(scan_at(f, f->q, GRAPH_IN, on), 0);
    assert_int_equal(scan_at(f, f->q, GRAPH_OUT, on), 1);
}

static void edge_end_appends_to_the_ended_list(void **state)
{
    fx_t *f = *state;
    uint64_t a = mkedge(f, "lid", f->p, f->org, "2019-03-01", NULL, 0);
    uint64_t b = mkedge(f, "lid", f->q, f->org, "2019-03-01", NULL, 0);
    graph_ids_t ended = { 0 };
    assert_int_equal(end_edge(f, a, D("2020-01-01"), &ended), 0);
    assert_int_equal(end_edge(f, b, D("2020-01-01"), &ended), 0);
    assert_int_equal(ended.n, 2);
    assert_true(ended.ids[0] == a && ended.ids[1] == b);
    graph_ids_free(&ended);
}

static void edge_end_leaves_a_dependent_that_ended_earlier_alone(void **state)
{
    fx_t *f = *state;
    uint64_t base = mkedge(f, "wethouder", f->p, f->org, "2019-03-01", NULL, 0);
    uint64_t early = mkedge(f, "lid", f->p, f->com, "2019-04-01", "2020-01-01", base);
    uint64_t open = mkedge(f, "lid", f->p, f->q, "2019-04-01", NULL, base);
    uint64_t v_early = edge_version(f, early);
    size_t h_early = hist_count(f, early);
    graph_ids_t ended = { 0 };
    assert_int_equal(end_edge(f, base, D("2022-03-30"), &ended), 0);
    assert_int_equal(ended.n, 2);
    assert_true(ended.ids[0] == base && ended.ids[1] == open);
    graph_ids_free(&ended);
    assert_int_equal(valid_to(f, early), D("2020-01-01"));
    assert_true(edge_version(f, early) == v_early);
    assert_int_equal(hist_count(f, early), h_early);
    assert_int_equal(valid_to(f, open), D("2022-03-30"));
}

static void edge_end_ends_a_later_starting_dependent_on_its_own_start(void **state)
{
    fx_t *f = *state;
    uint64_t base = mkedge(f, "wethouder", f->p, f->org, "2019-03-01", NULL, 0);
    uint64_t later = mkedge(f, "lid", f->p, f->com, "2023-01-01", NULL, base);
    graph_ids_t ended = { 0 };
    assert_int_equal(end_edge(f, base, D("2022-03-30"), &ended), 0);
    graph_ids_free(&ended);
    assert_int_equal(valid_to(f, base), D("2022-03-30"));
    /* graph.h: "on the same date (or on its own start date when it starts later)". */
    assert_int_equal(valid_to(f, later), D("2023-01-01"));
    assert_int_equal(scan_at(f, f->com, GRAPH_IN, D("2023-01-01")), 0);
}

static void edge_end_before_valid_from_is_einval_and_changes_nothing(void **state)
{
    fx_t *f = *state;
    uint64_t id = mkedge(f, "lid", f->p, f->org, "2019-03-01", NULL, 0);
    assert_int_equal(end_edge(f, id, D("2019-02-28"), NULL), KNOOP_EINVAL);
    assert_int_equal(valid_to(f, id), SCHEMA_DATE_OPEN);
    assert_true(edge_version(f, id) == 1);
    assert_int_equal(hist_count(f, id), 1);
}

static void edge_end_on_valid_from_is_allowed(void **state)
{
    fx_t *f = *state;
    uint64_t id = mkedge(f, "lid", f->p, f->org, "2019-03-01", NULL, 0);
    assert_int_equal(end_edge(f, id, D("2019-03-01"), NULL), 0);
    assert_int_equal(valid_to(f, id), D("2019-03-01"));
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("2019-03-01")), 0);
}

static void edge_end_of_an_edge_already_ended_on_or_before_is_conflict(void **state)
{
    fx_t *f = *state;
    uint64_t id = mkedge(f, "lid", f->p, f->org, "2019-03-01", NULL, 0);
    assert_int_equal(end_edge(f, id, D("2022-01-01"), NULL), 0);
    assert_int_equal(end_edge(f, id, D("2022-01-01"), NULL), KNOOP_ECONFLICT);
    assert_int_equal(end_edge(f, id, D("2022-01-02"), NULL), KNOOP_ECONFLICT);
    assert_int_equal(valid_to(f, id), D("2022-01-01"));
    assert_true(edge_version(f, id) == 2);

    uint64_t closed = mkedge(f, "lid", f->q, f->org, "2019-03-01", "2023-03-29", 0);
    assert_int_equal(end_edge(f, closed, D("2023-03-29"), NULL), KNOOP_ECONFLICT);
    assert_int_equal(end_edge(f, closed, D("2024-01-01"), NULL), KNOOP_ECONFLICT);
    assert_int_equal(valid_to(f, closed), D("2023-03-29"));
}

static void edge_end_may_shorten_a_closed_edge(void **state)
{
    fx_t *f = *state;
    uint64_t id = mkedge(f, "lid", f->p, f->org, "2019-03-01", "2023-03-29", 0);
    assert_int_equal(end_edge(f, id, D("2021-01-01"), NULL), 0);
    assert_int_equal(valid_to(f, id), D("2021-01-01"));
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("2022-01-01")), 0);
}

static void edge_end_of_missing_edge_is_not_found(void **state)
{
    fx_t *f = *state;
    assert_int_equal(end_edge(f, 9999, D("2022-01-01"), NULL), KNOOP_ENOTFOUND);
    assert_int_equal(end_edge(f, f->p, D("2022-01-01"), NULL), KNOOP_ENOTFOUND);
}

static void edge_end_with_failing_commit_changes_no_edge(void **state)
{
    fx_t *f = *state;
    uint64_t base = mkedge(f, "wethouder", f->p, f->org, "2019-03-01", NULL, 0);
    uint64_t d1 = mkedge(f, "lid", f->p, f->com, "2019-04-01", NULL, base);
    uint64_t d2 = mkedge(f, "voorzitter", f->p, f->com, "2019-05-01", NULL, d1);
    uint64_t ids[3] = { base, d1, d2 };
    graph_ids_t ended = { 0 };
    kv_fault_set(1, false);
    assert_int_equal(end_edge(f, base, D("2022-03-30"), &ended), KNOOP_EIO);
    assert_int_equal(kv_fault_fired(), 1);
    graph_ids_free(&ended);
    for (int i = 0; i < 3; i++) {
        graph_edge_t e;
        get_edge(f, ids[i], &e);
        assert_int_equal(e.valid_to, SCHEMA_DATE_OPEN);
        assert_true(e.version == 1);
        graph_edge_clear(&e);
        assert_int_equal(hist_count(f, ids[i]), 1);
    }
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("2023-01-01")), 3);
    assert_int_equal(scan_at(f, f->com, GRAPH_IN, D("2023-01-01")), 2);
    /* And the same end works once the fault is gone. */
    memset(&ended, 0, sizeof ended);
    assert_int_equal(end_edge(f, base, D("2022-03-30"), &ended), 0);
    assert_int_equal(ended.n, 3);
    graph_ids_free(&ended);
}

static void edge_end_history_shows_op_end_with_before_and_after(void **state)
{
    fx_t *f = *state;
    uint64_t base = mkedge(f, "wethouder", f->p, f->org, "2019-03-01", NULL, 0);
    uint64_t dep = mkedge(f, "lid", f->p, f->com, "2019-04-01", NULL, base);
    store_who_t who = { "griffie", "verkiezingen" };
    knoop_error_t err;
    assert_int_equal(graph_edge_end(f->s, &who, base, D("2022-03-30"), NULL, &err), 0);
    tu_obj_t o;
    tu_obj_init(&o);
    uint64_t seqs[2];
    uint64_t ids[2] = { base, dep };
    for (int i = 0; i < 2; i++) {
        hist_t h;
        hist_load(f, ids[i], &h);
        assert_int_equal(h.n, 2);
        const msgpack_object *e = tu_unpack(&o, h.e[1], h.len[1]);
        assert_true(tu_str_eq(tu_map_get(e, "op"), "end"));
        assert_true(tu_str_eq(tu_map_get(e, "actor"), "griffie"));
        assert_true(tu_str_eq(tu_map_get(e, "reason"), "verkiezingen"));
        assert_int_equal(tu_map_get(tu_map_get(e, "before"), "valid_to")->type, MSGPACK_OBJECT_NIL);
        assert_true(tu_str_eq(tu_map_get(tu_map_get(e, "after"), "valid_to"), "2022-03-30"));
        const msgpack_object *seq = tu_map_get(e, "seq");
        assert_non_null(seq);
        seqs[i] = seq->via.u64;
        hist_free(&h);
    }
    /* One atomic change: both entries share the commit's sequence number. */
    assert_true(seqs[0] == seqs[1]);
    tu_obj_free(&o);
}

static void edge_pack_shows_open_end_and_no_base_as_nil(void **state)
{
    fx_t *f = *state;
    uint64_t base = mkedge(f, "wethouder", f->p, f->org, "2019-03-01", NULL, 0);
    uint64_t dep = mkedge(f, "lid", f->p, f->com, "2019-04-01", "2023-03-29", base);
    graph_edge_t e;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    tu_obj_t o;
    tu_obj_init(&o);

    get_edge(f, base, &e);
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    graph_edge_pack(&pk, &e);
    const msgpack_object *m = tu_from_sbuf(&o, &sb);
    assert_true(tu_uint_eq(tu_map_get(m, "id"), base));
    assert_true(tu_str_eq(tu_map_get(m, "type"), "wethouder"));
    assert_true(tu_uint_eq(tu_map_get(m, "source"), f->p));
    assert_true(tu_uint_eq(tu_map_get(m, "target"), f->org));
    assert_true(tu_str_eq(tu_map_get(m, "valid_from"), "2019-03-01"));
    assert_int_equal(tu_map_get(m, "valid_to")->type, MSGPACK_OBJECT_NIL);
    assert_int_equal(tu_map_get(m, "on_behalf_of")->type, MSGPACK_OBJECT_NIL);
    assert_true(tu_uint_eq(tu_map_get(m, "version"), 1));
    assert_non_null(tu_map_get(m, "props"));
    assert_non_null(tu_map_get(m, "created"));
    assert_non_null(tu_map_get(m, "updated"));
    msgpack_sbuffer_destroy(&sb);
    graph_edge_clear(&e);

    get_edge(f, dep, &e);
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    graph_edge_pack(&pk, &e);
    m = tu_from_sbuf(&o, &sb);
    assert_true(tu_str_eq(tu_map_get(m, "valid_to"), "2023-03-29"));
    assert_true(tu_uint_eq(tu_map_get(m, "on_behalf_of"), base));
    msgpack_sbuffer_destroy(&sb);
    graph_edge_clear(&e);
    tu_obj_free(&o);
}

static void edges_and_adjacency_survive_reopen(void **state)
{
    fx_t *f = *state;
    uint64_t base = mkedge(f, "wethouder", f->p, f->org, "2019-03-01", NULL, 0);
    uint64_t dep = mkedge(f, "lid", f->p, f->com, "2019-04-01", NULL, base);
    store_close(f->s);
    f->s = open_store(f->dir);
    graph_edge_t e;
    get_edge(f, dep, &e);
    assert_true(e.on_behalf_of == base);
    assert_int_equal(e.valid_from, D("2019-04-01"));
    graph_edge_clear(&e);
    assert_int_equal(scan_at(f, f->p, GRAPH_OUT, D("2020-01-01")), 2);
    /* The on-behalf-of link survives too: ending the base still cascades. */
    graph_ids_t ended = { 0 };
    assert_int_equal(end_edge(f, base, D("2022-01-01"), &ended), 0);
    assert_int_equal(ended.n, 2);
    graph_ids_free(&ended);
    assert_int_equal(valid_to(f, dep), D("2022-01-01"));
}

#define NRACERS 8

typedef struct {
    store_t *s;
    pthread_barrier_t *go;
    uint64_t edge;
    schema_date_t on;
    int rc;
} racer_t;

static void *race_end(void *arg)
{
    racer_t *r = arg;
    knoop_error_t err;
    pthread_barrier_wait(r->go);
    r->rc = graph_edge_end(r->s, &WHO, r->edge, r->on, NULL, &err);
    return NULL;
}

static void edge_end_from_8_threads_at_once_succeeds_once(void **state)
{
    fx_t *f = *state;
    for (int round = 0; round < 5; round++) {
        uint64_t base = mkedge(f, "wethouder", f->p, f->org, "2019-03-01", NULL, 0);
        uint64_t dep = mkedge(f, "lid", f->p, f->com, "2019-04-01", NULL, base);
        pthread_t th[NRACERS];
        racer_t r[NRACERS];
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, NRACERS);
        for (int i = 0; i < NRACERS; i++) {
            r[i] = (racer_t){ f->s, &go, base, D("2022-03-30"), 1 };
            assert_int_equal(pthread_create(&th[i], NULL, race_end, &r[i]), 0);
        }
        int ok = 0, conflict = 0;
        for (int i = 0; i < NRACERS; i++) {
            assert_int_equal(pthread_join(th[i], NULL), 0);
            ok += r[i].rc == 0;
            conflict += r[i].rc == KNOOP_ECONFLICT;
        }
        pthread_barrier_destroy(&go);
        assert_int_equal(ok, 1);
        assert_int_equal(conflict, NRACERS - 1);
        assert_int_equal(valid_to(f, base), D("2022-03-30"));
        assert_int_equal(valid_to(f, dep), D("2022-03-30"));
        assert_int_equal(hist_count(f, base), 2);
        assert_int_equal(hist_count(f, dep), 2);
    }
}

/* Closes and opens the fixture's store again with an adjacency cache of cache_bytes: no kinds
 * known, nothing cached. */
static void reopen_cold(fx_t *f, size_t cache_bytes)
{
    store_close(f->s);
    f->s = open_store_cache(f->dir, cache_bytes);
}

/* After a start graph_warm learns every node's kind and builds every organisation's, body's and
 * person's adjacency into the cache, and stops at once when asked to or when the cache is full. */
static void warm_learns_kinds_and_builds_the_adjacency_of_hubs_and_persons(void **state)
{
    fx_t *f = *state;
    atomic_bool stop;
    graph_warm_stats_t st;
    store_adjcache_stats_t ac;
    knoop_error_t err;
    uint64_t kontakt = mknode(f->s, SCHEMA_KIND_CONTACT);
    mkedge(f, "burgemeester", f->p, f->org, "2019-03-01", NULL, 0);
    mkedge(f, "lid", f->q, f->com, "2019-01-01", NULL, 0);

    reopen_cold(f, 1 << 20);
    assert_int_equal(store_tag_get(f->s, f->org), 0);
    atomic_init(&stop, false);
    assert_int_equal(graph_warm(f->s, &stop, &st, &err), KNOOP_OK);
    assert_int_equal(st.nodes, 5);
    assert_int_equal(st.adjacency, 4); /* not the klantcontact's */
    assert_false(st.full);
    assert_false(st.stopped);
    assert_int_equal(store_tag_get(f->s, f->p), SCHEMA_KIND_PERSON);
    assert_int_equal(store_tag_get(f->s, f->q), SCHEMA_KIND_PERSON);
    assert_int_equal(store_tag_get(f->s, f->org), SCHEMA_KIND_ORGANISATION);
    assert_int_equal(store_tag_get(f->s, f->com), SCHEMA_KIND_BODY);
    assert_int_equal(store_tag_get(f->s, kontakt), SCHEMA_KIND_CONTACT);
    store_adj_cache_stats(f->s, &ac);
    assert_int_equal(ac.nodes, 4);
    assert_int_equal(ac.misses, 4);
    /* A scan through a snapshot now finds the organisation's adjacency in the cache. */
    adj_t l = { 0 };
    graph_filter_t fl = { .dir = GRAPH_IN };
    store_view_t *v = store_snapshot(f->s);
    assert_non_null(v);
    assert_int_equal(graph_adj_scan(f->s, v, f->org, &fl, adj_cb, &l, &err), 0);
    store_snapshot_free(f->s, v);
    assert_int_equal(l.n, 1);
    store_adj_cache_stats(f->s, &ac);
    assert_int_equal(ac.hits, 1);

    reopen_cold(f, 1 << 20);
    atomic_store(&stop, true);
    assert_int_equal(graph_warm(f->s, &stop, &st, &err), KNOOP_OK);
    assert_true(st.stopped);
    assert_int_equal(st.adjacency, 0);
    store_adj_cache_stats(f->s, &ac);
    assert_int_equal(ac.nodes, 0);

    /* 300 more persons with a role each, in a cache of 16 KiB (some 60 small adjacencies). */
    for (int i = 0; i < 300; i++)
        mkedge(f, "lid", mknode(f->s, SCHEMA_KIND_PERSON), f->com, "2020-01-01", NULL, 0);
    reopen_cold(f, 16 << 10);
    atomic_store(&stop, false);
    assert_int_equal(graph_warm(f->s, &stop, &st, &err), KNOOP_OK);
    assert_true(st.full);
    assert_true(st.adjacency < 300);
    store_adj_cache_stats(f->s, &ac);
    assert_true(ac.bytes <= ac.budget);
    assert_true(ac.bytes >= ac.budget / 4 * 3);

    reopen_cold(f, 0); /* no cache: kinds only */
    assert_int_equal(graph_warm(f->s, &stop, &st, &err), KNOOP_OK);
    assert_int_equal(st.nodes, 305);
    assert_int_equal(st.adjacency, 0);
    assert_int_equal(store_tag_get(f->s, f->com), SCHEMA_KIND_BODY);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(edge_create_with_open_end_stores_every_field),
        T(edge_create_with_closed_end_stores_valid_to),
        T(edge_create_with_to_before_from_is_einval_and_writes_nothing),
        T(edge_create_with_missing_ends_or_base_is_not_found_and_writes_nothing),
        T(edge_create_rejects_bad_type_and_props),
        T(edge_get_of_missing_or_node_id_is_not_found),
        T(edge_create_writes_history_with_dates_as_strings),
        T(adj_scan_sees_both_ends_out_before_in),
        T(adj_scan_filters_by_direction_and_type),
        T(adj_scan_orders_by_type_then_other_then_edge),
        T(adj_scan_stops_when_callback_returns_nonzero),
        T(adj_scan_of_a_self_loop_sees_both_directions),
        T(edge_valid_at_is_inclusive_at_valid_from_and_exclusive_at_valid_to),
        T(edge_with_open_end_is_valid_at_every_later_date),
        T(edge_valid_at_works_for_dates_before_1970),
        cmocka_unit_test(time_match_overlap_uses_half_open_intervals),
        cmocka_unit_test(time_match_at_and_all),
        T(adj_scan_with_overlap_filter_applies_boundaries),
        T(edge_end_sets_valid_to_and_bumps_version),
        T(edge_end_updates_adjacency_at_both_ends),
        T(edge_end_cascades_through_a_chain_of_on_behalf_of_edges),
        T(edge_end_appends_to_the_ended_list),
        T(edge_end_leaves_a_dependent_that_ended_earlier_alone),
        T(edge_end_ends_a_later_starting_dependent_on_its_own_start),
        T(edge_end_before_valid_from_is_einval_and_changes_nothing),
        T(edge_end_on_valid_from_is_allowed),
        T(edge_end_of_an_edge_already_ended_on_or_before_is_conflict),
        T(edge_end_may_shorten_a_closed_edge),
        T(edge_end_of_missing_edge_is_not_found),
        T(edge_end_with_failing_commit_changes_no_edge),
        T(edge_end_history_shows_op_end_with_before_and_after),
        T(edge_pack_shows_open_end_and_no_base_as_nil),
        T(edges_and_adjacency_survive_reopen),
        T(edge_end_from_8_threads_at_once_succeeds_once),
        T(warm_learns_kinds_and_builds_the_adjacency_of_hubs_and_persons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
