/*
 * schema_import.h - the import profiles: which file maps to which nodes and roles, with their
 * default dates (layer: schema, pure data and functions, no I/O).
 *
 * A profile says which CSV columns a file needs (also used to guess the profile from a header),
 * which must be filled and which are dates, the node a row puts (kind, type, the column naming
 * it, column -> property) and the edge (role) it puts, with where valid_from comes from when the
 * row gives none. Clients read the files and send the operations (the knoop CLI: knoop import,
 * docs/IMPORT.md); the table is shared so that other clients map the same files the same way.
 * Profiles marked `special` need more than the mapping (name normalisation and person matching
 * for the office holders, grouping for election results, places.sync for woonplaatsen, mergers
 * for herindelingen): their mapping here describes what they write, and the client implements
 * the rest as docs/IMPORT.md describes.
 */
#ifndef SCHEMA_IMPORT_H
#define SCHEMA_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

/* A column copied into a property when it is not empty (col NULL: the constant value). */
typedef struct {
    const char *col, *prop, *value;
} schema_import_map_t;

/* Where an edge's valid_from comes from when its column is empty or absent. */
typedef enum {
    SCHEMA_FROM_COLUMN = 0,     /* the column edge_from; a row without it is bad */
    SCHEMA_FROM_GEMEENTE_BEGIN, /* the begin_date of the gemeente the row names (on the server) */
    SCHEMA_FROM_ROW_NODE_BEGIN, /* the row's own begin_date column */
    SCHEMA_FROM_IMPORT_DATE     /* the date given to the import (--on; default today) */
} schema_import_from_t;

#define SCHEMA_IMPORT_COLS  8
#define SCHEMA_IMPORT_PROPS 10

typedef struct {
    const char *name; /* "gemeenten" */
    const char *file; /* the file of schema/data it is made for ("gemeenten.csv"), or "any" */
    const char *cols[SCHEMA_IMPORT_COLS];     /* required header columns, NULL-terminated */
    const char *required[SCHEMA_IMPORT_COLS]; /* columns that must not be empty in a row */
    const char *dates[SCHEMA_IMPORT_COLS];    /* columns that must be dates when not empty */
    /* The node a row puts (node.put, upsert by external key); kind 0: none. */
    int kind;                                       /* schema_kind_t */
    const char *type;                               /* "" for none */
    schema_import_map_t props[SCHEMA_IMPORT_PROPS]; /* in the order they are put */
    bool once_per_key; /* the node is put once per key value (a region for its gemeenten) */
    /* The edge a row puts (edge.put); edge_type NULL: none. edge_source/edge_target are columns
     * naming the ends by external key; edge_target_const a fixed target (NULL: the column). */
    const char *edge_type;
    const char *edge_source, *edge_target;
    const char *edge_from, *edge_to; /* columns (NULL: none) */
    schema_import_from_t default_from;
    bool needs_gemeenten; /* reads the gemeenten from the server (default_from, checks) */
    bool special;         /* more than the mapping: see the file comment */
    const char *writes;   /* one line on what it writes, for help texts */
} schema_import_profile_t;

/* The i-th profile, or NULL past the end. In guessing order: the first profile whose columns a
 * header has is the one. */
const schema_import_profile_t *schema_import_profile_at(size_t i);

/* The profile called name, or NULL. */
const schema_import_profile_t *schema_import_profile(const char *name);

/* True when the header (n column names) has every column of p. */
bool schema_import_header_fits(const schema_import_profile_t *p, const char *const *header,
                               size_t n);

/* The first profile (in table order) whose columns the header has, or NULL. */
const schema_import_profile_t *schema_import_guess(const char *const *header, size_t n);

#endif
