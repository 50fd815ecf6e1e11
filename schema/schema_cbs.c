/*
 * schema_cbs.c - CBS region codes: gemeentecode "GM0034" and provinciecode "PV20"
 * (layer: schema, pure functions). Only the shape is checked; whether a code exists in a given
 * year's indeling is the store's business.
 */
#include "schema_check.h"

#include <string.h>

/*
 * Shared shape check: an optional two-letter prefix (any case) and exactly `digits` digits,
 * not all zero. Writes the upper-case prefix and the digits into out.
 */
static int schema__cbs_code(const char *s, size_t len, const char *prefix, size_t digits, char *out)
{
    size_t i, off = 0;
    int nonzero = 0;

    if (len == digits + 2) {
        for (i = 0; i < 2; i++) {
            char c = s[i];
            if (c >= 'a' && c <= 'z')
                c = (char)(c - 'a' + 'A');
            if (c != prefix[i])
                return -1;
        }
        off = 2;
    } else if (len != digits) {
        return -1;
    }
    for (i = off; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        if (s[i] != '0')
            nonzero = 1;
    }
    if (!nonzero)
        return -1;
    memcpy(out, prefix, 2);
    memcpy(out + 2, s + off, digits);
    out[2 + digits] = '\0';
    return 0;
}

int schema_cbs_gemeentecode_check(const char *s, size_t len, const char *field,
                                  char out[SCHEMA_CBS_GEMEENTE_SIZE], knoop_error_t *err)
{
    char q[96];
    char tmp[SCHEMA_CBS_GEMEENTE_SIZE];
    if (schema__cbs_code(s, len, "GM", 4, tmp) != 0)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "%s: expected a CBS gemeentecode like 'GM0034' or '0034', got %s",
                               field, knoop_repr(q, sizeof(q), s, len, 64));
    memcpy(out, tmp, sizeof(tmp));
    return KNOOP_OK;
}

int schema_cbs_provinciecode_check(const char *s, size_t len, const char *field,
                                   char out[SCHEMA_CBS_PROVINCIE_SIZE], knoop_error_t *err)
{
    char q[96];
    char tmp[SCHEMA_CBS_PROVINCIE_SIZE];
    if (schema__cbs_code(s, len, "PV", 2, tmp) != 0)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "%s: expected a CBS provinciecode like 'PV20' or '20', got %s",
                               field, knoop_repr(q, sizeof(q), s, len, 64));
    memcpy(out, tmp, sizeof(tmp));
    return KNOOP_OK;
}
