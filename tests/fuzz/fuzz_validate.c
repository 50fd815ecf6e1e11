/*
 * fuzz_validate.c - libFuzzer target for the schema validators (layer: tests, for schema).
 *
 * The first byte of the input picks the validator (see fz_validators: 'p' postcode, 'a' an
 * address line, 'A' a whole address, 'e' e-mail, 'f' phone, 'w' website, 'n' a person's name,
 * 'd' a date, 'g'/'v' CBS codes, ...; any other byte picks one by its value); the rest is its
 * input. Multi-part inputs (a whole address, a person's name) are split at '\n'. Output buffers
 * are heap blocks of exactly the size passed, some of them small (the second input byte), so
 * ASan sees any write past outsz.
 *
 * Invariants checked besides "no crash, leak or sanitizer report":
 * - a result's length is what the function returned and fits the documented size;
 * - normalising is idempotent: a normalised value is accepted again and comes out unchanged;
 * - failures return the documented codes, and err holds a NUL-terminated message.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "schema_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef void (*fz_fn)(const char *s, size_t len, size_t outsz);

static void fz_err_ok(int rc, const knoop_error_t *err)
{
    assert(rc == KNOOP_EINVAL || rc == KNOOP_ETOOLARGE || rc == KNOOP_ENOMEM);
    assert(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
}

/* A checker of the common shape: (s, len, field, out, outsz, err) -> length or error. */
typedef int (*fz_check_fn)(const char *s, size_t len, const char *field, char *out, size_t outsz,
                           knoop_error_t *err);

/* Runs check with an exact outsz block, then with a full-size one, and checks idempotence. */
static void fz_check_shape(fz_check_fn check, size_t full, const char *s, size_t len, size_t outsz)
{
    knoop_error_t err;
    char *small = malloc(outsz ? outsz : 1), *out = malloc(full), *again = malloc(full);
    int rc, rc2;

    if (small == NULL || out == NULL || again == NULL)
        goto out;
    rc = check(s, len, "f", small, outsz, &err);
    if (rc < 0)
        fz_err_ok(rc, &err);
    else
        assert((size_t)rc < outsz && strlen(small) == (size_t)rc);
    rc = check(s, len, "f", out, full, &err);
    if (rc < 0) {
        fz_err_ok(rc, &err);
        assert(rc != KNOOP_ETOOLARGE); /* full always suffices */
        goto out;
    }
    assert((size_t)rc < full && strlen(out) == (size_t)rc);
    rc2 = check(out, (size_t)rc, "f", again, full, &err);
    assert(rc2 == rc && memcmp(out, again, (size_t)rc + 1) == 0);
out:
    free(small);
    free(out);
    free(again);
}

static void fz_email(const char *s, size_t len, size_t outsz)
{
    fz_check_shape(schema_email_check, SCHEMA_EMAIL_SIZE, s, len, outsz);
}

static void fz_phone(const char *s, size_t len, size_t outsz)
{
    fz_check_shape(schema_phone_normalise, SCHEMA_PHONE_SIZE, s, len, outsz);
}

static void fz_website(const char *s, size_t len, size_t outsz)
{
    fz_check_shape(schema_website_check, SCHEMA_WEBSITE_SIZE, s, len, outsz);
}

static void fz_postcode(const char *s, size_t len, size_t outsz)
{
    char out[SCHEMA_POSTCODE_SIZE], again[SCHEMA_POSTCODE_SIZE];
    knoop_error_t err;
    unsigned pc4;
    int rc;

    (void)outsz;
    rc = schema_postcode_normalise(s, len, "f", out, &err);
    if (rc != 0) {
        fz_err_ok(rc, &err);
        return;
    }
    assert(strlen(out) == 7 && out[4] == ' ');
    assert(schema_postcode_normalise(out, 7, "f", again, &err) == 0 && strcmp(out, again) == 0);
    assert(schema_pc4_parse(out, 4, "f", &pc4, &err) == 0 && pc4 >= 1000 && pc4 <= 9999);
}

