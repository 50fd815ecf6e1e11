/*
 * cli_path.c - `knoop path A B`, `knoop neighbourhood NODE` and `knoop graph` (layer: client,
 * CLI). path prints each path hop by hop in words (query.path); neighbourhood lists the nodes
 * around one node, strongest first (query.neighbourhood); graph writes a Graphviz DOT picture
 * of a node's network to a depth (edge.list and node.get, breadth-first, at most --max-nodes
 * nodes) or of the paths between two nodes (query.path), and SVG or PNG through Graphviz's
 * `dot` (Debian's graphviz package) when --out names such a file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli.h"

static const char *js(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s != NULL ? s : "";
}

static json_t *ref_param(const char *s)
{
    if (cli_all_digits(s) && strlen(s) < 19)
        return json_integer(strtoll(s, NULL, 10));
    return json_string(s);
}

/* Adds --at or --from/--to, --links, --exclude, --max-hops, -k, --examples to p. */
static int path_params(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    static const char *const dates[] = { "at", "from", "to" };
    static const char *const nums[][2] = { { "k", "k" },
                                           { "max-hops", "max_hops" },
                                           { "depth", "depth" },
                                           { "limit", "limit" },
                                           { "max-expanded", "max_expanded" } };
    for (size_t i = 0; i < 3; i++) {
        const char *v = cli_args_get(a, dates[i]);
        if (v == NULL)
            continue;
        if (!cli_valid_date(v))
            return cli_bad(msg, msgsz, "--%s: expected YYYY-MM-DD, got '%.32s'", dates[i], v);
        json_object_set_new(p, dates[i], json_string(v));
    }
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        const char *v = cli_args_get(a, nums[i][0]);
        if (v == NULL)
            continue;
        if (!cli_all_digits(v) || strlen(v) > 9)
            return cli_bad(msg, msgsz, "--%s: expected a number, got '%.32s'", nums[i][0], v);
        json_object_set_new(p, nums[i][1], json_integer(atoll(v)));
    }
    if (cli_args_count(a, "links") > 0) {
        json_t *l = json_array();
        for (int i = 0; i < cli_args_count(a, "links"); i++)
            json_array_append_new(l, json_string(cli_args_nth(a, "links", i)));
        json_object_set_new(p, "links", l);
    }
    if (cli_args_count(a, "exclude") > 0) {
        json_t *l = json_array();
        for (int i = 0; i < cli_args_count(a, "exclude"); i++)
            json_array_append_new(l, ref_param(cli_args_nth(a, "exclude", i)));
        json_object_set_new(p, "exclude", l);
    }
    if (cli_args_count(a, "examples") > 0)
        json_object_set_new(p, "examples", json_true());
    cli_known_at(a, p);
    return 0;
}

/* "2022-09-01 … 2026-12-31" (an open end: "2022-09-01 … heden"). */
static void period_text(const json_t *per, char *out, size_t sz)
{
    const char *f = js(per, "from"), *t = js(per, "to");
    snprintf(out, sz, "%s … %s", f[0] ? f : "?", t[0] ? t : "heden");
}

/* The role types of a hop, "lid" or "wethouder / lid". */
static void roles_text(const json_t *hop, char *out, size_t sz)
{
    const json_t *r = json_object_get(hop, "roles");
    const char *a = js(json_array_get(r, 0), "type"), *b = js(json_array_get(r, 1), "type");
    if (b[0] == '\0' || strcmp(a, b) == 0)
        snprintf(out, sz, "%s", a);
    else
        snprintf(out, sz, "%s / %s", a, b);
}

/* A node's name in words: persons by name, others as "name (key)" so that the province and
 * the veiligheidsregio "Flevoland" are told apart. Returns buf. */
static const char *nm(const json_t *n, char *buf, size_t sz)
{
    if (strcmp(js(n, "kind"), "person") != 0 && js(n, "key")[0] != '\0')
        snprintf(buf, sz, "%s (%s)", js(n, "name"), js(n, "key"));
    else
        snprintf(buf, sz, "%s", js(n, "name"));
    return buf;
}

