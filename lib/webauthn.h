/* webauthn.h - checking the browser's half of a WebAuthn Level 2 ceremony:
 * clientDataJSON (parsed with json-c), the attestation object (libcbor),
 * authenticator data and signatures (libfido2, the library OpenSSH uses for
 * security keys). No database here; passkey.h stores and claims. What is
 * and is not verified is listed in the README ("Passkeys"). */
#ifndef MA_WEBAUTHN_H
#define MA_WEBAUTHN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WA_CHALLENGE_LEN  32
#define WA_CRED_ID_MAX    1023    /* bytes, as the spec bounds credential ids */
#define WA_PUBKEY_MAX     512     /* libfido2's raw form: ES256 64, EdDSA 32, RS256 259 */
#define WA_AAGUID_LEN     16

/* Authenticator data flags (WebAuthn 6.1). */
#define WA_FLAG_UP 0x01u
#define WA_FLAG_UV 0x04u
#define WA_FLAG_BE 0x08u
#define WA_FLAG_BS 0x10u
#define WA_FLAG_AT 0x40u

enum wa_result {
	WA_OK,
	WA_BAD_CLIENT_DATA,     /* not JSON, or a member missing */
	WA_BAD_TYPE,            /* type is not the ceremony's */
	WA_BAD_ORIGIN,          /* origin is not ours, or crossOrigin */
	WA_BAD_ATTESTATION,     /* attestation object malformed, or its statement failed */
	WA_BAD_RP,              /* rpIdHash is not SHA-256 of our rp id */
	WA_BAD_FLAGS,           /* user presence, or user verification when required */
	WA_BAD_ALG,             /* not ES256, RS256 or EdDSA */
	WA_BAD_SIGNATURE,
};

/* What the server expects of this ceremony. Borrowed strings. */
struct wa_expect {
	const char *type;       /* "webauthn.create" or "webauthn.get" */
	const char *origin;     /* "https://example.org" */
	const char *rp_id;      /* "example.org" */
	bool        require_uv;
};

struct wa_client_data {
	unsigned char challenge[WA_CHALLENGE_LEN];
	unsigned char hash[32];         /* SHA-256 of the clientDataJSON bytes, what is signed */
};

/* Checks clientDataJSON: type, origin (exactly ours), crossOrigin not true,
 * a challenge of WA_CHALLENGE_LEN bytes (its value is for the caller to
 * claim). */
enum wa_result wa_client_data_check(const unsigned char *cdj, size_t len, const struct wa_expect *x,
    struct wa_client_data *out);

struct wa_credential {
	int           alg;                      /* COSE_ES256, COSE_RS256, COSE_EDDSA */
	unsigned char id[WA_CRED_ID_MAX];
	size_t        id_len;
	unsigned char pubkey[WA_PUBKEY_MAX];    /* libfido2's raw form of the key */
	size_t        pubkey_len;
	unsigned char aaguid[WA_AAGUID_LEN];
	uint32_t      sign_count;
	uint8_t       flags;
	char          fmt[16];                  /* attestation format */
};

/* The registration's attestation object (CBOR {fmt, attStmt, authData}):
 * rp id hash, flags, the attested credential and its key; the attestation
 * statement verified for "packed" and "fido-u2f", accepted empty for
 * "none"; other formats refused. CDH is the client data's hash. */
enum wa_result wa_attestation_check(const unsigned char *att, size_t len, const unsigned char cdh[32],
    const struct wa_expect *x, struct wa_credential *out);

/* An assertion: AUTHDATA (raw) and SIG over AUTHDATA || CDH by the stored
 * key (ALG, PUBKEY in libfido2's raw form); rp id hash and flags. COUNT gets
 * the signature counter. */
enum wa_result wa_assertion_check(int alg, const unsigned char *pubkey, size_t pubkey_len,
    const unsigned char *authdata, size_t authdata_len, const unsigned char *sig, size_t sig_len,
    const unsigned char cdh[32], const struct wa_expect *x, uint32_t *count);

/* Why, in a word, for logs. Static. */
const char *wa_result_name(enum wa_result r);

#endif
