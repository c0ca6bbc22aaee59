/* auth.c - the login program: sign in (with the 2FA step), sign out, who am
 * I, the caller's sessions. The web server also sends it every unknown
 * /api/ path, which the dispatcher answers with a JSON 404. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "caller.h"
#include "config.h"
#include "crypto.h"
#include "emailcode.h"
#include "mail.h"
#include "json.h"
#include "log.h"
#include "ratelimit.h"
#include "respond.h"
#include "store.h"
#include "twofactor.h"
#include "user.h"

#define LOGIN_BODY_MAX  8192
#define SMALL_BODY_MAX  1024
#define SEND_CODE_PER_IP_HOUR 30

/* The credentials, at the top level or inside Rocket.Chat's 2FA wrapper
 * {"totp": {"login": {...}, "code"}} that its mobile and JS clients send. */
#define CREDENTIAL_FIELDS \
	{ "user", F_LOGIN_USER, F_NO_CTRL, 1, 254, NULL, NULL, 0, NULL }, \
	{ "username", F_STRING, F_NO_CTRL, 1, 254, NULL, NULL, 0, NULL }, \
	{ "email", F_STRING, F_NO_CTRL, 1, 254, NULL, NULL, 0, NULL }, \
	{ "password", F_PASSWORD, 0, 1, 1024, NULL, NULL, 0, NULL }, \
	{ "resume", F_STRING, F_NO_CTRL, 16, 128, NULL, NULL, 0, NULL }

static const struct field totp_login_fields[] = { CREDENTIAL_FIELDS, FIELD_END };

static const struct field totp_fields[] = {
	{ "code", F_STRING, F_REQUIRED | F_NO_CTRL, 1, 64, NULL, NULL, 0, NULL },
	{ "login", F_OBJECT, F_REQUIRED, 0, 0, NULL, totp_login_fields, 0, NULL },
	FIELD_END
};

static const struct field login_fields[] = {
	CREDENTIAL_FIELDS,
	{ "code", F_STRING, F_NO_CTRL, 1, 64, NULL, NULL, 0, NULL },
	{ "totp", F_OBJECT, 0, 0, 0, NULL, totp_fields, 0, NULL },
	FIELD_END
};

/* What a login body asks for, from either shape. Strings are borrowed
 * from the request body. */
struct login_creds {
	const char  *ident;     /* username or email */
	bool         by_email;
	json_object *password;  /* string or {digest, algorithm} */
	const char  *resume;
	const char  *code;      /* second factor, if sent */
};

static const struct field send_code_fields[] = {
	{ "emailOrUsername", F_STRING, F_NO_CTRL, 1, 254, NULL, NULL, 0, NULL },
	FIELD_END
};

static const struct field session_fields[] = {
	{ "sessionId", F_STRING, F_REQUIRED | F_NO_CTRL, 1, 32, NULL, NULL, 0, NULL },
	FIELD_END
};

/* The 401 shapes of Rocket.Chat's /login: the type in "error", no errorType. */
static void
reply_login_error(struct request *req, enum err_kind kind, json_object *details)
{
	const struct err_info *e = err_info(kind);
	json_object *o = json_object_new_object();
	const char *error = kind == ERR_LOGIN_FAILED ? e->message : e->type;

	json_object_object_add(o, "success", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(error));
	json_object_object_add(o, "status", json_object_new_string("error"));
	if (details)
		json_object_object_add(o, "details", details);
	json_object_object_add(o, "message", json_object_new_string(e->message));
	reply_json(req, 401, o);
}

/* The hex SHA-256 the password hash is made over, from either form. */
static bool
password_digest(json_object *pw, char out[SHA256_HEX_LEN + 1])
{
	json_object *d;

	if (pw == NULL)
		return false;
	if (json_object_is_type(pw, json_type_string)) {
		sha256_hex(json_object_get_string(pw), (size_t)json_object_get_string_len(pw), out);
		return true;
	}
	if (!json_object_object_get_ex(pw, "digest", &d))
		return false;
	snprintf(out, SHA256_HEX_LEN + 1, "%s", json_object_get_string(d));
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return is_sha256_hex(out);
}

