/*
 * test_store.c - unit tests for server/store/store.h: open/close, id allocation, transactions,
 * history entries, commit faults and group commit, on a real RocksDB in a temporary directory.
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
#include <time.h>

#include <cmocka.h>

#include "knoop_limits.h"
#include "store.h"
#include "testutil.h"

typedef struct {
    char dir[256];
    store_t *s;
} fx_t;

static store_t *open_store(const char *dir, bool sync)
{
    store_options_t o;
    knoop_error_t err;
    store_t *s = NULL;
    store_options_default(&o);
    o.sync = sync;
    knoop_error_clear(&err);
    int rc = store_open(dir, &o, &s, &err);
    if (rc != 0)
        fail_msg("store_open(%s): %d %s", dir, rc, err.msg);
    assert_non_null(s);
    return s;
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    tu_mkdtemp(f->dir, sizeof f->dir);
    kv_fault_set(0, false);
    f->s = open_store(f->dir, false);
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
    f->s = open_store(f->dir, false);
}

static int64_t now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static store_txn_t *begin(store_t *s, const char *actor, const char *reason)
{
    store_who_t who = { actor, reason };
    store_txn_t *t = NULL;
    knoop_error_t err;
    assert_int_equal(store_txn_begin(s, &who, &t, &err), 0);
    assert_non_null(t);
    return t;
}

static void commit(store_txn_t *t)
{
    knoop_error_t err;
    knoop_error_clear(&err);
    int rc = store_txn_commit(t, &err);
    if (rc != 0)
        fail_msg("store_txn_commit: %d %s", rc, err.msg);
}

static void put_id(store_txn_t *t, kv_cf_t cf, uint64_t id, const char *v)
{
    unsigned char k[8];
    store_put_u64(k, id);
    assert_int_equal(store_txn_put(t, cf, k, 8, v, strlen(v)), 0);
    /* Every change carries a history entry; the store refuses a commit without one. */
    assert_int_equal(store_txn_history(t, id, "put", NULL, 0, NULL, 0), 0);
}

static bool has_id(store_t *s, kv_cf_t cf, uint64_t id)
{
    unsigned char k[8];
    void *v = NULL;
    size_t vlen;
    knoop_error_t err;
    store_put_u64(k, id);
    int rc = kv_get(store_kv(s), NULL, cf, k, 8, &v, &vlen, &err);
    if (rc == 0)
        kv_free(v);
    else
        assert_int_equal(rc, KNOOP_ENOTFOUND);
    return rc == 0;
}

/* A packed map {"n": n}. */
static void pack_n(msgpack_sbuffer *sb, int n)
{
    msgpack_packer pk;
    msgpack_sbuffer_init(sb);
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 1);
    msgpack_pack_str(&pk, 1);
    msgpack_pack_str_body(&pk, "n", 1);
    msgpack_pack_int(&pk, n);
}

/* Collects history entries as packed copies. */
typedef struct {
    size_t n, stop_after;
    char *entries[16];
    size_t lens[16];
} hist_t;

static int hist_cb(void *arg, const void *entry, size_t len)
{
    hist_t *h = arg;
    if (h->n < 16) {
        h->entries[h->n] = malloc(len);
        memcpy(h->entries[h->n], entry, len);
        h->lens[h->n] = len;
    }
    h->n++;
    return h->stop_after != 0 && h->n >= h->stop_after;
}

static void hist_free(hist_t *h)
{
    for (size_t i = 0; i < h->n && i < 16; i++)
        free(h->entries[i]);
    memset(h, 0, sizeof *h);
}

static void scan_hist(store_t *s, const store_view_t *snap, uint64_t id, hist_t *h)
{
    knoop_error_t err;
    knoop_error_clear(&err);
    int rc = store_hist_scan(s, snap, id, hist_cb, h, &err);
    if (rc != 0)
        fail_msg("store_hist_scan(%llu): %d %s", (unsigned long long)id, rc, err.msg);
}

/*
 * True when a history entry's "ts" is the transaction's time: store_int.h does not fix its type,
 * so accept ms since the epoch as an integer, or an RFC 3339 UTC string of that instant.
 */
