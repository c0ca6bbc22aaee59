/* webauthn.c - see webauthn.h. Every signature is checked by libfido2; this
 * file only parses and compares. */
#include "webauthn.h"

#include <cbor.h>
#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <fido/rs256.h>
#include <json-c/json.h>
#include <sodium.h>
#include <string.h>

#define RP_ID_HASH_LEN 32

const char *
wa_result_name(enum wa_result r)
{
	static const char *const names[] = {
		[WA_OK] = "ok", [WA_BAD_CLIENT_DATA] = "client-data", [WA_BAD_TYPE] = "type",
		[WA_BAD_ORIGIN] = "origin", [WA_BAD_ATTESTATION] = "attestation", [WA_BAD_RP] = "rp-id",
		[WA_BAD_FLAGS] = "flags", [WA_BAD_ALG] = "algorithm", [WA_BAD_SIGNATURE] = "signature",
	};
	return r >= 0 && r < (int)(sizeof names / sizeof names[0]) ? names[r] : "unknown";
}

static const char *
member_str(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

enum wa_result
wa_client_data_check(const unsigned char *cdj, size_t len, const struct wa_expect *x,
    struct wa_client_data *out)
{
	json_tokener *tok = json_tokener_new();
	json_object *o = tok ? json_tokener_parse_ex(tok, (const char *)cdj, (int)len) : NULL;
	enum wa_result r = WA_BAD_CLIENT_DATA;
	const char *type, *origin, *challenge, *end;
	json_object *cross;
	size_t n = 0;

	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len || !json_object_is_type(o, json_type_object))
		goto out;
	type = member_str(o, "type");
	origin = member_str(o, "origin");
	challenge = member_str(o, "challenge");
	if (type == NULL || origin == NULL || challenge == NULL)
		goto out;
	if (strcmp(type, x->type) != 0) {
		r = WA_BAD_TYPE;
		goto out;
	}
	/* Exactly our origin; an embedding in another site's frame is refused. */
	if (strcmp(origin, x->origin) != 0 ||
	    (json_object_object_get_ex(o, "crossOrigin", &cross) && json_object_get_boolean(cross))) {
		r = WA_BAD_ORIGIN;
		goto out;
	}
	if (sodium_base642bin(out->challenge, sizeof out->challenge, challenge, strlen(challenge), NULL,
	    &n, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || *end != '\0' ||
	    n != WA_CHALLENGE_LEN)
		goto out;
	crypto_hash_sha256(out->hash, cdj, len);
	r = WA_OK;
out:
	json_object_put(o);
	if (tok)
		json_tokener_free(tok);
	return r;
}

/* authData starts with SHA-256(rp id). Compared here because libfido2 only
 * does it inside the verifications that "none" attestation has nothing for. */
static bool
rp_hash_matches(const unsigned char *authdata, size_t len, const char *rp_id)
{
	unsigned char h[RP_ID_HASH_LEN];
	crypto_hash_sha256(h, (const unsigned char *)rp_id, strlen(rp_id));
	return len >= RP_ID_HASH_LEN && sodium_memcmp(h, authdata, RP_ID_HASH_LEN) == 0;
}

static bool
flags_ok(uint8_t flags, bool require_uv)
{
	return (flags & WA_FLAG_UP) && (!require_uv || (flags & WA_FLAG_UV));
}

/* libcbor 0.8's cbor_load() allocates a definite array or map by its
 * declared size before reading it, so a few bytes claiming 2^40 members
 * ask for terabytes. A first pass with the streaming decoder (which
 * allocates nothing) refuses any count the input could not hold. */
struct cbor_scan { size_t len; bool bad; };

static void
scan_collection(void *ctx, size_t n)
{
	struct cbor_scan *s = ctx;
	if (n > s->len)
		s->bad = true;
}

static bool
cbor_counts_plausible(const unsigned char *data, size_t len)
{
	struct cbor_callbacks cb = cbor_empty_callbacks;
	struct cbor_scan s = { .len = len, .bad = false };
	size_t off = 0;

	cb.array_start = scan_collection;
	cb.map_start = scan_collection;
	while (off < len && !s.bad) {
		struct cbor_decoder_result r = cbor_stream_decode(data + off, len - off, &cb, &s);
		if (r.status != CBOR_DECODER_FINISHED || r.read == 0)
			return false;
		off += r.read;
	}
	return !s.bad;
}

/* The CBOR that follows authenticator data's fixed part (rp id hash, flags,
 * counter: 37 bytes; with attested credential data also the AAGUID, the id
 * length and the id), which libfido2 hands to cbor_load(): plausible? */
#define AUTHDATA_FIXED 37
static bool
authdata_cbor_plausible(const unsigned char *ad, size_t len)
{
	size_t off = AUTHDATA_FIXED;

	if (len < AUTHDATA_FIXED)
		return false;
	if (ad[32] & WA_FLAG_AT) {
		if (len < AUTHDATA_FIXED + WA_AAGUID_LEN + 2)
			return false;
		off += WA_AAGUID_LEN + 2 + ((size_t)ad[off + WA_AAGUID_LEN] << 8 | ad[off + WA_AAGUID_LEN + 1]);
		if (off > len)
			return false;
	}
	return cbor_counts_plausible(ad + off, len - off);
}

/* The attestation object's three members, borrowed from its CBOR map. */
struct att_parts {
	const cbor_item_t *fmt, *stmt, *authdata;
};

static bool
key_is(const cbor_item_t *k, const char *name)
{
	size_t n = strlen(name);
	return cbor_isa_string(k) && cbor_string_is_definite(k) && cbor_string_length(k) == n &&
	    memcmp(cbor_string_handle(k), name, n) == 0;
}

static bool
att_parts_of(const cbor_item_t *map, struct att_parts *p)
{
	struct cbor_pair *pairs;

	memset(p, 0, sizeof *p);
	if (!cbor_isa_map(map) || !cbor_map_is_definite(map))
		return false;
	pairs = cbor_map_handle(map);
	for (size_t i = 0; i < cbor_map_size(map); i++) {
		if (key_is(pairs[i].key, "fmt"))
			p->fmt = pairs[i].value;
		else if (key_is(pairs[i].key, "attStmt"))
			p->stmt = pairs[i].value;
		else if (key_is(pairs[i].key, "authData"))
			p->authdata = pairs[i].value;
	}
	return p->fmt && cbor_isa_string(p->fmt) && cbor_string_is_definite(p->fmt) &&
	    p->stmt && cbor_isa_map(p->stmt) &&
	    p->authdata && cbor_isa_bytestring(p->authdata) && cbor_bytestring_is_definite(p->authdata);
}

/* The algorithms we accept; libfido2 parses the credential's COSE key only
 * for the type it is told, so each is tried in turn. */
static const int algs[] = { COSE_ES256, COSE_RS256, COSE_EDDSA };

static bool
cred_from_authdata(fido_cred_t **cred, const unsigned char *ad, size_t len)
{
	if (!authdata_cbor_plausible(ad, len))
		return false;
	for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
		fido_cred_t *c = fido_cred_new();
		if (c && fido_cred_set_type(c, algs[i]) == FIDO_OK &&
		    fido_cred_set_authdata_raw(c, ad, len) == FIDO_OK) {
			*cred = c;
			return true;
		}
		fido_cred_free(&c);
	}
	return false;
}

