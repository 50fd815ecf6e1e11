/*
 * cmd_table.c - the command table and its dispatch checks (layer: cmd).
 */
#include <string.h>

#include "cmd.h"

#define P(n, t, r)                                                                                 \
    {                                                                                              \
        n, PROTO_T_##t, r                                                                          \
    }
#define END                                                                                        \
    {                                                                                              \
        NULL, PROTO_T_ANY, false                                                                   \
    }

static const proto_param_spec_t p_none[] = { END };
static const proto_param_spec_t p_auth[] = { P("token", STR, true), END };
static const proto_param_spec_t p_node_create[] = { P("kind", STR, true), P("type", STR, false),
                                                    P("props", MAP, false), P("reason", STR, false),
                                                    END };
static const proto_param_spec_t p_limit[] = { P("limit", U64, false), END };
static const proto_param_spec_t p_id_ref[] = { P("id", STR_OR_U64, true), END };
static const proto_param_spec_t p_node_update[] = {
    P("id", STR_OR_U64, true),   P("set", MAP, false),    P("unset", ARRAY, false),
    P("if_version", U64, false), P("reason", STR, false), END
};
static const proto_param_spec_t p_node_delete[] = { P("id", STR_OR_U64, true),
                                                    P("cascade", BOOL, false),
                                                    P("reason", STR, false), END };
static const proto_param_spec_t p_node_find[] = { P("kind", STR, false),
                                                  P("type", STR, false),
                                                  P("name", STR, false),
                                                  P("key", STR, false),
                                                  P("limit", U64, false),
                                                  P("at", DATE, false),
                                                  END };
static const proto_param_spec_t p_edge_create[] = {
    P("type", STR, true),          P("source", STR_OR_U64, true), P("target", STR_OR_U64, true),
    P("valid_from", DATE, true),   P("valid_to", DATE, false),    P("props", MAP, false),
    P("on_behalf_of", U64, false), P("reason", STR, false),       END
};
static const proto_param_spec_t p_edge_get[] = { P("id", U64, true), END };
static const proto_param_spec_t p_edge_end[] = { P("id", U64, true), P("on", DATE, true),
                                                 P("reason", STR, false), END };
static const proto_param_spec_t p_edge_update[] = {
    P("id", U64, true),         P("set", MAP, false),
    P("unset", ARRAY, false),   P("valid_from", DATE, false),
    P("valid_to", DATE, false), P("reopen", BOOL, false),
    P("reason", STR, false),    END
};
static const proto_param_spec_t p_edge_list[] = {
    P("node", STR_OR_U64, true), P("direction", STR, false),
    P("type", STR, false),       P("at", DATE, false),
    P("from", DATE, false),      P("to", DATE, false),
    P("limit", U64, false),      END
};
static const proto_param_spec_t p_batch[] = { P("ops", ARRAY, true), P("reason", STR, false), END };
static const proto_param_spec_t p_history[] = { P("id", STR_OR_U64, false),
                                                P("postcode", STR, false),
                                                P("woonplaats", U64, false), P("limit", U64, false),
                                                END };

/* -- contact administration (cmd_contact.c) -- */
static const proto_param_spec_t p_contact_register[] = {
    P("kanaal", STR, true),         P("onderwerp", STR, true),
    P("inhoud", STR, false),        P("plaatsgevondenOp", STR, true),
    P("initiator", STR, false),     P("vertrouwelijk", BOOL, false),
    P("taal", STR, false),          P("indicatieContactGelukt", BOOL, false),
    P("betrokkenen", ARRAY, true),  P("actoren", ARRAY, true),
    P("over_rollen", ARRAY, false), P("corrects", STR_OR_U64, false),
    P("reason", STR, false),        END
};
static const proto_param_spec_t p_contact_list[] = {
    P("partij", STR_OR_U64, false), P("actor", STR_OR_U64, false), P("from", DATE, false),
    P("to", DATE, false),           P("limit", U64, false),        END
};
static const proto_param_spec_t p_task_create[] = { P("klantcontact", STR_OR_U64, true),
                                                    P("gevraagdeHandeling", STR, true),
                                                    P("toelichting", STR, false),
                                                    P("actoren", ARRAY, true),
                                                    P("status", STR, false),
                                                    P("reason", STR, false),
                                                    END };
static const proto_param_spec_t p_task_done[] = { P("id", STR_OR_U64, true),
                                                  P("toelichting", STR, false),
                                                  P("reason", STR, false), END };
static const proto_param_spec_t p_task_open[] = { P("actor", STR_OR_U64, false),
                                                  P("limit", U64, false), END };
