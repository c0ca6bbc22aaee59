/* request.c - users.requestDataDownload and users.dataDownloadStatus.
 *
 * One job per user and kind at a time: the job a repeat within 24 hours
 * must answer carries current = "<userId>/<kind>" under a unique index, so
 * of N parallel first requests one inserts and the others, refused as
 * duplicates, answer that one (requested: false). An older job gives the
 * key up (a conditional $unset) before a new one takes it. */
#include <string.h>

#include "config.h"
#include "dataexport.h"
#include "log.h"
#include "mydata.h"
#include "ratelimit.h"
#include "respond.h"
#include "seclog.h"
#include "store.h"

#define RATE_SCOPE "data-export"

static const char *
kind_of(bool full)
{
	return full ? "json" : "html";
}

/* The job holding KEY, copied into *OP (caller destroys); 1 found, 0 none,
 * -1 after answering a database error. */
static int
find_current(struct request *req, const char *key, bson_t **op)
{
	bson_error_t e;
	const bson_t *doc;
	int rc = 0;
	bson_t *filter = BCON_NEW("current", BCON_UTF8(key));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_EXPORTS), filter, NULL, NULL);

	if (mongoc_cursor_next(cur, &doc)) {
		*op = bson_copy(doc);
		rc = 1;
	}
	if (mongoc_cursor_error(cur, &e)) {
		if (rc == 1)
			bson_destroy(*op);
		rc = -1;
		reply_store_error(req, &e, "find the current export");
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(filter);
	return rc;
}

static void
reply_op(struct request *req, bool requested, const bson_t *op)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "requested", json_object_new_boolean(requested));
	json_object_object_add(o, "exportOperation", export_op_json(op));
	reply_ok(req, o);
}

/* A new job for KEY; CLAIM_LOST when another request holds KEY already. */
static enum claim_result
insert_job(const char *user_id, const char *key, bool full, bson_t **op)
{
	char id[ID_LEN + 1];
	bson_error_t e;
	int64_t now = now_ms();

	random_id(id, ID_LEN);
	*op = BCON_NEW("_id", BCON_UTF8(id), "userId", BCON_UTF8(user_id), "fullExport", BCON_BOOL(full),
	    "status", BCON_UTF8(EXPORT_PENDING), "progress", BCON_INT32(0), "current", BCON_UTF8(key),
	    "attempts", BCON_INT32(0), "createdAt", BCON_DATE_TIME(now), "_updatedAt", BCON_DATE_TIME(now),
	    /* Clean-up of a job no worker ever made; a made one gets its link's expiry. */
	    "expiresAt", BCON_DATE_TIME(now + EXPORT_REUSE_MS + export_link_ms()));
	if (mongoc_collection_insert_one(store_coll(COLL_EXPORTS), *op, NULL, NULL, &e))
		return CLAIM_OK;
	bson_destroy(*op);
	*op = NULL;
	if (store_is_duplicate(&e))
		return CLAIM_LOST;
	store_log_error(LOG_WARN, "queue an export", &e);
	return CLAIM_DB_ERROR;
}

/* The old job OP stops being the one repeats answer (only if it still is,
 * and is old enough: a racing request may have done it already). */
static bool
retire(const bson_t *op, const char *key)
{
	enum claim_result r = store_claim_update(COLL_EXPORTS,
	    BCON_NEW("_id", BCON_UTF8(bson_get_str(op, "_id")), "current", BCON_UTF8(key),
	        "createdAt", "{", "$lte", BCON_DATE_TIME(now_ms() - EXPORT_REUSE_MS), "}"),
	    BCON_NEW("$unset", "{", "current", BCON_UTF8(""), "}"));
	return r != CLAIM_DB_ERROR;
}

void
request_download(struct request *req)
{
	const char *uid = req->session.user_id;
	const struct fval *full_in = &req->qs[RQ_FULL_EXPORT];
	bool full = full_in->set && strcmp(full_in->s, "true") == 0;
	char key[96];
	struct rl_key rl;
	bson_t *op = NULL;
	int found;

	rl_key_window(&rl, RATE_SCOPE, uid, cfg.data_export_requests_per_hour, 3600);
	if (!ratelimit_hit_or_reply(req, &rl))
		return;
	snprintf(key, sizeof key, "%s/%s", uid, kind_of(full));
	/* Two rounds: a racing request may take the key between our look and
	 * our insert; then its job is the answer. */
	for (int round = 0; round < 2; round++) {
		if ((found = find_current(req, key, &op)) < 0)
			return;
		if (found && bson_get_date(op, "createdAt") > now_ms() - EXPORT_REUSE_MS) {
			reply_op(req, false, op);
			goto out;
		}
		if (found) {
			bool ok = retire(op, key);
			bson_destroy(op);
			op = NULL;
			if (!ok) {
				reply_error(req, ERR_DB_UNAVAILABLE, NULL);
				return;
			}
		}
		switch (insert_job(uid, key, full, &op)) {
		case CLAIM_OK:
			seclog_write(req, uid, SEC_EXPORT_REQUESTED, kind_of(full));
			log_info("data export queued user=%s kind=%s", uid, kind_of(full));
			reply_op(req, true, op);
			goto out;
		case CLAIM_DB_ERROR:
			reply_error(req, ERR_DB_UNAVAILABLE, NULL);
			return;
		case CLAIM_LOST:
			break;
		}
	}
	reply_error(req, ERR_BUSY, "Another request for this export is being made; try again");
out:
	if (op)
		bson_destroy(op);
}

/* The last job of each kind: {html: op|null, json: op|null}. */
void
download_status(struct request *req)
{
	bson_error_t e;
	const bson_t *doc;
	json_object *o = json_object_new_object();
	bson_t *filter = BCON_NEW("userId", BCON_UTF8(req->session.user_id));
	bson_t *opts = BCON_NEW("sort", "{", "createdAt", BCON_INT32(-1), "}", "limit", BCON_INT64(20));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_EXPORTS), filter, opts, NULL);

	while (mongoc_cursor_next(cur, &doc)) {
		const char *kind = kind_of(bson_get_bool(doc, "fullExport"));
		if (!json_object_object_get_ex(o, kind, NULL))
			json_object_object_add(o, kind, export_op_json(doc));
	}
	bool failed = mongoc_cursor_error(cur, &e);
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	if (failed) {
		json_object_put(o);
		reply_store_error(req, &e, "list exports");
		return;
	}
	for (int full = 0; full < 2; full++)
		if (!json_object_object_get_ex(o, kind_of(full), NULL))
			json_object_object_add(o, kind_of(full), NULL);
	reply_ok(req, o);
}
