/*
 * cli_contact.c - the knoop subcommands of the contact administration: `contact`, `task` and
 * `list`, and the Klantinteracties export (layer: client, CLI).
 *
 * A table of its own, in the style of cli_cmd.c: each entry names the method, its help text and
 * example, its options and how it builds the named parameters. cli_run hands a command line to
 * cli_contact_run first. Results print as JSON (--json), or as a table / CSV of the rows that
 * matter (contacts, tasks, members); single records use cli_print_result's listings.
 *
 * The export (`knoop export --format klantinteracties`) reads every klantcontact with node.find
 * and contact.get and writes them as the resources of the VNG Klantinteracties API (v0.9, Open
 * Klant): {"klantcontacten", "betrokkenen", "partijen", "interneTaken", "actoren",
 * "onderwerpobjecten", "bijlagen"}, each with the API's field names. uuids are name-based
 * (RFC 4122 version 5, SHA-1) over a fixed Knoop namespace and "<resource>/<id>", so the same
 * record always gets the same uuid; urls are https://knoop.invalid/klantinteracties/api/v1/
 * <collection>/<uuid>. proto/PROTOCOL.md documents the mapping.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CC_URL_BASE "https://knoop.invalid/klantinteracties/api/v1/"
/* Klantcontacten one export reads (node.find's ceiling). */
#define CC_EXPORT_MAX 100000

typedef int (*cc_build_fn)(const cli_args_t *a, json_t *p, char *msg, size_t msgsz);
typedef void (*cc_show_fn)(const cli_ctx_t *ctx, cli_format_t fmt, const json_t *result);

typedef struct {
    const char *group, *name, *method, *usage, *summary, *example;
    int min_pos, max_pos;
    const char *pos_help;
    const cli_opt_t *opts;
    cc_build_fn build;
    cc_show_fn show; /* table/CSV rendering; NULL = cli_print_result */
} cc_cmd_t;

#define CC_END                                                                                     \
    {                                                                                              \
        NULL, NULL, false, NULL                                                                    \
    }
#define CC_REASON                                                                                  \
    {                                                                                              \
        "reason", "TEXT", false, "why the change is made (recorded in the history)"                \
    }
#define CC_LIMIT                                                                                   \
    {                                                                                              \
        "limit", "N", false, "at most N results (server default 1000)"                             \
    }

static const cli_opt_t register_opts[] = {
    { "kanaal", "K", false, "telefoon, e-mail, post, bezoek, video, chat or overig (required)" },
    { "onderwerp", "TEXT", false, "the subject, at most 200 characters (required)" },
    { "plaatsgevonden-op", "TS", false,
      "when it took place, RFC 3339, e.g. 2024-03-01T10:30:00+01:00 (required)" },
    { "inhoud", "TEXT", false, "what was said or written, at most 1000 characters" },
    { "initiator", "WHO", false, "klant or medewerker: who took the initiative" },
    { "vertrouwelijk", NULL, false, "mark the contact confidential" },
    { "taal", "CODE", false, "ISO 639-2 language code (default nld)" },
    { "gelukt", "yes|no", false, "indicatieContactGelukt: did the contact succeed" },
    { "betrokkene", "P:ROL[:initiator]", true,
      "a partij (person or organisation id or key) and its rol, e.g. 9:klant (at least one)" },
    { "actor", "A", true, "an actor (employee or team) id or key (at least one)" },
    { "over-rol", "EDGE", true, "a role edge of a betrokkene the contact was about" },
    { "corrects", "ID", false, "the klantcontact this one corrects" },
    CC_REASON,
    CC_END,
};
static const cli_opt_t contact_list_opts[] = {
    { "partij", "P", false, "contacts of this person or organisation (id or key)" },
    { "actor", "A", false, "contacts of this actor (id or key)" },
    { "from", "DATE", false, "contacts on or after DATE" },
    { "to", "DATE", false, "contacts before DATE" },
    CC_LIMIT,
    CC_END,
};
static const cli_opt_t task_create_opts[] = {
    { "klantcontact", "ID", false, "the klantcontact that led to the task (required)" },
    { "handeling", "TEXT", false, "gevraagdeHandeling: what has to be done (required)" },
    { "toelichting", "TEXT", false, "explanation" },
    { "actor", "A", true, "assign to this actor (id or key; at least one)" },
    { "status", "S", false, "te verwerken (default) or afgehandeld (also: te doen, gedaan)" },
    CC_REASON,
    CC_END,
};
static const cli_opt_t task_done_opts[] = {
    { "toelichting", "TEXT", false, "explanation of how it was handled" },
    CC_REASON,
    CC_END,
};
static const cli_opt_t task_open_opts[] = {
    { "actor", "A", false, "only tasks assigned to this actor" },
    CC_LIMIT,
    CC_END,
};
static const cli_opt_t list_create_opts[] = {
    { "name", "NAME", false, "the list's name, unique among lists (required)" },
    { "omschrijving", "TEXT", false, "description" },
    CC_REASON,
    CC_END,
};
static const cli_opt_t list_subscribe_opts[] = {
    { "person", "P", false, "the person (id or key; required)" },
    { "from", "DATE", false, "subscribed from DATE (default today)" },
    CC_REASON,
    CC_END,
};
static const cli_opt_t list_unsubscribe_opts[] = {
    { "person", "P", false, "the person (id or key; required)" },
    { "on", "DATE", false, "the subscription ends on DATE (required)" },
    CC_REASON,
    CC_END,
};
static const cli_opt_t list_members_opts[] = {
    { "at", "DATE", false, "members on DATE (default today)" },
    CC_LIMIT,
    CC_END,
};
static const cli_opt_t export_opts[] = {
    { "format", "F", false, "klantinteracties (required; the only format here)" },
    { "out", "FILE", false, "write to FILE instead of standard output" },
    CC_END,
};
static const cli_opt_t no_opts[] = { CC_END };

/* ---- value helpers ---- */

/* A node id (digits) as an integer, anything else as a string (an external key). */
static json_t *ref_value(const char *s)
{
    if (cli_all_digits(s) && strlen(s) <= 18)
        return json_integer(strtoll(s, NULL, 10));
    return json_string(s);
}

static int set_ref(json_t *p, const char *name, const char *s, char *msg, size_t msgsz)
{
    json_t *v;
    if (s == NULL || s[0] == '\0')
        return cli_bad(msg, msgsz, "%s: empty id", name);
    v = ref_value(s);
    if (v == NULL || json_object_set_new(p, name, v) != 0)
        return cli_bad(msg, msgsz, "%s: not valid UTF-8", name);
    return 0;
}

/* Sets p[name] to option opt's text when given; required options must be there. */
static int opt_text(const cli_args_t *a, json_t *p, const char *opt, const char *name,
                    bool required, char *msg, size_t msgsz)
{
    const char *v = cli_args_get(a, opt);
    json_t *j;
    if (v == NULL)
        return required ? cli_bad(msg, msgsz, "--%s is required", opt) : 0;
    j = json_string(v);
    if (j == NULL || json_object_set_new(p, name, j) != 0)
        return cli_bad(msg, msgsz, "--%s: not valid UTF-8", opt);
    return 0;
}

