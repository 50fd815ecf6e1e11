/*
 * test_store_key.c - unit tests for the key encoders of server/store/store.h: fixed-width
 * big-endian integers, order-preserving signed and date encodings, adjacency keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store.h"
#include "testutil.h"

/* schema.h's date bounds; the store links no schema (it knows bytes, not dates). */
#define SCHEMA_DATE_MIN  (-719162) /* 0001-01-01 */
#define SCHEMA_DATE_MAX  2932896   /* 9999-12-31 */
#define SCHEMA_DATE_OPEN INT32_MAX

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    /* xorshift64*: reproducible, no libc dependency on seeding. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

#define NVALS 300

static void u16_is_big_endian_and_round_trips(void **state)
{
    (void)state;
    unsigned char b[2];
    store_put_u16(b, 0x0102);
    assert_int_equal(b[0], 0x01);
    assert_int_equal(b[1], 0x02);
    const uint16_t vals[] = { 0, 1, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        store_put_u16(b, vals[i]);
        assert_int_equal(store_get_u16(b), vals[i]);
    }
}

static void u32_is_big_endian_and_round_trips(void **state)
{
    (void)state;
    unsigned char b[4];
    store_put_u32(b, 0x01020304u);
    assert_int_equal(b[0], 0x01);
    assert_int_equal(b[1], 0x02);
    assert_int_equal(b[2], 0x03);
    assert_int_equal(b[3], 0x04);
    for (int i = 0; i < NVALS; i++) {
        uint32_t v = (uint32_t)rnd();
        store_put_u32(b, v);
        assert_int_equal(store_get_u32(b), v);
    }
    store_put_u32(b, UINT32_MAX);
    assert_int_equal(store_get_u32(b), UINT32_MAX);
}

static void u64_is_big_endian_and_round_trips(void **state)
{
    (void)state;
    unsigned char b[8];
    store_put_u64(b, 0x0102030405060708ull);
    for (int i = 0; i < 8; i++)
        assert_int_equal(b[i], i + 1);
    for (int i = 0; i < NVALS; i++) {
        uint64_t v = rnd();
        store_put_u64(b, v);
        assert_true(store_get_u64(b) == v);
    }
    store_put_u64(b, UINT64_MAX);
    assert_true(store_get_u64(b) == UINT64_MAX);
    store_put_u64(b, 0);
    assert_true(store_get_u64(b) == 0);
}

static void put_writes_exactly_its_width(void **state)
{
    (void)state;
    unsigned char b[10];
    memset(b, 0xaa, sizeof b);
    store_put_u16(b + 1, 0);
    assert_int_equal(b[0], 0xaa);
    assert_int_equal(b[3], 0xaa);
    memset(b, 0xaa, sizeof b);
    store_put_u32(b + 1, 0);
    assert_int_equal(b[0], 0xaa);
    assert_int_equal(b[5], 0xaa);
    memset(b, 0xaa, sizeof b);
    store_put_u64(b + 1, 0);
    assert_int_equal(b[0], 0xaa);
    assert_int_equal(b[9], 0xaa);
    memset(b, 0xaa, sizeof b);
    store_put_date(b + 1, 0);
    assert_int_equal(b[0], 0xaa);
    assert_int_equal(b[5], 0xaa);
}

static void u64_byte_order_is_numeric_order(void **state)
{
    (void)state;
    uint64_t v[NVALS];
    unsigned char e[NVALS][8];
    const uint64_t edge[] = { 0,
                              1,
                              255,
                              256,
                              65535,
                              65536,
                              UINT32_MAX,
                              (uint64_t)UINT32_MAX + 1,
                              INT64_MAX,
                              (uint64_t)INT64_MAX + 1,
                              UINT64_MAX - 1,
                              UINT64_MAX };
    size_t n = 0;
    for (; n < sizeof edge / sizeof edge[0]; n++)
        v[n] = edge[n];
    for (; n < NVALS; n++)
        v[n] = rnd() >> (rnd() % 64); /* all magnitudes */
    for (size_t i = 0; i < NVALS; i++)
        store_put_u64(e[i], v[i]);
    for (size_t i = 0; i < NVALS; i++)
        for (size_t j = 0; j < NVALS; j++) {
            int want = (v[i] > v[j]) - (v[i] < v[j]);
            if (sign(memcmp(e[i], e[j], 8)) != want)
                fail_msg("u64 %llu vs %llu: bytes order differs", (unsigned long long)v[i],
                         (unsigned long long)v[j]);
        }
}

