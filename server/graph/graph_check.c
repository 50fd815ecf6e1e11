/*
 * graph_check.c - the consistency checker: do adjacency, indexes, history and counters agree
 * with the node and edge records? (layer: graph). Contract in graph.h (graph_check).
 *
 * The check streams each column family once, in key order, over one read view, and looks the
 * other side up with point reads: nodes (their index entries and history), edges (their ends,
 * adjacency and on-behalf-of entries), adjacency (its edges), idx (its records), hist (latest
 * entry per id against the record), then the counters in meta. What it remembers is three sets
 * of ids, so memory grows with the number of entities, never with their size or history.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graph_int.h"

typedef struct {
    store_t *s;
    const store_view_t *v;
    int64_t deadline_ms;
    graph_check_cb cb;
    void *arg;
    graph_check_result_t *out;
    knoop_error_t *err;
    graph__idset_t nodes, edges, hist_ids;
    uint64_t next_id, seq, max_seq, max_id;
    unsigned long steps;
    bool malformed; /* the last check__node / check__edge found a record that does not decode */
} check_t;

/* Writes a printable form of key (of family cf) into buf. */
static void check__key_text(kv_cf_t cf, const unsigned char *k, size_t kl, char *buf, size_t bufsz)
{
    char q[300];
    uint64_t a, b, c2;
    const char *type;
    size_t tl, off;
    char dir;
    uint32_t n;

    switch (cf) {
    case KV_CF_NODE:
    case KV_CF_EDGE:
        if (kl == STORE_ID_KEY_LEN) {
            snprintf(buf, bufsz, "%llu", (unsigned long long)store_get_u64(k));
            return;
        }
        break;
    case KV_CF_ADJ:
        if (store_key_adj_decode(k, kl, &a, &dir, &type, &tl, &b, &c2)) {
            snprintf(buf, bufsz, "%llu %c %s %llu %llu", (unsigned long long)a, dir,
                     knoop_repr(q, sizeof(q), type, tl, 64), (unsigned long long)b,
                     (unsigned long long)c2);
            return;
        }
        break;
    case KV_CF_HIST:
        if (store_key_hist_decode(k, kl, &a, &b, &n)) {
            snprintf(buf, bufsz, "%llu %llu %u", (unsigned long long)a, (unsigned long long)b,
                     (unsigned)n);
            return;
        }
        if (kl == 8) { /* an id's prefix: "no history for id" */
            snprintf(buf, bufsz, "%llu", (unsigned long long)store_get_u64(k));
            return;
        }
        break;
    case KV_CF_META:
        snprintf(buf, bufsz, "%s", knoop_repr(q, sizeof(q), (const char *)k, kl, 64));
        return;
    case KV_CF_IDX:
        if (kl >= 10 && k[0] == STORE_IDX_NAME && k[kl - 9] == 0) {
            snprintf(buf, bufsz, "n %s %llu",
                     knoop_repr(q, sizeof(q), (const char *)k + 1, kl - 10, 128),
                     (unsigned long long)store_get_u64(k + kl - 8));
            return;
        }
        if (kl >= 1 && k[0] == STORE_IDX_KEY) {
            snprintf(buf, bufsz, "k %s",
                     knoop_repr(q, sizeof(q), (const char *)k + 1, kl - 1, 128));
            return;
        }
        if (kl >= 11 && k[0] == STORE_IDX_TYPE && k[kl - 9] == 0) {
            const char *kn = schema_kind_name(k[1]);
            snprintf(buf, bufsz, "t %s:%s %llu", kn != NULL ? kn : "?",
                     knoop_repr(q, sizeof(q), (const char *)k + 2, kl - 11, 128),
                     (unsigned long long)store_get_u64(k + kl - 8));
            return;
        }
        if (kl == STORE_BEHALF_KEY_LEN && k[0] == STORE_IDX_BEHALF) {
            snprintf(buf, bufsz, "b %llu %llu", (unsigned long long)store_get_u64(k + 1),
                     (unsigned long long)store_get_u64(k + 9));
            return;
        }
        break;
    default:
        break;
    }
    /* Anything else in hex (cut to fit). */
    off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < kl && off + 3 < bufsz; i++)
        off += (size_t)snprintf(buf + off, bufsz - off, "%02x", k[i]);
}

