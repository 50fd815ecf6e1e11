/*
 * cli_import.c - `knoop import`: loads CSV and JSON files into knoopd through `batch` calls
 * (layer: client, CLI). docs/IMPORT.md describes the profiles, their columns and the
 * atomicity rules.
 *
 * An import runs in two phases. First every row of a file is parsed and checked (column
 * count, empty required values, dates); each bad row is reported as `file:line: reason` and
 * if there is any, nothing is sent. Then the rows become operations (node.put, edge.put,
 * postcode.put: upserts by external key, so a second run changes nothing) sent as one `batch`
 * when the whole file fits in CLI_IMPORT_ONE_BATCH_BYTES of MessagePack, else in chunks of
 * --batch rows. A server error names the operation index, which is mapped back to the line.
 *
 * This file also holds the small helpers the other hand-written commands (cli_export.c) share:
 * connecting and calling a method with jansson parameters.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "knoop_json.h"
#include "knoop_limits.h"
#include "schema_check.h"
#include "schema_domain.h"
#include "schema_import.h"

/* A file whose operations pack into at most this many bytes is sent as one atomic batch. */
#define CLI_IMPORT_ONE_BATCH_BYTES (8u * 1024u * 1024u)
/* Rows per batch when a file is larger than that and --batch is not given. */
#define CLI_IMPORT_DEFAULT_ROWS 1000
/* Largest input file read into memory. */
#define CLI_IMPORT_MAX_FILE (256u * 1024u * 1024u)

/* ---- shared helpers (declared in cli.h) ---- */

int cli_conn(cli_ctx_t *ctx)
{
    knoop_error_t err;
    const char *token = getenv("KNOOP_TOKEN"), *user = getenv("KNOOP_USER");
    int rc;

    if (ctx->conn != NULL)
        return 0;
    rc = knoop_connect(ctx->addr[0] ? ctx->addr : NULL, &ctx->conn, &err);
    if (rc != 0) {
        fprintf(stderr, "knoop: %s\n", err.msg);
        return rc == KNOOP_EUNAVAIL ? CLI_EXIT_UNREACHABLE : CLI_EXIT_USAGE;
    }
    knoop_set_timeout(ctx->conn, ctx->timeout_ms);
    if ((token != NULL && token[0] != '\0') || (user != NULL && user[0] != '\0')) {
        json_t *p, *res = NULL;
        if (user != NULL && user[0] != '\0') {
            /* The password from the environment or the terminal, never the command line. */
            const char *pw = getenv("KNOOP_PASSWORD");
            if ((pw == NULL || pw[0] == '\0') && (pw = getpass("Password: ")) == NULL)
                pw = "";
            p = json_pack("{s:s, s:s}", "user", user, "password", pw);
        } else {
            p = json_pack("{s:s}", "token", token);
        }
        rc = cli_rpc(ctx, "auth", p, &res, &err);
        json_decref(p);
        json_decref(res);
        if (rc != 0) {
            rc = cli_rpc_error(ctx, rc, &err);
            knoop_close(ctx->conn);
            ctx->conn = NULL;
            return rc;
        }
    }
    return 0;
}

int cli_rpc(cli_ctx_t *ctx, const char *method, const json_t *params, json_t **result,
            knoop_error_t *err)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    knoop_result_t *r = NULL;
    int rc;

    *result = NULL;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    rc = params != NULL ? knoop__json_pack(&pk, params, err) : 0;
    if (rc == 0)
        rc = knoop_call(ctx->conn, method, params != NULL ? sb.data : NULL, sb.size, &r, err);
    msgpack_sbuffer_destroy(&sb);
    if (rc == 0)
        rc = knoop__json_from_msgpack(knoop_result_value(r), result, err);
    knoop_result_free(r);
    return rc;
}

int cli_rpc_error(cli_ctx_t *ctx, int rc, const knoop_error_t *err)
{
    if (ctx->conn != NULL && !knoop_connected(ctx->conn)) {
        fprintf(stderr, "knoop: %s\n", err->msg);
        knoop_close(ctx->conn);
        ctx->conn = NULL;
        return CLI_EXIT_UNREACHABLE;
    }
    fprintf(stderr, "knoop: %s: %s\n", knoop_err_wire(rc), err->msg);
    return CLI_EXIT_SERVER;
}

bool cli_valid_date(const char *s)
{
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y, m, d, i;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    return true;
}

void cli_today(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

int cli_parse_files(cli_args_t *a, const cli_opt_t *opts, int argc, char **argv,
                    const char ***files, int *nfiles, char *msg, size_t msgsz)
{
    char **rest = calloc((size_t)argc + 1, sizeof(*rest));
    const char **pos = calloc((size_t)argc + 1, sizeof(*pos));
    int i, nr = 0, np = 0, rc;
    bool done = false;

    *files = NULL;
    *nfiles = 0;
    if (rest == NULL || pos == NULL) {
        free(rest);
        free(pos);
        memset(a, 0, sizeof(*a));
        snprintf(msg, msgsz, "out of memory");
        return CLI_EXIT_USAGE;
    }
    for (i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (done || strncmp(w, "--", 2) != 0 || w[2] == '\0') {
            pos[np++] = w;
            continue;
        }
        if (strcmp(w, "--") == 0) {
            done = true;
            continue;
        }
        rest[nr++] = argv[i];
        if (strchr(w, '=') == NULL && i + 1 < argc) {
            const cli_opt_t *o = NULL;
            int k;
            for (k = 0; opts[k].name != NULL && o == NULL; k++)
                if (strcmp(opts[k].name, w + 2) == 0)
                    o = &opts[k];
            for (k = 0; cli_global_opts[k].name != NULL && o == NULL; k++)
                if (strcmp(cli_global_opts[k].name, w + 2) == 0)
                    o = &cli_global_opts[k];
            if (o != NULL && o->arg != NULL)
                rest[nr++] = argv[++i];
        }
    }
    rc = cli_args_parse(a, opts, nr, rest, msg, msgsz);
    free(rest);
    if (rc != 0) {
        free(pos);
        return rc;
    }
    *files = pos;
    *nfiles = np;
    return 0;
}

/* ---- input files ---- */

/* Reads path into a NUL-terminated malloc'd buffer. Returns 0 or -1 with msg set. */
static int read_file(const char *path, char **out, size_t *len, char *msg, size_t msgsz)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;

    if (f == NULL) {
        snprintf(msg, msgsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    for (;;) {
        size_t got;
        if (cap - n < 65536) {
            char *nb;
            if (cap > CLI_IMPORT_MAX_FILE) {
                snprintf(msg, msgsz, "%s: larger than %u MiB", path, CLI_IMPORT_MAX_FILE >> 20);
                goto fail;
            }
            nb = realloc(buf, cap + 65536 * 4 + 1);
            if (nb == NULL) {
                snprintf(msg, msgsz, "%s: out of memory", path);
                goto fail;
            }
            buf = nb;
            cap += 65536 * 4;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                snprintf(msg, msgsz, "%s: read error", path);
                goto fail;
            }
            break;
        }
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
fail:
    fclose(f);
    free(buf);
    return -1;
}

/* One CSV record: its fields (malloc'd) and the line it starts on. A cell that cannot be
 * passed on faithfully (a NUL byte, bytes that are not UTF-8) is noted: the first such cell's
 * column in bad_col (-1: none) and why. flen holds each field's length in bytes. */
typedef struct {
    char **f;
    size_t *flen;
    size_t n;
    long line;
    long bad_col;
    char bad_why[64];
} csv_rec_t;

/*
 * Checks a cell: valid UTF-8 without NUL bytes. Returns true, or false with why set ("a NUL
 * byte at byte 4", "invalid UTF-8 at byte 7").
 */
static bool cell_ok(const char *s, size_t len, char *why, size_t whysz)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = u[i];
        size_t n = c < 0x80                 ? 1
                   : c >= 0xc2 && c <= 0xdf ? 2
                   : c >= 0xe0 && c <= 0xef ? 3
                   : c >= 0xf0 && c <= 0xf4 ? 4
                                            : 0;
        uint32_t cp = n == 2 ? c & 0x1fu : n == 3 ? c & 0x0fu : c & 0x07u;
        if (c == 0) {
            snprintf(why, whysz, "a NUL byte at byte %zu", i + 1);
            return false;
        }
        if (n == 0 || i + n > len)
            goto bad;
        for (size_t k = 1; k < n; k++) {
            if ((u[i + k] & 0xc0) != 0x80)
                goto bad;
            cp = (cp << 6) | (u[i + k] & 0x3fu);
        }
        if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
            goto bad;
        i += n;
    }
    return true;
bad:
    snprintf(why, whysz, "invalid UTF-8 at byte %zu (0x%02x)", i + 1, u[i]);
    return false;
}

typedef struct {
    csv_rec_t *recs; /* recs[0] is the header */
    size_t n, cap;
} csv_t;

static void csv_free(csv_t *c)
{
    size_t i, k;
    for (i = 0; i < c->n; i++) {
        for (k = 0; k < c->recs[i].n; k++)
            free(c->recs[i].f[k]);
        free(c->recs[i].f);
        free(c->recs[i].flen);
    }
    free(c->recs);
    memset(c, 0, sizeof(*c));
}

/*
 * Parses RFC 4180 CSV (quoted fields with "" escapes and line breaks, CRLF or LF; a UTF-8
 * byte order mark is skipped; blank lines are ignored). Returns 0, or -1 with msg ("line N:
 * ...") for an unterminated quote, text after a closing quote, or out of memory.
 */
static int csv_parse(const char *s, size_t len, csv_t *c, char *msg, size_t msgsz)
{
    const char *p = s, *end = s + len;
    long line = 1;
    char *fld = malloc(len + 1);

    memset(c, 0, sizeof(*c));
    if (fld == NULL)
        goto nomem;
    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    while (p < end) {
        csv_rec_t rec = { NULL, NULL, 0, line, -1, "" };
        bool more = true;
        if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
            p += *p == '\r' ? 2 : 1;
            line++;
            continue;
        }
        while (more) {
            size_t fl = 0;
            char **nf;
            if (p < end && *p == '"') {
                long qline = line;
                p++;
                for (;;) {
                    if (p >= end) {
                        snprintf(msg, msgsz, "line %ld: unterminated quoted field", qline);
                        goto fail_rec;
                    }
                    if (*p == '"') {
                        if (p + 1 < end && p[1] == '"') {
                            fld[fl++] = '"';
                            p += 2;
                            continue;
                        }
                        p++;
                        break;
                    }
                    if (*p == '\n')
                        line++;
                    fld[fl++] = *p++;
                }
                if (p < end && *p != ',' && *p != '\n' && *p != '\r') {
                    snprintf(msg, msgsz, "line %ld: text after a closing quote", line);
                    goto fail_rec;
                }
            } else {
                while (p < end && *p != ',' && *p != '\n' && *p != '\r')
                    fld[fl++] = *p++;
            }
            fld[fl] = '\0';
            if (rec.bad_col < 0 && !cell_ok(fld, fl, rec.bad_why, sizeof(rec.bad_why)))
                rec.bad_col = (long)rec.n;
            nf = realloc(rec.f, (rec.n + 1) * sizeof(*nf));
            if (nf != NULL)
                rec.f = nf;
            {
                size_t *nl = realloc(rec.flen, (rec.n + 1) * sizeof(*nl));
                if (nl != NULL)
                    rec.flen = nl;
                if (nf == NULL || nl == NULL || (nf[rec.n] = malloc(fl + 1)) == NULL) {
                    snprintf(msg, msgsz, "out of memory");
                    goto fail_rec;
                }
                memcpy(nf[rec.n], fld, fl + 1);
                nl[rec.n] = fl;
            }
            rec.n++;
            if (p < end && *p == ',') {
                p++;
            } else {
                more = false;
                if (p < end && *p == '\r')
                    p++;
                if (p < end && *p == '\n') {
                    p++;
                    line++;
                }
            }
        }
        if (c->n == c->cap) {
            size_t nc = c->cap ? c->cap * 2 : 256;
            csv_rec_t *nr = realloc(c->recs, nc * sizeof(*nr));
            if (nr == NULL) {
                snprintf(msg, msgsz, "out of memory");
                goto fail_rec;
            }
            c->recs = nr;
            c->cap = nc;
        }
        c->recs[c->n++] = rec;
        continue;
    fail_rec:
        for (size_t k = 0; k < rec.n; k++)
            free(rec.f[k]);
        free(rec.f);
        free(rec.flen);
        free(fld);
        csv_free(c);
        return -1;
    }
    free(fld);
    return 0;
nomem:
    snprintf(msg, msgsz, "out of memory");
    return -1;
}

/* ---- the import state ---- */

typedef enum { ROW_UNCHANGED, ROW_CHANGED, ROW_CREATED, ROW_SKIPPED } row_state_t;

