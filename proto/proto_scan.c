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
 *
 * The same file reads a message the server itself packed (proto_read, proto_skip): one value at a
 * time, in place. msgpack-c's unpacker builds a tree of objects in a zone before anything can be
 * looked at; to find a few keys in an answer that is most of the cost. Each length is checked
 * against what is left before it is used, so even bytes that are not what they claim are never
 * read out of bounds.
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

/* ---- the in-place cursor (proto.h: proto_read) ---- */

/* Takes n bytes at the cursor into *at; false (and c->bad) when fewer are left. */
static bool read_take(proto_cursor_t *c, uint64_t n, const unsigned char **at)
{
    if (c->bad || n > (uint64_t)(c->end - c->p)) {
        c->bad = true;
        return false;
    }
    *at = c->p;
    c->p += n;
    return true;
}

/* A length of n (1, 2 or 4) big-endian bytes into *len. */
static bool read_len(proto_cursor_t *c, unsigned n, uint64_t *len)
{
    const unsigned char *at;
    if (!read_take(c, n, &at))
        return false;
    *len = scan_be(at, n);
    return true;
}

/* A body of len bytes after `skip` bytes (an ext's type byte) into v, as type. */
static bool read_bytes(proto_cursor_t *c, proto_val_t *v, proto_vtype_t type, unsigned skip,
                       uint64_t len)
{
    const unsigned char *at;
    if (!read_take(c, skip, &at) || !read_take(c, len, &at))
        return false;
    v->type = type;
    v->s = (const char *)at;
    v->len = (size_t)len;
    return true;
}

/* A number of n bytes into v: unsigned, or signed (negative ones as PROTO_V_INT). */
static bool read_num(proto_cursor_t *c, proto_val_t *v, unsigned n, bool is_signed)
{
    const unsigned char *at;
    uint64_t u;
    if (!read_take(c, n, &at))
        return false;
    u = scan_be(at, n);
    if (is_signed && n < 8 && (u >> (8 * n - 1)) != 0)
        u |= ~0ull << (8 * n); /* sign-extend */
    if (is_signed && (int64_t)u < 0) {
        v->type = PROTO_V_INT;
        v->i = (int64_t)u;
    } else {
        v->type = PROTO_V_UINT;
        v->u = u;
    }
    return true;
}

bool proto_read(proto_cursor_t *c, proto_val_t *v)
{
    const unsigned char *at;
    uint64_t len;
    unsigned b;
    memset(v, 0, sizeof(*v));
    if (!read_take(c, 1, &at))
        return false;
    b = *at;
    if (b <= 0x7f) {
        v->type = PROTO_V_UINT;
        v->u = b;
        return true;
    }
    if (b >= 0xe0) {
        v->type = PROTO_V_INT;
        v->i = (int8_t)b;
        return true;
    }
    if (b >= 0xa0 && b <= 0xbf)
        return read_bytes(c, v, PROTO_V_STR, 0, b & 0x1f);
    if (b >= 0x90 && b <= 0x9f) {
        v->type = PROTO_V_ARRAY;
        v->u = b & 0x0f;
        return true;
    }
    if (b >= 0x80 && b <= 0x8f) {
        v->type = PROTO_V_MAP;
        v->u = b & 0x0f;
        return true;
    }
    switch (b) {
    case 0xc0:
        v->type = PROTO_V_NIL;
        return true;
    case 0xc2:
    case 0xc3:
        v->type = PROTO_V_BOOL;
        v->u = b == 0xc3;
        return true;
    case 0xc4:
    case 0xc5:
    case 0xc6:
        return read_len(c, 1u << (b - 0xc4), &len) && read_bytes(c, v, PROTO_V_BIN, 0, len);
    case 0xc7:
    case 0xc8:
    case 0xc9:
        /* ext: length, type byte, body (the type byte is left out of v). */
        return read_len(c, 1u << (b - 0xc7), &len) && read_bytes(c, v, PROTO_V_EXT, 1, len);
    case 0xca:
    case 0xcb:
        v->type = PROTO_V_FLOAT;
        return read_take(c, b == 0xca ? 4 : 8, &at);
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
        return read_num(c, v, 1u << (b - 0xcc), false);
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3:
        return read_num(c, v, 1u << (b - 0xd0), true);
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
        /* fixext 1..16: type byte, body */
        return read_bytes(c, v, PROTO_V_EXT, 1, (uint64_t)1 << (b - 0xd4));
    case 0xd9:
    case 0xda:
    case 0xdb:
        return read_len(c, 1u << (b - 0xd9), &len) && read_bytes(c, v, PROTO_V_STR, 0, len);
    case 0xdc:
    case 0xdd:
        v->type = PROTO_V_ARRAY;
        return read_len(c, b == 0xdc ? 2 : 4, &v->u);
    case 0xde:
    case 0xdf:
        v->type = PROTO_V_MAP;
        return read_len(c, b == 0xde ? 2 : 4, &v->u);
    default: /* 0xc1: never used */
        c->bad = true;
        return false;
    }
}

bool proto_skip(proto_cursor_t *c)
{
    uint64_t pending = 1;
    proto_val_t v;
    while (pending > 0) {
        if (!proto_read(c, &v))
            return false;
        pending--;
        if (v.type == PROTO_V_ARRAY)
            pending += v.u;
        else if (v.type == PROTO_V_MAP)
            pending += 2 * v.u;
    }
    return true;
}
