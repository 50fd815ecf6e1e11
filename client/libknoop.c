/*
 * libknoop.c - the blocking MessagePack-RPC client of Knoop (layer: client; see knoop.h).
 *
 * A connection is a non-blocking socket driven with poll(): every wait has a deadline (the
 * call timeout) and, while output is pending, incoming bytes are read as well so that a long
 * pipeline never deadlocks with the server's output. Requests are packed into one output
 * sbuffer with proto_pack_request; responses are buffered and split with a streaming
 * msgpack_unpacker, each complete response moving into its own zone (a knoop_result_t), so a
 * result stays valid however the connection is used afterwards.
 */
#include "knoop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "knoop_json.h"
#include "proto.h"

/* Bytes queued by knoop_send before it writes them itself. */
#define CONN_AUTOFLUSH_BYTES (1u << 20)

/* Bytes reserved in the unpacker buffer for each read. */
#define CONN_READ_CHUNK (64u * 1024u)

struct knoop_conn {
    int fd;
    SSL_CTX *tls_ctx; /* "tls://" addresses: the socket carries TLS (NULL: plaintext) */
    SSL *ssl;
    int timeout_ms;   /* 0: none */
    bool broken;      /* a transport or protocol failure happened: refuse further use */
    uint32_t next_id; /* the msgid of the next request */
    size_t pending;   /* requests queued or sent whose responses are not read yet */
    msgpack_sbuffer out;
    size_t out_off; /* bytes of out already written */
    msgpack_unpacker unp;
    char addr[160]; /* normalised, for messages */
};

struct knoop_result {
    msgpack_unpacked up; /* owns the zone (and a reference to the receive buffer) */
    msgpack_object value;
};

const char *knoop_version(void)
{
    return KNOOP_VERSION;
}

/* ------------------------------------------------------------------------------------------ */
/* Time and errors                                                                             */
/* ------------------------------------------------------------------------------------------ */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The deadline for a wait of ms milliseconds from now; -1 (none) for ms == 0. */
static int64_t deadline_after(int ms)
{
    return ms > 0 ? now_ms() + ms : -1;
}

/* The poll() timeout left until deadline: -1 for none, else >= 0. */
static int remaining_ms(int64_t deadline)
{
    int64_t left;

    if (deadline < 0)
        return -1;
    left = deadline - now_ms();
    if (left < 0)
        return 0;
    return left > INT32_MAX ? INT32_MAX : (int)left;
}

/* Sets err for a socket error errnum on the connection to addr. */
static int sock_error(knoop_error_t *err, const char *addr, int errnum)
{
    char buf[128];
    const char *text = strerror_r(errnum, buf, sizeof(buf));

    switch (errnum) {
    case ECONNREFUSED:
        return knoop_error_set(err, KNOOP_EUNAVAIL, "connection to %s refused", addr);
    case ECONNRESET:
    case EPIPE:
        return knoop_error_set(err, KNOOP_EUNAVAIL, "connection to %s reset by the server", addr);
    case ENOENT:
        return knoop_error_set(err, KNOOP_EUNAVAIL, "connection to %s failed: no such socket",
                               addr);
    case ETIMEDOUT:
        return knoop_error_set(err, KNOOP_EUNAVAIL, "connection to %s timed out", addr);
    default:
        return knoop_error_set(err, KNOOP_EUNAVAIL, "connection to %s failed: %s", addr, text);
    }
}

/* Marks c unusable and passes code through. */
static int conn_fail(knoop_conn_t *c, int code)
{
    c->broken = true;
    return code;
}

static int conn_usable(const knoop_conn_t *c, knoop_error_t *err)
{
    if (c == NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "connection is NULL");
    if (c->broken)
        return knoop_error_set(err, KNOOP_EUNAVAIL,
                               "connection to %s is no longer usable after an earlier failure",
                               c->addr);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Connecting                                                                                  */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
    bool is_unix;
    char host[128];
    char port[8];
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
} conn_addr_t;

