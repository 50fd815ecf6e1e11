/*
 * test_import.c - `knoop import`, `knoop export` and `knoop query` with the real reference data
 * (schema/data) against a real knoopd (layer: tests/integration).
 *
 * The tests run in order on one server: the file with bad rows first (nothing may be
 * imported), then provinces and gemeenten (twice: the second run changes nothing), the monthly
 * woonplaatsen update, and the CSV export read back. Every data row comes from the real files;
 * the small files are written at test time from them (the bad rows are real rows with one
 * field broken). Then the real office holders (ambtsdragers.csv, the register on 2026-04-15)
 * and the Kiesraad's 2022 result (raadsleden_gekozen_2022.csv, seats_2022.csv) are loaded and
 * checked through the server with libknoop: counts, a second run, persons matched across the
 * files, the seat distribution of every gemeente on 2024-01-01.
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
#include <locale.h>

#include "itest.h"
#include "knoop.h"
#include "knoop_json.h"

#ifndef ITEST_DATA_DIR
#define ITEST_DATA_DIR "schema/data"
#endif

static itest_server_t srv;
static int srv_exit = -1;

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

static const char *data(const char *name)
{
    static char path[4][512];
    static int k;
    k = (k + 1) % 4; /* up to four paths in one call's arguments */
    snprintf(path[k], sizeof(path[k]), "%s/%s", ITEST_DATA_DIR, name);
    return path[k];
}

static const char *tmp(const char *name)
{
    static char path[2][512];
    static int k;
    k ^= 1;
    snprintf(path[k], sizeof(path[k]), "%s/%s", srv.dir, name);
    return path[k];
}

/* Reads the lines of a real data file (without line ends) into a NULL-terminated array. */
static char **read_lines(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    char buf[4096], **lines = NULL;

    *n = 0;
    assert_non_null(f);
    while (fgets(buf, sizeof(buf), f) != NULL) {
        buf[strcspn(buf, "\r\n")] = '\0';
        lines = realloc(lines, (*n + 2) * sizeof(*lines));
        assert_non_null(lines);
        lines[(*n)++] = strdup(buf);
        lines[*n] = NULL;
    }
    fclose(f);
    return lines;
}

static void free_lines(char **lines)
{
    char **p;
    for (p = lines; p != NULL && *p != NULL; p++)
        free(*p);
    free(lines);
}

static void write_file(const char *path, const char *const *lines, size_t n)
{
    FILE *f = fopen(path, "w");
    size_t i;
    assert_non_null(f);
    for (i = 0; i < n; i++)
        fprintf(f, "%s\n", lines[i]);
    assert_int_equal(fclose(f), 0);
}

