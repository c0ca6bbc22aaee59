/* export-job.c - the queue side of the My Data worker: claim one job with a
 * lease (a findAndModify whose filter holds "queued, or its lease ran
 * out"), so two workers never make the same job and a killed worker's job
 * is taken up once its lease ends; make it through Rocket.Chat's statuses
 * (exporting, compressing, uploading, completed) with a progress figure,
 * each step renewing the lease only while the claim is still ours; store
 * the zip in GridFS; mail the link. */
#include <errno.h>
#include <sodium.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "dataexport.h"
#include "date.h"
#include "export.h"
#include "log.h"
#include "mail.h"
#include "mailtext.h"
#include "store.h"
#include "user.h"

struct job {
	bson_t     *op;             /* owned: the claimed document */
	const char *id;             /* borrowed from op */
	char        claim[ID_LEN + 1];
	long        pause_ms;       /* MYACCOUNT_EXPORT_STEP_DELAY_MS: tests stop a worker mid-job */
};

static int64_t
lease_ms(void)
{
	return cfg.data_export_lease_seconds * 1000LL;
}

/* The oldest job that is queued, or whose worker's lease ran out. */
static bson_t *
claim(char token[ID_LEN + 1], bool *db_error)
{
	bson_error_t e;
	bson_t reply, *out = NULL;
	bson_iter_t it;
	int64_t now = now_ms();

	*db_error = false;
	random_id(token, ID_LEN);
	bson_t *query = BCON_NEW("status", "{", "$in", "[", BCON_UTF8(EXPORT_PENDING), BCON_UTF8(EXPORT_EXPORTING),
	        BCON_UTF8(EXPORT_COMPRESSING), BCON_UTF8(EXPORT_UPLOADING), "]", "}",
	    "$or", "[", "{", "leaseUntil", "{", "$exists", BCON_BOOL(false), "}", "}",
	        "{", "leaseUntil", "{", "$lte", BCON_DATE_TIME(now), "}", "}", "]");
	bson_t *sort = BCON_NEW("createdAt", BCON_INT32(1));
	bson_t *update = BCON_NEW("$set", "{", "status", BCON_UTF8(EXPORT_EXPORTING), "progress", BCON_INT32(5),
	        "leaseUntil", BCON_DATE_TIME(now + lease_ms()), "claim", BCON_UTF8(token),
	        "_updatedAt", BCON_DATE_TIME(now), "}",
	    "$inc", "{", "attempts", BCON_INT32(1), "}");
	if (!mongoc_collection_find_and_modify(store_coll(COLL_EXPORTS), query, sort, update, NULL,
	    false, false, true, &reply, &e)) {
		store_log_error(LOG_WARN, "export: claim a job", &e);
		*db_error = true;
	} else if (bson_iter_init_find(&it, &reply, "value") && BSON_ITER_HOLDS_DOCUMENT(&it)) {
		const uint8_t *data;
		uint32_t len;
		bson_iter_document(&it, &len, &data);
		out = bson_new_from_data(data, len);
	}
	bson_destroy(&reply);
	bson_destroy(update);
	bson_destroy(sort);
	bson_destroy(query);
	return out;
}

/* Applies SET (consumed; more $set fields) and UNSET (consumed, may be
 * NULL) to J's job while J's claim holds it. CLAIM_LOST: another worker
 * has it now. */
static enum claim_result
update_job(struct job *j, bson_t *set, bson_t *unset)
{
	bson_t *upd = bson_new();
	BSON_APPEND_DATE_TIME(set, "_updatedAt", now_ms());
	BSON_APPEND_DOCUMENT(upd, "$set", set);
	if (unset)
		BSON_APPEND_DOCUMENT(upd, "$unset", unset);
	bson_destroy(set);
	if (unset)
		bson_destroy(unset);
	return store_claim_update(COLL_EXPORTS, BCON_NEW("_id", BCON_UTF8(j->id), "claim", BCON_UTF8(j->claim)), upd);
}

