/*
 * query_adj.c - listing a node's adjacent nodes and edges on a date (layer: query).
 */
#include "query_int.h"

static int adj_cb(void *arg, const graph_adj_t *a)
{
    query__adj_t *l = arg;
    if (graph_ids_push(&l->nodes, a->other) != KNOOP_OK ||
        graph_ids_push(&l->edges, a->edge) != KNOOP_OK) {
        l->rc = KNOOP_ENOMEM;
        return 1;
    }
    return 0;
}

void query__adj_free(query__adj_t *l)
{
    graph_ids_free(&l->nodes);
    graph_ids_free(&l->edges);
}

/* Scans node's edges in direction dir of types (NULL-terminated; NULL = every type) on at. */
int query__adj(const query_ctx_t *q, uint64_t node, graph_dir_t dir, const char *const *types,
               schema_date_t at, query__adj_t *l, knoop_error_t *err)
{
    graph_filter_t f = { .dir = dir, .time = GRAPH_TIME_AT, .at = at };
    if (at == QUERY__ALL_TIME)
        f.time = GRAPH_TIME_ALL;
    int rc = KNOOP_OK;
    for (int i = 0; rc == KNOOP_OK && (types == NULL ? i < 1 : types[i] != NULL); i++) {
        f.type = types != NULL ? types[i] : NULL;
        rc = graph_adj_scan(q->store, q->view, node, &f, adj_cb, l, err);
        if (rc == KNOOP_OK && l->rc != KNOOP_OK)
            rc = query_nomem(err);
    }
    return rc;
}
