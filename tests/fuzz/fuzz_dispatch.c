/*
 * fuzz_dispatch.c - libFuzzer target for the request dispatcher (layer: tests, for cmd).
 *
 * The input is a stream of MessagePack-RPC messages. Each one the frame scanner delimits is
 * decoded and, when it is a request or notification of a known method, goes the way knoopd's
 * network loop sends it (net.c net__on_message, net__run_cmd): proto_params_map, then cmd_run
 * against a real store, so parameter checks, handlers and the write transaction all run. One
 * input may hold several requests, so that a corpus file can create a node and then use it.
 *
 * The store is opened once, in a mkdtemp directory, without fsync. State accumulates between
 * inputs (ids referred to by later inputs may exist); every FZ_RESET_EVERY inputs the store is
 * closed, its directory removed and a fresh one opened, which keeps memory and disk bounded.
 *
 * Invariants checked besides "no crash, leak or sanitizer report":
 * - success packs exactly one MessagePack object;
 * - a failure is a negative knoop_err_t with a wire code and a NUL-terminated message;
 * - a failed request, and any read method, commits nothing (store_last_seq is unchanged).
 */
#include <assert.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "proto.h"
#include "store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_RESET_EVERY 5000

static store_t *fz_store;
static char fz_dir[64];
static unsigned long fz_inputs;
static proto_limits_t fz_limits;
static cmd_stats_t fz_stats;
static bool fz_verbose; /* $FUZZ_VERBOSE: print each request's method and outcome */

static int fz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void fz_open(void)
{
    store_options_t so;
    knoop_error_t err;

    snprintf(fz_dir, sizeof(fz_dir), "/tmp/knoop-fuzz-dispatch-XXXXXX");
    if (mkdtemp(fz_dir) == NULL) {
        perror("fuzz_dispatch: mkdtemp");
        abort();
    }
    store_options_default(&so);
    so.sync = false; /* durability is not under test; speed is */
    if (store_open(fz_dir, &so, &fz_store, &err) != KNOOP_OK ||
        cmd_domain_init(fz_store, &err) != KNOOP_OK) {
        fprintf(stderr, "fuzz_dispatch: cannot open a store in %s: %s\n", fz_dir, err.msg);
        abort();
    }
}

static void fz_close(void)
{
    if (fz_store == NULL)
        return;
    cmd_domain_shutdown();
    store_close(fz_store);
    fz_store = NULL;
    nftw(fz_dir, fz_rm, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    proto_limits_default(&fz_limits);
    /* Big enough for every corpus request, small enough that one input cannot ask for much. */
    fz_limits.max_message = 64 * 1024;
    fz_stats.version = "fuzz";
    fz_stats.limits = &fz_limits;
    fz_stats.max_connections = KNOOP_DEFAULT_CONNECTIONS;
    fz_stats.max_inflight = KNOOP_DEFAULT_INFLIGHT;
    fz_stats.idle_seconds = KNOOP_DEFAULT_IDLE_SECONDS;
    fz_stats.request_ms = KNOOP_DEFAULT_REQUEST_MS;
    fz_verbose = getenv("FUZZ_VERBOSE") != NULL;
    fz_open();
    atexit(fz_close);
    return 0;
}

/* True when code is one of knoop_err.h's codes. */
static bool fz_known_err(int code)
{
    switch (code) {
#define FZ_ERR_CASE(name, val, wire, text)                                                         \
    case val:                                                                                      \
        return true;
        KNOOP_ERRNO_MAP(FZ_ERR_CASE)
#undef FZ_ERR_CASE
    default:
        return false;
    }
}

/* True when buf[0..len) is exactly one MessagePack object. */
static bool fz_one_object(const char *buf, size_t len)
{
    msgpack_unpacked u;
    size_t off = 0;
    bool ok;

    msgpack_unpacked_init(&u);
    ok = msgpack_unpack_next(&u, buf, len, &off) == MSGPACK_UNPACK_SUCCESS && off == len;
    msgpack_unpacked_destroy(&u);
    return ok;
}

static void fz_request(const char *buf, size_t len)
{
    msgpack_zone zone;
    proto_msg_t m;
    msgpack_object params;
    knoop_error_t err;
    const cmd_t *cmd;
    cmd_ctx_t ctx;
    msgpack_sbuffer res;
    msgpack_packer pk;
    uint64_t seq;
    int rc;

    if (!msgpack_zone_init(&zone, 2048))
        return;
    if (proto_decode(buf, len, &zone, &m, &err) != KNOOP_OK || m.type == PROTO_RESPONSE)
        goto out;
    if ((cmd = cmd_lookup(m.method, m.method_len)) == NULL)
        goto out;
    if (proto_params_map(&m.params, &params, &err) != KNOOP_OK)
        goto out;

    memset(&ctx, 0, sizeof(ctx));
    ctx.store = fz_store;
    ctx.who.actor = "fuzz";
    ctx.roles = CMD_ROLE_ALL;
    ctx.stats = &fz_stats;
    memset(&err, 0, sizeof(err));
    msgpack_sbuffer_init(&res);
    msgpack_packer_init(&pk, &res, msgpack_sbuffer_write);
    seq = store_last_seq(fz_store);
    rc = cmd_run(cmd, &ctx, &params, &pk, &err);
    if (fz_verbose)
        fprintf(stderr, "fuzz_dispatch: %s: %s %s\n", cmd->name,
                rc == 0 ? "ok" : knoop_err_wire(rc), rc == 0 ? "" : err.msg);
    if (rc == KNOOP_OK) {
        assert(fz_one_object(res.data, res.size));
    } else {
        assert(rc < 0 && fz_known_err(rc));
        assert(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
    }
    if (rc != KNOOP_OK || !(cmd->flags & CMD_WRITE))
        assert(store_last_seq(fz_store) == seq);
    assert(ctx.txn == NULL && ctx.view == NULL);
    msgpack_sbuffer_destroy(&res);
out:
    msgpack_zone_destroy(&zone);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    proto_scanner_t sc;
    size_t start = 0;
    int rc;

    if (++fz_inputs % FZ_RESET_EVERY == 0) {
        fz_close();
        fz_open();
    }
    while (start < size) {
        proto_scanner_init(&sc);
        rc = proto_scan(&sc, buf + start, size - start, &fz_limits, NULL);
        if (rc <= 0)
            break; /* incomplete or bad framing: knoopd would wait or close */
        fz_request(buf + start, (size_t)rc);
        start += (size_t)rc;
    }
    return 0;
}
