/*
 * cli_out.c - rendering results of the knoop CLI as aligned tables, field/value listings,
 * RFC 4180 CSV or JSON (layer: client, CLI).
 *
 * The shape of the result picks the layout: {"nodes": [...]} a node table, {"edges"|"ended":
 * [...]} an edge table, {"entries": [...]} a history table, a single node or edge a field/value
 * listing with its props expanded, any other object a flattened listing, a scalar its text.
 * Widths are display columns (UTF-8 decoded, wcwidth per code point), so Dutch names such as
 * "Súdwest-Fryslân" align.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "cli.h"

/* On a terminal, cells wider than this are cut with an ellipsis. */
#define CLI_MAX_CELL_WIDTH 48

typedef struct {
    size_t ncols;
    const char *const *head;
    const bool *right; /* right-aligned columns (numbers); may be NULL */
    char **cells;      /* nrows * ncols, each malloc'd */
    size_t nrows, cap;
    bool oom;
} table_t;

/* Decodes one UTF-8 sequence at s; returns its length (1 for an invalid byte, cp = -1). */
static size_t utf8_decode(const unsigned char *s, long *cp)
{
    size_t len, k;
    long v;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2, v = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3, v = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4, v = s[0] & 0x07;
    else {
        *cp = -1;
        return 1;
    }
    for (k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80) {
            *cp = -1;
            return 1;
        }
        v = (v << 6) | (s[k] & 0x3f);
    }
    *cp = v;
    return len;
}

static size_t cp_width(long cp)
{
    int w;

    if (cp < 0)
        return 1;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
        return 0;
    w = wcwidth((wchar_t)cp);
    if (w >= 0)
        return (size_t)w;
    /* Outside a UTF-8 locale wcwidth knows nothing; combining marks take no column. */
    return (cp >= 0x300 && cp < 0x370) ? 0 : 1;
}

size_t cli_display_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t w = 0;
    long cp;

    while (*p != '\0') {
        p += utf8_decode(p, &cp);
        w += cp_width(cp);
    }
    return w;
}

/* ---- cell text ---- */

static char *xstrdup(const char *s)
{
    return strdup(s != NULL ? s : "");
}

