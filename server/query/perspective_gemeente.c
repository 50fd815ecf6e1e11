/*
 * perspective_gemeente.c - the gemeente perspective: a municipality's full picture on a date
 * (layer: query). Built from the other queries: places, participation, seats and holders.
 */
#include <string.h>

#include "proto.h"
#include "query_int.h"

/* The actors who had contact with the gemeente are listed up to this many klantcontacten. */
#define GEMEENTE_CONTACTS_MAX 200

static const char *const identity_keys[] = { "name", "cbs_code", "provincie", "begin_date", NULL };
static const char *const class_keys[] = { "categorieen", "inwoners", "grootteklasse",
                                          "stedelijkheidsklasse", NULL };
static const char *const contact_keys[] = { "email",       "telefoon",  "website",
                                            "bezoekadres", "postadres", NULL };
static const char *const ligt_in[] = { "ligt in", NULL };
static const char *const secretariaat[] = { "secretariaat van", NULL };
static const char *const betrokkene[] = { "betrokkene", NULL };
static const char *const had_contact[] = { "had_contact", NULL };

/* Packs one property value of props (nil when absent). */
static void pack_prop(msgpack_packer *pk, const graph_node_t *n, const char *k)
{
    msgpack_zone z;
    msgpack_object o;
    const msgpack_object *v = NULL;
    size_t off = 0;
    if (n->props_len == 0 || !msgpack_zone_init(&z, 1024)) {
        msgpack_pack_nil(pk);
        return;
    }
    if (msgpack_unpack(n->props, n->props_len, &off, &z, &o) == MSGPACK_UNPACK_SUCCESS)
        v = proto_param(&o, k);
    if (v != NULL)
        msgpack_pack_object(pk, *v);
    else
        msgpack_pack_nil(pk);
    msgpack_zone_destroy(&z);
}

/* Packs the holders of roles (NULL-terminated) at org on at as an array of {person, role, org,
 * base}. */
static int pack_holders(const query_ctx_t *q, uint64_t org, const char *const *roles,
                        schema_date_t at, msgpack_packer *pk, knoop_error_t *err)
{
    query_holders_args_t a = {
        .org = org, .roles = roles, .at = at, .limit = KNOOP_MAX_RESULT_LIMIT
    };
    query_roles_t r = { 0 };
    int rc;
    while (roles[a.nroles] != NULL)
        a.nroles++;
    if ((rc = query_holders(q, &a, &r, err)) == KNOOP_OK) {
        msgpack_pack_array(pk, (uint32_t)r.n);
        for (size_t i = 0; i < r.n; i++)
            query__role_pack(pk, &r.rows[i], true, false);
    }
    query_roles_free(&r);
    return rc;
}

static int pack_province(const query_ctx_t *q, uint64_t g, schema_date_t at, msgpack_packer *pk,
                         knoop_error_t *err)
{
    query__adj_t l = { 0 };
    graph_node_t p;
    int rc = query__adj(q, g, GRAPH_OUT, ligt_in, at, &l, err);
    if (rc != KNOOP_OK || l.nodes.n == 0) {
        query__adj_free(&l);
        if (rc == KNOOP_OK)
            msgpack_pack_nil(pk);
        return rc;
    }
    rc = graph_node_get(q->store, q->view, l.nodes.ids[0], &p, err);
    query__adj_free(&l);
    if (rc != KNOOP_OK)
        return rc;
    msgpack_pack_map(pk, 4);
    query_pack_str(pk, "node");
    query_pack_node(pk, &p);
    query_pack_str(pk, "name");
    pack_prop(pk, &p, "name");
    query_pack_str(pk, "abbreviation");
    pack_prop(pk, &p, "abbreviation");
    query_pack_str(pk, "code");
    pack_prop(pk, &p, "key");
    graph_node_clear(&p);
    return KNOOP_OK;
}

