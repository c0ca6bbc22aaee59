/* store.h - the MongoDB connection (libmongoc), made once per process and
 * reused by every request; collection handles; error mapping to 503/500. */
#ifndef MA_STORE_H
#define MA_STORE_H

#include <mongoc/mongoc.h>
#include <stdbool.h>

#include "bsonread.h"
#include "date.h"
#include "errors.h"
#include "log.h"
#include "request.h"

enum coll {
	COLL_USERS,         /* one document per user; field ownership in mongo/README.md */
	COLL_TOKENS,        /* login sessions and personal access tokens, _id = token hash */
	COLL_RATELIMITS,    /* counters: _id = "<scope>:<key>" */
	COLL_MAIL,          /* outgoing mail queue */
	COLL_EMAIL_CODES,   /* 2FA and verification codes, hashed */
	COLL_EXPORTS,       /* My Data export jobs */
	COLL_AVATARS,       /* avatar images, _id = user id */
	COLL_SECLOG,        /* the per-user security log (seclog.h) */
	COLL_WEBAUTHN_CHALLENGES, /* passkey ceremony challenges, keyed-hashed (passkey.h) */
	COLL_EXPORT_FILES,  /* GridFS bucket of My Data archives (export_files.files/.chunks) */
	COLL_DEVICES,       /* devices users signed in from, keyed hashes (signin.h) */
	COLL__COUNT
};

/* How a collection's documents belong to a user, so deleting or exporting
 * an account walks one table (store_coll_owner()). */
enum owner {
	OWNER_ID,           /* _id is the user id */
	OWNER_FIELD,        /* a field (owner.field) holds the user id */
	OWNER_NONE,         /* not per user, or keyed so it cannot be told (owner.why) */
	OWNER_GRIDFS,       /* a GridFS bucket named as the collection; each file's
	                     * owner.field ("metadata.userId") holds the user id.
	                     * Delete with store_gridfs_delete_owned(), not delete_many:
	                     * the chunks must go with the files. */
};

struct coll_owner {
	enum owner  kind;
	const char *field;  /* OWNER_FIELD: the field */
	const char *why;    /* OWNER_NONE: what the documents are and how they go */
};

/* Connects lazily on first use; reads cfg. -1 with a message on a bad URI. */
int store_init(const char *appname, char *err, size_t errlen);
void store_cleanup(void);

/* Borrowed handle, valid until store_cleanup(). */
mongoc_collection_t *store_coll(enum coll c);
const char *store_coll_name(enum coll c);
/* Borrowed, static: how C's documents belong to a user. */
const struct coll_owner *store_coll_owner(enum coll c);
mongoc_database_t *store_db(void);

/* 503 for an unreachable server, 500 otherwise. */
enum err_kind store_error_kind(const bson_error_t *e);
bool store_is_duplicate(const bson_error_t *e);
/* Logs WHAT with the error (never document contents) and answers REQ.
 * Always returns false so handlers can `return reply_store_error(...)`. */
bool reply_store_error(struct request *req, const bson_error_t *e, const char *what);

/* Database and driver messages quote data: MongoDB's E11000 says
 * `dup key: { _id: "<token hash>" }`, libmongoc quotes a bad URI's password.
 * The text of E with that redacted: every `{ ... }` keeps its keys only
 * (`{ _id: ? }`), every "double-quoted" string becomes "?", and any run of
 * 16+ base64/hex characters with a digit and a letter in it becomes ?.
 * ('Single-quoted' text stays: libmongoc quotes host names that way.) Returned by
 * value, so it can stand as a printf argument: store_redact(&e).text. */
struct store_redacted { char text[512]; };
struct store_redacted store_redact(const bson_error_t *e);
/* The one way to log a database error: "WHAT: database error (domain D,
 * code C): <redacted message>". */
void store_log_error(enum log_level level, const char *what, const bson_error_t *e);

/* Outcome of a conditional write that at most one caller can win. */
enum claim_result { CLAIM_OK, CLAIM_LOST, CLAIM_DB_ERROR };
/* Runs update_one(SEL, UPD) on C, consuming both: CLAIM_OK when it changed
 * a document (the filter holds the condition, so racing callers cannot
 * both win), CLAIM_LOST when nothing matched. */
enum claim_result store_claim_update(enum coll c, bson_t *sel, bson_t *upd);
/* The same for delete_one(SEL): CLAIM_OK when it deleted a document. */
enum claim_result store_claim_delete(enum coll c, bson_t *sel);

/* The GridFS bucket of an OWNER_GRIDFS collection (made on first use,
 * borrowed until store_cleanup()); NULL for other rows or on error. */
mongoc_gridfs_bucket_t *store_bucket(enum coll c);
/* Deletes every file (and its chunks) of USER_ID in the OWNER_GRIDFS
 * bucket C: how many, -1 on a database error (logged). */
int64_t store_gridfs_delete_owned(enum coll c, const char *user_id);

/* MongoDB commands started by this process so far (command monitoring). */
unsigned long store_command_count(void);


#endif