/* Reports one mismatch. */
__attribute__((format(printf, 5, 6))) static void
check__report(check_t *c, kv_cf_t cf, const unsigned char *key, size_t klen, const char *fmt, ...)
{
    char text[400], problem[400];
    graph_mismatch_t m;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, sizeof(problem), fmt, ap);
    va_end(ap);
    check__key_text(cf, key, klen, text, sizeof(text));
    c->out->mismatches++;
    if (c->cb == NULL)
        return;
    m.cf = cf;
    m.key = key;
    m.klen = klen;
    m.key_text = text;
    m.problem = problem;
    c->cb(c->arg, &m);
}

static int64_t check__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* KNOOP_EUNAVAIL once the deadline has passed (looked at on the first step, then every 1024). */
static int check__step(check_t *c)
{
    if (c->deadline_ms == 0 || (c->steps++ & 1023) != 0)
        return KNOOP_OK;
    if (check__now_ms() > c->deadline_ms)
        return knoop_error_set(c->err, KNOOP_EUNAVAIL,
                               "check: took longer than the server's time per request");
    return KNOOP_OK;
}

static int check__oom(check_t *c)
{
    return knoop_error_set(c->err, KNOOP_ENOMEM, "check: out of memory");
}

/* Reads key; *found tells whether it exists. The value (when wanted) is the caller's (kv_free). */
static int check__get(check_t *c, kv_cf_t cf, const unsigned char *key, size_t klen, bool *found,
                      void **val, size_t *vlen)
{
    void *v = NULL;
    size_t vl = 0;
    int rc = store_get(c->s, c->v, cf, key, klen, &v, &vl, c->err);
    *found = rc == KNOOP_OK;
    if (rc == KNOOP_ENOTFOUND)
        return KNOOP_OK;
    if (rc != KNOOP_OK)
        return rc;
    if (val != NULL) {
        *val = v;
        *vlen = vl;
    } else {
        kv_free(v);
    }
    return KNOOP_OK;
}

/*
 * Reads and decodes node id; *found false when absent or malformed. A malformed record is
 * reported by the node pass, so c->malformed tells the caller not to report it again as absent.
 */
static int check__node(check_t *c, uint64_t id, graph_node_t *n, bool *found)
{
    knoop_error_t ignore;
    int rc = graph__node_read(c->s, c->v, id, n, &ignore);
    *found = rc == KNOOP_OK;
    c->malformed = rc == KNOOP_ECORRUPT;
    if (rc == KNOOP_OK || rc == KNOOP_ENOTFOUND || rc == KNOOP_ECORRUPT)
        return KNOOP_OK;
    return knoop_error_set(c->err, rc, "%s", ignore.msg);
}

/* As check__node, for edge id. */
static int check__edge(check_t *c, uint64_t id, graph_edge_t *e, bool *found)
{
    knoop_error_t ignore;
    int rc = graph__edge_read(c->s, c->v, id, e, &ignore);
    *found = rc == KNOOP_OK;
    c->malformed = rc == KNOOP_ECORRUPT;
    if (rc == KNOOP_OK || rc == KNOOP_ENOTFOUND || rc == KNOOP_ECORRUPT)
        return KNOOP_OK;
    return knoop_error_set(c->err, rc, "%s", ignore.msg);
}

/* Unpacks a record's props into zone; false when they are not a map. */
static bool check__props(const char *props, size_t len, msgpack_zone *zone, msgpack_object *out)
{
    size_t off = 0;
    if (len == 0) {
        out->type = MSGPACK_OBJECT_MAP;
        out->via.map.size = 0;
        out->via.map.ptr = NULL;
        return true;
    }
    return msgpack_unpack(props, len, &off, zone, out) == MSGPACK_UNPACK_SUCCESS && off == len &&
           out->type == MSGPACK_OBJECT_MAP;
}

/* The normalised name of props into norm (KNOOP_MAX_INDEX_NAME_BYTES + 1): >0 its length, 0 when
 * there is no name, <0 when it does not normalise. */
static int check__norm(const msgpack_object *props, char *norm)
{
    const char *s;
    size_t len;
    if (!graph__props_str(props, "name", &s, &len))
        return 0;
    return schema_name_normalise(s, len, norm, KNOOP_MAX_INDEX_NAME_BYTES + 1);
}

