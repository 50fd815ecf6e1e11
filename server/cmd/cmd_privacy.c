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
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "query.h"

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

/*
 * The erasure of node id in ctx->txn (the common path of privacy.erase and privacy.retention):
 * the node and its edges (and the edges held on their behalf) go; their history entries lose
 * their data; an "erase" entry records the fact; the ids are queued for the purge. Adds the
 * number of edges and of erased history entries to *nedges and *entries.
 */
static int privacy__erase_node(cmd_ctx_t *ctx, uint64_t id, size_t *nedges, size_t *entries,
                               knoop_error_t *err)
{
    graph_ids_t edges = { 0 };
    size_t k;
    int rc;
    rc = graph_node_erase_tx(ctx->txn, id, &edges, err);
    if (rc != KNOOP_OK)
        goto out;
    if ((rc = store_txn_erase_history(ctx->txn, id, &k, err)) != KNOOP_OK)
        goto out;
    *entries += k;
    for (size_t i = 0; i < edges.n; i++) {
        if ((rc = store_txn_erase_history(ctx->txn, edges.ids[i], &k, err)) != KNOOP_OK)
            goto out;
        *entries += k;
    }
    /* The erasure itself, as the entity's last history entry: no data, only the fact. */
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
    *nedges += edges.n;
out:
    graph_ids_free(&edges);
    return rc;
}

int cmd_privacy_erase(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                      knoop_error_t *err)
{
    graph_node_t n;
    uint64_t id;
    size_t entries = 0, nedges = 0;
    int rc = privacy__person(ctx, p, &id, &n, err);
    if (rc == KNOOP_OK)
        rc = privacy__tombstones(ctx, &n, err);
    graph_node_clear(&n);
    if (rc != KNOOP_OK)
        return rc;
    if ((rc = privacy__erase_node(ctx, id, &nedges, &entries, err)) != KNOOP_OK)
        return rc;
    msgpack_pack_map(pk, 3);
    cmd_pack_cstr(pk, "erased");
    msgpack_pack_uint64(pk, id);
    cmd_pack_cstr(pk, "edges");
    msgpack_pack_uint64(pk, nedges);
    cmd_pack_cstr(pk, "history_entries");
    msgpack_pack_uint64(pk, entries);
    return KNOOP_OK;
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

/*
 * privacy.export: everything held about a person, JSON-ready (binary values as hex, only string
 * keys): the node, its edges with the other ends' names and their history, the node's history
 * and the audit entries that name it. Recorded as a read of the person.
 */

/* Packs o with binary values as lowercase hex (JSON has no bytes); extension values as nil. */
static void privacy__pack_json(msgpack_packer *pk, const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_BIN: {
        char hex[2 * 64 + 1];
        size_t n = o->via.bin.size > 64 ? 64 : o->via.bin.size;
        sodium_bin2hex(hex, sizeof(hex), (const unsigned char *)o->via.bin.ptr, n);
        cmd_pack_cstr(pk, hex);
        break;
    }
    case MSGPACK_OBJECT_EXT:
        msgpack_pack_nil(pk);
        break;
    case MSGPACK_OBJECT_ARRAY:
        msgpack_pack_array(pk, o->via.array.size);
        for (uint32_t i = 0; i < o->via.array.size; i++)
            privacy__pack_json(pk, &o->via.array.ptr[i]);
        break;
    case MSGPACK_OBJECT_MAP:
        msgpack_pack_map(pk, o->via.map.size);
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            privacy__pack_json(pk, &o->via.map.ptr[i].key);
            privacy__pack_json(pk, &o->via.map.ptr[i].val);
        }
        break;
    default:
        msgpack_pack_object(pk, *o);
    }
}

/* Entries packed JSON-ready into a buffer while counted (then appended as one array). */
typedef struct {
    knoop_buf_t buf;
    msgpack_packer pk;
    uint32_t n;
    uint64_t id; /* audit entries: keep those whose ids hold this id */
} privacy__list_t;

static void privacy__list_init(privacy__list_t *l, uint64_t id)
{
    knoop_buf_init(&l->buf);
    knoop_buf_packer(&l->buf, &l->pk);
    l->n = 0;
    l->id = id;
}

