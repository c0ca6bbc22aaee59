/* auth.c - the login program: sign in (with the 2FA step), sign out, who am
 * I, the caller's sessions. The web server also sends it every unknown
 * /api/ path, which the dispatcher answers with a JSON 404. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "caller.h"
#include "config.h"
#include "crypto.h"
#include "emailcode.h"
#include "mail.h"
#include "json.h"
#include "log.h"
#include "loginguard.h"
#include "pwcheck.h"
#include "ratelimit.h"
#include "seclog.h"
#include "session.h"
#include "signin.h"
#include "respond.h"
#include "store.h"
#include "twofactor.h"
#include "user.h"

#define LOGIN_BODY_MAX  8192
#define SMALL_BODY_MAX  1024
#define SEND_CODE_PER_IP_HOUR 30
#define NOTME_MAX_PER_IP      20      /* "not me" links tried per address per hour */
#define NOTME_WINDOW_S        3600

/* The credentials, at the top level or inside Rocket.Chat's 2FA wrapper
 * {"totp": {"login": {...}, "code"}} that its mobile and JS clients send:
 * the same rows, at the same indices, in both specs. */
enum { CR_USER, CR_USERNAME, CR_EMAIL, CR_PASSWORD, CR_RESUME, CR__N };
#define CREDENTIAL_FIELDS \
	[CR_USER] = { .name = "user", .type = F_LOGIN_USER, .flags = F_NO_CTRL, .min = 1, .max = 254 }, \
	[CR_USERNAME] = { .name = "username", .type = F_STRING, .flags = F_NO_CTRL, .min = 1, .max = 254 }, \
	[CR_EMAIL] = { .name = "email", .type = F_STRING, .flags = F_NO_CTRL, .min = 1, .max = 254 }, \
	[CR_PASSWORD] = { .name = "password", .type = F_PASSWORD, .min = 1, .max = 1024 }, \
	[CR_RESUME] = { .name = "resume", .type = F_STRING, .flags = F_NO_CTRL, .min = 16, .max = 128 }

static const struct field totp_login_fields[] = { CREDENTIAL_FIELDS, [CR__N] = FIELD_END };

#define CODE_FIELD { .name = "code", .type = F_STRING, .flags = F_NO_CTRL, .min = 1, .max = 64 }

enum { TOTP_CODE, TOTP_LOGIN };
static const struct field totp_fields[] = {
	[TOTP_CODE] = { .name = "code", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL, .min = 1, .max = 64 },
	[TOTP_LOGIN] = { .name = "login", .type = F_OBJECT, .flags = F_REQUIRED, .sub = totp_login_fields },
	FIELD_END
};

enum { LOGIN_CODE = CR__N, LOGIN_TOTP };
static const struct field login_fields[] = {
	CREDENTIAL_FIELDS,
	[LOGIN_CODE] = CODE_FIELD,
	[LOGIN_TOTP] = { .name = "totp", .type = F_OBJECT, .sub = totp_fields },
	FIELD_END
};

/* What a login body asks for, from either shape; borrowed from the
 * request's validated values. */
struct login_creds {
	const char        *ident;     /* username or email */
	bool               by_email;
	const struct fval *password;  /* plain text or the hex digest */
	const char        *resume;
	const char        *code;      /* second factor, if sent */
};

enum { SEND_WHO };
static const struct field send_code_fields[] = {
	[SEND_WHO] = { .name = "emailOrUsername", .type = F_STRING, .flags = F_NO_CTRL, .min = 1, .max = 254 },
	FIELD_END
};

enum { SESSION_ID };
static const struct field session_fields[] = {
	[SESSION_ID] = { .name = "sessionId", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL, .min = 1, .max = 32 },
	FIELD_END
};

/* The security log is read a page at a time, newest first. */
#define LOG_PAGE_MAX 100
enum { LOG_OFFSET, LOG_COUNT };
static const struct field log_query[] = {
	[LOG_OFFSET] = FIELD_INT("offset", 0, 100000),
	[LOG_COUNT] = FIELD_INT("count", 1, LOG_PAGE_MAX),
	FIELD_END
};

