/*
 * test_audit.c - unit tests for the store's audit chain (store.h: store_audit_*): every commit
 * and every recorded read is a link; an entry or a history record edited, or an entry removed,
 * directly in RocksDB (through kv, bypassing the store) is found by store_audit_verify.
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

#include "store.h"
#include "testutil.h"

typedef struct {
    char dir[256];
    store_t *s;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    knoop_error_t err;
    tu_mkdtemp(f->dir, sizeof f->dir);
    assert_int_equal(store_open(f->dir, NULL, &f->s, &err), 0);
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

/* Commits one change of entity id: a put and its history entry {"v": v}. */
static void change(store_t *s, uint64_t id, const char *v)
{
    store_who_t who = { .actor = "tester", .reason = "unit test" };
    store_txn_t *t;
    knoop_error_t err;
    unsigned char key[8];
    char after[64];
    size_t n;
    assert_int_equal(store_txn_begin(s, &who, &t, &err), 0);
    store_key_id(key, id);
    assert_int_equal(store_txn_put(t, KV_CF_NODE, key, 8, v, strlen(v)), 0);
    /* {"v": v} by hand: fixmap 1, fixstr "v", fixstr v (short). */
    n = strlen(v);
    after[0] = (char)0x81;
    after[1] = (char)0xa1;
    after[2] = 'v';
    after[3] = (char)(0xa0 | n);
    memcpy(after + 4, v, n);
    assert_int_equal(store_txn_history(t, id, "update", NULL, 0, after, n + 4), 0);
    assert_int_equal(store_txn_commit(t, &err), 0);
}

static void verify(store_t *s, store_audit_result_t *r)
{
    knoop_error_t err;
    assert_int_equal(store_audit_verify(s, NULL, r, &err), 0);
}

/* Overwrites key in cf directly through kv: what someone with the files could do. */
static void raw_put(store_t *s, kv_cf_t cf, const void *key, size_t klen, const void *v, size_t vl)
{
    kv_batch_t *b = kv_batch_new(store_kv(s));
    knoop_error_t err;
    kv_batch_put(b, cf, key, klen, v, vl);
    assert_int_equal(kv_commit(store_kv(s), b, true, &err), 0);
    kv_batch_free(b);
}

static void raw_delete(store_t *s, kv_cf_t cf, const void *key, size_t klen)
{
    kv_batch_t *b = kv_batch_new(store_kv(s));
    knoop_error_t err;
    kv_batch_delete(b, cf, key, klen);
    assert_int_equal(kv_commit(store_kv(s), b, true, &err), 0);
    kv_batch_free(b);
}

static void test_untouched_chain_of_changes_and_reads_verifies(void **state)
{
    fx_t *f = *state;
    store_audit_result_t r;
    knoop_error_t err;
    uint64_t ids[] = { 1 };
    change(f->s, 1, "Jansen");
    assert_int_equal(
        store_audit_read(f->s, "rita", "dossier 12", "dossier review", "node.get", ids, 1, &err),
        0);
    change(f->s, 2, "Almere");
    verify(f->s, &r);
    assert_true(r.ok);
    assert_int_equal(r.entries, 3);
}

static void test_chain_survives_a_restart(void **state)
{
    fx_t *f = *state;
    store_audit_result_t r;
    knoop_error_t err;
    change(f->s, 1, "Jansen");
    store_close(f->s);
    assert_int_equal(store_open(f->dir, NULL, &f->s, &err), 0);
    change(f->s, 1, "Janssen");
    verify(f->s, &r);
    assert_true(r.ok);
    assert_int_equal(r.entries, 2);
}