static int opt_limit(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    const char *v = cli_args_get(a, "limit");
    if (v == NULL)
        return 0;
    if (!cli_all_digits(v) || strlen(v) > 18)
        return cli_bad(msg, msgsz, "--limit: expected a non-negative integer, got '%.32s'", v);
    json_object_set_new(p, "limit", json_integer(strtoll(v, NULL, 10)));
    return 0;
}

/* An array of references from a repeated option. */
static int opt_refs(const cli_args_t *a, json_t *p, const char *opt, const char *name, int min,
                    char *msg, size_t msgsz)
{
    int i, n = cli_args_count(a, opt);
    json_t *arr;
    if (n < min)
        return cli_bad(msg, msgsz, "--%s is required", opt);
    if (n == 0)
        return 0;
    arr = json_array();
    json_object_set_new(p, name, arr);
    for (i = 0; i < n; i++) {
        json_t *v = ref_value(cli_args_nth(a, opt, i));
        if (v == NULL || json_array_append_new(arr, v) != 0)
            return cli_bad(msg, msgsz, "--%s: not valid UTF-8", opt);
    }
    return 0;
}

/* ---- builders ---- */

static int b_register(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    const char *g = cli_args_get(a, "gelukt"), *c = cli_args_get(a, "corrects");
    json_t *bet;
    int rc, i, n = cli_args_count(a, "betrokkene");

    if ((rc = opt_text(a, p, "kanaal", "kanaal", true, msg, msgsz)) ||
        (rc = opt_text(a, p, "onderwerp", "onderwerp", true, msg, msgsz)) ||
        (rc = opt_text(a, p, "plaatsgevonden-op", "plaatsgevondenOp", true, msg, msgsz)) ||
        (rc = opt_text(a, p, "inhoud", "inhoud", false, msg, msgsz)) ||
        (rc = opt_text(a, p, "initiator", "initiator", false, msg, msgsz)) ||
        (rc = opt_text(a, p, "taal", "taal", false, msg, msgsz)) ||
        (rc = opt_text(a, p, "reason", "reason", false, msg, msgsz)))
        return rc;
    if (cli_args_get(a, "vertrouwelijk") != NULL)
        json_object_set_new(p, "vertrouwelijk", json_true());
    if (g != NULL) {
        if (strcmp(g, "yes") != 0 && strcmp(g, "no") != 0)
            return cli_bad(msg, msgsz, "--gelukt: expected yes or no, got '%.32s'", g);
        json_object_set_new(p, "indicatieContactGelukt", json_boolean(strcmp(g, "yes") == 0));
    }
    if (n == 0)
        return cli_bad(msg, msgsz, "--betrokkene is required");
    bet = json_array();
    json_object_set_new(p, "betrokkenen", bet);
    for (i = 0; i < n; i++) {
        const char *w = cli_args_nth(a, "betrokkene", i);
        const char *c1 = strchr(w, ':'), *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
        char ref[256], rol[257];
        json_t *b = json_object();
        if (c1 == NULL || c1 == w || c1[1] == '\0' || c2 == c1 + 1 || (size_t)(c1 - w) >= 256)
            return cli_bad(msg, msgsz, "--betrokkene: expected PARTIJ:ROL[:initiator], got '%.64s'",
                           w);
        if (c2 != NULL && strcmp(c2, ":initiator") != 0)
            return cli_bad(msg, msgsz,
                           "--betrokkene: only ':initiator' may follow the rol in '%.64s'", w);
        memcpy(ref, w, (size_t)(c1 - w));
        ref[c1 - w] = '\0';
        snprintf(rol, sizeof(rol), "%.*s", (int)(c2 != NULL ? c2 - c1 - 1 : (long)strlen(c1 + 1)),
                 c1 + 1);
        json_array_append_new(bet, b);
        json_object_set_new(b, "partij", ref_value(ref));
        json_object_set_new(b, "rol", json_string(rol));
        if (c2 != NULL)
            json_object_set_new(b, "initiator", json_true());
        if (json_object_get(b, "partij") == NULL || json_object_get(b, "rol") == NULL)
            return cli_bad(msg, msgsz, "--betrokkene: '%.64s' is not valid UTF-8", w);
    }
    if ((rc = opt_refs(a, p, "actor", "actoren", 1, msg, msgsz)) ||
        (rc = opt_refs(a, p, "over-rol", "over_rollen", 0, msg, msgsz)))
        return rc;
    for (i = 0; i < cli_args_count(a, "over-rol"); i++)
        if (!cli_all_digits(cli_args_nth(a, "over-rol", i)))
            return cli_bad(msg, msgsz, "--over-rol: expected an edge id, got '%.32s'",
                           cli_args_nth(a, "over-rol", i));
    if (c != NULL)
        return set_ref(p, "corrects", c, msg, msgsz);
    return 0;
}

static int b_id(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    return set_ref(p, "id", a->pos[0], msg, msgsz);
}

static int b_contact_list(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    const char *partij = cli_args_get(a, "partij"), *actor = cli_args_get(a, "actor");
    int rc;
    if ((partij == NULL) == (actor == NULL))
        return cli_bad(msg, msgsz, "give exactly one of --partij and --actor");
    if ((partij != NULL && (rc = set_ref(p, "partij", partij, msg, msgsz))) ||
        (actor != NULL && (rc = set_ref(p, "actor", actor, msg, msgsz))) ||
        (rc = opt_text(a, p, "from", "from", false, msg, msgsz)) ||
        (rc = opt_text(a, p, "to", "to", false, msg, msgsz)) || (rc = opt_limit(a, p, msg, msgsz)))
        return rc;
    return 0;
}

static int b_task_create(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    const char *kc = cli_args_get(a, "klantcontact");
    int rc;
    if (kc == NULL)
        return cli_bad(msg, msgsz, "--klantcontact is required");
    if ((rc = set_ref(p, "klantcontact", kc, msg, msgsz)) ||
        (rc = opt_text(a, p, "handeling", "gevraagdeHandeling", true, msg, msgsz)) ||
        (rc = opt_text(a, p, "toelichting", "toelichting", false, msg, msgsz)) ||
        (rc = opt_text(a, p, "status", "status", false, msg, msgsz)) ||
        (rc = opt_text(a, p, "reason", "reason", false, msg, msgsz)) ||
        (rc = opt_refs(a, p, "actor", "actoren", 1, msg, msgsz)))
        return rc;
    return 0;
}

static int b_task_done(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    int rc;
    if ((rc = set_ref(p, "id", a->pos[0], msg, msgsz)) ||
        (rc = opt_text(a, p, "toelichting", "toelichting", false, msg, msgsz)) ||
        (rc = opt_text(a, p, "reason", "reason", false, msg, msgsz)))
        return rc;
    return 0;
}

static int b_task_open(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    const char *actor = cli_args_get(a, "actor");
    int rc;
    if ((actor != NULL && (rc = set_ref(p, "actor", actor, msg, msgsz))) ||
        (rc = opt_limit(a, p, msg, msgsz)))
        return rc;
    return 0;
}

static int b_list_create(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    int rc;
    if ((rc = opt_text(a, p, "name", "name", true, msg, msgsz)) ||
        (rc = opt_text(a, p, "omschrijving", "omschrijving", false, msg, msgsz)) ||
        (rc = opt_text(a, p, "reason", "reason", false, msg, msgsz)))
        return rc;
    return 0;
}

