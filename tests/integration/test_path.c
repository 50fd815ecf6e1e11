/*
 * test_path.c - query.path, query.neighbourhood and `knoop path|neighbourhood|graph` against a
 * real knoopd (layer: tests/integration).
 *
 * The group setup starts knoopd, imports the real provinces, gemeenten, veiligheidsregio's,
 * koepels and office holders of schema/data with the CLI, and builds scenario graphs with
 * known answers through libknoop: periods (Anna and Bert overlap at X in 2012-2015, Bert and
 * Cees at Y from 2018), ties (Sven - M1|M2 - Tom, and Sven - M3 - M4 - Tom), a chain of four
 * `kent` hops Q0..Q4 for the bounds, and a hub H with 10 000 members of whom the last knows
 * Zoe. The scenario persons and bodies are test data, not real office holders; the path on
 * real data runs between the real burgemeesters of Almere and Zeewolde (register 2026-04-15).
 * tests/thirdparty/test_path.py runs the same scenarios through python3-msgpack.
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

#ifndef ITEST_DATA_DIR
#define ITEST_DATA_DIR "schema/data"
#endif

#define HUB 10000

static itest_server_t srv;
static int srv_exit = -1;
static json_int_t id_anna, id_bert, id_cees, id_sven, id_tom, id_m1, id_m2, id_m3, id_m4, id_zoe;
static json_int_t id_q[5], e_ax, e_bx, hub_first, hub_last;

/* ---- helpers ---- */

static json_int_t person(knoop_conn_t *c, const char *key)
{
    json_t *n =
        itest_call_ok(c, "node.create",
                      "{\"kind\": \"person\", \"props\": {\"key\": \"%s\", \"initials\": \"%c.\", "
                      "\"surname\": \"%s\"}}",
                      key, key[0], key);
    json_int_t id = itest_jint(n, "id");
    json_decref(n);
    return id;
}

static json_int_t body(knoop_conn_t *c, const char *key)
{
    json_t *n =
        itest_call_ok(c, "node.create",
                      "{\"kind\": \"body\", \"type\": \"overlegorgaan\", \"props\": {\"key\": "
                      "\"%s\", \"name\": \"Orgaan %s\"}}",
                      key, key);
    json_int_t id = itest_jint(n, "id");
    json_decref(n);
    return id;
}

/* An edge; to NULL = open. */
static json_int_t edge(knoop_conn_t *c, const char *type, json_int_t s, json_int_t t,
                       const char *from, const char *to)
{
    char until[64] = "";
    if (to != NULL)
        snprintf(until, sizeof(until), ", \"valid_to\": \"%s\"", to);
    json_t *e =
        itest_call_ok(c, "edge.create",
                      "{\"type\": \"%s\", \"source\": %lld, \"target\": %lld, \"valid_from\": "
                      "\"%s\"%s}",
                      type, (long long)s, (long long)t, from, until);
    json_int_t id = itest_jint(e, "id");
    json_decref(e);
    return id;
}

/* The node ids of path p, in order. */
static size_t path_nodes(const json_t *p, json_int_t *out, size_t max)
{
    const json_t *hops = json_object_get(p, "hops"), *h;
    size_t i, n = 0;
    json_array_foreach(hops, i, h)
    {
        if (i == 0 && n < max)
            out[n++] = itest_jint(json_object_get(h, "from"), "id");
        if (n < max)
            out[n++] = itest_jint(json_object_get(h, "to"), "id");
    }
    return n;
}

static void expect_path(const json_t *res, size_t i, size_t n, ...)
{
    json_int_t got[16], want;
    va_list ap;
    const json_t *p = json_array_get(json_object_get(res, "paths"), i);
    if (p == NULL)
        fail_msg("no path %zu", i);
    size_t m = path_nodes(p, got, 16);
    if (m != n)
        fail_msg("path %zu has %zu nodes, expected %zu", i, m, n);
    assert_int_equal(itest_jint(p, "length"), (json_int_t)n - 1);
    va_start(ap, n);
    for (size_t k = 0; k < n; k++) {
        want = va_arg(ap, json_int_t);
        if (got[k] != want)
            fail_msg("path %zu node %zu is %lld, expected %lld", i, k, (long long)got[k],
                     (long long)want);
    }
    va_end(ap);
}

static size_t npaths(const json_t *res)
{
    return json_array_size(json_object_get(res, "paths"));
}

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

static void expect_in(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("expected '%s' in:\n%s", needle, hay);
}

