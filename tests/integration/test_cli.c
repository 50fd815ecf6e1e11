/*
 * test_cli.c - the built `knoop` command (and the knoop_example program, which links
 * libknoop.so) against a real knoopd (layer: tests/integration).
 *
 * Each test runs the binary with posix_spawn, KNOOP_ADDR pointing at the group's knoopd, and
 * checks its exit status, stdout and stderr. stdout is a pipe, so output is the non-terminal
 * form (plain tables, one-line JSON).
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
#include <locale.h>

#include "itest.h"

static itest_server_t srv;

/* knoopd's exit status after SIGTERM, checked by main: cmocka 1.1.5 reports a failed group
 * teardown but still exits 0. */
static int srv_exit = -1;

/* Runs knoop with the NULL-terminated arguments against srv; input is stdin (or NULL). */
static void knoop(itest_run_t *r, const char *input, ...)
{
    const char *argv[32];
    va_list ap;
    int n = 0;

    argv[n++] = itest_path("KNOOP_CLI", ITEST_KNOOP_CLI);
    va_start(ap, input);
    while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
        n++;
    va_end(ap);
    argv[n] = NULL;
    assert_int_equal(itest_run(argv, srv.addr, input, r), 0);
}

static void expect_status(const itest_run_t *r, int status)
{
    if (r->status != status)
        fail_msg("exit status %d, expected %d\nstdout: %s\nstderr: %s", r->status, status, r->out,
                 r->err);
}

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

/* Creates a node with --json and returns its id. */
static long long create(const char *name, const char *key)
{
    char p1[128], p2[128];
    itest_run_t r;
    json_t *j;
    long long id;

    snprintf(p1, sizeof(p1), "name=%s", name);
    snprintf(p2, sizeof(p2), "cbs_code=%s", key);
    knoop(&r, NULL, "--json", "node", "create", "--kind", "organisation", "--type", "gemeente",
          "--prop", p1, "--prop", p2, "--prop", "inwoners=12345", "--reason", "test", NULL);
    expect_status(&r, 0);
    j = json_loads(r.out, 0, NULL);
    if (j == NULL)
        fail_msg("not JSON: %s", r.out);
    id = json_integer_value(json_object_get(j, "id"));
    assert_true(id > 0);
    assert_string_equal(json_string_value(json_object_get(j, "kind")), "organisation");
    /* --prop values that parse as JSON keep their type. */
    assert_true(json_is_integer(json_object_get(json_object_get(j, "props"), "inwoners")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "props"), "name")),
                        name);
    json_decref(j);
    itest_run_free(&r);
    return id;
}

static void json_create_and_get_by_key(void **state)
{
    itest_run_t r;
    long long id;
    json_t *j;

    (void)state;
    id = create("Súdwest-Fryslân", "GM1900");
    knoop(&r, NULL, "node", "get", "GM1900", "--json", NULL);
    expect_status(&r, 0);
    /* One line when stdout is not a terminal. */
    assert_non_null(strchr(r.out, '\n'));
    assert_ptr_equal(strchr(r.out, '\n'), r.out + strlen(r.out) - 1);
    j = json_loads(r.out, 0, NULL);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "id")), id);
    json_decref(j);
    itest_run_free(&r);
}

static void table_output_aligns_utf8(void **state)
{
    itest_run_t r;
    const char *hdr, *row;

    (void)state;
    create("Sûdwest Test", "GM1901");
    knoop(&r, NULL, "node", "find", "--name", "sudwest", NULL);
    expect_status(&r, 0);
    hdr = r.out;
    assert_true(strncmp(hdr, "id", 2) == 0);
    assert_non_null(strstr(hdr, "kind"));
    assert_non_null(strstr(hdr, "name"));
    assert_non_null(strstr(r.out, "Súdwest-Fryslân"));
    assert_non_null(strstr(r.out, "GM1901"));
    /* Header, rule, two rows; the key column starts at the same display column in both rows
     * although "Súdwest-Fryslân" has more bytes than columns. */
    row = strstr(r.out, "GM1900");
    assert_non_null(row);
    {
        const char *l1 = strchr(strchr(r.out, '\n') + 1, '\n') + 1; /* first data row */
        const char *l2 = strchr(l1, '\n') + 1;
        const char *k1 = strstr(l1, "GM190"), *k2 = strstr(l2, "GM190");
        char a[256], b[256];
        assert_non_null(k1);
        assert_non_null(k2);
        snprintf(a, sizeof(a), "%.*s", (int)(k1 - l1), l1);
        snprintf(b, sizeof(b), "%.*s", (int)(k2 - l2), l2);
        /* Same number of characters (code points) before the key. */
        assert_int_equal(mbstowcs(NULL, a, 0), mbstowcs(NULL, b, 0));
    }
    itest_run_free(&r);

    knoop(&r, NULL, "node", "get", "GM1900", NULL);
    expect_status(&r, 0);
    assert_true(strncmp(r.out, "field", 5) == 0);
    assert_non_null(strstr(r.out, "props.name"));
    assert_non_null(strstr(r.out, "props.inwoners"));
    itest_run_free(&r);
}

static void csv_has_header_and_quotes(void **state)
{
    itest_run_t r;

    (void)state;
    create("Bergen, \"NH\"", "GM0373");
    knoop(&r, NULL, "--csv", "node", "find", "--key", "GM0373", NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "id,kind,type,name,key\r\n"));
    assert_non_null(strstr(r.out, ",organisation,gemeente,\"Bergen, \"\"NH\"\"\",GM0373\r\n"));
    itest_run_free(&r);
}

