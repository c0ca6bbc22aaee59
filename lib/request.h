/* request.h - one HTTP request as the web server handed it over (FastCGI or
 * CGI variables), plus what the dispatcher learnt about it. */
#ifndef MA_REQUEST_H
#define MA_REQUEST_H

#include <bson/bson.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "errors.h"
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
	json_object  *body;             /* owned: JSON or form body as an object */
	char         *raw_body;         /* owned */
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
/* Query parameter as a string; NULL when absent. Borrowed. */
const char *req_query(const struct request *req, const char *name);

/* Typed reads of validated body fields. */
const char *body_str(const struct request *req, const char *name);
bool body_bool(const struct request *req, const char *name, bool dflt);

/* Fills method, path, query, ip, https from the environment. */
void req_begin(struct request *req);
/* Reads and parses the body up to LIMIT bytes; returns ERR_NONE or the
 * error to answer (413, 400, 415). FORM allows urlencoded bodies. */
enum err_kind req_read_body(struct request *req, size_t limit, bool form, char *msg, size_t msglen);
void req_end(struct request *req);

/* Decodes %XX and '+' in place; false on a malformed escape or a NUL byte. */
bool url_decode(char *s);
/* Parses "a=1&b=2" into OBJ: string values; Rocket.Chat's bracketed keys
 * nest ("a[b]=1" -> {a: {b: "1"}}, "a[]=1" -> {a: ["1"]}). False on
 * malformed or ambiguous input. */
bool parse_urlencoded(const char *s, size_t len, json_object *obj);

#endif
