/*
 * query_holders.c - query.holders: who holds which role at an organisation, in a scope (the
 * members of a province, region or koepel) or everywhere, filtered by role type, portefeuille
 * and person (layer: query).
 *
 * First the organisations to visit are listed, then each one's incoming role edges valid on
 * `at` are scanned from the adjacency (no records read), and only the hits are read. The scan
 * stops once limit + 1 rows matched, so a small limit stays cheap.
 */
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "query_int.h"

int query__hits_push(query__hits_t *l, query__hit_t h)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        query__hit_t *v = knoop_realloc(l->v, cap * sizeof(*v));
        if (v == NULL)
            return KNOOP_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = h;
    return KNOOP_OK;
}

void query__hits_free(query__hits_t *l)
{
    knoop_free(l->v);
    memset(l, 0, sizeof(*l));
}

void query_roles_free(query_roles_t *r)
{
    for (size_t i = 0; i < r->n; i++) {
        graph_node_clear(&r->rows[i].person);
        graph_node_clear(&r->rows[i].org);
        graph_edge_clear(&r->rows[i].role);
        graph_edge_clear(&r->rows[i].base);
    }
    knoop_free(r->rows);
    memset(r, 0, sizeof(*r));
}

int query__role_add(const query_ctx_t *q, query__hit_t h,
                    bool (*filter)(void *arg, const graph_edge_t *e), void *arg, bool skip_examples,
                    query_roles_t *out, bool *keep, knoop_error_t *err)
{
    query_role_t r;
    int rc;
    memset(&r, 0, sizeof(r));
    *keep = false;
    if ((rc = graph_edge_get(q->store, q->view, h.edge, &r.role, err)) != KNOOP_OK)
        return rc;
    if (filter != NULL && !filter(arg, &r.role))
        goto skip;
    if ((rc = graph_node_get(q->store, q->view, r.role.source, &r.person, err)) != KNOOP_OK)
        goto fail;
    if (r.person.kind != SCHEMA_KIND_PERSON)
        goto skip;
    r.example = query_node_is_example(&r.person);
    if (r.example && skip_examples)
        goto skip;
    if ((rc = graph_node_get(q->store, q->view, r.role.target, &r.org, err)) != KNOOP_OK)
        goto fail;
    if (!schema_kind_holds_roles(r.org.kind))
        goto skip;
    if (r.role.on_behalf_of != 0) {
        rc = graph_edge_get(q->store, q->view, r.role.on_behalf_of, &r.base, err);
        if (rc == KNOOP_ENOTFOUND) /* deleted base: show none */
            memset(&r.base, 0, sizeof(r.base));
        else if (rc != KNOOP_OK)
            goto fail;
    }
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 16;
        query_role_t *v = knoop_realloc(out->rows, cap * sizeof(*v));
        if (v == NULL) {
            rc = query_nomem(err);
            goto fail;
        }
        out->rows = v;
        out->cap = cap;
    }
    out->rows[out->n++] = r;
    *keep = true;
    return KNOOP_OK;
skip:
    rc = KNOOP_OK;
fail:
    graph_node_clear(&r.person);
    graph_node_clear(&r.org);
    graph_edge_clear(&r.role);
    graph_edge_clear(&r.base);
    return rc;
}

static const char *const contact_keys[] = { "email",     "telefoon", "website", "bezoekadres",
                                            "postadres", "functie",  NULL };

void query__role_pack(msgpack_packer *pk, const query_role_t *r, bool with_person, bool contacts)
{
    msgpack_pack_map(pk, 4 + (with_person ? 1 : 0) + (contacts ? 1 : 0));
    if (with_person) {
        query_pack_str(pk, "person");
        query_pack_node(pk, &r->person);
    }
    query_pack_str(pk, "role");
    graph_edge_pack(pk, &r->role);
    query_pack_str(pk, "org");
    query_pack_node(pk, &r->org);
    query_pack_str(pk, "base");
    if (r->base.id != 0)
        graph_edge_pack(pk, &r->base);
    else
        msgpack_pack_nil(pk);
    query_pack_str(pk, "example");
    query_pack_bool(pk, r->example);
    if (contacts) {
        query_pack_str(pk, "contacts");
        msgpack_pack_map(pk, 2);
        query_pack_str(pk, "person");
        query_pack_props_subset(pk, r->person.props, r->person.props_len, contact_keys);
        query_pack_str(pk, "org");
        query_pack_props_subset(pk, r->org.props, r->org.props_len, contact_keys);
    }
}

