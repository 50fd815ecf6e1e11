/*
 * test_integrity.c - domain integrity against a real knoopd with the real gemeenten and
 * provinces of schema/data: role rules (holders at once, no overlapping duplicate),
 * corrections (edge.update, edge.put changed), schema.check, and klantcontact edges that only
 * contact.* and task.* may touch (layer: tests/integration).
 *
 * Each test uses its own real gemeente and persons whose keys carry the test's name; the persons
 * are test data, not real office holders.
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

/* The number of history entries of entity id (an edge or node id). */
static size_t history_count(knoop_conn_t *c, json_int_t id, const char *op)
{
    json_t *r = itest_call_ok(c, "history.list", "{\"id\": %lld}", (long long)id), *h;
    size_t i, n = 0;
    json_array_foreach(json_object_get(r, "entries"), i, h)
    {
        if (op == NULL || strcmp(itest_jstr(h, "op"), op) == 0)
            n++;
    }
    json_decref(r);
    return n;
}

/* The seats of party in a query.seats result (0 when it has none). */
static json_int_t seats_of(const json_t *res, const char *party)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(res, "seats"), i, s)
    {
        if (json_is_string(json_object_get(s, "party")) &&
            strcmp(itest_jstr(s, "party"), party) == 0)
            return itest_jint(s, "seats");
    }
    return 0;
}

/* ---- role rules ---- */

/* Almere (GM0034): one burgemeester at a time; a waarnemend burgemeester alongside is a role of
 * its own; the next burgemeester may start the day the first one's role ends. */
static void second_burgemeester_is_refused_and_waarnemend_alongside_is_allowed(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t a = person(c, "T-BG-A", "A.", "Eerste");
    json_int_t b = person(c, "T-BG-B", "B.", "Tweede");
    json_int_t w = person(c, "T-BG-W", "W.", "Waarnemer");
    json_int_t first = role(c, "burgemeester", a, "\"GM0034\"", "2020-01-01", "");
    char want[128];

    snprintf(want, sizeof(want), "(edge %lld)", (long long)first);
    itest_call_fail(c, KNOOP_ECONFLICT, want, "edge.create",
                    "{\"type\": \"burgemeester\", \"source\": %lld, \"target\": \"GM0034\", "
                    "\"valid_from\": \"2024-06-01\"}",
                    (long long)b);
    itest_call_fail(c, KNOOP_ECONFLICT, "burgemeester: at most 1 at a time", "edge.put",
                    "{\"type\": \"burgemeester\", \"source\": %lld, \"target\": \"GM0034\", "
                    "\"valid_from\": \"2019-01-01\", \"valid_to\": \"2020-01-02\"}",
                    (long long)b);
    role(c, "waarnemend burgemeester", w, "\"GM0034\"", "2024-06-01", "");
    /* A second waarnemend burgemeester is refused as well. */
    itest_call_fail(
        c, KNOOP_ECONFLICT, "waarnemend burgemeester: at most 1", "edge.create",
        "{\"type\": \"waarnemend burgemeester\", \"source\": %lld, \"target\": \"GM0034\", "
        "\"valid_from\": \"2025-01-01\"}",
        (long long)b);
    /* Ending the first role makes room from its end on, and not a day before. */
    json_decref(
        itest_call_ok(c, "edge.end", "{\"id\": %lld, \"on\": \"2025-01-01\"}", (long long)first));
    itest_call_fail(c, KNOOP_ECONFLICT, "burgemeester", "edge.create",
                    "{\"type\": \"burgemeester\", \"source\": %lld, \"target\": \"GM0034\", "
                    "\"valid_from\": \"2024-12-31\"}",
                    (long long)b);
    role(c, "burgemeester", b, "\"GM0034\"", "2025-01-01", "");
    /* A correction that would make the periods overlap again is refused too. */
    snprintf(want, sizeof(want), "burgemeester: at most 1 at a time");
    itest_call_fail(c, KNOOP_ECONFLICT, want, "edge.update",
                    "{\"id\": %lld, \"valid_to\": \"2025-02-01\"}", (long long)first);
}

/* Utrecht (GM0344): the same person as raadslid twice in overlapping periods is refused (it
 * would count a seat twice); a later term, and another person, are fine. */
static void overlapping_duplicate_raadslid_is_refused(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t p = person(c, "T-DUP-P", "D.", "Dubbel");
    json_int_t q = person(c, "T-DUP-Q", "Q.", "Ander");
    json_int_t term = role(c, "raadslid", p, "\"GM0344\"", "2022-03-30",
                           ", \"valid_to\": \"2026-04-01\", \"props\": {\"namens\": \"A\"}");
    char want[64];
    json_t *r;

    snprintf(want, sizeof(want), "(edge %lld)", (long long)term);
    itest_call_fail(
        c, KNOOP_ECONFLICT, want, "edge.create",
        "{\"type\": \"raadslid\", \"source\": %lld, \"target\": \"GM0344\", \"valid_from\": "
        "\"2024-01-01\", \"props\": {\"namens\": \"B\"}}",
        (long long)p);
    itest_call_fail(c, KNOOP_ECONFLICT, "already holds this role", "batch",
                    "{\"ops\": [{\"method\": \"edge.create\", \"params\": {\"type\": \"raadslid\", "
                    "\"source\": %lld, \"target\": \"GM0344\", \"valid_from\": \"2018-03-29\", "
                    "\"props\": {\"namens\": \"A\"}}}]}",
                    (long long)p);
    role(c, "raadslid", p, "\"GM0344\"", "2026-04-01", ", \"props\": {\"namens\": \"A\"}");
    role(c, "raadslid", q, "\"GM0344\"", "2022-03-30", ", \"props\": {\"namens\": \"A\"}");
    r = itest_call_ok(c, "query.seats", "{\"gemeente\": \"GM0344\", \"at\": \"2024-01-01\"}");
    assert_int_equal(seats_of(r, "A"), 2);
    assert_int_equal(itest_jint(r, "total"), 2);
    json_decref(r);
}

