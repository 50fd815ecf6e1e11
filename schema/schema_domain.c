/*
 * schema_domain.c - the built-in VNG domain and write validation (layer: schema, pure).
 *
 * Province names, codes and abbreviations are those of CBS "Gemeenten alfabetisch 2025" and
 * ISO 3166-2:NL (schema/data/provinces.csv, see schema/data/SOURCES.md). Stedelijkheid classes
 * follow CBS's definition by address density; grootteklasse follows CBS's population classes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knoop_alloc.h"
#include "schema_domain.h"

struct schema_registry {
    schema_field_t *fields;
    size_t nfields, capfields;
    schema_list_t *lists;
    size_t nlists, caplists;
    schema_role_t *roles;
    size_t nroles, caproles;
    schema_node_type_t *types;
    size_t ntypes, captypes;
};

static const char *const vtype_names[SCHEMA_V__COUNT] = {
    "any",      "string",     "integer",      "number",       "boolean", "date",
    "list",     "list_multi", "strings",      "email",        "phone",   "website",
    "postcode", "address",    "gemeentecode", "provinciecode"
};

const char *schema_vtype_name(schema_vtype_t v)
{
    return (unsigned)v < SCHEMA_V__COUNT ? vtype_names[v] : NULL;
}

int schema_vtype_parse(const char *s, size_t len, const char *field, schema_vtype_t *out,
                       knoop_error_t *err)
{
    char q[96];
    for (int i = 0; i < SCHEMA_V__COUNT; i++)
        if (strlen(vtype_names[i]) == len && memcmp(vtype_names[i], s, len) == 0) {
            *out = (schema_vtype_t)i;
            return KNOOP_OK;
        }
    return knoop_error_set(err, KNOOP_EINVAL,
                           "%s: unknown value type %s (expected string, integer, number, boolean, "
                           "date, list, list_multi, strings, email, phone, website, postcode, "
                           "address, gemeentecode, provinciecode or any)",
                           field, knoop_repr(q, sizeof(q), s, len, 32));
}

/* ---- growable arrays ---- */

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return KNOOP_OK;
    size_t nc = *cap ? *cap * 2 : 32;
    void *q = knoop_realloc(*p, nc * size);
    if (q == NULL)
        return KNOOP_ENOMEM;
    *p = q;
    *cap = nc;
    return KNOOP_OK;
}

/* ---- built-in content ---- */

static const struct {
    int kind;
    const char *name;
    bool core;
} builtin_types[] = {
    { SCHEMA_KIND_ORGANISATION, "gemeente", true },
    { SCHEMA_KIND_ORGANISATION, "provincie", true },
    { SCHEMA_KIND_ORGANISATION, "politieke partij", false },
    { SCHEMA_KIND_ORGANISATION, "fractie", true },
    { SCHEMA_KIND_ORGANISATION, "vng-commissie", true },
    { SCHEMA_KIND_ORGANISATION, "vng-bestuur", true },
    { SCHEMA_KIND_ORGANISATION, "bestuurssecretariaat", true },
    { SCHEMA_KIND_ORGANISATION, "ministerie", false },
    { SCHEMA_KIND_ORGANISATION, "team", false },
    { SCHEMA_KIND_ORGANISATION, "overig", false },
    { SCHEMA_KIND_PROJECT, "project", false },
    { SCHEMA_KIND_PROJECT, "programma", false },
    { SCHEMA_KIND_BODY, "veiligheidsregio", true },
    { SCHEMA_KIND_BODY, "ggd-regio", true },
    { SCHEMA_KIND_BODY, "koepel", true },
    { SCHEMA_KIND_BODY, "samenwerkingsverband", false },
    { SCHEMA_KIND_BODY, "overlegorgaan", false },
    { SCHEMA_KIND_CONTACT, "klantcontact", false },
    { SCHEMA_KIND_TASK, "interne taak", false },
    { SCHEMA_KIND_LIST, "verzendlijst", false },
    { SCHEMA_KIND_RECORD, "verkiezingsuitslag", true },
};

static const schema_value_t provinces[] = {
    { "NL-GR", "Groningen", "GR", "PV20" },     { "NL-FR", "Fryslân", "FR", "PV21" },
    { "NL-DR", "Drenthe", "DR", "PV22" },       { "NL-OV", "Overijssel", "OV", "PV23" },
    { "NL-FL", "Flevoland", "FL", "PV24" },     { "NL-GE", "Gelderland", "GE", "PV25" },
    { "NL-UT", "Utrecht", "UT", "PV26" },       { "NL-NH", "Noord-Holland", "NH", "PV27" },
    { "NL-ZH", "Zuid-Holland", "ZH", "PV28" },  { "NL-ZE", "Zeeland", "ZE", "PV29" },
    { "NL-NB", "Noord-Brabant", "NB", "PV30" }, { "NL-LI", "Limburg", "LI", "PV31" },
};

