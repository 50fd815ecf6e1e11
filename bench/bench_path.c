/*
 * bench_path.c - query.path on a generated graph of national size, over libknoop: p50, p99 and
 * p99.9 latency of one request at a time between random persons, for k = 1 and k = 5, with the
 * bound-hit rate and the mean nodes expanded (layer: bench; not part of the tests).
 *
 * It expects a knoopd with the real gemeenten, veiligheidsregio's and koepels imported
 * (bench/run_path.sh does that) and generates, seeded and reproducible, through `batch`:
 * --persons persons (default 100 000), --roles roles (default 1 000 000) of those persons at
 * the real gemeenten and bodies over 20 years (2006-2026; each 1 to 8 years: raadslid or
 * wethouder at a gemeente, lid of a veiligheidsregio or koepel), and --contacts klantcontacten
 * (default 1 000 000; each one node with two `betrokkene` edges on one day). Then it asks
 * --queries questions (default 2000) per setting: between two random persons on a random day
 * (`at`), k = 1 and k = 5, default links.
 *
 * --reuse 1: the graph was generated before (same --persons): the persons are looked up by key
 * and nothing is written. --rounds N asks the same questions N times (default 1), a row per
 * round: the first round meets cold caches (adjacency cache, node kinds, RocksDB blocks), the
 * later ones show a server that has been running. --k N asks only k = N (for profiling one
 * kind of question).
 *
 * Usage: bench_path [--addr HOST:PORT] [--persons N] [--roles N] [--contacts N] [--queries N]
 *                   [--seed S] [--reuse 1] [--rounds N] [--k N]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "bench_rpc.h"
#include "bench_util.h"
#include "knoop.h"

#define BATCH 50000

static knoop_conn_t *conn;

static knoop_result_t *call(const char *method, const msgpack_sbuffer *sb)
{
    return bench_call(conn, "bench_path", method, sb);
}

/* The ids of node.find {kind, type} (at most 5000). */
static size_t find(const char *kind, const char *type, uint64_t *out, size_t max)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    size_t n = 0;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 3);
    bench_pk_str(&pk, "kind");
    bench_pk_str(&pk, kind);
    bench_pk_str(&pk, "type");
    bench_pk_str(&pk, type);
    bench_pk_str(&pk, "limit");
    msgpack_pack_uint32(&pk, 5000);
    knoop_result_t *r = call("node.find", &sb);
    const msgpack_object *nodes = bench_mp_get(knoop_result_value(r), "nodes");
    for (uint32_t i = 0; nodes != NULL && i < nodes->via.array.size && n < max; i++) {
        const msgpack_object *id = bench_mp_get(&nodes->via.array.ptr[i], "id");
        if (id != NULL)
            out[n++] = id->via.u64;
    }
    knoop_result_free(r);
    msgpack_sbuffer_destroy(&sb);
    return n;
}

