/* basicinfo.c - users.updateOwnBasicInfo (Rocket.Chat's saveUserProfile),
 * users.setStatus and users.getStatus.
 *
 * updateOwnBasicInfo decides everything before it writes anything: which
 * fields change (a value equal to the stored one is no change, as
 * Rocket.Chat's validateUserEditing compares), the admin's switches, the
 * username rules, then the second factor when the email or the password
 * changes. Then the password (policy failures write nothing), the email
 * (a taken address writes nothing), and last one $set of just the changed
 * profile fields, so a concurrent users.setPreferences (other paths of the
 * same document) keeps its keys, and the unique usernameKey index decides
 * two users taking one name at once. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "json.h"
#include "log.h"
#include "mail.h"
#include "profile.h"
#include "respond.h"
#include "seclog.h"
#include "store.h"
#include "twofactor.h"
#include "user.h"
#include "utf8.h"

#define STATUS_TEXT_MAX 120     /* Rocket.Chat's setStatusText keeps this much */

static const char *const status_types[] = { "online", "away", "busy", "offline", NULL };

static const char *
check_address(json_object *v)
{
	return mail_address_ok(json_object_get_string(v)) ? NULL : "is not a valid email address";
}

/* Rocket.Chat's schema: every field a nullable string, nothing else. */
enum { D_EMAIL, D_NAME, D_USERNAME, D_NICKNAME, D_BIO, D_STATUS_TEXT, D_STATUS_TYPE,
       D_CURRENT_PASSWORD, D_NEW_PASSWORD };
static const struct field data_fields[] = {
	[D_EMAIL] = { .name = "email", .type = F_STRING, .flags = F_NULLABLE | F_NO_CTRL, .max = 254,
	              .check = check_address },
	[D_NAME] = { .name = "name", .type = F_STRING, .flags = F_NULLABLE | F_NO_CTRL, .max = 256 },
	[D_USERNAME] = { .name = "username", .type = F_STRING, .flags = F_NULLABLE | F_NO_CTRL, .max = 256 },
	[D_NICKNAME] = { .name = "nickname", .type = F_STRING, .flags = F_NULLABLE | F_NO_CTRL, .max = 120,
	                 .range_error = ERR_NICKNAME_SIZE },
	[D_BIO] = { .name = "bio", .type = F_STRING, .flags = F_NULLABLE, .max = 260,
	            .range_error = ERR_BIO_SIZE },
	/* Longer text is cut to STATUS_TEXT_MAX, as Rocket.Chat does. */
	[D_STATUS_TEXT] = { .name = "statusText", .type = F_STRING, .flags = F_NULLABLE | F_NO_CTRL, .max = 1024 },
	[D_STATUS_TYPE] = { .name = "statusType", .type = F_STRING, .flags = F_NULLABLE, .choices = status_types,
	                    .range_error = ERR_INVALID_STATUS },
	/* The hex SHA-256 of the password (Rocket.Chat's typedPassword). */
	[D_CURRENT_PASSWORD] = { .name = "currentPassword", .type = F_STRING, .flags = F_NULLABLE | F_NO_CTRL, .max = 128 },
	[D_NEW_PASSWORD] = { .name = "newPassword", .type = F_STRING, .flags = F_NULLABLE, .max = 1024 },
	FIELD_END
};

enum { BI_DATA, BI_CUSTOM_FIELDS };
const struct field basic_info_fields[] = {
	[BI_DATA] = { .name = "data", .type = F_OBJECT, .flags = F_REQUIRED, .sub = data_fields },
	/* Rocket.Chat ignores them when the admin configured none
	 * (saveCustomFields), and none can be configured here. */
	[BI_CUSTOM_FIELDS] = { .name = "customFields", .type = F_OBJECT, .flags = F_NULLABLE | F_ANY_KEYS },
	FIELD_END
};

/* What a request changes; every pointer owned (bson_strdup) or NULL. */
struct edit {
	char *name, *username, *nickname, *bio, *status_text;
	const char *status_type, *email, *new_password;     /* borrowed from the request */
};

static void
edit_free(struct edit *ed)
{
	bson_free(ed->name);
	bson_free(ed->username);
	bson_free(ed->nickname);
	bson_free(ed->bio);
	bson_free(ed->status_text);
}

