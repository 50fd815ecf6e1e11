/*
 * graph_int.h - helpers shared by the graph module's files (layer: graph, internal).
 */
#ifndef GRAPH_INT_H
#define GRAPH_INT_H

#include "graph.h"

/* The hooks in force (graph_set_hooks). */
extern graph_hooks_t graph__hooks;

/*
 * Runs the node hook; when it packs a replacement, unpacks it into zone and points *props at it
 * (the replacement lives in *repl, which the caller destroys). Returns 0 or the hook's error.
 */
int graph__hook_node(const store_view_t *view, graph_op_t op, const graph_node_t *old,
                     schema_kind_t kind, const char *type, const msgpack_object **props,
                     msgpack_zone *zone, knoop_buf_t *repl, knoop_error_t *err);

/* Commits t when rc is KNOOP_OK, else aborts it; returns the outcome. t is freed either way. */
int graph__finish(store_txn_t *t, int rc, knoop_error_t *err);

/* Record encoding (layout in server/store/store_int.h). The buffer is malloc'd. */
int graph__node_encode(const graph_node_t *n, const char *props, size_t props_len,
                       unsigned char **out, size_t *out_len);
int graph__node_decode(uint64_t id, const void *val, size_t len, graph_node_t *out,
                       knoop_error_t *err);
int graph__edge_encode(const graph_edge_t *e, const char *props, size_t props_len,
                       unsigned char **out, size_t *out_len);
int graph__edge_decode(uint64_t id, const void *val, size_t len, graph_edge_t *out,
                       knoop_error_t *err);

/* The kind in node record val (len bytes); false when the record is malformed. */
bool graph__record_kind(const void *val, size_t len, schema_kind_t *kind);
/* Reads and decodes a node / edge record by id (latest state when view is NULL). */
int graph__node_read(store_t *s, const store_view_t *view, uint64_t id, graph_node_t *out,
                     knoop_error_t *err);
int graph__edge_read(store_t *s, const store_view_t *view, uint64_t id, graph_edge_t *out,
                     knoop_error_t *err);

/* Packs n / e as a standalone msgpack buffer (for history). malloc'd; NULL when out of memory. */
char *graph__node_packed(const graph_node_t *n, size_t *len);
char *graph__edge_packed(const graph_edge_t *e, size_t *len);

/* Checks a props map: string keys that are valid names, no duplicates, "name" and key fields
 * of the right type. `field` prefixes error messages ("params.props"). NULL props is fine. */
int graph__props_check(const msgpack_object *props, const char *field, knoop_error_t *err);

/*
 * The properties after an update: old's entries that `set` does not name and `unset` does not
 * list, then set's entries whose value is not nil (nil removes). *out points into *kvs, an array
 * the caller frees with knoop_free (also on error). set and unset may be NULL. KNOOP_ENOMEM.
 */
int graph__props_merge(const msgpack_object *old, const msgpack_object *set,
                       const msgpack_object *unset, msgpack_object_kv **kvs, msgpack_object *out);

/* Finds a string-valued property. Returns false when absent or not a string. */
bool graph__props_str(const msgpack_object *props, const char *name, const char **s, size_t *len);

/* Unpacks a stored props map into zone. An empty buffer is an empty map. KNOOP_ECORRUPT when it
 * is not a map. */
int graph__props_unpack(const char *props, size_t len, msgpack_zone *zone, msgpack_object *out);
/* True when arr (an array, may be NULL) holds the string k. */
bool graph__str_in_array(const msgpack_object *arr, const char *k, size_t kl);
/* The value of string key k in map (may be NULL), or NULL. */
const msgpack_object *graph__map_get(const msgpack_object *map, const char *k, size_t kl);
/* Checks an unset list: an array of property-name strings, none also in set. */
int graph__unset_check(const msgpack_object *unset, const msgpack_object *set, knoop_error_t *err);

/* A set of u64 (open addressing). */
typedef struct {
    uint64_t *slots;
    size_t cap, n;
} graph__idset_t;
int graph__idset_add(graph__idset_t *set, uint64_t id); /* 1 added, 0 present, <0 error */
bool graph__idset_has(const graph__idset_t *set, uint64_t id);
void graph__idset_free(graph__idset_t *set);

/* Computes the smallest key greater than every key with prefix p[0..len) into p (in place).
 * Returns false when no such key exists (all bytes 0xff). */
bool graph__prefix_successor(unsigned char *p, size_t len);

/* Adds / removes the index entries of a node (name, external keys, kind/type). */
int graph__node_index(store_txn_t *t, const graph_node_t *n, const msgpack_object *props, bool add);

/*
 * Deletes, inside transaction t, every edge in set and every edge held on behalf of them
 * (transitively; set grows), with adjacency, indexes and history. Deleted ids are appended to
 * order in the order they were deleted.
 */
int graph__edge_delete_closure(store_txn_t *t, graph__idset_t *set, graph_ids_t *order,
                               knoop_error_t *err);

#endif
