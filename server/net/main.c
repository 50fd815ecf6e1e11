/*
 * main.c - knoopd's command line and config file (layer: net).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "net.h"

static const char usage[] =
    "Usage: knoopd --data DIR [--listen HOST:PORT] [options]\n"
    "       knoopd --check DIR\n"
    "\n"
    "Knoop network database server: persons, organisations and time-bounded roles in RocksDB,\n"
    "served over MessagePack-RPC (see proto/PROTOCOL.md).\n"
    "\n"
    "Options:\n"
    "  --data DIR               data directory (created if missing; default ./knoop-data)\n"
    "  --listen HOST:PORT       TCP address (default 127.0.0.1:7474; port 0 picks a free one)\n"
    "  --socket PATH            also listen on a Unix socket\n"
    "  --config FILE            read options from FILE: one 'name = value' per line, names as\n"
    "                           the long options without '--' ('_' may stand for '-'), '#'\n"
    "                           starts a comment; a bad line stops knoopd naming FILE:LINE\n"
    "  --auth-token-file FILE   also accept 'auth {token}' with the token in FILE (first line,\n"
    "                           mode 0600) as the admin 'shared-token'\n"
    "  --tls-cert FILE          TCP speaks TLS (1.2 or later) with this PEM certificate chain\n"
    "  --tls-key FILE           and this PEM private key (mode 0600, else refused)\n"
    "  --allow-plaintext        listen on a non-loopback address without TLS (logs a warning;\n"
    "                           without it such a start is refused)\n"
    "  --trust-loopback         connections from 127.0.0.0/8 and ::1 need no auth: they act as\n"
    "                           the local operator 'local' with every role, as the Unix socket\n"
    "                           always does (every local OS user can reach loopback: use it for\n"
    "                           tests and single-user machines only)\n"
    "  --no-sync                acknowledge writes before they are fsynced (faster, a power\n"
    "                           loss may lose the last writes; a process crash loses none)\n"
    "  --threads N              worker threads for store work (default 8, 1..128)\n"
    "  --adj-cache-mb N         memory for the adjacency cache: each node's roles and links,\n"
    "                           decoded once and shared by all questions (default 256; 0 = none)\n"
    "  --block-cache-mb N       memory for RocksDB's block cache: records and indexes read,\n"
    "                           uncompressed (default 512; 0 = RocksDB's own 32)\n"
    "  --row-cache-mb N         memory for RocksDB's row cache: records found by point reads,\n"
    "                           read again without a block search (default 64; 0 = none)\n"
    "  --loop-try-us N          how long a path question (k = 1) or a short edge.list may run\n"
    "                           on the event loop when no other request is waiting, before it\n"
    "                           moves to a worker\n"
    "                           (default 1000; 0 = always on a worker, 1..10000)\n"
    "  --no-warm-up             do not fill the caches in the background after the start (by\n"
    "                           default knoopd learns every node's kind and builds the\n"
    "                           adjacency of organisations, bodies, projects and persons into\n"
    "                           up to 3/4 of --adj-cache-mb; questions are answered meanwhile)\n"
    "  --log-level LEVEL        debug, info, warn or error (default info)\n"
    "\n"
    "Privacy and accountability:\n"
    "  --require-reason METHODS these methods need a 'reason' parameter (names separated by\n"
    "                           spaces or commas, e.g. 'node.delete privacy.erase'); a call\n"
    "                           without one is invalid_argument. May be given more than once.\n"
    "  --retention RULE         a retention rule 'KIND AGE': klantcontacten (kind contact)\n"
    "                           older than AGE = N followed by d, w, m or y (days, weeks,\n"
    "                           calendar months, years; at most 100 years), e.g. 'contact 5y'.\n"
    "                           knoopd erases what a rule finds at start and then every\n"
    "                           --retention-interval, through privacy.retention; every run is\n"
    "                           an entry of the audit trail. At most 16 rules.\n"
    "  --retention-interval S   seconds between runs of the retention rules (3600 / 604800)\n"
    "\n"
    "Limits (default / ceiling):\n"
    "  --max-message-bytes N    bytes in one message (16777216 / 268435456)\n"
    "  --max-depth N            nesting of arrays and maps (16 / 32)\n"
    "  --max-string-bytes N     bytes in one string or binary (1048576 / 67108864)\n"
    "  --max-entries N          entries in one array or map (1000000 / 16000000)\n"
    "  --max-connections N      open connections (1024 / 65536)\n"
    "  --max-inflight N         requests in flight per connection (128 / 65536)\n"
    "  --idle-timeout S         close connections idle for S seconds, 0 = never (300 / 604800)\n"
    "  --request-timeout MS     time per request in ms, 0 = none (30000 / 3600000)\n"
    "  --max-pending-output N   unsent answer bytes per connection before it is not read\n"
    "                           (67108864 / 1073741824)\n"
    "  --max-total-output N     unsent answer bytes over all connections; past it no\n"
    "                           connection with a request in flight or 64 KiB unsent is read\n"
    "                           until they drain (268435456 / 4293918720)\n"
    "  --max-queued-bytes N     bytes of requests waiting for a worker, all connections\n"
    "                           (268435456 / 4293918720)\n"
    "  --max-result-bytes N     bytes of one answer; larger is too_large (67108864 /\n"
    "                           1073741824)\n"
    "  --shutdown-grace MS      on SIGTERM, wait this long for answers to drain, then close\n"
    "                           the connections anyway (5000 / 600000); a client that takes\n"
    "                           none of its answers for 0.5 s is closed sooner\n"
    "  --min-free-mb N          free space kept in reserve where the data is: below it writes\n"
    "                           are refused (unavailable) while reads go on, and they resume by\n"
    "                           themselves once space returns; 0 = no reserve (64 / 1048576)\n"
    "\n"
    "Maintenance (each runs and exits):\n"
    "  --restore BACKUP         copy the backup BACKUP (made by 'knoop backup' / admin.backup)\n"
    "                           into --data DIR, which must not exist, and print its digest\n"
    "  --check DIR              check the data directory DIR (not open in a running knoopd)\n"
    "                           and exit: verifies that adjacency, indexes, unique keys and\n"
    "                           history agree with the node and edge records and that the\n"
    "                           audit chain is unbroken, prints each\n"
    "                           mismatch by column family and key, then a summary line with\n"
    "                           counts and the digest of the contents; exit status 0 when\n"
    "                           clean, 1 when not, 2 on error. Writes nothing.\n"
    "\n"
    "  --help                   this text\n"
    "  --version                the version\n"
    "\n"
    "Auth: TCP connections must 'auth' with {user, password} or {token} before any method but\n"
    "ping. The first start creates the user 'admin' with the password from the environment\n"
    "variable KNOOP_ADMIN_PASSWORD, or else a random one written to DIR/admin-password (0600);\n"
    "knoopd logs where. Roles: reader, editor, admin, privacy (see proto/PROTOCOL.md).\n"
    "\n"
    "knoopd prints one line 'knoopd ready listen=HOST:PORT[ unix=PATH]' on stdout when it\n"
    "accepts connections, logs to stderr, and shuts down gracefully on SIGINT or SIGTERM.\n";

enum {
    OPT_DATA = 1000,
    OPT_LISTEN,
    OPT_SOCKET,
    OPT_CONFIG,
    OPT_AUTH,
    OPT_NOSYNC,
    OPT_THREADS,
    OPT_LOG,
    OPT_MSG,
    OPT_DEPTH,
    OPT_STR,
    OPT_ENTRIES,
    OPT_CONNS,
    OPT_INFLIGHT,
    OPT_IDLE,
    OPT_REQ,
    OPT_PENDING,
    OPT_TOTAL_OUT,
    OPT_QUEUED,
    OPT_RESULT,
    OPT_GRACE,
    OPT_RESTORE,
    OPT_HELP,
    OPT_VERSION,
    OPT_CHECK,
    OPT_TRUST_LOOPBACK,
    OPT_TLS_CERT,
    OPT_TLS_KEY,
    OPT_PLAINTEXT,
    OPT_MIN_FREE,
    OPT_ADJ_CACHE,
    OPT_BLOCK_CACHE,
    OPT_ROW_CACHE,
    OPT_LOOP_TRY,
    OPT_NO_WARM,
    OPT_REQUIRE_REASON,
    OPT_RETENTION,
    OPT_RETENTION_INTERVAL
};

static const struct option long_opts[] = {
    { "data", required_argument, NULL, OPT_DATA },
    { "listen", required_argument, NULL, OPT_LISTEN },
    { "socket", required_argument, NULL, OPT_SOCKET },
    { "config", required_argument, NULL, OPT_CONFIG },
    { "auth-token-file", required_argument, NULL, OPT_AUTH },
    { "no-sync", no_argument, NULL, OPT_NOSYNC },
    { "threads", required_argument, NULL, OPT_THREADS },
    { "log-level", required_argument, NULL, OPT_LOG },
    { "max-message-bytes", required_argument, NULL, OPT_MSG },
    { "max-depth", required_argument, NULL, OPT_DEPTH },
    { "max-string-bytes", required_argument, NULL, OPT_STR },
    { "max-entries", required_argument, NULL, OPT_ENTRIES },
    { "max-connections", required_argument, NULL, OPT_CONNS },
    { "max-inflight", required_argument, NULL, OPT_INFLIGHT },
    { "idle-timeout", required_argument, NULL, OPT_IDLE },
    { "request-timeout", required_argument, NULL, OPT_REQ },
    { "max-pending-output", required_argument, NULL, OPT_PENDING },
    { "max-total-output", required_argument, NULL, OPT_TOTAL_OUT },
    { "max-queued-bytes", required_argument, NULL, OPT_QUEUED },
    { "max-result-bytes", required_argument, NULL, OPT_RESULT },
    { "shutdown-grace", required_argument, NULL, OPT_GRACE },
    { "restore", required_argument, NULL, OPT_RESTORE },
    { "help", no_argument, NULL, OPT_HELP },
    { "version", no_argument, NULL, OPT_VERSION },
    { "check", required_argument, NULL, OPT_CHECK },
    { "trust-loopback", no_argument, NULL, OPT_TRUST_LOOPBACK },
    { "tls-cert", required_argument, NULL, OPT_TLS_CERT },
    { "tls-key", required_argument, NULL, OPT_TLS_KEY },
    { "allow-plaintext", no_argument, NULL, OPT_PLAINTEXT },
    { "min-free-mb", required_argument, NULL, OPT_MIN_FREE },
    { "adj-cache-mb", required_argument, NULL, OPT_ADJ_CACHE },
    { "block-cache-mb", required_argument, NULL, OPT_BLOCK_CACHE },
    { "row-cache-mb", required_argument, NULL, OPT_ROW_CACHE },
    { "loop-try-us", required_argument, NULL, OPT_LOOP_TRY },
    { "no-warm-up", no_argument, NULL, OPT_NO_WARM },
    { "require-reason", required_argument, NULL, OPT_REQUIRE_REASON },
    { "retention", required_argument, NULL, OPT_RETENTION },
    { "retention-interval", required_argument, NULL, OPT_RETENTION_INTERVAL },
    { NULL, 0, NULL, 0 },
};

/* Strings given on the command line or in the config file live until main returns. */
static char *kept[64];
static int nkept;

