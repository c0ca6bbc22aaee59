/* register.c - adding a passkey: the creation options (after the second
 * factor), then the attestation the browser made with them. */
#include <fido/param.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "json.h"
#include "log.h"
#include "passkeys.h"
#include "respond.h"
#include "seclog.h"
#include "store.h"

static const char *const public_key_type[] = { "public-key", NULL };
static const char *const attachments[] = { "platform", "cross-platform", NULL };
static const char *const transport_names[] = { "usb", "nfc", "ble", "internal", "hybrid", "smart-card", NULL };

static const char *
check_transports(json_object *v)
{
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		const char *t = json_object_get_string(json_object_array_get_idx(v, i));
		size_t k = 0;
		while (transport_names[k] && strcmp(transport_names[k], t) != 0)
			k++;
		if (transport_names[k] == NULL)
			return "holds an unknown transport";
	}
	return NULL;
}

enum { ATT_CLIENT_DATA, ATT_OBJECT, ATT_TRANSPORTS, ATT_PK_ALG, ATT_PK, ATT_AUTH_DATA };
static const struct field attestation_response_fields[] = {
	[ATT_CLIENT_DATA] = { .name = "clientDataJSON", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL,
	                      .min = 1, .max = PASSKEY_B64_MAX, .check = passkey_check_b64url },
	[ATT_OBJECT] = { .name = "attestationObject", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL,
	                 .min = 1, .max = PASSKEY_B64_MAX * 2, .check = passkey_check_b64url },
	[ATT_TRANSPORTS] = FIELD_WORDS("transports", 8, 16, check_transports),
	/* What toJSON() adds; the server reads the key from the attestation. */
	[ATT_PK_ALG] = FIELD_INT("publicKeyAlgorithm", -65536, 65536),
	[ATT_PK] = { .name = "publicKey", .type = F_STRING, .flags = F_NO_CTRL, .max = PASSKEY_B64_MAX },
	[ATT_AUTH_DATA] = { .name = "authenticatorData", .type = F_STRING, .flags = F_NO_CTRL, .max = PASSKEY_B64_MAX },
	FIELD_END
};

enum { CRED_ID, CRED_RAW_ID, CRED_TYPE, CRED_RESPONSE, CRED_ATTACHMENT, CRED_EXTENSIONS };
static const struct field credential_fields[] = {
	[CRED_ID] = PASSKEY_ID_FIELD("id"),
	[CRED_RAW_ID] = { .name = "rawId", .type = F_STRING, .flags = F_NO_CTRL, .min = 1,
	                  .max = PASSKEY_ID_B64_MAX, .check = passkey_check_b64url },
	[CRED_TYPE] = FIELD_CHOICE("type", public_key_type, .flags = F_REQUIRED),
	[CRED_RESPONSE] = { .name = "response", .type = F_OBJECT, .flags = F_REQUIRED, .sub = attestation_response_fields },
	[CRED_ATTACHMENT] = FIELD_CHOICE("authenticatorAttachment", attachments, .flags = F_NULLABLE),
	[CRED_EXTENSIONS] = { .name = "clientExtensionResults", .type = F_OBJECT, .flags = F_ANY_KEYS },
	FIELD_END
};

const struct field register_fields[] = {
	[REG_NAME] = PASSKEY_NAME_FIELD("name"),
	[REG_CREDENTIAL] = { .name = "credential", .type = F_OBJECT, .flags = F_REQUIRED, .sub = credential_fields },
	FIELD_END
};

static json_object *
param(int alg)
{
	json_object *p = json_object_new_object();
	json_object_object_add(p, "type", json_object_new_string("public-key"));
	json_object_object_add(p, "alg", json_object_new_int(alg));
	return p;
}

/* PublicKeyCredentialCreationOptions, binary members base64url (the SPA
 * turns them into buffers). */
