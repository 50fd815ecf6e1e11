/*
 * test_query.c - the network questions (query.holders, query.seats, query.members,
 * query.participation, query.roles, perspective.list, perspective.get) and their CLI against a
 * real knoopd with the real gemeenten, provinces and koepels of schema/data
 * (layer: tests/integration).
 *
 * The group setup starts knoopd and imports provinces.csv, gemeenten.csv and koepels.csv with
 * the CLI. Each test then creates its own persons and roles at real gemeenten that no other
 * test uses (person keys carry the test's name), so tests do not see each other's roles. The
 * persons, the VNG bodies and the verzendlijst are test data, not real office holders.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "itest.h"
#include "itest_json.h"
#include "knoop.h"
#include "knoop_json.h"

#ifndef ITEST_DATA_DIR
#define ITEST_DATA_DIR "schema/data"
#endif

static itest_server_t srv;
static int srv_exit = -1;

/* ---- helpers ---- */

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

static json_int_t org(knoop_conn_t *c, const char *type, const char *key, const char *name)
{
    json_t *n = itest_call_ok(c, "node.create",
                              "{\"kind\": \"organisation\", \"type\": \"%s\", \"props\": {\"key\": "
                              "\"%s\", \"name\": \"%s\"}}",
                              type, key, name);
    json_int_t id = itest_jint(n, "id");
    json_decref(n);
    return id;
}

/* Creates a role; target is a JSON value (an id or a quoted key); extra is ", ..." or "". */
static json_int_t role(knoop_conn_t *c, const char *type, json_int_t src, const char *target,
                       const char *from, const char *extra)
{
    json_t *e =
        itest_call_ok(c, "edge.create",
                      "{\"type\": \"%s\", \"source\": %lld, \"target\": %s, \"valid_from\": "
                      "\"%s\"%s}",
                      type, (long long)src, target, from, extra);
    json_int_t id = itest_jint(e, "id");
    json_decref(e);
    return id;
}

/* The rows of field in a result, and whether it was cut. */
static size_t nrows(const json_t *res, const char *field)
{
    return json_array_size(json_object_get(res, field));
}

/* Number of holders rows whose person has id p (and role type, when not NULL). */
static size_t holders_of(const json_t *res, json_int_t p, const char *type)
{
    size_t i, n = 0;
    json_t *v;
    json_array_foreach(json_object_get(res, "holders"), i, v)
    {
        if (itest_jint(json_object_get(v, "person"), "id") == p &&
            (type == NULL || strcmp(itest_jstr(json_object_get(v, "role"), "type"), type) == 0))
            n++;
    }
    return n;
}

/* The row of node key in a members/participation result, or NULL. */
static const json_t *row_of(const json_t *res, const char *field, const char *key)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(res, field), i, v)
    {
        if (strcmp(itest_jstr(json_object_get(v, "node"), "key"), key) == 0)
            return v;
    }
    return NULL;
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

static void expect_status(const itest_run_t *r, int status)
{
    if (r->status != status)
        fail_msg("exit status %d, expected %d\nstdout: %s\nstderr: %s", r->status, status, r->out,
                 r->err);
}

static void expect_in(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("expected '%s' in:\n%s", needle, hay);
}

/* The members of koepel on date at according to schema/data/koepels.csv (koepel,
 * gemeente_cbs_code, gemeente_name, member_from, member_to, source). */
static size_t koepel_members(const char *koepel, const char *at)
{
    FILE *f = fopen(ITEST_DATA_DIR "/koepels.csv", "r");
    char line[2048];
    size_t n = 0;
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        char *field[6] = { 0 }, *p = line;
        int k = 0;
        while (k < 6 && p != NULL) {
            field[k++] = p;
            if ((p = strchr(p, ',')) != NULL)
                *p++ = '\0';
        }
        if (k < 5 || strcmp(field[0], koepel) != 0)
            continue;
        if ((field[3][0] == '\0' || strcmp(field[3], at) <= 0) &&
            (field[4][0] == '\0' || strcmp(field[4], at) > 0))
            n++;
    }
    fclose(f);
    return n;
}

/* ---- setup ---- */

