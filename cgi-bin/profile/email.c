/* email.c - the caller's address: the change users.updateOwnBasicInfo asks
 * for (email_change_or_reply), Rocket.Chat's users.sendConfirmationEmail,
 * and ours users.verifyEmail, which the SPA calls with the token of the
 * mailed link (#/verify-email/<token>).
 *
 * Addresses are stored lower-cased (as the admin tool and sign-in do), so
 * the unique index on emails.address keeps them unique without regard to
 * case, also between two racing changes. A new address is unverified
 * until its link is used; the old one is told of the change. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "mail.h"
#include "maillink.h"
#include "profile.h"
#include "ratelimit.h"
#include "respond.h"
#include "seclog.h"
#include "store.h"
#include "user.h"

#define CONFIRM_PER_HOUR  5     /* verification mails per user per hour (Rocket.Chat: 5 a minute) */
#define VERIFY_TRIES_PER_IP 30  /* wrong or used verification tokens per address per hour */

static const char *
check_address(json_object *v)
{
	return mail_address_ok(json_object_get_string(v)) ? NULL : "must be an email address";
}

const struct field confirm_fields[] = {
	[CONFIRM_EMAIL] = { .name = "email", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL,
	                    .min = 3, .max = 254, .check = check_address },
	FIELD_END
};
const struct field verify_fields[] = {
	[VERIFY_TOKEN] = { .name = "token", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL,
	                   .min = 1, .max = 128 },
	FIELD_END
};

/* ADDRESS with ASCII letters lower-cased into OUT (N bytes); false when it
 * does not fit. */
static bool
lower_address(const char *address, char *out, size_t n)
{
	if (strlen(address) >= n)
		return false;
	for (size_t i = 0; i <= strlen(address); i++)
		out[i] = (char)(address[i] >= 'A' && address[i] <= 'Z' ? address[i] - 'A' + 'a' : address[i]);
	return true;
}

/* 1 when another user than UID has ADDRESS, 0 not, -1 after answering. */
static int
taken_or_reply(struct request *req, const char *uid, const char *address)
{
	bson_error_t e;
	bson_t *filter = BCON_NEW("emails.address", BCON_UTF8(address), "_id", "{", "$ne", BCON_UTF8(uid), "}");
	int64_t n = mongoc_collection_count_documents(store_coll(COLL_USERS), filter, NULL, NULL, NULL, &e);

	bson_destroy(filter);
	if (n < 0) {
		reply_store_error(req, &e, "email lookup");
		return -1;
	}
	return n > 0;
}

/* Rocket.Chat's answer for an address in use (setEmail's). */
static bool
reply_in_use(struct request *req, const char *address)
{
	json_object *d = json_object_new_object();

	json_object_object_add(d, "function", json_object_new_string("_setEmail"));
	json_object_object_add(d, "field", json_object_new_string(address));
	reply_error_ex(req, ERR_EMAIL_IN_USE, d, "%s is already in use :(", address);
	return false;
}

/* Tells OLD (the previous, verified address) that the account now uses NEW. */
static void
mail_old_address(const struct request *req, const bson_t *user, const char *old, const char *fresh)
{
	char name[128];
	struct mail_content mc;

	maillink_user_name(user, name, sizeof name);
	struct mail_var vars[] = { { "site", cfg.site_name }, { "name", name }, { "address", fresh },
	    { "ip", req->ip } };
	if (mail_render(mail_language(user), MAIL_EMAIL_CHANGED, vars, 4, &mc) != 0)
		return;
	if (mail_send(old, bson_get_str(user, "_id"), &mc, 0) != MAIL_QUEUED)
		log_warn("email changed: the notice to the old address could not be queued");
	mail_content_free(&mc);
}

