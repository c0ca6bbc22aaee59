/* twofactor.c - see twofactor.h. */
#include "twofactor.h"

#include <sodium.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "json.h"
#include "log.h"
#include "passkey.h"
#include "pwcheck.h"
#include "emailcode.h"
#include "ratelimit.h"
#include "respond.h"
#include "route.h"
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
	    totp_has_secret(user, TOTP_SECRET);
	m->email = cfg.email_2fa_enabled && bson_get_bool(user, "services.email2fa.enabled") &&
	    user_verified_email(user) != NULL;
	m->password = bson_get_str(user, "services.password.argon2") != NULL;
	m->webauthn = passkey_count(user) > 0;
}

const char *
twofactor_pick(const struct tf_methods *m, const char *requested, bool allow_password)
{
	/* The password stands in only for users without a real second factor. */
	const struct { const char *name; bool on; } order[] = {
		{ "totp", m->totp },
		{ "email", m->email },
		{ "webauthn", m->webauthn },
		{ "password", allow_password && m->password && !m->totp && !m->email && !m->webauthn },
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
	if (m->webauthn)
		json_object_array_add(avail, json_object_new_string("webauthn"));
	if (!m->totp && !m->email && !m->webauthn && m->password)
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
	/* A passkey answers a challenge of ours: the request options go along. */
	if (strcmp(method, "webauthn") == 0) {
		json_object *opts = passkey_twofactor_options(user);
		if (opts == NULL) {
			json_object_put(*details);
			*details = NULL;
			return ERR_DB_UNAVAILABLE;
		}
		json_object_object_add(*details, "webauthn", opts);
	}
	return ERR_NONE;
}

static enum tf_result
verify_password(const bson_t *user, const char *code)
{
	enum pw_result pr;
	const char *stored = bson_get_str(user, "services.password.argon2");
	char digest[SHA256_HEX_LEN + 1];
	size_t i;

	/* Rocket.Chat clients send the lower-case hex SHA-256 here. */
	for (i = 0; code[i] && i < SHA256_HEX_LEN; i++)
		digest[i] = (char)((code[i] >= 'A' && code[i] <= 'F') ? code[i] + 32 : code[i]);
	digest[i] = '\0';
	if (stored == NULL || code[i] != '\0' || !is_sha256_hex(digest))
		return TF_INVALID;
	pr = pw_verify(stored, digest);
	sodium_memzero(digest, sizeof digest);
	return pr == PW_MATCH ? TF_OK : pr == PW_BUSY ? TF_BUSY : TF_INVALID;
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
	if (strcmp(method, "webauthn") == 0)
		return tf_of(passkey_twofactor_verify(user, code));
	return TF_INVALID;
}

enum tf_result
twofactor_verify(const bson_t *user, const char *method, const char *code)
{
	struct rl_key k;
	enum tf_result r;

	/* A passkey's assertion is JSON of a kilobyte or two; codes are short. */
	if (strlen(code) > (strcmp(method, "webauthn") == 0 ? TF_WEBAUTHN_CODE_MAX : 128))
		return TF_INVALID;
	/* Take the attempt first: parallel guesses cannot pass the limit. */
	rl_key_window(&k, "2fa", user_id_of(user), TF_MAX_FAILURES, TF_WINDOW_S);
	switch (rl_take(&k)) {
	case RL_TAKEN:
		break;
	case RL_REFUSED:
		return TF_MAX_ATTEMPTS;
	case RL_ERROR:
	default:
		return TF_DB_ERROR;
	}
	r = verify_method(user, method, code);
	if (r == TF_INVALID)
		rl_failed(&k);
	else
		rl_release(&k);
	return r;
}

/* What ties a remembered second factor to one client, as Rocket.Chat's
 * twoFactorAuthorizedHash does: the user agent and the client address.
 * base64url(SHA-256("<user agent>\n<address>")). */
static void
client_fingerprint(const struct request *req, char out[SECRET_LEN + 1])
{
	const char *ua = req_header(req, "User-Agent");
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	if (ua)
		crypto_hash_sha256_update(&st, (const unsigned char *)ua, strlen(ua));
	crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)req->ip, strlen(req->ip));
	crypto_hash_sha256_final(&st, h);
	sodium_bin2base64(out, SECRET_LEN + 1, h, sizeof h, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Remember-me: this session passed the second factor recently, from this
 * client, and the route allows remembering. */
static bool
recently_passed(const struct request *req)
{
	const bson_t *tok = req->session.token_doc;
	char fp[SECRET_LEN + 1];
	const char *stored;
	bson_iter_t it;

	if (cfg.twofactor_remember_seconds == 0 || req->session.type != TOKEN_SESSION || tok == NULL ||
	    !bson_iter_init_find(&it, tok, "twoFactorAuthorizedUntil") ||
	    !BSON_ITER_HOLDS_DATE_TIME(&it) || bson_iter_date_time(&it) <= now_ms())
		return false;
	stored = bson_get_str(tok, "twoFactorAuthorizedHash");
	client_fingerprint(req, fp);
	return stored && secret_equal(stored, fp);
}

static void
remember(const struct request *req)
{
	char fp[SECRET_LEN + 1];
	bson_error_t e;

	if (req->session.type != TOKEN_SESSION || cfg.twofactor_remember_seconds == 0)
		return;
	client_fingerprint(req, fp);
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(req->session.token_hash));
	bson_t *upd = BCON_NEW("$set", "{", "twoFactorAuthorizedUntil",
	    BCON_DATE_TIME(now_ms() + cfg.twofactor_remember_seconds * 1000LL), "twoFactorAuthorizedHash", BCON_UTF8(fp), "}");
	if (!mongoc_collection_update_one(store_coll(COLL_TOKENS), sel, upd, NULL, NULL, &e))
		store_log_error(LOG_WARN, "could not remember 2FA on the session", &e);
	bson_destroy(sel);
	bson_destroy(upd);
}

