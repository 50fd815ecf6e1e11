/*
 * bench_queries.c - the network questions under load, over libknoop: throughput and p50/p99
 * latency of query.holders (one gemeente; the wethouders of a province's gemeenten),
 * query.participation (one gemeente) and perspective.get gemeente, with N connections each
 * keeping D requests in flight (layer: bench; not part of the tests).
 *
 * It expects a knoopd loaded with the real data (bench/run_queries.sh starts one and imports
 * schema/data). The gemeenten are listed once with node.find; every request asks about a
 * gemeente (or one of the 12 provinces) drawn from a seeded generator, so runs are
 * reproducible. Each question runs for --seconds; latency is send to answer per request.
 *
 * Usage: bench_queries [--addr HOST:PORT] [--conns N] [--depth D] [--seconds S] [--at DATE]
 * Without --addr it uses $KNOOP_ADDR or 127.0.0.1:7474.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "bench_rpc.h"
#include "bench_util.h"
#include "knoop.h"

/* The 12 provinces (ISO 3166-2:NL), as schema/data/provinces.csv keys them. */
static const char *const provinces[] = { "NL-DR", "NL-FL", "NL-FR", "NL-GE", "NL-GR", "NL-LI",
                                         "NL-NB", "NL-NH", "NL-OV", "NL-UT", "NL-ZE", "NL-ZH" };
#define NPROVINCES (sizeof(provinces) / sizeof(provinces[0]))

enum { Q_HOLDERS_GEMEENTE, Q_HOLDERS_PROVINCE, Q_PARTICIPATION, Q_PERSPECTIVE, NQ };

static const struct {
    const char *label, *method;
} questions[NQ] = {
    { "query.holders {org: gemeente}", "query.holders" },
    { "query.holders {scope: province, role: wethouder}", "query.holders" },
    { "query.participation {node: gemeente}", "query.participation" },
    { "perspective.get {name: gemeente}", "perspective.get" },
};

static const uint64_t *gemeenten;
static size_t ngemeenten;
static const char *at = "2026-04-15";

typedef struct {
    const char *addr;
    int q;
    size_t depth;
    uint64_t until_ns, seed;
    bench_lat_t lat;
    uint64_t bytes;
    int failed;
} worker_t;

static void pack_params(msgpack_sbuffer *sb, int q, uint64_t *seed)
{
    msgpack_packer pk;
    uint64_t g = gemeenten[bench_rand(seed) % ngemeenten];
    msgpack_sbuffer_clear(sb);
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    switch (q) {
    case Q_HOLDERS_GEMEENTE:
        msgpack_pack_map(&pk, 2);
        bench_pk_str(&pk, "org");
        msgpack_pack_uint64(&pk, g);
        break;
    case Q_HOLDERS_PROVINCE:
        msgpack_pack_map(&pk, 3);
        bench_pk_str(&pk, "scope");
        bench_pk_str(&pk, provinces[bench_rand(seed) % NPROVINCES]);
        bench_pk_str(&pk, "role");
        bench_pk_str(&pk, "wethouder");
        break;
    case Q_PARTICIPATION:
        msgpack_pack_map(&pk, 2);
        bench_pk_str(&pk, "node");
        msgpack_pack_uint64(&pk, g);
        break;
    default:
        msgpack_pack_map(&pk, 3);
        bench_pk_str(&pk, "name");
        bench_pk_str(&pk, "gemeente");
        bench_pk_str(&pk, "subject");
        msgpack_pack_uint64(&pk, g);
        break;
    }
    bench_pk_str(&pk, "at");
    bench_pk_str(&pk, at);
}

/* The size of a result, packed again: a rough measure of the answer's bytes. */
static size_t result_bytes(const knoop_result_t *r)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    size_t n;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_object(&pk, *knoop_result_value(r));
    n = sb.size;
    msgpack_sbuffer_destroy(&sb);
    return n;
}