enum { NOTME_TOKEN };
static const struct field notme_fields[] = {
	[NOTME_TOKEN] = { .name = "token", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL, .min = 1, .max = 128 },
	FIELD_END
};

/* The hex SHA-256 the password hash is made over, from either form. */
static void
password_digest(const struct fval *pw, char out[SHA256_HEX_LEN + 1])
{
	if (pw->is_digest)
		memcpy(out, pw->s, SHA256_HEX_LEN + 1);
	else
		sha256_hex(pw->s, pw->len, out);
}

/* Reads the validated body into C; false after answering when it names
 * no or several accounts, or mixes the two shapes. */
static bool
read_creds_or_reply(struct request *req, struct login_creds *c)
{
	const struct fval *in = req->in, *from = in;
	int named = 0;

	memset(c, 0, sizeof *c);
	c->code = in[LOGIN_CODE].s;
	if (in[LOGIN_TOTP].set) {
		for (int i = 0; i < CR__N; i++)
			if (in[i].set || in[LOGIN_CODE].set) {
				reply_error(req, ERR_INVALID_PARAMS, "send the credentials either inside totp.login or beside it, not both");
				return false;
			}
		from = in[LOGIN_TOTP].sub[TOTP_LOGIN].sub;
		c->code = in[LOGIN_TOTP].sub[TOTP_CODE].s;
	}
	if (c->code == NULL)
		c->code = req_header(req, "X-2fa-Code");
	c->resume = from[CR_RESUME].s;
	c->password = from[CR_PASSWORD].set ? &from[CR_PASSWORD] : NULL;
	static const struct { int key; int by_email; } selectors[] = {
		{ CR_USER, -1 }, { CR_USERNAME, 0 }, { CR_EMAIL, 1 },
	};
	for (size_t i = 0; i < sizeof selectors / sizeof selectors[0]; i++) {
		const struct fval *v = &from[selectors[i].key];
		if (!v->set)
			continue;
		named++;
		c->ident = v->s;
		c->by_email = selectors[i].by_email < 0 ? v->is_email : selectors[i].by_email;
	}
	if (c->resume && named == 0 && c->password == NULL)
		return true;
	if (named != 1 || c->password == NULL || c->resume) {
		reply_error(req, ERR_INVALID_PARAMS, "send one of user, username or email, with password (or resume alone)");
		return false;
	}
	return true;
}

/* The first user FILTER matches (copied into *USER): 1 found, 0 not, -1
 * after answering a database error. Consumes FILTER. */
static int
find_one_user(struct request *req, bson_t *filter, bson_t **user)
{
	bson_error_t e;
	const bson_t *doc;
	int found = 0;
	bson_t *opts = BCON_NEW("limit", BCON_INT64(1));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_USERS), filter, opts, NULL);

	if (mongoc_cursor_next(cur, &doc)) {
		*user = bson_copy(doc);
		found = 1;
	}
	if (mongoc_cursor_error(cur, &e)) {
		found = -1;
		reply_store_error(req, &e, "login user lookup");
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	return found;
}

/* Finds the user by email (stored lower-case) or by username: the exact
 * name first, then without regard to case, as Meteor falls back to; the
 * unique usernameKey index keeps that second match to one user.
 * Returns 1 found, 0 not, -1 after answering a database error. */
static int
find_user(struct request *req, const char *ident, bool by_email, bson_t **user)
{
	char *key = user_name_key(ident);
	int found;

	/* Addresses are stored lower-cased; user_name_key() lower-cases the
	 * ASCII letters, all an address's domain may hold unencoded. */
	if (by_email)
		found = find_one_user(req, BCON_NEW("emails.address", BCON_UTF8(key)), user);
	else if ((found = find_one_user(req, BCON_NEW("username", BCON_UTF8(ident)), user)) == 0)
		found = find_one_user(req, BCON_NEW("usernameKey", BCON_UTF8(key)), user);
	bson_free(key);
	return found;
}

