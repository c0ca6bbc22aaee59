/* schema.c - see schema.h. Keys and validators are JSON text so they read
 * like the MongoDB shell. */
#include "schema.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "store.h"
#include "user.h"

struct index_spec {
	enum coll   coll;
	const char *name;
	const char *keys;       /* JSON */
	bool        unique;
	long        ttl_s;      /* expireAfterSeconds, -1 = not a TTL index */
	bool        sparse;     /* documents without the field are not indexed */
};

static const struct index_spec indexes[] = {
	{ COLL_USERS, "username_unique", "{\"username\": 1}", true, -1, false },
	/* Two users never differ only by the case of their name (user_name_key()). */
	{ COLL_USERS, "username_key_unique", "{\"usernameKey\": 1}", true, -1, true },
	/* Sparse: users without an address (bots, imports) are many. */
	{ COLL_USERS, "email_unique", "{\"emails.address\": 1}", true, -1, true },
	/* Token lookups are by _id (the hash, unique by nature); these serve
	 * listings and "log out everywhere". */
	{ COLL_TOKENS, "user_type", "{\"userId\": 1, \"type\": 1}", false, -1, false },
	/* "<userId>/<name>" of personal access tokens: one name per user. */
	{ COLL_TOKENS, "pat_name_unique", "{\"patKey\": 1}", true, -1, true },
	/* Clean-up only: expiry is always checked in the query. purgeAt is
	 * expiresAt for sessions, a month later for personal access tokens,
	 * which stay listed as "expired" until then. */
	{ COLL_TOKENS, "purge_ttl", "{\"purgeAt\": 1}", false, 0, false },
	{ COLL_RATELIMITS, "reset_ttl", "{\"resetAt\": 1}", false, 0, false },
	{ COLL_EMAIL_CODES, "expires_ttl", "{\"expiresAt\": 1}", false, 0, false },
	/* Mailed links are found by the keyed hash of their token (maillink.c). */
	{ COLL_EMAIL_CODES, "link_hash", "{\"hash\": 1}", false, -1, false },
	{ COLL_MAIL, "state_next", "{\"state\": 1, \"nextAttemptAt\": 1}", false, -1, false },
	{ COLL_MAIL, "purge_ttl", "{\"purgeAt\": 1}", false, 0, false },
	{ COLL_EXPORTS, "user_state", "{\"userId\": 1, \"state\": 1}", false, -1, false },
	{ COLL_EXPORTS, "expires_ttl", "{\"expiresAt\": 1}", false, 0, false },
	{ COLL_SECLOG, "user_at", "{\"userId\": 1, \"at\": -1}", false, -1, false },
	{ COLL_SECLOG, "expires_ttl", "{\"expiresAt\": 1}", false, 0, false },
	{ COLL_WEBAUTHN_CHALLENGES, "expires_ttl", "{\"expiresAt\": 1}", false, 0, false },
	/* My Data: the job a repeat within 24 h answers, one per user and kind;
	 * jobs found by their link's keyed hash; archives by owner and expiry. */
	{ COLL_EXPORTS, "current_unique", "{\"current\": 1}", true, -1, true },
	{ COLL_EXPORTS, "download_hash", "{\"downloadHash\": 1}", true, -1, true },
	{ COLL_EXPORTS, "claim_order", "{\"status\": 1, \"createdAt\": 1}", false, -1, false },
	{ COLL_DEVICES, "user", "{\"userId\": 1}", false, -1, false },
	{ COLL_DEVICES, "expires_ttl", "{\"expiresAt\": 1}", false, 0, false },
};

static const struct { enum coll coll; const char *schema; } validators[] = {
	{ COLL_USERS,
	  "{\"bsonType\": \"object\", \"required\": [\"_id\", \"username\", \"createdAt\"],"
	  " \"properties\": {"
	  "  \"_id\": {\"bsonType\": \"string\", \"maxLength\": 64},"
	  "  \"username\": {\"bsonType\": \"string\", \"minLength\": 1, \"maxLength\": 64},"
	  "  \"name\": {\"bsonType\": \"string\", \"maxLength\": 256},"
	  "  \"nickname\": {\"bsonType\": \"string\", \"maxLength\": 120},"
	  "  \"bio\": {\"bsonType\": \"string\", \"maxLength\": 260},"
	  "  \"statusText\": {\"bsonType\": \"string\", \"maxLength\": 120},"
	  "  \"active\": {\"bsonType\": \"bool\"},"
	  "  \"createdAt\": {\"bsonType\": \"date\"},"
	  "  \"emails\": {\"bsonType\": \"array\", \"maxItems\": 10, \"items\": {"
	  "     \"bsonType\": \"object\", \"required\": [\"address\"], \"properties\": {"
	  "       \"address\": {\"bsonType\": \"string\", \"maxLength\": 254},"
	  "       \"verified\": {\"bsonType\": \"bool\"}}}}"
	  " }}" },
	{ COLL_TOKENS,
	  "{\"bsonType\": \"object\", \"required\": [\"_id\", \"userId\", \"type\", \"createdAt\"],"
	  " \"properties\": {"
	  "  \"_id\": {\"bsonType\": \"string\", \"minLength\": 44, \"maxLength\": 44},"
	  "  \"userId\": {\"bsonType\": \"string\"},"
	  "  \"type\": {\"enum\": [\"session\", \"personalAccessToken\"]},"
	  "  \"createdAt\": {\"bsonType\": \"date\"},"
	  "  \"expiresAt\": {\"bsonType\": \"date\"}"
	  " }}" },
};

