/*
 * net.c - the libuv event loop of knoopd: listeners, connections, framing, dispatch onto the
 * thread pool, responses, auth, limits and graceful shutdown (layer: net).
 *
 * The request path (Redis src/networking.c is the model): a read parses every complete request
 * in the connection's buffer; cheap requests (CMD_INLINE, CMD_FAST: point reads on a snapshot)
 * run at once on the loop; while the server is otherwise idle, one request per iteration that
 * may well be short (its method's try_on_loop: a k = 1 path question, an edge.list of a small
 * cached adjacency) is tried there with a time budget (net__on_loop); everything else
 * (scans, paths, writes that wait for fsync, tries that ran out of budget) waits in
 * its connection's queue for a worker of libuv's thread pool. At most `threads` such requests
 * run at a time, taken round-robin from the connections that have some, so that one client's
 * pipeline of long scans delays another client by at most a few of them. Answers are appended to
 * the connection's output buffer and written once per loop iteration, before the loop sleeps
 * (a uv_prepare handle, Redis's beforeSleep / handleClientsWithPendingWrites): one write(2) for
 * all the answers a connection got in that iteration.
 *
 * Memory is bounded in bytes: per connection (pending output, requests in flight) and over all
 * connections (unsent output, queued request bytes); past a connection's cap it is not read until
 * its answers drain; past a server-wide cap, neither is any connection that holds a share of
 * what fills it (net__conn_full), while clients that read their answers are served on. A client
 * that leaves its answers unread for the idle time is closed; receive buffers shrink back after a
 * large message; a shutdown closes whatever is left after its grace period. Requests still queued
 * when their connection closes are dropped, never run.
 *
 * A connection is freed only when both its handles are closed and no work is in flight for it
 * (nginx's r->count / r->blocked rule): every request in a worker holds a reference.
 */
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "net.h"

typedef struct net_conn net_conn_t;
typedef struct net_req net_req_t;

/* Bytes a read asks for; a receive buffer shrinks back to twice this after a large message. */
#define NET_READ_CHUNK (64 * 1024)

typedef struct {
    uv_loop_t *loop;
    uv_prepare_t flush;                /* before the loop sleeps: write pending output */
    uv_timer_t grace;                  /* shutdown: every NET_SHUTDOWN_TICK_MS (net__on_grace) */
    int64_t grace_end_ms;              /* shutdown: close what is left from then on */
    net_conn_t *flush_head;            /* connections with bytes in obuf */
    net_conn_t *runq_head, *runq_tail; /* connections with requests waiting for a worker */
    uint32_t pool_busy;                /* requests in workers */
    bool loop_tried;                   /* a request was tried on the loop this iteration */
    uint64_t out_total;                /* unsent output bytes, all connections */
    uint64_t queued_bytes;             /* bytes of requests waiting for or in a worker */
    bool throttled;   /* a server-wide cap was hit: connections holding a share stopped reading */
    ino_t socket_ino; /* the Unix socket we made, removed at exit only if still ours */
    uint32_t preauth_conns; /* connections that have not authenticated (auth required) */
    struct {                /* failed auth per peer address (a small table, oldest replaced) */
        char addr[64];
        uint32_t failures;
        int64_t until_ms;
    } authfail[256];
    int64_t authlog_ms; /* last "authentication failed" log line */
    uint64_t authlog_suppressed;
    net_config_t cfg;
    proto_limits_t preauth;
    /* The request being handled on the loop: decoded in place from the receive buffer into a
     * zone that is kept, so that a cheap request costs no allocation of its own. A request
     * that goes to a worker is copied out of it (net__req_detach). */
    net_req_t *inl;
    store_t *store;
    uv_tcp_t tcp;
    uv_pipe_t pipe;
    bool tcp_open, pipe_open;
    uv_signal_t sigint, sigterm;
    net_conn_t *conns;
    uint64_t nconns, requests, next_conn_id;
    bool shutting_down;
    SSL_CTX *tls; /* NULL = plaintext TCP */
    cmd_stats_t stats;
    /* The scheduled retention job (--retention): a timer on the loop hands each run to the
     * thread pool; at most one run at a time (a run still going when the timer fires again
     * skips that turn). */
    uv_timer_t retention;
    uv_work_t retention_work;
    bool retention_busy;
    uint64_t retention_runs;
    /* The caches' warm-up (graph_warm) after the start, on a thread of its own; shutdown sets
     * warm_stop and joins it before the store closes. */
    pthread_t warm;
    bool warm_started;
    atomic_bool warm_stop;
    _Atomic(const char *) warm_state; /* cmd_stats_t.warm_up */
} net_server_t;

struct net_conn {
    union {
        uv_handle_t h;
        uv_stream_t s;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } u;
    uv_timer_t idle;
    net_server_t *srv;
    net_conn_t *prev, *next;
    char *buf;
    size_t len, cap;
    /* TLS (TCP with --tls-cert): the socket carries ciphertext; rbio takes what was read, SSL
     * turns it into plaintext in buf; answers go through SSL into wbio and from there out. */
    SSL *ssl;
    BIO *rbio, *wbio;
    char *tls_in; /* the receive buffer for ciphertext (NET_READ_CHUNK bytes) */
    proto_scanner_t scan;
    uint32_t inflight;  /* requests queued for or running in a worker */
    size_t pending_out; /* answer bytes not yet accepted by the socket (obuf and writes) */
    knoop_buf_t obuf;   /* answers not yet handed to the socket */
    uint32_t writes;    /* uv_write requests in progress */
    net_conn_t *flush_next;
    bool in_flush;
    net_req_t *q_head, *q_tail; /* requests waiting for a worker, in order */
    net_conn_t *run_next;
    bool in_runq;
    bool parked; /* has queued requests, not in the run queue: its output is full (net__out_full) */
    atomic_bool gone;   /* closed: a worker that has not started its request skips it */
    uint64_t written;   /* answer bytes the socket accepted, ever */
    uint64_t idle_mark; /* `written` when the idle timer last found output pending */
    uint64_t stop_mark; /* shutdown: `written` at the last tick (net__on_grace) */
    int handles_open;
    bool authed, reading, closing, close_after_write, eof;
    bool preauth;       /* counted in preauth_conns */
    bool auth_busy;     /* an auth request is in a worker: later messages wait for its outcome */
    bool loopback;      /* the peer is 127.0.0.0/8 or ::1 */
    cmd_identity_t who; /* valid when authed: the user (history actor) and its roles */
    uint32_t auth_failures;
    char addr[64]; /* peer address without port, for the auth back-off */
    uint64_t id;
    char peer[96];
};

struct net_req {
    uv_work_t work;
    net_req_t *next; /* in its connection's queue */
    size_t bytes;    /* of the message, counted in queued_bytes */
    net_conn_t *c;
    const cmd_t *cmd;
    char *msg;
    msgpack_zone zone;
    proto_msg_t m;
    msgpack_object params;
    bool notify;
    int64_t deadline_ms;
    knoop_buf_t out;
    bool lost;          /* no answer could be built (out of memory): the connection must close */
    cmd_identity_t who; /* the connection's identity when the request arrived */
    cmd_identity_t auth_id; /* auth: the identity it established */
    int rc;                 /* the handler's result (KNOOP_EUNAVAIL until it ran) */
};

typedef struct {
    uv_write_t w;
    net_conn_t *c;
    char *data;
    size_t len;
} net_write_t;

static net_log_level_t log_level = NET_LOG_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void net_log_set_level(net_log_level_t level)
{
    log_level = level;
}

static int64_t net__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void net_log(net_log_level_t level, const char *fmt, ...)
{
    char ts[32], line[1024];
    va_list ap;
    if (level < log_level)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "ts=%s level=%s %s\n", store_format_ts(net__now_ms(), ts), level_names[level],
            line);
}

void net_config_default(net_config_t *c)
{
    memset(c, 0, sizeof(*c));
    c->data_dir = "knoop-data";
    snprintf(c->listen_host, sizeof(c->listen_host), "127.0.0.1");
    c->listen_port = 7474;
    proto_limits_default(&c->limits);
    c->max_connections = KNOOP_DEFAULT_CONNECTIONS;
    c->max_inflight = KNOOP_DEFAULT_INFLIGHT;
    c->max_pending_output = KNOOP_DEFAULT_PENDING_OUTPUT;
    c->max_total_output = KNOOP_DEFAULT_TOTAL_OUTPUT;
    c->max_queued_bytes = KNOOP_DEFAULT_QUEUED_BYTES;
    c->max_result_bytes = KNOOP_DEFAULT_RESULT_BYTES;
    c->shutdown_ms = KNOOP_DEFAULT_SHUTDOWN_MS;
    c->min_free_mb = KNOOP_DEFAULT_MIN_FREE_MB;
    c->adj_cache_mb = KNOOP_DEFAULT_ADJ_CACHE_MB;
    c->block_cache_mb = KNOOP_DEFAULT_BLOCK_CACHE_MB;
    c->row_cache_mb = KNOOP_DEFAULT_ROW_CACHE_MB;
    c->loop_try_us = KNOOP_DEFAULT_LOOP_TRY_US;
    c->idle_seconds = KNOOP_DEFAULT_IDLE_SECONDS;
    c->request_ms = KNOOP_DEFAULT_REQUEST_MS;
    c->threads = 8;
    c->sync = true;
    c->warm_up = true;
    c->log_level = NET_LOG_INFO;
    c->retention_interval = NET_RETENTION_INTERVAL_DEFAULT;
}

static void net__conn_process(net_conn_t *c);
static void net__conn_close(net_conn_t *c);

static void net__conn_maybe_free(net_conn_t *c)
{
    net_server_t *srv = c->srv;
    if (c->handles_open > 0 || c->inflight > 0)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    srv->nconns--;
    srv->stats.connections = srv->nconns;
    knoop_buf_destroy(&c->obuf);
    knoop_free(c->buf);
    knoop_free(c->tls_in);
    if (c->ssl != NULL)
        SSL_free(c->ssl); /* frees both BIOs */
    knoop_free(c);
}

