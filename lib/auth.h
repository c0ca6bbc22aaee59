/* auth.h - who is calling: X-User-Id + X-Auth-Token headers (login token or
 * personal access token) or the SPA's session cookie plus CSRF header.
 * One aggregate round trip yields token and user together. */
#ifndef MA_AUTH_H
#define MA_AUTH_H

#include <stdbool.h>

#include "request.h"

#define COOKIE_SESSION  "rc_session"
#define COOKIE_CSRF     "rc_csrf"
#define HEADER_CSRF     "X-CSRF-Token"
#define ACTIVITY_WRITE_MS (5 * 60 * 1000)   /* lastUsedAt is written at most this often */

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

/* The CSRF value paired with a session token (derived, so nothing extra is
 * stored): base64url(SHA-256("csrf:" token)). */
void csrf_for_token(const char *token, char out[64]);

/* Creates a browser/API login session for USER_ID; TOKEN_OUT gets the plain
 * token (shown once). Returns false after replying on a database error. */
bool session_create(struct request *req, const char *user_id, char token_out[64],
    int64_t *expires_ms);

/* Sets (or with TOKEN NULL, clears) the session and CSRF cookies. */
void session_cookies(struct request *req, const char *token, int64_t expires_ms);

#endif
