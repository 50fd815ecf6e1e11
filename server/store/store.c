/*
 * store.c - opening the store, id allocation, write transactions, history entries and group
 * commit (layer: store).
 *
 * One writer at a time holds `writer`. A transaction allocates ids and a commit sequence
 * number from counters that it persists in its own batch ("next_id", "seq" in meta), so a
 * crash can never hand out an id twice. Durability uses group commit: a committer writes its
 * batch without fsync, releases the writer lock, then either becomes the leader that fsyncs the
 * WAL for everything written so far, or waits for the leader whose sync covers its batch.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <msgpack.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "knoop_alloc.h"
#include "knoop_limits.h"
#include "store_adjcache.h"
#include "store_int.h"

void store_options_default(store_options_t *o)
{
    o->sync = true;
    o->block_cache_bytes = (size_t)KNOOP_DEFAULT_BLOCK_CACHE_MB * 1024 * 1024;
    o->row_cache_bytes = (size_t)KNOOP_DEFAULT_ROW_CACHE_MB * 1024 * 1024;
    o->min_free_bytes = 0;
    o->adj_cache_bytes = (size_t)KNOOP_DEFAULT_ADJ_CACHE_MB * 1024 * 1024;
}

static int store__meta_u64(kv_db_t *db, const char *name, uint64_t *out, knoop_error_t *err)
{
    void *v = NULL;
    size_t len = 0;
    int rc = kv_get(db, NULL, KV_CF_META, name, strlen(name), &v, &len, err);
    if (rc == KNOOP_ENOTFOUND) {
        *out = 0;
        return KNOOP_OK;
    }
    if (rc != KNOOP_OK)
        return rc;
    if (len != 8) {
        kv_free(v);
        return knoop_error_set(err, KNOOP_ECORRUPT, "storage: meta %s has %zu bytes, expected 8",
                               name, len);
    }
    *out = store_get_u64(v);
    kv_free(v);
    return KNOOP_OK;
}

/* ---- SHA-256 ---- */

/* OpenSSL's SHA-256 (its SHA-NI code where the CPU has it: about five times libsodium's
 * portable one), fetched once for the process. */
static EVP_MD *store__sha_md;
static pthread_once_t store__sha_once = PTHREAD_ONCE_INIT;

static void store__sha_fetch(void)
{
    store__sha_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* SHA-256 of a[0..al) followed by b[0..bl) (bl may be 0) into out; KNOOP_ENOMEM when OpenSSL
 * cannot (out of memory). */
static int store__sha256(unsigned char out[STORE_HASH_BYTES], const void *a, size_t al,
                         const void *b, size_t bl)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    bool ok = c != NULL && EVP_DigestInit_ex2(c, store__sha_md, NULL) == 1 &&
              EVP_DigestUpdate(c, a, al) == 1 && (bl == 0 || EVP_DigestUpdate(c, b, bl) == 1) &&
              EVP_DigestFinal_ex(c, out, NULL) == 1;
    EVP_MD_CTX_free(c);
    return ok ? KNOOP_OK : KNOOP_ENOMEM;
}

/* Reads the audit chain's head (meta "audit_head": no:u64 hash[32]); none yet: 0 and zeros. */
static int store__audit_load(store_t *s, knoop_error_t *err)
{
    void *v = NULL;
    size_t len = 0;
    int rc;
    if (sodium_init() < 0)
        return knoop_error_set(err, KNOOP_EINTERNAL, "storage: libsodium could not start");
    pthread_once(&store__sha_once, store__sha_fetch);
    if (store__sha_md == NULL)
        return knoop_error_set(err, KNOOP_EINTERNAL, "storage: OpenSSL offers no SHA-256");
    rc = kv_get(s->db, NULL, KV_CF_META, STORE_META_AUDIT_HEAD, strlen(STORE_META_AUDIT_HEAD), &v,
                &len, err);
    s->audit_no = 0;
    memset(s->audit_hash, 0, sizeof(s->audit_hash));
    if (rc == KNOOP_ENOTFOUND)
        return KNOOP_OK;
    if (rc != KNOOP_OK)
        return rc;
    if (len != 8 + STORE_HASH_BYTES) {
        kv_free(v);
        return knoop_error_set(err, KNOOP_ECORRUPT, "storage: meta audit_head has %zu bytes", len);
    }
    s->audit_no = store_get_u64(v);
    memcpy(s->audit_hash, (unsigned char *)v + 8, STORE_HASH_BYTES);
    kv_free(v);
    return KNOOP_OK;
}

