/*
 * schema_contact.c - e-mail addresses, Dutch telephone numbers and website addresses
 * (layer: schema, pure functions). The accepted forms are those the gemeenten publish
 * ("(0416) 69 87 00", "14 0592", "http://www.almere.nl/"); everything is normalised to one
 * spelling so that equal values compare equal in the store.
 */
#include "schema_check.h"

#include <stdio.h>
#include <string.h>

#define CONTACT__Q 96 /* knoop_repr buffer: 64 input bytes, quotes, "..." */

static int contact__is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int contact__is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int contact__is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char contact__lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static void contact__trim(const char *s, size_t *b, size_t *e)
{
    while (*b < *e && contact__is_ws(s[*b]))
        (*b)++;
    while (*e > *b && contact__is_ws(s[*e - 1]))
        (*e)--;
}

/*
 * Checks a host name as used in e-mail domains and URLs. Returns NULL when h[0..n) is
 * acceptable, else a short reason for the message.
 */
static const char *contact__host_problem(const char *h, size_t n)
{
    size_t i, label = 0, dots = 0, tld = 0;
    int tld_letters = 1;

    if (n == 0)
        return "the domain is empty";
    if (n > 253)
        return "the domain is longer than 253 bytes";
    if (h[n - 1] == '.')
        return "the domain ends in a dot";
    for (i = 0; i < n; i++) {
        char c = h[i];
        if (c == '.') {
            if (label == 0)
                return "the domain has an empty label ('..' or a leading dot)";
            if (h[i - 1] == '-')
                return "a domain label may not end with a hyphen";
            dots++;
            label = 0;
            tld = 0;
            tld_letters = 1;
            continue;
        }
        if (!contact__is_alpha(c) && !contact__is_digit(c) && c != '-')
            return (unsigned char)c >= 0x80 ? "the domain must be ASCII (write IDN domains as "
                                              "xn--...)"
                                            : "a domain may hold only letters, digits, hyphens "
                                              "and dots";
        if (c == '-' && label == 0)
            return "a domain label may not start with a hyphen";
        if (++label > 63)
            return "a domain label is longer than 63 bytes";
        tld++;
        if (!contact__is_alpha(c))
            tld_letters = 0;
    }
    if (h[n - 1] == '-')
        return "a domain label may not end with a hyphen";
    if (dots == 0)
        return "the domain has no dot (expected e.g. 'gemeente.nl')";
    if (tld < 2 || !tld_letters)
        return "the top-level domain must be 2 or more letters";
    return NULL;
}

/* RFC 5322 atext. */
static int contact__is_atext(char c)
{
    return contact__is_alpha(c) || contact__is_digit(c) ||
           (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

int schema_email_check(const char *s, size_t len, const char *field, char *out, size_t outsz,
                       knoop_error_t *err)
{
    char q[CONTACT__Q];
    size_t b = 0, e = len, at = 0, i, n;
    int ats = 0;
    const char *why;

    contact__trim(s, &b, &e);
    n = e - b;
    if (n == 0)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "%s: expected an e-mail address like 'info@gemeente.nl', got %s",
                               field, knoop_repr(q, sizeof(q), s, len, 64));
    if (n > SCHEMA_EMAIL_MAX)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "%s: an e-mail address is at most %d bytes, got %zu: %s", field,
                               SCHEMA_EMAIL_MAX, n, knoop_repr(q, sizeof(q), s, len, 64));
    for (i = b; i < e; i++) {
        if (s[i] == '@') {
            ats++;
            at = i;
        }
    }
    if (ats == 0)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "%s: expected an e-mail address like 'info@gemeente.nl' (no '@'), "
                               "got %s",
                               field, knoop_repr(q, sizeof(q), s, len, 64));
    if (ats > 1)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "%s: expected one e-mail address (more than one '@'), got %s", field,
                               knoop_repr(q, sizeof(q), s, len, 64));
    if (at == b || at - b > 64)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "%s: the part before '@' must be 1 to 64 bytes, got %s", field,
                               knoop_repr(q, sizeof(q), s, len, 64));
    for (i = b; i < at; i++) {
        if (s[i] == '.')
            continue;
        if (!contact__is_atext(s[i]))
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: the part before '@' may hold only letters, digits, dots "
                                   "and !#$%%&'*+-/=?^_`{|}~, got %s",
                                   field, knoop_repr(q, sizeof(q), s, len, 64));
    }
    if (s[b] == '.' || s[at - 1] == '.')
        goto dots;
    for (i = b + 1; i < at; i++)
        if (s[i] == '.' && s[i - 1] == '.')
            goto dots;
    why = contact__host_problem(s + at + 1, e - at - 1);
    if (why != NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: %s, got %s", field, why,
                               knoop_repr(q, sizeof(q), s, len, 64));
    if (n + 1 > outsz)
        return knoop_error_set(err, KNOOP_ETOOLARGE,
                               "%s: e-mail address of %zu bytes does not fit the output buffer",
                               field, n);
    memcpy(out, s + b, at - b + 1);
    for (i = at + 1; i < e; i++)
        out[i - b] = contact__lower(s[i]);
    out[n] = '\0';
    return (int)n;
