/*
 * test_client.c - libknoop against a real knoopd (layer: tests/integration).
 *
 * One knoopd (fresh data directory, 127.0.0.1 port 0 and a Unix socket) serves the group; each
 * test opens its own connection. Requests are written as JSON text for readability and packed
 * with libknoop's own converter; results are converted back to jansson values for assertions.
 * The group teardown asserts that knoopd exits 0 on SIGTERM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "itest.h"
#include "knoop.h"
#include "knoop_json.h"

static itest_server_t srv;

/* knoopd's exit status after SIGTERM, checked by main: cmocka 1.1.5 reports a failed group
 * teardown but still exits 0. */
static int srv_exit = -1;

/* ---- helpers ---- */

/* Calls method with the JSON params text (NULL: none); returns the result as JSON or NULL with
 * *rc and err set. */
static json_t *call(knoop_conn_t *c, const char *method, const char *params, int *rc,
                    knoop_error_t *err)
{
    msgpack_sbuffer sb;
    knoop_result_t *r = NULL;
    json_t *j = NULL;

    msgpack_sbuffer_init(&sb);
    if (params != NULL) {
        *rc = knoop__json_object_to_sbuffer(params, "params", &sb, err);
        assert_int_equal(*rc, 0);
    }
    *rc = knoop_call(c, method, params != NULL ? sb.data : NULL, sb.size, &r, err);
    msgpack_sbuffer_destroy(&sb);
    if (*rc == 0) {
        assert_non_null(r);
        assert_int_equal(knoop__json_from_msgpack(knoop_result_value(r), &j, err), 0);
    } else {
        assert_null(r);
    }
    knoop_result_free(r);
    return j;
}

static json_t *call_okv(knoop_conn_t *c, const char *method, const char *fmt, va_list ap)
{
    char params[4096];
    knoop_error_t err;
    json_t *j;
    int rc;

    if (fmt != NULL)
        vsnprintf(params, sizeof(params), fmt, ap);
    j = call(c, method, fmt != NULL ? params : NULL, &rc, &err);
    if (rc != 0)
        fail_msg("%s %s: %s: %s", method, fmt ? params : "", knoop_err_wire(rc), err.msg);
    return j;
}

/* Calls and asserts success; params is a printf format for JSON text. */
static json_t *call_ok(knoop_conn_t *c, const char *method, const char *fmt, ...)
{
    va_list ap;
    json_t *j;
    va_start(ap, fmt);
    j = call_okv(c, method, fmt, ap);
    va_end(ap);
    return j;
}

/* Calls, asserts failure with code, and returns err.msg in msg. */
static void call_fail(knoop_conn_t *c, int code, char *msg, size_t msgsz, const char *method,
                      const char *fmt, ...)
{
    char params[4096];
    knoop_error_t err;
    va_list ap;
    json_t *j;
    int rc;

    va_start(ap, fmt);
    vsnprintf(params, sizeof(params), fmt, ap);
    va_end(ap);
    j = call(c, method, params, &rc, &err);
    if (rc != code)
        fail_msg("%s %s: expected %s, got %s: %s", method, params, knoop_err_wire(code),
                 rc ? knoop_err_wire(rc) : "success", rc ? err.msg : "");
    json_decref(j);
    assert_int_equal(err.code, code);
    if (msg != NULL)
        snprintf(msg, msgsz, "%s", err.msg);
}

static json_int_t jint(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("field %s is not an integer", key);
    return json_integer_value(v);
}

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* kind may carry a type after a slash: "organisation/gemeente". */
static json_int_t create_node(knoop_conn_t *c, const char *kind, const char *props)
{
    const char *slash = strchr(kind, '/');
    json_t *n =
        slash ? call_ok(c, "node.create", "{\"kind\": \"%.*s\", \"type\": \"%s\", \"props\": %s}",
                        (int)(slash - kind), kind, slash + 1, props)
              : call_ok(c, "node.create", "{\"kind\": \"%s\", \"props\": %s}", kind, props);
    json_int_t id = jint(n, "id");
    json_decref(n);
    return id;
}

