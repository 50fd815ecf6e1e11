/*
 * kv_rocksdb.c - the kv interface on RocksDB's C API (layer: kv). The only file of Knoop that
 * includes rocksdb/c.h; RocksDB errors are translated to knoop_err_t here and nowhere else.
 */
#include "knoop_alloc.h"
#include "kv.h"

#include <rocksdb/c.h>
#include <stdatomic.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

struct kv_db {
    rocksdb_t *db;
    rocksdb_options_t *opts;
    rocksdb_options_t *cf_opts[KV_CF_COUNT];
    rocksdb_column_family_handle_t *cf[KV_CF_COUNT];
    rocksdb_writeoptions_t *wo_sync;
    rocksdb_writeoptions_t *wo_nosync;
    rocksdb_readoptions_t *ro;
    rocksdb_cache_t *cache;
    rocksdb_cache_t *row_cache;
    rocksdb_block_based_table_options_t *bbto;
    /*
     * Set when a write to the WAL failed (a full disk, a file size limit, an I/O error). RocksDB
     * then refuses every write until DB::Resume, which its C API (7.8) does not offer, and
     * Debian's build asserts if the broken log is written or closed again. So from then on the
     * database is read-only: writes fail at once without touching RocksDB, reads go on, and close
     * skips RocksDB's close (every acknowledged write is already in the WAL; the next start
     * replays it).
     */
    atomic_bool write_failed;
    char *path;               /* the database directory, for the free-space check */
    uint64_t min_free_bytes;  /* kv_options_t.min_free_bytes */
    atomic_llong space_ok_ms; /* when a check last found twice the reserve free (monotonic) */
};

struct kv_batch {
    rocksdb_writebatch_wi_t *wb; /* indexed, so that a transaction reads its own writes */
    kv_db_t *db; /* column family handles belong to the database the batch was made for */
    /* Unindexed writes (kv_batch_put_unindexed): op:u8 ('p'/'d') cf:u8 klen:u32 key [vlen:u32
     * val], in order; kv_commit appends them to a plain copy of the indexed batch. */
    knoop_buf_t tail;
    int tail_n;
};

struct kv_iter {
    rocksdb_iterator_t *it;
    rocksdb_readoptions_t *ro;
    char *upper;
    size_t upper_len;
    bool check_upper; /* a batch iterator's delta part ignores iterate_upper_bound */
};

static const char *const cf_names[KV_CF_COUNT] = { "node", "edge", "adj", "idx",
                                                   "hist", "meta", "ver" };

static atomic_int fault_n, fault_fired;
static atomic_bool fault_persistent;

const char *kv_cf_name(kv_cf_t cf)
{
    return (unsigned)cf < KV_CF_COUNT ? cf_names[cf] : "?";
}

static int kv__error(knoop_error_t *err, char *rerr, const char *what)
{
    int code = KNOOP_EIO;
    if (strstr(rerr, "Corruption") != NULL)
        code = KNOOP_ECORRUPT;
    else if (strstr(rerr, "Invalid argument") != NULL)
        code = KNOOP_EINVAL;
    knoop_error_set(err, code, "storage: %s: %s", what, rerr);
    rocksdb_free(rerr);
    return code;
}

static int kv__read_only(knoop_error_t *err)
{
    return knoop_error_set(err, KNOOP_EIO,
                           "storage: read-only since a write failed (disk full?); reads go on; "
                           "free space and restart knoopd to write again (no acknowledged write "
                           "is lost)");
}

/*
 * The free-space reserve (kv_options_t.min_free_bytes): refuses a write while the file system is
 * nearly full, so that RocksDB never meets a full disk in its log (after which it would stay
 * read-only until a restart, see write_failed) and keeps room for flushes and compactions. Not
 * sticky: every write checks again. When statvfs itself fails the write goes ahead, and a real
 * failure is still caught by write_failed.
 */
