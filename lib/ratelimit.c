/* ratelimit.c - see ratelimit.h. Counters live in COLL_RATELIMITS as
 * {_id, count, resetAt[, nextAt]}; a TTL index on resetAt cleans old ones,
 * but expiry is always checked in the query. Every change is one atomic
 * findAndModify/update whose filter holds the condition, so racing
 * processes cannot overrun a limit, and a window is only ever restarted
 * when the stored one has ended. */
#include "ratelimit.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "respond.h"
#include "store.h"

#define TAKE_TRIES 3    /* a window restarted under us: look again */

static void
key_init(struct rl_key *k, const char *scope, const char *subject)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

	memset(k, 0, sizeof *k);
	crypto_hash_sha256(h, (const unsigned char *)subject, strlen(subject));
	sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(k->id, sizeof k->id, "%s:%s", scope, b64);
	k->scope = scope;
}

void
rl_key_window(struct rl_key *k, const char *scope, const char *subject, long limit, long window_s)
{
	key_init(k, scope, subject);
	k->policy = RL_WINDOW;
	k->limit = limit;
	k->window_s = window_s;
}

void
rl_key_backoff(struct rl_key *k, const char *scope, const char *subject, long limit,
    long max_delay_s, long forget_s)
{
	key_init(k, scope, subject);
	k->policy = RL_BACKOFF;
	k->limit = limit;
	k->window_s = max_delay_s;
	k->forget_s = forget_s;
}

enum fam_result { FAM_MATCHED, FAM_NONE, FAM_DUPLICATE, FAM_ERROR };

/* One findAndModify on the counters; consumes SEL and UPD. On a match *OUT
 * (when given) gets a copy of the document, before or after the change. */
static enum fam_result
fam(bson_t *sel, bson_t *upd, bool upsert, bool want_new, bson_t **out)
{
	mongoc_find_and_modify_opts_t *opts = mongoc_find_and_modify_opts_new();
	bson_error_t e = { 0 };
	bson_t reply;
	bson_iter_t it;
	enum fam_result r = FAM_NONE;

	mongoc_find_and_modify_opts_set_update(opts, upd);
	mongoc_find_and_modify_opts_set_flags(opts, (upsert ? MONGOC_FIND_AND_MODIFY_UPSERT : 0) |
	    (want_new ? MONGOC_FIND_AND_MODIFY_RETURN_NEW : 0));
	if (!mongoc_collection_find_and_modify_with_opts(store_coll(COLL_RATELIMITS), sel, opts, &reply, &e)) {
		if (store_is_duplicate(&e)) {
			r = FAM_DUPLICATE;
		} else {
			r = FAM_ERROR;
			store_log_error(LOG_WARN, "rate limit update", &e);
		}
	} else if (bson_iter_init_find(&it, &reply, "value") && BSON_ITER_HOLDS_DOCUMENT(&it)) {
		const uint8_t *data;
		uint32_t len;
		bson_iter_document(&it, &len, &data);
		r = FAM_MATCHED;
		if (out)
			*out = bson_new_from_data(data, len);
	}
	bson_destroy(&reply);
	mongoc_find_and_modify_opts_destroy(opts);
	bson_destroy(sel);
	bson_destroy(upd);
	return r;
}

static long
doc_long(const bson_t *doc, const char *field)
{
	bson_iter_t it;
	return bson_iter_init_find(&it, doc, field) && BSON_ITER_HOLDS_NUMBER(&it) ?
	    (long)bson_iter_as_int64(&it) : 0;
}

static int64_t
doc_date(const bson_t *doc, const char *field)
{
	bson_iter_t it;
	return bson_iter_init_find(&it, doc, field) && BSON_ITER_HOLDS_DATE_TIME(&it) ?
	    bson_iter_date_time(&it) : 0;
}

/* The series' end: a window's fixed end, or a backoff series' memory. */
static int64_t
end_of_new(const struct rl_key *k, int64_t now)
{
	return now + (int64_t)(k->policy == RL_WINDOW ? k->window_s : k->forget_s) * 1000;
}

/* 1. A free slot in a live window, or a new window when none is stored
 * (the upsert fails as a duplicate when the stored one is full or over). */
