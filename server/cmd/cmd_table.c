/*
 * cmd_table.c - the command table and its dispatch checks (layer: cmd).
 */
#include <stdio.h>
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
static const proto_param_spec_t p_auth[] = { P("token", STR, false), P("user", STR, false),
                                             P("password", STR, false), P("purpose", STR, false),
                                             END };
static const proto_param_spec_t p_user_add[] = { P("name", STR, true), P("role", STR, true),
                                                 P("password", STR, false), P("reason", STR, false),
                                                 END };
static const proto_param_spec_t p_user_name[] = { P("name", STR, true), P("reason", STR, false),
                                                  END };
static const proto_param_spec_t p_user_passwd[] = { P("name", STR, true), P("password", STR, true),
                                                    P("reason", STR, false), END };
static const proto_param_spec_t p_user_token[] = { P("name", STR, true), P("label", STR, false),
                                                   P("reason", STR, false), END };
static const proto_param_spec_t p_user_revoke[] = { P("name", STR, true), P("id", STR, false),
                                                    P("reason", STR, false), END };
static const proto_param_spec_t p_node_create[] = {
    P("kind", STR, true),    P("type", STR, false),      P("props", MAP, false),
    P("reason", STR, false), P("override", BOOL, false), END
};
static const proto_param_spec_t p_limit[] = { P("limit", U64, false), END };
static const proto_param_spec_t p_id_ref[] = { P("id", STR_OR_U64, true), P("reason", STR, false),
                                               END };
static const proto_param_spec_t p_privacy[] = { P("id", STR_OR_U64, true), P("reason", STR, true),
                                                END };
static const proto_param_spec_t p_retention[] = {
    P("kind", STR, true),      P("older_than_days", U64, false), P("older_than", STR, false),
    P("dry_run", BOOL, false), P("reason", STR, false),          END
};
static const proto_param_spec_t p_audit_list[] = { P("person", STR_OR_U64, false),
                                                   P("user", STR, false),
                                                   P("from", STR, false),
                                                   P("to", STR, false),
                                                   P("limit", U64, false),
                                                   P("id", U64, false),
                                                   P("kind", STR, false),
                                                   P("after", U64, false),
                                                   END };
static const proto_param_spec_t p_session_purpose[] = { P("purpose", STR, true), END };
static const proto_param_spec_t p_node_update[] = { P("id", STR_OR_U64, true),
                                                    P("set", MAP, false),
                                                    P("unset", ARRAY, false),
                                                    P("if_version", U64, false),
                                                    P("reason", STR, false),
                                                    P("override", BOOL, false),
                                                    END };
static const proto_param_spec_t p_node_delete[] = { P("id", STR_OR_U64, true),
                                                    P("cascade", BOOL, false),
                                                    P("reason", STR, false), END };
static const proto_param_spec_t p_node_find[] = {
    P("reason", STR, false), P("kind", STR, false),     P("type", STR, false),
    P("name", STR, false),   P("key", STR, false),      P("limit", U64, false),
    P("at", DATE, false),    P("known_at", STR, false), END
};
static const proto_param_spec_t p_edge_create[] = {
    P("type", STR, true),          P("source", STR_OR_U64, true), P("target", STR_OR_U64, true),
    P("valid_from", DATE, true),   P("valid_to", DATE, false),    P("props", MAP, false),
    P("on_behalf_of", U64, false), P("reason", STR, false),       END
};
static const proto_param_spec_t p_node_get[] = { P("id", STR_OR_U64, true), P("reason", STR, false),
                                                 P("known_at", STR, false), END };
static const proto_param_spec_t p_edge_get[] = { P("id", U64, true), P("known_at", STR, false),
                                                 END };
static const proto_param_spec_t p_edge_end[] = { P("id", U64, true), P("on", DATE, true),
                                                 P("reason", STR, false), END };
static const proto_param_spec_t p_edge_update[] = {
    P("id", U64, true),         P("set", MAP, false),
    P("unset", ARRAY, false),   P("valid_from", DATE, false),
    P("valid_to", DATE, false), P("reopen", BOOL, false),
    P("reason", STR, false),    END
};
static const proto_param_spec_t p_edge_list[] = {
    P("node", STR_OR_U64, true), P("direction", STR, false), P("type", STR, false),
    P("at", DATE, false),        P("from", DATE, false),     P("to", DATE, false),
    P("limit", U64, false),      P("known_at", STR, false),  END
};
static const proto_param_spec_t p_batch[] = { P("ops", ARRAY, true), P("reason", STR, false), END };
static const proto_param_spec_t p_history[] = {
    P("reason", STR, false),     P("id", STR_OR_U64, false), P("postcode", STR, false),
    P("woonplaats", U64, false), P("limit", U64, false),     END
};

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
static const proto_param_spec_t p_node_put[] = {
    P("kind", STR, true),    P("type", STR, false),      P("props", MAP, true),
    P("reason", STR, false), P("override", BOOL, false), END
};
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
                                                     P("known_at", STR, false), END };