static int b_list_subscribe(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    int rc;
    if (cli_args_get(a, "person") == NULL)
        return cli_bad(msg, msgsz, "--person is required");
    if ((rc = set_ref(p, "list", a->pos[0], msg, msgsz)) ||
        (rc = set_ref(p, "person", cli_args_get(a, "person"), msg, msgsz)) ||
        (rc = opt_text(a, p, "from", "from", false, msg, msgsz)) ||
        (rc = opt_text(a, p, "reason", "reason", false, msg, msgsz)))
        return rc;
    return 0;
}

static int b_list_unsubscribe(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    int rc;
    if (cli_args_get(a, "person") == NULL)
        return cli_bad(msg, msgsz, "--person is required");
    if ((rc = set_ref(p, "list", a->pos[0], msg, msgsz)) ||
        (rc = set_ref(p, "person", cli_args_get(a, "person"), msg, msgsz)) ||
        (rc = opt_text(a, p, "on", "on", true, msg, msgsz)) ||
        (rc = opt_text(a, p, "reason", "reason", false, msg, msgsz)))
        return rc;
    return 0;
}

static int b_list_members(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    int rc;
    if ((rc = set_ref(p, "list", a->pos[0], msg, msgsz)) ||
        (rc = opt_text(a, p, "at", "at", false, msg, msgsz)) || (rc = opt_limit(a, p, msg, msgsz)))
        return rc;
    return 0;
}

/* ---- rendering ---- */

/* Text of a JSON scalar (strings as themselves); "" for null or absent. malloc'd. */
static char *text(const json_t *v)
{
    char *s;
    if (v == NULL || json_is_null(v))
        return strdup("");
    if (json_is_string(v))
        return strdup(json_string_value(v));
    s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    return s != NULL ? s : strdup("");
}

static const json_t *prop(const json_t *node, const char *k)
{
    return json_object_get(json_object_get(node, "props"), k);
}

static void put_cell(FILE *f, const char *s, size_t width, bool last, bool csv)
{
    if (csv) {
        if (strpbrk(s, ",\"\r\n") != NULL) {
            fputc('"', f);
            for (; *s != '\0'; s++) {
                if (*s == '"')
                    fputc('"', f);
                fputc(*s, f);
            }
            fputc('"', f);
        } else {
            fputs(s, f);
        }
        fputs(last ? "\r\n" : ",", f);
        return;
    }
    fputs(s, f);
    if (last) {
        fputc('\n', f);
        return;
    }
    for (size_t w = cli_display_width(s); w < width + 2; w++)
        fputc(' ', f);
}

/* Prints rows (nrows x ncols malloc'd strings, freed here) under head, aligned or as CSV. */
static void print_rows(cli_format_t fmt, const char *const *head, size_t ncols, char **cells,
                       size_t nrows)
{
    size_t width[8] = { 0 }, r, c;
    bool csv = fmt == CLI_FMT_CSV;
    for (c = 0; c < ncols; c++)
        width[c] = cli_display_width(head[c]);
    for (r = 0; r < nrows; r++)
        for (c = 0; c < ncols; c++) {
            size_t w = cli_display_width(cells[r * ncols + c]);
            if (w > width[c])
                width[c] = w;
        }
    for (c = 0; c < ncols; c++)
        put_cell(stdout, head[c], width[c], c + 1 == ncols, csv);
    for (r = 0; r < nrows; r++)
        for (c = 0; c < ncols; c++)
            put_cell(stdout, cells[r * ncols + c], width[c], c + 1 == ncols, csv);
    for (r = 0; r < nrows * ncols; r++)
        free(cells[r]);
    free(cells);
}

/* The ids of the nodes in arr, comma-separated (malloc'd). */
static char *id_list(const json_t *arr, const char *member)
{
    char *out = calloc(1, json_array_size(arr) * 24 + 1);
    size_t i;
    const json_t *e;
    if (out == NULL)
        return strdup("");
    json_array_foreach(arr, i, e)
    {
        const json_t *n = member != NULL ? json_object_get(e, member) : e;
        sprintf(out + strlen(out), "%s%lld", i ? "," : "",
                (long long)json_integer_value(json_object_get(n, "id")));
    }
    return out;
}

static void show_contacts(const cli_ctx_t *ctx, cli_format_t fmt, const json_t *r)
{
    static const char *const head[] = { "id", "plaatsgevondenOp", "kanaal", "onderwerp" };
    const json_t *list = json_object_get(r, "contacts"), *n;
    char **cells = calloc(json_array_size(list) * 4 + 1, sizeof(char *));
    size_t i;
    (void)ctx;
    if (cells == NULL)
        return;
    json_array_foreach(list, i, n)
    {
        cells[i * 4] = text(json_object_get(n, "id"));
        cells[i * 4 + 1] = text(prop(n, "plaatsgevondenOp"));
        cells[i * 4 + 2] = text(prop(n, "kanaal"));
        cells[i * 4 + 3] = text(prop(n, "onderwerp"));
    }
    print_rows(fmt, head, 4, cells, json_array_size(list));
}

static void show_tasks(const cli_ctx_t *ctx, cli_format_t fmt, const json_t *r)
{
    static const char *const head[] = { "id",           "toegewezenOp", "status",
                                        "klantcontact", "actoren",      "gevraagdeHandeling" };
    const json_t *list = json_object_get(r, "tasks"), *e;
    char **cells = calloc(json_array_size(list) * 6 + 1, sizeof(char *));
    size_t i;
    (void)ctx;
    if (cells == NULL)
        return;
    json_array_foreach(list, i, e)
    {
        const json_t *t = json_object_get(e, "taak");
        cells[i * 6] = text(json_object_get(t, "id"));
        cells[i * 6 + 1] = text(prop(t, "toegewezenOp"));
        cells[i * 6 + 2] = text(prop(t, "status"));
        cells[i * 6 + 3] = text(json_object_get(json_object_get(e, "klantcontact"), "id"));
        cells[i * 6 + 4] = id_list(json_object_get(e, "actoren"), NULL);
        cells[i * 6 + 5] = text(prop(t, "gevraagdeHandeling"));
    }
    print_rows(fmt, head, 6, cells, json_array_size(list));
}

static void show_members(const cli_ctx_t *ctx, cli_format_t fmt, const json_t *r)
{
    static const char *const head[] = { "id", "name", "subscribed", "until" };
    const json_t *list = json_object_get(r, "members"), *e;
    char **cells = calloc(json_array_size(list) * 4 + 1, sizeof(char *));
    size_t i;
    (void)ctx;
    if (cells == NULL)
        return;
    json_array_foreach(list, i, e)
    {
        const json_t *p = json_object_get(e, "person"), *s = json_object_get(e, "subscription");
        cells[i * 4] = text(json_object_get(p, "id"));
        cells[i * 4 + 1] = text(prop(p, "name"));
        cells[i * 4 + 2] = text(json_object_get(s, "valid_from"));
        cells[i * 4 + 3] = text(json_object_get(s, "valid_to"));
    }
    print_rows(fmt, head, 4, cells, json_array_size(list));
}

