/* twofactor.c - see twofactor.h. */
#include "twofactor.h"

#include <liboath/oath.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "crypto.h"
#include "json.h"
#include "log.h"
#include "mail.h"
#include "mailtext.h"
#include "ratelimit.h"
#include "respond.h"
#include "store.h"
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

/* The stored code's hash: SHA-256 of "<user id>:<digits>". */
static void
email_code_hash(const char *user_id, const char *digits, char out[SHA256_HEX_LEN + 1])
{
	char salted[96];
	snprintf(salted, sizeof salted, "%s:%s", user_id, digits);
	sha256_hex(salted, strlen(salted), out);
	sodium_memzero(salted, sizeof salted);
}

/* A live (unexpired, not used up by wrong guesses) code's expiry, 0 when
 * none, -1 on a database error. */
static int64_t
live_email_code(const char *user_id)
{
	bson_error_t e;
	const bson_t *doc;
	int64_t expires = 0;
	bson_t *filter = BCON_NEW("_id", BCON_UTF8(user_id), "purpose", BCON_UTF8("2fa"),
	    "expiresAt", "{", "$gt", BCON_DATE_TIME(now_ms()), "}",
	    "attempts", "{", "$lt", BCON_INT32(EMAIL_CODE_MAX_ATTEMPTS), "}");
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_EMAIL_CODES), filter, NULL, NULL);
	if (mongoc_cursor_next(cur, &doc))
		expires = bson_get_date(doc, "expiresAt");
	if (mongoc_cursor_error(cur, &e))
		expires = -1;
	mongoc_cursor_destroy(cur);
	bson_destroy(filter);
	return expires;
}

int
twofactor_email_code(const bson_t *user, bool force_new, int64_t *expires)
{
	const char *uid = user_id_of(user), *to = user_verified_email(user);
	char digits[8], shown[8], hash[SHA256_HEX_LEN + 1], subject[128], body[1024];
	struct rl_key k;
	bson_error_t e;
	int64_t live;

	*expires = 0;
	if (to == NULL)
		return 0;
	if ((live = live_email_code(uid)) < 0)
		return -1;
	if (live > 0 && !force_new) {
		*expires = live;
		return 0;
	}
	/* Mailing costs: a few new codes per user per hour, then silence. */
	rl_key_set(&k, "2fa-mail", uid, EMAIL_CODES_PER_HOUR, 3600);
	if (!ratelimit_read(&k, 1, &e))
		return -1;
	if (ratelimit_over(&k, 1)) {
		*expires = live;
		return 0;
	}
	random_digits(digits, 6);
	email_code_hash(uid, digits, hash);
	*expires = now_ms() + EMAIL_CODE_TTL_MS;
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(uid));
	bson_t *upd = BCON_NEW("$set", "{", "purpose", BCON_UTF8("2fa"), "hash", BCON_UTF8(hash),
	    "expiresAt", BCON_DATE_TIME(*expires), "attempts", BCON_INT32(0), "}");
	bson_t *opts = BCON_NEW("upsert", BCON_BOOL(true));
	bool ok = mongoc_collection_update_one(store_coll(COLL_EMAIL_CODES), sel, upd, opts, NULL, &e);
	bson_destroy(opts);
	bson_destroy(upd);
	bson_destroy(sel);
	if (!ok)
		return -1;
	ratelimit_add(&k, 1);
	/* Shown as "123-456", as Rocket.Chat mails it. */
	snprintf(shown, sizeof shown, "%.3s-%.3s", digits, digits + 3);
	mail_text(user, MAIL_2FA_CODE, cfg.site_name, shown, subject, sizeof subject, body, sizeof body);
	int sent = mail_send(to, subject, body, *expires);
	sodium_memzero(digits, sizeof digits);
	sodium_memzero(shown, sizeof shown);
	sodium_memzero(body, sizeof body);
	return sent < 0 ? -1 : 1;
}

bool
twofactor_challenge(const bson_t *user, const struct tf_methods *m, const char *method,
    json_object **details)
{
	int64_t expires = 0;
	int generated = 0;

	*details = NULL;
	if (strcmp(method, "email") == 0 && (generated = twofactor_email_code(user, false, &expires)) < 0)
		return false;
	*details = details_of(m, method, user, generated > 0, expires);
	return true;
}

static int
otp_compare(void *handle, const char *test)
{
	const char *given = handle;
	return strlen(given) == strlen(test) && sodium_memcmp(given, test, strlen(test)) == 0 ? 0 : 1;
}

bool
totp_code_ok(const char *base32_secret, const char *code, time_t now, uint64_t *counter)
{
	char *secret = NULL;
	size_t len = 0;
	int pos;
	bool ok;

	if (strlen(code) != TOTP_DIGITS || strspn(code, "0123456789") != TOTP_DIGITS)
		return false;
	if (oath_base32_decode(base32_secret, strlen(base32_secret), &secret, &len) != OATH_OK)
		return false;
	ok = oath_totp_validate3_callback(secret, len, now, TOTP_STEP_S, 0, TOTP_DIGITS,
	    TOTP_WINDOW, &pos, counter, otp_compare, (void *)code) >= 0;
	sodium_memzero(secret, len);
	free(secret);
	return ok;
}

