/* download.c - GET /data-export/<id>: the archive of a finished export,
 * streamed from GridFS to its owner only, while its link is valid.
 * Unknown, malformed and expired ids answer 404; someone else's 403
 * (Rocket.Chat's order); every caller must be signed in first (stricter
 * than Rocket.Chat, which looks the file up for anyone): by the headers or
 * the session cookie as everywhere, or by Rocket.Chat's own rc_uid and
 * rc_token cookies, which its web client sets for exactly this link. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "caller.h"
#include "dataexport.h"
#include "log.h"
#include "mydata.h"
#include "respond.h"
#include "store.h"

#define CHUNK (64 * 1024)
#define USER_ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."

/* The completed, unexpired job whose link is ID; NULL when none (404
 * answered) or on a database error (503 answered). */
static bson_t *
find_job_or_reply(struct request *req, const char *id)
{
	char hash[KEYED_HASH_LEN + 1];
	bson_error_t e;
	const bson_t *doc;
	bson_t *op = NULL;

	if (!export_link_id_ok(id) || !export_link_hash(id, hash)) {
		reply_error(req, ERR_NOT_FOUND, "No such export, or its link has expired");
		return NULL;
	}
	bson_t *filter = BCON_NEW("downloadHash", BCON_UTF8(hash), "status", BCON_UTF8(EXPORT_COMPLETED),
	    "expiresAt", "{", "$gt", BCON_DATE_TIME(now_ms()), "}");
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_EXPORTS), filter, NULL, NULL);
	if (mongoc_cursor_next(cur, &doc))
		op = bson_copy(doc);
	if (mongoc_cursor_error(cur, &e)) {
		reply_store_error(req, &e, "find an export by its link");
		if (op)
			bson_destroy(op);
		op = NULL;
	} else if (op == NULL) {
		reply_error(req, ERR_NOT_FOUND, "No such export, or its link has expired");
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(filter);
	return op;
}

/* Content-Disposition for NAME (UTF-8): an ASCII fallback and RFC 8187's
 * filename* with every byte but unreserved ones percent-encoded. */
static void
disposition(struct request *req, const char *name)
{
	char ascii[128], enc[3 * 128 + 1];
	size_t a = 0, n = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p && a + 1 < sizeof ascii; p++)
		ascii[a++] = (strchr("-._", *p) || (*p < 0x80 && ((*p >= '0' && *p <= '9') ||
		    ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')))) ? (char)*p : '_';
	ascii[a] = '\0';
	for (const unsigned char *p = (const unsigned char *)name; *p && n + 4 < sizeof enc && p - (const unsigned char *)name < 128; p++) {
		if (*p < 0x80 && (strchr("-._~", *p) || ((*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))))
			enc[n++] = (char)*p;
		else
			n += (size_t)snprintf(enc + n, sizeof enc - n, "%%%02X", *p);
	}
	enc[n] = '\0';
	resp_header(req, "Content-Disposition: attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, enc);
}

/* The caller by rc_uid + rc_token when nothing else signed them in;
 * false after answering (401, or 503 from the lookup). */
static bool
signed_in_or_reply(struct request *req)
{
	char uid[64];

	if (req->session.ok)
		return true;
	if (req_cookie(req, "rc_uid", uid, sizeof uid) &&
	    req_cookie(req, "rc_token", req->session.token, sizeof req->session.token) &&
	    strspn(uid, USER_ID_CHARS) == strlen(uid)) {
		switch (auth_token(req, uid)) {
		case CALLER_OK:
			return true;
		case CALLER_FAILED:
			return false;
		default:
			break;
		}
	}
	reply_error(req, ERR_UNAUTHORIZED, NULL);
	return false;
}

void
download_file(struct request *req)
{
	bson_error_t e;
	bson_iter_t it;
	bson_t *op;
	mongoc_gridfs_bucket_t *bucket;
	mongoc_stream_t *s = NULL;
	static char buf[CHUNK];

	if (!signed_in_or_reply(req) || (op = find_job_or_reply(req, req->tail)) == NULL)
		return;
	const char *owner = bson_get_str(op, "userId"), *name = bson_get_str(op, "fileName");
	if (owner == NULL || strcmp(owner, req->session.user_id) != 0) {
		log_info("data export link of another user refused user=%s", req->session.user_id);
		reply_error(req, ERR_FORBIDDEN, "This export belongs to another user");
		goto out;
	}
	if (!bson_iter_init_find(&it, op, "fileId") || (bucket = store_bucket(COLL_EXPORT_FILES)) == NULL ||
	    (s = mongoc_gridfs_bucket_open_download_stream(bucket, bson_iter_value(&it), &e)) == NULL) {
		log_warn("data export %s: its file cannot be opened", bson_get_str(op, "_id"));
		reply_error(req, ERR_NOT_FOUND, "No such export, or its link has expired");
		goto out;
	}
	bson_iter_t size;
	long long length = bson_iter_init_find(&size, op, "fileSize") && BSON_ITER_HOLDS_NUMBER(&size) ?
	    (long long)bson_iter_as_int64(&size) : -1;
	disposition(req, name ? name : "data.zip");
	resp_header(req, "Content-Security-Policy: default-src 'none'");
	resp_header(req, "X-Content-Type-Options: nosniff");
	if (reply_stream_begin(req, 200, "application/zip", length, NULL, -1)) {
		ssize_t got;
		while ((got = mongoc_stream_read(s, buf, sizeof buf, 1, 0)) > 0)
			reply_stream_write(req, buf, (size_t)got);
		if (got < 0)
			log_warn("data export %s: reading its file failed midway", bson_get_str(op, "_id"));
	}
	reply_stream_end(req);
out:
	if (s)
		mongoc_stream_destroy(s);
	bson_destroy(op);
}
