/*
 * cmd_batch.c - `batch`: many changes as one atomic write (layer: cmd).
 *
 * Every operation joins the one transaction the dispatcher opened for `batch`. Operations see the
 * writes of the operations before them (a node created in op 0 can be the target of an edge in op
 * 1, by id or external key), and either all of them commit together or, at the first failure, none
 * does.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

#define CMD_BATCH_MAX_OPS 100000

int cmd_batch(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    const msgpack_object *ops = proto_param(p, "ops");
    uint32_t i, n;
    int rc = KNOOP_OK;

    n = ops->via.array.size;
    if (n > CMD_BATCH_MAX_OPS)
        return knoop_error_set(err, KNOOP_ETOOLARGE, "params.ops: %u operations, at most %d",
                               (unsigned)n, CMD_BATCH_MAX_OPS);
    if (KNOOP_NEVER(ctx->txn == NULL))
        return knoop_error_set(err, KNOOP_EINTERNAL, "batch: no transaction");
    /* Check the shape of every operation before running any. */
    for (i = 0; i < n; i++) {
        const msgpack_object *op = &ops->via.array.ptr[i];
        const msgpack_object *m, *params;
        const cmd_t *cmd;
        char q[96];
        if (op->type != MSGPACK_OBJECT_MAP)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "params.ops[%u]: expected {method, params}, got %s", (unsigned)i,
                                   proto_type_name(op));
        m = proto_param(op, "method");
        params = proto_param(op, "params");
        if (m == NULL || m->type != MSGPACK_OBJECT_STR)
            return knoop_error_set(err, KNOOP_EINVAL, "params.ops[%u].method: expected a string",
                                   (unsigned)i);
        if (op->via.map.size != (params != NULL ? 2u : 1u))
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "params.ops[%u]: only 'method' and 'params' are allowed",
                                   (unsigned)i);
        if (params != NULL && params->type != MSGPACK_OBJECT_MAP)
            return knoop_error_set(err, KNOOP_EINVAL, "params.ops[%u].params: expected a map",
                                   (unsigned)i);
        cmd = cmd_lookup(m->via.str.ptr, m->via.str.size);
        if (cmd == NULL)
            return knoop_error_set(err, KNOOP_ENOTFOUND, "params.ops[%u].method: unknown method %s",
                                   (unsigned)i,
                                   knoop_repr(q, sizeof(q), m->via.str.ptr, m->via.str.size, 64));
        if (!(cmd->flags & (CMD_READ | CMD_WRITE)) || cmd->handler == cmd_batch ||
            cmd->handler == cmd_auth)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "params.ops[%u].method: %s cannot be part of a batch",
                                   (unsigned)i, cmd->name);
    }

    /* The dispatcher's transaction holds every operation; it commits after the last. */
    ctx->in_batch = true;
    msgpack_pack_map(pk, 1);
    cmd_pack_cstr(pk, "results");
    msgpack_pack_array(pk, n);
    for (i = 0; i < n && rc == KNOOP_OK; i++) {
        const msgpack_object *op = &ops->via.array.ptr[i];
        const msgpack_object *m = proto_param(op, "method");
        const msgpack_object *params = proto_param(op, "params");
        msgpack_object empty = { .type = MSGPACK_OBJECT_MAP };
        const cmd_t *cmd = cmd_lookup(m->via.str.ptr, m->via.str.size);
        rc = cmd_run(cmd, ctx, params != NULL ? params : &empty, pk, err);
        if (rc != KNOOP_OK && err != NULL) {
            char msg[KNOOP_ERROR_MSG_MAX];
            snprintf(msg, sizeof(msg), "%s", err->msg);
            knoop_error_set(err, rc, "ops[%u] (%s): %s; nothing was written", (unsigned)i,
                            cmd->name, msg);
        }
        if (rc == KNOOP_OK)
            rc = cmd_check_deadline(ctx, err);
    }
    ctx->in_batch = false;
    return rc;
}