/* Records the login; upgrades the password hash when the configured
 * argon2id cost changed. Best effort. */
static void
note_login(const bson_t *user, const char *digest)
{
	const char *stored = bson_get_str(user, "services.password.argon2");
	char fresh[PWHASH_LEN];
	bson_error_t e;

	bson_t *sel = BCON_NEW("_id", BCON_UTF8(bson_get_str(user, "_id")));
	bson_t *upd = bson_new(), set;
	BSON_APPEND_DOCUMENT_BEGIN(upd, "$set", &set);
	BSON_APPEND_DATE_TIME(&set, "lastLogin", now_ms());
	if (stored && password_needs_rehash(stored, cfg.argon2_opslimit, cfg.argon2_memlimit_kib) &&
	    pw_hash(digest, fresh) == PW_MATCH)
		BSON_APPEND_UTF8(&set, "services.password.argon2", fresh);
	bson_append_document_end(upd, &set);
	if (!mongoc_collection_update_one(store_coll(COLL_USERS), sel, upd, NULL, NULL, &e))
		store_log_error(LOG_WARN, "could not record login", &e);
	bson_destroy(sel);
	bson_destroy(upd);
}

static bool
wants_cookie(const struct request *req)
{
	const char *h = req_header(req, "X-Session-Cookie");
	return h && strcmp(h, "1") == 0;
}

static void
reply_logged_in(struct request *req, const bson_t *user, const char *token, int64_t expires)
{
	json_object *data = json_object_new_object(), *o = json_object_new_object();

	json_object_object_add(data, "userId", json_object_new_string(bson_get_str(user, "_id")));
	if (wants_cookie(req))
		session_cookies(req, token, expires);   /* the token stays out of JS's reach */
	else
		json_object_object_add(data, "authToken", json_object_new_string(token));
	json_object_object_add(data, "me", user_me_json(user));
	json_object_object_add(o, "status", json_object_new_string("success"));
	json_object_object_add(o, "data", data);
	reply_ok(req, o);
}

/* The second step: a user with TOTP or email 2FA must add a code. Login
 * never falls back to the password as a "second" factor. A user with both
 * may choose by x-2fa-method (ours; Rocket.Chat always asks for TOTP).
 * *USED gets the method that passed ("password" when none was needed). */
static bool
login_second_factor_or_reply(struct request *req, const bson_t *user, const char *code,
    const char **used)
{
	struct tf_methods m;
	const char *method;

	twofactor_methods(user, &m);
	/* Our SPA may ask for its passkey (x-2fa-method: webauthn) over a code. */
	method = twofactor_pick(&m, req_header(req, "X-2fa-Method"), false);
	*used = method ? method : "password";
	if (method == NULL)
		return true;
	json_object *details;
	enum err_kind why = twofactor_code(user, &m, method, code, &details);
	if (why == ERR_TOTP_INVALID || why == ERR_TOTP_MAX_ATTEMPTS)
		signin_failed(req, bson_get_str(user, "_id"), "2fa");
	return twofactor_answer_or_reply(req, why, details);
}

/* {"resume": token}: Meteor's resume login; answers with the same token. */
static void
login_resume(struct request *req, const char *token)
{
	struct session *s = &req->session;

	snprintf(s->token, sizeof s->token, "%s", token);
	switch (auth_token(req, NULL)) {
	case CALLER_OK:
		break;
	case CALLER_FAILED:
		return;
	default:
		reply_error(req, ERR_LOGIN_FAILED, NULL);
		return;
	}
	/* A personal access token is for scripts; it never becomes a session. */
	if (s->type == TOKEN_PAT) {
		reply_error(req, ERR_LOGIN_FAILED, NULL);
		return;
	}
	reply_logged_in(req, s->user, s->token, bson_get_date(s->token_doc, "expiresAt"));
}

