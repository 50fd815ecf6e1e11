/*
 * query_places.c - query.places: the woonplaatsen (place names) of a gemeente on a date
 * (layer: query).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query_int.h"
#include "schema_check.h"

typedef struct {
    query_places_t *out;
    schema_date_t at;
    bool all;
    int rc;
} places_scan_t;

static int place_cb(void *arg, const graph_place_t *p)
{
    places_scan_t *s = arg;
    query_places_t *o = s->out;
    if (!s->all && !(p->from <= s->at && s->at < p->to))
        return 0;
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 32;
        graph_place_t *v = knoop_realloc(o->places, cap * sizeof(*v));
        if (v == NULL) {
            s->rc = KNOOP_ENOMEM;
            return 1;
        }
        o->places = v;
        o->cap = cap;
    }
    o->places[o->n++] = *p;
    return 0;
}

int query_places(const query_ctx_t *q, uint64_t gemeente, const char *code, schema_date_t at,
                 bool all, query_places_t *out, knoop_error_t *err)
{
    char gem[16];
    places_scan_t s = { out, at, all, KNOOP_OK };
    int rc;

    if (code == NULL) {
        graph_node_t g;
        if ((rc = graph_node_get(q->store, q->view, gemeente, &g, err)) != KNOOP_OK) {
            if (rc == KNOOP_ENOTFOUND)
                knoop_error_set(err, rc, "params.gemeente: node %llu does not exist",
                                (unsigned long long)gemeente);
            return rc;
        }
        query_prop_str(g.props, g.props_len, "cbs_code", gem, sizeof(gem));
        graph_node_clear(&g);
        if (gem[0] == '\0')
            return knoop_error_set(err, KNOOP_EINVAL, "params.gemeente: node %llu has no cbs_code",
                                   (unsigned long long)gemeente);
        code = gem;
    }
    if ((rc = schema_cbs_gemeentecode_check(code, strlen(code), "params.gemeente", out->gemeente,
                                            err)) != KNOOP_OK)
        return rc;
    if ((rc = query_check_deadline(q, err)) != KNOOP_OK)
        return rc;
    rc =
        graph_places_of(q->store, q->view, out->gemeente, strlen(out->gemeente), place_cb, &s, err);
    if (rc == KNOOP_OK && s.rc != KNOOP_OK)
        rc = query_nomem(err);
    return rc;
}

void query_places_free(query_places_t *p)
{
    knoop_free(p->places);
    memset(p, 0, sizeof(*p));
}

void query_places_pack(msgpack_packer *pk, const query_places_t *p)
{
    msgpack_pack_map(pk, 2);
    query_pack_str(pk, "gemeente");
    query_pack_str(pk, p->gemeente);
    query_pack_str(pk, "places");
    msgpack_pack_array(pk, (uint32_t)p->n);
    for (size_t i = 0; i < p->n; i++) {
        graph_place_pack(pk, &p->places[i]);
    }
}
