/*
 * query_members.c - query.members and query.participation: explicit memberships (`lid`,
 * `deelnemer`, `ligt in` edges) and derived participation, from either end (layer: query).
 *
 * Derived participation is defined once, here: gemeente G takes part in body B on `at` when
 * some role at B valid on `at` is held on behalf of (on_behalf_of, transitively, every link
 * valid on `at`) a role at G valid on `at`. query.members asks it from B (the roles at B, their
 * chains down to a gemeente), query.participation from G (the persons with a role at G, their
 * other roles, whose chains reach G). Both produce the same rows with the same evidence.
 */
#include <stdlib.h>
#include <string.h>

#include "query_int.h"

const char *const query_membership_types[] = { "lid", "deelnemer", "ligt in", NULL };

/* At most this many on_behalf_of links are followed (a longer chain is a data error). */
#define QUERY_CHAIN_MAX 32

int query__chain(const query_ctx_t *q, const graph_edge_t *e, schema_date_t at,
                 int (*cb)(void *arg, const graph_edge_t *base), void *arg, knoop_error_t *err)
{
    uint64_t cur = e->on_behalf_of;
    for (int depth = 0; cur != 0 && depth < QUERY_CHAIN_MAX; depth++) {
        graph_edge_t b;
        int rc = graph_edge_get(q->store, q->view, cur, &b, err);
        int stop;
        if (rc == KNOOP_ENOTFOUND)
            return KNOOP_OK;
        if (rc != KNOOP_OK)
            return rc;
        if (!(b.valid_from <= at && at < b.valid_to)) {
            graph_edge_clear(&b);
            return KNOOP_OK;
        }
        stop = cb(arg, &b);
        cur = b.on_behalf_of;
        graph_edge_clear(&b);
        if (stop < 0)
            return stop;
        if (stop)
            return KNOOP_OK;
    }
    return KNOOP_OK;
}

void query_members_free(query_members_t *m)
{
    for (size_t i = 0; i < m->n; i++) {
        query_member_t *r = &m->rows[i];
        graph_node_clear(&r->node);
        graph_edge_clear(&r->edge);
        for (size_t j = 0; j < r->nev; j++) {
            graph_node_clear(&r->ev[j].person);
            graph_edge_clear(&r->ev[j].role);
            graph_edge_clear(&r->ev[j].base);
        }
        knoop_free(r->ev);
    }
    knoop_free(m->rows);
    memset(m, 0, sizeof(*m));
}

/* The row of node id, created (with the node read) when new. */
static int row_of(const query_ctx_t *q, query_members_t *m, uint64_t id, query_member_t **out,
                  knoop_error_t *err)
{
    query_member_t *r;
    char name[256];
    int rc;
    for (size_t i = 0; i < m->n; i++)
        if (m->rows[i].node.id == id) {
            *out = &m->rows[i];
            return KNOOP_OK;
        }
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        query_member_t *v = knoop_realloc(m->rows, cap * sizeof(*v));
        if (v == NULL)
            return query_nomem(err);
        m->rows = v;
        m->cap = cap;
    }
    r = &m->rows[m->n];
    memset(r, 0, sizeof(*r));
    if ((rc = graph_node_get(q->store, q->view, id, &r->node, err)) != KNOOP_OK)
        return rc;
    query_node_name(&r->node, name, sizeof(name));
    if (schema_name_normalise(name, strlen(name), r->sort, sizeof(r->sort)) < 0)
        r->sort[0] = '\0';
    m->n++;
    *out = r;
    return KNOOP_OK;
}

