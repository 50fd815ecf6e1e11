/*
 * knoop.h - libknoop, the C client library of Knoop (layer: client).
 *
 * A blocking MessagePack-RPC client for knoopd (proto/PROTOCOL.md is the contract). A
 * connection is used by one thread at a time; different connections are independent, so a
 * multi-threaded service opens one per thread or guards one with a lock. Nothing here keeps
 * global state, installs signal handlers or writes to stdout/stderr. Writes use MSG_NOSIGNAL, so
 * a closed peer gives an error rather than SIGPIPE.
 *
 * Errors follow proto/knoop_err.h: every int-returning function returns 0 (KNOOP_OK) or a
 * negative knoop_err_t and fills the caller-owned knoop_error_t (may be NULL) with the code and
 * a message. Transport failures (refused, reset, timed out, closed) are KNOOP_EUNAVAIL with a
 * message naming the address ("connection to 127.0.0.1:7474 refused"); after one, the
 * connection is unusable (knoop_connected() returns 0) and should be closed. A server error
 * response gives the code mapped from its wire code by knoop_err_from_wire() and err->msg set
 * to the server's message; the connection stays usable.
 *
 * Ownership: pointers passed in are borrowed for the call. Objects returned through an `out`
 * parameter are owned by the caller and freed with the matching _free/_close function.
 */
#ifndef KNOOP_H
#define KNOOP_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "knoop_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The address used when knoop_connect() gets NULL and $KNOOP_ADDR is unset or empty. */
#define KNOOP_DEFAULT_ADDR "127.0.0.1:7474"

/* Milliseconds knoop_connect() waits for a TCP handshake. */
#define KNOOP_CONNECT_TIMEOUT_MS 10000

/* The library version ("0.1.0"). Static storage. */
KNOOP_API const char *knoop_version(void);

typedef struct knoop_conn knoop_conn_t;

/*
 * Opens a connection to knoopd. addr is "host:port", "[v6addr]:port", "host" (port 7474),
 * "unix:/path/to/socket" or a path starting with '/'; NULL means $KNOOP_ADDR, or
 * KNOOP_DEFAULT_ADDR when that is unset. Host names are resolved with getaddrinfo and each
 * address is tried in turn. On success *out is a new connection, owned by the caller (close it
 * with knoop_close), with no call timeout.
 *
 * Returns 0; KNOOP_EINVAL for a malformed address; KNOOP_EUNAVAIL when the server cannot be
 * reached ("connection to 127.0.0.1:7474 refused", "cannot resolve 'nohost'", "timed out");
 * KNOOP_ENOMEM. *out is NULL on failure.
 */
KNOOP_API int knoop_connect(const char *addr, knoop_conn_t **out, knoop_error_t *err);

/* Closes the socket and frees c, discarding unsent requests and unread responses. NULL is a
 * no-op. */
KNOOP_API void knoop_close(knoop_conn_t *c);

/*
 * Sets the time limit, in milliseconds, for each later knoop_call, knoop_flush and knoop_recv
 * (each call gets the full limit). 0 means wait forever (the default). A call that runs out of
 * time returns KNOOP_EUNAVAIL and leaves the connection unusable, since a late response could
 * otherwise be taken for the answer to a later request. Returns 0, or KNOOP_EINVAL for ms < 0.
 */
KNOOP_API int knoop_set_timeout(knoop_conn_t *c, int ms);

/* 1 while c can be used; 0 after a transport failure, a timeout or a protocol violation by the
 * peer. */
KNOOP_API int knoop_connected(const knoop_conn_t *c);

/* The address c was opened with, normalised ("127.0.0.1:7474", "unix:/run/knoop.sock"). Owned
 * by c. */
KNOOP_API const char *knoop_conn_addr(const knoop_conn_t *c);

/* A successful result. It owns the msgpack zone (and receive buffer chunk) its objects live in,
 * so the value stays valid until knoop_result_free, whatever else happens on the connection. */
typedef struct knoop_result knoop_result_t;

/* The result object of the response (for example the node map, or the string "pong"). Owned by
 * r. */
KNOOP_API const msgpack_object *knoop_result_value(const knoop_result_t *r);

/* Frees r and everything knoop_result_value() pointed into. NULL is a no-op. */
KNOOP_API void knoop_result_free(knoop_result_t *r);

/*
 * Calls method and waits for its response. params is one packed MessagePack map of named
 * parameters (len bytes; exactly one object, which must be a map), which the library sends as
 * the one-element params array; NULL (len ignored) sends []. On success *out is the result,
 * owned by the caller.
 *
 * knoop_call must not be mixed with outstanding pipelined requests: with responses to
 * knoop_send still unread it returns KNOOP_EINVAL and sends nothing.
 *
 * Returns 0; KNOOP_EINVAL when params is not one map (nothing is sent); a server error code
 * (err->msg = the server's message); KNOOP_EUNAVAIL for transport failures and timeouts;
 * KNOOP_EINTERNAL when the server sent something that is not a valid response;
 * KNOOP_ENOMEM. *out is NULL on failure.
 */
KNOOP_API int knoop_call(knoop_conn_t *c, const char *method, const void *params, size_t len,
                         knoop_result_t **out, knoop_error_t *err);

/*
 * Pipelining. knoop_send queues a request (params as for knoop_call) in c's output buffer and
 * sets *msgid (if not NULL) to its message id; the buffer is written by knoop_flush, or by
 * knoop_send itself once it holds more than 1 MiB. knoop_recv flushes what is queued, then waits
 * for the next response, which may answer any outstanding request (the server answers in any
 * order): *msgid tells which. While writing, the library also reads what the server has
 * already answered, so a long pipeline cannot deadlock on full socket buffers.
 *
 * knoop_recv returns 0 with *out the result (caller-owned); or, for an error response, the
 * server's code (mapped with knoop_err_from_wire) with err->msg the server's message, *msgid
 * set and *out NULL; KNOOP_EINVAL when no request is outstanding; KNOOP_EUNAVAIL,
 * KNOOP_EINTERNAL, KNOOP_ENOMEM as for knoop_call (then *msgid is not meaningful).
 * knoop_send and knoop_flush return 0, KNOOP_EINVAL (bad params; nothing queued),
 * KNOOP_EUNAVAIL or KNOOP_ENOMEM.
 */
KNOOP_API int knoop_send(knoop_conn_t *c, const char *method, const void *params, size_t len,
                         uint32_t *msgid, knoop_error_t *err);
KNOOP_API int knoop_flush(knoop_conn_t *c, knoop_error_t *err);
KNOOP_API int knoop_recv(knoop_conn_t *c, uint32_t *msgid, knoop_result_t **out,
                         knoop_error_t *err);

/*
 * knoop_call with JSON text. params_json is a JSON object (the named parameters) or NULL for
 * none. JSON numbers become MessagePack integers (non-negative ones unsigned) or floats. On
 * success *result_json is the result as compact JSON text, malloc'd, owned by the caller (free
 * it with free()). MessagePack binary and extension values become base64 strings, map keys
 * that are not strings their JSON text (an integer key 7 becomes "7"), invalid UTF-8 in
 * strings U+FFFD, and unsigned integers above INT64_MAX decimal strings.
 *
 * Returns as knoop_call, plus KNOOP_EINVAL when params_json is not valid JSON or not an
 * object (err names line and column). *result_json is NULL on failure.
 */
KNOOP_API int knoop_call_json(knoop_conn_t *c, const char *method, const char *params_json,
                              char **result_json, knoop_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
