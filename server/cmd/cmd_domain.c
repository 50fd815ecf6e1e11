/*
 * cmd_domain.c - the VNG domain in the server: the schema registry (built-in plus fields, lists
 * and role types defined at run time, persisted in the meta column family), the validation
 * hooks every graph write passes, the postcode table, woonplaatsen, upserts and the network
 * questions on memberships and places (layer: cmd).
 *
 * Registry changes are not part of `batch`: each schema.* call is its own transaction, applied
 * to the in-memory registry under its write lock and persisted; should the commit fail, the
 * registry is reloaded from the store so memory and disk never disagree.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "schema_domain.h"

static schema_registry_t *domain_reg;
static pthread_rwlock_t domain_lock = PTHREAD_RWLOCK_INITIALIZER;
static store_t *domain_store;

#define META_FIELD "schema/field/"
#define META_LIST  "schema/list/"
#define META_ROLE  "schema/role/"

/* ---- the postcode table (store_key_postcode) -> msgpack {place, gemeente} ---- */

/* What a postcode lookup reads: the store through a view (a transaction's, inside a write). */
typedef struct {
    store_t *s;
    const store_view_t *view;
} domain__reader_t;

static int domain__postcode_lookup(void *arg, const char *postcode, unsigned house_number,
                                   char *street, size_t street_sz, char *place, size_t place_sz,
                                   char *gemeente, size_t gemeente_sz)
{
    const domain__reader_t *r = arg;
    unsigned char key[16];
    void *v;
    size_t vl, off = 0;
    msgpack_zone z;
    msgpack_object o;
    int rc, found = 0;
    (void)house_number;
    (void)street;
    (void)street_sz;
    /* The table holds PC4 areas: the digits of the postcode. */
    rc = store_get(r->s, r->view, KV_CF_IDX, key, store_key_postcode(key, postcode), &v, &vl, NULL);
    if (rc == KNOOP_ENOTFOUND)
        return 0;
    if (rc != KNOOP_OK)
        return rc;
    msgpack_zone_init(&z, 256);
    if (msgpack_unpack(v, vl, &off, &z, &o) == MSGPACK_UNPACK_SUCCESS &&
        o.type == MSGPACK_OBJECT_MAP) {
        for (uint32_t i = 0; i < o.via.map.size; i++) {
            const msgpack_object *k = &o.via.map.ptr[i].key, *x = &o.via.map.ptr[i].val;
            if (x->type != MSGPACK_OBJECT_STR)
                continue;
            if (k->via.str.size == 5 && memcmp(k->via.str.ptr, "place", 5) == 0)
                snprintf(place, place_sz, "%.*s", (int)x->via.str.size, x->via.str.ptr);
            else if (k->via.str.size == 8 && memcmp(k->via.str.ptr, "gemeente", 8) == 0)
                snprintf(gemeente, gemeente_sz, "%.*s", (int)x->via.str.size, x->via.str.ptr);
        }
        found = 1;
    }
    msgpack_zone_destroy(&z);
    kv_free(v);
    return found;
}

/* ---- validation hooks ---- */

static int domain__node_hook(void *arg, const store_view_t *view, graph_op_t op,
                             const graph_node_t *old, schema_kind_t kind, const char *type,
                             const msgpack_object *props, knoop_buf_t *out, knoop_error_t *err)
{
    domain__reader_t rd = { arg, view };
    schema_lookup_t lk = { domain__postcode_lookup, &rd };
    msgpack_packer pk;
    int rc;
    if (old != NULL && old->kind == SCHEMA_KIND_CONTACT &&
        op != GRAPH_OP_ERASE) /* an AVG erasure is the one deletion its immutability allows */
        return knoop_error_set(err, KNOOP_ECONFLICT,
                               "node %llu is a klantcontact: a registered contact is immutable; "
                               "register a correction (contact.register with corrects)",
                               (unsigned long long)old->id);
    if (op == GRAPH_OP_DELETE || op == GRAPH_OP_ERASE)
        return KNOOP_OK;
    msgpack_packer_init(&pk, out, knoop_buf_write);
    pthread_rwlock_rdlock(&domain_lock);
    rc = schema_validate_node(domain_reg, kind, type, props, &lk, &pk, err);
    pthread_rwlock_unlock(&domain_lock);
    return rc;
}

/* The tenures of one role type at one target, as the role rules read them. */
typedef struct {
    schema_tenure_t *v;
    size_t n, cap;
    int rc;
} domain__tenures_t;

static int domain__tenure_cb(void *arg, const graph_adj_t *a)
{
    domain__tenures_t *l = arg;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        schema_tenure_t *v = knoop_realloc(l->v, cap * sizeof(*v));
        if (v == NULL) {
            l->rc = KNOOP_ENOMEM;
            return 1;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n].edge = a->edge;
    l->v[l->n].source = a->other;
    l->v[l->n].from = a->valid_from;
    l->v[l->n].to = a->valid_to;
    l->n++;
    return 0;
}

/* Checks the role rules of role for edge e against the other edges of its type, read through
 * view (the transaction's: earlier steps of the same change count). The overlap rule reads the
 * source's own edges of the type (a few), the holders rule the target's (only for role types
 * that have one), so that a role type with many holders per target stays cheap to write. */
static int domain__role_rules(store_t *s, const store_view_t *view, const schema_role_t *role,
                              const graph_edge_t *e, knoop_error_t *err)
{
    schema_tenure_t nw = { e->id, e->source, e->valid_from, e->valid_to };
    int rc = KNOOP_OK;
    if (!role->allow_overlap) {
        graph_filter_t f = { .dir = GRAPH_OUT, .type = e->type };
        domain__tenures_t l = { 0 };
        schema_role_t overlap = *role;
        size_t k = 0;
        overlap.max_holders = 0;
        rc = graph_adj_scan(s, view, e->source, &f, domain__tenure_cb, &l, err);
        if (rc == KNOOP_OK && l.rc != KNOOP_OK)
            rc = knoop_error_set(err, l.rc, "out of memory");
        /* Seen from the source, `source` holds the other end: keep those at e's target. */
        for (size_t i = 0; rc == KNOOP_OK && i < l.n; i++)
            if (l.v[i].source == e->target) {
                l.v[k] = l.v[i];
                l.v[k++].source = e->source;
            }
        if (rc == KNOOP_OK)
            rc = schema_role_check_tenure(&overlap, &nw, l.v, k, err);
        knoop_free(l.v);
    }
    if (rc == KNOOP_OK && role->max_holders > 0) {
        graph_filter_t f = { .dir = GRAPH_IN, .type = e->type };
        domain__tenures_t l = { 0 };
        schema_role_t holders = *role;
        holders.allow_overlap = true;
        rc = graph_adj_scan(s, view, e->target, &f, domain__tenure_cb, &l, err);
        if (rc == KNOOP_OK && l.rc != KNOOP_OK)
            rc = knoop_error_set(err, l.rc, "out of memory");
        if (rc == KNOOP_OK)
            rc = schema_role_check_tenure(&holders, &nw, l.v, l.n, err);
        knoop_free(l.v);
    }
    return rc;
}

