/*
 * cmd_query.c - idempotent upserts for imports (node.put, edge.put, postcode.put, places.sync)
 * (layer: cmd). The network questions (query.members, query.places and the others) are in
 * cmd_network.c and server/query/.
 *
 * Woonplaatsen and the postcode table live in the idx column family (keys encoded by the store,
 * layout in store_int.h). Every change of an entry writes a history entry under its
 * auxiliary-table id (store_hist_id).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "schema_check.h"

static void pack_bool(msgpack_packer *pk, const char *k, bool v)
{
    cmd_pack_cstr(pk, k);
    cmd_pack_bool(pk, v);
}

/* The external key among props (first of graph_key_fields with a string value). */
static bool find_key(const msgpack_object *props, const char **s, size_t *len)
{
    for (int i = 0; graph_key_fields[i] != NULL; i++)
        if (proto_param_str(props, graph_key_fields[i], s, len))
            return true;
    return false;
}

/* True when every entry of `set` equals the same entry of `old` (a props map). */
static bool props_unchanged(const msgpack_object *old, const msgpack_object *set)
{
    for (uint32_t i = 0; i < set->via.map.size; i++) {
        const msgpack_object *k = &set->via.map.ptr[i].key;
        char name[KNOOP_MAX_NAME_BYTES + 1];
        const msgpack_object *ov;
        if (k->type != MSGPACK_OBJECT_STR || k->via.str.size > KNOOP_MAX_NAME_BYTES)
            return false;
        memcpy(name, k->via.str.ptr, k->via.str.size);
        name[k->via.str.size] = '\0';
        ov = proto_param(old, name);
        if (set->via.map.ptr[i].val.type == MSGPACK_OBJECT_NIL) {
            if (ov != NULL)
                return false;
            continue;
        }
        if (ov == NULL || !msgpack_object_equal(*ov, set->via.map.ptr[i].val))
            return false;
    }
    return true;
}

/*
 * True when merging `set` into the stored props `old` would store exactly `old` again. The
 * schema normalises values ("(050) 367 91 11" is kept as "+31503679111"), so the merged map is
 * normalised before it is compared. Scratch memory comes from z.
 */
static bool props_same_as_stored(const store_view_t *view, schema_kind_t kind, const char *type,
                                 const msgpack_object *old, const msgpack_object *set,
                                 msgpack_zone *z)
{
    msgpack_object merged = { .type = MSGPACK_OBJECT_MAP }, norm;
    msgpack_object_kv *kvs;
    knoop_buf_t nb;
    knoop_error_t nerr;
    uint32_t cnt = 0;
    size_t off = 0;
    bool same = false;

    if (props_unchanged(old, set))
        return true;
    kvs = msgpack_zone_malloc(z, (old->via.map.size + set->via.map.size + 1) * sizeof(*kvs));
    if (kvs == NULL)
        return false;
    for (uint32_t i = 0; i < old->via.map.size; i++) {
        bool in_set = false;
        for (uint32_t j = 0; j < set->via.map.size && !in_set; j++)
            in_set = msgpack_object_equal(old->via.map.ptr[i].key, set->via.map.ptr[j].key);
        if (!in_set)
            kvs[cnt++] = old->via.map.ptr[i];
    }
    for (uint32_t j = 0; j < set->via.map.size; j++)
        if (set->via.map.ptr[j].val.type != MSGPACK_OBJECT_NIL)
            kvs[cnt++] = set->via.map.ptr[j];
    merged.via.map.size = cnt;
    merged.via.map.ptr = kvs;
    knoop_buf_init(&nb);
    if (cmd_domain_normalise(view, kind, type, &merged, &nb, &nerr) == KNOOP_OK && nb.size > 0 &&
        msgpack_unpack(nb.data, nb.size, &off, z, &norm) == MSGPACK_UNPACK_SUCCESS &&
        norm.type == MSGPACK_OBJECT_MAP && norm.via.map.size == old->via.map.size)
        same = props_unchanged(old, &norm);
    knoop_buf_destroy(&nb);
    return same;
}

