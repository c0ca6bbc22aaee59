/* errors.c - the table behind errors.h. */
#include "errors.h"

#include <stddef.h>

static const struct err_info table[ERR__COUNT] = {
	[ERR_NONE]              = { 200, NULL, "OK" },
	[ERR_INVALID_PARAMS]    = { 400, "invalid-params", "Invalid parameters" },
	[ERR_PARAM_REQUIRED]    = { 400, "error-parameter-required", "A required parameter is missing" },
	[ERR_BAD_REQUEST]       = { 400, "error-invalid-request", "The request body could not be read" },
	[ERR_LOGIN_FAILED]      = { 401, NULL, "Unauthorized" },
	[ERR_UNAUTHORIZED]      = { 401, NULL, "You must be logged in to do this." },
	[ERR_CSRF]              = { 403, "error-csrf", "Missing or wrong X-CSRF-Token header for a cookie session" },
	[ERR_FORBIDDEN]         = { 403, "error-forbidden", "You are not allowed to do this" },
	[ERR_NOT_ALLOWED]       = { 400, "error-not-allowed", "This action is switched off by the administrator" },
	[ERR_NOT_FOUND]         = { 404, NULL, "Resource not found" },
	[ERR_METHOD]            = { 405, "error-method-not-allowed", "Method not allowed" },
	[ERR_TOO_LARGE]         = { 413, "error-too-large", "Request body too large" },
	[ERR_UNSUPPORTED_TYPE]  = { 415, "error-unsupported-media-type", "Send the body as application/json" },
	[ERR_RATE_LIMITED]      = { 429, "error-too-many-requests", "Error, too many requests. Please slow down." },
	[ERR_TOTP_REQUIRED]     = { 400, "totp-required", "TOTP Required" },
	[ERR_TOTP_INVALID]      = { 400, "totp-invalid", "TOTP Invalid" },
	[ERR_TOTP_MAX_ATTEMPTS] = { 400, "totp-max-attempts", "TOTP Maximun Failed Attempts Reached" },
	[ERR_INVALID_USER]      = { 400, "error-invalid-user", "Invalid user" },
	[ERR_INVALID_PASSWORD]  = { 400, "error-invalid-password", "Invalid password" },
	[ERR_ACTION_NOT_ALLOWED] = { 400, "error-action-not-allowed", "Editing user is not allowed" },
	[ERR_NOT_AUTHORIZED]    = { 400, "not-authorized", "Not Authorized" },
	[ERR_SESSION_NOT_FOUND] = { 400, "error-session-not-found", "Session not found" },
	[ERR_TOKEN_EXISTS]      = { 400, "error-token-already-exists", "A token with this name already exists" },
	[ERR_TOKEN_NOT_FOUND]   = { 400, "error-token-does-not-exists", "Token does not exist" },
	[ERR_TOO_MANY_TOKENS]   = { 400, "error-too-many-tokens", "You have reached the maximum number of personal access tokens" },
	[ERR_TOKEN_OUTLIVES]    = { 400, "error-token-expiry-too-late", "A personal access token cannot create a token that outlives it" },
	[ERR_USER_NOT_ACTIVATED] = { 401, "error-user-is-not-activated", "User is not activated" },
	[ERR_LOGIN_BLOCKED_USER] = { 401, "error-login-blocked-for-user", "Too many failed sign-ins for this account; try again later" },
	[ERR_LOGIN_BLOCKED_IP]  = { 401, "error-login-blocked-for-ip", "Too many failed sign-ins from this address; try again later" },
	[ERR_IDLE_TIME_LIMIT]   = { 400, "invalid-idle-time-limit-value", "Invalid idleTimeLimit" },
	[ERR_NOT_ME_LINK]       = { 400, "error-not-me-link-invalid", "This link is not valid: it was used already, has expired, or was mistyped" },
	[ERR_BUSY]              = { 503, "error-server-busy", "The server is busy checking other sign-ins; please try again in a moment" },
	[ERR_DB_UNAVAILABLE]    = { 503, "error-database-unavailable", "The database is unavailable; please try again shortly" },
	[ERR_MAIL_UNAVAILABLE]  = { 503, "error-email-send-failed", "The mail server is unavailable; please try again shortly" },
	[ERR_INTERNAL]          = { 500, NULL, "Internal server error" },
};

const struct err_info *
err_info(enum err_kind kind)
{
	if (kind < 0 || kind >= ERR__COUNT)
		kind = ERR_INTERNAL;
	return &table[kind];
}
