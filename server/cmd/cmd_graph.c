/*
 * cmd_graph.c - handlers of the generic graph methods: node.*, edge.*, history.list
 * (layer: cmd). Parameters have passed the table's spec check before these run.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "schema_check.h"
#include "schema_domain.h"

void cmd_pack_cstr(msgpack_packer *pk, const char *s)
{
    (void)proto_pack_str(pk, s);
}

bool cmd_str_is(const msgpack_object *o, const char *s)
{
    return o != NULL && o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(s) &&
           memcmp(o->via.str.ptr, s, o->via.str.size) == 0;
}

void cmd_pack_bool(msgpack_packer *pk, bool v)
{
    if (v)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
}

int cmd_str_param(const msgpack_object *p, const char *field, char *buf, size_t bufsz,
                  bool *present, knoop_error_t *err)
{
    const char *s;
    size_t len;
    *present = false;
    buf[0] = '\0';
    if (!proto_param_str(p, field, &s, &len))
        return KNOOP_OK;
    if (len >= bufsz)
        return knoop_error_set(err, KNOOP_EINVAL, "params.%s: longer than %zu bytes", field,
                               bufsz - 1);
    if (memchr(s, '\0', len) != NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "params.%s: contains a NUL byte", field);
    memcpy(buf, s, len);
    buf[len] = '\0';
    *present = true;
    return KNOOP_OK;
}

int cmd_date_param(const msgpack_object *p, const char *field, schema_date_t *out, bool *present,
                   knoop_error_t *err)
{
    const char *s;
    size_t len;
    char f[64];
    *present = false;
    if (!proto_param_str(p, field, &s, &len))
        return KNOOP_OK;
    snprintf(f, sizeof(f), "params.%s", field);
    *present = true;
    return schema_date_parse(s, len, f, out, err);
}

int cmd_node_ref(cmd_ctx_t *ctx, const msgpack_object *p, const char *field, uint64_t *id,
                 knoop_error_t *err)
{
    const char *s;
    size_t len;
    char q[96];
    int rc;
    if (proto_param_u64(p, field, id)) {
        if (*id == 0)
            return knoop_error_set(err, KNOOP_EINVAL, "params.%s: ids start at 1", field);
        return KNOOP_OK;
    }
    if (!proto_param_str(p, field, &s, &len))
        return knoop_error_set(err, KNOOP_EINVAL, "params.%s: required", field);
    rc = graph_node_by_key(ctx->store, ctx->view, s, len, id, err);
    if (rc == KNOOP_ENOTFOUND)
        return knoop_error_set(err, KNOOP_ENOTFOUND, "params.%s: no node has external key %s",
                               field, knoop_repr(q, sizeof(q), s, len, 64));
    return rc;
}

int cmd_limit_param(const msgpack_object *p, size_t *limit, knoop_error_t *err)
{
    uint64_t v;
    *limit = KNOOP_DEFAULT_RESULT_LIMIT;
    if (!proto_param_u64(p, "limit", &v))
        return KNOOP_OK;
    if (v == 0 || v > KNOOP_MAX_RESULT_LIMIT)
        return knoop_error_set(err, KNOOP_EINVAL, "params.limit: must be 1..%d, got %llu",
                               KNOOP_MAX_RESULT_LIMIT, (unsigned long long)v);
    *limit = (size_t)v;
    return KNOOP_OK;
}

static int64_t cmd__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cmd_check_deadline(cmd_ctx_t *ctx, knoop_error_t *err)
{
    if (ctx->deadline_ms != 0 && cmd__now_ms() > ctx->deadline_ms)
        return knoop_error_set(err, KNOOP_EUNAVAIL,
                               "request took longer than the server's time per request");
    return KNOOP_OK;
}

int cmd_node_create(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    char type[KNOOP_MAX_NAME_BYTES + 1];
    const char *ks;
    size_t kl;
    bool present;
    schema_kind_t kind;
    graph_node_t n;
    store_txn_t *t = ctx->txn;
    int rc;

    proto_param_str(p, "kind", &ks, &kl);
    if ((rc = schema_kind_parse(ks, kl, "params.kind", &kind, err)) != KNOOP_OK)
        return rc;
    if ((rc = cmd_str_param(p, "type", type, sizeof(type), &present, err)) != KNOOP_OK)
        return rc;
    if (present && (rc = schema_check_name(type, strlen(type), "params.type", err)) != KNOOP_OK)
        return rc;
    if ((rc = cmd_tomb_check(ctx, p, proto_param(p, "props"), err)) != KNOOP_OK)
        return rc;
    memset(&n, 0, sizeof(n));
    rc = graph_node_create_tx(t, kind, type, proto_param(p, "props"), &n, err);
    if (rc != KNOOP_OK) {
        graph_node_clear(&n);
        return rc;
    }
    graph_node_pack(pk, &n);
    graph_node_clear(&n);
    return KNOOP_OK;
}

int cmd_node_get(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    graph_node_t n;
    uint64_t id;
    int rc;
    if ((rc = cmd_node_ref(ctx, p, "id", &id, err)) != KNOOP_OK)
        return rc;
    if ((rc = graph_node_get(ctx->store, ctx->view, id, &n, err)) != KNOOP_OK)
        return rc;
    if (n.kind == SCHEMA_KIND_PERSON)
        cmd_audit_note(ctx, id);
    graph_node_pack(pk, &n);
    graph_node_clear(&n);
    return KNOOP_OK;
}

int cmd_node_update(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    graph_node_t n;
    uint64_t id, ifv = 0;
    store_txn_t *t = ctx->txn;
    int rc;
    if ((rc = cmd_node_ref(ctx, p, "id", &id, err)) != KNOOP_OK)
        return rc;
    proto_param_u64(p, "if_version", &ifv);
    if ((rc = cmd_tomb_check(ctx, p, proto_param(p, "set"), err)) != KNOOP_OK)
        return rc;
    memset(&n, 0, sizeof(n));
    rc = graph_node_update_tx(t, id, proto_param(p, "set"), proto_param(p, "unset"), ifv, &n, err);
    if (rc != KNOOP_OK) {
        graph_node_clear(&n);
        return rc;
    }
    graph_node_pack(pk, &n);
    graph_node_clear(&n);
    return KNOOP_OK;
}

/*
 * The edges of a klantcontact change only through contact.* and task.*: KNOOP_ECONFLICT when an
 * edge of type `type` between source and target is one of them (a contact link type, or an end
 * that is a klantcontact). `what` names the refused method.
 */
