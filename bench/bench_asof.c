/*
 * bench_asof.c - reads on the two time axes over libknoop: node.get and edge.list {at} without
 * and with known_at, on entities with 1, 10 and 100 versions (layer: bench; not part of the
 * tests).
 *
 * It generates, seeded, for each class v in {1, 10, 100}: --entities pairs of test persons A_i,
 * B_i with a `kent` edge A_i - B_i (valid from 2000-01-01), then takes a moment T0 (the client's
 * clock, which knoopd on the same machine shares) and writes v - 1 rounds of corrections: each
 * round renames every A_i (node.update) and moves the end of every edge (edge.update valid_to),
 * one `batch` per round, so that every A_i, its edge and both adjacency entries have v versions.
 * Then it reads, one request at a time, round-robin over the rows so that the machine's noise
 * hits all rows alike: node.get A_i, node.get A_i known_at T0, edge.list {node: A_i, at} and
 * edge.list {node: A_i, at, known_at: T0}, for a random i of each class. known_at T0 is the
 * oldest state, the one that needs the version entries (a read at a moment after the last
 * commit is a plain snapshot). Prints p50/p99 per row and the ratio of the 100-version rows to
 * the 1-version rows.
 *
 * Usage: bench_asof [--addr HOST:PORT] [--entities N] [--reads N] [--seed S]
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <msgpack.h>

#include "bench_rpc.h"
#include "bench_util.h"
#include "knoop.h"

#define NCLASS 3
static const int versions[NCLASS] = { 1, 10, 100 };

static knoop_conn_t *conn;

static knoop_result_t *call(const char *method, const msgpack_sbuffer *sb)
{
    return bench_call(conn, "bench_asof", method, sb);
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A moment strictly between the commits before and after it (RFC 3339, ms) into buf[32]. */
static void moment(char *buf)
{
    int64_t t0 = wall_ms(), t;
    while (wall_ms() <= t0)
        ;
    t = wall_ms();
    time_t secs = (time_t)(t / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + 19, 13, ".%03dZ", (int)(t % 1000));
    while (wall_ms() <= t)
        ;
}

/* Creates n persons with keys prefix-i; their ids into out. */
static void persons(const char *prefix, int v, size_t n, uint64_t *out)
{
    msgpack_sbuffer ops;
    msgpack_packer pk;
    msgpack_sbuffer_init(&ops);
    msgpack_packer_init(&pk, &ops, msgpack_sbuffer_write);
    for (size_t i = 0; i < n; i++) {
        char key[48], sur[32];
        snprintf(key, sizeof(key), "BENCH-ASOF-%s%d-%zu", prefix, v, i);
        snprintf(sur, sizeof(sur), "Versie%d", v);
        bench_op_person(&pk, key, sur);
    }
    bench_batch(conn, "bench_asof", &ops, n, out);
    msgpack_sbuffer_destroy(&ops);
}

typedef struct {
    const char *name;
    int cls;
    bool edge_list, known_at;
    bench_lat_t lat;
} row_t;

/* Removes directory dir and the files in it (a backup is one flat directory). */
static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d != NULL)
        closedir(d);
    rmdir(dir);
}