/* Appends the list to pk as an array. */
static void privacy__list_put(msgpack_packer *pk, const privacy__list_t *l)
{
    msgpack_pack_array(pk, l->n);
    if (l->buf.size > 0)
        pk->callback(pk->data, l->buf.data, l->buf.size);
}

static int privacy__hist_cb(void *arg, const void *entry, size_t len)
{
    privacy__list_t *l = arg;
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, entry, len, NULL) == MSGPACK_UNPACK_SUCCESS) {
        privacy__pack_json(&l->pk, &u.data);
        l->n++;
    }
    msgpack_unpacked_destroy(&u);
    return 0;
}

static int privacy__audit_cb(void *arg, uint64_t no, const void *entry, size_t len)
{
    privacy__list_t *l = arg;
    msgpack_unpacked u;
    const msgpack_object *ids;
    (void)no;
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, entry, len, NULL) == MSGPACK_UNPACK_SUCCESS &&
        u.data.type == MSGPACK_OBJECT_MAP && (ids = proto_param(&u.data, "ids")) != NULL &&
        ids->type == MSGPACK_OBJECT_ARRAY) {
        for (uint32_t i = 0; i < ids->via.array.size; i++)
            if (ids->via.array.ptr[i].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
                ids->via.array.ptr[i].via.u64 == l->id) {
                privacy__pack_json(&l->pk, &u.data);
                l->n++;
                break;
            }
    }
    msgpack_unpacked_destroy(&u);
    return 0;
}

typedef struct {
    graph_ids_t ids;
    int rc;
} privacy__edges_t;

static int privacy__edge_cb(void *arg, const graph_adj_t *a)
{
    privacy__edges_t *l = arg;
    for (size_t i = 0; i < l->ids.n; i++)
        if (l->ids.ids[i] == a->edge)
            return 0; /* a self-loop: both of its entries */
    l->rc = graph_ids_push(&l->ids, a->edge);
    return l->rc != KNOOP_OK;
}

/* Packs one edge of the person: {edge, other: {id, kind, type, name}, history}. */
static int privacy__pack_edge(cmd_ctx_t *ctx, uint64_t person, uint64_t eid, msgpack_packer *pk,
                              knoop_error_t *err)
{
    graph_edge_t e;
    graph_node_t o;
    privacy__list_t h;
    char name[256];
    uint64_t other;
    int rc = graph_edge_get(ctx->store, ctx->view, eid, &e, err);
    if (rc != KNOOP_OK)
        return rc;
    other = e.source == person ? e.target : e.source;
    if ((rc = graph_node_get(ctx->store, ctx->view, other, &o, err)) != KNOOP_OK) {
        graph_edge_clear(&e);
        return rc;
    }
    privacy__list_init(&h, 0);
    rc = store_hist_scan(ctx->store, ctx->view, eid, privacy__hist_cb, &h, err);
    if (rc == KNOOP_OK) {
        msgpack_pack_map(pk, 4);
        cmd_pack_cstr(pk, "edge");
        graph_edge_pack(pk, &e);
        cmd_pack_cstr(pk, "direction");
        cmd_pack_cstr(pk, e.source == person ? "out" : "in");
        cmd_pack_cstr(pk, "other");
        msgpack_pack_map(pk, 4);
        cmd_pack_cstr(pk, "id");
        msgpack_pack_uint64(pk, other);
        cmd_pack_cstr(pk, "kind");
        cmd_pack_cstr(pk, schema_kind_name(o.kind));
        cmd_pack_cstr(pk, "type");
        cmd_pack_cstr(pk, o.type);
        cmd_pack_cstr(pk, "name");
        cmd_pack_cstr(pk, query_node_name(&o, name, sizeof(name)));
        cmd_pack_cstr(pk, "history");
        privacy__list_put(pk, &h);
        if (knoop_buf_failed(&h.buf))
            rc = knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    }
    knoop_buf_destroy(&h.buf);
    graph_node_clear(&o);
    graph_edge_clear(&e);
    return rc;
}

