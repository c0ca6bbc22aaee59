/* store.c - see store.h. */
#include "store.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "respond.h"

static mongoc_client_t *client;
static mongoc_database_t *db;
static mongoc_collection_t *colls[COLL__COUNT];
static unsigned long commands;
static mongoc_gridfs_bucket_t *buckets[COLL__COUNT];

/* Every collection, its name, and how its documents belong to a user. */
static const struct { const char *name; struct coll_owner owner; } table[COLL__COUNT] = {
	[COLL_USERS] = { "users", { .kind = OWNER_ID } },
	[COLL_TOKENS] = { "tokens", { .kind = OWNER_FIELD, .field = "userId" } },
	[COLL_RATELIMITS] = { "ratelimits", { .kind = OWNER_NONE,
	    .why = "failure counters keyed by a hash of the account or address; each expires with its window" } },
	[COLL_MAIL] = { "mail_queue", { .kind = OWNER_FIELD, .field = "userId" } },
	[COLL_EMAIL_CODES] = { "email_codes", { .kind = OWNER_FIELD, .field = "userId" } },
	[COLL_EXPORTS] = { "exports", { .kind = OWNER_FIELD, .field = "userId" } },
	[COLL_AVATARS] = { "avatars", { .kind = OWNER_ID } },
	[COLL_SECLOG] = { "security_log", { .kind = OWNER_FIELD, .field = "userId" } },
	[COLL_WEBAUTHN_CHALLENGES] = { "webauthn_challenges", { .kind = OWNER_NONE,
	    .why = "passkey ceremony challenges, stored keyed-hashed; each is used once or expires within five minutes" } },
	[COLL_EXPORT_FILES] = { "export_files", { .kind = OWNER_GRIDFS, .field = "metadata.userId" } },
	[COLL_DEVICES] = { "known_devices", { .kind = OWNER_FIELD, .field = "userId" } },
};

/* Timeouts that make an unreachable database a quick 503, not a hung request,
 * unless the admin set their own in the URI. */
static const struct { const char *opt; int32_t ms; } timeouts[] = {
	{ MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 3000 },
	{ MONGOC_URI_CONNECTTIMEOUTMS, 3000 },
	{ MONGOC_URI_SOCKETTIMEOUTMS, 10000 },
};

static void
on_command_started(const mongoc_apm_command_started_t *event)
{
	(void)event;
	commands++;
}


int
store_init(const char *appname, char *err, size_t errlen)
{
	bson_error_t e;
	mongoc_uri_t *uri;
	mongoc_apm_callbacks_t *cbs;

	mongoc_init();
	uri = mongoc_uri_new_with_error(cfg.mongodb_uri, &e);
	if (uri == NULL) {
		snprintf(err, errlen, "mongodb_uri: %s", store_redact(&e).text);
		return -1;
	}
	for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++)
		if (!mongoc_uri_has_option(uri, timeouts[i].opt))
			mongoc_uri_set_option_as_int32(uri, timeouts[i].opt, timeouts[i].ms);
	mongoc_uri_set_appname(uri, appname);
	client = mongoc_client_new_from_uri_with_error(uri, &e);
	mongoc_uri_destroy(uri);
	if (client == NULL) {
		snprintf(err, errlen, "mongodb_uri: %s", store_redact(&e).text);
		return -1;
	}
	mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
	cbs = mongoc_apm_callbacks_new();
	mongoc_apm_set_command_started_cb(cbs, on_command_started);
	mongoc_client_set_apm_callbacks(client, cbs, NULL);
	mongoc_apm_callbacks_destroy(cbs);
	db = mongoc_client_get_database(client, cfg.mongodb_database);
	for (int i = 0; i < COLL__COUNT; i++)
		colls[i] = mongoc_database_get_collection(db, table[i].name);
	return 0;
}

