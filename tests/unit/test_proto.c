/*
 * test_proto.c - unit tests of the proto layer: the frame scanner, MessagePack-RPC envelope
 * decoding and encoding, and named-parameter checking (layer: tests, for proto).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                   */
/* ---------------------------------------------------------------------------------------- */

typedef struct {
    msgpack_sbuffer sb;
    msgpack_packer pk;
} tbuf_t;

static void tb_init(tbuf_t *b)
{
    msgpack_sbuffer_init(&b->sb);
    msgpack_packer_init(&b->pk, &b->sb, msgpack_sbuffer_write);
}

static void tb_free(tbuf_t *b)
{
    msgpack_sbuffer_destroy(&b->sb);
}

static void tb_str(tbuf_t *b, const char *s)
{
    assert_int_equal(proto_pack_str(&b->pk, s), 0);
}

/* Appends raw bytes (for input msgpack-c would never produce). */
static void tb_raw(tbuf_t *b, const void *p, size_t n)
{
    assert_int_equal(msgpack_sbuffer_write(&b->sb, p, n), 0);
}

static void assert_msg_has(const knoop_error_t *err, const char *part)
{
    if (strstr(err->msg, part) == NULL)
        fail_msg("error message '%s' does not contain '%s'", err->msg, part);
}

/* Scans buf in one call with fresh state. */
static int scan_once(const void *buf, size_t len, const proto_limits_t *l, knoop_error_t *err)
{
    proto_scanner_t s;

    proto_scanner_init(&s);
    return proto_scan(&s, buf, len, l, err);
}

/* Feeds buf one more byte per call, as a slow peer would; returns the first non-zero result. */
static int scan_bytewise(const void *buf, size_t len, const proto_limits_t *l, knoop_error_t *err)
{
    proto_scanner_t s;
    size_t i;
    int rc = 0;

    proto_scanner_init(&s);
    for (i = 1; i <= len && rc == 0; i++)
        rc = proto_scan(&s, buf, i, l, err);
    return rc;
}

/* A buffer of n nested one-element arrays around a 0: [[[...[0]...]]]. */
static size_t nested_arrays(unsigned char *buf, size_t n)
{
    memset(buf, 0x91, n);
    buf[n] = 0x00;
    return n + 1;
}

static void limits_small(proto_limits_t *l)
{
    proto_limits_default(l);
    l->max_message = 1000;
    l->max_string = 100;
    l->max_entries = 10;
    l->max_depth = 4;
}

/* Packs a complete request [0, msgid, method, [{"id": 42, "name": "Almere"}]]. */
static void pack_sample_request(tbuf_t *b, uint32_t msgid, const char *method)
{
    assert_int_equal(proto_pack_request(&b->pk, msgid, method), 0);
    msgpack_pack_array(&b->pk, 1);
    msgpack_pack_map(&b->pk, 2);
    tb_str(b, "id");
    msgpack_pack_uint64(&b->pk, 42);
    tb_str(b, "name");
    tb_str(b, "Almere");
}

/* Decodes with a fresh zone the test must destroy. */
static int decode(msgpack_zone *z, const void *buf, size_t len, proto_msg_t *m, knoop_error_t *err)
{
    assert_true(msgpack_zone_init(z, 1024));
    return proto_decode(buf, len, z, m, err);
}

/* ---------------------------------------------------------------------------------------- */
/* Frame scanner                                                                             */
/* ---------------------------------------------------------------------------------------- */

static void scan_finds_boundaries_of_two_pipelined_messages(void **state)
{
    tbuf_t b;
    proto_scanner_t s;
    knoop_error_t err;
    size_t first;
    int rc;

    (void)state;
    tb_init(&b);
    pack_sample_request(&b, 1, "node.get");
    first = b.sb.size;
    pack_sample_request(&b, 2, "ping");

    proto_scanner_init(&s);
    rc = proto_scan(&s, b.sb.data, b.sb.size, NULL, &err);
    assert_int_equal(rc, (int)first);
    rc = proto_scan(&s, b.sb.data + first, b.sb.size - first, NULL, &err);
    assert_int_equal(rc, (int)(b.sb.size - first));
    tb_free(&b);
}

static void scan_byte_by_byte_gives_same_length(void **state)
{
    tbuf_t b;
    knoop_error_t err;
    char big[300];

    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    tb_init(&b);
    msgpack_pack_array(&b.pk, 6);
    tb_str(&b, big);
    msgpack_pack_double(&b.pk, 1.5);
    msgpack_pack_int64(&b.pk, -1234567890123);
    msgpack_pack_map(&b.pk, 1);
    tb_str(&b, "k");
    msgpack_pack_array(&b.pk, 0);
    msgpack_pack_bin(&b.pk, 3);
    msgpack_pack_bin_body(&b.pk, "abc", 3);
    msgpack_pack_ext(&b.pk, 5, 7);
    msgpack_pack_ext_body(&b.pk, "12345", 5);

    assert_int_equal(scan_once(b.sb.data, b.sb.size, NULL, &err), (int)b.sb.size);
    assert_int_equal(scan_bytewise(b.sb.data, b.sb.size, NULL, &err), (int)b.sb.size);
    tb_free(&b);
}

static void scan_truncated_message_returns_zero(void **state)
{
    tbuf_t b;
    knoop_error_t err;
    size_t i;

    (void)state;
    tb_init(&b);
    pack_sample_request(&b, 7, "node.get");
    for (i = 0; i < b.sb.size; i++)
        assert_int_equal(scan_once(b.sb.data, i, NULL, &err), 0);
    assert_int_equal(scan_once(b.sb.data, b.sb.size, NULL, &err), (int)b.sb.size);
    tb_free(&b);
}

static void scan_length_matches_msgpack_for_every_format(void **state)
{
    tbuf_t b;
    knoop_error_t err;
    static const char blob[70000] = { 0 };
    int f;

    (void)state;
    for (f = 0; f < 30; f++) {
        msgpack_zone z;
        msgpack_object o;
        size_t off = 0;

        tb_init(&b);
        switch (f) {
        case 0:
            msgpack_pack_nil(&b.pk);
            break;
        case 1:
            msgpack_pack_true(&b.pk);
            break;
        case 2:
            msgpack_pack_false(&b.pk);
            break;
        case 3:
            msgpack_pack_uint8(&b.pk, 200);
            break;
        case 4:
            msgpack_pack_uint16(&b.pk, 60000);
            break;
        case 5:
            msgpack_pack_uint32(&b.pk, 4000000000u);
            break;
        case 6:
            msgpack_pack_uint64(&b.pk, UINT64_MAX);
            break;
        case 7:
            msgpack_pack_int8(&b.pk, -100);
            break;
        case 8:
            msgpack_pack_int16(&b.pk, -30000);
            break;
        case 9:
            msgpack_pack_int32(&b.pk, -2000000000);
            break;
        case 10:
            msgpack_pack_int64(&b.pk, INT64_MIN);
            break;
        case 11:
            msgpack_pack_float(&b.pk, 1.5f);
            break;
        case 12:
            msgpack_pack_double(&b.pk, 2.5);
            break;
        case 13:
            msgpack_pack_str_with_body(&b.pk, blob, 31);
            break;
        case 14:
            msgpack_pack_str_with_body(&b.pk, blob, 200);
            break;
        case 15:
            msgpack_pack_str_with_body(&b.pk, blob, 1000);
            break;
        case 16:
            msgpack_pack_str_with_body(&b.pk, blob, 70000);
            break;
        case 17:
            msgpack_pack_bin_with_body(&b.pk, blob, 10);
            break;
        case 18:
            msgpack_pack_bin_with_body(&b.pk, blob, 1000);
            break;
        case 19:
            msgpack_pack_bin_with_body(&b.pk, blob, 70000);
            break;
        case 20:
            msgpack_pack_ext_with_body(&b.pk, blob, 1, 1);
            break;
        case 21:
            msgpack_pack_ext_with_body(&b.pk, blob, 2, 1);
            break;
        case 22:
            msgpack_pack_ext_with_body(&b.pk, blob, 4, 1);
            break;
        case 23:
            msgpack_pack_ext_with_body(&b.pk, blob, 8, 1);
            break;
        case 24:
            msgpack_pack_ext_with_body(&b.pk, blob, 16, 1);
            break;
        case 25:
            msgpack_pack_ext_with_body(&b.pk, blob, 3, 1);
            break;
        case 26:
            msgpack_pack_ext_with_body(&b.pk, blob, 1000, 1);
            break;
        case 27:
            msgpack_pack_ext_with_body(&b.pk, blob, 70000, 1);
            break;
        case 28: {
            int i;
            msgpack_pack_array(&b.pk, 20);
            for (i = 0; i < 20; i++)
                msgpack_pack_nil(&b.pk);
            break;
        }
        default: {
            int i;
            msgpack_pack_map(&b.pk, 20);
            for (i = 0; i < 40; i++)
                msgpack_pack_int(&b.pk, -i);
            break;
        }
        }
        /* Trailing bytes must not be counted. */
        tb_raw(&b, "\xc0\xc0", 2);
        msgpack_zone_init(&z, 1024);
        assert_int_equal(msgpack_unpack(b.sb.data, b.sb.size, &off, &z, &o),
                         MSGPACK_UNPACK_EXTRA_BYTES);
        msgpack_zone_destroy(&z);
        assert_int_equal(scan_once(b.sb.data, b.sb.size, NULL, &err), (int)off);
        assert_int_equal(scan_bytewise(b.sb.data, b.sb.size, NULL, &err), (int)off);
        tb_free(&b);
    }
}