/* A klantcontact view: the record, then one line per link. */
static void show_contact(const cli_ctx_t *ctx, cli_format_t fmt, const json_t *r)
{
    const json_t *e;
    size_t i;
    cli_print_result(ctx, fmt, json_object_get(r, "klantcontact"));
    if (fmt == CLI_FMT_CSV)
        return;
    json_array_foreach(json_object_get(r, "betrokkenen"), i, e)
    {
        char *name = text(prop(json_object_get(e, "partij"), "name"));
        char *rol = text(prop(json_object_get(e, "edge"), "rol"));
        printf("betrokkene    %lld %s (%s)\n",
               (long long)json_integer_value(json_object_get(json_object_get(e, "partij"), "id")),
               name, rol);
        free(name);
        free(rol);
    }
    json_array_foreach(json_object_get(r, "actoren"), i, e)
    {
        char *name = text(prop(e, "name"));
        printf("actor         %lld %s\n", (long long)json_integer_value(json_object_get(e, "id")),
               name);
        free(name);
    }
    json_array_foreach(json_object_get(r, "over_rollen"), i, e)
    {
        char *type = text(json_object_get(e, "type"));
        printf("over rol      edge %lld %s\n",
               (long long)json_integer_value(json_object_get(e, "id")), type);
        free(type);
    }
    json_array_foreach(json_object_get(r, "taken"), i, e)
    {
        const json_t *t = json_object_get(e, "taak");
        char *h = text(prop(t, "gevraagdeHandeling")), *s = text(prop(t, "status"));
        printf("taak          %lld %s [%s]\n",
               (long long)json_integer_value(json_object_get(t, "id")), h, s);
        free(h);
        free(s);
    }
    if (json_is_integer(json_object_get(r, "corrects")))
        printf("corrects      %lld\n",
               (long long)json_integer_value(json_object_get(r, "corrects")));
    json_array_foreach(json_object_get(r, "corrected_by"), i, e)
        printf("corrected by  %lld\n", (long long)json_integer_value(e));
}

static void show_task(const cli_ctx_t *ctx, cli_format_t fmt, const json_t *r)
{
    cli_print_result(ctx, fmt, json_object_get(r, "taak"));
    if (fmt != CLI_FMT_CSV) {
        char *ids = id_list(json_object_get(r, "actoren"), NULL);
        printf("klantcontact  %lld\nactoren       %s\n",
               (long long)json_integer_value(
                   json_object_get(json_object_get(r, "klantcontact"), "id")),
               ids);
        free(ids);
    }
}

/* ---- the table ---- */

static int run_export(cli_ctx_t *ctx, const cc_cmd_t *c, const cli_args_t *a);

static const cc_cmd_t cc_cmds[] = {
    { "contact", "register", "contact.register",
      "contact register --kanaal K --onderwerp TEXT --plaatsgevonden-op TS --betrokkene "
      "P:ROL[:initiator] ... --actor A ... [--inhoud TEXT] [--initiator klant|medewerker] "
      "[--vertrouwelijk] [--taal CODE] [--gelukt yes|no] [--over-rol EDGE ...] [--corrects ID] "
      "[--reason TEXT]",
      "register a klantcontact (immutable) with its betrokkenen and actoren",
      "knoop contact register --kanaal telefoon --onderwerp 'Vraag over subsidie' "
      "--plaatsgevonden-op 2024-03-01T10:30:00+01:00 --betrokkene 9:klant:initiator --actor 4",
      0, 0, NULL, register_opts, b_register, show_contact },
    { "contact", "get", "contact.get", "contact get ID",
      "show a klantcontact with its betrokkenen, actoren, taken and corrections",
      "knoop contact get 12", 1, 1, "ID  a klantcontact id", no_opts, b_id, show_contact },
    { "contact", "list", "contact.list",
      "contact list (--partij P | --actor A) [--from DATE] [--to DATE] [--limit N]",
      "list the klantcontacten of a person, organisation or actor, newest first",
      "knoop contact list --partij 9 --from 2024-01-01", 0, 0, NULL, contact_list_opts,
      b_contact_list, show_contacts },
    { "task", "create", "task.create",
      "task create --klantcontact ID --handeling TEXT --actor A ... [--toelichting TEXT] "
      "[--status S] [--reason TEXT]",
      "register an interne taak that a klantcontact led to",
      "knoop task create --klantcontact 12 --handeling 'Terugbellen' --actor 4", 0, 0, NULL,
      task_create_opts, b_task_create, show_task },
    { "task", "get", "task.get", "task get ID", "show an interne taak", "knoop task get 15", 1, 1,
      "ID  an interne taak id", no_opts, b_id, show_task },
    { "task", "done", "task.done", "task done ID [--toelichting TEXT] [--reason TEXT]",
      "mark an interne taak afgehandeld (done)",
      "knoop task done 15 --toelichting 'Teruggebeld, opgelost'", 1, 1, "ID  an interne taak id",
      task_done_opts, b_task_done, show_task },
    { "task", "open", "task.open", "task open [--actor A] [--limit N]",
      "list the open interne taken (te verwerken), oldest first", "knoop task open --actor 4", 0, 0,
      NULL, task_open_opts, b_task_open, show_tasks },
    { "list", "create", "list.create", "list create --name NAME [--omschrijving TEXT]",
      "create a verzendlijst (mailing list)",
      "knoop list create --name 'Nieuwsbrief VNG' --omschrijving 'Maandelijks'", 0, 0, NULL,
      list_create_opts, b_list_create, NULL },
    { "list", "subscribe", "list.subscribe", "list subscribe LIST --person P [--from DATE]",
      "subscribe a person to a list (independent of the person's roles)",
      "knoop list subscribe 'Nieuwsbrief VNG' --person 9 --from 2024-01-01", 1, 1,
      "LIST  a list id, external key or name", list_subscribe_opts, b_list_subscribe, NULL },
    { "list", "unsubscribe", "list.unsubscribe", "list unsubscribe LIST --person P --on DATE",
      "end a person's subscription to a list on a date",
      "knoop list unsubscribe 'Nieuwsbrief VNG' --person 9 --on 2025-01-01", 1, 1,
      "LIST  a list id, external key or name", list_unsubscribe_opts, b_list_unsubscribe, NULL },
    { "list", "members", "list.members", "list members LIST [--at DATE] [--limit N]",
      "show who is subscribed to a list on a date", "knoop list members 'Nieuwsbrief VNG'", 1, 1,
      "LIST  a list id, external key or name", list_members_opts, b_list_members, show_members },
    { NULL, "export", NULL, "export --format klantinteracties [--out FILE]",
      "write the contact administration as Klantinteracties API resources (JSON)",
      "knoop export --format klantinteracties --out klantinteracties.json", 0, 0, NULL, export_opts,
      NULL, NULL },
};
#define CC_NCMDS (sizeof(cc_cmds) / sizeof(cc_cmds[0]))

static const char *const contact_words[] = { "register", "get", "list", NULL };
static const char *const task_words[] = { "create", "get", "done", "open", NULL };
static const char *const list_words[] = { "create", "subscribe", "unsubscribe", "members", NULL };

