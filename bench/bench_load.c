/*
 * bench_load.c - load generator for knoopd (layer: bench; not part of the test command). N
 * connections driven by one thread with epoll, as redis-benchmark drives Redis: each sends D
 * requests at once and reads their D answers before it sends the next D (redis-benchmark -P),
 * requests packed straight into the connection's buffer and answers taken apart with
 * msgpack-c's streaming unpacker (libknoop loads the graph), for the workloads of issue
 * 10's table: `ping` (pipelined and not), `node.get` by id, and `edge.list` of a node valid
 * at a date; plus one connection without pipelining and a bare TCP loopback round trip to
 * compare its p50 with. Reports requests per second and p50/p99/p99.9 latency (send to answer,
 * per request; with a pipeline the wait behind the requests before it counts).
 *
 * Usage: bench_load [--addr HOST:PORT] [--workload W] [--conns N] [--depth D]
 *                   [--requests R | --seconds S] [--nodes N] [--first ID] [--load-only]
 *                   [--edges-csv FILE] [--tsv]
 *
 * Without --addr it expects knoopd on $KNOOP_ADDR or 127.0.0.1:7474. Unless --first is given it
 * first loads a small generated graph, seeded: --nodes nodes (every fifth an organisation, the
 * others persons) and 5 edges per node, each valid from a date in 1990..2019 to 2031-01-01:
 * `kent` between two persons, `medewerker` from a person to an organisation (both builtin roles,
 * schema/schema_domain.c). --edges-csv writes those edges (id,type,src,dst,valid_from,valid_to)
 * so that bench/compare.sh can load the same graph into PostgreSQL. --first ID skips the load
 * and uses the --nodes nodes from ID on (printed by an earlier --load-only run).
 *
 * Workloads (--workload, default `table`, which runs the rows in order):
 *   ping        `ping` with --conns connections x --depth pipeline
 *   node.get    `node.get` of a random node id
 *   edge.list   `edge.list` of a random node, `at` June 1st of a random year in 1995..2024
 *   loopback    a 1-byte TCP echo over 127.0.0.1 (no knoopd): the bare round trip
 *   table       ping c16 d16, ping c16 d1, node.get c16 d1, edge.list c16 d1, ping c1 d1,
 *               loopback c1 d1 (--conns and --depth are ignored)
 * Each run stops after --requests requests in total (default 200000) or, with --seconds, after
 * that many seconds (the requests in flight are still answered and counted).
 *
 * Output: one line per run, "name conns depth requests seconds req/s p50 p99 p99.9" with
 * latencies in microseconds; --tsv prints the same fields tab separated, for scripts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <msgpack.h>

#include "bench_util.h"
#include "knoop.h"

enum { W_PING, W_NODE_GET, W_EDGE_LIST, W_LOOPBACK };

/* Send times by msgid modulo this ring; answers may come out of order, but never more than
 * this many requests apart while the pipeline is at most BENCH_MAX_DEPTH deep. */
#define SENT_RING       65536u
#define BENCH_MAX_DEPTH 4096u

typedef struct {
    const char *addr;
    int kind;
    size_t requests; /* this connection's share; 0 = until deadline */
    size_t depth;
    uint64_t deadline; /* ns, 0 = none */
    uint64_t first, count, seed;
    int echo_port; /* W_LOOPBACK */
    bench_lat_t lat;
    size_t done;
    int failed;
} worker_t;

static const char *kind_method(int kind)
{
    switch (kind) {
    case W_PING:
        return "ping";
    case W_NODE_GET:
        return "node.get";
    case W_EDGE_LIST:
        return "edge.list";
    default:
        return "loopback";
    }
}

