/*
 * test_contact.c - the contact administration (contact.*, task.*, list.*) and its CLI and
 * Klantinteracties export against a real knoopd (layer: tests/integration).
 *
 * One knoopd serves the group; each test opens its own connection and creates its own persons,
 * actors and organisations (external keys carry the test's name, so tests do not collide). The
 * atomicity test runs first, while no klantcontact exists yet.
 */
#include <setjmp.h>
#include <stdarg.h>
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

static itest_server_t srv;
static int srv_exit = -1;

/* ---- helpers ---- */

/* Calls, asserts failure with code, and copies the message into msg. */
static void call_fail(knoop_conn_t *c, int code, char *msg, size_t msgsz, const char *method,
                      const char *fmt, ...)
{
    char params[8192];
    knoop_error_t err;
    va_list ap;
    json_t *j;
    int rc;

    va_start(ap, fmt);
    vsnprintf(params, sizeof(params), fmt, ap);
    va_end(ap);
    j = itest_call(c, method, params, &rc, &err);
    if (rc != code)
        fail_msg("%s %s: expected %s, got %s: %s", method, params, knoop_err_wire(code),
                 rc ? knoop_err_wire(rc) : "success", rc ? err.msg : "");
    json_decref(j);
    if (msg != NULL)
        snprintf(msg, msgsz, "%s", err.msg);
}

static void expect_in(const char *msg, const char *part)
{
    if (strstr(msg, part) == NULL)
        fail_msg("message '%s' does not contain '%s'", msg, part);
}

static json_int_t jid(const json_t *o)
{
    const json_t *v = json_object_get(o, "id");
    if (!json_is_integer(v))
        fail_msg("no integer id");
    return json_integer_value(v);
}

static const char *jprop(const json_t *node, const char *k)
{
    return json_string_value(json_object_get(json_object_get(node, "props"), k));
}

static json_int_t node(knoop_conn_t *c, const char *kind, const char *type, const char *props)
{
    json_t *n;
    json_int_t id;
    if (type != NULL)
        n = itest_call_ok(c, "node.create", "{\"kind\": \"%s\", \"type\": \"%s\", \"props\": %s}",
                          kind, type, props);
    else
        n = itest_call_ok(c, "node.create", "{\"kind\": \"%s\", \"props\": %s}", kind, props);
    id = jid(n);
    json_decref(n);
    return id;
}

/* A citizen (partij) and a VNG employee (actor) with keys prefix-P and prefix-A. */
static void people(knoop_conn_t *c, const char *prefix, json_int_t *partij, json_int_t *actor)
{
    char p[256];
    snprintf(p, sizeof(p), "{\"name\": \"Burger %s\", \"key\": \"%s-P\"}", prefix, prefix);
    *partij = node(c, "person", NULL, p);
    snprintf(p, sizeof(p),
             "{\"name\": \"Medewerker %s\", \"key\": \"%s-A\", \"actor\": true, "
             "\"actoridentificator\": \"mdw-%s\"}",
             prefix, prefix, prefix);
    *actor = node(c, "person", NULL, p);
}

static json_int_t count_contacts(knoop_conn_t *c)
{
    json_t *r = itest_call_ok(c, "node.find", "{\"kind\": \"contact\"}");
    json_int_t n = (json_int_t)json_array_size(json_object_get(r, "nodes"));
    json_decref(r);
    return n;
}