static const char *
str_of(json_object *obj, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

/* Reads the (validated) body into C; false after answering 400 when it
 * names no or several accounts, or mixes the two shapes. */
static bool
read_creds(struct request *req, struct login_creds *c)
{
	json_object *from = req->body, *totp, *user;
	int named = 0;

	memset(c, 0, sizeof *c);
	c->code = str_of(req->body, "code");
	if (json_object_object_get_ex(req->body, "totp", &totp)) {
		if (json_object_object_length(req->body) != 1) {
			reply_error(req, ERR_INVALID_PARAMS, "send the credentials either inside totp.login or beside it, not both");
			return false;
		}
		from = json_object_object_get(totp, "login");
		c->code = str_of(totp, "code");
	}
	if (c->code == NULL)
		c->code = req_header(req, "X-2fa-Code");
	c->resume = str_of(from, "resume");
	json_object_object_get_ex(from, "password", &c->password);
	if (json_object_object_get_ex(from, "user", &user)) {
		named++;
		if (json_object_is_type(user, json_type_string)) {
			c->ident = json_object_get_string(user);
			c->by_email = strchr(c->ident, '@') != NULL;
		} else if ((c->ident = str_of(user, "email")) != NULL) {
			c->by_email = true;
		} else {
			c->ident = str_of(user, "username");
		}
	}
	const char *name = str_of(from, "username"), *email = str_of(from, "email");
	if (name) {
		named++;
		c->ident = name;
	}
	if (email) {
		named++;
		c->ident = email;
		c->by_email = true;
	}
	if (c->resume && named == 0 && c->password == NULL)
		return true;
	if (named != 1 || c->password == NULL || c->resume) {
		reply_error(req, ERR_INVALID_PARAMS, "send one of user, username or email, with password (or resume alone)");
		return false;
	}
	return true;
}

/* Finds the user by username or (case-insensitively stored) email.
 * Returns 1 found, 0 not, -1 after answering a database error. */
static int
find_user(struct request *req, const char *ident, bool by_email, bson_t **user)
{
	char lower[256];
	bson_error_t e;
	const bson_t *doc;
	int found = 0;

	snprintf(lower, sizeof lower, "%s", ident);
	for (char *p = lower; by_email && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	bson_t *filter = by_email ? BCON_NEW("emails.address", BCON_UTF8(lower))
	                          : BCON_NEW("username", BCON_UTF8(ident));
	bson_t *opts = BCON_NEW("limit", BCON_INT64(1));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_USERS), filter, opts, NULL);
	if (mongoc_cursor_next(cur, &doc)) {
		*user = bson_copy(doc);
		found = 1;
	}
	if (mongoc_cursor_error(cur, &e)) {
		found = -1;
		store_fail(req, &e, "login user lookup");
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	return found;
}

/* Costs what a real verification costs, so an unknown user answers no
 * faster than a wrong password. */
static void
burn_password_time(const char *digest)
{
	char scratch[PWHASH_LEN];
	password_hash(digest, cfg.argon2_opslimit, cfg.argon2_memlimit_kib, scratch);
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
	    password_hash(digest, cfg.argon2_opslimit, cfg.argon2_memlimit_kib, fresh) == 0)
		BSON_APPEND_UTF8(&set, "services.password.argon2", fresh);
	bson_append_document_end(upd, &set);
	if (!mongoc_collection_update_one(store_coll(COLL_USERS), sel, upd, NULL, NULL, &e))
		log_warn("could not record login: %s", e.message);
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
 * never falls back to the password as a "second" factor. */
static bool
login_second_factor(struct request *req, const bson_t *user, const char *code)
{
	struct tf_methods m;
	const char *method;

	twofactor_methods(user, &m);
	method = twofactor_pick(&m, NULL, false);
	if (method == NULL)
		return true;
	if (code == NULL || *code == '\0') {
		json_object *details;
		enum err_kind why = twofactor_challenge(user, &m, method, &details);
		if (why != ERR_NONE)
			reply_error(req, why, NULL);
		else
			reply_login_error(req, ERR_TOTP_REQUIRED, details);
		return false;
	}
	switch (twofactor_verify(user, method, code)) {
	case TF_OK:
		return true;
	case TF_MAX_ATTEMPTS:
		reply_login_error(req, ERR_TOTP_MAX_ATTEMPTS, twofactor_details(&m, method, user));
		return false;
	case TF_DB_ERROR:
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		return false;
	default:
		reply_login_error(req, ERR_TOTP_INVALID, twofactor_details(&m, method, user));
		return false;
	}
}

/* {"resume": token}: Meteor's resume login; answers with the same token. */
static void
login_resume(struct request *req, const char *token)
{
	struct session *s = &req->session;
	bool ok;

	snprintf(s->token, sizeof s->token, "%s", token);
	ok = auth_token(req, NULL);
	if (!ok)
		return;
	reply_logged_in(req, s->user, s->token, bson_get_date(s->token_doc, "expiresAt"));
}

static void
login(struct request *req)
{
	struct login_creds c;
	char digest[SHA256_HEX_LEN + 1];
	struct rl_key keys[2];
	bson_t *user = NULL;
	char token[64];
	int64_t expires;
	int found;

	if (!read_creds(req, &c))
		return;
	if (c.resume) {
		login_resume(req, c.resume);
		return;
	}
	if (!password_digest(c.password, digest)) {
		reply_error(req, ERR_INVALID_PARAMS, "'password' must be a string or {digest, algorithm}");
		return;
	}
	found = find_user(req, c.ident, c.by_email, &user);
	if (found < 0)
		return;
	/* Failures count per account (or per unknown name) and per address. */
	rl_key_set(&keys[0], "login-user", found ? bson_get_str(user, "_id") : c.ident,
	    cfg.login_max_failures_per_user, cfg.login_block_seconds);
	rl_key_set(&keys[1], "login-ip", req->ip, cfg.login_max_failures_per_ip, cfg.login_block_seconds);
	bson_error_t e;
	const struct rl_key *over;
	if (!ratelimit_read(keys, 2, &e)) {
		store_fail(req, &e, "login rate limit");
		goto out;
	}
	if ((over = ratelimit_over(keys, 2)) != NULL) {
		ratelimit_reply(req, over);
		goto out;
	}
	const char *stored = found ? bson_get_str(user, "services.password.argon2") : NULL;
	bool active = found && !(bson_has_field(user, "active") && !bson_get_bool(user, "active"));
	if (stored == NULL)
		burn_password_time(digest);
	if (stored == NULL || !password_verify(stored, digest) || !active) {
		ratelimit_add(keys, 2);
		reply_login_error(req, ERR_LOGIN_FAILED, NULL);
		goto out;
	}
	if (!login_second_factor(req, user, c.code))
		goto out;
	if (keys[0].count > 0)
		ratelimit_clear(&keys[0]);
	note_login(user, digest);
	if (!session_create(req, bson_get_str(user, "_id"), token, &expires))
		goto out;
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
	const char *who = body_str(req, "emailOrUsername");
	struct rl_key k;

	if (who == NULL && !req->session.ok) {
		reply_error(req, ERR_PARAM_REQUIRED, "emailOrUsername is required");
		return;
	}
	rl_key_set(&k, "send-code-ip", req->ip, SEND_CODE_PER_IP_HOUR, 3600);
	if (!ratelimit_hit(req, &k))
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
	json_object *o = json_object_new_object(), *data = json_object_new_object();
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(req->session.token_hash));
	bool ok = mongoc_collection_delete_one(store_coll(COLL_TOKENS), sel, NULL, NULL, &e);

	bson_destroy(sel);
	if (!ok) {
		json_object_put(o);
		json_object_put(data);
		store_fail(req, &e, "logout");
		return;
	}
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
};

