/*
 * cli_export.c - `knoop export --format csv|json` (the core administration), `knoop query
 * places|members|participation|holders|roles|seats` (the server's network questions as tables
 * with Dutch column names), `knoop perspective list|get`, and the dispatcher that routes import,
 * export, query and perspective from cli_run (layer: client, CLI). Every question is one server
 * method: the CLI only formats its answer.
 *
 * The export is meant to be read back: its CSV is the generic `nodes` profile of `knoop
 * import` (kind, type, one column per property with a :int/:bool/:json suffix where the value
 * is not text; the memberships in `rel:<role>` columns, which import ignores), its JSON the
 * `json` profile ({"nodes": [...], "edges": [...]}). `export --format klantinteracties`
 * belongs to the contact administration (cli_contact.c); the dispatcher passes it on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---- tables ---- */

typedef struct {
    const char *const *head;
    size_t ncols;
    json_t *rows; /* array of arrays of strings */
} qtable_t;

static void put_csv(FILE *f, const char *s)
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

static const char *cell(const qtable_t *t, size_t r, size_t c)
{
    const char *s = json_string_value(json_array_get(json_array_get(t->rows, r), c));
    return s != NULL ? s : "";
}

/* Prints t as an aligned table, CSV or a JSON array of objects keyed by the column names. */
static int qtable_print(const cli_ctx_t *ctx, cli_format_t fmt, const qtable_t *t)
{
    size_t r, c, n = json_array_size(t->rows);
    size_t width[16] = { 0 };

    if (fmt == CLI_FMT_JSON) {
        json_t *out = json_array();
        for (r = 0; r < n; r++) {
            json_t *o = json_object();
            for (c = 0; c < t->ncols; c++)
                json_object_set_new(o, t->head[c], json_string(cell(t, r, c)));
            json_array_append_new(out, o);
        }
        json_dumpf(out, stdout, ctx->tty ? JSON_INDENT(2) : JSON_COMPACT);
        fputc('\n', stdout);
        json_decref(out);
    } else if (fmt == CLI_FMT_CSV) {
        for (c = 0; c < t->ncols; c++) {
            if (c)
                fputc(',', stdout);
            put_csv(stdout, t->head[c]);
        }
        fputs("\r\n", stdout);
        for (r = 0; r < n; r++) {
            for (c = 0; c < t->ncols; c++) {
                if (c)
                    fputc(',', stdout);
                put_csv(stdout, cell(t, r, c));
            }
            fputs("\r\n", stdout);
        }
    } else {
        for (c = 0; c < t->ncols && c < 16; c++) {
            width[c] = cli_display_width(t->head[c]);
            for (r = 0; r < n; r++)
                if (cli_display_width(cell(t, r, c)) > width[c])
                    width[c] = cli_display_width(cell(t, r, c));
        }
        for (r = 0; r < n + 2; r++) {
            size_t used = t->ncols;
            while (r >= 2 && used > 1 && cell(t, r - 2, used - 1)[0] == '\0')
                used--;
            for (c = 0; c < used && c < 16; c++) {
                const char *s = r == 0 ? t->head[c] : r == 1 ? "" : cell(t, r - 2, c);
                size_t w = r == 1 ? 0 : cli_display_width(s);
                if (r == 1)
                    for (w = 0; w < width[c]; w++)
                        fputc('-', stdout);
                else
                    fputs(s, stdout);
                if (c + 1 < used)
                    for (; w < width[c] + 2; w++)
                        fputc(' ', stdout);
            }
            fputc('\n', stdout);
        }
        printf("(%zu %s)\n", n, n == 1 ? "rij" : "rijen");
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("knoop: error writing the output\n", stderr);
        return CLI_EXIT_SERVER;
    }
    return 0;
}

/* Appends a row of ncols strings (NULL = ""). */
static void add_row(qtable_t *t, const char *const *vals)
{
    json_t *row = json_array();
    size_t c;
    for (c = 0; c < t->ncols; c++)
        json_array_append_new(row, json_string(vals[c] != NULL ? vals[c] : ""));
    json_array_append_new(t->rows, row);
}

/* ---- helpers ---- */

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s != NULL ? s : "";
}

/* The external key of a node (key, cbs_code, kvk, oin), or "". */
static const char *node_key(const json_t *node)
{
    static const char *const keys[] = { "key", "cbs_code", "kvk", "oin" };
    const json_t *props = json_object_get(node, "props");
    size_t i;
    for (i = 0; i < 4; i++)
        if (json_is_string(json_object_get(props, keys[i])))
            return json_string_value(json_object_get(props, keys[i]));
    return "";
}

/*
 * Runs reads as one `batch` ({method, params} ops) and returns the results array (owned) or
 * NULL after printing the error (*rc set).
 */
static json_t *read_batch(cli_ctx_t *ctx, json_t *ops, int *rc)
{
    json_t *p = json_pack("{s:o}", "ops", ops), *res = NULL, *results;
    knoop_error_t err;

    if (json_array_size(ops) == 0) {
        json_decref(p);
        return json_array();
    }
    *rc = cli_rpc(ctx, "batch", p, &res, &err);
    json_decref(p);
    if (*rc != 0) {
        *rc = cli_rpc_error(ctx, *rc, &err);
        return NULL;
    }
    results = json_incref(json_object_get(res, "results"));
    json_decref(res);
    return results;
}

/* Fetches the nodes named by the ids in `ids` (an object whose keys are decimal ids) into
 * `nodes` (id text -> node). Returns an exit code. */
static int fetch_nodes(cli_ctx_t *ctx, json_t *ids, json_t *nodes)
{
    json_t *ops = json_array(), *results;
    const char *k;
    json_t *v;
    size_t i = 0;
    int rc = 0;

    json_object_foreach(ids, k, v)
    {
        json_array_append_new(ops, json_pack("{s:s,s:{s:I}}", "method", "node.get", "params", "id",
                                             (json_int_t)strtoll(k, NULL, 10)));
    }
    if ((results = read_batch(ctx, ops, &rc)) == NULL)
        return rc;
    json_object_foreach(ids, k, v)
    {
        json_object_set(nodes, k, json_array_get(results, i++));
    }
    json_decref(results);
    return 0;
}