/* Does node props hold value as one of its external keys? */
static bool check__holds_key(const msgpack_object *props, const unsigned char *v, size_t vl)
{
    for (int i = 0; graph_key_fields[i] != NULL; i++) {
        const char *s;
        size_t len;
        if (graph__props_str(props, graph_key_fields[i], &s, &len) && len == vl &&
            memcmp(s, v, vl) == 0)
            return true;
    }
    return false;
}

/* One node record: decodes, and has its name, key and kind/type index entries. */
static int check__one_node(check_t *c, const unsigned char *k, size_t kl, const void *val,
                           size_t vl)
{
    unsigned char key[1 + KNOOP_MAX_INDEX_NAME_BYTES + 16];
    char norm[KNOOP_MAX_INDEX_NAME_BYTES + 1];
    knoop_error_t ignore;
    graph_node_t n;
    msgpack_zone zone;
    msgpack_object props;
    uint64_t id;
    bool found;
    int rc = KNOOP_OK, nl;
    void *v;
    size_t len;

    if (kl != STORE_ID_KEY_LEN) {
        check__report(c, KV_CF_NODE, k, kl, "malformed key (%zu bytes, expected 8)", kl);
        return KNOOP_OK;
    }
    id = store_get_u64(k);
    if (graph__idset_add(&c->nodes, id) < 0)
        return check__oom(c);
    if (id > c->max_id)
        c->max_id = id;
    if (id == 0 || id >= STORE_HIST_ID_AUX)
        check__report(c, KV_CF_NODE, k, kl, "id %llu is outside the id range",
                      (unsigned long long)id);
    if (graph__node_decode(id, val, vl, &n, &ignore) != KNOOP_OK) {
        check__report(c, KV_CF_NODE, k, kl, "record does not decode: %s", ignore.msg);
        return KNOOP_OK;
    }
    msgpack_zone_init(&zone, 1024);
    if (!check__props(n.props, n.props_len, &zone, &props)) {
        check__report(c, KV_CF_NODE, k, kl, "properties are not a msgpack map");
        goto out;
    }
    if (schema_kind_name(n.kind) == NULL)
        check__report(c, KV_CF_NODE, k, kl, "unknown kind %d", (int)n.kind);
    nl = check__norm(&props, norm);
    if (nl < 0) {
        check__report(c, KV_CF_NODE, k, kl, "name does not normalise");
    } else if (nl > 0) {
        size_t ikl = store_key_idx_name(key, norm, (size_t)nl, id);
        if ((rc = check__get(c, KV_CF_IDX, key, ikl, &found, NULL, NULL)) != KNOOP_OK)
            goto out;
        if (!found)
            check__report(c, KV_CF_IDX, key, ikl, "missing: name index entry of node %llu",
                          (unsigned long long)id);
    }
    for (int i = 0; graph_key_fields[i] != NULL; i++) {
        const char *s;
        size_t sl, ikl;
        unsigned char *kk;
        if (!graph__props_str(&props, graph_key_fields[i], &s, &sl))
            continue;
        if ((kk = knoop_malloc(sl + 1)) == NULL) {
            rc = check__oom(c);
            goto out;
        }
        ikl = store_key_idx_ext(kk, s, sl);
        v = NULL;
        rc = check__get(c, KV_CF_IDX, kk, ikl, &found, &v, &len);
        if (rc == KNOOP_OK && !found)
            check__report(c, KV_CF_IDX, kk, ikl, "missing: external key (%s) of node %llu",
                          graph_key_fields[i], (unsigned long long)id);
        else if (rc == KNOOP_OK && (len != 8 || store_get_u64(v) != id))
            check__report(c, KV_CF_IDX, kk, ikl,
                          "external key (%s) of node %llu names node %llu instead",
                          graph_key_fields[i], (unsigned long long)id,
                          len == 8 ? (unsigned long long)store_get_u64(v) : 0ULL);
        kv_free(v);
        knoop_free(kk);
        if (rc != KNOOP_OK)
            goto out;
    }
    {
        size_t ikl = store_key_idx_type(key, (uint8_t)n.kind, n.type, strlen(n.type), id);
        if ((rc = check__get(c, KV_CF_IDX, key, ikl, &found, NULL, NULL)) != KNOOP_OK)
            goto out;
        if (!found)
            check__report(c, KV_CF_IDX, key, ikl, "missing: kind/type index entry of node %llu",
                          (unsigned long long)id);
    }
out:
    msgpack_zone_destroy(&zone);
    graph_node_clear(&n);
    return rc;
}