/* The text of a value in a cell: null empty, strings raw, others as compact JSON. */
static char *value_text(const json_t *v)
{
    if (v == NULL || json_is_null(v))
        return xstrdup("");
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* "k=v, k=v" for a props object. */
static char *props_summary(const json_t *props)
{
    const char *key;
    json_t *v;
    char *out = xstrdup("");
    size_t len = 0;

    if (!json_is_object(props))
        return out;
    json_object_foreach((json_t *)props, key, v)
    {
        char *t = value_text(v);
        size_t need = len + strlen(key) + (t ? strlen(t) : 0) + 4;
        char *n = out != NULL ? realloc(out, need + 1) : NULL;
        if (n == NULL || t == NULL) {
            free(t);
            free(n != NULL ? n : out);
            return NULL;
        }
        out = n;
        len += (size_t)snprintf(out + len, need + 1 - len, "%s%s=%s", len ? ", " : "", key, t);
        free(t);
    }
    return out;
}

/* ---- tables ---- */

static void table_init(table_t *t, size_t ncols, const char *const *head, const bool *right)
{
    memset(t, 0, sizeof(*t));
    t->ncols = ncols;
    t->head = head;
    t->right = right;
}

static void table_free(table_t *t)
{
    size_t i;
    for (i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
}

/* Appends a row; takes ownership of the ncols strings in row (NULL entries = OOM). */
static void table_add(table_t *t, char **row)
{
    size_t i;

    if (t->nrows == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 16;
        char **nc = realloc(t->cells, ncap * t->ncols * sizeof(*nc));
        if (nc == NULL) {
            t->oom = true;
            for (i = 0; i < t->ncols; i++)
                free(row[i]);
            return;
        }
        t->cells = nc;
        t->cap = ncap;
    }
    for (i = 0; i < t->ncols; i++) {
        if (row[i] == NULL) {
            t->oom = true;
            row[i] = xstrdup("");
        }
        t->cells[t->nrows * t->ncols + i] = row[i];
    }
    t->nrows++;
}

/* Writes s for a table cell: control characters as spaces, at most maxw columns (0: no
 * limit), cut with an ellipsis; pads to width pad (left or right). */
static void put_cell(FILE *f, const char *s, size_t maxw, size_t pad, bool right)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t w = cli_display_width(s), used = 0;
    bool cut = maxw > 0 && w > maxw;
    long cp;

    if (cut)
        w = maxw;
    if (right)
        for (; w < pad; pad--)
            fputc(' ', f);
    while (*p != '\0') {
        size_t l = utf8_decode(p, &cp), cw = cp_width(cp);
        if (cut && used + cw > maxw - 1)
            break;
        if (cp >= 0 && (cp < 0x20 || cp == 0x7f))
            fputc(' ', f);
        else
            fwrite(p, 1, l, f);
        used += cp < 0 || cp >= 0x20 ? cw : 1;
        p += l;
    }
    if (cut)
        fputs("\xe2\x80\xa6", f); /* U+2026 */
    if (!right)
        for (; w < pad; pad--)
            fputc(' ', f);
}

static void put_csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s != '\0'; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Prints t; on a terminal a footer counts the rows ("(3 nodes)") when noun/nouns are given. */
static void table_print(const cli_ctx_t *ctx, cli_format_t fmt, const table_t *t, FILE *f,
                        const char *noun, const char *nouns)
{
    size_t r, c, *width;
    size_t maxw = ctx->tty ? CLI_MAX_CELL_WIDTH : 0;

    if (fmt == CLI_FMT_CSV) {
        for (c = 0; c < t->ncols; c++) {
            if (c)
                fputc(',', f);
            put_csv_field(f, t->head[c]);
        }
        fputs("\r\n", f);
        for (r = 0; r < t->nrows; r++) {
            for (c = 0; c < t->ncols; c++) {
                if (c)
                    fputc(',', f);
                put_csv_field(f, t->cells[r * t->ncols + c]);
            }
            fputs("\r\n", f);
        }
        return;
    }
    width = calloc(t->ncols, sizeof(*width));
    if (width == NULL)
        return;
    for (c = 0; c < t->ncols; c++) {
        width[c] = cli_display_width(t->head[c]);
        for (r = 0; r < t->nrows; r++) {
            size_t w = cli_display_width(t->cells[r * t->ncols + c]);
            if (maxw && w > maxw)
                w = maxw;
            if (w > width[c])
                width[c] = w;
        }
    }
    if (ctx->color)
        fputs("\x1b[1m", f);
    for (c = 0; c < t->ncols; c++) {
        bool last = c + 1 == t->ncols;
        bool right = t->right != NULL && t->right[c];
        put_cell(f, t->head[c], 0, last && !right ? 0 : width[c], right);
        if (!last)
            fputs("  ", f);
    }
    if (ctx->color)
        fputs("\x1b[0m", f);
    fputc('\n', f);
    for (c = 0; c < t->ncols; c++) {
        size_t k;
        for (k = 0; k < width[c]; k++)
            fputc('-', f);
        if (c + 1 < t->ncols)
            fputs("  ", f);
    }
    fputc('\n', f);
    for (r = 0; r < t->nrows; r++) {
        /* Empty trailing cells are left out, so that no line ends in spaces. */
        size_t used = t->ncols;
        while (used > 1 && t->cells[r * t->ncols + used - 1][0] == '\0')
            used--;
        for (c = 0; c < used; c++) {
            bool last = c + 1 == used, right = t->right != NULL && t->right[c];
            put_cell(f, t->cells[r * t->ncols + c], maxw, last && !right ? 0 : width[c], right);
            if (!last)
                fputs("  ", f);
        }
        fputc('\n', f);
    }
    if (ctx->tty && noun != NULL)
        fprintf(f, "(%zu %s)\n", t->nrows, t->nrows == 1 ? noun : nouns);
    free(width);
}

/* ---- shapes ---- */

static const char *const node_head[] = { "id", "kind", "type", "name", "key" };
static const bool node_right[] = { true, false, false, false, false };
static const char *const edge_head[] = { "id",         "type",     "source",       "target",
                                         "valid_from", "valid_to", "on_behalf_of", "props" };
static const bool edge_right[] = { true, false, true, true, false, false, true, false };
static const char *const hist_head[] = { "seq", "ts", "actor", "op", "id", "reason" };
static const bool hist_right[] = { true, false, false, false, true, false };
static const char *const audit_head[] = { "no",   "ts",  "user",   "kind",
                                          "what", "ids", "reason", "purpose" };
static const bool audit_right[] = { true, false, false, false, false, false, false, false };
static const char *const field_head[] = { "field", "value" };

static const json_t *get(const json_t *o, const char *k)
{
    return json_is_object(o) ? json_object_get(o, k) : NULL;
}

static char *node_key(const json_t *node)
{
    static const char *const keys[] = { "key", "cbs_code", "kvk", "oin" };
    const json_t *props = get(node, "props");
    size_t i;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const json_t *v = get(props, keys[i]);
        if (v != NULL && !json_is_null(v))
            return value_text(v);
    }
    return xstrdup("");
}

