/* user.c - see user.h. */
#include "user.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "bsonread.h"
#include "json.h"
#include "prefkeys.h"

/* getDefaultUserFields() of Rocket.Chat, less what we never store. */
static const char *const shown[] = {
	"_id", "name", "username", "nickname", "emails", "status", "statusDefault",
	"statusText", "statusConnection", "bio", "avatarOrigin", "utcOffset", "language",
	"enableAutoAway", "idleTimeLimit", "roles", "active", "defaultRoom", "customFields",
	"requirePasswordChange", "requirePasswordChangeReason", "_updatedAt", "avatarETag",
	"createdAt", "type", NULL
};

static bool
is_shown(const char *key)
{
	for (const char *const *k = shown; *k; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

char *
user_name_key(const char *username)
{
	char *key = bson_strdup(username);
	for (char *p = key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return key;
}

const char *
user_verified_email(const bson_t *user)
{
	bson_iter_t it, arr;

	if (!bson_iter_init_find(&it, user, "emails") || !BSON_ITER_HOLDS_ARRAY(&it) ||
	    !bson_iter_recurse(&it, &arr))
		return NULL;
	while (bson_iter_next(&arr)) {
		bson_iter_t e, v;
		if (!BSON_ITER_HOLDS_DOCUMENT(&arr) || !bson_iter_recurse(&arr, &e))
			continue;
		v = e;
		if (bson_iter_find(&v, "verified") && bson_iter_as_bool(&v) &&
		    bson_iter_find(&e, "address") && BSON_ITER_HOLDS_UTF8(&e))
			return bson_iter_utf8(&e, NULL);
	}
	return NULL;
}

static json_object *
services_flags(const bson_t *user)
{
	json_object *s = json_object_new_object(), *pw = json_object_new_object();

	json_object_object_add(pw, "exists",
	    json_object_new_boolean(bson_get_str(user, "services.password.argon2") != NULL));
	json_object_object_add(s, "password", pw);
	static const char *const flags[] = { "totp", "email2fa" };
	for (int i = 0; i < 2; i++) {
		char path[64];
		snprintf(path, sizeof path, "services.%s.enabled", flags[i]);
		if (bson_get_bool(user, path)) {
			json_object *f = json_object_new_object();
			json_object_object_add(f, "enabled", json_object_new_boolean(1));
			json_object_object_add(s, flags[i], f);
		}
	}
	return s;
}

json_object *
user_me_json(const bson_t *user)
{
	json_object *me = json_object_new_object(), *settings = json_object_new_object();
	const char *email = user_verified_email(user);
	const char *username = bson_get_str(user, "username");
	bson_iter_t it;

	if (bson_iter_init(&it, user)) {
		while (bson_iter_next(&it)) {
			json_object *v;
			if (!is_shown(bson_iter_key(&it)) || (v = bson_iter_to_json(&it)) == NULL)
				continue;
			json_object_object_add(me, bson_iter_key(&it), v);
		}
	}
	if (email)
		json_object_object_add(me, "email", json_object_new_string(email));
	json_object_object_add(settings, "profile", json_object_new_object());
	json_object_object_add(settings, "preferences", preferences_merged(user));
	json_object_object_add(me, "settings", settings);
	if (username) {
		char url[512];
		snprintf(url, sizeof url, "%s/avatar/%s", cfg.site_url, username);
		json_object_object_add(me, "avatarUrl", json_object_new_string(url));
	}
	json_object_object_add(me, "isOAuthUser", json_object_new_boolean(0));
	json_object_object_add(me, "services", services_flags(user));
	return me;
}
