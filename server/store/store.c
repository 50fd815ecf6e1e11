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
#include <msgpack.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

struct store {
    kv_db_t *db;
    store_options_t opts;
    pthread_mutex_t writer;
    uint64_t next_id; /* under writer */
    uint64_t seq;     /* last committed sequence, under writer */

    pthread_mutex_t sync_mu;
    pthread_cond_t sync_cv;
    uint64_t written_seq; /* highest seq written to the WAL, under sync_mu */
    uint64_t synced_seq;  /* highest seq known durable, under sync_mu */
    bool syncing;         /* a leader is in kv_sync, under sync_mu */
    int sync_error;       /* sticky result of a failed sync, under sync_mu */
};

struct store_txn {
    store_t *s;
    uint32_t hist_n; /* history entries so far: orders several entries of one id in one txn */
    kv_batch_t *batch;
    uint64_t next_id;
    uint64_t seq;
    int64_t ts;
    bool allocated;
    char actor[128];
    char reason[256];
    bool has_reason;
};

/* The open transaction of this thread, if any: reads of the latest state made on the thread that
 * holds the writer lock go through its batch, so a transaction sees its own writes. */
static _Thread_local store_txn_t *store__current;

void store_options_default(store_options_t *o)
{
    o->sync = true;
    o->block_cache_bytes = 0;
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
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    s->opts = *o;
    ko.block_cache_bytes = o->block_cache_bytes;
    rc = kv_open(dir, &ko, &s->db, err);
    if (rc != KNOOP_OK) {
        free(s);
        return rc;
    }
    rc = kv_get(s->db, NULL, KV_CF_META, STORE_META_FORMAT, strlen(STORE_META_FORMAT), &fv, &flen,
                err);
    if (rc == KNOOP_OK) {
        uint32_t fmt = flen == 4 ? store_get_u32(fv) : 0;
        kv_free(fv);
        if (fmt != STORE_FORMAT) {
            kv_close(s->db);
            free(s);
            return knoop_error_set(err, KNOOP_ECORRUPT,
                                   "storage: %s has layout version %u, this knoopd reads %d", dir,
                                   fmt, STORE_FORMAT);
        }
    } else if (rc == KNOOP_ENOTFOUND) {
        unsigned char b[4];
        kv_batch_t *batch = kv_batch_new(s->db);
        if (batch == NULL) {
            kv_close(s->db);
            free(s);
            return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
        }
        store_put_u32(b, STORE_FORMAT);
        kv_batch_put(batch, KV_CF_META, STORE_META_FORMAT, strlen(STORE_META_FORMAT), b, 4);
        rc = kv_commit(s->db, batch, true, err);
        kv_batch_free(batch);
        if (rc != KNOOP_OK) {
            kv_close(s->db);
            free(s);
            return rc;
        }
    } else {
        kv_close(s->db);
        free(s);
        return rc;
    }
    if ((rc = store__meta_u64(s->db, STORE_META_NEXT_ID, &s->next_id, err)) != KNOOP_OK ||
        (rc = store__meta_u64(s->db, STORE_META_SEQ, &s->seq, err)) != KNOOP_OK) {
        kv_close(s->db);
        free(s);
        return rc;
    }
    if (s->next_id == 0)
        s->next_id = 1;
    s->written_seq = s->synced_seq = s->seq;
    pthread_mutex_init(&s->writer, NULL);
    pthread_mutex_init(&s->sync_mu, NULL);
    pthread_cond_init(&s->sync_cv, NULL);
    *out = s;
    return KNOOP_OK;
}

void store_close(store_t *s)
{
    if (s == NULL)
        return;
    /* Make batches committed without sync durable before the files close. */
    (void)kv_sync(s->db, NULL);
    kv_close(s->db);
    pthread_mutex_destroy(&s->writer);
    pthread_mutex_destroy(&s->sync_mu);
    pthread_cond_destroy(&s->sync_cv);
    free(s);
}

kv_db_t *store_kv(store_t *s)
{
    return s->db;
}

kv_snapshot_t *store_snapshot(store_t *s)
{
    return kv_snapshot_new(s->db);
}

void store_snapshot_free(store_t *s, kv_snapshot_t *snap)
{
    kv_snapshot_free(s->db, snap);
}

uint64_t store_last_seq(store_t *s)
{
    uint64_t v;
    pthread_mutex_lock(&s->sync_mu);
    v = s->written_seq;
    pthread_mutex_unlock(&s->sync_mu);
    return v;
}

