/*
 * test_schema_check.c - unit tests for schema/schema_check.h: postcodes and addresses, e-mail,
 * telephone and website, Dutch person names, CBS codes (pure functions, no I/O except reading
 * the reference data in /work/shared/data, located through KNOOP_SHARED_DATA or relative to
 * this file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "schema_check.h"
#include "schema_domain.h"
#include "testutil.h"

/* ---- helpers ---- */

typedef int (*norm_fn)(const char *s, size_t len, const char *field, char *out, size_t outsz,
                       knoop_error_t *err);

/* fn(in) succeeds and writes want, returning its length. */
static void assert_norm(norm_fn fn, const char *in, const char *want)
{
    char out[SCHEMA_WEBSITE_SIZE];
    knoop_error_t err;
    knoop_error_clear(&err);
    memset(out, 'x', sizeof out);
    int rc = fn(in, strlen(in), "f", out, sizeof out, &err);
    if (rc < 0)
        fail_msg("'%s' refused: %d %s", in, rc, err.msg);
    if (strcmp(out, want) != 0)
        fail_msg("'%s' normalised to '%s', want '%s'", in, out, want);
    assert_int_equal(rc, strlen(want));
}

/* fn(in) fails with KNOOP_EINVAL; the message names the field, and holds `part` if given. */
static void assert_norm_rejected(norm_fn fn, const char *in, const char *part)
{
    char out[SCHEMA_WEBSITE_SIZE];
    knoop_error_t err;
    knoop_error_clear(&err);
    strcpy(out, "untouched");
    int rc = fn(in, strlen(in), "contact.value", out, sizeof out, &err);
    if (rc != KNOOP_EINVAL)
        fail_msg("'%s' gave %d ('%s'), want KNOOP_EINVAL", in, rc, rc >= 0 ? out : err.msg);
    assert_int_equal(err.code, KNOOP_EINVAL);
    if (strncmp(err.msg, "contact.value: ", 15) != 0)
        fail_msg("message for '%s' does not start with the field: %s", in, err.msg);
    if (part != NULL && strstr(err.msg, part) == NULL)
        fail_msg("message for '%s' lacks '%s': %s", in, part, err.msg);
    assert_string_equal(out, "untouched");
}

static int postcode_fn(const char *s, size_t len, const char *field, char *out, size_t outsz,
                       knoop_error_t *err)
{
    (void)outsz;
    int rc = schema_postcode_normalise(s, len, field, out, err);
    return rc == 0 ? (int)strlen(out) : rc;
}

static int gemeente_fn(const char *s, size_t len, const char *field, char *out, size_t outsz,
                       knoop_error_t *err)
{
    (void)outsz;
    int rc = schema_cbs_gemeentecode_check(s, len, field, out, err);
    return rc == 0 ? (int)strlen(out) : rc;
}

static int provincie_fn(const char *s, size_t len, const char *field, char *out, size_t outsz,
                        knoop_error_t *err)
{
    (void)outsz;
    int rc = schema_cbs_provinciecode_check(s, len, field, out, err);
    return rc == 0 ? (int)strlen(out) : rc;
}

static int search_key(const char *q, char *out, size_t outsz)
{
    return schema_person_search_key(q, strlen(q), out, outsz);
}

/* The folder of the reference data: $KNOOP_SHARED_DATA, else <this file>/../../../shared/data. */
static void data_path(char *buf, size_t size, const char *name)
{
    const char *env = getenv("KNOOP_SHARED_DATA");
    if (env != NULL && env[0] != '\0') {
        snprintf(buf, size, "%s/%s", env, name);
        return;
    }
    const char *file = __FILE__;
    const char *slash = strrchr(file, '/');
    int dirlen = slash != NULL ? (int)(slash - file) : 1;
    snprintf(buf, size, "%.*s/../../../shared/data/%s", dirlen, slash != NULL ? file : ".", name);
}

/*
 * Splits one CSV line (no embedded newlines) into at most max fields, each cut to fsize-1
 * bytes; handles "quoted, fields" and "" escapes. Returns the field count.
 */
static int csv_split(const char *line, char fields[][256], int max)
{
    int n = 0;
    const char *p = line;
    for (;;) {
        size_t o = 0;
        char *f = fields[n];
        if (*p == '"') {
            p++;
            while (*p != '\0') {
                if (*p == '"' && p[1] == '"') {
                    if (o < 255)
                        f[o++] = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    if (o < 255)
                        f[o++] = *p;
                    p++;
                }
            }
        }
        while (*p != '\0' && *p != ',' && *p != '\n' && *p != '\r') {
            if (o < 255)
                f[o++] = *p;
            p++;
        }
        f[o] = '\0';
        n++;
        if (*p != ',' || n == max)
            return n;
        p++;
    }
}

/* Index of column `name` in the header fields, or fails the test. */
static int csv_col(char fields[][256], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(fields[i], name) == 0)
            return i;
    fail_msg("column %s not found", name);
    return -1;
}

/* Opens a reference data file, or skips the test when the data folder is absent. */
static FILE *open_data(const char *name)
{
    char path[1024];
    data_path(path, sizeof path, name);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        print_message("reference data %s not found; set KNOOP_SHARED_DATA\n", path);
        skip();
    }
    return f;
}

/* ---- postcodes ---- */

static void postcode_accepts_spacing_and_case_variants(void **state)
{
    (void)state;
    assert_norm(postcode_fn, "1234ab", "1234 AB");
    assert_norm(postcode_fn, "1234 AB", "1234 AB");
    assert_norm(postcode_fn, " 1234  ab ", "1234 AB");
    assert_norm(postcode_fn, "9999XL", "9999 XL");
    assert_norm(postcode_fn, "1011aB", "1011 AB");
    assert_norm(postcode_fn, "8011 PK", "8011 PK");
}

static void postcode_rejects_a_leading_zero(void **state)
{
    (void)state;
    assert_norm_rejected(postcode_fn, "0123 AB", "does not start with 0");
    assert_norm_rejected(postcode_fn, "0000AA", "does not start with 0");
}

static void postcode_refuses_sa_sd_ss_saying_they_are_never_issued(void **state)
{
    (void)state;
    assert_norm_rejected(postcode_fn, "1234 SA", "never issued");
    assert_norm_rejected(postcode_fn, "1234sd", "SA, SD or SS");
    assert_norm_rejected(postcode_fn, "1234 ss", "letters SS");
}

static void postcode_accepts_other_s_pairs_and_letters_used_since_2005(void **state)
{
    (void)state;
    assert_norm(postcode_fn, "1234 SB", "1234 SB");
    assert_norm(postcode_fn, "1234 AS", "1234 AS");
    assert_norm(postcode_fn, "1234 FI", "1234 FI");
    assert_norm(postcode_fn, "1234 QY", "1234 QY");
}

static void postcode_rejects_other_shapes(void **state)
{
    (void)state;
    /* "\xc3\x81" "B" is split so the hex escape does not take the B; the parentheses tell clang
     * (-Wstring-concatenation) that the concatenation is meant. */
    const char *bad[] = { "1234-ab1",
                          "123AB",
                          "12345AB",
                          "1234A",
                          "1234ABC",
                          "1234\tAB",
                          "12 34AB",
                          "",
                          "AB1234",
                          "1234 A B",
                          "1234-AB",
                          "1234 A1",
                          ("1234 \xc3\x81"
                           "B"),
                          "１２３４AB",
                          "1234AB.",
                          "   " };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_norm_rejected(postcode_fn, bad[i], "expected a Dutch postcode like '1234 AB'");
}

static void postcode_error_is_the_documented_message(void **state)
{
    (void)state;
    knoop_error_t err;
    char out[SCHEMA_POSTCODE_SIZE];
    knoop_error_clear(&err);
    assert_int_equal(schema_postcode_normalise("1234-ab1", 8, "bezoekadres.postcode", out, &err),
                     KNOOP_EINVAL);
    assert_string_equal(err.msg,
                        "bezoekadres.postcode: expected a Dutch postcode like '1234 AB', got "
                        "'1234-ab1'");
}

static void postcode_reads_only_len_bytes_and_refuses_embedded_nul(void **state)
{
    (void)state;
    knoop_error_t err;
    char out[SCHEMA_POSTCODE_SIZE];
    assert_int_equal(schema_postcode_normalise("1234ABCD", 6, "f", out, &err), 0);
    assert_string_equal(out, "1234 AB");
    assert_int_equal(schema_postcode_normalise("1234 AB", 6, "f", out, &err), KNOOP_EINVAL);
    assert_int_equal(schema_postcode_normalise("1234\0AB", 7, "f", out, &err), KNOOP_EINVAL);
    assert_non_null(strstr(err.msg, "\\x00"));
}

/* ---- PC4 ---- */

static void pc4_parses_1000_to_9999(void **state)
{
    (void)state;
    knoop_error_t err;
    unsigned v = 0;
    assert_int_equal(schema_pc4_parse("1000", 4, "f", &v, &err), 0);
    assert_int_equal(v, 1000);
    assert_int_equal(schema_pc4_parse("9999", 4, "f", &v, &err), 0);
    assert_int_equal(v, 9999);
    assert_int_equal(schema_pc4_parse("1011AB", 4, "f", &v, &err), 0);
    assert_int_equal(v, 1011);
}

static void pc4_rejects_below_1000_and_other_shapes(void **state)
{
    (void)state;
    knoop_error_t err;
    unsigned v = 77;
    const char *bad[] = { "0999", "0000", "999", "10000", "1O11", " 1011", "1011 ", "", "+101" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        knoop_error_clear(&err);
        if (schema_pc4_parse(bad[i], strlen(bad[i]), "pc4.code", &v, &err) != KNOOP_EINVAL)
            fail_msg("'%s' accepted as PC4", bad[i]);
        assert_non_null(strstr(err.msg, "pc4.code: expected a 4-digit postcode area"));
    }
    assert_int_equal(v, 77);
}