static void id_text(const json_t *id, char *out, size_t sz)
{
    snprintf(out, sz, "%lld", (long long)json_integer_value(id));
}

/* "portefeuilles: Milieu; namens: X" from a role's props. */
static void attrs_text(const json_t *props, char *out, size_t sz)
{
    const char *k;
    json_t *v;
    size_t o = 0;

    out[0] = '\0';
    json_object_foreach((json_t *)props, k, v)
    {
        char val[256] = "";
        if (json_is_string(v)) {
            snprintf(val, sizeof(val), "%s", json_string_value(v));
        } else if (json_is_array(v)) {
            size_t i, vo = 0;
            json_t *x;
            json_array_foreach(v, i, x)
            {
                vo +=
                    (size_t)snprintf(val + vo, vo < sizeof(val) ? sizeof(val) - vo : 0, "%s%s",
                                     i ? ", " : "", json_is_string(x) ? json_string_value(x) : "?");
                if (vo >= sizeof(val))
                    break;
            }
        } else {
            char *d = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
            snprintf(val, sizeof(val), "%s", d != NULL ? d : "");
            free(d);
        }
        if (o < sz)
            o += (size_t)snprintf(out + o, sz - o, "%s%s: %s", o ? "; " : "", k, val);
    }
}

/* ---- query and perspective: the server's network questions as tables ---- */

static const cli_opt_t q_places_opts[] = {
    { "at", "DATE", false, "as of DATE (default today)" },
    { "all", NULL, false, "every place ever recorded, ended ones too" },
    CLI_KNOWN_AT_OPT,
    { NULL, NULL, false, NULL },
};
static const cli_opt_t q_members_opts[] = {
    { "type", "T", false, "only explicit memberships of this type (e.g. \"ligt in\", deelnemer)" },
    { "at", "DATE", false, "as of DATE (default today)" },
    { "no-derived", NULL, false, "leave out derived participation (through role holders)" },
    { "limit", "N", false, "at most N rows (default 1000)" },
    { "examples", NULL, false, "also through the fictitious example persons (voorbeeld)" },
    CLI_KNOWN_AT_OPT,
    { NULL, NULL, false, NULL },
};
static const cli_opt_t q_part_opts[] = {
    { "at", "DATE", false, "as of DATE (default today)" },
    { "limit", "N", false, "at most N rows (default 1000)" },
    { "examples", NULL, false, "also through the fictitious example persons (voorbeeld)" },
    CLI_KNOWN_AT_OPT,
    { NULL, NULL, false, NULL },
};
static const cli_opt_t q_holders_opts[] = {
    { "org", "REF", false, "roles at this organisation (also given as NODE)" },
    { "scope", "REF", false, "roles at the members of a province, region or koepel (NL-GE, G40)" },
    { "role", "TYPE", true, "only this role type (repeat for several)" },
    { "portefeuille", "P", false, "only wethouders with this portefeuille (any case/accents)" },
    { "person", "REF", false, "only this person's roles" },
    { "at", "DATE", false, "as of DATE (default today)" },
    { "contacts", NULL, false, "add e-mail and telephone of the person and the organisation" },
    { "limit", "N", false, "at most N rows (default 1000)" },
    { "examples", NULL, false, "also the fictitious example persons, marked (voorbeeld)" },
    CLI_KNOWN_AT_OPT,
    { NULL, NULL, false, NULL },
};
static const cli_opt_t q_roles_opts[] = {
    { "at", "DATE", false, "only roles held on DATE (default: all, past ones too)" },
    { "from", "DATE", false, "roles overlapping the period from DATE" },
    { "to", "DATE", false, "roles overlapping the period until DATE (exclusive)" },
    { "limit", "N", false, "at most N rows (default 1000)" },
    CLI_KNOWN_AT_OPT,
    { NULL, NULL, false, NULL },
};
static const cli_opt_t q_seats_opts[] = {
    { "at", "DATE", false, "as of DATE (default today)" },
    { "examples", NULL, false, "also count the fictitious example persons, in rows of their own" },
    CLI_KNOWN_AT_OPT,
    { NULL, NULL, false, NULL },
};

enum { Q_PLACES, Q_MEMBERS, Q_PARTICIPATION, Q_HOLDERS, Q_ROLES, Q_SEATS };

static const struct {
    const char *name, *usage, *summary;
    const cli_opt_t *opts;
    int npos_min, npos_max;
} queries[] = {
    { "places", "query places GEMEENTE [--at DATE] [--all]",
      "the place names (woonplaatsen) of a gemeente on a date", q_places_opts, 1, 1 },
    { "members",
      "query members NODE [--type T] [--at DATE] [--no-derived] [--limit N] [--examples]",
      "the members of a province, region, koepel or body, explicit and derived (through whom)",
      q_members_opts, 1, 1 },
    { "participation", "query participation GEMEENTE [--at DATE] [--limit N] [--examples]",
      "the bodies a gemeente takes part in, explicitly or through its functionaries", q_part_opts,
      1, 1 },
    { "holders",
      "query holders [NODE] [--org REF | --scope REF] [--role T]... [--portefeuille P] "
      "[--person REF] [--contacts] [--at DATE] [--limit N] [--examples]",
      "who holds which role, at an organisation, in a scope or everywhere", q_holders_opts, 0, 1 },
    { "roles", "query roles PERSON [--at DATE | --from DATE --to DATE] [--limit N]",
      "a person's roles, with the role each is held on behalf of", q_roles_opts, 1, 1 },
    { "seats", "query seats GEMEENTE [--at DATE] [--examples]",
      "the council's seats per party on a date, and the last election result", q_seats_opts, 1, 1 },
};
#define NQUERIES (sizeof(queries) / sizeof(queries[0]))