static int cmd__contact_guard(cmd_ctx_t *ctx, const char *what, const char *type, uint64_t source,
                              uint64_t target, knoop_error_t *err)
{
    uint64_t ends[2] = { source, target };
    if (schema_role_is_contact_link(type))
        return knoop_error_set(err, KNOOP_ECONFLICT,
                               "%s: a %s edge belongs to a klantcontact, which is immutable; it "
                               "changes only through contact.* and task.* (register a correction "
                               "with contact.register and corrects)",
                               what, type);
    if (!cmd_domain_role_may_touch_contact(type))
        return KNOOP_OK; /* the schema keeps such edges away from a klantcontact */
    for (int i = 0; i < 2; i++) {
        graph_node_t n;
        int rc = graph_node_get(ctx->store, ctx->view, ends[i], &n, err);
        if (rc == KNOOP_ENOTFOUND)
            continue; /* the write itself reports the missing node */
        if (rc != KNOOP_OK)
            return rc;
        rc = n.kind == SCHEMA_KIND_CONTACT;
        graph_node_clear(&n);
        if (rc)
            return knoop_error_set(err, KNOOP_ECONFLICT,
                                   "%s: node %llu is a klantcontact, which is immutable; its edges "
                                   "change only through contact.* and task.*",
                                   what, (unsigned long long)ends[i]);
    }
    return KNOOP_OK;
}

typedef struct {
    uint64_t edge, other;
    char type[KNOOP_MAX_NAME_BYTES + 1];
} cmd__link_t;