static void ping_ok(knoop_conn_t *c)
{
    json_t *j = call_ok(c, "ping", NULL);
    assert_string_equal(json_string_value(j), "pong");
    json_decref(j);
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
    (void)state;
    return itest_server_start(&srv, NULL);
}

static int group_teardown(void **state)
{
    int code = itest_server_stop(&srv);
    (void)state;
    srv_exit = code;
    if (code != 0)
        fprintf(stderr, "knoopd exited with %d after SIGTERM, expected 0\n", code);
    return code == 0 ? 0 : -1;
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

static void ping_answers_pong_with_no_or_empty_params(void **state)
{
    knoop_conn_t *c = *state;
    knoop_result_t *r;
    knoop_error_t err;
    const msgpack_object *v;
    const char empty_map = (char)0x80;

    assert_int_equal(knoop_call(c, "ping", NULL, 0, &r, &err), 0);
    v = knoop_result_value(r);
    assert_int_equal(v->type, MSGPACK_OBJECT_STR);
    assert_int_equal(v->via.str.size, 4);
    assert_memory_equal(v->via.str.ptr, "pong", 4);
    knoop_result_free(r);

    assert_int_equal(knoop_call(c, "ping", &empty_map, 1, &r, &err), 0);
    knoop_result_free(r);
    assert_true(knoop_connected(c));
}

static void server_info_names_server_and_limits(void **state)
{
    json_t *j = call_ok(*state, "server.info", NULL);

    assert_string_equal(jstr(j, "name"), "knoopd");
    assert_non_null(jstr(j, "version"));
    assert_true(jint(j, "connections") >= 1);
    assert_true(json_is_object(json_object_get(j, "limits")));
    json_decref(j);
}

static void node_create_get_update_delete(void **state)
{
    knoop_conn_t *c = *state;
    json_t *n, *p;
    json_int_t id;
    char msg[KNOOP_ERROR_MSG_MAX];

    n = call_ok(c, "node.create",
                "{\"kind\": \"organisation\", \"type\": \"gemeente\", \"props\": "
                "{\"name\": \"Súdwest-Fryslân\", \"cbs_code\": \"GM1900\"}}");
    id = jint(n, "id");
    assert_true(id > 0);
    assert_string_equal(jstr(n, "kind"), "organisation");
    assert_string_equal(jstr(n, "type"), "gemeente");
    assert_int_equal(jint(n, "version"), 1);
    assert_non_null(jstr(n, "created"));
    json_decref(n);

    /* By id and by external key. */
    n = call_ok(c, "node.get", "{\"id\": %lld}", (long long)id);
    p = json_object_get(n, "props");
    assert_string_equal(jstr(p, "name"), "Súdwest-Fryslân");
    json_decref(n);
    n = call_ok(c, "node.get", "{\"id\": \"GM1900\"}");
    assert_int_equal(jint(n, "id"), id);
    json_decref(n);

    /* Update: set, unset, if_version. */
    n = call_ok(
        c, "node.update",
        "{\"id\": %lld, \"set\": {\"inwoners\": 90000, \"website\": \"www.sudwestfryslan.nl\"}, "
        "\"if_version\": 1, \"reason\": \"test\"}",
        (long long)id);
    assert_int_equal(jint(n, "version"), 2);
    assert_int_equal(jint(json_object_get(n, "props"), "inwoners"), 90000);
    json_decref(n);
    n = call_ok(c, "node.update", "{\"id\": %lld, \"unset\": [\"website\"]}", (long long)id);
    assert_int_equal(jint(n, "version"), 3);
    assert_null(json_object_get(json_object_get(n, "props"), "website"));
    json_decref(n);
    call_fail(c, KNOOP_ECONFLICT, msg, sizeof(msg), "node.update",
              "{\"id\": %lld, \"set\": {\"a\": 1}, \"if_version\": 1}", (long long)id);

    /* Delete, then it is gone (and so is its key). */
    n = call_ok(c, "node.delete", "{\"id\": %lld}", (long long)id);
    assert_int_equal(jint(n, "id"), id);
    assert_true(json_is_array(json_object_get(n, "deleted_edges")));
    json_decref(n);
    call_fail(c, KNOOP_ENOTFOUND, NULL, 0, "node.get", "{\"id\": %lld}", (long long)id);
    call_fail(c, KNOOP_ENOTFOUND, NULL, 0, "node.get", "{\"id\": \"GM1900\"}");
}

static void node_find_by_name_and_key(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t a, b;
    json_t *r, *nodes;

    a = create_node(c, "organisation",
                    "{\"name\": \"'s-Hertogenbosch\", \"cbs_code\": \"GM0796\"}");
    b = create_node(c, "organisation", "{\"name\": \"Schiermonnikoog\", \"cbs_code\": \"GM0088\"}");

    r = call_ok(c, "node.find", "{\"name\": \"s hertogenbosch\"}");
    nodes = json_object_get(r, "nodes");
    assert_int_equal(json_array_size(nodes), 1);
    assert_int_equal(jint(json_array_get(nodes, 0), "id"), a);
    assert_false(json_is_true(json_object_get(r, "more")));
    json_decref(r);

    r = call_ok(c, "node.find", "{\"key\": \"GM0088\"}");
    nodes = json_object_get(r, "nodes");
    assert_int_equal(json_array_size(nodes), 1);
    assert_int_equal(jint(json_array_get(nodes, 0), "id"), b);
    json_decref(r);

    r = call_ok(c, "node.find", "{\"key\": \"GM9999\"}");
    assert_int_equal(json_array_size(json_object_get(r, "nodes")), 0);
    json_decref(r);

    r = call_ok(c, "node.find", "{\"kind\": \"organisation\", \"limit\": 1}");
    assert_int_equal(json_array_size(json_object_get(r, "nodes")), 1);
    assert_true(json_is_true(json_object_get(r, "more")));
    json_decref(r);
}

/* Whether the edge list in r holds edge id. */
static bool has_edge(const json_t *r, const char *field, json_int_t id)
{
    const json_t *list = json_object_get(r, field), *e;
    size_t i;

    json_array_foreach(list, i, e)
    {
        if (jint(e, "id") == id)
            return true;
    }
    return false;
}

static void edges_at_date_end_cascades_and_history(void **state)
{
    knoop_conn_t *c = *state;
    json_int_t person, gemeente, commissie, e1, e2;
    json_t *r, *ended, *entries;
    char msg[KNOOP_ERROR_MSG_MAX];

    person = create_node(c, "person", "{\"name\": \"Jan de Vries\"}");
    gemeente =
        create_node(c, "organisation/gemeente", "{\"name\": \"Almere\", \"cbs_code\": \"GM0034\"}");
    commissie = create_node(c, "organisation/vng-commissie", "{\"name\": \"Commissie Milieu\"}");

    r = call_ok(c, "edge.create",
                "{\"type\": \"wethouder\", \"source\": %lld, \"target\": \"GM0034\", "
                "\"valid_from\": \"2022-06-01\", \"props\": {\"portefeuilles\": [\"Milieu\"]}}",
                (long long)person);
    e1 = jint(r, "id");
    assert_int_equal(jint(r, "target"), gemeente);
    assert_true(json_is_null(json_object_get(r, "valid_to")));
    json_decref(r);
    r = call_ok(c, "edge.create",
                "{\"type\": \"lid\", \"source\": %lld, \"target\": %lld, "
                "\"valid_from\": \"2022-07-01\", \"on_behalf_of\": %lld}",
                (long long)person, (long long)commissie, (long long)e1);
    e2 = jint(r, "id");
    assert_int_equal(jint(r, "on_behalf_of"), e1);
    json_decref(r);

    r = call_ok(c, "edge.get", "{\"id\": %lld}", (long long)e1);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(r, "props"), "portefeuilles"), 0)),
                        "Milieu");
    json_decref(r);

    /* As of dates. */
    r = call_ok(c, "edge.list",
                "{\"node\": \"GM0034\", \"direction\": \"in\", \"at\": \"2023-01-01\"}");
    assert_true(has_edge(r, "edges", e1));
    json_decref(r);
    r = call_ok(c, "edge.list", "{\"node\": %lld, \"at\": \"2022-01-01\"}", (long long)person);
    assert_int_equal(json_array_size(json_object_get(r, "edges")), 0);
    json_decref(r);
    r = call_ok(c, "edge.list", "{\"node\": %lld, \"direction\": \"out\"}", (long long)person);
    assert_true(has_edge(r, "edges", e1));
    assert_true(has_edge(r, "edges", e2));
    json_decref(r);
    call_fail(c, KNOOP_EINVAL, NULL, 0, "edge.list",
              "{\"node\": %lld, \"at\": \"2023-01-01\", \"from\": \"2022-01-01\"}",
              (long long)person);

    /* Ending the base role ends the role held on its behalf. */
    r = call_ok(c, "edge.end", "{\"id\": %lld, \"on\": \"2024-01-01\", \"reason\": \"resigned\"}",
                (long long)e1);
    ended = json_object_get(r, "ended");
    assert_int_equal(json_array_size(ended), 2);
    assert_int_equal(jint(json_array_get(ended, 0), "id"), e1);
    assert_true(has_edge(r, "ended", e2));
    assert_string_equal(jstr(json_array_get(ended, 1), "valid_to"), "2024-01-01");
    json_decref(r);
    call_fail(c, KNOOP_ECONFLICT, msg, sizeof(msg), "edge.end",
              "{\"id\": %lld, \"on\": \"2024-06-01\"}", (long long)e1);

    r = call_ok(c, "edge.list", "{\"node\": %lld, \"at\": \"2024-06-01\"}", (long long)commissie);
    assert_int_equal(json_array_size(json_object_get(r, "edges")), 0);
    json_decref(r);
    r = call_ok(c, "edge.list", "{\"node\": %lld, \"at\": \"2023-06-01\"}", (long long)commissie);
    assert_true(has_edge(r, "edges", e2));
    json_decref(r);

    /* History of e1: create, then end, with the reason. */
    r = call_ok(c, "history.list", "{\"id\": %lld}", (long long)e1);
    entries = json_object_get(r, "entries");
    assert_int_equal(json_array_size(entries), 2);
    assert_string_equal(jstr(json_array_get(entries, 0), "op"), "create");
    assert_string_equal(jstr(json_array_get(entries, 1), "op"), "end");
    assert_string_equal(jstr(json_array_get(entries, 1), "reason"), "resigned");
    assert_true(jint(json_array_get(entries, 1), "seq") > jint(json_array_get(entries, 0), "seq"));
    json_decref(r);

    /* The node cannot go while edges reference it, unless cascading. */
    call_fail(c, KNOOP_ECONFLICT, NULL, 0, "node.delete", "{\"id\": %lld}", (long long)person);
    r = call_ok(c, "node.delete", "{\"id\": %lld, \"cascade\": true}", (long long)person);
    assert_int_equal(json_array_size(json_object_get(r, "deleted_edges")), 2);
    json_decref(r);
    call_fail(c, KNOOP_ENOTFOUND, NULL, 0, "edge.get", "{\"id\": %lld}", (long long)e2);
}

