/*
 * cli_cmd.c - the knoop subcommands: their help texts, options, how each turns its command line
 * into a request, and running it (layer: client, CLI).
 *
 * The table below is data, one entry per subcommand; cli_run finds the entry, parses the
 * options against it, builds the named-parameter object with its build function, calls the
 * method and prints the result with cli_print_result.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "knoop_json.h"
#include "knoop_limits.h"

typedef int (*cli_build_fn)(const cli_args_t *a, json_t *params, char *msg, size_t msgsz);

typedef struct {
    const char *group;   /* "node", "edge", or NULL for a top-level command */
    const char *name;    /* the subcommand word ("create"), or the command ("ping") */
    const char *method;  /* the RPC method; NULL for `call` (named on the command line) */
    const char *usage;   /* synopsis after "knoop " */
    const char *summary; /* one line */
    const char *example;
    int min_pos, max_pos; /* positional arguments */
    const char *pos_help; /* what the positional arguments are, or NULL */
    const cli_opt_t *opts;
    cli_build_fn build; /* NULL: no parameters ([] is sent) */
} cli_cmd_t;

#define REASON_OPT                                                                                 \
    {                                                                                              \
        "reason", "TEXT", false, "why the change is made (recorded in the history)"                \
    }
#define LIMIT_OPT                                                                                  \
    {                                                                                              \
        "limit", "N", false, "at most N results (server default 1000)"                             \
    }
#define END_OPT                                                                                    \
    {                                                                                              \
        NULL, NULL, false, NULL                                                                    \
    }

static const cli_opt_t no_opts[] = { END_OPT };
#define KNOWN_AT_OPT CLI_KNOWN_AT_OPT
static const cli_opt_t get_opts[] = { KNOWN_AT_OPT, END_OPT };
static const cli_opt_t node_create_opts[] = {
    { "kind", "K", false, "person, organisation, project or body (required)" },
    { "type", "T", false, "free type, e.g. gemeente" },
    { "prop", "k=v", true,
      "a property; v is JSON if it parses (42, true, null, \"x\"), else text" },
    { "props", "JSON", false, "properties as a JSON object (--prop wins on the same name)" },
    REASON_OPT,
    END_OPT,
};
static const cli_opt_t node_update_opts[] = {
    { "set", "k=v", true, "set a property (v as for --prop; null removes it)" },
    { "unset", "k", true, "remove a property" },
    { "if-version", "N", false, "refuse (conflict) unless the node is at version N" },
    REASON_OPT,
    END_OPT,
};
static const cli_opt_t node_delete_opts[] = {
    { "cascade", NULL, false, "also delete the node's edges and the edges held on their behalf" },
    REASON_OPT,
    END_OPT,
};
static const cli_opt_t node_find_opts[] = {
    { "kind", "K", false, "only nodes of this kind" },
    { "type", "T", false, "only nodes of this type" },
    { "name", "N", false, "names starting with N (case, accents, punctuation ignored)" },
    { "key", "K", false, "the node with this external key (key, cbs_code, kvk, oin)" },
    { "at", "DATE", false, "only nodes that exist on DATE (begin_date, end_date)" },
    KNOWN_AT_OPT,
    LIMIT_OPT,
    END_OPT,
};
static const cli_opt_t edge_create_opts[] = {
    { "type", "T", false, "the role or relation, e.g. wethouder (required)" },
    { "source", "S", false, "source node id or key (required)" },
    { "target", "T", false, "target node id or key (required)" },
    { "from", "DATE", false, "valid from, YYYY-MM-DD (required)" },
    { "to", "DATE", false, "valid until (exclusive), YYYY-MM-DD" },
    { "prop", "k=v", true, "a property, e.g. portefeuille=Milieu" },
    { "props", "JSON", false, "properties as a JSON object" },
    { "on-behalf-of", "E", false, "the edge id this role is held on behalf of" },
    REASON_OPT,
    END_OPT,
};
static const cli_opt_t edge_end_opts[] = {
    { "on", "DATE", false, "the end date, YYYY-MM-DD (required)" },
    REASON_OPT,
    END_OPT,
};
static const cli_opt_t edge_update_opts[] = {
    { "set", "k=v", true, "set an attribute (v as for --prop; null removes it)" },
    { "unset", "k", true, "remove an attribute" },
    { "from", "DATE", false, "correct valid_from" },
    { "to", "DATE", false, "correct valid_to (the ends it caused move with it)" },
    { "reopen", NULL, false, "make the end open again" },
    REASON_OPT,
    END_OPT,
};
static const cli_opt_t edge_list_opts[] = {
    { "direction", "D", false, "in, out or both (default both)" },
    { "type", "T", false, "only edges of this type" },
    { "at", "DATE", false, "only edges valid on DATE" },
    { "from", "DATE", false, "only edges overlapping [from, to)" },
    { "to", "DATE", false, "end of the --from period (exclusive; default open)" },
    KNOWN_AT_OPT,
    LIMIT_OPT,
    END_OPT,
};
static const cli_opt_t history_opts[] = { LIMIT_OPT, END_OPT };
static const cli_opt_t backup_opts[] = {
    { "verify", NULL, false, "open the backup on the server and print its sequence and digest" },
    END_OPT
};

/* ---- value helpers ---- */

int cli_bad(char *msg, size_t msgsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msgsz, fmt, ap);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