/* Runs the knoop CLI with the NULL-terminated arguments against srv. */
static void knoop(itest_run_t *r, ...)
{
    const char *argv[48];
    va_list ap;
    int n = 0;

    argv[n++] = itest_path("KNOOP_CLI", ITEST_KNOOP_CLI);
    va_start(ap, r);
    while (n < 47 && (argv[n] = va_arg(ap, const char *)) != NULL)
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

static json_t *knoop_json(int status, itest_run_t *r)
{
    json_t *j;
    if (r->status != status)
        fail_msg("exit status %d, expected %d\nstdout: %s\nstderr: %s", r->status, status, r->out,
                 r->err);
    if (status != 0)
        return NULL;
    j = json_loads(r->out, 0, NULL);
    if (j == NULL)
        fail_msg("not JSON: %s", r->out);
    return j;
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
    (void)state;
    return itest_server_start(&srv, NULL);
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

/* ---- tests ---- */

static void bad_betrokkene_writes_nothing(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t partij, actor;
    char msg[KNOOP_ERROR_MSG_MAX];

    people(c, "atom", &partij, &actor);
    assert_int_equal(count_contacts(c), 0);
    call_fail(c, KNOOP_ENOTFOUND, msg, sizeof(msg), "contact.register",
              "{\"kanaal\": \"telefoon\", \"onderwerp\": \"Vraag\", "
              "\"plaatsgevondenOp\": \"2024-03-01T10:30:00+01:00\", "
              "\"betrokkenen\": [{\"partij\": %lld, \"rol\": \"klant\"}, "
              "{\"partij\": 999999, \"rol\": \"klant\"}], \"actoren\": [%lld]}",
              (long long)partij, (long long)actor);
    expect_in(msg, "params.betrokkenen[1].partij: node 999999 does not exist");
    call_fail(c, KNOOP_ENOTFOUND, msg, sizeof(msg), "contact.register",
              "{\"kanaal\": \"telefoon\", \"onderwerp\": \"Vraag\", "
              "\"plaatsgevondenOp\": \"2024-03-01T10:30:00Z\", "
              "\"betrokkenen\": [{\"partij\": \"atom-P\", \"rol\": \"klant\"}], "
              "\"actoren\": [\"atom-A\", \"nobody\"]}");
    expect_in(msg, "params.actoren[1]: no node has external key 'nobody'");
    assert_int_equal(count_contacts(c), 0);
    /* No betrokkene edge was left behind on the person either. */
    {
        json_t *r = itest_call_ok(c, "edge.list", "{\"node\": %lld}", (long long)partij);
        assert_int_equal(json_array_size(json_object_get(r, "edges")), 0);
        json_decref(r);
    }
}

static void parameters_are_validated_naming_the_field(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t partij, actor;
    char msg[KNOOP_ERROR_MSG_MAX];
    const char *base = "\"onderwerp\": \"Vraag\", \"betrokkenen\": [{\"partij\": \"val-P\", "
                       "\"rol\": \"klant\"}], \"actoren\": [\"val-A\"]";

    people(c, "val", &partij, &actor);
    call_fail(c, KNOOP_EINVAL, msg, sizeof(msg), "contact.register",
              "{\"kanaal\": \"fax\", \"plaatsgevondenOp\": \"2024-03-01T10:30:00Z\", %s}", base);
    expect_in(msg, "params.kanaal: expected one of telefoon");
    call_fail(c, KNOOP_EINVAL, msg, sizeof(msg), "contact.register",
              "{\"kanaal\": \"post\", \"plaatsgevondenOp\": \"2024-03-01 10:30\", %s}", base);
    expect_in(msg, "params.plaatsgevondenOp: expected an RFC 3339 timestamp");
    call_fail(c, KNOOP_EINVAL, msg, sizeof(msg), "contact.register",
              "{\"kanaal\": \"post\", \"plaatsgevondenOp\": \"2024-02-30T10:30:00Z\", %s}", base);
    expect_in(msg, "params.plaatsgevondenOp");
    call_fail(c, KNOOP_EINVAL, msg, sizeof(msg), "contact.register",
              "{\"kanaal\": \"post\", \"plaatsgevondenOp\": \"2024-03-01T10:30:00Z\", "
              "\"taal\": \"nl\", %s}",
              base);
    expect_in(msg, "params.taal");
    call_fail(c, KNOOP_EINVAL, msg, sizeof(msg), "contact.register",
              "{\"kanaal\": \"post\", \"onderwerp\": \"  \", \"plaatsgevondenOp\": "
              "\"2024-03-01T10:30:00Z\", \"betrokkenen\": [{\"partij\": \"val-P\", \"rol\": "
              "\"klant\"}], \"actoren\": [\"val-A\"]}");
    expect_in(msg, "params.onderwerp: must not be empty");
    /* A citizen is no actor. */
    call_fail(c, KNOOP_EINVAL, msg, sizeof(msg), "contact.register",
              "{\"kanaal\": \"post\", \"onderwerp\": \"Vraag\", \"plaatsgevondenOp\": "
              "\"2024-03-01T10:30:00Z\", \"betrokkenen\": [{\"partij\": \"val-P\", \"rol\": "
              "\"klant\"}], \"actoren\": [\"val-P\"]}");
    expect_in(msg, "params.actoren[0]: node");
    expect_in(msg, "is not an actor");
    call_fail(c, KNOOP_EINVAL, msg, sizeof(msg), "contact.register",
              "{\"kanaal\": \"post\", \"onderwerp\": \"Vraag\", \"plaatsgevondenOp\": "
              "\"2024-03-01T10:30:00Z\", \"betrokkenen\": [{\"partij\": \"val-P\", \"rol\": "
              "\"klant\", \"extra\": 1}], \"actoren\": [\"val-A\"]}");
    expect_in(msg, "params.betrokkenen[0]: unknown parameter 'extra'");
    call_fail(c, KNOOP_EINVAL, msg, sizeof(msg), "contact.register",
              "{\"kanaal\": \"post\", \"onderwerp\": \"Vraag\", \"plaatsgevondenOp\": "
              "\"2024-03-01T10:30:00Z\", \"betrokkenen\": [], \"actoren\": [\"val-A\"]}");
    expect_in(msg, "params.betrokkenen: at least 1");
}

/* The standard's five functions: register, retrieve, register an interne taak, mark it done,
 * list the open ones. */
static void five_functions_end_to_end(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t partij, actor, org, role, kc, task;
    json_t *r, *e;
    char msg[KNOOP_ERROR_MSG_MAX];

    people(c, "e2e", &partij, &actor);
    org =
        node(c, "organisation", "gemeente", "{\"name\": \"Almere e2e\", \"cbs_code\": \"GM9034\"}");
    r = itest_call_ok(
        c, "edge.create",
        "{\"type\": \"wethouder\", \"source\": %lld, \"target\": %lld, \"valid_from\": "
        "\"2022-06-01\"}",
        (long long)partij, (long long)org);
    role = jid(r);
    json_decref(r);

    /* 1. Register. */
    r = itest_call_ok(
        c, "contact.register",
        "{\"kanaal\": \"telefoon\", \"onderwerp\": \"Vraag over subsidie\", \"inhoud\": "
        "\"Regel 1\\nRegel 2\", \"plaatsgevondenOp\": \"2024-03-01T10:30:00+01:00\", "
        "\"initiator\": \"klant\", \"indicatieContactGelukt\": true, "
        "\"betrokkenen\": [{\"partij\": \"e2e-P\", \"rol\": \"klant\", \"initiator\": "
        "true}], \"actoren\": [\"e2e-A\"], \"over_rollen\": [%lld], \"reason\": \"test\"}",
        (long long)role);
    e = json_object_get(r, "klantcontact");
    kc = jid(e);
    assert_string_equal(json_string_value(json_object_get(e, "kind")), "contact");
    assert_string_equal(json_string_value(json_object_get(e, "type")), "klantcontact");
    assert_string_equal(jprop(e, "taal"), "nld");
    assert_true(json_is_false(json_object_get(json_object_get(e, "props"), "vertrouwelijk")));
    json_decref(r);

    /* 2. Retrieve, with its links. */
    r = itest_call_ok(c, "contact.get", "{\"id\": %lld}", (long long)kc);
    assert_int_equal(json_array_size(json_object_get(r, "betrokkenen")), 1);
    e = json_array_get(json_object_get(r, "betrokkenen"), 0);
    assert_int_equal(jid(json_object_get(e, "partij")), partij);
    assert_string_equal(jprop(json_object_get(e, "edge"), "rol"), "klant");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(e, "edge"), "valid_from")), "2024-03-01");
    assert_int_equal(jid(json_array_get(json_object_get(r, "actoren"), 0)), actor);
    assert_int_equal(jid(json_array_get(json_object_get(r, "over_rollen"), 0)), role);
    assert_true(json_is_null(json_object_get(r, "corrects")));
    json_decref(r);

    /* Contacts of the person, of the organisation (through the role) and of the actor. */
    r = itest_call_ok(c, "contact.list", "{\"partij\": \"e2e-P\"}");
    assert_int_equal(jid(json_array_get(json_object_get(r, "contacts"), 0)), kc);
    json_decref(r);
    r = itest_call_ok(c, "contact.list", "{\"partij\": \"GM9034\"}");
    assert_int_equal(json_array_size(json_object_get(r, "contacts")), 1);
    json_decref(r);
    r = itest_call_ok(c, "contact.list", "{\"actor\": %lld, \"from\": \"2024-03-02\"}",
                      (long long)actor);
    assert_int_equal(json_array_size(json_object_get(r, "contacts")), 0);
    json_decref(r);

    /* 3. Register an interne taak. */
    r = itest_call_ok(c, "task.create",
                      "{\"klantcontact\": %lld, \"gevraagdeHandeling\": \"Terugbellen\", "
                      "\"actoren\": [\"e2e-A\"]}",
                      (long long)kc);
    task = jid(json_object_get(r, "taak"));
    assert_string_equal(jprop(json_object_get(r, "taak"), "status"), "te verwerken");
    assert_int_equal(jid(json_object_get(r, "klantcontact")), kc);
    json_decref(r);

    /* 5. List the open ones (before and after 4). */
    r = itest_call_ok(c, "task.open", "{\"actor\": \"e2e-A\"}");
    assert_int_equal(json_array_size(json_object_get(r, "tasks")), 1);
    e = json_array_get(json_object_get(r, "tasks"), 0);
    assert_int_equal(jid(json_object_get(e, "taak")), task);
    assert_int_equal(jid(json_object_get(e, "klantcontact")), kc);
    json_decref(r);

    /* 4. Mark it done; a second time is a conflict. */
    r = itest_call_ok(c, "task.done", "{\"id\": %lld, \"toelichting\": \"Teruggebeld\"}",
                      (long long)task);
    assert_string_equal(jprop(json_object_get(r, "taak"), "status"), "afgehandeld");
    assert_non_null(jprop(json_object_get(r, "taak"), "afgehandeldOp"));
    json_decref(r);
    call_fail(c, KNOOP_ECONFLICT, msg, sizeof(msg), "task.done", "{\"id\": %lld}", (long long)task);
    expect_in(msg, "already done");
    r = itest_call_ok(c, "task.open", "{\"actor\": \"e2e-A\"}");
    assert_int_equal(json_array_size(json_object_get(r, "tasks")), 0);
    json_decref(r);

    /* The klantcontact shows its task. */
    r = itest_call_ok(c, "contact.get", "{\"id\": %lld}", (long long)kc);
    e = json_array_get(json_object_get(r, "taken"), 0);
    assert_int_equal(jid(json_object_get(e, "taak")), task);
    json_decref(r);
}

