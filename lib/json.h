/* json.h - BSON (MongoDB) to JSON (json-c) for answers: dates become
 * ISO 8601 strings ("2024-01-02T03:04:05.678Z") as Rocket.Chat sends them. */
#ifndef MA_JSON_H
#define MA_JSON_H

#include <bson/bson.h>
#include <json-c/json.h>
#include <stdbool.h>

#include "date.h"

/* New object (caller owns) with every field of DOC. */
json_object *bson_to_json(const bson_t *doc);
/* The value at IT converted; NULL for types with no JSON meaning. */
json_object *bson_iter_to_json(const bson_iter_t *it);
/* New string with MS (epoch milliseconds) as ISO 8601 UTC. */
json_object *json_date(int64_t ms);

#endif
