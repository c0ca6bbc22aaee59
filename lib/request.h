/* request.h - one HTTP request as the web server handed it over (FastCGI or
 * CGI variables), plus what the dispatcher learnt about it. */
#ifndef MA_REQUEST_H
#define MA_REQUEST_H

#include <bson/bson.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "errors.h"
#include "multipart.h"
#include "urlencoded.h"     /* req_begin() parses the query string with it */
#include "validate.h"

struct route;

enum token_type { TOKEN_SESSION, TOKEN_PAT };

/* The authenticated caller; filled by auth_request(). */
struct session {
	bool            ok;
	bool            via_cookie;     /* browser session cookie, not headers */
	enum token_type type;
	bool            bypass_2fa;     /* PAT created with bypassTwoFactor */
	char            user_id[64];
	char            token_hash[48]; /* base64 SHA-256, never logged or sent */
	char            sid[32];        /* public session id */
	char            token[128];     /* the plain token the caller sent */
	bson_t         *user;           /* owned: the user document */
	bson_t         *token_doc;      /* owned: the token document */
};

struct response {
	int     status;
	char    headers[2048];          /* extra header lines, each ending CRLF */
	size_t  headers_len;
	char   *body;                   /* owned */
	size_t  body_len;
	const char *content_type;       /* borrowed, static */
	bool    done;
};

struct request {
	const char   *method;           /* borrowed from the environment */
	char         *path;             /* owned: path part of REQUEST_URI */
	const char   *tail;             /* borrowed: path after a prefix route's '*' */
	json_object  *query;            /* owned: query parameters, string values */
	json_object  *body;             /* owned: JSON or form body as an object;
	                                 * multipart: its text parts */
	unsigned      body_kind;        /* BODY_* it came as; 0: no body */
	struct mp_file *files;           /* owned: multipart file parts */
	size_t        nfiles;
	char         *raw_body;         /* owned; files point into it */
	size_t        raw_len;
	const char   *content_type;
	char          ip[64];           /* client address (trusted proxies applied) */
	bool          https;
	const struct route *route;
	struct session session;
	/* Validated values by the route's own field enums: IN for the body,
	 * QS for the query string (NULL when the route declares none). */
	const struct fval *in;
	const struct fval *qs;
	struct fvals  vals;             /* where IN and QS live */
	struct response resp;
	unsigned      db_commands;      /* MongoDB commands sent for this request */
};

/* Header by its HTTP name ("X-Auth-Token"); NULL when absent. Borrowed. */
const char *req_header(const struct request *req, const char *name);
/* Cookie value by name, copied into OUT; false when absent or too long. */
bool req_cookie(const struct request *req, const char *name, char *out, size_t outlen);
/* Body and query values are read typed, after validation: req->in[KEY]
 * and req->qs[KEY] (validate.h), never looked up again by name. */

/* Fills method, path, query, ip, https from the environment. */
void req_begin(struct request *req);
/* Body kinds a route takes (req_read_body's KINDS). */
#define BODY_JSON       0x01u   /* application/json, strict RFC 8259 (jsonbody.h) */
#define BODY_FORM       0x02u   /* application/x-www-form-urlencoded */
#define BODY_MULTIPART  0x04u   /* multipart/form-data (multipart.h) */

/* Reads the body (Content-Length: digits only, at most LIMIT bytes) and
 * parses it as one of KINDS by its Content-Type; PARTS (NULL: none) are
 * the file parts a multipart body may carry. An empty body is an empty
 * object. Returns ERR_NONE (req->body, req->body_kind, req->files set) or
 * the error to answer with MSG: 413, 400, 415. */
enum err_kind req_read_body(struct request *req, size_t limit, unsigned kinds,
    const struct part *parts, char *msg, size_t msglen);
/* The file part NAME of a multipart body; NULL when not sent. Borrowed. */
const struct mp_file *req_file(const struct request *req, const char *name);
void req_end(struct request *req);

#endif