/* S without leading and trailing white space, as JavaScript's trim(). */
static char *
trimmed(const char *s)
{
	const char *end = s + strlen(s);
	while (*s && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	return bson_strndup(s, (size_t)(end - s));
}

/* NEW (owned) when it differs from the stored value at PATH, else freed. */
static char *
if_changed(const bson_t *user, const char *path, char *value)
{
	const char *old = bson_get_str(user, path);
	if (old && strcmp(old, value) == 0) {
		bson_free(value);
		return NULL;
	}
	return value;
}

/* Which fields the request changes, with Rocket.Chat's leniencies: an
 * empty name, username, nickname or email is not an edit (saveUserProfile
 * skips falsy values); bio and statusText may be cleared with "". */
static void
edit_of(const struct fval *d, const bson_t *user, struct edit *ed)
{
	memset(ed, 0, sizeof *ed);
	if (d[D_NAME].set && *d[D_NAME].s) {
		char *v = trimmed(d[D_NAME].s);
		ed->name = *v ? if_changed(user, "name", v) : (bson_free(v), NULL);
	}
	if (d[D_USERNAME].set && *d[D_USERNAME].s) {
		char *v = trimmed(d[D_USERNAME].s);
		ed->username = *v ? if_changed(user, "username", v) : (bson_free(v), NULL);
	}
	if (d[D_NICKNAME].set && *d[D_NICKNAME].s)
		ed->nickname = if_changed(user, "nickname", trimmed(d[D_NICKNAME].s));
	if (d[D_BIO].set)
		ed->bio = if_changed(user, "bio", trimmed(d[D_BIO].s));
	if (d[D_STATUS_TEXT].set) {
		char *v = trimmed(d[D_STATUS_TEXT].s);
		size_t keep = 0;
		for (long n = 0; v[keep] && n < STATUS_TEXT_MAX; n++)
			keep += utf8_seq_len((const unsigned char *)v + keep, strlen(v + keep));
		v[keep] = '\0';
		ed->status_text = if_changed(user, "statusText", v);
	}
	/* Set even when unchanged, as Rocket.Chat's setUserStatus does (and
	 * the invisible switch refuses "offline" whatever the status was). */
	if (d[D_STATUS_TYPE].set && *d[D_STATUS_TYPE].s)
		ed->status_type = d[D_STATUS_TYPE].s;
	if (d[D_EMAIL].set && *d[D_EMAIL].s) {
		const char *old = bson_get_str(user, "emails.0.address");
		if (!old || strcasecmp(old, d[D_EMAIL].s) != 0)
			ed->email = d[D_EMAIL].s;
	}
	if (d[D_NEW_PASSWORD].set && *d[D_NEW_PASSWORD].s)
		ed->new_password = d[D_NEW_PASSWORD].s;
}

static void
reply_not_allowed(struct request *req, const char *what)
{
	json_object *details = json_object_new_object();
	json_object_object_add(details, "method", json_object_new_string("insertOrUpdateUser"));
	json_object_object_add(details, "action", json_object_new_string("Update_user"));
	reply_error_ex(req, ERR_ACTION_NOT_ALLOWED, details, "Edit %s is not allowed", what);
}

/* The admin's switches, in validateUserEditing's order and words. */
static bool
edit_allowed_or_reply(struct request *req, const struct edit *ed)
{
	const struct { bool edits, allowed; const char *what; } rules[] = {
		{ ed->username != NULL, cfg.allow_username_change, "username" },
		{ ed->status_text != NULL, cfg.allow_status_message_change, "user status" },
		{ ed->name != NULL, cfg.allow_name_change, "user real name" },
		{ ed->email != NULL, cfg.allow_email_change, "user email" },
		{ ed->new_password != NULL, cfg.allow_password_change, "user password" },
	};

	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		if (rules[i].edits && !rules[i].allowed) {
			reply_not_allowed(req, rules[i].what);
			return false;
		}
	}
	/* setUserStatus: the invisible status only when the admin allows it. */
	if (ed->status_type && strcmp(ed->status_type, "offline") == 0 && !cfg.allow_invisible_status) {
		reply_error(req, ERR_STATUS_NOT_ALLOWED, NULL);
		return false;
	}
	return true;
}

