/* emailcode.c - see emailcode.h. Stored as {_id: "<purpose>:<user id>",
 * userId, purpose, hash, expiresAt, attempts}: one live code per purpose
 * and user, found by _id. */
#include "emailcode.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "log.h"
#include "mail.h"
#include "mailtext.h"
#include "ratelimit.h"
#include "user.h"

#define CODE_DIGITS 6

/* The slot of PURPOSE for UID. Ids and purposes are short ASCII (ours). */
static void
slot_id(const char *purpose, const char *uid, char *out, size_t n)
{
	snprintf(out, n, "%s:%s", purpose, uid);
}

/* The stored code's hash: keyed with the server secret (crypto.h), over
 * "<slot>:<digits>", so a copy of the database cannot be searched through
 * the million possible codes. false without a secret_key. */
static bool
code_hash(const char *slot, const char *digits, char out[KEYED_HASH_LEN + 1])
{
	char salted[160];
	int n = snprintf(salted, sizeof salted, "%s:%s", slot, digits);
	bool ok = n > 0 && (size_t)n < sizeof salted && keyed_hash("email-code", salted, (size_t)n, out);
	sodium_memzero(salted, sizeof salted);
	return ok;
}

/* A live (unexpired, not used up by wrong guesses) code's expiry, 0 when
 * none, -1 on a database error. */
static int64_t
live_code(const char *slot)
{
	bson_error_t e;
	const bson_t *doc;
	int64_t expires = 0;
	bson_t *filter = BCON_NEW("_id", BCON_UTF8(slot),
	    "expiresAt", "{", "$gt", BCON_DATE_TIME(now_ms()), "}",
	    "attempts", "{", "$lt", BCON_INT32(EMAIL_CODE_MAX_ATTEMPTS), "}");
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_EMAIL_CODES), filter, NULL, NULL);
	if (mongoc_cursor_next(cur, &doc))
		expires = bson_get_date(doc, "expiresAt");
	if (mongoc_cursor_error(cur, &e))
		expires = -1;
	mongoc_cursor_destroy(cur);
	bson_destroy(filter);
	return expires;
}

/* Stores the hash of DIGITS as the live code of SLOT until EXPIRES. */
static bool
store_code(const char *slot, const char *uid, const char *purpose, const char *digits, int64_t expires)
{
	char hash[KEYED_HASH_LEN + 1];
	bson_error_t e;

	if (!code_hash(slot, digits, hash))
		return false;
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(slot));
	bson_t *upd = BCON_NEW("$set", "{", "userId", BCON_UTF8(uid), "purpose", BCON_UTF8(purpose),
	    "hash", BCON_UTF8(hash), "expiresAt", BCON_DATE_TIME(expires), "attempts", BCON_INT32(0), "}");
	bson_t *opts = BCON_NEW("upsert", BCON_BOOL(true));
	bool ok = mongoc_collection_update_one(store_coll(COLL_EMAIL_CODES), sel, upd, opts, NULL, &e);
	bson_destroy(opts);
	bson_destroy(upd);
	bson_destroy(sel);
	return ok;
}

int
emailcode_send(const bson_t *user, const char *purpose, bool force_new, int64_t *expires)
{
	const char *uid = bson_get_str(user, "_id"), *to = user_verified_email(user);
	char slot[96], digits[CODE_DIGITS + 1], shown[CODE_DIGITS + 2];
	struct rl_key k;
	int64_t live;

	*expires = 0;
	if (to == NULL || uid == NULL)
		return 0;
	slot_id(purpose, uid, slot, sizeof slot);
	if ((live = live_code(slot)) < 0)
		return -1;
	if (live > 0 && !force_new) {
		*expires = live;
		return 0;
	}
	/* Mailing costs: a few new codes per user per hour, then silence.
	 * The slot is taken first, so parallel requests cannot mail more. */
	rl_key_window(&k, "2fa-mail", uid, EMAIL_CODES_PER_HOUR, 3600);
	switch (rl_take(&k)) {
	case RL_TAKEN:
		break;
	case RL_REFUSED:
		*expires = live;
		return 0;
	case RL_ERROR:
	default:
		return -1;
	}
	random_digits(digits, CODE_DIGITS);
	*expires = now_ms() + EMAIL_CODE_TTL_MS;
	if (!store_code(slot, uid, purpose, digits, *expires)) {
		rl_release(&k);
		sodium_memzero(digits, sizeof digits);
		return -1;
	}
	/* Shown as "123-456", as Rocket.Chat mails it. */
	snprintf(shown, sizeof shown, "%.3s-%.3s", digits, digits + 3);
	struct mail_var vars[] = { { "site", cfg.site_name }, { "code", shown } };
	struct mail_content mc;
	int sent = MAIL_ERR_BUILD;
	if (mail_render(mail_language(user), MAIL_2FA_CODE, vars, 2, &mc) == 0) {
		sent = mail_send(to, uid, &mc, *expires);
		mail_content_free(&mc);
	}
	sodium_memzero(digits, sizeof digits);
	sodium_memzero(shown, sizeof shown);
	return sent == MAIL_ERR_BUILD ? -2 : sent < 0 ? -1 : 1;
}

/* Deleting the matching live code checks and uses it up at once; a wrong
 * guess counts against it. */
enum claim_result
emailcode_verify(const bson_t *user, const char *purpose, const char *code)
{
	const char *uid = bson_get_str(user, "_id");
	char slot[96], digits[16], hash[KEYED_HASH_LEN + 1];
	size_t n = 0;
	enum claim_result r;

	/* Rocket.Chat strips everything but digits ("123-456"). */
	for (const char *p = code; *p && n < sizeof digits - 1; p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	digits[n] = '\0';
	if (n != CODE_DIGITS || uid == NULL)
		return CLAIM_LOST;
	slot_id(purpose, uid, slot, sizeof slot);
	bool hashed = code_hash(slot, digits, hash);
	sodium_memzero(digits, sizeof digits);
	if (!hashed)
		return CLAIM_LOST;
	r = store_claim_delete(COLL_EMAIL_CODES, BCON_NEW("_id", BCON_UTF8(slot),
	    "hash", BCON_UTF8(hash), "expiresAt", "{", "$gt", BCON_DATE_TIME(now_ms()), "}",
	    "attempts", "{", "$lt", BCON_INT32(EMAIL_CODE_MAX_ATTEMPTS), "}"));
	if (r == CLAIM_LOST) {
		bson_t *id = BCON_NEW("_id", BCON_UTF8(slot));
		bson_t *inc = BCON_NEW("$inc", "{", "attempts", BCON_INT32(1), "}");
		mongoc_collection_update_one(store_coll(COLL_EMAIL_CODES), id, inc, NULL, NULL, NULL);
		bson_destroy(inc);
		bson_destroy(id);
	}
	return r;
}