static void errors_have_codes_and_name_the_field(void **state)
{
    knoop_conn_t *c = *state;
    char msg[KNOOP_ERROR_MSG_MAX];
    json_int_t p, g;

    call_fail(c, KNOOP_ENOTFOUND, msg, sizeof(msg), "node.get", "{\"id\": 987654321}");
    call_fail(c, KNOOP_ENOTFOUND, msg, sizeof(msg), "node.frobnicate", "{}");

    call_fail(c, KNOOP_EINVAL, msg, sizeof(msg), "node.get", "{\"idd\": 1}");
    assert_non_null(strstr(msg, "idd"));
    call_fail(c, KNOOP_EINVAL, msg, sizeof(msg), "node.create", "{\"kind\": \"planet\"}");
    assert_non_null(strstr(msg, "kind"));
    call_fail(c, KNOOP_EINVAL, msg, sizeof(msg), "node.get", "{\"id\": true}");
    assert_non_null(strstr(msg, "id"));

    p = create_node(c, "person", "{\"name\": \"Piet\"}");
    g = create_node(c, "organisation", "{\"name\": \"Utrecht\", \"cbs_code\": \"GM0344\"}");
    call_fail(c, KNOOP_EINVAL, msg, sizeof(msg), "edge.create",
              "{\"type\": \"raadslid\", \"source\": %lld, \"target\": %lld, "
              "\"valid_from\": \"2019-13-01\"}",
              (long long)p, (long long)g);
    assert_non_null(strstr(msg, "valid_from"));
    call_fail(c, KNOOP_EINVAL, msg, sizeof(msg), "edge.create",
              "{\"type\": \"raadslid\", \"source\": %lld, \"target\": %lld, "
              "\"valid_from\": \"2020-01-01\", \"valid_to\": \"2019-01-01\"}",
              (long long)p, (long long)g);
    call_fail(c, KNOOP_ENOTFOUND, msg, sizeof(msg), "edge.create",
              "{\"type\": \"raadslid\", \"source\": 987654321, \"target\": %lld, "
              "\"valid_from\": \"2020-01-01\"}",
              (long long)g);

    /* A duplicate external key, also across key fields. */
    call_fail(c, KNOOP_ECONFLICT, msg, sizeof(msg), "node.create",
              "{\"kind\": \"organisation\", \"props\": {\"cbs_code\": \"GM0344\"}}");
    call_fail(c, KNOOP_ECONFLICT, msg, sizeof(msg), "node.create",
              "{\"kind\": \"organisation\", \"props\": {\"key\": \"GM0344\"}}");

    /* Errors leave the connection usable. */
    assert_true(knoop_connected(c));
    ping_ok(c);
}

