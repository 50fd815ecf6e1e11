/*
 * test_kv.c - unit tests for server/kv/kv.h on a real RocksDB in a temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kv.h"
#include "testutil.h"

typedef struct {
    char dir[256];
    kv_db_t *db;
} fx_t;

static kv_db_t *open_db(const char *dir)
{
    kv_options_t o = { .create_if_missing = true, .block_cache_bytes = 0 };
    knoop_error_t err;
    kv_db_t *db = NULL;
    knoop_error_clear(&err);
    int rc = kv_open(dir, &o, &db, &err);
    if (rc != 0)
        fail_msg("kv_open(%s): %d %s", dir, rc, err.msg);
    assert_non_null(db);
    return db;
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    tu_mkdtemp(f->dir, sizeof f->dir);
    f->db = open_db(f->dir);
    kv_fault_set(0, false);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    kv_fault_set(0, false);
    kv_close(f->db);
    tu_rmtree(f->dir);
    free(f);
    return 0;
}

static void put1(kv_db_t *db, kv_cf_t cf, const char *k, const char *v)
{
    knoop_error_t err;
    kv_batch_t *b = kv_batch_new(db);
    assert_non_null(b);
    kv_batch_put(b, cf, k, strlen(k), v, strlen(v));
    assert_int_equal(kv_commit(db, b, false, &err), 0);
    kv_batch_free(b);
}

static void del1(kv_db_t *db, kv_cf_t cf, const char *k)
{
    knoop_error_t err;
    kv_batch_t *b = kv_batch_new(db);
    assert_non_null(b);
    kv_batch_delete(b, cf, k, strlen(k));
    assert_int_equal(kv_commit(db, b, false, &err), 0);
    kv_batch_free(b);
}

/* Asserts that key k in cf reads as v (or is absent when v is NULL) through snap. */
static void expect(kv_db_t *db, const kv_snapshot_t *snap, kv_cf_t cf, const char *k, const char *v)
{
    knoop_error_t err;
    void *val = NULL;
    size_t vlen = 0;
    knoop_error_clear(&err);
    int rc = kv_get(db, snap, cf, k, strlen(k), &val, &vlen, &err);
    if (v == NULL) {
        if (rc != KNOOP_ENOTFOUND)
            fail_msg("key '%s' in %s: rc %d, want KNOOP_ENOTFOUND", k, kv_cf_name(cf), rc);
        return;
    }
    if (rc != 0)
        fail_msg("key '%s' in %s: rc %d (%s), want a value", k, kv_cf_name(cf), rc, err.msg);
    assert_int_equal(vlen, strlen(v));
    assert_memory_equal(val, v, vlen);
    kv_free(val);
}

/* Collects the keys of an iteration as "k1,k2,..." into out. */
static void collect(kv_iter_t *it, char *out, size_t outsz)
{
    knoop_error_t err;
    out[0] = '\0';
    for (; kv_iter_valid(it); kv_iter_next(it)) {
        size_t klen;
        const char *k = kv_iter_key(it, &klen);
        if (out[0] != '\0')
            strncat(out, ",", outsz - strlen(out) - 1);
        strncat(out, k, klen < outsz - strlen(out) - 1 ? klen : outsz - strlen(out) - 1);
    }
    assert_int_equal(kv_iter_status(it, &err), 0);
}

static void kv_cf_names_are_the_documented_ones(void **state)
{
    (void)state;
    assert_string_equal(kv_cf_name(KV_CF_NODE), "node");
    assert_string_equal(kv_cf_name(KV_CF_EDGE), "edge");
    assert_string_equal(kv_cf_name(KV_CF_ADJ), "adj");
    assert_string_equal(kv_cf_name(KV_CF_IDX), "idx");
    assert_string_equal(kv_cf_name(KV_CF_HIST), "hist");
    assert_string_equal(kv_cf_name(KV_CF_META), "meta");
}

static void kv_put_then_get_returns_the_value(void **state)
{
    fx_t *f = *state;
    put1(f->db, KV_CF_NODE, "k1", "value one");
    expect(f->db, NULL, KV_CF_NODE, "k1", "value one");
}

/* The memtables' figure counts what was written and not yet flushed to table files: it grows
 * with writes and drops when kv_purge flushes every column family. */
