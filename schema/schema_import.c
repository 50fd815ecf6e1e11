/*
 * schema_import.c - the import profiles as one table (layer: schema, pure data).
 * docs/IMPORT.md describes each profile; schema/data/SOURCES.md the files.
 */
#include <string.h>

#include "schema.h"
#include "schema_import.h"

#define ORG    SCHEMA_KIND_ORGANISATION
#define BODY   SCHEMA_KIND_BODY
#define PERSON SCHEMA_KIND_PERSON
#define RECORD SCHEMA_KIND_RECORD

static const schema_import_profile_t profiles[] = {
    { .name = "ambtsdragers",
      .file = "ambtsdragers.csv",
      .cols = { "cbs_code", "functie", "surname", "person_key", "peildatum" },
      .required = { "cbs_code", "functie", "surname", "person_key", "peildatum" },
      .dates = { "peildatum" },
      .kind = PERSON,
      .type = "",
      .props = { { "person_key", "key", NULL },
                 { "initials", "initials", NULL },
                 { "tussenvoegsel", "tussenvoegsel", NULL },
                 { "surname", "surname", NULL },
                 { "aanhef", "aanhef", NULL },
                 { "titels", "titels", NULL },
                 { "source", "bron", NULL } },
      .edge_type = "functie", /* the role named in column functie */
      .edge_source = "person_key",
      .edge_target = "cbs_code",
      .edge_from = "peildatum",
      .default_from = SCHEMA_FROM_COLUMN,
      .special = true,
      .writes = "a person per person_key; the role in column functie, valid from the peildatum, "
                "begin_onbekend: true" },
    { .name = "gekozen",
      .file = "raadsleden_gekozen_2022.csv",
      .cols = { "gemeente_cbs_code", "election_date", "list_number", "party", "initials",
                "surname" },
      .required = { "gemeente_cbs_code", "election_date", "surname" },
      .dates = { "election_date" },
      .kind = PERSON,
      .type = "",
      .edge_type = "raadslid",
      .edge_target = "gemeente_cbs_code",
      .default_from = SCHEMA_FROM_COLUMN,
      .special = true,
      .writes = "a person (the register's when matched) and a raadslid role for the council term, "
                "namens = party" },
    { .name = "zetels",
      .file = "seats_2022.csv",
      .cols = { "gemeente_cbs_code", "election_date", "list_number", "party", "seats",
                "council_seats" },
      .required = { "gemeente_cbs_code", "election_date", "seats" },
      .dates = { "election_date" },
      .kind = RECORD,
      .type = "verkiezingsuitslag",
      .edge_type = "uitslag van",
      .edge_target = "gemeente_cbs_code",
      .edge_from = "election_date",
      .special = true,
      .writes = "an election result per gemeente, \"uitslag van\" the gemeente from the election "
                "date" },
    { .name = "woonplaatsen",
      .file = "woonplaatsen.csv",
      .cols = { "woonplaats_code", "woonplaats_name", "gemeente_cbs_code_2025" },
      .required = { "woonplaats_code", "woonplaats_name" },
      .default_from = SCHEMA_FROM_IMPORT_DATE,
      .special = true,
      .writes = "one places.sync of every row, on the import date" },
    { .name = "postcodes",
      .file = "postcodes_pc4.csv",
      .cols = { "pc4", "woonplaats_name", "gemeente_cbs_code_2025_by_name" },
      .required = { "pc4" },
      .special = true,
      .writes = "postcode.put per PC4 area" },
    { .name = "regions",
      .file = "gemeente_regions.csv",
      .cols = { "cbs_code", "region_type", "region_code", "region_name" },
      .required = { "cbs_code", "region_type", "region_code", "region_name" },
      .kind = BODY,
      .type = "veiligheidsregio",
      .props = { { "region_name", "name", NULL },
                 { "region_code", "key", NULL },
                 { "source", "bron", NULL } },
      .once_per_key = true,
      .edge_type = "deelnemer",
      .edge_source = "cbs_code",
      .edge_target = "region_code",
      .default_from = SCHEMA_FROM_GEMEENTE_BEGIN,
      .needs_gemeenten = true,
      .special = true, /* region_type must be veiligheidsregio */
      .writes = "a veiligheidsregio once per region; deelnemer gemeente -> region from the "
                "gemeente's begin_date" },
    { .name = "koepels",
      .file = "koepels.csv",
      .cols = { "koepel", "gemeente_cbs_code", "member_from" },
      .required = { "koepel", "gemeente_cbs_code" },
      .dates = { "member_from", "member_to" },
      .kind = BODY,
      .type = "koepel",
      .props = { { "koepel", "name", NULL },
                 { "koepel", "key", NULL },
                 { "source", "bron", NULL } },
      .once_per_key = true,
      .edge_type = "lid",
      .edge_source = "gemeente_cbs_code",
      .edge_target = "koepel",
      .edge_from = "member_from",
      .edge_to = "member_to",
      .default_from = SCHEMA_FROM_GEMEENTE_BEGIN,
      .needs_gemeenten = true,
      .writes = "a koepel once per name; lid gemeente -> koepel from member_from (else the "
                "gemeente's begin_date) to member_to" },
    { .name = "contacts",
      .file = "gemeente_contacts.csv",
      .cols = { "gemeente_cbs_code", "email", "website", "telephone" },
      .required = { "gemeente_cbs_code" },
      .kind = ORG,
      .type = "gemeente",
      .props = { { "gemeente_cbs_code", "cbs_code", NULL },
                 { "email", "email", NULL },
                 { "website", "website", NULL },
                 { "telephone", "telefoon", NULL } },
      .special = true, /* rows without any value skipped; refused values skipped */
      .writes = "email, website, telefoon on the existing gemeente" },
    { .name = "gemeenten",
      .file = "gemeenten.csv",
      .cols = { "cbs_code", "name", "province_iso_code", "begin_date" },
      .required = { "cbs_code", "name", "province_iso_code", "begin_date" },
      .dates = { "begin_date", "reference_date" },
      .kind = ORG,
      .type = "gemeente",
      .props = { { "name", "name", NULL },
                 { "cbs_code", "cbs_code", NULL },
                 { "province_iso_code", "provincie", NULL },
                 { "begin_date", "begin_date", NULL },
                 { NULL, "bron", "CBS Gemeenten alfabetisch 2025" },
                 { "reference_date", "peildatum", NULL } },
      .edge_type = "ligt in",
      .edge_source = "cbs_code",
      .edge_target = "province_iso_code",
      .edge_from = "begin_date",
      .default_from = SCHEMA_FROM_COLUMN,
      .writes = "a gemeente; \"ligt in\" gemeente -> provincie from begin_date" },
    { .name = "provinces",
      .file = "provinces.csv",
      .cols = { "iso_code", "name", "abbreviation", "cbs_code" },
      .required = { "iso_code", "name", "cbs_code" },
      .kind = ORG,
      .type = "provincie",
      .props = { { "name", "name", NULL },
                 { "cbs_code", "cbs_code", NULL },
                 { "iso_code", "key", NULL },
                 { "abbreviation", "abbreviation", NULL },
                 { NULL, "bron", "CBS Gemeenten alfabetisch 2025; ISO 3166-2" } },
      .writes = "a provincie, key = the ISO code" },
    { .name = "herindelingen",
      .file = "herindelingen.csv",
      .cols = { "date", "old_cbs_code", "old_name", "new_cbs_code", "new_name" },
      .required = { "date" },
      .dates = { "date" },
      .kind = ORG,
      .type = "gemeente",
      .special = true,
      .writes = "from --since (default 2019-01-01): gemeente.merge where the file names the "
                "successor; else end_date or begin_date of the gemeente" },
    { .name = "edges",
      .file = "any",
      .cols = { "type", "source", "target", "valid_from" },
      .required = { "type", "source", "target", "valid_from" },
      .dates = { "valid_from", "valid_to" },
      .edge_from = "valid_from",
      .edge_to = "valid_to",
      .special = true,
      .writes = "edge.put per row, the other columns as properties" },
    { .name = "nodes",
      .file = "any",
      .cols = { "kind" },
      .required = { "kind" },
      .special = true,
      .writes = "node.put per row, the other columns as properties" },
};

#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

const schema_import_profile_t *schema_import_profile_at(size_t i)
{
    return i < NPROFILES ? &profiles[i] : NULL;
}

const schema_import_profile_t *schema_import_profile(const char *name)
{
    for (size_t i = 0; i < NPROFILES; i++)
        if (strcmp(profiles[i].name, name) == 0)
            return &profiles[i];
    return NULL;
}

bool schema_import_header_fits(const schema_import_profile_t *p, const char *const *header,
                               size_t n)
{
    for (size_t i = 0; i < SCHEMA_IMPORT_COLS && p->cols[i] != NULL; i++) {
        bool found = false;
        for (size_t k = 0; k < n && !found; k++)
            found = strcmp(header[k], p->cols[i]) == 0;
        if (!found)
            return false;
    }
    return true;
}

const schema_import_profile_t *schema_import_guess(const char *const *header, size_t n)
{
    for (size_t i = 0; i < NPROFILES; i++)
        if (schema_import_header_fits(&profiles[i], header, n))
            return &profiles[i];
    return NULL;
}