/* A run-time role type declares its own rule; schema.check reports stored roles that break a
 * rule declared after they were written. */
static void run_time_role_rules_and_schema_check_reports_existing_violations(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t a = person(c, "T-RT-A", "A.", "Een"), b = person(c, "T-RT-B", "B.", "Twee");
    json_int_t d = person(c, "T-RT-D", "D.", "Drie");
    json_int_t ea, eb;
    const char *def = "{\"name\": \"ombudsman (test)\", \"sources\": [{\"kind\": \"person\"}], "
                      "\"targets\": [{\"kind\": \"organisation\", \"type\": \"gemeente\"}]%s}";
    json_t *r, *v;
    char buf[512];

    snprintf(buf, sizeof(buf), def, "");
    json_decref(itest_call_ok(c, "schema.role.define", "%s", buf));
    ea = role(c, "ombudsman (test)", a, "\"GM0200\"", "2020-01-01", "");
    eb = role(c, "ombudsman (test)", b, "\"GM0200\"", "2021-01-01", "");
    r = itest_call_ok(c, "schema.check", "{}");
    assert_int_equal(itest_jint(r, "count"), 0);
    json_decref(r);

    snprintf(buf, sizeof(buf), def, ", \"max_holders\": 1");
    r = itest_call_ok(c, "schema.role.define", "%s", buf);
    assert_int_equal(itest_jint(r, "max_holders"), 1);
    json_decref(r);
    r = itest_call_ok(c, "schema.check", "{}");
    assert_int_equal(itest_jint(r, "count"), 1);
    assert_false(json_is_true(json_object_get(r, "more")));
    assert_true(itest_jint(r, "checked_edges") > 0);
    v = json_array_get(json_object_get(r, "violations"), 0);
    assert_string_equal(itest_jstr(v, "role"), "ombudsman (test)");
    assert_int_equal(itest_jint(v, "edge"), eb);
    assert_int_equal(itest_jint(v, "source"), b);
    snprintf(buf, sizeof(buf), "(edge %lld)", (long long)ea);
    if (strstr(itest_jstr(v, "problem"), buf) == NULL)
        fail_msg("problem '%s' does not name %s", itest_jstr(v, "problem"), buf);
    json_decref(r);
    /* New writes follow the rule; the stored clash is corrected with edge.update. */
    itest_call_fail(c, KNOOP_ECONFLICT, "at most 1 at a time", "edge.create",
                    "{\"type\": \"ombudsman (test)\", \"source\": %lld, \"target\": \"GM0200\", "
                    "\"valid_from\": \"2022-01-01\"}",
                    (long long)d);
    json_decref(itest_call_ok(c, "edge.update", "{\"id\": %lld, \"valid_to\": \"2021-01-01\"}",
                              (long long)ea));
    r = itest_call_ok(c, "schema.check", "{}");
    assert_int_equal(itest_jint(r, "count"), 0);
    json_decref(r);

    /* max_holders 2: two at once are fine, a third is refused. */
    snprintf(buf, sizeof(buf), def, ", \"max_holders\": 2");
    json_decref(itest_call_ok(c, "schema.role.define", "%s", buf));
    role(c, "ombudsman (test)", d, "\"GM0200\"", "2022-01-01", "");
    itest_call_fail(c, KNOOP_ECONFLICT, "at most 2 at a time", "edge.create",
                    "{\"type\": \"ombudsman (test)\", \"source\": %lld, \"target\": \"GM0200\", "
                    "\"valid_from\": \"2023-01-01\"}",
                    (long long)a);
}

/* ---- corrections ---- */

/* Brummen (GM0214): a raadslid recorded for the wrong party is corrected with edge.update; the
 * correction has its history entry and the seat count follows. */
static void edge_update_corrects_namens_with_history_and_seat_count_follows(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t p = person(c, "T-UPD-P", "U.", "Pdate"), q = person(c, "T-UPD-Q", "Q.", "Pdate");
    json_int_t e = role(c, "raadslid", p, "\"GM0214\"", "2022-03-30",
                        ", \"props\": {\"namens\": \"Partij A\"}");
    json_t *r, *h;

    role(c, "raadslid", q, "\"GM0214\"", "2022-03-30", ", \"props\": {\"namens\": \"Partij A\"}");
    r = itest_call_ok(c, "query.seats", "{\"gemeente\": \"GM0214\", \"at\": \"2023-01-01\"}");
    assert_int_equal(seats_of(r, "Partij A"), 2);
    assert_int_equal(seats_of(r, "Partij B"), 0);
    json_decref(r);

    r = itest_call_ok(c, "edge.update",
                      "{\"id\": %lld, \"set\": {\"namens\": \"Partij B\"}, \"reason\": \"typo in "
                      "import\"}",
                      (long long)e);
    assert_true(json_is_true(json_object_get(r, "changed")));
    assert_string_equal(itest_jstr(json_object_get(json_object_get(r, "edge"), "props"), "namens"),
                        "Partij B");
    assert_int_equal(itest_jint(json_object_get(r, "edge"), "version"), 2);
    json_decref(r);
    r = itest_call_ok(c, "query.seats", "{\"gemeente\": \"GM0214\", \"at\": \"2023-01-01\"}");
    assert_int_equal(seats_of(r, "Partij A"), 1);
    assert_int_equal(seats_of(r, "Partij B"), 1);
    json_decref(r);

    r = itest_call_ok(c, "history.list", "{\"id\": %lld}", (long long)e);
    assert_int_equal(json_array_size(json_object_get(r, "entries")), 2);
    h = json_array_get(json_object_get(r, "entries"), 1);
    assert_string_equal(itest_jstr(h, "op"), "update");
    assert_string_equal(itest_jstr(h, "reason"), "typo in import");
    assert_string_equal(
        itest_jstr(json_object_get(json_object_get(h, "before"), "props"), "namens"), "Partij A");
    assert_string_equal(itest_jstr(json_object_get(json_object_get(h, "after"), "props"), "namens"),
                        "Partij B");
    json_decref(r);

    /* The same correction again changes nothing and writes nothing. */
    r = itest_call_ok(c, "edge.update", "{\"id\": %lld, \"set\": {\"namens\": \"Partij B\"}}",
                      (long long)e);
    assert_false(json_is_true(json_object_get(r, "changed")));
    json_decref(r);
    assert_int_equal(history_count(c, e, NULL), 2);
    /* Attributes are checked as on create; a bad one names the field. */
    itest_call_fail(c, KNOOP_EINVAL, "props.kleur", "edge.update",
                    "{\"id\": %lld, \"set\": {\"kleur\": \"rood\"}}", (long long)e);
    itest_call_fail(c, KNOOP_EINVAL, "valid_to", "edge.update",
                    "{\"id\": %lld, \"valid_to\": \"2020-01-01\"}", (long long)e);
    itest_call_fail(c, KNOOP_ENOTFOUND, "", "edge.update", "{\"id\": 99999999, \"set\": {}}");
}