/* One hop in words: "P. Jansen — lid, Commissie Milieu, 2022-09-01 … 2026-12-31 — A. de Vries". */
static void hop_text(const json_t *hop, char *out, size_t sz)
{
    char per[64], roles[200], f[200], t[200], o[200];
    const char *link = js(hop, "link");
    period_text(json_object_get(hop, "period"), per, sizeof(per));
    roles_text(hop, roles, sizeof(roles));
    nm(json_object_get(hop, "from"), f, sizeof(f));
    nm(json_object_get(hop, "to"), t, sizeof(t));
    nm(json_object_get(hop, "org"), o, sizeof(o));
    if (strcmp(link, "kent") == 0)
        snprintf(out, sz, "%s — kent, %s — %s", f, per, t);
    else if (strcmp(link, "contact") == 0)
        snprintf(out, sz, "%s — klantcontact (%s), %s — %s", f, roles,
                 js(json_object_get(hop, "period"), "from"), t);
    else if (strcmp(link, "membership") == 0)
        snprintf(out, sz, "%s — %s, %s — %s", f, roles, per, t);
    else
        snprintf(out, sz, "%s — %s, %s, %s — %s", f, roles, o, per, t);
}

static void csv_cell(const char *s, bool last)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, stdout);
    } else {
        fputc('"', stdout);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', stdout);
            fputc(*s, stdout);
        }
        fputc('"', stdout);
    }
    fputs(last ? "\r\n" : ",", stdout);
}

static int print_paths(const cli_ctx_t *ctx, cli_format_t fmt, const json_t *res)
{
    const json_t *paths = json_object_get(res, "paths"), *p, *h;
    size_t i, j;
    if (fmt == CLI_FMT_JSON)
        return cli_print_result(ctx, fmt, res);
    if (fmt == CLI_FMT_CSV)
        fputs("pad,stap,van,verband,rollen,organisatie,vanaf,tot,naar\r\n", stdout);
    json_array_foreach(paths, i, p)
    {
        if (fmt == CLI_FMT_TABLE)
            printf("%sPad %zu (%lld %s)\n", i ? "\n" : "", i + 1,
                   (long long)json_integer_value(json_object_get(p, "length")),
                   json_integer_value(json_object_get(p, "length")) == 1 ? "stap" : "stappen");
        json_array_foreach(json_object_get(p, "hops"), j, h)
        {
            char line[1024], roles[200], n1[24], n2[24];
            if (fmt == CLI_FMT_TABLE) {
                hop_text(h, line, sizeof(line));
                printf("  %zu. %s\n", j + 1, line);
                continue;
            }
            snprintf(n1, sizeof(n1), "%zu", i + 1);
            snprintf(n2, sizeof(n2), "%zu", j + 1);
            roles_text(h, roles, sizeof(roles));
            csv_cell(n1, false);
            csv_cell(n2, false);
            csv_cell(js(json_object_get(h, "from"), "name"), false);
            csv_cell(js(h, "link"), false);
            csv_cell(roles, false);
            csv_cell(js(json_object_get(h, "org"), "name"), false);
            csv_cell(js(json_object_get(h, "period"), "from"), false);
            csv_cell(js(json_object_get(h, "period"), "to"), false);
            csv_cell(js(json_object_get(h, "to"), "name"), true);
        }
    }
    if (fmt == CLI_FMT_TABLE && json_array_size(paths) == 0)
        printf("Geen pad gevonden.\n");
    if (json_is_true(json_object_get(res, "bound_hit")))
        fprintf(stderr,
                "knoop: the search stopped at a bound (%s) after expanding %lld nodes; longer "
                "or further paths may exist (raise --max-hops or --max-expanded)\n",
                js(res, "bound"), (long long)json_integer_value(json_object_get(res, "expanded")));
    return 0;
}