static const proto_param_spec_t p_query_members[] = {
    P("node", STR_OR_U64, true), P("type", STR, false),
    P("at", DATE, false),        P("derived", BOOL, false),
    P("limit", U64, false),      P("examples", BOOL, false),
    P("known_at", STR, false),   END
};
static const proto_param_spec_t p_query_holders[] = { P("org", STR_OR_U64, false),
                                                      P("scope", STR_OR_U64, false),
                                                      P("role", ANY, false),
                                                      P("portefeuille", STR, false),
                                                      P("person", STR_OR_U64, false),
                                                      P("at", DATE, false),
                                                      P("contacts", BOOL, false),
                                                      P("limit", U64, false),
                                                      P("examples", BOOL, false),
                                                      P("known_at", STR, false),
                                                      END };
static const proto_param_spec_t p_query_seats[] = { P("gemeente", STR_OR_U64, true),
                                                    P("at", DATE, false),
                                                    P("examples", BOOL, false),
                                                    P("known_at", STR, false), END };
static const proto_param_spec_t p_query_participation[] = {
    P("node", STR_OR_U64, true), P("at", DATE, false),      P("limit", U64, false),
    P("examples", BOOL, false),  P("known_at", STR, false), END
};
static const proto_param_spec_t p_query_roles[] = {
    P("reason", STR, false),   P("person", STR_OR_U64, true),
    P("at", DATE, false),      P("from", DATE, false),
    P("to", DATE, false),      P("limit", U64, false),
    P("known_at", STR, false), END
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
                                                        P("at", DATE, false),
                                                        P("known_at", STR, false), END };

static const proto_param_spec_t p_backup[] = { P("dir", STR, true), P("verify", BOOL, false), END };

/* auth runs like every other method (on a worker: a password check is a slow hash); the network
 * layer applies the identity it establishes (ctx->auth_out) to the connection. The last column
 * is the role a method needs (cmd.h). */
