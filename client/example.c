/*
 * example.c - a small C service using libknoop (layer: client, example).
 *
 * Connects to knoopd (argv[1], else $KNOOP_ADDR, else 127.0.0.1:7474), creates a person
 * (example data)
 * node with the msgpack packer, reads it back by id and prints it as JSON. Build against an
 * installed library with: cc example.c $(pkg-config --cflags --libs knoop)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <knoop.h>

static void pack_str(msgpack_packer *pk, const char *s)
{
    msgpack_pack_str(pk, strlen(s));
    msgpack_pack_str_body(pk, s, strlen(s));
}

int main(int argc, char **argv)
{
    knoop_error_t err;
    knoop_conn_t *c;
    knoop_result_t *r;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    uint64_t id;
    char params[64], *json;
    int rc;

    if (knoop_connect(argc > 1 ? argv[1] : NULL, &c, &err) != 0) {
        fprintf(stderr, "example: %s\n", err.msg);
        return 3;
    }
    knoop_set_timeout(c, 5000);

    /* node.create {"kind": "person", "props": {"initials": "P.", "surname": "Jansen", ...}} */
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 2);
    pack_str(&pk, "kind");
    pack_str(&pk, "person");
    pack_str(&pk, "props");
    msgpack_pack_map(&pk, 3);
    pack_str(&pk, "initials");
    pack_str(&pk, "P.");
    pack_str(&pk, "surname");
    pack_str(&pk, "Jansen");
    pack_str(&pk, "example");
    msgpack_pack_true(&pk);
    rc = knoop_call(c, "node.create", sb.data, sb.size, &r, &err);
    msgpack_sbuffer_destroy(&sb);
    if (rc != 0) {
        fprintf(stderr, "example: node.create: %s: %s\n", knoop_err_wire(rc), err.msg);
        knoop_close(c);
        return 1;
    }

    /* The result is the node map; find its id. */
    id = 0;
    {
        const msgpack_object *node = knoop_result_value(r);
        uint32_t i;
        for (i = 0; node->type == MSGPACK_OBJECT_MAP && i < node->via.map.size; i++) {
            const msgpack_object_kv *kv = &node->via.map.ptr[i];
            if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == 2 &&
                memcmp(kv->key.via.str.ptr, "id", 2) == 0 &&
                kv->val.type == MSGPACK_OBJECT_POSITIVE_INTEGER)
                id = kv->val.via.u64;
        }
    }
    knoop_result_free(r);
    printf("created node %llu\n", (unsigned long long)id);

    /* node.get through the JSON convenience call. */
    snprintf(params, sizeof(params), "{\"id\": %llu}", (unsigned long long)id);
    rc = knoop_call_json(c, "node.get", params, &json, &err);
    if (rc != 0) {
        fprintf(stderr, "example: node.get: %s: %s\n", knoop_err_wire(rc), err.msg);
        knoop_close(c);
        return 1;
    }
    printf("%s\n", json);
    free(json);
    knoop_close(c);
    return 0;
}