/* Apeldoorn (GM0200): a loco-burgemeester role held on behalf of a wethouder role ended with it;
 * correcting the wethouder's end moves the loco's end with it, later and earlier. */
static void edge_update_of_a_base_roles_end_moves_the_ends_it_caused(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t p = person(c, "T-CAS-P", "C.", "Cascade");
    json_int_t weth = role(c, "wethouder", p, "\"GM0200\"", "2022-06-01",
                           ", \"props\": {\"portefeuilles\": [\"Milieu\"]}");
    json_int_t loco;
    json_t *r;
    char x[96];

    snprintf(x, sizeof(x), ", \"on_behalf_of\": %lld", (long long)weth);
    loco = role(c, "loco-burgemeester", p, "\"GM0200\"", "2022-06-01", x);
    json_decref(
        itest_call_ok(c, "edge.end", "{\"id\": %lld, \"on\": \"2024-01-01\"}", (long long)weth));
    r = itest_call_ok(c, "edge.get", "{\"id\": %lld}", (long long)loco);
    assert_string_equal(itest_jstr(r, "valid_to"), "2024-01-01");
    json_decref(r);

    r = itest_call_ok(c, "edge.update", "{\"id\": %lld, \"valid_to\": \"2024-03-01\"}",
                      (long long)weth);
    assert_int_equal(json_array_size(json_object_get(r, "moved")), 1);
    assert_int_equal(itest_jint(json_array_get(json_object_get(r, "moved"), 0), "id"), loco);
    json_decref(r);
    r = itest_call_ok(c, "edge.get", "{\"id\": %lld}", (long long)loco);
    assert_string_equal(itest_jstr(r, "valid_to"), "2024-03-01");
    json_decref(r);
    /* Reopening the base role reopens what its end had ended. */
    r = itest_call_ok(c, "edge.update", "{\"id\": %lld, \"reopen\": true}", (long long)weth);
    json_decref(r);
    r = itest_call_ok(c, "edge.get", "{\"id\": %lld}", (long long)loco);
    assert_true(json_is_null(json_object_get(r, "valid_to")));
    json_decref(r);
    /* An earlier end ends the dependent role too. */
    json_decref(itest_call_ok(c, "edge.update", "{\"id\": %lld, \"valid_to\": \"2023-01-01\"}",
                              (long long)weth));
    r = itest_call_ok(c, "edge.get", "{\"id\": %lld}", (long long)loco);
    assert_string_equal(itest_jstr(r, "valid_to"), "2023-01-01");
    json_decref(r);
    assert_int_equal(history_count(c, loco, "update"), 3);
}

/* Arnhem (GM0202): edge.put of the same role with a changed attribute updates it and answers
 * changed: true; the same edge.put again writes nothing. */
static void edge_put_with_changed_attributes_updates_them(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t p = person(c, "T-PUT-P", "P.", "Put");
    const char *fmt = "{\"type\": \"raadslid\", \"source\": %lld, \"target\": \"GM0202\", "
                      "\"valid_from\": \"2022-03-30\", \"props\": {\"namens\": \"%s\"}}";
    json_t *r;
    json_int_t id;

    r = itest_call_ok(c, "edge.put", fmt, (long long)p, "Oud");
    assert_true(json_is_true(json_object_get(r, "created")));
    assert_false(json_is_true(json_object_get(r, "changed")));
    id = itest_jint(json_object_get(r, "edge"), "id");
    json_decref(r);
    r = itest_call_ok(c, "edge.put", fmt, (long long)p, "Nieuw");
    assert_false(json_is_true(json_object_get(r, "created")));
    assert_true(json_is_true(json_object_get(r, "changed")));
    assert_int_equal(itest_jint(json_object_get(r, "edge"), "id"), id);
    assert_string_equal(itest_jstr(json_object_get(json_object_get(r, "edge"), "props"), "namens"),
                        "Nieuw");
    json_decref(r);
    r = itest_call_ok(c, "edge.put", fmt, (long long)p, "Nieuw");
    assert_false(json_is_true(json_object_get(r, "created")));
    assert_false(json_is_true(json_object_get(r, "changed")));
    json_decref(r);
    assert_int_equal(history_count(c, id, NULL), 2);
}

/* ---- immutable contacts ---- */