static int print_nbh(const cli_ctx_t *ctx, cli_format_t fmt, const json_t *res)
{
    const json_t *n;
    const char *k;
    json_t *v;
    size_t i;
    if (fmt == CLI_FMT_JSON)
        return cli_print_result(ctx, fmt, res);
    if (fmt == CLI_FMT_CSV)
        fputs("afstand,naam,sleutel,soort,score,gedeelde_organisaties,jaren_overlap\r\n", stdout);
    else {
        printf("Rond %s: %lld knopen", js(json_object_get(res, "node"), "name"),
               (long long)json_integer_value(json_object_get(res, "total")));
        json_object_foreach(json_object_get(res, "counts"), k, v)
            printf(", %s %lld", k, (long long)json_integer_value(v));
        printf("\n%-8s %-40s %-16s %-8s %s\n", "afstand", "naam", "sleutel", "score", "gedeeld");
    }
    json_array_foreach(json_object_get(res, "nodes"), i, n)
    {
        const json_t *node = json_object_get(n, "node");
        char d[16], s[32], sh[16], y[32];
        snprintf(d, sizeof(d), "%lld",
                 (long long)json_integer_value(json_object_get(n, "distance")));
        snprintf(s, sizeof(s), "%.2f", json_number_value(json_object_get(n, "score")));
        snprintf(sh, sizeof(sh), "%lld",
                 (long long)json_integer_value(json_object_get(n, "shared")));
        snprintf(y, sizeof(y), "%.2f", json_number_value(json_object_get(n, "overlap_years")));
        if (fmt == CLI_FMT_CSV) {
            csv_cell(d, false);
            csv_cell(js(node, "name"), false);
            csv_cell(js(node, "key"), false);
            csv_cell(js(node, "kind"), false);
            csv_cell(s, false);
            csv_cell(sh, false);
            csv_cell(y, true);
        } else {
            printf("%-8s %-40.40s %-16.16s %-8s %s\n", d, js(node, "name"), js(node, "key"), s, sh);
        }
    }
    if (json_is_true(json_object_get(res, "more")))
        fputs("knoop: more nodes than --limit; raise it to see them all\n", stderr);
    return 0;
}

/* ---- Graphviz ---- */

/* A picture being built: nodes by id (summaries) and edges (label, style), deduplicated. */
typedef struct {
    json_t *nodes; /* id text -> {id, kind, type, name, key} */
    json_t *edges; /* "a b label" -> {a, b, label, style} */
} pic_t;

static void pic_node(pic_t *g, const json_t *n)
{
    char id[32];
    snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(n, "id")));
    if (json_object_get(g->nodes, id) == NULL)
        json_object_set(g->nodes, id, (json_t *)n);
}

/* Adds an edge a -> b; a second edge between the same two nodes in the same style adds its
 * label to the first, so that a person's roles at one organisation are one arrow. */
static void pic_edge(pic_t *g, json_int_t a, json_int_t b, const char *label, const char *style)
{
    char key[128];
    json_t *e;
    snprintf(key, sizeof(key), "%lld %lld %s", (long long)a, (long long)b, style);
    if ((e = json_object_get(g->edges, key)) == NULL) {
        json_object_set_new(g->edges, key,
                            json_pack("{s:I,s:I,s:s,s:s}", "a", (json_int_t)a, "b", (json_int_t)b,
                                      "label", label, "style", style));
        return;
    }
    if (strstr(js(e, "label"), label) == NULL) {
        char both[2048];
        snprintf(both, sizeof(both), "%s\n%s", js(e, "label"), label);
        json_object_set_new(e, "label", json_string(both));
    }
}

/* Writes s as a DOT double-quoted string body. */
static void dot_str(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\n') {
            fputs("\\n", f);
            continue;
        }
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
}

static bool is_org(const json_t *n)
{
    const char *k = js(n, "kind");
    return strcmp(k, "organisation") == 0 || strcmp(k, "body") == 0 || strcmp(k, "project") == 0;
}

/*
 * Writes g as DOT: persons as rounded ellipses, organisations, bodies and projects as filled
 * boxes, each in a cluster of its own labelled with its type; a person linked to exactly one
 * organisation in the picture is drawn inside that organisation's cluster. Edge labels carry
 * the role and its period.
 */
