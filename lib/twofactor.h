/* twofactor.h - the second factor, for every program: Rocket.Chat's
 * totp-required challenge on protected routes (x-2fa-code / x-2fa-method
 * headers) and the 2FA step of login. Methods: totp (with single-use backup
 * codes), email, webauthn (a passkey: ours, for our SPA; passkey.h), and
 * the password fallback for users without 2FA. */
#ifndef MA_TWOFACTOR_H
#define MA_TWOFACTOR_H

#include <bson/bson.h>
#include <json-c/json.h>
#include <stdbool.h>

#include "request.h"

#define TF_MAX_FAILURES   5       /* wrong codes per user per window */
#define TF_WINDOW_S       300
#define TF_WEBAUTHN_CODE_MAX 6144         /* the assertion JSON in x-2fa-code */

struct tf_methods {
	bool totp;
	bool email;
	bool password;      /* fallback: has a password */
	bool webauthn;      /* has a passkey (and passkeys are on) */
};

enum tf_result { TF_OK, TF_INVALID, TF_MAX_ATTEMPTS, TF_DB_ERROR, TF_BUSY };

void twofactor_methods(const bson_t *user, struct tf_methods *m);
/* REQUESTED when the user has it; else the first of totp, email, webauthn; else
 * password when ALLOW_PASSWORD; else NULL. Borrowed static string. */
const char *twofactor_pick(const struct tf_methods *m, const char *requested, bool allow_password);
/* Rocket.Chat's details object: {method, codeGenerated, availableMethods, ...}. */
json_object *twofactor_details(const struct tf_methods *m, const char *method, const bson_t *user);
/* The details of a totp-required answer; for the email method it first
 * reuses a live code or mails a new one (Rocket.Chat's processInvalidCode).
 * ERR_NONE with *DETAILS new (caller owns), else the error to answer
 * (ERR_DB_UNAVAILABLE, ERR_MAIL_UNAVAILABLE; the cause is logged). */
enum err_kind twofactor_challenge(const bson_t *user, const struct tf_methods *m, const char *method,
    json_object **details);
/* Checks CODE by METHOD for USER. Each check first takes one of the
 * user's TF_MAX_FAILURES slots per TF_WINDOW_S (kept on a wrong code, given
 * back otherwise), so parallel guesses cannot pass the limit. TF_BUSY: the
 * password method found no hashing slot (pwcheck.h). */
enum tf_result twofactor_verify(const bson_t *user, const char *method, const char *code);

/* The code step by METHOD (already picked from M) for USER: when CODE is
 * empty, ERR_TOTP_REQUIRED with the challenge's *DETAILS (for the email
 * method a code is mailed first: ERR_MAIL_UNAVAILABLE, ERR_DB_UNAVAILABLE
 * when it cannot be); else ERR_NONE when it passed, or ERR_TOTP_INVALID /
 * ERR_TOTP_MAX_ATTEMPTS with *DETAILS, ERR_BUSY, ERR_DB_UNAVAILABLE.
 * *DETAILS (may be NULL) is the caller's. The one place a code's outcome
 * becomes an answer: sign-in, profile changes and protected routes. */
enum err_kind twofactor_code(const bson_t *user, const struct tf_methods *m, const char *method,
    const char *code, json_object **details);
/* Answers WHY (with DETAILS, consumed) in Rocket.Chat's shape and returns
 * false; true for ERR_NONE. */
bool twofactor_answer_or_reply(struct request *req, enum err_kind why, json_object *details);

/* The second factor of a protected action, for the caller of REQ: ERR_NONE
 * when it passed or the caller is exempt (a PAT with bypassTwoFactor, or,
 * unless STRICT, a success on this session token within
 * cfg.twofactor_remember_seconds from the same user agent and address).
 * CODE (NULL: none sent) is checked by METHOD (NULL: the user's first of
 * totp, email, else the password), and a success is remembered on the
 * session unless STRICT. Otherwise the error to answer: ERR_TOTP_REQUIRED
 * (a code was mailed first for the email method), ERR_TOTP_INVALID,
 * ERR_TOTP_MAX_ATTEMPTS with *DETAILS (caller owns), or ERR_FORBIDDEN (no
 * method at all), ERR_BUSY, ERR_DB_UNAVAILABLE, ERR_MAIL_UNAVAILABLE. For
 * answers that are not HTTP (method.call's envelope). */
enum err_kind twofactor_check(struct request *req, const char *code, const char *method, bool strict,
    json_object **details);

/* Route-level check for R_2FA / R_2FA_STRICT routes (strict: no remember
 * window): the code from header x-2fa-code, else the body's "code" where
 * the route takes one (Rocket.Chat's users.totp.disable {code}); the
 * method from x-2fa-method. Answers and returns false unless passed. */
bool twofactor_check_or_reply(struct request *req);

#endif
