/*
 * cli_args.c - option parsing and shell-line splitting for the knoop CLI (layer: client, CLI).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const cli_opt_t cli_global_opts[] = {
    { "json", NULL, false, "print the result as JSON" },
    { "csv", NULL, false, "print the result as CSV (RFC 4180) with a header line" },
    { "host", "H", false, "server host (default 127.0.0.1)" },
    { "port", "P", false, "server port (default 7474)" },
    { "socket", "PATH", false, "connect to a Unix socket instead of TCP" },
    { "timeout", "MS", false, "time limit per request in ms, 0 = none (default 60000)" },
    { "tls", NULL, false, "speak TLS to the server (checks its certificate and name)" },
    { "cacert", "FILE", false, "CA certificate (PEM) to check the server's against" },
    { "purpose", "TEXT", false,
      "what the data read is for; kept with every read of personal data in the audit trail "
      "(session.purpose; default $KNOOP_PURPOSE)" },
    { "help", NULL, false, "show this help" },
    { NULL, NULL, false, NULL },
};

static int usage_msg(char *msg, size_t msgsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msgsz, fmt, ap);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

static int add_value(cli_args_t *a, int i, const char *v)
{
    const char **nv = realloc(a->vals[i], (size_t)(a->count[i] + 1) * sizeof(*nv));
    if (nv == NULL)
        return -1;
    nv[a->count[i]++] = v;
    a->vals[i] = nv;
    return 0;
}

int cli_args_parse(cli_args_t *a, const cli_opt_t *opts, int argc, char **argv, char *msg,
                   size_t msgsz)
{
    cli_opt_t *all = a->opts;
    int n = 0, i, k;
    bool opts_done = false;

    memset(a, 0, sizeof(*a));
    for (i = 0; opts != NULL && opts[i].name != NULL && n < CLI_MAX_OPTS; i++)
        all[n++] = opts[i];
    for (i = 0; cli_global_opts[i].name != NULL && n < CLI_MAX_OPTS; i++)
        all[n++] = cli_global_opts[i];
    a->nopts = n;

    for (i = 0; i < argc; i++) {
        const char *w = argv[i], *eq, *val = NULL;
        size_t nl;

        if (opts_done || strncmp(w, "--", 2) != 0 || w[2] == '\0') {
            if (!opts_done && strcmp(w, "--") == 0) {
                opts_done = true;
                continue;
            }
            if (a->npos == CLI_MAX_POS)
                return usage_msg(msg, msgsz, "unexpected argument '%.64s'", w);
            a->pos[a->npos++] = w;
            continue;
        }
        eq = strchr(w + 2, '=');
        nl = eq != NULL ? (size_t)(eq - w - 2) : strlen(w + 2);
        for (k = 0; k < n; k++)
            if (strlen(all[k].name) == nl && strncmp(all[k].name, w + 2, nl) == 0)
                break;
        if (k == n)
            return usage_msg(msg, msgsz, "unknown option '%.*s'", (int)(nl + 2), w);
        if (all[k].arg == NULL) {
            if (eq != NULL)
                return usage_msg(msg, msgsz, "option '--%s' takes no value", all[k].name);
            val = "";
        } else if (eq != NULL) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            return usage_msg(msg, msgsz, "option '--%s' needs a value (%s)", all[k].name,
                             all[k].arg);
        }
        if (!all[k].multi && a->count[k] > 0)
            return usage_msg(msg, msgsz, "option '--%s' given twice", all[k].name);
        if (add_value(a, k, val) != 0)
            return usage_msg(msg, msgsz, "out of memory");
    }
    return 0;
}

void cli_args_free(cli_args_t *a)
{
    int i;
    for (i = 0; i < CLI_MAX_OPTS; i++) {
        free(a->vals[i]);
        a->vals[i] = NULL;
        a->count[i] = 0;
    }
}

static int find_opt(const cli_args_t *a, const char *name)
{
    int k;
    for (k = 0; k < a->nopts; k++)
        if (strcmp(a->opts[k].name, name) == 0)
            return k;
    return -1;
}

const char *cli_args_get(const cli_args_t *a, const char *name)
{
    int k = find_opt(a, name);
    return k >= 0 && a->count[k] > 0 ? a->vals[k][a->count[k] - 1] : NULL;
}

void cli_known_at(const cli_args_t *a, json_t *p)
{
    const char *v = cli_args_get(a, "known-at");
    if (v != NULL)
        json_object_set_new(p, "known_at", json_string(v));
}

int cli_args_count(const cli_args_t *a, const char *name)
{
    int k = find_opt(a, name);
    return k >= 0 ? a->count[k] : 0;
}

const char *cli_args_nth(const cli_args_t *a, const char *name, int i)
{
    int k = find_opt(a, name);
    return k >= 0 && i >= 0 && i < a->count[k] ? a->vals[k][i] : NULL;
}

void cli_argv_free(char **argv)
{
    char **p;
    if (argv == NULL)
        return;
    for (p = argv; *p != NULL; p++)
        free(*p);
    free(argv);
}

int cli_split(const char *line, char ***argvp, int *argcp, char *msg, size_t msgsz)
{
    size_t len = strlen(line);
    char **argv = NULL;
    char *word = NULL;
    int argc = 0;
    const char *p = line;

    *argvp = NULL;
    *argcp = 0;
    for (;;) {
        size_t wl = 0;
        bool have = false;

        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (*p == '\0')
            break;
        word = malloc(len + 1);
        if (word == NULL)
            goto nomem;
        while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
            have = true;
            if (*p == '\'') {
                const char *e = strchr(p + 1, '\'');
                if (e == NULL) {
                    snprintf(msg, msgsz, "unterminated single quote");
                    goto fail;
                }
                memcpy(word + wl, p + 1, (size_t)(e - p - 1));
                wl += (size_t)(e - p - 1);
                p = e + 1;
            } else if (*p == '"') {
                p++;
                while (*p != '"') {
                    if (*p == '\0') {
                        snprintf(msg, msgsz, "unterminated double quote");
                        goto fail;
                    }
                    if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                        p++;
                    word[wl++] = *p++;
                }
                p++;
            } else if (*p == '\\' && p[1] != '\0') {
                word[wl++] = p[1];
                p += 2;
            } else {
                word[wl++] = *p++;
            }
        }
        if (have) {
            char **nv = realloc(argv, (size_t)(argc + 2) * sizeof(*nv));
            if (nv == NULL)
                goto nomem;
            argv = nv;
            word[wl] = '\0';
            argv[argc++] = word;
            argv[argc] = NULL;
            word = NULL;
        }
    }
    if (argv == NULL) {
        argv = calloc(1, sizeof(*argv));
        if (argv == NULL)
            goto nomem;
    }
    *argvp = argv;
    *argcp = argc;
    return 0;
nomem:
    snprintf(msg, msgsz, "out of memory");
fail:
    free(word);
    cli_argv_free(argv);
    return -1;
}
