/*
 * knoop_err.h - the one error enum of Knoop, shared by server, client and tools.
 *
 * Layer: proto (no I/O). Every function in Knoop returns 0 (KNOOP_OK) or a negative
 * knoop_err_t; details go in a caller-owned knoop_error_t passed as the last parameter.
 * The list below is the single source of truth: enum values, wire codes (the `code` field of
 * an error response, see proto/PROTOCOL.md) and default texts are generated from it.
 */
#ifndef KNOOP_ERR_H
#define KNOOP_ERR_H

#include <stdarg.h>
#include <stddef.h>

#if defined(__GNUC__)
#define KNOOP_API          __attribute__((visibility("default")))
#define KNOOP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define KNOOP_API
#define KNOOP_PRINTF(a, b)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * XX(name, value, wire code, default text). The first eight are the wire codes; the last four
 * are internal conditions that map onto a wire code when sent (ENOMEM and EIO are transient,
 * so clients see "unavailable"; ECORRUPT is never the client's fault, so "internal"; ELONG,
 * work tried on knoopd's event loop that gave up to go to a worker, never leaves the server).
 */
#define KNOOP_ERRNO_MAP(XX)                                                                        \
    XX(EINVAL, -1, "invalid_argument", "invalid argument")                                         \
    XX(ENOTFOUND, -2, "not_found", "not found")                                                    \
    XX(ECONFLICT, -3, "conflict", "conflict")                                                      \
    XX(EUNAUTH, -4, "unauthenticated", "not authenticated")                                        \
    XX(EPERM, -5, "permission_denied", "permission denied")                                        \
    XX(ETOOLARGE, -6, "too_large", "too large")                                                    \
    XX(EUNAVAIL, -7, "unavailable", "unavailable")                                                 \
    XX(EINTERNAL, -8, "internal", "internal error")                                                \
    XX(ENOMEM, -9, "unavailable", "out of memory")                                                 \
    XX(EIO, -10, "unavailable", "I/O error")                                                       \
    XX(ECORRUPT, -11, "internal", "data corruption detected")                                      \
    XX(ELONG, -12, "unavailable", "too long for the event loop")

typedef enum {
    KNOOP_OK = 0,
#define KNOOP__ERR_ENUM(name, val, wire, text) KNOOP_##name = (val),
    KNOOP_ERRNO_MAP(KNOOP__ERR_ENUM)
#undef KNOOP__ERR_ENUM
        KNOOP_ERR_MIN = -12
} knoop_err_t;

#define KNOOP_ERROR_MSG_MAX 256

/* Caller-owned error details. `code` is 0 or a knoop_err_t; `msg` is always NUL-terminated. */
typedef struct {
    int code;
    char msg[KNOOP_ERROR_MSG_MAX];
} knoop_error_t;

/*
 * Sets err (if not NULL) to code and a printf-formatted message, and returns code, so that a
 * caller can write `return knoop_error_set(err, KNOOP_EINVAL, "...")`. Never allocates. The
 * message is valid UTF-8: a character split by the length limit is dropped, any other invalid
 * byte becomes '?' (quote input with knoop_repr, which escapes it instead).
 */
KNOOP_API int knoop_error_set(knoop_error_t *err, int code, const char *fmt, ...)
    KNOOP_PRINTF(3, 4);

/* Clears err (if not NULL) to code 0 and an empty message. */
KNOOP_API void knoop_error_clear(knoop_error_t *err);

/* The wire code for code ("invalid_argument" ...); "internal" for unknown values. Static. */
KNOOP_API const char *knoop_err_wire(int code);

/* The enum value for a wire code, or KNOOP_EINTERNAL when the code is unknown. */
KNOOP_API int knoop_err_from_wire(const char *wire, size_t len);

/* The default text for code. Static. */
KNOOP_API const char *knoop_strerror(int code);

/*
 * Writes a printable, quoted copy of s[0..len) into out (size outsz): at most `cap` input bytes,
 * control characters, quotes and bytes that are not valid UTF-8 escaped as \n \t \xNN, "..."
 * appended when truncated. Valid multi-byte characters are copied whole and never cut: the copy
 * is valid UTF-8. Used to name bad input in error messages. Returns out.
 */
KNOOP_API char *knoop_repr(char *out, size_t outsz, const char *s, size_t len, size_t cap);

/*
 * KNOOP_NEVER(x): for conditions believed impossible. Asserts in debug builds and yields x in
 * release builds, so that the caller still handles the case:
 *     if (KNOOP_NEVER(n == 0)) return KNOOP_EINTERNAL;
 */
#ifdef NDEBUG
#define KNOOP_NEVER(x) (x)
#else
#include <assert.h>
#define KNOOP_NEVER(x) (assert(!(x)), (x))
#endif

#ifdef __cplusplus
}
#endif
#endif
