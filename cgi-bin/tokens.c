/* tokens.c - Personal Access Tokens: create (optionally ignoring 2FA, with
 * an optional expiry), list, regenerate, remove. Creating, regenerating and
 * removing need the second factor (lib/twofactor.c). A token is shown once,
 * in the answer that makes it; only its hash is stored. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "crypto.h"
#include "json.h"
#include "log.h"
#include "respond.h"
#include "seclog.h"
#include "store.h"
#include "twofactor.h"

#define BODY_MAX        2048
#define NAME_MAX_CHARS  64
#define LAST_PART_LEN   6
#define MAX_AHEAD_MS    (3650LL * 86400 * 1000)     /* expiry at most ten years ahead */
#define PAT_TYPE        "personalAccessToken"
#define SHOWN_EXPIRED_MS (30LL * 86400 * 1000)      /* listed as expired, then purged */

static const char *
check_expiry(json_object *v)
{
	int64_t ms = 0;
	/* F_DATE has parsed it already; this only judges the value. */
	parse_iso_date(json_object_get_string(v), &ms);
	if (ms <= now_ms())
		return "must be in the future";
	if (ms > now_ms() + MAX_AHEAD_MS)
		return "must be at most ten years ahead";
	return NULL;
}

#define TOKEN_NAME_FIELD { .name = "tokenName", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL, \
                           .min = 1, .max = NAME_MAX_CHARS }

enum { GEN_NAME, GEN_BYPASS, GEN_EXPIRES };
static const struct field generate_fields[] = {
	[GEN_NAME] = TOKEN_NAME_FIELD,
	[GEN_BYPASS] = FIELD_BOOL("bypassTwoFactor"),
	[GEN_EXPIRES] = { .name = "expiresAt", .type = F_DATE, .flags = F_NULLABLE, .check = check_expiry },
	FIELD_END
};

enum { NAME_NAME };
static const struct field name_fields[] = {
	[NAME_NAME] = TOKEN_NAME_FIELD,
	FIELD_END
};

/* "<user id>/<name>": unique (sparse index) so two racing creations of one
 * name cannot both succeed; sessions have no such field. SUFFIX (may be
 * NULL) marks a token being regenerated. Caller frees. */
static char *
pat_key(const struct request *req, const char *name, const char *suffix)
{
	return bson_strdup_printf("%s/%s%s%s", req->session.user_id, name,
	    suffix ? "\x1f" : "", suffix ? suffix : "");
}

/* Inserts a new token named NAME under KEY; TOKEN gets the plain value and
 * HASH its _id. Returns false after answering (duplicate name, database). */
static bool
insert_token_or_reply(struct request *req, const char *name, const char *key, bool bypass,
    int64_t created, int64_t expires, char token[SECRET_LEN + 1], char hash[TOKEN_HASH_LEN + 1])
{
	bson_error_t e;
	bool ok;

	random_secret(token);
	token_hash(token, hash);
	bson_t *doc = BCON_NEW(
	    "_id", BCON_UTF8(hash),
	    "userId", BCON_UTF8(req->session.user_id),
	    "type", BCON_UTF8(PAT_TYPE),
	    "name", BCON_UTF8(name),
	    "patKey", BCON_UTF8(key),
	    "createdAt", BCON_DATE_TIME(created),
	    "lastTokenPart", BCON_UTF8(token + SECRET_LEN - LAST_PART_LEN),
	    "bypassTwoFactor", BCON_BOOL(bypass));
	if (expires) {
		BSON_APPEND_DATE_TIME(doc, "expiresAt", expires);
		BSON_APPEND_DATE_TIME(doc, "purgeAt", expires + SHOWN_EXPIRED_MS);
	}
	ok = mongoc_collection_insert_one(store_coll(COLL_TOKENS), doc, NULL, NULL, &e);
	bson_destroy(doc);
	if (ok)
		return true;
	if (store_is_duplicate(&e)) {
		reply_error(req, ERR_TOKEN_EXISTS, NULL);
		return false;
	}
	return reply_store_error(req, &e, "insert personal access token");
}

/* Best effort: a token this request made and must take back. */
static void
delete_token(const char *hash)
{
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(hash));
	if (!mongoc_collection_delete_one(store_coll(COLL_TOKENS), sel, NULL, NULL, NULL))
		log_warn("could not take back a personal access token");
	bson_destroy(sel);
}

static void
reply_token(struct request *req, const char *token)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "token", json_object_new_string(token));
	reply_ok(req, o);
}

/* How many of the caller's tokens were made before HASH (created at
 * CREATED): the new token's place in line. -1 after answering 503. */
