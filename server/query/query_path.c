/*
 * query_path.c - query.path (who knows whom: the k shortest explained paths between two nodes)
 * and query.neighbourhood (the nodes around one node, strongest connections first)
 * (layer: query).
 *
 * The graph searched. Path nodes are persons and, with the membership link, organisations,
 * bodies and projects. Two persons are linked by
 *   kent           a `kent` edge (either direction);
 *   co-membership  a role of each at the same organisation, body or project (a role is any
 *                  outgoing edge of a person to such a node), the two periods overlapping;
 *   contact        a klantcontact where both are betrokkene, or one actor and one betrokkene;
 * and, with membership, a person is linked to the organisations it holds roles at and an
 * organisation to the organisations it has any edge with. A hop's period is the intersection
 * of its edges' periods (and, with from/to, of [from, to)); a link counts only when that
 * intersection is not empty. Example persons (props.example = true) are left out unless asked.
 *
 * Everything is read through graph_adj_scan with the time filter inline (an edge failing it is
 * never read), graph_node_kind (what a node is: the store keeps every node's kind once read, so
 * a hub's members cost no record read) and graph_node_get only for the persons a search expands
 * or meets (whether they are example persons), once per request (the node table below).
 * Organisations and klantcontacten between persons are hubs: a hub's members (the persons holding a
 * role there, valid under the time filter) are scanned once per request and kept in memory; within
 * one search each side keeps the list of members it has not reached yet, so a hub with 10 000
 * members is read once and walked about once, not once per member that reaches it.
 *
 * The search (pw_search) is breadth-first from both ends, one whole level at a time, always on
 * the side with the smaller frontier (the source side on a tie). It stops after the level in
 * which the two sides first meet, taking the meeting node with the smallest total length (then
 * the lowest id). Ties are broken deterministically: a frontier is expanded in ascending node
 * id; a node's links in the order kent, co-membership, contact, membership, each in adjacency
 * order (edge type, other node id, edge id) and, through a hub, in the hub's adjacency order; a
 * node keeps the first link that reached it.
 *
 * With `at` and without membership hops, pw_search_at (below) searches instead: it meets at
 * organisations rather than walking every organisation of a frontier.
 *
 * k > 1: Yen's algorithm (J. Y. Yen, "Finding the k shortest loopless paths in a network",
 * Management Science 17(11), 1971) over node sequences: two paths are different when they pass
 * different nodes; the hop between two nodes is explained by the first link found between
 * them. For each node of the last accepted path (the spur node), the nodes before it are
 * blocked and the next nodes of every accepted path with the same root are banned from it; the
 * shortest spur path (same search) joined to the root is a candidate. The shortest candidate
 * (then the smaller node ids, compared in order) is accepted next.
 *
 * Bounds: max_hops cuts each search at that total depth; max_expanded counts every node
 * expanded and every hub loaded over the whole request. A cut sets bound_hit (and bound says
 * which); the paths found until then are answered. The deadline is checked every 256 steps
 * (every 16 while the search is tried on the event loop: q->yield_ns, KNOOP_ELONG).
 *
 * query.neighbourhood: breadth-first from the node to depth, the same links. The direct
 * neighbours get a score: 2 per distinct organisation or body shared with the centre (a
 * co-membership), plus the overlap of those roles in years (summed over the pairs of roles;
 * an open end counts until the question's date: `at`, `to`, or today), plus 3 for a `kent`
 * edge, plus 1 per klantcontact shared, plus 1 per membership hop. Higher first.
 */
#include <stdlib.h>
#include <string.h>

#include "query_int.h"

/* ---- the node table ---- */

typedef struct {
    uint8_t kind;    /* link bit (QUERY_LINK_*) */
    uint64_t org;    /* the hub (organisation or klantcontact) or, for membership, the edge's
                      * target; 0 for kent */
    uint64_t e1, e2; /* the edge at the expanding node, the edge at the node reached (0: none) */
    schema_date_t from, to;
} pw_link_t;

typedef struct {
    uint64_t id, edge;
    uint32_t node; /* its index in the node table; PW_NONE until first walked (pw_member) */
    schema_date_t from, to;
    bool actor; /* contact hubs: had_contact rather than betrokkene */
    bool skip;  /* not a person (a gemeente `lid` of a koepel): never walked to */
} pw_member_t;

typedef struct {
    pw_member_t *m;
    uint32_t n, cap;
    uint32_t *rem[2]; /* per side, the members not yet reached in search `epoch[side]` */
    uint32_t nrem[2], epoch[2];
} pw_hub_t;

typedef struct {
    uint64_t id;
    bool loaded; /* its record was read: example is known (kind 0: it does not exist) */
    bool example, excluded;
    uint8_t kind;     /* 0 = not known yet (pw_kind) */
    int32_t hub[2];   /* index of its hub as an organisation [0] / a klantcontact [1]; -1 */
    uint32_t seen[2]; /* the search epoch in which side 0 (source) / 1 (target) reached it */
    uint32_t blocked; /* the search epoch in which it may not be visited (Yen's root) */
    uint8_t dist[2];
    uint32_t parent[2];
    pw_link_t via[2];
} pw_node_t;

typedef struct {
    uint32_t *v;
    size_t n, cap;
} pw_list_t;

typedef struct {
    uint64_t other, edge;
    schema_date_t from, to;
    uint8_t cls; /* ADJ_ROLE (any other type), ADJ_KENT, ADJ_BETROKKENE, ADJ_ACTOR */
    bool out;
} pw_adj_t;

enum { ADJ_ROLE = 0, ADJ_KENT, ADJ_BETROKKENE, ADJ_ACTOR, ADJ_SKIP };

typedef struct {
    pw_adj_t *v;
    size_t n, cap;
    int rc;
} pw_adjs_t;

typedef struct {
    const query_ctx_t *q;
    knoop_error_t *err;
    unsigned links;
    query_time_t time;
    schema_date_t at, from, to;
    bool examples;
    pw_node_t *nodes;
    uint32_t nn, ncap;
    uint32_t *tab; /* open addressing: node index + 1, 0 = empty */
    uint32_t tcap;
    pw_hub_t *hubs;
    uint32_t nh, hcap;
    uint32_t epoch;
    uint32_t ban_from; /* UINT32_MAX = no bans */
    pw_list_t bans;
    pw_adjs_t adj_x;     /* pw_scan's scratch: a node's expansion */
    graph_node_t end[2]; /* query_path: the records of source and target (id 0: none) */
    uint64_t expanded, max_expanded, steps;
    bool cut_expanded, cut_hops;
} pw_t;

#define PW_NONE UINT32_MAX
/* Returned by expansion callbacks and pw_expand to stop without an error. */
#define PW_STOP 1

static int pw_nomem(pw_t *w)
{
    return query_nomem(w->err);
}

static int pw_list_push(pw_list_t *l, uint32_t v)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        uint32_t *nv = knoop_realloc(l->v, cap * sizeof(*nv));
        if (nv == NULL)
            return KNOOP_ENOMEM;
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = v;
    return KNOOP_OK;
}

static void pw_list_free(pw_list_t *l)
{
    knoop_free(l->v);
    memset(l, 0, sizeof(*l));
}

static uint32_t pw_hash(uint64_t id)
{
    id ^= id >> 33;
    id *= 0xff51afd7ed558ccdULL;
    id ^= id >> 33;
    return (uint32_t)id;
}

static void pw_free(pw_t *w)
{
    for (uint32_t i = 0; i < w->nh; i++) {
        knoop_free(w->hubs[i].m);
        knoop_free(w->hubs[i].rem[0]);
        knoop_free(w->hubs[i].rem[1]);
    }
    knoop_free(w->hubs);
    knoop_free(w->nodes);
    knoop_free(w->tab);
    knoop_free(w->adj_x.v);
    graph_node_clear(&w->end[0]);
    graph_node_clear(&w->end[1]);
    pw_list_free(&w->bans);
}

/* First sizes of the node table. Members enter it only when walked, so most questions between
 * two persons of the national graph add a few dozen nodes; starting at 4,096 cost each question
 * a 32 KB table to clear (callgrind, 200 warm k = 1 questions: 110.9 M -> 105.2 M instructions
 * at 256). Those that walk hubs in full grow it by doubling. */
#define PW_NODES_FIRST 256
#define PW_TAB_FIRST   (2 * PW_NODES_FIRST)

/* The index of node id in the table; PW_NONE when it is not there. */
static uint32_t pw_lookup(const pw_t *w, uint64_t id)
{
    if (w->tcap == 0)
        return PW_NONE;
    for (uint32_t h = pw_hash(id) & (w->tcap - 1); w->tab[h] != 0; h = (h + 1) & (w->tcap - 1))
        if (w->nodes[w->tab[h] - 1].id == id)
            return w->tab[h] - 1;
    return PW_NONE;
}

/* The index of node id in the table, added (not loaded) when absent; PW_NONE when out of
 * memory. */
static uint32_t pw_node(pw_t *w, uint64_t id)
{
    if (w->tcap == 0 || (uint64_t)(w->nn + 1) * 2 > w->tcap) {
        uint32_t cap = w->tcap ? w->tcap * 2 : PW_TAB_FIRST;
        uint32_t *t = knoop_calloc(cap, sizeof(*t));
        if (t == NULL)
            return PW_NONE;
        for (uint32_t i = 0; i < w->nn; i++) {
            uint32_t h = pw_hash(w->nodes[i].id) & (cap - 1);
            while (t[h] != 0)
                h = (h + 1) & (cap - 1);
            t[h] = i + 1;
        }
        knoop_free(w->tab);
        w->tab = t;
        w->tcap = cap;
    }
    uint32_t h = pw_hash(id) & (w->tcap - 1);
    while (w->tab[h] != 0) {
        if (w->nodes[w->tab[h] - 1].id == id)
            return w->tab[h] - 1;
        h = (h + 1) & (w->tcap - 1);
    }
    if (w->nn == w->ncap) {
        uint32_t cap = w->ncap ? w->ncap * 2 : PW_NODES_FIRST;
        pw_node_t *nv = knoop_realloc(w->nodes, (size_t)cap * sizeof(*nv));
        if (nv == NULL)
            return PW_NONE;
        w->nodes = nv;
        w->ncap = cap;
    }
    pw_node_t *n = &w->nodes[w->nn];
    /* Field by field: via (most of the entry) is read only where seen says it was set, and a
     * hub's members are most of the nodes a search adds. */
    n->id = id;
    n->loaded = n->example = n->excluded = false;
    n->kind = 0;
    n->hub[0] = n->hub[1] = -1;
    n->seen[0] = n->seen[1] = 0;
    n->blocked = 0;
    n->dist[0] = n->dist[1] = 0;
    n->parent[0] = n->parent[1] = PW_NONE;
    w->tab[h] = w->nn + 1;
    return w->nn++;
}