static const schema_value_t categories[] = {
    { "grensgemeente", "Grensgemeente (grenst aan Duitsland of België)", "", "" },
    { "kustgemeente", "Kustgemeente", "", "" },
    { "krimpgemeente", "Krimpgemeente (krimpregio of anticipeerregio)", "", "" },
};

static const schema_value_t size_classes[] = {
    { "1", "minder dan 5 000 inwoners", "", "" },
    { "2", "5 000 tot 10 000 inwoners", "", "" },
    { "3", "10 000 tot 20 000 inwoners", "", "" },
    { "4", "20 000 tot 50 000 inwoners", "", "" },
    { "5", "50 000 tot 100 000 inwoners", "", "" },
    { "6", "100 000 tot 150 000 inwoners", "", "" },
    { "7", "150 000 tot 250 000 inwoners", "", "" },
    { "8", "250 000 inwoners of meer", "", "" },
};

static const schema_value_t urbanity[] = {
    { "1", "zeer sterk stedelijk (2 500 of meer adressen per km²)", "", "" },
    { "2", "sterk stedelijk (1 500 tot 2 500 adressen per km²)", "", "" },
    { "3", "matig stedelijk (1 000 tot 1 500 adressen per km²)", "", "" },
    { "4", "weinig stedelijk (500 tot 1 000 adressen per km²)", "", "" },
    { "5", "niet stedelijk (minder dan 500 adressen per km²)", "", "" },
};

static const schema_value_t address_types[] = {
    { "bezoekadres", "Bezoekadres", "", "" },
    { "postadres", "Postadres (correspondentieadres)", "", "" },
};

