/*
 * schema_address.c - Dutch postcodes, PC4 areas and addresses in NEN 5825 notation
 * (layer: schema, pure functions). Postcode rules follow PostNL: four digits, the first not 0,
 * two letters, the pairs SA, SD and SS never issued. NEN 5825 puts the house letter directly
 * after the number, the toevoeging after a dash, two spaces between postcode and place, and
 * the place in capitals.
 */
#include "schema_check.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#define ADDR__Q 96 /* knoop_repr buffer: 64 input bytes, quotes, "..." */

static int addr__is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int addr__is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int addr__is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char addr__upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* Narrows [*b, *e) to drop surrounding whitespace. */
static void addr__trim(const char *s, size_t *b, size_t *e)
{
    while (*b < *e && addr__is_ws(s[*b]))
        (*b)++;
    while (*e > *b && addr__is_ws(s[*e - 1]))
        (*e)--;
}

/* Trims a NUL-terminated string in place. */
static void addr__trim_inplace(char *s)
{
    size_t b = 0, e = strlen(s);
    addr__trim(s, &b, &e);
    memmove(s, s + b, e - b);
    s[e - b] = '\0';
}

/* Builds "field.member" for messages; cut to the buffer, never allocates. */
static const char *addr__sub(char *buf, size_t size, const char *field, const char *member)
{
    snprintf(buf, size, "%s.%s", field, member);
    return buf;
}

int schema_postcode_normalise(const char *s, size_t len, const char *field,
                              char out[SCHEMA_POSTCODE_SIZE], knoop_error_t *err)
{
    char q[ADDR__Q];
    size_t i = 0, n;
    char d[6];

    /* Fixed positions: d[0..3] the digits, d[4..5] the letters; each loop writes exactly its
     * own part of d, so the bounds hold without counting what the previous loop wrote. */
    while (i < len && s[i] == ' ')
        i++;
    for (n = 0; n < 4; n++, i++) {
        if (i >= len || !addr__is_digit(s[i]))
            goto bad;
        d[n] = s[i];
    }
    while (i < len && s[i] == ' ')
        i++;
    for (n = 4; n < 6; n++, i++) {
        if (i >= len || !addr__is_alpha(s[i]))
            goto bad;
        d[n] = addr__upper(s[i]);
    }
    while (i < len && s[i] == ' ')
        i++;
    if (i != len)
        goto bad;
    if (d[0] == '0')
        return knoop_error_set(err, KNOOP_EINVAL,
                               "%s: a Dutch postcode does not start with 0, got %s", field,
                               knoop_repr(q, sizeof(q), s, len, 64));
    if (d[4] == 'S' && (d[5] == 'A' || d[5] == 'D' || d[5] == 'S'))
        return knoop_error_set(err, KNOOP_EINVAL,
                               "%s: postcode letters %c%c are never issued (PostNL does not use "
                               "SA, SD or SS), got %s",
                               field, d[4], d[5], knoop_repr(q, sizeof(q), s, len, 64));
    memcpy(out, d, 4);
    out[4] = ' ';
    out[5] = d[4];
    out[6] = d[5];
    out[7] = '\0';
    return KNOOP_OK;
bad:
    return knoop_error_set(err, KNOOP_EINVAL,
                           "%s: expected a Dutch postcode like '1234 AB', got %s", field,
                           knoop_repr(q, sizeof(q), s, len, 64));
}

int schema_pc4_parse(const char *s, size_t len, const char *field, unsigned *out,
                     knoop_error_t *err)
{
    char q[ADDR__Q];
    unsigned v = 0;
    size_t i;

    if (len != 4)
        goto bad;
    for (i = 0; i < 4; i++) {
        if (!addr__is_digit(s[i]))
            goto bad;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v < 1000)
        goto bad;
    *out = v;
    return KNOOP_OK;
bad:
    return knoop_error_set(err, KNOOP_EINVAL,
                           "%s: expected a 4-digit postcode area (PC4) from 1000 to 9999, got %s",
                           field, knoop_repr(q, sizeof(q), s, len, 64));
}

int schema_addr_type_parse(const char *s, size_t len, const char *field, schema_addr_type_t *out,
                           knoop_error_t *err)
{
    static const struct {
        const char *name;
        schema_addr_type_t type;
    } names[] = { { "bezoekadres", SCHEMA_ADDR_BEZOEK },
                  { "postadres", SCHEMA_ADDR_POST },
                  { "correspondentieadres", SCHEMA_ADDR_POST } };
    char q[ADDR__Q];
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strlen(names[i].name) == len && memcmp(names[i].name, s, len) == 0) {
            *out = names[i].type;
            return KNOOP_OK;
        }
    }
    return knoop_error_set(err, KNOOP_EINVAL,
                           "%s: unknown address type %s (expected bezoekadres, postadres or "
                           "correspondentieadres)",
                           field, knoop_repr(q, sizeof(q), s, len, 64));
}