static void query_help(FILE *f)
{
    size_t i;
    fputs("usage: knoop query places|members|participation|holders|roles|seats [NODE] "
          "[options]\n\n"
          "Answer the network questions as tables with Dutch column names (--json: an array of\n"
          "objects with those names; --csv). NODE, REF, GEMEENTE and PERSON are an id or an\n"
          "external key such as GM1900, NL-FL, VR25 or G40. A cut result says so on stderr.\n"
          "\nsubcommands:\n",
          f);
    for (i = 0; i < NQUERIES; i++)
        fprintf(f, "  knoop %s\n      %s\n", queries[i].usage, queries[i].summary);
    fputs("\nexamples:\n  knoop query places GM1900\n  knoop query members NL-FL --type \"ligt "
          "in\"\n  knoop query participation GM0034\n  knoop query holders GM0034 --at "
          "2024-01-01\n  knoop --csv query holders --scope NL-GE --role burgemeester --role "
          "wethouder --contacts\n  knoop query holders --role wethouder --portefeuille milieu\n"
          "  knoop query seats GM0363 --at 2024-01-01\n",
          f);
}

static json_t *node_param(const char *s)
{
    if (s[0] != '\0' && strspn(s, "0123456789") == strlen(s) && strlen(s) < 19)
        return json_integer(strtoll(s, NULL, 10));
    return json_string(s);
}

/* Calls method; on failure prints the error and returns its exit code (*res NULL). */
static int q_call(cli_ctx_t *ctx, const char *method, json_t *p, json_t **res)
{
    knoop_error_t err;
    int rc = cli_rpc(ctx, method, p, res, &err);
    json_decref(p);
    if (rc != 0) {
        *res = NULL;
        return cli_rpc_error(ctx, rc, &err);
    }
    return 0;
}

static void more_note(const json_t *res)
{
    if (json_is_true(json_object_get(res, "more")))
        fputs("knoop: more rows than --limit; raise it to see them all\n", stderr);
}

/* "name (key)" of a node summary. */
static void node_text(const json_t *n, char *out, size_t sz)
{
    if (n == NULL || json_is_null(n))
        snprintf(out, sz, "%s", "");
    else if (str(n, "key")[0] != '\0')
        snprintf(out, sz, "%s (%s)", str(n, "name"), str(n, "key"));
    else
        snprintf(out, sz, "%s", str(n, "name"));
}

static int q_places(cli_ctx_t *ctx, cli_format_t fmt, const char *node, const char *at, bool all,
                    const char *known_at)
{
    static const char *const head[] = { "code", "woonplaats", "geldig vanaf", "geldig tot" };
    qtable_t t = { head, 4, json_array() };
    json_t *p = json_pack("{s:o,s:s,s:b}", "gemeente", node_param(node), "at", at, "all", all);
    if (known_at != NULL)
        json_object_set_new(p, "known_at", json_string(known_at));
    json_t *res, *v;
    size_t i;
    int rc = q_call(ctx, "query.places", p, &res);

    if (rc != 0) {
        json_decref(t.rows);
        return rc;
    }
    json_array_foreach(json_object_get(res, "places"), i, v)
    {
        char cs[32];
        const char *row[4];
        snprintf(cs, sizeof(cs), "%lld", (long long)json_integer_value(json_object_get(v, "code")));
        row[0] = cs, row[1] = str(v, "name"), row[2] = str(v, "valid_from"),
        row[3] = str(v, "valid_to");
        add_row(&t, row);
    }
    json_decref(res);
    rc = qtable_print(ctx, fmt, &t);
    json_decref(t.rows);
    return rc;
}

/*
 * members and participation: one row per node. The columns of explicit memberships come first
 * (as before derived participation existed); "expliciet" and "via" (the evidence in words) are
 * added when some row is derived.
 */
static int q_members(cli_ctx_t *ctx, cli_format_t fmt, const char *method, json_t *p)
{
    static const char *const head[] = { "naam",         "sleutel",    "soort",     "rol",
                                        "geldig vanaf", "geldig tot", "expliciet", "via" };
    qtable_t t = { head, 6, json_array() };
    const char *field = strcmp(method, "query.members") == 0 ? "members" : "participation";
    json_t *res, *v;
    size_t i;
    int rc = q_call(ctx, method, p, &res);

    if (rc != 0) {
        json_decref(t.rows);
        return rc;
    }
    json_array_foreach(json_object_get(res, field), i, v)
    {
        if (!json_is_true(json_object_get(v, "explicit")) ||
            json_array_size(json_object_get(v, "evidence")) > 0)
            t.ncols = 8;
    }
    json_array_foreach(json_object_get(res, field), i, v)
    {
        const json_t *n = json_object_get(v, "node"), *e = json_object_get(v, "edge"), *ev;
        char via[1024] = "";
        size_t j, o = 0;
        const char *row[8];
        json_array_foreach(json_object_get(v, "evidence"), j, ev)
        {
            const json_t *r = json_object_get(ev, "role"), *b = json_object_get(ev, "base");
            if (o < sizeof(via))
                o += (size_t)snprintf(via + o, sizeof(via) - o, "%s%s%s: %s (namens %s %s)",
                                      j ? "; " : "", str(json_object_get(ev, "person"), "name"),
                                      json_is_true(json_object_get(ev, "example")) ? " (voorbeeld)"
                                                                                   : "",
                                      str(r, "type"), str(b, "type"), str(b, "valid_from"));
        }
        row[0] = str(n, "name"), row[1] = str(n, "key"), row[2] = str(n, "type");
        row[3] = str(e, "type"), row[4] = str(e, "valid_from"), row[5] = str(e, "valid_to");
        row[6] = json_is_true(json_object_get(v, "explicit")) ? "ja" : "nee";
        row[7] = via;
        add_row(&t, row);
    }
    more_note(res);
    json_decref(res);
    rc = qtable_print(ctx, fmt, &t);
    json_decref(t.rows);
    return rc;
}