#define PIPELINE_N 1000

static void pipelined_requests_are_matched_by_msgid(void **state)
{
    knoop_conn_t *c = *state;
    static uint8_t kind[PIPELINE_N], seen[PIPELINE_N];
    msgpack_sbuffer good, bad;
    knoop_error_t err;
    knoop_result_t *r;
    uint32_t first = 0, id;
    json_int_t node;
    int i, rc;
    char text[64];

    node = create_node(c, "project", "{\"name\": \"Pijplijn\"}");
    msgpack_sbuffer_init(&good);
    msgpack_sbuffer_init(&bad);
    snprintf(text, sizeof(text), "{\"id\": %lld}", (long long)node);
    assert_int_equal(knoop__json_object_to_sbuffer(text, "params", &good, &err), 0);
    assert_int_equal(knoop__json_object_to_sbuffer("{\"id\": 987654321}", "params", &bad, &err), 0);

    memset(seen, 0, sizeof(seen));
    for (i = 0; i < PIPELINE_N; i++) {
        kind[i] = (uint8_t)(i % 3);
        if (kind[i] == 0)
            rc = knoop_send(c, "node.get", good.data, good.size, &id, &err);
        else if (kind[i] == 1)
            rc = knoop_send(c, "ping", NULL, 0, &id, &err);
        else
            rc = knoop_send(c, "node.get", bad.data, bad.size, &id, &err);
        assert_int_equal(rc, 0);
        if (i == 0)
            first = id;
        assert_int_equal(id, first + (uint32_t)i);
    }
    /* knoop_call refuses while responses are outstanding. */
    assert_int_equal(knoop_call(c, "ping", NULL, 0, &r, &err), KNOOP_EINVAL);
    assert_int_equal(knoop_flush(c, &err), 0);

    for (i = 0; i < PIPELINE_N; i++) {
        uint32_t k;
        rc = knoop_recv(c, &id, &r, &err);
        k = id - first;
        assert_true(k < PIPELINE_N);
        assert_int_equal(seen[k], 0);
        seen[k] = 1;
        if (kind[k] == 2) {
            assert_int_equal(rc, KNOOP_ENOTFOUND);
            assert_null(r);
        } else {
            const msgpack_object *v;
            assert_int_equal(rc, 0);
            v = knoop_result_value(r);
            assert_int_equal(v->type, kind[k] == 0 ? MSGPACK_OBJECT_MAP : MSGPACK_OBJECT_STR);
            knoop_result_free(r);
        }
    }
    assert_int_equal(knoop_recv(c, &id, &r, &err), KNOOP_EINVAL);
    msgpack_sbuffer_destroy(&good);
    msgpack_sbuffer_destroy(&bad);
    ping_ok(c);
}

