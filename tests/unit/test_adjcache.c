/*
 * test_adjcache.c - the adjacency cache (server/store/store_adjcache.c) on a real RocksDB: what
 * store_adj_get returns is always exactly what a scan of the same view returns, also while a
 * writer changes the adjacency and readers hold snapshots of different ages; transaction views
 * never use it; it stays within its budget.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store.h"
#include "testutil.h"

#define NODES 24

static const char *const types[] = { "kent", "lid", "wethouder", "burgemeester" };

typedef struct {
    char dir[256];
    store_t *s;
} fx_t;

static store_t *open_store(const char *dir, size_t cache_bytes)
{
    store_options_t o;
    knoop_error_t err;
    store_t *s = NULL;
    store_options_default(&o);
    o.sync = false;
    o.adj_cache_bytes = cache_bytes;
    if (store_open(dir, &o, &s, &err) != 0)
        fail_msg("store_open: %s", err.msg);
    return s;
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    tu_mkdtemp(f->dir, sizeof f->dir);
    f->s = open_store(f->dir, 1 << 20);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    store_close(f->s);
    tu_rmtree(f->dir);
    free(f);
    return 0;
}

/* One commit: puts (or, with del, deletes) the adjacency entry node dir type other edge. */
static void write_adj(store_t *s, uint64_t node, char dir, const char *type, uint64_t other,
                      uint64_t edge, int32_t from, int32_t to, bool del)
{
    unsigned char key[STORE_ADJ_KEY_MAX], val[8];
    size_t kl = store_key_adj(key, node, dir, type, strlen(type), other, edge, true);
    store_who_t who = { "tester", NULL };
    store_txn_t *t;
    knoop_error_t err;
    store_put_date(val, from);
    store_put_date(val + 4, to);
    assert_int_equal(store_txn_begin(s, &who, &t, &err), 0);
    if (del)
        assert_int_equal(store_txn_delete(t, KV_CF_ADJ, key, kl), 0);
    else
        assert_int_equal(store_txn_put(t, KV_CF_ADJ, key, kl, val, 8), 0);
    assert_int_equal(store_txn_history(t, edge, del ? "delete" : "update", NULL, 0, NULL, 0), 0);
    if (store_txn_commit(t, &err) != 0)
        fail_msg("commit: %s", err.msg);
}

/* Compares a's entries of node with a scan of the adj family through v; returns mismatches. */
static int compare_with_scan(store_t *s, const store_view_t *v, uint64_t node, const store_adj_t *a)
{
    unsigned char lo[8], hi[8];
    size_t nout, nin, i_out = 0, i_in = 0;
    const store_adj_ent_t *out = store_adj_entries(a, STORE_DIR_OUT, &nout);
    const store_adj_ent_t *in = store_adj_entries(a, STORE_DIR_IN, &nin);
    store_iter_t *it;
    int bad = 0;
    /* The entries start at a cache line: a walk reads each with one line. */
    if (nout + nin > 0 && (uintptr_t)(nout > 0 ? out : in - nout) % 64 != 0)
        bad++;
    store_put_u64(lo, node);
    store_put_u64(hi, node + 1);
    it = store_iter(s, v, KV_CF_ADJ, lo, 8, hi, 8);
    assert_non_null(it);
    for (; store_iter_valid(it); store_iter_next(it)) {
        size_t kl, vl, tlen;
        const unsigned char *k = store_iter_key(it, &kl);
        const unsigned char *val = store_iter_value(it, &vl);
        uint64_t n, other, edge;
        const char *type;
        char d;
        const store_adj_ent_t *e;
        assert_true(store_key_adj_decode(k, kl, &n, &d, &type, &tlen, &other, &edge));
        if (d == STORE_DIR_OUT)
            e = i_out < nout ? &out[i_out++] : NULL;
        else
            e = i_in < nin ? &in[i_in++] : NULL;
        if (e == NULL || e->other != other || e->edge != edge || e->type_len != tlen ||
            memcmp(store_adj_types(a) + e->type_off, type, tlen) != 0 ||
            e->valid_from != store_get_date(val) || e->valid_to != store_get_date(val + 4))
            bad++;
    }
    store_iter_free(it);
    if (i_out != nout || i_in != nin)
        bad++;
    return bad;
}

