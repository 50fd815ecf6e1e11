/*
 * test_faults.c - fault injection through the one write path, SQLite's way
 * (test/malloc_common.tcl do_faultsim_test) (layer: tests/unit, over cmd).
 *
 * For every write method, for `batch` (an import's operations), and for cascades, the test runs
 * the request through the dispatcher (cmd_run, the function knoopd calls) against a real store,
 * failing the Nth allocation (knoop_alloc_fault_set) for N = 1, 2, ... until the request runs
 * without the fault firing, each N once transient (only the Nth fails) and once persistent (the
 * Nth and every later one). Separately it fails the Nth kv commit or sync. After every failure:
 * the error is the right one (KNOOP_ENOMEM for an allocation, KNOOP_EIO for the kv layer), and
 * the store's digest (store_digest: every key and value of every column family) is what it was
 * before, so nothing was written. Leaks are LeakSanitizer's to find in the sanitizer build.
 *
 * When a request succeeds although a fault fired (the allocation was optional), the store is
 * restored from a checkpoint taken before, so the next N starts from the same state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cmd.h"
#include "knoop_alloc.h"
#include "knoop_json.h"
#include "testutil.h"

typedef struct {
    char root[256];     /* temporary directory */
    char work[300];     /* the store the requests run against */
    char pristine[300]; /* a checkpoint of work before the request under test */
    store_t *s;
    long cases; /* fault cases run, over all requests */
} fx_t;

static fx_t fx;

static void fx_open(const char *dir)
{
    knoop_error_t err;
    store_options_t o;
    store_options_default(&o);
    o.sync = true; /* so that the group-commit sync is a kv fault site too */
    if (store_open(dir, &o, &fx.s, &err) != 0)
        fail_msg("store_open %s: %s", dir, err.msg);
    if (cmd_domain_init(fx.s, &err) != 0)
        fail_msg("cmd_domain_init: %s", err.msg);
}

static void fx_close(void)
{
    cmd_domain_shutdown();
    store_close(fx.s);
    fx.s = NULL;
}

/* Runs method with JSON params through the dispatcher. Returns its code; *err says why. */
static int run(const char *method, const char *json, knoop_error_t *err)
{
    const cmd_t *cmd = cmd_lookup(method, strlen(method));
    msgpack_sbuffer sb;
    msgpack_unpacked u;
    knoop_buf_t out;
    msgpack_packer pk;
    cmd_ctx_t ctx;
    knoop_error_t jerr;
    int rc;

    assert_non_null(cmd);
    msgpack_sbuffer_init(&sb);
    if (knoop__json_object_to_sbuffer(json, "params", &sb, &jerr) != 0)
        fail_msg("bad test params %s: %s", json, jerr.msg);
    msgpack_unpacked_init(&u);
    assert_int_equal(msgpack_unpack_next(&u, sb.data, sb.size, NULL), MSGPACK_UNPACK_SUCCESS);
    memset(&ctx, 0, sizeof(ctx));
    ctx.store = fx.s;
    ctx.who.actor = "faults";
    ctx.roles = CMD_ROLE_ALL;
    knoop_buf_init(&out);
    knoop_buf_packer(&out, &pk);
    knoop_error_clear(err);
    rc = cmd_run(cmd, &ctx, &u.data, &pk, err);
    knoop_buf_destroy(&out);
    msgpack_unpacked_destroy(&u);
    msgpack_sbuffer_destroy(&sb);
    return rc;
}

static void run_ok(const char *method, const char *json)
{
    knoop_error_t err;
    int rc = run(method, json, &err);
    if (rc != 0)
        fail_msg("%s %s: %s: %s", method, json, knoop_err_wire(rc), err.msg);
}

static void digest(char out[17])
{
    knoop_error_t err;
    if (store_digest(fx.s, NULL, out, &err) != 0)
        fail_msg("store_digest: %s", err.msg);
}

/* Replaces the working store with the pristine checkpoint (after a request that succeeded). */
static void restore(void)
{
    char cmdline[1024];
    fx_close();
    snprintf(cmdline, sizeof(cmdline), "rm -rf '%s' && cp -a '%s' '%s'", fx.work, fx.pristine,
             fx.work);
    assert_int_equal(system(cmdline), 0);
    fx_open(fx.work);
}

