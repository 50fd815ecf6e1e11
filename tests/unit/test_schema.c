/*
 * test_schema.c - unit tests for schema/schema.h: calendar dates, node kinds, names and name
 * normalisation (pure functions, no I/O).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "knoop_limits.h"
#include "schema.h"
#include "schema_domain.h"
#include "schema_import.h"
#include "testutil.h"

/* Days since 1970-01-01 by an independent algorithm (H. Hinnant, days_from_civil). */
static int32_t ref_days(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

static int parse(const char *s, schema_date_t *out, knoop_error_t *err)
{
    return schema_date_parse(s, strlen(s), "params.valid_from", out, err);
}

static void assert_parses_to(const char *s, int32_t want)
{
    knoop_error_t err;
    schema_date_t d = 12345;
    knoop_error_clear(&err);
    int rc = parse(s, &d, &err);
    if (rc != 0)
        fail_msg("'%s' did not parse: %d %s", s, rc, err.msg);
    if (d != want)
        fail_msg("'%s' parsed to %d, want %d", s, (int)d, (int)want);
}

static void assert_rejected(const char *s, size_t len)
{
    knoop_error_t err;
    schema_date_t d = 0;
    knoop_error_clear(&err);
    int rc = schema_date_parse(s, len, "params.valid_from", &d, &err);
    if (rc != KNOOP_EINVAL)
        fail_msg("'%.*s' gave %d (day %d), want KNOOP_EINVAL", (int)len, s, rc, (int)d);
    assert_int_equal(err.code, KNOOP_EINVAL);
    if (strstr(err.msg, "params.valid_from") == NULL)
        fail_msg("message for '%.*s' does not name the field: %s", (int)len, s, err.msg);
}

/* ---- dates ---- */

static void date_parse_epoch_is_day_zero(void **state)
{
    (void)state;
    assert_parses_to("1970-01-01", 0);
    assert_parses_to("1969-12-31", -1);
    assert_parses_to("1970-01-02", 1);
}

static void date_parse_matches_reference_calendar(void **state)
{
    (void)state;
    assert_parses_to("2019-03-01", ref_days(2019, 3, 1));
    assert_parses_to("2023-03-29", ref_days(2023, 3, 29));
    assert_parses_to("2000-03-01", 11017);
    assert_parses_to("1900-03-01", ref_days(1900, 3, 1));
    assert_parses_to("1582-10-10", ref_days(1582, 10, 10)); /* proleptic: no gap */
    assert_parses_to("0400-02-29", ref_days(400, 2, 29));
}

static void date_parse_accepts_leap_days_only_in_leap_years(void **state)
{
    (void)state;
    assert_parses_to("2020-02-29", ref_days(2020, 2, 29));
    assert_parses_to("2000-02-29", ref_days(2000, 2, 29));
    assert_parses_to("2024-02-29", ref_days(2024, 2, 29));
    assert_rejected("2019-02-29", 10);
    assert_rejected("1900-02-29", 10);
    assert_rejected("2100-02-29", 10);
    assert_rejected("2020-02-30", 10);
}

static void date_parse_accepts_the_bounds_0001_and_9999(void **state)
{
    (void)state;
    assert_parses_to("0001-01-01", SCHEMA_DATE_MIN);
    assert_parses_to("9999-12-31", SCHEMA_DATE_MAX);
    assert_int_equal(SCHEMA_DATE_MIN, ref_days(1, 1, 1));
    assert_int_equal(SCHEMA_DATE_MAX, ref_days(9999, 12, 31));
}

static void date_parse_rejects_year_zero_and_beyond_9999(void **state)
{
    (void)state;
    assert_rejected("0000-12-31", 10);
    assert_rejected("10000-01-01", 11);
    assert_rejected("-0001-01-01", 11);
}

static void date_parse_rejects_days_that_do_not_exist(void **state)
{
    (void)state;
    assert_rejected("2019-13-01", 10);
    assert_rejected("2019-00-10", 10);
    assert_rejected("2019-01-00", 10);
    assert_rejected("2019-01-32", 10);
    assert_rejected("2019-04-31", 10);
    assert_rejected("2019-06-31", 10);
    assert_rejected("2019-11-31", 10);
}

static void date_parse_rejects_other_shapes(void **state)
{
    (void)state;
    const char *bad[] = { "2019-1-01",
                          " 2019-01-01",
                          "2019-01-01 ",
                          "2019/01/01",
                          "20190101",
                          "2019-01-1",
                          "2019-01-01T00:00:00Z",
                          "",
                          "2019-01",
                          "+019-01-01",
                          "2019-+1-01",
                          "2019-0x-01",
                          "２０１９-01-01",
                          "2019--01-01",
                          "2019-01- 1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_rejected(bad[i], strlen(bad[i]));
}

static void date_parse_reads_only_len_bytes(void **state)
{
    (void)state;
    knoop_error_t err;
    schema_date_t d = 0;
    /* The bytes after len must not be read as part of the date. */
    assert_int_equal(schema_date_parse("2019-03-01XYZ", 10, "f", &d, &err), 0);
    assert_int_equal(d, ref_days(2019, 3, 1));
    /* A prefix of a valid date is not a date. */
    assert_rejected("2019-03-01", 9);
    /* An embedded NUL is a bad shape, not the end of the input. */
    assert_rejected("2019-03-\0001", 10);
}

static void date_parse_error_names_field_and_bad_value(void **state)
{
    (void)state;
    knoop_error_t err;
    schema_date_t d = 777;
    knoop_error_clear(&err);
    assert_int_equal(parse("2019-13-01", &d, &err), KNOOP_EINVAL);
    assert_int_equal(err.code, KNOOP_EINVAL);
    assert_non_null(strstr(err.msg, "params.valid_from"));
    assert_non_null(strstr(err.msg, "2019-13-01"));

    knoop_error_clear(&err);
    assert_int_equal(schema_date_parse("2019-02-29", 10, "params.at", &d, &err), KNOOP_EINVAL);
    assert_non_null(strstr(err.msg, "params.at"));
    assert_non_null(strstr(err.msg, "2019-02-29"));
}

static void date_parse_error_for_month_13_is_the_documented_message(void **state)
{
    (void)state;
    knoop_error_t err;
    schema_date_t d;
    knoop_error_clear(&err);
    assert_int_equal(parse("2019-13-01", &d, &err), KNOOP_EINVAL);
    /* schema.h gives this message as its example, for exactly this input. */
    assert_string_equal(err.msg, "params.valid_from: expected YYYY-MM-DD, got '2019-13-01'");
}

static void date_parse_error_for_bad_shape_says_expected_shape(void **state)
{
    (void)state;
    knoop_error_t err;
    schema_date_t d;
    knoop_error_clear(&err);
    assert_int_equal(parse("2019-1-01", &d, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "params.valid_from: expected YYYY-MM-DD, got '2019-1-01'");
}

static void date_parse_error_escapes_control_characters(void **state)
{
    (void)state;
    knoop_error_t err;
    schema_date_t d;
    knoop_error_clear(&err);
    assert_int_equal(schema_date_parse("2019\n01-01", 10, "f", &d, &err), KNOOP_EINVAL);
    assert_null(strchr(err.msg, '\n'));
}

static void date_format_writes_iso_dates(void **state)
{
    (void)state;
    char buf[11];
    assert_string_equal(schema_date_format(0, buf), "1970-01-01");
    assert_string_equal(schema_date_format(-1, buf), "1969-12-31");
    assert_string_equal(schema_date_format(ref_days(2020, 2, 29), buf), "2020-02-29");
    assert_string_equal(schema_date_format(SCHEMA_DATE_MIN, buf), "0001-01-01");
    assert_string_equal(schema_date_format(SCHEMA_DATE_MAX, buf), "9999-12-31");
    assert_ptr_equal(schema_date_format(1, buf), buf);
}

static void date_format_of_open_end_is_empty(void **state)
{
    (void)state;
    char buf[11];
    memset(buf, 'x', sizeof buf);
    assert_string_equal(schema_date_format(SCHEMA_DATE_OPEN, buf), "");
}

static void date_format_then_parse_round_trips_every_day(void **state)
{
    (void)state;
    char buf[16];
    knoop_error_t err;
    for (int32_t d = SCHEMA_DATE_MIN; d <= SCHEMA_DATE_MAX; d++) {
        schema_date_t back = 0;
        memset(buf, 0, sizeof buf);
        schema_date_format(d, buf);
        if (strlen(buf) != 10 || schema_date_parse(buf, 10, "f", &back, &err) != 0 || back != d)
            fail_msg("day %d formats as '%s' and parses back to %d", (int)d, buf, (int)back);
    }
}

static void date_today_is_the_utc_day(void **state)
{
    (void)state;
    time_t before = time(NULL);
    schema_date_t today = schema_date_today();
    time_t after = time(NULL);
    assert_in_range(today, (int32_t)(before / 86400), (int32_t)(after / 86400));
}

/* ---- kinds ---- */

static void kind_names_are_stable(void **state)
{
    (void)state;
    assert_int_equal(SCHEMA_KIND_PERSON, 1);
    assert_int_equal(SCHEMA_KIND_BODY, 4);
    assert_string_equal(schema_kind_name(SCHEMA_KIND_PERSON), "person");
    assert_string_equal(schema_kind_name(SCHEMA_KIND_ORGANISATION), "organisation");
    assert_string_equal(schema_kind_name(SCHEMA_KIND_PROJECT), "project");
    assert_string_equal(schema_kind_name(SCHEMA_KIND_BODY), "body");
    assert_int_equal(SCHEMA_KIND_CONTACT, 5);
    assert_int_equal(SCHEMA_KIND_LIST, 7);
    assert_string_equal(schema_kind_name(SCHEMA_KIND_CONTACT), "contact");
    assert_string_equal(schema_kind_name(SCHEMA_KIND_TASK), "task");
    assert_string_equal(schema_kind_name(SCHEMA_KIND_LIST), "list");
    assert_string_equal(schema_kind_name(SCHEMA_KIND_RECORD), "record");
    assert_null(schema_kind_name(0));
    assert_null(schema_kind_name(9));
    assert_null(schema_kind_name(-1));
}

static void kind_parse_round_trips_every_kind(void **state)
{
    (void)state;
    knoop_error_t err;
    for (int k = SCHEMA_KIND_FIRST; k <= SCHEMA_KIND_LAST; k++) {
        schema_kind_t out = 0;
        const char *name = schema_kind_name(k);
        assert_non_null(name);
        assert_int_equal(schema_kind_parse(name, strlen(name), "params.kind", &out, &err), 0);
        assert_int_equal(out, k);
    }
}

static void kind_parse_reads_only_len_bytes(void **state)
{
    (void)state;
    knoop_error_t err;
    schema_kind_t out = 0;
    assert_int_equal(schema_kind_parse("personnel", 6, "f", &out, &err), 0);
    assert_int_equal(out, SCHEMA_KIND_PERSON);
    assert_int_equal(schema_kind_parse("person", 5, "f", &out, &err), KNOOP_EINVAL);
}

static void kind_parse_rejects_unknown_naming_field_and_listing_kinds(void **state)
{
    (void)state;
    knoop_error_t err;
    schema_kind_t out = 0;
    knoop_error_clear(&err);
    assert_int_equal(schema_kind_parse("widget", 6, "params.kind", &out, &err), KNOOP_EINVAL);
    assert_int_equal(err.code, KNOOP_EINVAL);
    assert_non_null(strstr(err.msg, "params.kind"));
    assert_non_null(strstr(err.msg, "person"));
    assert_non_null(strstr(err.msg, "organisation"));
    assert_non_null(strstr(err.msg, "project"));
    assert_non_null(strstr(err.msg, "body"));
    assert_int_equal(schema_kind_parse("", 0, "params.kind", &out, &err), KNOOP_EINVAL);
}

/* ---- names ---- */

static int check_name(const char *s, size_t len, knoop_error_t *err)
{
    knoop_error_clear(err);
    return schema_check_name(s, len, "params.type", err);
}

static void check_name_accepts_utf8_names(void **state)
{
    (void)state;
    knoop_error_t err;
    assert_int_equal(check_name("wethouder", 9, &err), 0);
    assert_int_equal(check_name("Súdwest-Fryslân", strlen("Súdwest-Fryslân"), &err), 0);
    assert_int_equal(check_name("x", 1, &err), 0);
    assert_int_equal(check_name("a b", 3, &err), 0);
}

static void check_name_accepts_max_bytes_and_rejects_one_more(void **state)
{
    (void)state;
    knoop_error_t err;
    char buf[KNOOP_MAX_NAME_BYTES + 2];
    memset(buf, 'a', sizeof buf);
    assert_int_equal(check_name(buf, KNOOP_MAX_NAME_BYTES, &err), 0);
    assert_int_equal(check_name(buf, KNOOP_MAX_NAME_BYTES + 1, &err), KNOOP_EINVAL);
    assert_non_null(strstr(err.msg, "params.type"));
}

static void check_name_rejects_empty(void **state)
{
    (void)state;
    knoop_error_t err;
    assert_int_equal(check_name("", 0, &err), KNOOP_EINVAL);
    assert_int_equal(err.code, KNOOP_EINVAL);
    assert_non_null(strstr(err.msg, "params.type"));
}

static void check_name_rejects_invalid_utf8(void **state)
{
    (void)state;
    knoop_error_t err;
    const char *bad[] = {
        "\xff", "ab\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "a\x80"
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (check_name(bad[i], strlen(bad[i]), &err) != KNOOP_EINVAL)
            fail_msg("invalid UTF-8 #%zu accepted", i);
        assert_non_null(strstr(err.msg, "params.type"));
    }
}

static void check_name_rejects_control_characters(void **state)
{
    (void)state;
    knoop_error_t err;
    assert_int_equal(check_name("a\nb", 3, &err), KNOOP_EINVAL);
    assert_int_equal(check_name("a\tb", 3, &err), KNOOP_EINVAL);
    assert_int_equal(check_name("a\0b", 3, &err), KNOOP_EINVAL);
    assert_int_equal(check_name("a\x7f", 2, &err), KNOOP_EINVAL);
    assert_int_equal(check_name("a\nb", 3, &err), KNOOP_EINVAL);
    assert_null(strchr(err.msg, '\n'));
}

static void check_name_rejects_c1_control_characters(void **state)
{
    (void)state;
    knoop_error_t err;
    /* U+0085 (NEL) and U+009F are control characters (category Cc) too. */
    assert_int_equal(check_name("a\xc2\x85", 3, &err), KNOOP_EINVAL);
    assert_int_equal(check_name("\xc2\x9f", 2, &err), KNOOP_EINVAL);
}

/* ---- normalisation ---- */

static void assert_normalises_to(const char *s, const char *want)
{
    char out[KNOOP_MAX_INDEX_NAME_BYTES + 1];
    memset(out, 'x', sizeof out);
    int n = schema_name_normalise(s, strlen(s), out, sizeof out);
    if (n < 0)
        fail_msg("normalising '%s' failed: %d", s, n);
    if (strcmp(out, want) != 0)
        fail_msg("'%s' normalised to '%s', want '%s'", s, out, want);
    assert_int_equal(n, strlen(want));
}

static void normalise_folds_diacritics_case_and_punctuation(void **state)
{
    (void)state;
    assert_normalises_to("Súdwest-Fryslân", "sudwest fryslan");
    assert_normalises_to("sudwest fryslan", "sudwest fryslan");
    assert_normalises_to("ÀMSTERDAM", "amsterdam");
    assert_normalises_to("Gemeente Noardeast-Fryslân", "gemeente noardeast fryslan");
    assert_normalises_to("Zoë Çelik", "zoe celik");
}

static void normalise_drops_leading_apostrophes(void **state)
{
    (void)state;
    assert_normalises_to("'s-Hertogenbosch", "s hertogenbosch");
    assert_normalises_to("\xe2\x80\x99s-Gravenhage", "s gravenhage"); /* U+2019 */
    assert_normalises_to("\xe2\x80\x98s-Gravenhage\xe2\x80\x99", "s gravenhage");
}

static void normalise_collapses_runs_and_trims_spaces(void **state)
{
    (void)state;
    assert_normalises_to("  Den   Haag  ", "den haag");
    assert_normalises_to("Bergen (NH.)", "bergen nh");
    assert_normalises_to("a - - b", "a b");
    assert_normalises_to("\t\nUtrecht\r\n", "utrecht");
    assert_normalises_to("Regio 12", "regio 12");
    assert_normalises_to("--", "");
    assert_normalises_to("", "");
}

static void normalise_uses_compatibility_decomposition(void **state)
{
    (void)state;
    assert_normalises_to("\xef\xac\x81"
                         "ets",
                         "fiets");         /* U+FB01 ligature fi */
    assert_normalises_to("ＡＢＣ", "abc"); /* fullwidth letters */
    assert_normalises_to("A\xc2\xa0"
                         "B",
                         "a b"); /* no-break space */
}

static void normalise_reads_only_len_bytes(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(schema_name_normalise("AmsterdamXYZ", 9, out, sizeof out), 9);
    assert_string_equal(out, "amsterdam");
    /* An embedded NUL is a non-letter, not the end of the name. */
    assert_int_equal(schema_name_normalise("a\0b", 3, out, sizeof out), 3);
    assert_string_equal(out, "a b");
}

static void normalise_rejects_invalid_utf8(void **state)
{
    (void)state;
    char out[64];
    /* "a\x80" "b" is split so the hex escape does not take the b; the parentheses tell clang
     * (-Wstring-concatenation) that the concatenation is meant. */
    const char *bad[] = { "\xff", "Almere\xc3", "\xc0\xaf", "\xed\xa0\x80",
                          ("a\x80"
                           "b") };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = schema_name_normalise(bad[i], strlen(bad[i]), out, sizeof out);
        if (rc != KNOOP_EINVAL)
            fail_msg("invalid UTF-8 #%zu gave %d, want KNOOP_EINVAL", i, rc);
    }
}

static void normalise_truncates_at_a_character_boundary(void **state)
{
    (void)state;
    char out[8];
    /* "日本語" folds to itself: 3 bytes per character. */
    const char *jp = "日本語";
    memset(out, 'x', sizeof out);
    assert_int_equal(schema_name_normalise(jp, strlen(jp), out, 5), 3);
    assert_string_equal(out, "日");
    assert_int_equal(out[4], 'x'); /* nothing written past outsz */
    assert_int_equal(schema_name_normalise(jp, strlen(jp), out, 7), 6);
    assert_string_equal(out, "日本");
    assert_int_equal(schema_name_normalise(jp, strlen(jp), out, 3), 0);
    assert_string_equal(out, "");

    /* Plain ASCII is cut at outsz-1 bytes. */
    assert_int_equal(schema_name_normalise("Amsterdam", 9, out, 4), 3);
    assert_string_equal(out, "ams");
    assert_int_equal(schema_name_normalise("Amsterdam", 9, out, 1), 0);
    assert_string_equal(out, "");
}

static void normalise_truncation_never_ends_in_a_space(void **state)
{
    (void)state;
    char out[5];
    int n = schema_name_normalise("Den Haag", 8, out, sizeof out);
    /* Four bytes fit: "den " would end in a space, which trimming removes. */
    assert_true(n == 3 || n == 4);
    assert_int_equal(n, strlen(out));
    if (n > 0)
        assert_true(out[n - 1] != ' ');
}

static void normalise_of_long_name_fits_index_bound(void **state)
{
    (void)state;
    char in[2000];
    char out[KNOOP_MAX_INDEX_NAME_BYTES + 1];
    /* 1000 x "é" (2 bytes) -> 1000 x "e": cut to 512 bytes. */
    for (size_t i = 0; i < 1000; i++) {
        in[2 * i] = '\xc3';
        in[2 * i + 1] = '\xa9';
    }
    int n = schema_name_normalise(in, 2000, out, sizeof out);
    assert_int_equal(n, KNOOP_MAX_INDEX_NAME_BYTES);
    assert_int_equal(strlen(out), KNOOP_MAX_INDEX_NAME_BYTES);
    for (int i = 0; i < n; i++)
        assert_int_equal(out[i], 'e');
}

/* ---- role validation (schema_validate_edge) ---- */

/* Validates an edge of type from skind/stype to tkind/ttype with props given as alternating
 * key, value strings ("true"/"1" become a boolean/integer); returns the code, msg in err. */
static int edge_check(const char *type, int skind, const char *stype, int tkind, const char *ttype,
                      knoop_error_t *err, ...)
{
    schema_registry_t *r = schema_registry_new();
    msgpack_sbuffer sb, out;
    msgpack_packer pk, opk;
    msgpack_unpacked u;
    const char *kv[16];
    va_list ap;
    size_t n = 0;
    int rc;

    assert_non_null(r);
    va_start(ap, err);
    while (n < 16 && (kv[n] = va_arg(ap, const char *)) != NULL)
        n++;
    va_end(ap);
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, n / 2);
    for (size_t i = 0; i + 1 < n; i += 2) {
        msgpack_pack_str_with_body(&pk, kv[i], strlen(kv[i]));
        if (strcmp(kv[i + 1], "true") == 0)
            msgpack_pack_true(&pk);
        else if (strcmp(kv[i + 1], "1") == 0)
            msgpack_pack_int(&pk, 1);
        else
            msgpack_pack_str_with_body(&pk, kv[i + 1], strlen(kv[i + 1]));
    }
    msgpack_unpacked_init(&u);
    assert_int_equal(msgpack_unpack_next(&u, sb.data, sb.size, NULL), MSGPACK_UNPACK_SUCCESS);
    msgpack_sbuffer_init(&out);
    msgpack_packer_init(&opk, &out, msgpack_sbuffer_write);
    knoop_error_clear(err);
    rc = schema_validate_edge(r, type, skind, stype, tkind, ttype, &u.data, &opk, err);
    msgpack_unpacked_destroy(&u);
    msgpack_sbuffer_destroy(&sb);
    msgpack_sbuffer_destroy(&out);
    schema_registry_free(r);
    return rc;
}

static void raadslid_needs_namens_unless_the_source_gives_none(void **state)
{
    const int P = SCHEMA_KIND_PERSON, O = SCHEMA_KIND_ORGANISATION;
    knoop_error_t err;

    (void)state;
    assert_int_equal(edge_check("raadslid", P, "", O, "gemeente", &err, "namens", "VVD", NULL), 0);
    assert_int_equal(edge_check("raadslid", P, "", O, "gemeente", &err, NULL), KNOOP_EINVAL);
    assert_non_null(strstr(err.msg, "props.namens: required for role raadslid"));
    /* From a register that gives no party. */
    assert_int_equal(edge_check("raadslid", P, "", O, "gemeente", &err, "bron", "roo_woobuddy",
                                "begin_onbekend", "true", NULL),
                     0);
    /* bron alone, or begin_onbekend alone, is not enough. */
    assert_int_equal(edge_check("raadslid", P, "", O, "gemeente", &err, "bron", "x", NULL),
                     KNOOP_EINVAL);
    assert_int_equal(
        edge_check("raadslid", P, "", O, "gemeente", &err, "begin_onbekend", "true", NULL),
        KNOOP_EINVAL);
    /* A list without a registered name: its number instead. */
    assert_int_equal(edge_check("raadslid", P, "", O, "gemeente", &err, "lijst", "1", NULL), 0);
    /* The office-holder roles accept bron and begin_onbekend. */
    assert_int_equal(edge_check("burgemeester", P, "", O, "gemeente", &err, "bron", "roo_woobuddy",
                                "begin_onbekend", "true", NULL),
                     0);
}

static void new_role_types_connect_their_ends(void **state)
{
    const int P = SCHEMA_KIND_PERSON, O = SCHEMA_KIND_ORGANISATION;
    knoop_error_t err;

    (void)state;
    assert_int_equal(edge_check("fractie van", O, "fractie", O, "gemeente", &err, NULL), 0);
    assert_int_equal(edge_check("fractie van", O, "fractie", O, "provincie", &err, NULL),
                     KNOOP_EINVAL);
    assert_int_equal(
        edge_check("secretariaat van", O, "bestuurssecretariaat", O, "gemeente", &err, NULL), 0);
    assert_int_equal(edge_check("contactpersoon", P, "", SCHEMA_KIND_BODY, "koepel", &err,
                                "functie", "beleidsadviseur", NULL),
                     0);
    assert_int_equal(edge_check("contactpersoon", P, "", O, "gemeente", &err, NULL), 0);
    assert_int_equal(edge_check("uitslag van", SCHEMA_KIND_RECORD, "verkiezingsuitslag", O,
                                "gemeente", &err, NULL),
                     0);
    assert_int_equal(edge_check("uitslag van", O, "fractie", O, "gemeente", &err, NULL),
                     KNOOP_EINVAL);
}

/* ---- role rules (schema_role_check_tenure) ---- */

static schema_role_t rule_role(const char *name, uint32_t max_holders, bool allow_overlap)
{
    schema_role_t r;
    memset(&r, 0, sizeof(r));
    snprintf(r.name, sizeof(r.name), "%s", name);
    r.max_holders = max_holders;
    r.allow_overlap = allow_overlap;
    return r;
}

static void role_rule_max_one_refuses_a_second_holder_and_names_the_first(void **state)
{
    schema_role_t r = rule_role("burgemeester", 1, false);
    schema_tenure_t have[] = { { 10, 1, 100, SCHEMA_DATE_OPEN } };
    schema_tenure_t nw = { 0, 2, 200, SCHEMA_DATE_OPEN };
    knoop_error_t err;
    (void)state;
    assert_int_equal(schema_role_check_tenure(&r, &nw, have, 1, &err), KNOOP_ECONFLICT);
    assert_non_null(strstr(err.msg, "burgemeester: at most 1 at a time"));
    assert_non_null(strstr(err.msg, "(edge 10)"));
    /* Starting before and running into the first one's period clashes as well. */
    nw.from = 50;
    nw.to = 101;
    assert_int_equal(schema_role_check_tenure(&r, &nw, have, 1, &err), KNOOP_ECONFLICT);
}

static void role_rule_allows_back_to_back_tenures_and_correcting_itself(void **state)
{
    schema_role_t r = rule_role("griffier", 1, false);
    schema_tenure_t have[] = { { 10, 1, 100, 200 }, { 11, 2, 200, SCHEMA_DATE_OPEN } };
    schema_tenure_t before = { 0, 3, 50, 100 }, self = { 11, 2, 150, SCHEMA_DATE_OPEN };
    knoop_error_t err;
    (void)state;
    /* [50, 100) ends the day the next one starts: no overlap. */
    assert_int_equal(schema_role_check_tenure(&r, &before, have, 2, &err), KNOOP_OK);
    /* Edge 11 moved to start at 150 clashes with edge 10, not with itself. */
    assert_int_equal(schema_role_check_tenure(&r, &self, have, 2, &err), KNOOP_ECONFLICT);
    assert_non_null(strstr(err.msg, "(edge 10)"));
    self.from = 200;
    assert_int_equal(schema_role_check_tenure(&r, &self, have, 2, &err), KNOOP_OK);
}

static void role_rule_one_person_holds_a_role_once_at_a_time(void **state)
{
    schema_role_t r = rule_role("raadslid", 0, false);
    schema_tenure_t have[] = { { 10, 1, 100, 200 }, { 11, 2, 100, 200 } };
    schema_tenure_t same = { 0, 1, 150, 300 }, later = { 0, 1, 200, 300 };
    knoop_error_t err;
    (void)state;
    assert_int_equal(schema_role_check_tenure(&r, &same, have, 2, &err), KNOOP_ECONFLICT);
    assert_non_null(strstr(err.msg, "already holds this role"));
    assert_non_null(strstr(err.msg, "(edge 10)"));
    assert_int_equal(schema_role_check_tenure(&r, &later, have, 2, &err), KNOOP_OK);
    /* The contact links allow it. */
    r.allow_overlap = true;
    assert_int_equal(schema_role_check_tenure(&r, &same, have, 2, &err), KNOOP_OK);
}

static void role_rule_max_two_counts_holders_on_each_day(void **state)
{
    schema_role_t r = rule_role("ombudsman", 2, false);
    schema_tenure_t have[] = { { 10, 1, 100, 110 }, { 11, 2, 105, 120 } };
    schema_tenure_t after_first = { 0, 3, 112, 130 }, inside_both = { 0, 3, 90, 107 };
    knoop_error_t err;
    (void)state;
    assert_int_equal(schema_role_check_tenure(&r, &after_first, have, 2, &err), KNOOP_OK);
    /* On day 105 (edge 11's start, within [90, 107)) both others hold it: a third is too many. */
    assert_int_equal(schema_role_check_tenure(&r, &inside_both, have, 2, &err), KNOOP_ECONFLICT);
    assert_non_null(strstr(err.msg, "at most 2 at a time"));
}

static void builtin_role_rules_are_declared(void **state)
{
    schema_registry_t *reg = schema_registry_new();
    static const char *const one[] = { "burgemeester", "waarnemend burgemeester", "griffier",
                                       "gemeentesecretaris", NULL };
    (void)state;
    assert_non_null(reg);
    for (int i = 0; one[i] != NULL; i++)
        assert_int_equal(schema_registry_role(reg, one[i])->max_holders, 1);
    assert_int_equal(schema_registry_role(reg, "wethouder")->max_holders, 0);
    assert_false(schema_registry_role(reg, "raadslid")->allow_overlap);
    assert_true(schema_registry_role(reg, "betrokkene")->allow_overlap);
    assert_true(schema_role_is_contact_link("betrokkene"));
    assert_true(schema_role_is_contact_link("aanleiding"));
    assert_false(schema_role_is_contact_link("raadslid"));
    schema_registry_free(reg);
}

/* Validates a node of kind/type with one property name = value[0..len). */
static int name_check(int kind, const char *type, const char *value, size_t len, knoop_error_t *err)
{
    schema_registry_t *reg = schema_registry_new();
    msgpack_sbuffer sb, out;
    msgpack_packer pk, opk;
    msgpack_zone z;
    msgpack_object o;
    size_t off = 0;
    int rc;
    assert_non_null(reg);
    msgpack_sbuffer_init(&sb);
    msgpack_sbuffer_init(&out);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_packer_init(&opk, &out, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, kind == SCHEMA_KIND_ORGANISATION ? 1 : 2);
    msgpack_pack_str_with_body(&pk, "name", 4);
    msgpack_pack_str_with_body(&pk, value, len);
    if (kind != SCHEMA_KIND_ORGANISATION) {
        msgpack_pack_str_with_body(&pk, "key", 3);
        msgpack_pack_str_with_body(&pk, "k1", 2);
    }
    msgpack_zone_init(&z, 1024);
    assert_int_equal(msgpack_unpack(sb.data, sb.size, &off, &z, &o), MSGPACK_UNPACK_SUCCESS);
    rc = schema_validate_node(reg, kind, type, &o, NULL, &opk, err);
    msgpack_zone_destroy(&z);
    msgpack_sbuffer_destroy(&sb);
    msgpack_sbuffer_destroy(&out);
    schema_registry_free(reg);
    return rc;
}

static void every_kind_of_name_refuses_nul_and_control_characters(void **state)
{
    static const int kinds[] = { SCHEMA_KIND_ORGANISATION, SCHEMA_KIND_PROJECT, SCHEMA_KIND_BODY,
                                 SCHEMA_KIND_PERSON };
    knoop_error_t err;
    (void)state;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        assert_int_equal(name_check(kinds[i], "", "Stichting Goed", 14, &err), KNOOP_OK);
        assert_int_equal(name_check(kinds[i], "", "Nu\0l", 4, &err), KNOOP_EINVAL);
        assert_non_null(strstr(err.msg, "props.name: control character at byte 2"));
        assert_int_equal(name_check(kinds[i], "", "Tab\there", 8, &err), KNOOP_EINVAL);
        assert_int_equal(name_check(kinds[i], "", "Bel\x07", 4, &err), KNOOP_EINVAL);
        assert_int_equal(name_check(kinds[i], "", "Fo\xffut", 5, &err), KNOOP_EINVAL);
        assert_non_null(strstr(err.msg, "props.name: not valid UTF-8"));
        assert_int_equal(name_check(kinds[i], "", "", 0, &err), KNOOP_EINVAL);
    }
    /* Diacritics are letters, not control characters. */
    assert_int_equal(name_check(SCHEMA_KIND_ORGANISATION, "",
                                "S\xc3\xba"
                                "dwest-Frysl\xc3\xa2n",
                                17, &err),
                     KNOOP_OK);
}