static void test_edited_history_entry_is_detected(void **state)
{
    fx_t *f = *state;
    store_audit_result_t r;
    unsigned char key[STORE_HIST_KEY_LEN];
    const char forged[] = "\x81\xa1v\xa6Pieter";
    change(f->s, 1, "Jansen");
    change(f->s, 1, "Janssen");
    change(f->s, 2, "Almere");
    /* Rewrite the second change's history entry (id 1, seq 2). */
    store_key_hist(key, 1, 2, 0);
    raw_put(f->s, KV_CF_HIST, key, sizeof(key), forged, sizeof(forged) - 1);
    verify(f->s, &r);
    assert_false(r.ok);
    assert_int_equal(r.first_bad, 2);
    assert_non_null(strstr(r.problem, "seq 2"));
}

static void test_deleted_history_entry_is_detected(void **state)
{
    fx_t *f = *state;
    store_audit_result_t r;
    unsigned char key[STORE_HIST_KEY_LEN];
    change(f->s, 1, "Jansen");
    change(f->s, 1, "Janssen");
    store_key_hist(key, 1, 1, 0);
    raw_delete(f->s, KV_CF_HIST, key, sizeof(key));
    verify(f->s, &r);
    assert_false(r.ok);
    assert_int_equal(r.first_bad, 1);
}

static void test_edited_audit_entry_is_detected(void **state)
{
    fx_t *f = *state;
    store_audit_result_t r;
    unsigned char key[STORE_AUDIT_KEY_LEN];
    void *v;
    size_t vl;
    knoop_error_t err;
    char *p;
    uint64_t ids[] = { 1 };
    change(f->s, 1, "Jansen");
    assert_int_equal(
        store_audit_read(f->s, "rita", "dossier 12", "dossier review", "node.get", ids, 1, &err),
        0);
    change(f->s, 2, "Almere");
    /* Make rita's read someone else's: same length, so only the hash can tell. */
    store_key_audit(key, 2);
    assert_int_equal(kv_get(store_kv(f->s), NULL, KV_CF_META, key, sizeof(key), &v, &vl, &err), 0);
    p = memmem(v, vl, "rita", 4);
    assert_non_null(p);
    memcpy(p, "erik", 4);
    raw_put(f->s, KV_CF_META, key, sizeof(key), v, vl);
    kv_free(v);
    verify(f->s, &r);
    assert_false(r.ok);
    assert_int_equal(r.first_bad, 2);
}

static void test_removed_audit_entry_is_detected(void **state)
{
    fx_t *f = *state;
    store_audit_result_t r;
    unsigned char key[STORE_AUDIT_KEY_LEN];
    change(f->s, 1, "Jansen");
    change(f->s, 1, "Janssen");
    change(f->s, 1, "Jansma");
    store_key_audit(key, 2); /* from the middle */
    raw_delete(f->s, KV_CF_META, key, sizeof(key));
    verify(f->s, &r);
    assert_false(r.ok);
    assert_int_equal(r.first_bad, 2);
}

static void test_removed_last_audit_entry_is_detected(void **state)
{
    fx_t *f = *state;
    store_audit_result_t r;
    unsigned char key[STORE_AUDIT_KEY_LEN];
    change(f->s, 1, "Jansen");
    change(f->s, 1, "Janssen");
    store_key_audit(key, 2);
    raw_delete(f->s, KV_CF_META, key, sizeof(key));
    verify(f->s, &r);
    assert_false(r.ok);
    assert_non_null(strstr(r.problem, "head"));
}

/* Many readers at once, and a writer among them: their entries are written in groups (one
 * leader writes what the others queued); every read keeps exactly one entry, the chain holds
 * them all, in numbers without a gap, and still verifies. */
#define GROUP_THREADS 8
#define GROUP_READS   300
#define GROUP_CHANGES 40

typedef struct {
    store_t *s;
    int t;
    int failures;
} reader_t;

static void *reader(void *arg)
{
    reader_t *r = arg;
    knoop_error_t err;
    for (int i = 0; i < GROUP_READS; i++) {
        uint64_t id = (uint64_t)r->t * GROUP_READS + (uint64_t)i + 1;
        if (store_audit_read(r->s, "rita", NULL, "dossier review", "node.get", &id, 1, &err) != 0)
            r->failures++;
    }
    return NULL;
}

