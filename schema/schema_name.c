/*
 * schema_name.c - node kinds, name checks and name normalisation for lookup (layer: schema).
 * Normalisation uses utf8proc rather than hand-made tables, so every script and mark folds
 * the way Unicode says.
 */
#include "knoop_alloc.h"
#include "schema.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "knoop_limits.h"

static const char *const kind_names[] = { NULL,      "person", "organisation", "project", "body",
                                          "contact", "task",   "list",         "record" };

const char *schema_kind_name(int kind)
{
    if (kind < SCHEMA_KIND_FIRST || kind > SCHEMA_KIND_LAST)
        return NULL;
    return kind_names[kind];
}

bool schema_kind_holds_roles(schema_kind_t k)
{
    return k == SCHEMA_KIND_ORGANISATION || k == SCHEMA_KIND_BODY || k == SCHEMA_KIND_PROJECT;
}

int schema_kind_parse(const char *s, size_t len, const char *field, schema_kind_t *out,
                      knoop_error_t *err)
{
    char q[96];
    for (int k = SCHEMA_KIND_FIRST; k <= SCHEMA_KIND_LAST; k++) {
        if (strlen(kind_names[k]) == len && memcmp(kind_names[k], s, len) == 0) {
            *out = (schema_kind_t)k;
            return KNOOP_OK;
        }
    }
    return knoop_error_set(err, KNOOP_EINVAL,
                           "%s: unknown kind %s (expected person, organisation, project, body, "
                           "contact, task, list or record)",
                           field, knoop_repr(q, sizeof(q), s, len, 64));
}

int schema_check_name(const char *s, size_t len, const char *field, knoop_error_t *err)
{
    if (len > KNOOP_MAX_NAME_BYTES)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: longer than %d bytes", field,
                               KNOOP_MAX_NAME_BYTES);
    return schema_check_text(s, len, field, err);
}

int schema_check_text(const char *s, size_t len, const char *field, knoop_error_t *err)
{
    char q[96];
    size_t i = 0;
    if (len == 0)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: must not be empty", field);
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n < 0)
            return knoop_error_set(err, KNOOP_EINVAL, "%s: not valid UTF-8 at byte %zu: %s", field,
                                   i, knoop_repr(q, sizeof(q), s, len, 64));
        if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
            return knoop_error_set(err, KNOOP_EINVAL, "%s: control character at byte %zu: %s",
                                   field, i, knoop_repr(q, sizeof(q), s, len, 64));
        i += (size_t)n;
    }
    return KNOOP_OK;
}

int schema_name_normalise(const char *s, size_t len, char *out, size_t outsz)
{
    utf8proc_uint8_t *folded = NULL;
    utf8proc_ssize_t n, i = 0;
    size_t o = 0;
    int pending_space = 0;

    if (outsz == 0)
        return KNOOP_EINVAL;
    n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &folded,
                     UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD |
                         UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
    if (n < 0)
        return n == UTF8PROC_ERROR_NOMEM ? KNOOP_ENOMEM : KNOOP_EINVAL;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(folded + i, n - i, &cp);
        utf8proc_category_t cat;
        if (k <= 0)
            break;
        cat = utf8proc_category(cp);
        if ((cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
            (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO)) {
            size_t need = (size_t)k + (pending_space && o > 0 ? 1 : 0);
            if (o + need >= outsz)
                break;
            if (pending_space && o > 0)
                out[o++] = ' ';
            memcpy(out + o, folded + i, (size_t)k);
            o += (size_t)k;
            pending_space = 0;
        } else if (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME) {
            /* A mark that survived STRIPMARK (none should): drop it. */
        } else {
            pending_space = 1;
        }
        i += k;
    }
    out[o] = '\0';
    knoop_free(folded);
    return (int)o;
}