static int kv__space_check(kv_db_t *db, knoop_error_t *err)
{
    struct statvfs st;
    struct timespec ts;
    uint64_t avail;
    int64_t now;
    if (db->min_free_bytes == 0)
        return KNOOP_OK;
    /* One statvfs per 50 ms while there is room to spare (twice the reserve): a write cannot
     * eat that much space in between. Close to the reserve, every write looks. */
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    if (now - atomic_load(&db->space_ok_ms) < 50)
        return KNOOP_OK;
    if (statvfs(db->path, &st) != 0)
        return KNOOP_OK;
    avail = (uint64_t)st.f_bavail * (uint64_t)st.f_frsize;
    if (avail / 2 >= db->min_free_bytes)
        atomic_store(&db->space_ok_ms, now);
    if (avail >= db->min_free_bytes)
        return KNOOP_OK;
    return knoop_error_set(err, KNOOP_EIO,
                           "storage: only %" PRIu64 " KiB free where the data is, below the "
                           "reserve of %" PRIu64 " KiB (--min-free-mb): writes are refused until "
                           "space returns and then resume by themselves; reads go on",
                           avail / 1024, db->min_free_bytes / 1024);
}

void kv_caches(kv_db_t *db, kv_caches_t *out)
{
    memset(out, 0, sizeof(*out));
    if (db->cache != NULL) {
        out->block_bytes = rocksdb_cache_get_usage(db->cache);
        out->block_budget = rocksdb_cache_get_capacity(db->cache);
    }
    if (db->row_cache != NULL) {
        out->row_bytes = rocksdb_cache_get_usage(db->row_cache);
        out->row_budget = rocksdb_cache_get_capacity(db->row_cache);
    }
    for (int i = 0; i < KV_CF_COUNT; i++) {
        uint64_t v = 0;
        if (rocksdb_property_int_cf(db->db, db->cf[i], "rocksdb.cur-size-all-mem-tables", &v) == 0)
            out->memtable_bytes += (size_t)v;
    }
}

bool kv_write_failed(const kv_db_t *db)
{
    return atomic_load(&db->write_failed);
}

