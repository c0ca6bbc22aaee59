/* profile.h - the profile program's pages, one file each (as cgit's ui-*.c).
 * The route table is in profile.c. Files and who calls what:
 *   basicinfo.c  users.updateOwnBasicInfo (calls email.c and password.c for
 *                those two fields), users.setStatus, users.getStatus
 *   username.c   username rules, checkUsernameAvailability, getUsernameSuggestion
 *   password.c   pw.getPolicy, the password change, forgot and reset
 *   email.c      the email change, verification links, sendConfirmationEmail
 *   avatar.c     GET /avatar/<username or id> (setAvatar and resetAvatar
 *                are the avatar program's: cgi-bin/avatar/avatar.h says why)
 *   deleteown.c  users.deleteOwnAccount */
#ifndef MA_PROFILE_H
#define MA_PROFILE_H

#include <stdbool.h>

#include "request.h"

/* GET /avatar/<username> and /avatar/uid/<user id>: the user's stored
 * avatar; a generated one (initial on a colour) while none is uploaded. */
void avatar_get(struct request *req);

/* Changes the caller's (req->session.user) address to ADDRESS (syntax
 * already validated by the field spec): refused when the admin switch is
 * off or another account has it (case-insensitive); stored unverified; a
 * verification link is mailed to it and a notice to the old address. The
 * second factor was checked by the caller. False after answering. */
bool email_change_or_reply(struct request *req, const char *address);

/* Changes the caller's password to NEW_PASSWORD (plain text, as
 * Rocket.Chat's newPassword): admin switch, policy, strength, "same as
 * current", history; stores argon2id of its hex SHA-256, signs out every
 * other session (not personal access tokens), mails a notice. The second
 * factor was checked by the caller. False after answering. */
bool password_change_or_reply(struct request *req, const char *new_password);

/* basicinfo.c: the body and query specs of its routes, and the handlers. */
extern const struct field basic_info_fields[];
extern const struct field set_status_fields[];
extern const struct field get_status_query[];
void basic_info_update(struct request *req);    /* users.updateOwnBasicInfo */
void status_set(struct request *req);           /* users.setStatus */
void status_get(struct request *req);           /* users.getStatus */

/* username.c. Names are at most USERNAME_MAX bytes (the users validator's
 * maxLength). */
#define USERNAME_MAX 64
enum username_verdict {
	USERNAME_OK,
	USERNAME_INVALID,       /* breaks UTF8_User_Names_Validation or the length */
	USERNAME_RESERVED,      /* a system name (Accounts_SystemBlockedUsernameList, rocket.cat) */
	USERNAME_BLOCKED,       /* all, here, or the admin's blocked_usernames */
};
enum username_verdict username_judge(const char *name);
/* Does another user than the caller hold NAME in any case? 1 yes, 0 no,
 * -1 after answering (database). A read only: the unique usernameKey
 * index decides when two take one name at once. */
int username_taken(struct request *req, const char *name);
enum { UA_USERNAME };
extern const struct field username_query[];
void username_availability(struct request *req);    /* users.checkUsernameAvailability */
void username_suggestion(struct request *req);      /* users.getUsernameSuggestion */

/* deleteown.c */
extern const struct field delete_own_fields[];
void delete_own_account(struct request *req);       /* users.deleteOwnAccount */

/* password.c: its routes' specs (fields by these indices) and handlers. */
enum { PWQ_TOKEN };
enum { PWS_PASSWORD, PWS_TOKEN };
enum { FORGOT_EMAIL };
enum { RESET_TOKEN, RESET_PASSWORD };
extern const struct field policy_reset_query[];
extern const struct field strength_fields[];
extern const struct field forgot_fields[];
extern const struct field reset_fields[];
void password_policy(struct request *req);          /* pw.getPolicy */
void password_policy_reset(struct request *req);    /* pw.getPolicyReset?token= */
void password_strength(struct request *req);        /* pw.strength (ours) */
void password_forgot(struct request *req);          /* users.forgotPassword */
void password_reset(struct request *req);           /* users.resetPassword (ours) */

/* email.c */
enum { CONFIRM_EMAIL };
enum { VERIFY_TOKEN };
extern const struct field confirm_fields[];
extern const struct field verify_fields[];
void email_send_confirmation(struct request *req);  /* users.sendConfirmationEmail */
void email_verify(struct request *req);             /* users.verifyEmail (ours) */

#endif
