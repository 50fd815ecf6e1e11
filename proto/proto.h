/*
 * proto.h - the MessagePack-RPC wire layer of Knoop: a resumable frame scanner, envelope
 * decoding and encoding, and named-parameter checking (layer: proto).
 *
 * No I/O and no global state: every function here is reentrant and may be called from any
 * thread. The server's network loop feeds received bytes to proto_scan() until it delimits one
 * message, decodes it with proto_decode(), and dispatch checks the named parameters with
 * proto_params_check() against the command table's spec. The client uses the same functions in
 * the other direction. The wire contract is proto/PROTOCOL.md; the bounds are knoop_limits.h.
 *
 * Ownership: unless a comment says otherwise, pointers passed in are borrowed for the call, and
 * pointers returned point into the caller's buffers (see proto_decode() for what a decoded
 * message borrows).
 */
#ifndef PROTO_H
#define PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>
#include <string.h>

#include "knoop_alloc.h"
#include "knoop_err.h"
#include "knoop_limits.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Frame scanner                                                                               */
/* ------------------------------------------------------------------------------------------ */

/*
 * The bounds one message must respect. Values above the hard ceilings of knoop_limits.h
 * (KNOOP_MAX_MESSAGE_BYTES, KNOOP_MAX_DEPTH, KNOOP_MAX_STRING_BYTES,
 * KNOOP_MAX_CONTAINER_ENTRIES) are treated as the ceiling by proto_scan(); validating a
 * configuration against the ceilings is the caller's job, done once at start-up.
 */
typedef struct {
    uint32_t max_message; /* bytes in one message, header to last byte */
    uint32_t max_depth;   /* nested arrays and maps; a top-level array is depth 1 */
    uint32_t max_string;  /* bytes of one str, bin or ext payload */
    uint32_t max_entries; /* elements of one array, pairs of one map */
} proto_limits_t;

/* Fills l with the KNOOP_DEFAULT_* values of knoop_limits.h. */
void proto_limits_default(proto_limits_t *l);

/*
 * Scanner state: fixed size, no pointers, no allocation. `pos` is the offset just past the last
 * item accounted for (it may run ahead of the bytes received while a string's payload is still
 * arriving); `stack[i]` is how many items container level i still expects (a map counts keys
 * and values separately); `pending` is the sum of the stack, the least number of bytes the
 * message still needs. Treat the fields as private.
 */
typedef struct {
    uint64_t pos;
    uint64_t pending;
    uint32_t depth;
    bool done;
    uint64_t stack[KNOOP_MAX_DEPTH];
} proto_scanner_t;

/* Prepares s for the first byte of a message. */
void proto_scanner_init(proto_scanner_t *s);

/*
 * Finds the end of the first complete top-level MessagePack object in buf[0..len), checking
 * the limits l (NULL: the defaults) on every header before any payload is needed.
 *
 * buf is all unconsumed input from the first byte of the current message: on each call the
 * caller passes the same prefix again plus whatever arrived since, and the scanner resumes
 * where it stopped, so scanning a message costs O(its length) however it is split. buf may
 * hold further (pipelined) messages after the first; they are not looked at.
 *
 * Returns:
 *   0   the message is incomplete; call again with more bytes. Nothing in buf is wrong so far.
 *   >0  the length of the complete message at buf[0]; s is reset for the next message, which
 *       starts at buf[returned length] (pass it as a new buffer start).
 *   KNOOP_ETOOLARGE  the message is, or is declared to become, longer than max_message (a
 *       declared string or container is checked against it before its bytes arrive: every
 *       array element needs at least one byte, every map pair two); a str, bin or ext payload
 *       longer than max_string; an array or map declaring more than max_entries entries.
 *   KNOOP_EINVAL     the byte 0xc1 (never used in MessagePack), or nesting deeper than
 *       max_depth (an empty array or map counts as a level too).
 * On an error err (if not NULL) names the problem and its byte offset in the message, and s is
 * reset; the stream is then unusable (the caller answers and closes the connection). Never
 * allocates. Any thread; s must not be shared between threads without a lock.
 */