const cmd_t cmd_table[] = {
    { "ping", cmd_ping, p_none, CMD_NO_AUTH | CMD_INLINE, CMD_ROLE_NONE, NULL },
    { "auth", cmd_auth, p_auth, CMD_NO_AUTH | CMD_READ | CMD_NO_PERSONS, CMD_ROLE_NONE, NULL },
    { "server.info", cmd_server_info, p_none, CMD_INLINE, CMD_ROLE_READER, NULL },
    { "session.purpose", cmd_session_purpose, p_session_purpose, CMD_INLINE, CMD_ROLE_NONE, NULL },
    { "node.create", cmd_node_create, p_node_create, CMD_WRITE, CMD_ROLE_EDITOR, NULL },
    { "node.get", cmd_node_get, p_node_get, CMD_READ | CMD_FAST | CMD_ASOF, CMD_ROLE_READER, NULL },
    { "node.update", cmd_node_update, p_node_update, CMD_WRITE, CMD_ROLE_EDITOR, NULL },
    { "node.delete", cmd_node_delete, p_node_delete, CMD_WRITE, CMD_ROLE_EDITOR, NULL },
    { "node.find", cmd_node_find, p_node_find, CMD_READ | CMD_ASOF, CMD_ROLE_READER, NULL },
    { "edge.create", cmd_edge_create, p_edge_create, CMD_WRITE, CMD_ROLE_EDITOR, NULL },
    { "edge.get", cmd_edge_get, p_edge_get, CMD_READ | CMD_FAST | CMD_ASOF, CMD_ROLE_READER, NULL },
    { "edge.end", cmd_edge_end, p_edge_end, CMD_WRITE, CMD_ROLE_EDITOR, NULL },
    { "edge.update", cmd_edge_update, p_edge_update, CMD_WRITE, CMD_ROLE_EDITOR, NULL },
    { "edge.list", cmd_edge_list, p_edge_list, CMD_READ | CMD_ASOF, CMD_ROLE_READER,
      cmd_edge_list_try },
    { "history.list", cmd_history_list, p_history, CMD_READ, CMD_ROLE_READER, NULL },
    { "batch", cmd_batch, p_batch, CMD_WRITE, CMD_ROLE_EDITOR, NULL },
    { "admin.backup", cmd_admin_backup, p_backup, CMD_READ | CMD_NO_PERSONS, CMD_ROLE_ADMIN, NULL },
    { "schema.types", cmd_schema_types, p_none, CMD_READ | CMD_FAST | CMD_NO_PERSONS,
      CMD_ROLE_READER, NULL },
    { "schema.check", cmd_schema_check, p_limit, CMD_READ | CMD_NO_PERSONS, CMD_ROLE_READER, NULL },
    { "schema.roles", cmd_schema_roles, p_none, CMD_READ | CMD_FAST | CMD_NO_PERSONS,
      CMD_ROLE_READER, NULL },
    { "schema.role.define", cmd_schema_role_define, p_role_define, CMD_WRITE, CMD_ROLE_ADMIN,
      NULL },
    { "schema.fields", cmd_schema_fields, p_fields, CMD_READ | CMD_NO_PERSONS, CMD_ROLE_READER,
      NULL },
    { "schema.field.define", cmd_schema_field_define, p_field_define, CMD_WRITE, CMD_ROLE_ADMIN,
      NULL },
    { "schema.lists", cmd_schema_lists, p_none, CMD_READ | CMD_FAST | CMD_NO_PERSONS,
      CMD_ROLE_READER, NULL },
    { "schema.list.get", cmd_schema_list_get, p_list_get, CMD_READ | CMD_FAST | CMD_NO_PERSONS,
      CMD_ROLE_READER, NULL },
    { "schema.list.define", cmd_schema_list_define, p_list_define, CMD_WRITE, CMD_ROLE_ADMIN,
      NULL },
    { "schema.list.add", cmd_schema_list_add, p_list_add, CMD_WRITE, CMD_ROLE_ADMIN, NULL },
    { "node.put", cmd_node_put, p_node_put, CMD_WRITE, CMD_ROLE_EDITOR, NULL },
    { "edge.put", cmd_edge_put, p_edge_create, CMD_WRITE, CMD_ROLE_EDITOR, NULL },
    { "postcode.put", cmd_postcode_put, p_postcode_put, CMD_WRITE, CMD_ROLE_ADMIN, NULL },
    { "places.sync", cmd_places_sync, p_places_sync, CMD_WRITE, CMD_ROLE_ADMIN, NULL },
    { "gemeente.merge", cmd_gemeente_merge, p_gemeente_merge, CMD_WRITE, CMD_ROLE_ADMIN, NULL },
    { "query.places", cmd_query_places, p_query_places, CMD_READ | CMD_NO_PERSONS | CMD_ASOF,
      CMD_ROLE_READER, NULL },
    { "query.members", cmd_query_members, p_query_members, CMD_READ | CMD_ASOF, CMD_ROLE_READER,
      NULL },
    { "query.holders", cmd_query_holders, p_query_holders, CMD_READ | CMD_ASOF, CMD_ROLE_READER,
      NULL },
    { "query.seats", cmd_query_seats, p_query_seats, CMD_READ | CMD_ASOF, CMD_ROLE_READER, NULL },
    { "query.participation", cmd_query_participation, p_query_participation, CMD_READ | CMD_ASOF,
      CMD_ROLE_READER, NULL },
    { "query.roles", cmd_query_roles, p_query_roles, CMD_READ | CMD_ASOF, CMD_ROLE_READER, NULL },
    { "query.path", cmd_query_path, p_query_path, CMD_READ | CMD_ASOF, CMD_ROLE_READER,
      cmd_query_path_try },
    { "query.neighbourhood", cmd_query_neighbourhood, p_query_neighbourhood, CMD_READ | CMD_ASOF,
      CMD_ROLE_READER, NULL },
    { "perspective.list", cmd_perspective_list, p_none, CMD_READ | CMD_FAST | CMD_NO_PERSONS,
      CMD_ROLE_READER, NULL },
    { "perspective.get", cmd_perspective_get, p_perspective_get, CMD_READ | CMD_ASOF,
      CMD_ROLE_READER, NULL },
    { "admin.check", cmd_admin_check, p_none, CMD_READ | CMD_NO_PERSONS, CMD_ROLE_ADMIN, NULL },
    /* -- contact administration (cmd_contact.c) -- */
    { "contact.register", cmd_contact_register, p_contact_register, CMD_WRITE, CMD_ROLE_EDITOR,
      NULL },
    { "contact.get", cmd_contact_get, p_id_ref, CMD_READ | CMD_FAST, CMD_ROLE_READER, NULL },
    { "contact.list", cmd_contact_list, p_contact_list, CMD_READ, CMD_ROLE_READER, NULL },
    { "task.create", cmd_task_create, p_task_create, CMD_WRITE, CMD_ROLE_EDITOR, NULL },
    { "task.get", cmd_task_get, p_id_ref, CMD_READ | CMD_FAST, CMD_ROLE_READER, NULL },
    { "task.done", cmd_task_done, p_task_done, CMD_WRITE, CMD_ROLE_EDITOR, NULL },
    { "task.open", cmd_task_open, p_task_open, CMD_READ, CMD_ROLE_READER, NULL },
    { "list.create", cmd_list_create, p_list_create, CMD_WRITE, CMD_ROLE_EDITOR, NULL },
    { "list.subscribe", cmd_list_subscribe, p_list_subscribe, CMD_WRITE, CMD_ROLE_EDITOR, NULL },
    { "list.unsubscribe", cmd_list_unsubscribe, p_list_unsubscribe, CMD_WRITE, CMD_ROLE_EDITOR,
      NULL },
    { "list.members", cmd_list_members, p_list_members, CMD_READ, CMD_ROLE_READER, NULL },
    /* -- end contact administration -- */
    /* -- users and tokens (cmd_user.c) -- */
    { "user.add", cmd_user_add, p_user_add, CMD_WRITE, CMD_ROLE_ADMIN, NULL },
    { "user.list", cmd_user_list, p_none, CMD_READ | CMD_NO_PERSONS, CMD_ROLE_ADMIN, NULL },
    { "user.remove", cmd_user_remove, p_user_name, CMD_WRITE, CMD_ROLE_ADMIN, NULL },
    /* user.passwd and user.token: an admin for anyone, any user for themselves (the handler) */
    { "user.passwd", cmd_user_passwd, p_user_passwd, CMD_WRITE, CMD_ROLE_READER, NULL },
    { "user.token", cmd_user_token, p_user_token, CMD_WRITE, CMD_ROLE_READER, NULL },
    { "user.token.revoke", cmd_user_revoke, p_user_revoke, CMD_WRITE, CMD_ROLE_ADMIN, NULL },
    /* -- the audit trail (cmd_audit.c) -- */
    { "audit.list", cmd_audit_list, p_audit_list, CMD_READ | CMD_NO_PERSONS, CMD_ROLE_PRIVACY,
      NULL },
    { "audit.verify", cmd_audit_verify, p_none, CMD_READ | CMD_NO_PERSONS, CMD_ROLE_PRIVACY, NULL },
    /* -- AVG (cmd_privacy.c) -- */
    { "privacy.erase", cmd_privacy_erase, p_privacy, CMD_WRITE, CMD_ROLE_PRIVACY, NULL },
    { "privacy.anonymise", cmd_privacy_anonymise, p_privacy, CMD_WRITE, CMD_ROLE_PRIVACY, NULL },
    { "privacy.export", cmd_privacy_export, p_id_ref, CMD_READ, CMD_ROLE_PRIVACY, NULL },
    { "privacy.retention", cmd_privacy_retention, p_retention, CMD_WRITE, CMD_ROLE_PRIVACY, NULL },
    { NULL, NULL, NULL, 0, 0, NULL },
};