static void edges_history_and_call(void **state)
{
    itest_run_t r;
    char src[32], tgt[32], params[64];
    long long g, p;
    json_t *j;

    (void)state;
    g = create("Almere", "GM0034");
    knoop(&r, NULL, "--json", "node", "create", "--kind", "person", "--props",
          "{\"name\": \"Jan de Vries\"}", NULL);
    expect_status(&r, 0);
    j = json_loads(r.out, 0, NULL);
    p = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    itest_run_free(&r);

    snprintf(src, sizeof(src), "%lld", p);
    snprintf(tgt, sizeof(tgt), "%lld", g);
    knoop(&r, NULL, "edge", "create", "--type", "wethouder", "--source", src, "--target", "GM0034",
          "--from", "2022-06-01", "--prop", "namens=Voorbeeldpartij", NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "props.namens"));
    itest_run_free(&r);

    knoop(&r, NULL, "edge", "list", tgt, "--at", "2023-01-01", NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "wethouder"));
    assert_non_null(strstr(r.out, "namens=Voorbeeldpartij"));
    itest_run_free(&r);

    knoop(&r, NULL, "history", tgt, NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "create"));
    itest_run_free(&r);

    snprintf(params, sizeof(params), "{\"id\": %lld}", g);
    knoop(&r, NULL, "call", "node.get", params, NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "Almere"));
    itest_run_free(&r);

    knoop(&r, NULL, "--json", "call", "ping", NULL);
    expect_status(&r, 0);
    assert_string_equal(r.out, "\"pong\"\n");
    itest_run_free(&r);
}

static void exit_codes(void **state)
{
    itest_run_t r;
    char port[16];

    (void)state;
    /* 1: a server error, printed as knoop: <code>: <message>. */
    knoop(&r, NULL, "node", "get", "987654321", NULL);
    expect_status(&r, 1);
    assert_true(strncmp(r.err, "knoop: not_found: ", 18) == 0);
    itest_run_free(&r);
    knoop(&r, NULL, "call", "node.get", "{\"idd\": 1}", NULL);
    expect_status(&r, 1);
    assert_non_null(strstr(r.err, "knoop: invalid_argument: "));
    assert_non_null(strstr(r.err, "idd"));
    itest_run_free(&r);

    /* 2: usage errors, whether or not the server is up. */
    knoop(&r, NULL, "node", "create", NULL);
    expect_status(&r, 2);
    assert_non_null(strstr(r.err, "--kind"));
    itest_run_free(&r);
    knoop(&r, NULL, "frobnicate", NULL);
    expect_status(&r, 2);
    itest_run_free(&r);
    knoop(&r, NULL, "--port", "abc", "ping", NULL);
    expect_status(&r, 2);
    itest_run_free(&r);
    knoop(&r, NULL, "call", "node.get", "{bad json", NULL);
    expect_status(&r, 2);
    itest_run_free(&r);
    knoop(&r, NULL, "edge", "list", "1", "--direction", "sideways", NULL);
    expect_status(&r, 2);
    itest_run_free(&r);

    /* 3: nothing listens. */
    snprintf(port, sizeof(port), "%d", itest_closed_port());
    knoop(&r, NULL, "--port", port, "ping", NULL);
    expect_status(&r, 3);
    assert_non_null(strstr(r.err, "refused"));
    itest_run_free(&r);

    /* 0: help and version. */
    knoop(&r, NULL, "node", "update", "--help", NULL);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "usage: knoop node update"));
    assert_non_null(strstr(r.out, "example:"));
    itest_run_free(&r);
    knoop(&r, NULL, "--version", NULL);
    expect_status(&r, 0);
    itest_run_free(&r);
}

static void socket_option_and_shell_script(void **state)
{
    itest_run_t r;

    (void)state;
    if (srv.unix_addr[0] != '\0') {
        knoop(&r, NULL, "--socket", srv.unix_addr + 5, "ping", NULL);
        expect_status(&r, 0);
        assert_string_equal(r.out, "pong\n");
        itest_run_free(&r);
    }
    knoop(&r,
          "ping\n# a comment\n\nnode get 987654321\ncall node.find '{\"key\": \"GM0034\"}' "
          "--csv\nquit\nping\n",
          "shell", NULL);
    expect_status(&r, 0);
    assert_true(strncmp(r.out, "pong\n", 5) == 0);
    assert_non_null(strstr(r.out, "GM0034"));
    assert_non_null(strstr(r.err, "knoop: not_found: "));
    /* quit stops before the last ping. */
    assert_null(strstr(r.out + 5, "pong"));
    itest_run_free(&r);
}

static void example_program_links_shared_library(void **state)
{
    const char *argv[3];
    itest_run_t r;

    (void)state;
    argv[0] = itest_path("KNOOP_EXAMPLE", ITEST_KNOOP_EXAMPLE);
    argv[1] = srv.addr;
    argv[2] = NULL;
    assert_int_equal(itest_run(argv, NULL, NULL, &r), 0);
    expect_status(&r, 0);
    assert_non_null(strstr(r.out, "created node"));
    itest_run_free(&r);
}

int main(void)
{
    int rc;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_create_and_get_by_key),
        cmocka_unit_test(table_output_aligns_utf8),
        cmocka_unit_test(csv_has_header_and_quotes),
        cmocka_unit_test(edges_history_and_call),
        cmocka_unit_test(exit_codes),
        cmocka_unit_test(socket_option_and_shell_script),
        cmocka_unit_test(example_program_links_shared_library),
    };
    setlocale(LC_CTYPE, "C.UTF-8");
    rc = cmocka_run_group_tests_name("integration.cli", tests, group_setup, group_teardown);
    if (srv_exit != 0) {
        fprintf(stderr, "knoopd did not shut down cleanly (status %d)\n", srv_exit);
        rc = 1;
    }
    return rc;
}