static void net__on_handle_close(uv_handle_t *h)
{
    net_conn_t *c = h->data;
    c->handles_open--;
    net__conn_maybe_free(c);
}

static void net__req_free(net_req_t *r);
static void net__conn_wrote(net_conn_t *c, size_t len);

/* Removes c from the server's list of connections with pending output (singly linked). */
static void net__flush_unlink(net_conn_t *c)
{
    net_conn_t **p = &c->srv->flush_head;
    if (!c->in_flush)
        return;
    while (*p != NULL && *p != c)
        p = &(*p)->flush_next;
    if (*p == c)
        *p = c->flush_next;
    c->in_flush = false;
    c->flush_next = NULL;
}

/* Puts c at the back of the run queue of connections waiting for a worker (if not in it). */
static void net__runq_push(net_conn_t *c)
{
    net_server_t *srv = c->srv;
    if (c->in_runq)
        return;
    c->in_runq = true;
    c->run_next = NULL;
    if (srv->runq_tail != NULL)
        srv->runq_tail->run_next = c;
    else
        srv->runq_head = c;
    srv->runq_tail = c;
}

/*
 * True when no more of c's requests may start in a worker until its answers drain: it holds
 * its own cap of unsent answers, or the server holds its cap over all connections and c at least
 * KNOOP_THROTTLE_SHARE_BYTES of it. Unsent output then grows by at most the answers already
 * being made (one per worker), not by every request the client has queued.
 */
static bool net__out_full(const net_conn_t *c)
{
    const net_server_t *srv = c->srv;
    return c->pending_out >= srv->cfg.max_pending_output ||
           (srv->out_total >= srv->cfg.max_total_output &&
            c->pending_out >= KNOOP_THROTTLE_SHARE_BYTES);
}

/* Puts a parked connection whose output has drained back in the run queue. */
static void net__unpark(net_conn_t *c)
{
    if (c->parked && !c->closing && !net__out_full(c)) {
        c->parked = false;
        net__runq_push(c);
    }
}

/* Removes c from the run queue of connections waiting for a worker. */
static void net__runq_unlink(net_conn_t *c)
{
    net_server_t *srv = c->srv;
    net_conn_t **p = &srv->runq_head, *prev = NULL;
    if (!c->in_runq)
        return;
    while (*p != NULL && *p != c) {
        prev = *p;
        p = &(*p)->run_next;
    }
    if (*p == c) {
        *p = c->run_next;
        if (srv->runq_tail == c)
            srv->runq_tail = prev;
    }
    c->in_runq = false;
    c->run_next = NULL;
}

static void net__schedule(net_server_t *srv);

/* Output bytes n of c left the server (written, or dropped at close). */
static void net__out_done(net_conn_t *c, size_t n, bool written)
{
    c->pending_out -= n;
    c->srv->out_total -= n;
    if (written)
        c->written += n;
    /* Written at once (uv_try_write) or later (net__on_write): either way its queue may move. */
    if (c->parked) {
        net__unpark(c);
        net__schedule(c->srv);
    }
}

static void net__conn_close(net_conn_t *c)
{
    net_server_t *srv = c->srv;
    if (c->closing)
        return;
    c->closing = true;
    if (c->preauth) {
        c->preauth = false;
        srv->preauth_conns--;
    }
    atomic_store(&c->gone, true);
    /* Requests that have not reached a worker are dropped, never run. */
    while (c->q_head != NULL) {
        net_req_t *r = c->q_head;
        c->q_head = r->next;
        srv->queued_bytes -= r->bytes;
        c->inflight--;
        net__req_free(r);
    }
    c->q_tail = NULL;
    net__runq_unlink(c);
    net__flush_unlink(c);
    net__out_done(c, c->obuf.size, false);
    knoop_buf_destroy(&c->obuf);
    net_log(NET_LOG_DEBUG, "msg=\"connection closed\" conn=%llu peer=%s", (unsigned long long)c->id,
            c->peer);
    uv_close(&c->u.h, net__on_handle_close);
    uv_close((uv_handle_t *)&c->idle, net__on_handle_close);
}

/* Closes c when it owes nothing more (after a protocol error or at shutdown). */
static void net__conn_close_if_done(net_conn_t *c)
{
    if ((c->close_after_write || c->eof) && c->inflight == 0 && c->pending_out == 0)
        net__conn_close(c);
}

static void net__resume_all(net_server_t *srv);

static void net__on_write(uv_write_t *w, int status)
{
    net_write_t *wr = (net_write_t *)w;
    net_conn_t *c = wr->c;
    net_server_t *srv = c->srv;
    c->writes--;
    net__out_done(c, wr->len, status == 0);
    knoop_free(wr->data);
    knoop_free(wr);
    if (srv->throttled)
        net__resume_all(srv);
    if (status < 0 && status != UV_ECANCELED && !c->closing) {
        net_log(NET_LOG_DEBUG, "msg=\"write failed\" conn=%llu error=%s", (unsigned long long)c->id,
                uv_strerror(status));
        net__conn_close(c);
        return;
    }
    if (!c->closing)
        net__conn_process(c);
}

/*
 * Appends an answer (data, knoop_malloc'd, ownership taken) to c's output buffer; it goes out
 * with the connection's other answers before the loop next sleeps (net__on_flush).
 */
static void net__conn_write(net_conn_t *c, char *data, size_t len)
{
    if (c->closing || data == NULL || len == 0) {
        knoop_free(data);
        return;
    }
    if (knoop_buf_write(&c->obuf, data, len) != 0) {
        knoop_free(data);
        net_log(NET_LOG_ERROR, "msg=\"out of memory for an answer\" conn=%llu",
                (unsigned long long)c->id);
        net__conn_close(c);
        return;
    }
    knoop_free(data);
    net__conn_wrote(c, len);
}

/* Hands c's output buffer to the socket: write(2) at once when nothing is queued before it,
 * the rest (or all) through uv_write, which keeps the order. */
/* Hands len bytes of data (knoop_malloc'd, ownership taken) to the socket through uv_write,
 * counted as pending output until written. Returns false when c had to be closed. */
static bool net__raw_write(net_conn_t *c, char *data, size_t len)
{
    net_write_t *wr = knoop_calloc(1, sizeof(*wr));
    uv_buf_t b;
    if (wr == NULL) {
        knoop_free(data);
        net__conn_close(c);
        return false;
    }
    wr->c = c;
    wr->len = len;
    wr->data = data;
    c->pending_out += len;
    c->srv->out_total += len;
    b = uv_buf_init(data, (unsigned)len);
    if (uv_write(&wr->w, &c->u.s, &b, 1, net__on_write) != 0) {
        net__out_done(c, len, false);
        knoop_free(data);
        knoop_free(wr);
        net__conn_close(c);
        return false;
    }
    c->writes++;
    return true;
}

/* Sends whatever SSL put in c's write BIO (handshake records, encrypted answers). */
static bool net__tls_drain(net_conn_t *c)
{
    size_t pend;
    while ((pend = BIO_ctrl_pending(c->wbio)) > 0) {
        char *data = knoop_malloc(pend);
        int n;
        if (data == NULL) {
            net__conn_close(c);
            return false;
        }
        n = BIO_read(c->wbio, data, (int)pend);
        if (n <= 0) {
            knoop_free(data);
            break;
        }
        if (!net__raw_write(c, data, (size_t)n))
            return false;
    }
    return true;
}

static void net__conn_flush(net_conn_t *c)
{
    size_t n = 0;
    net_write_t *wr;
    uv_buf_t b;
    int rc;
    if (c->closing || c->obuf.size == 0)
        return;
    if (c->ssl != NULL) {
        /* Plaintext answers into SSL (memory BIOs take everything at once), ciphertext out;
         * the plaintext counts as written here, the ciphertext as pending until written. */
        size_t len = c->obuf.size;
        int w = SSL_write(c->ssl, c->obuf.data, (int)len);
        if (w <= 0 || (size_t)w != len) {
            net_log(NET_LOG_DEBUG, "msg=\"tls write failed\" conn=%llu", (unsigned long long)c->id);
            net__conn_close(c);
            return;
        }
        net__out_done(c, len, true);
        knoop_buf_clear(&c->obuf);
        net__tls_drain(c);
        return;
    }
    if (c->writes == 0) {
        b = uv_buf_init(c->obuf.data, (unsigned)c->obuf.size);
        rc = uv_try_write(&c->u.s, &b, 1);
        if (rc >= 0) {
            n = (size_t)rc;
        } else if (rc != UV_EAGAIN) {
            net_log(NET_LOG_DEBUG, "msg=\"write failed\" conn=%llu error=%s",
                    (unsigned long long)c->id, uv_strerror(rc));
            net__conn_close(c);
            return;
        }
        net__out_done(c, n, true);
        if (n == c->obuf.size) {
            /* Keep a modest buffer for the next answers; give a large one back. */
            if (c->obuf.alloc > 1024 * 1024)
                knoop_buf_destroy(&c->obuf);
            else
                knoop_buf_clear(&c->obuf);
            return;
        }
    }
    wr = knoop_calloc(1, sizeof(*wr));
    if (wr == NULL) {
        net__conn_close(c);
        return;
    }
    wr->c = c;
    wr->len = c->obuf.size - n;
    wr->data = knoop_buf_release(&c->obuf);
    b = uv_buf_init(wr->data + n, (unsigned)wr->len);
    if (uv_write(&wr->w, &c->u.s, &b, 1, net__on_write) != 0) {
        net__out_done(c, wr->len, false);
        knoop_free(wr->data);
        knoop_free(wr);
        net__conn_close(c);
        return;
    }
    c->writes++;
}

