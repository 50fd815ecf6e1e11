/*
 * graph.h - the temporal graph: nodes with properties and kinds, time-bounded edges with
 * adjacency in both directions, secondary indexes and history (layer: graph, above store).
 *
 * Every write is one store transaction: the record, its indexes and a history entry commit
 * together, or nothing does. Reads take a snapshot (NULL = latest state).
 *
 * Properties are a msgpack map with string keys. Two property names have a meaning here:
 *   "name"                          indexed normalised (case, diacritics and punctuation
 *                                   folded) for graph_node_find by name;
 *   "key", "cbs_code", "kvk", "oin" unique external keys (strings): one value names at most one
 *                                   node across all of them; a duplicate is KNOOP_ECONFLICT.
 */
#ifndef GRAPH_H
#define GRAPH_H

#include <msgpack.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "knoop_alloc.h"
#include "knoop_err.h"
#include "knoop_limits.h"
#include "schema.h"
#include "store.h"

/* The property names whose string values are unique external keys. NULL-terminated. */
extern const char *const graph_key_fields[];

typedef struct {
    uint64_t id;
    schema_kind_t kind;
    char type[KNOOP_MAX_NAME_BYTES + 1]; /* "" when untyped */
    const char *props;                   /* packed msgpack map, owned (graph_node_clear) */
    size_t props_len;
    uint64_t version; /* 1 on create, +1 on each update */
    int64_t created_ms, updated_ms;
    void *buf_;
} graph_node_t;

typedef struct {
    uint64_t id;
    char type[KNOOP_MAX_NAME_BYTES + 1];
    uint64_t source, target;
    schema_date_t valid_from, valid_to; /* [from, to); to = SCHEMA_DATE_OPEN when open */
    uint64_t on_behalf_of;              /* 0 = none */
    const char *props;                  /* packed msgpack map, owned (graph_edge_clear) */
    size_t props_len;
    uint64_t version;
    int64_t created_ms, updated_ms;
    void *buf_;
} graph_edge_t;

/* A growable list of ids (the edges of cascades, the nodes a read returned ...). Free with
 * graph_ids_free. */
typedef struct {
    uint64_t *ids;
    size_t n, cap;
} graph_ids_t;
void graph_ids_free(graph_ids_t *l);
/* Appends id to l. KNOOP_ENOMEM when out of memory. */
int graph_ids_push(graph_ids_t *l, uint64_t id);
/* Sorts l by id and drops duplicates (no allocation). */
void graph_ids_sort_unique(graph_ids_t *l);
/* Whether the sorted list l (graph_ids_sort_unique) holds id. */
bool graph_ids_has(const graph_ids_t *l, uint64_t id);

void graph_node_clear(graph_node_t *n);
void graph_edge_clear(graph_edge_t *e);
/* Copies node src into *dst (its own props; free with graph_node_clear). KNOOP_ENOMEM (dst
 * zeroed) when out of memory. */
int graph_node_copy(graph_node_t *dst, const graph_node_t *src);

/*
 * Creates a node of kind, with type (NULL or "" = untyped) and props (a msgpack map object or
 * NULL). On success *out holds the stored node (free with graph_node_clear).
 * Errors: KNOOP_EINVAL (bad type or props), KNOOP_ECONFLICT (external key taken).
 */
int graph_node_create(store_t *s, const store_who_t *who, schema_kind_t kind, const char *type,
                      const msgpack_object *props, graph_node_t *out, knoop_error_t *err);

/* Reads node id. KNOOP_ENOTFOUND when absent. */
int graph_node_get(store_t *s, const store_view_t *view, uint64_t id, graph_node_t *out,
                   knoop_error_t *err);

/*
 * The kind node id was created with. A node's kind never changes, so it is kept in the store's
 * tag map once read through a committed view and then answered without a read; this does not
 * say whether the node still exists in view: use it for ids that an edge or adjacency entry of
 * view names. KNOOP_ENOTFOUND when id is not known and not a node in view; KNOOP_ECORRUPT for a
 * malformed record.
 */
int graph_node_kind(store_t *s, const store_view_t *view, uint64_t id, schema_kind_t *kind,
                    knoop_error_t *err);

