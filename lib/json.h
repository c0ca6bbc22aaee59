/* json.h - BSON (MongoDB) to JSON (json-c) for answers: dates become
 * ISO 8601 strings ("2024-01-02T03:04:05.678Z") as Rocket.Chat sends them. */
#ifndef MA_JSON_H
#define MA_JSON_H

#include <bson/bson.h>
#include <json-c/json.h>
#include <stdbool.h>

/* New object (caller owns) with every field of DOC. */
json_object *bson_to_json(const bson_t *doc);
/* The value at IT converted; NULL for types with no JSON meaning. */
json_object *bson_iter_to_json(const bson_iter_t *it);
/* New string with MS (epoch milliseconds) as ISO 8601 UTC. */
json_object *json_date(int64_t ms);
void iso_date(int64_t ms, char out[32]);
/* Parses "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)" into epoch ms. */
bool parse_iso_date(const char *s, int64_t *ms);

/* Convenience readers; borrowed / defaults when absent or of another type. */
const char *bson_get_str(const bson_t *doc, const char *dotted_path);
int64_t bson_get_date(const bson_t *doc, const char *dotted_path);
bool bson_get_bool(const bson_t *doc, const char *dotted_path);

#endif