static char *keep(const char *s)
{
    char *p = knoop_strdup(s);
    if (p == NULL || nkept == (int)(sizeof(kept) / sizeof(kept[0]))) {
        fprintf(stderr, "knoopd: out of memory or too many options\n");
        exit(1);
    }
    kept[nkept++] = p;
    return p;
}

static int parse_u32(const char *name, const char *v, uint32_t lo, uint32_t hi, uint32_t *out)
{
    char *end;
    unsigned long long x;
    errno = 0;
    x = strtoull(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || v[0] == '-' || x < lo || x > hi) {
        fprintf(stderr, "knoopd: --%s: expected a whole number from %u to %u, got '%s'\n", name, lo,
                hi, v);
        return -1;
    }
    *out = (uint32_t)x;
    return 0;
}

static int parse_listen(net_config_t *c, const char *v)
{
    const char *colon = strrchr(v, ':');
    uint32_t port;
    size_t hl;
    if (colon == NULL) {
        fprintf(stderr, "knoopd: --listen: expected HOST:PORT, got '%s'\n", v);
        return -1;
    }
    hl = (size_t)(colon - v);
    if (hl >= 2 && v[0] == '[' && v[hl - 1] == ']') {
        v++;
        hl -= 2;
    }
    if (hl == 0 || hl >= sizeof(c->listen_host)) {
        fprintf(stderr, "knoopd: --listen: bad host in '%s'\n", v);
        return -1;
    }
    if (parse_u32("listen port", colon + 1, 0, 65535, &port) != 0)
        return -1;
    memcpy(c->listen_host, v, hl);
    c->listen_host[hl] = '\0';
    c->listen_port = (int)port;
    return 0;
}

