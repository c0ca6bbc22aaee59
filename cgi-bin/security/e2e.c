/* e2e.c - the caller's own end-to-end encryption key pair, as opaque
 * strings the client made (the private key arrives encrypted with the
 * user's E2E password, which the server never sees): fetch, set (once,
 * unless forced), and reset, which also signs the user out everywhere
 * (Rocket.Chat's resetUserE2EKey). Room keys are not My Account's. */
#include "security.h"

#include <string.h>

#include "respond.h"
#include "seclog.h"
#include "store.h"
#include "validate.h"

/* Opaque, single-line client text: a JWK (about 450 characters for RSA
 * 2048) and an encrypted JWK (about 2,300); the limits leave room for
 * larger keys and refuse anything that is not a key. */
const struct field e2e_key_fields[] = {
	[E2E_PUBLIC] = { .name = "public_key", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL, .min = 1, .max = 16384 },
	[E2E_PRIVATE] = { .name = "private_key", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL, .min = 1, .max = 65536 },
	[E2E_FORCE] = FIELD_BOOL("force"),
	FIELD_END
};

void
e2e_fetch_my_keys(struct request *req)
{
	const char *pub = bson_get_str(req->session.user, "e2e.public_key");
	const char *priv = bson_get_str(req->session.user, "e2e.private_key");
	json_object *o = json_object_new_object();

	/* Rocket.Chat answers just {success} for a user without keys. */
	if (pub) {
		json_object_object_add(o, "public_key", json_object_new_string(pub));
		json_object_object_add(o, "private_key", json_object_new_string(priv ? priv : ""));
	}
	reply_ok(req, o);
}

void
e2e_set_keys(struct request *req)
{
	const struct fval *in = req->in;
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(req->session.user_id));

	/* Without force, only a user without keys gets them: in the filter,
	 * so two racing first sets cannot both win. */
	if (!in[E2E_FORCE].b)
		BCON_APPEND(sel, "e2e.public_key", "{", "$exists", BCON_BOOL(false), "}");
	switch (store_claim_update(COLL_USERS, sel,
	    BCON_NEW("$set", "{", "e2e.public_key", BCON_UTF8(in[E2E_PUBLIC].s),
	        "e2e.private_key", BCON_UTF8(in[E2E_PRIVATE].s), "}"))) {
	case CLAIM_OK:
		seclog_write(req, req->session.user_id, SEC_E2E_KEY_SET, in[E2E_FORCE].b ? "forced" : NULL);
		reply_ok(req, NULL);
		return;
	case CLAIM_LOST:
		/* Forced, the same keys again change nothing: still a success. */
		if (in[E2E_FORCE].b)
			reply_ok(req, NULL);
		else
			reply_error(req, ERR_KEYS_ALREADY_SET, NULL);
		return;
	default:
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
	}
}

struct answer
e2e_reset_own(struct request *req)
{
	bson_error_t e;
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(req->session.user_id));
	bson_t *upd = BCON_NEW("$unset", "{", "e2e", BCON_UTF8(""), "}");
	bool ok = mongoc_collection_update_one(store_coll(COLL_USERS), sel, upd, NULL, NULL, &e);

	bson_destroy(sel);
	bson_destroy(upd);
	if (!ok) {
		store_log_error(LOG_WARN, "E2E key reset", &e);
		return ANSWER_ERR(store_error_kind(&e), NULL);
	}
	seclog_write(req, req->session.user_id, SEC_E2E_KEY_RESET, NULL);
	if (!signout_all(req))
		return ANSWER_ERR(ERR_DB_UNAVAILABLE, NULL);
	return ANSWER_OK(NULL);
}
