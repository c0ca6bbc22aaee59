/* prefkeys.h - the declared spec of every user preference (type, enum,
 * range, default), shared by /me (defaults merged) and the preferences
 * program. Defaults can be overridden by the admin in the config file with
 * "preference.<key> = <JSON value>" lines. */
#ifndef MA_PREFERENCES_H
#define MA_PREFERENCES_H

#include <bson/bson.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "validate.h"

/* NULL-name-terminated spec of settings.preferences keys. */
extern const struct field preference_fields[];

/* Parses built-in defaults; call once per process after config_load(). */
int preferences_init(char *err, size_t errlen);
/* Overrides one default from the config file; -1 with a message when the key
 * is unknown or the value fails the key's spec. Legacy values are remapped
 * as preferences_normalize() does. */
int preferences_set_default(const char *key, const char *json_value, char *err, size_t errlen);
/* Borrowed object of every default (keys without a default are absent). */
json_object *preferences_defaults(void);

/* Rewrites, in DATA (an object that passed preference_fields), the legacy
 * values Rocket.Chat still accepts into the ones it stores
 * (emailNotificationMode all -> mentions, disabled -> nothing). */
void preferences_normalize(json_object *data);

/* New object: the user's own settings.preferences as stored (no defaults),
 * plus "language" from the top-level user.language when that is set; the
 * shape of Rocket.Chat's getPreferences and setPreferences answers. */
json_object *preferences_stored(const bson_t *user);
/* New object: defaults overlaid with preferences_stored(user). */
json_object *preferences_merged(const bson_t *user);

#endif
