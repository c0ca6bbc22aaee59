/* passkey.h - the user's passkeys and the server's half of the WebAuthn
 * ceremonies: the relying party (from site_url, or passkeys_origin),
 * challenges (random, single use, five minutes, stored keyed-hashed,
 * claimed by one atomic delete), and an assertion's checks for the second
 * factor and for passwordless sign-in. Signatures are verified in
 * webauthn.c (libfido2).
 *
 * Passkeys live in the user document, keyed by credential id (base64url,
 * which never holds '.' or '$'):
 *   services.webauthn.count                  number of passkeys
 *   services.webauthn.credentials.<id>       {name, alg, publicKey, signCount,
 *        aaguid, createdAt, lastUsedAt, transports, backupEligible, cloneWarning}
 * so adding (under the limit), removing and counting are each one atomic
 * update of one document, and deleting or exporting the account covers them. */
#ifndef MA_PASSKEY_H
#define MA_PASSKEY_H

#include <bson/bson.h>
#include <json-c/json.h>
#include <stdbool.h>

#include "request.h"
#include "store.h"
#include "validate.h"
#include "webauthn.h"

#define PASSKEYS_MAX          20
#define PASSKEY_CHALLENGE_S   300
#define PASSKEY_NAME_MAX      64
#define PASSKEY_B64_MAX       4096      /* characters of one base64url member */
#define PASSKEY_ID_B64_MAX    1364      /* base64url of WA_CRED_ID_MAX bytes */

enum pk_purpose { PK_REGISTER, PK_SECOND_FACTOR, PK_SIGN_IN };

/* The PublicKeyCredential of navigator.credentials.get(), as its toJSON()
 * gives it (the SPA sends exactly that). Indices of passkey_assertion_fields: */
enum { PA_ID, PA_RAW_ID, PA_TYPE, PA_RESPONSE, PA_ATTACHMENT, PA_EXTENSIONS };
enum { PAR_CLIENT_DATA, PAR_AUTH_DATA, PAR_SIGNATURE, PAR_USER_HANDLE };
extern const struct field passkey_assertion_fields[];

/* A field check: base64url without padding (credential ids become field
 * names, so nothing else may get through). */
const char *passkey_check_b64url(json_object *v);

/* The relying party this server is: origin "scheme://host[:port]" and rp id
 * (the host). Static strings, derived once from the config. */
const char *passkey_origin(void);
const char *passkey_rp_id(void);
/* The admin's passkeys_user_verification: "required", "preferred" or
 * "discouraged"; and whether a ceremony of PURPOSE demands the UV flag
 * (passwordless sign-in always does: it stands for password and second
 * factor together). */
const char *passkey_uv_setting(void);
bool passkey_uv_required(enum pk_purpose purpose);

/* How many passkeys USER has (0 when the admin switched passkeys off). */
int passkey_count(const bson_t *user);

/* A fresh challenge for PURPOSE, bound to USER_ID (NULL for sign-in):
 * stored as its keyed hash; OUT gets it base64url. false on a database
 * error (logged). */
bool passkey_challenge_new(enum pk_purpose purpose, const char *user_id, char out[64]);
/* Claims (deletes) the live challenge CH of PURPOSE and USER_ID: exactly one
 * claim of a challenge ever wins. */
enum claim_result passkey_challenge_claim(enum pk_purpose purpose, const char *user_id,
    const unsigned char ch[WA_CHALLENGE_LEN]);

/* base64url (no padding) into OUT, at most MAX bytes; false when not. */
bool b64url_decode(const char *s, unsigned char *out, size_t max, size_t *len);
/* OUT (4/3 LEN + 1 bytes) gets base64url without padding. */
void b64url_encode(const unsigned char *in, size_t len, char *out, size_t outlen);

/* [{type: "public-key", id}] for each of USER's passkeys ([] for NULL).
 * Caller owns. */
json_object *passkey_descriptors(const bson_t *user);
/* Request options for navigator.credentials.get(): {challenge, rpId,
 * timeout, userVerification, allowCredentials (USER's passkeys; [] for
 * USER NULL: discoverable)}. Caller owns. */
json_object *passkey_request_options(const bson_t *user, const char *challenge, enum pk_purpose purpose);

enum pk_result {
	PK_OK,
	PK_INVALID,     /* anything that did not verify (logged with the reason) */
	PK_CLONED,      /* signature counter went backwards: refused, passkey flagged */
	PK_DB_ERROR,
};

/* Checks the assertion CRED (values of passkey_assertion_fields) for
 * PURPOSE against USER's passkeys: client data, the challenge (claimed),
 * the signature, flags, the user handle, the counter; then records the use
 * (counter, last used). NAME_OUT (may be NULL, 65 bytes) gets the passkey's
 * name. */
enum pk_result passkey_assert(const bson_t *user, enum pk_purpose purpose, const struct fval *cred,
    char *name_out);

/* The webauthn method of twofactor.c: options for the challenge answer
 * (NULL on a database error), and checking CODE, the JSON of the
 * assertion as the x-2fa-code header carries it. */
json_object *passkey_twofactor_options(const bson_t *user);
enum claim_result passkey_twofactor_verify(const bson_t *user, const char *code);

#endif
