/*
 * net.h - knoopd's network layer: the libuv loop, listeners, connections, MessagePack-RPC
 * dispatch onto the thread pool, auth and graceful shutdown (layer: net, the top).
 */
#ifndef NET_H
#define NET_H

#include <stdbool.h>
#include <stdint.h>

#include "cmd.h"
#include "proto.h"

/* Retention rules one knoopd runs (a handful in practice: one per kind and age). */
#define NET_MAX_RETENTION_RULES 16
/* The scheduled retention job's default interval and its bounds, in seconds. */
#define NET_RETENTION_INTERVAL_DEFAULT 3600
#define NET_RETENTION_INTERVAL_MIN     1
#define NET_RETENTION_INTERVAL_MAX     (7 * 86400)

typedef enum { NET_LOG_DEBUG = 0, NET_LOG_INFO, NET_LOG_WARN, NET_LOG_ERROR } net_log_level_t;

typedef struct {
    const char *data_dir;
    char listen_host[256];
    int listen_port;
    const char *socket_path; /* NULL = no Unix socket */
    proto_limits_t limits;
    uint32_t max_connections;
    uint32_t max_inflight;
    uint32_t max_pending_output;
    uint32_t max_total_output; /* bytes, over all connections */
    uint32_t max_queued_bytes; /* bytes of requests waiting for a worker, over all connections */
    uint32_t max_result_bytes; /* bytes of one answer */
    uint32_t idle_seconds;
    uint32_t request_ms;
    uint32_t shutdown_ms;    /* grace period of a shutdown */
    uint32_t min_free_mb;    /* writes are refused while less is free where the data is */
    uint32_t adj_cache_mb;   /* the adjacency cache, 0 = none */
    uint32_t block_cache_mb; /* RocksDB's block cache, 0 = RocksDB's default */
    uint32_t row_cache_mb;   /* RocksDB's row cache, 0 = none */
    uint32_t loop_try_us;    /* how long a request may be tried on the loop, 0 = never */
    int threads;
    bool sync;
    char *auth_token;     /* the shared admin token (--auth-token-file), NULL = none; borrowed */
    bool trust_loopback;  /* loopback TCP peers are the local operator without auth */
    bool warm_up;         /* fill the caches in the background after the start (graph_warm) */
    const char *tls_cert; /* PEM certificate chain: TCP speaks TLS (NULL = plaintext) */
    const char *tls_key;  /* its PEM private key (mode 0600) */
    bool allow_plaintext; /* listen on a non-loopback address without TLS */
    /* Retention rules (--retention) run by the scheduled job: at start, then every
     * retention_interval seconds, each through privacy.retention (cmd_run, a write). */
    cmd_retention_rule_t retention[NET_MAX_RETENTION_RULES];
    int nretention;
    uint32_t retention_interval; /* seconds */
    net_log_level_t log_level;
} net_config_t;

void net_config_default(net_config_t *c);

/*
 * Runs the server until SIGINT or SIGTERM: opens the store, listens, prints one ready line to
 * stdout ("knoopd ready listen=HOST:PORT[ unix=PATH]"), serves, then shuts down gracefully
 * (stop accepting, finish in-flight requests, flush and close the store). Returns 0 on a clean
 * shutdown, nonzero when start-up failed (with a message logged).
 */
int net_run(const net_config_t *c);

/* Structured log line to stderr: "ts=... level=... msg=\"...\" key=value ...". */
void net_log(net_log_level_t level, const char *fmt, ...) KNOOP_PRINTF(2, 3);
void net_log_set_level(net_log_level_t level);

#endif