static void klantcontact_is_immutable(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t partij, actor, kc;
    char msg[KNOOP_ERROR_MSG_MAX];
    json_t *r;

    people(c, "imm", &partij, &actor);
    r = itest_call_ok(c, "contact.register",
                      "{\"kanaal\": \"e-mail\", \"onderwerp\": \"Klacht\", \"plaatsgevondenOp\": "
                      "\"2024-04-02T09:00:00Z\", \"betrokkenen\": [{\"partij\": %lld, \"rol\": "
                      "\"klant\"}], \"actoren\": [%lld]}",
                      (long long)partij, (long long)actor);
    kc = jid(json_object_get(r, "klantcontact"));
    json_decref(r);
    call_fail(c, KNOOP_ECONFLICT, msg, sizeof(msg), "node.update",
              "{\"id\": %lld, \"set\": {\"onderwerp\": \"Anders\"}}", (long long)kc);
    expect_in(msg, "immutable");
    call_fail(c, KNOOP_ECONFLICT, msg, sizeof(msg), "node.delete",
              "{\"id\": %lld, \"cascade\": true}", (long long)kc);
    expect_in(msg, "immutable");
    r = itest_call_ok(c, "node.get", "{\"id\": %lld}", (long long)kc);
    assert_string_equal(jprop(r, "onderwerp"), "Klacht");
    assert_int_equal(json_integer_value(json_object_get(r, "version")), 1);
    json_decref(r);
}