static void pc4_accepts_every_area_in_the_pc4_table(void **state)
{
    (void)state;
    FILE *f = open_data("postcodes_pc4.csv");
    char line[4096], fields[16][256];
    int n = 0;
    unsigned prev = 0;
    assert_non_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f) != NULL) {
        knoop_error_t err;
        unsigned v;
        csv_split(line, fields, 16);
        if (schema_pc4_parse(fields[0], strlen(fields[0]), "pc4", &v, &err) != 0)
            fail_msg("PC4 '%s' refused: %s", fields[0], err.msg);
        assert_true(v > prev); /* the table is sorted and unique */
        prev = v;
        n++;
    }
    fclose(f);
    assert_int_equal(n, 4074);
}

/* ---- address types ---- */

static void addr_type_parses_the_three_names(void **state)
{
    (void)state;
    knoop_error_t err;
    schema_addr_type_t t = 0;
    assert_int_equal(schema_addr_type_parse("bezoekadres", 11, "f", &t, &err), 0);
    assert_int_equal(t, SCHEMA_ADDR_BEZOEK);
    assert_int_equal(schema_addr_type_parse("postadres", 9, "f", &t, &err), 0);
    assert_int_equal(t, SCHEMA_ADDR_POST);
    t = 0;
    assert_int_equal(schema_addr_type_parse("correspondentieadres", 20, "f", &t, &err), 0);
    assert_int_equal(t, SCHEMA_ADDR_POST);
    assert_int_equal(SCHEMA_ADDR_BEZOEK, 1);
    assert_int_equal(SCHEMA_ADDR_POST, 2);
}

static void addr_type_rejects_unknown_names_listing_the_valid_ones(void **state)
{
    (void)state;
    knoop_error_t err;
    schema_addr_type_t t = 0;
    knoop_error_clear(&err);
    assert_int_equal(schema_addr_type_parse("woonadres", 9, "params.type", &t, &err), KNOOP_EINVAL);
    assert_non_null(strstr(err.msg, "params.type"));
    assert_non_null(strstr(err.msg, "'woonadres'"));
    assert_non_null(strstr(err.msg, "bezoekadres, postadres or correspondentieadres"));
    assert_int_equal(schema_addr_type_parse("Postadres", 9, "f", &t, &err), KNOOP_EINVAL);
    assert_int_equal(schema_addr_type_parse("postadres", 8, "f", &t, &err), KNOOP_EINVAL);
    assert_int_equal(t, 0);
}

/* ---- addresses ---- */

static schema_address_t street_address(const char *street, unsigned number, const char *letter,
                                       const char *addition, const char *postcode,
                                       const char *place)
{
    schema_address_t a;
    memset(&a, 0, sizeof a);
    a.type = SCHEMA_ADDR_BEZOEK;
    snprintf(a.street, sizeof a.street, "%s", street);
    a.house_number = number;
    snprintf(a.house_letter, sizeof a.house_letter, "%s", letter);
    snprintf(a.addition, sizeof a.addition, "%s", addition);
    snprintf(a.postcode, sizeof a.postcode, "%s", postcode);
    snprintf(a.place, sizeof a.place, "%s", place);
    return a;
}

static schema_address_t postbus_address(const char *postbus, const char *postcode,
                                        const char *place)
{
    schema_address_t a;
    memset(&a, 0, sizeof a);
    a.type = SCHEMA_ADDR_POST;
    snprintf(a.postbus, sizeof a.postbus, "%s", postbus);
    snprintf(a.postcode, sizeof a.postcode, "%s", postcode);
    snprintf(a.place, sizeof a.place, "%s", place);
    return a;
}

static void assert_address_rejected(schema_address_t a, const char *part)
{
    knoop_error_t err;
    schema_address_t before = a;
    knoop_error_clear(&err);
    int rc = schema_address_check(&a, "bezoekadres", &err);
    if (rc != KNOOP_EINVAL)
        fail_msg("address accepted (%d), want KNOOP_EINVAL with '%s'", rc, part);
    if (strstr(err.msg, part) == NULL)
        fail_msg("message lacks '%s': %s", part, err.msg);
    assert_memory_equal(&a, &before, sizeof a);
}

static void address_check_normalises_a_street_address(void **state)
{
    (void)state;
    knoop_error_t err;
    schema_address_t a = street_address("  Grote Kerkplein ", 15, "a", "2hg", "8011pk", " Zwolle");
    assert_int_equal(schema_address_check(&a, "bezoekadres", &err), 0);
    assert_string_equal(a.street, "Grote Kerkplein");
    assert_int_equal(a.house_number, 15);
    assert_string_equal(a.house_letter, "A");
    assert_string_equal(a.addition, "2HG");
    assert_string_equal(a.postcode, "8011 PK");
    assert_string_equal(a.place, "Zwolle");
    assert_string_equal(a.postbus, "");
    /* Tabs and newlines around a member are whitespace, not control characters. */
    a = street_address("Markt\t", 1, "", "", "1234 AB", "\tZwolle\r\n");
    assert_int_equal(schema_address_check(&a, "bezoekadres", &err), 0);
    assert_string_equal(a.street, "Markt");
    assert_string_equal(a.place, "Zwolle");
}

static void address_check_accepts_a_postbus_postadres(void **state)
{
    (void)state;
    knoop_error_t err;
    schema_address_t a = postbus_address("626", "1000ap", "Amsterdam");
    assert_int_equal(schema_address_check(&a, "postadres", &err), 0);
    assert_string_equal(a.postbus, "626");
    assert_string_equal(a.postcode, "1000 AP");
    assert_int_equal(a.house_number, 0);
}

static void address_check_postbus_drops_leading_zeros_and_refuses_bad_numbers(void **state)
{
    (void)state;
    knoop_error_t err;
    schema_address_t a = postbus_address("00123", "1000 AP", "Amsterdam");
    assert_int_equal(schema_address_check(&a, "postadres", &err), 0);
    assert_string_equal(a.postbus, "123");
    a = postbus_address("123456", "1000 AP", "Amsterdam");
    assert_address_rejected(a, "bezoekadres.postbus: expected a Postbus number");
    a = postbus_address("12a", "1000 AP", "Amsterdam");
    assert_address_rejected(a, ".postbus:");
    a = postbus_address("000", "1000 AP", "Amsterdam");
    assert_address_rejected(a, ".postbus:");
}

static void address_check_refuses_a_postbus_bezoekadres(void **state)
{
    (void)state;
    schema_address_t a = postbus_address("626", "1000 AP", "Amsterdam");
    a.type = SCHEMA_ADDR_BEZOEK;
    assert_address_rejected(a, "a bezoekadres cannot be a Postbus");
}

static void address_check_refuses_a_postbus_with_street_or_number(void **state)
{
    (void)state;
    schema_address_t a = postbus_address("626", "1000 AP", "Amsterdam");
    snprintf(a.street, sizeof a.street, "Dorpsstraat");
    assert_address_rejected(a, "a Postbus address has no street");
    a = postbus_address("626", "1000 AP", "Amsterdam");
    a.house_number = 12;
    assert_address_rejected(a, "a Postbus address has no street");
    a = postbus_address("626", "1000 AP", "Amsterdam");
    snprintf(a.addition, sizeof a.addition, "A");
    assert_address_rejected(a, "a Postbus address has no street");
}

static void address_check_requires_street_postcode_and_place(void **state)
{
    (void)state;
    assert_address_rejected(street_address("", 1, "", "", "1234 AB", "Zwolle"),
                            "bezoekadres.street: required");
    assert_address_rejected(street_address("   ", 1, "", "", "1234 AB", "Zwolle"),
                            "bezoekadres.street: required");
    assert_address_rejected(street_address("Markt", 1, "", "", "", "Zwolle"),
                            "bezoekadres.postcode: required");
    assert_address_rejected(street_address("Markt", 1, "", "", "1234 AB", ""),
                            "bezoekadres.place: required");
    schema_address_t a = street_address("", 1, "", "", "1234 AB", "Zwolle");
    a.type = SCHEMA_ADDR_POST;
    assert_address_rejected(a, "required (or a postbus number)");
}

static void address_check_bounds_house_number_1_to_99999(void **state)
{
    (void)state;
    knoop_error_t err;
    schema_address_t a = street_address("Markt", 99999, "", "", "1234 AB", "Zwolle");
    assert_int_equal(schema_address_check(&a, "f", &err), 0);
    a = street_address("Markt", 1, "", "", "1234 AB", "Zwolle");
    assert_int_equal(schema_address_check(&a, "f", &err), 0);
    assert_address_rejected(street_address("Markt", 0, "", "", "1234 AB", "Zwolle"),
                            "bezoekadres.house_number: expected 1 to 99999, got 0");
    assert_address_rejected(street_address("Markt", 100000, "", "", "1234 AB", "Zwolle"),
                            "got 100000");
}

static void address_check_refuses_bad_letter_and_addition(void **state)
{
    (void)state;
    assert_address_rejected(street_address("Markt", 1, "1", "", "1234 AB", "Zwolle"),
                            "bezoekadres.house_letter: expected a single letter");
    assert_address_rejected(street_address("Markt", 1, "-", "", "1234 AB", "Zwolle"),
                            ".house_letter:");
    assert_address_rejected(street_address("Markt", 1, "", "12345", "1234 AB", "Zwolle"),
                            "bezoekadres.addition: expected 1 to 4 letters or digits");
    assert_address_rejected(street_address("Markt", 1, "", "a-b", "1234 AB", "Zwolle"),
                            ".addition:");
    assert_address_rejected(street_address("Markt", 1, "", "a b", "1234 AB", "Zwolle"),
                            ".addition:");
}