/* Rocket.Chat's _setUsername: the rules first ... */
static bool
username_rules_or_reply(struct request *req, const char *name)
{
	switch (username_judge(name)) {
	case USERNAME_INVALID:
	case USERNAME_RESERVED:
		reply_error(req, ERR_SAVE_IDENTITY, "Could not save user identity: '%s' is not a valid username "
		    "(letters, digits, '-', '_' and '.', at most %d)", name, USERNAME_MAX);
		return false;
	case USERNAME_BLOCKED:
		reply_error(req, ERR_BLOCKED_USERNAME, "%s is blocked and can't be used!", name);
		return false;
	case USERNAME_OK:
	default:
		return true;
	}
}

/* ... then no one else may hold it (save_fields_or_reply's write is what
 * settles a race; this only answers the common case before anything). */
static bool
username_free_or_reply(struct request *req, const char *name)
{
	int taken = username_taken(req, name);

	if (taken > 0)
		reply_error(req, ERR_SAVE_IDENTITY, "Could not save user identity: the username is already in use");
	return taken == 0;
}

/* Rocket.Chat's requireSecondFactor: a code every time (no remembered
 * window, no personal access token bypass), by the user's TOTP or email
 * method, else the password. currentPassword (PASSWORD_CODE, may be NULL)
 * is the password method's code when no x-2fa-code header is sent, as
 * updateOwnBasicInfo passes typedPassword. */
static bool
second_factor_or_reply(struct request *req, const char *password_code)
{
	const bson_t *user = req->session.user;
	const char *code = req_header(req, "X-2fa-Code");
	struct tf_methods m;
	const char *method;

	twofactor_methods(user, &m);
	method = twofactor_pick(&m, req_header(req, "X-2fa-Method"), true);
	if (method == NULL) {
		reply_error(req, ERR_FORBIDDEN, "This change needs a second factor or a password, and this account has neither");
		return false;
	}
	if ((code == NULL || *code == '\0') && password_code && *password_code && strcmp(method, "password") == 0)
		code = password_code;
	json_object *details;
	enum err_kind why = twofactor_code(user, &m, method, code, &details);
	return twofactor_answer_or_reply(req, why, details);
}

/* One $set of the changed profile fields (and usernameKey with the
 * username), nothing else of the document. False after answering. */
static bool
save_fields_or_reply(struct request *req, const struct edit *ed)
{
	const struct { const char *path; const char *value; } fields[] = {
		{ "name", ed->name }, { "username", ed->username }, { "nickname", ed->nickname },
		{ "bio", ed->bio }, { "statusText", ed->status_text },
		{ "status", ed->status_type }, { "statusDefault", ed->status_type },
	};
	bson_t *sel, update = BSON_INITIALIZER, set;
	bson_error_t e;
	bson_t reply;
	bool any = false, ok;

	BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if (fields[i].value) {
			BSON_APPEND_UTF8(&set, fields[i].path, fields[i].value);
			any = true;
		}
	}
	if (ed->username) {
		char *key = user_name_key(ed->username);
		BSON_APPEND_UTF8(&set, "usernameKey", key);
		bson_free(key);
	}
	BSON_APPEND_DATE_TIME(&set, "_updatedAt", now_ms());
	bson_append_document_end(&update, &set);
	if (!any) {
		bson_destroy(&update);
		return true;
	}
	sel = BCON_NEW("_id", BCON_UTF8(req->session.user_id));
	ok = mongoc_collection_update_one(store_coll(COLL_USERS), sel, &update, NULL, &reply, &e);
	bson_destroy(sel);
	bson_destroy(&update);
	bson_destroy(&reply);
	if (ok)
		return true;
	if (store_is_duplicate(&e)) {
		/* Another user took the name between our check and this write. */
		reply_error(req, ERR_SAVE_IDENTITY, "Could not save user identity: the username is already in use");
		return false;
	}
	return reply_store_error(req, &e, "save profile");
}

/* What the answer shows of a user: Rocket.Chat's fields less its
 * defaultFieldsToExclude, and never services (secrets), e2e, or fields
 * this list does not know (a whitelist, so a secret added later stays in). */
