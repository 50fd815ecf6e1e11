/*
 * store_ver.c - recorded time ("as we knew it on"): the version entries every commit writes, the
 * commit-time index, views of the store as recorded at a commit, and the iterator that reads
 * through them (layer: store). The layout of family "ver" is in store_int.h.
 *
 * The rule, for a key k of a versioned family and a view as recorded right after commit S: the
 * first version entry of k with a sequence number > S holds the value k had before that commit,
 * which is the value it had at S; when k has no such entry, it has not changed since S and its
 * current value (in the view's snapshot) is the answer. So a point read is one seek, O(log n) in
 * the size of the store, whatever the length of k's history, and a scan visits each key of its
 * range that exists now or ever existed, stepping through a key's first few versions and
 * seeking (at most twice per key) past a longer history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

#define VER_ABSENT       'a' /* the key did not exist before the commit */
#define VER_PRESENT      'p' /* the key had the value that follows */
#define VER_TIME         0xff
#define VER_TIME_KEY_LEN 17
#define VER_ID_ENC_MAX   27 /* ver__enc_max(8) */
#define VER_WALK         4  /* versions a scan steps through before it seeks instead */

bool store__ver_family(kv_cf_t cf)
{
    return cf == KV_CF_NODE || cf == KV_CF_EDGE || cf == KV_CF_ADJ || cf == KV_CF_IDX;
}

/* The most bytes ver__enc writes for a key of klen bytes (and the 8-byte sequence after it). */
static size_t ver__enc_max(size_t klen)
{
    return 1 + 2 * klen + 2 + 8;
}

/*
 * Writes cf, key escaped (0x00 -> 0x00 0xff) and, with term, the terminator 0x00 0x01 into out
 * (ver__enc_max(klen) bytes). Order-preserving and prefix-free: the entries of one key are
 * adjacent, ordered by sequence, and keys keep their order.
 */
static size_t ver__enc(unsigned char *out, kv_cf_t cf, const void *key, size_t klen, bool term)
{
    const unsigned char *k = key;
    size_t n = 0;
    out[n++] = (unsigned char)cf;
    for (size_t i = 0; i < klen; i++) {
        out[n++] = k[i];
        if (k[i] == 0)
            out[n++] = 0xff;
    }
    if (term) {
        out[n++] = 0;
        out[n++] = 1;
    }
    return n;
}

/*
 * Decodes version key vk: the key into out (at least vklen bytes) and *klen, the length of the
 * prefix through the terminator into *plen, the sequence into *seq. false when malformed.
 */
static bool ver__dec(const unsigned char *vk, size_t vklen, unsigned char *out, size_t *klen,
                     size_t *plen, uint64_t *seq)
{
    size_t i = 1, n = 0;
    if (vklen < 1 + 2 + 8 || vk[0] == VER_TIME)
        return false;
    while (i < vklen) {
        if (vk[i] != 0) {
            out[n++] = vk[i++];
            continue;
        }
        if (i + 1 >= vklen)
            return false;
        if (vk[i + 1] == 0xff) {
            out[n++] = 0;
            i += 2;
            continue;
        }
        if (vk[i + 1] != 1 || vklen - (i + 2) != 8)
            return false;
        *klen = n;
        *plen = i + 2;
        *seq = store_get_u64(vk + i + 2);
        return true;
    }
    return false;
}

/* Smallest byte string greater than every string with prefix p[0..n) (in place); new length. */
static size_t ver__successor(unsigned char *p, size_t n)
{
    while (n > 0 && p[n - 1] == 0xff)
        n--;
    if (n > 0)
        p[n - 1]++;
    return n;
}

static int64_t ver__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- writing: version entries at commit ---- */

typedef struct {
    kv_cf_t cf;
    const unsigned char *k;
    size_t klen;
} ver__touch_t;

static int ver__touch_cmp(const void *a, const void *b)
{
    const ver__touch_t *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c;
    if (x->cf != y->cf)
        return x->cf < y->cf ? -1 : 1;
    if ((c = memcmp(x->k, y->k, n)) != 0)
        return c;
    return x->klen < y->klen ? -1 : x->klen > y->klen;
}

static int ver__u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bool ver__has(const uint64_t *ids, size_t n, uint64_t id)
{
    return n > 0 && bsearch(&id, ids, n, sizeof(*ids), ver__u64_cmp) != NULL;
}

/*
 * Whether key k of cf belongs to one of the erased ids (sorted): their record, an adjacency entry
 * naming them, an index entry ending in their id ('n', 't'), an on-behalf-of pair of their edges
 * ('b'), or an external key whose value (before, when present) is their id ('k').
 */
