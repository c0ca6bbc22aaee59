/* respond.h - every answer goes through here: Rocket.Chat envelopes, the one
 * error writer, extra headers. A request is answered exactly once; later
 * replies are ignored, so parse-or-reply helpers can simply return. */
#ifndef MA_RESPOND_H
#define MA_RESPOND_H

#include <json-c/json.h>
#include <stdbool.h>

#include "errors.h"
#include "request.h"

/* 200 with OBJ (consumed; NULL = {}) plus "success": true, added last. */
void reply_ok(struct request *req, json_object *obj);
/* STATUS with OBJ (consumed) exactly as given. */
void reply_json(struct request *req, int status, json_object *obj);

/* The error envelope of API.md for KIND (on R_LOGIN_ERRORS routes, /login's
 * 401 shape). FMT NULL: the kind's own text. */
void reply_error(struct request *req, enum err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, with a details object (consumed; may be NULL). */
void reply_error_ex(struct request *req, enum err_kind kind, json_object *details,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Adds one header line ("Name: value", no CRLF). Values are checked for CR/LF. */
void resp_header(struct request *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

bool replied(const struct request *req);
/* Forgets an answer (and its headers) not yet sent. */
void resp_reset(struct request *req);

/* Writes status, headers and body through io_write(). */
void resp_send(struct request *req);

#endif
