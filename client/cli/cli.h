/*
 * cli.h - the knoop command-line client: shared declarations (layer: client, CLI).
 *
 * main.c parses the global options and either runs one subcommand or starts the shell;
 * cli_cmd.c holds the subcommand table (usage, options, how each builds its request);
 * cli_args.c parses options and splits shell lines; cli_out.c renders results as tables,
 * CSV or JSON; cli_shell.c is the interactive shell (libedit). Everything runs on the main
 * thread. Requests are built as jansson values and converted to MessagePack by libknoop's
 * internal helpers (knoop_json.h), so the CLI and knoop_call_json agree on conversions.
 */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "knoop.h"

/* Exit codes of the knoop command. */
#define CLI_EXIT_OK          0 /* success */
#define CLI_EXIT_SERVER      1 /* the server answered with an error (or a local failure) */
#define CLI_EXIT_USAGE       2 /* bad command line */
#define CLI_EXIT_UNREACHABLE 3 /* the server could not be reached or the connection failed */

/* Default per-request time limit of the CLI, in milliseconds (--timeout overrides). */
#define CLI_DEFAULT_TIMEOUT_MS 60000

typedef enum { CLI_FMT_TABLE, CLI_FMT_JSON, CLI_FMT_CSV } cli_format_t;

/* The state of one knoop process: connection settings, output mode and the connection. */
typedef struct {
    char addr[512];      /* "" means knoop_connect's default ($KNOOP_ADDR, 127.0.0.1:7474) */
    int timeout_ms;      /* per request; 0 = none */
    cli_format_t format; /* the default output format (a command line may override it) */
    bool tty;            /* stdout is a terminal: pretty JSON, truncated cells, footers */
    bool color;          /* bold table headers (tty, $NO_COLOR unset, $TERM not dumb) */
    bool in_shell;       /* connection options are refused inside the shell */
    knoop_conn_t *conn;  /* owned; opened on first use, dropped after a transport failure */
    char purpose[257];   /* --purpose or $KNOOP_PURPOSE: sent as session.purpose ("" = none) */
    bool purpose_sent;   /* the connection has been told the current purpose */
} cli_ctx_t;

/* ---- cli_args.c ---- */

/* One option of a subcommand. */
typedef struct {
    const char *name; /* without the leading "--" */
    const char *arg;  /* placeholder for help ("K"), or NULL for a flag */
    bool multi;       /* may be repeated */
    const char *help;
} cli_opt_t;

#define CLI_MAX_OPTS 32
#define CLI_MAX_POS  4

/* Parsed arguments of one subcommand. Values borrow from argv. */
typedef struct {
    cli_opt_t opts[CLI_MAX_OPTS]; /* the command's options followed by the global ones */
    int nopts;
    const char *pos[CLI_MAX_POS];
    int npos;
    int count[CLI_MAX_OPTS];
    const char **vals[CLI_MAX_OPTS]; /* owned arrays (cli_args_free) */
} cli_args_t;

/* The options every subcommand accepts too (--json, --csv, --host ...). */
extern const cli_opt_t cli_global_opts[];

/*
 * Parses argv[0..argc) (the words after the subcommand name) against opts (terminated by a
 * NULL name) plus cli_global_opts. Accepts "--opt value", "--opt=value" and "--" ending the
 * options. Returns 0, or CLI_EXIT_USAGE with a message in msg. Free a with cli_args_free
 * either way.
 */
int cli_args_parse(cli_args_t *a, const cli_opt_t *opts, int argc, char **argv, char *msg,
                   size_t msgsz);
void cli_args_free(cli_args_t *a);

/* The last value of option name, or NULL; the number of times it was given. */
const char *cli_args_get(const cli_args_t *a, const char *name);

/* --known-at TIME, for every command that reads: the answer as the database had it recorded at
 * TIME (the server checks the timestamp and names it in its error). */
#define CLI_KNOWN_AT_OPT                                                                           \
    {                                                                                              \
        "known-at", "TIME", false,                                                                 \
            "as recorded at TIME (RFC 3339, e.g. 2024-01-01T12:00:00Z), before later changes"      \
    }
/* Sets p.known_at from --known-at when given. */
void cli_known_at(const cli_args_t *a, json_t *p);
int cli_args_count(const cli_args_t *a, const char *name);
/* The i-th value of option name. */
const char *cli_args_nth(const cli_args_t *a, const char *name, int i);

/*
 * Splits a shell line into words: whitespace separates, '...' is literal, "..." allows \" and
 * \\, a backslash outside quotes escapes the next character. On success *argv is a
 * NULL-terminated array of *argc malloc'd words (cli_argv_free). Returns 0, or -1 with msg set
 * (unterminated quote, out of memory).
 */
int cli_split(const char *line, char ***argv, int *argc, char *msg, size_t msgsz);
void cli_argv_free(char **argv);

/* ---- cli_cmd.c ---- */

/*
 * Runs one subcommand (argv[0] is its name, e.g. "node"), printing its result or error.
 * Returns a CLI_EXIT_* code. Connects ctx on first use.
 */
int cli_run(cli_ctx_t *ctx, int argc, char **argv);

/* Prints the top-level usage text to f. */
void cli_usage(FILE *f);

/* Applies the global options found in a to ctx (and *fmt). Returns 0 or CLI_EXIT_USAGE. */
int cli_apply_globals(cli_ctx_t *ctx, const cli_args_t *a, cli_format_t *fmt);