static bool
progress(void *ctx, const char *status, int percent)
{
	struct job *j = ctx;

	if (j->pause_ms > 0)
		usleep((useconds_t)j->pause_ms * 1000);
	return update_job(j, BCON_NEW("status", BCON_UTF8(status), "progress", BCON_INT32(percent),
	    "leaseUntil", BCON_DATE_TIME(now_ms() + lease_ms())), NULL) == CLAIM_OK;
}

static void
fail_job(struct job *j, const char *reason)
{
	log_warn("export %s failed: %s", j->id, reason);
	update_job(j, BCON_NEW("status", BCON_UTF8(EXPORT_FAILED), "failReason", BCON_UTF8(reason)),
	    BCON_NEW("leaseUntil", BCON_UTF8(""), "claim", BCON_UTF8("")));
}

/* A database error: the job is tried again after EXPORT_RETRY_MS, by
 * whichever worker comes, until EXPORT_MAX_ATTEMPTS. */
static void
retry_job(struct job *j, const char *why)
{
	log_warn("export %s to be retried: %s", j->id, why);
	update_job(j, BCON_NEW("leaseUntil", BCON_DATE_TIME(now_ms() + EXPORT_RETRY_MS)),
	    BCON_NEW("claim", BCON_UTF8("")));
}

static bson_t *
find_user(const char *uid, bool *db_error)
{
	bson_error_t e;
	const bson_t *doc;
	bson_t *user = NULL, *filter = BCON_NEW("_id", BCON_UTF8(uid));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_USERS), filter, NULL, NULL);

	if (mongoc_cursor_next(cur, &doc))
		user = bson_copy(doc);
	*db_error = mongoc_cursor_error(cur, &e);
	if (*db_error)
		store_log_error(LOG_WARN, "export: read the user", &e);
	mongoc_cursor_destroy(cur);
	bson_destroy(filter);
	return user;
}

/* Rocket.Chat's name: "<YYYY-MM-DD>-<name, else username, else id>[-data].zip". */
static void
archive_name(const bson_t *user, bool full, int64_t at, char *out, size_t n)
{
	const char *who = bson_get_str(user, "name");
	char date[32];

	if (who == NULL || *who == '\0')
		who = bson_get_str(user, "username");
	if (who == NULL || *who == '\0')
		who = bson_get_str(user, "_id");
	iso_date(at, date);
	date[10] = '\0';
	snprintf(out, n, "%s-%.100s%s.zip", date, who, full ? "-data" : "");
	/* No path separators or controls in a file name. */
	for (char *p = out; *p; p++)
		if (*p == '/' || *p == '\\' || (unsigned char)*p < 0x20)
			*p = '_';
}

/* An upload of an earlier attempt that died midway leaves chunks (and
 * maybe a file) under the id it recorded: they go first. */
static void
drop_earlier_upload(const bson_t *op)
{
	bson_iter_t it;
	bson_error_t e;
	if (!bson_iter_init_find(&it, op, "uploadFileId") || !BSON_ITER_HOLDS_OID(&it))
		return;
	mongoc_gridfs_bucket_t *b = store_bucket(COLL_EXPORT_FILES);
	if (b && !mongoc_gridfs_bucket_delete_by_id(b, bson_iter_value(&it), &e)) {
		/* No file document: delete the chunks alone. */
		mongoc_collection_t *chunks = mongoc_database_get_collection(store_db(), "export_files.chunks");
		bson_t *sel = BCON_NEW("files_id", BCON_OID(bson_iter_oid(&it)));
		mongoc_collection_delete_many(chunks, sel, NULL, NULL, NULL);
		bson_destroy(sel);
		mongoc_collection_destroy(chunks);
	}
}

/* Uploads FD's LEN bytes as file ID named NAME; false on error. */
static bool
upload(int fd, const bson_oid_t *id, const char *name, const struct job *j, int64_t expires)
{
	bson_error_t e;
	bson_value_t v = { .value_type = BSON_TYPE_OID };
	mongoc_gridfs_bucket_t *b = store_bucket(COLL_EXPORT_FILES);
	bool ok;

	if (b == NULL || lseek(fd, 0, SEEK_SET) != 0)
		return false;
	int copy = dup(fd);
	if (copy < 0)
		return false;
	mongoc_stream_t *src = mongoc_stream_file_new(copy);
	bson_oid_copy(id, &v.value.v_oid);
	bson_t *opts = BCON_NEW("metadata", "{", "userId", BCON_UTF8(bson_get_str(j->op, "userId")),
	    "exportId", BCON_UTF8(j->id), "expiresAt", BCON_DATE_TIME(expires), "}");
	ok = mongoc_gridfs_bucket_upload_from_stream_with_id(b, &v, name, src, opts, &e);
	if (!ok)
		store_log_error(LOG_WARN, "export: upload the archive", &e);
	bson_destroy(opts);
	mongoc_stream_destroy(src);
	return ok;
}

