/* crypto.c - see crypto.h. */
#include "crypto.h"

#include <sodium.h>
#include <string.h>

#include "config.h"

static const char id_alphabet[] =
    "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz";

int
crypto_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void
random_id(char *out, size_t len)
{
	for (size_t i = 0; i < len; i++)
		out[i] = id_alphabet[randombytes_uniform(sizeof id_alphabet - 1)];
	out[len] = '\0';
}

void
random_secret(char out[SECRET_LEN + 1])
{
	unsigned char buf[32];
	randombytes_buf(buf, sizeof buf);
	sodium_bin2base64(out, SECRET_LEN + 1, buf, sizeof buf,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(buf, sizeof buf);
}

void
random_digits(char *out, size_t len)
{
	for (size_t i = 0; i < len; i++)
		out[i] = (char)('0' + randombytes_uniform(10));
	out[len] = '\0';
}

void
token_hash(const char *token, char out[TOKEN_HASH_LEN + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2base64(out, TOKEN_HASH_LEN + 1, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
}

void
sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, SHA256_HEX_LEN + 1, h, sizeof h);
}

bool
keyed_mac(const char *purpose, const void *data, size_t len, unsigned char out[32])
{
	const unsigned char *key = config_secret();
	crypto_auth_hmacsha256_state st;

	if (key == NULL)
		return false;
	crypto_auth_hmacsha256_init(&st, key, 32);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)purpose, strlen(purpose) + 1);
	crypto_auth_hmacsha256_update(&st, data, len);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof st);
	return true;
}

bool
keyed_hash(const char *purpose, const void *data, size_t len, char out[KEYED_HASH_LEN + 1])
{
	unsigned char mac[32];

	if (!keyed_mac(purpose, data, len, mac))
		return false;
	memcpy(out, "k1:", 3);
	sodium_bin2base64(out + 3, KEYED_HASH_LEN + 1 - 3, mac, sizeof mac,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return true;
}

bool
is_sha256_hex(const char *s)
{
	size_t i;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == SHA256_HEX_LEN;
}

bool
secret_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return false;
	return sodium_memcmp(a, b, la) == 0;
}

int
password_hash(const char *hexdigest, long opslimit, long memlimit_kib, char out[PWHASH_LEN])
{
	return crypto_pwhash_str_alg(out, hexdigest, strlen(hexdigest),
	    (unsigned long long)opslimit, (size_t)memlimit_kib * 1024,
	    crypto_pwhash_ALG_ARGON2ID13);
}

bool
password_verify(const char *stored, const char *hexdigest)
{
	return crypto_pwhash_str_verify(stored, hexdigest, strlen(hexdigest)) == 0;
}

bool
password_needs_rehash(const char *stored, long opslimit, long memlimit_kib)
{
	return crypto_pwhash_str_needs_rehash(stored, (unsigned long long)opslimit,
	    (size_t)memlimit_kib * 1024) != 0;
}
