/* authenticator.c - the authenticator-app factor of the caller: enrolment
 * (a sealed temporary secret, confirmed by its first code), switching it
 * off, and the backup codes. Storage as Rocket.Chat's services.totp, with
 * the secret sealed (lib/secretbox.h) and the codes keyed (lib/totp.h). */
#include "security.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "ratelimit.h"
#include "seclog.h"
#include "secretbox.h"
#include "store.h"
#include "totp.h"
#include "twofactor.h"

static const char *
uid_of(const struct request *req)
{
	return req->session.user_id;
}

/* The result of an update: 1 changed a document, 0 none matched, -1 error
 * (logged). Consumes SEL and UPD. */
static int
update_user(bson_t *sel, bson_t *upd, const char *what)
{
	switch (store_claim_update(COLL_USERS, sel, upd)) {
	case CLAIM_OK:
		return 1;
	case CLAIM_LOST:
		return 0;
	default:
		log_warn("%s: database error", what);
		return -1;
	}
}

struct answer
totp_enable(struct request *req)
{
	const char *username = bson_get_str(req->session.user, "username");
	char secret[TOTP_SECRET_B32 + 1];
	char *sealed, *url, *svg;
	int rc;

	if (username == NULL)
		return ANSWER_ERR(ERR_INVALID_USER, NULL);
	if (bson_get_bool(req->session.user, "services.totp.enabled"))
		return ANSWER_ERR(ERR_2FA_ALREADY_ENABLED, NULL);
	totp_new_secret(secret);
	if ((sealed = secretbox_seal(uid_of(req), secret)) == NULL) {
		log_error("TOTP enrolment: no key to seal secrets with (secret_key or totp_keys)");
		sodium_memzero(secret, sizeof secret);
		return ANSWER_ERR(ERR_INTERNAL, NULL);
	}
	/* A new enrolment replaces one in progress, never an enabled one:
	 * the filter holds that, so it cannot race a confirmation. */
	rc = update_user(BCON_NEW("_id", BCON_UTF8(uid_of(req)), "services.totp.enabled", "{", "$ne", BCON_BOOL(true), "}"),
	    BCON_NEW("$set", "{", "services.totp", "{", "enabled", BCON_BOOL(false),
	        "tempSecretBox", BCON_UTF8(sealed), "}", "}"), "TOTP enrolment");
	free(sealed);
	if (rc <= 0) {
		sodium_memzero(secret, sizeof secret);
		return ANSWER_ERR(rc == 0 ? ERR_2FA_ALREADY_ENABLED : ERR_DB_UNAVAILABLE, NULL);
	}
	url = totp_otpauth_url(secret, username);
	svg = url ? qr_svg(url) : NULL;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "secret", json_object_new_string(secret));
	json_object_object_add(o, "url", json_object_new_string(url ? url : ""));
	if (svg)
		json_object_object_add(o, "qr", json_object_new_string(svg));
	if (url)
		sodium_memzero(url, strlen(url));
	free(url);
	free(svg);
	sodium_memzero(secret, sizeof secret);
	return ANSWER_OK(o);
}

static json_object *
codes_json(char codes[BACKUP_CODES][BACKUP_CODE_LEN + 1])
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	for (int i = 0; i < BACKUP_CODES; i++)
		json_object_array_add(arr, json_object_new_string(codes[i]));
	json_object_object_add(o, "codes", arr);
	sodium_memzero(codes, (size_t)BACKUP_CODES * (BACKUP_CODE_LEN + 1));
	return o;
}

/* The enrolment code is as guessable as any other: it takes a slot of the
 * same per-user limit as every second-factor check (twofactor.h). */
static enum err_kind
check_temp_code(struct request *req, const char *code, uint64_t *counter)
{
	struct rl_key k;

	rl_key_window(&k, "2fa", uid_of(req), TF_MAX_FAILURES, TF_WINDOW_S);
	switch (rl_take(&k)) {
	case RL_TAKEN:
		break;
	case RL_REFUSED:
		return ERR_TOTP_MAX_ATTEMPTS;
	default:
		return ERR_DB_UNAVAILABLE;
	}
	if (!totp_check_temp(req->session.user, code, counter)) {
		rl_failed(&k);
		return ERR_INVALID_TOTP;
	}
	rl_release(&k);
	return ERR_NONE;
}

