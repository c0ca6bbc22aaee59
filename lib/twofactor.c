/* twofactor.c - see twofactor.h. */
#include "twofactor.h"

#include <string.h>

#include "config.h"
#include "crypto.h"
#include "json.h"
#include "log.h"
#include "emailcode.h"
#include "ratelimit.h"
#include "respond.h"
#include "store.h"
#include "totp.h"
#include "user.h"

static const char *
user_id_of(const bson_t *user)
{
	return bson_get_str(user, "_id");
}

void
twofactor_methods(const bson_t *user, struct tf_methods *m)
{
	m->totp = cfg.totp_enabled && bson_get_bool(user, "services.totp.enabled") &&
	    bson_get_str(user, "services.totp.secret") != NULL;
	m->email = cfg.email_2fa_enabled && bson_get_bool(user, "services.email2fa.enabled") &&
	    user_verified_email(user) != NULL;
	m->password = bson_get_str(user, "services.password.argon2") != NULL;
}

const char *
twofactor_pick(const struct tf_methods *m, const char *requested, bool allow_password)
{
	/* The password stands in only for users without a real second factor. */
	const struct { const char *name; bool on; } order[] = {
		{ "totp", m->totp },
		{ "email", m->email },
		{ "password", allow_password && m->password && !m->totp && !m->email },
	};
	size_t n = sizeof order / sizeof order[0];

	for (size_t i = 0; requested && i < n; i++)
		if (order[i].on && strcmp(requested, order[i].name) == 0)
			return order[i].name;
	for (size_t i = 0; i < n; i++)
		if (order[i].on)
			return order[i].name;
	return NULL;
}

static json_object *
details_of(const struct tf_methods *m, const char *method, const bson_t *user,
    bool generated, int64_t expires)
{
	json_object *d = json_object_new_object(), *avail = json_object_new_array();
	const char *username = bson_get_str(user, "username");

	json_object_object_add(d, "method", json_object_new_string(method));
	json_object_object_add(d, "codeGenerated", json_object_new_boolean(generated));
	if (expires)
		json_object_object_add(d, "codeExpires", json_date(expires));
	if (username && strcmp(method, "email") == 0)
		json_object_object_add(d, "emailOrUsername", json_object_new_string(username));
	if (m->totp)
		json_object_array_add(avail, json_object_new_string("totp"));
	if (m->email)
		json_object_array_add(avail, json_object_new_string("email"));
	if (!m->totp && !m->email && m->password)
		json_object_array_add(avail, json_object_new_string("password"));
	json_object_object_add(d, "availableMethods", avail);
	return d;
}

json_object *
twofactor_details(const struct tf_methods *m, const char *method, const bson_t *user)
{
	return details_of(m, method, user, false, 0);
}

enum err_kind
twofactor_challenge(const bson_t *user, const struct tf_methods *m, const char *method,
    json_object **details)
{
	int64_t expires = 0;
	int generated = 0;

	*details = NULL;
	if (strcmp(method, "email") == 0 && (generated = emailcode_send(user, EMAIL_CODE_2FA, false, &expires)) < 0)
		return generated == -2 ? ERR_MAIL_UNAVAILABLE : ERR_DB_UNAVAILABLE;
	*details = details_of(m, method, user, generated > 0, expires);
	return ERR_NONE;
}

static enum tf_result
verify_password(const bson_t *user, const char *code)
{
	const char *stored = bson_get_str(user, "services.password.argon2");
	char digest[SHA256_HEX_LEN + 1];
	size_t i;

	/* Rocket.Chat clients send the lower-case hex SHA-256 here. */
	for (i = 0; code[i] && i < SHA256_HEX_LEN; i++)
		digest[i] = (char)((code[i] >= 'A' && code[i] <= 'F') ? code[i] + 32 : code[i]);
	digest[i] = '\0';
	if (stored == NULL || code[i] != '\0' || !is_sha256_hex(digest))
		return TF_INVALID;
	return password_verify(stored, digest) ? TF_OK : TF_INVALID;
}

