/*
 * cmd_contact.c - the contact administration after the VNG Klantinteracties standard (API v0.9
 * as implemented by Open Klant) and mailing lists: contact.*, task.*, list.* (layer: cmd).
 *
 * Everything is stored as graph nodes and edges through the graph_*_tx functions, one
 * transaction per method (or the caller's `batch`), so history entries come with every change:
 *
 *   klantcontact   node kind contact, type "klantcontact"; props kanaal, onderwerp, inhoud?,
 *                  plaatsgevondenOp (RFC 3339, as given), initiator?, vertrouwelijk, taal,
 *                  indicatieContactGelukt?. Registered once and never updated here; a correction
 *                  is a new klantcontact with an edge "corrigeert" new -> old (props corrects).
 *   betrokkene     edge "betrokkene" partij (person or organisation) -> klantcontact; props rol,
 *                  initiator, organisatienaam?.
 *   actor link     edge "had_contact" actor -> klantcontact. An actor is a person with
 *                  props.actor == true or an organisation of type "team".
 *   role link      edge "over_rol" klantcontact -> the role's target; props rol_edge (the role
 *                  edge's id: edges connect nodes only) and rol (its type).
 *   interne taak   node kind task, type "interne taak"; props gevraagdeHandeling, toelichting?,
 *                  status ("te verwerken" | "afgehandeld"), toegewezenOp, afgehandeldOp?;
 *                  edges "aanleiding" klantcontact -> taak and "toegewezen_aan" taak -> actor.
 *   verzendlijst   node kind list, type "verzendlijst"; props name, omschrijving?; edge
 *                  "abonnement" person -> list [from, to), independent of the person's roles.
 *
 * The klantcontact's own edges are valid on the contact's day only, [date, date + 1), where date
 * is the calendar date written in plaatsgevondenOp; "toegewezen_aan" runs from the day the task
 * was assigned, open-ended. Every reference is resolved and checked inside the transaction
 * (under the writer lock) before anything is written, and any failure aborts the whole change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

/* Field lengths of the standard (Open Klant's model), in characters. Domain rules, not
 * resource limits: messages are bounded by knoop_limits.h before these are checked. */
#define CC_MAX_ONDERWERP   200
#define CC_MAX_INHOUD      1000
#define CC_MAX_HANDELING   200
#define CC_MAX_TOELICHTING 1000
#define CC_MAX_ORGNAAM     200
#define CC_MAX_LISTNAME    200
/* Links in one request (betrokkenen, actoren, over_rollen): bounds work under the writer lock. */
#define CC_MAX_LINKS 100
/* Tasks examined by task.open without an actor (bounds memory and time of one request). */
#define CC_MAX_SCAN 1000000

#define CC_TYPE_CONTACT "klantcontact"
#define CC_TYPE_TASK    "interne taak"
#define CC_TYPE_LIST    "verzendlijst"

/* Task states, stored as the standard names them; cc__status returns these very arrays. */
static const char CC_OPEN[] = "te verwerken";
static const char CC_DONE[] = "afgehandeld";

static const char *const cc_kanalen[] = { "telefoon", "e-mail", "post",   "bezoek",
                                          "video",    "chat",   "overig", NULL };

/* ---- small helpers ---- */

static bool cc__streq(const char *s, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

/* The day after d, or an open end when d is the last representable day. */
static schema_date_t cc__next_day(schema_date_t d)
{
    return d >= SCHEMA_DATE_MAX ? SCHEMA_DATE_OPEN : d + 1;
}

/*
 * Counts the code points of s[0..len) when it is valid UTF-8 (no overlong forms, surrogates or
 * code points above U+10FFFF) without control characters (tab, LF and CR allowed when
 * multiline). Returns -1 otherwise.
 */
static long cc__chars(const char *str, size_t len, bool multiline)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, need, k;
    long n = 0;
    unsigned cp;

    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) {
            if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7f)
                return -1;
            i++;
            n++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            cp = c & 0x07;
        } else {
            return -1;
        }
        if (len - i <= need)
            return -1;
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return -1;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0x80 && cp < 0xa0))
            return -1;
        i += need + 1;
        n++;
    }
    return n;
}

/*
 * Reads the optional text parameter `name` of map m (path names it in messages): a string of
 * 1..max_chars characters that is not only white space. *s is NULL when absent.
 */
static int cc__text(const msgpack_object *m, const char *name, const char *path, size_t max_chars,
                    bool multiline, const char **s, size_t *len, knoop_error_t *err)
{
    const msgpack_object *v = proto_param(m, name);
    long n;
    size_t i;

    *s = NULL;
    *len = 0;
    if (v == NULL)
        return KNOOP_OK;
    if (v->type != MSGPACK_OBJECT_STR)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: expected string, got %s", path,
                               proto_type_name(v));
    n = cc__chars(v->via.str.ptr, v->via.str.size, multiline);
    if (n < 0)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "%s: not valid UTF-8 or contains control characters", path);
    if ((size_t)n > max_chars)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: longer than %zu characters (%ld)", path,
                               max_chars, n);
    for (i = 0; i < v->via.str.size; i++)
        if (strchr(" \t\r\n", v->via.str.ptr[i]) == NULL)
            break;
    if (i == v->via.str.size)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: must not be empty", path);
    *s = v->via.str.ptr;
    *len = v->via.str.size;
    return KNOOP_OK;
}

static int cc__digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/*
 * Parses an RFC 3339 timestamp "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)": *ms is the
 * instant in ms since the epoch (UTC), *day the calendar date as written.
 */
static int cc__ts(const char *s, size_t len, const char *path, int64_t *ms, schema_date_t *day,
                  knoop_error_t *err)
{
    char q[96];
    int hh, mi, ss, oh = 0, om = 0, sign = 0;
    int64_t frac = 0;
    size_t i = 19, nd = 0;

    if (len < 20 || len > 40 || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' ||
        schema_date_parse(s, 10, path, day, NULL) != KNOOP_OK || cc__digits(s + 11, 2, &hh) ||
        cc__digits(s + 14, 2, &mi) || cc__digits(s + 17, 2, &ss) || hh > 23 || mi > 59 || ss > 60)
        goto bad;
    if (s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, nd++)
            if (nd < 3)
                frac = frac * 10 + (s[i] - '0');
        if (nd == 0 || nd > 9)
            goto bad;
        for (; nd < 3; nd++)
            frac *= 10;
    }
    if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z')) {
        sign = 0;
    } else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':' &&
               cc__digits(s + i + 1, 2, &oh) == 0 && cc__digits(s + i + 4, 2, &om) == 0 &&
               oh <= 23 && om <= 59) {
        sign = s[i] == '+' ? 1 : -1;
    } else {
        goto bad;
    }
    *ms = (int64_t)*day * 86400000 + hh * 3600000LL + mi * 60000LL + ss * 1000LL + frac -
          sign * (oh * 3600000LL + om * 60000LL);
    return KNOOP_OK;
bad:
    return knoop_error_set(err, KNOOP_EINVAL,
                           "%s: expected an RFC 3339 timestamp such as "
                           "2024-03-01T10:30:00+01:00, got %s",
                           path, knoop_repr(q, sizeof(q), s, len, 64));
}

/* Finds key k in a msgpack map (NULL when absent or m is not a map). */
static const msgpack_object *cc__get(const msgpack_object *m, const char *k)
{
    size_t kl = strlen(k);
    if (m == NULL || m->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object *o = &m->via.map.ptr[i].key;
        if (o->type == MSGPACK_OBJECT_STR && o->via.str.size == kl &&
            memcmp(o->via.str.ptr, k, kl) == 0)
            return &m->via.map.ptr[i].val;
    }
    return NULL;
}

/* Unpacks a stored props buffer; release u with msgpack_unpacked_destroy. */
static int cc__props(const char *props, size_t len, msgpack_unpacked *u, knoop_error_t *err)
{
    size_t off = 0;
    msgpack_unpacked_init(u);
    if (len == 0)
        return KNOOP_OK;
    if (msgpack_unpack_next(u, props, len, &off) != MSGPACK_UNPACK_SUCCESS ||
        u->data.type != MSGPACK_OBJECT_MAP)
        return knoop_error_set(err, KNOOP_ECORRUPT, "storage: malformed properties");
    return KNOOP_OK;
}

/* Copies the string property k of a stored props buffer into buf ("" when absent). */
static void cc__prop_str(const char *props, size_t len, const char *k, char *buf, size_t bufsz)
{
    msgpack_unpacked u;
    const msgpack_object *v;
    buf[0] = '\0';
    if (cc__props(props, len, &u, NULL) == KNOOP_OK && (v = cc__get(&u.data, k)) != NULL &&
        v->type == MSGPACK_OBJECT_STR) {
        size_t n = v->via.str.size < bufsz - 1 ? v->via.str.size : bufsz - 1;
        memcpy(buf, v->via.str.ptr, n);
        buf[n] = '\0';
    }
    msgpack_unpacked_destroy(&u);
}

