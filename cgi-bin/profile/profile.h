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

#endif
