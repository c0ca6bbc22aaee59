/* password.c - the password: Rocket.Chat's pw.getPolicy and
 * pw.getPolicyReset, the change users.updateOwnBasicInfo asks for
 * (password_change_or_reply), users.forgotPassword and the reset it mails
 * (ours: users.resetPassword; Rocket.Chat does it over DDP), and ours
 * pw.strength, the estimate the SPA's meter shows as you type.
 *
 * A new password must meet the policy (lib/pwpolicy.c), be hard enough to
 * guess (lib/pwstrength.c), differ from the current one and, when the
 * admin keeps a history, from the last few. Storing it signs out every
 * other login session (not personal access tokens), ends a pending reset
 * link, mails the user a notice and writes the security log. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "log.h"
#include "mail.h"
#include "maillink.h"
#include "profile.h"
#include "pwcheck.h"
#include "pwpolicy.h"
#include "pwstrength.h"
#include "ratelimit.h"
#include "respond.h"
#include "seclog.h"
#include "session.h"
#include "store.h"
#include "user.h"

#define HISTORY_MAX     50              /* password_history_amount's ceiling */
#define FORGOT_PER_IP   20              /* reset mails asked for per address per hour */
#define FORGOT_PER_ADDR 3               /* ... per email address per hour */
#define LINK_TRIES_PER_IP 30            /* wrong or used link tokens per address per hour */
#define STRENGTH_PER_MIN 120            /* estimates per user (or address) per minute */

#define TOKEN_FIELD(k) { .name = (k), .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL, .min = 1, .max = 128 }
/* Plain text, as Rocket.Chat's newPassword; the policy judges the length
 * (password_max_length is at most 1024). */
#define PASSWORD_FIELD(k) { .name = (k), .type = F_STRING, .flags = F_REQUIRED, .min = 1, .max = 1024 }

/* Syntax only: whether anyone has the address is never told. */
static const char *
check_address(json_object *v)
{
	return mail_address_ok(json_object_get_string(v)) ? NULL : "must be an email address";
}

const struct field policy_reset_query[] = {
	[PWQ_TOKEN] = TOKEN_FIELD("token"),
	FIELD_END
};
const struct field strength_fields[] = {
	[PWS_PASSWORD] = PASSWORD_FIELD("password"),
	[PWS_TOKEN] = { .name = "token", .type = F_STRING, .flags = F_NO_CTRL, .min = 1, .max = 128 },
	FIELD_END
};
const struct field forgot_fields[] = {
	[FORGOT_EMAIL] = { .name = "email", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL,
	                   .min = 3, .max = 254, .check = check_address },
	FIELD_END
};
const struct field reset_fields[] = {
	[RESET_TOKEN] = TOKEN_FIELD("token"),
	[RESET_PASSWORD] = PASSWORD_FIELD("newPassword"),
	FIELD_END
};

/* Loads the user USER_ID (caller destroys). NULL when there is none, or
 * after answering a database error (*FAILED). */
static bson_t *
load_user_or_reply(struct request *req, const char *user_id, bool *failed)
{
	bson_error_t e;
	const bson_t *doc;
	bson_t *user = NULL, *filter = BCON_NEW("_id", BCON_UTF8(user_id));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_USERS), filter, NULL, NULL);

	*failed = false;
	if (mongoc_cursor_next(cur, &doc))
		user = bson_copy(doc);
	if (mongoc_cursor_error(cur, &e)) {
		*failed = true;
		reply_store_error(req, &e, "password user lookup");
		if (user)
			bson_destroy(user);
		user = NULL;
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(filter);
	return user;
}

/* The user's own words, which make a password guessable: username, name,
 * the address's local part. Borrowed from USER, except LOCAL (OUT's room). */
static void
user_words(const bson_t *user, const char *words[5], char *local, size_t n)
{
	const char *addr = bson_get_str(user, "emails.0.address");
	size_t w = 0;

	local[0] = '\0';
	if (addr && strchr(addr, '@'))
		snprintf(local, n, "%.*s", (int)(strchr(addr, '@') - addr), addr);
	if (bson_get_str(user, "username"))
		words[w++] = bson_get_str(user, "username");
	if (bson_get_str(user, "name"))
		words[w++] = bson_get_str(user, "name");
	if (*local)
		words[w++] = local;
	words[w] = NULL;
}

static void
estimate(const bson_t *user, const char *password, struct pw_strength *s)
{
	const char *words[5];
	char local[256];

	user_words(user, words, local, sizeof local);
	pwstrength_estimate(password, words, s);
}