int store_open(const char *dir, const store_options_t *o, store_t **out, knoop_error_t *err)
{
    store_options_t defaults;
    kv_options_t ko = { .create_if_missing = true, .block_cache_bytes = 0 };
    store_t *s;
    int rc;
    void *fv = NULL;
    size_t flen = 0;

    if (o == NULL) {
        store_options_default(&defaults);
        o = &defaults;
    }
    s = knoop_calloc(1, sizeof(*s));
    if (s == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    s->opts = *o;
    ko.block_cache_bytes = o->block_cache_bytes;
    ko.row_cache_bytes = o->row_cache_bytes;
    ko.min_free_bytes = o->min_free_bytes;
    rc = kv_open(dir, &ko, &s->db, err);
    if (rc != KNOOP_OK) {
        knoop_free(s);
        return rc;
    }
    rc = kv_get(s->db, NULL, KV_CF_META, STORE_META_FORMAT, strlen(STORE_META_FORMAT), &fv, &flen,
                err);
    if (rc == KNOOP_OK) {
        uint32_t fmt = flen == 4 ? store_get_u32(fv) : 0;
        kv_free(fv);
        if (fmt != STORE_FORMAT) {
            kv_close(s->db);
            knoop_free(s);
            return knoop_error_set(err, KNOOP_ECORRUPT,
                                   "storage: %s has layout version %u, this knoopd reads %d", dir,
                                   fmt, STORE_FORMAT);
        }
    } else if (rc == KNOOP_ENOTFOUND) {
        unsigned char b[4];
        kv_batch_t *batch = kv_batch_new(s->db);
        if (batch == NULL) {
            kv_close(s->db);
            knoop_free(s);
            return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
        }
        store_put_u32(b, STORE_FORMAT);
        kv_batch_put(batch, KV_CF_META, STORE_META_FORMAT, strlen(STORE_META_FORMAT), b, 4);
        rc = kv_commit(s->db, batch, true, err);
        kv_batch_free(batch);
        if (rc != KNOOP_OK) {
            kv_close(s->db);
            knoop_free(s);
            return rc;
        }
    } else {
        kv_close(s->db);
        knoop_free(s);
        return rc;
    }
    if ((rc = store__meta_u64(s->db, STORE_META_NEXT_ID, &s->next_id, err)) != KNOOP_OK ||
        (rc = store__meta_u64(s->db, STORE_META_SEQ, &s->seq, err)) != KNOOP_OK) {
        kv_close(s->db);
        knoop_free(s);
        return rc;
    }
    if (s->next_id == 0)
        s->next_id = 1;
    if ((rc = store__ver_last_ts(s, &s->last_ts, err)) != KNOOP_OK ||
        (rc = store__audit_load(s, err)) != KNOOP_OK) {
        kv_close(s->db);
        knoop_free(s);
        return rc;
    }
    if (o->adj_cache_bytes > 0 && (s->adjcache = store_adjcache_new(o->adj_cache_bytes)) == NULL) {
        kv_close(s->db);
        knoop_free(s);
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    }
    s->written_seq = s->synced_seq = s->seq;
    pthread_mutex_init(&s->audit_mu, NULL);
    pthread_mutex_init(&s->audit_q_mu, NULL);
    pthread_cond_init(&s->audit_q_cv, NULL);
    s->audit_q_tail = &s->audit_q;
    pthread_mutex_init(&s->writer, NULL);
    pthread_mutex_init(&s->sync_mu, NULL);
    pthread_cond_init(&s->sync_cv, NULL);
    *out = s;
    return KNOOP_OK;
}

int store_open_existing(const char *dir, store_t **out, knoop_error_t *err)
{
    struct stat st;
    char cur[4096];
    if (snprintf(cur, sizeof(cur), "%s/CURRENT", dir) >= (int)sizeof(cur) || stat(cur, &st) != 0)
        return knoop_error_set(err, KNOOP_ENOTFOUND, "storage: %s holds no Knoop store", dir);
    return store_open(dir, NULL, out, err);
}

void store_close(store_t *s)
{
    if (s == NULL)
        return;
    /* Make batches committed without sync durable before the files close. */
    (void)kv_sync(s->db, NULL);
    kv_close(s->db);
    store_adjcache_free(s->adjcache);
    store__tags_free(s);
    pthread_mutex_destroy(&s->writer);
    pthread_mutex_destroy(&s->audit_mu);
    pthread_mutex_destroy(&s->audit_q_mu);
    pthread_cond_destroy(&s->audit_q_cv);
    pthread_mutex_destroy(&s->sync_mu);
    pthread_cond_destroy(&s->sync_cv);
    knoop_free(s);
}

kv_db_t *store_kv(store_t *s)
{
    return s->db;
}

store_view_t *store_snapshot(store_t *s)
{
    store_view_t *v = knoop_calloc(1, sizeof(*v));
    if (v == NULL)
        return NULL;
    v->s = s;
    /* Read before the snapshot is taken: every commit up to seq is in it (store_adjcache.c). */
    v->seq = store_last_seq(s);
    v->snap = kv_snapshot_new(s->db);
    if (v->snap == NULL) {
        knoop_free(v);
        return NULL;
    }
    return v;
}

void store_snapshot_free(store_t *s, store_view_t *v)
{
    if (v == NULL)
        return;
    kv_iter_free(v->point); /* before the snapshot it reads */
    kv_snapshot_free(s->db, v->snap);
    knoop_free(v);
}

int store_checkpoint(store_t *s, const char *dir, knoop_error_t *err)
{
    return kv_checkpoint(s->db, dir, err);
}

store_adjcache_t *store__adjcache(store_t *s)
{
    return s->adjcache;
}

bool store__view_seq(const store_view_t *v, uint64_t *seq)
{
    /* A recorded-time view reads adjacency as it was at asof_seq, which the cache (built from
     * and checked against current views) does not hold: it scans instead. */
    if (v == NULL || v->txn != NULL || v->snap == NULL || v->versioned)
        return false;
    *seq = v->seq;
    return true;
}

void store_adj_cache_stats(store_t *s, store_adjcache_stats_t *out)
{
    store_adjcache_stats(s->adjcache, out);
}

void store_kv_caches(store_t *s, kv_caches_t *out)
{
    kv_caches(s->db, out);
}

void store_set_change_cb(store_t *s, store_change_cb cb, void *arg)
{
    pthread_mutex_lock(&s->writer);
    s->change_cb = cb;
    s->change_arg = arg;
    pthread_mutex_unlock(&s->writer);
}

uint64_t store_last_seq(store_t *s)
{
    uint64_t v;
    pthread_mutex_lock(&s->sync_mu);
    v = s->written_seq;
    pthread_mutex_unlock(&s->sync_mu);
    return v;
}

/* Writes v as n decimal digits (the last n of it) at p. */
static void store__digits(char *p, unsigned v, int n)
{
    while (n-- > 0) {
        p[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

char *store_format_ts(int64_t ms, char *buf)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    /* "YYYY-MM-DDTHH:MM:SS.mmmZ" by hand: every answer that shows a record formats two of
     * these, and snprintf was most of the cost of packing an edge. */
    memcpy(buf, "0000-00-00T00:00:00.000Z", 25);
    store__digits(buf, (unsigned)(tm.tm_year + 1900) % 10000u, 4);
    store__digits(buf + 5, (unsigned)(tm.tm_mon + 1) % 100u, 2);
    store__digits(buf + 8, (unsigned)tm.tm_mday % 100u, 2);
    store__digits(buf + 11, (unsigned)tm.tm_hour % 100u, 2);
    store__digits(buf + 14, (unsigned)tm.tm_min % 100u, 2);
    store__digits(buf + 17, (unsigned)tm.tm_sec % 100u, 2);
    store__digits(buf + 20, (unsigned)(ms % 1000) % 1000u, 3);
    return buf;
}

static int64_t store__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int store_txn_begin(store_t *s, const store_who_t *who, store_txn_t **out, knoop_error_t *err)
{
    store_txn_t *t = knoop_calloc(1, sizeof(*t));
    if (t == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    t->batch = kv_batch_new(s->db);
    if (t->batch == NULL) {
        knoop_free(t);
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    }
    t->s = s;
    snprintf(t->actor, sizeof(t->actor), "%s",
             who != NULL && who->actor != NULL ? who->actor : "system");
    if (who != NULL && who->reason != NULL) {
        snprintf(t->reason, sizeof(t->reason), "%s", who->reason);
        t->has_reason = true;
    }
    knoop_buf_init(&t->ops);
    knoop_buf_init(&t->touched);
    knoop_buf_init(&t->forget);
    knoop_buf_init(&t->audit_ids);
    knoop_buf_init(&t->adj_nodes);
    knoop_buf_init(&t->hist_hashes);
    t->view.s = s;
    t->view.txn = t;
    pthread_mutex_lock(&s->writer);
    t->next_id = s->next_id;
    t->seq = s->seq + 1;
    /* Commit times never go back (a clock step backwards included), so that the commit-time
     * index maps a timestamp to a sequence number with one seek (store_ver.c). */
    t->ts = store__now_ms();
    if (t->ts < s->last_ts)
        t->ts = s->last_ts;
    *out = t;
    return KNOOP_OK;
}

uint64_t store_txn_alloc_id(store_txn_t *t)
{
    t->allocated = true;
    return t->next_id++;
}

uint64_t store_txn_seq(const store_txn_t *t)
{
    return t->seq;
}

int64_t store_txn_time(const store_txn_t *t)
{
    return t->ts;
}

const store_view_t *store_txn_view(store_txn_t *t)
{
    return &t->view;
}

store_t *store_txn_store(store_txn_t *t)
{
    return t->s;
}

void store_txn_set_deadline(store_txn_t *t, int64_t deadline_ms)
{
    t->deadline_ms = deadline_ms;
}

int store_txn_check_deadline(const store_txn_t *t, knoop_error_t *err)
{
    if (t->deadline_ms != 0 && store__now_ms() > t->deadline_ms)
        return knoop_error_set(err, KNOOP_EUNAVAIL,
                               "request took longer than the server's time per request; nothing "
                               "was written");
    return KNOOP_OK;
}

size_t store_txn_count(const store_txn_t *t)
{
    return t->nops;
}

/* Appends one op to the change record: [cf, key] or [cf, key, value]. */
static int store__record_op(store_txn_t *t, kv_cf_t cf, const void *key, size_t klen,
                            const void *val, size_t vlen, bool put)
{
    msgpack_packer pk;
    size_t before = t->ops.size;
    int r = 0;
    msgpack_packer_init(&pk, &t->ops, knoop_buf_write);
    r |= msgpack_pack_array(&pk, put ? 3 : 2);
    r |= msgpack_pack_uint8(&pk, (uint8_t)cf);
    r |= msgpack_pack_bin_with_body(&pk, key, klen);
    if (put)
        r |= msgpack_pack_bin_with_body(&pk, val, vlen);
    if (r != 0) {
        t->ops.size = before;
        t->oom = true;
        return KNOOP_ENOMEM;
    }
    t->nops++;
    return KNOOP_OK;
}

/* Notes a key of a versioned family that t writes (store_ver.c makes its version entry). */
static int store__touch(store_txn_t *t, kv_cf_t cf, const void *key, size_t klen)
{
    unsigned char h[5];
    if (!store__ver_family(cf))
        return KNOOP_OK;
    h[0] = (unsigned char)cf;
    store_put_u32(h + 1, (uint32_t)klen);
    if (knoop_buf_write(&t->touched, (const char *)h, sizeof(h)) != 0 ||
        knoop_buf_write(&t->touched, key, klen) != 0) {
        t->oom = true;
        return KNOOP_ENOMEM;
    }
    return KNOOP_OK;
}

/* Notes the node of an adjacency key t writes, for the cache (consecutive repeats folded). */
static int store__note_adj(store_txn_t *t, kv_cf_t cf, const void *key, size_t klen)
{
    uint64_t node;
    if (cf != KV_CF_ADJ || klen < 8)
        return KNOOP_OK;
    node = store_get_u64(key);
    if (t->adj_nodes.size >= 8 && memcmp(t->adj_nodes.data + t->adj_nodes.size - 8, &node, 8) == 0)
        return KNOOP_OK;
    if (knoop_buf_write(&t->adj_nodes, (const char *)&node, 8) != 0) {
        t->oom = true;
        return KNOOP_ENOMEM;
    }
    return KNOOP_OK;
}

int store_txn_put(store_txn_t *t, kv_cf_t cf, const void *key, size_t klen, const void *val,
                  size_t vlen)
{
    int rc = store__record_op(t, cf, key, klen, val, vlen, true);
    if (rc == KNOOP_OK)
        rc = store__note_adj(t, cf, key, klen);
    if (rc == KNOOP_OK)
        rc = store__touch(t, cf, key, klen);
    if (rc != KNOOP_OK)
        return rc;
    kv_batch_put(t->batch, cf, key, klen, val, vlen);
    return KNOOP_OK;
}

int store__txn_put_unindexed(store_txn_t *t, kv_cf_t cf, const void *key, size_t klen,
                             const void *val, size_t vlen)
{
    int rc = store__record_op(t, cf, key, klen, val, vlen, true);
    if (rc == KNOOP_OK && kv_batch_put_unindexed(t->batch, cf, key, klen, val, vlen) != KNOOP_OK) {
        t->oom = true;
        rc = KNOOP_ENOMEM;
    }
    return rc;
}

int store__txn_delete_unindexed(store_txn_t *t, kv_cf_t cf, const void *key, size_t klen)
{
    int rc = store__record_op(t, cf, key, klen, NULL, 0, false);
    if (rc == KNOOP_OK && kv_batch_delete_unindexed(t->batch, cf, key, klen) != KNOOP_OK) {
        t->oom = true;
        rc = KNOOP_ENOMEM;
    }
    return rc;
}

int store_txn_delete(store_txn_t *t, kv_cf_t cf, const void *key, size_t klen)
{
    int rc = store__record_op(t, cf, key, klen, NULL, 0, false);
    if (rc == KNOOP_OK)
        rc = store__note_adj(t, cf, key, klen);
    if (rc == KNOOP_OK)
        rc = store__touch(t, cf, key, klen);
    if (rc != KNOOP_OK)
        return rc;
    kv_batch_delete(t->batch, cf, key, klen);
    return KNOOP_OK;
}

int store_txn_history(store_txn_t *t, uint64_t id, const char *op, const void *before, size_t blen,
                      const void *after, size_t alen)
{
    knoop_buf_t sb;
    msgpack_packer pk;
    unsigned char key[20];
    char ts[32];
    int r = 0, rc;

    knoop_buf_init(&sb);
    msgpack_packer_init(&pk, &sb, knoop_buf_write);
    r |= msgpack_pack_map(&pk, 8);
    r |= msgpack_pack_str_with_body(&pk, "seq", 3);
    r |= msgpack_pack_uint64(&pk, t->seq);
    r |= msgpack_pack_str_with_body(&pk, "ts", 2);
    store_format_ts(t->ts, ts);
    r |= msgpack_pack_str_with_body(&pk, ts, strlen(ts));
    r |= msgpack_pack_str_with_body(&pk, "actor", 5);
    r |= msgpack_pack_str_with_body(&pk, t->actor, strlen(t->actor));
    r |= msgpack_pack_str_with_body(&pk, "reason", 6);
    if (t->has_reason)
        r |= msgpack_pack_str_with_body(&pk, t->reason, strlen(t->reason));
    else
        r |= msgpack_pack_nil(&pk);
    r |= msgpack_pack_str_with_body(&pk, "op", 2);
    r |= msgpack_pack_str_with_body(&pk, op, strlen(op));
    r |= msgpack_pack_str_with_body(&pk, "id", 2);
    r |= msgpack_pack_uint64(&pk, id);
    r |= msgpack_pack_str_with_body(&pk, "before", 6);
    if (before != NULL)
        r |= knoop_buf_write(&sb, before, blen);
    else
        r |= msgpack_pack_nil(&pk);
    r |= msgpack_pack_str_with_body(&pk, "after", 5);
    if (after != NULL)
        r |= knoop_buf_write(&sb, after, alen);
    else
        r |= msgpack_pack_nil(&pk);
    if (r != 0 || sb.data == NULL) {
        knoop_buf_destroy(&sb);
        t->oom = true;
        return KNOOP_ENOMEM;
    }
    store_put_u64(key, id);
    store_put_u64(key + 8, t->seq);
    store_put_u32(key + 16, t->hist_n);
    rc = store_txn_put(t, KV_CF_HIST, key, sizeof(key), sb.data, sb.size);
    if (rc == KNOOP_OK) {
        /* The audit entry covers each history entry by its hash (so that erasing a payload
         * later keeps the chain verifiable: the erased entry keeps the hash). */
        unsigned char h[STORE_HASH_BYTES], idb[8];
        if (store__sha256(h, sb.data, sb.size, NULL, 0) != KNOOP_OK ||
            knoop_buf_write(&t->hist_hashes, (const char *)h, sizeof(h)) != 0) {
            t->oom = true;
            rc = KNOOP_ENOMEM;
        } else if (t->hist_n == 0 || id != t->last_hist_id) {
            store_put_u64(idb, id);
            if (knoop_buf_write(&t->audit_ids, (const char *)idb, 8) != 0) {
                t->oom = true;
                rc = KNOOP_ENOMEM;
            }
            t->last_hist_id = id;
        }
    }
    knoop_buf_destroy(&sb);
    if (rc == KNOOP_OK)
        t->hist_n++;
    return rc;
}

/*
 * Packs an audit entry's value: the msgpack map m (m_len bytes) followed by its hash,
 * SHA-256(previous hash || m), into out; the new hash into hash.
 */
static int store__audit_value(const unsigned char prev[STORE_HASH_BYTES], const knoop_buf_t *m,
                              knoop_buf_t *out, unsigned char hash[STORE_HASH_BYTES])
{
    if (store__sha256(hash, prev, STORE_HASH_BYTES, m->data, m->size) != KNOOP_OK)
        return KNOOP_ENOMEM;
    if (knoop_buf_write(out, m->data, m->size) != 0 ||
        knoop_buf_write(out, (const char *)hash, STORE_HASH_BYTES) != 0)
        return KNOOP_ENOMEM;
    return KNOOP_OK;
}

/* Packs the start of an audit entry map (5 + pairs pairs): its number and time (tsb, RFC 3339). */
static void store__audit_numbered(msgpack_packer *pk, uint32_t pairs, uint64_t no, const char *tsb)
{
    msgpack_pack_map(pk, 5 + pairs);
    msgpack_pack_str_with_body(pk, "no", 2);
    msgpack_pack_uint64(pk, no);
    msgpack_pack_str_with_body(pk, "ts", 2);
    msgpack_pack_str_with_body(pk, tsb, strlen(tsb));
}

/* Packs the three pairs that follow an audit entry's number and time: who, what kind, why. */
static void store__audit_who(msgpack_packer *pk, const char *user, const char *kind,
                             const char *reason)
{
    msgpack_pack_str_with_body(pk, "user", 4);
    msgpack_pack_str_with_body(pk, user, strlen(user));
    msgpack_pack_str_with_body(pk, "kind", 4);
    msgpack_pack_str_with_body(pk, kind, strlen(kind));
    msgpack_pack_str_with_body(pk, "reason", 6);
    if (reason != NULL)
        msgpack_pack_str_with_body(pk, reason, strlen(reason));
    else
        msgpack_pack_nil(pk);
}

/* Adds t's audit entry (kind "change") to t under audit_mu; its hash into hash. */
static int store__audit_change(store_txn_t *t, unsigned char hash[STORE_HASH_BYTES])
{
    store_t *s = t->s;
    knoop_buf_t m, val;
    msgpack_packer pk;
    unsigned char payload[STORE_HASH_BYTES], key[STORE_AUDIT_KEY_LEN], head[8 + STORE_HASH_BYTES];
    char tsb[32];
    size_t nids = t->audit_ids.size / 8;
    int rc;
    if (store__sha256(payload, t->hist_hashes.data, t->hist_hashes.size, NULL, 0) != KNOOP_OK)
        return KNOOP_ENOMEM;
    knoop_buf_init(&m);
    knoop_buf_init(&val);
    knoop_buf_packer(&m, &pk);
    store_format_ts(t->ts, tsb);
    store__audit_numbered(&pk, 3, s->audit_no + 1, tsb);
    store__audit_who(&pk, t->actor, "change", t->has_reason ? t->reason : NULL);
    msgpack_pack_str_with_body(&pk, "seq", 3);
    msgpack_pack_uint64(&pk, t->seq);
    msgpack_pack_str_with_body(&pk, "ids", 3);
    msgpack_pack_array(&pk, (uint32_t)nids);
    for (size_t i = 0; i < nids; i++)
        msgpack_pack_uint64(&pk, store_get_u64((unsigned char *)t->audit_ids.data + 8 * i));
    msgpack_pack_str_with_body(&pk, "payload", 7);
    msgpack_pack_bin_with_body(&pk, payload, sizeof(payload));
    rc = knoop_buf_failed(&m) ? KNOOP_ENOMEM : store__audit_value(s->audit_hash, &m, &val, hash);
    if (rc == KNOOP_OK)
        rc = store_txn_put(t, KV_CF_META, key, store_key_audit(key, s->audit_no + 1), val.data,
                           val.size);
    store_put_u64(head, s->audit_no + 1);
    memcpy(head + 8, hash, STORE_HASH_BYTES);
    if (rc == KNOOP_OK)
        rc = store_txn_put(t, KV_CF_META, STORE_META_AUDIT_HEAD, strlen(STORE_META_AUDIT_HEAD),
                           head, sizeof(head));
    knoop_buf_destroy(&m);
    knoop_buf_destroy(&val);
    return rc;
}

static void store__txn_free(store_txn_t *t)
{
    kv_batch_free(t->batch);
    knoop_buf_destroy(&t->audit_ids);
    knoop_buf_destroy(&t->hist_hashes);
    knoop_buf_destroy(&t->ops);
    knoop_buf_destroy(&t->touched);
    knoop_buf_destroy(&t->forget);
    knoop_buf_destroy(&t->adj_nodes);
    knoop_free(t);
}

void store_txn_abort(store_txn_t *t)
{
    if (t == NULL)
        return;
    pthread_mutex_unlock(&t->s->writer);
    store__txn_free(t);
}

/* Waits until seq is durable, syncing the WAL as the leader when nobody else is. */
static int store__group_sync(store_t *s, uint64_t seq, knoop_error_t *err)
{
    int rc = KNOOP_OK;
    pthread_mutex_lock(&s->sync_mu);
    while (s->synced_seq < seq) {
        if (!s->syncing) {
            uint64_t target = s->written_seq;
            s->syncing = true;
            pthread_mutex_unlock(&s->sync_mu);
            rc = kv_sync(s->db, err);
            pthread_mutex_lock(&s->sync_mu);
            s->syncing = false;
            if (rc == KNOOP_OK && target > s->synced_seq)
                s->synced_seq = target;
            pthread_cond_broadcast(&s->sync_cv);
            if (rc != KNOOP_OK)
                break;
        } else {
            pthread_cond_wait(&s->sync_cv, &s->sync_mu);
        }
    }
    pthread_mutex_unlock(&s->sync_mu);
    return rc;
}

/* Packs the change record of t (header and the ops collected so far) into sb. */
static int store__record_pack(const store_txn_t *t, knoop_buf_t *sb)
{
    msgpack_packer pk;
    int r = 0;
    msgpack_packer_init(&pk, sb, knoop_buf_write);
    r |= msgpack_pack_array(&pk, 6);
    r |= msgpack_pack_uint8(&pk, 1);
    r |= msgpack_pack_uint64(&pk, t->seq);
    r |= msgpack_pack_int64(&pk, t->ts);
    r |= msgpack_pack_str_with_body(&pk, t->actor, strlen(t->actor));
    if (t->has_reason)
        r |= msgpack_pack_str_with_body(&pk, t->reason, strlen(t->reason));
    else
        r |= msgpack_pack_nil(&pk);
    if (t->nops > UINT32_MAX)
        return KNOOP_ETOOLARGE;
    r |= msgpack_pack_array(&pk, (uint32_t)t->nops);
    if (t->ops.size > 0)
        r |= knoop_buf_write(sb, t->ops.data, t->ops.size);
    return r != 0 ? KNOOP_ENOMEM : KNOOP_OK;
}

int store_txn_commit(store_txn_t *t, knoop_error_t *err)
{
    store_t *s = t->s;
    unsigned char v[8], audit_hash[STORE_HASH_BYTES];
    uint64_t seq = t->seq;
    knoop_buf_t rec;
    int rc = KNOOP_OK;

    if (t->nops == 0) { /* nothing written: nothing to commit */
        store_txn_abort(t);
        return KNOOP_OK;
    }
    knoop_buf_init(&rec);
    if (t->oom)
        rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    else if (t->hist_n == 0)
        rc = knoop_error_set(err, KNOOP_EINTERNAL,
                             "storage: a change without a history entry was refused");
    if (rc == KNOOP_OK)
        rc = store__ver_commit(t, err);
    if (rc == KNOOP_OK && t->allocated) {
        store_put_u64(v, t->next_id);
        rc = store_txn_put(t, KV_CF_META, STORE_META_NEXT_ID, strlen(STORE_META_NEXT_ID), v, 8);
    }
    if (rc == KNOOP_OK) {
        store_put_u64(v, seq);
        rc = store_txn_put(t, KV_CF_META, STORE_META_SEQ, strlen(STORE_META_SEQ), v, 8);
    }
    /* The change's audit entry, chained to the last one: audit_mu is held from here until the
     * batch is written, so that no read's audit entry takes the same place in the chain. */
    pthread_mutex_lock(&s->audit_mu);
    if (rc == KNOOP_OK)
        rc = store__audit_change(t, audit_hash);
    if (rc == KNOOP_OK && s->change_cb != NULL)
        rc = store__record_pack(t, &rec);
    if (rc == KNOOP_ENOMEM && err != NULL && err->code == 0)
        knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    /* Before the batch is visible: no newer view may find a cached adjacency it changes. */
    if (rc == KNOOP_OK)
        store_adjcache_invalidate(s->adjcache, (const uint64_t *)(const void *)t->adj_nodes.data,
                                  t->adj_nodes.size / 8, seq);
    if (rc == KNOOP_OK)
        rc = kv_commit(s->db, t->batch, false, err);
    if (rc == KNOOP_OK) {
        s->audit_no++;
        memcpy(s->audit_hash, audit_hash, STORE_HASH_BYTES);
    }
    pthread_mutex_unlock(&s->audit_mu);
    if (rc == KNOOP_OK) {
        s->next_id = t->next_id;
        s->seq = seq;
        s->last_ts = t->ts;
        pthread_mutex_lock(&s->sync_mu);
        s->written_seq = seq;
        pthread_mutex_unlock(&s->sync_mu);
        if (s->change_cb != NULL)
            s->change_cb(s->change_arg, seq, rec.data, rec.size);
    }
    knoop_buf_destroy(&rec);
    pthread_mutex_unlock(&s->writer);
    store__txn_free(t);
    if (rc != KNOOP_OK)
        return rc;
    if (s->opts.sync && (rc = store__group_sync(s, seq, err)) != KNOOP_OK) {
        char m[KNOOP_ERROR_MSG_MAX];
        snprintf(m, sizeof(m), "%s", err != NULL ? err->msg : "");
        /* The batch is applied and visible; only its durability is unknown. */
        return knoop_error_set(err, rc,
                               "storage: the change was written but is not known to be durable "
                               "(%s)",
                               m);
    }
    return rc;
}

int store_apply_record(store_t *s, const void *record, size_t len, knoop_error_t *err)
{
    msgpack_unpacked u;
    const msgpack_object *a, *ops;
    kv_batch_t *b;
    size_t off = 0;
    uint64_t seq;
    int rc = KNOOP_OK;

    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, record, len, &off) != MSGPACK_UNPACK_SUCCESS || off != len) {
        msgpack_unpacked_destroy(&u);
        return knoop_error_set(err, KNOOP_EINVAL, "record: not one msgpack value");
    }
    a = &u.data;
    if (a->type != MSGPACK_OBJECT_ARRAY || a->via.array.size != 6 ||
        a->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
        a->via.array.ptr[0].via.u64 != 1 ||
        a->via.array.ptr[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
        a->via.array.ptr[5].type != MSGPACK_OBJECT_ARRAY) {
        msgpack_unpacked_destroy(&u);
        return knoop_error_set(err, KNOOP_EINVAL,
                               "record: expected [1, seq, ts, actor, reason, ops]");
    }
    seq = a->via.array.ptr[1].via.u64;
    ops = &a->via.array.ptr[5];
    b = kv_batch_new(s->db);
    if (b == NULL) {
        msgpack_unpacked_destroy(&u);
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    }
    for (uint32_t i = 0; i < ops->via.array.size && rc == KNOOP_OK; i++) {
        const msgpack_object *op = &ops->via.array.ptr[i];
        const msgpack_object *o;
        if (op->type != MSGPACK_OBJECT_ARRAY ||
            (op->via.array.size != 2 && op->via.array.size != 3)) {
            rc = knoop_error_set(err, KNOOP_EINVAL, "record: ops[%u]: expected [cf, key, value?]",
                                 (unsigned)i);
            break;
        }
        o = op->via.array.ptr;
        if (o[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER || o[0].via.u64 >= KV_CF_COUNT ||
            o[1].type != MSGPACK_OBJECT_BIN ||
            (op->via.array.size == 3 && o[2].type != MSGPACK_OBJECT_BIN)) {
            rc = knoop_error_set(err, KNOOP_EINVAL, "record: ops[%u]: bad column family or key",
                                 (unsigned)i);
            break;
        }
        if (op->via.array.size == 3)
            kv_batch_put(b, (kv_cf_t)o[0].via.u64, o[1].via.bin.ptr, o[1].via.bin.size,
                         o[2].via.bin.ptr, o[2].via.bin.size);
        else
            kv_batch_delete(b, (kv_cf_t)o[0].via.u64, o[1].via.bin.ptr, o[1].via.bin.size);
    }
    pthread_mutex_lock(&s->writer);
    if (rc == KNOOP_OK && seq != s->seq + 1)
        rc = knoop_error_set(err, KNOOP_ECONFLICT, "record: sequence %llu, expected %llu",
                             (unsigned long long)seq, (unsigned long long)(s->seq + 1));
    if (rc == KNOOP_OK) {
        store_adjcache_clear(s->adjcache, seq);
        rc = kv_commit(s->db, b, s->opts.sync, err);
    }
    if (rc == KNOOP_OK) {
        uint64_t next = 0;
        knoop_error_t ignore;
        s->seq = seq;
        if (a->via.array.ptr[2].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
            (int64_t)a->via.array.ptr[2].via.u64 > s->last_ts)
            s->last_ts = (int64_t)a->via.array.ptr[2].via.u64;
        if (store__meta_u64(s->db, STORE_META_NEXT_ID, &next, &ignore) == KNOOP_OK && next > 0)
            s->next_id = next;
        pthread_mutex_lock(&s->audit_mu);
        (void)store__audit_load(s, &ignore);
        pthread_mutex_unlock(&s->audit_mu);
        pthread_mutex_lock(&s->sync_mu);
        s->written_seq = s->synced_seq = seq;
        pthread_mutex_unlock(&s->sync_mu);
    }
    pthread_mutex_unlock(&s->writer);
    kv_batch_free(b);
    msgpack_unpacked_destroy(&u);
    return rc;
}

int store_get(store_t *s, const store_view_t *v, kv_cf_t cf, const void *key, size_t klen,
              void **val, size_t *vlen, knoop_error_t *err)
{
    if (v != NULL && v->txn != NULL)
        return kv_batch_get(s->db, v->txn->batch, cf, key, klen, val, vlen, err);
    if (v != NULL && v->versioned && store__ver_family(cf))
        return store__ver_get(s, v, cf, key, klen, val, vlen, err);
    return kv_get(s->db, v != NULL ? v->snap : NULL, cf, key, klen, val, vlen, err);
}

int store_hist_scan(store_t *s, const store_view_t *v, uint64_t id, store_hist_cb cb, void *arg,
                    knoop_error_t *err)
{
    unsigned char lo[8], hi[8];
    store_iter_t *it;
    int rc;

    store_put_u64(lo, id);
    store_put_u64(hi, id + 1);
    it = store_iter(s, v, KV_CF_HIST, lo, 8, id == UINT64_MAX ? NULL : hi, 8);
    if (it == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    for (; store_iter_valid(it); store_iter_next(it)) {
        size_t vlen;
        const void *val = store_iter_value(it, &vlen);
        if (cb(arg, val, vlen) != 0)
            break;
    }
    rc = store_iter_status(it, err);
    store_iter_free(it);
    return rc;
}

/* 64-bit FNV-1a, continued from h. */
static uint64_t store__fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

int store_digest(store_t *s, const store_view_t *v, char out[17], knoop_error_t *err)
{
    uint64_t h = 14695981039346656037ULL;
    for (int cf = 0; cf < KV_CF_COUNT; cf++) {
        store_iter_t *it = store_iter(s, v, (kv_cf_t)cf, NULL, 0, NULL, 0);
        unsigned char n[8];
        int rc;
        if (it == NULL)
            return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
        store_put_u32(n, (uint32_t)cf);
        h = store__fnv(h, n, 4);
        for (; store_iter_valid(it); store_iter_next(it)) {
            size_t kl, vl;
            const void *k = store_iter_key(it, &kl);
            const void *val = store_iter_value(it, &vl);
            store_put_u64(n, kl);
            h = store__fnv(h, n, 8);
            h = store__fnv(h, k, kl);
            store_put_u64(n, vl);
            h = store__fnv(h, n, 8);
            h = store__fnv(h, val, vl);
        }
        rc = store_iter_status(it, err);
        store_iter_free(it);
        if (rc != KNOOP_OK)
            return rc;
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
    return KNOOP_OK;
}

/* Copies regular file src to dst (created, must not exist), then fsyncs it. */
static int store__copy_file(const char *src, const char *dst, knoop_error_t *err)
{
    char buf[65536];
    int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = KNOOP_OK;
    ssize_t n;
    if (in < 0)
        return knoop_error_set(err, KNOOP_EIO, "restore: cannot read %s: %s", src, strerror(errno));
    out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) {
        close(in);
        return knoop_error_set(err, KNOOP_EIO, "restore: cannot create %s: %s", dst,
                               strerror(errno));
    }
    while ((n = read(in, buf, sizeof(buf))) > 0) {
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0) {
                rc = knoop_error_set(err, KNOOP_EIO, "restore: writing %s: %s", dst,
                                     strerror(errno));
                break;
            }
            off += w;
        }
        if (rc != KNOOP_OK)
            break;
    }
    if (rc == KNOOP_OK && n < 0)
        rc = knoop_error_set(err, KNOOP_EIO, "restore: reading %s: %s", src, strerror(errno));
    if (rc == KNOOP_OK && fsync(out) != 0)
        rc = knoop_error_set(err, KNOOP_EIO, "restore: syncing %s: %s", dst, strerror(errno));
    close(in);
    if (close(out) != 0 && rc == KNOOP_OK)
        rc = knoop_error_set(err, KNOOP_EIO, "restore: closing %s: %s", dst, strerror(errno));
    return rc;
}

int store_restore(const char *backup, const char *dir, char digest[17], knoop_error_t *err)
{
    char src[4096], dst[4096];
    struct dirent *de;
    store_t *s;
    DIR *d;
    int rc = KNOOP_OK;

    /* The backup must be a store this knoopd reads: open it first (read and closed again). */
    if ((rc = store_open_existing(backup, &s, err)) != KNOOP_OK)
        return rc;
    store_close(s);
    if (mkdir(dir, 0700) != 0)
        return knoop_error_set(err, KNOOP_EIO,
                               "restore: cannot create %s: %s (the target must not exist)", dir,
                               strerror(errno));
    if ((d = opendir(backup)) == NULL)
        return knoop_error_set(err, KNOOP_EIO, "restore: cannot list %s: %s", backup,
                               strerror(errno));
    while (rc == KNOOP_OK && (de = readdir(d)) != NULL) {
        struct stat st;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (snprintf(src, sizeof(src), "%s/%s", backup, de->d_name) >= (int)sizeof(src) ||
            snprintf(dst, sizeof(dst), "%s/%s", dir, de->d_name) >= (int)sizeof(dst)) {
            rc = knoop_error_set(err, KNOOP_EINVAL, "restore: path too long");
            break;
        }
        if (stat(src, &st) != 0 || !S_ISREG(st.st_mode)) {
            rc = knoop_error_set(err, KNOOP_EINVAL, "restore: %s is not a regular file", src);
            break;
        }
        rc = store__copy_file(src, dst, err);
    }
    closedir(d);
    if (rc != KNOOP_OK)
        return rc;
    if ((rc = store_open_existing(dir, &s, err)) != KNOOP_OK)
        return rc;
    rc = store_digest(s, NULL, digest, err);
    store_close(s);
    return rc;
}

/* ---- the audit chain (store.h) ---- */

/*
 * Read entries are written in groups: a read puts its entry (the pairs after "no" and "ts") on
 * the store's queue; when no other read is writing, it becomes the leader, takes every entry
 * queued, numbers and chains them, and writes them and the new head in one batch, then wakes
 * the reads whose entries it wrote. Under many concurrent reads one write (and one head) serves
 * several entries; a lone read writes its own at once.
 */
struct store__audit_wait {
    store__audit_wait_t *next;
    knoop_buf_t rest; /* the entry's pairs after "no" and "ts" (store__audit_numbered) */
    int rc;           /* set by the leader with done */
    knoop_error_t err;
    bool done;
};

/* Writes the queued read entries of list in one batch, chained after the head; under audit_mu. */
static int store__audit_write_reads(store_t *s, store__audit_wait_t *list, knoop_error_t *err)
{
    knoop_buf_t m, val;
    msgpack_packer pk;
    unsigned char hash[STORE_HASH_BYTES], key[STORE_AUDIT_KEY_LEN], head[8 + STORE_HASH_BYTES];
    char tsb[32];
    kv_batch_t *b;
    uint64_t no;
    int rc = KNOOP_OK;

    if ((b = kv_batch_new(s->db)) == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    knoop_buf_init(&m);
    knoop_buf_init(&val);
    pthread_mutex_lock(&s->audit_mu);
    no = s->audit_no;
    memcpy(hash, s->audit_hash, STORE_HASH_BYTES);
    store_format_ts(store__now_ms(), tsb);
    for (store__audit_wait_t *w = list; w != NULL && rc == KNOOP_OK; w = w->next) {
        unsigned char prev[STORE_HASH_BYTES];
        knoop_buf_clear(&m);
        knoop_buf_clear(&val);
        knoop_buf_packer(&m, &pk);
        store__audit_numbered(&pk, 3, ++no, tsb);
        knoop_buf_write(&m, w->rest.data, w->rest.size);
        memcpy(prev, hash, STORE_HASH_BYTES);
        rc = knoop_buf_failed(&m) ? KNOOP_ENOMEM : store__audit_value(prev, &m, &val, hash);
        if (rc == KNOOP_OK)
            kv_batch_put(b, KV_CF_META, key, store_key_audit(key, no), val.data, val.size);
    }
    if (rc == KNOOP_ENOMEM)
        knoop_error_set(err, rc, "storage: out of memory");
    if (rc == KNOOP_OK) {
        store_put_u64(head, no);
        memcpy(head + 8, hash, STORE_HASH_BYTES);
        kv_batch_put(b, KV_CF_META, STORE_META_AUDIT_HEAD, strlen(STORE_META_AUDIT_HEAD), head,
                     sizeof(head));
        rc = kv_commit(s->db, b, false, err);
    }
    if (rc == KNOOP_OK) {
        atomic_fetch_add(&s->audit_read_entries, no - s->audit_no);
        atomic_fetch_add(&s->audit_read_writes, 1);
        s->audit_no = no;
        memcpy(s->audit_hash, hash, STORE_HASH_BYTES);
    }
    pthread_mutex_unlock(&s->audit_mu);
    kv_batch_free(b);
    knoop_buf_destroy(&m);
    knoop_buf_destroy(&val);
    return rc;
}

int store_audit_read(store_t *s, const char *user, const char *reason, const char *purpose,
                     const char *what, const uint64_t *ids, size_t n, knoop_error_t *err)
{
    store__audit_wait_t w = { .rc = KNOOP_OK };
    msgpack_packer pk;

    knoop_buf_init(&w.rest);
    knoop_buf_packer(&w.rest, &pk);
    store__audit_who(&pk, user != NULL ? user : "system", "read", reason);
    msgpack_pack_str_with_body(&pk, "purpose", 7);
    if (purpose != NULL)
        msgpack_pack_str_with_body(&pk, purpose, strlen(purpose));
    else
        msgpack_pack_nil(&pk);
    msgpack_pack_str_with_body(&pk, "what", 4);
    msgpack_pack_str_with_body(&pk, what, strlen(what));
    msgpack_pack_str_with_body(&pk, "ids", 3);
    msgpack_pack_array(&pk, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        msgpack_pack_uint64(&pk, ids[i]);
    if (knoop_buf_failed(&w.rest)) {
        knoop_buf_destroy(&w.rest);
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    }
    pthread_mutex_lock(&s->audit_q_mu);
    *s->audit_q_tail = &w;
    s->audit_q_tail = &w.next;
    while (!w.done && s->audit_leading)
        pthread_cond_wait(&s->audit_q_cv, &s->audit_q_mu);
    if (!w.done) {
        /* No read is writing: lead. The queue holds this entry and those queued after it. */
        store__audit_wait_t *list = s->audit_q, *next;
        knoop_error_t lerr = { 0 };
        int rc;
        s->audit_q = NULL;
        s->audit_q_tail = &s->audit_q;
        s->audit_leading = true;
        pthread_mutex_unlock(&s->audit_q_mu);
        rc = store__audit_write_reads(s, list, &lerr);
        pthread_mutex_lock(&s->audit_q_mu);
        for (store__audit_wait_t *q = list; q != NULL; q = next) {
            next = q->next; /* q may return and go once done is set */
            q->rc = rc;
            q->err = lerr;
            q->done = true;
        }
        s->audit_leading = false;
        pthread_cond_broadcast(&s->audit_q_cv);
    }
    pthread_mutex_unlock(&s->audit_q_mu);
    knoop_buf_destroy(&w.rest);
    if (w.rc != KNOOP_OK && err != NULL)
        *err = w.err;
    return w.rc;
}

void store_audit_stats(store_t *s, store_audit_stats_t *out)
{
    out->read_entries = atomic_load(&s->audit_read_entries);
    out->read_writes = atomic_load(&s->audit_read_writes);
}

int store_audit_scan(store_t *s, const store_view_t *v, uint64_t from_no, store_audit_cb cb,
                     void *arg, knoop_error_t *err)
{
    unsigned char lo[STORE_AUDIT_KEY_LEN];
    const char *hi = "audit0"; /* '/' + 1: past every "audit/" key */
    store_iter_t *it;
    int rc;
    store_key_audit(lo, from_no);
    if ((it = store_iter(s, v, KV_CF_META, lo, sizeof(lo), hi, strlen(hi))) == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    for (; store_iter_valid(it); store_iter_next(it)) {
        size_t kl, vl;
        const unsigned char *k = store_iter_key(it, &kl);
        const void *val = store_iter_value(it, &vl);
        if (kl != STORE_AUDIT_KEY_LEN || vl <= STORE_HASH_BYTES)
            continue;
        if (cb(arg, store_get_u64(k + 6), val, vl - STORE_HASH_BYTES) != 0)
            break;
    }
    rc = store_iter_status(it, err);
    store_iter_free(it);
    return rc;
}

typedef struct {
    uint32_t n;
    unsigned char h[STORE_HASH_BYTES];
} store__hist_hash_t;

static int store__hist_hash_cmp(const void *a, const void *b)
{
    uint32_t x = ((const store__hist_hash_t *)a)->n, y = ((const store__hist_hash_t *)b)->n;
    return x < y ? -1 : x > y;
}

static int store__u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The hash a history entry is covered by: its own, or for an erased one the one it kept. */
static int store__hist_entry_hash(const void *val, size_t len, unsigned char h[STORE_HASH_BYTES])
{
    msgpack_unpacked u;
    size_t off = 0;
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, val, len, &off) == MSGPACK_UNPACK_SUCCESS &&
        u.data.type == MSGPACK_OBJECT_MAP) {
        for (uint32_t i = 0; i < u.data.via.map.size; i++) {
            const msgpack_object_kv *kv = &u.data.via.map.ptr[i];
            if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == 4 &&
                memcmp(kv->key.via.str.ptr, "orig", 4) == 0 && kv->val.type == MSGPACK_OBJECT_BIN &&
                kv->val.via.bin.size == STORE_HASH_BYTES) {
                memcpy(h, kv->val.via.bin.ptr, STORE_HASH_BYTES);
                msgpack_unpacked_destroy(&u);
                return KNOOP_OK;
            }
        }
    }
    msgpack_unpacked_destroy(&u);
    return store__sha256(h, val, len, NULL, 0);
}

/* Recomputes the payload hash of change seq over the history entries of ids (sorted, unique). */
static int store__payload(store_t *s, const store_view_t *v, uint64_t seq, const uint64_t *ids,
                          size_t nids, unsigned char out[STORE_HASH_BYTES], knoop_error_t *err)
{
    store__hist_hash_t *hs = NULL;
    size_t nh = 0, cap = 0;
    int rc = KNOOP_OK;
    for (size_t i = 0; i < nids && rc == KNOOP_OK; i++) {
        unsigned char lo[STORE_HIST_KEY_LEN], hi[STORE_HIST_KEY_LEN];
        store_iter_t *it;
        if (i > 0 && ids[i] == ids[i - 1])
            continue;
        store_key_hist(lo, ids[i], seq, 0);
        store_key_hist(hi, ids[i], seq + 1, 0);
        if ((it = store_iter(s, v, KV_CF_HIST, lo, sizeof(lo), hi, sizeof(hi))) == NULL) {
            rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
            break;
        }
        for (; store_iter_valid(it); store_iter_next(it)) {
            size_t kl, vl;
            const unsigned char *k = store_iter_key(it, &kl);
            const void *val = store_iter_value(it, &vl);
            if (kl != STORE_HIST_KEY_LEN)
                continue;
            if (nh == cap) {
                size_t nc = cap ? cap * 2 : 16;
                store__hist_hash_t *nhs = knoop_realloc(hs, nc * sizeof(*hs));
                if (nhs == NULL) {
                    rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
                    break;
                }
                hs = nhs;
                cap = nc;
            }
            hs[nh].n = store_get_u32(k + 16);
            if (store__hist_entry_hash(val, vl, hs[nh].h) != KNOOP_OK) {
                rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
                break;
            }
            nh++;
        }
        if (rc == KNOOP_OK)
            rc = store_iter_status(it, err);
        store_iter_free(it);
    }
    if (rc == KNOOP_OK) {
        if (nh > 0)
            qsort(hs, nh, sizeof(*hs), store__hist_hash_cmp);
        /* The hashes in order, one after the other (what the change hashed as it went). */
        unsigned char *flat = knoop_malloc(nh > 0 ? nh * STORE_HASH_BYTES : 1);
        if (flat == NULL)
            rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
        for (size_t i = 0; flat != NULL && i < nh; i++)
            memcpy(flat + i * STORE_HASH_BYTES, hs[i].h, STORE_HASH_BYTES);
        if (flat != NULL && store__sha256(out, flat, nh * STORE_HASH_BYTES, NULL, 0) != KNOOP_OK)
            rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
        knoop_free(flat);
    }
    knoop_free(hs);
    return rc;
}

typedef struct {
    store_t *s;
    const store_view_t *v;
    store_audit_result_t *out;
    knoop_error_t *err;
    unsigned char prev[STORE_HASH_BYTES];
    uint64_t expect;
    int rc;
} store__verify_t;

static int store__verify_bad(store__verify_t *a, uint64_t no, const char *problem)
{
    a->out->ok = false;
    a->out->first_bad = no;
    snprintf(a->out->problem, sizeof(a->out->problem), "%s", problem);
    return 1;
}

/* Checks a change entry's payload against the history it names. 0 = fine, 1 = broken. */
static int store__verify_change(store__verify_t *a, uint64_t no, const msgpack_object *m)
{
    const msgpack_object *seq = NULL, *ids = NULL, *payload = NULL;
    unsigned char want[STORE_HASH_BYTES];
    uint64_t *v = NULL;
    uint32_t n;
    int rc;
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object_kv *kv = &m->via.map.ptr[i];
        if (kv->key.type != MSGPACK_OBJECT_STR)
            continue;
        if (kv->key.via.str.size == 3 && memcmp(kv->key.via.str.ptr, "seq", 3) == 0)
            seq = &kv->val;
        else if (kv->key.via.str.size == 3 && memcmp(kv->key.via.str.ptr, "ids", 3) == 0)
            ids = &kv->val;
        else if (kv->key.via.str.size == 7 && memcmp(kv->key.via.str.ptr, "payload", 7) == 0)
            payload = &kv->val;
    }
    if (seq == NULL || seq->type != MSGPACK_OBJECT_POSITIVE_INTEGER || ids == NULL ||
        ids->type != MSGPACK_OBJECT_ARRAY || payload == NULL ||
        payload->type != MSGPACK_OBJECT_BIN || payload->via.bin.size != STORE_HASH_BYTES)
        return store__verify_bad(a, no, "a change entry lacks seq, ids or payload");
    n = ids->via.array.size;
    if (n > 0 && (v = knoop_malloc(n * sizeof(*v))) == NULL) {
        a->rc = knoop_error_set(a->err, KNOOP_ENOMEM, "storage: out of memory");
        return 1;
    }
    for (uint32_t i = 0; i < n; i++)
        v[i] = ids->via.array.ptr[i].via.u64;
    if (n > 1)
        qsort(v, n, sizeof(*v), store__u64_cmp);
    rc = store__payload(a->s, a->v, seq->via.u64, v, n, want, a->err);
    knoop_free(v);
    if (rc != KNOOP_OK) {
        a->rc = rc;
        return 1;
    }
    if (memcmp(want, payload->via.bin.ptr, STORE_HASH_BYTES) != 0) {
        char msg[128];
        snprintf(msg, sizeof(msg),
                 "the history of change seq %llu does not match its audit entry (edited or "
                 "deleted)",
                 (unsigned long long)seq->via.u64);
        return store__verify_bad(a, no, msg);
    }
    return 0;
}

static int store__verify_cb(void *arg, uint64_t no, const void *entry, size_t len)
{
    store__verify_t *a = arg;
    const unsigned char *stored = (const unsigned char *)entry + len;
    unsigned char h[STORE_HASH_BYTES];
    msgpack_unpacked u;
    size_t off = 0;
    int r = 0;
    a->out->entries++;
    if (no != a->expect) {
        char msg[96];
        snprintf(msg, sizeof(msg), "entry %llu is missing (deleted)",
                 (unsigned long long)a->expect);
        return store__verify_bad(a, a->expect, msg);
    }
    if (store__sha256(h, a->prev, STORE_HASH_BYTES, entry, len) != KNOOP_OK) {
        a->rc = knoop_error_set(a->err, KNOOP_ENOMEM, "storage: out of memory");
        return 1;
    }
    if (sodium_memcmp(h, stored, STORE_HASH_BYTES) != 0)
        return store__verify_bad(a, no,
                                 "the entry's hash does not match (edited, or an entry "
                                 "before it was removed)");
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, entry, len, &off) != MSGPACK_UNPACK_SUCCESS ||
        u.data.type != MSGPACK_OBJECT_MAP) {
        msgpack_unpacked_destroy(&u);
        return store__verify_bad(a, no, "the entry is not a map");
    }
    {
        const msgpack_object *kind = NULL;
        for (uint32_t i = 0; i < u.data.via.map.size; i++) {
            const msgpack_object_kv *kv = &u.data.via.map.ptr[i];
            if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == 4 &&
                memcmp(kv->key.via.str.ptr, "kind", 4) == 0)
                kind = &kv->val;
        }
        if (kind != NULL && kind->type == MSGPACK_OBJECT_STR && kind->via.str.size == 6 &&
            memcmp(kind->via.str.ptr, "change", 6) == 0)
            r = store__verify_change(a, no, &u.data);
    }
    msgpack_unpacked_destroy(&u);
    if (r != 0)
        return r;
    memcpy(a->prev, stored, STORE_HASH_BYTES);
    a->expect++;
    return 0;
}