/* ---- import profiles (schema_import.h) ---- */

static void import_profiles_are_guessed_from_the_real_headers(void **state)
{
    static const char *const gemeenten[] = {
        "cbs_code",          "gemeentecode",  "name",       "province_iso_code",
        "province_cbs_code", "province_name", "begin_date", "reference_date"
    };
    static const char *const herindelingen[] = { "date",         "old_cbs_code", "old_name",
                                                 "new_cbs_code", "new_name",     "source" };
    static const char *const unknown[] = { "foo", "bar" };
    const schema_import_profile_t *p;
    (void)state;
    p = schema_import_guess(gemeenten, 8);
    assert_non_null(p);
    assert_string_equal(p->name, "gemeenten");
    assert_string_equal(p->edge_type, "ligt in");
    assert_string_equal(p->edge_from, "begin_date");
    p = schema_import_guess(herindelingen, 6);
    assert_non_null(p);
    assert_string_equal(p->name, "herindelingen");
    assert_null(schema_import_guess(unknown, 2));
    assert_false(schema_import_header_fits(schema_import_profile("provinces"), gemeenten, 8));
    /* The koepels and regions take their default start from the gemeente. */
    assert_int_equal(schema_import_profile("koepels")->default_from, SCHEMA_FROM_GEMEENTE_BEGIN);
    assert_true(schema_import_profile("regions")->needs_gemeenten);
    assert_null(schema_import_profile("nope"));
}

