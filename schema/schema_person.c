/*
 * schema_person.c - Dutch person names: initials, tussenvoegsel, display form, sort and search
 * keys (layer: schema, pure functions). Dutch lists sort by surname without the tussenvoegsel
 * ("Jong, P. de" under J), which is why the tussenvoegsel is its own member and is left out of
 * the keys. Case mapping and letter classes come from utf8proc, so "Émile" gives "É.".
 */
#include "schema_check.h"

#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#define PERSON__Q 96 /* knoop_repr buffer: 64 input bytes, quotes, "..." */

/*
 * Known tussenvoegsels (voorvoegsels), lower case, in the BRP spelling. Used to split one off
 * a surname and to strip them from search queries; unknown ones are still accepted as
 * tussenvoegsel.
 */
static const char *const person__tv[] = {
    "'s",      "'t",      "aan",     "aan de",    "aan den", "aan der",  "aan het",    "aan 't",
    "bij",     "bij de",  "bij den", "bij het",   "bij 't",  "d'",       "da",         "das",
    "de",      "de l'",   "de la",   "de las",    "de le",   "de los",   "del",        "della",
    "den",     "der",     "des",     "di",        "do",      "dos",      "du",         "el",
    "het",     "in",      "in de",   "in den",    "in der",  "in het",   "in 't",      "l'",
    "la",      "le",      "les",     "los",       "onder",   "onder de", "onder den",  "op",
    "op de",   "op den",  "op der",  "op het",    "op 't",   "op ten",   "over",       "over de",
    "te",      "ten",     "ter",     "tot",       "uit",     "uit de",   "uit den",    "uit het",
    "uit 't",  "uijt",    "uijt de", "van",       "van de",  "van den",  "van der",    "van het",
    "van 't",  "van ter", "van ten", "van de l'", "vande",   "vanden",   "vander",     "von",
    "von dem", "von den", "von der", "voor",      "voor de", "voor den", "voor in 't", "zu",
    "zum",     "zur"
};
#define PERSON__NTV (sizeof(person__tv) / sizeof(person__tv[0]))

static int person__is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int person__is_letter(utf8proc_int32_t cp)
{
    utf8proc_category_t c = utf8proc_category(cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

static int person__is_lower(utf8proc_int32_t cp)
{
    return utf8proc_category(cp) == UTF8PROC_CATEGORY_LL;
}

/* Turns whitespace runs into one space and trims, in place. */
static void person__collapse(char *s)
{
    size_t i, o = 0;
    int pending = 0;
    for (i = 0; s[i] != '\0'; i++) {
        if (person__is_ws(s[i])) {
            pending = 1;
            continue;
        }
        if (pending && o > 0)
            s[o++] = ' ';
        pending = 0;
        s[o++] = s[i];
    }
    s[o] = '\0';
}

/* Checks that a member array holds a NUL: the struct may come from anywhere. */
static int person__terminated(const char *s, size_t size, const char *field, const char *member,
                              knoop_error_t *err)
{
    if (memchr(s, '\0', size) == NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "%s.%s: not NUL-terminated within %zu bytes",
                               field, member, size);
    return KNOOP_OK;
}

/* A terminated member, when not empty, is valid UTF-8 without control characters. */
static int person__text(const char *s, const char *field, const char *member, knoop_error_t *err)
{
    char f[160];
    if (s[0] == '\0')
        return KNOOP_OK;
    snprintf(f, sizeof(f), "%s.%s", field, member);
    return schema_check_name(s, strlen(s), f, err);
}

/* Appends the UTF-8 encoding of cp to buf (size), or returns -1 when it does not fit. */
static int person__put_cp(char *buf, size_t size, size_t *o, utf8proc_int32_t cp)
{
    utf8proc_uint8_t enc[4];
    utf8proc_ssize_t m = utf8proc_encode_char(cp, enc);
    if (*o + (size_t)m + 1 > size)
        return -1;
    memcpy(buf + *o, enc, (size_t)m);
    *o += (size_t)m;
    buf[*o] = '\0';
    return 0;
}

static int person__put(char *buf, size_t size, size_t *o, const char *s)
{
    size_t n = strlen(s);
    if (*o + n + 1 > size)
        return -1;
    memcpy(buf + *o, s, n + 1);
    *o += n;
    return 0;
}

/*
 * Normalises a tussenvoegsel (already whitespace-collapsed) into out (size 32): lower case,
 * typographic apostrophes as "'", the words "t" and "s" as "'t" and "'s". Only letters,
 * apostrophes and spaces are allowed.
 */
static int person__tussenvoegsel(const char *s, char *out, size_t size)
{
    char tmp[96];
    size_t i = 0, o = 0, n = strlen(s), w;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0)
            return -1;
        i += (size_t)k;
        if (cp == 0x2018 || cp == 0x2019 || cp == 0x02bc || cp == '`' || cp == 0xb4)
            cp = '\'';
        if (cp != '\'' && cp != ' ' && !person__is_letter(cp))
            return -1;
        if (person__put_cp(tmp, sizeof(tmp), &o, utf8proc_tolower(cp)) != 0)
            return -1;
    }
    /* Words "t" and "s" get their apostrophe back. */
    o = 0;
    out[0] = '\0';
    for (i = 0; tmp[i] != '\0'; i = w) {
        for (w = i; tmp[w] != '\0' && tmp[w] != ' '; w++)
            ;
        if (w - i == 1 && (tmp[i] == 't' || tmp[i] == 's') && person__put(out, size, &o, "'") != 0)
            return -1;
        if (o + (w - i) + 1 > size)
            return -1;
        memcpy(out + o, tmp + i, w - i);
        o += w - i;
        out[o] = '\0';
        if (tmp[w] == ' ') {
            if (person__put(out, size, &o, " ") != 0)
                return -1;
            w++;
        }
    }
    return 0;
}

