/*
 * store_adjcache.c - a shared, bounded cache of each node's decoded adjacency (layer: store).
 *
 * A hub (a gemeente with thousands of roles over the years) costs a RocksDB scan of every entry
 * it ever had each time a question walks it, although only the few valid on the question's date
 * are wanted. This cache keeps, per node, all of its adjacency entries decoded into one array
 * (outgoing, then incoming, each in key order, exactly as a scan returns them), shared by every
 * reader; graph_adj_scan filters that array in memory.
 *
 * Correctness rests on commit sequence numbers. A snapshot view carries `seq`, the last commit
 * published before the snapshot was taken, so every commit up to seq is in it (later ones may
 * be too). A commit removes the entries of every node whose adjacency it changes, and raises its
 * shard's `inval_seq`, BEFORE its batch is written. An entry is stored only when it was built
 * from a view whose seq is at least its shard's inval_seq (so it holds every change made to
 * that node), and it is used only by a view whose seq is at least the entry's (so the view holds
 * all the entry holds). Any commit that changes the node after the entry was built either found
 * the entry and removed it, or made the insertion fail; either way a newer view never sees a
 * stale entry. Transaction views (reading their own writes) and views without a seq never use
 * the cache.
 *
 * Memory is bounded: the budget (store_options_t.adj_cache_bytes) is split over NSHARDS shards,
 * each with its own lock, hash table and LRU list; an entry larger than a shard's budget is
 * built for its request and freed after it. Entries are reference counted, so eviction never
 * frees an array a reader is walking.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "knoop_alloc.h"
#include "store.h"
#include "store_adjcache.h"

#define NSHARDS 16

/* Nodes with more adjacency entries than this are scanned, not cached. */
#define STORE_ADJ_CACHE_MAX_ENTRIES (1u << 20)

/*
 * The date index of one direction of a large adjacency (store_adj_at): the dates from lo to hi
 * cut into buckets of 2^shift days (128 to 4096, the narrowest that keeps the listings within
 * ADJ_DIX_MAX_COPIES per entry), each listing the entries whose period overlaps it, in key
 * order. A question "valid on date d" then reads the entries of d's bucket instead of all of
 * them: a gemeente has some 2,700 roles over twenty years and about 600 on one day; its bucket
 * holds those and the few that begin or end within the same few hundred days.
 */
/* A cache line: where the entries begin (sizeof(store_adj_ent_t) divides it). */
#define ADJ_LINE 64
_Static_assert(ADJ_LINE % sizeof(store_adj_ent_t) == 0, "an entry within one cache line");

#define ADJ_DIX_SHIFT_MIN 7
#define ADJ_DIX_SHIFT_MAX 12
/* Directions with fewer entries are walked whole; an index over more buckets (wide-apart dates)
 * or more than ADJ_DIX_MAX_COPIES listings per entry (long periods) is not built. */
#define ADJ_DIX_MIN_ENTRIES 64
#define ADJ_DIX_MAX_BUCKETS 4096
#define ADJ_DIX_MAX_COPIES  8
/* valid_to of a period without an end (SCHEMA_DATE_OPEN in the schema layer). */
#define ADJ_DATE_OPEN INT32_MAX

typedef struct {
    int32_t lo, hi;  /* the dates the buckets cover (both included) */
    uint32_t nb;     /* buckets; 0 = no index */
    unsigned shift;  /* a bucket is 2^shift days */
    uint32_t *start; /* nb + 1: bucket b is idx[start[b] .. start[b + 1]) */
    uint32_t *idx;   /* entry numbers within the direction, ascending in each bucket */
} adj_dix_t;

