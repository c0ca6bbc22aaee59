/* dataexport.c - see dataexport.h. */
#include "dataexport.h"

#include <sodium.h>
#include <string.h>

#include "bsonread.h"
#include "config.h"
#include "date.h"
#include "json.h"

bool
export_link_id(const char *nonce, char out[EXPORT_LINK_ID_LEN + 1])
{
	unsigned char mac[32];

	if (!keyed_mac("data-export-link", nonce, strlen(nonce), mac))
		return false;
	sodium_bin2base64(out, EXPORT_LINK_ID_LEN + 1, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(mac, sizeof mac);
	return true;
}

bool
export_link_hash(const char *id, char out[KEYED_HASH_LEN + 1])
{
	return keyed_hash("data-export", id, strlen(id), out);
}

bool
export_link_id_ok(const char *id)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	return id && strlen(id) == EXPORT_LINK_ID_LEN && strspn(id, alphabet) == EXPORT_LINK_ID_LEN;
}

int64_t
export_link_ms(void)
{
	return cfg.data_export_link_days * 86400LL * 1000;
}

static void
add_str(json_object *o, const bson_t *op, const char *field)
{
	const char *s = bson_get_str(op, field);
	if (s)
		json_object_object_add(o, field, json_object_new_string(s));
}

static void
add_date(json_object *o, const bson_t *op, const char *field)
{
	int64_t ms = bson_get_date(op, field);
	if (ms)
		json_object_object_add(o, field, json_date(ms));
}

static void
add_num(json_object *o, const bson_t *op, const char *field)
{
	bson_iter_t it;
	if (bson_iter_init_find(&it, op, field) && BSON_ITER_HOLDS_NUMBER(&it))
		json_object_object_add(o, field, json_object_new_int64(bson_iter_as_int64(&it)));
}

json_object *
export_op_json(const bson_t *op)
{
	json_object *o = json_object_new_object();
	const char *status = bson_get_str(op, "status"), *nonce = bson_get_str(op, "linkNonce");
	int64_t expires = bson_get_date(op, "expiresAt");
	bson_iter_t it;

	add_str(o, op, "_id");
	add_str(o, op, "userId");
	json_object_object_add(o, "fullExport", json_object_new_boolean(bson_get_bool(op, "fullExport")));
	add_str(o, op, "status");
	add_num(o, op, "progress");
	add_date(o, op, "createdAt");
	add_date(o, op, "_updatedAt");
	if (status && strcmp(status, EXPORT_COMPLETED) == 0) {
		if (bson_iter_init_find(&it, op, "fileId") && BSON_ITER_HOLDS_OID(&it)) {
			char hex[25];
			bson_oid_to_string(bson_iter_oid(&it), hex);
			json_object_object_add(o, "fileId", json_object_new_string(hex));
		}
		add_str(o, op, "fileName");
		add_num(o, op, "fileSize");
		add_date(o, op, "completedAt");
		add_date(o, op, "expiresAt");
		char id[EXPORT_LINK_ID_LEN + 1], url[sizeof EXPORT_LINK_PATH + EXPORT_LINK_ID_LEN];
		bool live = expires > now_ms();
		json_object_object_add(o, "expired", json_object_new_boolean(!live));
		if (live && nonce && export_link_id(nonce, id)) {
			memcpy(url, EXPORT_LINK_PATH, sizeof EXPORT_LINK_PATH - 1);
			memcpy(url + sizeof EXPORT_LINK_PATH - 1, id, EXPORT_LINK_ID_LEN + 1);
			json_object_object_add(o, "url", json_object_new_string(url));
			sodium_memzero(id, sizeof id);
		}
	}
	add_str(o, op, "failReason");
	return o;
}