unsigned cmd_role_grants(const char *role)
{
    if (strcmp(role, "reader") == 0)
        return CMD_ROLE_READER;
    if (strcmp(role, "editor") == 0)
        return CMD_ROLE_READER | CMD_ROLE_EDITOR;
    if (strcmp(role, "admin") == 0)
        return CMD_ROLE_READER | CMD_ROLE_EDITOR | CMD_ROLE_ADMIN;
    if (strcmp(role, "privacy") == 0)
        return CMD_ROLE_READER | CMD_ROLE_PRIVACY;
    return 0;
}

const char *cmd_role_name(unsigned role)
{
    switch (role) {
    case CMD_ROLE_READER:
        return "reader";
    case CMD_ROLE_EDITOR:
        return "editor";
    case CMD_ROLE_ADMIN:
        return "admin";
    case CMD_ROLE_PRIVACY:
        return "privacy";
    default:
        return "anyone";
    }
}

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

/* Parameters every method accepts on top of its own spec (cmd_run): `reason` (why; in the
 * history of a change, in the audit entry of a read) and, for reads, `purpose` (what the data
 * read is for, in the read's audit entry). */
static const proto_param_spec_t p_common_write[] = { P("reason", STR, false), END };
static const proto_param_spec_t p_common_read[] = { P("reason", STR, false),
                                                    P("purpose", STR, false), END };