typedef enum { FAULT_ALLOC, FAULT_KV } fault_kind_t;

static void fault_set(fault_kind_t k, long n, bool persistent)
{
    if (k == FAULT_ALLOC)
        knoop_alloc_fault_set(n, persistent);
    else
        kv_fault_set((int)n, persistent);
}

static long fault_fired(fault_kind_t k)
{
    return k == FAULT_ALLOC ? knoop_alloc_fault_fired() : kv_fault_fired();
}

/*
 * Runs method/json with the Nth fault of kind k for N = 1.. until it runs with no fault firing.
 * Every failure must be `want` and leave the digest unchanged.
 */
static void faultsim(const char *method, const char *json, fault_kind_t k, bool persistent)
{
    char before[17], after[17], cmdline[1024];
    knoop_error_t cperr;
    int want = k == FAULT_ALLOC ? KNOOP_ENOMEM : KNOOP_EIO;

    snprintf(cmdline, sizeof(cmdline), "rm -rf '%s'", fx.pristine);
    assert_int_equal(system(cmdline), 0);
    if (store_checkpoint(fx.s, fx.pristine, &cperr) != 0)
        fail_msg("checkpoint: %s", cperr.msg);
    digest(before);
    for (long n = 1;; n++) {
        knoop_error_t err;
        long fired;
        int rc;
        fault_set(k, n, persistent);
        rc = run(method, json, &err);
        fired = fault_fired(k);
        fault_set(k, 0, false);
        fx.cases++;
        if (fired == 0) {
            if (rc != 0)
                fail_msg("%s without a fault: %s: %s", method, knoop_err_wire(rc), err.msg);
            /* Every request allocates: an allocation fault that never fired would mean the code
             * under test bypasses knoop_malloc, and this test would prove nothing. */
            if (k == FAULT_ALLOC && n == 1)
                fail_msg("%s: no allocation went through knoop_malloc", method);
            /* Likewise a write method that never reached a kv commit tested nothing there. */
            if (k == FAULT_KV && n == 1 && (cmd_lookup(method, strlen(method))->flags & CMD_WRITE))
                fail_msg("%s: no kv commit was reached", method);
            restore();
            return;
        }
        if (rc == 0) { /* a tolerated fault: start the next N from the same state */
            restore();
            continue;
        }
        if (k == FAULT_KV && strstr(err.msg, "not known to be durable") != NULL) {
            /* The sync after a written batch failed: the change stands, reported as unavailable
             * with its durability unknown. Nothing else to compare. */
            assert_int_equal(rc, KNOOP_EIO);
            restore();
            continue;
        }
        if (rc != want)
            fail_msg("%s with %s fault %ld%s: expected %s, got %s: %s", method,
                     k == FAULT_ALLOC ? "allocation" : "kv", n, persistent ? " (persistent)" : "",
                     knoop_err_wire(want), knoop_err_wire(rc), err.msg);
        digest(after);
        if (strcmp(before, after) != 0)
            fail_msg("%s with %s fault %ld%s: the store changed (%s -> %s): %s", method,
                     k == FAULT_ALLOC ? "allocation" : "kv", n, persistent ? " (persistent)" : "",
                     before, after, err.msg);
    }
}

static void faultsim_all(const char *method, const char *json)
{
    faultsim(method, json, FAULT_ALLOC, false);
    faultsim(method, json, FAULT_ALLOC, true);
    faultsim(method, json, FAULT_KV, false);
    faultsim(method, json, FAULT_KV, true);
}

/* ---- the requests ---- */

#define CONTACT                                                                                    \
    "{\"kanaal\": \"telefoon\", \"onderwerp\": \"Vraag over subsidie\", \"plaatsgevondenOp\": "    \
    "\"2024-03-01T10:30:00+01:00\", \"betrokkenen\": [{\"partij\": \"q1\", \"rol\": \"klant\"}], " \
    "\"actoren\": [\"a1\"]}"

