/* session.h - issuing sessions: a new login token, its cookies and CSRF
 * value, and the throttled record of its activity (last used, address,
 * user agent). Revoking is a delete of the token document by its hash. */
#ifndef MA_SESSION_H
#define MA_SESSION_H

#include <stdint.h>

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

#endif