/* Runs a batch of n ops, each made by op(i, buf); returns the result. */
static json_t *batch(knoop_conn_t *c, size_t n, void (*op)(size_t i, char *buf, size_t sz))
{
    size_t cap = n * 256 + 64, len = 0;
    char *text = malloc(cap), one[256];
    knoop_error_t err;
    json_t *j;
    int rc;
    assert_non_null(text);
    len += (size_t)snprintf(text, cap, "{\"ops\": [");
    for (size_t i = 0; i < n; i++) {
        op(i, one, sizeof(one));
        len += (size_t)snprintf(text + len, cap - len, "%s%s", i ? "," : "", one);
    }
    snprintf(text + len, cap - len, "]}");
    j = itest_call(c, "batch", text, &rc, &err);
    if (rc != 0)
        fail_msg("batch: %s", err.msg);
    free(text);
    return j;
}

static json_int_t hub_id;
static json_t *hub_nodes;

static void hub_person_op(size_t i, char *buf, size_t sz)
{
    snprintf(buf, sz,
             "{\"method\": \"node.create\", \"params\": {\"kind\": \"person\", \"props\": "
             "{\"key\": \"h%05zu\", \"initials\": \"H.\", \"surname\": \"Hub%05zu\"}}}",
             i, i);
}

static void hub_role_op(size_t i, char *buf, size_t sz)
{
    snprintf(buf, sz,
             "{\"method\": \"edge.create\", \"params\": {\"type\": \"lid\", \"source\": %lld, "
             "\"target\": %lld, \"valid_from\": \"2021-01-01\"}}",
             (long long)itest_jint(json_array_get(hub_nodes, i), "id"), (long long)hub_id);
}

/* ---- a random graph for comparing the two searches (path_at_equals_the_same_day_as_a_period) */

#define RND_PERSONS 300
#define RND_BODIES  10
#define RND_ROLES   4 /* per person, at distinct bodies */
#define RND_KENT    150

static json_t *rnd_persons;
static json_int_t rnd_bodies[RND_BODIES];
static uint64_t rnd_seed = 20261202;

static unsigned rnd(void)
{
    rnd_seed = rnd_seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(rnd_seed >> 33);
}

static json_int_t rnd_person(size_t i)
{
    return itest_jint(json_array_get(rnd_persons, i), "id");
}

static void rnd_person_op(size_t i, char *buf, size_t sz)
{
    snprintf(buf, sz,
             "{\"method\": \"node.create\", \"params\": {\"kind\": \"person\", \"props\": "
             "{\"key\": \"rnd%03zu\", \"initials\": \"R.\", \"surname\": \"Rnd%03zu\"}}}",
             i, i);
}

/* A period of one to four years starting in 2010..2017 (any month, day 1..27). */
static void rnd_period(char *from, char *to)
{
    unsigned y = 2010 + rnd() % 8, m = 1 + rnd() % 12, d = 1 + rnd() % 27;
    snprintf(from, 16, "%04u-%02u-%02u", y, m, d);
    snprintf(to, 16, "%04u-%02u-%02u", y + 1 + rnd() % 4, 1 + rnd() % 12, 1 + rnd() % 27);
}

static void rnd_role_op(size_t i, char *buf, size_t sz)
{
    size_t p = i / RND_ROLES, first = p * 7 % RND_BODIES;
    char from[16], to[16];
    rnd_period(from, to);
    /* Distinct bodies per person: consecutive ones from a random first. */
    snprintf(buf, sz,
             "{\"method\": \"edge.create\", \"params\": {\"type\": \"lid\", \"source\": %lld, "
             "\"target\": %lld, \"valid_from\": \"%s\", \"valid_to\": \"%s\"}}",
             (long long)rnd_person(p),
             (long long)rnd_bodies[(first + i % RND_ROLES * 3) % RND_BODIES], from, to);
}

static void rnd_kent_op(size_t i, char *buf, size_t sz)
{
    size_t a = rnd() % RND_PERSONS, b = (a + 1 + rnd() % (RND_PERSONS - 1)) % RND_PERSONS;
    char from[16], to[16];
    (void)i;
    rnd_period(from, to);
    snprintf(buf, sz,
             "{\"method\": \"edge.create\", \"params\": {\"type\": \"kent\", \"source\": %lld, "
             "\"target\": %lld, \"valid_from\": \"%s\", \"valid_to\": \"%s\"}}",
             (long long)rnd_person(a), (long long)rnd_person(b), from, to);
}

/* ---- setup ---- */

