/*
 * graph_warm.c - fills the caches a question reads, when a server starts (layer: graph).
 *
 * Right after a start every question builds the adjacency of the organisations and persons it
 * passes from RocksDB, and reads records to learn the kinds of the nodes it meets. On the
 * national bench graph (bench/run_path.sh) that made the first round of k = 1 path questions
 * 2.5 times slower at p50 than the next ones and 15 times at p99: its search took 1.2 ms on
 * average against 0.15. graph_warm does that work once, in the background: one scan of the
 * node family learns every kind (the store's tag map, store_tag.c) and brings the records into
 * RocksDB's block cache; then the adjacency of every organisation, body and project (the hubs
 * a search walks), then of every person, is built into the adjacency cache until it holds
 * GRAPH_WARM_FILL of its budget. Klantcontacten, tasks, lists and records are left to be built
 * when a question asks for them.
 *
 * Correct whatever is written meanwhile: kinds never change (store_tag.c), and the adjacency
 * cache keeps an entry only when no commit since its view touched the node (store_adjcache.c).
 * A fresh snapshot every GRAPH_WARM_BATCH nodes keeps the views recent.
 */
#include <stdlib.h>
#include <string.h>

#include "graph_int.h"

/* The share of the adjacency cache's budget the warm-up fills (numerator over 4). */
#define GRAPH_WARM_FILL 3
/* Nodes per snapshot (and between looks at the stop flag while scanning the records). */
#define GRAPH_WARM_BATCH 1024

/* Scans the node records: their kinds into the tag map, hubs and persons into the lists. */
static int warm_kinds(store_t *s, const atomic_bool *stop, graph_ids_t *hubs, graph_ids_t *persons,
                      graph_warm_stats_t *out, knoop_error_t *err)
{
    store_view_t *v = store_snapshot(s);
    store_iter_t *it;
    int rc = KNOOP_OK;
    if (v == NULL || (it = store_iter(s, v, KV_CF_NODE, NULL, 0, NULL, 0)) == NULL) {
        store_snapshot_free(s, v);
        return knoop_error_set(err, KNOOP_ENOMEM, "warm-up: out of memory");
    }
    for (; store_iter_valid(it) && rc == KNOOP_OK; store_iter_next(it)) {
        size_t kl, vl;
        const unsigned char *k = store_iter_key(it, &kl);
        const void *val = store_iter_value(it, &vl);
        schema_kind_t kind;
        uint64_t id;
        if (kl != 8 || !graph__record_kind(val, vl, &kind)) {
            rc = knoop_error_set(err, KNOOP_ECORRUPT, "warm-up: a malformed node record");
            break;
        }
        id = store_get_u64(k);
        store_tag_set(s, id, (uint8_t)kind);
        out->nodes++;
        if (schema_kind_holds_roles(kind))
            rc = graph_ids_push(hubs, id);
        else if (kind == SCHEMA_KIND_PERSON)
            rc = graph_ids_push(persons, id);
        if (rc != KNOOP_OK)
            rc = knoop_error_set(err, KNOOP_ENOMEM, "warm-up: out of memory");
        if ((out->nodes % GRAPH_WARM_BATCH) == 0 && atomic_load(stop)) {
            out->stopped = true;
            break;
        }
    }
    if (rc == KNOOP_OK)
        rc = store_iter_status(it, err);
    store_iter_free(it);
    store_snapshot_free(s, v);
    return rc;
}

/* Builds the adjacency of the nodes in l into the cache, until it is full enough or *stop. */
static int warm_adjacency(store_t *s, const atomic_bool *stop, const graph_ids_t *l,
                          graph_warm_stats_t *out, knoop_error_t *err)
{
    store_view_t *v = NULL;
    int rc = KNOOP_OK;
    for (size_t i = 0; i < l->n && rc == KNOOP_OK; i++) {
        store_adj_t *a = NULL;
        store_adjcache_stats_t st;
        store_adj_cache_stats(s, &st);
        if (st.bytes >= st.budget / 4 * GRAPH_WARM_FILL) {
            out->full = true;
            break;
        }
        if (atomic_load(stop)) {
            out->stopped = true;
            break;
        }
        if (i % GRAPH_WARM_BATCH == 0) {
            store_snapshot_free(s, v);
            if ((v = store_snapshot(s)) == NULL)
                return knoop_error_set(err, KNOOP_ENOMEM, "warm-up: out of memory");
        }
        if ((rc = store_adj_get(s, v, l->ids[i], &a, err)) == KNOOP_OK && a != NULL) {
            out->adjacency++;
            store_adj_release(a);
        }
    }
    store_snapshot_free(s, v);
    return rc;
}

int graph_warm(store_t *s, const atomic_bool *stop, graph_warm_stats_t *out, knoop_error_t *err)
{
    graph_ids_t hubs = { 0 }, persons = { 0 };
    store_adjcache_stats_t st;
    int rc;
    memset(out, 0, sizeof(*out));
    rc = warm_kinds(s, stop, &hubs, &persons, out, err);
    store_adj_cache_stats(s, &st);
    if (rc == KNOOP_OK && !out->stopped && st.budget > 0)
        rc = warm_adjacency(s, stop, &hubs, out, err);
    if (rc == KNOOP_OK && !out->stopped && !out->full && st.budget > 0)
        rc = warm_adjacency(s, stop, &persons, out, err);
    graph_ids_free(&hubs);
    graph_ids_free(&persons);
    return rc;
}