bool cli_all_digits(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* A node or edge id: all digits => integer, else the string (an external key). */
static int set_id(json_t *params, const char *name, const char *s, char *msg, size_t msgsz)
{
    json_t *v;

    if (s[0] == '\0')
        return cli_bad(msg, msgsz, "%s: empty id", name);
    if (cli_all_digits(s)) {
        char *end;
        unsigned long long x = strtoull(s, &end, 10);
        if (strlen(s) > 19 || x > (unsigned long long)INT64_MAX)
            return cli_bad(msg, msgsz, "%s: id '%.32s' out of range", name, s);
        v = json_integer((json_int_t)x);
    } else {
        v = json_string(s);
    }
    if (v == NULL || json_object_set_new(params, name, v) != 0)
        return cli_bad(msg, msgsz, "%s: not valid UTF-8", name);
    return 0;
}

static int set_uint(json_t *params, const char *name, const char *opt, const char *s, char *msg,
                    size_t msgsz)
{
    if (!cli_all_digits(s) || strlen(s) > 18)
        return cli_bad(msg, msgsz, "--%s: expected a non-negative integer, got '%.32s'", opt, s);
    json_object_set_new(params, name, json_integer(strtoll(s, NULL, 10)));
    return 0;
}

static int set_str(json_t *params, const char *name, const char *s, char *msg, size_t msgsz)
{
    json_t *v = json_string(s);
    if (v == NULL || json_object_set_new(params, name, v) != 0)
        return cli_bad(msg, msgsz, "%s: not valid UTF-8", name);
    return 0;
}

/* Sets params.name to option opt's value (a string) when given. */
static int opt_str(const cli_args_t *a, json_t *params, const char *opt, const char *name,
                   char *msg, size_t msgsz)
{
    const char *v = cli_args_get(a, opt);
    return v != NULL ? set_str(params, name, v, msg, msgsz) : 0;
}

static int need(const cli_args_t *a, const char *opt, char *msg, size_t msgsz)
{
    if (cli_args_get(a, opt) == NULL)
        return cli_bad(msg, msgsz, "--%s is required", opt);
    return 0;
}

/* The value of a k=v word: JSON when it parses as JSON, else the text. */
static json_t *kv_value(const char *v)
{
    json_t *j = json_loads(v, JSON_DECODE_ANY, NULL);
    return j != NULL ? j : json_string(v);
}

/* Adds every k=v of option opt to obj. */
static int add_kvs(const cli_args_t *a, const char *opt, json_t *obj, char *msg, size_t msgsz)
{
    int i, n = cli_args_count(a, opt);

    for (i = 0; i < n; i++) {
        const char *w = cli_args_nth(a, opt, i);
        const char *eq = strchr(w, '=');
        char key[KNOOP_MAX_NAME_BYTES + 1];
        json_t *v;

        if (eq == NULL || eq == w)
            return cli_bad(msg, msgsz, "--%s: expected k=v, got '%.64s'", opt, w);
        if ((size_t)(eq - w) > KNOOP_MAX_NAME_BYTES)
            return cli_bad(msg, msgsz, "--%s: property name longer than %d bytes", opt,
                           KNOOP_MAX_NAME_BYTES);
        memcpy(key, w, (size_t)(eq - w));
        key[eq - w] = '\0';
        v = kv_value(eq + 1);
        if (v == NULL || json_object_set_new(obj, key, v) != 0)
            return cli_bad(msg, msgsz, "--%s: '%.64s' is not valid UTF-8", opt, w);
    }
    return 0;
}

/* params.props from --props JSON and --prop k=v (the latter win). Omitted when neither. */
static int build_props(const cli_args_t *a, json_t *params, char *msg, size_t msgsz)
{
    const char *pj = cli_args_get(a, "props");
    json_t *props;
    int rc;

    if (pj == NULL && cli_args_count(a, "prop") == 0)
        return 0;
    if (pj != NULL) {
        json_error_t jerr;
        props = json_loads(pj, JSON_REJECT_DUPLICATES, &jerr);
        if (props == NULL)
            return cli_bad(msg, msgsz, "--props: line %d column %d: %s", jerr.line, jerr.column,
                           jerr.text);
        if (!json_is_object(props)) {
            json_decref(props);
            return cli_bad(msg, msgsz, "--props: expected a JSON object");
        }
    } else {
        props = json_object();
    }
    rc = add_kvs(a, "prop", props, msg, msgsz);
    json_object_set_new(params, "props", props);
    return rc;
}

static int build_reason(const cli_args_t *a, json_t *params, char *msg, size_t msgsz)
{
    return opt_str(a, params, "reason", "reason", msg, msgsz);
}

/* ---- builders ---- */

static int b_node_create(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    int rc;
    if ((rc = need(a, "kind", msg, msgsz)) || (rc = opt_str(a, p, "kind", "kind", msg, msgsz)) ||
        (rc = opt_str(a, p, "type", "type", msg, msgsz)) || (rc = build_props(a, p, msg, msgsz)) ||
        (rc = build_reason(a, p, msg, msgsz)))
        return rc;
    return 0;
}

static int b_by_id(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    return set_id(p, "id", a->pos[0], msg, msgsz);
}

/* node get / edge get: the id, and --known-at. */
static int b_get(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    int rc = set_id(p, "id", a->pos[0], msg, msgsz);
    return rc != 0 ? rc : opt_str(a, p, "known-at", "known_at", msg, msgsz);
}

/* --set k=v ... into params.set (a map) and --unset k ... into params.unset (an array). */
static int set_unset_params(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    int rc, i, n = cli_args_count(a, "unset");
    if (cli_args_count(a, "set") > 0) {
        json_t *set = json_object();
        json_object_set_new(p, "set", set);
        if ((rc = add_kvs(a, "set", set, msg, msgsz)) != 0)
            return rc;
    }
    if (n > 0) {
        json_t *unset = json_array();
        json_object_set_new(p, "unset", unset);
        for (i = 0; i < n; i++) {
            json_t *s = json_string(cli_args_nth(a, "unset", i));
            if (s == NULL)
                return cli_bad(msg, msgsz, "--unset: not valid UTF-8");
            json_array_append_new(unset, s);
        }
    }
    return 0;
}

static int b_node_update(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    int rc, n = cli_args_count(a, "unset");
    const char *v;

    if ((rc = set_id(p, "id", a->pos[0], msg, msgsz)) != 0 ||
        (rc = set_unset_params(a, p, msg, msgsz)) != 0)
        return rc;
    if ((v = cli_args_get(a, "if-version")) != NULL &&
        (rc = set_uint(p, "if_version", "if-version", v, msg, msgsz)) != 0)
        return rc;
    if (cli_args_count(a, "set") == 0 && n == 0)
        return cli_bad(msg, msgsz, "nothing to change: give --set or --unset");
    return build_reason(a, p, msg, msgsz);
}

static int b_node_delete(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    int rc = set_id(p, "id", a->pos[0], msg, msgsz);
    if (rc != 0)
        return rc;
    if (cli_args_count(a, "cascade") > 0)
        json_object_set_new(p, "cascade", json_true());
    return build_reason(a, p, msg, msgsz);
}

static int opt_limit(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    const char *v = cli_args_get(a, "limit");
    return v != NULL ? set_uint(p, "limit", "limit", v, msg, msgsz) : 0;
}

static int b_node_find(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    int rc;
    if ((rc = opt_str(a, p, "kind", "kind", msg, msgsz)) ||
        (rc = opt_str(a, p, "type", "type", msg, msgsz)) ||
        (rc = opt_str(a, p, "name", "name", msg, msgsz)) ||
        (rc = opt_str(a, p, "key", "key", msg, msgsz)) ||
        (rc = opt_str(a, p, "at", "at", msg, msgsz)) ||
        (rc = opt_str(a, p, "known-at", "known_at", msg, msgsz)) ||
        (rc = opt_limit(a, p, msg, msgsz)))
        return rc;
    return 0;
}

static int b_edge_create(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    const char *obo = cli_args_get(a, "on-behalf-of");
    int rc;

    if ((rc = need(a, "type", msg, msgsz)) || (rc = need(a, "source", msg, msgsz)) ||
        (rc = need(a, "target", msg, msgsz)) || (rc = need(a, "from", msg, msgsz)) ||
        (rc = opt_str(a, p, "type", "type", msg, msgsz)) ||
        (rc = set_id(p, "source", cli_args_get(a, "source"), msg, msgsz)) ||
        (rc = set_id(p, "target", cli_args_get(a, "target"), msg, msgsz)) ||
        (rc = opt_str(a, p, "from", "valid_from", msg, msgsz)) ||
        (rc = opt_str(a, p, "to", "valid_to", msg, msgsz)) || (rc = build_props(a, p, msg, msgsz)))
        return rc;
    if (obo != NULL && (rc = set_id(p, "on_behalf_of", obo, msg, msgsz)) != 0)
        return rc;
    return build_reason(a, p, msg, msgsz);
}

static int b_edge_update(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    int rc, n = cli_args_count(a, "unset");
    bool reopen = cli_args_count(a, "reopen") > 0;

    if ((rc = set_id(p, "id", a->pos[0], msg, msgsz)) != 0 ||
        (rc = set_unset_params(a, p, msg, msgsz)) != 0)
        return rc;
    if (reopen && cli_args_get(a, "to") != NULL)
        return cli_bad(msg, msgsz, "--reopen cannot be combined with --to");
    if ((rc = opt_str(a, p, "from", "valid_from", msg, msgsz)) ||
        (rc = opt_str(a, p, "to", "valid_to", msg, msgsz)))
        return rc;
    if (reopen)
        json_object_set_new(p, "reopen", json_true());
    if (cli_args_count(a, "set") == 0 && n == 0 && !reopen && cli_args_get(a, "from") == NULL &&
        cli_args_get(a, "to") == NULL)
        return cli_bad(msg, msgsz,
                       "nothing to correct: give --set, --unset, --from, --to or "
                       "--reopen");
    return build_reason(a, p, msg, msgsz);
}

static int b_edge_end(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    int rc;
    if ((rc = need(a, "on", msg, msgsz)) || (rc = set_id(p, "id", a->pos[0], msg, msgsz)) ||
        (rc = opt_str(a, p, "on", "on", msg, msgsz)))
        return rc;
    return build_reason(a, p, msg, msgsz);
}

static int b_edge_list(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    const char *dir = cli_args_get(a, "direction");
    int rc;

    if (dir != NULL && strcmp(dir, "in") != 0 && strcmp(dir, "out") != 0 &&
        strcmp(dir, "both") != 0)
        return cli_bad(msg, msgsz, "--direction: expected in, out or both, got '%.32s'", dir);
    if (cli_args_get(a, "at") != NULL &&
        (cli_args_get(a, "from") != NULL || cli_args_get(a, "to") != NULL))
        return cli_bad(msg, msgsz, "--at cannot be combined with --from/--to");
    if ((rc = set_id(p, "node", a->pos[0], msg, msgsz)) ||
        (rc = opt_str(a, p, "direction", "direction", msg, msgsz)) ||
        (rc = opt_str(a, p, "type", "type", msg, msgsz)) ||
        (rc = opt_str(a, p, "at", "at", msg, msgsz)) ||
        (rc = opt_str(a, p, "from", "from", msg, msgsz)) ||
        (rc = opt_str(a, p, "to", "to", msg, msgsz)) ||
        (rc = opt_str(a, p, "known-at", "known_at", msg, msgsz)) ||
        (rc = opt_limit(a, p, msg, msgsz)))
        return rc;
    return 0;
}

static int b_history(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    int rc = set_id(p, "id", a->pos[0], msg, msgsz);
    return rc != 0 ? rc : opt_limit(a, p, msg, msgsz);
}

/* admin.backup {dir, verify}: dir is a path on the server's machine; a relative one is taken
 * from the current directory (meaningful when the server runs here). */
static int b_backup(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    char cwd[4096], path[8192];
    const char *dir = a->pos[0];
    if (dir[0] != '/') {
        if (getcwd(cwd, sizeof(cwd)) == NULL) {
            snprintf(msg, msgsz, "backup: cannot tell the current directory for '%s'", dir);
            return CLI_EXIT_USAGE;
        }
        snprintf(path, sizeof(path), "%s/%s", cwd, dir);
        dir = path;
    }
    json_object_set_new(p, "dir", json_string(dir));
    if (cli_args_count(a, "verify") > 0)
        json_object_set_new(p, "verify", json_true());
    return 0;
}

/* ---- users: secrets come from the environment or a prompt, never the command line ---- */

static const cli_opt_t user_add_opts[] = {
    { "role", "R", false, "reader, editor, admin or privacy (required)" },
    { "password", NULL, false,
      "give the user a password: from $KNOOP_NEW_PASSWORD, else asked on the terminal" },
    REASON_OPT,
    END_OPT,
};
static const cli_opt_t user_token_opts[] = {
    { "label", "L", false, "what the token is for (shown by user list)" },
    REASON_OPT,
    END_OPT,
};
static const cli_opt_t user_revoke_opts[] = {
    { "id", "ID", false, "only this token (see user list); default all of the user's" },
    REASON_OPT,
    END_OPT,
};
static const cli_opt_t reason_opts[] = { REASON_OPT, END_OPT };

/* A new password: $KNOOP_NEW_PASSWORD, else asked twice on the terminal. */
static int new_password(json_t *p, char *msg, size_t msgsz)
{
    const char *env = getenv("KNOOP_NEW_PASSWORD");
    char first[1024];
    char *pw;
    if (env != NULL && env[0] != '\0') {
        json_object_set_new(p, "password", json_string(env));
        return 0;
    }
    if ((pw = getpass("New password: ")) == NULL || pw[0] == '\0')
        return cli_bad(msg, msgsz, "no password: set KNOOP_NEW_PASSWORD or run on a terminal");
    snprintf(first, sizeof(first), "%s", pw);
    if ((pw = getpass("Again: ")) == NULL || strcmp(pw, first) != 0)
        return cli_bad(msg, msgsz, "the passwords differ");
    json_object_set_new(p, "password", json_string(first));
    memset(first, 0, sizeof(first));
    return 0;
}

static void set_reason(const cli_args_t *a, json_t *p)
{
    const char *r = cli_args_get(a, "reason");
    if (r != NULL)
        json_object_set_new(p, "reason", json_string(r));
}

static int b_user_add(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    const char *role = cli_args_get(a, "role");
    if (role == NULL)
        return cli_bad(msg, msgsz, "--role is required");
    json_object_set_new(p, "name", json_string(a->pos[0]));
    json_object_set_new(p, "role", json_string(role));
    set_reason(a, p);
    return cli_args_count(a, "password") > 0 ? new_password(p, msg, msgsz) : 0;
}

static int b_user_name(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    (void)msg;
    (void)msgsz;
    json_object_set_new(p, "name", json_string(a->pos[0]));
    set_reason(a, p);
    return 0;
}

static int b_user_passwd(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    b_user_name(a, p, msg, msgsz);
    return new_password(p, msg, msgsz);
}

static int b_user_token(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    const char *label = cli_args_get(a, "label");
    b_user_name(a, p, msg, msgsz);
    if (label != NULL)
        json_object_set_new(p, "label", json_string(label));
    return 0;
}

static int b_user_revoke(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    const char *id = cli_args_get(a, "id");
    b_user_name(a, p, msg, msgsz);
    if (id != NULL)
        json_object_set_new(p, "id", json_string(id));
    return 0;
}

/* ---- the audit trail (audit.list, audit.verify; role privacy) ---- */

static const cli_opt_t audit_list_opts[] = {
    { "person", "REF", false,
      "only entries that read or changed this person (an id, or an external key)" },
    { "user", "NAME", false, "only entries of this user" },
    { "id", "ID", false, "only entries naming this node or edge id" },
    { "from", "WHEN", false, "from this date or timestamp prefix on (2026-12-01, 2026-12-01T09)" },
    { "to", "WHEN", false, "before this date or timestamp prefix (exclusive)" },
    { "kind", "K", false, "only 'change' or 'read' entries" },
    { "after", "NO", false, "continue after entry number NO (the previous answer's last)" },
    LIMIT_OPT,
    END_OPT,
};

static int b_audit_list(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    const char *id = cli_args_get(a, "id"), *after = cli_args_get(a, "after");
    const char *person = cli_args_get(a, "person");
    int rc;
    if ((person != NULL && (rc = set_id(p, "person", person, msg, msgsz)) != 0) ||
        (rc = opt_str(a, p, "user", "user", msg, msgsz)) != 0 ||
        (rc = opt_str(a, p, "from", "from", msg, msgsz)) != 0 ||
        (rc = opt_str(a, p, "to", "to", msg, msgsz)) != 0 ||
        (rc = opt_str(a, p, "kind", "kind", msg, msgsz)) != 0 ||
        (id != NULL && (rc = set_uint(p, "id", "id", id, msg, msgsz)) != 0) ||
        (after != NULL && (rc = set_uint(p, "after", "after", after, msg, msgsz)) != 0))
        return rc;
    return opt_limit(a, p, msg, msgsz);
}

/* ---- AVG (privacy.*; role privacy) ---- */

static const cli_opt_t privacy_reason_opts[] = {
    { "reason", "TEXT", false, "why (required: the request, e.g. 'AVG-verzoek 2026-18')" },
    END_OPT,
};
static const cli_opt_t privacy_retention_opts[] = {
    { "kind", "K", false, "what to erase: contact (klantcontacten; the default)" },
    { "older-than", "AGE", false,
      "N followed by d, w, m or y: older than N days, weeks, calendar months or years "
      "(required)" },
    { "dry-run", NULL, false, "only list what would be erased (still recorded as a run)" },
    { "reason", "TEXT", false, "why (recorded with the run)" },
    END_OPT,
};

static int b_privacy_id_reason(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    int rc;
    if ((rc = need(a, "reason", msg, msgsz)) != 0 || (rc = set_id(p, "id", a->pos[0], msg, msgsz)))
        return rc;
    set_reason(a, p);
    return 0;
}

static int b_privacy_retention(const cli_args_t *a, json_t *p, char *msg, size_t msgsz)
{
    const char *kind = cli_args_get(a, "kind");
    int rc;
    if ((rc = need(a, "older-than", msg, msgsz)) != 0 ||
        (rc = set_str(p, "kind", kind != NULL ? kind : "contact", msg, msgsz)) != 0 ||
        (rc = opt_str(a, p, "older-than", "older_than", msg, msgsz)) != 0)
        return rc;
    if (cli_args_count(a, "dry-run") > 0)
        json_object_set_new(p, "dry_run", json_true());
    set_reason(a, p);
    return 0;
}

/* ---- the table ---- */

static const cli_cmd_t cmds[] = {
    { NULL, "ping", "ping", "ping", "check that the server answers (prints pong)", "knoop ping", 0,
      0, NULL, no_opts, NULL },
    { NULL, "info", "server.info", "info", "show the server's version, uptime, counters and limits",
      "knoop info --json", 0, 0, NULL, no_opts, NULL },
    { "node", "create", "node.create",
      "node create --kind K [--type T] [--prop k=v ...] [--props JSON] [--reason TEXT]",
      "create a node and print it",
      "knoop node create --kind organisation --type gemeente --prop name=Almere --prop "
      "cbs_code=GM0034",
      0, 0, NULL, node_create_opts, b_node_create },
    { "node", "get", "node.get", "node get ID|KEY [--known-at TIME]",
      "show one node, by id or external key (as recorded at TIME)",
      "knoop node get GM0034 --known-at 2026-01-01T00:00:00Z", 1, 1,
      "ID|KEY  a node id (digits) or an external key such as GM0034", get_opts, b_get },
    { "node", "update", "node.update",
      "node update ID [--set k=v ...] [--unset k ...] [--if-version N] [--reason TEXT]",
      "change a node's properties", "knoop node update 7 --set inwoners=230000 --unset fax", 1, 1,
      "ID  a node id or external key", node_update_opts, b_node_update },
    { "node", "delete", "node.delete", "node delete ID [--cascade] [--reason TEXT]",
      "delete a node (refused while edges reference it, unless --cascade)",
      "knoop node delete 7 --cascade --reason 'merged into 12'", 1, 1,
      "ID  a node id or external key", node_delete_opts, b_node_delete },
    { "node", "find", "node.find",
      "node find [--kind K] [--type T] [--name N] [--key K] [--at DATE] [--known-at TIME] "
      "[--limit N]",
      "list nodes by name prefix, external key, kind or type",
      "knoop node find --name 'sudwest fryslan' --kind organisation", 0, 0, NULL, node_find_opts,
      b_node_find },
    { "edge", "create", "edge.create",
      "edge create --type T --source S --target T --from DATE [--to DATE] [--prop k=v ...] "
      "[--props JSON] [--on-behalf-of E] [--reason TEXT]",
      "create an edge (a role or relation, valid from a date)",
      "knoop edge create --type wethouder --source 9 --target GM0034 --from 2022-06-01 --prop "
      "portefeuille=Milieu",
      0, 0, NULL, edge_create_opts, b_edge_create },
    { "edge", "get", "edge.get", "edge get ID [--known-at TIME]",
      "show one edge (as recorded at TIME)", "knoop edge get 12", 1, 1, "ID  an edge id", get_opts,
      b_get },
    { "edge", "end", "edge.end", "edge end ID --on DATE [--reason TEXT]",
      "end an edge, and every edge held on its behalf, on a date",
      "knoop edge end 12 --on 2026-03-31 --reason 'resigned'", 1, 1, "ID  an edge id",
      edge_end_opts, b_edge_end },
    { "edge", "update", "edge.update",
      "edge update ID [--set k=v ...] [--unset k ...] [--from DATE] [--to DATE | --reopen] "
      "[--reason TEXT]",
      "correct a role's attributes or period (with its history entry)",
      "knoop edge update 12 --set namens=GroenLinks --reason 'typo in import'", 1, 1,
      "ID  an edge id", edge_update_opts, b_edge_update },
    { "edge", "list", "edge.list",
      "edge list NODE [--direction in|out|both] [--type T] [--at DATE | --from D [--to D]] "
      "[--known-at TIME] [--limit N]",
      "list the edges of a node, optionally as of a date",
      "knoop edge list GM0034 --direction in --type wethouder --at 2024-01-01", 1, 1,
      "NODE  a node id or external key", edge_list_opts, b_edge_list },
    { NULL, "history", "history.list", "history ID [--limit N]",
      "show the change history of a node or edge", "knoop history 7", 1, 1, "ID  a node or edge id",
      history_opts, b_history },
    { NULL, "backup", "admin.backup", "backup DIR [--verify]",
      "make an online backup of the whole store into DIR (must not exist) while writes go on; "
      "restore it with 'knoopd --restore DIR --data NEWDIR'",
      "knoop backup /var/backups/knoop-2026-12-02 --verify", 1, 1,
      "DIR  a directory on the server's machine that does not exist yet", backup_opts, b_backup },
    { "admin", "check", "admin.check", "admin check",
      "check that adjacency, indexes and history agree with the records (exit 1 if not)",
      "knoop admin check --json", 0, 0, NULL, no_opts, NULL },
    { "user", "add", "user.add", "user add NAME --role R [--password] [--reason TEXT]",
      "add a user (admin); with --password it gets one, else it uses tokens only",
      "KNOOP_NEW_PASSWORD=... knoop user add rita --role reader --password", 1, 1,
      "NAME  1 to 64 letters, digits, '.', '_', '-'", user_add_opts, b_user_add },
    { "user", "list", "user.list", "user list", "list the users, their roles and tokens (admin)",
      "knoop user list", 0, 0, NULL, no_opts, NULL },
    { "user", "remove", "user.remove", "user remove NAME [--reason TEXT]",
      "remove a user and revoke its tokens (admin)", "knoop user remove rita", 1, 1,
      "NAME  the user", reason_opts, b_user_name },
    { "user", "passwd", "user.passwd", "user passwd NAME",
      "set a user's password (admin, or the user itself) from $KNOOP_NEW_PASSWORD or a prompt",
      "knoop user passwd rita", 1, 1, "NAME  the user", reason_opts, b_user_passwd },
    { "user", "token", "user.token", "user token NAME [--label L]",
      "make a new API token for a user and print it (shown this once)",
      "knoop user token svc-export --label 'nightly export'", 1, 1, "NAME  the user",
      user_token_opts, b_user_token },
    { "user", "revoke", "user.token.revoke", "user revoke NAME [--id ID]",
      "revoke one token of a user, or all of them (admin)", "knoop user revoke svc-export", 1, 1,
      "NAME  the user", user_revoke_opts, b_user_revoke },
    { "audit", "list", "audit.list",
      "audit [list] [--person REF] [--user NAME] [--from WHEN] [--to WHEN] [--kind K] "
      "[--limit N]",
      "list the audit trail: who changed or read what, when, why, for what purpose",
      "knoop audit --person 17 --user rita --from 2026-12-01 --to 2026-12-08", 0, 0, NULL,
      audit_list_opts, b_audit_list },
    { "audit", "verify", "audit.verify", "audit verify",
      "walk the audit trail's hash chain (role privacy; exit 1 if it is broken)",
      "knoop audit verify", 0, 0, NULL, no_opts, NULL },
    { "privacy", "erase", "privacy.erase", "privacy erase ID|KEY --reason TEXT",
      "erase a person (AVG): node, roles, personal history, old file copies",
      "knoop privacy erase 17 --reason 'AVG-verzoek 2026-18'", 1, 1,
      "ID|KEY  the person: a node id or an external key", privacy_reason_opts,
      b_privacy_id_reason },
    { "privacy", "anonymise", "privacy.anonymise", "privacy anonymise ID|KEY --reason TEXT",
      "replace a person's personal data by a pseudonym, keeping the roles",
      "knoop privacy anonymise 17 --reason 'AVG-verzoek 2026-19'", 1, 1,
      "ID|KEY  the person: a node id or an external key", privacy_reason_opts,
      b_privacy_id_reason },
    { "privacy", "export", "privacy.export", "privacy export ID|KEY [--json]",
      "everything held about a person, as one document (subject access)",
      "knoop privacy export 17 --json > inzageverzoek-17.json", 1, 1,
      "ID|KEY  the person: a node id or an external key", no_opts, b_by_id },
    { "privacy", "retention", "privacy.retention",
      "privacy retention --older-than AGE [--kind contact] [--dry-run] [--reason TEXT]",
      "erase the klantcontacten older than AGE now (as knoopd --retention does)",
      "knoop privacy retention --older-than 5y --dry-run", 0, 0, NULL, privacy_retention_opts,
      b_privacy_retention },
    { NULL, "call", NULL, "call METHOD [JSON]", "call any method with a JSON params object",
      "knoop call node.get '{\"id\": 1}'", 1, 2,
      "METHOD  a method name (see PROTOCOL.md)\n  JSON    the named parameters as a JSON object",
      no_opts, NULL },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

const char *const cli_top_words[] = { "ping", "info", "node", "edge", "history", "backup", "admin",
                                      "user", "audit", "privacy", "call", "help", "quit", "exit",
                                      /* -- contact administration (cli_contact.c) -- */
                                      "contact", "task", "list", "export",
                                      /* -- end contact administration -- */
                                      /* -- import, query (cli_import.c, cli_export.c) -- */
                                      "import", "query", "perspective", "path", "neighbourhood",
                                      "graph",
                                      /* -- end import, query -- */
                                      NULL };
const char *const cli_methods[] = { "ping",
                                    "server.info",
                                    "auth",
                                    "node.create",
                                    "node.get",
                                    "node.update",
                                    "node.delete",
                                    "node.find",
                                    "edge.create",
                                    "edge.get",
                                    "edge.end",
                                    "edge.update",
                                    "edge.list",
                                    "gemeente.merge",
                                    "schema.check",
                                    "history.list",
                                    "admin.check",
                                    "user.add",
                                    "user.list",
                                    "user.remove",
                                    "user.passwd",
                                    "user.token",
                                    "user.token.revoke",
                                    "audit.list",
                                    "audit.verify",
                                    "privacy.export",
                                    "privacy.erase",
                                    "privacy.anonymise",
                                    "privacy.retention",
                                    "session.purpose",
                                    NULL };
static const char *const node_words[] = { "create", "get", "update", "delete", "find", NULL };
static const char *const user_words[] = {
    "add", "list", "remove", "passwd", "token", "revoke", NULL
};
static const char *const edge_words[] = { "create", "get", "end", "update", "list", NULL };
static const char *const query_words[] = { "places", "members", "participation", "holders", "roles",
                                           "seats",  NULL };
static const char *const perspective_words[] = { "list", "get", NULL };
static const char *const admin_words[] = { "check", NULL };
static const char *const audit_words[] = { "list", "verify", NULL };
static const char *const privacy_words[] = { "erase", "anonymise", "export", "retention", NULL };

const char *const *cli_group_words(const char *group)
{
    /* -- contact administration (cli_contact.c) -- */
    if (cli_contact_group_words(group) != NULL)
        return cli_contact_group_words(group);
    /* -- end contact administration -- */
    if (strcmp(group, "user") == 0)
        return user_words;
    if (strcmp(group, "node") == 0)
        return node_words;
    if (strcmp(group, "edge") == 0)
        return edge_words;
    if (strcmp(group, "query") == 0)
        return query_words;
    if (strcmp(group, "perspective") == 0)
        return perspective_words;
    if (strcmp(group, "admin") == 0)
        return admin_words;
    if (strcmp(group, "audit") == 0)
        return audit_words;
    if (strcmp(group, "privacy") == 0)
        return privacy_words;
    return NULL;
}

static const cli_cmd_t *find_cmd(const char *group, const char *name)
{
    size_t i;
    for (i = 0; i < NCMDS; i++) {
        if (group == NULL ? cmds[i].group != NULL
                          : cmds[i].group == NULL || strcmp(cmds[i].group, group) != 0)
            continue;
        if (name != NULL && strcmp(cmds[i].name, name) == 0)
            return &cmds[i];
    }
    return NULL;
}

void cli_option_words(const char *group, const char *sub, const char **out, size_t max)
{
    const cli_cmd_t *c =
        cli_group_words(group) != NULL ? find_cmd(group, sub) : find_cmd(NULL, group);
    size_t n = 0;
    int i;

    if (c != NULL)
        for (i = 0; c->opts[i].name != NULL && n + 1 < max; i++)
            out[n++] = c->opts[i].name;
    for (i = 0; cli_global_opts[i].name != NULL && n + 1 < max; i++)
        out[n++] = cli_global_opts[i].name;
    if (max > 0)
        out[n] = NULL;
}

/* ---- help ---- */

void cli_usage(FILE *f)
{
    size_t i;

    fputs("usage: knoop [options] COMMAND [args] [options]\n"
          "       knoop [options] shell\n"
          "\n"
          "The command-line client of Knoop: talks to knoopd over MessagePack-RPC.\n"
          "Without a command on a terminal, or with `shell`, starts an interactive shell.\n"
          "\n"
          "commands:\n",
          f);
    for (i = 0; i < NCMDS; i++) {
        char head[64];
        snprintf(head, sizeof(head), "%s%s%s", cmds[i].group ? cmds[i].group : "",
                 cmds[i].group ? " " : "", cmds[i].name);
        fprintf(f, "  %-14s %s\n", head, cmds[i].summary);
    }
    cli_contact_usage(f); /* -- contact administration (cli_contact.c) -- */
    cli_import_usage(f);  /* -- import, export, query (cli_import.c, cli_export.c) -- */
    cli_path_usage(f);    /* -- path, neighbourhood, graph (cli_path.c) -- */
    fputs("  shell          interactive shell (line editing, history, tab completion)\n"
          "\n"
          "options (before or after the command):\n",
          f);
    for (i = 0; cli_global_opts[i].name != NULL; i++) {
        char head[64];
        snprintf(head, sizeof(head), "--%s%s%s", cli_global_opts[i].name,
                 cli_global_opts[i].arg ? " " : "",
                 cli_global_opts[i].arg ? cli_global_opts[i].arg : "");
        fprintf(f, "  %-14s %s\n", head, cli_global_opts[i].help);
    }
    fprintf(f, "  %-14s %s\n", "--version", "print the version");
    fputs("\n"
          "environment:\n"
          "  KNOOP_ADDR     server address when no --host/--port/--socket: host:port,\n"
          "                 [v6addr]:port, unix:/path or /path (default 127.0.0.1:7474)\n"
          "                 (tls://host:port speaks TLS, as --tls does)\n"
          "  KNOOP_CACERT   the CA certificate (PEM) a TLS server's certificate is checked\n"
          "                 against (default: the system's CAs), as --cacert\n"
          "  KNOOP_TOKEN    if set, sent with `auth {token}` after connecting\n"
          "  KNOOP_USER     if set, `auth {user, password}` after connecting, the password\n"
          "                 from KNOOP_PASSWORD or else asked on the terminal\n"
          "  KNOOP_PURPOSE  if set, the purpose of the session's reads (as --purpose)\n"
          "  KNOOP_NEW_PASSWORD  the password for `user add --password` and `user passwd`\n"
          "                 (else asked on the terminal); never on the command line\n"
          "  NO_COLOR       if set, no bold table headers\n"
          "\n"
          "output: tables by default; --json (pretty on a terminal); --csv.\n"
          "exit status: 0 success, 1 server error, 2 usage error, 3 server unreachable.\n"
          "Run 'knoop COMMAND --help' for a command's options and an example.\n",
          f);
}

static void cmd_help(FILE *f, const cli_cmd_t *c)
{
    int i;

    fprintf(f, "usage: knoop %s\n\n%c%s.\n", c->usage, c->summary[0] - 'a' + 'A', c->summary + 1);
    if (c->method != NULL)
        fprintf(f, "Calls the method %s.\n", c->method);
    if (c->pos_help != NULL)
        fprintf(f, "\narguments:\n  %s\n", c->pos_help);
    if (c->opts[0].name != NULL) {
        fputs("\noptions:\n", f);
        for (i = 0; c->opts[i].name != NULL; i++) {
            char head[64];
            snprintf(head, sizeof(head), "--%s%s%s%s", c->opts[i].name, c->opts[i].arg ? " " : "",
                     c->opts[i].arg ? c->opts[i].arg : "", c->opts[i].multi ? " ..." : "");
            fprintf(f, "  %-20s %s\n", head, c->opts[i].help);
        }
    }
    fputs("\nglobal options: --json --csv --host H --port P --socket PATH --timeout MS --tls\n"
          "  --cacert FILE --purpose TEXT\n",
          f);
    fprintf(f, "\nexample:\n  %s\n", c->example);
}

static void group_help(FILE *f, const char *group)
{
    size_t i;
    fprintf(f, "usage: knoop %s SUBCOMMAND [args] [options]\n\nsubcommands:\n", group);
    for (i = 0; i < NCMDS; i++)
        if (cmds[i].group != NULL && strcmp(cmds[i].group, group) == 0)
            fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
    fprintf(f, "\nRun 'knoop %s SUBCOMMAND --help' for details.\n", group);
}

static int usage_error(const cli_cmd_t *c, const char *group, const char *msg)
{
    fprintf(stderr, "knoop: %s\n", msg);
    if (c != NULL)
        fprintf(stderr, "usage: knoop %s\nRun 'knoop %s%s%s --help' for details.\n", c->usage,
                c->group ? c->group : "", c->group ? " " : "", c->name);
    else if (group != NULL)
        fprintf(stderr, "Run 'knoop %s --help' for the subcommands.\n", group);
    else
        fputs("Run 'knoop --help' for the commands.\n", stderr);
    return CLI_EXIT_USAGE;
}

/* ---- running ---- */

int cli_apply_globals(cli_ctx_t *ctx, const cli_args_t *a, cli_format_t *fmt)
{
    const char *host = cli_args_get(a, "host"), *port = cli_args_get(a, "port");
    const char *sock = cli_args_get(a, "socket"), *to = cli_args_get(a, "timeout");
    char msg[160];

    if (cli_args_get(a, "json") != NULL && cli_args_get(a, "csv") != NULL)
        return usage_error(NULL, NULL, "--json and --csv exclude each other");
    if (cli_args_get(a, "json") != NULL)
        *fmt = CLI_FMT_JSON;
    if (cli_args_get(a, "csv") != NULL)
        *fmt = CLI_FMT_CSV;
    if ((host != NULL || port != NULL || sock != NULL) && ctx->in_shell)
        return usage_error(NULL, NULL,
                           "--host, --port and --socket are not available in the "
                           "shell; restart knoop with them");
    if (sock != NULL && (host != NULL || port != NULL))
        return usage_error(NULL, NULL, "--socket excludes --host and --port");
    if (port != NULL &&
        (!cli_all_digits(port) || strlen(port) > 5 || atoi(port) < 1 || atoi(port) > 65535)) {
        snprintf(msg, sizeof(msg), "--port: expected 1..65535, got '%.32s'", port);
        return usage_error(NULL, NULL, msg);
    }
    if (to != NULL) {
        if (!cli_all_digits(to) || strlen(to) > 9) {
            snprintf(msg, sizeof(msg), "--timeout: expected milliseconds, got '%.32s'", to);
            return usage_error(NULL, NULL, msg);
        }
        ctx->timeout_ms = atoi(to);
        if (ctx->conn != NULL)
            knoop_set_timeout(ctx->conn, ctx->timeout_ms);
    }
    if (sock != NULL) {
        if (sock[0] == '\0')
            return usage_error(NULL, NULL, "--socket: empty path");
        snprintf(ctx->addr, sizeof(ctx->addr), "%s%s",
                 sock[0] == '/' || strncmp(sock, "unix:", 5) == 0 ? "" : "unix:", sock);
    } else if (host != NULL || port != NULL) {
        if (host == NULL)
            host = "127.0.0.1";
        if (host[0] == '\0')
            return usage_error(NULL, NULL, "--host: empty");
        snprintf(ctx->addr, sizeof(ctx->addr),
                 strchr(host, ':') != NULL && host[0] != '[' ? "[%s]:%s" : "%s:%s", host,
                 port != NULL ? port : "7474");
    }
    if (cli_args_get(a, "cacert") != NULL)
        setenv("KNOOP_CACERT", cli_args_get(a, "cacert"), 1); /* read by knoop_connect */
    if (cli_args_get(a, "purpose") != NULL) {
        if (strlen(cli_args_get(a, "purpose")) >= sizeof(ctx->purpose))
            return usage_error(NULL, NULL, "--purpose: at most 256 bytes");
        snprintf(ctx->purpose, sizeof(ctx->purpose), "%s", cli_args_get(a, "purpose"));
        ctx->purpose_sent = false;
    }
    if (cli_args_get(a, "tls") != NULL) {
        char plain[sizeof(ctx->addr)];
        const char *cur = ctx->addr[0] ? ctx->addr : getenv("KNOOP_ADDR");
        if (sock != NULL)
            return usage_error(NULL, NULL, "--tls is for TCP, not --socket");
        snprintf(plain, sizeof(plain), "%s", cur != NULL && cur[0] ? cur : "127.0.0.1:7474");
        if (strncmp(plain, "tls://", 6) != 0)
            snprintf(ctx->addr, sizeof(ctx->addr), "tls://%.500s", plain);
    }
    return 0;
}

/* Prints a failed call's error; returns the exit code. Drops a broken connection. */
static int call_failed(cli_ctx_t *ctx, int rc, const knoop_error_t *err)
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

static int call_raw(cli_ctx_t *ctx, const char *method, const void *params, size_t len,
                    json_t **result)
{
    knoop_error_t err;
    knoop_result_t *r;
    int rc;

    rc = knoop_call(ctx->conn, method, params, len, &r, &err);
    if (rc != 0)
        return call_failed(ctx, rc, &err);
    rc = knoop__json_from_msgpack(knoop_result_value(r), result, &err);
    knoop_result_free(r);
    if (rc != 0)
        return call_failed(ctx, rc, &err);
    return 0;
}

/* Tells the server the session's purpose (session.purpose) once per connection and change. */
static int send_purpose(cli_ctx_t *ctx)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    json_t *res = NULL;
    int rc;
    if (ctx->purpose_sent || ctx->purpose[0] == '\0')
        return 0;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 1);
    msgpack_pack_str_with_body(&pk, "purpose", 7);
    msgpack_pack_str_with_body(&pk, ctx->purpose, strlen(ctx->purpose));
    rc = call_raw(ctx, "session.purpose", sb.data, sb.size, &res);
    msgpack_sbuffer_destroy(&sb);
    json_decref(res);
    if (rc == 0)
        ctx->purpose_sent = true;
    return rc;
}