static int group_setup(void **state)
{
    static const char *const files[] = { "provinces.csv",        "gemeenten.csv",
                                         "gemeente_regions.csv", "koepels.csv",
                                         "ambtsdragers.csv",     NULL };
    knoop_conn_t *c;
    knoop_error_t err;
    (void)state;
    if (itest_server_start(&srv, NULL) != 0 || itest_import(&srv, files) != 0)
        return -1;
    if (knoop_connect(srv.addr, &c, &err) != 0)
        return -1;
    knoop_set_timeout(c, 120000);
    id_anna = person(c, "Anna");
    id_bert = person(c, "Bert");
    id_cees = person(c, "Cees");
    json_int_t x = body(c, "X"), y = body(c, "Y");
    e_ax = edge(c, "lid", id_anna, x, "2010-01-01", "2015-01-01");
    e_bx = edge(c, "lid", id_bert, x, "2012-01-01", "2020-01-01");
    edge(c, "lid", id_bert, y, "2016-01-01", NULL);
    edge(c, "lid", id_cees, y, "2018-01-01", NULL);
    id_sven = person(c, "Sven");
    id_tom = person(c, "Tom");
    id_m1 = person(c, "M1");
    id_m2 = person(c, "M2");
    id_m3 = person(c, "M3");
    id_m4 = person(c, "M4");
    json_int_t kent[][2] = { { id_sven, id_m1 }, { id_m1, id_tom },  { id_sven, id_m2 },
                             { id_m2, id_tom },  { id_sven, id_m3 }, { id_m3, id_m4 },
                             { id_m4, id_tom } };
    for (size_t i = 0; i < 7; i++)
        edge(c, "kent", kent[i][0], kent[i][1], "2000-01-01", NULL);
    for (int i = 0; i < 5; i++) {
        char k[8];
        snprintf(k, sizeof(k), "Q%d", i);
        id_q[i] = person(c, k);
    }
    for (int i = 0; i < 4; i++)
        edge(c, "kent", id_q[i], id_q[i + 1], "2000-01-01", NULL);
    id_zoe = person(c, "Zoe");
    hub_id = body(c, "H");
    json_t *res = batch(c, HUB, hub_person_op);
    hub_nodes = json_incref(json_object_get(res, "results"));
    json_decref(res);
    json_decref(batch(c, HUB, hub_role_op));
    hub_first = itest_jint(json_array_get(hub_nodes, 0), "id");
    hub_last = itest_jint(json_array_get(hub_nodes, HUB - 1), "id");
    edge(c, "kent", hub_last, id_zoe, "2021-01-01", NULL);
    for (int i = 0; i < RND_BODIES; i++) {
        char k[8];
        snprintf(k, sizeof(k), "RB%d", i);
        rnd_bodies[i] = body(c, k);
    }
    res = batch(c, RND_PERSONS, rnd_person_op);
    rnd_persons = json_incref(json_object_get(res, "results"));
    json_decref(res);
    json_decref(batch(c, RND_PERSONS * RND_ROLES, rnd_role_op));
    json_decref(batch(c, RND_KENT, rnd_kent_op));
    knoop_close(c);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    json_decref(hub_nodes);
    json_decref(rnd_persons);
    srv_exit = itest_server_stop(&srv);
    return srv_exit == 0 ? 0 : -1;
}

static int conn_setup(void **state)
{
    knoop_conn_t *c;
    knoop_error_t err;
    if (knoop_connect(srv.addr, &c, &err) != 0)
        return -1;
    knoop_set_timeout(c, ITEST_WAIT_MS);
    *state = c;
    return 0;
}

static int conn_teardown(void **state)
{
    knoop_close(*state);
    return 0;
}

/* ---- tests ---- */

static void co_membership_counts_only_in_overlapping_periods(void **state)
{
    knoop_conn_t *c = *state;
    json_t *r = itest_call_ok(c, "query.path",
                              "{\"source\": %lld, \"target\": %lld, \"at\": \"2013-06-01\"}",
                              (long long)id_anna, (long long)id_bert);
    expect_path(r, 0, 2, id_anna, id_bert);
    const json_t *hop =
        json_array_get(json_object_get(json_array_get(json_object_get(r, "paths"), 0), "hops"), 0);
    assert_string_equal(itest_jstr(hop, "link"), "co-membership");
    assert_string_equal(itest_jstr(json_object_get(hop, "org"), "key"), "X");
    assert_int_equal(itest_jint(json_array_get(json_object_get(hop, "roles"), 0), "id"), e_ax);
    assert_int_equal(itest_jint(json_array_get(json_object_get(hop, "roles"), 1), "id"), e_bx);
    assert_string_equal(itest_jstr(json_object_get(hop, "period"), "from"), "2012-01-01");
    assert_string_equal(itest_jstr(json_object_get(hop, "period"), "to"), "2015-01-01");
    json_decref(r);
    r = itest_call_ok(c, "query.path",
                      "{\"source\": %lld, \"target\": %lld, \"at\": \"2016-06-01\"}",
                      (long long)id_anna, (long long)id_bert);
    assert_int_equal(npaths(r), 0);
    assert_false(json_is_true(json_object_get(r, "bound_hit")));
    json_decref(r);
}