dots:
    return knoop_error_set(err, KNOOP_EINVAL,
                           "%s: the part before '@' may not start or end with a dot or hold '..', "
                           "got %s",
                           field, knoop_repr(q, sizeof(q), s, len, 64));
}

/* The 30 two-digit Dutch area codes (without the 0): 010 Rotterdam ... 079 Zoetermeer. */
static int contact__two_digit_area(char a, char b)
{
    static const char codes[][3] = { "10", "13", "15", "20", "23", "24", "26", "30", "33", "35",
                                     "36", "38", "40", "43", "45", "46", "50", "53", "55", "58",
                                     "70", "71", "72", "73", "74", "75", "76", "77", "78", "79" };
    size_t i;
    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (codes[i][0] == a && codes[i][1] == b)
            return 1;
    return 0;
}

/* Copies src (NUL-terminated) to out if it fits; else KNOOP_ETOOLARGE with a message. */
static int contact__emit(const char *src, const char *field, char *out, size_t outsz,
                         knoop_error_t *err)
{
    size_t n = strlen(src);
    if (n + 1 > outsz)
        return knoop_error_set(err, KNOOP_ETOOLARGE,
                               "%s: normalised value of %zu bytes does not fit the output buffer",
                               field, n);
    memcpy(out, src, n + 1);
    return (int)n;
}

int schema_phone_normalise(const char *s, size_t len, const char *field, char *out, size_t outsz,
                           knoop_error_t *err)
{
    char q[CONTACT__Q], res[SCHEMA_PHONE_SIZE];
    char d[24];
    size_t b = 0, e = len, i, nd = 0, open_at = 0, close_at = 0;
    int intl = 0, via_00 = 0, parens = 0, in_paren = 0;
    const char *nsn;
    size_t m;

    contact__trim(s, &b, &e);
    if (b == e)
        goto shape;
    i = b;
    if (s[i] == '+') {
        intl = 1;
        i++;
    }
    for (; i < e; i++) {
        char c = s[i];
        if (contact__is_digit(c)) {
            if (nd == sizeof(d))
                goto shape;
            d[nd++] = c;
        } else if (c == ' ' || c == '-' || c == '.' || c == '/') {
            /* separator */
        } else if (c == '(') {
            if (parens || in_paren)
                goto shape;
            parens = in_paren = 1;
            open_at = nd;
        } else if (c == ')') {
            if (!in_paren || nd == open_at)
                goto shape;
            in_paren = 0;
            close_at = nd;
        } else if (contact__is_alpha(c)) {
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: letters are not allowed in a telephone number, got %s",
                                   field, knoop_repr(q, sizeof(q), s, len, 64));
        } else if (c == '+') {
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: '+' may only start a telephone number (as in '+31 20 624 "
                                   "1111'), got %s",
                                   field, knoop_repr(q, sizeof(q), s, len, 64));
        } else {
            goto shape;
        }
    }
    if (in_paren || nd == 0)
        goto shape;

    if (!intl && nd >= 2 && d[0] == '0' && d[1] == '0') {
        /* 00 is the international access prefix: 0031 ... is +31 ... */
        if (nd < 4 || d[2] != '3' || d[3] != '1')
            goto foreign;
        via_00 = 1;
        nsn = d + 4;
        m = nd - 4;
        if (parens && !(open_at == 4 && close_at == 5 && d[4] == '0'))
            goto shape;
    } else if (intl) {
        if (nd < 2 || d[0] != '3' || d[1] != '1')
            goto foreign;
        nsn = d + 2;
        m = nd - 2;
        if (parens && !(open_at == 2 && close_at == 3 && d[2] == '0'))
            goto shape;
    } else if (d[0] == '1' && nd >= 2 && d[1] == '4') {
        /* The municipal 14-number: 14 + the area code with its 0. */
        if (parens || (nd != 5 && nd != 6) || d[2] != '0' || d[3] == '0' || d[3] == '6' ||
            d[3] == '8' || d[3] == '9')
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: a 14-number is 14 and the gemeente's area code, like "
                                   "'14 020' or '14 0592', got %s",
                                   field, knoop_repr(q, sizeof(q), s, len, 64));
        if (nd == 5 && !contact__two_digit_area(d[3], d[4]))
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: '0%c%c' is not a two-digit area code, so this is not a "
                                   "14-number, got %s",
                                   field, d[3], d[4], knoop_repr(q, sizeof(q), s, len, 64));
        if (nd == 6 && contact__two_digit_area(d[3], d[4]))
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: '0%c%c' is a two-digit area code, so this 14-number has "
                                   "a digit too many, got %s",
                                   field, d[3], d[4], knoop_repr(q, sizeof(q), s, len, 64));
        memcpy(res, "14 ", 3);
        memcpy(res + 3, d + 2, nd - 2);
        res[3 + nd - 2] = '\0';
        return contact__emit(res, field, out, outsz, err);
    } else if (d[0] == '0') {
        if (parens && !(open_at == 0 && close_at >= 2))
            goto shape;
        nsn = d + 1;
        m = nd - 1;
    } else {
        return knoop_error_set(err, KNOOP_EINVAL,
                               "%s: expected a Dutch telephone number with its area code, "
                               "starting with 0, +31 or 14, got %s",
                               field, knoop_repr(q, sizeof(q), s, len, 64));
    }

    /* The "(0)" of "+31 (0)20 ..." is the trunk prefix: skip it. */
    if (intl || via_00) {
        if (parens) {
            nsn++;
            m--;
        } else if (m > 0 && nsn[0] == '0') {
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: after +31 the area code has no leading 0 (write '+31 20 "
                                   "...' or '+31 (0)20 ...'), got %s",
                                   field, knoop_repr(q, sizeof(q), s, len, 64));
        }
    }
    if (m == 0 || nsn[0] == '0')
        goto shape;
    if (m >= 3 && nsn[0] == '8' && nsn[1] == '0' && nsn[2] == '0')
        goto service;
    if (m >= 3 && nsn[0] == '9' && nsn[1] == '0' &&
        (nsn[2] == '0' || nsn[2] == '6' || nsn[2] == '9'))
        goto service;
    if (m != 9)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "%s: expected 10 digits with the leading 0, like '020 624 1111', "
                               "got %zu in %s",
                               field, m + 1, knoop_repr(q, sizeof(q), s, len, 64));
    goto emit;