static void correction_refers_to_the_old_record(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t partij, actor, old, fix;
    char msg[KNOOP_ERROR_MSG_MAX];
    const char *body = "\"kanaal\": \"bezoek\", \"plaatsgevondenOp\": "
                       "\"2024-05-06T14:00:00+02:00\", \"betrokkenen\": [{\"partij\": "
                       "\"cor-P\", \"rol\": \"klant\"}], \"actoren\": [\"cor-A\"]";
    json_t *r;

    people(c, "cor", &partij, &actor);
    r = itest_call_ok(c, "contact.register", "{\"onderwerp\": \"Paspoort\", %s}", body);
    old = jid(json_object_get(r, "klantcontact"));
    json_decref(r);
    r = itest_call_ok(c, "contact.register",
                      "{\"onderwerp\": \"Rijbewijs\", \"corrects\": %lld, %s}", (long long)old,
                      body);
    fix = jid(json_object_get(r, "klantcontact"));
    assert_int_equal(json_integer_value(json_object_get(r, "corrects")), old);
    json_decref(r);
    r = itest_call_ok(c, "contact.get", "{\"id\": %lld}", (long long)old);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(r, "corrected_by"), 0)),
                     fix);
    assert_string_equal(jprop(json_object_get(r, "klantcontact"), "onderwerp"), "Paspoort");
    json_decref(r);
    /* The corrigeert edge carries the old id. */
    r = itest_call_ok(c, "edge.list",
                      "{\"node\": %lld, \"type\": \"corrigeert\", \"direction\": "
                      "\"out\"}",
                      (long long)fix);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_object_get(json_array_get(json_object_get(r, "edges"), 0), "props"), "corrects")),
        old);
    json_decref(r);
    /* A record is corrected once; later corrections correct the correction. */
    call_fail(c, KNOOP_ECONFLICT, msg, sizeof(msg), "contact.register",
              "{\"onderwerp\": \"ID-kaart\", \"corrects\": %lld, %s}", (long long)old, body);
    expect_in(msg, "already corrected");
    call_fail(c, KNOOP_EINVAL, msg, sizeof(msg), "contact.register",
              "{\"onderwerp\": \"ID-kaart\", \"corrects\": %lld, %s}", (long long)partij, body);
    expect_in(msg, "params.corrects");
}