static void kv_memtable_bytes_grow_with_writes_and_drop_after_a_flush(void **state)
{
    fx_t *f = *state;
    kv_caches_t before, after, flushed;
    kv_range_t r = { .cf = KV_CF_NODE, .lo = "a", .lo_len = 1, .hi = "b", .hi_len = 1 };
    knoop_error_t err;
    char key[16], val[1024];
    kv_caches(f->db, &before);
    memset(val, 'v', sizeof(val) - 1);
    val[sizeof(val) - 1] = '\0';
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "m%06d", i);
        put1(f->db, KV_CF_META, key, val);
    }
    kv_caches(f->db, &after);
    assert_true(after.memtable_bytes >= before.memtable_bytes + 1000 * 1000);
    assert_int_equal(kv_purge(f->db, &r, 1, &err), 0);
    kv_caches(f->db, &flushed);
    assert_true(flushed.memtable_bytes < after.memtable_bytes / 10);
}

static void kv_get_missing_is_not_found_and_leaves_err_alone(void **state)
{
    fx_t *f = *state;
    knoop_error_t err;
    void *val = (void *)0x1;
    size_t vlen = 99;
    err.code = 4242;
    strcpy(err.msg, "untouched");
    assert_int_equal(kv_get(f->db, NULL, KV_CF_NODE, "nope", 4, &val, &vlen, &err),
                     KNOOP_ENOTFOUND);
    assert_int_equal(err.code, 4242);
    assert_string_equal(err.msg, "untouched");
}

static void kv_values_are_binary_safe_and_may_be_empty(void **state)
{
    fx_t *f = *state;
    knoop_error_t err;
    const unsigned char key[] = { 0, 1, 0, 0xff };
    const unsigned char v[] = { 0, 0, 'x', 0, 0xff };
    kv_batch_t *b = kv_batch_new(f->db);
    kv_batch_put(b, KV_CF_META, key, sizeof key, v, sizeof v);
    kv_batch_put(b, KV_CF_META, "empty", 5, "", 0);
    assert_int_equal(kv_commit(f->db, b, true, &err), 0);
    kv_batch_free(b);

    void *val = NULL;
    size_t vlen = 0;
    assert_int_equal(kv_get(f->db, NULL, KV_CF_META, key, sizeof key, &val, &vlen, &err), 0);
    assert_int_equal(vlen, sizeof v);
    assert_memory_equal(val, v, sizeof v);
    kv_free(val);
    /* A key that is a prefix of a stored key is a different key. */
    assert_int_equal(kv_get(f->db, NULL, KV_CF_META, key, 3, &val, &vlen, &err), KNOOP_ENOTFOUND);
    val = NULL;
    assert_int_equal(kv_get(f->db, NULL, KV_CF_META, "empty", 5, &val, &vlen, &err), 0);
    assert_int_equal(vlen, 0);
    kv_free(val);
}

static void kv_put_overwrites_and_delete_removes(void **state)
{
    fx_t *f = *state;
    put1(f->db, KV_CF_EDGE, "k", "one");
    put1(f->db, KV_CF_EDGE, "k", "two");
    expect(f->db, NULL, KV_CF_EDGE, "k", "two");
    del1(f->db, KV_CF_EDGE, "k");
    expect(f->db, NULL, KV_CF_EDGE, "k", NULL);
    /* Deleting an absent key is not an error. */
    del1(f->db, KV_CF_EDGE, "never");
}

static void kv_batch_is_invisible_until_commit_and_applies_in_order(void **state)
{
    fx_t *f = *state;
    knoop_error_t err;
    kv_batch_t *b = kv_batch_new(f->db);
    assert_non_null(b);
    assert_int_equal(kv_batch_count(b), 0);
    kv_batch_put(b, KV_CF_NODE, "a", 1, "1", 1);
    kv_batch_put(b, KV_CF_NODE, "b", 1, "2", 1);
    kv_batch_delete(b, KV_CF_NODE, "b", 1);
    kv_batch_put(b, KV_CF_NODE, "c", 1, "3", 1);
    kv_batch_put(b, KV_CF_NODE, "c", 1, "4", 1);
    assert_int_equal(kv_batch_count(b), 5);
    expect(f->db, NULL, KV_CF_NODE, "a", NULL);
    assert_int_equal(kv_commit(f->db, b, false, &err), 0);
    kv_batch_free(b);
    expect(f->db, NULL, KV_CF_NODE, "a", "1");
    expect(f->db, NULL, KV_CF_NODE, "b", NULL);
    expect(f->db, NULL, KV_CF_NODE, "c", "4");
}