struct store_adj {
    uint64_t node;
    uint64_t seq;             /* built from a view with this seq */
    atomic_uint refs;         /* the shard's reference (while cached) + readers' */
    size_t bytes;             /* what it counts against the budget */
    store_adj_t *hnext;       /* hash chain */
    store_adj_t *prev, *next; /* LRU list, most recent first */
    size_t nout, nin;
    store_adj_ent_t *ent; /* nout outgoing, then nin incoming, in key order */
    char *types;          /* the types' bytes (store_adj_ent_t.type_off) */
    adj_dix_t dix[2];     /* date indexes: [0] outgoing, [1] incoming */
};

typedef struct {
    pthread_mutex_t mu;
    store_adj_t **tab; /* chained hash table by node */
    size_t tcap, n;
    store_adj_t *head, *tail; /* LRU */
    size_t bytes, budget;
    uint64_t inval_seq; /* the highest commit that removed entries here (see the top) */
    uint64_t hits, misses;
} adj_shard_t;

struct store_adjcache {
    adj_shard_t shard[NSHARDS];
};

static uint64_t adj_hash(uint64_t id)
{
    id ^= id >> 33;
    id *= 0xff51afd7ed558ccdULL;
    id ^= id >> 33;
    return id;
}

static adj_shard_t *adj_shard(store_adjcache_t *c, uint64_t node)
{
    return &c->shard[adj_hash(node) % NSHARDS];
}

store_adjcache_t *store_adjcache_new(size_t budget)
{
    store_adjcache_t *c;
    if (budget == 0)
        return NULL;
    if ((c = knoop_calloc(1, sizeof(*c))) == NULL)
        return NULL;
    for (int i = 0; i < NSHARDS; i++) {
        pthread_mutex_init(&c->shard[i].mu, NULL);
        c->shard[i].budget = budget / NSHARDS;
    }
    return c;
}

static void adj_unref(store_adj_t *a)
{
    if (atomic_fetch_sub(&a->refs, 1) == 1)
        knoop_free(a);
}

/* Unlinks a from shard sh's table and LRU list and drops the shard's reference. */
static void adj_remove(adj_shard_t *sh, store_adj_t *a)
{
    store_adj_t **pp = &sh->tab[adj_hash(a->node) / NSHARDS % sh->tcap];
    while (*pp != a)
        pp = &(*pp)->hnext;
    *pp = a->hnext;
    if (a->prev != NULL)
        a->prev->next = a->next;
    else
        sh->head = a->next;
    if (a->next != NULL)
        a->next->prev = a->prev;
    else
        sh->tail = a->prev;
    sh->bytes -= a->bytes;
    sh->n--;
    adj_unref(a);
}

static store_adj_t *adj_find(adj_shard_t *sh, uint64_t node)
{
    if (sh->tcap == 0)
        return NULL;
    for (store_adj_t *a = sh->tab[adj_hash(node) / NSHARDS % sh->tcap]; a != NULL; a = a->hnext)
        if (a->node == node)
            return a;
    return NULL;
}

void store_adjcache_free(store_adjcache_t *c)
{
    if (c == NULL)
        return;
    for (int i = 0; i < NSHARDS; i++) {
        adj_shard_t *sh = &c->shard[i];
        while (sh->head != NULL)
            adj_remove(sh, sh->head);
        knoop_free(sh->tab);
        pthread_mutex_destroy(&sh->mu);
    }
    knoop_free(c);
}

void store_adjcache_invalidate(store_adjcache_t *c, const uint64_t *nodes, size_t n, uint64_t seq)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        adj_shard_t *sh = adj_shard(c, nodes[i]);
        store_adj_t *a;
        pthread_mutex_lock(&sh->mu);
        if (seq > sh->inval_seq)
            sh->inval_seq = seq;
        if ((a = adj_find(sh, nodes[i])) != NULL)
            adj_remove(sh, a);
        pthread_mutex_unlock(&sh->mu);
    }
}