static void pic_write(FILE *f, const pic_t *g, const char *title)
{
    const char *id;
    json_t *n, *e;
    fputs("digraph knoop {\n  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, label=\"", f);
    dot_str(f, title);
    fputs("\", labelloc=t];\n  node [fontname=\"Helvetica\", fontsize=10];\n"
          "  edge [fontname=\"Helvetica\", fontsize=8, color=\"#555555\"];\n",
          f);
    /* The organisation each person belongs to when it has exactly one in the picture. */
    json_t *home = json_object();
    json_object_foreach(g->nodes, id, n)
    {
        const char *k;
        char only[32] = "";
        bool many = false;
        if (is_org(n))
            continue;
        json_object_foreach(g->edges, k, e)
        {
            char a[32], b[32];
            const char *oid;
            const json_t *o;
            snprintf(a, sizeof(a), "%lld", (long long)json_integer_value(json_object_get(e, "a")));
            snprintf(b, sizeof(b), "%lld", (long long)json_integer_value(json_object_get(e, "b")));
            oid = strcmp(a, id) == 0 ? b : strcmp(b, id) == 0 ? a : NULL;
            if (oid == NULL || (o = json_object_get(g->nodes, oid)) == NULL || !is_org(o))
                continue;
            if (only[0] == '\0')
                snprintf(only, sizeof(only), "%s", oid);
            else if (strcmp(only, oid) != 0)
                many = true;
        }
        if (only[0] != '\0' && !many)
            json_object_set_new(home, id, json_string(only));
    }
    json_object_foreach(g->nodes, id, n)
    {
        const char *pid;
        json_t *h;
        if (!is_org(n))
            continue;
        fprintf(f, "  subgraph \"cluster_%s\" {\n    label=\"", id);
        dot_str(f, js(n, "type")[0] ? js(n, "type") : js(n, "kind"));
        fputs("\"; style=\"rounded,dashed\"; color=\"#8899aa\"; fontsize=9;\n", f);
        fprintf(f,
                "    \"%s\" [shape=box, style=\"filled,rounded\", fillcolor=\"#dde8f5\", label=\"",
                id);
        dot_str(f, js(n, "name"));
        if (js(n, "key")[0]) {
            fputs("\\n", f);
            dot_str(f, js(n, "key"));
        }
        fputs("\"];\n", f);
        json_object_foreach(home, pid, h)
        {
            if (strcmp(json_string_value(h), id) != 0)
                continue;
            fprintf(f, "    \"%s\" [shape=ellipse, style=filled, fillcolor=\"#fff4d6\", label=\"",
                    pid);
            dot_str(f, js(json_object_get(g->nodes, pid), "name"));
            fputs("\"];\n", f);
        }
        fputs("  }\n", f);
    }
    json_object_foreach(g->nodes, id, n)
    {
        if (is_org(n) || json_object_get(home, id) != NULL)
            continue;
        fprintf(f, "  \"%s\" [shape=ellipse, style=filled, fillcolor=\"#fff4d6\", label=\"", id);
        dot_str(f, js(n, "name"));
        fputs("\"];\n", f);
    }
    const char *k;
    json_object_foreach(g->edges, k, e)
    {
        fprintf(f, "  \"%lld\" -> \"%lld\" [label=\"",
                (long long)json_integer_value(json_object_get(e, "a")),
                (long long)json_integer_value(json_object_get(e, "b")));
        dot_str(f, js(e, "label"));
        fprintf(f, "\", style=%s%s];\n", js(e, "style"),
                strcmp(js(e, "style"), "solid") == 0 ? "" : ", dir=none");
    }
    fputs("}\n", f);
    json_decref(home);
}

/* "lid\n2022-09-01 … heden" for an edge as edge.get shows it. */
static void edge_label(const json_t *e, char *out, size_t sz)
{
    const char *f = js(e, "valid_from"), *t = js(e, "valid_to");
    snprintf(out, sz, "%s\n%s … %s", js(e, "type"), f, t[0] ? t : "heden");
}

