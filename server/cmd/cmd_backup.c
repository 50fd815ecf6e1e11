/*
 * cmd_backup.c - admin.backup: an online backup of the whole store while writes go on
 * (layer: cmd).
 */
#include <string.h>

#include "cmd.h"

int cmd_admin_backup(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err)
{
    char dir[4096], digest[17] = "";
    bool present, verify = false;
    uint64_t seq = 0;
    int rc;

    if ((rc = cmd_str_param(p, "dir", dir, sizeof(dir), &present, err)) != KNOOP_OK)
        return rc;
    if (dir[0] != '/')
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params.dir: expected an absolute path on the server, got '%.64s'",
                               dir);
    proto_param_bool(p, "verify", &verify);
    if ((rc = store_checkpoint(ctx->store, dir, err)) != KNOOP_OK)
        return rc;
    if (verify) {
        store_t *b;
        if ((rc = store_open_existing(dir, &b, err)) != KNOOP_OK)
            return rc;
        seq = store_last_seq(b);
        rc = store_digest(b, NULL, digest, err);
        store_close(b);
        if (rc != KNOOP_OK)
            return rc;
    }
    msgpack_pack_map(pk, verify ? 3 : 1);
    cmd_pack_cstr(pk, "dir");
    cmd_pack_cstr(pk, dir);
    if (verify) {
        cmd_pack_cstr(pk, "seq");
        msgpack_pack_uint64(pk, seq);
        cmd_pack_cstr(pk, "digest");
        cmd_pack_cstr(pk, digest);
    }
    return KNOOP_OK;
}