/* Connects ctx if needed (and authenticates with $KNOOP_TOKEN), then declares the session's
 * purpose (--purpose, $KNOOP_PURPOSE) if there is one. Returns an exit code. */
static int ensure_conn(cli_ctx_t *ctx)
{
    knoop_error_t err;
    const char *token = getenv("KNOOP_TOKEN");
    const char *user = getenv("KNOOP_USER");
    const char *purpose = getenv("KNOOP_PURPOSE");
    int rc;

    if (ctx->conn != NULL)
        return send_purpose(ctx);
    if (ctx->purpose[0] == '\0' && purpose != NULL && strlen(purpose) < sizeof(ctx->purpose))
        snprintf(ctx->purpose, sizeof(ctx->purpose), "%s", purpose);
    ctx->purpose_sent = false;
    rc = knoop_connect(ctx->addr[0] ? ctx->addr : NULL, &ctx->conn, &err);
    if (rc != 0) {
        fprintf(stderr, "knoop: %s\n", err.msg);
        return rc == KNOOP_EUNAVAIL ? CLI_EXIT_UNREACHABLE : CLI_EXIT_USAGE;
    }
    knoop_set_timeout(ctx->conn, ctx->timeout_ms);
    if ((token != NULL && token[0] != '\0') || (user != NULL && user[0] != '\0')) {
        msgpack_sbuffer sb;
        msgpack_packer pk;
        json_t *res = NULL;

        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        if (user != NULL && user[0] != '\0') {
            const char *pw = getenv("KNOOP_PASSWORD");
            if ((pw == NULL || pw[0] == '\0') && (pw = getpass("Password: ")) == NULL)
                pw = "";
            msgpack_pack_map(&pk, 2);
            msgpack_pack_str_with_body(&pk, "user", 4);
            msgpack_pack_str_with_body(&pk, user, strlen(user));
            msgpack_pack_str_with_body(&pk, "password", 8);
            msgpack_pack_str_with_body(&pk, pw, strlen(pw));
        } else {
            msgpack_pack_map(&pk, 1);
            msgpack_pack_str_with_body(&pk, "token", 5);
            msgpack_pack_str_with_body(&pk, token, strlen(token));
        }
        rc = call_raw(ctx, "auth", sb.data, sb.size, &res);
        msgpack_sbuffer_destroy(&sb);
        json_decref(res);
        if (rc != 0) {
            knoop_close(ctx->conn);
            ctx->conn = NULL;
            return rc;
        }
    }
    return send_purpose(ctx);
}

