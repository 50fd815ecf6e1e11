/*
 * cmd.h - the command table: method names, parameter specs, flags and handlers
 * (layer: cmd, above graph; used by net).
 *
 * The table is data (redis src/server.c style): dispatch checks that the method exists, its
 * parameters match the spec, and auth and flags allow it, before a handler runs. Handlers are
 * called on a thread-pool thread (or on the loop for CMD_INLINE commands).
 *
 * One write path: cmd_run, the dispatcher, opens the transaction of every CMD_WRITE method
 * (with the request's actor and its `reason` parameter), passes it in ctx->txn, and commits it
 * when the handler succeeds or aborts it when it fails. Handlers never begin, commit or abort a
 * transaction and never take the writer lock; they read through ctx->view (a snapshot for
 * CMD_READ methods, the transaction's read-your-writes view for CMD_WRITE methods) and write
 * through ctx->txn. `batch` runs its operations inside its own (the dispatcher's) transaction.
 */
#ifndef CMD_H
#define CMD_H

#include <msgpack.h>
#include <stdint.h>
#include <stdio.h>

#include "graph.h"
#include "proto.h"

enum {
    CMD_READ = 1 << 0,    /* reads the store: runs on a snapshot */
    CMD_WRITE = 1 << 1,   /* changes the store: goes through the single writer */
    CMD_NO_AUTH = 1 << 2, /* allowed before auth when auth is required */
    CMD_INLINE = 1 << 3,  /* cheap and store-free: runs on the event loop */
    CMD_FAST = 1 << 4,    /* a point read on a snapshot: runs on the event loop, no hand-off */
    /* A read whose answer never holds personal data (schema, users, the audit trail itself):
     * the dispatcher does not look for persons in it (cmd_run). */
    CMD_NO_PERSONS = 1 << 5,
    CMD_ASOF = 1 << 6 /* a read that takes known_at: the dispatcher gives it a view of the
                         store as recorded then (store_snapshot_known_at) */
};

/*
 * Roles. Every method in the table names the one role it needs (CMD_ROLE_NONE: anyone, even
 * before auth: ping and auth). A user has one role, which grants a set of them
 * (cmd_role_grants): reader {reader}, editor {reader, editor}, admin {reader, editor, admin},
 * privacy {reader, privacy} -- erasure and the audit trail are kept apart from administration.
 * A connection on the Unix socket (or on loopback with --trust-loopback) is the local operator
 * "local" with every role; the shared --auth-token-file token is an admin.
 */
enum {
    CMD_ROLE_NONE = 0,
    CMD_ROLE_READER = 1 << 0,
    CMD_ROLE_EDITOR = 1 << 1,
    CMD_ROLE_ADMIN = 1 << 2,
    CMD_ROLE_PRIVACY = 1 << 3,
    CMD_ROLE_ALL = 0xf
};

/* Longest user name, in bytes (letters, digits, '.', '_', '-'). */
#define CMD_USER_NAME_MAX 64

/* Longest purpose (of a read, or declared for a connection), in bytes. */
#define CMD_PURPOSE_MAX 256

/* Who a connection is after auth: the user name (the history's actor) and the roles granted,
 * and the purpose it declared for its reads (auth {purpose} or session.purpose; "" = none). */
typedef struct {
    char user[CMD_USER_NAME_MAX + 1];
    unsigned roles;
    char purpose[CMD_PURPOSE_MAX + 1];
} cmd_identity_t;

/* The roles a user's role name grants (0 when the name is not a role). */
unsigned cmd_role_grants(const char *role);
/* The name of one role bit ("reader" ...), or "anyone" for CMD_ROLE_NONE. Static. */
const char *cmd_role_name(unsigned role);