/* Adds evidence {person, role, base} (copies of the records read by id) to r. */
static int evidence_add(const query_ctx_t *q, query_member_t *r, const graph_edge_t *role,
                        const graph_edge_t *base, knoop_error_t *err)
{
    query_evidence_t ev;
    int rc;
    for (size_t i = 0; i < r->nev; i++)
        if (r->ev[i].role.id == role->id && r->ev[i].base.id == base->id)
            return KNOOP_OK;
    if (r->nev == r->evcap) {
        size_t cap = r->evcap ? r->evcap * 2 : 4;
        query_evidence_t *v = knoop_realloc(r->ev, cap * sizeof(*v));
        if (v == NULL)
            return query_nomem(err);
        r->ev = v;
        r->evcap = cap;
    }
    memset(&ev, 0, sizeof(ev));
    if ((rc = graph_node_get(q->store, q->view, role->source, &ev.person, err)) != KNOOP_OK ||
        (rc = graph_edge_get(q->store, q->view, role->id, &ev.role, err)) != KNOOP_OK ||
        (rc = graph_edge_get(q->store, q->view, base->id, &ev.base, err)) != KNOOP_OK) {
        graph_node_clear(&ev.person);
        graph_edge_clear(&ev.role);
        graph_edge_clear(&ev.base);
        return rc;
    }
    ev.example = query_node_is_example(&ev.person);
    r->ev[r->nev++] = ev;
    return KNOOP_OK;
}

/* Marks r explicit with edge id (the first one found). */
static int explicit_set(const query_ctx_t *q, query_member_t *r, uint64_t edge, knoop_error_t *err)
{
    if (r->explicit_)
        return KNOOP_OK;
    r->explicit_ = true;
    return graph_edge_get(q->store, q->view, edge, &r->edge, err);
}

static int member_cmp(const void *a, const void *b)
{
    const query_member_t *x = a, *y = b;
    int c = strcmp(x->sort, y->sort);
    return c ? c : (x->node.id < y->node.id ? -1 : x->node.id > y->node.id);
}

static void evidence_clear(query_evidence_t *ev)
{
    graph_node_clear(&ev->person);
    graph_edge_clear(&ev->role);
    graph_edge_clear(&ev->base);
}

static void row_clear(query_member_t *r)
{
    graph_node_clear(&r->node);
    graph_edge_clear(&r->edge);
    for (size_t j = 0; j < r->nev; j++)
        evidence_clear(&r->ev[j]);
    knoop_free(r->ev);
}

/* Drops the evidence through example persons, and the rows left with no reason (derived only
 * through them). */
static void drop_examples(query_members_t *m)
{
    size_t k = 0;
    for (size_t i = 0; i < m->n; i++) {
        query_member_t *r = &m->rows[i];
        size_t e = 0;
        for (size_t j = 0; j < r->nev; j++) {
            if (r->ev[j].example)
                evidence_clear(&r->ev[j]);
            else
                r->ev[e++] = r->ev[j];
        }
        r->nev = e;
        if (!r->explicit_ && r->nev == 0)
            row_clear(r);
        else
            m->rows[k++] = *r;
    }
    m->n = k;
}

/* Leaves out what example persons account for (unless examples), orders, cuts at limit. */
static void cut(query_members_t *m, size_t limit, bool examples)
{
    if (!examples)
        drop_examples(m);
    if (m->n > 1)
        qsort(m->rows, m->n, sizeof(*m->rows), member_cmp);
    if (m->n > limit) {
        size_t n = m->n;
        m->n = limit;
        for (size_t i = limit; i < n; i++)
            row_clear(&m->rows[i]);
        m->more = true;
    }
}

static int check_subject(const query_ctx_t *q, uint64_t id, const char *field, knoop_error_t *err)
{
    graph_node_t n;
    int rc = graph_node_get(q->store, q->view, id, &n, err);
    if (rc == KNOOP_ENOTFOUND)
        return knoop_error_set(err, rc, "params.%s: node %llu does not exist", field,
                               (unsigned long long)id);
    graph_node_clear(&n);
    return rc;
}

/* ---- from the body: query.members ---- */

typedef struct {
    const query_ctx_t *q;
    query_members_t *out;
    const graph_edge_t *role;
    graph_ids_t seen; /* gemeenten already credited through this role */
    knoop_error_t *err;
    int rc;
} down_t;

