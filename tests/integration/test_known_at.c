/*
 * test_known_at.c - recorded time: every read method with `known_at` against a real knoopd
 * (layer: tests/integration).
 *
 * The group setup imports the real provinces and gemeenten and then writes a scenario in phases,
 * taking a moment T0..T4 between phases (the test waits for the clock to pass a millisecond on
 * either side of each moment, so that every commit lies strictly before or after it):
 *
 *   T0  nothing of the scenario exists
 *       Eerdmans (test person) becomes burgemeester of Almere (GM0034) from 2018-01-01, open;
 *       Tweede (test person); a `kent` edge Eerdmans - Tweede from 2000-01-01
 *   T1  as first recorded
 *       correction: Eerdmans' role ends on 2019-02-01 (edge.update valid_to); Tweede is
 *       burgemeester from 2019-02-01; Eerdmans is renamed Anders (node.update)
 *   T2  after the correction
 *       the `kent` edge is ended on 2020-01-01 (edge.end)
 *   T3  the acquaintance ended
 *       correction: the `kent` edge is reopened (edge.update reopen)
 *   T4  now
 *
 * Every question is asked after all the writes, so an answer as of T1 is the answer as it was
 * recorded then, untouched by the later corrections of the same period. The persons are test
 * data, not real office holders. tests/thirdparty/test_known_at.py runs the same scenario
 * through python3-msgpack.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "itest.h"
#include "itest_json.h"
#include "knoop.h"
#include "knoop_json.h"

static itest_server_t srv;
static int srv_exit = -1;
static json_int_t p_id, q_id, burg_p, burg_q, kent;
static char T[5][32];

/* ---- helpers ---- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Busy-waits (at most a few ms, no sleep) until the clock has passed ms. */
static void pass(int64_t ms)
{
    while (now_ms() <= ms)
        ;
}

/*
 * A moment between the commits before and after the call, as RFC 3339 with milliseconds: the
 * clock passes a millisecond before it is taken and another after, so that no commit (whose
 * time is taken when it begins) shares its millisecond.
 */
static void moment(char buf[32])
{
    int64_t t;
    pass(now_ms());
    t = now_ms();
    time_t secs = (time_t)(t / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + 19, 13, ".%03dZ", (int)(t % 1000));
    pass(t);
}

static json_int_t person(knoop_conn_t *c, const char *key, const char *initials,
                         const char *surname)
{
    json_t *n =
        itest_call_ok(c, "node.create",
                      "{\"kind\": \"person\", \"props\": {\"key\": \"%s\", \"initials\": \"%s\", "
                      "\"surname\": \"%s\"}}",
                      key, initials, surname);
    json_int_t id = itest_jint(n, "id");
    json_decref(n);
    return id;
}

static json_int_t role(knoop_conn_t *c, const char *type, json_int_t src, const char *target,
                       const char *from)
{
    json_t *e = itest_call_ok(c, "edge.create",
                              "{\"type\": \"%s\", \"source\": %lld, \"target\": %s, "
                              "\"valid_from\": \"%s\"}",
                              type, (long long)src, target, from);
    json_int_t id = itest_jint(e, "id");
    json_decref(e);
    return id;
}

/* Whether the holders rows of r name person p. */
static bool holds(const json_t *r, json_int_t p)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r, "holders"), i, v)
    {
        if (itest_jint(json_object_get(v, "person"), "id") == p)
            return true;
    }
    return false;
}

/* Whether the edge list r (field "edges") holds edge e. */
static bool lists(const json_t *r, json_int_t e)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r, "edges"), i, v)
    {
        if (itest_jint(v, "id") == e)
            return true;
    }
    return false;
}

/* Whether the node.find result r holds node n. */
static bool finds(const json_t *r, json_int_t n)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r, "nodes"), i, v)
    {
        if (itest_jint(v, "id") == n)
            return true;
    }
    return false;
}

/* ---- setup ---- */

