/* session.h - issuing sessions: a new login token, its cookies and CSRF
 * value, and the throttled record of its activity (last used, address,
 * user agent). Revoking is a delete of the token document by its hash. */
#ifndef MA_SESSION_H
#define MA_SESSION_H

#include <stdint.h>

#include <bson/bson.h>

#include "request.h"

#define COOKIE_SESSION  "rc_session"
#define COOKIE_CSRF     "rc_csrf"
#define HEADER_CSRF     "X-CSRF-Token"
#define ACTIVITY_WRITE_MS (5 * 60 * 1000)   /* lastUsedAt is written at most this often */

/* The CSRF value paired with a session token (derived, so nothing extra is
 * stored): base64url(SHA-256("csrf:" token)). */
void csrf_for_token(const char *token, char out[64]);

/* Creates a browser/API login session for USER_ID; TOKEN_OUT gets the plain
 * token (shown once). Returns false after replying on a database error. */
bool session_create_or_reply(struct request *req, const char *user_id, char token_out[64],
    int64_t *expires_ms);

/* Sets (or with TOKEN NULL, clears) the session and CSRF cookies. */
void session_cookies(struct request *req, const char *token, int64_t expires_ms);

/* Records the caller's activity on its token at most once per
 * ACTIVITY_WRITE_MS (best effort: a failure is logged, never answered). */
void session_touch(struct request *req);

/* Which login sessions session_revoke() ends. */
enum revoke_scope {
	REVOKE_CURRENT,     /* the caller's own token (sign out) */
	REVOKE_ONE,         /* the caller's session with public id SID */
	REVOKE_OTHERS,      /* every one but the caller's */
	REVOKE_ALL,         /* every one, the caller's too */
};
/* Ends login sessions of USER_ID by SCOPE (REQ is the caller; NULL for the
 * admin tool with REVOKE_ALL). Personal access tokens are never touched,
 * except REVOKE_CURRENT signing out with one. The one place sessions end,
 * so the security log records each. The number ended; -1 on a database
 * error (E set). */
int64_t session_revoke(const struct request *req, const char *user_id, enum revoke_scope scope,
    const char *sid, bson_error_t *e);

#endif