/* Learns node i's kind (graph_node_kind: no read once the store knows it). Node i is named by
 * an adjacency entry of the view, so it exists there. */
static int pw_kind(pw_t *w, uint32_t i)
{
    schema_kind_t k;
    int rc;
    if (w->nodes[i].kind != 0 || w->nodes[i].loaded)
        return KNOOP_OK;
    rc = graph_node_kind(w->q->store, w->q->view, w->nodes[i].id, &k, w->err);
    if (rc == KNOOP_ENOTFOUND) {
        knoop_error_clear(w->err);
        w->nodes[i].loaded = true; /* a dangling entry: never a path node */
        return KNOOP_OK;
    }
    if (rc == KNOOP_OK)
        w->nodes[i].kind = (uint8_t)k;
    return rc;
}

/* Reads node i's record: its kind and example flag; the record itself into *keep (zeroed when
 * the node does not exist), or NULL to drop it. A node that no longer exists (a dangling edge)
 * gets kind 0 and is never a path node. */
static int pw_read(pw_t *w, uint32_t i, graph_node_t *keep)
{
    graph_node_t n;
    int rc = graph_node_get(w->q->store, w->q->view, w->nodes[i].id, &n, w->err);
    if (rc == KNOOP_ENOTFOUND) {
        knoop_error_clear(w->err);
        memset(&n, 0, sizeof(n));
    } else if (rc != KNOOP_OK) {
        return rc;
    } else {
        w->nodes[i].kind = (uint8_t)n.kind;
        w->nodes[i].example = n.kind == SCHEMA_KIND_PERSON && query_node_is_example(&n);
    }
    w->nodes[i].loaded = true;
    if (keep != NULL)
        *keep = n;
    else
        graph_node_clear(&n);
    return KNOOP_OK;
}

/* Reads node i's record once (pw_read), for its kind and example flag. */
static int pw_load(pw_t *w, uint32_t i)
{
    return w->nodes[i].loaded ? KNOOP_OK : pw_read(w, i, NULL);
}

static bool pw_is_org(const pw_node_t *n)
{
    return schema_kind_holds_roles((schema_kind_t)n->kind);
}

/* True when node i may be a node of a path in the current search. A person whose record was
 * not read yet is taken to be usable until pw_verify reads it (an example person is not). */
static bool pw_usable(const pw_t *w, uint32_t i)
{
    const pw_node_t *n = &w->nodes[i];
    if (n->excluded || n->blocked == w->epoch)
        return false;
    if (n->kind == 0)
        return !n->loaded;
    if (n->kind == SCHEMA_KIND_PERSON)
        return w->examples || !n->loaded || !n->example;
    return (w->links & QUERY_LINK_MEMBERSHIP) && pw_is_org(n);
}

/* Sets *ok to whether node i may be a path node, reading what that needs: the record of a
 * person (its example flag) unless examples are asked for, else the kind. */
static int pw_verify(pw_t *w, uint32_t i, bool *ok)
{
    int rc = pw_kind(w, i);
    if (rc == KNOOP_OK && !w->examples && w->nodes[i].kind == SCHEMA_KIND_PERSON)
        rc = pw_load(w, i);
    *ok = rc == KNOOP_OK && pw_usable(w, i);
    return rc;
}

/* The period of a link made of edges [f1, t1) and [f2, t2) under the time filter; false when
 * empty. Under `at` both contain at, so the intersection does. */
static bool pw_period(const pw_t *w, schema_date_t f1, schema_date_t t1, schema_date_t f2,
                      schema_date_t t2, schema_date_t *f, schema_date_t *t)
{
    *f = f1 > f2 ? f1 : f2;
    *t = t1 < t2 ? t1 : t2;
    if (w->time == QUERY_TIME_PERIOD) {
        if (w->from > *f)
            *f = w->from;
        if (w->to < *t)
            *t = w->to;
    }
    return *f < *t;
}

static int pw_step(pw_t *w)
{
    /* Every 256 steps; every 16 while tried on the event loop (yield_ns). */
    if ((++w->steps & (w->q->yield_ns != 0 ? 15 : 255)) == 0)
        return query_check_deadline(w->q, w->err);
    return KNOOP_OK;
}

/* ---- adjacency, collected before it is used (no scan runs inside another's callback) ---- */

static uint8_t pw_class(const char *t, size_t len)
{
#define IS(s) (len == sizeof(s) - 1 && memcmp(t, s, len) == 0)
    if (IS("kent"))
        return ADJ_KENT;
    if (IS("betrokkene"))
        return ADJ_BETROKKENE;
    if (IS("had_contact"))
        return ADJ_ACTOR;
    /* Links of the contact administration and subscriptions: never roles. */
    if (IS("over_rol") || IS("aanleiding") || IS("toegewezen_aan") || IS("corrigeert") ||
        IS("abonnement") || IS("uitslag van"))
        return ADJ_SKIP;
    return ADJ_ROLE;
#undef IS
}

static int pw_adj_cb(void *arg, const graph_adj_t *a)
{
    pw_adjs_t *l = arg;
    uint8_t cls = pw_class(a->type, a->type_len);
    if (cls == ADJ_SKIP)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        pw_adj_t *nv = knoop_realloc(l->v, cap * sizeof(*nv));
        if (nv == NULL) {
            l->rc = KNOOP_ENOMEM;
            return 1;
        }
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] =
        (pw_adj_t){ a->other, a->edge, a->valid_from, a->valid_to, cls, a->dir == GRAPH_OUT };
    return 0;
}

/* The adjacency filter of direction dir (of type, NULL = all) under the time filter. */
static graph_filter_t pw_filter(const pw_t *w, graph_dir_t dir, const char *type)
{
    graph_filter_t f = { .dir = dir, .type = type };
    if (w->time == QUERY_TIME_AT) {
        f.time = GRAPH_TIME_AT;
        f.at = w->at;
    } else if (w->time == QUERY_TIME_PERIOD) {
        f.time = GRAPH_TIME_OVERLAP;
        f.from = w->from;
        f.to = w->to;
    }
    return f;
}

/* Appends node's adjacency in direction dir (of type, NULL = all) under the time filter. */
static int pw_scan(pw_t *w, uint64_t node, graph_dir_t dir, const char *type, pw_adjs_t *l)
{
    graph_filter_t f = pw_filter(w, dir, type);
    int rc;
    l->rc = KNOOP_OK;
    rc = graph_adj_scan(w->q->store, w->q->view, node, &f, pw_adj_cb, l, w->err);
    if (rc == KNOOP_OK && l->rc != KNOOP_OK)
        rc = pw_nomem(w);
    return rc;
}

/* Counts one expansion; PW_STOP (cut_expanded set) past the cap. */
static int pw_count(pw_t *w)
{
    if (w->expanded >= w->max_expanded) {
        w->cut_expanded = true;
        return PW_STOP;
    }
    w->expanded++;
    return KNOOP_OK;
}

typedef struct {
    pw_hub_t *hub;
    bool contact;
    int rc;
} pw_hub_load_t;

/* Appends a member to the hub being loaded (straight from the scan: no copy in between).
 * Members get their node table entry when first walked (pw_member): a walk that only looks
 * for the members the other side reached (pw_at_walk's probe) adds none. */
static int pw_hub_cb(void *arg, const graph_adj_t *a)
{
    pw_hub_load_t *c = arg;
    pw_hub_t *hub = c->hub;
    uint8_t cls = pw_class(a->type, a->type_len);
    if (c->contact ? cls != ADJ_BETROKKENE && cls != ADJ_ACTOR : cls != ADJ_ROLE)
        return 0;
    if (hub->n == hub->cap) {
        /* A gemeente has some 600 roles on a day: most hubs fit the first size. */
        uint32_t cap = hub->cap ? hub->cap * 2 : 1024;
        pw_member_t *nv = knoop_realloc(hub->m, (size_t)cap * sizeof(*nv));
        if (nv == NULL) {
            c->rc = KNOOP_ENOMEM;
            return 1;
        }
        hub->m = nv;
        hub->cap = cap;
    }
    hub->m[hub->n++] = (pw_member_t){ a->other,    a->edge,          PW_NONE, a->valid_from,
                                      a->valid_to, cls == ADJ_ACTOR, false };
    return 0;
}

/* The hub of node i (contact: a klantcontact's betrokkenen and actors; else the persons with a
 * role there), loaded on first use. *h gets its index. */
static int pw_hub(pw_t *w, uint32_t i, bool contact, int32_t *h)
{
    pw_hub_t hub = { 0 };
    pw_hub_load_t c = { &hub, contact, KNOOP_OK };
    graph_filter_t f = pw_filter(w, GRAPH_IN, NULL);
    int rc;
    if ((*h = w->nodes[i].hub[contact]) >= 0)
        return KNOOP_OK;
    if ((rc = pw_count(w)) != KNOOP_OK)
        return rc;
    rc = graph_adj_scan(w->q->store, w->q->view, w->nodes[i].id, &f, pw_hub_cb, &c, w->err);
    if (rc == KNOOP_OK && c.rc != KNOOP_OK)
        rc = pw_nomem(w);
    if (rc == KNOOP_OK && w->nh == w->hcap) {
        uint32_t cap = w->hcap ? w->hcap * 2 : 16;
        pw_hub_t *nv = knoop_realloc(w->hubs, (size_t)cap * sizeof(*nv));
        if (nv == NULL)
            rc = pw_nomem(w);
        else
            w->hubs = nv, w->hcap = cap;
    }
    if (rc != KNOOP_OK) {
        knoop_free(hub.m);
        return rc;
    }
    w->hubs[w->nh] = hub;
    *h = (int32_t)w->nh;
    w->nodes[i].hub[contact] = (int32_t)w->nh++;
    return KNOOP_OK;
}

/* The node of member j of hub h, added to the node table on first use; PW_NONE (with *rc
 * KNOOP_OK) for a member that is not a person: members are persons, an organisation that is one
 * (a gemeente `lid` of a koepel) is left out. */
