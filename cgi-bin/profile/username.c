/* username.c - Rocket.Chat's username rules (UTF8_User_Names_Validation's
 * default [0-9a-zA-Z-_.]+, the reserved and the admin's blocked names),
 * whether a name is free (no other user has it in any case: usernameKey,
 * under a unique index), users.checkUsernameAvailability and
 * users.getUsernameSuggestion. Taking a name is one $set of username and
 * usernameKey (basicinfo.c): the unique index decides a race, not a read. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "crypto.h"
#include "profile.h"
#include "respond.h"
#include "store.h"
#include "user.h"

/* Rocket.Chat blocks "all" and "here" (mentions) beside the admin's list
 * (checkUsernameAvailability.ts) and reserves these system names
 * (Accounts_SystemBlockedUsernameList); rocket.cat is its bot's name. */
static const char *const mention_names[] = { "all", "here", NULL };
static const char *const system_names[] = { "admin", "administrator", "system", "user", "rocket.cat", NULL };

static bool
in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (strcasecmp(name, *list) == 0)
			return true;
	return false;
}

/* Is NAME one of the comma-separated entries of cfg.blocked_usernames
 * (each trimmed, without regard to case)? */
static bool
admin_blocked(const char *name)
{
	const char *p = cfg.blocked_usernames ? cfg.blocked_usernames : "";
	size_t n = strlen(name);

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *a = p, *b = p + len;
		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if ((size_t)(b - a) == n && n > 0 && strncasecmp(a, name, n) == 0)
			return true;
		p += len + (end ? 1 : 0);
	}
	return false;
}

enum username_verdict
username_judge(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > USERNAME_MAX)
		return USERNAME_INVALID;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return USERNAME_INVALID;
	if (in_list(name, system_names))
		return USERNAME_RESERVED;
	if (in_list(name, mention_names) || admin_blocked(name))
		return USERNAME_BLOCKED;
	return USERNAME_OK;
}

int
username_taken(struct request *req, const char *name)
{
	bson_error_t e;
	char *key = user_name_key(name);
	bson_t *filter = BCON_NEW("usernameKey", BCON_UTF8(key),
	    "_id", "{", "$ne", BCON_UTF8(req->session.user_id), "}");
	int64_t n = mongoc_collection_count_documents(store_coll(COLL_USERS), filter, NULL, NULL, NULL, &e);

	bson_destroy(filter);
	bson_free(key);
	if (n < 0) {
		reply_store_error(req, &e, "check a username");
		return -1;
	}
	return n > 0;
}

static void
reply_result(struct request *req, bool result, const char *reason)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "result", json_object_new_boolean(result));
	/* Ours, beside Rocket.Chat's bool: why a name cannot be had. */
	if (reason)
		json_object_object_add(o, "reason", json_object_new_string(reason));
	reply_ok(req, o);
}

/* Rocket.Chat's checkUsernameAvailabilityWithValidation: the caller's own
 * name is available to them; blocked names are an error. Stricter: a name
 * that breaks the rules is not available (Rocket.Chat says true and then
 * refuses it when saved). */
void
username_availability(struct request *req)
{
	const char *name = req->qs[UA_USERNAME].s;
	const char *own = bson_get_str(req->session.user, "username");
	int taken;

	if (name == NULL || *name == '\0') {
		reply_error(req, ERR_INVALID_USERNAME, NULL);
		return;
	}
	if (own && !cfg.allow_username_change) {
		reply_error(req, ERR_NOT_ALLOWED, "Not allowed");
		return;
	}
	if (own && strcmp(own, name) == 0) {
		reply_result(req, true, NULL);
		return;
	}
	switch (username_judge(name)) {
	case USERNAME_INVALID:
		reply_result(req, false, "invalid");
		return;
	case USERNAME_RESERVED:
	case USERNAME_BLOCKED:
		reply_error(req, ERR_BLOCKED_USERNAME, "%s is blocked and can't be used!", name);
		return;
	case USERNAME_OK:
		break;
	}
	if ((taken = username_taken(req, name)) < 0)
		return;
	reply_result(req, !taken, taken ? "taken" : NULL);
}

/* Appends to OUT (SIZE bytes) the characters of TEXT a username may hold,
 * lower-cased, with runs of anything else as one '.', none at either end. */