/* Checks that a member array holds a NUL: the struct may come from anywhere. */
static int addr__terminated(const char *s, size_t size, const char *field, const char *member,
                            knoop_error_t *err)
{
    if (memchr(s, '\0', size) == NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "%s.%s: not NUL-terminated within %zu bytes",
                               field, member, size);
    return KNOOP_OK;
}

/* A terminated member, when not empty, is valid UTF-8 without control characters. */
static int addr__text(const char *s, const char *field, const char *member, knoop_error_t *err)
{
    char f[160];
    if (s[0] == '\0')
        return KNOOP_OK;
    return schema_check_name(s, strlen(s), addr__sub(f, sizeof(f), field, member), err);
}

/* Parses 1..5 digits without a leading 0 (value 1..99999) from s[0..len). */
static int addr__number(const char *s, size_t len, unsigned *out)
{
    unsigned v = 0;
    size_t i;
    if (len == 0 || len > 5 || s[0] == '0')
        return -1;
    for (i = 0; i < len; i++) {
        if (!addr__is_digit(s[i]))
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 0;
}

/* True when s[0..len) is 1..4 ASCII letters or digits. */
static int addr__is_addition(const char *s, size_t len)
{
    size_t i;
    if (len == 0 || len > 4)
        return 0;
    for (i = 0; i < len; i++)
        if (!addr__is_alpha(s[i]) && !addr__is_digit(s[i]))
            return 0;
    return 1;
}

/*
 * Checks and normalises a Postbus number: digits, 1..5 of them after leading zeros, which are
 * dropped. Writes the digits into out (size >= 6).
 */
static int addr__postbus(const char *s, size_t len, char *out)
{
    size_t i, b = 0;
    for (i = 0; i < len; i++)
        if (!addr__is_digit(s[i]))
            return -1;
    while (b < len && s[b] == '0')
        b++;
    if (b == len || len - b > 5)
        return -1;
    memcpy(out, s + b, len - b);
    out[len - b] = '\0';
    return 0;
}

int schema_address_check(schema_address_t *a, const char *field, knoop_error_t *err)
{
    char q[ADDR__Q], f[160];
    schema_address_t t;
    int rc;

    if (a->type != SCHEMA_ADDR_BEZOEK && a->type != SCHEMA_ADDR_POST)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "%s.type: expected bezoekadres (1) or postadres (2), got %d", field,
                               (int)a->type);
    /* Work on a copy, so that *a is unchanged on error. Trim before the text check, so that
     * a trailing tab or newline is whitespace rather than a control character. */
    t = *a;
    {
        char *const m[] = { t.street, t.house_letter, t.addition, t.postbus, t.postcode, t.place };
        const size_t size[] = { sizeof(t.street),  sizeof(t.house_letter), sizeof(t.addition),
                                sizeof(t.postbus), sizeof(t.postcode),     sizeof(t.place) };
        static const char *const name[] = { "street",  "house_letter", "addition",
                                            "postbus", "postcode",     "place" };
        size_t i;
        for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
            if ((rc = addr__terminated(m[i], size[i], field, name[i], err)) != 0)
                return rc;
            addr__trim_inplace(m[i]);
            if ((rc = addr__text(m[i], field, name[i], err)) != 0)
                return rc;
        }
    }

    if (t.postbus[0] != '\0') {
        char pb[sizeof(t.postbus)];
        if (t.type == SCHEMA_ADDR_BEZOEK)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: a bezoekadres cannot be a Postbus (use a postadres), got "
                                   "Postbus %s",
                                   field,
                                   knoop_repr(q, sizeof(q), t.postbus, strlen(t.postbus), 64));
        if (t.street[0] != '\0' || t.house_number != 0 || t.house_letter[0] != '\0' ||
            t.addition[0] != '\0')
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: a Postbus address has no street, house number, house "
                                   "letter or addition",
                                   field);
        if (addr__postbus(t.postbus, strlen(t.postbus), pb) != 0)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s.postbus: expected a Postbus number of 1 to 5 digits like "
                                   "'123', got %s",
                                   field,
                                   knoop_repr(q, sizeof(q), t.postbus, strlen(t.postbus), 64));
        memcpy(t.postbus, pb, sizeof(pb));
    } else {
        size_t n;
        if (t.street[0] == '\0')
            return knoop_error_set(err, KNOOP_EINVAL,
                                   t.type == SCHEMA_ADDR_POST
                                       ? "%s.street: required (or a postbus number)"
                                       : "%s.street: required",
                                   field);
        if (t.house_number < 1 || t.house_number > 99999)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s.house_number: expected 1 to 99999, got %u", field,
                                   t.house_number);
        n = strlen(t.house_letter);
        if (n > 0) {
            if (n != 1 || !addr__is_alpha(t.house_letter[0]))
                return knoop_error_set(err, KNOOP_EINVAL,
                                       "%s.house_letter: expected a single letter A-Z, got %s",
                                       field, knoop_repr(q, sizeof(q), t.house_letter, n, 64));
            t.house_letter[0] = addr__upper(t.house_letter[0]);
        }
        n = strlen(t.addition);
        if (n > 0) {
            size_t i;
            if (!addr__is_addition(t.addition, n))
                return knoop_error_set(err, KNOOP_EINVAL,
                                       "%s.addition: expected 1 to 4 letters or digits, got %s",
                                       field, knoop_repr(q, sizeof(q), t.addition, n, 64));
            for (i = 0; i < n; i++)
                t.addition[i] = addr__upper(t.addition[i]);
        }
    }

    if (t.postcode[0] == '\0')
        return knoop_error_set(err, KNOOP_EINVAL, "%s.postcode: required", field);
    {
        char pc[SCHEMA_POSTCODE_SIZE];
        rc = schema_postcode_normalise(t.postcode, strlen(t.postcode),
                                       addr__sub(f, sizeof(f), field, "postcode"), pc, err);
        if (rc != 0)
            return rc;
        memcpy(t.postcode, pc, sizeof(pc));
    }
    if (t.place[0] == '\0')
        return knoop_error_set(err, KNOOP_EINVAL, "%s.place: required", field);

    *a = t;
    return KNOOP_OK;
}