static int read_token(net_config_t *c, const char *path)
{
    char line[1024];
    FILE *f = fopen(path, "r");
    struct stat st;
    size_t n;
    if (f == NULL) {
        fprintf(stderr, "knoopd: --auth-token-file: cannot read '%s': %s\n", path, strerror(errno));
        return -1;
    }
    /* A secret others can read is no secret: refuse it, as ssh refuses a readable key. */
    if (fstat(fileno(f), &st) != 0 || (st.st_mode & 077) != 0) {
        fprintf(stderr,
                "knoopd: --auth-token-file: '%s' can be read by others (mode %04o); "
                "chmod 600 it\n",
                path, (unsigned)(st.st_mode & 07777));
        fclose(f);
        return -1;
    }
    if (fgets(line, sizeof(line), f) == NULL)
        line[0] = '\0';
    fclose(f);
    n = strcspn(line, "\r\n");
    line[n] = '\0';
    if (n < 8) {
        fprintf(stderr, "knoopd: --auth-token-file: token in '%s' is shorter than 8 characters\n",
                path);
        return -1;
    }
    c->auth_token = keep(line);
    return 0;
}

static int read_config(net_config_t *c, const char *path, int depth);

/* --tls-key: a private key others can read is refused, as the token file is. */
static int read_key_path(net_config_t *c, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "knoopd: --tls-key: cannot read '%s': %s\n", path, strerror(errno));
        return -1;
    }
    if ((st.st_mode & 077) != 0) {
        fprintf(stderr, "knoopd: --tls-key: '%s' can be read by others (mode %04o); chmod 600 it\n",
                path, (unsigned)(st.st_mode & 07777));
        return -1;
    }
    c->tls_key = keep(path);
    return 0;
}