static int pic_from_paths(pic_t *g, const json_t *res)
{
    const json_t *p, *h;
    size_t i, j;
    json_array_foreach(json_object_get(res, "paths"), i, p)
    {
        json_array_foreach(json_object_get(p, "hops"), j, h)
        {
            const json_t *from = json_object_get(h, "from"), *to = json_object_get(h, "to");
            const json_t *org = json_object_get(h, "org"), *roles = json_object_get(h, "roles");
            const char *link = js(h, "link");
            json_int_t a = json_integer_value(json_object_get(from, "id"));
            json_int_t b = json_integer_value(json_object_get(to, "id"));
            char l1[300], l2[300];
            pic_node(g, from);
            pic_node(g, to);
            if (strcmp(link, "co-membership") == 0 && json_is_object(org)) {
                json_int_t o = json_integer_value(json_object_get(org, "id"));
                pic_node(g, org);
                edge_label(json_array_get(roles, 0), l1, sizeof(l1));
                edge_label(json_array_get(roles, 1), l2, sizeof(l2));
                pic_edge(g, a, o, l1, "solid");
                pic_edge(g, b, o, l2, "solid");
            } else if (strcmp(link, "membership") == 0) {
                const json_t *e = json_array_get(roles, 0);
                edge_label(e, l1, sizeof(l1));
                pic_edge(g, json_integer_value(json_object_get(e, "source")),
                         json_integer_value(json_object_get(e, "target")), l1, "solid");
            } else if (strcmp(link, "kent") == 0) {
                edge_label(json_array_get(roles, 0), l1, sizeof(l1));
                pic_edge(g, a, b, l1, "dashed");
            } else {
                snprintf(l1, sizeof(l1), "klantcontact\n%s",
                         js(json_object_get(h, "period"), "from"));
                pic_edge(g, a, b, l1, "dotted");
            }
        }
    }
    return 0;
}

static json_int_t jint0(const json_t *n)
{
    return json_integer_value(json_object_get(n, "id"));
}

/* A node's network to depth: breadth-first over edge.list (both directions, on --at when
 * given), persons and organisations only, at most max nodes. */
static int pic_from_node(cli_ctx_t *ctx, pic_t *g, const char *start, int depth, const char *at,
                         const char *known_at, int max)
{
    json_t *frontier = json_array(), *next, *res;
    knoop_error_t err;
    int rc = 0;

    json_t *gp = json_pack("{s:o}", "id", ref_param(start));
    if (known_at != NULL)
        json_object_set_new(gp, "known_at", json_string(known_at));
    rc = cli_rpc(ctx, "node.get", gp, &res, &err);
    json_decref(gp);
    if (rc != 0) {
        json_decref(frontier);
        return cli_rpc_error(ctx, rc, &err);
    }
    json_t *sum = json_pack("{s:O,s:O,s:O,s:s,s:s}", "id", json_object_get(res, "id"), "kind",
                            json_object_get(res, "kind"), "type", json_object_get(res, "type"),
                            "name", "", "key", "");
    json_decref(res);
    json_array_append_new(frontier, json_copy(json_object_get(sum, "id")));
    {
        char sid[32];
        snprintf(sid, sizeof(sid), "%lld", (long long)jint0(sum));
        json_object_set_new(g->nodes, sid, json_pack("{s:I}", "id", jint0(sum)));
    }
    json_decref(sum);
    for (int d = 0; d < depth && rc == 0 && json_array_size(frontier) > 0; d++) {
        size_t i;
        json_t *id;
        next = json_array();
        json_array_foreach(frontier, i, id)
        {
            json_t *p = json_pack("{s:O,s:s,s:i}", "node", id, "direction", "both", "limit", 200);
            json_t *e;
            size_t j;
            if (at != NULL)
                json_object_set_new(p, "at", json_string(at));
            if (known_at != NULL)
                json_object_set_new(p, "known_at", json_string(known_at));
            rc = cli_rpc(ctx, "edge.list", p, &res, &err);
            json_decref(p);
            if (rc != 0) {
                rc = cli_rpc_error(ctx, rc, &err);
                break;
            }
            json_array_foreach(json_object_get(res, "edges"), j, e)
            {
                char label[300], sid[32], tid[32];
                json_int_t s = json_integer_value(json_object_get(e, "source"));
                json_int_t t = json_integer_value(json_object_get(e, "target"));
                snprintf(sid, sizeof(sid), "%lld", (long long)s);
                snprintf(tid, sizeof(tid), "%lld", (long long)t);
                bool have_s = json_object_get(g->nodes, sid) != NULL || s == json_integer_value(id);
                bool have_t = json_object_get(g->nodes, tid) != NULL || t == json_integer_value(id);
                if ((!have_s || !have_t) && (int)json_object_size(g->nodes) >= max)
                    continue;
                edge_label(e, label, sizeof(label));
                /* Node summaries are filled in below; placeholders keep the count. */
                if (json_object_get(g->nodes, sid) == NULL) {
                    json_object_set_new(g->nodes, sid, json_pack("{s:I}", "id", s));
                    json_array_append_new(next, json_integer(s));
                }
                if (json_object_get(g->nodes, tid) == NULL) {
                    json_object_set_new(g->nodes, tid, json_pack("{s:I}", "id", t));
                    json_array_append_new(next, json_integer(t));
                }
                pic_edge(g, s, t, label, strcmp(js(e, "type"), "kent") == 0 ? "dashed" : "solid");
            }
            json_decref(res);
        }
        json_decref(frontier);
        frontier = next;
    }
    json_decref(frontier);
    /* Fill in names and kinds; drop what is neither a person nor an organisation. */
    const char *k;
    json_t *n, *tmp;
    json_object_foreach_safe(g->nodes, tmp, k, n)
    {
        json_t *r;
        if (rc != 0)
            break;
        json_t *np = json_pack("{s:I}", "id", json_integer_value(json_object_get(n, "id")));
        if (known_at != NULL)
            json_object_set_new(np, "known_at", json_string(known_at));
        rc = cli_rpc(ctx, "node.get", np, &r, &err);
        json_decref(np);
        if (rc != 0) {
            rc = cli_rpc_error(ctx, rc, &err);
            break;
        }
        const json_t *props = json_object_get(r, "props");
        const char *kind = js(r, "kind");
        char name[300];
        if (js(props, "name")[0])
            snprintf(name, sizeof(name), "%s", js(props, "name"));
        else
            snprintf(name, sizeof(name), "%s%s%s%s%s", js(props, "initials"),
                     js(props, "initials")[0] ? " " : "", js(props, "tussenvoegsel"),
                     js(props, "tussenvoegsel")[0] ? " " : "", js(props, "surname"));
        json_object_set_new(n, "kind", json_string(kind));
        json_object_set_new(n, "type", json_string(js(r, "type")));
        json_object_set_new(n, "name", json_string(name));
        json_object_set_new(
            n, "key", json_string(js(props, "key")[0] ? js(props, "key") : js(props, "cbs_code")));
        bool keep = strcmp(kind, "person") == 0 || is_org(n);
        json_decref(r);
        if (!keep)
            json_object_del(g->nodes, k);
    }
    /* Edges to dropped nodes go too. */
    json_object_foreach_safe(g->edges, tmp, k, n)
    {
        char a[32], b[32];
        snprintf(a, sizeof(a), "%lld", (long long)json_integer_value(json_object_get(n, "a")));
        snprintf(b, sizeof(b), "%lld", (long long)json_integer_value(json_object_get(n, "b")));
        if (json_object_get(g->nodes, a) == NULL || json_object_get(g->nodes, b) == NULL)
            json_object_del(g->edges, k);
    }
    return rc;
}