static int group_setup(void **state)
{
    static const char *const files[] = { "provinces.csv", "gemeenten.csv", "koepels.csv", NULL };
    (void)state;
    if (itest_server_start(&srv, NULL) != 0)
        return -1;
    return itest_import(&srv, files);
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

/* ---- the worked example of the requirements ---- */

/*
 * Jansen, wethouder Milieu of Apeldoorn (GM0200) for party Y and loco-burgemeester on behalf
 * of that role; member, then chair of the VNG-commissie Milieu on behalf of his wethouder role;
 * through the chair a member of the VNG-bestuur; subscribed to the VNG-weekoverzicht. His
 * wethouder role ends on 2025-01-01 and edge.end cascades.
 */
static void worked_example_participation_ends_with_the_base_role(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t jansen, cie, bestuur, list, weth, loco, lid, chair, blid;
    json_t *r;
    const json_t *row, *ev;
    char t[32];

    jansen = person(c, "T-WE-JANSEN", "J.", "Jansen");
    cie = org(c, "vng-commissie", "T-WE-CIE-MILIEU", "VNG-commissie Milieu (test)");
    bestuur = org(c, "vng-bestuur", "T-WE-BESTUUR", "VNG-bestuur (test)");
    weth = role(c, "wethouder", jansen, "\"GM0200\"", "2022-06-01",
                ", \"props\": {\"portefeuilles\": [\"Milieu\"], \"namens\": \"Partij Y\"}");
    snprintf(t, sizeof(t), ", \"on_behalf_of\": %lld", (long long)weth);
    loco = role(c, "loco-burgemeester", jansen, "\"GM0200\"", "2022-06-01", t);
    snprintf(t, sizeof(t), "%lld", (long long)cie);
    {
        char x[96];
        snprintf(x, sizeof(x), ", \"valid_to\": \"2023-03-01\", \"on_behalf_of\": %lld",
                 (long long)weth);
        lid = role(c, "lid", jansen, t, "2022-09-01", x);
        snprintf(x, sizeof(x), ", \"on_behalf_of\": %lld", (long long)weth);
        chair = role(c, "voorzitter", jansen, t, "2023-03-01", x);
        snprintf(x, sizeof(x), ", \"on_behalf_of\": %lld", (long long)chair);
        snprintf(t, sizeof(t), "%lld", (long long)bestuur);
        blid = role(c, "lid", jansen, t, "2023-03-01", x);
    }
    r = itest_call_ok(c, "list.create", "{\"name\": \"VNG-weekoverzicht (test)\"}");
    list = itest_jint(r, "id");
    json_decref(r);
    json_decref(
        itest_call_ok(c, "list.subscribe",
                      "{\"list\": %lld, \"person\": \"T-WE-JANSEN\", \"from\": \"2022-06-01\"}",
                      (long long)list));

    /* In the college for party Y, with portefeuille Milieu, and loco on behalf of it. */
    r = itest_call_ok(c, "query.holders", "{\"org\": \"GM0200\", \"at\": \"2024-12-31\"}");
    assert_int_equal(holders_of(r, jansen, "wethouder"), 1);
    assert_int_equal(holders_of(r, jansen, "loco-burgemeester"), 1);
    json_decref(r);
    r = itest_call_ok(
        c, "query.holders",
        "{\"org\": \"GM0200\", \"role\": \"loco-burgemeester\", \"at\": \"2024-12-31\"}");
    assert_int_equal(nrows(r, "holders"), 1);
    assert_int_equal(
        itest_jint(json_object_get(json_array_get(json_object_get(r, "holders"), 0), "base"), "id"),
        weth);
    json_decref(r);

    /* While a member (2022-09-01 .. 2023-03-01) Apeldoorn takes part through the lid role. */
    r = itest_call_ok(c, "query.members", "{\"node\": %lld, \"at\": \"2022-09-01\"}",
                      (long long)cie);
    row = row_of(r, "members", "GM0200");
    assert_non_null(row);
    assert_false(json_is_true(json_object_get(row, "explicit")));
    assert_true(json_is_null(json_object_get(row, "edge")));
    ev = json_array_get(json_object_get(row, "evidence"), 0);
    assert_int_equal(itest_jint(json_object_get(ev, "person"), "id"), jansen);
    assert_int_equal(itest_jint(json_object_get(ev, "role"), "id"), lid);
    assert_int_equal(itest_jint(json_object_get(ev, "base"), "id"), weth);
    json_decref(r);

    /* Before 1 January: the commissie through the chair, the bestuur through the chair's lid. */
    r = itest_call_ok(c, "query.members", "{\"node\": %lld, \"at\": \"2024-12-31\"}",
                      (long long)cie);
    row = row_of(r, "members", "GM0200");
    assert_non_null(row);
    ev = json_array_get(json_object_get(row, "evidence"), 0);
    assert_int_equal(json_array_size(json_object_get(row, "evidence")), 1);
    assert_int_equal(itest_jint(json_object_get(ev, "role"), "id"), chair);
    assert_int_equal(itest_jint(json_object_get(ev, "base"), "id"), weth);
    json_decref(r);
    r = itest_call_ok(c, "query.members", "{\"node\": \"T-WE-BESTUUR\", \"at\": \"2024-12-31\"}");
    row = row_of(r, "members", "GM0200");
    assert_non_null(row);
    ev = json_array_get(json_object_get(row, "evidence"), 0);
    assert_int_equal(itest_jint(json_object_get(ev, "role"), "id"), blid);
    assert_int_equal(itest_jint(json_object_get(ev, "base"), "id"), weth);
    json_decref(r);
    r = itest_call_ok(c, "query.participation", "{\"node\": \"GM0200\", \"at\": \"2024-12-31\"}");
    assert_non_null(row_of(r, "participation", "T-WE-CIE-MILIEU"));
    assert_non_null(row_of(r, "participation", "T-WE-BESTUUR"));
    /* Its explicit memberships too: the province and the G40. */
    row = row_of(r, "participation", "NL-GE");
    assert_non_null(row);
    assert_true(json_is_true(json_object_get(row, "explicit")));
    assert_non_null(row_of(r, "participation", "G40"));
    json_decref(r);
    r = itest_call_ok(c, "query.holders", "{\"org\": %lld, \"at\": \"2024-12-31\"}",
                      (long long)cie);
    assert_int_equal(holders_of(r, jansen, "voorzitter"), 1);
    json_decref(r);

    /* His wethouder role ends on 1 January; the roles held on its behalf end with it. */
    r = itest_call_ok(c, "edge.end", "{\"id\": %lld, \"on\": \"2025-01-01\"}", (long long)weth);
    json_decref(r);
    r = itest_call_ok(c, "edge.get", "{\"id\": %lld}", (long long)loco);
    assert_string_equal(itest_jstr(r, "valid_to"), "2025-01-01");
    json_decref(r);

    /* From that date Apeldoorn no longer takes part, and the commissie no longer lists him. */
    r = itest_call_ok(c, "query.members", "{\"node\": %lld, \"at\": \"2025-01-01\"}",
                      (long long)cie);
    assert_null(row_of(r, "members", "GM0200"));
    json_decref(r);
    r = itest_call_ok(c, "query.members", "{\"node\": %lld, \"at\": \"2025-01-01\"}",
                      (long long)bestuur);
    assert_null(row_of(r, "members", "GM0200"));
    json_decref(r);
    r = itest_call_ok(c, "query.participation", "{\"node\": \"GM0200\", \"at\": \"2025-01-01\"}");
    assert_null(row_of(r, "participation", "T-WE-CIE-MILIEU"));
    assert_null(row_of(r, "participation", "T-WE-BESTUUR"));
    assert_non_null(row_of(r, "participation", "NL-GE"));
    json_decref(r);
    r = itest_call_ok(c, "query.holders", "{\"org\": %lld, \"at\": \"2025-01-01\"}",
                      (long long)cie);
    assert_int_equal(holders_of(r, jansen, NULL), 0);
    json_decref(r);
    /* The past is kept: on 31 December he still chaired it. */
    r = itest_call_ok(c, "query.holders", "{\"org\": %lld, \"at\": \"2024-12-31\"}",
                      (long long)cie);
    assert_int_equal(holders_of(r, jansen, "voorzitter"), 1);
    json_decref(r);

    /* His subscription stays. */
    r = itest_call_ok(c, "perspective.get",
                      "{\"name\": \"functionaris\", \"subject\": \"T-WE-JANSEN\", \"at\": "
                      "\"2025-01-01\"}");
    assert_int_equal(json_array_size(json_object_get(r, "subscriptions")), 1);
    assert_int_equal(
        itest_jint(json_object_get(json_array_get(json_object_get(r, "subscriptions"), 0), "list"),
                   "id"),
        list);
    assert_int_equal(json_array_size(json_object_get(r, "committees")), 0);
    assert_int_equal(json_array_size(json_object_get(r, "roles")), 5);
    json_decref(r);
    r = itest_call_ok(c, "perspective.get",
                      "{\"name\": \"functionaris\", \"subject\": \"T-WE-JANSEN\", \"at\": "
                      "\"2024-12-31\"}");
    assert_string_equal(itest_jstr(r, "party"), "Partij Y");
    assert_int_equal(json_array_size(json_object_get(r, "committees")), 2);
    json_decref(r);

    /* The VNG perspective on 31 December: he sits in the commissie for Apeldoorn. */
    r = itest_call_ok(c, "perspective.get", "{\"name\": \"vng\", \"at\": \"2024-12-31\"}");
    {
        size_t i, j, found = 0;
        json_t *b, *m;
        json_array_foreach(json_object_get(r, "committees"), i, b)
        {
            if (itest_jint(json_object_get(b, "node"), "id") != cie)
                continue;
            json_array_foreach(json_object_get(b, "members"), j, m)
            {
                if (itest_jint(json_object_get(m, "person"), "id") == jansen &&
                    strcmp(itest_jstr(json_object_get(m, "gemeente"), "key"), "GM0200") == 0 &&
                    itest_jint(json_object_get(m, "gemeente_role"), "id") == weth)
                    found++;
            }
        }
        assert_int_equal(found, 1);
    }
    json_decref(r);
}

/* ---- query.holders ---- */

/* A role counts from the day it starts up to, not including, the day it ends. */
static void holders_at_the_day_a_role_starts_and_ends(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t p = person(c, "T-HB-P", "H.", "Grens");
    json_int_t q = person(c, "T-HB-Q", "O.", "Open");
    json_t *r;
    role(c, "gemeentesecretaris", p, "\"GM0197\"", "2023-01-01", ", \"valid_to\": \"2024-01-01\"");
    role(c, "griffier", q, "\"GM0197\"", "2023-01-01", "");
    static const struct {
        const char *at;
        size_t p, q;
    } cases[] = {
        { "2022-12-31", 0, 0 }, { "2023-01-01", 1, 1 }, { "2023-12-31", 1, 1 },
        { "2024-01-01", 0, 1 }, { "2099-12-31", 0, 1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        r = itest_call_ok(c, "query.holders", "{\"org\": \"GM0197\", \"at\": \"%s\"}", cases[i].at);
        if (holders_of(r, p, NULL) != cases[i].p || holders_of(r, q, NULL) != cases[i].q)
            fail_msg("at %s: %zu/%zu rows, expected %zu/%zu", cases[i].at, holders_of(r, p, NULL),
                     holders_of(r, q, NULL), cases[i].p, cases[i].q);
        json_decref(r);
    }
}

/* scope = a province (ligt in) or the G40 (lid), with one or several role types. */
static void holders_in_a_scope_with_a_role_list(void **state)
{
    knoop_conn_t *c = *state;
    /* Barneveld and Ede lie in Gelderland; Ede is in the G40, Barneveld is not; Lelystad lies
     * in Flevoland and is in the G40. */
    json_int_t b1 = person(c, "T-SC-B1", "A.", "Barneveld");
    json_int_t b2 = person(c, "T-SC-B2", "B.", "Ede");
    json_int_t b3 = person(c, "T-SC-B3", "C.", "Lelystad");
    json_int_t w = person(c, "T-SC-W", "D.", "Wethouder");
    json_t *r;
    role(c, "burgemeester", b1, "\"GM0203\"", "2020-01-01", "");
    role(c, "waarnemend burgemeester", b2, "\"GM0228\"", "2020-01-01", "");
    role(c, "burgemeester", b3, "\"GM0995\"", "2020-01-01", "");
    role(c, "wethouder", w, "\"GM0228\"", "2020-01-01", "");

    r = itest_call_ok(c, "query.holders",
                      "{\"scope\": \"NL-GE\", \"role\": \"burgemeester\", \"at\": \"2024-01-01\"}");
    assert_int_equal(holders_of(r, b1, NULL), 1);
    assert_int_equal(holders_of(r, b2, NULL), 0);
    assert_int_equal(holders_of(r, b3, NULL), 0);
    json_decref(r);
    r = itest_call_ok(c, "query.holders",
                      "{\"scope\": \"NL-GE\", \"role\": [\"burgemeester\", \"waarnemend "
                      "burgemeester\"], \"at\": \"2024-01-01\"}");
    assert_int_equal(holders_of(r, b1, NULL), 1);
    assert_int_equal(holders_of(r, b2, NULL), 1);
    assert_int_equal(holders_of(r, w, NULL), 0);
    json_decref(r);
    r = itest_call_ok(
        c, "query.holders",
        "{\"scope\": \"G40\", \"role\": [\"burgemeester\", \"waarnemend burgemeester\", "
        "\"wethouder\"], \"at\": \"2024-01-01\"}");
    assert_int_equal(holders_of(r, b1, NULL), 0);
    assert_int_equal(holders_of(r, b2, NULL), 1);
    assert_int_equal(holders_of(r, b3, NULL), 1);
    assert_int_equal(holders_of(r, w, NULL), 1);
    json_decref(r);
    /* scope and person together. */
    r = itest_call_ok(c, "query.holders", "{\"scope\": \"G40\", \"person\": \"T-SC-W\"}");
    assert_int_equal(nrows(r, "holders"), 1);
    assert_int_equal(holders_of(r, w, "wethouder"), 1);
    json_decref(r);
    /* person alone: that person's roles everywhere. */
    r = itest_call_ok(c, "query.holders", "{\"person\": \"T-SC-W\", \"at\": \"2024-01-01\"}");
    assert_int_equal(nrows(r, "holders"), 1);
    assert_string_equal(
        itest_jstr(json_object_get(json_array_get(json_object_get(r, "holders"), 0), "org"), "key"),
        "GM0228");
    json_decref(r);
    /* Before the roles started, the scope has none of them. */
    r = itest_call_ok(c, "query.holders", "{\"scope\": \"G40\", \"at\": \"2019-12-31\"}");
    assert_int_equal(holders_of(r, b2, NULL) + holders_of(r, b3, NULL) + holders_of(r, w, NULL), 0);
    json_decref(r);
}

/* portefeuille matches an element of portefeuilles whatever its case and diacritics. */
static void holders_portefeuille_ignores_case_and_diacritics(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t w = person(c, "T-PF-W", "E.", "Portefeuille");
    json_int_t v = person(c, "T-PF-V", "F.", "Anders");
    json_t *r;
    role(c, "wethouder", w, "\"GM0209\"", "2022-06-01",
         ", \"props\": {\"portefeuilles\": [\"Économie\", \"Milieu\"]}");
    role(c, "wethouder", v, "\"GM0209\"", "2022-06-01",
         ", \"props\": {\"portefeuilles\": [\"Economische zaken\"]}");
    static const char *const asks[] = { "economie", "ECONOMIE", "Économie", "ecónomie" };
    for (size_t i = 0; i < 4; i++) {
        r = itest_call_ok(
            c, "query.holders",
            "{\"org\": \"GM0209\", \"role\": \"wethouder\", \"portefeuille\": \"%s\"}", asks[i]);
        assert_int_equal(nrows(r, "holders"), 1);
        assert_int_equal(holders_of(r, w, NULL), 1);
        json_decref(r);
    }
    /* A prefix is not a match; everywhere (no org) finds him too. */
    r = itest_call_ok(c, "query.holders", "{\"org\": \"GM0209\", \"portefeuille\": \"Econ\"}");
    assert_int_equal(nrows(r, "holders"), 0);
    json_decref(r);
    r = itest_call_ok(c, "query.holders",
                      "{\"role\": \"wethouder\", \"portefeuille\": \"MILIEU\"}");
    assert_int_equal(holders_of(r, w, NULL), 1);
    assert_int_equal(holders_of(r, v, NULL), 0);
    json_decref(r);
}

/* A gemeente's holders include those at its fracties and its bestuurssecretariaat. */
static void holders_of_a_gemeente_include_its_fracties_and_secretariaat(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t fr = org(c, "fractie", "T-FS-FRACTIE", "Fractie Test (Buren)");
    json_int_t sec =
        org(c, "bestuurssecretariaat", "T-FS-SEC", "Bestuurssecretariaat Buren (test)");
    json_int_t fv = person(c, "T-FS-FV", "F.", "Fractievoorzitter");
    json_int_t md = person(c, "T-FS-MD", "M.", "Medewerker");
    json_t *r;
    const json_t *sc;
    char t[32];
    json_decref(
        itest_call_ok(c, "edge.create",
                      "{\"type\": \"fractie van\", \"source\": %lld, \"target\": \"GM0214\", "
                      "\"valid_from\": \"2022-03-30\"}",
                      (long long)fr));
    json_decref(itest_call_ok(c, "edge.create",
                              "{\"type\": \"secretariaat van\", \"source\": %lld, \"target\": "
                              "\"GM0214\", \"valid_from\": \"2020-01-01\"}",
                              (long long)sec));
    snprintf(t, sizeof(t), "%lld", (long long)fr);
    role(c, "fractievoorzitter", fv, t, "2022-03-30", "");
    snprintf(t, sizeof(t), "%lld", (long long)sec);
    role(c, "medewerker", md, t, "2021-01-01", ", \"props\": {\"functie\": \"adviseur\"}");

    r = itest_call_ok(c, "query.holders",
                      "{\"org\": \"GM0214\", \"role\": \"fractievoorzitter\", \"at\": "
                      "\"2022-03-30\"}");
    assert_int_equal(nrows(r, "holders"), 1);
    assert_int_equal(holders_of(r, fv, NULL), 1);
    assert_string_equal(
        itest_jstr(json_object_get(json_array_get(json_object_get(r, "holders"), 0), "org"), "key"),
        "T-FS-FRACTIE");
    json_decref(r);
    r = itest_call_ok(c, "query.holders",
                      "{\"org\": \"GM0214\", \"role\": \"fractievoorzitter\", \"at\": "
                      "\"2022-03-29\"}");
    assert_int_equal(nrows(r, "holders"), 0);
    json_decref(r);
    r = itest_call_ok(c, "perspective.get",
                      "{\"name\": \"gemeente\", \"subject\": \"GM0214\", \"at\": \"2023-01-01\"}");
    assert_int_equal(json_array_size(json_object_get(r, "fractievoorzitters")), 1);
    sc = json_array_get(json_object_get(r, "secretariaat"), 0);
    assert_string_equal(itest_jstr(json_object_get(sc, "node"), "key"), "T-FS-SEC");
    assert_int_equal(json_array_size(json_object_get(sc, "medewerkers")), 1);
    assert_int_equal(
        itest_jint(json_object_get(json_array_get(json_object_get(sc, "medewerkers"), 0), "person"),
                   "id"),
        md);
    json_decref(r);
}

/* limit cuts the rows and says more; contacts adds the contact details. */
static void holders_limit_sets_more_and_contacts_are_added(void **state)
{
    knoop_conn_t *c = *state;
    char key[32];
    json_t *r;
    for (int i = 0; i < 3; i++) {
        json_int_t p;
        snprintf(key, sizeof(key), "T-LM-%d", i);
        p = person(c, key, "G.", "Limiet");
        role(c, "raadslid", p, "\"GM0213\"", "2022-03-30", ", \"props\": {\"namens\": \"P\"}");
    }
    r = itest_call_ok(c, "query.holders", "{\"org\": \"GM0213\", \"limit\": 2}");
    assert_int_equal(nrows(r, "holders"), 2);
    assert_true(json_is_true(json_object_get(r, "more")));
    json_decref(r);
    r = itest_call_ok(c, "query.holders", "{\"org\": \"GM0213\", \"limit\": 3}");
    assert_int_equal(nrows(r, "holders"), 3);
    assert_true(json_is_false(json_object_get(r, "more")));
    json_decref(r);
    itest_call_fail(c, KNOOP_EINVAL, "params.limit", "query.holders",
                    "{\"org\": \"GM0213\", \"limit\": 0}");
    itest_call_fail(c, KNOOP_EINVAL, "params.limit", "query.holders",
                    "{\"org\": \"GM0213\", \"limit\": 100001}");
    r = itest_call_ok(c, "query.holders", "{\"org\": \"GM0213\", \"limit\": 100000}");
    assert_int_equal(nrows(r, "holders"), 3);
    json_decref(r);

    json_decref(itest_call_ok(
        c, "node.update", "{\"id\": \"T-LM-0\", \"set\": {\"email\": \"g.limiet@example.org\"}}"));
    r = itest_call_ok(c, "query.holders",
                      "{\"org\": \"GM0213\", \"person\": \"T-LM-0\", "
                      "\"contacts\": true}");
    assert_int_equal(nrows(r, "holders"), 1);
    assert_string_equal(
        itest_jstr(json_object_get(json_object_get(json_array_get(json_object_get(r, "holders"), 0),
                                                   "contacts"),
                                   "person"),
                   "email"),
        "g.limiet@example.org");
    json_decref(r);
}

/* Bad parameters are refused with a message naming the parameter. */
static void bad_parameters_are_refused_naming_the_parameter(void **state)
{
    knoop_conn_t *c = *state;
    itest_call_fail(c, KNOOP_ENOTFOUND, "params.org", "query.holders", "{\"org\": \"GM9999\"}");
    itest_call_fail(c, KNOOP_ENOTFOUND, "params.scope", "query.holders", "{\"scope\": \"NOPE\"}");
    itest_call_fail(c, KNOOP_EINVAL, "params.role", "query.holders", "{\"role\": 7}");
    itest_call_fail(c, KNOOP_EINVAL, "params.role", "query.holders", "{\"role\": []}");
    itest_call_fail(c, KNOOP_EINVAL, "params.scope", "query.holders",
                    "{\"org\": \"GM0034\", \"scope\": \"NL-FL\"}");
    itest_call_fail(c, KNOOP_EINVAL, "params.at", "query.holders", "{\"at\": \"2024-13-01\"}");
    itest_call_fail(c, KNOOP_EINVAL, "params.gemeente", "query.seats", "{\"gemeente\": \"NL-FL\"}");
    itest_call_fail(c, KNOOP_EINVAL, "params.person", "query.roles", "{\"person\": \"GM0034\"}");
    itest_call_fail(c, KNOOP_EINVAL, "params.at", "query.roles",
                    "{\"person\": \"GM0034\", \"at\": \"2024-01-01\", \"from\": \"2023-01-01\"}");
    itest_call_fail(c, KNOOP_EINVAL, "params.name", "perspective.get", "{\"name\": \"nope\"}");
    itest_call_fail(c, KNOOP_EINVAL, "params.subject", "perspective.get",
                    "{\"name\": \"gemeente\", \"subject\": \"NL-FL\"}");
    itest_call_fail(c, KNOOP_EINVAL, "params.subject", "perspective.get",
                    "{\"name\": \"gemeente\"}");
    itest_call_fail(c, KNOOP_ENOTFOUND, "params.node", "query.members", "{\"node\": 999999999}");
}

/* ---- query.seats ---- */

/* raadslid roles valid on at, per namens (nil without), with the last election result. */
static void seats_count_per_party_and_show_the_last_election(void **state)
{
    knoop_conn_t *c = *state;
    static const char *const party[] = { "A", "A", "B", NULL };
    json_int_t rec;
    json_t *r, *s;
    char key[32];
    for (int i = 0; i < 4; i++) {
        json_int_t p;
        snprintf(key, sizeof(key), "T-ST-%d", i);
        p = person(c, key, "S.", "Zetel");
        if (party[i] != NULL) {
            char x[96];
            snprintf(x, sizeof(x),
                     ", \"valid_to\": \"2026-04-01\", \"props\": {\"namens\": \"%s\"}", party[i]);
            role(c, "raadslid", p, "\"GM0214\"", "2022-03-30", x);
        } else {
            role(c, "raadslid", p, "\"GM0214\"", "2026-04-15",
                 ", \"props\": {\"bron\": \"register\", \"begin_onbekend\": true}");
        }
    }
    r = itest_call_ok(
        c, "node.create",
        "{\"kind\": \"record\", \"type\": \"verkiezingsuitslag\", \"props\": {\"name\": "
        "\"GR2022 Brummen (test)\", \"key\": \"T-ST-GR2022\", \"gemeente\": \"GM0214\", "
        "\"date\": \"2022-03-16\", \"total\": 3, \"seats\": [{\"party\": \"B\", \"list\": "
        "2, \"seats\": 1}, {\"party\": \"A\", \"list\": 1, \"seats\": 2}]}}");
    rec = itest_jint(r, "id");
    json_decref(r);
    role(c, "uitslag van", rec, "\"GM0214\"", "2022-03-16", "");

    r = itest_call_ok(c, "query.seats", "{\"gemeente\": \"GM0214\", \"at\": \"2022-03-15\"}");
    assert_int_equal(itest_jint(r, "total"), 0);
    assert_null(json_object_get(r, "election"));
    json_decref(r);
    r = itest_call_ok(c, "query.seats", "{\"gemeente\": \"GM0214\", \"at\": \"2022-03-30\"}");
    assert_int_equal(itest_jint(r, "total"), 3);
    s = json_object_get(r, "seats");
    assert_int_equal(json_array_size(s), 2);
    assert_string_equal(itest_jstr(json_array_get(s, 0), "party"), "A");
    assert_int_equal(itest_jint(json_array_get(s, 0), "seats"), 2);
    assert_string_equal(itest_jstr(json_array_get(s, 1), "party"), "B");
    s = json_object_get(r, "election");
    assert_string_equal(itest_jstr(s, "date"), "2022-03-16");
    assert_int_equal(itest_jint(s, "total"), 3);
    assert_string_equal(itest_jstr(json_array_get(json_object_get(s, "seats"), 0), "party"), "A");
    json_decref(r);
    /* The day the councillors' roles end, the register's raadslid (no party) is counted. */
    r = itest_call_ok(c, "query.seats", "{\"gemeente\": \"GM0214\", \"at\": \"2026-04-01\"}");
    assert_int_equal(itest_jint(r, "total"), 0);
    json_decref(r);
    r = itest_call_ok(c, "query.seats", "{\"gemeente\": \"GM0214\", \"at\": \"2026-04-15\"}");
    assert_int_equal(itest_jint(r, "total"), 1);
    s = json_array_get(json_object_get(r, "seats"), 0);
    assert_true(json_is_null(json_object_get(s, "party")));
    assert_int_equal(itest_jint(s, "seats"), 1);
    assert_non_null(json_object_get(r, "election"));
    json_decref(r);
}

/* ---- query.members and query.participation ---- */

/* Explicit members of a province, the type filter, derived off, and limit with more. */
static void members_explicit_type_filter_and_limit(void **state)
{
    knoop_conn_t *c = *state;
    json_t *r;
    const json_t *row;
    size_t n;
    r = itest_call_ok(c, "query.members", "{\"node\": \"NL-FL\", \"type\": \"ligt in\"}");
    n = nrows(r, "members");
    assert_int_equal(n, 6); /* Flevoland's six gemeenten */
    row = row_of(r, "members", "GM0034");
    assert_non_null(row);
    assert_true(json_is_true(json_object_get(row, "explicit")));
    assert_string_equal(itest_jstr(json_object_get(row, "edge"), "type"), "ligt in");
    /* The fields of the earlier query.members stay. */
    assert_string_equal(itest_jstr(row, "name"), "Almere");
    assert_string_equal(itest_jstr(row, "key"), "GM0034");
    assert_false(json_is_true(json_object_get(r, "more")));
    json_decref(r);
    r = itest_call_ok(c, "query.members", "{\"node\": \"NL-FL\", \"limit\": 4}");
    assert_int_equal(nrows(r, "members"), 4);
    assert_true(json_is_true(json_object_get(r, "more")));
    /* Ordered by name: Almere first. */
    assert_string_equal(itest_jstr(json_array_get(json_object_get(r, "members"), 0), "name"),
                        "Almere");
    json_decref(r);
    /* The G40 on the day before and the day its 41st member joined, as koepels.csv has it. */
    r = itest_call_ok(c, "query.members",
                      "{\"node\": \"G40\", \"type\": \"lid\", \"derived\": false, \"at\": "
                      "\"2022-06-30\"}");
    assert_int_equal(nrows(r, "members"), koepel_members("G40", "2022-06-30"));
    json_decref(r);
    r = itest_call_ok(c, "query.members",
                      "{\"node\": \"G40\", \"type\": \"lid\", \"derived\": false, \"at\": "
                      "\"2022-07-01\"}");
    assert_int_equal(nrows(r, "members"), koepel_members("G40", "2022-07-01"));
    assert_int_equal(koepel_members("G40", "2022-07-01"), koepel_members("G40", "2022-06-30") + 1);
    json_decref(r);
    r = itest_call_ok(c, "query.participation", "{\"node\": \"GM0034\", \"limit\": 1}");
    assert_int_equal(nrows(r, "participation"), 1);
    assert_true(json_is_true(json_object_get(r, "more")));
    json_decref(r);
}

/* A gemeente both explicit and derived member is one row, explicit, with its evidence; derived
 * participation holds on the day the body role starts and not on the day it ends. */
static void members_explicit_and_derived_share_a_row(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t p, q, vr, base, qbase, lid;
    json_t *r;
    const json_t *row;
    char t[64], x[96];
    r = itest_call_ok(c, "node.create",
                      "{\"kind\": \"body\", \"type\": \"veiligheidsregio\", \"props\": {\"name\": "
                      "\"Veiligheidsregio (test)\", \"key\": \"T-MD-VR\"}}");
    vr = itest_jint(r, "id");
    json_decref(r);
    p = person(c, "T-MD-P", "M.", "Deelnemer");
    q = person(c, "T-MD-Q", "N.", "Afgeleid");
    json_decref(itest_call_ok(c, "edge.create",
                              "{\"type\": \"deelnemer\", \"source\": \"GM0216\", \"target\": %lld, "
                              "\"valid_from\": \"2020-01-01\"}",
                              (long long)vr));
    base = role(c, "burgemeester", p, "\"GM0216\"", "2020-01-01", "");
    snprintf(t, sizeof(t), "%lld", (long long)vr);
    snprintf(x, sizeof(x), ", \"valid_to\": \"2022-01-01\", \"on_behalf_of\": %lld",
             (long long)base);
    lid = role(c, "lid", p, t, "2021-01-01", x);
    qbase = role(c, "wethouder", q, "\"GM0226\"", "2020-01-01", "");
    snprintf(x, sizeof(x), ", \"on_behalf_of\": %lld", (long long)qbase);
    role(c, "deelnemer", q, t, "2021-01-01", x);

    r = itest_call_ok(c, "query.members", "{\"node\": \"T-MD-VR\", \"at\": \"2020-12-31\"}");
    row = row_of(r, "members", "GM0216");
    assert_non_null(row);
    assert_true(json_is_true(json_object_get(row, "explicit")));
    assert_string_equal(itest_jstr(json_object_get(row, "edge"), "type"), "deelnemer");
    assert_int_equal(json_array_size(json_object_get(row, "evidence")), 0);
    assert_null(row_of(r, "members", "GM0226"));
    json_decref(r);
    r = itest_call_ok(c, "query.members", "{\"node\": \"T-MD-VR\", \"at\": \"2021-01-01\"}");
    row = row_of(r, "members", "GM0216");
    assert_true(json_is_true(json_object_get(row, "explicit")));
    assert_int_equal(json_array_size(json_object_get(row, "evidence")), 1);
    assert_int_equal(
        itest_jint(json_object_get(json_array_get(json_object_get(row, "evidence"), 0), "role"),
                   "id"),
        lid);
    assert_int_equal(
        itest_jint(json_object_get(json_array_get(json_object_get(row, "evidence"), 0), "base"),
                   "id"),
        base);
    row = row_of(r, "members", "GM0226");
    assert_non_null(row);
    assert_false(json_is_true(json_object_get(row, "explicit")));
    assert_true(json_is_null(json_object_get(row, "edge")));
    /* A person who is lid is an explicit member too. */
    assert_non_null(row_of(r, "members", "T-MD-P"));
    json_decref(r);
    r = itest_call_ok(c, "query.members",
                      "{\"node\": \"T-MD-VR\", \"at\": \"2021-01-01\", \"derived\": false}");
    assert_int_equal(json_array_size(json_object_get(row_of(r, "members", "GM0216"), "evidence")),
                     0);
    assert_null(row_of(r, "members", "GM0226"));
    json_decref(r);
    /* The day the lid role ends the evidence is gone; the explicit membership stays. */
    r = itest_call_ok(c, "query.members", "{\"node\": \"T-MD-VR\", \"at\": \"2022-01-01\"}");
    row = row_of(r, "members", "GM0216");
    assert_true(json_is_true(json_object_get(row, "explicit")));
    assert_int_equal(json_array_size(json_object_get(row, "evidence")), 0);
    json_decref(r);
    /* From the gemeente's side, the same facts. */
    r = itest_call_ok(c, "query.participation", "{\"node\": \"GM0226\", \"at\": \"2021-06-01\"}");
    row = row_of(r, "participation", "T-MD-VR");
    assert_non_null(row);
    assert_false(json_is_true(json_object_get(row, "explicit")));
    assert_int_equal(
        itest_jint(json_object_get(json_array_get(json_object_get(row, "evidence"), 0), "base"),
                   "id"),
        qbase);
    json_decref(r);
    r = itest_call_ok(c, "query.participation", "{\"node\": \"GM0216\", \"at\": \"2021-06-01\"}");
    row = row_of(r, "participation", "T-MD-VR");
    assert_true(json_is_true(json_object_get(row, "explicit")));
    assert_int_equal(json_array_size(json_object_get(row, "evidence")), 1);
    json_decref(r);
}

/* ---- query.roles ---- */

/* A person's roles on a date, or overlapping a period, in order of valid_from. */
static void roles_on_a_date_or_in_a_period_in_order(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t p = person(c, "T-RL-P", "R.", "Rollen");
    json_int_t w, l;
    json_t *r, *rows;
    char x[64];
    role(c, "raadslid", p, "\"GM0221\"", "2018-03-29",
         ", \"valid_to\": \"2022-03-30\", \"props\": {\"namens\": \"C\"}");
    w = role(c, "wethouder", p, "\"GM0221\"", "2022-06-01", "");
    snprintf(x, sizeof(x), ", \"on_behalf_of\": %lld", (long long)w);
    l = role(c, "loco-burgemeester", p, "\"GM0221\"", "2022-07-01", x);

    r = itest_call_ok(c, "query.roles", "{\"person\": \"T-RL-P\", \"at\": \"2022-03-29\"}");
    rows = json_object_get(r, "roles");
    assert_int_equal(json_array_size(rows), 1);
    assert_string_equal(itest_jstr(json_object_get(json_array_get(rows, 0), "role"), "type"),
                        "raadslid");
    json_decref(r);
    r = itest_call_ok(c, "query.roles", "{\"person\": \"T-RL-P\", \"at\": \"2022-03-30\"}");
    assert_int_equal(nrows(r, "roles"), 0);
    json_decref(r);
    r = itest_call_ok(c, "query.roles", "{\"person\": \"T-RL-P\", \"at\": \"2022-07-01\"}");
    rows = json_object_get(r, "roles");
    assert_int_equal(json_array_size(rows), 2);
    assert_int_equal(itest_jint(json_object_get(json_array_get(rows, 1), "role"), "id"), l);
    assert_int_equal(itest_jint(json_object_get(json_array_get(rows, 1), "base"), "id"), w);
    assert_string_equal(itest_jstr(json_object_get(json_array_get(rows, 1), "org"), "key"),
                        "GM0221");
    json_decref(r);
    r = itest_call_ok(c, "query.roles",
                      "{\"person\": \"T-RL-P\", \"from\": \"2000-01-01\", \"to\": \"2022-07-01\"}");
    rows = json_object_get(r, "roles");
    assert_int_equal(json_array_size(rows), 2);
    assert_string_equal(itest_jstr(json_object_get(json_array_get(rows, 0), "role"), "type"),
                        "raadslid");
    assert_string_equal(itest_jstr(json_object_get(json_array_get(rows, 1), "role"), "type"),
                        "wethouder");
    json_decref(r);
    r = itest_call_ok(c, "query.roles",
                      "{\"person\": \"T-RL-P\", \"from\": \"2000-01-01\", \"limit\": 2}");
    assert_int_equal(nrows(r, "roles"), 2);
    assert_true(json_is_true(json_object_get(r, "more")));
    json_decref(r);
}

/* ---- perspectives ---- */

static void perspectives_are_listed_and_the_gemeente_one_is_complete(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t b = person(c, "T-PG-B", "P.", "Burgemeester");
    json_t *r, *col;
    role(c, "burgemeester", b, "\"GM0222\"", "2021-01-01", "");
    r = itest_call_ok(c, "perspective.list", "{}");
    assert_int_equal(nrows(r, "perspectives"), 3);
    assert_string_equal(itest_jstr(json_array_get(json_object_get(r, "perspectives"), 1), "name"),
                        "gemeente");
    json_decref(r);
    r = itest_call_ok(c, "perspective.get", "{\"name\": \"gemeente\", \"subject\": \"GM0222\"}");
    assert_string_equal(itest_jstr(json_object_get(r, "subject"), "name"), "Doetinchem");
    assert_string_equal(itest_jstr(json_object_get(r, "province"), "name"), "Gelderland");
    assert_string_equal(itest_jstr(json_object_get(r, "province"), "abbreviation"), "GE");
    assert_string_equal(
        itest_jstr(json_object_get(json_object_get(r, "metadata"), "identity"), "cbs_code"),
        "GM0222");
    assert_non_null(row_of(r, "memberships", "NL-GE"));
    col = json_object_get(json_object_get(r, "college"), "burgemeester");
    assert_int_equal(json_array_size(col), 1);
    assert_int_equal(itest_jint(json_object_get(json_array_get(col, 0), "person"), "id"), b);
    assert_non_null(json_object_get(r, "council"));
    json_decref(r);
    r = itest_call_ok(c, "perspective.get",
                      "{\"name\": \"gemeente\", \"subject\": \"GM0222\", \"at\": \"2020-12-31\"}");
    assert_int_equal(
        json_array_size(json_object_get(json_object_get(r, "college"), "burgemeester")), 0);
    json_decref(r);
}

/* ---- CLI ---- */

static void cli_prints_the_questions_as_tables_json_and_csv(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t w = person(c, "T-CLI-W", "K.", "Klant");
    itest_run_t r;
    json_t *j;
    role(c, "wethouder", w, "\"GM0225\"", "2022-06-01",
         ", \"props\": {\"portefeuilles\": [\"Milieu\"], \"namens\": \"Q\"}");
    json_decref(itest_call_ok(
        c, "node.update", "{\"id\": \"T-CLI-W\", \"set\": {\"email\": \"k.klant@example.org\"}}"));

    knoop(&r, "query", "holders", "GM0225", "--role", "wethouder", NULL);
    expect_status(&r, 0);
    expect_in(r.out, "Klant, K.");
    expect_in(r.out, "portefeuilles: Milieu");
    itest_run_free(&r);
    knoop(&r, "--csv", "query", "holders", "--scope", "NL-GE", "--role", "wethouder",
          "--portefeuille", "milieu", "--contacts", NULL);
    expect_status(&r, 0);
    expect_in(r.out, "naam,rol,organisatie,kenmerken,geldig vanaf,geldig tot,namens (rol),e-mail");
    expect_in(r.out, "k.klant@example.org");
    itest_run_free(&r);
    knoop(&r, "--json", "query", "roles", "T-CLI-W", NULL);
    expect_status(&r, 0);
    j = json_loads(r.out, 0, NULL);
    assert_int_equal(json_array_size(j), 1);
    assert_string_equal(itest_jstr(json_array_get(j, 0), "rol"), "wethouder");
    json_decref(j);
    itest_run_free(&r);
    knoop(&r, "--json", "query", "seats", "GM0225", NULL);
    expect_status(&r, 0);
    itest_run_free(&r);
    knoop(&r, "query", "participation", "GM0200", "--limit", "1", NULL);
    expect_status(&r, 0);
    expect_in(r.err, "more rows");
    itest_run_free(&r);
    /* Derived participation adds the columns expliciet and via (the worked example's data). */
    knoop(&r, "--csv", "query", "members", "T-WE-CIE-MILIEU", "--at", "2024-12-31", NULL);
    expect_status(&r, 0);
    expect_in(r.out, "naam,sleutel,soort,rol,geldig vanaf,geldig tot,expliciet,via\r\n");
    expect_in(r.out, "Apeldoorn,GM0200,gemeente,,,,nee,\"Jansen, J.: voorzitter (namens wethouder "
                     "2022-06-01)\"");
    itest_run_free(&r);
    knoop(&r, "perspective", "list", NULL);
    expect_status(&r, 0);
    expect_in(r.out, "functionaris");
    itest_run_free(&r);
    knoop(&r, "perspective", "get", "gemeente", "GM0225", NULL);
    expect_status(&r, 0);
    j = json_loads(r.out, 0, NULL);
    assert_non_null(j);
    assert_string_equal(itest_jstr(json_object_get(j, "subject"), "key"), "GM0225");
    json_decref(j);
    itest_run_free(&r);
    knoop(&r, "query", "holders", "--limit", "x", NULL);
    expect_status(&r, 2);
    expect_in(r.err, "--limit");
    itest_run_free(&r);
    knoop(&r, "query", "--help", NULL);
    expect_status(&r, 0);
    expect_in(r.out, "participation");
    itest_run_free(&r);
}

int main(void)
{
    int rc;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(worked_example_participation_ends_with_the_base_role,
                                        conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(holders_at_the_day_a_role_starts_and_ends, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(holders_in_a_scope_with_a_role_list, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(holders_portefeuille_ignores_case_and_diacritics,
                                        conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(holders_of_a_gemeente_include_its_fracties_and_secretariaat,
                                        conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(holders_limit_sets_more_and_contacts_are_added, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(bad_parameters_are_refused_naming_the_parameter, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(seats_count_per_party_and_show_the_last_election,
                                        conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(members_explicit_type_filter_and_limit, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(members_explicit_and_derived_share_a_row, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(roles_on_a_date_or_in_a_period_in_order, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(perspectives_are_listed_and_the_gemeente_one_is_complete,
                                        conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(cli_prints_the_questions_as_tables_json_and_csv, conn_setup,
                                        conn_teardown),
    };
    rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    if (rc == 0 && srv_exit != 0)
        rc = 1;
    return rc;
}