void store_adjcache_clear(store_adjcache_t *c, uint64_t seq)
{
    if (c == NULL)
        return;
    for (int i = 0; i < NSHARDS; i++) {
        adj_shard_t *sh = &c->shard[i];
        pthread_mutex_lock(&sh->mu);
        if (seq > sh->inval_seq)
            sh->inval_seq = seq;
        while (sh->head != NULL)
            adj_remove(sh, sh->head);
        pthread_mutex_unlock(&sh->mu);
    }
}

void store_adjcache_stats(store_adjcache_t *c, store_adjcache_stats_t *out)
{
    memset(out, 0, sizeof(*out));
    if (c == NULL)
        return;
    for (int i = 0; i < NSHARDS; i++) {
        adj_shard_t *sh = &c->shard[i];
        pthread_mutex_lock(&sh->mu);
        out->nodes += sh->n;
        out->bytes += sh->bytes;
        out->budget += sh->budget;
        out->hits += sh->hits;
        out->misses += sh->misses;
        pthread_mutex_unlock(&sh->mu);
    }
}

/* Doubles sh's table (rehashing); false when out of memory (the table stays as it was). */
static bool adj_grow(adj_shard_t *sh)
{
    size_t cap = sh->tcap ? sh->tcap * 2 : 64;
    store_adj_t **t = knoop_calloc(cap, sizeof(*t));
    if (t == NULL)
        return false;
    for (size_t i = 0; i < sh->tcap; i++) {
        store_adj_t *a = sh->tab[i], *next;
        for (; a != NULL; a = next) {
            size_t h = adj_hash(a->node) / NSHARDS % cap;
            next = a->hnext;
            a->hnext = t[h];
            t[h] = a;
        }
    }
    knoop_free(sh->tab);
    sh->tab = t;
    sh->tcap = cap;
    return true;
}

/* Offers a freshly built a (one reference, the caller's) to the cache. */
static void adj_insert(adj_shard_t *sh, store_adj_t *a)
{
    size_t h;
    if (a->bytes > sh->budget)
        return;
    pthread_mutex_lock(&sh->mu);
    /* Built before a commit that changed a node of this shard was published: it may be stale
     * (the commit may have found no entry to remove), so it is not kept. */
    if (a->seq < sh->inval_seq || adj_find(sh, a->node) != NULL ||
        ((sh->n + 1) * 2 > sh->tcap && !adj_grow(sh))) {
        pthread_mutex_unlock(&sh->mu);
        return;
    }
    while (sh->bytes + a->bytes > sh->budget && sh->tail != NULL)
        adj_remove(sh, sh->tail);
    atomic_fetch_add(&a->refs, 1);
    h = adj_hash(a->node) / NSHARDS % sh->tcap;
    a->hnext = sh->tab[h];
    sh->tab[h] = a;
    a->prev = NULL;
    a->next = sh->head;
    if (sh->head != NULL)
        sh->head->prev = a;
    else
        sh->tail = a;
    sh->head = a;
    sh->bytes += a->bytes;
    sh->n++;
    pthread_mutex_unlock(&sh->mu);
}

/* The scan of node's adjacency, collected into growable arrays. */
typedef struct {
    store_adj_ent_t *ent;
    size_t n, cap, nout;
    char *types;
    size_t tlen, tcap;
    size_t last_type, last_tlen; /* the previous entry's type in `types` */
    bool have_type;
} adj_build_t;

static int adj_push(adj_build_t *b, uint64_t other, uint64_t edge, int32_t from, int32_t to,
                    const char *type, size_t tlen)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        store_adj_ent_t *nv = knoop_realloc(b->ent, cap * sizeof(*nv));
        if (nv == NULL)
            return KNOOP_ENOMEM;
        b->ent = nv;
        b->cap = cap;
    }
    /* Entries of one direction come sorted by type: a type is stored once per run. */
    if (!b->have_type || b->last_tlen != tlen || memcmp(b->types + b->last_type, type, tlen) != 0) {
        if (b->tlen + tlen > b->tcap) {
            size_t cap = b->tcap ? b->tcap * 2 : 256;
            char *nt;
            while (cap < b->tlen + tlen)
                cap *= 2;
            if ((nt = knoop_realloc(b->types, cap)) == NULL)
                return KNOOP_ENOMEM;
            b->types = nt;
            b->tcap = cap;
        }
        memcpy(b->types + b->tlen, type, tlen);
        b->last_type = b->tlen;
        b->last_tlen = tlen;
        b->tlen += tlen;
        b->have_type = true;
    }
    b->ent[b->n++] =
        (store_adj_ent_t){ other, edge, from, to, (uint32_t)b->last_type, (uint32_t)tlen };
    return KNOOP_OK;
}

