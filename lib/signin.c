/* signin.c - see signin.h. */
#include "signin.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "loginguard.h"
#include "mail.h"
#include "seclog.h"
#include "session.h"
#include "store.h"
#include "user.h"
#include "useragent.h"
#include "utf8.h"

#define DEVICE_ID_LEN 43    /* base64url of an HMAC-SHA-256 */

/* The device's id: keyed, so the stored value says nothing without the key. */
static bool
device_id(const struct request *req, const char *user_id, char out[DEVICE_ID_LEN + 1])
{
	const char *ua = req_header(req, "User-Agent");
	char msg[1024];
	unsigned char mac[32];
	int n = snprintf(msg, sizeof msg, "%s%c%s%c%s", user_id, '\0', req->ip, '\0', ua ? ua : "");

	if (n < 0 || !keyed_mac("known-device", msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1, mac))
		return false;
	sodium_bin2base64(out, DEVICE_ID_LEN + 1, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return true;
}

static bool
has_device_cookie(const struct request *req, const char *user_id)
{
	char value[DEVICE_COOKIE_MAX], nonce[23];
	return req_cookie(req, DEVICE_COOKIE, value, sizeof value) &&
	    device_cookie_check(value, user_id, now_ms() / 1000, nonce);
}

/* Records the device; true when it was new and not the account's first. */
static bool
learn_device(const struct request *req, const char *user_id, const char *id, int64_t now)
{
	bson_error_t e;
	bson_t *doc = BCON_NEW("_id", BCON_UTF8(id), "userId", BCON_UTF8(user_id),
	    "firstSeen", BCON_DATE_TIME(now), "lastSeen", BCON_DATE_TIME(now),
	    "expiresAt", BCON_DATE_TIME(now + DEVICE_KEEP_MS));
	bool inserted = mongoc_collection_insert_one(store_coll(COLL_DEVICES), doc, NULL, NULL, &e);
	bson_destroy(doc);
	if (!inserted) {
		if (!store_is_duplicate(&e)) {
			store_log_error(LOG_WARN, "could not record the sign-in device", &e);
			return false;
		}
		/* Known: it stays known for another DEVICE_KEEP_MS. */
		bson_t *sel = BCON_NEW("_id", BCON_UTF8(id));
		bson_t *upd = BCON_NEW("$set", "{", "lastSeen", BCON_DATE_TIME(now),
		    "expiresAt", BCON_DATE_TIME(now + DEVICE_KEEP_MS), "}");
		if (!mongoc_collection_update_one(store_coll(COLL_DEVICES), sel, upd, NULL, NULL, &e))
			store_log_error(LOG_WARN, "could not record the sign-in device", &e);
		bson_destroy(sel);
		bson_destroy(upd);
		return false;
	}
	/* The unique _id made exactly one request the first to see it; a
	 * browser with the account's device cookie is not new either. */
	if (has_device_cookie(req, user_id))
		return false;
	bson_t *filter = BCON_NEW("userId", BCON_UTF8(user_id));
	bson_t *opts = BCON_NEW("limit", BCON_INT64(2));
	int64_t n = mongoc_collection_count_documents(store_coll(COLL_DEVICES), filter, opts, NULL, NULL, &e);
	bson_destroy(filter);
	bson_destroy(opts);
	if (n < 0)
		store_log_error(LOG_WARN, "could not count the sign-in devices", &e);
	return n > 1;
}

static bool
wants_notice(const bson_t *user)
{
	bson_iter_t it, pref;
	return !(bson_iter_init(&it, user) &&
	    bson_iter_find_descendant(&it, "settings.preferences.receiveLoginDetectionEmail", &pref) &&
	    BSON_ITER_HOLDS_BOOL(&pref) && !bson_iter_bool(&pref));
}

/* Queues the notice, with a fresh "not me" token stored keyed on the device. */
static void
send_notice(const struct request *req, const bson_t *user, const char *id, int64_t now)
{
	const char *uid = bson_get_str(user, "_id"), *to = user_verified_email(user);
	char secret[SECRET_LEN + 1], token[DEVICE_ID_LEN + SECRET_LEN + 2], hash[KEYED_HASH_LEN + 1];
	char link[1024], when[32], device[128], agent[128];
	bson_error_t e;

	if (to == NULL)
		return;
	random_secret(secret);
	snprintf(token, sizeof token, "%s.%s", id, secret);
	if (!keyed_hash("not-me", secret, strlen(secret), hash))
		goto out;
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(id));
	bson_t *upd = BCON_NEW("$set", "{", "notMeHash", BCON_UTF8(hash),
	    "notMeUntil", BCON_DATE_TIME(now + NOT_ME_TTL_MS), "}");
	bool stored = mongoc_collection_update_one(store_coll(COLL_DEVICES), sel, upd, NULL, NULL, &e);
	bson_destroy(sel);
	bson_destroy(upd);
	if (!stored) {
		store_log_error(LOG_WARN, "could not store the new sign-in link", &e);
		goto out;
	}
	snprintf(link, sizeof link, "%s/#/not-me/%s", cfg.site_url, token);
	iso_date(now, when);
	useragent_describe(req_header(req, "User-Agent"), device, sizeof device);
	if (*device == '\0') {
		utf8_copy_printable(agent, 81, req_header(req, "User-Agent"));
		snprintf(device, sizeof device, "%s", *agent ? agent : "?");
	}
	struct mail_var vars[] = {
		{ "site", cfg.site_name }, { "time", when }, { "ip", req->ip },
		{ "device", device }, { "link", link },
	};
	struct mail_content mc;
	if (mail_render(mail_language(user), MAIL_NEW_SIGNIN, vars, sizeof vars / sizeof vars[0], &mc) == 0) {
		if (mail_send(to, uid, &mc, now + NOT_ME_TTL_MS) != MAIL_QUEUED)
			log_warn("could not queue the new sign-in notice for user=%s", uid);
		mail_content_free(&mc);
	}
out:
	sodium_memzero(secret, sizeof secret);
	sodium_memzero(token, sizeof token);
	sodium_memzero(link, sizeof link);
}