/* Server figures shown by server.info, filled in by the network layer. */
typedef struct {
    const char *version;
    int64_t started_ms;
    uint64_t connections;
    uint64_t requests;
    bool auth_required;
    const proto_limits_t *limits;
    uint32_t max_connections, max_inflight, idle_seconds, request_ms;
    /* Memory of the request path, filled in when server.info runs (on the loop). */
    uint64_t recv_buffer_bytes; /* receive buffers of all connections (allocated) */
    uint64_t output_bytes;      /* unsent answers, all connections */
    uint64_t queued_bytes;      /* requests waiting for or in a worker */
    uint64_t requests_waiting;  /* requests waiting for a worker */
    uint64_t requests_running;  /* requests in workers */
    /* Requests tried on the event loop (cmd_t.try_on_loop), and those of them that gave up there
     * and went to a worker (the loop budget, loop_try_us, ran out). */
    uint64_t loop_tries, loop_tries_moved;
    uint32_t loop_try_us;
    /* The caches' warm-up after the start (graph_warm): "off", "running", "done", "stopped"
     * (by shutdown) or "failed". Static strings. */
    const char *warm_up;
} cmd_stats_t;

typedef struct {
    store_t *store;
    const store_view_t *view; /* what reads see: a snapshot, or the transaction's view */
    store_txn_t *txn;         /* CMD_WRITE methods: the dispatcher's transaction; else NULL */
    store_who_t who;          /* the request's actor (reason: set by the dispatcher) */
    bool in_batch;            /* running as an operation of `batch` */
    /* Set by a handler whose in-memory effects must be undone when its transaction does not
     * commit (the schema registry); the dispatcher calls it after the abort. */
    void (*on_abort)(void *arg);
    void *on_abort_arg;
    int64_t deadline_ms; /* wall-clock ms after which long work gives up (0 = none) */
    /* A request being tried on the event loop (cmd_t.try_on_loop): CLOCK_MONOTONIC ns after which
     * its handler gives up with KNOOP_ELONG, having packed and written nothing, so that the
     * dispatcher runs it again on a worker. 0 = not being tried (run to the end). */
    int64_t loop_until_ns;
    const cmd_stats_t *stats;
    unsigned roles; /* the caller's roles (CMD_ROLE_*): cmd_run refuses a method needing others */
    /* auth only: the shared --auth-token-file token (NULL = none), and where auth puts the
     * identity it established (the network layer applies it to the connection). */
    const char *shared_token;
    cmd_identity_t *auth_out;
    /* The purpose the connection declared (NULL = none); a read's own `purpose` parameter
     * takes precedence. Borrowed. */
    const char *purpose;
    /* session.purpose only: where the handler puts the connection's new identity (the network
     * layer applies it); NULL outside a connection. */
    cmd_identity_t *session_out;
    /* Persons (and klantcontacten) whose data a read returned (cmd_audit_note, and the
     * dispatcher's own look at the answer); cmd_run records them as one audit entry when the
     * read succeeds, fails the read when it cannot, and frees the list. */
    graph_ids_t audit;
    int audit_rc;      /* KNOOP_ENOMEM when a note could not be kept: the read fails */
    bool reason_given; /* the dispatcher's transaction has a reason (checked inside `batch`) */
    /* Set by privacy.erase/anonymise: ids whose old values must leave the disk once the
     * transaction has committed (store_purge); cmd_run does it and frees the list. */
    graph_ids_t purge;
} cmd_ctx_t;

/* Notes that the current read returns personal data of person id (for the audit trail). The
 * dispatcher also finds every person and klantcontact packed in a read's answer by itself
 * (cmd_run); a handler notes what the answer does not show (a deleted person's history). */
void cmd_audit_note(cmd_ctx_t *ctx, uint64_t id);

/*
 * Server policy (set on the main thread before serving, read by every dispatch): the methods
 * that need a `reason` (knoopd --require-reason). cmd_require_reason marks one method by name;
 * KNOOP_EINVAL naming it when it is no method. cmd_policy_reset clears the policy (tests).
 */
int cmd_require_reason(const char *method, knoop_error_t *err);
void cmd_policy_reset(void);

/* session.purpose {purpose}: declares the purpose of this connection's later reads ("" clears
 * it); packs {purpose}. */
int cmd_session_purpose(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                        knoop_error_t *err);

/* Returns 0 and packs exactly one result value with pk, or a negative knoop_err_t with err set
 * (then whatever was packed is discarded). */
typedef int (*cmd_handler_fn)(cmd_ctx_t *ctx, const msgpack_object *params, msgpack_packer *pk,
                              knoop_error_t *err);

