/*
 * test_diskfull.c - a full disk against a real knoopd on a small tmpfs (layer: tests/integration):
 * below the free-space reserve writes are refused as unavailable while reads go on, and they
 * resume by themselves, without a restart, once space returns; nothing acknowledged is lost.
 *
 * The tmpfs is mounted in a private mount namespace of this test process (as root; otherwise in a
 * user namespace of its own), so it needs no cleanup outside the test and cannot leak a mount.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "itest.h"
#include "itest_json.h"
#include "knoop.h"

#define TMPFS_SIZE "64m"
#define RESERVE_MB 16
#define FILL_TO_MB 6 /* free space left by the filler: below the reserve */
#define MIB        (1024 * 1024)

static char mnt[64];

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    ssize_t n;
    if (fd < 0)
        return -1;
    n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Enters a private mount namespace (a user namespace too when not root). */
static int private_mounts(char *why, size_t wlen)
{
    if (geteuid() == 0) {
        if (unshare(CLONE_NEWNS) != 0) {
            snprintf(why, wlen, "unshare(CLONE_NEWNS): %s", strerror(errno));
            return -1;
        }
    } else {
        char map[64];
        uid_t uid = geteuid();
        gid_t gid = getegid();
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
            snprintf(why, wlen, "unshare(CLONE_NEWUSER|CLONE_NEWNS): %s", strerror(errno));
            return -1;
        }
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
        if (write_file("/proc/self/uid_map", map) != 0 ||
            write_file("/proc/self/setgroups", "deny") != 0) {
            snprintf(why, wlen, "uid_map: %s", strerror(errno));
            return -1;
        }
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
        if (write_file("/proc/self/gid_map", map) != 0) {
            snprintf(why, wlen, "gid_map: %s", strerror(errno));
            return -1;
        }
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        snprintf(why, wlen, "make / private: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int group_setup(void **state)
{
    char why[160];
    (void)state;
    snprintf(mnt, sizeof(mnt), "/tmp/knoop-tmpfs-XXXXXX");
    if (private_mounts(why, sizeof(why)) != 0 || mkdtemp(mnt) == NULL ||
        mount("tmpfs", mnt, "tmpfs", 0, "size=" TMPFS_SIZE ",mode=0700") != 0) {
        fprintf(stderr,
                "test_diskfull: cannot mount a tmpfs (%s%s%s): this test needs root or "
                "unprivileged user namespaces\n",
                why, errno ? ": " : "", errno ? strerror(errno) : "");
        return -1;
    }
    setenv("TMPDIR", mnt, 1);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    unsetenv("TMPDIR");
    if (umount2(mnt, MNT_DETACH) != 0 || rmdir(mnt) != 0)
        return -1;
    return 0;
}

static uint64_t free_bytes(void)
{
    struct statvfs st;
    assert_int_equal(statvfs(mnt, &st), 0);
    return (uint64_t)st.f_bavail * st.f_frsize;
}

/* Fills the tmpfs with a file until less than FILL_TO_MB is free. */
static void fill(const char *path)
{
    static char chunk[MIB];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    memset(chunk, 'x', sizeof(chunk));
    while (free_bytes() >= (uint64_t)FILL_TO_MB * MIB)
        assert_int_equal(write(fd, chunk, sizeof(chunk)), (ssize_t)sizeof(chunk));
    assert_int_equal(fsync(fd), 0);
    assert_int_equal(close(fd), 0);
    assert_true(free_bytes() > MIB); /* nearly full, not full: the engine's own writes fit */
}

static void create_project(knoop_conn_t *c, const char *key)
{
    json_t *j = itest_call_ok(c, "node.create",
                              "{\"kind\": \"project\", \"props\": {\"key\": \"%s\"}}", key);
    json_decref(j);
}

static void refused_as_unavailable(knoop_conn_t *c, const char *method, const char *params)
{
    knoop_error_t err;
    int rc;
    json_t *j = itest_call(c, method, params, &rc, &err);
    assert_null(j);
    assert_int_equal(rc, KNOOP_EUNAVAIL);
    if (strstr(err.msg, "reserve") == NULL || strstr(err.msg, "resume") == NULL)
        fail_msg("%s: expected the free-space reserve error, got: %s", method, err.msg);
}

static void below_the_reserve_writes_are_refused_and_resume_when_space_returns(void **state)
{
    const char *args[] = { "--min-free-mb", "16", NULL };
    char filler[128];
    itest_server_t d;
    knoop_conn_t *c, *other;
    knoop_error_t err;
    json_t *j;
    int code;
    (void)state;

    assert_int_equal(itest_server_start(&d, args), 0);
    assert_int_equal(knoop_connect(d.addr, &c, &err), 0);
    create_project(c, "vol-a");

    snprintf(filler, sizeof(filler), "%s/filler", mnt);
    fill(filler);
    /* While twice the reserve was free, knoopd looks again at most every 50 ms. */
    usleep(200 * 1000);
    /* Every kind of write is refused, before it reaches the engine. */
    refused_as_unavailable(c, "node.create",
                           "{\"kind\": \"project\", \"props\": {\"key\": \"vol-b\"}}");
    refused_as_unavailable(c, "node.update", "{\"id\": \"vol-a\", \"set\": {\"name\": \"A\"}}");
    refused_as_unavailable(c, "batch",
                           "{\"ops\": [{\"method\": \"node.create\", \"params\": {\"kind\": "
                           "\"project\", \"props\": {\"key\": \"vol-x\"}}}]}");
    /* Reads go on, on this connection and on another. */
    j = itest_call_ok(c, "node.get", "{\"id\": \"vol-a\"}");
    assert_string_equal(itest_jstr(json_object_get(j, "props"), "key"), "vol-a");
    json_decref(j);
    assert_int_equal(knoop_connect(d.addr, &other, &err), 0);
    j = itest_call_ok(other, "ping", "{}");
    json_decref(j);

    /* Space returns: the very next write succeeds, on the same server and connection. */
    assert_int_equal(unlink(filler), 0);
    create_project(c, "vol-b");
    create_project(other, "vol-c");
    knoop_close(other);
    j = itest_call_ok(c, "admin.check", "{}");
    assert_true(json_is_true(json_object_get(j, "ok")));
    json_decref(j);
    knoop_close(c);

    /* Nothing acknowledged was lost, and nothing refused was half-written. */
    assert_int_equal(itest_server_restart(&d, args, &code), 0);
    assert_int_equal(code, 0);
    assert_int_equal(knoop_connect(d.addr, &c, &err), 0);
    for (const char *const *k = (const char *const[]){ "vol-a", "vol-b", "vol-c", NULL }; *k; k++) {
        j = itest_call_ok(c, "node.get", "{\"id\": \"%s\"}", *k);
        json_decref(j);
    }
    j = itest_call(c, "node.get", "{\"id\": \"vol-x\"}", &code, &err);
    assert_null(j);
    assert_int_equal(code, KNOOP_ENOTFOUND);
    j = itest_call_ok(c, "admin.check", "{}");
    assert_true(json_is_true(json_object_get(j, "ok")));
    json_decref(j);
    knoop_close(c);
    assert_int_equal(itest_server_stop(&d), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(below_the_reserve_writes_are_refused_and_resume_when_space_returns),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