const char *const *cli_contact_group_words(const char *group)
{
    if (strcmp(group, "contact") == 0)
        return contact_words;
    if (strcmp(group, "task") == 0)
        return task_words;
    if (strcmp(group, "list") == 0)
        return list_words;
    return NULL;
}

void cli_contact_usage(FILE *f)
{
    /* `export` is listed by cli_import_usage, whose help names --format klantinteracties. */
    for (size_t i = 0; i < CC_NCMDS; i++) {
        char head[64];
        if (cc_cmds[i].group == NULL)
            continue;
        snprintf(head, sizeof(head), "%s%s%s", cc_cmds[i].group ? cc_cmds[i].group : "",
                 cc_cmds[i].group ? " " : "", cc_cmds[i].name);
        fprintf(f, "  %-14s %s\n", head, cc_cmds[i].summary);
    }
}

static void cmd_help(FILE *f, const cc_cmd_t *c)
{
    fprintf(f, "usage: knoop %s\n\n%c%s.\n", c->usage, c->summary[0] - 'a' + 'A', c->summary + 1);
    if (c->method != NULL)
        fprintf(f, "Calls the method %s.\n", c->method);
    if (c->pos_help != NULL)
        fprintf(f, "\narguments:\n  %s\n", c->pos_help);
    if (c->opts[0].name != NULL) {
        fputs("\noptions:\n", f);
        for (int i = 0; c->opts[i].name != NULL; i++) {
            char head[64];
            snprintf(head, sizeof(head), "--%s%s%s%s", c->opts[i].name, c->opts[i].arg ? " " : "",
                     c->opts[i].arg ? c->opts[i].arg : "", c->opts[i].multi ? " ..." : "");
            fprintf(f, "  %-24s %s\n", head, c->opts[i].help);
        }
    }
    fputs("\nglobal options: --json --csv --host H --port P --socket PATH --timeout MS\n", f);
    fprintf(f, "\nexample:\n  %s\n", c->example);
}

static void group_help(FILE *f, const char *group)
{
    fprintf(f, "usage: knoop %s SUBCOMMAND [args] [options]\n\nsubcommands:\n", group);
    for (size_t i = 0; i < CC_NCMDS; i++)
        if (cc_cmds[i].group != NULL && strcmp(cc_cmds[i].group, group) == 0)
            fprintf(f, "  %-12s %s\n", cc_cmds[i].name, cc_cmds[i].summary);
    fprintf(f, "\nRun 'knoop %s SUBCOMMAND --help' for details.\n", group);
}

static int usage_error(const cc_cmd_t *c, const char *group, const char *msg)
{
    fprintf(stderr, "knoop: %s\n", msg);
    if (c != NULL)
        fprintf(stderr, "usage: knoop %s\nRun 'knoop %s%s%s --help' for details.\n", c->usage,
                c->group ? c->group : "", c->group ? " " : "", c->name);
    else
        fprintf(stderr, "Run 'knoop %s --help' for the subcommands.\n", group);
    return CLI_EXIT_USAGE;
}

static const cc_cmd_t *find(const char *group, const char *name)
{
    for (size_t i = 0; i < CC_NCMDS; i++)
        if ((group == NULL ? cc_cmds[i].group == NULL
                           : cc_cmds[i].group != NULL && strcmp(cc_cmds[i].group, group) == 0) &&
            name != NULL && strcmp(cc_cmds[i].name, name) == 0)
            return &cc_cmds[i];
    return NULL;
}

static int run(cli_ctx_t *ctx, const cc_cmd_t *c, int argc, char **argv)
{
    cli_args_t a;
    cli_format_t fmt = ctx->format;
    char msg[320];
    json_t *params = NULL, *result = NULL;
    int rc;

    rc = cli_args_parse(&a, c->opts, argc, argv, msg, sizeof(msg));
    if (rc != 0) {
        cli_args_free(&a);
        return usage_error(c, NULL, msg);
    }
    if (cli_args_get(&a, "help") != NULL) {
        cli_args_free(&a);
        cmd_help(stdout, c);
        return CLI_EXIT_OK;
    }
    if ((rc = cli_apply_globals(ctx, &a, &fmt)) != 0) {
        cli_args_free(&a);
        return rc;
    }
    if (a.npos < c->min_pos || a.npos > c->max_pos) {
        if (a.npos < c->min_pos)
            snprintf(msg, sizeof(msg), "missing argument");
        else
            snprintf(msg, sizeof(msg), "unexpected argument '%.64s'", a.pos[a.npos - 1]);
        cli_args_free(&a);
        return usage_error(c, NULL, msg);
    }
    if (c->method == NULL) {
        rc = run_export(ctx, c, &a);
        cli_args_free(&a);
        return rc;
    }
    params = json_object();
    rc = params != NULL ? c->build(&a, params, msg, sizeof(msg)) : CLI_EXIT_SERVER;
    if (rc == CLI_EXIT_USAGE)
        rc = usage_error(c, NULL, msg);
    else if (rc == 0 && (rc = cli_call(ctx, c->method, params, &result)) == 0) {
        if (fmt == CLI_FMT_JSON || c->show == NULL)
            rc = cli_print_result(ctx, fmt, result);
        else
            c->show(ctx, fmt, result);
        if (fflush(stdout) != 0)
            rc = CLI_EXIT_SERVER;
    }
    json_decref(result);
    json_decref(params);
    cli_args_free(&a);
    return rc;
}

int cli_contact_run(cli_ctx_t *ctx, int argc, char **argv)
{
    const cc_cmd_t *c;
    char msg[160];

    if (argc < 1)
        return -1;
    if (strcmp(argv[0], "help") == 0 && argc >= 2) {
        if (cli_contact_group_words(argv[1]) == NULL && strcmp(argv[1], "export") != 0)
            return -1;
        if (argc == 2 && strcmp(argv[1], "export") != 0) {
            group_help(stdout, argv[1]);
            return CLI_EXIT_OK;
        }
        c = strcmp(argv[1], "export") == 0 ? find(NULL, "export") : find(argv[1], argv[2]);
        if (c == NULL) {
            snprintf(msg, sizeof(msg), "no help for '%.64s %.64s'", argv[1], argv[2]);
            return usage_error(NULL, argv[1], msg);
        }
        cmd_help(stdout, c);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[0], "export") == 0)
        return run(ctx, find(NULL, "export"), argc - 1, argv + 1);
    if (cli_contact_group_words(argv[0]) == NULL)
        return -1;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        group_help(argc < 2 ? stderr : stdout, argv[0]);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    c = find(argv[0], argv[1]);
    if (c == NULL) {
        snprintf(msg, sizeof(msg), "unknown subcommand '%.64s %.64s'", argv[0], argv[1]);
        return usage_error(NULL, argv[0], msg);
    }
    return run(ctx, c, argc - 2, argv + 2);
}

/* ---- export: name-based uuids (RFC 4122 version 5) ---- */

typedef struct {
    uint32_t h[5];
    uint64_t len;
    unsigned char buf[64];
    size_t n;
} cc_sha1_t;

static uint32_t rol32(uint32_t x, int k)
{
    return (x << k) | (x >> (32 - k));
}