/*
 * Fills the caches a question reads, for the start of a server (graph_warm.c): learns the kind of
 * every node (one scan of the node records, which also fills RocksDB's block cache with them),
 * then builds the adjacency of every organisation, body and project and after them of every
 * person into the adjacency cache, until it holds 3/4 of its budget (it never evicts what
 * questions put there). Stops early, with KNOOP_OK, once *stop is true. Reads through
 * snapshots; writes may go on meanwhile. Thread: any, one at a time. Errors: store errors,
 * KNOOP_ENOMEM, KNOOP_ECORRUPT for a malformed record.
 */
typedef struct {
    uint64_t nodes;     /* node records scanned */
    uint64_t adjacency; /* adjacencies built or found in the cache (none for a node too large
                         * for it) */
    bool full;          /* stopped at the cache's limit */
    bool stopped;       /* stopped by *stop */
} graph_warm_stats_t;
int graph_warm(store_t *s, const atomic_bool *stop, graph_warm_stats_t *out, knoop_error_t *err);

/*
 * Updates node id: properties in `set` (a map) are added or replaced, names in `unset` (an
 * array of strings) removed; a property both set and unset is KNOOP_EINVAL. With
 * if_version != 0 the update is refused with KNOOP_ECONFLICT unless the stored version equals
 * it. *out gets the node after the update (may be NULL).
 */
int graph_node_update(store_t *s, const store_who_t *who, uint64_t id, const msgpack_object *set,
                      const msgpack_object *unset, uint64_t if_version, graph_node_t *out,
                      knoop_error_t *err);

/*
 * Deletes node id. While edges still reference it the delete is refused with KNOOP_ECONFLICT,
 * unless cascade: then those edges, and every edge held on behalf of them (transitively), are
 * deleted in the same atomic write and their ids appended to *deleted (may be NULL).
 */
int graph_node_delete(store_t *s, const store_who_t *who, uint64_t id, bool cascade,
                      graph_ids_t *deleted, knoop_error_t *err);

/* Finds the node whose external key is value. KNOOP_ENOTFOUND when none. */
int graph_node_by_key(store_t *s, const store_view_t *view, const char *value, size_t len,
                      uint64_t *id, knoop_error_t *err);

/*
 * Lists node ids: with name, those whose normalised "name" starts with the normalised name
 * (ordered by normalised name); else with kind and type, those nodes ordered by id; with kind
 * alone, ordered by type, then id; with type alone, ordered by kind, then id; with neither,
 * every node by id. At most limit ids; *more tells whether there
 * were more. kind 0 = any; type NULL = any.
 */
int graph_node_find(store_t *s, const store_view_t *view, int kind, const char *type,
                    const char *name, size_t limit, graph_ids_t *out, bool *more,
                    knoop_error_t *err);

/*
 * Creates an edge of type from source to target, valid [from, to) (to = SCHEMA_DATE_OPEN for an
 * open end), optionally held on behalf of edge on_behalf_of (0 = none).
 * Errors: KNOOP_EINVAL (to before from, bad type or props), KNOOP_ENOTFOUND (source, target or
 * on_behalf_of does not exist).
 */
int graph_edge_create(store_t *s, const store_who_t *who, const char *type, uint64_t source,
                      uint64_t target, schema_date_t from, schema_date_t to,
                      const msgpack_object *props, uint64_t on_behalf_of, graph_edge_t *out,
                      knoop_error_t *err);

int graph_edge_get(store_t *s, const store_view_t *view, uint64_t id, graph_edge_t *out,
                   knoop_error_t *err);

/*
 * Ends edge id on date `on` (sets valid_to = on). Every edge held on its behalf, transitively,
 * that is still valid on `on` ends too, on the same date (or on its own start date when it
 * starts later), in the same atomic write. The ids of all ended edges, the given one first, are
 * appended to *ended. Errors: KNOOP_ENOTFOUND; KNOOP_EINVAL when on is before valid_from;
 * KNOOP_ECONFLICT when the edge already ended on or before `on`.
 */
