/*
 * knoop_json.h - JSON <-> MessagePack conversion inside libknoop (layer: client, internal).
 *
 * Not installed and not exported from libknoop.so (hidden visibility): used by libknoop.c for
 * knoop_call_json and by the knoop CLI, which links the static library. The `knoop__` prefix
 * marks module-internal symbols (libuv's uv__).
 */
#ifndef KNOOP_JSON_H
#define KNOOP_JSON_H

#include <jansson.h>
#include <msgpack.h>

#include "knoop_err.h"

/*
 * Converts o to a new JSON value (*out, owned by the caller: json_decref). Unsigned integers
 * up to INT64_MAX and negative integers become JSON integers, larger unsigned ones decimal
 * strings; floats reals; bin and ext base64 strings; strings are checked for UTF-8 and invalid
 * bytes become U+FFFD; map keys that are not strings become their JSON text. Later duplicate
 * keys replace earlier ones. Returns 0 or KNOOP_ENOMEM.
 */
int knoop__json_from_msgpack(const msgpack_object *o, json_t **out, knoop_error_t *err);

/*
 * Packs j with pk: integers as unsigned when >= 0, else signed; reals as float64; strings,
 * booleans, null, arrays and objects as themselves. Returns 0 or KNOOP_ENOMEM (pk's write
 * callback failed).
 */
int knoop__json_pack(msgpack_packer *pk, const json_t *j, knoop_error_t *err);

/*
 * Parses text (a JSON object) and packs it into sbuf, which the caller has initialised and
 * owns. what names the input in messages ("params"). Returns 0; KNOOP_EINVAL with "params: line
 * 1 column 7: ..." or "params: expected a JSON object, got array"; KNOOP_ENOMEM.
 */
int knoop__json_object_to_sbuffer(const char *text, const char *what, msgpack_sbuffer *sbuf,
                                  knoop_error_t *err);

#endif