static bool ver__owned(kv_cf_t cf, const unsigned char *k, size_t klen, const void *before,
                       size_t blen, const uint64_t *ids, size_t n)
{
    uint64_t node, other, edge;
    const char *type;
    size_t tlen;
    char dir;
    switch (cf) {
    case KV_CF_NODE:
    case KV_CF_EDGE:
        return klen == 8 && ver__has(ids, n, store_get_u64(k));
    case KV_CF_ADJ:
        return store_key_adj_decode(k, klen, &node, &dir, &type, &tlen, &other, &edge) &&
               (ver__has(ids, n, node) || ver__has(ids, n, other) || ver__has(ids, n, edge));
    case KV_CF_IDX:
        if (klen == 0)
            return false;
        if ((k[0] == STORE_IDX_NAME || k[0] == STORE_IDX_TYPE) && klen >= 9)
            return ver__has(ids, n, store_get_u64(k + klen - 8));
        if (k[0] == STORE_IDX_BEHALF && klen == STORE_BEHALF_KEY_LEN)
            return ver__has(ids, n, store_get_u64(k + 1)) || ver__has(ids, n, store_get_u64(k + 9));
        if (k[0] == STORE_IDX_KEY)
            return before != NULL && blen == 8 &&
                   ver__has(ids, n, store_get_u64((const unsigned char *)before));
        return false;
    default:
        return false;
    }
}

/* A scratch buffer for one encoded key: on the stack when small. */
typedef struct {
    unsigned char small[640];
    unsigned char *p;
} ver__kbuf_t;

static unsigned char *ver__kbuf(ver__kbuf_t *b, size_t need)
{
    b->p = need <= sizeof(b->small) ? b->small : knoop_malloc(need);
    return b->p;
}

static void ver__kbuf_free(ver__kbuf_t *b)
{
    if (b->p != NULL && b->p != b->small)
        knoop_free(b->p);
    b->p = NULL;
}