/* Reads round-robin over the rows and prints the table (title: the store's state). */
static void measure(const char *title, uint64_t *const *a, size_t n, size_t reads, const char *t0,
                    uint64_t *seedp)
{
    row_t rows[NCLASS * 4];
    size_t nrows = 0;
    uint64_t seed = *seedp;
    for (int c = 0; c < NCLASS; c++)
        for (int r = 0; r < 4; r++) {
            row_t *w = &rows[nrows++];
            memset(w, 0, sizeof(*w));
            w->cls = c;
            w->edge_list = r >= 2;
            w->known_at = r % 2 == 1;
        }
    for (size_t q = 0; q < reads; q++) {
        for (size_t ri = 0; ri < nrows; ri++) {
            row_t *w = &rows[ri];
            size_t i = (size_t)(bench_rand(&seed) % n);
            msgpack_sbuffer sb;
            msgpack_packer pk;
            msgpack_sbuffer_init(&sb);
            msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
            msgpack_pack_map(&pk, (w->edge_list ? 2 : 1) + (w->known_at ? 1 : 0));
            bench_pk_str(&pk, w->edge_list ? "node" : "id");
            msgpack_pack_uint64(&pk, a[w->cls][i]);
            if (w->edge_list) {
                bench_pk_str(&pk, "at");
                bench_pk_str(&pk, "2020-06-01");
            }
            if (w->known_at) {
                bench_pk_str(&pk, "known_at");
                bench_pk_str(&pk, t0);
            }
            uint64_t s = bench_now_ns();
            knoop_result_t *r = call(w->edge_list ? "edge.list" : "node.get", &sb);
            bench_lat_add(&w->lat, bench_now_ns() - s);
            if (w->edge_list) {
                const msgpack_object *edges = bench_mp_get(knoop_result_value(r), "edges");
                if (edges == NULL || edges->via.array.size != 1) {
                    fprintf(stderr, "bench_asof: edge.list of %llu: expected one edge\n",
                            (unsigned long long)a[w->cls][i]);
                    exit(1);
                }
            }
            knoop_result_free(r);
            msgpack_sbuffer_destroy(&sb);
        }
    }
    printf("\n%s:\n%-30s %9s %9s %9s\n", title, "read (one at a time)", "versions", "p50 us",
           "p99 us");
    for (size_t ri = 0; ri < nrows; ri++) {
        row_t *w = &rows[ri];
        char name[64];
        bench_lat_sort(&w->lat);
        snprintf(name, sizeof(name), "%s%s", w->edge_list ? "edge.list {at}" : "node.get",
                 w->known_at ? " + known_at" : "");
        printf("%-30s %9d %9.1f %9.1f\n", name, versions[w->cls], bench_lat_pct(&w->lat, 0.5),
               bench_lat_pct(&w->lat, 0.99));
    }
    printf("\nratio 100 versions / 1 version (p50):\n");
    for (int r = 0; r < 4; r++) {
        const row_t *lo = &rows[r], *hi = &rows[(NCLASS - 1) * 4 + r];
        printf("  %-28s %.2f\n",
               r == 0   ? "node.get"
               : r == 1 ? "node.get + known_at"
               : r == 2 ? "edge.list {at}"
                        : "edge.list {at} + known_at",
               bench_lat_pct(&hi->lat, 0.5) / bench_lat_pct(&lo->lat, 0.5));
    }
    for (size_t ri = 0; ri < nrows; ri++)
        bench_lat_free(&rows[ri].lat);
    *seedp = seed;
}