static int domain__edge_hook(void *arg, const store_view_t *view, const graph_edge_t *e,
                             const graph_node_t *source, const graph_node_t *target,
                             const msgpack_object *props, knoop_buf_t *out, knoop_error_t *err)
{
    const schema_role_t *r;
    schema_role_t role;
    bool rules = false;
    msgpack_packer pk;
    int rc;
    msgpack_packer_init(&pk, out, knoop_buf_write);
    pthread_rwlock_rdlock(&domain_lock);
    rc = schema_validate_edge(domain_reg, e->type, source->kind, source->type, target->kind,
                              target->type, props, &pk, err);
    if (rc == KNOOP_OK && (r = schema_registry_role(domain_reg, e->type)) != NULL) {
        role = *r;
        rules = true;
    }
    pthread_rwlock_unlock(&domain_lock);
    if (rc == KNOOP_OK && rules)
        rc = domain__role_rules(arg, view, &role, e, err);
    return rc;
}

bool cmd_domain_role_may_touch_contact(const char *type)
{
    const schema_role_t *r;
    bool may = true;
    pthread_rwlock_rdlock(&domain_lock);
    r = domain_reg != NULL ? schema_registry_role(domain_reg, type) : NULL;
    if (r != NULL) {
        may = false;
        for (size_t i = 0; i < r->nsources; i++)
            may = may || r->sources[i].kind == SCHEMA_KIND_CONTACT;
        for (size_t i = 0; i < r->ntargets; i++)
            may = may || r->targets[i].kind == SCHEMA_KIND_CONTACT;
    }
    pthread_rwlock_unlock(&domain_lock);
    return may;
}

int cmd_domain_normalise(const store_view_t *view, schema_kind_t kind, const char *type,
                         const msgpack_object *props, knoop_buf_t *out, knoop_error_t *err)
{
    knoop_buf_clear(out);
    return domain__node_hook(domain_store, view, GRAPH_OP_CREATE, NULL, kind, type, props, out,
                             err);
}

/* ---- persistence of run-time definitions ---- */

static void pack_kv_str(msgpack_packer *pk, const char *k, const char *v)
{
    cmd_pack_cstr(pk, k);
    cmd_pack_cstr(pk, v);
}

static void pack_field(msgpack_packer *pk, const schema_field_t *f)
{
    msgpack_pack_map(pk, 9);
    pack_kv_str(pk, "name", f->name);
    pack_kv_str(pk, "kind", f->kind ? schema_kind_name(f->kind) : "");
    pack_kv_str(pk, "type", f->type);
    pack_kv_str(pk, "value_type", schema_vtype_name(f->vtype));
    pack_kv_str(pk, "list", f->list);
    cmd_pack_cstr(pk, "required");
    cmd_pack_bool(pk, f->required);
    pack_kv_str(pk, "regime", f->core ? "core" : "other");
    cmd_pack_cstr(pk, "builtin");
    cmd_pack_bool(pk, f->builtin);
    pack_kv_str(pk, "description", f->description);
}

static void pack_list(msgpack_packer *pk, const schema_list_t *l, bool with_values)
{
    msgpack_pack_map(pk, with_values ? 5 : 4);
    pack_kv_str(pk, "name", l->name);
    pack_kv_str(pk, "description", l->description);
    cmd_pack_cstr(pk, "builtin");
    cmd_pack_bool(pk, l->builtin);
    cmd_pack_cstr(pk, "count");
    msgpack_pack_uint64(pk, l->n);
    if (!with_values)
        return;
    cmd_pack_cstr(pk, "values");
    msgpack_pack_array(pk, (uint32_t)l->n);
    for (size_t i = 0; i < l->n; i++) {
        const schema_value_t *v = &l->values[i];
        msgpack_pack_map(pk, 4);
        pack_kv_str(pk, "code", v->code);
        pack_kv_str(pk, "label", v->label);
        pack_kv_str(pk, "abbreviation", v->abbreviation);
        pack_kv_str(pk, "ext_code", v->ext_code);
    }
}

static void pack_ends(msgpack_packer *pk, const schema_end_t *e, size_t n)
{
    msgpack_pack_array(pk, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        msgpack_pack_map(pk, 2);
        pack_kv_str(pk, "kind", schema_kind_name(e[i].kind));
        pack_kv_str(pk, "type", e[i].type);
    }
}

static void pack_role(msgpack_packer *pk, const schema_role_t *r)
{
    msgpack_pack_map(pk, 8);
    cmd_pack_cstr(pk, "max_holders");
    msgpack_pack_uint32(pk, r->max_holders);
    cmd_pack_cstr(pk, "allow_overlap");
    cmd_pack_bool(pk, r->allow_overlap);
    pack_kv_str(pk, "name", r->name);
    pack_kv_str(pk, "description", r->description);
    cmd_pack_cstr(pk, "sources");
    pack_ends(pk, r->sources, r->nsources);
    cmd_pack_cstr(pk, "targets");
    pack_ends(pk, r->targets, r->ntargets);
    cmd_pack_cstr(pk, "attributes");
    msgpack_pack_array(pk, (uint32_t)r->nattrs);
    for (size_t i = 0; i < r->nattrs; i++)
        pack_field(pk, &r->attrs[i]);
    cmd_pack_cstr(pk, "builtin");
    cmd_pack_bool(pk, r->builtin);
}

