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

#include "store.h"

#define TOTP_STEP_S       30
#define TOTP_DIGITS       6
#define TOTP_WINDOW       1       /* Accounts_TwoFactorAuthentication_MaxDelta */
#define BACKUP_CODE_LEN   8

/* Verifies a TOTP code against a base32 secret at time NOW; on success
 * *COUNTER gets the matched time step. Exposed for tests. */
bool totp_code_ok(const char *base32_secret, const char *code, time_t now, uint64_t *counter);

/* CODE is a fresh TOTP code of USER (its step newer than the last one used,
 * recorded here) or one of its unused backup codes (used up here). */
enum claim_result totp_verify(const bson_t *user, const char *code);

#endif