/* Where the option being applied was given: "FILE:LINE" in a config file, "" on the command
 * line (set by read_config around each apply). */
static char where[4200];

/* Prints an option's error with its place: "knoopd: FILE:LINE: msg" or "knoopd: --name: msg". */
static int option_error(const char *name, const char *msg)
{
    if (where[0] != '\0')
        fprintf(stderr, "knoopd: %s: %s\n", where, msg);
    else
        fprintf(stderr, "knoopd: --%s: %s\n", name, msg);
    return -2; /* located: read_config adds no "(in FILE:LINE)" line */
}

/* --require-reason: method names separated by spaces or commas. */
static int parse_require_reason(const char *name, const char *v)
{
    char m[128];
    const char *p = v;
    knoop_error_t err;
    while (*p != '\0') {
        size_t n;
        p += strspn(p, " \t,");
        n = strcspn(p, " \t,");
        if (n == 0)
            break;
        if (n >= sizeof(m))
            return option_error(name, "a method name is too long");
        memcpy(m, p, n);
        m[n] = '\0';
        if (cmd_require_reason(m, &err) != KNOOP_OK)
            return option_error(name, err.msg);
        p += n;
    }
    return 0;
}

static int parse_retention(net_config_t *c, const char *name, const char *v)
{
    knoop_error_t err;
    if (c->nretention == NET_MAX_RETENTION_RULES)
        return option_error(name, "retention: at most 16 rules");
    if (cmd_retention_rule_parse(v, &c->retention[c->nretention], &err) != KNOOP_OK)
        return option_error(name, err.msg);
    c->nretention++;
    return 0;
}