static void path_exists_ever_and_in_a_period_but_not_on_one_day(void **state)
{
    knoop_conn_t *c = *state;
    const char *days[] = { "2013-06-01", "2019-06-01" };
    for (int i = 0; i < 2; i++) {
        json_t *r =
            itest_call_ok(c, "query.path", "{\"source\": %lld, \"target\": %lld, \"at\": \"%s\"}",
                          (long long)id_anna, (long long)id_cees, days[i]);
        assert_int_equal(npaths(r), 0);
        json_decref(r);
    }
    json_t *r = itest_call_ok(c, "query.path", "{\"source\": %lld, \"target\": %lld}",
                              (long long)id_anna, (long long)id_cees);
    expect_path(r, 0, 3, id_anna, id_bert, id_cees);
    json_decref(r);
    r = itest_call_ok(c, "query.path",
                      "{\"source\": %lld, \"target\": %lld, \"from\": \"2014-01-01\", \"to\": "
                      "\"2019-01-01\"}",
                      (long long)id_anna, (long long)id_cees);
    expect_path(r, 0, 3, id_anna, id_bert, id_cees);
    const json_t *hops = json_object_get(json_array_get(json_object_get(r, "paths"), 0), "hops");
    assert_string_equal(itest_jstr(json_object_get(json_array_get(hops, 0), "period"), "from"),
                        "2014-01-01");
    assert_string_equal(itest_jstr(json_object_get(json_array_get(hops, 1), "period"), "to"),
                        "2019-01-01");
    json_decref(r);
    r = itest_call_ok(c, "query.path",
                      "{\"source\": %lld, \"target\": %lld, \"from\": \"2015-01-01\", \"to\": "
                      "\"2017-01-01\"}",
                      (long long)id_anna, (long long)id_cees);
    assert_int_equal(npaths(r), 0);
    json_decref(r);
}

static void ties_take_the_lower_id_and_k_gives_the_next_paths_in_order(void **state)
{
    knoop_conn_t *c = *state;
    json_t *r = itest_call_ok(c, "query.path", "{\"source\": %lld, \"target\": %lld}",
                              (long long)id_sven, (long long)id_tom);
    assert_int_equal(npaths(r), 1);
    expect_path(r, 0, 3, id_sven, id_m1, id_tom);
    json_decref(r);
    r = itest_call_ok(c, "query.path", "{\"source\": %lld, \"target\": %lld, \"k\": 5}",
                      (long long)id_sven, (long long)id_tom);
    assert_int_equal(npaths(r), 3);
    expect_path(r, 0, 3, id_sven, id_m1, id_tom);
    expect_path(r, 1, 3, id_sven, id_m2, id_tom);
    expect_path(r, 2, 4, id_sven, id_m3, id_m4, id_tom);
    assert_false(json_is_true(json_object_get(r, "bound_hit")));
    json_decref(r);
}

/* True when date (YYYY-MM-DD) lies in the edge's validity. */
static bool valid_on(const json_t *e, const char *date)
{
    const char *f = itest_jstr(e, "valid_from");
    const json_t *t = json_object_get(e, "valid_to");
    return strcmp(f, date) <= 0 && (!json_is_string(t) || strcmp(date, json_string_value(t)) < 0);
}

/*
 * `at` is searched by its own algorithm (organisations met halfway); a period of that one day
 * asks the same question of the levelled search. On a random graph both must find the same
 * number of paths with the same lengths, for k = 1 and k = 3, and every hop of an `at` answer
 * must join its two persons by roles or a kent edge valid on that day.
 */