static void fz_pc4(const char *s, size_t len, size_t outsz)
{
    knoop_error_t err;
    unsigned pc4;
    int rc = schema_pc4_parse(s, len, "f", &pc4, &err);

    (void)outsz;
    if (rc != 0)
        fz_err_ok(rc, &err);
    else
        assert(pc4 >= 1000 && pc4 <= 9999);
}

static void fz_cbs(const char *s, size_t len, size_t outsz)
{
    char gm[SCHEMA_CBS_GEMEENTE_SIZE], gm2[SCHEMA_CBS_GEMEENTE_SIZE];
    char pv[SCHEMA_CBS_PROVINCIE_SIZE], pv2[SCHEMA_CBS_PROVINCIE_SIZE];
    knoop_error_t err;
    int rc;

    (void)outsz;
    rc = schema_cbs_gemeentecode_check(s, len, "f", gm, &err);
    if (rc != 0)
        fz_err_ok(rc, &err);
    else
        assert(strlen(gm) == 6 && schema_cbs_gemeentecode_check(gm, 6, "f", gm2, &err) == 0 &&
               strcmp(gm, gm2) == 0);
    rc = schema_cbs_provinciecode_check(s, len, "f", pv, &err);
    if (rc != 0)
        fz_err_ok(rc, &err);
    else
        assert(strlen(pv) == 4 && schema_cbs_provinciecode_check(pv, 4, "f", pv2, &err) == 0 &&
               strcmp(pv, pv2) == 0);
}

static void fz_date(const char *s, size_t len, size_t outsz)
{
    schema_date_t d, d2;
    knoop_error_t err;
    char buf[16];
    int rc;

    (void)outsz;
    rc = schema_date_parse(s, len, "f", &d, &err);
    if (rc != 0) {
        fz_err_ok(rc, &err);
        return;
    }
    assert(d >= SCHEMA_DATE_MIN && d <= SCHEMA_DATE_MAX);
    schema_date_format(d, buf);
    assert(strlen(buf) == 10 && schema_date_parse(buf, 10, "f", &d2, &err) == 0 && d2 == d);
}

static void fz_kind(const char *s, size_t len, size_t outsz)
{
    schema_kind_t k;
    schema_addr_type_t t;
    knoop_error_t err;
    int rc;

    (void)outsz;
    rc = schema_kind_parse(s, len, "f", &k, &err);
    if (rc != 0)
        fz_err_ok(rc, &err);
    else
        assert(schema_kind_name((int)k) != NULL);
    rc = schema_addr_type_parse(s, len, "f", &t, &err);
    if (rc != 0)
        fz_err_ok(rc, &err);
    else
        assert(t == SCHEMA_ADDR_BEZOEK || t == SCHEMA_ADDR_POST);
}

static void fz_name(const char *s, size_t len, size_t outsz)
{
    knoop_error_t err;
    char *out = malloc(outsz ? outsz : 1), *again = malloc(outsz ? outsz : 1);
    int rc;

    rc = schema_check_name(s, len, "f", &err);
    if (rc != 0)
        fz_err_ok(rc, &err);
    if (out == NULL || again == NULL)
        goto out;
    rc = schema_name_normalise(s, len, out, outsz);
    if (rc < 0) {
        assert(rc == KNOOP_EINVAL || rc == KNOOP_ENOMEM);
        goto out;
    }
    assert(outsz > 0 && (size_t)rc < outsz && strlen(out) == (size_t)rc);
    rc = schema_name_normalise(out, (size_t)rc, again, outsz);
    assert(rc == KNOOP_ENOMEM || (rc >= 0 && strcmp(out, again) == 0));
out:
    free(out);
    free(again);
}

static void fz_search_key(const char *s, size_t len, size_t outsz)
{
    char *out = malloc(outsz ? outsz : 1);
    int rc;

    if (out == NULL)
        return;
    rc = schema_person_search_key(s, len, out, outsz);
    if (rc < 0)
        assert(rc == KNOOP_EINVAL || rc == KNOOP_ENOMEM || rc == KNOOP_ETOOLARGE);
    else
        assert(outsz > 0 && (size_t)rc < outsz && strlen(out) == (size_t)rc);
    free(out);
}