static void
info(struct request *req)
{
	json_object *o = json_object_new_object(), *f = json_object_new_object();

	json_object_object_add(o, "version", json_object_new_string(MYACCOUNT_VERSION));
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
	bson_t *sel = BCON_NEW("userId", BCON_UTF8(req->session.user_id), "type", BCON_UTF8("session"),
	    "_id", "{", "$ne", BCON_UTF8(req->session.token_hash), "}");
	bool ok = mongoc_collection_delete_many(store_coll(COLL_TOKENS), sel, NULL, NULL, &e);

	bson_destroy(sel);
	if (!ok) {
		store_fail(req, &e, "logoutOtherClients");
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
		store_fail(req, &e, "sessions list");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "sessions", list);
	reply_ok(req, o);
}

static void
sessions_logout(struct request *req)
{
	const char *sid = body_str(req, "sessionId");
	bson_error_t e;
	bson_t reply;
	bson_t *sel = BCON_NEW("userId", BCON_UTF8(req->session.user_id), "type", BCON_UTF8("session"),
	    "sid", BCON_UTF8(sid));
	bool ok = mongoc_collection_delete_one(store_coll(COLL_TOKENS), sel, NULL, &reply, &e);
	bson_iter_t it;
	int64_t n = ok && bson_iter_init_find(&it, &reply, "deletedCount") ? bson_iter_as_int64(&it) : 0;

	bson_destroy(&reply);
	bson_destroy(sel);
	if (!ok) {
		store_fail(req, &e, "sessions logout");
		return;
	}
	if (n == 0) {
		reply_error_ex(req, ERR_CONFLICT, "error-session-not-found", NULL,
		    "No active session with that id");
		return;
	}
	if (req->session.via_cookie && strcmp(sid, req->session.sid) == 0)
		session_cookies(req, NULL, 0);
	reply_ok(req, NULL);
}

