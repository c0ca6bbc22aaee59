/* caller.c - see caller.h. */
#include "caller.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "json.h"
#include "log.h"
#include "respond.h"
#include "session.h"
#include "store.h"

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

/* Forgets whatever the lookup found: the caller is nobody. */
static enum caller_result
refused(struct request *req)
{
	struct session *s = &req->session;
	if (s->user)
		bson_destroy(s->user);
	if (s->token_doc)
		bson_destroy(s->token_doc);
	memset(s, 0, sizeof *s);
	return CALLER_REFUSED;
}

enum caller_result
auth_token(struct request *req, const char *uid)
{
	struct session *s = &req->session;
	bson_error_t e;
	bson_iter_t it;
	int found;

	if (!token_shape_ok(s->token))
		return refused(req);
	token_hash(s->token, s->token_hash);
	found = lookup(req, uid, &e);
	if (found < 0) {
		reply_store_error(req, &e, "auth lookup");
		return CALLER_FAILED;
	}
	if (found == 0)
		return refused(req);
	/* A disabled account keeps its tokens but cannot use them. */
	if (bson_iter_init_find(&it, s->user, "active") && !bson_iter_as_bool(&it))
		return refused(req);
	const char *type = bson_get_str(s->token_doc, "type");
	const char *id = bson_get_str(s->token_doc, "userId");
	const char *sid = bson_get_str(s->token_doc, "sid");
	if (id == NULL || strlen(id) >= sizeof s->user_id)
		return refused(req);
	snprintf(s->user_id, sizeof s->user_id, "%s", id);
	snprintf(s->sid, sizeof s->sid, "%s", sid ? sid : "");
	s->type = type && strcmp(type, "personalAccessToken") == 0 ? TOKEN_PAT : TOKEN_SESSION;
	/* Personal access tokens are for scripts, not for browser cookies. */
	if (s->via_cookie && s->type == TOKEN_PAT)
		return refused(req);
	s->bypass_2fa = s->type == TOKEN_PAT && bson_get_bool(s->token_doc, "bypassTwoFactor");
	s->ok = true;
	session_touch(req);
	return CALLER_OK;
}

enum caller_result
auth_request(struct request *req)
{
	struct session *s = &req->session;
	const char *uid = req_header(req, "X-User-Id");
	const char *tok = req_header(req, "X-Auth-Token");

	if (uid && tok) {
		if (strlen(uid) >= sizeof s->user_id || strlen(tok) >= sizeof s->token ||
		    strspn(uid, ID_CHARS) != strlen(uid))
			return refused(req);
		snprintf(s->token, sizeof s->token, "%s", tok);
		return auth_token(req, uid);
	}
	if (req_cookie(req, COOKIE_SESSION, s->token, sizeof s->token)) {
		s->via_cookie = true;
		return auth_token(req, NULL);
	}
	return CALLER_ABSENT;
}

bool
csrf_check_or_reply(struct request *req)
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