typedef struct {
    const char *name;
    cmd_handler_fn handler;
    const proto_param_spec_t *params;
    int flags;
    unsigned role; /* the role the method needs (one CMD_ROLE_* bit, or CMD_ROLE_NONE) */
    /*
     * Methods whose requests are often short (NULL for the rest): true when this request, as
     * its params and the caches say without I/O, may well be short. Such a request is tried on
     * the event loop only while no request runs in or waits for a worker (one per loop
     * iteration), for at most the server's loop budget (cmd_ctx_t.loop_until_ns); a handler
     * that gives up with KNOOP_ELONG is run again on a worker. Under load they go to the
     * workers, which use every core. Called before the params are checked against the spec (it
     * must accept anything), on the loop.
     */
    bool (*try_on_loop)(store_t *s, const msgpack_object *params);
} cmd_t;

/* Looks up a method by name (not NUL-terminated). NULL when unknown. */
const cmd_t *cmd_lookup(const char *name, size_t len);

/* The whole table, terminated by an entry with name NULL. */
extern const cmd_t cmd_table[];

/*
 * The dispatcher: refuses with KNOOP_EPERM (permission_denied, naming the role needed) a method
 * whose role ctx->roles lacks, checks params against cmd's spec (unknown, missing, wrong type),
 * then runs the handler. For a CMD_WRITE method it begins the transaction (unless ctx->txn is
 * already set, as inside `batch`), commits it when the handler returns 0 and aborts it otherwise;
 * for a CMD_READ method without ctx->view it reads a fresh snapshot. ctx->store, ctx->who.actor and
 * ctx->deadline_ms are the caller's. Returns 0 with exactly one result value packed with pk, or a
 * negative knoop_err_t with err set (then whatever was packed must be discarded, and nothing was
 * written). pk writes into a knoop_buf_t (knoop_buf_packer): a write method whose result could not
 * be packed completely is aborted with KNOOP_ENOMEM, so a change is never committed without its
 * answer. Thread: a worker thread (the call may block on the writer lock and on fsync).
 */
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
/* edge.list's try_on_loop: a node given by id, no known_at, and its adjacency cached
 * with at most KNOOP_INLINE_LIST_EDGES entries. */
