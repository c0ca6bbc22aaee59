/* secretbox.h - TOTP secrets at rest: sealed with libsodium's secretbox
 * (XSalsa20-Poly1305) under a key ring from the config, so a copy of the
 * database alone does not yield anyone's authenticator secret.
 *
 * The ring: `totp_keys = ID:64hex, ID:64hex` (IDs of 1-16 letters, digits,
 * _ or -) plus a key derived from `secret_key` (ID "sk", always there);
 * the one named by `totp_key_current` (default: the first listed, else
 * "sk") seals, every one opens. A sealed value names its key:
 *
 *	sb1:<ID>:<base64url(nonce || MAC || ciphertext)>
 *
 * and its plaintext starts with the user id, so a sealed value copied onto
 * another user's document does not open there. Rotation without downtime:
 * add the new key to every config (it is then readable everywhere), make it
 * current, run `myaccount-admin rotate-key` (re-seals every secret not under
 * the current key, and seals plain ones), then drop the old key. */
#ifndef MA_SECRETBOX_H
#define MA_SECRETBOX_H

#include <stdbool.h>
#include <stddef.h>

#define SECRETBOX_PREFIX "sb1:"
#define SECRETBOX_ID_MAX 16

/* Reads the ring from cfg (config_load() calls it). -1 with a message on a
 * malformed ring or an unknown current id. */
int secretbox_load(char *err, size_t errlen);

/* The id new secrets are sealed with; "" when no key is loaded. */
const char *secretbox_current_id(void);

/* PLAIN sealed for USER_ID under the current key: a new string (free()),
 * or NULL when no key is loaded. */
char *secretbox_seal(const char *user_id, const char *plain);

/* The plaintext of SEALED for USER_ID: a new string the caller wipes and
 * frees (secretbox_free), or NULL when it is not a sealed value, its key is
 * not in the ring, it was tampered with or belongs to another user. */
char *secretbox_open(const char *user_id, const char *sealed);
void secretbox_free(char *plain);

/* SEALED is a sealed value under the current key. */
bool secretbox_is_current(const char *sealed);

#endif