static void pack_params(msgpack_sbuffer *sb, int kind, uint64_t id, uint64_t *seed)
{
    msgpack_packer pk;
    char date[11];
    msgpack_sbuffer_clear(sb);
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    if (kind == W_PING) {
        msgpack_pack_map(&pk, 0);
    } else if (kind == W_NODE_GET) {
        msgpack_pack_map(&pk, 1);
        msgpack_pack_str_with_body(&pk, "id", 2);
        msgpack_pack_uint64(&pk, id);
    } else {
        snprintf(date, sizeof(date), "%04u-06-01", 1995u + (unsigned)(bench_rand(seed) % 30));
        msgpack_pack_map(&pk, 2);
        msgpack_pack_str_with_body(&pk, "node", 4);
        msgpack_pack_uint64(&pk, id);
        msgpack_pack_str_with_body(&pk, "at", 2);
        msgpack_pack_str_with_body(&pk, date, 10);
    }
}

static int more_to_send(const worker_t *w, size_t issued)
{
    if (w->requests > 0)
        return issued < w->requests;
    return bench_now_ns() < w->deadline;
}

/* One connection of the event-driven client (run_conns). */
typedef struct {
    worker_t *w;
    int fd;
    uint32_t next_id;
    size_t issued;
    msgpack_sbuffer out; /* requests not yet written */
    size_t out_off;      /* bytes of out already written */
    msgpack_unpacker in; /* answers read, not yet taken apart */
    uint64_t *sent;      /* send time by msgid % SENT_RING */
} conn_t;

/* Connects a non-blocking TCP socket with TCP_NODELAY to addr ("HOST:PORT"); -1 on failure. */
static int tcp_connect(const char *addr)
{
    char host[256];
    const char *colon = strrchr(addr, ':');
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *ai;
    int fd = -1, one = 1;
    if (colon == NULL || (size_t)(colon - addr) >= sizeof(host)) {
        fprintf(stderr, "bench_load: --addr %s: expected HOST:PORT\n", addr);
        return -1;
    }
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = '\0';
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0) {
        fprintf(stderr, "bench_load: cannot resolve %s\n", addr);
        return -1;
    }
    for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        fprintf(stderr, "bench_load: connection to %s refused\n", addr);
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* Queues the next pipeline of k's connection (depth requests, fewer at the end) in k->out. */
static void conn_fill(conn_t *k, msgpack_sbuffer *params)
{
    worker_t *w = k->w;
    const char *method = kind_method(w->kind);
    msgpack_packer pk;
    uint64_t now = bench_now_ns();
    msgpack_packer_init(&pk, &k->out, msgpack_sbuffer_write);
    for (size_t batch = 0; batch < w->depth && more_to_send(w, k->issued); batch++) {
        uint32_t id = k->next_id++;
        pack_params(params, w->kind, w->first + bench_rand(&w->seed) % w->count, &w->seed);
        msgpack_pack_array(&pk, 4);
        msgpack_pack_uint8(&pk, 0);
        msgpack_pack_uint32(&pk, id);
        msgpack_pack_str_with_body(&pk, method, strlen(method));
        msgpack_pack_array(&pk, 1);
        msgpack_sbuffer_write(&k->out, params->data, params->size);
        k->sent[id % SENT_RING] = now;
        k->issued++;
    }
}

/* Writes what k->out holds; 0, or -1 when the connection failed. */
static int conn_write(conn_t *k)
{
    while (k->out_off < k->out.size) {
        ssize_t n = write(k->fd, k->out.data + k->out_off, k->out.size - k->out_off);
        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? 0 : -1;
        k->out_off += (size_t)n;
    }
    msgpack_sbuffer_clear(&k->out);
    k->out_off = 0;
    return 0;
}

/* Takes apart the answers read on k; 0, or -1 after printing a failure. */
static int conn_answers(conn_t *k, msgpack_unpacked *u)
{
    worker_t *w = k->w;
    for (;;) {
        const msgpack_object *o;
        int rc = msgpack_unpacker_next(&k->in, u);
        if (rc == MSGPACK_UNPACK_CONTINUE)
            return 0;
        if (rc != MSGPACK_UNPACK_SUCCESS) {
            fprintf(stderr, "bench_load: %s: a malformed answer\n", kind_method(w->kind));
            return -1;
        }
        o = &u->data;
        if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 4 ||
            o->via.array.ptr[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
            fprintf(stderr, "bench_load: %s: not a response\n", kind_method(w->kind));
            return -1;
        }
        if (o->via.array.ptr[2].type != MSGPACK_OBJECT_NIL) {
            fprintf(stderr, "bench_load: %s: the server answered with an error\n",
                    kind_method(w->kind));
            return -1;
        }
        bench_lat_add(&w->lat, bench_now_ns() - k->sent[o->via.array.ptr[1].via.u64 % SENT_RING]);
        w->done++;
    }
}

