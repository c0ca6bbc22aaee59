/* manage.c - the caller's passkeys on the Security page: list, rename,
 * remove (the last with the second factor, R_2FA). */
#include <string.h>

#include "aaguid.h"
#include "json.h"
#include "log.h"
#include "passkeys.h"
#include "respond.h"
#include "seclog.h"
#include "store.h"

const struct field rename_fields[] = {
	[RENAME_ID] = PASSKEY_ID_FIELD("id"),
	[RENAME_NAME] = PASSKEY_NAME_FIELD("name"),
	FIELD_END
};

const struct field remove_fields[] = {
	[REMOVE_ID] = PASSKEY_ID_FIELD("id"),
	FIELD_END
};

static json_object *
passkey_json(const char *id, const bson_t *pk)
{
	json_object *p = json_object_new_object();
	const char *name = bson_get_str(pk, "name"), *aaguid = bson_get_str(pk, "aaguid");
	const char *maker = aaguid_name(aaguid);
	int64_t used = bson_get_date(pk, "lastUsedAt");

	json_object_object_add(p, "id", json_object_new_string(id));
	json_object_object_add(p, "name", json_object_new_string(name ? name : ""));
	json_object_object_add(p, "createdAt", json_date(bson_get_date(pk, "createdAt")));
	json_object_object_add(p, "lastUsedAt", used ? json_date(used) : NULL);
	json_object_object_add(p, "aaguid", json_object_new_string(aaguid ? aaguid : ""));
	json_object_object_add(p, "authenticator", maker ? json_object_new_string(maker) : NULL);
	json_object_object_add(p, "backupEligible", json_object_new_boolean(bson_get_bool(pk, "backupEligible")));
	json_object_object_add(p, "cloneWarning", json_object_new_boolean(bson_get_bool(pk, "cloneWarning")));
	return p;
}

void
passkeys_list(struct request *req)
{
	json_object *list = json_object_new_array(), *o = json_object_new_object();
	bson_iter_t it, creds;

	if (bson_iter_init(&it, req->session.user) &&
	    bson_iter_find_descendant(&it, "services.webauthn.credentials", &it) &&
	    BSON_ITER_HOLDS_DOCUMENT(&it) && bson_iter_recurse(&it, &creds)) {
		while (bson_iter_next(&creds)) {
			const uint8_t *data;
			uint32_t len;
			bson_t pk;
			if (!BSON_ITER_HOLDS_DOCUMENT(&creds))
				continue;
			bson_iter_document(&creds, &len, &data);
			if (bson_init_static(&pk, data, len))
				json_object_array_add(list, passkey_json(bson_iter_key(&creds), &pk));
		}
	}
	json_object_object_add(o, "passkeys", list);
	json_object_object_add(o, "max", json_object_new_int(PASSKEYS_MAX));
	reply_ok(req, o);
}

/* The name of the caller's passkey ID as the session read it; NULL when the
 * caller has none such. Borrowed from the session's user document. */
static const char *
name_of(const struct request *req, const char *id)
{
	char *path = bson_strdup_printf("services.webauthn.credentials.%s.name", id);
	const char *name = bson_get_str(req->session.user, path);
	bson_free(path);
	return name;
}

static bool
answered_claim(struct request *req, enum claim_result r)
{
	if (r == CLAIM_LOST)
		reply_error(req, ERR_PASSKEY_NOT_FOUND, NULL);
	else if (r == CLAIM_DB_ERROR)
		reply_error(req, ERR_DB_UNAVAILABLE, NULL);
	return r != CLAIM_OK;
}

void
passkeys_rename(struct request *req)
{
	const char *id = req->in[RENAME_ID].s;
	char *path = bson_strdup_printf("services.webauthn.credentials.%s", id);
	char *name_path = bson_strdup_printf("%s.name", path);
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(req->session.user_id), path, "{", "$exists", BCON_BOOL(true), "}");
	bson_t *upd = BCON_NEW("$set", "{", name_path, BCON_UTF8(req->in[RENAME_NAME].s), "}");

	if (!answered_claim(req, store_claim_update(COLL_USERS, sel, upd)))
		reply_ok(req, NULL);
	bson_free(name_path);
	bson_free(path);
}

/* One update takes the passkey out and the count down together; a second,
 * racing removal of the same one finds nothing. */
void
passkeys_remove(struct request *req)
{
	const char *id = req->in[REMOVE_ID].s;
	char name[PASSKEY_NAME_MAX + 1] = "";
	const char *known = name_of(req, id);
	char *path = bson_strdup_printf("services.webauthn.credentials.%s", id);
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(req->session.user_id), path, "{", "$exists", BCON_BOOL(true), "}");
	bson_t *upd = BCON_NEW("$unset", "{", path, BCON_UTF8(""), "}",
	    "$inc", "{", "services.webauthn.count", BCON_INT32(-1), "}");

	if (known)
		snprintf(name, sizeof name, "%s", known);
	if (!answered_claim(req, store_claim_update(COLL_USERS, sel, upd))) {
		seclog_write(req, req->session.user_id, SEC_PASSKEY_REMOVED, name);
		log_info("passkey removed user=%s", req->session.user_id);
		reply_ok(req, NULL);
	}
	bson_free(path);
}