/* MongoDB's codes for "an index of that name exists with other options". */
#define INDEX_OPTIONS_CONFLICT   85
#define INDEX_KEY_SPECS_CONFLICT 86

static int
run(const bson_t *cmd, bson_error_t *e)
{
	bson_t reply;
	bool ok = mongoc_database_write_command_with_opts(store_db(), cmd, NULL, &reply, e);
	bson_destroy(&reply);
	return ok ? 0 : -1;
}

static int
apply_validator(enum coll c, const char *json, char *err, size_t errlen)
{
	bson_error_t e;
	bson_t *schema = bson_new_from_json((const uint8_t *)json, -1, &e);
	int rc = 0;

	if (schema == NULL) {
		snprintf(err, errlen, "validator of %s: %s", store_coll_name(c), store_redact(&e).text);
		return -1;
	}
	/* Create with the validator; when the collection exists, modify it. */
	bson_t *create = BCON_NEW("create", BCON_UTF8(store_coll_name(c)),
	    "validator", "{", "$jsonSchema", BCON_DOCUMENT(schema), "}");
	if (run(create, &e) != 0) {
		bson_t *mod = BCON_NEW("collMod", BCON_UTF8(store_coll_name(c)),
		    "validator", "{", "$jsonSchema", BCON_DOCUMENT(schema), "}");
		if (run(mod, &e) != 0) {
			snprintf(err, errlen, "validator of %s: %s", store_coll_name(c), store_redact(&e).text);
			rc = -1;
		}
		bson_destroy(mod);
	}
	bson_destroy(create);
	bson_destroy(schema);
	return rc;
}

static int
apply_index(const struct index_spec *ix, char *err, size_t errlen)
{
	bson_error_t e;
	bson_t *keys = bson_new_from_json((const uint8_t *)ix->keys, -1, &e);
	int rc = 0;

	if (keys == NULL) {
		snprintf(err, errlen, "index %s: %s", ix->name, store_redact(&e).text);
		return -1;
	}
	bson_t *one = BCON_NEW("key", BCON_DOCUMENT(keys), "name", BCON_UTF8(ix->name));
	if (ix->unique)
		BSON_APPEND_BOOL(one, "unique", true);
	if (ix->sparse)
		BSON_APPEND_BOOL(one, "sparse", true);
	if (ix->ttl_s >= 0)
		BSON_APPEND_INT32(one, "expireAfterSeconds", (int32_t)ix->ttl_s);
	bson_t *cmd = BCON_NEW("createIndexes", BCON_UTF8(store_coll_name(ix->coll)),
	    "indexes", "[", BCON_DOCUMENT(one), "]");
	bool ok = run(cmd, &e) == 0;
	if (!ok && (e.code == INDEX_OPTIONS_CONFLICT || e.code == INDEX_KEY_SPECS_CONFLICT)) {
		/* An older release made it with other options: make it again. */
		bson_t *drop = BCON_NEW("dropIndexes", BCON_UTF8(store_coll_name(ix->coll)),
		    "index", BCON_UTF8(ix->name));
		ok = run(drop, &e) == 0 && run(cmd, &e) == 0;
		bson_destroy(drop);
	}
	if (!ok) {
		snprintf(err, errlen, "index %s on %s: %s", ix->name, store_coll_name(ix->coll), store_redact(&e).text);
		rc = -1;
	}
	bson_destroy(cmd);
	bson_destroy(one);
	bson_destroy(keys);
	return rc;
}

/* Users stored before usernameKey existed get it, so the unique index can
 * be built and sign-in finds them by any case. */
static int
migrate_username_keys(char *err, size_t errlen)
{
	bson_error_t e;
	const bson_t *doc;
	int rc = 0;
	bson_t *filter = BCON_NEW("usernameKey", "{", "$exists", BCON_BOOL(false), "}");
	bson_t *opts = BCON_NEW("projection", "{", "username", BCON_INT32(1), "}");
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_USERS), filter, opts, NULL);

	while (rc == 0 && mongoc_cursor_next(cur, &doc)) {
		const char *id = bson_get_str(doc, "_id"), *name = bson_get_str(doc, "username");
		if (id == NULL || name == NULL)
			continue;
		char *key = user_name_key(name);
		bson_t *sel = BCON_NEW("_id", BCON_UTF8(id));
		bson_t *upd = BCON_NEW("$set", "{", "usernameKey", BCON_UTF8(key), "}");
		if (!mongoc_collection_update_one(store_coll(COLL_USERS), sel, upd, NULL, NULL, &e)) {
			snprintf(err, errlen, "setting usernameKey of user %s: %s", id, store_redact(&e).text);
			rc = -1;
		}
		bson_destroy(upd);
		bson_destroy(sel);
		bson_free(key);
	}
	if (rc == 0 && mongoc_cursor_error(cur, &e)) {
		snprintf(err, errlen, "reading users: %s", store_redact(&e).text);
		rc = -1;
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	return rc;
}

int
schema_apply(char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof validators / sizeof validators[0]; i++)
		if (apply_validator(validators[i].coll, validators[i].schema, err, errlen) != 0)
			return -1;
	if (migrate_username_keys(err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < sizeof indexes / sizeof indexes[0]; i++)
		if (apply_index(&indexes[i], err, errlen) != 0)
			return -1;
	return 0;
}