static void *worker(void *arg)
{
    worker_t *w = arg;
    knoop_conn_t *c;
    knoop_error_t err;
    msgpack_sbuffer sb;
    uint64_t *sent = NULL;
    size_t cap = 0, issued = 0, done = 0;
    uint32_t first_id = 0;

    if (knoop_connect(w->addr, &c, &err) != 0) {
        fprintf(stderr, "bench_queries: %s\n", err.msg);
        w->failed = 1;
        return NULL;
    }
    knoop_set_timeout(c, 60000);
    msgpack_sbuffer_init(&sb);
    for (;;) {
        bool more = bench_now_ns() < w->until_ns;
        while (more && issued - done < w->depth) {
            uint32_t id;
            pack_params(&sb, w->q, &w->seed);
            if (knoop_send(c, questions[w->q].method, sb.data, sb.size, &id, &err) != 0) {
                fprintf(stderr, "bench_queries: send: %s\n", err.msg);
                w->failed = 1;
                goto out;
            }
            if (issued == 0)
                first_id = id;
            if (issued == cap) {
                uint64_t *v = realloc(sent, (cap ? cap * 2 : 1024) * sizeof(*v));
                if (v == NULL) {
                    w->failed = 1;
                    goto out;
                }
                sent = v;
                cap = cap ? cap * 2 : 1024;
            }
            /* Answers may come in any order: remember the send time by msgid. */
            sent[(uint32_t)(id - first_id)] = bench_now_ns();
            issued++;
        }
        if (done == issued)
            break;
        {
            uint32_t id;
            knoop_result_t *r = NULL;
            int rc = knoop_recv(c, &id, &r, &err);
            uint64_t now = bench_now_ns();
            if (rc != 0) {
                fprintf(stderr, "bench_queries: %s: %s\n", questions[w->q].method, err.msg);
                w->failed = 1;
                goto out;
            }
            if (done == 0)
                w->bytes = result_bytes(r); /* sampled once per connection */
            knoop_result_free(r);
            if ((uint32_t)(id - first_id) < issued)
                bench_lat_add(&w->lat, now - sent[(uint32_t)(id - first_id)]);
            done++;
        }
    }
out:
    msgpack_sbuffer_destroy(&sb);
    free(sent);
    knoop_close(c);
    return NULL;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct_ms(const bench_lat_t *l, double p)
{
    size_t i;
    if (l->n == 0)
        return 0;
    i = (size_t)(p * (double)(l->n - 1) + 0.5);
    return (double)l->v[i] / 1e6;
}

static int run(const char *addr, int q, size_t conns, size_t depth, double seconds)
{
    pthread_t *th = calloc(conns, sizeof(*th));
    worker_t *ws = calloc(conns, sizeof(*ws));
    bench_lat_t all = { 0 };
    uint64_t t0, wall, bytes = 0;
    int failed = 0;

    if (th == NULL || ws == NULL)
        return 1;
    t0 = bench_now_ns();
    for (size_t i = 0; i < conns; i++) {
        ws[i] = (worker_t){ .addr = addr,
                            .q = q,
                            .depth = depth,
                            .until_ns = t0 + (uint64_t)(seconds * 1e9),
                            .seed = 1000 + i * 7919 + (uint64_t)q };
        pthread_create(&th[i], NULL, worker, &ws[i]);
    }
    for (size_t i = 0; i < conns; i++) {
        pthread_join(th[i], NULL);
        failed |= ws[i].failed;
        for (size_t j = 0; j < ws[i].lat.n; j++)
            bench_lat_add(&all, ws[i].lat.v[j]);
        bytes += ws[i].bytes;
        bench_lat_free(&ws[i].lat);
    }
    wall = bench_now_ns() - t0;
    if (all.n > 1)
        qsort(all.v, all.n, sizeof(*all.v), u64_cmp);
    printf("| %-49s | %5zu | %7zu | %9.0f | %7.2f | %7.2f | %8.1f |\n", questions[q].label, conns,
           all.n, (double)all.n / ((double)wall / 1e9), pct_ms(&all, 0.50), pct_ms(&all, 0.99),
           conns ? (double)bytes / (double)conns / 1024.0 : 0.0);
    fflush(stdout);
    bench_lat_free(&all);
    free(th);
    free(ws);
    return failed;
}

/* Lists the ids of every gemeente (node.find kind organisation, type gemeente). */
static int list_gemeenten(const char *addr)
{
    static uint64_t ids[4096];
    knoop_conn_t *c;
    knoop_error_t err;
    knoop_result_t *r;
    const msgpack_object *o, *nodes = NULL;

    if (knoop_connect(addr, &c, &err) != 0) {
        fprintf(stderr, "bench_queries: %s\n", err.msg);
        return 1;
    }
    {
        msgpack_sbuffer sb;
        msgpack_packer pk;
        int rc;
        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        msgpack_pack_map(&pk, 3);
        bench_pk_str(&pk, "kind");
        bench_pk_str(&pk, "organisation");
        bench_pk_str(&pk, "type");
        bench_pk_str(&pk, "gemeente");
        bench_pk_str(&pk, "limit");
        msgpack_pack_uint64(&pk, 4096);
        rc = knoop_call(c, "node.find", sb.data, sb.size, &r, &err);
        msgpack_sbuffer_destroy(&sb);
        if (rc != 0) {
            fprintf(stderr, "bench_queries: node.find: %s\n", err.msg);
            knoop_close(c);
            return 1;
        }
    }
    o = knoop_result_value(r);
    for (uint32_t k = 0; o->type == MSGPACK_OBJECT_MAP && k < o->via.map.size; k++)
        if (o->via.map.ptr[k].key.via.str.size == 5 &&
            memcmp(o->via.map.ptr[k].key.via.str.ptr, "nodes", 5) == 0)
            nodes = &o->via.map.ptr[k].val;
    for (uint32_t i = 0; nodes != NULL && nodes->type == MSGPACK_OBJECT_ARRAY &&
                         i < nodes->via.array.size && ngemeenten < 4096;
         i++) {
        const msgpack_object *n = &nodes->via.array.ptr[i];
        for (uint32_t k = 0; n->type == MSGPACK_OBJECT_MAP && k < n->via.map.size; k++)
            if (n->via.map.ptr[k].key.via.str.size == 2 &&
                memcmp(n->via.map.ptr[k].key.via.str.ptr, "id", 2) == 0)
                ids[ngemeenten++] = n->via.map.ptr[k].val.via.u64;
    }
    knoop_result_free(r);
    knoop_close(c);
    gemeenten = ids;
    if (ngemeenten == 0) {
        fprintf(stderr, "bench_queries: no gemeenten loaded (run bench/run_queries.sh)\n");
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *addr = NULL;
    size_t conns = 8, depth = 1;
    double seconds = 5;
    int failed = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--addr") == 0 && i + 1 < argc)
            addr = argv[++i];
        else if (strcmp(argv[i], "--conns") == 0 && i + 1 < argc)
            conns = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--depth") == 0 && i + 1 < argc)
            depth = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--at") == 0 && i + 1 < argc)
            at = argv[++i];
        else {
            fprintf(stderr, "usage: bench_queries [--addr HOST:PORT] [--conns N] [--depth D] "
                            "[--seconds S] [--at YYYY-MM-DD]\n");
            return 2;
        }
    }
    if (conns == 0 || depth == 0 || seconds <= 0 || strlen(at) != 10) {
        fprintf(stderr, "bench_queries: --conns, --depth and --seconds must be positive, --at "
                        "a date\n");
        return 2;
    }
    if (addr == NULL)
        addr = getenv("KNOOP_ADDR") ? getenv("KNOOP_ADDR") : "127.0.0.1:7474";
    if (list_gemeenten(addr) != 0)
        return 1;
    printf("knoopd %s: %zu gemeenten; at %s; %zu connections x %zu in flight; %.0f s each\n\n",
           addr, ngemeenten, at, conns, depth, seconds);
    printf("| %-49s | %5s | %7s | %9s | %7s | %7s | %8s |\n", "question", "conns", "answers",
           "answers/s", "p50 ms", "p99 ms", "KiB/ans");
    printf("|%s|%s|%s|%s|%s|%s|%s|\n", "---------------------------------------------------",
           "-------", "---------", "-----------", "---------", "---------", "----------");
    for (int q = 0; q < NQ; q++)
        failed |= run(addr, q, conns, depth, seconds);
    return failed;
}
