/* urlencoded.h - application/x-www-form-urlencoded (WHATWG URL) for query
 * strings and form bodies, with the bracketed keys of Rocket.Chat's body
 * parser (express.urlencoded with qs). */
#ifndef MA_URLENCODED_H
#define MA_URLENCODED_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/* Decodes %XX and '+' in place; false on a malformed escape or a NUL byte. */
bool url_decode(char *s);
/* The value of hex digit C (either case), or -1: %XX escapes here and in
 * RFC 5987 parameters (multipart file names). */
int url_hex_digit(int c);

/* Parses "a=1&b=2" into OBJ: string values; bracketed keys nest
 * ("a[b]=1" -> {a: {b: "1"}}, "a[]=1" -> {a: ["1"]}). False on malformed
 * or ambiguous input (a repeated key, a NUL byte). */
bool parse_urlencoded(const char *s, size_t len, json_object *obj);

/* Puts the string VAL (VLEN bytes) under KEY in OBJ with the same bracket
 * rules (multipart text parts use it too). KEY is modified. False when the
 * key is malformed or already used. */
bool form_field_put(json_object *obj, char *key, const char *val, size_t vlen);

#endif