static void path_at_equals_the_same_day_as_a_period(void **state)
{
    knoop_conn_t *c = *state;
    size_t found = 0, longer = 0;
    for (int q = 0; q < 120; q++) {
        size_t a = rnd() % RND_PERSONS, b = (a + 1 + rnd() % (RND_PERSONS - 1)) % RND_PERSONS;
        unsigned y = 2011 + rnd() % 8, m = 1 + rnd() % 12, d = 1 + rnd() % 27, k = q % 2 ? 3 : 1;
        char at[16], next[16];
        snprintf(at, sizeof(at), "%04u-%02u-%02u", y, m, d);
        snprintf(next, sizeof(next), "%04u-%02u-%02u", y, m, d + 1);
        json_t *r1 = itest_call_ok(
            c, "query.path", "{\"source\": %lld, \"target\": %lld, \"at\": \"%s\", \"k\": %u}",
            (long long)rnd_person(a), (long long)rnd_person(b), at, k);
        json_t *r2 = itest_call_ok(c, "query.path",
                                   "{\"source\": %lld, \"target\": %lld, \"from\": \"%s\", \"to\": "
                                   "\"%s\", \"k\": %u}",
                                   (long long)rnd_person(a), (long long)rnd_person(b), at, next, k);
        const json_t *p1 = json_object_get(r1, "paths"), *p2 = json_object_get(r2, "paths");
        if (json_array_size(p1) != json_array_size(p2))
            fail_msg("question %d (%s, k %u): %zu paths with at, %zu with the period", q, at, k,
                     json_array_size(p1), json_array_size(p2));
        found += json_array_size(p1) > 0;
        for (size_t i = 0; i < json_array_size(p1); i++) {
            const json_t *x = json_array_get(p1, i), *hop;
            size_t h;
            json_int_t len = itest_jint(x, "length");
            if (len != itest_jint(json_array_get(p2, i), "length"))
                fail_msg("question %d (%s, k %u): path %zu has length %lld with at, %lld with the "
                         "period",
                         q, at, k, i, (long long)len,
                         (long long)itest_jint(json_array_get(p2, i), "length"));
            longer += len > 2;
            json_array_foreach(json_object_get(x, "hops"), h, hop)
            {
                json_int_t f = itest_jint(json_object_get(hop, "from"), "id");
                json_int_t t = itest_jint(json_object_get(hop, "to"), "id");
                const json_t *roles = json_object_get(hop, "roles"), *e;
                const char *link = itest_jstr(hop, "link");
                size_t j;
                json_array_foreach(roles, j, e) assert_true(valid_on(e, at));
                if (strcmp(link, "co-membership") == 0) {
                    /* The role of `from`, then the role of `to`, both at the hop's org. */
                    json_int_t org = itest_jint(json_object_get(hop, "org"), "id");
                    assert_int_equal(json_array_size(roles), 2);
                    assert_int_equal(itest_jint(json_array_get(roles, 0), "source"), f);
                    assert_int_equal(itest_jint(json_array_get(roles, 1), "source"), t);
                    assert_int_equal(itest_jint(json_array_get(roles, 0), "target"), org);
                    assert_int_equal(itest_jint(json_array_get(roles, 1), "target"), org);
                } else {
                    assert_string_equal(link, "kent");
                    e = json_array_get(roles, 0);
                    json_int_t src = itest_jint(e, "source"), dst = itest_jint(e, "target");
                    assert_true((src == f && dst == t) || (src == t && dst == f));
                }
                assert_true(strcmp(itest_jstr(json_object_get(hop, "period"), "from"), at) <= 0);
            }
        }
        json_decref(r1);
        json_decref(r2);
    }
    print_message("%zu of 120 questions with paths, %zu paths longer than 2 hops\n", found, longer);
    /* The graph is meant to have paths of several lengths: the comparison must mean something. */
    assert_true(found > 40);
    assert_true(longer > 5);
}

/* An example person (props.example) is never a node of a path unless examples are asked for:
 * P1 and P2 are co-members through EX, an example person (2 hops), and know each other through
 * A1 and A2 (3 hops). Both searches, with `at` and without, go around EX. */