int cmd_privacy_export(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                       knoop_error_t *err)
{
    graph_node_t n;
    privacy__edges_t edges = { .rc = KNOOP_OK };
    privacy__list_t hist, audit;
    uint64_t id;
    int rc = privacy__person(ctx, p, &id, &n, err);
    privacy__list_init(&hist, id);
    privacy__list_init(&audit, id);
    if (rc != KNOOP_OK)
        goto out;
    rc = graph_adj_scan(ctx->store, ctx->view, id, NULL, privacy__edge_cb, &edges, err);
    if (rc == KNOOP_OK && edges.rc != KNOOP_OK)
        rc = knoop_error_set(err, edges.rc, "out of memory");
    if (rc == KNOOP_OK)
        rc = store_hist_scan(ctx->store, ctx->view, id, privacy__hist_cb, &hist, err);
    if (rc == KNOOP_OK)
        rc = store_audit_scan(ctx->store, ctx->view, 1, privacy__audit_cb, &audit, err);
    if (rc == KNOOP_OK && (knoop_buf_failed(&hist.buf) || knoop_buf_failed(&audit.buf)))
        rc = knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    if (rc != KNOOP_OK)
        goto out;
    msgpack_pack_map(pk, 5);
    cmd_pack_cstr(pk, "id");
    msgpack_pack_uint64(pk, id);
    cmd_pack_cstr(pk, "node");
    graph_node_pack(pk, &n);
    cmd_pack_cstr(pk, "edges");
    msgpack_pack_array(pk, (uint32_t)edges.ids.n);
    for (size_t i = 0; i < edges.ids.n && rc == KNOOP_OK; i++)
        rc = privacy__pack_edge(ctx, id, edges.ids.ids[i], pk, err);
    if (rc != KNOOP_OK)
        goto out;
    cmd_pack_cstr(pk, "history");
    privacy__list_put(pk, &hist);
    cmd_pack_cstr(pk, "audit");
    privacy__list_put(pk, &audit);
    cmd_audit_note(ctx, id);
out:
    graph_node_clear(&n);
    graph_ids_free(&edges.ids);
    knoop_buf_destroy(&hist.buf);
    knoop_buf_destroy(&audit.buf);
    return rc;
}

/*
 * privacy.retention {kind: "contact", older_than_days | older_than, dry_run?}: erases every
 * klantcontact whose plaatsgevondenOp lies before the cut-off (now minus the age) through
 * privacy__erase_node, in one transaction. Each run, a dry run or one that finds nothing
 * included, writes one history entry of the retention table (op "retention", after {rule, kind,
 * older_than, older_than_days, cutoff, dry_run, count, ids}), so that it is one change entry of
 * the audit trail: who, when, why, which rule, which cut-off, how many, which ids. A klantcontact
 * whose instant cannot be read is kept (counted as undated). knoopd's scheduled job (--retention)
 * runs its rules through this same method.
 */

/* Largest count per unit: a hundred years; beyond that, a typo. */
static uint32_t privacy__age_max(char unit)
{
    switch (unit) {
    case 'd':
        return 36500;
    case 'w':
        return 5214;
    case 'm':
        return 1200;
    case 'y':
        return 100;
    default:
        return 0;
    }
}

/* Parses an age "N" + unit (d, w, m, y) of len bytes into r->n, r->unit; field names it. */
static int privacy__age_parse(const char *s, size_t len, const char *field, cmd_retention_rule_t *r,
                              knoop_error_t *err)
{
    char q[96];
    uint64_t n = 0;
    size_t i = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9' && n <= 1000000)
        n = n * 10 + (uint64_t)(s[i++] - '0');
    if (i == 0 || i + 1 != len || privacy__age_max(s[i]) == 0)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "%s: expected an age such as 30d, 6w, 18m or 5y (days, weeks, "
                               "months, years), got %s",
                               field, knoop_repr(q, sizeof(q), s, len, 32));
    if (n < 1 || n > privacy__age_max(s[i]))
        return knoop_error_set(err, KNOOP_EINVAL, "%s: expected 1 to %u%c, got %s", field,
                               (unsigned)privacy__age_max(s[i]), s[i],
                               knoop_repr(q, sizeof(q), s, len, 32));
    r->n = (uint32_t)n;
    r->unit = s[i];
    return KNOOP_OK;
}