static const proto_param_spec_t p_list_create[] = { P("name", STR, true),
                                                    P("omschrijving", STR, false),
                                                    P("reason", STR, false), END };
static const proto_param_spec_t p_list_subscribe[] = { P("list", STR_OR_U64, true),
                                                       P("person", STR_OR_U64, true),
                                                       P("from", DATE, false),
                                                       P("reason", STR, false), END };
static const proto_param_spec_t p_list_unsubscribe[] = { P("list", STR_OR_U64, true),
                                                         P("person", STR_OR_U64, true),
                                                         P("on", DATE, true),
                                                         P("reason", STR, false), END };
static const proto_param_spec_t p_list_members[] = { P("list", STR_OR_U64, true),
                                                     P("at", DATE, false), P("limit", U64, false),
                                                     END };
/* -- end contact administration -- */

static const proto_param_spec_t p_field_define[] = {
    P("name", STR, true),    P("kind", STR, true),
    P("type", STR, false),   P("value_type", STR, true),
    P("list", STR, false),   P("required", BOOL, false),
    P("regime", STR, false), P("description", STR, false),
    P("reason", STR, false), END
};
static const proto_param_spec_t p_fields[] = { P("kind", STR, false), P("type", STR, false), END };
static const proto_param_spec_t p_list_define[] = { P("name", STR, true),
                                                    P("description", STR, false),
                                                    P("values", ARRAY, true),
                                                    P("reason", STR, false), END };
static const proto_param_spec_t p_list_add[] = {
    P("list", STR, true),          P("code", STR, true),    P("label", STR, false),
    P("abbreviation", STR, false), P("reason", STR, false), END
};
static const proto_param_spec_t p_list_get[] = { P("name", STR, true), END };
static const proto_param_spec_t p_role_define[] = { P("name", STR, true),
                                                    P("description", STR, false),
                                                    P("sources", ARRAY, true),
                                                    P("targets", ARRAY, true),
                                                    P("attributes", ARRAY, false),
                                                    P("max_holders", U64, false),
                                                    P("allow_overlap", BOOL, false),
                                                    P("reason", STR, false),
                                                    END };
static const proto_param_spec_t p_node_put[] = { P("kind", STR, true), P("type", STR, false),
                                                 P("props", MAP, true), P("reason", STR, false),
                                                 END };
static const proto_param_spec_t p_postcode_put[] = { P("postcode", STR, true),
                                                     P("place", STR, true),
                                                     P("gemeente", STR, false), END };
static const proto_param_spec_t p_places_sync[] = { P("places", ARRAY, true), P("on", DATE, true),
                                                    END };
static const proto_param_spec_t p_gemeente_merge[] = { P("from", ARRAY, true), P("into", ANY, true),
                                                       P("on", DATE, true), P("reason", STR, false),
                                                       END };
static const proto_param_spec_t p_query_places[] = { P("gemeente", STR_OR_U64, true),
                                                     P("at", DATE, false), P("all", BOOL, false),
                                                     END };
static const proto_param_spec_t p_query_members[] = { P("node", STR_OR_U64, true),
                                                      P("type", STR, false),
                                                      P("at", DATE, false),
                                                      P("derived", BOOL, false),
                                                      P("limit", U64, false),
                                                      P("examples", BOOL, false),
                                                      END };
static const proto_param_spec_t p_query_holders[] = {
    P("org", STR_OR_U64, false),    P("scope", STR_OR_U64, false),
    P("role", ANY, false),          P("portefeuille", STR, false),
    P("person", STR_OR_U64, false), P("at", DATE, false),
    P("contacts", BOOL, false),     P("limit", U64, false),
    P("examples", BOOL, false),     END
};
static const proto_param_spec_t p_query_seats[] = { P("gemeente", STR_OR_U64, true),
                                                    P("at", DATE, false),
                                                    P("examples", BOOL, false), END };
static const proto_param_spec_t p_query_participation[] = { P("node", STR_OR_U64, true),
                                                            P("at", DATE, false),
                                                            P("limit", U64, false),
                                                            P("examples", BOOL, false), END };
static const proto_param_spec_t p_query_roles[] = {
    P("person", STR_OR_U64, true), P("at", DATE, false),   P("from", DATE, false),
    P("to", DATE, false),          P("limit", U64, false), END
};
static const proto_param_spec_t p_query_path[] = { P("source", STR_OR_U64, true),
                                                   P("target", STR_OR_U64, true),
                                                   P("at", DATE, false),
                                                   P("from", DATE, false),
                                                   P("to", DATE, false),
                                                   P("max_hops", U64, false),
                                                   P("k", U64, false),
                                                   P("links", ARRAY, false),
                                                   P("exclude", ARRAY, false),
                                                   P("known_at", STR, false),
                                                   P("max_expanded", U64, false),
                                                   P("examples", BOOL, false),
                                                   END };