/* Fields: kind, type, name, vtype, list, required, description. */
static const struct {
    int kind;
    const char *type, *name;
    schema_vtype_t vtype;
    const char *list;
    bool required;
    const char *description;
} builtin_fields[] = {
#define ORG  SCHEMA_KIND_ORGANISATION
#define BODY SCHEMA_KIND_BODY
    { ORG, "gemeente", "name", SCHEMA_V_STRING, "", true, "naam (CBS-spelling)" },
    { ORG, "gemeente", "cbs_code", SCHEMA_V_GEMEENTECODE, "", true, "CBS gemeentecode GMxxxx" },
    { ORG, "gemeente", "provincie", SCHEMA_V_LIST, "provincie", false, "provincie (ISO 3166-2)" },
    { ORG, "gemeente", "begin_date", SCHEMA_V_DATE, "", false, "datum van instelling" },
    { ORG, "gemeente", "end_date", SCHEMA_V_DATE, "", false,
      "datum van opheffing (herindeling): bestaat tot die dag" },
    { ORG, "gemeente", "opgegaan_in", SCHEMA_V_GEMEENTECODE, "", false,
      "CBS-code van de gemeente waarin zij bij de herindeling opging" },
    { ORG, "gemeente", "categorieen", SCHEMA_V_LIST_MULTI, "categorie", false,
      "grensgemeente, kustgemeente, krimpgemeente" },
    { ORG, "gemeente", "inwoners", SCHEMA_V_INTEGER, "", false, "inwoners (CBS)" },
    { ORG, "gemeente", "grootteklasse", SCHEMA_V_LIST, "grootteklasse", false,
      "CBS gemeentegrootteklasse" },
    { ORG, "gemeente", "stedelijkheidsklasse", SCHEMA_V_LIST, "stedelijkheidsklasse", false,
      "CBS stedelijkheidsklasse" },
    { ORG, "gemeente", "email", SCHEMA_V_EMAIL, "", false, "algemeen e-mailadres" },
    { ORG, "gemeente", "website", SCHEMA_V_WEBSITE, "", false, "website" },
    { ORG, "gemeente", "telefoon", SCHEMA_V_PHONE, "", false, "telefoonnummer (ook 14-nummer)" },
    { ORG, "gemeente", "bezoekadres", SCHEMA_V_ADDRESS, "", false, "bezoekadres" },
    { ORG, "gemeente", "postadres", SCHEMA_V_ADDRESS, "", false, "postadres" },
    { ORG, "gemeente", "bron", SCHEMA_V_STRING, "", false, "herkomst van de gegevens" },
    { ORG, "gemeente", "peildatum", SCHEMA_V_DATE, "", false, "peildatum van de gegevens" },
    { ORG, "provincie", "name", SCHEMA_V_STRING, "", true, "naam" },
    { ORG, "provincie", "cbs_code", SCHEMA_V_PROVINCIECODE, "", true, "CBS provinciecode PVxx" },
    { ORG, "provincie", "key", SCHEMA_V_LIST, "provincie", true, "ISO 3166-2-code" },
    { ORG, "provincie", "abbreviation", SCHEMA_V_STRING, "", false, "afkorting" },
    { ORG, "provincie", "bron", SCHEMA_V_STRING, "", false, "herkomst van de gegevens" },
    { ORG, "fractie", "name", SCHEMA_V_STRING, "", true, "naam" },
    { ORG, "fractie", "key", SCHEMA_V_STRING, "", false, "externe sleutel" },
    { ORG, "vng-commissie", "name", SCHEMA_V_STRING, "", true, "naam" },
    { ORG, "vng-commissie", "key", SCHEMA_V_STRING, "", false, "externe sleutel" },
    { ORG, "vng-bestuur", "name", SCHEMA_V_STRING, "", true, "naam" },
    { ORG, "vng-bestuur", "key", SCHEMA_V_STRING, "", false, "externe sleutel" },
    { ORG, "bestuurssecretariaat", "name", SCHEMA_V_STRING, "", true, "naam" },
    { ORG, "bestuurssecretariaat", "key", SCHEMA_V_STRING, "", false, "externe sleutel" },
    { BODY, "veiligheidsregio", "name", SCHEMA_V_STRING, "", true, "naam" },
    { BODY, "veiligheidsregio", "key", SCHEMA_V_STRING, "", true, "regiocode VRxx" },
    { BODY, "veiligheidsregio", "bron", SCHEMA_V_STRING, "", false, "herkomst" },
    { BODY, "ggd-regio", "name", SCHEMA_V_STRING, "", true, "naam" },
    { BODY, "ggd-regio", "key", SCHEMA_V_STRING, "", false, "regiocode" },
    { BODY, "ggd-regio", "bron", SCHEMA_V_STRING, "", false, "herkomst" },
    { BODY, "koepel", "name", SCHEMA_V_STRING, "", true, "naam (G4, G40 ...)" },
    { BODY, "koepel", "key", SCHEMA_V_STRING, "", true, "externe sleutel" },
    { BODY, "koepel", "bron", SCHEMA_V_STRING, "", false, "herkomst" },
    /* An election result (docs/IMPORT.md, "Election results"): one node per gemeente and
     * election, linked to the gemeente by an edge `uitslag van` valid from the election date. */
    { SCHEMA_KIND_RECORD, "verkiezingsuitslag", "name", SCHEMA_V_STRING, "", true, "naam" },
    { SCHEMA_KIND_RECORD, "verkiezingsuitslag", "key", SCHEMA_V_STRING, "", true,
      "externe sleutel, bijv. GR2022|GM0034" },
    { SCHEMA_KIND_RECORD, "verkiezingsuitslag", "gemeente", SCHEMA_V_GEMEENTECODE, "", true,
      "CBS-code van de gemeente" },
    { SCHEMA_KIND_RECORD, "verkiezingsuitslag", "date", SCHEMA_V_DATE, "", true,
      "datum van de verkiezing" },
    { SCHEMA_KIND_RECORD, "verkiezingsuitslag", "total", SCHEMA_V_INTEGER, "", true,
      "aantal zetels van de raad" },
    { SCHEMA_KIND_RECORD, "verkiezingsuitslag", "seats", SCHEMA_V_ANY, "", true,
      "zetels per lijst: [{party (nil: lijst zonder aanduiding), list, seats}]" },
    { SCHEMA_KIND_RECORD, "verkiezingsuitslag", "election", SCHEMA_V_STRING, "", false,
      "verkiezing, bijv. GR2022_Almere" },
    { SCHEMA_KIND_RECORD, "verkiezingsuitslag", "bron", SCHEMA_V_STRING, "", false, "herkomst" },
    { SCHEMA_KIND_PERSON, "", "initials", SCHEMA_V_STRING, "", false, "voorletters" },
    { SCHEMA_KIND_PERSON, "", "first_names", SCHEMA_V_STRING, "", false, "voornamen" },
    { SCHEMA_KIND_PERSON, "", "tussenvoegsel", SCHEMA_V_STRING, "", false, "tussenvoegsel" },
    { SCHEMA_KIND_PERSON, "", "surname", SCHEMA_V_STRING, "", false, "achternaam" },
    { SCHEMA_KIND_PERSON, "", "email", SCHEMA_V_EMAIL, "", false, "e-mailadres" },
    { SCHEMA_KIND_PERSON, "", "telefoon", SCHEMA_V_PHONE, "", false, "telefoonnummer" },
    { SCHEMA_KIND_PERSON, "", "example", SCHEMA_V_BOOLEAN, "", false, "voorbeeldgegeven" },
#undef ORG
#undef BODY
};

