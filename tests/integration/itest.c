/*
 * itest.c - start and stop a real knoopd, run client programs (layer: tests/integration; see
 * itest.h).
 */
#include "itest.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

bool itest_auth_required = false;

const char *itest_path(const char *env, const char *dflt)
{
    const char *v = getenv(env);
    return v != NULL && v[0] != '\0' ? v : dflt;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int left_ms(long long deadline)
{
    long long l = deadline - now_ms();
    return l < 0 ? 0 : (int)l;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void print_log(const itest_server_t *s)
{
    char path[300], line[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/knoopd.log", s->dir);
    f = fopen(path, "r");
    if (f == NULL)
        return;
    fprintf(stderr, "---- knoopd log ----\n");
    while (fgets(line, sizeof(line), f) != NULL)
        fputs(line, stderr);
    fclose(f);
}

/* Waits for pid to exit within ms (pidfd + poll, no sleeping). Returns the wait status or -1
 * on timeout. */
static int wait_exit(pid_t pid, int ms)
{
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0), st = 0;

    if (pfd >= 0) {
        struct pollfd p = { .fd = pfd, .events = POLLIN };
        int n;
        do
            n = poll(&p, 1, ms);
        while (n < 0 && errno == EINTR);
        close(pfd);
        if (n == 0)
            return -1;
    }
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return st;
}

static int exit_code(int st)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return -1;
}

/* Starts knoopd on s->dir/data and reads its ready line; on failure removes s->dir. */
static int spawn_server(itest_server_t *s, const char *const *extra_args)
{
    const char *bin = itest_path("KNOOPD", ITEST_KNOOPD);
    char data[300], sock[300], log[300], buf[512];
    const char *argv[32];
    posix_spawn_file_actions_t fa;
    int pfd[2], n = 0, rc;
    size_t got = 0;
    long long deadline;
    char *nl, *p;

    s->pid = -1;
    s->out_fd = -1;
    snprintf(data, sizeof(data), "%s/data", s->dir);
    snprintf(sock, sizeof(sock), "%s/knoopd.sock", s->dir);
    snprintf(log, sizeof(log), "%s/knoopd.log", s->dir);
    argv[n++] = bin;
    argv[n++] = "--data";
    argv[n++] = data;
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--socket";
    argv[n++] = sock;
    argv[n++] = "--no-sync";
    if (!itest_auth_required)
        argv[n++] = "--trust-loopback";
    while (extra_args != NULL && *extra_args != NULL && n < 31)
        argv[n++] = *extra_args++;
    argv[n] = NULL;

    if (pipe2(pfd, O_CLOEXEC) != 0) {
        rm_tree(s->dir);
        return -1;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    rc = posix_spawn(&s->pid, bin, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    s->out_fd = pfd[0];
    if (rc != 0) {
        fprintf(stderr, "itest: cannot start %s: %s\n", bin, strerror(rc));
        close(pfd[0]);
        rm_tree(s->dir);
        s->pid = -1;
        return -1;
    }

    /* Read the ready line, bounded. */
    deadline = now_ms() + ITEST_WAIT_MS;
    for (;;) {
        struct pollfd pp = { .fd = s->out_fd, .events = POLLIN };
        ssize_t r;
        int pn = poll(&pp, 1, left_ms(deadline));
        if (pn < 0 && errno == EINTR)
            continue;
        if (pn <= 0) {
            fprintf(stderr, "itest: knoopd not ready after %d ms\n", ITEST_WAIT_MS);
            goto fail;
        }
        r = read(s->out_fd, buf + got, sizeof(buf) - 1 - got);
        if (r <= 0) {
            fprintf(stderr, "itest: knoopd exited before its ready line\n");
            goto fail;
        }
        got += (size_t)r;
        buf[got] = '\0';
        if (strchr(buf, '\n') != NULL || got == sizeof(buf) - 1)
            break;
    }
    nl = strchr(buf, '\n');
    if (nl != NULL)
        *nl = '\0';
    p = strstr(buf, "listen=127.0.0.1:");
    if (strncmp(buf, "knoopd ready ", 13) != 0 || p == NULL ||
        (s->port = atoi(p + strlen("listen=127.0.0.1:"))) <= 0) {
        fprintf(stderr, "itest: unexpected ready line '%s'\n", buf);
        goto fail;
    }
    snprintf(s->addr, sizeof(s->addr), "127.0.0.1:%d", s->port);
    p = strstr(buf, " unix=");
    if (p != NULL)
        snprintf(s->unix_addr, sizeof(s->unix_addr), "unix:%s", p + 6);
    return 0;
fail:
    print_log(s);
    kill(s->pid, SIGKILL);
    wait_exit(s->pid, ITEST_WAIT_MS);
    close(s->out_fd);
    rm_tree(s->dir);
    s->pid = -1;
    return -1;
}

int itest_server_start(itest_server_t *s, const char *const *extra_args)
{
    const char *tmp = itest_path("TMPDIR", "/tmp");
    memset(s, 0, sizeof(*s));
    snprintf(s->dir, sizeof(s->dir), "%s/knoop-itest-XXXXXX", tmp);
    if (mkdtemp(s->dir) == NULL) {
        fprintf(stderr, "itest: mkdtemp %s: %s\n", s->dir, strerror(errno));
        return -1;
    }
    return spawn_server(s, extra_args);
}

/* Sends SIGTERM and waits (SIGKILL after ITEST_WAIT_MS); returns the exit code as stop does. */
static int halt_server(itest_server_t *s)
{
    int st, code;

    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    st = wait_exit(s->pid, ITEST_WAIT_MS);
    if (st == -1) {
        fprintf(stderr, "itest: knoopd did not exit after SIGTERM; killing it\n");
        kill(s->pid, SIGKILL);
        st = wait_exit(s->pid, ITEST_WAIT_MS);
        code = -1;
    } else {
        code = exit_code(st);
    }
    if (code != 0)
        print_log(s);
    close(s->out_fd);
    s->pid = -1;
    return code;
}

int itest_server_stop(itest_server_t *s)
{
    int code = halt_server(s);
    rm_tree(s->dir);
    return code;
}

int itest_server_restart(itest_server_t *s, const char *const *extra_args, int *exit_code)
{
    *exit_code = halt_server(s);
    return spawn_server(s, extra_args);
}

/* Appends what fd has to *buf (size *len); returns 0 at EOF, 1 if more may come. */
static int drain(int fd, char **buf, size_t *len)
{
    char tmp[8192];
    ssize_t r = read(fd, tmp, sizeof(tmp));
    char *nb;

    if (r < 0 && (errno == EINTR || errno == EAGAIN))
        return 1;
    if (r <= 0)
        return 0;
    nb = realloc(*buf, *len + (size_t)r + 1);
    if (nb == NULL)
        return 0;
    memcpy(nb + *len, tmp, (size_t)r);
    *len += (size_t)r;
    nb[*len] = '\0';
    *buf = nb;
    return 1;
}

int itest_run(const char *const *argv, const char *addr, const char *input, itest_run_t *r)
{
    posix_spawn_file_actions_t fa;
    int in[2], out[2], err[2], rc, st;
    size_t nenv = 0, i, olen = 0, elen = 0;
    char **envp, addrvar[400];
    int open_out = 1, open_err = 1;
    long long deadline;
    pid_t pid;

    memset(r, 0, sizeof(*r));
    r->status = -1;
    r->out = calloc(1, 1);
    r->err = calloc(1, 1);
    for (i = 0; environ[i] != NULL; i++)
        nenv++;
    envp = calloc(nenv + 2, sizeof(*envp));
    if (envp == NULL || r->out == NULL || r->err == NULL)
        return -1;
    nenv = 0;
    for (i = 0; environ[i] != NULL; i++)
        if (strncmp(environ[i], "KNOOP_ADDR=", 11) != 0 &&
            strncmp(environ[i], "KNOOP_TOKEN=", 12) != 0)
            envp[nenv++] = environ[i];
    if (addr != NULL) {
        snprintf(addrvar, sizeof(addrvar), "KNOOP_ADDR=%s", addr);
        envp[nenv++] = addrvar;
    }
    envp[nenv] = NULL;

    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        free(envp);
        return -1;
    }
    if (input != NULL) {
        ssize_t w = write(in[1], input, strlen(input)); /* small: fits the pipe buffer */
        (void)w;
    }
    close(in[1]);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    free(envp);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
        fprintf(stderr, "itest: cannot run %s: %s\n", argv[0], strerror(rc));
        close(out[0]);
        close(err[0]);
        return -1;
    }
    deadline = now_ms() + ITEST_RUN_MS;
    while (open_out || open_err) {
        struct pollfd p[2] = { { .fd = open_out ? out[0] : -1, .events = POLLIN },
                               { .fd = open_err ? err[0] : -1, .events = POLLIN } };
        int n = poll(p, 2, left_ms(deadline));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            fprintf(stderr, "itest: %s did not finish in %d ms\n", argv[0], ITEST_RUN_MS);
            kill(pid, SIGKILL);
            break;
        }
        if (p[0].revents && !drain(out[0], &r->out, &olen))
            open_out = 0;
        if (p[1].revents && !drain(err[0], &r->err, &elen))
            open_err = 0;
    }
    close(out[0]);
    close(err[0]);
    st = wait_exit(pid, ITEST_WAIT_MS);
    r->status = open_out || open_err || st == -1 ? -1 : exit_code(st);
    return 0;
}

void itest_run_free(itest_run_t *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

int itest_closed_port(void)
{
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &al) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

int itest_import(const itest_server_t *s, const char *const *files)
{
    char paths[16][512];
    const char *argv[20];
    itest_run_t r;
    int n = 0, rc;
    argv[n++] = itest_path("KNOOP_CLI", ITEST_KNOOP_CLI);
    argv[n++] = "import";
    for (int i = 0; files[i] != NULL && i < 16; i++) {
        snprintf(paths[i], sizeof(paths[i]), "%s/%s", ITEST_DATA_DIR, files[i]);
        argv[n++] = paths[i];
    }
    argv[n] = NULL;
    rc = itest_run(argv, s->addr, NULL, &r);
    if (rc != 0 || r.status != 0) {
        fprintf(stderr, "itest: import failed: %s\n", r.err ? r.err : "");
        rc = -1;
    }
    itest_run_free(&r);
    return rc;
}
