/* tokens.c - Personal Access Tokens: create (optionally ignoring 2FA, with
 * an optional expiry), list, regenerate, remove. Creating, regenerating and
 * removing need the second factor (lib/twofactor.c). A token is shown once,
 * in the answer that makes it; only its hash is stored. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "crypto.h"
#include "json.h"
#include "log.h"
#include "respond.h"
#include "store.h"
#include "xalloc.h"

#define BODY_MAX        2048
#define NAME_MAX_CHARS  64
#define LAST_PART_LEN   6
#define MAX_AHEAD_MS    (3650LL * 86400 * 1000)     /* expiry at most ten years ahead */
#define PAT_TYPE        "personalAccessToken"
#define SHOWN_EXPIRED_MS (30LL * 86400 * 1000)      /* listed as expired, then purged */

static const char *
check_expiry(json_object *v)
{
	int64_t ms;
	if (!parse_iso_date(json_object_get_string(v), &ms))
		return "must be a date like 2027-01-31T23:59:59Z";
	if (ms <= now_ms())
		return "must be in the future";
	if (ms > now_ms() + MAX_AHEAD_MS)
		return "must be at most ten years ahead";
	return NULL;
}

static const struct field generate_fields[] = {
	{ "tokenName", F_STRING, F_REQUIRED | F_NO_CTRL, 1, NAME_MAX_CHARS, NULL, NULL, 0, NULL },
	{ "bypassTwoFactor", F_BOOL, 0, 0, 0, NULL, NULL, 0, NULL },
	{ "expiresAt", F_STRING, F_NULLABLE, 20, 40, NULL, NULL, 0, check_expiry },
	FIELD_END
};

static const struct field name_fields[] = {
	{ "tokenName", F_STRING, F_REQUIRED | F_NO_CTRL, 1, NAME_MAX_CHARS, NULL, NULL, 0, NULL },
	FIELD_END
};

/* "<user id>/<name>": unique (sparse index) so two racing creations of one
 * name cannot both succeed; sessions have no such field. */
static char *
pat_key_new(const struct request *req, const char *name)
{
	size_t n = strlen(req->session.user_id) + 1 + strlen(name) + 1;
	char *key = xmalloc(n);         /* whole: a cut key would collide */
	snprintf(key, n, "%s/%s", req->session.user_id, name);
	return key;
}

/* Inserts a new token named NAME; TOKEN gets the plain value. Returns
 * false after answering (duplicate name, database error). */
static bool
insert_token(struct request *req, const char *name, bool bypass, int64_t expires,
    char token[SECRET_LEN + 1])
{
	char hash[TOKEN_HASH_LEN + 1], *key;
	bson_error_t e;
	bool ok;

	random_secret(token);
	token_hash(token, hash);
	key = pat_key_new(req, name);
	bson_t *doc = BCON_NEW(
	    "_id", BCON_UTF8(hash),
	    "userId", BCON_UTF8(req->session.user_id),
	    "type", BCON_UTF8(PAT_TYPE),
	    "name", BCON_UTF8(name),
	    "patKey", BCON_UTF8(key),
	    "createdAt", BCON_DATE_TIME(now_ms()),
	    "lastTokenPart", BCON_UTF8(token + SECRET_LEN - LAST_PART_LEN),
	    "bypassTwoFactor", BCON_BOOL(bypass));
	if (expires) {
		BSON_APPEND_DATE_TIME(doc, "expiresAt", expires);
		BSON_APPEND_DATE_TIME(doc, "purgeAt", expires + SHOWN_EXPIRED_MS);
	}
	ok = mongoc_collection_insert_one(store_coll(COLL_TOKENS), doc, NULL, NULL, &e);
	bson_destroy(doc);
	free(key);
	if (ok)
		return true;
	if (store_is_duplicate(&e)) {
		reply_error_ex(req, ERR_CONFLICT, "error-token-already-exists", NULL,
		    "A token with this name already exists");
		return false;
	}
	return store_fail(req, &e, "insert personal access token");
}

static void
reply_token(struct request *req, const char *token)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "token", json_object_new_string(token));
	reply_ok(req, o);
}

/* The caller's token count, answered 503 on error (-1). */
static int64_t
count_tokens(struct request *req)
{
	bson_error_t e;
	bson_t *filter = BCON_NEW("userId", BCON_UTF8(req->session.user_id), "type", BCON_UTF8(PAT_TYPE));
	int64_t n = mongoc_collection_count_documents(store_coll(COLL_TOKENS), filter, NULL, NULL, NULL, &e);
	bson_destroy(filter);
	if (n < 0)
		store_fail(req, &e, "count personal access tokens");
	return n;
}

static void
generate(struct request *req)
{
	const char *name = body_str(req, "tokenName");
	const char *exp = body_str(req, "expiresAt");
	char token[SECRET_LEN + 1];
	int64_t expires = 0, n;

	if (exp && !parse_iso_date(exp, &expires))
		expires = 0;    /* validated already; unreachable */
	if ((n = count_tokens(req)) < 0)
		return;
	if (n >= cfg.personal_access_tokens_max_per_user) {
		reply_error_ex(req, ERR_CONFLICT, "error-too-many-tokens", NULL,
		    "You have %ld personal access tokens, the most allowed; remove one first",
		    cfg.personal_access_tokens_max_per_user);
		return;
	}
	if (!insert_token(req, name, body_bool(req, "bypassTwoFactor", false), expires, token))
		return;
	log_info("personal access token created user=%s", req->session.user_id);
	reply_token(req, token);
	sodium_memzero(token, sizeof token);
}

