/* auth.c - see auth.h. */
#include "auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "json.h"
#include "log.h"
#include "respond.h"
#include "store.h"

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

/* User ids are ours (Random.id) or an admin's import: plain ASCII. */
#define ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."

/* Tokens are base64url text; anything else cannot be one of ours and is
 * refused before it reaches the database. */
static bool
token_shape_ok(const char *t)
{
	size_t n = strlen(t);
	return n >= 16 && n < 128 && strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

/* Copies SRC as printable ASCII (others become '?'), bounded by N. */
static void
copy_printable(char *dst, size_t n, const char *src)
{
	size_t i = 0;
	for (; src && src[i] && i + 1 < n; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

/* Throttled activity record: one write per token per ACTIVITY_WRITE_MS. */
static void
touch_token(struct request *req, const bson_t *tok)
{
	int64_t now = now_ms();
	bson_error_t e;
	char ua[256];

	if (now - bson_get_date(tok, "lastUsedAt") < ACTIVITY_WRITE_MS)
		return;
	copy_printable(ua, sizeof ua, req_header(req, "User-Agent"));
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(req->session.token_hash));
	bson_t *upd = BCON_NEW("$set", "{",
	    "lastUsedAt", BCON_DATE_TIME(now),
	    "ip", BCON_UTF8(req->ip),
	    "userAgent", BCON_UTF8(ua), "}");
	/* Best effort: failing to record activity must not fail the request. */
	if (!mongoc_collection_update_one(store_coll(COLL_TOKENS), sel, upd, NULL, NULL, &e))
		log_warn("could not record token activity: %s", e.message);
	bson_destroy(sel);
	bson_destroy(upd);
}

/* Runs the one lookup: token by hash (and user id when given), unexpired,
 * joined with its user. Returns 1 found, 0 not found, -1 database error. */
static int
lookup(struct request *req, const char *user_id, bson_error_t *e)
{
	struct session *s = &req->session;
	const bson_t *doc;
	mongoc_cursor_t *cur;
	int found = 0;

	bson_t *match = BCON_NEW("_id", BCON_UTF8(s->token_hash),
	    "$or", "[", "{", "expiresAt", BCON_NULL, "}",
	                "{", "expiresAt", "{", "$gt", BCON_DATE_TIME(now_ms()), "}", "}", "]");
	if (user_id)
		BSON_APPEND_UTF8(match, "userId", user_id);
	bson_t *pipeline = BCON_NEW("pipeline", "[",
	    "{", "$match", BCON_DOCUMENT(match), "}",
	    "{", "$lookup", "{", "from", BCON_UTF8(store_coll_name(COLL_USERS)),
	        "localField", BCON_UTF8("userId"), "foreignField", BCON_UTF8("_id"),
	        "as", BCON_UTF8("user"), "}", "}",
	    "]");
	bson_destroy(match);

	cur = mongoc_collection_aggregate(store_coll(COLL_TOKENS), MONGOC_QUERY_NONE,
	    pipeline, NULL, NULL);
	if (mongoc_cursor_next(cur, &doc)) {
		bson_iter_t it, arr;
		if (bson_iter_init_find(&it, doc, "user") && BSON_ITER_HOLDS_ARRAY(&it) &&
		    bson_iter_recurse(&it, &arr) && bson_iter_next(&arr) &&
		    BSON_ITER_HOLDS_DOCUMENT(&arr)) {
			const uint8_t *data;
			uint32_t len;
			bson_iter_document(&arr, &len, &data);
			s->user = bson_new_from_data(data, len);
			s->token_doc = bson_copy(doc);
			found = 1;
		}
	}
	if (mongoc_cursor_error(cur, e))
		found = -1;
	mongoc_cursor_destroy(cur);
	bson_destroy(pipeline);
	return found;
}

static bool
fail_401(struct request *req)
{
	struct session *s = &req->session;
	if (s->user)
		bson_destroy(s->user);
	if (s->token_doc)
		bson_destroy(s->token_doc);
	memset(s, 0, sizeof *s);
	reply_error(req, ERR_UNAUTHORIZED, NULL);
	return false;
}

bool
auth_token(struct request *req, const char *uid)
{
	struct session *s = &req->session;
	bson_error_t e;
	bson_iter_t it;
	int found;

	if (!token_shape_ok(s->token))
		return fail_401(req);
	token_hash(s->token, s->token_hash);
	found = lookup(req, uid, &e);
	if (found < 0)
		return store_fail(req, &e, "auth lookup");
	if (found == 0)
		return fail_401(req);
	/* A disabled account keeps its tokens but cannot use them. */
	if (bson_iter_init_find(&it, s->user, "active") && !bson_iter_as_bool(&it))
		return fail_401(req);
	const char *type = bson_get_str(s->token_doc, "type");
	const char *id = bson_get_str(s->token_doc, "userId");
	const char *sid = bson_get_str(s->token_doc, "sid");
	if (id == NULL || strlen(id) >= sizeof s->user_id)
		return fail_401(req);
	snprintf(s->user_id, sizeof s->user_id, "%s", id);
	snprintf(s->sid, sizeof s->sid, "%s", sid ? sid : "");
	s->type = type && strcmp(type, "personalAccessToken") == 0 ? TOKEN_PAT : TOKEN_SESSION;
	/* Personal access tokens are for scripts, not for browser cookies. */
	if (s->via_cookie && s->type == TOKEN_PAT)
		return fail_401(req);
	s->bypass_2fa = s->type == TOKEN_PAT && bson_get_bool(s->token_doc, "bypassTwoFactor");
	s->ok = true;
	touch_token(req, s->token_doc);
	return true;
}

bool
auth_request(struct request *req)
{
	struct session *s = &req->session;
	const char *uid = req_header(req, "X-User-Id");
	const char *tok = req_header(req, "X-Auth-Token");

	if (uid && tok) {
		if (strlen(uid) >= sizeof s->user_id || strlen(tok) >= sizeof s->token ||
		    strspn(uid, ID_CHARS) != strlen(uid))
			return fail_401(req);
		snprintf(s->token, sizeof s->token, "%s", tok);
		return auth_token(req, uid);
	}
	if (req_cookie(req, COOKIE_SESSION, s->token, sizeof s->token)) {
		s->via_cookie = true;
		return auth_token(req, NULL);
	}
	return false;
}

bool
auth_check_csrf(struct request *req)
{
	char want[64];
	const char *got = req_header(req, HEADER_CSRF);

	if (!req->session.via_cookie)
		return true;
	csrf_for_token(req->session.token, want);
	if (got && secret_equal(got, want))
		return true;
	reply_error(req, ERR_CSRF, NULL);
	return false;
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
session_create(struct request *req, const char *user_id, char token_out[64], int64_t *expires_ms)
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
	copy_printable(agent, sizeof agent, ua);
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
		return store_fail(req, &e, "create session");
	*expires_ms = expires;
	return true;
}
