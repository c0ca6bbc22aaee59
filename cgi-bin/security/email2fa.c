/* email2fa.c - email as the caller's second factor: on (needs every
 * address verified, as Rocket.Chat's users.2fa.enableEmail; signs out the
 * other sessions) and off (the route asks a second factor, strict). The
 * codes themselves are lib/emailcode.c's; users.2fa.sendEmailCode is the
 * auth program's. */
#include "security.h"

#include "seclog.h"
#include "store.h"

/* Every address verified, and at least one. */
static bool
all_verified(const bson_t *user)
{
	bson_iter_t it, arr;
	int n = 0;

	if (!bson_iter_init_find(&it, user, "emails") || !BSON_ITER_HOLDS_ARRAY(&it) || !bson_iter_recurse(&it, &arr))
		return false;
	while (bson_iter_next(&arr)) {
		bson_iter_t e;
		if (!BSON_ITER_HOLDS_DOCUMENT(&arr) || !bson_iter_recurse(&arr, &e) ||
		    !bson_iter_find(&e, "verified") || !bson_iter_as_bool(&e))
			return false;
		n++;
	}
	return n > 0;
}

static enum err_kind
set_enabled(struct request *req, bool on)
{
	bson_error_t e;
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(req->session.user_id));
	bson_t *upd = BCON_NEW("$set", "{", "services.email2fa", "{", "enabled", BCON_BOOL(on),
	    "changedAt", BCON_DATE_TIME(now_ms()), "}", "}");
	bool ok = mongoc_collection_update_one(store_coll(COLL_USERS), sel, upd, NULL, NULL, &e);

	bson_destroy(sel);
	bson_destroy(upd);
	if (!ok) {
		store_log_error(LOG_WARN, "email 2FA switch", &e);
		return store_error_kind(&e);
	}
	seclog_write(req, req->session.user_id, on ? SEC_EMAIL_2FA_ENABLED : SEC_EMAIL_2FA_DISABLED, NULL);
	return ERR_NONE;
}

struct answer
email2fa_enable(struct request *req)
{
	enum err_kind why;

	if (!all_verified(req->session.user))
		return ANSWER_ERR(ERR_INVALID_USER, "You need to verify your emails before setting up 2FA");
	if ((why = set_enabled(req, true)) != ERR_NONE)
		return ANSWER_ERR(why, NULL);
	signout_others(req);
	return ANSWER_OK(NULL);
}

struct answer
email2fa_disable(struct request *req)
{
	enum err_kind why = set_enabled(req, false);
	return why != ERR_NONE ? ANSWER_ERR(why, NULL) : ANSWER_OK(NULL);
}
