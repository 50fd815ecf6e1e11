/*
 * test_privacy.c - accountability for personal data against a real knoopd (issue 13): every read
 * of a person, a person's roles, a contact moment, a functionary perspective, a path or
 * neighbourhood through persons and an export leaves one audit entry with who, why and for what
 * purpose; audit.list filters by person, user and time; --require-reason; configured retention
 * rules run by knoopd's scheduled job (layer: tests/integration).
 *
 * The group's knoopd holds the real provinces and gemeenten of schema/data; each test creates its
 * own persons (keys carry the test's name). The tests of the server's configuration start their
 * own knoopd. The persons are test data, not real office holders.
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

#define RITA_PASSWORD "correct horse battery staple"

/* ---- helpers ---- */

static json_int_t person(knoop_conn_t *c, const char *key, const char *extra)
{
    json_t *n = itest_call_ok(c, "node.create",
                              "{\"kind\": \"person\", \"props\": {\"key\": \"%s\", \"initials\": "
                              "\"T.\", \"surname\": \"Proef\"%s}}",
                              key, extra);
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

/* The number of the audit trail's last entry. */
static json_int_t audit_head(knoop_conn_t *c)
{
    json_t *v = itest_call_ok(c, "audit.verify", "{}");
    json_int_t n = itest_jint(v, "entries");
    assert_true(json_is_true(json_object_get(v, "ok")));
    json_decref(v);
    return n;
}

/* The audit entries after entry number head (owned). */
static json_t *audit_since(knoop_conn_t *c, json_int_t head)
{
    json_t *r = itest_call_ok(c, "audit.list", "{\"after\": %lld}", (long long)head);
    json_t *e = json_incref(json_object_get(r, "entries"));
    json_decref(r);
    return e;
}

static bool ids_hold(const json_t *entry, json_int_t id)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(entry, "ids"), i, v)
    {
        if (json_integer_value(v) == id)
            return true;
    }
    return false;
}

/* Exactly one entry since head: a read by method naming id (and id2 unless 0). Returns the new
 * head. */
static json_int_t expect_read(knoop_conn_t *c, json_int_t head, const char *method, json_int_t id,
                              json_int_t id2)
{
    json_t *e = audit_since(c, head), *x;
    if (json_array_size(e) != 1) {
        char *s = json_dumps(e, 0);
        fail_msg("%s: expected one audit entry, got %s", method, s);
    }
    x = json_array_get(e, 0);
    if (strcmp(itest_jstr(x, "kind"), "read") != 0 || strcmp(itest_jstr(x, "what"), method) != 0 ||
        !ids_hold(x, id) || (id2 != 0 && !ids_hold(x, id2))) {
        char *s = json_dumps(x, 0);
        fail_msg("%s: expected a read of %lld/%lld, got %s", method, (long long)id, (long long)id2,
                 s);
    }
    head = itest_jint(x, "no");
    json_decref(e);
    return head;
}

/* No entry since head: the read returned no personal data and wrote nothing. */
static void expect_nothing(knoop_conn_t *c, json_int_t head, const char *method)
{
    json_t *e = audit_since(c, head);
    if (json_array_size(e) != 0) {
        char *s = json_dumps(e, 0);
        fail_msg("%s: expected no audit entry, got %s", method, s);
    }
    json_decref(e);
}