typedef struct {
    char loc[48]; /* "12" (a CSV line) or "edges[3]" (a JSON element) */
    row_state_t state;
    int level;      /* JSON: the batch round of an edge held on behalf of another (0 first) */
    size_t same_as; /* zetels: 1 + the row whose state this row shares, or 0 */
} row_t;

typedef struct {
    json_t *op; /* {method, params}, owned */
    size_t row;
    bool primary;  /* its created/changed decides the row's state */
    int json_edge; /* JSON profile: index of the edge in the file, else -1 */
} op_t;

typedef struct {
    cli_ctx_t *ctx;
    FILE *diag;       /* where parse and row problems go: stderr, or cli_import_check's */
    const char *file; /* as given */
    const char *base; /* file name without directories, for messages */
    const char *profile;
    bool dry_run;
    long batch_rows; /* 0: whole file when it fits */
    char on[11];
    char since[11]; /* herindelingen: the first date loaded (--since, default 2019-01-01) */
    size_t n_merges, n_ended_only;
    size_t max_string; /* the server's string limit (server.info), checked per cell */
    row_t *rows;
    size_t nrows, caprows;
    op_t *ops;
    size_t nops, capops;
    size_t bad, refused;
    size_t bad_rows;    /* rows with at least one problem */
    char last_bad[48];  /* the location of the last problem */
    size_t nskipped;    /* rows skipped by a profile rule (skip_row) */
    char skip_why[120]; /* the first one's reason and location */
    char skip_loc[48];
    json_t *gm;       /* cbs_code -> gemeente node props, loaded on demand */
    json_t *seen;     /* keys already put in this file (body nodes of regions/koepels) */
    json_t *edge_ids; /* JSON profile: ref -> edge id */
    size_t sent_rows, total_rows;
    /* Office holders (ambtsdragers, gekozen, zetels): */
    json_t *persons;   /* match key -> [{key, dubbel}] of the register's persons on the server */
    json_t *names;     /* match key -> how often it occurs in this file */
    json_t *first_row; /* zetels: result key -> its first row */
    size_t n_persons, n_roles, n_normalised, n_refused, n_matched, n_new, n_ambiguous;
    size_t n_results;
    size_t n_rule;            /* rows that break a role rule, skipped before sending */
    json_t *holders;          /* "GMxxxx|role" -> {key, line}: single-holder roles in this file */
    schema_registry_t *rules; /* the built-in role types and their rules (schema_domain.h) */
} imp_t;

static void bad_row(imp_t *im, const char *loc, const char *fmt, ...) KNOOP_PRINTF(3, 4);
static void bad_row(imp_t *im, const char *loc, const char *fmt, ...)
{
    va_list ap;
    fprintf(im->diag, "%s:%s: ", im->file, loc);
    va_start(ap, fmt);
    vfprintf(im->diag, fmt, ap);
    va_end(ap);
    fputc('\n', im->diag);
    if (im->bad++ == 0 || strcmp(im->last_bad, loc) != 0)
        im->bad_rows++;
    snprintf(im->last_bad, sizeof(im->last_bad), "%s", loc);
}

/* Adds a row; returns its index or (size_t)-1 when out of memory. */
static size_t add_row(imp_t *im, const char *loc)
{
    if (im->nrows == im->caprows) {
        size_t nc = im->caprows ? im->caprows * 2 : 512;
        row_t *nr = realloc(im->rows, nc * sizeof(*nr));
        if (nr == NULL)
            return (size_t)-1;
        im->rows = nr;
        im->caprows = nc;
    }
    memset(&im->rows[im->nrows], 0, sizeof(im->rows[0]));
    snprintf(im->rows[im->nrows].loc, sizeof(im->rows[0].loc), "%s", loc);
    return im->nrows++;
}

/*
 * Checks every cell of record rec (data row at loc): valid UTF-8, no NUL byte, at most the
 * server's string limit. Reports each bad cell as "file:line: column NAME: reason" and returns
 * false when there was one (the file is then refused as a whole).
 */
static bool cells_ok(imp_t *im, const csv_t *c, const csv_rec_t *rec, const char *loc)
{
    bool ok = true;
    if (rec->bad_col >= 0) {
        bad_row(im, loc, "column %s: %s (the file must be UTF-8 text)",
                (size_t)rec->bad_col < c->recs[0].n ? c->recs[0].f[rec->bad_col] : "?",
                rec->bad_why);
        ok = false;
    }
    for (size_t k = 0; k < rec->n && im->max_string > 0; k++)
        if (rec->flen[k] > im->max_string) {
            bad_row(im, loc,
                    "column %s: %zu bytes, more than the server's string limit of %zu "
                    "bytes (too_large)",
                    k < c->recs[0].n ? c->recs[0].f[k] : "?", rec->flen[k], im->max_string);
            ok = false;
        }
    return ok;
}

/* The server's string limit into im->max_string (KNOOP_DEFAULT_STRING_BYTES on a dry run or when
 * the server does not say). Returns an exit code. */
static int load_limits(imp_t *im)
{
    json_t *res = NULL;
    knoop_error_t err;
    json_int_t v;
    int rc;
    im->max_string = KNOOP_DEFAULT_STRING_BYTES;
    if (im->dry_run)
        return 0;
    if ((rc = cli_conn(im->ctx)) != 0)
        return rc;
    if ((rc = cli_rpc(im->ctx, "server.info", NULL, &res, &err)) != 0)
        return cli_rpc_error(im->ctx, rc, &err);
    v = json_integer_value(json_object_get(json_object_get(res, "limits"), "string_bytes"));
    if (v > 0)
        im->max_string = (size_t)v;
    json_decref(res);
    return 0;
}

/* Appends {method, params} (params owned) for row; returns 0 or -1 (out of memory). */
static int add_op(imp_t *im, size_t row, const char *method, json_t *params, bool primary)
{
    json_t *op;

    if (params == NULL)
        return -1;
    if (im->nops == im->capops) {
        size_t nc = im->capops ? im->capops * 2 : 1024;
        op_t *no = realloc(im->ops, nc * sizeof(*no));
        if (no == NULL) {
            json_decref(params);
            return -1;
        }
        im->ops = no;
        im->capops = nc;
    }
    op = json_pack("{s:s,s:o}", "method", method, "params", params);
    if (op == NULL)
        return -1;
    im->ops[im->nops].op = op;
    im->ops[im->nops].row = row;
    im->ops[im->nops].primary = primary;
    im->ops[im->nops].json_edge = -1;
    im->nops++;
    return 0;
}

static void imp_free(imp_t *im)
{
    size_t i;
    for (i = 0; i < im->nops; i++)
        json_decref(im->ops[i].op);
    free(im->ops);
    free(im->rows);
    json_decref(im->gm);
    json_decref(im->seen);
    json_decref(im->edge_ids);
    json_decref(im->persons);
    json_decref(im->names);
    json_decref(im->first_row);
    json_decref(im->holders);
    schema_registry_free(im->rules);
}

/* ---- CSV profiles ---- */

typedef struct {
    imp_t *im;
    const csv_t *csv;
    const csv_rec_t *rec;
    char loc[24];
} rowctx_t;

static int col_index(const csv_t *c, const char *name)
{
    size_t k;
    for (k = 0; k < c->recs[0].n; k++)
        if (strcmp(c->recs[0].f[k], name) == 0)
            return (int)k;
    return -1;
}

/* The value of column name in the current record ("" when the column is absent). */
static const char *val(const rowctx_t *r, const char *name)
{
    int k = col_index(r->csv, name);
    return k >= 0 && (size_t)k < r->rec->n ? r->rec->f[k] : "";
}

/* Checks that the required columns have values and the date columns hold dates. Each
 * problem is reported; returns the number found. */
static int check_row(rowctx_t *r, const char *const *required, const char *const *dates)
{
    int n = 0;
    for (; required != NULL && *required != NULL; required++)
        if (val(r, *required)[0] == '\0') {
            bad_row(r->im, r->loc, "empty required value in column %s", *required);
            n++;
        }
    for (; dates != NULL && *dates != NULL; dates++) {
        const char *v = val(r, *dates);
        if (v[0] != '\0' && !cli_valid_date(v)) {
            bad_row(r->im, r->loc, "column %s: expected a date YYYY-MM-DD, got '%.32s'", *dates, v);
            n++;
        }
    }
    return n;
}

/* Marks row as skipped; the first reason and line are reported once per file. */
static void skip_row(rowctx_t *r, size_t row, const char *why)
{
    r->im->rows[row].state = ROW_SKIPPED;
    if (r->im->nskipped++ == 0) {
        snprintf(r->im->skip_why, sizeof(r->im->skip_why), "%s", why);
        snprintf(r->im->skip_loc, sizeof(r->im->skip_loc), "%s", r->loc);
    }
}

/* Sets obj[k] = v (a string) when v is not empty. */
static void set_if(json_t *obj, const char *k, const char *v)
{
    if (v != NULL && v[0] != '\0')
        json_object_set_new(obj, k, json_string(v));
}

/* Loads the gemeenten (cbs_code -> props) from the server, once. Returns an exit code. */
static int load_gemeenten(imp_t *im)
{
    json_t *p, *res = NULL, *nodes, *n;
    knoop_error_t err;
    size_t i;
    int rc;

    if (im->gm != NULL)
        return 0;
    if ((rc = cli_conn(im->ctx)) != 0)
        return rc;
    p = json_pack("{s:s,s:s,s:i}", "kind", "organisation", "type", "gemeente", "limit", 100000);
    rc = cli_rpc(im->ctx, "node.find", p, &res, &err);
    json_decref(p);
    if (rc != 0)
        return cli_rpc_error(im->ctx, rc, &err);
    im->gm = json_object();
    nodes = json_object_get(res, "nodes");
    json_array_foreach(nodes, i, n)
    {
        json_t *props = json_object_get(n, "props");
        const char *code = json_string_value(json_object_get(props, "cbs_code"));
        if (code != NULL)
            json_object_set(im->gm, code, props);
    }
    json_decref(res);
    return 0;
}

/* The begin_date of gemeente code on the server, or NULL after reporting the row as bad. */
static const char *gemeente_begin(rowctx_t *r, const char *code)
{
    json_t *props = json_object_get(r->im->gm, code);
    const char *b;

    if (props == NULL) {
        bad_row(r->im, r->loc, "gemeente %.16s is not in the database (import gemeenten first)",
                code);
        return NULL;
    }
    b = json_string_value(json_object_get(props, "begin_date"));
    if (b == NULL)
        bad_row(r->im, r->loc, "gemeente %.16s has no begin_date and the row gives no start date",
                code);
    return b;
}

/* True the first time key is seen in this file. */
static bool first_time(imp_t *im, const char *key)
{
    if (json_object_get(im->seen, key) != NULL)
        return false;
    json_object_set_new(im->seen, key, json_true());
    return true;
}

static json_t *edge_put(const char *type, const char *source, const char *target, const char *from,
                        const char *to)
{
    json_t *p = json_pack("{s:s,s:s,s:s,s:s}", "type", type, "source", source, "target", target,
                          "valid_from", from);
    if (p != NULL && to != NULL && to[0] != '\0')
        json_object_set_new(p, "valid_to", json_string(to));
    return p;
}

static int row_regions(rowctx_t *r, size_t row)
{
    static const char *const req[] = { "cbs_code", "region_type", "region_code", "region_name",
                                       NULL };
    const char *code = val(r, "region_code"), *begin;

    if (check_row(r, req, NULL) != 0)
        return 0;
    if (strcmp(val(r, "region_type"), "veiligheidsregio") != 0) {
        bad_row(r->im, r->loc, "region_type '%.32s' is not supported (only veiligheidsregio)",
                val(r, "region_type"));
        return 0;
    }
    if ((begin = gemeente_begin(r, val(r, "cbs_code"))) == NULL)
        return 0;
    if (first_time(r->im, code)) {
        json_t *props = json_object();
        set_if(props, "name", val(r, "region_name"));
        set_if(props, "key", code);
        set_if(props, "bron", val(r, "source"));
        if (add_op(r->im, row, "node.put",
                   json_pack("{s:s,s:s,s:o}", "kind", "body", "type", "veiligheidsregio", "props",
                             props),
                   false) != 0)
            return -1;
    }
    return add_op(r->im, row, "edge.put",
                  edge_put("deelnemer", val(r, "cbs_code"), code, begin, NULL), true);
}

static int row_koepels(rowctx_t *r, size_t row)
{
    static const char *const req[] = { "koepel", "gemeente_cbs_code", NULL };
    static const char *const dates[] = { "member_from", "member_to", NULL };
    const char *k = val(r, "koepel"), *from = val(r, "member_from");

    if (check_row(r, req, dates) != 0)
        return 0;
    if (from[0] == '\0' && (from = gemeente_begin(r, val(r, "gemeente_cbs_code"))) == NULL)
        return 0;
    if (first_time(r->im, k)) {
        json_t *props = json_object();
        set_if(props, "name", k);
        set_if(props, "key", k);
        set_if(props, "bron", val(r, "source"));
        if (add_op(r->im, row, "node.put",
                   json_pack("{s:s,s:s,s:o}", "kind", "body", "type", "koepel", "props", props),
                   false) != 0)
            return -1;
    }
    return add_op(r->im, row, "edge.put",
                  edge_put("lid", val(r, "gemeente_cbs_code"), k, from, val(r, "member_to")), true);
}