/* The statement of "packed" (full or self attestation) and "fido-u2f",
 * verified by libfido2 over authData and the client data hash. */
static enum wa_result
statement_check(fido_cred_t *c, const struct att_parts *p, const char *fmt, const unsigned char cdh[32],
    const struct wa_expect *x)
{
	unsigned char *stmt = NULL;
	size_t stmt_size = 0, stmt_len;
	enum wa_result r = WA_BAD_ATTESTATION;
	bool has_x5c = false;

	if (strcmp(fmt, "none") == 0)
		return cbor_map_size(p->stmt) == 0 ? WA_OK : WA_BAD_ATTESTATION;
	if (strcmp(fmt, "packed") != 0 && strcmp(fmt, "fido-u2f") != 0)
		return WA_BAD_ATTESTATION;
	for (size_t i = 0; i < cbor_map_size(p->stmt); i++)
		if (key_is(cbor_map_handle(p->stmt)[i].key, "x5c"))
			has_x5c = true;
	stmt_len = cbor_serialize_alloc(p->stmt, &stmt, &stmt_size);
	if (stmt_len == 0 ||
	    fido_cred_set_fmt(c, fmt) != FIDO_OK ||
	    fido_cred_set_rp(c, x->rp_id, NULL) != FIDO_OK ||
	    fido_cred_set_clientdata_hash(c, cdh, 32) != FIDO_OK ||
	    (x->require_uv && fido_cred_set_uv(c, FIDO_OPT_TRUE) != FIDO_OK) ||
	    fido_cred_set_attstmt(c, stmt, stmt_len) != FIDO_OK)
		goto out;
	/* With a certificate: its key signed; without: the credential itself. */
	if ((has_x5c ? fido_cred_verify(c) : fido_cred_verify_self(c)) == FIDO_OK)
		r = WA_OK;
out:
	free(stmt);
	return r;
}