static void *changer(void *arg)
{
    for (int i = 0; i < GROUP_CHANGES; i++)
        change(arg, 1000000 + (uint64_t)i, "Almere");
    return NULL;
}

typedef struct {
    unsigned char seen[GROUP_THREADS * GROUP_READS + 1]; /* entries naming each read's id */
    int changes, bad;
} tally_t;

/* The value of key name in map m, or NULL. */
static const msgpack_object *field(const msgpack_object *m, const char *name)
{
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object *k = &m->via.map.ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen(name) &&
            memcmp(k->via.str.ptr, name, k->via.str.size) == 0)
            return &m->via.map.ptr[i].val;
    }
    return NULL;
}

/* Counts each entry: a change, or a read of the one id it names. */
static int tally_entry(void *arg, uint64_t no, const void *entry, size_t len)
{
    tally_t *t = arg;
    msgpack_unpacked u;
    const msgpack_object *kind, *ids;
    (void)no;
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, entry, len, NULL) != MSGPACK_UNPACK_SUCCESS ||
        u.data.type != MSGPACK_OBJECT_MAP || (kind = field(&u.data, "kind")) == NULL ||
        kind->type != MSGPACK_OBJECT_STR) {
        t->bad++;
    } else if (kind->via.str.size == 6 && memcmp(kind->via.str.ptr, "change", 6) == 0) {
        t->changes++;
    } else if ((ids = field(&u.data, "ids")) != NULL && ids->type == MSGPACK_OBJECT_ARRAY &&
               ids->via.array.size == 1 &&
               ids->via.array.ptr[0].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
               ids->via.array.ptr[0].via.u64 >= 1 &&
               ids->via.array.ptr[0].via.u64 <= GROUP_THREADS * GROUP_READS) {
        t->seen[ids->via.array.ptr[0].via.u64]++;
    } else {
        t->bad++;
    }
    msgpack_unpacked_destroy(&u);
    return 0;
}

static void test_concurrent_reads_each_keep_one_entry_in_an_unbroken_chain(void **state)
{
    fx_t *f = *state;
    pthread_t th[GROUP_THREADS + 1];
    reader_t rd[GROUP_THREADS];
    store_audit_result_t r;
    for (int t = 0; t < GROUP_THREADS; t++) {
        rd[t] = (reader_t){ .s = f->s, .t = t };
        assert_int_equal(pthread_create(&th[t], NULL, reader, &rd[t]), 0);
    }
    assert_int_equal(pthread_create(&th[GROUP_THREADS], NULL, changer, f->s), 0);
    for (int t = 0; t <= GROUP_THREADS; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < GROUP_THREADS; t++)
        assert_int_equal(rd[t].failures, 0);
    verify(f->s, &r);
    assert_true(r.ok);
    assert_int_equal(r.entries, GROUP_THREADS * GROUP_READS + GROUP_CHANGES);
    {
        store_audit_stats_t st;
        store_audit_stats(f->s, &st);
        assert_int_equal(st.read_entries, GROUP_THREADS * GROUP_READS);
        assert_true(st.read_writes >= 1 && st.read_writes <= st.read_entries);
    }
    {
        tally_t *t = calloc(1, sizeof(*t));
        knoop_error_t err;
        assert_non_null(t);
        assert_int_equal(store_audit_scan(f->s, NULL, 1, tally_entry, t, &err), 0);
        assert_int_equal(t->bad, 0);
        assert_int_equal(t->changes, GROUP_CHANGES);
        for (int id = 1; id <= GROUP_THREADS * GROUP_READS; id++)
            assert_int_equal(t->seen[id], 1);
        free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_untouched_chain_of_changes_and_reads_verifies, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_chain_survives_a_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edited_history_entry_is_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_history_entry_is_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edited_audit_entry_is_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_removed_audit_entry_is_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_removed_last_audit_entry_is_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_concurrent_reads_each_keep_one_entry_in_an_unbroken_chain, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
