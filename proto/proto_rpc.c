/*
 * proto_rpc.c - MessagePack-RPC envelopes: decoding and checking request, response and
 * notification arrays, Knoop's one-map params convention, and encoding (layer: proto).
 *
 * Spec: https://github.com/msgpack-rpc/msgpack-rpc/blob/master/spec.md. Request
 * [0, msgid, method, params], response [1, msgid, error, result], notification
 * [2, method, params].
 */
#include "proto.h"

#include <string.h>

static const char *rpc_type_label(uint64_t type)
{
    switch (type) {
    case PROTO_REQUEST:
        return "request";
    case PROTO_RESPONSE:
        return "response";
    default:
        return "notification";
    }
}

int proto_decode(const char *buf, size_t len, msgpack_zone *zone, proto_msg_t *out,
                 knoop_error_t *err)
{
    proto_limits_t ceil = { KNOOP_MAX_MESSAGE_BYTES, KNOOP_MAX_DEPTH, KNOOP_MAX_STRING_BYTES,
                            KNOOP_MAX_CONTAINER_ENTRIES };
    proto_scanner_t sc;
    msgpack_object top;
    const msgpack_object *el;
    const char *label;
    size_t off = 0, want, i, mlen;
    const char *mptr;
    uint64_t type;
    int rc;

    memset(out, 0, sizeof(*out));
    out->params.type = MSGPACK_OBJECT_NIL;
    out->error.type = MSGPACK_OBJECT_NIL;
    out->result.type = MSGPACK_OBJECT_NIL;

    /* Never let msgpack-c see a declared size or a depth it would choke on. */
    if (len > KNOOP_MAX_MESSAGE_BYTES)
        return knoop_error_set(err, KNOOP_ETOOLARGE, "message: %zu bytes exceeds the limit of %u",
                               len, (unsigned)KNOOP_MAX_MESSAGE_BYTES);
    proto_scanner_init(&sc);
    rc = proto_scan(&sc, buf, len, &ceil, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return knoop_error_set(err, KNOOP_EINVAL, "message: truncated after %zu bytes", len);
    if ((size_t)rc != len)
        return knoop_error_set(err, KNOOP_EINVAL, "message: %zu unexpected bytes after offset %d",
                               len - (size_t)rc, rc);

    switch (msgpack_unpack(buf, len, &off, zone, &top)) {
    case MSGPACK_UNPACK_SUCCESS:
        break;
    case MSGPACK_UNPACK_NOMEM_ERROR:
        return knoop_error_set(err, KNOOP_ENOMEM, "message: out of memory decoding %zu bytes", len);
    default:
        /* The scanner accepted it, so msgpack-c should too. */
        return knoop_error_set(err, KNOOP_EINVAL, "message: not valid MessagePack");
    }

    if (top.type != MSGPACK_OBJECT_ARRAY)
        return knoop_error_set(err, KNOOP_EINVAL, "message: expected array, got %s",
                               proto_type_name(&top));
    if (top.via.array.size == 0)
        return knoop_error_set(err, KNOOP_EINVAL, "message: expected [type, ...], got []");
    el = top.via.array.ptr;
    if (el[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER || el[0].via.u64 > PROTO_NOTIFY) {
        if (el[0].type == MSGPACK_OBJECT_POSITIVE_INTEGER)
            return knoop_error_set(err, KNOOP_EINVAL, "message: type: expected 0, 1 or 2, got %llu",
                                   (unsigned long long)el[0].via.u64);
        return knoop_error_set(err, KNOOP_EINVAL, "message: type: expected 0, 1 or 2, got %s",
                               proto_type_name(&el[0]));
    }
    type = el[0].via.u64;
    out->type = (proto_type_t)type;
    label = rpc_type_label(type);

    /* Read the msgid first, so that a request with a bad shape can still be answered. */
    i = 1;
    if (type != PROTO_NOTIFY) {
        if (top.via.array.size < 2)
            return knoop_error_set(err, KNOOP_EINVAL, "%s: expected 4 elements, got 1", label);
        if (el[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: msgid: expected unsigned integer, got %s", label,
                                   proto_type_name(&el[1]));
        if (el[1].via.u64 > UINT32_MAX)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: msgid: %llu is larger than the maximum %lu", label,
                                   (unsigned long long)el[1].via.u64, (unsigned long)UINT32_MAX);
        out->msgid = (uint32_t)el[1].via.u64;
        out->msgid_known = true;
        i = 2;
    }
    want = type == PROTO_NOTIFY ? 3 : 4;
    if (top.via.array.size != want)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: expected %zu elements, got %lu", label, want,
                               (unsigned long)top.via.array.size);

    if (type == PROTO_RESPONSE) {
        out->error = el[2];
        out->result = el[3];
        return 0;
    }

    /* Older MessagePack-RPC clients (msgpack's "raw" era, pynvim among them) send the method
     * name as binary; its bytes are the name all the same. */
    if (el[i].type == MSGPACK_OBJECT_STR) {
        mptr = el[i].via.str.ptr;
        mlen = el[i].via.str.size;
    } else if (el[i].type == MSGPACK_OBJECT_BIN) {
        mptr = el[i].via.bin.ptr;
        mlen = el[i].via.bin.size;
    } else {
        return knoop_error_set(err, KNOOP_EINVAL, "%s: method: expected string, got %s", label,
                               proto_type_name(&el[i]));
    }
    if (mlen == 0)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: method: expected a method name, got ''",
                               label);
    if (mlen > KNOOP_MAX_NAME_BYTES) {
        char q[4 * 64 + 16];
        return knoop_error_set(err, KNOOP_EINVAL, "%s: method: longer than %d bytes: %s", label,
                               KNOOP_MAX_NAME_BYTES, knoop_repr(q, sizeof(q), mptr, mlen, 64));
    }
    out->method = mptr;
    out->method_len = mlen;

    if (el[i + 1].type != MSGPACK_OBJECT_ARRAY)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: params: expected array, got %s", label,
                               proto_type_name(&el[i + 1]));
    out->params = el[i + 1];
    return 0;
}