static int row_contacts(rowctx_t *r, size_t row)
{
    static const char *const req[] = { "gemeente_cbs_code", NULL };
    json_t *props;

    if (check_row(r, req, NULL) != 0)
        return 0;
    if (val(r, "email")[0] == '\0' && val(r, "website")[0] == '\0' &&
        val(r, "telephone")[0] == '\0') {
        skip_row(r, row, "no email, website or telephone");
        return 0;
    }
    props = json_object();
    set_if(props, "cbs_code", val(r, "gemeente_cbs_code"));
    set_if(props, "email", val(r, "email"));
    set_if(props, "website", val(r, "website"));
    set_if(props, "telefoon", val(r, "telephone"));
    return add_op(
        r->im, row, "node.put",
        json_pack("{s:s,s:s,s:o}", "kind", "organisation", "type", "gemeente", "props", props),
        true);
}

static int row_postcodes(rowctx_t *r, size_t row)
{
    static const char *const req[] = { "pc4", NULL };
    const char *pc = val(r, "pc4");
    json_t *p;

    if (check_row(r, req, NULL) != 0)
        return 0;
    if (strlen(pc) != 4 || strspn(pc, "0123456789") != 4 || pc[0] == '0') {
        bad_row(r->im, r->loc, "column pc4: expected four digits 1000-9999, got '%.16s'", pc);
        return 0;
    }
    if (val(r, "woonplaats_name")[0] == '\0') {
        skip_row(r, row, "no woonplaats_name (the source has no place for this PC4)");
        return 0;
    }
    p = json_pack("{s:s,s:s}", "postcode", pc, "place", val(r, "woonplaats_name"));
    set_if(p, "gemeente", val(r, "gemeente_cbs_code_2025_by_name"));
    return add_op(r->im, row, "postcode.put", p, true);
}

/* Converts a generic column's text by its type suffix (name:int, name:bool, name:json). */
static json_t *typed_value(rowctx_t *r, const char *col, const char *type, const char *v)
{
    if (type == NULL)
        return json_string(v);
    if (strcmp(type, "int") == 0) {
        char *end;
        long long x;
        errno = 0;
        x = strtoll(v, &end, 10);
        if (errno == 0 && *end == '\0' && end != v)
            return json_integer(x);
    } else if (strcmp(type, "bool") == 0) {
        if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "ja") == 0)
            return json_true();
        if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcmp(v, "nee") == 0)
            return json_false();
    } else if (strcmp(type, "json") == 0) {
        json_t *j = json_loads(v, JSON_DECODE_ANY, NULL);
        if (j != NULL)
            return j;
    } else {
        bad_row(r->im, r->loc, "column %s: unknown type ':%.16s' (int, bool or json)", col, type);
        return NULL;
    }
    bad_row(r->im, r->loc, "column %s: '%.32s' is not a valid %s", col, v, type);
    return NULL;
}

/* Props from every column not in skip; "rel:" columns (written by export) are ignored. */
static json_t *generic_props(rowctx_t *r, const char *const *skip, bool *ok)
{
    json_t *props = json_object();
    size_t k;

    *ok = true;
    for (k = 0; k < r->csv->recs[0].n && k < r->rec->n; k++) {
        const char *h = r->csv->recs[0].f[k], *v = r->rec->f[k];
        const char *const *s;
        char name[128];
        const char *colon;
        json_t *j;
        bool skipped = strncmp(h, "rel:", 4) == 0;

        for (s = skip; *s != NULL && !skipped; s++)
            skipped = strcmp(*s, h) == 0;
        if (skipped || v[0] == '\0')
            continue;
        colon = strrchr(h, ':');
        snprintf(name, sizeof(name), "%.*s", colon ? (int)(colon - h) : (int)strlen(h), h);
        j = typed_value(r, h, colon ? colon + 1 : NULL, v);
        if (j == NULL) {
            *ok = false;
            continue;
        }
        json_object_set_new(props, name, j);
    }
    return props;
}

/* A node reference: digits are an id, anything else an external key. */
static json_t *node_ref(const char *s)
{
    if (s[0] != '\0' && strspn(s, "0123456789") == strlen(s) && strlen(s) < 19)
        return json_integer(strtoll(s, NULL, 10));
    return json_string(s);
}

static int row_nodes(rowctx_t *r, size_t row)
{
    static const char *const req[] = { "kind", NULL };
    static const char *const skip[] = { "kind", "type", NULL };
    static const char *const keys[] = { "key", "cbs_code", "kvk", "oin" };
    json_t *props, *p;
    bool ok, has_key = false;
    size_t i;

    if (check_row(r, req, NULL) != 0)
        return 0;
    props = generic_props(r, skip, &ok);
    for (i = 0; i < 4; i++)
        has_key = has_key || json_is_string(json_object_get(props, keys[i]));
    if (ok && !has_key) {
        bad_row(r->im, r->loc,
                "no external key (key, cbs_code, kvk or oin): needed to import "
                "idempotently");
        ok = false;
    }
    if (!ok) {
        json_decref(props);
        return 0;
    }
    p = json_pack("{s:s,s:o}", "kind", val(r, "kind"), "props", props);
    set_if(p, "type", val(r, "type"));
    return add_op(r->im, row, "node.put", p, true);
}

static int row_edges(rowctx_t *r, size_t row)
{
    static const char *const req[] = { "type", "source", "target", "valid_from", NULL };
    static const char *const dates[] = { "valid_from", "valid_to", NULL };
    static const char *const skip[] = {
        "type", "source", "target", "valid_from", "valid_to", NULL
    };
    json_t *props, *p;
    bool ok;

    if (check_row(r, req, dates) != 0)
        return 0;
    props = generic_props(r, skip, &ok);
    if (!ok) {
        json_decref(props);
        return 0;
    }
    p = json_pack("{s:s,s:o,s:o,s:s}", "type", val(r, "type"), "source", node_ref(val(r, "source")),
                  "target", node_ref(val(r, "target")), "valid_from", val(r, "valid_from"));
    set_if(p, "valid_to", val(r, "valid_to"));
    if (json_object_size(props) > 0)
        json_object_set(p, "props", props);
    json_decref(props);
    return add_op(r->im, row, "edge.put", p, true);
}

/* ---- office holders: ambtsdragers, gekozen, zetels (docs/IMPORT.md, "Office holders") ---- */

