/*
 * bench_util.c - timing and percentile helpers shared by the benchmarks.
 */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bench_lat_add(bench_lat_t *l, uint64_t ns)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4096;
        uint64_t *v = realloc(l->v, cap * sizeof(*v));
        if (v == NULL)
            return;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = ns;
}

void bench_lat_free(bench_lat_t *l)
{
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static int bench__cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

double bench_lat_pct(const bench_lat_t *l, double p)
{
    size_t i;
    if (l->n == 0)
        return 0;
    i = (size_t)(p * (double)(l->n - 1) + 0.5);
    return (double)l->v[i] / 1000.0;
}

void bench_lat_sort(bench_lat_t *l)
{
    if (l->n > 0)
        qsort(l->v, l->n, sizeof(*l->v), bench__cmp);
}

void bench_report(const char *name, bench_lat_t *l, uint64_t wall_ns, int with_p999)
{
    double secs = (double)wall_ns / 1e9;
    bench_lat_sort(l);
    printf("%-28s %9zu ops %8.2f s %11.0f ops/s   p50 %8.1f us   p99 %8.1f us", name, l->n, secs,
           secs > 0 ? (double)l->n / secs : 0.0, bench_lat_pct(l, 0.50), bench_lat_pct(l, 0.99));
    if (with_p999)
        printf("   p99.9 %8.1f us", bench_lat_pct(l, 0.999));
    printf("\n");
    fflush(stdout);
}

uint64_t bench_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(2685821657736338717);
}
