/*
 * itest.h - helpers for the integration tests: run a real knoopd in a fresh data directory and
 * run client programs with captured output (layer: tests/integration).
 *
 * knoopd is started on 127.0.0.1 port 0 plus a Unix socket in the same temporary directory;
 * its one ready line on stdout ("knoopd ready listen=127.0.0.1:PORT unix=PATH") is read
 * through a pipe with a bounded poll, never a sleep. Stopping sends SIGTERM and waits (bounded,
 * through a pidfd) for a clean exit. Paths of the binaries come from the environment
 * (KNOOPD, KNOOP_CLI, KNOOP_EXAMPLE, set by CTest) or the compile-time defaults.
 */
#ifndef ITEST_H
#define ITEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Milliseconds to wait for knoopd to become ready and to exit. */
#define ITEST_WAIT_MS 20000
/* Milliseconds a child program (the CLI) may run: an import of the real register under ASan on
 * a busy 2-core machine takes 10 to 20 s, so the bound is generous; it only stops a hang. */
#define ITEST_RUN_MS 120000

typedef struct {
    pid_t pid;
    int out_fd;          /* read end of knoopd's stdout */
    char dir[256];       /* mkdtemp directory: data/, knoopd.sock, knoopd.log */
    char addr[64];       /* "127.0.0.1:PORT" */
    char unix_addr[300]; /* "unix:/tmp/.../knoopd.sock", "" if not printed */
    int port;
} itest_server_t;

/*
 * false (the default): knoopd runs with --trust-loopback, so that the tests of everything but
 * auth connect without credentials (as the local operator, every role). true: knoopd requires
 * auth on TCP (the security tests set it before itest_server_start).
 */
extern bool itest_auth_required;

/* The path of a binary: $env if set, else dflt. */
const char *itest_path(const char *env, const char *dflt);

/*
 * Starts knoopd (extra_args: NULL-terminated extra options, or NULL) in a new temporary
 * directory and waits for its ready line. Returns 0, or -1 after printing why (and knoopd's
 * log) to stderr; on failure nothing is left running.
 */
int itest_server_start(itest_server_t *s, const char *const *extra_args);

/*
 * Sends SIGTERM, waits for exit (SIGKILL after ITEST_WAIT_MS), removes the directory. Returns
 * knoopd's exit status (0 for a clean shutdown), 128+signal when killed by one, or -1.
 */
int itest_server_stop(itest_server_t *s);

/*
 * Stops knoopd as itest_server_stop does (its exit status in *exit_code) but keeps the directory,
 * then starts it again on the same data (a new port). Returns as itest_server_start.
 */
int itest_server_restart(itest_server_t *s, const char *const *extra_args, int *exit_code);

/*
 * Imports files (names in the reference data directory ITEST_DATA_DIR, NULL-terminated) into s
 * with `knoop import`. Returns 0, or -1 after printing the CLI's errors.
 */
int itest_import(const itest_server_t *s, const char *const *files);

/* Output of a finished child program. */
typedef struct {
    int status; /* exit code, 128+signal, or -1 when it could not run or timed out */
    char *out;  /* all of stdout, NUL-terminated, malloc'd */
    char *err;  /* all of stderr */
} itest_run_t;

/*
 * Runs argv (argv[0] a path) with stdin from `input` (NULL: /dev/null) and, when addr is not
 * NULL, KNOOP_ADDR=addr in the environment; captures stdout and stderr. Returns 0 (see
 * r->status) or -1. Free with itest_run_free.
 */
int itest_run(const char *const *argv, const char *addr, const char *input, itest_run_t *r);
void itest_run_free(itest_run_t *r);

/* A TCP port on 127.0.0.1 that nothing listens on (bound once, then closed). */
int itest_closed_port(void);

#endif