static void u32_byte_order_is_numeric_order(void **state)
{
    (void)state;
    uint32_t v[NVALS];
    unsigned char e[NVALS][4];
    v[0] = 0;
    v[1] = UINT32_MAX;
    v[2] = 0x80000000u;
    v[3] = 0x7fffffffu;
    for (size_t n = 4; n < NVALS; n++)
        v[n] = (uint32_t)(rnd() >> (rnd() % 64));
    for (size_t i = 0; i < NVALS; i++)
        store_put_u32(e[i], v[i]);
    for (size_t i = 0; i < NVALS; i++)
        for (size_t j = 0; j < NVALS; j++)
            assert_int_equal(sign(memcmp(e[i], e[j], 4)), (v[i] > v[j]) - (v[i] < v[j]));
}

static void i64_round_trips_and_flips_the_sign_bit(void **state)
{
    (void)state;
    unsigned char b[8];
    store_put_i64(b, 0);
    assert_int_equal(b[0], 0x80);
    for (int i = 1; i < 8; i++)
        assert_int_equal(b[i], 0);
    store_put_i64(b, INT64_MIN);
    for (int i = 0; i < 8; i++)
        assert_int_equal(b[i], 0);
    store_put_i64(b, -1);
    assert_int_equal(b[0], 0x7f);
    assert_int_equal(b[7], 0xff);
    const int64_t vals[] = { INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX - 1, INT64_MAX };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        store_put_i64(b, vals[i]);
        assert_true(store_get_i64(b) == vals[i]);
    }
    for (int i = 0; i < NVALS; i++) {
        int64_t v = (int64_t)rnd();
        store_put_i64(b, v);
        assert_true(store_get_i64(b) == v);
    }
}

static void i64_byte_order_is_numeric_order_including_negatives(void **state)
{
    (void)state;
    int64_t v[NVALS];
    unsigned char e[NVALS][8];
    const int64_t edge[] = { INT64_MIN, INT64_MIN + 1, -1000000,      -2,       -1, 0, 1,
                             2,         1000000,       INT64_MAX - 1, INT64_MAX };
    size_t n = 0;
    for (; n < sizeof edge / sizeof edge[0]; n++)
        v[n] = edge[n];
    for (; n < NVALS; n++)
        v[n] = (int64_t)rnd() >> (rnd() % 64);
    for (size_t i = 0; i < NVALS; i++)
        store_put_i64(e[i], v[i]);
    for (size_t i = 0; i < NVALS; i++)
        for (size_t j = 0; j < NVALS; j++) {
            int want = (v[i] > v[j]) - (v[i] < v[j]);
            if (sign(memcmp(e[i], e[j], 8)) != want)
                fail_msg("i64 %lld vs %lld: byte order differs", (long long)v[i], (long long)v[j]);
        }
}

static void date_is_biased_by_2_pow_31(void **state)
{
    (void)state;
    unsigned char b[4];
    store_put_date(b, 0);
    assert_int_equal(store_get_u32(b), 0x80000000u);
    store_put_date(b, -1);
    assert_int_equal(store_get_u32(b), 0x7fffffffu);
    /* The open end is all ones (store_int.h: to = 0xffffffff when open). */
    store_put_date(b, SCHEMA_DATE_OPEN);
    assert_int_equal(store_get_u32(b), 0xffffffffu);
    assert_int_equal(store_get_date(b), SCHEMA_DATE_OPEN);
}