static void results_outlive_later_calls(void **state)
{
    knoop_conn_t *c = *state;
    knoop_result_t *r[50];
    knoop_error_t err;
    int i;

    for (i = 0; i < 50; i++)
        assert_int_equal(knoop_call(c, "server.info", NULL, 0, &r[i], &err), 0);
    for (i = 0; i < 50; i++) {
        const msgpack_object *v = knoop_result_value(r[i]);
        assert_int_equal(v->type, MSGPACK_OBJECT_MAP);
        assert_int_equal(v->via.map.ptr[0].key.type, MSGPACK_OBJECT_STR);
        assert_memory_equal(v->via.map.ptr[0].key.via.str.ptr, "name", 4);
        knoop_result_free(r[i]);
    }
}

static void call_json_round_trips_values(void **state)
{
    knoop_conn_t *c = *state;
    const char *props = "{\"name\": \"Zoë's ĳsbaan\", \"budget\": 1.5, \"active\": true, "
                        "\"delta\": -3, \"tags\": [\"a\", \"b\", 7], \"meta\": {\"x\": [1, 2]}}";
    char params[512], *out = NULL;
    knoop_error_t err;
    json_t *in, *got;
    json_int_t id;

    snprintf(params, sizeof(params), "{\"kind\": \"project\", \"props\": %s}", props);
    assert_int_equal(knoop_call_json(c, "node.create", params, &out, &err), 0);
    got = json_loads(out, 0, NULL);
    assert_non_null(got);
    free(out);
    in = json_loads(props, 0, NULL);
    assert_true(json_equal(in, json_object_get(got, "props")));
    id = jint(got, "id");
    json_decref(got);

    snprintf(params, sizeof(params), "{\"id\": %lld}", (long long)id);
    assert_int_equal(knoop_call_json(c, "node.get", params, &out, &err), 0);
    got = json_loads(out, 0, NULL);
    free(out);
    assert_true(json_equal(in, json_object_get(got, "props")));
    json_decref(got);
    json_decref(in);

    assert_int_equal(knoop_call_json(c, "ping", NULL, &out, &err), 0);
    assert_string_equal(out, "\"pong\"");
    free(out);

    /* Bad JSON is refused locally; a server error comes back as its code. */
    assert_int_equal(knoop_call_json(c, "node.get", "{\"id\": ", &out, &err), KNOOP_EINVAL);
    assert_null(out);
    assert_non_null(strstr(err.msg, "line 1"));
    assert_int_equal(knoop_call_json(c, "node.get", "[1]", &out, &err), KNOOP_EINVAL);
    assert_int_equal(knoop_call_json(c, "node.get", "{\"id\": 987654321}", &out, &err),
                     KNOOP_ENOTFOUND);
    assert_null(out);
    ping_ok(c);
}

