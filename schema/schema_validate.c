/*
 * schema_validate.c - validation and normalisation of node and edge writes against the domain
 * registry (layer: schema, pure). Normalised strings live in a zone until packed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_domain.h"

/* Output map under construction. */
typedef struct {
    msgpack_object_kv *kv;
    uint32_t n, cap;
    msgpack_zone *zone;
} outmap_t;

static int out_put(outmap_t *m, const char *key, msgpack_object val)
{
    size_t kl = strlen(key);
    char *k;
    for (uint32_t i = 0; i < m->n; i++) {
        if (m->kv[i].key.via.str.size == kl && memcmp(m->kv[i].key.via.str.ptr, key, kl) == 0) {
            m->kv[i].val = val;
            return KNOOP_OK;
        }
    }
    if (m->n == m->cap) {
        uint32_t cap = m->cap ? m->cap * 2 : 16;
        msgpack_object_kv *p = msgpack_zone_malloc(m->zone, cap * sizeof(*p));
        if (p == NULL)
            return KNOOP_ENOMEM;
        if (m->n)
            memcpy(p, m->kv, m->n * sizeof(*p));
        m->kv = p;
        m->cap = cap;
    }
    k = msgpack_zone_malloc(m->zone, kl ? kl : 1);
    if (k == NULL)
        return KNOOP_ENOMEM;
    memcpy(k, key, kl);
    m->kv[m->n].key.type = MSGPACK_OBJECT_STR;
    m->kv[m->n].key.via.str.ptr = k;
    m->kv[m->n].key.via.str.size = (uint32_t)kl;
    m->kv[m->n++].val = val;
    return KNOOP_OK;
}

static int str_obj(msgpack_zone *z, const char *s, msgpack_object *o)
{
    size_t n = strlen(s);
    char *p = msgpack_zone_malloc(z, n ? n : 1);
    if (p == NULL)
        return KNOOP_ENOMEM;
    memcpy(p, s, n);
    o->type = MSGPACK_OBJECT_STR;
    o->via.str.ptr = p;
    o->via.str.size = (uint32_t)n;
    return KNOOP_OK;
}

static const msgpack_object *map_get(const msgpack_object *m, const char *k)
{
    size_t kl = strlen(k);
    if (m == NULL || m->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object *o = &m->via.map.ptr[i].key;
        if (o->type == MSGPACK_OBJECT_STR && o->via.str.size == kl &&
            memcmp(o->via.str.ptr, k, kl) == 0)
            return &m->via.map.ptr[i].val;
    }
    return NULL;
}

/* Copies a string property into buf; false (and err) when it is not a string or too long. */
static int get_str(const msgpack_object *v, const char *field, char *buf, size_t bufsz,
                   knoop_error_t *err)
{
    if (v->type != MSGPACK_OBJECT_STR)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: expected a string", field);
    if (v->via.str.size >= bufsz)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: longer than %zu bytes", field, bufsz - 1);
    memcpy(buf, v->via.str.ptr, v->via.str.size);
    buf[v->via.str.size] = '\0';
    if (memchr(buf, '\0', v->via.str.size) != NULL)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: contains a NUL byte", field);
    return KNOOP_OK;
}

static int in_list(const schema_registry_t *r, const char *list, const char *code,
                   const char *field, knoop_error_t *err)
{
    const schema_list_t *l = schema_registry_list(r, list);
    char known[200];
    size_t o = 0;
    if (l == NULL)
        return knoop_error_set(err, KNOOP_EINTERNAL, "%s: list %s is missing", field, list);
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->values[i].code, code) == 0)
            return KNOOP_OK;
    known[0] = '\0';
    for (size_t i = 0; i < l->n && o + 20 < sizeof(known); i++)
        o += (size_t)snprintf(known + o, sizeof(known) - o, "%s%s", i ? ", " : "",
                              l->values[i].code);
    return knoop_error_set(err, KNOOP_EINVAL, "%s: '%s' is not in list %s (%s)", field, code, list,
                           known);
}