/* The request's `reason` parameter into buf; "" when absent. */
static int cmd__reason(const msgpack_object *params, char *buf, size_t bufsz, knoop_error_t *err)
{
    bool present;
    return cmd_str_param(params, "reason", buf, bufsz, &present, err);
}

/* ---- policy: methods that need a reason (knoopd --require-reason) ---- */

#define CMD_POLICY_MAX 256 /* table entries the policy can mark */
_Static_assert(sizeof(cmd_table) / sizeof(cmd_table[0]) <= CMD_POLICY_MAX,
               "cmd__need_reason must have a place for every method");
static bool cmd__need_reason[CMD_POLICY_MAX];

int cmd_require_reason(const char *method, knoop_error_t *err)
{
    char q[96];
    const cmd_t *c = cmd_lookup(method, strlen(method));
    if (c == NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "require-reason: unknown method %s",
                               knoop_repr(q, sizeof(q), method, strlen(method), 64));
    cmd__need_reason[c - cmd_table] = true;
    return KNOOP_OK;
}

void cmd_policy_reset(void)
{
    memset(cmd__need_reason, 0, sizeof(cmd__need_reason));
}

/* KNOOP_EINVAL naming method and parameter when the policy needs a reason and none is given
 * (inside `batch`, the batch's own reason counts for its operations). */
static int cmd__reason_policy(const cmd_t *cmd, const cmd_ctx_t *ctx, const msgpack_object *params,
                              knoop_error_t *err)
{
    const char *r;
    size_t rl;
    if (!cmd__need_reason[cmd - cmd_table])
        return KNOOP_OK;
    if (proto_param_str(params, "reason", &r, &rl) && rl > 0)
        return KNOOP_OK;
    if (ctx->txn != NULL && ctx->reason_given)
        return KNOOP_OK;
    return knoop_error_set(err, KNOOP_EINVAL,
                           "%s: params.reason: required (this server requires a reason for %s)",
                           cmd->name, cmd->name);
}

int cmd_session_purpose(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                        knoop_error_t *err)
{
    char purpose[CMD_PURPOSE_MAX + 1];
    bool present;
    int rc = cmd_str_param(p, "purpose", purpose, sizeof(purpose), &present, err);
    if (rc != KNOOP_OK)
        return rc;
    if (ctx->session_out != NULL)
        memcpy(ctx->session_out->purpose, purpose, sizeof(purpose));
    msgpack_pack_map(pk, 1);
    cmd_pack_cstr(pk, "purpose");
    if (purpose[0] != '\0')
        cmd_pack_cstr(pk, purpose);
    else
        msgpack_pack_nil(pk);
    return KNOOP_OK;
}

/* ---- the read audit ---- */

void cmd_audit_note(cmd_ctx_t *ctx, uint64_t id)
{
    if (graph_ids_push(&ctx->audit, id) != KNOOP_OK)
        ctx->audit_rc = KNOOP_ENOMEM;
}

/* What the look at an answer found: every node packed in it, and the ends of every edge. */
typedef struct {
    cmd_ctx_t *ctx;
    graph_ids_t nodes, ends;
    int rc;
} cmd__seen_t;

/* Whether v is the string s. */
static bool cmd__val_is(const proto_val_t *v, const char *s, size_t n)
{
    return v->type == PROTO_V_STR && v->len == n && memcmp(v->s, s, n) == 0;
}

/*
 * Walks an answer, read in place from c: a map with an unsigned `id` and a string `kind` is a
 * node (graph_node_pack, query_pack_node): a person or klantcontact is noted; a map with
 * unsigned `source` and `target` and a `type` (not nil) is an edge (graph_edge_pack), whose ends
 * are checked afterwards unless the answer shows them as nodes too. Each value is read once,
 * except a map's `props`: skipped at first, and walked afterwards only when the map proves not
 * to be a record. False when the bytes do not read.
 */
