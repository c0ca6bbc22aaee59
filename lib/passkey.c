/* passkey.c - see passkey.h. */
#include "passkey.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "date.h"
#include "log.h"

const char *
passkey_check_b64url(json_object *v)
{
	const char *s = json_object_get_string(v);
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(s) ?
	    NULL : "must be base64url without padding";
}

#define B64_FIELD(k, lo, hi, ...) { .name = (k), .type = F_STRING, .flags = F_NO_CTRL | F_REQUIRED, \
                                    .min = (lo), .max = (hi), .check = passkey_check_b64url, __VA_ARGS__ }

static const char *const public_key_type[] = { "public-key", NULL };
static const char *const attachments[] = { "platform", "cross-platform", NULL };

static const struct field assertion_response_fields[] = {
	[PAR_CLIENT_DATA] = B64_FIELD("clientDataJSON", 1, PASSKEY_B64_MAX),
	[PAR_AUTH_DATA] = B64_FIELD("authenticatorData", 1, PASSKEY_B64_MAX),
	[PAR_SIGNATURE] = B64_FIELD("signature", 1, PASSKEY_B64_MAX),
	[PAR_USER_HANDLE] = { .name = "userHandle", .type = F_STRING, .flags = F_NO_CTRL | F_NULLABLE,
	                      .max = 128, .check = passkey_check_b64url },
	FIELD_END
};

const struct field passkey_assertion_fields[] = {
	[PA_ID] = B64_FIELD("id", 1, PASSKEY_ID_B64_MAX),
	[PA_RAW_ID] = { .name = "rawId", .type = F_STRING, .flags = F_NO_CTRL, .min = 1, .max = PASSKEY_ID_B64_MAX,
	                .check = passkey_check_b64url },
	[PA_TYPE] = FIELD_CHOICE("type", public_key_type, .flags = F_REQUIRED),
	[PA_RESPONSE] = { .name = "response", .type = F_OBJECT, .flags = F_REQUIRED, .sub = assertion_response_fields },
	[PA_ATTACHMENT] = FIELD_CHOICE("authenticatorAttachment", attachments, .flags = F_NULLABLE),
	[PA_EXTENSIONS] = { .name = "clientExtensionResults", .type = F_OBJECT, .flags = F_ANY_KEYS },
	FIELD_END
};

static const char *const purpose_names[] = {
	[PK_REGISTER] = "register", [PK_SECOND_FACTOR] = "2fa", [PK_SIGN_IN] = "sign-in",
};

/* ---- the relying party -------------------------------------------------- */

static char origin[256], rp_id[256];

/* "scheme://host[:port]" of passkeys_origin, else of site_url; the rp id is
 * its host. Done once: the config does not change under a process. */
static void
rp_init(void)
{
	const char *src = *cfg.passkeys_origin ? cfg.passkeys_origin : cfg.site_url;
	const char *host = strstr(src, "://"), *end, *colon;

	if (*origin)
		return;
	host = host ? host + 3 : src;
	end = host + strcspn(host, "/?#");
	snprintf(origin, sizeof origin, "%.*s", (int)(end - src), src);
	colon = memchr(host, ':', (size_t)(end - host));
	snprintf(rp_id, sizeof rp_id, "%.*s", (int)((colon ? colon : end) - host), host);
}

const char *passkey_origin(void) { rp_init(); return origin; }
const char *passkey_rp_id(void) { rp_init(); return rp_id; }

const char *
passkey_uv_setting(void)
{
	return cfg.passkeys_user_verification;
}

bool
passkey_uv_required(enum pk_purpose purpose)
{
	return purpose == PK_SIGN_IN || strcmp(cfg.passkeys_user_verification, "required") == 0;
}

int
passkey_count(const bson_t *user)
{
	bson_iter_t it;

	if (!cfg.passkeys_enabled || !bson_iter_init(&it, user) ||
	    !bson_iter_find_descendant(&it, "services.webauthn.count", &it) || !BSON_ITER_HOLDS_NUMBER(&it))
		return 0;
	return (int)bson_iter_as_int64(&it);
}