/* Emits one initial: cps[0..n) as one group, or per letter, with dots. */
static int person__emit_group(const utf8proc_int32_t *cps, size_t n, int has_sep, char *out,
                              size_t size, size_t *o)
{
    size_t i;
    int capitalised = n >= 2 && n <= 3 && !person__is_lower(cps[0]);
    for (i = 1; i < n; i++)
        if (!person__is_lower(cps[i]))
            capitalised = 0;
    if (n > 3) {
        for (i = 0; i < n; i++)
            if (person__is_lower(cps[i]))
                return -2; /* looks like a first name */
    }
    if (has_sep && n == 2 && (cps[0] == 'i' || cps[0] == 'I') && (cps[1] == 'j' || cps[1] == 'J'))
        return person__put(out, size, o, "IJ.");
    /* "Ij" is the digraph IJ written as one capitalised initial: "IJ.", as "Ij." is read back
     * (the rule above), so that checking a checked name changes nothing. */
    if (capitalised && n == 2 && cps[0] == 'I' && cps[1] == 'j')
        return person__put(out, size, o, "IJ.");
    if (capitalised) {
        for (i = 0; i < n; i++)
            if (person__put_cp(out, size, o, i == 0 ? utf8proc_toupper(cps[i]) : cps[i]) != 0)
                return -1;
        return person__put(out, size, o, ".");
    }
    for (i = 0; i < n; i++) {
        if (person__put_cp(out, size, o, utf8proc_toupper(cps[i])) != 0 ||
            person__put(out, size, o, ".") != 0)
            return -1;
    }
    return 0;
}

/*
 * Normalises initials (already whitespace-collapsed) into out (size 32). Returns 0, -1 for a
 * bad character or overflow, -2 for a group that looks like a first name.
 */
static int person__initials(const char *s, char *out, size_t size)
{
    utf8proc_int32_t cps[32];
    size_t i = 0, n = strlen(s), g = 0, o = 0;
    int has_sep = strpbrk(s, ". -") != NULL, rc;

    out[0] = '\0';
    while (i <= n) {
        utf8proc_int32_t cp = 0;
        if (i < n) {
            utf8proc_ssize_t k =
                utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
            if (k <= 0)
                return -1;
            i += (size_t)k;
        } else {
            i++; /* the end closes the last group */
        }
        if (cp == 0 || cp == '.' || cp == ' ' || cp == '-') {
            if (g > 0 && (rc = person__emit_group(cps, g, has_sep, out, size, &o)) != 0)
                return rc;
            g = 0;
            continue;
        }
        if (!person__is_letter(cp) || g == sizeof(cps) / sizeof(cps[0]))
            return -1;
        cps[g++] = cp;
    }
    return o == 0 ? -1 : 0;
}

/* Derives initials from first names (split at spaces and hyphens) into out (size 32). */
static int person__derive(const char *s, char *out, size_t size)
{
    size_t i = 0, n = strlen(s), o = 0;
    int at_start = 1;
    out[0] = '\0';
    while (i < n) {
        utf8proc_int32_t cp, next = 0;
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0)
            return -1;
        i += (size_t)k;
        if (cp == ' ' || cp == '-') {
            at_start = 1;
            continue;
        }
        if (!at_start || !person__is_letter(cp))
            continue;
        at_start = 0;
        if (i < n)
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &next);
        if ((cp == 'i' || cp == 'I') && (next == 'j' || next == 'J')) {
            if (person__put(out, size, &o, "IJ.") != 0)
                return -1;
        } else if (person__put_cp(out, size, &o, utf8proc_toupper(cp)) != 0 ||
                   person__put(out, size, &o, ".") != 0) {
            return -1;
        }
    }
    return 0;
}