/* Copies the next '\n'-separated part of s[*pos..len) into dst[0..dstsz) (cut to fit; an
 * embedded NUL stays, as a client could send one). */
static void fz_part(const char *s, size_t len, size_t *pos, char *dst, size_t dstsz)
{
    size_t end = *pos, n;

    while (end < len && s[end] != '\n')
        end++;
    n = end - *pos < dstsz - 1 ? end - *pos : dstsz - 1;
    memcpy(dst, s + *pos, n);
    dst[n] = '\0';
    *pos = end < len ? end + 1 : len;
}

/* The members of two checked values are equal (bytes after a member's NUL do not count). */
static bool fz_same_address(const schema_address_t *a, const schema_address_t *b)
{
    return a->type == b->type && a->house_number == b->house_number &&
           strcmp(a->street, b->street) == 0 && strcmp(a->house_letter, b->house_letter) == 0 &&
           strcmp(a->addition, b->addition) == 0 && strcmp(a->postbus, b->postbus) == 0 &&
           strcmp(a->postcode, b->postcode) == 0 && strcmp(a->place, b->place) == 0;
}

static bool fz_same_person(const schema_person_name_t *a, const schema_person_name_t *b)
{
    return strcmp(a->initials, b->initials) == 0 && strcmp(a->first_names, b->first_names) == 0 &&
           strcmp(a->tussenvoegsel, b->tussenvoegsel) == 0 && strcmp(a->surname, b->surname) == 0;
}

static void fz_address_after_check(schema_address_t *a, size_t outsz)
{
    schema_address_t b = *a;
    knoop_error_t err;
    char *out = malloc(outsz ? outsz : 1), full[SCHEMA_ADDRESS_FORMAT_SIZE];
    int rc;

    /* Checking a checked address changes nothing. */
    assert(schema_address_check(&b, "f", &err) == 0 && fz_same_address(&b, a));
    rc = schema_address_format(a, full, sizeof(full));
    assert(rc >= 0 && strlen(full) == (size_t)rc);
    if (out != NULL) {
        rc = schema_address_format(a, out, outsz);
        assert(rc == KNOOP_ETOOLARGE || (rc >= 0 && (size_t)rc < outsz && strcmp(out, full) == 0));
        free(out);
    }
}

/* A whole address: type byte, then street, number, letter, addition, postbus, postcode and
 * place, one per line. */
static void fz_address(const char *s, size_t len, size_t outsz)
{
    schema_address_t a, before;
    knoop_error_t err;
    char num[16];
    size_t pos = 1;
    int rc;

    if (len < 1)
        return;
    memset(&a, 0, sizeof(a));
    a.type = (schema_addr_type_t)(s[0] % 4); /* 1 and 2 valid, 0 and 3 not */
    fz_part(s, len, &pos, a.street, sizeof(a.street));
    fz_part(s, len, &pos, num, sizeof(num));
    a.house_number = (unsigned)strtoul(num, NULL, 10);
    fz_part(s, len, &pos, a.house_letter, sizeof(a.house_letter));
    fz_part(s, len, &pos, a.addition, sizeof(a.addition));
    fz_part(s, len, &pos, a.postbus, sizeof(a.postbus));
    fz_part(s, len, &pos, a.postcode, sizeof(a.postcode));
    fz_part(s, len, &pos, a.place, sizeof(a.place));
    before = a;
    rc = schema_address_check(&a, "f", &err);
    if (rc != 0) {
        fz_err_ok(rc, &err);
        assert(memcmp(&a, &before, sizeof(a)) == 0); /* unchanged on error */
        return;
    }
    fz_address_after_check(&a, outsz);
}