static int cmd__link_cb(void *arg, const graph_adj_t *a)
{
    cmd__link_t *l = arg;
    char type[KNOOP_MAX_NAME_BYTES + 1];
    if (a->type_len >= sizeof(type))
        return 0;
    memcpy(type, a->type, a->type_len);
    type[a->type_len] = '\0';
    if (!schema_role_is_contact_link(type))
        return 0;
    l->edge = a->edge;
    l->other = a->other;
    memcpy(l->type, type, a->type_len + 1);
    return 1;
}

int cmd_node_delete(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    graph_ids_t deleted = { 0 };
    uint64_t id;
    bool cascade = false;
    store_txn_t *t = ctx->txn;
    int rc;
    if ((rc = cmd_node_ref(ctx, p, "id", &id, err)) != KNOOP_OK)
        return rc;
    proto_param_bool(p, "cascade", &cascade);
    {
        /* A betrokkene (or actor) of a klantcontact stays: the contact is immutable. */
        cmd__link_t l = { 0 };
        if ((rc = graph_adj_scan(ctx->store, ctx->view, id, NULL, cmd__link_cb, &l, err)) !=
            KNOOP_OK)
            return rc;
        if (l.edge != 0)
            return knoop_error_set(err, KNOOP_ECONFLICT,
                                   "params.id: node %llu is linked to klantcontact %llu (%s edge "
                                   "%llu); a registered contact is immutable, so the node cannot "
                                   "be deleted",
                                   (unsigned long long)id, (unsigned long long)l.other, l.type,
                                   (unsigned long long)l.edge);
    }
    rc = graph_node_delete_tx(t, id, cascade, &deleted, err);
    if (rc != KNOOP_OK) {
        graph_ids_free(&deleted);
        return rc;
    }
    msgpack_pack_map(pk, 2);
    cmd_pack_cstr(pk, "id");
    msgpack_pack_uint64(pk, id);
    cmd_pack_cstr(pk, "deleted_edges");
    msgpack_pack_array(pk, (uint32_t)deleted.n);
    for (size_t i = 0; i < deleted.n; i++)
        msgpack_pack_uint64(pk, deleted.ids[i]);
    graph_ids_free(&deleted);
    return KNOOP_OK;
}