/* Before the loop sleeps: write the answers of every connection that got some. */
static void net__on_flush(uv_prepare_t *p)
{
    net_server_t *srv = p->data;
    srv->loop_tried = false;
    while (srv->flush_head != NULL) {
        net_conn_t *c = srv->flush_head;
        srv->flush_head = c->flush_next;
        c->in_flush = false;
        c->flush_next = NULL;
        net__conn_flush(c);
        if (!c->closing)
            net__conn_process(c); /* output drained: it may read or close now */
    }
}

static void net__respond_error(net_conn_t *c, uint32_t msgid, int code, const char *msg)
{
    knoop_buf_t sb;
    msgpack_packer pk;
    knoop_buf_init(&sb);
    msgpack_packer_init(&pk, &sb, knoop_buf_write);
    proto_pack_response_err(&pk, msgid, code, msg);
    if (knoop_buf_failed(&sb)) {
        /* A truncated answer would corrupt the stream: close instead. */
        knoop_buf_destroy(&sb);
        net__conn_close(c);
        return;
    }
    net__conn_write(c, sb.data, sb.size);
}

/* Builds the full response into out: [1, msgid, nil, result] or the error form. */
static void net__build_response(net_req_t *r, int rc, const knoop_error_t *err,
                                const knoop_buf_t *result)
{
    msgpack_packer pk;
    knoop_buf_init(&r->out);
    if (r->notify)
        return;
    msgpack_packer_init(&pk, &r->out, knoop_buf_write);
    if (rc == KNOOP_OK) {
        proto_pack_response_ok(&pk, r->m.msgid);
        knoop_buf_write(&r->out, result->data, result->size);
    } else {
        proto_pack_response_err(&pk, r->m.msgid, rc, err->msg[0] ? err->msg : knoop_strerror(rc));
    }
    if (!knoop_buf_failed(&r->out))
        return;
    /* Out of memory while building the answer: answer unavailable, or, should even that fail,
     * close the connection rather than send a truncated message. */
    knoop_buf_destroy(&r->out);
    msgpack_packer_init(&pk, &r->out, knoop_buf_write);
    proto_pack_response_err(&pk, r->m.msgid, KNOOP_ENOMEM,
                            "out of memory while sending the answer");
    if (knoop_buf_failed(&r->out)) {
        knoop_buf_destroy(&r->out);
        r->lost = true;
    }
}

/* The handler's context for request r: the store, who asks, the deadline. */
static void net__ctx_init(net_req_t *r, cmd_ctx_t *ctx)
{
    net_server_t *srv = r->c->srv;
    ctx->store = srv->store;
    ctx->who.actor = r->who.user[0] != '\0' ? r->who.user : "anonymous";
    ctx->roles = r->who.roles;
    ctx->deadline_ms = r->deadline_ms;
    ctx->stats = &srv->stats;
    ctx->shared_token = srv->cfg.auth_token;
    ctx->auth_out = &r->auth_id;
    ctx->session_out = &r->auth_id;
    ctx->purpose = r->who.purpose[0] != '\0' ? r->who.purpose : NULL;
}

/*
 * After the handler of r returned rc with a result of size bytes: refuses an answer over the
 * byte limit or an empty one, records the outcome in r->rc and logs a failure that is not the
 * caller's. Returns the final code.
 */
static int net__check_result(net_req_t *r, int rc, size_t size, knoop_error_t *err)
{
    net_server_t *srv = r->c->srv;
    if (rc == KNOOP_OK && size > srv->cfg.max_result_bytes)
        rc = knoop_error_set(err, KNOOP_ETOOLARGE,
                             "%s: the answer has %zu bytes, more than the server's %u per answer; "
                             "ask for fewer with limit",
                             r->cmd->name, size, srv->cfg.max_result_bytes);
    if (rc == KNOOP_OK && size == 0)
        rc = knoop_error_set(err, KNOOP_EINTERNAL, "%s: handler produced no result", r->cmd->name);
    r->rc = rc;
    if (rc != KNOOP_OK && rc != KNOOP_EINVAL && rc != KNOOP_ENOTFOUND && rc != KNOOP_ECONFLICT &&
        rc != KNOOP_EUNAUTH && rc != KNOOP_EPERM)
        net_log(NET_LOG_WARN, "msg=\"request failed\" method=%s code=%s error=\"%s\"", r->cmd->name,
                knoop_err_wire(rc), err->msg);
    return rc;
}

static void net__run_cmd(net_req_t *r)
{
    cmd_ctx_t ctx = { 0 };
    knoop_buf_t res;
    msgpack_packer pk;
    knoop_error_t err = { 0 };
    int rc;

    net__ctx_init(r, &ctx);
    knoop_buf_init(&res);
    msgpack_packer_init(&pk, &res, knoop_buf_write);
    rc = cmd_run(r->cmd, &ctx, &r->params, &pk, &err);
    rc = net__check_result(r, rc, res.size, &err);
    net__build_response(r, rc, &err, &res);
    knoop_buf_destroy(&res);
}

static void net__work(uv_work_t *w)
{
    net_req_t *r = w->data;
    if (atomic_load(&r->c->gone))
        return; /* its connection closed while it waited: drop it */
    if (r->deadline_ms != 0 && net__now_ms() > r->deadline_ms) {
        knoop_error_t err;
        knoop_error_set(&err, KNOOP_EUNAVAIL, "request waited longer than the time per request");
        r->rc = KNOOP_EUNAVAIL;
        net__build_response(r, KNOOP_EUNAVAIL, &err, NULL);
        return;
    }
    net__run_cmd(r); /* the dispatcher opens the snapshot or the transaction */
}

static void net__req_free(net_req_t *r)
{
    if (r == r->c->srv->inl) {
        msgpack_zone_clear(&r->zone);
        return;
    }
    msgpack_zone_destroy(&r->zone);
    knoop_free(r->msg);
    knoop_free(r);
}

static void net__schedule(net_server_t *srv);
static void net__auth_done(net_conn_t *c, net_req_t *r);

static void net__after_work(uv_work_t *w, int status)
{
    net_req_t *r = w->data;
    net_conn_t *c = r->c;
    net_server_t *srv = c->srv;
    (void)status;
    srv->pool_busy--;
    srv->queued_bytes -= r->bytes;
    c->inflight--;
    net__schedule(srv);
    if (r->cmd->handler == cmd_auth && !c->closing)
        net__auth_done(c, r);
    if (r->lost && !c->closing) {
        net_log(NET_LOG_WARN, "msg=\"closing a connection: no memory for an answer\"");
        net__conn_close(c);
    }
    if (!c->closing && r->out.size > 0) {
        net__conn_write(c, r->out.data, r->out.size);
        r->out.data = NULL;
    }
    knoop_buf_destroy(&r->out);
    net__req_free(r);
    if (c->closing) {
        net__conn_maybe_free(c);
        return;
    }
    net__conn_process(c);
}

static void net__on_idle(uv_timer_t *t);

/* The auth back-off entry of peer address addr (created, replacing the oldest, when create). */
static int net__authfail_slot(net_server_t *srv, const char *addr, bool create)
{
    int oldest = 0;
    for (int i = 0; i < (int)(sizeof(srv->authfail) / sizeof(srv->authfail[0])); i++) {
        if (srv->authfail[i].addr[0] != '\0' && strcmp(srv->authfail[i].addr, addr) == 0)
            return i;
        if (srv->authfail[i].until_ms < srv->authfail[oldest].until_ms)
            oldest = i;
    }
    if (!create)
        return -1;
    snprintf(srv->authfail[oldest].addr, sizeof(srv->authfail[oldest].addr), "%s", addr);
    srv->authfail[oldest].failures = 0;
    srv->authfail[oldest].until_ms = 0;
    return oldest;
}

/* Milliseconds addr must still wait before its next auth attempt (0 = may try now). */
static int64_t net__auth_wait(net_server_t *srv, const char *addr)
{
    int i = net__authfail_slot(srv, addr, false);
    int64_t left = i < 0 ? 0 : srv->authfail[i].until_ms - net__now_ms();
    return left > 0 ? left : 0;
}

/* A failed attempt from addr: it waits 2^failures x 100 ms (capped) before the next. */
static void net__auth_failed(net_server_t *srv, const char *addr)
{
    int i = net__authfail_slot(srv, addr, true);
    uint32_t f = ++srv->authfail[i].failures;
    int64_t wait = f >= 9 ? KNOOP_AUTH_BACKOFF_MAX_MS : (int64_t)100 << f;
    if (wait > KNOOP_AUTH_BACKOFF_MAX_MS)
        wait = KNOOP_AUTH_BACKOFF_MAX_MS;
    srv->authfail[i].until_ms = net__now_ms() + wait;
}

/* A connection authenticated: it leaves the pre-auth cap and gets the normal idle time; its
 * address starts afresh. */
static void net__auth_succeeded(net_conn_t *c)
{
    net_server_t *srv = c->srv;
    int i = net__authfail_slot(srv, c->addr, false);
    if (i >= 0)
        srv->authfail[i].addr[0] = '\0';
    if (c->preauth) {
        c->preauth = false;
        srv->preauth_conns--;
    }
    uv_timer_stop(&c->idle);
    if (srv->cfg.idle_seconds > 0)
        uv_timer_start(&c->idle, net__on_idle, (uint64_t)srv->cfg.idle_seconds * 1000,
                       (uint64_t)srv->cfg.idle_seconds * 1000);
}

/* Logs a failed auth, at most one line a second (with how many were left out). */
static void net__auth_log(net_server_t *srv, const net_conn_t *c, int rc)
{
    (void)rc;
    int64_t now = net__now_ms();
    if (now - srv->authlog_ms < 1000) {
        srv->authlog_suppressed++;
        return;
    }
    net_log(NET_LOG_WARN,
            "msg=\"authentication failed\" conn=%llu peer=%s failures=%u suppressed=%llu",
            (unsigned long long)c->id, c->peer, c->auth_failures + 1,
            (unsigned long long)srv->authlog_suppressed);
    srv->authlog_ms = now;
    srv->authlog_suppressed = 0;
}