static const char *const shown[] = {
	"_id", "createdAt", "_updatedAt", "type", "username", "name", "nickname", "bio", "emails",
	"status", "statusDefault", "statusText", "statusConnection", "active", "roles", "utcOffset",
	"language", "avatarOrigin", "avatarETag", "customFields", "requirePasswordChange",
	"requirePasswordChangeReason", "lastLogin", "settings", NULL
};

static bool
reply_user(struct request *req)
{
	bson_error_t e;
	const bson_t *doc;
	bson_t *filter = BCON_NEW("_id", BCON_UTF8(req->session.user_id));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_USERS), filter, NULL, NULL);
	json_object *user = NULL, *o;
	bson_iter_t it;

	if (mongoc_cursor_next(cur, &doc) && bson_iter_init(&it, doc)) {
		user = json_object_new_object();
		while (bson_iter_next(&it)) {
			const char *key = bson_iter_key(&it);
			json_object *v;
			for (const char *const *k = shown; *k; k++)
				if (strcmp(*k, key) == 0 && (v = bson_iter_to_json(&it)) != NULL)
					json_object_object_add(user, key, v);
		}
	}
	bool failed = mongoc_cursor_error(cur, &e);
	mongoc_cursor_destroy(cur);
	bson_destroy(filter);
	if (failed) {
		json_object_put(user);
		return reply_store_error(req, &e, "read the saved profile");
	}
	if (user == NULL) {
		reply_error(req, ERR_INVALID_USER, NULL);       /* deleted meanwhile */
		return false;
	}
	o = json_object_new_object();
	json_object_object_add(o, "user", user);
	reply_ok(req, o);
	return true;
}

void
basic_info_update(struct request *req)
{
	const struct fval *d = req->in[BI_DATA].sub;
	const char *old_username = bson_get_str(req->session.user, "username");
	struct edit ed;

	if (!cfg.allow_profile_change) {
		reply_error(req, ERR_NOT_ALLOWED, "Not allowed");
		return;
	}
	edit_of(d, req->session.user, &ed);
	/* A username differing only in case is the caller's own: no check. */
	bool new_name = ed.username && !(old_username && strcasecmp(old_username, ed.username) == 0);
	if (!edit_allowed_or_reply(req, &ed) ||
	    (ed.username && !username_rules_or_reply(req, ed.username)) ||
	    (new_name && !username_free_or_reply(req, ed.username)))
		goto out;
	if ((ed.email || ed.new_password) &&
	    !second_factor_or_reply(req, d[D_CURRENT_PASSWORD].set ? d[D_CURRENT_PASSWORD].s : NULL))
		goto out;
	if (ed.new_password && !password_change_or_reply(req, ed.new_password))
		goto out;
	if (ed.email && !email_change_or_reply(req, ed.email))
		goto out;
	if (!save_fields_or_reply(req, &ed))
		goto out;
	if (ed.username) {
		log_info("username changed user=%s", req->session.user_id);
		seclog_write(req, req->session.user_id, SEC_USERNAME_CHANGED, ed.username);
	}
	reply_user(req);
out:
	edit_free(&ed);
}

/* users.setStatus: Rocket.Chat's check() wants message or status as a
 * string; other keys are ignored. Only the caller's own status: userId or
 * username naming someone else needs a permission nobody has here. */
enum { SS_MESSAGE, SS_STATUS, SS_USER_ID, SS_USERNAME };
const struct field set_status_fields[] = {
	[SS_MESSAGE] = { .name = "message", .type = F_STRING, .flags = F_NO_CTRL, .max = 1024 },
	[SS_STATUS] = { .name = "status", .type = F_STRING, .choices = status_types,
	                .range_error = ERR_INVALID_STATUS },
	[SS_USER_ID] = { .name = "userId", .type = F_STRING, .flags = F_NO_CTRL, .max = 64 },
	[SS_USERNAME] = { .name = "username", .type = F_STRING, .flags = F_NO_CTRL, .max = 256 },
	FIELD_END
};

/* Do the optional userId / username parameters name the caller (or
 * nobody)? Rocket.Chat's isUserFromParams. */
