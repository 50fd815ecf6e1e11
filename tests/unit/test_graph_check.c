/*
 * test_graph_check.c - unit tests for the consistency checker (graph_check in
 * server/graph/graph.h): a store built through graph operations is clean, each kind of
 * corruption injected directly through store_txn_put / store_txn_delete is reported with the
 * right column family and key, and the digest follows the contents. Real RocksDB in a
 * temporary directory.
 */
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

/* The change records of the fixture's store, to build a replica with the same contents. */
typedef struct {
    void **recs;
    size_t *lens;
    size_t n, cap;
} records_t;

typedef struct {
    char dir[256];
    store_t *s;
    records_t recs;
    uint64_t p1, p2, org, com; /* two persons, a gemeente, a committee */
    uint64_t role, seat, sub;  /* wethouder, a seat on its behalf, one on the seat's behalf */
    uint64_t live, live_dep;   /* an open role and one held on its behalf */
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

static void record_cb(void *arg, uint64_t seq, const void *record, size_t len)
{
    records_t *r = arg;
    (void)seq;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->recs = realloc(r->recs, r->cap * sizeof(*r->recs));
        r->lens = realloc(r->lens, r->cap * sizeof(*r->lens));
        assert_non_null(r->recs);
        assert_non_null(r->lens);
    }
    r->recs[r->n] = malloc(len);
    assert_non_null(r->recs[r->n]);
    memcpy(r->recs[r->n], record, len);
    r->lens[r->n++] = len;
}

static uint64_t mknode(fx_t *f, schema_kind_t kind, const char *type, ...)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    va_list ap;
    uint32_t n = 0;
    tu_obj_t o;
    graph_node_t node;
    knoop_error_t err;
    const char *k;

    va_start(ap, type);
    while ((k = va_arg(ap, const char *)) != NULL) {
        (void)va_arg(ap, const char *);
        n++;
    }
    va_end(ap);
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, n);
    va_start(ap, type);
    while ((k = va_arg(ap, const char *)) != NULL) {
        const char *v = va_arg(ap, const char *);
        msgpack_pack_str_with_body(&pk, k, strlen(k));
        msgpack_pack_str_with_body(&pk, v, strlen(v));
    }
    va_end(ap);
    tu_obj_init(&o);
    memset(&node, 0, sizeof node);
    if (graph_node_create(f->s, &WHO, kind, type, tu_from_sbuf(&o, &sb), &node, &err) != 0)
        fail_msg("graph_node_create: %s", err.msg);
    tu_obj_free(&o);
    msgpack_sbuffer_destroy(&sb);
    uint64_t id = node.id;
    graph_node_clear(&node);
    return id;
}

static uint64_t mkedge(fx_t *f, const char *type, uint64_t src, uint64_t dst, const char *from,
                       uint64_t behalf)
{
    graph_edge_t e;
    knoop_error_t err;
    memset(&e, 0, sizeof e);
    if (graph_edge_create(f->s, &WHO, type, src, dst, D(from), SCHEMA_DATE_OPEN, NULL, behalf, &e,
                          &err) != 0)
        fail_msg("graph_edge_create(%s): %s", type, err.msg);
    uint64_t id = e.id;
    graph_edge_clear(&e);
    return id;
}

/* Builds a store through every kind of graph write: creates, an update that renames and adds
 * an external key, an end with a cascade through an on-behalf-of chain, a node delete with a
 * cascade through edges and their dependents. */
