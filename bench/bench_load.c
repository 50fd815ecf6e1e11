/*
 * bench_load.c - load generator for knoopd over libknoop: N connections, each with a pipeline
 * of D requests in flight, for `ping`, `node.get` and `edge.list` (valid at a date). Reports
 * requests per second and p50/p99/p99.9 latency (send to answer, per request).
 *
 * Usage: bench_load [--addr HOST:PORT] [--conns N] [--depth D] [--requests R] [--nodes N]
 * Without --addr it expects knoopd on $KNOOP_ADDR or 127.0.0.1:7474. It first loads a small
 * generated graph (--nodes persons and organisations with roles between them), seeded.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "bench_util.h"
#include "knoop.h"

typedef struct {
    const char *addr;
    const char *method;
    int kind; /* 0 ping, 1 node.get, 2 edge.list */
    size_t requests, depth;
    uint64_t first, count, seed;
    bench_lat_t lat;
    int failed;
} worker_t;

static void pack_params(msgpack_sbuffer *sb, int kind, uint64_t id, uint64_t *seed)
{
    msgpack_packer pk;
    char date[11];
    msgpack_sbuffer_clear(sb);
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    if (kind == 0) {
        msgpack_pack_map(&pk, 0);
    } else if (kind == 1) {
        msgpack_pack_map(&pk, 1);
        msgpack_pack_str_with_body(&pk, "id", 2);
        msgpack_pack_uint64(&pk, id);
    } else {
        snprintf(date, sizeof(date), "%04u-06-01", 1995u + (unsigned)(bench_rand(seed) % 30));
        msgpack_pack_map(&pk, 2);
        msgpack_pack_str_with_body(&pk, "node", 4);
        msgpack_pack_uint64(&pk, id);
        msgpack_pack_str_with_body(&pk, "at", 2);
        msgpack_pack_str_with_body(&pk, date, 10);
    }
}