static enum fam_result
take_free(struct rl_key *k, int64_t now)
{
	bson_t *doc = NULL;
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(k->id), "resetAt", "{", "$gt", BCON_DATE_TIME(now), "}",
	    "count", "{", "$lt", BCON_INT64(k->limit), "}");
	bson_t *upd = BCON_NEW("$inc", "{", "count", BCON_INT64(1), "}",
	    "$setOnInsert", "{", "resetAt", BCON_DATE_TIME(end_of_new(k, now)), "}");
	/* Backoff: while free slots are being evaluated, no extra one starts. */
	if (k->policy == RL_BACKOFF)
		BCON_APPEND(upd, "$max", "{", "nextAt", BCON_DATE_TIME(now + 1000), "}");
	enum fam_result r = fam(sel, upd, true, true, &doc);
	if (r == FAM_MATCHED) {
		k->count = doc_long(doc, "count");
		k->window_end = doc_date(doc, "resetAt");
	}
	if (doc)
		bson_destroy(doc);
	return r;
}

/* 2. The stored window has ended: start a new one at 1, only if it still
 * has (a racing restart makes this match nothing). */
static enum fam_result
take_restart(struct rl_key *k, int64_t now)
{
	int64_t end = end_of_new(k, now);
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(k->id), "resetAt", "{", "$lte", BCON_DATE_TIME(now), "}");
	bson_t *upd = BCON_NEW("$set", "{", "count", BCON_INT64(1), "resetAt", BCON_DATE_TIME(end),
	    "nextAt", BCON_DATE_TIME(now + 1000), "}");
	enum fam_result r = fam(sel, upd, false, true, NULL);
	if (r == FAM_MATCHED) {
		k->count = 1;
		k->window_end = end;
	}
	return r;
}

/* 3. Backoff: one extra slot when its delay has passed. It holds nextAt
 * at the longest delay while it is evaluated, so only one runs. */
static enum fam_result
take_extra(struct rl_key *k, int64_t now)
{
	bson_t *old = NULL;
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(k->id), "resetAt", "{", "$gt", BCON_DATE_TIME(now), "}",
	    "nextAt", "{", "$lte", BCON_DATE_TIME(now), "}");
	bson_t *upd = BCON_NEW("$inc", "{", "count", BCON_INT64(1), "}",
	    "$set", "{", "nextAt", BCON_DATE_TIME(now + (int64_t)k->window_s * 1000), "}");
	enum fam_result r = fam(sel, upd, false, false, &old);
	if (r == FAM_MATCHED) {
		k->count = doc_long(old, "count") + 1;
		k->prev_next = doc_date(old, "nextAt");
		k->window_end = doc_date(old, "resetAt");
		k->extra = true;
	}
	if (old)
		bson_destroy(old);
	return r;
}

/* 4. No slot: read when one frees up. 1 refused, 0 the window is gone or
 * has room again (take anew), -1 error. */
static int
refusal(struct rl_key *k, int64_t now)
{
	bson_error_t e;
	const bson_t *doc;
	int r = 0;
	bson_t *filter = BCON_NEW("_id", BCON_UTF8(k->id));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_RATELIMITS), filter, NULL, NULL);

	if (mongoc_cursor_next(cur, &doc)) {
		int64_t end = doc_date(doc, "resetAt"), next = doc_date(doc, "nextAt");
		long count = doc_long(doc, "count");
		if (end > now && count >= k->limit && (k->policy == RL_WINDOW || next > now)) {
			k->count = count;
			k->retry_ms = k->policy == RL_WINDOW ? end : (next < end ? next : end);
			r = 1;
		}
	}
	if (mongoc_cursor_error(cur, &e)) {
		store_log_error(LOG_WARN, "rate limit read", &e);
		r = -1;
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(filter);
	return r;
}

enum rl_result
rl_take(struct rl_key *k)
{
	k->taken = k->extra = false;
	for (int i = 0; i < TAKE_TRIES; i++) {
		int64_t now = now_ms();
		enum fam_result r = take_free(k, now);
		if (r == FAM_DUPLICATE)
			r = take_restart(k, now);
		if (r == FAM_NONE && k->policy == RL_BACKOFF)
			r = take_extra(k, now);
		if (r == FAM_ERROR)
			return RL_ERROR;
		if (r == FAM_MATCHED) {
			k->taken = true;
			return RL_TAKEN;
		}
		int refused = refusal(k, now);
		if (refused != 0)
			return refused > 0 ? RL_REFUSED : RL_ERROR;
	}
	/* Still changing under us after several looks: say no, safely. */
	k->retry_ms = now_ms() + 1000;
	return RL_REFUSED;
}