static int apply(net_config_t *c, int opt, const char *name, const char *v, int depth)
{
    uint32_t u;
    switch (opt) {
    case OPT_REQUIRE_REASON:
        return parse_require_reason(name, v);
    case OPT_RETENTION:
        return parse_retention(c, name, v);
    case OPT_RETENTION_INTERVAL:
        return parse_u32(name, v, NET_RETENTION_INTERVAL_MIN, NET_RETENTION_INTERVAL_MAX,
                         &c->retention_interval);
    case OPT_DATA:
        c->data_dir = keep(v);
        return 0;
    case OPT_LISTEN:
        return parse_listen(c, v);
    case OPT_SOCKET:
        c->socket_path = keep(v);
        return 0;
    case OPT_CONFIG:
        return read_config(c, v, depth + 1);
    case OPT_AUTH:
        return read_token(c, v);
    case OPT_NOSYNC:
        c->sync = false;
        return 0;
    case OPT_TRUST_LOOPBACK:
        c->trust_loopback = true;
        return 0;
    case OPT_NO_WARM:
        c->warm_up = false;
        return 0;
    case OPT_TLS_CERT:
        c->tls_cert = keep(v);
        return 0;
    case OPT_TLS_KEY:
        return read_key_path(c, v);
    case OPT_PLAINTEXT:
        c->allow_plaintext = true;
        return 0;
    case OPT_THREADS:
        if (parse_u32(name, v, 1, 128, &u) != 0)
            return -1;
        c->threads = (int)u;
        return 0;
    case OPT_LOG:
        if (strcmp(v, "debug") == 0)
            c->log_level = NET_LOG_DEBUG;
        else if (strcmp(v, "info") == 0)
            c->log_level = NET_LOG_INFO;
        else if (strcmp(v, "warn") == 0)
            c->log_level = NET_LOG_WARN;
        else if (strcmp(v, "error") == 0)
            c->log_level = NET_LOG_ERROR;
        else {
            fprintf(stderr, "knoopd: --log-level: expected debug, info, warn or error, got '%s'\n",
                    v);
            return -1;
        }
        return 0;
    case OPT_MSG:
        return parse_u32(name, v, 64, KNOOP_MAX_MESSAGE_BYTES, &c->limits.max_message);
    case OPT_DEPTH:
        return parse_u32(name, v, 4, KNOOP_MAX_DEPTH, &c->limits.max_depth);
    case OPT_STR:
        return parse_u32(name, v, 64, KNOOP_MAX_STRING_BYTES, &c->limits.max_string);
    case OPT_ENTRIES:
        return parse_u32(name, v, 16, KNOOP_MAX_CONTAINER_ENTRIES, &c->limits.max_entries);
    case OPT_CONNS:
        return parse_u32(name, v, 1, KNOOP_MAX_CONNECTIONS, &c->max_connections);
    case OPT_INFLIGHT:
        return parse_u32(name, v, 1, KNOOP_MAX_INFLIGHT, &c->max_inflight);
    case OPT_IDLE:
        return parse_u32(name, v, 0, KNOOP_MAX_IDLE_SECONDS, &c->idle_seconds);
    case OPT_REQ:
        return parse_u32(name, v, 0, KNOOP_MAX_REQUEST_MS, &c->request_ms);
    case OPT_PENDING:
        return parse_u32(name, v, 4096, KNOOP_MAX_PENDING_OUTPUT, &c->max_pending_output);
    case OPT_TOTAL_OUT:
        return parse_u32(name, v, 65536, KNOOP_MAX_TOTAL_OUTPUT, &c->max_total_output);
    case OPT_QUEUED:
        return parse_u32(name, v, 65536, KNOOP_MAX_QUEUED_BYTES, &c->max_queued_bytes);
    case OPT_RESULT:
        return parse_u32(name, v, 1024, KNOOP_MAX_RESULT_BYTES, &c->max_result_bytes);
    case OPT_GRACE:
        return parse_u32(name, v, 0, KNOOP_MAX_SHUTDOWN_MS, &c->shutdown_ms);
    case OPT_MIN_FREE:
        return parse_u32(name, v, 0, KNOOP_MAX_MIN_FREE_MB, &c->min_free_mb);
    case OPT_ADJ_CACHE:
        return parse_u32(name, v, 0, KNOOP_MAX_ADJ_CACHE_MB, &c->adj_cache_mb);
    case OPT_BLOCK_CACHE:
        return parse_u32(name, v, 0, KNOOP_MAX_BLOCK_CACHE_MB, &c->block_cache_mb);
    case OPT_ROW_CACHE:
        return parse_u32(name, v, 0, KNOOP_MAX_ROW_CACHE_MB, &c->row_cache_mb);
    case OPT_LOOP_TRY:
        return parse_u32(name, v, 0, KNOOP_MAX_LOOP_TRY_US, &c->loop_try_us);
    default:
        return -1;
    }
}

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

