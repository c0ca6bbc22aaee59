/* jsonbody.h - a request body as one JSON object, parsed strictly
 * (RFC 8259): json-c builds it only after our own syntax check passed,
 * because json-c 0.16 even in strict mode takes single-quoted keys, NaN,
 * Infinity and raw control characters in strings, and cuts keys at \u0000. */
#ifndef MA_JSONBODY_H
#define MA_JSONBODY_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#define JSON_BODY_DEPTH 32      /* nesting of objects and arrays */

/* True when BUF (LEN bytes, may hold NULs) is exactly one RFC 8259 JSON
 * text, UTF-8, nesting at most JSON_BODY_DEPTH, with no unpaired surrogate
 * escape and no \u0000 in a key (keys are C strings to json-c and to
 * everyone after it: "a\u0000b" would become "a"). A \u0000 in a string
 * value is kept, length and all: the field validator refuses it in every
 * string field, naming the field. Otherwise writes why, with the byte
 * offset, into MSG. */
bool json_strict_check(const char *buf, size_t len, char *msg, size_t msglen);

/* Parses BUF into a new object (*OUT, caller puts it). False with MSG set
 * when it is not strict JSON or not an object. */
bool json_body_parse(const char *buf, size_t len, json_object **out, char *msg, size_t msglen);

#endif