static void date_round_trips_across_the_calendar(void **state)
{
    (void)state;
    unsigned char b[4];
    const int32_t vals[] = { SCHEMA_DATE_MIN,  -1,       0, 1, 17956, SCHEMA_DATE_MAX,
                             SCHEMA_DATE_OPEN, INT32_MIN };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        store_put_date(b, vals[i]);
        assert_int_equal(store_get_date(b), vals[i]);
    }
    for (int32_t d = SCHEMA_DATE_MIN; d <= SCHEMA_DATE_MAX; d += 997) {
        store_put_date(b, d);
        assert_int_equal(store_get_date(b), d);
    }
}

static void date_byte_order_is_date_order_with_open_last(void **state)
{
    (void)state;
    int32_t v[NVALS];
    unsigned char e[NVALS][4];
    const int32_t edge[] = { SCHEMA_DATE_MIN, -719161,         -1, 0, 1, 17956, SCHEMA_DATE_MAX - 1,
                             SCHEMA_DATE_MAX, SCHEMA_DATE_OPEN };
    size_t n = 0;
    for (; n < sizeof edge / sizeof edge[0]; n++)
        v[n] = edge[n];
    for (; n < NVALS; n++)
        v[n] = SCHEMA_DATE_MIN + (int32_t)(rnd() % (SCHEMA_DATE_MAX - SCHEMA_DATE_MIN + 1));
    for (size_t i = 0; i < NVALS; i++)
        store_put_date(e[i], v[i]);
    for (size_t i = 0; i < NVALS; i++) {
        for (size_t j = 0; j < NVALS; j++) {
            int want = (v[i] > v[j]) - (v[i] < v[j]);
            if (sign(memcmp(e[i], e[j], 4)) != want)
                fail_msg("date %d vs %d: byte order differs", (int)v[i], (int)v[j]);
        }
        if (v[i] != SCHEMA_DATE_OPEN)
            assert_true(memcmp(e[i], e[8], 4) < 0); /* open sorts last */
    }
}

/* ---- adjacency keys ---- */

static void adj_key_has_the_documented_layout(void **state)
{
    (void)state;
    unsigned char k[STORE_ADJ_KEY_MAX];
    size_t n = store_key_adj(k, 0x0102030405060708ull, STORE_DIR_OUT, "lid", 3, 42, 0xabcdef, true);
    assert_int_equal(n, 8 + 1 + 1 + 3 + 8 + 8);
    assert_true(store_get_u64(k) == 0x0102030405060708ull);
    assert_int_equal(k[8], 'o');
    assert_int_equal(k[9], 3);
    assert_memory_equal(k + 10, "lid", 3);
    assert_true(store_get_u64(k + 13) == 42);
    assert_true(store_get_u64(k + 21) == 0xabcdef);
}

static void adj_key_round_trips_through_decode(void **state)
{
    (void)state;
    unsigned char k[STORE_ADJ_KEY_MAX];
    const char *types[] = { "burgemeester", "x", "lid", "wethouder Milieu", "é" };
    for (size_t t = 0; t < 5; t++) {
        for (int i = 0; i < 50; i++) {
            uint64_t node = i == 0 ? 1 : rnd(), other = i == 1 ? UINT64_MAX : rnd(),
                     edge = i == 2 ? 0 : rnd();
            char dir = (i & 1) ? STORE_DIR_IN : STORE_DIR_OUT;
            size_t tl = strlen(types[t]);
            size_t n = store_key_adj(k, node, dir, types[t], tl, other, edge, true);
            assert_int_equal(n, 8 + 1 + 1 + tl + 8 + 8);

            uint64_t dn = 0, dother = 0, dedge = 0;
            char ddir = 0;
            const char *dtype = NULL;
            size_t dtl = 0;
            assert_true(store_key_adj_decode(k, n, &dn, &ddir, &dtype, &dtl, &dother, &dedge));
            assert_true(dn == node);
            assert_int_equal(ddir, dir);
            assert_int_equal(dtl, tl);
            assert_ptr_equal(dtype, (const char *)k + 10);
            assert_memory_equal(dtype, types[t], tl);
            assert_true(dother == other);
            assert_true(dedge == edge);
        }
    }
}