static bool cmd__seen_walk(cmd__seen_t *w, proto_cursor_t *c, int depth)
{
    proto_val_t v, k, x, id = { 0 }, kind = { 0 }, src = { 0 }, tgt = { 0 };
    proto_cursor_t props = { 0 };
    bool has_type = false, has_props = false;
    if (!proto_read(c, &v))
        return false;
    if (v.type != PROTO_V_ARRAY && v.type != PROTO_V_MAP)
        return true;
    for (uint64_t i = 0; i < v.u; i++) {
        proto_val_t *want = NULL;
        if (v.type == PROTO_V_MAP) {
            if (!proto_read(c, &k))
                return false;
            if (cmd__val_is(&k, "id", 2))
                want = &id;
            else if (cmd__val_is(&k, "kind", 4))
                want = &kind;
            else if (cmd__val_is(&k, "source", 6))
                want = &src;
            else if (cmd__val_is(&k, "target", 6))
                want = &tgt;
            else if (cmd__val_is(&k, "type", 4))
                has_type = c->p < c->end && *c->p != 0xc0; /* not nil */
            else if (cmd__val_is(&k, "props", 5) && !has_props) {
                /* A record's props are the caller's free data, never a record: a map shaped
                 * like a person in them names no one. Looked at below if this is no record. */
                has_props = true;
                props = *c;
                if (!proto_skip(c))
                    return false;
                continue;
            }
        }
        if (want != NULL && want->type == PROTO_V_NIL) { /* the first of a key counts */
            proto_cursor_t at = *c;
            if (!proto_read(&at, &x))
                return false;
            *want = x;
        }
        if (!(depth >= KNOOP_MAX_DEPTH ? proto_skip(c) : cmd__seen_walk(w, c, depth + 1)))
            return false;
    }
    if (v.type != PROTO_V_MAP)
        return true;
    if (id.type == PROTO_V_UINT && kind.type == PROTO_V_STR) {
        if (cmd__val_is(&kind, "person", 6) || cmd__val_is(&kind, "contact", 7))
            cmd_audit_note(w->ctx, id.u);
        if (w->rc == KNOOP_OK)
            w->rc = graph_ids_push(&w->nodes, id.u);
    } else if (src.type == PROTO_V_UINT && tgt.type == PROTO_V_UINT && has_type) {
        if (w->rc == KNOOP_OK)
            w->rc = graph_ids_push(&w->ends, src.u);
        if (w->rc == KNOOP_OK)
            w->rc = graph_ids_push(&w->ends, tgt.u);
    } else if (has_props && depth < KNOOP_MAX_DEPTH) {
        return cmd__seen_walk(w, &props, depth + 1);
    }
    return true;
}

/* Notes the persons and klantcontacten in the answer packed at data[0..len). */
static int cmd__audit_answer(cmd_ctx_t *ctx, const char *data, size_t len, knoop_error_t *err)
{
    cmd__seen_t w = { .ctx = ctx, .rc = KNOOP_OK };
    proto_cursor_t c;
    int rc = KNOOP_OK;
    /* A first look at the bytes: without the string "person" or "contact" (a node's kind) and
     * the key "source" (an edge), as MessagePack strings, the answer names no one. */
    static const char person[] = "\xa6person",
                      contact[] = "\xa7"
                                  "contact",
                      source[] = "\xa6source";
    if (len == 0 || (memmem(data, len, person, sizeof(person) - 1) == NULL &&
                     memmem(data, len, contact, sizeof(contact) - 1) == NULL &&
                     memmem(data, len, source, sizeof(source) - 1) == NULL))
        return KNOOP_OK;
    c = (proto_cursor_t){ (const unsigned char *)data, (const unsigned char *)data + len, false };
    if (!cmd__seen_walk(&w, &c, 0)) {
        rc = knoop_error_set(err, KNOOP_EINTERNAL, "the answer could not be read for the audit");
        goto out;
    }
    if (w.rc != KNOOP_OK) {
        rc = knoop_error_set(err, w.rc, "out of memory while auditing the answer");
        goto out;
    }
    /* The ends of the edges that the answer does not show as nodes: read their kind. */
    graph_ids_sort_unique(&w.nodes);
    graph_ids_sort_unique(&w.ends);
    for (size_t i = 0; i < w.ends.n && rc == KNOOP_OK; i++) {
        schema_kind_t kind;
        uint64_t id = w.ends.ids[i];
        if (graph_ids_has(&w.nodes, id))
            continue;
        /* An edge in the answer names nodes of the view, so their kind is all it takes. */
        rc = graph_node_kind(ctx->store, ctx->view, id, &kind, err);
        if (rc == KNOOP_ENOTFOUND) {
            knoop_error_clear(err);
            rc = KNOOP_OK;
            continue;
        }
        if (rc == KNOOP_OK && (kind == SCHEMA_KIND_PERSON || kind == SCHEMA_KIND_CONTACT))
            cmd_audit_note(ctx, id);
    }
out:
    graph_ids_free(&w.nodes);
    graph_ids_free(&w.ends);
    return rc;
}