static const proto_param_spec_t p_query_neighbourhood[] = { P("node", STR_OR_U64, true),
                                                            P("depth", U64, false),
                                                            P("at", DATE, false),
                                                            P("from", DATE, false),
                                                            P("to", DATE, false),
                                                            P("links", ARRAY, false),
                                                            P("limit", U64, false),
                                                            P("known_at", STR, false),
                                                            P("max_expanded", U64, false),
                                                            P("examples", BOOL, false),
                                                            END };
static const proto_param_spec_t p_perspective_get[] = { P("name", STR, true),
                                                        P("subject", STR_OR_U64, false),
                                                        P("at", DATE, false), END };

static const proto_param_spec_t p_backup[] = { P("dir", STR, true), P("verify", BOOL, false), END };

/* auth is handled by the network layer, which owns the connection's state; it is listed here
 * so that lookup, parameter checks and documentation see it like every other method. */
const cmd_t cmd_table[] = {
    { "ping", cmd_ping, p_none, CMD_NO_AUTH | CMD_INLINE },
    { "auth", NULL, p_auth, CMD_NO_AUTH | CMD_INLINE },
    { "server.info", cmd_server_info, p_none, CMD_INLINE },
    { "node.create", cmd_node_create, p_node_create, CMD_WRITE },
    { "node.get", cmd_node_get, p_id_ref, CMD_READ | CMD_FAST },
    { "node.update", cmd_node_update, p_node_update, CMD_WRITE },
    { "node.delete", cmd_node_delete, p_node_delete, CMD_WRITE },
    { "node.find", cmd_node_find, p_node_find, CMD_READ },
    { "edge.create", cmd_edge_create, p_edge_create, CMD_WRITE },
    { "edge.get", cmd_edge_get, p_edge_get, CMD_READ | CMD_FAST },
    { "edge.end", cmd_edge_end, p_edge_end, CMD_WRITE },
    { "edge.update", cmd_edge_update, p_edge_update, CMD_WRITE },
    { "edge.list", cmd_edge_list, p_edge_list, CMD_READ },
    { "history.list", cmd_history_list, p_history, CMD_READ },
    { "batch", cmd_batch, p_batch, CMD_WRITE },
    { "admin.backup", cmd_admin_backup, p_backup, CMD_READ },
    { "schema.types", cmd_schema_types, p_none, CMD_READ | CMD_FAST },
    { "schema.check", cmd_schema_check, p_limit, CMD_READ },
    { "schema.roles", cmd_schema_roles, p_none, CMD_READ | CMD_FAST },
    { "schema.role.define", cmd_schema_role_define, p_role_define, CMD_WRITE },
    { "schema.fields", cmd_schema_fields, p_fields, CMD_READ },
    { "schema.field.define", cmd_schema_field_define, p_field_define, CMD_WRITE },
    { "schema.lists", cmd_schema_lists, p_none, CMD_READ | CMD_FAST },
    { "schema.list.get", cmd_schema_list_get, p_list_get, CMD_READ | CMD_FAST },
    { "schema.list.define", cmd_schema_list_define, p_list_define, CMD_WRITE },
    { "schema.list.add", cmd_schema_list_add, p_list_add, CMD_WRITE },
    { "node.put", cmd_node_put, p_node_put, CMD_WRITE },
    { "edge.put", cmd_edge_put, p_edge_create, CMD_WRITE },
    { "postcode.put", cmd_postcode_put, p_postcode_put, CMD_WRITE },
    { "places.sync", cmd_places_sync, p_places_sync, CMD_WRITE },
    { "gemeente.merge", cmd_gemeente_merge, p_gemeente_merge, CMD_WRITE },
    { "query.places", cmd_query_places, p_query_places, CMD_READ },
    { "query.members", cmd_query_members, p_query_members, CMD_READ },
    { "query.holders", cmd_query_holders, p_query_holders, CMD_READ },
    { "query.seats", cmd_query_seats, p_query_seats, CMD_READ },
    { "query.participation", cmd_query_participation, p_query_participation, CMD_READ },
    { "query.roles", cmd_query_roles, p_query_roles, CMD_READ },
    { "query.path", cmd_query_path, p_query_path, CMD_READ },
    { "query.neighbourhood", cmd_query_neighbourhood, p_query_neighbourhood, CMD_READ },
    { "perspective.list", cmd_perspective_list, p_none, CMD_READ | CMD_FAST },
    { "perspective.get", cmd_perspective_get, p_perspective_get, CMD_READ },
    { "admin.check", cmd_admin_check, p_none, CMD_READ },
    /* -- contact administration (cmd_contact.c) -- */
    { "contact.register", cmd_contact_register, p_contact_register, CMD_WRITE },
    { "contact.get", cmd_contact_get, p_id_ref, CMD_READ | CMD_FAST },
    { "contact.list", cmd_contact_list, p_contact_list, CMD_READ },
    { "task.create", cmd_task_create, p_task_create, CMD_WRITE },
    { "task.get", cmd_task_get, p_id_ref, CMD_READ | CMD_FAST },
    { "task.done", cmd_task_done, p_task_done, CMD_WRITE },
    { "task.open", cmd_task_open, p_task_open, CMD_READ },
    { "list.create", cmd_list_create, p_list_create, CMD_WRITE },
    { "list.subscribe", cmd_list_subscribe, p_list_subscribe, CMD_WRITE },
    { "list.unsubscribe", cmd_list_unsubscribe, p_list_unsubscribe, CMD_WRITE },
    { "list.members", cmd_list_members, p_list_members, CMD_READ },
    /* -- end contact administration -- */
    { NULL, NULL, NULL, 0 },
};

