/* preferences.c - the preferences program: read and save the caller's
 * Rocket.Chat user preferences (users.getPreferences, users.setPreferences).
 * What a preference may hold is declared once, in lib/prefkeys.c; the
 * dispatcher has checked the body against it before a handler runs.
 *
 * Writes only settings.preferences.<key>, language and _updatedAt of the
 * caller's user (mongo/README.md, field ownership), each key with its own
 * $set path, so two clients saving different keys both keep theirs. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "json.h"
#include "prefkeys.h"
#include "respond.h"
#include "store.h"

/* 100 highlighted words of 100 characters, each \u-escaped, still fit. */
#define SET_BODY_MAX    (64 * 1024)

enum { SET_USER_ID, SET_DATA };
static const struct field set_fields[] = {
	/* Rocket.Chat lets admins edit others; here only the caller's own id. */
	[SET_USER_ID] = { .name = "userId", .type = F_STRING, .flags = F_NO_CTRL, .min = 1, .max = 64 },
	[SET_DATA] = { .name = "data", .type = F_OBJECT, .flags = F_REQUIRED, .sub = preference_fields },
	FIELD_END
};

/* Rocket.Chat's setPreferences answer: {"user": {"_id", "settings":
 * {"preferences": <stored values of DOC, with language>}}}. */
static void
reply_saved(struct request *req, const char *id, const bson_t *doc)
{
	json_object *o = json_object_new_object(), *user = json_object_new_object();
	json_object *settings = json_object_new_object();

	json_object_object_add(settings, "preferences", preferences_stored(doc));
	json_object_object_add(user, "_id", json_object_new_string(id));
	json_object_object_add(user, "settings", settings);
	json_object_object_add(o, "user", user);
	reply_ok(req, o);
}

/* The stored values only, as Rocket.Chat answers; defaults are in /me.
 * Rocket.Chat answers 400 when the user has no settings at all; we answer
 * {"preferences": {}} instead: a user who never saved anything has no
 * stored preferences, which is not an error (and our SPA never sees one). */
static void
get_preferences(struct request *req)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "preferences", preferences_stored(req->session.user));
	reply_ok(req, o);
}

/* {"$set": {"settings.preferences.<key>": value, ..., "language",
 * "_updatedAt"}, "$unset": {<keys sent as null>}} from the validated DATA:
 * null resets a key to the default by removing the stored value. False
 * when a value has no BSON form (cannot happen for values that passed). */
static bool
build_update(json_object *data, bson_t *update)
{
	const char *text = json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN);
	bson_t *values = bson_new_from_json((const uint8_t *)text, -1, NULL);
	bson_t set, unset = BSON_INITIALIZER;
	bson_iter_t it;

	if (values == NULL || !bson_iter_init(&it, values)) {
		if (values)
			bson_destroy(values);
		return false;
	}
	BSON_APPEND_DOCUMENT_BEGIN(update, "$set", &set);
	while (bson_iter_next(&it)) {
		const char *key = bson_iter_key(&it);
		bool reset = BSON_ITER_HOLDS_NULL(&it);
		/* Keys are the spec's own names: short ASCII, never user text. */
		char *path = bson_strdup_printf("settings.preferences.%s", key);
		if (reset)
			BSON_APPEND_UTF8(&unset, path, "");
		else
			bson_append_iter(&set, path, -1, &it);
		if (strcmp(key, "language") == 0) {
			if (reset)
				BSON_APPEND_UTF8(&unset, "language", "");
			else
				bson_append_iter(&set, "language", -1, &it);
		}
		bson_free(path);
	}
	BSON_APPEND_DATE_TIME(&set, "_updatedAt", now_ms());
	bson_append_document_end(update, &set);
	if (!bson_empty(&unset))
		BSON_APPEND_DOCUMENT(update, "$unset", &unset);
	bson_destroy(&unset);
	bson_destroy(values);
	return true;
}

static void
set_preferences(struct request *req)
{
	const char *uid = req->session.user_id;
	const char *other = req->in[SET_USER_ID].s;
	json_object *data = req->in[SET_DATA].j;
	mongoc_find_and_modify_opts_t *fam = NULL;
	bson_t *sel = NULL, *fields = NULL, update = BSON_INITIALIZER, reply = BSON_INITIALIZER;
	bson_t stored;
	bson_iter_t it;
	bson_error_t e;
	const uint8_t *buf;
	uint32_t len;

	if (other && strcmp(other, uid) != 0) {
		reply_error(req, ERR_ACTION_NOT_ALLOWED, NULL);
		goto out;
	}
	preferences_normalize(data);
	if (json_object_object_length(data) == 0) {
		/* Nothing to save: answer what is stored, without a write. */
		reply_saved(req, uid, req->session.user);
		goto out;
	}
	if (!build_update(data, &update)) {
		reply_error(req, ERR_INTERNAL, NULL);
		goto out;
	}
	/* One command writes the keys and returns what is now stored, other
	 * clients' concurrent keys included. */
	sel = BCON_NEW("_id", BCON_UTF8(uid));
	fields = BCON_NEW("settings.preferences", BCON_INT32(1), "language", BCON_INT32(1));
	fam = mongoc_find_and_modify_opts_new();
	mongoc_find_and_modify_opts_set_update(fam, &update);
	mongoc_find_and_modify_opts_set_fields(fam, fields);
	mongoc_find_and_modify_opts_set_flags(fam, MONGOC_FIND_AND_MODIFY_RETURN_NEW);
	if (!mongoc_collection_find_and_modify_with_opts(store_coll(COLL_USERS), sel, fam, &reply, &e)) {
		reply_store_error(req, &e, "save preferences");
		goto out;
	}
	if (!bson_iter_init_find(&it, &reply, "value") || !BSON_ITER_HOLDS_DOCUMENT(&it)) {
		reply_error(req, ERR_INVALID_USER, NULL);      /* deleted meanwhile */
		goto out;
	}
	bson_iter_document(&it, &len, &buf);
	if (!bson_init_static(&stored, buf, len)) {
		reply_error(req, ERR_INTERNAL, NULL);
		goto out;
	}
	reply_saved(req, uid, &stored);
out:
	if (fam)
		mongoc_find_and_modify_opts_destroy(fam);
	if (fields)
		bson_destroy(fields);
	if (sel)
		bson_destroy(sel);
	bson_destroy(&update);
	bson_destroy(&reply);
}

static const struct route routes[] = {
	{ .method = "GET", .path = "/api/v1/users.getPreferences", .auth = AUTH_USER,
	  .handler = get_preferences, .summary = "the caller's stored preferences" },
	{ .method = "POST", .path = "/api/v1/users.setPreferences", .auth = AUTH_USER,
	  .body_max = SET_BODY_MAX, .body = set_fields, .flags = R_FORM,
	  .handler = set_preferences, .summary = "save some of the caller's preferences: {data: {key: value}}" },
	ROUTE_END
};

int
main(int argc, char **argv)
{
	static const struct program prog = {
		.name = "preferences",
		.summary = "The caller's user preferences (Rocket.Chat REST API v1 users.get/setPreferences).",
		.routes = routes,
	};
	return app_main(argc, argv, &prog);
}
