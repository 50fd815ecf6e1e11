/*
 * cmd_merge.c - gemeente.merge: a municipal merger (herindeling) recorded as one atomic change
 * (layer: cmd). The rules (proto/PROTOCOL.md, "gemeente.merge"):
 *   - the old gemeenten end on `on` (end_date = on, opgegaan_in = the new gemeente's code);
 *   - their woonplaatsen move to the new gemeente from `on`; their period at the old gemeente
 *     stays, so query.places of an old gemeente before `on` still answers;
 *   - their memberships (every edge from the gemeente but `ligt in` and the links of a
 *     klantcontact) still valid on `on` end on `on`, and the new gemeente becomes a member of the
 *     same bodies from `on` (until the old membership's own end), unless it already is;
 *   - every role at them still valid on `on` ends on `on`, with the roles held on its behalf
 *     (the new council and college are new roles); a klantcontact's links are never touched;
 *   - a new gemeente (into given as a map of properties) begins on `on` and lies in its
 *     provincie from `on`.
 * A repeated merge finds nothing left to move and writes nothing.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "schema_check.h"
#include "schema_domain.h"

#define MERGE_MAX_FROM 32

typedef struct {
    uint64_t id;
    char code[8], name[128];
} merge_gem_t;

/* Reads node id and checks that it is a gemeente; fills g. field names the parameter. */
static int merge__gemeente(cmd_ctx_t *ctx, uint64_t id, const char *field, merge_gem_t *g,
                           graph_node_t *out, knoop_error_t *err)
{
    int rc = graph_node_get(ctx->store, ctx->view, id, out, err);
    const char *s;
    size_t sl;
    msgpack_zone z;
    msgpack_object o;
    size_t off = 0;
    if (rc == KNOOP_ENOTFOUND)
        return knoop_error_set(err, rc, "%s: node %llu does not exist", field,
                               (unsigned long long)id);
    if (rc != KNOOP_OK)
        return rc;
    if (out->kind != SCHEMA_KIND_ORGANISATION || strcmp(out->type, "gemeente") != 0)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: node %llu is a %s%s%s, not a gemeente",
                               field, (unsigned long long)id, schema_kind_name(out->kind),
                               out->type[0] ? " " : "", out->type);
    memset(g, 0, sizeof(*g));
    g->id = id;
    if (!msgpack_zone_init(&z, 512))
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    if (out->props_len > 0 &&
        msgpack_unpack(out->props, out->props_len, &off, &z, &o) == MSGPACK_UNPACK_SUCCESS) {
        if (proto_param_str(&o, "cbs_code", &s, &sl))
            snprintf(g->code, sizeof(g->code), "%.*s", (int)sl, s);
        if (proto_param_str(&o, "name", &s, &sl))
            snprintf(g->name, sizeof(g->name), "%.*s", (int)sl, s);
    }
    msgpack_zone_destroy(&z);
    if (g->code[0] == '\0')
        return knoop_error_set(err, KNOOP_EINVAL, "%s: gemeente %llu has no cbs_code", field,
                               (unsigned long long)id);
    return KNOOP_OK;
}

/* A string property of n into buf ("" when absent). */
static int merge__str_prop(const graph_node_t *n, const char *name, char *buf, size_t sz)
{
    msgpack_zone z;
    msgpack_object o;
    size_t off = 0;
    const char *s;
    size_t sl;
    buf[0] = '\0';
    if (n->props_len == 0)
        return KNOOP_OK;
    if (!msgpack_zone_init(&z, 512))
        return KNOOP_ENOMEM;
    if (msgpack_unpack(n->props, n->props_len, &off, &z, &o) == MSGPACK_UNPACK_SUCCESS &&
        proto_param_str(&o, name, &s, &sl))
        snprintf(buf, sz, "%.*s", (int)sl, s);
    msgpack_zone_destroy(&z);
    return KNOOP_OK;
}

/* A date property of n ("end_date", "begin_date"); *present false when absent. */
static int merge__date_prop(const graph_node_t *n, const char *name, schema_date_t *d,
                            bool *present)
{
    char buf[32];
    int rc = merge__str_prop(n, name, buf, sizeof(buf));
    *present = rc == KNOOP_OK && buf[0] != '\0' &&
               schema_date_parse(buf, strlen(buf), name, d, NULL) == KNOOP_OK;
    return rc;
}

/* Resolves `into`: a reference, or a map of the new gemeente's properties (created when no
 * gemeente has its cbs_code yet). */