static bool cc__prop_true(const char *props, size_t len, const char *k)
{
    msgpack_unpacked u;
    const msgpack_object *v;
    bool r = false;
    if (cc__props(props, len, &u, NULL) == KNOOP_OK && (v = cc__get(&u.data, k)) != NULL &&
        v->type == MSGPACK_OBJECT_BOOLEAN)
        r = v->via.boolean;
    msgpack_unpacked_destroy(&u);
    return r;
}

/* Unpacks the map packed in sb into u (valid until msgpack_unpacked_destroy). */
static int cc__obj(const knoop_buf_t *sb, msgpack_unpacked *u, knoop_error_t *err)
{
    size_t off = 0;
    msgpack_unpacked_init(u);
    if (sb->data == NULL || knoop_buf_failed(sb))
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    if (msgpack_unpack_next(u, sb->data, sb->size, &off) != MSGPACK_UNPACK_SUCCESS)
        return knoop_error_set(err, KNOOP_EINTERNAL, "contact: cannot unpack own properties");
    return KNOOP_OK;
}

static const char *cc__kind(const graph_node_t *n)
{
    const char *k = schema_kind_name((int)n->kind);
    return k != NULL ? k : "node of unknown kind";
}

static bool cc__is_contact(const graph_node_t *n)
{
    return n->kind == SCHEMA_KIND_CONTACT && strcmp(n->type, CC_TYPE_CONTACT) == 0;
}

static bool cc__is_task(const graph_node_t *n)
{
    return n->kind == SCHEMA_KIND_TASK && strcmp(n->type, CC_TYPE_TASK) == 0;
}

static bool cc__is_list(const graph_node_t *n)
{
    return n->kind == SCHEMA_KIND_LIST && strcmp(n->type, CC_TYPE_LIST) == 0;
}

static bool cc__is_actor(const graph_node_t *n)
{
    if (n->kind == SCHEMA_KIND_PERSON)
        return cc__prop_true(n->props, n->props_len, "actor");
    return n->kind == SCHEMA_KIND_ORGANISATION && strcmp(n->type, "team") == 0;
}

/*
 * Resolves the node reference v (an id, or a string external key) named path and reads the
 * node into *n (graph_node_clear). not_found names path and the id or key.
 */
static int cc__node_ref(cmd_ctx_t *ctx, const msgpack_object *v, const char *path, graph_node_t *n,
                        knoop_error_t *err)
{
    uint64_t id;
    char q[96];
    int rc;

    memset(n, 0, sizeof(*n));
    if (v == NULL || v->type == MSGPACK_OBJECT_NIL)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: required", path);
    if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        id = v->via.u64;
        if (id == 0)
            return knoop_error_set(err, KNOOP_EINVAL, "%s: ids start at 1", path);
    } else if (v->type == MSGPACK_OBJECT_STR) {
        rc = graph_node_by_key(ctx->store, ctx->view, v->via.str.ptr, v->via.str.size, &id, err);
        if (rc == KNOOP_ENOTFOUND)
            return knoop_error_set(err, KNOOP_ENOTFOUND, "%s: no node has external key %s", path,
                                   knoop_repr(q, sizeof(q), v->via.str.ptr, v->via.str.size, 64));
        if (rc != KNOOP_OK)
            return rc;
    } else {
        return knoop_error_set(err, KNOOP_EINVAL, "%s: expected a node id or external key, got %s",
                               path, proto_type_name(v));
    }
    rc = graph_node_get(ctx->store, ctx->view, id, n, err);
    if (rc == KNOOP_ENOTFOUND)
        return knoop_error_set(err, KNOOP_ENOTFOUND, "%s: node %llu does not exist", path,
                               (unsigned long long)id);
    return rc;
}

/* Resolves a reference that must be a klantcontact. */
static int cc__contact_ref(cmd_ctx_t *ctx, const msgpack_object *v, const char *path,
                           graph_node_t *n, knoop_error_t *err)
{
    int rc = cc__node_ref(ctx, v, path, n, err);
    if (rc == KNOOP_OK && !cc__is_contact(n)) {
        rc = knoop_error_set(err, KNOOP_EINVAL, "%s: node %llu is a %s, not a klantcontact", path,
                             (unsigned long long)n->id, cc__kind(n));
        graph_node_clear(n);
    }
    return rc;
}

static int cc__task_ref(cmd_ctx_t *ctx, const msgpack_object *v, const char *path, graph_node_t *n,
                        knoop_error_t *err)
{
    int rc = cc__node_ref(ctx, v, path, n, err);
    if (rc == KNOOP_OK && !cc__is_task(n)) {
        rc = knoop_error_set(err, KNOOP_EINVAL, "%s: node %llu is a %s, not an interne taak", path,
                             (unsigned long long)n->id, cc__kind(n));
        graph_node_clear(n);
    }
    return rc;
}

static int cc__actor_ref(cmd_ctx_t *ctx, const msgpack_object *v, const char *path, graph_node_t *n,
                         knoop_error_t *err)
{
    int rc = cc__node_ref(ctx, v, path, n, err);
    if (rc == KNOOP_OK && !cc__is_actor(n)) {
        rc = knoop_error_set(err, KNOOP_EINVAL,
                             "%s: node %llu is not an actor (a person with props.actor true, or "
                             "an organisation of type team)",
                             path, (unsigned long long)n->id);
        graph_node_clear(n);
    }
    return rc;
}

static int cc__person_ref(cmd_ctx_t *ctx, const msgpack_object *v, const char *path,
                          graph_node_t *n, knoop_error_t *err)
{
    int rc = cc__node_ref(ctx, v, path, n, err);
    if (rc == KNOOP_OK && n->kind != SCHEMA_KIND_PERSON) {
        rc = knoop_error_set(err, KNOOP_EINVAL, "%s: node %llu is a %s, not a person", path,
                             (unsigned long long)n->id, cc__kind(n));
        graph_node_clear(n);
    }
    return rc;
}

/* ---- adjacency ---- */

typedef struct {
    graph_ids_t edges, others;
    int rc;
} cc_adj_t;

static int cc__adj_cb(void *arg, const graph_adj_t *a)
{
    cc_adj_t *l = arg;
    if (graph_ids_push(&l->edges, a->edge) != KNOOP_OK ||
        graph_ids_push(&l->others, a->other) != KNOOP_OK) {
        l->rc = KNOOP_ENOMEM;
        return 1;
    }
    return 0;
}

static void cc__adj_free(cc_adj_t *l)
{
    graph_ids_free(&l->edges);
    graph_ids_free(&l->others);
}

/* Collects the edges of type around node in direction dir (time filter f or every edge). */
static int cc__adj(cmd_ctx_t *ctx, const store_view_t *snap, uint64_t node, graph_dir_t dir,
                   const char *type, const graph_filter_t *time, cc_adj_t *out, knoop_error_t *err)
{
    graph_filter_t f;
    int rc;
    memset(out, 0, sizeof(*out));
    if (time != NULL)
        f = *time;
    else
        memset(&f, 0, sizeof(f));
    f.dir = dir;
    f.type = type;
    rc = graph_adj_scan(ctx->store, snap, node, &f, cc__adj_cb, out, err);
    if (rc == KNOOP_OK && out->rc != KNOOP_OK)
        rc = knoop_error_set(err, out->rc, "out of memory");
    if (rc != KNOOP_OK)
        cc__adj_free(out);
    return rc;
}

static int cc__pack_node_id(cmd_ctx_t *ctx, const store_view_t *snap, uint64_t id,
                            msgpack_packer *pk, knoop_error_t *err)
{
    graph_node_t n;
    int rc = graph_node_get(ctx->store, snap, id, &n, err);
    if (rc != KNOOP_OK)
        return rc;
    graph_node_pack(pk, &n);
    graph_node_clear(&n);
    return KNOOP_OK;
}

static int cc__pack_edge_id(cmd_ctx_t *ctx, const store_view_t *snap, uint64_t id,
                            msgpack_packer *pk, knoop_error_t *err)
{
    graph_edge_t e;
    int rc = graph_edge_get(ctx->store, snap, id, &e, err);
    if (rc != KNOOP_OK)
        return rc;
    graph_edge_pack(pk, &e);
    graph_edge_clear(&e);
    return KNOOP_OK;
}

/* ---- views ---- */

/*
 * Packs an interne taak: {"taak": node, "klantcontact": node (with_contact only),
 * "actoren": [node]}.
 */
