/*
 * knoop_alloc.c - the allocator with fault injection and the checked packing buffer
 * (layer: proto). See knoop_alloc.h.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "knoop_alloc.h"

/* Allocations left before the injected fault (0 = off), whether it persists, faults fired. */
static atomic_long alloc__countdown;
static atomic_bool alloc__persistent;
static atomic_bool alloc__failing; /* a persistent fault has fired */
static atomic_long alloc__fired;

/* True when this allocation is to fail. */
static bool alloc__fail(void)
{
    long left;
    if (atomic_load_explicit(&alloc__failing, memory_order_relaxed)) {
        atomic_fetch_add(&alloc__fired, 1);
        return true;
    }
    if (atomic_load_explicit(&alloc__countdown, memory_order_relaxed) == 0)
        return false;
    left = atomic_fetch_sub(&alloc__countdown, 1);
    if (left == 1) {
        atomic_fetch_add(&alloc__fired, 1);
        if (atomic_load(&alloc__persistent))
            atomic_store(&alloc__failing, true);
        return true;
    }
    if (left <= 0) /* raced past zero: undo, injection is off */
        atomic_store(&alloc__countdown, 0);
    return false;
}

void knoop_alloc_fault_set(long n, bool persistent)
{
    atomic_store(&alloc__failing, false);
    atomic_store(&alloc__persistent, persistent);
    atomic_store(&alloc__fired, 0);
    atomic_store(&alloc__countdown, n > 0 ? n : 0);
}

long knoop_alloc_fault_fired(void)
{
    return atomic_load(&alloc__fired);
}

void *knoop_malloc(size_t n)
{
    if (alloc__fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *knoop_calloc(size_t count, size_t size)
{
    if (alloc__fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *knoop_realloc(void *p, size_t n)
{
    if (alloc__fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

void knoop_free(void *p)
{
    free(p);
}

char *knoop_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = knoop_malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

void knoop_buf_init(knoop_buf_t *b)
{
    memset(b, 0, sizeof(*b));
}

void knoop_buf_destroy(knoop_buf_t *b)
{
    if (b == NULL)
        return;
    knoop_free(b->data);
    memset(b, 0, sizeof(*b));
}

void knoop_buf_clear(knoop_buf_t *b)
{
    b->size = 0;
    b->failed = false;
}

void knoop_buf_truncate(knoop_buf_t *b, size_t size)
{
    if (size < b->size)
        b->size = size;
    b->failed = false;
}

int knoop_buf_write(void *data, const char *buf, size_t len)
{
    knoop_buf_t *b = data;
    if (b->failed)
        return -1;
    if (len > b->alloc - b->size) {
        size_t want = b->alloc ? b->alloc * 2 : 256;
        char *p;
        while (want - b->size < len) {
            if (want > SIZE_MAX / 2) {
                b->failed = true;
                return -1;
            }
            want *= 2;
        }
        p = knoop_realloc(b->data, want);
        if (p == NULL) {
            b->failed = true;
            return -1;
        }
        b->data = p;
        b->alloc = want;
    }
    if (len > 0)
        memcpy(b->data + b->size, buf, len);
    b->size += len;
    return 0;
}

bool knoop_buf_failed(const knoop_buf_t *b)
{
    return b->failed;
}

char *knoop_buf_release(knoop_buf_t *b)
{
    char *p = b->data;
    memset(b, 0, sizeof(*b));
    return p;
}

void knoop_buf_packer(knoop_buf_t *b, msgpack_packer *pk)
{
    msgpack_packer_init(pk, b, knoop_buf_write);
}