static int merge__into(cmd_ctx_t *ctx, const msgpack_object *into, schema_date_t on, merge_gem_t *g,
                       bool *created, knoop_error_t *err)
{
    graph_node_t n;
    uint64_t id = 0;
    int rc;
    memset(&n, 0, sizeof(n));
    *created = false;
    if (into->type == MSGPACK_OBJECT_MAP) {
        const char *code, *prov;
        size_t cl, pl;
        char d[11];
        knoop_buf_t sb;
        msgpack_packer spk;
        msgpack_zone z;
        msgpack_object props;
        size_t off = 0;
        bool has_begin = proto_param(into, "begin_date") != NULL;
        if (!proto_param_str(into, "cbs_code", &code, &cl))
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "params.into.cbs_code: required for a new gemeente");
        rc = graph_node_by_key(ctx->store, ctx->view, code, cl, &id, err);
        if (rc == KNOOP_OK)
            goto existing; /* made by an earlier run of the same merger, or known already */
        if (rc != KNOOP_ENOTFOUND)
            return rc;
        /* The new gemeente begins on `on` unless its properties say otherwise. */
        knoop_buf_init(&sb);
        msgpack_packer_init(&spk, &sb, knoop_buf_write);
        msgpack_pack_map(&spk, into->via.map.size + (has_begin ? 0 : 1));
        for (uint32_t i = 0; i < into->via.map.size; i++) {
            msgpack_pack_object(&spk, into->via.map.ptr[i].key);
            msgpack_pack_object(&spk, into->via.map.ptr[i].val);
        }
        if (!has_begin) {
            cmd_pack_cstr(&spk, "begin_date");
            cmd_pack_cstr(&spk, schema_date_format(on, d));
        }
        msgpack_zone_init(&z, 1024);
        if (knoop_buf_failed(&sb) || sb.data == NULL ||
            msgpack_unpack(sb.data, sb.size, &off, &z, &props) != MSGPACK_UNPACK_SUCCESS)
            rc = knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
        else
            rc = graph_node_create_tx(ctx->txn, SCHEMA_KIND_ORGANISATION, "gemeente", &props, &n,
                                      err);
        msgpack_zone_destroy(&z);
        knoop_buf_destroy(&sb);
        if (rc != KNOOP_OK) {
            graph_node_clear(&n);
            if (rc == KNOOP_EINVAL && strncmp(err->msg, "params.", 7) != 0) {
                char m[KNOOP_ERROR_MSG_MAX];
                snprintf(m, sizeof(m), "%s", err->msg);
                knoop_error_set(err, rc, "params.into.%s", m);
            }
            return rc;
        }
        id = n.id;
        graph_node_clear(&n);
        *created = true;
        if (proto_param_str(into, "provincie", &prov, &pl)) {
            uint64_t pv;
            if ((rc = graph_node_by_key(ctx->store, ctx->view, prov, pl, &pv, err)) == KNOOP_OK)
                rc = graph_edge_create_tx(ctx->txn, "ligt in", id, pv, on, SCHEMA_DATE_OPEN, NULL,
                                          0, NULL, err);
            else if (rc == KNOOP_ENOTFOUND)
                rc = KNOOP_OK; /* provinces not loaded: the property says it */
            if (rc != KNOOP_OK)
                return rc;
        }
    } else if (into->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        id = into->via.u64;
    } else if (into->type == MSGPACK_OBJECT_STR) {
        rc = graph_node_by_key(ctx->store, ctx->view, into->via.str.ptr, into->via.str.size, &id,
                               err);
        if (rc == KNOOP_ENOTFOUND) {
            char q[96];
            return knoop_error_set(
                err, rc, "params.into: no node has external key %s",
                knoop_repr(q, sizeof(q), into->via.str.ptr, into->via.str.size, 64));
        }
        if (rc != KNOOP_OK)
            return rc;
    } else {
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params.into: expected a gemeente (id or CBS code) or a map of the "
                               "new gemeente's properties");
    }
existing:
    rc = merge__gemeente(ctx, id, "params.into", g, &n, err);
    if (rc == KNOOP_OK) {
        schema_date_t end;
        bool ended;
        char d1[11];
        if ((rc = merge__date_prop(&n, "end_date", &end, &ended)) == KNOOP_OK && ended && end <= on)
            rc = knoop_error_set(err, KNOOP_ECONFLICT, "params.into: %s (%s) ended on %s", g->code,
                                 g->name, schema_date_format(end, d1));
    }
    graph_node_clear(&n);
    return rc;
}

