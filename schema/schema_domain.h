/*
 * schema_domain.h - the VNG domain: node types, role types, metadata fields, lists of values,
 * and the validation of every node and edge write against them (layer: schema, pure).
 *
 * Design (see docs/DESIGN-NOTES.md): the gemeenteraad and the college van B&W are sets of roles
 * on the gemeente node (raadslid with `namens`, wethouder with `portefeuilles`, burgemeester),
 * not sub-organisations: "composition on a date" is then one adjacency scan of the gemeente
 * at that date, and the seat distribution groups the raadslid roles by `namens`.
 *
 * Regimes: nodes of a core type (gemeente, provincie, fractie, the VNG bodies, the
 * veiligheidsregio's, GGD-regio's and koepels) are strict: every property must be a defined
 * field, required fields must be present, and every edge touching them must be a role type
 * that fits both ends. Other nodes are lighter: defined fields are checked, other properties
 * are allowed; their edges need a type name but not a defined one.
 */
#ifndef SCHEMA_DOMAIN_H
#define SCHEMA_DOMAIN_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>

#include "schema.h"
#include "schema_check.h"

typedef enum {
    SCHEMA_V_ANY = 0,
    SCHEMA_V_STRING,
    SCHEMA_V_INTEGER,
    SCHEMA_V_NUMBER,
    SCHEMA_V_BOOLEAN,
    SCHEMA_V_DATE,
    SCHEMA_V_LIST,       /* one code of a list of values */
    SCHEMA_V_LIST_MULTI, /* an array of codes of a list of values */
    SCHEMA_V_STRINGS,    /* an array of strings */
    SCHEMA_V_EMAIL,
    SCHEMA_V_PHONE,
    SCHEMA_V_WEBSITE,
    SCHEMA_V_POSTCODE,
    SCHEMA_V_ADDRESS, /* a map {street, house_number, house_letter?, addition?, postbus?,
                         postcode, place}, completed from the postcode table */
    SCHEMA_V_GEMEENTECODE,
    SCHEMA_V_PROVINCIECODE,
    SCHEMA_V__COUNT
} schema_vtype_t;

/* "string", "integer", ...; NULL for an unknown value. */
const char *schema_vtype_name(schema_vtype_t v);
int schema_vtype_parse(const char *s, size_t len, const char *field, schema_vtype_t *out,
                       knoop_error_t *err);

#define SCHEMA_NAME_MAX 64

typedef struct {
    char name[SCHEMA_NAME_MAX];
    int kind;                   /* node kind; 0 for a role attribute */
    char type[SCHEMA_NAME_MAX]; /* "" = every type of the kind */
    schema_vtype_t vtype;
    char list[SCHEMA_NAME_MAX]; /* SCHEMA_V_LIST(_MULTI): the list's name */
    bool required;
    bool core; /* regime: core (strict) or other */
    bool builtin;
    char description[160];
} schema_field_t;

typedef struct {
    char code[SCHEMA_NAME_MAX];
    char label[160];
    char abbreviation[16]; /* "" when the list has none */
    char ext_code[16];     /* another official code, e.g. the CBS PV code of a province */
} schema_value_t;

typedef struct {
    char name[SCHEMA_NAME_MAX];
    char description[160];
    schema_value_t *values;
    size_t n, cap;
    bool builtin;
} schema_list_t;

#define SCHEMA_ROLE_ENDS  8
#define SCHEMA_ROLE_ATTRS 8

/* One allowed end of a role: a kind and, optionally, one type of it. */
typedef struct {
    int kind;
    char type[SCHEMA_NAME_MAX]; /* "" = any type of the kind */
} schema_end_t;

typedef struct {
    char name[SCHEMA_NAME_MAX];
    char description[160];
    schema_end_t sources[SCHEMA_ROLE_ENDS];
    size_t nsources;
    schema_end_t targets[SCHEMA_ROLE_ENDS];
    size_t ntargets;
    schema_field_t attrs[SCHEMA_ROLE_ATTRS];
    size_t nattrs;
    bool builtin;
    /* Role rules (schema_role_check_tenure). max_holders: how many edges of this type one target
     * may have at once (0 = no limit; burgemeester 1 per gemeente). allow_overlap: one source may
     * hold it at one target twice in overlapping periods (false for every role of the
     * administration; true only for the links of the contact administration). */
    uint32_t max_holders;
    bool allow_overlap;
} schema_role_t;

