/* deleteown.c - users.deleteOwnAccount: the caller removes their account
 * and everything that belongs to it (Rocket.Chat's deleteUserOwnAccount).
 * Off unless the admin allows it (allow_delete_own_account); the route
 * asks for the second factor every time (R_2FA_STRICT), then the body's
 * password, as Rocket.Chat does.
 *
 * What belongs to a user is not listed here: the walk takes every row of
 * lib/store.c's collection table (store_coll_owner()), so a collection
 * added later is deleted too, and a new kind of owner does not compile
 * until this switch knows it. The order makes a crash harmless: first the
 * user is marked inactive (lib/caller.c and sign-in refuse it at once, so
 * its tokens are dead before they are deleted), then every other
 * collection's documents go, and the user document last. A crash midway leaves an account nobody can use,
 * never one that works with half of its data. */
#include <sodium.h>
#include <string.h>

#include "crypto.h"
#include "log.h"
#include "profile.h"
#include "pwcheck.h"
#include "ratelimit.h"
#include "respond.h"
#include "session.h"
#include "store.h"

#define PASSWORD_TRIES    5     /* wrong passwords per user per window */
#define PASSWORD_WINDOW_S 300

enum { DO_PASSWORD, DO_CONFIRM_RELINQUISH };
const struct field delete_own_fields[] = {
	/* The lower-case hex SHA-256 of the password; of the username for
	 * users without one. */
	[DO_PASSWORD] = { .name = "password", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL, .min = 1, .max = 128 },
	/* Rocket.Chat's "leave the rooms I own"; there are no rooms here. */
	[DO_CONFIRM_RELINQUISH] = FIELD_BOOL("confirmRelinquish"),
	FIELD_END
};

/* GIVEN lower-cased into OUT when it is 64 hex digits; false otherwise. */
static bool
digest_of(const char *given, char out[SHA256_HEX_LEN + 1])
{
	size_t i;
	for (i = 0; given[i] && i < SHA256_HEX_LEN; i++)
		out[i] = (char)((given[i] >= 'A' && given[i] <= 'F') ? given[i] + 32 : given[i]);
	out[i] = '\0';
	return given[i] == '\0' && is_sha256_hex(out);
}

/* Rocket.Chat's check: the password's digest, or for a user without a
 * password the digest of the username (error-invalid-username). A wrong
 * password is counted (take, then decide), so a stolen session cannot
 * guess on. False after answering. */
static bool
password_ok_or_reply(struct request *req, const char *given)
{
	const bson_t *user = req->session.user;
	const char *stored = bson_get_str(user, "services.password.argon2");
	const char *username = bson_get_str(user, "username");
	char digest[SHA256_HEX_LEN + 1], expect[SHA256_HEX_LEN + 1];
	struct rl_key k;
	bool ok = false;

	if (stored == NULL) {
		sha256_hex(username ? username : "", username ? strlen(username) : 0, expect);
		if (digest_of(given, digest) && secret_equal(digest, expect))
			return true;
		reply_error(req, ERR_INVALID_USERNAME, NULL);
		return false;
	}
	rl_key_window(&k, "delete-account", req->session.user_id, PASSWORD_TRIES, PASSWORD_WINDOW_S);
	switch (rl_take(&k)) {
	case RL_TAKEN:
		break;
	case RL_REFUSED:
		return reply_rate_limited(req, &k);
	case RL_ERROR:
	default:
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		return false;
	}
	switch (digest_of(given, digest) ? pw_verify(stored, digest) : PW_MISMATCH) {
	case PW_MATCH:
		rl_release(&k);
		ok = true;
		break;
	case PW_BUSY:
		rl_release(&k);
		reply_hash_busy(req);
		break;
	case PW_MISMATCH:
	default:
		rl_failed(&k);
		reply_error(req, ERR_INVALID_PASSWORD, NULL);
		break;
	}
	sodium_memzero(digest, sizeof digest);
	return ok;
}

/* Deletes the documents of collection C that belong to USER_ID, as the
 * table says they do. No default: a kind of owner added to store.h (a
 * GridFS bucket, whose chunks must go with its files) stops the build
 * here until it is handled. */
static bool
delete_owned(enum coll c, const char *user_id, bson_error_t *e)
{
	const struct coll_owner *o = store_coll_owner(c);
	bson_t *sel = NULL;
	bool ok;

	switch (o->kind) {
	case OWNER_ID:
		sel = BCON_NEW("_id", BCON_UTF8(user_id));
		break;
	case OWNER_FIELD:
		sel = BCON_NEW(o->field, BCON_UTF8(user_id));
		break;
	case OWNER_NONE:
		return true;    /* not per user; o->why says how they go */
	case OWNER_GRIDFS:
		/* Files and their chunks go together, by the bucket's own API. */
		if (store_gridfs_delete_owned(c, user_id) >= 0)
			return true;
		bson_set_error(e, MONGOC_ERROR_COLLECTION, MONGOC_ERROR_COLLECTION_DELETE_FAILED,
		    "could not delete the user's files in %s", store_coll_name(c));
		return false;
	}
	ok = mongoc_collection_delete_many(store_coll(c), sel, NULL, NULL, e);
	bson_destroy(sel);
	return ok;
}

/* Marks the user unusable before anything is deleted. */
static bool
disable_user(const char *user_id, bson_error_t *e)
{
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(user_id));
	bson_t *upd = BCON_NEW("$set", "{", "active", BCON_BOOL(false), "deletedAt", BCON_DATE_TIME(now_ms()), "}");
	bool ok = mongoc_collection_update_one(store_coll(COLL_USERS), sel, upd, NULL, NULL, e);
	bson_destroy(upd);
	bson_destroy(sel);
	return ok;
}

void
delete_own_account(struct request *req)
{
	char user_id[sizeof req->session.user_id];
	bson_error_t e;

	if (!password_ok_or_reply(req, req->in[DO_PASSWORD].s))
		return;
	snprintf(user_id, sizeof user_id, "%s", req->session.user_id);
	if (!disable_user(user_id, &e)) {
		reply_store_error(req, &e, "disable the account being deleted");
		return;
	}
	for (int c = 0; c < COLL__COUNT; c++) {
		if (c != COLL_USERS && !delete_owned((enum coll)c, user_id, &e)) {
			reply_store_error(req, &e, store_coll_name((enum coll)c));
			return;
		}
	}
	if (!delete_owned(COLL_USERS, user_id, &e)) {
		reply_store_error(req, &e, "delete the user");
		return;
	}
	log_info("account deleted by its owner user=%s", user_id);
	if (req->session.via_cookie)
		session_cookies(req, NULL, 0);
	reply_ok(req, NULL);
}