static int read_config(net_config_t *c, const char *path, int depth)
{
    char line[4096];
    int lineno = 0, rc = 0;
    FILE *f;
    if (depth > 4) {
        fprintf(stderr, "knoopd: %s: config files nest too deeply\n", path);
        return -1;
    }
    if ((f = fopen(path, "r")) == NULL) {
        fprintf(stderr, "knoopd: --config: cannot read '%s': %s\n", path, strerror(errno));
        return -1;
    }
    while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
        char *k, *v, *eq, *hash = strchr(line, '#');
        const struct option *o;
        lineno++;
        if (hash)
            *hash = '\0';
        k = trim(line);
        if (*k == '\0')
            continue;
        eq = strchr(k, '=');
        v = eq ? trim(eq + 1) : NULL;
        if (eq)
            *eq = '\0';
        k = trim(k);
        /* require_reason and require-reason alike: the names are the long options. */
        for (char *u = k; *u != '\0'; u++)
            if (*u == '_')
                *u = '-';
        for (o = long_opts; o->name != NULL; o++)
            if (strcmp(o->name, k) == 0)
                break;
        if (o->name == NULL || o->val == OPT_HELP || o->val == OPT_VERSION ||
            o->val == OPT_RESTORE || o->val == OPT_CHECK) {
            fprintf(stderr, "knoopd: %s:%d: unknown option '%s'\n", path, lineno, k);
            rc = -1;
        } else if ((o->has_arg == required_argument) != (v != NULL && *v != '\0')) {
            fprintf(stderr, "knoopd: %s:%d: option '%s' %s\n", path, lineno, k,
                    o->has_arg == required_argument ? "needs '= value'" : "takes no value");
            rc = -1;
        } else {
            int a;
            snprintf(where, sizeof(where), "%s:%d", path, lineno);
            a = apply(c, o->val, o->name, v, depth);
            where[0] = '\0';
            if (a == -1)
                fprintf(stderr, "knoopd: (in %s:%d)\n", path, lineno);
            if (a != 0)
                rc = -1;
        }
    }
    fclose(f);
    return rc;
}

/* --restore: copies a backup into the data directory and prints its digest. */
static int restore(const char *backup, const char *dir)
{
    knoop_error_t err;
    char digest[17];
    if (store_restore(backup, dir, digest, &err) != KNOOP_OK) {
        fprintf(stderr, "knoopd: --restore %s: %s\n", backup, err.msg);
        return 1;
    }
    printf("knoopd restored %s into %s digest=%s\n", backup, dir, digest);
    return 0;
}

int main(int argc, char **argv)
{
    const char *restore_from = NULL;
    net_config_t cfg;
    const char *check_dir = NULL;
    int opt, idx;
    net_config_default(&cfg);
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":", long_opts, &idx)) != -1) {
        if (opt == OPT_HELP) {
            fputs(usage, stdout);
            return 0;
        }
        if (opt == OPT_VERSION) {
            printf("knoopd %s\n", KNOOP_VERSION);
            return 0;
        }
        if (opt == OPT_CHECK) {
            check_dir = optarg;
            continue;
        }
        if (opt == '?' || opt == ':') {
            fprintf(stderr, "knoopd: %s option '%s' (try --help)\n",
                    opt == ':' ? "missing value for" : "unknown", argv[optind - 1]);
            return 2;
        }
        if (opt == OPT_RESTORE) {
            restore_from = optarg;
            continue;
        }
        if (apply(&cfg, opt, long_opts[idx].name, optarg, 0) != 0)
            return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "knoopd: unexpected argument '%s' (try --help)\n", argv[optind]);
        return 2;
    }
    if (check_dir != NULL) {
        opt = cmd_check_dir(check_dir, stdout, stderr);
        while (nkept > 0)
            knoop_free(kept[--nkept]);
        return opt;
    }
    if ((cfg.tls_cert != NULL) != (cfg.tls_key != NULL)) {
        fprintf(stderr, "knoopd: --tls-cert and --tls-key go together\n");
        return 2;
    }
    if (restore_from != NULL)
        opt = restore(restore_from, cfg.data_dir);
    else
        opt = net_run(&cfg);
    while (nkept > 0)
        knoop_free(kept[--nkept]);
    return opt;
}
