/*
 * itest_json.c - JSON calls for the integration tests (layer: tests/integration).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "itest_json.h"

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
    int rc, n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    params = malloc((size_t)n + 1);
    assert_non_null(params);
    va_start(ap, fmt);
    vsnprintf(params, (size_t)n + 1, fmt, ap);
    va_end(ap);
    j = itest_call(c, method, params, &rc, &err);
    if (rc != 0 || j == NULL)
        fail_msg("%s %.200s: %s: %s", method, params, knoop_err_wire(rc), err.msg);
    free(params);
    return j;
}

knoop_conn_t *itest_connect(const char *addr)
{
    knoop_conn_t *c = NULL;
    knoop_error_t err;
    if (knoop_connect(addr, &c, &err) != 0)
        fail_msg("connect %s: %s", addr, err.msg);
    return c;
}
