/*
 * test_writes.c - the one write path against a real knoopd (layer: tests/integration): concurrent
 * identical upserts make one edge, every method writes history, a write over its bounds is
 * refused whole, and a failed write leaves nothing behind.
 *
 * One knoopd serves the group; each test creates its own nodes.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>
#include <jansson.h>

#include "itest.h"
#include "itest_json.h"
#include "knoop.h"
#include "knoop_limits.h"

static itest_server_t srv;

#define THREADS 16
#define ROUNDS  100

static uint64_t person(knoop_conn_t *c, const char *surname)
{
    json_t *j =
        itest_call_ok(c, "node.create",
                      "{\"kind\": \"person\", \"props\": {\"initials\": \"P.\", \"surname\": "
                      "\"%s\", \"example\": true}}",
                      surname);
    uint64_t id = (uint64_t)json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    return id;
}

/* ---- 16 concurrent identical edge.put calls ---- */

typedef struct {
    knoop_conn_t *c;
    pthread_barrier_t *start, *done;
    const uint64_t *src, *tgt; /* this round's ends, set before start */
    int created[ROUNDS];
    int failures;
} putter_t;

static void *putter(void *arg)
{
    putter_t *p = arg;
    for (int r = 0; r < ROUNDS; r++) {
        char params[256];
        knoop_error_t err;
        json_t *j;
        int rc;
        pthread_barrier_wait(p->start);
        snprintf(params, sizeof(params),
                 "{\"type\": \"collega\", \"source\": %llu, \"target\": %llu, \"valid_from\": "
                 "\"2020-01-01\"}",
                 (unsigned long long)*p->src, (unsigned long long)*p->tgt);
        j = itest_call(p->c, "edge.put", params, &rc, &err);
        if (rc != 0 || j == NULL)
            p->failures++;
        else
            p->created[r] = json_is_true(json_object_get(j, "created"));
        json_decref(j);
        pthread_barrier_wait(p->done);
    }
    return NULL;
}

static void edge_put_sixteen_concurrent_identical_calls_create_exactly_one_edge(void **state)
{
    pthread_barrier_t start, done;
    pthread_t th[THREADS];
    putter_t pt[THREADS];
    uint64_t src = 0, tgt = 0;
    knoop_conn_t *c = itest_connect(srv.addr);
    int duplicates = 0, rounds_without_create = 0;
    (void)state;

    pthread_barrier_init(&start, NULL, THREADS + 1);
    pthread_barrier_init(&done, NULL, THREADS + 1);
    for (int i = 0; i < THREADS; i++) {
        memset(&pt[i], 0, sizeof(pt[i]));
        pt[i].c = itest_connect(srv.addr);
        pt[i].start = &start;
        pt[i].done = &done;
        pt[i].src = &src;
        pt[i].tgt = &tgt;
        assert_int_equal(pthread_create(&th[i], NULL, putter, &pt[i]), 0);
    }
    for (int r = 0; r < ROUNDS; r++) {
        char params[128];
        json_t *l;
        int created = 0;
        src = person(c, "Bron");
        tgt = person(c, "Doel");
        pthread_barrier_wait(&start);
        pthread_barrier_wait(&done);
        for (int i = 0; i < THREADS; i++)
            created += pt[i].created[r];
        snprintf(params, sizeof(params), "{\"node\": %llu, \"type\": \"collega\"}",
                 (unsigned long long)src);
        l = itest_call_ok(c, "edge.list", "%s", params);
        if (json_array_size(json_object_get(l, "edges")) != 1)
            duplicates++;
        if (created != 1)
            rounds_without_create++;
        json_decref(l);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(pt[i].failures, 0);
        knoop_close(pt[i].c);
    }
    pthread_barrier_destroy(&start);
    pthread_barrier_destroy(&done);
    knoop_close(c);
    printf("edge.put: %d rounds x %d concurrent identical calls: %d rounds with duplicates, %d "
           "rounds where created != 1\n",
           ROUNDS, THREADS, duplicates, rounds_without_create);
    assert_int_equal(duplicates, 0);
    assert_int_equal(rounds_without_create, 0);
}