/* An auth request came back from its worker: apply its identity, or count the failure. */
static void net__auth_done(net_conn_t *c, net_req_t *r)
{
    net_server_t *srv = c->srv;
    c->auth_busy = false;
    if (r->rc == KNOOP_OK) {
        c->authed = true;
        c->who = r->auth_id;
        c->auth_failures = 0;
        net__auth_succeeded(c);
        net_log(NET_LOG_INFO, "msg=\"authenticated\" conn=%llu peer=%s user=%s",
                (unsigned long long)c->id, c->peer, c->who.user);
        return;
    }
    if (r->rc != KNOOP_EUNAUTH)
        return; /* a malformed request or a server error: not a guess */
    net__auth_failed(srv, c->addr);
    net__auth_log(srv, c, r->rc);
    if (++c->auth_failures >= KNOOP_AUTH_MAX_FAILURES)
        c->close_after_write = true;
}

/* The request path's memory figures for server.info (runs on the loop). */
static void net__fill_stats(net_server_t *srv)
{
    uint64_t recv = 0, waiting = 0;
    for (net_conn_t *c = srv->conns; c != NULL; c = c->next) {
        recv += c->cap;
        for (net_req_t *r = c->q_head; r != NULL; r = r->next)
            waiting++;
    }
    srv->stats.recv_buffer_bytes = recv;
    srv->stats.output_bytes = srv->out_total;
    srv->stats.queued_bytes = srv->queued_bytes;
    srv->stats.requests_waiting = waiting;
    srv->stats.requests_running = srv->pool_busy;
    srv->stats.warm_up = atomic_load(&srv->warm_state);
}

/* Counts len bytes just appended to c->obuf as pending output and schedules the flush. */
static void net__conn_wrote(net_conn_t *c, size_t len)
{
    c->pending_out += len;
    c->srv->out_total += len;
    if (!c->in_flush) {
        c->in_flush = true;
        c->flush_next = c->srv->flush_head;
        c->srv->flush_head = c;
    }
}

/*
 * Runs a cheap request (CMD_INLINE, CMD_FAST) on the loop and packs its answer straight into
 * its connection's output buffer: the header, then the result as the handler packs it. A
 * failure, an answer over the byte limit, or an allocation that failed midway cuts the buffer
 * back and packs the error instead; should even that fail, the connection closes. A request
 * tried there (trying, cmd_t.try_on_loop): should its handler give up (KNOOP_ELONG, the loop
 * budget spent), the buffer is cut back and false returned, with nothing answered: the caller
 * hands it to a worker. True when r is done with.
 */
static bool net__run_inline(net_req_t *r, bool trying)
{
    net_conn_t *c = r->c;
    knoop_buf_t *ob = &c->obuf;
    size_t mark = ob->size, body;
    cmd_ctx_t ctx = { 0 };
    knoop_error_t err = { 0 };
    msgpack_packer pk;
    int rc;

    if (r->notify || c->closing) {
        net__run_cmd(r); /* no answer wanted or possible: the ordinary path */
        knoop_buf_destroy(&r->out);
        return true;
    }
    net__ctx_init(r, &ctx);
    if (trying) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ctx.loop_until_ns =
            (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + (int64_t)c->srv->cfg.loop_try_us * 1000;
        c->srv->stats.loop_tries++;
    }
    msgpack_packer_init(&pk, ob, knoop_buf_write);
    proto_pack_response_ok(&pk, r->m.msgid);
    body = ob->size;
    rc = cmd_run(r->cmd, &ctx, &r->params, &pk, &err);
    if (trying && rc == KNOOP_ELONG) {
        knoop_buf_truncate(ob, mark);
        c->srv->stats.loop_tries_moved++;
        return false;
    }
    if (rc == KNOOP_OK && knoop_buf_failed(ob))
        rc = knoop_error_set(&err, KNOOP_ENOMEM, "out of memory while sending the answer");
    rc = net__check_result(r, rc, ob->size - body, &err);
    if (rc != KNOOP_OK) {
        knoop_buf_truncate(ob, mark);
        proto_pack_response_err(&pk, r->m.msgid, rc, err.msg[0] ? err.msg : knoop_strerror(rc));
        if (knoop_buf_failed(ob)) {
            knoop_buf_truncate(ob, mark);
            net__conn_close(c);
            return true;
        }
    }
    net__conn_wrote(c, ob->size - mark);
    return true;
}

/*
 * Moves the loop's request r (decoded in place from buf[0..len)) into a request of its own for
 * the queue: a copy of the message, decoded again into its own zone. NULL when out of memory
 * (then answered unavailable).
 */
static net_req_t *net__req_detach(net_req_t *r, const char *buf, size_t len)
{
    net_conn_t *c = r->c;
    net_req_t *h = knoop_calloc(1, sizeof(*h));
    knoop_error_t err = { 0 };
    bool ok = h != NULL && (h->msg = knoop_malloc(len)) != NULL;
    if (ok) {
        memcpy(h->msg, buf, len);
        msgpack_zone_init(&h->zone, 2048);
        h->c = c;
        h->cmd = r->cmd;
        h->notify = r->notify;
        h->deadline_ms = r->deadline_ms;
        h->who = r->who;
        h->rc = r->rc;
        /* The same bytes decoded the same way: only memory can make this fail. */
        ok = proto_decode(h->msg, len, &h->zone, &h->m, &err) == KNOOP_OK &&
             proto_params_map(&h->m.params, &h->params, &err) == KNOOP_OK;
        if (!ok)
            net__req_free(h);
    } else {
        knoop_free(h);
    }
    if (!ok) {
        if (r->cmd->handler == cmd_auth)
            c->auth_busy = false;
        if (!r->notify)
            net__respond_error(c, r->m.msgid, KNOOP_EUNAVAIL, "server out of memory");
        h = NULL;
    }
    net__req_free(r);
    return h;
}

/*
 * Whether request r runs on the loop: CMD_INLINE and CMD_FAST methods; and, tried (*trying), a
 * request its method's try_on_loop accepts, only while the server is otherwise idle (nothing in
 * or waiting for a worker), with the loop budget on, and once per loop iteration: a sequential
 * client's question skips the hand-off's two thread wake-ups, while under load, or in a
 * pipeline, such requests keep going to the workers.
 */
static bool net__on_loop(net_server_t *srv, const net_conn_t *c, net_req_t *r, bool *trying)
{
    const cmd_t *cmd = r->cmd;
    *trying = false;
    if (cmd->handler == cmd_auth)
        return false;
    if (cmd->flags & (CMD_INLINE | CMD_FAST))
        return true;
    if (cmd->try_on_loop == NULL || srv->cfg.loop_try_us == 0 || srv->loop_tried ||
        srv->pool_busy > 0 || srv->runq_head != NULL || r->notify || c->closing ||
        !cmd->try_on_loop(srv->store, &r->params))
        return false;
    *trying = true;
    return true;
}

/* Handles one complete message buf[0..len) from c. */
static void net__handle_message(net_conn_t *c, const char *buf, size_t len)
{
    net_server_t *srv = c->srv;
    knoop_error_t err = { 0 };
    net_req_t *r = srv->inl;
    msgpack_zone zone = r->zone;
    char q[160];
    bool trying = false;
    int rc;

    memset(r, 0, sizeof(*r));
    r->zone = zone;
    r->c = c;
    srv->requests++;
    srv->stats.requests = srv->requests;
    rc = proto_decode(buf, len, &r->zone, &r->m, &err);
    if (rc != KNOOP_OK) {
        /* The framing is intact (the scanner delimited the message), so a request whose msgid
         * could be read is answered and the connection goes on. Without a msgid there is no
         * one to answer: the peer does not speak the protocol, so close. */
        net_log(NET_LOG_INFO, "msg=\"bad message\" conn=%llu peer=%s error=\"%s\"",
                (unsigned long long)c->id, c->peer, err.msg);
        if (r->m.msgid_known && r->m.type == PROTO_REQUEST)
            net__respond_error(c, r->m.msgid, rc, err.msg);
        else if (r->m.type != PROTO_NOTIFY)
            c->close_after_write = true;
        net__req_free(r);
        return;
    }
    if (r->m.type == PROTO_RESPONSE) {
        net__req_free(r); /* knoopd sends no requests: nothing to match */
        return;
    }
    r->notify = r->m.type == PROTO_NOTIFY;
    r->cmd = cmd_lookup(r->m.method, r->m.method_len);
    if (r->cmd == NULL) {
        rc = knoop_error_set(&err, KNOOP_ENOTFOUND, "unknown method %s",
                             knoop_repr(q, sizeof(q), r->m.method, r->m.method_len, 128));
        goto fail;
    }
    if ((rc = proto_params_map(&r->m.params, &r->params, &err)) != KNOOP_OK)
        goto fail;
    if (!c->authed && !(r->cmd->flags & CMD_NO_AUTH)) {
        rc = knoop_error_set(&err, KNOOP_EUNAUTH, "%s: authenticate with auth first", r->cmd->name);
        goto fail;
    }
    r->who = c->who;
    r->rc = KNOOP_EUNAVAIL;
    if (r->cmd->handler == cmd_auth) {
        int64_t wait_ms;
        if ((wait_ms = net__auth_wait(srv, c->addr)) > 0) {
            /* Backing off: the credentials are not even looked at. */
            rc = knoop_error_set(&err, KNOOP_EUNAUTH,
                                 "auth: too many failed attempts from %s; try again in %lld ms",
                                 c->addr, (long long)wait_ms);
            goto auth_failed;
        }
        /* A password check is a slow hash: it runs on a worker, and this connection's later
         * messages wait until its outcome is known (net__auth_done). */
        c->auth_busy = true;
    }
    if (r->cmd->handler == cmd_server_info)
        net__fill_stats(srv);
    if (net__on_loop(srv, c, r, &trying)) {
        /* Cheap: answered at once, on the loop, without a thread hand-off, straight into the
         * connection's output buffer. No deadline: it is not long enough to need one (a try
         * has the loop budget instead). */
        if (trying)
            srv->loop_tried = true;
        if (net__run_inline(r, trying)) {
            /* session.purpose: the connection's later requests carry the new purpose. */
            if (r->cmd->handler == cmd_session_purpose && r->rc == KNOOP_OK)
                memcpy(c->who.purpose, r->auth_id.purpose, sizeof(c->who.purpose));
            net__req_free(r);
            return;
        }
        /* The try gave up: on to a worker like any long request. */
    }
    if (srv->cfg.request_ms > 0)
        r->deadline_ms = net__now_ms() + srv->cfg.request_ms;
    if ((r = net__req_detach(r, buf, len)) == NULL)
        return;
    /* Longer work waits in the connection's queue for a worker, taken round-robin. */
    r->work.data = r;
    r->bytes = len;
    srv->queued_bytes += len;
    c->inflight++;
    if (c->q_tail != NULL)
        c->q_tail->next = r;
    else
        c->q_head = r;
    c->q_tail = r;
    if (!c->parked)
        net__runq_push(c);
    net__schedule(srv);
    return;
fail:
    if (!r->notify)
        net__respond_error(c, r->m.msgid, rc, err.msg);
    net__req_free(r);
    return;
auth_failed:
    net__auth_log(srv, c, rc);
    if (!r->notify)
        net__respond_error(c, r->m.msgid, rc, err.msg);
    net__req_free(r);
    if (++c->auth_failures >= KNOOP_AUTH_MAX_FAILURES)
        c->close_after_write = true;
}