static const struct route routes[] = {
	{ "GET", "/api/info", AUTH_NONE, 0, NULL, NULL, 0, info, "server version", NULL },
	{ "POST", "/api/v1/login", AUTH_NONE, LOGIN_BODY_MAX, login_fields, NULL, R_FORM, login,
	  "sign in by username or email and password; 2FA step", NULL },
	{ "POST", "/api/v1/users.2fa.sendEmailCode", AUTH_OPTIONAL, SMALL_BODY_MAX, send_code_fields,
	  NULL, R_FORM, send_email_code, "mail a fresh sign-in code (email 2FA)", &cfg.email_2fa_enabled },
	{ "POST", "/api/v1/logout", AUTH_USER, SMALL_BODY_MAX, NULL, NULL, 0, logout,
	  "revoke the caller's token", NULL },
	{ "GET", "/api/v1/me", AUTH_USER, 0, NULL, NULL, 0, me, "the caller's own user", NULL },
	{ "POST", "/api/v1/users.logoutOtherClients", AUTH_USER, SMALL_BODY_MAX, NULL, NULL, 0,
	  logout_other_clients, "end every other login session", NULL },
	{ "GET", "/api/v1/sessions/list", AUTH_USER, 0, NULL, NULL, 0, sessions_list,
	  "the caller's login sessions", NULL },
	{ "POST", "/api/v1/sessions/logout.me", AUTH_USER, SMALL_BODY_MAX, session_fields, NULL, 0,
	  sessions_logout, "end one of the caller's sessions", NULL },
	ROUTE_END
};

int
main(int argc, char **argv)
{
	static const struct program prog = {
		"auth", "Sign in and out, the caller's user and sessions (Rocket.Chat REST API v1).",
		routes,
	};
	return app_main(argc, argv, &prog);
}