static void
login(struct request *req)
{
	struct login_creds c;
	char digest[SHA256_HEX_LEN + 1];
	struct login_guard guard;
	bson_t *user = NULL;
	char token[64];
	int64_t expires;
	int found;

	if (!read_creds_or_reply(req, &c))
		return;
	if (c.resume) {
		login_resume(req, c.resume);
		return;
	}
	password_digest(c.password, digest);
	found = find_user(req, c.ident, c.by_email, &user);
	if (found < 0)
		return;
	/* Take the attempt's slots first, then spend the hashing work. */
	if (!loginguard_begin_or_reply(req, &guard, found ? bson_get_str(user, "_id") : NULL, c.ident))
		goto out;
	const char *stored = found ? bson_get_str(user, "services.password.argon2") : NULL;
	bool active = found && !(bson_has_field(user, "active") && !bson_get_bool(user, "active"));
	enum pw_result pr = pw_verify(stored, digest);
	if (pr == PW_BUSY) {
		loginguard_abandon(&guard);
		reply_hash_busy(req);
		goto out;
	}
	if (pr != PW_MATCH) {
		loginguard_failed(req, &guard);
		reply_error(req, ERR_LOGIN_FAILED, NULL);
		goto out;
	}
	/* Only the right password learns that the account is switched off, as
	 * Rocket.Chat's validateLoginAttempt answers. */
	if (!active) {
		loginguard_passed(&guard);
		reply_error(req, ERR_USER_NOT_ACTIVATED, NULL);
		goto out;
	}
	loginguard_passed(&guard);
	const char *method;
	if (!login_second_factor_or_reply(req, user, c.code, &method))
		goto out;
	note_login(user, digest);
	if (!session_create_or_reply(req, bson_get_str(user, "_id"), token, &expires))
		goto out;
	signin_succeeded(req, user, method);
	loginguard_trust(req, bson_get_str(user, "_id"));
	log_info("login user=%s ip=%s", bson_get_str(user, "_id"), req->ip);
	reply_logged_in(req, user, token, expires);
out:
	sodium_memzero(digest, sizeof digest);
	if (user)
		bson_destroy(user);
}

/* users.2fa.sendEmailCode: mails a fresh code to a user with email 2FA.
 * Always "success" so it cannot tell whether an account exists: the request
 * only queues "mail a code to WHO" (the same one write whoever WHO is) and
 * the sender, started after the answer, looks the user up. */
static void
send_email_code(struct request *req)
{
	const char *who = req->in ? req->in[SEND_WHO].s : NULL;
	struct rl_key k;

	if (who == NULL && !req->session.ok) {
		reply_error(req, ERR_PARAM_REQUIRED, "emailOrUsername is required");
		return;
	}
	/* Rocket.Chat answers success whatever it finds; with email 2FA off
	 * there is simply nothing to send. */
	if (!cfg.email_2fa_enabled) {
		reply_ok(req, NULL);
		return;
	}
	char source[96];
	rl_source(req->ip, source, sizeof source);
	rl_key_window(&k, "send-code-ip", source, SEND_CODE_PER_IP_HOUR, 3600);
	if (!ratelimit_hit_or_reply(req, &k))
		return;
	if (mail_queue_code_request(who, who ? NULL : req->session.user_id, EMAIL_CODE_2FA) != MAIL_QUEUED) {
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		return;
	}
	reply_ok(req, NULL);
}

static void
logout(struct request *req)
{
	bson_error_t e;

	if (session_revoke(req, req->session.user_id, REVOKE_CURRENT, NULL, &e) < 0) {
		reply_store_error(req, &e, "logout");
		return;
	}
	json_object *o = json_object_new_object(), *data = json_object_new_object();
	if (req->session.via_cookie)
		session_cookies(req, NULL, 0);
	json_object_object_add(data, "message", json_object_new_string("You've been logged out!"));
	json_object_object_add(o, "status", json_object_new_string("success"));
	json_object_object_add(o, "data", data);
	reply_ok(req, o);
}

static void
me(struct request *req)
{
	reply_ok(req, user_me_json(req->session.user));
}

