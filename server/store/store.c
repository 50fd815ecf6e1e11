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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "knoop_alloc.h"
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

    store_change_cb change_cb; /* under writer */
    void *change_arg;
};

struct store_view {
    store_t *s;
    kv_snapshot_t *snap; /* a snapshot view */
    store_txn_t *txn;    /* a transaction's view */
};

struct store_txn {
    store_t *s;
    store_view_t view;
    uint32_t hist_n; /* history entries so far: orders several entries of one id in one txn */
    kv_batch_t *batch;
    knoop_buf_t ops; /* the change record's ops, packed as they are made */
    size_t nops;
    bool oom; /* a write could not be recorded: the transaction cannot commit */
    uint64_t next_id;
    uint64_t seq;
    int64_t ts;
    bool allocated;
    int64_t deadline_ms;
    char actor[128];
    char reason[256];
    bool has_reason;
};

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
    s = knoop_calloc(1, sizeof(*s));
    if (s == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    s->opts = *o;
    ko.block_cache_bytes = o->block_cache_bytes;
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
    s->written_seq = s->synced_seq = s->seq;
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
    pthread_mutex_destroy(&s->writer);
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
    kv_snapshot_free(s->db, v->snap);
    knoop_free(v);
}

int store_checkpoint(store_t *s, const char *dir, knoop_error_t *err)
{
    return kv_checkpoint(s->db, dir, err);
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
    t->view.s = s;
    t->view.txn = t;
    pthread_mutex_lock(&s->writer);
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

int store_txn_put(store_txn_t *t, kv_cf_t cf, const void *key, size_t klen, const void *val,
                  size_t vlen)
{
    int rc = store__record_op(t, cf, key, klen, val, vlen, true);
    if (rc != KNOOP_OK)
        return rc;
    kv_batch_put(t->batch, cf, key, klen, val, vlen);
    return KNOOP_OK;
}

int store_txn_delete(store_txn_t *t, kv_cf_t cf, const void *key, size_t klen)
{
    int rc = store__record_op(t, cf, key, klen, NULL, 0, false);
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
    knoop_buf_destroy(&sb);
    if (rc == KNOOP_OK)
        t->hist_n++;
    return rc;
}

static void store__txn_free(store_txn_t *t)
{
    kv_batch_free(t->batch);
    knoop_buf_destroy(&t->ops);
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
    unsigned char v[8];
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
    if (rc == KNOOP_OK && t->allocated) {
        store_put_u64(v, t->next_id);
        rc = store_txn_put(t, KV_CF_META, STORE_META_NEXT_ID, strlen(STORE_META_NEXT_ID), v, 8);
    }
    if (rc == KNOOP_OK) {
        store_put_u64(v, seq);
        rc = store_txn_put(t, KV_CF_META, STORE_META_SEQ, strlen(STORE_META_SEQ), v, 8);
    }
    if (rc == KNOOP_OK && s->change_cb != NULL)
        rc = store__record_pack(t, &rec);
    if (rc == KNOOP_ENOMEM && err != NULL && err->code == 0)
        knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    if (rc == KNOOP_OK)
        rc = kv_commit(s->db, t->batch, false, err);
    if (rc == KNOOP_OK) {
        s->next_id = t->next_id;
        s->seq = seq;
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
    if (rc == KNOOP_OK)
        rc = kv_commit(s->db, b, s->opts.sync, err);
    if (rc == KNOOP_OK) {
        uint64_t next = 0;
        knoop_error_t ignore;
        s->seq = seq;
        if (store__meta_u64(s->db, STORE_META_NEXT_ID, &next, &ignore) == KNOOP_OK && next > 0)
            s->next_id = next;
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
    return kv_get(s->db, v != NULL ? v->snap : NULL, cf, key, klen, val, vlen, err);
}

kv_iter_t *store_iter(store_t *s, const store_view_t *v, kv_cf_t cf, const void *lower,
                      size_t lower_len, const void *upper, size_t upper_len)
{
    if (v != NULL && v->txn != NULL)
        return kv_batch_iter_new(s->db, v->txn->batch, cf, lower, lower_len, upper, upper_len);
    return kv_iter_new(s->db, v != NULL ? v->snap : NULL, cf, lower, lower_len, upper, upper_len);
}

int store_hist_scan(store_t *s, const store_view_t *v, uint64_t id, store_hist_cb cb, void *arg,
                    knoop_error_t *err)
{
    unsigned char lo[8], hi[8];
    kv_iter_t *it;
    int rc;

    store_put_u64(lo, id);
    store_put_u64(hi, id + 1);
    it = store_iter(s, v, KV_CF_HIST, lo, 8, id == UINT64_MAX ? NULL : hi, 8);
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
        kv_iter_t *it = store_iter(s, v, (kv_cf_t)cf, NULL, 0, NULL, 0);
        unsigned char n[8];
        int rc;
        if (it == NULL)
            return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
        store_put_u32(n, (uint32_t)cf);
        h = store__fnv(h, n, 4);
        for (; kv_iter_valid(it); kv_iter_next(it)) {
            size_t kl, vl;
            const void *k = kv_iter_key(it, &kl);
            const void *val = kv_iter_value(it, &vl);
            store_put_u64(n, kl);
            h = store__fnv(h, n, 8);
            h = store__fnv(h, k, kl);
            store_put_u64(n, vl);
            h = store__fnv(h, n, 8);
            h = store__fnv(h, val, vl);
        }
        rc = kv_iter_status(it, err);
        kv_iter_free(it);
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