/* One edge record: decodes, its ends are nodes, both adjacency entries and its 'b' entry. */
static int check__one_edge(check_t *c, const unsigned char *k, size_t kl, const void *val,
                           size_t vl)
{
    unsigned char key[STORE_ADJ_KEY_MAX], want[8];
    knoop_error_t ignore;
    graph_edge_t e;
    uint64_t id;
    bool found;
    int rc = KNOOP_OK;

    if (kl != STORE_ID_KEY_LEN) {
        check__report(c, KV_CF_EDGE, k, kl, "malformed key (%zu bytes, expected 8)", kl);
        return KNOOP_OK;
    }
    id = store_get_u64(k);
    if (graph__idset_add(&c->edges, id) < 0)
        return check__oom(c);
    if (id > c->max_id)
        c->max_id = id;
    if (id == 0 || id >= STORE_HIST_ID_AUX)
        check__report(c, KV_CF_EDGE, k, kl, "id %llu is outside the id range",
                      (unsigned long long)id);
    if (graph__idset_has(&c->nodes, id))
        check__report(c, KV_CF_EDGE, k, kl, "id %llu is also a node", (unsigned long long)id);
    if (graph__edge_decode(id, val, vl, &e, &ignore) != KNOOP_OK) {
        check__report(c, KV_CF_EDGE, k, kl, "record does not decode: %s", ignore.msg);
        return KNOOP_OK;
    }
    if (e.type[0] == '\0' || strlen(e.type) > 255)
        check__report(c, KV_CF_EDGE, k, kl, "type is empty or longer than 255 bytes");
    if (e.valid_to < e.valid_from)
        check__report(c, KV_CF_EDGE, k, kl, "valid_to is before valid_from");
    if (!graph__idset_has(&c->nodes, e.source))
        check__report(c, KV_CF_EDGE, k, kl, "source node %llu does not exist",
                      (unsigned long long)e.source);
    if (!graph__idset_has(&c->nodes, e.target))
        check__report(c, KV_CF_EDGE, k, kl, "target node %llu does not exist",
                      (unsigned long long)e.target);
    store_put_date(want, e.valid_from);
    store_put_date(want + 4, e.valid_to);
    for (int d = 0; d < 2 && strlen(e.type) <= 255; d++) {
        size_t akl = d == 0 ? store_key_adj(key, e.source, STORE_DIR_OUT, e.type, strlen(e.type),
                                            e.target, id, true)
                            : store_key_adj(key, e.target, STORE_DIR_IN, e.type, strlen(e.type),
                                            e.source, id, true);
        void *v = NULL;
        size_t len = 0;
        if ((rc = check__get(c, KV_CF_ADJ, key, akl, &found, &v, &len)) != KNOOP_OK)
            goto out;
        if (!found)
            check__report(c, KV_CF_ADJ, key, akl, "missing: %s adjacency entry of edge %llu",
                          d == 0 ? "outgoing" : "incoming", (unsigned long long)id);
        else if (len != 8 || memcmp(v, want, 8) != 0)
            check__report(c, KV_CF_ADJ, key, akl,
                          "valid_from/valid_to differ from those of edge %llu",
                          (unsigned long long)id);
        kv_free(v);
    }
    if (e.on_behalf_of != 0) {
        size_t bkl = store_key_idx_behalf(key, e.on_behalf_of, id);
        unsigned char ek[STORE_ID_KEY_LEN];
        if ((rc = check__get(c, KV_CF_IDX, key, bkl, &found, NULL, NULL)) != KNOOP_OK)
            goto out;
        if (!found)
            check__report(c, KV_CF_IDX, key, bkl, "missing: on-behalf-of entry of edge %llu",
                          (unsigned long long)id);
        store_key_id(ek, e.on_behalf_of);
        if ((rc = check__get(c, KV_CF_EDGE, ek, sizeof(ek), &found, NULL, NULL)) != KNOOP_OK)
            goto out;
        if (!found)
            check__report(c, KV_CF_EDGE, k, kl, "on_behalf_of edge %llu does not exist",
                          (unsigned long long)e.on_behalf_of);
    }
out:
    graph_edge_clear(&e);
    return rc;
}