static void subscription_survives_the_end_of_a_role(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t person, org, role, list;
    char msg[KNOOP_ERROR_MSG_MAX];
    json_t *r;

    person = node(c, "person", NULL, "{\"name\": \"Wethouder Abo\", \"key\": \"abo-P\"}");
    org = node(c, "organisation", "gemeente", "{\"name\": \"Abodam\", \"cbs_code\": \"GM9035\"}");
    r = itest_call_ok(
        c, "edge.create",
        "{\"type\": \"wethouder\", \"source\": %lld, \"target\": %lld, \"valid_from\": "
        "\"2022-06-01\"}",
        (long long)person, (long long)org);
    role = jid(r);
    json_decref(r);
    r = itest_call_ok(c, "list.create",
                      "{\"name\": \"Nieuwsbrief Abo\", \"omschrijving\": \"test\"}");
    list = jid(r);
    json_decref(r);
    call_fail(c, KNOOP_ECONFLICT, msg, sizeof(msg), "list.create",
              "{\"name\": \"nieuwsbrief  abo\"}");
    r = itest_call_ok(
        c, "list.subscribe",
        "{\"list\": \"Nieuwsbrief Abo\", \"person\": \"abo-P\", \"from\": \"2023-01-01\"}");
    assert_string_equal(json_string_value(json_object_get(r, "type")), "abonnement");
    json_decref(r);
    call_fail(c, KNOOP_ECONFLICT, msg, sizeof(msg), "list.subscribe",
              "{\"list\": %lld, \"person\": %lld, \"from\": \"2023-06-01\"}", (long long)list,
              (long long)person);
    expect_in(msg, "already subscribed");

    /* The person leaves office: the role ends, the subscription stays. */
    r = itest_call_ok(c, "edge.end", "{\"id\": %lld, \"on\": \"2024-01-01\"}", (long long)role);
    assert_int_equal(json_array_size(json_object_get(r, "ended")), 1);
    json_decref(r);
    r = itest_call_ok(c, "list.members", "{\"list\": %lld, \"at\": \"2024-06-01\"}",
                      (long long)list);
    assert_int_equal(json_array_size(json_object_get(r, "members")), 1);
    assert_int_equal(
        jid(json_object_get(json_array_get(json_object_get(r, "members"), 0), "person")), person);
    json_decref(r);

    r = itest_call_ok(c, "list.unsubscribe",
                      "{\"list\": %lld, \"person\": %lld, \"on\": \"2025-01-01\"}", (long long)list,
                      (long long)person);
    assert_int_equal(json_array_size(json_object_get(r, "ended")), 1);
    json_decref(r);
    r = itest_call_ok(c, "list.members", "{\"list\": %lld, \"at\": \"2025-06-01\"}",
                      (long long)list);
    assert_int_equal(json_array_size(json_object_get(r, "members")), 0);
    json_decref(r);
    r = itest_call_ok(c, "list.members", "{\"list\": %lld, \"at\": \"2024-12-31\"}",
                      (long long)list);
    assert_int_equal(json_array_size(json_object_get(r, "members")), 1);
    json_decref(r);
    call_fail(c, KNOOP_ENOTFOUND, msg, sizeof(msg), "list.unsubscribe",
              "{\"list\": %lld, \"person\": %lld, \"on\": \"2025-02-01\"}", (long long)list,
              (long long)person);
    expect_in(msg, "no subscription");
}

