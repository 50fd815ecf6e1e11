/*
 * cmd.h - the command table: method names, parameter specs, flags and handlers
 * (layer: cmd, above graph; used by net).
 *
 * The table is data (redis src/server.c style): dispatch checks that the method exists, its
 * parameters match the spec, and auth and flags allow it, before a handler runs. Handlers are
 * called on a thread-pool thread (or on the loop for CMD_INLINE commands); they read through
 * ctx->snap, write through the graph's single writer, and pack their result with pk.
 */
#ifndef CMD_H
#define CMD_H

#include <msgpack.h>
#include <stdint.h>

#include "graph.h"
#include "proto.h"

enum {
    CMD_READ = 1 << 0,    /* reads the store: runs on a snapshot */
    CMD_WRITE = 1 << 1,   /* changes the store: goes through the single writer */
    CMD_NO_AUTH = 1 << 2, /* allowed before auth when auth is required */
    CMD_INLINE = 1 << 3   /* cheap and store-free: runs on the event loop */
};

/* Server figures shown by server.info, filled in by the network layer. */
typedef struct {
    const char *version;
    int64_t started_ms;
    uint64_t connections;
    uint64_t requests;
    bool auth_required;
    const proto_limits_t *limits;
    uint32_t max_connections, max_inflight, idle_seconds, request_ms;
} cmd_stats_t;

typedef struct {
    store_t *store;
    kv_snapshot_t *snap; /* CMD_READ commands: the snapshot to read; NULL = latest */
    store_txn_t *txn;    /* inside `batch`: the one transaction every change joins; else NULL */
    store_who_t who;     /* actor and, per request, the reason */
    int64_t deadline_ms; /* wall-clock ms after which long work gives up (0 = none) */
    const cmd_stats_t *stats;
} cmd_ctx_t;

/* Returns 0 and packs exactly one result value with pk, or a negative knoop_err_t with err set
 * (then whatever was packed is discarded). */
typedef int (*cmd_handler_fn)(cmd_ctx_t *ctx, const msgpack_object *params, msgpack_packer *pk,
                              knoop_error_t *err);

typedef struct {
    const char *name;
    cmd_handler_fn handler;
    const proto_param_spec_t *params;
    int flags;
} cmd_t;

/* Looks up a method by name (not NUL-terminated). NULL when unknown. */
const cmd_t *cmd_lookup(const char *name, size_t len);

/* The whole table, terminated by an entry with name NULL. */
extern const cmd_t cmd_table[];

/* Checks params against cmd's spec (unknown, missing, wrong type), then runs the handler. */
int cmd_run(const cmd_t *cmd, cmd_ctx_t *ctx, const msgpack_object *params, msgpack_packer *pk,
            knoop_error_t *err);

/* Handlers, by group (cmd_graph.c, cmd_server.c). */
int cmd_ping(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_server_info(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                    knoop_error_t *err);
int cmd_node_create(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                    knoop_error_t *err);
int cmd_node_get(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_node_update(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                    knoop_error_t *err);
int cmd_node_delete(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                    knoop_error_t *err);
int cmd_node_find(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_edge_create(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                    knoop_error_t *err);
int cmd_edge_get(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_edge_end(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_edge_list(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_batch(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_history_list(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err);
/* -- contact administration (cmd_contact.c) -- */
int cmd_contact_register(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                         knoop_error_t *err);
int cmd_contact_get(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                    knoop_error_t *err);
int cmd_contact_list(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err);
int cmd_task_create(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                    knoop_error_t *err);
int cmd_task_get(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_task_done(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_task_open(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_list_create(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                    knoop_error_t *err);
int cmd_list_subscribe(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                       knoop_error_t *err);
int cmd_list_unsubscribe(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                         knoop_error_t *err);
int cmd_list_members(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err);
/* -- end contact administration -- */

/* The VNG domain (cmd_domain.c, cmd_query.c). */
int cmd_domain_init(store_t *s, knoop_error_t *err); /* loads the registry, installs the hooks */
void cmd_domain_shutdown(void);
/* Packs props as the schema would store them (normalised) into out; errors as a write would. */
int cmd_domain_normalise(schema_kind_t kind, const char *type, const msgpack_object *props,
                         msgpack_sbuffer *out, knoop_error_t *err);
int cmd_schema_field_define(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                            knoop_error_t *err);
int cmd_schema_fields(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                      knoop_error_t *err);
int cmd_schema_list_define(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                           knoop_error_t *err);
int cmd_schema_list_add(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                        knoop_error_t *err);
int cmd_schema_list_get(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                        knoop_error_t *err);
int cmd_schema_lists(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err);
int cmd_schema_role_define(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                           knoop_error_t *err);
int cmd_schema_roles(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err);
int cmd_schema_types(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err);
int cmd_node_put(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_edge_put(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_postcode_put(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err);
int cmd_places_sync(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                    knoop_error_t *err);
int cmd_query_places(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err);
int cmd_query_members(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                      knoop_error_t *err);

/* Helpers shared by handler files. */
/* KNOOP_EUNAVAIL once ctx's deadline has passed. */
int cmd_check_deadline(cmd_ctx_t *ctx, knoop_error_t *err);
/* ctx's actor with the request's reason (a `reason` parameter read with cmd_str_param; "" for
 * none). reason is borrowed for the life of the returned value. */
store_who_t cmd_who(const cmd_ctx_t *ctx, const char *reason);
/* Joins ctx's batch transaction, or begins a transaction of its own (writer lock). */
int cmd_txn_begin(cmd_ctx_t *ctx, const store_who_t *who, store_txn_t **t, knoop_error_t *err);
/* Ends what cmd_txn_begin began: commits on rc == 0, aborts otherwise; inside a batch does
 * nothing (the batch decides). Returns the outcome. */
int cmd_txn_end(cmd_ctx_t *ctx, store_txn_t *t, int rc, knoop_error_t *err);
void cmd_pack_cstr(msgpack_packer *pk, const char *s);
void cmd_pack_bool(msgpack_packer *pk, bool v);
/* Resolves a node reference (an id, or a string external key) in parameter `field`. */
int cmd_node_ref(cmd_ctx_t *ctx, const msgpack_object *p, const char *field, uint64_t *id,
                 knoop_error_t *err);
/* Parses an optional date parameter; *present tells whether it was given. */
int cmd_date_param(const msgpack_object *p, const char *field, schema_date_t *out, bool *present,
                   knoop_error_t *err);
/* Reads an optional string parameter into a NUL-terminated copy in buf (size bufsz). */
int cmd_str_param(const msgpack_object *p, const char *field, char *buf, size_t bufsz,
                  bool *present, knoop_error_t *err);

#endif