/* Every generic method that would touch a klantcontact's edges is refused, and nothing changes. */
static void generic_methods_on_a_klantcontacts_edges_are_refused(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t partij, actor, other, kc, bet = 0, had = 0;
    json_t *r, *e;
    size_t i;

    r = itest_call_ok(
        c, "node.create",
        "{\"kind\": \"person\", \"props\": {\"name\": \"Burger KC\", \"key\": \"T-KC-P\"}}");
    partij = itest_jint(r, "id");
    json_decref(r);
    r = itest_call_ok(c, "node.create",
                      "{\"kind\": \"person\", \"props\": {\"name\": \"Medewerker KC\", \"key\": "
                      "\"T-KC-A\", \"actor\": true, \"actoridentificator\": \"mdw-kc\"}}");
    actor = itest_jint(r, "id");
    json_decref(r);
    other = person(c, "T-KC-O", "O.", "Ander");
    r = itest_call_ok(c, "contact.register",
                      "{\"kanaal\": \"e-mail\", \"onderwerp\": \"Vraag\", \"plaatsgevondenOp\": "
                      "\"2024-04-02T09:00:00Z\", \"betrokkenen\": [{\"partij\": %lld, \"rol\": "
                      "\"klant\"}], \"actoren\": [%lld]}",
                      (long long)partij, (long long)actor);
    kc = itest_jint(json_object_get(r, "klantcontact"), "id");
    json_decref(r);
    r = itest_call_ok(c, "edge.list", "{\"node\": %lld}", (long long)kc);
    json_array_foreach(json_object_get(r, "edges"), i, e)
    {
        if (strcmp(itest_jstr(e, "type"), "betrokkene") == 0)
            bet = itest_jint(e, "id");
        if (strcmp(itest_jstr(e, "type"), "had_contact") == 0)
            had = itest_jint(e, "id");
    }
    json_decref(r);
    assert_true(bet != 0 && had != 0);

    itest_call_fail(c, KNOOP_ECONFLICT, "immutable", "edge.end",
                    "{\"id\": %lld, \"on\": \"2025-01-01\"}", (long long)bet);
    itest_call_fail(c, KNOOP_ECONFLICT, "immutable", "edge.update",
                    "{\"id\": %lld, \"set\": {\"rol\": \"getuige\"}}", (long long)bet);
    itest_call_fail(c, KNOOP_ECONFLICT, "immutable", "edge.update",
                    "{\"id\": %lld, \"valid_to\": \"2025-01-01\"}", (long long)had);
    itest_call_fail(
        c, KNOOP_ECONFLICT, "immutable", "edge.create",
        "{\"type\": \"betrokkene\", \"source\": %lld, \"target\": %lld, \"valid_from\": "
        "\"2024-04-02\", \"props\": {\"rol\": \"klant\"}}",
        (long long)other, (long long)kc);
    itest_call_fail(
        c, KNOOP_ECONFLICT, "immutable", "edge.create",
        "{\"type\": \"volgt (test)\", \"source\": %lld, \"target\": %lld, \"valid_from\": "
        "\"2024-04-02\"}",
        (long long)other, (long long)kc);
    itest_call_fail(
        c, KNOOP_ECONFLICT, "immutable", "edge.put",
        "{\"type\": \"betrokkene\", \"source\": %lld, \"target\": %lld, \"valid_from\": "
        "\"2024-04-02\", \"props\": {\"rol\": \"getuige\"}}",
        (long long)partij, (long long)kc);
    itest_call_fail(c, KNOOP_ECONFLICT, "immutable", "node.delete",
                    "{\"id\": %lld, \"cascade\": true}", (long long)partij);
    itest_call_fail(c, KNOOP_ECONFLICT, "immutable", "node.delete",
                    "{\"id\": %lld, \"cascade\": true}", (long long)actor);
    itest_call_fail(c, KNOOP_ECONFLICT, "immutable", "batch",
                    "{\"ops\": [{\"method\": \"edge.end\", \"params\": {\"id\": %lld, \"on\": "
                    "\"2025-01-01\"}}]}",
                    (long long)bet);
    /* Nothing changed: the edges are as registered, each with its one history entry. */
    r = itest_call_ok(c, "edge.get", "{\"id\": %lld}", (long long)bet);
    assert_int_equal(itest_jint(r, "version"), 1);
    assert_string_equal(itest_jstr(json_object_get(r, "props"), "rol"), "klant");
    json_decref(r);
    assert_int_equal(history_count(c, bet, NULL), 1);
    assert_int_equal(history_count(c, had, NULL), 1);
    r = itest_call_ok(c, "contact.get", "{\"id\": %lld}", (long long)kc);
    assert_int_equal(json_array_size(json_object_get(r, "betrokkenen")), 1);
    json_decref(r);
}

/* ---- mergers (herindeling) ---- */

/* The woonplaatsen of woonplaatsen.csv (the CBS 2018 edition) whose 2018 gemeente is one of
 * codes, as a JSON array of places.sync entries in gemeente `as` (NULL: their 2018 gemeente),
 * into buf. Returns how many. */
static size_t real_places_of(const char *const *codes, const char *as, char *buf, size_t sz)
{
    FILE *f = fopen(ITEST_DATA_DIR "/woonplaatsen.csv", "r");
    char line[1024];
    size_t n = 0, o = 0;
    assert_non_null(f);
    o += (size_t)snprintf(buf + o, sz - o, "[");
    while (fgets(line, sizeof(line), f) != NULL) {
        char *field[7] = { 0 }, *p = line;
        int k = 0;
        while (k < 7 && p != NULL) {
            field[k++] = p;
            if ((p = strchr(p, ',')) != NULL)
                *p++ = '\0';
        }
        if (k < 3)
            continue;
        for (int i = 0; codes[i] != NULL; i++)
            if (strcmp(field[2], codes[i]) == 0) {
                o += (size_t)snprintf(buf + o, sz - o,
                                      "%s{\"code\": %s, \"name\": \"%s\", \"gemeente\": \"%s\"}",
                                      n ? ", " : "", field[0], field[1], as ? as : codes[i]);
                n++;
            }
    }
    fclose(f);
    assert_true(o + 2 < sz);
    snprintf(buf + o, sz - o, "]");
    return n;
}

static size_t places_at(knoop_conn_t *c, const char *gemeente, const char *at)
{
    json_t *r =
        itest_call_ok(c, "query.places", "{\"gemeente\": \"%s\", \"at\": \"%s\"}", gemeente, at);
    size_t n = json_array_size(json_object_get(r, "places"));
    json_decref(r);
    return n;
}