/* ---- base64url ------------------------------------------------------------ */

bool
b64url_decode(const char *s, unsigned char *out, size_t max, size_t *len)
{
	const char *end;
	return sodium_base642bin(out, max, s, strlen(s), NULL, len, &end,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 && *end == '\0';
}

void
b64url_encode(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	sodium_bin2base64(out, outlen, in, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* ---- challenges ----------------------------------------------------------- */

static bool
challenge_key(const unsigned char ch[WA_CHALLENGE_LEN], char out[KEYED_HASH_LEN + 1])
{
	return keyed_hash("webauthn-challenge", ch, WA_CHALLENGE_LEN, out);
}

bool
passkey_challenge_new(enum pk_purpose purpose, const char *user_id, char out[64])
{
	unsigned char ch[WA_CHALLENGE_LEN];
	char key[KEYED_HASH_LEN + 1];
	bson_error_t e;
	bool ok;

	randombytes_buf(ch, sizeof ch);
	if (!challenge_key(ch, key))
		return false;
	bson_t *doc = BCON_NEW("_id", BCON_UTF8(key), "purpose", BCON_UTF8(purpose_names[purpose]),
	    "expiresAt", BCON_DATE_TIME(now_ms() + PASSKEY_CHALLENGE_S * 1000LL));
	if (user_id)
		BSON_APPEND_UTF8(doc, "userId", user_id);
	ok = mongoc_collection_insert_one(store_coll(COLL_WEBAUTHN_CHALLENGES), doc, NULL, NULL, &e);
	if (!ok)
		store_log_error(LOG_ERROR, "store a passkey challenge", &e);
	bson_destroy(doc);
	b64url_encode(ch, sizeof ch, out, 64);
	sodium_memzero(ch, sizeof ch);
	return ok;
}

enum claim_result
passkey_challenge_claim(enum pk_purpose purpose, const char *user_id, const unsigned char ch[WA_CHALLENGE_LEN])
{
	char key[KEYED_HASH_LEN + 1];

	if (!challenge_key(ch, key))
		return CLAIM_DB_ERROR;
	/* Expiry in the query (the TTL index only cleans up); a challenge made
	 * for one user or purpose never serves another. */
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(key), "purpose", BCON_UTF8(purpose_names[purpose]),
	    "expiresAt", "{", "$gt", BCON_DATE_TIME(now_ms()), "}");
	if (user_id)
		BSON_APPEND_UTF8(sel, "userId", user_id);
	else
		BCON_APPEND(sel, "userId", "{", "$exists", BCON_BOOL(false), "}");
	return store_claim_delete(COLL_WEBAUTHN_CHALLENGES, sel);
}

/* ---- options -------------------------------------------------------------- */

json_object *
passkey_descriptors(const bson_t *user)
{
	json_object *list = json_object_new_array();
	bson_iter_t it, creds;

	if (user && bson_iter_init(&it, user) &&
	    bson_iter_find_descendant(&it, "services.webauthn.credentials", &it) &&
	    BSON_ITER_HOLDS_DOCUMENT(&it) && bson_iter_recurse(&it, &creds)) {
		while (bson_iter_next(&creds)) {
			json_object *c = json_object_new_object();
			json_object_object_add(c, "type", json_object_new_string("public-key"));
			json_object_object_add(c, "id", json_object_new_string(bson_iter_key(&creds)));
			json_object_array_add(list, c);
		}
	}
	return list;
}

json_object *
passkey_request_options(const bson_t *user, const char *challenge, enum pk_purpose purpose)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "challenge", json_object_new_string(challenge));
	json_object_object_add(o, "rpId", json_object_new_string(passkey_rp_id()));
	json_object_object_add(o, "timeout", json_object_new_int(PASSKEY_CHALLENGE_S * 1000));
	json_object_object_add(o, "userVerification",
	    json_object_new_string(purpose == PK_SIGN_IN ? "required" : passkey_uv_setting()));
	json_object_object_add(o, "allowCredentials", passkey_descriptors(user));
	return o;
}

/* ---- assertions ----------------------------------------------------------- */