/* ---- history for every method ---- */

static size_t history_len(knoop_conn_t *c, const char *params, json_t **entries)
{
    json_t *j = itest_call_ok(c, "history.list", "%s", params);
    size_t n = json_array_size(json_object_get(j, "entries"));
    *entries = json_incref(json_object_get(j, "entries"));
    json_decref(j);
    return n;
}

static void postcode_put_and_places_sync_write_history_entries(void **state)
{
    knoop_conn_t *c = itest_connect(srv.addr);
    json_t *e, *j;
    (void)state;

    j = itest_call_ok(c, "postcode.put", "{\"postcode\": \"9999\", \"place\": \"Testdorp\"}");
    json_decref(j);
    j = itest_call_ok(
        c, "postcode.put",
        "{\"postcode\": \"9999\", \"place\": \"Testdorp\", \"gemeente\": \"GM0034\"}");
    json_decref(j);
    /* Unchanged: no new entry. */
    j = itest_call_ok(
        c, "postcode.put",
        "{\"postcode\": \"9999\", \"place\": \"Testdorp\", \"gemeente\": \"GM0034\"}");
    json_decref(j);
    assert_int_equal(history_len(c, "{\"postcode\": \"9999\"}", &e), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "op")), "create");
    assert_string_equal(json_string_value(json_object_get(json_array_get(e, 1), "op")), "update");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(e, 1), "after"), "gemeente")),
                        "GM0034");
    json_decref(e);

    j = itest_call_ok(c, "places.sync",
                      "{\"places\": [{\"code\": 9901, \"name\": \"Eerstedorp\", \"gemeente\": "
                      "\"GM0034\"}], \"on\": \"2025-01-01\"}");
    json_decref(j);
    j = itest_call_ok(c, "places.sync", "{\"places\": [], \"on\": \"2025-02-01\"}");
    json_decref(j);
    assert_int_equal(history_len(c, "{\"woonplaats\": 9901}", &e), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(e, 1), "op")), "end");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(e, 1), "after"), "valid_to")),
                        "2025-02-01");
    json_decref(e);
    knoop_close(c);
}

/* ---- bounds under the writer lock ---- */

static void node_create_with_more_properties_than_the_limit_is_refused_before_any_write(void **s)
{
    knoop_conn_t *c = itest_connect(srv.addr);
    knoop_error_t err;
    size_t cap = 64 + (size_t)(KNOOP_MAX_PROPERTIES + 1) * 24, n = 0;
    char *params = malloc(cap);
    json_t *j;
    int rc;
    (void)s;
    assert_non_null(params);
    n += (size_t)snprintf(params + n, cap - n, "{\"kind\": \"project\", \"props\": {");
    for (int i = 0; i <= KNOOP_MAX_PROPERTIES; i++)
        n += (size_t)snprintf(params + n, cap - n, "%s\"p%d\": %d", i ? ", " : "", i, i);
    snprintf(params + n, cap - n, "}}");
    j = itest_call(c, "node.create", params, &rc, &err);
    assert_null(j);
    assert_int_equal(rc, KNOOP_ETOOLARGE);
    assert_non_null(strstr(err.msg, "at most"));
    free(params);
    /* Duplicate names are refused (JSON cannot carry them: sent as MessagePack). */
    {
        msgpack_sbuffer sb;
        msgpack_packer pk;
        knoop_result_t *r = NULL;
        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        msgpack_pack_map(&pk, 2);
        msgpack_pack_str_with_body(&pk, "kind", 4);
        msgpack_pack_str_with_body(&pk, "project", 7);
        msgpack_pack_str_with_body(&pk, "props", 5);
        msgpack_pack_map(&pk, 3);
        msgpack_pack_str_with_body(&pk, "a", 1);
        msgpack_pack_int(&pk, 1);
        msgpack_pack_str_with_body(&pk, "b", 1);
        msgpack_pack_int(&pk, 2);
        msgpack_pack_str_with_body(&pk, "a", 1);
        msgpack_pack_int(&pk, 3);
        rc = knoop_call(c, "node.create", sb.data, sb.size, &r, &err);
        msgpack_sbuffer_destroy(&sb);
        knoop_result_free(r);
        assert_int_equal(rc, KNOOP_EINVAL);
        assert_non_null(strstr(err.msg, "given twice"));
    }
    knoop_close(c);
}