/* The kinds a rule may name: klantcontacten (as contact or klantcontact). */
static int privacy__kind_parse(const char *s, size_t len, const char *field,
                               cmd_retention_rule_t *r, knoop_error_t *err)
{
    char q[96];
    if (!((len == 7 && memcmp(s, "contact", 7) == 0) ||
          (len == 12 && memcmp(s, "klantcontact", 12) == 0)))
        return knoop_error_set(err, KNOOP_EINVAL, "%s: expected 'contact' (klantcontacten), got %s",
                               field, knoop_repr(q, sizeof(q), s, len, 64));
    snprintf(r->kind, sizeof(r->kind), "contact");
    return KNOOP_OK;
}

static void privacy__rule_text(cmd_retention_rule_t *r)
{
    snprintf(r->text, sizeof(r->text), "%s %u%c", r->kind, (unsigned)r->n, r->unit);
}

int cmd_retention_rule_parse(const char *text, cmd_retention_rule_t *out, knoop_error_t *err)
{
    const char *k = text, *a;
    size_t kl, al;
    int rc;
    memset(out, 0, sizeof(*out));
    while (*k == ' ' || *k == '\t')
        k++;
    kl = strcspn(k, " \t");
    a = k + kl;
    while (*a == ' ' || *a == '\t')
        a++;
    al = strcspn(a, " \t");
    if (kl == 0 || al == 0 || a[al + strspn(a + al, " \t")] != '\0')
        return knoop_error_set(err, KNOOP_EINVAL,
                               "retention: expected 'KIND AGE' such as 'contact 5y', got '%.64s'",
                               text);
    if ((rc = privacy__kind_parse(k, kl, "retention: kind", out, err)) != KNOOP_OK ||
        (rc = privacy__age_parse(a, al, "retention: age", out, err)) != KNOOP_OK)
        return rc;
    privacy__rule_text(out);
    return KNOOP_OK;
}

int64_t cmd_retention_cutoff(const cmd_retention_rule_t *r, int64_t now_ms)
{
    struct tm tm;
    time_t secs = (time_t)(now_ms / 1000);
    int64_t ms = now_ms % 1000;
    if (r->unit == 'd' || r->unit == 'w')
        return now_ms - (int64_t)r->n * (r->unit == 'w' ? 7 : 1) * 86400000;
    /* Calendar months and years, in UTC: 5y before 2026-12-02T13:00Z is 2021-12-02T13:00Z (a
     * day that does not exist, 29 February or the 31st, rolls over into the next month). */
    gmtime_r(&secs, &tm);
    if (r->unit == 'y')
        tm.tm_year -= (int)r->n;
    else
        tm.tm_mon -= (int)r->n;
    return (int64_t)timegm(&tm) * 1000 + ms;
}

