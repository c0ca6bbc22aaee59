/* dataexport.h - the My Data export operation (collection exports) as both
 * sides see it: the request program that queues one and serves its file,
 * and the worker (myaccount-admin run-queue) that makes it.
 *
 * An operation: {_id, userId, fullExport, status, progress, createdAt,
 * _updatedAt, current ("<userId>/json|html" while it is the one a repeat
 * within EXPORT_REUSE_MS answers; unique), attempts, leaseUntil + claim
 * while a worker holds it, then fileId (GridFS, bucket export_files),
 * fileName, fileSize, completedAt, expiresAt, linkNonce, downloadHash;
 * failReason when failed}.
 *
 * The download link: /data-export/<id> where id = base64url(HMAC(secret_key,
 * linkNonce)). Only the nonce and a keyed hash of the id are stored, so a
 * copy of the database alone neither holds a link nor lets anyone test
 * guesses; the owner's own status request can show the link again. */
#ifndef MA_DATAEXPORT_H
#define MA_DATAEXPORT_H

#include <bson/bson.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "crypto.h"

#define EXPORT_REUSE_MS     (24LL * 3600 * 1000)   /* Rocket.Chat's "last request" window */
#define EXPORT_LINK_PATH    "/data-export/"
#define EXPORT_LINK_ID_LEN  43                     /* base64url of 32 bytes */
#define EXPORT_BUCKET_FILES "export_files.files"

/* Rocket.Chat's statuses (a subset: no rooms here), in the order a job
 * goes through them; failed ends a job that could not be made. */
#define EXPORT_PENDING     "pending"
#define EXPORT_EXPORTING   "exporting"
#define EXPORT_COMPRESSING "compressing"
#define EXPORT_UPLOADING   "uploading"
#define EXPORT_COMPLETED   "completed"
#define EXPORT_FAILED      "failed"

/* The answer's shape of OP: _id, userId, fullExport, status, progress,
 * createdAt, _updatedAt; when completed fileId, fileName, fileSize,
 * expiresAt and url (while unexpired); failReason when failed. Never the
 * nonce, hash, claim or lease. New object, caller owns. */
json_object *export_op_json(const bson_t *op);

/* The download id of a link nonce into OUT; false without secret_key. */
bool export_link_id(const char *nonce, char out[EXPORT_LINK_ID_LEN + 1]);
/* The stored keyed hash of a download id. */
bool export_link_hash(const char *id, char out[KEYED_HASH_LEN + 1]);
/* True for something shaped like a download id (43 base64url characters). */
bool export_link_id_ok(const char *id);

/* How long a link works, in ms (data_export_link_days). */
int64_t export_link_ms(void);

#endif