/* Reads a string member of map m into buf ("" when absent). */
static int get_s(const msgpack_object *m, const char *k, char *buf, size_t sz, bool required,
                 const char *ctx, knoop_error_t *err)
{
    const msgpack_object *v = proto_param(m, k);
    buf[0] = '\0';
    if (v == NULL) {
        if (required)
            return knoop_error_set(err, KNOOP_EINVAL, "%s.%s: required", ctx, k);
        return KNOOP_OK;
    }
    if (v->type != MSGPACK_OBJECT_STR)
        return knoop_error_set(err, KNOOP_EINVAL, "%s.%s: expected a string", ctx, k);
    if (v->via.str.size >= sz)
        return knoop_error_set(err, KNOOP_EINVAL, "%s.%s: longer than %zu bytes", ctx, k, sz - 1);
    memcpy(buf, v->via.str.ptr, v->via.str.size);
    buf[v->via.str.size] = '\0';
    return KNOOP_OK;
}

static int parse_field(const msgpack_object *m, const char *ctx, schema_field_t *f, bool need_kind,
                       knoop_error_t *err)
{
    char kind[32], vt[32], regime[16];
    bool b = false;
    int rc;
    memset(f, 0, sizeof(*f));
    if ((rc = get_s(m, "name", f->name, sizeof(f->name), true, ctx, err)) ||
        (rc = get_s(m, "kind", kind, sizeof(kind), need_kind, ctx, err)) ||
        (rc = get_s(m, "type", f->type, sizeof(f->type), false, ctx, err)) ||
        (rc = get_s(m, "value_type", vt, sizeof(vt), true, ctx, err)) ||
        (rc = get_s(m, "list", f->list, sizeof(f->list), false, ctx, err)) ||
        (rc = get_s(m, "regime", regime, sizeof(regime), false, ctx, err)) ||
        (rc = get_s(m, "description", f->description, sizeof(f->description), false, ctx, err)))
        return rc;
    if (kind[0]) {
        schema_kind_t k;
        char fld[96];
        snprintf(fld, sizeof(fld), "%s.kind", ctx);
        if ((rc = schema_kind_parse(kind, strlen(kind), fld, &k, err)) != KNOOP_OK)
            return rc;
        f->kind = (int)k;
    }
    {
        char fld[96];
        snprintf(fld, sizeof(fld), "%s.value_type", ctx);
        if ((rc = schema_vtype_parse(vt, strlen(vt), fld, &f->vtype, err)) != KNOOP_OK)
            return rc;
    }
    if ((f->vtype == SCHEMA_V_LIST || f->vtype == SCHEMA_V_LIST_MULTI) && f->list[0] == '\0')
        return knoop_error_set(err, KNOOP_EINVAL, "%s.list: required for value type %s", ctx, vt);
    if (regime[0] && strcmp(regime, "core") != 0 && strcmp(regime, "other") != 0)
        return knoop_error_set(err, KNOOP_EINVAL, "%s.regime: expected core or other, got '%s'",
                               ctx, regime);
    f->core = strcmp(regime, "core") == 0;
    if (proto_param_bool(m, "required", &b))
        f->required = b;
    return KNOOP_OK;
}

static int parse_values(const msgpack_object *arr, const char *ctx, schema_value_t **out, size_t *n,
                        knoop_error_t *err)
{
    schema_value_t *v;
    if (arr == NULL || arr->type != MSGPACK_OBJECT_ARRAY)
        return knoop_error_set(err, KNOOP_EINVAL, "%s.values: expected an array", ctx);
    v = knoop_calloc(arr->via.array.size ? arr->via.array.size : 1, sizeof(*v));
    if (v == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < arr->via.array.size; i++) {
        const msgpack_object *o = &arr->via.array.ptr[i];
        char c[64];
        int rc;
        snprintf(c, sizeof(c), "%s.values[%u]", ctx, (unsigned)i);
        if (o->type == MSGPACK_OBJECT_STR) {
            snprintf(v[i].code, sizeof(v[i].code), "%.*s", (int)o->via.str.size, o->via.str.ptr);
            snprintf(v[i].label, sizeof(v[i].label), "%s", v[i].code);
            continue;
        }
        if (o->type != MSGPACK_OBJECT_MAP) {
            knoop_free(v);
            return knoop_error_set(err, KNOOP_EINVAL, "%s: expected {code, label} or a string", c);
        }
        if ((rc = get_s(o, "code", v[i].code, sizeof(v[i].code), true, c, err)) ||
            (rc = get_s(o, "label", v[i].label, sizeof(v[i].label), false, c, err)) ||
            (rc = get_s(o, "abbreviation", v[i].abbreviation, sizeof(v[i].abbreviation), false, c,
                        err)) ||
            (rc = get_s(o, "ext_code", v[i].ext_code, sizeof(v[i].ext_code), false, c, err))) {
            knoop_free(v);
            return rc;
        }
        if (v[i].label[0] == '\0')
            snprintf(v[i].label, sizeof(v[i].label), "%s", v[i].code);
    }
    *out = v;
    *n = arr->via.array.size;
    return KNOOP_OK;
}

static int parse_ends_arr(const msgpack_object *arr, const char *ctx, schema_end_t *ends, size_t *n,
                          knoop_error_t *err)
{
    *n = 0;
    if (arr == NULL || arr->type != MSGPACK_OBJECT_ARRAY || arr->via.array.size == 0)
        return knoop_error_set(err, KNOOP_EINVAL, "%s: expected an array of {kind, type?}", ctx);
    for (uint32_t i = 0; i < arr->via.array.size && *n < SCHEMA_ROLE_ENDS; i++) {
        const msgpack_object *o = &arr->via.array.ptr[i];
        char c[64], kind[32];
        schema_kind_t k;
        int rc;
        snprintf(c, sizeof(c), "%s[%u]", ctx, (unsigned)i);
        if (o->type != MSGPACK_OBJECT_MAP)
            return knoop_error_set(err, KNOOP_EINVAL, "%s: expected {kind, type?}", c);
        if ((rc = get_s(o, "kind", kind, sizeof(kind), true, c, err)) ||
            (rc = get_s(o, "type", ends[*n].type, sizeof(ends[*n].type), false, c, err)))
            return rc;
        {
            char fld[80];
            snprintf(fld, sizeof(fld), "%s.kind", c);
            if ((rc = schema_kind_parse(kind, strlen(kind), fld, &k, err)) != KNOOP_OK)
                return rc;
        }
        ends[*n].kind = (int)k;
        (*n)++;
    }
    return KNOOP_OK;
}