static int check_address(const schema_field_t *f, const msgpack_object *v, const char *field,
                         const schema_lookup_t *lk, msgpack_zone *z, msgpack_object *out,
                         knoop_error_t *err)
{
    schema_address_t a;
    outmap_t m = { .zone = z };
    char sub[128], buf[512];
    const msgpack_object *x;
    int rc;

    memset(&a, 0, sizeof(a));
    if (v->type != MSGPACK_OBJECT_MAP)
        return knoop_error_set(err, KNOOP_EINVAL,
                               "%s: expected a map {street, house_number, postcode, place, ...}",
                               field);
    a.type = strcmp(f->name, "postadres") == 0 ? SCHEMA_ADDR_POST : SCHEMA_ADDR_BEZOEK;
    for (uint32_t i = 0; i < v->via.map.size; i++) {
        const msgpack_object *k = &v->via.map.ptr[i].key;
        static const char *const allowed[] = { "type",         "street",   "house_number",
                                               "house_letter", "addition", "postbus",
                                               "postcode",     "place",    "gemeente",
                                               "notation",     NULL };
        bool ok = false;
        for (int j = 0; allowed[j] && k->type == MSGPACK_OBJECT_STR; j++)
            ok |= strlen(allowed[j]) == k->via.str.size &&
                  memcmp(allowed[j], k->via.str.ptr, k->via.str.size) == 0;
        if (!ok)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s: unknown address part (allowed: street, house_number, "
                                   "house_letter, addition, postbus, postcode, place)",
                                   field);
    }
    if ((x = map_get(v, "type")) != NULL && x->type != MSGPACK_OBJECT_NIL) {
        snprintf(sub, sizeof(sub), "%s.type", field);
        if (x->type != MSGPACK_OBJECT_STR)
            return knoop_error_set(err, KNOOP_EINVAL, "%s: expected a string", sub);
        if ((rc = schema_addr_type_parse(x->via.str.ptr, x->via.str.size, sub, &a.type, err)) !=
            KNOOP_OK)
            return rc;
    }
#define ADDR_STR(name, dst)                                                                        \
    if ((x = map_get(v, name)) != NULL && x->type != MSGPACK_OBJECT_NIL) {                         \
        snprintf(sub, sizeof(sub), "%s." name, field);                                             \
        if ((rc = get_str(x, sub, dst, sizeof(dst), err)) != KNOOP_OK)                             \
            return rc;                                                                             \
    }
    ADDR_STR("street", a.street)
    ADDR_STR("house_letter", a.house_letter)
    ADDR_STR("addition", a.addition)
    ADDR_STR("postbus", a.postbus)
    ADDR_STR("postcode", a.postcode)
    ADDR_STR("place", a.place)
#undef ADDR_STR
    if ((x = map_get(v, "house_number")) != NULL && x->type != MSGPACK_OBJECT_NIL) {
        if (x->type != MSGPACK_OBJECT_POSITIVE_INTEGER || x->via.u64 > 99999)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s.house_number: expected a whole number 1..99999", field);
        a.house_number = (unsigned)x->via.u64;
    }
    /* Complete street and place from the postcode table before the completeness check. */
    if (lk != NULL && lk->postcode != NULL && a.postcode[0] != '\0') {
        char pc[8], street[128] = "", place[96] = "", gem[16] = "";
        snprintf(sub, sizeof(sub), "%s.postcode", field);
        if ((rc = schema_postcode_normalise(a.postcode, strlen(a.postcode), sub, pc, err)) !=
            KNOOP_OK)
            return rc;
        rc = lk->postcode(lk->arg, pc, a.house_number, street, sizeof(street), place, sizeof(place),
                          gem, sizeof(gem));
        if (rc < 0)
            return knoop_error_set(err, rc, "%s: postcode lookup failed", field);
        if (rc == 1) {
            char n1[128], n2[128];
            if (a.place[0] == '\0') {
                snprintf(a.place, sizeof(a.place), "%s", place);
            } else if (place[0] != '\0') {
                schema_name_normalise(a.place, strlen(a.place), n1, sizeof(n1));
                schema_name_normalise(place, strlen(place), n2, sizeof(n2));
                if (strcmp(n1, n2) != 0)
                    return knoop_error_set(err, KNOOP_EINVAL,
                                           "%s.place: '%s' does not match postcode %s, which the "
                                           "postcode table places in '%s'",
                                           field, a.place, pc, place);
            }
            if (a.street[0] == '\0' && a.postbus[0] == '\0') {
                snprintf(a.street, sizeof(a.street), "%s", street);
            } else if (street[0] != '\0' && a.postbus[0] == '\0') {
                schema_name_normalise(a.street, strlen(a.street), n1, sizeof(n1));
                schema_name_normalise(street, strlen(street), n2, sizeof(n2));
                if (strcmp(n1, n2) != 0)
                    return knoop_error_set(err, KNOOP_EINVAL,
                                           "%s.street: '%s' does not match postcode %s and house "
                                           "number %u, which the postcode table gives as '%s'",
                                           field, a.street, pc, a.house_number, street);
            }
            if (gem[0] != '\0') {
                msgpack_object g;
                if (str_obj(z, gem, &g) != KNOOP_OK || out_put(&m, "gemeente", g) != KNOOP_OK)
                    return KNOOP_ENOMEM;
            }
        }
    }
    if ((rc = schema_address_check(&a, field, err)) != KNOOP_OK)
        return rc;
    {
        msgpack_object o;
        int ok = KNOOP_OK;
        ok |= str_obj(z, a.type == SCHEMA_ADDR_POST ? "postadres" : "bezoekadres", &o);
        ok |= out_put(&m, "type", o);
        if (a.postbus[0]) {
            ok |= str_obj(z, a.postbus, &o);
            ok |= out_put(&m, "postbus", o);
        } else {
            ok |= str_obj(z, a.street, &o);
            ok |= out_put(&m, "street", o);
            o.type = MSGPACK_OBJECT_POSITIVE_INTEGER;
            o.via.u64 = a.house_number;
            ok |= out_put(&m, "house_number", o);
            if (a.house_letter[0]) {
                ok |= str_obj(z, a.house_letter, &o);
                ok |= out_put(&m, "house_letter", o);
            }
            if (a.addition[0]) {
                ok |= str_obj(z, a.addition, &o);
                ok |= out_put(&m, "addition", o);
            }
        }
        ok |= str_obj(z, a.postcode, &o);
        ok |= out_put(&m, "postcode", o);
        ok |= str_obj(z, a.place, &o);
        ok |= out_put(&m, "place", o);
        if (schema_address_format(&a, buf, sizeof(buf)) >= 0) {
            ok |= str_obj(z, buf, &o);
            ok |= out_put(&m, "notation", o);
        }
        if (ok != KNOOP_OK)
            return KNOOP_ENOMEM;
    }
    out->type = MSGPACK_OBJECT_MAP;
    out->via.map.size = m.n;
    out->via.map.ptr = m.kv;
    return KNOOP_OK;
}