/* The number of gemeente nodes on the server. */
static size_t count_gemeenten(void)
{
    itest_run_t r;
    json_t *j;
    size_t n;

    knoop(&r, "--json", "node", "find", "--kind", "organisation", "--type", "gemeente", "--limit",
          "1000", NULL);
    expect_status(&r, 0);
    j = json_loads(r.out, 0, NULL);
    assert_non_null(j);
    n = json_array_size(json_object_get(j, "nodes"));
    json_decref(j);
    itest_run_free(&r);
    return n;
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

/* Real gemeenten rows, three of them broken: each bad row is reported with its line and
 * nothing of the file is imported. */
static void bad_rows_import_nothing(void **state)
{
    size_t n;
    char **real = read_lines(data("gemeenten.csv"), &n);
    char short_row[512], bad_date[512], no_name[512], *p;
    const char *lines[6];
    itest_run_t r;

    (void)state;
    assert_true(n == 343);
    /* Line 3 of the test file: a real row without its last field. */
    snprintf(short_row, sizeof(short_row), "%s", real[3]);
    *strrchr(short_row, ',') = '\0';
    /* Line 4: a real row with an impossible begin_date (month 13). */
    snprintf(bad_date, sizeof(bad_date), "%s", real[4]);
    p = strstr(bad_date, ",19");
    assert_non_null(p);
    memcpy(p + 6, "13", 2);
    /* Line 5: a real row with its name removed. */
    {
        const char *c1 = strchr(real[5], ','), *c2 = strchr(c1 + 1, ','), *c3 = strchr(c2 + 1, ',');
        snprintf(no_name, sizeof(no_name), "%.*s%s", (int)(c2 - real[5] + 1), real[5], c3);
    }
    lines[0] = real[0], lines[1] = real[1], lines[2] = short_row, lines[3] = bad_date;
    lines[4] = no_name, lines[5] = real[2];
    write_file(tmp("bad.csv"), lines, 6);

    knoop(&r, "import", tmp("bad.csv"), NULL);
    expect_status(&r, 1);
    {
        char want[600];
        snprintf(want, sizeof(want), "%s:3: 7 columns, the header has 8", tmp("bad.csv"));
        expect_in(r.err, want);
        snprintf(want, sizeof(want), "%s:4: column begin_date: expected a date", tmp("bad.csv"));
        expect_in(r.err, want);
        snprintf(want, sizeof(want), "%s:5: empty required value in column name", tmp("bad.csv"));
        expect_in(r.err, want);
    }
    expect_in(r.err, "3 bad rows; nothing imported");
    assert_null(strstr(r.err, "bad.csv:2:"));
    assert_null(strstr(r.err, "bad.csv:6:"));
    itest_run_free(&r);
    assert_int_equal(count_gemeenten(), 0);
    free_lines(real);
}

/* Regression (found while writing fuzz_import): --format csv --profile json indexed the CSV profile
 * table at -1 (UBSan: index -1 out of bounds). It is a usage error now. */
static void csv_with_json_profile_is_refused(void **state)
{
    itest_run_t r;

    (void)state;
    knoop(&r, "import", "--dry-run", "--format", "csv", "--profile", "json", data("provinces.csv"),
          NULL);
    expect_status(&r, 2);
    expect_in(r.err, "--profile json: a CSV file needs a CSV profile");
    itest_run_free(&r);
}

static void provinces_and_gemeenten(void **state)
{
    itest_run_t r;

    (void)state;
    knoop(&r, "import", data("provinces.csv"), data("gemeenten.csv"), NULL);
    expect_status(&r, 0);
    expect_in(r.out, "provinces.csv: 12 rows, 12 created, 0 changed, 0 unchanged, 0 skipped");
    expect_in(r.out, "gemeenten.csv: 342 rows, 342 created, 0 changed, 0 unchanged, 0 skipped");
    /* stderr is not a terminal: no progress bar. */
    assert_null(strchr(r.err, '\r'));
    itest_run_free(&r);
    assert_int_equal(count_gemeenten(), 342);

    knoop(&r, "--csv", "query", "members", "NL-FL", "--type", "ligt in", NULL);
    expect_status(&r, 0);
    expect_in(r.out, "naam,sleutel,soort,rol,geldig vanaf,geldig tot\r\n");
    expect_in(r.out, "Almere,GM0034,gemeente,ligt in,1984-01-01,\r\n");
    expect_in(r.out, "Noordoostpolder,GM0171,gemeente,ligt in,1962-07-01,\r\n");
    {
        size_t lines = 0;
        const char *p;
        for (p = r.out; (p = strchr(p, '\n')) != NULL; p++)
            lines++;
        assert_int_equal(lines, 7); /* header + the 6 gemeenten of Flevoland */
    }
    itest_run_free(&r);
}

static void second_import_changes_nothing(void **state)
{
    itest_run_t r;

    (void)state;
    knoop(&r, "import", data("provinces.csv"), data("gemeenten.csv"), NULL);
    expect_status(&r, 0);
    expect_in(r.out, "provinces.csv: 12 rows, 0 created, 0 changed, 12 unchanged");
    expect_in(r.out, "gemeenten.csv: 342 rows, 0 created, 0 changed, 342 unchanged");
    itest_run_free(&r);
    assert_int_equal(count_gemeenten(), 342);
}

/* The name in a woonplaatsen.csv line (field 2) and its code (field 1). */
static void place_of(const char *line, char *code, char *name, size_t sz)
{
    const char *c1 = strchr(line, ','), *c2 = strchr(c1 + 1, ',');
    snprintf(code, sz, "%.*s", (int)(c1 - line), line);
    snprintf(name, sz, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
}

/* Whether query places GM1900 at `at` lists the place `name`. */
static bool has_place(const char *at, const char *name, char *from, size_t sz)
{
    itest_run_t r;
    json_t *j, *p;
    size_t i;
    bool found = false;

    knoop(&r, "--json", "query", "places", "GM1900", "--at", at, NULL);
    expect_status(&r, 0);
    j = json_loads(r.out, 0, NULL);
    assert_non_null(j);
    json_array_foreach(j, i, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "woonplaats")), name) == 0) {
            found = true;
            if (from != NULL)
                snprintf(from, sz, "%s", json_string_value(json_object_get(p, "geldig vanaf")));
        }
    }
    json_decref(j);
    itest_run_free(&r);
    return found;
}