static void kv_batch_clear_drops_pending_writes(void **state)
{
    fx_t *f = *state;
    knoop_error_t err;
    kv_batch_t *b = kv_batch_new(f->db);
    kv_batch_put(b, KV_CF_NODE, "dropped", 7, "x", 1);
    kv_batch_clear(b);
    assert_int_equal(kv_batch_count(b), 0);
    kv_batch_put(b, KV_CF_NODE, "kept", 4, "y", 1);
    assert_int_equal(kv_commit(f->db, b, false, &err), 0);
    kv_batch_free(b);
    expect(f->db, NULL, KV_CF_NODE, "dropped", NULL);
    expect(f->db, NULL, KV_CF_NODE, "kept", "y");
}

static void kv_column_families_are_separate(void **state)
{
    fx_t *f = *state;
    put1(f->db, KV_CF_NODE, "same", "node");
    put1(f->db, KV_CF_IDX, "same", "idx");
    expect(f->db, NULL, KV_CF_NODE, "same", "node");
    expect(f->db, NULL, KV_CF_IDX, "same", "idx");
    for (kv_cf_t cf = 0; cf < KV_CF_COUNT; cf++)
        if (cf != KV_CF_NODE && cf != KV_CF_IDX)
            expect(f->db, NULL, cf, "same", NULL);
    del1(f->db, KV_CF_NODE, "same");
    expect(f->db, NULL, KV_CF_NODE, "same", NULL);
    expect(f->db, NULL, KV_CF_IDX, "same", "idx");

    /* An iterator sees only its own column family. */
    char keys[128];
    put1(f->db, KV_CF_ADJ, "adj-only", "x");
    kv_iter_t *it = kv_iter_new(f->db, NULL, KV_CF_HIST, NULL, 0, NULL, 0);
    collect(it, keys, sizeof keys);
    kv_iter_free(it);
    assert_string_equal(keys, "");
}

static void kv_iterator_covers_lower_inclusive_upper_exclusive(void **state)
{
    fx_t *f = *state;
    char keys[256];
    const char *all[] = { "a", "b", "ba", "bz", "c", "d" };
    for (size_t i = 0; i < 6; i++)
        put1(f->db, KV_CF_ADJ, all[i], "v");

    kv_iter_t *it = kv_iter_new(f->db, NULL, KV_CF_ADJ, "b", 1, "c", 1);
    collect(it, keys, sizeof keys);
    kv_iter_free(it);
    assert_string_equal(keys, "b,ba,bz");

    it = kv_iter_new(f->db, NULL, KV_CF_ADJ, "b", 1, "d", 1);
    collect(it, keys, sizeof keys);
    kv_iter_free(it);
    assert_string_equal(keys, "b,ba,bz,c");

    /* Bounds that are not keys. */
    it = kv_iter_new(f->db, NULL, KV_CF_ADJ, "aa", 2, "bb", 2);
    collect(it, keys, sizeof keys);
    kv_iter_free(it);
    assert_string_equal(keys, "b,ba");
}

static void kv_iterator_with_open_bounds_sees_everything_in_order(void **state)
{
    fx_t *f = *state;
    char keys[256];
    put1(f->db, KV_CF_ADJ, "m", "v");
    put1(f->db, KV_CF_ADJ, "a", "v");
    put1(f->db, KV_CF_ADJ, "z", "v");
    kv_iter_t *it = kv_iter_new(f->db, NULL, KV_CF_ADJ, NULL, 0, NULL, 0);
    collect(it, keys, sizeof keys);
    kv_iter_free(it);
    assert_string_equal(keys, "a,m,z");

    it = kv_iter_new(f->db, NULL, KV_CF_ADJ, NULL, 0, "m", 1);
    collect(it, keys, sizeof keys);
    kv_iter_free(it);
    assert_string_equal(keys, "a");

    it = kv_iter_new(f->db, NULL, KV_CF_ADJ, "m", 1, NULL, 0);
    collect(it, keys, sizeof keys);
    kv_iter_free(it);
    assert_string_equal(keys, "m,z");
}