/* Validates one value against field f; *out is the value to store. */
static int check_value(const schema_registry_t *r, const schema_field_t *f, const msgpack_object *v,
                       const char *field, const schema_lookup_t *lk, msgpack_zone *z,
                       msgpack_object *out, knoop_error_t *err)
{
    char buf[1024], norm[512];
    int rc;
    *out = *v;
    switch (f->vtype) {
    case SCHEMA_V_ANY:
        return KNOOP_OK;
    case SCHEMA_V_STRING:
        if (v->type != MSGPACK_OBJECT_STR)
            return knoop_error_set(err, KNOOP_EINVAL, "%s: expected a string", field);
        if (v->via.str.size == 0)
            return knoop_error_set(err, KNOOP_EINVAL, "%s: must not be empty", field);
        return KNOOP_OK;
    case SCHEMA_V_INTEGER:
        if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER &&
            v->type != MSGPACK_OBJECT_NEGATIVE_INTEGER)
            return knoop_error_set(err, KNOOP_EINVAL, "%s: expected a whole number", field);
        return KNOOP_OK;
    case SCHEMA_V_NUMBER:
        if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER &&
            v->type != MSGPACK_OBJECT_NEGATIVE_INTEGER && v->type != MSGPACK_OBJECT_FLOAT32 &&
            v->type != MSGPACK_OBJECT_FLOAT64)
            return knoop_error_set(err, KNOOP_EINVAL, "%s: expected a number", field);
        return KNOOP_OK;
    case SCHEMA_V_BOOLEAN:
        if (v->type != MSGPACK_OBJECT_BOOLEAN)
            return knoop_error_set(err, KNOOP_EINVAL, "%s: expected true or false", field);
        return KNOOP_OK;
    case SCHEMA_V_DATE: {
        schema_date_t d;
        if (v->type != MSGPACK_OBJECT_STR)
            return knoop_error_set(err, KNOOP_EINVAL, "%s: expected YYYY-MM-DD", field);
        return schema_date_parse(v->via.str.ptr, v->via.str.size, field, &d, err);
    }
    case SCHEMA_V_LIST:
        if ((rc = get_str(v, field, buf, sizeof(buf), err)) != KNOOP_OK)
            return rc;
        return in_list(r, f->list, buf, field, err);
    case SCHEMA_V_LIST_MULTI:
    case SCHEMA_V_STRINGS:
        if (v->type != MSGPACK_OBJECT_ARRAY)
            return knoop_error_set(err, KNOOP_EINVAL, "%s: expected an array of %s", field,
                                   f->vtype == SCHEMA_V_STRINGS ? "strings" : "codes");
        for (uint32_t i = 0; i < v->via.array.size; i++) {
            char sub[160];
            snprintf(sub, sizeof(sub), "%s[%u]", field, (unsigned)i);
            if ((rc = get_str(&v->via.array.ptr[i], sub, buf, sizeof(buf), err)) != KNOOP_OK)
                return rc;
            if (f->vtype == SCHEMA_V_LIST_MULTI &&
                (rc = in_list(r, f->list, buf, sub, err)) != KNOOP_OK)
                return rc;
        }
        return KNOOP_OK;
    case SCHEMA_V_EMAIL:
    case SCHEMA_V_PHONE:
    case SCHEMA_V_WEBSITE:
    case SCHEMA_V_POSTCODE:
    case SCHEMA_V_GEMEENTECODE:
    case SCHEMA_V_PROVINCIECODE:
        if (v->type != MSGPACK_OBJECT_STR)
            return knoop_error_set(err, KNOOP_EINVAL, "%s: expected a string", field);
        if (f->vtype == SCHEMA_V_EMAIL)
            rc =
                schema_email_check(v->via.str.ptr, v->via.str.size, field, norm, sizeof(norm), err);
        else if (f->vtype == SCHEMA_V_PHONE)
            rc = schema_phone_normalise(v->via.str.ptr, v->via.str.size, field, norm, sizeof(norm),
                                        err);
        else if (f->vtype == SCHEMA_V_WEBSITE)
            rc = schema_website_check(v->via.str.ptr, v->via.str.size, field, norm, sizeof(norm),
                                      err);
        else if (f->vtype == SCHEMA_V_POSTCODE)
            rc = schema_postcode_normalise(v->via.str.ptr, v->via.str.size, field, norm, err);
        else if (f->vtype == SCHEMA_V_GEMEENTECODE)
            rc = schema_cbs_gemeentecode_check(v->via.str.ptr, v->via.str.size, field, norm, err);
        else
            rc = schema_cbs_provinciecode_check(v->via.str.ptr, v->via.str.size, field, norm, err);
        if (rc < 0)
            return rc;
        return str_obj(z, norm, out) == KNOOP_OK ? KNOOP_OK
                                                 : knoop_error_set(err, KNOOP_ENOMEM, "no memory");
    case SCHEMA_V_ADDRESS:
        return check_address(f, v, field, lk, z, out, err);
    default:
        return knoop_error_set(err, KNOOP_EINTERNAL, "%s: unknown value type", field);
    }
}

