/*
 * knoop_err.c - error codes, wire names and safe quoting of bad input (layer: proto).
 */
#include "knoop_err.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * The length of the valid UTF-8 sequence at s[0..len) (1..4), or 0 when s does not start with
 * one (a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, or cut short).
 */
static size_t knoop__utf8_len(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

int knoop_error_set(knoop_error_t *err, int code, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        int n;
        err->code = code;
        va_start(ap, fmt);
        n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        if (n >= 0) {
            /* The message goes on the wire as a string: keep it valid UTF-8. A character the
             * length cut split is dropped; any other invalid byte (raw input formatted with %s)
             * becomes '?'. Quoted input should come through knoop_repr, which escapes it. */
            size_t len = strlen(err->msg), i = 0;
            bool cut = n >= (int)sizeof(err->msg);
            while (i < len) {
                unsigned char *p = (unsigned char *)err->msg + i;
                size_t k = knoop__utf8_len(p, len - i);
                if (k == 0 && cut && len - i < 4 && p[0] >= 0xc2 && p[0] <= 0xf4) {
                    *p = '\0';
                    break;
                }
                if (k == 0) {
                    *p = '?';
                    k = 1;
                }
                i += k;
            }
        }
    }
    return code;
}

void knoop_error_clear(knoop_error_t *err)
{
    if (err != NULL) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}

const char *knoop_err_wire(int code)
{
    switch (code) {
#define KNOOP__ERR_WIRE(name, val, wire, text)                                                     \
    case val:                                                                                      \
        return wire;
        KNOOP_ERRNO_MAP(KNOOP__ERR_WIRE)
#undef KNOOP__ERR_WIRE
    default:
        return "internal";
    }
}

int knoop_err_from_wire(const char *wire, size_t len)
{
#define KNOOP__ERR_FROM(name, val, w, text)                                                        \
    if (len == sizeof(w) - 1 && memcmp(wire, w, len) == 0)                                         \
        return val;
    KNOOP_ERRNO_MAP(KNOOP__ERR_FROM)
#undef KNOOP__ERR_FROM
    return KNOOP_EINTERNAL;
}

const char *knoop_strerror(int code)
{
    if (code == 0)
        return "ok";
    switch (code) {
#define KNOOP__ERR_TEXT(name, val, wire, text)                                                     \
    case val:                                                                                      \
        return text;
        KNOOP_ERRNO_MAP(KNOOP__ERR_TEXT)
#undef KNOOP__ERR_TEXT
    default:
        return "unknown error";
    }
}

char *knoop_repr(char *out, size_t outsz, const char *s, size_t len, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, i;
    int truncated = len > cap;
    size_t full = len;

    if (outsz == 0)
        return out;
    if (truncated)
        len = cap;
    /* Reserve room for the closing quote, "..." and the NUL. */
    if (outsz < 8) {
        out[0] = '\0';
        return out;
    }
    out[o++] = '\'';
    for (i = 0; i < len && o + 9 < outsz; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            /* A whole valid character that fits, else its bytes as \xNN: the quote is valid
             * UTF-8 and never ends inside a character. */
            size_t k = knoop__utf8_len((const unsigned char *)s + i, len - i);
            if (k > 1 && o + k + 5 < outsz) {
                memcpy(out + o, s + i, k);
                o += k;
                i += k - 1;
                continue;
            }
            if (k > 1)
                break; /* no room for the whole character: cut before it */
            if (truncated && knoop__utf8_len((const unsigned char *)s + i, full - i) > 1)
                break; /* a character the cap split: cut before it */
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else if (c == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else if (c == '\t') {
            out[o++] = '\\';
            out[o++] = 't';
        } else if (c == '\\' || c == '\'') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    if (i < len)
        truncated = 1;
    out[o++] = '\'';
    if (truncated) {
        out[o++] = '.';
        out[o++] = '.';
        out[o++] = '.';
    }
    out[o] = '\0';
    return out;
}
