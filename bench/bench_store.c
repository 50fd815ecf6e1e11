/*
 * bench_store.c - store microbenchmark: node create, edge create, point get and adjacency scan
 * at a date, on a generated graph of (by default) 1 million edges. Reproducible (seeded).
 *
 * Usage: bench_store [--dir DIR] [--persons N] [--orgs N] [--edges N] [--sync]
 * Writes go through the real graph API (one transaction per change, history included). By
 * default the store runs with sync off for the bulk load (a process crash loses nothing, a
 * power loss may lose the last writes); --sync measures fsync'd, acknowledged writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "graph.h"

static const char *const roles[] = { "wethouder",  "raadslid",   "lid",
                                     "voorzitter", "medewerker", "deelnemer" };

static int count_cb(void *arg, const graph_adj_t *a)
{
    (void)a;
    ++*(size_t *)arg;
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    char tmpl[] = "/tmp/knoop-bench-XXXXXX";
    size_t persons = 100000, orgs = 20000, edges = 1000000, gets = 200000, scans = 100000;
    bool sync = false;
    store_options_t so;
    store_t *s;
    knoop_error_t err;
    bench_lat_t lat = { 0 };
    uint64_t seed = 42, t0, first_person, first_org;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_zone zone;
    msgpack_object props;
    char name[64];

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--persons") == 0 && i + 1 < argc)
            persons = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--orgs") == 0 && i + 1 < argc)
            orgs = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--edges") == 0 && i + 1 < argc)
            edges = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--sync") == 0)
            sync = true;
        else {
            fprintf(stderr, "usage: bench_store [--dir DIR] [--persons N] [--orgs N] [--edges N] "
                            "[--sync]\n");
            return 2;
        }
    }
    if (dir == NULL && (dir = mkdtemp(tmpl)) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    store_options_default(&so);
    so.sync = sync;
    so.block_cache_bytes = 256u << 20;
    if (store_open(dir, &so, &s, &err) != 0) {
        fprintf(stderr, "bench_store: %s\n", err.msg);
        return 1;
    }
    printf("bench_store: %zu persons, %zu organisations, %zu edges, sync %s, dir %s\n", persons,
           orgs, edges, sync ? "on" : "off", dir);

    /* Node create: each with a name (indexed) and, for organisations, an external key. */
    msgpack_zone_init(&zone, 4096);
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    first_person = 0;
    t0 = bench_now_ns();
    for (size_t i = 0; i < persons + orgs; i++) {
        bool org = i >= persons;
        graph_node_t n;
        size_t off = 0;
        uint64_t t;
        msgpack_sbuffer_clear(&sb);
        msgpack_pack_map(&pk, org ? 2 : 1);
        msgpack_pack_str_with_body(&pk, "name", 4);
        snprintf(name, sizeof(name), org ? "Organisatie %zu" : "Persoon %zu", i);
        msgpack_pack_str_with_body(&pk, name, strlen(name));
        if (org) {
            msgpack_pack_str_with_body(&pk, "key", 3);
            snprintf(name, sizeof(name), "ORG%07zu", i);
            msgpack_pack_str_with_body(&pk, name, strlen(name));
        }
        msgpack_unpack(sb.data, sb.size, &off, &zone, &props);
        t = bench_now_ns();
        if (graph_node_create(s, NULL, org ? SCHEMA_KIND_ORGANISATION : SCHEMA_KIND_PERSON,
                              org ? "gemeente" : NULL, &props, &n, &err) != 0) {
            fprintf(stderr, "node create: %s\n", err.msg);
            return 1;
        }
        bench_lat_add(&lat, bench_now_ns() - t);
        if (i == 0)
            first_person = n.id;
        graph_node_clear(&n);
        msgpack_zone_clear(&zone);
    }
    bench_report("node create", &lat, bench_now_ns() - t0, 0);
    bench_lat_free(&lat);
    first_org = first_person + persons;

    /* Edge create: a role from a random person to a random organisation, dated 1990..2030. */
    t0 = bench_now_ns();
    for (size_t i = 0; i < edges; i++) {
        uint64_t p = first_person + bench_rand(&seed) % persons;
        uint64_t o = first_org + bench_rand(&seed) % orgs;
        schema_date_t from = 7300 + (schema_date_t)(bench_rand(&seed) % 14600);
        schema_date_t to = (bench_rand(&seed) % 3) == 0
                               ? SCHEMA_DATE_OPEN
                               : from + 1 + (schema_date_t)(bench_rand(&seed) % 2920);
        uint64_t t = bench_now_ns();
        if (graph_edge_create(s, NULL, roles[i % 6], p, o, from, to, NULL, 0, NULL, &err) != 0) {
            fprintf(stderr, "edge create: %s\n", err.msg);
            return 1;
        }
        bench_lat_add(&lat, bench_now_ns() - t);
    }
    bench_report("edge create", &lat, bench_now_ns() - t0, 0);
    bench_lat_free(&lat);

    /* Point get of random nodes on a snapshot. */
    {
        store_view_t *snap = store_snapshot(s);
        t0 = bench_now_ns();
        for (size_t i = 0; i < gets; i++) {
            graph_node_t n;
            uint64_t id = first_person + bench_rand(&seed) % (persons + orgs);
            uint64_t t = bench_now_ns();
            if (graph_node_get(s, snap, id, &n, &err) != 0) {
                fprintf(stderr, "get: %s\n", err.msg);
                return 1;
            }
            bench_lat_add(&lat, bench_now_ns() - t);
            graph_node_clear(&n);
        }
        bench_report("node get", &lat, bench_now_ns() - t0, 0);
        bench_lat_free(&lat);
        store_snapshot_free(s, snap);
    }

    /* Adjacency scan at a date: every role of an organisation valid on that day. */
    {
        size_t found = 0;
        store_view_t *snap = store_snapshot(s);
        graph_filter_t f = { .dir = GRAPH_BOTH, .time = GRAPH_TIME_AT };
        t0 = bench_now_ns();
        for (size_t i = 0; i < scans; i++) {
            uint64_t id = first_org + bench_rand(&seed) % orgs;
            uint64_t t;
            size_t cnt = 0;
            f.at = 14000 + (schema_date_t)(bench_rand(&seed) % 7000);
            t = bench_now_ns();
            if (graph_adj_scan(s, snap, id, &f, count_cb, &cnt, &err) != 0) {
                fprintf(stderr, "scan: %s\n", err.msg);
                return 1;
            }
            bench_lat_add(&lat, bench_now_ns() - t);
            found += cnt;
        }
        bench_report("adjacency scan at date", &lat, bench_now_ns() - t0, 0);
        printf("%-28s %.1f edges valid per scan (of %.1f per organisation)\n", "",
               (double)found / (double)scans, (double)edges / (double)orgs);
        bench_lat_free(&lat);
        store_snapshot_free(s, snap);
    }
    msgpack_sbuffer_destroy(&sb);
    msgpack_zone_destroy(&zone);
    store_close(s);
    return 0;
}