static enum tf_result
tf_of(enum claim_result r)
{
	static const enum tf_result map[] = {
		[CLAIM_OK] = TF_OK, [CLAIM_LOST] = TF_INVALID, [CLAIM_DB_ERROR] = TF_DB_ERROR,
	};
	return map[r];
}

static enum tf_result
verify_method(const bson_t *user, const char *method, const char *code)
{
	if (strcmp(method, "totp") == 0)
		return tf_of(totp_verify(user, code));
	if (strcmp(method, "email") == 0)
		return tf_of(emailcode_verify(user, EMAIL_CODE_2FA, code));
	if (strcmp(method, "password") == 0)
		return verify_password(user, code);
	return TF_INVALID;
}

enum tf_result
twofactor_verify(const bson_t *user, const char *method, const char *code)
{
	struct rl_key k;
	bson_error_t e;
	enum tf_result r;

	if (strlen(code) > 128)
		return TF_INVALID;
	rl_key_set(&k, "2fa", user_id_of(user), TF_MAX_FAILURES, TF_WINDOW_S);
	if (!ratelimit_read(&k, 1, &e))
		return TF_DB_ERROR;
	if (ratelimit_over(&k, 1))
		return TF_MAX_ATTEMPTS;
	r = verify_method(user, method, code);
	if (r == TF_INVALID)
		ratelimit_add(&k, 1);
	return r;
}

/* Remember-me: a session that passed the second factor recently. */
static bool
recently_passed(const struct request *req)
{
	bson_iter_t it;
	return req->session.type == TOKEN_SESSION && req->session.token_doc &&
	    bson_iter_init_find(&it, req->session.token_doc, "twoFactorAuthorizedUntil") &&
	    BSON_ITER_HOLDS_DATE_TIME(&it) && bson_iter_date_time(&it) > now_ms();
}

static void
remember(const struct request *req)
{
	bson_error_t e;
	if (req->session.type != TOKEN_SESSION)
		return;
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(req->session.token_hash));
	bson_t *upd = BCON_NEW("$set", "{", "twoFactorAuthorizedUntil",
	    BCON_DATE_TIME(now_ms() + TF_REMEMBER_MS), "}");
	if (!mongoc_collection_update_one(store_coll(COLL_TOKENS), sel, upd, NULL, NULL, &e))
		log_warn("could not remember 2FA on the session: %s", e.message);
	bson_destroy(sel);
	bson_destroy(upd);
}

bool
twofactor_check(struct request *req)
{
	const bson_t *user = req->session.user;
	const char *code = req_header(req, "X-2fa-Code");
	const char *asked = req_header(req, "X-2fa-Method");
	struct tf_methods m;
	const char *method;

	if (req->session.bypass_2fa || recently_passed(req))
		return true;
	twofactor_methods(user, &m);
	method = twofactor_pick(&m, asked, true);
	if (method == NULL) {
		reply_error(req, ERR_FORBIDDEN, "This action needs a second factor or a password, and this account has neither");
		return false;
	}
	if (code == NULL || *code == '\0') {
		json_object *details;
		enum err_kind why = twofactor_challenge(user, &m, method, &details);
		if (why != ERR_NONE)
			reply_error(req, why, NULL);
		else
			reply_error_ex(req, ERR_TOTP_REQUIRED, NULL, details, NULL);
		return false;
	}
	switch (twofactor_verify(user, method, code)) {
	case TF_OK:
		remember(req);
		return true;
	case TF_MAX_ATTEMPTS:
		reply_error_ex(req, ERR_TOTP_MAX_ATTEMPTS, NULL, twofactor_details(&m, method, user), NULL);
		return false;
	case TF_DB_ERROR:
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		return false;
	case TF_INVALID:
	default:
		reply_error_ex(req, ERR_TOTP_INVALID, NULL, twofactor_details(&m, method, user), NULL);
		return false;
	}
}