typedef struct {
    store_t *s;
    atomic_bool done;
    atomic_int mismatches;
    atomic_long checks;
} race_t;

typedef struct {
    race_t *r;
    unsigned seed;
} reader_arg_t;

static void *writer(void *arg)
{
    race_t *r = arg;
    unsigned seed = 7;
    for (int i = 0; i < 3000; i++) {
        uint64_t node = 1 + (uint64_t)rand_r(&seed) % NODES;
        uint64_t other = 1 + (uint64_t)rand_r(&seed) % NODES;
        uint64_t edge = 1000 + (uint64_t)rand_r(&seed) % 400;
        char dir = rand_r(&seed) % 2 ? STORE_DIR_OUT : STORE_DIR_IN;
        int32_t from = rand_r(&seed) % 5000;
        write_adj(r->s, node, dir, types[rand_r(&seed) % 4], other, edge, from,
                  from + 1 + rand_r(&seed) % 3000, rand_r(&seed) % 4 == 0);
    }
    atomic_store(&r->done, true);
    return NULL;
}

static void *reader(void *arg)
{
    race_t *r = ((reader_arg_t *)arg)->r;
    unsigned seed = ((reader_arg_t *)arg)->seed;
    store_view_t *old = NULL;
    while (!atomic_load(&r->done)) {
        store_view_t *v = store_snapshot(r->s);
        assert_non_null(v);
        /* Now and then keep a snapshot for a while: an older view must not see newer entries. */
        if (old == NULL || rand_r(&seed) % 50 == 0) {
            store_snapshot_free(r->s, old);
            old = store_snapshot(r->s);
        }
        for (int j = 0; j < 8; j++) {
            const store_view_t *use = j % 2 ? v : old;
            uint64_t node = 1 + (uint64_t)rand_r(&seed) % NODES;
            store_adj_t *a = NULL;
            knoop_error_t err;
            assert_int_equal(store_adj_get(r->s, use, node, &a, &err), 0);
            assert_non_null(a);
            atomic_fetch_add(&r->mismatches, compare_with_scan(r->s, use, node, a));
            atomic_fetch_add(&r->checks, 1);
            store_adj_release(a);
        }
        store_snapshot_free(r->s, v);
    }
    store_snapshot_free(r->s, old);
    return NULL;
}

static void cached_adjacency_equals_a_scan_of_the_same_view_while_a_writer_changes_it(void **state)
{
    fx_t *f = *state;
    race_t r = { .s = f->s };
    reader_arg_t ra[2] = { { &r, 11 }, { &r, 12 } };
    pthread_t w, rd[2];
    store_adjcache_stats_t st;
    atomic_init(&r.done, false);
    atomic_init(&r.mismatches, 0);
    atomic_init(&r.checks, 0);
    assert_int_equal(pthread_create(&w, NULL, writer, &r), 0);
    assert_int_equal(pthread_create(&rd[0], NULL, reader, &ra[0]), 0);
    assert_int_equal(pthread_create(&rd[1], NULL, reader, &ra[1]), 0);
    pthread_join(w, NULL);
    pthread_join(rd[0], NULL);
    pthread_join(rd[1], NULL);
    store_adj_cache_stats(f->s, &st);
    print_message("checks %ld, cache hits %llu, misses %llu\n", atomic_load(&r.checks),
                  (unsigned long long)st.hits, (unsigned long long)st.misses);
    assert_int_equal(atomic_load(&r.mismatches), 0);
    assert_true(atomic_load(&r.checks) > 0);
    assert_true(st.hits > 0); /* the cache took part */
}