static bool ts_matches(const msgpack_object *ts, int64_t ms)
{
    if (ts == NULL)
        return false;
    if (ts->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
        return (int64_t)ts->via.u64 == ms;
    if (ts->type != MSGPACK_OBJECT_STR)
        return false;
    char want[32];
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
    return ts->via.str.size >= 20 && memcmp(ts->via.str.ptr, want, 19) == 0 &&
           ts->via.str.ptr[ts->via.str.size - 1] == 'Z';
}

/* ---- open, close ---- */

static void store_options_default_syncs(void **state)
{
    (void)state;
    store_options_t o;
    memset(&o, 0xff, sizeof o);
    store_options_default(&o);
    assert_true(o.sync);
    assert_int_equal(o.block_cache_bytes, (size_t)KNOOP_DEFAULT_BLOCK_CACHE_MB * 1024 * 1024);
    assert_int_equal(o.row_cache_bytes, (size_t)KNOOP_DEFAULT_ROW_CACHE_MB * 1024 * 1024);
    assert_int_equal(o.adj_cache_bytes, (size_t)KNOOP_DEFAULT_ADJ_CACHE_MB * 1024 * 1024);
}

/* Every field zero-padded to its width, milliseconds included (formatted by hand, no printf). */
static void store_format_ts_pads_every_field(void **state)
{
    (void)state;
    char ts[32];
    assert_string_equal(store_format_ts(0, ts), "1970-01-01T00:00:00.000Z");
    /* 2001-02-03T04:05:06.007Z */
    assert_string_equal(store_format_ts(981173106007LL, ts), "2001-02-03T04:05:06.007Z");
    assert_string_equal(store_format_ts(253402300799999LL, ts), "9999-12-31T23:59:59.999Z");
}

static void store_open_creates_an_empty_store(void **state)
{
    fx_t *f = *state;
    assert_non_null(store_kv(f->s));
    assert_true(store_last_seq(f->s) == 0);
    store_close(NULL);
}

static void store_reopen_keeps_committed_writes(void **state)
{
    fx_t *f = *state;
    store_txn_t *t = begin(f->s, "tester", NULL);
    uint64_t id = store_txn_alloc_id(t);
    put_id(t, KV_CF_NODE, id, "node");
    commit(t);
    reopen(f);
    assert_true(has_id(f->s, KV_CF_NODE, id));
}

/* ---- ids ---- */

static void store_ids_start_at_one_and_increase_within_a_txn(void **state)
{
    fx_t *f = *state;
    store_txn_t *t = begin(f->s, NULL, NULL);
    uint64_t prev = store_txn_alloc_id(t);
    assert_true(prev >= 1);
    for (int i = 0; i < 100; i++) {
        uint64_t id = store_txn_alloc_id(t);
        assert_true(id > prev);
        prev = id;
    }
    commit(t);
}

static void store_ids_increase_across_committed_txns(void **state)
{
    fx_t *f = *state;
    uint64_t prev = 0;
    for (int i = 0; i < 10; i++) {
        store_txn_t *t = begin(f->s, NULL, NULL);
        uint64_t id = store_txn_alloc_id(t);
        put_id(t, KV_CF_NODE, id, "x");
        commit(t);
        assert_true(id > prev);
        prev = id;
    }
}

static void store_ids_after_commit_and_reopen_are_larger(void **state)
{
    fx_t *f = *state;
    store_txn_t *t = begin(f->s, NULL, NULL);
    uint64_t max = 0;
    for (int i = 0; i < 5; i++)
        max = store_txn_alloc_id(t);
    put_id(t, KV_CF_NODE, max, "x");
    commit(t);
    reopen(f);
    t = begin(f->s, NULL, NULL);
    uint64_t next = store_txn_alloc_id(t);
    store_txn_abort(t);
    assert_true(next > max);
}

static void store_commit_without_writes_writes_nothing_and_returns_its_ids(void **state)
{
    fx_t *f = *state;
    /* The transaction allocates but writes nothing: nothing refers to the ids, so the commit
     * writes nothing, takes no sequence number, and the ids go back to the pool. */
    uint64_t seq0 = store_last_seq(f->s);
    store_txn_t *t = begin(f->s, NULL, NULL);
    uint64_t a = store_txn_alloc_id(t);
    (void)store_txn_alloc_id(t);
    assert_int_equal(store_txn_count(t), 0);
    commit(t);
    assert_int_equal(store_last_seq(f->s), seq0);
    reopen(f);
    t = begin(f->s, NULL, NULL);
    uint64_t c = store_txn_alloc_id(t);
    store_txn_abort(t);
    assert_int_equal(c, a);
}

static void store_aborted_txn_returns_its_ids_to_the_pool(void **state)
{
    fx_t *f = *state;
    store_txn_t *t = begin(f->s, NULL, NULL);
    uint64_t committed = store_txn_alloc_id(t);
    put_id(t, KV_CF_NODE, committed, "x");
    commit(t);

    t = begin(f->s, NULL, NULL);
    uint64_t a1 = store_txn_alloc_id(t);
    uint64_t a2 = store_txn_alloc_id(t);
    put_id(t, KV_CF_NODE, a1, "aborted");
    store_txn_abort(t);
    assert_false(has_id(f->s, KV_CF_NODE, a1));
    assert_true(a1 > committed && a2 > a1);

    /* The next transaction gets the returned ids again, and never a committed one. */
    t = begin(f->s, NULL, NULL);
    uint64_t b1 = store_txn_alloc_id(t);
    uint64_t b2 = store_txn_alloc_id(t);
    commit(t);
    assert_true(b1 > committed);
    assert_true(b1 == a1 && b2 == a2);
}

static void store_ids_after_abort_and_reopen_stay_above_committed(void **state)
{
    fx_t *f = *state;
    store_txn_t *t = begin(f->s, NULL, NULL);
    uint64_t committed = store_txn_alloc_id(t);
    put_id(t, KV_CF_NODE, committed, "x");
    commit(t);
    t = begin(f->s, NULL, NULL);
    (void)store_txn_alloc_id(t);
    store_txn_abort(t);
    reopen(f);
    t = begin(f->s, NULL, NULL);
    uint64_t next = store_txn_alloc_id(t);
    store_txn_abort(t);
    assert_true(next > committed);
    store_txn_abort(NULL);
}

/* ---- sequence numbers and time ---- */

static void store_seq_counts_commits_not_aborts(void **state)
{
    fx_t *f = *state;
    for (uint64_t i = 1; i <= 5; i++) {
        store_txn_t *t = begin(f->s, NULL, NULL);
        assert_true(store_txn_seq(t) == i);
        put_id(t, KV_CF_META, 1000 + i, "x");
        commit(t);
        assert_true(store_last_seq(f->s) == i);
        t = begin(f->s, NULL, NULL);
        put_id(t, KV_CF_META, 2000 + i, "x");
        store_txn_abort(t);
        assert_true(store_last_seq(f->s) == i);
    }
    reopen(f);
    assert_true(store_last_seq(f->s) == 5);
    store_txn_t *t = begin(f->s, NULL, NULL);
    assert_true(store_txn_seq(t) == 6);
    commit(t); /* writes nothing: takes no sequence number */
    assert_true(store_last_seq(f->s) == 5);
    t = begin(f->s, NULL, NULL);
    put_id(t, KV_CF_META, 3000, "x");
    commit(t);
    assert_true(store_last_seq(f->s) == 6);
}

static void store_txn_time_is_now_in_ms(void **state)
{
    fx_t *f = *state;
    int64_t before = now_ms();
    store_txn_t *t = begin(f->s, NULL, NULL);
    int64_t ts = store_txn_time(t);
    int64_t after = now_ms();
    assert_ptr_equal(store_txn_store(t), f->s);
    store_txn_abort(t);
    assert_true(ts >= before - 1 && ts <= after + 1);
}

/* ---- transactions ---- */

static void store_txn_writes_are_invisible_until_commit_and_dropped_on_abort(void **state)
{
    fx_t *f = *state;
    store_txn_t *t = begin(f->s, NULL, NULL);
    uint64_t id = store_txn_alloc_id(t);
    put_id(t, KV_CF_NODE, id, "x");
    put_id(t, KV_CF_IDX, id, "y");
    assert_false(has_id(f->s, KV_CF_NODE, id));
    commit(t);
    assert_true(has_id(f->s, KV_CF_NODE, id));
    assert_true(has_id(f->s, KV_CF_IDX, id));

    t = begin(f->s, NULL, NULL);
    put_id(t, KV_CF_NODE, 999999, "x");
    store_txn_abort(t);
    assert_false(has_id(f->s, KV_CF_NODE, 999999));
}

static void store_snapshot_does_not_see_later_commits(void **state)
{
    fx_t *f = *state;
    store_view_t *snap = store_snapshot(f->s);
    assert_non_null(snap);
    store_txn_t *t = begin(f->s, NULL, NULL);
    put_id(t, KV_CF_NODE, 5, "x");
    commit(t);
    unsigned char k[8];
    void *v;
    size_t vlen;
    knoop_error_t err;
    store_put_u64(k, 5);
    assert_int_equal(store_get(f->s, snap, KV_CF_NODE, k, 8, &v, &vlen, &err), KNOOP_ENOTFOUND);
    store_snapshot_free(f->s, snap);
    assert_true(has_id(f->s, KV_CF_NODE, 5));
}

/* ---- history ---- */

static void store_history_entries_come_back_in_commit_order_with_all_fields(void **state)
{
    fx_t *f = *state;
    const char *ops[] = { "create", "update", "delete" };
    uint64_t seqs[3];
    int64_t times[3];
    msgpack_sbuffer a, b;
    for (int i = 0; i < 3; i++) {
        store_txn_t *t = begin(f->s, "alice", i == 1 ? "correction" : NULL);
        seqs[i] = store_txn_seq(t);
        times[i] = store_txn_time(t);
        pack_n(&a, i);
        pack_n(&b, i + 1);
        assert_int_equal(store_txn_history(t, 42, ops[i], i == 0 ? NULL : a.data, a.size,
                                           i == 2 ? NULL : b.data, b.size),
                         0);
        msgpack_sbuffer_destroy(&a);
        msgpack_sbuffer_destroy(&b);
        commit(t);
    }

    hist_t h = { 0 };
    scan_hist(f->s, NULL, 42, &h);
    assert_int_equal(h.n, 3);
    tu_obj_t o;
    tu_obj_init(&o);
    for (int i = 0; i < 3; i++) {
        const msgpack_object *e = tu_unpack(&o, h.entries[i], h.lens[i]);
        assert_int_equal(e->type, MSGPACK_OBJECT_MAP);
        assert_true(tu_str_eq(tu_map_get(e, "op"), ops[i]));
        assert_true(tu_uint_eq(tu_map_get(e, "seq"), seqs[i]));
        assert_true(tu_uint_eq(tu_map_get(e, "id"), 42));
        assert_true(tu_str_eq(tu_map_get(e, "actor"), "alice"));
        assert_true(ts_matches(tu_map_get(e, "ts"), times[i]));
        const msgpack_object *reason = tu_map_get(e, "reason");
        assert_non_null(reason);
        if (i == 1)
            assert_true(tu_str_eq(reason, "correction"));
        else
            assert_int_equal(reason->type, MSGPACK_OBJECT_NIL);

        const msgpack_object *before = tu_map_get(e, "before");
        const msgpack_object *after = tu_map_get(e, "after");
        assert_non_null(before);
        assert_non_null(after);
        if (i == 0) {
            assert_int_equal(before->type, MSGPACK_OBJECT_NIL);
        } else {
            assert_int_equal(before->type, MSGPACK_OBJECT_MAP);
            assert_true(tu_map_get(before, "n")->via.u64 == (uint64_t)i);
        }
        if (i == 2) {
            assert_int_equal(after->type, MSGPACK_OBJECT_NIL);
        } else {
            assert_int_equal(after->type, MSGPACK_OBJECT_MAP);
            assert_true(tu_map_get(after, "n")->via.u64 == (uint64_t)i + 1);
        }
    }
    tu_obj_free(&o);
    hist_free(&h);
}

static void store_history_actor_defaults_to_system(void **state)
{
    fx_t *f = *state;
    store_txn_t *t = NULL;
    knoop_error_t err;
    assert_int_equal(store_txn_begin(f->s, NULL, &t, &err), 0);
    assert_int_equal(store_txn_history(t, 7, "create", NULL, 0, NULL, 0), 0);
    commit(t);
    t = begin(f->s, NULL, NULL);
    assert_int_equal(store_txn_history(t, 7, "update", NULL, 0, NULL, 0), 0);
    commit(t);
    hist_t h = { 0 };
    scan_hist(f->s, NULL, 7, &h);
    assert_int_equal(h.n, 2);
    tu_obj_t o;
    tu_obj_init(&o);
    for (int i = 0; i < 2; i++)
        assert_true(
            tu_str_eq(tu_map_get(tu_unpack(&o, h.entries[i], h.lens[i]), "actor"), "system"));
    tu_obj_free(&o);
    hist_free(&h);
}

static void store_who_is_copied_at_begin(void **state)
{
    fx_t *f = *state;
    char actor[16] = "bob";
    char reason[16] = "because";
    store_who_t who = { actor, reason };
    store_txn_t *t = NULL;
    knoop_error_t err;
    assert_int_equal(store_txn_begin(f->s, &who, &t, &err), 0);
    strcpy(actor, "mallory");
    strcpy(reason, "changed");
    assert_int_equal(store_txn_history(t, 9, "create", NULL, 0, NULL, 0), 0);
    commit(t);
    hist_t h = { 0 };
    scan_hist(f->s, NULL, 9, &h);
    assert_int_equal(h.n, 1);
    tu_obj_t o;
    tu_obj_init(&o);
    const msgpack_object *e = tu_unpack(&o, h.entries[0], h.lens[0]);
    assert_true(tu_str_eq(tu_map_get(e, "actor"), "bob"));
    assert_true(tu_str_eq(tu_map_get(e, "reason"), "because"));
    tu_obj_free(&o);
    hist_free(&h);
}

static void store_history_payloads_are_copied(void **state)
{
    fx_t *f = *state;
    msgpack_sbuffer a;
    store_txn_t *t = begin(f->s, NULL, NULL);
    pack_n(&a, 5);
    assert_int_equal(store_txn_history(t, 11, "create", NULL, 0, a.data, a.size), 0);
    memset(a.data, 0xc1, a.size); /* 0xc1 is never valid msgpack */
    msgpack_sbuffer_destroy(&a);
    commit(t);
    hist_t h = { 0 };
    scan_hist(f->s, NULL, 11, &h);
    assert_int_equal(h.n, 1);
    tu_obj_t o;
    tu_obj_init(&o);
    const msgpack_object *after = tu_map_get(tu_unpack(&o, h.entries[0], h.lens[0]), "after");
    assert_true(tu_uint_eq(tu_map_get(after, "n"), 5));
    tu_obj_free(&o);
    hist_free(&h);
}

static void store_history_scan_is_per_entity(void **state)
{
    fx_t *f = *state;
    const uint64_t ids[] = { 1, 255, 256, 257, 65536, UINT64_MAX - 1 };
    store_txn_t *t = begin(f->s, NULL, NULL);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(store_txn_history(t, ids[i], "create", NULL, 0, NULL, 0), 0);
    commit(t);
    t = begin(f->s, NULL, NULL);
    assert_int_equal(store_txn_history(t, 256, "update", NULL, 0, NULL, 0), 0);
    commit(t);

    hist_t h = { 0 };
    scan_hist(f->s, NULL, 256, &h);
    assert_int_equal(h.n, 2);
    hist_free(&h);
    for (size_t i = 0; i < 6; i++) {
        scan_hist(f->s, NULL, ids[i], &h);
        assert_int_equal(h.n, ids[i] == 256 ? 2 : 1);
        hist_free(&h);
    }
    scan_hist(f->s, NULL, 2, &h);
    assert_int_equal(h.n, 0);
    hist_free(&h);
}

static void store_history_scan_stops_when_callback_says_so(void **state)
{
    fx_t *f = *state;
    for (int i = 0; i < 4; i++) {
        store_txn_t *t = begin(f->s, NULL, NULL);
        assert_int_equal(store_txn_history(t, 3, "update", NULL, 0, NULL, 0), 0);
        commit(t);
    }
    hist_t h = { 0 };
    h.stop_after = 2;
    scan_hist(f->s, NULL, 3, &h);
    assert_int_equal(h.n, 2);
    hist_free(&h);
}

static void store_history_scan_reads_the_snapshot(void **state)
{
    fx_t *f = *state;
    store_txn_t *t = begin(f->s, NULL, NULL);
    assert_int_equal(store_txn_history(t, 4, "create", NULL, 0, NULL, 0), 0);
    commit(t);
    store_view_t *snap = store_snapshot(f->s);
    t = begin(f->s, NULL, NULL);
    assert_int_equal(store_txn_history(t, 4, "update", NULL, 0, NULL, 0), 0);
    commit(t);
    hist_t h = { 0 };
    scan_hist(f->s, snap, 4, &h);
    assert_int_equal(h.n, 1);
    hist_free(&h);
    scan_hist(f->s, NULL, 4, &h);
    assert_int_equal(h.n, 2);
    hist_free(&h);
    store_snapshot_free(f->s, snap);
}

static void store_aborted_history_is_not_recorded(void **state)
{
    fx_t *f = *state;
    store_txn_t *t = begin(f->s, NULL, NULL);
    assert_int_equal(store_txn_history(t, 8, "create", NULL, 0, NULL, 0), 0);
    store_txn_abort(t);
    hist_t h = { 0 };
    scan_hist(f->s, NULL, 8, &h);
    assert_int_equal(h.n, 0);
    hist_free(&h);
}

static void store_history_survives_reopen(void **state)
{
    fx_t *f = *state;
    store_txn_t *t = begin(f->s, "carol", "import");
    assert_int_equal(store_txn_history(t, 12, "create", NULL, 0, NULL, 0), 0);
    commit(t);
    reopen(f);
    t = begin(f->s, "carol", NULL);
    assert_int_equal(store_txn_history(t, 12, "end", NULL, 0, NULL, 0), 0);
    commit(t);
    hist_t h = { 0 };
    scan_hist(f->s, NULL, 12, &h);
    assert_int_equal(h.n, 2);
    tu_obj_t o;
    tu_obj_init(&o);
    assert_true(tu_str_eq(tu_map_get(tu_unpack(&o, h.entries[0], h.lens[0]), "op"), "create"));
    assert_true(tu_uint_eq(tu_map_get(&o.u.data, "seq"), 1));
    assert_true(tu_str_eq(tu_map_get(tu_unpack(&o, h.entries[1], h.lens[1]), "op"), "end"));
    assert_true(tu_uint_eq(tu_map_get(&o.u.data, "seq"), 2));
    tu_obj_free(&o);
    hist_free(&h);
}

/* ---- commit faults ---- */

static void store_commit_fault_writes_nothing_and_store_still_works(void **state)
{
    fx_t *f = *state;
    store_txn_t *t = begin(f->s, NULL, NULL);
    uint64_t first = store_txn_alloc_id(t);
    put_id(t, KV_CF_NODE, first, "x");
    commit(t);
    uint64_t seq = store_last_seq(f->s);

    kv_fault_set(1, false);
    t = begin(f->s, "eve", NULL);
    uint64_t id = store_txn_alloc_id(t);
    put_id(t, KV_CF_NODE, id, "x");
    put_id(t, KV_CF_ADJ, id, "x");
    assert_int_equal(store_txn_history(t, id, "create", NULL, 0, NULL, 0), 0);
    knoop_error_t err;
    knoop_error_clear(&err);
    assert_int_equal(store_txn_commit(t, &err), KNOOP_EIO);
    assert_int_equal(err.code, KNOOP_EIO);
    assert_int_equal(kv_fault_fired(), 1);

    assert_false(has_id(f->s, KV_CF_NODE, id));
    assert_false(has_id(f->s, KV_CF_ADJ, id));
    hist_t h = { 0 };
    scan_hist(f->s, NULL, id, &h);
    assert_int_equal(h.n, 0);
    hist_free(&h);
    assert_true(store_last_seq(f->s) == seq);

    /* The writer lock was released, and the next commit works and gets the next seq. */
    t = begin(f->s, NULL, NULL);
    assert_true(store_txn_seq(t) == seq + 1);
    uint64_t next = store_txn_alloc_id(t);
    put_id(t, KV_CF_NODE, next, "y");
    commit(t);
    assert_true(next > first);
    assert_true(has_id(f->s, KV_CF_NODE, next));
    assert_true(store_last_seq(f->s) == seq + 1);

    reopen(f);
    assert_true(store_last_seq(f->s) == seq + 1);
    t = begin(f->s, NULL, NULL);
    uint64_t after = store_txn_alloc_id(t);
    store_txn_abort(t);
    assert_true(after > next);
}

static void store_persistent_commit_fault_fails_every_commit_until_cleared(void **state)
{
    fx_t *f = *state;
    knoop_error_t err;
    kv_fault_set(1, true);
    for (int i = 0; i < 3; i++) {
        store_txn_t *t = begin(f->s, NULL, NULL);
        uint64_t id = store_txn_alloc_id(t);
        put_id(t, KV_CF_NODE, id, "x");
        assert_int_equal(store_txn_commit(t, &err), KNOOP_EIO);
        assert_false(has_id(f->s, KV_CF_NODE, id));
    }
    assert_true(store_last_seq(f->s) == 0);
    kv_fault_set(0, false);
    store_txn_t *t = begin(f->s, NULL, NULL);
    put_id(t, KV_CF_NODE, 77, "x");
    commit(t);
    assert_true(has_id(f->s, KV_CF_NODE, 77));
    assert_true(store_last_seq(f->s) == 1);
}

static void store_commit_fault_with_sync_on_writes_nothing(void **state)
{
    fx_t *f = *state;
    knoop_error_t err;
    store_close(f->s);
    f->s = open_store(f->dir, true);
    kv_fault_set(1, false);
    store_txn_t *t = begin(f->s, NULL, NULL);
    put_id(t, KV_CF_NODE, 5, "x");
    assert_int_equal(store_txn_commit(t, &err), KNOOP_EIO);
    assert_false(has_id(f->s, KV_CF_NODE, 5));
    t = begin(f->s, NULL, NULL);
    put_id(t, KV_CF_NODE, 6, "x");
    commit(t);
    assert_true(has_id(f->s, KV_CF_NODE, 6));
    assert_true(store_last_seq(f->s) == 1);
}

/* ---- concurrency ---- */

#define NTHREADS     8
#define NCOMMITS     25
#define NCOMMITS_ALL (NTHREADS * NCOMMITS)

typedef struct {
    store_t *s;
    int failures;
    uint64_t ids[NCOMMITS];
    uint64_t seqs[NCOMMITS];
} worker_t;

static void *worker(void *arg)
{
    worker_t *w = arg;
    for (int i = 0; i < NCOMMITS; i++) {
        store_who_t who = { "worker", NULL };
        store_txn_t *t = NULL;
        knoop_error_t err;
        if (store_txn_begin(w->s, &who, &t, &err) != 0) {
            w->failures++;
            continue;
        }
        uint64_t id = store_txn_alloc_id(t);
        unsigned char k[8];
        store_put_u64(k, id);
        if (store_txn_put(t, KV_CF_NODE, k, 8, "w", 1) != 0)
            w->failures++;
        if (store_txn_history(t, id, "create", NULL, 0, NULL, 0) != 0)
            w->failures++;
        w->ids[i] = id;
        w->seqs[i] = store_txn_seq(t);
        if (store_txn_commit(t, &err) != 0)
            w->failures++;
    }
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void store_concurrent_synced_commits_all_succeed(void **state)
{
    fx_t *f = *state;
    static worker_t w[NTHREADS];
    pthread_t th[NTHREADS];
    store_close(f->s);
    f->s = open_store(f->dir, true);
    for (int i = 0; i < NTHREADS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].s = f->s;
        assert_int_equal(pthread_create(&th[i], NULL, worker, &w[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);

    static uint64_t ids[NCOMMITS_ALL], seqs[NCOMMITS_ALL];
    size_t n = 0;
    for (int i = 0; i < NTHREADS; i++) {
        assert_int_equal(w[i].failures, 0);
        for (int j = 0; j < NCOMMITS; j++, n++) {
            ids[n] = w[i].ids[j];
            seqs[n] = w[i].seqs[j];
        }
    }
    assert_true(store_last_seq(f->s) == NCOMMITS_ALL);
    qsort(ids, n, sizeof ids[0], cmp_u64);
    qsort(seqs, n, sizeof seqs[0], cmp_u64);
    for (size_t i = 0; i < n; i++) {
        assert_true(seqs[i] == i + 1);
        if (i > 0)
            assert_true(ids[i] > ids[i - 1]);
        assert_true(has_id(f->s, KV_CF_NODE, ids[i]));
    }
    reopen(f);
    assert_true(store_last_seq(f->s) == NCOMMITS_ALL);
    for (size_t i = 0; i < n; i++) {
        hist_t h = { 0 };
        scan_hist(f->s, NULL, ids[i], &h);
        assert_int_equal(h.n, 1);
        hist_free(&h);
    }
}

/* ---- recorded time (store_ver.c) ---- */

/* Keys that stress the version encoding: zero bytes, 0xff, one key the prefix of another. */
static const struct {
    kv_cf_t cf;
    const char *k;
    size_t len;
} vkeys[] = {
    { KV_CF_IDX, "a", 1 },
    { KV_CF_IDX, "a\0", 2 },
    { KV_CF_IDX, "a\0\0", 3 },
    { KV_CF_IDX, "a\x01", 2 },
    { KV_CF_IDX, "a\xff", 2 },
    { KV_CF_IDX, "ab", 2 },
    { KV_CF_IDX, "kGM00", 5 },
    { KV_CF_IDX, "kGM0034", 7 },
    { KV_CF_IDX, "\0", 1 },
    { KV_CF_IDX, "\0\xff", 2 },
    { KV_CF_IDX, "\xff\xff", 2 },
    { KV_CF_NODE, "\0\0\0\0\0\0\0\1", 8 },
    { KV_CF_NODE, "\0\0\0\0\0\0\0\2", 8 },
    { KV_CF_NODE, "\0\0\0\0\0\0\1\0", 8 },
};
#define NVK    (sizeof(vkeys) / sizeof(vkeys[0]))
#define NVSEQ  80
#define VALMAX 12

typedef struct {
    bool present;
    size_t len;
    char v[VALMAX];
} vval_t;

static int vkey_cmp(size_t a, size_t b)
{
    size_t n = vkeys[a].len < vkeys[b].len ? vkeys[a].len : vkeys[b].len;
    int c = memcmp(vkeys[a].k, vkeys[b].k, n);
    return c != 0 ? c : (vkeys[a].len > vkeys[b].len) - (vkeys[a].len < vkeys[b].len);
}

static bool in_range(size_t i, const char *lo, size_t ll, const char *hi, size_t hl)
{
    size_t n;
    int c;
    if (lo != NULL) {
        n = vkeys[i].len < ll ? vkeys[i].len : ll;
        c = memcmp(vkeys[i].k, lo, n);
        if (c < 0 || (c == 0 && vkeys[i].len < ll))
            return false;
    }
    if (hi != NULL) {
        n = vkeys[i].len < hl ? vkeys[i].len : hl;
        c = memcmp(vkeys[i].k, hi, n);
        if (c > 0 || (c == 0 && vkeys[i].len >= hl))
            return false;
    }
    return true;
}

/* Compares a scan of cf in [lo, hi) through v with the model state m. */
static void check_scan(store_t *s, const store_view_t *v, uint64_t seq, kv_cf_t cf, const char *lo,
                       size_t ll, const char *hi, size_t hl, const vval_t *m)
{
    size_t order[NVK], n = 0, got = 0;
    knoop_error_t err;
    store_iter_t *it;
    for (size_t i = 0; i < NVK; i++)
        if (vkeys[i].cf == cf && m[i].present && in_range(i, lo, ll, hi, hl))
            order[n++] = i;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && vkey_cmp(order[j - 1], order[j]) > 0; j--) {
            size_t x = order[j];
            order[j] = order[j - 1];
            order[j - 1] = x;
        }
    it = store_iter(s, v, cf, lo, ll, hi, hl);
    assert_non_null(it);
    for (; store_iter_valid(it); store_iter_next(it), got++) {
        size_t kl, vl;
        const char *k = store_iter_key(it, &kl);
        const char *val = store_iter_value(it, &vl);
        if (got >= n)
            fail_msg("seq %llu cf %d: scan returns more than the %zu keys", (unsigned long long)seq,
                     cf, n);
        if (kl != vkeys[order[got]].len || memcmp(k, vkeys[order[got]].k, kl) != 0 ||
            vl != m[order[got]].len || memcmp(val, m[order[got]].v, vl) != 0)
            fail_msg("seq %llu cf %d: scan entry %zu differs from key %zu", (unsigned long long)seq,
                     cf, got, order[got]);
    }
    assert_int_equal(store_iter_status(it, &err), 0);
    store_iter_free(it);
    if (got != n)
        fail_msg("seq %llu cf %d: scan returns %zu keys, expected %zu", (unsigned long long)seq, cf,
                 got, n);
}

static void check_versions(store_t *s, vval_t (*model)[NVK], uint64_t base, uint64_t last)
{
    for (uint64_t seq = 0; seq <= last; seq++) {
        const vval_t *m = model[seq];
        store_view_t *v = store_snapshot_at_seq(s, base + seq);
        knoop_error_t err;
        assert_non_null(v);
        for (size_t i = 0; i < NVK; i++) {
            void *val = NULL;
            size_t vl = 0;
            int rc = store_get(s, v, vkeys[i].cf, vkeys[i].k, vkeys[i].len, &val, &vl, &err);
            if (rc != (m[i].present ? 0 : KNOOP_ENOTFOUND))
                fail_msg("seq %llu key %zu: rc %d, expected %s", (unsigned long long)seq, i, rc,
                         m[i].present ? "a value" : "not found");
            if (rc == 0 && (vl != m[i].len || memcmp(val, m[i].v, vl) != 0))
                fail_msg("seq %llu key %zu: another value", (unsigned long long)seq, i);
            kv_free(val);
        }
        check_scan(s, v, seq, KV_CF_IDX, NULL, 0, NULL, 0, m);
        check_scan(s, v, seq, KV_CF_NODE, NULL, 0, NULL, 0, m);
        check_scan(s, v, seq, KV_CF_IDX, "a", 1, "b", 1, m);
        check_scan(s, v, seq, KV_CF_IDX, "a\0", 2, "a\x01", 2, m);
        check_scan(s, v, seq, KV_CF_IDX, "kGM00", 5, "kGM01", 5, m);
        check_scan(s, v, seq, KV_CF_IDX, "\0", 1, NULL, 0, m);
        store_snapshot_free(s, v);
    }
}

/*
 * Random commits over keys that stress the encoding, against a model of every state: the view
 * as recorded after each commit gives exactly that state, by point read and by scan, before and
 * after a reopen.
 */
static void store_views_as_recorded_match_every_past_state(void **state)
{
    fx_t *f = *state;
    static vval_t model[NVSEQ + 1][NVK];
    uint32_t r = 12345;
    uint64_t base = store_last_seq(f->s);
    memset(model, 0, sizeof(model));
    for (int seq = 1; seq <= NVSEQ; seq++) {
        store_txn_t *t = begin(f->s, "test", NULL);
        int nops = 1 + (int)((r = r * 1103515245u + 12345u) >> 16) % 4;
        memcpy(model[seq], model[seq - 1], sizeof(model[seq]));
        for (int o = 0; o < nops; o++) {
            size_t i = ((r = r * 1103515245u + 12345u) >> 16) % NVK;
            bool del = ((r = r * 1103515245u + 12345u) >> 16) % 3 == 0;
            vval_t *m = &model[seq][i];
            if (del) {
                assert_int_equal(store_txn_delete(t, vkeys[i].cf, vkeys[i].k, vkeys[i].len), 0);
                m->present = false;
            } else {
                m->present = true;
                m->len = ((r = r * 1103515245u + 12345u) >> 16) % VALMAX;
                for (size_t b = 0; b < m->len; b++)
                    m->v[b] = (char)((r = r * 1103515245u + 12345u) >> 16);
                assert_int_equal(
                    store_txn_put(t, vkeys[i].cf, vkeys[i].k, vkeys[i].len, m->v, m->len), 0);
            }
        }
        assert_int_equal(store_txn_history(t, 1, "put", NULL, 0, NULL, 0), 0);
        commit(t);
    }
    check_versions(f->s, model, base, NVSEQ);
    reopen(f);
    check_versions(f->s, model, base, NVSEQ);
}

/* known_at maps to the last commit at or before it; the future is refused. */
static void store_known_at_maps_time_to_the_last_commit_before_it(void **state)
{
    fx_t *f = *state;
    store_view_t *v = NULL;
    knoop_error_t err;
    void *val;
    size_t vl;
    int64_t t0, t1;
    store_txn_t *t = begin(f->s, "test", NULL);
    put_id(t, KV_CF_NODE, 7, "first");
    t0 = store_txn_time(t);
    commit(t);
    while (now_ms() <= t0 + 1)
        ;
    t = begin(f->s, "test", NULL);
    put_id(t, KV_CF_NODE, 7, "second");
    t1 = store_txn_time(t);
    commit(t);
    assert_true(t1 > t0);
    {
        static const struct {
            int64_t dt;
            const char *want;
        } cases[] = { { -1, NULL }, { 0, "first" }, { 1, "first" } };
        for (size_t i = 0; i < 3; i++) {
            unsigned char k[8];
            store_put_u64(k, 7);
            assert_int_equal(store_snapshot_known_at(f->s, t0 + cases[i].dt, &v, &err), 0);
            int rc = store_get(f->s, v, KV_CF_NODE, k, 8, &val, &vl, &err);
            if (cases[i].want == NULL) {
                assert_int_equal(rc, KNOOP_ENOTFOUND);
            } else {
                assert_int_equal(rc, 0);
                assert_int_equal(vl, strlen(cases[i].want));
                assert_memory_equal(val, cases[i].want, vl);
                kv_free(val);
            }
            store_snapshot_free(f->s, v);
        }
    }
    assert_int_equal(store_snapshot_known_at(f->s, now_ms() + 60000, &v, &err), KNOOP_EINVAL);
    assert_null(v);
    assert_non_null(strstr(err.msg, "params.known_at"));
    /* Commit times never go back, so the map holds after a reopen too. */
    reopen(f);
    t = begin(f->s, "test", NULL);
    assert_true(store_txn_time(t) >= t1);
    store_txn_abort(t);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_options_default_syncs),
        cmocka_unit_test(store_format_ts_pads_every_field),
        T(store_open_creates_an_empty_store),
        T(store_reopen_keeps_committed_writes),
        T(store_ids_start_at_one_and_increase_within_a_txn),
        T(store_ids_increase_across_committed_txns),
        T(store_ids_after_commit_and_reopen_are_larger),
        T(store_commit_without_writes_writes_nothing_and_returns_its_ids),
        T(store_aborted_txn_returns_its_ids_to_the_pool),
        T(store_ids_after_abort_and_reopen_stay_above_committed),
        T(store_seq_counts_commits_not_aborts),
        T(store_txn_time_is_now_in_ms),
        T(store_txn_writes_are_invisible_until_commit_and_dropped_on_abort),
        T(store_snapshot_does_not_see_later_commits),
        T(store_history_entries_come_back_in_commit_order_with_all_fields),
        T(store_history_actor_defaults_to_system),
        T(store_who_is_copied_at_begin),
        T(store_history_payloads_are_copied),
        T(store_history_scan_is_per_entity),
        T(store_history_scan_stops_when_callback_says_so),
        T(store_history_scan_reads_the_snapshot),
        T(store_aborted_history_is_not_recorded),
        T(store_history_survives_reopen),
        T(store_commit_fault_writes_nothing_and_store_still_works),
        T(store_persistent_commit_fault_fails_every_commit_until_cleared),
        T(store_commit_fault_with_sync_on_writes_nothing),
        T(store_concurrent_synced_commits_all_succeed),
        T(store_views_as_recorded_match_every_past_state),
        T(store_known_at_maps_time_to_the_last_commit_before_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
