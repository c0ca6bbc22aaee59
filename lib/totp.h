/* totp.h - the authenticator-app factor: RFC 6238 codes (liboath) used at
 * most once per time step, and the single-use backup codes that stand in
 * for it. Both are claimed atomically, so two racing requests cannot both
 * pass with one code. */
#ifndef MA_TOTP_H
#define MA_TOTP_H

#include <bson/bson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "crypto.h"
#include "store.h"

#define TOTP_STEP_S       30
#define TOTP_DIGITS       6
#define BACKUP_CODE_LEN   8
#define BACKUP_CODES      12      /* Rocket.Chat's TOTP.generateCodes() */
#define TOTP_SECRET_BYTES 20      /* 160 bits, RFC 4226's recommendation */
#define TOTP_SECRET_B32   32      /* its base32, no padding */

/* Verifies a TOTP code against a base32 secret at time NOW, within
 * cfg.totp_window_steps (Accounts_TwoFactorAuthentication_MaxDelta) steps
 * either side; on success *COUNTER gets the matched time step. Exposed for
 * tests. */
bool totp_code_ok(const char *base32_secret, const char *code, time_t now, uint64_t *counter);

/* How a backup code is stored in services.totp.hashedBackup: keyed with
 * the server secret (crypto.h keyed_hash, "k1:..."). Hashes stored before
 * (Rocket.Chat's and ours: unkeyed hex SHA-256) keep working until used;
 * every code made from now on must be stored with this. false without a
 * secret_key. */
bool backup_code_hash(const char *code, char out[KEYED_HASH_LEN + 1]);

/* Where a user's secrets live in services.totp: the confirmed one and
 * the one of an enrolment in progress. Each is stored sealed (FIELD +
 * "Box", secretbox.h); a plain FIELD (Rocket.Chat's, or from before
 * sealing) is still read, and sealed in place on that first read. */
enum totp_slot { TOTP_SECRET, TOTP_TEMP_SECRET };

/* USER has a readable-looking confirmed secret (sealed or plain). */
bool totp_has_secret(const bson_t *user, enum totp_slot slot);
/* The base32 secret of SLOT, a new string (secretbox_free()), or NULL when
 * there is none or it does not open (the cause is logged). */
char *totp_secret_of(const bson_t *user, enum totp_slot slot);

/* A fresh random secret, base32 without padding. */
void totp_new_secret(char out[TOTP_SECRET_B32 + 1]);
/* The otpauth:// URL of SECRET for USERNAME: label "<issuer>:<username>"
 * and issuer = site_name (Google's Key Uri Format). New string (free()). */
char *totp_otpauth_url(const char *secret, const char *username);

/* BACKUP_CODES fresh codes in CODES, and their keyed hashes appended to
 * the array being built in HASHES. False without a secret_key. */
bool totp_new_backup_codes(char codes[BACKUP_CODES][BACKUP_CODE_LEN + 1], bson_t *hashes);

/* CODE is a fresh TOTP code of USER's enrolment in progress: on success
 * *COUNTER gets its step (the caller records it as used when it confirms
 * the enrolment, in the same write). */
bool totp_check_temp(const bson_t *user, const char *code, uint64_t *counter);

/* CODE is a fresh TOTP code of USER (its step newer than the last one used,
 * recorded here) or one of its unused backup codes (used up here). */
enum claim_result totp_verify(const bson_t *user, const char *code);

#endif