static uint32_t pw_member(pw_t *w, int32_t h, uint32_t j, int *rc)
{
    pw_member_t *m = &w->hubs[h].m[j];
    uint32_t i;
    *rc = KNOOP_OK;
    if (m->node != PW_NONE || m->skip)
        return m->node;
    if ((i = pw_node(w, m->id)) == PW_NONE) {
        *rc = pw_nomem(w);
        return PW_NONE;
    }
    if ((*rc = pw_kind(w, i)) != KNOOP_OK)
        return PW_NONE;
    if (w->nodes[i].kind != SCHEMA_KIND_PERSON) {
        m->skip = true;
        return PW_NONE;
    }
    return m->node = i;
}

/* Called for each link found from the expanding node to node `to`. Returns KNOOP_OK, PW_STOP
 * or an error. */
typedef int (*pw_emit_fn)(pw_t *w, void *arg, uint32_t to, const pw_link_t *l);

/*
 * Walks hub h from node x (side, with x's edge e at it, [ef, et), actor for contacts). With
 * rem, only the members side has not reached in this search are walked, and those reached (or
 * never usable) are dropped from the list for later arrivals.
 */
static int pw_walk_hub(pw_t *w, int32_t h, uint32_t x, int side, bool rem, unsigned link,
                       uint64_t org, uint64_t e, schema_date_t ef, schema_date_t et, bool actor,
                       pw_emit_fn emit, void *arg)
{
    pw_hub_t *hub = &w->hubs[h];
    int rc = KNOOP_OK;
    if (rem && hub->epoch[side] != w->epoch) {
        if (hub->rem[side] == NULL && hub->n > 0 &&
            (hub->rem[side] = knoop_malloc((size_t)hub->n * sizeof(uint32_t))) == NULL)
            return pw_nomem(w);
        for (uint32_t j = 0; j < hub->n; j++)
            hub->rem[side][j] = j;
        hub->nrem[side] = hub->n;
        hub->epoch[side] = w->epoch;
    }
    uint32_t n = rem ? hub->nrem[side] : hub->n, kept = 0, j;
    for (j = 0; j < n && rc == KNOOP_OK; j++) {
        uint32_t mi = rem ? hub->rem[side][j] : j;
        const pw_member_t *m = &hub->m[mi];
        uint32_t to;
        schema_date_t f, t;
        if ((rc = pw_step(w)) != KNOOP_OK)
            break;
        if ((to = pw_member(w, h, mi, &rc)) == PW_NONE) {
            if (rc != KNOOP_OK)
                break;
            continue; /* not a person: dropped from the list */
        }
        if (to != x && !(actor && m->actor) && pw_period(w, ef, et, m->from, m->to, &f, &t)) {
            pw_link_t l = { (uint8_t)link, org, e, m->edge, f, t };
            rc = emit(w, arg, to, &l);
        }
        /* Reached (or never a path node here): later arrivals skip it. The list is compacted
         * in place, in order, so that ties stay deterministic. */
        if (rem && w->nodes[to].seen[side] != w->epoch && pw_usable(w, to))
            hub->rem[side][kept++] = mi;
    }
    if (rem) {
        /* Members not walked (an error or a stop) stay for a later arrival. */
        for (; j < n; j++)
            hub->rem[side][kept++] = hub->rem[side][j];
        hub->nrem[side] = kept;
    }
    return rc;
}

/*
 * Expands node x on side (0 source, 1 target): emits every link from x allowed by w->links, in
 * the order kent, co-membership, contact, membership. rem: walk hubs by their remaining lists
 * (breadth-first search); without, every member (neighbourhood scores). Returns KNOOP_OK,
 * PW_STOP (the cap, or emit stopped) or an error.
 */
static int pw_expand(pw_t *w, uint32_t x, int side, bool rem, pw_emit_fn emit, void *arg)
{
    pw_adjs_t *l = &w->adj_x;
    uint64_t xid = w->nodes[x].id;
    bool person = w->nodes[x].kind == SCHEMA_KIND_PERSON;
    int rc;

    l->n = 0;
    if ((rc = pw_count(w)) != KNOOP_OK)
        return rc;
    if (person) {
        /* One scan, both ways: the kent edges either way, then the out-edges in three passes
         * (pw_at_expand reads the out-edges left in adj_x afterwards). */
        if ((rc = pw_scan(w, xid, GRAPH_BOTH, NULL, l)) != KNOOP_OK)
            goto out;
        if (w->links & QUERY_LINK_KENT) {
            for (size_t j = 0; j < l->n && rc == KNOOP_OK; j++) {
                uint32_t to;
                schema_date_t f, t;
                if (l->v[j].cls != ADJ_KENT)
                    continue;
                if ((to = pw_node(w, l->v[j].other)) == PW_NONE) {
                    rc = pw_nomem(w);
                    break;
                }
                if ((rc = pw_kind(w, to)) != KNOOP_OK)
                    break;
                if (to == x || w->nodes[to].kind != SCHEMA_KIND_PERSON ||
                    !pw_period(w, l->v[j].from, l->v[j].to, l->v[j].from, l->v[j].to, &f, &t))
                    continue;
                pw_link_t k = { QUERY_LINK_KENT, 0, l->v[j].edge, 0, f, t };
                rc = emit(w, arg, to, &k);
            }
            if (rc != KNOOP_OK)
                goto out;
        }
        /* Three passes over the out-edges, one per link kind, in the documented order. */
        for (int pass = 0; pass < 3 && rc == KNOOP_OK; pass++) {
            unsigned link = pass == 0   ? QUERY_LINK_COMEMBER
                            : pass == 1 ? QUERY_LINK_CONTACT
                                        : QUERY_LINK_MEMBERSHIP;
            if (!(w->links & link))
                continue;
            for (size_t j = 0; j < l->n && rc == KNOOP_OK; j++) {
                const pw_adj_t a = l->v[j];
                uint32_t o;
                int32_t h;
                bool contact = a.cls == ADJ_BETROKKENE || a.cls == ADJ_ACTOR;
                if (!a.out || a.cls == ADJ_KENT || (link == QUERY_LINK_CONTACT) != contact)
                    continue;
                if ((o = pw_node(w, a.other)) == PW_NONE) {
                    rc = pw_nomem(w);
                    break;
                }
                if ((rc = pw_kind(w, o)) != KNOOP_OK)
                    break;
                if (contact) {
                    if (w->nodes[o].kind != SCHEMA_KIND_CONTACT)
                        continue;
                } else if (!pw_is_org(&w->nodes[o])) {
                    continue;
                }
                if (link == QUERY_LINK_MEMBERSHIP) {
                    schema_date_t f, t;
                    if (!pw_period(w, a.from, a.to, a.from, a.to, &f, &t))
                        continue;
                    pw_link_t k = { QUERY_LINK_MEMBERSHIP, a.other, a.edge, 0, f, t };
                    rc = emit(w, arg, o, &k);
                    continue;
                }
                if ((rc = pw_hub(w, o, contact, &h)) != KNOOP_OK)
                    break;
                rc = pw_walk_hub(w, h, x, side, rem, link, a.other, a.edge, a.from, a.to,
                                 a.cls == ADJ_ACTOR, emit, arg);
            }
        }
    } else if (pw_is_org(&w->nodes[x]) && (w->links & QUERY_LINK_MEMBERSHIP)) {
        if ((rc = pw_scan(w, xid, GRAPH_BOTH, NULL, l)) != KNOOP_OK)
            goto out;
        for (size_t j = 0; j < l->n && rc == KNOOP_OK; j++) {
            const pw_adj_t a = l->v[j];
            uint32_t o;
            schema_date_t f, t;
            if (a.cls != ADJ_ROLE || a.other == xid)
                continue;
            if ((o = pw_node(w, a.other)) == PW_NONE) {
                rc = pw_nomem(w);
                break;
            }
            if ((rc = pw_step(w)) != KNOOP_OK || (rc = pw_kind(w, o)) != KNOOP_OK)
                break;
            /* A person only by its role here (an incoming edge); organisations either way. */
            if (!(pw_is_org(&w->nodes[o]) || (w->nodes[o].kind == SCHEMA_KIND_PERSON && !a.out)) ||
                !pw_period(w, a.from, a.to, a.from, a.to, &f, &t))
                continue;
            pw_link_t k = { QUERY_LINK_MEMBERSHIP, a.out ? a.other : xid, a.edge, 0, f, t };
            rc = emit(w, arg, o, &k);
        }
    }
out:
    return rc;
}

/* ---- one bidirectional search ---- */

typedef struct {
    int side;
    uint8_t depth;
    uint32_t x;
    pw_list_t *next;
    pw_list_t *meets; /* nodes reached from both sides in this level, not verified yet */
} pw_bfs_t;

static bool pw_banned(const pw_t *w, uint32_t a, uint32_t b)
{
    uint32_t other;
    if (w->ban_from == PW_NONE)
        return false;
    if (a == w->ban_from)
        other = b;
    else if (b == w->ban_from)
        other = a;
    else
        return false;
    for (size_t i = 0; i < w->bans.n; i++)
        if (w->bans.v[i] == other)
            return true;
    return false;
}

static int pw_bfs_emit(pw_t *w, void *arg, uint32_t to, const pw_link_t *l)
{
    pw_bfs_t *b = arg;
    pw_node_t *n = &w->nodes[to];
    int s = b->side;
    if (n->seen[s] == w->epoch || !pw_usable(w, to) || pw_banned(w, b->x, to))
        return KNOOP_OK;
    n->seen[s] = w->epoch;
    n->dist[s] = (uint8_t)(b->depth + 1);
    n->parent[s] = b->x;
    n->via[s] = *l;
    if (pw_list_push(b->next, to) != KNOOP_OK ||
        (n->seen[1 - s] == w->epoch && pw_list_push(b->meets, to) != KNOOP_OK))
        return pw_nomem(w);
    return KNOOP_OK;
}

