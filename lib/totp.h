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
#define TOTP_WINDOW       1       /* Accounts_TwoFactorAuthentication_MaxDelta */
#define BACKUP_CODE_LEN   8

/* Verifies a TOTP code against a base32 secret at time NOW; on success
 * *COUNTER gets the matched time step. Exposed for tests. */
bool totp_code_ok(const char *base32_secret, const char *code, time_t now, uint64_t *counter);

/* How a backup code is stored in services.totp.hashedBackup: keyed with
 * the server secret (crypto.h keyed_hash, "k1:..."). Hashes stored before
 * (Rocket.Chat's and ours: unkeyed hex SHA-256) keep working until used;
 * every code made from now on must be stored with this. false without a
 * secret_key. */
bool backup_code_hash(const char *code, char out[KEYED_HASH_LEN + 1]);

/* CODE is a fresh TOTP code of USER (its step newer than the last one used,
 * recorded here) or one of its unused backup codes (used up here). */
enum claim_result totp_verify(const bson_t *user, const char *code);

#endif
