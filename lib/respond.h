/* respond.h - every answer goes through here: Rocket.Chat envelopes, the one
 * error writer, extra headers. A request is answered exactly once; later
 * replies are ignored, so parse-or-reply helpers can simply return.
 *
 * Names carry the contract, everywhere in lib/ and cgi-bin/:
 *   reply_*()     always answers (and returns false where it returns a bool,
 *                 so a caller can `return reply_store_error(...)`);
 *   *_or_reply()  answers exactly when it returns false;
 * no other function answers. Where there are more than two outcomes the
 * function returns an enum (auth_request(): absent/refused/failed/ok). */
#ifndef MA_RESPOND_H
#define MA_RESPOND_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "errors.h"
#include "request.h"

/* 200 with OBJ (consumed; NULL = {}) plus "success": true, added last. */
void reply_ok(struct request *req, json_object *obj);
/* STATUS with OBJ (consumed) exactly as given. */
void reply_json(struct request *req, int status, json_object *obj);

/* The error envelope of API.md for KIND (on R_LOGIN_ERRORS routes, /login's
 * 401 shape). FMT NULL: the kind's own text. Every string of it (message
 * and DETAILS) is made valid UTF-8 first: invalid bytes become U+FFFD, a
 * long message is cut between characters. */
void reply_error(struct request *req, enum err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, with a details object (consumed; may be NULL). */
void reply_error_ex(struct request *req, enum err_kind kind, json_object *details,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Adds one header line ("Name: value", no CRLF). Values are checked for CR/LF. */
void resp_header(struct request *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Caching. Every answer is "Cache-Control: no-store" (the API's default)
 * unless the handler (or the route's .cache, which the dispatcher passes
 * here) sets a policy: MAX_AGE seconds, SHARED for "public" (avatars),
 * else "private". Call before the reply_*() that answers. */
void resp_cache(struct request *req, long max_age, bool shared);

/* RFC 9110 13.1.2 / 13.1.5: does an If-None-Match value (a list of
 * entity-tags, or "*") match ETAG (a quoted entity-tag, W/ allowed)? Weak
 * comparison; a malformed list matches nothing. */
bool etag_match(const char *if_none_match, const char *etag);

/* A binary body of LEN bytes (copied) with its own TYPE (a static string,
 * e.g. "image/png"). ETAG (NULL: none) is a quoted entity-tag ("\"abc\""
 * or W/"abc"): sent as ETag, and a GET/HEAD whose If-None-Match matches it
 * gets 304 Not Modified without a body. MAX_AGE >= 0 sets resp_cache()
 * (public); < 0 keeps the current policy. */
void reply_binary(struct request *req, const char *type, const void *data, size_t len,
    const char *etag, long max_age);

/* Streaming, for bodies too large to copy (downloads): begin sends status
 * and headers at once (LENGTH < 0: unknown, no Content-Length), each write
 * sends bytes through io_write() (libfcgi sends full records as they fill),
 * end completes the answer; later replies are ignored, as after any other.
 * begin returns false when no body must follow (HEAD, or a 304 from ETAG
 * as in reply_binary): the handler skips its writes but still calls end. */
bool reply_stream_begin(struct request *req, int status, const char *type, long long length,
    const char *etag, long max_age);
void reply_stream_write(struct request *req, const void *data, size_t len);
void reply_stream_end(struct request *req);

bool replied(const struct request *req);
/* Forgets an answer (and its headers) not yet sent. */
void resp_reset(struct request *req);

/* Writes status, headers and body through io_write(). */
void resp_send(struct request *req);

#endif