static void sha1_block(cc_sha1_t *s, const unsigned char *p)
{
    uint32_t w[80], a, b, c, d, e, f, k, t;
    int i;
    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (i = 16; i < 80; i++)
        w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
    for (i = 0; i < 80; i++) {
        if (i < 20)
            f = (b & c) | (~b & d), k = 0x5a827999;
        else if (i < 40)
            f = b ^ c ^ d, k = 0x6ed9eba1;
        else if (i < 60)
            f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdc;
        else
            f = b ^ c ^ d, k = 0xca62c1d6;
        t = rol32(a, 5) + f + e + k + w[i];
        e = d, d = c, c = rol32(b, 30), b = a, a = t;
    }
    s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d, s->h[4] += e;
}

static void sha1_add(cc_sha1_t *s, const void *data, size_t len)
{
    const unsigned char *p = data;
    s->len += len;
    while (len-- > 0) {
        s->buf[s->n++] = *p++;
        if (s->n == 64) {
            sha1_block(s, s->buf);
            s->n = 0;
        }
    }
}

static void sha1(const void *a, size_t al, const void *b, size_t bl, unsigned char out[20])
{
    cc_sha1_t s = { { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 }, 0, { 0 }, 0 };
    uint64_t bits;
    unsigned char pad = 0x80, zero = 0, lenb[8];
    sha1_add(&s, a, al);
    sha1_add(&s, b, bl);
    bits = s.len * 8;
    sha1_add(&s, &pad, 1);
    while (s.n != 56)
        sha1_add(&s, &zero, 1);
    for (int i = 0; i < 8; i++)
        lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha1_add(&s, lenb, 8);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (unsigned char)(s.h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(s.h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(s.h[i] >> 8);
        out[4 * i + 3] = (unsigned char)s.h[i];
    }
}

/* The Knoop namespace for name-based uuids: 5b0e4c1e-8f2a-4d7b-9c3e-6a1f0d2b7e94. */
static const unsigned char cc_ns[16] = { 0x5b, 0x0e, 0x4c, 0x1e, 0x8f, 0x2a, 0x4d, 0x7b,
                                         0x9c, 0x3e, 0x6a, 0x1f, 0x0d, 0x2b, 0x7e, 0x94 };

/* The uuid of resource/id ("klantcontact/12") into out (37 bytes). */
static char *uuid_of(const char *resource, long long id, char *out)
{
    char name[96];
    unsigned char h[20];
    int n = snprintf(name, sizeof(name), "%s/%lld", resource, id);
    sha1(cc_ns, sizeof(cc_ns), name, (size_t)n, h);
    h[6] = (unsigned char)((h[6] & 0x0f) | 0x50);
    h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", h[0],
             h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13],
             h[14], h[15]);
    return out;
}

/* {"uuid": ..., "url": ...} of resource/id in collection. */
static json_t *fk(const char *resource, const char *collection, long long id)
{
    char u[37], url[160];
    uuid_of(resource, id, u);
    snprintf(url, sizeof(url), CC_URL_BASE "%s/%s", collection, u);
    return json_pack("{s:s, s:s}", "uuid", u, "url", url);
}

/* A new resource object starting with uuid and url. */
static json_t *resource(const char *res, const char *collection, long long id)
{
    return fk(res, collection, id);
}

static json_int_t jid(const json_t *o)
{
    return json_integer_value(json_object_get(o, "id"));
}

/* A string property (or "" when absent), as a new JSON string. */
static json_t *pstr(const json_t *node, const char *k)
{
    const json_t *v = prop(node, k);
    return json_is_string(v) ? json_incref((json_t *)v) : json_string("");
}

/* The first present string property among keys, or "". */
static json_t *pstr2(const json_t *node, const char *k1, const char *k2)
{
    return json_is_string(prop(node, k1)) ? pstr(node, k1) : pstr(node, k2);
}

static json_t *nummer(long long id)
{
    char s[24];
    snprintf(s, sizeof(s), "%010lld", id);
    return json_string(s);
}

static json_t *contactnaam(const json_t *person)
{
    return json_pack("{s:o, s:o, s:o, s:o}", "voorletters", pstr(person, "voorletters"), "voornaam",
                     pstr(person, "voornaam"), "voorvoegselAchternaam",
                     pstr2(person, "voorvoegselAchternaam", "tussenvoegsel"), "achternaam",
                     pstr(person, "achternaam"));
}

/* The Klantinteracties actor resource of an actor node. */
static json_t *actor_resource(const json_t *n)
{
    json_t *r = resource("actor", "actoren", jid(n));
    bool mdw = strcmp(json_string_value(json_object_get(n, "kind")), "person") == 0;
    const json_t *ident = prop(n, "actoridentificator");
    char idbuf[24];
    snprintf(idbuf, sizeof(idbuf), "%lld", (long long)jid(n));
    json_object_set_new(r, "naam", pstr(n, "name"));
    json_object_set_new(r, "soortActor",
                        json_string(mdw ? "medewerker" : "organisatorische_eenheid"));
    json_object_set_new(r, "indicatieActief", json_true());
    json_object_set_new(r, "actoridentificator",
                        json_pack("{s:s, s:s, s:s, s:s}", "objectId",
                                  json_is_string(ident) ? json_string_value(ident) : idbuf,
                                  "codeObjecttype", mdw ? "medewerker" : "organisatorische_eenheid",
                                  "codeRegister", "knoop", "codeSoortObjectId",
                                  json_is_string(ident) ? "actoridentificator" : "id"));
    if (mdw)
        json_object_set_new(r, "actorIdentificatie",
                            json_pack("{s:o, s:o, s:o}", "functie", pstr(n, "functie"),
                                      "emailadres", pstr2(n, "emailadres", "email"),
                                      "telefoonnummer", pstr2(n, "telefoonnummer", "telefoon")));
    else
        json_object_set_new(r, "actorIdentificatie",
                            json_pack("{s:o, s:o, s:o, s:o}", "omschrijving",
                                      pstr2(n, "omschrijving", "name"), "emailadres",
                                      pstr2(n, "emailadres", "email"), "faxnummer",
                                      pstr(n, "faxnummer"), "telefoonnummer",
                                      pstr2(n, "telefoonnummer", "telefoon")));
    return r;
}

/* Export state: resources by key "<kind>/<id>" for deduplication. */
typedef struct {
    json_t *out;    /* the document */
    json_t *partij; /* id -> partij resource */
    json_t *actors; /* id -> actor resource */
    json_t *worked; /* person id -> id of the organisation they were contacted for */
} cc_export_t;