void query_holders_pack(msgpack_packer *pk, const query_roles_t *r, bool contacts)
{
    msgpack_pack_map(pk, 2);
    query_pack_str(pk, "holders");
    msgpack_pack_array(pk, (uint32_t)r->n);
    for (size_t i = 0; i < r->n; i++)
        query__role_pack(pk, &r->rows[i], true, contacts);
    query_pack_str(pk, "more");
    query_pack_bool(pk, r->more);
}

/* ---- collecting ---- */

typedef struct {
    const query_holders_args_t *a;
    query__hits_t *hits;
    uint64_t org;
    bool from_person; /* scanning the person's outgoing edges: other is the organisation */
    int rc;
} scan_t;

static bool role_wanted(const query_holders_args_t *a, const char *type, size_t len)
{
    if (a->nroles == 0)
        return true;
    for (size_t i = 0; i < a->nroles; i++)
        if (strlen(a->roles[i]) == len && memcmp(a->roles[i], type, len) == 0)
            return true;
    return false;
}

static int hit_cb(void *arg, const graph_adj_t *adj)
{
    scan_t *s = arg;
    query__hit_t h = { adj->edge, adj->other, s->org };
    if (!s->from_person && s->a->person != 0 && adj->other != s->a->person)
        return 0;
    if (!role_wanted(s->a, adj->type, adj->type_len))
        return 0;
    if ((s->rc = query__hits_push(s->hits, h)) != KNOOP_OK)
        return 1;
    return 0;
}

/* Collects the ids of the sources of node's incoming edges of the given types valid on at. */
typedef struct {
    graph_ids_t *ids;
    int rc;
} ids_scan_t;

static int ids_cb(void *arg, const graph_adj_t *adj)
{
    ids_scan_t *s = arg;
    for (size_t i = 0; i < s->ids->n; i++)
        if (s->ids->ids[i] == adj->other)
            return 0;
    return (s->rc = graph_ids_push(s->ids, adj->other)) != KNOOP_OK;
}

static int sources_of(const query_ctx_t *q, uint64_t node, const char *const *types,
                      schema_date_t at, graph_ids_t *ids, knoop_error_t *err)
{
    graph_filter_t f = { .dir = GRAPH_IN, .time = GRAPH_TIME_AT, .at = at };
    ids_scan_t s = { ids, KNOOP_OK };
    int rc;
    for (int i = 0; types[i] != NULL; i++) {
        f.type = types[i];
        if ((rc = graph_adj_scan(q->store, q->view, node, &f, ids_cb, &s, err)) != KNOOP_OK)
            return rc;
        if (s.rc != KNOOP_OK)
            return query_nomem(err);
    }
    return KNOOP_OK;
}

static const char *const sub_org_types[] = { "fractie van", "secretariaat van", NULL };

/* Adds org and the organisations belonging to it (fracties, bestuurssecretariaat). */
static int add_org(const query_ctx_t *q, uint64_t org, schema_date_t at, graph_ids_t *orgs,
                   knoop_error_t *err)
{
    for (size_t i = 0; i < orgs->n; i++)
        if (orgs->ids[i] == org)
            return KNOOP_OK;
    if (graph_ids_push(orgs, org) != KNOOP_OK)
        return query_nomem(err);
    return sources_of(q, org, sub_org_types, at, orgs, err);
}

static bool portefeuille_match(void *arg, const graph_edge_t *e)
{
    const char *want = arg; /* normalised */
    msgpack_zone z;
    msgpack_object o;
    const msgpack_object *pf;
    size_t off = 0;
    bool match = false;
    if (e->props_len == 0 || !msgpack_zone_init(&z, 512))
        return false;
    if (msgpack_unpack(e->props, e->props_len, &off, &z, &o) == MSGPACK_UNPACK_SUCCESS &&
        (pf = proto_param(&o, "portefeuilles")) != NULL) {
        const msgpack_object *v = pf->type == MSGPACK_OBJECT_ARRAY ? pf->via.array.ptr : pf;
        uint32_t n = pf->type == MSGPACK_OBJECT_ARRAY ? pf->via.array.size : 1;
        for (uint32_t i = 0; i < n && !match; i++) {
            char norm[256];
            if (v[i].type != MSGPACK_OBJECT_STR)
                continue;
            if (schema_name_normalise(v[i].via.str.ptr, v[i].via.str.size, norm, sizeof(norm)) >= 0)
                match = strcmp(norm, want) == 0;
        }
    }
    msgpack_zone_destroy(&z);
    return match;
}

static int check_node(const query_ctx_t *q, uint64_t id, const char *field, knoop_error_t *err)
{
    graph_node_t n;
    int rc = graph_node_get(q->store, q->view, id, &n, err);
    if (rc == KNOOP_ENOTFOUND)
        return knoop_error_set(err, rc, "params.%s: node %llu does not exist", field,
                               (unsigned long long)id);
    graph_node_clear(&n);
    return rc;
}

