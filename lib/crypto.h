/* crypto.h - random identifiers, token hashing and password hashing
 * (libsodium). Every secret comparison here is constant time. */
#ifndef MA_CRYPTO_H
#define MA_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#define ID_LEN          17      /* Rocket.Chat Random.id() */
#define SECRET_LEN      43      /* Rocket.Chat Random.secret(): base64url of 32 bytes */
#define TOKEN_HASH_LEN  44      /* base64(SHA-256(token)), as Meteor stores it */
#define SHA256_HEX_LEN  64

/* Must be called once per process before anything else here. */
int crypto_init(void);

/* OUT gets LEN characters from Rocket.Chat's id alphabet plus a NUL. */
void random_id(char *out, size_t len);
/* OUT gets SECRET_LEN base64url characters plus a NUL. */
void random_secret(char out[SECRET_LEN + 1]);
/* OUT gets LEN decimal digits plus a NUL. */
void random_digits(char *out, size_t len);

/* base64(SHA-256(token)) with padding, the lookup key of login tokens. */
void token_hash(const char *token, char out[TOKEN_HASH_LEN + 1]);
/* Lower-case hex SHA-256 of DATA. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1]);

/* "k1:" + base64url(HMAC-SHA-256(secret_key, PURPOSE "\0" DATA)): how short
 * guessable secrets (backup codes, emailed codes) are stored, so a copy of
 * the database alone does not let anyone test guesses offline. PURPOSE
 * separates the uses of the one key. false when no secret_key is loaded. */
#define KEYED_HASH_LEN  46
bool keyed_hash(const char *purpose, const void *data, size_t len, char out[KEYED_HASH_LEN + 1]);
/* The raw HMAC of the same input, for signatures (device cookies). */
bool keyed_mac(const char *purpose, const void *data, size_t len, unsigned char out[32]);

bool is_sha256_hex(const char *s);
/* Constant time for equal lengths; false when lengths differ. */
bool secret_equal(const char *a, const char *b);

/* argon2id over the lower-case hex SHA-256 of the password (API.md). OUT must
 * hold PWHASH_LEN bytes. Returns -1 when out of memory. */
#define PWHASH_LEN 128
int password_hash(const char *hexdigest, long opslimit, long memlimit_kib, char out[PWHASH_LEN]);
bool password_verify(const char *stored, const char *hexdigest);
bool password_needs_rehash(const char *stored, long opslimit, long memlimit_kib);

#endif