/* Packs {"nodes": [...], "more": b} for ids, skipping ids deleted meanwhile. */
static int cmd__pack_nodes(cmd_ctx_t *ctx, const graph_ids_t *ids, bool more, msgpack_packer *pk,
                           knoop_error_t *err)
{
    graph_node_t *nodes = knoop_calloc(ids->n ? ids->n : 1, sizeof(*nodes));
    size_t n = 0;
    int rc = KNOOP_OK;
    if (nodes == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    for (size_t i = 0; i < ids->n; i++) {
        rc = graph_node_get(ctx->store, ctx->view, ids->ids[i], &nodes[n], err);
        if (rc == KNOOP_ENOTFOUND) {
            rc = KNOOP_OK;
            continue;
        }
        if (rc != KNOOP_OK)
            break;
        n++;
    }
    if (rc == KNOOP_OK) {
        msgpack_pack_map(pk, 2);
        cmd_pack_cstr(pk, "nodes");
        msgpack_pack_array(pk, (uint32_t)n);
        for (size_t i = 0; i < n; i++) {
            if (nodes[i].kind == SCHEMA_KIND_PERSON)
                cmd_audit_note(ctx, nodes[i].id);
            graph_node_pack(pk, &nodes[i]);
        }
        cmd_pack_cstr(pk, "more");
        cmd_pack_bool(pk, more);
    }
    for (size_t i = 0; i < n; i++)
        graph_node_clear(&nodes[i]);
    knoop_free(nodes);
    return rc;
}

/* True when node n exists on day at: begin_date <= at < end_date, each bound when present. */
static bool cmd__node_exists_at(const graph_node_t *n, schema_date_t at)
{
    msgpack_zone z;
    msgpack_object o;
    size_t off = 0;
    const char *s;
    size_t sl;
    schema_date_t d;
    bool ok = true;
    if (n->props_len == 0 || !msgpack_zone_init(&z, 512))
        return true;
    if (msgpack_unpack(n->props, n->props_len, &off, &z, &o) == MSGPACK_UNPACK_SUCCESS) {
        if (proto_param_str(&o, "begin_date", &s, &sl) &&
            schema_date_parse(s, sl, "begin_date", &d, NULL) == KNOOP_OK && d > at)
            ok = false;
        if (proto_param_str(&o, "end_date", &s, &sl) &&
            schema_date_parse(s, sl, "end_date", &d, NULL) == KNOOP_OK && d <= at)
            ok = false;
    }
    msgpack_zone_destroy(&z);
    return ok;
}

/* Keeps in ids the nodes that exist on day at, at most limit of them; *more is set when more
 * exist. */
static int cmd__filter_at(cmd_ctx_t *ctx, graph_ids_t *ids, schema_date_t at, size_t limit,
                          bool *more, knoop_error_t *err)
{
    size_t kept = 0;
    for (size_t i = 0; i < ids->n; i++) {
        graph_node_t n;
        int rc = graph_node_get(ctx->store, ctx->view, ids->ids[i], &n, err);
        if (rc == KNOOP_ENOTFOUND)
            continue;
        if (rc != KNOOP_OK)
            return rc;
        if (cmd__node_exists_at(&n, at)) {
            if (kept == limit)
                *more = true;
            else
                ids->ids[kept++] = ids->ids[i];
        }
        graph_node_clear(&n);
        if (*more)
            break;
    }
    ids->n = kept;
    return KNOOP_OK;
}

int cmd_node_find(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    schema_date_t at;
    bool has_at;
    size_t want;
    char type[KNOOP_MAX_NAME_BYTES + 1], name[KNOOP_MAX_INDEX_NAME_BYTES + 1];
    const char *s;
    size_t len, limit;
    bool has_type, has_name, more = false;
    int kind = 0, rc;
    graph_ids_t ids = { 0 };

    if ((rc = cmd_limit_param(p, &limit, err)) != KNOOP_OK ||
        (rc = cmd_date_param(p, "at", &at, &has_at, err)) != KNOOP_OK)
        return rc;
    /* With `at`, nodes that begin and end (a gemeente's begin_date and end_date) are kept only
     * when they exist that day: look further, filter, then cut at the limit. */
    want = limit;
    if (has_at)
        limit = KNOOP_MAX_RESULT_LIMIT;
    if (proto_param_str(p, "kind", &s, &len)) {
        schema_kind_t k;
        if ((rc = schema_kind_parse(s, len, "params.kind", &k, err)) != KNOOP_OK)
            return rc;
        kind = (int)k;
    }
    if ((rc = cmd_str_param(p, "type", type, sizeof(type), &has_type, err)) != KNOOP_OK ||
        (rc = cmd_str_param(p, "name", name, sizeof(name), &has_name, err)) != KNOOP_OK)
        return rc;
    if (proto_param_str(p, "key", &s, &len)) {
        uint64_t id;
        rc = graph_node_by_key(ctx->store, ctx->view, s, len, &id, err);
        if (rc == KNOOP_OK)
            rc = graph_ids_push(&ids, id);
        else if (rc == KNOOP_ENOTFOUND)
            rc = KNOOP_OK;
    } else {
        rc = graph_node_find(ctx->store, ctx->view, kind, has_type ? type : NULL,
                             has_name ? name : NULL, limit, &ids, &more, err);
        /* Persons are also found by surname regardless of initials and tussenvoegsel:
         * "P. de Jong", "de jong" and "Jong" all find "Jong, P. de". */
        if (rc == KNOOP_OK && has_name && (kind == 0 || kind == SCHEMA_KIND_PERSON) &&
            ids.n < limit) {
            char key[SCHEMA_PERSON_KEY_SIZE];
            graph_ids_t more_ids = { 0 };
            bool more2 = false;
            int kl = schema_person_search_key(name, strlen(name), key, sizeof(key));
            if (kl > 0)
                rc = graph_node_find(ctx->store, ctx->view, SCHEMA_KIND_PERSON, NULL, key, limit,
                                     &more_ids, &more2, err);
            for (size_t i = 0; rc == KNOOP_OK && i < more_ids.n; i++) {
                bool seen = false;
                for (size_t j = 0; j < ids.n && !seen; j++)
                    seen = ids.ids[j] == more_ids.ids[i];
                if (seen)
                    continue;
                if (ids.n >= limit) {
                    more = true;
                    break;
                }
                rc = graph_ids_push(&ids, more_ids.ids[i]);
            }
            more = more || more2;
            graph_ids_free(&more_ids);
        }
    }
    if (rc == KNOOP_OK && has_at) {
        more = false;
        rc = cmd__filter_at(ctx, &ids, at, want, &more, err);
    }
    if (rc == KNOOP_OK)
        rc = cmd_check_deadline(ctx, err);
    if (rc == KNOOP_OK)
        rc = cmd__pack_nodes(ctx, &ids, more, pk, err);
    graph_ids_free(&ids);
    return rc;
}

int cmd_edge_create(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    char type[KNOOP_MAX_NAME_BYTES + 1];
    uint64_t src, tgt, behalf = 0;
    schema_date_t from, to = SCHEMA_DATE_OPEN;
    bool present;
    graph_edge_t e;
    store_txn_t *t = ctx->txn;
    int rc;

    if ((rc = cmd_str_param(p, "type", type, sizeof(type), &present, err)) != KNOOP_OK ||
        (rc = cmd_date_param(p, "valid_from", &from, &present, err)) != KNOOP_OK ||
        (rc = cmd_date_param(p, "valid_to", &to, &present, err)) != KNOOP_OK)
        return rc;
    if ((rc = cmd_node_ref(ctx, p, "source", &src, err)) != KNOOP_OK ||
        (rc = cmd_node_ref(ctx, p, "target", &tgt, err)) != KNOOP_OK)
        return rc;
    proto_param_u64(p, "on_behalf_of", &behalf);
    if ((rc = cmd__contact_guard(ctx, "edge.create", type, src, tgt, err)) != KNOOP_OK)
        return rc;
    memset(&e, 0, sizeof(e));
    rc =
        graph_edge_create_tx(t, type, src, tgt, from, to, proto_param(p, "props"), behalf, &e, err);
    if (rc != KNOOP_OK) {
        graph_edge_clear(&e);
        /* Name the parameter for errors the graph reports by its own field names. */
        if (rc == KNOOP_EINVAL && err != NULL && strncmp(err->msg, "params.", 7) != 0) {
            char m[KNOOP_ERROR_MSG_MAX];
            snprintf(m, sizeof(m), "%s", err->msg);
            knoop_error_set(err, rc, "params.%s", m);
        }
        return rc;
    }
    graph_edge_pack(pk, &e);
    graph_edge_clear(&e);
    return KNOOP_OK;
}

int cmd_edge_get(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    graph_edge_t e;
    uint64_t id = 0;
    int rc;
    proto_param_u64(p, "id", &id);
    if ((rc = graph_edge_get(ctx->store, ctx->view, id, &e, err)) != KNOOP_OK)
        return rc;
    graph_edge_pack(pk, &e);
    graph_edge_clear(&e);
    return KNOOP_OK;
}

/* Packs {"edges": [...]} (plus "more" when with_more) for edge ids. */
static int cmd__pack_edges(cmd_ctx_t *ctx, const store_view_t *snap, const char *key,
                           const graph_ids_t *ids, int more, msgpack_packer *pk, knoop_error_t *err)
{
    graph_edge_t *edges = knoop_calloc(ids->n ? ids->n : 1, sizeof(*edges));
    size_t n = 0;
    int rc = KNOOP_OK;
    if (edges == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    for (size_t i = 0; i < ids->n; i++) {
        rc = graph_edge_get(ctx->store, snap, ids->ids[i], &edges[n], err);
        if (rc == KNOOP_ENOTFOUND) {
            rc = KNOOP_OK;
            continue;
        }
        if (rc != KNOOP_OK)
            break;
        n++;
    }
    if (rc == KNOOP_OK) {
        msgpack_pack_map(pk, more >= 0 ? 2 : 1);
        cmd_pack_cstr(pk, key);
        msgpack_pack_array(pk, (uint32_t)n);
        for (size_t i = 0; i < n; i++)
            graph_edge_pack(pk, &edges[i]);
        if (more >= 0) {
            cmd_pack_cstr(pk, "more");
            cmd_pack_bool(pk, more);
        }
    }
    for (size_t i = 0; i < n; i++)
        graph_edge_clear(&edges[i]);
    knoop_free(edges);
    return rc;
}

int cmd_edge_end(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    graph_ids_t ended = { 0 };
    uint64_t id = 0;
    schema_date_t on;
    bool present;
    store_txn_t *t = ctx->txn;
    int rc;
    proto_param_u64(p, "id", &id);
    if ((rc = cmd_date_param(p, "on", &on, &present, err)) != KNOOP_OK ||
        (rc = cmd_edge_guard(ctx, "edge.end", id, err)) != KNOOP_OK)
        return rc;
    rc = graph_edge_end_tx(t, id, on, &ended, err);
    /* Pack from the transaction's view before it commits, so the batch sees its own ends. */
    if (rc == KNOOP_OK)
        rc = cmd__pack_edges(ctx, ctx->view, "ended", &ended, -1, pk, err);
    graph_ids_free(&ended);
    return rc;
}

typedef struct {
    graph_ids_t ids;
    size_t limit;
    bool more;
    int rc;
} cmd__list_t;

static int cmd__list_cb(void *arg, const graph_adj_t *a)
{
    cmd__list_t *l = arg;
    if (l->ids.n >= l->limit) {
        l->more = true;
        return 1;
    }
    if (graph_ids_push(&l->ids, a->edge) != KNOOP_OK) {
        l->rc = KNOOP_ENOMEM;
        return 1;
    }
    return 0;
}

bool cmd_edge_list_try(store_t *s, const msgpack_object *p)
{
    uint64_t node;
    return proto_param(p, "known_at") == NULL && proto_param_u64(p, "node", &node) && node != 0 &&
           graph_adj_small(s, node, KNOOP_INLINE_LIST_EDGES);
}

int cmd_edge_list(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    char type[KNOOP_MAX_NAME_BYTES + 1], dir[16], q[96];
    graph_filter_t f;
    cmd__list_t l = { .rc = KNOOP_OK };
    uint64_t node;
    bool has_type, has_dir, has_at, has_from, has_to;
    schema_date_t at = 0, from = 0, to = SCHEMA_DATE_OPEN;
    const char *ds;
    size_t dl;
    int rc;

    memset(&f, 0, sizeof(f));
    if ((rc = cmd_limit_param(p, &l.limit, err)) != KNOOP_OK ||
        (rc = cmd_str_param(p, "type", type, sizeof(type), &has_type, err)) != KNOOP_OK ||
        (rc = cmd_date_param(p, "at", &at, &has_at, err)) != KNOOP_OK ||
        (rc = cmd_date_param(p, "from", &from, &has_from, err)) != KNOOP_OK ||
        (rc = cmd_date_param(p, "to", &to, &has_to, err)) != KNOOP_OK)
        return rc;
    has_dir = proto_param_str(p, "direction", &ds, &dl);
    f.dir = GRAPH_BOTH;
    if (has_dir) {
        if (dl == 3 && memcmp(ds, "out", 3) == 0)
            f.dir = GRAPH_OUT;
        else if (dl == 2 && memcmp(ds, "in", 2) == 0)
            f.dir = GRAPH_IN;
        else if (!(dl == 4 && memcmp(ds, "both", 4) == 0))
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "params.direction: expected out, in or both, got %s",
                                   knoop_repr(q, sizeof(q), ds, dl, 32));
    }
    (void)dir;
    if (has_at && (has_from || has_to))
        return knoop_error_set(err, KNOOP_EINVAL, "params.at: give either at or from/to, not both");
    if (has_to && !has_from)
        return knoop_error_set(err, KNOOP_EINVAL, "params.to: needs from");
    if (has_from && to < from)
        return knoop_error_set(err, KNOOP_EINVAL, "params.to: before params.from");
    if (has_at) {
        f.time = GRAPH_TIME_AT;
        f.at = at;
    } else if (has_from) {
        f.time = GRAPH_TIME_OVERLAP;
        f.from = from;
        f.to = to;
    }
    f.type = has_type ? type : NULL;
    if ((rc = cmd_node_ref(ctx, p, "node", &node, err)) != KNOOP_OK)
        return rc;
    {
        graph_node_t n;
        if ((rc = graph_node_get(ctx->store, ctx->view, node, &n, err)) != KNOOP_OK)
            return rc;
        graph_node_clear(&n);
    }
    rc = graph_adj_scan(ctx->store, ctx->view, node, &f, cmd__list_cb, &l, err);
    if (rc == KNOOP_OK && l.rc != KNOOP_OK)
        rc = knoop_error_set(err, l.rc, "out of memory");
    if (rc == KNOOP_OK)
        rc = cmd_check_deadline(ctx, err);
    if (rc == KNOOP_OK)
        rc = cmd__pack_edges(ctx, ctx->view, "edges", &l.ids, l.more, pk, err);
    graph_ids_free(&l.ids);
    return rc;
}

typedef struct {
    knoop_buf_t *sb;
    size_t n, limit;
    bool more;
} cmd__hist_t;

static int cmd__hist_cb(void *arg, const void *entry, size_t len)
{
    cmd__hist_t *h = arg;
    if (h->n >= h->limit) {
        h->more = true;
        return 1;
    }
    knoop_buf_write(h->sb, entry, len);
    h->n++;
    return 0;
}

/* Stops at an entry of op "erase" (*(bool *)arg = true). */
static int cmd__erased_cb(void *arg, const void *entry, size_t len)
{
    msgpack_unpacked u;
    const msgpack_object *op;
    size_t off = 0;
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, entry, len, &off) == MSGPACK_UNPACK_SUCCESS &&
        u.data.type == MSGPACK_OBJECT_MAP && (op = proto_param(&u.data, "op")) != NULL &&
        op->type == MSGPACK_OBJECT_STR && op->via.str.size == 5 &&
        memcmp(op->via.str.ptr, "erase", 5) == 0)
        *(bool *)arg = true;
    msgpack_unpacked_destroy(&u);
    return *(bool *)arg ? 1 : 0;
}

