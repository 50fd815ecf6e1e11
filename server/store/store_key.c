/*
 * store_key.c - fixed-width big-endian encoding of keys and record fields (layer: store).
 * See store_int.h for the layout these build.
 */
#include <string.h>

#include "store_int.h"

void store_put_u16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

void store_put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

void store_put_u64(unsigned char *p, uint64_t v)
{
    store_put_u32(p, (uint32_t)(v >> 32));
    store_put_u32(p + 4, (uint32_t)v);
}

uint16_t store_get_u16(const unsigned char *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

uint32_t store_get_u32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

uint64_t store_get_u64(const unsigned char *p)
{
    return ((uint64_t)store_get_u32(p) << 32) | store_get_u32(p + 4);
}

void store_put_i64(unsigned char *p, int64_t v)
{
    store_put_u64(p, (uint64_t)v ^ (UINT64_C(1) << 63));
}

int64_t store_get_i64(const unsigned char *p)
{
    return (int64_t)(store_get_u64(p) ^ (UINT64_C(1) << 63));
}

void store_put_date(unsigned char *p, int32_t d)
{
    store_put_u32(p, (uint32_t)d ^ UINT32_C(0x80000000));
}

int32_t store_get_date(const unsigned char *p)
{
    return (int32_t)(store_get_u32(p) ^ UINT32_C(0x80000000));
}

size_t store_key_adj(unsigned char *buf, uint64_t node, char dir, const char *type, size_t tlen,
                     uint64_t other, uint64_t edge, bool want_tail)
{
    size_t n = 0;
    if (tlen > 255)
        tlen = 255;
    store_put_u64(buf, node);
    n += 8;
    buf[n++] = (unsigned char)dir;
    if (type == NULL)
        return n;
    buf[n++] = (unsigned char)tlen;
    memcpy(buf + n, type, tlen);
    n += tlen;
    if (!want_tail)
        return n;
    store_put_u64(buf + n, other);
    n += 8;
    store_put_u64(buf + n, edge);
    n += 8;
    return n;
}

bool store_key_adj_decode(const unsigned char *key, size_t klen, uint64_t *node, char *dir,
                          const char **type, size_t *tlen, uint64_t *other, uint64_t *edge)
{
    size_t t;
    if (klen < 8 + 1 + 1 + 16)
        return false;
    t = key[9];
    if (klen != 8 + 1 + 1 + t + 16 || (key[8] != STORE_DIR_OUT && key[8] != STORE_DIR_IN))
        return false;
    *node = store_get_u64(key);
    *dir = (char)key[8];
    *type = (const char *)key + 10;
    *tlen = t;
    *other = store_get_u64(key + 10 + t);
    *edge = store_get_u64(key + 18 + t);
    return true;
}

size_t store_key_postcode(unsigned char *buf, const char pc4[4])
{
    buf[0] = STORE_IDX_POSTCODE;
    memcpy(buf + 1, pc4, 4);
    return STORE_POSTCODE_KEY_LEN;
}

size_t store_key_place(unsigned char *buf, uint32_t code)
{
    buf[0] = STORE_IDX_PLACE;
    store_put_u32(buf + 1, code);
    return STORE_PLACE_KEY_LEN;
}

size_t store_key_place_of(unsigned char *buf, const char *gemeente, size_t glen, uint32_t code,
                          bool want_code)
{
    buf[0] = STORE_IDX_PLACE_OF;
    memcpy(buf + 1, gemeente, glen);
    buf[1 + glen] = 0;
    if (!want_code)
        return 2 + glen;
    store_put_u32(buf + 2 + glen, code);
    return 6 + glen;
}

uint64_t store_hist_id(char table, uint32_t code)
{
    return STORE_HIST_ID_AUX | (uint64_t)(unsigned char)table << 32 | code;
}

size_t store_key_id(unsigned char *buf, uint64_t id)
{
    store_put_u64(buf, id);
    return STORE_ID_KEY_LEN;
}

size_t store_key_idx_name(unsigned char *buf, const char *norm, size_t nlen, uint64_t id)
{
    buf[0] = STORE_IDX_NAME;
    memcpy(buf + 1, norm, nlen);
    buf[1 + nlen] = 0;
    store_put_u64(buf + 2 + nlen, id);
    return nlen + 10;
}

size_t store_key_idx_ext(unsigned char *buf, const char *value, size_t vlen)
{
    buf[0] = STORE_IDX_KEY;
    memcpy(buf + 1, value, vlen);
    return vlen + 1;
}

size_t store_key_idx_type(unsigned char *buf, uint8_t kind, const char *type, size_t tlen,
                          uint64_t id)
{
    buf[0] = STORE_IDX_TYPE;
    buf[1] = kind;
    memcpy(buf + 2, type, tlen);
    buf[2 + tlen] = 0;
    store_put_u64(buf + 3 + tlen, id);
    return tlen + 11;
}

size_t store_key_idx_behalf(unsigned char *buf, uint64_t base, uint64_t dep)
{
    buf[0] = STORE_IDX_BEHALF;
    store_put_u64(buf + 1, base);
    store_put_u64(buf + 9, dep);
    return STORE_BEHALF_KEY_LEN;
}

size_t store_key_hist(unsigned char *buf, uint64_t id, uint64_t seq, uint32_t n)
{
    store_put_u64(buf, id);
    store_put_u64(buf + 8, seq);
    store_put_u32(buf + 16, n);
    return STORE_HIST_KEY_LEN;
}

bool store_key_hist_decode(const unsigned char *key, size_t klen, uint64_t *id, uint64_t *seq,
                           uint32_t *n)
{
    if (klen != STORE_HIST_KEY_LEN)
        return false;
    *id = store_get_u64(key);
    *seq = store_get_u64(key + 8);
    *n = store_get_u32(key + 16);
    return true;
}

size_t store_key_audit(unsigned char *buf, uint64_t no)
{
    memcpy(buf, STORE_AUDIT_PREFIX, 6);
    store_put_u64(buf + 6, no);
    return STORE_AUDIT_KEY_LEN;
}