bool proto_peek_msgid(const char *buf, size_t len, uint32_t *msgid)
{
    const unsigned char *p = (const unsigned char *)buf;
    uint64_t v = 0;
    size_t n, i;

    if (len < 3 || p[0] != 0x94 || p[1] != 0x00)
        return false;
    if (p[2] <= 0x7f) {
        *msgid = p[2];
        return true;
    }
    /* uint8..uint64, and int8..int64 holding a value >= 0: msgpack-c decodes those as unsigned,
     * so proto_decode accepts them as a msgid too (found by fuzz_proto). */
    switch (p[2]) {
    case 0xcc:
    case 0xd0:
        n = 1;
        break;
    case 0xcd:
    case 0xd1:
        n = 2;
        break;
    case 0xce:
    case 0xd2:
        n = 4;
        break;
    case 0xcf:
    case 0xd3:
        n = 8;
        break;
    default:
        return false;
    }
    if (len < 3 + n)
        return false;
    if (p[2] >= 0xd0 && (p[3] & 0x80) != 0)
        return false; /* a negative signed integer */
    for (i = 0; i < n; i++)
        v = (v << 8) | p[3 + i];
    if (v > UINT32_MAX)
        return false;
    *msgid = (uint32_t)v;
    return true;
}

int proto_params_map(const msgpack_object *params, msgpack_object *map, knoop_error_t *err)
{
    memset(map, 0, sizeof(*map));
    map->type = MSGPACK_OBJECT_MAP;

    if (params == NULL)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params: expected [ {named parameters} ], got nothing");
    if (params->type != MSGPACK_OBJECT_ARRAY)
        return knoop_error_set(err, KNOOP_EINVAL, "params: expected [ {named parameters} ], got %s",
                               proto_type_name(params));
    if (params->via.array.size == 0)
        return 0;
    if (params->via.array.size > 1)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params: expected [ {named parameters} ], got an array of %lu "
                               "elements",
                               (unsigned long)params->via.array.size);
    if (params->via.array.ptr[0].type != MSGPACK_OBJECT_MAP)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params: expected [ {named parameters} ], got [ %s ]",
                               proto_type_name(&params->via.array.ptr[0]));
    *map = params->via.array.ptr[0];
    return 0;
}

/* msgpack-c's pack functions return 0 or the write callback's failure (-1 for an sbuffer that
 * cannot grow); fold the results of a sequence of them into one. */
#define RPC_PACK(x)                                                                                \
    do {                                                                                           \
        if ((x) != 0)                                                                              \
            return KNOOP_ENOMEM;                                                                   \
    } while (0)

static int rpc_pack_cstr(msgpack_packer *pk, const char *s)
{
    RPC_PACK(proto_pack_strn(pk, s, strlen(s)));
    return 0;
}

int proto_pack_str(msgpack_packer *pk, const char *s)
{
    if (s == NULL) {
        RPC_PACK(msgpack_pack_nil(pk));
        return 0;
    }
    return rpc_pack_cstr(pk, s);
}

int proto_pack_request(msgpack_packer *pk, uint32_t msgid, const char *method)
{
    RPC_PACK(msgpack_pack_array(pk, 4));
    RPC_PACK(msgpack_pack_uint8(pk, PROTO_REQUEST));
    RPC_PACK(msgpack_pack_uint32(pk, msgid));
    return rpc_pack_cstr(pk, method);
}

int proto_pack_response_ok(msgpack_packer *pk, uint32_t msgid)
{
    RPC_PACK(msgpack_pack_array(pk, 4));
    RPC_PACK(msgpack_pack_uint8(pk, PROTO_RESPONSE));
    RPC_PACK(msgpack_pack_uint32(pk, msgid));
    RPC_PACK(msgpack_pack_nil(pk));
    return 0;
}

int proto_pack_error_map(msgpack_packer *pk, int code, const char *msg)
{
    RPC_PACK(msgpack_pack_map(pk, 2));
    RPC_PACK(rpc_pack_cstr(pk, "code"));
    RPC_PACK(rpc_pack_cstr(pk, knoop_err_wire(code)));
    RPC_PACK(rpc_pack_cstr(pk, "message"));
    return rpc_pack_cstr(pk, msg != NULL ? msg : knoop_strerror(code));
}

int proto_pack_response_err(msgpack_packer *pk, uint32_t msgid, int code, const char *msg)
{
    RPC_PACK(msgpack_pack_array(pk, 4));
    RPC_PACK(msgpack_pack_uint8(pk, PROTO_RESPONSE));
    RPC_PACK(msgpack_pack_uint32(pk, msgid));
    RPC_PACK(proto_pack_error_map(pk, code, msg));
    RPC_PACK(msgpack_pack_nil(pk));
    return 0;
}
