/* session.c - see session.h. */
#include "session.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "log.h"
#include "seclog.h"
#include "utf8.h"
#include "respond.h"
#include "store.h"
#include "validate.h"

void
csrf_for_token(const char *token, char out[64])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)"csrf:", 5);
	crypto_hash_sha256_update(&st, (const unsigned char *)token, strlen(token));
	crypto_hash_sha256_final(&st, h);
	sodium_bin2base64(out, 64, h, sizeof h, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Throttled activity record: one write per token per ACTIVITY_WRITE_MS. */
void
session_touch(struct request *req)
{
	const bson_t *tok = req->session.token_doc;
	int64_t now = now_ms();
	bson_error_t e;
	char ua[256];

	if (now - bson_get_date(tok, "lastUsedAt") < ACTIVITY_WRITE_MS)
		return;
	utf8_copy_printable(ua, sizeof ua, req_header(req, "User-Agent"));
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(req->session.token_hash));
	bson_t *upd = BCON_NEW("$set", "{",
	    "lastUsedAt", BCON_DATE_TIME(now),
	    "ip", BCON_UTF8(req->ip),
	    "userAgent", BCON_UTF8(ua), "}");
	/* Best effort: failing to record activity must not fail the request. */
	if (!mongoc_collection_update_one(store_coll(COLL_TOKENS), sel, upd, NULL, NULL, &e))
		store_log_error(LOG_WARN, "could not record token activity", &e);
	bson_destroy(sel);
	bson_destroy(upd);
}

static bool
cookie_secure(const struct request *req)
{
	if (strcmp(cfg.cookie_secure, "yes") == 0)
		return true;
	if (strcmp(cfg.cookie_secure, "no") == 0)
		return false;
	return req->https;
}

void
session_cookies(struct request *req, const char *token, int64_t expires_ms)
{
	const char *secure = cookie_secure(req) ? "; Secure" : "";
	long max_age = token ? (long)((expires_ms - now_ms()) / 1000) : 0;
	char csrf[64] = "";

	if (token)
		csrf_for_token(token, csrf);
	resp_header(req, "Set-Cookie: %s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Strict%s",
	    COOKIE_SESSION, token ? token : "", max_age, secure);
	/* Readable by the SPA so it can echo it in X-CSRF-Token. */
	resp_header(req, "Set-Cookie: %s=%s; Path=/; Max-Age=%ld; SameSite=Strict%s",
	    COOKIE_CSRF, csrf, max_age, secure);
}

bool
session_create_or_reply(struct request *req, const char *user_id, char token_out[64], int64_t *expires_ms)
{
	char hash[TOKEN_HASH_LEN + 1], sid[17];
	const char *ua = req_header(req, "User-Agent");
	int64_t now = now_ms(), expires = now + (int64_t)cfg.session_days * 86400000;
	bson_error_t e;
	bool ok;

	random_secret(token_out);
	token_hash(token_out, hash);
	random_id(sid, 16);
	/* User agents are attacker-chosen text: keep them bounded and plain. */
	char agent[256];
	utf8_copy_printable(agent, sizeof agent, ua);
	bson_t *doc = BCON_NEW(
	    "_id", BCON_UTF8(hash),
	    "userId", BCON_UTF8(user_id),
	    "type", BCON_UTF8("session"),
	    "sid", BCON_UTF8(sid),
	    "createdAt", BCON_DATE_TIME(now),
	    "expiresAt", BCON_DATE_TIME(expires),
	    "purgeAt", BCON_DATE_TIME(expires),
	    "lastUsedAt", BCON_DATE_TIME(now),
	    "ip", BCON_UTF8(req->ip),
	    "userAgent", BCON_UTF8(agent));
	ok = mongoc_collection_insert_one(store_coll(COLL_TOKENS), doc, NULL, NULL, &e);
	bson_destroy(doc);
	if (!ok)
		return reply_store_error(req, &e, "create session");
	*expires_ms = expires;
	return true;
}

int64_t
session_revoke(const struct request *req, const char *user_id, enum revoke_scope scope,
    const char *sid, bson_error_t *e)
{
	static const struct { enum seclog_event ev; const char *detail; } logged[] = {
		[REVOKE_CURRENT] = { SEC_LOGOUT, NULL },
		[REVOKE_ONE] = { SEC_SESSIONS_REVOKED, "one" },
		[REVOKE_OTHERS] = { SEC_SESSIONS_REVOKED, "others" },
		[REVOKE_ALL] = { SEC_SESSIONS_REVOKED, "all" },
	};
	bson_t *sel = BCON_NEW("userId", BCON_UTF8(user_id));
	bson_t reply;
	int64_t n = -1;

	if (scope == REVOKE_CURRENT)
		BSON_APPEND_UTF8(sel, "_id", req->session.token_hash);
	else
		BSON_APPEND_UTF8(sel, "type", "session");
	if (scope == REVOKE_ONE)
		BSON_APPEND_UTF8(sel, "sid", sid);
	if (scope == REVOKE_OTHERS)
		BCON_APPEND(sel, "_id", "{", "$ne", BCON_UTF8(req->session.token_hash), "}");
	if (mongoc_collection_delete_many(store_coll(COLL_TOKENS), sel, NULL, &reply, e)) {
		bson_iter_t it;
		n = bson_iter_init_find(&it, &reply, "deletedCount") ? bson_iter_as_int64(&it) : 0;
	}
	bson_destroy(&reply);
	bson_destroy(sel);
	if (n > 0 || (n == 0 && scope == REVOKE_OTHERS))
		seclog_write(req, user_id, logged[scope].ev, logged[scope].detail);
	return n;
}