static int list_add_values(schema_list_t *l, const schema_value_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (grow((void **)&l->values, &l->cap, l->n, sizeof(*l->values)) != KNOOP_OK)
            return KNOOP_ENOMEM;
        l->values[l->n++] = v[i];
    }
    return KNOOP_OK;
}

static schema_list_t *find_list(const schema_registry_t *r, const char *name)
{
    for (size_t i = 0; i < r->nlists; i++)
        if (strcmp(r->lists[i].name, name) == 0)
            return &r->lists[i];
    return NULL;
}

static int add_builtin_list(schema_registry_t *r, const char *name, const char *desc,
                            const schema_value_t *v, size_t n)
{
    schema_list_t *l;
    if (grow((void **)&r->lists, &r->caplists, r->nlists, sizeof(*r->lists)) != KNOOP_OK)
        return KNOOP_ENOMEM;
    l = &r->lists[r->nlists++];
    memset(l, 0, sizeof(*l));
    snprintf(l->name, sizeof(l->name), "%s", name);
    snprintf(l->description, sizeof(l->description), "%s", desc);
    l->builtin = true;
    return list_add_values(l, v, n);
}

/*
 * Every role type loaded from a register snapshot accepts `bron` (the source) and
 * `begin_onbekend: true` (valid_from is the snapshot date, not the real start; docs/IMPORT.md).
 */
#define ROLE_SOURCE_ATTRS "bron:string,begin_onbekend:boolean"

