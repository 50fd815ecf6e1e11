/*
 * knoop_alloc.h - the one allocator of Knoop's server, proto and schema code, and the checked
 * buffer that MessagePack packing writes into (layer: proto).
 *
 * Every allocation goes through knoop_malloc / knoop_calloc / knoop_realloc, so that a test can
 * make the Nth allocation fail (SQLite's src/test_malloc.c): knoop_alloc_fault_set(n, persistent)
 * makes the nth allocation from now fail, and with persistent every one after it too. Allocations
 * made inside libraries (RocksDB, libuv, msgpack-c's unpacker zones) do not pass through here.
 *
 * knoop_buf_t replaces msgpack_sbuffer: it grows through knoop_realloc and remembers a failed
 * write (a sticky flag), after which every later write is dropped. Packing many values therefore
 * needs one check at the end (knoop_buf_failed), not one per msgpack_pack_* call, and a buffer
 * whose packing failed is never mistaken for a complete record.
 *
 * Thread safety: all functions may be called from any thread; the fault counters are atomic.
 */
#ifndef KNOOP_ALLOC_H
#define KNOOP_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

#include <msgpack.h>

/* As malloc/calloc/realloc/free. NULL when out of memory (or when an injected fault fires). */
void *knoop_malloc(size_t n);
void *knoop_calloc(size_t count, size_t size);
void *knoop_realloc(void *p, size_t n);
void knoop_free(void *p);
/* A knoop_malloc'd copy of s (NUL-terminated), or NULL. */
char *knoop_strdup(const char *s);

/*
 * Fault injection for tests: the nth allocation from now fails (n >= 1), and with persistent
 * every later one too; n = 0 turns injection off. Returns nothing; knoop_alloc_fault_fired tells
 * how many injected failures happened since the last knoop_alloc_fault_set.
 */
void knoop_alloc_fault_set(long n, bool persistent);
long knoop_alloc_fault_fired(void);

/* A growable byte buffer for msgpack packing. Fields are read-only for users. */
typedef struct {
    size_t size;  /* bytes written */
    char *data;   /* knoop_malloc'd; NULL while empty */
    size_t alloc; /* bytes allocated */
    bool failed;  /* a write could not be stored: the contents are incomplete */
} knoop_buf_t;

void knoop_buf_init(knoop_buf_t *b);
/* Frees the contents; the buffer may be reused after knoop_buf_init. NULL is a no-op. */
void knoop_buf_destroy(knoop_buf_t *b);
/* Empties the buffer, keeping its memory, and clears the failed flag. */
void knoop_buf_clear(knoop_buf_t *b);
/* Appends len bytes (a msgpack_packer_write callback: data is the knoop_buf_t). 0 or -1. */
int knoop_buf_write(void *data, const char *buf, size_t len);
/* Cuts the contents back to size bytes (at most b->size) and clears the failed flag: what was
 * written before size is intact, since a failed write stores nothing. */
void knoop_buf_truncate(knoop_buf_t *b, size_t size);
/* True when a write failed since init or clear: the contents must not be used. */
bool knoop_buf_failed(const knoop_buf_t *b);
/* Takes the contents (free with knoop_free) and leaves the buffer empty. */
char *knoop_buf_release(knoop_buf_t *b);
/* Initialises pk to pack into b. */
void knoop_buf_packer(knoop_buf_t *b, msgpack_packer *pk);

#endif