static bool
is_caller(const struct request *req, const struct fval *id, const struct fval *name)
{
	const char *own = bson_get_str(req->session.user, "username");
	if (id->set && strcmp(id->s, req->session.user_id) != 0)
		return false;
	if (name->set && !(own && strcmp(name->s, own) == 0))
		return false;
	return true;
}

void
status_set(struct request *req)
{
	const struct fval *in = req->in;
	struct edit ed = { 0 };

	if (!in[SS_MESSAGE].set && !in[SS_STATUS].set) {
		reply_error(req, ERR_INVALID_PARAMS, "Send 'message', 'status' or both");
		return;
	}
	if (!cfg.allow_status_message_change) {
		reply_error(req, ERR_NOT_ALLOWED, "Change status is not allowed");
		return;
	}
	if (!is_caller(req, &in[SS_USER_ID], &in[SS_USERNAME])) {
		reply_error(req, ERR_ACTION_NOT_ALLOWED, NULL);
		return;
	}
	if (in[SS_STATUS].set && strcmp(in[SS_STATUS].s, "offline") == 0 && !cfg.allow_invisible_status) {
		reply_error(req, ERR_STATUS_NOT_ALLOWED, NULL);
		return;
	}
	/* Rocket.Chat sets status and statusDefault even when unchanged. */
	ed.status_type = in[SS_STATUS].set ? in[SS_STATUS].s : NULL;
	if (in[SS_MESSAGE].set) {
		char *v = trimmed(in[SS_MESSAGE].s);
		size_t keep = 0;
		for (long n = 0; v[keep] && n < STATUS_TEXT_MAX; n++)
			keep += utf8_seq_len((const unsigned char *)v + keep, strlen(v + keep));
		v[keep] = '\0';
		ed.status_text = v;
	}
	if (save_fields_or_reply(req, &ed))
		reply_ok(req, NULL);
	edit_free(&ed);
}

enum { GS_USER_ID, GS_USERNAME };
const struct field get_status_query[] = {
	[GS_USER_ID] = { .name = "userId", .type = F_STRING, .flags = F_NO_CTRL, .max = 64 },
	[GS_USERNAME] = { .name = "username", .type = F_STRING, .flags = F_NO_CTRL, .max = 256 },
	FIELD_END
};

static json_object *
status_of(const bson_t *user, const char *path)
{
	const char *s = bson_get_str(user, path);
	return json_object_new_string(s ? s : "offline");
}

/* users.getStatus: the caller's {_id, connectionStatus, status}; another
 * user's {_id, status}, as Rocket.Chat answers any signed-in caller. */
void
status_get(struct request *req)
{
	const struct fval *q = req->qs;
	json_object *o = json_object_new_object();
	bson_error_t e;
	const bson_t *doc;

	if (is_caller(req, &q[GS_USER_ID], &q[GS_USERNAME])) {
		json_object_object_add(o, "_id", json_object_new_string(req->session.user_id));
		json_object_object_add(o, "connectionStatus", status_of(req->session.user, "statusConnection"));
		json_object_object_add(o, "status", status_of(req->session.user, "status"));
		reply_ok(req, o);
		return;
	}
	bson_t *filter = q[GS_USER_ID].set ? BCON_NEW("_id", BCON_UTF8(q[GS_USER_ID].s))
	                                   : BCON_NEW("username", BCON_UTF8(q[GS_USERNAME].s));
	bson_t *opts = BCON_NEW("projection", "{", "status", BCON_INT32(1), "}");
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_USERS), filter, opts, NULL);
	bool found = mongoc_cursor_next(cur, &doc);
	if (found) {
		const char *id = bson_get_str(doc, "_id");
		json_object_object_add(o, "_id", json_object_new_string(id ? id : ""));
		json_object_object_add(o, "status", status_of(doc, "status"));
	}
	bool failed = mongoc_cursor_error(cur, &e);
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	if (failed) {
		json_object_put(o);
		reply_store_error(req, &e, "read a status");
	} else if (!found) {
		json_object_put(o);
		reply_error(req, ERR_INVALID_USER, "The required \"userId\" or \"username\" param provided does not match any users");
	} else {
		reply_ok(req, o);
	}
}