static void add_partij(cc_export_t *x, const json_t *node, const char *betrokkene_uuid_res,
                       long long bet_id)
{
    char key[24];
    json_t *r;
    snprintf(key, sizeof(key), "%lld", (long long)jid(node));
    r = json_object_get(x->partij, key);
    if (r == NULL) {
        bool person = strcmp(json_string_value(json_object_get(node, "kind")), "person") == 0;
        r = resource("partij", "partijen", jid(node));
        json_object_set_new(r, "nummer", nummer(jid(node)));
        json_object_set_new(r, "interneNotitie", json_string(""));
        json_object_set_new(r, "betrokkenen", json_array());
        json_object_set_new(r, "digitaleAdressen", json_array());
        json_object_set_new(r, "voorkeursDigitaalAdres", json_null());
        json_object_set_new(r, "vertegenwoordigden", json_array());
        json_object_set_new(r, "rekeningnummers", json_array());
        json_object_set_new(r, "voorkeursRekeningnummer", json_null());
        json_object_set_new(r, "partijIdentificatoren", json_array());
        json_object_set_new(r, "soortPartij", json_string(person ? "persoon" : "organisatie"));
        json_object_set_new(r, "indicatieGeheimhouding", json_null());
        json_object_set_new(r, "voorkeurstaal", json_string(""));
        json_object_set_new(r, "indicatieActief", json_true());
        json_object_set_new(r, "bezoekadres", json_null());
        json_object_set_new(r, "correspondentieadres", json_null());
        if (person)
            json_object_set_new(r, "partijIdentificatie",
                                json_pack("{s:o, s:o}", "contactnaam", contactnaam(node),
                                          "volledigeNaam", pstr(node, "name")));
        else
            json_object_set_new(r, "partijIdentificatie",
                                json_pack("{s:o}", "naam", pstr(node, "name")));
        json_object_set_new(x->partij, key, r);
    }
    if (betrokkene_uuid_res != NULL)
        json_array_append_new(json_object_get(r, "betrokkenen"),
                              fk(betrokkene_uuid_res, "betrokkenen", bet_id));
}

/* Adds one contact.get view to the document. */
static void export_contact(cc_export_t *x, const json_t *v)
{
    const json_t *kc = json_object_get(v, "klantcontact"), *e;
    long long id = jid(kc);
    json_t *r = resource("klantcontact", "klantcontacten", id);
    json_t *onderwerp = json_array(), *actoren = json_array(), *bets = json_array(),
           *taken = json_array();
    const json_t *gelukt = prop(kc, "indicatieContactGelukt");
    size_t i;

    /* Objects the contact was about: the klantcontact it corrects, and roles. */
    if (json_is_integer(json_object_get(v, "corrects"))) {
        long long old = json_integer_value(json_object_get(v, "corrects"));
        char ou[37];
        json_t *o = resource("onderwerpobject/corrigeert", "onderwerpobjecten", id);
        json_object_set_new(o, "klantcontact", fk("klantcontact", "klantcontacten", id));
        json_object_set_new(o, "wasKlantcontact", fk("klantcontact", "klantcontacten", old));
        json_object_set_new(o, "onderwerpobjectidentificator",
                            json_pack("{s:s, s:s, s:s, s:s}", "objectId",
                                      uuid_of("klantcontact", old, ou), "codeObjecttype",
                                      "klantcontact", "codeRegister", "knoop", "codeSoortObjectId",
                                      "uuid"));
        json_array_append_new(onderwerp, fk("onderwerpobject/corrigeert", "onderwerpobjecten", id));
        json_array_append_new(json_object_get(x->out, "onderwerpobjecten"), o);
    }
    json_array_foreach(json_object_get(v, "over_rollen"), i, e)
    {
        char res[64], oid[24];
        json_t *o;
        snprintf(res, sizeof(res), "onderwerpobject/rol/%lld", id);
        snprintf(oid, sizeof(oid), "%lld", (long long)jid(e));
        o = resource(res, "onderwerpobjecten", jid(e));
        json_object_set_new(o, "klantcontact", fk("klantcontact", "klantcontacten", id));
        json_object_set_new(o, "wasKlantcontact", json_null());
        json_object_set_new(o, "onderwerpobjectidentificator",
                            json_pack("{s:s, s:s, s:s, s:s}", "objectId", oid, "codeObjecttype",
                                      "rol", "codeRegister", "knoop", "codeSoortObjectId", "id"));
        json_array_append_new(onderwerp, fk(res, "onderwerpobjecten", jid(e)));
        json_array_append_new(json_object_get(x->out, "onderwerpobjecten"), o);
        /* A person contacted in a role at an organisation is that organisation's contactpersoon. */
        {
            char src[24];
            snprintf(src, sizeof(src), "%lld",
                     (long long)json_integer_value(json_object_get(e, "source")));
            if (json_object_get(x->worked, src) == NULL)
                json_object_set_new(x->worked, src, json_incref(json_object_get(e, "target")));
        }
    }
    json_array_foreach(json_object_get(v, "actoren"), i, e)
    {
        char key[24];
        snprintf(key, sizeof(key), "%lld", (long long)jid(e));
        json_array_append_new(actoren, actor_resource(e));
        if (json_object_get(x->actors, key) == NULL)
            json_object_set_new(x->actors, key, actor_resource(e));
    }
    json_array_foreach(json_object_get(v, "betrokkenen"), i, e)
    {
        const json_t *edge = json_object_get(e, "edge"), *partij = json_object_get(e, "partij");
        bool person = strcmp(json_string_value(json_object_get(partij, "kind")), "person") == 0;
        json_t *b = resource("betrokkene", "betrokkenen", jid(edge));
        const json_t *ini = json_object_get(json_object_get(edge, "props"), "initiator");
        json_t *org;
        json_object_set_new(b, "wasPartij", fk("partij", "partijen", jid(partij)));
        json_object_set_new(b, "hadKlantcontact", fk("klantcontact", "klantcontacten", id));
        json_object_set_new(b, "digitaleAdressen", json_array());
        json_object_set_new(b, "bezoekadres", json_null());
        json_object_set_new(b, "correspondentieadres", json_null());
        json_object_set_new(b, "contactnaam", person ? contactnaam(partij) : json_null());
        json_object_set_new(b, "volledigeNaam", pstr(partij, "name"));
        json_object_set_new(b, "rol", pstr(edge, "rol"));
        org = pstr(edge, "organisatienaam");
        if (!person && json_string_length(org) == 0) {
            /* An organisation as betrokkene: its own name. */
            json_decref(org);
            org = pstr(partij, "name");
        }
        json_object_set_new(b, "organisatienaam", org);
        json_object_set_new(b, "initiator", json_boolean(json_is_true(ini)));
        json_array_append_new(json_object_get(x->out, "betrokkenen"), b);
        json_array_append_new(bets, fk("betrokkene", "betrokkenen", jid(edge)));
        add_partij(x, partij, "betrokkene", jid(edge));
    }
    json_array_foreach(json_object_get(v, "taken"), i, e)
    {
        const json_t *t = json_object_get(e, "taak"), *a;
        json_t *tr = resource("internetaak", "internetaken", jid(t)), *ta = json_array();
        const json_t *st = prop(t, "status"), *done = prop(t, "afgehandeldOp");
        size_t j;
        json_object_set_new(tr, "nummer", nummer(jid(t)));
        json_object_set_new(tr, "gevraagdeHandeling", pstr(t, "gevraagdeHandeling"));
        json_object_set_new(tr, "aanleidinggevendKlantcontact",
                            fk("klantcontact", "klantcontacten", id));
        json_array_foreach(json_object_get(e, "actoren"), j, a)
        {
            char key[24];
            snprintf(key, sizeof(key), "%lld", (long long)jid(a));
            json_array_append_new(ta, fk("actor", "actoren", jid(a)));
            if (json_object_get(x->actors, key) == NULL)
                json_object_set_new(x->actors, key, actor_resource(a));
        }
        json_object_set_new(tr, "toegewezenAanActor",
                            json_array_size(ta) > 0 ? json_incref(json_array_get(ta, 0))
                                                    : json_null());
        json_object_set_new(tr, "toegewezenAanActoren", ta);
        json_object_set_new(tr, "toelichting", pstr(t, "toelichting"));
        json_object_set_new(
            tr, "status",
            json_string(json_is_string(st) && strcmp(json_string_value(st), "afgehandeld") == 0
                            ? "verwerkt"
                            : "te_verwerken"));
        json_object_set_new(tr, "toegewezenOp", pstr(t, "toegewezenOp"));
        json_object_set_new(tr, "afgehandeldOp",
                            json_is_string(done) ? json_incref((json_t *)done) : json_null());
        json_array_append_new(json_object_get(x->out, "interneTaken"), tr);
        json_array_append_new(taken, fk("internetaak", "internetaken", jid(t)));
    }
    json_object_set_new(r, "gingOverOnderwerpobjecten", onderwerp);
    json_object_set_new(r, "hadBetrokkenActoren", actoren);
    json_object_set_new(r, "omvatteBijlagen", json_array());
    json_object_set_new(r, "hadBetrokkenen", bets);
    json_object_set_new(r, "leiddeTotInterneTaken", taken);
    json_object_set_new(r, "nummer", nummer(id));
    json_object_set_new(r, "kanaal", pstr(kc, "kanaal"));
    json_object_set_new(r, "onderwerp", pstr(kc, "onderwerp"));
    json_object_set_new(r, "inhoud", pstr(kc, "inhoud"));
    json_object_set_new(r, "indicatieContactGelukt",
                        json_is_boolean(gelukt) ? json_incref((json_t *)gelukt) : json_null());
    json_object_set_new(r, "taal", pstr(kc, "taal"));
    json_object_set_new(r, "vertrouwelijk", json_boolean(json_is_true(prop(kc, "vertrouwelijk"))));
    json_object_set_new(r, "plaatsgevondenOp", pstr(kc, "plaatsgevondenOp"));
    json_array_append_new(json_object_get(x->out, "klantcontacten"), r);
}

