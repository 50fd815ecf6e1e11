/*
 * query.h - the network questions: who holds what, seat distributions, memberships and derived
 * participation, a person's roles, place names and the perspectives (layer: query, between cmd
 * and graph).
 *
 * Every query reads one view (query_ctx_t.view: a snapshot, or NULL for the latest committed
 * state) through the graph's functions only (graph_adj_scan, graph_node_get, graph_edge_get,
 * graph_node_find, graph_places_of); no query builds a key. Every query checks the caller's
 * deadline in its loops (KNOOP_EUNAVAIL once it has passed), answers for one valid-time date
 * `at` (a role counts on `at` when valid_from <= at < valid_to) and is bounded by a limit:
 * results beyond it are cut and `more` is set. A query result is filled into a caller-owned
 * struct and freed with its _free function; the matching _pack function packs it as the
 * protocol shows it (proto/PROTOCOL.md). Queries run on any thread; they share no state.
 *
 * A node in a result is packed as {id, kind, type, name, key} (query_pack_node): name is the
 * node's "name" property, or for a person the display name built from initials, tussenvoegsel
 * and surname; key is its first external key (graph_key_fields), "" when it has none. An edge
 * is packed as edge.get returns it (graph_edge_pack).
 */
#ifndef QUERY_H
#define QUERY_H

#include <msgpack.h>
#include <stdbool.h>
#include <stdint.h>

#include "graph.h"
#include "knoop_err.h"
#include "schema.h"

/* What a query reads and until when it may run. Borrowed by every query for the call. */
typedef struct {
    store_t *store;
    const store_view_t *view; /* NULL = the latest committed state */
    int64_t deadline_ms;      /* wall-clock ms (CLOCK_REALTIME) after which to give up; 0 = none */
    /* Tried on the event loop: CLOCK_MONOTONIC ns after which to give up with KNOOP_ELONG (the
     * caller runs the query again elsewhere); 0 = none. Checked more often than the deadline. */
    int64_t yield_ns;
} query_ctx_t;

/* KNOOP_EUNAVAIL with err set once q's deadline has passed, KNOOP_ELONG once its yield_ns has;
 * else 0. */
int query_check_deadline(const query_ctx_t *q, knoop_error_t *err);

/* ---- shared helpers (query_node.c) ---- */

/* The display name of n into buf (size sz): its "name", or for a person "I. tussenvoegsel
 * Surname" from its name parts; "" when it has none. Returns buf. */
char *query_node_name(const graph_node_t *n, char *buf, size_t sz);

/* The first external key of n (graph_key_fields) into buf; "" when none. Returns buf. */
char *query_node_key(const graph_node_t *n, char *buf, size_t sz);

/* Packs n as {id, kind, type, name, key}. */
void query_pack_node(msgpack_packer *pk, const graph_node_t *n);

/* Packs a NUL-terminated string / nil when s is NULL. */
void query_pack_str(msgpack_packer *pk, const char *s);

/* Packs true or false. */
void query_pack_bool(msgpack_packer *pk, bool v);

/* The string property k of a packed props map into buf (size sz); false (buf "") when absent
 * or not a string. */
bool query_prop_str(const char *props, size_t len, const char *k, char *buf, size_t sz);

/* True when node n is fictitious example data: its props.example is true. */
bool query_node_is_example(const graph_node_t *n);

/* Packs a map with those of keys (NULL-terminated) that the packed props map holds. */
void query_pack_props_subset(msgpack_packer *pk, const char *props, size_t len,
                             const char *const *keys);

/* Sets err to KNOOP_ENOMEM "out of memory" and returns KNOOP_ENOMEM. */
int query_nomem(knoop_error_t *err);

/* ---- query.holders and query.roles (query_holders.c, query_roles.c) ---- */

/* One role: the person holding it, the role edge, the organisation (or body, project) it is
 * held at, and the role it is held on behalf of (base.id == 0 when none). All owned. */
typedef struct {
    graph_node_t person, org;
    graph_edge_t role, base;
    bool example; /* the person is fictitious example data (props.example = true) */
} query_role_t;