/* The stored hashes a new password must differ from: the current one,
 * then the history, oldest first. Borrowed from USER; returns how many. */
static size_t
old_hashes(const bson_t *user, const char *out[HISTORY_MAX + 1])
{
	const char *current = bson_get_str(user, "services.password.argon2");
	bson_iter_t it, arr;
	size_t n = 0, first;

	if (current)
		out[n++] = current;
	first = n;
	if (cfg.password_history_enabled && bson_iter_init(&it, user) &&
	    bson_iter_find_descendant(&it, "services.passwordHistory", &arr) &&
	    BSON_ITER_HOLDS_ARRAY(&arr) && bson_iter_recurse(&arr, &it))
		while (bson_iter_next(&it) && n < HISTORY_MAX + 1)
			if (BSON_ITER_HOLDS_UTF8(&it))
				out[n++] = bson_iter_utf8(&it, NULL);
	/* Only the newest AMOUNT - 1 count (the admin may have lowered it). */
	size_t keep = (size_t)cfg.password_history_amount - 1;
	if (n - first > keep) {
		memmove(out + first, out + n - keep, keep * sizeof out[0]);
		n = first + keep;
	}
	return n;
}

/* Refuses PASSWORD (plain; DIGEST its hex SHA-256) for USER when it breaks
 * the policy, is too guessable, is the current one or one of the history.
 * The cheap checks first: argon2id work only for passwords that passed. */
static bool
acceptable_or_reply(struct request *req, const bson_t *user, const char *password, const char *digest)
{
	json_object *reasons = pwpolicy_check(password), *details;
	const char *old[HISTORY_MAX + 1];
	struct pw_strength s;

	if (reasons) {
		details = json_object_new_object();
		json_object_object_add(details, "reasons", reasons);
		reply_error_ex(req, ERR_PASSWORD_POLICY, details, NULL);
		return false;
	}
	estimate(user, password, &s);
	if (!pwstrength_ok(&s)) {
		reply_error_ex(req, ERR_PASSWORD_WEAK, pwstrength_json(&s), NULL);
		return false;
	}
	size_t n = old_hashes(user, old);
	for (size_t i = 0; i < n; i++) {
		switch (pw_verify(old[i], digest)) {
		case PW_MATCH:
			reply_error(req, i == 0 && bson_get_str(user, "services.password.argon2") ?
			    ERR_PASSWORD_SAME : ERR_PASSWORD_IN_HISTORY, NULL);
			return false;
		case PW_BUSY:
			return reply_hash_busy(req);
		case PW_MISMATCH:
			break;
		}
	}
	return true;
}

/* The $set of the new hash, and of the history when the admin keeps one.
 * As Rocket.Chat's Accounts_Password_History_Amount, the amount counts the
 * current password: the history holds the AMOUNT - 1 before it (the hash
 * being replaced joins it, the oldest fall off). */
static bson_t *
password_update(const bson_t *user, const char *hash)
{
	const char *old[HISTORY_MAX + 1];
	size_t n = old_hashes(user, old);       /* old[0] the current, then oldest first */
	size_t keep = (size_t)cfg.password_history_amount - 1, from = 1, idx = 0;
	bson_t *upd = bson_new(), set, arr;
	char key[24];   /* an array index: up to 20 digits */

	BSON_APPEND_DOCUMENT_BEGIN(upd, "$set", &set);
	BSON_APPEND_UTF8(&set, "services.password.argon2", hash);
	BSON_APPEND_DATE_TIME(&set, "_updatedAt", now_ms());
	if (cfg.password_history_enabled && bson_get_str(user, "services.password.argon2")) {
		/* The newest KEEP of old[1..n-1] and old[0]. */
		if (keep == 0)
			from = n;
		else if (n - 1 > keep - 1)
			from = n - (keep - 1);
		BSON_APPEND_ARRAY_BEGIN(&set, "services.passwordHistory", &arr);
		for (size_t k = from; k < n; k++) {
			snprintf(key, sizeof key, "%zu", idx++);
			BSON_APPEND_UTF8(&arr, key, old[k]);
		}
		if (keep > 0) {
			snprintf(key, sizeof key, "%zu", idx++);
			BSON_APPEND_UTF8(&arr, key, old[0]);
		}
		bson_append_array_end(&set, &arr);
	}
	bson_append_document_end(upd, &set);
	return upd;
}

/* The "your password was changed" notice, to the verified address. Best
 * effort: the change stands whether or not it could be queued. */
