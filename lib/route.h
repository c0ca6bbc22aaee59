/* route.h - one route table per program: method + path -> auth level, body
 * limit, field specs, handler. lib decides 404/405/401/403/413/415/400 from
 * the row before any handler runs. */
#ifndef MA_ROUTE_H
#define MA_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"
#include "validate.h"

enum auth_level {
	AUTH_NONE,      /* anonymous; credentials are not even looked at */
	AUTH_OPTIONAL,  /* anonymous allowed; a valid caller is recognised */
	AUTH_USER,      /* a valid login token, PAT or session cookie */
};

#define R_FORM      0x01u   /* also takes application/x-www-form-urlencoded */
#define R_MUTATING  0x02u   /* changes state even as GET: CSRF applies */
#define R_2FA       0x04u   /* needs the second factor (twofactor.h) */
#define R_2FA_STRICT 0x08u  /* with R_2FA: a code every time, no "remember" window */

typedef void handler_fn(struct request *req);

struct route {
	const char          *method;    /* "GET", "POST", "DELETE" */
	const char          *path;      /* exact, or a prefix ending in '*' */
	enum auth_level      auth;
	size_t               body_limit;/* bytes; 0 = no body */
	const struct field  *body;      /* spec of the body object; NULL = no fields */
	const struct field  *query;     /* spec of the query string; NULL = none */
	unsigned             flags;
	handler_fn          *handler;
	const char          *summary;   /* for --routes and --help */
	const bool          *feature;   /* admin switch (&cfg.x); off: error-not-allowed */
};

#define ROUTE_END { NULL, NULL, 0, 0, NULL, NULL, 0, NULL, NULL, NULL }

/* Runs the whole request through ROUTES and leaves the answer in req->resp. */
void route_dispatch(struct request *req, const struct route *routes);

#endif