static void kv_iterator_orders_bytes_unsigned(void **state)
{
    fx_t *f = *state;
    knoop_error_t err;
    const unsigned char k1[] = { 0x01 }, k2[] = { 0x7f }, k3[] = { 0x80 }, k4[] = { 0xff };
    kv_batch_t *b = kv_batch_new(f->db);
    kv_batch_put(b, KV_CF_HIST, k4, 1, "4", 1);
    kv_batch_put(b, KV_CF_HIST, k2, 1, "2", 1);
    kv_batch_put(b, KV_CF_HIST, k3, 1, "3", 1);
    kv_batch_put(b, KV_CF_HIST, k1, 1, "1", 1);
    assert_int_equal(kv_commit(f->db, b, false, &err), 0);
    kv_batch_free(b);

    kv_iter_t *it = kv_iter_new(f->db, NULL, KV_CF_HIST, NULL, 0, NULL, 0);
    char seen[8] = { 0 };
    size_t n = 0;
    for (; kv_iter_valid(it) && n < 7; kv_iter_next(it)) {
        size_t vlen;
        const char *v = kv_iter_value(it, &vlen);
        assert_int_equal(vlen, 1);
        seen[n++] = v[0];
    }
    assert_int_equal(kv_iter_status(it, &err), 0);
    kv_iter_free(it);
    assert_string_equal(seen, "1234");
}

static void kv_iterator_seek_moves_within_bounds(void **state)
{
    fx_t *f = *state;
    size_t klen;
    const char *all[] = { "a", "b", "c", "d", "e" };
    for (size_t i = 0; i < 5; i++)
        put1(f->db, KV_CF_ADJ, all[i], "v");
    kv_iter_t *it = kv_iter_new(f->db, NULL, KV_CF_ADJ, "b", 1, "e", 1);
    assert_true(kv_iter_valid(it));
    kv_iter_seek(it, "cc", 2);
    assert_true(kv_iter_valid(it));
    assert_memory_equal(kv_iter_key(it, &klen), "d", 1);
    assert_int_equal(klen, 1);
    kv_iter_next(it);
    assert_false(kv_iter_valid(it)); /* "e" is the exclusive upper bound */
    kv_iter_free(it);
}

static void kv_snapshot_does_not_see_later_writes(void **state)
{
    fx_t *f = *state;
    put1(f->db, KV_CF_NODE, "old", "before");
    put1(f->db, KV_CF_NODE, "gone", "here");
    kv_snapshot_t *snap = kv_snapshot_new(f->db);
    assert_non_null(snap);
    put1(f->db, KV_CF_NODE, "new", "after");
    put1(f->db, KV_CF_NODE, "old", "changed");
    del1(f->db, KV_CF_NODE, "gone");

    expect(f->db, snap, KV_CF_NODE, "new", NULL);
    expect(f->db, snap, KV_CF_NODE, "old", "before");
    expect(f->db, snap, KV_CF_NODE, "gone", "here");
    expect(f->db, NULL, KV_CF_NODE, "new", "after");
    expect(f->db, NULL, KV_CF_NODE, "old", "changed");
    expect(f->db, NULL, KV_CF_NODE, "gone", NULL);

    char keys[128];
    kv_iter_t *it = kv_iter_new(f->db, snap, KV_CF_NODE, NULL, 0, NULL, 0);
    collect(it, keys, sizeof keys);
    kv_iter_free(it);
    assert_string_equal(keys, "gone,old");
    it = kv_iter_new(f->db, NULL, KV_CF_NODE, NULL, 0, NULL, 0);
    collect(it, keys, sizeof keys);
    kv_iter_free(it);
    assert_string_equal(keys, "new,old");
    kv_snapshot_free(f->db, snap);
}

/* Flushes every memtable to a table file (kv_purge without ranges), or also rewrites all of cf
 * down to the bottommost level when compact. */
static void flush_tables(kv_db_t *db, kv_cf_t cf, bool compact)
{
    knoop_error_t err;
    kv_range_t all = { .cf = cf }; /* open bounds: all of cf */
    assert_int_equal(kv_purge(db, &all, compact ? 1 : 0, &err), 0);
}

/* Reads each key twice (the second from the row cache when the first filled it). */
static void expect2(kv_db_t *db, const kv_snapshot_t *snap, const char *k, const char *v)
{
    expect(db, snap, KV_CF_NODE, k, v);
    expect(db, snap, KV_CF_NODE, k, v);
}

