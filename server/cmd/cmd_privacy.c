/*
 * cmd_privacy.c - AVG erasure and anonymisation of a person (layer: cmd).
 *
 * Both run in the dispatcher's transaction like every write, so the change, its history entries
 * and its audit entry commit together; both then ask the dispatcher (ctx->purge) to compact the
 * affected key ranges once committed, so that the old values leave the files and the write-ahead
 * log, not only the API's view. What stays is the structure and the accountability: for an
 * erasure, the history entries of the person and of its edges (when, who, which operation; no
 * data, no free-text reason) and the audit trail's entry of the erasure itself (who, when, why,
 * which id); for an anonymisation also the node, with a pseudonym, and its roles.
 *
 * An erasure also leaves a tombstone for each external key of the person (store_txn_tomb_add):
 * only a keyed hash of the value, so the store cannot tell the key, only recognise it when it
 * comes back. node.create, node.put and node.update refuse such a key (cmd_tomb_check) unless an
 * admin passes override: true, which removes the tombstone in the same transaction.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

/* Resolves params.id to a person node (into *n, cleared by the caller). */
static int privacy__person(cmd_ctx_t *ctx, const msgpack_object *p, uint64_t *id, graph_node_t *n,
                           knoop_error_t *err)
{
    int rc;
    memset(n, 0, sizeof(*n));
    if (ctx->in_batch)
        return knoop_error_set(err, KNOOP_EINVAL, "privacy methods cannot be part of a batch");
    if ((rc = cmd_node_ref(ctx, p, "id", id, err)) != KNOOP_OK ||
        (rc = graph_node_get(ctx->store, ctx->view, *id, n, err)) != KNOOP_OK)
        return rc;
    if (n->kind != SCHEMA_KIND_PERSON)
        return knoop_error_set(err, KNOOP_EINVAL, "params.id: node %llu is not a person",
                               (unsigned long long)*id);
    return KNOOP_OK;
}

int cmd_tomb_check(cmd_ctx_t *ctx, const msgpack_object *p, const msgpack_object *props,
                   knoop_error_t *err)
{
    bool override = false;
    proto_param_bool(p, "override", &override);
    for (int i = 0; props != NULL && graph_key_fields[i] != NULL; i++) {
        const char *v;
        size_t vl;
        bool found;
        char q[96];
        int rc;
        if (!proto_param_str(props, graph_key_fields[i], &v, &vl))
            continue;
        if ((rc = store_tomb_find(ctx->store, ctx->view, v, vl, &found, err)) != KNOOP_OK)
            return rc;
        if (!found)
            continue;
        if (!override)
            return knoop_error_set(err, KNOOP_ECONFLICT,
                                   "props.%s: external key %s belonged to a person erased under "
                                   "the AVG (privacy.erase); an admin may pass override: true",
                                   graph_key_fields[i], knoop_repr(q, sizeof(q), v, vl, 64));
        if ((ctx->roles & CMD_ROLE_ADMIN) == 0)
            return knoop_error_set(err, KNOOP_EPERM,
                                   "params.override: reusing the external key of an erased "
                                   "person needs the role admin; %s does not have it",
                                   ctx->who.actor != NULL ? ctx->who.actor : "the caller");
        if (ctx->txn == NULL)
            return knoop_error_set(err, KNOOP_EINTERNAL, "override outside a transaction");
        if ((rc = store_txn_tomb_remove(ctx->txn, v, vl, err)) != KNOOP_OK)
            return rc;
    }
    return KNOOP_OK;
}