void
store_cleanup(void)
{
	for (int i = 0; i < COLL__COUNT; i++) {
		if (buckets[i])
			mongoc_gridfs_bucket_destroy(buckets[i]);
		buckets[i] = NULL;
		if (colls[i])
			mongoc_collection_destroy(colls[i]);
		colls[i] = NULL;
	}
	if (db)
		mongoc_database_destroy(db);
	if (client)
		mongoc_client_destroy(client);
	db = NULL;
	client = NULL;
	mongoc_cleanup();
}

mongoc_collection_t *
store_coll(enum coll c)
{
	return colls[c];
}

const char *
store_coll_name(enum coll c)
{
	return table[c].name;
}

const struct coll_owner *
store_coll_owner(enum coll c)
{
	return &table[c].owner;
}

mongoc_database_t *
store_db(void)
{
	return db;
}

enum err_kind
store_error_kind(const bson_error_t *e)
{
	switch (e->domain) {
	case MONGOC_ERROR_SERVER_SELECTION:
	case MONGOC_ERROR_STREAM:
		return ERR_DB_UNAVAILABLE;
	default:
		return ERR_INTERNAL;
	}
}

bool
store_is_duplicate(const bson_error_t *e)
{
	return e->code == 11000 || e->code == 11001;
}

static bool
tokenish(char c)
{
	return isalnum((unsigned char)c) || c == '+' || c == '/' || c == '=' || c == '_' || c == '-';
}

/* Copies the token-like run at M (LEN bytes) to OUT, or "?" when it could
 * be a hash or token: long, with a digit and a letter. */
static size_t
put_run(const char *m, size_t len, char *out, size_t o, size_t n)
{
	bool digit = false, alpha = false;
	for (size_t i = 0; i < len; i++) {
		digit |= isdigit((unsigned char)m[i]) != 0;
		alpha |= isalpha((unsigned char)m[i]) != 0;
	}
	if (len >= 16 && digit && alpha)
		m = "?", len = 1;
	for (size_t i = 0; i < len && o + 1 < n; i++)
		out[o++] = m[i];
	return o;
}

struct store_redacted
store_redact(const bson_error_t *e)
{
	struct store_redacted r;
	const char *m = e->message;
	size_t o = 0, n = sizeof r.text, i = 0;
	int depth = 0, value_depth = 0;   /* value_depth > 0: skipping a value at that depth */

#define PUT(s) for (const char *p_ = (s); *p_ && o + 1 < n; p_++) r.text[o++] = *p_
	while (m[i] && i < sizeof e->message) {
		bool skip = value_depth > 0;
		char c = m[i];
		if (c == '"') {
			for (i++; m[i] && m[i] != '"'; i++)
				if (m[i] == '\\' && m[i + 1])
					i++;
			i += m[i] == '"';
			if (!skip)
				PUT("\"?\"");
			continue;
		}
		if (tokenish(c)) {
			size_t len = 0;
			while (tokenish(m[i + len]))
				len++;
			if (!skip)
				o = put_run(m + i, len, r.text, o, n);
			i += len;
			continue;
		}
		i++;
		if (c == '{') {
			depth++;
			if (!skip)
				PUT("{");
		} else if (c == '}' && depth > 0) {
			if (skip && depth == value_depth)
				value_depth = 0, skip = false;
			depth--;
			if (!skip)
				PUT(" }");
		} else if (c == ',' && skip && depth == value_depth) {
			value_depth = 0;
			PUT(",");
		} else if (c == ':' && depth > 0 && !skip) {
			PUT(": ?");
			value_depth = depth;
		} else if (!skip) {
			char one[2] = { c, '\0' };
			PUT(one);
		}
	}
#undef PUT
	r.text[o] = '\0';
	return r;
}

void
store_log_error(enum log_level level, const char *what, const bson_error_t *e)
{
	log_msg(level, "%s: database %s (domain %u, code %u): %s", what,
	    store_error_kind(e) == ERR_DB_UNAVAILABLE ? "unavailable" : "error",
	    e->domain, e->code, store_redact(e).text);
}