static void
mail_notice(const struct request *req, const bson_t *user)
{
	const char *to = user_verified_email(user);
	char name[128];
	struct mail_content mc;

	if (to == NULL)
		return;
	maillink_user_name(user, name, sizeof name);
	struct mail_var vars[] = { { "site", cfg.site_name }, { "name", name }, { "ip", req->ip } };
	if (mail_render(mail_language(user), MAIL_PASSWORD_CHANGED, vars, 3, &mc) != 0)
		return;
	if (mail_send(to, bson_get_str(user, "_id"), &mc, 0) != MAIL_QUEUED)
		log_warn("password changed: the notice could not be queued");
	mail_content_free(&mc);
}

/* Stores HASH as USER's password, signs out every login session but the
 * one whose hash is KEEP (NULL: all), ends a pending reset link, records
 * EV and mails the notice. False after answering. */
static bool
commit_or_reply(struct request *req, const bson_t *user, const char *hash, const char *keep,
    enum seclog_event ev)
{
	const char *uid = bson_get_str(user, "_id");
	bson_error_t e;
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(uid)), *upd = password_update(user, hash);
	bool ok = mongoc_collection_update_one(store_coll(COLL_USERS), sel, upd, NULL, NULL, &e);

	bson_destroy(upd);
	bson_destroy(sel);
	if (!ok)
		return reply_store_error(req, &e, "password change");
	/* Users.removeNonPATLoginTokensExcept: personal access tokens stay. */
	if (session_revoke(req, uid, keep ? REVOKE_OTHERS : REVOKE_ALL, NULL, &e) < 0)
		return reply_store_error(req, &e, "signing out after a password change");
	maillink_drop(LINK_RESET, uid);
	seclog_write(req, uid, ev, NULL);
	mail_notice(req, user);
	return true;
}

bool
password_change_or_reply(struct request *req, const char *new_password)
{
	const bson_t *user = req->session.user;
	char digest[SHA256_HEX_LEN + 1], hash[PWHASH_LEN];
	bool ok = false;

	if (!cfg.allow_password_change) {
		reply_error(req, ERR_ACTION_NOT_ALLOWED, "Edit user password is not allowed");
		return false;
	}
	sha256_hex(new_password, strlen(new_password), digest);
	if (!acceptable_or_reply(req, user, new_password, digest))
		goto out;
	if (pw_hash(digest, hash) != PW_MATCH) {
		reply_hash_busy(req);
		goto out;
	}
	ok = commit_or_reply(req, user, hash,
	    req->session.type == TOKEN_SESSION ? req->session.token_hash : NULL, SEC_PASSWORD_CHANGED);
out:
	sodium_memzero(digest, sizeof digest);
	sodium_memzero(hash, sizeof hash);
	return ok;
}

/* pw.getPolicy ---------------------------------------------------------- */

void
password_policy(struct request *req)
{
	reply_ok(req, pwpolicy_json());
}

/* A per-address slot for guessing link tokens; false after answering. */
static bool
link_try_or_reply(struct request *req, struct rl_key *k)
{
	char source[96];

	rl_source(req->ip, source, sizeof source);
	rl_key_window(k, "link-ip", source, LINK_TRIES_PER_IP, 3600);
	switch (rl_take(k)) {
	case RL_TAKEN:
		return true;
	case RL_REFUSED:
		return reply_rate_limited(req, k);
	default:
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		return false;
	}
}

/* The live reset link TOKEN names into L, counting a miss against the
 * caller's address; on success K's slot is still held, for the caller to
 * give back (rl_release) or keep as a miss (rl_failed). False after
 * answering: 401 as Rocket.Chat's pw.getPolicyReset when UNAUTHORIZED,
 * else error-invalid-token. */
static bool
reset_link_or_reply(struct request *req, const char *token, struct maillink *l, struct rl_key *k,
    bool unauthorized)
{
	if (!link_try_or_reply(req, k))
		return false;
	switch (maillink_find(LINK_RESET, token, l)) {
	case 1:
		return true;
	case 0:
		rl_failed(k);
		reply_error(req, unauthorized ? ERR_UNAUTHORIZED : ERR_LINK_INVALID, NULL);
		return false;
	default:
		rl_release(k);
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		return false;
	}
}

void
password_policy_reset(struct request *req)
{
	struct maillink l;
	struct rl_key k;

	if (reset_link_or_reply(req, req->qs[PWQ_TOKEN].s, &l, &k, true)) {
		rl_release(&k);
		reply_ok(req, pwpolicy_json());
	}
}

