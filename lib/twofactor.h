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
#define TF_REMEMBER_MS    (1800 * 1000)   /* Accounts_TwoFactorAuthentication_RememberFor */
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

/* Route-level check for R_2FA routes; answers and returns false unless the
 * caller passed (or is exempt: PAT with bypassTwoFactor, or a success on
 * this session token within TF_REMEMBER_MS from the same user agent and
 * address, unless the route is R_2FA_STRICT). */
bool twofactor_check_or_reply(struct request *req);

#endif
