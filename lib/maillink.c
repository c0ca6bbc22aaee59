/* maillink.c - see maillink.h. Stored as {_id: "<purpose>:<user id>",
 * userId, purpose, hash, address, expiresAt, attempts: 0} in email_codes
 * (the same shape as emailed codes, so its TTL index cleans both), found
 * by the hash through its own index. */
#include "maillink.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "mail.h"
#include "mailtext.h"
#include "utf8.h"

/* What each purpose mails, where its link opens the SPA, how long it lives. */
static const struct link_kind {
	const char    *purpose;
	enum mail_kind mail;
	const char    *route;
	const long    *life;
	long           unit_ms;
} kinds[] = {
	{ LINK_RESET, MAIL_PASSWORD_RESET, "/#/reset-password/", &cfg.password_reset_minutes, 60 * 1000 },
	{ LINK_VERIFY, MAIL_VERIFY_EMAIL, "/#/verify-email/", &cfg.email_verify_hours, 3600 * 1000 },
};

static const struct link_kind *
kind_of(const char *purpose)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].purpose, purpose) == 0)
			return &kinds[i];
	return NULL;
}

/* The stored form of TOKEN for PURPOSE; false for a token of the wrong
 * shape (not random_secret()'s) or without a secret_key. */
static bool
link_hash(const char *purpose, const char *token, char out[KEYED_HASH_LEN + 1])
{
	char in[128];

	if (strlen(token) != SECRET_LEN ||
	    strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != SECRET_LEN)
		return false;
	int n = snprintf(in, sizeof in, "%s:%s", purpose, token);
	bool ok = n > 0 && (size_t)n < sizeof in && keyed_hash("mail-link", in, (size_t)n, out);
	sodium_memzero(in, sizeof in);
	return ok;
}

int
maillink_find(const char *purpose, const char *token, struct maillink *out)
{
	char hash[KEYED_HASH_LEN + 1];
	const bson_t *doc;
	bson_error_t e;
	int found = 0;

	memset(out, 0, sizeof *out);
	if (!link_hash(purpose, token, hash))
		return 0;
	bson_t *filter = BCON_NEW("hash", BCON_UTF8(hash), "purpose", BCON_UTF8(purpose),
	    "expiresAt", "{", "$gt", BCON_DATE_TIME(now_ms()), "}");
	bson_t *opts = BCON_NEW("limit", BCON_INT64(1));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_EMAIL_CODES), filter, opts, NULL);
	if (mongoc_cursor_next(cur, &doc)) {
		const char *id = bson_get_str(doc, "_id"), *uid = bson_get_str(doc, "userId");
		const char *addr = bson_get_str(doc, "address");
		if (id && uid) {
			snprintf(out->slot, sizeof out->slot, "%s", id);
			snprintf(out->user_id, sizeof out->user_id, "%s", uid);
			snprintf(out->address, sizeof out->address, "%s", addr ? addr : "");
			out->expires = bson_get_date(doc, "expiresAt");
			found = 1;
		}
	}
	if (mongoc_cursor_error(cur, &e)) {
		store_log_error(LOG_WARN, "mail link lookup", &e);
		found = -1;
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	return found;
}

enum claim_result
maillink_claim(const struct maillink *l, const char *token)
{
	char hash[KEYED_HASH_LEN + 1], purpose[64];
	const char *colon = strchr(l->slot, ':');

	if (colon == NULL || (size_t)(colon - l->slot) >= sizeof purpose)
		return CLAIM_LOST;
	snprintf(purpose, sizeof purpose, "%.*s", (int)(colon - l->slot), l->slot);
	if (!link_hash(purpose, token, hash))
		return CLAIM_LOST;
	/* The filter holds every condition: only one delete can match. */
	return store_claim_delete(COLL_EMAIL_CODES, BCON_NEW("_id", BCON_UTF8(l->slot),
	    "hash", BCON_UTF8(hash), "expiresAt", "{", "$gt", BCON_DATE_TIME(now_ms()), "}"));
}

void
maillink_drop(const char *purpose, const char *user_id)
{
	char slot[96];
	bson_error_t e;

	snprintf(slot, sizeof slot, "%s:%s", purpose, user_id);
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(slot));
	if (!mongoc_collection_delete_one(store_coll(COLL_EMAIL_CODES), sel, NULL, NULL, &e))
		store_log_error(LOG_WARN, "dropping a mail link", &e);
	bson_destroy(sel);
}

void
maillink_user_name(const bson_t *user, char *out, size_t n)
{
	const char *name = bson_get_str(user, "name");

	if (name == NULL || *name == '\0')
		name = bson_get_str(user, "username");
	utf8_copy_printable(out, n, name ? name : "");
}

/* Stores the hash of TOKEN as USER_ID's live link of K until EXPIRES. */
static bool
store_link(const struct link_kind *k, const char *uid, const char *address, const char *token,
    int64_t expires)
{
	char slot[96], hash[KEYED_HASH_LEN + 1];
	bson_error_t e;

	if (!link_hash(k->purpose, token, hash))
		return false;
	snprintf(slot, sizeof slot, "%s:%s", k->purpose, uid);
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(slot));
	bson_t *upd = BCON_NEW("$set", "{", "userId", BCON_UTF8(uid), "purpose", BCON_UTF8(k->purpose),
	    "hash", BCON_UTF8(hash), "address", BCON_UTF8(address), "expiresAt", BCON_DATE_TIME(expires),
	    "attempts", BCON_INT32(0), "}");
	bson_t *opts = BCON_NEW("upsert", BCON_BOOL(true));
	bool ok = mongoc_collection_update_one(store_coll(COLL_EMAIL_CODES), sel, upd, opts, NULL, &e);
	if (!ok)
		store_log_error(LOG_WARN, "storing a mail link", &e);
	bson_destroy(opts);
	bson_destroy(upd);
	bson_destroy(sel);
	return ok;
}

int
maillink_send(const bson_t *user, const char *purpose, const char *address)
{
	const struct link_kind *k = kind_of(purpose);
	const char *uid = bson_get_str(user, "_id");
	char token[SECRET_LEN + 1], link[1024], name[128], life[24];
	struct mail_content mc;
	int rc = -2;

	if (k == NULL || uid == NULL || !mail_address_ok(address)) {
		log_warn("mail link: nothing to send (purpose or address)");
		return -2;
	}
	int64_t expires = now_ms() + *k->life * k->unit_ms;
	random_secret(token);
	if (!store_link(k, uid, address, token, expires)) {
		sodium_memzero(token, sizeof token);
		return -1;
	}
	snprintf(link, sizeof link, "%s%s%s", cfg.site_url, k->route, token);
	sodium_memzero(token, sizeof token);
	maillink_user_name(user, name, sizeof name);
	snprintf(life, sizeof life, "%ld", *k->life);
	struct mail_var vars[] = {
		{ "site", cfg.site_name }, { "name", name }, { "address", address }, { "link", link },
		{ "hours", life }, { "minutes", life },
	};
	if (mail_render(mail_language(user), k->mail, vars, sizeof vars / sizeof vars[0], &mc) == 0) {
		enum mail_result r = mail_send(address, uid, &mc, expires);
		rc = r == MAIL_QUEUED ? 1 : r == MAIL_ERR_DB ? -1 : -2;
		mail_content_free(&mc);
	}
	sodium_memzero(link, sizeof link);
	return rc;
}
