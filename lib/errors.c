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
	[ERR_AVATAR_INVALID_URL] = { 400, "error-avatar-invalid-url", "Invalid avatar URL" },
	[ERR_AVATAR_URL_HANDLING] = { 400, "error-avatar-url-handling", "Error while handling avatar setting from a URL" },
	[ERR_INVALID_IMAGE]     = { 400, "error-invalid-image", "The image could not be read" },
	/* The security area. */
	[ERR_2FA_ALREADY_ENABLED] = { 400, "error-2fa-already-enabled", "Two-factor authentication by TOTP is already enabled" },
	[ERR_INVALID_TOTP]      = { 400, "invalid-totp", "Invalid TOTP code" },
	[ERR_KEYS_ALREADY_SET]  = { 400, "error-keys-already-set", "Keys already set" },
	[ERR_INTERNAL]          = { 500, NULL, "Internal server error" },
	/* profile: identity and status */
	[ERR_INVALID_USERNAME]  = { 400, "error-invalid-username", "Invalid username" },
	[ERR_BLOCKED_USERNAME]  = { 400, "error-blocked-username", "This username is blocked and can't be used!" },
	[ERR_SAVE_IDENTITY]     = { 400, "error-could-not-save-identity", "Could not save user identity" },
	[ERR_NICKNAME_SIZE]     = { 400, "error-nickname-size-exceeded", "Nickname size exceeds 120 characters" },
	[ERR_BIO_SIZE]          = { 400, "error-bio-size-exceeded", "Bio size exceeds 260 characters" },
	[ERR_INVALID_STATUS]    = { 400, "error-invalid-status", "Valid status types include online, away, offline, and busy." },
	[ERR_STATUS_NOT_ALLOWED] = { 400, "error-status-not-allowed", "Invisible status is disabled" },
	[ERR_PASSWORD_POLICY]   = { 400, "error-password-policy-not-met", "The password provided does not meet the server's password policy." },
	[ERR_PASSWORD_SAME]     = { 400, "error-password-same-as-current", "The new password is the same as the current one" },
	[ERR_PASSWORD_IN_HISTORY] = { 400, "error-password-in-history", "This password was used before; choose another" },
	[ERR_PASSWORD_WEAK]     = { 400, "error-password-too-weak", "This password is too easy to guess; make it longer or less predictable" },
	[ERR_LINK_INVALID]      = { 400, "error-invalid-token", "This link is invalid, already used or expired" },
	[ERR_EMAIL_IN_USE]      = { 400, "error-field-unavailable", "This email address is already in use" },
	[ERR_EMAIL_NOT_VERIFIED] = { 400, "error-email-not-verified", "Verify your email address first" },
	[ERR_PASSKEY_INVALID]   = { 400, "error-passkey-invalid", "The passkey could not be verified" },
	[ERR_PASSKEY_NOT_FOUND] = { 400, "error-passkey-not-found", "No such passkey" },
	[ERR_PASSKEY_EXISTS]    = { 400, "error-passkey-already-registered", "This passkey is already registered" },
	[ERR_TOO_MANY_PASSKEYS] = { 400, "error-too-many-passkeys", "You have the most passkeys allowed; remove one first" },
};

const struct err_info *
err_info(enum err_kind kind)
{
	if (kind < 0 || kind >= ERR__COUNT)
		kind = ERR_INTERNAL;
	return &table[kind];
}