static void adj_key_with_255_byte_type_is_the_longest_key(void **state)
{
    (void)state;
    unsigned char k[STORE_ADJ_KEY_MAX + 8];
    char type[255];
    memset(type, 't', sizeof type);
    memset(k, 0xee, sizeof k);
    size_t n = store_key_adj(k, 7, STORE_DIR_IN, type, sizeof type, 8, 9, true);
    assert_int_equal(n, STORE_ADJ_KEY_MAX);
    assert_int_equal(k[STORE_ADJ_KEY_MAX], 0xee); /* nothing written past the maximum */
    uint64_t node, other, edge;
    char dir;
    const char *dt;
    size_t dtl;
    assert_true(store_key_adj_decode(k, n, &node, &dir, &dt, &dtl, &other, &edge));
    assert_int_equal(dtl, 255);
    assert_true(other == 8 && edge == 9 && node == 7);
}

static void adj_prefix_is_a_prefix_of_every_full_key_for_that_type(void **state)
{
    (void)state;
    unsigned char p[STORE_ADJ_KEY_MAX], k[STORE_ADJ_KEY_MAX];
    size_t pn = store_key_adj(p, 77, STORE_DIR_OUT, "lid", 3, 0, 0, false);
    assert_int_equal(pn, 8 + 1 + 1 + 3);
    for (int i = 0; i < 100; i++) {
        size_t kn = store_key_adj(k, 77, STORE_DIR_OUT, "lid", 3, rnd(), rnd(), true);
        assert_true(kn > pn);
        assert_memory_equal(k, p, pn);
    }
}

static void adj_prefix_does_not_match_other_types_directions_or_nodes(void **state)
{
    (void)state;
    unsigned char p[STORE_ADJ_KEY_MAX], k[STORE_ADJ_KEY_MAX];
    size_t pn = store_key_adj(p, 77, STORE_DIR_OUT, "lid", 3, 0, 0, false);
    size_t kn;
    /* A type that starts with the prefix's type is another type: the length byte differs. */
    kn = store_key_adj(k, 77, STORE_DIR_OUT, "lidmaat", 7, 1, 1, true);
    assert_true(kn < pn || memcmp(k, p, pn) != 0);
    kn = store_key_adj(k, 77, STORE_DIR_OUT, "li", 2, 1, 1, true);
    assert_true(kn < pn || memcmp(k, p, pn) != 0);
    kn = store_key_adj(k, 77, STORE_DIR_IN, "lid", 3, 1, 1, true);
    assert_true(memcmp(k, p, pn) != 0);
    kn = store_key_adj(k, 78, STORE_DIR_OUT, "lid", 3, 1, 1, true);
    assert_true(memcmp(k, p, pn) != 0);
}

static void adj_node_prefix_groups_all_keys_of_a_node(void **state)
{
    (void)state;
    unsigned char a[STORE_ADJ_KEY_MAX], b[STORE_ADJ_KEY_MAX];
    size_t an = store_key_adj(a, 5, STORE_DIR_IN, "zzz", 3, UINT64_MAX, UINT64_MAX, true);
    size_t bn = store_key_adj(b, 6, STORE_DIR_IN, "", 0, 0, 0, true);
    (void)an;
    (void)bn;
    /* Every key of node 5 sorts before every key of node 6. */
    assert_true(memcmp(a, b, 8) < 0);
}