/* The buckets entry e overlaps in d: *b0 ..= *b1; false when none (an empty period). d->lo is
 * the earliest valid_from, so a period starts within the range; an open end reaches the last
 * bucket. */
static bool adj_dix_span(const adj_dix_t *d, const store_adj_ent_t *e, uint32_t *b0, uint32_t *b1)
{
    int64_t f = e->valid_from, l = (int64_t)e->valid_to - 1;
    if (l > d->hi)
        l = d->hi;
    if (l < f)
        return false;
    *b0 = (uint32_t)((f - d->lo) >> d->shift);
    *b1 = (uint32_t)((l - d->lo) >> d->shift);
    return true;
}

/*
 * Plans the date index of the n entries at e: sets d's range and bucket count and returns the
 * uint32_t words it needs (0: no index for these entries, d->nb = 0).
 */
static size_t adj_dix_plan(const store_adj_ent_t *e, size_t n, adj_dix_t *d)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    memset(d, 0, sizeof(*d));
    if (n < ADJ_DIX_MIN_ENTRIES)
        return 0;
    /* The range: every date an entry begins or ends on, open ends aside (an entry valid on a
     * date outside it is found by walking them all). */
    for (size_t i = 0; i < n; i++) {
        lo = e[i].valid_from < lo ? e[i].valid_from : lo;
        hi = e[i].valid_from > hi ? e[i].valid_from : hi;
        if (e[i].valid_to != ADJ_DATE_OPEN) {
            lo = e[i].valid_to < lo ? e[i].valid_to : lo;
            hi = e[i].valid_to > hi ? e[i].valid_to : hi;
        }
    }
    if (lo > hi)
        return 0;
    d->lo = (int32_t)lo;
    d->hi = (int32_t)hi;
    /* The narrowest buckets whose listings stay within bounds: long periods take wider ones. */
    for (d->shift = ADJ_DIX_SHIFT_MIN; d->shift <= ADJ_DIX_SHIFT_MAX; d->shift++) {
        size_t listed = 0;
        if (((hi - lo) >> d->shift) + 1 > ADJ_DIX_MAX_BUCKETS)
            continue;
        d->nb = (uint32_t)((hi - lo) >> d->shift) + 1;
        for (size_t i = 0; i < n && listed <= ADJ_DIX_MAX_COPIES * n; i++) {
            uint32_t b0, b1;
            if (adj_dix_span(d, &e[i], &b0, &b1))
                listed += b1 - b0 + 1;
        }
        if (listed <= ADJ_DIX_MAX_COPIES * n)
            return d->nb + 1 + listed;
    }
    d->nb = 0;
    return 0;
}

/* Fills the index planned by adj_dix_plan into mem (the words it asked for). */
static void adj_dix_fill(const store_adj_ent_t *e, size_t n, adj_dix_t *d, uint32_t *mem)
{
    uint32_t b0, b1;
    d->start = mem;
    d->idx = mem + d->nb + 1;
    memset(d->start, 0, (d->nb + 1) * sizeof(uint32_t));
    /* Counts per bucket into start[b + 1], then the sums: start[b] is where bucket b begins. */
    for (size_t i = 0; i < n; i++)
        if (adj_dix_span(d, &e[i], &b0, &b1))
            for (uint32_t b = b0; b <= b1; b++)
                d->start[b + 1]++;
    for (uint32_t b = 0; b < d->nb; b++)
        d->start[b + 1] += d->start[b];
    /* Each bucket filled in entry order, start[b] the cursor: afterwards start[b] is where
     * bucket b + 1 begins, so the starts move up by one. */
    for (size_t i = 0; i < n; i++)
        if (adj_dix_span(d, &e[i], &b0, &b1))
            for (uint32_t b = b0; b <= b1; b++)
                d->idx[d->start[b]++] = (uint32_t)i;
    for (uint32_t b = d->nb; b > 0; b--)
        d->start[b] = d->start[b - 1];
    d->start[0] = 0;
}