static void example_persons_are_gone_around_unless_asked_for(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t p1 = person(c, "XP1"), p2 = person(c, "XP2"), a1 = person(c, "XA1"),
               a2 = person(c, "XA2"), g1 = body(c, "XG1"), g2 = body(c, "XG2");
    json_t *n = itest_call_ok(c, "node.create",
                              "{\"kind\": \"person\", \"props\": {\"key\": \"XEX\", \"initials\": "
                              "\"E.\", \"surname\": \"Voorbeeld\", \"example\": true}}");
    json_int_t ex = itest_jint(n, "id");
    json_decref(n);
    edge(c, "lid", p1, g1, "2020-01-01", NULL);
    edge(c, "lid", ex, g1, "2020-01-01", NULL);
    edge(c, "lid", ex, g2, "2020-01-01", NULL);
    edge(c, "lid", p2, g2, "2020-01-01", NULL);
    edge(c, "kent", p1, a1, "2000-01-01", NULL);
    edge(c, "kent", a1, a2, "2000-01-01", NULL);
    edge(c, "kent", a2, p2, "2000-01-01", NULL);
    static const char *const when[] = { ", \"at\": \"2021-01-01\"", "" };
    for (int i = 0; i < 2; i++) {
        json_t *r = itest_call_ok(c, "query.path", "{\"source\": %lld, \"target\": %lld%s}",
                                  (long long)p1, (long long)p2, when[i]);
        expect_path(r, 0, 4, p1, a1, a2, p2);
        json_decref(r);
        r = itest_call_ok(c, "query.path",
                          "{\"source\": %lld, \"target\": %lld, \"examples\": true%s}",
                          (long long)p1, (long long)p2, when[i]);
        expect_path(r, 0, 3, p1, ex, p2);
        json_decref(r);
        r = itest_call_ok(c, "query.path", "{\"source\": %lld, \"target\": %lld, \"k\": 3%s}",
                          (long long)p1, (long long)p2, when[i]);
        assert_int_equal(npaths(r), 1);
        json_decref(r);
    }
}

static void excluded_nodes_are_never_visited(void **state)
{
    knoop_conn_t *c = *state;
    json_t *r =
        itest_call_ok(c, "query.path", "{\"source\": %lld, \"target\": %lld, \"exclude\": [%lld]}",
                      (long long)id_sven, (long long)id_tom, (long long)id_m1);
    expect_path(r, 0, 3, id_sven, id_m2, id_tom);
    json_decref(r);
    r = itest_call_ok(c, "query.path",
                      "{\"source\": %lld, \"target\": %lld, \"k\": 4, \"exclude\": [\"M1\", %lld]}",
                      (long long)id_sven, (long long)id_tom, (long long)id_m2);
    assert_int_equal(npaths(r), 1);
    expect_path(r, 0, 4, id_sven, id_m3, id_m4, id_tom);
    json_decref(r);
    itest_call_fail(c, KNOOP_EINVAL, "params.exclude[0]", "query.path",
                    "{\"source\": %lld, \"target\": %lld, \"exclude\": [%lld]}", (long long)id_sven,
                    (long long)id_tom, (long long)id_tom);
}

static void hop_bound_and_work_bound_report_bound_hit(void **state)
{
    knoop_conn_t *c = *state;
    json_t *r =
        itest_call_ok(c, "query.path", "{\"source\": %lld, \"target\": %lld, \"max_hops\": 3}",
                      (long long)id_q[0], (long long)id_q[4]);
    assert_int_equal(npaths(r), 0);
    assert_true(json_is_true(json_object_get(r, "bound_hit")));
    assert_string_equal(itest_jstr(r, "bound"), "max_hops");
    json_decref(r);
    r = itest_call_ok(c, "query.path", "{\"source\": %lld, \"target\": %lld, \"max_hops\": 4}",
                      (long long)id_q[0], (long long)id_q[4]);
    expect_path(r, 0, 5, id_q[0], id_q[1], id_q[2], id_q[3], id_q[4]);
    assert_false(json_is_true(json_object_get(r, "bound_hit")));
    json_decref(r);
    r = itest_call_ok(c, "query.path", "{\"source\": %lld, \"target\": %lld, \"max_expanded\": 2}",
                      (long long)id_q[0], (long long)id_q[4]);
    assert_int_equal(npaths(r), 0);
    assert_true(json_is_true(json_object_get(r, "bound_hit")));
    assert_string_equal(itest_jstr(r, "bound"), "expanded");
    assert_true(itest_jint(r, "expanded") <= 2);
    json_decref(r);
}