/* Mails the link to the user's first verified address (else the first). */
static void
mail_link(const bson_t *user, const char *url, bool full, int64_t expires)
{
	const char *to = user_verified_email(user);
	char when[32];
	struct mail_content c;

	if (to == NULL)
		to = bson_get_str(user, "emails.0.address");
	if (to == NULL) {
		log_info("export ready for %s, who has no address: the page shows the link", bson_get_str(user, "_id"));
		return;
	}
	iso_date(expires, when);
	when[16] = '\0';
	when[10] = ' ';
	const struct mail_var vars[] = {
		{ "site", cfg.site_name }, { "link", url }, { "expires", when }, { "format", full ? "JSON" : "HTML" },
	};
	if (mail_render(mail_language(user), MAIL_DATA_EXPORT, vars, 4, &c) != 0)
		return;
	if (mail_send(to, bson_get_str(user, "_id"), &c, expires) != MAIL_QUEUED)
		log_warn("export: the link mail could not be queued; the page shows the link");
	mail_content_free(&c);
}

/* Makes J's archive. 1 done, 0 failed for good, -1 to be retried. */
static int
make(struct job *j)
{
	char tmpl[4200], name[160], nonce[SECRET_LEN + 1] = "", link_id[EXPORT_LINK_ID_LEN + 1] = "";
	char hash[KEYED_HASH_LEN + 1], url[4200], err[256];
	struct export_archive a = { .n = 0 };
	bool full = bson_get_bool(j->op, "fullExport"), db_error;
	const char *tmpdir = getenv("TMPDIR");
	int64_t now = now_ms(), expires = now + export_link_ms();
	bson_oid_t fid;
	struct stat st;
	int fd = -1, rc = -1;
	bson_t *user = find_user(bson_get_str(j->op, "userId"), &db_error);

	if (user == NULL) {
		if (db_error)
			return -1;
		fail_job(j, "the user no longer exists");
		return 0;
	}
	if (export_contents(user, full, now, progress, j, &a) != 0)
		goto out;
	if (!progress(j, EXPORT_COMPRESSING, 70))
		goto out;
	/* An unlinked temporary file: nothing stays behind if we are killed. */
	snprintf(tmpl, sizeof tmpl, "%s/myaccount-export-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if ((fd = mkstemp(tmpl)) < 0) {
		log_warn("export: no temporary file in %s: %s", tmpdir ? tmpdir : "/tmp", strerror(errno));
		goto out;
	}
	unlink(tmpl);
	if (export_zip(&a, fd, err, sizeof err) != 0 || fstat(fd, &st) != 0) {
		log_warn("export %s: %s", j->id, err);
		goto out;
	}
	export_archive_free(&a);
	drop_earlier_upload(j->op);
	bson_oid_init(&fid, NULL);
	if (update_job(j, BCON_NEW("status", BCON_UTF8(EXPORT_UPLOADING), "progress", BCON_INT32(85),
	    "uploadFileId", BCON_OID(&fid), "leaseUntil", BCON_DATE_TIME(now_ms() + lease_ms())), NULL) != CLAIM_OK)
		goto out;
	if (j->pause_ms > 0)
		usleep((useconds_t)j->pause_ms * 1000);
	archive_name(user, full, now, name, sizeof name);
	if (!upload(fd, &fid, name, j, expires))
		goto out;
	random_secret(nonce);
	if (!export_link_id(nonce, link_id) || !export_link_hash(link_id, hash)) {
		fail_job(j, "no secret_key to make a link with");
		rc = 0;
		goto out;
	}
	if (update_job(j, BCON_NEW("status", BCON_UTF8(EXPORT_COMPLETED), "progress", BCON_INT32(100),
	        "fileId", BCON_OID(&fid), "fileName", BCON_UTF8(name), "fileSize", BCON_INT64((int64_t)st.st_size),
	        "completedAt", BCON_DATE_TIME(now_ms()), "expiresAt", BCON_DATE_TIME(expires),
	        "linkNonce", BCON_UTF8(nonce), "downloadHash", BCON_UTF8(hash)),
	    BCON_NEW("leaseUntil", BCON_UTF8(""), "claim", BCON_UTF8(""), "uploadFileId", BCON_UTF8(""))) != CLAIM_OK) {
		/* Another worker took the job over meanwhile: its archive counts. */
		bson_value_t v = { .value_type = BSON_TYPE_OID };
		bson_oid_copy(&fid, &v.value.v_oid);
		mongoc_gridfs_bucket_delete_by_id(store_bucket(COLL_EXPORT_FILES), &v, NULL);
		goto out;
	}
	snprintf(url, sizeof url, "%s%s%s", cfg.site_url, EXPORT_LINK_PATH, link_id);
	mail_link(user, url, full, expires);
	log_info("export %s made: %lld bytes", j->id, (long long)st.st_size);
	rc = 1;
out:
	sodium_memzero(link_id, sizeof link_id);
	sodium_memzero(nonce, sizeof nonce);
	if (fd >= 0)
		close(fd);
	export_archive_free(&a);
	bson_destroy(user);
	return rc;
}