/* Address line 1 (up to the first '\n'), then the postcode and place lines. */
static void fz_address_line(const char *s, size_t len, size_t outsz)
{
    schema_address_t a, before;
    knoop_error_t err;
    size_t line = 0, pos;
    int rc;

    while (line < len && s[line] != '\n')
        line++;
    pos = line < len ? line + 1 : len;
    memset(&a, 0, sizeof(a));
    a.type = SCHEMA_ADDR_POST;
    fz_part(s, len, &pos, a.postcode, sizeof(a.postcode));
    fz_part(s, len, &pos, a.place, sizeof(a.place));
    before = a;
    rc = schema_address_parse_line(s, line, "f", &a, &err);
    if (rc != 0) {
        fz_err_ok(rc, &err);
        assert(memcmp(&a, &before, sizeof(a)) == 0);
        return;
    }
    assert(a.street[0] != '\0' || a.postbus[0] != '\0');
    if (schema_address_check(&a, "f", &err) == 0)
        fz_address_after_check(&a, outsz);
}

/* A person's name: initials, first names, tussenvoegsel and surname, one per line. */
static void fz_person(const char *s, size_t len, size_t outsz)
{
    schema_person_name_t n, before, again;
    knoop_error_t err;
    char *out = NULL, full[SCHEMA_PERSON_DISPLAY_SIZE], key[SCHEMA_PERSON_KEY_SIZE];
    size_t pos = 0;
    int rc;

    memset(&n, 0, sizeof(n));
    fz_part(s, len, &pos, n.initials, sizeof(n.initials));
    fz_part(s, len, &pos, n.first_names, sizeof(n.first_names));
    fz_part(s, len, &pos, n.tussenvoegsel, sizeof(n.tussenvoegsel));
    fz_part(s, len, &pos, n.surname, sizeof(n.surname));
    before = n;
    rc = schema_person_name_check(&n, "f", &err);
    if (rc != 0) {
        fz_err_ok(rc, &err);
        assert(memcmp(&n, &before, sizeof(n)) == 0);
        return;
    }
    again = n;
    assert(schema_person_name_check(&again, "f", &err) == 0 && fz_same_person(&again, &n));
    rc = schema_person_display(&n, full, sizeof(full));
    assert(rc >= 0 && strlen(full) == (size_t)rc);
    if ((out = malloc(outsz ? outsz : 1)) != NULL) {
        rc = schema_person_display(&n, out, outsz);
        assert(rc == KNOOP_ETOOLARGE || (rc >= 0 && strcmp(out, full) == 0));
        rc = schema_person_sort_key(&n, out, outsz);
        assert(rc == KNOOP_ENOMEM || rc == KNOOP_ETOOLARGE || (rc >= 0 && (size_t)rc < outsz));
        free(out);
    }
    rc = schema_person_sort_key(&n, key, sizeof(key));
    assert(rc == KNOOP_ENOMEM || (rc >= 0 && strlen(key) == (size_t)rc));
}

static const struct {
    char tag;
    fz_fn fn;
} fz_validators[] = {
    { 'p', fz_postcode },   { '4', fz_pc4 },   { 'a', fz_address_line }, { 'A', fz_address },
    { 'e', fz_email },      { 'f', fz_phone }, { 'w', fz_website },      { 'n', fz_person },
    { 's', fz_search_key }, { 'N', fz_name },  { 'g', fz_cbs },          { 'v', fz_cbs },
    { 'd', fz_date },       { 'k', fz_kind },
};
#define FZ_NVALIDATORS (sizeof(fz_validators) / sizeof(fz_validators[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t i, outsz;

    if (size < 2)
        return 0;
    /* The second byte: the size of the small output buffers (0..255). */
    outsz = data[1];
    for (i = 0; i < FZ_NVALIDATORS; i++)
        if (fz_validators[i].tag == (char)data[0])
            break;
    if (i == FZ_NVALIDATORS)
        i = data[0] % FZ_NVALIDATORS;
    fz_validators[i].fn((const char *)data + 2, size - 2, outsz);
    return 0;
}