/* Prints a note about a row that is imported (changed or partly refused): `file:line: ...`. */
static void note_row(imp_t *im, const char *loc, const char *fmt, ...) KNOOP_PRINTF(3, 4);
static void note_row(imp_t *im, const char *loc, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%s: ", im->file, loc);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/*
 * The initials as written in the sources, made readable before the schema normalises them.
 * Only forms with one clear reading are rewritten: enclosing parentheses ("(B.A.J.)"), a first
 * name in parentheses after them ("H.A. (Dolf)": initials H.A., the name goes to roepnaam, of
 * size SCHEMA_NAME_MAX), a comma for a dot ("D,W."), the surname repeated after the initials
 * ("M.H.J. Evers" for Evers), and an upper-case Th, Ch, Ph or Chr group in dotted initials
 * ("TH.J.M." is Th.J.M.).
 */
static void initials_preclean(const char *raw, const char *surname, char *out, size_t outsz,
                              char *roepnaam)
{
    static const char *const digraphs[] = { "TH.", "CH.", "PH.", "CHR.", NULL };
    size_t n, sl = strlen(surname), i;
    char *p;

    snprintf(out, outsz, "%s", raw);
    roepnaam[0] = '\0';
    n = strlen(out);
    p = strstr(out, " (");
    if (n > 4 && out[0] != '(' && out[n - 1] == ')' && p != NULL && p > out &&
        (size_t)(out + n - 1 - (p + 2)) < 64 && strchr(p + 2, '(') == NULL) {
        snprintf(roepnaam, 64, "%.*s", (int)(out + n - 1 - (p + 2)), p + 2);
        *p = '\0';
        n = strlen(out);
    }
    if (n >= 2 && out[0] == '(' && out[n - 1] == ')') {
        memmove(out, out + 1, n - 2);
        out[n - 2] = '\0';
    }
    for (p = out; *p != '\0'; p++)
        if (*p == ',')
            *p = '.';
    n = strlen(out);
    if (sl > 0 && n > sl + 1 && strcmp(out + n - sl, surname) == 0 && out[n - sl - 1] == ' ')
        out[n - sl - 1] = '\0';
    if (strchr(out, '.') == NULL)
        return;
    for (i = 0; digraphs[i] != NULL; i++) {
        size_t dl = strlen(digraphs[i]);
        for (p = out; (p = strstr(p, digraphs[i])) != NULL; p += dl)
            if (p == out || p[-1] == '.' || p[-1] == ' ')
                for (size_t k = 1; k + 1 < dl; k++)
                    p[k] = (char)(p[k] - 'A' + 'a');
    }
}

/* A person's name from a row, as the server will store it. */
typedef struct {
    schema_person_name_t pn;
    char initials_raw[64];
    char first_names[128]; /* as given, or from the initials' parentheses */
    bool initials_refused;
    bool changed; /* initials or tussenvoegsel differ from the file */
} rowname_t;

/*
 * Normalises the name of a row with the schema's own rules (the server applies the same). Each
 * change is reported as file:line; initials without a clear reading are refused and reported,
 * and the person is loaded without them (the file's text kept in initials_bron). Returns false
 * when the name itself cannot be stored (reported as a bad row).
 */
static bool row_name(rowctx_t *r, const char *initials, const char *first_names, const char *tv,
                     const char *surname, rowname_t *out)
{
    knoop_error_t err;
    schema_person_name_t t;
    char pre[sizeof(t.initials)], roepnaam[64];
    bool too_long = false;

    memset(out, 0, sizeof(*out));
    snprintf(out->initials_raw, sizeof(out->initials_raw), "%s", initials);
    initials_preclean(initials, surname, pre, sizeof(pre), roepnaam);
    if (roepnaam[0] != '\0' && first_names[0] == '\0') {
        note_row(r->im, r->loc, "initials '%.32s': the name in parentheses is taken as first name",
                 initials);
        first_names = roepnaam;
    }
    snprintf(out->first_names, sizeof(out->first_names), "%s", first_names);
    memset(&t, 0, sizeof(t));
    snprintf(t.initials, sizeof(t.initials), "%s", pre);
    snprintf(t.first_names, sizeof(t.first_names), "%s", first_names);
    snprintf(t.tussenvoegsel, sizeof(t.tussenvoegsel), "%s", tv);
    snprintf(t.surname, sizeof(t.surname), "%s", surname);
    if (strlen(initials) >= sizeof(pre))
        too_long = knoop_error_set(&err, KNOOP_EINVAL, "name.initials: longer than %zu bytes",
                                   sizeof(pre) - 1) != KNOOP_OK;
    if (too_long || schema_person_name_check(&t, "name", &err) != KNOOP_OK) {
        if (strncmp(err.msg, "name.initials", 13) != 0 || initials[0] == '\0') {
            bad_row(r->im, r->loc, "%s", err.msg);
            return false;
        }
        note_row(r->im, r->loc, "initials '%.32s' refused (%s); loaded without initials", initials,
                 err.msg);
        out->initials_refused = true;
        t.initials[0] = '\0';
        t.first_names[0] = '\0'; /* initials are not derived from first names here */
        snprintf(t.tussenvoegsel, sizeof(t.tussenvoegsel), "%s", tv);
        snprintf(t.surname, sizeof(t.surname), "%s", surname);
        if (schema_person_name_check(&t, "name", &err) != KNOOP_OK) {
            bad_row(r->im, r->loc, "%s", err.msg);
            return false;
        }
        snprintf(t.first_names, sizeof(t.first_names), "%s", first_names);
    } else if (initials[0] == '\0') {
        t.initials[0] = '\0'; /* keep what the source gives: no initials derived */
    } else if (strcmp(t.initials, initials) != 0) {
        note_row(r->im, r->loc, "initials '%.32s' stored as '%s'", initials, t.initials);
        out->changed = true;
    }
    if (strcmp(t.tussenvoegsel, tv) != 0) {
        note_row(r->im, r->loc, "tussenvoegsel '%.32s' stored as '%s'", tv, t.tussenvoegsel);
        out->changed = true;
    }
    out->pn = t;
    return true;
}

/* Person props from a checked name (first names only when the source gives them). */
static json_t *name_props(const rowname_t *n)
{
    json_t *props = json_object();
    set_if(props, "initials", n->pn.initials);
    set_if(props, "first_names", n->first_names);
    set_if(props, "tussenvoegsel", n->pn.tussenvoegsel);
    set_if(props, "surname", n->pn.surname);
    if (n->initials_refused)
        set_if(props, "initials_bron", n->initials_raw);
    return props;
}

/*
 * The key two sources' persons are matched on: gemeente code, the initials' letters and the
 * tussenvoegsel and surname, all normalised (case, diacritics and punctuation folded), e.g.
 * "GM0086|h|de jong".
 */
static void match_key(const char *gm, const schema_person_name_t *pn, char *out, size_t outsz)
{
    char ini[64], name[300], full[300];
    size_t i, o = 0;
    int n = schema_name_normalise(pn->initials, strlen(pn->initials), ini, sizeof(ini));
    if (n < 0)
        ini[0] = '\0';
    for (i = 0; ini[i] != '\0'; i++)
        if (ini[i] != ' ')
            ini[o++] = ini[i];
    ini[o] = '\0';
    snprintf(full, sizeof(full), "%s %s", pn->tussenvoegsel, pn->surname);
    if (schema_name_normalise(full, strlen(full), name, sizeof(name)) < 0)
        name[0] = '\0';
    snprintf(out, outsz, "%s|%s|%s", gm, ini, name);
}

static bool is_gm_code(const char *s)
{
    return strlen(s) == 6 && strncmp(s, "GM", 2) == 0 && strspn(s + 2, "0123456789") == 4;
}

static const char *const office_roles[] = { "burgemeester",
                                            "waarnemend burgemeester",
                                            "wethouder",
                                            "loco-burgemeester",
                                            "raadslid",
                                            "fractievoorzitter",
                                            "griffier",
                                            "gemeentesecretaris",
                                            NULL };

/*
 * ambtsdragers.csv: one person per person_key (node.put {key = person_key, name parts,
 * aanhef, titels, bron}, sent with the person's first row), and one role per row: edge.put
 * functie person -> gemeente valid from the peildatum, props {bron, begin_onbekend: true}.
 */
static int row_ambtsdragers(rowctx_t *r, size_t row)
{
    static const char *const req[] = { "cbs_code",   "functie",   "surname",
                                       "person_key", "peildatum", NULL };
    static const char *const dates[] = { "peildatum", NULL };
    const char *fn = val(r, "functie"), *key = val(r, "person_key"), *gm = val(r, "cbs_code");
    const char *rows = val(r, "source_rows");
    rowname_t nm;
    json_t *props, *p;
    size_t i;

    if (check_row(r, req, dates) != 0)
        return 0;
    for (i = 0; office_roles[i] != NULL && strcmp(office_roles[i], fn) != 0; i++)
        ;
    if (office_roles[i] == NULL) {
        bad_row(r->im, r->loc, "column functie: '%.40s' is not a role this profile loads", fn);
        return 0;
    }
    if (!is_gm_code(gm) || strncmp(key, gm, 6) != 0 || key[6] != '|') {
        bad_row(r->im, r->loc, "person_key '%.64s' does not start with the gemeente code '%.16s|'",
                key, gm);
        return 0;
    }
    if (rows[0] != '\0' && strcmp(rows, "1") != 0)
        note_row(r->im, r->loc,
                 "the register lists %.40s as %s %.8s times (source_rows); loaded as one person "
                 "(%s) with one role: it may be more than one person",
                 val(r, "naam_bron"), fn, rows, key);
    if (first_time(r->im, key)) {
        if (!row_name(r, val(r, "initials"), "", val(r, "tussenvoegsel"), val(r, "surname"), &nm))
            return 0;
        r->im->n_persons++;
        r->im->n_normalised += nm.changed;
        r->im->n_refused += nm.initials_refused;
        props = name_props(&nm);
        set_if(props, "key", key);
        set_if(props, "aanhef", val(r, "aanhef"));
        set_if(props, "titels", val(r, "titels"));
        set_if(props, "bron", val(r, "source"));
        if (rows[0] != '\0' && strcmp(rows, "1") != 0)
            json_object_set_new(props, "dubbel_in_bron", json_true());
        if (add_op(r->im, row, "node.put", json_pack("{s:s,s:o}", "kind", "person", "props", props),
                   false) != 0)
            return -1;
    } else if (rows[0] != '\0' && strcmp(rows, "1") != 0) {
        /* A later row of the same person: the flag goes with the person. */
        p = json_pack("{s:s,s:{s:s,s:b}}", "kind", "person", "props", "key", key, "dubbel_in_bron",
                      1);
        if (add_op(r->im, row, "node.put", p, false) != 0)
            return -1;
    }
    /* A role one gemeente has one holder of at a time, listed twice for the same day: the
     * schema's rule refuses the second, so it is reported and left out here rather than sent
     * (docs/IMPORT.md, "Rows that break a role rule"). The server checks it as well. */
    if (r->im->rules == NULL && (r->im->rules = schema_registry_new()) == NULL)
        return -1;
    if (r->im->holders == NULL && (r->im->holders = json_object()) == NULL)
        return -1;
    {
        const schema_role_t *rule = schema_registry_role(r->im->rules, fn);
        char hk[96];
        const json_t *first;
        snprintf(hk, sizeof(hk), "%s|%s", gm, fn);
        first = json_object_get(r->im->holders, hk);
        if (rule != NULL && rule->max_holders == 1 && first != NULL &&
            strcmp(json_string_value(json_object_get(first, "key")), key) != 0) {
            fprintf(stderr,
                    "%s:%s: skipped row: conflict: %s: at most 1 at a time, and on %s the role "
                    "is already held by %s (line %s)\n",
                    r->im->file, r->loc, fn, val(r, "peildatum"),
                    json_string_value(json_object_get(first, "key")),
                    json_string_value(json_object_get(first, "line")));
            r->im->rows[row].state = ROW_SKIPPED;
            r->im->n_rule++;
            return 0;
        }
        if (rule != NULL && rule->max_holders == 1 && first == NULL)
            json_object_set_new(r->im->holders, hk,
                                json_pack("{s:s,s:s}", "key", key, "line", r->loc));
    }
    p = edge_put(fn, key, gm, val(r, "peildatum"), NULL);
    props = json_object();
    set_if(props, "bron", val(r, "source"));
    json_object_set_new(props, "begin_onbekend", json_true());
    json_object_set_new(p, "props", props);
    r->im->n_roles++;
    return add_op(r->im, row, "edge.put", p, true);
}

/*
 * The council terms the gekozen profile knows: the election date, the day the new councils
 * were installed and the day their successors were (valid_to, exclusive). GR2022: elections
 * 16 March 2022, installation 30 March 2022; the next elections on 18 March 2026 installed
 * their councils on 1 April 2026.
 */
static const struct {
    const char *election, *from, *to, *key_prefix;
} council_terms[] = {
    { "2022-03-16", "2022-03-30", "2026-04-01", "GR2022" },
};

/* Loads the persons of the register (keys "GMxxxx|...") by match key, once. Exit code. */
static int load_register_persons(imp_t *im)
{
    json_t *p, *res = NULL, *n;
    knoop_error_t err;
    size_t i;
    int rc;

    if (im->persons != NULL)
        return 0;
    if ((rc = cli_conn(im->ctx)) != 0)
        return rc;
    p = json_pack("{s:s,s:i}", "kind", "person", "limit", 100000);
    rc = cli_rpc(im->ctx, "node.find", p, &res, &err);
    json_decref(p);
    if (rc != 0)
        return cli_rpc_error(im->ctx, rc, &err);
    if (json_is_true(json_object_get(res, "more"))) {
        fprintf(stderr,
                "%s: more than 100000 persons in the database: this profile cannot read them "
                "all to match names\n",
                im->file);
        json_decref(res);
        return CLI_EXIT_SERVER;
    }
    im->persons = json_object();
    json_array_foreach(json_object_get(res, "nodes"), i, n)
    {
        json_t *props = json_object_get(n, "props"), *list;
        const char *key = json_string_value(json_object_get(props, "key"));
        schema_person_name_t pn;
        char gm[8], mk[400];
        if (key == NULL || strlen(key) < 7 || key[6] != '|')
            continue;
        snprintf(gm, sizeof(gm), "%.6s", key);
        if (!is_gm_code(gm))
            continue;
        memset(&pn, 0, sizeof(pn));
        snprintf(pn.initials, sizeof(pn.initials), "%s",
                 json_string_value(json_object_get(props, "initials")) ?: "");
        snprintf(pn.tussenvoegsel, sizeof(pn.tussenvoegsel), "%s",
                 json_string_value(json_object_get(props, "tussenvoegsel")) ?: "");
        snprintf(pn.surname, sizeof(pn.surname), "%s",
                 json_string_value(json_object_get(props, "surname")) ?: "");
        match_key(gm, &pn, mk, sizeof(mk));
        if ((list = json_object_get(im->persons, mk)) == NULL) {
            list = json_array();
            json_object_set_new(im->persons, mk, list);
        }
        json_array_append_new(list,
                              json_pack("{s:s,s:b}", "key", key, "dubbel",
                                        json_is_true(json_object_get(props, "dubbel_in_bron"))));
    }
    json_decref(res);
    return 0;
}

/* Counts of match keys in a gekozen file (first pass), so that a name occurring twice in one
 * gemeente is never matched. */
static int count_names(imp_t *im, const csv_t *c)
{
    size_t i;
    im->names = json_object();
    for (i = 1; i < c->n; i++) {
        rowctx_t r = { im, c, &c->recs[i], "" };
        schema_person_name_t pn;
        knoop_error_t err;
        char pre[sizeof(pn.initials)], mk[400], roepnaam[64];
        json_t *v;
        if (c->recs[i].n != c->recs[0].n)
            continue;
        memset(&pn, 0, sizeof(pn));
        initials_preclean(val(&r, "initials"), val(&r, "surname"), pre, sizeof(pre), roepnaam);
        snprintf(pn.initials, sizeof(pn.initials), "%s", pre);
        snprintf(pn.tussenvoegsel, sizeof(pn.tussenvoegsel), "%s", val(&r, "tussenvoegsel"));
        snprintf(pn.surname, sizeof(pn.surname), "%s", val(&r, "surname"));
        if (schema_person_name_check(&pn, "name", &err) != KNOOP_OK) {
            pn.initials[0] = '\0';
            snprintf(pn.tussenvoegsel, sizeof(pn.tussenvoegsel), "%s", val(&r, "tussenvoegsel"));
            snprintf(pn.surname, sizeof(pn.surname), "%s", val(&r, "surname"));
            if (schema_person_name_check(&pn, "name", &err) != KNOOP_OK)
                continue;
        }
        match_key(val(&r, "gemeente_cbs_code"), &pn, mk, sizeof(mk));
        v = json_object_get(im->names, mk);
        if (json_object_set_new(im->names, mk, json_integer(v ? json_integer_value(v) + 1 : 1)))
            return -1;
    }
    return 0;
}

/*
 * raadsleden_gekozen_2022.csv: per elected candidate a raadslid role person -> gemeente for
 * the council term of the election date (council_terms), props {namens = party, lijst =
 * list_number, bron}. The person is the register's (ambtsdragers) when exactly one person of
 * that name is in the gemeente in both files; otherwise a new person keyed
 * "GR2022|GMxxxx|letters|name" (with "|lijst N" when the name occurs twice in the gemeente).
 */
static int row_gekozen(rowctx_t *r, size_t row)
{
    static const char *const req[] = { "gemeente_cbs_code", "election_date", "list_number",
                                       "surname", NULL };
    static const char *const dates[] = { "election_date", NULL };
    const char *gm = val(r, "gemeente_cbs_code"), *ed = val(r, "election_date");
    const char *ln = val(r, "list_number"), *party = val(r, "party");
    const char *first = val(r, "first_name");
    char mk[400], key[500];
    json_t *list, *props, *p;
    rowname_t nm;
    size_t t;
    long in_file;

    if (check_row(r, req, dates) != 0)
        return 0;
    if (!is_gm_code(gm)) {
        bad_row(r->im, r->loc, "column gemeente_cbs_code: expected GM and 4 digits, got '%.16s'",
                gm);
        return 0;
    }
    if (strspn(ln, "0123456789") != strlen(ln) || strlen(ln) > 4) {
        bad_row(r->im, r->loc, "column list_number: expected a number, got '%.16s'", ln);
        return 0;
    }
    for (t = 0; t < sizeof(council_terms) / sizeof(council_terms[0]); t++)
        if (strcmp(council_terms[t].election, ed) == 0)
            break;
    if (t == sizeof(council_terms) / sizeof(council_terms[0])) {
        bad_row(r->im, r->loc,
                "column election_date: no council term is known for elections on %.16s (known: "
                "2022-03-16)",
                ed);
        return 0;
    }
    if (!row_name(r, val(r, "initials"), first, val(r, "tussenvoegsel"), val(r, "surname"), &nm))
        return 0;
    r->im->n_normalised += nm.changed;
    r->im->n_refused += nm.initials_refused;
    match_key(gm, &nm.pn, mk, sizeof(mk));
    in_file = (long)json_integer_value(json_object_get(r->im->names, mk));
    list = json_object_get(r->im->persons, mk);
    if (list != NULL && json_array_size(list) == 1 && in_file == 1 &&
        !json_is_true(json_object_get(json_array_get(list, 0), "dubbel"))) {
        /* The register's person: add the first name the Kiesraad gives, nothing else. */
        snprintf(key, sizeof(key), "%s",
                 json_string_value(json_object_get(json_array_get(list, 0), "key")));
        r->im->n_matched++;
        props = json_object();
        set_if(props, "key", key);
        set_if(props, "first_names", nm.first_names);
    } else {
        if (list != NULL || in_file > 1) {
            r->im->n_ambiguous++;
            note_row(r->im, r->loc,
                     "%s %s%s%s occurs %ld times in %s in this file and %zu times in the "
                     "register: not matched, loaded as a person of its own",
                     nm.pn.initials, nm.pn.tussenvoegsel, nm.pn.tussenvoegsel[0] ? " " : "",
                     nm.pn.surname, in_file, gm, json_array_size(list));
        } else {
            r->im->n_new++;
        }
        snprintf(key, sizeof(key), "%s|%s%s%s", council_terms[t].key_prefix, mk,
                 in_file > 1 ? "|lijst " : "", in_file > 1 ? ln : "");
        if (in_file > 1 && nm.first_names[0] != '\0') {
            char fn[128];
            size_t kl = strlen(key);
            if (schema_name_normalise(nm.first_names, strlen(nm.first_names), fn, sizeof(fn)) > 0)
                snprintf(key + kl, sizeof(key) - kl, "|%s", fn);
        }
        if (!first_time(r->im, key)) {
            /* The same name, list and first name twice (Borsele elected two C. (Kees)
             * Weststrate on list 1): two seats, so two persons, told apart by their order. */
            size_t kl = strlen(key);
            int k;
            for (k = 2; k < 100; k++) {
                snprintf(key + kl, sizeof(key) - kl, "|%d", k);
                if (first_time(r->im, key))
                    break;
                key[kl] = '\0';
            }
            note_row(r->im, r->loc,
                     "the file lists %s %s twice on list %s in %s: loaded as two persons, as the "
                     "seat count requires (this one keyed %s)",
                     nm.pn.initials, nm.pn.surname, ln, gm, key);
        }
        props = name_props(&nm);
        set_if(props, "key", key);
        set_if(props, "bron", val(r, "source"));
    }
    if (add_op(r->im, row, "node.put", json_pack("{s:s,s:o}", "kind", "person", "props", props),
               false) != 0)
        return -1;
    p = edge_put("raadslid", key, gm, council_terms[t].from, council_terms[t].to);
    props = json_object();
    set_if(props, "namens", party);
    json_object_set_new(props, "lijst", json_integer(atol(ln)));
    set_if(props, "bron", val(r, "source"));
    json_object_set_new(p, "props", props);
    r->im->n_roles++;
    return add_op(r->im, row, "edge.put", p, true);
}

/*
 * seats_2022.csv: one verkiezingsuitslag per gemeente and election (node.put kind record,
 * key "GR2022|GMxxxx", props {name, gemeente, date, total, seats: [{party, list, seats}],
 * election, bron}) and an edge "uitslag van" to the gemeente valid from the election date,
 * both sent with the gemeente's first row; the other rows of the gemeente follow its state.
 */
static int row_zetels(rowctx_t *r, size_t row)
{
    static const char *const req[] = { "gemeente_cbs_code", "election_date",
                                       "list_number",       "seats",
                                       "council_seats",     NULL };
    static const char *const dates[] = { "election_date", NULL };
    const char *gm = val(r, "gemeente_cbs_code"), *ed = val(r, "election_date");
    const char *const nums[] = { "list_number", "seats", "council_seats" };
    char key[64], name[200];
    json_t *seats, *props, *lists;
    long total = 0, sum = 0;
    size_t i, k;

    if (check_row(r, req, dates) != 0)
        return 0;
    for (k = 0; k < 3; k++) {
        const char *v = val(r, nums[k]);
        if (strspn(v, "0123456789") != strlen(v) || strlen(v) > 4 || atol(v) < 1) {
            bad_row(r->im, r->loc, "column %s: expected a number 1..9999, got '%.16s'", nums[k], v);
            return 0;
        }
    }
    if (!is_gm_code(gm)) {
        bad_row(r->im, r->loc, "column gemeente_cbs_code: expected GM and 4 digits, got '%.16s'",
                gm);
        return 0;
    }
    snprintf(key, sizeof(key), "GR%.4s|%s", ed, gm);
    if (!first_time(r->im, key)) {
        r->im->rows[row].same_as =
            (size_t)json_integer_value(json_object_get(r->im->first_row, key)) + 1;
        return 0;
    }
    json_object_set_new(r->im->first_row, key, json_integer((json_int_t)row));
    /* The gemeente's rows: all of them make the one result. */
    seats = json_array();
    lists = json_object();
    total = atol(val(r, "council_seats"));
    for (i = 1; i < r->csv->n; i++) {
        rowctx_t o = { r->im, r->csv, &r->csv->recs[i], "" };
        const char *ln;
        json_t *e;
        if (r->csv->recs[i].n != r->csv->recs[0].n || strcmp(val(&o, "gemeente_cbs_code"), gm) ||
            strcmp(val(&o, "election_date"), ed))
            continue;
        snprintf(o.loc, sizeof(o.loc), "%ld", r->csv->recs[i].line);
        ln = val(&o, "list_number");
        if (atol(val(&o, "council_seats")) != total) {
            bad_row(r->im, o.loc, "council_seats %.8s differs from %ld on line %s for %s",
                    val(&o, "council_seats"), total, r->loc, gm);
            continue;
        }
        if (json_object_get(lists, ln) != NULL) {
            bad_row(r->im, o.loc, "list_number %.8s appears twice for %s", ln, gm);
            continue;
        }
        json_object_set_new(lists, ln, json_true());
        sum += atol(val(&o, "seats"));
        e = json_pack("{s:o,s:i,s:i}", "party",
                      val(&o, "party")[0] ? json_string(val(&o, "party")) : json_null(), "list",
                      (int)atol(ln), "seats", (int)atol(val(&o, "seats")));
        json_array_append_new(seats, e);
    }
    json_decref(lists);
    if (sum != total) {
        bad_row(r->im, r->loc, "the seats of %s add up to %ld, council_seats says %ld", gm, sum,
                total);
        json_decref(seats);
        return 0;
    }
    snprintf(name, sizeof(name), "Gemeenteraadsverkiezing %s %s", ed,
             val(r, "gemeente_name")[0] ? val(r, "gemeente_name") : gm);
    props = json_pack("{s:s,s:s,s:s,s:s,s:i,s:o}", "key", key, "name", name, "gemeente", gm, "date",
                      ed, "total", (int)total, "seats", seats);
    set_if(props, "election", val(r, "election_id"));
    set_if(props, "bron", val(r, "source"));
    if (add_op(r->im, row, "node.put",
               json_pack("{s:s,s:s,s:o}", "kind", "record", "type", "verkiezingsuitslag", "props",
                         props),
               true) != 0)
        return -1;
    r->im->n_results++;
    return add_op(r->im, row, "edge.put", edge_put("uitslag van", key, gm, ed, NULL), false);
}

typedef int (*row_fn)(rowctx_t *r, size_t row);

/*
 * herindelingen.csv: a row with an old and a new gemeente is a merger: the old gemeente is
 * created from the row when missing (code, name) and gemeente.merge records it (the old one
 * ends, its places, memberships and roles move or end). A row that names only a gemeente that
 * ended (source nlextract_opgeheven) gives no successor: the gemeente gets its end_date and
 * nothing is inferred; one that names only a new gemeente gets its begin_date. Rows before
 * --since are skipped.
 */
static int row_herindelingen(rowctx_t *r, size_t row)
{
    static const char *const req[] = { "date", NULL };
    static const char *const dates[] = { "date", NULL };
    const char *date = val(r, "date"), *oc = val(r, "old_cbs_code"), *nc = val(r, "new_cbs_code");
    char bron[160];
    json_t *props;

    if (check_row(r, req, dates) != 0)
        return 0;
    if ((oc[0] != '\0' && !is_gm_code(oc)) || (nc[0] != '\0' && !is_gm_code(nc)) ||
        (oc[0] == '\0' && nc[0] == '\0')) {
        bad_row(r->im, r->loc,
                "columns old_cbs_code, new_cbs_code: expected GMxxxx codes, at "
                "least one, got '%.16s', '%.16s'",
                oc, nc);
        return 0;
    }
    if (strcmp(date, r->im->since) < 0) {
        skip_row(r, row, "dated before --since");
        return 0;
    }
    snprintf(bron, sizeof(bron), "herindelingen.csv (%.100s)", val(r, "source"));
    if (oc[0] != '\0') {
        props = json_object();
        set_if(props, "cbs_code", oc);
        set_if(props, "name", val(r, "old_name"));
        set_if(props, "bron", bron);
        if (nc[0] == '\0') {
            set_if(props, "end_date", date);
            note_row(r->im, r->loc,
                     "the file names no successor of %s (%s): it ends on %s, and nothing moves "
                     "(record the merger with gemeente.merge)",
                     val(r, "old_name"), oc, date);
            r->im->n_ended_only++;
        }
        if (add_op(r->im, row, "node.put",
                   json_pack("{s:s,s:s,s:o}", "kind", "organisation", "type", "gemeente", "props",
                             props),
                   true) != 0)
            return -1;
        if (nc[0] == '\0')
            return 0;
        r->im->n_merges++;
        return add_op(r->im, row, "gemeente.merge",
                      json_pack("{s:[s],s:{s:s,s:s},s:s}", "from", oc, "into", "cbs_code", nc,
                                "name", val(r, "new_name"), "on", date),
                      false);
    }
    props = json_object();
    set_if(props, "cbs_code", nc);
    set_if(props, "name", val(r, "new_name"));
    set_if(props, "begin_date", date);
    return add_op(
        r->im, row, "node.put",
        json_pack("{s:s,s:s,s:o}", "kind", "organisation", "type", "gemeente", "props", props),
        true);
}

/*
 * The profiles themselves (columns, what each row writes, default dates) are the table of
 * schema/schema_import.c, shared with other clients; here is how each is read and sent.
 * row_mapped does a profile whose mapping says it all; the others add what the table describes
 * but cannot express (docs/IMPORT.md).
 */
static int row_mapped(rowctx_t *r, size_t row);

static const struct {
    const char *name;
    row_fn fn; /* NULL: woonplaatsen (one places.sync of the whole file) */
} readers[] = {
    { "ambtsdragers", row_ambtsdragers },
    { "gekozen", row_gekozen },
    { "zetels", row_zetels },
    { "woonplaatsen", NULL },
    { "postcodes", row_postcodes },
    { "regions", row_regions },
    { "koepels", row_koepels },
    { "contacts", row_contacts },
    { "gemeenten", row_mapped },
    { "provinces", row_mapped },
    { "herindelingen", row_herindelingen },
    { "edges", row_edges },
    { "nodes", row_nodes },
};
#define NREADERS (sizeof(readers) / sizeof(readers[0]))

/* The profile's reader, or -1 when the client has none (then the profile is unknown here). */
static int find_profile(const char *name)
{
    size_t i;
    if (schema_import_profile(name) == NULL)
        return -1;
    for (i = 0; i < NREADERS; i++)
        if (strcmp(readers[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* True when the header of c has every column profile prof needs. */
static bool header_has(const csv_t *c, const schema_import_profile_t *prof)
{
    return schema_import_header_fits(prof, (const char *const *)c->recs[0].f, c->recs[0].n);
}

/*
 * A row of a profile whose schema mapping says everything (provinces, gemeenten): the required
 * and date columns are checked, the node is put with the mapped properties, and the edge, if
 * any, from the row's columns.
 */
static int row_mapped(rowctx_t *r, size_t row)
{
    const schema_import_profile_t *p = schema_import_profile(r->im->profile);
    json_t *props;
    if (p == NULL)
        return -1;
    if (check_row(r, p->required, p->dates) != 0)
        return 0;
    props = json_object();
    for (size_t i = 0; i < SCHEMA_IMPORT_PROPS && p->props[i].prop != NULL; i++)
        set_if(props, p->props[i].prop,
               p->props[i].col != NULL ? val(r, p->props[i].col) : p->props[i].value);
    if (add_op(r->im, row, "node.put",
               json_pack("{s:s,s:s,s:o}", "kind", schema_kind_name(p->kind), "type", p->type,
                         "props", props),
               true) != 0)
        return -1;
    if (p->edge_type == NULL)
        return 0;
    return add_op(r->im, row, "edge.put",
                  edge_put(p->edge_type, val(r, p->edge_source), val(r, p->edge_target),
                           val(r, p->edge_from), p->edge_to ? val(r, p->edge_to) : NULL),
                  false);
}

/* ---- sending ---- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(imp_t *im, bool done)
{
    int w = 30, k;
    size_t fill;

    if (!isatty(STDERR_FILENO) || im->total_rows == 0)
        return;
    if (done) {
        fputs("\r\x1b[K", stderr);
        return;
    }
    fill = (size_t)w * im->sent_rows / im->total_rows;
    fprintf(stderr, "\r%s: [", im->base);
    for (k = 0; k < w; k++)
        fputc((size_t)k < fill ? '#' : ' ', stderr);
    fprintf(stderr, "] %zu/%zu rows", im->sent_rows, im->total_rows);
    fflush(stderr);
}

/* The op index named by a batch error ("ops[12] (node.put): ..."), or -1. */
static long failed_op(const char *msg)
{
    const char *p = strstr(msg, "ops[");
    char *end;
    long i;

    if (p == NULL)
        return -1;
    i = strtol(p + 4, &end, 10);
    return end != p + 4 && *end == ']' ? i : -1;
}

/* Packs a batch of ops[from, to) into sb. Returns 0 or -1. */
static int pack_batch(imp_t *im, size_t from, size_t to, msgpack_sbuffer *sb)
{
    msgpack_packer pk;
    knoop_error_t err;
    char reason[300];
    size_t i, live = 0;

    for (i = from; i < to; i++)
        live += im->ops[i].op != NULL;
    snprintf(reason, sizeof(reason), "knoop import %.200s (profile %s)", im->base, im->profile);
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 2);
    msgpack_pack_str_with_body(&pk, "ops", 3);
    msgpack_pack_array(&pk, live);
    for (i = from; i < to; i++)
        if (im->ops[i].op != NULL && knoop__json_pack(&pk, im->ops[i].op, &err) != 0)
            return -1;
    msgpack_pack_str_with_body(&pk, "reason", 6);
    msgpack_pack_str_with_body(&pk, reason, strlen(reason));
    return 0;
}

/* Applies one op's result to its row's state. */
static void apply_result(imp_t *im, const op_t *o, const json_t *res)
{
    row_t *row = &im->rows[o->row];
    bool created = json_is_true(json_object_get(res, "created"));
    bool changed = json_is_true(json_object_get(res, "changed"));

    if (o->primary && created)
        row->state = ROW_CREATED;
    else if ((created || changed) && row->state != ROW_CREATED && row->state != ROW_SKIPPED)
        row->state = ROW_CHANGED;
    if (o->json_edge >= 0) {
        char k[32];
        const json_t *id = json_object_get(json_object_get(res, "edge"), "id");
        snprintf(k, sizeof(k), "%d", o->json_edge);
        if (id != NULL)
            json_object_set(im->edge_ids, k, (json_t *)id);
    }
}

/*
 * contacts: drops the value the server refused (named in msg as props.email, props.website or
 * props.telefoon), or the whole operation, reports it and returns true; false when op o is
 * not a contacts operation.
 */
static bool refuse_value(imp_t *im, op_t *o, const char *msg)
{
    static const char *const fields[] = { "email", "website", "telefoon" };
    json_t *props = json_object_get(json_object_get(o->op, "params"), "props");
    const char *m = strstr(msg, "): ");
    size_t i;

    m = m != NULL ? m + 3 : msg;
    if (strcmp(im->profile, "contacts") != 0) {
        /* A register that breaks a role rule (two griffiers at once): the row is reported and
         * left out, so that the rest of the register loads; knoop check-roles finds such data
         * already stored. */
        if (strstr(m, " at a time, and on ") == NULL &&
            strstr(m, "already holds this role") == NULL)
            return false;
        fprintf(stderr, "%s:%s: skipped row: conflict: %.*s\n", im->file, im->rows[o->row].loc,
                (int)(strstr(m, "; nothing was written") != NULL
                          ? (size_t)(strstr(m, "; nothing was written") - m)
                          : strlen(m)),
                m);
        if (im->n_roles > 0)
            im->n_roles--;
        json_decref(o->op);
        o->op = NULL;
        im->rows[o->row].state = ROW_SKIPPED;
        im->refused++;
        return true;
    }
    for (i = 0; i < 3; i++) {
        char needle[32];
        snprintf(needle, sizeof(needle), "props.%s", fields[i]);
        if (strstr(m, needle) != NULL && json_object_get(props, fields[i]) != NULL) {
            fprintf(stderr, "%s:%s: skipped %s '%s': %s\n", im->file, im->rows[o->row].loc,
                    fields[i], json_string_value(json_object_get(props, fields[i])), m);
            json_object_del(props, fields[i]);
            im->refused++;
            if (json_object_size(props) <= 1) {
                json_decref(o->op);
                o->op = NULL;
                im->rows[o->row].state = ROW_SKIPPED;
            }
            return true;
        }
    }
    fprintf(stderr, "%s:%s: skipped row: %s\n", im->file, im->rows[o->row].loc, m);
    json_decref(o->op);
    o->op = NULL;
    im->rows[o->row].state = ROW_SKIPPED;
    im->refused++;
    return true;
}

/* Sends ops[from, to) as one batch (retrying after refused contact values). Exit code. */
static int send_chunk(imp_t *im, size_t from, size_t to)
{
    for (;;) {
        msgpack_sbuffer sb;
        knoop_result_t *r = NULL;
        knoop_error_t err;
        json_t *res = NULL, *results;
        size_t i, k;
        long bad_i;
        int rc;

        msgpack_sbuffer_init(&sb);
        if (pack_batch(im, from, to, &sb) != 0) {
            msgpack_sbuffer_destroy(&sb);
            fprintf(stderr, "knoop: out of memory\n");
            return CLI_EXIT_SERVER;
        }
        for (i = from, k = 0; i < to; i++)
            k += im->ops[i].op != NULL;
        if (k == 0) {
            msgpack_sbuffer_destroy(&sb);
            return 0;
        }
        rc = knoop_call(im->ctx->conn, "batch", sb.data, sb.size, &r, &err);
        msgpack_sbuffer_destroy(&sb);
        if (rc == 0) {
            rc = knoop__json_from_msgpack(knoop_result_value(r), &res, &err);
            knoop_result_free(r);
        }
        if (rc != 0) {
            op_t *o = NULL;
            if (!knoop_connected(im->ctx->conn))
                return cli_rpc_error(im->ctx, rc, &err);
            bad_i = failed_op(err.msg);
            /* Map the index among the live ops back to the op. */
            for (i = from, k = 0; bad_i >= 0 && i < to; i++)
                if (im->ops[i].op != NULL && k++ == (size_t)bad_i) {
                    o = &im->ops[i];
                    break;
                }
            if (o != NULL && refuse_value(im, o, err.msg))
                continue;
            if (o != NULL)
                fprintf(stderr, "%s:%s: %s: %s\n", im->file, im->rows[o->row].loc,
                        knoop_err_wire(rc), err.msg);
            else
                fprintf(stderr, "%s: %s: %s\n", im->file, knoop_err_wire(rc), err.msg);
            return CLI_EXIT_SERVER;
        }
        results = json_object_get(res, "results");
        for (i = from, k = 0; i < to; i++)
            if (im->ops[i].op != NULL)
                apply_result(im, &im->ops[i], json_array_get(results, k++));
        json_decref(res);
        return 0;
    }
}

/* Sends ops[from, to): one batch when it fits (and --batch is not given), else chunks. */
static int send_ops(imp_t *im, size_t from, size_t to)
{
    long per = im->batch_rows;
    size_t i, start;
    int rc;

    if (from == to)
        return 0;
    if (per == 0) {
        msgpack_sbuffer sb;
        bool fits;
        msgpack_sbuffer_init(&sb);
        fits = pack_batch(im, from, to, &sb) == 0 && sb.size <= CLI_IMPORT_ONE_BATCH_BYTES;
        msgpack_sbuffer_destroy(&sb);
        if (fits) {
            rc = send_chunk(im, from, to);
            im->sent_rows += im->ops[to - 1].row - im->ops[from].row + 1;
            progress(im, false);
            return rc;
        }
        per = CLI_IMPORT_DEFAULT_ROWS;
    }
    for (start = from; start < to;) {
        size_t first_row = im->ops[start].row;
        for (i = start; i < to && im->ops[i].row < first_row + (size_t)per; i++)
            ;
        if ((rc = send_chunk(im, start, i)) != 0)
            return rc;
        im->sent_rows += im->ops[i - 1].row - first_row + 1;
        progress(im, false);
        start = i;
    }
    return 0;
}

/* ---- woonplaatsen ---- */

static void print_places(const char *what, const json_t *list)
{
    size_t i, n = json_array_size(list);
    const json_t *p;

    if (n > 20)
        return; /* a first load: the counts say enough */
    json_array_foreach((json_t *)list, i, p)
    {
        if (json_is_object(p)) {
            json_t *c = json_object_get(p, "code");
            char *cs =
                json_is_string(c) ? strdup(json_string_value(c)) : json_dumps(c, JSON_ENCODE_ANY);
            printf("  %s: %s %s (%s)\n", what, cs != NULL ? cs : "",
                   json_string_value(json_object_get(p, "name")) ?: "",
                   json_string_value(json_object_get(p, "gemeente")) ?: "");
            free(cs);
        } else {
            char *s = json_dumps(p, JSON_ENCODE_ANY);
            printf("  %s: %s\n", what, s != NULL ? s : "");
            free(s);
        }
    }
}

static int import_woonplaatsen(imp_t *im, const csv_t *c, size_t *created, size_t *unchanged)
{
    json_t *places = json_array(), *codes = json_object(), *p, *res = NULL;
    knoop_error_t err;
    size_t i, skipped = 0;
    long first_skip = 0;
    int rc;

    for (i = 1; i < c->n; i++) {
        rowctx_t r = { im, c, &c->recs[i], "" };
        static const char *const req[] = { "woonplaats_code", "woonplaats_name", NULL };
        const char *code;
        snprintf(r.loc, sizeof(r.loc), "%ld", c->recs[i].line);
        if (add_row(im, r.loc) == (size_t)-1)
            goto nomem;
        if (c->recs[i].n != c->recs[0].n) {
            bad_row(im, r.loc, "%zu columns, the header has %zu", c->recs[i].n, c->recs[0].n);
            continue;
        }
        if (!cells_ok(im, c, &c->recs[i], r.loc) || check_row(&r, req, NULL) != 0)
            continue;
        code = val(&r, "woonplaats_code");
        if (json_object_get(codes, code) != NULL) {
            bad_row(im, r.loc, "woonplaats_code %.16s also on line %lld", code,
                    json_integer_value(json_object_get(codes, code)));
            continue;
        }
        json_object_set_new(codes, code, json_integer(c->recs[i].line));
        if (val(&r, "gemeente_cbs_code_2025")[0] == '\0') {
            im->rows[im->nrows - 1].state = ROW_SKIPPED;
            if (skipped++ == 0)
                first_skip = c->recs[i].line;
            continue;
        }
        if (strspn(code, "0123456789") != strlen(code) || strlen(code) > 9) {
            bad_row(im, r.loc, "column woonplaats_code: expected a number, got '%.16s'", code);
            continue;
        }
        if (json_array_append_new(places,
                                  json_pack("{s:I,s:s,s:s}", "code", (json_int_t)atoll(code),
                                            "name", val(&r, "woonplaats_name"), "gemeente",
                                            val(&r, "gemeente_cbs_code_2025"))) != 0)
            goto nomem;
    }
    json_decref(codes);
    if (skipped > 0)
        fprintf(im->diag,
                "%s: %zu rows skipped: no gemeente_cbs_code_2025 (the 2018 gemeente has "
                "merged since; first on line %ld)\n",
                im->file, skipped, first_skip);
    if (im->bad > 0 || im->dry_run) {
        json_decref(places);
        return im->bad > 0 ? CLI_EXIT_SERVER : 0;
    }
    if ((rc = cli_conn(im->ctx)) != 0) {
        json_decref(places);
        return rc;
    }
    p = json_pack("{s:o,s:s}", "places", places, "on", im->on);
    rc = cli_rpc(im->ctx, "places.sync", p, &res, &err);
    json_decref(p);
    if (rc != 0) {
        fprintf(stderr, "%s: ", im->file);
        return cli_rpc_error(im->ctx, rc, &err);
    }
    *created = json_array_size(json_object_get(res, "added"));
    *unchanged = (size_t)json_integer_value(json_object_get(res, "unchanged"));
    printf("%s: places.sync on %s: %zu added, %zu ended, %zu unchanged\n", im->base, im->on,
           *created, json_array_size(json_object_get(res, "ended")), *unchanged);
    print_places("added", json_object_get(res, "added"));
    print_places("ended", json_object_get(res, "ended"));
    json_decref(res);
    return 0;
nomem:
    json_decref(places);
    json_decref(codes);
    fprintf(im->diag, "knoop: out of memory\n");
    return CLI_EXIT_SERVER;
}

/* ---- CSV files ---- */

static int import_csv(imp_t *im, const char *text, size_t len, size_t *woon_created,
                      size_t *woon_unchanged)
{
    const schema_import_profile_t *prof;
    csv_t c;
    char msg[200];
    int p, rc = 0;
    size_t i;

    if (csv_parse(text, len, &c, msg, sizeof(msg)) != 0) {
        fprintf(im->diag, "%s: %s\n", im->file, msg);
        return CLI_EXIT_SERVER;
    }
    if (c.n == 0) {
        fprintf(im->diag, "%s: empty file (a header row is needed)\n", im->file);
        csv_free(&c);
        return CLI_EXIT_SERVER;
    }
    if (c.recs[0].bad_col >= 0) {
        fprintf(stderr, "%s:%ld: header column %ld: %s (the file must be UTF-8 text)\n", im->file,
                c.recs[0].line, c.recs[0].bad_col + 1, c.recs[0].bad_why);
        csv_free(&c);
        return CLI_EXIT_SERVER;
    }
    if ((rc = load_limits(im)) != 0) {
        csv_free(&c);
        return rc;
    }
    if (im->profile != NULL) {
        prof = schema_import_profile(im->profile);
        p = find_profile(im->profile);
        if (prof == NULL || p < 0) { /* "json" (--format csv --profile json) names no CSV profile */
            fprintf(im->diag, "%s: profile %s is not a CSV profile\n", im->file, im->profile);
            csv_free(&c);
            return CLI_EXIT_SERVER;
        }
        if (!header_has(&c, prof)) {
            fprintf(im->diag, "%s:%ld: the header lacks a column that profile %s needs (", im->file,
                    c.recs[0].line, im->profile);
            for (i = 0; i < SCHEMA_IMPORT_COLS && prof->cols[i] != NULL; i++)
                fprintf(im->diag, "%s%s", i ? ", " : "", prof->cols[i]);
            fputs(")\n", im->diag);
            csv_free(&c);
            return CLI_EXIT_SERVER;
        }
    } else {
        prof = schema_import_guess((const char *const *)c.recs[0].f, c.recs[0].n);
        p = prof != NULL ? find_profile(prof->name) : -1;
        if (p < 0) {
            fprintf(im->diag, "%s:%ld: cannot tell the profile from the header; give --profile\n",
                    im->file, c.recs[0].line);
            csv_free(&c);
            return CLI_EXIT_SERVER;
        }
        im->profile = prof->name;
    }
    if (strcmp(im->profile, "woonplaatsen") == 0) {
        rc = import_woonplaatsen(im, &c, woon_created, woon_unchanged);
        csv_free(&c);
        return rc;
    }
    if (prof->needs_gemeenten && (rc = load_gemeenten(im)) != 0) {
        csv_free(&c);
        return rc;
    }
    if (strcmp(im->profile, "gekozen") == 0 &&
        (count_names(im, &c) != 0 || (!im->dry_run && (rc = load_register_persons(im)) != 0))) {
        csv_free(&c);
        if (rc != 0)
            return rc;
        goto nomem;
    }
    if (strcmp(im->profile, "zetels") == 0 && (im->first_row = json_object()) == NULL)
        goto nomem;
    for (i = 1; i < c.n; i++) {
        rowctx_t r = { im, &c, &c.recs[i], "" };
        size_t row;
        snprintf(r.loc, sizeof(r.loc), "%ld", c.recs[i].line);
        if ((row = add_row(im, r.loc)) == (size_t)-1)
            goto nomem;
        if (c.recs[i].n != c.recs[0].n) {
            bad_row(im, r.loc, "%zu columns, the header has %zu", c.recs[i].n, c.recs[0].n);
            continue;
        }
        if (!cells_ok(im, &c, &c.recs[i], r.loc))
            continue;
        if (readers[p].fn(&r, row) != 0)
            goto nomem;
    }
    csv_free(&c);
    if (im->bad > 0)
        return CLI_EXIT_SERVER;
    if (im->dry_run)
        return 0;
    if ((rc = cli_conn(im->ctx)) != 0)
        return rc;
    im->total_rows = im->nrows;
    rc = send_ops(im, 0, im->nops);
    progress(im, true);
    return rc;
nomem:
    csv_free(&c);
    fprintf(im->diag, "knoop: out of memory\n");
    return CLI_EXIT_SERVER;
}

/* ---- JSON files ---- */

static bool has_ext_key(const json_t *props)
{
    static const char *const keys[] = { "key", "cbs_code", "kvk", "oin" };
    size_t i;
    for (i = 0; i < 4; i++)
        if (json_is_string(json_object_get(props, keys[i])))
            return true;
    return false;
}

/* The round of edge i: 0 without on_behalf_of_ref, else one more than its base's. -1 on a
 * cycle or unknown ref (already reported by the checks). */
static int edge_level(const json_t *edges, const json_t *refs, size_t i, int depth)
{
    const json_t *obr = json_object_get(json_array_get(edges, i), "on_behalf_of_ref");
    const json_t *base;
    int l;

    if (!json_is_string(obr))
        return 0;
    if (depth > 64)
        return -1;
    base = json_object_get(refs, json_string_value(obr));
    if (base == NULL)
        return -1;
    l = edge_level(edges, refs, (size_t)json_integer_value(base), depth + 1);
    return l < 0 ? -1 : l + 1;
}

static int import_json(imp_t *im, const char *text, size_t len)
{
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *nodes, *edges, *refs = json_object(), *v;
    const char *key;
    size_t i, nlevels = 1, start;
    int rc = 0, level;

    im->profile = "json";
    if (doc == NULL) {
        fprintf(im->diag, "%s:%d:%d: %s\n", im->file, jerr.line, jerr.column, jerr.text);
        json_decref(refs);
        return CLI_EXIT_SERVER;
    }
    if (!json_is_object(doc)) {
        fprintf(im->diag, "%s: expected a JSON object {\"nodes\": [...], \"edges\": [...]}\n",
                im->file);
        rc = CLI_EXIT_SERVER;
        goto out;
    }
    json_object_foreach(doc, key, v)
    {
        if (key[0] != '_' && strcmp(key, "nodes") != 0 && strcmp(key, "edges") != 0)
            bad_row(im, key, "unknown member (nodes, edges, or a comment starting with _)");
    }
    nodes = json_object_get(doc, "nodes");
    edges = json_object_get(doc, "edges");
    if ((nodes != NULL && !json_is_array(nodes)) || (edges != NULL && !json_is_array(edges))) {
        fprintf(im->diag, "%s: nodes and edges must be arrays\n", im->file);
        rc = CLI_EXIT_SERVER;
        goto out;
    }
    json_array_foreach(edges, i, v)
    {
        const json_t *ref = json_object_get(v, "ref");
        char loc[48];
        snprintf(loc, sizeof(loc), "edges[%zu]", i);
        if (ref != NULL && !json_is_string(ref))
            bad_row(im, loc, "ref: expected a string");
        else if (ref != NULL && json_object_get(refs, json_string_value(ref)) != NULL)
            bad_row(im, loc, "ref '%.64s' is used twice", json_string_value(ref));
        else if (ref != NULL)
            json_object_set_new(refs, json_string_value(ref), json_integer((json_int_t)i));
    }
    json_array_foreach(nodes, i, v)
    {
        char loc[48];
        json_t *kind = json_object_get(v, "kind"), *type = json_object_get(v, "type");
        json_t *props = json_object_get(v, "props"), *p;
        size_t row;
        snprintf(loc, sizeof(loc), "nodes[%zu]", i);
        if ((row = add_row(im, loc)) == (size_t)-1)
            goto nomem;
        if (!json_is_object(v)) {
            bad_row(im, loc, "expected an object {kind, type, props}");
            continue;
        }
        json_object_foreach(v, key, p)
        {
            if (strcmp(key, "kind") != 0 && strcmp(key, "type") != 0 && strcmp(key, "props") != 0 &&
                key[0] != '_')
                bad_row(im, loc, "unknown member '%.32s' (kind, type, props)", key);
        }
        if (!json_is_string(kind) || json_string_length(kind) == 0)
            bad_row(im, loc, "kind: required, a string");
        else if (type != NULL && !json_is_string(type) && !json_is_null(type))
            bad_row(im, loc, "type: expected a string");
        else if (!json_is_object(props))
            bad_row(im, loc, "props: required, an object");
        else if (!has_ext_key(props))
            bad_row(im, loc,
                    "props: no external key (key, cbs_code, kvk or oin): needed to "
                    "import idempotently");
        else {
            p = json_pack("{s:O,s:O}", "kind", kind, "props", props);
            if (json_is_string(type))
                json_object_set(p, "type", type);
            if (add_op(im, row, "node.put", p, true) != 0)
                goto nomem;
        }
    }
    json_array_foreach(edges, i, v)
    {
        static const char *const members[] = { "type",       "source",       "target",
                                               "valid_from", "valid_to",     "props",
                                               "ref",        "on_behalf_of", "on_behalf_of_ref",
                                               NULL };
        char loc[48];
        const char *vf = json_string_value(json_object_get(v, "valid_from"));
        json_t *vt = json_object_get(v, "valid_to"), *obr = json_object_get(v, "on_behalf_of_ref");
        json_t *p, *src = json_object_get(v, "source"), *dst = json_object_get(v, "target");
        size_t row, nbad = im->bad;
        snprintf(loc, sizeof(loc), "edges[%zu]", i);
        if ((row = add_row(im, loc)) == (size_t)-1)
            goto nomem;
        if (!json_is_object(v)) {
            bad_row(im, loc, "expected an object {type, source, target, valid_from, ...}");
            continue;
        }
        json_object_foreach(v, key, p)
        {
            const char *const *m;
            for (m = members; *m != NULL && strcmp(*m, key) != 0; m++)
                ;
            if (*m == NULL && key[0] != '_')
                bad_row(im, loc, "unknown member '%.32s'", key);
        }
        if (!json_is_string(json_object_get(v, "type")))
            bad_row(im, loc, "type: required, a string");
        if (!(json_is_string(src) || json_is_integer(src)))
            bad_row(im, loc, "source: required, an external key or a node id");
        if (!(json_is_string(dst) || json_is_integer(dst)))
            bad_row(im, loc, "target: required, an external key or a node id");
        if (vf == NULL || !cli_valid_date(vf))
            bad_row(im, loc, "valid_from: required, a date YYYY-MM-DD");
        if (vt != NULL && !json_is_null(vt) &&
            !(json_is_string(vt) && cli_valid_date(json_string_value(vt))))
            bad_row(im, loc, "valid_to: expected a date YYYY-MM-DD or null");
        if (json_object_get(v, "props") != NULL && !json_is_object(json_object_get(v, "props")))
            bad_row(im, loc, "props: expected an object");
        if (obr != NULL && json_object_get(v, "on_behalf_of") != NULL)
            bad_row(im, loc, "give on_behalf_of or on_behalf_of_ref, not both");
        if (obr != NULL &&
            (!json_is_string(obr) || json_object_get(refs, json_string_value(obr)) == NULL))
            bad_row(im, loc, "on_behalf_of_ref: names no edge of this file (its \"ref\")");
        if (im->bad > nbad)
            continue;
        level = edge_level(edges, refs, i, 0);
        if (level < 0) {
            bad_row(im, loc, "on_behalf_of_ref: the chain of refs loops");
            continue;
        }
        im->rows[row].level = level;
        if ((size_t)level + 1 > nlevels)
            nlevels = (size_t)level + 1;
        p = json_pack("{s:O,s:O,s:O,s:s}", "type", json_object_get(v, "type"), "source", src,
                      "target", dst, "valid_from", vf);
        if (vt != NULL && !json_is_null(vt))
            json_object_set(p, "valid_to", vt);
        if (json_object_size(json_object_get(v, "props")) > 0)
            json_object_set(p, "props", json_object_get(v, "props"));
        if (json_object_get(v, "on_behalf_of") != NULL)
            json_object_set(p, "on_behalf_of", json_object_get(v, "on_behalf_of"));
        if (add_op(im, row, "edge.put", p, true) != 0)
            goto nomem;
        im->ops[im->nops - 1].json_edge = (int)i;
    }
    if (im->bad > 0) {
        rc = CLI_EXIT_SERVER;
        goto out;
    }
    if (im->dry_run)
        goto out;
    if ((rc = cli_conn(im->ctx)) != 0)
        goto out;
    /* Round 0: the nodes and the edges held on no other's behalf; round k: the edges whose
     * base edge was written in round k-1, with on_behalf_of set to its id. */
    im->edge_ids = json_object();
    im->total_rows = im->nrows;
    for (level = 0; (size_t)level < nlevels && rc == 0; level++) {
        /* Move this round's ops to the end, in order, so that they are contiguous. */
        op_t *tmp = malloc((im->nops + 1) * sizeof(*tmp));
        size_t n = 0, k;
        if (tmp == NULL)
            goto nomem;
        start = 0;
        for (k = 0; k < im->nops; k++)
            if (im->rows[im->ops[k].row].level != level)
                tmp[n++] = im->ops[k];
        start = n;
        for (k = 0; k < im->nops; k++)
            if (im->rows[im->ops[k].row].level == level)
                tmp[n++] = im->ops[k];
        memcpy(im->ops, tmp, n * sizeof(*tmp));
        free(tmp);
        for (k = start; k < im->nops; k++) {
            json_t *params = json_object_get(im->ops[k].op, "params");
            json_t *e = json_array_get(
                edges, (size_t)(im->ops[k].json_edge >= 0 ? im->ops[k].json_edge : 0));
            json_t *obr = im->ops[k].json_edge >= 0 ? json_object_get(e, "on_behalf_of_ref") : NULL;
            if (obr != NULL) {
                char kb[32];
                json_t *base = json_object_get(refs, json_string_value(obr)), *id;
                snprintf(kb, sizeof(kb), "%lld", json_integer_value(base));
                id = json_object_get(im->edge_ids, kb);
                if (id == NULL) {
                    fprintf(stderr, "%s:%s: the base edge's id is unknown\n", im->file,
                            im->rows[im->ops[k].row].loc);
                    rc = CLI_EXIT_SERVER;
                    goto out;
                }
                json_object_set(params, "on_behalf_of", id);
            }
        }
        rc = send_ops(im, start, im->nops);
    }
    progress(im, true);
out:
    json_decref(refs);
    json_decref(doc);
    return rc;
nomem:
    fprintf(im->diag, "knoop: out of memory\n");
    rc = CLI_EXIT_SERVER;
    goto out;
}

/* ---- checking a buffer (cli.h) ---- */

int cli_import_check(const char *text, size_t len, bool json, const char *profile,
                     json_t *gemeenten, FILE *diag, size_t *nrows, size_t *nops)
{
    imp_t im;
    size_t woon_created = 0, woon_unchanged = 0;
    int rc;

    memset(&im, 0, sizeof(im));
    im.diag = diag;
    im.file = im.base = "<buffer>";
    im.profile = profile;
    im.dry_run = true;
    im.seen = json_object();
    /* Preset, so that the regions and koepels profiles never ask a server (load_gemeenten). */
    im.gm = gemeenten != NULL ? json_incref(gemeenten) : json_object();
    if (im.seen == NULL || im.gm == NULL)
        rc = CLI_EXIT_SERVER;
    else if (json)
        rc = import_json(&im, text, len);
    else
        rc = import_csv(&im, text, len, &woon_created, &woon_unchanged);
    *nrows = im.nrows;
    *nops = im.nops;
    imp_free(&im);
    return rc;
}

/* ---- the command ---- */

static const cli_opt_t import_opts[] = {
    { "format", "F", false, "csv or json (default: from the file name or its first byte)" },
    { "profile", "NAME", false,
      "provinces, gemeenten, regions, koepels, contacts, woonplaatsen, postcodes, ambtsdragers, "
      "gekozen, zetels, herindelingen, nodes, edges (default: guessed from the CSV header)" },
    { "batch", "N", false, "send N rows per batch (default: the whole file when it fits 8 MiB)" },
    { "on", "DATE", false, "woonplaatsen: the date of the table (default today)" },
    { "since", "DATE", false, "herindelingen: the first date loaded (default 2019-01-01)" },
    { "dry-run", NULL, false, "check every row, send nothing" },
    { NULL, NULL, false, NULL },
};

static void import_help(FILE *f)
{
    int i;
    fputs("usage: knoop import [--format csv|json] [--profile NAME] [--batch N] [--on DATE] "
          "[--dry-run] FILE...\n\n"
          "Load CSV or JSON files (docs/IMPORT.md lists the profiles and their columns).\n"
          "Every row is checked first: bad rows are reported as file:line and nothing of that\n"
          "file is imported (exit 1). Rows are upserts by external key, so importing a file\n"
          "twice changes nothing the second time. Calls the methods batch, node.put, edge.put,\n"
          "postcode.put, places.sync and gemeente.merge.\n\noptions:\n",
          f);
    for (i = 0; import_opts[i].name != NULL; i++) {
        char head[64];
        snprintf(head, sizeof(head), "--%s%s%s", import_opts[i].name, import_opts[i].arg ? " " : "",
                 import_opts[i].arg ? import_opts[i].arg : "");
        fprintf(f, "  %-18s %s\n", head, import_opts[i].help);
    }
    fputs("\nglobal options: --host H --port P --socket PATH --timeout MS\n"
          "\nexample:\n  knoop import schema/data/provinces.csv schema/data/gemeenten.csv\n",
          f);
}

/* The summary line of a file that was sent (docs/IMPORT.md, "Summary"). */
static void print_summary(const imp_t *im, const size_t n[4], double secs)
{
    printf("%s: %zu rows, %zu created, %zu changed, %zu unchanged, %zu skipped in %.2f s", im->base,
           im->nrows, n[ROW_CREATED], n[ROW_CHANGED], n[ROW_UNCHANGED], n[ROW_SKIPPED], secs);
    if (strcmp(im->profile, "ambtsdragers") == 0)
        printf("; %zu persons, %zu roles; names normalised in %zu rows, initials refused in %zu, "
               "rows that break a role rule %zu (each listed on stderr)",
               im->n_persons, im->n_roles, im->n_normalised, im->n_refused, im->n_rule);
    else if (strcmp(im->profile, "gekozen") == 0)
        printf("; %zu raadslid roles; persons: %zu matched to the register, %zu new, %zu "
               "ambiguous (name more than once in the gemeente: new, not matched); names "
               "normalised in %zu rows, initials refused in %zu (each listed on stderr)",
               im->n_roles, im->n_matched, im->n_new, im->n_ambiguous, im->n_normalised,
               im->n_refused);
    else if (strcmp(im->profile, "zetels") == 0)
        printf("; %zu election results", im->n_results);
    else if (strcmp(im->profile, "herindelingen") == 0)
        printf("; %zu mergers (gemeente.merge), %zu gemeenten ended without a successor in the "
               "file (each listed on stderr)",
               im->n_merges, im->n_ended_only);
    putchar('\n');
}

/* Imports one file; prints its summary line. Returns an exit code. */
static int import_file(cli_ctx_t *ctx, const cli_args_t *a, const char *path)
{
    imp_t im;
    char *text = NULL, msg[300];
    const char *fmt = cli_args_get(a, "format"), *b = cli_args_get(a, "batch");
    size_t len, i, n[4] = { 0, 0, 0, 0 }, woon_created = 0, woon_unchanged = 0;
    double t0 = now_s();
    bool json;
    int rc;

    memset(&im, 0, sizeof(im));
    im.ctx = ctx;
    im.diag = stderr;
    im.file = path;
    im.base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
    im.profile = cli_args_get(a, "profile");
    im.dry_run = cli_args_get(a, "dry-run") != NULL;
    im.batch_rows = b != NULL ? atol(b) : 0;
    im.seen = json_object();
    if (cli_args_get(a, "since") != NULL && !cli_valid_date(cli_args_get(a, "since"))) {
        fprintf(stderr, "knoop: --since: expected a date YYYY-MM-DD, got '%.32s'\n",
                cli_args_get(a, "since"));
        imp_free(&im);
        return CLI_EXIT_USAGE;
    }
    snprintf(im.since, sizeof(im.since), "%s",
             cli_args_get(a, "since") != NULL ? cli_args_get(a, "since") : "2019-01-01");
    if (cli_args_get(a, "on") != NULL)
        snprintf(im.on, sizeof(im.on), "%s", cli_args_get(a, "on"));
    else
        cli_today(im.on);
    if (read_file(path, &text, &len, msg, sizeof(msg)) != 0) {
        fprintf(stderr, "knoop: %s\n", msg);
        imp_free(&im);
        return CLI_EXIT_SERVER;
    }
    if (fmt != NULL)
        json = strcmp(fmt, "json") == 0;
    else if (im.profile != NULL)
        json = strcmp(im.profile, "json") == 0;
    else {
        const char *p = text + strspn(text, " \t\r\n");
        json = (strlen(path) > 5 && strcmp(path + strlen(path) - 5, ".json") == 0) || *p == '{';
    }
    if (json)
        rc = import_json(&im, text, len);
    else
        rc = import_csv(&im, text, len, &woon_created, &woon_unchanged);
    free(text);
    if (rc == 0) {
        for (i = 0; i < im.nrows; i++)
            if (im.rows[i].same_as > 0)
                im.rows[i].state = im.rows[im.rows[i].same_as - 1].state;
        for (i = 0; i < im.nrows; i++)
            n[im.rows[i].state]++;
        if (strcmp(im.profile, "woonplaatsen") == 0) {
            n[ROW_CREATED] = woon_created;
            n[ROW_UNCHANGED] = woon_unchanged;
            n[ROW_CHANGED] = 0;
        }
        if (im.dry_run)
            printf("%s: %zu rows, %zu operations checked (dry run, nothing sent), profile %s\n",
                   im.base, im.nrows, im.nops, im.profile);
        else
            print_summary(&im, n, now_s() - t0);
        if (im.nskipped > 0)
            fprintf(stderr, "%s: %zu rows skipped: %s (first on line %s)\n", im.file, im.nskipped,
                    im.skip_why, im.skip_loc);
        if (im.refused > 0)
            printf("%s: %zu values refused by the server and skipped (listed on stderr)\n", im.base,
                   im.refused);
    } else if (im.bad > 0) {
        fprintf(stderr, "%s: %zu bad rows; nothing imported from this file\n", im.file,
                im.bad_rows);
    } else if (rc == CLI_EXIT_SERVER && im.nops > 0) {
        fprintf(stderr, "%s: nothing imported from the failed batch\n", im.file);
    }
    fflush(stdout);
    imp_free(&im);
    return rc;
}

int cli_import_run(cli_ctx_t *ctx, int argc, char **argv)
{
    cli_args_t a;
    cli_format_t fmt = ctx->format;
    const char **files = NULL, *v;
    char msg[320];
    int nfiles = 0, i, rc;

    rc = cli_parse_files(&a, import_opts, argc, argv, &files, &nfiles, msg, sizeof(msg));
    if (rc == 0 && cli_args_get(&a, "help") != NULL) {
        import_help(stdout);
        goto out;
    }
    if (rc == 0)
        rc = cli_apply_globals(ctx, &a, &fmt);
    if (rc != 0)
        goto usage;
    if ((v = cli_args_get(&a, "format")) != NULL && strcmp(v, "csv") != 0 &&
        strcmp(v, "json") != 0) {
        snprintf(msg, sizeof(msg), "--format: expected csv or json, got '%.32s'", v);
        rc = CLI_EXIT_USAGE;
        goto usage;
    }
    if ((v = cli_args_get(&a, "profile")) != NULL && strcmp(v, "json") != 0 &&
        find_profile(v) < 0) {
        snprintf(msg, sizeof(msg), "--profile: unknown profile '%.32s'", v);
        rc = CLI_EXIT_USAGE;
        goto usage;
    }
    if ((v = cli_args_get(&a, "profile")) != NULL && strcmp(v, "json") == 0 &&
        (v = cli_args_get(&a, "format")) != NULL && strcmp(v, "csv") == 0) {
        snprintf(msg, sizeof(msg), "--profile json: a CSV file needs a CSV profile");
        rc = CLI_EXIT_USAGE;
        goto usage;
    }
    if ((v = cli_args_get(&a, "batch")) != NULL &&
        (strspn(v, "0123456789") != strlen(v) || strlen(v) > 6 || atol(v) < 1)) {
        snprintf(msg, sizeof(msg), "--batch: expected a number of rows 1..999999, got '%.32s'", v);
        rc = CLI_EXIT_USAGE;
        goto usage;
    }
    if ((v = cli_args_get(&a, "on")) != NULL && !cli_valid_date(v)) {
        snprintf(msg, sizeof(msg), "--on: expected a date YYYY-MM-DD, got '%.32s'", v);
        rc = CLI_EXIT_USAGE;
        goto usage;
    }
    if (nfiles == 0) {
        snprintf(msg, sizeof(msg), "missing FILE");
        rc = CLI_EXIT_USAGE;
        goto usage;
    }
    for (i = 0; i < nfiles; i++) {
        int r = import_file(ctx, &a, files[i]);
        if (r != 0 && (rc == 0 || r == CLI_EXIT_UNREACHABLE))
            rc = r;
        if (r == CLI_EXIT_UNREACHABLE)
            break;
    }
    goto out;
usage:
    if (rc == CLI_EXIT_USAGE)
        fprintf(stderr, "knoop: %s\nRun 'knoop import --help' for usage.\n", msg);
out:
    free(files);
    cli_args_free(&a);
    return rc;
}