/* Writes the picture to out: DOT for "-" or *.dot, else through `dot -T<ext>`. */
static int pic_output(const pic_t *g, const char *title, const char *out)
{
    const char *ext = out != NULL ? strrchr(out, '.') : NULL;
    if (out == NULL || strcmp(out, "-") == 0) {
        pic_write(stdout, g, title);
        return fflush(stdout) == 0 ? 0 : CLI_EXIT_SERVER;
    }
    if (ext != NULL && strcmp(ext, ".dot") == 0) {
        FILE *f = fopen(out, "w");
        if (f == NULL) {
            fprintf(stderr, "knoop: graph: cannot write %s\n", out);
            return CLI_EXIT_SERVER;
        }
        pic_write(f, g, title);
        return fclose(f) == 0 ? 0 : CLI_EXIT_SERVER;
    }
    if (ext == NULL || (strcmp(ext, ".svg") != 0 && strcmp(ext, ".png") != 0)) {
        fprintf(stderr, "knoop: graph: --out must end in .dot, .svg or .png\n");
        return CLI_EXIT_USAGE;
    }
    char cmd[4200];
    /* The path is passed quoted; a single quote in it is refused rather than escaped. */
    if (strchr(out, '\'') != NULL) {
        fprintf(stderr, "knoop: graph: --out may not contain a single quote\n");
        return CLI_EXIT_USAGE;
    }
    snprintf(cmd, sizeof(cmd), "dot -T%s -o '%s'", ext + 1, out);
    FILE *f = popen(cmd, "w");
    if (f == NULL) {
        fprintf(stderr, "knoop: graph: cannot run Graphviz dot (apt-get install graphviz)\n");
        return CLI_EXIT_SERVER;
    }
    pic_write(f, g, title);
    int st = pclose(f);
    if (st != 0) {
        fprintf(stderr, "knoop: graph: Graphviz dot failed (status %d); is graphviz installed?\n",
                st);
        return CLI_EXIT_SERVER;
    }
    fprintf(stderr, "knoop: wrote %s\n", out);
    return 0;
}