/* True when s holds at least one letter (s is valid UTF-8). */
static int person__has_letter(const char *s)
{
    size_t i = 0, n = strlen(s);
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0)
            return 0;
        if (person__is_letter(cp))
            return 1;
        i += (size_t)k;
    }
    return 0;
}

int schema_person_name_check(schema_person_name_t *n, const char *field, knoop_error_t *err)
{
    char q[PERSON__Q];
    schema_person_name_t t;
    int rc;

    /* Work on a copy, so that *n is unchanged on error. Collapse before the text check, so
     * that tabs and newlines count as spaces rather than control characters. */
    t = *n;
    {
        char *const m[] = { t.initials, t.first_names, t.tussenvoegsel, t.surname };
        const size_t size[] = { sizeof(t.initials), sizeof(t.first_names), sizeof(t.tussenvoegsel),
                                sizeof(t.surname) };
        static const char *const name[] = { "initials", "first_names", "tussenvoegsel", "surname" };
        size_t i;
        for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
            if ((rc = person__terminated(m[i], size[i], field, name[i], err)) != 0)
                return rc;
            person__collapse(m[i]);
            if ((rc = person__text(m[i], field, name[i], err)) != 0)
                return rc;
        }
    }

    if (t.surname[0] == '\0')
        return knoop_error_set(err, KNOOP_EINVAL, "%s.surname: required", field);
    if (!person__has_letter(t.surname))
        return knoop_error_set(err, KNOOP_EINVAL, "%s.surname: must hold a letter, got %s", field,
                               knoop_repr(q, sizeof(q), t.surname, strlen(t.surname), 64));

    /* "van der Berg" in the surname: split the lower-case tussenvoegsel off. */
    if (t.tussenvoegsel[0] == '\0' &&
        ((t.surname[0] >= 'a' && t.surname[0] <= 'z') || t.surname[0] == '\'')) {
        size_t best = 0, i;
        for (i = 0; i < PERSON__NTV; i++) {
            size_t l = strlen(person__tv[i]);
            if (l > best && strncmp(t.surname, person__tv[i], l) == 0 && t.surname[l] == ' ' &&
                t.surname[l + 1] != '\0')
                best = l;
        }
        if (best > 0) {
            memcpy(t.tussenvoegsel, t.surname, best);
            t.tussenvoegsel[best] = '\0';
            memmove(t.surname, t.surname + best + 1, strlen(t.surname + best + 1) + 1);
            if (!person__has_letter(t.surname))
                return knoop_error_set(
                    err, KNOOP_EINVAL, "%s.surname: must hold a letter, got %s", field,
                    knoop_repr(q, sizeof(q), n->surname, strlen(n->surname), 64));
        }
    }

    if (t.tussenvoegsel[0] != '\0') {
        char tv[sizeof(t.tussenvoegsel)];
        if (person__tussenvoegsel(t.tussenvoegsel, tv, sizeof(tv)) != 0)
            return knoop_error_set(
                err, KNOOP_EINVAL,
                "%s.tussenvoegsel: expected lower-case words like 'van der' or "
                "'in 't' (letters, apostrophes, spaces), got %s",
                field, knoop_repr(q, sizeof(q), n->tussenvoegsel, strlen(n->tussenvoegsel), 64));
        memcpy(t.tussenvoegsel, tv, sizeof(tv));
    }

    if (t.initials[0] != '\0') {
        char in[sizeof(t.initials)];
        rc = person__initials(t.initials, in, sizeof(in));
        if (rc == -2)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s.initials: expected initials like 'P.J.', got %s (a first "
                                   "name belongs in first_names)",
                                   field,
                                   knoop_repr(q, sizeof(q), n->initials, strlen(n->initials), 64));
        if (rc != 0)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s.initials: expected initials like 'P.J.' (letters, at most "
                                   "%zu bytes written as 'P.J.'), got %s",
                                   field, sizeof(in) - 1,
                                   knoop_repr(q, sizeof(q), n->initials, strlen(n->initials), 64));
        memcpy(t.initials, in, sizeof(in));
    } else if (t.first_names[0] != '\0') {
        char in[sizeof(t.initials)];
        if (person__derive(t.first_names, in, sizeof(in)) != 0)
            return knoop_error_set(
                err, KNOOP_EINVAL,
                "%s.first_names: too many names to derive initials (at most "
                "%zu bytes), got %s",
                field, sizeof(in) - 1,
                knoop_repr(q, sizeof(q), n->first_names, strlen(n->first_names), 64));
        memcpy(t.initials, in, sizeof(in));
    }

    *n = t;
    return KNOOP_OK;
}