/* The stored passkey ID of USER, as a view into USER; false when none. */
static bool
find_passkey(const bson_t *user, const char *id, bson_t *out)
{
	char path[PASSKEY_ID_B64_MAX + 40];
	bson_iter_t it;
	const uint8_t *data;
	uint32_t len;

	snprintf(path, sizeof path, "services.webauthn.credentials.%s", id);
	if (strchr(id, '.') || !bson_iter_init(&it, user) || !bson_iter_find_descendant(&it, path, &it) ||
	    !BSON_ITER_HOLDS_DOCUMENT(&it))
		return false;
	bson_iter_document(&it, &len, &data);
	return bson_init_static(out, data, len);
}

static int64_t
doc_int(const bson_t *doc, const char *key)
{
	bson_iter_t it;
	return bson_iter_init_find(&it, doc, key) && BSON_ITER_HOLDS_NUMBER(&it) ? bson_iter_as_int64(&it) : 0;
}

/* Records a use: the new counter and last use, only while the counter is
 * still the one we checked against (a racing use of a clone loses). */
static enum claim_result
record_use(const char *user_id, const char *id, int64_t old_count, uint32_t count)
{
	char *count_path = bson_strdup_printf("services.webauthn.credentials.%s.signCount", id);
	char *used_path = bson_strdup_printf("services.webauthn.credentials.%s.lastUsedAt", id);
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(user_id), count_path, BCON_INT64(old_count));
	bson_t *upd = BCON_NEW("$set", "{", count_path, BCON_INT64(count), used_path, BCON_DATE_TIME(now_ms()), "}");
	enum claim_result r = store_claim_update(COLL_USERS, sel, upd);

	bson_free(count_path);
	bson_free(used_path);
	return r;
}

static void
flag_clone(const char *user_id, const char *id)
{
	char *path = bson_strdup_printf("services.webauthn.credentials.%s.cloneWarning", id);
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(user_id));
	bson_t *upd = BCON_NEW("$set", "{", path, BCON_BOOL(true), "}");
	if (store_claim_update(COLL_USERS, sel, upd) == CLAIM_DB_ERROR)
		log_warn("could not flag a cloned passkey user=%s", user_id);
	bson_free(path);
}

/* The raw bytes of the three base64url members of an assertion. */
struct assertion_bytes {
	unsigned char cdj[PASSKEY_B64_MAX], authdata[PASSKEY_B64_MAX], sig[PASSKEY_B64_MAX];
	size_t cdj_len, authdata_len, sig_len;
};