/* Runs an update that succeeds for exactly one caller (the filter holds the
 * claim), consuming SEL and UPD: TF_OK when it changed the document. */
static enum tf_result
claim(bson_t *sel, bson_t *upd)
{
	bson_error_t e;
	bson_t reply;
	bson_iter_t it;
	enum tf_result r = TF_INVALID;

	if (!mongoc_collection_update_one(store_coll(COLL_USERS), sel, upd, NULL, &reply, &e))
		r = TF_DB_ERROR;
	else if (bson_iter_init_find(&it, &reply, "modifiedCount") && bson_iter_as_int64(&it) == 1)
		r = TF_OK;
	bson_destroy(&reply);
	bson_destroy(sel);
	bson_destroy(upd);
	return r;
}

/* A TOTP code counts once: the matched step must be newer than the last
 * one used, recorded atomically so two racing requests cannot both pass. */
static enum tf_result
verify_totp(const bson_t *user, const char *code)
{
	const char *secret = bson_get_str(user, "services.totp.secret");
	uint64_t counter = 0;

	if (secret == NULL || !totp_code_ok(secret, code, time(NULL), &counter))
		return TF_INVALID;
	return claim(BCON_NEW("_id", BCON_UTF8(user_id_of(user)),
	        "$or", "[", "{", "services.totp.lastCounter", BCON_NULL, "}",
	            "{", "services.totp.lastCounter", "{", "$lt", BCON_INT64((int64_t)counter), "}", "}", "]"),
	    BCON_NEW("$set", "{", "services.totp.lastCounter", BCON_INT64((int64_t)counter), "}"));
}

/* Backup codes are stored as hex SHA-256 and used up atomically by $pull. */
static enum tf_result
verify_backup(const bson_t *user, const char *code)
{
	char hash[SHA256_HEX_LEN + 1];

	sha256_hex(code, strlen(code), hash);
	return claim(BCON_NEW("_id", BCON_UTF8(user_id_of(user)), "services.totp.hashedBackup", BCON_UTF8(hash)),
	    BCON_NEW("$pull", "{", "services.totp.hashedBackup", BCON_UTF8(hash), "}"));
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

/* Email codes: mailed on demand, stored hashed; deleting the matching live
 * code checks and uses it up at once; a wrong guess counts against it. */
static enum tf_result
verify_email(const bson_t *user, const char *code)
{
	char digits[16], hash[SHA256_HEX_LEN + 1];
	size_t n = 0;
	bson_error_t e;
	bson_t reply;
	enum tf_result r = TF_INVALID;
	const char *uid = user_id_of(user);

	/* Rocket.Chat strips everything but digits ("123-456"). */
	for (const char *p = code; *p && n < sizeof digits - 1; p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	digits[n] = '\0';
	if (n != 6)
		return TF_INVALID;
	email_code_hash(uid, digits, hash);
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(uid), "purpose", BCON_UTF8("2fa"),
	    "hash", BCON_UTF8(hash), "expiresAt", "{", "$gt", BCON_DATE_TIME(now_ms()), "}",
	    "attempts", "{", "$lt", BCON_INT32(EMAIL_CODE_MAX_ATTEMPTS), "}");
	if (mongoc_collection_delete_one(store_coll(COLL_EMAIL_CODES), sel, NULL, &reply, &e)) {
		bson_iter_t it;
		if (bson_iter_init_find(&it, &reply, "deletedCount") && bson_iter_as_int64(&it) == 1)
			r = TF_OK;
	} else {
		r = TF_DB_ERROR;
	}
	bson_destroy(&reply);
	bson_destroy(sel);
	if (r == TF_INVALID) {
		bson_t *id = BCON_NEW("_id", BCON_UTF8(uid));
		bson_t *inc = BCON_NEW("$inc", "{", "attempts", BCON_INT32(1), "}");
		mongoc_collection_update_one(store_coll(COLL_EMAIL_CODES), id, inc, NULL, NULL, NULL);
		bson_destroy(inc);
		bson_destroy(id);
	}
	return r;
}

static enum tf_result
verify_method(const bson_t *user, const char *method, const char *code)
{
	if (strcmp(method, "totp") == 0)
		return strlen(code) == BACKUP_CODE_LEN ? verify_backup(user, code) : verify_totp(user, code);
	if (strcmp(method, "email") == 0)
		return verify_email(user, code);
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
		if (!twofactor_challenge(user, &m, method, &details))
			reply_error(req, ERR_DB_UNAVAILABLE, NULL);
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