/* The monthly update: a place missing from the new table ends on its date, a new one starts. */
static void woonplaatsen_monthly_update(void **state)
{
    size_t n, i, k = 0;
    char **real = read_lines(data("woonplaatsen.csv"), &n);
    const char *sel[7], *v1[6], *v2[6];
    char gone_code[64], gone[64], added_code[64], added[64], from[16], want[200];
    itest_run_t r;

    (void)state;
    /* Six real rows of Súdwest-Fryslân (gemeente_cbs_code_2025 = GM1900). */
    for (i = 1; i < n && k < 6; i++) {
        const char *p = real[i];
        int f;
        for (f = 0; f < 5 && p != NULL; f++)
            p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL;
        if (p != NULL && strncmp(p, "GM1900,", 7) == 0 && strchr(real[i], '"') == NULL)
            sel[k++] = real[i];
    }
    assert_int_equal(k, 6);
    v1[0] = v2[0] = real[0];
    for (i = 0; i < 5; i++)
        v1[i + 1] = sel[i];
    for (i = 0; i < 4; i++)
        v2[i + 1] = sel[i + 1];
    v2[5] = sel[5];
    write_file(tmp("woonplaatsen-2025-01.csv"), v1, 6);
    write_file(tmp("woonplaatsen-2025-02.csv"), v2, 6);
    place_of(sel[0], gone_code, gone, sizeof(gone));
    place_of(sel[5], added_code, added, sizeof(added));

    knoop(&r, "import", "--on", "2025-01-01", tmp("woonplaatsen-2025-01.csv"), NULL);
    expect_status(&r, 0);
    expect_in(r.out, "woonplaatsen-2025-01.csv: 5 rows, 5 created, 0 changed, 0 unchanged");
    itest_run_free(&r);

    knoop(&r, "import", "--on", "2025-02-01", tmp("woonplaatsen-2025-02.csv"), NULL);
    expect_status(&r, 0);
    expect_in(r.out, "places.sync on 2025-02-01: 1 added, 1 ended, 4 unchanged");
    snprintf(want, sizeof(want), "added: %s %s (GM1900)", added_code, added);
    expect_in(r.out, want);
    snprintf(want, sizeof(want), "ended: %s %s (GM1900)", gone_code, gone);
    expect_in(r.out, want);
    itest_run_free(&r);

    assert_true(has_place("2025-01-15", gone, NULL, 0));
    assert_false(has_place("2025-02-15", gone, NULL, 0));
    assert_false(has_place("2025-01-15", added, NULL, 0));
    assert_true(has_place("2025-02-15", added, from, sizeof(from)));
    assert_string_equal(from, "2025-02-01");

    /* Running the second file again changes nothing. */
    knoop(&r, "import", "--on", "2025-02-01", tmp("woonplaatsen-2025-02.csv"), NULL);
    expect_status(&r, 0);
    expect_in(r.out, "places.sync on 2025-02-01: 0 added, 0 ended, 5 unchanged");
    expect_in(r.out, "woonplaatsen-2025-02.csv: 5 rows, 0 created, 0 changed, 5 unchanged");
    itest_run_free(&r);
    free_lines(real);
}

/* The CSV export has the 342 gemeenten and reads back through the nodes profile unchanged. */
static void export_csv_round_trip(void **state)
{
    size_t n;
    char **lines;
    itest_run_t r;

    (void)state;
    knoop(&r, "export", "--format", "csv", "--type", "gemeente", "--out", tmp("export.csv"), NULL);
    expect_status(&r, 0);
    itest_run_free(&r);
    lines = read_lines(tmp("export.csv"), &n);
    assert_int_equal(n, 343);
    expect_in(lines[0], "kind,type,cbs_code,name,");
    expect_in(lines[0], "rel:ligt in");
    free_lines(lines);

    knoop(&r, "import", "--profile", "nodes", tmp("export.csv"), NULL);
    expect_status(&r, 0);
    expect_in(r.out, "export.csv: 342 rows, 0 created, 0 changed, 342 unchanged, 0 skipped");
    itest_run_free(&r);
    assert_int_equal(count_gemeenten(), 342);
}

/* ---- the real office holders and the 2022 election result ---- */

static knoop_conn_t *conn;

/* Calls method with params (borrowed) over libknoop; the result, which the caller frees. */
static json_t *rpc(const char *method, json_t *params)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    knoop_result_t *r = NULL;
    knoop_error_t err;
    json_t *j = NULL;
    int rc;

    if (conn == NULL) {
        assert_int_equal(knoop_connect(srv.addr, &conn, &err), 0);
        knoop_set_timeout(conn, 120000);
    }
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    assert_int_equal(knoop__json_pack(&pk, params, &err), 0);
    rc = knoop_call(conn, method, sb.data, sb.size, &r, &err);
    msgpack_sbuffer_destroy(&sb);
    if (rc != 0)
        fail_msg("%s: %s", method, err.msg);
    assert_int_equal(knoop__json_from_msgpack(knoop_result_value(r), &j, &err), 0);
    knoop_result_free(r);
    return j;
}