static void node_rows(table_t *t, const json_t *nodes)
{
    size_t i;
    const json_t *n;

    json_array_foreach((json_t *)nodes, i, n)
    {
        char *row[5] = { value_text(get(n, "id")), value_text(get(n, "kind")),
                         value_text(get(n, "type")), value_text(get(get(n, "props"), "name")),
                         node_key(n) };
        table_add(t, row);
    }
}

static void edge_rows(table_t *t, const json_t *edges)
{
    size_t i;
    const json_t *e;

    json_array_foreach((json_t *)edges, i, e)
    {
        char *row[8] = { value_text(get(e, "id")),           value_text(get(e, "type")),
                         value_text(get(e, "source")),       value_text(get(e, "target")),
                         value_text(get(e, "valid_from")),   value_text(get(e, "valid_to")),
                         value_text(get(e, "on_behalf_of")), props_summary(get(e, "props")) };
        table_add(t, row);
    }
}

static void hist_rows(table_t *t, const json_t *entries)
{
    size_t i;
    const json_t *e;

    json_array_foreach((json_t *)entries, i, e)
    {
        char *row[6] = { value_text(get(e, "seq")),   value_text(get(e, "ts")),
                         value_text(get(e, "actor")), value_text(get(e, "op")),
                         value_text(get(e, "id")),    value_text(get(e, "reason")) };
        table_add(t, row);
    }
}

/* audit.list entries: changes and reads (the hashes only with --json). */
static void audit_rows(table_t *t, const json_t *entries)
{
    size_t i;
    const json_t *e;

    json_array_foreach((json_t *)entries, i, e)
    {
        char *row[8] = { value_text(get(e, "no")),     value_text(get(e, "ts")),
                         value_text(get(e, "user")),   value_text(get(e, "kind")),
                         value_text(get(e, "what")),   value_text(get(e, "ids")),
                         value_text(get(e, "reason")), value_text(get(e, "purpose")) };
        table_add(t, row);
    }
}

static void field_row(table_t *t, const char *name, const json_t *v)
{
    char *row[2] = { xstrdup(name), value_text(v) };
    table_add(t, row);
}

/* Flattens o into field rows, nested objects as "a.b". */
static void flatten(table_t *t, const char *prefix, const json_t *o)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)o, key, v)
    {
        char name[256];
        snprintf(name, sizeof(name), "%s%s%s", prefix, prefix[0] ? "." : "", key);
        if (json_is_object(v) && json_object_size(v) > 0)
            flatten(t, name, v);
        else
            field_row(t, name, v);
    }
}