static void build(fx_t *f)
{
    knoop_error_t err;
    tu_obj_t set;
    graph_ids_t ids = { 0 };
    uint64_t gone, gone_role;

    f->p1 = mknode(f, SCHEMA_KIND_PERSON, NULL, "name", "Jan de Vries", "key", "P-1", NULL);
    f->p2 = mknode(f, SCHEMA_KIND_PERSON, NULL, "name", "Anna", NULL);
    f->org = mknode(f, SCHEMA_KIND_ORGANISATION, "gemeente", "name", "Almere", "cbs_code", "GM0034",
                    NULL);
    f->com = mknode(f, SCHEMA_KIND_BODY, NULL, "name", "VNG commissie Milieu", NULL);
    tu_obj_init(&set);
    if (graph_node_update(f->s, &WHO, f->p2,
                          tu_map_str(&set, "name", "Anna Bakker", "key", "P-2", NULL), NULL, 0,
                          NULL, &err) != 0)
        fail_msg("graph_node_update: %s", err.msg);
    tu_obj_free(&set);
    f->role = mkedge(f, "wethouder", f->p1, f->org, "2022-06-01", 0);
    f->seat = mkedge(f, "lid", f->p1, f->com, "2022-07-01", f->role);
    f->sub = mkedge(f, "voorzitter", f->p1, f->com, "2023-01-01", f->seat);
    if (graph_edge_end(f->s, &WHO, f->role, D("2024-01-01"), &ids, &err) != 0)
        fail_msg("graph_edge_end: %s", err.msg);
    assert_int_equal(ids.n, 3);
    graph_ids_free(&ids);
    f->live = mkedge(f, "raadslid", f->p2, f->org, "2022-03-30", 0);
    f->live_dep = mkedge(f, "lid", f->p2, f->com, "2022-04-01", f->live);
    gone = mknode(f, SCHEMA_KIND_PERSON, NULL, "name", "Piet", "kvk", "12345678", NULL);
    gone_role = mkedge(f, "raadslid", gone, f->org, "2022-03-30", 0);
    (void)mkedge(f, "lid", gone, f->com, "2022-04-01", gone_role);
    (void)mkedge(f, "lid", f->p2, f->com, "2022-05-01", gone_role);
    if (graph_node_delete(f->s, &WHO, gone, true, &ids, &err) != 0)
        fail_msg("graph_node_delete: %s", err.msg);
    assert_int_equal(ids.n, 3);
    graph_ids_free(&ids);
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    tu_mkdtemp(f->dir, sizeof f->dir);
    f->s = open_store(f->dir);
    store_set_change_cb(f->s, record_cb, &f->recs);
    build(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    store_close(f->s);
    tu_rmtree(f->dir);
    for (size_t i = 0; i < f->recs.n; i++)
        free(f->recs.recs[i]);
    free(f->recs.recs);
    free(f->recs.lens);
    free(f);
    return 0;
}

/* The mismatches a check reported. */
typedef struct {
    size_t n;
    kv_cf_t cf[64];
    unsigned char key[64][300];
    size_t klen[64];
    char problem[64][400];
} found_t;

static void collect_cb(void *arg, const graph_mismatch_t *m)
{
    found_t *fd = arg;
    print_message("mismatch: %s %s: %s\n", kv_cf_name(m->cf), m->key_text, m->problem);
    if (fd->n == 64)
        return;
    fd->cf[fd->n] = m->cf;
    fd->klen[fd->n] = m->klen < 300 ? m->klen : 300;
    memcpy(fd->key[fd->n], m->key, fd->klen[fd->n]);
    snprintf(fd->problem[fd->n], sizeof(fd->problem[0]), "%s", m->problem);
    fd->n++;
}

static void check(fx_t *f, found_t *fd, graph_check_result_t *r)
{
    knoop_error_t err;
    memset(fd, 0, sizeof *fd);
    if (graph_check(f->s, NULL, 0, collect_cb, fd, r, &err) != 0)
        fail_msg("graph_check: %s", err.msg);
    assert_int_equal(r->mismatches, fd->n);
}

/* True when a mismatch was reported on exactly this key of cf. */
static bool reported(const found_t *fd, kv_cf_t cf, const void *key, size_t klen)
{
    for (size_t i = 0; i < fd->n; i++)
        if (fd->cf[i] == cf && fd->klen[i] == klen && memcmp(fd->key[i], key, klen) == 0)
            return true;
    return false;
}

/*
 * Injects a corruption: one put (val != NULL) or delete of key in cf, committed through the
 * store's own transaction. The store refuses a change without history, so the transaction also
 * writes a history entry for id 0 (the schema registry), which the checker does not tie to a
 * record.
 */
static void inject(fx_t *f, kv_cf_t cf, const void *key, size_t klen, const void *val, size_t vlen)
{
    store_txn_t *t;
    knoop_error_t err;
    assert_int_equal(store_txn_begin(f->s, &WHO, &t, &err), 0);
    if (val != NULL)
        assert_int_equal(store_txn_put(t, cf, key, klen, val, vlen), 0);
    else
        assert_int_equal(store_txn_delete(t, cf, key, klen), 0);
    assert_int_equal(store_txn_history(t, 0, "schema", NULL, 0, NULL, 0), 0);
    if (store_txn_commit(t, &err) != 0)
        fail_msg("store_txn_commit: %s", err.msg);
}

static void get_edge(fx_t *f, uint64_t id, graph_edge_t *e)
{
    knoop_error_t err;
    if (graph_edge_get(f->s, NULL, id, e, &err) != 0)
        fail_msg("graph_edge_get: %s", err.msg);
}

static void test_store_built_by_graph_operations_is_clean(void **state)
{
    fx_t *f = *state;
    graph_check_result_t r;
    found_t fd;
    check(f, &fd, &r);
    assert_int_equal(r.mismatches, 0);
    assert_int_equal(r.nodes, 4);
    assert_int_equal(r.edges, 5);
    assert_int_equal(r.adj, 10);
    assert_true(r.hist >= 4 + 8);
    /* 4 name + 3 key + 4 kind/type + 3 on-behalf-of entries */
    assert_int_equal(r.index, 14);
    assert_int_equal(strlen(r.digest), 16);
}

static void test_store_stays_clean_after_reopen(void **state)
{
    fx_t *f = *state;
    graph_check_result_t r1, r2;
    found_t fd;
    check(f, &fd, &r1);
    store_close(f->s);
    f->s = open_store(f->dir);
    check(f, &fd, &r2);
    assert_int_equal(r2.mismatches, 0);
    assert_string_equal(r1.digest, r2.digest);
}

static void test_missing_adjacency_entry_is_reported_by_its_key(void **state)
{
    fx_t *f = *state;
    unsigned char key[STORE_ADJ_KEY_MAX];
    graph_check_result_t r;
    graph_edge_t e;
    found_t fd;
    get_edge(f, f->live, &e);
    size_t kl =
        store_key_adj(key, e.target, STORE_DIR_IN, e.type, strlen(e.type), e.source, e.id, true);
    graph_edge_clear(&e);
    inject(f, KV_CF_ADJ, key, kl, NULL, 0);
    check(f, &fd, &r);
    assert_int_equal(r.mismatches, 1);
    assert_true(reported(&fd, KV_CF_ADJ, key, kl));
    assert_non_null(strstr(fd.problem[0], "missing"));
}

static void test_adjacency_with_other_dates_is_reported(void **state)
{
    fx_t *f = *state;
    unsigned char key[STORE_ADJ_KEY_MAX], val[8];
    graph_check_result_t r;
    graph_edge_t e;
    found_t fd;
    get_edge(f, f->role, &e);
    size_t kl =
        store_key_adj(key, e.source, STORE_DIR_OUT, e.type, strlen(e.type), e.target, e.id, true);
    store_put_date(val, e.valid_from);
    store_put_date(val + 4, SCHEMA_DATE_OPEN); /* the edge ended, its entry says open */
    graph_edge_clear(&e);
    inject(f, KV_CF_ADJ, key, kl, val, 8);
    check(f, &fd, &r);
    assert_int_equal(r.mismatches, 1);
    assert_true(reported(&fd, KV_CF_ADJ, key, kl));
}

static void test_dangling_adjacency_entry_is_reported(void **state)
{
    fx_t *f = *state;
    unsigned char key[STORE_ADJ_KEY_MAX], val[8];
    graph_check_result_t r;
    found_t fd;
    size_t kl = store_key_adj(key, f->p1, STORE_DIR_OUT, "lid", 3, f->com, 9999, true);
    store_put_date(val, D("2020-01-01"));
    store_put_date(val + 4, SCHEMA_DATE_OPEN);
    inject(f, KV_CF_ADJ, key, kl, val, 8);
    check(f, &fd, &r);
    assert_true(reported(&fd, KV_CF_ADJ, key, kl));
    assert_int_equal(r.mismatches, 1);
}

static void test_stale_name_index_entry_is_reported(void **state)
{
    fx_t *f = *state;
    unsigned char key[64];
    graph_check_result_t r;
    found_t fd;
    size_t kl = store_key_idx_name(key, "anna", 4, f->p2); /* her name before the update */
    inject(f, KV_CF_IDX, key, kl, "", 0);
    check(f, &fd, &r);
    assert_int_equal(r.mismatches, 1);
    assert_true(reported(&fd, KV_CF_IDX, key, kl));
    assert_non_null(strstr(fd.problem[0], "stale"));
}

static void test_missing_name_index_entry_is_reported(void **state)
{
    fx_t *f = *state;
    unsigned char key[64];
    graph_check_result_t r;
    found_t fd;
    size_t kl = store_key_idx_name(key, "almere", 6, f->org);
    inject(f, KV_CF_IDX, key, kl, NULL, 0);
    check(f, &fd, &r);
    assert_int_equal(r.mismatches, 1);
    assert_true(reported(&fd, KV_CF_IDX, key, kl));
}

static void test_key_index_pointing_to_wrong_node_is_reported(void **state)
{
    fx_t *f = *state;
    unsigned char key[16], val[8];
    graph_check_result_t r;
    found_t fd;
    size_t kl = store_key_idx_ext(key, "GM0034", 6);
    store_put_u64(val, f->p1);
    inject(f, KV_CF_IDX, key, kl, val, 8);
    check(f, &fd, &r);
    /* Seen from both sides: the gemeente misses its key, and p1 does not hold it. */
    assert_int_equal(r.mismatches, 2);
    assert_true(reported(&fd, KV_CF_IDX, key, kl));
    assert_true(fd.cf[0] == KV_CF_IDX && fd.cf[1] == KV_CF_IDX);
}

static void test_missing_kind_type_entry_is_reported(void **state)
{
    fx_t *f = *state;
    unsigned char key[64];
    graph_check_result_t r;
    found_t fd;
    size_t kl = store_key_idx_type(key, SCHEMA_KIND_ORGANISATION, "gemeente", 8, f->org);
    inject(f, KV_CF_IDX, key, kl, NULL, 0);
    check(f, &fd, &r);
    assert_int_equal(r.mismatches, 1);
    assert_true(reported(&fd, KV_CF_IDX, key, kl));
}

static void test_missing_on_behalf_of_entry_is_reported(void **state)
{
    fx_t *f = *state;
    unsigned char key[STORE_BEHALF_KEY_LEN];
    graph_check_result_t r;
    found_t fd;
    size_t kl = store_key_idx_behalf(key, f->role, f->seat);
    inject(f, KV_CF_IDX, key, kl, NULL, 0);
    check(f, &fd, &r);
    assert_int_equal(r.mismatches, 1);
    assert_true(reported(&fd, KV_CF_IDX, key, kl));
}

static void test_stale_on_behalf_of_entry_is_reported(void **state)
{
    fx_t *f = *state;
    unsigned char key[STORE_BEHALF_KEY_LEN];
    graph_check_result_t r;
    found_t fd;
    size_t kl = store_key_idx_behalf(key, f->live, f->seat); /* seat is held for role */
    inject(f, KV_CF_IDX, key, kl, "", 0);
    check(f, &fd, &r);
    assert_int_equal(r.mismatches, 1);
    assert_true(reported(&fd, KV_CF_IDX, key, kl));
}

static void test_missing_history_is_reported_by_id(void **state)
{
    fx_t *f = *state;
    unsigned char hk[STORE_HIST_KEY_LEN], id[8];
    graph_check_result_t r;
    found_t fd;
    store_iter_t *it;
    size_t n = 0;
    /* p1 was created by the first commit: its one history entry is (p1, 1, 0). */
    store_put_u64(id, f->p1);
    it = store_iter(f->s, NULL, KV_CF_HIST, id, 8, NULL, 0);
    for (; store_iter_valid(it); store_iter_next(it)) {
        size_t kl;
        const unsigned char *k = store_iter_key(it, &kl);
        if (store_get_u64(k) != f->p1)
            break;
        memcpy(hk, k, STORE_HIST_KEY_LEN);
        n++;
    }
    store_iter_free(it);
    assert_int_equal(n, 1);
    inject(f, KV_CF_HIST, hk, STORE_HIST_KEY_LEN, NULL, 0);
    check(f, &fd, &r);
    assert_int_equal(r.mismatches, 1);
    assert_true(reported(&fd, KV_CF_HIST, id, 8));
}

static void test_latest_history_behind_the_record_is_reported(void **state)
{
    fx_t *f = *state;
    unsigned char last[STORE_HIST_KEY_LEN], prev[STORE_HIST_KEY_LEN], id[8];
    graph_check_result_t r;
    found_t fd;
    store_iter_t *it;
    size_t n = 0;
    /* p2 has a create and an update; without the update, history says version 1. */
    store_put_u64(id, f->p2);
    it = store_iter(f->s, NULL, KV_CF_HIST, id, 8, NULL, 0);
    for (; store_iter_valid(it); store_iter_next(it)) {
        size_t kl;
        const unsigned char *k = store_iter_key(it, &kl);
        if (store_get_u64(k) != f->p2)
            break;
        memcpy(prev, last, sizeof(last));
        memcpy(last, k, STORE_HIST_KEY_LEN);
        n++;
    }
    store_iter_free(it);
    assert_int_equal(n, 2);
    inject(f, KV_CF_HIST, last, STORE_HIST_KEY_LEN, NULL, 0);
    check(f, &fd, &r);
    assert_int_equal(r.mismatches, 1);
    assert_true(reported(&fd, KV_CF_HIST, prev, STORE_HIST_KEY_LEN));
}

static void test_edge_whose_node_is_gone_is_reported_on_the_edge(void **state)
{
    fx_t *f = *state;
    unsigned char nk[8], ek[8];
    graph_check_result_t r;
    found_t fd;
    store_key_id(nk, f->org);
    store_key_id(ek, f->live);
    inject(f, KV_CF_NODE, nk, 8, NULL, 0);
    check(f, &fd, &r);
    assert_true(reported(&fd, KV_CF_EDGE, ek, 8));
    assert_true(r.mismatches >= 1);
}

static void test_undecodable_node_record_is_reported(void **state)
{
    fx_t *f = *state;
    unsigned char nk[8];
    graph_check_result_t r;
    found_t fd;
    store_key_id(nk, f->com);
    inject(f, KV_CF_NODE, nk, 8, "\x07junk", 5);
    check(f, &fd, &r);
    /* Once, on the record: its index entries and history are not reported as dangling. */
    assert_int_equal(r.mismatches, 1);
    assert_true(reported(&fd, KV_CF_NODE, nk, 8));
}

static void test_next_id_not_above_every_id_is_reported(void **state)
{
    fx_t *f = *state;
    unsigned char val[8];
    graph_check_result_t r;
    found_t fd;
    store_put_u64(val, 2);
    inject(f, KV_CF_META, STORE_META_NEXT_ID, strlen(STORE_META_NEXT_ID), val, 8);
    check(f, &fd, &r);
    assert_int_equal(r.mismatches, 1);
    assert_true(reported(&fd, KV_CF_META, STORE_META_NEXT_ID, strlen(STORE_META_NEXT_ID)));
}

/* The version family: a key that does not decode, and a version from a commit that never was. */
static void test_malformed_or_future_version_entries_are_reported(void **state)
{
    fx_t *f = *state;
    static const unsigned char junk[] = { KV_CF_NODE, 0x00, 0x07, 0x01 };
    unsigned char future[1 + 8 + 2 + 8];
    graph_check_result_t r;
    found_t fd;
    future[0] = KV_CF_NODE;
    memset(future + 1, 0x01, 8); /* node id 0x0101...01: no zero byte, so no escape */
    future[9] = 0x00;
    future[10] = 0x01;
    store_put_u64(future + 11, UINT64_C(1) << 40);
    inject(f, KV_CF_VER, junk, sizeof(junk), "a", 1);
    inject(f, KV_CF_VER, future, sizeof(future), "a", 1);
    check(f, &fd, &r);
    assert_int_equal(r.mismatches, 2);
    assert_true(reported(&fd, KV_CF_VER, junk, sizeof(junk)));
    assert_true(reported(&fd, KV_CF_VER, future, sizeof(future)));
}

static void test_digest_equal_for_equal_contents_and_differs_after_a_change(void **state)
{
    fx_t *f = *state;
    char dir[256];
    store_t *b;
    graph_check_result_t ra, rb;
    found_t fd;
    knoop_error_t err;

    /* A replica built from the change records holds the same contents. */
    tu_mkdtemp(dir, sizeof dir);
    b = open_store(dir);
    for (size_t i = 0; i < f->recs.n; i++)
        if (store_apply_record(b, f->recs.recs[i], f->recs.lens[i], &err) != 0)
            fail_msg("store_apply_record: %s", err.msg);
    check(f, &fd, &ra);
    memset(&fd, 0, sizeof fd);
    assert_int_equal(graph_check(b, NULL, 0, collect_cb, &fd, &rb, &err), 0);
    assert_int_equal(rb.mismatches, 0);
    assert_string_equal(ra.digest, rb.digest);

    /* One more change on the replica: the digests part. */
    store_close(b);
    b = open_store(dir);
    {
        graph_node_t n;
        memset(&n, 0, sizeof n);
        assert_int_equal(graph_node_create(b, &WHO, SCHEMA_KIND_PERSON, NULL, NULL, &n, &err), 0);
        graph_node_clear(&n);
    }
    assert_int_equal(graph_check(b, NULL, 0, collect_cb, &fd, &rb, &err), 0);
    assert_int_equal(rb.mismatches, 0);
    assert_string_not_equal(ra.digest, rb.digest);
    store_close(b);
    tu_rmtree(dir);
}

static void test_check_reads_one_view_while_writes_go_on(void **state)
{
    fx_t *f = *state;
    store_view_t *v = store_snapshot(f->s);
    graph_check_result_t r1, r2;
    knoop_error_t err;
    graph_node_t n;
    found_t fd;
    assert_non_null(v);
    memset(&n, 0, sizeof n);
    assert_int_equal(graph_node_create(f->s, &WHO, SCHEMA_KIND_PERSON, NULL, NULL, &n, &err), 0);
    graph_node_clear(&n);
    memset(&fd, 0, sizeof fd);
    assert_int_equal(graph_check(f->s, v, 0, collect_cb, &fd, &r1, &err), 0);
    assert_int_equal(r1.nodes, 4); /* the snapshot predates the new node */
    assert_int_equal(r1.mismatches, 0);
    store_snapshot_free(f->s, v);
    check(f, &fd, &r2);
    assert_int_equal(r2.nodes, 5);
    assert_string_not_equal(r1.digest, r2.digest);
}

static void test_check_gives_up_after_its_deadline(void **state)
{
    fx_t *f = *state;
    graph_check_result_t r;
    knoop_error_t err;
    knoop_error_clear(&err);
    /* A deadline long past (1 ms after the epoch): unavailable, not a partial "clean". */
    assert_int_equal(graph_check(f->s, NULL, 1, NULL, NULL, &r, &err), KNOOP_EUNAVAIL);
    assert_int_equal(err.code, KNOOP_EUNAVAIL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_store_built_by_graph_operations_is_clean),
        T(test_store_stays_clean_after_reopen),
        T(test_missing_adjacency_entry_is_reported_by_its_key),
        T(test_adjacency_with_other_dates_is_reported),
        T(test_dangling_adjacency_entry_is_reported),
        T(test_stale_name_index_entry_is_reported),
        T(test_missing_name_index_entry_is_reported),
        T(test_key_index_pointing_to_wrong_node_is_reported),
        T(test_missing_kind_type_entry_is_reported),
        T(test_missing_on_behalf_of_entry_is_reported),
        T(test_stale_on_behalf_of_entry_is_reported),
        T(test_missing_history_is_reported_by_id),
        T(test_latest_history_behind_the_record_is_reported),
        T(test_edge_whose_node_is_gone_is_reported_on_the_edge),
        T(test_undecodable_node_record_is_reported),
        T(test_next_id_not_above_every_id_is_reported),
        T(test_malformed_or_future_version_entries_are_reported),
        T(test_digest_equal_for_equal_contents_and_differs_after_a_change),
        T(test_check_reads_one_view_while_writes_go_on),
        T(test_check_gives_up_after_its_deadline),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
