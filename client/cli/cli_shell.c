/*
 * cli_shell.c - the interactive knoop shell (layer: client, CLI).
 *
 * Reads lines with libedit's readline compatibility API (line editing, history in
 * ~/.knoop_history, tab completion of commands, subcommands, options and method names), splits
 * them respecting quotes and runs them as one-shot subcommands on one connection. Errors are
 * printed and the shell continues; a lost connection is reopened by the next command. When
 * stdin is not a terminal the lines are read plainly, without prompt or history, so a script
 * can be piped in.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "cli.h"

#define CLI_HISTORY_FILE ".knoop_history"
#define CLI_HISTORY_MAX  1000

/* ---- completion ---- */

static const char *const *comp_words;
static const char *comp_opts[CLI_MAX_OPTS + 1];
static bool comp_is_opts;

/* Generates the candidates for text: state 0 starts over. Returns a malloc'd word or NULL. */
static char *comp_next(const char *text, int state)
{
    static size_t idx;
    size_t len = strlen(text);

    if (state == 0)
        idx = 0;
    while (comp_words != NULL && comp_words[idx] != NULL) {
        const char *w = comp_words[idx++];
        if (comp_is_opts) {
            if (len < 2 || strncmp(w, text + 2, len - 2) == 0) {
                char *r = malloc(strlen(w) + 3);
                if (r != NULL)
                    sprintf(r, "--%s", w);
                return r;
            }
        } else if (strncmp(w, text, len) == 0) {
            return strdup(w);
        }
    }
    return NULL;
}

/* Splits buf[0..end) into at most max words (pointers into a copy in store). */
static int words_before(const char *buf, int end, char *store, size_t storesz, char **w, int max)
{
    int n = 0;
    char *p;

    snprintf(store, storesz, "%.*s", end, buf);
    for (p = strtok(store, " \t"); p != NULL && n < max; p = strtok(NULL, " \t"))
        w[n++] = p;
    return n;
}

static char **cli_complete(const char *text, int start, int end)
{
    char store[1024], *w[4];
    int n = words_before(rl_line_buffer, start, store, sizeof(store), w, 4);

    (void)end;
    rl_attempted_completion_over = 1; /* never fall back to file names */
    comp_words = NULL;
    comp_is_opts = false;
    if (text[0] == '-' && n >= 1) {
        cli_option_words(w[0], n >= 2 ? w[1] : "", comp_opts, CLI_MAX_OPTS + 1);
        comp_words = comp_opts;
        comp_is_opts = true;
    } else if (n == 0) {
        comp_words = cli_top_words;
    } else if (n == 1 && cli_group_words(w[0]) != NULL) {
        comp_words = cli_group_words(w[0]);
    } else if (n == 1 && strcmp(w[0], "call") == 0) {
        comp_words = cli_methods;
    } else if (n == 1 && strcmp(w[0], "help") == 0) {
        comp_words = cli_top_words;
    } else if (n == 2 && strcmp(w[0], "help") == 0 && cli_group_words(w[1]) != NULL) {
        comp_words = cli_group_words(w[1]);
    }
    if (comp_words == NULL)
        return NULL;
    return rl_completion_matches(text, comp_next);
}

/* ---- the loop ---- */

static void shell_help(void)
{
    fputs("Type a command as on the command line, without `knoop`:\n"
          "  ping | info | node create|get|update|delete|find | edge create|get|end|list\n"
          "  history ID | call METHOD [JSON]\n"
          "Options go after the command (node get 7 --json). Quote values with spaces:\n"
          "  node create --kind organisation --prop name='Súdwest-Fryslân'\n"
          "Shell commands:\n"
          "  help [COMMAND]          this text, or a command's options\n"
          "  format table|json|csv   the output format of later commands\n"
          "  quit, exit, Ctrl-D      leave\n"
          "Tab completes commands, subcommands, --options and method names.\n",
          stdout);
}

/* Handles a shell-only command; returns 1 if it was one, 2 to quit, 0 otherwise. */
static int shell_builtin(cli_ctx_t *ctx, int argc, char **argv)
{
    if (strcmp(argv[0], "quit") == 0 || strcmp(argv[0], "exit") == 0)
        return 2;
    if (strcmp(argv[0], "help") == 0 && argc == 1) {
        shell_help();
        return 1;
    }
    if (strcmp(argv[0], "shell") == 0) {
        fputs("knoop: already in the shell\n", stderr);
        return 1;
    }
    if (strcmp(argv[0], "format") == 0) {
        if (argc == 2 && strcmp(argv[1], "table") == 0)
            ctx->format = CLI_FMT_TABLE;
        else if (argc == 2 && strcmp(argv[1], "json") == 0)
            ctx->format = CLI_FMT_JSON;
        else if (argc == 2 && strcmp(argv[1], "csv") == 0)
            ctx->format = CLI_FMT_CSV;
        else
            fputs("knoop: usage: format table|json|csv\n", stderr);
        return 1;
    }
    return 0;
}

int cli_shell(cli_ctx_t *ctx)
{
    bool interactive = isatty(STDIN_FILENO);
    char hist[PATH_MAX] = "";
    const char *home = getenv("HOME");
    char *line = NULL;
    size_t cap = 0;

    ctx->in_shell = true;
    if (interactive) {
        rl_readline_name = "knoop";
        rl_attempted_completion_function = cli_complete;
        using_history();
        stifle_history(CLI_HISTORY_MAX);
        if (home != NULL && home[0] != '\0') {
            snprintf(hist, sizeof(hist), "%s/%s", home, CLI_HISTORY_FILE);
            read_history(hist);
        }
        printf("knoop %s, server %s. Type help, or quit to leave.\n", knoop_version(),
               ctx->addr[0]                                      ? ctx->addr
               : getenv("KNOOP_ADDR") && getenv("KNOOP_ADDR")[0] ? getenv("KNOOP_ADDR")
                                                                 : KNOOP_DEFAULT_ADDR);
    }
    for (;;) {
        char **argv, msg[128];
        int argc, b;

        if (interactive) {
            free(line);
            line = readline("knoop> ");
            if (line == NULL) {
                putchar('\n');
                break;
            }
        } else if (getline(&line, &cap, stdin) < 0) {
            break;
        }
        if (cli_split(line, &argv, &argc, msg, sizeof(msg)) != 0) {
            fprintf(stderr, "knoop: %s\n", msg);
            continue;
        }
        if (argc == 0 || argv[0][0] == '#') {
            cli_argv_free(argv);
            continue;
        }
        if (interactive)
            add_history(line);
        b = shell_builtin(ctx, argc, argv);
        if (b == 0)
            (void)cli_run(ctx, argc, argv);
        cli_argv_free(argv);
        fflush(stdout);
        if (b == 2)
            break;
    }
    free(line);
    if (interactive && hist[0] != '\0')
        write_history(hist);
    return CLI_EXIT_OK;
}