static int64_t
tokens_before(struct request *req, const char *hash, int64_t created)
{
	bson_error_t e;
	bson_t *filter = BCON_NEW("userId", BCON_UTF8(req->session.user_id), "type", BCON_UTF8(PAT_TYPE),
	    "$or", "[",
	        "{", "createdAt", "{", "$lt", BCON_DATE_TIME(created), "}", "}",
	        "{", "createdAt", BCON_DATE_TIME(created), "_id", "{", "$lt", BCON_UTF8(hash), "}", "}",
	    "]");
	int64_t n = mongoc_collection_count_documents(store_coll(COLL_TOKENS), filter, NULL, NULL, NULL, &e);
	bson_destroy(filter);
	if (n < 0)
		reply_store_error(req, &e, "count personal access tokens");
	return n;
}

/* A personal access token may create others, but none that outlives it. */
static bool
expiry_allowed_or_reply(struct request *req, int64_t expires)
{
	int64_t own;

	if (req->session.type != TOKEN_PAT || (own = bson_get_date(req->session.token_doc, "expiresAt")) == 0)
		return true;
	if (expires != 0 && expires <= own)
		return true;
	reply_error(req, ERR_TOKEN_OUTLIVES, "This token expires at its own expiry or sooner: set expiresAt on or before the calling token's");
	return false;
}

/* The caller's personal access tokens, all of them (expired ones too,
 * until they are purged). -1 after answering 503. */
static int64_t
tokens_held(struct request *req)
{
	bson_error_t e;
	bson_t *filter = BCON_NEW("userId", BCON_UTF8(req->session.user_id), "type", BCON_UTF8(PAT_TYPE));
	int64_t n = mongoc_collection_count_documents(store_coll(COLL_TOKENS), filter, NULL, NULL, NULL, &e);
	bson_destroy(filter);
	if (n < 0)
		reply_store_error(req, &e, "count personal access tokens");
	return n;
}

/* Take, then decide: the token is inserted first and kept only when the
 * caller holds at most the limit, counted after that insert. A kept token
 * was in the database when every token kept after it counted, so kept
 * tokens never pass the limit however requests interleave. (Ranking by
 * creation time would not hold: a token stamped earlier can land later.)
 * A token that lost only to racing ones, being among the first by creation
 * time, tries again after a short random pause, since those may be taken
 * back too. */
#define PAT_CLAIM_TRIES 4
static void
generate(struct request *req)
{
	const struct fval *in = req->in;
	const char *name = in[GEN_NAME].s;
	int64_t expires = in[GEN_EXPIRES].set ? in[GEN_EXPIRES].i : 0, held, before;
	char token[SECRET_LEN + 1] = "", hash[TOKEN_HASH_LEN + 1];
	char *key = pat_key(req, name, NULL);

	if (!expiry_allowed_or_reply(req, expires))
		goto out;
	for (int tries = 1; ; tries++) {
		int64_t created = now_ms();
		if (!insert_token_or_reply(req, name, key, in[GEN_BYPASS].b, created, expires, token, hash))
			goto out;
		if ((held = tokens_held(req)) < 0) {
			delete_token(hash);
			goto out;
		}
		if (held <= cfg.personal_access_tokens_max_per_user)
			break;
		delete_token(hash);
		if ((before = tokens_before(req, hash, created)) < 0)
			goto out;
		if (before >= cfg.personal_access_tokens_max_per_user || tries == PAT_CLAIM_TRIES) {
			reply_error(req, ERR_TOO_MANY_TOKENS,
			    "You have %ld personal access tokens, the most allowed; remove one first",
			    cfg.personal_access_tokens_max_per_user);
			goto out;
		}
		sodium_memzero(token, sizeof token);
		usleep(5000 + randombytes_uniform(20000));
	}
	log_info("personal access token created user=%s", req->session.user_id);
	seclog_write(req, req->session.user_id, SEC_TOKEN_CREATED, name);
	reply_token(req, token);
out:
	sodium_memzero(token, sizeof token);
	bson_free(key);
}

/* Removes the caller's token whose patKey is KEY; OLD (may be NULL) gets a
 * copy of it. 1 removed, 0 none such (answered), -1 database (answered). */
static int
remove_token(struct request *req, const char *key, bson_t *old)
{
	bson_error_t e;
	bson_t reply;
	bson_iter_t it;
	int rc = 0;
	bson_t *sel = BCON_NEW("userId", BCON_UTF8(req->session.user_id), "type", BCON_UTF8(PAT_TYPE),
	    "patKey", BCON_UTF8(key));
	mongoc_find_and_modify_opts_t *opts = mongoc_find_and_modify_opts_new();

	mongoc_find_and_modify_opts_set_flags(opts, MONGOC_FIND_AND_MODIFY_REMOVE);
	if (!mongoc_collection_find_and_modify_with_opts(store_coll(COLL_TOKENS), sel, opts, &reply, &e)) {
		rc = -1;
		reply_store_error(req, &e, "remove personal access token");
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
		reply_error(req, ERR_TOKEN_NOT_FOUND, NULL);
	}
	/* OLD was copied out of REPLY above, so REPLY can go. */
	bson_destroy(&reply);
	mongoc_find_and_modify_opts_destroy(opts);
	bson_destroy(sel);
	return rc;
}