/* Turns persons who were contacted in a role into contactpersonen of the role's organisation
 * (adding that organisation as a partij), then moves partijen and actoren into the document. */
static int export_finish(cli_ctx_t *ctx, cc_export_t *x)
{
    const char *key;
    json_t *v;
    int rc = 0;

    json_object_foreach(x->worked, key, v)
    {
        json_t *p = json_object_get(x->partij, key), *params, *org = NULL, *ident;
        char ok[24];
        if (p == NULL || strcmp(json_string_value(json_object_get(p, "soortPartij")), "persoon"))
            continue;
        snprintf(ok, sizeof(ok), "%lld", (long long)json_integer_value(v));
        if (json_object_get(x->partij, ok) == NULL) {
            params = json_pack("{s:I}", "id", (json_int_t)json_integer_value(v));
            rc = cli_call(ctx, "node.get", params, &org);
            json_decref(params);
            if (rc != 0)
                return rc;
            add_partij(x, org, NULL, 0);
            json_decref(org);
        }
        if (strcmp(
                json_string_value(json_object_get(json_object_get(x->partij, ok), "soortPartij")),
                "organisatie") != 0)
            continue;
        ident = json_object_get(p, "partijIdentificatie");
        json_object_set_new(p, "soortPartij", json_string("contactpersoon"));
        json_object_set_new(p, "partijIdentificatie",
                            json_pack("{s:o, s:O, s:O}", "werkteVoorPartij",
                                      fk("partij", "partijen", json_integer_value(v)),
                                      "contactnaam", json_object_get(ident, "contactnaam"),
                                      "volledigeNaam", json_object_get(ident, "volledigeNaam")));
    }
    json_object_foreach(x->partij, key, v)
        json_array_append(json_object_get(x->out, "partijen"), v);
    json_object_foreach(x->actors, key, v) json_array_append(json_object_get(x->out, "actoren"), v);
    return 0;
}

int cli_export_klantinteracties(cli_ctx_t *ctx, FILE *out)
{
    cc_export_t x;
    json_t *params, *found = NULL, *n;
    size_t i;
    int rc;

    params = json_pack("{s:s, s:s, s:i}", "kind", "contact", "type", "klantcontact", "limit",
                       CC_EXPORT_MAX);
    rc = cli_call(ctx, "node.find", params, &found);
    json_decref(params);
    if (rc != 0)
        return rc;
    if (json_is_true(json_object_get(found, "more"))) {
        fprintf(stderr,
                "knoop: more than %d klantcontacten; export them in parts (not yet "
                "supported)\n",
                CC_EXPORT_MAX);
        json_decref(found);
        return CLI_EXIT_SERVER;
    }
    x.out = json_pack("{s:[], s:[], s:[], s:[], s:[], s:[], s:[]}", "klantcontacten", "betrokkenen",
                      "partijen", "interneTaken", "actoren", "onderwerpobjecten", "bijlagen");
    x.partij = json_object();
    x.actors = json_object();
    x.worked = json_object();
    if (x.out == NULL || x.partij == NULL || x.actors == NULL || x.worked == NULL) {
        rc = CLI_EXIT_SERVER;
        fprintf(stderr, "knoop: out of memory\n");
    }
    json_array_foreach(json_object_get(found, "nodes"), i, n)
    {
        json_t *view = NULL;
        if (rc != 0)
            break;
        params = json_pack("{s:I}", "id", jid(n));
        rc = cli_call(ctx, "contact.get", params, &view);
        json_decref(params);
        if (rc == 0)
            export_contact(&x, view);
        json_decref(view);
    }
    if (rc == 0)
        rc = export_finish(ctx, &x);
    if (rc == 0) {
        if (json_dumpf(x.out, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
            fputc('\n', out) == EOF || fflush(out) != 0) {
            fprintf(stderr, "knoop: export: write failed\n");
            rc = CLI_EXIT_SERVER;
        }
    }
    json_decref(found);
    json_decref(x.out);
    json_decref(x.partij);
    json_decref(x.actors);
    json_decref(x.worked);
    return rc;
}

/* c is the export command, for its usage line. */
static int run_export(cli_ctx_t *ctx, const cc_cmd_t *c, const cli_args_t *a)
{
    const char *format = cli_args_get(a, "format"), *path = cli_args_get(a, "out");
    FILE *f = stdout;
    int rc;

    if (format == NULL)
        return usage_error(c, NULL, "--format is required");
    if (strcmp(format, "klantinteracties") != 0) {
        char msg[128];
        snprintf(msg, sizeof(msg), "--format: expected klantinteracties, got '%.32s'", format);
        return usage_error(c, NULL, msg);
    }
    if (path != NULL && (f = fopen(path, "w")) == NULL) {
        fprintf(stderr, "knoop: --out: cannot open '%.200s' for writing\n", path);
        return CLI_EXIT_USAGE;
    }
    rc = cli_export_klantinteracties(ctx, f);
    if (f != stdout && fclose(f) != 0 && rc == 0) {
        fprintf(stderr, "knoop: --out: write to '%.200s' failed\n", path);
        rc = CLI_EXIT_SERVER;
    }
    return rc;
}