enum err_kind
twofactor_code(const bson_t *user, const struct tf_methods *m, const char *method, const char *code,
    json_object **details)
{
	*details = NULL;
	if (code == NULL || *code == '\0') {
		enum err_kind why = twofactor_challenge(user, m, method, details);
		return why != ERR_NONE ? why : ERR_TOTP_REQUIRED;
	}
	switch (twofactor_verify(user, method, code)) {
	case TF_OK:
		return ERR_NONE;
	case TF_MAX_ATTEMPTS:
		*details = twofactor_details(m, method, user);
		return ERR_TOTP_MAX_ATTEMPTS;
	case TF_DB_ERROR:
		return ERR_DB_UNAVAILABLE;
	case TF_BUSY:
		return ERR_BUSY;
	case TF_INVALID:
	default:
		*details = twofactor_details(m, method, user);
		return ERR_TOTP_INVALID;
	}
}

bool
twofactor_answer_or_reply(struct request *req, enum err_kind why, json_object *details)
{
	switch (why) {
	case ERR_NONE:
		return true;
	case ERR_BUSY:
		json_object_put(details);
		return reply_hash_busy(req);
	case ERR_FORBIDDEN:
		json_object_put(details);
		reply_error(req, ERR_FORBIDDEN, "This action needs a second factor or a password, and this account has neither");
		return false;
	default:
		reply_error_ex(req, why, details, NULL);
		return false;
	}
}

enum err_kind
twofactor_check(struct request *req, const char *code, const char *asked, bool strict,
    json_object **details)
{
	const bson_t *user = req->session.user;
	struct tf_methods m;
	const char *method;
	enum err_kind why;

	*details = NULL;
	if (req->session.bypass_2fa || (!strict && recently_passed(req)))
		return ERR_NONE;
	twofactor_methods(user, &m);
	method = twofactor_pick(&m, asked, true);
	if (method == NULL)
		return ERR_FORBIDDEN;
	why = twofactor_code(user, &m, method, code, details);
	if (why == ERR_NONE && !strict)
		remember(req);
	return why;
}

/* Rocket.Chat's REST forms that take the code in the body ({code}). */
static const char *
body_code(const struct request *req)
{
	json_object *v;
	if (req->body && json_object_object_get_ex(req->body, "code", &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

bool
twofactor_check_or_reply(struct request *req)
{
	const char *code = req_header(req, "X-2fa-Code");
	bool strict = req->route && (req->route->flags & R_2FA_STRICT);
	json_object *details;
	enum err_kind why;

	if (code == NULL || *code == '\0')
		code = body_code(req);
	why = twofactor_check(req, code, req_header(req, "X-2fa-Method"), strict, &details);
	return twofactor_answer_or_reply(req, why, details);
}