/* Runs an update on K's document; best effort. Consumes SEL and UPD. */
static void
update(bson_t *sel, bson_t *upd, const char *what)
{
	bson_error_t e;
	char where[64];
	if (!mongoc_collection_update_one(store_coll(COLL_RATELIMITS), sel, upd, NULL, NULL, &e)) {
		snprintf(where, sizeof where, "rate limit %s", what);
		store_log_error(LOG_WARN, where, &e);
	}
	bson_destroy(sel);
	bson_destroy(upd);
}

void
rl_failed(struct rl_key *k)
{
	int64_t now = now_ms();
	long over = k->count - k->limit;

	if (!k->taken)
		return;
	k->taken = false;   /* a window's slot simply stays counted */
	if (k->policy != RL_BACKOFF)
		return;
	/* The failure bringing the count to LIMIT + over waits 2^over s. */
	int64_t delay = over < 0 ? 0 : over >= 30 ? k->window_s : (int64_t)1 << over;
	if (delay > k->window_s)
		delay = k->window_s;
	int64_t forget = now + (int64_t)k->forget_s * 1000;
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(k->id));
	bson_t *upd;
	if (k->extra)   /* replaces the hold taken with the slot */
		upd = BCON_NEW("$set", "{", "resetAt", BCON_DATE_TIME(forget),
		    "nextAt", BCON_DATE_TIME(now + delay * 1000), "}");
	else
		upd = BCON_NEW("$set", "{", "resetAt", BCON_DATE_TIME(forget), "}",
		    "$max", "{", "nextAt", BCON_DATE_TIME(now + delay * 1000), "}");
	update(sel, upd, "failure");
}

void
rl_release(struct rl_key *k)
{
	if (!k->taken)
		return;
	k->taken = false;
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(k->id), "count", "{", "$gt", BCON_INT64(0), "}");
	/* A window that restarted since is not ours to lower. */
	if (k->policy == RL_WINDOW)
		BCON_APPEND(sel, "resetAt", BCON_DATE_TIME(k->window_end));
	bson_t *upd = BCON_NEW("$inc", "{", "count", BCON_INT64(-1), "}");
	if (k->extra)
		BCON_APPEND(upd, "$set", "{", "nextAt", BCON_DATE_TIME(k->prev_next), "}");
	update(sel, upd, "release");
}

void
rl_clear(const struct rl_key *k)
{
	bson_error_t e;
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(k->id));
	if (!mongoc_collection_delete_one(store_coll(COLL_RATELIMITS), sel, NULL, NULL, &e))
		store_log_error(LOG_WARN, "rate limit clear", &e);
	bson_destroy(sel);
}

long
ratelimit_headers(struct request *req, const struct rl_key *k)
{
	int64_t now = now_ms();
	long wait = k->retry_ms > now ? (long)((k->retry_ms - now + 999) / 1000) : 1;

	resp_header(req, "X-RateLimit-Limit: %ld", k->limit);
	resp_header(req, "X-RateLimit-Remaining: 0");
	resp_header(req, "X-RateLimit-Reset: %lld", (long long)(k->retry_ms > now ? k->retry_ms : now + 1000));
	resp_header(req, "Retry-After: %ld", wait);
	return wait;
}

bool
reply_rate_limited(struct request *req, const struct rl_key *k)
{
	long wait = ratelimit_headers(req, k);

	reply_error(req, ERR_RATE_LIMITED,
	    "Error, too many requests. Please slow down. You must wait %ld seconds before "
	    "trying this endpoint again.", wait);
	return false;
}

bool
ratelimit_hit_or_reply(struct request *req, struct rl_key *k)
{
	switch (rl_take(k)) {
	case RL_TAKEN:
		break;
	case RL_REFUSED:
		return reply_rate_limited(req, k);
	case RL_ERROR:
	default:
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		return false;
	}
	k->taken = false;   /* every call counts */
	resp_header(req, "X-RateLimit-Limit: %ld", k->limit);
	resp_header(req, "X-RateLimit-Remaining: %ld", k->limit - k->count);
	resp_header(req, "X-RateLimit-Reset: %lld", (long long)k->window_end);
	return true;
}

void
rl_source(const char *ip, char *out, size_t n)
{
	unsigned char a[16];
	char text[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET6, ip, a) != 1) {
		snprintf(out, n, "%s", ip);
		return;
	}
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (memcmp(a, mapped, sizeof mapped) == 0) {
		inet_ntop(AF_INET, a + 12, text, sizeof text);
		snprintf(out, n, "%s", text);
		return;
	}
	memset(a + 8, 0, 8);
	inet_ntop(AF_INET6, a, text, sizeof text);
	snprintf(out, n, "%s/64", text);
}