static void bad_params_are_refused_before_sending(void **state)
{
    knoop_conn_t *c = *state;
    const char array[] = { (char)0x91, 0x01 };
    const char truncated[] = { (char)0x81, (char)0xa2, 'i' };
    const char trailing[] = { (char)0x80, 0x01 };
    knoop_result_t *r;
    knoop_error_t err;

    assert_int_equal(knoop_call(c, "node.get", array, sizeof(array), &r, &err), KNOOP_EINVAL);
    assert_int_equal(knoop_call(c, "node.get", truncated, sizeof(truncated), &r, &err),
                     KNOOP_EINVAL);
    assert_int_equal(knoop_call(c, "node.get", trailing, sizeof(trailing), &r, &err), KNOOP_EINVAL);
    assert_int_equal(knoop_call(c, "", NULL, 0, &r, &err), KNOOP_EINVAL);
    assert_int_equal(knoop_recv(c, NULL, &r, &err), KNOOP_EINVAL);
    assert_true(knoop_connected(c));
    ping_ok(c);
}

static void connect_errors_are_clear(void **state)
{
    knoop_conn_t *c;
    knoop_error_t err;
    char addr[64], expect[96];
    int port = itest_closed_port();

    (void)state;
    assert_true(port > 0);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
    assert_int_equal(knoop_connect(addr, &c, &err), KNOOP_EUNAVAIL);
    assert_null(c);
    snprintf(expect, sizeof(expect), "connection to %s refused", addr);
    assert_string_equal(err.msg, expect);

    assert_int_equal(knoop_connect("127.0.0.1:99999", &c, &err), KNOOP_EINVAL);
    assert_int_equal(knoop_connect("[::1", &c, &err), KNOOP_EINVAL);
    assert_int_equal(knoop_connect("host:", &c, &err), KNOOP_EINVAL);
    assert_int_equal(knoop_connect("unix:/nonexistent/knoop.sock", &c, &err), KNOOP_EUNAVAIL);
    assert_non_null(strstr(err.msg, "unix:/nonexistent/knoop.sock"));
}