static void hub_with_ten_thousand_members_is_expanded_once(void **state)
{
    knoop_conn_t *c = *state;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    json_t *r = itest_call_ok(c, "query.path", "{\"source\": %lld, \"target\": %lld}",
                              (long long)hub_first, (long long)id_zoe);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    expect_path(r, 0, 3, hub_first, hub_last, id_zoe);
    assert_true(itest_jint(r, "expanded") < 10);
    assert_false(json_is_true(json_object_get(r, "bound_hit")));
    /* Generous: a regression to expanding the hub per member takes minutes. */
    assert_true((t1.tv_sec - t0.tv_sec) < 10);
    json_decref(r);
    /* With `at` the sides meet at H: its 10 000 members are never loaded (expanded counts the
     * three persons: hub_first, Zoe, hub_last). */
    r = itest_call_ok(c, "query.path",
                      "{\"source\": %lld, \"target\": %lld, \"at\": \"2022-06-01\"}",
                      (long long)hub_first, (long long)id_zoe);
    expect_path(r, 0, 3, hub_first, hub_last, id_zoe);
    assert_int_equal(itest_jint(r, "expanded"), 3);
    json_decref(r);
    r = itest_call_ok(c, "query.path", "{\"source\": %lld, \"target\": %lld, \"k\": 3}",
                      (long long)hub_first,
                      (long long)itest_jint(json_array_get(hub_nodes, 1), "id"));
    assert_int_equal(npaths(r), 3);
    assert_int_equal(itest_jint(json_array_get(json_object_get(r, "paths"), 0), "length"), 1);
    assert_int_equal(itest_jint(json_array_get(json_object_get(r, "paths"), 2), "length"), 2);
    assert_true(itest_jint(r, "expanded") < 100);
    json_decref(r);
}

static void path_between_two_real_burgemeesters_through_their_veiligheidsregio(void **state)
{
    knoop_conn_t *c = *state;
    /* Almere (GM0034) and Zeewolde (GM0050) are both in veiligheidsregio Flevoland (VR25) and
     * in the province Flevoland (NL-FL); excluding the province leaves the veiligheidsregio. */
    json_t *r = itest_call_ok(
        c, "query.path",
        "{\"source\": \"GM0034|WHJM|van der loo\", \"target\": \"GM0050|AM|harmsma\", "
        "\"links\": [\"membership\"], \"exclude\": [\"NL-FL\"], \"at\": "
        "\"2026-05-01\"}");
    const json_t *p = json_array_get(json_object_get(r, "paths"), 0);
    const json_t *hops = json_object_get(p, "hops");
    assert_int_equal(itest_jint(p, "length"), 4);
    assert_string_equal(itest_jstr(json_object_get(json_array_get(hops, 0), "to"), "key"),
                        "GM0034");
    assert_string_equal(itest_jstr(json_object_get(json_array_get(hops, 1), "to"), "key"), "VR25");
    assert_string_equal(itest_jstr(json_object_get(json_array_get(hops, 2), "to"), "key"),
                        "GM0050");
    assert_string_equal(
        itest_jstr(json_array_get(json_object_get(json_array_get(hops, 0), "roles"), 0), "type"),
        "burgemeester");
    assert_string_equal(
        itest_jstr(json_array_get(json_object_get(json_array_get(hops, 1), "roles"), 0), "type"),
        "deelnemer");
    json_decref(r);
    /* Without organisation hops two burgemeesters of different gemeenten share no body. */
    r = itest_call_ok(
        c, "query.path",
        "{\"source\": \"GM0034|WHJM|van der loo\", \"target\": \"GM0050|AM|harmsma\"}");
    assert_int_equal(npaths(r), 0);
    json_decref(r);
}