void
register_options(struct request *req)
{
	const bson_t *user = req->session.user;
	const char *uid = req->session.user_id, *username = bson_get_str(user, "username");
	const char *display = bson_get_str(user, "name");
	json_object *o, *pk, *rp, *u, *params, *sel;
	char challenge[64], handle[128];

	if (passkey_count(user) >= PASSKEYS_MAX) {
		reply_error(req, ERR_TOO_MANY_PASSKEYS, NULL);
		return;
	}
	if (!passkey_challenge_new(PK_REGISTER, uid, challenge)) {
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		return;
	}
	b64url_encode((const unsigned char *)uid, strlen(uid), handle, sizeof handle);
	pk = json_object_new_object();
	rp = json_object_new_object();
	json_object_object_add(rp, "id", json_object_new_string(passkey_rp_id()));
	json_object_object_add(rp, "name", json_object_new_string(cfg.site_name));
	json_object_object_add(pk, "rp", rp);
	u = json_object_new_object();
	json_object_object_add(u, "id", json_object_new_string(handle));
	json_object_object_add(u, "name", json_object_new_string(username ? username : uid));
	json_object_object_add(u, "displayName", json_object_new_string(display && *display ? display :
	    username ? username : uid));
	json_object_object_add(pk, "user", u);
	json_object_object_add(pk, "challenge", json_object_new_string(challenge));
	params = json_object_new_array();
	json_object_array_add(params, param(COSE_ES256));
	json_object_array_add(params, param(COSE_EDDSA));
	json_object_array_add(params, param(COSE_RS256));
	json_object_object_add(pk, "pubKeyCredParams", params);
	json_object_object_add(pk, "timeout", json_object_new_int(PASSKEY_CHALLENGE_S * 1000));
	json_object_object_add(pk, "attestation", json_object_new_string("none"));
	/* Discoverable when the authenticator can, so it also signs in alone. */
	sel = json_object_new_object();
	json_object_object_add(sel, "residentKey", json_object_new_string("preferred"));
	json_object_object_add(sel, "requireResidentKey", json_object_new_boolean(false));
	json_object_object_add(sel, "userVerification", json_object_new_string(passkey_uv_setting()));
	json_object_object_add(pk, "authenticatorSelection", sel);
	json_object_object_add(pk, "excludeCredentials", passkey_descriptors(user));
	o = json_object_new_object();
	json_object_object_add(o, "publicKey", pk);
	reply_ok(req, o);
}

/* The stored form of a new passkey (passkey.h). */
static bson_t *
passkey_doc(const char *name, const struct wa_credential *c, const struct fval *resp)
{
	char key[WA_PUBKEY_MAX * 2], aaguid[WA_AAGUID_LEN * 2 + 1];
	bson_t *d = bson_new(), list;

	b64url_encode(c->pubkey, c->pubkey_len, key, sizeof key);
	sodium_bin2hex(aaguid, sizeof aaguid, c->aaguid, WA_AAGUID_LEN);
	BSON_APPEND_UTF8(d, "name", name);
	BSON_APPEND_INT32(d, "alg", c->alg);
	BSON_APPEND_UTF8(d, "publicKey", key);
	BSON_APPEND_INT64(d, "signCount", c->sign_count);
	BSON_APPEND_UTF8(d, "aaguid", aaguid);
	BSON_APPEND_UTF8(d, "fmt", c->fmt);
	BSON_APPEND_DATE_TIME(d, "createdAt", now_ms());
	BSON_APPEND_BOOL(d, "backupEligible", (c->flags & WA_FLAG_BE) != 0);
	BSON_APPEND_ARRAY_BEGIN(d, "transports", &list);
	if (resp[ATT_TRANSPORTS].set)
		for (size_t i = 0; i < json_object_array_length(resp[ATT_TRANSPORTS].j); i++) {
			const char *idx;
			char buf[16];
			bson_uint32_to_string((uint32_t)i, &idx, buf, sizeof buf);
			BSON_APPEND_UTF8(&list, idx, json_object_get_string(json_object_array_get_idx(resp[ATT_TRANSPORTS].j, i)));
		}
	bson_append_array_end(d, &list);
	return d;
}

/* One atomic update: the passkey goes in only when its id is new for this
 * user and the user has fewer than PASSKEYS_MAX, so racing additions can
 * never pass the limit. */
