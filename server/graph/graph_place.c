/*
 * graph_place.c - reading the woonplaatsen of a gemeente (layer: graph).
 *
 * places.sync (cmd/) writes them; the keys are the store's ('W' gemeente 0x00 code -> the
 * gemeente's index entry, 'w' code -> the place record, store_int.h). The query layer reads
 * them here, so that it never builds a key itself.
 */
#include <stdio.h>
#include <string.h>

#include "graph.h"
#include "proto.h"

int graph_place_decode(uint32_t code, const void *v, size_t len, graph_place_t *pl)
{
    msgpack_zone z;
    msgpack_object o;
    size_t off = 0;
    const char *s;
    size_t sl;
    int rc = KNOOP_ECORRUPT;
    memset(pl, 0, sizeof(*pl));
    pl->code = code;
    pl->to = SCHEMA_DATE_OPEN;
    if (!msgpack_zone_init(&z, 256))
        return KNOOP_ENOMEM;
    if (msgpack_unpack(v, len, &off, &z, &o) == MSGPACK_UNPACK_SUCCESS &&
        o.type == MSGPACK_OBJECT_MAP) {
        if (proto_param_str(&o, "name", &s, &sl))
            snprintf(pl->name, sizeof(pl->name), "%.*s", (int)sl, s);
        if (proto_param_str(&o, "gemeente", &s, &sl))
            snprintf(pl->gemeente, sizeof(pl->gemeente), "%.*s", (int)sl, s);
        if (proto_param_str(&o, "valid_from", &s, &sl))
            schema_date_parse(s, sl, "valid_from", &pl->from, NULL);
        if (proto_param_str(&o, "valid_to", &s, &sl))
            schema_date_parse(s, sl, "valid_to", &pl->to, NULL);
        rc = KNOOP_OK;
    }
    msgpack_zone_destroy(&z);
    return rc;
}

int graph_places_of(store_t *s, const store_view_t *view, const char *gemeente, size_t len,
                    graph_place_cb cb, void *arg, knoop_error_t *err)
{
    unsigned char lo[32], hi[32];
    size_t pl;
    store_iter_t *it;
    int rc = KNOOP_OK;

    if (len == 0 || len > 16)
        return knoop_error_set(err, KNOOP_EINVAL, "gemeente code: expected GMxxxx");
    pl = store_key_place_of(lo, gemeente, len, 0, false);
    memcpy(hi, lo, pl);
    hi[pl - 1] = 1;
    if ((it = store_iter(s, view, KV_CF_IDX, lo, pl, hi, pl)) == NULL)
        return knoop_error_set(err, KNOOP_ENOMEM, "out of memory");
    for (; store_iter_valid(it); store_iter_next(it)) {
        size_t kl, vl;
        const unsigned char *k = store_iter_key(it, &kl);
        unsigned char rk[STORE_PLACE_KEY_LEN];
        graph_place_t p;
        void *v;
        if (kl != pl + 4)
            continue;
        if (store_iter_value(it, &vl) != NULL && vl > 0) {
            /* The place's period at this gemeente, kept when it moved on. */
            rc = graph_place_decode(store_get_u32(k + pl), store_iter_value(it, &vl), vl, &p);
            if (rc != KNOOP_OK) {
                knoop_error_set(err, rc, "woonplaats %u: unreadable entry of %.*s",
                                store_get_u32(k + pl), (int)len, gemeente);
                break;
            }
            if (cb(arg, &p))
                break;
            continue;
        }
        store_key_place(rk, store_get_u32(k + pl));
        rc = store_get(s, view, KV_CF_IDX, rk, sizeof(rk), &v, &vl, err);
        if (rc == KNOOP_ENOTFOUND) {
            rc = KNOOP_OK;
            continue;
        }
        if (rc != KNOOP_OK)
            break;
        rc = graph_place_decode(store_get_u32(k + pl), v, vl, &p);
        kv_free(v);
        if (rc != KNOOP_OK) {
            knoop_error_set(err, rc, "woonplaats %u: unreadable record", store_get_u32(k + pl));
            break;
        }
        if (strlen(p.gemeente) == len && memcmp(p.gemeente, gemeente, len) == 0 && cb(arg, &p))
            break;
    }
    if (rc == KNOOP_OK)
        rc = store_iter_status(it, err);
    store_iter_free(it);
    return rc;
}

void graph_place_pack(msgpack_packer *pk, const graph_place_t *pl)
{
    char d[11];
    msgpack_pack_map(pk, 5);
    msgpack_pack_str_with_body(pk, "code", 4);
    msgpack_pack_uint32(pk, pl->code);
    msgpack_pack_str_with_body(pk, "name", 4);
    msgpack_pack_str_with_body(pk, pl->name, strlen(pl->name));
    msgpack_pack_str_with_body(pk, "gemeente", 8);
    msgpack_pack_str_with_body(pk, pl->gemeente, strlen(pl->gemeente));
    msgpack_pack_str_with_body(pk, "valid_from", 10);
    schema_date_format(pl->from, d);
    msgpack_pack_str_with_body(pk, d, strlen(d));
    msgpack_pack_str_with_body(pk, "valid_to", 8);
    if (pl->to == SCHEMA_DATE_OPEN) {
        msgpack_pack_nil(pk);
    } else {
        schema_date_format(pl->to, d);
        msgpack_pack_str_with_body(pk, d, strlen(d));
    }
}