static void bad_parameters_are_refused_naming_the_parameter(void **state)
{
    knoop_conn_t *c = *state;
    const char *cases[][2] = {
        { "\"k\": 0", "params.k" },
        { "\"k\": 21", "params.k" },
        { "\"max_hops\": 13", "params.max_hops" },
        { "\"max_expanded\": 0", "params.max_expanded" },
        { "\"links\": [\"vriend\"]", "params.links[0]" },
        { "\"at\": \"2020-01-01\", \"from\": \"2019-01-01\"", "params.at" },
        { "\"known_at\": \"2999-01-01T00:00:00Z\"", "params.known_at" },
        { "\"known_at\": \"2020-01-01\"", "params.known_at" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        itest_call_fail(c, KNOOP_EINVAL, cases[i][1], "query.path",
                        "{\"source\": %lld, \"target\": %lld, %s}", (long long)id_sven,
                        (long long)id_tom, cases[i][0]);
    itest_call_fail(c, KNOOP_EINVAL, "params.target", "query.path",
                    "{\"source\": %lld, \"target\": %lld}", (long long)id_sven, (long long)id_sven);
    itest_call_fail(c, KNOOP_ENOTFOUND, "params.target", "query.path",
                    "{\"source\": %lld, \"target\": \"NOPE\"}", (long long)id_sven);
    itest_call_fail(c, KNOOP_EINVAL, "params.source", "query.path",
                    "{\"source\": \"GM0034\", \"target\": %lld}", (long long)id_sven);
    itest_call_fail(c, KNOOP_EINVAL, "params.depth", "query.neighbourhood",
                    "{\"node\": %lld, \"depth\": 5}", (long long)id_sven);
}

static void neighbourhood_ranks_stronger_connections_first(void **state)
{
    knoop_conn_t *c = *state;
    json_t *r = itest_call_ok(c, "query.neighbourhood", "{\"node\": %lld}", (long long)id_bert);
    const json_t *nodes = json_object_get(r, "nodes");
    assert_int_equal(itest_jint(r, "total"), 2);
    assert_int_equal(itest_jint(json_object_get(r, "counts"), "person"), 2);
    /* Cees shares Y from 2018 (open, counted until today); Anna shared X for three years. */
    assert_int_equal(itest_jint(json_object_get(json_array_get(nodes, 0), "node"), "id"), id_cees);
    assert_int_equal(itest_jint(json_object_get(json_array_get(nodes, 1), "node"), "id"), id_anna);
    assert_true(json_number_value(json_object_get(json_array_get(nodes, 0), "score")) >
                json_number_value(json_object_get(json_array_get(nodes, 1), "score")));
    json_decref(r);
    r = itest_call_ok(c, "query.neighbourhood", "{\"node\": %lld, \"depth\": 2, \"limit\": 4}",
                      (long long)id_sven);
    assert_int_equal(itest_jint(r, "total"), 5);
    assert_true(json_is_true(json_object_get(r, "more")));
    assert_int_equal(json_array_size(json_object_get(r, "nodes")), 4);
    assert_int_equal(itest_jint(json_array_get(json_object_get(r, "nodes"), 3), "distance"), 2);
    json_decref(r);
}

static void cli_prints_paths_in_words_and_draws_them(void **state)
{
    itest_run_t r;
    (void)state;
    knoop(&r, "path", "GM0034|WHJM|van der loo", "GM0050|AM|harmsma", "--links", "membership",
          "--exclude", "NL-FL", "-k", "2", NULL);
    if (r.status != 0)
        fail_msg("status %d: %s", r.status, r.err);
    expect_in(r.out, "Pad 1 (4 stappen)");
    expect_in(r.out, "Loo, W.H.J.M. van der — burgemeester, 2026-04-15 … heden — Almere (GM0034)");
    expect_in(r.out, "Almere (GM0034) — deelnemer, 1984-01-01 … heden — Flevoland (VR25)");
    itest_run_free(&r);
    knoop(&r, "path", "Anna", "Cees", "--csv", NULL);
    assert_int_equal(r.status, 0);
    expect_in(r.out, "pad,stap,van,verband,rollen,organisatie,vanaf,tot,naar\r\n");
    expect_in(r.out,
              "1,1,\"Anna, A.\",co-membership,lid,Orgaan X,2012-01-01,2015-01-01,\"Bert, B.\"");
    itest_run_free(&r);
    knoop(&r, "graph", "--path", "GM0034|WHJM|van der loo", "GM0050|AM|harmsma", "--links",
          "membership", "--exclude", "NL-FL", NULL);
    assert_int_equal(r.status, 0);
    expect_in(r.out, "digraph knoop {");
    expect_in(r.out, "label=\"Flevoland\\nVR25\"");
    expect_in(r.out, "shape=ellipse");
    itest_run_free(&r);
    knoop(&r, "graph", "GM0050", "--depth", "1", "--max-nodes", "10", NULL);
    assert_int_equal(r.status, 0);
    expect_in(r.out, "subgraph \"cluster_");
    itest_run_free(&r);
    knoop(&r, "path", "Anna", NULL);
    assert_int_equal(r.status, 2);
    itest_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, conn_setup, conn_teardown)
        T(co_membership_counts_only_in_overlapping_periods),
        T(path_exists_ever_and_in_a_period_but_not_on_one_day),
        T(ties_take_the_lower_id_and_k_gives_the_next_paths_in_order),
        T(path_at_equals_the_same_day_as_a_period),
        T(example_persons_are_gone_around_unless_asked_for),
        T(excluded_nodes_are_never_visited),
        T(hop_bound_and_work_bound_report_bound_hit),
        T(hub_with_ten_thousand_members_is_expanded_once),
        T(path_between_two_real_burgemeesters_through_their_veiligheidsregio),
        T(bad_parameters_are_refused_naming_the_parameter),
        T(neighbourhood_ranks_stronger_connections_first),
        T(cli_prints_paths_in_words_and_draws_them),
#undef T
    };
    int rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    if (rc == 0 && srv_exit != 0)
        rc = 1;
    return rc;
}