/* Role definitions in a compact form: "kind[/type]" strings, "|" separated. */
static const struct {
    const char *name, *sources, *targets, *description;
    const char *attrs;    /* "name:vtype[:list][:required]" comma separated */
    uint32_t max_holders; /* 0 = any number at once */
    bool allow_overlap;
} builtin_roles[] = {
    { "burgemeester", "person", "organisation/gemeente", "burgemeester van de gemeente",
      ROLE_SOURCE_ATTRS, 1, false },
    { "waarnemend burgemeester", "person", "organisation/gemeente", "waarnemend burgemeester",
      ROLE_SOURCE_ATTRS, 1, false },
    { "wethouder", "person", "organisation/gemeente", "lid van het college van B&W",
      "portefeuilles:strings,namens:string," ROLE_SOURCE_ATTRS, 0, false },
    { "loco-burgemeester", "person", "organisation/gemeente",
      "vervangt de burgemeester (meestal namens een wethoudersrol)", ROLE_SOURCE_ATTRS, 0, false },
    /* namens is required, with two exceptions (schema_validate.c, attr_may_be_absent): a role
     * from a register that gives no party (bron and begin_onbekend: true), and a seat won by a
     * list without a registered name (lijst, the Kiesraad's list number, instead). */
    { "raadslid", "person", "organisation/gemeente",
      "lid van de gemeenteraad (namens een partij; zonder namens alleen met lijst, of met bron "
      "en begin_onbekend)",
      "namens:string:required,lijst:integer," ROLE_SOURCE_ATTRS, 0, false },
    { "fractievoorzitter", "person", "organisation/fractie|organisation/gemeente",
      "voorzitter van een raadsfractie", "namens:string," ROLE_SOURCE_ATTRS, 0, false },
    { "griffier", "person", "organisation/gemeente|organisation/provincie", "griffier",
      ROLE_SOURCE_ATTRS, 1, false },
    { "gemeentesecretaris", "person", "organisation/gemeente", "gemeentesecretaris",
      ROLE_SOURCE_ATTRS, 1, false },
    { "fractie van", "organisation/fractie", "organisation/gemeente",
      "de fractie zit in de gemeenteraad van de gemeente", "", 0, false },
    { "secretariaat van", "organisation/bestuurssecretariaat", "organisation/gemeente",
      "het bestuurssecretariaat van de gemeente", "", 0, false },
    { "contactpersoon", "person", "organisation|body",
      "contactpersoon van een organisatie of orgaan (eventueel namens een rol)",
      "functie:string,bron:string", 0, true },
    { "uitslag van", "record/verkiezingsuitslag", "organisation/gemeente",
      "verkiezingsuitslag van de gemeente, geldig vanaf de verkiezingsdatum", "", 0, false },
    { "medewerker", "person", "organisation", "medewerker van een organisatie", "functie:string", 0,
      false },
    { "lid", "person|organisation",
      "body|organisation/vng-commissie|organisation/vng-bestuur|organisation/fractie|organisation/"
      "politieke partij|project",
      "lid van een orgaan, commissie, bestuur, fractie of project", "namens:string", 0, false },
    { "voorzitter", "person",
      "body|organisation/vng-commissie|organisation/vng-bestuur|organisation/fractie|project",
      "voorzitter", "", 0, false },
    { "deelnemer", "person|organisation", "body|project", "neemt deel aan", "", 0, false },
    { "ligt in", "organisation/gemeente", "organisation/provincie",
      "de gemeente ligt in de provincie", "", 0, false },
    { "kent", "person", "person", "kennen elkaar", "toelichting:string", 0, false },
    { "betrokkene", "person|organisation", "contact", "betrokkene bij een klantcontact",
      "rol:string:required,initiator:boolean,organisatienaam:string", 0, true },
    { "over_rol", "contact", "person|organisation|project|body", "klantcontact over een rol",
      "rol_edge:integer:required,rol:string", 0, true },
    { "had_contact", "person|organisation", "contact", "actor bij een klantcontact", "", 0, true },
    { "aanleiding", "contact", "task", "klantcontact dat een interne taak startte", "", 0, true },
    { "toegewezen_aan", "task", "person|organisation", "interne taak toegewezen aan een actor", "",
      0, true },
    { "corrigeert", "contact", "contact", "correctie van een eerder klantcontact",
      "corrects:integer", 0, true },
    { "abonnement", "person|organisation", "list", "abonnement op een verzendlijst", "", 0, false },
};

static int parse_ends(const char *spec, schema_end_t *ends, size_t *n)
{
    char buf[512], *save = NULL, *tok;
    snprintf(buf, sizeof(buf), "%s", spec);
    *n = 0;
    for (tok = strtok_r(buf, "|", &save); tok && *n < SCHEMA_ROLE_ENDS;
         tok = strtok_r(NULL, "|", &save)) {
        char *slash = strchr(tok, '/');
        schema_kind_t k;
        if (slash)
            *slash = '\0';
        if (schema_kind_parse(tok, strlen(tok), "role", &k, NULL) != KNOOP_OK)
            return KNOOP_EINVAL;
        ends[*n].kind = (int)k;
        snprintf(ends[*n].type, sizeof(ends[*n].type), "%s", slash ? slash + 1 : "");
        (*n)++;
    }
    return KNOOP_OK;
}

static int parse_attrs(const char *spec, schema_role_t *role)
{
    char buf[256], *save = NULL, *tok;
    snprintf(buf, sizeof(buf), "%s", spec);
    for (tok = strtok_r(buf, ",", &save); tok && role->nattrs < SCHEMA_ROLE_ATTRS;
         tok = strtok_r(NULL, ",", &save)) {
        schema_field_t *f = &role->attrs[role->nattrs++];
        char *p1 = strchr(tok, ':'), *p2;
        memset(f, 0, sizeof(*f));
        if (p1 == NULL)
            return KNOOP_EINVAL;
        *p1++ = '\0';
        p2 = strchr(p1, ':');
        if (p2)
            *p2++ = '\0';
        snprintf(f->name, sizeof(f->name), "%s", tok);
        if (schema_vtype_parse(p1, strlen(p1), "role", &f->vtype, NULL) != KNOOP_OK)
            return KNOOP_EINVAL;
        f->required = p2 != NULL && strcmp(p2, "required") == 0;
        f->core = true;
        f->builtin = true;
    }
    return KNOOP_OK;
}