static const schema_field_t *find_field(const schema_registry_t *r, int kind, const char *type,
                                        const char *name, size_t nl)
{
    const schema_field_t *f;
    for (size_t i = 0; (f = schema_registry_field_at(r, i)) != NULL; i++)
        if (f->kind == kind && (f->type[0] == '\0' || strcmp(f->type, type) == 0) &&
            strlen(f->name) == nl && memcmp(f->name, name, nl) == 0)
            return f;
    return NULL;
}

static int type_known(const schema_registry_t *r, int kind, const char *type, knoop_error_t *err)
{
    const schema_node_type_t *t;
    char known[400];
    size_t o = 0;
    known[0] = '\0';
    for (size_t i = 0; (t = schema_registry_type_at(r, i)) != NULL; i++) {
        if (t->kind != kind)
            continue;
        if (strcmp(t->name, type) == 0)
            return KNOOP_OK;
        if (o + 40 < sizeof(known))
            o += (size_t)snprintf(known + o, sizeof(known) - o, "%s%s", o ? ", " : "", t->name);
    }
    if (o == 0)
        return knoop_error_set(err, KNOOP_EINVAL, "type: a %s has no types; leave type out",
                               schema_kind_name(kind));
    return knoop_error_set(err, KNOOP_EINVAL, "type: '%s' is not a type of %s (known: %s)", type,
                           schema_kind_name(kind), known);
}