/* The admin's feature switches, public so the SPA can hide what is off
 * (an addition to Rocket.Chat's {version}). */
static const struct { const char *name; const bool *on; } features[] = {
	{ "usernameChange", &cfg.allow_username_change },
	{ "emailChange", &cfg.allow_email_change },
	{ "passwordChange", &cfg.allow_password_change },
	{ "avatarChange", &cfg.allow_avatar_change },
	{ "nameChange", &cfg.allow_name_change },
	{ "totp", &cfg.totp_enabled },
	{ "email2fa", &cfg.email_2fa_enabled },
	{ "e2e", &cfg.e2e_enabled },
	{ "personalAccessTokens", &cfg.personal_access_tokens_enabled },
	{ "dataExport", &cfg.data_export_enabled },
	{ "deleteOwnAccount", &cfg.allow_delete_own_account },
	/* The Profile page's switches. */
	{ "avatarUrlFetch", &cfg.avatar_url_fetch },
	{ "profileChange", &cfg.allow_profile_change },
	{ "statusMessageChange", &cfg.allow_status_message_change },
	{ "invisibleStatus", &cfg.allow_invisible_status },
	{ "passkeys", &cfg.passkeys_enabled },
};

/* Rocket.Chat's getServerInfo(): "version" is the API level without its
 * patch number (clients refuse servers they think too old), and
 * minimumClientVersions; ours are extra fields a Rocket.Chat client ignores. */
static void
info(struct request *req)
{
	json_object *o = json_object_new_object(), *f = json_object_new_object();
	json_object *min = json_object_new_object();
	const char *v = cfg.rocketchat_version;
	const char *dot = strchr(v, '.');
	int major_minor = dot && strchr(dot + 1, '.') ? (int)(strchr(dot + 1, '.') - v) : (int)strlen(v);

	json_object_object_add(o, "version", json_object_new_string_len(v, major_minor));
	json_object_object_add(min, "desktop", json_object_new_string(cfg.min_desktop_client_version));
	json_object_object_add(min, "mobile", json_object_new_string(cfg.min_mobile_client_version));
	json_object_object_add(o, "minimumClientVersions", min);
	json_object_object_add(o, "myaccountVersion", json_object_new_string(MYACCOUNT_VERSION));
	for (size_t i = 0; i < sizeof features / sizeof features[0]; i++)
		json_object_object_add(f, features[i].name, json_object_new_boolean(*features[i].on));
	json_object_object_add(o, "features", f);
	reply_ok(req, o);
}

/* Removes every login session of the caller but this one; personal access
 * tokens stay (Users.removeNonPATLoginTokensExcept). */
static void
logout_other_clients(struct request *req)
{
	bson_error_t e;
	json_object *o;

	if (session_revoke(req, req->session.user_id, REVOKE_OTHERS, NULL, &e) < 0) {
		reply_store_error(req, &e, "logoutOtherClients");
		return;
	}
	o = json_object_new_object();
	/* A cookie session's token is HttpOnly; it is not echoed to scripts. */
	if (!req->session.via_cookie)
		json_object_object_add(o, "token", json_object_new_string(req->session.token));
	int64_t exp = bson_get_date(req->session.token_doc, "expiresAt");
	if (exp)
		json_object_object_add(o, "tokenExpires", json_date(exp));
	reply_ok(req, o);
}