int kv_open(const char *path, const kv_options_t *o, kv_db_t **out, knoop_error_t *err)
{
    kv_options_t defaults = { .create_if_missing = true, .block_cache_bytes = 0 };
    kv_db_t *db;
    char *rerr = NULL;
    const char *names[KV_CF_COUNT];
    const rocksdb_options_t *cfo[KV_CF_COUNT];
    int i;

    if (o == NULL)
        o = &defaults;
    db = knoop_calloc(1, sizeof(*db));
    if (db == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory opening %s", path);
    db->min_free_bytes = o->min_free_bytes;
    db->path = knoop_strdup(path);
    if (db->path == NULL) {
        knoop_free(db);
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory opening %s", path);
    }
    db->opts = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(db->opts, o->create_if_missing);
    rocksdb_options_set_create_missing_column_families(db->opts, 1);
    rocksdb_options_set_paranoid_checks(db->opts, 1);
    /*
     * RocksDB's info LOG at FATAL only. Debian's librocksdb is built with assertions: once a write
     * to the LOG file has failed (a full disk), the next LOG line aborts the process in
     * WritableFileWriter (assert sync_without_flush_called_), and RocksDB logs every write error
     * it handles. Knoop reports storage errors itself, on stderr and to the client.
     */
    rocksdb_options_set_info_log_level(db->opts, 4);
    rocksdb_options_set_keep_log_file_num(db->opts, 2);
    rocksdb_options_increase_parallelism(db->opts, 2);
    db->bbto = rocksdb_block_based_options_create();
    rocksdb_block_based_options_set_filter_policy(db->bbto,
                                                  rocksdb_filterpolicy_create_bloom_full(10));
    if (o->block_cache_bytes > 0) {
        db->cache = rocksdb_cache_create_lru(o->block_cache_bytes);
        rocksdb_block_based_options_set_block_cache(db->bbto, db->cache);
    }
    /*
     * The row cache keeps what a point read found in a table file, by file and key: a record
     * read again skips the index and data block searches (a question reads the same persons and
     * organisations over and over). Table files never change, so it is exact; RocksDB keys
     * snapshot reads older than a file by sequence number. RocksDB cannot combine it with
     * DeleteRange or merge operators (facebook/rocksdb#4122): this file uses neither.
     */
    if (o->row_cache_bytes > 0) {
        db->row_cache = rocksdb_cache_create_lru(o->row_cache_bytes);
        rocksdb_options_set_row_cache(db->opts, db->row_cache);
    }
    for (i = 0; i < KV_CF_COUNT; i++) {
        db->cf_opts[i] = rocksdb_options_create_copy(db->opts);
        rocksdb_options_set_block_based_table_factory(db->cf_opts[i], db->bbto);
        names[i] = cf_names[i];
        cfo[i] = db->cf_opts[i];
    }
    /* The default column family must always be opened too; Knoop does not use it. */
    {
        const char *all_names[KV_CF_COUNT + 1];
        const rocksdb_options_t *all_opts[KV_CF_COUNT + 1];
        rocksdb_column_family_handle_t *handles[KV_CF_COUNT + 1];
        all_names[0] = "default";
        all_opts[0] = db->opts;
        for (i = 0; i < KV_CF_COUNT; i++) {
            all_names[i + 1] = names[i];
            all_opts[i + 1] = cfo[i];
        }
        db->db = rocksdb_open_column_families(db->opts, path, KV_CF_COUNT + 1, all_names, all_opts,
                                              handles, &rerr);
        if (rerr != NULL) {
            int rc = kv__error(err, rerr, "open");
            db->db = NULL;
            kv_close(db);
            return rc;
        }
        rocksdb_column_family_handle_destroy(handles[0]);
        for (i = 0; i < KV_CF_COUNT; i++)
            db->cf[i] = handles[i + 1];
    }
    db->wo_sync = rocksdb_writeoptions_create();
    rocksdb_writeoptions_set_sync(db->wo_sync, 1);
    db->wo_nosync = rocksdb_writeoptions_create();
    rocksdb_writeoptions_set_sync(db->wo_nosync, 0);
    db->ro = rocksdb_readoptions_create();
    *out = db;
    return KNOOP_OK;
}

void kv_close(kv_db_t *db)
{
    int i;
    if (db == NULL)
        return;
    for (i = 0; i < KV_CF_COUNT; i++) {
        if (db->cf[i] != NULL)
            rocksdb_column_family_handle_destroy(db->cf[i]);
    }
    if (db->db != NULL && atomic_load(&db->write_failed)) {
        /* See write_failed: the process is about to exit; the OS releases the files and locks.
         * The handle is left on purpose; tell LeakSanitizer so. */
#ifdef __SANITIZE_ADDRESS__
        __lsan_ignore_object(db->db);
#endif
        db->db = NULL;
    }
    if (db->db != NULL)
        rocksdb_close(db->db);
    for (i = 0; i < KV_CF_COUNT; i++)
        if (db->cf_opts[i] != NULL)
            rocksdb_options_destroy(db->cf_opts[i]);
    if (db->wo_sync)
        rocksdb_writeoptions_destroy(db->wo_sync);
    if (db->wo_nosync)
        rocksdb_writeoptions_destroy(db->wo_nosync);
    if (db->ro)
        rocksdb_readoptions_destroy(db->ro);
    rocksdb_block_based_options_destroy(db->bbto);
    if (db->cache)
        rocksdb_cache_destroy(db->cache);
    if (db->row_cache)
        rocksdb_cache_destroy(db->row_cache);
    rocksdb_options_destroy(db->opts);
    knoop_free(db->path);
    knoop_free(db);
}

/* A snapshot with the read options that read through it, made once for all its reads. */
struct kv_snapshot {
    const rocksdb_snapshot_t *snap;
    rocksdb_readoptions_t *ro;
};

int kv_get(kv_db_t *db, const kv_snapshot_t *snap, kv_cf_t cf, const void *key, size_t klen,
           void **val, size_t *vlen, knoop_error_t *err)
{
    char *rerr = NULL;
    char *v;
    size_t len = 0;

    v = rocksdb_get_cf(db->db, snap != NULL ? snap->ro : db->ro, db->cf[cf], key, klen, &len,
                       &rerr);
    if (rerr != NULL)
        return kv__error(err, rerr, "get");
    if (v == NULL)
        return KNOOP_ENOTFOUND;
    *val = v;
    *vlen = len;
    return KNOOP_OK;
}

int kv_batch_get(kv_db_t *db, kv_batch_t *b, kv_cf_t cf, const void *key, size_t klen, void **val,
                 size_t *vlen, knoop_error_t *err)
{
    char *rerr = NULL;
    size_t len = 0;
    char *v = rocksdb_writebatch_wi_get_from_batch_and_db_cf(b->wb, db->db, db->ro, db->cf[cf], key,
                                                             klen, &len, &rerr);
    if (rerr != NULL)
        return kv__error(err, rerr, "get");
    if (v == NULL)
        return KNOOP_ENOTFOUND;
    *val = v;
    *vlen = len;
    return KNOOP_OK;
}

int kv_multi_get(kv_db_t *db, kv_cf_t cf, size_t n, const void *const *keys, const size_t *klens,
                 kv_multi_cb cb, void *arg, knoop_error_t *err)
{
    enum { STACK = 64 };
    rocksdb_pinnableslice_t *vstack[STACK], **vals = vstack;
    char *estack[STACK], **errs = estack;
    int rc = KNOOP_OK;
    if (n == 0)
        return KNOOP_OK;
    if (n > STACK) {
        vals = knoop_malloc(n * sizeof(*vals));
        errs = knoop_malloc(n * sizeof(*errs));
        if (vals == NULL || errs == NULL) {
            knoop_free(vals);
            knoop_free(errs);
            return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
        }
    }
    memset(vals, 0, n * sizeof(*vals));
    memset(errs, 0, n * sizeof(*errs));
    rocksdb_batched_multi_get_cf(db->db, db->ro, db->cf[cf], n, (const char *const *)keys, klens,
                                 vals, errs, true);
    for (size_t i = 0; i < n && rc == KNOOP_OK; i++)
        if (errs[i] != NULL) {
            rc = kv__error(err, errs[i], "get");
            errs[i] = NULL;
        }
    for (size_t i = 0; i < n && rc == KNOOP_OK; i++) {
        size_t vl = 0;
        const char *v = NULL;
        if (vals[i] != NULL && (v = rocksdb_pinnableslice_value(vals[i], &vl)) == NULL)
            v = ""; /* present and empty */
        if (cb(arg, i, v, vl) != 0)
            break;
    }
    for (size_t i = 0; i < n; i++) {
        rocksdb_pinnableslice_destroy(vals[i]);
        rocksdb_free(errs[i]);
    }
    if (vals != vstack) {
        knoop_free(vals);
        knoop_free(errs);
    }
    return rc;
}

void kv_free(void *p)
{
    rocksdb_free(p);
}

kv_batch_t *kv_batch_new(kv_db_t *db)
{
    kv_batch_t *b = knoop_calloc(1, sizeof(*b));
    if (b == NULL)
        return NULL;
    b->db = db;
    b->wb = rocksdb_writebatch_wi_create(0, 1);
    knoop_buf_init(&b->tail);
    return b;
}

void kv_batch_free(kv_batch_t *b)
{
    if (b == NULL)
        return;
    rocksdb_writebatch_wi_destroy(b->wb);
    knoop_buf_destroy(&b->tail);
    knoop_free(b);
}

void kv_batch_clear(kv_batch_t *b)
{
    rocksdb_writebatch_wi_clear(b->wb);
    knoop_buf_clear(&b->tail);
    b->tail_n = 0;
}

void kv_batch_put(kv_batch_t *b, kv_cf_t cf, const void *key, size_t klen, const void *val,
                  size_t vlen)
{
    rocksdb_writebatch_wi_put_cf(b->wb, b->db->cf[cf], key, klen, val, vlen);
}

void kv_batch_delete(kv_batch_t *b, kv_cf_t cf, const void *key, size_t klen)
{
    rocksdb_writebatch_wi_delete_cf(b->wb, b->db->cf[cf], key, klen);
}

int kv_batch_count(kv_batch_t *b)
{
    return rocksdb_writebatch_wi_count(b->wb) + b->tail_n;
}

static void kv__put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t kv__get_u32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int kv__tail_add(kv_batch_t *b, char op, kv_cf_t cf, const void *key, size_t klen,
                        const void *val, size_t vlen)
{
    unsigned char h[6], l[4];
    size_t before = b->tail.size;
    h[0] = (unsigned char)op;
    h[1] = (unsigned char)cf;
    kv__put_u32(h + 2, (uint32_t)klen);
    kv__put_u32(l, (uint32_t)vlen);
    if (knoop_buf_write(&b->tail, (const char *)h, sizeof(h)) != 0 ||
        knoop_buf_write(&b->tail, key, klen) != 0 ||
        (op == 'p' && (knoop_buf_write(&b->tail, (const char *)l, 4) != 0 ||
                       knoop_buf_write(&b->tail, val, vlen) != 0))) {
        /* Keep the tail whole: drop the partial entry (the flag stays for the caller). */
        if (b->tail.size > before)
            b->tail.size = before;
        return KNOOP_ENOMEM;
    }
    b->tail_n++;
    return KNOOP_OK;
}

int kv_batch_put_unindexed(kv_batch_t *b, kv_cf_t cf, const void *key, size_t klen, const void *val,
                           size_t vlen)
{
    return kv__tail_add(b, 'p', cf, key, klen, val, vlen);
}

int kv_batch_delete_unindexed(kv_batch_t *b, kv_cf_t cf, const void *key, size_t klen)
{
    return kv__tail_add(b, 'd', cf, key, klen, NULL, 0);
}

/* Writes b: its indexed part, then its tail, as one atomic batch. */
static void kv__write(kv_db_t *db, kv_batch_t *b, bool sync, char **rerr)
{
    const unsigned char *p = (const unsigned char *)b->tail.data;
    rocksdb_writebatch_t *plain;
    size_t n, off = 0;
    const char *rep;
    if (b->tail_n == 0) {
        rocksdb_write_writebatch_wi(db->db, sync ? db->wo_sync : db->wo_nosync, b->wb, rerr);
        return;
    }
    rep = rocksdb_writebatch_wi_data(b->wb, &n);
    plain = rocksdb_writebatch_create_from(rep, n);
    while (off + 6 <= b->tail.size) {
        char op = (char)p[off];
        kv_cf_t cf = (kv_cf_t)p[off + 1];
        size_t kl = kv__get_u32(p + off + 2);
        const char *k = (const char *)p + off + 6;
        off += 6 + kl;
        if (op == 'p') {
            size_t vl = kv__get_u32(p + off);
            rocksdb_writebatch_put_cf(plain, db->cf[cf], k, kl, (const char *)p + off + 4, vl);
            off += 4 + vl;
        } else {
            rocksdb_writebatch_delete_cf(plain, db->cf[cf], k, kl);
        }
    }
    rocksdb_write(db->db, sync ? db->wo_sync : db->wo_nosync, plain, rerr);
    rocksdb_writebatch_destroy(plain);
}

int kv_fault_set(int n, bool persistent)
{
    int fired = atomic_exchange(&fault_fired, 0);
    atomic_store(&fault_persistent, persistent);
    atomic_store(&fault_n, n);
    return fired;
}

int kv_fault_fired(void)
{
    return atomic_load(&fault_fired);
}

/* Returns true when this commit is to fail by injection. */
static bool kv__fault_fires(void)
{
    int n = atomic_load(&fault_n);
    if (n <= 0)
        return false;
    if (n == 1) {
        if (!atomic_load(&fault_persistent))
            atomic_store(&fault_n, 0);
        atomic_fetch_add(&fault_fired, 1);
        return true;
    }
    atomic_store(&fault_n, n - 1);
    return false;
}

int kv_commit(kv_db_t *db, kv_batch_t *b, bool sync, knoop_error_t *err)
{
    char *rerr = NULL;
    if (kv__fault_fires())
        return knoop_error_set(err, KNOOP_EIO, "storage: commit: injected fault");
    if (atomic_load(&db->write_failed))
        return kv__read_only(err);
    if (kv__space_check(db, err) != KNOOP_OK)
        return KNOOP_EIO;
    kv__write(db, b, sync, &rerr);
    if (rerr != NULL) {
        atomic_store(&db->write_failed, true);
        return kv__error(err, rerr, "commit");
    }
    return KNOOP_OK;
}

int kv_sync(kv_db_t *db, knoop_error_t *err)
{
    char *rerr = NULL;
    if (kv__fault_fires())
        return knoop_error_set(err, KNOOP_EIO, "storage: sync: injected fault");
    if (atomic_load(&db->write_failed))
        return kv__read_only(err);
    rocksdb_flush_wal(db->db, 1, &rerr);
    if (rerr != NULL) {
        atomic_store(&db->write_failed, true);
        return kv__error(err, rerr, "sync");
    }
    return KNOOP_OK;
}

int kv_checkpoint(kv_db_t *db, const char *dir, knoop_error_t *err)
{
    char *rerr = NULL;
    rocksdb_checkpoint_t *cp = rocksdb_checkpoint_object_create(db->db, &rerr);
    if (rerr != NULL)
        return kv__error(err, rerr, "checkpoint");
    /* log_size_for_flush 0: flush the memtables first, so the copy needs no WAL replay. */
    rocksdb_checkpoint_create(cp, dir, 0, &rerr);
    rocksdb_checkpoint_object_destroy(cp);
    if (rerr != NULL)
        return kv__error(err, rerr, "checkpoint");
    return KNOOP_OK;
}

kv_snapshot_t *kv_snapshot_new(kv_db_t *db)
{
    kv_snapshot_t *s = knoop_malloc(sizeof(*s));
    if (s == NULL)
        return NULL;
    s->snap = rocksdb_create_snapshot(db->db);
    s->ro = rocksdb_readoptions_create();
    rocksdb_readoptions_set_snapshot(s->ro, s->snap);
    return s;
}

void kv_snapshot_free(kv_db_t *db, kv_snapshot_t *snap)
{
    if (snap == NULL)
        return;
    rocksdb_readoptions_destroy(snap->ro);
    rocksdb_release_snapshot(db->db, snap->snap);
    knoop_free(snap);
}

static kv_iter_t *kv__iter_new(kv_db_t *db, const kv_snapshot_t *snap, kv_batch_t *b, kv_cf_t cf,
                               const void *lower, size_t lower_len, const void *upper,
                               size_t upper_len)
{
    kv_iter_t *it = knoop_calloc(1, sizeof(*it));
    if (it == NULL)
        return NULL;
    it->ro = rocksdb_readoptions_create();
    if (snap != NULL)
        rocksdb_readoptions_set_snapshot(it->ro, snap->snap);
    if (upper != NULL) {
        /* RocksDB keeps a pointer to the bound: it must outlive the iterator. */
        it->upper = knoop_malloc(upper_len ? upper_len : 1);
        if (it->upper == NULL) {
            rocksdb_readoptions_destroy(it->ro);
            knoop_free(it);
            return NULL;
        }
        memcpy(it->upper, upper, upper_len);
        it->upper_len = upper_len;
        rocksdb_readoptions_set_iterate_upper_bound(it->ro, it->upper, upper_len);
    }
    it->it = rocksdb_create_iterator_cf(db->db, it->ro, db->cf[cf]);
    if (b != NULL) {
        /* The batch iterator takes over the base iterator. */
        it->it = rocksdb_writebatch_wi_create_iterator_with_base_cf(b->wb, it->it, db->cf[cf]);
        it->check_upper = upper != NULL;
    }
    if (lower != NULL)
        rocksdb_iter_seek(it->it, lower, lower_len);
    else
        rocksdb_iter_seek_to_first(it->it);
    return it;
}

kv_iter_t *kv_iter_new(kv_db_t *db, const kv_snapshot_t *snap, kv_cf_t cf, const void *lower,
                       size_t lower_len, const void *upper, size_t upper_len)
{
    return kv__iter_new(db, snap, NULL, cf, lower, lower_len, upper, upper_len);
}

kv_iter_t *kv_batch_iter_new(kv_db_t *db, kv_batch_t *b, kv_cf_t cf, const void *lower,
                             size_t lower_len, const void *upper, size_t upper_len)
{
    return kv__iter_new(db, NULL, b, cf, lower, lower_len, upper, upper_len);
}

bool kv_iter_valid(const kv_iter_t *it)
{
    size_t klen, n;
    const char *k;
    int c;
    if (!rocksdb_iter_valid(it->it))
        return false;
    if (!it->check_upper)
        return true;
    k = rocksdb_iter_key(it->it, &klen);
    n = klen < it->upper_len ? klen : it->upper_len;
    c = memcmp(k, it->upper, n);
    return c < 0 || (c == 0 && klen < it->upper_len);
}

void kv_iter_next(kv_iter_t *it)
{
    rocksdb_iter_next(it->it);
}

void kv_iter_seek(kv_iter_t *it, const void *key, size_t klen)
{
    rocksdb_iter_seek(it->it, key, klen);
}

void kv_iter_seek_last(kv_iter_t *it)
{
    rocksdb_iter_seek_to_last(it->it);
}

int kv_iter_value_copy(const kv_iter_t *it, size_t skip, void **val, size_t *vlen)
{
    size_t len;
    const char *v = rocksdb_iter_value(it->it, &len);
    char *c;
    if (skip > len)
        skip = len;
    /* kv_free is rocksdb_free, which is free(): the copy comes from the same allocator. */
    if ((c = knoop_malloc(len - skip + 1)) == NULL)
        return KNOOP_ENOMEM;
    memcpy(c, v + skip, len - skip);
    *val = c;
    *vlen = len - skip;
    return KNOOP_OK;
}

const void *kv_iter_key(const kv_iter_t *it, size_t *klen)
{
    return rocksdb_iter_key(it->it, klen);
}

const void *kv_iter_value(const kv_iter_t *it, size_t *vlen)
{
    return rocksdb_iter_value(it->it, vlen);
}

int kv_iter_status(const kv_iter_t *it, knoop_error_t *err)
{
    char *rerr = NULL;
    rocksdb_iter_get_error(it->it, &rerr);
    if (rerr != NULL)
        return kv__error(err, rerr, "iterate");
    return KNOOP_OK;
}

void kv_iter_free(kv_iter_t *it)
{
    if (it == NULL)
        return;
    rocksdb_iter_destroy(it->it);
    rocksdb_readoptions_destroy(it->ro);
    knoop_free(it->upper);
    knoop_free(it);
}

int kv_purge(kv_db_t *db, const kv_range_t *ranges, size_t n, knoop_error_t *err)
{
    rocksdb_flushoptions_t *fo;
    rocksdb_compactoptions_t *co;
    char *rerr = NULL;
    if (atomic_load(&db->write_failed))
        return kv__read_only(err);
    if (kv__space_check(db, err) != KNOOP_OK)
        return KNOOP_EIO;
    /* 1. Every memtable to SST (waiting): the WAL files that held the old values are then
     * obsolete, and RocksDB deletes them (no WAL archive is configured). */
    rocksdb_flush_wal(db->db, 1, &rerr);
    if (rerr != NULL)
        return kv__error(err, rerr, "purge: sync");
    fo = rocksdb_flushoptions_create();
    rocksdb_flushoptions_set_wait(fo, 1);
    for (int i = 0; i < KV_CF_COUNT && rerr == NULL; i++)
        rocksdb_flush_cf(db->db, fo, db->cf[i], &rerr);
    rocksdb_flushoptions_destroy(fo);
    if (rerr != NULL)
        return kv__error(err, rerr, "purge: flush");
    /* 2. Rewrite the SST files that overlap each range down to the bottommost level: deleted
     * and overwritten values are dropped there, not merely hidden by tombstones. */
    co = rocksdb_compactoptions_create();
    rocksdb_compactoptions_set_exclusive_manual_compaction(co, 1);
    rocksdb_compactoptions_set_bottommost_level_compaction(co, 2 /* kForce */);
    for (size_t i = 0; i < n; i++) {
        const kv_range_t *r = &ranges[i];
        if ((unsigned)r->cf >= KV_CF_COUNT)
            continue;
        rocksdb_compact_range_cf_opt(db->db, db->cf[r->cf], co, r->lo, r->lo_len, r->hi, r->hi_len);
    }
    rocksdb_compactoptions_destroy(co);
    return KNOOP_OK;
}