schema_registry_t *schema_registry_new(void)
{
    schema_registry_t *r = knoop_calloc(1, sizeof(*r));
    size_t i;
    if (r == NULL)
        return NULL;
    for (i = 0; i < sizeof(builtin_types) / sizeof(builtin_types[0]); i++) {
        schema_node_type_t *t;
        if (grow((void **)&r->types, &r->captypes, r->ntypes, sizeof(*r->types)) != KNOOP_OK)
            goto fail;
        t = &r->types[r->ntypes++];
        t->kind = builtin_types[i].kind;
        snprintf(t->name, sizeof(t->name), "%s", builtin_types[i].name);
        t->core = builtin_types[i].core;
    }
    if (add_builtin_list(r, "provincie", "de twaalf provincies (CBS 2025, ISO 3166-2:NL)",
                         provinces, 12) != KNOOP_OK ||
        add_builtin_list(r, "categorie", "categorieën van gemeenten", categories, 3) != KNOOP_OK ||
        add_builtin_list(r, "grootteklasse", "CBS gemeentegrootteklassen", size_classes, 8) !=
            KNOOP_OK ||
        add_builtin_list(r, "stedelijkheidsklasse", "CBS stedelijkheidsklassen", urbanity, 5) !=
            KNOOP_OK ||
        add_builtin_list(r, "adrestype", "soorten adressen", address_types, 2) != KNOOP_OK)
        goto fail;
    for (i = 0; i < sizeof(builtin_fields) / sizeof(builtin_fields[0]); i++) {
        schema_field_t *f;
        if (grow((void **)&r->fields, &r->capfields, r->nfields, sizeof(*r->fields)) != KNOOP_OK)
            goto fail;
        f = &r->fields[r->nfields++];
        memset(f, 0, sizeof(*f));
        f->kind = builtin_fields[i].kind;
        snprintf(f->type, sizeof(f->type), "%s", builtin_fields[i].type);
        snprintf(f->name, sizeof(f->name), "%s", builtin_fields[i].name);
        f->vtype = builtin_fields[i].vtype;
        snprintf(f->list, sizeof(f->list), "%s", builtin_fields[i].list);
        f->required = builtin_fields[i].required;
        f->core = schema_registry_is_core(r, f->kind, f->type);
        f->builtin = true;
        snprintf(f->description, sizeof(f->description), "%s", builtin_fields[i].description);
    }
    for (i = 0; i < sizeof(builtin_roles) / sizeof(builtin_roles[0]); i++) {
        schema_role_t *role;
        if (grow((void **)&r->roles, &r->caproles, r->nroles, sizeof(*r->roles)) != KNOOP_OK)
            goto fail;
        role = &r->roles[r->nroles++];
        memset(role, 0, sizeof(*role));
        snprintf(role->name, sizeof(role->name), "%s", builtin_roles[i].name);
        snprintf(role->description, sizeof(role->description), "%s", builtin_roles[i].description);
        role->builtin = true;
        role->max_holders = builtin_roles[i].max_holders;
        role->allow_overlap = builtin_roles[i].allow_overlap;
        if (parse_ends(builtin_roles[i].sources, role->sources, &role->nsources) != KNOOP_OK ||
            parse_ends(builtin_roles[i].targets, role->targets, &role->ntargets) != KNOOP_OK ||
            parse_attrs(builtin_roles[i].attrs, role) != KNOOP_OK)
            goto fail;
    }
    return r;
fail:
    schema_registry_free(r);
    return NULL;
}

void schema_registry_free(schema_registry_t *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nlists; i++)
        knoop_free(r->lists[i].values);
    knoop_free(r->lists);
    knoop_free(r->fields);
    knoop_free(r->roles);
    knoop_free(r->types);
    knoop_free(r);
}

bool schema_registry_is_core(const schema_registry_t *r, int kind, const char *type)
{
    if (type == NULL || type[0] == '\0')
        return false;
    for (size_t i = 0; i < r->ntypes; i++)
        if (r->types[i].kind == kind && strcmp(r->types[i].name, type) == 0)
            return r->types[i].core;
    return false;
}

const schema_list_t *schema_registry_list(const schema_registry_t *r, const char *name)
{
    return find_list(r, name);
}

const schema_role_t *schema_registry_role(const schema_registry_t *r, const char *name)
{
    for (size_t i = 0; i < r->nroles; i++)
        if (strcmp(r->roles[i].name, name) == 0)
            return &r->roles[i];
    return NULL;
}

const schema_field_t *schema_registry_field_at(const schema_registry_t *r, size_t i)
{
    return i < r->nfields ? &r->fields[i] : NULL;
}