static int down_cb(void *arg, const graph_edge_t *base)
{
    down_t *d = arg;
    graph_node_t g;
    query_member_t *r;
    int rc;
    for (size_t i = 0; i < d->seen.n; i++)
        if (d->seen.ids[i] == base->target)
            return 0;
    if ((rc = graph_node_get(d->q->store, d->q->view, base->target, &g, d->err)) != KNOOP_OK) {
        d->rc = rc;
        return 1;
    }
    rc = g.kind == SCHEMA_KIND_ORGANISATION && strcmp(g.type, "gemeente") == 0;
    graph_node_clear(&g);
    if (!rc)
        return 0;
    if (graph_ids_push(&d->seen, base->target) != KNOOP_OK) {
        d->rc = query_nomem(d->err);
        return 1;
    }
    if ((rc = row_of(d->q, d->out, base->target, &r, d->err)) != KNOOP_OK ||
        (rc = evidence_add(d->q, r, d->role, base, d->err)) != KNOOP_OK) {
        d->rc = rc;
        return 1;
    }
    return 0;
}

int query_members(const query_ctx_t *q, uint64_t node, const char *type, schema_date_t at,
                  bool derived, bool examples, size_t limit, query_members_t *out,
                  knoop_error_t *err)
{
    const char *one[2] = { type, NULL };
    query__adj_t l = { 0 };
    int rc;

    if ((rc = check_subject(q, node, "node", err)) != KNOOP_OK)
        return rc;
    rc = query__adj(q, node, GRAPH_IN, type != NULL ? one : query_membership_types, at, &l, err);
    for (size_t i = 0; rc == KNOOP_OK && i < l.nodes.n; i++) {
        query_member_t *r;
        if ((rc = query_check_deadline(q, err)) != KNOOP_OK)
            break;
        if ((rc = row_of(q, out, l.nodes.ids[i], &r, err)) == KNOOP_OK)
            rc = explicit_set(q, r, l.edges.ids[i], err);
    }
    query__adj_free(&l);
    if (rc == KNOOP_OK && derived) {
        query__adj_t roles = { 0 };
        rc = query__adj(q, node, GRAPH_IN, NULL, at, &roles, err);
        for (size_t i = 0; rc == KNOOP_OK && i < roles.edges.n; i++) {
            graph_edge_t e;
            down_t d = { q, out, &e, { 0 }, err, KNOOP_OK };
            if ((rc = query_check_deadline(q, err)) != KNOOP_OK)
                break;
            if ((rc = graph_edge_get(q->store, q->view, roles.edges.ids[i], &e, err)) != KNOOP_OK)
                break;
            if (e.on_behalf_of != 0) {
                rc = query__chain(q, &e, at, down_cb, &d, err);
                if (rc == KNOOP_OK)
                    rc = d.rc;
            }
            graph_ids_free(&d.seen);
            graph_edge_clear(&e);
        }
        query__adj_free(&roles);
    }
    if (rc == KNOOP_OK)
        cut(out, limit, examples);
    return rc;
}

/* ---- from the gemeente: query.participation ---- */

typedef struct {
    uint64_t gemeente;
    graph_edge_t base; /* the first link at the gemeente; id 0 when none */
    int rc;
} up_t;

static int up_cb(void *arg, const graph_edge_t *base)
{
    up_t *u = arg;
    if (base->target != u->gemeente)
        return 0;
    /* Keep a copy of the ids we need; the records are read again by evidence_add. */
    u->base.id = base->id;
    u->base.source = base->source;
    u->base.target = base->target;
    return 1;
}