static int group_setup(void **state)
{
    static const char *const files[] = { "provinces.csv", "gemeenten.csv", NULL };
    knoop_conn_t *c;
    knoop_error_t err;
    json_t *r;
    (void)state;
    if (itest_server_start(&srv, NULL) != 0 || itest_import(&srv, files) != 0)
        return -1;
    if (knoop_connect(srv.addr, &c, &err) != 0)
        return -1;
    knoop_set_timeout(c, ITEST_WAIT_MS);
    moment(T[0]);
    p_id = person(c, "T-KA-P", "E.", "Eerdmans");
    q_id = person(c, "T-KA-Q", "T.", "Tweede");
    burg_p = role(c, "burgemeester", p_id, "\"GM0034\"", "2018-01-01");
    r = itest_call_ok(c, "edge.create",
                      "{\"type\": \"kent\", \"source\": %lld, \"target\": %lld, \"valid_from\": "
                      "\"2000-01-01\"}",
                      (long long)p_id, (long long)q_id);
    kent = itest_jint(r, "id");
    json_decref(r);
    moment(T[1]);
    json_decref(itest_call_ok(c, "edge.update", "{\"id\": %lld, \"valid_to\": \"2019-02-01\"}",
                              (long long)burg_p));
    burg_q = role(c, "burgemeester", q_id, "\"GM0034\"", "2019-02-01");
    json_decref(itest_call_ok(
        c, "node.update", "{\"id\": %lld, \"set\": {\"surname\": \"Anders\"}}", (long long)p_id));
    moment(T[2]);
    json_decref(
        itest_call_ok(c, "edge.end", "{\"id\": %lld, \"on\": \"2020-01-01\"}", (long long)kent));
    moment(T[3]);
    json_decref(
        itest_call_ok(c, "edge.update", "{\"id\": %lld, \"reopen\": true}", (long long)kent));
    moment(T[4]);
    knoop_close(c);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    srv_exit = itest_server_stop(&srv);
    return srv_exit == 0 ? 0 : -1;
}

static int conn_setup(void **state)
{
    knoop_conn_t *c;
    knoop_error_t err;
    if (knoop_connect(srv.addr, &c, &err) != 0) {
        fprintf(stderr, "connect %s: %s\n", srv.addr, err.msg);
        return -1;
    }
    knoop_set_timeout(c, ITEST_WAIT_MS);
    *state = c;
    return 0;
}

static int conn_teardown(void **state)
{
    knoop_close(*state);
    return 0;
}

/* ---- the tests ---- */

/* A node as recorded: not yet there at T0, its first name at T1, the new one from T2 on. */
static void node_get_answers_as_recorded(void **state)
{
    knoop_conn_t *c = *state;
    json_t *r;
    itest_call_fail(c, KNOOP_ENOTFOUND, "", "node.get", "{\"id\": %lld, \"known_at\": \"%s\"}",
                    (long long)p_id, T[0]);
    itest_call_fail(c, KNOOP_ENOTFOUND, "", "node.get",
                    "{\"id\": \"T-KA-P\", \"known_at\": \"%s\"}", T[0]);
    r = itest_call_ok(c, "node.get", "{\"id\": %lld, \"known_at\": \"%s\"}", (long long)p_id, T[1]);
    assert_string_equal(itest_jstr(json_object_get(r, "props"), "surname"), "Eerdmans");
    json_decref(r);
    /* By its external key, through the key index as it was. */
    r = itest_call_ok(c, "node.get", "{\"id\": \"T-KA-P\", \"known_at\": \"%s\"}", T[1]);
    assert_int_equal(itest_jint(r, "id"), p_id);
    assert_string_equal(itest_jstr(json_object_get(r, "props"), "surname"), "Eerdmans");
    json_decref(r);
    for (int i = 2; i <= 4; i++) {
        r = itest_call_ok(c, "node.get", "{\"id\": %lld, \"known_at\": \"%s\"}", (long long)p_id,
                          T[i]);
        assert_string_equal(itest_jstr(json_object_get(r, "props"), "surname"), "Anders");
        json_decref(r);
    }
    r = itest_call_ok(c, "node.get", "{\"id\": %lld}", (long long)p_id);
    assert_string_equal(itest_jstr(json_object_get(r, "props"), "surname"), "Anders");
    json_decref(r);
}