/* The edges of node (a key) in direction dir, of type (NULL: all), valid on at. */
static json_t *edges_of(const char *node, const char *dir, const char *type, const char *at)
{
    json_t *p = json_pack("{s:s,s:s,s:i}", "node", node, "direction", dir, "limit", 100000), *res;
    if (type != NULL)
        json_object_set_new(p, "type", json_string(type));
    if (at != NULL)
        json_object_set_new(p, "at", json_string(at));
    res = rpc("edge.list", p);
    json_decref(p);
    assert_false(json_is_true(json_object_get(res, "more")));
    return res;
}

static json_t *node_props(json_int_t id)
{
    json_t *p = json_pack("{s:I}", "id", id), *n = rpc("node.get", p);
    json_t *props = json_incref(json_object_get(n, "props"));
    json_decref(p);
    json_decref(n);
    return props;
}

static const char *str(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v != NULL ? v : "";
}

/* The 1-based line of the first line of path containing needle. */
static long line_of(const char *path, const char *needle)
{
    size_t n, i;
    char **lines = read_lines(path, &n);
    long at = -1;
    for (i = 0; i < n && at < 0; i++)
        if (strstr(lines[i], needle) != NULL)
            at = (long)i + 1;
    free_lines(lines);
    assert_true(at > 0);
    return at;
}

/* Field k (0-based) of a CSV line (RFC 4180 quoting, "" escapes) into out. */
static void field(const char *line, int k, char *out, size_t sz)
{
    const char *p = line;
    size_t o = 0;
    int f = 0;
    bool q = false;

    for (; *p != '\0'; p++) {
        if (q && *p == '"' && p[1] == '"') {
            if (f == k && o + 1 < sz)
                out[o++] = '"';
            p++;
        } else if (*p == '"') {
            q = !q;
        } else if (!q && *p == ',') {
            if (f++ == k)
                break;
        } else if (f == k && o + 1 < sz) {
            out[o++] = *p;
        }
    }
    assert_true(f >= k);
    out[o] = '\0';
}

static void office_holders_import(void **state)
{
    itest_run_t r;
    char want[300];

    (void)state;
    knoop(&r, "import", data("ambtsdragers.csv"), data("raadsleden_gekozen_2022.csv"),
          data("seats_2022.csv"), NULL);
    expect_status(&r, 0);
    /* The register lists two raadsgriffiers in Castricum and in Eersel and two burgemeesters in
     * Scherpenzeel on the same day: each second one breaks a role rule (one at a time) and is
     * reported and left out; the rest loads. */
    expect_in(r.out, "ambtsdragers.csv: 13706 rows, 13703 created, 0 changed, 0 unchanged, 3 "
                     "skipped");
    expect_in(r.out, "; 10539 persons, 13703 roles;");
    expect_in(r.out, "initials refused in 0, rows that break a role rule 3 (each listed");
    snprintf(want, sizeof(want),
             "ambtsdragers.csv:%ld: skipped row: conflict: griffier: at most 1 at a time",
             line_of(data("ambtsdragers.csv"), "Raadsgriffier,Mw.,,,van der,Tas"));
    expect_in(r.err, want);
    snprintf(want, sizeof(want),
             "ambtsdragers.csv:%ld: skipped row: conflict: burgemeester: at most 1 at a time",
             line_of(data("ambtsdragers.csv"), "Burgemeester,Mw.,,M.C.,,Teunissen"));
    expect_in(r.err, want);
    expect_in(r.out, "raadsleden_gekozen_2022.csv: 8178 rows, 8178 created, 0 changed");
    expect_in(r.out, "persons: 4577 matched to the register, 3588 new, 13 ambiguous");
    expect_in(r.out, "seats_2022.csv: 2640 rows, 2640 created, 0 changed, 0 unchanged, 0 skipped");
    expect_in(r.out, "; 330 election results");
    /* Initials written oddly are normalised and each such row is named. */
    snprintf(want, sizeof(want), "ambtsdragers.csv:%ld: initials 'Th..A.' stored as 'Th.A.'",
             line_of(data("ambtsdragers.csv"), ",Th..A.,"));
    expect_in(r.err, want);
    snprintf(want, sizeof(want), "ambtsdragers.csv:%ld: initials 'JCP' stored as 'J.C.P.'",
             line_of(data("ambtsdragers.csv"), ",JCP,"));
    expect_in(r.err, want);
    snprintf(want, sizeof(want),
             "raadsleden_gekozen_2022.csv:%ld: initials '(B.A.J.)' stored as 'B.A.J.'",
             line_of(data("raadsleden_gekozen_2022.csv"), ",(B.A.J.),"));
    expect_in(r.err, want);
    /* The register's doubled row is reported, not silently merged. */
    snprintf(want, sizeof(want),
             "ambtsdragers.csv:%ld: the register lists Dhr. H. de Jong as "
             "raadslid 2 times",
             line_of(data("ambtsdragers.csv"), "raadslid,Raadslid,Dhr.,,H.,de,Jong"));
    expect_in(r.err, want);
    itest_run_free(&r);

    /* A second run changes nothing. */
    knoop(&r, "import", data("ambtsdragers.csv"), data("raadsleden_gekozen_2022.csv"),
          data("seats_2022.csv"), NULL);
    expect_status(&r, 0);
    expect_in(r.out, "ambtsdragers.csv: 13706 rows, 0 created, 0 changed, 13703 unchanged, 3 "
                     "skipped");
    expect_in(r.out, "raadsleden_gekozen_2022.csv: 8178 rows, 0 created, 0 changed, 8178 "
                     "unchanged");
    expect_in(r.out, "seats_2022.csv: 2640 rows, 0 created, 0 changed, 2640 unchanged");
    itest_run_free(&r);
}