static void scan_resumes_without_rereading_the_prefix(void **state)
{
    /* A 300-byte str16: once its header is accounted for, the scanner only waits for the
     * payload, so it must not look at the bytes it already passed. Overwriting them with
     * garbage proves it does not rescan from 0. */
    unsigned char buf[303];
    proto_scanner_t s;
    knoop_error_t err;

    (void)state;
    buf[0] = 0xda;
    buf[1] = 0x01;
    buf[2] = 0x2c;
    memset(buf + 3, 'a', 300);
    proto_scanner_init(&s);
    assert_int_equal(proto_scan(&s, (const char *)buf, 10, NULL, &err), 0);
    buf[0] = 0xc1;
    assert_int_equal(proto_scan(&s, (const char *)buf, 200, NULL, &err), 0);
    assert_int_equal(proto_scan(&s, (const char *)buf, sizeof(buf), NULL, &err), 303);
}

static void scan_top_level_scalar_is_a_message(void **state)
{
    knoop_error_t err;

    (void)state;
    assert_int_equal(scan_once("\x05\x06", 2, NULL, &err), 1);
    assert_int_equal(scan_once("\xcf\x00\x00\x00\x00\x00\x00\x00", 8, NULL, &err), 0);
    assert_int_equal(scan_once("\xcf\x00\x00\x00\x00\x00\x00\x00\x01", 9, NULL, &err), 9);
}

static void scan_message_at_max_message_accepted_one_past_rejected(void **state)
{
    proto_limits_t l;
    knoop_error_t err;
    unsigned char buf[1001];

    (void)state;
    proto_limits_default(&l);
    l.max_message = 1000;
    /* An array of 998 nils: 3-byte array16 header + 997... make it exactly 1000 bytes. */
    memset(buf, 0xc0, sizeof(buf));
    buf[0] = 0xdc;
    buf[1] = (997 >> 8) & 0xff;
    buf[2] = 997 & 0xff;
    assert_int_equal(scan_once(buf, 1000, &l, &err), 1000);
    assert_int_equal(scan_bytewise(buf, 1000, &l, &err), 1000);

    buf[1] = (998 >> 8) & 0xff;
    buf[2] = 998 & 0xff;
    assert_int_equal(scan_once(buf, 1001, &l, &err), KNOOP_ETOOLARGE);
    assert_int_equal(err.code, KNOOP_ETOOLARGE);
    assert_msg_has(&err, "limit of 1000");
}

static void scan_over_max_message_rejected_while_bytes_arrive(void **state)
{
    /* Nested arrays whose declared sizes are small but whose contents keep growing: the
     * scanner notices as soon as the consumed bytes pass the limit. */
    proto_limits_t l;
    knoop_error_t err;
    unsigned char buf[2000];
    size_t i;

    (void)state;
    proto_limits_default(&l);
    l.max_message = 1000;
    memset(buf, 0, sizeof(buf));
    buf[0] = 0xdc;
    buf[1] = 0x01;
    buf[2] = 0xf4; /* 500 elements */
    for (i = 3; i + 3 <= sizeof(buf); i += 3) {
        buf[i] = 0xcd; /* uint16, 3 bytes each: 1503 bytes in all */
        buf[i + 1] = 0;
        buf[i + 2] = 1;
    }
    assert_int_equal(scan_bytewise(buf, sizeof(buf), &l, &err), KNOOP_ETOOLARGE);
    assert_msg_has(&err, "limit of 1000");
}

static void scan_huge_declared_array_rejected_from_its_header(void **state)
{
    proto_scanner_t s;
    knoop_error_t err;

    (void)state;
    proto_scanner_init(&s);
    /* Only the five header bytes: the scanner must not wait for the elements. */
    assert_int_equal(proto_scan(&s, "\xdd\xff\xff\xff\xff", 5, NULL, &err), KNOOP_ETOOLARGE);
    assert_msg_has(&err, "array of 4294967295 entries at offset 0");
    assert_int_equal(scan_once("\xdf\xff\xff\xff\xff", 5, NULL, &err), KNOOP_ETOOLARGE);
    assert_msg_has(&err, "map of 4294967295 entries");
    /* Incomplete length fields are just incomplete. */
    assert_int_equal(scan_once("\xdd\xff\xff\xff", 4, NULL, &err), 0);
}

static void scan_entries_at_limit_accepted_one_past_rejected(void **state)
{
    proto_limits_t l;
    knoop_error_t err;
    unsigned char buf[64];

    (void)state;
    limits_small(&l); /* 10 entries */
    memset(buf, 0x01, sizeof(buf));
    buf[0] = 0x9a; /* fixarray 10 */
    assert_int_equal(scan_once(buf, 11, &l, &err), 11);
    buf[0] = 0x9b; /* fixarray 11 */
    assert_int_equal(scan_once(buf, 12, &l, &err), KNOOP_ETOOLARGE);
    assert_msg_has(&err, "array of 11 entries");

    buf[0] = 0x8a; /* fixmap 10: 20 items */
    assert_int_equal(scan_once(buf, 21, &l, &err), 21);
    buf[0] = 0xde; /* map16 11 */
    buf[1] = 0;
    buf[2] = 11;
    assert_int_equal(scan_once(buf, 3, &l, &err), KNOOP_ETOOLARGE);
    assert_msg_has(&err, "map of 11 entries");
}

static void scan_depth_at_limit_accepted_one_past_rejected(void **state)
{
    proto_limits_t l;
    knoop_error_t err;
    unsigned char buf[64];
    size_t n;

    (void)state;
    proto_limits_default(&l);
    n = nested_arrays(buf, KNOOP_DEFAULT_DEPTH);
    assert_int_equal(scan_once(buf, n, &l, &err), (int)n);
    n = nested_arrays(buf, KNOOP_DEFAULT_DEPTH + 1);
    assert_int_equal(scan_once(buf, n, &l, &err), KNOOP_EINVAL);
    assert_msg_has(&err, "nesting deeper than 16 levels at offset 16");

    /* An empty container is a level too. */
    memset(buf, 0x91, KNOOP_DEFAULT_DEPTH);
    buf[KNOOP_DEFAULT_DEPTH] = 0x80;
    assert_int_equal(scan_once(buf, KNOOP_DEFAULT_DEPTH + 1, &l, &err), KNOOP_EINVAL);
}