static void works_inside_a_batch(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t partij, actor;
    json_t *r, *res;

    people(c, "bat", &partij, &actor);
    r = itest_call_ok(
        c, "batch",
        "{\"ops\": [{\"method\": \"contact.register\", \"params\": {\"kanaal\": \"chat\", "
        "\"onderwerp\": \"Chat\", \"plaatsgevondenOp\": \"2024-06-01T12:00:00Z\", "
        "\"betrokkenen\": [{\"partij\": \"bat-P\", \"rol\": \"klant\"}], \"actoren\": "
        "[\"bat-A\"]}}, {\"method\": \"contact.list\", \"params\": {\"partij\": "
        "\"bat-P\"}}]}");
    res = json_object_get(r, "results");
    assert_int_equal(json_array_size(res), 2);
    assert_int_equal(json_array_size(json_object_get(json_array_get(res, 1), "contacts")), 1);
    json_decref(r);
}

static bool is_uuid(const char *s)
{
    if (s == NULL || strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++)
        if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-'
                                                      : strchr("0123456789abcdef", s[i]) == NULL)
            return false;
    return s[14] == '5';
}

static const json_t *by_uuid(const json_t *arr, const char *uuid)
{
    size_t i;
    const json_t *e;
    json_array_foreach(arr, i, e) if (strcmp(json_string_value(json_object_get(e, "uuid")), uuid) ==
                                      0) return e;
    return NULL;
}

