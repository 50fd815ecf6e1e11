/*
 * proto_scan.c - the resumable, allocation-free MessagePack frame scanner (layer: proto).
 *
 * The network loop cannot hand bytes to msgpack-c as they arrive: msgpack-c allocates a
 * declared array's full size up front (src/unpack.c), so a 5-byte header 0xdd ffffffff asks for
 * 100 GB, and it reports nesting deeper than 32 as an out-of-memory error. This scanner walks
 * the headers only, checking each declared length and the nesting depth against the limits
 * before any payload is needed, and reports where the first complete message ends. Like
 * nginx's ngx_http_parse_request_line it keeps its position between calls, so a message split
 * over many reads is scanned once: O(n) in its length.
 */
#include "proto.h"

#include <string.h>

/* What a header introduces. */
enum { SCAN_SCALAR, SCAN_STR, SCAN_BIN, SCAN_EXT, SCAN_ARRAY, SCAN_MAP };

static const char *scan_kind_name(int kind)
{
    switch (kind) {
    case SCAN_STR:
        return "string";
    case SCAN_BIN:
        return "binary";
    case SCAN_EXT:
        return "extension";
    case SCAN_ARRAY:
        return "array";
    case SCAN_MAP:
        return "map";
    default:
        return "value";
    }
}

/* Reads an n-byte (1, 2 or 4) big-endian length. */
static uint64_t scan_be(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

static uint32_t scan_cap(uint32_t v, uint32_t ceiling)
{
    return v > ceiling ? ceiling : v;
}

void proto_limits_default(proto_limits_t *l)
{
    l->max_message = KNOOP_DEFAULT_MESSAGE_BYTES;
    l->max_depth = KNOOP_DEFAULT_DEPTH;
    l->max_string = KNOOP_DEFAULT_STRING_BYTES;
    l->max_entries = KNOOP_DEFAULT_CONTAINER_ENTRIES;
}

void proto_scanner_init(proto_scanner_t *s)
{
    memset(s, 0, sizeof(*s));
}

/* The scan itself; proto_scan() resets s after an error. */
static int scan_run(proto_scanner_t *s, const unsigned char *p, size_t len, const proto_limits_t *l,
                    knoop_error_t *err)
{
    uint32_t max_message, max_depth, max_string, max_entries;

    /* The stack has KNOOP_MAX_DEPTH levels: capping the depth keeps the scanner in bounds
     * whatever the caller configured. */
    max_message = scan_cap(l->max_message, KNOOP_MAX_MESSAGE_BYTES);
    max_depth = scan_cap(l->max_depth, KNOOP_MAX_DEPTH);
    max_string = scan_cap(l->max_string, KNOOP_MAX_STRING_BYTES);
    max_entries = scan_cap(l->max_entries, KNOOP_MAX_CONTAINER_ENTRIES);

    for (;;) {
        uint64_t at, hdr, body = 0, count = 0, children = 0, rest, need;
        unsigned lenbytes = 0;
        unsigned b;
        int kind = SCAN_SCALAR;

        if (s->done) {
            /* Every header is accounted for; wait for the tail of the last payload. */
            if (s->pos > len)
                return 0;
            need = s->pos;
            proto_scanner_init(s);
            return (int)need;
        }
        if (s->pos >= len)
            return 0;

        at = s->pos;
        b = p[at];
        hdr = 1;
        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
            /* fixint, nil, false, true: the whole item is this byte. */
        } else if (b <= 0x8f) {
            kind = SCAN_MAP;
            count = b & 0x0f;
        } else if (b <= 0x9f) {
            kind = SCAN_ARRAY;
            count = b & 0x0f;
        } else if (b <= 0xbf) {
            kind = SCAN_STR;
            body = b & 0x1f;
        } else {
            switch (b) {
            case 0xc1:
                return knoop_error_set(err, KNOOP_EINVAL,
                                       "message: invalid byte 0xc1 at offset %llu",
                                       (unsigned long long)at);
            case 0xc4: /* bin 8, 16, 32 */
            case 0xc5:
            case 0xc6:
                kind = SCAN_BIN;
                lenbytes = 1u << (b - 0xc4);
                hdr = 1 + lenbytes;
                break;
            case 0xc7: /* ext 8, 16, 32: length, then a type byte, then the data */
            case 0xc8:
            case 0xc9:
                kind = SCAN_EXT;
                lenbytes = 1u << (b - 0xc7);
                hdr = 2 + lenbytes;
                break;
            case 0xca: /* float 32, 64 */
                body = 4;
                break;
            case 0xcb:
                body = 8;
                break;
            case 0xcc: /* uint 8..64, int 8..64 */
            case 0xcd:
            case 0xce:
            case 0xcf:
                body = 1u << (b - 0xcc);
                break;
            case 0xd0:
            case 0xd1:
            case 0xd2:
            case 0xd3:
                body = 1u << (b - 0xd0);
                break;
            case 0xd4: /* fixext 1..16: a type byte, then the data */
            case 0xd5:
            case 0xd6:
            case 0xd7:
            case 0xd8:
                kind = SCAN_EXT;
                hdr = 2;
                body = 1u << (b - 0xd4);
                break;
            case 0xd9: /* str 8, 16, 32 */
            case 0xda:
            case 0xdb:
                kind = SCAN_STR;
                lenbytes = 1u << (b - 0xd9);
                hdr = 1 + lenbytes;
                break;
            case 0xdc: /* array 16, 32 */
            case 0xdd:
                kind = SCAN_ARRAY;
                lenbytes = 2u << (b - 0xdc);
                hdr = 1 + lenbytes;
                break;
            case 0xde: /* map 16, 32 */
            case 0xdf:
                kind = SCAN_MAP;
                lenbytes = 2u << (b - 0xde);
                hdr = 1 + lenbytes;
                break;
            default:
                /* Every byte value is handled above. */
                if (KNOOP_NEVER(1))
                    return knoop_error_set(err, KNOOP_EINTERNAL,
                                           "message: scanner lost at offset %llu",
                                           (unsigned long long)at);
            }
            if (lenbytes != 0) {
                /* The length field must be here; the payload need not be. */
                if (len - at < 1 + lenbytes)
                    return 0;
                if (kind == SCAN_ARRAY || kind == SCAN_MAP)
                    count = scan_be(p + at + 1, lenbytes);
                else
                    body = scan_be(p + at + 1, lenbytes);
            }
        }

        /* Check what the header declares before accepting it. */
        if ((kind == SCAN_STR || kind == SCAN_BIN || kind == SCAN_EXT) && body > max_string)
            return knoop_error_set(err, KNOOP_ETOOLARGE,
                                   "message: %s of %llu bytes at offset %llu exceeds the limit of "
                                   "%llu bytes",
                                   scan_kind_name(kind), (unsigned long long)body,
                                   (unsigned long long)at, (unsigned long long)max_string);
        if (kind == SCAN_ARRAY || kind == SCAN_MAP) {
            if (count > max_entries)
                return knoop_error_set(err, KNOOP_ETOOLARGE,
                                       "message: %s of %llu entries at offset %llu exceeds the "
                                       "limit of %llu entries",
                                       scan_kind_name(kind), (unsigned long long)count,
                                       (unsigned long long)at, (unsigned long long)max_entries);
            if (s->depth + 1 > max_depth)
                return knoop_error_set(err, KNOOP_EINVAL,
                                       "message: nesting deeper than %llu levels at offset "
                                       "%llu",
                                       (unsigned long long)max_depth, (unsigned long long)at);
            children = kind == SCAN_MAP ? 2 * count : count;
        }
        /* The least the message can still grow to: this item, one byte for each of its
         * children, one for each item its open containers still expect. */
        rest = s->pending - (s->depth > 0 ? 1 : 0);
        need = at + hdr + body + children + rest;
        if (need > max_message) {
            if (kind == SCAN_SCALAR)
                return knoop_error_set(
                    err, KNOOP_ETOOLARGE,
                    "message: longer than the limit of %llu bytes (value at offset "
                    "%llu)",
                    (unsigned long long)max_message, (unsigned long long)at);
            return knoop_error_set(err, KNOOP_ETOOLARGE,
                                   "message: %s at offset %llu makes it at least %llu bytes, over "
                                   "the limit of %llu",
                                   scan_kind_name(kind), (unsigned long long)at,
                                   (unsigned long long)need, (unsigned long long)max_message);
        }

        /* Accept it: take its slot in the enclosing container, skip its payload. */
        if (s->depth > 0) {
            s->stack[s->depth - 1]--;
            s->pending--;
        }
        s->pos = at + hdr + body;
        if (children > 0) {
            s->stack[s->depth++] = children;
            s->pending += children;
            continue;
        }
        /* A complete item: close every container it completes. */
        while (s->depth > 0 && s->stack[s->depth - 1] == 0)
            s->depth--;
        if (s->depth == 0)
            s->done = true;
    }
}

int proto_scan(proto_scanner_t *s, const char *buf, size_t len, const proto_limits_t *l,
               knoop_error_t *err)
{
    proto_limits_t def;
    int rc;

    if (l == NULL) {
        proto_limits_default(&def);
        l = &def;
    }
    rc = scan_run(s, (const unsigned char *)buf, len, l, err);
    if (rc < 0)
        proto_scanner_init(s);
    return rc;
}
