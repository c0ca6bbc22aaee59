/* seclog.c - see seclog.h. */
#include "seclog.h"

#include <string.h>

#include "config.h"
#include "store.h"
#include "utf8.h"

#define DETAIL_MAX 64 * 4       /* 64 characters of up to 4 bytes */
#define AGENT_MAX  256

static const char *const names[SEC__COUNT] = {
	[SEC_LOGIN_OK] = "login",
	[SEC_LOGIN_FAILED] = "login.failed",
	[SEC_LOGOUT] = "logout",
	[SEC_SESSIONS_REVOKED] = "sessions.revoked",
	[SEC_PASSWORD_CHANGED] = "password.changed",
	[SEC_PASSWORD_RESET] = "password.reset",
	[SEC_EMAIL_CHANGED] = "email.changed",
	[SEC_EMAIL_VERIFIED] = "email.verified",
	[SEC_TOTP_ENABLED] = "totp.enabled",
	[SEC_TOTP_DISABLED] = "totp.disabled",
	[SEC_BACKUP_CODES_REGENERATED] = "totp.codesRegenerated",
	[SEC_EMAIL_2FA_ENABLED] = "email2fa.enabled",
	[SEC_EMAIL_2FA_DISABLED] = "email2fa.disabled",
	[SEC_PASSKEY_ADDED] = "passkey.added",
	[SEC_PASSKEY_REMOVED] = "passkey.removed",
	[SEC_TOKEN_CREATED] = "token.created",
	[SEC_TOKEN_REGENERATED] = "token.regenerated",
	[SEC_TOKEN_REMOVED] = "token.removed",
	[SEC_E2E_KEY_SET] = "e2e.keySet",
	[SEC_E2E_KEY_RESET] = "e2e.keyReset",
	[SEC_EXPORT_REQUESTED] = "export.requested",
	[SEC_USERNAME_CHANGED] = "username.changed",
};

const char *
seclog_name(enum seclog_event ev)
{
	return ev >= 0 && ev < SEC__COUNT ? names[ev] : "unknown";
}

void
seclog_write(const struct request *req, const char *user_id, enum seclog_event ev,
    const char *detail)
{
	char agent[AGENT_MAX], what[DETAIL_MAX + 1];
	int64_t now = now_ms();
	bson_error_t e;

	utf8_copy_printable(agent, sizeof agent, req ? req_header(req, "User-Agent") : NULL);
	utf8_copy_printable(what, sizeof what, detail);
	bson_t *doc = BCON_NEW(
	    "userId", BCON_UTF8(user_id),
	    "event", BCON_UTF8(seclog_name(ev)),
	    "at", BCON_DATE_TIME(now),
	    "expiresAt", BCON_DATE_TIME(now + cfg.security_log_days * 86400000LL),
	    "ip", BCON_UTF8(req ? req->ip : ""),
	    "userAgent", BCON_UTF8(agent));
	if (detail != NULL)
		BSON_APPEND_UTF8(doc, "detail", what);
	/* Best effort, as the header promises: the event already happened. */
	if (!mongoc_collection_insert_one(store_coll(COLL_SECLOG), doc, NULL, NULL, &e))
		store_log_error(LOG_WARN, "could not write the security log", &e);
	bson_destroy(doc);
}