static int cc__pack_task(cmd_ctx_t *ctx, const store_view_t *snap, const graph_node_t *task,
                         bool with_contact, msgpack_packer *pk, knoop_error_t *err)
{
    cc_adj_t act, src;
    int rc;

    if ((rc = cc__adj(ctx, snap, task->id, GRAPH_OUT, "toegewezen_aan", NULL, &act, err)) != 0)
        return rc;
    if ((rc = cc__adj(ctx, snap, task->id, GRAPH_IN, "aanleiding", NULL, &src, err)) != 0) {
        cc__adj_free(&act);
        return rc;
    }
    msgpack_pack_map(pk, with_contact ? 3 : 2);
    cmd_pack_cstr(pk, "taak");
    graph_node_pack(pk, task);
    if (with_contact) {
        cmd_pack_cstr(pk, "klantcontact");
        if (src.others.n == 0)
            msgpack_pack_nil(pk);
        else
            rc = cc__pack_node_id(ctx, snap, src.others.ids[0], pk, err);
    }
    cmd_pack_cstr(pk, "actoren");
    msgpack_pack_array(pk, (uint32_t)act.others.n);
    for (size_t i = 0; i < act.others.n && rc == KNOOP_OK; i++)
        rc = cc__pack_node_id(ctx, snap, act.others.ids[i], pk, err);
    cc__adj_free(&act);
    cc__adj_free(&src);
    return rc;
}

/*
 * Packs a klantcontact with its links: {"klantcontact": node, "betrokkenen": [{"edge": edge,
 * "partij": node}], "actoren": [node], "over_rollen": [role edge], "taken": [{"taak": node,
 * "actoren": [node]}], "corrects": id | nil, "corrected_by": [id]}.
 */
static int cc__pack_contact(cmd_ctx_t *ctx, const store_view_t *snap, const graph_node_t *kc,
                            msgpack_packer *pk, knoop_error_t *err)
{
    cc_adj_t bet, act, rol, tak, cor, corby;
    cc_adj_t *all[] = { &bet, &act, &rol, &tak, &cor, &corby };
    size_t i;
    int rc;

    for (i = 0; i < 6; i++)
        memset(all[i], 0, sizeof(cc_adj_t));
    if ((rc = cc__adj(ctx, snap, kc->id, GRAPH_IN, "betrokkene", NULL, &bet, err)) != 0 ||
        (rc = cc__adj(ctx, snap, kc->id, GRAPH_IN, "had_contact", NULL, &act, err)) != 0 ||
        (rc = cc__adj(ctx, snap, kc->id, GRAPH_OUT, "over_rol", NULL, &rol, err)) != 0 ||
        (rc = cc__adj(ctx, snap, kc->id, GRAPH_OUT, "aanleiding", NULL, &tak, err)) != 0 ||
        (rc = cc__adj(ctx, snap, kc->id, GRAPH_OUT, "corrigeert", NULL, &cor, err)) != 0 ||
        (rc = cc__adj(ctx, snap, kc->id, GRAPH_IN, "corrigeert", NULL, &corby, err)) != 0)
        goto out;

    msgpack_pack_map(pk, 7);
    cmd_pack_cstr(pk, "klantcontact");
    graph_node_pack(pk, kc);

    cmd_pack_cstr(pk, "betrokkenen");
    msgpack_pack_array(pk, (uint32_t)bet.edges.n);
    for (i = 0; i < bet.edges.n && rc == KNOOP_OK; i++) {
        msgpack_pack_map(pk, 2);
        cmd_pack_cstr(pk, "edge");
        if ((rc = cc__pack_edge_id(ctx, snap, bet.edges.ids[i], pk, err)) != KNOOP_OK)
            break;
        cmd_pack_cstr(pk, "partij");
        rc = cc__pack_node_id(ctx, snap, bet.others.ids[i], pk, err);
    }

    cmd_pack_cstr(pk, "actoren");
    msgpack_pack_array(pk, (uint32_t)act.others.n);
    for (i = 0; i < act.others.n && rc == KNOOP_OK; i++)
        rc = cc__pack_node_id(ctx, snap, act.others.ids[i], pk, err);

    /* The role edges themselves; an over_rol edge names its role in props.rol_edge. */
    if (rc == KNOOP_OK) {
        graph_ids_t roles = { 0 };
        for (i = 0; i < rol.edges.n && rc == KNOOP_OK; i++) {
            graph_edge_t e;
            msgpack_unpacked u;
            const msgpack_object *v;
            if ((rc = graph_edge_get(ctx->store, snap, rol.edges.ids[i], &e, err)) != KNOOP_OK)
                break;
            if (cc__props(e.props, e.props_len, &u, err) == KNOOP_OK &&
                (v = cc__get(&u.data, "rol_edge")) != NULL &&
                v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
                graph_edge_t r;
                /* A role edge deleted since (node.delete with cascade) is left out. */
                if (graph_edge_get(ctx->store, snap, v->via.u64, &r, NULL) == KNOOP_OK) {
                    rc = graph_ids_push(&roles, r.id);
                    graph_edge_clear(&r);
                }
            }
            msgpack_unpacked_destroy(&u);
            graph_edge_clear(&e);
        }
        if (rc == KNOOP_ENOMEM)
            knoop_error_set(err, rc, "out of memory");
        cmd_pack_cstr(pk, "over_rollen");
        msgpack_pack_array(pk, (uint32_t)roles.n);
        for (i = 0; i < roles.n && rc == KNOOP_OK; i++)
            rc = cc__pack_edge_id(ctx, snap, roles.ids[i], pk, err);
        graph_ids_free(&roles);
    }

    cmd_pack_cstr(pk, "taken");
    msgpack_pack_array(pk, (uint32_t)tak.others.n);
    for (i = 0; i < tak.others.n && rc == KNOOP_OK; i++) {
        graph_node_t t;
        if ((rc = graph_node_get(ctx->store, snap, tak.others.ids[i], &t, err)) != KNOOP_OK)
            break;
        rc = cc__pack_task(ctx, snap, &t, false, pk, err);
        graph_node_clear(&t);
    }

    cmd_pack_cstr(pk, "corrects");
    if (cor.others.n > 0)
        msgpack_pack_uint64(pk, cor.others.ids[0]);
    else
        msgpack_pack_nil(pk);
    cmd_pack_cstr(pk, "corrected_by");
    msgpack_pack_array(pk, (uint32_t)corby.others.n);
    for (i = 0; i < corby.others.n; i++)
        msgpack_pack_uint64(pk, corby.others.ids[i]);
out:
    for (i = 0; i < 6; i++)
        cc__adj_free(all[i]);
    return rc;
}

/* Creates an edge; props is a packed map or NULL. */
static int cc__edge(store_txn_t *t, const char *type, uint64_t src, uint64_t tgt,
                    schema_date_t from, schema_date_t to, const knoop_buf_t *props, uint64_t *id,
                    knoop_error_t *err)
{
    msgpack_unpacked u;
    graph_edge_t e;
    int rc = KNOOP_OK;

    msgpack_unpacked_init(&u);
    if (props != NULL && (rc = cc__obj(props, &u, err)) != KNOOP_OK) {
        msgpack_unpacked_destroy(&u);
        return rc;
    }
    memset(&e, 0, sizeof(e));
    rc = graph_edge_create_tx(t, type, src, tgt, from, to, props != NULL ? &u.data : NULL, 0, &e,
                              err);
    if (rc == KNOOP_OK && id != NULL)
        *id = e.id;
    graph_edge_clear(&e);
    msgpack_unpacked_destroy(&u);
    return rc;
}

/* ---- contact.register ---- */

/* Parameters of one betrokkenen entry. */
static const proto_param_spec_t cc_betrokkene_spec[] = {
    { "partij", PROTO_T_STR_OR_U64, true },
    { "rol", PROTO_T_STR, true },
    { "initiator", PROTO_T_BOOL, false },
    { "organisatienaam", PROTO_T_STR, false },
    PROTO_PARAM_END,
};

/* Checks a nested map against spec, naming it by path ("params.betrokkenen[1]"). */
static int cc__check_map(const msgpack_object *m, const proto_param_spec_t *spec, const char *path,
                         knoop_error_t *err)
{
    knoop_error_t e;
    int rc;
    if (m->type != MSGPACK_OBJECT_MAP)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: expected map, got %s", path,
                               proto_type_name(m));
    rc = proto_params_check(m, spec, &e);
    if (rc != KNOOP_OK) {
        /* The checker names fields "params.x"; put the entry's path in its place. */
        const char *rest = strncmp(e.msg, "params", 6) == 0 ? e.msg + 6 : e.msg;
        return knoop_error_set(err, rc, "%s%s", path, rest);
    }
    return KNOOP_OK;
}

static int cc__kanaal(const msgpack_object *p, knoop_error_t *err)
{
    const char *s;
    size_t len;
    char q[96];
    proto_param_str(p, "kanaal", &s, &len);
    for (int i = 0; cc_kanalen[i] != NULL; i++)
        if (cc__streq(s, len, cc_kanalen[i]))
            return KNOOP_OK;
    return knoop_error_set(err, KNOOP_EINVAL,
                           "params.kanaal: expected one of telefoon, e-mail, post, bezoek, video, "
                           "chat, overig, got %s",
                           knoop_repr(q, sizeof(q), s, len, 32));
}