static enum claim_result
store_passkey(const char *uid, const char *id, bson_t *doc)
{
	char *path = bson_strdup_printf("services.webauthn.credentials.%s", id);
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(uid), path, "{", "$exists", BCON_BOOL(false), "}",
	    "$or", "[", "{", "services.webauthn.count", "{", "$exists", BCON_BOOL(false), "}", "}",
	               "{", "services.webauthn.count", "{", "$lt", BCON_INT32(PASSKEYS_MAX), "}", "}", "]");
	bson_t *upd = BCON_NEW("$set", "{", path, BCON_DOCUMENT(doc), "}",
	    "$inc", "{", "services.webauthn.count", BCON_INT32(1), "}");
	enum claim_result r = store_claim_update(COLL_USERS, sel, upd);

	bson_free(path);
	return r;
}

/* Which condition a lost store_passkey() failed, read fresh (the session's
 * copy may predate a racing addition): the id is there, or the limit. */
static bool
has_passkey(const char *uid, const char *id)
{
	char *path = bson_strdup_printf("services.webauthn.credentials.%s", id);
	bson_t *filter = BCON_NEW("_id", BCON_UTF8(uid), path, "{", "$exists", BCON_BOOL(true), "}");
	int64_t n = mongoc_collection_count_documents(store_coll(COLL_USERS), filter, NULL, NULL, NULL, NULL);

	bson_destroy(filter);
	bson_free(path);
	return n > 0;
}

void
register_finish(struct request *req)
{
	static unsigned char cdj[PASSKEY_B64_MAX], att[PASSKEY_B64_MAX * 2];
	static struct wa_credential c;
	const struct fval *cred = req->in[REG_CREDENTIAL].sub, *resp = cred[CRED_RESPONSE].sub;
	const char *name = req->in[REG_NAME].s, *uid = req->session.user_id, *why = NULL;
	struct wa_expect x = { .type = "webauthn.create", .origin = passkey_origin(), .rp_id = passkey_rp_id(),
	                       .require_uv = passkey_uv_required(PK_REGISTER) };
	struct wa_client_data cd;
	size_t cdj_len, att_len;
	char id[PASSKEY_ID_B64_MAX + 8];
	enum wa_result wr;
	bson_t *doc = NULL;

	if (cred[CRED_RAW_ID].set && strcmp(cred[CRED_RAW_ID].s, cred[CRED_ID].s) != 0) {
		why = "rawId differs from id";
		goto refused;
	}
	if (!b64url_decode(resp[ATT_CLIENT_DATA].s, cdj, sizeof cdj, &cdj_len) ||
	    !b64url_decode(resp[ATT_OBJECT].s, att, sizeof att, &att_len)) {
		why = "not base64url";
		goto refused;
	}
	if ((wr = wa_client_data_check(cdj, cdj_len, &x, &cd)) != WA_OK) {
		why = wa_result_name(wr);
		goto refused;
	}
	/* Spent whatever follows: one attestation per challenge. */
	switch (passkey_challenge_claim(PK_REGISTER, uid, cd.challenge)) {
	case CLAIM_OK:
		break;
	case CLAIM_LOST:
		why = "challenge unknown, used or expired";
		goto refused;
	default:
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		return;
	}
	if ((wr = wa_attestation_check(att, att_len, cd.hash, &x, &c)) != WA_OK) {
		why = wa_result_name(wr);
		goto refused;
	}
	b64url_encode(c.id, c.id_len, id, sizeof id);
	if (strcmp(id, cred[CRED_ID].s) != 0) {
		why = "id differs from the attested credential";
		goto refused;
	}
	doc = passkey_doc(name, &c, resp);
	switch (store_passkey(uid, id, doc)) {
	case CLAIM_OK:
		break;
	case CLAIM_LOST:
		reply_error(req, has_passkey(uid, id) ? ERR_PASSKEY_EXISTS : ERR_TOO_MANY_PASSKEYS, NULL);
		goto out;
	default:
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		goto out;
	}
	seclog_write(req, uid, SEC_PASSKEY_ADDED, name);
	log_info("passkey added user=%s alg=%d fmt=%s", uid, c.alg, c.fmt);
	json_object *o = json_object_new_object(), *p = json_object_new_object();
	json_object_object_add(p, "id", json_object_new_string(id));
	json_object_object_add(p, "name", json_object_new_string(name));
	json_object_object_add(o, "passkey", p);
	reply_ok(req, o);
	goto out;
refused:
	log_info("passkey registration refused (%s) user=%s", why, uid);
	reply_error(req, ERR_PASSKEY_INVALID, NULL);
out:
	if (doc)
		bson_destroy(doc);
}
