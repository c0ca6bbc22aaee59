/* signout.c - ending the caller's sessions: the others (after a second
 * factor is switched on, as Rocket.Chat's removeNonPATLoginTokensExcept),
 * or all of them with personal access tokens (E2E key reset, as its
 * unsetLoginTokens). Sessions end through session_revoke(), the one place
 * that does (and logs) it. */
#include "security.h"

#include "session.h"
#include "store.h"

bool
signout_others(struct request *req)
{
	bson_error_t e;

	if (session_revoke(req, req->session.user_id, REVOKE_OTHERS, NULL, &e) >= 0)
		return true;
	store_log_error(LOG_WARN, "signing out the other sessions", &e);
	return false;
}

bool
signout_all(struct request *req)
{
	bson_error_t e;

	if (session_revoke(req, req->session.user_id, REVOKE_EVERY_TOKEN, NULL, &e) < 0) {
		store_log_error(LOG_WARN, "signing out everywhere", &e);
		return false;
	}
	if (req->session.via_cookie)
		session_cookies(req, NULL, 0);
	return true;
}