/* holders (with the person) and roles (without), from the server's rows. */
static int q_roles(cli_ctx_t *ctx, cli_format_t fmt, const char *method, json_t *p, bool contacts)
{
    static const char *const hhead[] = { "naam",
                                         "rol",
                                         "organisatie",
                                         "kenmerken",
                                         "geldig vanaf",
                                         "geldig tot",
                                         "namens (rol)",
                                         "e-mail",
                                         "telefoon",
                                         "e-mail organisatie",
                                         "telefoon organisatie" };
    static const char *const rhead[] = { "rol",          "organisatie", "kenmerken",
                                         "geldig vanaf", "geldig tot",  "namens (rol)" };
    bool holders = strcmp(method, "query.holders") == 0;
    qtable_t t = { holders ? hhead : rhead, holders ? (contacts ? 11 : 7) : 6, json_array() };
    json_t *res, *v;
    size_t i;
    int rc = q_call(ctx, method, p, &res);

    if (rc != 0) {
        json_decref(t.rows);
        return rc;
    }
    json_array_foreach(json_object_get(res, holders ? "holders" : "roles"), i, v)
    {
        const json_t *e = json_object_get(v, "role"), *b = json_object_get(v, "base");
        const json_t *c = json_object_get(v, "contacts");
        char org[300], attrs[512], base[400] = "", name[300];
        const char *row[11];
        size_t k = 0;
        /* Fictitious example persons are shown as such (props.example). */
        snprintf(name, sizeof(name), "%s%s", str(json_object_get(v, "person"), "name"),
                 json_is_true(json_object_get(v, "example")) ? " (voorbeeld)" : "");
        node_text(json_object_get(v, "org"), org, sizeof(org));
        attrs_text(json_object_get(e, "props"), attrs, sizeof(attrs));
        if (json_is_object(b))
            snprintf(base, sizeof(base), "%s vanaf %s (rol %lld)", str(b, "type"),
                     str(b, "valid_from"), (long long)json_integer_value(json_object_get(b, "id")));
        if (holders)
            row[k++] = name;
        row[k++] = str(e, "type");
        row[k++] = org;
        row[k++] = attrs, row[k++] = str(e, "valid_from"), row[k++] = str(e, "valid_to");
        row[k++] = base;
        if (holders && contacts) {
            row[k++] = str(json_object_get(c, "person"), "email");
            row[k++] = str(json_object_get(c, "person"), "telefoon");
            row[k++] = str(json_object_get(c, "org"), "email");
            row[k++] = str(json_object_get(c, "org"), "telefoon");
        }
        add_row(&t, row);
    }
    more_note(res);
    json_decref(res);
    rc = qtable_print(ctx, fmt, &t);
    json_decref(t.rows);
    return rc;
}

/* The label of a seats row: its party, "lijst N (zonder naam)" for a list without a
 * registered name, "(geen partij bekend)" when the source gives none; example rows marked. */
static void seat_label(const json_t *v, char *out, size_t sz)
{
    const char *ex = json_is_true(json_object_get(v, "example")) ? " (voorbeeld)" : "";
    if (json_is_string(json_object_get(v, "party")))
        snprintf(out, sz, "%s%s", str(v, "party"), ex);
    else if (json_integer_value(json_object_get(v, "list")) > 0)
        snprintf(out, sz, "lijst %lld (zonder naam)%s",
                 (long long)json_integer_value(json_object_get(v, "list")), ex);
    else
        snprintf(out, sz, "(geen partij bekend)%s", ex);
}

static int q_seats(cli_ctx_t *ctx, cli_format_t fmt, json_t *p)
{
    static const char *const head[] = { "partij", "zetels", "zetels verkiezing" };
    qtable_t t = { head, 3, json_array() };
    json_t *res, *v, *el, *done = json_object();
    size_t i, j;
    bool with_examples = json_is_true(json_object_get(p, "examples")); /* p is freed below */
    int rc = q_call(ctx, "query.seats", p, &res);

    if (rc != 0) {
        json_decref(t.rows);
        json_decref(done);
        return rc;
    }
    el = json_object_get(json_object_get(res, "election"), "seats");
    json_array_foreach(json_object_get(res, "seats"), i, v)
    {
        char n[32], en[32] = "", party[320];
        const char *row[3];
        json_t *x;
        seat_label(v, party, sizeof(party));
        snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(json_object_get(v, "seats")));
        json_array_foreach(el, j, x)
        {
            char xl[320];
            seat_label(x, xl, sizeof(xl));
            if (strcmp(xl, party) == 0)
                snprintf(en, sizeof(en), "%lld",
                         (long long)json_integer_value(json_object_get(x, "seats")));
        }
        json_object_set_new(done, party, json_true());
        row[0] = party, row[1] = n, row[2] = en;
        add_row(&t, row);
    }
    json_array_foreach(el, j, v)
    {
        char en[32], party[320];
        const char *row[3];
        seat_label(v, party, sizeof(party));
        if (json_object_get(done, party) != NULL)
            continue;
        snprintf(en, sizeof(en), "%lld",
                 (long long)json_integer_value(json_object_get(v, "seats")));
        row[0] = party, row[1] = "0", row[2] = en;
        add_row(&t, row);
    }
    if (fmt == CLI_FMT_TABLE) {
        const json_t *e = json_object_get(res, "election");
        long long ex = (long long)json_integer_value(json_object_get(res, "example_roles"));
        printf("%s op %s: %lld raadsleden", str(json_object_get(res, "gemeente"), "name"),
               str(res, "at"), (long long)json_integer_value(json_object_get(res, "total")));
        if (json_is_object(e))
            printf("; verkiezing %s: %lld zetels", str(e, "date"),
                   (long long)json_integer_value(json_object_get(e, "total")));
        if (ex > 0 && !with_examples)
            printf("; %lld voorbeeldpersoon/-personen niet meegeteld (--examples)", ex);
        fputs("\n\n", stdout);
    }
    json_decref(res);
    json_decref(done);
    rc = qtable_print(ctx, fmt, &t);
    json_decref(t.rows);
    return rc;
}

/* Sets params[name] from option opt (a date checked first) when given. */
static int opt_date(const cli_args_t *a, const char *opt, json_t *p, char *msg, size_t msgsz)
{
    const char *v = cli_args_get(a, opt);
    if (v == NULL)
        return 0;
    if (!cli_valid_date(v))
        return cli_bad(msg, msgsz, "--%s: expected a date YYYY-MM-DD, got '%.32s'", opt, v);
    json_object_set_new(p, opt, json_string(v));
    return 0;
}