/*
 * The client, one thread as redis-benchmark is: every connection of ws[0..n) sends a pipeline
 * of depth requests at once and, once all of its answers are in, the next; epoll tells which
 * connection can read. Each connection's counts and latencies go into its worker_t.
 */
static int run_conns(worker_t *ws, size_t n)
{
    conn_t *ks = calloc(n, sizeof(*ks));
    struct epoll_event ev[64];
    msgpack_sbuffer params;
    msgpack_unpacked u;
    size_t active = 0;
    int ep = epoll_create1(0), failed = 0;

    msgpack_sbuffer_init(&params);
    msgpack_unpacked_init(&u);
    if (ks == NULL || ep < 0)
        failed = 1;
    for (size_t i = 0; ks != NULL && i < n; i++)
        ks[i].fd = -1;
    for (size_t i = 0; i < n && !failed; i++) {
        conn_t *k = &ks[i];
        struct epoll_event e = { .events = EPOLLIN, .data.ptr = k };
        k->w = &ws[i];
        k->next_id = 1;
        msgpack_sbuffer_init(&k->out);
        if (!msgpack_unpacker_init(&k->in, 1 << 16) ||
            (k->sent = calloc(SENT_RING, sizeof(*k->sent))) == NULL ||
            (k->fd = tcp_connect(ws[i].addr)) < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, k->fd, &e) != 0)
            failed = 1;
    }
    for (size_t i = 0; i < n && !failed; i++) {
        conn_fill(&ks[i], &params);
        if (ks[i].issued > 0)
            active++;
        if (conn_write(&ks[i]) != 0)
            failed = 1;
    }
    while (active > 0 && !failed) {
        int m = epoll_wait(ep, ev, 64, 1000);
        for (int j = 0; j < m && !failed; j++) {
            conn_t *k = ev[j].data.ptr;
            ssize_t r;
            if (k->out_off < k->out.size && conn_write(k) != 0) {
                failed = 1;
                break;
            }
            if (!msgpack_unpacker_reserve_buffer(&k->in, 1 << 16)) {
                failed = 1;
                break;
            }
            r = read(k->fd, msgpack_unpacker_buffer(&k->in),
                     msgpack_unpacker_buffer_capacity(&k->in));
            if (r < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            if (r <= 0) {
                fprintf(stderr, "bench_load: %s: the connection closed\n", kind_method(k->w->kind));
                failed = 1;
                break;
            }
            msgpack_unpacker_buffer_consumed(&k->in, (size_t)r);
            if (conn_answers(k, &u) != 0) {
                failed = 1;
                break;
            }
            if (k->w->done == k->issued) {
                size_t before = k->issued;
                conn_fill(k, &params);
                if (k->issued == before)
                    active--;
                else if (conn_write(k) != 0)
                    failed = 1;
            }
        }
        if (m < 0 && errno != EINTR)
            failed = 1;
    }
    for (size_t i = 0; ks != NULL && i < n; i++) {
        if (ks[i].fd >= 0)
            close(ks[i].fd);
        msgpack_sbuffer_destroy(&ks[i].out);
        msgpack_unpacker_destroy(&ks[i].in);
        free(ks[i].sent);
        ws[i].failed |= failed;
    }
    if (ep >= 0)
        close(ep);
    msgpack_unpacked_destroy(&u);
    msgpack_sbuffer_destroy(&params);
    free(ks);
    return failed;
}

/* The bare loopback round trip: an echo thread on 127.0.0.1 and a client sending one byte at a
 * time, both with TCP_NODELAY (as knoopd and libknoop use). */
static void *echo_server(void *arg)
{
    int lfd = *(int *)arg, fd, one = 1;
    char b;
    fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    while (read(fd, &b, 1) == 1)
        if (write(fd, &b, 1) != 1)
            break;
    close(fd);
    return NULL;
}

