/* signin.c - passwordless sign-in with a discoverable passkey: request
 * options with an empty allow list, then the assertion. The same limits
 * (loginguard.h) and session rules (session.h) as a password sign-in, and
 * the same answer as /api/v1/login. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "loginguard.h"
#include "passkeys.h"
#include "ratelimit.h"
#include "respond.h"
#include "session.h"
#include "signin.h"
#include "store.h"
#include "user.h"

/* Challenges are cheap to ask for but each is a stored document. */
#define OPTIONS_PER_SOURCE   60
#define OPTIONS_WINDOW_S     600

const struct field signin_fields[] = {
	[SIGNIN_CREDENTIAL] = { .name = "credential", .type = F_OBJECT, .flags = F_REQUIRED,
	                        .sub = passkey_assertion_fields },
	FIELD_END
};

void
signin_options(struct request *req)
{
	char source[96], challenge[64];
	struct rl_key k;
	json_object *o;

	rl_source(req->ip, source, sizeof source);
	rl_key_window(&k, "passkey-options-ip", source, OPTIONS_PER_SOURCE, OPTIONS_WINDOW_S);
	if (!ratelimit_hit_or_reply(req, &k))
		return;
	if (!passkey_challenge_new(PK_SIGN_IN, NULL, challenge)) {
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "publicKey", passkey_request_options(NULL, challenge, PK_SIGN_IN));
	reply_ok(req, o);
}

/* The user the credential's user handle names (copied into *USER): 1
 * found, 0 not, -1 after answering a database error. */
static int
find_user(struct request *req, const char *handle, bson_t **user)
{
	char uid[65];
	size_t len = 0;
	bson_error_t e;
	const bson_t *doc;
	int found = 0;

	if (handle == NULL || !b64url_decode(handle, (unsigned char *)uid, sizeof uid - 1, &len) ||
	    len == 0 || memchr(uid, '\0', len))
		return 0;
	uid[len] = '\0';
	bson_t *filter = BCON_NEW("_id", BCON_UTF8(uid));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_USERS), filter, NULL, NULL);
	if (mongoc_cursor_next(cur, &doc)) {
		*user = bson_copy(doc);
		found = 1;
	}
	if (mongoc_cursor_error(cur, &e)) {
		found = -1;
		reply_store_error(req, &e, "passkey sign-in user lookup");
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(filter);
	return found;
}

static void
note_login(const char *uid)
{
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(uid));
	bson_t *upd = BCON_NEW("$set", "{", "lastLogin", BCON_DATE_TIME(now_ms()), "}");
	if (store_claim_update(COLL_USERS, sel, upd) == CLAIM_DB_ERROR)
		log_warn("could not record login");
}

/* /api/v1/login's answer: the token in the body, or (X-Session-Cookie: 1,
 * our SPA) in HttpOnly cookies only. */
static void
reply_signed_in(struct request *req, const bson_t *user, const char *token, int64_t expires)
{
	json_object *data = json_object_new_object(), *o = json_object_new_object();
	const char *cookie = req_header(req, "X-Session-Cookie");

	json_object_object_add(data, "userId", json_object_new_string(bson_get_str(user, "_id")));
	if (cookie && strcmp(cookie, "1") == 0)
		session_cookies(req, token, expires);
	else
		json_object_object_add(data, "authToken", json_object_new_string(token));
	json_object_object_add(data, "me", user_me_json(user));
	json_object_object_add(o, "status", json_object_new_string("success"));
	json_object_object_add(o, "data", data);
	reply_ok(req, o);
}

void
signin_finish(struct request *req)
{
	const struct fval *cred = req->in[SIGNIN_CREDENTIAL].sub;
	const char *handle = cred[PA_RESPONSE].sub[PAR_USER_HANDLE].s;
	struct login_guard guard;
	bson_t *user = NULL;
	char token[64], ident[160];
	int64_t expires;
	const char *uid;
	int found;

	if ((found = find_user(req, handle, &user)) < 0)
		return;
	/* No such user: counts like an unknown account name, the credential id
	 * standing for it (the source address is counted either way). */
	snprintf(ident, sizeof ident, "passkey:%.140s", cred[PA_ID].s);
	uid = found ? bson_get_str(user, "_id") : NULL;
	if (!loginguard_begin_or_reply(req, &guard, uid, ident))
		goto out;
	switch (found ? passkey_assert(user, PK_SIGN_IN, cred, NULL) : PK_INVALID) {
	case PK_OK:
		break;
	case PK_DB_ERROR:
		loginguard_abandon(&guard);
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		goto out;
	default:
		loginguard_failed_by(req, &guard, "webauthn");
		reply_error(req, ERR_LOGIN_FAILED, NULL);
		goto out;
	}
	loginguard_passed(&guard);
	if (bson_has_field(user, "active") && !bson_get_bool(user, "active")) {
		reply_error(req, ERR_USER_NOT_ACTIVATED, NULL);
		goto out;
	}
	/* A passkey with user verification is both factors: no second step. */
	note_login(uid);
	if (!session_create_or_reply(req, uid, token, &expires))
		goto out;
	loginguard_trust(req, uid);
	signin_succeeded(req, user, "webauthn");
	log_info("login by passkey user=%s ip=%s", uid, req->ip);
	reply_signed_in(req, user, token, expires);
out:
	if (user)
		bson_destroy(user);
}