static int parse_role(const msgpack_object *m, const char *ctx, schema_role_t *r,
                      knoop_error_t *err)
{
    const msgpack_object *attrs = proto_param(m, "attributes");
    char c[64];
    int rc;
    memset(r, 0, sizeof(*r));
    if ((rc = get_s(m, "name", r->name, sizeof(r->name), true, ctx, err)) ||
        (rc = get_s(m, "description", r->description, sizeof(r->description), false, ctx, err)))
        return rc;
    snprintf(c, sizeof(c), "%s.sources", ctx);
    if ((rc = parse_ends_arr(proto_param(m, "sources"), c, r->sources, &r->nsources, err)))
        return rc;
    snprintf(c, sizeof(c), "%s.targets", ctx);
    if ((rc = parse_ends_arr(proto_param(m, "targets"), c, r->targets, &r->ntargets, err)))
        return rc;
    if (attrs != NULL && attrs->type != MSGPACK_OBJECT_NIL) {
        if (attrs->type != MSGPACK_OBJECT_ARRAY || attrs->via.array.size > SCHEMA_ROLE_ATTRS)
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s.attributes: expected at most %d "
                                   "attribute definitions",
                                   ctx, SCHEMA_ROLE_ATTRS);
        for (uint32_t i = 0; i < attrs->via.array.size; i++) {
            snprintf(c, sizeof(c), "%s.attributes[%u]", ctx, (unsigned)i);
            if (attrs->via.array.ptr[i].type != MSGPACK_OBJECT_MAP)
                return knoop_error_set(err, KNOOP_EINVAL, "%s: expected a map", c);
            if ((rc = parse_field(&attrs->via.array.ptr[i], c, &r->attrs[i], false, err)))
                return rc;
            r->attrs[i].core = true;
        }
        r->nattrs = attrs->via.array.size;
    }
    {
        const msgpack_object *mh = proto_param(m, "max_holders");
        uint64_t v = 0;
        bool b = false;
        if (mh != NULL && mh->type != MSGPACK_OBJECT_NIL &&
            (!proto_param_u64(m, "max_holders", &v) || v > UINT32_MAX))
            return knoop_error_set(err, KNOOP_EINVAL,
                                   "%s.max_holders: expected a count (0 = no limit)", ctx);
        r->max_holders = (uint32_t)v;
        if (proto_param_bool(m, "allow_overlap", &b))
            r->allow_overlap = b;
    }
    return KNOOP_OK;
}

/* Applies one stored definition (value of a meta key) to reg. */
static int domain__apply(schema_registry_t *reg, const char *prefix, const void *val, size_t len,
                         knoop_error_t *err)
{
    msgpack_zone z;
    msgpack_object o;
    size_t off = 0;
    int rc = KNOOP_ECORRUPT;
    msgpack_zone_init(&z, 1024);
    if (msgpack_unpack(val, len, &off, &z, &o) == MSGPACK_UNPACK_SUCCESS &&
        o.type == MSGPACK_OBJECT_MAP) {
        if (strcmp(prefix, META_FIELD) == 0) {
            schema_field_t f;
            rc = parse_field(&o, "field", &f, true, err);
            if (rc == KNOOP_OK)
                rc = schema_registry_put_field(reg, &f, err);
        } else if (strcmp(prefix, META_LIST) == 0) {
            char name[SCHEMA_NAME_MAX], desc[160];
            schema_value_t *v = NULL;
            size_t n = 0;
            if ((rc = get_s(&o, "name", name, sizeof(name), true, "list", err)) == KNOOP_OK &&
                (rc = get_s(&o, "description", desc, sizeof(desc), false, "list", err)) ==
                    KNOOP_OK &&
                (rc = parse_values(proto_param(&o, "values"), "list", &v, &n, err)) == KNOOP_OK) {
                const schema_list_t *l = schema_registry_list(reg, name);
                if (l != NULL && l->builtin) {
                    /* Values added to a built-in list. */
                    for (size_t i = 0; i < n && rc == KNOOP_OK; i++) {
                        rc = schema_registry_add_value(reg, name, &v[i], err);
                        if (rc == KNOOP_ECONFLICT)
                            rc = KNOOP_OK;
                    }
                } else {
                    rc = schema_registry_put_list(reg, name, desc, v, n, err);
                }
            }
            knoop_free(v);
        } else {
            schema_role_t r;
            rc = parse_role(&o, "role", &r, err);
            if (rc == KNOOP_OK)
                rc = schema_registry_put_role(reg, &r, err);
        }
    }
    msgpack_zone_destroy(&z);
    return rc;
}