int graph_edge_end(store_t *s, const store_who_t *who, uint64_t id, schema_date_t on,
                   graph_ids_t *ended, knoop_error_t *err);

/*
 * The same changes inside an open transaction t (store_txn_begin): nothing is committed, reads
 * see t's earlier writes, and the caller commits or aborts t, so that many changes become one
 * atomic write. On error t must be aborted (its batch may hold part of the change). Results and
 * errors as the functions above; *out is filled before the commit.
 */
int graph_node_create_tx(store_txn_t *t, schema_kind_t kind, const char *type,
                         const msgpack_object *props, graph_node_t *out, knoop_error_t *err);
int graph_node_update_tx(store_txn_t *t, uint64_t id, const msgpack_object *set,
                         const msgpack_object *unset, uint64_t if_version, graph_node_t *out,
                         knoop_error_t *err);
int graph_node_delete_tx(store_txn_t *t, uint64_t id, bool cascade, graph_ids_t *deleted,
                         knoop_error_t *err);
/* graph_node_delete_tx with cascade, for an AVG erasure: the node hook sees GRAPH_OP_ERASE. */
int graph_node_erase_tx(store_txn_t *t, uint64_t id, graph_ids_t *deleted, knoop_error_t *err);
int graph_edge_create_tx(store_txn_t *t, const char *type, uint64_t source, uint64_t target,
                         schema_date_t from, schema_date_t to, const msgpack_object *props,
                         uint64_t on_behalf_of, graph_edge_t *out, knoop_error_t *err);
int graph_edge_end_tx(store_txn_t *t, uint64_t id, schema_date_t on, graph_ids_t *ended,
                      knoop_error_t *err);

/*
 * Corrects edge id inside t: properties in `set` (a map; nil removes) are added or replaced,
 * names in `unset` removed; *from / *to (NULL = keep) replace valid_from / valid_to
 * (SCHEMA_DATE_OPEN reopens the edge). The result passes the edge hook as a new edge would
 * (attributes, role rules with the edge itself left out). When valid_to changes, the ends it
 * caused move with it, transitively through the on-behalf-of tree: an edge held on its behalf
 * that ended with it (its valid_to equals the old end, or its own start when it started later)
 * ends on the new date instead, and one still running past an earlier new end ends on it; the
 * ids of those edges are appended to *moved (may be NULL). Nothing is written when the
 * correction changes nothing (*changed false). *out (may be NULL) gets the edge afterwards.
 * Errors: KNOOP_ENOTFOUND, KNOOP_EINVAL (valid_to before valid_from, bad props), the hook's.
 */
int graph_edge_update_tx(store_txn_t *t, uint64_t id, const msgpack_object *set,
                         const msgpack_object *unset, const schema_date_t *from,
                         const schema_date_t *to, graph_ids_t *moved, bool *changed,
                         graph_edge_t *out, knoop_error_t *err);

/*
 * Validation hooks: the domain layer (schema rules) plugs in here without the graph knowing
 * what a gemeente is. Called inside the writer's transaction, before anything is written, with
 * that transaction's read view (reads through it see the transaction's earlier writes):
 *  - node: op create (old NULL), update (old = the stored node, props = the merged new map) or
 *    delete (props NULL). It may pack a normalised replacement of props into *out (a map);
 *    leaving *out empty keeps props as they are.
 *  - edge: on create and on update (graph_edge_update_tx), with both end nodes read; e is the
 *    edge as it would be stored (type, source, target, valid_from, valid_to, on_behalf_of;
 *    id 0 on create, the edge's own id on update, so that rules over other edges can leave it
 *    out). May pack normalised props into *out.
 * A nonzero return refuses the change with err set. Process-wide; NULL clears.
 */
/* GRAPH_OP_ERASE: a deletion for an AVG erasure (graph_node_erase_tx), which rules that forbid
 * deleting a node (an immutable klantcontact) may allow. */