static int opt_limit(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    const char *v = cli_args_get(a, "limit");
    if (v == NULL)
        return 0;
    if (!cli_all_digits(v) || strlen(v) > 9 || atoi(v) < 1)
        return cli_bad(msg, msgsz, "--limit: expected a number of rows, got '%.32s'", v);
    json_object_set_new(p, "limit", json_integer(atoi(v)));
    return 0;
}

static void opt_ref(const cli_args_t *a, const char *opt, json_t *p)
{
    const char *v = cli_args_get(a, opt);
    if (v != NULL)
        json_object_set_new(p, opt, node_param(v));
}

int cli_query_run(cli_ctx_t *ctx, int argc, char **argv)
{
    cli_args_t a;
    cli_format_t fmt = ctx->format;
    char msg[320];
    json_t *p = NULL;
    size_t q;
    int rc;

    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "help") == 0) {
        query_help(argc < 1 ? stderr : stdout);
        return argc < 1 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    for (q = 0; q < NQUERIES && strcmp(queries[q].name, argv[0]) != 0; q++)
        ;
    if (q == NQUERIES) {
        fprintf(stderr, "knoop: unknown subcommand 'query %.64s'\nRun 'knoop query --help'.\n",
                argv[0]);
        return CLI_EXIT_USAGE;
    }
    rc = cli_args_parse(&a, queries[q].opts, argc - 1, argv + 1, msg, sizeof(msg));
    if (rc == 0 && cli_args_get(&a, "help") != NULL) {
        query_help(stdout);
        cli_args_free(&a);
        return 0;
    }
    if (rc == 0 && (rc = cli_apply_globals(ctx, &a, &fmt)) != 0) {
        cli_args_free(&a);
        return rc;
    }
    if (rc == 0 && (a.npos < queries[q].npos_min || a.npos > queries[q].npos_max))
        rc = cli_bad(msg, sizeof(msg),
                     a.npos < queries[q].npos_min ? "missing NODE" : "one NODE only");
    p = json_object();
    cli_known_at(&a, p);
    if (rc == 0)
        rc = opt_date(&a, "at", p, msg, sizeof(msg));
    if (rc == 0 && q != Q_PLACES && q != Q_SEATS)
        rc = opt_limit(&a, p, msg, sizeof(msg));
    if (rc == 0 && q == Q_ROLES) {
        if ((rc = opt_date(&a, "from", p, msg, sizeof(msg))) == 0)
            rc = opt_date(&a, "to", p, msg, sizeof(msg));
        if (rc == 0 && json_object_get(p, "at") != NULL &&
            (json_object_get(p, "from") != NULL || json_object_get(p, "to") != NULL))
            rc = cli_bad(msg, sizeof(msg), "--at: give --at or --from/--to, not both");
        /* Without a date: every role, past ones too. */
        if (rc == 0 && json_object_get(p, "at") == NULL && json_object_get(p, "from") == NULL &&
            json_object_get(p, "to") == NULL)
            json_object_set_new(p, "from", json_string("0001-01-01"));
    }
    if (rc == 0 && q == Q_HOLDERS) {
        int i, n = cli_args_count(&a, "role");
        if (a.npos == 1 && cli_args_get(&a, "org") != NULL)
            rc = cli_bad(msg, sizeof(msg), "give NODE or --org, not both");
        if (a.npos == 1)
            json_object_set_new(p, "org", node_param(a.pos[0]));
        opt_ref(&a, "org", p);
        opt_ref(&a, "scope", p);
        opt_ref(&a, "person", p);
        if (n == 1)
            json_object_set_new(p, "role", json_string(cli_args_get(&a, "role")));
        for (i = 0; n > 1 && i < n; i++) {
            if (i == 0)
                json_object_set_new(p, "role", json_array());
            json_array_append_new(json_object_get(p, "role"),
                                  json_string(cli_args_nth(&a, "role", i)));
        }
        if (cli_args_get(&a, "portefeuille") != NULL)
            json_object_set_new(p, "portefeuille", json_string(cli_args_get(&a, "portefeuille")));
        if (cli_args_get(&a, "contacts") != NULL)
            json_object_set_new(p, "contacts", json_true());
    }
    if (rc == 0 && q != Q_PLACES && q != Q_ROLES && cli_args_get(&a, "examples") != NULL)
        json_object_set_new(p, "examples", json_true());
    if (rc != 0) {
        fprintf(stderr, "knoop: %s\nusage: knoop %s\n", msg, queries[q].usage);
        json_decref(p);
        cli_args_free(&a);
        return rc;
    }
    if ((rc = cli_conn(ctx)) == 0) {
        char today[11];
        const char *node = a.npos > 0 ? a.pos[0] : "";
        cli_today(today);
        switch (q) {
        case Q_PLACES:
            rc = q_places(ctx, fmt, node, cli_args_get(&a, "at") ? cli_args_get(&a, "at") : today,
                          cli_args_get(&a, "all") != NULL, cli_args_get(&a, "known-at"));
            json_decref(p);
            break;
        case Q_MEMBERS:
            json_object_set_new(p, "node", node_param(node));
            if (cli_args_get(&a, "type") != NULL)
                json_object_set_new(p, "type", json_string(cli_args_get(&a, "type")));
            if (cli_args_get(&a, "no-derived") != NULL)
                json_object_set_new(p, "derived", json_false());
            rc = q_members(ctx, fmt, "query.members", p);
            break;
        case Q_PARTICIPATION:
            json_object_set_new(p, "node", node_param(node));
            rc = q_members(ctx, fmt, "query.participation", p);
            break;
        case Q_HOLDERS:
            rc = q_roles(ctx, fmt, "query.holders", p, cli_args_get(&a, "contacts") != NULL);
            break;
        case Q_ROLES:
            json_object_set_new(p, "person", node_param(node));
            rc = q_roles(ctx, fmt, "query.roles", p, false);
            break;
        default:
            json_object_set_new(p, "gemeente", node_param(node));
            rc = q_seats(ctx, fmt, p);
            break;
        }
    } else {
        json_decref(p);
    }
    cli_args_free(&a);
    return rc;
}

