/*
 * itest_json.h - calling a method with JSON parameters and reading its JSON result, for the
 * integration tests (layer: tests/integration).
 */
#ifndef ITEST_JSON_H
#define ITEST_JSON_H

#include <jansson.h>

#include "knoop.h"

/*
 * Calls method with params (a JSON object as text, NULL for none) on c. Returns the result as
 * JSON (any JSON value; the caller json_decref's it) with *rc = 0, or NULL with *rc the error
 * code and err its message.
 */
json_t *itest_call(knoop_conn_t *c, const char *method, const char *params, int *rc,
                   knoop_error_t *err);

/* As itest_call with params given as a printf format; fails the running cmocka test (with the
 * method, the parameters and the error) unless the call succeeds. */
json_t *itest_call_ok(knoop_conn_t *c, const char *method, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As itest_call with params given as a printf format; fails the running test unless the call
 * fails with code and a message that contains part. */
void itest_call_fail(knoop_conn_t *c, int code, const char *part, const char *method,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Member k of object o: an integer (fails the test when it is not one), or a string ("" when it
 * is not one). */
json_int_t itest_jint(const json_t *o, const char *k);
const char *itest_jstr(const json_t *o, const char *k);

/* Connects to addr; fails the running test when it cannot. */
knoop_conn_t *itest_connect(const char *addr);

#endif
