/*
 * perspective_functionaris.c - the functionaris perspective: a person's roles over time, on
 * whose behalf, party, committee seats, subscriptions and contact moments (layer: query).
 */
#include <string.h>

#include "query_int.h"

static const char *const abonnement[] = { "abonnement", NULL };
static const char *const contact_types[] = { "had_contact", "betrokkene", NULL };

static int functionaris_get(const query_ctx_t *q, uint64_t p, schema_date_t at, msgpack_packer *pk,
                            knoop_error_t *err)
{
    query_roles_t all = { 0 }, now = { 0 };
    query__adj_t subs = { 0 }, contacts = { 0 };
    graph_node_t n;
    char d[11], party[256] = "";
    size_t ncomm = 0;
    int rc;

    if ((rc = graph_node_get(q->store, q->view, p, &n, err)) != KNOOP_OK)
        return rc;
    rc = query_roles(q, p, true, at, INT32_MIN + 1, SCHEMA_DATE_OPEN, KNOOP_MAX_RESULT_LIMIT, &all,
                     err);
    if (rc == KNOOP_OK)
        rc = query_roles(q, p, false, at, 0, 0, KNOOP_MAX_RESULT_LIMIT, &now, err);
    if (rc == KNOOP_OK)
        rc = query__adj(q, p, GRAPH_OUT, abonnement, at, &subs, err);
    if (rc == KNOOP_OK)
        rc = query__adj(q, p, GRAPH_OUT, contact_types, QUERY__ALL_TIME, &contacts, err);
    if (rc != KNOOP_OK)
        goto out;
    for (size_t i = 0; i < now.n; i++) {
        if (party[0] == '\0')
            query_prop_str(now.rows[i].role.props, now.rows[i].role.props_len, "namens", party,
                           sizeof(party));
        if (strcmp(now.rows[i].org.type, "vng-commissie") == 0 ||
            strcmp(now.rows[i].org.type, "vng-bestuur") == 0)
            ncomm++;
    }
    msgpack_pack_map(pk, 8);
    query_pack_str(pk, "perspective");
    query_pack_str(pk, "functionaris");
    query_pack_str(pk, "at");
    query_pack_str(pk, schema_date_format(at, d));
    query_pack_str(pk, "subject");
    query_pack_node(pk, &n);
    query_pack_str(pk, "roles");
    msgpack_pack_array(pk, (uint32_t)all.n);
    for (size_t i = 0; i < all.n; i++)
        query__role_pack(pk, &all.rows[i], false, false);
    query_pack_str(pk, "party");
    query_pack_str(pk, party[0] ? party : NULL);
    query_pack_str(pk, "committees");
    msgpack_pack_array(pk, (uint32_t)ncomm);
    for (size_t i = 0; i < now.n; i++)
        if (strcmp(now.rows[i].org.type, "vng-commissie") == 0 ||
            strcmp(now.rows[i].org.type, "vng-bestuur") == 0)
            query__role_pack(pk, &now.rows[i], false, false);
    query_pack_str(pk, "subscriptions");
    msgpack_pack_array(pk, (uint32_t)subs.nodes.n);
    for (size_t i = 0; rc == KNOOP_OK && i < subs.nodes.n; i++) {
        graph_node_t l;
        graph_edge_t e;
        if ((rc = graph_node_get(q->store, q->view, subs.nodes.ids[i], &l, err)) != KNOOP_OK)
            break;
        if ((rc = graph_edge_get(q->store, q->view, subs.edges.ids[i], &e, err)) != KNOOP_OK) {
            graph_node_clear(&l);
            break;
        }
        msgpack_pack_map(pk, 2);
        query_pack_str(pk, "list");
        query_pack_node(pk, &l);
        query_pack_str(pk, "edge");
        graph_edge_pack(pk, &e);
        graph_node_clear(&l);
        graph_edge_clear(&e);
    }
    if (rc != KNOOP_OK)
        goto out;
    query_pack_str(pk, "contacts");
    msgpack_pack_array(pk, (uint32_t)contacts.nodes.n);
    for (size_t i = 0; rc == KNOOP_OK && i < contacts.nodes.n; i++) {
        static const char *const kc_keys[] = { "onderwerp", "kanaal", "plaatsgevondenOp", NULL };
        graph_node_t c;
        if ((rc = graph_node_get(q->store, q->view, contacts.nodes.ids[i], &c, err)) != KNOOP_OK)
            break;
        msgpack_pack_map(pk, 2);
        query_pack_str(pk, "contact");
        query_pack_node(pk, &c);
        query_pack_str(pk, "details");
        query_pack_props_subset(pk, c.props, c.props_len, kc_keys);
        graph_node_clear(&c);
    }
out:
    graph_node_clear(&n);
    query_roles_free(&all);
    query_roles_free(&now);
    query__adj_free(&subs);
    query__adj_free(&contacts);
    return rc;
}

const query_perspective_t query_perspective_functionaris = {
    "functionaris",
    "a person's roles over time with periods and on whose behalf, party, committee seats, "
    "subscriptions (verzendlijsten) and contact moments",
    "person",
    functionaris_get,
};