static int parse_port(const char *s, conn_addr_t *a, const char *addr, knoop_error_t *err)
{
    char *end;
    long v;

    if (*s < '0' || *s > '9')
        return knoop_error_set(err, KNOOP_EINVAL, "address '%.128s': bad port", addr);
    errno = 0;
    v = strtol(s, &end, 10);
    if (*end != '\0' || errno != 0 || v < 1 || v > 65535)
        return knoop_error_set(err, KNOOP_EINVAL, "address '%.128s': bad port", addr);
    snprintf(a->port, sizeof(a->port), "%ld", v);
    return 0;
}

/* Splits addr (see knoop_connect) into a. */
static int parse_addr(const char *addr, conn_addr_t *a, knoop_error_t *err)
{
    const char *path = NULL, *colon;
    size_t hl;

    memset(a, 0, sizeof(*a));
    if (strncmp(addr, "unix:", 5) == 0)
        path = addr + 5;
    else if (addr[0] == '/')
        path = addr;
    if (path != NULL) {
        if (path[0] == '\0')
            return knoop_error_set(err, KNOOP_EINVAL, "address '%.128s': empty socket path", addr);
        if (strlen(path) >= sizeof(a->path))
            return knoop_error_set(err, KNOOP_EINVAL, "address '%.128s': socket path too long",
                                   addr);
        a->is_unix = true;
        strcpy(a->path, path);
        return 0;
    }
    strcpy(a->port, "7474");
    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        if (close == NULL || close == addr + 1)
            return knoop_error_set(err, KNOOP_EINVAL, "address '%.128s': expected [host]:port",
                                   addr);
        hl = (size_t)(close - addr - 1);
        if (hl >= sizeof(a->host))
            return knoop_error_set(err, KNOOP_EINVAL, "address '%.128s': host too long", addr);
        memcpy(a->host, addr + 1, hl);
        if (close[1] == '\0')
            return 0;
        if (close[1] != ':')
            return knoop_error_set(err, KNOOP_EINVAL, "address '%.128s': expected [host]:port",
                                   addr);
        return parse_port(close + 2, a, addr, err);
    }
    colon = strchr(addr, ':');
    if (colon != NULL && strchr(colon + 1, ':') != NULL)
        colon = NULL; /* a bare IPv6 address: no port */
    hl = colon != NULL ? (size_t)(colon - addr) : strlen(addr);
    if (hl == 0)
        return knoop_error_set(err, KNOOP_EINVAL, "address '%.128s': empty host", addr);
    if (hl >= sizeof(a->host))
        return knoop_error_set(err, KNOOP_EINVAL, "address '%.128s': host too long", addr);
    memcpy(a->host, addr, hl);
    if (colon != NULL)
        return parse_port(colon + 1, a, addr, err);
    return 0;
}

/*
 * TLS on the connected non-blocking socket c->fd: verifies the server's certificate against
 * $KNOOP_CACERT (a PEM file) or the system's CAs, and its name or IP against host.
 */