/* Orders meeting nodes by total length, then id. */
static int pw_meet_cmp_ctx(const void *a, const void *b, void *ctx)
{
    const pw_t *w = ctx;
    const pw_node_t *x = &w->nodes[*(const uint32_t *)a], *y = &w->nodes[*(const uint32_t *)b];
    unsigned lx = (unsigned)x->dist[0] + x->dist[1], ly = (unsigned)y->dist[0] + y->dist[1];
    if (lx != ly)
        return lx < ly ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The meeting node of a level: the shortest total, then the lowest id, among those that may be
 * path nodes. Only candidates in that order are read (pw_verify), usually one. */
static int pw_meet(pw_t *w, pw_list_t *meets, uint32_t *meet)
{
    *meet = PW_NONE;
    if (meets->n > 1)
        qsort_r(meets->v, meets->n, sizeof(uint32_t), pw_meet_cmp_ctx, w);
    for (size_t i = 0; i < meets->n; i++) {
        bool ok;
        int rc = pw_verify(w, meets->v[i], &ok);
        if (rc != KNOOP_OK)
            return rc;
        if (ok) {
            *meet = meets->v[i];
            return KNOOP_OK;
        }
    }
    return KNOOP_OK;
}

static int pw_id_cmp_ctx(const void *a, const void *b, void *ctx)
{
    const pw_t *w = ctx;
    uint64_t x = w->nodes[*(const uint32_t *)a].id, y = w->nodes[*(const uint32_t *)b].id;
    return x < y ? -1 : x > y;
}

/* A path: nodes[0..n) and links[i] between nodes[i] and nodes[i + 1] (e1 at nodes[i]). */
typedef struct {
    uint32_t *nodes;
    pw_link_t *links;
    uint32_t n;
} pw_path_t;

static void pw_path_free(pw_path_t *p)
{
    knoop_free(p->nodes);
    knoop_free(p->links);
    memset(p, 0, sizeof(*p));
}

/* Starts a search: a new epoch, block marked, s the source side's start and t the target's,
 * each the only node of its frontier (fr[0], fr[1], emptied first). */
static int pw_begin(pw_t *w, uint32_t s, uint32_t t, const uint32_t *block, size_t nblock,
                    pw_list_t fr[2])
{
    w->epoch++;
    for (size_t i = 0; i < nblock; i++)
        w->nodes[block[i]].blocked = w->epoch;
    w->nodes[s].seen[0] = w->nodes[t].seen[1] = w->epoch;
    w->nodes[s].dist[0] = w->nodes[t].dist[1] = 0;
    w->nodes[s].parent[0] = w->nodes[t].parent[1] = PW_NONE;
    fr[0].n = fr[1].n = 0;
    if (pw_list_push(&fr[0], s) != KNOOP_OK || pw_list_push(&fr[1], t) != KNOOP_OK)
        return pw_nomem(w);
    return KNOOP_OK;
}

/* A link found by the target side (e1 at the node nearer the target) as the path reads it,
 * from source to target: e1 at the node before, e2 at the node after. */
static pw_link_t pw_toward_target(const pw_link_t *via)
{
    pw_link_t l = *via;
    if (l.e2 != 0) {
        l.e1 = via->e2;
        l.e2 = via->e1;
    }
    return l;
}

/*
 * The shortest path from s to t of at most max_hops hops that avoids nodes in block (and the
 * bans in w). *found false when none (within the bounds). *p owned by the caller when found.
 */
static int pw_search(pw_t *w, uint32_t s, uint32_t t, unsigned max_hops, const uint32_t *block,
                     size_t nblock, pw_path_t *p, bool *found)
{
    pw_list_t fr[2] = { { 0 }, { 0 } }, next = { 0 }, meets = { 0 };
    uint8_t depth[2] = { 0, 0 };
    uint32_t meet = PW_NONE;
    int rc = KNOOP_OK;

    *found = false;
    if ((rc = pw_begin(w, s, t, block, nblock, fr)) != KNOOP_OK)
        goto out;
    while (meet == PW_NONE && fr[0].n > 0 && fr[1].n > 0) {
        int side = fr[0].n <= fr[1].n ? 0 : 1;
        pw_bfs_t b = { side, depth[side], PW_NONE, &next, &meets };
        if ((unsigned)depth[0] + depth[1] >= max_hops) {
            w->cut_hops = true;
            break;
        }
        qsort_r(fr[side].v, fr[side].n, sizeof(uint32_t), pw_id_cmp_ctx, w);
        next.n = meets.n = 0;
        for (size_t i = 0; i < fr[side].n && rc == KNOOP_OK; i++) {
            bool ok;
            b.x = fr[side].v[i];
            if ((rc = pw_step(w)) == KNOOP_OK && (rc = pw_verify(w, b.x, &ok)) == KNOOP_OK && ok)
                rc = pw_expand(w, b.x, side, true, pw_bfs_emit, &b);
        }
        if (rc == KNOOP_OK || rc == PW_STOP) {
            int mrc = pw_meet(w, &meets, &meet);
            if (mrc != KNOOP_OK)
                rc = mrc;
        }
        if (rc != KNOOP_OK)
            break;
        depth[side]++;
        pw_list_t tmp = fr[side];
        fr[side] = next;
        next = tmp;
    }
    if (rc == PW_STOP)
        rc = KNOOP_OK; /* the cap: answer with what was found */
    if (rc != KNOOP_OK || meet == PW_NONE)
        goto out;
    /* Source chain meet .. s reversed, then the target chain meet .. t. */
    uint32_t n = (uint32_t)w->nodes[meet].dist[0] + w->nodes[meet].dist[1] + 1;
    p->nodes = knoop_malloc((size_t)n * sizeof(uint32_t));
    p->links = knoop_malloc((size_t)n * sizeof(pw_link_t));
    if (p->nodes == NULL || p->links == NULL) {
        pw_path_free(p);
        rc = pw_nomem(w);
        goto out;
    }
    p->n = n;
    uint32_t pos = w->nodes[meet].dist[0];
    for (uint32_t c = meet, i = pos; c != s; c = w->nodes[c].parent[0], i--) {
        p->nodes[i] = c;
        p->links[i - 1] = w->nodes[c].via[0];
    }
    p->nodes[0] = s;
    for (uint32_t c = meet, i = pos; c != t; i++) {
        p->nodes[i] = c;
        p->links[i] = pw_toward_target(&w->nodes[c].via[1]);
        c = w->nodes[c].parent[1];
        p->nodes[i + 1] = c;
    }
    *found = true;
out:
    pw_list_free(&fr[0]);
    pw_list_free(&fr[1]);
    pw_list_free(&next);
    pw_list_free(&meets);
    return rc;
}

/* ---- the search with `at`: organisations met halfway ---- */

/*
 * With `at` every role that counts holds on that one date, so any two roles at an organisation
 * overlap and co-membership is a relation through the organisation: the search can meet there.
 * It runs over half-levels. A person at half-depth h reaches the organisations it holds a role
 * at on h + 1, without walking their members, and the persons it knows (kent) or met at a
 * klantcontact on h + 2 (those hubs are small and walked at once); an organisation at h + 1 is
 * walked (its members on h + 2) only when a side goes on from there. The sides meet at a person
 * or at an organisation both reached: a path of n hops has 2n half-steps. After each half-step
 * every path of at most L0 + L1 half-steps has been met (Li: the half-depth a side's frontier is
 * at), so the search stops when the shortest meeting found is within that. A side goes on from
 * the cheaper frontier (persons count 1, organisations PW_AT_HUB_COST each: their members are
 * many). Among the shortest, the meeting node with the lowest id wins (a person, or the
 * organisation of the middle hop); a node keeps the first link that reached it, frontiers are
 * taken in ascending id and a person's links in the order kent, contact, organisations.
 *
 * Why: walking every organisation of a frontier of thousands of persons to find the next
 * persons was most of the work of the longer questions; meeting at the organisation needs only
 * the persons' own adjacency.
 *
 * A side about to walk its organisations first probes them (pw_at_walk with probe): only the
 * members the other side has reached, which are all the meetings the walk can make. Any such
 * meeting ends the search after this step, so the members nobody reached are never added to
 * the node table; without one the walk is done in full. When both sides hold organisations,
 * each first probes its own for the members of the other side's (pw_at_mutual): a 2-hop
 * question (most of them) adds only the members it passes through.
 */
#define PW_AT_HUB_COST 32

typedef struct {
    int side;
    uint8_t depth; /* the half-depth of x */
    uint32_t x;    /* the node being expanded or walked */
    uint8_t step;  /* the half-steps of the link emitted: 2 person to person, 1 from a hub */
    pw_list_t *later, *meets;
} pw_at_t;

/* Discovers node `to` on the side of a (the emit of person links and hub walks). */
static int pw_at_emit(pw_t *w, void *arg, uint32_t to, const pw_link_t *l)
{
    pw_at_t *a = arg;
    pw_node_t *n = &w->nodes[to];
    int s = a->side;
    /* The hop is between persons: from a hub, between the one who reached it and `to`. */
    uint32_t from = a->step == 1 ? w->nodes[a->x].parent[s] : a->x;
    if (n->seen[s] == w->epoch || !pw_usable(w, to) || pw_banned(w, from, to))
        return KNOOP_OK;
    n->seen[s] = w->epoch;
    n->dist[s] = (uint8_t)(a->depth + a->step);
    n->parent[s] = a->x;
    n->via[s] = *l;
    if (pw_list_push(a->later, to) != KNOOP_OK ||
        (n->seen[1 - s] == w->epoch && pw_list_push(a->meets, to) != KNOOP_OK))
        return pw_nomem(w);
    return KNOOP_OK;
}

/* Expands person x (half-depth a->depth): kent and contact links as pw_expand emits them, then
 * marks the organisations x holds a role at (next, one half-step on). The spur node of a Yen
 * search with bans walks its organisations at once instead, so that the bans apply per member. */
static int pw_at_expand(pw_t *w, pw_at_t *a, pw_list_t *next)
{
    pw_adjs_t *l = &w->adj_x;
    uint32_t x = a->x;
    unsigned links = w->links;
    bool walk = x == w->ban_from;
    int rc;

    /* kent and contact exactly as the levelled search has them (contacts walked at once). */
    w->links = links & (QUERY_LINK_KENT | QUERY_LINK_CONTACT | (walk ? QUERY_LINK_COMEMBER : 0));
    a->step = 2;
    rc = pw_expand(w, x, a->side, true, pw_at_emit, a);
    w->links = links;
    if (rc != KNOOP_OK || walk || !(links & QUERY_LINK_COMEMBER))
        return rc;
    /* x's adjacency, as pw_expand's one scan left it: its roles. */
    for (size_t j = 0; j < l->n && rc == KNOOP_OK; j++) {
        const pw_adj_t e = l->v[j];
        uint32_t o;
        pw_node_t *h;
        int s = a->side;
        if (!e.out || e.cls != ADJ_ROLE)
            continue;
        if ((o = pw_node(w, e.other)) == PW_NONE) {
            rc = pw_nomem(w);
            break;
        }
        if ((rc = pw_kind(w, o)) != KNOOP_OK)
            break;
        h = &w->nodes[o];
        if (!pw_is_org(h) || h->seen[s] == w->epoch)
            continue;
        h->seen[s] = w->epoch;
        h->dist[s] = (uint8_t)(a->depth + 1);
        h->parent[s] = x;
        h->via[s] = (pw_link_t){ QUERY_LINK_COMEMBER, e.other, e.edge, 0, e.from, e.to };
        if (pw_list_push(next, o) != KNOOP_OK ||
            (h->seen[1 - s] == w->epoch && pw_list_push(a->meets, o) != KNOOP_OK))
            rc = pw_nomem(w);
    }
    return rc;
}

/*
 * Walks organisation h (reached on half-depth a->depth): its members one half-step on. With
 * probe, only the members the other side has reached (a meeting) and those in also (NULL:
 * none), without adding the others to the node table: pw_search_at probes first, and when a
 * meeting comes of it the search ends there; else it walks again in full, the members the
 * probe emitted being seen already.
 */
/* A set of node ids (pw_at_walk's `also`): open addressing, 0 = an empty slot (no id is 0). */
typedef struct {
    uint64_t *v;
    uint32_t cap; /* a power of two, at least twice the ids */
} pw_ids_t;

static bool pw_ids_has(const pw_ids_t *s, uint64_t id)
{
    for (uint32_t h = pw_hash(id) & (s->cap - 1); s->v[h] != 0; h = (h + 1) & (s->cap - 1))
        if (s->v[h] == id)
            return true;
    return false;
}

static int pw_at_walk(pw_t *w, pw_at_t *a, bool probe, const pw_ids_t *also)
{
    int32_t hi;
    uint32_t h = a->x;
    int s = a->side;
    pw_link_t r = w->nodes[h].via[s]; /* the role that reached h */
    int rc = pw_hub(w, h, false, &hi);
    if (rc != KNOOP_OK)
        return rc;
    a->step = 1;
    for (uint32_t j = 0; j < w->hubs[hi].n && rc == KNOOP_OK; j++) {
        const pw_member_t *m = &w->hubs[hi].m[j];
        schema_date_t f, t;
        uint32_t i;
        if ((rc = pw_step(w)) != KNOOP_OK)
            break;
        if (probe) {
            i = m->node != PW_NONE || m->skip ? m->node : pw_lookup(w, m->id);
            if ((i == PW_NONE || w->nodes[i].seen[1 - s] != w->epoch) &&
                (also == NULL || !pw_ids_has(also, m->id)))
                continue;
        }
        if ((i = pw_member(w, hi, j, &rc)) == PW_NONE)
            continue;
        if (w->nodes[i].seen[s] == w->epoch || !pw_period(w, r.from, r.to, m->from, m->to, &f, &t))
            continue;
        pw_link_t l = { QUERY_LINK_COMEMBER, r.org, r.e1, m->edge, f, t };
        rc = pw_at_emit(w, a, i, &l);
    }
    return rc;
}

/* The total half-length of a meeting at node i; UINT32_MAX when it cannot be one (an
 * organisation reached from both sides by the same person). */
static unsigned pw_at_total(const pw_t *w, uint32_t i)
{
    const pw_node_t *n = &w->nodes[i];
    if (pw_is_org(n) && n->parent[0] == n->parent[1])
        return UINT32_MAX;
    return (unsigned)n->dist[0] + n->dist[1];
}

/* Orders meetings by total half-length, then id. */
static int pw_at_meet_cmp_ctx(const void *a, const void *b, void *ctx)
{
    const pw_t *w = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    unsigned lx = pw_at_total(w, x), ly = pw_at_total(w, y);
    if (lx != ly)
        return lx < ly ? -1 : 1;
    return w->nodes[x].id < w->nodes[y].id ? -1 : w->nodes[x].id > w->nodes[y].id;
}

/* The best meeting so far (sorted; persons read as needed, those that may not be path nodes
 * dropped); PW_NONE when none within limit half-steps. */
static int pw_at_best(pw_t *w, pw_list_t *meets, unsigned limit, uint32_t *best)
{
    size_t i = 0;
    *best = PW_NONE;
    if (meets->n > 1)
        qsort_r(meets->v, meets->n, sizeof(uint32_t), pw_at_meet_cmp_ctx, w);
    for (; i < meets->n; i++) {
        uint32_t m = meets->v[i];
        bool ok = true;
        int rc;
        if (pw_at_total(w, m) > limit)
            break;
        if (!pw_is_org(&w->nodes[m]) && (rc = pw_verify(w, m, &ok)) != KNOOP_OK)
            return rc;
        if (ok) {
            *best = m;
            break;
        }
    }
    /* Those found unusable before the best are not looked at again. */
    if (i > 0) {
        memmove(meets->v, meets->v + i, (meets->n - i) * sizeof(uint32_t));
        meets->n -= i;
    }
    return KNOOP_OK;
}

/* Appends the persons from node c back to the end of side (its chain), nearest first, with the
 * link into each from the one before it; an organisation in the chain is skipped (the member
 * it led to carries the whole co-membership hop). */
static uint32_t pw_at_prev(const pw_t *w, uint32_t c, int side)
{
    uint32_t p = w->nodes[c].parent[side];
    if (p != PW_NONE && pw_is_org(&w->nodes[p]))
        p = w->nodes[p].parent[side];
    return p;
}

/* Walks (or probes, see pw_at_walk) every organisation of frontier fr on a's side, in order. */
static int pw_at_walk_all(pw_t *w, pw_at_t *a, const pw_list_t *fr, bool probe,
                          const pw_ids_t *also)
{
    int rc = KNOOP_OK;
    for (size_t i = 0; i < fr->n && rc == KNOOP_OK; i++) {
        a->x = fr->v[i];
        rc = pw_at_walk(w, a, probe, also);
    }
    return rc;
}

/* After a side's step: from persons (L even) the organisations reached (next) are its frontier,
 * from organisations the persons in later; L goes one half-step on. */
static void pw_at_advance(pw_list_t *fr, pw_list_t *later, pw_list_t *next, unsigned *L)
{
    pw_list_t tmp = *fr;
    if (*L & 1) {
        *fr = *later;
        *later = tmp;
        later->n = 0;
    } else {
        *fr = *next;
        *next = tmp;
    }
    (*L)++;
}

/* Sets *ids to the members (on the date) of the organisations in fr. */
static int pw_at_member_ids(pw_t *w, const pw_list_t *fr, pw_ids_t *ids)
{
    int32_t h;
    int rc = KNOOP_OK;
    uint64_t n = 0;
    for (size_t i = 0; i < fr->n && rc == KNOOP_OK; i++)
        if ((rc = pw_hub(w, fr->v[i], false, &h)) == KNOOP_OK)
            n += w->hubs[h].n;
    if (rc != KNOOP_OK)
        return rc;
    for (ids->cap = 64; ids->cap < 2 * n;)
        ids->cap *= 2;
    if ((ids->v = knoop_calloc(ids->cap, sizeof(uint64_t))) == NULL)
        return pw_nomem(w);
    for (size_t i = 0; i < fr->n; i++) {
        const pw_hub_t *hub = &w->hubs[w->nodes[fr->v[i]].hub[0]];
        for (uint32_t j = 0; j < hub->n; j++) {
            uint32_t x = pw_hash(hub->m[j].id) & (ids->cap - 1);
            while (ids->v[x] != 0 && ids->v[x] != hub->m[j].id)
                x = (x + 1) & (ids->cap - 1);
            ids->v[x] = hub->m[j].id;
        }
    }
    return KNOOP_OK;
}

/*
 * Both sides hold organisations (L[0] and L[1] odd): before either walks in full, side 0
 * probes its organisations for the members of side 1's organisations (the only persons both
 * walks could reach) and side 1 probes for those side 0 reached. Those are all the meetings of
 * L[0] + L[1] + 2 half-steps that the two walks would make, reached through the same first
 * organisations, so a meeting found ends the search (*done) without adding any other member
 * to the node table: a 2-hop question adds only the members it passes through. Else side 0
 * finishes its walk and the search goes on from there; what side 1 emitted stays seen.
 */
static int pw_at_mutual(pw_t *w, pw_list_t fr[2], pw_list_t later[2], pw_list_t *meets,
                        unsigned L[2], unsigned limit, uint32_t *meet, bool *done)
{
    pw_ids_t ids = { 0 };
    int rc;
    *done = false;
    for (int k = 0; k < 2; k++)
        if (fr[k].n > 1)
            qsort_r(fr[k].v, fr[k].n, sizeof(uint32_t), pw_id_cmp_ctx, w);
    rc = pw_at_member_ids(w, &fr[1], &ids);
    for (int k = 0; k < 2 && rc == KNOOP_OK; k++) {
        pw_at_t a = { k, (uint8_t)L[k], PW_NONE, 0, &later[k], meets };
        rc = pw_at_walk_all(w, &a, &fr[k], true, k == 0 ? &ids : NULL);
    }
    knoop_free(ids.v);
    if (rc != KNOOP_OK || (rc = pw_at_best(w, meets, limit, meet)) != KNOOP_OK)
        return rc;
    if (*meet != PW_NONE && pw_at_total(w, *meet) <= L[0] + L[1] + 2) {
        L[0]++;
        L[1]++;
        *done = true;
        return KNOOP_OK;
    }
    /* Side 0's walk in full; its members are its next frontier. */
    pw_at_t a = { 0, (uint8_t)L[0], PW_NONE, 0, &later[0], meets };
    if ((rc = pw_at_walk_all(w, &a, &fr[0], false, NULL)) == KNOOP_OK)
        pw_at_advance(&fr[0], &later[0], NULL, &L[0]);
    return rc;
}

/* As pw_search, for time == `at` without membership hops (see above). */
static int pw_search_at(pw_t *w, uint32_t s, uint32_t t, unsigned max_hops, const uint32_t *block,
                        size_t nblock, pw_path_t *p, bool *found)
{
    pw_list_t fr[2] = { { 0 }, { 0 } }, later[2] = { { 0 }, { 0 } }, next = { 0 }, meets = { 0 };
    unsigned L[2] = { 0, 0 }, limit = 2 * max_hops;
    uint32_t meet = PW_NONE;
    int rc = KNOOP_OK;

again:
    *found = false;
    meet = PW_NONE;
    L[0] = L[1] = 0;
    later[0].n = later[1].n = next.n = meets.n = 0;
    if ((rc = pw_begin(w, s, t, block, nblock, fr)) != KNOOP_OK)
        goto out;
    for (;;) {
        if ((rc = pw_at_best(w, &meets, limit, &meet)) != KNOOP_OK)
            goto out;
        if (meet != PW_NONE && pw_at_total(w, meet) <= L[0] + L[1])
            break; /* nothing shorter is left to find */
        if ((fr[0].n == 0 && later[0].n == 0) || (fr[1].n == 0 && later[1].n == 0))
            break; /* a side has reached all it can: what was met is all there is */
        if (L[0] + L[1] >= limit) {
            if (meet == PW_NONE)
                w->cut_hops = true; /* (sticky over Yen's searches, as in pw_search) */
            break;
        }
        if ((L[0] & 1) && (L[1] & 1) && fr[0].n > 0 && fr[1].n > 0) {
            bool done;
            if ((rc = pw_at_mutual(w, fr, later, &meets, L, limit, &meet, &done)) != KNOOP_OK ||
                done)
                break;
            continue;
        }
        /* The cheaper side goes on; an empty frontier costs nothing. */
        unsigned cost[2];
        for (int i = 0; i < 2; i++)
            cost[i] = (unsigned)fr[i].n * ((L[i] & 1) ? PW_AT_HUB_COST : 1);
        int side = cost[0] <= cost[1] ? 0 : 1;
        pw_at_t a = { side, (uint8_t)L[side], PW_NONE, 0, &later[side], &meets };
        if (fr[side].n > 1)
            qsort_r(fr[side].v, fr[side].n, sizeof(uint32_t), pw_id_cmp_ctx, w);
        next.n = 0;
        if (L[side] & 1) {
            /* Organisations: first a probe for meetings (pw_at_walk). Any meeting it finds is
             * within L0 + L1 after this step, so the search ends; the same meetings as a full
             * walk finds, reached through the same first organisation. */
            if ((rc = pw_at_walk_all(w, &a, &fr[side], true, NULL)) != KNOOP_OK ||
                (rc = pw_at_best(w, &meets, limit, &meet)) != KNOOP_OK)
                break;
            if (meet != PW_NONE && pw_at_total(w, meet) <= L[0] + L[1] + 1) {
                L[side]++;
                break;
            }
            rc = pw_at_walk_all(w, &a, &fr[side], false, NULL);
        } else {
            /* Persons are expanded without reading their records: whether one is an example
             * person is checked for the nodes of the path found (below). Kent and contact
             * links wait in later. */
            for (size_t i = 0; i < fr[side].n && rc == KNOOP_OK; i++) {
                a.x = fr[side].v[i];
                if ((rc = pw_step(w)) == KNOOP_OK && pw_usable(w, a.x))
                    rc = pw_at_expand(w, &a, &next);
            }
        }
        if (rc != KNOOP_OK)
            break;
        pw_at_advance(&fr[side], &later[side], &next, &L[side]);
    }
    if (rc == PW_STOP) {
        /* The cap: answer with the best meeting found until then. */
        rc = pw_at_best(w, &meets, limit, &meet);
    }
    if (rc != KNOOP_OK || meet == PW_NONE)
        goto out;
    /* The persons of the path: the source side's chain reversed, the target side's in order. */
    bool org = pw_is_org(&w->nodes[meet]);
    uint32_t a0 = org ? w->nodes[meet].parent[0] : meet, b0 = org ? w->nodes[meet].parent[1] : meet;
    uint32_t na = 1, nb = 1;
    for (uint32_t c = a0; c != s; c = pw_at_prev(w, c, 0))
        na++;
    for (uint32_t c = b0; c != t; c = pw_at_prev(w, c, 1))
        nb++;
    uint32_t n = na + nb - (org ? 0 : 1);
    p->nodes = knoop_malloc((size_t)n * sizeof(uint32_t));
    p->links = knoop_malloc((size_t)n * sizeof(pw_link_t));
    if (p->nodes == NULL || p->links == NULL) {
        pw_path_free(p);
        rc = pw_nomem(w);
        goto out;
    }
    p->n = n;
    uint32_t i = na - 1;
    for (uint32_t c = a0; c != s; c = pw_at_prev(w, c, 0), i--) {
        p->nodes[i] = c;
        p->links[i - 1] = w->nodes[c].via[0];
    }
    p->nodes[0] = s;
    i = na - 1;
    if (org) {
        /* The middle hop: both roles at the organisation where the sides met. */
        const pw_link_t *x = &w->nodes[meet].via[0], *y = &w->nodes[meet].via[1];
        schema_date_t f, to;
        (void)pw_period(w, x->from, x->to, y->from, y->to, &f, &to);
        p->links[i] = (pw_link_t){ QUERY_LINK_COMEMBER, x->org, x->e1, y->e1, f, to };
        p->nodes[++i] = b0;
    }
    for (uint32_t c = b0; c != t; i++) {
        p->links[i] = pw_toward_target(&w->nodes[c].via[1]);
        c = pw_at_prev(w, c, 1);
        p->nodes[i + 1] = c;
    }
    *found = true;
    /* A person of the path that is an example person (rare: they are kept apart from real
     * data) is now known to be one, so a new search goes around it. */
    for (uint32_t k = 0; k < p->n && !w->examples; k++) {
        bool ok;
        if ((rc = pw_verify(w, p->nodes[k], &ok)) != KNOOP_OK || !ok) {
            pw_path_free(p);
            *found = false;
            if (rc == KNOOP_OK)
                goto again;
            break;
        }
    }
out:
    for (int k = 0; k < 2; k++) {
        pw_list_free(&fr[k]);
        pw_list_free(&later[k]);
    }
    pw_list_free(&next);
    pw_list_free(&meets);
    return rc;
}

/* The shortest path (pw_search or, with `at` and no membership hops, pw_search_at). */
static int pw_find(pw_t *w, uint32_t s, uint32_t t, unsigned max_hops, const uint32_t *block,
                   size_t nblock, pw_path_t *p, bool *found)
{
    if (w->time == QUERY_TIME_AT && !(w->links & QUERY_LINK_MEMBERSHIP))
        return pw_search_at(w, s, t, max_hops, block, nblock, p, found);
    return pw_search(w, s, t, max_hops, block, nblock, p, found);
}

/* ---- Yen ---- */

typedef struct {
    pw_path_t *v;
    size_t n, cap;
} pw_paths_t;

static void pw_paths_free(pw_paths_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        pw_path_free(&l->v[i]);
    knoop_free(l->v);
    memset(l, 0, sizeof(*l));
}

/* Takes p (moved) into l. */
static int pw_paths_push(pw_paths_t *l, pw_path_t *p)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        pw_path_t *nv = knoop_realloc(l->v, cap * sizeof(*nv));
        if (nv == NULL)
            return KNOOP_ENOMEM;
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = *p;
    memset(p, 0, sizeof(*p));
    return KNOOP_OK;
}

