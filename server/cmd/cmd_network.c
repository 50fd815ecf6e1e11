/*
 * cmd_network.c - the handlers of the network questions: query.holders, query.seats,
 * query.members, query.participation, query.roles, query.places, query.path,
 * query.neighbourhood, perspective.list and perspective.get (layer: cmd). Each parses its
 * parameters, calls one function of query/ on the dispatcher's snapshot and packs its result;
 * the questions themselves live in server/query/.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "query.h"

static query_ctx_t qctx(const cmd_ctx_t *ctx)
{
    query_ctx_t q = { ctx->store, ctx->view, ctx->deadline_ms, ctx->loop_until_ns };
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

/* ---- query.path and query.neighbourhood ---- */

/* The valid-time parameters of a path question: at (one date), from/to (a period), or neither
 * (ever). */
static int time_params(const msgpack_object *p, query_time_t *time, schema_date_t *at,
                       schema_date_t *from, schema_date_t *to, knoop_error_t *err)
{
    bool has_at, has_from, has_to;
    int rc;
    *at = schema_date_today();
    *from = SCHEMA_DATE_MIN;
    *to = SCHEMA_DATE_OPEN;
    if ((rc = cmd_date_param(p, "at", at, &has_at, err)) != KNOOP_OK ||
        (rc = cmd_date_param(p, "from", from, &has_from, err)) != KNOOP_OK ||
        (rc = cmd_date_param(p, "to", to, &has_to, err)) != KNOOP_OK)
        return rc;
    if (has_at && (has_from || has_to))
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params.at: give at (one date) or from/to (a period), not both");
    if (has_from && has_to && *to <= *from)
        return knoop_error_set(err, KNOOP_EINVAL, "params.to: must be after params.from");
    *time = has_at ? QUERY_TIME_AT : has_from || has_to ? QUERY_TIME_PERIOD : QUERY_TIME_EVER;
    return KNOOP_OK;
}

/* `links`: an array of link names; QUERY_LINKS_DEFAULT when absent. */
static int links_param(const msgpack_object *p, unsigned *links, knoop_error_t *err)
{
    const msgpack_object *l = proto_param(p, "links");
    char q96[96];
    *links = QUERY_LINKS_DEFAULT;
    if (l == NULL)
        return KNOOP_OK;
    if (l->via.array.size == 0 || l->via.array.size > 8)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params.links: expected 1 to 8 of kent, co-membership, contact, "
                               "membership");
    *links = 0;
    for (uint32_t i = 0; i < l->via.array.size; i++) {
        const msgpack_object *v = &l->via.array.ptr[i];
        unsigned b =
            v->type == MSGPACK_OBJECT_STR ? query_link_parse(v->via.str.ptr, v->via.str.size) : 0;
        if (b == 0)
            return knoop_error_set(
                err, KNOOP_EINVAL,
                "params.links[%u]: expected kent, co-membership, contact or membership, got %s",
                (unsigned)i,
                v->type == MSGPACK_OBJECT_STR
                    ? knoop_repr(q96, sizeof(q96), v->via.str.ptr, v->via.str.size, 64)
                    : "a non-string");
        *links |= b;
    }
    return KNOOP_OK;
}

/* `max_expanded`: KNOOP_PATH_DEFAULT_EXPANDED when absent, 1..KNOOP_PATH_MAX_EXPANDED. */
static int expanded_param(const msgpack_object *p, uint64_t *v, knoop_error_t *err)
{
    *v = KNOOP_PATH_DEFAULT_EXPANDED;
    if (proto_param_u64(p, "max_expanded", v) && (*v == 0 || *v > KNOOP_PATH_MAX_EXPANDED))
        return knoop_error_set(err, KNOOP_EINVAL, "params.max_expanded: must be 1..%d, got %llu",
                               KNOOP_PATH_MAX_EXPANDED, (unsigned long long)*v);
    return KNOOP_OK;
}

bool cmd_query_path_try(store_t *s, const msgpack_object *p)
{
    uint64_t k;
    (void)s;
    return proto_param(p, "known_at") == NULL &&
           (proto_param(p, "k") == NULL || (proto_param_u64(p, "k", &k) && k == 1));
}