static const cli_opt_t persp_opts[] = {
    { "at", "DATE", false, "as of DATE (default today)" },
    CLI_KNOWN_AT_OPT,
    { NULL, NULL, false, NULL },
};

static void perspective_help(FILE *f)
{
    fputs("usage: knoop perspective list\n"
          "       knoop perspective get NAME [SUBJECT] [--at DATE] [--known-at TIME]\n\n"
          "A perspective is one picture of the network from one point of view, built by the\n"
          "server: `list` shows the perspectives it has (name, subject, description); `get`\n"
          "prints one for SUBJECT (an id or external key) as JSON (--json: compact).\n"
          "\nexamples:\n  knoop perspective list\n  knoop perspective get gemeente GM0034\n"
          "  knoop perspective get functionaris VOORBEELD-P-JANSEN --at 2024-01-01\n"
          "  knoop perspective get vng\n",
          f);
}

int cli_perspective_run(cli_ctx_t *ctx, int argc, char **argv)
{
    cli_args_t a;
    cli_format_t fmt = ctx->format;
    char msg[320];
    bool list;
    json_t *p, *res;
    int rc;

    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "help") == 0) {
        perspective_help(argc < 1 ? stderr : stdout);
        return argc < 1 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    list = strcmp(argv[0], "list") == 0;
    if (!list && strcmp(argv[0], "get") != 0) {
        fprintf(stderr,
                "knoop: unknown subcommand 'perspective %.64s'\nRun 'knoop perspective --help'.\n",
                argv[0]);
        return CLI_EXIT_USAGE;
    }
    rc = cli_args_parse(&a, persp_opts, argc - 1, argv + 1, msg, sizeof(msg));
    if (rc == 0 && cli_args_get(&a, "help") != NULL) {
        perspective_help(stdout);
        cli_args_free(&a);
        return 0;
    }
    if (rc == 0 && (rc = cli_apply_globals(ctx, &a, &fmt)) != 0) {
        cli_args_free(&a);
        return rc;
    }
    p = json_object();
    if (rc == 0 && list && a.npos != 0)
        rc = cli_bad(msg, sizeof(msg), "perspective list takes no arguments");
    if (rc == 0 && !list && (a.npos < 1 || a.npos > 2))
        rc = cli_bad(msg, sizeof(msg), a.npos < 1 ? "missing NAME" : "NAME and SUBJECT only");
    if (rc == 0 && !list)
        rc = opt_date(&a, "at", p, msg, sizeof(msg));
    if (rc == 0 && !list)
        cli_known_at(&a, p);
    if (rc != 0) {
        fprintf(stderr, "knoop: %s\n", msg);
        perspective_help(stderr);
        json_decref(p);
        cli_args_free(&a);
        return rc;
    }
    if (!list) {
        json_object_set_new(p, "name", json_string(a.pos[0]));
        if (a.npos == 2)
            json_object_set_new(p, "subject", node_param(a.pos[1]));
    }
    if ((rc = cli_conn(ctx)) != 0) {
        json_decref(p);
    } else if ((rc = q_call(ctx, list ? "perspective.list" : "perspective.get", p, &res)) == 0) {
        if (list) {
            static const char *const head[] = { "naam", "onderwerp", "omschrijving" };
            qtable_t t = { head, 3, json_array() };
            json_t *v;
            size_t i;
            json_array_foreach(json_object_get(res, "perspectives"), i, v)
            {
                const char *row[3] = { str(v, "name"), str(v, "subject"), str(v, "description") };
                add_row(&t, row);
            }
            rc = qtable_print(ctx, fmt, &t);
            json_decref(t.rows);
        } else {
            rc = cli_print_result(ctx, fmt == CLI_FMT_TABLE ? CLI_FMT_JSON : fmt, res);
        }
        json_decref(res);
    }
    cli_args_free(&a);
    return rc;
}

/* ---- export ---- */

static const cli_opt_t export_opts[] = {
    { "format", "F", false, "csv or json (klantinteracties: see the contact administration)" },
    { "type", "T", false, "gemeente (default), provincie, veiligheidsregio or koepel" },
    { "out", "FILE", false, "write to FILE instead of stdout" },
    { NULL, NULL, false, NULL },
};

static void export_help(FILE *f)
{
    fputs("usage: knoop export --format csv|json [--type gemeente|provincie|veiligheidsregio|"
          "koepel] [--out FILE]\n"
          "       knoop export --format klantinteracties [--out FILE]\n\n"
          "Write the core administration: every node of the type with its properties; for\n"
          "gemeenten also their current memberships (province, veiligheidsregio, koepels).\n"
          "The CSV reads back with `knoop import --profile nodes` (rel: columns are ignored),\n"
          "the JSON with `knoop import` (the json profile: nodes and edges).\n\noptions:\n"
          "  --format F       csv or json; klantinteracties writes the contact administration\n"
          "  --type T         gemeente (default), provincie, veiligheidsregio or koepel\n"
          "  --out FILE       write to FILE instead of stdout\n"
          "\nexample:\n  knoop export --format csv --type gemeente --out gemeenten-export.csv\n",
          f);
}

/* Memberships exported for gemeenten: role type -> column. */
static const char *const member_roles[] = { "ligt in", "deelnemer", "lid", NULL };

/* The CSV column suffix for a property's values: "" (text), ":int", ":bool" or ":json". */
static const char *suffix_for(const json_t *nodes, const char *prop)
{
    size_t i;
    const json_t *n;
    bool str_ = false, int_ = false, bool_ = false, other = false;

    json_array_foreach((json_t *)nodes, i, n)
    {
        const json_t *v = json_object_get(json_object_get(n, "props"), prop);
        if (v == NULL || json_is_null(v))
            continue;
        str_ |= json_is_string(v);
        int_ |= json_is_integer(v);
        bool_ |= json_is_boolean(v);
        other |= !json_is_string(v) && !json_is_integer(v) && !json_is_boolean(v);
    }
    if (other || str_ + int_ + bool_ > 1)
        return str_ && !int_ && !bool_ && !other ? "" : ":json";
    return int_ ? ":int" : bool_ ? ":bool" : "";
}