int cmd_node_put(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    const msgpack_object *props = proto_param(p, "props");
    char type[KNOOP_MAX_NAME_BYTES + 1], q[96];
    const char *ks, *key;
    size_t kl, keylen;
    schema_kind_t kind;
    bool present, created = false, changed = false;
    graph_node_t n;
    store_txn_t *t = ctx->txn;
    uint64_t id;
    int rc;

    proto_param_str(p, "kind", &ks, &kl);
    if ((rc = schema_kind_parse(ks, kl, "params.kind", &kind, err)) != KNOOP_OK ||
        (rc = cmd_str_param(p, "type", type, sizeof(type), &present, err)) != KNOOP_OK)
        return rc;
    if (!find_key(props, &key, &keylen))
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params.props: node.put needs an external key (cbs_code, key, kvk "
                               "or oin) to find the node by");
    if ((rc = cmd_tomb_check(ctx, p, props, err)) != KNOOP_OK)
        return rc;
    memset(&n, 0, sizeof(n));
    rc = graph_node_by_key(ctx->store, ctx->view, key, keylen, &id, err);
    if (rc == KNOOP_ENOTFOUND) {
        rc = graph_node_create_tx(t, kind, type, props, &n, err);
        created = rc == KNOOP_OK;
    } else if (rc == KNOOP_OK) {
        graph_node_t old;
        rc = graph_node_get(ctx->store, ctx->view, id, &old, err);
        if (rc == KNOOP_OK && (old.kind != kind || strcmp(old.type, type) != 0)) {
            rc = knoop_error_set(err, KNOOP_ECONFLICT,
                                 "params.props: external key %s already names node %llu, a %s%s%s",
                                 knoop_repr(q, sizeof(q), key, keylen, 64), (unsigned long long)id,
                                 schema_kind_name(old.kind), old.type[0] ? " " : "", old.type);
        } else if (rc == KNOOP_OK) {
            msgpack_zone z;
            msgpack_object oldp = { .type = MSGPACK_OBJECT_MAP };
            size_t off = 0;
            msgpack_zone_init(&z, 1024);
            if (old.props_len > 0)
                msgpack_unpack(old.props, old.props_len, &off, &z, &oldp);
            bool same = props_same_as_stored(ctx->view, kind, type, &oldp, props, &z);
            if (same) {
                n = old;
                old.buf_ = NULL; /* ownership moves to n */
            } else {
                rc = graph_node_update_tx(t, id, props, NULL, 0, &n, err);
                changed = rc == KNOOP_OK;
            }
            msgpack_zone_destroy(&z);
        }
        graph_node_clear(&old);
    }
    if (rc != KNOOP_OK) {
        graph_node_clear(&n);
        return rc;
    }
    msgpack_pack_map(pk, 3);
    cmd_pack_cstr(pk, "node");
    graph_node_pack(pk, &n);
    pack_bool(pk, "created", created);
    pack_bool(pk, "changed", changed);
    graph_node_clear(&n);
    return KNOOP_OK;
}

typedef struct {
    uint64_t target, edge;
    schema_date_t from;
} put_find_t;

static int put_find_cb(void *arg, const graph_adj_t *a)
{
    put_find_t *f = arg;
    if (a->other == f->target && a->valid_from == f->from) {
        f->edge = a->edge;
        return 1;
    }
    return 0;
}