static void *worker(void *arg)
{
    worker_t *w = arg;
    knoop_conn_t *c;
    knoop_error_t err;
    msgpack_sbuffer sb;
    uint64_t *sent;
    size_t issued = 0, done = 0;
    uint32_t first_id = 0;

    if (knoop_connect(w->addr, &c, &err) != 0) {
        fprintf(stderr, "bench_load: %s\n", err.msg);
        w->failed = 1;
        return NULL;
    }
    sent = calloc(w->requests + 1, sizeof(*sent));
    msgpack_sbuffer_init(&sb);
    while (done < w->requests) {
        while (issued < w->requests && issued - done < w->depth) {
            uint32_t id;
            pack_params(&sb, w->kind, w->first + bench_rand(&w->seed) % w->count, &w->seed);
            if (knoop_send(c, w->method, sb.data, sb.size, &id, &err) != 0) {
                fprintf(stderr, "bench_load: send: %s\n", err.msg);
                w->failed = 1;
                goto out;
            }
            /* Answers may come in any order: remember the send time by msgid. */
            if (issued == 0)
                first_id = id;
            sent[(uint32_t)(id - first_id)] = bench_now_ns();
            issued++;
        }
        {
            uint32_t id;
            knoop_result_t *r = NULL;
            int rc = knoop_recv(c, &id, &r, &err);
            uint64_t now = bench_now_ns();
            if (rc != 0) {
                fprintf(stderr, "bench_load: %s: %s\n", w->method, err.msg);
                w->failed = 1;
                goto out;
            }
            knoop_result_free(r);
            if ((uint32_t)(id - first_id) < w->requests)
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

static int run(const char *addr, const char *method, int kind, size_t conns, size_t depth,
               size_t requests, uint64_t first, uint64_t count)
{
    pthread_t *th = calloc(conns, sizeof(*th));
    worker_t *ws = calloc(conns, sizeof(*ws));
    bench_lat_t all = { 0 };
    uint64_t t0;
    int failed = 0;
    char label[64];

    for (size_t i = 0; i < conns; i++) {
        ws[i] = (worker_t){ .addr = addr,
                            .method = method,
                            .kind = kind,
                            .requests = requests / conns,
                            .depth = depth,
                            .first = first,
                            .count = count,
                            .seed = 1000 + i };
    }
    t0 = bench_now_ns();
    for (size_t i = 0; i < conns; i++)
        pthread_create(&th[i], NULL, worker, &ws[i]);
    for (size_t i = 0; i < conns; i++) {
        pthread_join(th[i], NULL);
        failed |= ws[i].failed;
        for (size_t j = 0; j < ws[i].lat.n; j++)
            bench_lat_add(&all, ws[i].lat.v[j]);
        bench_lat_free(&ws[i].lat);
    }
    snprintf(label, sizeof(label), "%s c=%zu d=%zu", method, conns, depth);
    bench_report(label, &all, bench_now_ns() - t0, 1);
    bench_lat_free(&all);
    free(th);
    free(ws);
    return failed;
}

/* Creates `nodes` nodes and 5 roles per node; returns the first node id. */
static int load(const char *addr, size_t nodes, uint64_t *first)
{
    knoop_conn_t *c;
    knoop_error_t err;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    uint64_t seed = 7, base = 0;
    size_t pending = 0;

    if (knoop_connect(addr, &c, &err) != 0) {
        fprintf(stderr, "bench_load: %s\n", err.msg);
        return 1;
    }
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    for (size_t i = 0; i < nodes; i++) {
        knoop_result_t *r;
        msgpack_sbuffer_clear(&sb);
        msgpack_pack_map(&pk, 2);
        msgpack_pack_str_with_body(&pk, "kind", 4);
        msgpack_pack_str_with_body(&pk, i % 5 ? "person" : "organisation", i % 5 ? 6 : 12);
        msgpack_pack_str_with_body(&pk, "props", 5);
        msgpack_pack_map(&pk, 1);
        msgpack_pack_str_with_body(&pk, "name", 4);
        msgpack_pack_str_with_body(&pk, "Bench", 5);
        if (knoop_call(c, "node.create", sb.data, sb.size, &r, &err) != 0) {
            fprintf(stderr, "bench_load: node.create: %s\n", err.msg);
            return 1;
        }
        if (i == 0) {
            const msgpack_object *o = knoop_result_value(r);
            for (uint32_t k = 0; k < o->via.map.size; k++)
                if (o->via.map.ptr[k].key.via.str.size == 2 &&
                    memcmp(o->via.map.ptr[k].key.via.str.ptr, "id", 2) == 0)
                    base = o->via.map.ptr[k].val.via.u64;
        }
        knoop_result_free(r);
    }
    for (size_t i = 0; i < nodes * 5; i++) {
        char from[11];
        uint64_t a = base + bench_rand(&seed) % nodes, b = base + bench_rand(&seed) % nodes;
        snprintf(from, sizeof(from), "%04u-01-01", 1990u + (unsigned)(bench_rand(&seed) % 30));
        msgpack_sbuffer_clear(&sb);
        msgpack_pack_map(&pk, 5);
        msgpack_pack_str_with_body(&pk, "type", 4);
        msgpack_pack_str_with_body(&pk, "lid", 3);
        msgpack_pack_str_with_body(&pk, "source", 6);
        msgpack_pack_uint64(&pk, a);
        msgpack_pack_str_with_body(&pk, "target", 6);
        msgpack_pack_uint64(&pk, b);
        msgpack_pack_str_with_body(&pk, "valid_from", 10);
        msgpack_pack_str_with_body(&pk, from, 10);
        msgpack_pack_str_with_body(&pk, "valid_to", 8);
        msgpack_pack_str_with_body(&pk, "2031-01-01", 10);
        if (knoop_send(c, "edge.create", sb.data, sb.size, NULL, &err) != 0)
            return 1;
        if (++pending == 64) {
            for (; pending > 0; pending--) {
                knoop_result_t *r;
                uint32_t id;
                if (knoop_recv(c, &id, &r, &err) != 0) {
                    fprintf(stderr, "bench_load: edge.create: %s\n", err.msg);
                    return 1;
                }
                knoop_result_free(r);
            }
        }
    }
    for (; pending > 0; pending--) {
        knoop_result_t *r;
        uint32_t id;
        if (knoop_recv(c, &id, &r, &err) != 0)
            return 1;
        knoop_result_free(r);
    }
    msgpack_sbuffer_destroy(&sb);
    knoop_close(c);
    *first = base;
    return 0;
}

int main(int argc, char **argv)
{
    const char *addr = NULL;
    size_t conns = 16, depth = 16, requests = 200000, nodes = 5000;
    uint64_t first;
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--addr") == 0 && i + 1 < argc)
            addr = argv[++i];
        else if (strcmp(argv[i], "--conns") == 0 && i + 1 < argc)
            conns = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--depth") == 0 && i + 1 < argc)
            depth = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--requests") == 0 && i + 1 < argc)
            requests = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--nodes") == 0 && i + 1 < argc)
            nodes = strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: bench_load [--addr HOST:PORT] [--conns N] [--depth D] "
                            "[--requests R] [--nodes N]\n");
            return 2;
        }
    }
    if (conns == 0 || depth == 0 || nodes == 0) {
        fprintf(stderr, "bench_load: --conns, --depth and --nodes must be at least 1\n");
        return 2;
    }
    if (load(addr, nodes, &first) != 0)
        return 1;
    printf("bench_load: %zu nodes, %zu roles loaded; %zu connections x pipeline depth %zu\n", nodes,
           nodes * 5, conns, depth);
    failed |= run(addr, "ping", 0, conns, depth, requests, first, nodes);
    failed |= run(addr, "node.get", 1, conns, depth, requests, first, nodes);
    failed |= run(addr, "edge.list", 2, conns, depth, requests, first, nodes);
    return failed;
}