static void scan_depth_33_rejected_even_when_configured_higher(void **state)
{
    proto_limits_t l;
    knoop_error_t err;
    unsigned char buf[64];
    size_t n;

    (void)state;
    proto_limits_default(&l);
    l.max_depth = 1000; /* above the ceiling: treated as KNOOP_MAX_DEPTH */
    n = nested_arrays(buf, 32);
    assert_int_equal(scan_once(buf, n, &l, &err), (int)n);
    n = nested_arrays(buf, 33);
    assert_int_equal(scan_once(buf, n, &l, &err), KNOOP_EINVAL);
    assert_int_equal(scan_bytewise(buf, n, &l, &err), KNOOP_EINVAL);
}

static void msgpack_c_decodes_depth_32_and_fails_depth_33_as_nomem(void **state)
{
    /* Pins the assumption behind KNOOP_MAX_DEPTH: msgpack-c decodes every depth the scanner
     * lets through, and the failure it reports beyond is "out of memory". */
    unsigned char buf[64];
    msgpack_zone z;
    msgpack_object o;
    size_t n, off = 0;

    (void)state;
    n = nested_arrays(buf, 32);
    msgpack_zone_init(&z, 1024);
    assert_int_equal(msgpack_unpack((const char *)buf, n, &off, &z, &o), MSGPACK_UNPACK_SUCCESS);
    msgpack_zone_destroy(&z);

    n = nested_arrays(buf, 33);
    off = 0;
    msgpack_zone_init(&z, 1024);
    assert_int_equal(msgpack_unpack((const char *)buf, n, &off, &z, &o),
                     MSGPACK_UNPACK_NOMEM_ERROR);
    msgpack_zone_destroy(&z);
}

static void scan_byte_c1_rejected_with_offset(void **state)
{
    knoop_error_t err;

    (void)state;
    assert_int_equal(scan_once("\xc1", 1, NULL, &err), KNOOP_EINVAL);
    assert_int_equal(scan_once("\x93\x01\x02\xc1", 4, NULL, &err), KNOOP_EINVAL);
    assert_msg_has(&err, "0xc1 at offset 3");
    /* Inside a string payload 0xc1 is just a byte. */
    assert_int_equal(scan_once("\xa1\xc1", 2, NULL, &err), 2);
}

static void scan_str32_over_max_string_rejected_before_payload(void **state)
{
    knoop_error_t err;

    (void)state;
    /* 2 MiB declared, default limit 1 MiB, no payload sent. */
    assert_int_equal(scan_once("\xdb\x00\x20\x00\x00", 5, NULL, &err), KNOOP_ETOOLARGE);
    assert_msg_has(&err, "string of 2097152 bytes at offset 0 exceeds the limit of 1048576");
}

static void scan_string_bin_ext_at_max_string_accepted_one_past_rejected(void **state)
{
    proto_limits_t l;
    knoop_error_t err;
    unsigned char buf[200];

    (void)state;
    limits_small(&l); /* 100 bytes */
    memset(buf, 'z', sizeof(buf));

    buf[0] = 0xd9; /* str8 */
    buf[1] = 100;
    assert_int_equal(scan_once(buf, 102, &l, &err), 102);
    buf[1] = 101;
    assert_int_equal(scan_once(buf, 2, &l, &err), KNOOP_ETOOLARGE);
    assert_msg_has(&err, "string of 101 bytes");

    buf[0] = 0xc4; /* bin8 */
    buf[1] = 100;
    assert_int_equal(scan_once(buf, 102, &l, &err), 102);
    buf[1] = 101;
    assert_int_equal(scan_once(buf, 2, &l, &err), KNOOP_ETOOLARGE);
    assert_msg_has(&err, "binary of 101 bytes");

    buf[0] = 0xc7; /* ext8: length, type, data */
    buf[1] = 100;
    assert_int_equal(scan_once(buf, 103, &l, &err), 103);
    buf[1] = 101;
    assert_int_equal(scan_once(buf, 2, &l, &err), KNOOP_ETOOLARGE);
    assert_msg_has(&err, "extension of 101 bytes");
}

static void scan_declared_string_over_max_message_rejected_early(void **state)
{
    proto_limits_t l;
    knoop_error_t err;

    (void)state;
    proto_limits_default(&l);
    l.max_message = 1000; /* strings may be 1 MiB, but not in a 1000-byte message */
    /* [ "<2000 bytes>" ]: header bytes only. */
    assert_int_equal(scan_once("\x91\xda\x07\xd0", 4, &l, &err), KNOOP_ETOOLARGE);
    assert_msg_has(&err, "string at offset 1");
    /* 995 bytes fit: 1 + 3 + 995 = 999; then a sibling that does not. */
    assert_int_equal(scan_once("\x91\xda\x03\xe3", 4, &l, &err), 0);
    assert_int_equal(scan_once("\x92\xda\x03\xe3", 4, &l, &err), 0);
    assert_int_equal(scan_once("\x92\xda\x03\xe4", 4, &l, &err), KNOOP_ETOOLARGE);
}

static void scan_container_needing_more_bytes_than_allowed_rejected_early(void **state)
{
    proto_limits_t l;
    knoop_error_t err;

    (void)state;
    proto_limits_default(&l);
    l.max_message = 1000;
    /* A map of 500 pairs needs at least 1000 bytes of keys and values after its header. */
    assert_int_equal(scan_once("\xde\x01\xf4", 3, &l, &err), KNOOP_ETOOLARGE);
    assert_msg_has(&err, "map at offset 0");
    /* 498 pairs: 3 + 996 = 999 bytes at least, still possible. */
    assert_int_equal(scan_once("\xde\x01\xf2", 3, &l, &err), 0);
}

static void scan_error_resets_the_scanner(void **state)
{
    proto_scanner_t s;
    knoop_error_t err;

    (void)state;
    proto_scanner_init(&s);
    assert_int_equal(proto_scan(&s, "\x92\x01", 2, NULL, &err), 0);
    assert_int_equal(proto_scan(&s, "\x92\x01\xc1", 3, NULL, &err), KNOOP_EINVAL);
    assert_int_equal(proto_scan(&s, "\x92\x01\x02", 3, NULL, &err), 3);
}

/* ---------------------------------------------------------------------------------------- */
/* Envelope decoding                                                                         */
/* ---------------------------------------------------------------------------------------- */

static void decode_good_request(void **state)
{
    tbuf_t b;
    msgpack_zone z;
    proto_msg_t m;
    knoop_error_t err;
    msgpack_object map;
    uint64_t id;

    (void)state;
    tb_init(&b);
    pack_sample_request(&b, 77, "node.get");
    assert_int_equal(decode(&z, b.sb.data, b.sb.size, &m, &err), 0);
    assert_int_equal(m.type, PROTO_REQUEST);
    assert_int_equal(m.msgid, 77);
    assert_true(m.msgid_known);
    assert_int_equal(m.method_len, 8);
    assert_memory_equal(m.method, "node.get", 8);
    assert_int_equal(m.params.type, MSGPACK_OBJECT_ARRAY);
    assert_int_equal(proto_params_map(&m.params, &map, &err), 0);
    assert_true(proto_param_u64(&map, "id", &id));
    assert_int_equal(id, 42);
    msgpack_zone_destroy(&z);
    tb_free(&b);
}

static void decode_good_notification(void **state)
{
    tbuf_t b;
    msgpack_zone z;
    proto_msg_t m;
    knoop_error_t err;

    (void)state;
    tb_init(&b);
    msgpack_pack_array(&b.pk, 3);
    msgpack_pack_uint8(&b.pk, 2);
    tb_str(&b, "log");
    msgpack_pack_array(&b.pk, 0);
    assert_int_equal(decode(&z, b.sb.data, b.sb.size, &m, &err), 0);
    assert_int_equal(m.type, PROTO_NOTIFY);
    assert_false(m.msgid_known);
    assert_int_equal(m.method_len, 3);
    assert_memory_equal(m.method, "log", 3);
    assert_int_equal(m.params.via.array.size, 0);
    msgpack_zone_destroy(&z);
    tb_free(&b);
}