enum wa_result
wa_attestation_check(const unsigned char *att, size_t len, const unsigned char cdh[32],
    const struct wa_expect *x, struct wa_credential *out)
{
	struct cbor_load_result lr;
	cbor_item_t *root = cbor_counts_plausible(att, len) ? cbor_load(att, len, &lr) : NULL;
	fido_cred_t *c = NULL;
	struct att_parts p;
	enum wa_result r = WA_BAD_ATTESTATION;
	const unsigned char *ad;
	size_t ad_len, fmt_len;

	memset(out, 0, sizeof *out);
	if (root == NULL || lr.error.code != CBOR_ERR_NONE || lr.read != len || !att_parts_of(root, &p))
		goto out;
	ad = cbor_bytestring_handle(p.authdata);
	ad_len = cbor_bytestring_length(p.authdata);
	fmt_len = cbor_string_length(p.fmt);
	if (fmt_len >= sizeof out->fmt)
		goto out;
	memcpy(out->fmt, cbor_string_handle(p.fmt), fmt_len);
	if (!rp_hash_matches(ad, ad_len, x->rp_id)) {
		r = WA_BAD_RP;
		goto out;
	}
	if (!cred_from_authdata(&c, ad, ad_len)) {
		r = WA_BAD_ALG;     /* or no attested credential: both refused */
		goto out;
	}
	out->flags = fido_cred_flags(c);
	if (!(out->flags & WA_FLAG_AT) || !flags_ok(out->flags, x->require_uv)) {
		r = WA_BAD_FLAGS;
		goto out;
	}
	if ((r = statement_check(c, &p, out->fmt, cdh, x)) != WA_OK)
		goto out;
	r = WA_BAD_ATTESTATION;
	if (fido_cred_id_len(c) == 0 || fido_cred_id_len(c) > sizeof out->id ||
	    fido_cred_pubkey_len(c) == 0 || fido_cred_pubkey_len(c) > sizeof out->pubkey ||
	    fido_cred_aaguid_len(c) != WA_AAGUID_LEN)
		goto out;
	out->alg = fido_cred_type(c);
	out->id_len = fido_cred_id_len(c);
	memcpy(out->id, fido_cred_id_ptr(c), out->id_len);
	out->pubkey_len = fido_cred_pubkey_len(c);
	memcpy(out->pubkey, fido_cred_pubkey_ptr(c), out->pubkey_len);
	memcpy(out->aaguid, fido_cred_aaguid_ptr(c), WA_AAGUID_LEN);
	out->sign_count = fido_cred_sigcount(c);
	r = WA_OK;
out:
	fido_cred_free(&c);
	if (root)
		cbor_decref(&root);
	return r;
}

/* fido_assert_verify() with the stored key in the type libfido2 wants. */
static int
verify_with_key(const fido_assert_t *a, int alg, const unsigned char *pk, size_t pk_len)
{
	int rc = FIDO_ERR_INVALID_ARGUMENT;

	switch (alg) {
	case COSE_ES256: {
		es256_pk_t *k = es256_pk_new();
		if (k && es256_pk_from_ptr(k, pk, pk_len) == FIDO_OK)
			rc = fido_assert_verify(a, 0, alg, k);
		es256_pk_free(&k);
		break;
	}
	case COSE_RS256: {
		rs256_pk_t *k = rs256_pk_new();
		if (k && rs256_pk_from_ptr(k, pk, pk_len) == FIDO_OK)
			rc = fido_assert_verify(a, 0, alg, k);
		rs256_pk_free(&k);
		break;
	}
	case COSE_EDDSA: {
		eddsa_pk_t *k = eddsa_pk_new();
		if (k && eddsa_pk_from_ptr(k, pk, pk_len) == FIDO_OK)
			rc = fido_assert_verify(a, 0, alg, k);
		eddsa_pk_free(&k);
		break;
	}
	default:
		break;
	}
	return rc;
}

enum wa_result
wa_assertion_check(int alg, const unsigned char *pubkey, size_t pubkey_len,
    const unsigned char *authdata, size_t authdata_len, const unsigned char *sig, size_t sig_len,
    const unsigned char cdh[32], const struct wa_expect *x, uint32_t *count)
{
	fido_assert_t *a = fido_assert_new();
	enum wa_result r = WA_BAD_SIGNATURE;

	if (a == NULL)
		return WA_BAD_SIGNATURE;
	if (!rp_hash_matches(authdata, authdata_len, x->rp_id)) {
		r = WA_BAD_RP;
		goto out;
	}
	if (!authdata_cbor_plausible(authdata, authdata_len) ||
	    fido_assert_set_count(a, 1) != FIDO_OK ||
	    fido_assert_set_authdata_raw(a, 0, authdata, authdata_len) != FIDO_OK) {
		r = WA_BAD_CLIENT_DATA;
		goto out;
	}
	if (!flags_ok(fido_assert_flags(a, 0), x->require_uv)) {
		r = WA_BAD_FLAGS;
		goto out;
	}
	/* libfido2 checks the rp id hash and the flags again, then the
	 * signature over authData || clientDataHash. */
	if (fido_assert_set_rp(a, x->rp_id) != FIDO_OK ||
	    fido_assert_set_clientdata_hash(a, cdh, 32) != FIDO_OK ||
	    fido_assert_set_up(a, FIDO_OPT_TRUE) != FIDO_OK ||
	    fido_assert_set_uv(a, x->require_uv ? FIDO_OPT_TRUE : FIDO_OPT_OMIT) != FIDO_OK ||
	    fido_assert_set_sig(a, 0, sig, sig_len) != FIDO_OK)
		goto out;
	if (verify_with_key(a, alg, pubkey, pubkey_len) != FIDO_OK)
		goto out;
	*count = fido_assert_sigcount(a, 0);
	r = WA_OK;
out:
	fido_assert_free(&a);
	return r;
}