/* A single node or edge: the fields in `order`, then props.*, then anything else. */
static void record_listing(table_t *t, const json_t *rec, const char *const *order)
{
    const char *key;
    json_t *v;
    size_t i;

    for (i = 0; order[i] != NULL; i++)
        if (json_object_get(rec, order[i]) != NULL)
            field_row(t, order[i], json_object_get(rec, order[i]));
    if (json_is_object(get(rec, "props")))
        flatten(t, "props", get(rec, "props"));
    json_object_foreach((json_t *)rec, key, v)
    {
        bool seen = strcmp(key, "props") == 0;
        for (i = 0; !seen && order[i] != NULL; i++)
            seen = strcmp(order[i], key) == 0;
        if (!seen)
            field_row(t, key, v);
    }
}

int cli_print_result(const cli_ctx_t *ctx, cli_format_t fmt, const json_t *result)
{
    static const char *const node_order[] = { "id",      "kind",    "type", "version",
                                              "created", "updated", NULL };
    static const char *const edge_order[] = { "id",           "type",       "source",
                                              "target",       "valid_from", "valid_to",
                                              "on_behalf_of", "version",    "created",
                                              "updated",      NULL };
    FILE *f = stdout;
    const json_t *list;
    const char *noun = NULL, *nouns = NULL;
    table_t t;

    if (fmt == CLI_FMT_JSON) {
        json_dumpf(result, f, JSON_ENCODE_ANY | (ctx->tty ? JSON_INDENT(2) : JSON_COMPACT));
        fputc('\n', f);
    } else if (!json_is_object(result)) {
        char *s = value_text(result);
        if (fmt == CLI_FMT_CSV) {
            fputs("result\r\n", f);
            put_csv_field(f, s != NULL ? s : "");
            fputs("\r\n", f);
        } else {
            fprintf(f, "%s\n", s != NULL ? s : "");
        }
        free(s);
    } else {
        if (json_is_array(list = get(result, "nodes"))) {
            table_init(&t, 5, node_head, node_right);
            node_rows(&t, list);
            noun = "node", nouns = "nodes";
        } else if (json_is_array(list = get(result, "edges")) ||
                   json_is_array(list = get(result, "ended"))) {
            table_init(&t, 8, edge_head, edge_right);
            edge_rows(&t, list);
            noun = "edge", nouns = "edges";
        } else if (json_is_array(list = get(result, "entries")) && get(result, "last") != NULL) {
            table_init(&t, 8, audit_head, audit_right); /* audit.list */
            audit_rows(&t, list);
            noun = "entry", nouns = "entries";
        } else if (json_is_array(list = get(result, "entries"))) {
            table_init(&t, 6, hist_head, hist_right);
            hist_rows(&t, list);
            noun = "entry", nouns = "entries";
        } else if (get(result, "kind") != NULL && get(result, "id") != NULL) {
            table_init(&t, 2, field_head, NULL);
            record_listing(&t, result, node_order);
        } else if (get(result, "source") != NULL && get(result, "target") != NULL) {
            table_init(&t, 2, field_head, NULL);
            record_listing(&t, result, edge_order);
        } else {
            table_init(&t, 2, field_head, NULL);
            flatten(&t, "", result);
        }
        table_print(ctx, fmt, &t, f, noun, nouns);
        if (t.oom)
            fputs("knoop: out of memory: some cells are empty\n", stderr);
        table_free(&t);
        if (json_is_true(get(result, "more")) && json_is_integer(get(result, "last")))
            fprintf(stderr,
                    "knoop: more results are available; raise --limit or continue with "
                    "--after %lld\n",
                    (long long)json_integer_value(get(result, "last")));
        else if (json_is_true(get(result, "more")))
            fputs("knoop: more results are available; raise --limit\n", stderr);
    }
    if (fflush(f) != 0 || ferror(f)) {
        fputs("knoop: error writing the output\n", stderr);
        return CLI_EXIT_SERVER;
    }
    return CLI_EXIT_OK;
}