/* ---- commands ---- */

static const cli_opt_t path_opts[] = {
    { "at", "DATE", false, "links valid on that day" },
    { "from", "DATE", false, "links overlapping [from, to)" },
    { "to", "DATE", false, "end of the period (exclusive)" },
    { "k", "N", false, "the N shortest paths (also -k N; default 1)" },
    { "max-hops", "N", false, "at most N hops (default 6)" },
    { "max-expanded", "N", false, "expand at most N nodes (default 50000)" },
    { "links", "L", true, "kent, co-membership, contact, membership (default the first three)" },
    { "exclude", "REF", true, "never pass through this node" },
    { "examples", NULL, false, "also pass through example persons" },
    { "depth", "N", false, "graph/neighbourhood: links from the node (default 2)" },
    { "limit", "N", false, "neighbourhood: at most N nodes" },
    { "path", NULL, false, "graph: draw the paths between two nodes" },
    CLI_KNOWN_AT_OPT,
    { "out", "FILE", false, "graph: write FILE.dot, FILE.svg or FILE.png (default DOT on stdout)" },
    { "max-nodes", "N", false, "graph: at most N nodes in the picture (default 60)" },
    { NULL, NULL, false, NULL }
};

static void path_help(FILE *f)
{
    fputs("usage: knoop path A B [--at DATE | --from D --to D] [-k N] [--max-hops N]\n"
          "                  [--links L ...] [--exclude REF ...] [--known-at TIME]\n"
          "       knoop neighbourhood NODE [--depth N] [--at DATE] [--limit N]\n"
          "       knoop graph NODE [--depth N] [--at DATE] [--out FILE.svg|.png|.dot]\n"
          "       knoop graph --path A B [--at DATE] [-k N] [--out FILE.svg|.png|.dot]\n\n"
          "path: who knows whom, the shortest explained paths between two persons (query.path),\n"
          "each hop in words. neighbourhood: the nodes around one node, strongest connections\n"
          "first (query.neighbourhood). graph: a Graphviz picture; SVG and PNG need Graphviz's\n"
          "dot (Debian package graphviz).\n\noptions:\n",
          f);
    for (int i = 0; path_opts[i].name != NULL; i++) {
        char head[64];
        snprintf(head, sizeof(head), "--%s%s%s", path_opts[i].name, path_opts[i].arg ? " " : "",
                 path_opts[i].arg ? path_opts[i].arg : "");
        fprintf(f, "  %-20s %s\n", head, path_opts[i].help);
    }
    fputs("\nexamples:\n  knoop path GM0034-burgemeester GM0363-burgemeester --links membership\n"
          "  knoop path 12 34 --at 2024-01-01 -k 3\n"
          "  knoop graph --path 12 34 --out pad.svg\n",
          f);
}