int cmd_edge_put(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    char type[KNOOP_MAX_NAME_BYTES + 1];
    graph_filter_t f = { .dir = GRAPH_OUT };
    put_find_t pf = { 0 };
    uint64_t src;
    bool present;
    int rc;

    if ((rc = cmd_str_param(p, "type", type, sizeof(type), &present, err)) != KNOOP_OK ||
        (rc = cmd_node_ref(ctx, p, "source", &src, err)) != KNOOP_OK ||
        (rc = cmd_node_ref(ctx, p, "target", &pf.target, err)) != KNOOP_OK ||
        (rc = cmd_date_param(p, "valid_from", &pf.from, &present, err)) != KNOOP_OK)
        return rc;
    f.type = type;
    rc = graph_adj_scan(ctx->store, ctx->view, src, &f, put_find_cb, &pf, err);
    if (rc != KNOOP_OK)
        return rc;
    if (pf.edge != 0) {
        /* The same role again: correct what differs (attributes given, valid_to when given);
         * unchanged, nothing is written. */
        graph_edge_t e;
        schema_date_t to;
        bool has_to, changed = false;
        if ((rc = cmd_date_param(p, "valid_to", &to, &has_to, err)) != KNOOP_OK ||
            (rc = cmd_edge_guard(ctx, "edge.put", pf.edge, err)) != KNOOP_OK)
            return rc;
        memset(&e, 0, sizeof(e));
        rc = graph_edge_update_tx(ctx->txn, pf.edge, proto_param(p, "props"), NULL, NULL,
                                  has_to ? &to : NULL, NULL, &changed, &e, err);
        if (rc != KNOOP_OK) {
            graph_edge_clear(&e);
            return rc;
        }
        msgpack_pack_map(pk, 3);
        cmd_pack_cstr(pk, "edge");
        graph_edge_pack(pk, &e);
        pack_bool(pk, "created", false);
        pack_bool(pk, "changed", changed);
        graph_edge_clear(&e);
        return KNOOP_OK;
    }
    msgpack_pack_map(pk, 3);
    cmd_pack_cstr(pk, "edge");
    /* edge.create's handler checks the same parameters (minus none) and packs the edge. */
    {
        knoop_buf_t sb;
        msgpack_packer epk;
        knoop_buf_init(&sb);
        msgpack_packer_init(&epk, &sb, knoop_buf_write);
        rc = cmd_edge_create(ctx, p, &epk, err);
        if (rc == KNOOP_OK)
            pk->callback(pk->data, sb.data, sb.size);
        knoop_buf_destroy(&sb);
    }
    if (rc != KNOOP_OK)
        return rc;
    pack_bool(pk, "created", true);
    pack_bool(pk, "changed", false);
    return KNOOP_OK;
}

int cmd_postcode_put(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err)
{
    char pc[16], place[256], gem[16];
    unsigned char key[STORE_POSTCODE_KEY_LEN];
    bool present, has_gem, created = true, changed = false;
    knoop_buf_t sb;
    msgpack_packer spk;
    store_txn_t *t = ctx->txn;
    void *old;
    size_t oldlen, kl;
    int rc;
    unsigned pc4;

    if ((rc = cmd_str_param(p, "postcode", pc, sizeof(pc), &present, err)) != KNOOP_OK ||
        (rc = cmd_str_param(p, "place", place, sizeof(place), &present, err)) != KNOOP_OK ||
        (rc = cmd_str_param(p, "gemeente", gem, sizeof(gem), &has_gem, err)) != KNOOP_OK)
        return rc;
    if (strlen(pc) != 4)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params.postcode: the table holds PC4 areas: expected 4 digits, "
                               "got '%s'",
                               pc);
    if ((rc = schema_pc4_parse(pc, 4, "params.postcode", &pc4, err)) != KNOOP_OK)
        return rc;
    if (has_gem && gem[0] != '\0') {
        char norm[8];
        if ((rc = schema_cbs_gemeentecode_check(gem, strlen(gem), "params.gemeente", norm, err)) !=
            KNOOP_OK)
            return rc;
        snprintf(gem, sizeof(gem), "%s", norm);
    }
    kl = store_key_postcode(key, pc);
    knoop_buf_init(&sb);
    msgpack_packer_init(&spk, &sb, knoop_buf_write);
    msgpack_pack_map(&spk, gem[0] ? 2 : 1);
    cmd_pack_cstr(&spk, "place");
    cmd_pack_cstr(&spk, place);
    if (gem[0]) {
        cmd_pack_cstr(&spk, "gemeente");
        cmd_pack_cstr(&spk, gem);
    }
    if (sb.data == NULL || knoop_buf_failed(&sb)) {
        knoop_buf_destroy(&sb);
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    }
    old = NULL;
    rc = store_get(ctx->store, ctx->view, KV_CF_IDX, key, kl, &old, &oldlen, err);
    if (rc == KNOOP_OK) {
        created = false;
        changed = oldlen != sb.size || memcmp(old, sb.data, sb.size) != 0;
    } else if (rc == KNOOP_ENOTFOUND) {
        rc = KNOOP_OK;
    }
    if (rc == KNOOP_OK && (created || changed)) {
        rc = store_txn_put(t, KV_CF_IDX, key, kl, sb.data, sb.size);
        if (rc == KNOOP_OK)
            rc = store_txn_history(t, store_hist_id('p', pc4), created ? "create" : "update", old,
                                   oldlen, sb.data, sb.size);
        if (rc == KNOOP_ENOMEM)
            knoop_error_set(err, rc, "out of memory");
    }
    kv_free(old);
    knoop_buf_destroy(&sb);
    if (rc != KNOOP_OK)
        return rc;
    msgpack_pack_map(pk, 2);
    pack_bool(pk, "created", created);
    pack_bool(pk, "changed", changed);
    return KNOOP_OK;
}