const cmd_t *cmd_lookup(const char *name, size_t len)
{
    for (const cmd_t *c = cmd_table; c->name != NULL; c++)
        if (strlen(c->name) == len && memcmp(c->name, name, len) == 0)
            return c;
    return NULL;
}

/* KNOOP_ENOMEM when the result written through pk is incomplete (a failed allocation). */
static int cmd__result_check(const msgpack_packer *pk, knoop_error_t *err)
{
    if (pk->callback == knoop_buf_write && knoop_buf_failed(pk->data))
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory while packing the result");
    return KNOOP_OK;
}

/* The request's `reason` parameter (when the method has one) into buf; "" when absent. */
static int cmd__reason(const msgpack_object *params, char *buf, size_t bufsz, knoop_error_t *err)
{
    bool present;
    return cmd_str_param(params, "reason", buf, bufsz, &present, err);
}

int cmd_run(const cmd_t *cmd, cmd_ctx_t *ctx, const msgpack_object *params, msgpack_packer *pk,
            knoop_error_t *err)
{
    char reason[KNOOP_MAX_NAME_BYTES * 4];
    const store_view_t *outer_view = ctx->view;
    store_view_t *snap = NULL;
    store_txn_t *t;
    store_who_t who;
    int rc = proto_params_check(params, cmd->params, err);
    if (rc != KNOOP_OK)
        return rc;
    if (cmd->handler == NULL)
        return knoop_error_set(err, KNOOP_EINTERNAL, "%s: no handler", cmd->name);
    if (ctx->txn != NULL) /* inside `batch`: the batch's transaction decides */
        return cmd->handler(ctx, params, pk, err);
    if (cmd->flags & CMD_WRITE) {
        if ((rc = cmd__reason(params, reason, sizeof(reason), err)) != KNOOP_OK)
            return rc;
        who = ctx->who;
        if (reason[0] != '\0')
            who.reason = reason;
        if ((rc = store_txn_begin(ctx->store, &who, &t, err)) != KNOOP_OK)
            return rc;
        store_txn_set_deadline(t, ctx->deadline_ms);
        ctx->txn = t;
        ctx->view = store_txn_view(t);
        ctx->on_abort = NULL;
        rc = cmd->handler(ctx, params, pk, err);
        if (rc == KNOOP_OK)
            rc = cmd__result_check(pk, err);
        if (rc == KNOOP_OK)
            rc = cmd_check_deadline(ctx, err);
        if (rc == KNOOP_OK)
            rc = store_txn_commit(t, err);
        else
            store_txn_abort(t);
        if (rc != KNOOP_OK && ctx->on_abort != NULL)
            ctx->on_abort(ctx->on_abort_arg);
        ctx->on_abort = NULL;
        ctx->txn = NULL;
        ctx->view = outer_view;
        return rc;
    }
    if ((cmd->flags & CMD_READ) && ctx->view == NULL) {
        if ((snap = store_snapshot(ctx->store)) == NULL)
            return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
        ctx->view = snap;
    }
    rc = cmd->handler(ctx, params, pk, err);
    if (rc == KNOOP_OK)
        rc = cmd__result_check(pk, err);
    if (snap != NULL) {
        ctx->view = outer_view;
        store_snapshot_free(ctx->store, snap);
    }
    return rc;
}