static void address_check_names_the_member_in_postcode_errors(void **state)
{
    (void)state;
    knoop_error_t err;
    /* postcode[8] holds at most 7 bytes: the brief's "1234-ab1" example does not fit. */
    schema_address_t a = street_address("Markt", 1, "", "", "1234-ab", "Zwolle");
    knoop_error_clear(&err);
    assert_int_equal(schema_address_check(&a, "bezoekadres", &err), KNOOP_EINVAL);
    assert_string_equal(err.msg,
                        "bezoekadres.postcode: expected a Dutch postcode like '1234 AB', got "
                        "'1234-ab'");
    assert_address_rejected(street_address("Markt", 1, "", "", "1234 SS", "Zwolle"),
                            "never issued");
}

static void address_check_leaves_the_address_unchanged_on_error(void **state)
{
    (void)state;
    /* Trimming and upper-casing happen on a copy: nothing changes when a later rule fails. */
    assert_address_rejected(street_address(" Markt ", 1, "a", "bis", "1234ab", ""),
                            "place: required");
}

static void address_check_refuses_unterminated_members_and_control_characters(void **state)
{
    (void)state;
    schema_address_t a = street_address("Markt", 1, "", "", "1234 AB", "Zwolle");
    memset(a.place, 'x', sizeof a.place);
    assert_address_rejected(a, "bezoekadres.place: not NUL-terminated");
    a = street_address("Mar\nkt", 1, "", "", "1234 AB", "Zwolle");
    assert_address_rejected(a, "bezoekadres.street: control character");
    a = street_address("Markt", 1, "", "", "1234 AB", "Zwol\xffle");
    assert_address_rejected(a, "bezoekadres.place: not valid UTF-8");
}

static void address_check_refuses_an_unknown_type(void **state)
{
    (void)state;
    schema_address_t a = street_address("Markt", 1, "", "", "1234 AB", "Zwolle");
    a.type = 3;
    assert_address_rejected(a, "bezoekadres.type:");
    a.type = 0;
    assert_address_rejected(a, "bezoekadres.type:");
}

/* ---- NEN 5825 format ---- */

static void assert_formats(schema_address_t a, const char *want)
{
    char out[SCHEMA_ADDRESS_FORMAT_SIZE];
    knoop_error_t err;
    if (schema_address_check(&a, "a", &err) != 0)
        fail_msg("address refused: %s", err.msg);
    int n = schema_address_format(&a, out, sizeof out);
    if (n < 0 || strcmp(out, want) != 0)
        fail_msg("formatted as '%s' (%d), want '%s'", out, n, want);
    assert_int_equal(n, strlen(want));
}

static void address_format_writes_nen5825_street_lines(void **state)
{
    (void)state;
    assert_formats(street_address("Grote Kerkplein", 15, "", "", "8011 PK", "Zwolle"),
                   "Grote Kerkplein 15\n8011 PK  ZWOLLE");
    assert_formats(street_address("Dorpsstraat", 12, "a", "3", "1234ab", "Utrecht"),
                   "Dorpsstraat 12A-3\n1234 AB  UTRECHT");
    assert_formats(street_address("Dorpsstraat", 12, "", "bis", "1234ab", "Utrecht"),
                   "Dorpsstraat 12-BIS\n1234 AB  UTRECHT");
    assert_formats(street_address("Dorpsstraat", 7, "B", "", "1234ab", "Utrecht"),
                   "Dorpsstraat 7B\n1234 AB  UTRECHT");
}

static void address_format_writes_postbus_lines(void **state)
{
    (void)state;
    assert_formats(postbus_address("626", "1000 AP", "Amsterdam"),
                   "Postbus 626\n1000 AP  AMSTERDAM");
}

static void address_format_upper_cases_the_place_with_utf8proc(void **state)
{
    (void)state;
    assert_formats(street_address("Marktstraat", 15, "", "", "8601 CG", "Súdwest-Fryslân"),
                   "Marktstraat 15\n8601 CG  SÚDWEST-FRYSLÂN");
    assert_formats(street_address("Spui", 70, "", "", "2511 BT", "'s-Gravenhage"),
                   "Spui 70\n2511 BT  'S-GRAVENHAGE");
}

static void address_format_reports_a_too_small_buffer(void **state)
{
    (void)state;
    knoop_error_t err;
    char out[64];
    schema_address_t a = street_address("Spui", 70, "", "", "2511 BT", "Den Haag");
    assert_int_equal(schema_address_check(&a, "a", &err), 0);
    const char *want = "Spui 70\n2511 BT  DEN HAAG";
    size_t n = strlen(want);
    assert_int_equal(schema_address_format(&a, out, n + 1), n);
    memset(out, 'x', sizeof out);
    assert_int_equal(schema_address_format(&a, out, n), KNOOP_ETOOLARGE);
    assert_string_equal(out, "");
    assert_int_equal(schema_address_format(&a, out, 0), KNOOP_ETOOLARGE);
}

/* ---- address line parsing ---- */

static schema_address_t parsed(const char *line)
{
    schema_address_t a;
    knoop_error_t err;
    memset(&a, 0, sizeof a);
    a.type = SCHEMA_ADDR_POST;
    snprintf(a.place, sizeof a.place, "Kept");
    if (schema_address_parse_line(line, strlen(line), "adres", &a, &err) != 0)
        fail_msg("'%s' refused: %s", line, err.msg);
    assert_string_equal(a.place, "Kept");
    assert_int_equal(a.type, SCHEMA_ADDR_POST);
    return a;
}

static void parse_line_splits_street_number_letter_and_addition(void **state)
{
    (void)state;
    schema_address_t a = parsed("Dorpsstraat 12A-3");
    assert_string_equal(a.street, "Dorpsstraat");
    assert_int_equal(a.house_number, 12);
    assert_string_equal(a.house_letter, "A");
    assert_string_equal(a.addition, "3");
    a = parsed("  Dorpsstraat   12  ");
    assert_string_equal(a.street, "Dorpsstraat");
    assert_int_equal(a.house_number, 12);
    assert_string_equal(a.house_letter, "");
    assert_string_equal(a.addition, "");
    a = parsed("Kerkweg 5b");
    assert_string_equal(a.house_letter, "B");
    a = parsed("Kerkweg 5-bis");
    assert_string_equal(a.house_letter, "");
    assert_string_equal(a.addition, "BIS");
}

static void parse_line_takes_the_last_number_group_as_house_number(void **state)
{
    (void)state;
    schema_address_t a = parsed("Laan 1940-1945 12");
    assert_string_equal(a.street, "Laan 1940-1945");
    assert_int_equal(a.house_number, 12);
    a = parsed("2e Hugo de Grootstraat 5");
    assert_string_equal(a.street, "2e Hugo de Grootstraat");
    assert_int_equal(a.house_number, 5);
    a = parsed("Kerkstraat 12 3"); /* documented: the last number wins */
    assert_string_equal(a.street, "Kerkstraat 12");
    assert_int_equal(a.house_number, 3);
    a = parsed("Plein 1944 1A");
    assert_string_equal(a.street, "Plein 1944");
    assert_int_equal(a.house_number, 1);
    assert_string_equal(a.house_letter, "A");
}

static void parse_line_reads_a_postbus(void **state)
{
    (void)state;
    schema_address_t a = parsed("Postbus 626");
    assert_string_equal(a.postbus, "626");
    assert_string_equal(a.street, "");
    assert_int_equal(a.house_number, 0);
    a = parsed("POSTBUS  0090150");
    assert_string_equal(a.postbus, "90150");
    /* "Postbusweg" is a street, not a Postbus. */
    a = parsed("Postbusweg 3");
    assert_string_equal(a.street, "Postbusweg");
    assert_string_equal(a.postbus, "");
}

static void parse_line_reads_space_separated_letter_and_addition(void **state)
{
    (void)state;
    schema_address_t a = parsed("Kerkstraat 12 A");
    assert_string_equal(a.house_letter, "A");
    assert_string_equal(a.addition, "");
    a = parsed("Kerkstraat 12 bis");
    assert_string_equal(a.house_letter, "");
    assert_string_equal(a.addition, "BIS");
    a = parsed("Kerkstraat 12a 2hg");
    assert_string_equal(a.house_letter, "A");
    assert_string_equal(a.addition, "2HG");
}

static void parse_line_clears_previous_line_one_members(void **state)
{
    (void)state;
    knoop_error_t err;
    schema_address_t a;
    memset(&a, 0, sizeof a);
    snprintf(a.postbus, sizeof a.postbus, "626");
    snprintf(a.addition, sizeof a.addition, "ZZ");
    assert_int_equal(schema_address_parse_line("Markt 1", 7, "f", &a, &err), 0);
    assert_string_equal(a.postbus, "");
    assert_string_equal(a.addition, "");
}

static void parse_line_rejects_lines_without_a_house_number(void **state)
{
    (void)state;
    const char *bad[] = { "Dorpsstraat",
                          "12",
                          "Dorpsstraat 0",
                          "Dorpsstraat 012",
                          "",
                          "Postbus",
                          "Postbus 12a",
                          "Postbus 1234567",
                          "Markt 123456",
                          "Markt 12-",
                          "Markt 12-ABCDE",
                          "Markt 12 boven",
                          "Markt 12AB",
                          "Markt 12-A B",
                          "Markt\t12\n",
                          "Markt 12A B-1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        schema_address_t a, before;
        knoop_error_t err;
        memset(&a, 0, sizeof a);
        snprintf(a.street, sizeof a.street, "Old");
        before = a;
        knoop_error_clear(&err);
        if (schema_address_parse_line(bad[i], strlen(bad[i]), "adres.line1", &a, &err) !=
            KNOOP_EINVAL)
            fail_msg("'%s' parsed: street '%s' number %u", bad[i], a.street, a.house_number);
        assert_non_null(strstr(err.msg, "adres.line1: "));
        assert_memory_equal(&a, &before, sizeof a);
    }
}