static void an_old_snapshot_keeps_its_adjacency_after_a_change(void **state)
{
    fx_t *f = *state;
    store_view_t *before, *after;
    store_adj_t *a;
    knoop_error_t err;
    size_t n;
    write_adj(f->s, 500, STORE_DIR_OUT, "lid", 501, 9001, 100, 200, false);
    before = store_snapshot(f->s);
    assert_int_equal(store_adj_get(f->s, before, 500, &a, &err), 0); /* now cached */
    store_adj_release(a);
    write_adj(f->s, 500, STORE_DIR_OUT, "lid", 502, 9002, 100, 200, false);
    after = store_snapshot(f->s);
    assert_int_equal(store_adj_get(f->s, after, 500, &a, &err), 0);
    store_adj_entries(a, STORE_DIR_OUT, &n);
    assert_int_equal(n, 2);
    store_adj_release(a);
    /* The newer entry is cached now; the older view gets what it saw. */
    assert_int_equal(store_adj_get(f->s, before, 500, &a, &err), 0);
    assert_int_equal(store_adj_entries(a, STORE_DIR_OUT, &n)[0].other, 501);
    assert_int_equal(n, 1);
    store_adj_release(a);
    store_snapshot_free(f->s, before);
    store_snapshot_free(f->s, after);
}

/* Writes count incoming entries of node (types in turn, other 1000 + i, edge 20000 + i) in one
 * commit: periods from 2008 over about 20 years, every tenth without an end, every 37th empty. */
static void write_many_in(store_t *s, uint64_t node, size_t count, unsigned seed)
{
    store_who_t who = { "tester", NULL };
    store_txn_t *t;
    knoop_error_t err;
    assert_int_equal(store_txn_begin(s, &who, &t, &err), 0);
    for (size_t i = 0; i < count; i++) {
        unsigned char key[STORE_ADJ_KEY_MAX], val[8];
        const char *type = types[i % 4];
        int32_t from = 13880 + (int32_t)(rand_r(&seed) % 7300);
        int32_t to = i % 10 == 0   ? INT32_MAX
                     : i % 37 == 0 ? from
                                   : from + 1 + (int32_t)(rand_r(&seed) % 3000);
        size_t kl =
            store_key_adj(key, node, STORE_DIR_IN, type, strlen(type), 1000 + i, 20000 + i, true);
        store_put_date(val, from);
        store_put_date(val + 4, to);
        assert_int_equal(store_txn_put(t, KV_CF_ADJ, key, kl, val, 8), 0);
    }
    assert_int_equal(store_txn_history(t, node, "update", NULL, 0, NULL, 0), 0);
    if (store_txn_commit(t, &err) != 0)
        fail_msg("commit: %s", err.msg);
}

/*
 * The date index (store_adj_at) names every entry valid on a date, in key order, and far
 * fewer than all of them; dates outside the entries' range and directions with few entries
 * have no index (NULL: the caller walks them all).
 */
