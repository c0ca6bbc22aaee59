/* signout.c - ending the caller's sessions: the others (after a second
 * factor is switched on, as Rocket.Chat's removeNonPATLoginTokensExcept),
 * or all of them with personal access tokens (E2E key reset, as its
 * unsetLoginTokens). Sessions end through session_revoke(), the one place
 * that does (and logs) it. */
#include "security.h"

#include "seclog.h"
#include "session.h"
#include "store.h"

bool
signout_others(struct request *req)
{
	bson_error_t e;

	if (session_revoke(req, req->session.user_id, REVOKE_OTHERS, NULL, &e) < 0) {
		store_log_error(LOG_WARN, "sign out the other sessions", &e);
		return false;
	}
	return true;
}

bool
signout_all(struct request *req)
{
	bson_error_t e;
	bson_t *sel;
	bool ok;

	if (session_revoke(req, req->session.user_id, REVOKE_ALL, NULL, &e) < 0) {
		store_log_error(LOG_WARN, "sign out every session", &e);
		return false;
	}
	/* Rocket.Chat's unsetLoginTokens takes personal access tokens too. */
	sel = BCON_NEW("userId", BCON_UTF8(req->session.user_id), "type", BCON_UTF8("personalAccessToken"));
	ok = mongoc_collection_delete_many(store_coll(COLL_TOKENS), sel, NULL, NULL, &e);
	bson_destroy(sel);
	if (!ok) {
		store_log_error(LOG_WARN, "remove the personal access tokens", &e);
		return false;
	}
	seclog_write(req, req->session.user_id, SEC_TOKEN_REMOVED, "all");
	if (req->session.via_cookie)
		session_cookies(req, NULL, 0);
	return true;
}