int proto_scan(proto_scanner_t *s, const char *buf, size_t len, const proto_limits_t *l,
               knoop_error_t *err);

/* ------------------------------------------------------------------------------------------ */
/* MessagePack-RPC envelopes                                                                   */
/* ------------------------------------------------------------------------------------------ */

typedef enum { PROTO_REQUEST = 0, PROTO_RESPONSE = 1, PROTO_NOTIFY = 2 } proto_type_t;

/*
 * One decoded message. Request: [0, msgid, method, params]; response: [1, msgid, error,
 * result]; notification: [2, method, params]. Fields that do not apply to the type are zero
 * (objects: nil).
 */
typedef struct {
    proto_type_t type;
    uint32_t msgid;        /* requests and responses */
    bool msgid_known;      /* true once a msgid could be read, even when the rest is bad */
    const char *method;    /* requests and notifications; not NUL-terminated */
    size_t method_len;     /* 1 .. KNOOP_MAX_NAME_BYTES */
    msgpack_object params; /* requests and notifications: the params array as sent */
    msgpack_object error;  /* responses: nil on success */
    msgpack_object result; /* responses */
} proto_msg_t;

/*
 * Decodes the one complete message buf[0..len) (as delimited by proto_scan) into out, with its
 * objects allocated in zone (caller-owned, initialised with msgpack_zone_init or
 * msgpack_zone_new). The decoded objects borrow from BOTH zone and buf: msgpack-c points
 * strings, binaries and extensions (and so out->method) into buf without copying. Keep buf
 * unchanged and zone alive until out is no longer used; copy what must outlive them.
 *
 * Validates the envelope: an array of 4 elements (request, response) or 3 (notification), type
 * 0, 1 or 2, msgid an unsigned integer that fits uint32, method a non-empty string of at most
 * KNOOP_MAX_NAME_BYTES bytes, params an array. The error and result of a response and the
 * contents of params are not checked. out->msgid_known is set as soon as the msgid is read, so
 * that a caller can still answer a request whose other fields are bad.
 *
 * buf is checked with proto_scan() against the hard ceilings of knoop_limits.h before
 * msgpack-c sees it, so the decoder never preallocates for an absurd declared size and never
 * hits msgpack-c's own depth limit; apply the configured (tighter) limits with proto_scan()
 * first.
 *
 * Returns 0; KNOOP_EINVAL for a malformed message (not exactly one MessagePack object, or a
 * bad envelope), with err naming the field, e.g. "request: msgid: expected unsigned integer,
 * got string" or "request: params: expected array, got map"; KNOOP_ETOOLARGE when buf exceeds
 * the ceilings; KNOOP_ENOMEM when the zone cannot grow. Any thread.
 */
int proto_decode(const char *buf, size_t len, msgpack_zone *zone, proto_msg_t *out,
                 knoop_error_t *err);

/*
 * Reads the msgid of a request from the first bytes of buf[0..len) without decoding the rest:
 * [0x94, 0x00, msgid, ...], the msgid in any integer encoding (unsigned, or signed holding a
 * value >= 0, as proto_decode accepts) of a value that fits uint32. For
 * input that cannot be decoded (over a limit, malformed further on), so that the error can
 * still be answered. Returns true and sets *msgid when one can be read. Never allocates.
 */
bool proto_peek_msgid(const char *buf, size_t len, uint32_t *msgid);

/*
 * Knoop's convention (proto/PROTOCOL.md): params is an array holding one map of named
 * parameters, [{"id": 42}]; a method without parameters also accepts []. Sets *map to that map
 * (a shallow copy of the object, still borrowing its buffers), or to an empty map when params
 * is []. Returns 0, or KNOOP_EINVAL with "params: expected [ {named parameters} ], got ..."
 * (*map is then an empty map). Never allocates. Any thread.
 */