int cmd_history_list(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err)
{
    knoop_buf_t sb;
    cmd__hist_t h = { .sb = &sb };
    uint64_t id = 0, code;
    const char *pc;
    size_t pcl;
    int rc, given;
    if ((rc = cmd_limit_param(p, &h.limit, err)) != KNOOP_OK)
        return rc;
    given = (proto_param(p, "id") != NULL) + (proto_param(p, "postcode") != NULL) +
            (proto_param(p, "woonplaats") != NULL);
    if (given != 1)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params: give exactly one of id, postcode or woonplaats");
    if (proto_param_str(p, "postcode", &pc, &pcl)) {
        unsigned pc4;
        if ((rc = schema_pc4_parse(pc, pcl, "params.postcode", &pc4, err)) != KNOOP_OK)
            return rc;
        id = store_hist_id('p', pc4);
    } else if (proto_param_u64(p, "woonplaats", &code)) {
        if (code == 0 || code > UINT32_MAX)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "params.woonplaats: expected a woonplaatscode 1..%u",
                                   (unsigned)UINT32_MAX);
        id = store_hist_id('w', (uint32_t)code);
    } else if (!proto_param_u64(p, "id", &id) &&
               (rc = cmd_node_ref(ctx, p, "id", &id, err)) != KNOOP_OK) {
        /* A node may be named by its external key; edge ids are numbers. */
        return rc;
    }
    if (id != 0 && id < STORE_HIST_ID_AUX) {
        /* A person's history holds personal data; so may a deleted node's (no record left). */
        graph_node_t n;
        int g = graph_node_get(ctx->store, ctx->view, id, &n, err);
        if (g == KNOOP_ENOTFOUND || (g == KNOOP_OK && n.kind == SCHEMA_KIND_PERSON))
            cmd_audit_note(ctx, id);
        if (g == KNOOP_OK)
            graph_node_clear(&n);
        else if (g != KNOOP_ENOTFOUND)
            return g;
        knoop_error_clear(err);
        /* An erased person's id answers as an id never used, except to the privacy role: the
         * history of erasures is theirs to see, not a list of whom to look for elsewhere. */
        if (g == KNOOP_ENOTFOUND && (ctx->roles & CMD_ROLE_PRIVACY) == 0) {
            bool erased = false;
            if ((rc = store_hist_scan(ctx->store, ctx->view, id, cmd__erased_cb, &erased, err)) !=
                KNOOP_OK)
                return rc;
            if (erased)
                return knoop_error_set(err, KNOOP_ENOTFOUND, "no history for id %llu",
                                       (unsigned long long)id);
        }
    }
    knoop_buf_init(&sb);
    rc = store_hist_scan(ctx->store, ctx->view, id, cmd__hist_cb, &h, err);
    if (rc == KNOOP_OK && h.n == 0)
        rc =
            knoop_error_set(err, KNOOP_ENOTFOUND, "no history for id %llu", (unsigned long long)id);
    if (rc == KNOOP_OK) {
        msgpack_pack_map(pk, 2);
        cmd_pack_cstr(pk, "entries");
        msgpack_pack_array(pk, (uint32_t)h.n);
        pk->callback(pk->data, sb.data, sb.size);
        cmd_pack_cstr(pk, "more");
        cmd_pack_bool(pk, h.more);
    }
    knoop_buf_destroy(&sb);
    return rc;
}