bool
reply_store_error(struct request *req, const bson_error_t *e, const char *what)
{
	enum err_kind kind = store_error_kind(e);
	store_log_error(kind == ERR_DB_UNAVAILABLE ? LOG_WARN : LOG_ERROR, what, e);
	reply_error(req, kind, NULL);
	return false;
}

mongoc_gridfs_bucket_t *
store_bucket(enum coll c)
{
	bson_error_t e;

	if (table[c].owner.kind != OWNER_GRIDFS || db == NULL)
		return NULL;
	if (buckets[c] == NULL) {
		bson_t *opts = BCON_NEW("bucketName", BCON_UTF8(table[c].name));
		buckets[c] = mongoc_gridfs_bucket_new(db, opts, NULL, &e);
		bson_destroy(opts);
		if (buckets[c] == NULL)
			store_log_error(LOG_WARN, "open GridFS bucket", &e);
	}
	return buckets[c];
}

/* The files collection of bucket C ("<name>.files"); caller destroys. */
static mongoc_collection_t *
files_of(enum coll c)
{
	char name[128];
	snprintf(name, sizeof name, "%s.files", table[c].name);
	return mongoc_database_get_collection(db, name);
}

int64_t
store_gridfs_delete_owned(enum coll c, const char *user_id)
{
	mongoc_gridfs_bucket_t *b = store_bucket(c);
	bson_error_t e;
	const bson_t *doc;
	bson_iter_t it;
	int64_t n = 0;

	if (b == NULL)
		return -1;
	mongoc_collection_t *files = files_of(c);
	bson_t *filter = BCON_NEW(table[c].owner.field, BCON_UTF8(user_id));
	bson_t *opts = BCON_NEW("projection", "{", "_id", BCON_INT32(1), "}");
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(files, filter, opts, NULL);
	while (n >= 0 && mongoc_cursor_next(cur, &doc))
		if (bson_iter_init_find(&it, doc, "_id")) {
			if (mongoc_gridfs_bucket_delete_by_id(b, bson_iter_value(&it), &e))
				n++;
			else if (e.code != MONGOC_ERROR_GRIDFS_BUCKET_FILE_NOT_FOUND)
				n = -1;
		}
	if (n >= 0 && mongoc_cursor_error(cur, &e))
		n = -1;
	if (n < 0)
		store_log_error(LOG_WARN, "delete a user's GridFS files", &e);
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	mongoc_collection_destroy(files);
	return n;
}

unsigned long
store_command_count(void)
{
	return commands;
}

/* CLAIM_OK when REPLY's COUNTER is 1. */
static enum claim_result
claim_of(bool ok, const bson_t *reply, const char *counter)
{
	bson_iter_t it;
	if (!ok)
		return CLAIM_DB_ERROR;
	return bson_iter_init_find(&it, reply, counter) && bson_iter_as_int64(&it) == 1 ?
	    CLAIM_OK : CLAIM_LOST;
}

static void
claim_failed(enum coll c, const bson_error_t *e)
{
	char what[64];
	snprintf(what, sizeof what, "claim on %s", store_coll_name(c));
	store_log_error(LOG_WARN, what, e);
}

enum claim_result
store_claim_update(enum coll c, bson_t *sel, bson_t *upd)
{
	bson_error_t e;
	bson_t reply;
	bool ok = mongoc_collection_update_one(store_coll(c), sel, upd, NULL, &reply, &e);
	enum claim_result r = claim_of(ok, &reply, "modifiedCount");

	if (!ok)
		claim_failed(c, &e);
	bson_destroy(&reply);
	bson_destroy(sel);
	bson_destroy(upd);
	return r;
}

enum claim_result
store_claim_delete(enum coll c, bson_t *sel)
{
	bson_error_t e;
	bson_t reply;
	bool ok = mongoc_collection_delete_one(store_coll(c), sel, NULL, &reply, &e);
	enum claim_result r = claim_of(ok, &reply, "deletedCount");

	if (!ok)
		claim_failed(c, &e);
	bson_destroy(&reply);
	bson_destroy(sel);
	return r;
}