static void connect_by_env_and_unix_socket(void **state)
{
    knoop_conn_t *c;
    knoop_error_t err;

    (void)state;
    setenv("KNOOP_ADDR", srv.addr, 1);
    assert_int_equal(knoop_connect(NULL, &c, &err), 0);
    unsetenv("KNOOP_ADDR");
    assert_string_equal(knoop_conn_addr(c), srv.addr);
    ping_ok(c);
    knoop_close(c);

    if (srv.unix_addr[0] == '\0')
        skip();
    assert_int_equal(knoop_connect(srv.unix_addr, &c, &err), 0);
    ping_ok(c);
    knoop_close(c);
    /* A bare absolute path works too. */
    assert_int_equal(knoop_connect(srv.unix_addr + 5, &c, &err), 0);
    ping_ok(c);
    knoop_close(c);
}

static void timeout_leaves_connection_unusable(void **state)
{
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    knoop_conn_t *c;
    knoop_result_t *r;
    knoop_error_t err;
    char addr[64];
    int lfd;

    (void)state;
    /* A listener that never answers: the handshake completes in the backlog. */
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(lfd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(lfd, 4), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &al), 0);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", ntohs(a.sin_port));

    assert_int_equal(knoop_connect(addr, &c, &err), 0);
    assert_int_equal(knoop_set_timeout(c, 100), 0);
    assert_int_equal(knoop_call(c, "ping", NULL, 0, &r, &err), KNOOP_EUNAVAIL);
    assert_non_null(strstr(err.msg, "timed out"));
    assert_false(knoop_connected(c));
    assert_int_equal(knoop_call(c, "ping", NULL, 0, &r, &err), KNOOP_EUNAVAIL);
    knoop_close(c);
    close(lfd);
}

static void server_shutdown_is_reported_as_unavailable(void **state)
{
    itest_server_t s2;
    int code, rc, connected;
    knoop_conn_t *c;
    knoop_result_t *r;
    knoop_error_t err;

    (void)state;
    assert_int_equal(itest_server_start(&s2, NULL), 0);
    assert_int_equal(knoop_connect(s2.addr, &c, &err), 0);
    knoop_set_timeout(c, ITEST_WAIT_MS);
    ping_ok(c);
    code = itest_server_stop(&s2);
    rc = knoop_call(c, "ping", NULL, 0, &r, &err);
    connected = knoop_connected(c);
    knoop_close(c);
    assert_int_equal(code, 0);
    assert_int_equal(rc, KNOOP_EUNAVAIL);
    assert_false(connected);
}

int main(void)
{
    int rc;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ping_answers_pong_with_no_or_empty_params, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(server_info_names_server_and_limits, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(node_create_get_update_delete, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(node_find_by_name_and_key, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(edges_at_date_end_cascades_and_history, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(errors_have_codes_and_name_the_field, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(pipelined_requests_are_matched_by_msgid, conn_setup,
                                        conn_teardown),
        cmocka_unit_test_setup_teardown(results_outlive_later_calls, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(call_json_round_trips_values, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(bad_params_are_refused_before_sending, conn_setup,
                                        conn_teardown),
        cmocka_unit_test(connect_errors_are_clear),
        cmocka_unit_test(connect_by_env_and_unix_socket),
        cmocka_unit_test(timeout_leaves_connection_unusable),
        cmocka_unit_test(server_shutdown_is_reported_as_unavailable),
    };
    rc = cmocka_run_group_tests_name("integration.client", tests, group_setup, group_teardown);
    if (srv_exit != 0) {
        fprintf(stderr, "knoopd did not shut down cleanly (status %d)\n", srv_exit);
        rc = 1;
    }
    return rc;
}
