/* caller.h - who is calling: X-User-Id + X-Auth-Token headers (login token or
 * personal access token) or the SPA's session cookie plus CSRF header.
 * One aggregate round trip yields token and user together. */
#ifndef MA_CALLER_H
#define MA_CALLER_H

#include <stdbool.h>

#include "request.h"
#include "session.h"

enum caller_result {
	CALLER_ABSENT,      /* no credentials sent; nothing answered */
	CALLER_REFUSED,     /* wrong, expired or disabled; nothing answered */
	CALLER_FAILED,      /* the lookup failed (database); 503 answered */
	CALLER_OK,          /* req->session is filled */
};

/* Looks up the caller from the headers or the session cookie. */
enum caller_result auth_request(struct request *req);

/* Authenticates the token already in req->session.token (and USER_ID when
 * not NULL); the same outcomes as auth_request(). */
enum caller_result auth_token(struct request *req, const char *user_id);

/* Cookie sessions must echo the CSRF value on state-changing requests.
 * Answers 403 and returns false when it is missing or wrong. */
bool csrf_check_or_reply(struct request *req);

#endif