/* Keeps the external keys of person n as tombstones (keyed hashes) in ctx->txn. */
static int privacy__tombstones(cmd_ctx_t *ctx, const graph_node_t *n, knoop_error_t *err)
{
    msgpack_unpacked u;
    int rc = KNOOP_OK;
    if (n->props_len == 0)
        return KNOOP_OK;
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, n->props, n->props_len, NULL) != MSGPACK_UNPACK_SUCCESS ||
        u.data.type != MSGPACK_OBJECT_MAP) {
        msgpack_unpacked_destroy(&u);
        return knoop_error_set(err, KNOOP_ECORRUPT, "node %llu: props are not a map",
                               (unsigned long long)n->id);
    }
    for (int i = 0; graph_key_fields[i] != NULL && rc == KNOOP_OK; i++) {
        const char *v;
        size_t vl;
        if (proto_param_str(&u.data, graph_key_fields[i], &v, &vl))
            rc = store_txn_tomb_add(ctx->txn, v, vl, err);
    }
    msgpack_unpacked_destroy(&u);
    return rc;
}

int cmd_privacy_erase(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                      knoop_error_t *err)
{
    graph_node_t n;
    graph_ids_t edges = { 0 };
    uint64_t id;
    size_t entries = 0, k;
    int rc = privacy__person(ctx, p, &id, &n, err);
    if (rc == KNOOP_OK)
        rc = privacy__tombstones(ctx, &n, err);
    graph_node_clear(&n);
    if (rc != KNOOP_OK)
        return rc;
    /* The node and its edges (and the edges held on their behalf) go; their history entries,
     * this change's included, lose their data. */
    if ((rc = graph_node_delete_tx(ctx->txn, id, true, &edges, err)) != KNOOP_OK)
        goto out;
    if ((rc = store_txn_erase_history(ctx->txn, id, &k, err)) != KNOOP_OK)
        goto out;
    entries += k;
    for (size_t i = 0; i < edges.n; i++) {
        if ((rc = store_txn_erase_history(ctx->txn, edges.ids[i], &k, err)) != KNOOP_OK)
            goto out;
        entries += k;
    }
    /* The erasure itself, as the person's last history entry: no data, only the fact. */
    if ((rc = store_txn_history(ctx->txn, id, "erase", NULL, 0, NULL, 0)) != KNOOP_OK) {
        rc = knoop_error_set(err, rc, "out of memory");
        goto out;
    }
    if ((rc = graph_ids_push(&ctx->purge, id)) != KNOOP_OK) {
        rc = knoop_error_set(err, rc, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < edges.n && rc == KNOOP_OK; i++)
        if ((rc = graph_ids_push(&ctx->purge, edges.ids[i])) != KNOOP_OK)
            rc = knoop_error_set(err, rc, "out of memory");
    if (rc != KNOOP_OK)
        goto out;
    msgpack_pack_map(pk, 3);
    cmd_pack_cstr(pk, "erased");
    msgpack_pack_uint64(pk, id);
    cmd_pack_cstr(pk, "edges");
    msgpack_pack_uint64(pk, edges.n);
    cmd_pack_cstr(pk, "history_entries");
    msgpack_pack_uint64(pk, entries);
out:
    graph_ids_free(&edges);
    return rc;
}

/* Props that are not personal and survive anonymisation. */
static bool privacy__keep(const msgpack_object *key)
{
    static const char *const keep[] = { "example", NULL };
    for (int i = 0; keep[i] != NULL; i++)
        if (key->type == MSGPACK_OBJECT_STR && key->via.str.size == strlen(keep[i]) &&
            memcmp(key->via.str.ptr, keep[i], key->via.str.size) == 0)
            return true;
    return false;
}

/* Props to remove: all but those kept and the two that get the pseudonym. */
static bool privacy__drop(const msgpack_object *key)
{
    if (privacy__keep(key) || key->type != MSGPACK_OBJECT_STR)
        return false;
    return !((key->via.str.size == 7 && memcmp(key->via.str.ptr, "surname", 7) == 0) ||
             (key->via.str.size == 8 && memcmp(key->via.str.ptr, "initials", 8) == 0));
}

int cmd_privacy_anonymise(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                          knoop_error_t *err)
{
    graph_node_t n, after;
    uint64_t id;
    size_t k;
    char pseudonym[32];
    knoop_buf_t sb, hb;
    msgpack_packer sp, hp;
    msgpack_unpacked u;
    uint32_t unset = 0;
    int rc = privacy__person(ctx, p, &id, &n, err);
    if (rc != KNOOP_OK) {
        graph_node_clear(&n);
        return rc;
    }
    /* The pseudonym: a stable word from the id (letters only, as a surname must be). */
    {
        uint64_t x = id * 0x9E3779B97F4A7C15ULL;
        char *q = pseudonym + snprintf(pseudonym, sizeof(pseudonym), "Anoniem");
        for (int i = 0; i < 6; i++, x /= 26)
            *q++ = (char)('a' + x % 26);
        *q = '\0';
    }
    /* {set: {surname: pseudonym, initials: "X."}, unset: [every other prop but `example`]} */
    knoop_buf_init(&sb);
    knoop_buf_init(&hb);
    knoop_buf_packer(&sb, &sp);
    msgpack_pack_array(&sp, 2);
    msgpack_pack_map(&sp, 2);
    cmd_pack_cstr(&sp, "surname");
    cmd_pack_cstr(&sp, pseudonym);
    cmd_pack_cstr(&sp, "initials");
    cmd_pack_cstr(&sp, "X.");
    {
        msgpack_unpacked pu;
        const msgpack_object *m;
        msgpack_unpacked_init(&pu);
        if (msgpack_unpack_next(&pu, n.props, n.props_len, NULL) != MSGPACK_UNPACK_SUCCESS ||
            pu.data.type != MSGPACK_OBJECT_MAP) {
            msgpack_unpacked_destroy(&pu);
            graph_node_clear(&n);
            knoop_buf_destroy(&sb);
            return knoop_error_set(err, KNOOP_ECORRUPT, "node %llu: props are not a map",
                                   (unsigned long long)id);
        }
        m = &pu.data;
        for (uint32_t i = 0; i < m->via.map.size; i++)
            unset += privacy__drop(&m->via.map.ptr[i].key);
        msgpack_pack_array(&sp, unset);
        for (uint32_t i = 0; i < m->via.map.size; i++)
            if (privacy__drop(&m->via.map.ptr[i].key))
                msgpack_pack_object(&sp, m->via.map.ptr[i].key);
        msgpack_unpacked_destroy(&pu);
    }
    graph_node_clear(&n);
    msgpack_unpacked_init(&u);
    memset(&after, 0, sizeof(after));
    if (knoop_buf_failed(&sb) ||
        msgpack_unpack_next(&u, sb.data, sb.size, NULL) != MSGPACK_UNPACK_SUCCESS) {
        rc = knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = graph_node_update_tx(ctx->txn, id, &u.data.via.array.ptr[0], &u.data.via.array.ptr[1],
                                   0, &after, err)) != KNOOP_OK)
        goto out;
    /* The old names are in the history: erase it, then record the anonymous node as it is now
     * (the history's latest entry always shows the record). */
    if ((rc = store_txn_erase_history(ctx->txn, id, &k, err)) != KNOOP_OK)
        goto out;
    knoop_buf_packer(&hb, &hp);
    graph_node_pack(&hp, &after);
    if (knoop_buf_failed(&hb) ||
        store_txn_history(ctx->txn, id, "anonymise", NULL, 0, hb.data, hb.size) != KNOOP_OK ||
        graph_ids_push(&ctx->purge, id) != KNOOP_OK) {
        rc = knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
        goto out;
    }
    msgpack_pack_map(pk, 3);
    cmd_pack_cstr(pk, "anonymised");
    msgpack_pack_uint64(pk, id);
    cmd_pack_cstr(pk, "history_entries");
    msgpack_pack_uint64(pk, k);
    cmd_pack_cstr(pk, "node");
    graph_node_pack(pk, &after);
out:
    graph_node_clear(&after);
    msgpack_unpacked_destroy(&u);
    knoop_buf_destroy(&sb);
    knoop_buf_destroy(&hb);
    return rc;
}
