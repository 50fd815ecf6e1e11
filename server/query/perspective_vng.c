/*
 * perspective_vng.c - the VNG perspective: the VNG's board (vng-bestuur) and committees
 * (vng-commissie) with their members on a date, each with the gemeente and the base role they
 * sit for (layer: query). Takes no subject.
 */
#include <string.h>

#include "query_int.h"

typedef struct {
    const query_ctx_t *q;
    graph_node_t gemeente;
    graph_edge_t base;
    bool found;
    int rc;
    knoop_error_t *err;
} sits_for_t;

/* The first link of the chain that is a role at a gemeente. */
static int sits_cb(void *arg, const graph_edge_t *b)
{
    sits_for_t *s = arg;
    graph_node_t g;
    int rc = graph_node_get(s->q->store, s->q->view, b->target, &g, s->err);
    if (rc != KNOOP_OK) {
        s->rc = rc;
        return 1;
    }
    if (g.kind != SCHEMA_KIND_ORGANISATION || strcmp(g.type, "gemeente") != 0) {
        graph_node_clear(&g);
        return 0;
    }
    s->gemeente = g;
    if ((rc = graph_edge_get(s->q->store, s->q->view, b->id, &s->base, s->err)) != KNOOP_OK)
        s->rc = rc;
    s->found = rc == KNOOP_OK;
    return 1;
}

static int pack_body(const query_ctx_t *q, uint64_t body, schema_date_t at, msgpack_packer *pk,
                     knoop_error_t *err)
{
    query_holders_args_t a = { .org = body, .at = at, .limit = KNOOP_MAX_RESULT_LIMIT };
    query_roles_t r = { 0 };
    graph_node_t n;
    int rc;
    if ((rc = graph_node_get(q->store, q->view, body, &n, err)) != KNOOP_OK)
        return rc;
    if ((rc = query_holders(q, &a, &r, err)) != KNOOP_OK) {
        graph_node_clear(&n);
        query_roles_free(&r);
        return rc;
    }
    msgpack_pack_map(pk, 2);
    query_pack_str(pk, "node");
    query_pack_node(pk, &n);
    graph_node_clear(&n);
    query_pack_str(pk, "members");
    msgpack_pack_array(pk, (uint32_t)r.n);
    for (size_t i = 0; i < r.n; i++) {
        sits_for_t s = { q, { 0 }, { 0 }, false, KNOOP_OK, err };
        const query_role_t *row = &r.rows[i];
        rc = query__chain(q, &row->role, at, sits_cb, &s, err);
        if (rc == KNOOP_OK)
            rc = s.rc;
        msgpack_pack_map(pk, 5);
        query_pack_str(pk, "person");
        query_pack_node(pk, &row->person);
        query_pack_str(pk, "role");
        graph_edge_pack(pk, &row->role);
        query_pack_str(pk, "base");
        if (row->base.id != 0)
            graph_edge_pack(pk, &row->base);
        else
            msgpack_pack_nil(pk);
        query_pack_str(pk, "gemeente");
        if (s.found)
            query_pack_node(pk, &s.gemeente);
        else
            msgpack_pack_nil(pk);
        query_pack_str(pk, "gemeente_role");
        if (s.found)
            graph_edge_pack(pk, &s.base);
        else
            msgpack_pack_nil(pk);
        graph_node_clear(&s.gemeente);
        graph_edge_clear(&s.base);
        if (rc != KNOOP_OK)
            break;
    }
    query_roles_free(&r);
    return rc;
}

static int vng_get(const query_ctx_t *q, uint64_t subject, schema_date_t at, msgpack_packer *pk,
                   knoop_error_t *err)
{
    static const char *const types[] = { "vng-bestuur", "vng-commissie" };
    graph_ids_t ids[2] = { { 0 }, { 0 } };
    char d[11];
    int rc = KNOOP_OK;
    (void)subject;
    for (int t = 0; t < 2 && rc == KNOOP_OK; t++) {
        bool more;
        rc = graph_node_find(q->store, q->view, SCHEMA_KIND_ORGANISATION, types[t], NULL,
                             KNOOP_MAX_RESULT_LIMIT, &ids[t], &more, err);
    }
    if (rc == KNOOP_OK) {
        msgpack_pack_map(pk, 4);
        query_pack_str(pk, "perspective");
        query_pack_str(pk, "vng");
        query_pack_str(pk, "at");
        query_pack_str(pk, schema_date_format(at, d));
        for (int t = 0; t < 2 && rc == KNOOP_OK; t++) {
            query_pack_str(pk, t == 0 ? "board" : "committees");
            msgpack_pack_array(pk, (uint32_t)ids[t].n);
            for (size_t i = 0; rc == KNOOP_OK && i < ids[t].n; i++) {
                if ((rc = query_check_deadline(q, err)) == KNOOP_OK)
                    rc = pack_body(q, ids[t].ids[i], at, pk, err);
            }
        }
    }
    graph_ids_free(&ids[0]);
    graph_ids_free(&ids[1]);
    return rc;
}

const query_perspective_t query_perspective_vng = {
    "vng",
    "the VNG's board and committees with their members on a date, each with the gemeente and the "
    "base role they sit for",
    NULL,
    vng_get,
};