static int pack_secretariaat(const query_ctx_t *q, uint64_t g, schema_date_t at, msgpack_packer *pk,
                             knoop_error_t *err)
{
    static const char *const medewerker[] = { "medewerker", NULL };
    query__adj_t l = { 0 };
    int rc = query__adj(q, g, GRAPH_IN, secretariaat, at, &l, err);
    if (rc == KNOOP_OK)
        msgpack_pack_array(pk, (uint32_t)l.nodes.n);
    for (size_t i = 0; rc == KNOOP_OK && i < l.nodes.n; i++) {
        graph_node_t s;
        if ((rc = graph_node_get(q->store, q->view, l.nodes.ids[i], &s, err)) != KNOOP_OK)
            break;
        msgpack_pack_map(pk, 2);
        query_pack_str(pk, "node");
        query_pack_node(pk, &s);
        graph_node_clear(&s);
        query_pack_str(pk, "medewerkers");
        rc = pack_holders(q, l.nodes.ids[i], medewerker, at, pk, err);
    }
    query__adj_free(&l);
    return rc;
}

/* The klantcontacten the gemeente is betrokkene of, with their actors (all dates). */
static int pack_contacts(const query_ctx_t *q, uint64_t g, msgpack_packer *pk, knoop_error_t *err)
{
    static const char *const kc_keys[] = { "onderwerp", "kanaal", "plaatsgevondenOp", NULL };
    query__adj_t l = { 0 };
    int rc = query__adj(q, g, GRAPH_OUT, betrokkene, QUERY__ALL_TIME, &l, err);
    size_t n = l.nodes.n < GEMEENTE_CONTACTS_MAX ? l.nodes.n : GEMEENTE_CONTACTS_MAX;
    if (rc == KNOOP_OK)
        msgpack_pack_array(pk, (uint32_t)n);
    for (size_t i = 0; rc == KNOOP_OK && i < n; i++) {
        query__adj_t actors = { 0 };
        graph_node_t c;
        if ((rc = query_check_deadline(q, err)) != KNOOP_OK ||
            (rc = graph_node_get(q->store, q->view, l.nodes.ids[i], &c, err)) != KNOOP_OK)
            break;
        msgpack_pack_map(pk, 3);
        query_pack_str(pk, "contact");
        query_pack_node(pk, &c);
        query_pack_str(pk, "details");
        query_pack_props_subset(pk, c.props, c.props_len, kc_keys);
        graph_node_clear(&c);
        query_pack_str(pk, "actors");
        rc = query__adj(q, l.nodes.ids[i], GRAPH_IN, had_contact, QUERY__ALL_TIME, &actors, err);
        if (rc == KNOOP_OK)
            msgpack_pack_array(pk, (uint32_t)actors.nodes.n);
        for (size_t j = 0; rc == KNOOP_OK && j < actors.nodes.n; j++) {
            graph_node_t a;
            if ((rc = graph_node_get(q->store, q->view, actors.nodes.ids[j], &a, err)) != KNOOP_OK)
                break;
            query_pack_node(pk, &a);
            graph_node_clear(&a);
        }
        query__adj_free(&actors);
    }
    query__adj_free(&l);
    return rc;
}