/* The member keys of node on date at, as "GM0501 GM0530 " (in answer order). */
static void members_at(knoop_conn_t *c, const char *node, const char *at, char *out, size_t sz)
{
    json_t *r = itest_call_ok(c, "query.members", "{\"node\": \"%s\", \"at\": \"%s\"}", node, at),
           *m;
    size_t i, o = 0;
    out[0] = '\0';
    json_array_foreach(json_object_get(r, "members"), i, m)
    {
        o +=
            (size_t)snprintf(out + o, sz - o, "%s ", itest_jstr(json_object_get(m, "node"), "key"));
    }
    json_decref(r);
}

static bool found_at(knoop_conn_t *c, const char *code, const char *at)
{
    json_t *r =
               itest_call_ok(c, "node.find",
                             "{\"kind\": \"organisation\", \"type\": \"gemeente\", \"at\": \"%s\", "
                             "\"limit\": 1000}",
                             at),
           *n;
    size_t i;
    bool found = false;
    json_array_foreach(json_object_get(r, "nodes"), i, n)
    {
        found = found || strcmp(itest_jstr(json_object_get(n, "props"), "cbs_code"), code) == 0;
    }
    json_decref(r);
    return found;
}

static json_int_t gm_edge(knoop_conn_t *c, const char *type, const char *src, const char *tgt,
                          const char *from, const char *extra)
{
    json_t *e = itest_call_ok(c, "edge.create",
                              "{\"type\": \"%s\", \"source\": %s, \"target\": %s, \"valid_from\": "
                              "\"%s\"%s}",
                              type, src, tgt, from, extra);
    json_int_t id = itest_jint(e, "id");
    json_decref(e);
    return id;
}

static void expect_valid_to(knoop_conn_t *c, json_int_t edge, const char *to)
{
    json_t *r = itest_call_ok(c, "edge.get", "{\"id\": %lld}", (long long)edge);
    if (to == NULL)
        assert_true(json_is_null(json_object_get(r, "valid_to")));
    else
        assert_string_equal(itest_jstr(r, "valid_to"), to);
    json_decref(r);
}

/*
 * The merger of 1 January 2023: Brielle (GM0501), Hellevoetsluis (GM0530) and Westvoorne (GM0614)
 * into Voorne aan Zee (GM1992). herindelingen.csv names no successor for it (nlextract rows), so
 * its import only ends the three; the merger itself is recorded with gemeente.merge. Their real
 * woonplaatsen (woonplaatsen.csv, 2018) are loaded at them; the body and the roles are test data.
 */
