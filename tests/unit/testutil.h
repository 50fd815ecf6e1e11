/*
 * testutil.h - helpers shared by the unit tests: temporary directories for a real RocksDB, and
 * small msgpack builders and readers for properties and history entries.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>

/* Creates a fresh directory under $TMPDIR (or /tmp) and writes its path into buf. Aborts the
 * test on failure. */
void tu_mkdtemp(char *buf, size_t size);

/* Removes a directory tree made by tu_mkdtemp. */
void tu_rmtree(const char *path);

/*
 * A decoded msgpack value that owns its memory (a msgpack_unpacked and its zone). Initialise with
 * tu_obj_init, release with tu_obj_free; a tu_obj_t holds one value at a time (building or
 * unpacking into it again frees the previous one).
 */
typedef struct {
    msgpack_unpacked u;
    char *buf; /* a copy of the packed bytes: unpacked strings point into it */
    bool live;
} tu_obj_t;

void tu_obj_init(tu_obj_t *o);
void tu_obj_free(tu_obj_t *o);

/* Unpacks one value from a copy of data[0..len) into o and returns it. Aborts when data is not
 * msgpack. */
const msgpack_object *tu_unpack(tu_obj_t *o, const void *data, size_t len);

/* Unpacks the contents of sb into o (sb is left alone) and returns the value. */
const msgpack_object *tu_from_sbuf(tu_obj_t *o, const msgpack_sbuffer *sb);

/*
 * Builds a map of string keys to string values: pairs of (const char *key, const char *value)
 * ended by a NULL key. A NULL value packs nil.
 */
const msgpack_object *tu_map_str(tu_obj_t *o, ...) __attribute__((sentinel));

/* Builds an array of strings, ended by NULL. */
const msgpack_object *tu_array_str(tu_obj_t *o, ...) __attribute__((sentinel));

/* The value of string key `key` in map (NULL when map is not a map or has no such key). */
const msgpack_object *tu_map_get(const msgpack_object *map, const char *key);

/* True when o is a string equal to s. */
bool tu_str_eq(const msgpack_object *o, const char *s);

/* True when o is a non-negative or positive integer equal to v. */
bool tu_uint_eq(const msgpack_object *o, unsigned long long v);

#endif