bool
export_run(long max, struct export_tally *t)
{
	const char *pause = getenv("MYACCOUNT_EXPORT_STEP_DELAY_MS");
	bool db_error = false;

	for (long i = 0; i < max; i++) {
		struct job j = { .pause_ms = pause ? strtol(pause, NULL, 10) : 0 };
		if ((j.op = claim(j.claim, &db_error)) == NULL)
			break;
		j.id = bson_get_str(j.op, "_id");
		bson_iter_t it;
		int attempts = bson_iter_init_find(&it, j.op, "attempts") ? (int)bson_iter_as_int64(&it) : 1;
		int r;
		if (attempts > EXPORT_MAX_ATTEMPTS) {
			fail_job(&j, "given up after repeated attempts");
			r = 0;
		} else if ((r = make(&j)) < 0) {
			retry_job(&j, "database or storage error (see the log)");
		}
		if (r > 0)
			t->done++;
		else if (r == 0)
			t->failed++;
		else
			t->retry++;
		bson_destroy(j.op);
	}
	return !db_error;
}

int64_t
export_sweep(void)
{
	bson_error_t e;
	const bson_t *doc;
	bson_iter_t it;
	int64_t n = 0, now = now_ms();
	mongoc_gridfs_bucket_t *b = store_bucket(COLL_EXPORT_FILES);

	if (b == NULL)
		return -1;
	mongoc_collection_t *files = mongoc_database_get_collection(store_db(), EXPORT_BUCKET_FILES);
	bson_t *filter = BCON_NEW("metadata.expiresAt", "{", "$lte", BCON_DATE_TIME(now), "}");
	bson_t *opts = BCON_NEW("projection", "{", "_id", BCON_INT32(1), "}");
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(files, filter, opts, NULL);
	while (mongoc_cursor_next(cur, &doc))
		if (bson_iter_init_find(&it, doc, "_id") && mongoc_gridfs_bucket_delete_by_id(b, bson_iter_value(&it), &e))
			n++;
	if (mongoc_cursor_error(cur, &e)) {
		store_log_error(LOG_WARN, "export: find expired archives", &e);
		n = -1;
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	mongoc_collection_destroy(files);
	/* Their jobs too (the TTL index would, later). */
	bson_t *sel = BCON_NEW("expiresAt", "{", "$lte", BCON_DATE_TIME(now), "}");
	if (!mongoc_collection_delete_many(store_coll(COLL_EXPORTS), sel, NULL, NULL, &e)) {
		store_log_error(LOG_WARN, "export: delete expired jobs", &e);
		n = -1;
	}
	bson_destroy(sel);
	return n;
}