/* buf holds at least 24 bytes. */
static void date_text(int days_since_2006, char *buf)
{
    /* 2006-01-01 plus whole months and days: a simple calendar, valid dates only, never
     * earlier for a later day (so that periods that do not overlap in days do not as dates). */
    int y = 2006 + days_since_2006 / 365, rest = days_since_2006 % 365;
    int m = 1 + rest / 31, d = 1 + (rest % 31 > 27 ? 27 : rest % 31);
    snprintf(buf, 24, "%04d-%02d-%02d", y, m, d);
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct_ms(const bench_lat_t *l, double p)
{
    if (l->n == 0)
        return 0;
    return (double)l->v[(size_t)(p * (double)(l->n - 1) + 0.5)] / 1e6;
}

int main(int argc, char **argv)
{
    const char *addr = NULL;
    size_t npersons = 100000, nroles = 1000000, ncontacts = 1000000, nqueries = 2000;
    uint64_t seed = 20261202;
    uint64_t seed0;
    bool reuse = false;
    unsigned rounds = 1, only_k = 0;
    knoop_error_t err;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--addr") == 0)
            addr = argv[i + 1];
        else if (strcmp(argv[i], "--persons") == 0)
            npersons = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--roles") == 0)
            nroles = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--contacts") == 0)
            ncontacts = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--queries") == 0)
            nqueries = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--rounds") == 0)
            rounds = (unsigned)strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--k") == 0)
            only_k = (unsigned)strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--reuse") == 0)
            reuse = strcmp(argv[i + 1], "0") != 0;
    }
    seed0 = seed;
    if (npersons < 2) {
        fprintf(stderr, "bench_path: --persons must be at least 2\n");
        return 2;
    }
    if (knoop_connect(addr, &conn, &err) != 0) {
        fprintf(stderr, "bench_path: %s\n", err.msg);
        return 1;
    }
    knoop_set_timeout(conn, 600000);

    uint64_t *orgs = malloc(6000 * sizeof(uint64_t));
    size_t ngem = find("organisation", "gemeente", orgs, 6000);
    size_t norgs = ngem + find("body", "veiligheidsregio", orgs + ngem, 6000 - ngem);
    norgs += find("body", "koepel", orgs + norgs, 6000 - norgs);
    if (ngem == 0) {
        fprintf(stderr, "bench_path: no gemeenten: import schema/data first (run_path.sh)\n");
        return 1;
    }
    uint64_t *persons = malloc(npersons * sizeof(uint64_t));
    msgpack_sbuffer ops;
    msgpack_packer pk;
    msgpack_sbuffer_init(&ops);
    msgpack_packer_init(&pk, &ops, msgpack_sbuffer_write);
    uint64_t t0 = bench_now_ns();
    if (reuse) {
        for (size_t i = 0, n = 0; i < npersons; i++) {
            char key[32];
            snprintf(key, sizeof(key), "bench-p%07zu", i);
            bench_op_head(&pk, "node.get", 1);
            bench_pk_str(&pk, "id");
            bench_pk_str(&pk, key);
            if (++n == BATCH || i + 1 == npersons) {
                bench_batch(conn, "bench_path", &ops, n, persons + i + 1 - n);
                n = 0;
            }
        }
        nroles = ncontacts = 0; /* as generated before; not written again */
        goto measure;
    }
    for (size_t i = 0, n = 0; i < npersons; i++) {
        char key[32], sur[32];
        snprintf(key, sizeof(key), "bench-p%07zu", i);
        snprintf(sur, sizeof(sur), "Persoon%07zu", i);
        bench_op_person(&pk, key, sur);
        if (++n == BATCH || i + 1 == npersons) {
            bench_batch(conn, "bench_path", &ops, n, persons + i + 1 - n);
            n = 0;
        }
    }
    fprintf(stderr, "bench_path: %zu persons in %.1f s\n", npersons,
            (double)(bench_now_ns() - t0) / 1e9);
    t0 = bench_now_ns();
    /* One person holds one role at one organisation once at a time (the schema refuses an
     * overlapping duplicate): a second role of the same kind there starts after the first ends.
     * Open addressing over (person, organisation, type) -> the end of the last one. */
    size_t rcap = 1;
    while (rcap < nroles * 2 + 2)
        rcap *= 2;
    struct role_slot {
        uint64_t key;
        int end;
    } *rtab = calloc(rcap, sizeof(*rtab));
    if (rtab == NULL) {
        fprintf(stderr, "bench_path: out of memory\n");
        return 1;
    }
    for (size_t i = 0, n = 0; i < nroles; i++) {
        uint64_t o = bench_rand(&seed) % norgs;
        int start = (int)(bench_rand(&seed) % (20 * 365));
        int len = 365 + (int)(bench_rand(&seed) % (7 * 365));
        char from[24], to[24];
        const char *type =
            o < ngem ? (bench_rand(&seed) % 4 == 0 ? "wethouder" : "raadslid") : "lid";
        bool gem = o < ngem;
        size_t pi = bench_rand(&seed) % npersons;
        uint64_t key = ((uint64_t)pi << 24 | (uint64_t)o << 1 | (type[0] == 'w')) + 1;
        size_t h = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & (rcap - 1);
        while (rtab[h].key != 0 && rtab[h].key != key)
            h = (h + 1) & (rcap - 1);
        if (rtab[h].key == key && start < rtab[h].end)
            start = rtab[h].end + (int)(bench_rand(&seed) % 365);
        rtab[h].key = key;
        rtab[h].end = start + len;
        date_text(start, from);
        date_text(start + len, to);
        bench_op_head(&pk, "edge.create", gem && strcmp(type, "raadslid") == 0 ? 6 : 5);
        bench_pk_str(&pk, "type");
        bench_pk_str(&pk, type);
        bench_pk_str(&pk, "source");
        msgpack_pack_uint64(&pk, persons[pi]);
        bench_pk_str(&pk, "target");
        msgpack_pack_uint64(&pk, orgs[o]);
        bench_pk_str(&pk, "valid_from");
        bench_pk_str(&pk, from);
        bench_pk_str(&pk, "valid_to");
        bench_pk_str(&pk, to);
        if (gem && strcmp(type, "raadslid") == 0) {
            bench_pk_str(&pk, "props");
            msgpack_pack_map(&pk, 1);
            bench_pk_str(&pk, "namens");
            bench_pk_str(&pk, "Partij");
        }
        if (++n == BATCH || i + 1 == nroles) {
            bench_batch(conn, "bench_path", &ops, n, NULL);
            n = 0;
        }
    }
    free(rtab);
    fprintf(stderr, "bench_path: %zu roles in %.1f s\n", nroles,
            (double)(bench_now_ns() - t0) / 1e9);
    t0 = bench_now_ns();
    /* Contacts: contact.register (a klantcontact is immutable: its edges are made only that
     * way), two betrokkenen and one of NACTORS medewerkers (persons marked actor) each. */
    enum { NACTORS = 500 };
    uint64_t actors[NACTORS];
    if (ncontacts > 0) {
        for (size_t i = 0; i < NACTORS; i++) {
            char key[32], ident[32];
            snprintf(key, sizeof(key), "bench-a%04zu", i);
            snprintf(ident, sizeof(ident), "mdw-%04zu", i);
            bench_op_head(&pk, "node.create", 2);
            bench_pk_str(&pk, "kind");
            bench_pk_str(&pk, "person");
            bench_pk_str(&pk, "props");
            msgpack_pack_map(&pk, 4);
            bench_pk_str(&pk, "key");
            bench_pk_str(&pk, key);
            bench_pk_str(&pk, "name");
            bench_pk_str(&pk, key);
            bench_pk_str(&pk, "actor");
            msgpack_pack_true(&pk);
            bench_pk_str(&pk, "actoridentificator");
            bench_pk_str(&pk, ident);
        }
        bench_batch(conn, "bench_path", &ops, NACTORS, actors);
    }
    for (size_t i = 0, n = 0; i < ncontacts; i++) {
        char day[24], ts[48];
        size_t a = bench_rand(&seed) % npersons, b = bench_rand(&seed) % npersons;
        if (b == a)
            b = (a + 1) % npersons;
        date_text((int)(bench_rand(&seed) % (20 * 365)), day);
        snprintf(ts, sizeof(ts), "%sT10:00:00+01:00", day);
        bench_op_head(&pk, "contact.register", 5);
        bench_pk_str(&pk, "kanaal");
        bench_pk_str(&pk, "telefoon");
        bench_pk_str(&pk, "onderwerp");
        bench_pk_str(&pk, "Overleg");
        bench_pk_str(&pk, "plaatsgevondenOp");
        bench_pk_str(&pk, ts);
        bench_pk_str(&pk, "betrokkenen");
        msgpack_pack_array(&pk, 2);
        for (int k = 0; k < 2; k++) {
            msgpack_pack_map(&pk, 2);
            bench_pk_str(&pk, "partij");
            msgpack_pack_uint64(&pk, persons[k == 0 ? a : b]);
            bench_pk_str(&pk, "rol");
            bench_pk_str(&pk, "klant");
        }
        bench_pk_str(&pk, "actoren");
        msgpack_pack_array(&pk, 1);
        msgpack_pack_uint64(&pk, actors[bench_rand(&seed) % NACTORS]);
        /* Smaller batches: each answer holds the whole klantcontact. */
        if (++n == BATCH / 10 || i + 1 == ncontacts) {
            bench_batch(conn, "bench_path", &ops, n, NULL);
            n = 0;
        }
    }
    fprintf(stderr, "bench_path: %zu contacts in %.1f s\n", ncontacts,
            (double)(bench_now_ns() - t0) / 1e9);
measure:

    if (reuse)
        printf("query.path on a graph generated before (%zu persons; --reuse), %zu real "
               "organisations and bodies; one request at a time, %zu questions per row\n",
               npersons, norgs, nqueries);
    else
        printf("query.path on %zu persons, %zu roles at %zu real organisations and bodies over "
               "20 years, %zu contacts (seed %llu); one request at a time, %zu questions per "
               "row\n",
               npersons, nroles, norgs, ncontacts, (unsigned long long)seed0, nqueries);
    printf("%-38s %9s %9s %9s %10s %10s %8s\n", "question", "p50 ms", "p99 ms", "p99.9 ms", "found",
           "bound_hit", "expanded");
    uint64_t qseed = seed;
    for (unsigned round = 0; round < rounds * 2; round++) {
        int k = round % 2 ? 5 : 1;
        if (only_k != 0) {
            if (round % 2)
                continue;
            k = (int)only_k;
        }
        if (round % 2 == 0)
            seed = qseed; /* the same questions each round */
        bench_lat_t lat = { 0 };
        size_t found = 0, bound = 0;
        uint64_t expanded = 0;
        msgpack_sbuffer sb;
        msgpack_sbuffer_init(&sb);
        for (size_t q = 0; q < nqueries; q++) {
            char at[24];
            uint64_t a = persons[bench_rand(&seed) % npersons], b;
            do
                b = persons[bench_rand(&seed) % npersons];
            while (b == a);
            date_text((int)(bench_rand(&seed) % (20 * 365)), at);
            msgpack_sbuffer_clear(&sb);
            msgpack_packer qp;
            msgpack_packer_init(&qp, &sb, msgpack_sbuffer_write);
            msgpack_pack_map(&qp, 4);
            bench_pk_str(&qp, "source");
            msgpack_pack_uint64(&qp, a);
            bench_pk_str(&qp, "target");
            msgpack_pack_uint64(&qp, b);
            bench_pk_str(&qp, "at");
            bench_pk_str(&qp, at);
            bench_pk_str(&qp, "k");
            msgpack_pack_uint32(&qp, (uint32_t)k);
            uint64_t s = bench_now_ns();
            knoop_result_t *r = call("query.path", &sb);
            bench_lat_add(&lat, bench_now_ns() - s);
            const msgpack_object *v = knoop_result_value(r);
            const msgpack_object *paths = bench_mp_get(v, "paths"),
                                 *bh = bench_mp_get(v, "bound_hit");
            const msgpack_object *ex = bench_mp_get(v, "expanded");
            found += paths != NULL && paths->via.array.size > 0;
            bound += bh != NULL && bh->via.boolean;
            expanded += ex != NULL ? ex->via.u64 : 0;
            knoop_result_free(r);
        }
        msgpack_sbuffer_destroy(&sb);
        qsort(lat.v, lat.n, sizeof(*lat.v), u64_cmp);
        char label[64];
        if (rounds > 1)
            snprintf(label, sizeof(label), "query.path {at: random day, k: %d} #%u", k,
                     round / 2 + 1);
        else
            snprintf(label, sizeof(label), "query.path {at: random day, k: %d}", k);
        printf("%-38s %9.3f %9.3f %9.3f %9.1f%% %9.1f%% %8.0f\n", label, pct_ms(&lat, 0.50),
               pct_ms(&lat, 0.99), pct_ms(&lat, 0.999), 100.0 * (double)found / (double)nqueries,
               100.0 * (double)bound / (double)nqueries, (double)expanded / (double)nqueries);
        bench_lat_free(&lat);
    }
    msgpack_sbuffer_destroy(&ops);
    free(orgs);
    free(persons);
    knoop_close(conn);
    return 0;
}