char *store_format_ts(int64_t ms, char *buf)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    /* The modulo keeps every field in range for the compiler's format-size check. */
    snprintf(buf, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
             (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u,
             (unsigned)(ms % 1000) % 1000u);
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
    store_txn_t *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    t->batch = kv_batch_new(s->db);
    if (t->batch == NULL) {
        free(t);
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    }
    t->s = s;
    snprintf(t->actor, sizeof(t->actor), "%s",
             who != NULL && who->actor != NULL ? who->actor : "system");
    if (who != NULL && who->reason != NULL) {
        snprintf(t->reason, sizeof(t->reason), "%s", who->reason);
        t->has_reason = true;
    }
    pthread_mutex_lock(&s->writer);
    store__current = t;
    t->next_id = s->next_id;
    t->seq = s->seq + 1;
    t->ts = store__now_ms();
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

kv_batch_t *store_txn_batch(store_txn_t *t)
{
    return t->batch;
}

store_t *store_txn_store(store_txn_t *t)
{
    return t->s;
}

int store_txn_history(store_txn_t *t, uint64_t id, const char *op, const void *before, size_t blen,
                      const void *after, size_t alen)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    unsigned char key[20];
    char ts[32];

    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 8);
    msgpack_pack_str_with_body(&pk, "seq", 3);
    msgpack_pack_uint64(&pk, t->seq);
    msgpack_pack_str_with_body(&pk, "ts", 2);
    store_format_ts(t->ts, ts);
    msgpack_pack_str_with_body(&pk, ts, strlen(ts));
    msgpack_pack_str_with_body(&pk, "actor", 5);
    msgpack_pack_str_with_body(&pk, t->actor, strlen(t->actor));
    msgpack_pack_str_with_body(&pk, "reason", 6);
    if (t->has_reason)
        msgpack_pack_str_with_body(&pk, t->reason, strlen(t->reason));
    else
        msgpack_pack_nil(&pk);
    msgpack_pack_str_with_body(&pk, "op", 2);
    msgpack_pack_str_with_body(&pk, op, strlen(op));
    msgpack_pack_str_with_body(&pk, "id", 2);
    msgpack_pack_uint64(&pk, id);
    msgpack_pack_str_with_body(&pk, "before", 6);
    if (before != NULL)
        msgpack_sbuffer_write(&sb, before, blen);
    else
        msgpack_pack_nil(&pk);
    msgpack_pack_str_with_body(&pk, "after", 5);
    if (after != NULL)
        msgpack_sbuffer_write(&sb, after, alen);
    else
        msgpack_pack_nil(&pk);
    if (sb.data == NULL) {
        msgpack_sbuffer_destroy(&sb);
        return KNOOP_ENOMEM;
    }
    store_put_u64(key, id);
    store_put_u64(key + 8, t->seq);
    store_put_u32(key + 16, t->hist_n++);
    kv_batch_put(t->batch, KV_CF_HIST, key, sizeof(key), sb.data, sb.size);
    msgpack_sbuffer_destroy(&sb);
    return KNOOP_OK;
}

static void store__txn_free(store_txn_t *t)
{
    if (store__current == t)
        store__current = NULL;
    kv_batch_free(t->batch);
    free(t);
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

int store_txn_commit(store_txn_t *t, knoop_error_t *err)
{
    store_t *s = t->s;
    unsigned char v[8];
    uint64_t seq = t->seq;
    int rc;

    if (t->allocated) {
        store_put_u64(v, t->next_id);
        kv_batch_put(t->batch, KV_CF_META, STORE_META_NEXT_ID, strlen(STORE_META_NEXT_ID), v, 8);
    }
    store_put_u64(v, seq);
    kv_batch_put(t->batch, KV_CF_META, STORE_META_SEQ, strlen(STORE_META_SEQ), v, 8);
    rc = kv_commit(s->db, t->batch, false, err);
    if (rc == KNOOP_OK) {
        s->next_id = t->next_id;
        s->seq = seq;
        pthread_mutex_lock(&s->sync_mu);
        s->written_seq = seq;
        pthread_mutex_unlock(&s->sync_mu);
    }
    pthread_mutex_unlock(&s->writer);
    store__txn_free(t);
    if (rc != KNOOP_OK)
        return rc;
    if (s->opts.sync)
        rc = store__group_sync(s, seq, err);
    return rc;
}

int store_get(store_t *s, const kv_snapshot_t *snap, kv_cf_t cf, const void *key, size_t klen,
              void **val, size_t *vlen, knoop_error_t *err)
{
    store_txn_t *t = store__current;
    if (snap == NULL && t != NULL && t->s == s)
        return kv_batch_get(s->db, t->batch, cf, key, klen, val, vlen, err);
    return kv_get(s->db, snap, cf, key, klen, val, vlen, err);
}

kv_iter_t *store_iter(store_t *s, const kv_snapshot_t *snap, kv_cf_t cf, const void *lower,
                      size_t lower_len, const void *upper, size_t upper_len)
{
    store_txn_t *t = store__current;
    if (snap == NULL && t != NULL && t->s == s)
        return kv_batch_iter_new(s->db, t->batch, cf, lower, lower_len, upper, upper_len);
    return kv_iter_new(s->db, snap, cf, lower, lower_len, upper, upper_len);
}

int store_hist_scan(store_t *s, const kv_snapshot_t *snap, uint64_t id, store_hist_cb cb, void *arg,
                    knoop_error_t *err)
{
    unsigned char lo[8], hi[8];
    kv_iter_t *it;
    int rc;

    store_put_u64(lo, id);
    store_put_u64(hi, id + 1);
    it = store_iter(s, snap, KV_CF_HIST, lo, 8, id == UINT64_MAX ? NULL : hi, 8);
    if (it == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    for (; kv_iter_valid(it); kv_iter_next(it)) {
        size_t vlen;
        const void *val = kv_iter_value(it, &vlen);
        if (cb(arg, val, vlen) != 0)
            break;
    }
    rc = kv_iter_status(it, err);
    kv_iter_free(it);
    return rc;
}