/* One adjacency entry: it decodes and is one of the two entries of an existing edge. */
static int check__one_adj(check_t *c, const unsigned char *k, size_t kl, const void *val, size_t vl)
{
    uint64_t node, other, eid;
    const char *type;
    size_t tl;
    char dir;
    graph_edge_t e;
    bool found;
    int rc;

    (void)val;
    if (!store_key_adj_decode(k, kl, &node, &dir, &type, &tl, &other, &eid)) {
        check__report(c, KV_CF_ADJ, k, kl, "malformed adjacency key");
        return KNOOP_OK;
    }
    if (vl != 8)
        check__report(c, KV_CF_ADJ, k, kl, "value has %zu bytes, expected 8", vl);
    if ((rc = check__edge(c, eid, &e, &found)) != KNOOP_OK)
        return rc;
    if (!found) {
        if (!c->malformed)
            check__report(c, KV_CF_ADJ, k, kl, "dangling: edge %llu does not exist",
                          (unsigned long long)eid);
        return KNOOP_OK;
    }
    if (strlen(e.type) != tl || memcmp(e.type, type, tl) != 0 ||
        (dir == STORE_DIR_OUT && (e.source != node || e.target != other)) ||
        (dir == STORE_DIR_IN && (e.target != node || e.source != other)))
        check__report(c, KV_CF_ADJ, k, kl,
                      "does not match edge %llu (%s from %llu to %llu): stale entry",
                      (unsigned long long)eid, e.type, (unsigned long long)e.source,
                      (unsigned long long)e.target);
    graph_edge_clear(&e);
    return KNOOP_OK;
}

/* One idx entry: 'n', 'k', 't' and 'b' entries must match a record; others are counted. */
static int check__one_idx(check_t *c, const unsigned char *k, size_t kl, const void *val, size_t vl)
{
    char norm[KNOOP_MAX_INDEX_NAME_BYTES + 1];
    graph_node_t n;
    graph_edge_t e;
    msgpack_zone zone;
    msgpack_object props;
    uint64_t id;
    bool found;
    int rc;

    if (kl == 0) {
        check__report(c, KV_CF_IDX, k, kl, "empty key");
        return KNOOP_OK;
    }
    switch (k[0]) {
    case STORE_IDX_NAME:
    case STORE_IDX_TYPE:
    case STORE_IDX_KEY:
        break;
    case STORE_IDX_BEHALF:
        if (kl != STORE_BEHALF_KEY_LEN) {
            check__report(c, KV_CF_IDX, k, kl, "malformed on-behalf-of key");
            return KNOOP_OK;
        }
        if ((rc = check__edge(c, store_get_u64(k + 9), &e, &found)) != KNOOP_OK)
            return rc;
        if (!found && !c->malformed)
            check__report(c, KV_CF_IDX, k, kl, "dangling: edge %llu does not exist",
                          (unsigned long long)store_get_u64(k + 9));
        else if (found && e.on_behalf_of != store_get_u64(k + 1))
            check__report(c, KV_CF_IDX, k, kl, "stale: edge %llu is held on behalf of %llu",
                          (unsigned long long)e.id, (unsigned long long)e.on_behalf_of);
        graph_edge_clear(&e);
        return KNOOP_OK;
    case STORE_IDX_POSTCODE:
    case STORE_IDX_PLACE:
    case STORE_IDX_PLACE_OF:
        return KNOOP_OK; /* auxiliary tables: counted only */
    default:
        check__report(c, KV_CF_IDX, k, kl, "unknown index prefix 0x%02x", k[0]);
        return KNOOP_OK;
    }

    if (k[0] == STORE_IDX_KEY) {
        if (vl != 8) {
            check__report(c, KV_CF_IDX, k, kl, "value has %zu bytes, expected an id", vl);
            return KNOOP_OK;
        }
        id = store_get_u64(val);
    } else {
        if (kl < (k[0] == STORE_IDX_NAME ? 10u : 11u) || k[kl - 9] != 0) {
            check__report(c, KV_CF_IDX, k, kl, "malformed index key");
            return KNOOP_OK;
        }
        id = store_get_u64(k + kl - 8);
    }
    if ((rc = check__node(c, id, &n, &found)) != KNOOP_OK)
        return rc;
    if (!found) {
        if (!c->malformed)
            check__report(c, KV_CF_IDX, k, kl, "dangling: node %llu does not exist",
                          (unsigned long long)id);
        return KNOOP_OK;
    }
    msgpack_zone_init(&zone, 1024);
    if (!check__props(n.props, n.props_len, &zone, &props)) {
        /* reported by the node pass */
    } else if (k[0] == STORE_IDX_NAME) {
        int nl = check__norm(&props, norm);
        if (nl <= 0 || (size_t)nl != kl - 10 || memcmp(norm, k + 1, kl - 10) != 0)
            check__report(c, KV_CF_IDX, k, kl, "stale: node %llu has another name",
                          (unsigned long long)id);
    } else if (k[0] == STORE_IDX_TYPE) {
        if (k[1] != (unsigned char)n.kind || strlen(n.type) != kl - 11 ||
            memcmp(n.type, k + 2, kl - 11) != 0)
            check__report(c, KV_CF_IDX, k, kl, "stale: node %llu is of another kind or type",
                          (unsigned long long)id);
    } else if (!check__holds_key(&props, k + 1, kl - 1)) {
        check__report(c, KV_CF_IDX, k, kl, "names node %llu, whose properties do not hold it",
                      (unsigned long long)id);
    }
    msgpack_zone_destroy(&zone);
    graph_node_clear(&n);
    return KNOOP_OK;
}