/* One period of a role at a target, as the role rules see it. */
typedef struct {
    uint64_t edge, source;
    int32_t from, to; /* schema_date_t [from, to); SCHEMA_DATE_OPEN when open */
} schema_tenure_t;

/*
 * The role rules: checks tenure nw of role (at one target) against the other tenures of the same
 * role type at that target (existing[0..n); an entry with nw's edge id is left out, so that a
 * correction is checked against the others only). Refused with KNOOP_ECONFLICT, naming the edge
 * it clashes with and its period, when nw's source already holds the role there in an
 * overlapping period (unless role->allow_overlap), or when on some day within nw the target
 * would have more than role->max_holders holders. Pure; KNOOP_OK otherwise.
 */
int schema_role_check_tenure(const schema_role_t *role, const schema_tenure_t *nw,
                             const schema_tenure_t *existing, size_t n, knoop_error_t *err);

/* True for the edge types that link a klantcontact (betrokkene, had_contact, over_rol,
 * corrigeert, aanleiding): they change only through contact.* and task.*. */
bool schema_role_is_contact_link(const char *type);

typedef struct {
    int kind;
    char name[SCHEMA_NAME_MAX];
    bool core;
} schema_node_type_t;

typedef struct schema_registry schema_registry_t;

/* A registry holding the built-in domain. NULL when out of memory. */
schema_registry_t *schema_registry_new(void);
void schema_registry_free(schema_registry_t *r);

/*
 * Adds or replaces a field (same kind, type and name). Built-in fields cannot be replaced.
 * A list-valued field must name an existing list. KNOOP_EINVAL / KNOOP_ECONFLICT / ENOMEM.
 */
int schema_registry_put_field(schema_registry_t *r, const schema_field_t *f, knoop_error_t *err);
/* Adds or replaces a list (values copied). Built-in lists cannot be replaced, only extended. */
int schema_registry_put_list(schema_registry_t *r, const char *name, const char *description,
                             const schema_value_t *values, size_t n, knoop_error_t *err);
/* Adds a value to a list (built-in lists included). KNOOP_ECONFLICT when the code exists. */
int schema_registry_add_value(schema_registry_t *r, const char *list, const schema_value_t *v,
                              knoop_error_t *err);
/* Adds or replaces a role type. Built-in role types cannot be replaced. */
int schema_registry_put_role(schema_registry_t *r, const schema_role_t *role, knoop_error_t *err);

/* Lookups. NULL when absent. The pointers stay valid until the registry changes. */
const schema_list_t *schema_registry_list(const schema_registry_t *r, const char *name);
const schema_role_t *schema_registry_role(const schema_registry_t *r, const char *name);
/* Iteration: the i-th entry or NULL past the end. */
const schema_field_t *schema_registry_field_at(const schema_registry_t *r, size_t i);
const schema_list_t *schema_registry_list_at(const schema_registry_t *r, size_t i);
const schema_role_t *schema_registry_role_at(const schema_registry_t *r, size_t i);
const schema_node_type_t *schema_registry_type_at(const schema_registry_t *r, size_t i);

/* True when nodes of kind/type follow the core regime. */
bool schema_registry_is_core(const schema_registry_t *r, int kind, const char *type);

/*
 * Completes an address from the postcode table: given the postcode and house number, fills the
 * street (when the table knows it), the place and the gemeente's CBS code. Returns 1 when the
 * postcode is known, 0 when it is not, <0 on error. Provided by the store-backed caller.
 */
typedef struct {
    int (*postcode)(void *arg, const char *postcode, unsigned house_number, char *street,
                    size_t street_sz, char *place, size_t place_sz, char *gemeente,
                    size_t gemeente_sz);
    void *arg;
} schema_lookup_t;

/*
 * Validates a node write: kind, type (NULL/"" = untyped) and the complete new props map. On
 * success packs the props to store (normalised values, derived person-name fields) into out.
 * Errors name the field and the rule ("props.provincie: 'NL-XX' is not in list provincie").
 */
int schema_validate_node(const schema_registry_t *r, int kind, const char *type,
                         const msgpack_object *props, const schema_lookup_t *lk,
                         msgpack_packer *out, knoop_error_t *err);

/*
 * Validates an edge between a source (kind, type) and a target (kind, type): a known role type
 * must fit both ends and its attributes; an unknown type is refused when an end is a core node.
 * Packs the normalised props into out.
 */
int schema_validate_edge(const schema_registry_t *r, const char *type, int skind, const char *stype,
                         int tkind, const char *ttype, const msgpack_object *props,
                         msgpack_packer *out, knoop_error_t *err);

#endif
