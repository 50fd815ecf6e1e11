/*
 * test_err.c - unit tests of knoop_err.c: wire codes, default texts, knoop_error_set and the
 * quoting of bad input with knoop_repr (layer: tests, for proto).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "knoop_err.h"

static void wire_codes_round_trip_for_every_code(void **state)
{
    (void)state;
#define CHECK_WIRE(name, val, wire, text)                                                          \
    assert_string_equal(knoop_err_wire(KNOOP_##name), wire);                                       \
    assert_string_equal(knoop_err_wire(knoop_err_from_wire(wire, strlen(wire))), wire);
    KNOOP_ERRNO_MAP(CHECK_WIRE)
#undef CHECK_WIRE
    /* The eight wire codes map back onto themselves. */
    assert_int_equal(knoop_err_from_wire("invalid_argument", 16), KNOOP_EINVAL);
    assert_int_equal(knoop_err_from_wire("not_found", 9), KNOOP_ENOTFOUND);
    assert_int_equal(knoop_err_from_wire("conflict", 8), KNOOP_ECONFLICT);
    assert_int_equal(knoop_err_from_wire("unauthenticated", 15), KNOOP_EUNAUTH);
    assert_int_equal(knoop_err_from_wire("permission_denied", 17), KNOOP_EPERM);
    assert_int_equal(knoop_err_from_wire("too_large", 9), KNOOP_ETOOLARGE);
    assert_int_equal(knoop_err_from_wire("unavailable", 11), KNOOP_EUNAVAIL);
    assert_int_equal(knoop_err_from_wire("internal", 8), KNOOP_EINTERNAL);
}

static void internal_conditions_map_onto_wire_codes(void **state)
{
    (void)state;
    assert_string_equal(knoop_err_wire(KNOOP_ENOMEM), "unavailable");
    assert_string_equal(knoop_err_wire(KNOOP_EIO), "unavailable");
    assert_string_equal(knoop_err_wire(KNOOP_ECORRUPT), "internal");
    assert_string_equal(knoop_err_wire(KNOOP_ELONG), "unavailable");
}

static void unknown_codes_map_to_internal(void **state)
{
    (void)state;
    assert_string_equal(knoop_err_wire(-99), "internal");
    assert_string_equal(knoop_err_wire(42), "internal");
    assert_int_equal(knoop_err_from_wire("bogus", 5), KNOOP_EINTERNAL);
    /* A prefix of a wire code is not that code. */
    assert_int_equal(knoop_err_from_wire("not_foun", 8), KNOOP_EINTERNAL);
    assert_int_equal(knoop_err_from_wire("not_found_", 10), KNOOP_EINTERNAL);
    assert_int_equal(knoop_err_from_wire("", 0), KNOOP_EINTERNAL);
}