/* ---- woonplaatsen ---- */

/* Puts the entry of place pl under its gemeente: 'W' gemeente code -> pl (its period there). */
static int place_index_put(store_txn_t *t, const graph_place_t *pl)
{
    unsigned char gk[32];
    knoop_buf_t sb;
    msgpack_packer pk;
    int rc = KNOOP_ENOMEM;
    knoop_buf_init(&sb);
    msgpack_packer_init(&pk, &sb, knoop_buf_write);
    graph_place_pack(&pk, pl);
    if (!knoop_buf_failed(&sb) && sb.data != NULL)
        rc = store_txn_put(
            t, KV_CF_IDX, gk,
            store_key_place_of(gk, pl->gemeente, strlen(pl->gemeente), pl->code, true), sb.data,
            sb.size);
    knoop_buf_destroy(&sb);
    return rc;
}

/*
 * Writes place pl (its record and its gemeente's index entry), with a history entry: op
 * "create" when before is NULL, else op (before is the place as it was).
 */
static int place_write(store_txn_t *t, const graph_place_t *pl, const char *op,
                       const graph_place_t *before)
{
    unsigned char k[STORE_PLACE_KEY_LEN];
    knoop_buf_t sb, bb;
    msgpack_packer pk;
    int rc = KNOOP_ENOMEM;
    knoop_buf_init(&sb);
    knoop_buf_init(&bb);
    msgpack_packer_init(&pk, &sb, knoop_buf_write);
    graph_place_pack(&pk, pl);
    if (before != NULL) {
        msgpack_packer_init(&pk, &bb, knoop_buf_write);
        graph_place_pack(&pk, before);
    }
    if (!knoop_buf_failed(&sb) && !knoop_buf_failed(&bb) && sb.data != NULL &&
        (before == NULL || bb.data != NULL)) {
        store_key_place(k, pl->code);
        rc = store_txn_put(t, KV_CF_IDX, k, sizeof(k), sb.data, sb.size);
        if (rc == KNOOP_OK)
            rc = place_index_put(t, pl);
        if (rc == KNOOP_OK)
            rc = store_txn_history(t, store_hist_id('w', pl->code), before ? op : "create",
                                   before ? bb.data : NULL, bb.size, sb.data, sb.size);
    }
    knoop_buf_destroy(&sb);
    knoop_buf_destroy(&bb);
    return rc;
}