int query_holders(const query_ctx_t *q, const query_holders_args_t *a, query_roles_t *out,
                  knoop_error_t *err)
{
    static const int org_kinds[] = { SCHEMA_KIND_ORGANISATION, SCHEMA_KIND_BODY,
                                     SCHEMA_KIND_PROJECT };
    char pf[256];
    graph_ids_t orgs = { 0 };
    query__hits_t hits = { 0 };
    graph_filter_t f = { .dir = GRAPH_IN, .time = GRAPH_TIME_AT, .at = a->at };
    scan_t s = { a, &hits, 0, false, KNOOP_OK };
    bool by_person = false, skip_examples = !a->examples && a->person == 0;
    int rc = KNOOP_OK;

    if (a->portefeuille != NULL &&
        schema_name_normalise(a->portefeuille, strlen(a->portefeuille), pf, sizeof(pf)) < 0)
        return knoop_error_set(err, KNOOP_EINVAL, "params.portefeuille: not valid UTF-8");
    if ((a->org && (rc = check_node(q, a->org, "org", err)) != KNOOP_OK) ||
        (a->scope && (rc = check_node(q, a->scope, "scope", err)) != KNOOP_OK) ||
        (a->person && (rc = check_node(q, a->person, "person", err)) != KNOOP_OK))
        return rc;
    if (a->nroles == 1)
        f.type = a->roles[0];
    if (a->org != 0) {
        rc = add_org(q, a->org, a->at, &orgs, err);
    } else if (a->scope != 0) {
        graph_ids_t members = { 0 };
        rc = sources_of(q, a->scope, query_membership_types, a->at, &members, err);
        for (size_t i = 0; rc == KNOOP_OK && i < members.n; i++) {
            graph_node_t m;
            if ((rc = graph_node_get(q->store, q->view, members.ids[i], &m, err)) != KNOOP_OK)
                break;
            if (schema_kind_holds_roles(m.kind))
                rc = add_org(q, m.id, a->at, &orgs, err);
            graph_node_clear(&m);
        }
        graph_ids_free(&members);
    } else if (a->person != 0) {
        by_person = true;
    } else {
        for (size_t k = 0; rc == KNOOP_OK && k < sizeof(org_kinds) / sizeof(org_kinds[0]); k++) {
            bool more;
            rc = graph_node_find(q->store, q->view, org_kinds[k], NULL, NULL, SIZE_MAX / 16, &orgs,
                                 &more, err);
        }
    }
    if (by_person) {
        /* One person: the outgoing edges of the person are the candidates. */
        f.dir = GRAPH_OUT;
        s.from_person = true;
        rc = graph_adj_scan(q->store, q->view, a->person, &f, hit_cb, &s, err);
        for (size_t i = 0; rc == KNOOP_OK && i < hits.n; i++) {
            uint64_t org = hits.v[i].person; /* `other` is the org when scanning out */
            hits.v[i].person = a->person;
            hits.v[i].org = org;
        }
    }
    /* Visit organisation by organisation, reading only the hits, until limit + 1 rows. */
    for (size_t i = 0; rc == KNOOP_OK && s.rc == KNOOP_OK && (by_person ? i < 1 : i < orgs.n);
         i++) {
        size_t start = 0;
        if ((rc = query_check_deadline(q, err)) != KNOOP_OK)
            break;
        if (!by_person) {
            hits.n = 0;
            s.org = orgs.ids[i];
            if ((rc = graph_adj_scan(q->store, q->view, s.org, &f, hit_cb, &s, err)) != KNOOP_OK)
                break;
        }
        for (size_t j = start; j < hits.n && s.rc == KNOOP_OK; j++) {
            bool keep;
            if ((j & 63) == 63 && (rc = query_check_deadline(q, err)) != KNOOP_OK)
                break;
            if (out->n == a->limit) {
                /* One more match means the result is cut. */
                query_roles_t probe = { 0 };
                rc = query__role_add(q, hits.v[j], a->portefeuille ? portefeuille_match : NULL, pf,
                                     skip_examples, &probe, &keep, err);
                query_roles_free(&probe);
                if (rc != KNOOP_OK)
                    break;
                if (keep) {
                    out->more = true;
                    goto done;
                }
                continue;
            }
            rc = query__role_add(q, hits.v[j], a->portefeuille ? portefeuille_match : NULL, pf,
                                 skip_examples, out, &keep, err);
            if (rc != KNOOP_OK)
                break;
        }
    }
    if (rc == KNOOP_OK && s.rc != KNOOP_OK)
        rc = query_nomem(err);
done:
    graph_ids_free(&orgs);
    query__hits_free(&hits);
    return rc;
}