static void loopback_client(worker_t *w)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    size_t n = 0;
    char b = 'x';
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)w->echo_port);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        perror("bench_load: loopback connect");
        w->failed = 1;
        if (fd >= 0)
            close(fd);
        return;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    while (more_to_send(w, n)) {
        uint64_t t0 = bench_now_ns();
        if (write(fd, &b, 1) != 1 || read(fd, &b, 1) != 1) {
            w->failed = 1;
            break;
        }
        bench_lat_add(&w->lat, bench_now_ns() - t0);
        n++;
    }
    w->done = n;
    close(fd);
}

static int run_loopback(worker_t *w)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t len = sizeof(sa);
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    pthread_t th;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 1) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &len) != 0) {
        perror("bench_load: loopback listen");
        if (lfd >= 0)
            close(lfd);
        return 1;
    }
    w->echo_port = ntohs(sa.sin_port);
    if (pthread_create(&th, NULL, echo_server, &lfd) != 0) {
        close(lfd);
        return 1;
    }
    loopback_client(w);
    pthread_join(th, NULL);
    close(lfd);
    return w->failed;
}

static int run(const char *addr, int kind, size_t conns, size_t depth, size_t requests,
               double seconds, uint64_t first, uint64_t count, int tsv)
{
    worker_t *ws = calloc(conns, sizeof(*ws));
    bench_lat_t all = { 0 };
    uint64_t t0, wall;
    size_t done = 0;
    int failed = 0;

    if (ws == NULL)
        return 1;
    t0 = bench_now_ns();
    for (size_t i = 0; i < conns; i++) {
        ws[i] = (worker_t){ .addr = addr,
                            .kind = kind,
                            .requests = seconds > 0 ? 0 : (requests + conns - 1) / conns,
                            .depth = depth,
                            .deadline = seconds > 0 ? t0 + (uint64_t)(seconds * 1e9) : 0,
                            .first = first,
                            .count = count,
                            .seed = 1000 + i };
    }
    if (kind == W_LOOPBACK) {
        failed = run_loopback(&ws[0]);
        conns = 1;
    } else {
        failed = run_conns(ws, conns);
    }
    wall = bench_now_ns() - t0;
    for (size_t i = 0; i < conns; i++) {
        failed |= ws[i].failed;
        done += ws[i].done;
        for (size_t j = 0; j < ws[i].lat.n; j++)
            bench_lat_add(&all, ws[i].lat.v[j]);
        bench_lat_free(&ws[i].lat);
    }
    if (tsv) {
        double secs = (double)wall / 1e9;
        bench_lat_sort(&all);
        printf("%s\t%zu\t%zu\t%zu\t%.3f\t%.0f\t%.1f\t%.1f\t%.1f\n", kind_method(kind), conns, depth,
               done, secs, secs > 0 ? (double)done / secs : 0.0, bench_lat_pct(&all, 0.50),
               bench_lat_pct(&all, 0.99), bench_lat_pct(&all, 0.999));
        fflush(stdout);
    } else {
        char label[64];
        snprintf(label, sizeof(label), "%s c=%zu d=%zu", kind_method(kind), conns, depth);
        bench_report(label, &all, wall, 1);
    }
    bench_lat_free(&all);
    free(ws);
    return failed;
}

/* Answers of up to 64 pipelined requests on c; 0, or 1 after printing the failure. */
static int drain(knoop_conn_t *c, size_t *pending, const char *what)
{
    knoop_error_t err;
    for (; *pending > 0; (*pending)--) {
        knoop_result_t *r;
        uint32_t id;
        if (knoop_recv(c, &id, &r, &err) != 0) {
            fprintf(stderr, "bench_load: %s: %s\n", what, err.msg);
            return 1;
        }
        knoop_result_free(r);
    }
    return 0;
}

