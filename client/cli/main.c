/*
 * main.c - the knoop command: global options, then one subcommand or the shell (layer:
 * client, CLI). See cli_usage() in cli_cmd.c for the usage text.
 */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Returns the global option that word names (the part before any '='), or NULL. */
static const cli_opt_t *global_opt(const char *word)
{
    size_t nl = strcspn(word + 2, "=");
    int k;

    for (k = 0; cli_global_opts[k].name != NULL; k++)
        if (strlen(cli_global_opts[k].name) == nl &&
            strncmp(cli_global_opts[k].name, word + 2, nl) == 0)
            return &cli_global_opts[k];
    return NULL;
}

int main(int argc, char **argv)
{
    cli_ctx_t ctx;
    cli_args_t a;
    const char *term = getenv("TERM");
    char msg[160];
    int i = 1, rc;

    /* Display widths need a UTF-8 LC_CTYPE; the data is UTF-8 whatever the environment says. */
    setlocale(LC_CTYPE, "");
    if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
        setlocale(LC_CTYPE, "C.UTF-8");

    memset(&ctx, 0, sizeof(ctx));
    ctx.timeout_ms = CLI_DEFAULT_TIMEOUT_MS;
    ctx.tty = isatty(STDOUT_FILENO);
    ctx.color =
        ctx.tty && getenv("NO_COLOR") == NULL && !(term != NULL && strcmp(term, "dumb") == 0);

    /* Global options before the command. */
    while (i < argc && strncmp(argv[i], "--", 2) == 0) {
        const cli_opt_t *o;
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("knoop %s (libknoop %s)\n", KNOOP_VERSION, knoop_version());
            return CLI_EXIT_OK;
        }
        if (strcmp(argv[i], "--help") == 0) {
            cli_usage(stdout);
            return CLI_EXIT_OK;
        }
        o = global_opt(argv[i]);
        if (o == NULL) {
            fprintf(stderr, "knoop: unknown option '%.64s'\nRun 'knoop --help' for usage.\n",
                    argv[i]);
            return CLI_EXIT_USAGE;
        }
        i += o->arg != NULL && strchr(argv[i], '=') == NULL ? 2 : 1;
    }
    if (i > argc) {
        fprintf(stderr, "knoop: option '%.64s' needs a value\n", argv[argc - 1]);
        return CLI_EXIT_USAGE;
    }
    rc = cli_args_parse(&a, NULL, i - 1, argv + 1, msg, sizeof(msg));
    if (rc != 0) {
        fprintf(stderr, "knoop: %s\nRun 'knoop --help' for usage.\n", msg);
        cli_args_free(&a);
        return rc;
    }
    rc = cli_apply_globals(&ctx, &a, &ctx.format);
    cli_args_free(&a);
    if (rc != 0)
        return rc;

    if (i == argc || strcmp(argv[i], "shell") == 0) {
        if (i == argc && !(isatty(STDIN_FILENO) && ctx.tty)) {
            cli_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        if (i + 1 < argc) {
            fprintf(stderr, "knoop: shell takes no arguments\n");
            return CLI_EXIT_USAGE;
        }
        rc = cli_shell(&ctx);
    } else {
        rc = cli_run(&ctx, argc - i, argv + i);
    }
    knoop_close(ctx.conn);
    return rc;
}