static void merger_of_three_real_gemeenten_answers_places_and_members_around_the_day(void **state)
{
    knoop_conn_t *c = *state;
    static const char *const olds[] = { "GM0501", "GM0530", "GM0614", NULL };
    static const char *const brielle[] = { "GM0501", NULL };
    static char places[16384], now[16384];
    char mem[256], src[32];
    itest_run_t run;
    json_int_t burg, weth, loco, raad, later;
    json_t *r;
    char x[96];

    knoop(&run, "import", ITEST_DATA_DIR "/herindelingen.csv", NULL);
    expect_status(&run, 0);
    expect_in(run.err, "the file names no successor of Brielle (GM0501): it ends on 2023-01-01");
    itest_run_free(&run);
    assert_true(found_at(c, "GM0501", "2022-12-31"));
    assert_false(found_at(c, "GM0501", "2023-01-01"));
    assert_false(found_at(c, "GM1992", "2022-12-31"));
    assert_true(found_at(c, "GM1992", "2023-01-01"));

    assert_int_equal(real_places_of(olds, NULL, places, sizeof(places)), 8);
    json_decref(
        itest_call_ok(c, "places.sync", "{\"places\": %s, \"on\": \"2018-01-01\"}", places));
    assert_int_equal(places_at(c, "GM0501", "2022-12-31"), 3);

    json_decref(itest_call_ok(c, "node.create",
                              "{\"kind\": \"body\", \"props\": {\"name\": \"Samenwerking Voorne "
                              "(test)\", \"key\": \"T-MERGE-BODY\"}}"));
    gm_edge(c, "deelnemer", "\"GM0501\"", "\"T-MERGE-BODY\"", "2018-01-01", "");
    gm_edge(c, "deelnemer", "\"GM0530\"", "\"T-MERGE-BODY\"", "2018-01-01", "");
    later = gm_edge(c, "deelnemer", "\"GM0614\"", "\"T-MERGE-BODY\"", "2018-01-01",
                    ", \"valid_to\": \"2022-06-01\"");
    snprintf(src, sizeof(src), "%lld", (long long)person(c, "T-MERGE-B", "B.", "Burg"));
    burg = gm_edge(c, "burgemeester", src, "\"GM0614\"", "2018-01-01", "");
    weth = gm_edge(c, "wethouder", src, "\"GM0530\"", "2018-01-01", "");
    snprintf(x, sizeof(x), ", \"on_behalf_of\": %lld", (long long)weth);
    loco = gm_edge(c, "loco-burgemeester", src, "\"GM0530\"", "2018-01-01", x);
    snprintf(src, sizeof(src), "%lld", (long long)person(c, "T-MERGE-R", "R.", "Raad"));
    raad = gm_edge(c, "raadslid", src, "\"GM0501\"", "2018-03-29",
                   ", \"props\": {\"namens\": \"Partij V\"}");

    r = itest_call_ok(
        c, "gemeente.merge",
        "{\"from\": [\"GM0501\", \"GM0530\", \"GM0614\"], \"into\": \"GM1992\", \"on\": "
        "\"2023-01-01\", \"reason\": \"herindeling Voorne aan Zee\"}");
    assert_true(json_is_true(json_object_get(r, "changed")));
    assert_int_equal(json_array_size(json_object_get(r, "places_moved")), 8);
    assert_int_equal(json_array_size(json_object_get(r, "memberships")), 1);
    json_decref(r);

    /* The day before: the old gemeenten with their places, members, roles; the day itself: the
     * new one. */
    assert_int_equal(places_at(c, "GM0501", "2022-12-31"), 3);
    assert_int_equal(places_at(c, "GM0530", "2022-12-31"), 2);
    assert_int_equal(places_at(c, "GM0614", "2022-12-31"), 3);
    assert_int_equal(places_at(c, "GM1992", "2022-12-31"), 0);
    for (int i = 0; olds[i] != NULL; i++)
        assert_int_equal(places_at(c, olds[i], "2023-01-01"), 0);
    assert_int_equal(places_at(c, "GM1992", "2023-01-01"), 8);
    members_at(c, "T-MERGE-BODY", "2022-12-31", mem, sizeof(mem));
    assert_string_equal(mem, "GM0501 GM0530 ");
    members_at(c, "T-MERGE-BODY", "2023-01-01", mem, sizeof(mem));
    assert_string_equal(mem, "GM1992 ");
    expect_valid_to(c, later, "2022-06-01"); /* ended before: left as it was */
    expect_valid_to(c, burg, "2023-01-01");
    expect_valid_to(c, weth, "2023-01-01");
    expect_valid_to(c, loco, "2023-01-01");
    expect_valid_to(c, raad, "2023-01-01");
    r = itest_call_ok(c, "node.get", "{\"id\": \"GM0530\"}");
    assert_string_equal(itest_jstr(json_object_get(r, "props"), "end_date"), "2023-01-01");
    assert_string_equal(itest_jstr(json_object_get(r, "props"), "opgegaan_in"), "GM1992");
    json_decref(r);

    /* The same merger again finds nothing left to do. */
    r = itest_call_ok(
        c, "gemeente.merge",
        "{\"from\": [\"GM0501\", \"GM0530\", \"GM0614\"], \"into\": \"GM1992\", \"on\": "
        "\"2023-01-01\"}");
    assert_false(json_is_true(json_object_get(r, "changed")));
    json_decref(r);

    /* A repeated places.sync with the places at Voorne aan Zee keeps history intact. */
    real_places_of(olds, "GM1992", now, sizeof(now));
    r = itest_call_ok(c, "places.sync", "{\"places\": %s, \"on\": \"2025-01-01\"}", now);
    assert_int_equal(itest_jint(r, "unchanged"), 8);
    json_decref(r);
    assert_int_equal(places_at(c, "GM0501", "2022-12-31"), 3);
    assert_int_equal(places_at(c, "GM1992", "2023-01-01"), 8);

    /* A place that moves in a sync ends at the old gemeente and starts at the new one on the
     * sync date (Zwartewaal to Nissewaard, GM1930: a move made up for the test). */
    real_places_of(brielle, NULL, places, sizeof(places));
    {
        char *z = strstr(now, "\"Zwartewaal\", \"gemeente\": \"GM1992\"");
        assert_non_null(z);
        memcpy(z + strlen("\"Zwartewaal\", \"gemeente\": \""), "GM1930", 6);
    }
    json_decref(itest_call_ok(c, "places.sync", "{\"places\": %s, \"on\": \"2025-06-01\"}", now));
    assert_int_equal(places_at(c, "GM1992", "2025-05-31"), 8);
    assert_int_equal(places_at(c, "GM1992", "2025-06-01"), 7);
    assert_int_equal(places_at(c, "GM1930", "2025-05-31"), 0);
    assert_int_equal(places_at(c, "GM1930", "2025-06-01"), 1);
    assert_int_equal(places_at(c, "GM0501", "2022-12-31"), 3);
    json_decref(itest_call_ok(c, "places.sync", "{\"places\": %s, \"on\": \"2025-07-01\"}", now));
    assert_int_equal(places_at(c, "GM1992", "2025-05-31"), 8);
    /* Records, adjacency, indexes and history still agree. */
    r = itest_call_ok(c, "admin.check", "{}");
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
}

/* Merger errors name the parameter, and a refused merger writes nothing. */
static void merger_errors_name_the_parameter_and_write_nothing(void **state)
{
    knoop_conn_t *c = *state;
    json_t *r;
    itest_call_fail(c, KNOOP_EINVAL, "params.from[0]: node", "gemeente.merge",
                    "{\"from\": [\"NL-UT\"], \"into\": \"GM0344\", \"on\": \"2030-01-01\"}");
    itest_call_fail(c, KNOOP_EINVAL, "params.from[1]: GM0307 is given twice", "gemeente.merge",
                    "{\"from\": [\"GM0307\", \"GM0307\"], \"into\": \"GM0344\", \"on\": "
                    "\"2030-01-01\"}");
    itest_call_fail(c, KNOOP_EINVAL, "params.from[0]: GM0344 is also params.into", "gemeente.merge",
                    "{\"from\": [\"GM0344\"], \"into\": \"GM0344\", \"on\": \"2030-01-01\"}");
    itest_call_fail(c, KNOOP_ENOTFOUND, "params.into: no node has external key 'GM9999'",
                    "gemeente.merge",
                    "{\"from\": [\"GM0307\"], \"into\": \"GM9999\", \"on\": "
                    "\"2030-01-01\"}");
    itest_call_fail(
        c, KNOOP_EINVAL, "params.into.cbs_code", "gemeente.merge",
        "{\"from\": [\"GM0307\"], \"into\": {\"name\": \"Nieuw\"}, \"on\": \"2030-01-01\"}");
    r = itest_call_ok(c, "node.get", "{\"id\": \"GM0307\"}");
    assert_null(json_object_get(json_object_get(r, "props"), "end_date"));
    json_decref(r);
    /* A new gemeente given by its properties is created, begins on the day, lies in its
     * province. */
    r = itest_call_ok(
        c, "gemeente.merge",
        "{\"from\": [\"GM0307\"], \"into\": {\"cbs_code\": \"GM9001\", \"name\": "
        "\"Testgemeente (test)\", \"provincie\": \"NL-UT\"}, \"on\": \"2030-01-01\"}");
    assert_true(json_is_true(json_object_get(r, "created")));
    json_decref(r);
    r = itest_call_ok(c, "node.get", "{\"id\": \"GM9001\"}");
    assert_string_equal(itest_jstr(json_object_get(r, "props"), "begin_date"), "2030-01-01");
    json_decref(r);
    itest_call_fail(c, KNOOP_ECONFLICT, "already ended on 2030-01-01", "gemeente.merge",
                    "{\"from\": [\"GM0307\"], \"into\": \"GM0344\", \"on\": \"2031-01-01\"}");
}