static void parse_line_round_trips_through_check_and_format(void **state)
{
    (void)state;
    const char *lines[] = { "Dorpsstraat 12A-3", "Laan 1940-1945 12", "Postbus 626",
                            "Markt 1",           "Kerkweg 5-BIS",     "Spui 70B" };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        schema_address_t a = parsed(lines[i]);
        knoop_error_t err;
        char out[SCHEMA_ADDRESS_FORMAT_SIZE], want[128];
        snprintf(a.postcode, sizeof a.postcode, "1234 AB");
        assert_int_equal(schema_address_check(&a, "a", &err), 0);
        assert_true(schema_address_format(&a, out, sizeof out) > 0);
        snprintf(want, sizeof want, "%s\n1234 AB  KEPT", lines[i]);
        assert_string_equal(out, want);
    }
}

/* ---- e-mail ---- */

static void email_accepts_plain_addresses(void **state)
{
    (void)state;
    assert_norm(schema_email_check, "info@almere.nl", "info@almere.nl");
    assert_norm(schema_email_check, "gemeente@sudwestfryslan.nl", "gemeente@sudwestfryslan.nl");
    assert_norm(schema_email_check, "p.de.jong@vng.nl", "p.de.jong@vng.nl");
    assert_norm(schema_email_check, "info@gemeente-oss.nl", "info@gemeente-oss.nl");
    assert_norm(schema_email_check, "a@b.co", "a@b.co");
    assert_norm(schema_email_check, "x@mail.xn--p1ai.frl", "x@mail.xn--p1ai.frl");
}

static void email_lower_cases_the_domain_only(void **state)
{
    (void)state;
    assert_norm(schema_email_check, "Info@Edam-Volendam.NL", "Info@edam-volendam.nl");
    assert_norm(schema_email_check, "J.Jansen@VNG.nl", "J.Jansen@vng.nl");
}

static void email_trims_surrounding_whitespace(void **state)
{
    (void)state;
    assert_norm(schema_email_check, "  info@almere.nl\t\r\n", "info@almere.nl");
    assert_norm_rejected(schema_email_check, "info @almere.nl", "may hold only");
}

static void email_accepts_rfc5322_atext_specials(void **state)
{
    (void)state;
    assert_norm(schema_email_check, "a+tag@x.nl", "a+tag@x.nl");
    assert_norm(schema_email_check, "o'brien@x.nl", "o'brien@x.nl");
    assert_norm(schema_email_check, "!#$%&'*+-/=?^_`{|}~@x.nl", "!#$%&'*+-/=?^_`{|}~@x.nl");
}

static void email_rejects_bad_dots_and_characters_in_the_local_part(void **state)
{
    (void)state;
    assert_norm_rejected(schema_email_check, ".info@x.nl", "dot");
    assert_norm_rejected(schema_email_check, "info.@x.nl", "dot");
    assert_norm_rejected(schema_email_check, "in..fo@x.nl", "'..'");
    assert_norm_rejected(schema_email_check, "\"quoted\"@x.nl", "may hold only");
    assert_norm_rejected(schema_email_check, "in(fo)@x.nl", "may hold only");
    assert_norm_rejected(schema_email_check, "jos\xc3\xa9@x.nl", "may hold only");
    assert_norm_rejected(schema_email_check, "@x.nl", "1 to 64 bytes");
}

static void email_rejects_missing_or_several_at_signs(void **state)
{
    (void)state;
    assert_norm_rejected(schema_email_check, "info.almere.nl", "no '@'");
    assert_norm_rejected(schema_email_check, "a@b.nl;c@d.nl", "more than one '@'");
    assert_norm_rejected(schema_email_check, "a@b@c.nl", "more than one '@'");
    assert_norm_rejected(schema_email_check, "", "expected an e-mail address");
    assert_norm_rejected(schema_email_check, "   ", "expected an e-mail address");
}

static void email_rejects_bad_domains(void **state)
{
    (void)state;
    assert_norm_rejected(schema_email_check, "info@localhost", "no dot");
    assert_norm_rejected(schema_email_check, "info@-almere.nl", "start with a hyphen");
    assert_norm_rejected(schema_email_check, "info@almere-.nl", "end with a hyphen");
    assert_norm_rejected(schema_email_check, "raadsleden@utrecht.nl.", "ends in a dot");
    assert_norm_rejected(schema_email_check, "info@almere..nl", "empty label");
    assert_norm_rejected(schema_email_check, "info@.almere.nl", "empty label");
    assert_norm_rejected(schema_email_check, "info@almere.n", "top-level domain");
    assert_norm_rejected(schema_email_check, "info@10.0.0.1", "top-level domain");
    assert_norm_rejected(schema_email_check, "info@alm_ere.nl", "only letters, digits");
    assert_norm_rejected(schema_email_check, "info@súdwest.nl", "ASCII");
    assert_norm_rejected(schema_email_check, "info@", "domain is empty");
}

static void email_enforces_length_limits(void **state)
{
    (void)state;
    char buf[400];
    /* Local part: 64 bytes pass, 65 fail. */
    memset(buf, 'a', 64);
    strcpy(buf + 64, "@x.nl");
    assert_norm(schema_email_check, buf, buf);
    memset(buf, 'a', 65);
    strcpy(buf + 65, "@x.nl");
    assert_norm_rejected(schema_email_check, buf, "1 to 64 bytes");
    /* A label: 63 bytes pass, 64 fail. */
    strcpy(buf, "a@");
    memset(buf + 2, 'b', 63);
    strcpy(buf + 65, ".nl");
    assert_norm(schema_email_check, buf, buf);
    strcpy(buf, "a@");
    memset(buf + 2, 'b', 64);
    strcpy(buf + 66, ".nl");
    assert_norm_rejected(schema_email_check, buf, "longer than 63");
    /* The whole address: 254 bytes pass, 255 fail (64 local + '@' + 189-byte domain). */
    memset(buf, 'a', 64);
    buf[64] = '@';
    size_t o = 65;
    for (int l = 0; l < 3; l++) {
        memset(buf + o, 'd', 60);
        o += 60;
        buf[o++] = '.';
    }
    strcpy(buf + o, "abc.nl");
    assert_int_equal(strlen(buf), 254);
    assert_norm(schema_email_check, buf, buf);
    /* One more byte in the first domain label: 255. */
    memmove(buf + 66, buf + 65, strlen(buf + 65) + 1);
    buf[65] = 'd';
    assert_int_equal(strlen(buf), 255);
    assert_norm_rejected(schema_email_check, buf, "at most 254 bytes");
}

static void email_reports_a_too_small_output_buffer(void **state)
{
    (void)state;
    char out[15];
    knoop_error_t err;
    assert_int_equal(schema_email_check("info@almere.nl", 14, "f", out, 15, &err), 14);
    assert_string_equal(out, "info@almere.nl");
    assert_int_equal(schema_email_check("info@almere.nl", 14, "f", out, 14, &err), KNOOP_ETOOLARGE);
    assert_int_equal(err.code, KNOOP_ETOOLARGE);
}

static void email_error_names_the_field_and_escapes_the_input(void **state)
{
    (void)state;
    char out[SCHEMA_EMAIL_SIZE];
    knoop_error_t err;
    knoop_error_clear(&err);
    assert_int_equal(schema_email_check("a\nb", 3, "contact.email", out, sizeof out, &err),
                     KNOOP_EINVAL);
    assert_string_equal(err.msg,
                        "contact.email: expected an e-mail address like 'info@gemeente.nl' (no "
                        "'@'), got 'a\\nb'");
}

/* ---- telephone ---- */

static void phone_normalises_regular_numbers_to_e164(void **state)
{
    (void)state;
    assert_norm(schema_phone_normalise, "(0416) 69 87 00", "+31416698700");
    assert_norm(schema_phone_normalise, "0416-698700", "+31416698700");
    assert_norm(schema_phone_normalise, "020 624 1111", "+31206241111");
    assert_norm(schema_phone_normalise, "(050) 367 91 11", "+31503679111");
    assert_norm(schema_phone_normalise, "06-12345678", "+31612345678");
    assert_norm(schema_phone_normalise, "088 123 4567", "+31881234567");
    assert_norm(schema_phone_normalise, "020/624.1111", "+31206241111");
    assert_norm(schema_phone_normalise, " (0517) 380380 ", "+31517380380");
}

static void phone_normalises_international_prefixes(void **state)
{
    (void)state;
    assert_norm(schema_phone_normalise, "+31 416 698700", "+31416698700");
    assert_norm(schema_phone_normalise, "0031416698700", "+31416698700");
    assert_norm(schema_phone_normalise, "+31612345678", "+31612345678");
    assert_norm(schema_phone_normalise, "00 31 20 624 1111", "+31206241111");
}

static void phone_accepts_the_trunk_zero_in_parentheses_after_31(void **state)
{
    (void)state;
    assert_norm(schema_phone_normalise, "+31 (0)20 624 1111", "+31206241111");
    assert_norm(schema_phone_normalise, "0031 (0)416 698700", "+31416698700");
    assert_norm_rejected(schema_phone_normalise, "+31 020 624 1111", "no leading 0");
    assert_norm_rejected(schema_phone_normalise, "+31 (020) 624 1111", "expected a Dutch");
}

static void phone_normalises_municipal_14_numbers(void **state)
{
    (void)state;
    assert_norm(schema_phone_normalise, "14 0592", "14 0592");
    assert_norm(schema_phone_normalise, "140592", "14 0592");
    assert_norm(schema_phone_normalise, "14 020", "14 020");
    assert_norm(schema_phone_normalise, "14020", "14 020");
    assert_norm(schema_phone_normalise, "14-0318", "14 0318");
    assert_norm(schema_phone_normalise, "14 03 20", "14 0320");
    assert_norm(schema_phone_normalise, "14 05 14", "14 0514");
    assert_norm(schema_phone_normalise, "14 036", "14 036");
}