int proto_params_map(const msgpack_object *params, msgpack_object *map, knoop_error_t *err);

/*
 * Encoding. Each writes with pk (set up by the caller, usually on a knoop_buf_t) and
 * returns 0, or KNOOP_ENOMEM when the packer's write callback fails (for an sbuffer: out of
 * memory); the buffer then holds a partial message and must be discarded. Any thread.
 */

/* Writes the start of a request, [0, msgid, method, ; the caller then packs exactly one more
 * object, the params array. method must be a NUL-terminated string. */
int proto_pack_request(msgpack_packer *pk, uint32_t msgid, const char *method);

/* Writes the start of a successful response, [1, msgid, nil, ; the caller then packs exactly
 * one more object, the result. */
int proto_pack_response_ok(msgpack_packer *pk, uint32_t msgid);

/* Writes a complete error response [1, msgid, {"code": wire, "message": msg}, nil], the wire
 * code being knoop_err_wire(code). msg NULL means knoop_strerror(code). */
int proto_pack_response_err(msgpack_packer *pk, uint32_t msgid, int code, const char *msg);

/* Writes the error object {"code": knoop_err_wire(code), "message": msg}; msg NULL means
 * knoop_strerror(code). */
int proto_pack_error_map(msgpack_packer *pk, int code, const char *msg);

/* ------------------------------------------------------------------------------------------ */
/* Reading packed MessagePack in place (proto_scan.c): no allocation, every length checked. */

typedef enum {
    PROTO_V_NIL,
    PROTO_V_BOOL,  /* u: 0 or 1 */
    PROTO_V_UINT,  /* u; every integer format holding a value >= 0 */
    PROTO_V_INT,   /* i; a value < 0 */
    PROTO_V_FLOAT, /* not decoded */
    PROTO_V_STR,   /* s, len */
    PROTO_V_BIN,   /* s, len */
    PROTO_V_EXT,   /* s, len: the body, without its type byte */
    PROTO_V_ARRAY, /* u entries follow */
    PROTO_V_MAP    /* u key/value pairs follow */
} proto_vtype_t;

typedef struct {
    proto_vtype_t type;
    uint64_t u;
    int64_t i;
    const char *s; /* into the bytes read */
    size_t len;
} proto_val_t;

/* A position in p..end; bad once a read ran out of bytes or met the unused code 0xc1. */
typedef struct {
    const unsigned char *p, *end;
    bool bad;
} proto_cursor_t;

/*
 * Reads the value at c into v and moves past it: a scalar whole (a string's body included), a
 * container's header only (its u entries, or pairs, follow). False, with c->bad set and c
 * wherever it stopped, when the bytes end first or hold 0xc1; a bad cursor reads nothing more.
 */
bool proto_read(proto_cursor_t *c, proto_val_t *v);

/* Moves c past one whole value, a container with everything in it. False as proto_read. */
bool proto_skip(proto_cursor_t *c);

/* Writes the NUL-terminated string s, or nil when s is NULL. */
int proto_pack_str(msgpack_packer *pk, const char *s);

/*
 * Writes the string s[0..n) (no NUL needed). One that fits a fixstr (under 32 bytes: every key
 * and most values of an answer) goes to pk's callback in one write, header and body together.
 * Returns the callback's result (0 or -1).
 */
static inline int proto_pack_strn(msgpack_packer *pk, const char *s, size_t n)
{
    if (n < 32) {
        char b[32];
        b[0] = (char)(0xa0 | n);
        memcpy(b + 1, s, n);
        return pk->callback(pk->data, b, n + 1);
    }
    if (msgpack_pack_str(pk, n) != 0)
        return -1;
    return msgpack_pack_str_body(pk, s, n);
}

/* Writes the string literal lit (a map key, say): its length is known when compiled. */
#define PROTO_PACK_KEY(pk, lit) proto_pack_strn((pk), "" lit, sizeof(lit) - 1)