/* Calls method with params (NULL: none) and prints the result in fmt. */
static int call_and_print(cli_ctx_t *ctx, const char *method, const void *params, size_t len,
                          cli_format_t fmt)
{
    json_t *result = NULL;
    int rc = ensure_conn(ctx);

    if (rc != 0)
        return rc;
    rc = call_raw(ctx, method, params, len, &result);
    if (rc != 0)
        return rc;
    rc = cli_print_result(ctx, fmt, result);
    /* admin.check and audit.verify answer normally when they find a fault: the exit status
     * says so. */
    if (rc == 0 && (strcmp(method, "admin.check") == 0 || strcmp(method, "audit.verify") == 0) &&
        json_is_false(json_object_get(result, "ok")))
        rc = CLI_EXIT_SERVER;
    json_decref(result);
    return rc;
}

/* -- contact administration (cli_contact.c) -- */
int cli_call(cli_ctx_t *ctx, const char *method, const json_t *params, json_t **result)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    knoop_error_t err;
    int rc;

    *result = NULL;
    if ((rc = ensure_conn(ctx)) != 0)
        return rc;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    if (params != NULL && knoop__json_pack(&pk, params, &err) != 0) {
        fprintf(stderr, "knoop: %s\n", err.msg);
        rc = CLI_EXIT_SERVER;
    } else {
        rc = call_raw(ctx, method, params != NULL ? sb.data : NULL, sb.size, result);
    }
    msgpack_sbuffer_destroy(&sb);
    return rc;
}
/* -- end contact administration -- */