/* ---- lists of values ---- */

/* Redefining a list so that a code stored data uses disappears is refused with how many use it;
 * dropping an unused code is fine, and unrelated updates of the gemeente still work. */
static void list_shrink_in_use_is_refused_and_unrelated_updates_still_work(void **state)
{
    knoop_conn_t *c = *state;
    json_t *r;
    json_decref(
        itest_call_ok(c, "schema.list.define",
                      "{\"name\": \"T-kleur\", \"values\": [\"rood\", \"groen\", \"blauw\"]}"));
    json_decref(itest_call_ok(c, "schema.field.define",
                              "{\"name\": \"t_kleur\", \"kind\": \"organisation\", \"type\": "
                              "\"gemeente\", \"value_type\": \"list\", \"list\": \"T-kleur\"}"));
    json_decref(
        itest_call_ok(c, "node.update", "{\"id\": \"GM0363\", \"set\": {\"t_kleur\": \"rood\"}}"));
    json_decref(
        itest_call_ok(c, "node.update", "{\"id\": \"GM0518\", \"set\": {\"t_kleur\": \"rood\"}}"));
    itest_call_fail(
        c, KNOOP_ECONFLICT,
        "code 'rood' of list T-kleur is in use by 2 nodes (organisation gemeente.t_kleur)",
        "schema.list.define", "{\"name\": \"T-kleur\", \"values\": [\"groen\"]}");
    r = itest_call_ok(c, "schema.list.get", "{\"name\": \"T-kleur\"}");
    assert_int_equal(itest_jint(r, "count"), 3);
    json_decref(r);
    /* An unused code may go. */
    r = itest_call_ok(c, "schema.list.define",
                      "{\"name\": \"T-kleur\", \"values\": [\"rood\", "
                      "\"groen\"]}");
    assert_int_equal(itest_jint(r, "count"), 2);
    json_decref(r);
    r = itest_call_ok(c, "node.update", "{\"id\": \"GM0363\", \"set\": {\"inwoners\": 931298}}");
    assert_string_equal(itest_jstr(json_object_get(r, "props"), "t_kleur"), "rood");
    json_decref(r);
    /* New writes still check the list. */
    itest_call_fail(c, KNOOP_EINVAL, "props.t_kleur", "node.update",
                    "{\"id\": \"GM0363\", \"set\": {\"t_kleur\": \"blauw\"}}");
}

/* ---- errors are valid UTF-8 ---- */

static bool valid_utf8(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        int n = *s < 0x80 ? 1 : (*s >> 5) == 6 ? 2 : (*s >> 4) == 14 ? 3 : (*s >> 3) == 30 ? 4 : 0;
        if (n == 0 || (n == 2 && *s < 0xc2))
            return false;
        for (int i = 1; i < n; i++)
            if ((s[i] & 0xc0) != 0x80)
                return false;
        s += n;
    }
    return true;
}

/* node.get {"id": "a" + "é" x 100}: the quoted key in the not_found message is cut between
 * characters, and an invalid byte in the input is escaped. */
static void error_messages_quote_input_as_valid_utf8(void **state)
{
    knoop_conn_t *c = *state;
    char params[512], *p = params;
    knoop_error_t err;
    json_t *j;
    int rc;

    p += sprintf(p, "{\"id\": \"a");
    for (int i = 0; i < 100; i++)
        p += sprintf(p, "\xc3\xa9");
    sprintf(p, "\"}");
    j = itest_call(c, "node.get", params, &rc, &err);
    json_decref(j);
    assert_int_equal(rc, KNOOP_ENOTFOUND);
    assert_true(valid_utf8(err.msg));
    expect_in(err.msg, "no node has external key 'a\xc3\xa9\xc3\xa9");
    expect_in(err.msg, "...");
}

/* ---- faithful imports ---- */

