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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_add_extends_a_list_defined_empty),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