/* The state every request starts from: a gemeente, two persons, a wethouder role with a
 * loco-burgemeester role on its behalf, a verzendlijst with a subscription, a postcode, a place.
 * Ids in a fresh store: GM0034 = 1, p1 = 2, q1 = 3, wethouder = 4, loco = 5, list = 6. */
static int setup(void **state)
{
    (void)state;
    memset(&fx, 0, sizeof(fx));
    tu_mkdtemp(fx.root, sizeof(fx.root));
    snprintf(fx.work, sizeof(fx.work), "%s/work", fx.root);
    snprintf(fx.pristine, sizeof(fx.pristine), "%s/pristine", fx.root);
    fx_open(fx.work);
    run_ok("node.create", "{\"kind\": \"organisation\", \"type\": \"gemeente\", \"props\": "
                          "{\"name\": \"Almere\", \"cbs_code\": \"GM0034\", \"provincie\": "
                          "\"NL-FL\"}}");
    run_ok("node.create", "{\"kind\": \"person\", \"props\": {\"key\": \"p1\", \"initials\": "
                          "\"P.\", \"surname\": \"Jansen\", \"example\": true}}");
    run_ok("node.create", "{\"kind\": \"person\", \"props\": {\"key\": \"q1\", \"initials\": "
                          "\"A.\", \"surname\": \"Vries\", \"tussenvoegsel\": \"de\", "
                          "\"example\": true}}");
    run_ok("edge.create", "{\"type\": \"wethouder\", \"source\": \"p1\", \"target\": \"GM0034\", "
                          "\"valid_from\": \"2022-06-01\", \"props\": {\"portefeuilles\": "
                          "[\"Milieu\"]}}");
    run_ok("edge.create", "{\"type\": \"loco-burgemeester\", \"source\": \"p1\", \"target\": "
                          "\"GM0034\", \"valid_from\": \"2022-06-01\", \"on_behalf_of\": 4}");
    run_ok("list.create", "{\"name\": \"VNG-weekoverzicht\"}");
    run_ok("list.subscribe", "{\"list\": 6, \"person\": \"p1\", \"from\": \"2023-01-01\"}");
    run_ok("postcode.put", "{\"postcode\": \"1321\", \"place\": \"Almere\", \"gemeente\": "
                           "\"GM0034\"}");
    run_ok("places.sync", "{\"places\": [{\"code\": 2400, \"name\": \"Almere\", \"gemeente\": "
                          "\"GM0034\"}], \"on\": \"2025-01-01\"}");
    /* An actor (8), a klantcontact (9, with edges 10 and 11) and a task on it (12). */
    run_ok("node.create", "{\"kind\": \"person\", \"props\": {\"name\": \"Medewerker\", "
                          "\"key\": \"a1\", \"actor\": true, \"actoridentificator\": "
                          "\"mdw-1\"}}");
    run_ok("contact.register", CONTACT);
    run_ok("contact.get", "{\"id\": 9}");
    run_ok("task.create", "{\"klantcontact\": 9, \"gevraagdeHandeling\": \"Terugbellen\", "
                          "\"actoren\": [\"a1\"]}");
    run_ok("task.get", "{\"id\": 12}");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    printf("fault cases run: %ld\n", fx.cases);
    fx_close();
    tu_rmtree(fx.root);
    return 0;
}

static void node_create_fails_cleanly_at_every_fault(void **state)
{
    (void)state;
    faultsim_all("node.create", "{\"kind\": \"person\", \"props\": {\"initials\": \"J.\", "
                                "\"surname\": \"Bakker\", \"email\": \"j.bakker@example.nl\", "
                                "\"example\": true}, \"reason\": \"test\"}");
}

static void user_add_and_token_fail_cleanly_at_every_fault(void **state)
{
    (void)state;
    /* Without a password: the Argon2id hash allocates through libsodium, not knoop_malloc, and
     * would only make every case slow. */
    faultsim_all("user.add", "{\"name\": \"rita\", \"role\": \"reader\"}");
    run_ok("user.add", "{\"name\": \"rita\", \"role\": \"reader\"}");
    faultsim_all("user.token", "{\"name\": \"rita\", \"label\": \"test\"}");
}