/*
 * Hands waiting requests to workers: at most `threads` at a time, one request from each
 * connection in turn, so that no connection's pipeline holds every worker.
 */
static void net__schedule(net_server_t *srv)
{
    while (srv->pool_busy < (uint32_t)srv->cfg.threads && srv->runq_head != NULL) {
        net_conn_t *c = srv->runq_head;
        net_req_t *r;
        srv->runq_head = c->run_next;
        if (srv->runq_head == NULL)
            srv->runq_tail = NULL;
        c->in_runq = false;
        c->run_next = NULL;
        if ((r = c->q_head) == NULL)
            continue;
        if (net__out_full(c)) {
            c->parked = true; /* back in line once its answers drain: net__unpark */
            continue;
        }
        c->q_head = r->next;
        if (c->q_head == NULL)
            c->q_tail = NULL;
        r->next = NULL;
        if (c->q_head != NULL) /* back of the line */
            net__runq_push(c);
        srv->pool_busy++;
        if (uv_queue_work(srv->loop, &r->work, net__work, net__after_work) != 0) {
            srv->pool_busy--;
            srv->queued_bytes -= r->bytes;
            c->inflight--;
            if (!r->notify)
                net__respond_error(c, r->m.msgid, KNOOP_EUNAVAIL, "server cannot queue work");
            net__req_free(r);
        }
    }
}

/*
 * True when c must not take more requests until answers drain: its own caps, or, once the
 * server's caps over all connections are reached, when c holds a part of what fills them (a
 * request in flight, or at least KNOOP_THROTTLE_SHARE_BYTES of unsent answers): those wait
 * (net__resume_all), while a client that reads its answers and waits for each goes on being
 * served. Past the caps the server then grows by at most one answer per such connection.
 */
static bool net__conn_full(const net_conn_t *c)
{
    net_server_t *srv = c->srv;
    if (c->inflight >= srv->cfg.max_inflight || c->pending_out >= srv->cfg.max_pending_output)
        return true;
    if (srv->out_total >= srv->cfg.max_total_output ||
        srv->queued_bytes >= srv->cfg.max_queued_bytes) {
        srv->throttled = true;
        return c->inflight > 0 || c->pending_out >= KNOOP_THROTTLE_SHARE_BYTES;
    }
    return false;
}

/* After a server-wide cap was hit: once below half of both caps, every connection reads again. */
static void net__resume_all(net_server_t *srv)
{
    if (srv->out_total >= srv->cfg.max_total_output / 2 ||
        srv->queued_bytes >= srv->cfg.max_queued_bytes / 2)
        return;
    srv->throttled = false;
    for (net_conn_t *c = srv->conns; c != NULL; c = c->next)
        net__unpark(c);
    net__schedule(srv);
    for (net_conn_t *c = srv->conns; c != NULL; c = c->next)
        if (!c->closing)
            net__conn_process(c);
}

static void net__on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b);
static void net__on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b);

static void net__conn_set_reading(net_conn_t *c, bool on)
{
    if (c->closing || on == c->reading)
        return;
    if (on && (c->close_after_write || c->eof || c->srv->shutting_down))
        return;
    if (on)
        uv_read_start(&c->u.s, net__on_alloc, net__on_read);
    else
        uv_read_stop(&c->u.s);
    c->reading = on;
}

/* Scans and dispatches every complete message in c's buffer, as far as the caps allow. */
static void net__conn_process(net_conn_t *c)
{
    net_server_t *srv = c->srv;
    size_t off = 0;
    while (!c->closing && !c->close_after_write && !c->auth_busy && off < c->len &&
           !net__conn_full(c)) {
        knoop_error_t err = { 0 };
        const proto_limits_t *lim = !c->authed ? &srv->preauth : &srv->cfg.limits;
        int r = proto_scan(&c->scan, c->buf + off, c->len - off, lim, &err);
        if (r == 0)
            break;
        if (r < 0) {
            net_log(NET_LOG_INFO, "msg=\"protocol error\" conn=%llu peer=%s error=\"%s\"",
                    (unsigned long long)c->id, c->peer, err.msg);
            /* The message is not decodable, but a request's msgid sits in its first bytes:
             * answer it when it can be read. */
            {
                uint32_t id;
                if (proto_peek_msgid(c->buf + off, c->len - off, &id))
                    net__respond_error(c, id, r, err.msg);
            }
            c->close_after_write = true;
            off = c->len;
            break;
        }
        net__handle_message(c, c->buf + off, (size_t)r);
        off += (size_t)r;
    }
    if (off > 0) {
        memmove(c->buf, c->buf + off, c->len - off);
        c->len -= off;
    }
    /* After a large message, give the memory back (keep what the next read needs). */
    if (c->cap > 4 * NET_READ_CHUNK && c->len <= NET_READ_CHUNK) {
        char *nb = knoop_realloc(c->buf, 2 * NET_READ_CHUNK);
        if (nb != NULL) {
            c->buf = nb;
            c->cap = 2 * NET_READ_CHUNK;
        }
    }
    if (c->closing)
        return;
    if (c->close_after_write || c->eof) {
        net__conn_set_reading(c, false);
        net__conn_close_if_done(c);
        return;
    }
    net__conn_set_reading(c, !net__conn_full(c));
}

/* Makes room for want more plaintext bytes in c->buf (as far as the message limit allows). */
static void net__buf_reserve(net_conn_t *c, size_t want)
{
    if (c->cap - c->len < want) {
        size_t limit = (size_t)c->srv->cfg.limits.max_message + want;
        size_t cap = c->cap ? c->cap * 2 : want;
        char *nb;
        while (cap < c->len + want)
            cap *= 2;
        if (cap > limit)
            cap = limit;
        if (cap > c->cap) {
            nb = knoop_realloc(c->buf, cap);
            if (nb != NULL) {
                c->buf = nb;
                c->cap = cap;
            }
        }
    }
}

static void net__on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    net_conn_t *c = h->data;
    (void)suggested;
    if (c->ssl != NULL) {
        if (c->tls_in == NULL)
            c->tls_in = knoop_malloc(NET_READ_CHUNK);
        *b = uv_buf_init(c->tls_in, c->tls_in != NULL ? NET_READ_CHUNK : 0);
        return;
    }
    net__buf_reserve(c, NET_READ_CHUNK);
    *b = uv_buf_init(c->buf + c->len, (unsigned)(c->cap - c->len));
}

/* Ciphertext arrived: feed it to SSL, answer the handshake, move plaintext into c->buf.
 * Returns false when the connection was closed (a TLS error). */
static bool net__tls_read(net_conn_t *c, const char *data, size_t n)
{
    if (BIO_write(c->rbio, data, (int)n) != (int)n) {
        net__conn_close(c);
        return false;
    }
    for (;;) {
        int r, e;
        net__buf_reserve(c, 16 * 1024);
        if (c->cap == c->len)
            break; /* the message limit: the scanner reports it */
        r = SSL_read(c->ssl, c->buf + c->len, (int)(c->cap - c->len));
        if (r > 0) {
            c->len += (size_t)r;
            continue;
        }
        e = SSL_get_error(c->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
            break;
        if (e == SSL_ERROR_ZERO_RETURN) { /* close_notify: as an EOF */
            c->eof = true;
            break;
        }
        net_log(NET_LOG_INFO, "msg=\"tls error\" conn=%llu peer=%s error=\"%s\"",
                (unsigned long long)c->id, c->peer, ERR_reason_error_string(ERR_get_error()));
        ERR_clear_error();
        net__tls_drain(c); /* the alert, if any */
        net__conn_close(c);
        return false;
    }
    return net__tls_drain(c);
}

static void net__on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
    net_conn_t *c = s->data;
    if (nread == UV_EOF) {
        /* The peer finished sending: answer what it sent, then close. */
        net__conn_set_reading(c, false);
        c->eof = true;
        net__conn_process(c);
        return;
    }
    if (nread < 0) {
        net_log(NET_LOG_DEBUG, "msg=\"read failed\" conn=%llu error=%s", (unsigned long long)c->id,
                uv_strerror((int)nread));
        net__conn_close(c);
        return;
    }
    if (nread == 0)
        return;
    if (c->ssl != NULL) {
        if (!net__tls_read(c, b->base, (size_t)nread))
            return;
    } else {
        c->len += (size_t)nread;
    }
    if (c->srv->cfg.idle_seconds > 0 && !c->preauth)
        uv_timer_again(&c->idle);
    net__conn_process(c);
}