/* Who did we have registered as burgemeester of Almere on 2019-03-01, as we knew it on T1? */
static void holders_with_at_and_known_at_are_independent(void **state)
{
    knoop_conn_t *c = *state;
    static const char *const q =
        "{\"org\": \"GM0034\", \"role\": \"burgemeester\", \"at\": \"2019-03-01\"%s%s%s}";
    json_t *r;
    char ka[64];
    snprintf(ka, sizeof(ka), ", \"known_at\": \"%s\"", T[1]);
    r = itest_call_ok(c, "query.holders", q, ka, "", "");
    assert_true(holds(r, p_id));
    assert_false(holds(r, q_id));
    json_decref(r);
    /* As known at T2, and now: the correction. */
    snprintf(ka, sizeof(ka), ", \"known_at\": \"%s\"", T[2]);
    r = itest_call_ok(c, "query.holders", q, ka, "", "");
    assert_false(holds(r, p_id));
    assert_true(holds(r, q_id));
    json_decref(r);
    r = itest_call_ok(c, "query.holders", q, "", "", "");
    assert_false(holds(r, p_id));
    assert_true(holds(r, q_id));
    json_decref(r);
    /* On 2018-06-01 Eerdmans held it both before and after the correction. */
    r = itest_call_ok(c, "query.holders",
                      "{\"org\": \"GM0034\", \"role\": \"burgemeester\", \"at\": \"2018-06-01\", "
                      "\"known_at\": \"%s\"}",
                      T[2]);
    assert_true(holds(r, p_id));
    json_decref(r);
    /* Before anything was recorded, nobody of the scenario. */
    r = itest_call_ok(c, "query.holders",
                      "{\"org\": \"GM0034\", \"role\": \"burgemeester\", \"at\": \"2019-03-01\", "
                      "\"known_at\": \"%s\"}",
                      T[0]);
    assert_false(holds(r, p_id));
    assert_false(holds(r, q_id));
    json_decref(r);
}

/* edge.get: the role's end as recorded (open at T1, 2019-02-01 from T2). */
static void edge_get_shows_the_correction_only_after_it(void **state)
{
    knoop_conn_t *c = *state;
    json_t *r;
    r = itest_call_ok(c, "edge.get", "{\"id\": %lld, \"known_at\": \"%s\"}", (long long)burg_p,
                      T[1]);
    assert_true(json_is_null(json_object_get(r, "valid_to")) ||
                json_object_get(r, "valid_to") == NULL);
    json_decref(r);
    r = itest_call_ok(c, "edge.get", "{\"id\": %lld, \"known_at\": \"%s\"}", (long long)burg_p,
                      T[2]);
    assert_string_equal(itest_jstr(r, "valid_to"), "2019-02-01");
    json_decref(r);
    itest_call_fail(c, KNOOP_ENOTFOUND, "", "edge.get", "{\"id\": %lld, \"known_at\": \"%s\"}",
                    (long long)burg_q, T[1]);
}

/* edge.list with at and known_at: the burgemeester role on 2019-03-01, and the kent edge ended
 * (T3) then reopened (T4). */
static void edge_list_with_at_and_known_at(void **state)
{
    knoop_conn_t *c = *state;
    static const struct {
        int t;
        const char *at;
        json_int_t *edge;
        bool listed;
    } cases[] = {
        { 1, "2019-03-01", &burg_p, true },  { 2, "2019-03-01", &burg_p, false },
        { 4, "2019-03-01", &burg_p, false }, { 2, "2018-03-01", &burg_p, true },
        { 0, "2019-03-01", &burg_p, false }, { 2, "2021-01-01", &kent, true },
        { 3, "2021-01-01", &kent, false },   { 3, "2019-01-01", &kent, true },
        { 4, "2021-01-01", &kent, true },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc;
        knoop_error_t err;
        char params[256];
        json_t *r;
        snprintf(params, sizeof(params), "{\"node\": %lld, \"at\": \"%s\", \"known_at\": \"%s\"}",
                 (long long)p_id, cases[i].at, T[cases[i].t]);
        r = itest_call(c, "edge.list", params, &rc, &err);
        if (cases[i].t == 0) { /* the node itself did not exist yet */
            assert_null(r);
            assert_int_equal(rc, KNOOP_ENOTFOUND);
            continue;
        }
        if (r == NULL)
            fail_msg("edge.list %s: %s", params, err.msg);
        if (lists(r, *cases[i].edge) != cases[i].listed)
            fail_msg("edge.list %s: edge %lld %s, expected the opposite", params,
                     (long long)*cases[i].edge, cases[i].listed ? "missing" : "listed");
        json_decref(r);
    }
}

