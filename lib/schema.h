/* schema.h - the data model as code: collections, indexes and JSON-schema
 * validators (documented in mongo/README.md). Applied by
 * `myaccount-admin init-db`; safe to run again (idempotent). */
#ifndef MA_SCHEMA_H
#define MA_SCHEMA_H

#include <stddef.h>

int schema_apply(char *err, size_t errlen);

#endif