/* Orders paths by length, then by the ids of their nodes in order. */
static int pw_path_cmp(const pw_t *w, const pw_path_t *a, const pw_path_t *b)
{
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (uint32_t i = 0; i < a->n; i++) {
        uint64_t x = w->nodes[a->nodes[i]].id, y = w->nodes[b->nodes[i]].id;
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

static bool pw_paths_has(const pw_t *w, const pw_paths_t *l, const pw_path_t *p)
{
    for (size_t i = 0; i < l->n; i++)
        if (pw_path_cmp(w, &l->v[i], p) == 0)
            return true;
    return false;
}

static int pw_yen(pw_t *w, uint32_t s, uint32_t t, unsigned max_hops, unsigned k, pw_paths_t *A)
{
    pw_paths_t B = { 0 };
    pw_path_t p = { 0 };
    bool found;
    int rc = pw_find(w, s, t, max_hops, NULL, 0, &p, &found);
    if (rc != KNOOP_OK || !found)
        return rc;
    if ((rc = pw_paths_push(A, &p)) != KNOOP_OK) {
        pw_path_free(&p);
        return pw_nomem(w);
    }
    while (A->n < k && !w->cut_expanded) {
        const pw_path_t *prev = &A->v[A->n - 1];
        for (uint32_t i = 0; i + 1 < prev->n && rc == KNOOP_OK && !w->cut_expanded; i++) {
            pw_path_t spur = { 0 }, cand = { 0 };
            prev = &A->v[A->n - 1];
            w->bans.n = 0;
            w->ban_from = prev->nodes[i];
            for (size_t a = 0; a < A->n && rc == KNOOP_OK; a++) {
                const pw_path_t *ap = &A->v[a];
                if (ap->n > i + 1 &&
                    memcmp(ap->nodes, prev->nodes, (i + 1) * sizeof(uint32_t)) == 0)
                    rc = pw_list_push(&w->bans, ap->nodes[i + 1]) == KNOOP_OK ? KNOOP_OK
                                                                              : pw_nomem(w);
            }
            if (rc != KNOOP_OK)
                break;
            rc = pw_find(w, prev->nodes[i], t, max_hops - i, prev->nodes, i, &spur, &found);
            w->ban_from = PW_NONE;
            if (rc != KNOOP_OK || !found)
                continue;
            cand.n = i + spur.n;
            cand.nodes = knoop_malloc((size_t)cand.n * sizeof(uint32_t));
            cand.links = knoop_malloc((size_t)cand.n * sizeof(pw_link_t));
            if (cand.nodes == NULL || cand.links == NULL) {
                pw_path_free(&cand);
                pw_path_free(&spur);
                rc = pw_nomem(w);
                break;
            }
            memcpy(cand.nodes, prev->nodes, i * sizeof(uint32_t));
            memcpy(cand.links, prev->links, i * sizeof(pw_link_t));
            memcpy(cand.nodes + i, spur.nodes, spur.n * sizeof(uint32_t));
            memcpy(cand.links + i, spur.links, (spur.n - 1) * sizeof(pw_link_t));
            pw_path_free(&spur);
            if (pw_paths_has(w, A, &cand) || pw_paths_has(w, &B, &cand))
                pw_path_free(&cand);
            else if (pw_paths_push(&B, &cand) != KNOOP_OK) {
                pw_path_free(&cand);
                rc = pw_nomem(w);
            }
        }
        if (rc != KNOOP_OK || B.n == 0)
            break;
        size_t best = 0;
        for (size_t j = 1; j < B.n; j++)
            if (pw_path_cmp(w, &B.v[j], &B.v[best]) < 0)
                best = j;
        pw_path_t take = B.v[best];
        B.v[best] = B.v[--B.n];
        if (pw_paths_push(A, &take) != KNOOP_OK) {
            pw_path_free(&take);
            rc = pw_nomem(w);
        }
    }
    pw_paths_free(&B);
    return rc;
}

/* ---- query.path ---- */

static const char *const link_names[] = { "kent", "co-membership", "contact", "membership" };

const char *query_link_name(unsigned link)
{
    for (unsigned i = 0; i < 4; i++)
        if (link == 1u << i)
            return link_names[i];
    return "";
}

unsigned query_link_parse(const char *s, size_t len)
{
    for (unsigned i = 0; i < 4; i++)
        if (strlen(link_names[i]) == len && memcmp(link_names[i], s, len) == 0)
            return 1u << i;
    return 0;
}

void query_paths_free(query_paths_t *p)
{
    for (size_t i = 0; i < p->n; i++) {
        for (size_t j = 0; j < p->paths[i].n; j++) {
            query_hop_t *h = &p->paths[i].hops[j];
            graph_node_clear(&h->from);
            graph_node_clear(&h->to);
            graph_node_clear(&h->org);
            for (size_t r = 0; r < h->nroles; r++)
                graph_edge_clear(&h->roles[r]);
        }
        knoop_free(p->paths[i].hops);
    }
    knoop_free(p->paths);
    memset(p, 0, sizeof(*p));
}

static void pw_init(pw_t *w, const query_ctx_t *q, unsigned links, query_time_t time,
                    schema_date_t at, schema_date_t from, schema_date_t to, bool examples,
                    uint64_t max_expanded, knoop_error_t *err)
{
    memset(w, 0, sizeof(*w));
    w->q = q;
    w->err = err;
    w->links = links;
    w->time = time;
    w->at = at;
    w->from = from;
    w->to = to;
    w->examples = examples;
    w->max_expanded = max_expanded;
    w->ban_from = PW_NONE;
}

/* Resolves an end of the question: exists, and is a person (or, with membership, an
 * organisation, body or project). */
static int pw_end(pw_t *w, uint64_t id, const char *field, graph_node_t *rec, uint32_t *i)
{
    int rc;
    if ((*i = pw_node(w, id)) == PW_NONE)
        return pw_nomem(w);
    /* Read here and kept: the answer shows the ends. */
    if ((rc = pw_read(w, *i, rec)) != KNOOP_OK)
        return rc;
    if (w->nodes[*i].kind == 0)
        return knoop_error_set(w->err, KNOOP_ENOTFOUND, "params.%s: node %llu does not exist",
                               field, (unsigned long long)id);
    if (w->nodes[*i].kind != SCHEMA_KIND_PERSON &&
        !((w->links & QUERY_LINK_MEMBERSHIP) && pw_is_org(&w->nodes[*i])))
        return knoop_error_set(w->err, KNOOP_EINVAL,
                               "params.%s: node %llu is a %s; paths run between persons (and "
                               "organisations, bodies or projects with links: [\"membership\"])",
                               field, (unsigned long long)id, schema_kind_name(w->nodes[*i].kind));
    return KNOOP_OK;
}

/* The record of path node id into *out: a copy when it is an end or the node the previous hop
 * went to (prev, NULL for the first hop), else read. */
static int pw_hop_node(pw_t *w, uint64_t id, const query_hop_t *prev, graph_node_t *out)
{
    const graph_node_t *have = prev != NULL && prev->to.id == id ? &prev->to
                               : w->end[0].id == id              ? &w->end[0]
                               : w->end[1].id == id              ? &w->end[1]
                                                                 : NULL;
    if (have == NULL)
        return graph_node_get(w->q->store, w->q->view, id, out, w->err);
    if (graph_node_copy(out, have) != KNOOP_OK)
        return pw_nomem(w);
    return KNOOP_OK;
}

static int pw_fill_hop(pw_t *w, const pw_path_t *p, uint32_t i, const query_hop_t *prev,
                       query_hop_t *h)
{
    const pw_link_t *l = &p->links[i];
    int rc;
    h->link = l->kind;
    h->pfrom = l->from;
    h->pto = l->to;
    if ((rc = pw_hop_node(w, w->nodes[p->nodes[i]].id, prev, &h->from)) != KNOOP_OK ||
        (rc = pw_hop_node(w, w->nodes[p->nodes[i + 1]].id, NULL, &h->to)) != KNOOP_OK)
        return rc;
    if (l->org != 0 &&
        (rc = graph_node_get(w->q->store, w->q->view, l->org, &h->org, w->err)) != KNOOP_OK)
        return rc;
    if ((rc = graph_edge_get(w->q->store, w->q->view, l->e1, &h->roles[0], w->err)) != KNOOP_OK)
        return rc;
    h->nroles = 1;
    if (l->e2 != 0) {
        if ((rc = graph_edge_get(w->q->store, w->q->view, l->e2, &h->roles[1], w->err)) != KNOOP_OK)
            return rc;
        h->nroles = 2;
    }
    return KNOOP_OK;
}

int query_path(const query_ctx_t *q, const query_path_args_t *a, query_paths_t *out,
               knoop_error_t *err)
{
    pw_paths_t A = { 0 };
    uint32_t s, t;
    pw_t w;
    int rc;

    pw_init(&w, q, a->links, a->time, a->at, a->from, a->to, a->examples, a->max_expanded, err);
    if ((rc = pw_end(&w, a->source, "source", &w.end[0], &s)) != KNOOP_OK ||
        (rc = pw_end(&w, a->target, "target", &w.end[1], &t)) != KNOOP_OK)
        goto out;
    if (s == t) {
        rc = knoop_error_set(err, KNOOP_EINVAL, "params.target: is the source itself");
        goto out;
    }
    for (size_t i = 0; i < a->nexclude; i++) {
        uint32_t x = pw_node(&w, a->exclude[i]);
        if (x == PW_NONE) {
            rc = pw_nomem(&w);
            goto out;
        }
        if (x == s || x == t) {
            rc = knoop_error_set(err, KNOOP_EINVAL, "params.exclude[%zu]: is the %s", i,
                                 x == s ? "source" : "target");
            goto out;
        }
        w.nodes[x].excluded = true;
    }
    /* The ends themselves are usable even when they are example persons. */
    w.nodes[s].example = w.nodes[t].example = false;
    if ((rc = pw_yen(&w, s, t, a->max_hops, a->k, &A)) != KNOOP_OK)
        goto out;
    if (A.n > 0 && (out->paths = knoop_calloc(A.n, sizeof(*out->paths))) == NULL) {
        rc = pw_nomem(&w);
        goto out;
    }
    for (size_t i = 0; i < A.n && rc == KNOOP_OK; i++) {
        query_path_t *qp = &out->paths[i];
        if ((qp->hops = knoop_calloc(A.v[i].n - 1, sizeof(*qp->hops))) == NULL) {
            rc = pw_nomem(&w);
            break;
        }
        out->n++;
        for (uint32_t j = 0; j + 1 < A.v[i].n && rc == KNOOP_OK; j++) {
            qp->n++;
            rc = pw_fill_hop(&w, &A.v[i], j, j > 0 ? &qp->hops[j - 1] : NULL, &qp->hops[j]);
        }
    }
    /* max_hops cuts only matter when fewer paths than asked were found. */
    out->bound_hit = w.cut_expanded || (w.cut_hops && A.n < a->k);
    out->bound = w.cut_expanded ? "expanded" : out->bound_hit ? "max_hops" : NULL;
    out->expanded = w.expanded;
out:
    pw_paths_free(&A);
    pw_free(&w);
    return rc;
}

static void pack_date(msgpack_packer *pk, schema_date_t d)
{
    char buf[16];
    if (d == SCHEMA_DATE_OPEN || d <= SCHEMA_DATE_MIN) {
        msgpack_pack_nil(pk);
        return;
    }
    query_pack_str(pk, schema_date_format(d, buf));
}

void query_paths_pack(msgpack_packer *pk, const query_paths_t *p)
{
    msgpack_pack_map(pk, 4);
    query_pack_str(pk, "paths");
    msgpack_pack_array(pk, (uint32_t)p->n);
    for (size_t i = 0; i < p->n; i++) {
        const query_path_t *qp = &p->paths[i];
        msgpack_pack_map(pk, 2);
        query_pack_str(pk, "length");
        msgpack_pack_uint64(pk, qp->n);
        query_pack_str(pk, "hops");
        msgpack_pack_array(pk, (uint32_t)qp->n);
        for (size_t j = 0; j < qp->n; j++) {
            const query_hop_t *h = &qp->hops[j];
            msgpack_pack_map(pk, 6);
            query_pack_str(pk, "from");
            query_pack_node(pk, &h->from);
            query_pack_str(pk, "to");
            query_pack_node(pk, &h->to);
            query_pack_str(pk, "link");
            query_pack_str(pk, query_link_name(h->link));
            query_pack_str(pk, "org");
            if (h->org.id != 0)
                query_pack_node(pk, &h->org);
            else
                msgpack_pack_nil(pk);
            query_pack_str(pk, "roles");
            msgpack_pack_array(pk, (uint32_t)h->nroles);
            for (size_t r = 0; r < h->nroles; r++)
                graph_edge_pack(pk, &h->roles[r]);
            query_pack_str(pk, "period");
            msgpack_pack_map(pk, 2);
            query_pack_str(pk, "from");
            pack_date(pk, h->pfrom);
            query_pack_str(pk, "to");
            pack_date(pk, h->pto);
        }
    }
    query_pack_str(pk, "bound_hit");
    query_pack_bool(pk, p->bound_hit);
    query_pack_str(pk, "bound");
    query_pack_str(pk, p->bound);
    query_pack_str(pk, "expanded");
    msgpack_pack_uint64(pk, p->expanded);
}

/* ---- query.neighbourhood ---- */

typedef struct {
    pw_list_t *next;
    uint8_t depth;
    uint32_t x;
} pw_nbh_bfs_t;

static int pw_nbh_emit(pw_t *w, void *arg, uint32_t to, const pw_link_t *l)
{
    pw_nbh_bfs_t *b = arg;
    pw_node_t *n = &w->nodes[to];
    bool ok;
    int rc;
    (void)l;
    if (n->seen[0] == w->epoch)
        return KNOOP_OK;
    /* Every node answered is read: the neighbourhood lists them all. */
    if ((rc = pw_verify(w, to, &ok)) != KNOOP_OK || !ok)
        return rc;
    n->seen[0] = w->epoch;
    n->dist[0] = (uint8_t)(b->depth + 1);
    return pw_list_push(b->next, to) == KNOOP_OK ? KNOOP_OK : pw_nomem(w);
}

/* Score accumulation for the centre's direct links. */
typedef struct {
    uint32_t node;
    double score, years;
    unsigned shared, nlinks;
    pw_list_t orgs; /* node indexes of the organisations shared (distinct) */
} pw_score_t;

typedef struct {
    pw_score_t *v;
    size_t n, cap;
    schema_date_t ref; /* open ends count until this date */
} pw_scores_t;

static int pw_score_emit(pw_t *w, void *arg, uint32_t to, const pw_link_t *l)
{
    pw_scores_t *sc = arg;
    pw_score_t *s = NULL;
    bool ok;
    int rc;
    if ((rc = pw_verify(w, to, &ok)) != KNOOP_OK || !ok)
        return rc;
    for (size_t i = 0; i < sc->n; i++)
        if (sc->v[i].node == to) {
            s = &sc->v[i];
            break;
        }
    if (s == NULL) {
        if (sc->n == sc->cap) {
            size_t cap = sc->cap ? sc->cap * 2 : 32;
            pw_score_t *nv = knoop_realloc(sc->v, cap * sizeof(*nv));
            if (nv == NULL)
                return pw_nomem(w);
            sc->v = nv;
            sc->cap = cap;
        }
        s = &sc->v[sc->n++];
        memset(s, 0, sizeof(*s));
        s->node = to;
    }
    s->nlinks++;
    if (l->kind == QUERY_LINK_KENT) {
        s->score += 3;
    } else if (l->kind == QUERY_LINK_CONTACT || l->kind == QUERY_LINK_MEMBERSHIP) {
        s->score += 1;
    } else {
        uint32_t o = pw_node(w, l->org);
        bool seen = false;
        schema_date_t end = l->to < sc->ref ? l->to : sc->ref;
        double years = end > l->from ? (double)(end - l->from) / 365.25 : 0;
        if (o == PW_NONE)
            return pw_nomem(w);
        for (size_t i = 0; i < s->orgs.n; i++)
            seen = seen || s->orgs.v[i] == o;
        if (!seen) {
            if (pw_list_push(&s->orgs, o) != KNOOP_OK)
                return pw_nomem(w);
            s->shared++;
            s->score += 2;
        }
        s->years += years;
        s->score += years;
    }
    return KNOOP_OK;
}

void query_nbh_free(query_nbh_t *n)
{
    graph_node_clear(&n->centre);
    for (size_t i = 0; i < n->n; i++)
        graph_node_clear(&n->rows[i].node);
    knoop_free(n->rows);
    memset(n, 0, sizeof(*n));
}

typedef struct {
    uint32_t node;
    unsigned dist;
    double score;
    uint64_t id;
} pw_rank_t;

static int pw_rank_cmp(const void *a, const void *b)
{
    const pw_rank_t *x = a, *y = b;
    if (x->dist != y->dist)
        return x->dist < y->dist ? -1 : 1;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

int query_neighbourhood(const query_ctx_t *q, const query_nbh_args_t *a, query_nbh_t *out,
                        knoop_error_t *err)
{
    pw_list_t fr = { 0 }, next = { 0 }, all = { 0 };
    pw_scores_t sc = { 0 };
    pw_rank_t *rank = NULL;
    uint32_t c;
    pw_t w;
    int rc;

    pw_init(&w, q, a->links, a->time, a->at, a->from, a->to, a->examples, a->max_expanded, err);
    if ((rc = pw_end(&w, a->node, "node", &w.end[0], &c)) != KNOOP_OK)
        goto out;
    w.nodes[c].example = false;
    if ((rc = graph_node_get(q->store, q->view, a->node, &out->centre, err)) != KNOOP_OK)
        goto out;
    sc.ref = a->time == QUERY_TIME_AT ? a->at
             : a->time == QUERY_TIME_PERIOD
                 ? (a->to != SCHEMA_DATE_OPEN ? a->to : schema_date_today())
                 : schema_date_today();
    /* The scores: every link of the centre, hubs walked whole. */
    w.epoch++;
    w.nodes[c].blocked = w.epoch; /* never its own neighbour */
    rc = pw_expand(&w, c, 0, false, pw_score_emit, &sc);
    w.nodes[c].blocked = 0;
    /* The breadth-first search for the nodes within depth. */
    w.epoch++;
    w.nodes[c].seen[0] = w.epoch;
    if (rc == KNOOP_OK && pw_list_push(&fr, c) != KNOOP_OK)
        rc = pw_nomem(&w);
    for (uint8_t d = 0; rc == KNOOP_OK && d < a->depth && fr.n > 0; d++) {
        pw_nbh_bfs_t b = { &next, d, PW_NONE };
        qsort_r(fr.v, fr.n, sizeof(uint32_t), pw_id_cmp_ctx, &w);
        next.n = 0;
        for (size_t i = 0; i < fr.n && rc == KNOOP_OK; i++) {
            b.x = fr.v[i];
            if ((rc = pw_step(&w)) == KNOOP_OK)
                rc = pw_expand(&w, b.x, 0, true, pw_nbh_emit, &b);
        }
        /* The nodes reached at this depth count, also when the cap stopped the level. */
        for (size_t i = 0; (rc == KNOOP_OK || rc == PW_STOP) && i < next.n; i++)
            if (pw_list_push(&all, next.v[i]) != KNOOP_OK)
                rc = pw_nomem(&w);
        pw_list_t tmp = fr;
        fr = next;
        next = tmp;
    }
    if (rc == PW_STOP)
        rc = KNOOP_OK;
    if (rc != KNOOP_OK)
        goto out;
    out->bound_hit = w.cut_expanded;
    out->expanded = w.expanded;
    out->total = all.n;
    if (all.n > 0 && (rank = knoop_calloc(all.n, sizeof(*rank))) == NULL) {
        rc = pw_nomem(&w);
        goto out;
    }
    for (size_t i = 0; i < all.n; i++) {
        pw_node_t *n = &w.nodes[all.v[i]];
        rank[i] = (pw_rank_t){ all.v[i], n->dist[0], 0, n->id };
        if (n->kind <= SCHEMA_KIND_LAST)
            out->kinds[n->kind]++;
        for (size_t j = 0; n->dist[0] == 1 && j < sc.n; j++)
            if (sc.v[j].node == all.v[i])
                rank[i].score = sc.v[j].score;
    }
    if (all.n > 1)
        qsort(rank, all.n, sizeof(*rank), pw_rank_cmp);
    size_t n = all.n < a->limit ? all.n : a->limit;
    out->more = all.n > n;
    if (n > 0 && (out->rows = knoop_calloc(n, sizeof(*out->rows))) == NULL) {
        rc = pw_nomem(&w);
        goto out;
    }
    for (size_t i = 0; i < n && rc == KNOOP_OK; i++) {
        query_nbh_row_t *r = &out->rows[i];
        if ((rc = graph_node_get(q->store, q->view, w.nodes[rank[i].node].id, &r->node, err)) !=
            KNOOP_OK)
            break;
        out->n++;
        r->dist = rank[i].dist;
        r->score = rank[i].score;
        for (size_t j = 0; r->dist == 1 && j < sc.n; j++)
            if (sc.v[j].node == rank[i].node) {
                r->shared = sc.v[j].shared;
                r->nlinks = sc.v[j].nlinks;
                r->overlap_years = sc.v[j].years;
            }
    }
out:
    for (size_t i = 0; i < sc.n; i++)
        pw_list_free(&sc.v[i].orgs);
    knoop_free(sc.v);
    knoop_free(rank);
    pw_list_free(&fr);
    pw_list_free(&next);
    pw_list_free(&all);
    pw_free(&w);
    return rc;
}

void query_nbh_pack(msgpack_packer *pk, const query_nbh_t *n, unsigned depth)
{
    unsigned kinds = 0;
    for (int k = SCHEMA_KIND_FIRST; k <= SCHEMA_KIND_LAST; k++)
        kinds += n->kinds[k] != 0;
    msgpack_pack_map(pk, 8);
    query_pack_str(pk, "node");
    query_pack_node(pk, &n->centre);
    query_pack_str(pk, "depth");
    msgpack_pack_unsigned_int(pk, depth);
    query_pack_str(pk, "counts");
    msgpack_pack_map(pk, kinds);
    for (int k = SCHEMA_KIND_FIRST; k <= SCHEMA_KIND_LAST; k++)
        if (n->kinds[k] != 0) {
            query_pack_str(pk, schema_kind_name(k));
            msgpack_pack_uint64(pk, n->kinds[k]);
        }
    query_pack_str(pk, "total");
    msgpack_pack_uint64(pk, n->total);
    query_pack_str(pk, "nodes");
    msgpack_pack_array(pk, (uint32_t)n->n);
    for (size_t i = 0; i < n->n; i++) {
        const query_nbh_row_t *r = &n->rows[i];
        msgpack_pack_map(pk, 6);
        query_pack_str(pk, "node");
        query_pack_node(pk, &r->node);
        query_pack_str(pk, "distance");
        msgpack_pack_unsigned_int(pk, r->dist);
        query_pack_str(pk, "score");
        msgpack_pack_double(pk, (double)(int64_t)(r->score * 100 + 0.5) / 100);
        query_pack_str(pk, "shared");
        msgpack_pack_unsigned_int(pk, r->shared);
        query_pack_str(pk, "links");
        msgpack_pack_unsigned_int(pk, r->nlinks);
        query_pack_str(pk, "overlap_years");
        msgpack_pack_double(pk, (double)(int64_t)(r->overlap_years * 100 + 0.5) / 100);
    }
    query_pack_str(pk, "more");
    query_pack_bool(pk, n->more);
    query_pack_str(pk, "bound_hit");
    query_pack_bool(pk, n->bound_hit);
    query_pack_str(pk, "expanded");
    msgpack_pack_uint64(pk, n->expanded);
}