/* node.find: the renamed person is found by the old name as known at T1 only. */
static void node_find_by_the_old_name_only_at_the_old_moment(void **state)
{
    knoop_conn_t *c = *state;
    json_t *r;
    r = itest_call_ok(c, "node.find", "{\"name\": \"Eerdmans\", \"known_at\": \"%s\"}", T[1]);
    assert_true(finds(r, p_id));
    json_decref(r);
    r = itest_call_ok(c, "node.find", "{\"name\": \"Eerdmans\", \"known_at\": \"%s\"}", T[2]);
    assert_false(finds(r, p_id));
    json_decref(r);
    r = itest_call_ok(c, "node.find", "{\"name\": \"Eerdmans\"}");
    assert_false(finds(r, p_id));
    json_decref(r);
    r = itest_call_ok(c, "node.find", "{\"name\": \"Anders\", \"known_at\": \"%s\"}", T[1]);
    assert_false(finds(r, p_id));
    json_decref(r);
    r = itest_call_ok(c, "node.find", "{\"name\": \"Anders\"}");
    assert_true(finds(r, p_id));
    json_decref(r);
    /* With at as well: the node existed on that day either way. */
    r = itest_call_ok(c, "node.find",
                      "{\"name\": \"Eerdmans\", \"at\": \"2019-03-01\", \"known_at\": \"%s\"}",
                      T[1]);
    assert_true(finds(r, p_id));
    json_decref(r);
    r = itest_call_ok(c, "node.find", "{\"key\": \"T-KA-Q\", \"known_at\": \"%s\"}", T[0]);
    assert_false(finds(r, q_id));
    json_decref(r);
}

/* Whether the JSON text of r contains s. */
static bool mentions(const json_t *r, const char *s)
{
    char *d = json_dumps(r, JSON_COMPACT);
    bool yes = d != NULL && strstr(d, s) != NULL;
    free(d);
    return yes;
}

/* perspective.get: the functionaris' roles over time and Almere's burgemeester, as recorded. */
static void perspective_with_at_and_known_at(void **state)
{
    knoop_conn_t *c = *state;
    json_t *r;
    /* The role's end (2019-02-01) is known from T2 on. */
    r = itest_call_ok(
        c, "perspective.get",
        "{\"name\": \"functionaris\", \"subject\": \"T-KA-P\", \"at\": \"2019-03-01\", "
        "\"known_at\": \"%s\"}",
        T[1]);
    assert_int_equal(json_array_size(json_object_get(r, "roles")), 1);
    assert_false(mentions(r, "2019-02-01"));
    json_decref(r);
    r = itest_call_ok(
        c, "perspective.get",
        "{\"name\": \"functionaris\", \"subject\": \"T-KA-P\", \"at\": \"2019-03-01\", "
        "\"known_at\": \"%s\"}",
        T[2]);
    assert_true(mentions(r, "2019-02-01"));
    json_decref(r);
    itest_call_fail(c, KNOOP_ENOTFOUND, "", "perspective.get",
                    "{\"name\": \"functionaris\", \"subject\": \"T-KA-P\", \"known_at\": \"%s\"}",
                    T[0]);
    /* The gemeente perspective of Almere names the burgemeester as recorded. */
    r = itest_call_ok(c, "perspective.get",
                      "{\"name\": \"gemeente\", \"subject\": \"GM0034\", \"at\": \"2019-03-01\", "
                      "\"known_at\": \"%s\"}",
                      T[1]);
    assert_true(mentions(r, "Eerdmans"));
    assert_false(mentions(r, "Tweede"));
    json_decref(r);
    r = itest_call_ok(c, "perspective.get",
                      "{\"name\": \"gemeente\", \"subject\": \"GM0034\", \"at\": \"2019-03-01\"}");
    assert_false(mentions(r, "Eerdmans"));
    assert_true(mentions(r, "Tweede"));
    json_decref(r);
}