int cmd_edge_guard(cmd_ctx_t *ctx, const char *what, uint64_t id, knoop_error_t *err)
{
    graph_edge_t e;
    int rc = graph_edge_get(ctx->store, ctx->view, id, &e, err);
    if (rc != KNOOP_OK)
        return rc;
    rc = cmd__contact_guard(ctx, what, e.type, e.source, e.target, err);
    graph_edge_clear(&e);
    return rc;
}

int cmd_edge_update(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    graph_ids_t moved = { 0 };
    graph_edge_t e;
    uint64_t id = 0;
    schema_date_t from, to = SCHEMA_DATE_OPEN;
    bool has_from, has_to, reopen = false, changed = false;
    int rc;

    proto_param_u64(p, "id", &id);
    proto_param_bool(p, "reopen", &reopen);
    if ((rc = cmd_date_param(p, "valid_from", &from, &has_from, err)) != KNOOP_OK ||
        (rc = cmd_date_param(p, "valid_to", &to, &has_to, err)) != KNOOP_OK)
        return rc;
    if (reopen && has_to)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params.reopen: give either valid_to or reopen, not both");
    if (reopen) {
        to = SCHEMA_DATE_OPEN;
        has_to = true;
    }
    if ((rc = cmd_edge_guard(ctx, "edge.update", id, err)) != KNOOP_OK)
        return rc;
    memset(&e, 0, sizeof(e));
    rc = graph_edge_update_tx(ctx->txn, id, proto_param(p, "set"), proto_param(p, "unset"),
                              has_from ? &from : NULL, has_to ? &to : NULL, &moved, &changed, &e,
                              err);
    if (rc == KNOOP_OK) {
        msgpack_pack_map(pk, 3);
        cmd_pack_cstr(pk, "edge");
        graph_edge_pack(pk, &e);
        cmd_pack_cstr(pk, "changed");
        cmd_pack_bool(pk, changed);
        cmd_pack_cstr(pk, "moved");
        msgpack_pack_array(pk, (uint32_t)moved.n);
        for (size_t i = 0; i < moved.n && rc == KNOOP_OK; i++) {
            graph_edge_t m;
            if ((rc = graph_edge_get(ctx->store, ctx->view, moved.ids[i], &m, err)) == KNOOP_OK)
                graph_edge_pack(pk, &m);
            graph_edge_clear(&m);
        }
    }
    graph_edge_clear(&e);
    graph_ids_free(&moved);
    return rc;
}
