/*
 * test_import.c - `knoop import`, `knoop export` and `knoop query` with the real reference data
 * (schema/data) against a real knoopd (layer: tests/integration).
 *
 * The tests run in order on one server: the file with bad rows first (nothing may be
 * imported), then provinces and gemeenten (twice: the second run changes nothing), the monthly
 * woonplaatsen update, and the CSV export read back. Every data row comes from the real files;
 * the small files are written at test time from them (the bad rows are real rows with one
 * field broken).
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
    static char path[2][512];
    static int k;
    k ^= 1;
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_rows_import_nothing),
        cmocka_unit_test(csv_with_json_profile_is_refused),
        cmocka_unit_test(provinces_and_gemeenten),
        cmocka_unit_test(second_import_changes_nothing),
        cmocka_unit_test(woonplaatsen_monthly_update),
        cmocka_unit_test(export_csv_round_trip),
    };
    int rc;

    setlocale(LC_ALL, "C.UTF-8");
    rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    return rc != 0 || srv_exit != 0 ? 1 : 0;
}