int store_audit_verify(store_t *s, const store_view_t *v, store_audit_result_t *out,
                       knoop_error_t *err)
{
    store__verify_t a = { .s = s, .v = v, .out = out, .err = err, .expect = 1 };
    void *hv = NULL;
    size_t hl = 0;
    int rc;
    memset(out, 0, sizeof(*out));
    out->ok = true;
    if ((rc = store_audit_scan(s, v, 1, store__verify_cb, &a, err)) != KNOOP_OK)
        return rc;
    if (a.rc != KNOOP_OK)
        return a.rc;
    if (!out->ok)
        return KNOOP_OK;
    rc = store_get(s, v, KV_CF_META, STORE_META_AUDIT_HEAD, strlen(STORE_META_AUDIT_HEAD), &hv, &hl,
                   err);
    if (rc == KNOOP_ENOTFOUND) {
        if (a.expect != 1)
            store__verify_bad(&a, 1, "the chain has entries but no head");
        return KNOOP_OK;
    }
    if (rc != KNOOP_OK)
        return rc;
    if (hl != 8 + STORE_HASH_BYTES || store_get_u64(hv) != a.expect - 1 ||
        memcmp((unsigned char *)hv + 8, a.prev, STORE_HASH_BYTES) != 0) {
        char msg[128];
        snprintf(msg, sizeof(msg),
                 "the chain ends at entry %llu, the head says %llu (entries "
                 "removed at the end)",
                 (unsigned long long)(a.expect - 1),
                 hl == 8 + STORE_HASH_BYTES ? (unsigned long long)store_get_u64(hv) : 0ULL);
        store__verify_bad(&a, a.expect, msg);
    }
    kv_free(hv);
    return KNOOP_OK;
}