int cmd_place_move(store_txn_t *t, const graph_place_t *cur, const char *gemeente, const char *name,
                   schema_date_t on, graph_place_t *moved)
{
    graph_place_t was = *cur;
    int rc;
    /* Its period at the old gemeente ends on `on` and stays listed there. */
    was.to = on > cur->from ? on : cur->from;
    if ((rc = place_index_put(t, &was)) != KNOOP_OK)
        return rc;
    *moved = *cur;
    snprintf(moved->gemeente, sizeof(moved->gemeente), "%s", gemeente);
    if (name != NULL)
        snprintf(moved->name, sizeof(moved->name), "%s", name);
    moved->from = on;
    moved->to = SCHEMA_DATE_OPEN;
    return place_write(t, moved, "move", cur);
}

static int place_cmp(const void *a, const void *b)
{
    uint32_t x = ((const graph_place_t *)a)->code, y = ((const graph_place_t *)b)->code;
    return x < y ? -1 : x > y;
}

int cmd_places_sync(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    const msgpack_object *arr = proto_param(p, "places");
    graph_place_t *in = NULL;
    schema_date_t on;
    bool present;
    store_txn_t *t = ctx->txn;
    knoop_buf_t added, ended;
    msgpack_packer apk, epk;
    size_t nin, nadd = 0, nend = 0, nsame = 0;
    store_iter_t *it = NULL;
    unsigned char lo[1] = { STORE_IDX_PLACE }, hi[1] = { STORE_IDX_PLACE + 1 };
    int rc;

    if ((rc = cmd_date_param(p, "on", &on, &present, err)) != KNOOP_OK)
        return rc;
    nin = arr->via.array.size;
    in = knoop_calloc(nin ? nin : 1, sizeof(*in));
    if (in == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    for (size_t i = 0; i < nin; i++) {
        const msgpack_object *o = &arr->via.array.ptr[i];
        uint64_t code;
        char f[64], norm[8];
        const char *s;
        size_t sl;
        snprintf(f, sizeof(f), "params.places[%zu]", i);
        if (o->type != MSGPACK_OBJECT_MAP || !proto_param_u64(o, "code", &code) || code == 0 ||
            code > UINT32_MAX || !proto_param_str(o, "name", &s, &sl) || sl == 0 ||
            sl >= sizeof(in[i].name)) {
            rc = knoop_error_set(err, KNOOP_EINVAL,
                                 "%s: expected {code: woonplaatscode, name, gemeente}", f);
            goto out;
        }
        in[i].code = (uint32_t)code;
        snprintf(in[i].name, sizeof(in[i].name), "%.*s", (int)sl, s);
        if (!proto_param_str(o, "gemeente", &s, &sl)) {
            rc = knoop_error_set(err, KNOOP_EINVAL, "%s.gemeente: required", f);
            goto out;
        }
        snprintf(f, sizeof(f), "params.places[%zu].gemeente", i);
        if ((rc = schema_cbs_gemeentecode_check(s, sl, f, norm, err)) != KNOOP_OK)
            goto out;
        snprintf(in[i].gemeente, sizeof(in[i].gemeente), "%s", norm);
        in[i].from = on;
        in[i].to = SCHEMA_DATE_OPEN;
    }
    qsort(in, nin, sizeof(*in), place_cmp);
    for (size_t i = 1; i < nin; i++)
        if (in[i].code == in[i - 1].code) {
            rc = knoop_error_set(err, KNOOP_EINVAL, "params.places: woonplaatscode %u given twice",
                                 (unsigned)in[i].code);
            goto out;
        }
    knoop_buf_init(&added);
    knoop_buf_init(&ended);
    msgpack_packer_init(&apk, &added, knoop_buf_write);
    msgpack_packer_init(&epk, &ended, knoop_buf_write);
    /* Merge the sorted input with the stored places (sorted by code). Collect first, write
     * after the iterator is gone. */
    {
        graph_place_t *stored = NULL;
        size_t ns = 0, cap = 0, i = 0, j = 0;
        it = store_iter(ctx->store, ctx->view, KV_CF_IDX, lo, 1, hi, 1);
        if (it == NULL)
            rc = KNOOP_ENOMEM;
        for (; it != NULL && store_iter_valid(it) && rc == KNOOP_OK; store_iter_next(it)) {
            size_t kl, vl;
            const unsigned char *k = store_iter_key(it, &kl);
            const void *v = store_iter_value(it, &vl);
            if (kl != STORE_PLACE_KEY_LEN)
                continue;
            if (ns == cap) {
                graph_place_t *np =
                    knoop_realloc(stored, (cap = cap ? cap * 2 : 1024) * sizeof(*np));
                if (np == NULL) {
                    rc = KNOOP_ENOMEM;
                    break;
                }
                stored = np;
            }
            if ((rc = graph_place_decode(store_get_u32(k + 1), v, vl, &stored[ns])) != KNOOP_OK)
                break;
            ns++;
        }
        if (rc == KNOOP_OK && it != NULL)
            rc = store_iter_status(it, err);
        store_iter_free(it);
        it = NULL;
        while (rc == KNOOP_OK && (i < nin || j < ns)) {
            if ((rc = cmd_check_deadline(ctx, err)) != KNOOP_OK)
                break;
            if (j == ns || (i < nin && in[i].code < stored[j].code)) {
                if ((rc = place_write(t, &in[i], "create", NULL)) != KNOOP_OK)
                    break;
                graph_place_pack(&apk, &in[i]);
                nadd++;
                i++;
            } else if (i == nin || stored[j].code < in[i].code) {
                if (stored[j].to == SCHEMA_DATE_OPEN) {
                    graph_place_t was = stored[j];
                    stored[j].to = on > stored[j].from ? on : stored[j].from;
                    if ((rc = place_write(t, &stored[j], "end", &was)) != KNOOP_OK)
                        break;
                    graph_place_pack(&epk, &stored[j]);
                    nend++;
                }
                j++;
            } else {
                /* Known code: unchanged while open with the same name and gemeente; a place that
                 * had ended and comes back starts anew. */
                graph_place_t *s0 = &stored[j];
                if (s0->to != SCHEMA_DATE_OPEN) {
                    /* Ended and back: a new period from `on` (the ended one stays listed at
                     * its gemeente when it comes back elsewhere). */
                    if ((rc = place_write(t, &in[i], "update", s0)) != KNOOP_OK)
                        break;
                    graph_place_pack(&apk, &in[i]);
                    nadd++;
                } else if (strcmp(s0->gemeente, in[i].gemeente) != 0) {
                    /* Moved: ended at the old gemeente, started at the new one on `on`; history
                     * at the old gemeente is kept. */
                    graph_place_t moved;
                    if ((rc = cmd_place_move(t, s0, in[i].gemeente, in[i].name, on, &moved)) !=
                        KNOOP_OK)
                        break;
                    graph_place_pack(&apk, &moved);
                    nadd++;
                } else if (strcmp(s0->name, in[i].name) != 0) {
                    /* Renamed: the same place, still there since its start. */
                    graph_place_t renamed = *s0;
                    snprintf(renamed.name, sizeof(renamed.name), "%s", in[i].name);
                    if ((rc = place_write(t, &renamed, "update", s0)) != KNOOP_OK)
                        break;
                    graph_place_pack(&apk, &renamed);
                    nadd++;
                } else {
                    nsame++;
                }
                i++;
                j++;
            }
        }
        knoop_free(stored);
    }
    if (rc == KNOOP_OK) {
        msgpack_pack_map(pk, 3);
        cmd_pack_cstr(pk, "added");
        msgpack_pack_array(pk, (uint32_t)nadd);
        pk->callback(pk->data, added.data, added.size);
        cmd_pack_cstr(pk, "ended");
        msgpack_pack_array(pk, (uint32_t)nend);
        pk->callback(pk->data, ended.data, ended.size);
        cmd_pack_cstr(pk, "unchanged");
        msgpack_pack_uint64(pk, nsame);
    } else if (rc == KNOOP_ENOMEM) {
        knoop_error_set(err, rc, "out of memory");
    }
    knoop_buf_destroy(&added);
    knoop_buf_destroy(&ended);
out:
    knoop_free(in);
    return rc;
}