/* Derives name and sort_name of a person from the name parts, when a surname is given. */
static int person_names(const msgpack_object *props, outmap_t *m, msgpack_zone *z,
                        knoop_error_t *err)
{
    schema_person_name_t pn;
    const msgpack_object *x;
    char disp[400], sortk[400];
    msgpack_object o;
    int rc;

    memset(&pn, 0, sizeof(pn));
    if ((x = map_get(props, "surname")) == NULL || x->type == MSGPACK_OBJECT_NIL)
        return KNOOP_OK;
    if ((rc = get_str(x, "props.surname", pn.surname, sizeof(pn.surname), err)) != KNOOP_OK)
        return rc;
#define PN(name, dst)                                                                              \
    if ((x = map_get(props, name)) != NULL && x->type != MSGPACK_OBJECT_NIL &&                     \
        (rc = get_str(x, "props." name, dst, sizeof(dst), err)) != KNOOP_OK)                       \
        return rc;
    PN("initials", pn.initials)
    PN("first_names", pn.first_names)
    PN("tussenvoegsel", pn.tussenvoegsel)
#undef PN
    if ((rc = schema_person_name_check(&pn, "props", err)) != KNOOP_OK)
        return rc;
    if (schema_person_display(&pn, disp, sizeof(disp)) < 0 ||
        schema_person_sort_key(&pn, sortk, sizeof(sortk)) < 0)
        return knoop_error_set(err, KNOOP_EINVAL, "props.surname: name too long");
    if (str_obj(z, pn.surname, &o) || out_put(m, "surname", o) || str_obj(z, disp, &o) ||
        out_put(m, "name", o) || str_obj(z, sortk, &o) || out_put(m, "sort_name", o))
        return KNOOP_ENOMEM;
    if (pn.initials[0] && (str_obj(z, pn.initials, &o) || out_put(m, "initials", o)))
        return KNOOP_ENOMEM;
    if (pn.tussenvoegsel[0] && (str_obj(z, pn.tussenvoegsel, &o) || out_put(m, "tussenvoegsel", o)))
        return KNOOP_ENOMEM;
    return KNOOP_OK;
}

