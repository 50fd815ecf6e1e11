/*
 * test_hostile.c - the request path under hostile and greedy clients, against a real knoopd
 * (layer: tests/integration): a client that never reads is closed and the server's memory stays
 * within its caps; a shutdown completes with such a client connected; receive buffers shrink
 * after a large message; answers over the byte limit are refused; requests of a connection that
 * closed are not run; a point read is answered while another client's pipeline of scans waits.
 *
 * The hostile clients speak raw MessagePack over a socket (they must be able to not read);
 * the well-behaved one uses libknoop. No sleeps: every wait is a bounded poll.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <msgpack.h>

#include "itest.h"
#include "itest_json.h"
#include "knoop.h"

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How much a never-reading client may raise knoopd's resident memory: its output cap (4 MiB)
 * plus buffers. Under AddressSanitizer freed memory stays in quarantine (256 MiB by default),
 * so the bound there is the quarantine's. */
#ifdef __SANITIZE_ADDRESS__
#define HOSTILE_RSS_SLACK_KIB (320 * 1024)
#else
#define HOSTILE_RSS_SLACK_KIB (64 * 1024)
#endif

/* server.info's memory.<field>. */
static long long mem(knoop_conn_t *c, const char *field)
{
    json_t *j = itest_call_ok(c, "server.info", "{}");
    long long v = json_integer_value(json_object_get(json_object_get(j, "memory"), field));
    json_decref(j);
    return v;
}

static long long connections(knoop_conn_t *c)
{
    json_t *j = itest_call_ok(c, "server.info", "{}");
    long long v = json_integer_value(json_object_get(j, "connections"));
    json_decref(j);
    return v;
}

/* Resident memory of pid in KiB (VmRSS). */
static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;
    FILE *f;
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* A raw TCP connection to s; the caller closes it. */
static int raw_connect(const itest_server_t *s)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)s->port) };
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

/* Packs request [0, msgid, method, [params]] with params a map of one string key whose value
 * is given raw (already packed), or an empty map when raw is NULL. */
static void pack_request(msgpack_sbuffer *sb, uint32_t msgid, const char *method, const char *key,
                         const char *sval)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 4);
    msgpack_pack_uint8(&pk, 0);
    msgpack_pack_uint32(&pk, msgid);
    msgpack_pack_str_with_body(&pk, method, strlen(method));
    msgpack_pack_array(&pk, 1);
    if (key == NULL) {
        msgpack_pack_map(&pk, 0);
        return;
    }
    msgpack_pack_map(&pk, 1);
    msgpack_pack_str_with_body(&pk, key, strlen(key));
    msgpack_pack_str_with_body(&pk, sval, strlen(sval));
}

