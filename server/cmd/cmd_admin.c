/*
 * cmd_admin.c - administration: admin.check (the consistency checker over the request's
 * snapshot) and knoopd --check DIR (the same check of a data directory that no server holds)
 * (layer: cmd).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"

/* At most this many mismatches are listed in an admin.check result; the count is exact. */
#define CMD_CHECK_MAX_LISTED 1000

typedef struct {
    knoop_buf_t sb; /* the listed mismatches, each a packed map */
    msgpack_packer pk;
    uint32_t listed;
    bool more;
} cmd_check_list_t;

static void cmd__check_collect(void *arg, const graph_mismatch_t *m)
{
    cmd_check_list_t *l = arg;
    if (l->listed == CMD_CHECK_MAX_LISTED) {
        l->more = true;
        return;
    }
    msgpack_pack_map(&l->pk, 3);
    cmd_pack_cstr(&l->pk, "cf");
    cmd_pack_cstr(&l->pk, kv_cf_name(m->cf));
    cmd_pack_cstr(&l->pk, "key");
    cmd_pack_cstr(&l->pk, m->key_text);
    cmd_pack_cstr(&l->pk, "problem");
    cmd_pack_cstr(&l->pk, m->problem);
    l->listed++;
}

static void cmd__kv_u64(msgpack_packer *pk, const char *k, uint64_t v)
{
    cmd_pack_cstr(pk, k);
    msgpack_pack_uint64(pk, v);
}

int cmd_admin_check(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk, knoop_error_t *err)
{
    cmd_check_list_t l;
    graph_check_result_t r;
    int rc;
    (void)p;
    memset(&l, 0, sizeof(l));
    knoop_buf_init(&l.sb);
    msgpack_packer_init(&l.pk, &l.sb, knoop_buf_write);
    rc = graph_check(ctx->store, ctx->view, ctx->deadline_ms, cmd__check_collect, &l, &r, err);
    if (rc == KNOOP_OK && l.listed > 0 && l.sb.data == NULL)
        rc = knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    if (rc != KNOOP_OK) {
        knoop_buf_destroy(&l.sb);
        return rc;
    }
    msgpack_pack_map(pk, 5);
    cmd_pack_cstr(pk, "ok");
    cmd_pack_bool(pk, r.mismatches == 0);
    cmd_pack_cstr(pk, "mismatches");
    msgpack_pack_array(pk, l.listed);
    if (l.sb.size > 0)
        pk->callback(pk->data, l.sb.data, l.sb.size); /* already packed: append as is */
    cmd_pack_cstr(pk, "more");
    cmd_pack_bool(pk, l.more);
    cmd_pack_cstr(pk, "counts");
    msgpack_pack_map(pk, 6);
    cmd__kv_u64(pk, "nodes", r.nodes);
    cmd__kv_u64(pk, "edges", r.edges);
    cmd__kv_u64(pk, "adjacency", r.adj);
    cmd__kv_u64(pk, "index", r.index);
    cmd__kv_u64(pk, "history", r.hist);
    cmd__kv_u64(pk, "mismatches", r.mismatches);
    cmd_pack_cstr(pk, "digest");
    cmd_pack_cstr(pk, r.digest);
    knoop_buf_destroy(&l.sb);
    return KNOOP_OK;
}

static void cmd__check_print(void *arg, const graph_mismatch_t *m)
{
    fprintf((FILE *)arg, "mismatch %s %s: %s\n", kv_cf_name(m->cf), m->key_text, m->problem);
}

int cmd_check_dir(const char *dir, FILE *out, FILE *errout)
{
    char current[4096];
    struct stat st;
    store_options_t o;
    store_t *s = NULL;
    graph_check_result_t r;
    knoop_error_t err;
    int rc;

    /* Refuse what is not a data directory: opening it would create an empty store. */
    if (snprintf(current, sizeof(current), "%s/CURRENT", dir) >= (int)sizeof(current) ||
        stat(current, &st) != 0) {
        fprintf(errout, "knoopd: --check: '%s' is not a knoop data directory\n", dir);
        return 2;
    }
    store_options_default(&o);
    o.sync = false;
    knoop_error_clear(&err);
    if ((rc = store_open(dir, &o, &s, &err)) != KNOOP_OK) {
        fprintf(errout, "knoopd: --check: cannot open '%s': %s\n", dir, err.msg);
        return 2;
    }
    rc = graph_check(s, NULL, 0, cmd__check_print, out, &r, &err);
    if (rc == KNOOP_OK) {
        /* The audit chain too (audit.verify, offline): a broken link is a mismatch. */
        store_audit_result_t a;
        if ((rc = store_audit_verify(s, NULL, &a, &err)) == KNOOP_OK && !a.ok) {
            fprintf(out, "mismatch meta audit/%llu: %s\n", (unsigned long long)a.first_bad,
                    a.problem);
            r.mismatches++;
        }
    }
    store_close(s);
    if (rc != KNOOP_OK) {
        fprintf(errout, "knoopd: --check: %s\n", err.msg);
        return 2;
    }
    fprintf(out,
            "check %s: nodes=%llu edges=%llu adjacency=%llu index=%llu history=%llu "
            "mismatches=%llu digest=%s\n",
            r.mismatches == 0 ? "clean" : "FAILED", (unsigned long long)r.nodes,
            (unsigned long long)r.edges, (unsigned long long)r.adj, (unsigned long long)r.index,
            (unsigned long long)r.hist, (unsigned long long)r.mismatches, r.digest);
    fflush(out);
    return r.mismatches == 0 ? 0 : 1;
}