int query_participation(const query_ctx_t *q, uint64_t gemeente, schema_date_t at, bool examples,
                        size_t limit, query_members_t *out, knoop_error_t *err)
{
    query__adj_t l = { 0 }, holders = { 0 };
    graph_ids_t persons = { 0 };
    int rc;

    if ((rc = check_subject(q, gemeente, "node", err)) != KNOOP_OK)
        return rc;
    rc = query__adj(q, gemeente, GRAPH_OUT, query_membership_types, at, &l, err);
    for (size_t i = 0; rc == KNOOP_OK && i < l.nodes.n; i++) {
        query_member_t *r;
        if ((rc = row_of(q, out, l.nodes.ids[i], &r, err)) == KNOOP_OK)
            rc = explicit_set(q, r, l.edges.ids[i], err);
    }
    query__adj_free(&l);
    /* The persons holding a role at the gemeente on at. */
    if (rc == KNOOP_OK)
        rc = query__adj(q, gemeente, GRAPH_IN, NULL, at, &holders, err);
    for (size_t i = 0; rc == KNOOP_OK && i < holders.nodes.n; i++) {
        bool dup = false;
        for (size_t j = 0; j < persons.n && !dup; j++)
            dup = persons.ids[j] == holders.nodes.ids[i];
        if (!dup && graph_ids_push(&persons, holders.nodes.ids[i]) != KNOOP_OK)
            rc = query_nomem(err);
    }
    query__adj_free(&holders);
    for (size_t i = 0; rc == KNOOP_OK && i < persons.n; i++) {
        query__adj_t theirs = { 0 };
        if ((rc = query_check_deadline(q, err)) != KNOOP_OK)
            break;
        rc = query__adj(q, persons.ids[i], GRAPH_OUT, NULL, at, &theirs, err);
        for (size_t j = 0; rc == KNOOP_OK && j < theirs.edges.n; j++) {
            graph_edge_t e;
            up_t u = { gemeente, { 0 }, KNOOP_OK };
            if (theirs.nodes.ids[j] == gemeente)
                continue;
            if ((rc = graph_edge_get(q->store, q->view, theirs.edges.ids[j], &e, err)) != KNOOP_OK)
                break;
            if (e.on_behalf_of != 0)
                rc = query__chain(q, &e, at, up_cb, &u, err);
            if (rc == KNOOP_OK && u.base.id != 0) {
                query_member_t *r;
                if ((rc = row_of(q, out, e.target, &r, err)) == KNOOP_OK)
                    rc = evidence_add(q, r, &e, &u.base, err);
            }
            graph_edge_clear(&e);
        }
        query__adj_free(&theirs);
    }
    graph_ids_free(&persons);
    if (rc == KNOOP_OK)
        cut(out, limit, examples);
    return rc;
}

/* ---- packing ---- */

void query_members_pack(msgpack_packer *pk, const query_members_t *m, const char *field)
{
    msgpack_pack_map(pk, 2);
    query_pack_str(pk, field);
    query_members_pack_rows(pk, m);
    query_pack_str(pk, "more");
    query_pack_bool(pk, m->more);
}

void query_members_pack_rows(msgpack_packer *pk, const query_members_t *m)
{
    msgpack_pack_array(pk, (uint32_t)m->n);
    for (size_t i = 0; i < m->n; i++) {
        const query_member_t *r = &m->rows[i];
        char name[256], key[KNOOP_MAX_NAME_BYTES + 1];
        msgpack_pack_map(pk, 10);
        query_pack_str(pk, "node");
        query_pack_node(pk, &r->node);
        query_pack_str(pk, "explicit");
        query_pack_bool(pk, r->explicit_);
        query_pack_str(pk, "edge");
        if (r->explicit_)
            graph_edge_pack(pk, &r->edge);
        else
            msgpack_pack_nil(pk);
        query_pack_str(pk, "evidence");
        msgpack_pack_array(pk, (uint32_t)r->nev);
        for (size_t j = 0; j < r->nev; j++) {
            msgpack_pack_map(pk, 4);
            query_pack_str(pk, "person");
            query_pack_node(pk, &r->ev[j].person);
            query_pack_str(pk, "example");
            query_pack_bool(pk, r->ev[j].example);
            query_pack_str(pk, "role");
            graph_edge_pack(pk, &r->ev[j].role);
            query_pack_str(pk, "base");
            graph_edge_pack(pk, &r->ev[j].base);
        }
        /* The flat node fields of the earlier query.members. */
        query_pack_str(pk, "id");
        msgpack_pack_uint64(pk, r->node.id);
        query_pack_str(pk, "kind");
        query_pack_str(pk, schema_kind_name(r->node.kind));
        query_pack_str(pk, "type");
        query_pack_str(pk, r->node.type);
        query_pack_str(pk, "name");
        query_pack_str(pk, query_node_name(&r->node, name, sizeof(name)));
        query_pack_str(pk, "key");
        query_pack_str(pk, query_node_key(&r->node, key, sizeof(key)));
        query_pack_str(pk, "props");
        if (r->node.props_len)
            pk->callback(pk->data, r->node.props, r->node.props_len);
        else
            msgpack_pack_map(pk, 0);
    }
}
