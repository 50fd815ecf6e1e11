/*
 * proto_read.c - an allocation-free cursor over packed MessagePack (layer: proto).
 *
 * msgpack-c's unpacker builds a tree of objects in a zone before anything can be looked at; to
 * find a few keys in an answer the server has just packed, that is most of the cost. This reads
 * one header at a time straight from the bytes, checking each length against what is left
 * before it is used, so that even bytes that are not what they claim never read out of bounds.
 */
#include "proto.h"

/* The n-byte (1, 2, 4 or 8) big-endian number at p. */
static uint64_t read_be(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

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

/* A length of n bytes, then a body of that length (str, bin) into v. */
static bool read_body(proto_cursor_t *c, proto_val_t *v, unsigned n, proto_vtype_t type)
{
    const unsigned char *at;
    if (!read_take(c, n, &at))
        return false;
    v->type = type;
    v->len = (size_t)read_be(at, n);
    if (!read_take(c, v->len, &at))
        return false;
    v->s = (const char *)at;
    return true;
}

/* A number of n bytes into v: unsigned, or signed (negative ones as PROTO_V_INT). */
static bool read_num(proto_cursor_t *c, proto_val_t *v, unsigned n, bool is_signed)
{
    const unsigned char *at;
    uint64_t u;
    if (!read_take(c, n, &at))
        return false;
    u = read_be(at, n);
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

/* A container's count of n bytes. */
static bool read_count(proto_cursor_t *c, proto_val_t *v, unsigned n, proto_vtype_t type)
{
    const unsigned char *at;
    if (!read_take(c, n, &at))
        return false;
    v->type = type;
    v->u = read_be(at, n);
    return true;
}

bool proto_read(proto_cursor_t *c, proto_val_t *v)
{
    const unsigned char *at;
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
    if (b >= 0xa0 && b <= 0xbf) {
        v->type = PROTO_V_STR;
        v->len = b & 0x1f;
        if (!read_take(c, v->len, &at))
            return false;
        v->s = (const char *)at;
        return true;
    }
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
        return read_body(c, v, 1u << (b - 0xc4), PROTO_V_BIN);
    case 0xc7:
    case 0xc8:
    case 0xc9:
        /* ext: length, type byte, body (the type byte is left out of v). */
        if (!read_take(c, 1u << (b - 0xc7), &at))
            return false;
        v->type = PROTO_V_EXT;
        v->len = (size_t)read_be(at, 1u << (b - 0xc7));
        if (!read_take(c, 1, &at) || !read_take(c, v->len, &at))
            return false;
        v->s = (const char *)at;
        return true;
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
        v->type = PROTO_V_EXT;
        v->len = (size_t)1 << (b - 0xd4);
        if (!read_take(c, 1, &at) || !read_take(c, v->len, &at))
            return false;
        v->s = (const char *)at;
        return true;
    case 0xd9:
    case 0xda:
    case 0xdb:
        return read_body(c, v, 1u << (b - 0xd9), PROTO_V_STR);
    case 0xdc:
    case 0xdd:
        return read_count(c, v, b == 0xdc ? 2 : 4, PROTO_V_ARRAY);
    case 0xde:
    case 0xdf:
        return read_count(c, v, b == 0xde ? 2 : 4, PROTO_V_MAP);
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