const schema_list_t *schema_registry_list_at(const schema_registry_t *r, size_t i)
{
    return i < r->nlists ? &r->lists[i] : NULL;
}

const schema_role_t *schema_registry_role_at(const schema_registry_t *r, size_t i)
{
    return i < r->nroles ? &r->roles[i] : NULL;
}

const schema_node_type_t *schema_registry_type_at(const schema_registry_t *r, size_t i)
{
    return i < r->ntypes ? &r->types[i] : NULL;
}

static int check_def_name(const char *s, const char *field, knoop_error_t *err)
{
    int rc = schema_check_name(s, strlen(s), field, err);
    if (rc == KNOOP_OK && strlen(s) >= SCHEMA_NAME_MAX)
        rc = knoop_error_set(err, KNOOP_EINVAL, "%s: longer than %d bytes", field,
                             SCHEMA_NAME_MAX - 1);
    return rc;
}

int schema_registry_put_field(schema_registry_t *r, const schema_field_t *f, knoop_error_t *err)
{
    int rc;
    if ((rc = check_def_name(f->name, "params.name", err)) != KNOOP_OK)
        return rc;
    if (schema_kind_name(f->kind) == NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "params.kind: unknown kind");
    if (schema_vtype_name(f->vtype) == NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "params.value_type: unknown value type");
    if ((f->vtype == SCHEMA_V_LIST || f->vtype == SCHEMA_V_LIST_MULTI) &&
        find_list(r, f->list) == NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "params.list: list of values '%s' does not exist",
                               f->list);
    if (f->type[0] != '\0') {
        bool known = false;
        for (size_t i = 0; i < r->ntypes; i++)
            known |= r->types[i].kind == f->kind && strcmp(r->types[i].name, f->type) == 0;
        if (!known)
            return knoop_error_set(err, KNOOP_EINVAL, "params.type: '%s' is not a type of %s",
                                   f->type, schema_kind_name(f->kind));
    }
    for (size_t i = 0; i < r->nfields; i++) {
        schema_field_t *g = &r->fields[i];
        if (g->kind == f->kind && strcmp(g->type, f->type) == 0 && strcmp(g->name, f->name) == 0) {
            if (g->builtin)
                return knoop_error_set(err, KNOOP_ECONFLICT,
                                       "params.name: '%s' is a built-in field and cannot be "
                                       "redefined",
                                       f->name);
            *g = *f;
            g->builtin = false;
            return KNOOP_OK;
        }
    }
    if (grow((void **)&r->fields, &r->capfields, r->nfields, sizeof(*r->fields)) != KNOOP_OK)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    r->fields[r->nfields] = *f;
    r->fields[r->nfields++].builtin = false;
    return KNOOP_OK;
}

static int check_values(const schema_value_t *v, size_t n, knoop_error_t *err)
{
    for (size_t i = 0; i < n; i++) {
        int rc = schema_check_name(v[i].code, strlen(v[i].code), "params.values[].code", err);
        if (rc != KNOOP_OK)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(v[i].code, v[j].code) == 0)
                return knoop_error_set(err, KNOOP_EINVAL,
                                       "params.values[%zu].code: '%s' is given twice", i,
                                       v[i].code);
    }
    return KNOOP_OK;
}

int schema_registry_put_list(schema_registry_t *r, const char *name, const char *description,
                             const schema_value_t *values, size_t n, knoop_error_t *err)
{
    schema_list_t *l = find_list(r, name);
    int rc;
    if ((rc = check_def_name(name, "params.name", err)) != KNOOP_OK ||
        (rc = check_values(values, n, err)) != KNOOP_OK)
        return rc;
    if (l != NULL && l->builtin)
        return knoop_error_set(err, KNOOP_ECONFLICT,
                               "params.name: '%s' is a built-in list; add values with "
                               "schema.list.add",
                               name);
    if (l == NULL) {
        if (grow((void **)&r->lists, &r->caplists, r->nlists, sizeof(*r->lists)) != KNOOP_OK)
            return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
        l = &r->lists[r->nlists++];
        memset(l, 0, sizeof(*l));
        snprintf(l->name, sizeof(l->name), "%s", name);
    }
    snprintf(l->description, sizeof(l->description), "%s", description ? description : "");
    l->n = 0;
    if (list_add_values(l, values, n) != KNOOP_OK)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    return KNOOP_OK;
}