typedef struct {
    query_role_t *rows;
    size_t n, cap;
    bool more; /* rows were cut at the limit */
} query_roles_t;

void query_roles_free(query_roles_t *r);

/* The parameters of query.holders. Strings borrowed. */
typedef struct {
    uint64_t org;    /* 0 = none: roles at this organisation (and at its fracties and its
                      * bestuurssecretariaat, linked by `fractie van` / `secretariaat van`) */
    uint64_t scope;  /* 0 = none: roles at every organisation that is a member of scope on `at`
                      * (incoming `ligt in`, `lid` or `deelnemer` edges valid on `at`) */
    uint64_t person; /* 0 = any person */
    const char *const *roles; /* role types to keep, exactly; nroles 0 = every role type */
    size_t nroles;
    const char *portefeuille; /* NULL = any; else matched against the elements of the role's
                               * `portefeuilles` after schema_name_normalise (case and
                               * diacritics folded) */
    schema_date_t at;
    size_t limit;  /* 1..KNOOP_MAX_RESULT_LIMIT */
    bool examples; /* also the roles of example persons (props.example = true), which are
                    * left out otherwise; with person set they are always kept */
} query_holders_args_t;

/*
 * The roles held by persons on a->at, filtered as a says. With neither org nor scope (nor
 * person) every organisation, body and project is visited. Rows are ordered by organisation
 * (the org first, then its fracties and secretariaat; for a scope the members in adjacency
 * order; everywhere by node id), then role type, then person id, then edge id. At most
 * a->limit rows; out->more when there were more. *out must be zeroed by the caller and is
 * freed with query_roles_free (also after an error). Errors: KNOOP_ENOTFOUND (org, scope or
 * person does not exist), KNOOP_EUNAVAIL (deadline), KNOOP_ENOMEM, store errors.
 */
int query_holders(const query_ctx_t *q, const query_holders_args_t *a, query_roles_t *out,
                  knoop_error_t *err);

/* Packs {holders: [{person, role, org, base, example}], more}; with contacts, each row also gets
 * contacts: {person: {email, telefoon, ...}, org: {email, telefoon, website, bezoekadres,
 * postadres, ...}} (the contact properties each node has). */
void query_holders_pack(msgpack_packer *pk, const query_roles_t *r, bool contacts);

/*
 * The roles of person: with overlap false those valid on at; with overlap true those whose
 * validity overlaps [from, to) (to may be SCHEMA_DATE_OPEN). Roles are the person's outgoing
 * edges to organisations, bodies and projects (not subscriptions, acquaintances or contact
 * registrations). Ordered by valid_from, then edge id; at most limit; *out as query_holders.
 */
int query_roles(const query_ctx_t *q, uint64_t person, bool overlap, schema_date_t at,
                schema_date_t from, schema_date_t to, size_t limit, query_roles_t *out,
                knoop_error_t *err);

/* Packs {roles: [{role, org, base, example}], more}. */
void query_roles_pack(msgpack_packer *pk, const query_roles_t *r);

/* ---- query.seats (query_seats.c) ---- */

typedef struct {
    char *party;  /* owned; NULL = no party given (register data, or a list without a name) */
    int64_t list; /* the Kiesraad's list number (an election result's, or the raadslid role's
                   * `lijst` when it has no party); 0 when not given */
    uint64_t seats;
    bool example; /* counted from example persons' roles (never merged with real ones) */
} query_seat_t;

typedef struct {
    graph_node_t gemeente;
    schema_date_t at;
    uint64_t total;         /* raadslid roles valid on at (of example persons only when
                             * examples was asked) */
    uint64_t example_roles; /* raadslid roles of example persons valid on at, counted or not */
    query_seat_t *seats;    /* most seats first, then party name (nil last) */
    size_t n;
    bool has_election; /* an election result linked by `uitslag van`, on or before at */
    graph_node_t election;
    schema_date_t election_date;
    uint64_t election_total;
    query_seat_t *eseats;
    size_t en;
} query_seats_t;