/* The stored settings of the caller's token KEY, without changing it. */
static int
find_token(struct request *req, const char *key, bool *bypass, int64_t *expires)
{
	bson_error_t e;
	const bson_t *doc;
	int rc = 0;
	bson_t *filter = BCON_NEW("userId", BCON_UTF8(req->session.user_id), "type", BCON_UTF8(PAT_TYPE),
	    "patKey", BCON_UTF8(key));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_TOKENS), filter, NULL, NULL);

	if (mongoc_cursor_next(cur, &doc)) {
		*bypass = bson_get_bool(doc, "bypassTwoFactor");
		*expires = bson_get_date(doc, "expiresAt");
		rc = 1;
	}
	if (mongoc_cursor_error(cur, &e)) {
		rc = -1;
		reply_store_error(req, &e, "find personal access token");
	} else if (rc == 0) {
		reply_error(req, ERR_TOKEN_NOT_FOUND, NULL);
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(filter);
	return rc;
}

/* Same name, same 2FA bypass and expiry, a new secret, and never a moment
 * where a failure loses the token: the new one is inserted first under a
 * key of its own, then the old one removed, then the new one takes the
 * name's key. A failure before the removal takes the new one back (the old
 * one still works); after it, the new one already works. */
static void
regenerate(struct request *req)
{
	const char *name = req->in[NAME_NAME].s;
	char token[SECRET_LEN + 1] = "", hash[TOKEN_HASH_LEN + 1];
	char *key = pat_key(req, name, NULL), *pending = NULL, tag[ID_LEN + 1];
	bool bypass = false;
	int64_t expires = 0;
	bson_error_t e;

	if (find_token(req, key, &bypass, &expires) != 1 || !expiry_allowed_or_reply(req, expires))
		goto out;
	random_id(tag, ID_LEN);
	pending = pat_key(req, name, tag);
	if (!insert_token_or_reply(req, name, pending, bypass, now_ms(), expires, token, hash))
		goto out;
	if (remove_token(req, key, NULL) != 1) {
		delete_token(hash);
		goto out;
	}
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(hash));
	bson_t *upd = BCON_NEW("$set", "{", "patKey", BCON_UTF8(key), "}");
	if (!mongoc_collection_update_one(store_coll(COLL_TOKENS), sel, upd, NULL, NULL, &e))
		store_log_error(LOG_WARN, "regenerated token keeps its pending name key", &e);
	bson_destroy(upd);
	bson_destroy(sel);
	log_info("personal access token regenerated user=%s", req->session.user_id);
	seclog_write(req, req->session.user_id, SEC_TOKEN_REGENERATED, name);
	reply_token(req, token);
out:
	sodium_memzero(token, sizeof token);
	bson_free(pending);
	bson_free(key);
}

static void
remove_one(struct request *req)
{
	char *key = pat_key(req, req->in[NAME_NAME].s, NULL);
	if (remove_token(req, key, NULL) == 1) {
		seclog_write(req, req->session.user_id, SEC_TOKEN_REMOVED, req->in[NAME_NAME].s);
		reply_ok(req, NULL);
	}
	bson_free(key);
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
		reply_store_error(req, &e, "list personal access tokens");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "tokens", tokens);
	reply_ok(req, o);
}

/* Switched off, Rocket.Chat answers as for a missing permission. */
#define PAT_ROUTE .auth = AUTH_USER, .feature = &cfg.personal_access_tokens_enabled, \
                  .feature_off = ERR_NOT_AUTHORIZED

static const struct route routes[] = {
	{ .method = "GET", .path = "/api/v1/users.getPersonalAccessTokens", PAT_ROUTE,
	  .handler = list, .summary = "the caller's tokens (never their values)" },
	{ .method = "POST", .path = "/api/v1/users.generatePersonalAccessToken", PAT_ROUTE,
	  .body_max = BODY_MAX, .body = generate_fields, .flags = R_FORM | R_2FA,
	  .handler = generate, .summary = "create a token; shown once" },
	{ .method = "POST", .path = "/api/v1/users.regeneratePersonalAccessToken", PAT_ROUTE,
	  .body_max = BODY_MAX, .body = name_fields, .flags = R_FORM | R_2FA,
	  .handler = regenerate, .summary = "replace a token's secret; shown once" },
	{ .method = "POST", .path = "/api/v1/users.removePersonalAccessToken", PAT_ROUTE,
	  .body_max = BODY_MAX, .body = name_fields, .flags = R_FORM | R_2FA,
	  .handler = remove_one, .summary = "delete a token" },
	ROUTE_END
};

int
main(int argc, char **argv)
{
	static const struct program prog = {
		.name = "tokens",
		.summary = "Personal access tokens for scripts and integrations (Rocket.Chat REST API v1).",
		.routes = routes,
		.hooks = { .second_factor_or_reply = twofactor_check_or_reply },
	};
	return app_main(argc, argv, &prog);
}
