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
	[ERR_CONFLICT]          = { 400, "error-conflict", "Conflict" },
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
