/* security.h - the security program's concerns, one file each; the route
 * table is in security.c. Each action is written once, as a function that
 * returns a struct answer, and served twice: by its REST route and by
 * Meteor's method.call (methodcall.c), whose envelope differs.
 *   authenticator.c  TOTP enrolment, disable, backup codes (users.totp.*, 2fa:*)
 *   qr.c         the enrolment QR code as SVG (libqrencode)
 *   email2fa.c   users.2fa.enableEmail / disableEmail
 *   e2e.c        the caller's own E2E key pair (e2e.*, users.resetE2EKey)
 *   signout.c    ending the caller's other sessions, or all of them
 *   methodcall.c POST /api/v1/method.call/<name> and method.callAnon */
#ifndef MA_SECURITY_H
#define MA_SECURITY_H

#include <json-c/json.h>
#include <stdbool.h>

#include "errors.h"
#include "request.h"
#include "validate.h"

/* What an action came to: ERR_NONE with VALUE (owned; NULL: nothing to
 * add), or an error kind with an optional REASON (static text; NULL: the
 * kind's own) and DETAILS (owned). */
struct answer {
	enum err_kind err;
	const char   *reason;
	json_object  *details;
	json_object  *value;
};

#define ANSWER_OK(v)        ((struct answer){ .err = ERR_NONE, .value = (v) })
#define ANSWER_ERR(k, why)  ((struct answer){ .err = (k), .reason = (why) })

/* Answers REQ with A the REST way: the value with success, or the error
 * envelope. Consumes A. */
void reply_answer(struct request *req, struct answer a);

/* authenticator.c. The second factor, where one is needed, was checked before. */
struct answer totp_enable(struct request *req);            /* {secret, url, qr} */
struct answer totp_validate(struct request *req, const char *code);   /* {codes} */
struct answer totp_disable(struct request *req);           /* {disabled: true} */
struct answer totp_regenerate(struct request *req);        /* {codes} */
struct answer totp_remaining(struct request *req);         /* {remaining, warning} */
/* CODE is a fresh TOTP or unused backup code of the caller (Rocket.Chat's
 * 2fa:disable and 2fa:regenerateCodes take it as their parameter): ERR_NONE,
 * ERR_TOTP_INVALID, ERR_TOTP_MAX_ATTEMPTS or a backend error. */
enum err_kind totp_code_check(struct request *req, const char *code);

/* qr.c: TEXT as a QR code in SVG (numbers and fixed markup only); a new
 * string (free()), NULL when it cannot be encoded. */
char *qr_svg(const char *text);

/* email2fa.c */
struct answer email2fa_enable(struct request *req);
struct answer email2fa_disable(struct request *req);

/* e2e.c; the body of e2e.setUserPublicAndPrivateKeys. */
enum { E2E_PUBLIC, E2E_PRIVATE, E2E_FORCE };
extern const struct field e2e_key_fields[];
struct answer e2e_reset_own(struct request *req);
void e2e_fetch_my_keys(struct request *req);
void e2e_set_keys(struct request *req);

/* signout.c: ends every login session of the caller but its own (OTHERS)
 * or every token, personal access tokens too (ALL, and clears a cookie
 * session's cookies). Recorded in the security log. False on a database
 * error (logged). */
bool signout_others(struct request *req);
bool signout_all(struct request *req);

/* methodcall.c: the method.call and method.callAnon routes. */
void method_call(struct request *req);
void method_call_anon(struct request *req);

#endif