static void
slug(const char *text, char *out, size_t size)
{
	size_t o = 0;
	bool gap = false;

	for (const unsigned char *p = (const unsigned char *)text; *p && o + 2 < size; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_') {
			if (gap && o > 0)
				out[o++] = '.';
			out[o++] = (char)tolower(*p);
			gap = false;
		} else {
			gap = true;
		}
	}
	out[o] = '\0';
}

#define SUGGEST_BASES   3       /* name, email local part, "user" */
#define SUGGEST_NUMBERS 9       /* base-1 .. base-9 after the bases */
#define SUGGEST_MAX     (SUGGEST_BASES * (1 + SUGGEST_NUMBERS) + 1)
#define SUGGEST_LEN     (USERNAME_MAX + 1)

/* Candidates in Rocket.Chat's order (generateUsernameSuggestion): from the
 * name, from the email address before '@' (and before a '+tag'), then
 * "user"; then each with -1 .. -9; last one random number. */
static size_t
candidates(const bson_t *user, char list[SUGGEST_MAX][SUGGEST_LEN])
{
	char bases[SUGGEST_BASES][SUGGEST_LEN] = { "", "", "user" };
	const char *name = bson_get_str(user, "name"), *email = bson_get_str(user, "emails.0.address");
	size_t n = 0;

	if (name)
		slug(name, bases[0], USERNAME_MAX - 4);
	if (email) {
		char local[SUGGEST_LEN];
		size_t len = strcspn(email, "@+");
		snprintf(local, sizeof local, "%.*s", (int)(len < USERNAME_MAX ? len : USERNAME_MAX), email);
		slug(local, bases[1], USERNAME_MAX - 4);
	}
	for (int b = 0; b < SUGGEST_BASES; b++)
		if (username_judge(bases[b]) == USERNAME_OK)
			snprintf(list[n++], SUGGEST_LEN, "%.*s", USERNAME_MAX, bases[b]);
	for (int b = 0; b < SUGGEST_BASES; b++)
		for (int i = 1; i <= SUGGEST_NUMBERS && bases[b][0]; i++)
			if (snprintf(list[n], SUGGEST_LEN, "%.*s-%d", USERNAME_MAX - 4, bases[b], i) < SUGGEST_LEN)
				n++;    /* always: the base is cut to leave room */
	char digits[7];
	random_digits(digits, 6);
	snprintf(list[n++], SUGGEST_LEN, "user-%s", digits);
	return n;
}

/* One query for every candidate's key; the first whose key nobody holds
 * (the caller's own name counts as held: a suggestion is a new name). */
void
username_suggestion(struct request *req)
{
	static char list[SUGGEST_MAX][SUGGEST_LEN];
	bool held[SUGGEST_MAX] = { false };
	size_t n = candidates(req->session.user, list);
	bson_t *filter = bson_new(), in, *opts;
	bson_error_t e;
	const bson_t *doc;
	mongoc_cursor_t *cur;
	char idxbuf[16];
	const char *idx;

	bson_t sub;
	BSON_APPEND_DOCUMENT_BEGIN(filter, "usernameKey", &sub);
	BSON_APPEND_ARRAY_BEGIN(&sub, "$in", &in);
	for (size_t i = 0; i < n; i++) {
		char *key = user_name_key(list[i]);
		bson_uint32_to_string((uint32_t)i, &idx, idxbuf, sizeof idxbuf);
		BSON_APPEND_UTF8(&in, idx, key);
		bson_free(key);
	}
	bson_append_array_end(&sub, &in);
	bson_append_document_end(filter, &sub);
	opts = BCON_NEW("projection", "{", "usernameKey", BCON_INT32(1), "_id", BCON_INT32(0), "}");
	cur = mongoc_collection_find_with_opts(store_coll(COLL_USERS), filter, opts, NULL);
	while (mongoc_cursor_next(cur, &doc)) {
		const char *key = bson_get_str(doc, "usernameKey");
		for (size_t i = 0; key && i < n; i++)
			if (strcasecmp(key, list[i]) == 0)
				held[i] = true;
	}
	bool failed = mongoc_cursor_error(cur, &e);
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	if (failed) {
		reply_store_error(req, &e, "suggest a username");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!held[i]) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "result", json_object_new_string(list[i]));
			reply_ok(req, o);
			return;
		}
	}
	/* Every candidate, the random one too, is taken: say so, not a name
	 * that is not free. */
	reply_error(req, ERR_SAVE_IDENTITY, "No free username could be found; choose one");
}

const struct field username_query[] = {
	[UA_USERNAME] = { .name = "username", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL, .max = 256 },
	FIELD_END
};