/* Persons: one per person_key of the register, plus the elected of 2022 not matched to one. */
static void office_holders_persons(void **state)
{
    json_t *p = json_pack("{s:s,s:i}", "kind", "person", "limit", 100000), *res, *n;
    size_t i, reg = 0, gr = 0;

    (void)state;
    res = rpc("node.find", p);
    json_decref(p);
    json_array_foreach(json_object_get(res, "nodes"), i, n)
    {
        const char *key = str(json_object_get(n, "props"), "key");
        reg += strncmp(key, "GM", 2) == 0;
        gr += strncmp(key, "GR2022|", 7) == 0;
    }
    json_decref(res);
    assert_int_equal(reg, 10539);
    assert_int_equal(gr, 3588 + 13);
}

/* Almere's K. Bokhorst, elected for the VVD in 2022 and listed as raadslid in 2026, is one
 * person holding both roles. */
static void office_holders_matched_person(void **state)
{
    json_t *res = edges_of("GM0034|K|bokhorst", "out", "raadslid", NULL), *e, *props;
    const char *first;
    size_t i;
    int seen = 0;

    (void)state;
    assert_int_equal(json_array_size(json_object_get(res, "edges")), 2);
    json_array_foreach(json_object_get(res, "edges"), i, e)
    {
        json_t *ep = json_object_get(e, "props");
        if (strcmp(str(e, "valid_from"), "2022-03-30") == 0) {
            assert_string_equal(str(e, "valid_to"), "2026-04-01");
            assert_string_equal(str(ep, "namens"), "VVD");
            seen |= 1;
        } else {
            assert_string_equal(str(e, "valid_from"), "2026-04-15");
            assert_true(json_is_null(json_object_get(e, "valid_to")));
            assert_true(json_is_true(json_object_get(ep, "begin_onbekend")));
            assert_null(json_object_get(ep, "namens"));
            seen |= 2;
        }
        props = node_props(json_integer_value(json_object_get(e, "source")));
        first = str(props, "first_names");
        assert_string_equal(first, "Koen");
        json_decref(props);
    }
    assert_int_equal(seen, 3);
    json_decref(res);
}

/* Opsterland elected two H. de Jongs (Hans, Harm): two persons, neither merged with the
 * register's one H. de Jong, which the register lists twice as raadslid. */
static void office_holders_opsterland_two_h_de_jong(void **state)
{
    json_t *res = edges_of("GM0086", "in", "raadslid", "2024-01-01"), *e, *props;
    json_int_t ids[2] = { 0, 0 };
    char firsts[2][64];
    size_t i, n = 0;

    (void)state;
    json_array_foreach(json_object_get(res, "edges"), i, e)
    {
        json_int_t id = json_integer_value(json_object_get(e, "source"));
        props = node_props(id);
        if (strcmp(str(props, "surname"), "Jong") == 0 &&
            strcmp(str(props, "initials"), "H.") == 0) {
            assert_true(n < 2);
            assert_int_equal(strncmp(str(props, "key"), "GR2022|GM0086|h|de jong|lijst ", 30), 0);
            snprintf(firsts[n], sizeof(firsts[n]), "%s", str(props, "first_names"));
            ids[n++] = id;
        }
        json_decref(props);
    }
    json_decref(res);
    assert_int_equal(n, 2);
    assert_true(ids[0] != ids[1]);
    assert_true((strcmp(firsts[0], "Hans") == 0 && strcmp(firsts[1], "Harm") == 0) ||
                (strcmp(firsts[0], "Harm") == 0 && strcmp(firsts[1], "Hans") == 0));
    {
        json_t *p = json_pack("{s:s}", "id", "GM0086|H|de jong");
        res = rpc("node.get", p);
        json_decref(p);
    }
    assert_true(json_is_true(json_object_get(json_object_get(res, "props"), "dubbel_in_bron")));
    assert_true(json_integer_value(json_object_get(res, "id")) != ids[0] &&
                json_integer_value(json_object_get(res, "id")) != ids[1]);
    json_decref(res);
}

