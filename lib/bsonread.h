/* bsonread.h - typed reads of stored documents by dotted path. Each
 * answers a default when the field is absent or of another type, so a
 * document written by an older or newer program never trips a reader. */
#ifndef MA_BSONREAD_H
#define MA_BSONREAD_H

#include <bson/bson.h>
#include <stdbool.h>
#include <stdint.h>

/* Borrowed from DOC; NULL when absent or not a string. */
const char *bson_get_str(const bson_t *doc, const char *dotted_path);
/* Epoch ms; 0 when absent or not a date. */
int64_t bson_get_date(const bson_t *doc, const char *dotted_path);
/* Truthiness as MongoDB sees it; false when absent. */
bool bson_get_bool(const bson_t *doc, const char *dotted_path);

#endif
