/*
 * query_seats.c - query.seats: a gemeente's council on a date, raadslid roles counted per
 * party (`namens`), and the election result registered for it (layer: query).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "query_int.h"

static int seat_cmp(const void *a, const void *b)
{
    const query_seat_t *x = a, *y = b;
    if (x->example != y->example)
        return x->example ? 1 : -1;
    if (x->seats != y->seats)
        return x->seats > y->seats ? -1 : 1;
    if ((x->party == NULL) != (y->party == NULL))
        return x->party == NULL ? 1 : -1;
    if (x->party != NULL) {
        int c = strcmp(x->party, y->party);
        if (c)
            return c;
    }
    return x->list < y->list ? -1 : x->list > y->list;
}

/* Adds n seats to party (NULL = none; then told apart by list) in *v; with merge, to the row
 * of the same party (or list) and example flag when there is one. KNOOP_ENOMEM. */
static int seat_add(query_seat_t **v, size_t *n, const char *party, size_t plen, int64_t list,
                    uint64_t seats, bool example, bool merge)
{
    query_seat_t *nv;
    for (size_t i = 0; merge && i < *n; i++) {
        query_seat_t *s = &(*v)[i];
        if (s->example != example)
            continue;
        if ((party == NULL && s->party == NULL && s->list == list) ||
            (party != NULL && s->party != NULL && strlen(s->party) == plen &&
             memcmp(s->party, party, plen) == 0)) {
            s->seats += seats;
            return KNOOP_OK;
        }
    }
    if ((nv = knoop_realloc(*v, (*n + 1) * sizeof(*nv))) == NULL)
        return KNOOP_ENOMEM;
    *v = nv;
    nv[*n].party = NULL;
    nv[*n].list = list;
    nv[*n].seats = seats;
    nv[*n].example = example;
    if (party != NULL) {
        if ((nv[*n].party = knoop_malloc(plen + 1)) == NULL)
            return KNOOP_ENOMEM;
        memcpy(nv[*n].party, party, plen);
        nv[*n].party[plen] = '\0';
    }
    (*n)++;
    return KNOOP_OK;
}

static void seats_free(query_seat_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        knoop_free(v[i].party);
    knoop_free(v);
}

void query_seats_free(query_seats_t *s)
{
    graph_node_clear(&s->gemeente);
    graph_node_clear(&s->election);
    seats_free(s->seats, s->n);
    seats_free(s->eseats, s->en);
    memset(s, 0, sizeof(*s));
}

typedef struct {
    graph_ids_t edges, others;
    schema_date_t from_best;
    uint64_t best; /* the uitslag van edge with the latest valid_from <= at */
    uint64_t best_src;
    schema_date_t at;
    int rc;
} seat_scan_t;

static int raad_cb(void *arg, const graph_adj_t *a)
{
    seat_scan_t *s = arg;
    return (s->rc = graph_ids_push(&s->edges, a->edge)) != KNOOP_OK;
}

static int uitslag_cb(void *arg, const graph_adj_t *a)
{
    seat_scan_t *s = arg;
    if (a->valid_from <= s->at && (s->best == 0 || a->valid_from >= s->from_best)) {
        s->best = a->edge;
        s->best_src = a->other;
        s->from_best = a->valid_from;
    }
    return 0;
}

/* Reads the election record's props: date, total, seats [{party, list, seats}]. */
static int election_read(query_seats_t *out, knoop_error_t *err)
{
    msgpack_zone z;
    msgpack_object o;
    const msgpack_object *seats;
    size_t off = 0;
    const char *s;
    size_t sl;
    int rc = KNOOP_OK;
    if (out->election.props_len == 0)
        return KNOOP_OK;
    if (!msgpack_zone_init(&z, 2048))
        return query_nomem(err);
    if (msgpack_unpack(out->election.props, out->election.props_len, &off, &z, &o) ==
        MSGPACK_UNPACK_SUCCESS) {
        if (proto_param_str(&o, "date", &s, &sl))
            schema_date_parse(s, sl, "date", &out->election_date, NULL);
        proto_param_u64(&o, "total", &out->election_total);
        seats = proto_param(&o, "seats");
        for (uint32_t i = 0; seats != NULL && seats->type == MSGPACK_OBJECT_ARRAY &&
                             i < seats->via.array.size && rc == KNOOP_OK;
             i++) {
            const msgpack_object *e = &seats->via.array.ptr[i];
            uint64_t n = 0, list = 0;
            if (e->type != MSGPACK_OBJECT_MAP)
                continue;
            proto_param_u64(e, "seats", &n);
            proto_param_u64(e, "list", &list);
            if (!proto_param_str(e, "party", &s, &sl))
                s = NULL, sl = 0;
            if (seat_add(&out->eseats, &out->en, s, sl, (int64_t)list, n, false, false) != KNOOP_OK)
                rc = query_nomem(err);
        }
    }
    msgpack_zone_destroy(&z);
    if (out->en > 1)
        qsort(out->eseats, out->en, sizeof(*out->eseats), seat_cmp);
    return rc;
}

/* The raadslid role's `lijst` (a list number), 0 when absent. */
static int64_t role_list(const graph_edge_t *e)
{
    msgpack_zone z;
    msgpack_object o;
    size_t off = 0;
    uint64_t list = 0;
    if (e->props_len == 0 || !msgpack_zone_init(&z, 512))
        return 0;
    if (msgpack_unpack(e->props, e->props_len, &off, &z, &o) == MSGPACK_UNPACK_SUCCESS)
        proto_param_u64(&o, "lijst", &list);
    msgpack_zone_destroy(&z);
    return list <= INT32_MAX ? (int64_t)list : 0;
}