static int domain__load_prefix(store_t *s, schema_registry_t *reg, const char *prefix,
                               knoop_error_t *err)
{
    size_t pl = strlen(prefix);
    char hi[32];
    store_iter_t *it;
    int rc = KNOOP_OK;
    memcpy(hi, prefix, pl);
    hi[pl - 1]++; /* '/' + 1: the first key past the prefix */
    it = store_iter(s, NULL, KV_CF_META, prefix, pl, hi, pl);
    if (it == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    for (; store_iter_valid(it) && rc == KNOOP_OK; store_iter_next(it)) {
        size_t vl;
        const void *v = store_iter_value(it, &vl);
        rc = domain__apply(reg, prefix, v, vl, err);
    }
    if (rc == KNOOP_OK)
        rc = store_iter_status(it, err);
    store_iter_free(it);
    return rc;
}

/* Sets *out to the loaded registry (owned by the caller) and returns KNOOP_OK; on failure *out
 * is NULL. */
static int domain__load(store_t *s, schema_registry_t **out, knoop_error_t *err)
{
    schema_registry_t *reg = schema_registry_new();
    int rc;
    *out = NULL;
    if (reg == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    if ((rc = domain__load_prefix(s, reg, META_LIST, err)) != KNOOP_OK ||
        (rc = domain__load_prefix(s, reg, META_FIELD, err)) != KNOOP_OK ||
        (rc = domain__load_prefix(s, reg, META_ROLE, err)) != KNOOP_OK) {
        schema_registry_free(reg);
        return rc;
    }
    *out = reg;
    return KNOOP_OK;
}

int cmd_domain_init(store_t *s, knoop_error_t *err)
{
    graph_hooks_t h = { domain__node_hook, domain__edge_hook, s };
    schema_registry_t *reg;
    int rc = domain__load(s, &reg, err);
    if (rc != KNOOP_OK)
        return rc;
    pthread_rwlock_wrlock(&domain_lock);
    schema_registry_free(domain_reg);
    domain_reg = reg;
    domain_store = s;
    pthread_rwlock_unlock(&domain_lock);
    graph_set_hooks(&h);
    return KNOOP_OK;
}

void cmd_domain_shutdown(void)
{
    graph_set_hooks(NULL);
    pthread_rwlock_wrlock(&domain_lock);
    schema_registry_free(domain_reg);
    domain_reg = NULL;
    domain_store = NULL;
    pthread_rwlock_unlock(&domain_lock);
}

/* Reloads the registry from the store after the transaction that changed it was aborted. */
static void domain__reload(void *arg)
{
    store_t *s = arg;
    schema_registry_t *fresh;
    pthread_rwlock_wrlock(&domain_lock);
    if (domain__load(s, &fresh, NULL) == KNOOP_OK) {
        schema_registry_free(domain_reg);
        domain_reg = fresh;
    }
    pthread_rwlock_unlock(&domain_lock);
}

/* Runs change(reg) under the registry's write lock and writes key=val in the request's
 * transaction; should that transaction not commit, the registry is reloaded from the store. */
static int domain__define(cmd_ctx_t *ctx, const char *key, const knoop_buf_t *val,
                          int (*change)(schema_registry_t *, const void *, knoop_error_t *),
                          const void *arg, knoop_error_t *err)
{
    store_txn_t *t = ctx->txn;
    int rc;
    if (ctx->in_batch)
        return knoop_error_set(err, KNOOP_EINVAL, "schema changes cannot be part of a batch");
    pthread_rwlock_wrlock(&domain_lock);
    rc = change(domain_reg, arg, err);
    if (rc == KNOOP_OK) {
        ctx->on_abort = domain__reload;
        ctx->on_abort_arg = ctx->store;
        if ((rc = store_txn_put(t, KV_CF_META, key, strlen(key), val->data, val->size)) == KNOOP_OK)
            rc = store_txn_history(t, 0, "schema", NULL, 0, val->data, val->size);
        if (rc == KNOOP_ENOMEM)
            knoop_error_set(err, rc, "out of memory");
    }
    pthread_rwlock_unlock(&domain_lock);
    return rc;
}

static int change_field(schema_registry_t *r, const void *f, knoop_error_t *err)
{
    return schema_registry_put_field(r, f, err);
}

static int change_role(schema_registry_t *r, const void *x, knoop_error_t *err)
{
    return schema_registry_put_role(r, x, err);
}

typedef struct {
    const char *name, *desc;
    schema_value_t *v;
    size_t n;
    bool add;
} list_change_t;

static int change_list(schema_registry_t *r, const void *x, knoop_error_t *err)
{
    const list_change_t *c = x;
    if (c->add)
        return schema_registry_add_value(r, c->name, c->v, err);
    return schema_registry_put_list(r, c->name, c->desc, c->v, c->n, err);
}

int cmd_schema_field_define(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                            knoop_error_t *err)
{
    schema_field_t f;
    knoop_buf_t sb;
    msgpack_packer spk;
    char key[256];
    int rc;
    if ((rc = parse_field(p, "params", &f, true, err)) != KNOOP_OK)
        return rc;
    if (f.kind == 0)
        return knoop_error_set(err, KNOOP_EINVAL, "params.kind: required");
    if (proto_param(p, "regime") == NULL)
        f.core = false;
    knoop_buf_init(&sb);
    msgpack_packer_init(&spk, &sb, knoop_buf_write);
    pack_field(&spk, &f);
    snprintf(key, sizeof(key), META_FIELD "%s/%s/%s", schema_kind_name(f.kind), f.type, f.name);
    rc = domain__define(ctx, key, &sb, change_field, &f, err);
    knoop_buf_destroy(&sb);
    if (rc == KNOOP_OK)
        pack_field(pk, &f);
    return rc;
}

int cmd_schema_fields(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                      knoop_error_t *err)
{
    char kind[32], type[SCHEMA_NAME_MAX];
    const schema_field_t *f;
    size_t n = 0;
    int rc, k = 0;
    (void)ctx;
    if ((rc = get_s(p, "kind", kind, sizeof(kind), false, "params", err)) ||
        (rc = get_s(p, "type", type, sizeof(type), false, "params", err)))
        return rc;
    if (kind[0]) {
        schema_kind_t kk;
        if ((rc = schema_kind_parse(kind, strlen(kind), "params.kind", &kk, err)) != KNOOP_OK)
            return rc;
        k = (int)kk;
    }
    pthread_rwlock_rdlock(&domain_lock);
    for (size_t i = 0; (f = schema_registry_field_at(domain_reg, i)) != NULL; i++)
        n += (!k || f->kind == k) && (!type[0] || !f->type[0] || !strcmp(f->type, type));
    msgpack_pack_map(pk, 1);
    cmd_pack_cstr(pk, "fields");
    msgpack_pack_array(pk, (uint32_t)n);
    for (size_t i = 0; (f = schema_registry_field_at(domain_reg, i)) != NULL; i++)
        if ((!k || f->kind == k) && (!type[0] || !f->type[0] || !strcmp(f->type, type)))
            pack_field(pk, f);
    pthread_rwlock_unlock(&domain_lock);
    return KNOOP_OK;
}

/* ---- lists of values keep stored data valid ---- */

/* True when value v (a string, or an array of strings for a multi-valued field) holds code. */
static bool list__value_has(const msgpack_object *v, const char *code)
{
    size_t cl = strlen(code);
    if (v->type == MSGPACK_OBJECT_STR)
        return v->via.str.size == cl && memcmp(v->via.str.ptr, code, cl) == 0;
    if (v->type == MSGPACK_OBJECT_ARRAY)
        for (uint32_t i = 0; i < v->via.array.size; i++)
            if (list__value_has(&v->via.array.ptr[i], code))
                return true;
    return false;
}

/* Counts into *n the stored props maps (props, len) whose field holds code. */
static void list__count_props(const char *props, size_t len, const char *field, const char *code,
                              size_t *n)
{
    msgpack_zone z;
    msgpack_object o;
    size_t off = 0;
    const msgpack_object *v;
    if (len == 0 || !msgpack_zone_init(&z, 512))
        return;
    if (msgpack_unpack(props, len, &off, &z, &o) == MSGPACK_UNPACK_SUCCESS &&
        (v = proto_param(&o, field)) != NULL && list__value_has(v, code))
        (*n)++;
    msgpack_zone_destroy(&z);
}

typedef struct {
    cmd_ctx_t *ctx;
    const char *type, *field, *code;
    size_t n;
    int rc;
    knoop_error_t *err;
} list__edges_t;

static int list__edge_cb(void *arg, const graph_adj_t *a)
{
    list__edges_t *c = arg;
    graph_edge_t e;
    if (a->type_len != strlen(c->type) || memcmp(a->type, c->type, a->type_len) != 0)
        return 0;
    if ((c->rc = graph_edge_get(c->ctx->store, c->ctx->view, a->edge, &e, c->err)) != KNOOP_OK)
        return 1;
    list__count_props(e.props, e.props_len, c->field, c->code, &c->n);
    graph_edge_clear(&e);
    return 0;
}

/* The users of a list: the fields (of nodes) and role attributes bound to it. */
typedef struct {
    int kind; /* 0: a role attribute, type = the role */
    char type[SCHEMA_NAME_MAX], name[SCHEMA_NAME_MAX];
} list__user_t;

/*
 * Refuses (KNOOP_ECONFLICT) a redefinition of list `name` that drops a code stored nodes or
 * edges still use, naming the code, the field and how many use it. Reads through ctx->view.
 */
static int list__check_in_use(cmd_ctx_t *ctx, const char *name, const schema_value_t *nv, size_t nn,
                              knoop_error_t *err)
{
    list__user_t users[64];
    size_t nu = 0;
    schema_value_t *gone = NULL;
    size_t ngone = 0;
    const schema_list_t *l;
    const schema_field_t *f;
    const schema_role_t *r;
    int rc = KNOOP_OK;

    pthread_rwlock_rdlock(&domain_lock);
    l = schema_registry_list(domain_reg, name);
    if (l != NULL && l->n > 0 && (gone = knoop_calloc(l->n, sizeof(*gone))) != NULL) {
        for (size_t i = 0; i < l->n; i++) {
            bool kept = false;
            for (size_t j = 0; j < nn && !kept; j++)
                kept = strcmp(l->values[i].code, nv[j].code) == 0;
            if (!kept)
                gone[ngone++] = l->values[i];
        }
    }
    for (size_t i = 0; (f = schema_registry_field_at(domain_reg, i)) != NULL && nu < 64; i++)
        if ((f->vtype == SCHEMA_V_LIST || f->vtype == SCHEMA_V_LIST_MULTI) &&
            strcmp(f->list, name) == 0) {
            users[nu].kind = f->kind;
            snprintf(users[nu].type, sizeof(users[nu].type), "%s", f->type);
            snprintf(users[nu].name, sizeof(users[nu].name), "%s", f->name);
            nu++;
        }
    for (size_t i = 0; (r = schema_registry_role_at(domain_reg, i)) != NULL && nu < 64; i++)
        for (size_t j = 0; j < r->nattrs && nu < 64; j++)
            if ((r->attrs[j].vtype == SCHEMA_V_LIST || r->attrs[j].vtype == SCHEMA_V_LIST_MULTI) &&
                strcmp(r->attrs[j].list, name) == 0) {
                users[nu].kind = 0;
                snprintf(users[nu].type, sizeof(users[nu].type), "%s", r->name);
                snprintf(users[nu].name, sizeof(users[nu].name), "%s", r->attrs[j].name);
                nu++;
            }
    pthread_rwlock_unlock(&domain_lock);
    if (l != NULL && l->n > 0 && gone == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");

    for (size_t g = 0; g < ngone && rc == KNOOP_OK; g++) {
        for (size_t u = 0; u < nu && rc == KNOOP_OK; u++) {
            size_t n = 0;
            if (users[u].kind != 0) {
                graph_ids_t ids = { 0 };
                bool more = false;
                rc = graph_node_find(ctx->store, ctx->view, users[u].kind,
                                     users[u].type[0] ? users[u].type : NULL, NULL,
                                     KNOOP_MAX_RESULT_LIMIT, &ids, &more, err);
                for (size_t i = 0; rc == KNOOP_OK && i < ids.n; i++) {
                    graph_node_t nd;
                    if ((rc = graph_node_get(ctx->store, ctx->view, ids.ids[i], &nd, err)) ==
                        KNOOP_ENOTFOUND) {
                        rc = KNOOP_OK;
                        continue;
                    }
                    if (rc == KNOOP_OK)
                        list__count_props(nd.props, nd.props_len, users[u].name, gone[g].code, &n);
                    graph_node_clear(&nd);
                }
                graph_ids_free(&ids);
                if (rc == KNOOP_OK && more && n == 0)
                    rc = knoop_error_set(err, KNOOP_ECONFLICT,
                                         "params.values: more than %d %s nodes use list %s: "
                                         "cannot verify that code '%s' is unused",
                                         KNOOP_MAX_RESULT_LIMIT, schema_kind_name(users[u].kind),
                                         name, gone[g].code);
            } else {
                list__edges_t c = { ctx, users[u].type, users[u].name, gone[g].code, 0, KNOOP_OK,
                                    err };
                rc = graph_adj_scan_all(ctx->store, ctx->view, GRAPH_OUT, ctx->deadline_ms,
                                        list__edge_cb, &c, err);
                if (rc == KNOOP_OK)
                    rc = c.rc;
                n = c.n;
            }
            if (rc == KNOOP_OK && n > 0)
                rc = knoop_error_set(
                    err, KNOOP_ECONFLICT,
                    "params.values: code '%s' of list %s is in use by %zu %s (%s%s%s.%s); "
                    "change them first, or keep the code",
                    gone[g].code, name, n, users[u].kind ? "nodes" : "roles",
                    users[u].kind ? schema_kind_name(users[u].kind) : "role ",
                    users[u].kind && users[u].type[0] ? " " : "", users[u].type, users[u].name);
        }
    }
    knoop_free(gone);
    return rc;
}

int cmd_schema_list_define(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                           knoop_error_t *err)
{
    char name[SCHEMA_NAME_MAX], desc[160], key[128];
    list_change_t c = { 0 };
    knoop_buf_t sb;
    msgpack_packer spk;
    schema_list_t tmp;
    int rc;
    if ((rc = get_s(p, "name", name, sizeof(name), true, "params", err)) ||
        (rc = get_s(p, "description", desc, sizeof(desc), false, "params", err)) ||
        (rc = parse_values(proto_param(p, "values"), "params", &c.v, &c.n, err)))
        return rc;
    c.name = name;
    c.desc = desc;
    /* A redefinition may not drop a code that stored data uses (it would make that data
     * invalid, and every later update of it fail). */
    if ((rc = list__check_in_use(ctx, name, c.v, c.n, err)) != KNOOP_OK) {
        knoop_free(c.v);
        return rc;
    }
    memset(&tmp, 0, sizeof(tmp));
    snprintf(tmp.name, sizeof(tmp.name), "%s", name);
    snprintf(tmp.description, sizeof(tmp.description), "%s", desc);
    tmp.values = c.v;
    tmp.n = c.n;
    knoop_buf_init(&sb);
    msgpack_packer_init(&spk, &sb, knoop_buf_write);
    pack_list(&spk, &tmp, true);
    snprintf(key, sizeof(key), META_LIST "%s", name);
    rc = domain__define(ctx, key, &sb, change_list, &c, err);
    knoop_buf_destroy(&sb);
    if (rc == KNOOP_OK)
        pack_list(pk, &tmp, true);
    knoop_free(c.v);
    return rc;
}

int cmd_schema_list_add(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                        knoop_error_t *err)
{
    char name[SCHEMA_NAME_MAX], key[128];
    schema_value_t v;
    list_change_t c = { 0 };
    knoop_buf_t sb;
    msgpack_packer spk;
    const schema_list_t *l;
    int rc;
    memset(&v, 0, sizeof(v));
    if ((rc = get_s(p, "list", name, sizeof(name), true, "params", err)) ||
        (rc = get_s(p, "code", v.code, sizeof(v.code), true, "params", err)) ||
        (rc = get_s(p, "label", v.label, sizeof(v.label), false, "params", err)) ||
        (rc = get_s(p, "abbreviation", v.abbreviation, sizeof(v.abbreviation), false, "params",
                    err)))
        return rc;
    if (v.label[0] == '\0')
        snprintf(v.label, sizeof(v.label), "%s", v.code);
    c.name = name;
    c.v = &v;
    c.n = 1;
    c.add = true;
    /* Persist the list as it will be after the addition. */
    pthread_rwlock_rdlock(&domain_lock);
    l = schema_registry_list(domain_reg, name);
    knoop_buf_init(&sb);
    msgpack_packer_init(&spk, &sb, knoop_buf_write);
    if (l != NULL) {
        schema_list_t tmp = *l;
        schema_value_t *vals = knoop_calloc(l->n + 1, sizeof(*vals));
        if (vals == NULL) {
            pthread_rwlock_unlock(&domain_lock);
            knoop_buf_destroy(&sb);
            return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
        }
        if (l->n > 0) /* an empty list has values NULL: memcpy from NULL is undefined */
            memcpy(vals, l->values, l->n * sizeof(*vals));
        vals[l->n] = v;
        tmp.values = vals;
        tmp.n = l->n + 1;
        pack_list(&spk, &tmp, true);
        knoop_free(vals);
    }
    pthread_rwlock_unlock(&domain_lock);
    snprintf(key, sizeof(key), META_LIST "%s", name);
    rc = domain__define(ctx, key, &sb, change_list, &c, err);
    knoop_buf_destroy(&sb);
    if (rc == KNOOP_OK) {
        pthread_rwlock_rdlock(&domain_lock);
        l = schema_registry_list(domain_reg, name);
        if (l != NULL)
            pack_list(pk, l, true);
        else
            msgpack_pack_nil(pk);
        pthread_rwlock_unlock(&domain_lock);
    }
    return rc;
}

int cmd_schema_list_get(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                        knoop_error_t *err)
{
    char name[SCHEMA_NAME_MAX];
    const schema_list_t *l;
    int rc;
    (void)ctx;
    if ((rc = get_s(p, "name", name, sizeof(name), true, "params", err)) != KNOOP_OK)
        return rc;
    pthread_rwlock_rdlock(&domain_lock);
    l = schema_registry_list(domain_reg, name);
    if (l != NULL)
        pack_list(pk, l, true);
    pthread_rwlock_unlock(&domain_lock);
    if (l == NULL)
        return knoop_error_set(err, KNOOP_ENOTFOUND, "params.name: no list of values '%s'", name);
    return KNOOP_OK;
}

int cmd_schema_lists(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err)
{
    const schema_list_t *l;
    size_t n = 0;
    (void)ctx;
    (void)p;
    (void)err;
    pthread_rwlock_rdlock(&domain_lock);
    while (schema_registry_list_at(domain_reg, n) != NULL)
        n++;
    msgpack_pack_map(pk, 1);
    cmd_pack_cstr(pk, "lists");
    msgpack_pack_array(pk, (uint32_t)n);
    for (size_t i = 0; (l = schema_registry_list_at(domain_reg, i)) != NULL; i++)
        pack_list(pk, l, false);
    pthread_rwlock_unlock(&domain_lock);
    return KNOOP_OK;
}

int cmd_schema_role_define(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                           knoop_error_t *err)
{
    schema_role_t r;
    knoop_buf_t sb;
    msgpack_packer spk;
    char key[128];
    int rc;
    if ((rc = parse_role(p, "params", &r, err)) != KNOOP_OK)
        return rc;
    knoop_buf_init(&sb);
    msgpack_packer_init(&spk, &sb, knoop_buf_write);
    pack_role(&spk, &r);
    snprintf(key, sizeof(key), META_ROLE "%s", r.name);
    rc = domain__define(ctx, key, &sb, change_role, &r, err);
    knoop_buf_destroy(&sb);
    if (rc == KNOOP_OK)
        pack_role(pk, &r);
    return rc;
}

int cmd_schema_roles(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err)
{
    const schema_role_t *r;
    size_t n = 0;
    (void)ctx;
    (void)p;
    (void)err;
    pthread_rwlock_rdlock(&domain_lock);
    while (schema_registry_role_at(domain_reg, n) != NULL)
        n++;
    msgpack_pack_map(pk, 1);
    cmd_pack_cstr(pk, "roles");
    msgpack_pack_array(pk, (uint32_t)n);
    for (size_t i = 0; (r = schema_registry_role_at(domain_reg, i)) != NULL; i++)
        pack_role(pk, r);
    pthread_rwlock_unlock(&domain_lock);
    return KNOOP_OK;
}

int cmd_schema_types(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err)
{
    const schema_node_type_t *t;
    size_t n = 0;
    (void)ctx;
    (void)p;
    (void)err;
    pthread_rwlock_rdlock(&domain_lock);
    while (schema_registry_type_at(domain_reg, n) != NULL)
        n++;
    msgpack_pack_map(pk, 1);
    cmd_pack_cstr(pk, "types");
    msgpack_pack_array(pk, (uint32_t)n);
    for (size_t i = 0; (t = schema_registry_type_at(domain_reg, i)) != NULL; i++) {
        msgpack_pack_map(pk, 3);
        pack_kv_str(pk, "kind", schema_kind_name(t->kind));
        pack_kv_str(pk, "type", t->name);
        pack_kv_str(pk, "regime", t->core ? "core" : "other");
    }
    pthread_rwlock_unlock(&domain_lock);
    return KNOOP_OK;
}

/* ---- schema.check: stored roles that break a role rule ---- */

typedef struct {
    cmd_ctx_t *ctx;
    msgpack_packer *pk;
    knoop_buf_t *out; /* the violations, packed */
    size_t found, limit;
    uint64_t checked;
    uint64_t node; /* the group being collected: target node and type */
    char type[KNOOP_MAX_NAME_BYTES + 1];
    domain__tenures_t group;
    int rc;
} domain__check_t;

/* Checks the collected group (one role type at one target): each tenure against the ones before
 * it, so that every clashing pair is reported once. */
static void domain__check_group(domain__check_t *c)
{
    const schema_role_t *r;
    schema_role_t role;
    msgpack_packer pk;
    bool have;
    if (c->group.n < 2)
        return;
    pthread_rwlock_rdlock(&domain_lock);
    r = schema_registry_role(domain_reg, c->type);
    have = r != NULL;
    if (have)
        role = *r;
    pthread_rwlock_unlock(&domain_lock);
    if (!have || (role.max_holders == 0 && role.allow_overlap))
        return;
    msgpack_packer_init(&pk, c->out, knoop_buf_write);
    for (size_t i = 1; i < c->group.n; i++) {
        knoop_error_t e;
        const schema_tenure_t *nw = &c->group.v[i];
        if (schema_role_check_tenure(&role, nw, c->group.v, i, &e) == KNOOP_OK)
            continue;
        if (++c->found > c->limit)
            continue;
        msgpack_pack_map(&pk, 5);
        cmd_pack_cstr(&pk, "role");
        cmd_pack_cstr(&pk, c->type);
        cmd_pack_cstr(&pk, "target");
        msgpack_pack_uint64(&pk, c->node);
        cmd_pack_cstr(&pk, "edge");
        msgpack_pack_uint64(&pk, nw->edge);
        cmd_pack_cstr(&pk, "source");
        msgpack_pack_uint64(&pk, nw->source);
        cmd_pack_cstr(&pk, "problem");
        cmd_pack_cstr(&pk, e.msg);
    }
}

static int domain__check_cb(void *arg, const graph_adj_t *a)
{
    domain__check_t *c = arg;
    c->checked++;
    if (a->node != c->node || a->type_len != strlen(c->type) ||
        memcmp(a->type, c->type, a->type_len) != 0) {
        domain__check_group(c);
        c->group.n = 0;
        c->node = a->node;
        memcpy(c->type, a->type, a->type_len);
        c->type[a->type_len] = '\0';
    }
    if (domain__tenure_cb(&c->group, a) != 0) {
        c->rc = KNOOP_ENOMEM;
        return 1;
    }
    return 0;
}

int cmd_schema_check(cmd_ctx_t *ctx, const msgpack_object *p, msgpack_packer *pk,
                     knoop_error_t *err)
{
    knoop_buf_t out;
    domain__check_t c;
    int rc;
    memset(&c, 0, sizeof(c));
    if ((rc = cmd_limit_param(p, &c.limit, err)) != KNOOP_OK)
        return rc;
    knoop_buf_init(&out);
    c.ctx = ctx;
    c.out = &out;
    rc = graph_adj_scan_all(ctx->store, ctx->view, GRAPH_IN, ctx->deadline_ms, domain__check_cb, &c,
                            err);
    if (rc == KNOOP_OK && c.rc == KNOOP_OK)
        domain__check_group(&c);
    if (rc == KNOOP_OK && (c.rc != KNOOP_OK || c.group.rc != KNOOP_OK || knoop_buf_failed(&out)))
        rc = knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    if (rc == KNOOP_OK) {
        size_t shown = c.found < c.limit ? c.found : c.limit;
        msgpack_pack_map(pk, 4);
        cmd_pack_cstr(pk, "violations");
        msgpack_pack_array(pk, (uint32_t)shown);
        if (out.size > 0)
            pk->callback(pk->data, out.data, out.size);
        cmd_pack_cstr(pk, "count");
        msgpack_pack_uint64(pk, c.found);
        cmd_pack_cstr(pk, "more");
        cmd_pack_bool(pk, c.found > c.limit);
        cmd_pack_cstr(pk, "checked_edges");
        msgpack_pack_uint64(pk, c.checked);
    }
    knoop_free(c.group.v);
    knoop_buf_destroy(&out);
    return rc;
}