/*
 * With the row cache on, a record read from a table file again is served from it: every read
 * must still be the one of its snapshot, across new table files, a compaction that rewrites
 * them while older snapshots live, deletes and values still in the memtable.
 */
static void kv_row_cache_reads_stay_exact_across_table_files_and_snapshots(void **state)
{
    fx_t *f = *state;
    knoop_error_t err;
    kv_options_t o = { .create_if_missing = true, .row_cache_bytes = 1u << 20 };
    kv_close(f->db);
    f->db = NULL;
    assert_int_equal(kv_open(f->dir, &o, &f->db, &err), 0);

    put1(f->db, KV_CF_NODE, "a", "v1");
    put1(f->db, KV_CF_NODE, "b", "x");
    flush_tables(f->db, KV_CF_NODE, false);
    kv_snapshot_t *s1 = kv_snapshot_new(f->db);
    assert_non_null(s1);
    expect2(f->db, NULL, "a", "v1");
    expect2(f->db, s1, "a", "v1");
    expect2(f->db, NULL, "c", NULL);
    kv_caches_t kc;
    kv_caches(f->db, &kc);
    assert_int_equal(kc.row_budget, 1u << 20);
    assert_true(kc.row_bytes > 0); /* the reads above went through the row cache */

    put1(f->db, KV_CF_NODE, "a", "v2");
    del1(f->db, KV_CF_NODE, "b");
    put1(f->db, KV_CF_NODE, "c", "new");
    flush_tables(f->db, KV_CF_NODE, true);
    kv_snapshot_t *s2 = kv_snapshot_new(f->db);
    assert_non_null(s2);
    for (int round = 0; round < 2; round++) {
        expect2(f->db, NULL, "a", "v2");
        expect2(f->db, NULL, "b", NULL);
        expect2(f->db, NULL, "c", "new");
        expect2(f->db, s1, "a", "v1");
        expect2(f->db, s1, "b", "x");
        expect2(f->db, s1, "c", NULL);
        expect2(f->db, s2, "a", "v2");
    }

    put1(f->db, KV_CF_NODE, "a", "v3"); /* in the memtable, above the cached table reads */
    expect2(f->db, NULL, "a", "v3");
    expect2(f->db, s2, "a", "v2");
    expect2(f->db, s1, "a", "v1");
    flush_tables(f->db, KV_CF_NODE, false);
    expect2(f->db, NULL, "a", "v3");
    expect2(f->db, s2, "a", "v2");
    expect2(f->db, s1, "a", "v1");
    kv_snapshot_free(f->db, s1);
    kv_snapshot_free(f->db, s2);
    flush_tables(f->db, KV_CF_NODE, true);
    expect2(f->db, NULL, "a", "v3");
    expect2(f->db, NULL, "b", NULL);
}

static void kv_reopen_keeps_committed_data(void **state)
{
    fx_t *f = *state;
    knoop_error_t err;
    put1(f->db, KV_CF_META, "m", "meta");
    kv_batch_t *b = kv_batch_new(f->db);
    kv_batch_put(b, KV_CF_EDGE, "e", 1, "edge", 4);
    assert_int_equal(kv_commit(f->db, b, true, &err), 0);
    kv_batch_free(b);
    kv_close(f->db);
    f->db = open_db(f->dir);
    expect(f->db, NULL, KV_CF_META, "m", "meta");
    expect(f->db, NULL, KV_CF_EDGE, "e", "edge");
    expect(f->db, NULL, KV_CF_NODE, "e", NULL);
}

static void kv_open_without_create_fails_on_empty_directory(void **state)
{
    (void)state;
    char dir[256];
    kv_options_t o = { .create_if_missing = false, .block_cache_bytes = 0 };
    knoop_error_t err;
    kv_db_t *db = NULL;
    tu_mkdtemp(dir, sizeof dir);
    knoop_error_clear(&err);
    int rc = kv_open(dir, &o, &db, &err);
    assert_true(rc < 0);
    assert_int_equal(err.code, rc);
    assert_true(err.msg[0] != '\0');
    kv_close(db);
    kv_close(NULL);
    tu_rmtree(dir);
}

