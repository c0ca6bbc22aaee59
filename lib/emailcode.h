/* emailcode.h - six-digit codes sent by mail, for the email second factor
 * (and, later, other purposes). A code is random, stored only as a hash,
 * expires, dies after a few wrong guesses, and is used up by the check that
 * accepts it. Each purpose has its own slot per user, so a pending code of
 * one purpose never replaces another's. */
#ifndef MA_EMAILCODE_H
#define MA_EMAILCODE_H

#include <bson/bson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store.h"

#define EMAIL_CODE_TTL_MS (3600 * 1000)   /* ..._By_Email_Code_Expiration */
#define EMAIL_CODE_MAX_ATTEMPTS 5         /* ..._Max_Invalid_Email_Code_Attempts */
#define EMAIL_CODES_PER_HOUR    5         /* new codes mailed per user per hour */
#define EMAIL_CODE_2FA          "2fa"     /* the purpose of sign-in codes */

/* Mails USER a fresh code for PURPOSE when FORCE_NEW or no live one exists
 * (within the per-user hourly limit). 1 queued for mailing, 0 not
 * needed/limited, -1 database error, -2 no mail could be made (logged);
 * *EXPIRES gets the live code's expiry (0: none). */
int emailcode_send(const bson_t *user, const char *purpose, bool force_new, int64_t *expires);

/* Checks CODE ("123456" or "123-456") against USER's live code for PURPOSE;
 * a match uses it up, a miss counts against it. */
enum claim_result emailcode_verify(const bson_t *user, const char *purpose, const char *code);

#endif