/* pw.strength (ours) ---------------------------------------------------- */

void
password_strength(struct request *req)
{
	const char *password = req->in[PWS_PASSWORD].s;
	char subject[96];
	struct rl_key k;
	struct maillink l;
	struct pw_strength s;
	bson_t *user = NULL;
	bool failed;

	if (req->session.ok) {
		snprintf(subject, sizeof subject, "%s", req->session.user_id);
	} else if (req->in[PWS_TOKEN].set) {
		struct rl_key lk;
		if (!reset_link_or_reply(req, req->in[PWS_TOKEN].s, &l, &lk, false))
			return;
		rl_release(&lk);
		snprintf(subject, sizeof subject, "%s", l.user_id);
	} else {
		reply_error(req, ERR_UNAUTHORIZED, NULL);
		return;
	}
	rl_key_window(&k, "pw-strength", subject, STRENGTH_PER_MIN, 60);
	if (!ratelimit_hit_or_reply(req, &k))
		return;
	if (!req->session.ok && (user = load_user_or_reply(req, l.user_id, &failed)) == NULL) {
		if (!failed)
			reply_error(req, ERR_LINK_INVALID, NULL);
		return;
	}
	estimate(user ? user : req->session.user, password, &s);
	json_object *o = pwstrength_json(&s), *reasons = pwpolicy_check(password);
	/* The unmet rules, so a page can tick its checklist from one answer. */
	json_object_object_add(o, "reasons", reasons ? reasons : json_object_new_array());
	reply_ok(req, o);
	if (user)
		bson_destroy(user);
}

/* users.forgotPassword -------------------------------------------------- */

/* The same answer, after the same work, whether or not the address is
 * anyone's: the lookup and the mail are a queued job (the mail sender
 * resolves it, admin/myaccount-admin.c), so even the timing tells nothing. */
void
password_forgot(struct request *req)
{
	const char *email = req->in[FORGOT_EMAIL].s;
	char source[96], lower[256];
	struct rl_key ip, addr;

	snprintf(lower, sizeof lower, "%s", email);
	for (char *p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	rl_source(req->ip, source, sizeof source);
	rl_key_window(&ip, "forgot-ip", source, FORGOT_PER_IP, 3600);
	if (!ratelimit_hit_or_reply(req, &ip))
		return;
	rl_key_window(&addr, "forgot-address", lower, FORGOT_PER_ADDR, 3600);
	if (!ratelimit_hit_or_reply(req, &addr))
		return;
	if (mail_queue_code_request(lower, NULL, LINK_RESET) != MAIL_QUEUED) {
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		return;
	}
	reply_ok(req, NULL);
}

/* users.resetPassword (ours) -------------------------------------------- */

/* The link is checked, the new password judged and hashed, and only then
 * the link used up: a refused password leaves it usable, and of parallel
 * uses exactly one wins the claim. */
void
password_reset(struct request *req)
{
	const char *token = req->in[RESET_TOKEN].s, *password = req->in[RESET_PASSWORD].s;
	char digest[SHA256_HEX_LEN + 1], hash[PWHASH_LEN];
	struct maillink l;
	struct rl_key k;
	bson_t *user = NULL;
	bool failed;

	if (!reset_link_or_reply(req, token, &l, &k, false))
		return;
	if ((user = load_user_or_reply(req, l.user_id, &failed)) == NULL) {
		if (!failed)
			reply_error(req, ERR_LINK_INVALID, NULL);
		goto out;
	}
	if (bson_has_field(user, "active") && !bson_get_bool(user, "active")) {
		reply_error(req, ERR_LINK_INVALID, NULL);
		goto out;
	}
	sha256_hex(password, strlen(password), digest);
	if (!acceptable_or_reply(req, user, password, digest))
		goto out;
	if (pw_hash(digest, hash) != PW_MATCH) {
		reply_hash_busy(req);
		goto out;
	}
	switch (maillink_claim(&l, token)) {
	case CLAIM_OK:
		break;
	case CLAIM_LOST:
		rl_failed(&k);
		reply_error(req, ERR_LINK_INVALID, NULL);
		goto out;
	default:
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		goto out;
	}
	if (commit_or_reply(req, user, hash, NULL, SEC_PASSWORD_RESET))
		reply_ok(req, NULL);
out:
	rl_release(&k);     /* the link was good: no miss (a lost claim counted one) */
	sodium_memzero(digest, sizeof digest);
	sodium_memzero(hash, sizeof hash);
	if (user)
		bson_destroy(user);
}