static void phone_checks_14_number_area_codes(void **state)
{
    (void)state;
    assert_norm_rejected(schema_phone_normalise, "14 059", "not a two-digit area code");
    assert_norm_rejected(schema_phone_normalise, "14 0201", "a digit too many");
    assert_norm_rejected(schema_phone_normalise, "14 1234", "a 14-number is 14");
    assert_norm_rejected(schema_phone_normalise, "14 06", "a 14-number is 14");
    assert_norm_rejected(schema_phone_normalise, "14 0612", "a 14-number is 14");
    assert_norm_rejected(schema_phone_normalise, "14 05921", "a 14-number is 14");
    assert_norm_rejected(schema_phone_normalise, "14", "a 14-number is 14");
    assert_norm_rejected(schema_phone_normalise, "(14) 0592", "a 14-number is 14");
}

static void phone_accepts_0800_and_0900_numbers(void **state)
{
    (void)state;
    assert_norm(schema_phone_normalise, "0800-1234", "+318001234");
    assert_norm(schema_phone_normalise, "0900 1234567", "+319001234567");
    assert_norm(schema_phone_normalise, "0900 1809", "+319001809");
    assert_norm(schema_phone_normalise, "0906-1234", "+319061234");
    assert_norm(schema_phone_normalise, "+31 800 1234", "+318001234");
    assert_norm_rejected(schema_phone_normalise, "0800 12345", "4 or 7 digits after the prefix");
    assert_norm_rejected(schema_phone_normalise, "0900 123456", "4 or 7 digits");
}

static void phone_rejects_wrong_lengths(void **state)
{
    (void)state;
    assert_norm_rejected(schema_phone_normalise, "020 624 111", "expected 10 digits");
    assert_norm_rejected(schema_phone_normalise, "020 624 11111", "got 11");
    assert_norm_rejected(schema_phone_normalise, "+31 20 624 111", "expected 10 digits");
    assert_norm_rejected(schema_phone_normalise, "698700", "with its area code");
    assert_norm_rejected(schema_phone_normalise, "112", "with its area code");
    assert_norm_rejected(schema_phone_normalise, "0", "expected a Dutch telephone number");
    assert_norm_rejected(schema_phone_normalise, "", "expected a Dutch telephone number");
    assert_norm_rejected(schema_phone_normalise, "1234567890123456789012345",
                         "expected a Dutch telephone number");
}

static void phone_rejects_letters_with_a_clear_message(void **state)
{
    (void)state;
    assert_norm_rejected(schema_phone_normalise, "0800-GEMEENTE", "letters are not allowed");
    assert_norm_rejected(schema_phone_normalise, "020 624 1111 ext 5", "letters are not allowed");
    assert_norm_rejected(schema_phone_normalise, "tel. 020 624 1111", "letters are not allowed");
}

static void phone_rejects_foreign_numbers(void **state)
{
    (void)state;
    assert_norm_rejected(schema_phone_normalise, "+32 2 123 45 67", "only Dutch");
    assert_norm_rejected(schema_phone_normalise, "0032 2 123 45 67", "only Dutch");
    assert_norm_rejected(schema_phone_normalise, "+3", "only Dutch");
}

static void phone_rejects_misplaced_plus_and_parentheses(void **state)
{
    (void)state;
    assert_norm_rejected(schema_phone_normalise, "14+ 0511", "'+' may only start");
    assert_norm_rejected(schema_phone_normalise, "020 (624) 1111", "expected a Dutch");
    assert_norm_rejected(schema_phone_normalise, "(0416 698700", "expected a Dutch");
    assert_norm_rejected(schema_phone_normalise, "0416) 698700", "expected a Dutch");
    assert_norm_rejected(schema_phone_normalise, "(0416)(69) 8700", "expected a Dutch");
    assert_norm_rejected(schema_phone_normalise, "() 0416 698700", "expected a Dutch");
    assert_norm_rejected(schema_phone_normalise, "020_624_1111", "expected a Dutch");
}

static void phone_reads_only_len_bytes(void **state)
{
    (void)state;
    char out[SCHEMA_PHONE_SIZE];
    knoop_error_t err;
    assert_int_equal(schema_phone_normalise("14 0592 99", 7, "f", out, sizeof out, &err), 7);
    assert_string_equal(out, "14 0592");
    assert_int_equal(schema_phone_normalise("14 0\0592", 8, "f", out, sizeof out, &err),
                     KNOOP_EINVAL);
    assert_int_equal(schema_phone_normalise("020 624 1111", 12, "f", out, 12, &err),
                     KNOOP_ETOOLARGE);
}

/* ---- website ---- */

static void website_keeps_http_and_lower_cases_scheme_and_host(void **state)
{
    (void)state;
    assert_norm(schema_website_check, "http://www.groningen.nl/", "http://www.groningen.nl/");
    assert_norm(schema_website_check, "HTTPS://WWW.Almere.NL/Contact",
                "https://www.almere.nl/Contact");
    assert_norm(schema_website_check, "Http://www.almere.nl", "http://www.almere.nl/");
}

static void website_prepends_https_to_a_bare_host(void **state)
{
    (void)state;
    assert_norm(schema_website_check, "www.almere.nl", "https://www.almere.nl/");
    assert_norm(schema_website_check, " almere.nl/bestuur ", "https://almere.nl/bestuur");
}

static void website_writes_an_empty_path_as_slash(void **state)
{
    (void)state;
    assert_norm(schema_website_check, "https://vng.nl", "https://vng.nl/");
    assert_norm(schema_website_check, "https://vng.nl?q=1", "https://vng.nl/?q=1");
    assert_norm(schema_website_check, "https://vng.nl#top", "https://vng.nl/#top");
}

static void website_keeps_path_query_and_fragment(void **state)
{
    (void)state;
    assert_norm(schema_website_check, "https://www.vng.nl/Onderwerpen/a%20b?x=1&y=2#Kop",
                "https://www.vng.nl/Onderwerpen/a%20b?x=1&y=2#Kop");
    assert_norm(schema_website_check, "https://x.nl/~user/(1);a=b,c:d@e!$'*+",
                "https://x.nl/~user/(1);a=b,c:d@e!$'*+");
}

static void website_handles_ports(void **state)
{
    (void)state;
    assert_norm(schema_website_check, "https://x.nl:8443/a", "https://x.nl:8443/a");
    assert_norm(schema_website_check, "https://x.nl:443/a", "https://x.nl/a");
    assert_norm(schema_website_check, "http://x.nl:80", "http://x.nl/");
    assert_norm(schema_website_check, "http://x.nl:443", "http://x.nl:443/");
    assert_norm(schema_website_check, "http://x.nl:0080/", "http://x.nl/");
    assert_norm_rejected(schema_website_check, "http://x.nl:0/", "port from 1 to 65535");
    assert_norm_rejected(schema_website_check, "http://x.nl:65536/", "port");
    assert_norm_rejected(schema_website_check, "http://x.nl:/", "port");
    assert_norm_rejected(schema_website_check, "http://x.nl:8a/", "port");
}

static void website_rejects_other_schemes(void **state)
{
    (void)state;
    assert_norm_rejected(schema_website_check, "ftp://x.nl/", "http:// or https://");
    assert_norm_rejected(schema_website_check, "javascript://x.nl/", "http:// or https://");
    assert_norm_rejected(schema_website_check, "mailto:info@x.nl", "user name");
    assert_norm_rejected(schema_website_check, "httpx://x.nl/", "http:// or https://");
}

static void website_rejects_spaces_and_bad_characters(void **state)
{
    (void)state;
    assert_norm_rejected(schema_website_check, "https://x.nl/a b", "spaces are not allowed");
    assert_norm_rejected(schema_website_check, "https://x .nl/", "spaces are not allowed");
    assert_norm_rejected(schema_website_check, "https://x.nl/<script>", "'<' is not allowed");
    assert_norm_rejected(schema_website_check, "https://x.nl/a\"b", "not allowed");
    assert_norm_rejected(schema_website_check, "https://x.nl/caf\xc3\xa9", "percent-encoded");
    assert_norm_rejected(schema_website_check, "https://x.nl/%zz", "escape");
    assert_norm_rejected(schema_website_check, "https://x.nl/%2", "escape");
    assert_norm_rejected(schema_website_check, "", "expected a website");
}

static void website_rejects_bad_hosts_and_user_names(void **state)
{
    (void)state;
    assert_norm_rejected(schema_website_check, "https://user:pw@x.nl/", "user name");
    assert_norm_rejected(schema_website_check, "https://localhost/", "no dot");
    assert_norm_rejected(schema_website_check, "https://192.168.1.1/", "top-level domain");
    assert_norm_rejected(schema_website_check, "https://[::1]/", "only letters");
    assert_norm_rejected(schema_website_check, "https:///path", "domain is empty");
    assert_norm_rejected(schema_website_check, "https://x.nl./", "ends in a dot");
    assert_norm_rejected(schema_website_check, "https://-x.nl/", "hyphen");
}

static void website_enforces_the_maximum_length(void **state)
{
    (void)state;
    static char buf[SCHEMA_WEBSITE_MAX + 16];
    strcpy(buf, "https://x.nl/");
    size_t n = strlen(buf);
    memset(buf + n, 'a', SCHEMA_WEBSITE_MAX - n);
    buf[SCHEMA_WEBSITE_MAX] = '\0';
    assert_norm(schema_website_check, buf, buf);
    buf[SCHEMA_WEBSITE_MAX] = 'a';
    buf[SCHEMA_WEBSITE_MAX + 1] = '\0';
    assert_norm_rejected(schema_website_check, buf, "at most 2048 bytes");
    char small[16];
    knoop_error_t err;
    assert_int_equal(schema_website_check("https://vng.nl/", 15, "f", small, 15, &err),
                     KNOOP_ETOOLARGE);
    assert_int_equal(schema_website_check("https://vng.nl/", 15, "f", small, 16, &err), 15);
}

/* ---- person names ---- */

static schema_person_name_t person(const char *initials, const char *first, const char *tv,
                                   const char *surname)
{
    schema_person_name_t n;
    memset(&n, 0, sizeof n);
    snprintf(n.initials, sizeof n.initials, "%s", initials);
    snprintf(n.first_names, sizeof n.first_names, "%s", first);
    snprintf(n.tussenvoegsel, sizeof n.tussenvoegsel, "%s", tv);
    snprintf(n.surname, sizeof n.surname, "%s", surname);
    return n;
}