static void
sessions_list(struct request *req)
{
	bson_error_t e;
	const bson_t *doc;
	json_object *list = json_object_new_array(), *o;
	bson_t *filter = BCON_NEW("userId", BCON_UTF8(req->session.user_id), "type", BCON_UTF8("session"),
	    "expiresAt", "{", "$gt", BCON_DATE_TIME(now_ms()), "}");
	bson_t *opts = BCON_NEW("sort", "{", "lastUsedAt", BCON_INT32(-1), "}", "limit", BCON_INT64(500));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_TOKENS), filter, opts, NULL);

	while (mongoc_cursor_next(cur, &doc)) {
		json_object *s = json_object_new_object();
		const char *sid = bson_get_str(doc, "sid");
		json_object_object_add(s, "id", json_object_new_string(sid ? sid : ""));
		json_object_object_add(s, "type", json_object_new_string("session"));
		json_object_object_add(s, "createdAt", json_date(bson_get_date(doc, "createdAt")));
		json_object_object_add(s, "lastSeenAt", json_date(bson_get_date(doc, "lastUsedAt")));
		json_object_object_add(s, "expiresAt", json_date(bson_get_date(doc, "expiresAt")));
		json_object_object_add(s, "ip", json_object_new_string(bson_get_str(doc, "ip") ? bson_get_str(doc, "ip") : ""));
		json_object_object_add(s, "userAgent", json_object_new_string(bson_get_str(doc, "userAgent") ? bson_get_str(doc, "userAgent") : ""));
		json_object_object_add(s, "current", json_object_new_boolean(sid && strcmp(sid, req->session.sid) == 0));
		json_object_array_add(list, s);
	}
	bool failed = mongoc_cursor_error(cur, &e);
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	if (failed) {
		json_object_put(list);
		reply_store_error(req, &e, "sessions list");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "sessions", list);
	reply_ok(req, o);
}

static void
sessions_logout(struct request *req)
{
	const char *sid = req->in[SESSION_ID].s;
	bson_error_t e;
	int64_t n = session_revoke(req, req->session.user_id, REVOKE_ONE, sid, &e);

	if (n < 0) {
		reply_store_error(req, &e, "sessions logout");
		return;
	}
	if (n == 0) {
		reply_error(req, ERR_SESSION_NOT_FOUND, "No active session with that id");
		return;
	}
	if (req->session.via_cookie && strcmp(sid, req->session.sid) == 0)
		session_cookies(req, NULL, 0);
	reply_ok(req, NULL);
}

/* One event as the SPA shows it; the stored document holds no more. */
static json_object *
log_event_json(const bson_t *doc)
{
	static const char *const texts[] = { "event", "ip", "userAgent", "detail" };
	json_object *o = json_object_new_object();

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		const char *v = bson_get_str(doc, texts[i]);
		if (v != NULL)
			json_object_object_add(o, texts[i], json_object_new_string(v));
	}
	json_object_object_add(o, "at", json_date(bson_get_date(doc, "at")));
	return o;
}

static void
security_log_list(struct request *req)
{
	int64_t offset = req->qs[LOG_OFFSET].set ? req->qs[LOG_OFFSET].i : 0;
	int64_t count = req->qs[LOG_COUNT].set ? req->qs[LOG_COUNT].i : 25;
	bson_error_t e;
	const bson_t *doc;
	/* Expiry is in the query too: the TTL monitor runs only now and then. */
	bson_t *filter = BCON_NEW("userId", BCON_UTF8(req->session.user_id),
	    "expiresAt", "{", "$gt", BCON_DATE_TIME(now_ms()), "}");
	bson_t *opts = BCON_NEW("sort", "{", "at", BCON_INT32(-1), "}",
	    "skip", BCON_INT64(offset), "limit", BCON_INT64(count));
	json_object *list = json_object_new_array();
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_SECLOG), filter, opts, NULL);

	while (mongoc_cursor_next(cur, &doc))
		json_object_array_add(list, log_event_json(doc));
	bool failed = mongoc_cursor_error(cur, &e);
	mongoc_cursor_destroy(cur);
	int64_t total = failed ? -1 : mongoc_collection_count_documents(store_coll(COLL_SECLOG), filter, NULL, NULL, NULL, &e);
	bson_destroy(opts);
	bson_destroy(filter);
	if (total < 0) {
		json_object_put(list);
		reply_store_error(req, &e, "security log");
		return;
	}
	json_object *o = json_object_new_object();
	json_object_object_add(o, "events", list);
	json_object_object_add(o, "offset", json_object_new_int64(offset));
	json_object_object_add(o, "count", json_object_new_int64((int64_t)json_object_array_length(list)));
	json_object_object_add(o, "total", json_object_new_int64(total));
	reply_ok(req, o);
}