/* What the check keeps of the latest history entry of an id. */
typedef struct {
    uint64_t id;
    bool any;
    bool ok; /* the entry decoded */
    char op[16];
    bool has_after;
    uint64_t after_id, after_version;
    unsigned char key[STORE_HIST_KEY_LEN];
} check_hist_t;

static const msgpack_object *check__map_get(const msgpack_object *m, const char *name)
{
    size_t nl = strlen(name);
    if (m->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object *key = &m->via.map.ptr[i].key;
        if (key->type == MSGPACK_OBJECT_STR && key->via.str.size == nl &&
            memcmp(key->via.str.ptr, name, nl) == 0)
            return &m->via.map.ptr[i].val;
    }
    return NULL;
}

/* The latest history entry of h->id against its record (node, edge or none). */
static int check__hist_last(check_t *c, const check_hist_t *h)
{
    uint64_t id = h->id, version = 0;
    bool is_node, is_edge;
    int rc;

    if (!h->any || id == 0 || id >= STORE_HIST_ID_AUX)
        return KNOOP_OK; /* the schema registry and auxiliary tables have no records */
    if (id > c->max_id)
        c->max_id = id;
    if (graph__idset_add(&c->hist_ids, id) < 0)
        return check__oom(c);
    if (!h->ok)
        return KNOOP_OK; /* reported as it was read */
    is_node = graph__idset_has(&c->nodes, id);
    is_edge = graph__idset_has(&c->edges, id);
    if (is_node) {
        graph_node_t n;
        bool found;
        if ((rc = check__node(c, id, &n, &found)) != KNOOP_OK)
            return rc;
        version = found ? n.version : 0;
        graph_node_clear(&n);
        if (!found)
            return KNOOP_OK; /* malformed: reported by the record's pass */
    } else if (is_edge) {
        graph_edge_t e;
        bool found;
        if ((rc = check__edge(c, id, &e, &found)) != KNOOP_OK)
            return rc;
        version = found ? e.version : 0;
        graph_edge_clear(&e);
        if (!found)
            return KNOOP_OK; /* malformed: reported by the record's pass */
    }
    if (!is_node && !is_edge) {
        if (strcmp(h->op, "delete") != 0 && strcmp(h->op, "erase") != 0)
            check__report(c, KV_CF_HIST, h->key, sizeof(h->key),
                          "latest entry of %llu is '%s' but no node or edge %llu exists",
                          (unsigned long long)id, h->op, (unsigned long long)id);
        return KNOOP_OK;
    }
    if (strcmp(h->op, "delete") == 0 || strcmp(h->op, "erase") == 0)
        check__report(c, KV_CF_HIST, h->key, sizeof(h->key),
                      "latest entry of %llu is a delete but the %s exists", (unsigned long long)id,
                      is_node ? "node" : "edge");
    else if (!h->has_after || h->after_id != id || h->after_version != version)
        check__report(c, KV_CF_HIST, h->key, sizeof(h->key),
                      "latest entry's after (id %llu, version %llu) does not match the %s "
                      "(id %llu, version %llu)",
                      (unsigned long long)h->after_id, (unsigned long long)h->after_version,
                      is_node ? "node" : "edge", (unsigned long long)id,
                      (unsigned long long)version);
    return KNOOP_OK;
}