/*
 * Scans node's adjacency through v into one allocation. *out NULL (and KNOOP_OK) when the node
 * has more entries than the cache takes.
 */
static int adj_build(store_t *s, const store_view_t *v, uint64_t node, uint64_t seq,
                     store_adj_t **out, knoop_error_t *err)
{
    unsigned char lo[8], hi[8];
    adj_build_t b = { 0 };
    store_adj_t *a = NULL;
    store_iter_t *it;
    int rc = KNOOP_OK;
    bool too_many = false;

    *out = NULL;
    store_put_u64(lo, node);
    store_put_u64(hi, node + 1);
    /* 'i' sorts before 'o': the scan returns incoming entries first. */
    if ((it = store_iter(s, v, KV_CF_ADJ, lo, 8, node == UINT64_MAX ? NULL : hi, 8)) == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
    size_t nin = 0;
    for (; store_iter_valid(it); store_iter_next(it)) {
        size_t kl, vl, tlen;
        const unsigned char *k = store_iter_key(it, &kl);
        const unsigned char *val = store_iter_value(it, &vl);
        uint64_t n, other, edge;
        const char *type;
        char d;
        if (vl != 8 || !store_key_adj_decode(k, kl, &n, &d, &type, &tlen, &other, &edge)) {
            rc = knoop_error_set(err, KNOOP_ECORRUPT,
                                 "storage: malformed adjacency entry of node %llu",
                                 (unsigned long long)node);
            break;
        }
        if (b.n >= STORE_ADJ_CACHE_MAX_ENTRIES) {
            too_many = true;
            break;
        }
        if (d == STORE_DIR_IN)
            nin++;
        if ((rc = adj_push(&b, other, edge, store_get_date(val), store_get_date(val + 4), type,
                           tlen)) != KNOOP_OK) {
            rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
            break;
        }
    }
    if (rc == KNOOP_OK)
        rc = store_iter_status(it, err);
    store_iter_free(it);
    if (rc == KNOOP_OK && !too_many) {
        size_t ebytes = b.n * sizeof(store_adj_ent_t);
        adj_dix_t dix[2];
        /* The scan had the incoming entries first (b.ent is NULL when there are none). */
        size_t words[2] = { adj_dix_plan(b.n > nin ? b.ent + nin : NULL, b.n - nin, &dix[0]),
                            adj_dix_plan(b.ent, nin, &dix[1]) };
        size_t dbytes = (words[0] + words[1]) * sizeof(uint32_t);
        /* Header, entries (from a cache line on: a 32-byte entry is then read with one line),
         * date indexes (4-byte words), then the type bytes. */
        size_t total = sizeof(*a) + ADJ_LINE - 1 + ebytes + dbytes + b.tlen;
        a = knoop_malloc(total);
        if (a == NULL) {
            rc = knoop_error_set(err, KNOOP_ENOMEM, "storage: out of memory");
        } else {
            memset(a, 0, sizeof(*a));
            a->node = node;
            a->seq = seq;
            atomic_init(&a->refs, 1);
            a->bytes = total;
            a->ent = (store_adj_ent_t *)(((uintptr_t)(a + 1) + ADJ_LINE - 1) &
                                         ~(uintptr_t)(ADJ_LINE - 1));
            a->types = (char *)a->ent + ebytes + dbytes;
            if (b.tlen > 0)
                memcpy(a->types, b.types, b.tlen);
            /* Outgoing first, as graph_adj_scan walks them: the scan had them last. */
            a->nout = b.n - nin;
            a->nin = nin;
            if (a->nout > 0)
                memcpy(a->ent, b.ent + nin, a->nout * sizeof(store_adj_ent_t));
            if (nin > 0)
                memcpy(a->ent + a->nout, b.ent, nin * sizeof(store_adj_ent_t));
            uint32_t *mem = (uint32_t *)((char *)a->ent + ebytes);
            a->dix[0] = dix[0];
            a->dix[1] = dix[1];
            if (words[0] > 0)
                adj_dix_fill(a->ent, a->nout, &a->dix[0], mem);
            if (words[1] > 0)
                adj_dix_fill(a->ent + a->nout, a->nin, &a->dix[1], mem + words[0]);
        }
    }
    knoop_free(b.ent);
    knoop_free(b.types);
    *out = a;
    return rc;
}

int store_adj_get(store_t *s, const store_view_t *v, uint64_t node, store_adj_t **out,
                  knoop_error_t *err)
{
    store_adjcache_t *c = store__adjcache(s);
    uint64_t seq;
    adj_shard_t *sh;
    store_adj_t *a;
    int rc;

    *out = NULL;
    if (c == NULL || !store__view_seq(v, &seq))
        return KNOOP_OK;
    sh = adj_shard(c, node);
    pthread_mutex_lock(&sh->mu);
    a = adj_find(sh, node);
    if (a != NULL && a->seq <= seq) {
        /* Most recently used first. */
        if (a != sh->head) {
            a->prev->next = a->next;
            if (a->next != NULL)
                a->next->prev = a->prev;
            else
                sh->tail = a->prev;
            a->prev = NULL;
            a->next = sh->head;
            sh->head->prev = a;
            sh->head = a;
        }
        atomic_fetch_add(&a->refs, 1);
        sh->hits++;
        pthread_mutex_unlock(&sh->mu);
        *out = a;
        return KNOOP_OK;
    }
    sh->misses++;
    pthread_mutex_unlock(&sh->mu);
    if ((rc = adj_build(s, v, node, seq, &a, err)) != KNOOP_OK || a == NULL)
        return rc;
    adj_insert(sh, a);
    *out = a;
    return KNOOP_OK;
}

bool store_adj_cached(store_t *s, uint64_t node, size_t *n)
{
    store_adjcache_t *c = store__adjcache(s);
    adj_shard_t *sh;
    store_adj_t *a;
    if (c == NULL)
        return false;
    sh = adj_shard(c, node);
    pthread_mutex_lock(&sh->mu);
    if ((a = adj_find(sh, node)) != NULL)
        *n = a->nout + a->nin;
    pthread_mutex_unlock(&sh->mu);
    return a != NULL;
}

const store_adj_ent_t *store_adj_entries(const store_adj_t *a, char dir, size_t *n)
{
    if (dir == STORE_DIR_OUT) {
        *n = a->nout;
        return a->ent;
    }
    *n = a->nin;
    return a->ent + a->nout;
}

const char *store_adj_types(const store_adj_t *a)
{
    return a->types;
}

const uint32_t *store_adj_at(const store_adj_t *a, char dir, int32_t at, size_t *n)
{
    const adj_dix_t *d = &a->dix[dir == STORE_DIR_OUT ? 0 : 1];
    uint32_t b;
    if (d->nb == 0 || at < d->lo || at > d->hi)
        return NULL;
    b = (uint32_t)(((int64_t)at - d->lo) >> d->shift);
    *n = d->start[b + 1] - d->start[b];
    return d->idx + d->start[b];
}

void store_adj_release(store_adj_t *a)
{
    if (a != NULL)
        adj_unref(a);
}