/* Removes the caller's token NAME; OLD (may be NULL) gets a copy of it.
 * Returns 1 removed, 0 none such (answered), -1 database error (answered). */
static int
remove_token(struct request *req, const char *name, bson_t *old)
{
	bson_error_t e;
	bson_t reply;
	bson_iter_t it;
	int rc = 0;
	bson_t *sel = BCON_NEW("userId", BCON_UTF8(req->session.user_id), "type", BCON_UTF8(PAT_TYPE),
	    "name", BCON_UTF8(name));
	mongoc_find_and_modify_opts_t *opts = mongoc_find_and_modify_opts_new();

	mongoc_find_and_modify_opts_set_flags(opts, MONGOC_FIND_AND_MODIFY_REMOVE);
	if (!mongoc_collection_find_and_modify_with_opts(store_coll(COLL_TOKENS), sel, opts, &reply, &e)) {
		rc = -1;
		store_fail(req, &e, "remove personal access token");
	} else if (bson_iter_init_find(&it, &reply, "value") && BSON_ITER_HOLDS_DOCUMENT(&it)) {
		rc = 1;
		if (old) {
			const uint8_t *data;
			uint32_t len;
			bson_t view;
			bson_iter_document(&it, &len, &data);
			bson_init_static(&view, data, len);
			bson_copy_to(&view, old);
		}
	} else {
		reply_error_ex(req, ERR_CONFLICT, "error-token-does-not-exists", NULL, "Token does not exist");
	}
	/* OLD was copied out of REPLY above, so REPLY can go. */
	bson_destroy(&reply);
	mongoc_find_and_modify_opts_destroy(opts);
	bson_destroy(sel);
	return rc;
}

static void
regenerate(struct request *req)
{
	const char *name = body_str(req, "tokenName");
	char token[SECRET_LEN + 1];
	bson_t old;

	if (remove_token(req, name, &old) != 1)
		return;
	/* Same name, same 2FA bypass and expiry; a new secret. */
	bool bypass = bson_get_bool(&old, "bypassTwoFactor");
	int64_t expires = bson_get_date(&old, "expiresAt");
	bson_destroy(&old);
	if (!insert_token(req, name, bypass, expires, token))
		return;
	log_info("personal access token regenerated user=%s", req->session.user_id);
	reply_token(req, token);
	sodium_memzero(token, sizeof token);
}

static void
remove_one(struct request *req)
{
	if (remove_token(req, body_str(req, "tokenName"), NULL) == 1)
		reply_ok(req, NULL);
}

static void
list(struct request *req)
{
	bson_error_t e;
	const bson_t *doc;
	int64_t now = now_ms();
	json_object *tokens = json_object_new_array(), *o;
	bson_t *filter = BCON_NEW("userId", BCON_UTF8(req->session.user_id), "type", BCON_UTF8(PAT_TYPE));
	bson_t *opts = BCON_NEW("sort", "{", "createdAt", BCON_INT32(1), "}");
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_TOKENS), filter, opts, NULL);

	while (mongoc_cursor_next(cur, &doc)) {
		json_object *t = json_object_new_object();
		int64_t expires = bson_get_date(doc, "expiresAt"), used = bson_get_date(doc, "lastUsedAt");
		const char *name = bson_get_str(doc, "name"), *last = bson_get_str(doc, "lastTokenPart");
		json_object_object_add(t, "name", json_object_new_string(name ? name : ""));
		json_object_object_add(t, "createdAt", json_date(bson_get_date(doc, "createdAt")));
		json_object_object_add(t, "lastTokenPart", json_object_new_string(last ? last : ""));
		json_object_object_add(t, "bypassTwoFactor", json_object_new_boolean(bson_get_bool(doc, "bypassTwoFactor")));
		if (expires)
			json_object_object_add(t, "expiresAt", json_date(expires));
		json_object_object_add(t, "expired", json_object_new_boolean(expires && expires <= now));
		if (used)
			json_object_object_add(t, "lastUsedAt", json_date(used));
		json_object_array_add(tokens, t);
	}
	bool failed = mongoc_cursor_error(cur, &e);
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	if (failed) {
		json_object_put(tokens);
		store_fail(req, &e, "list personal access tokens");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "tokens", tokens);
	reply_ok(req, o);
}

#define PAT &cfg.personal_access_tokens_enabled

static const struct route routes[] = {
	{ "GET", "/api/v1/users.getPersonalAccessTokens", AUTH_USER, 0, NULL, NULL, 0, list,
	  "the caller's tokens (never their values)", PAT },
	{ "POST", "/api/v1/users.generatePersonalAccessToken", AUTH_USER, BODY_MAX, generate_fields,
	  NULL, R_FORM | R_2FA, generate, "create a token; shown once", PAT },
	{ "POST", "/api/v1/users.regeneratePersonalAccessToken", AUTH_USER, BODY_MAX, name_fields,
	  NULL, R_FORM | R_2FA, regenerate, "replace a token's secret; shown once", PAT },
	{ "POST", "/api/v1/users.removePersonalAccessToken", AUTH_USER, BODY_MAX, name_fields,
	  NULL, R_FORM | R_2FA, remove_one, "delete a token", PAT },
	ROUTE_END
};

int
main(int argc, char **argv)
{
	static const struct program prog = {
		"tokens", "Personal access tokens for scripts and integrations (Rocket.Chat REST API v1).",
		routes,
	};
	return app_main(argc, argv, &prog);
}
