/* totp.c - see totp.h. */
#include "totp.h"

#include <liboath/oath.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "log.h"
#include "secretbox.h"

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
	    (unsigned)cfg.totp_window_steps, &pos, counter, otp_compare, (void *)code) >= 0;
	sodium_memzero(secret, len);
	free(secret);
	return ok;
}

/* A TOTP code counts once: the matched step must be newer than the last
 * one used, recorded atomically so two racing requests cannot both pass. */
static enum claim_result
verify_code(const bson_t *user, const char *code)
{
	char *secret = totp_secret_of(user, TOTP_SECRET);
	uint64_t counter = 0;
	bool ok = secret && totp_code_ok(secret, code, time(NULL), &counter);

	secretbox_free(secret);
	if (!ok)
		return CLAIM_LOST;
	return store_claim_update(COLL_USERS,
	    BCON_NEW("_id", BCON_UTF8(bson_get_str(user, "_id")),
	        "$or", "[", "{", "services.totp.lastCounter", BCON_NULL, "}",
	            "{", "services.totp.lastCounter", "{", "$lt", BCON_INT64((int64_t)counter), "}", "}", "]"),
	    BCON_NEW("$set", "{", "services.totp.lastCounter", BCON_INT64((int64_t)counter), "}"));
}

/* The field names of a slot: plain (Rocket.Chat's) and sealed. */
static const struct { const char *plain, *sealed; } slots[] = {
	[TOTP_SECRET] = { "services.totp.secret", "services.totp.secretBox" },
	[TOTP_TEMP_SECRET] = { "services.totp.tempSecret", "services.totp.tempSecretBox" },
};

bool
totp_has_secret(const bson_t *user, enum totp_slot slot)
{
	return bson_get_str(user, slots[slot].sealed) || bson_get_str(user, slots[slot].plain);
}

/* Seals a plain secret in place; the filter holds the plain value, so a
 * secret changed meanwhile is left alone. Best effort: it is read again
 * (and sealed then) next time, or by `myaccount-admin rotate-key`. */
static void
seal_in_place(const char *uid, enum totp_slot slot, const char *plain)
{
	char *sealed = secretbox_seal(uid, plain);

	if (sealed == NULL)
		return;
	store_claim_update(COLL_USERS,
	    BCON_NEW("_id", BCON_UTF8(uid), slots[slot].plain, BCON_UTF8(plain)),
	    BCON_NEW("$set", "{", slots[slot].sealed, BCON_UTF8(sealed), "}",
	        "$unset", "{", slots[slot].plain, BCON_UTF8(""), "}"));
	free(sealed);
}

char *
totp_secret_of(const bson_t *user, enum totp_slot slot)
{
	const char *uid = bson_get_str(user, "_id");
	const char *sealed = bson_get_str(user, slots[slot].sealed);
	const char *plain = bson_get_str(user, slots[slot].plain);
	char *out;

	if (uid == NULL)
		return NULL;
	if (sealed) {
		out = secretbox_open(uid, sealed);
		if (out == NULL)
			log_warn("TOTP secret of user %s does not open: its key is not in totp_keys, or it was altered", uid);
		return out;
	}
	if (plain == NULL || (out = strdup(plain)) == NULL)
		return NULL;
	seal_in_place(uid, slot, plain);
	return out;
}

void
totp_new_secret(char out[TOTP_SECRET_B32 + 1])
{
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char raw[TOTP_SECRET_BYTES];

	randombytes_buf(raw, sizeof raw);
	/* 160 bits are 32 groups of 5: no padding. */
	for (size_t i = 0; i < TOTP_SECRET_B32; i++) {
		size_t bit = i * 5, byte = bit / 8, shift = bit % 8;
		unsigned v = (unsigned)raw[byte] << 8 | (byte + 1 < sizeof raw ? raw[byte + 1] : 0);
		out[i] = b32[(v >> (11 - shift)) & 31];
	}
	out[TOTP_SECRET_B32] = '\0';
	sodium_memzero(raw, sizeof raw);
}

/* RFC 3986 percent-encoding of everything but the unreserved characters. */
static void
put_encoded(char **p, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-._~", c))
			*(*p)++ = (char)c;
		else
			*p += sprintf(*p, "%%%02X", c);
	}
}

char *
totp_otpauth_url(const char *secret, const char *username)
{
	/* The Key Uri Format forbids a colon in the issuer. */
	char issuer[256];
	snprintf(issuer, sizeof issuer, "%s", cfg.site_name);
	for (char *c = issuer; *c; c++)
		if (*c == ':')
			*c = ' ';
	size_t n = 64 + 6 * strlen(issuer) + 3 * strlen(username) + strlen(secret);
	char *url = malloc(n), *p = url;
	if (url == NULL)
		return NULL;
	p += sprintf(p, "otpauth://totp/");
	put_encoded(&p, issuer);
	*p++ = ':';
	put_encoded(&p, username);
	p += sprintf(p, "?secret=%s&issuer=", secret);
	put_encoded(&p, issuer);
	sprintf(p, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS, TOTP_STEP_S);
	return url;
}

bool
totp_new_backup_codes(char codes[BACKUP_CODES][BACKUP_CODE_LEN + 1], bson_t *hashes)
{
	char hash[KEYED_HASH_LEN + 1], key[16];

	for (int i = 0; i < BACKUP_CODES; i++) {
		random_id(codes[i], BACKUP_CODE_LEN);
		if (!backup_code_hash(codes[i], hash))
			return false;
		snprintf(key, sizeof key, "%d", i);
		BSON_APPEND_UTF8(hashes, key, hash);
	}
	return true;
}

bool
totp_check_temp(const bson_t *user, const char *code, uint64_t *counter)
{
	char *secret = totp_secret_of(user, TOTP_TEMP_SECRET);
	bool ok = secret && totp_code_ok(secret, code, time(NULL), counter);

	secretbox_free(secret);
	return ok;
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