int cmd_query_path(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    uint64_t exclude[KNOOP_PATH_MAX_EXCLUDE];
    const msgpack_object *ex = proto_param(p, "exclude");
    query_path_args_t a = { 0 };
    query_paths_t out = { 0 };
    query_ctx_t q = qctx(ctx);
    uint64_t v;
    int rc;

    if ((rc = cmd_node_ref(ctx, p, "source", &a.source, err)) != KNOOP_OK ||
        (rc = cmd_node_ref(ctx, p, "target", &a.target, err)) != KNOOP_OK ||
        (rc = time_params(p, &a.time, &a.at, &a.from, &a.to, err)) != KNOOP_OK ||
        (rc = links_param(p, &a.links, err)) != KNOOP_OK ||
        (rc = expanded_param(p, &a.max_expanded, err)) != KNOOP_OK)
        return rc;
    a.max_hops = KNOOP_PATH_DEFAULT_HOPS;
    if (proto_param_u64(p, "max_hops", &v)) {
        if (v == 0 || v > KNOOP_PATH_MAX_HOPS)
            return knoop_error_set(err, KNOOP_EINVAL, "params.max_hops: must be 1..%d, got %llu",
                                   KNOOP_PATH_MAX_HOPS, (unsigned long long)v);
        a.max_hops = (unsigned)v;
    }
    a.k = 1;
    if (proto_param_u64(p, "k", &v)) {
        if (v == 0 || v > KNOOP_PATH_MAX_K)
            return knoop_error_set(err, KNOOP_EINVAL, "params.k: must be 1..%d, got %llu",
                                   KNOOP_PATH_MAX_K, (unsigned long long)v);
        a.k = (unsigned)v;
    }
    if (ex != NULL) {
        if (ex->via.array.size > KNOOP_PATH_MAX_EXCLUDE)
            return knoop_error_set(err, KNOOP_EINVAL, "params.exclude: at most %d nodes, got %u",
                                   KNOOP_PATH_MAX_EXCLUDE, (unsigned)ex->via.array.size);
        for (uint32_t i = 0; i < ex->via.array.size; i++) {
            const msgpack_object *e = &ex->via.array.ptr[i];
            char q96[96];
            if (e->type == MSGPACK_OBJECT_POSITIVE_INTEGER && e->via.u64 > 0) {
                exclude[i] = e->via.u64;
            } else if (e->type == MSGPACK_OBJECT_STR) {
                rc = graph_node_by_key(ctx->store, ctx->view, e->via.str.ptr, e->via.str.size,
                                       &exclude[i], err);
                if (rc == KNOOP_ENOTFOUND)
                    return knoop_error_set(
                        err, rc, "params.exclude[%u]: no node has external key %s", (unsigned)i,
                        knoop_repr(q96, sizeof(q96), e->via.str.ptr, e->via.str.size, 64));
                if (rc != KNOOP_OK)
                    return rc;
            } else {
                return knoop_error_set(err, KNOOP_EINVAL,
                                       "params.exclude[%u]: expected a node id or external key",
                                       (unsigned)i);
            }
        }
        a.exclude = exclude;
        a.nexclude = ex->via.array.size;
    }
    proto_param_bool(p, "examples", &a.examples);
    rc = query_path(&q, &a, &out, err);
    if (rc == KNOOP_OK)
        query_paths_pack(pk, &out);
    query_paths_free(&out);
    return rc;
}

int cmd_query_neighbourhood(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                            knoop_error_t *err)
{
    query_nbh_args_t a = { 0 };
    query_nbh_t out = { 0 };
    query_ctx_t q = qctx(ctx);
    uint64_t v;
    int rc;

    if ((rc = cmd_node_ref(ctx, p, "node", &a.node, err)) != KNOOP_OK ||
        (rc = time_params(p, &a.time, &a.at, &a.from, &a.to, err)) != KNOOP_OK ||
        (rc = links_param(p, &a.links, err)) != KNOOP_OK ||
        (rc = expanded_param(p, &a.max_expanded, err)) != KNOOP_OK ||
        (rc = cmd_limit_param(p, &a.limit, err)) != KNOOP_OK)
        return rc;
    a.depth = KNOOP_NBH_DEFAULT_DEPTH;
    if (proto_param_u64(p, "depth", &v)) {
        if (v == 0 || v > KNOOP_NBH_MAX_DEPTH)
            return knoop_error_set(err, KNOOP_EINVAL, "params.depth: must be 1..%d, got %llu",
                                   KNOOP_NBH_MAX_DEPTH, (unsigned long long)v);
        a.depth = (unsigned)v;
    }
    proto_param_bool(p, "examples", &a.examples);
    rc = query_neighbourhood(&q, &a, &out, err);
    if (rc == KNOOP_OK)
        query_nbh_pack(pk, &out, a.depth);
    query_nbh_free(&out);
    return rc;
}