static void import_profiles_are_well_formed(void **state)
{
    const schema_import_profile_t *p;
    (void)state;
    for (size_t i = 0; (p = schema_import_profile_at(i)) != NULL; i++) {
        assert_non_null(p->name);
        assert_non_null(p->cols[0]);
        assert_non_null(p->writes);
        assert_ptr_equal(schema_import_profile(p->name), p);
        /* A mapped profile's properties come from its columns or are constants. */
        for (size_t k = 0; k < SCHEMA_IMPORT_PROPS && p->props[k].prop != NULL; k++)
            assert_true(p->props[k].col != NULL || p->props[k].value != NULL);
        if (p->edge_type != NULL && !p->special) {
            assert_non_null(p->edge_source);
            assert_non_null(p->edge_target);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(raadslid_needs_namens_unless_the_source_gives_none),
        cmocka_unit_test(role_rule_max_one_refuses_a_second_holder_and_names_the_first),
        cmocka_unit_test(role_rule_allows_back_to_back_tenures_and_correcting_itself),
        cmocka_unit_test(role_rule_one_person_holds_a_role_once_at_a_time),
        cmocka_unit_test(role_rule_max_two_counts_holders_on_each_day),
        cmocka_unit_test(builtin_role_rules_are_declared),
        cmocka_unit_test(every_kind_of_name_refuses_nul_and_control_characters),
        cmocka_unit_test(import_profiles_are_guessed_from_the_real_headers),
        cmocka_unit_test(import_profiles_are_well_formed),
        cmocka_unit_test(new_role_types_connect_their_ends),
        cmocka_unit_test(date_parse_epoch_is_day_zero),
        cmocka_unit_test(date_parse_matches_reference_calendar),
        cmocka_unit_test(date_parse_accepts_leap_days_only_in_leap_years),
        cmocka_unit_test(date_parse_accepts_the_bounds_0001_and_9999),
        cmocka_unit_test(date_parse_rejects_year_zero_and_beyond_9999),
        cmocka_unit_test(date_parse_rejects_days_that_do_not_exist),
        cmocka_unit_test(date_parse_rejects_other_shapes),
        cmocka_unit_test(date_parse_reads_only_len_bytes),
        cmocka_unit_test(date_parse_error_names_field_and_bad_value),
        cmocka_unit_test(date_parse_error_for_month_13_is_the_documented_message),
        cmocka_unit_test(date_parse_error_for_bad_shape_says_expected_shape),
        cmocka_unit_test(date_parse_error_escapes_control_characters),
        cmocka_unit_test(date_format_writes_iso_dates),
        cmocka_unit_test(date_format_of_open_end_is_empty),
        cmocka_unit_test(date_format_then_parse_round_trips_every_day),
        cmocka_unit_test(date_today_is_the_utc_day),
        cmocka_unit_test(kind_names_are_stable),
        cmocka_unit_test(kind_parse_round_trips_every_kind),
        cmocka_unit_test(kind_parse_reads_only_len_bytes),
        cmocka_unit_test(kind_parse_rejects_unknown_naming_field_and_listing_kinds),
        cmocka_unit_test(check_name_accepts_utf8_names),
        cmocka_unit_test(check_name_accepts_max_bytes_and_rejects_one_more),
        cmocka_unit_test(check_name_rejects_empty),
        cmocka_unit_test(check_name_rejects_invalid_utf8),
        cmocka_unit_test(check_name_rejects_control_characters),
        cmocka_unit_test(check_name_rejects_c1_control_characters),
        cmocka_unit_test(normalise_folds_diacritics_case_and_punctuation),
        cmocka_unit_test(normalise_drops_leading_apostrophes),
        cmocka_unit_test(normalise_collapses_runs_and_trims_spaces),
        cmocka_unit_test(normalise_uses_compatibility_decomposition),
        cmocka_unit_test(normalise_reads_only_len_bytes),
        cmocka_unit_test(normalise_rejects_invalid_utf8),
        cmocka_unit_test(normalise_truncates_at_a_character_boundary),
        cmocka_unit_test(normalise_truncation_never_ends_in_a_space),
        cmocka_unit_test(normalise_of_long_name_fits_index_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