static void net__on_idle(uv_timer_t *t)
{
    net_conn_t *c = t->data;
    if (c->preauth) {
        net_log(NET_LOG_INFO, "msg=\"connection closed: no auth in time\" conn=%llu peer=%s",
                (unsigned long long)c->id, c->peer);
        net__conn_close(c);
        return;
    }
    if (c->inflight > 0)
        return;
    if (c->pending_out > 0) {
        /* Answers wait: fine while the client reads them, closed when it read nothing since the
         * last tick (a client that never reads would hold its output forever). */
        if (c->written != c->idle_mark) {
            c->idle_mark = c->written;
            return;
        }
        net_log(NET_LOG_INFO,
                "msg=\"connection closed: answers left unread\" conn=%llu peer=%s pending=%zu",
                (unsigned long long)c->id, c->peer, c->pending_out);
        net__conn_close(c);
        return;
    }
    net_log(NET_LOG_INFO, "msg=\"idle connection closed\" conn=%llu peer=%s",
            (unsigned long long)c->id, c->peer);
    net__conn_close(c);
}

static void net__peer_name(net_conn_t *c, bool tcp)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    char host[64] = "?";
    if (!tcp || uv_tcp_getpeername(&c->u.tcp, (struct sockaddr *)&ss, &len) != 0) {
        snprintf(c->peer, sizeof(c->peer), "%s", tcp ? "?" : "unix");
        return;
    }
    if (ss.ss_family == AF_INET6) {
        uv_ip6_name((struct sockaddr_in6 *)&ss, host, sizeof(host));
        snprintf(c->addr, sizeof(c->addr), "%s", host);
        c->loopback = strcmp(host, "::1") == 0 || strncmp(host, "::ffff:127.", 11) == 0;
        snprintf(c->peer, sizeof(c->peer), "[%s]:%d", host,
                 ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
    } else {
        uv_ip4_name((struct sockaddr_in *)&ss, host, sizeof(host));
        snprintf(c->addr, sizeof(c->addr), "%s", host);
        c->loopback = (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127;
        snprintf(c->peer, sizeof(c->peer), "%s:%d", host,
                 ntohs(((struct sockaddr_in *)&ss)->sin_port));
    }
}

static void net__on_connection(uv_stream_t *server, int status, bool tcp)
{
    net_server_t *srv = server->data;
    net_conn_t *c;
    int rc;
    if (status < 0) {
        net_log(NET_LOG_WARN, "msg=\"accept failed\" error=%s", uv_strerror(status));
        return;
    }
    c = knoop_calloc(1, sizeof(*c));
    if (c == NULL)
        return;
    c->srv = srv;
    c->id = ++srv->next_conn_id;
    if (tcp)
        rc = uv_tcp_init(srv->loop, &c->u.tcp);
    else
        rc = uv_pipe_init(srv->loop, &c->u.pipe, 0);
    if (rc != 0) {
        knoop_free(c);
        return;
    }
    uv_timer_init(srv->loop, &c->idle);
    c->u.h.data = c;
    c->idle.data = c;
    c->handles_open = 2;
    proto_scanner_init(&c->scan);
    c->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = c;
    srv->conns = c;
    srv->nconns++;
    srv->stats.connections = srv->nconns;
    if (uv_accept(server, &c->u.s) != 0) {
        net__conn_close(c);
        return;
    }
    net__peer_name(c, tcp);
    if (srv->nconns > srv->cfg.max_connections || srv->shutting_down) {
        net_log(NET_LOG_WARN, "msg=\"connection refused\" reason=%s peer=%s",
                srv->shutting_down ? "shutting_down" : "max_connections", c->peer);
        net__conn_close(c);
        return;
    }
    if (tcp)
        uv_tcp_nodelay(&c->u.tcp, 1);
    if (tcp && srv->tls != NULL) {
        c->ssl = SSL_new(srv->tls);
        c->rbio = BIO_new(BIO_s_mem());
        c->wbio = BIO_new(BIO_s_mem());
        if (c->ssl == NULL || c->rbio == NULL || c->wbio == NULL) {
            BIO_free(c->rbio);
            BIO_free(c->wbio);
            SSL_free(c->ssl);
            c->ssl = NULL;
            c->rbio = c->wbio = NULL;
            net_log(NET_LOG_ERROR, "msg=\"out of memory for tls\" peer=%s", c->peer);
            net__conn_close(c);
            return;
        }
        SSL_set_bio(c->ssl, c->rbio, c->wbio); /* the SSL owns them from here */
        SSL_set_accept_state(c->ssl);
    }
    if (!tcp || (srv->cfg.trust_loopback && c->loopback)) {
        /* The Unix socket (mode 0700: only knoopd's own OS user reaches it) and, when the
         * operator says so, loopback: the local operator, with every role, no auth needed. A
         * later auth changes the identity to that user's. */
        c->authed = true;
        snprintf(c->who.user, sizeof(c->who.user), "local");
        c->who.roles = CMD_ROLE_ALL;
        if (srv->cfg.idle_seconds > 0)
            uv_timer_start(&c->idle, net__on_idle, (uint64_t)srv->cfg.idle_seconds * 1000,
                           (uint64_t)srv->cfg.idle_seconds * 1000);
    } else {
        /* Not authenticated yet: a small share of the slots and a short time to authenticate. */
        uint32_t same = 0;
        for (net_conn_t *o = srv->conns; o != NULL; o = o->next)
            if (o != c && o->preauth && strcmp(o->addr, c->addr) == 0)
                same++;
        if (srv->preauth_conns >= KNOOP_PREAUTH_CONNECTIONS || same >= KNOOP_PREAUTH_PER_ADDRESS) {
            net_log(NET_LOG_WARN, "msg=\"connection refused\" reason=preauth_connections peer=%s",
                    c->peer);
            net__conn_close(c);
            return;
        }
        c->preauth = true;
        srv->preauth_conns++;
        uv_timer_start(&c->idle, net__on_idle, KNOOP_PREAUTH_SECONDS * 1000,
                       KNOOP_PREAUTH_SECONDS * 1000);
    }
    net_log(NET_LOG_DEBUG, "msg=\"connection accepted\" conn=%llu peer=%s",
            (unsigned long long)c->id, c->peer);
    net__conn_set_reading(c, true);
}

static void net__on_tcp_connection(uv_stream_t *s, int status)
{
    net__on_connection(s, status, true);
}

static void net__on_pipe_connection(uv_stream_t *s, int status)
{
    net__on_connection(s, status, false);
}

/* ---- the scheduled retention job ---- */

/* The actor of the job's changes in the history and the audit trail. */
#define NET_RETENTION_ACTOR "knoopd-retention"

/*
 * Runs rule r once as a request to privacy.retention through the dispatcher (cmd_run): the one
 * write path, with its transaction, history entry and audit entry, as any client's call would.
 * Thread: a worker (the erasure compacts files and may wait on fsync).
 */
static void net__retention_run(net_server_t *srv, const cmd_retention_rule_t *r)
{
    const cmd_t *cmd = cmd_lookup("privacy.retention", strlen("privacy.retention"));
    char age[16], reason[96];
    knoop_buf_t pb, res;
    msgpack_packer pk;
    msgpack_unpacked u;
    knoop_error_t err = { 0 };
    cmd_ctx_t ctx = { 0 };
    int rc;

    snprintf(age, sizeof(age), "%u%c", (unsigned)r->n, r->unit);
    snprintf(reason, sizeof(reason), "retention rule '%s' (scheduled)", r->text);
    knoop_buf_init(&pb);
    knoop_buf_init(&res);
    msgpack_unpacked_init(&u);
    knoop_buf_packer(&pb, &pk);
    msgpack_pack_map(&pk, 3);
    msgpack_pack_str_with_body(&pk, "kind", 4);
    msgpack_pack_str_with_body(&pk, r->kind, strlen(r->kind));
    msgpack_pack_str_with_body(&pk, "older_than", 10);
    msgpack_pack_str_with_body(&pk, age, strlen(age));
    msgpack_pack_str_with_body(&pk, "reason", 6);
    msgpack_pack_str_with_body(&pk, reason, strlen(reason));
    if (cmd == NULL || knoop_buf_failed(&pb) ||
        msgpack_unpack_next(&u, pb.data, pb.size, NULL) != MSGPACK_UNPACK_SUCCESS) {
        rc = knoop_error_set(&err, KNOOP_ENOMEM, "out of memory");
    } else {
        ctx.store = srv->store;
        ctx.who.actor = NET_RETENTION_ACTOR;
        ctx.roles = CMD_ROLE_ALL;
        ctx.stats = &srv->stats;
        knoop_buf_packer(&res, &pk);
        rc = cmd_run(cmd, &ctx, &u.data, &pk, &err);
    }
    if (rc == KNOOP_OK) {
        msgpack_unpacked ru;
        const msgpack_object *cut, *cnt;
        msgpack_unpacked_init(&ru);
        if (msgpack_unpack_next(&ru, res.data, res.size, NULL) == MSGPACK_UNPACK_SUCCESS &&
            (cut = proto_param(&ru.data, "cutoff")) != NULL && cut->type == MSGPACK_OBJECT_STR &&
            (cnt = proto_param(&ru.data, "count")) != NULL &&
            cnt->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
            net_log(NET_LOG_INFO, "msg=\"retention run\" rule=\"%s\" cutoff=%.*s erased=%llu",
                    r->text, (int)cut->via.str.size, cut->via.str.ptr,
                    (unsigned long long)cnt->via.u64);
        msgpack_unpacked_destroy(&ru);
    } else {
        net_log(NET_LOG_ERROR, "msg=\"retention run failed\" rule=\"%s\" error=\"%s\"", r->text,
                err.msg);
    }
    msgpack_unpacked_destroy(&u);
    knoop_buf_destroy(&pb);
    knoop_buf_destroy(&res);
}

static void net__retention_work(uv_work_t *w)
{
    net_server_t *srv = w->data;
    for (int i = 0; i < srv->cfg.nretention; i++)
        net__retention_run(srv, &srv->cfg.retention[i]);
}

static void net__retention_done(uv_work_t *w, int status)
{
    net_server_t *srv = w->data;
    (void)status;
    srv->retention_busy = false;
    srv->retention_runs++;
}

static void net__on_retention(uv_timer_t *t)
{
    net_server_t *srv = t->data;
    if (srv->retention_busy || srv->shutting_down)
        return;
    srv->retention_work.data = srv;
    if (uv_queue_work(srv->loop, &srv->retention_work, net__retention_work, net__retention_done) ==
        0)
        srv->retention_busy = true;
    else
        net_log(NET_LOG_ERROR, "msg=\"cannot start the retention job\"");
}

/* How often a shutdown looks for connections that no longer take their answers. */
#define NET_SHUTDOWN_TICK_MS 500

/*
 * During a shutdown, every NET_SHUTDOWN_TICK_MS: a connection with unsent answers of which the
 * socket took nothing since the last tick is not reading them; it is closed, so that such
 * clients do not hold the shutdown for its whole grace period. Once the grace period is over,
 * every connection is closed, answered or not.
 */
static void net__on_grace(uv_timer_t *t)
{
    net_server_t *srv = t->data;
    bool over = net__now_ms() >= srv->grace_end_ms;
    uint64_t n = 0;
    for (net_conn_t *c = srv->conns; c != NULL; c = c->next) {
        if (c->closing)
            continue;
        if (over || (c->pending_out > 0 && c->written == c->stop_mark)) {
            net__conn_close(c);
            n++;
        }
        c->stop_mark = c->written;
    }
    if (n > 0)
        net_log(NET_LOG_WARN, "msg=\"%s\" closed=%llu",
                over ? "shutdown grace period over" : "shutdown: closed clients not reading",
                (unsigned long long)n);
    if (over)
        uv_timer_stop(t);
}

/* ---- the caches' warm-up ---- */

#define NET_WARM_NICE 10

static void *net__warm(void *arg)
{
    net_server_t *srv = arg;
    graph_warm_stats_t st;
    knoop_error_t err;
    uint64_t t0 = net__now_ms();
    knoop_error_clear(&err);
    /* Below the workers: on a busy machine the questions go first (Linux: a thread's nice). */
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), NET_WARM_NICE) != 0)
        net_log(NET_LOG_DEBUG, "msg=\"warm-up keeps its priority\" error=\"%s\"", strerror(errno));
    if (graph_warm(srv->store, &srv->warm_stop, &st, &err) != KNOOP_OK) {
        atomic_store(&srv->warm_state, "failed");
        net_log(NET_LOG_WARN, "msg=\"cache warm-up failed\" error=\"%s\"", err.msg);
        return NULL;
    }
    atomic_store(&srv->warm_state, st.stopped ? "stopped" : "done");
    net_log(NET_LOG_INFO, "msg=\"caches warmed\" nodes=%llu adjacency=%llu ms=%llu stopped_by=%s",
            (unsigned long long)st.nodes, (unsigned long long)st.adjacency,
            (unsigned long long)(net__now_ms() - t0),
            st.stopped ? "shutdown"
            : st.full  ? "cache_full"
                       : "none");
    return NULL;
}