static uint64_t result_id(const knoop_result_t *r)
{
    const msgpack_object *o = knoop_result_value(r);
    if (o->type != MSGPACK_OBJECT_MAP)
        return 0;
    for (uint32_t k = 0; k < o->via.map.size; k++) {
        const msgpack_object *key = &o->via.map.ptr[k].key;
        if (key->type == MSGPACK_OBJECT_STR && key->via.str.size == 2 &&
            memcmp(key->via.str.ptr, "id", 2) == 0 &&
            o->via.map.ptr[k].val.type == MSGPACK_OBJECT_POSITIVE_INTEGER)
            return o->via.map.ptr[k].val.via.u64;
    }
    return 0;
}

/* Node i (0-based) of the generated graph is an organisation when i % 5 == 0. */
static int is_org(size_t i)
{
    return i % 5 == 0;
}

/*
 * Creates `nodes` nodes and 5 edges per node (see the file comment); sets *first to the first
 * node id. The node ids must be consecutive (a fresh data directory): checked.
 */
static int load(const char *addr, size_t nodes, const char *csv_path, uint64_t *first)
{
    knoop_conn_t *c;
    knoop_error_t err;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    uint64_t seed = 7, base = 0, last = 0;
    size_t pending = 0;
    FILE *csv = NULL;
    int rc = 1;

    if (knoop_connect(addr, &c, &err) != 0) {
        fprintf(stderr, "bench_load: %s\n", err.msg);
        return 1;
    }
    if (csv_path != NULL && (csv = fopen(csv_path, "w")) == NULL) {
        perror(csv_path);
        knoop_close(c);
        return 1;
    }
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    for (size_t i = 0; i < nodes; i++) {
        knoop_result_t *r;
        msgpack_sbuffer_clear(&sb);
        msgpack_pack_map(&pk, 2);
        msgpack_pack_str_with_body(&pk, "kind", 4);
        msgpack_pack_str_with_body(&pk, is_org(i) ? "organisation" : "person", is_org(i) ? 12 : 6);
        msgpack_pack_str_with_body(&pk, "props", 5);
        msgpack_pack_map(&pk, 1);
        msgpack_pack_str_with_body(&pk, "name", 4);
        msgpack_pack_str_with_body(&pk, "Bench", 5);
        if (knoop_call(c, "node.create", sb.data, sb.size, &r, &err) != 0) {
            fprintf(stderr, "bench_load: node.create: %s\n", err.msg);
            goto out;
        }
        last = result_id(r);
        if (i == 0)
            base = last;
        knoop_result_free(r);
    }
    if (base == 0 || last - base != nodes - 1) {
        fprintf(stderr,
                "bench_load: node ids %llu..%llu are not consecutive; use a fresh data "
                "directory\n",
                (unsigned long long)base, (unsigned long long)last);
        goto out;
    }
    /* Five edges from each person, to five different nodes (one person holds a role at one
     * node once at a time: a repeated pair would be refused): targets a + 1 + k * step + r for
     * k = 0..4, with r drawn once per person, never wrap round to a. */
    size_t step = nodes > 5 ? (nodes - 1) / 5 : 0, r = 0;
    for (size_t i = 0; i < nodes * 5 && step > 0; i++) {
        char from[11];
        size_t a = i / 5, k = i % 5, b;
        const char *type;
        if (k == 0)
            r = bench_rand(&seed) % step;
        if (is_org(a)) /* the source is always a person */
            continue;
        b = (a + 1 + k * step + r) % nodes;
        type = is_org(b) ? "medewerker" : "kent";
        snprintf(from, sizeof(from), "%04u-01-01", 1990u + (unsigned)(bench_rand(&seed) % 30));
        msgpack_sbuffer_clear(&sb);
        msgpack_pack_map(&pk, 5);
        msgpack_pack_str_with_body(&pk, "type", 4);
        msgpack_pack_str_with_body(&pk, type, strlen(type));
        msgpack_pack_str_with_body(&pk, "source", 6);
        msgpack_pack_uint64(&pk, base + a);
        msgpack_pack_str_with_body(&pk, "target", 6);
        msgpack_pack_uint64(&pk, base + b);
        msgpack_pack_str_with_body(&pk, "valid_from", 10);
        msgpack_pack_str_with_body(&pk, from, 10);
        msgpack_pack_str_with_body(&pk, "valid_to", 8);
        msgpack_pack_str_with_body(&pk, "2031-01-01", 10);
        if (csv != NULL) {
            /* The edge's id is not known until its answer; PostgreSQL numbers them itself. */
            fprintf(csv, "%s,%llu,%llu,%s,2031-01-01\n", type, (unsigned long long)(base + a),
                    (unsigned long long)(base + b), from);
        }
        if (knoop_send(c, "edge.create", sb.data, sb.size, NULL, &err) != 0) {
            fprintf(stderr, "bench_load: edge.create: %s\n", err.msg);
            goto out;
        }
        if (++pending == 64 && drain(c, &pending, "edge.create") != 0)
            goto out;
    }
    if (drain(c, &pending, "edge.create") != 0)
        goto out;
    *first = base;
    rc = 0;
out:
    if (csv != NULL && fclose(csv) != 0)
        rc = 1;
    msgpack_sbuffer_destroy(&sb);
    knoop_close(c);
    return rc;
}

