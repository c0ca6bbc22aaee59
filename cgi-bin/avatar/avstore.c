/* avstore.c - writing avatars (the rules are in avatar.h). */
#include <sodium.h>
#include <stdio.h>

#include "avatar.h"
#include "date.h"
#include "respond.h"
#include "store.h"

#define ETAG_BYTES 8

/* Later changes have larger versions; the random part orders changes of
 * one millisecond (and makes two alike all but impossible). */
static int64_t
new_version(void)
{
	return now_ms() * 1000000 + (int64_t)randombytes_uniform(1000000);
}

/* Replaces the avatars row of the caller with DOC (consumed) unless a
 * newer version is there. A newer one wins silently: its change came
 * later. */
static bool
write_row_or_reply(struct request *req, int64_t version, bson_t *doc)
{
	bson_error_t e;
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(req->session.user_id), "version", "{", "$lt", BCON_INT64(version), "}");
	bson_t *opts = BCON_NEW("upsert", BCON_BOOL(true));
	bool ok = mongoc_collection_replace_one(store_coll(COLL_AVATARS), sel, doc, opts, NULL, &e);

	bson_destroy(sel);
	bson_destroy(opts);
	bson_destroy(doc);
	if (ok || store_is_duplicate(&e))   /* the upsert met a newer row */
		return true;
	return reply_store_error(req, &e, "write avatar");
}

/* The user's fields for VERSION: UPD's $set/$unset (consumed). */
static bool
write_user_or_reply(struct request *req, int64_t version, bson_t *upd)
{
	bson_error_t e;
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(req->session.user_id),
	    "avatarVersion", "{", "$not", "{", "$gte", BCON_INT64(version), "}", "}");
	bool ok = mongoc_collection_update_one(store_coll(COLL_USERS), sel, upd, NULL, NULL, &e);

	bson_destroy(sel);
	bson_destroy(upd);
	return ok || reply_store_error(req, &e, "write the user's avatar fields");
}

bool
avatar_store_set_or_reply(struct request *req, const void *data, size_t len,
    const char *type, const char *origin)
{
	unsigned char h[ETAG_BYTES];
	char etag[2 * ETAG_BYTES + 1];
	int64_t version = new_version(), now = now_ms();

	/* LEN is at most a 1024 x 1024 PNG (avatar_size's limit), some 4 MiB:
	 * the row stays well under MongoDB's 16 MB. The ETag names the bytes:
	 * a new picture, a new ETag. */
	crypto_generichash(h, sizeof h, data, len, NULL, 0);
	sodium_bin2hex(etag, sizeof etag, h, sizeof h);
	bson_t *row = BCON_NEW("_id", BCON_UTF8(req->session.user_id), "version", BCON_INT64(version),
	    "contentType", BCON_UTF8(type), "etag", BCON_UTF8(etag), "origin", BCON_UTF8(origin),
	    "data", BCON_BIN(BSON_SUBTYPE_BINARY, (const uint8_t *)data, (uint32_t)len),
	    "updatedAt", BCON_DATE_TIME(now));
	bson_t *upd = BCON_NEW("$set", "{", "avatarETag", BCON_UTF8(etag), "avatarOrigin", BCON_UTF8(origin),
	    "avatarVersion", BCON_INT64(version), "_updatedAt", BCON_DATE_TIME(now), "}");

	if (!write_row_or_reply(req, version, row)) {
		bson_destroy(upd);
		return false;
	}
	return write_user_or_reply(req, version, upd);
}

bool
avatar_store_reset_or_reply(struct request *req)
{
	int64_t version = new_version(), now = now_ms();
	bson_t *row = BCON_NEW("_id", BCON_UTF8(req->session.user_id), "version", BCON_INT64(version),
	    "updatedAt", BCON_DATE_TIME(now));
	bson_t *upd = BCON_NEW("$set", "{", "avatarVersion", BCON_INT64(version), "_updatedAt", BCON_DATE_TIME(now), "}",
	    "$unset", "{", "avatarETag", BCON_UTF8(""), "avatarOrigin", BCON_UTF8(""), "}");

	if (!write_row_or_reply(req, version, row)) {
		bson_destroy(upd);
		return false;
	}
	return write_user_or_reply(req, version, upd);
}