/*
 * The council of gemeente on at: raadslid roles valid on at counted per `namens` (a role
 * without one per its `lijst`, when it has one), and the last election result on or before at.
 * The roles of example persons (props.example = true) are left out unless examples; then they
 * are counted in rows of their own (example = true). out->example_roles counts them either
 * way. *out zeroed by the caller, freed with query_seats_free. Errors: KNOOP_ENOTFOUND,
 * KNOOP_EINVAL (node is not a gemeente), KNOOP_EUNAVAIL, KNOOP_ENOMEM.
 */
int query_seats(const query_ctx_t *q, uint64_t gemeente, schema_date_t at, bool examples,
                query_seats_t *out, knoop_error_t *err);
void query_seats_free(query_seats_t *s);
/* Packs {gemeente, at, total, seats: [{party, seats, list, example}], example_roles,
 * election?: {date, total, seats}}. */
void query_seats_pack(msgpack_packer *pk, const query_seats_t *s);

/* ---- query.members and query.participation (query_members.c) ---- */

/* Why a gemeente takes part: person holds role (at the body) on behalf of, transitively,
 * base (a role at the gemeente). All owned. */
typedef struct {
    graph_node_t person;
    graph_edge_t role, base;
    bool example; /* the person is example data (props.example = true) */
} query_evidence_t;

typedef struct {
    graph_node_t node; /* the member (query.members) or the body (query.participation) */
    bool explicit_;    /* an explicit membership edge exists on at */
    graph_edge_t edge; /* that edge (id 0 when derived only) */
    query_evidence_t *ev;
    size_t nev, evcap;
    char sort[256]; /* normalised name: rows are ordered by it, then by id */
} query_member_t;

typedef struct {
    query_member_t *rows;
    size_t n, cap;
    bool more;
} query_members_t;

void query_members_free(query_members_t *m);

/* The explicit membership edge types: `lid`, `deelnemer`, `ligt in`. NULL-terminated. */
extern const char *const query_membership_types[];

/*
 * The members of node on at: the sources of its incoming membership edges valid on at (with
 * type, only edges of that type; a person who is `lid` is a member too), and, with derived,
 * every gemeente G that takes part in node because a role at node valid on at is held on
 * behalf of (transitively, every link valid on at) a role at G valid on at. A member both
 * explicit and derived is one row with its evidence. Ordered by name, then id; at most
 * limit. *out zeroed by the caller, freed with query_members_free.
 */
int query_members(const query_ctx_t *q, uint64_t node, const char *type, schema_date_t at,
                  bool derived, bool examples, size_t limit, query_members_t *out,
                  knoop_error_t *err);

/*
 * The bodies gemeente takes part in on at: the targets of its outgoing membership edges valid
 * on at, and every node B at which some role valid on at is held on behalf of (transitively) a
 * role at gemeente valid on at. Order, limit and ownership as query_members.
 *
 * Both: unless examples, evidence through example persons (props.example = true) is left out,
 * and with it a row derived only through them.
 */
int query_participation(const query_ctx_t *q, uint64_t gemeente, schema_date_t at, bool examples,
                        size_t limit, query_members_t *out, knoop_error_t *err);

/* Packs {<field>: [{node, explicit, edge, evidence: [{person, example, role, base}], id, kind,
 * type, name, key, props}], more}; field is "members" or "participation". The flat id..props of the
 * node are kept for clients of the earlier query.members. */
void query_members_pack(msgpack_packer *pk, const query_members_t *m, const char *field);
/* Packs only the array of rows of m. */
void query_members_pack_rows(msgpack_packer *pk, const query_members_t *m);

/* ---- query.places (query_places.c) ---- */

typedef struct {
    char gemeente[8]; /* the CBS code asked for */
    graph_place_t *places;
    size_t n, cap;
} query_places_t;

/*
 * The woonplaatsen of the gemeente with CBS code code (or, when code is NULL, of node id
 * gemeente, by its cbs_code) valid on at (all: every one ever recorded), ordered by code.
 * *out zeroed by the caller, freed with query_places_free. KNOOP_EINVAL names params.gemeente.
 */