static schema_person_name_t checked(schema_person_name_t n)
{
    knoop_error_t err;
    if (schema_person_name_check(&n, "persoon", &err) != 0)
        fail_msg("name refused: %s", err.msg);
    return n;
}

static void assert_person_rejected(schema_person_name_t n, const char *part)
{
    knoop_error_t err;
    schema_person_name_t before = n;
    knoop_error_clear(&err);
    int rc = schema_person_name_check(&n, "persoon", &err);
    if (rc != KNOOP_EINVAL)
        fail_msg("name accepted (%d), want KNOOP_EINVAL with '%s'", rc, part);
    if (strstr(err.msg, part) == NULL)
        fail_msg("message lacks '%s': %s", part, err.msg);
    assert_memory_equal(&n, &before, sizeof n);
}

static void person_check_normalises_initials_to_dotted_capitals(void **state)
{
    (void)state;
    const char *forms[] = { "PJ", "p.j.", "P. J.", "P.J", "pj", "P J", "P-J", " P.  J. ", "PJ." };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        schema_person_name_t n = checked(person(forms[i], "", "", "Jansen"));
        if (strcmp(n.initials, "P.J.") != 0)
            fail_msg("initials '%s' gave '%s', want 'P.J.'", forms[i], n.initials);
    }
    assert_string_equal(checked(person("é", "", "", "Jansen")).initials, "É.");
    assert_string_equal(checked(person("ABCD", "", "", "Jansen")).initials, "A.B.C.D.");
}

static void person_check_keeps_multi_letter_initials(void **state)
{
    (void)state;
    assert_string_equal(checked(person("Th.J.", "", "", "Jansen")).initials, "Th.J.");
    assert_string_equal(checked(person("Chr. P.", "", "", "Jansen")).initials, "Chr.P.");
    assert_string_equal(checked(person("IJ.", "", "", "Jansen")).initials, "IJ.");
    assert_string_equal(checked(person("ij.a.", "", "", "Jansen")).initials, "IJ.A.");
    assert_string_equal(checked(person("IJ", "", "", "Jansen")).initials, "I.J.");
    /* Regression (fuzz_validate): undotted "Ij" gave "Ij.", which a second check turned into
     * "IJ.": normalising was not idempotent. */
    assert_string_equal(checked(person("Ij", "", "", "Jansen")).initials, "IJ.");
    assert_string_equal(checked(person("Ij.", "", "", "Jansen")).initials, "IJ.");
    assert_string_equal(checked(person("P Ij", "", "", "Jansen")).initials, "P.IJ.");
}

static void person_check_derives_initials_from_first_names(void **state)
{
    (void)state;
    assert_string_equal(checked(person("", "Pieter Jan", "", "Jansen")).initials, "P.J.");
    assert_string_equal(checked(person("", "Jan-Willem", "", "Jansen")).initials, "J.W.");
    assert_string_equal(checked(person("", "IJsbrand", "", "Jansen")).initials, "IJ.");
    assert_string_equal(checked(person("", "émile  ivo", "", "Jansen")).initials, "É.I.");
    /* Given initials are kept as they are (normalised), not recomputed. */
    assert_string_equal(checked(person("K.", "Pieter", "", "Jansen")).initials, "K.");
    assert_string_equal(checked(person("", "", "", "Jansen")).initials, "");
}

static void person_check_refuses_a_first_name_as_initials(void **state)
{
    (void)state;
    assert_person_rejected(person("Pieter", "", "", "Jansen"), "a first name belongs");
    assert_person_rejected(person("P.Johan.", "", "", "Jansen"), "persoon.initials:");
    assert_person_rejected(person("P1", "", "", "Jansen"), "persoon.initials: expected");
    assert_person_rejected(person("P.'", "", "", "Jansen"), "persoon.initials: expected");
    assert_person_rejected(person("A.B.C.D.E.F.G.H.I.J.K.L.M.N.O.P", "", "", "Jansen"),
                           "persoon.initials:");
    assert_person_rejected(person("", "A B C D E F G H I J K L M N O P Q", "", "Jansen"),
                           "persoon.first_names: too many names");
}

static void person_check_lower_cases_the_tussenvoegsel(void **state)
{
    (void)state;
    assert_string_equal(checked(person("P.", "", "De", "Jong")).tussenvoegsel, "de");
    assert_string_equal(checked(person("P.", "", "Van  Der", "Berg")).tussenvoegsel, "van der");
    assert_string_equal(checked(person("P.", "", "van \xe2\x80\x99t", "Hof")).tussenvoegsel,
                        "van 't");
    assert_string_equal(checked(person("P.", "", "in t", "Veld")).tussenvoegsel, "in 't");
    assert_string_equal(checked(person("P.", "", "'T", "Hart")).tussenvoegsel, "'t");
    assert_string_equal(checked(person("P.", "", "D'", "Ancona")).tussenvoegsel, "d'");
    /* Unknown ones pass, normalised. */
    assert_string_equal(checked(person("P.", "", " Della  Rovere ", "Xu")).tussenvoegsel,
                        "della rovere");
}

static void person_check_refuses_a_bad_tussenvoegsel(void **state)
{
    (void)state;
    assert_person_rejected(person("P.", "", "van-der", "Berg"), "persoon.tussenvoegsel:");
    assert_person_rejected(person("P.", "", "v.d.", "Berg"), "persoon.tussenvoegsel:");
    assert_person_rejected(person("P.", "", "van 3", "Berg"), "persoon.tussenvoegsel:");
}

static void person_check_splits_a_lower_case_tussenvoegsel_off_the_surname(void **state)
{
    (void)state;
    schema_person_name_t n = checked(person("P.", "", "", "van der Berg"));
    assert_string_equal(n.tussenvoegsel, "van der");
    assert_string_equal(n.surname, "Berg");
    n = checked(person("P.", "", "", "de Jong"));
    assert_string_equal(n.tussenvoegsel, "de");
    assert_string_equal(n.surname, "Jong");
    n = checked(person("P.", "", "", "van 't Hof"));
    assert_string_equal(n.tussenvoegsel, "van 't");
    assert_string_equal(n.surname, "Hof");
    n = checked(person("P.", "", "", "'t Hart"));
    assert_string_equal(n.tussenvoegsel, "'t");
    assert_string_equal(n.surname, "Hart");
}

static void person_check_keeps_a_capitalised_prefix_in_the_surname(void **state)
{
    (void)state;
    schema_person_name_t n = checked(person("J.", "", "", "Van Damme"));
    assert_string_equal(n.tussenvoegsel, "");
    assert_string_equal(n.surname, "Van Damme");
    /* With a tussenvoegsel given, the surname is left alone. */
    n = checked(person("J.", "", "van", "den Berg"));
    assert_string_equal(n.tussenvoegsel, "van");
    assert_string_equal(n.surname, "den Berg");
    /* A surname that is only a tussenvoegsel word is a surname. */
    n = checked(person("J.", "", "", "de"));
    assert_string_equal(n.surname, "de");
}

static void person_check_requires_a_surname_with_a_letter(void **state)
{
    (void)state;
    assert_person_rejected(person("P.", "Pieter", "de", ""), "persoon.surname: required");
    assert_person_rejected(person("P.", "", "", "   "), "persoon.surname: required");
    assert_person_rejected(person("P.", "", "", "123"), "persoon.surname: must hold a letter");
}

static void person_check_collapses_whitespace_and_checks_utf8(void **state)
{
    (void)state;
    schema_person_name_t n = checked(person("", "  Pieter \t Jan ", "", " Jansen-  de Vries "));
    assert_string_equal(n.first_names, "Pieter Jan");
    assert_string_equal(n.surname, "Jansen- de Vries");
    assert_person_rejected(person("P.", "", "", "Jan\xffsen"), "persoon.surname: not valid UTF-8");
    assert_person_rejected(person("P.", "Pie\x01ter", "", "Jansen"),
                           "persoon.first_names: control character");
    schema_person_name_t u = person("P.", "", "", "Jansen");
    memset(u.surname, 'x', sizeof u.surname);
    assert_person_rejected(u, "persoon.surname: not NUL-terminated");
}

static void person_check_leaves_the_name_unchanged_on_error(void **state)
{
    (void)state;
    /* Collapsing and lower-casing happen on a copy: nothing changes when initials fail last. */
    assert_person_rejected(person("Pieter", " Jan  Piet ", "De", " Jong "), "a first name belongs");
}

static void person_display_puts_the_surname_first(void **state)
{
    (void)state;
    char out[SCHEMA_PERSON_DISPLAY_SIZE];
    schema_person_name_t n = checked(person("P.", "", "de", "Jong"));
    assert_int_equal(schema_person_display(&n, out, sizeof out), strlen("Jong, P. de"));
    assert_string_equal(out, "Jong, P. de");
    n = checked(person("", "Pieter Jan", "", "Jansen"));
    schema_person_display(&n, out, sizeof out);
    assert_string_equal(out, "Jansen, P.J.");
    n = checked(person("", "", "", "Jansen"));
    schema_person_display(&n, out, sizeof out);
    assert_string_equal(out, "Jansen");
    n = checked(person("", "", "de", "Jong"));
    schema_person_display(&n, out, sizeof out);
    assert_string_equal(out, "Jong, de");
    n = checked(person("", "", "", "van der Berg"));
    schema_person_display(&n, out, sizeof out);
    assert_string_equal(out, "Berg, van der");
}

static void person_display_reports_a_too_small_buffer(void **state)
{
    (void)state;
    char out[12];
    schema_person_name_t n = checked(person("P.", "", "de", "Jong"));
    assert_int_equal(schema_person_display(&n, out, 12), 11);
    assert_int_equal(schema_person_display(&n, out, 11), KNOOP_ETOOLARGE);
    assert_string_equal(out, "");
    assert_int_equal(schema_person_display(&n, out, 0), KNOOP_ETOOLARGE);
}

