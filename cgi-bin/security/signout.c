/* signout.c - ending the caller's sessions: the others (after a second
 * factor is switched on, as Rocket.Chat's removeNonPATLoginTokensExcept),
 * or all of them with personal access tokens (E2E key reset, as its
 * unsetLoginTokens). */
#include "security.h"

#include "seclog.h"
#include "session.h"
#include "store.h"

static bool
delete_tokens(struct request *req, bson_t *sel, const char *what)
{
	bson_error_t e;
	bool ok = mongoc_collection_delete_many(store_coll(COLL_TOKENS), sel, NULL, NULL, &e);

	bson_destroy(sel);
	if (!ok) {
		store_log_error(LOG_WARN, what, &e);
		return false;
	}
	seclog_write(req, req->session.user_id, SEC_SESSIONS_REVOKED, what);
	return true;
}

bool
signout_others(struct request *req)
{
	return delete_tokens(req, BCON_NEW("userId", BCON_UTF8(req->session.user_id), "type", BCON_UTF8("session"),
	    "_id", "{", "$ne", BCON_UTF8(req->session.token_hash), "}"), "others");
}

bool
signout_all(struct request *req)
{
	if (!delete_tokens(req, BCON_NEW("userId", BCON_UTF8(req->session.user_id)), "all"))
		return false;
	if (req->session.via_cookie)
		session_cookies(req, NULL, 0);
	return true;
}