int schema_validate_node(const schema_registry_t *r, int kind, const char *type,
                         const msgpack_object *props, const schema_lookup_t *lk,
                         msgpack_packer *out, knoop_error_t *err)
{
    msgpack_zone z;
    outmap_t m;
    msgpack_object res;
    const schema_field_t *f;
    bool core;
    int rc = KNOOP_OK;

    if (type == NULL)
        type = "";
    if (type[0] != '\0' && (rc = type_known(r, kind, type, err)) != KNOOP_OK)
        return rc;
    core = schema_registry_is_core(r, kind, type);
    msgpack_zone_init(&z, 2048);
    memset(&m, 0, sizeof(m));
    m.zone = &z;
    for (uint32_t i = 0; props != NULL && i < props->via.map.size && rc == KNOOP_OK; i++) {
        const msgpack_object *k = &props->via.map.ptr[i].key, *v = &props->via.map.ptr[i].val;
        char key[SCHEMA_NAME_MAX * 4];
        char field[sizeof(key) + 8];
        msgpack_object nv;
        /* Read k as a string only once it is one: an integer key's u64 overlays str.size and a
         * stale str.ptr (found by fuzz_dispatch: node.put on a stored node read past a buffer). */
        if (k->type != MSGPACK_OBJECT_STR) {
            rc = knoop_error_set(err, KNOOP_EINVAL, "props: property names must be strings");
            break;
        }
        if (v->type == MSGPACK_OBJECT_NIL || k->via.str.size >= sizeof(key))
            continue;
        memcpy(key, k->via.str.ptr, k->via.str.size);
        key[k->via.str.size] = '\0';
        snprintf(field, sizeof(field), "props.%s", key);
        /* Every kind of name: no NUL, no control characters, valid UTF-8. */
        if (strcmp(key, "name") == 0 && v->type == MSGPACK_OBJECT_STR &&
            (rc = schema_check_text(v->via.str.ptr, v->via.str.size, field, err)) != KNOOP_OK)
            break;
        f = find_field(r, kind, type, k->via.str.ptr, k->via.str.size);
        if (f == NULL) {
            bool derived = kind == SCHEMA_KIND_PERSON &&
                           (strcmp(key, "name") == 0 || strcmp(key, "sort_name") == 0);
            if (core && !derived) {
                rc = knoop_error_set(err, KNOOP_EINVAL,
                                     "%s: not a field of %s %s (core data is strict; define the "
                                     "field with schema.field.define)",
                                     field, schema_kind_name(kind), type);
                break;
            }
            rc = out_put(&m, key, *v);
            continue;
        }
        if ((rc = check_value(r, f, v, field, lk, &z, &nv, err)) == KNOOP_OK)
            rc = out_put(&m, key, nv);
    }
    /* Required fields. */
    for (size_t i = 0; rc == KNOOP_OK && (f = schema_registry_field_at(r, i)) != NULL; i++) {
        const msgpack_object *v;
        if (!f->required || f->kind != kind || (f->type[0] && strcmp(f->type, type) != 0))
            continue;
        v = map_get(props, f->name);
        if (v == NULL || v->type == MSGPACK_OBJECT_NIL)
            rc = knoop_error_set(err, KNOOP_EINVAL, "props.%s: required for %s%s%s (%s)", f->name,
                                 schema_kind_name(kind), type[0] ? " " : "", type, f->description);
    }
    if (rc == KNOOP_OK && kind == SCHEMA_KIND_PERSON)
        rc = person_names(props, &m, &z, err);
    if (rc == KNOOP_OK) {
        res.type = MSGPACK_OBJECT_MAP;
        res.via.map.size = m.n;
        res.via.map.ptr = m.kv;
        msgpack_pack_object(out, res);
    } else if (rc == KNOOP_ENOMEM && (err == NULL || err->code != KNOOP_ENOMEM)) {
        knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    }
    msgpack_zone_destroy(&z);
    return rc;
}

static bool end_fits(const schema_end_t *ends, size_t n, int kind, const char *type)
{
    for (size_t i = 0; i < n; i++)
        if (ends[i].kind == kind && (ends[i].type[0] == '\0' || strcmp(ends[i].type, type) == 0))
            return true;
    return false;
}

static void ends_text(const schema_end_t *ends, size_t n, char *buf, size_t sz)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && o + 40 < sz; i++)
        o += (size_t)snprintf(buf + o, sz - o, "%s%s%s%s", i ? " or " : "",
                              schema_kind_name(ends[i].kind), ends[i].type[0] ? " " : "",
                              ends[i].type);
}

static bool has_value(const msgpack_object *props, const char *name)
{
    const msgpack_object *v = map_get(props, name);
    return v != NULL && v->type != MSGPACK_OBJECT_NIL;
}

/*
 * Whether a required attribute may be left out of a role. Two cases, both where the source
 * does not give the value and Knoop must not invent it:
 * - the role comes from a register snapshot (`bron` given and `begin_onbekend: true`), such
 *   as the office holders in the Register van Overheidsorganisaties, which lists no party;
 * - a raadslid's `namens` when `lijst` (the Kiesraad's list number) is given instead: a list
 *   that won seats without a registered appellation has no party name to give.
 * The attribute is still checked when it is present.
 */
static bool attr_may_be_absent(const char *role, const char *attr, const msgpack_object *props)
{
    const msgpack_object *b = map_get(props, "begin_onbekend");
    if (has_value(props, "bron") && b != NULL && b->type == MSGPACK_OBJECT_BOOLEAN &&
        b->via.boolean)
        return true;
    return strcmp(role, "raadslid") == 0 && strcmp(attr, "namens") == 0 &&
           has_value(props, "lijst");
}