int query_places(const query_ctx_t *q, uint64_t gemeente, const char *code, schema_date_t at,
                 bool all, query_places_t *out, knoop_error_t *err);
void query_places_free(query_places_t *p);
/* Packs {gemeente, places: [{code, name, gemeente, valid_from, valid_to}]}. */
void query_places_pack(msgpack_packer *pk, const query_places_t *p);

/* ---- perspectives (perspective.c, perspective_*.c) ---- */

/*
 * A perspective is a module: one file perspective_<name>.c defining
 *     const query_perspective_t query_perspective_<name> = { ... };
 * The build lists every perspective_*.c file in a generated table (server/CMakeLists.txt), so
 * adding one touches no other file. get packs exactly one map for subject on at (or returns an
 * error, after which whatever it packed is discarded).
 */
typedef struct {
    const char *name;
    const char *description;
    const char *subject; /* what the subject must be, "kind" or "kind/type" (e.g.
                          * "organisation/gemeente", "person"); NULL: takes no subject */
    int (*get)(const query_ctx_t *q, uint64_t subject, schema_date_t at, msgpack_packer *pk,
               knoop_error_t *err);
} query_perspective_t;

/* Every registered perspective, in name order, NULL-terminated (generated). */
extern const query_perspective_t *const query_perspectives[];

/* The perspective called name, or NULL. */
const query_perspective_t *query_perspective_find(const char *name);

/* Packs {perspectives: [{name, description, subject}]}. */
void query_perspectives_pack(msgpack_packer *pk);

/*
 * Runs perspective p for subject on at, checking that subject is of p's kind and type first
 * (KNOOP_EINVAL naming params.subject otherwise). Packs one map.
 */
int query_perspective_get(const query_ctx_t *q, const query_perspective_t *p, uint64_t subject,
                          schema_date_t at, msgpack_packer *pk, knoop_error_t *err);

/* ---- query.path and query.neighbourhood (query_path.c) ---- */

/*
 * The links between two nodes that paths and neighbourhoods follow (a bit set):
 *   kent           an explicit acquaintance: a `kent` edge between two persons (either way);
 *   co-membership  two persons held a role (any outgoing edge of a person to an organisation,
 *                  body or project) at the same node in overlapping periods;
 *   contact        two persons were both betrokkene at one klantcontact, or actor and betrokkene
 *                  of one (two actors of one contact are not linked by it);
 *   membership     an explicit hop to or from an organisation, body or project: a person's role
 *                  there, or an edge between two of them (`lid`, `deelnemer`, `ligt in` ...).
 * The default is the three person links; membership only when asked for.
 */
enum {
    QUERY_LINK_KENT = 1 << 0,
    QUERY_LINK_COMEMBER = 1 << 1,
    QUERY_LINK_CONTACT = 1 << 2,
    QUERY_LINK_MEMBERSHIP = 1 << 3
};
#define QUERY_LINKS_DEFAULT (QUERY_LINK_KENT | QUERY_LINK_COMEMBER | QUERY_LINK_CONTACT)

/* The wire name of one link bit ("kent", "co-membership", "contact", "membership"); the bit of
 * a wire name (0 when unknown). */
const char *query_link_name(unsigned link);
unsigned query_link_parse(const char *s, size_t len);

/* Valid time of a path or neighbourhood question. */
typedef enum {
    QUERY_TIME_EVER = 0, /* every link, whenever it held */
    QUERY_TIME_AT,       /* links valid on `at` */
    QUERY_TIME_PERIOD    /* links whose period overlaps [from, to) */
} query_time_t;