static void privacy_erase_and_anonymise_fail_cleanly_at_every_fault(void **state)
{
    (void)state;
    faultsim_all("privacy.erase", "{\"id\": \"p1\", \"reason\": \"AVG-verzoek\"}");
    faultsim_all("privacy.anonymise", "{\"id\": \"q1\", \"reason\": \"AVG-verzoek\"}");
    faultsim_all("privacy.export", "{\"id\": \"p1\"}");
    faultsim_all("privacy.retention", "{\"kind\": \"contact\", \"older_than_days\": 1}");
    faultsim_all("privacy.retention", "{\"kind\": \"contact\", \"older_than\": \"1y\"}");
}

/* A read that returns persons writes its audit entry (cmd_run looks at the answer, reads the
 * kind of each edge's ends, then appends to the audit chain): each fault fails the read with
 * its code and leaves no entry. */
static void person_reads_fail_cleanly_at_every_fault(void **state)
{
    (void)state;
    faultsim_all("edge.list", "{\"node\": \"GM0034\", \"purpose\": \"test\"}");
    faultsim_all("query.holders", "{\"org\": \"GM0034\", \"examples\": true}");
    faultsim_all("node.get", "{\"id\": \"p1\", \"reason\": \"test\"}");
}

static void node_update_fails_cleanly_at_every_fault(void **state)
{
    (void)state;
    faultsim_all("node.update", "{\"id\": \"GM0034\", \"set\": {\"inwoners\": 226000}}");
}

static void node_delete_cascade_fails_cleanly_at_every_fault(void **state)
{
    (void)state;
    faultsim_all("node.delete", "{\"id\": \"p1\", \"cascade\": true}");
}

static void node_put_fails_cleanly_at_every_fault(void **state)
{
    (void)state;
    faultsim_all("node.put", "{\"kind\": \"person\", \"props\": {\"key\": \"q1\", \"initials\": "
                             "\"A.\", \"surname\": \"Vries\", \"tussenvoegsel\": \"de\", "
                             "\"email\": \"a.de.vries@example.nl\", \"example\": true}}");
}

static void edge_create_on_behalf_fails_cleanly_at_every_fault(void **state)
{
    (void)state;
    faultsim_all("edge.create", "{\"type\": \"collega\", \"source\": \"p1\", \"target\": "
                                "\"q1\", \"valid_from\": \"2023-01-01\", \"on_behalf_of\": 4}");
}

static void edge_end_cascade_fails_cleanly_at_every_fault(void **state)
{
    (void)state;
    faultsim_all("edge.end", "{\"id\": 4, \"on\": \"2026-01-01\"}");
}

static void edge_update_cascade_fails_cleanly_at_every_fault(void **state)
{
    (void)state;
    run_ok("edge.end", "{\"id\": 4, \"on\": \"2024-01-01\"}");
    faultsim_all("edge.update", "{\"id\": 4, \"valid_to\": \"2024-06-01\", \"set\": "
                                "{\"portefeuilles\": [\"Milieu\", \"Wonen\"]}}");
}

static void gemeente_merge_fails_cleanly_at_every_fault(void **state)
{
    (void)state;
    faultsim_all("gemeente.merge", "{\"from\": [\"GM0034\"], \"into\": {\"cbs_code\": "
                                   "\"GM9001\", \"name\": \"Nieuwe gemeente\"}, \"on\": "
                                   "\"2026-01-01\"}");
}

static void schema_check_fails_cleanly_at_every_fault(void **state)
{
    (void)state;
    faultsim_all("schema.check", "{}");
}

static void edge_put_fails_cleanly_at_every_fault(void **state)
{
    (void)state;
    faultsim_all("edge.put", "{\"type\": \"wethouder\", \"source\": \"q1\", \"target\": "
                             "\"GM0034\", \"valid_from\": \"2024-01-01\", \"props\": "
                             "{\"portefeuilles\": [\"Financien\"]}}");
}

