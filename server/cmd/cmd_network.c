/*
 * cmd_network.c - the handlers of the network questions: query.holders, query.seats,
 * query.members, query.participation, query.roles, query.places, perspective.list and
 * perspective.get (layer: cmd). Each parses its parameters, calls one function of query/ on
 * the dispatcher's snapshot and packs its result; the questions themselves live in
 * server/query/.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "query.h"

static query_ctx_t qctx(const cmd_ctx_t *ctx)
{
    query_ctx_t q = { ctx->store, ctx->view, ctx->deadline_ms };
    return q;
}

/* An optional node reference: *id = 0 when absent. */
static int opt_ref(cmd_ctx_t *ctx, const msgpack_object *p, const char *field, uint64_t *id,
                   knoop_error_t *err)
{
    *id = 0;
    if (proto_param(p, field) == NULL)
        return KNOOP_OK;
    return cmd_node_ref(ctx, p, field, id, err);
}

/* `at`, today when absent. */
static int at_param(const msgpack_object *p, schema_date_t *at, knoop_error_t *err)
{
    bool present;
    *at = schema_date_today();
    return cmd_date_param(p, "at", at, &present, err);
}

#define MAX_ROLE_FILTER 32

int cmd_query_holders(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                      knoop_error_t *err)
{
    static const char role_msg[] = "params.role: expected a role type or an array of at most "
                                   "32 role types";
    char roles[MAX_ROLE_FILTER][KNOOP_MAX_NAME_BYTES + 1], pf[KNOOP_MAX_NAME_BYTES * 4];
    const char *rp[MAX_ROLE_FILTER];
    const msgpack_object *r = proto_param(p, "role");
    query_holders_args_t a = { 0 };
    query_roles_t out = { 0 };
    query_ctx_t q = qctx(ctx);
    bool contacts = false, has_pf;
    int rc;

    if ((rc = opt_ref(ctx, p, "org", &a.org, err)) != KNOOP_OK ||
        (rc = opt_ref(ctx, p, "scope", &a.scope, err)) != KNOOP_OK ||
        (rc = opt_ref(ctx, p, "person", &a.person, err)) != KNOOP_OK ||
        (rc = at_param(p, &a.at, err)) != KNOOP_OK ||
        (rc = cmd_limit_param(p, &a.limit, err)) != KNOOP_OK ||
        (rc = cmd_str_param(p, "portefeuille", pf, sizeof(pf), &has_pf, err)) != KNOOP_OK)
        return rc;
    if (a.org != 0 && a.scope != 0)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params.scope: give org or scope, not both (org asks one "
                               "organisation, scope the members of a province, region or koepel)");
    if (r != NULL) {
        const msgpack_object *v = r->type == MSGPACK_OBJECT_ARRAY ? r->via.array.ptr : r;
        uint32_t n = r->type == MSGPACK_OBJECT_ARRAY ? r->via.array.size : 1;
        if (n == 0 || n > MAX_ROLE_FILTER)
            return knoop_error_set(err, KNOOP_EINVAL, "%s", role_msg);
        for (uint32_t i = 0; i < n; i++) {
            if (v[i].type != MSGPACK_OBJECT_STR || v[i].via.str.size == 0 ||
                v[i].via.str.size > KNOOP_MAX_NAME_BYTES)
                return knoop_error_set(err, KNOOP_EINVAL, "%s", role_msg);
            memcpy(roles[i], v[i].via.str.ptr, v[i].via.str.size);
            roles[i][v[i].via.str.size] = '\0';
            rp[i] = roles[i];
        }
        a.roles = rp;
        a.nroles = n;
    }
    a.portefeuille = has_pf && pf[0] != '\0' ? pf : NULL;
    proto_param_bool(p, "contacts", &contacts);
    proto_param_bool(p, "examples", &a.examples);
    rc = query_holders(&q, &a, &out, err);
    if (rc == KNOOP_OK)
        query_holders_pack(pk, &out, contacts);
    query_roles_free(&out);
    return rc;
}

int cmd_query_seats(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    query_seats_t out = { 0 };
    query_ctx_t q = qctx(ctx);
    schema_date_t at;
    uint64_t g;
    bool examples = false;
    int rc;
    if ((rc = cmd_node_ref(ctx, p, "gemeente", &g, err)) != KNOOP_OK ||
        (rc = at_param(p, &at, err)) != KNOOP_OK)
        return rc;
    proto_param_bool(p, "examples", &examples);
    rc = query_seats(&q, g, at, examples, &out, err);
    if (rc == KNOOP_OK)
        query_seats_pack(pk, &out);
    query_seats_free(&out);
    return rc;
}