static int cmp_str(const void *a, const void *b)
{
    static const char *const first[] = { "cbs_code", "key", "name" };
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int rx = 3, ry = 3, i;
    for (i = 0; i < 3; i++) {
        if (strcmp(x, first[i]) == 0)
            rx = i;
        if (strcmp(y, first[i]) == 0)
            ry = i;
    }
    return rx != ry ? rx - ry : strcmp(x, y);
}

static int cmp_node(const void *a, const void *b)
{
    return strcmp(node_key(*(json_t *const *)a), node_key(*(json_t *const *)b));
}

static void csv_value(FILE *f, const json_t *v, const char *suffix)
{
    char *d;
    if (v == NULL || json_is_null(v))
        return;
    if (suffix[0] == '\0' && json_is_string(v)) {
        put_csv(f, json_string_value(v));
        return;
    }
    d = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    put_csv(f, d != NULL ? d : "");
    free(d);
}

static int export_run(cli_ctx_t *ctx, const char *format, const char *type, const char *path)
{
    const char *kind = strcmp(type, "veiligheidsregio") == 0 || strcmp(type, "koepel") == 0
                           ? "body"
                           : "organisation";
    json_t *p, *res = NULL, *nodes, *n, *edges_by = NULL, *targets = json_object(),
               *tnodes = json_object(), *ops = json_array();
    json_t *props_seen = json_object();
    knoop_error_t err;
    const char **cols = NULL, *k;
    json_t **sorted = NULL;
    size_t i, j, nn, ncols = 0;
    char today[11];
    FILE *f = stdout;
    json_t *v;
    int rc;

    cli_today(today);
    p = json_pack("{s:s,s:s,s:i}", "kind", kind, "type", type, "limit", 100000);
    rc = cli_rpc(ctx, "node.find", p, &res, &err);
    json_decref(p);
    if (rc != 0) {
        rc = cli_rpc_error(ctx, rc, &err);
        goto out;
    }
    nodes = json_object_get(res, "nodes");
    nn = json_array_size(nodes);
    sorted = calloc(nn + 1, sizeof(*sorted));
    if (sorted == NULL)
        goto nomem;
    json_array_foreach(nodes, i, n)
    {
        sorted[i] = n;
        json_object_foreach(json_object_get(n, "props"), k, v)
        {
            if (json_object_get(props_seen, k) == NULL) {
                json_object_set_new(props_seen, k, json_true());
                ncols++;
            }
        }
    }
    qsort(sorted, nn, sizeof(*sorted), cmp_node);
    cols = calloc(ncols + 1, sizeof(*cols));
    if (cols == NULL)
        goto nomem;
    i = 0;
    json_object_foreach(props_seen, k, v)
    {
        cols[i++] = k;
    }
    qsort(cols, ncols, sizeof(*cols), cmp_str);

    /* Current memberships of gemeenten: one batch of edge.list reads, then the targets. */
    if (strcmp(type, "gemeente") == 0) {
        for (i = 0; i < nn; i++)
            json_array_append_new(ops, json_pack("{s:s,s:{s:O,s:s,s:s,s:i}}", "method", "edge.list",
                                                 "params", "node", json_object_get(sorted[i], "id"),
                                                 "direction", "out", "at", today, "limit", 100000));
        if ((edges_by = read_batch(ctx, json_incref(ops), &rc)) == NULL)
            goto out;
        json_array_foreach(edges_by, i, v)
        {
            json_t *e;
            json_array_foreach(json_object_get(v, "edges"), j, e)
            {
                char id[32];
                id_text(json_object_get(e, "target"), id, sizeof(id));
                json_object_set_new(targets, id, json_true());
            }
        }
        if ((rc = fetch_nodes(ctx, targets, tnodes)) != 0)
            goto out;
    }

    if (path != NULL && (f = fopen(path, "w")) == NULL) {
        fprintf(stderr, "knoop: --out: cannot open '%.200s' for writing\n", path);
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    if (strcmp(format, "csv") == 0) {
        fputs("kind,type", f);
        for (i = 0; i < ncols; i++) {
            char h[200];
            snprintf(h, sizeof(h), "%s%s", cols[i], suffix_for(nodes, cols[i]));
            fputc(',', f);
            put_csv(f, h);
        }
        if (edges_by != NULL)
            for (i = 0; member_roles[i] != NULL; i++)
                fprintf(f, ",rel:%s", member_roles[i]);
        fputs("\r\n", f);
        for (i = 0; i < nn; i++) {
            fprintf(f, "%s,%s", kind, type);
            for (j = 0; j < ncols; j++) {
                fputc(',', f);
                csv_value(f, json_object_get(json_object_get(sorted[i], "props"), cols[j]),
                          suffix_for(nodes, cols[j]));
            }
            for (j = 0; edges_by != NULL && member_roles[j] != NULL; j++) {
                json_t *e;
                size_t m, cnt = 0;
                fputc(',', f);
                /* Keys separated by ';' (no comma, so no quoting needed for plain keys). */
                json_array_foreach(json_object_get(json_array_get(edges_by, i), "edges"), m, e)
                {
                    char id[32];
                    if (strcmp(str(e, "type"), member_roles[j]) != 0)
                        continue;
                    id_text(json_object_get(e, "target"), id, sizeof(id));
                    fprintf(f, "%s%s", cnt++ ? ";" : "", node_key(json_object_get(tnodes, id)));
                }
            }
            fputs("\r\n", f);
        }
    } else {
        json_t *out = json_object(), *onodes = json_array(), *oedges = json_array();
        char comment[300];
        snprintf(comment, sizeof(comment),
                 "knoop export --format json --type %s, %s: %zu nodes; read back with knoop "
                 "import",
                 type, today, nn);
        json_object_set_new(out, "_comment", json_string(comment));
        for (i = 0; i < nn; i++) {
            json_t *e;
            json_array_append_new(onodes, json_pack("{s:s,s:s,s:O}", "kind", kind, "type", type,
                                                    "props", json_object_get(sorted[i], "props")));
            json_array_foreach(json_object_get(json_array_get(edges_by, i), "edges"), j, e)
            {
                char id[32];
                json_t *oe;
                id_text(json_object_get(e, "target"), id, sizeof(id));
                oe = json_pack("{s:O,s:s,s:s,s:O}", "type", json_object_get(e, "type"), "source",
                               node_key(sorted[i]), "target", node_key(json_object_get(tnodes, id)),
                               "valid_from", json_object_get(e, "valid_from"));
                if (!json_is_null(json_object_get(e, "valid_to")))
                    json_object_set(oe, "valid_to", json_object_get(e, "valid_to"));
                if (json_object_size(json_object_get(e, "props")) > 0)
                    json_object_set(oe, "props", json_object_get(e, "props"));
                json_array_append_new(oedges, oe);
            }
        }
        json_object_set_new(out, "nodes", onodes);
        json_object_set_new(out, "edges", oedges);
        json_dumpf(out, f, JSON_INDENT(2));
        fputc('\n', f);
        json_decref(out);
    }
    if ((f != stdout ? fclose(f) : fflush(f)) != 0) {
        fprintf(stderr, "knoop: export: write failed\n");
        rc = CLI_EXIT_SERVER;
    }
    if (rc == 0 && path != NULL)
        fprintf(stderr, "knoop: exported %zu %s nodes to %s\n", nn, type, path);
out:
    free(sorted);
    free(cols);
    json_decref(res);
    json_decref(edges_by);
    json_decref(targets);
    json_decref(tnodes);
    json_decref(ops);
    json_decref(props_seen);
    return rc;
nomem:
    fprintf(stderr, "knoop: out of memory\n");
    rc = CLI_EXIT_SERVER;
    goto out;
}

int cli_export_run(cli_ctx_t *ctx, int argc, char **argv)
{
    static const char *const types[] = { "gemeente", "provincie",     "veiligheidsregio",
                                         "koepel",   "vng-commissie", NULL };
    cli_args_t a;
    cli_format_t fmt = ctx->format;
    const char *format, *type;
    char msg[320];
    size_t i;
    int rc;

    rc = cli_args_parse(&a, export_opts, argc, argv, msg, sizeof(msg));
    if (rc == 0 && cli_args_get(&a, "help") != NULL) {
        export_help(stdout);
        cli_args_free(&a);
        return 0;
    }
    if (rc == 0 && (rc = cli_apply_globals(ctx, &a, &fmt)) != 0) {
        cli_args_free(&a);
        return rc;
    }
    format = cli_args_get(&a, "format");
    type = cli_args_get(&a, "type") != NULL ? cli_args_get(&a, "type") : "gemeente";
    if (rc == 0 && a.npos > 0) {
        snprintf(msg, sizeof(msg), "unexpected argument '%.64s'", a.pos[0]);
        rc = CLI_EXIT_USAGE;
    }
    if (rc == 0 && format == NULL) {
        snprintf(msg, sizeof(msg), "--format is required (csv or json)");
        rc = CLI_EXIT_USAGE;
    }
    if (rc == 0 && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
        snprintf(msg, sizeof(msg), "--format: expected csv, json or klantinteracties, got '%.32s'",
                 format);
        rc = CLI_EXIT_USAGE;
    }
    for (i = 0; rc == 0 && types[i] != NULL && strcmp(types[i], type) != 0; i++)
        ;
    if (rc == 0 && types[i] == NULL) {
        snprintf(msg, sizeof(msg),
                 "--type: expected gemeente, provincie, veiligheidsregio, koepel or "
                 "vng-commissie, got '%.32s'",
                 type);
        rc = CLI_EXIT_USAGE;
    }
    if (rc != 0) {
        fprintf(stderr, "knoop: %s\nRun 'knoop export --help' for usage.\n", msg);
        cli_args_free(&a);
        return rc;
    }
    if ((rc = cli_conn(ctx)) == 0)
        rc = export_run(ctx, format, type, cli_args_get(&a, "out"));
    cli_args_free(&a);
    return rc;
}

/* ---- dispatch ---- */

/* True when argv asks for --format klantinteracties (the contact administration's export). */
static bool wants_klantinteracties(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--format=klantinteracties") == 0)
            return true;
        if (strcmp(argv[i], "--format") == 0 && i + 1 < argc &&
            strcmp(argv[i + 1], "klantinteracties") == 0)
            return true;
    }
    return false;
}