static void decode_good_response(void **state)
{
    tbuf_t b;
    msgpack_zone z;
    proto_msg_t m;
    knoop_error_t err;

    (void)state;
    tb_init(&b);
    assert_int_equal(proto_pack_response_ok(&b.pk, 4000000000u), 0);
    tb_str(&b, "pong");
    assert_int_equal(decode(&z, b.sb.data, b.sb.size, &m, &err), 0);
    assert_int_equal(m.type, PROTO_RESPONSE);
    assert_int_equal(m.msgid, 4000000000u);
    assert_true(m.msgid_known);
    assert_int_equal(m.error.type, MSGPACK_OBJECT_NIL);
    assert_int_equal(m.result.type, MSGPACK_OBJECT_STR);
    assert_memory_equal(m.result.via.str.ptr, "pong", 4);
    assert_null(m.method);
    msgpack_zone_destroy(&z);
    tb_free(&b);
}

static void decode_rejects_message_that_is_not_an_array(void **state)
{
    msgpack_zone z;
    proto_msg_t m;
    knoop_error_t err;

    (void)state;
    assert_int_equal(decode(&z, "\x81\xa1k\x01", 4, &m, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "message: expected array, got map");
    assert_false(m.msgid_known);
    msgpack_zone_destroy(&z);
    assert_int_equal(decode(&z, "\x90", 1, &m, &err), KNOOP_EINVAL);
    msgpack_zone_destroy(&z);
}

static void decode_rejects_wrong_size_but_knows_the_msgid(void **state)
{
    msgpack_zone z;
    proto_msg_t m;
    knoop_error_t err;

    (void)state;
    /* [0, 9, "ping"]: a request without params. */
    assert_int_equal(decode(&z, "\x93\x00\x09\xa4ping", 8, &m, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "request: expected 4 elements, got 3");
    assert_true(m.msgid_known);
    assert_int_equal(m.msgid, 9);
    msgpack_zone_destroy(&z);
    /* [2, "log", [], 1]: a notification with 4 elements. */
    assert_int_equal(decode(&z, "\x94\x02\xa3log\x90\x01", 8, &m, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "notification: expected 3 elements, got 4");
    msgpack_zone_destroy(&z);
}

static void decode_rejects_unknown_type(void **state)
{
    msgpack_zone z;
    proto_msg_t m;
    knoop_error_t err;

    (void)state;
    assert_int_equal(decode(&z, "\x94\x05\x01\xa1m\x90", 6, &m, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "message: type: expected 0, 1 or 2, got 5");
    assert_false(m.msgid_known);
    msgpack_zone_destroy(&z);
    assert_int_equal(decode(&z, "\x94\xa1x\x01\xa1m\x90", 7, &m, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "message: type: expected 0, 1 or 2, got string");
    msgpack_zone_destroy(&z);
}

static void decode_rejects_bad_msgid(void **state)
{
    msgpack_zone z;
    proto_msg_t m;
    knoop_error_t err;

    (void)state;
    assert_int_equal(decode(&z, "\x94\x00\xff\xa1m\x90", 6, &m, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "request: msgid: expected unsigned integer, got negative integer");
    assert_false(m.msgid_known);
    msgpack_zone_destroy(&z);

    assert_int_equal(decode(&z, "\x94\x00\xa1x\xa1m\x90", 7, &m, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "request: msgid: expected unsigned integer, got string");
    msgpack_zone_destroy(&z);

    /* 2^32 does not fit; 2^32 - 1 does. */
    assert_int_equal(
        decode(&z, "\x94\x00\xcf\x00\x00\x00\x01\x00\x00\x00\x00\xa1m\x90", 14, &m, &err),
        KNOOP_EINVAL);
    assert_msg_has(&err, "request: msgid: 4294967296 is larger");
    assert_false(m.msgid_known);
    msgpack_zone_destroy(&z);
    assert_int_equal(decode(&z, "\x94\x00\xce\xff\xff\xff\xff\xa1m\x90", 10, &m, &err), 0);
    assert_int_equal(m.msgid, UINT32_MAX);
    msgpack_zone_destroy(&z);
}

static void decode_rejects_method_that_is_not_a_string(void **state)
{
    msgpack_zone z;
    proto_msg_t m;
    knoop_error_t err;

    (void)state;
    assert_int_equal(decode(&z, "\x94\x00\x01\x07\x90", 5, &m, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "request: method: expected string, got unsigned integer");
    assert_true(m.msgid_known);
    assert_int_equal(m.msgid, 1);
    msgpack_zone_destroy(&z);
    assert_int_equal(decode(&z, "\x94\x00\x01\xa0\x90", 5, &m, &err), KNOOP_EINVAL);
    assert_msg_has(&err, "request: method: expected a method name");
    msgpack_zone_destroy(&z);
}

static void decode_method_at_name_limit_accepted_one_past_rejected(void **state)
{
    char name[KNOOP_MAX_NAME_BYTES + 2];
    tbuf_t b;
    msgpack_zone z;
    proto_msg_t m;
    knoop_error_t err;

    (void)state;
    memset(name, 'm', sizeof(name));
    name[KNOOP_MAX_NAME_BYTES] = '\0';
    tb_init(&b);
    assert_int_equal(proto_pack_request(&b.pk, 1, name), 0);
    msgpack_pack_array(&b.pk, 0);
    assert_int_equal(decode(&z, b.sb.data, b.sb.size, &m, &err), 0);
    assert_int_equal(m.method_len, KNOOP_MAX_NAME_BYTES);
    msgpack_zone_destroy(&z);
    tb_free(&b);

    name[KNOOP_MAX_NAME_BYTES] = 'm';
    name[KNOOP_MAX_NAME_BYTES + 1] = '\0';
    tb_init(&b);
    assert_int_equal(proto_pack_request(&b.pk, 1, name), 0);
    msgpack_pack_array(&b.pk, 0);
    assert_int_equal(decode(&z, b.sb.data, b.sb.size, &m, &err), KNOOP_EINVAL);
    assert_msg_has(&err, "request: method: longer than 256 bytes: 'mmm");
    assert_msg_has(&err, "'...");
    assert_true(m.msgid_known);
    msgpack_zone_destroy(&z);
    tb_free(&b);
}

static void decode_rejects_params_that_are_a_map(void **state)
{
    msgpack_zone z;
    proto_msg_t m;
    knoop_error_t err;

    (void)state;
    assert_int_equal(decode(&z, "\x94\x00\x01\xa4ping\x80", 9, &m, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "request: params: expected array, got map");
    assert_true(m.msgid_known);
    msgpack_zone_destroy(&z);
}

static void decode_rejects_truncated_and_trailing_bytes(void **state)
{
    msgpack_zone z;
    proto_msg_t m;
    knoop_error_t err;

    (void)state;
    assert_int_equal(decode(&z, "\x94\x00\x01\xa4pi", 6, &m, &err), KNOOP_EINVAL);
    assert_msg_has(&err, "truncated");
    msgpack_zone_destroy(&z);
    assert_int_equal(decode(&z, "\x94\x00\x01\xa4ping\x90\x00", 10, &m, &err), KNOOP_EINVAL);
    assert_msg_has(&err, "1 unexpected bytes after offset 9");
    msgpack_zone_destroy(&z);
    assert_int_equal(decode(&z, "", 0, &m, &err), KNOOP_EINVAL);
    msgpack_zone_destroy(&z);
}

static void decode_refuses_huge_declared_array_without_allocating(void **state)
{
    /* [0, 1, "m", [<2^32-1 elements>]]: the ceiling check stops it before msgpack-c would
     * preallocate. */
    msgpack_zone z;
    proto_msg_t m;
    knoop_error_t err;

    (void)state;
    assert_int_equal(decode(&z, "\x94\x00\x01\xa1m\xdd\xff\xff\xff\xff", 10, &m, &err),
                     KNOOP_ETOOLARGE);
    msgpack_zone_destroy(&z);
    assert_int_equal(decode(&z, "\x94\x00\x01\xa1m\xc1", 6, &m, &err), KNOOP_EINVAL);
    assert_msg_has(&err, "0xc1 at offset 5");
    msgpack_zone_destroy(&z);
}

static void decode_strings_borrow_from_the_input_buffer(void **state)
{
    char buf[] = "\x94\x00\x01\xa4ping\x90";
    msgpack_zone z;
    proto_msg_t m;
    knoop_error_t err;

    (void)state;
    assert_int_equal(decode(&z, buf, sizeof(buf) - 1, &m, &err), 0);
    assert_ptr_equal(m.method, buf + 4);
    msgpack_zone_destroy(&z);
}

/* ---------------------------------------------------------------------------------------- */
/* params convention                                                                         */
/* ---------------------------------------------------------------------------------------- */

/* Unpacks raw bytes into an object in z. */
static msgpack_object unpack(msgpack_zone *z, const char *buf, size_t len)
{
    msgpack_object o;
    size_t off = 0;

    assert_true(msgpack_zone_init(z, 1024));
    assert_int_equal(msgpack_unpack(buf, len, &off, z, &o), MSGPACK_UNPACK_SUCCESS);
    return o;
}

static void params_map_accepts_one_map(void **state)
{
    msgpack_zone z;
    msgpack_object p, map;
    knoop_error_t err;

    (void)state;
    p = unpack(&z, "\x91\x81\xa2id\x2a", 6); /* [{"id": 42}] */
    assert_int_equal(proto_params_map(&p, &map, &err), 0);
    assert_int_equal(map.type, MSGPACK_OBJECT_MAP);
    assert_int_equal(map.via.map.size, 1);
    msgpack_zone_destroy(&z);

    p = unpack(&z, "\x91\x80", 2); /* [{}] */
    assert_int_equal(proto_params_map(&p, &map, &err), 0);
    assert_int_equal(map.via.map.size, 0);
    msgpack_zone_destroy(&z);
}

static void params_map_accepts_empty_array_as_empty_map(void **state)
{
    msgpack_zone z;
    msgpack_object p, map;
    knoop_error_t err;
    static const proto_param_spec_t spec[] = { { "at", PROTO_T_DATE, false }, PROTO_PARAM_END };

    (void)state;
    p = unpack(&z, "\x90", 1);
    assert_int_equal(proto_params_map(&p, &map, &err), 0);
    assert_int_equal(map.type, MSGPACK_OBJECT_MAP);
    assert_int_equal(map.via.map.size, 0);
    assert_int_equal(proto_params_check(&map, spec, &err), 0);
    assert_null(proto_param(&map, "at"));
    msgpack_zone_destroy(&z);
}

static void params_map_rejects_other_shapes(void **state)
{
    msgpack_zone z;
    msgpack_object p, map;
    knoop_error_t err;

    (void)state;
    p = unpack(&z, "\x91\x01", 2); /* [1] */
    assert_int_equal(proto_params_map(&p, &map, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg,
                        "params: expected [ {named parameters} ], got [ unsigned integer ]");
    assert_int_equal(map.type, MSGPACK_OBJECT_MAP);
    msgpack_zone_destroy(&z);

    p = unpack(&z, "\x92\x80\x80", 3); /* [{}, {}] */
    assert_int_equal(proto_params_map(&p, &map, &err), KNOOP_EINVAL);
    assert_msg_has(&err, "got an array of 2 elements");
    msgpack_zone_destroy(&z);

    p = unpack(&z, "\x80", 1); /* {} */
    assert_int_equal(proto_params_map(&p, &map, &err), KNOOP_EINVAL);
    assert_msg_has(&err, "got map");
    msgpack_zone_destroy(&z);
}

/* ---------------------------------------------------------------------------------------- */
/* Named parameters                                                                          */
/* ---------------------------------------------------------------------------------------- */

static const proto_param_spec_t node_spec[] = {
    { "id", PROTO_T_STR_OR_U64, true }, { "kind", PROTO_T_STR, false },
    { "limit", PROTO_T_U64, false },    { "offset", PROTO_T_I64, false },
    { "at", PROTO_T_DATE, false },      { "props", PROTO_T_MAP, false },
    { "tags", PROTO_T_ARRAY, false },   { "deep", PROTO_T_BOOL, false },
    { "extra", PROTO_T_ANY, false },    PROTO_PARAM_END,
};

/* Packs a one-pair map {key: <raw value bytes>} and unpacks it into z. */
static msgpack_object one_pair(msgpack_zone *z, tbuf_t *b, const char *key, const char *val,
                               size_t vlen)
{
    tb_init(b);
    msgpack_pack_map(&b->pk, 2);
    tb_str(b, "id");
    msgpack_pack_uint8(&b->pk, 1);
    tb_str(b, key);
    tb_raw(b, val, vlen);
    return unpack(z, b->sb.data, b->sb.size);
}

static int check_pair(const char *key, const char *val, size_t vlen, knoop_error_t *err)
{
    msgpack_zone z;
    tbuf_t b;
    msgpack_object map;
    int rc;

    map = one_pair(&z, &b, key, val, vlen);
    rc = proto_params_check(&map, node_spec, err);
    msgpack_zone_destroy(&z);
    tb_free(&b);
    return rc;
}

static void params_check_accepts_every_type(void **state)
{
    tbuf_t b;
    msgpack_zone z;
    msgpack_object map;
    knoop_error_t err;

    (void)state;
    tb_init(&b);
    msgpack_pack_map(&b.pk, 9);
    tb_str(&b, "id");
    tb_str(&b, "GM0034");
    tb_str(&b, "kind");
    tb_str(&b, "municipality");
    tb_str(&b, "limit");
    msgpack_pack_uint64(&b.pk, 10);
    tb_str(&b, "offset");
    msgpack_pack_int64(&b.pk, -5);
    tb_str(&b, "at");
    tb_str(&b, "2019-03-01");
    tb_str(&b, "props");
    msgpack_pack_map(&b.pk, 0);
    tb_str(&b, "tags");
    msgpack_pack_array(&b.pk, 0);
    tb_str(&b, "deep");
    msgpack_pack_true(&b.pk);
    tb_str(&b, "extra");
    msgpack_pack_double(&b.pk, 0.5);
    map = unpack(&z, b.sb.data, b.sb.size);
    assert_int_equal(proto_params_check(&map, node_spec, &err), 0);
    msgpack_zone_destroy(&z);
    tb_free(&b);
}

static void params_check_rejects_unknown_parameter(void **state)
{
    knoop_error_t err;

    (void)state;
    assert_int_equal(check_pair("idd", "\x01", 1, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "params: unknown parameter 'idd'");
}

static void params_check_rejects_missing_required(void **state)
{
    msgpack_zone z;
    msgpack_object map;
    knoop_error_t err;

    (void)state;
    map = unpack(&z, "\x81\xa4kind\xa1x", 8); /* {"kind": "x"} */
    assert_int_equal(proto_params_check(&map, node_spec, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "params.id: required");
    msgpack_zone_destroy(&z);
}

static void params_check_rejects_wrong_type_naming_the_value(void **state)
{
    msgpack_zone z;
    msgpack_object map;
    knoop_error_t err;

    (void)state;
    assert_int_equal(check_pair("limit",
                                "\xa3"
                                "abc",
                                4, &err),
                     KNOOP_EINVAL);
    assert_string_equal(err.msg, "params.limit: expected unsigned integer, got string 'abc'");
    assert_int_equal(check_pair("kind", "\x05", 1, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "params.kind: expected string, got unsigned integer 5");
    assert_int_equal(check_pair("limit", "\xfd", 1, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg,
                        "params.limit: expected unsigned integer, got negative integer -3");
    assert_int_equal(check_pair("deep", "\xa4true", 5, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "params.deep: expected boolean, got string 'true'");
    assert_int_equal(check_pair("props", "\x90", 1, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "params.props: expected map, got array");
    assert_int_equal(check_pair("tags", "\xc3", 1, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "params.tags: expected array, got boolean true");

    map = unpack(&z, "\x81\xa2id\xc3", 5); /* {"id": true} */
    assert_int_equal(proto_params_check(&map, node_spec, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg,
                        "params.id: expected string or unsigned integer, got boolean true");
    msgpack_zone_destroy(&z);
}

static void params_check_rejects_duplicate(void **state)
{
    knoop_error_t err;

    (void)state;
    assert_int_equal(check_pair("id", "\x02", 1, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "params: duplicate parameter 'id'");
}

static void params_check_treats_nil_as_absent(void **state)
{
    msgpack_zone z;
    msgpack_object map;
    knoop_error_t err;
    uint64_t u;

    (void)state;
    assert_int_equal(check_pair("limit", "\xc0", 1, &err), 0);
    map = unpack(&z, "\x81\xa2id\xc0", 5); /* {"id": nil} */
    assert_int_equal(proto_params_check(&map, node_spec, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "params.id: required");
    assert_null(proto_param(&map, "id"));
    assert_false(proto_param_u64(&map, "id", &u));
    msgpack_zone_destroy(&z);
}

static void params_check_date_shape(void **state)
{
    knoop_error_t err;

    (void)state;
    assert_int_equal(check_pair("at",
                                "\xaa"
                                "2019-03-01",
                                11, &err),
                     0);
    /* Shape only: the calendar is schema's job. */
    assert_int_equal(check_pair("at",
                                "\xaa"
                                "2019-13-01",
                                11, &err),
                     0);
    assert_int_equal(check_pair("at",
                                "\xa9"
                                "2019-3-01",
                                10, &err),
                     KNOOP_EINVAL);
    assert_string_equal(err.msg, "params.at: expected YYYY-MM-DD, got '2019-3-01'");
    assert_int_equal(check_pair("at",
                                "\xaa"
                                "2019/03/01",
                                11, &err),
                     KNOOP_EINVAL);
    assert_int_equal(check_pair("at",
                                "\xaa"
                                "20x9-03-01",
                                11, &err),
                     KNOOP_EINVAL);
    assert_int_equal(check_pair("at", "\xcd\x07\xe3", 3, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "params.at: expected YYYY-MM-DD, got unsigned integer 2019");
}

static void params_check_signed_range(void **state)
{
    knoop_error_t err;

    (void)state;
    assert_int_equal(check_pair("offset", "\xcf\x7f\xff\xff\xff\xff\xff\xff\xff", 9, &err), 0);
    assert_int_equal(check_pair("offset", "\xd3\x80\x00\x00\x00\x00\x00\x00\x00", 9, &err), 0);
    assert_int_equal(check_pair("offset", "\xcf\x80\x00\x00\x00\x00\x00\x00\x00", 9, &err),
                     KNOOP_EINVAL);
    assert_msg_has(&err, "params.offset: 9223372036854775808 is out of range");
}

static void params_check_rejects_non_string_key_and_non_map(void **state)
{
    msgpack_zone z;
    msgpack_object map;
    knoop_error_t err;

    (void)state;
    map = unpack(&z, "\x81\x01\x02", 3); /* {1: 2} */
    assert_int_equal(proto_params_check(&map, node_spec, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "params: parameter names must be strings, got unsigned integer");
    msgpack_zone_destroy(&z);
    map = unpack(&z, "\x90", 1);
    assert_int_equal(proto_params_check(&map, node_spec, &err), KNOOP_EINVAL);
    assert_string_equal(err.msg, "params: expected map, got array");
    msgpack_zone_destroy(&z);
    assert_int_equal(proto_params_check(NULL, node_spec, &err), KNOOP_EINVAL);
}

static void params_check_quotes_bad_input_escaped_and_capped(void **state)
{
    char key[201];
    knoop_error_t err;

    (void)state;
    memset(key, 'k', 200);
    key[0] = '\n';
    key[1] = '\'';
    key[200] = '\0';
    assert_int_equal(check_pair(key, "\x01", 1, &err), KNOOP_EINVAL);
    assert_msg_has(&err, "params: unknown parameter '\\n\\'kkk");
    assert_msg_has(&err, "kkk'...");
    /* 64 input bytes at most: the message stays short. */
    assert_true(strlen(err.msg) < 120);
}

static void params_lookup_helpers(void **state)
{
    tbuf_t b;
    msgpack_zone z;
    msgpack_object map;
    uint64_t u = 0;
    const char *s = NULL;
    size_t n = 0;
    bool flag = false;

    (void)state;
    tb_init(&b);
    msgpack_pack_map(&b.pk, 3);
    tb_str(&b, "limit");
    msgpack_pack_uint64(&b.pk, 12);
    tb_str(&b, "kind");
    tb_str(&b, "person");
    tb_str(&b, "deep");
    msgpack_pack_true(&b.pk);
    map = unpack(&z, b.sb.data, b.sb.size);

    assert_true(proto_param_u64(&map, "limit", &u));
    assert_int_equal(u, 12);
    assert_true(proto_param_str(&map, "kind", &s, &n));
    assert_int_equal(n, 6);
    assert_memory_equal(s, "person", 6);
    assert_true(proto_param_bool(&map, "deep", &flag));
    assert_true(flag);
    /* Absent, or of another type. */
    assert_null(proto_param(&map, "lim"));
    assert_false(proto_param_u64(&map, "kind", &u));
    assert_false(proto_param_str(&map, "limit", &s, &n));
    assert_false(proto_param_bool(&map, "missing", &flag));
    assert_null(proto_param(NULL, "limit"));
    msgpack_zone_destroy(&z);
    tb_free(&b);
}

static void type_names(void **state)
{
    msgpack_object o;

    (void)state;
    memset(&o, 0, sizeof(o));
    o.type = MSGPACK_OBJECT_POSITIVE_INTEGER;
    assert_string_equal(proto_type_name(&o), "unsigned integer");
    o.type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
    assert_string_equal(proto_type_name(&o), "negative integer");
    o.type = MSGPACK_OBJECT_FLOAT32;
    assert_string_equal(proto_type_name(&o), "float");
    o.type = MSGPACK_OBJECT_STR;
    assert_string_equal(proto_type_name(&o), "string");
    o.type = MSGPACK_OBJECT_BIN;
    assert_string_equal(proto_type_name(&o), "binary");
    o.type = MSGPACK_OBJECT_NIL;
    assert_string_equal(proto_type_name(&o), "nil");
    assert_string_equal(proto_type_name(NULL), "nothing");
}

/* ---------------------------------------------------------------------------------------- */
/* Encoding                                                                                  */
/* ---------------------------------------------------------------------------------------- */

static void pack_request_round_trips(void **state)
{
    tbuf_t b;
    msgpack_zone z;
    proto_msg_t m;
    knoop_error_t err;
    msgpack_object map;
    const char *s;
    size_t n;

    (void)state;
    tb_init(&b);
    pack_sample_request(&b, UINT32_MAX, "query.holders");
    assert_int_equal(scan_once(b.sb.data, b.sb.size, NULL, &err), (int)b.sb.size);
    assert_int_equal(decode(&z, b.sb.data, b.sb.size, &m, &err), 0);
    assert_int_equal(m.type, PROTO_REQUEST);
    assert_int_equal(m.msgid, UINT32_MAX);
    assert_int_equal(m.method_len, strlen("query.holders"));
    assert_memory_equal(m.method, "query.holders", m.method_len);
    assert_int_equal(proto_params_map(&m.params, &map, &err), 0);
    assert_true(proto_param_str(&map, "name", &s, &n));
    assert_memory_equal(s, "Almere", n);
    msgpack_zone_destroy(&z);
    tb_free(&b);
}

static void pack_response_err_round_trips_with_wire_code(void **state)
{
    tbuf_t b;
    msgpack_zone z;
    proto_msg_t m;
    knoop_error_t err;
    const char *s;
    size_t n;

    (void)state;
    tb_init(&b);
    assert_int_equal(proto_pack_response_err(&b.pk, 5, KNOOP_ENOMEM, "no room"), 0);
    assert_int_equal(decode(&z, b.sb.data, b.sb.size, &m, &err), 0);
    assert_int_equal(m.type, PROTO_RESPONSE);
    assert_int_equal(m.msgid, 5);
    assert_int_equal(m.result.type, MSGPACK_OBJECT_NIL);
    assert_int_equal(m.error.type, MSGPACK_OBJECT_MAP);
    /* ENOMEM is transient: clients see "unavailable". */
    assert_true(proto_param_str(&m.error, "code", &s, &n));
    assert_int_equal(knoop_err_from_wire(s, n), KNOOP_EUNAVAIL);
    assert_memory_equal(s, "unavailable", n);
    assert_true(proto_param_str(&m.error, "message", &s, &n));
    assert_memory_equal(s, "no room", n);
    msgpack_zone_destroy(&z);
    tb_free(&b);

    /* No message: the default text. */
    tb_init(&b);
    assert_int_equal(proto_pack_error_map(&b.pk, KNOOP_ENOTFOUND, NULL), 0);
    m.error = unpack(&z, b.sb.data, b.sb.size);
    assert_true(proto_param_str(&m.error, "code", &s, &n));
    assert_memory_equal(s, "not_found", n);
    assert_true(proto_param_str(&m.error, "message", &s, &n));
    assert_memory_equal(s, "not found", n);
    msgpack_zone_destroy(&z);
    tb_free(&b);
}

static void pack_str_null_is_nil(void **state)
{
    tbuf_t b;

    (void)state;
    tb_init(&b);
    assert_int_equal(proto_pack_str(&b.pk, NULL), 0);
    assert_int_equal(proto_pack_str(&b.pk, ""), 0);
    assert_int_equal(b.sb.size, 2);
    assert_memory_equal(b.sb.data, "\xc0\xa0", 2);
    tb_free(&b);
}

static int failing_write(void *data, const char *buf, size_t len)
{
    int *budget = data;

    (void)buf;
    if ((size_t)*budget < len)
        return -1;
    *budget -= (int)len;
    return 0;
}

static void pack_reports_enomem_when_the_writer_fails(void **state)
{
    msgpack_packer pk;
    int budget, i, rc;

    (void)state;
    /* Fail the write at every point of a complete error response. */
    for (i = 0; i < 100; i++) {
        budget = i;
        msgpack_packer_init(&pk, &budget, failing_write);
        rc = proto_pack_response_err(&pk, 1, KNOOP_EINVAL, "bad");
        if (rc == 0)
            break;
        assert_int_equal(rc, KNOOP_ENOMEM);
    }
    /* [1, 1, {"code": "invalid_argument", "message": "bad"}, nil] is 39 bytes. */
    assert_int_equal(i, 39);
    budget = 0;
    msgpack_packer_init(&pk, &budget, failing_write);
    assert_int_equal(proto_pack_request(&pk, 1, "ping"), KNOOP_ENOMEM);
    assert_int_equal(proto_pack_response_ok(&pk, 1), KNOOP_ENOMEM);
    assert_int_equal(proto_pack_str(&pk, NULL), KNOOP_ENOMEM);
}

static void peek_msgid_reads_every_unsigned_encoding(void **state)
{
    static const struct {
        const char *bytes;
        size_t len;
        uint32_t want;
    } cases[] = {
        { "\x94\x00\x07", 3, 7 },
        { "\x94\x00\xcc\xc8", 4, 200 },
        { "\x94\x00\xcd\x12\x34", 5, 0x1234 },
        { "\x94\x00\xce\xff\xff\xff\xff", 7, UINT32_MAX },
        { "\x94\x00\xcf\x00\x00\x00\x00\x00\x00\x01\x00", 11, 256 },
        /* Regression (fuzz_proto): signed encodings of a value >= 0, which proto_decode
         * accepts as a msgid, were not read. */
        { "\x94\x00\xd0\x02", 4, 2 },
        { "\x94\x00\xd1\x12\x34", 5, 0x1234 },
        { "\x94\x00\xd2\x7f\xff\xff\xff", 7, INT32_MAX },
        { "\x94\x00\xd3\x00\x00\x00\x00\xff\xff\xff\xff", 11, UINT32_MAX },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t id = 0;
        assert_true(proto_peek_msgid(cases[i].bytes, cases[i].len, &id));
        assert_int_equal(id, cases[i].want);
    }
}

static void peek_msgid_refuses_what_is_not_a_readable_request_id(void **state)
{
    uint32_t id = 99;
    (void)state;
    assert_false(proto_peek_msgid("\x94\x00", 2, &id));                     /* too short */
    assert_false(proto_peek_msgid("\x94\x01\x07", 3, &id));                 /* a response */
    assert_false(proto_peek_msgid("\x93\x00\x07", 3, &id));                 /* 3 elements */
    assert_false(proto_peek_msgid("\x94\x00\xcd\x12", 4, &id));             /* truncated id */
    assert_false(proto_peek_msgid("\x94\x00\xff", 3, &id));                 /* negative */
    assert_false(proto_peek_msgid("\x94\x00\xa1x", 4, &id));                /* a string */
    assert_false(proto_peek_msgid("\x94\x00\xd0\xff", 4, &id));             /* int8 -1 */
    assert_false(proto_peek_msgid("\x94\x00\xd2\x80\x00\x00\x00", 7, &id)); /* int32 < 0 */
    assert_false(proto_peek_msgid("\x94\x00\xd1\x12", 4, &id));             /* truncated int16 */
    assert_false(
        proto_peek_msgid("\x94\x00\xd3\x00\x00\x00\x01\x00\x00\x00\x00", 11, &id)); /* > 32 bit */
    assert_false(
        proto_peek_msgid("\x94\x00\xcf\x00\x00\x00\x01\x00\x00\x00\x00", 11, &id)); /* > 32 bit */
    assert_int_equal(id, 99);
}

/* ---- proto_read: the in-place cursor ---- */

/* Packs one of every format msgpack-c writes into sb. */
static void pack_every_format(msgpack_sbuffer *sb)
{
    msgpack_packer pk;
    static char big[70000];
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    memset(big, 'x', sizeof(big));
    msgpack_pack_array(&pk, 20);
    msgpack_pack_uint64(&pk, 5);                 /* positive fixint */
    msgpack_pack_uint64(&pk, 200);               /* uint8 */
    msgpack_pack_uint64(&pk, 60000);             /* uint16 */
    msgpack_pack_uint64(&pk, 4000000000u);       /* uint32 */
    msgpack_pack_uint64(&pk, UINT64_MAX);        /* uint64 */
    msgpack_pack_int64(&pk, -3);                 /* negative fixint */
    msgpack_pack_int64(&pk, -100);               /* int8 */
    msgpack_pack_int64(&pk, -30000);             /* int16 */
    msgpack_pack_int64(&pk, -2000000000);        /* int32 */
    msgpack_pack_int64(&pk, INT64_MIN);          /* int64 */
    msgpack_pack_str_with_body(&pk, big, 40);    /* str8 */
    msgpack_pack_str_with_body(&pk, big, 300);   /* str16 */
    msgpack_pack_str_with_body(&pk, big, 70000); /* str32 */
    msgpack_pack_bin_with_body(&pk, big, 3);
    msgpack_pack_ext_with_body(&pk, big, 4, 7); /* fixext 4 */
    msgpack_pack_ext_with_body(&pk, big, 5, 7); /* ext8 */
    msgpack_pack_double(&pk, 1.5);
    msgpack_pack_nil(&pk);
    msgpack_pack_true(&pk);
    msgpack_pack_map(&pk, 20); /* map16, with a nested array16 in one value */
    for (int i = 0; i < 20; i++) {
        msgpack_pack_uint64(&pk, (uint64_t)i);
        if (i == 3) {
            msgpack_pack_array(&pk, 17);
            for (int j = 0; j < 17; j++)
                msgpack_pack_str_with_body(&pk, "ab", 2);
        } else {
            msgpack_pack_nil(&pk);
        }
    }
}

static void read_gives_every_format_its_value(void **state)
{
    msgpack_sbuffer sb;
    proto_cursor_t c;
    proto_val_t v;
    (void)state;
    msgpack_sbuffer_init(&sb);
    pack_every_format(&sb);
    c = (proto_cursor_t){ (const unsigned char *)sb.data, (const unsigned char *)sb.data + sb.size,
                          false };
    assert_true(proto_read(&c, &v));
    assert_int_equal(v.type, PROTO_V_ARRAY);
    assert_int_equal(v.u, 20);
    const uint64_t u[] = { 5, 200, 60000, 4000000000u, UINT64_MAX };
    for (int i = 0; i < 5; i++) {
        assert_true(proto_read(&c, &v));
        assert_int_equal(v.type, PROTO_V_UINT);
        assert_true(v.u == u[i]);
    }
    const int64_t n[] = { -3, -100, -30000, -2000000000, INT64_MIN };
    for (int i = 0; i < 5; i++) {
        assert_true(proto_read(&c, &v));
        assert_int_equal(v.type, PROTO_V_INT);
        assert_true(v.i == n[i]);
    }
    const size_t len[] = { 40, 300, 70000 };
    for (int i = 0; i < 3; i++) {
        assert_true(proto_read(&c, &v));
        assert_int_equal(v.type, PROTO_V_STR);
        assert_int_equal(v.len, len[i]);
        assert_int_equal(v.s[0], 'x');
        assert_int_equal(v.s[len[i] - 1], 'x');
    }
    assert_true(proto_read(&c, &v));
    assert_int_equal(v.type, PROTO_V_BIN);
    assert_int_equal(v.len, 3);
    for (size_t l = 4; l <= 5; l++) {
        assert_true(proto_read(&c, &v));
        assert_int_equal(v.type, PROTO_V_EXT);
        assert_int_equal(v.len, l);
        assert_int_equal(v.s[0], 'x');
    }
    assert_true(proto_read(&c, &v));
    assert_int_equal(v.type, PROTO_V_FLOAT);
    assert_true(proto_read(&c, &v));
    assert_int_equal(v.type, PROTO_V_NIL);
    assert_true(proto_read(&c, &v));
    assert_int_equal(v.type, PROTO_V_BOOL);
    assert_int_equal(v.u, 1);
    assert_true(proto_read(&c, &v));
    assert_int_equal(v.type, PROTO_V_MAP);
    assert_int_equal(v.u, 20);
    for (int i = 0; i < 20; i++) {
        assert_true(proto_read(&c, &v));
        assert_int_equal(v.u, (uint64_t)i);
        assert_true(proto_skip(&c));
    }
    assert_ptr_equal(c.p, c.end);
    assert_false(c.bad);
    msgpack_sbuffer_destroy(&sb);
}

/* A skip of the whole message ends exactly where it ends; any shorter copy of it (in a buffer
 * of its own size, so that ASan sees a read past it) is bad, never read beyond. */
static void skip_stops_at_the_end_and_a_cut_message_is_bad(void **state)
{
    msgpack_sbuffer sb;
    proto_cursor_t c;
    (void)state;
    msgpack_sbuffer_init(&sb);
    pack_every_format(&sb);
    c = (proto_cursor_t){ (const unsigned char *)sb.data, (const unsigned char *)sb.data + sb.size,
                          false };
    assert_true(proto_skip(&c));
    assert_ptr_equal(c.p, c.end);
    for (size_t cut = 0; cut < sb.size; cut += cut < 400 ? 1 : 997) {
        unsigned char *copy = malloc(cut ? cut : 1);
        assert_non_null(copy);
        memcpy(copy, sb.data, cut);
        c = (proto_cursor_t){ copy, copy + cut, false };
        assert_false(proto_skip(&c));
        assert_true(c.bad);
        assert_true(c.p <= c.end);
        free(copy);
    }
    msgpack_sbuffer_destroy(&sb);
}

static void read_refuses_the_unused_code(void **state)
{
    const unsigned char b[] = { 0x92, 0x01, 0xc1 };
    proto_cursor_t c = { b, b + sizeof(b), false };
    proto_val_t v;
    (void)state;
    assert_false(proto_skip(&c));
    assert_true(c.bad);
    assert_false(proto_read(&c, &v)); /* and stays bad */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_gives_every_format_its_value),
        cmocka_unit_test(skip_stops_at_the_end_and_a_cut_message_is_bad),
        cmocka_unit_test(read_refuses_the_unused_code),
        cmocka_unit_test(scan_finds_boundaries_of_two_pipelined_messages),
        cmocka_unit_test(scan_byte_by_byte_gives_same_length),
        cmocka_unit_test(scan_truncated_message_returns_zero),
        cmocka_unit_test(scan_length_matches_msgpack_for_every_format),
        cmocka_unit_test(scan_resumes_without_rereading_the_prefix),
        cmocka_unit_test(scan_top_level_scalar_is_a_message),
        cmocka_unit_test(scan_message_at_max_message_accepted_one_past_rejected),
        cmocka_unit_test(scan_over_max_message_rejected_while_bytes_arrive),
        cmocka_unit_test(scan_huge_declared_array_rejected_from_its_header),
        cmocka_unit_test(scan_entries_at_limit_accepted_one_past_rejected),
        cmocka_unit_test(scan_depth_at_limit_accepted_one_past_rejected),
        cmocka_unit_test(scan_depth_33_rejected_even_when_configured_higher),
        cmocka_unit_test(msgpack_c_decodes_depth_32_and_fails_depth_33_as_nomem),
        cmocka_unit_test(scan_byte_c1_rejected_with_offset),
        cmocka_unit_test(scan_str32_over_max_string_rejected_before_payload),
        cmocka_unit_test(scan_string_bin_ext_at_max_string_accepted_one_past_rejected),
        cmocka_unit_test(scan_declared_string_over_max_message_rejected_early),
        cmocka_unit_test(scan_container_needing_more_bytes_than_allowed_rejected_early),
        cmocka_unit_test(scan_error_resets_the_scanner),
        cmocka_unit_test(decode_good_request),
        cmocka_unit_test(decode_good_notification),
        cmocka_unit_test(decode_good_response),
        cmocka_unit_test(decode_rejects_message_that_is_not_an_array),
        cmocka_unit_test(decode_rejects_wrong_size_but_knows_the_msgid),
        cmocka_unit_test(decode_rejects_unknown_type),
        cmocka_unit_test(decode_rejects_bad_msgid),
        cmocka_unit_test(decode_rejects_method_that_is_not_a_string),
        cmocka_unit_test(decode_method_at_name_limit_accepted_one_past_rejected),
        cmocka_unit_test(decode_rejects_params_that_are_a_map),
        cmocka_unit_test(decode_rejects_truncated_and_trailing_bytes),
        cmocka_unit_test(decode_refuses_huge_declared_array_without_allocating),
        cmocka_unit_test(decode_strings_borrow_from_the_input_buffer),
        cmocka_unit_test(params_map_accepts_one_map),
        cmocka_unit_test(params_map_accepts_empty_array_as_empty_map),
        cmocka_unit_test(params_map_rejects_other_shapes),
        cmocka_unit_test(params_check_accepts_every_type),
        cmocka_unit_test(params_check_rejects_unknown_parameter),
        cmocka_unit_test(params_check_rejects_missing_required),
        cmocka_unit_test(params_check_rejects_wrong_type_naming_the_value),
        cmocka_unit_test(params_check_rejects_duplicate),
        cmocka_unit_test(params_check_treats_nil_as_absent),
        cmocka_unit_test(params_check_date_shape),
        cmocka_unit_test(params_check_signed_range),
        cmocka_unit_test(params_check_rejects_non_string_key_and_non_map),
        cmocka_unit_test(params_check_quotes_bad_input_escaped_and_capped),
        cmocka_unit_test(params_lookup_helpers),
        cmocka_unit_test(type_names),
        cmocka_unit_test(pack_request_round_trips),
        cmocka_unit_test(pack_response_err_round_trips_with_wire_code),
        cmocka_unit_test(pack_str_null_is_nil),
        cmocka_unit_test(pack_reports_enomem_when_the_writer_fails),
        cmocka_unit_test(peek_msgid_reads_every_unsigned_encoding),
        cmocka_unit_test(peek_msgid_refuses_what_is_not_a_readable_request_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