/* Checks the array parameter name: n entries, min..CC_MAX_LINKS. */
static int cc__array(const msgpack_object *p, const char *name, uint32_t min,
                     const msgpack_object **arr, knoop_error_t *err)
{
    const msgpack_object *a = proto_param(p, name);
    uint32_t n = a != NULL ? a->via.array.size : 0;
    *arr = a;
    if (n < min)
        return knoop_error_set(err, KNOOP_EINVAL, "params.%s: at least %u entr%s needed", name,
                               (unsigned)min, min == 1 ? "y" : "ies");
    if (n > CC_MAX_LINKS)
        return knoop_error_set(err, KNOOP_ETOOLARGE, "params.%s: %u entries, at most %d", name,
                               (unsigned)n, CC_MAX_LINKS);
    return KNOOP_OK;
}

/* The parsed scalar parameters of contact.register. */
typedef struct {
    const char *onderwerp, *inhoud, *initiator, *taal, *ts;
    size_t onderwerp_len, inhoud_len, initiator_len, taal_len, ts_len;
    bool vertrouwelijk, has_gelukt, gelukt;
    schema_date_t day;
    int64_t ms;
    const msgpack_object *bet, *act, *rol, *corrects;
} cc_reg_t;

static int cc__register_check(const msgpack_object *p, cc_reg_t *r, knoop_error_t *err)
{
    char path[80], q[96];
    const char *s;
    size_t len;
    int rc;

    memset(r, 0, sizeof(*r));
    if ((rc = cc__kanaal(p, err)) != KNOOP_OK ||
        (rc = cc__text(p, "onderwerp", "params.onderwerp", CC_MAX_ONDERWERP, false, &r->onderwerp,
                       &r->onderwerp_len, err)) != KNOOP_OK ||
        (rc = cc__text(p, "inhoud", "params.inhoud", CC_MAX_INHOUD, true, &r->inhoud,
                       &r->inhoud_len, err)) != KNOOP_OK)
        return rc;
    proto_param_str(p, "plaatsgevondenOp", &r->ts, &r->ts_len);
    if ((rc = cc__ts(r->ts, r->ts_len, "params.plaatsgevondenOp", &r->ms, &r->day, err)) != 0)
        return rc;
    if (proto_param_str(p, "initiator", &s, &len)) {
        if (!cc__streq(s, len, "klant") && !cc__streq(s, len, "medewerker"))
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "params.initiator: expected klant or medewerker, got %s",
                                   knoop_repr(q, sizeof(q), s, len, 32));
        r->initiator = s;
        r->initiator_len = len;
    }
    r->taal = "nld";
    r->taal_len = 3;
    if (proto_param_str(p, "taal", &s, &len)) {
        if (len != 3 || s[0] < 'a' || s[0] > 'z' || s[1] < 'a' || s[1] > 'z' || s[2] < 'a' ||
            s[2] > 'z')
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "params.taal: expected an ISO 639-2 code of three lower-case "
                                   "letters such as nld, got %s",
                                   knoop_repr(q, sizeof(q), s, len, 32));
        r->taal = s;
        r->taal_len = len;
    }
    proto_param_bool(p, "vertrouwelijk", &r->vertrouwelijk);
    r->has_gelukt = proto_param_bool(p, "indicatieContactGelukt", &r->gelukt);

    if ((rc = cc__array(p, "betrokkenen", 1, &r->bet, err)) != KNOOP_OK ||
        (rc = cc__array(p, "actoren", 1, &r->act, err)) != KNOOP_OK ||
        (rc = cc__array(p, "over_rollen", 0, &r->rol, err)) != KNOOP_OK)
        return rc;
    for (uint32_t i = 0; i < r->bet->via.array.size; i++) {
        const msgpack_object *b = &r->bet->via.array.ptr[i];
        const char *t;
        size_t tl;
        snprintf(path, sizeof(path), "params.betrokkenen[%u]", (unsigned)i);
        if ((rc = cc__check_map(b, cc_betrokkene_spec, path, err)) != KNOOP_OK)
            return rc;
        snprintf(path, sizeof(path), "params.betrokkenen[%u].rol", (unsigned)i);
        proto_param_str(b, "rol", &t, &tl);
        if ((rc = schema_check_name(t, tl, path, err)) != KNOOP_OK)
            return rc;
        snprintf(path, sizeof(path), "params.betrokkenen[%u].organisatienaam", (unsigned)i);
        if ((rc = cc__text(b, "organisatienaam", path, CC_MAX_ORGNAAM, false, &t, &tl, err)) != 0)
            return rc;
    }
    for (uint32_t i = 0; r->rol != NULL && i < r->rol->via.array.size; i++) {
        const msgpack_object *o = &r->rol->via.array.ptr[i];
        if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER || o->via.u64 == 0)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "params.over_rollen[%u]: expected an edge id, got %s",
                                   (unsigned)i, proto_type_name(o));
    }
    r->corrects = proto_param(p, "corrects");
    return KNOOP_OK;
}

/* Packs the klantcontact's props. */
static void cc__pack_contact_props(msgpack_packer *pk, const msgpack_object *p, const cc_reg_t *r)
{
    const char *k;
    size_t kl;
    uint32_t n = 5 + (r->inhoud != NULL) + (r->initiator != NULL) + r->has_gelukt;
    proto_param_str(p, "kanaal", &k, &kl);
    msgpack_pack_map(pk, n);
    cmd_pack_cstr(pk, "kanaal");
    msgpack_pack_str_with_body(pk, k, kl);
    cmd_pack_cstr(pk, "onderwerp");
    msgpack_pack_str_with_body(pk, r->onderwerp, r->onderwerp_len);
    if (r->inhoud != NULL) {
        cmd_pack_cstr(pk, "inhoud");
        msgpack_pack_str_with_body(pk, r->inhoud, r->inhoud_len);
    }
    cmd_pack_cstr(pk, "plaatsgevondenOp");
    msgpack_pack_str_with_body(pk, r->ts, r->ts_len);
    if (r->initiator != NULL) {
        cmd_pack_cstr(pk, "initiator");
        msgpack_pack_str_with_body(pk, r->initiator, r->initiator_len);
    }
    cmd_pack_cstr(pk, "vertrouwelijk");
    cmd_pack_bool(pk, r->vertrouwelijk);
    cmd_pack_cstr(pk, "taal");
    msgpack_pack_str_with_body(pk, r->taal, r->taal_len);
    if (r->has_gelukt) {
        cmd_pack_cstr(pk, "indicatieContactGelukt");
        cmd_pack_bool(pk, r->gelukt);
    }
}

/* Resolved references of contact.register. */
typedef struct {
    uint64_t partij[CC_MAX_LINKS], actor[CC_MAX_LINKS], role[CC_MAX_LINKS], role_tgt[CC_MAX_LINKS];
    uint32_t np, na, nr;
    uint64_t corrects;
} cc_refs_t;