/* NULL-terminated names for completion: top-level words, subcommands of a group, methods, and
 * the options of "group sub" (or NULL). */
extern const char *const cli_top_words[];
extern const char *const cli_methods[];
const char *const *cli_group_words(const char *group);
void cli_option_words(const char *group, const char *sub, const char **out, size_t max);

/* ---- cli_out.c ---- */

/* Prints result (the method's result as JSON) in format fmt. Returns 0 or CLI_EXIT_SERVER
 * (write error). */
int cli_print_result(const cli_ctx_t *ctx, cli_format_t fmt, const json_t *result);

/* Terminal columns s occupies (UTF-8, wcwidth per code point; invalid bytes count 1). */
size_t cli_display_width(const char *s);

/* ---- cli_shell.c ---- */

/* Runs the interactive shell until quit/exit/EOF. Returns CLI_EXIT_OK. */
int cli_shell(cli_ctx_t *ctx);

/* -- contact administration (cli_contact.c) -- */

/* cli_cmd.c: calls method with params (a JSON object; NULL sends none) on ctx, connecting it on
 * first use. On success *result is the result (caller-owned, json_decref); otherwise the error
 * is printed and a CLI_EXIT_* code returned. */
int cli_call(cli_ctx_t *ctx, const char *method, const json_t *params, json_t **result);

/* Runs argv when it is a `contact`, `task`, `list` or `export` command (or `help` for one):
 * returns its CLI_EXIT_* code, or -1 when argv is not one of them. */
int cli_contact_run(cli_ctx_t *ctx, int argc, char **argv);
/* Prints the usage lines of those commands; their subcommand words (NULL for other groups). */
void cli_contact_usage(FILE *f);
const char *const *cli_contact_group_words(const char *group);
/* Writes every klantcontact with its links as Klantinteracties API resources (JSON) to out.
 * Returns a CLI_EXIT_* code. */
int cli_export_klantinteracties(cli_ctx_t *ctx, FILE *out);

/* -- end contact administration -- */

/* -- import, export, query (cli_import.c, cli_export.c) -- */

/* Runs argv when it is an `import`, `query` or `export --format csv|json` command (or `help`
 * for one): returns its CLI_EXIT_* code, or -1 when argv is not one of them (then
 * `export --format klantinteracties` goes on to cli_contact_run). */
int cli_import_dispatch(cli_ctx_t *ctx, int argc, char **argv);
/* Prints the usage lines of import, export and query. */
void cli_import_usage(FILE *f);
int cli_import_run(cli_ctx_t *ctx, int argc, char **argv);

/*
 * Parses and checks the import file text[0..len) as `knoop import --dry-run` does, with no
 * file and no server: json picks the JSON format, else CSV with profile (NULL: guessed from
 * the header; "json" is refused for CSV). gemeenten (borrowed; NULL: none) stands in for the
 * server's gemeenten, cbs_code -> props, that the regions and koepels profiles look up. Every
 * problem goes to diag as `<buffer>:line: reason`. Sets *nrows and *nops to the rows read and
 * the operations they would send. Returns 0, or CLI_EXIT_SERVER when the text has a problem
 * (or memory ran out). Used by the import fuzzer (tests/fuzz/fuzz_import.c).
 */
int cli_import_check(const char *text, size_t len, bool json, const char *profile,
                     json_t *gemeenten, FILE *diag, size_t *nrows, size_t *nops);
int cli_export_run(cli_ctx_t *ctx, int argc, char **argv);
int cli_query_run(cli_ctx_t *ctx, int argc, char **argv);
int cli_perspective_run(cli_ctx_t *ctx, int argc, char **argv);
/* Connects ctx on first use (authenticating with $KNOOP_TOKEN). Returns a CLI_EXIT_* code. */
int cli_conn(cli_ctx_t *ctx);
/* Calls method with params (a JSON object, or NULL for none) on ctx->conn, which must be
 * connected. Prints nothing. Returns 0 with *result caller-owned, or a knoop_err_t with err. */
int cli_rpc(cli_ctx_t *ctx, const char *method, const json_t *params, json_t **result,
            knoop_error_t *err);
/* Prints a failed cli_rpc's error; drops a broken connection. Returns the exit code. */
int cli_rpc_error(cli_ctx_t *ctx, int rc, const knoop_error_t *err);
/* True for a valid calendar date YYYY-MM-DD. */
bool cli_valid_date(const char *s);
/* Today's local date as YYYY-MM-DD. */
void cli_today(char out[11]);
/* cli_args_parse for commands with any number of positional arguments (FILE...): *files is a
 * malloc'd array (free it) of *nfiles words borrowed from argv. */
int cli_parse_files(cli_args_t *a, const cli_opt_t *opts, int argc, char **argv,
                    const char ***files, int *nfiles, char *msg, size_t msgsz);

/* -- end import, export, query -- */

/* cli_path.c: runs argv when it is `path`, `neighbourhood` or `graph` (or `help` for one):
 * returns its CLI_EXIT_* code, or -1 when it is not one of them. */
int cli_path_run(cli_ctx_t *ctx, int argc, char **argv);
/* Prints the usage lines of path, neighbourhood and graph. */
void cli_path_usage(FILE *f);

/* Formats a usage error into msg and returns CLI_EXIT_USAGE (cli_cmd.c). */
int cli_bad(char *msg, size_t msgsz, const char *fmt, ...) KNOOP_PRINTF(3, 4);
/* True when s is a non-empty string of ASCII digits (an id rather than an external key). */
bool cli_all_digits(const char *s);

#endif