bool cmd_edge_list_try(store_t *s, const msgpack_object *p);
/* query.path's try_on_loop: k absent or 1 and no known_at. */
bool cmd_query_path_try(store_t *s, const msgpack_object *p);
int cmd_edge_end(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
/* edge.update: corrects a role's attributes and period (graph_edge_update_tx); packs
 * {edge, changed, moved: [edges whose end moved with it]}. */
int cmd_edge_update(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                    knoop_error_t *err);
/* KNOOP_ECONFLICT (naming `what`) when edge id belongs to a klantcontact: such edges change only
 * through contact.* and task.*. KNOOP_ENOTFOUND when it does not exist. */
int cmd_edge_guard(cmd_ctx_t *ctx, const char *what, uint64_t id, knoop_error_t *err);
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

/*
 * Users, tokens and auth (cmd_user.c). Users live in the meta column family (store_int.h):
 * passwords as Argon2id hashes (libsodium crypto_pwhash_str), API tokens as SHA-256 hashes only.
 * cmd_auth checks {user, password} or {token} and fills ctx->auth_out; a password check costs
 * about one Argon2id hash (tens of ms), so auth runs on a worker thread, never on the loop.
 */
int cmd_auth(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_user_add(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_user_list(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_user_remove(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                    knoop_error_t *err);
int cmd_user_passwd(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                    knoop_error_t *err);
int cmd_user_token(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_user_revoke(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                    knoop_error_t *err);

/*
 * First start: when the store holds no user, creates the user "admin" (role admin) with the
 * password in the environment variable KNOOP_ADMIN_PASSWORD (at least 12 bytes; the variable is
 * then removed from the environment) or else a random one written to DIR/admin-password (mode
 * 0600). *created tells whether it did; path gets where the password is ("" when it came from
 * the environment). Returns 0 or a negative knoop_err_t. Thread: the main thread, before serving.
 */
int cmd_user_bootstrap(store_t *s, const char *dir, bool *created, char *path, size_t pathsz,
                       knoop_error_t *err);

/*
 * The audit trail (cmd_audit.c, role privacy): audit.list {from?, to?, user?, id?, kind?,
 * after?, limit?} and audit.verify {} over the store's hash chain (store.h).
 */
int cmd_audit_list(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_audit_verify(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err);

/* Whether n is a klantcontact; if so *ms gets its instant (ms since the epoch), its
 * plaatsgevondenOp, or 0 when that cannot be read (cmd_contact.c). */
bool cmd_contact_time_ms(const graph_node_t *n, int64_t *ms);

/*
 * The tombstone check of node.create, node.put and node.update: every external key among props
 * (graph_key_fields) that belonged to an erased person (store_tomb_find) is KNOOP_ECONFLICT,
 * unless params.override is true, which needs the role admin (KNOOP_EPERM otherwise) and removes
 * the tombstone in ctx->txn. props may be NULL.
 */
int cmd_tomb_check(cmd_ctx_t *ctx, const msgpack_object *p, const msgpack_object *props,
                   knoop_error_t *err);

/*
 * AVG (cmd_privacy.c, role privacy): privacy.erase {id, reason} removes a person, its edges
 * (cascade) and the personal data in their history (entries stay, marked erased); then the old
 * values are compacted out of the files, and the person's external keys stay as tombstones
 * (store_txn_tomb_add). privacy.anonymise {id, reason} replaces the person's properties by a
 * pseudonym, keeps its edges, and erases its history the same way. privacy.export {id} returns
 * everything held about a person (audited as a read). privacy.retention {kind: "contact",
 * older_than_days | older_than, dry_run?} erases the klantcontacten older than that the same
 * way, and records each run as one history entry of the retention table
 * (store_hist_id('r', 1)) naming the rule, the cut-off and the count.
 */
int cmd_privacy_erase(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                      knoop_error_t *err);
int cmd_privacy_anonymise(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                          knoop_error_t *err);
int cmd_privacy_export(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                       knoop_error_t *err);
int cmd_privacy_retention(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                          knoop_error_t *err);

/*
 * Retention rules (cmd_privacy.c), as knoopd's --retention option and privacy.retention's
 * parameters give them: a kind ("contact", also spelled "klantcontact") and an age, a count and
 * a unit, d (days), w (weeks), m (calendar months) or y (calendar years), at most a hundred
 * years. cmd_retention_rule_parse reads "KIND AGE" ("contact 5y"); KNOOP_EINVAL with err saying
 * what is wrong. cmd_retention_cutoff is now_ms minus the age (months and years on the UTC
 * calendar). Any thread.
 */
typedef struct {
    char kind[16]; /* "contact" */
    uint32_t n;
    char unit;     /* 'd', 'w', 'm' or 'y' */
    char text[40]; /* the rule as written back: "contact 5y" */
} cmd_retention_rule_t;
int cmd_retention_rule_parse(const char *text, cmd_retention_rule_t *out, knoop_error_t *err);
int64_t cmd_retention_cutoff(const cmd_retention_rule_t *r, int64_t now_ms);

/* Online backup (cmd_backup.c). */
int cmd_admin_backup(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err);

/* The VNG domain (cmd_domain.c, cmd_query.c). */
int cmd_domain_init(store_t *s, knoop_error_t *err); /* loads the registry, installs the hooks */
void cmd_domain_shutdown(void);
/* False when edges of role type `type` can never touch a klantcontact (a known role type whose
 * ends exclude kind contact); true for other types, which the caller must check by reading the
 * ends. */
bool cmd_domain_role_may_touch_contact(const char *type);
/* Packs props as the schema would store them (normalised) into out; errors as a write would. */
int cmd_domain_normalise(const store_view_t *view, schema_kind_t kind, const char *type,
                         const msgpack_object *props, knoop_buf_t *out, knoop_error_t *err);
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
/* schema.check: every stored role that breaks a role rule (schema_role_check_tenure), each
 * clashing pair once: {violations: [{role, target, edge, source, problem}] (at most limit),
 * count, more, checked_edges}. Gives up with KNOOP_EUNAVAIL at ctx->deadline_ms. */
int cmd_schema_check(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err);
int cmd_schema_types(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err);
int cmd_node_put(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_edge_put(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_postcode_put(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err);
/*
 * Moves place cur (open, as stored) to gemeente (a CBS code) from date on, inside t: its period
 * at its old gemeente ends on `on` and stays listed there, and it starts at the new one on `on`
 * (with name, when not NULL), with a history entry (op "move"). *moved gets the place as it is
 * now. KNOOP_ENOMEM or a store error.
 */
int cmd_place_move(store_txn_t *t, const graph_place_t *cur, const char *gemeente, const char *name,
                   schema_date_t on, graph_place_t *moved);
int cmd_places_sync(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                    knoop_error_t *err);
/* gemeente.merge (cmd_merge.c): a herindeling as one atomic change; the rules are in the file
 * and in PROTOCOL.md. Packs {into: {id, cbs_code, name}, created, ended: [codes],
 * places_moved: [places], memberships: [new edge ids], ended_edges: n, changed}. */
int cmd_gemeente_merge(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                       knoop_error_t *err);
/* The network questions (cmd_network.c; the questions themselves are in server/query/). */
int cmd_query_places(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err);
int cmd_query_members(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                      knoop_error_t *err);
int cmd_query_holders(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                      knoop_error_t *err);
int cmd_query_seats(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                    knoop_error_t *err);
int cmd_query_participation(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                            knoop_error_t *err);
int cmd_query_roles(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                    knoop_error_t *err);
/* query.path and query.neighbourhood (cmd_network.c; server/query/query_path.c). */
int cmd_query_path(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err);
int cmd_query_neighbourhood(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                            knoop_error_t *err);
int cmd_perspective_list(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                         knoop_error_t *err);
int cmd_perspective_get(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                        knoop_error_t *err);

/*
 * admin.check (cmd_admin.c): runs graph_check over the request's snapshot and packs
 * {ok, mismatches: [{cf, key, problem}] (at most 1000), more, counts: {nodes, edges, adjacency,
 * index, history, mismatches}, digest}. Gives up with KNOOP_EUNAVAIL at ctx->deadline_ms.
 */
int cmd_admin_check(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                    knoop_error_t *err);

/*
 * knoopd --check DIR: opens the store in dir (which must already be a data directory, and not
 * be open in a running knoopd: RocksDB's lock refuses that), runs graph_check, prints each
 * mismatch as "mismatch CF KEY: PROBLEM" and then one summary line "check clean|FAILED:
 * nodes=N edges=N adjacency=N index=N history=N mismatches=N digest=HEX" to out; errors go to
 * errout. Writes nothing to the store (opening it may replay RocksDB's log). Returns the exit
 * status: 0 clean, 1 mismatches found, 2 error. Thread: the main thread, before any server.
 */
int cmd_check_dir(const char *dir, FILE *out, FILE *errout);

/* Helpers shared by handler files. */
/* KNOOP_EUNAVAIL once ctx's deadline has passed. */
int cmd_check_deadline(cmd_ctx_t *ctx, knoop_error_t *err);
void cmd_pack_cstr(msgpack_packer *pk, const char *s);
void cmd_pack_bool(msgpack_packer *pk, bool v);
/* Whether o is a string equal to s (o may be NULL). */
bool cmd_str_is(const msgpack_object *o, const char *s);
/* Resolves a node reference (an id, or a string external key) in parameter `field`. */
int cmd_node_ref(cmd_ctx_t *ctx, const msgpack_object *p, const char *field, uint64_t *id,
                 knoop_error_t *err);
/* The optional `limit` parameter: KNOOP_DEFAULT_RESULT_LIMIT when absent, KNOOP_EINVAL outside
 * 1..KNOOP_MAX_RESULT_LIMIT. */
int cmd_limit_param(const msgpack_object *p, size_t *limit, knoop_error_t *err);
/* Parses an optional date parameter; *present tells whether it was given. */
int cmd_date_param(const msgpack_object *p, const char *field, schema_date_t *out, bool *present,
                   knoop_error_t *err);
/* Reads an optional string parameter into a NUL-terminated copy in buf (size bufsz). */
int cmd_str_param(const msgpack_object *p, const char *field, char *buf, size_t bufsz,
                  bool *present, knoop_error_t *err);

#endif