int schema_person_display(const schema_person_name_t *n, char *out, size_t outsz)
{
    size_t o = 0;
    int ok;
    if (outsz == 0)
        return KNOOP_ETOOLARGE;
    out[0] = '\0';
    ok = person__put(out, outsz, &o, n->surname) == 0;
    if (ok && (n->initials[0] != '\0' || n->tussenvoegsel[0] != '\0'))
        ok = person__put(out, outsz, &o, ", ") == 0;
    if (ok && n->initials[0] != '\0')
        ok = person__put(out, outsz, &o, n->initials) == 0;
    if (ok && n->initials[0] != '\0' && n->tussenvoegsel[0] != '\0')
        ok = person__put(out, outsz, &o, " ") == 0;
    if (ok && n->tussenvoegsel[0] != '\0')
        ok = person__put(out, outsz, &o, n->tussenvoegsel) == 0;
    if (!ok) {
        out[0] = '\0';
        return KNOOP_ETOOLARGE;
    }
    return (int)o;
}

int schema_person_sort_key(const schema_person_name_t *n, char *out, size_t outsz)
{
    int a, b;
    if (outsz == 0)
        return KNOOP_ETOOLARGE;
    a = schema_name_normalise(n->surname, strnlen(n->surname, sizeof(n->surname)), out, outsz);
    if (a < 0)
        return a;
    if (n->initials[0] == '\0' || (size_t)a + 2 >= outsz)
        return a;
    out[a] = ' ';
    b = schema_name_normalise(n->initials, strnlen(n->initials, sizeof(n->initials)), out + a + 1,
                              outsz - (size_t)a - 1);
    if (b <= 0) {
        out[a] = '\0';
        return b < 0 ? b : a;
    }
    return a + 1 + b;
}

/* The normalised form of a list entry: apostrophes become word breaks ("van 't" -> "van t"). */
static size_t person__tv_norm(const char *tv, char *buf, size_t size)
{
    size_t o = 0, i;
    int pending = 0;
    for (i = 0; tv[i] != '\0' && o + 2 < size; i++) {
        if (tv[i] == '\'' || tv[i] == ' ') {
            pending = 1;
            continue;
        }
        if (pending && o > 0)
            buf[o++] = ' ';
        pending = 0;
        buf[o++] = tv[i];
    }
    buf[o] = '\0';
    return o;
}

/* Length of the longest known tussenvoegsel that s[b..e) starts with, as whole words. */
static size_t person__tv_prefix(const char *s, size_t b, size_t e)
{
    size_t best = 0, i;
    char w[32];
    for (i = 0; i < PERSON__NTV; i++) {
        size_t l = person__tv_norm(person__tv[i], w, sizeof(w));
        if (l > best && l <= e - b && memcmp(s + b, w, l) == 0 && (b + l == e || s[b + l] == ' '))
            best = l;
    }
    return best;
}

/* Length of the longest known tussenvoegsel that s[b..e) ends with, as whole words. */
static size_t person__tv_suffix(const char *s, size_t b, size_t e)
{
    size_t best = 0, i;
    char w[32];
    for (i = 0; i < PERSON__NTV; i++) {
        size_t l = person__tv_norm(person__tv[i], w, sizeof(w));
        if (l > best && l <= e - b && memcmp(s + e - l, w, l) == 0 &&
            (e - l == b || s[e - l - 1] == ' '))
            best = l;
    }
    return best;
}

/* True when s[b..e) is one code point (a single-letter word). */
static int person__one_cp(const char *s, size_t b, size_t e)
{
    utf8proc_int32_t cp;
    return e > b && utf8proc_iterate((const utf8proc_uint8_t *)s + b, (utf8proc_ssize_t)(e - b),
                                     &cp) == (utf8proc_ssize_t)(e - b);
}

int schema_person_search_key(const char *query, size_t len, char *out, size_t outsz)
{
    const char *comma = memchr(query, ',', len);
    size_t b, e, w;
    int n, changed = 1;

    if (comma != NULL)
        len = (size_t)(comma - query);
    n = schema_name_normalise(query, len, out, outsz);
    if (n <= 0)
        return n;
    b = 0;
    e = (size_t)n;
    while (changed && b < e) {
        changed = 0;
        /* Front: a single letter, or a tussenvoegsel. */
        for (w = b; w < e && out[w] != ' '; w++)
            ;
        if (person__one_cp(out, b, w) || (w = b + person__tv_prefix(out, b, e)) > b) {
            b = w < e ? w + 1 : e;
            changed = 1;
            continue;
        }
        /* Back: the same. */
        for (w = e; w > b && out[w - 1] != ' '; w--)
            ;
        if (person__one_cp(out, w, e) || (w = e - person__tv_suffix(out, b, e)) < e) {
            e = w > b ? w - 1 : b;
            changed = 1;
        }
    }
    if (b >= e)
        return n; /* everything was initials or tussenvoegsel: keep the whole query */
    memmove(out, out + b, e - b);
    out[e - b] = '\0';
    return (int)(e - b);
}