static int conn_tls(knoop_conn_t *c, const char *host, int64_t deadline, knoop_error_t *err)
{
    const char *ca = getenv("KNOOP_CACERT");
    struct in6_addr a6;
    struct in_addr a4;
    bool ip = inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1;
    if ((c->tls_ctx = SSL_CTX_new(TLS_client_method())) == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "tls: out of memory");
    SSL_CTX_set_min_proto_version(c->tls_ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(c->tls_ctx, SSL_VERIFY_PEER, NULL);
    if ((ca != NULL && ca[0] != '\0' ? SSL_CTX_load_verify_locations(c->tls_ctx, ca, NULL)
                                     : SSL_CTX_set_default_verify_paths(c->tls_ctx)) != 1)
        return knoop_error_set(err, KNOOP_EINVAL, "tls: cannot load the CA certificates%s%s",
                               ca != NULL ? " from " : "", ca != NULL ? ca : "");
    if ((c->ssl = SSL_new(c->tls_ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1)
        return knoop_error_set(err, KNOOP_ENOMEM, "tls: out of memory");
    SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (ip)
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), host);
    else if (SSL_set1_host(c->ssl, host) != 1 || SSL_set_tlsext_host_name(c->ssl, host) != 1)
        return knoop_error_set(err, KNOOP_ENOMEM, "tls: out of memory");
    for (;;) {
        struct pollfd p = { .fd = c->fd };
        int r = SSL_connect(c->ssl), e, n;
        if (r == 1)
            return 0;
        e = SSL_get_error(c->ssl, r);
        if (e == SSL_ERROR_WANT_READ)
            p.events = POLLIN;
        else if (e == SSL_ERROR_WANT_WRITE)
            p.events = POLLOUT;
        else {
            long v = SSL_get_verify_result(c->ssl);
            unsigned long q = ERR_get_error();
            ERR_clear_error();
            return knoop_error_set(err, KNOOP_EUNAVAIL, "tls handshake with %s failed: %s", c->addr,
                                   v != X509_V_OK ? X509_verify_cert_error_string(v)
                                   : q != 0 && ERR_reason_error_string(q) != NULL
                                       ? ERR_reason_error_string(q)
                                       : "the server closed the connection");
        }
        do
            n = poll(&p, 1, remaining_ms(deadline));
        while (n < 0 && errno == EINTR);
        if (n <= 0)
            return knoop_error_set(err, KNOOP_EUNAVAIL, "tls handshake with %s timed out", c->addr);
    }
}

/* Waits for a non-blocking connect on fd; returns 0 or an errno value. */
static int connect_wait(int fd, int64_t deadline)
{
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    int soerr = 0;
    socklen_t sl = sizeof(soerr);
    int n;

    do
        n = poll(&p, 1, remaining_ms(deadline));
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno;
    if (n == 0)
        return ETIMEDOUT;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
        return errno;
    return soerr;
}

/* Opens a non-blocking socket connected to sa; returns the fd or -errno. */
static int connect_one(int family, const struct sockaddr *sa, socklen_t salen, int64_t deadline)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int e;

    if (fd < 0)
        return -errno;
    if (connect(fd, sa, salen) == 0) {
        e = 0;
    } else if (errno == EINPROGRESS || errno == EAGAIN) {
        e = connect_wait(fd, deadline);
    } else {
        e = errno;
    }
    if (e != 0) {
        close(fd);
        return -e;
    }
    if (family != AF_UNIX) {
        int one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    return fd;
}

int knoop_connect(const char *addr, knoop_conn_t **out, knoop_error_t *err)
{
    conn_addr_t a;
    knoop_conn_t *c;
    int64_t deadline = deadline_after(KNOOP_CONNECT_TIMEOUT_MS);
    int fd = -ENOENT, rc;
    bool tls = false;

    knoop_error_clear(err);
    if (out == NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "knoop_connect: out is NULL");
    *out = NULL;
    if (addr == NULL || addr[0] == '\0') {
        addr = getenv("KNOOP_ADDR");
        if (addr == NULL || addr[0] == '\0')
            addr = KNOOP_DEFAULT_ADDR;
    }
    if (strncmp(addr, "tls://", 6) == 0) {
        tls = true;
        addr += 6;
    }
    rc = parse_addr(addr, &a, err);
    if (rc != 0)
        return rc;
    if (tls && a.is_unix)
        return knoop_error_set(err, KNOOP_EINVAL, "address 'tls://%.128s': TLS is for TCP", addr);
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    c->fd = -1;
    c->next_id = 1;
    msgpack_sbuffer_init(&c->out);
    if (!msgpack_unpacker_init(&c->unp, CONN_READ_CHUNK)) {
        free(c);
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    }
    if (a.is_unix) {
        struct sockaddr_un sun;
        snprintf(c->addr, sizeof(c->addr), "unix:%s", a.path);
        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        strcpy(sun.sun_path, a.path);
        fd = connect_one(AF_UNIX, (const struct sockaddr *)&sun, sizeof(sun), deadline);
    } else {
        struct addrinfo hints, *res = NULL, *ai;
        int g;

        snprintf(c->addr, sizeof(c->addr), strchr(a.host, ':') ? "[%s]:%s" : "%s:%s", a.host,
                 a.port);
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICSERV;
        g = getaddrinfo(a.host, a.port, &hints, &res);
        if (g != 0) {
            knoop_close(c);
            return knoop_error_set(err, KNOOP_EUNAVAIL, "cannot resolve '%.128s': %s", a.host,
                                   g == EAI_SYSTEM ? "system error" : gai_strerror(g));
        }
        for (ai = res; ai != NULL; ai = ai->ai_next) {
            fd = connect_one(ai->ai_family, ai->ai_addr, ai->ai_addrlen, deadline);
            if (fd >= 0)
                break;
        }
        freeaddrinfo(res);
    }
    if (fd < 0) {
        rc = sock_error(err, c->addr, -fd);
        knoop_close(c);
        return rc;
    }
    c->fd = fd;
    if (tls && (rc = conn_tls(c, a.host, deadline, err)) != 0) {
        knoop_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

void knoop_close(knoop_conn_t *c)
{
    if (c == NULL)
        return;
    if (c->ssl != NULL) {
        (void)SSL_shutdown(c->ssl); /* best effort: a close_notify, not waited for */
        SSL_free(c->ssl);
    }
    SSL_CTX_free(c->tls_ctx);
    ERR_clear_error();
    if (c->fd >= 0)
        close(c->fd);
    msgpack_sbuffer_destroy(&c->out);
    msgpack_unpacker_destroy(&c->unp);
    free(c);
}

int knoop_set_timeout(knoop_conn_t *c, int ms)
{
    if (c == NULL || ms < 0)
        return KNOOP_EINVAL;
    c->timeout_ms = ms;
    return 0;
}

int knoop_connected(const knoop_conn_t *c)
{
    return c != NULL && !c->broken && c->fd >= 0;
}

const char *knoop_conn_addr(const knoop_conn_t *c)
{
    return c != NULL ? c->addr : "";
}

/* ------------------------------------------------------------------------------------------ */
/* Socket I/O                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/*
 * Reads what is available into the unpacker's buffer. Returns 0 (possibly having read
 * nothing, on EAGAIN) or a failure (the connection is then broken).
 */
static int conn_read(knoop_conn_t *c, knoop_error_t *err)
{
    ssize_t n;

    if (msgpack_unpacker_message_size(&c->unp) > KNOOP_MAX_MESSAGE_BYTES)
        return conn_fail(c,
                         knoop_error_set(err, KNOOP_EINTERNAL, "response from %s exceeds %u bytes",
                                         c->addr, KNOOP_MAX_MESSAGE_BYTES));
    if (msgpack_unpacker_buffer_capacity(&c->unp) < CONN_READ_CHUNK / 4 &&
        !msgpack_unpacker_reserve_buffer(&c->unp, CONN_READ_CHUNK))
        return conn_fail(c, knoop_error_set(err, KNOOP_ENOMEM, "out of memory"));
    if (c->ssl != NULL) {
        int r = SSL_read(c->ssl, msgpack_unpacker_buffer(&c->unp),
                         (int)msgpack_unpacker_buffer_capacity(&c->unp));
        if (r <= 0) {
            int e = SSL_get_error(c->ssl, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                return 0;
            ERR_clear_error();
            if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && errno == 0))
                return conn_fail(c,
                                 knoop_error_set(err, KNOOP_EUNAVAIL,
                                                 "connection to %s closed by the server", c->addr));
            return conn_fail(
                c, knoop_error_set(err, KNOOP_EUNAVAIL, "tls: reading from %s failed", c->addr));
        }
        msgpack_unpacker_buffer_consumed(&c->unp, (size_t)r);
        return 0;
    }
    do
        n = recv(c->fd, msgpack_unpacker_buffer(&c->unp), msgpack_unpacker_buffer_capacity(&c->unp),
                 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        return conn_fail(c, sock_error(err, c->addr, errno));
    }
    if (n == 0)
        return conn_fail(c, knoop_error_set(err, KNOOP_EUNAVAIL,
                                            "connection to %s closed by the server", c->addr));
    msgpack_unpacker_buffer_consumed(&c->unp, (size_t)n);
    return 0;
}

/* Waits for events on c's socket until deadline. Returns 0 with *revents set, or a timeout. */
static int conn_poll(knoop_conn_t *c, short events, int64_t deadline, short *revents,
                     knoop_error_t *err)
{
    struct pollfd p = { .fd = c->fd, .events = events };
    int n;

    do
        n = poll(&p, 1, remaining_ms(deadline));
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return conn_fail(c, sock_error(err, c->addr, errno));
    if (n == 0)
        return conn_fail(c,
                         knoop_error_set(err, KNOOP_EUNAVAIL, "request to %s timed out after %d ms",
                                         c->addr, c->timeout_ms));
    *revents = p.revents;
    return 0;
}

/* Writes all queued output, reading responses that arrive meanwhile. */
static int conn_flush(knoop_conn_t *c, int64_t deadline, knoop_error_t *err)
{
    while (c->out_off < c->out.size) {
        ssize_t n;
        short rev = 0;
        int rc;

        if (c->ssl != NULL) {
            int w = SSL_write(c->ssl, c->out.data + c->out_off, (int)(c->out.size - c->out_off));
            if (w > 0) {
                c->out_off += (size_t)w;
                continue;
            }
            w = SSL_get_error(c->ssl, w);
            if (w != SSL_ERROR_WANT_WRITE && w != SSL_ERROR_WANT_READ) {
                ERR_clear_error();
                return conn_fail(
                    c, knoop_error_set(err, KNOOP_EUNAVAIL, "tls: writing to %s failed", c->addr));
            }
        } else {
            do
                n = send(c->fd, c->out.data + c->out_off, c->out.size - c->out_off, MSG_NOSIGNAL);
            while (n < 0 && errno == EINTR);
            if (n > 0) {
                c->out_off += (size_t)n;
                continue;
            }
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
                return conn_fail(c, sock_error(err, c->addr, errno));
        }
        rc = conn_poll(c, POLLOUT | POLLIN, deadline, &rev, err);
        if (rc != 0)
            return rc;
        if (rev & (POLLIN | POLLHUP | POLLERR)) {
            rc = conn_read(c, err);
            if (rc != 0)
                return rc;
        }
    }
    msgpack_sbuffer_clear(&c->out);
    c->out_off = 0;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Requests and responses                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* Checks that params[0..len) is exactly one MessagePack map. */
static int check_params(const void *params, size_t len, knoop_error_t *err)
{
    proto_limits_t l = { KNOOP_MAX_MESSAGE_BYTES, KNOOP_MAX_DEPTH, KNOOP_MAX_STRING_BYTES,
                         KNOOP_MAX_CONTAINER_ENTRIES };
    proto_scanner_t s;
    unsigned char b;
    int n;

    if (len == 0)
        return knoop_error_set(err, KNOOP_EINVAL, "params: empty buffer");
    b = *(const unsigned char *)params;
    if (!((b >= 0x80 && b <= 0x8f) || b == 0xde || b == 0xdf))
        return knoop_error_set(err, KNOOP_EINVAL, "params: expected a packed map");
    proto_scanner_init(&s);
    n = proto_scan(&s, params, len, &l, err);
    if (n < 0)
        return n;
    if (n == 0)
        return knoop_error_set(err, KNOOP_EINVAL, "params: truncated map");
    if ((size_t)n != len)
        return knoop_error_set(err, KNOOP_EINVAL, "params: %zu bytes after the map",
                               len - (size_t)n);
    return 0;
}

static int conn_queue(knoop_conn_t *c, const char *method, const void *params, size_t len,
                      uint32_t *msgid, knoop_error_t *err)
{
    msgpack_packer pk;
    size_t mark = c->out.size;
    uint32_t id;
    int rc;

    if (method == NULL || method[0] == '\0' || strlen(method) > KNOOP_MAX_NAME_BYTES)
        return knoop_error_set(err, KNOOP_EINVAL, "method: expected 1..%d bytes",
                               KNOOP_MAX_NAME_BYTES);
    if (params != NULL) {
        rc = check_params(params, len, err);
        if (rc != 0)
            return rc;
    }
    id = c->next_id++;
    msgpack_packer_init(&pk, &c->out, msgpack_sbuffer_write);
    if (proto_pack_request(&pk, id, method) != 0 ||
        msgpack_pack_array(&pk, params != NULL ? 1 : 0) != 0 ||
        (params != NULL && msgpack_sbuffer_write(&c->out, params, len) != 0)) {
        c->out.size = mark;
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory queueing a request");
    }
    c->pending++;
    if (msgid != NULL)
        *msgid = id;
    return 0;
}

static int protocol_error(knoop_conn_t *c, knoop_error_t *err, const char *what)
{
    return conn_fail(
        c, knoop_error_set(err, KNOOP_EINTERNAL, "protocol error from %s: %s", c->addr, what));
}

/* Returns 1 when o is a string equal to s. */
static int str_is(const msgpack_object *o, const char *s)
{
    size_t n = strlen(s);
    return o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
           memcmp(o->via.str.ptr, s, n) == 0;
}

/* Sets err from a response's error object; returns the mapped code. */
static int response_error(const msgpack_object *e, knoop_error_t *err)
{
    const msgpack_object *code = NULL, *msg = NULL;
    uint32_t i;
    int rc;

    if (e->type == MSGPACK_OBJECT_STR)
        return knoop_error_set(err, KNOOP_EINTERNAL, "%.*s", (int)e->via.str.size, e->via.str.ptr);
    if (e->type != MSGPACK_OBJECT_MAP)
        return knoop_error_set(err, KNOOP_EINTERNAL, "server error of unexpected shape");
    for (i = 0; i < e->via.map.size; i++) {
        const msgpack_object_kv *kv = &e->via.map.ptr[i];
        if (str_is(&kv->key, "code"))
            code = &kv->val;
        else if (str_is(&kv->key, "message"))
            msg = &kv->val;
    }
    rc = code != NULL && code->type == MSGPACK_OBJECT_STR
             ? knoop_err_from_wire(code->via.str.ptr, code->via.str.size)
             : KNOOP_EINTERNAL;
    if (msg != NULL && msg->type == MSGPACK_OBJECT_STR)
        return knoop_error_set(err, rc, "%.*s", (int)msg->via.str.size, msg->via.str.ptr);
    return knoop_error_set(err, rc, "%s", knoop_strerror(rc));
}

/* Reads the next response; see knoop_recv. */
static int conn_recv(knoop_conn_t *c, int64_t deadline, uint32_t *msgid, knoop_result_t **out,
                     knoop_error_t *err)
{
    knoop_result_t *r;
    const msgpack_object *a;
    int rc;

    r = calloc(1, sizeof(*r));
    if (r == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    msgpack_unpacked_init(&r->up);
    for (;;) {
        msgpack_unpack_return ur = msgpack_unpacker_next(&c->unp, &r->up);
        short rev = 0;

        if (ur == MSGPACK_UNPACK_SUCCESS)
            break;
        if (ur != MSGPACK_UNPACK_CONTINUE) {
            knoop_result_free(r);
            if (ur == MSGPACK_UNPACK_NOMEM_ERROR)
                return conn_fail(
                    c, knoop_error_set(err, KNOOP_ENOMEM, "out of memory decoding a response"));
            return protocol_error(c, err, "not MessagePack");
        }
        /* Decrypted bytes SSL holds already are not visible to poll(). */
        rc = c->ssl != NULL && SSL_pending(c->ssl) > 0 ? 0
                                                       : conn_poll(c, POLLIN, deadline, &rev, err);
        if (rc == 0)
            rc = conn_read(c, err);
        if (rc != 0) {
            knoop_result_free(r);
            return rc;
        }
    }
    a = &r->up.data;
    if (a->type != MSGPACK_OBJECT_ARRAY || a->via.array.size != 4 ||
        a->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
        a->via.array.ptr[0].via.u64 != 1 ||
        a->via.array.ptr[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
        a->via.array.ptr[1].via.u64 > UINT32_MAX) {
        knoop_result_free(r);
        return protocol_error(c, err, "expected a response [1, msgid, error, result]");
    }
    if (c->pending > 0)
        c->pending--;
    if (msgid != NULL)
        *msgid = (uint32_t)a->via.array.ptr[1].via.u64;
    if (a->via.array.ptr[2].type != MSGPACK_OBJECT_NIL) {
        rc = response_error(&a->via.array.ptr[2], err);
        knoop_result_free(r);
        return rc;
    }
    r->value = a->via.array.ptr[3];
    *out = r;
    return 0;
}

const msgpack_object *knoop_result_value(const knoop_result_t *r)
{
    return &r->value;
}

void knoop_result_free(knoop_result_t *r)
{
    if (r == NULL)
        return;
    msgpack_unpacked_destroy(&r->up);
    free(r);
}

int knoop_send(knoop_conn_t *c, const char *method, const void *params, size_t len, uint32_t *msgid,
               knoop_error_t *err)
{
    int rc;

    knoop_error_clear(err);
    rc = conn_usable(c, err);
    if (rc != 0)
        return rc;
    rc = conn_queue(c, method, params, len, msgid, err);
    if (rc != 0)
        return rc;
    if (c->out.size - c->out_off > CONN_AUTOFLUSH_BYTES)
        return conn_flush(c, deadline_after(c->timeout_ms), err);
    return 0;
}

int knoop_flush(knoop_conn_t *c, knoop_error_t *err)
{
    int rc;

    knoop_error_clear(err);
    rc = conn_usable(c, err);
    if (rc != 0)
        return rc;
    return conn_flush(c, deadline_after(c->timeout_ms), err);
}

int knoop_recv(knoop_conn_t *c, uint32_t *msgid, knoop_result_t **out, knoop_error_t *err)
{
    int64_t deadline;
    int rc;

    knoop_error_clear(err);
    if (out != NULL)
        *out = NULL;
    rc = conn_usable(c, err);
    if (rc != 0)
        return rc;
    if (out == NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "knoop_recv: out is NULL");
    if (c->pending == 0)
        return knoop_error_set(err, KNOOP_EINVAL, "knoop_recv: no request is outstanding");
    deadline = deadline_after(c->timeout_ms);
    rc = conn_flush(c, deadline, err);
    if (rc != 0)
        return rc;
    return conn_recv(c, deadline, msgid, out, err);
}

int knoop_call(knoop_conn_t *c, const char *method, const void *params, size_t len,
               knoop_result_t **out, knoop_error_t *err)
{
    int64_t deadline;
    /* conn_queue sets sent whenever it returns 0, but its failures return knoop_error_set()'s
     * result, which the compiler cannot see is nonzero; 0 is never read. */
    uint32_t sent = 0, got;
    int rc;

    knoop_error_clear(err);
    if (out != NULL)
        *out = NULL;
    rc = conn_usable(c, err);
    if (rc != 0)
        return rc;
    if (out == NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "knoop_call: out is NULL");
    if (c->pending != 0)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "knoop_call: %zu pipelined responses are still unread", c->pending);
    rc = conn_queue(c, method, params, len, &sent, err);
    if (rc != 0)
        return rc;
    deadline = deadline_after(c->timeout_ms);
    rc = conn_flush(c, deadline, err);
    if (rc != 0)
        return rc;
    got = sent; /* conn_recv changes it only when a response was read */
    rc = conn_recv(c, deadline, &got, out, err);
    if (got != sent && knoop_connected(c)) {
        knoop_result_free(*out);
        *out = NULL;
        return protocol_error(c, err, "response to an unknown msgid");
    }
    return rc;
}

int knoop_call_json(knoop_conn_t *c, const char *method, const char *params_json,
                    char **result_json, knoop_error_t *err)
{
    msgpack_sbuffer sb;
    knoop_result_t *r = NULL;
    json_t *j = NULL;
    int rc;

    knoop_error_clear(err);
    if (result_json == NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "knoop_call_json: result_json is NULL");
    *result_json = NULL;
    msgpack_sbuffer_init(&sb);
    if (params_json != NULL) {
        rc = knoop__json_object_to_sbuffer(params_json, "params", &sb, err);
        if (rc != 0)
            goto out;
    }
    rc = knoop_call(c, method, params_json != NULL ? sb.data : NULL, sb.size, &r, err);
    if (rc != 0)
        goto out;
    rc = knoop__json_from_msgpack(knoop_result_value(r), &j, err);
    if (rc != 0)
        goto out;
    *result_json = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (*result_json == NULL)
        rc = knoop_error_set(err, KNOOP_ENOMEM, "out of memory writing JSON");
out:
    json_decref(j);
    knoop_result_free(r);
    msgpack_sbuffer_destroy(&sb);
    return rc;
}