typedef struct {
    graph_place_t *v;
    size_t n, cap;
    int rc;
} merge_places_t;

static int merge__place_cb(void *arg, const graph_place_t *p)
{
    merge_places_t *l = arg;
    if (p->to != SCHEMA_DATE_OPEN)
        return 0; /* ended or moved before: history, left as it is */
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        graph_place_t *v = knoop_realloc(l->v, cap * sizeof(*v));
        if (v == NULL) {
            l->rc = KNOOP_ENOMEM;
            return 1;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *p;
    return 0;
}

typedef struct {
    graph_adj_t *v;
    char (*types)[KNOOP_MAX_NAME_BYTES + 1];
    size_t n, cap;
    schema_date_t on;
    int rc;
} merge_edges_t;

/* Collects the edges of a gemeente still valid on or after `on`. */
static int merge__edge_cb(void *arg, const graph_adj_t *a)
{
    merge_edges_t *l = arg;
    if (a->valid_to != SCHEMA_DATE_OPEN && a->valid_to <= l->on)
        return 0;
    if (a->type_len > KNOOP_MAX_NAME_BYTES)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        graph_adj_t *v = knoop_realloc(l->v, cap * sizeof(*v));
        char(*t)[KNOOP_MAX_NAME_BYTES + 1];
        if (v == NULL) {
            l->rc = KNOOP_ENOMEM;
            return 1;
        }
        l->v = v;
        t = knoop_realloc(l->types, cap * sizeof(*t));
        if (t == NULL) {
            l->rc = KNOOP_ENOMEM;
            return 1;
        }
        l->types = t;
        l->cap = cap;
    }
    l->v[l->n] = *a;
    memcpy(l->types[l->n], a->type, a->type_len);
    l->types[l->n][a->type_len] = '\0';
    l->v[l->n].type = l->types[l->n];
    l->n++;
    return 0;
}

typedef struct {
    uint64_t target;
    bool found;
} merge_member_t;

static int merge__member_cb(void *arg, const graph_adj_t *a)
{
    merge_member_t *m = arg;
    if (a->other == m->target) {
        m->found = true;
        return 1;
    }
    return 0;
}

/* Moves the membership e (an edge from an old gemeente) to gemeente into from `on`, unless into
 * is a member already. Appends the new edge's id to made. */
static int merge__membership(cmd_ctx_t *ctx, const graph_edge_t *e, uint64_t into, schema_date_t on,
                             graph_ids_t *made, knoop_error_t *err)
{
    graph_filter_t f = { .dir = GRAPH_OUT, .type = e->type, .time = GRAPH_TIME_AT, .at = on };
    merge_member_t m = { e->target, false };
    msgpack_zone z;
    msgpack_object props = { .type = MSGPACK_OBJECT_NIL };
    graph_edge_t ne;
    size_t off = 0;
    int rc;
    schema_date_t from = e->valid_from > on ? e->valid_from : on;
    if ((rc = graph_adj_scan(ctx->store, ctx->view, into, &f, merge__member_cb, &m, err)) !=
            KNOOP_OK ||
        m.found)
        return rc;
    msgpack_zone_init(&z, 512);
    if (e->props_len > 0)
        msgpack_unpack(e->props, e->props_len, &off, &z, &props);
    memset(&ne, 0, sizeof(ne));
    rc = graph_edge_create_tx(ctx->txn, e->type, into, e->target, from, e->valid_to,
                              props.type == MSGPACK_OBJECT_MAP ? &props : NULL, 0, &ne, err);
    msgpack_zone_destroy(&z);
    if (rc == KNOOP_OK)
        rc = graph_ids_push(made, ne.id);
    graph_edge_clear(&ne);
    return rc;
}