/* One history entry: decodes, its seq agrees with its key; remembered as its id's latest. */
static void check__one_hist(check_t *c, const unsigned char *k, size_t kl, const void *val,
                            size_t vl, check_hist_t *h)
{
    msgpack_unpacked u;
    const msgpack_object *o;
    uint64_t id, seq;
    uint32_t n;
    size_t off = 0;

    if (!store_key_hist_decode(k, kl, &id, &seq, &n)) {
        check__report(c, KV_CF_HIST, k, kl, "malformed history key (%zu bytes)", kl);
        return;
    }
    if (seq > c->max_seq)
        c->max_seq = seq;
    h->id = id;
    h->any = true;
    h->ok = false;
    h->has_after = false;
    h->op[0] = '\0';
    memcpy(h->key, k, kl);
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, val, vl, &off) != MSGPACK_UNPACK_SUCCESS || off != vl ||
        u.data.type != MSGPACK_OBJECT_MAP) {
        check__report(c, KV_CF_HIST, k, kl, "entry is not a msgpack map");
        goto out;
    }
    o = check__map_get(&u.data, "seq");
    if (o == NULL || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER || o->via.u64 != seq)
        check__report(c, KV_CF_HIST, k, kl, "entry's seq differs from its key's");
    o = check__map_get(&u.data, "id");
    if (o == NULL || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER || o->via.u64 != id)
        check__report(c, KV_CF_HIST, k, kl, "entry's id differs from its key's");
    o = check__map_get(&u.data, "op");
    if (o == NULL || o->type != MSGPACK_OBJECT_STR || o->via.str.size >= sizeof(h->op)) {
        check__report(c, KV_CF_HIST, k, kl, "entry has no op");
        goto out;
    }
    memcpy(h->op, o->via.str.ptr, o->via.str.size);
    h->op[o->via.str.size] = '\0';
    o = check__map_get(&u.data, "after");
    if (o != NULL && o->type == MSGPACK_OBJECT_MAP) {
        const msgpack_object *ai = check__map_get(o, "id"), *av = check__map_get(o, "version");
        h->has_after = true;
        h->after_id = ai != NULL && ai->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? ai->via.u64 : 0;
        h->after_version =
            av != NULL && av->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? av->via.u64 : 0;
    }
    h->ok = true;
out:
    msgpack_unpacked_destroy(&u);
}

/* Streams family cf through the view, calling one per entry; the hist pass is handled apart. */
typedef int (*check_entry_fn)(check_t *c, const unsigned char *k, size_t kl, const void *v,
                              size_t vl);

static int check__pass(check_t *c, kv_cf_t cf, check_entry_fn one, uint64_t *count)
{
    store_iter_t *it = store_iter(c->s, c->v, cf, NULL, 0, NULL, 0);
    check_hist_t h;
    int rc = KNOOP_OK;

    if (it == NULL)
        return check__oom(c);
    memset(&h, 0, sizeof(h));
    for (; store_iter_valid(it); store_iter_next(it)) {
        size_t kl, vl;
        const unsigned char *k = store_iter_key(it, &kl);
        const void *v = store_iter_value(it, &vl);
        (*count)++;
        if ((rc = check__step(c)) != KNOOP_OK)
            break;
        if (one != NULL) {
            rc = one(c, k, kl, v, vl);
        } else {
            /* hist: the previous id's group ends when the id changes */
            if (h.any && (kl < 8 || store_get_u64(k) != h.id) &&
                (rc = check__hist_last(c, &h)) != KNOOP_OK)
                break;
            check__one_hist(c, k, kl, v, vl, &h);
        }
        if (rc != KNOOP_OK)
            break;
    }
    if (rc == KNOOP_OK && one == NULL)
        rc = check__hist_last(c, &h);
    if (rc == KNOOP_OK)
        rc = store_iter_status(it, c->err);
    store_iter_free(it);
    return rc;
}