/* The parameters of query.path. Arrays borrowed. */
typedef struct {
    uint64_t source, target;
    query_time_t time;
    schema_date_t at, from, to; /* to may be SCHEMA_DATE_OPEN */
    unsigned max_hops;          /* 1..KNOOP_PATH_MAX_HOPS */
    unsigned k;                 /* 1..KNOOP_PATH_MAX_K */
    unsigned links;             /* QUERY_LINK_* bits, not 0 */
    const uint64_t *exclude;    /* nodes never visited */
    size_t nexclude;
    uint64_t max_expanded; /* 1..KNOOP_PATH_MAX_EXPANDED: nodes expanded, over all searches */
    bool examples;         /* also pass through example persons (props.example = true) */
} query_path_args_t;

/* One hop of a path: from -> to through link, at org (nil for kent; the klantcontact for
 * contact), explained by roles (1 or 2 edges: from's first), during [pfrom, pto). Owned. */
typedef struct {
    graph_node_t from, to, org; /* org.id 0 = none */
    unsigned link;
    graph_edge_t roles[2];
    size_t nroles;
    schema_date_t pfrom, pto;
} query_hop_t;

typedef struct {
    query_hop_t *hops;
    size_t n;
} query_path_t;

typedef struct {
    query_path_t *paths;
    size_t n;
    bool bound_hit;    /* a bound cut the search: longer or further paths may exist */
    const char *bound; /* "max_hops", "expanded", or NULL */
    uint64_t expanded; /* nodes expanded (persons, organisations and hubs loaded) */
} query_paths_t;

/*
 * The k shortest loopless paths from a->source to a->target of at most a->max_hops hops
 * (bidirectional breadth-first search; Yen's algorithm for k > 1; the algorithm and its
 * tie-breaking are documented in query_path.c and PROTOCOL.md). Paths are ordered by length,
 * then by the ids of their nodes. *out zeroed by the caller, freed with query_paths_free (also
 * after an error). Errors: KNOOP_ENOTFOUND (source or target does not exist), KNOOP_EINVAL
 * (source = target, or one of them excluded), KNOOP_EUNAVAIL (deadline), KNOOP_ENOMEM, store
 * errors. Reaching max_hops or max_expanded is not an error: out->bound_hit says it.
 */
int query_path(const query_ctx_t *q, const query_path_args_t *a, query_paths_t *out,
               knoop_error_t *err);
void query_paths_free(query_paths_t *p);
/* Packs {paths: [{length, hops: [{from, to, link, org, roles, period: {from, to}}]}],
 * bound_hit, bound, expanded}. */
void query_paths_pack(msgpack_packer *pk, const query_paths_t *p);

/* The parameters of query.neighbourhood. */
typedef struct {
    uint64_t node;
    unsigned depth; /* 1..4 */
    query_time_t time;
    schema_date_t at, from, to;
    unsigned links;
    size_t limit;
    uint64_t max_expanded;
    bool examples;
} query_nbh_args_t;

typedef struct {
    graph_node_t node;
    unsigned dist;
    double score;    /* only for dist 1; 0 otherwise */
    unsigned shared; /* distinct organisations shared with the centre (dist 1) */
    unsigned nlinks; /* links with the centre (dist 1) */
    double overlap_years;
} query_nbh_row_t;

typedef struct {
    graph_node_t centre;
    query_nbh_row_t *rows;
    size_t n, cap;
    uint64_t total;                       /* nodes found within depth (before the limit) */
    uint64_t kinds[SCHEMA_KIND_LAST + 1]; /* of those, per kind */
    bool more, bound_hit;
    uint64_t expanded;
} query_nbh_t;

/*
 * The nodes within a->depth links of a->node, with counts per kind, the direct neighbours
 * first, strongest first (score: query_path.c and PROTOCOL.md), then by distance and id. At most
 * a->limit rows (more). *out zeroed by the caller, freed with query_nbh_free.
 */
int query_neighbourhood(const query_ctx_t *q, const query_nbh_args_t *a, query_nbh_t *out,
                        knoop_error_t *err);
void query_nbh_free(query_nbh_t *n);
/* Packs {node, depth, counts: {kind: n}, total, nodes: [{node, distance, score, shared, links,
 * overlap_years}], more, bound_hit, expanded}. */
void query_nbh_pack(msgpack_packer *pk, const query_nbh_t *n, unsigned depth);

#endif