int query_seats(const query_ctx_t *q, uint64_t gemeente, schema_date_t at, bool examples,
                query_seats_t *out, knoop_error_t *err)
{
    graph_filter_t f = { .dir = GRAPH_IN, .type = "raadslid", .time = GRAPH_TIME_AT, .at = at };
    seat_scan_t s = { .at = at, .rc = KNOOP_OK };
    int rc;

    out->at = at;
    if ((rc = graph_node_get(q->store, q->view, gemeente, &out->gemeente, err)) != KNOOP_OK) {
        if (rc == KNOOP_ENOTFOUND)
            knoop_error_set(err, rc, "params.gemeente: node %llu does not exist",
                            (unsigned long long)gemeente);
        return rc;
    }
    if (out->gemeente.kind != SCHEMA_KIND_ORGANISATION || strcmp(out->gemeente.type, "gemeente"))
        return knoop_error_set(err, KNOOP_EINVAL, "params.gemeente: node %llu is not a gemeente",
                               (unsigned long long)gemeente);
    rc = graph_adj_scan(q->store, q->view, gemeente, &f, raad_cb, &s, err);
    if (rc == KNOOP_OK && s.rc != KNOOP_OK)
        rc = query_nomem(err);
    for (size_t i = 0; rc == KNOOP_OK && i < s.edges.n; i++) {
        graph_edge_t e;
        graph_node_t person;
        char party[256];
        int64_t list = 0;
        bool has, example;
        if ((i & 63) == 63 && (rc = query_check_deadline(q, err)) != KNOOP_OK)
            break;
        if ((rc = graph_edge_get(q->store, q->view, s.edges.ids[i], &e, err)) != KNOOP_OK)
            break;
        if ((rc = graph_node_get(q->store, q->view, e.source, &person, err)) != KNOOP_OK) {
            graph_edge_clear(&e);
            break;
        }
        example = query_node_is_example(&person);
        graph_node_clear(&person);
        has = query_prop_str(e.props, e.props_len, "namens", party, sizeof(party));
        if (!has)
            list = role_list(&e);
        graph_edge_clear(&e);
        if (example) {
            out->example_roles++;
            if (!examples)
                continue;
        }
        if (seat_add(&out->seats, &out->n, has ? party : NULL, strlen(party), list, 1, example,
                     true) != KNOOP_OK)
            rc = query_nomem(err);
        out->total++;
    }
    graph_ids_free(&s.edges);
    if (rc != KNOOP_OK)
        return rc;
    if (out->n > 1)
        qsort(out->seats, out->n, sizeof(*out->seats), seat_cmp);
    f.type = "uitslag van";
    f.time = GRAPH_TIME_ALL;
    if ((rc = graph_adj_scan(q->store, q->view, gemeente, &f, uitslag_cb, &s, err)) != KNOOP_OK)
        return rc;
    if (s.best != 0) {
        if ((rc = graph_node_get(q->store, q->view, s.best_src, &out->election, err)) != KNOOP_OK)
            return rc;
        out->has_election = true;
        out->election_date = s.from_best;
        rc = election_read(out, err);
    }
    return rc;
}

/* Packs [{party, seats, list}], each with example too when council (the counted roles). */
static void seats_pack(msgpack_packer *pk, const query_seat_t *v, size_t n, bool council)
{
    msgpack_pack_array(pk, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        msgpack_pack_map(pk, council ? 4 : 3);
        query_pack_str(pk, "party");
        query_pack_str(pk, v[i].party);
        query_pack_str(pk, "seats");
        msgpack_pack_uint64(pk, v[i].seats);
        query_pack_str(pk, "list");
        if (v[i].list > 0)
            msgpack_pack_int64(pk, v[i].list);
        else
            msgpack_pack_nil(pk);
        if (council) {
            query_pack_str(pk, "example");
            query_pack_bool(pk, v[i].example);
        }
    }
}

void query_seats_pack(msgpack_packer *pk, const query_seats_t *s)
{
    char d[11], name[256];
    msgpack_pack_map(pk, s->has_election ? 6 : 5);
    query_pack_str(pk, "gemeente");
    query_pack_node(pk, &s->gemeente);
    query_pack_str(pk, "at");
    query_pack_str(pk, schema_date_format(s->at, d));
    query_pack_str(pk, "total");
    msgpack_pack_uint64(pk, s->total);
    query_pack_str(pk, "seats");
    seats_pack(pk, s->seats, s->n, true);
    query_pack_str(pk, "example_roles");
    msgpack_pack_uint64(pk, s->example_roles);
    if (s->has_election) {
        query_pack_str(pk, "election");
        msgpack_pack_map(pk, 5);
        query_pack_str(pk, "date");
        query_pack_str(pk, schema_date_format(s->election_date, d));
        query_pack_str(pk, "total");
        msgpack_pack_uint64(pk, s->election_total);
        query_pack_str(pk, "seats");
        seats_pack(pk, s->eseats, s->en, false);
        query_pack_str(pk, "id");
        msgpack_pack_uint64(pk, s->election.id);
        query_pack_str(pk, "name");
        query_pack_str(pk, query_node_name(&s->election, name, sizeof(name)));
    }
}
