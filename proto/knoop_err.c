/*
 * knoop_err.c - error codes, wire names and safe quoting of bad input (layer: proto).
 */
#include "knoop_err.h"

#include <stdio.h>
#include <string.h>

int knoop_error_set(knoop_error_t *err, int code, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
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
        if (c == '\n') {
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