static void export_klantinteracties_parses_back(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t partij, actor;
    char path[400];
    itest_run_t run;
    json_t *doc, *r;
    json_error_t jerr;
    const json_t *kc = NULL, *e, *b, *p;
    size_t i;

    people(c, "exp", &partij, &actor);
    r = itest_call_ok(
        c, "contact.register",
        "{\"kanaal\": \"video\", \"onderwerp\": \"Export\", \"plaatsgevondenOp\": "
        "\"2024-07-01T08:00:00Z\", \"vertrouwelijk\": true, \"betrokkenen\": [{\"partij\": "
        "\"exp-P\", \"rol\": \"vertegenwoordiger\"}], \"actoren\": [\"exp-A\"]}");
    json_decref(r);
    snprintf(path, sizeof(path), "%s/ki.json", srv.dir);
    knoop(&run, "export", "--format", "klantinteracties", "--out", path, NULL);
    if (run.status != 0)
        fail_msg("export: %d %s", run.status, run.err);
    itest_run_free(&run);
    doc = json_load_file(path, 0, &jerr);
    if (doc == NULL)
        fail_msg("%s: %s", path, jerr.text);
    assert_true(json_array_size(json_object_get(doc, "klantcontacten")) >= 1);
    assert_true(json_is_array(json_object_get(doc, "betrokkenen")));
    assert_true(json_is_array(json_object_get(doc, "partijen")));
    assert_true(json_is_array(json_object_get(doc, "interneTaken")));
    assert_true(json_is_array(json_object_get(doc, "actoren")));
    json_array_foreach(json_object_get(doc, "klantcontacten"), i, e)
    {
        assert_true(is_uuid(json_string_value(json_object_get(e, "uuid"))));
        assert_non_null(strstr(json_string_value(json_object_get(e, "url")),
                               "https://knoop.invalid/klantinteracties/api/v1/klantcontacten/"));
        if (strcmp(json_string_value(json_object_get(e, "onderwerp")), "Export") == 0)
            kc = e;
    }
    assert_non_null(kc);
    assert_string_equal(json_string_value(json_object_get(kc, "kanaal")), "video");
    assert_true(json_is_true(json_object_get(kc, "vertrouwelijk")));
    assert_string_equal(json_string_value(json_object_get(kc, "plaatsgevondenOp")),
                        "2024-07-01T08:00:00Z");
    assert_true(json_is_null(json_object_get(kc, "indicatieContactGelukt")));
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(kc, "hadBetrokkenActoren"), 0), "naam")),
                        "Medewerker exp");
    /* betrokkene -> partij, both ways. */
    b = by_uuid(json_object_get(doc, "betrokkenen"),
                json_string_value(json_object_get(
                    json_array_get(json_object_get(kc, "hadBetrokkenen"), 0), "uuid")));
    assert_non_null(b);
    assert_string_equal(json_string_value(json_object_get(b, "rol")), "vertegenwoordiger");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(b, "hadKlantcontact"), "uuid")),
        json_string_value(json_object_get(kc, "uuid")));
    p = by_uuid(json_object_get(doc, "partijen"),
                json_string_value(json_object_get(json_object_get(b, "wasPartij"), "uuid")));
    assert_non_null(p);
    assert_string_equal(json_string_value(json_object_get(p, "soortPartij")), "persoon");
    assert_string_equal(json_string_value(json_object_get(json_object_get(p, "partijIdentificatie"),
                                                          "volledigeNaam")),
                        "Burger exp");
    /* Tasks from earlier tests use the API's status values. */
    json_array_foreach(json_object_get(doc, "interneTaken"), i, e)
    {
        const char *st = json_string_value(json_object_get(e, "status"));
        assert_true(strcmp(st, "te_verwerken") == 0 || strcmp(st, "verwerkt") == 0);
        assert_non_null(json_object_get(e, "aanleidinggevendKlantcontact"));
    }
    /* The same record keeps its uuid across exports (name-based). */
    knoop(&run, "export", "--format", "klantinteracties", NULL);
    assert_int_equal(run.status, 0);
    assert_non_null(strstr(run.out, json_string_value(json_object_get(kc, "uuid"))));
    itest_run_free(&run);
    json_decref(doc);
}