/*
 * Records the persons a successful read returned as one audit entry: who (the actor), when,
 * why (the request's `reason`), for what (its `purpose`, or the connection's), what (the method
 * and the ids). A read that returned none writes nothing. When the entry cannot be written the
 * read fails: no personal data leaves without its trace.
 */
static int cmd__audit_flush(const cmd_t *cmd, cmd_ctx_t *ctx, const msgpack_object *params,
                            knoop_error_t *err)
{
    char reason[KNOOP_MAX_NAME_BYTES * 4], purpose[CMD_PURPOSE_MAX + 1];
    bool present;
    int rc = ctx->audit_rc;
    if (rc != KNOOP_OK) {
        rc = knoop_error_set(err, rc, "out of memory while auditing the answer");
        goto out;
    }
    if (ctx->audit.n == 0)
        goto out;
    graph_ids_sort_unique(&ctx->audit);
    if ((rc = cmd__reason(params, reason, sizeof(reason), err)) != KNOOP_OK ||
        (rc = cmd_str_param(params, "purpose", purpose, sizeof(purpose), &present, err)) !=
            KNOOP_OK)
        goto out;
    if (purpose[0] == '\0' && ctx->purpose != NULL)
        snprintf(purpose, sizeof(purpose), "%s", ctx->purpose);
    rc =
        store_audit_read(ctx->store, ctx->who.actor, reason[0] ? reason : NULL,
                         purpose[0] ? purpose : NULL, cmd->name, ctx->audit.ids, ctx->audit.n, err);
    if (rc != KNOOP_OK) {
        char m[KNOOP_ERROR_MSG_MAX];
        snprintf(m, sizeof(m), "%s", err->msg);
        rc = knoop_error_set(err, rc,
                             "%s: the read could not be recorded in the audit trail "
                             "(%s); nothing is returned",
                             cmd->name, m);
    }
out:
    graph_ids_free(&ctx->audit);
    ctx->audit_rc = KNOOP_OK;
    return rc;
}

/* After a read: looks at its answer (from byte `start` of pk's buffer) unless the method says
 * it holds no personal data, then writes the audit entry. */
static int cmd__audit_read(const cmd_t *cmd, cmd_ctx_t *ctx, const msgpack_object *params,
                           const msgpack_packer *pk, size_t start, knoop_error_t *err)
{
    int rc = KNOOP_OK;
    if ((cmd->flags & CMD_READ) && !(cmd->flags & CMD_NO_PERSONS) &&
        pk->callback == knoop_buf_write) {
        const knoop_buf_t *b = pk->data;
        rc = cmd__audit_answer(ctx, b->data + start, b->size - start, err);
    }
    if (rc != KNOOP_OK) {
        graph_ids_free(&ctx->audit);
        ctx->audit_rc = KNOOP_OK;
        return rc;
    }
    return cmd__audit_flush(cmd, ctx, params, err);
}

/* Where the answer will start in pk's buffer. */
static size_t cmd__answer_start(const msgpack_packer *pk)
{
    return pk->callback == knoop_buf_write ? ((const knoop_buf_t *)pk->data)->size : 0;
}

/*
 * Recorded time, for every read method at once: `known_at` (RFC 3339) becomes a view of the store
 * as recorded at that moment (store_snapshot_known_at), which the handler reads through like any
 * snapshot, so no handler knows about it. *out stays NULL without known_at.
 */
static int cmd__known_at(cmd_ctx_t *ctx, const msgpack_object *params, store_view_t **out,
                         knoop_error_t *err)
{
    const msgpack_object *k = proto_param(params, "known_at");
    int64_t ms;
    int rc;
    *out = NULL;
    if (k == NULL)
        return KNOOP_OK;
    if ((rc = schema_timestamp_parse(k->via.str.ptr, k->via.str.size, "params.known_at", &ms,
                                     err)) != KNOOP_OK)
        return rc;
    return store_snapshot_known_at(ctx->store, ms, out, err);
}