int cli_path_run(cli_ctx_t *ctx, int argc, char **argv)
{
    cli_args_t a;
    cli_format_t fmt = ctx->format;
    char msg[320], **args;
    const char *cmd;
    json_t *p = NULL, *res = NULL;
    knoop_error_t err;
    int rc;

    if (argc < 1)
        return -1;
    cmd = argv[0];
    if (strcmp(cmd, "help") == 0 && argc == 2 &&
        (strcmp(argv[1], "path") == 0 || strcmp(argv[1], "graph") == 0 ||
         strcmp(argv[1], "neighbourhood") == 0)) {
        path_help(stdout);
        return 0;
    }
    if (strcmp(cmd, "path") != 0 && strcmp(cmd, "graph") != 0 && strcmp(cmd, "neighbourhood") != 0)
        return -1;
    /* -k N is short for --k N. */
    if ((args = calloc((size_t)argc, sizeof(*args))) == NULL)
        return CLI_EXIT_SERVER;
    for (int i = 1; i < argc; i++)
        args[i - 1] = strcmp(argv[i], "-k") == 0 ? (char *)"--k" : argv[i];
    rc = cli_args_parse(&a, path_opts, argc - 1, args, msg, sizeof(msg));
    if (rc == 0 && cli_args_get(&a, "help") != NULL) {
        path_help(stdout);
        cli_args_free(&a);
        free(args);
        return 0;
    }
    if (rc == 0)
        rc = cli_apply_globals(ctx, &a, &fmt);
    bool two = strcmp(cmd, "path") == 0 || cli_args_count(&a, "path") > 0;
    if (rc == 0 && a.npos != (two ? 2 : 1))
        rc = cli_bad(msg, sizeof(msg), two ? "expected two nodes: A B" : "expected one NODE");
    p = json_object();
    if (rc == 0)
        rc = path_params(&a, p, msg, sizeof(msg));
    if (rc == CLI_EXIT_USAGE) {
        fprintf(stderr, "knoop: %s\nRun 'knoop %s --help' for usage.\n", msg, cmd);
        goto out;
    }
    if (rc != 0 || (rc = cli_conn(ctx)) != 0)
        goto out;
    if (strcmp(cmd, "graph") != 0) {
        const char *method = two ? "query.path" : "query.neighbourhood";
        if (two) {
            json_object_set_new(p, "source", ref_param(a.pos[0]));
            json_object_set_new(p, "target", ref_param(a.pos[1]));
        } else {
            json_object_set_new(p, "node", ref_param(a.pos[0]));
        }
        if ((rc = cli_rpc(ctx, method, p, &res, &err)) != 0) {
            rc = cli_rpc_error(ctx, rc, &err);
            goto out;
        }
        rc = two ? print_paths(ctx, fmt, res) : print_nbh(ctx, fmt, res);
        goto out;
    }
    pic_t g = { json_object(), json_object() };
    char title[300];
    if (two) {
        json_object_del(p, "depth");
        json_object_set_new(p, "source", ref_param(a.pos[0]));
        json_object_set_new(p, "target", ref_param(a.pos[1]));
        if ((rc = cli_rpc(ctx, "query.path", p, &res, &err)) != 0)
            rc = cli_rpc_error(ctx, rc, &err);
        else
            rc = pic_from_paths(&g, res);
        /* Named by the ends of the first path when there is one. */
        const json_t *hops =
            json_object_get(json_array_get(json_object_get(res, "paths"), 0), "hops");
        const char *an = js(json_object_get(json_array_get(hops, 0), "from"), "name");
        const char *bn =
            js(json_object_get(json_array_get(hops, json_array_size(hops) - 1), "to"), "name");
        snprintf(title, sizeof(title), "Paden %s — %s%s%s", an[0] ? an : a.pos[0],
                 bn[0] ? bn : a.pos[1], cli_args_get(&a, "at") ? ", op " : "",
                 cli_args_get(&a, "at") ? cli_args_get(&a, "at") : "");
    } else {
        const char *d = cli_args_get(&a, "depth"), *m = cli_args_get(&a, "max-nodes");
        rc = pic_from_node(ctx, &g, a.pos[0], d ? atoi(d) : 2, cli_args_get(&a, "at"),
                           cli_args_get(&a, "known-at"), m ? atoi(m) : 60);
        snprintf(title, sizeof(title), "Netwerk rond %s%s%s", a.pos[0],
                 cli_args_get(&a, "at") ? ", op " : "",
                 cli_args_get(&a, "at") ? cli_args_get(&a, "at") : "");
    }
    if (rc == 0)
        rc = pic_output(&g, title, cli_args_get(&a, "out"));
    json_decref(g.nodes);
    json_decref(g.edges);
out:
    json_decref(p);
    json_decref(res);
    cli_args_free(&a);
    free(args);
    return rc;
}

void cli_path_usage(FILE *f)
{
    fputs("  path           who knows whom: the shortest paths between two persons, in words\n"
          "  neighbourhood  the nodes around one node, strongest connections first\n"
          "  graph          a Graphviz picture (DOT, SVG, PNG) of a node's network or a path\n",
          f);
}
