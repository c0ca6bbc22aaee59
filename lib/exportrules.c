/* exportrules.c - the table behind exportrules.h. Reading it tells what an
 * archive holds; README.txt in each archive says the same in words. */
#include "exportrules.h"

#include <string.h>

static const char *const user_fields[] = {
	"_id", "username", "name", "nickname", "bio", "statusText", "status", "statusDefault",
	"emails", "createdAt", "_updatedAt", "lastLogin", "active", "roles", "type", "language",
	"utcOffset", "customFields", "settings.preferences", "avatarOrigin", "avatarETag",
	/* The E2E private key is stored encrypted by the user's own E2E
	 * password, which the server never sees: it is the user's, and
	 * useless without that password (README.txt says so). */
	"e2e.public_key", "e2e.private_key",
	/* Which second factors are on; never their secrets or codes. */
	"services.totp.enabled", "services.email2fa.enabled", "services.email2fa.changedAt",
	/* Passkeys: names, public keys, counters, dates; a public key is no secret. */
	"services.webauthn.count", "services.webauthn.credentials",
	NULL
};

/* No _id: a token's _id is the hash of the token. */
static const char *const token_fields[] = {
	"type", "sid", "name", "createdAt", "expiresAt", "lastUsedAt", "ip", "userAgent",
	"bypassTwoFactor", NULL
};

static const char *const mail_fields[] = {
	"_id", "kind", "purpose", "to", "state", "createdAt", "finishedAt", "attempts", NULL
};

static const char *const code_fields[] = { "purpose", "expiresAt", "attempts", NULL };

static const char *const export_fields[] = {
	"_id", "fullExport", "status", "progress", "createdAt", "_updatedAt", "completedAt",
	"expiresAt", "fileName", "fileSize", "failReason", NULL
};

static const char *const seclog_fields[] = { "event", "at", "ip", "userAgent", "detail", NULL };

/* No _id (a keyed hash of the device), no notMeHash. */
static const char *const device_fields[] = { "firstSeen", "lastSeen", "expiresAt", NULL };

static const struct export_rule rules[COLL__COUNT] = {
	[COLL_USERS] = { .kind = EXPORT_DOCS, .fields = user_fields,
	    .parts = { { .file = "user.json", .section = "profile", .single = true } } },
	[COLL_TOKENS] = { .kind = EXPORT_DOCS, .fields = token_fields, .sort = "createdAt",
	    .parts = {
		{ .file = "sessions.json", .section = "sessions", .match_field = "type", .match_value = "session" },
		{ .file = "personal-access-tokens.json", .section = "tokens", .match_field = "type",
		  .match_value = "personalAccessToken" } } },
	[COLL_RATELIMITS] = { .kind = EXPORT_SKIP,
	    .why = "failure counters keyed by a hash of an account or address: nothing in them names the user" },
	/* The message is left out: it may hold a one-time code. */
	[COLL_MAIL] = { .kind = EXPORT_DOCS, .fields = mail_fields, .sort = "createdAt",
	    .parts = { { .file = "mail.json", .section = "mail" } } },
	[COLL_EMAIL_CODES] = { .kind = EXPORT_DOCS, .fields = code_fields, .sort = "expiresAt",
	    .parts = { { .file = "pending-codes.json", .section = "codes" } } },
	[COLL_EXPORTS] = { .kind = EXPORT_DOCS, .fields = export_fields, .sort = "createdAt",
	    .parts = { { .file = "exports.json", .section = "exports" } } },
	[COLL_AVATARS] = { .kind = EXPORT_BINARY, .data_field = "data", .type_field = "contentType",
	    .parts = { { .file = "avatar", .section = "avatar" } } },
	[COLL_SECLOG] = { .kind = EXPORT_DOCS, .fields = seclog_fields, .sort = "at",
	    .parts = { { .file = "security-log.json", .section = "security" } } },
	[COLL_WEBAUTHN_CHALLENGES] = { .kind = EXPORT_SKIP,
	    .why = "passkey ceremony challenges, keyed-hashed and gone within five minutes: nothing of the user's" },
	[COLL_EXPORT_FILES] = { .kind = EXPORT_SKIP,
	    .why = "the export archives themselves (this file is one)" },
	[COLL_DEVICES] = { .kind = EXPORT_DOCS, .fields = device_fields, .sort = "firstSeen",
	    .parts = { { .file = "known-devices.json", .section = "devices" } } },
};

const struct export_rule *
export_rule(enum coll c)
{
	if (c < 0 || c >= COLL__COUNT || (rules[c].kind == EXPORT_SKIP && rules[c].why == NULL))
		return NULL;
	return &rules[c];
}

/* Paths that hold secrets anywhere in the store, by collection-agnostic
 * name: a rule naming one of them, a parent of one or a part of one is
 * refused by the unit test. */
static const char *const secret_paths[] = {
	"services.password", "services.resume", "services.totp.secret", "services.totp.hashedBackup",
	"services.totp.tempSecret", "services.email2fa.code", "services.emailCode", "hash", "message",
	"downloadHash", "linkNonce", "claim", "twoFactorAuthorizedHash", "lastTokenPart", "patKey",
	"secret", "data.secret", "notMeHash", NULL
};

/* A is B, or a path inside B (B "." ...), or B inside A. */
static bool
overlaps(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), n = na < nb ? na : nb;
	return strncmp(a, b, n) == 0 && (na == nb || (na > nb ? a[n] : b[n]) == '.');
}

bool
export_path_is_secret(const char *path)
{
	const char *last = strrchr(path, '.');

	for (size_t i = 0; secret_paths[i]; i++)
		if (overlaps(path, secret_paths[i]))
			return true;
	/* "services" alone, or any "*.secret" / "*hash*" leaf. */
	if (strcmp(path, "services") == 0 || strcmp(path, "e2e") == 0)
		return true;
	last = last ? last + 1 : path;
	return strcmp(last, "secret") == 0 || strcasestr(last, "hash") != NULL || strcmp(last, "token") == 0;
}
