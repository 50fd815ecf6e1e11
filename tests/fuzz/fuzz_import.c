/*
 * fuzz_import.c - libFuzzer target for the CLI's import parsers (layer: tests, for the CLI).
 *
 * The first byte of the input picks the format and profile (fz_modes: 'j' JSON, 'c' CSV with
 * the profile guessed from the header, 'P' provinces, 'G' gemeenten, 'R' regions, 'K' koepels,
 * 'C' contacts, 'W' woonplaatsen, 'O' postcodes, 'N' nodes, 'E' edges, 'J' CSV with the JSON
 * profile (refused); any other byte picks one by its value). The rest is the file's text,
 * given to cli_import_check: the CSV parser, the profile's row checks and the operations they
 * build, or the JSON document checks, as `knoop import --dry-run` runs them, with no server.
 * A few gemeenten stand in for the server's (the regions and koepels profiles look them up).
 * Diagnostics go to /dev/null.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
    char tag;
    bool json;
    const char *profile;
} fz_modes[] = {
    { 'j', true, NULL },         { 'c', false, NULL },           { 'P', false, "provinces" },
    { 'G', false, "gemeenten" }, { 'R', false, "regions" },      { 'K', false, "koepels" },
    { 'C', false, "contacts" },  { 'W', false, "woonplaatsen" }, { 'O', false, "postcodes" },
    { 'N', false, "nodes" },     { 'E', false, "edges" },        { 'J', false, "json" },
};
#define FZ_NMODES (sizeof(fz_modes) / sizeof(fz_modes[0]))

static FILE *fz_diag;
static json_t *fz_gemeenten;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    json_error_t jerr;

    (void)argc;
    (void)argv;
    fz_diag = fopen("/dev/null", "w");
    /* Two real gemeenten as node.find returns them, and one without a begin_date. */
    fz_gemeenten =
        json_loads("{\"GM0034\": {\"name\": \"Almere\", \"cbs_code\": \"GM0034\", "
                   "\"begin_date\": \"1984-01-01\"},"
                   " \"GM0363\": {\"name\": \"Amsterdam\", \"cbs_code\": \"GM0363\", "
                   "\"begin_date\": \"1812-01-01\"},"
                   " \"GM0999\": {\"name\": \"Zonder begin\", \"cbs_code\": \"GM0999\"}}",
                   0, &jerr);
    if (fz_diag == NULL || fz_gemeenten == NULL) {
        fprintf(stderr, "fuzz_import: setup failed\n");
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t i, nrows = 0, nops = 0;
    int rc;

    if (size < 1)
        return 0;
    for (i = 0; i < FZ_NMODES; i++)
        if (fz_modes[i].tag == (char)data[0])
            break;
    if (i == FZ_NMODES)
        i = data[0] % FZ_NMODES;
    rc = cli_import_check((const char *)data + 1, size - 1, fz_modes[i].json, fz_modes[i].profile,
                          fz_gemeenten, fz_diag, &nrows, &nops);
    assert(rc == 0 || rc == CLI_EXIT_SERVER);
    /* A row puts at most two operations (a body node and its edge, a gemeente and its edge). */
    assert(nops <= 2 * nrows);
    return 0;
}