/* ------------------------------------------------------------------------------------------ */
/* Named parameters                                                                            */
/* ------------------------------------------------------------------------------------------ */

typedef enum {
    PROTO_T_ANY,       /* any value */
    PROTO_T_U64,       /* unsigned integer */
    PROTO_T_I64,       /* integer that fits int64_t */
    PROTO_T_STR,       /* string */
    PROTO_T_BOOL,      /* boolean */
    PROTO_T_MAP,       /* map */
    PROTO_T_ARRAY,     /* array */
    PROTO_T_DATE,      /* string shaped YYYY-MM-DD (digits and dashes; the calendar is
                          schema's job) */
    PROTO_T_STR_OR_U64 /* string or unsigned integer, e.g. a node id or an external key */
} proto_ptype_t;

/* One named parameter of a method. A spec is an array of these ending with PROTO_PARAM_END
 * (an entry whose name is NULL). */
typedef struct {
    const char *name;
    proto_ptype_t type;
    bool required;
} proto_param_spec_t;

/* The terminator of a spec, spelled out so that clang's -Wmissing-field-initializers stays
 * quiet (it warns on a bare { NULL }). */
#define PROTO_PARAM_END                                                                            \
    {                                                                                              \
        NULL, PROTO_T_ANY, false                                                                   \
    }

/*
 * Checks the named-parameter map against spec: map is a map, every key a string, no unknown
 * parameter, no parameter twice, every required one present, every present one of its type. A
 * nil value counts as absent (so an optional parameter may be sent as nil, a required one may
 * not). Checks keys in the order sent, then the required ones in spec order, and reports the
 * first problem.
 *
 * Returns 0, or KNOOP_EINVAL with err naming the field and quoting bad input (knoop_repr, at
 * most 64 bytes): "params.id: expected unsigned integer, got string 'abc'", "params: unknown
 * parameter 'idd'", "params: duplicate parameter 'id'", "params.kind: required". Never
 * allocates. Any thread.
 */
int proto_params_check(const msgpack_object *map, const proto_param_spec_t *spec,
                       knoop_error_t *err);

/*
 * As proto_params_check, with a second spec `common` (may be NULL) of parameters that the caller
 * accepts on top of spec (the dispatcher's generic `reason` and `purpose`); a name in both is
 * checked against spec. Never allocates. Any thread.
 */
int proto_params_check_with(const msgpack_object *map, const proto_param_spec_t *spec,
                            const proto_param_spec_t *common, knoop_error_t *err);

/*
 * Lookup helpers for a map that passed proto_params_check(). Each finds the first key equal to
 * the NUL-terminated name. A parameter that is absent or nil (or a map that is NULL or not a
 * map) gives NULL or false; so does a value of another type for the typed helpers. Returned
 * pointers borrow from the map's buffers.
 */
const msgpack_object *proto_param(const msgpack_object *map, const char *name);

/*
 * Looks for two equal string keys in map in linear time (a hash set over the keys). Returns 1 and
 * sets *dup to the index of the second occurrence when there is one, 0 when every key is unique
 * (non-string keys are ignored), KNOOP_ENOMEM when the set cannot be allocated.
 */
int proto_map_find_dup(const msgpack_object *map, uint32_t *dup);
bool proto_param_u64(const msgpack_object *map, const char *name, uint64_t *out);
/* *s is not NUL-terminated; *len is its length. */
bool proto_param_str(const msgpack_object *map, const char *name, const char **s, size_t *len);
bool proto_param_bool(const msgpack_object *map, const char *name, bool *out);

/* The name of o's type for messages: "nil", "boolean", "unsigned integer", "negative
 * integer", "float", "string", "binary", "extension", "array", "map"; "nothing" for NULL.
 * Static storage. */
const char *proto_type_name(const msgpack_object *o);

#ifdef __cplusplus
}
#endif
#endif