static void postcode_put_and_places_sync_fail_cleanly_at_every_fault(void **state)
{
    (void)state;
    faultsim_all("postcode.put", "{\"postcode\": \"1322\", \"place\": \"Almere\"}");
    faultsim_all("places.sync", "{\"places\": [{\"code\": 3594, \"name\": \"Almere Haven\", "
                                "\"gemeente\": \"GM0034\"}], \"on\": \"2025-02-01\"}");
    /* A place that moves: ended at the old gemeente, started at the new one. */
    faultsim_all("places.sync", "{\"places\": [{\"code\": 2400, \"name\": \"Almere\", "
                                "\"gemeente\": \"GM0050\"}], \"on\": \"2026-02-01\"}");
}

static void schema_definitions_fail_cleanly_at_every_fault(void **state)
{
    (void)state;
    faultsim_all("schema.list.define", "{\"name\": \"kleuren\", \"values\": [{\"code\": \"r\", "
                                       "\"label\": \"rood\"}]}");
    faultsim_all("schema.field.define",
                 "{\"name\": \"kleur\", \"kind\": \"project\", \"value_type\": \"string\"}");
}

static void contact_and_list_methods_fail_cleanly_at_every_fault(void **state)
{
    (void)state;
    faultsim_all("list.create", "{\"name\": \"Nieuwsbrief\"}");
    faultsim_all("list.subscribe", "{\"list\": 6, \"person\": \"q1\", \"from\": \"2024-01-01\"}");
    faultsim_all("list.unsubscribe", "{\"list\": 6, \"person\": \"p1\", \"on\": \"2025-01-01\"}");
}

static void contact_and_task_methods_fail_cleanly_at_every_fault(void **state)
{
    (void)state;
    faultsim_all("contact.register", CONTACT);
    faultsim_all("task.create", "{\"klantcontact\": 9, \"gevraagdeHandeling\": \"Mailen\", "
                                "\"actoren\": [\"a1\"]}");
    faultsim_all("task.done", "{\"id\": 12, \"toelichting\": \"Teruggebeld\"}");
}

static void schema_role_and_list_value_fail_cleanly_at_every_fault(void **state)
{
    (void)state;
    faultsim_all("schema.role.define",
                 "{\"name\": \"mentor\", \"sources\": [{\"kind\": \"person\"}], \"targets\": "
                 "[{\"kind\": \"person\"}]}");
    faultsim_all("schema.list.define", "{\"name\": \"kleuren\", \"values\": [{\"code\": \"r\", "
                                       "\"label\": \"rood\"}]}");
}

static void batch_of_an_import_fails_cleanly_at_every_fault(void **state)
{
    (void)state;
    faultsim_all("batch",
                 "{\"ops\": [{\"method\": \"node.put\", \"params\": {\"kind\": \"organisation\", "
                 "\"type\": \"gemeente\", \"props\": {\"name\": \"Amsterdam\", \"cbs_code\": "
                 "\"GM0363\", \"provincie\": \"NL-NH\"}}}, {\"method\": \"node.put\", \"params\": "
                 "{\"kind\": \"person\", \"props\": {\"key\": \"r1\", \"initials\": \"F.\", "
                 "\"surname\": \"Halsema\", \"example\": true}}}, {\"method\": \"edge.put\", "
                 "\"params\": {\"type\": \"burgemeester\", \"source\": \"r1\", \"target\": "
                 "\"GM0363\", \"valid_from\": \"2018-07-12\"}}], \"reason\": \"import\"}");
}

/* Reads allocate too: a path or neighbourhood answer fails with not-enough-memory (or an I/O
 * error) and leaks nothing, at every fault. */
static void path_and_neighbourhood_fail_cleanly_at_every_fault(void **state)
{
    (void)state;
    run_ok("edge.create", "{\"type\": \"raadslid\", \"source\": \"q1\", \"target\": "
                          "\"GM0034\", \"valid_from\": \"2022-04-01\", \"props\": "
                          "{\"namens\": \"X\"}}");
    faultsim_all("query.path", "{\"source\": \"p1\", \"target\": \"q1\", \"k\": 2, "
                               "\"examples\": true}");
    /* With `at` the organisations are met halfway (pw_search_at): its own allocations. */
    faultsim_all("query.path", "{\"source\": \"p1\", \"target\": \"q1\", \"k\": 2, "
                               "\"at\": \"2023-01-01\", \"examples\": true}");
    faultsim_all("query.neighbourhood", "{\"node\": \"p1\", \"examples\": true}");
}