bool
email_change_or_reply(struct request *req, const char *address)
{
	const bson_t *user = req->session.user;
	const char *uid = req->session.user_id, *current = bson_get_str(user, "emails.0.address");
	char fresh[256], old[256] = "";
	bson_error_t e;

	if (!cfg.allow_email_change) {
		reply_error(req, ERR_ACTION_NOT_ALLOWED, "Edit user email is not allowed");
		return false;
	}
	if (!lower_address(address, fresh, sizeof fresh) || !mail_address_ok(fresh)) {
		reply_error(req, ERR_INVALID_PARAMS, "'email' must be an email address");
		return false;
	}
	/* Rocket.Chat's setEmail: the same address again changes nothing. */
	if (current && strcmp(current, fresh) == 0)
		return true;
	switch (taken_or_reply(req, uid, fresh)) {
	case 0:
		break;
	case 1:
		return reply_in_use(req, fresh);
	default:
		return false;
	}
	/* The verified address before the change gets the notice. */
	if (user_verified_email(user))
		snprintf(old, sizeof old, "%s", user_verified_email(user));
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(uid));
	bson_t *upd = BCON_NEW("$set", "{", "emails", "[", "{", "address", BCON_UTF8(fresh),
	    "verified", BCON_BOOL(false), "}", "]", "_updatedAt", BCON_DATE_TIME(now_ms()), "}");
	bool ok = mongoc_collection_update_one(store_coll(COLL_USERS), sel, upd, NULL, NULL, &e);
	bson_destroy(upd);
	bson_destroy(sel);
	if (!ok)
		return store_is_duplicate(&e) ? reply_in_use(req, fresh) : reply_store_error(req, &e, "email change");
	/* A reset link mailed to the old address no longer speaks for the account. */
	maillink_drop(LINK_RESET, uid);
	seclog_write(req, uid, SEC_EMAIL_CHANGED, NULL);
	if (maillink_send(user, LINK_VERIFY, fresh) != 1)
		log_warn("email changed: the verification mail could not be queued (it can be resent)");
	if (*old)
		mail_old_address(req, user, old, fresh);
	return true;
}

/* users.sendConfirmationEmail ------------------------------------------- */

/* Stricter than Rocket.Chat, which mails whichever user owns the address
 * and answers 400 when nobody does (so any signed-in user can probe
 * addresses): here only the caller's own unverified address is mailed,
 * and every answer is the same success. */
void
email_send_confirmation(struct request *req)
{
	const char *current = bson_get_str(req->session.user, "emails.0.address");
	char asked[256];
	struct rl_key k;

	if (!lower_address(req->in[CONFIRM_EMAIL].s, asked, sizeof asked)) {
		reply_error(req, ERR_INVALID_PARAMS, "'email' must be an email address");
		return;
	}
	rl_key_window(&k, "confirm-mail", req->session.user_id, CONFIRM_PER_HOUR, 3600);
	if (!ratelimit_hit_or_reply(req, &k))
		return;
	if (current && strcmp(current, asked) == 0 && !bson_get_bool(req->session.user, "emails.0.verified") &&
	    maillink_send(req->session.user, LINK_VERIFY, current) == -1) {
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		return;
	}
	reply_ok(req, NULL);
}

/* users.verifyEmail (ours) ---------------------------------------------- */

/* Uses the link up first, then marks the address it was mailed to
 * verified, if the user still has it. */
void
email_verify(struct request *req)
{
	const char *token = req->in[VERIFY_TOKEN].s;
	char source[96];
	struct maillink l;
	struct rl_key k;
	enum claim_result r = CLAIM_LOST;

	rl_source(req->ip, source, sizeof source);
	rl_key_window(&k, "link-ip", source, VERIFY_TRIES_PER_IP, 3600);
	switch (rl_take(&k)) {
	case RL_TAKEN:
		break;
	case RL_REFUSED:
		reply_rate_limited(req, &k);
		return;
	default:
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		return;
	}
	switch (maillink_find(LINK_VERIFY, token, &l)) {
	case 1:
		r = maillink_claim(&l, token);
		break;
	case 0:
		break;
	default:
		r = CLAIM_DB_ERROR;
	}
	if (r == CLAIM_OK)
		r = store_claim_update(COLL_USERS,
		    BCON_NEW("_id", BCON_UTF8(l.user_id), "emails.0.address", BCON_UTF8(l.address)),
		    BCON_NEW("$set", "{", "emails.0.verified", BCON_BOOL(true),
		        "_updatedAt", BCON_DATE_TIME(now_ms()), "}"));
	switch (r) {
	case CLAIM_OK:
		rl_release(&k);
		seclog_write(req, l.user_id, SEC_EMAIL_VERIFIED, NULL);
		reply_ok(req, NULL);
		break;
	case CLAIM_LOST:
		rl_failed(&k);
		reply_error(req, ERR_LINK_INVALID, NULL);
		break;
	default:
		rl_release(&k);
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
	}
}
