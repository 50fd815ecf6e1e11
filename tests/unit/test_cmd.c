/*
 * test_cmd.c - the dispatcher and handlers of cmd, run through cmd_run against a real store in
 * a mkdtemp directory (layer: tests, for cmd).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cmd.h"
#include "testutil.h"

typedef struct {
    char dir[256];
    store_t *store;
} fixture_t;

static int setup(void **state)
{
    static fixture_t f;
    store_options_t so;
    knoop_error_t err;

    tu_mkdtemp(f.dir, sizeof(f.dir));
    store_options_default(&so);
    so.sync = false;
    if (store_open(f.dir, &so, &f.store, &err) != KNOOP_OK ||
        cmd_domain_init(f.store, &err) != KNOOP_OK)
        return -1;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    cmd_domain_shutdown();
    store_close(f->store);
    tu_rmtree(f->dir);
    return 0;
}

/* Runs method with the named parameters params (a map) through the dispatcher. */
static int run(fixture_t *f, const char *method, const msgpack_object *params, knoop_error_t *err)
{
    const cmd_t *cmd = cmd_lookup(method, strlen(method));
    cmd_ctx_t ctx;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    int rc;

    assert_non_null(cmd);
    memset(&ctx, 0, sizeof(ctx));
    ctx.store = f->store;
    ctx.who.actor = "test";
    ctx.roles = CMD_ROLE_ALL;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    rc = cmd_run(cmd, &ctx, params, &pk, err);
    msgpack_sbuffer_destroy(&sb);
    return rc;
}

/* Regression (found by fuzz_dispatch, UBSan): schema.list.add to a list defined with no values
 * copied its values with memcpy from NULL. */
static void list_add_extends_a_list_defined_empty(void **state)
{
    fixture_t *f = *state;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    knoop_error_t err;
    tu_obj_t o;

    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 2);
    msgpack_pack_str_with_body(&pk, "name", 4);
    msgpack_pack_str_with_body(&pk, "leeg", 4);
    msgpack_pack_str_with_body(&pk, "values", 6);
    msgpack_pack_array(&pk, 0);
    tu_obj_init(&o);
    assert_int_equal(run(f, "schema.list.define", tu_from_sbuf(&o, &sb), &err), KNOOP_OK);
    tu_obj_free(&o);
    msgpack_sbuffer_destroy(&sb);

    tu_obj_init(&o);
    assert_int_equal(
        run(f, "schema.list.add", tu_map_str(&o, "list", "leeg", "code", "eerste", NULL), &err),
        KNOOP_OK);
    tu_obj_free(&o);
}

/* Every read method accepts `purpose` and `reason` on top of its own parameters (the
 * dispatcher's common ones): whatever else it says, never "unknown parameter". */
static void every_read_method_accepts_purpose_and_reason(void **state)
{
    fixture_t *f = *state;
    for (const cmd_t *c = cmd_table; c->name != NULL; c++) {
        knoop_error_t err = { 0 };
        tu_obj_t o;
        if (c->flags & CMD_WRITE)
            continue;
        tu_obj_init(&o);
        (void)run(f, c->name, tu_map_str(&o, "purpose", "onderzoek", "reason", "vraag", NULL),
                  &err);
        tu_obj_free(&o);
        if (strstr(err.msg, "unknown parameter") != NULL)
            fail_msg("%s: %s", c->name, err.msg);
    }
}

/* A purpose longer than CMD_PURPOSE_MAX bytes is refused before the read runs. */
static void a_too_long_purpose_is_invalid(void **state)
{
    fixture_t *f = *state;
    char purpose[CMD_PURPOSE_MAX + 2];
    knoop_error_t err;
    tu_obj_t o;
    memset(purpose, 'x', sizeof(purpose) - 1);
    purpose[sizeof(purpose) - 1] = '\0';
    tu_obj_init(&o);
    assert_int_equal(run(f, "schema.types", tu_map_str(&o, "purpose", purpose, NULL), &err),
                     KNOOP_EINVAL);
    assert_non_null(strstr(err.msg, "params.purpose"));
    tu_obj_free(&o);
}

