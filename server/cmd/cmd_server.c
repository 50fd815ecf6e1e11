/*
 * cmd_server.c - handlers about the server itself: ping, server.info (layer: cmd).
 */
#include <stdio.h>
#include <time.h>

#include "cmd.h"

int cmd_ping(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    (void)ctx;
    (void)p;
    (void)err;
    cmd_pack_cstr(pk, "pong");
    return KNOOP_OK;
}

static void cmd__kv_u64(msgpack_packer *pk, const char *k, uint64_t v)
{
    cmd_pack_cstr(pk, k);
    msgpack_pack_uint64(pk, v);
}

int cmd_server_info(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    const cmd_stats_t *st = ctx->stats;
    struct timespec ts;
    int64_t now;
    (void)p;
    if (st == NULL)
        return knoop_error_set(err, KNOOP_EINTERNAL, "server.info: no server figures");
    clock_gettime(CLOCK_REALTIME, &ts);
    now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    store_adjcache_stats_t ac;
    kv_caches_t kc;
    store_audit_stats_t au;
    store_adj_cache_stats(ctx->store, &ac);
    store_kv_caches(ctx->store, &kc);
    store_audit_stats(ctx->store, &au);
    msgpack_pack_map(pk, 16);
    cmd_pack_cstr(pk, "name");
    cmd_pack_cstr(pk, "knoopd");
    cmd_pack_cstr(pk, "version");
    cmd_pack_cstr(pk, st->version);
    cmd__kv_u64(pk, "uptime_s", (uint64_t)((now - st->started_ms) / 1000));
    cmd__kv_u64(pk, "connections", st->connections);
    cmd__kv_u64(pk, "requests", st->requests);
    cmd_pack_cstr(pk, "auth_required");
    cmd_pack_bool(pk, st->auth_required);
    cmd__kv_u64(pk, "last_seq", store_last_seq(ctx->store));
    cmd_pack_cstr(pk, "memory");
    msgpack_pack_map(pk, 5);
    cmd__kv_u64(pk, "recv_buffer_bytes", st->recv_buffer_bytes);
    cmd__kv_u64(pk, "output_bytes", st->output_bytes);
    cmd__kv_u64(pk, "queued_bytes", st->queued_bytes);
    cmd__kv_u64(pk, "requests_waiting", st->requests_waiting);
    cmd__kv_u64(pk, "requests_running", st->requests_running);
    cmd_pack_cstr(pk, "adj_cache");
    msgpack_pack_map(pk, 5);
    cmd__kv_u64(pk, "nodes", ac.nodes);
    cmd__kv_u64(pk, "bytes", ac.bytes);
    cmd__kv_u64(pk, "budget_bytes", ac.budget);
    cmd__kv_u64(pk, "hits", ac.hits);
    cmd__kv_u64(pk, "misses", ac.misses);
    cmd_pack_cstr(pk, "loop_tries");
    msgpack_pack_map(pk, 3);
    cmd__kv_u64(pk, "budget_us", st->loop_try_us);
    cmd__kv_u64(pk, "tried", st->loop_tries);
    cmd__kv_u64(pk, "moved", st->loop_tries_moved);
    cmd_pack_cstr(pk, "warm_up");
    cmd_pack_cstr(pk, st->warm_up != NULL ? st->warm_up : "off");
    cmd_pack_cstr(pk, "block_cache");
    msgpack_pack_map(pk, 2);
    cmd__kv_u64(pk, "bytes", kc.block_bytes);
    cmd__kv_u64(pk, "budget_bytes", kc.block_budget);
    cmd_pack_cstr(pk, "row_cache");
    msgpack_pack_map(pk, 2);
    cmd__kv_u64(pk, "bytes", kc.row_bytes);
    cmd__kv_u64(pk, "budget_bytes", kc.row_budget);
    cmd_pack_cstr(pk, "memtables");
    msgpack_pack_map(pk, 1);
    cmd__kv_u64(pk, "bytes", kc.memtable_bytes);
    cmd_pack_cstr(pk, "read_audit");
    msgpack_pack_map(pk, 2);
    cmd__kv_u64(pk, "entries", au.read_entries);
    cmd__kv_u64(pk, "writes", au.read_writes);
    cmd_pack_cstr(pk, "limits");
    msgpack_pack_map(pk, 9);
    cmd__kv_u64(pk, "message_bytes", st->limits->max_message);
    cmd__kv_u64(pk, "depth", st->limits->max_depth);
    cmd__kv_u64(pk, "string_bytes", st->limits->max_string);
    cmd__kv_u64(pk, "container_entries", st->limits->max_entries);
    cmd__kv_u64(pk, "connections", st->max_connections);
    cmd__kv_u64(pk, "inflight", st->max_inflight);
    cmd__kv_u64(pk, "idle_s", st->idle_seconds);
    cmd__kv_u64(pk, "request_ms", st->request_ms);
    cmd__kv_u64(pk, "properties", KNOOP_MAX_PROPERTIES);
    return KNOOP_OK;
}
