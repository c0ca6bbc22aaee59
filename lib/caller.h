/* caller.h - who is calling: X-User-Id + X-Auth-Token headers (login token or
 * personal access token) or the SPA's session cookie plus CSRF header.
 * One aggregate round trip yields token and user together. */
#ifndef MA_CALLER_H
#define MA_CALLER_H

#include <stdbool.h>

#include "request.h"
#include "session.h"

/* Looks up the caller. true: req->session is filled. false: either no
 * credentials were sent (nothing replied) or they were wrong / the database
 * failed (an answer has been written; check replied()). */
bool auth_request(struct request *req);

/* Authenticates the token already in req->session.token (and USER_ID when
 * not NULL); same answers as auth_request(). */
bool auth_token(struct request *req, const char *user_id);

/* Cookie sessions must echo the CSRF value on state-changing requests.
 * Answers 403 and returns false when it is missing or wrong. */
bool auth_check_csrf(struct request *req);

#endif
