/*
 * fuzz_proto.c - libFuzzer target for the proto layer (layer: tests, for proto).
 *
 * Feeds the input to the frame scanner as a stream, in chunks whose sizes come from the input
 * itself, the way a network loop would, and decodes every message the scanner delimits: the
 * envelope, the params convention, a parameter spec and the lookup helpers. Any crash, leak,
 * sanitizer report or broken invariant (asserted below) is a bug.
 *
 * Also checked: proto_peek_msgid agrees with the decoder on every decoded request in the usual
 * encoding.
 *
 * Built by CMake with -DKNOOP_FUZZ=ON (tests/fuzz/README.md).
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const proto_param_spec_t fuzz_spec[] = {
    { "id", PROTO_T_STR_OR_U64, true }, { "kind", PROTO_T_STR, false },
    { "limit", PROTO_T_U64, false },    { "offset", PROTO_T_I64, false },
    { "at", PROTO_T_DATE, false },      { "props", PROTO_T_MAP, false },
    { "tags", PROTO_T_ARRAY, false },   { "deep", PROTO_T_BOOL, false },
    { "extra", PROTO_T_ANY, false },    PROTO_PARAM_END,
};

static void fuzz_message(const char *buf, size_t len)
{
    msgpack_zone zone;
    proto_msg_t msg;
    msgpack_object map;
    knoop_error_t err;
    uint64_t u;
    const char *s;
    size_t n;
    bool b;
    int rc;

    uint32_t peeked;

    if (!msgpack_zone_init(&zone, 2048))
        return;
    rc = proto_decode(buf, len, &zone, &msg, &err);
    /* peek reads the usual encoding, [0x94, 0x00, msgid, ...]. */
    if (rc == 0 && msg.type == PROTO_REQUEST && (uint8_t)buf[0] == 0x94 && buf[1] == 0)
        assert(proto_peek_msgid(buf, len, &peeked) && peeked == msg.msgid);
    /* The scanner delimited it with tighter limits than the decoder's ceilings. */
    assert(rc == 0 || rc == KNOOP_EINVAL || rc == KNOOP_ENOMEM);
    assert(rc != 0 || msg.type != PROTO_REQUEST || msg.msgid_known);
    if (rc == 0 && msg.type != PROTO_RESPONSE) {
        assert(msg.method_len >= 1 && msg.method_len <= KNOOP_MAX_NAME_BYTES);
        if (proto_params_map(&msg.params, &map, &err) == 0) {
            (void)proto_params_check(&map, fuzz_spec, &err);
            (void)proto_param_u64(&map, "limit", &u);
            (void)proto_param_str(&map, "kind", &s, &n);
            (void)proto_param_bool(&map, "deep", &b);
            (void)proto_type_name(proto_param(&map, "extra"));
        }
    }
    if (rc == 0 && msg.type == PROTO_RESPONSE)
        (void)proto_params_check(&msg.error, fuzz_spec, &err);
    msgpack_zone_destroy(&zone);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    proto_limits_t lim;
    proto_scanner_t sc;
    knoop_error_t err;
    const char *buf;
    size_t start = 0, avail, step;
    int rc;

    if (size < 1)
        return 0;
    /* The first byte picks the chunk size and whether limits are tight. */
    step = (size_t)(data[0] & 0x3f) + 1;
    proto_limits_default(&lim);
    if (data[0] & 0x40) {
        lim.max_message = 512;
        lim.max_string = 64;
        lim.max_entries = 16;
        lim.max_depth = 4;
    } else if (data[0] & 0x80) {
        lim.max_depth = 1000; /* above the ceiling: must act as KNOOP_MAX_DEPTH */
    }
    buf = (const char *)data + 1;
    size -= 1;

    proto_scanner_init(&sc);
    avail = 0;
    while (start < size) {
        avail = avail + step > size - start ? size - start : avail + step;
        rc = proto_scan(&sc, buf + start, avail, &lim, &err);
        if (rc < 0) {
            assert(rc == KNOOP_EINVAL || rc == KNOOP_ETOOLARGE);
            break;
        }
        if (rc == 0) {
            if (avail == size - start)
                break; /* truncated at the end of the input */
            continue;
        }
        assert((size_t)rc <= avail && (uint32_t)rc <= lim.max_message);
        fuzz_message(buf + start, (size_t)rc);
        start += (size_t)rc;
        avail = 0;
    }
    return 0;
}