/* Sends all of buf (blocking), stopping early when the server stops reading for ms. */
static size_t send_some(int fd, const char *buf, size_t len, int ms)
{
    size_t off = 0;
    while (off < len) {
        struct pollfd p = { .fd = fd, .events = POLLOUT };
        ssize_t n;
        if (poll(&p, 1, ms) <= 0)
            break;
        n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    return off;
}

/* ---- a client that never reads ---- */

static void client_that_never_reads_is_closed_and_memory_stays_within_the_caps(void **state)
{
    const char *args[] = { "--idle-timeout", "1", "--max-pending-output", "4194304", NULL };
    itest_server_t s;
    knoop_conn_t *c;
    msgpack_sbuffer sb;
    json_t *j;
    long rss0, rss1;
    long long deadline;
    int fd;
    (void)state;

    assert_int_equal(itest_server_start(&s, args), 0);
    c = itest_connect(s.addr);
    /* One node with a 512 KiB property: every node.get of it is a 512 KiB answer. */
    {
        size_t n = 512 * 1024, off;
        char *p = malloc(n + 128);
        assert_non_null(p);
        off = (size_t)snprintf(p, 128,
                               "{\"kind\": \"project\", \"props\": {\"key\": \"groot\", "
                               "\"omschrijving\": \"");
        memset(p + off, 'x', n);
        snprintf(p + off + n, 16, "\"}}");
        j = itest_call_ok(c, "node.create", "%s", p);
        json_decref(j);
        free(p);
    }
    rss0 = rss_kib(s.pid);

    /* 1000 node.get requests (500 MB of answers) sent, none read. */
    msgpack_sbuffer_init(&sb);
    for (uint32_t i = 0; i < 1000; i++)
        pack_request(&sb, i, "node.get", "id", "groot");
    fd = raw_connect(&s);
    send_some(fd, sb.data, sb.size, 2000);
    msgpack_sbuffer_destroy(&sb);
    /* The server stops reading at the per-connection cap: its output stays near the cap. */
    assert_true(mem(c, "output_bytes") <= 4194304 + 2 * 512 * 1024 + 4096);
    rss1 = rss_kib(s.pid);
    printf("never-reading client: RSS %ld KiB before, %ld KiB with the client\n", rss0, rss1);
    assert_true(rss1 - rss0 < HOSTILE_RSS_SLACK_KIB);
    /* It is closed once it has read nothing for the idle time (bounded wait). */
    deadline = now_ms() + ITEST_WAIT_MS;
    while (connections(c) > 1 && now_ms() < deadline) {
        struct pollfd p = { .fd = -1 };
        poll(&p, 0, 50);
    }
    assert_int_equal(connections(c), 1);
    assert_int_equal(mem(c, "output_bytes"), 0);
    close(fd);
    knoop_close(c);
    assert_int_equal(itest_server_stop(&s), 0);
}

static void shutdown_completes_while_a_client_leaves_its_answers_unread(void **state)
{
    const char *args[] = { "--shutdown-grace", "300", "--max-pending-output", "1048576", NULL };
    itest_server_t s;
    msgpack_sbuffer sb;
    knoop_conn_t *c;
    int fd;
    (void)state;

    assert_int_equal(itest_server_start(&s, args), 0);
    c = itest_connect(s.addr);
    json_decref(
        itest_call_ok(c, "node.create", "{\"kind\": \"project\", \"props\": {\"key\": \"p\"}}"));
    msgpack_sbuffer_init(&sb);
    for (uint32_t i = 0; i < 20000; i++)
        pack_request(&sb, i, "schema.types", NULL, NULL);
    fd = raw_connect(&s);
    send_some(fd, sb.data, sb.size, 1000);
    msgpack_sbuffer_destroy(&sb);
    {
        /* Bounded wait until the server has read them and holds the unread answers. */
        long long deadline = now_ms() + ITEST_WAIT_MS;
        while (mem(c, "output_bytes") == 0 && now_ms() < deadline) {
            struct pollfd p = { .fd = -1 };
            poll(&p, 0, 20);
        }
    }
    assert_true(mem(c, "output_bytes") > 0);
    knoop_close(c);
    /* SIGTERM: the server must exit cleanly although the client reads nothing. */
    assert_int_equal(itest_server_stop(&s), 0);
    close(fd);
}

/* ---- buffers and byte limits ---- */

static void receive_buffer_shrinks_after_a_large_message(void **state)
{
    itest_server_t s;
    knoop_conn_t *c, *big;
    knoop_error_t err;
    char *p;
    size_t n = 12 * 1024 * 1024;
    json_t *j;
    int rc;
    (void)state;

    assert_int_equal(itest_server_start(&s, NULL), 0);
    c = itest_connect(s.addr);
    big = itest_connect(s.addr);
    /* A 12 MiB message (an oversized string is refused, but only after it was received). */
    p = malloc(n + 64);
    assert_non_null(p);
    memcpy(p, "{\"x\": [", 7);
    size_t off = 7;
    while (off < n) {
        memcpy(p + off, "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",", 33);
        off += 33;
    }
    memcpy(p + off, "\"a\"]}", 6);
    j = itest_call(big, "ping", p, &rc, &err);
    json_decref(j);
    assert_int_equal(rc, KNOOP_EINVAL); /* ping takes no parameters */
    free(p);
    /* The 12 MiB buffer was given back: both connections hold at most a few read chunks. */
    assert_true(mem(c, "recv_buffer_bytes") <= 2 * 4 * 64 * 1024);
    knoop_close(big);
    knoop_close(c);
    assert_int_equal(itest_server_stop(&s), 0);
}

static void answer_over_the_byte_limit_is_refused_with_too_large(void **state)
{
    const char *args[] = { "--max-result-bytes", "4096", NULL };
    itest_server_t s;
    knoop_conn_t *c;
    knoop_error_t err;
    json_t *j;
    int rc;
    (void)state;

    assert_int_equal(itest_server_start(&s, args), 0);
    c = itest_connect(s.addr);
    for (int i = 0; i < 100; i++) {
        char q[128];
        snprintf(q, sizeof(q), "{\"kind\": \"project\", \"props\": {\"name\": \"Project %d\"}}", i);
        json_decref(itest_call_ok(c, "node.create", "%s", q));
    }
    j = itest_call(c, "node.find", "{\"kind\": \"project\"}", &rc, &err);
    assert_null(j);
    assert_int_equal(rc, KNOOP_ETOOLARGE);
    assert_non_null(strstr(err.msg, "limit"));
    /* With a smaller limit it fits. */
    j = itest_call_ok(c, "node.find", "{\"kind\": \"project\", \"limit\": 5}");
    assert_true(json_is_true(json_object_get(j, "more")));
    json_decref(j);
    /* A read answered on the loop (schema.roles, CMD_FAST, several KiB) is packed straight into
     * the connection's output buffer: over the limit it is cut back and replaced by the error,
     * and the answers after it on the same connection stay whole. */
    j = itest_call(c, "schema.roles", "{}", &rc, &err);
    assert_null(j);
    assert_int_equal(rc, KNOOP_ETOOLARGE);
    assert_non_null(strstr(err.msg, "schema.roles"));
    j = itest_call_ok(c, "ping", "{}");
    assert_string_equal(json_string_value(j), "pong");
    json_decref(j);
    j = itest_call_ok(c, "node.find", "{\"kind\": \"project\", \"limit\": 1}");
    assert_int_equal(json_array_size(json_object_get(j, "nodes")), 1);
    json_decref(j);
    knoop_close(c);
    assert_int_equal(itest_server_stop(&s), 0);
}

/* ---- work of closed connections, fairness ---- */

static long long count_projects(knoop_conn_t *c)
{
    json_t *j = itest_call_ok(c, "node.find", "{\"kind\": \"project\", \"limit\": 100000}");
    long long n = (long long)json_array_size(json_object_get(j, "nodes"));
    json_decref(j);
    return n;
}

static void requests_of_a_connection_that_closed_are_not_run(void **state)
{
    /* One worker and fsync on every commit: the writes run one by one, slowly. */
    const char *args[] = { "--threads", "1", NULL };
    struct linger lg = { .l_onoff = 1, .l_linger = 0 };
    itest_server_t s;
    msgpack_sbuffer sb;
    knoop_conn_t *c;
    long long deadline, n;
    int fd;
    (void)state;

    assert_int_equal(itest_server_start(&s, args), 0);
    c = itest_connect(s.addr);
    msgpack_sbuffer_init(&sb);
    for (uint32_t i = 0; i < 120; i++)
        pack_request(&sb, i, "node.create", "kind", "project");
    fd = raw_connect(&s);
    assert_int_equal(send_some(fd, sb.data, sb.size, 2000), sb.size);
    msgpack_sbuffer_destroy(&sb);
    /* Reset the connection at once (RST, not a polite close): what has not started is dropped. */
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(fd);
    deadline = now_ms() + ITEST_WAIT_MS;
    while (connections(c) > 1 && now_ms() < deadline) {
        struct pollfd p = { .fd = -1 };
        poll(&p, 0, 20);
    }
    while (mem(c, "requests_running") > 0 && now_ms() < deadline) {
        struct pollfd p = { .fd = -1 };
        poll(&p, 0, 20);
    }
    n = count_projects(c);
    printf("closed connection: %lld of 120 queued writes ran\n", n);
    assert_true(n < 120);
    knoop_close(c);
    assert_int_equal(itest_server_stop(&s), 0);
}

static void point_read_is_answered_while_another_clients_scans_wait(void **state)
{
    const char *args[] = { "--threads", "1", "--no-sync", NULL };
    itest_server_t s;
    msgpack_sbuffer sb;
    knoop_conn_t *c, *b;
    json_t *j;
    long long waiting;
    int fd;
    (void)state;

    assert_int_equal(itest_server_start(&s, args), 0);
    c = itest_connect(s.addr);
    {
        /* 2000 nodes, written in one batch. */
        size_t cap = 2000 * 96 + 64, off = 0;
        char *ops = malloc(cap);
        assert_non_null(ops);
        off += (size_t)snprintf(ops + off, cap - off, "{\"ops\": [");
        for (int i = 0; i < 2000; i++)
            off += (size_t)snprintf(ops + off, cap - off,
                                    "%s{\"method\": \"node.create\", \"params\": {\"kind\": "
                                    "\"project\", \"props\": {\"name\": \"Scan %d\"}}}",
                                    i ? "," : "", i);
        snprintf(ops + off, cap - off, "]}");
        json_decref(itest_call_ok(c, "batch", "%s", ops));
        free(ops);
    }
    /* Client A: 128 scans of all 2000 nodes, pipelined, answers left unread for now. */
    msgpack_sbuffer_init(&sb);
    for (uint32_t i = 0; i < 128; i++)
        pack_request(&sb, i, "node.find", "kind", "project");
    fd = raw_connect(&s);
    assert_int_equal(send_some(fd, sb.data, sb.size, 2000), sb.size);
    msgpack_sbuffer_destroy(&sb);
    /* Client B: a point read is answered at once, while A's scans are still waiting. */
    b = itest_connect(s.addr);
    j = itest_call_ok(b, "node.get", "{\"id\": 1}");
    json_decref(j);
    waiting = mem(b, "requests_waiting");
    printf("fairness: %lld of client A's 128 scans still waiting when B's node.get returned\n",
           waiting);
    assert_true(waiting > 0);
    knoop_close(b);
    close(fd);
    knoop_close(c);
    assert_int_equal(itest_server_stop(&s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(client_that_never_reads_is_closed_and_memory_stays_within_the_caps),
        cmocka_unit_test(shutdown_completes_while_a_client_leaves_its_answers_unread),
        cmocka_unit_test(receive_buffer_shrinks_after_a_large_message),
        cmocka_unit_test(answer_over_the_byte_limit_is_refused_with_too_large),
        cmocka_unit_test(requests_of_a_connection_that_closed_are_not_run),
        cmocka_unit_test(point_read_is_answered_while_another_clients_scans_wait),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
