/* totp.c - see totp.h. */
#include "totp.h"

#include <liboath/oath.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"

static int
otp_compare(void *handle, const char *test)
{
	const char *given = handle;
	return strlen(given) == strlen(test) && sodium_memcmp(given, test, strlen(test)) == 0 ? 0 : 1;
}

bool
totp_code_ok(const char *base32_secret, const char *code, time_t now, uint64_t *counter)
{
	char *secret = NULL;
	size_t len = 0;
	int pos;
	bool ok;

	if (strlen(code) != TOTP_DIGITS || strspn(code, "0123456789") != TOTP_DIGITS)
		return false;
	if (oath_base32_decode(base32_secret, strlen(base32_secret), &secret, &len) != OATH_OK)
		return false;
	ok = oath_totp_validate3_callback(secret, len, now, TOTP_STEP_S, 0, TOTP_DIGITS,
	    TOTP_WINDOW, &pos, counter, otp_compare, (void *)code) >= 0;
	sodium_memzero(secret, len);
	free(secret);
	return ok;
}

/* A TOTP code counts once: the matched step must be newer than the last
 * one used, recorded atomically so two racing requests cannot both pass. */
static enum claim_result
verify_code(const bson_t *user, const char *code)
{
	const char *secret = bson_get_str(user, "services.totp.secret");
	uint64_t counter = 0;

	if (secret == NULL || !totp_code_ok(secret, code, time(NULL), &counter))
		return CLAIM_LOST;
	return store_claim_update(COLL_USERS,
	    BCON_NEW("_id", BCON_UTF8(bson_get_str(user, "_id")),
	        "$or", "[", "{", "services.totp.lastCounter", BCON_NULL, "}",
	            "{", "services.totp.lastCounter", "{", "$lt", BCON_INT64((int64_t)counter), "}", "}", "]"),
	    BCON_NEW("$set", "{", "services.totp.lastCounter", BCON_INT64((int64_t)counter), "}"));
}

bool
backup_code_hash(const char *code, char out[KEYED_HASH_LEN + 1])
{
	return keyed_hash("backup-code", code, strlen(code), out);
}

/* A backup code is used up atomically by $pull of its hash, keyed or (from
 * before keying) plain hex SHA-256: a match on either uses it. */
static enum claim_result
verify_backup(const bson_t *user, const char *code)
{
	char keyed[KEYED_HASH_LEN + 1], legacy[SHA256_HEX_LEN + 1];
	const char *uid = bson_get_str(user, "_id");

	if (uid == NULL || !backup_code_hash(code, keyed))
		return CLAIM_LOST;
	sha256_hex(code, strlen(code), legacy);
	return store_claim_update(COLL_USERS,
	    BCON_NEW("_id", BCON_UTF8(uid),
	        "services.totp.hashedBackup", "{", "$in", "[", BCON_UTF8(keyed), BCON_UTF8(legacy), "]", "}"),
	    BCON_NEW("$pull", "{", "services.totp.hashedBackup",
	        "{", "$in", "[", BCON_UTF8(keyed), BCON_UTF8(legacy), "]", "}", "}"));
}

enum claim_result
totp_verify(const bson_t *user, const char *code)
{
	return strlen(code) == BACKUP_CODE_LEN ? verify_backup(user, code) : verify_code(user, code);
}