static void person_sort_key_leaves_out_the_tussenvoegsel(void **state)
{
    (void)state;
    char out[SCHEMA_PERSON_KEY_SIZE];
    schema_person_name_t n = checked(person("P.", "", "de", "Jong"));
    assert_int_equal(schema_person_sort_key(&n, out, sizeof out), 6);
    assert_string_equal(out, "jong p");
    n = checked(person("", "Pieter Jan", "van der", "Bergh-Ölçer"));
    schema_person_sort_key(&n, out, sizeof out);
    assert_string_equal(out, "bergh olcer p j");
    n = checked(person("", "", "", "Jansen"));
    schema_person_sort_key(&n, out, sizeof out);
    assert_string_equal(out, "jansen");
    /* Sorting by key puts "de Jong" between "Jansen" and "Kok". */
    char a[64], b[64], c[64];
    n = checked(person("A.", "", "", "Jansen"));
    schema_person_sort_key(&n, a, sizeof a);
    n = checked(person("A.", "", "de", "Jong"));
    schema_person_sort_key(&n, b, sizeof b);
    n = checked(person("A.", "", "", "Kok"));
    schema_person_sort_key(&n, c, sizeof c);
    assert_true(strcmp(a, b) < 0 && strcmp(b, c) < 0);
}

static void person_sort_key_is_cut_to_the_buffer(void **state)
{
    (void)state;
    char out[8];
    schema_person_name_t n = checked(person("P.", "", "", "Jansen"));
    assert_int_equal(schema_person_sort_key(&n, out, 7), 6);
    assert_string_equal(out, "jansen"); /* no room for " p": initials dropped */
    assert_int_equal(schema_person_sort_key(&n, out, 4), 3);
    assert_string_equal(out, "jan");
    assert_int_equal(schema_person_sort_key(&n, out, 0), KNOOP_ETOOLARGE);
}

static void person_search_key_finds_de_jong_from_every_query_form(void **state)
{
    (void)state;
    const char *queries[] = { "P. de Jong",   "de jong",    "Jong",         "jong, p. de",
                              "DE JONG",      "Jong P. de", "  De   Jong ", "Jong, de",
                              "P.J. de Jong", "de Jong, P." };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        char out[SCHEMA_PERSON_KEY_SIZE];
        int n = search_key(queries[i], out, sizeof out);
        if (n != 4 || strcmp(out, "jong") != 0)
            fail_msg("query '%s' gave '%s' (%d), want 'jong'", queries[i], out, n);
    }
}

static void person_search_key_strips_multi_word_tussenvoegsels(void **state)
{
    (void)state;
    char out[SCHEMA_PERSON_KEY_SIZE];
    search_key("P.J. van der Berg", out, sizeof out);
    assert_string_equal(out, "berg");
    search_key("in 't Veld", out, sizeof out);
    assert_string_equal(out, "veld");
    search_key("van 't Hof, J.", out, sizeof out);
    assert_string_equal(out, "hof");
    search_key("Berg, A. van den", out, sizeof out);
    assert_string_equal(out, "berg");
    search_key("Jansen-de Vries", out, sizeof out);
    assert_string_equal(out, "jansen de vries");
}