int cmd_run(const cmd_t *cmd, cmd_ctx_t *ctx, const msgpack_object *params, msgpack_packer *pk,
            knoop_error_t *err)
{
    char reason[KNOOP_MAX_NAME_BYTES * 4];
    size_t start;
    const store_view_t *outer_view = ctx->view;
    store_view_t *snap = NULL;
    store_txn_t *t;
    store_who_t who;
    int rc;
    if (cmd->role != CMD_ROLE_NONE && (ctx->roles & cmd->role) == 0)
        return knoop_error_set(err, KNOOP_EPERM, "%s needs the role %s; %s does not have it",
                               cmd->name, cmd_role_name(cmd->role),
                               ctx->who.actor != NULL ? ctx->who.actor : "the caller");
    if ((rc = proto_params_check_with(params, cmd->params,
                                      (cmd->flags & CMD_WRITE) ? p_common_write : p_common_read,
                                      err)) != KNOOP_OK)
        return rc;
    if (cmd->handler == NULL)
        return knoop_error_set(err, KNOOP_EINTERNAL, "%s: no handler", cmd->name);
    if ((rc = cmd__reason_policy(cmd, ctx, params, err)) != KNOOP_OK)
        return rc;
    if (!(cmd->flags & CMD_WRITE)) { /* a purpose too long fails before the read, not after */
        char purpose[CMD_PURPOSE_MAX + 1];
        bool present;
        if ((rc = cmd_str_param(params, "purpose", purpose, sizeof(purpose), &present, err)) !=
            KNOOP_OK)
            return rc;
    }
    graph_ids_free(&ctx->audit);
    ctx->audit_rc = KNOOP_OK;
    start = cmd__answer_start(pk);
    if (ctx->txn != NULL && (cmd->flags & CMD_ASOF) && proto_param(params, "known_at") != NULL)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params.known_at: not inside a batch (a batch reads its own "
                               "writes, now)");
    if (ctx->txn != NULL) { /* inside `batch`: the batch's transaction decides */
        rc = cmd->handler(ctx, params, pk, err);
        if (rc == KNOOP_OK)
            return cmd__audit_read(cmd, ctx, params, pk, start, err);
        graph_ids_free(&ctx->audit);
        return rc;
    }
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
        ctx->reason_given = reason[0] != '\0';
        rc = cmd->handler(ctx, params, pk, err);
        if (rc == KNOOP_OK)
            rc = cmd__result_check(pk, err);
        if (rc == KNOOP_OK)
            rc = cmd_check_deadline(ctx, err);
        if (rc == KNOOP_OK)
            rc = store_txn_commit(t, err);
        else
            store_txn_abort(t);
        if (rc == KNOOP_OK && ctx->purge.n > 0 &&
            (rc = store_purge(ctx->store, ctx->purge.ids, ctx->purge.n, err)) != KNOOP_OK) {
            char m[KNOOP_ERROR_MSG_MAX];
            snprintf(m, sizeof(m), "%s", err->msg);
            knoop_error_set(err, rc,
                            "%s: the change is committed, but the old values could not be "
                            "compacted out of the files (%s); run it again",
                            cmd->name, m);
        }
        graph_ids_free(&ctx->purge);
        if (rc != KNOOP_OK && ctx->on_abort != NULL)
            ctx->on_abort(ctx->on_abort_arg);
        ctx->on_abort = NULL;
        ctx->txn = NULL;
        ctx->reason_given = false;
        ctx->view = outer_view;
        graph_ids_free(&ctx->audit);
        return rc;
    }
    if ((cmd->flags & CMD_ASOF) && (rc = cmd__known_at(ctx, params, &snap, err)) != KNOOP_OK)
        return rc;
    if (snap != NULL) {
        ctx->view = snap;
    } else if ((cmd->flags & CMD_READ) && ctx->view == NULL) {
        if ((snap = store_snapshot(ctx->store)) == NULL)
            return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
        ctx->view = snap;
    }
    rc = cmd->handler(ctx, params, pk, err);
    if (rc == KNOOP_OK)
        rc = cmd__result_check(pk, err);
    if (rc == KNOOP_OK)
        rc = cmd__audit_read(cmd, ctx, params, pk, start, err);
    graph_ids_free(&ctx->audit);
    if (snap != NULL) {
        ctx->view = outer_view;
        store_snapshot_free(ctx->store, snap);
    }
    return rc;
}