int schema_registry_add_value(schema_registry_t *r, const char *list, const schema_value_t *v,
                              knoop_error_t *err)
{
    schema_list_t *l = find_list(r, list);
    int rc;
    if (l == NULL)
        return knoop_error_set(err, KNOOP_ENOTFOUND,
                               "params.list: list of values '%s' does "
                               "not exist",
                               list);
    if ((rc = check_values(v, 1, err)) != KNOOP_OK)
        return rc;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->values[i].code, v->code) == 0)
            return knoop_error_set(err, KNOOP_ECONFLICT, "params.code: '%s' is already in list %s",
                                   v->code, list);
    if (list_add_values(l, v, 1) != KNOOP_OK)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    return KNOOP_OK;
}

int schema_registry_put_role(schema_registry_t *r, const schema_role_t *role, knoop_error_t *err)
{
    int rc;
    if ((rc = check_def_name(role->name, "params.name", err)) != KNOOP_OK)
        return rc;
    if (role->nsources == 0 || role->ntargets == 0)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "params.sources: a role type needs at least one source and one "
                               "target kind");
    for (size_t i = 0; i < r->nroles; i++) {
        if (strcmp(r->roles[i].name, role->name) == 0) {
            if (r->roles[i].builtin)
                return knoop_error_set(err, KNOOP_ECONFLICT,
                                       "params.name: '%s' is a built-in role type", role->name);
            r->roles[i] = *role;
            r->roles[i].builtin = false;
            return KNOOP_OK;
        }
    }
    if (grow((void **)&r->roles, &r->caproles, r->nroles, sizeof(*r->roles)) != KNOOP_OK)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    r->roles[r->nroles] = *role;
    r->roles[r->nroles++].builtin = false;
    return KNOOP_OK;
}

static bool tenure_overlaps(const schema_tenure_t *a, const schema_tenure_t *b)
{
    return a->from < b->to && b->from < a->to;
}

int schema_role_check_tenure(const schema_role_t *role, const schema_tenure_t *nw,
                             const schema_tenure_t *existing, size_t n, knoop_error_t *err)
{
    char d1[11], d2[11], d3[11];
    if (!role->allow_overlap) {
        for (size_t i = 0; i < n; i++) {
            const schema_tenure_t *x = &existing[i];
            if (x->edge == nw->edge || x->source != nw->source || !tenure_overlaps(x, nw))
                continue;
            return knoop_error_set(err, KNOOP_ECONFLICT,
                                   "%s: node %llu already holds this role here from %s%s%s "
                                   "(edge %llu); one person holds a role at one organisation "
                                   "once at a time (correct that edge with edge.update)",
                                   role->name, (unsigned long long)x->source,
                                   schema_date_format(x->from, d1),
                                   x->to == SCHEMA_DATE_OPEN ? "" : " to ",
                                   schema_date_format(x->to, d2), (unsigned long long)x->edge);
        }
    }
    if (role->max_holders == 0)
        return KNOOP_OK;
    /* The number of holders only rises at a start: count the others on nw's first day and on
     * every start of another tenure within nw. */
    for (size_t i = 0; i <= n; i++) {
        int32_t day = i == n ? nw->from : existing[i].from;
        size_t count = 0, first = n;
        if (i < n && (existing[i].edge == nw->edge || day < nw->from || day >= nw->to))
            continue;
        for (size_t j = 0; j < n; j++) {
            const schema_tenure_t *x = &existing[j];
            if (x->edge == nw->edge || !(x->from <= day && day < x->to))
                continue;
            if (first == n)
                first = j;
            count++;
        }
        if (count >= role->max_holders) {
            const schema_tenure_t *x = &existing[first];
            return knoop_error_set(err, KNOOP_ECONFLICT,
                                   "%s: at most %u at a time, and on %s the role is already held "
                                   "by node %llu from %s%s%s (edge %llu)",
                                   role->name, (unsigned)role->max_holders,
                                   schema_date_format(day, d1), (unsigned long long)x->source,
                                   schema_date_format(x->from, d2),
                                   x->to == SCHEMA_DATE_OPEN ? "" : " to ",
                                   x->to == SCHEMA_DATE_OPEN ? "" : schema_date_format(x->to, d3),
                                   (unsigned long long)x->edge);
        }
    }
    return KNOOP_OK;
}

bool schema_role_is_contact_link(const char *type)
{
    static const char *const links[] = { "betrokkene", "had_contact", "over_rol",
                                         "corrigeert", "aanleiding",  NULL };
    for (int i = 0; links[i] != NULL; i++)
        if (strcmp(type, links[i]) == 0)
            return true;
    return false;
}
