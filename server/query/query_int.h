/*
 * query_int.h - helpers shared by the files of the query layer (layer: query). Not for other
 * modules: they use query.h.
 */
#ifndef QUERY_INT_H
#define QUERY_INT_H

#include "query.h"

/* A light match found by an adjacency scan, before records are read. */
typedef struct {
    uint64_t edge, person, org;
} query__hit_t;

typedef struct {
    query__hit_t *v;
    size_t n, cap;
} query__hits_t;

/* Appends h. KNOOP_ENOMEM when out of memory. */
int query__hits_push(query__hits_t *l, query__hit_t h);
void query__hits_free(query__hits_t *l);

/*
 * Reads role edge h.edge, its person, its org and its base (when on_behalf_of) into a new row
 * of out (appended only when *keep). keep is set false, and nothing appended, when the person
 * is not a person, is example data (props.example = true) and skip_examples is set, or the org
 * is not an organisation, body or project. The filter fn (may be NULL) sees the edge and
 * decides too. The row's example says whether the person is example data. Errors: store
 * errors, KNOOP_ENOMEM.
 */
int query__role_add(const query_ctx_t *q, query__hit_t h,
                    bool (*filter)(void *arg, const graph_edge_t *e), void *arg, bool skip_examples,
                    query_roles_t *out, bool *keep, knoop_error_t *err);

/* Packs one role row: {person?, role, org, base, example} (person only when with_person). */
void query__role_pack(msgpack_packer *pk, const query_role_t *r, bool with_person, bool contacts);

/*
 * Walks the on_behalf_of chain of e (not included) while every link is valid on at (at most
 * 32 links). Calls cb with each base edge in order; cb returns nonzero to stop. Errors: store
 * errors (a dangling on_behalf_of ends the walk quietly).
 */
int query__chain(const query_ctx_t *q, const graph_edge_t *e, schema_date_t at,
                 int (*cb)(void *arg, const graph_edge_t *base), void *arg, knoop_error_t *err);

/* An `at` for query__adj that takes every edge, whatever its validity. */
#define QUERY__ALL_TIME INT32_MIN

/* A node's adjacent nodes and the edges to them, in scan order (nodes[i] via edges[i]). */
typedef struct {
    graph_ids_t nodes, edges;
    int rc;
} query__adj_t;

/*
 * Appends node's edges in direction dir of types (NULL-terminated; NULL = every type) valid on
 * at (QUERY__ALL_TIME: all) to *l (zeroed by the caller, freed with query__adj_free). KNOOP_ENOMEM,
 * store errors.
 */
int query__adj(const query_ctx_t *q, uint64_t node, graph_dir_t dir, const char *const *types,
               schema_date_t at, query__adj_t *l, knoop_error_t *err);
void query__adj_free(query__adj_t *l);

#endif