/* A moment strictly between the commits before and after the call (RFC 3339, ms) into buf. */
static void moment(char buf[32])
{
    struct timespec ts;
    int64_t t0, t;
    struct tm tm;
    time_t secs;
    clock_gettime(CLOCK_REALTIME, &ts);
    t0 = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    do {
        clock_gettime(CLOCK_REALTIME, &ts);
        t = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    } while (t <= t0);
    secs = (time_t)(t / 1000);
    gmtime_r(&secs, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + 19, 13, ".%03dZ", (int)(t % 1000));
    do {
        clock_gettime(CLOCK_REALTIME, &ts);
    } while ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 <= t);
}

/* Reads as recorded before a rename and a correction go through the version family: each fails
 * with not-enough-memory (or an I/O error) and leaks nothing, at every fault. */
static void reads_with_known_at_fail_cleanly_at_every_fault(void **state)
{
    char t[32], q[512];
    (void)state;
    moment(t);
    run_ok("node.update", "{\"id\": \"p1\", \"set\": {\"surname\": \"Pietersen\"}}");
    run_ok("edge.update", "{\"id\": 4, \"valid_to\": \"2024-01-01\"}");
    snprintf(q, sizeof(q), "{\"id\": \"p1\", \"known_at\": \"%s\"}", t);
    faultsim_all("node.get", q);
    snprintf(q, sizeof(q), "{\"node\": \"p1\", \"at\": \"2025-01-01\", \"known_at\": \"%s\"}", t);
    faultsim_all("edge.list", q);
    snprintf(q, sizeof(q), "{\"name\": \"Jansen\", \"known_at\": \"%s\"}", t);
    faultsim_all("node.find", q);
    snprintf(q, sizeof(q),
             "{\"org\": \"GM0034\", \"at\": \"2025-01-01\", \"examples\": true, \"known_at\": "
             "\"%s\"}",
             t);
    faultsim_all("query.holders", q);
    snprintf(q, sizeof(q),
             "{\"name\": \"functionaris\", \"subject\": \"p1\", \"known_at\": \"%s\"}", t);
    faultsim_all("perspective.get", q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(node_create_fails_cleanly_at_every_fault, setup, teardown),
        cmocka_unit_test_setup_teardown(node_update_fails_cleanly_at_every_fault, setup, teardown),
        cmocka_unit_test_setup_teardown(user_add_and_token_fail_cleanly_at_every_fault, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(privacy_erase_and_anonymise_fail_cleanly_at_every_fault,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(person_reads_fail_cleanly_at_every_fault, setup, teardown),
        cmocka_unit_test_setup_teardown(node_delete_cascade_fails_cleanly_at_every_fault, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(node_put_fails_cleanly_at_every_fault, setup, teardown),
        cmocka_unit_test_setup_teardown(edge_create_on_behalf_fails_cleanly_at_every_fault, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(edge_end_cascade_fails_cleanly_at_every_fault, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(edge_update_cascade_fails_cleanly_at_every_fault, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(schema_check_fails_cleanly_at_every_fault, setup, teardown),
        cmocka_unit_test_setup_teardown(gemeente_merge_fails_cleanly_at_every_fault, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(edge_put_fails_cleanly_at_every_fault, setup, teardown),
        cmocka_unit_test_setup_teardown(postcode_put_and_places_sync_fail_cleanly_at_every_fault,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(schema_definitions_fail_cleanly_at_every_fault, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(contact_and_list_methods_fail_cleanly_at_every_fault, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(contact_and_task_methods_fail_cleanly_at_every_fault, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(schema_role_and_list_value_fail_cleanly_at_every_fault,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(batch_of_an_import_fails_cleanly_at_every_fault, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(path_and_neighbourhood_fail_cleanly_at_every_fault, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(reads_with_known_at_fail_cleanly_at_every_fault, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