/* Calls method with params (printf) and drops the result. */
static void call(knoop_conn_t *c, const char *method, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void call(knoop_conn_t *c, const char *method, const char *fmt, ...)
{
    char params[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(params, sizeof(params), fmt, ap);
    va_end(ap);
    json_decref(itest_call_ok(c, method, "%s", params));
}

static void knoop(itest_run_t *r, const char *addr, const char *const *env, ...)
{
    const char *argv[32];
    va_list ap;
    int n = 0;

    argv[n++] = itest_path("KNOOP_CLI", ITEST_KNOOP_CLI);
    va_start(ap, env);
    while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
        n++;
    va_end(ap);
    argv[n] = NULL;
    for (int i = 0; env != NULL && env[i] != NULL; i += 2)
        setenv(env[i], env[i + 1], 1);
    assert_int_equal(itest_run(argv, addr, NULL, r), 0);
    for (int i = 0; env != NULL && env[i] != NULL; i += 2)
        unsetenv(env[i]);
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

/* A timestamp `secs` seconds from now, RFC 3339 UTC, into buf (32 bytes). */
static const char *ts_from_now(char *buf, long long secs)
{
    time_t t = time(NULL) + (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/* Registers a klantcontact with partij and actor at instant ts; returns its id. */
static json_int_t contact(knoop_conn_t *c, json_int_t partij, json_int_t actor, const char *ts,
                          const char *onderwerp)
{
    json_t *r = itest_call_ok(c, "contact.register",
                              "{\"kanaal\": \"telefoon\", \"onderwerp\": \"%s\", "
                              "\"plaatsgevondenOp\": \"%s\", \"inhoud\": \"Gesprek %s\", "
                              "\"betrokkenen\": [{\"partij\": %lld, \"rol\": \"klant\"}], "
                              "\"actoren\": [%lld]}",
                              onderwerp, ts, onderwerp, (long long)partij, (long long)actor);
    json_int_t id = itest_jint(json_object_get(r, "klantcontact"), "id");
    json_decref(r);
    return id;
}

static bool exists(knoop_conn_t *c, const char *method, json_int_t id)
{
    knoop_error_t err;
    int rc;
    char params[64];
    json_t *r;
    snprintf(params, sizeof(params), "{\"id\": %lld}", (long long)id);
    r = itest_call(c, method, params, &rc, &err);
    json_decref(r);
    if (rc != 0 && rc != KNOOP_ENOTFOUND)
        fail_msg("%s %lld: %s", method, (long long)id, err.msg);
    return rc == 0;
}

/* history.list of the retention table (its id, 2^63 | 'r' << 32 | 1, is beyond JSON's
 * integers: the request is MessagePack). *rc as itest_call. */
static json_t *retention_history(knoop_conn_t *c, int *rc, knoop_error_t *err)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    knoop_result_t *res;
    json_t *j = NULL;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 1);
    msgpack_pack_str_with_body(&pk, "id", 2);
    msgpack_pack_uint64(&pk, (1ULL << 63) | ((uint64_t)'r' << 32) | 1);
    *rc = knoop_call(c, "history.list", sb.data, sb.size, &res, err);
    msgpack_sbuffer_destroy(&sb);
    if (*rc != 0)
        return NULL;
    *rc = knoop__json_from_msgpack(knoop_result_value(res), &j, err);
    knoop_result_free(res);
    return j;
}

/* Waits (bounded, polling) until the retention table's history holds at least n runs; returns
 * them (owned). */
static json_t *wait_for_runs(knoop_conn_t *c, size_t n)
{
    struct timespec pause = { 0, 20 * 1000 * 1000 };
    for (int waited = 0; waited < ITEST_WAIT_MS; waited += 20) {
        knoop_error_t err;
        int rc;
        json_t *r = retention_history(c, &rc, &err);
        if (rc == 0 && json_array_size(json_object_get(r, "entries")) >= n) {
            json_t *e = json_incref(json_object_get(r, "entries"));
            json_decref(r);
            return e;
        }
        json_decref(r);
        if (rc != 0 && rc != KNOOP_ENOTFOUND)
            fail_msg("history.list: %s", err.msg);
        nanosleep(&pause, NULL);
    }
    fail_msg("no %zu retention runs within %d ms", n, ITEST_WAIT_MS);
    return NULL;
}

/* Writes text to dir/name; the path into path (size 512). */
static const char *write_file(char *path, const char *dir, const char *name, const char *text)
{
    FILE *f;
    snprintf(path, 512, "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
    static const char *const files[] = { "provinces.csv", "gemeenten.csv", NULL };
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
    *state = itest_connect(srv.addr);
    return 0;
}

static int conn_teardown(void **state)
{
    knoop_close(*state);
    return 0;
}

/* ---- every read of personal data ---- */

static void every_read_of_personal_data_is_audited_once(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t p1, p2, actor, w1, kc, head;
    char ts[32];

    p1 = person(c, "reads-1", "");
    p2 = person(c, "reads-2", "");
    actor = person(c, "reads-A", ", \"actor\": true, \"actoridentificator\": \"mdw-reads\"");
    w1 = role(c, "wethouder", p1, "\"GM0034\"", "2022-06-01");
    role(c, "wethouder", p2, "\"GM0034\"", "2022-06-01");
    kc = contact(c, p1, actor, ts_from_now(ts, -3600), "Reads-Qzx");
    call(c, "list.create", "{\"name\": \"Nieuwsbrief reads\"}");
    call(c, "list.subscribe", "{\"list\": \"Nieuwsbrief reads\", \"person\": %lld}", (long long)p1);
    call(c, "task.create",
         "{\"klantcontact\": %lld, \"gevraagdeHandeling\": \"Terugbellen\", \"actoren\": [%lld]}",
         (long long)kc, (long long)actor);

    head = audit_head(c);
    /* Reads that return no person write nothing. */
    call(c, "node.get", "{\"id\": \"GM0034\"}");
    call(c, "node.find", "{\"kind\": \"organisation\", \"key\": \"GM0034\"}");
    call(c, "query.places", "{\"gemeente\": \"GM0034\"}");
    call(c, "schema.types", "{}");
    call(c, "query.seats", "{\"gemeente\": \"GM0034\"}");
    expect_nothing(c, head, "reads without persons");

    /* A person node. */
    call(c, "node.get", "{\"id\": %lld}", (long long)p1);
    head = expect_read(c, head, "node.get", p1, 0);
    call(c, "node.find", "{\"kind\": \"person\", \"key\": \"reads-2\"}");
    head = expect_read(c, head, "node.find", p2, 0);
    call(c, "history.list", "{\"id\": %lld}", (long long)p1);
    head = expect_read(c, head, "history.list", p1, 0);
    /* A person's roles: an edge names the person only by id. */
    call(c, "edge.get", "{\"id\": %lld}", (long long)w1);
    head = expect_read(c, head, "edge.get", p1, 0);
    call(c, "edge.list", "{\"node\": \"GM0034\", \"type\": \"wethouder\"}");
    head = expect_read(c, head, "edge.list", p1, p2);
    call(c, "query.holders", "{\"org\": \"GM0034\", \"role\": \"wethouder\"}");
    head = expect_read(c, head, "query.holders", p1, p2);
    call(c, "query.roles", "{\"person\": %lld}", (long long)p1);
    head = expect_read(c, head, "query.roles", p1, 0);
    /* The perspectives. */
    call(c, "perspective.get", "{\"name\": \"functionaris\", \"subject\": %lld}", (long long)p1);
    head = expect_read(c, head, "perspective.get", p1, 0);
    call(c, "perspective.get", "{\"name\": \"gemeente\", \"subject\": \"GM0034\"}");
    head = expect_read(c, head, "perspective.get", p1, p2);
    /* A path and a neighbourhood through persons. */
    call(c, "query.path", "{\"source\": %lld, \"target\": %lld}", (long long)p1, (long long)p2);
    head = expect_read(c, head, "query.path", p1, p2);
    call(c, "query.neighbourhood", "{\"node\": %lld}", (long long)p1);
    head = expect_read(c, head, "query.neighbourhood", p1, 0);
    /* Contact moments, their tasks and the mailing lists. */
    call(c, "contact.get", "{\"id\": %lld}", (long long)kc);
    head = expect_read(c, head, "contact.get", kc, p1);
    call(c, "contact.list", "{\"partij\": %lld}", (long long)p1);
    head = expect_read(c, head, "contact.list", kc, p1);
    call(c, "task.open", "{\"actor\": %lld}", (long long)actor);
    head = expect_read(c, head, "task.open", actor, 0);
    call(c, "list.members", "{\"list\": \"Nieuwsbrief reads\"}");
    head = expect_read(c, head, "list.members", p1, 0);
    /* The subject access export. */
    call(c, "privacy.export", "{\"id\": %lld}", (long long)p1);
    head = expect_read(c, head, "privacy.export", p1, 0);
    /* Inside a batch, a read is audited as a read. */
    call(c, "batch", "{\"ops\": [{\"method\": \"node.get\", \"params\": {\"id\": %lld}}]}",
         (long long)p2);
    head = expect_read(c, head, "node.get", p2, 0);
    expect_nothing(c, head, "after the reads");
}

/* ---- purpose ---- */

static void purpose_comes_from_the_call_the_session_or_auth(void **state)
{
    knoop_conn_t *c = *state, *r;
    json_int_t p, head;
    json_t *e, *x;
    itest_run_t run;

    p = person(c, "purpose-1", "");
    call(c, "user.add",
         "{\"name\": \"rita\", \"role\": \"reader\", \"password\": \"" RITA_PASSWORD "\"}");
    head = audit_head(c);
    call(c, "node.get", "{\"id\": %lld, \"purpose\": \"raadsonderzoek\", \"reason\": \"vraag\"}",
         (long long)p);
    call(c, "session.purpose", "{\"purpose\": \"dossier 12\"}");
    call(c, "node.get", "{\"id\": %lld}", (long long)p);
    call(c, "node.get", "{\"id\": %lld, \"purpose\": \"eigen doel\"}", (long long)p);
    call(c, "session.purpose", "{\"purpose\": \"\"}");
    call(c, "node.get", "{\"id\": %lld}", (long long)p);
    r = itest_connect(srv.addr);
    call(r, "auth",
         "{\"user\": \"rita\", \"password\": \"" RITA_PASSWORD "\", \"purpose\": \"analyse\"}");
    call(r, "node.get", "{\"id\": %lld}", (long long)p);
    knoop_close(r);

    e = audit_since(c, head);
    assert_int_equal(json_array_size(e), 5);
    x = json_array_get(e, 0);
    assert_string_equal(itest_jstr(x, "purpose"), "raadsonderzoek");
    assert_string_equal(itest_jstr(x, "reason"), "vraag");
    assert_string_equal(itest_jstr(json_array_get(e, 1), "purpose"), "dossier 12");
    assert_string_equal(itest_jstr(json_array_get(e, 2), "purpose"), "eigen doel");
    assert_true(json_is_null(json_object_get(json_array_get(e, 3), "purpose")));
    x = json_array_get(e, 4);
    assert_string_equal(itest_jstr(x, "purpose"), "analyse");
    assert_string_equal(itest_jstr(x, "user"), "rita");
    json_decref(e);

    /* Too long a purpose is refused before anything is read. */
    {
        char big[400];
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        itest_call_fail(c, KNOOP_EINVAL, "params.purpose", "node.get",
                        "{\"id\": %lld, \"purpose\": \"%s\"}", (long long)p, big);
        itest_call_fail(c, KNOOP_EINVAL, "params.purpose", "session.purpose",
                        "{\"purpose\": \"%s\"}", big);
    }

    /* The CLI: --purpose (session.purpose), and KNOOP_PURPOSE. */
    head = audit_head(c);
    knoop(&run, srv.addr, NULL, "--purpose", "cli-doel", "node", "get", "purpose-1", NULL);
    expect_status(&run, 0);
    itest_run_free(&run);
    {
        static const char *const env[] = { "KNOOP_PURPOSE", "env-doel", NULL };
        knoop(&run, srv.addr, env, "node", "find", "--key", "purpose-1", NULL);
        expect_status(&run, 0);
        itest_run_free(&run);
    }
    e = audit_since(c, head);
    assert_int_equal(json_array_size(e), 2);
    assert_string_equal(itest_jstr(json_array_get(e, 0), "purpose"), "cli-doel");
    assert_string_equal(itest_jstr(json_array_get(e, 1), "purpose"), "env-doel");
    json_decref(e);
    knoop(&run, srv.addr, NULL, "audit", "--person", "purpose-1", "--kind", "read", NULL);
    expect_status(&run, 0);
    expect_in(run.out, "purpose");
    expect_in(run.out, "cli-doel");
    itest_run_free(&run);
}

/* ---- audit.list filters ---- */

static void audit_list_filters_by_person_user_and_time(void **state)
{
    knoop_conn_t *c = *state, *r;
    json_int_t a, b;
    json_t *res, *e, *x;
    size_t i;
    itest_run_t run;
    char today[32];

    a = person(c, "filter-a", "");
    b = person(c, "filter-b", "");
    call(c, "user.add",
         "{\"name\": \"fenna\", \"role\": \"reader\", \"password\": \"" RITA_PASSWORD "\"}");
    r = itest_connect(srv.addr);
    call(r, "auth", "{\"user\": \"fenna\", \"password\": \"" RITA_PASSWORD "\"}");
    call(r, "node.get", "{\"id\": %lld, \"reason\": \"vraag 7\"}", (long long)a);
    call(r, "node.get", "{\"id\": %lld}", (long long)b);
    knoop_close(r);
    call(c, "node.update", "{\"id\": %lld, \"set\": {\"initials\": \"F.\"}}", (long long)a);

    /* person: every entry that read or changed it, by id or external key. */
    res = itest_call_ok(c, "audit.list", "{\"person\": %lld}", (long long)a);
    e = json_object_get(res, "entries");
    assert_int_equal(json_array_size(e), 3);
    assert_string_equal(itest_jstr(json_array_get(e, 0), "kind"), "change");
    assert_string_equal(itest_jstr(json_array_get(e, 1), "kind"), "read");
    assert_string_equal(itest_jstr(json_array_get(e, 2), "kind"), "change");
    json_array_foreach(e, i, x) assert_true(ids_hold(x, a));
    json_decref(res);
    res = itest_call_ok(c, "audit.list", "{\"person\": \"filter-a\"}");
    assert_int_equal(json_array_size(json_object_get(res, "entries")), 3);
    json_decref(res);
    /* person and user together. */
    res = itest_call_ok(c, "audit.list", "{\"person\": \"filter-a\", \"user\": \"fenna\"}");
    e = json_object_get(res, "entries");
    assert_int_equal(json_array_size(e), 1);
    assert_string_equal(itest_jstr(json_array_get(e, 0), "reason"), "vraag 7");
    json_decref(res);
    res = itest_call_ok(c, "audit.list", "{\"user\": \"fenna\"}");
    e = json_object_get(res, "entries");
    assert_int_equal(json_array_size(e), 2);
    assert_true(ids_hold(json_array_get(e, 1), b));
    json_decref(res);
    /* from, to, limit. */
    ts_from_now(today, 0);
    today[10] = '\0';
    res =
        itest_call_ok(c, "audit.list", "{\"person\": %lld, \"from\": \"%s\"}", (long long)a, today);
    assert_int_equal(json_array_size(json_object_get(res, "entries")), 3);
    json_decref(res);
    res = itest_call_ok(c, "audit.list", "{\"person\": %lld, \"to\": \"%s\"}", (long long)a, today);
    assert_int_equal(json_array_size(json_object_get(res, "entries")), 0);
    json_decref(res);
    res = itest_call_ok(c, "audit.list", "{\"person\": %lld, \"limit\": 1}", (long long)a);
    assert_int_equal(json_array_size(json_object_get(res, "entries")), 1);
    assert_true(json_is_true(json_object_get(res, "more")));
    json_decref(res);
    itest_call_fail(c, KNOOP_EINVAL, "params.person", "audit.list",
                    "{\"person\": %lld, \"id\": %lld}", (long long)a, (long long)a);
    itest_call_fail(c, KNOOP_ENOTFOUND, "", "audit.list", "{\"person\": \"no-such-key\"}");

    /* knoop audit --person REF --user NAME --from --to --limit */
    knoop(&run, srv.addr, NULL, "audit", "--person", "filter-a", "--user", "fenna", "--from", today,
          "--limit", "5", "--json", NULL);
    expect_status(&run, 0);
    res = json_loads(run.out, 0, NULL);
    assert_non_null(res);
    assert_int_equal(json_array_size(json_object_get(res, "entries")), 1);
    json_decref(res);
    itest_run_free(&run);
    knoop(&run, srv.addr, NULL, "audit", "list", "--person", "filter-b", "--to", "2000-01-01",
          "--json", NULL);
    expect_status(&run, 0);
    expect_in(run.out, "\"entries\":[]");
    itest_run_free(&run);
    knoop(&run, srv.addr, NULL, "audit", "--help", NULL);
    expect_status(&run, 0);
    expect_in(run.out, "list");
    itest_run_free(&run);
}

/* ---- the privacy CLI ---- */

static void privacy_cli_commands(void **state)
{
    knoop_conn_t *c = *state;
    itest_run_t run;
    json_t *j;

    person(c, "cli-privacy", "");
    knoop(&run, srv.addr, NULL, "privacy", "--help", NULL);
    expect_status(&run, 0);
    expect_in(run.out, "erase");
    expect_in(run.out, "anonymise");
    expect_in(run.out, "export");
    expect_in(run.out, "retention");
    itest_run_free(&run);
    knoop(&run, srv.addr, NULL, "privacy", "retention", "--help", NULL);
    expect_status(&run, 0);
    expect_in(run.out, "--older-than AGE");
    itest_run_free(&run);

    knoop(&run, srv.addr, NULL, "privacy", "export", "cli-privacy", "--json", NULL);
    expect_status(&run, 0);
    j = json_loads(run.out, 0, NULL);
    assert_non_null(j);
    assert_string_equal(itest_jstr(json_object_get(json_object_get(j, "node"), "props"), "key"),
                        "cli-privacy");
    json_decref(j);
    itest_run_free(&run);

    knoop(&run, srv.addr, NULL, "privacy", "retention", "--older-than", "100y", "--dry-run",
          "--json", NULL);
    expect_status(&run, 0);
    expect_in(run.out, "\"rule\":\"contact 100y\"");
    itest_run_free(&run);
    knoop(&run, srv.addr, NULL, "privacy", "retention", "--older-than", "5 years", NULL);
    expect_status(&run, 1);
    expect_in(run.err, "params.older_than");
    itest_run_free(&run);

    knoop(&run, srv.addr, NULL, "privacy", "anonymise", "cli-privacy", NULL);
    expect_status(&run, 2);
    expect_in(run.err, "--reason");
    itest_run_free(&run);
    knoop(&run, srv.addr, NULL, "privacy", "erase", "cli-privacy", "--reason", "AVG-verzoek 1",
          NULL);
    expect_status(&run, 0);
    itest_run_free(&run);
    itest_call_fail(c, KNOOP_ENOTFOUND, "", "node.get", "{\"id\": \"cli-privacy\"}");
}

/* ---- privacy.retention, by hand ---- */

static void retention_removes_exactly_what_is_older_than_the_cutoff(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t p, actor, w, older, younger, old2;
    json_t *r, *h;
    char ts[32];
    const long long days30 = 30LL * 86400;

    p = person(c, "ret-1", "");
    actor = person(c, "ret-A", ", \"actor\": true, \"actoridentificator\": \"mdw-ret\"");
    w = role(c, "wethouder", p, "\"GM0363\"", "2022-06-01");
    older = contact(c, p, actor, ts_from_now(ts, -days30 - 120), "Ret-Ouder");
    old2 = contact(c, p, actor, ts_from_now(ts, -days30 - 86400 * 400), "Ret-Oudst");
    younger = contact(c, p, actor, ts_from_now(ts, -days30 + 120), "Ret-Jonger");

    r = itest_call_ok(c, "privacy.retention",
                      "{\"kind\": \"contact\", \"older_than\": \"30d\", \"reason\": \"test\"}");
    assert_string_equal(itest_jstr(r, "rule"), "contact 30d");
    assert_int_equal(itest_jint(r, "count"), 2);
    json_decref(r);
    assert_false(exists(c, "contact.get", older));
    assert_false(exists(c, "contact.get", old2));
    assert_true(exists(c, "contact.get", younger));
    /* Everything else stays: the persons, the role, the gemeente. */
    assert_true(exists(c, "node.get", p));
    assert_true(exists(c, "node.get", actor));
    assert_true(exists(c, "edge.get", w));
    json_decref(itest_call_ok(c, "node.get", "{\"id\": \"GM0363\"}"));
    /* The run is recorded: rule, cut-off, count, ids. */
    h = wait_for_runs(c, 1);
    r = json_object_get(json_array_get(h, json_array_size(h) - 1), "after");
    assert_string_equal(itest_jstr(r, "rule"), "contact 30d");
    assert_int_equal(itest_jint(r, "count"), 2);
    assert_int_equal(strlen(itest_jstr(r, "cutoff")), 24);
    json_decref(h);
    /* Again: nothing left to remove, and the run is still a fact. */
    r = itest_call_ok(c, "privacy.retention",
                      "{\"kind\": \"klantcontact\", \"older_than\": \"30d\"}");
    assert_int_equal(itest_jint(r, "count"), 0);
    json_decref(r);
    assert_true(exists(c, "contact.get", younger));
    itest_call_fail(c, KNOOP_EINVAL, "params.older_than", "privacy.retention",
                    "{\"kind\": \"contact\", \"older_than\": \"30d\", \"older_than_days\": 30}");
    itest_call_fail(c, KNOOP_EINVAL, "params.older_than", "privacy.retention",
                    "{\"kind\": \"contact\", \"older_than\": \"101y\"}");
}

/* ---- the server's configuration ---- */

static void require_reason_from_the_config(void **state)
{
    itest_server_t s;
    knoop_conn_t *c;
    char path[512], conf[512];
    char dir[] = "/tmp/knoop-reason-XXXXXX";
    const char *args[] = { "--config", conf, NULL };
    json_int_t p, q;
    (void)state;

    assert_non_null(mkdtemp(dir));
    write_file(conf, dir, "knoopd.conf",
               "# methods that need a reason\nrequire_reason = node.delete, privacy.erase\n");
    assert_int_equal(itest_server_start(&s, args), 0);
    c = itest_connect(s.addr);
    p = person(c, "reason-1", "");
    q = person(c, "reason-2", "");
    itest_call_fail(c, KNOOP_EINVAL, "node.delete: params.reason: required", "node.delete",
                    "{\"id\": %lld}", (long long)p);
    itest_call_fail(c, KNOOP_EINVAL, "params.reason", "node.delete",
                    "{\"id\": %lld, \"reason\": \"\"}", (long long)p);
    itest_call_fail(c, KNOOP_EINVAL, "params.reason", "batch",
                    "{\"ops\": [{\"method\": \"node.delete\", \"params\": {\"id\": %lld}}]}",
                    (long long)p);
    call(c, "node.delete", "{\"id\": %lld, \"reason\": \"dubbel\"}", (long long)p);
    /* In a batch, the batch's reason counts for its operations. */
    call(c, "batch",
         "{\"ops\": [{\"method\": \"node.delete\", \"params\": {\"id\": %lld}}], \"reason\": "
         "\"opschonen\"}",
         (long long)q);
    /* Other methods do not need one. */
    person(c, "reason-3", "");
    knoop_close(c);
    assert_int_equal(itest_server_stop(&s), 0);

    /* A method that does not exist is refused at start, with the file and line. */
    {
        const char *argv[] = {
            itest_path("KNOOPD", ITEST_KNOOPD), "--data", path, "--config", conf, NULL
        };
        itest_run_t run;
        snprintf(path, sizeof(path), "%s/data", dir);
        write_file(conf, dir, "bad.conf", "require_reason = node.delete\nrequire-reason = nope\n");
        assert_int_equal(itest_run(argv, NULL, NULL, &run), 0);
        expect_status(&run, 2);
        expect_in(run.err, "bad.conf:2:");
        expect_in(run.err, "unknown method 'nope'");
        itest_run_free(&run);
    }
    {
        char cmd[700];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
    }
}

static void bad_retention_rules_are_refused_with_file_and_line(void **state)
{
    char dir[] = "/tmp/knoop-retention-XXXXXX";
    char conf[512], data[512];
    static const char *const bad[] = { "retention = contact 5 years\n", "retention = person 5y\n",
                                       "retention = contact 0d\n",
                                       "retention = contact 5y\nretention_interval = 0\n", NULL };
    static const char *const said[] = { "'KIND AGE'", "retention: kind", "expected 1 to",
                                        "retention-interval", NULL };
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(data, sizeof(data), "%s/data", dir);
    for (int i = 0; bad[i] != NULL; i++) {
        char text[256], where[600];
        const char *argv[] = {
            itest_path("KNOOPD", ITEST_KNOOPD), "--data", data, "--config", conf, NULL
        };
        itest_run_t run;
        snprintf(text, sizeof(text), "# retention\n%s", bad[i]);
        write_file(conf, dir, "retention.conf", text);
        assert_int_equal(itest_run(argv, NULL, NULL, &run), 0);
        expect_status(&run, 2);
        snprintf(where, sizeof(where), "%s:%d", conf, i == 3 ? 3 : 2);
        expect_in(run.err, where);
        expect_in(run.err, said[i]);
        itest_run_free(&run);
    }
    {
        char cmd[700];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
    }
}

/* The scheduled job: a run at start, then one every interval, each through privacy.retention
 * (the one write path) as the actor knoopd-retention, each recorded also when it removes
 * nothing. */
static void scheduled_retention_runs_at_start_and_every_interval(void **state)
{
    itest_server_t s;
    knoop_conn_t *c;
    char conf[512], ts[32];
    const char *args[] = { "--config", conf, NULL };
    json_int_t p, actor, w, older, younger;
    json_t *runs, *last, *e;
    const long long days30 = 30LL * 86400;
    int code;
    (void)state;

    assert_int_equal(itest_server_start(&s, NULL), 0);
    c = itest_connect(s.addr);
    p = person(c, "sched-1", "");
    actor = person(c, "sched-A", ", \"actor\": true, \"actoridentificator\": \"mdw-sched\"");
    w = role(c, "collega", p, "\"sched-A\"", "2022-06-01");
    older = contact(c, p, actor, ts_from_now(ts, -days30 - 300), "Sched-Ouder");
    younger = contact(c, p, actor, ts_from_now(ts, -days30 + 300), "Sched-Jonger");
    knoop_close(c);

    write_file(conf, s.dir, "knoopd.conf",
               "retention = contact 30d\nretention_interval = 1   # seconds, for the test\n");
    assert_int_equal(itest_server_restart(&s, args, &code), 0);
    assert_int_equal(code, 0);
    c = itest_connect(s.addr);
    runs = wait_for_runs(c, 1);
    last = json_array_get(runs, 0);
    assert_string_equal(itest_jstr(last, "actor"), "knoopd-retention");
    assert_string_equal(itest_jstr(last, "reason"), "retention rule 'contact 30d' (scheduled)");
    e = json_object_get(last, "after");
    assert_string_equal(itest_jstr(e, "rule"), "contact 30d");
    assert_int_equal(itest_jint(e, "count"), 1);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(e, "ids"), 0)), older);
    json_decref(runs);
    assert_false(exists(c, "contact.get", older));
    assert_true(exists(c, "contact.get", younger));
    assert_true(exists(c, "node.get", p));
    assert_true(exists(c, "node.get", actor));
    assert_true(exists(c, "edge.get", w));

    /* The next runs find nothing and are recorded all the same, in the audit trail too. */
    runs = wait_for_runs(c, 2);
    e = json_object_get(json_array_get(runs, 1), "after");
    assert_int_equal(itest_jint(e, "count"), 0);
    assert_int_equal(json_array_size(json_object_get(e, "ids")), 0);
    json_decref(runs);
    {
        json_t *r = itest_call_ok(c, "audit.list", "{\"user\": \"knoopd-retention\"}");
        json_t *x = json_array_get(json_object_get(r, "entries"), 1);
        assert_true(json_array_size(json_object_get(r, "entries")) >= 2);
        assert_string_equal(itest_jstr(x, "kind"), "change");
        assert_string_equal(itest_jstr(x, "reason"), "retention rule 'contact 30d' (scheduled)");
        json_decref(r);
    }
    assert_true(exists(c, "contact.get", younger));
    {
        json_t *v = itest_call_ok(c, "audit.verify", "{}");
        assert_true(json_is_true(json_object_get(v, "ok")));
        json_decref(v);
    }
    knoop_close(c);
    assert_int_equal(itest_server_stop(&s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_read_of_personal_data_is_audited_once, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(purpose_comes_from_the_call_the_session_or_auth, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(audit_list_filters_by_person_user_and_time, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(privacy_cli_commands, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(retention_removes_exactly_what_is_older_than_the_cutoff,
                                        conn_setup, conn_teardown),
        cmocka_unit_test(require_reason_from_the_config),
        cmocka_unit_test(bad_retention_rules_are_refused_with_file_and_line),
        cmocka_unit_test(scheduled_retention_runs_at_start_and_every_interval),
    };
    int rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    if (rc == 0 && srv_exit != 0)
        rc = 1;
    return rc;
}