int cmd_privacy_retention(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                          knoop_error_t *err)
{
    const char *kind, *age;
    size_t kl, al, nedges = 0, entries = 0, undated = 0, nold = 0, ncontacts = 0;
    uint64_t days = 0;
    bool dry = false, more, has_days, has_age;
    graph_ids_t all = { 0 };
    uint64_t *old = NULL;
    int64_t cutoff;
    char cts[32], rs[32];
    cmd_retention_rule_t rule;
    knoop_buf_t hb;
    msgpack_packer hp;
    int rc;

    if (ctx->in_batch)
        return knoop_error_set(err, KNOOP_EINVAL, "privacy methods cannot be part of a batch");
    memset(&rule, 0, sizeof(rule));
    proto_param_str(p, "kind", &kind, &kl);
    if ((rc = privacy__kind_parse(kind, kl, "params.kind", &rule, err)) != KNOOP_OK)
        return rc;
    has_days = proto_param_u64(p, "older_than_days", &days);
    has_age = proto_param_str(p, "older_than", &age, &al);
    if (has_days == has_age)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params.older_than: give either older_than (30d, 6w, 18m, 5y) or "
                               "older_than_days");
    if (has_age && (rc = privacy__age_parse(age, al, "params.older_than", &rule, err)) != KNOOP_OK)
        return rc;
    if (has_days) {
        if (days < 1 || days > privacy__age_max('d'))
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "params.older_than_days: expected 1 to %u, got %llu",
                                   (unsigned)privacy__age_max('d'), (unsigned long long)days);
        rule.n = (uint32_t)days;
        rule.unit = 'd';
    }
    privacy__rule_text(&rule);
    snprintf(rs, sizeof(rs), "%u%c", (unsigned)rule.n, rule.unit);
    proto_param_bool(p, "dry_run", &dry);
    cutoff = cmd_retention_cutoff(&rule, store_txn_time(ctx->txn));
    store_format_ts(cutoff, cts);

    /* Find first (no iterator may live while the transaction writes), then erase. */
    if ((rc = graph_node_find(ctx->store, ctx->view, SCHEMA_KIND_CONTACT, NULL, NULL, SIZE_MAX,
                              &all, &more, err)) != KNOOP_OK)
        goto out;
    if (all.n > 0 && (old = knoop_malloc(all.n * sizeof(*old))) == NULL) {
        rc = knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < all.n; i++) {
        graph_node_t n;
        int64_t ms;
        if ((rc = cmd_check_deadline(ctx, err)) != KNOOP_OK ||
            (rc = graph_node_get(ctx->store, ctx->view, all.ids[i], &n, err)) != KNOOP_OK)
            goto out;
        if (cmd_contact_time_ms(&n, &ms)) {
            ncontacts++;
            if (ms == 0)
                undated++;
            else if (ms < cutoff)
                old[nold++] = all.ids[i];
        }
        graph_node_clear(&n);
    }
    for (size_t i = 0; i < nold && !dry; i++)
        if ((rc = cmd_check_deadline(ctx, err)) != KNOOP_OK ||
            (rc = privacy__erase_node(ctx, old[i], &nedges, &entries, err)) != KNOOP_OK)
            goto out;

    /* The run itself: one history entry, so one audit fact. */
    knoop_buf_init(&hb);
    knoop_buf_packer(&hb, &hp);
    msgpack_pack_map(&hp, 8);
    cmd_pack_cstr(&hp, "rule");
    cmd_pack_cstr(&hp, rule.text);
    cmd_pack_cstr(&hp, "kind");
    cmd_pack_cstr(&hp, "contact");
    cmd_pack_cstr(&hp, "older_than");
    cmd_pack_cstr(&hp, rs);
    cmd_pack_cstr(&hp, "older_than_days");
    if (rule.unit == 'd')
        msgpack_pack_uint64(&hp, rule.n);
    else
        msgpack_pack_nil(&hp);
    cmd_pack_cstr(&hp, "cutoff");
    cmd_pack_cstr(&hp, cts);
    cmd_pack_cstr(&hp, "dry_run");
    cmd_pack_bool(&hp, dry);
    cmd_pack_cstr(&hp, "count");
    msgpack_pack_uint64(&hp, nold);
    cmd_pack_cstr(&hp, "ids");
    msgpack_pack_array(&hp, (uint32_t)nold);
    for (size_t i = 0; i < nold; i++)
        msgpack_pack_uint64(&hp, old[i]);
    if (knoop_buf_failed(&hb) || store_txn_history(ctx->txn, store_hist_id('r', 1), "retention",
                                                   NULL, 0, hb.data, hb.size) != KNOOP_OK)
        rc = knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    knoop_buf_destroy(&hb);
    if (rc != KNOOP_OK)
        goto out;

    msgpack_pack_map(pk, 10);
    cmd_pack_cstr(pk, "rule");
    cmd_pack_cstr(pk, rule.text);
    cmd_pack_cstr(pk, "kind");
    cmd_pack_cstr(pk, "contact");
    cmd_pack_cstr(pk, "count");
    msgpack_pack_uint64(pk, nold);
    cmd_pack_cstr(pk, "cutoff");
    cmd_pack_cstr(pk, cts);
    cmd_pack_cstr(pk, "dry_run");
    cmd_pack_bool(pk, dry);
    cmd_pack_cstr(pk, dry ? "would_erase" : "erased");
    msgpack_pack_array(pk, (uint32_t)nold);
    for (size_t i = 0; i < nold; i++)
        msgpack_pack_uint64(pk, old[i]);
    cmd_pack_cstr(pk, "kept");
    msgpack_pack_uint64(pk, ncontacts - nold);
    cmd_pack_cstr(pk, "undated");
    msgpack_pack_uint64(pk, undated);
    cmd_pack_cstr(pk, "edges");
    msgpack_pack_uint64(pk, nedges);
    cmd_pack_cstr(pk, "history_entries");
    msgpack_pack_uint64(pk, entries);
out:
    knoop_free(old);
    graph_ids_free(&all);
    return rc;
}