struct answer
totp_validate(struct request *req, const char *code)
{
	const bson_t *user = req->session.user;
	const char *box = bson_get_str(user, "services.totp.tempSecretBox");
	const char *plain = bson_get_str(user, "services.totp.tempSecret");
	char codes[BACKUP_CODES][BACKUP_CODE_LEN + 1];
	uint64_t counter = 0;
	enum err_kind why;
	char *sealed;
	bson_t hashes;
	int rc;

	if (box == NULL && plain == NULL)
		return ANSWER_ERR(ERR_INVALID_TOTP, NULL);
	if ((why = check_temp_code(req, code, &counter)) != ERR_NONE)
		return ANSWER_ERR(why, NULL);
	sealed = box ? strdup(box) : secretbox_seal(uid_of(req), plain);
	bson_t *upd = bson_new(), set, totp;
	BSON_APPEND_DOCUMENT_BEGIN(upd, "$set", &set);
	BSON_APPEND_DOCUMENT_BEGIN(&set, "services.totp", &totp);
	BSON_APPEND_BOOL(&totp, "enabled", true);
	BSON_APPEND_UTF8(&totp, "secretBox", sealed ? sealed : "");
	BSON_APPEND_ARRAY_BEGIN(&totp, "hashedBackup", &hashes);
	bool made = sealed && totp_new_backup_codes(codes, &hashes);
	bson_append_array_end(&totp, &hashes);
	/* The enrolment code's step counts as used: it cannot sign in. */
	BSON_APPEND_INT64(&totp, "lastCounter", (int64_t)counter);
	bson_append_document_end(&set, &totp);
	bson_append_document_end(upd, &set);
	free(sealed);
	if (!made) {
		bson_destroy(upd);
		log_error("TOTP confirmation: no key for secrets or backup codes (secret_key)");
		return ANSWER_ERR(ERR_INTERNAL, NULL);
	}
	/* Only the enrolment this code belongs to is confirmed, once: the
	 * filter holds the temporary secret as it was read. */
	rc = update_user(box ? BCON_NEW("_id", BCON_UTF8(uid_of(req)), "services.totp.tempSecretBox", BCON_UTF8(box))
	                     : BCON_NEW("_id", BCON_UTF8(uid_of(req)), "services.totp.tempSecret", BCON_UTF8(plain)),
	    upd, "TOTP confirmation");
	if (rc <= 0) {
		sodium_memzero(codes, sizeof codes);
		return ANSWER_ERR(rc == 0 ? ERR_INVALID_TOTP : ERR_DB_UNAVAILABLE, NULL);
	}
	seclog_write(req, uid_of(req), SEC_TOTP_ENABLED, NULL);
	/* Rocket.Chat signs the other sessions out once TOTP is on. */
	signout_others(req);
	return ANSWER_OK(codes_json(codes));
}

struct answer
totp_disable(struct request *req)
{
	int rc = update_user(BCON_NEW("_id", BCON_UTF8(uid_of(req)), "services.totp.enabled", BCON_BOOL(true)),
	    BCON_NEW("$set", "{", "services.totp", "{", "enabled", BCON_BOOL(false), "}", "}"), "TOTP disable");
	json_object *o;

	if (rc < 0)
		return ANSWER_ERR(ERR_DB_UNAVAILABLE, NULL);
	if (rc > 0)
		seclog_write(req, uid_of(req), SEC_TOTP_DISABLED, NULL);
	o = json_object_new_object();
	json_object_object_add(o, "disabled", json_object_new_boolean(rc > 0));
	return ANSWER_OK(o);
}

struct answer
totp_regenerate(struct request *req)
{
	char codes[BACKUP_CODES][BACKUP_CODE_LEN + 1];
	bson_t hashes;
	int rc;

	if (!bson_get_bool(req->session.user, "services.totp.enabled"))
		return ANSWER_ERR(ERR_INVALID_TOTP, NULL);
	bson_t *upd = bson_new(), set;
	BSON_APPEND_DOCUMENT_BEGIN(upd, "$set", &set);
	BSON_APPEND_ARRAY_BEGIN(&set, "services.totp.hashedBackup", &hashes);
	bool made = totp_new_backup_codes(codes, &hashes);
	bson_append_array_end(&set, &hashes);
	bson_append_document_end(upd, &set);
	if (!made) {
		bson_destroy(upd);
		return ANSWER_ERR(ERR_INTERNAL, NULL);
	}
	rc = update_user(BCON_NEW("_id", BCON_UTF8(uid_of(req)), "services.totp.enabled", BCON_BOOL(true)), upd,
	    "backup codes");
	if (rc <= 0) {
		sodium_memzero(codes, sizeof codes);
		return ANSWER_ERR(rc == 0 ? ERR_INVALID_TOTP : ERR_DB_UNAVAILABLE, NULL);
	}
	seclog_write(req, uid_of(req), SEC_BACKUP_CODES_REGENERATED, NULL);
	return ANSWER_OK(codes_json(codes));
}

struct answer
totp_remaining(struct request *req)
{
	const bson_t *user = req->session.user;
	bson_iter_t it, arr;
	int n = 0;

	if (!bson_get_bool(user, "services.totp.enabled"))
		return ANSWER_ERR(ERR_INVALID_TOTP, NULL);
	if (bson_iter_init(&it, user) && bson_iter_find_descendant(&it, "services.totp.hashedBackup", &arr) &&
	    BSON_ITER_HOLDS_ARRAY(&arr) && bson_iter_recurse(&arr, &it))
		while (bson_iter_next(&it))
			n++;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "remaining", json_object_new_int(n));
	/* Ours: time to make new ones. */
	json_object_object_add(o, "warning", json_object_new_boolean(n <= cfg.backup_codes_warn_below));
	return ANSWER_OK(o);
}

enum err_kind
totp_code_check(struct request *req, const char *code)
{
	static const enum err_kind map[] = {
		[TF_OK] = ERR_NONE, [TF_INVALID] = ERR_TOTP_INVALID, [TF_MAX_ATTEMPTS] = ERR_TOTP_MAX_ATTEMPTS,
		[TF_DB_ERROR] = ERR_DB_UNAVAILABLE, [TF_BUSY] = ERR_BUSY,
	};
	if (!bson_get_bool(req->session.user, "services.totp.enabled"))
		return ERR_TOTP_INVALID;
	return map[twofactor_verify(req->session.user, "totp", code)];
}
