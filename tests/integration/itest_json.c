/*
 * itest_json.c - JSON calls for the integration tests (layer: tests/integration).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "itest_json.h"

/* The printf-formatted parameters, malloc'd. */
static char *itest__format(const char *fmt, va_list ap)
{
    va_list aq;
    char *p;
    int n;
    va_copy(aq, ap);
    n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    p = malloc((size_t)n + 1);
    assert_non_null(p);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

json_t *itest_call(knoop_conn_t *c, const char *method, const char *params, int *rc,
                   knoop_error_t *err)
{
    char *out = NULL;
    json_t *j = NULL;
    *rc = knoop_call_json(c, method, params, &out, err);
    if (*rc == 0) {
        j = json_loads(out, JSON_DECODE_ANY, NULL);
        free(out);
    }
    return j;
}

json_t *itest_call_ok(knoop_conn_t *c, const char *method, const char *fmt, ...)
{
    knoop_error_t err;
    va_list ap;
    json_t *j;
    char *params;
    int rc;
    va_start(ap, fmt);
    params = itest__format(fmt, ap);
    va_end(ap);
    j = itest_call(c, method, params, &rc, &err);
    if (rc != 0 || j == NULL)
        fail_msg("%s %.200s: %s: %s", method, params, knoop_err_wire(rc), err.msg);
    free(params);
    return j;
}

void itest_call_fail(knoop_conn_t *c, int code, const char *part, const char *method,
                     const char *fmt, ...)
{
    knoop_error_t err;
    va_list ap;
    json_t *j;
    char *params;
    int rc;
    va_start(ap, fmt);
    params = itest__format(fmt, ap);
    va_end(ap);
    j = itest_call(c, method, params, &rc, &err);
    json_decref(j);
    if (rc != code)
        fail_msg("%s %.200s: expected %s, got %s: %s", method, params, knoop_err_wire(code),
                 rc ? knoop_err_wire(rc) : "success", rc ? err.msg : "");
    if (strstr(err.msg, part) == NULL)
        fail_msg("%s: message '%s' does not contain '%s'", method, err.msg, part);
    free(params);
}

json_int_t itest_jint(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    if (!json_is_integer(v))
        fail_msg("no integer %s", k);
    return json_integer_value(v);
}

const char *itest_jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s != NULL ? s : "";
}

knoop_conn_t *itest_connect(const char *addr)
{
    knoop_conn_t *c = NULL;
    knoop_error_t err;
    if (knoop_connect(addr, &c, &err) != 0)
        fail_msg("connect %s: %s", addr, err.msg);
    return c;
}