/* Reads a u64 counter from meta; reports a malformed one. *v = 0 when absent. */
static int check__meta_u64(check_t *c, const char *name, uint64_t *v)
{
    void *val = NULL;
    size_t len = 0;
    bool found;
    int rc =
        check__get(c, KV_CF_META, (const unsigned char *)name, strlen(name), &found, &val, &len);
    *v = 0;
    if (rc != KNOOP_OK || !found)
        return rc;
    if (len != 8)
        check__report(c, KV_CF_META, (const unsigned char *)name, strlen(name),
                      "has %zu bytes, expected 8", len);
    else
        *v = store_get_u64(val);
    kv_free(val);
    return KNOOP_OK;
}

/* Every node and edge has history; the counters agree with what the passes saw. */
static void check__finish(check_t *c)
{
    const graph__idset_t *sets[2] = { &c->nodes, &c->edges };
    for (int i = 0; i < 2; i++)
        for (size_t j = 0; j < sets[i]->cap; j++) {
            uint64_t id = sets[i]->slots[j];
            unsigned char k[8];
            if (id == 0 || graph__idset_has(&c->hist_ids, id))
                continue;
            store_put_u64(k, id);
            check__report(c, KV_CF_HIST, k, 8, "missing: no history entry for %s %llu",
                          i == 0 ? "node" : "edge", (unsigned long long)id);
        }
    if (c->max_id != 0 && c->next_id <= c->max_id)
        check__report(c, KV_CF_META, (const unsigned char *)STORE_META_NEXT_ID,
                      strlen(STORE_META_NEXT_ID), "next_id %llu is not above the highest id %llu",
                      (unsigned long long)c->next_id, (unsigned long long)c->max_id);
    if (c->seq != c->max_seq)
        check__report(c, KV_CF_META, (const unsigned char *)STORE_META_SEQ, strlen(STORE_META_SEQ),
                      "seq %llu differs from the highest seq in history %llu",
                      (unsigned long long)c->seq, (unsigned long long)c->max_seq);
}

static void check__ver_cb(void *arg, const void *key, size_t klen, const char *problem)
{
    check__report(arg, KV_CF_VER, key, klen, "%s", problem);
}

int graph_check(store_t *s, const store_view_t *view, int64_t deadline_ms, graph_check_cb cb,
                void *arg, graph_check_result_t *out, knoop_error_t *err)
{
    store_view_t *own = NULL;
    check_t c;
    int rc;

    memset(out, 0, sizeof(*out));
    if (view == NULL) {
        if ((own = store_snapshot(s)) == NULL)
            return knoop_error_set(err, KNOOP_ENOMEM, "check: out of memory");
        view = own;
    }
    memset(&c, 0, sizeof(c));
    c.s = s;
    c.v = view;
    c.deadline_ms = deadline_ms;
    c.cb = cb;
    c.arg = arg;
    c.out = out;
    c.err = err;
    if ((rc = check__meta_u64(&c, STORE_META_NEXT_ID, &c.next_id)) == KNOOP_OK &&
        (rc = check__meta_u64(&c, STORE_META_SEQ, &c.seq)) == KNOOP_OK &&
        (rc = check__pass(&c, KV_CF_NODE, check__one_node, &out->nodes)) == KNOOP_OK &&
        (rc = check__pass(&c, KV_CF_EDGE, check__one_edge, &out->edges)) == KNOOP_OK &&
        (rc = check__pass(&c, KV_CF_ADJ, check__one_adj, &out->adj)) == KNOOP_OK &&
        (rc = check__pass(&c, KV_CF_IDX, check__one_idx, &out->index)) == KNOOP_OK &&
        (rc = check__pass(&c, KV_CF_HIST, NULL, &out->hist)) == KNOOP_OK &&
        (rc = store_ver_check(s, view, c.seq, check__ver_cb, &c, err)) == KNOOP_OK) {
        check__finish(&c);
        rc = store_digest(s, view, out->digest, err);
    }
    graph__idset_free(&c.nodes);
    graph__idset_free(&c.edges);
    graph__idset_free(&c.hist_ids);
    store_snapshot_free(s, own);
    return rc;
}