static void net__on_signal(uv_signal_t *sig, int signum)
{
    net_server_t *srv = sig->data;
    if (srv->shutting_down)
        return;
    srv->shutting_down = true;
    atomic_store(&srv->warm_stop, true);
    net_log(NET_LOG_INFO, "msg=\"shutting down\" signal=%s connections=%llu",
            signum == SIGINT ? "SIGINT" : "SIGTERM", (unsigned long long)srv->nconns);
    if (srv->tcp_open)
        uv_close((uv_handle_t *)&srv->tcp, NULL);
    if (srv->pipe_open)
        uv_close((uv_handle_t *)&srv->pipe, NULL);
    uv_close((uv_handle_t *)&srv->sigint, NULL);
    uv_close((uv_handle_t *)&srv->sigterm, NULL);
    /* A retention run in a worker finishes (the loop waits for it) before the store closes. */
    if (!uv_is_closing((uv_handle_t *)&srv->retention))
        uv_close((uv_handle_t *)&srv->retention, NULL);
    /* Stop taking requests; answer those in flight, then close; a connection that takes none of
     * its answers for a tick, and after the grace period whatever is left, is closed (a client
     * that does not read must not hold the shutdown). The timer is unreferenced: it does not
     * keep the loop alive once every connection is gone. */
    for (net_conn_t *c = srv->conns; c != NULL; c = c->next) {
        net__conn_set_reading(c, false);
        c->close_after_write = true;
        c->stop_mark = c->written;
        net__conn_close_if_done(c);
    }
    if (srv->cfg.shutdown_ms > 0) {
        uint64_t tick = srv->cfg.shutdown_ms < NET_SHUTDOWN_TICK_MS ? srv->cfg.shutdown_ms
                                                                    : NET_SHUTDOWN_TICK_MS;
        srv->grace_end_ms = net__now_ms() + (int64_t)srv->cfg.shutdown_ms;
        uv_timer_start(&srv->grace, net__on_grace, tick, tick);
    }
}

/*
 * Makes path free for a socket: nothing there, or a stale socket (no server answers on it),
 * which is removed. Anything else — a file, a directory, a live socket — is left alone and the
 * start fails with a message: --socket must never delete what is not ours.
 */
static int net__socket_path_free(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    struct stat st;
    int fd, live;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISSOCK(st.st_mode)) {
        net_log(NET_LOG_ERROR,
                "msg=\"--socket path exists and is not a socket; not removing it\" "
                "socket=%s",
                path);
        return -1;
    }
    if (strlen(path) >= sizeof(a.sun_path))
        return -1;
    memcpy(a.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    live = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    if (fd >= 0)
        close(fd);
    if (live) {
        net_log(NET_LOG_ERROR, "msg=\"another server listens on the socket\" socket=%s", path);
        return -1;
    }
    return unlink(path);
}

static int net__listen(net_server_t *srv, char *ready, size_t readysz)
{
    struct sockaddr_storage addr;
    int rc, namelen;
    char host[64];

    if (uv_ip4_addr(srv->cfg.listen_host, srv->cfg.listen_port, (struct sockaddr_in *)&addr) != 0 &&
        uv_ip6_addr(srv->cfg.listen_host, srv->cfg.listen_port, (struct sockaddr_in6 *)&addr) !=
            0) {
        net_log(NET_LOG_ERROR, "msg=\"bad listen address\" listen=%s", srv->cfg.listen_host);
        return -1;
    }
    uv_tcp_init(srv->loop, &srv->tcp);
    srv->tcp.data = srv;
    srv->tcp_open = true;
    if ((rc = uv_tcp_bind(&srv->tcp, (struct sockaddr *)&addr, 0)) != 0 ||
        (rc = uv_listen((uv_stream_t *)&srv->tcp, 511, net__on_tcp_connection)) != 0) {
        net_log(NET_LOG_ERROR, "msg=\"cannot listen\" listen=%s:%d error=\"%s\"",
                srv->cfg.listen_host, srv->cfg.listen_port, uv_strerror(rc));
        return -1;
    }
    namelen = sizeof(addr);
    uv_tcp_getsockname(&srv->tcp, (struct sockaddr *)&addr, &namelen);
    if (addr.ss_family == AF_INET6) {
        uv_ip6_name((struct sockaddr_in6 *)&addr, host, sizeof(host));
        snprintf(ready, readysz, "listen=[%s]:%d", host,
                 ntohs(((struct sockaddr_in6 *)&addr)->sin6_port));
    } else {
        uv_ip4_name((struct sockaddr_in *)&addr, host, sizeof(host));
        snprintf(ready, readysz, "listen=%s:%d", host,
                 ntohs(((struct sockaddr_in *)&addr)->sin_port));
    }
    if (srv->cfg.socket_path != NULL) {
        size_t l = strlen(ready);
        uv_pipe_init(srv->loop, &srv->pipe, 0);
        srv->pipe.data = srv;
        srv->pipe_open = true;
        if (net__socket_path_free(srv->cfg.socket_path) != 0)
            return -1;
        if ((rc = uv_pipe_bind(&srv->pipe, srv->cfg.socket_path)) != 0 ||
            (rc = uv_listen((uv_stream_t *)&srv->pipe, 511, net__on_pipe_connection)) != 0) {
            net_log(NET_LOG_ERROR, "msg=\"cannot listen\" socket=%s error=\"%s\"",
                    srv->cfg.socket_path, uv_strerror(rc));
            return -1;
        }
        snprintf(ready + l, readysz - l, " unix=%s", srv->cfg.socket_path);
        {
            struct stat st;
            if (lstat(srv->cfg.socket_path, &st) == 0)
                srv->socket_ino = st.st_ino;
        }
    }
    return 0;
}

static void net__close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

/* True for 127.0.0.0/8, ::1 and "localhost". */
static bool net__loopback_host(const char *h)
{
    return strncmp(h, "127.", 4) == 0 || strcmp(h, "::1") == 0 || strcmp(h, "localhost") == 0;
}

/* The server's TLS context from --tls-cert / --tls-key (TLS 1.2 or later); NULL after logging. */
static SSL_CTX *net__tls_ctx(const net_config_t *cfg)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    const char *what = "create the context";
    unsigned long e;
    if (ctx == NULL)
        goto fail;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
    what = "read the certificate";
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1)
        goto fail;
    what = "read the key";
    if (SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1)
        goto fail;
    what = "match the key with the certificate";
    if (SSL_CTX_check_private_key(ctx) != 1)
        goto fail;
    return ctx;