/* query.path over `kent` only: there at T2, gone at T3 (ended), back at T4 (reopened). */
static void path_with_known_at(void **state)
{
    knoop_conn_t *c = *state;
    static const struct {
        int t;
        size_t paths;
    } cases[] = { { 2, 1 }, { 3, 0 }, { 4, 1 } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *r = itest_call_ok(c, "query.path",
                                  "{\"source\": %lld, \"target\": %lld, \"at\": \"2021-01-01\", "
                                  "\"links\": [\"kent\"], \"known_at\": \"%s\"}",
                                  (long long)p_id, (long long)q_id, T[cases[i].t]);
        if (json_array_size(json_object_get(r, "paths")) != cases[i].paths)
            fail_msg("query.path known_at T%d: %zu paths, expected %zu", cases[i].t,
                     json_array_size(json_object_get(r, "paths")), cases[i].paths);
        json_decref(r);
    }
    itest_call_fail(c, KNOOP_ENOTFOUND, "params.source", "query.path",
                    "{\"source\": %lld, \"target\": %lld, \"known_at\": \"%s\"}", (long long)p_id,
                    (long long)q_id, T[0]);
}

/* The future is refused, and so is a timestamp that is not RFC 3339. */
static void known_at_in_the_future_or_malformed_is_refused(void **state)
{
    knoop_conn_t *c = *state;
    static const char *const methods[][2] = {
        { "node.get", "{\"id\": %lld, \"known_at\": \"%s\"}" },
        { "edge.list", "{\"node\": %lld, \"known_at\": \"%s\"}" },
        { "query.roles", "{\"person\": %lld, \"known_at\": \"%s\"}" },
    };
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        char params[256];
        int rc;
        knoop_error_t err;
        static const char *const bad[] = { "2999-01-01T00:00:00Z", "2020-01-01",
                                           "2020-01-01T25:00:00Z", "yesterday" };
        for (size_t j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
            snprintf(params, sizeof(params), methods[i][1], (long long)p_id, bad[j]);
            json_t *r = itest_call(c, methods[i][0], params, &rc, &err);
            if (r != NULL || rc != KNOOP_EINVAL || strstr(err.msg, "params.known_at") == NULL)
                fail_msg("%s %s: expected invalid_argument naming params.known_at, got %d %s",
                         methods[i][0], params, rc, r != NULL ? "(a result)" : err.msg);
        }
    }
    /* A moment just past is fine, and so is an offset form (long before the node existed). */
    json_decref(itest_call_ok(c, "node.get", "{\"id\": %lld, \"known_at\": \"%s\"}",
                              (long long)p_id, T[4]));
    itest_call_fail(c, KNOOP_ENOTFOUND, "", "node.get",
                    "{\"id\": %lld, \"known_at\": \"2000-01-01T01:00:00.5+01:00\"}",
                    (long long)p_id);
}

/* Runs the knoop CLI with the NULL-terminated arguments against srv. */
static void knoop(itest_run_t *r, ...)
{
    const char *argv[32];
    va_list ap;
    int n = 0;
    argv[n++] = itest_path("KNOOP_CLI", ITEST_KNOOP_CLI);
    va_start(ap, r);
    while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
        n++;
    va_end(ap);
    argv[n] = NULL;
    assert_int_equal(itest_run(argv, srv.addr, NULL, r), 0);
}