static bool is_office_role(const char *t)
{
    static const char *const roles[] = { "burgemeester",
                                         "waarnemend burgemeester",
                                         "wethouder",
                                         "loco-burgemeester",
                                         "raadslid",
                                         "fractievoorzitter",
                                         "griffier",
                                         "gemeentesecretaris",
                                         NULL };
    for (int i = 0; roles[i] != NULL; i++)
        if (strcmp(roles[i], t) == 0)
            return true;
    return false;
}

/* Every gemeente has a (waarnemend) burgemeester on 2026-04-15: one query.holders for all of
 * them. And the register's roles valid that day at the gemeenten are its 13706, less the 3 that
 * break a role rule. */
static void office_holders_every_gemeente_has_a_burgemeester(void **state)
{
    size_t n, i, roles = 0;
    char **lines = read_lines(data("gemeenten.csv"), &n);
    json_t *p, *res, *h, *with = json_object();

    (void)state;
    assert_int_equal(n, 343);
    p = json_pack("{s:[s,s],s:s,s:i}", "role", "burgemeester", "waarnemend burgemeester", "at",
                  "2026-04-15", "limit", 100000);
    res = rpc("query.holders", p);
    json_decref(p);
    assert_false(json_is_true(json_object_get(res, "more")));
    json_array_foreach(json_object_get(res, "holders"), i, h)
    {
        const json_t *org = json_object_get(h, "org"), *role = json_object_get(h, "role");
        const char *t = str(role, "type");
        assert_true(strcmp(t, "burgemeester") == 0 || strcmp(t, "waarnemend burgemeester") == 0);
        assert_string_equal(str(org, "type"), "gemeente");
        assert_false(json_is_true(json_object_get(h, "example")));
        json_object_set_new(with, str(org, "key"), json_true());
    }
    json_decref(res);
    for (i = 1; i < n; i++) {
        char gm[16];
        field(lines[i], 0, gm, sizeof(gm));
        if (json_object_get(with, gm) == NULL)
            fail_msg("%s has no burgemeester or waarnemend burgemeester on 2026-04-15", gm);
    }
    free_lines(lines);
    assert_int_equal(json_object_size(with), 342);
    json_decref(with);

    /* Every role held on 2026-04-15, everywhere: the register's roles at the gemeenten. */
    p = json_pack("{s:s,s:i}", "at", "2026-04-15", "limit", 100000);
    res = rpc("query.holders", p);
    json_decref(p);
    assert_false(json_is_true(json_object_get(res, "more")));
    json_array_foreach(json_object_get(res, "holders"), i, h)
    {
        if (strcmp(str(json_object_get(h, "org"), "type"), "gemeente") == 0 &&
            is_office_role(str(json_object_get(h, "role"), "type")))
            roles++;
    }
    json_decref(res);
    assert_int_equal(roles, 13703); /* the register's 13706 less the 3 that break a role rule */
}

/* The key of a seats row: its party, or "lijst N" for a list without a registered name. */
static void seat_key(const json_t *s, char *key, size_t sz)
{
    if (json_is_string(json_object_get(s, "party")))
        snprintf(key, sz, "%s", str(s, "party"));
    else
        snprintf(key, sz, "lijst %lld", json_integer_value(json_object_get(s, "list")));
}

/* For each of the 330 gemeenten of seats_2022.csv, query.seats on 2024-01-01 (the raadslid
 * roles valid that day counted per party, per list number for a list without a registered
 * name) equals the Kiesraad's seats, and the election result it reports says the same. The
 * example data loaded before (E. Voorbeeld, raadslid of Almere) counts nowhere. */