/* Writes len bytes of data to file name in the server's temporary directory; path gets it. */
static void write_file(const char *name, const char *data, size_t len, char *path, size_t sz)
{
    FILE *f;
    snprintf(path, sz, "%s/%s", srv.dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static size_t nodes_with_key_prefix(knoop_conn_t *c, const char *prefix)
{
    json_t *r = itest_call_ok(c, "node.find", "{\"kind\": \"organisation\", \"limit\": 100000}"),
           *n;
    size_t i, k = 0;
    json_array_foreach(json_object_get(r, "nodes"), i, n)
    {
        k += strncmp(itest_jstr(json_object_get(n, "props"), "key"), prefix, strlen(prefix)) == 0;
    }
    json_decref(r);
    return k;
}

/* A cell with invalid UTF-8 or a NUL byte is a file:line: column: reason error, and the whole
 * file is refused: before, the first dropped its row and the second made two rows one node. */
static void import_refuses_invalid_utf8_and_nul_cells_and_writes_nothing(void **state)
{
    knoop_conn_t *c = *state;
    static const char csv[] = "kind,type,name,key\n"
                              "organisation,overig,Goed,T-IMP-1\n"
                              "organisation,overig,Fo\xffut,T-IMP-2\n"
                              "organisation,overig,Twee,T-IMP-3\x00"
                              "a\n"
                              "organisation,overig,Drie,T-IMP-3\x00"
                              "b\n";
    char path[400];
    itest_run_t r;

    write_file("bad.csv", csv, sizeof(csv) - 1, path, sizeof(path));
    knoop(&r, "import", path, NULL);
    expect_status(&r, 1);
    expect_in(r.err, "bad.csv:3: column name: invalid UTF-8 at byte 3 (0xff)");
    expect_in(r.err, "bad.csv:4: column key: a NUL byte at byte 8");
    expect_in(r.err, "bad.csv:5: column key: a NUL byte at byte 8");
    expect_in(r.err, "3 bad rows; nothing imported from this file");
    itest_run_free(&r);
    assert_int_equal(nodes_with_key_prefix(c, "T-IMP-"), 0);
}

/* A cell over the server's string limit is a clear too_large row error, not a reset
 * connection; the server still answers. */
static void import_reports_a_cell_over_the_string_limit_as_too_large(void **state)
{
    knoop_conn_t *c = *state;
    size_t big = 1024 * 1024 + 10, n;
    char *csv = malloc(big + 200), path[400];
    itest_run_t r;
    json_t *j;

    assert_non_null(csv);
    n = (size_t)sprintf(csv, "kind,type,name,key,toelichting\norganisation,overig,Groot,T-BIG-1,");
    memset(csv + n, 'x', big);
    n += big;
    n += (size_t)sprintf(csv + n, "\norganisation,overig,Klein,T-BIG-2,kort\n");
    write_file("big.csv", csv, n, path, sizeof(path));
    free(csv);
    knoop(&r, "import", path, NULL);
    expect_status(&r, 1);
    expect_in(r.err, "big.csv:2: column toelichting: 1048586 bytes, more than the server's string "
                     "limit of 1048576 bytes (too_large)");
    itest_run_free(&r);
    assert_int_equal(nodes_with_key_prefix(c, "T-BIG-"), 0);
    j = itest_call_ok(c, "ping", "{}");
    json_decref(j);
}

/* Names of every kind refuse control characters over the protocol too (NUL included: the unit
 * test of the schema sends it; JSON text here cannot carry it). */
static void organisation_name_refuses_nul_and_control_characters(void **state)
{
    knoop_conn_t *c = *state;
    itest_call_fail(c, KNOOP_EINVAL, "props.name: control character at byte 3", "node.create",
                    "{\"kind\": \"organisation\", \"props\": {\"name\": \"Fou\\u0001t\", \"key\": "
                    "\"T-NAME-1\"}}");
    itest_call_fail(
        c, KNOOP_EINVAL, "props.name: control character", "node.create",
        "{\"kind\": \"body\", \"props\": {\"name\": \"Bel\\u0007\", \"key\": \"T-NAME-2\"}}");
    itest_call_fail(c, KNOOP_EINVAL, "props.name: control character", "node.update",
                    "{\"id\": \"GM0363\", \"set\": {\"name\": \"Amster\\ndam\"}}");
}

/* knoop edge update corrects a role from the command line; a call without a correction is a
 * usage error. */
static void cli_edge_update_corrects_a_role(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t p = person(c, "T-CLI-P", "C.", "Li");
    json_int_t e =
        role(c, "raadslid", p, "\"GM0307\"", "2022-03-30", ", \"props\": {\"namens\": \"Oud\"}");
    char id[32];
    itest_run_t r;
    json_t *j;

    snprintf(id, sizeof(id), "%lld", (long long)e);
    knoop(&r, "edge", "update", id, "--set", "namens=Nieuw", "--to", "2026-04-01", "--reason",
          "correctie", NULL);
    expect_status(&r, 0);
    expect_in(r.out, "changed            true");
    itest_run_free(&r);
    j = itest_call_ok(c, "edge.get", "{\"id\": %lld}", (long long)e);
    assert_string_equal(itest_jstr(json_object_get(j, "props"), "namens"), "Nieuw");
    assert_string_equal(itest_jstr(j, "valid_to"), "2026-04-01");
    json_decref(j);
    knoop(&r, "edge", "update", id, NULL);
    expect_status(&r, 2);
    expect_in(r.err, "nothing to correct");
    itest_run_free(&r);
}

int main(void)
{
    int rc;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            second_burgemeester_is_refused_and_waarnemend_alongside_is_allowed, conn_setup,
            conn_teardown),
        cmocka_unit_test_setup_teardown(overlapping_duplicate_raadslid_is_refused, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(
            run_time_role_rules_and_schema_check_reports_existing_violations, conn_setup,
            conn_teardown),
        cmocka_unit_test_setup_teardown(
            edge_update_corrects_namens_with_history_and_seat_count_follows, conn_setup,
            conn_teardown),
        cmocka_unit_test_setup_teardown(edge_update_of_a_base_roles_end_moves_the_ends_it_caused,
                                        conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(edge_put_with_changed_attributes_updates_them, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(generic_methods_on_a_klantcontacts_edges_are_refused,
                                        conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(
            merger_of_three_real_gemeenten_answers_places_and_members_around_the_day, conn_setup,
            conn_teardown),
        cmocka_unit_test_setup_teardown(merger_errors_name_the_parameter_and_write_nothing,
                                        conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(
            list_shrink_in_use_is_refused_and_unrelated_updates_still_work, conn_setup,
            conn_teardown),
        cmocka_unit_test_setup_teardown(error_messages_quote_input_as_valid_utf8, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(
            import_refuses_invalid_utf8_and_nul_cells_and_writes_nothing, conn_setup,
            conn_teardown),
        cmocka_unit_test_setup_teardown(import_reports_a_cell_over_the_string_limit_as_too_large,
                                        conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(organisation_name_refuses_nul_and_control_characters,
                                        conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(cli_edge_update_corrects_a_role, conn_setup, conn_teardown),
    };
    rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    if (rc == 0 && srv_exit != 0)
        rc = 1;
    return rc;
}