/* schema.list.define {name, values: [], reason?} (reason NULL: none). */
static int list_define(fixture_t *f, const char *name, const char *reason, knoop_error_t *err)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    tu_obj_t o;
    int rc;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, reason != NULL ? 3 : 2);
    msgpack_pack_str_with_body(&pk, "name", 4);
    msgpack_pack_str_with_body(&pk, name, strlen(name));
    msgpack_pack_str_with_body(&pk, "values", 6);
    msgpack_pack_array(&pk, 0);
    if (reason != NULL) {
        msgpack_pack_str_with_body(&pk, "reason", 6);
        msgpack_pack_str_with_body(&pk, reason, strlen(reason));
    }
    tu_obj_init(&o);
    rc = run(f, "schema.list.define", tu_from_sbuf(&o, &sb), err);
    tu_obj_free(&o);
    msgpack_sbuffer_destroy(&sb);
    return rc;
}

/* --require-reason: the named method without a reason is invalid_argument naming the method
 * and the parameter; with one it runs; other methods are not affected. */
static void require_reason_refuses_a_call_without_reason(void **state)
{
    fixture_t *f = *state;
    knoop_error_t err;
    tu_obj_t o;

    assert_int_equal(cmd_require_reason("no.such.method", &err), KNOOP_EINVAL);
    assert_non_null(strstr(err.msg, "no.such.method"));
    assert_int_equal(cmd_require_reason("schema.list.define", &err), KNOOP_OK);
    assert_int_equal(list_define(f, "redenen", NULL, &err), KNOOP_EINVAL);
    assert_non_null(strstr(err.msg, "schema.list.define"));
    assert_non_null(strstr(err.msg, "params.reason"));
    assert_int_equal(list_define(f, "redenen", "", &err), KNOOP_EINVAL);
    assert_int_equal(list_define(f, "redenen", "test", &err), KNOOP_OK);
    tu_obj_init(&o);
    assert_int_equal(run(f, "schema.types", tu_map_str(&o, NULL), &err), KNOOP_OK);
    tu_obj_free(&o);
    cmd_policy_reset();
}

/* Retention rules: the syntax, the bounds, and calendar cut-offs. */
static void retention_rules_parse_and_cut_off_on_the_calendar(void **state)
{
    cmd_retention_rule_t r;
    knoop_error_t err;
    static const char *const bad[] = { "",
                                       "contact",
                                       "contact 5",
                                       "contact y",
                                       "contact 0d",
                                       "contact 101y",
                                       "contact 5x",
                                       "person 5y",
                                       "contact 5y extra",
                                       "contact -5y",
                                       "contact 36501d",
                                       NULL };
    (void)state;
    assert_int_equal(cmd_retention_rule_parse("contact 5y", &r, &err), KNOOP_OK);
    assert_string_equal(r.text, "contact 5y");
    assert_int_equal(cmd_retention_rule_parse("  klantcontact\t18m ", &r, &err), KNOOP_OK);
    assert_string_equal(r.text, "contact 18m");
    for (int i = 0; bad[i] != NULL; i++)
        if (cmd_retention_rule_parse(bad[i], &r, &err) != KNOOP_EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
    /* 2026-12-02T13:00:00.250Z */
    {
        const int64_t now = 1796216400250LL;
        char ts[32];
        assert_int_equal(cmd_retention_rule_parse("contact 5y", &r, &err), KNOOP_OK);
        assert_string_equal(store_format_ts(cmd_retention_cutoff(&r, now), ts),
                            "2021-12-02T13:00:00.250Z");
        assert_int_equal(cmd_retention_rule_parse("contact 18m", &r, &err), KNOOP_OK);
        assert_string_equal(store_format_ts(cmd_retention_cutoff(&r, now), ts),
                            "2025-06-02T13:00:00.250Z");
        assert_int_equal(cmd_retention_rule_parse("contact 2w", &r, &err), KNOOP_OK);
        assert_string_equal(store_format_ts(cmd_retention_cutoff(&r, now), ts),
                            "2026-11-18T13:00:00.250Z");
        assert_int_equal(cmd_retention_rule_parse("contact 30d", &r, &err), KNOOP_OK);
        assert_string_equal(store_format_ts(cmd_retention_cutoff(&r, now), ts),
                            "2026-11-02T13:00:00.250Z");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_add_extends_a_list_defined_empty),
        cmocka_unit_test(every_read_method_accepts_purpose_and_reason),
        cmocka_unit_test(a_too_long_purpose_is_invalid),
        cmocka_unit_test(require_reason_refuses_a_call_without_reason),
        cmocka_unit_test(retention_rules_parse_and_cut_off_on_the_calendar),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