static void failed_batch_leaves_no_node_no_history_and_no_sequence_number(void **state)
{
    knoop_conn_t *c = itest_connect(srv.addr);
    knoop_error_t err;
    json_t *j, *before, *after;
    int rc;
    (void)state;
    before = itest_call_ok(c, "server.info", "{}");
    j = itest_call(
        c, "batch",
        "{\"ops\": [{\"method\": \"node.create\", \"params\": {\"kind\": \"project\", "
        "\"props\": {\"key\": \"half-written\"}}}, {\"method\": \"edge.create\", \"params\": "
        "{\"type\": \"collega\", \"source\": \"half-written\", \"target\": \"GM9999\", "
        "\"valid_from\": \"2020-01-01\"}}]}",
        &rc, &err);
    assert_null(j);
    assert_int_equal(rc, KNOOP_ENOTFOUND);
    assert_non_null(strstr(err.msg, "nothing was written"));
    j = itest_call(c, "node.get", "{\"id\": \"half-written\"}", &rc, &err);
    assert_null(j);
    assert_int_equal(rc, KNOOP_ENOTFOUND);
    after = itest_call_ok(c, "server.info", "{}");
    assert_non_null(json_object_get(before, "last_seq"));
    assert_true(
        json_equal(json_object_get(before, "last_seq"), json_object_get(after, "last_seq")));
    json_decref(before);
    json_decref(after);
    knoop_close(c);
}

/* ---- online backup and restore ---- */

typedef struct {
    knoop_conn_t *c;
    atomic_int stop, created, failures;
} writer_t;

static void *writer(void *arg)
{
    writer_t *w = arg;
    while (!w->stop) {
        knoop_error_t err;
        int rc;
        json_t *j = itest_call(w->c, "node.create",
                               "{\"kind\": \"project\", \"props\": {\"name\": \"Backupproject\"}}",
                               &rc, &err);
        if (rc == 0)
            w->created++;
        else
            w->failures++;
        json_decref(j);
    }
    return NULL;
}

static void backup_while_writes_go_on_restores_to_the_same_digest(void **state)
{
    knoop_conn_t *c = itest_connect(srv.addr);
    writer_t w = { .c = itest_connect(srv.addr) };
    char dir[400], data[400], params[600], want[64];
    const char *knoopd = itest_path("KNOOPD", ITEST_KNOOPD);
    pthread_t th;
    itest_run_t r;
    json_t *b;
    (void)state;

    snprintf(dir, sizeof(dir), "%s/backup", srv.dir);
    snprintf(data, sizeof(data), "%s/restored", srv.dir);
    assert_int_equal(pthread_create(&th, NULL, writer, &w), 0);
    /* Let some writes through first; bounded by the writer's progress (each call has a time
     * limit, and a failure ends the wait). */
    while (atomic_load(&w.created) < 20 && atomic_load(&w.failures) == 0)
        sched_yield();
    snprintf(params, sizeof(params), "{\"dir\": \"%s\", \"verify\": true}", dir);
    b = itest_call_ok(c, "admin.backup", "%s", params);
    w.stop = 1;
    pthread_join(th, NULL);
    assert_int_equal(w.failures, 0);
    assert_true(json_integer_value(json_object_get(b, "seq")) > 0);
    snprintf(want, sizeof(want), "digest=%s", json_string_value(json_object_get(b, "digest")));

    {
        const char *argv[] = { knoopd, "--restore", dir, "--data", data, NULL };
        assert_int_equal(itest_run(argv, NULL, NULL, &r), 0);
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, want));
        itest_run_free(&r);
    }
    {
        /* The target must not exist: a second restore into it is refused. */
        const char *argv[] = { knoopd, "--restore", dir, "--data", data, NULL };
        assert_int_equal(itest_run(argv, NULL, NULL, &r), 0);
        assert_int_equal(r.status, 1);
        assert_non_null(strstr(r.err, "must not exist"));
        itest_run_free(&r);
    }
    /* A second backup into the same directory is refused, naming the problem. */
    {
        knoop_error_t err;
        int rc;
        json_t *j = itest_call(c, "admin.backup", params, &rc, &err);
        assert_null(j);
        assert_int_not_equal(rc, 0);
        assert_non_null(strstr(err.msg, "exists"));
    }
    json_decref(b);
    knoop_close(w.c);
    knoop_close(c);
}