/* The CLI: --known-at on node get, node find, edge get and edge list. */
static void cli_known_at(void **state)
{
    itest_run_t r;
    char id[32];
    (void)state;
    knoop(&r, "--json", "node", "get", "T-KA-P", "--known-at", T[1], NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Eerdmans"));
    itest_run_free(&r);
    knoop(&r, "node", "get", "T-KA-P", "--known-at", T[0], NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "not_found"));
    itest_run_free(&r);
    knoop(&r, "--json", "node", "find", "--name", "Eerdmans", "--known-at", T[1], NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "T-KA-P"));
    itest_run_free(&r);
    snprintf(id, sizeof(id), "%lld", (long long)burg_p);
    knoop(&r, "--json", "edge", "get", id, "--known-at", T[2], NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "2019-02-01"));
    itest_run_free(&r);
    knoop(&r, "--json", "edge", "list", "T-KA-P", "--type", "burgemeester", "--at", "2019-03-01",
          "--known-at", T[1], NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "burgemeester"));
    itest_run_free(&r);
    knoop(&r, "--json", "edge", "list", "T-KA-P", "--type", "burgemeester", "--at", "2019-03-01",
          "--known-at", T[2], NULL);
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.out, "burgemeester"));
    itest_run_free(&r);
    knoop(&r, "node", "get", "T-KA-P", "--known-at", "2999-01-01T00:00:00Z", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "invalid_argument"));
    itest_run_free(&r);
}

/* The CLI's questions take --known-at too: query holders (Eerdmans as burgemeester on
 * 2019-03-01 as known at T1, Tweede after the correction), path (the kent edge ended at T2 and
 * reopened at T3), perspective get, and knoop graph. */
static void cli_questions_take_known_at(void **state)
{
    itest_run_t r;
    (void)state;
    knoop(&r, "--json", "query", "holders", "GM0034", "--role", "burgemeester", "--at",
          "2019-03-01", "--known-at", T[1], NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Eerdmans"));
    assert_null(strstr(r.out, "Tweede"));
    itest_run_free(&r);
    knoop(&r, "--json", "query", "holders", "GM0034", "--role", "burgemeester", "--at",
          "2019-03-01", "--known-at", T[2], NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Tweede"));
    itest_run_free(&r);
    /* Without a date every role, the ended one too, also with --limit or --known-at given. */
    knoop(&r, "--json", "query", "roles", "T-KA-P", "--limit", "5", "--known-at", T[4], NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "burgemeester"));
    itest_run_free(&r);
    knoop(&r, "--json", "query", "roles", "T-KA-Q", "--known-at", T[0], NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "not_found"));
    itest_run_free(&r);
    knoop(&r, "--json", "path", "T-KA-P", "T-KA-Q", "--at", "2021-01-01", "--links", "kent",
          "--known-at", T[3], NULL);
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.out, "\"hops\""));
    itest_run_free(&r);
    knoop(&r, "--json", "path", "T-KA-P", "T-KA-Q", "--at", "2021-01-01", "--links", "kent",
          "--known-at", T[4], NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"hops\""));
    itest_run_free(&r);
    knoop(&r, "--json", "perspective", "get", "gemeente", "GM0034", "--at", "2019-03-01",
          "--known-at", T[1], NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Eerdmans"));
    itest_run_free(&r);
    knoop(&r, "graph", "T-KA-P", "--depth", "1", "--known-at", T[0], NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "not_found"));
    itest_run_free(&r);
    knoop(&r, "query", "holders", "GM0034", "--known-at", "gisteren", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "known_at"));
    itest_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(node_get_answers_as_recorded, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(holders_with_at_and_known_at_are_independent, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(edge_get_shows_the_correction_only_after_it, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(edge_list_with_at_and_known_at, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(node_find_by_the_old_name_only_at_the_old_moment,
                                        conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(perspective_with_at_and_known_at, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(path_with_known_at, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(known_at_in_the_future_or_malformed_is_refused, conn_setup,
                                        conn_teardown),
        cmocka_unit_test(cli_known_at),
        cmocka_unit_test(cli_questions_take_known_at),
    };
    return cmocka_run_group_tests_name("known_at", tests, group_setup, group_teardown);
}