static void adj_keys_of_one_type_sort_by_other_then_edge(void **state)
{
    (void)state;
    unsigned char k1[STORE_ADJ_KEY_MAX], k2[STORE_ADJ_KEY_MAX], k3[STORE_ADJ_KEY_MAX];
    size_t n1 = store_key_adj(k1, 1, STORE_DIR_OUT, "lid", 3, 2, 900, true);
    size_t n2 = store_key_adj(k2, 1, STORE_DIR_OUT, "lid", 3, 256, 5, true);
    size_t n3 = store_key_adj(k3, 1, STORE_DIR_OUT, "lid", 3, 256, 6, true);
    assert_int_equal(n1, n2);
    assert_int_equal(n2, n3);
    assert_true(memcmp(k1, k2, n1) < 0);
    assert_true(memcmp(k2, k3, n2) < 0);
}

static void adj_decode_rejects_malformed_keys(void **state)
{
    (void)state;
    unsigned char k[STORE_ADJ_KEY_MAX + 1];
    uint64_t node, other, edge;
    char dir;
    const char *t;
    size_t tl;
    size_t n = store_key_adj(k, 1, STORE_DIR_OUT, "lid", 3, 2, 3, true);
    /* Truncated anywhere. */
    for (size_t cut = 0; cut < n; cut++)
        if (store_key_adj_decode(k, cut, &node, &dir, &t, &tl, &other, &edge))
            fail_msg("a key cut to %zu of %zu bytes decoded", cut, n);
    /* One byte too many. */
    k[n] = 0;
    assert_false(store_key_adj_decode(k, n + 1, &node, &dir, &t, &tl, &other, &edge));
    /* A type length that does not match the key length. */
    k[9] = 4;
    assert_false(store_key_adj_decode(k, n, &node, &dir, &t, &tl, &other, &edge));
    k[9] = 200;
    assert_false(store_key_adj_decode(k, n, &node, &dir, &t, &tl, &other, &edge));
    k[9] = 3;
    assert_true(store_key_adj_decode(k, n, &node, &dir, &t, &tl, &other, &edge));
}

static void adj_decode_rejects_an_unknown_direction_byte(void **state)
{
    (void)state;
    unsigned char k[STORE_ADJ_KEY_MAX];
    uint64_t node, other, edge;
    char dir;
    const char *t;
    size_t tl;
    size_t n = store_key_adj(k, 1, STORE_DIR_OUT, "lid", 3, 2, 3, true);
    /* store_int.h: dir is 'o' or 'i'; anything else is a malformed key. */
    k[8] = 'x';
    assert_false(store_key_adj_decode(k, n, &node, &dir, &t, &tl, &other, &edge));
    k[8] = 0;
    assert_false(store_key_adj_decode(k, n, &node, &dir, &t, &tl, &other, &edge));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(u16_is_big_endian_and_round_trips),
        cmocka_unit_test(u32_is_big_endian_and_round_trips),
        cmocka_unit_test(u64_is_big_endian_and_round_trips),
        cmocka_unit_test(put_writes_exactly_its_width),
        cmocka_unit_test(u64_byte_order_is_numeric_order),
        cmocka_unit_test(u32_byte_order_is_numeric_order),
        cmocka_unit_test(i64_round_trips_and_flips_the_sign_bit),
        cmocka_unit_test(i64_byte_order_is_numeric_order_including_negatives),
        cmocka_unit_test(date_is_biased_by_2_pow_31),
        cmocka_unit_test(date_round_trips_across_the_calendar),
        cmocka_unit_test(date_byte_order_is_date_order_with_open_last),
        cmocka_unit_test(adj_key_has_the_documented_layout),
        cmocka_unit_test(adj_key_round_trips_through_decode),
        cmocka_unit_test(adj_key_with_255_byte_type_is_the_longest_key),
        cmocka_unit_test(adj_prefix_is_a_prefix_of_every_full_key_for_that_type),
        cmocka_unit_test(adj_prefix_does_not_match_other_types_directions_or_nodes),
        cmocka_unit_test(adj_node_prefix_groups_all_keys_of_a_node),
        cmocka_unit_test(adj_keys_of_one_type_sort_by_other_then_edge),
        cmocka_unit_test(adj_decode_rejects_malformed_keys),
        cmocka_unit_test(adj_decode_rejects_an_unknown_direction_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