static void codes_are_negative_and_distinct(void **state)
{
    int seen[1 - KNOOP_ERR_MIN] = { 0 };

    (void)state;
#define CHECK_CODE(name, val, wire, text)                                                          \
    assert_true(KNOOP_##name < 0 && KNOOP_##name >= KNOOP_ERR_MIN);                                \
    assert_int_equal(seen[-(val)]++, 0);
    KNOOP_ERRNO_MAP(CHECK_CODE)
#undef CHECK_CODE
}

static void strerror_gives_default_texts(void **state)
{
    (void)state;
    assert_string_equal(knoop_strerror(0), "ok");
    assert_string_equal(knoop_strerror(KNOOP_ENOTFOUND), "not found");
    assert_string_equal(knoop_strerror(KNOOP_ENOMEM), "out of memory");
    assert_string_equal(knoop_strerror(-99), "unknown error");
}

static void error_set_returns_code_and_formats(void **state)
{
    knoop_error_t err;

    (void)state;
    assert_int_equal(knoop_error_set(&err, KNOOP_EINVAL, "params.%s: required", "kind"),
                     KNOOP_EINVAL);
    assert_int_equal(err.code, KNOOP_EINVAL);
    assert_string_equal(err.msg, "params.kind: required");
}

static void error_set_with_null_err_still_returns_code(void **state)
{
    (void)state;
    assert_int_equal(knoop_error_set(NULL, KNOOP_ECONFLICT, "x %d", 1), KNOOP_ECONFLICT);
}

static void error_set_truncates_long_messages(void **state)
{
    knoop_error_t err;
    char long_text[1000];

    (void)state;
    memset(long_text, 'a', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    knoop_error_set(&err, KNOOP_EINVAL, "%s", long_text);
    assert_int_equal(strlen(err.msg), KNOOP_ERROR_MSG_MAX - 1);
}

static void error_clear_empties_the_error(void **state)
{
    knoop_error_t err;

    (void)state;
    knoop_error_set(&err, KNOOP_EIO, "disk");
    knoop_error_clear(&err);
    assert_int_equal(err.code, 0);
    assert_string_equal(err.msg, "");
    knoop_error_clear(NULL);
}

static void repr_quotes_plain_text(void **state)
{
    char out[64];

    (void)state;
    assert_ptr_equal(knoop_repr(out, sizeof(out), "abc", 3, 64), out);
    assert_string_equal(out, "'abc'");
    knoop_repr(out, sizeof(out), "", 0, 64);
    assert_string_equal(out, "''");
}

static void repr_escapes_control_characters_and_quotes(void **state)
{
    char out[64];
    const char in[] = "a\nb\tc'd\\e\x01\x7f\x1b";

    (void)state;
    knoop_repr(out, sizeof(out), in, sizeof(in) - 1, 64);
    assert_string_equal(out, "'a\\nb\\tc\\'d\\\\e\\x01\\x7f\\x1b'");
    /* A NUL inside the input is escaped, not a terminator. */
    knoop_repr(out, sizeof(out), "a\0b", 3, 64);
    assert_string_equal(out, "'a\\x00b'");
}

static void repr_passes_utf8_through(void **state)
{
    char out[64];

    (void)state;
    knoop_repr(out, sizeof(out), "Zo\xc3\xab", 4, 64);
    assert_string_equal(out, "'Zo\xc3\xab'");
}

static void repr_truncates_at_cap_with_ellipsis(void **state)
{
    char in[100], out[128], want[128];

    (void)state;
    memset(in, 'x', sizeof(in));
    knoop_repr(out, sizeof(out), in, sizeof(in), 64);
    want[0] = '\'';
    memset(want + 1, 'x', 64);
    memcpy(want + 65, "'...", 5);
    assert_string_equal(out, want);

    /* Exactly at the cap: not truncated. */
    knoop_repr(out, sizeof(out), in, 64, 64);
    want[65] = '\'';
    want[66] = '\0';
    assert_string_equal(out, want);
}

static void repr_stops_at_a_small_output_buffer(void **state)
{
    char in[100], out[16];

    (void)state;
    memset(in, '\x01', sizeof(in)); /* every byte grows to four */
    memset(out, 0x55, sizeof(out));
    knoop_repr(out, sizeof(out), in, sizeof(in), 64);
    assert_true(strlen(out) < sizeof(out));
    assert_int_equal(out[0], '\'');
    assert_non_null(strstr(out, "'..."));
}

static void repr_tiny_output_buffer_gives_empty_string(void **state)
{
    char out[8];

    (void)state;
    memset(out, 0x55, sizeof(out));
    knoop_repr(out, 4, "abcdef", 6, 64);
    assert_string_equal(out, "");
    /* Size 0: nothing written. */
    out[0] = 'z';
    knoop_repr(out, 0, "abc", 3, 64);
    assert_int_equal(out[0], 'z');
}

/* True when s is valid UTF-8 (an independent, strict check). */
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

static void repr_escapes_invalid_utf8_bytes(void **state)
{
    char out[128];
    (void)state;
    /* A stray continuation byte, a lone lead byte, an overlong '/' and a surrogate. */
    knoop_repr(out, sizeof(out),
               "a\x80"
               "b\xc3"
               "c\xc0\xaf"
               "\xed\xa0\x80",
               10, 64);
    assert_string_equal(out, "'a\\x80b\\xc3c\\xc0\\xaf\\xed\\xa0\\x80'");
    assert_true(valid_utf8(out));
}

static void repr_never_cuts_inside_a_character(void **state)
{
    char in[201], out[96];
    size_t i;
    (void)state;
    /* "a" + "é" x 100, the node.get case: every cap and every output size gives valid UTF-8. */
    in[0] = 'a';
    for (i = 0; i < 100; i++) {
        in[1 + 2 * i] = '\xc3';
        in[2 + 2 * i] = '\xa9';
    }
    for (size_t cap = 1; cap <= 70; cap++) {
        knoop_repr(out, sizeof(out), in, sizeof(in), cap);
        assert_true(valid_utf8(out));
        assert_non_null(strstr(out, "..."));
    }
    for (size_t sz = 8; sz <= sizeof(out); sz++) {
        knoop_repr(out, sz, in, sizeof(in), 64);
        assert_true(valid_utf8(out));
    }
    knoop_repr(out, sizeof(out), in, sizeof(in), 64);
    assert_int_equal(strncmp(out, "'a\xc3\xa9", 4), 0);
}

static void error_set_keeps_messages_valid_utf8(void **state)
{
    knoop_error_t err;
    char big[400];
    (void)state;
    /* Cut by the message limit in the middle of 'é': the split character is dropped. */
    for (size_t pre = 250; pre < 258; pre++) {
        memset(big, 'x', pre);
        big[pre] = '\0';
        knoop_error_set(&err, KNOOP_EINVAL, "%s\xc3\xa9\xc3\xa9\xc3\xa9", big);
        assert_true(valid_utf8(err.msg));
    }
    /* Raw invalid input formatted with %s becomes '?'. */
    knoop_error_set(&err, KNOOP_EINVAL, "params.name: '%s'",
                    "a\xff"
                    "b");
    assert_string_equal(err.msg, "params.name: 'a?b'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wire_codes_round_trip_for_every_code),
        cmocka_unit_test(internal_conditions_map_onto_wire_codes),
        cmocka_unit_test(unknown_codes_map_to_internal),
        cmocka_unit_test(codes_are_negative_and_distinct),
        cmocka_unit_test(strerror_gives_default_texts),
        cmocka_unit_test(error_set_returns_code_and_formats),
        cmocka_unit_test(error_set_with_null_err_still_returns_code),
        cmocka_unit_test(error_set_truncates_long_messages),
        cmocka_unit_test(error_clear_empties_the_error),
        cmocka_unit_test(repr_quotes_plain_text),
        cmocka_unit_test(repr_escapes_control_characters_and_quotes),
        cmocka_unit_test(repr_passes_utf8_through),
        cmocka_unit_test(repr_truncates_at_cap_with_ellipsis),
        cmocka_unit_test(repr_stops_at_a_small_output_buffer),
        cmocka_unit_test(repr_tiny_output_buffer_gives_empty_string),
        cmocka_unit_test(repr_escapes_invalid_utf8_bytes),
        cmocka_unit_test(repr_never_cuts_inside_a_character),
        cmocka_unit_test(error_set_keeps_messages_valid_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