static int gemeente_get(const query_ctx_t *q, uint64_t g, schema_date_t at, msgpack_packer *pk,
                        knoop_error_t *err)
{
    static const char *const burg[] = { "burgemeester", "waarnemend burgemeester", NULL };
    static const char *const weth[] = { "wethouder", NULL };
    static const char *const loco[] = { "loco-burgemeester", NULL };
    static const char *const secr[] = { "gemeentesecretaris", NULL };
    static const char *const grif[] = { "griffier", NULL };
    static const char *const fvz[] = { "fractievoorzitter", NULL };
    graph_node_t n;
    query_places_t places = { 0 };
    query_members_t part = { 0 };
    query_seats_t seats = { 0 };
    char d[11];
    int rc;

    if ((rc = graph_node_get(q->store, q->view, g, &n, err)) != KNOOP_OK)
        return rc;
    if ((rc = query_places(q, g, NULL, at, false, &places, err)) == KNOOP_EINVAL)
        rc = KNOOP_OK; /* a gemeente without a cbs_code has no places */
    if (rc == KNOOP_OK)
        rc = query_participation(q, g, at, false, KNOOP_MAX_RESULT_LIMIT, &part, err);
    if (rc == KNOOP_OK)
        rc = query_seats(q, g, at, false, &seats, err);
    if (rc != KNOOP_OK)
        goto out;
    msgpack_pack_map(pk, 17);
    query_pack_str(pk, "perspective");
    query_pack_str(pk, "gemeente");
    query_pack_str(pk, "at");
    query_pack_str(pk, schema_date_format(at, d));
    query_pack_str(pk, "subject");
    query_pack_node(pk, &n);
    query_pack_str(pk, "metadata");
    msgpack_pack_map(pk, 3);
    query_pack_str(pk, "identity");
    query_pack_props_subset(pk, n.props, n.props_len, identity_keys);
    query_pack_str(pk, "classification");
    query_pack_props_subset(pk, n.props, n.props_len, class_keys);
    query_pack_str(pk, "contact");
    query_pack_props_subset(pk, n.props, n.props_len, contact_keys);
    query_pack_str(pk, "province");
    if ((rc = pack_province(q, g, at, pk, err)) != KNOOP_OK)
        goto out;
    query_pack_str(pk, "addresses");
    {
        static const char *const addr[] = { "bezoekadres", "postadres", NULL };
        query_pack_props_subset(pk, n.props, n.props_len, addr);
    }
    query_pack_str(pk, "email");
    pack_prop(pk, &n, "email");
    query_pack_str(pk, "telefoon");
    pack_prop(pk, &n, "telefoon");
    query_pack_str(pk, "website");
    pack_prop(pk, &n, "website");
    query_pack_str(pk, "places");
    msgpack_pack_array(pk, (uint32_t)places.n);
    for (size_t i = 0; i < places.n; i++)
        query_pack_str(pk, places.places[i].name);
    query_pack_str(pk, "memberships");
    query_members_pack_rows(pk, &part);
    query_pack_str(pk, "council");
    query_seats_pack(pk, &seats);
    query_pack_str(pk, "college");
    msgpack_pack_map(pk, 4);
    query_pack_str(pk, "burgemeester");
    if ((rc = pack_holders(q, g, burg, at, pk, err)) != KNOOP_OK)
        goto out;
    query_pack_str(pk, "wethouders");
    if ((rc = pack_holders(q, g, weth, at, pk, err)) != KNOOP_OK)
        goto out;
    query_pack_str(pk, "loco_burgemeester");
    if ((rc = pack_holders(q, g, loco, at, pk, err)) != KNOOP_OK)
        goto out;
    query_pack_str(pk, "gemeentesecretaris");
    if ((rc = pack_holders(q, g, secr, at, pk, err)) != KNOOP_OK)
        goto out;
    query_pack_str(pk, "griffier");
    if ((rc = pack_holders(q, g, grif, at, pk, err)) != KNOOP_OK)
        goto out;
    query_pack_str(pk, "fractievoorzitters");
    if ((rc = pack_holders(q, g, fvz, at, pk, err)) != KNOOP_OK)
        goto out;
    query_pack_str(pk, "secretariaat");
    if ((rc = pack_secretariaat(q, g, at, pk, err)) != KNOOP_OK)
        goto out;
    query_pack_str(pk, "klantcontacten");
    rc = pack_contacts(q, g, pk, err);
out:
    graph_node_clear(&n);
    query_places_free(&places);
    query_members_free(&part);
    query_seats_free(&seats);
    return rc;
}

const query_perspective_t query_perspective_gemeente = {
    "gemeente",
    "a gemeente's full picture: metadata, province, addresses, contact details, place names, "
    "memberships (explicit and derived, with evidence), council, college, griffier, "
    "bestuurssecretariaat and klantcontacten",
    "organisation/gemeente",
    gemeente_get,
};