void
signin_succeeded(const struct request *req, const bson_t *user, const char *method)
{
	const char *uid = bson_get_str(user, "_id");
	char id[DEVICE_ID_LEN + 1];
	int64_t now = now_ms();

	seclog_write(req, uid, SEC_LOGIN_OK, method);
	if (device_id(req, uid, id) && learn_device(req, uid, id, now) && wants_notice(user))
		send_notice(req, user, id, now);
}

void
signin_failed(const struct request *req, const char *user_id, const char *what)
{
	if (user_id != NULL)
		seclog_write(req, user_id, SEC_LOGIN_FAILED, what);
}

int
signin_disown(const char *token, char user_id_out[64])
{
	const char *dot = token ? strchr(token, '.') : NULL;
	char id[DEVICE_ID_LEN + 1], hash[KEYED_HASH_LEN + 1];
	bson_error_t e;
	bson_t reply;
	int64_t now = now_ms();
	int result = -1;

	if (dot == NULL || dot - token != DEVICE_ID_LEN || strlen(dot + 1) != SECRET_LEN ||
	    !keyed_hash("not-me", dot + 1, SECRET_LEN, hash))
		return 0;
	memcpy(id, token, DEVICE_ID_LEN);
	id[DEVICE_ID_LEN] = '\0';
	/* Taking the token and checking it are one write: a second use finds
	 * nothing, however close behind. */
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(id), "notMeHash", BCON_UTF8(hash),
	    "notMeUntil", "{", "$gt", BCON_DATE_TIME(now), "}");
	bson_t *upd = BCON_NEW("$unset", "{", "notMeHash", BCON_UTF8(""), "notMeUntil", BCON_UTF8(""), "}");
	mongoc_find_and_modify_opts_t *fam = mongoc_find_and_modify_opts_new();
	mongoc_find_and_modify_opts_set_update(fam, upd);
	bool ok = mongoc_collection_find_and_modify_with_opts(store_coll(COLL_DEVICES), sel, fam, &reply, &e);
	bson_iter_t it, doc;
	if (!ok) {
		store_log_error(LOG_WARN, "could not use a not-me link", &e);
		goto out;
	}
	result = 0;
	if (!bson_iter_init_find(&it, &reply, "value") || !BSON_ITER_HOLDS_DOCUMENT(&it) ||
	    !bson_iter_recurse(&it, &doc) || !bson_iter_find(&doc, "userId") || !BSON_ITER_HOLDS_UTF8(&doc))
		goto out;
	snprintf(user_id_out, 64, "%s", bson_iter_utf8(&doc, NULL));
	bson_iter_recurse(&it, &doc);
	int64_t since = bson_iter_find(&doc, "firstSeen") && BSON_ITER_HOLDS_DATE_TIME(&doc)
	    ? bson_iter_date_time(&doc) : 0;
	/* The device is no longer trusted: its next sign-in is new again. */
	bson_t *gone = BCON_NEW("_id", BCON_UTF8(id));
	mongoc_collection_delete_one(store_coll(COLL_DEVICES), gone, NULL, NULL, NULL);
	bson_destroy(gone);
	result = -1;
	if (session_revoke(NULL, user_id_out, REVOKE_ALL, NULL, &e) < 0) {
		store_log_error(LOG_WARN, "could not end the sessions of a disowned sign-in", &e);
		goto out;
	}
	bson_t *pats = BCON_NEW("userId", BCON_UTF8(user_id_out), "type", BCON_UTF8("personalAccessToken"),
	    "createdAt", "{", "$gte", BCON_DATE_TIME(since), "}");
	ok = mongoc_collection_delete_many(store_coll(COLL_TOKENS), pats, NULL, NULL, &e);
	bson_destroy(pats);
	if (!ok) {
		store_log_error(LOG_WARN, "could not remove the tokens of a disowned sign-in", &e);
		goto out;
	}
	result = 1;
out:
	mongoc_find_and_modify_opts_destroy(fam);
	bson_destroy(&reply);
	bson_destroy(sel);
	bson_destroy(upd);
	return result;
}