/* Deletes (in t) every version entry of key k of cf, as committed so far. */
static int ver__drop_key(store_txn_t *t, kv_cf_t cf, const void *k, size_t klen, knoop_error_t *err)
{
    ver__kbuf_t lo, hi;
    size_t n;
    kv_iter_t *it;
    int rc = KNOOP_OK;
    if (ver__kbuf(&lo, ver__enc_max(klen)) == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    if (ver__kbuf(&hi, ver__enc_max(klen)) == NULL) {
        ver__kbuf_free(&lo);
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    }
    n = ver__enc(lo.p, cf, k, klen, true);
    memcpy(hi.p, lo.p, n);
    hi.p[n - 1]++; /* the terminator 0x00 0x01 becomes 0x00 0x02: past every entry of k */
    if ((it = kv_iter_new(t->s->db, NULL, KV_CF_VER, lo.p, n, hi.p, n)) == NULL)
        rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    for (; rc == KNOOP_OK && kv_iter_valid(it); kv_iter_next(it)) {
        size_t vl;
        const void *vk = kv_iter_key(it, &vl);
        if (store__txn_delete_unindexed(t, KV_CF_VER, vk, vl) != KNOOP_OK)
            rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    }
    if (it != NULL && rc == KNOOP_OK)
        rc = kv_iter_status(it, err);
    kv_iter_free(it);
    ver__kbuf_free(&lo);
    ver__kbuf_free(&hi);
    return rc;
}

/* Makes *buf (of *cap bytes) hold at least need bytes; false when out of memory (*buf kept). */
static bool ver__room(unsigned char **buf, size_t *cap, size_t need)
{
    unsigned char *nb;
    if (need <= *cap)
        return true;
    if ((nb = knoop_realloc(*buf, need)) == NULL)
        return false;
    *buf = nb;
    *cap = need;
    return true;
}

/*
 * The version history of erased ids goes with their history (store_txn_erase_history): the
 * entries of their records, of every adjacency entry they ever had (both ends) and of the records
 * of those edges, and of every index key that ever named them.
 */
static int ver__forget(store_txn_t *t, const uint64_t *ids, size_t nids, knoop_error_t *err)
{
    unsigned char *dk = NULL;
    size_t dcap = 0;
    knoop_buf_t
        later; /* adjacency keys (u32 len + key) and edge ids (len 8) to drop after a scan */
    int rc = KNOOP_OK;
    knoop_buf_init(&later);
    for (size_t i = 0; i < nids && rc == KNOOP_OK; i++) {
        unsigned char id8[8], lo[VER_ID_ENC_MAX], hi[VER_ID_ENC_MAX];
        size_t ln, hn, off = 0;
        kv_iter_t *it;
        store_put_u64(id8, ids[i]);
        if ((rc = ver__drop_key(t, KV_CF_NODE, id8, 8, err)) != KNOOP_OK ||
            (rc = ver__drop_key(t, KV_CF_EDGE, id8, 8, err)) != KNOOP_OK)
            break;
        ln = ver__enc(lo, KV_CF_ADJ, id8, 8, false);
        memcpy(hi, lo, ln);
        hn = ver__successor(hi, ln);
        knoop_buf_clear(&later);
        if ((it = kv_iter_new(t->s->db, NULL, KV_CF_VER, lo, ln, hi, hn)) == NULL) {
            rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
            break;
        }
        for (; rc == KNOOP_OK && kv_iter_valid(it); kv_iter_next(it)) {
            size_t vl, kl, pl;
            const unsigned char *vk = kv_iter_key(it, &vl);
            unsigned char mk[STORE_ADJ_KEY_MAX], len[4];
            uint64_t node, other, edge, seq;
            const char *type;
            size_t tlen, ml;
            char dir;
            if (!ver__room(&dk, &dcap, vl)) {
                rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
                break;
            }
            if (store__txn_delete_unindexed(t, KV_CF_VER, vk, vl) != KNOOP_OK) {
                rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
                break;
            }
            if (!ver__dec(vk, vl, dk, &kl, &pl, &seq) ||
                !store_key_adj_decode(dk, kl, &node, &dir, &type, &tlen, &other, &edge))
                continue;
            ml = store_key_adj(mk, other, dir == STORE_DIR_OUT ? STORE_DIR_IN : STORE_DIR_OUT, type,
                               tlen, node, edge, true);
            store_put_u32(len, (uint32_t)ml);
            knoop_buf_write(&later, (const char *)len, 4);
            knoop_buf_write(&later, (const char *)mk, ml);
            store_put_u64(id8, edge);
            store_put_u32(len, 8);
            knoop_buf_write(&later, (const char *)len, 4);
            knoop_buf_write(&later, (const char *)id8, 8);
        }
        if (rc == KNOOP_OK)
            rc = kv_iter_status(it, err);
        kv_iter_free(it);
        if (rc == KNOOP_OK && knoop_buf_failed(&later))
            rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
        while (rc == KNOOP_OK && off + 4 <= later.size) {
            const unsigned char *p = (const unsigned char *)later.data + off;
            size_t l = store_get_u32(p);
            rc = ver__drop_key(t, l == 8 ? KV_CF_EDGE : KV_CF_ADJ, p + 4, l, err);
            off += 4 + l;
        }
    }
    /* Index keys hold names and external keys, not ids in a fixed place: the whole index part. */
    if (rc == KNOOP_OK) {
        unsigned char lo[1] = { KV_CF_IDX }, hi[1] = { KV_CF_IDX + 1 };
        kv_iter_t *it = kv_iter_new(t->s->db, NULL, KV_CF_VER, lo, 1, hi, 1);
        knoop_buf_t cur; /* the key whose entries are being read */
        bool owned = false;
        knoop_buf_init(&cur);
        if (it == NULL)
            rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
        for (; rc == KNOOP_OK && kv_iter_valid(it); kv_iter_next(it)) {
            size_t vl, kl, pl, bl;
            const unsigned char *vk = kv_iter_key(it, &vl);
            const unsigned char *b = kv_iter_value(it, &bl);
            uint64_t seq;
            if (!ver__room(&dk, &dcap, vl)) {
                rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
                break;
            }
            if (!ver__dec(vk, vl, dk, &kl, &pl, &seq))
                continue;
            if (kl != cur.size || memcmp(dk, cur.data, kl) != 0) {
                if (owned)
                    rc = ver__drop_key(t, KV_CF_IDX, cur.data, cur.size, err);
                knoop_buf_clear(&cur);
                if (knoop_buf_write(&cur, (const char *)dk, kl) != 0) {
                    rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
                    break;
                }
                owned = ver__owned(KV_CF_IDX, dk, kl, NULL, 0, ids, nids);
            }
            if (!owned && bl > 0 && b[0] == VER_PRESENT)
                owned = ver__owned(KV_CF_IDX, dk, kl, b + 1, bl - 1, ids, nids);
        }
        if (rc == KNOOP_OK && it != NULL)
            rc = kv_iter_status(it, err);
        if (rc == KNOOP_OK && owned)
            rc = ver__drop_key(t, KV_CF_IDX, cur.data, cur.size, err);
        kv_iter_free(it);
        knoop_buf_destroy(&cur);
    }
    knoop_free(dk);
    knoop_buf_destroy(&later);
    return rc;
}

/* What ver__one needs about the commit in progress. */
typedef struct {
    store_txn_t *t;
    const ver__touch_t *keys; /* the chunk being read, sorted */
    const uint64_t *ids;      /* erased ids, sorted */
    size_t nids;
    knoop_buf_t vb; /* the version value being built */
    knoop_error_t *err;
    int rc;
} ver__commit_t;

/* The version entry of keys[i], whose value before the commit is val (NULL: absent). */
static int ver__one(void *arg, size_t i, const void *val, size_t vlen)
{
    ver__commit_t *c = arg;
    const ver__touch_t *k = &c->keys[i];
    unsigned char tag = val != NULL ? VER_PRESENT : VER_ABSENT;
    ver__kbuf_t kb;
    size_t kn;
    if (c->nids > 0 && ver__owned(k->cf, k->k, k->klen, val, vlen, c->ids, c->nids)) {
        c->rc = ver__drop_key(c->t, k->cf, k->k, k->klen, c->err);
        return c->rc != KNOOP_OK;
    }
    knoop_buf_clear(&c->vb);
    if (ver__kbuf(&kb, ver__enc_max(k->klen)) == NULL) {
        c->rc = knoop_error_set(c->err, KNOOP_ENOMEM, "storage: out of memory");
        return 1;
    }
    kn = ver__enc(kb.p, k->cf, k->k, k->klen, true);
    store_put_u64(kb.p + kn, c->t->seq);
    if (knoop_buf_write(&c->vb, (const char *)&tag, 1) != 0 ||
        (val != NULL && knoop_buf_write(&c->vb, val, vlen) != 0) ||
        store__txn_put_unindexed(c->t, KV_CF_VER, kb.p, kn + 8, c->vb.data, c->vb.size) !=
            KNOOP_OK) {
        ver__kbuf_free(&kb);
        c->rc = knoop_error_set(c->err, KNOOP_ENOMEM, "storage: out of memory");
        return 1;
    }
    ver__kbuf_free(&kb);
    return 0;
}

int store__ver_commit(store_txn_t *t, knoop_error_t *err)
{
    enum { CHUNK = 1024 };
    const unsigned char *d = (const unsigned char *)t->touched.data;
    size_t n = 0, off = 0, nids = t->forget.size / 8, m;
    uint64_t *ids = (uint64_t *)(void *)t->forget.data;
    unsigned char tk[VER_TIME_KEY_LEN];
    const void *kp[CHUNK];
    size_t kl[CHUNK];
    ver__touch_t *v = NULL;
    ver__commit_t c = { .t = t, .err = err, .rc = KNOOP_OK };
    int rc = KNOOP_OK;

    while (off + 5 <= t->touched.size) {
        off += 5 + store_get_u32(d + off + 1);
        n++;
    }
    if (n > 0 && (v = knoop_malloc(n * sizeof(*v))) == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    for (size_t i = 0, o = 0; i < n; i++) {
        v[i].cf = (kv_cf_t)d[o];
        v[i].klen = store_get_u32(d + o + 1);
        v[i].k = d + o + 5;
        o += 5 + v[i].klen;
    }
    if (n > 1)
        qsort(v, n, sizeof(*v), ver__touch_cmp);
    /* Several writes of one key in the transaction: one version, of the value before it. */
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || ver__touch_cmp(&v[m - 1], &v[i]) != 0)
            v[m++] = v[i];
    if (nids > 1)
        qsort(ids, nids, sizeof(*ids), ver__u64_cmp);
    c.ids = ids;
    c.nids = nids;
    knoop_buf_init(&c.vb);
    /* The values before this transaction: the latest committed state (the writer lock is held,
     * so nothing commits in between), read a family's sorted chunk at a time. */
    for (size_t i = 0; i < m && rc == KNOOP_OK;) {
        size_t j = i;
        while (j < m && j - i < CHUNK && v[j].cf == v[i].cf) {
            kp[j - i] = v[j].k;
            kl[j - i] = v[j].klen;
            j++;
        }
        c.keys = v + i;
        rc = kv_multi_get(t->s->db, v[i].cf, j - i, kp, kl, ver__one, &c, err);
        if (rc == KNOOP_OK)
            rc = c.rc;
        i = j;
    }
    knoop_buf_destroy(&c.vb);
    knoop_free(v);
    if (rc == KNOOP_OK && nids > 0)
        rc = ver__forget(t, ids, nids, err);
    /* The commit-time index: 0xff ts:i64 seq:u64 -> "". */
    tk[0] = VER_TIME;
    store_put_i64(tk + 1, t->ts);
    store_put_u64(tk + 9, t->seq);
    if (rc == KNOOP_OK && store__txn_put_unindexed(t, KV_CF_VER, tk, sizeof(tk), "", 0) != KNOOP_OK)
        rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    return rc;
}

int store__ver_last_ts(store_t *s, int64_t *out, knoop_error_t *err)
{
    unsigned char lo[1] = { VER_TIME };
    kv_iter_t *it = kv_iter_new(s->db, NULL, KV_CF_VER, lo, 1, NULL, 0);
    int rc;
    *out = 0;
    if (it == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    kv_iter_seek_last(it);
    if (kv_iter_valid(it)) {
        size_t kl;
        const unsigned char *k = kv_iter_key(it, &kl);
        if (kl == VER_TIME_KEY_LEN && k[0] == VER_TIME)
            *out = store_get_i64(k + 1);
    }
    rc = kv_iter_status(it, err);
    kv_iter_free(it);
    return rc;
}

int store__ver_forget_id(store_txn_t *t, uint64_t id)
{
    if (knoop_buf_write(&t->forget, (const char *)&id, sizeof(id)) != 0) {
        t->oom = true;
        return KNOOP_ENOMEM;
    }
    return KNOOP_OK;
}

/* ---- reading: views as recorded at a commit ---- */

int store_snapshot_known_at(store_t *s, int64_t ts_ms, store_view_t **out, knoop_error_t *err)
{
    int64_t now = ver__now_ms();
    unsigned char lo[9];
    store_view_t *v;
    kv_iter_t *it;
    int rc;
    *out = NULL;
    if (ts_ms > now) {
        char a[32], b[32];
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params.known_at: %s lies in the future (the server's time is %s); "
                               "nothing is known yet",
                               store_format_ts(ts_ms, a), store_format_ts(now, b));
    }
    if ((v = store_snapshot(s)) == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    /* The first commit after ts_ms; the view shows the state just before it. None: the view is
     * the snapshot itself (nothing has changed since). */
    lo[0] = VER_TIME;
    store_put_i64(lo + 1, ts_ms + 1);
    if ((it = kv_iter_new(s->db, v->snap, KV_CF_VER, lo, sizeof(lo), NULL, 0)) == NULL) {
        store_snapshot_free(s, v);
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    }
    if (kv_iter_valid(it)) {
        size_t kl;
        const unsigned char *k = kv_iter_key(it, &kl);
        if (kl == VER_TIME_KEY_LEN && k[0] == VER_TIME) {
            v->versioned = true;
            v->asof_seq = store_get_u64(k + 9) - 1;
            v->point_holder = &v->point;
        }
    }
    rc = kv_iter_status(it, err);
    kv_iter_free(it);
    if (rc != KNOOP_OK) {
        store_snapshot_free(s, v);
        return rc;
    }
    *out = v;
    return KNOOP_OK;
}

int store_ver_check(store_t *s, const store_view_t *v, uint64_t seq, store_ver_check_cb cb,
                    void *arg, knoop_error_t *err)
{
    kv_iter_t *it = kv_iter_new(s->db, v != NULL ? v->snap : NULL, KV_CF_VER, NULL, 0, NULL, 0);
    unsigned char *dk = NULL;
    size_t dcap = 0;
    uint64_t last_time_seq = 0;
    bool any_time = false;
    int rc = KNOOP_OK;
    char msg[160];
    if (it == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "check: out of memory");
    for (; kv_iter_valid(it); kv_iter_next(it)) {
        size_t kl, vl, dkl, pl;
        const unsigned char *k = kv_iter_key(it, &kl);
        const unsigned char *val = kv_iter_value(it, &vl);
        uint64_t vseq;
        if (kl > 0 && k[0] == VER_TIME) {
            if (kl != VER_TIME_KEY_LEN || vl != 0) {
                cb(arg, k, kl, "malformed commit-time index entry");
                continue;
            }
            vseq = store_get_u64(k + 9);
            if (any_time && vseq <= last_time_seq) {
                snprintf(msg, sizeof(msg), "commit-time index: seq %llu after seq %llu",
                         (unsigned long long)vseq, (unsigned long long)last_time_seq);
                cb(arg, k, kl, msg);
            }
            any_time = true;
            last_time_seq = vseq;
        } else {
            if (!ver__room(&dk, &dcap, kl)) {
                rc = knoop_error_set(err, KNOOP_ENOMEM, "check: out of memory");
                break;
            }
            if (kl == 0 || !store__ver_family((kv_cf_t)k[0]) ||
                !ver__dec(k, kl, dk, &dkl, &pl, &vseq)) {
                cb(arg, k, kl, "malformed version key");
                continue;
            }
            if (vl == 0 || (val[0] != VER_ABSENT && val[0] != VER_PRESENT) ||
                (val[0] == VER_ABSENT && vl != 1)) {
                cb(arg, k, kl, "malformed version value (neither absent nor a value)");
                continue;
            }
        }
        if (vseq == 0 || vseq > seq) {
            snprintf(msg, sizeof(msg), "version of seq %llu, outside 1..%llu (meta seq)",
                     (unsigned long long)vseq, (unsigned long long)seq);
            cb(arg, k, kl, msg);
        }
    }
    if (rc == KNOOP_OK)
        rc = kv_iter_status(it, err);
    kv_iter_free(it);
    knoop_free(dk);
    if (rc == KNOOP_OK && any_time && last_time_seq != seq) {
        snprintf(msg, sizeof(msg), "the commit-time index ends at seq %llu, meta seq is %llu",
                 (unsigned long long)last_time_seq, (unsigned long long)seq);
        cb(arg, "", 0, msg);
    }
    return rc;
}

store_view_t *store_snapshot_at_seq(store_t *s, uint64_t seq)
{
    store_view_t *v = store_snapshot(s);
    if (v != NULL) {
        v->versioned = true;
        v->asof_seq = seq;
        v->point_holder = &v->point;
    }
    return v;
}

int store__ver_get(store_t *s, const store_view_t *v, kv_cf_t cf, const void *key, size_t klen,
                   void **val, size_t *vlen, knoop_error_t *err)
{
    ver__kbuf_t lo;
    kv_iter_t *it = v->point;
    size_t n;
    int rc = KNOOP_OK;
    bool found = false;
    /* The view's own iterator over the version family, made on its first point read and kept:
     * a seek on it is much cheaper than a new iterator per read. */
    if (it == NULL && v->point_holder != NULL) {
        it = kv_iter_new(s->db, v->snap, KV_CF_VER, NULL, 0, NULL, 0);
        *v->point_holder = it;
    }
    if (it == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    if (ver__kbuf(&lo, ver__enc_max(klen)) == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    n = ver__enc(lo.p, cf, key, klen, true);
    store_put_u64(lo.p + n, v->asof_seq + 1);
    kv_iter_seek(it, lo.p, n + 8);
    if (kv_iter_valid(it)) {
        size_t kl, bl;
        const void *k = kv_iter_key(it, &kl);
        /* An entry of this key (same prefix through the terminator) with seq > asof_seq. */
        if (kl == n + 8 && memcmp(k, lo.p, n) == 0) {
            const unsigned char *b = kv_iter_value(it, &bl);
            found = true;
            if (bl == 0 || b[0] != VER_PRESENT)
                rc = KNOOP_ENOTFOUND;
            else if (kv_iter_value_copy(it, 1, val, vlen) != KNOOP_OK)
                rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
        }
    } else {
        rc = kv_iter_status(it, err);
    }
    ver__kbuf_free(&lo);
    if (found || rc != KNOOP_OK)
        return rc;
    /* No change since asof_seq: the value now (in the view's snapshot) is the value then. */
    return kv_get(s->db, v->snap, cf, key, klen, val, vlen, err);
}

/* ---- iterators ---- */

struct store_iter {
    kv_iter_t *cur; /* the family's range, in the view's snapshot */
    /* Recorded-time views only: */
    bool versioned;
    kv_iter_t *ver; /* the version entries of the range */
    kv_cf_t cf;
    uint64_t asof;
    bool valid;
    int status;
    knoop_buf_t key, val;   /* the current entry, copied (the sources move on) */
    unsigned char *scratch; /* a decoded version key, then the seek key */
    size_t scap;
};

/* Whether it is at a version entry of the key whose prefix (through the terminator) is
 * pk[0..pl); its sequence number into *seq. */
static bool ver__on(const kv_iter_t *it, const unsigned char *pk, size_t pl, uint64_t *seq)
{
    size_t kl;
    const unsigned char *k;
    if (!kv_iter_valid(it))
        return false;
    k = kv_iter_key(it, &kl);
    if (kl != pl + 8 || memcmp(k, pk, pl) != 0)
        return false;
    *seq = store_get_u64(k + pl);
    return true;
}

/* Moves a recorded-time iterator to the next key visible at asof (the rule at the top). */
static void ver__step(store_iter_t *it)
{
    it->valid = false;
    while (it->status == KNOOP_OK) {
        bool hc = kv_iter_valid(it->cur), hv = kv_iter_valid(it->ver), present = false;
        const unsigned char *ck = NULL, *vk = NULL;
        size_t ckl = 0, vkl = 0, dkl = 0, pl = 0;
        unsigned char *dk;
        uint64_t seq;
        int c;
        if (!hc && !hv)
            return;
        if (hc)
            ck = kv_iter_key(it->cur, &ckl);
        if (hv) {
            vk = kv_iter_key(it->ver, &vkl);
            /* Room for the decoded key, then the prefix and a sequence number after it. */
            if (2 * vkl + 16 > it->scap) {
                unsigned char *ns = knoop_realloc(it->scratch, 2 * vkl + 16);
                if (ns == NULL) {
                    it->status = KNOOP_ENOMEM;
                    return;
                }
                it->scratch = ns;
                it->scap = 2 * vkl + 16;
            }
            dk = it->scratch;
            if (!ver__dec(vk, vkl, dk, &dkl, &pl, &seq)) {
                kv_iter_next(it->ver);
                continue;
            }
        } else {
            dk = NULL;
        }
        if (!hv) {
            c = -1;
        } else if (!hc) {
            c = 1;
        } else {
            size_t m = ckl < dkl ? ckl : dkl;
            c = memcmp(ck, dk, m);
            if (c == 0)
                c = ckl < dkl ? -1 : ckl > dkl;
        }
        knoop_buf_clear(&it->key);
        knoop_buf_clear(&it->val);
        if (c < 0) { /* no version entries: unchanged since it was made, visible as it is */
            size_t cvl;
            const void *cv = kv_iter_value(it->cur, &cvl);
            if (knoop_buf_write(&it->key, (const char *)ck, ckl) != 0 ||
                knoop_buf_write(&it->val, cv, cvl) != 0) {
                it->status = KNOOP_ENOMEM;
                return;
            }
            kv_iter_next(it->cur);
            it->valid = true;
            return;
        }
        /* The key (dk) has versions, and the version iterator is at its first (lowest seq):
         * the first one after asof decides. */
        {
            unsigned char *pk = dk + vkl; /* dk's prefix through the terminator, then a seq */
            bool decided = false, on_key = true;
            uint64_t sq = seq;
            int walked = 0;
            memcpy(pk, vk, pl);
            if (knoop_buf_write(&it->key, (const char *)dk, dkl) != 0) {
                it->status = KNOOP_ENOMEM;
                return;
            }
            /* Most keys have one or two versions: walk them. A longer history is entered with
             * one seek instead, so the cost stays logarithmic in its length. */
            for (;;) {
                if (sq > it->asof) {
                    decided = true;
                    break;
                }
                if (++walked > VER_WALK) {
                    store_put_u64(pk + pl, it->asof + 1);
                    kv_iter_seek(it->ver, pk, pl + 8);
                } else {
                    kv_iter_next(it->ver);
                }
                if (!ver__on(it->ver, pk, pl, &sq)) {
                    on_key = false;
                    break;
                }
            }
            if (decided) {
                size_t bl;
                const unsigned char *b = kv_iter_value(it->ver, &bl);
                present = bl > 0 && b[0] == VER_PRESENT;
                if (present && knoop_buf_write(&it->val, (const char *)b + 1, bl - 1) != 0) {
                    it->status = KNOOP_ENOMEM;
                    return;
                }
            } else if (c == 0) { /* no change after asof: the current value */
                size_t cvl;
                const void *cv = kv_iter_value(it->cur, &cvl);
                present = true;
                if (knoop_buf_write(&it->val, cv, cvl) != 0) {
                    it->status = KNOOP_ENOMEM;
                    return;
                }
            }
            if (c == 0)
                kv_iter_next(it->cur);
            /* Past the key's remaining versions: a few steps, else one seek (the terminator
             * 0x00 0x01 becomes 0x00 0x02). */
            for (walked = 0; on_key && walked < VER_WALK; walked++) {
                kv_iter_next(it->ver);
                on_key = ver__on(it->ver, pk, pl, &sq);
            }
            if (on_key) {
                pk[pl - 1]++;
                kv_iter_seek(it->ver, pk, pl);
            }
        }
        if (present) {
            it->valid = true;
            return;
        }
    }
}

store_iter_t *store_iter(store_t *s, const store_view_t *v, kv_cf_t cf, const void *lower,
                         size_t lower_len, const void *upper, size_t upper_len)
{
    store_iter_t *it = knoop_calloc(1, sizeof(*it));
    if (it == NULL)
        return NULL;
    if (v != NULL && v->txn != NULL) {
        it->cur = kv_batch_iter_new(s->db, v->txn->batch, cf, lower, lower_len, upper, upper_len);
    } else if (v != NULL && v->versioned && store__ver_family(cf)) {
        size_t ln = 1, hn = 1;
        unsigned char *lo = knoop_malloc(ver__enc_max(lower_len));
        unsigned char *hi = knoop_malloc(ver__enc_max(upper_len));
        it->versioned = true;
        it->cf = cf;
        it->asof = v->asof_seq;
        knoop_buf_init(&it->key);
        knoop_buf_init(&it->val);
        if (lo != NULL && hi != NULL) {
            lo[0] = (unsigned char)cf;
            if (lower != NULL)
                ln = ver__enc(lo, cf, lower, lower_len, true);
            if (upper != NULL) {
                hn = ver__enc(hi, cf, upper, upper_len, true);
            } else {
                hi[0] = (unsigned char)(cf + 1);
            }
            it->cur = kv_iter_new(s->db, v->snap, cf, lower, lower_len, upper, upper_len);
            it->ver = kv_iter_new(s->db, v->snap, KV_CF_VER, lo, ln, hi, hn);
        }
        knoop_free(lo);
        knoop_free(hi);
        if (it->cur == NULL || it->ver == NULL) {
            store_iter_free(it);
            return NULL;
        }
        ver__step(it);
        return it;
    } else {
        it->cur =
            kv_iter_new(s->db, v != NULL ? v->snap : NULL, cf, lower, lower_len, upper, upper_len);
    }
    if (it->cur == NULL) {
        knoop_free(it);
        return NULL;
    }
    return it;
}

bool store_iter_valid(const store_iter_t *it)
{
    return it->versioned ? it->valid : kv_iter_valid(it->cur);
}

void store_iter_next(store_iter_t *it)
{
    if (it->versioned)
        ver__step(it);
    else
        kv_iter_next(it->cur);
}

void store_iter_seek(store_iter_t *it, const void *key, size_t klen)
{
    unsigned char *p;
    if (!it->versioned) {
        kv_iter_seek(it->cur, key, klen);
        return;
    }
    kv_iter_seek(it->cur, key, klen);
    if ((p = knoop_malloc(ver__enc_max(klen))) == NULL) {
        it->status = KNOOP_ENOMEM;
        it->valid = false;
        return;
    }
    kv_iter_seek(it->ver, p, ver__enc(p, it->cf, key, klen, true));
    knoop_free(p);
    ver__step(it);
}

const void *store_iter_key(const store_iter_t *it, size_t *klen)
{
    if (!it->versioned)
        return kv_iter_key(it->cur, klen);
    *klen = it->key.size;
    return it->key.data != NULL ? it->key.data : "";
}

const void *store_iter_value(const store_iter_t *it, size_t *vlen)
{
    if (!it->versioned)
        return kv_iter_value(it->cur, vlen);
    *vlen = it->val.size;
    return it->val.data != NULL ? it->val.data : "";
}

int store_iter_status(const store_iter_t *it, knoop_error_t *err)
{
    int rc;
    if (it->versioned && it->status != KNOOP_OK)
        return knoop_error_set(err, it->status, "storage: out of memory");
    if ((rc = kv_iter_status(it->cur, err)) != KNOOP_OK)
        return rc;
    return it->ver != NULL ? kv_iter_status(it->ver, err) : KNOOP_OK;
}

void store_iter_free(store_iter_t *it)
{
    if (it == NULL)
        return;
    if (it->cur != NULL)
        kv_iter_free(it->cur);
    if (it->ver != NULL)
        kv_iter_free(it->ver);
    if (it->versioned) {
        knoop_buf_destroy(&it->key);
        knoop_buf_destroy(&it->val);
        knoop_free(it->scratch);
    }
    knoop_free(it);
}