int cmd_query_members(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                      knoop_error_t *err)
{
    char type[KNOOP_MAX_NAME_BYTES + 1];
    query_members_t out = { 0 };
    query_ctx_t q = qctx(ctx);
    schema_date_t at;
    bool has_type, derived = true, examples = false;
    size_t limit;
    uint64_t node;
    int rc;
    if ((rc = cmd_node_ref(ctx, p, "node", &node, err)) != KNOOP_OK ||
        (rc = cmd_str_param(p, "type", type, sizeof(type), &has_type, err)) != KNOOP_OK ||
        (rc = at_param(p, &at, err)) != KNOOP_OK ||
        (rc = cmd_limit_param(p, &limit, err)) != KNOOP_OK)
        return rc;
    proto_param_bool(p, "derived", &derived);
    proto_param_bool(p, "examples", &examples);
    rc = query_members(&q, node, has_type ? type : NULL, at, derived, examples, limit, &out, err);
    if (rc == KNOOP_OK)
        query_members_pack(pk, &out, "members");
    query_members_free(&out);
    return rc;
}

int cmd_query_participation(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                            knoop_error_t *err)
{
    query_members_t out = { 0 };
    query_ctx_t q = qctx(ctx);
    schema_date_t at;
    size_t limit;
    uint64_t node;
    bool examples = false;
    int rc;
    if ((rc = cmd_node_ref(ctx, p, "node", &node, err)) != KNOOP_OK ||
        (rc = at_param(p, &at, err)) != KNOOP_OK ||
        (rc = cmd_limit_param(p, &limit, err)) != KNOOP_OK)
        return rc;
    proto_param_bool(p, "examples", &examples);
    rc = query_participation(&q, node, at, examples, limit, &out, err);
    if (rc == KNOOP_OK)
        query_members_pack(pk, &out, "participation");
    query_members_free(&out);
    return rc;
}

int cmd_query_roles(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    query_roles_t out = { 0 };
    query_ctx_t q = qctx(ctx);
    schema_date_t at, from = INT32_MIN + 1, to = SCHEMA_DATE_OPEN;
    bool has_from, has_to;
    size_t limit;
    uint64_t person;
    int rc;
    if ((rc = cmd_node_ref(ctx, p, "person", &person, err)) != KNOOP_OK ||
        (rc = at_param(p, &at, err)) != KNOOP_OK ||
        (rc = cmd_date_param(p, "from", &from, &has_from, err)) != KNOOP_OK ||
        (rc = cmd_date_param(p, "to", &to, &has_to, err)) != KNOOP_OK ||
        (rc = cmd_limit_param(p, &limit, err)) != KNOOP_OK)
        return rc;
    if ((has_from || has_to) && proto_param(p, "at") != NULL)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params.at: give at (one date) or from/to (a period), not both");
    if (has_from && has_to && to <= from)
        return knoop_error_set(err, KNOOP_EINVAL, "params.to: must be after params.from");
    cmd_audit_note(ctx, person);
    rc = query_roles(&q, person, has_from || has_to, at, from, to, limit, &out, err);
    if (rc == KNOOP_OK)
        query_roles_pack(pk, &out);
    query_roles_free(&out);
    return rc;
}

int cmd_query_places(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err)
{
    char gem[16];
    query_places_t out = { 0 };
    query_ctx_t q = qctx(ctx);
    schema_date_t at;
    bool all = false, present;
    uint64_t id = 0;
    int rc;
    if ((rc = at_param(p, &at, err)) != KNOOP_OK)
        return rc;
    proto_param_bool(p, "all", &all);
    if (!proto_param_u64(p, "gemeente", &id) &&
        (rc = cmd_str_param(p, "gemeente", gem, sizeof(gem), &present, err)) != KNOOP_OK)
        return rc;
    rc = query_places(&q, id, id != 0 ? NULL : gem, at, all, &out, err);
    if (rc == KNOOP_OK)
        query_places_pack(pk, &out);
    query_places_free(&out);
    return rc;
}

int cmd_perspective_list(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                         knoop_error_t *err)
{
    (void)ctx, (void)p, (void)err;
    query_perspectives_pack(pk);
    return KNOOP_OK;
}

int cmd_perspective_get(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                        knoop_error_t *err)
{
    char name[KNOOP_MAX_NAME_BYTES + 1], q96[96];
    const query_perspective_t *per;
    query_ctx_t q = qctx(ctx);
    schema_date_t at;
    uint64_t subject;
    bool present;
    int rc;
    if ((rc = cmd_str_param(p, "name", name, sizeof(name), &present, err)) != KNOOP_OK ||
        (rc = at_param(p, &at, err)) != KNOOP_OK ||
        (rc = opt_ref(ctx, p, "subject", &subject, err)) != KNOOP_OK)
        return rc;
    if ((per = query_perspective_find(name)) == NULL) {
        char known[256] = "";
        size_t o = 0;
        for (size_t i = 0; query_perspectives[i] != NULL && o < sizeof(known); i++)
            o += (size_t)snprintf(known + o, sizeof(known) - o, "%s%s", i ? ", " : "",
                                  query_perspectives[i]->name);
        return knoop_error_set(err, KNOOP_EINVAL, "params.name: unknown perspective %s (known: %s)",
                               knoop_repr(q96, sizeof(q96), name, strlen(name), 64), known);
    }
    return query_perspective_get(&q, per, subject, at, pk, err);
}
