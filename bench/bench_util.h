/*
 * bench_util.h - timing and percentile helpers shared by the benchmarks.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Monotonic clock in nanoseconds. */
uint64_t bench_now_ns(void);

/* A set of latency samples (ns). */
typedef struct {
    uint64_t *v;
    size_t n, cap;
} bench_lat_t;

void bench_lat_add(bench_lat_t *l, uint64_t ns);
void bench_lat_free(bench_lat_t *l);

/* Sorts the samples in place, ascending. */
void bench_lat_sort(bench_lat_t *l);

/* The p-quantile (0..1) of sorted samples, in microseconds; 0 without samples. */
double bench_lat_pct(const bench_lat_t *l, double p);

/* Prints "name: N ops in S s = X ops/s; p50 A us, p99 B us[, p99.9 C us]" (sorts l). */
void bench_report(const char *name, bench_lat_t *l, uint64_t wall_ns, int with_p999);

/* xorshift64* pseudo-random numbers, seeded: runs are reproducible. */
uint64_t bench_rand(uint64_t *state);

#endif
