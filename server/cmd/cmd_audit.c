/*
 * cmd_audit.c - audit.list and audit.verify: the tamper-evident audit trail (layer: cmd).
 *
 * The trail itself is the store's hash chain (store.h, store_int.h): an entry for every
 * committed change (who, when, why, which entities, and a hash over the change's history
 * entries) and one for every read that returned personal data (who, when, why, for what
 * purpose, which method, which persons). Both methods need the role privacy. audit.list
 * filters by person (entries that read or changed that id), user, time and kind.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

typedef struct {
    char from[40], to[40], user[CMD_USER_NAME_MAX + 1], kind[16];
    bool has_id;
    uint64_t id;
    size_t limit, n;
    bool more;
    uint64_t last;
    msgpack_packer *pk;
} audit_list_t;

/* The string field name of map m (NULL when absent or not a string). */
static const msgpack_object *audit__field(const msgpack_object *m, const char *name)
{
    size_t nl = strlen(name);
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object_kv *kv = &m->via.map.ptr[i];
        if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == nl &&
            memcmp(kv->key.via.str.ptr, name, nl) == 0)
            return &kv->val;
    }
    return NULL;
}

/* Compares the entry's ts (RFC 3339) with a bound given as a date or a timestamp prefix. */
static int audit__ts_cmp(const msgpack_object *ts, const char *bound)
{
    size_t bl = strlen(bound), n;
    int c;
    if (ts == NULL || ts->type != MSGPACK_OBJECT_STR)
        return 0;
    n = ts->via.str.size < bl ? ts->via.str.size : bl;
    c = memcmp(ts->via.str.ptr, bound, n);
    return c;
}

static bool audit__match(const audit_list_t *a, const msgpack_object *m)
{
    const msgpack_object *ts = audit__field(m, "ts"), *ids;
    if (a->from[0] && audit__ts_cmp(ts, a->from) < 0)
        return false;
    if (a->to[0] && audit__ts_cmp(ts, a->to) >= 0)
        return false;
    if (a->user[0] && !cmd_str_is(audit__field(m, "user"), a->user))
        return false;
    if (a->kind[0] && !cmd_str_is(audit__field(m, "kind"), a->kind))
        return false;
    if (a->has_id) {
        bool found = false;
        ids = audit__field(m, "ids");
        for (uint32_t i = 0;
             ids != NULL && ids->type == MSGPACK_OBJECT_ARRAY && i < ids->via.array.size && !found;
             i++)
            found = ids->via.array.ptr[i].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
                    ids->via.array.ptr[i].via.u64 == a->id;
        if (!found)
            return false;
    }
    return true;
}

/* Packs an entry as stored, with the binary payload hash as hex. */
static void audit__pack(msgpack_packer *pk, const msgpack_object *m)
{
    msgpack_pack_map(pk, m->via.map.size);
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object_kv *kv = &m->via.map.ptr[i];
        msgpack_pack_object(pk, kv->key);
        if (kv->val.type == MSGPACK_OBJECT_BIN && kv->val.via.bin.size <= 64) {
            char hex[129];
            sodium_bin2hex(hex, sizeof(hex), (const unsigned char *)kv->val.via.bin.ptr,
                           kv->val.via.bin.size);
            cmd_pack_cstr(pk, hex);
        } else {
            msgpack_pack_object(pk, kv->val);
        }
    }
}

/* Two passes over the chain: count (to size the array), then pack; cb does both. */
typedef struct {
    audit_list_t *a;
    bool pack;
} audit_pass_t;

static int audit__cb(void *arg, uint64_t no, const void *entry, size_t len)
{
    audit_pass_t *p = arg;
    audit_list_t *a = p->a;
    msgpack_unpacked u;
    size_t off = 0;
    int stop = 0;
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, entry, len, &off) == MSGPACK_UNPACK_SUCCESS &&
        u.data.type == MSGPACK_OBJECT_MAP && audit__match(a, &u.data)) {
        if (a->n == a->limit) {
            a->more = true;
            stop = 1;
        } else {
            a->n++;
            a->last = no;
            if (p->pack)
                audit__pack(a->pk, &u.data);
        }
    }
    msgpack_unpacked_destroy(&u);
    return stop;
}

int cmd_audit_list(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    audit_list_t a;
    audit_pass_t pass = { .a = &a };
    uint64_t after = 0;
    bool present;
    int rc;
    memset(&a, 0, sizeof(a));
    if ((rc = cmd_str_param(p, "from", a.from, sizeof(a.from), &present, err)) != KNOOP_OK ||
        (rc = cmd_str_param(p, "to", a.to, sizeof(a.to), &present, err)) != KNOOP_OK ||
        (rc = cmd_str_param(p, "user", a.user, sizeof(a.user), &present, err)) != KNOOP_OK ||
        (rc = cmd_str_param(p, "kind", a.kind, sizeof(a.kind), &present, err)) != KNOOP_OK ||
        (rc = cmd_limit_param(p, &a.limit, err)) != KNOOP_OK)
        return rc;
    a.has_id = proto_param_u64(p, "id", &a.id);
    if (proto_param(p, "person") != NULL) {
        /* An erased person is found by id only: its external keys are gone. */
        if (a.has_id)
            return knoop_error_set(err, KNOOP_EINVAL, "params.person: give person or id, not both");
        if (!proto_param_u64(p, "person", &a.id) &&
            (rc = cmd_node_ref(ctx, p, "person", &a.id, err)) != KNOOP_OK)
            return rc;
        a.has_id = true;
    }
    proto_param_u64(p, "after", &after);
    if ((rc = store_audit_scan(ctx->store, ctx->view, after + 1, audit__cb, &pass, err)) !=
        KNOOP_OK)
        return rc;
    msgpack_pack_map(pk, 3);
    cmd_pack_cstr(pk, "entries");
    msgpack_pack_array(pk, (uint32_t)a.n);
    a.n = 0;
    a.more = false;
    a.pk = pk;
    pass.pack = true;
    if ((rc = store_audit_scan(ctx->store, ctx->view, after + 1, audit__cb, &pass, err)) !=
        KNOOP_OK)
        return rc;
    cmd_pack_cstr(pk, "more");
    cmd_pack_bool(pk, a.more);
    cmd_pack_cstr(pk, "last");
    msgpack_pack_uint64(pk, a.last);
    return KNOOP_OK;
}

int cmd_audit_verify(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err)
{
    store_audit_result_t r;
    int rc;
    (void)p;
    if ((rc = store_audit_verify(ctx->store, ctx->view, &r, err)) != KNOOP_OK)
        return rc;
    msgpack_pack_map(pk, r.ok ? 2 : 4);
    cmd_pack_cstr(pk, "ok");
    cmd_pack_bool(pk, r.ok);
    cmd_pack_cstr(pk, "entries");
    msgpack_pack_uint64(pk, r.entries);
    if (!r.ok) {
        cmd_pack_cstr(pk, "first_bad");
        msgpack_pack_uint64(pk, r.first_bad);
        cmd_pack_cstr(pk, "problem");
        cmd_pack_cstr(pk, r.problem);
    }
    return KNOOP_OK;
}