static void cli_round_trip(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t partij, actor, kc, task;
    char kcs[32], tasks[32];
    itest_run_t r;
    json_t *j;

    people(c, "cli", &partij, &actor);
    knoop(&r, "--json", "contact", "register", "--kanaal", "telefoon", "--onderwerp", "Via de CLI",
          "--plaatsgevonden-op", "2024-08-01T09:15:00+02:00", "--betrokkene",
          "cli-P:klant:initiator", "--actor", "cli-A", "--gelukt", "yes", NULL);
    j = knoop_json(0, &r);
    kc = jid(json_object_get(j, "klantcontact"));
    assert_true(json_is_true(json_object_get(
        json_object_get(json_object_get(j, "klantcontact"), "props"), "indicatieContactGelukt")));
    json_decref(j);
    itest_run_free(&r);
    snprintf(kcs, sizeof(kcs), "%lld", (long long)kc);

    knoop(&r, "contact", "get", kcs, NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "betrokkene    "));
    assert_non_null(strstr(r.out, "Burger cli (klant)"));
    itest_run_free(&r);

    knoop(&r, "contact", "list", "--partij", "cli-P", "--csv", NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "id,plaatsgevondenOp,kanaal,onderwerp\r\n"));
    assert_non_null(strstr(r.out, "Via de CLI"));
    itest_run_free(&r);

    knoop(&r, "--json", "task", "create", "--klantcontact", kcs, "--handeling", "Mail sturen",
          "--actor", "cli-A", NULL);
    j = knoop_json(0, &r);
    task = jid(json_object_get(j, "taak"));
    json_decref(j);
    itest_run_free(&r);
    snprintf(tasks, sizeof(tasks), "%lld", (long long)task);

    knoop(&r, "task", "open", "--actor", "cli-A", NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "Mail sturen"));
    itest_run_free(&r);
    knoop(&r, "task", "done", tasks, "--toelichting", "Verstuurd", NULL);
    expect_status(&r, 0);
    itest_run_free(&r);
    knoop(&r, "task", "done", tasks, NULL);
    expect_status(&r, 1);
    assert_non_null(strstr(r.err, "conflict"));
    itest_run_free(&r);

    knoop(&r, "list", "create", "--name", "CLI lijst", NULL);
    expect_status(&r, 0);
    itest_run_free(&r);
    knoop(&r, "list", "subscribe", "CLI lijst", "--person", "cli-P", "--from", "2024-01-01", NULL);
    expect_status(&r, 0);
    itest_run_free(&r);
    knoop(&r, "list", "members", "CLI lijst", "--at", "2024-02-01", NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "Burger cli"));
    itest_run_free(&r);

    /* Usage errors and help. */
    knoop(&r, "contact", "register", "--kanaal", "telefoon", NULL);
    expect_status(&r, 2);
    assert_non_null(strstr(r.err, "--onderwerp is required"));
    itest_run_free(&r);
    knoop(&r, "contact", "register", "--help", NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "example:"));
    itest_run_free(&r);
    knoop(&r, "export", "--format", "xml", NULL);
    expect_status(&r, 2);
    itest_run_free(&r);
}

int main(void)
{
    int rc;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(bad_betrokkene_writes_nothing, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(parameters_are_validated_naming_the_field, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(five_functions_end_to_end, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(klantcontact_is_immutable, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(correction_refers_to_the_old_record, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(subscription_survives_the_end_of_a_role, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(works_inside_a_batch, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(export_klantinteracties_parses_back, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(cli_round_trip, conn_setup, conn_teardown),
    };
    rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    if (rc == 0 && srv_exit != 0)
        rc = 1;
    return rc;
}