static int parse_workload(const char *s)
{
    static const char *const names[] = { "ping", "node.get", "edge.list", "loopback", "table" };
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_load [--addr HOST:PORT] [--workload ping|node.get|edge.list|loopback|"
            "table]\n"
            "                  [--conns N] [--depth D] [--requests R | --seconds S] [--nodes N]\n"
            "                  [--first ID] [--load-only] [--edges-csv FILE] [--tsv]\n");
}

int main(int argc, char **argv)
{
    const char *addr = NULL, *csv = NULL;
    size_t conns = 16, depth = 16, requests = 200000, nodes = 5000;
    double seconds = 0;
    uint64_t first = 0;
    int failed = 0, workload = 4, load_only = 0, tsv = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--addr") == 0 && i + 1 < argc)
            addr = argv[++i];
        else if (strcmp(argv[i], "--workload") == 0 && i + 1 < argc)
            workload = parse_workload(argv[++i]);
        else if (strcmp(argv[i], "--conns") == 0 && i + 1 < argc)
            conns = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--depth") == 0 && i + 1 < argc)
            depth = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--requests") == 0 && i + 1 < argc)
            requests = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--nodes") == 0 && i + 1 < argc)
            nodes = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--first") == 0 && i + 1 < argc)
            first = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--edges-csv") == 0 && i + 1 < argc)
            csv = argv[++i];
        else if (strcmp(argv[i], "--load-only") == 0)
            load_only = 1;
        else if (strcmp(argv[i], "--tsv") == 0)
            tsv = 1;
        else {
            usage();
            return 2;
        }
    }
    if (workload < 0) {
        usage();
        return 2;
    }
    if (conns == 0 || depth == 0 || depth > BENCH_MAX_DEPTH || nodes == 0 ||
        (requests == 0 && seconds <= 0)) {
        fprintf(stderr, "bench_load: --conns, --nodes and --requests must be at least 1, --depth "
                        "1..4096\n");
        return 2;
    }
    if (first == 0) {
        if (load(addr, nodes, csv, &first) != 0)
            return 1;
        printf("bench_load: loaded first=%llu nodes=%zu edges=%zu\n", (unsigned long long)first,
               nodes, nodes * 5);
        fflush(stdout);
    }
    if (load_only)
        return 0;
    if (workload == 4) {
        failed |= run(addr, W_PING, 16, 16, requests, seconds, first, nodes, tsv);
        failed |= run(addr, W_PING, 16, 1, requests, seconds, first, nodes, tsv);
        failed |= run(addr, W_NODE_GET, 16, 1, requests, seconds, first, nodes, tsv);
        failed |= run(addr, W_EDGE_LIST, 16, 1, requests, seconds, first, nodes, tsv);
        failed |= run(addr, W_PING, 1, 1, requests / 4, seconds, first, nodes, tsv);
        failed |= run(addr, W_LOOPBACK, 1, 1, requests / 4, seconds, first, nodes, tsv);
    } else {
        failed |= run(addr, workload, conns, depth, requests, seconds, first, nodes, tsv);
    }
    return failed;
}