static void person_search_key_is_a_prefix_of_the_sort_key(void **state)
{
    (void)state;
    const struct {
        schema_person_name_t n;
        const char *query;
    } cases[] = {
        { { "P.", "", "de", "Jong" }, "P. de Jong" },
        { { "", "Pieter Jan", "van der", "Berg" }, "van der berg, p.j." },
        { { "A.", "", "", "Súdwest" }, "sudwest" },
        { { "", "", "", "Jansen-de Vries" }, "Jansen-de Vries" },
        { { "K.", "", "'t", "Hart" }, "K. 't Hart" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char key[SCHEMA_PERSON_KEY_SIZE], q[SCHEMA_PERSON_KEY_SIZE];
        schema_person_name_t n = checked(cases[i].n);
        schema_person_sort_key(&n, key, sizeof key);
        int l = search_key(cases[i].query, q, sizeof q);
        if (strncmp(key, q, (size_t)l) != 0 || (key[l] != '\0' && key[l] != ' '))
            fail_msg("query '%s' -> '%s' does not match sort key '%s'", cases[i].query, q, key);
    }
}

static void person_search_key_keeps_a_query_of_only_prefixes(void **state)
{
    (void)state;
    char out[SCHEMA_PERSON_KEY_SIZE];
    assert_int_equal(search_key("de", out, sizeof out), 2);
    assert_string_equal(out, "de");
    assert_int_equal(search_key("Van der", out, sizeof out), 7);
    assert_string_equal(out, "van der");
    assert_int_equal(search_key("", out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(search_key(", P.", out, sizeof out), 0);
    assert_int_equal(schema_person_search_key("\xff", 1, out, sizeof out), KNOOP_EINVAL);
}

/* ---- CBS codes ---- */

static void cbs_gemeentecode_accepts_prefixed_and_bare_forms(void **state)
{
    (void)state;
    assert_norm(gemeente_fn, "GM0034", "GM0034");
    assert_norm(gemeente_fn, "gm0034", "GM0034");
    assert_norm(gemeente_fn, "Gm0363", "GM0363");
    assert_norm(gemeente_fn, "0034", "GM0034");
    assert_norm(gemeente_fn, "1966", "GM1966");
}

static void cbs_gemeentecode_rejects_other_shapes(void **state)
{
    (void)state;
    const char *bad[] = { "34",     "GM34",   "GM00034", "GM0000", "0000",    "PV0034",
                          "GM 034", "GM003a", "",        "GM",     " GM0034", "GMO034" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_norm_rejected(gemeente_fn, bad[i], "expected a CBS gemeentecode like 'GM0034'");
}

static void cbs_provinciecode_accepts_prefixed_and_bare_forms(void **state)
{
    (void)state;
    assert_norm(provincie_fn, "PV20", "PV20");
    assert_norm(provincie_fn, "pv31", "PV31");
    assert_norm(provincie_fn, "20", "PV20");
}

static void cbs_provinciecode_rejects_other_shapes(void **state)
{
    (void)state;
    const char *bad[] = { "2", "PV2", "PV020", "PV00", "00", "GM20", "PV2a", "", "020" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_norm_rejected(provincie_fn, bad[i], "expected a CBS provinciecode like 'PV20'");
}

static void cbs_codes_of_the_reference_data_pass(void **state)
{
    (void)state;
    char line[4096], fields[16][256], out[SCHEMA_CBS_GEMEENTE_SIZE];
    knoop_error_t err;
    int rows = 0;
    FILE *f = open_data("gemeenten.csv");
    assert_non_null(fgets(line, sizeof line, f));
    int nf = csv_split(line, fields, 16);
    int c_gm = csv_col(fields, nf, "cbs_code"), c_num = csv_col(fields, nf, "gemeentecode");
    int c_pv = csv_col(fields, nf, "province_cbs_code");
    while (fgets(line, sizeof line, f) != NULL) {
        char pv[SCHEMA_CBS_PROVINCIE_SIZE];
        csv_split(line, fields, 16);
        if (schema_cbs_gemeentecode_check(fields[c_gm], strlen(fields[c_gm]), "gm", out, &err))
            fail_msg("%s refused: %s", fields[c_gm], err.msg);
        assert_string_equal(out, fields[c_gm]);
        /* The bare number column gives the same code. */
        if (schema_cbs_gemeentecode_check(fields[c_num], strlen(fields[c_num]), "gm", out, &err))
            fail_msg("%s refused: %s", fields[c_num], err.msg);
        assert_string_equal(out, fields[c_gm]);
        if (schema_cbs_provinciecode_check(fields[c_pv], strlen(fields[c_pv]), "pv", pv, &err))
            fail_msg("%s refused: %s", fields[c_pv], err.msg);
        assert_string_equal(pv, fields[c_pv]);
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, 342);
}

/* ---- the real contact data ---- */

static void contacts_of_every_gemeente_pass_the_validators(void **state)
{
    (void)state;
    /* Values in the file that are wrong at the source, with the reason. */
    static const char *const known_bad_phone[] = {
        "14+ 0511", /* Dantumadiel: a stray '+' in "14 0511" */
    };
    char line[4096], fields[16][256];
    int email_n = 0, email_ok = 0, web_n = 0, web_ok = 0, tel_n = 0, tel_ok = 0, tel_14 = 0;
    FILE *f = open_data("gemeente_contacts.csv");
    assert_non_null(fgets(line, sizeof line, f));
    int nf = csv_split(line, fields, 16);
    int c_name = csv_col(fields, nf, "gemeente_name"), c_email = csv_col(fields, nf, "email");
    int c_web = csv_col(fields, nf, "website"), c_tel = csv_col(fields, nf, "telephone");

    while (fgets(line, sizeof line, f) != NULL) {
        char out[SCHEMA_WEBSITE_SIZE];
        knoop_error_t err;
        csv_split(line, fields, 16);
        const char *name = fields[c_name], *email = fields[c_email], *web = fields[c_web],
                   *tel = fields[c_tel];
        if (email[0] != '\0') {
            email_n++;
            if (schema_email_check(email, strlen(email), "email", out, sizeof out, &err) >= 0)
                email_ok++;
            else
                fail_msg("%s: e-mail '%s' refused: %s", name, email, err.msg);
        }
        if (web[0] != '\0') {
            web_n++;
            if (schema_website_check(web, strlen(web), "website", out, sizeof out, &err) >= 0) {
                web_ok++;
                assert_int_equal(strncmp(out, "http://www.", 11), 0);
            } else {
                fail_msg("%s: website '%s' refused: %s", name, web, err.msg);
            }
        }
        if (tel[0] != '\0') {
            tel_n++;
            int rc = schema_phone_normalise(tel, strlen(tel), "telephone", out, sizeof out, &err);
            int known = 0;
            for (size_t i = 0; i < sizeof known_bad_phone / sizeof known_bad_phone[0]; i++)
                known |= strcmp(tel, known_bad_phone[i]) == 0;
            if (rc >= 0) {
                tel_ok++;
                tel_14 += strncmp(out, "14 0", 4) == 0;
                assert_true((rc == 12 && strncmp(out, "+31", 3) == 0) ||
                            (rc == 10 && strncmp(out, "+319", 4) == 0) ||
                            ((rc == 6 || rc == 7) && strncmp(out, "14 0", 4) == 0));
                if (known)
                    fail_msg("%s: '%s' listed as bad but accepted", name, tel);
            } else if (known) {
                print_message("  known bad telephone (%s): %s\n", name, err.msg);
            } else {
                fail_msg("%s: telephone '%s' refused: %s", name, tel, err.msg);
            }
        }
    }
    fclose(f);
    print_message("  gemeente_contacts.csv: e-mail %d/%d, website %d/%d, telephone %d/%d "
                  "(%d 14-numbers)\n",
                  email_ok, email_n, web_ok, web_n, tel_ok, tel_n, tel_14);
    assert_int_equal(email_n, 337);
    assert_int_equal(web_n, 311);
    assert_int_equal(tel_n, 326);
    assert_int_equal(tel_ok, tel_n - 1);
}

/* Regression (found by fuzz_dispatch): a props map with an integer key was read as a string
 * (the integer overlays str.size, str.ptr is whatever the union held), so node.put on a stored
 * node copied from a wild pointer. Both validators refuse a name that is not a string. */
static void validate_refuses_property_names_that_are_not_strings(void **state)
{
    schema_registry_t *r = schema_registry_new();
    msgpack_object_kv kv[2];
    msgpack_object props;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    knoop_error_t err;

    (void)state;
    assert_non_null(r);
    memset(kv, 0, sizeof(kv));
    kv[1].key.type = MSGPACK_OBJECT_STR;
    kv[1].key.via.str.ptr = "name";
    kv[1].key.via.str.size = 4;
    kv[1].val = kv[1].key;
    kv[0].key.type = MSGPACK_OBJECT_POSITIVE_INTEGER;
    kv[0].key.via.u64 = 114; /* str.size would read 114, str.ptr NULL */
    kv[0].val = kv[1].key;
    props.type = MSGPACK_OBJECT_MAP;
    props.via.map.size = 2;
    props.via.map.ptr = kv;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    assert_int_equal(schema_validate_node(r, SCHEMA_KIND_PROJECT, NULL, &props, NULL, &pk, &err),
                     KNOOP_EINVAL);
    assert_string_equal(err.msg, "props: property names must be strings");
    assert_int_equal(schema_validate_edge(r, "wethouder", SCHEMA_KIND_PERSON, "",
                                          SCHEMA_KIND_ORGANISATION, "gemeente", &props, &pk, &err),
                     KNOOP_EINVAL);
    assert_string_equal(err.msg, "props: property names must be strings");
    msgpack_sbuffer_destroy(&sb);
    schema_registry_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(postcode_accepts_spacing_and_case_variants),
        cmocka_unit_test(postcode_rejects_a_leading_zero),
        cmocka_unit_test(postcode_refuses_sa_sd_ss_saying_they_are_never_issued),
        cmocka_unit_test(postcode_accepts_other_s_pairs_and_letters_used_since_2005),
        cmocka_unit_test(postcode_rejects_other_shapes),
        cmocka_unit_test(postcode_error_is_the_documented_message),
        cmocka_unit_test(postcode_reads_only_len_bytes_and_refuses_embedded_nul),
        cmocka_unit_test(pc4_parses_1000_to_9999),
        cmocka_unit_test(pc4_rejects_below_1000_and_other_shapes),
        cmocka_unit_test(pc4_accepts_every_area_in_the_pc4_table),
        cmocka_unit_test(addr_type_parses_the_three_names),
        cmocka_unit_test(addr_type_rejects_unknown_names_listing_the_valid_ones),
        cmocka_unit_test(address_check_normalises_a_street_address),
        cmocka_unit_test(address_check_accepts_a_postbus_postadres),
        cmocka_unit_test(address_check_postbus_drops_leading_zeros_and_refuses_bad_numbers),
        cmocka_unit_test(address_check_refuses_a_postbus_bezoekadres),
        cmocka_unit_test(address_check_refuses_a_postbus_with_street_or_number),
        cmocka_unit_test(address_check_requires_street_postcode_and_place),
        cmocka_unit_test(address_check_bounds_house_number_1_to_99999),
        cmocka_unit_test(address_check_refuses_bad_letter_and_addition),
        cmocka_unit_test(address_check_names_the_member_in_postcode_errors),
        cmocka_unit_test(address_check_leaves_the_address_unchanged_on_error),
        cmocka_unit_test(address_check_refuses_unterminated_members_and_control_characters),
        cmocka_unit_test(address_check_refuses_an_unknown_type),
        cmocka_unit_test(address_format_writes_nen5825_street_lines),
        cmocka_unit_test(address_format_writes_postbus_lines),
        cmocka_unit_test(address_format_upper_cases_the_place_with_utf8proc),
        cmocka_unit_test(address_format_reports_a_too_small_buffer),
        cmocka_unit_test(parse_line_splits_street_number_letter_and_addition),
        cmocka_unit_test(parse_line_takes_the_last_number_group_as_house_number),
        cmocka_unit_test(parse_line_reads_a_postbus),
        cmocka_unit_test(parse_line_reads_space_separated_letter_and_addition),
        cmocka_unit_test(parse_line_clears_previous_line_one_members),
        cmocka_unit_test(parse_line_rejects_lines_without_a_house_number),
        cmocka_unit_test(parse_line_round_trips_through_check_and_format),
        cmocka_unit_test(email_accepts_plain_addresses),
        cmocka_unit_test(email_lower_cases_the_domain_only),
        cmocka_unit_test(email_trims_surrounding_whitespace),
        cmocka_unit_test(email_accepts_rfc5322_atext_specials),
        cmocka_unit_test(email_rejects_bad_dots_and_characters_in_the_local_part),
        cmocka_unit_test(email_rejects_missing_or_several_at_signs),
        cmocka_unit_test(email_rejects_bad_domains),
        cmocka_unit_test(email_enforces_length_limits),
        cmocka_unit_test(email_reports_a_too_small_output_buffer),
        cmocka_unit_test(email_error_names_the_field_and_escapes_the_input),
        cmocka_unit_test(phone_normalises_regular_numbers_to_e164),
        cmocka_unit_test(phone_normalises_international_prefixes),
        cmocka_unit_test(phone_accepts_the_trunk_zero_in_parentheses_after_31),
        cmocka_unit_test(phone_normalises_municipal_14_numbers),
        cmocka_unit_test(phone_checks_14_number_area_codes),
        cmocka_unit_test(phone_accepts_0800_and_0900_numbers),
        cmocka_unit_test(phone_rejects_wrong_lengths),
        cmocka_unit_test(phone_rejects_letters_with_a_clear_message),
        cmocka_unit_test(phone_rejects_foreign_numbers),
        cmocka_unit_test(phone_rejects_misplaced_plus_and_parentheses),
        cmocka_unit_test(phone_reads_only_len_bytes),
        cmocka_unit_test(website_keeps_http_and_lower_cases_scheme_and_host),
        cmocka_unit_test(website_prepends_https_to_a_bare_host),
        cmocka_unit_test(website_writes_an_empty_path_as_slash),
        cmocka_unit_test(website_keeps_path_query_and_fragment),
        cmocka_unit_test(website_handles_ports),
        cmocka_unit_test(website_rejects_other_schemes),
        cmocka_unit_test(website_rejects_spaces_and_bad_characters),
        cmocka_unit_test(website_rejects_bad_hosts_and_user_names),
        cmocka_unit_test(website_enforces_the_maximum_length),
        cmocka_unit_test(person_check_normalises_initials_to_dotted_capitals),
        cmocka_unit_test(person_check_keeps_multi_letter_initials),
        cmocka_unit_test(person_check_derives_initials_from_first_names),
        cmocka_unit_test(person_check_refuses_a_first_name_as_initials),
        cmocka_unit_test(person_check_lower_cases_the_tussenvoegsel),
        cmocka_unit_test(person_check_refuses_a_bad_tussenvoegsel),
        cmocka_unit_test(person_check_splits_a_lower_case_tussenvoegsel_off_the_surname),
        cmocka_unit_test(person_check_keeps_a_capitalised_prefix_in_the_surname),
        cmocka_unit_test(person_check_requires_a_surname_with_a_letter),
        cmocka_unit_test(person_check_collapses_whitespace_and_checks_utf8),
        cmocka_unit_test(person_check_leaves_the_name_unchanged_on_error),
        cmocka_unit_test(person_display_puts_the_surname_first),
        cmocka_unit_test(person_display_reports_a_too_small_buffer),
        cmocka_unit_test(person_sort_key_leaves_out_the_tussenvoegsel),
        cmocka_unit_test(person_sort_key_is_cut_to_the_buffer),
        cmocka_unit_test(person_search_key_finds_de_jong_from_every_query_form),
        cmocka_unit_test(person_search_key_strips_multi_word_tussenvoegsels),
        cmocka_unit_test(person_search_key_is_a_prefix_of_the_sort_key),
        cmocka_unit_test(person_search_key_keeps_a_query_of_only_prefixes),
        cmocka_unit_test(cbs_gemeentecode_accepts_prefixed_and_bare_forms),
        cmocka_unit_test(cbs_gemeentecode_rejects_other_shapes),
        cmocka_unit_test(cbs_provinciecode_accepts_prefixed_and_bare_forms),
        cmocka_unit_test(cbs_provinciecode_rejects_other_shapes),
        cmocka_unit_test(cbs_codes_of_the_reference_data_pass),
        cmocka_unit_test(contacts_of_every_gemeente_pass_the_validators),
        cmocka_unit_test(validate_refuses_property_names_that_are_not_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