static int run_cmd(cli_ctx_t *ctx, const cli_cmd_t *c, int argc, char **argv)
{
    cli_args_t a;
    cli_format_t fmt = ctx->format;
    char msg[320];
    msgpack_sbuffer sb;
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
    rc = cli_apply_globals(ctx, &a, &fmt);
    if (rc != 0) {
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
    msgpack_sbuffer_init(&sb);
    if (c->method == NULL) {
        /* call METHOD [JSON] */
        knoop_error_t err;
        if (a.npos == 2 && knoop__json_object_to_sbuffer(a.pos[1], "params", &sb, &err) != 0) {
            rc = usage_error(c, NULL, err.msg);
        } else {
            rc = call_and_print(ctx, a.pos[0], a.npos == 2 ? sb.data : NULL, sb.size, fmt);
        }
    } else if (c->build == NULL) {
        rc = call_and_print(ctx, c->method, NULL, 0, fmt);
    } else {
        json_t *params = json_object();
        rc = params != NULL ? c->build(&a, params, msg, sizeof(msg)) : CLI_EXIT_SERVER;
        if (rc == CLI_EXIT_USAGE) {
            rc = usage_error(c, NULL, msg);
        } else if (rc == 0) {
            msgpack_packer pk;
            knoop_error_t err;
            msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
            if (knoop__json_pack(&pk, params, &err) != 0) {
                fprintf(stderr, "knoop: %s\n", err.msg);
                rc = CLI_EXIT_SERVER;
            } else {
                rc = call_and_print(ctx, c->method, sb.data, sb.size, fmt);
            }
        }
        json_decref(params);
    }
    msgpack_sbuffer_destroy(&sb);
    cli_args_free(&a);
    return rc;
}

int cli_run(cli_ctx_t *ctx, int argc, char **argv)
{
    const cli_cmd_t *c;
    char msg[160];

    if (argc < 1) {
        cli_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    /* -- path, neighbourhood, graph (cli_path.c) -- */
    {
        int prc = cli_path_run(ctx, argc, argv);
        if (prc >= 0)
            return prc;
    }
    /* -- import, export, query (cli_import.c, cli_export.c) -- */
    {
        int irc = cli_import_dispatch(ctx, argc, argv);
        if (irc >= 0)
            return irc;
    }
    /* -- end import, export, query -- */
    /* -- contact administration (cli_contact.c) -- */
    {
        int crc = cli_contact_run(ctx, argc, argv);
        if (crc >= 0)
            return crc;
    }
    /* -- end contact administration -- */
    if (strcmp(argv[0], "help") == 0 || strcmp(argv[0], "--help") == 0) {
        if (argc == 1) {
            cli_usage(stdout);
            return CLI_EXIT_OK;
        }
        if (cli_group_words(argv[1]) != NULL && argc == 2) {
            group_help(stdout, argv[1]);
            return CLI_EXIT_OK;
        }
        c = cli_group_words(argv[1]) != NULL ? find_cmd(argv[1], argc > 2 ? argv[2] : NULL)
                                             : find_cmd(NULL, argv[1]);
        if (c == NULL) {
            snprintf(msg, sizeof(msg), "no help for '%.64s'", argv[1]);
            return usage_error(NULL, NULL, msg);
        }
        cmd_help(stdout, c);
        return CLI_EXIT_OK;
    }
    /* knoop audit [--person 17 ...]: the filters of `audit list` without the word. */
    if (strcmp(argv[0], "audit") == 0 &&
        (argc < 2 || (strncmp(argv[1], "--", 2) == 0 && strcmp(argv[1], "--help") != 0)))
        return run_cmd(ctx, find_cmd("audit", "list"), argc - 1, argv + 1);
    if (cli_group_words(argv[0]) != NULL) {
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
            group_help(argc < 2 ? stderr : stdout, argv[0]);
            return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
        }
        c = find_cmd(argv[0], argv[1]);
        if (c == NULL) {
            snprintf(msg, sizeof(msg), "unknown subcommand '%.64s %.64s'", argv[0], argv[1]);
            return usage_error(NULL, argv[0], msg);
        }
        return run_cmd(ctx, c, argc - 2, argv + 2);
    }
    c = find_cmd(NULL, argv[0]);
    if (c == NULL) {
        snprintf(msg, sizeof(msg), "unknown command '%.64s'", argv[0]);
        return usage_error(NULL, NULL, msg);
    }
    return run_cmd(ctx, c, argc - 1, argv + 1);
}
