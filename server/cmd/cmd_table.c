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
static const proto_param_spec_t p_id_ref[] = { P("id", STR_OR_U64, true), END };
static const proto_param_spec_t p_node_update[] = {
    P("id", STR_OR_U64, true),   P("set", MAP, false),    P("unset", ARRAY, false),
    P("if_version", U64, false), P("reason", STR, false), END
};
static const proto_param_spec_t p_node_delete[] = { P("id", STR_OR_U64, true),
                                                    P("cascade", BOOL, false),
                                                    P("reason", STR, false), END };
static const proto_param_spec_t p_node_find[] = { P("kind", STR, false),  P("type", STR, false),
                                                  P("name", STR, false),  P("key", STR, false),
                                                  P("limit", U64, false), END };
static const proto_param_spec_t p_edge_create[] = {
    P("type", STR, true),          P("source", STR_OR_U64, true), P("target", STR_OR_U64, true),
    P("valid_from", DATE, true),   P("valid_to", DATE, false),    P("props", MAP, false),
    P("on_behalf_of", U64, false), P("reason", STR, false),       END
};
static const proto_param_spec_t p_edge_get[] = { P("id", U64, true), END };
static const proto_param_spec_t p_edge_end[] = { P("id", U64, true), P("on", DATE, true),
                                                 P("reason", STR, false), END };
static const proto_param_spec_t p_edge_list[] = {
    P("node", STR_OR_U64, true), P("direction", STR, false),
    P("type", STR, false),       P("at", DATE, false),
    P("from", DATE, false),      P("to", DATE, false),
    P("limit", U64, false),      END
};
static const proto_param_spec_t p_batch[] = { P("ops", ARRAY, true), P("reason", STR, false), END };
static const proto_param_spec_t p_history[] = { P("id", U64, true), P("limit", U64, false), END };

/* auth is handled by the network layer, which owns the connection's state; it is listed here
 * so that lookup, parameter checks and documentation see it like every other method. */
const cmd_t cmd_table[] = {
    { "ping", cmd_ping, p_none, CMD_NO_AUTH | CMD_INLINE },
    { "auth", NULL, p_auth, CMD_NO_AUTH | CMD_INLINE },
    { "server.info", cmd_server_info, p_none, CMD_INLINE },
    { "node.create", cmd_node_create, p_node_create, CMD_WRITE },
    { "node.get", cmd_node_get, p_id_ref, CMD_READ },
    { "node.update", cmd_node_update, p_node_update, CMD_WRITE },
    { "node.delete", cmd_node_delete, p_node_delete, CMD_WRITE },
    { "node.find", cmd_node_find, p_node_find, CMD_READ },
    { "edge.create", cmd_edge_create, p_edge_create, CMD_WRITE },
    { "edge.get", cmd_edge_get, p_edge_get, CMD_READ },
    { "edge.end", cmd_edge_end, p_edge_end, CMD_WRITE },
    { "edge.list", cmd_edge_list, p_edge_list, CMD_READ },
    { "history.list", cmd_history_list, p_history, CMD_READ },
    { "batch", cmd_batch, p_batch, CMD_WRITE },
    { NULL, NULL, NULL, 0 },
};

const cmd_t *cmd_lookup(const char *name, size_t len)
{
    for (const cmd_t *c = cmd_table; c->name != NULL; c++)
        if (strlen(c->name) == len && memcmp(c->name, name, len) == 0)
            return c;
    return NULL;
}

int cmd_run(const cmd_t *cmd, cmd_ctx_t *ctx, const msgpack_object *params, msgpack_packer *pk,
            knoop_error_t *err)
{
    int rc = proto_params_check(params, cmd->params, err);
    if (rc != KNOOP_OK)
        return rc;
    if (cmd->handler == NULL)
        return knoop_error_set(err, KNOOP_EINTERNAL, "%s: no handler", cmd->name);
    return cmd->handler(ctx, params, pk, err);
}
