/* route.h - one route table per program: method + path -> auth level, body
 * limit, field specs, handler. lib decides 404/405/401/403/413/415/400 from
 * the row before any handler runs.
 *
 * Rows name their members:
 *
 *	{ .method = "POST", .path = "/api/v1/users.generatePersonalAccessToken",
 *	  .auth = AUTH_USER, .body_max = 2048, .body = generate_fields,
 *	  .flags = R_2FA, .handler = generate, .summary = "create a token",
 *	  .feature = &cfg.personal_access_tokens_enabled },
 */
#ifndef MA_ROUTE_H
#define MA_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "errors.h"
#include "request.h"
#include "validate.h"

enum auth_level {
	AUTH_NONE,      /* anonymous; credentials are not even looked at */
	AUTH_OPTIONAL,  /* anonymous allowed; a valid caller is recognised */
	AUTH_USER,      /* a valid login token, PAT or session cookie */
};

#define R_FORM         0x01u  /* also takes application/x-www-form-urlencoded */
#define R_MUTATING     0x02u  /* changes state even as GET: CSRF applies, HEAD does not run it */
#define R_2FA          0x04u  /* needs the second factor (twofactor.h) */
#define R_2FA_STRICT   0x08u  /* a code every time, no "remember" window (implies R_2FA) */
#define R_LOGIN_ERRORS 0x10u  /* errors in /login's 401 shape (respond.h) */
#define R_KEEP_UNKNOWN 0x20u  /* unknown body keys are ignored, not refused */

typedef void handler_fn(struct request *req);

struct route {
	const char          *method;    /* "GET", "POST", "DELETE"; GET also answers HEAD */
	const char          *path;      /* exact, or a prefix ending in '*' */
	enum auth_level      auth;
	size_t               body_max;  /* bytes; 0 = no body */
	unsigned             bodies;    /* BODY_* kinds taken; 0: JSON (+ form with R_FORM,
	                                 * + multipart with parts) */
	const struct part   *parts;     /* multipart file parts (name, sniffed types, max
	                                 * bytes), PART_END-terminated; NULL = none */
	const struct field  *body;      /* spec of the body object; NULL = no fields */
	const struct field  *query;     /* spec of the query string; unknown parameters are
	                                 * always ignored, as Rocket.Chat does */
	unsigned             flags;     /* R_* */
	handler_fn          *handler;
	const char          *summary;   /* for --routes and --help */
	const bool          *feature;   /* admin switch (&cfg.x); NULL: always on */
	enum err_kind        feature_off; /* what a switched-off feature answers;
	                                 * ERR_NONE: ERR_NOT_ALLOWED */
	struct {
		long         max_age;   /* > 0: Cache-Control max-age; 0: no-store (the API's) */
		bool         shared;    /* public (avatars) rather than private */
	}                    cache;
};

#define ROUTE_END { .path = NULL }

/* Checks a program plugs in for rows that need them, so a program links
 * only what it uses: one without R_2FA rows never pulls in the second
 * factor (TOTP, liboath, email codes, mail). */
struct route_hooks {
	/* R_2FA / R_2FA_STRICT rows: false after answering (twofactor.h). */
	bool (*second_factor_or_reply)(struct request *req);
};

/* Runs the whole request through ROUTES and leaves the answer in req->resp. */
void route_dispatch(struct request *req, const struct route *routes, const struct route_hooks *hooks);

/* 0, or -1 after printing what is wrong with the table: a field spec that
 * does not fit FVAL_MAX, a row whose check has no hook (checked once when a
 * program starts, so neither ever reaches a request). */
int route_check_table(const struct route *routes, const struct route_hooks *hooks, const char *program);

#endif