static int cc__register_refs(cmd_ctx_t *ctx, const cc_reg_t *r, cc_refs_t *x, knoop_error_t *err)
{
    char path[80], d1[11], d2[11], d3[11];
    graph_node_t n;
    uint32_t i, j;
    int rc;

    memset(x, 0, sizeof(*x));
    for (i = 0; i < r->bet->via.array.size; i++) {
        snprintf(path, sizeof(path), "params.betrokkenen[%u].partij", (unsigned)i);
        rc = cc__node_ref(ctx, proto_param(&r->bet->via.array.ptr[i], "partij"), path, &n, err);
        if (rc != KNOOP_OK)
            return rc;
        if (n.kind != SCHEMA_KIND_PERSON && n.kind != SCHEMA_KIND_ORGANISATION) {
            rc = knoop_error_set(err, KNOOP_EINVAL,
                                 "%s: node %llu is a %s, not a person or organisation", path,
                                 (unsigned long long)n.id, cc__kind(&n));
            graph_node_clear(&n);
            return rc;
        }
        for (j = 0; j < x->np; j++)
            if (x->partij[j] == n.id) {
                graph_node_clear(&n);
                return knoop_error_set(err, KNOOP_EINVAL,
                                       "%s: node %llu is already params.betrokkenen[%u]", path,
                                       (unsigned long long)x->partij[j], (unsigned)j);
            }
        x->partij[x->np++] = n.id;
        graph_node_clear(&n);
    }
    for (i = 0; i < r->act->via.array.size; i++) {
        snprintf(path, sizeof(path), "params.actoren[%u]", (unsigned)i);
        if ((rc = cc__actor_ref(ctx, &r->act->via.array.ptr[i], path, &n, err)) != KNOOP_OK)
            return rc;
        for (j = 0; j < x->na; j++)
            if (x->actor[j] == n.id) {
                graph_node_clear(&n);
                return knoop_error_set(err, KNOOP_EINVAL,
                                       "%s: node %llu is already params.actoren[%u]", path,
                                       (unsigned long long)x->actor[j], (unsigned)j);
            }
        x->actor[x->na++] = n.id;
        graph_node_clear(&n);
    }
    for (i = 0; r->rol != NULL && i < r->rol->via.array.size; i++) {
        uint64_t id = r->rol->via.array.ptr[i].via.u64;
        graph_edge_t e;
        bool involved = false;
        snprintf(path, sizeof(path), "params.over_rollen[%u]", (unsigned)i);
        rc = graph_edge_get(ctx->store, ctx->view, id, &e, err);
        if (rc == KNOOP_ENOTFOUND)
            return knoop_error_set(err, KNOOP_ENOTFOUND, "%s: edge %llu does not exist", path,
                                   (unsigned long long)id);
        if (rc != KNOOP_OK)
            return rc;
        for (j = 0; j < x->np; j++)
            involved = involved || e.source == x->partij[j] || e.target == x->partij[j];
        if (!involved)
            rc = knoop_error_set(err, KNOOP_EINVAL,
                                 "%s: edge %llu (%s %llu -> %llu) does not involve a betrokkene",
                                 path, (unsigned long long)id, e.type, (unsigned long long)e.source,
                                 (unsigned long long)e.target);
        else if (!(e.valid_from <= r->day && r->day < e.valid_to))
            rc = knoop_error_set(
                err, KNOOP_EINVAL, "%s: role %llu (%s) is not valid on %s (valid from %s%s%s)",
                path, (unsigned long long)id, e.type, schema_date_format(r->day, d1),
                schema_date_format(e.valid_from, d2),
                e.valid_to == SCHEMA_DATE_OPEN ? "" : " until ",
                e.valid_to == SCHEMA_DATE_OPEN ? "" : schema_date_format(e.valid_to, d3));
        x->role[x->nr] = id;
        x->role_tgt[x->nr++] = e.target;
        graph_edge_clear(&e);
        if (rc != KNOOP_OK)
            return rc;
    }
    if (r->corrects != NULL) {
        cc_adj_t by;
        if ((rc = cc__contact_ref(ctx, r->corrects, "params.corrects", &n, err)) != KNOOP_OK)
            return rc;
        x->corrects = n.id;
        graph_node_clear(&n);
        if ((rc = cc__adj(ctx, ctx->view, x->corrects, GRAPH_IN, "corrigeert", NULL, &by, err)) !=
            0)
            return rc;
        if (by.others.n > 0)
            rc = knoop_error_set(err, KNOOP_ECONFLICT,
                                 "params.corrects: klantcontact %llu was already corrected by "
                                 "%llu; correct that one instead",
                                 (unsigned long long)x->corrects,
                                 (unsigned long long)by.others.ids[0]);
        cc__adj_free(&by);
    }
    return rc;
}

/* Writes the klantcontact and its edges; the new node lands in *kc. */
static int cc__register_write(store_txn_t *t, const msgpack_object *p, const cc_reg_t *r,
                              const cc_refs_t *x, graph_node_t *kc, knoop_error_t *err)
{
    schema_date_t to = cc__next_day(r->day);
    knoop_buf_t sb;
    msgpack_packer pk;
    msgpack_unpacked u;
    uint32_t i;
    int rc;

    knoop_buf_init(&sb);
    msgpack_packer_init(&pk, &sb, knoop_buf_write);
    cc__pack_contact_props(&pk, p, r);
    if ((rc = cc__obj(&sb, &u, err)) == KNOOP_OK)
        rc = graph_node_create_tx(t, SCHEMA_KIND_CONTACT, CC_TYPE_CONTACT, &u.data, kc, err);
    msgpack_unpacked_destroy(&u);

    for (i = 0; i < x->np && rc == KNOOP_OK; i++) {
        const msgpack_object *b = &r->bet->via.array.ptr[i];
        const char *s;
        size_t len;
        bool ini = false, has_org = proto_param_str(b, "organisatienaam", &s, &len);
        knoop_buf_clear(&sb);
        msgpack_pack_map(&pk, has_org ? 3 : 2);
        proto_param_str(b, "rol", &s, &len);
        cmd_pack_cstr(&pk, "rol");
        msgpack_pack_str_with_body(&pk, s, len);
        proto_param_bool(b, "initiator", &ini);
        cmd_pack_cstr(&pk, "initiator");
        cmd_pack_bool(&pk, ini);
        if (has_org) {
            proto_param_str(b, "organisatienaam", &s, &len);
            cmd_pack_cstr(&pk, "organisatienaam");
            msgpack_pack_str_with_body(&pk, s, len);
        }
        rc = cc__edge(t, "betrokkene", x->partij[i], kc->id, r->day, to, &sb, NULL, err);
    }
    for (i = 0; i < x->na && rc == KNOOP_OK; i++)
        rc = cc__edge(t, "had_contact", x->actor[i], kc->id, r->day, to, NULL, NULL, err);
    for (i = 0; i < x->nr && rc == KNOOP_OK; i++) {
        graph_edge_t e;
        if ((rc = graph_edge_get(store_txn_store(t), store_txn_view(t), x->role[i], &e, err)) !=
            KNOOP_OK)
            break;
        knoop_buf_clear(&sb);
        msgpack_pack_map(&pk, 2);
        cmd_pack_cstr(&pk, "rol_edge");
        msgpack_pack_uint64(&pk, x->role[i]);
        cmd_pack_cstr(&pk, "rol");
        cmd_pack_cstr(&pk, e.type);
        graph_edge_clear(&e);
        rc = cc__edge(t, "over_rol", kc->id, x->role_tgt[i], r->day, to, &sb, NULL, err);
    }
    if (rc == KNOOP_OK && x->corrects != 0) {
        knoop_buf_clear(&sb);
        msgpack_pack_map(&pk, 1);
        cmd_pack_cstr(&pk, "corrects");
        msgpack_pack_uint64(&pk, x->corrects);
        rc = cc__edge(t, "corrigeert", kc->id, x->corrects, r->day, to, &sb, NULL, err);
    }
    knoop_buf_destroy(&sb);
    return rc;
}