static void kv_sync_succeeds(void **state)
{
    fx_t *f = *state;
    knoop_error_t err;
    put1(f->db, KV_CF_NODE, "s", "v");
    assert_int_equal(kv_sync(f->db, &err), 0);
}

static void kv_transient_fault_fails_only_the_nth_commit_and_writes_nothing(void **state)
{
    fx_t *f = *state;
    knoop_error_t err;
    kv_fault_set(2, false);
    put1(f->db, KV_CF_NODE, "first", "1");

    kv_batch_t *b = kv_batch_new(f->db);
    kv_batch_put(b, KV_CF_NODE, "second", 6, "2", 1);
    kv_batch_put(b, KV_CF_IDX, "second-idx", 10, "2", 1);
    kv_batch_delete(b, KV_CF_NODE, "first", 5);
    knoop_error_clear(&err);
    assert_int_equal(kv_commit(f->db, b, true, &err), KNOOP_EIO);
    assert_int_equal(err.code, KNOOP_EIO);
    kv_batch_free(b);
    assert_int_equal(kv_fault_fired(), 1);
    expect(f->db, NULL, KV_CF_NODE, "second", NULL);
    expect(f->db, NULL, KV_CF_IDX, "second-idx", NULL);
    expect(f->db, NULL, KV_CF_NODE, "first", "1");

    put1(f->db, KV_CF_NODE, "third", "3");
    expect(f->db, NULL, KV_CF_NODE, "third", "3");
    assert_int_equal(kv_fault_fired(), 1);
}

static void kv_persistent_fault_fails_every_commit_from_the_nth(void **state)
{
    fx_t *f = *state;
    knoop_error_t err;
    kv_fault_set(1, true);
    for (int i = 0; i < 3; i++) {
        char k[8];
        snprintf(k, sizeof k, "p%d", i);
        kv_batch_t *b = kv_batch_new(f->db);
        kv_batch_put(b, KV_CF_NODE, k, strlen(k), "v", 1);
        assert_int_equal(kv_commit(f->db, b, false, &err), KNOOP_EIO);
        kv_batch_free(b);
        expect(f->db, NULL, KV_CF_NODE, k, NULL);
    }
    assert_int_equal(kv_fault_fired(), 3);
    kv_fault_set(0, false);
    assert_int_equal(kv_fault_fired(), 0);
    put1(f->db, KV_CF_NODE, "after", "ok");
    expect(f->db, NULL, KV_CF_NODE, "after", "ok");
}

static void kv_fault_off_never_fires(void **state)
{
    fx_t *f = *state;
    kv_fault_set(0, true);
    for (int i = 0; i < 5; i++)
        put1(f->db, KV_CF_NODE, "k", "v");
    assert_int_equal(kv_fault_fired(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(kv_cf_names_are_the_documented_ones, setup, teardown),
        cmocka_unit_test_setup_teardown(kv_put_then_get_returns_the_value, setup, teardown),
        cmocka_unit_test_setup_teardown(kv_memtable_bytes_grow_with_writes_and_drop_after_a_flush,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(kv_get_missing_is_not_found_and_leaves_err_alone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(kv_values_are_binary_safe_and_may_be_empty, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(kv_put_overwrites_and_delete_removes, setup, teardown),
        cmocka_unit_test_setup_teardown(kv_batch_is_invisible_until_commit_and_applies_in_order,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(kv_batch_clear_drops_pending_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(kv_column_families_are_separate, setup, teardown),
        cmocka_unit_test_setup_teardown(kv_iterator_covers_lower_inclusive_upper_exclusive, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(kv_iterator_with_open_bounds_sees_everything_in_order,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(kv_iterator_orders_bytes_unsigned, setup, teardown),
        cmocka_unit_test_setup_teardown(kv_iterator_seek_moves_within_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(kv_snapshot_does_not_see_later_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(
            kv_row_cache_reads_stay_exact_across_table_files_and_snapshots, setup, teardown),
        cmocka_unit_test_setup_teardown(kv_reopen_keeps_committed_data, setup, teardown),
        cmocka_unit_test(kv_open_without_create_fails_on_empty_directory),
        cmocka_unit_test_setup_teardown(kv_sync_succeeds, setup, teardown),
        cmocka_unit_test_setup_teardown(
            kv_transient_fault_fails_only_the_nth_commit_and_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(kv_persistent_fault_fails_every_commit_from_the_nth, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(kv_fault_off_never_fires, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
