/* ratelimit.c - see ratelimit.h. Counters live in COLL_RATELIMITS as
 * {_id, count, resetAt}; a TTL index on resetAt cleans old ones, but expiry
 * is always checked in the query. */
#include "ratelimit.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "respond.h"
#include "store.h"

void
rl_key_set(struct rl_key *k, const char *scope, const char *subject, long limit, long window_s)
{
	memset(k, 0, sizeof *k);
	snprintf(k->id, sizeof k->id, "%s:%s", scope, subject);
	k->limit = limit;
	k->window_s = window_s;
}

bool
ratelimit_read(struct rl_key *keys, int n, bson_error_t *e)
{
	bson_t filter = BSON_INITIALIZER, in, ids;
	const bson_t *doc;
	char idx[16];
	bool ok = true;

	BSON_APPEND_DOCUMENT_BEGIN(&filter, "_id", &in);
	BSON_APPEND_ARRAY_BEGIN(&in, "$in", &ids);
	for (int i = 0; i < n; i++) {
		snprintf(idx, sizeof idx, "%d", i);
		BSON_APPEND_UTF8(&ids, idx, keys[i].id);
		keys[i].count = 0;
		keys[i].reset_ms = 0;
	}
	bson_append_array_end(&in, &ids);
	bson_append_document_end(&filter, &in);
	bson_t *gt = BCON_NEW("$gt", BCON_DATE_TIME(now_ms()));
	BSON_APPEND_DOCUMENT(&filter, "resetAt", gt);
	bson_destroy(gt);

	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_RATELIMITS),
	    &filter, NULL, NULL);
	while (mongoc_cursor_next(cur, &doc)) {
		bson_iter_t it;
		const char *id = bson_iter_init_find(&it, doc, "_id") && BSON_ITER_HOLDS_UTF8(&it) ?
		    bson_iter_utf8(&it, NULL) : "";
		for (int i = 0; i < n; i++) {
			if (strcmp(keys[i].id, id) != 0)
				continue;
			if (bson_iter_init_find(&it, doc, "count"))
				keys[i].count = (long)bson_iter_as_int64(&it);
			if (bson_iter_init_find(&it, doc, "resetAt") && BSON_ITER_HOLDS_DATE_TIME(&it))
				keys[i].reset_ms = bson_iter_date_time(&it);
		}
	}
	if (mongoc_cursor_error(cur, e))
		ok = false;
	mongoc_cursor_destroy(cur);
	bson_destroy(&filter);
	return ok;
}

const struct rl_key *
ratelimit_over(const struct rl_key *keys, int n)
{
	for (int i = 0; i < n; i++)
		if (keys[i].count >= keys[i].limit)
			return &keys[i];
	return NULL;
}

/* Adds one to KEY's live window, or starts a new window at 1.
 * Returns the new count, or -1 on a database error. */
static long
add_one(struct rl_key *k)
{
	bson_error_t e = { 0 };
	bson_t reply;
	int64_t now = now_ms();
	long count = -1;

	bson_t *sel = BCON_NEW("_id", BCON_UTF8(k->id), "resetAt", "{", "$gt", BCON_DATE_TIME(now), "}");
	bson_t *inc = BCON_NEW("$inc", "{", "count", BCON_INT64(1), "}");
	mongoc_find_and_modify_opts_t *fam = mongoc_find_and_modify_opts_new();
	mongoc_find_and_modify_opts_set_update(fam, inc);
	mongoc_find_and_modify_opts_set_flags(fam, MONGOC_FIND_AND_MODIFY_RETURN_NEW);
	if (mongoc_collection_find_and_modify_with_opts(store_coll(COLL_RATELIMITS), sel, fam, &reply, &e)) {
		bson_iter_t it;
		if (bson_iter_init(&it, &reply) && bson_iter_find_descendant(&it, "value.count", &it) &&
		    (BSON_ITER_HOLDS_INT64(&it) || BSON_ITER_HOLDS_INT32(&it) || BSON_ITER_HOLDS_DOUBLE(&it))) {
			count = (long)bson_iter_as_int64(&it);
			bson_iter_t r;
			if (bson_iter_init(&r, &reply) && bson_iter_find_descendant(&r, "value.resetAt", &r) &&
			    BSON_ITER_HOLDS_DATE_TIME(&r))
				k->reset_ms = bson_iter_date_time(&r);
		}
	} else {
		store_log_error(LOG_WARN, "rate limit update", &e);
	}
	bson_destroy(&reply);
	mongoc_find_and_modify_opts_destroy(fam);
	bson_destroy(inc);
	bson_destroy(sel);
	if (count >= 0 || e.domain == MONGOC_ERROR_SERVER_SELECTION || e.domain == MONGOC_ERROR_STREAM)
		return count;

	/* No live window: start one. Two racing starts both write 1; the
	 * limit is then reached one failure later, which is harmless. */
	k->reset_ms = now + (int64_t)k->window_s * 1000;
	bson_t *id = BCON_NEW("_id", BCON_UTF8(k->id));
	bson_t *set = BCON_NEW("$set", "{", "count", BCON_INT64(1), "resetAt", BCON_DATE_TIME(k->reset_ms), "}");
	bson_t *uopts = BCON_NEW("upsert", BCON_BOOL(true));
	if (mongoc_collection_update_one(store_coll(COLL_RATELIMITS), id, set, uopts, NULL, &e))
		count = 1;
	else
		store_log_error(LOG_WARN, "rate limit start", &e);
	bson_destroy(uopts);
	bson_destroy(set);
	bson_destroy(id);
	return count;
}

void
ratelimit_add(struct rl_key *keys, int n)
{
	for (int i = 0; i < n; i++) {
		long c = add_one(&keys[i]);
		if (c > 0)
			keys[i].count = c;
	}
}

void
ratelimit_clear(const struct rl_key *key)
{
	bson_error_t e;
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(key->id));
	if (!mongoc_collection_delete_one(store_coll(COLL_RATELIMITS), sel, NULL, NULL, &e))
		store_log_error(LOG_WARN, "rate limit clear", &e);
	bson_destroy(sel);
}

bool
ratelimit_reply(struct request *req, const struct rl_key *key)
{
	int64_t now = now_ms();
	long wait = key->reset_ms > now ? (long)((key->reset_ms - now + 999) / 1000) : 1;

	resp_header(req, "X-RateLimit-Limit: %ld", key->limit);
	resp_header(req, "X-RateLimit-Remaining: 0");
	resp_header(req, "X-RateLimit-Reset: %lld", (long long)key->reset_ms);
	resp_header(req, "Retry-After: %ld", wait);
	reply_error(req, ERR_RATE_LIMITED,
	    "Error, too many requests. Please slow down. You must wait %ld seconds before "
	    "trying this endpoint again.", wait);
	return false;
}

bool
ratelimit_hit(struct request *req, struct rl_key *key)
{
	long c = add_one(key);
	if (c < 0) {
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		return false;
	}
	key->count = c;
	if (c > key->limit)
		return ratelimit_reply(req, key);
	resp_header(req, "X-RateLimit-Limit: %ld", key->limit);
	resp_header(req, "X-RateLimit-Remaining: %ld", key->limit - c);
	resp_header(req, "X-RateLimit-Reset: %lld", (long long)key->reset_ms);
	return true;
}