service:
    if (m != 7 && m != 10)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "%s: a 0800 or 0900 number has 4 or 7 digits after the prefix, "
                               "like '0800-1234' or '0900 1234567', got %s",
                               field, knoop_repr(q, sizeof(q), s, len, 64));
emit:
    memcpy(res, "+31", 3);
    memcpy(res + 3, nsn, m);
    res[3 + m] = '\0';
    return contact__emit(res, field, out, outsz, err);
foreign:
    return knoop_error_set(err, KNOOP_EINVAL,
                           "%s: only Dutch telephone numbers (+31) are accepted, got %s", field,
                           knoop_repr(q, sizeof(q), s, len, 64));
shape:
    return knoop_error_set(err, KNOOP_EINVAL,
                           "%s: expected a Dutch telephone number like '020 624 1111', "
                           "'(0416) 69 87 00' or '14 0592', got %s",
                           field, knoop_repr(q, sizeof(q), s, len, 64));
}

/* RFC 3986 characters allowed in path, query and fragment, besides %XX escapes. */
static int contact__is_url_char(char c)
{
    return contact__is_alpha(c) || contact__is_digit(c) ||
           (c != '\0' && strchr("-._~!$&'()*+,;=:@/?#", c) != NULL);
}

static int contact__is_hex(char c)
{
    return contact__is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int schema_website_check(const char *s, size_t len, const char *field, char *out, size_t outsz,
                         knoop_error_t *err)
{
    char q[CONTACT__Q];
    size_t b = 0, e = len, i, hb, he, pe, rb, o;
    int https = 1;
    unsigned long port = 0;
    int has_port = 0;
    const char *why;
    char portbuf[8];

    contact__trim(s, &b, &e);
    if (b == e)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "%s: expected a website like 'https://www.almere.nl/', got %s",
                               field, knoop_repr(q, sizeof(q), s, len, 64));

    /* A scheme is letters, digits, '+', '-', '.' after a letter, then "://". */
    i = b;
    if (contact__is_alpha(s[i])) {
        while (i < e && (contact__is_alpha(s[i]) || contact__is_digit(s[i]) || s[i] == '+' ||
                         s[i] == '-' || s[i] == '.'))
            i++;
    }
    if (i > b && e - i >= 3 && memcmp(s + i, "://", 3) == 0) {
        if (i - b == 4 && strncasecmp(s + b, "http", 4) == 0)
            https = 0;
        else if (!(i - b == 5 && strncasecmp(s + b, "https", 5) == 0))
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: expected an http:// or https:// address, got %s", field,
                                   knoop_repr(q, sizeof(q), s, len, 64));
        hb = i + 3;
    } else {
        hb = b;
    }

    /* Authority: up to the first '/', '?' or '#'. */
    pe = hb;
    while (pe < e && s[pe] != '/' && s[pe] != '?' && s[pe] != '#')
        pe++;
    he = hb;
    while (he < pe && s[he] != ':')
        he++;
    for (i = hb; i < pe; i++) {
        if (s[i] == '@')
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: a user name ('...@') is not allowed in a website "
                                   "address, got %s",
                                   field, knoop_repr(q, sizeof(q), s, len, 64));
        if (contact__is_ws(s[i]))
            goto space;
    }
    why = contact__host_problem(s + hb, he - hb);
    if (why != NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: %s, got %s", field, why,
                               knoop_repr(q, sizeof(q), s, len, 64));
    if (he < pe) {
        if (pe - he - 1 < 1 || pe - he - 1 > 5)
            goto badport;
        for (i = he + 1; i < pe; i++) {
            if (!contact__is_digit(s[i]))
                goto badport;
            port = port * 10 + (unsigned long)(s[i] - '0');
        }
        if (port < 1 || port > 65535)
            goto badport;
        has_port = !(port == (https ? 443UL : 80UL));
    }

    /* Path, query, fragment. */
    rb = pe;
    for (i = rb; i < e; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= e || !contact__is_hex(s[i + 1]) || !contact__is_hex(s[i + 2]))
                return knoop_error_set(err, KNOOP_EINVAL,
                                       "%s: '%%' must start an escape like '%%20', got %s", field,
                                       knoop_repr(q, sizeof(q), s, len, 64));
            i += 2;
            continue;
        }
        if (contact__is_ws(c))
            goto space;
        if ((unsigned char)c >= 0x80)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: non-ASCII characters must be percent-encoded in a website "
                                   "address, got %s",
                                   field, knoop_repr(q, sizeof(q), s, len, 64));
        if (!contact__is_url_char(c))
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: character '%c' is not allowed in a website address, got "
                                   "%s",
                                   field, (unsigned char)c >= 0x20 && c != 0x7f ? c : '?',
                                   knoop_repr(q, sizeof(q), s, len, 64));
    }

    /* Assemble: scheme, lower-case host, port unless default, "/" for an empty path. */
    {
        const char *scheme = https ? "https://" : "http://";
        size_t sl = strlen(scheme), pl = 0, need;
        if (has_port)
            pl = (size_t)snprintf(portbuf, sizeof(portbuf), ":%lu", port);
        need = sl + (he - hb) + pl + (rb == e || s[rb] != '/' ? 1 : 0) + (e - rb);
        if (need > SCHEMA_WEBSITE_MAX)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: a website address is at most %d bytes, got %zu: %s", field,
                                   SCHEMA_WEBSITE_MAX, need, knoop_repr(q, sizeof(q), s, len, 64));
        if (need + 1 > outsz)
            return knoop_error_set(err, KNOOP_ETOOLARGE,
                                   "%s: website address of %zu bytes does not fit the output "
                                   "buffer",
                                   field, need);
        memcpy(out, scheme, sl);
        o = sl;
        for (i = hb; i < he; i++)
            out[o++] = contact__lower(s[i]);
        memcpy(out + o, portbuf, pl);
        o += pl;
        if (rb == e || s[rb] != '/')
            out[o++] = '/';
        memcpy(out + o, s + rb, e - rb);
        o += e - rb;
        out[o] = '\0';
        return (int)o;
    }
space:
    return knoop_error_set(err, KNOOP_EINVAL,
                           "%s: spaces are not allowed in a website address (write %%20), got %s",
                           field, knoop_repr(q, sizeof(q), s, len, 64));
badport:
    return knoop_error_set(err, KNOOP_EINVAL, "%s: expected a port from 1 to 65535, got %s", field,
                           knoop_repr(q, sizeof(q), s, len, 64));
}