/* ---- erasure (store.h) ---- */

/* The string or integer field name of map m, packed as it is into pk (nil when absent). */
static void store__copy_field(msgpack_packer *pk, const msgpack_object *m, const char *name)
{
    size_t nl = strlen(name);
    msgpack_pack_str_with_body(pk, name, nl);
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object_kv *kv = &m->via.map.ptr[i];
        if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == nl &&
            memcmp(kv->key.via.str.ptr, name, nl) == 0) {
            msgpack_pack_object(pk, kv->val);
            return;
        }
    }
    msgpack_pack_nil(pk);
}

int store_txn_erase_history(store_txn_t *t, uint64_t id, size_t *count, knoop_error_t *err)
{
    unsigned char lo[8], hi[8];
    knoop_buf_t keys, vals;
    size_t n = 0, off = 0;
    store_iter_t *it;
    int rc;

    *count = 0;
    if (store__ver_forget_id(t, id) != KNOOP_OK)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    store_put_u64(lo, id);
    store_put_u64(hi, id + 1);
    if ((it = store_iter(t->s, &t->view, KV_CF_HIST, lo, 8, id == UINT64_MAX ? NULL : hi, 8)) ==
        NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    /* Copy first: a transaction must not write while an iterator of its view lives. */
    knoop_buf_init(&keys);
    knoop_buf_init(&vals);
    for (; store_iter_valid(it); store_iter_next(it)) {
        size_t kl, vl;
        const void *k = store_iter_key(it, &kl);
        const void *v = store_iter_value(it, &vl);
        unsigned char len[8];
        if (kl != STORE_HIST_KEY_LEN)
            continue;
        store_put_u64(len, vl);
        knoop_buf_write(&keys, k, kl);
        knoop_buf_write(&vals, (const char *)len, 8);
        knoop_buf_write(&vals, v, vl);
        n++;
    }
    rc = store_iter_status(it, err);
    store_iter_free(it);
    if (rc == KNOOP_OK && (knoop_buf_failed(&keys) || knoop_buf_failed(&vals)))
        rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    for (size_t i = 0; i < n && rc == KNOOP_OK; i++) {
        const unsigned char *k = (const unsigned char *)keys.data + i * STORE_HIST_KEY_LEN;
        size_t vl = store_get_u64((const unsigned char *)vals.data + off);
        const char *v = vals.data + off + 8;
        unsigned char h[STORE_HASH_BYTES];
        msgpack_unpacked u;
        knoop_buf_t nb;
        msgpack_packer pk;
        size_t uo = 0;
        off += 8 + vl;
        msgpack_unpacked_init(&u);
        if (msgpack_unpack_next(&u, v, vl, &uo) != MSGPACK_UNPACK_SUCCESS ||
            u.data.type != MSGPACK_OBJECT_MAP) {
            msgpack_unpacked_destroy(&u);
            continue;
        }
        /* The hash the audit chain covers it by: kept when it was erased before. */
        if (store__hist_entry_hash(v, vl, h) != KNOOP_OK) {
            msgpack_unpacked_destroy(&u);
            rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
            break;
        }
        knoop_buf_init(&nb);
        knoop_buf_packer(&nb, &pk);
        /* What stays: when, who, which operation on which id; not the reason (free text that
         * may name the person), not the data before and after. */
        msgpack_pack_map(&pk, 10);
        store__copy_field(&pk, &u.data, "seq");
        store__copy_field(&pk, &u.data, "ts");
        store__copy_field(&pk, &u.data, "actor");
        msgpack_pack_str_with_body(&pk, "reason", 6);
        msgpack_pack_nil(&pk);
        store__copy_field(&pk, &u.data, "op");
        store__copy_field(&pk, &u.data, "id");
        msgpack_pack_str_with_body(&pk, "before", 6);
        msgpack_pack_nil(&pk);
        msgpack_pack_str_with_body(&pk, "after", 5);
        msgpack_pack_nil(&pk);
        msgpack_pack_str_with_body(&pk, "erased", 6);
        msgpack_pack_true(&pk);
        msgpack_pack_str_with_body(&pk, "orig", 4);
        msgpack_pack_bin_with_body(&pk, h, sizeof(h));
        msgpack_unpacked_destroy(&u);
        rc = knoop_buf_failed(&nb)
                 ? KNOOP_ENOMEM
                 : store_txn_put(t, KV_CF_HIST, k, STORE_HIST_KEY_LEN, nb.data, nb.size);
        knoop_buf_destroy(&nb);
        if (rc != KNOOP_OK)
            rc = knoop_error_set(err, rc, "storage: out of memory");
        else
            (*count)++;
    }
    knoop_buf_destroy(&keys);
    knoop_buf_destroy(&vals);
    return rc;
}

int store_purge(store_t *s, const uint64_t *ids, size_t n, knoop_error_t *err)
{
    /* Nothing is allocated here: this runs after the erasure committed, when a failure could
     * only be reported, not undone. Ids go in chunks with their bounds on the stack. */
    enum { CHUNK = 16, PER_ID = 4 };
    static const kv_cf_t per_id[PER_ID] = { KV_CF_NODE, KV_CF_EDGE, KV_CF_ADJ, KV_CF_HIST };
    unsigned char bounds[CHUNK][16];
    kv_range_t r[CHUNK * PER_ID + 2];
    size_t done = 0;
    int rc = KNOOP_OK;
    do {
        size_t m = 0, k = n - done < CHUNK ? n - done : CHUNK;
        for (size_t i = 0; i < k; i++) {
            store_put_u64(bounds[i], ids[done + i]);
            store_put_u64(bounds[i] + 8, ids[done + i] + 1);
            for (size_t j = 0; j < PER_ID; j++)
                r[m++] = (kv_range_t){
                    .cf = per_id[j], .lo = bounds[i], .lo_len = 8, .hi = bounds[i] + 8, .hi_len = 8
                };
        }
        done += k;
        /* Index keys hold names, external keys and postcodes, not ids: the whole family. */
        if (done == n)
            r[m++] = (kv_range_t){ .cf = KV_CF_IDX };
        /* The version entries of erased keys (store_ver.c deleted them in the erasure's batch)
         * are spread over the whole version family, the index part included. */
        if (done == n)
            r[m++] = (kv_range_t){ .cf = KV_CF_VER };
        rc = kv_purge(s->db, r, m, err);
    } while (rc == KNOOP_OK && done < n);
    return rc;
}

/* The tombstone key of value into key (STORE_TOMB_KEY_LEN bytes) under secret. */
static void store__tomb_key(const unsigned char secret[crypto_generichash_KEYBYTES],
                            const char *value, size_t vlen, unsigned char *key)
{
    memcpy(key, STORE_TOMB_PREFIX, 5);
    crypto_generichash(key + 5, STORE_HASH_BYTES, (const unsigned char *)value, vlen, secret,
                       crypto_generichash_KEYBYTES);
}

/* Reads the tombstone secret through v into secret; *have false when the store has none. */
static int store__tomb_secret(store_t *s, const store_view_t *v,
                              unsigned char secret[crypto_generichash_KEYBYTES], bool *have,
                              knoop_error_t *err)
{
    void *val = NULL;
    size_t len = 0;
    int rc = store_get(s, v, KV_CF_META, STORE_META_TOMB_SECRET, strlen(STORE_META_TOMB_SECRET),
                       &val, &len, err);
    *have = false;
    if (rc == KNOOP_ENOTFOUND)
        return KNOOP_OK;
    if (rc != KNOOP_OK)
        return rc;
    if (len != crypto_generichash_KEYBYTES) {
        kv_free(val);
        return knoop_error_set(err, KNOOP_ECORRUPT, "storage: meta %s has %zu bytes, expected %d",
                               STORE_META_TOMB_SECRET, len, crypto_generichash_KEYBYTES);
    }
    memcpy(secret, val, len);
    kv_free(val);
    *have = true;
    return KNOOP_OK;
}

int store_txn_tomb_add(store_txn_t *t, const char *value, size_t vlen, knoop_error_t *err)
{
    unsigned char secret[crypto_generichash_KEYBYTES], key[STORE_TOMB_KEY_LEN];
    bool have;
    int rc = store__tomb_secret(t->s, &t->view, secret, &have, err);
    if (rc != KNOOP_OK)
        return rc;
    if (!have) {
        randombytes_buf(secret, sizeof(secret));
        if (store_txn_put(t, KV_CF_META, STORE_META_TOMB_SECRET, strlen(STORE_META_TOMB_SECRET),
                          secret, sizeof(secret)) != KNOOP_OK) {
            sodium_memzero(secret, sizeof(secret));
            return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
        }
    }
    store__tomb_key(secret, value, vlen, key);
    sodium_memzero(secret, sizeof(secret));
    if (store_txn_put(t, KV_CF_META, key, sizeof(key), "", 0) != KNOOP_OK)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    return KNOOP_OK;
}

int store_txn_tomb_remove(store_txn_t *t, const char *value, size_t vlen, knoop_error_t *err)
{
    unsigned char secret[crypto_generichash_KEYBYTES], key[STORE_TOMB_KEY_LEN];
    bool have;
    int rc = store__tomb_secret(t->s, &t->view, secret, &have, err);
    if (rc != KNOOP_OK || !have)
        return rc;
    store__tomb_key(secret, value, vlen, key);
    sodium_memzero(secret, sizeof(secret));
    if (store_txn_delete(t, KV_CF_META, key, sizeof(key)) != KNOOP_OK)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    return KNOOP_OK;
}

int store_tomb_find(store_t *s, const store_view_t *v, const char *value, size_t vlen, bool *found,
                    knoop_error_t *err)
{
    unsigned char secret[crypto_generichash_KEYBYTES], key[STORE_TOMB_KEY_LEN];
    void *val = NULL;
    size_t len = 0;
    bool have;
    int rc = store__tomb_secret(s, v, secret, &have, err);
    *found = false;
    if (rc != KNOOP_OK || !have)
        return rc;
    store__tomb_key(secret, value, vlen, key);
    sodium_memzero(secret, sizeof(secret));
    rc = store_get(s, v, KV_CF_META, key, sizeof(key), &val, &len, err);
    if (rc == KNOOP_ENOTFOUND)
        return KNOOP_OK;
    if (rc != KNOOP_OK)
        return rc;
    kv_free(val);
    *found = true;
    return KNOOP_OK;
}