typedef enum { GRAPH_OP_CREATE = 1, GRAPH_OP_UPDATE, GRAPH_OP_DELETE, GRAPH_OP_ERASE } graph_op_t;
typedef struct {
    int (*node)(void *arg, const store_view_t *view, graph_op_t op, const graph_node_t *old,
                schema_kind_t kind, const char *type, const msgpack_object *props, knoop_buf_t *out,
                knoop_error_t *err);
    int (*edge)(void *arg, const store_view_t *view, const graph_edge_t *e,
                const graph_node_t *source, const graph_node_t *target, const msgpack_object *props,
                knoop_buf_t *out, knoop_error_t *err);
    void *arg;
} graph_hooks_t;
void graph_set_hooks(const graph_hooks_t *h);

/* Directions for adjacency scans. */
typedef enum { GRAPH_OUT = 1, GRAPH_IN = 2, GRAPH_BOTH = 3 } graph_dir_t;

/* Time filters: every edge, edges valid at one date, edges overlapping [from, to). */
typedef enum { GRAPH_TIME_ALL = 0, GRAPH_TIME_AT, GRAPH_TIME_OVERLAP } graph_time_t;

typedef struct {
    graph_dir_t dir;
    const char *type; /* NULL = every type */
    graph_time_t time;
    schema_date_t at;       /* GRAPH_TIME_AT */
    schema_date_t from, to; /* GRAPH_TIME_OVERLAP: [from, to), to may be SCHEMA_DATE_OPEN */
} graph_filter_t;

/* One adjacency entry, as scanned. type points into scan memory (valid during the callback). */
typedef struct {
    uint64_t node, other, edge;
    graph_dir_t dir; /* GRAPH_OUT or GRAPH_IN, seen from node */
    const char *type;
    size_t type_len;
    schema_date_t valid_from, valid_to;
} graph_adj_t;

/* Called per matching entry; return nonzero to stop the scan (not an error). */
typedef int (*graph_adj_cb)(void *arg, const graph_adj_t *a);

/*
 * Scans the adjacency of node with filter f (NULL = every edge, both directions), reading only
 * adjacency entries (no edge records). Out-edges come before in-edges; within a direction,
 * entries are ordered by type, then other node, then edge id.
 */
int graph_adj_scan(store_t *s, const store_view_t *view, uint64_t node, const graph_filter_t *f,
                   graph_adj_cb cb, void *arg, knoop_error_t *err);

/*
 * True when a scan of node's adjacency costs no I/O and at most max entries now: its adjacency
 * is in the cache with at most max entries (both directions). A cost estimate for the
 * dispatcher (a write may change it before the scan, which stays exact). Thread: any.
 */
bool graph_adj_small(store_t *s, uint64_t node, size_t max);

/*
 * Scans every adjacency entry of direction dir (GRAPH_OUT or GRAPH_IN) of the whole store in key
 * order: by node, then type, then other node, then edge id. For checks over all edges (role
 * rules); gives up with KNOOP_EUNAVAIL once wall-clock deadline_ms (0 = none) has passed.
 */
int graph_adj_scan_all(store_t *s, const store_view_t *view, graph_dir_t dir, int64_t deadline_ms,
                       graph_adj_cb cb, void *arg, knoop_error_t *err);

/* True when [from, to) satisfies filter f's time condition. */
bool graph_time_match(const graph_filter_t *f, schema_date_t from, schema_date_t to);

/*
 * Packs a node / edge as the API shows it (a msgpack map): node {id, kind, type, props,
 * version, created, updated}; edge {id, type, source, target, valid_from, valid_to,
 * on_behalf_of, props, version, created, updated}. Dates are "YYYY-MM-DD" strings, an open
 * valid_to and an absent on_behalf_of are nil, timestamps are RFC 3339 UTC strings.
 */
void graph_node_pack(msgpack_packer *pk, const graph_node_t *n);
void graph_edge_pack(msgpack_packer *pk, const graph_edge_t *e);

/* Formats a timestamp (ms since the epoch) as RFC 3339 UTC into buf (at least 32 bytes). */
char *graph_format_ts(int64_t ms, char *buf);

/*
 * Woonplaatsen (place names) of the BAG, as places.sync records them in the store (store_int.h:
 * 'w' and 'W' keys). A place is valid [from, to); to = SCHEMA_DATE_OPEN while it exists.
 */