static void office_holders_seats_2024_equal_kiesraad(void **state)
{
    size_t n, i, gemeenten = 0;
    char **lines = read_lines(data("seats_2022.csv"), &n);
    json_t *want = json_object(), *got, *g, *res, *s;
    const char *gm;
    long total_seats = 0;

    (void)state;
    /* seats_2022.csv: gemeente_cbs_code (0), ..., list_number (5), party (6), seats (7). */
    for (i = 1; i < n; i++) {
        char code[16], ln[16], seats[16], party[300], key[320];
        json_t *m;
        field(lines[i], 0, code, sizeof(code));
        field(lines[i], 5, ln, sizeof(ln));
        field(lines[i], 6, party, sizeof(party));
        field(lines[i], 7, seats, sizeof(seats));
        if (party[0] != '\0')
            snprintf(key, sizeof(key), "%s", party);
        else
            snprintf(key, sizeof(key), "lijst %s", ln);
        if ((m = json_object_get(want, code)) == NULL) {
            m = json_object();
            json_object_set_new(want, code, m);
        }
        assert_null(json_object_get(m, key));
        json_object_set_new(m, key, json_integer(atol(seats)));
        total_seats += atol(seats);
    }
    free_lines(lines);
    assert_int_equal(json_object_size(want), 330);
    assert_int_equal(total_seats, 8178);

    json_object_foreach(want, gm, g)
    {
        json_t *p = json_pack("{s:s,s:s}", "gemeente", gm, "at", "2024-01-01"), *e;
        long total = 0, etotal = 0;
        char key[320];
        res = rpc("query.seats", p);
        json_decref(p);
        assert_string_equal(str(json_object_get(res, "gemeente"), "key"), gm);
        got = json_object();
        json_array_foreach(json_object_get(res, "seats"), i, s)
        {
            assert_false(json_is_true(json_object_get(s, "example")));
            seat_key(s, key, sizeof(key));
            assert_null(json_object_get(got, key));
            json_object_set_new(got, key, json_copy(json_object_get(s, "seats")));
            total += json_integer_value(json_object_get(s, "seats"));
        }
        if (!json_equal(got, g)) {
            char *a = json_dumps(got, JSON_SORT_KEYS), *b = json_dumps(g, JSON_SORT_KEYS);
            fail_msg("%s on 2024-01-01: query.seats %s, seats_2022.csv %s", gm, a, b);
        }
        json_decref(got);
        assert_int_equal(json_integer_value(json_object_get(res, "total")), total);
        /* The election result registered for the gemeente. */
        e = json_object_get(res, "election");
        assert_true(json_is_object(e));
        assert_string_equal(str(e, "date"), "2022-03-16");
        assert_int_equal(json_integer_value(json_object_get(e, "total")), total);
        json_array_foreach(json_object_get(e, "seats"), i, s)
        {
            json_t *v;
            seat_key(s, key, sizeof(key));
            v = json_object_get(g, key);
            assert_non_null(v);
            assert_int_equal(json_integer_value(v),
                             json_integer_value(json_object_get(s, "seats")));
            etotal += json_integer_value(json_object_get(s, "seats"));
        }
        assert_int_equal(etotal, total);
        json_decref(res);
        gemeenten++;
    }
    assert_int_equal(gemeenten, 330);
    json_decref(want);
}

/* The fictitious example data (schema/data/example_functionarissen.json: persons with
 * props.example = true) skews no real answer: E. Voorbeeld, an open-ended raadslid of Almere,
 * is left out of query.seats and query.holders unless examples is asked, and then counted and
 * listed apart, marked example. */