/* An output buffer that records overflow instead of writing past its end. */
typedef struct {
    char *p;
    size_t size, len;
    int over;
} addr__buf_t;

static void addr__put(addr__buf_t *b, const char *s, size_t n)
{
    if (b->over || b->len + n >= b->size) {
        b->over = 1;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void addr__puts(addr__buf_t *b, const char *s)
{
    addr__put(b, s, strlen(s));
}

int schema_address_format(const schema_address_t *a, char *out, size_t outsz)
{
    addr__buf_t b = { out, outsz, 0, 0 };
    const utf8proc_uint8_t *p;
    utf8proc_ssize_t rest;

    if (outsz == 0)
        return KNOOP_ETOOLARGE;
    out[0] = '\0';
    if (a->postbus[0] != '\0') {
        addr__puts(&b, "Postbus ");
        addr__put(&b, a->postbus, strnlen(a->postbus, sizeof(a->postbus)));
    } else {
        char num[16];
        int n = snprintf(num, sizeof(num), "%u", a->house_number);
        addr__put(&b, a->street, strnlen(a->street, sizeof(a->street)));
        addr__puts(&b, " ");
        addr__put(&b, num, (size_t)n);
        addr__put(&b, a->house_letter, strnlen(a->house_letter, sizeof(a->house_letter)));
        if (a->addition[0] != '\0') {
            addr__puts(&b, "-");
            addr__put(&b, a->addition, strnlen(a->addition, sizeof(a->addition)));
        }
    }
    addr__puts(&b, "\n");
    if (a->postcode[0] != '\0') {
        addr__put(&b, a->postcode, strnlen(a->postcode, sizeof(a->postcode)));
        addr__puts(&b, "  ");
    }
    /* Upper-case the place one code point at a time: no allocation, and simple case mapping
     * keeps one code point per code point. */
    p = (const utf8proc_uint8_t *)a->place;
    rest = (utf8proc_ssize_t)strnlen(a->place, sizeof(a->place));
    while (rest > 0) {
        utf8proc_int32_t cp;
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t k = utf8proc_iterate(p, rest, &cp), m;
        if (k <= 0) {
            out[0] = '\0';
            return KNOOP_EINVAL;
        }
        m = utf8proc_encode_char(utf8proc_toupper(cp), enc);
        addr__put(&b, (const char *)enc, (size_t)m);
        p += k;
        rest -= k;
    }
    if (b.over) {
        out[0] = '\0';
        return KNOOP_ETOOLARGE;
    }
    return (int)b.len;
}

/*
 * Splits a house-number word s[nb..ne) of the shape "12", "12A", "12-3", "12A-bis": the number
 * (1..99999), *letter (0 when none, upper-cased) and the dash addition [*ab, *ae) (empty when
 * none). Returns 0, or -1 when the word has another shape.
 */
static int addr__number_word(const char *s, size_t nb, size_t ne, unsigned *number, char *letter,
                             size_t *ab, size_t *ae)
{
    size_t de = nb, i;
    while (de < ne && addr__is_digit(s[de]))
        de++;
    if (addr__number(s + nb, de - nb, number) != 0)
        return -1;
    i = de;
    *letter = 0;
    *ab = *ae = 0;
    if (i < ne && addr__is_alpha(s[i]))
        *letter = addr__upper(s[i++]);
    if (i < ne) {
        if (s[i] != '-' || !addr__is_addition(s + i + 1, ne - i - 1))
            return -1;
        *ab = i + 1;
        *ae = ne;
    }
    return 0;
}

static int addr__has_alpha(const char *s, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        if (addr__is_alpha(s[i]))
            return 1;
    return 0;
}

int schema_address_parse_line(const char *s, size_t len, const char *field, schema_address_t *a,
                              knoop_error_t *err)
{
    char q[ADDR__Q], f[160];
    size_t b = 0, e = len, i, nb, lb, le, pb, pe, sb, se, ab = 0, ae = 0;
    unsigned number = 0;
    char letter = 0;
    schema_address_t t;
    int rc;

    addr__trim(s, &b, &e);
    for (i = b; i < e; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return knoop_error_set(err, KNOOP_EINVAL, "%s: control character at byte %zu: %s",
                                   field, i, knoop_repr(q, sizeof(q), s, len, 64));

    t = *a;
    t.street[0] = '\0';
    t.house_number = 0;
    t.house_letter[0] = '\0';
    t.addition[0] = '\0';
    t.postbus[0] = '\0';

    /* "Postbus N": the first word is exactly "postbus" in any case. */
    if (e - b >= 7 && strncasecmp(s + b, "postbus", 7) == 0 &&
        (e - b == 7 || s[b + 7] == ' ' || s[b + 7] == '\t')) {
        size_t nb7 = b + 7, ne7 = e;
        addr__trim(s, &nb7, &ne7);
        if (addr__postbus(s + nb7, ne7 - nb7, t.postbus) != 0)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: expected 'Postbus' and a number of 1 to 5 digits like "
                                   "'Postbus 123', got %s",
                                   field, knoop_repr(q, sizeof(q), s, len, 64));
        *a = t;
        return KNOOP_OK;
    }

    /* The last word [lb, le) and the one before it [pb, pe) (empty when there is none). */
    le = e;
    lb = le;
    while (lb > b && !addr__is_ws(s[lb - 1]))
        lb--;
    pe = lb;
    while (pe > b && addr__is_ws(s[pe - 1]))
        pe--;
    pb = pe;
    while (pb > b && !addr__is_ws(s[pb - 1]))
        pb--;
    if (addr__number_word(s, lb, le, &number, &letter, &ab, &ae) == 0) {
        nb = lb; /* "Dorpsstraat 12A-3", "Laan 1940-1945 12" */
    } else if (pb < pe && addr__number_word(s, pb, pe, &number, &letter, &ab, &ae) == 0 &&
               ab == ae && addr__is_addition(s + lb, le - lb) && addr__has_alpha(s + lb, le - lb)) {
        /* "12 A" (a lone letter is the house letter), "12 bis", "12a 2hg". */
        nb = pb;
        if (le - lb == 1 && letter == 0) {
            letter = addr__upper(s[lb]);
        } else {
            ab = lb;
            ae = le;
        }
    } else {
        goto bad;
    }

    /* The street: everything before the number word. */
    sb = b;
    se = nb;
    addr__trim(s, &sb, &se);
    if (sb == se)
        goto bad;
    if (se - sb >= sizeof(t.street))
        return knoop_error_set(err, KNOOP_EINVAL, "%s: street name longer than %zu bytes, got %s",
                               field, sizeof(t.street) - 1, knoop_repr(q, sizeof(q), s, len, 64));
    rc = schema_check_name(s + sb, se - sb, addr__sub(f, sizeof(f), field, "street"), err);
    if (rc != 0)
        return rc;

    memcpy(t.street, s + sb, se - sb);
    t.street[se - sb] = '\0';
    t.house_number = number;
    if (letter != 0) {
        t.house_letter[0] = letter;
        t.house_letter[1] = '\0';
    }
    for (i = ab; i < ae; i++)
        t.addition[i - ab] = addr__upper(s[i]);
    t.addition[ae - ab] = '\0';
    *a = t;
    return KNOOP_OK;
bad:
    return knoop_error_set(err, KNOOP_EINVAL,
                           "%s: expected a street and house number like 'Dorpsstraat 12A-3' or "
                           "'Postbus 123', got %s",
                           field, knoop_repr(q, sizeof(q), s, len, 64));
}
