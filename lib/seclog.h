/* seclog.h - the per-user security log: one document per event in the
 * security_log collection (sign-ins, second-factor and passkey changes,
 * tokens, password and email changes, revoked sessions, exports). Written
 * by the lib function where the event happens, never by a handler. A
 * failed write is logged and forgotten: the log never fails a request.
 * Documents never hold secrets: only the fields below. */
#ifndef MA_SECLOG_H
#define MA_SECLOG_H

#include <stdbool.h>

#include "request.h"

enum seclog_event {
	SEC_LOGIN_OK,               /* detail: the method ("password", "totp", "email", "backup", "webauthn") */
	SEC_LOGIN_FAILED,           /* detail: what failed ("password", "2fa", "blocked") */
	SEC_LOGOUT,
	SEC_SESSIONS_REVOKED,       /* detail: "others", "one", "all" */
	SEC_PASSWORD_CHANGED,
	SEC_PASSWORD_RESET,
	SEC_EMAIL_CHANGED,
	SEC_EMAIL_VERIFIED,
	SEC_TOTP_ENABLED,
	SEC_TOTP_DISABLED,
	SEC_BACKUP_CODES_REGENERATED,
	SEC_EMAIL_2FA_ENABLED,
	SEC_EMAIL_2FA_DISABLED,
	SEC_PASSKEY_ADDED,          /* detail: the passkey's name */
	SEC_PASSKEY_REMOVED,
	SEC_TOKEN_CREATED,          /* detail: the token's name */
	SEC_TOKEN_REGENERATED,
	SEC_TOKEN_REMOVED,
	SEC_E2E_KEY_SET,
	SEC_E2E_KEY_RESET,
	SEC_EXPORT_REQUESTED,       /* detail: "json" or "html" */
	SEC_USERNAME_CHANGED,       /* detail: the new username */
	SEC__COUNT
};

/* The event's stable name as stored and sent ("login", "totp.enabled"). */
const char *seclog_name(enum seclog_event ev);

/* Records EV for USER_ID with REQ's address and user agent (REQ may be
 * NULL for the admin tool and the worker). DETAIL (may be NULL) is a
 * short, non-secret word or name, cut to 64 characters. */
void seclog_write(const struct request *req, const char *user_id, enum seclog_event ev,
    const char *detail);

#endif