fail:
    e = ERR_get_error();
    net_log(NET_LOG_ERROR, "msg=\"tls: cannot %s\" cert=%s key=%s error=\"%s\"", what,
            cfg->tls_cert, cfg->tls_key ? cfg->tls_key : "",
            e != 0 && ERR_reason_error_string(e) != NULL ? ERR_reason_error_string(e) : "?");
    ERR_clear_error();
    SSL_CTX_free(ctx);
    return NULL;
}

int net_run(const net_config_t *cfg)
{
    net_server_t srv;
    uv_loop_t loop;
    knoop_error_t err = { 0 };
    store_options_t so;
    char ready[512], threads[16];
    int rc;

    memset(&srv, 0, sizeof(srv));
    srv.cfg = *cfg;
    srv.preauth = cfg->limits;
    if (srv.preauth.max_message > KNOOP_PREAUTH_MESSAGE_BYTES)
        srv.preauth.max_message = KNOOP_PREAUTH_MESSAGE_BYTES;
    if (srv.preauth.max_string > KNOOP_PREAUTH_MESSAGE_BYTES)
        srv.preauth.max_string = KNOOP_PREAUTH_MESSAGE_BYTES;
    net_log_set_level(cfg->log_level);
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit (RLIMIT_FSIZE) must fail the write (EFBIG, an I/O error for the
     * client), not kill the server. */
    signal(SIGXFSZ, SIG_IGN);
    /* libuv reads UV_THREADPOOL_SIZE when the pool first starts. */
    snprintf(threads, sizeof(threads), "%d", cfg->threads);
    setenv("UV_THREADPOOL_SIZE", threads, 1);

    /* The data is personal: the directory and every file in it for this user only. */
    umask(077);
    if (mkdir(cfg->data_dir, 0700) != 0 && errno != EEXIST) {
        net_log(NET_LOG_ERROR, "msg=\"cannot create the data directory\" data=%s error=\"%s\"",
                cfg->data_dir, strerror(errno));
        return 1;
    }
    {
        struct stat st;
        if (stat(cfg->data_dir, &st) == 0 && (st.st_mode & 077) != 0)
            net_log(NET_LOG_WARN,
                    "msg=\"the data directory can be read by others; chmod 700 it\" data=%s "
                    "mode=%04o",
                    cfg->data_dir, (unsigned)(st.st_mode & 07777));
    }
    store_options_default(&so);
    so.sync = cfg->sync;
    so.min_free_bytes = (uint64_t)cfg->min_free_mb * 1024 * 1024;
    so.adj_cache_bytes = (size_t)cfg->adj_cache_mb * 1024 * 1024;
    so.block_cache_bytes = (size_t)cfg->block_cache_mb * 1024 * 1024;
    so.row_cache_bytes = (size_t)cfg->row_cache_mb * 1024 * 1024;
    if ((rc = store_open(cfg->data_dir, &so, &srv.store, &err)) != KNOOP_OK) {
        net_log(NET_LOG_ERROR, "msg=\"cannot open store\" data=%s error=\"%s\"", cfg->data_dir,
                err.msg);
        return 1;
    }
    if ((rc = cmd_domain_init(srv.store, &err)) != KNOOP_OK) {
        net_log(NET_LOG_ERROR, "msg=\"cannot load the schema\" data=%s error=\"%s\"", cfg->data_dir,
                err.msg);
        store_close(srv.store);
        return 1;
    }
    {
        char pwpath[4096];
        bool created;
        if ((rc = cmd_user_bootstrap(srv.store, cfg->data_dir, &created, pwpath, sizeof(pwpath),
                                     &err)) != KNOOP_OK) {
            net_log(NET_LOG_ERROR, "msg=\"cannot create the bootstrap admin\" error=\"%s\"",
                    err.msg);
            cmd_domain_shutdown();
            store_close(srv.store);
            return 1;
        }
        if (created && pwpath[0] != '\0')
            net_log(NET_LOG_WARN,
                    "msg=\"first start: created the user admin; its password is in the file "
                    "named here (mode 0600): read it, then remove the file or change the "
                    "password with user.passwd\" password_file=%s",
                    pwpath);
        else if (created)
            net_log(NET_LOG_WARN, "msg=\"first start: created the user admin with the password "
                                  "from KNOOP_ADMIN_PASSWORD\"");
    }
    if (cfg->tls_cert != NULL && (srv.tls = net__tls_ctx(cfg)) == NULL) {
        cmd_domain_shutdown();
        store_close(srv.store);
        return 1;
    }
    if (srv.tls == NULL && !net__loopback_host(cfg->listen_host)) {
        if (!cfg->allow_plaintext) {
            net_log(NET_LOG_ERROR,
                    "msg=\"listening on a non-loopback address without TLS: give --tls-cert and "
                    "--tls-key, or --allow-plaintext\" listen=%s",
                    cfg->listen_host);
            cmd_domain_shutdown();
            store_close(srv.store);
            return 1;
        }
        net_log(NET_LOG_WARN,
                "msg=\"listening on a non-loopback address without TLS (--allow-plaintext): "
                "passwords and personal data cross the network in the clear\" listen=%s",
                cfg->listen_host);
    }
    if ((srv.inl = knoop_calloc(1, sizeof(*srv.inl))) == NULL) {
        net_log(NET_LOG_ERROR, "msg=\"out of memory\"");
        cmd_domain_shutdown();
        store_close(srv.store);
        return 1;
    }
    msgpack_zone_init(&srv.inl->zone, 4096);
    uv_loop_init(&loop);
    srv.loop = &loop;
    srv.stats.version = KNOOP_VERSION;
    srv.stats.started_ms = net__now_ms();
    srv.stats.auth_required = !cfg->trust_loopback;
    srv.stats.limits = &srv.cfg.limits;
    srv.stats.max_connections = cfg->max_connections;
    srv.stats.max_inflight = cfg->max_inflight;
    srv.stats.idle_seconds = cfg->idle_seconds;
    srv.stats.request_ms = cfg->request_ms;
    srv.stats.loop_try_us = cfg->loop_try_us;

    /* Both unreferenced: they never keep the loop alive by themselves. */
    uv_prepare_init(&loop, &srv.flush);
    srv.flush.data = &srv;
    uv_prepare_start(&srv.flush, net__on_flush);
    uv_unref((uv_handle_t *)&srv.flush);
    uv_timer_init(&loop, &srv.grace);
    srv.grace.data = &srv;
    uv_unref((uv_handle_t *)&srv.grace);

    uv_signal_init(&loop, &srv.sigint);
    uv_signal_init(&loop, &srv.sigterm);
    srv.sigint.data = srv.sigterm.data = &srv;
    uv_signal_start(&srv.sigint, net__on_signal, SIGINT);
    uv_signal_start(&srv.sigterm, net__on_signal, SIGTERM);

    if (net__listen(&srv, ready, sizeof(ready)) != 0) {
        uv_walk(&loop, net__close_walk, NULL);
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
        cmd_domain_shutdown();
        store_close(srv.store);
        return 1;
    }
    net_log(NET_LOG_INFO,
            "msg=\"knoopd started\" version=%s data=%s %s sync=%s auth=%s shared_token=%s",
            KNOOP_VERSION, cfg->data_dir, ready, cfg->sync ? "on" : "off",
            cfg->trust_loopback ? "required-except-loopback-and-unix" : "required-except-unix",
            cfg->auth_token ? "yes" : "no");
    if (srv.tls != NULL)
        net_log(NET_LOG_INFO, "msg=\"tls on tcp\" cert=%s", cfg->tls_cert);
    printf("knoopd ready %s\n", ready);
    fflush(stdout);
    /* Questions are answered meanwhile; the warm-up only saves the first ones their misses. */
    atomic_init(&srv.warm_stop, false);
    atomic_init(&srv.warm_state, cfg->warm_up ? "running" : "off");
    if (cfg->warm_up) {
        srv.warm_started = pthread_create(&srv.warm, NULL, net__warm, &srv) == 0;
        if (!srv.warm_started) {
            atomic_store(&srv.warm_state, "failed");
            net_log(NET_LOG_WARN, "msg=\"cannot start the cache warm-up\"");
        }
    }
    /* The retention rules: a first run at once, then every interval. Unreferenced: the timer
     * never keeps the loop alive by itself; shutdown closes it. */
    uv_timer_init(&loop, &srv.retention);
    srv.retention.data = &srv;
    uv_unref((uv_handle_t *)&srv.retention);
    if (cfg->nretention > 0) {
        net_log(NET_LOG_INFO, "msg=\"retention rules\" rules=%d interval_s=%u", cfg->nretention,
                (unsigned)cfg->retention_interval);
        uv_timer_start(&srv.retention, net__on_retention, 0,
                       (uint64_t)cfg->retention_interval * 1000);
    }

    uv_run(&loop, UV_RUN_DEFAULT);

    uv_walk(&loop, net__close_walk, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    rc = uv_loop_close(&loop);
    if (srv.warm_started) {
        atomic_store(&srv.warm_stop, true);
        pthread_join(srv.warm, NULL);
    }
    if (cfg->socket_path != NULL && srv.socket_ino != 0) {
        /* Remove our socket only: not a file someone put there since. */
        struct stat st;
        if (lstat(cfg->socket_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
            st.st_ino == srv.socket_ino)
            unlink(cfg->socket_path);
    }
    cmd_domain_shutdown();
    store_close(srv.store);
    msgpack_zone_destroy(&srv.inl->zone);
    knoop_free(srv.inl);
    SSL_CTX_free(srv.tls);
    net_log(NET_LOG_INFO, "msg=\"knoopd stopped\" requests=%llu", (unsigned long long)srv.requests);
    return rc == 0 ? 0 : 1;
}