int main(int argc, char **argv)
{
    const char *addr = getenv("KNOOP_ADDR");
    size_t n = 200, reads = 3000;
    uint64_t seed = 12;
    uint64_t *a[NCLASS], *b[NCLASS], *e[NCLASS];
    char t0[32];
    knoop_error_t err;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--addr") == 0)
            addr = argv[i + 1];
        else if (strcmp(argv[i], "--entities") == 0)
            n = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--reads") == 0)
            reads = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(argv[i + 1], NULL, 10);
    }
    if (addr == NULL || n == 0 || n > 50000) {
        fprintf(stderr, "usage: bench_asof --addr HOST:PORT [--entities 1..50000] [--reads N] "
                        "[--seed S]\n");
        return 2;
    }
    if (knoop_connect(addr, &conn, &err) != 0) {
        fprintf(stderr, "bench_asof: connect %s: %s\n", addr, err.msg);
        return 1;
    }
    knoop_set_timeout(conn, 600000);

    uint64_t g0 = bench_now_ns();
    for (int c = 0; c < NCLASS; c++) {
        msgpack_sbuffer ops;
        msgpack_packer pk;
        a[c] = calloc(n, sizeof(uint64_t));
        b[c] = calloc(n, sizeof(uint64_t));
        e[c] = calloc(n, sizeof(uint64_t));
        persons("A", versions[c], n, a[c]);
        persons("B", versions[c], n, b[c]);
        msgpack_sbuffer_init(&ops);
        msgpack_packer_init(&pk, &ops, msgpack_sbuffer_write);
        for (size_t i = 0; i < n; i++) {
            bench_op_head(&pk, "edge.create", 4);
            bench_pk_str(&pk, "type");
            bench_pk_str(&pk, "kent");
            bench_pk_str(&pk, "source");
            msgpack_pack_uint64(&pk, a[c][i]);
            bench_pk_str(&pk, "target");
            msgpack_pack_uint64(&pk, b[c][i]);
            bench_pk_str(&pk, "valid_from");
            bench_pk_str(&pk, "2000-01-01");
        }
        bench_batch(conn, "bench_asof", &ops, n, e[c]);
        msgpack_sbuffer_destroy(&ops);
    }
    moment(t0);
    /* Corrections: round k gives every entity of the classes with more than k versions its
     * (k+1)-th version. */
    for (int k = 1; k < versions[NCLASS - 1]; k++) {
        msgpack_sbuffer ops;
        msgpack_packer pk;
        size_t nops = 0;
        msgpack_sbuffer_init(&ops);
        msgpack_packer_init(&pk, &ops, msgpack_sbuffer_write);
        for (int c = 0; c < NCLASS; c++) {
            if (versions[c] <= k)
                continue;
            for (size_t i = 0; i < n; i++) {
                char sur[32], to[16];
                snprintf(sur, sizeof(sur), "Versie%d-%d", versions[c], k + 1);
                snprintf(to, sizeof(to), "%04d-06-01", 2030 + k);
                bench_op_head(&pk, "node.update", 2);
                bench_pk_str(&pk, "id");
                msgpack_pack_uint64(&pk, a[c][i]);
                bench_pk_str(&pk, "set");
                msgpack_pack_map(&pk, 1);
                bench_pk_str(&pk, "surname");
                bench_pk_str(&pk, sur);
                bench_op_head(&pk, "edge.update", 2);
                bench_pk_str(&pk, "id");
                msgpack_pack_uint64(&pk, e[c][i]);
                bench_pk_str(&pk, "valid_to");
                bench_pk_str(&pk, to);
                nops += 2;
            }
        }
        bench_batch(conn, "bench_asof", &ops, nops, NULL);
        msgpack_sbuffer_destroy(&ops);
    }
    printf("generated %zu entities per class (1, 10, 100 versions) in %.1f s; known_at = %s\n", n,
           (double)(bench_now_ns() - g0) / 1e9, t0);

    measure("the recent writes in the memtable", a, n, reads, t0, &seed);
    /* admin.backup flushes the memtables first (kv_checkpoint): the older versions of the
     * current keys are then dropped as RocksDB does after every flush, and the reads hit SST
     * files, as on a store whose history is not all fresh. */
    {
        char dir[64];
        msgpack_sbuffer sb;
        msgpack_packer pk;
        snprintf(dir, sizeof(dir), "/tmp/knoop-bench-asof-%d", (int)getpid());
        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        msgpack_pack_map(&pk, 1);
        bench_pk_str(&pk, "dir");
        bench_pk_str(&pk, dir);
        knoop_result_free(call("admin.backup", &sb));
        msgpack_sbuffer_destroy(&sb);
        rm_tree(dir);
    }
    measure("after a flush (admin.backup)", a, n, reads, t0, &seed);
    for (int c = 0; c < NCLASS; c++) {
        free(a[c]);
        free(b[c]);
        free(e[c]);
    }
    knoop_close(conn);
    return 0;
}