typedef struct {
    uint32_t code; /* BAG woonplaatscode */
    char name[128];
    char gemeente[8]; /* CBS code "GM0034" */
    schema_date_t from, to;
} graph_place_t;

/* Decodes a stored place record (the value of its 'w' key) with BAG code code into *pl.
 * KNOOP_ECORRUPT when it is not a map, KNOOP_ENOMEM. */
int graph_place_decode(uint32_t code, const void *val, size_t len, graph_place_t *pl);

/* Packs a place as the API shows it: {code, name, gemeente, valid_from, valid_to (nil: open)}. */
void graph_place_pack(msgpack_packer *pk, const graph_place_t *pl);

/* Called per place; return nonzero to stop (not an error). */
typedef int (*graph_place_cb)(void *arg, const graph_place_t *p);

/*
 * Calls cb for every place ever recorded for the gemeente with CBS code gemeente (len bytes),
 * ordered by code, reading through view, each with its period at that gemeente: a place that
 * moved to another gemeente is passed with the period it had here (valid_to = the move).
 * Errors: KNOOP_ENOMEM, KNOOP_ECORRUPT, store errors.
 */
int graph_places_of(store_t *s, const store_view_t *view, const char *gemeente, size_t len,
                    graph_place_cb cb, void *arg, knoop_error_t *err);

/*
 * The consistency checker (graph_check.c). graph_check reads the whole store through one read
 * view (view; NULL = a snapshot it takes and releases itself) and verifies that the derived
 * data agrees with the node and edge records, as store_int.h lists: both adjacency entries of
 * every edge with the edge's valid_from/valid_to, and no adjacency entry without its edge; both
 * ends of every edge exist as nodes; the name ('n'), unique external key ('k'), kind/type ('t')
 * and on-behalf-of ('b') index entries match the records both ways (and a base edge exists);
 * every node and edge has history and the latest entry's `after` has its id and version, while
 * an id in history without a record ends with a delete; records decode; meta "next_id" exceeds
 * every id and meta "seq" equals the highest seq in history; the version family decodes and
 * agrees with meta "seq" (store_ver_check). The auxiliary tables ('p', 'w', 'W') are counted,
 * not checked.
 *
 * Each mismatch is passed to cb (may be NULL) as it is found, by column family and key: key is
 * the raw key (the key that is wrong, or the key that is missing), key_text a decoded form of
 * it ("12 o wethouder 34 56" for adjacency, "k \"GM0034\"" for an index entry, hex when the
 * key does not decode), problem what is wrong. All three are valid during the call only. One
 * corruption may be reported more than once (from both sides). cb runs on the calling thread and
 * must not call back into the store.
 *
 * Memory is bounded by three sets of ids (nodes, edges, ids with history), not by the size of
 * the store: every family is streamed once, with point reads for the other side.
 *
 * *out gets the counts and the digest (store_digest of the same view). Returns KNOOP_OK when
 * the check ran to the end, whatever it found (out->mismatches says), or a negative error with
 * err set: KNOOP_ENOMEM, KNOOP_EIO, KNOOP_EUNAVAIL once wall-clock deadline_ms (ms since the
 * epoch, 0 = none) has passed. Thread: any; it only reads, so writers go on meanwhile.
 */
typedef struct {
    uint64_t nodes, edges; /* records */
    uint64_t adj;          /* adjacency entries */
    uint64_t index;        /* entries of the idx family (auxiliary tables included) */
    uint64_t hist;         /* history entries */
    uint64_t mismatches;   /* everything reported to cb */
    char digest[17];       /* store_digest of the view: 16 hex digits */
} graph_check_result_t;

typedef struct {
    kv_cf_t cf;
    const unsigned char *key;
    size_t klen;
    const char *key_text;
    const char *problem;
} graph_mismatch_t;

typedef void (*graph_check_cb)(void *arg, const graph_mismatch_t *m);

int graph_check(store_t *s, const store_view_t *view, int64_t deadline_ms, graph_check_cb cb,
                void *arg, graph_check_result_t *out, knoop_error_t *err);

#endif