int cmd_contact_register(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                         knoop_error_t *err)
{
    cc_reg_t r;
    cc_refs_t *x;
    graph_node_t kc;
    store_txn_t *t = ctx->txn;
    int rc;

    if ((rc = cc__register_check(p, &r, err)) != KNOOP_OK)
        return rc;
    x = knoop_malloc(sizeof(*x));
    if (x == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    memset(&kc, 0, sizeof(kc));
    rc = cc__register_refs(ctx, &r, x, err);
    if (rc == KNOOP_OK)
        rc = cc__register_write(t, p, &r, x, &kc, err);
    /* Pack from the transaction's view before it commits, so a batch sees its own writes. */
    if (rc == KNOOP_OK)
        rc = cc__pack_contact(ctx, ctx->view, &kc, pk, err);
    graph_node_clear(&kc);
    knoop_free(x);
    return rc;
}

/* ---- contact.get, contact.list ---- */

int cmd_contact_get(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    graph_node_t kc;
    int rc = cc__contact_ref(ctx, proto_param(p, "id"), "params.id", &kc, err);
    if (rc != KNOOP_OK)
        return rc;
    rc = cc__pack_contact(ctx, ctx->view, &kc, pk, err);
    graph_node_clear(&kc);
    return rc;
}

typedef struct {
    graph_node_t n;
    int64_t ms;
} cc_dated_t;

/* Newest first; equal instants by id, newest first. */
static int cc__newest_first(const void *a, const void *b)
{
    const cc_dated_t *x = a, *y = b;
    if (x->ms != y->ms)
        return x->ms < y->ms ? 1 : -1;
    return x->n.id < y->n.id ? 1 : (x->n.id > y->n.id ? -1 : 0);
}

/* Oldest first, then by id. */
static int cc__oldest_first(const void *a, const void *b)
{
    return -cc__newest_first(a, b);
}

/* The instant of a klantcontact (its plaatsgevondenOp), 0 when unreadable. */
static int64_t cc__contact_ms(const graph_node_t *n)
{
    char ts[64];
    int64_t ms = 0;
    schema_date_t d;
    cc__prop_str(n->props, n->props_len, "plaatsgevondenOp", ts, sizeof(ts));
    if (cc__ts(ts, strlen(ts), "plaatsgevondenOp", &ms, &d, NULL) != KNOOP_OK)
        ms = 0;
    return ms;
}

bool cmd_contact_time_ms(const graph_node_t *n, int64_t *ms)
{
    *ms = cc__is_contact(n) ? cc__contact_ms(n) : 0;
    return cc__is_contact(n);
}

int cmd_contact_list(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err)
{
    const msgpack_object *partij = proto_param(p, "partij"), *actor = proto_param(p, "actor");
    schema_date_t from = 0, to = SCHEMA_DATE_OPEN;
    bool has_from, has_to;
    graph_filter_t f;
    graph_node_t who;
    graph_ids_t ids = { 0 };
    cc_dated_t *rows = NULL;
    size_t limit, n = 0, i, j;
    int rc;

    if ((rc = cmd_limit_param(p, &limit, err)) != KNOOP_OK ||
        (rc = cmd_date_param(p, "from", &from, &has_from, err)) != KNOOP_OK ||
        (rc = cmd_date_param(p, "to", &to, &has_to, err)) != KNOOP_OK)
        return rc;
    if (partij != NULL && actor != NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "params.actor: give either partij or actor");
    if (partij == NULL && actor == NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "params.partij: required (or params.actor)");
    if (has_from && has_to && to < from)
        return knoop_error_set(err, KNOOP_EINVAL, "params.to: before params.from");
    memset(&f, 0, sizeof(f));
    if (has_from || has_to) {
        f.time = GRAPH_TIME_OVERLAP;
        f.from = has_from ? from : SCHEMA_DATE_MIN;
        f.to = to;
    }
    if (partij != NULL) {
        cc_adj_t a, b;
        if ((rc = cc__node_ref(ctx, partij, "params.partij", &who, err)) != KNOOP_OK)
            return rc;
        rc = cc__adj(ctx, ctx->view, who.id, GRAPH_OUT, "betrokkene", &f, &a, err);
        if (rc == KNOOP_OK) {
            /* An organisation's contacts include those about roles held there. */
            rc = cc__adj(ctx, ctx->view, who.id, GRAPH_IN, "over_rol", &f, &b, err);
            for (i = 0; rc == KNOOP_OK && i < a.others.n; i++)
                rc = graph_ids_push(&ids, a.others.ids[i]);
            for (i = 0; rc == KNOOP_OK && i < b.others.n; i++) {
                for (j = 0; j < a.others.n && a.others.ids[j] != b.others.ids[i]; j++)
                    ;
                if (j == a.others.n)
                    rc = graph_ids_push(&ids, b.others.ids[i]);
            }
            if (rc == KNOOP_ENOMEM)
                knoop_error_set(err, rc, "out of memory");
            cc__adj_free(&a);
            cc__adj_free(&b);
        }
    } else {
        cc_adj_t a;
        if ((rc = cc__actor_ref(ctx, actor, "params.actor", &who, err)) != KNOOP_OK)
            return rc;
        rc = cc__adj(ctx, ctx->view, who.id, GRAPH_OUT, "had_contact", &f, &a, err);
        if (rc == KNOOP_OK) {
            ids = a.others;
            graph_ids_free(&a.edges);
        }
    }
    /* The answer lists klantcontacten only; that they are this person's is personal data too. */
    if (rc == KNOOP_OK && ids.n > 0 && who.kind == SCHEMA_KIND_PERSON)
        cmd_audit_note(ctx, who.id);
    graph_node_clear(&who);
    if (rc == KNOOP_OK && (rows = knoop_calloc(ids.n ? ids.n : 1, sizeof(*rows))) == NULL)
        rc = knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    for (i = 0; rc == KNOOP_OK && i < ids.n; i++) {
        if ((rc = graph_node_get(ctx->store, ctx->view, ids.ids[i], &rows[n].n, err)) != 0)
            break;
        if (!cc__is_contact(&rows[n].n)) {
            graph_node_clear(&rows[n].n);
            continue;
        }
        rows[n].ms = cc__contact_ms(&rows[n].n);
        n++;
        if ((i & 1023) == 1023)
            rc = cmd_check_deadline(ctx, err);
    }
    if (rc == KNOOP_OK) {
        qsort(rows, n, sizeof(*rows), cc__newest_first);
        msgpack_pack_map(pk, 2);
        cmd_pack_cstr(pk, "contacts");
        msgpack_pack_array(pk, (uint32_t)(n < limit ? n : limit));
        for (i = 0; i < n && i < limit; i++)
            graph_node_pack(pk, &rows[i].n);
        cmd_pack_cstr(pk, "more");
        cmd_pack_bool(pk, n > limit);
    }
    for (i = 0; rows != NULL && i < n; i++)
        graph_node_clear(&rows[i].n);
    knoop_free(rows);
    graph_ids_free(&ids);
    return rc;
}

/* ---- task.* ---- */

/* Maps a status given as input onto the stored value: the standard's "te verwerken" and
 * "afgehandeld", the "te doen" and "gedaan", Open Klant's "te_verwerken" and
 * "verwerkt". NULL when unknown. */
static const char *cc__status(const char *s, size_t len)
{
    if (cc__streq(s, len, CC_OPEN) || cc__streq(s, len, "te doen") ||
        cc__streq(s, len, "te_verwerken"))
        return CC_OPEN;
    if (cc__streq(s, len, CC_DONE) || cc__streq(s, len, "gedaan") || cc__streq(s, len, "verwerkt"))
        return CC_DONE;
    return NULL;
}

int cmd_task_create(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    char path[64], now[40], q[96], ts[64];
    const msgpack_object *act;
    const char *hand, *toel, *status = CC_OPEN, *s;
    size_t hl, tl, len;
    uint64_t actors[CC_MAX_LINKS];
    uint32_t na = 0, i, j;
    graph_node_t kc, task, n;
    schema_date_t day;
    int64_t ms;
    knoop_buf_t sb;
    msgpack_packer spk;
    msgpack_unpacked u;
    store_txn_t *t = ctx->txn;
    int rc;

    if ((rc = cc__text(p, "gevraagdeHandeling", "params.gevraagdeHandeling", CC_MAX_HANDELING,
                       false, &hand, &hl, err)) != KNOOP_OK ||
        (rc = cc__text(p, "toelichting", "params.toelichting", CC_MAX_TOELICHTING, true, &toel, &tl,
                       err)) != KNOOP_OK ||
        (rc = cc__array(p, "actoren", 1, &act, err)) != KNOOP_OK)
        return rc;
    if (proto_param_str(p, "status", &s, &len) && (status = cc__status(s, len)) == NULL)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params.status: expected te verwerken or afgehandeld (or te doen, "
                               "gedaan), got %s",
                               knoop_repr(q, sizeof(q), s, len, 32));
    memset(&task, 0, sizeof(task));
    knoop_buf_init(&sb);
    msgpack_packer_init(&spk, &sb, knoop_buf_write);
    msgpack_unpacked_init(&u);
    rc = cc__contact_ref(ctx, proto_param(p, "klantcontact"), "params.klantcontact", &kc, err);
    if (rc != KNOOP_OK)
        goto out_txn;
    for (i = 0; i < act->via.array.size && rc == KNOOP_OK; i++) {
        snprintf(path, sizeof(path), "params.actoren[%u]", (unsigned)i);
        if ((rc = cc__actor_ref(ctx, &act->via.array.ptr[i], path, &n, err)) != KNOOP_OK)
            break;
        for (j = 0; j < na && actors[j] != n.id; j++)
            ;
        if (j < na)
            rc = knoop_error_set(err, KNOOP_EINVAL, "%s: node %llu is already params.actoren[%u]",
                                 path, (unsigned long long)n.id, (unsigned)j);
        else
            actors[na++] = n.id;
        graph_node_clear(&n);
    }
    if (rc != KNOOP_OK)
        goto out;
    graph_format_ts(store_txn_time(t), now);
    msgpack_pack_map(&spk, 3 + (toel != NULL) + (status == CC_DONE));
    cmd_pack_cstr(&spk, "gevraagdeHandeling");
    msgpack_pack_str_with_body(&spk, hand, hl);
    if (toel != NULL) {
        cmd_pack_cstr(&spk, "toelichting");
        msgpack_pack_str_with_body(&spk, toel, tl);
    }
    cmd_pack_cstr(&spk, "status");
    cmd_pack_cstr(&spk, status);
    cmd_pack_cstr(&spk, "toegewezenOp");
    cmd_pack_cstr(&spk, now);
    if (status == CC_DONE) {
        cmd_pack_cstr(&spk, "afgehandeldOp");
        cmd_pack_cstr(&spk, now);
    }
    if ((rc = cc__obj(&sb, &u, err)) != KNOOP_OK ||
        (rc = graph_node_create_tx(t, SCHEMA_KIND_TASK, CC_TYPE_TASK, &u.data, &task, err)) != 0)
        goto out;
    /* aanleiding is dated like the klantcontact's own edges; the assignment runs from today. */
    cc__prop_str(kc.props, kc.props_len, "plaatsgevondenOp", ts, sizeof(ts));
    if (cc__ts(ts, strlen(ts), "plaatsgevondenOp", &ms, &day, NULL) != KNOOP_OK)
        day = schema_date_today();
    rc = cc__edge(t, "aanleiding", kc.id, task.id, day, cc__next_day(day), NULL, NULL, err);
    day = (schema_date_t)(store_txn_time(t) / 86400000);
    for (i = 0; i < na && rc == KNOOP_OK; i++)
        rc = cc__edge(t, "toegewezen_aan", task.id, actors[i], day, SCHEMA_DATE_OPEN, NULL, NULL,
                      err);
    if (rc == KNOOP_OK)
        rc = cc__pack_task(ctx, ctx->view, &task, true, pk, err);
out:
    graph_node_clear(&kc);
out_txn:
    graph_node_clear(&task);
    msgpack_unpacked_destroy(&u);
    knoop_buf_destroy(&sb);
    return rc;
}

int cmd_task_get(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    graph_node_t task;
    int rc = cc__task_ref(ctx, proto_param(p, "id"), "params.id", &task, err);
    if (rc != KNOOP_OK)
        return rc;
    rc = cc__pack_task(ctx, ctx->view, &task, true, pk, err);
    graph_node_clear(&task);
    return rc;
}

int cmd_task_done(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    char status[32], when[64], now[40];
    const char *toel;
    size_t tl;
    graph_node_t task, done;
    uint64_t id = 0;
    knoop_buf_t sb;
    msgpack_packer spk;
    msgpack_unpacked u;
    store_txn_t *t = ctx->txn;
    int rc;

    if ((rc = cc__text(p, "toelichting", "params.toelichting", CC_MAX_TOELICHTING, true, &toel, &tl,
                       err)) != KNOOP_OK)
        return rc;
    memset(&done, 0, sizeof(done));
    knoop_buf_init(&sb);
    msgpack_packer_init(&spk, &sb, knoop_buf_write);
    msgpack_unpacked_init(&u);
    if ((rc = cc__task_ref(ctx, proto_param(p, "id"), "params.id", &task, err)) != KNOOP_OK)
        goto out;
    id = task.id;
    cc__prop_str(task.props, task.props_len, "status", status, sizeof(status));
    if (cc__status(status, strlen(status)) == CC_DONE) {
        cc__prop_str(task.props, task.props_len, "afgehandeldOp", when, sizeof(when));
        rc = knoop_error_set(err, KNOOP_ECONFLICT, "task %llu was already done (afgehandeldOp %s)",
                             (unsigned long long)task.id, when[0] ? when : "unknown");
    }
    graph_node_clear(&task);
    if (rc != KNOOP_OK)
        goto out;
    graph_format_ts(store_txn_time(t), now);
    msgpack_pack_map(&spk, 2 + (toel != NULL));
    cmd_pack_cstr(&spk, "status");
    cmd_pack_cstr(&spk, CC_DONE);
    cmd_pack_cstr(&spk, "afgehandeldOp");
    cmd_pack_cstr(&spk, now);
    if (toel != NULL) {
        cmd_pack_cstr(&spk, "toelichting");
        msgpack_pack_str_with_body(&spk, toel, tl);
    }
    if ((rc = cc__obj(&sb, &u, err)) == KNOOP_OK)
        rc = graph_node_update_tx(t, id, &u.data, NULL, 0, &done, err);
    if (rc == KNOOP_OK)
        rc = cc__pack_task(ctx, ctx->view, &done, true, pk, err);
out:
    graph_node_clear(&done);
    msgpack_unpacked_destroy(&u);
    knoop_buf_destroy(&sb);
    return rc;
}

/* The instant of a task's toegewezenOp, for ordering. */
static int64_t cc__task_ms(const graph_node_t *n)
{
    char ts[64];
    int64_t ms = 0;
    schema_date_t d;
    cc__prop_str(n->props, n->props_len, "toegewezenOp", ts, sizeof(ts));
    if (cc__ts(ts, strlen(ts), "toegewezenOp", &ms, &d, NULL) != KNOOP_OK)
        ms = 0;
    return ms;
}

int cmd_task_open(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    const msgpack_object *actor = proto_param(p, "actor");
    graph_ids_t ids = { 0 };
    cc_dated_t *rows = NULL;
    size_t limit, n = 0, i;
    char status[32];
    int rc;

    if ((rc = cmd_limit_param(p, &limit, err)) != KNOOP_OK)
        return rc;
    if (actor != NULL) {
        graph_node_t a;
        cc_adj_t adj;
        if ((rc = cc__actor_ref(ctx, actor, "params.actor", &a, err)) != KNOOP_OK)
            return rc;
        rc = cc__adj(ctx, ctx->view, a.id, GRAPH_IN, "toegewezen_aan", NULL, &adj, err);
        graph_node_clear(&a);
        if (rc != KNOOP_OK)
            return rc;
        ids = adj.others;
        graph_ids_free(&adj.edges);
    } else {
        bool more = false;
        rc = graph_node_find(ctx->store, ctx->view, SCHEMA_KIND_TASK, CC_TYPE_TASK, NULL,
                             CC_MAX_SCAN, &ids, &more, err);
        if (rc == KNOOP_OK && more)
            rc = knoop_error_set(err, KNOOP_ETOOLARGE,
                                 "more than %d tasks to examine; give params.actor", CC_MAX_SCAN);
    }
    if (rc == KNOOP_OK && (rows = knoop_calloc(ids.n ? ids.n : 1, sizeof(*rows))) == NULL)
        rc = knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    for (i = 0; rc == KNOOP_OK && i < ids.n; i++) {
        if ((rc = graph_node_get(ctx->store, ctx->view, ids.ids[i], &rows[n].n, err)) != 0)
            break;
        cc__prop_str(rows[n].n.props, rows[n].n.props_len, "status", status, sizeof(status));
        if (!cc__is_task(&rows[n].n) || cc__status(status, strlen(status)) != CC_OPEN) {
            graph_node_clear(&rows[n].n);
            continue;
        }
        rows[n].ms = cc__task_ms(&rows[n].n);
        n++;
        if ((i & 1023) == 1023)
            rc = cmd_check_deadline(ctx, err);
    }
    if (rc == KNOOP_OK) {
        qsort(rows, n, sizeof(*rows), cc__oldest_first);
        msgpack_pack_map(pk, 2);
        cmd_pack_cstr(pk, "tasks");
        msgpack_pack_array(pk, (uint32_t)(n < limit ? n : limit));
        for (i = 0; i < n && i < limit && rc == KNOOP_OK; i++)
            rc = cc__pack_task(ctx, ctx->view, &rows[i].n, true, pk, err);
        cmd_pack_cstr(pk, "more");
        cmd_pack_bool(pk, n > limit);
    }
    for (i = 0; rows != NULL && i < n; i++)
        graph_node_clear(&rows[i].n);
    knoop_free(rows);
    graph_ids_free(&ids);
    return rc;
}

/* ---- list.* ---- */

/*
 * Finds the verzendlijst whose normalised name equals name's (0 in *id when none), among those
 * visible in snap.
 */
static int cc__list_by_name(cmd_ctx_t *ctx, const store_view_t *snap, const char *name, size_t len,
                            uint64_t *id, knoop_error_t *err)
{
    char want[KNOOP_MAX_INDEX_NAME_BYTES + 1], got[KNOOP_MAX_INDEX_NAME_BYTES + 1];
    char nm[KNOOP_MAX_INDEX_NAME_BYTES + 1], pn[CC_MAX_LISTNAME * 4 + 1];
    graph_ids_t ids = { 0 };
    bool more;
    int wl, rc;

    *id = 0;
    if (len >= sizeof(nm))
        return KNOOP_OK;
    memcpy(nm, name, len);
    nm[len] = '\0';
    wl = schema_name_normalise(name, len, want, sizeof(want));
    if (wl <= 0)
        return KNOOP_OK;
    rc = graph_node_find(ctx->store, snap, SCHEMA_KIND_LIST, CC_TYPE_LIST, nm,
                         KNOOP_MAX_RESULT_LIMIT, &ids, &more, err);
    for (size_t i = 0; rc == KNOOP_OK && i < ids.n && *id == 0; i++) {
        graph_node_t n;
        if (graph_node_get(ctx->store, snap, ids.ids[i], &n, NULL) != KNOOP_OK)
            continue;
        cc__prop_str(n.props, n.props_len, "name", pn, sizeof(pn));
        if (cc__is_list(&n) && schema_name_normalise(pn, strlen(pn), got, sizeof(got)) == wl &&
            memcmp(got, want, (size_t)wl) == 0)
            *id = n.id;
        graph_node_clear(&n);
    }
    graph_ids_free(&ids);
    return rc;
}

/* Resolves params.list: an id, an external key, or a list's name. */
static int cc__list_ref(cmd_ctx_t *ctx, const msgpack_object *p, graph_node_t *n,
                        knoop_error_t *err)
{
    const msgpack_object *v = proto_param(p, "list");
    char q[96];
    uint64_t id;
    int rc;

    memset(n, 0, sizeof(*n));
    if (v != NULL && v->type == MSGPACK_OBJECT_STR) {
        rc = graph_node_by_key(ctx->store, ctx->view, v->via.str.ptr, v->via.str.size, &id, NULL);
        if (rc == KNOOP_ENOTFOUND) {
            if ((rc = cc__list_by_name(ctx, ctx->view, v->via.str.ptr, v->via.str.size, &id,
                                       err)) != KNOOP_OK)
                return rc;
            if (id == 0)
                return knoop_error_set(
                    err, KNOOP_ENOTFOUND, "params.list: no list is named or keyed %s",
                    knoop_repr(q, sizeof(q), v->via.str.ptr, v->via.str.size, 64));
            if ((rc = graph_node_get(ctx->store, ctx->view, id, n, err)) != KNOOP_OK)
                return rc;
        } else if (rc != KNOOP_OK) {
            return knoop_error_set(err, rc, "params.list: cannot read the key index");
        } else if ((rc = graph_node_get(ctx->store, ctx->view, id, n, err)) != KNOOP_OK) {
            return rc;
        }
    } else if ((rc = cc__node_ref(ctx, v, "params.list", n, err)) != KNOOP_OK) {
        return rc;
    }
    if (!cc__is_list(n)) {
        rc =
            knoop_error_set(err, KNOOP_EINVAL, "params.list: node %llu is a %s, not a verzendlijst",
                            (unsigned long long)n->id, cc__kind(n));
        graph_node_clear(n);
        return rc;
    }
    return KNOOP_OK;
}

int cmd_list_create(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    const char *name, *om;
    size_t nl, ol;
    uint64_t other;
    graph_node_t n;
    knoop_buf_t sb;
    msgpack_packer spk;
    msgpack_unpacked u;
    store_txn_t *t = ctx->txn;
    int rc;

    if ((rc = cc__text(p, "name", "params.name", CC_MAX_LISTNAME, false, &name, &nl, err)) != 0 ||
        (rc = cc__text(p, "omschrijving", "params.omschrijving", CC_MAX_TOELICHTING, true, &om, &ol,
                       err)) != KNOOP_OK)
        return rc;
    memset(&n, 0, sizeof(n));
    knoop_buf_init(&sb);
    msgpack_packer_init(&spk, &sb, knoop_buf_write);
    msgpack_unpacked_init(&u);
    rc = cc__list_by_name(ctx, ctx->view, name, nl, &other, err);
    if (rc == KNOOP_OK && other != 0)
        rc = knoop_error_set(err, KNOOP_ECONFLICT, "params.name: list %llu has that name already",
                             (unsigned long long)other);
    if (rc == KNOOP_OK) {
        msgpack_pack_map(&spk, om != NULL ? 2 : 1);
        cmd_pack_cstr(&spk, "name");
        msgpack_pack_str_with_body(&spk, name, nl);
        if (om != NULL) {
            cmd_pack_cstr(&spk, "omschrijving");
            msgpack_pack_str_with_body(&spk, om, ol);
        }
        if ((rc = cc__obj(&sb, &u, err)) == KNOOP_OK)
            rc = graph_node_create_tx(t, SCHEMA_KIND_LIST, CC_TYPE_LIST, &u.data, &n, err);
    }
    if (rc == KNOOP_OK)
        graph_node_pack(pk, &n);
    graph_node_clear(&n);
    msgpack_unpacked_destroy(&u);
    knoop_buf_destroy(&sb);
    return rc;
}

/* Resolves params.list and params.person (inside the caller's transaction or snapshot). */
static int cc__list_person(cmd_ctx_t *ctx, const msgpack_object *p, graph_node_t *list,
                           graph_node_t *person, knoop_error_t *err)
{
    int rc = cc__list_ref(ctx, p, list, err);
    if (rc != KNOOP_OK)
        return rc;
    rc = cc__person_ref(ctx, proto_param(p, "person"), "params.person", person, err);
    if (rc != KNOOP_OK)
        graph_node_clear(list);
    return rc;
}

/* Collects the person's abonnement edges to list matching time filter f. */
static int cc__subscriptions(cmd_ctx_t *ctx, uint64_t person, uint64_t list,
                             const graph_filter_t *f, graph_ids_t *out, knoop_error_t *err)
{
    cc_adj_t a;
    int rc = cc__adj(ctx, ctx->view, person, GRAPH_OUT, "abonnement", f, &a, err);
    if (rc != KNOOP_OK)
        return rc;
    for (size_t i = 0; i < a.others.n && rc == KNOOP_OK; i++)
        if (a.others.ids[i] == list && graph_ids_push(out, a.edges.ids[i]) != KNOOP_OK)
            rc = knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    cc__adj_free(&a);
    return rc;
}

int cmd_list_subscribe(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                       knoop_error_t *err)
{
    char d[11];
    schema_date_t from = schema_date_today();
    graph_node_t list, person;
    graph_filter_t f;
    graph_ids_t have = { 0 };
    uint64_t id = 0;
    store_txn_t *t = ctx->txn;
    bool present;
    int rc;

    if ((rc = cmd_date_param(p, "from", &from, &present, err)) != KNOOP_OK)
        return rc;
    if ((rc = cc__list_person(ctx, p, &list, &person, err)) != KNOOP_OK)
        return rc;
    memset(&f, 0, sizeof(f));
    f.time = GRAPH_TIME_OVERLAP;
    f.from = from;
    f.to = SCHEMA_DATE_OPEN;
    rc = cc__subscriptions(ctx, person.id, list.id, &f, &have, err);
    if (rc == KNOOP_OK && have.n > 0)
        rc = knoop_error_set(err, KNOOP_ECONFLICT,
                             "person %llu is already subscribed to list %llu on or after %s "
                             "(edge %llu)",
                             (unsigned long long)person.id, (unsigned long long)list.id,
                             schema_date_format(from, d), (unsigned long long)have.ids[0]);
    if (rc == KNOOP_OK)
        rc = cc__edge(t, "abonnement", person.id, list.id, from, SCHEMA_DATE_OPEN, NULL, &id, err);
    if (rc == KNOOP_OK)
        rc = cc__pack_edge_id(ctx, ctx->view, id, pk, err);
    graph_ids_free(&have);
    graph_node_clear(&list);
    graph_node_clear(&person);
    return rc;
}

int cmd_list_unsubscribe(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                         knoop_error_t *err)
{
    char d[11];
    schema_date_t on;
    graph_node_t list, person;
    graph_filter_t f;
    graph_ids_t have = { 0 }, ended = { 0 };
    store_txn_t *t = ctx->txn;
    bool present;
    int rc;

    if ((rc = cmd_date_param(p, "on", &on, &present, err)) != KNOOP_OK)
        return rc;
    if ((rc = cc__list_person(ctx, p, &list, &person, err)) != KNOOP_OK)
        return rc;
    memset(&f, 0, sizeof(f));
    f.time = GRAPH_TIME_AT;
    f.at = on;
    rc = cc__subscriptions(ctx, person.id, list.id, &f, &have, err);
    if (rc == KNOOP_OK && have.n == 0)
        rc = knoop_error_set(err, KNOOP_ENOTFOUND,
                             "params.person: person %llu has no subscription to list %llu "
                             "running on %s",
                             (unsigned long long)person.id, (unsigned long long)list.id,
                             schema_date_format(on, d));
    if (rc == KNOOP_OK)
        rc = graph_edge_end_tx(t, have.ids[0], on, &ended, err);
    if (rc == KNOOP_OK) {
        msgpack_pack_map(pk, 1);
        cmd_pack_cstr(pk, "ended");
        msgpack_pack_array(pk, (uint32_t)ended.n);
        for (size_t i = 0; i < ended.n && rc == KNOOP_OK; i++)
            rc = cc__pack_edge_id(ctx, ctx->view, ended.ids[i], pk, err);
    }
    graph_ids_free(&have);
    graph_ids_free(&ended);
    graph_node_clear(&list);
    graph_node_clear(&person);
    return rc;
}

int cmd_list_members(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err)
{
    schema_date_t at = schema_date_today();
    graph_node_t list;
    graph_filter_t f;
    cc_adj_t a;
    size_t limit, i, n;
    bool present;
    char d[11];
    int rc;

    if ((rc = cmd_limit_param(p, &limit, err)) != KNOOP_OK ||
        (rc = cmd_date_param(p, "at", &at, &present, err)) != KNOOP_OK)
        return rc;
    if ((rc = cc__list_ref(ctx, p, &list, err)) != KNOOP_OK)
        return rc;
    memset(&f, 0, sizeof(f));
    f.time = GRAPH_TIME_AT;
    f.at = at;
    rc = cc__adj(ctx, ctx->view, list.id, GRAPH_IN, "abonnement", &f, &a, err);
    graph_node_clear(&list);
    if (rc != KNOOP_OK)
        return rc;
    n = a.edges.n < limit ? a.edges.n : limit;
    msgpack_pack_map(pk, 3);
    cmd_pack_cstr(pk, "at");
    cmd_pack_cstr(pk, schema_date_format(at, d));
    cmd_pack_cstr(pk, "members");
    msgpack_pack_array(pk, (uint32_t)n);
    for (i = 0; i < n && rc == KNOOP_OK; i++) {
        msgpack_pack_map(pk, 2);
        cmd_pack_cstr(pk, "person");
        if ((rc = cc__pack_node_id(ctx, ctx->view, a.others.ids[i], pk, err)) != KNOOP_OK)
            break;
        cmd_pack_cstr(pk, "subscription");
        rc = cc__pack_edge_id(ctx, ctx->view, a.edges.ids[i], pk, err);
    }
    cmd_pack_cstr(pk, "more");
    cmd_pack_bool(pk, a.edges.n > limit);
    cc__adj_free(&a);
    return rc;
}