static void example_persons_count_only_when_asked(void **state)
{
    itest_run_t r;
    json_t *p, *res, *s, *h;
    size_t i;
    long almere = 0;
    bool seen = false;

    (void)state;
    knoop(&r, "import", data("example_functionarissen.json"), NULL);
    expect_status(&r, 0);
    itest_run_free(&r);

    /* Almere's seats on 2024-01-01 are the Kiesraad's 45; the example raadslid is reported. */
    p = json_pack("{s:s,s:s}", "gemeente", "GM0034", "at", "2024-01-01");
    res = rpc("query.seats", p);
    json_decref(p);
    assert_int_equal(json_integer_value(json_object_get(res, "total")), 45);
    assert_int_equal(json_integer_value(json_object_get(res, "example_roles")), 1);
    json_array_foreach(json_object_get(res, "seats"), i, s)
    {
        assert_false(json_is_true(json_object_get(s, "example")));
        assert_string_not_equal(str(s, "party"), "Voorbeeldpartij");
        almere += json_integer_value(json_object_get(s, "seats"));
    }
    assert_int_equal(almere, 45);
    json_decref(res);

    /* Asked for, it is counted in a row of its own. */
    p = json_pack("{s:s,s:s,s:b}", "gemeente", "GM0034", "at", "2024-01-01", "examples", 1);
    res = rpc("query.seats", p);
    json_decref(p);
    assert_int_equal(json_integer_value(json_object_get(res, "total")), 46);
    json_array_foreach(json_object_get(res, "seats"), i, s)
    {
        if (json_is_true(json_object_get(s, "example"))) {
            assert_false(seen);
            assert_string_equal(str(s, "party"), "Voorbeeldpartij");
            assert_int_equal(json_integer_value(json_object_get(s, "seats")), 1);
            seen = true;
        }
    }
    assert_true(seen);
    json_decref(res);

    /* query.holders: left out by default, listed and marked when asked. */
    p = json_pack("{s:s,s:s,s:s}", "org", "GM0034", "role", "raadslid", "at", "2024-01-01");
    res = rpc("query.holders", p);
    json_decref(p);
    assert_int_equal(json_array_size(json_object_get(res, "holders")), 45);
    json_array_foreach(json_object_get(res, "holders"), i, h)
        assert_false(json_is_true(json_object_get(h, "example")));
    json_decref(res);
    p = json_pack("{s:s,s:s,s:s,s:b}", "org", "GM0034", "role", "raadslid", "at", "2024-01-01",
                  "examples", 1);
    res = rpc("query.holders", p);
    json_decref(p);
    assert_int_equal(json_array_size(json_object_get(res, "holders")), 46);
    seen = false;
    json_array_foreach(json_object_get(res, "holders"), i, h)
    {
        bool ex = json_is_true(json_object_get(h, "example"));
        assert_true(json_is_boolean(json_object_get(h, "example")));
        if (ex)
            assert_string_equal(str(json_object_get(h, "person"), "key"), "VOORBEELD-E-VOORBEELD");
        seen |= ex;
    }
    assert_true(seen);
    json_decref(res);

    /* Asked by person, an example person's roles are answered, marked. */
    p = json_pack("{s:s,s:s}", "person", "VOORBEELD-P-JANSEN", "at", "2024-01-01");
    res = rpc("query.holders", p);
    json_decref(p);
    assert_true(json_array_size(json_object_get(res, "holders")) >= 1);
    json_array_foreach(json_object_get(res, "holders"), i, h)
        assert_true(json_is_true(json_object_get(h, "example")));
    json_decref(res);

    /* Almere takes part in the VNG-commissie only through the example P. Jansen: not a real
     * answer unless asked. */
    p = json_pack("{s:s,s:s}", "node", "GM0034", "at", "2024-01-01");
    res = rpc("query.participation", p);
    json_decref(p);
    json_array_foreach(json_object_get(res, "participation"), i, h)
        assert_string_not_equal(str(json_object_get(h, "node"), "key"), "VNG-CMEM");
    json_decref(res);
    p = json_pack("{s:s,s:s,s:b}", "node", "GM0034", "at", "2024-01-01", "examples", 1);
    res = rpc("query.participation", p);
    json_decref(p);
    seen = false;
    json_array_foreach(json_object_get(res, "participation"), i, h)
    {
        if (strcmp(str(json_object_get(h, "node"), "key"), "VNG-CMEM") == 0) {
            json_t *ev = json_array_get(json_object_get(h, "evidence"), 0);
            assert_true(json_is_true(json_object_get(ev, "example")));
            seen = true;
        }
    }
    assert_true(seen);
    json_decref(res);

    /* The CLI says so. */
    knoop(&r, "query", "seats", "GM0034", "--at", "2024-01-01", NULL);
    expect_status(&r, 0);
    expect_in(r.out, "45 raadsleden");
    expect_in(r.out, "1 voorbeeldpersoon/-personen niet meegeteld (--examples)");
    assert_null(strstr(r.out, "Voorbeeldpartij"));
    itest_run_free(&r);
    knoop(&r, "query", "seats", "GM0034", "--at", "2024-01-01", "--examples", NULL);
    expect_status(&r, 0);
    expect_in(r.out, "Voorbeeldpartij (voorbeeld)");
    itest_run_free(&r);
    knoop(&r, "query", "holders", "GM0034", "--role", "raadslid", "--at", "2024-01-01",
          "--examples", NULL);
    expect_status(&r, 0);
    expect_in(r.out, "Voorbeeld, E. (voorbeeld)");
    itest_run_free(&r);
}

static void close_conn(void **state)
{
    (void)state;
    if (conn != NULL)
        knoop_close(conn);
    conn = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_rows_import_nothing),
        cmocka_unit_test(csv_with_json_profile_is_refused),
        cmocka_unit_test(provinces_and_gemeenten),
        cmocka_unit_test(second_import_changes_nothing),
        cmocka_unit_test(woonplaatsen_monthly_update),
        cmocka_unit_test(export_csv_round_trip),
        cmocka_unit_test(office_holders_import),
        cmocka_unit_test(office_holders_persons),
        cmocka_unit_test(office_holders_matched_person),
        cmocka_unit_test(office_holders_opsterland_two_h_de_jong),
        cmocka_unit_test(office_holders_every_gemeente_has_a_burgemeester),
        cmocka_unit_test(example_persons_count_only_when_asked),
        cmocka_unit_test(office_holders_seats_2024_equal_kiesraad),
        cmocka_unit_test(close_conn),
    };
    int rc;

    setlocale(LC_ALL, "C.UTF-8");
    rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    return rc != 0 || srv_exit != 0 ? 1 : 0;
}