int cli_import_dispatch(cli_ctx_t *ctx, int argc, char **argv)
{
    if (argc < 1)
        return -1;
    if (strcmp(argv[0], "help") == 0 && argc == 2) {
        if (strcmp(argv[1], "import") == 0) {
            char h[] = "--help";
            char *args[] = { h, NULL };
            return cli_import_run(ctx, 1, args);
        }
        if (strcmp(argv[1], "query") == 0) {
            query_help(stdout);
            return 0;
        }
        if (strcmp(argv[1], "perspective") == 0) {
            perspective_help(stdout);
            return 0;
        }
        if (strcmp(argv[1], "export") == 0) {
            export_help(stdout);
            return 0;
        }
        return -1;
    }
    if (strcmp(argv[0], "import") == 0)
        return cli_import_run(ctx, argc - 1, argv + 1);
    if (strcmp(argv[0], "query") == 0)
        return cli_query_run(ctx, argc - 1, argv + 1);
    if (strcmp(argv[0], "perspective") == 0)
        return cli_perspective_run(ctx, argc - 1, argv + 1);
    if (strcmp(argv[0], "export") == 0 && !wants_klantinteracties(argc, argv))
        return cli_export_run(ctx, argc - 1, argv + 1);
    return -1;
}

void cli_import_usage(FILE *f)
{
    fputs("  import         load CSV/JSON files (profiles: docs/IMPORT.md)\n"
          "  export         write gemeenten, provincies, regio's or koepels as CSV or JSON\n"
          "  query          places, members, participation, holders, roles, seats: the network\n"
          "                 questions as tables\n"
          "  perspective    list, get: a gemeente's, a functionary's or the VNG's full picture\n",
          f);
}
