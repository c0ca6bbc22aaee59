/* signin.h - what a sign-in leaves behind, however it was made (password,
 * passkey): the security log and, when it comes from a device or address
 * the user has not signed in from before, a notice mail with a "this was
 * not me" link. Devices are remembered as keyed hashes of user, address and
 * user agent (collection known_devices), or by the signed device cookie of
 * loginguard.h. The first device an account is ever seen on is learnt
 * silently, so installing this does not mail every user once. */
#ifndef MA_SIGNIN_H
#define MA_SIGNIN_H

#include <bson/bson.h>
#include <stdbool.h>

#include "request.h"

#define NOT_ME_TTL_MS   (7LL * 86400 * 1000)     /* the notice's link works this long */
#define DEVICE_KEEP_MS  (365LL * 86400 * 1000)   /* a device unseen this long is new again */

/* USER signed in by METHOD ("password", "totp", "email", "webauthn", ...):
 * logs it and, for a new device, queues the notice (unless the user turned
 * receiveLoginDetectionEmail off or has no verified address). Best effort:
 * nothing here fails the sign-in. */
void signin_succeeded(const struct request *req, const bson_t *user, const char *method);

/* A sign-in to USER_ID failed (WHAT: "password", "2fa", "blocked"). */
void signin_failed(const struct request *req, const char *user_id, const char *what);

/* The "this was not me" link's token: when it is live, uses it up and ends
 * every login session of its user, and removes the personal access tokens
 * made since that sign-in. USER_ID_OUT (ID buffer of 64) gets whose. 1 done,
 * 0 unknown, used or expired, -1 database error. */
int signin_disown(const char *token, char user_id_out[64]);

#endif