enum pk_result
passkey_assert(const bson_t *user, enum pk_purpose purpose, const struct fval *cred, char *name_out)
{
	static struct assertion_bytes b;
	const struct fval *resp = cred[PA_RESPONSE].sub;
	const char *id = cred[PA_ID].s, *user_id = bson_get_str(user, "_id");
	const char *why = NULL, *handle = resp[PAR_USER_HANDLE].s;
	struct wa_expect x = { .type = "webauthn.get", .origin = passkey_origin(), .rp_id = passkey_rp_id(),
	                       .require_uv = passkey_uv_required(purpose) };
	struct wa_client_data cd;
	enum wa_result wr;
	enum claim_result cr;
	uint32_t count = 0;
	int64_t stored;
	bson_t pk;
	char want_handle[128];

	if (name_out)
		*name_out = '\0';
	if (!cfg.passkeys_enabled || user_id == NULL) {
		why = "passkeys are switched off";
		goto invalid;
	}
	if (cred[PA_RAW_ID].set && strcmp(cred[PA_RAW_ID].s, id) != 0) {
		why = "rawId differs from id";
		goto invalid;
	}
	if (!b64url_decode(resp[PAR_CLIENT_DATA].s, b.cdj, sizeof b.cdj, &b.cdj_len) ||
	    !b64url_decode(resp[PAR_AUTH_DATA].s, b.authdata, sizeof b.authdata, &b.authdata_len) ||
	    !b64url_decode(resp[PAR_SIGNATURE].s, b.sig, sizeof b.sig, &b.sig_len)) {
		why = "not base64url";
		goto invalid;
	}
	if ((wr = wa_client_data_check(b.cdj, b.cdj_len, &x, &cd)) != WA_OK) {
		why = wa_result_name(wr);
		goto invalid;
	}
	/* The challenge is spent whatever follows: an assertion is never
	 * accepted twice, and parallel copies cannot both get here. */
	cr = passkey_challenge_claim(purpose, purpose == PK_SIGN_IN ? NULL : user_id, cd.challenge);
	if (cr == CLAIM_DB_ERROR)
		return PK_DB_ERROR;
	if (cr == CLAIM_LOST) {
		why = "challenge unknown, used or expired";
		goto invalid;
	}
	if (!find_passkey(user, id, &pk)) {
		why = "no such passkey";
		goto invalid;
	}
	/* A discoverable credential names its user; it must be this one. */
	b64url_encode((const unsigned char *)user_id, strlen(user_id), want_handle, sizeof want_handle);
	if ((purpose == PK_SIGN_IN && handle == NULL) || (handle && strcmp(handle, want_handle) != 0)) {
		why = "user handle";
		goto invalid;
	}
	{
		unsigned char key[WA_PUBKEY_MAX];
		size_t key_len = 0;
		const char *key_b64 = bson_get_str(&pk, "publicKey");
		if (key_b64 == NULL || !b64url_decode(key_b64, key, sizeof key, &key_len)) {
			why = "stored key unreadable";
			goto invalid;
		}
		wr = wa_assertion_check((int)doc_int(&pk, "alg"), key, key_len, b.authdata, b.authdata_len,
		    b.sig, b.sig_len, cd.hash, &x, &count);
		if (wr != WA_OK) {
			why = wa_result_name(wr);
			goto invalid;
		}
	}
	/* WebAuthn 7.2 step 21: a counter that does not grow means two copies
	 * of the key exist. Refused, and the passkey flagged for its owner. An
	 * authenticator that keeps no counter sends 0 every time. */
	stored = doc_int(&pk, "signCount");
	if (!(count == 0 && stored == 0) && (int64_t)count <= stored) {
		log_warn("passkey counter went backwards (%lld after %lld): possible clone user=%s",
		    (long long)count, (long long)stored, user_id);
		flag_clone(user_id, id);
		return PK_CLONED;
	}
	switch (record_use(user_id, id, stored, count)) {
	case CLAIM_OK:
		break;
	case CLAIM_LOST:
		why = "counter changed meanwhile";
		goto invalid;
	default:
		return PK_DB_ERROR;
	}
	if (name_out) {
		const char *name = bson_get_str(&pk, "name");
		snprintf(name_out, PASSKEY_NAME_MAX + 1, "%s", name ? name : "");
	}
	return PK_OK;
invalid:
	log_info("passkey assertion refused (%s, %s) user=%s", purpose_names[purpose], why,
	    user_id ? user_id : "-");
	return PK_INVALID;
}

/* ---- the second factor ---------------------------------------------------- */

json_object *
passkey_twofactor_options(const bson_t *user)
{
	char ch[64];

	if (!passkey_challenge_new(PK_SECOND_FACTOR, bson_get_str(user, "_id"), ch))
		return NULL;
	return passkey_request_options(user, ch, PK_SECOND_FACTOR);
}

enum claim_result
passkey_twofactor_verify(const bson_t *user, const char *code)
{
	static struct fvals arena;
	const struct fval *v = NULL;
	struct vopts o = { .coerce = false, .unknown = UNKNOWN_IGNORE };
	struct verror e;
	json_object *j = json_tokener_parse(code);
	enum claim_result r = CLAIM_LOST;

	arena.used = 0;
	if (j && json_object_is_type(j, json_type_object) &&
	    validate_fields(j, passkey_assertion_fields, &o, &arena, &v, &e)) {
		switch (passkey_assert(user, PK_SECOND_FACTOR, v, NULL)) {
		case PK_OK: r = CLAIM_OK; break;
		case PK_DB_ERROR: r = CLAIM_DB_ERROR; break;
		default: r = CLAIM_LOST; break;
		}
	}
	json_object_put(j);
	return r;
}