/* ---- a write error (a full disk) ---- */

static void write_error_makes_the_store_read_only_and_a_restart_writes_again(void **state)
{
    itest_server_t d;
    struct rlimit rl = { .rlim_cur = 1, .rlim_max = RLIM_INFINITY };
    knoop_conn_t *c, *other;
    knoop_error_t err;
    json_t *j;
    int rc, code;
    (void)state;

    assert_int_equal(itest_server_start(&d, NULL), 0);
    assert_int_equal(knoop_connect(d.addr, &c, &err), 0);
    j = itest_call_ok(c, "node.create", "{\"kind\": \"project\", \"props\": {\"key\": \"vol-a\"}}");
    json_decref(j);
    /* The file size limit makes every write to the log fail with EFBIG, as a full disk fails
     * with ENOSPC, without needing root for a small tmpfs. */
    assert_int_equal(prlimit(d.pid, RLIMIT_FSIZE, &rl, NULL), 0);
    j = itest_call(c, "node.create", "{\"kind\": \"project\", \"props\": {\"key\": \"vol-b\"}}",
                   &rc, &err);
    assert_null(j);
    assert_int_equal(rc, KNOOP_EUNAVAIL); /* EIO on the wire */
    j = itest_call(c, "node.create", "{\"kind\": \"project\", \"props\": {\"key\": \"vol-b\"}}",
                   &rc, &err);
    assert_null(j);
    assert_int_equal(rc, KNOOP_EUNAVAIL); /* EIO on the wire */
    assert_non_null(strstr(err.msg, "read-only"));
    /* Reads go on, on this connection and on another. */
    j = itest_call_ok(c, "node.get", "{\"id\": \"vol-a\"}");
    json_decref(j);
    assert_int_equal(knoop_connect(d.addr, &other, &err), 0);
    j = itest_call_ok(other, "ping", "{}");
    json_decref(j);
    knoop_close(other);
    knoop_close(c);
    /* Space returns; a restart writes again, and nothing acknowledged was lost. */
    rl.rlim_cur = RLIM_INFINITY;
    assert_int_equal(prlimit(d.pid, RLIMIT_FSIZE, &rl, NULL), 0);
    assert_int_equal(itest_server_restart(&d, NULL, &code), 0);
    assert_int_equal(code, 0);
    assert_int_equal(knoop_connect(d.addr, &c, &err), 0);
    j = itest_call_ok(c, "node.get", "{\"id\": \"vol-a\"}");
    json_decref(j);
    j = itest_call(c, "node.get", "{\"id\": \"vol-b\"}", &rc, &err);
    assert_null(j);
    assert_int_equal(rc, KNOOP_ENOTFOUND);
    j = itest_call_ok(c, "node.create", "{\"kind\": \"project\", \"props\": {\"key\": \"vol-c\"}}");
    json_decref(j);
    knoop_close(c);
    assert_int_equal(itest_server_stop(&d), 0);
}

static int group_setup(void **state)
{
    (void)state;
    return itest_server_start(&srv, NULL) == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    return itest_server_stop(&srv) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(edge_put_sixteen_concurrent_identical_calls_create_exactly_one_edge),
        cmocka_unit_test(postcode_put_and_places_sync_write_history_entries),
        cmocka_unit_test(
            node_create_with_more_properties_than_the_limit_is_refused_before_any_write),
        cmocka_unit_test(failed_batch_leaves_no_node_no_history_and_no_sequence_number),
        cmocka_unit_test(backup_while_writes_go_on_restores_to_the_same_digest),
        cmocka_unit_test(write_error_makes_the_store_read_only_and_a_restart_writes_again),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