/* The link of a new-sign-in notice: everything that sign-in could have
 * left behind ends, and the SPA goes on to a new password. */
static void
signin_not_me(struct request *req)
{
	char user_id[64], source[96];
	struct rl_key k;

	rl_source(req->ip, source, sizeof source);
	rl_key_window(&k, "not-me-ip", source, NOTME_MAX_PER_IP, NOTME_WINDOW_S);
	if (!ratelimit_hit_or_reply(req, &k))
		return;
	switch (signin_disown(req->in[NOTME_TOKEN].s, user_id)) {
	case 1:
		reply_ok(req, NULL);
		return;
	case 0:
		reply_error(req, ERR_NOT_ME_LINK, NULL);
		return;
	default:
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		return;
	}
}

static const struct route routes[] = {
	{ .method = "GET", .path = "/api/info", .auth = AUTH_NONE,
	  .handler = info, .summary = "server version" },
	{ .method = "POST", .path = "/api/v1/login", .auth = AUTH_NONE,
	  .body_max = LOGIN_BODY_MAX, .body = login_fields,
	  .flags = R_FORM | R_LOGIN_ERRORS | R_KEEP_UNKNOWN,
	  .handler = login, .summary = "sign in by username or email and password; 2FA step" },
	{ .method = "POST", .path = "/api/v1/users.2fa.sendEmailCode", .auth = AUTH_OPTIONAL,
	  .body_max = SMALL_BODY_MAX, .body = send_code_fields, .flags = R_FORM,
	  .handler = send_email_code, .summary = "mail a fresh sign-in code (email 2FA)" },
	{ .method = "POST", .path = "/api/v1/logout", .auth = AUTH_USER,
	  .body_max = SMALL_BODY_MAX, .flags = R_KEEP_UNKNOWN,
	  .handler = logout, .summary = "revoke the caller's token" },
	/* Deprecated in Rocket.Chat but still served; a GET that changes
	 * state, so cookie sessions need the CSRF header here too. */
	{ .method = "GET", .path = "/api/v1/logout", .auth = AUTH_USER, .flags = R_MUTATING,
	  .handler = logout, .summary = "revoke the caller's token (deprecated GET)" },
	{ .method = "GET", .path = "/api/v1/me", .auth = AUTH_USER,
	  .handler = me, .summary = "the caller's own user" },
	{ .method = "POST", .path = "/api/v1/users.logoutOtherClients", .auth = AUTH_USER,
	  .body_max = SMALL_BODY_MAX, .flags = R_KEEP_UNKNOWN,
	  .handler = logout_other_clients, .summary = "end every other login session" },
	{ .method = "GET", .path = "/api/v1/sessions/list", .auth = AUTH_USER,
	  .handler = sessions_list, .summary = "the caller's login sessions" },
	{ .method = "POST", .path = "/api/v1/sessions/logout.me", .auth = AUTH_USER,
	  .body_max = SMALL_BODY_MAX, .body = session_fields,
	  .handler = sessions_logout, .summary = "end one of the caller's sessions" },
	{ .method = "GET", .path = "/api/v1/securityLog.list", .auth = AUTH_USER, .query = log_query,
	  .handler = security_log_list, .summary = "the caller's security log, newest first (ours)" },
	{ .method = "POST", .path = "/api/v1/signin.notMe", .auth = AUTH_NONE,
	  .body_max = SMALL_BODY_MAX, .body = notme_fields, .flags = R_FORM,
	  .handler = signin_not_me, .summary = "a new-sign-in notice's \"this was not me\" link (ours)" },
	ROUTE_END
};

int
main(int argc, char **argv)
{
	static const struct program prog = {
		.name = "auth",
		.summary = "Sign in and out, the caller's user and sessions (Rocket.Chat REST API v1).",
		.routes = routes,
	};
	return app_main(argc, argv, &prog);
}
