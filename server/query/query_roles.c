/*
 * query_roles.c - query.roles: a person's roles on a date, or over a period, each with the
 * organisation and the role it is held on behalf of (layer: query).
 */
#include <stdlib.h>
#include <string.h>

#include "query_int.h"

typedef struct {
    query__hits_t *hits;
    uint64_t person;
    int rc;
} roles_scan_t;

static int roles_cb(void *arg, const graph_adj_t *a)
{
    roles_scan_t *s = arg;
    query__hit_t h = { a->edge, s->person, a->other };
    return (s->rc = query__hits_push(s->hits, h)) != KNOOP_OK;
}

static int role_cmp(const void *a, const void *b)
{
    const query_role_t *x = a, *y = b;
    if (x->role.valid_from != y->role.valid_from)
        return x->role.valid_from < y->role.valid_from ? -1 : 1;
    return x->role.id < y->role.id ? -1 : x->role.id > y->role.id;
}

int query_roles(const query_ctx_t *q, uint64_t person, bool overlap, schema_date_t at,
                schema_date_t from, schema_date_t to, size_t limit, query_roles_t *out,
                knoop_error_t *err)
{
    graph_filter_t f = { .dir = GRAPH_OUT };
    query__hits_t hits = { 0 };
    roles_scan_t s = { &hits, person, KNOOP_OK };
    graph_node_t p;
    int rc;

    if ((rc = graph_node_get(q->store, q->view, person, &p, err)) != KNOOP_OK) {
        if (rc == KNOOP_ENOTFOUND)
            knoop_error_set(err, rc, "params.person: node %llu does not exist",
                            (unsigned long long)person);
        return rc;
    }
    if (p.kind != SCHEMA_KIND_PERSON) {
        graph_node_clear(&p);
        return knoop_error_set(err, KNOOP_EINVAL, "params.person: node %llu is a %s, not a person",
                               (unsigned long long)person, schema_kind_name(p.kind));
    }
    graph_node_clear(&p);
    if (overlap) {
        f.time = GRAPH_TIME_OVERLAP;
        f.from = from;
        f.to = to;
    } else {
        f.time = GRAPH_TIME_AT;
        f.at = at;
    }
    rc = graph_adj_scan(q->store, q->view, person, &f, roles_cb, &s, err);
    if (rc == KNOOP_OK && s.rc != KNOOP_OK)
        rc = query_nomem(err);
    /* Read every hit (a person has tens of roles, not thousands), sort by valid_from, cut. */
    for (size_t i = 0; rc == KNOOP_OK && i < hits.n; i++) {
        bool keep;
        if ((i & 63) == 63 && (rc = query_check_deadline(q, err)) != KNOOP_OK)
            break;
        rc = query__role_add(q, hits.v[i], NULL, NULL, false, out, &keep, err);
    }
    query__hits_free(&hits);
    if (rc != KNOOP_OK)
        return rc;
    if (out->n > 1)
        qsort(out->rows, out->n, sizeof(*out->rows), role_cmp);
    while (out->n > limit) {
        query_role_t *r = &out->rows[--out->n];
        graph_node_clear(&r->person);
        graph_node_clear(&r->org);
        graph_edge_clear(&r->role);
        graph_edge_clear(&r->base);
        out->more = true;
    }
    return KNOOP_OK;
}

void query_roles_pack(msgpack_packer *pk, const query_roles_t *r)
{
    msgpack_pack_map(pk, 2);
    query_pack_str(pk, "roles");
    msgpack_pack_array(pk, (uint32_t)r->n);
    for (size_t i = 0; i < r->n; i++)
        query__role_pack(pk, &r->rows[i], false, false);
    query_pack_str(pk, "more");
    query_pack_bool(pk, r->more);
}