int cmd_gemeente_merge(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                       knoop_error_t *err)
{
    const msgpack_object *from = proto_param(p, "from"), *into = proto_param(p, "into");
    merge_gem_t old[MERGE_MAX_FROM], nw;
    merge_places_t places = { 0 };
    graph_ids_t made = { 0 }, ended = { 0 };
    knoop_buf_t moved;
    msgpack_packer mpk;
    size_t nold, nmoved = 0, nended_gem = 0;
    schema_date_t on;
    bool present, created;
    char d[11], f[48];
    int rc;

    knoop_buf_init(&moved);
    msgpack_packer_init(&mpk, &moved, knoop_buf_write);
    if ((rc = cmd_date_param(p, "on", &on, &present, err)) != KNOOP_OK)
        return rc;
    nold = from->via.array.size;
    if (nold == 0 || nold > MERGE_MAX_FROM)
        return knoop_error_set(err, nold ? KNOOP_ETOOLARGE : KNOOP_EINVAL,
                               "params.from: expected 1..%d gemeenten, got %zu", MERGE_MAX_FROM,
                               nold);
    if (into == NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "params.into: required");
    if ((rc = merge__into(ctx, into, on, &nw, &created, err)) != KNOOP_OK)
        return rc;
    /* The old gemeenten: each a gemeente, named once, not the new one, existing on `on`. */
    for (size_t i = 0; i < nold; i++) {
        const msgpack_object *o = &from->via.array.ptr[i];
        graph_node_t n;
        uint64_t id = 0;
        schema_date_t end, begin;
        bool has_end, has_begin;
        char succ[16];
        snprintf(f, sizeof(f), "params.from[%zu]", i);
        if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
            id = o->via.u64;
        } else if (o->type == MSGPACK_OBJECT_STR) {
            rc =
                graph_node_by_key(ctx->store, ctx->view, o->via.str.ptr, o->via.str.size, &id, err);
            if (rc == KNOOP_ENOTFOUND) {
                char q[96];
                return knoop_error_set(
                    err, rc, "%s: no node has external key %s", f,
                    knoop_repr(q, sizeof(q), o->via.str.ptr, o->via.str.size, 64));
            }
            if (rc != KNOOP_OK)
                return rc;
        } else {
            return knoop_error_set(err, KNOOP_EINVAL, "%s: expected a gemeente (id or CBS code)",
                                   f);
        }
        memset(&n, 0, sizeof(n));
        rc = merge__gemeente(ctx, id, f, &old[i], &n, err);
        if (rc == KNOOP_OK)
            rc = merge__date_prop(&n, "end_date", &end, &has_end);
        if (rc == KNOOP_OK)
            rc = merge__date_prop(&n, "begin_date", &begin, &has_begin);
        if (rc == KNOOP_OK)
            rc = merge__str_prop(&n, "opgegaan_in", succ, sizeof(succ));
        graph_node_clear(&n);
        if (rc != KNOOP_OK)
            return rc == KNOOP_ENOMEM ? knoop_error_set(err, rc, "out of memory") : rc;
        if (id == nw.id)
            return knoop_error_set(err, KNOOP_EINVAL, "%s: %s is also params.into", f, old[i].code);
        for (size_t j = 0; j < i; j++)
            if (old[j].id == id)
                return knoop_error_set(err, KNOOP_EINVAL, "%s: %s is given twice", f, old[i].code);
        if (has_end && end != on)
            return knoop_error_set(err, KNOOP_ECONFLICT, "%s: %s (%s) already ended on %s", f,
                                   old[i].code, old[i].name, schema_date_format(end, d));
        if (has_begin && begin >= on)
            return knoop_error_set(err, KNOOP_EINVAL, "%s: %s (%s) begins on %s, not before on", f,
                                   old[i].code, old[i].name, schema_date_format(begin, d));
        if (has_end && succ[0] != '\0' && strcmp(succ, nw.code) != 0)
            return knoop_error_set(err, KNOOP_ECONFLICT, "%s: %s (%s) merged into %s already", f,
                                   old[i].code, old[i].name, succ);
        if (!has_end || strcmp(succ, nw.code) != 0) {
            msgpack_object set;
            msgpack_object_kv kv[2];
            kv[0].key.type = MSGPACK_OBJECT_STR;
            kv[0].key.via.str.ptr = "end_date";
            kv[0].key.via.str.size = 8;
            kv[0].val.type = MSGPACK_OBJECT_STR;
            kv[0].val.via.str.ptr = schema_date_format(on, d);
            kv[0].val.via.str.size = 10;
            kv[1].key.type = MSGPACK_OBJECT_STR;
            kv[1].key.via.str.ptr = "opgegaan_in";
            kv[1].key.via.str.size = 11;
            kv[1].val.type = MSGPACK_OBJECT_STR;
            kv[1].val.via.str.ptr = nw.code;
            kv[1].val.via.str.size = (uint32_t)strlen(nw.code);
            set.type = MSGPACK_OBJECT_MAP;
            set.via.map.size = 2;
            set.via.map.ptr = kv;
            if ((rc = graph_node_update_tx(ctx->txn, id, &set, NULL, 0, NULL, err)) != KNOOP_OK)
                return rc;
            nended_gem++;
        }
    }
    /* Places, memberships and roles of each old gemeente. */
    for (size_t i = 0; i < nold && rc == KNOOP_OK; i++) {
        merge_edges_t edges = { 0 };
        graph_filter_t all = { .dir = GRAPH_BOTH };
        edges.on = on;
        places.n = 0;
        rc = graph_places_of(ctx->store, ctx->view, old[i].code, strlen(old[i].code),
                             merge__place_cb, &places, err);
        if (rc == KNOOP_OK && places.rc != KNOOP_OK)
            rc = knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
        for (size_t k = 0; rc == KNOOP_OK && k < places.n; k++) {
            graph_place_t mv;
            if ((rc = cmd_place_move(ctx->txn, &places.v[k], nw.code, NULL, on, &mv)) != KNOOP_OK) {
                knoop_error_set(err, rc, "out of memory");
                break;
            }
            graph_place_pack(&mpk, &mv);
            nmoved++;
        }
        if (rc == KNOOP_OK)
            rc =
                graph_adj_scan(ctx->store, ctx->view, old[i].id, &all, merge__edge_cb, &edges, err);
        if (rc == KNOOP_OK && edges.rc != KNOOP_OK)
            rc = knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
        for (size_t k = 0; rc == KNOOP_OK && k < edges.n; k++) {
            const graph_adj_t *a = &edges.v[k];
            graph_edge_t e;
            if (schema_role_is_contact_link(a->type))
                continue; /* a klantcontact is immutable */
            if ((rc = cmd_check_deadline(ctx, err)) != KNOOP_OK)
                break;
            /* Read it again: an earlier step (a cascade) may have ended it. */
            if ((rc = graph_edge_get(ctx->store, ctx->view, a->edge, &e, err)) != KNOOP_OK)
                break;
            if (e.valid_to != SCHEMA_DATE_OPEN && e.valid_to <= on) {
                graph_edge_clear(&e);
                continue;
            }
            if (a->dir == GRAPH_OUT && strcmp(e.type, "ligt in") != 0)
                rc = merge__membership(ctx, &e, nw.id, on, &made, err);
            if (rc == KNOOP_OK)
                rc = graph_edge_end_tx(ctx->txn, e.id, on > e.valid_from ? on : e.valid_from,
                                       &ended, err);
            graph_edge_clear(&e);
        }
        knoop_free(edges.v);
        knoop_free(edges.types);
    }
    if (rc == KNOOP_OK && knoop_buf_failed(&moved))
        rc = knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    if (rc == KNOOP_OK) {
        msgpack_pack_map(pk, 7);
        cmd_pack_cstr(pk, "into");
        msgpack_pack_map(pk, 3);
        cmd_pack_cstr(pk, "id");
        msgpack_pack_uint64(pk, nw.id);
        cmd_pack_cstr(pk, "cbs_code");
        cmd_pack_cstr(pk, nw.code);
        cmd_pack_cstr(pk, "name");
        cmd_pack_cstr(pk, nw.name);
        cmd_pack_cstr(pk, "created");
        cmd_pack_bool(pk, created);
        cmd_pack_cstr(pk, "ended");
        msgpack_pack_array(pk, (uint32_t)nold);
        for (size_t i = 0; i < nold; i++)
            cmd_pack_cstr(pk, old[i].code);
        cmd_pack_cstr(pk, "places_moved");
        msgpack_pack_array(pk, (uint32_t)nmoved);
        if (moved.size > 0)
            pk->callback(pk->data, moved.data, moved.size);
        cmd_pack_cstr(pk, "memberships");
        msgpack_pack_array(pk, (uint32_t)made.n);
        for (size_t i = 0; i < made.n; i++)
            msgpack_pack_uint64(pk, made.ids[i]);
        cmd_pack_cstr(pk, "ended_edges");
        msgpack_pack_uint64(pk, ended.n);
        cmd_pack_cstr(pk, "changed");
        cmd_pack_bool(pk, created || nended_gem > 0 || nmoved > 0 || made.n > 0 || ended.n > 0);
    }
    knoop_free(places.v);
    knoop_buf_destroy(&moved);
    graph_ids_free(&made);
    graph_ids_free(&ended);
    return rc;
}