int schema_validate_edge(const schema_registry_t *r, const char *type, int skind, const char *stype,
                         int tkind, const char *ttype, const msgpack_object *props,
                         msgpack_packer *out, knoop_error_t *err)
{
    const schema_role_t *role = schema_registry_role(r, type);
    msgpack_zone z;
    outmap_t m;
    msgpack_object res;
    char a[300], b[300];
    int rc = KNOOP_OK;

    stype = stype ? stype : "";
    ttype = ttype ? ttype : "";
    if (role == NULL) {
        if (schema_registry_is_core(r, skind, stype) || schema_registry_is_core(r, tkind, ttype))
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "type: '%s' is not a role type, and an edge of a %s needs one "
                                   "(see schema.roles)",
                                   type, schema_registry_is_core(r, skind, stype) ? stype : ttype);
        msgpack_pack_object(out, *props);
        return KNOOP_OK;
    }
    if (!end_fits(role->sources, role->nsources, skind, stype) ||
        !end_fits(role->targets, role->ntargets, tkind, ttype)) {
        ends_text(role->sources, role->nsources, a, sizeof(a));
        ends_text(role->targets, role->ntargets, b, sizeof(b));
        return knoop_error_set(err, KNOOP_EINVAL,
                               "type: a %s runs from %s to %s, not from %s%s%s to %s%s%s", type, a,
                               b, schema_kind_name(skind), stype[0] ? " " : "", stype,
                               schema_kind_name(tkind), ttype[0] ? " " : "", ttype);
    }
    msgpack_zone_init(&z, 1024);
    memset(&m, 0, sizeof(m));
    m.zone = &z;
    for (uint32_t i = 0; i < props->via.map.size && rc == KNOOP_OK; i++) {
        const msgpack_object *k = &props->via.map.ptr[i].key, *v = &props->via.map.ptr[i].val;
        const schema_field_t *f = NULL;
        char key[SCHEMA_NAME_MAX * 4], field[sizeof(key) + 8];
        msgpack_object nv;
        if (k->type != MSGPACK_OBJECT_STR) { /* as in schema_validate_node */
            rc = knoop_error_set(err, KNOOP_EINVAL, "props: property names must be strings");
            break;
        }
        if (v->type == MSGPACK_OBJECT_NIL || k->via.str.size >= sizeof(key))
            continue;
        memcpy(key, k->via.str.ptr, k->via.str.size);
        key[k->via.str.size] = '\0';
        snprintf(field, sizeof(field), "props.%s", key);
        for (size_t j = 0; j < role->nattrs; j++)
            if (strcmp(role->attrs[j].name, key) == 0)
                f = &role->attrs[j];
        if (f == NULL) {
            char names[200];
            size_t o = 0;
            names[0] = '\0';
            for (size_t j = 0; j < role->nattrs && o + 40 < sizeof(names); j++)
                o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s", j ? ", " : "",
                                      role->attrs[j].name);
            rc = knoop_error_set(err, KNOOP_EINVAL, "%s: not an attribute of role %s (%s)", field,
                                 type, o ? names : "it has none");
            break;
        }
        if ((rc = check_value(r, f, v, field, NULL, &z, &nv, err)) == KNOOP_OK)
            rc = out_put(&m, key, nv);
    }
    for (size_t j = 0; rc == KNOOP_OK && j < role->nattrs; j++) {
        const msgpack_object *v;
        if (!role->attrs[j].required)
            continue;
        v = map_get(props, role->attrs[j].name);
        if ((v == NULL || v->type == MSGPACK_OBJECT_NIL) &&
            !attr_may_be_absent(type, role->attrs[j].name, props))
            rc = knoop_error_set(err, KNOOP_EINVAL,
                                 "props.%s: required for role %s (unless the role comes from a "
                                 "source that does not give it: bron and begin_onbekend: true%s)",
                                 role->attrs[j].name, type,
                                 strcmp(type, "raadslid") == 0 ? "; or lijst" : "");
    }
    if (rc == KNOOP_OK) {
        res.type = MSGPACK_OBJECT_MAP;
        res.via.map.size = m.n;
        res.via.map.ptr = m.kv;
        msgpack_pack_object(out, res);
    }
    msgpack_zone_destroy(&z);
    return rc;
}
