/*
 * schema.h - domain values and their validation: calendar dates, node kinds, names
 * (layer: schema, pure functions, no I/O).
 */
#ifndef SCHEMA_H
#define SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "knoop_err.h"

/*
 * A calendar date as days since 1970-01-01 (proleptic Gregorian). Valid time is a half-open
 * interval [from, to) of such dates; SCHEMA_DATE_OPEN as `to` means "until further notice".
 */
typedef int32_t schema_date_t;
#define SCHEMA_DATE_MIN  (-719162) /* 0001-01-01 */
#define SCHEMA_DATE_MAX  2932896   /* 9999-12-31 */
#define SCHEMA_DATE_OPEN INT32_MAX

/*
 * Parses an ISO date "YYYY-MM-DD" (exactly that shape, a real day in 0001..9999) from s[0..len).
 * On error returns KNOOP_EINVAL with a message naming `field` and the bad value, e.g.
 * "params.valid_from: expected YYYY-MM-DD, got '2019-13-01'".
 */
int schema_date_parse(const char *s, size_t len, const char *field, schema_date_t *out,
                      knoop_error_t *err);

/*
 * Parses an RFC 3339 timestamp "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" from s[0..len)
 * into ms since the epoch, UTC (fractions beyond milliseconds are cut). Errors as
 * schema_date_parse, e.g. "params.known_at: expected an RFC 3339 timestamp ..., got '2020'".
 */
int schema_timestamp_parse(const char *s, size_t len, const char *field, int64_t *ms,
                           knoop_error_t *err);

/* Writes "YYYY-MM-DD" (or "" for SCHEMA_DATE_OPEN) into buf, which holds at least 11 bytes. */
char *schema_date_format(schema_date_t d, char *buf);

/* Today's date (UTC). */
schema_date_t schema_date_today(void);

/* Node kinds. The values are stored: never renumber. */
typedef enum {
    SCHEMA_KIND_PERSON = 1,
    SCHEMA_KIND_ORGANISATION = 2,
    SCHEMA_KIND_PROJECT = 3,
    SCHEMA_KIND_BODY = 4,
    /* Records of the contact administration (VNG Klantinteracties) and mailing lists. */
    SCHEMA_KIND_CONTACT = 5, /* a klantcontact: registered once, then immutable */
    SCHEMA_KIND_TASK = 6,    /* an interne taak started by a klantcontact */
    SCHEMA_KIND_LIST = 7,    /* a verzendlijst (mailing list) */
    /* A registered fact with an identity of its own that is neither an actor nor a body, such
     * as the result of an election (type verkiezingsuitslag). */
    SCHEMA_KIND_RECORD = 8
} schema_kind_t;
#define SCHEMA_KIND_FIRST SCHEMA_KIND_PERSON
#define SCHEMA_KIND_LAST  SCHEMA_KIND_RECORD

/* "person", "organisation", "project", "body", "contact", "task", "list", "record"; NULL for an
 * unknown value. */
const char *schema_kind_name(int kind);

/* True when k is a place where roles are held: organisation, body or project. */
bool schema_kind_holds_roles(schema_kind_t k);

/* Parses a kind name; KNOOP_EINVAL naming `field` and listing the kinds when unknown. */
int schema_kind_parse(const char *s, size_t len, const char *field, schema_kind_t *out,
                      knoop_error_t *err);

/*
 * Checks a type or property name: 1..KNOOP_MAX_NAME_BYTES bytes of valid UTF-8 without control
 * characters. KNOOP_EINVAL naming `field` otherwise.
 */
int schema_check_name(const char *s, size_t len, const char *field, knoop_error_t *err);

/*
 * Checks a name-like text of any length (the "name" of every kind of node): not empty, valid
 * UTF-8, no control characters (NUL, U+0001..U+001F, U+007F..U+009F). KNOOP_EINVAL naming
 * `field` and the byte otherwise.
 */
int schema_check_text(const char *s, size_t len, const char *field, knoop_error_t *err);

/*
 * Normalises a name for lookup: Unicode compatibility decomposition, case folding, marks
 * stripped (utf8proc), every run of characters that are not letters or digits turned into one
 * space, leading and trailing spaces removed. "'s-Hertogenbosch" -> "s hertogenbosch",
 * "Súdwest-Fryslân" -> "sudwest fryslan". Writes at most outsz-1 bytes and a NUL into out
 * (cut at a character boundary) and returns the length, or KNOOP_EINVAL when s is not valid
 * UTF-8, or KNOOP_ENOMEM.
 */
int schema_name_normalise(const char *s, size_t len, char *out, size_t outsz);

#endif