static void the_date_index_names_every_entry_valid_on_a_date(void **state)
{
    fx_t *f = *state;
    store_view_t *v;
    store_adj_t *a;
    knoop_error_t err;
    size_t n, nc, indexed = 0, named = 0, valid = 0;
    write_many_in(f->s, 700, 2000, 7);
    write_adj(f->s, 700, STORE_DIR_OUT, "lid", 701, 9701, 14000, 15000, false);
    v = store_snapshot(f->s);
    assert_int_equal(store_adj_get(f->s, v, 700, &a, &err), 0);
    assert_non_null(a);
    const store_adj_ent_t *e = store_adj_entries(a, STORE_DIR_IN, &n);
    assert_int_equal(n, 2000);
    int32_t lo = INT32_MAX, hi = INT32_MIN; /* the dates the entries name, open ends aside */
    for (size_t i = 0; i < n; i++) {
        lo = e[i].valid_from < lo ? e[i].valid_from : lo;
        hi = e[i].valid_from > hi ? e[i].valid_from : hi;
        if (e[i].valid_to != INT32_MAX && e[i].valid_to > hi)
            hi = e[i].valid_to;
    }
    assert_null(store_adj_at(a, STORE_DIR_OUT, 14500, &nc)); /* one entry: walked */
    for (int32_t d = 13000; d < 26000; d += 3) {
        const uint32_t *c = store_adj_at(a, STORE_DIR_IN, d, &nc);
        size_t j = 0;
        if (c == NULL) {
            /* Only outside the dates the entries name. */
            if (d >= lo && d <= hi)
                fail_msg("date %d: no index within %d..%d", (int)d, (int)lo, (int)hi);
            continue;
        }
        indexed++;
        named += nc;
        for (size_t k = 1; k < nc; k++)
            assert_true(c[k - 1] < c[k]);
        for (size_t i = 0; i < n; i++) {
            if (!(e[i].valid_from <= d && d < e[i].valid_to))
                continue;
            valid++;
            while (j < nc && c[j] < i)
                j++;
            if (j == nc || c[j] != i)
                fail_msg("date %d: entry %zu is valid but not named", (int)d, i);
        }
    }
    assert_true(indexed > 3000);
    /* A bucket names those valid and the few that begin or end near the date. */
    assert_true(named < 2 * valid);
    assert_true(named / indexed < n / 3);
    store_adj_release(a);
    store_snapshot_free(f->s, v);
}

static void a_transaction_view_reads_its_own_writes_not_the_cache(void **state)
{
    fx_t *f = *state;
    store_who_t who = { "tester", NULL };
    store_txn_t *t;
    store_adj_t *a;
    knoop_error_t err;
    assert_int_equal(store_txn_begin(f->s, &who, &t, &err), 0);
    assert_int_equal(store_adj_get(f->s, store_txn_view(t), 500, &a, &err), 0);
    assert_null(a);
    store_txn_abort(t);
    assert_int_equal(store_adj_get(f->s, NULL, 500, &a, &err), 0);
    assert_null(a);
}

static void the_cache_stays_within_its_budget(void **state)
{
    char dir[256];
    store_t *s;
    store_adjcache_stats_t st;
    (void)state;
    tu_mkdtemp(dir, sizeof dir);
    s = open_store(dir, 64 * 1024);
    for (uint64_t node = 1; node <= 100; node++)
        for (uint64_t e = 0; e < 40; e++)
            write_adj(s, node, STORE_DIR_IN, "lid", 1000 + e, node * 100 + e, 0, 10, false);
    for (int round = 0; round < 2; round++) {
        store_view_t *v = store_snapshot(s);
        for (uint64_t node = 1; node <= 100; node++) {
            store_adj_t *a;
            knoop_error_t err;
            size_t n;
            assert_int_equal(store_adj_get(s, v, node, &a, &err), 0);
            store_adj_entries(a, STORE_DIR_IN, &n);
            assert_int_equal(n, 40);
            assert_int_equal(compare_with_scan(s, v, node, a), 0);
            store_adj_release(a);
        }
        store_snapshot_free(s, v);
    }
    store_adj_cache_stats(s, &st);
    assert_true(st.bytes <= st.budget);
    assert_true(st.nodes > 0 && st.nodes < 100); /* some evicted, some kept */
    store_close(s);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            cached_adjacency_equals_a_scan_of_the_same_view_while_a_writer_changes_it, setup,
            teardown),
        cmocka_unit_test_setup_teardown(an_old_snapshot_keeps_its_adjacency_after_a_change, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_transaction_view_reads_its_own_writes_not_the_cache,
                                        setup, teardown),
        cmocka_unit_test(the_cache_stays_within_its_budget),
        cmocka_unit_test_setup_teardown(the_date_index_names_every_entry_valid_on_a_date, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
