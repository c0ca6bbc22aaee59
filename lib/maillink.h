/* maillink.h - single-use links sent by mail: password reset and address
 * verification. A link carries a random token (256 bits, base64url); only
 * its keyed hash is stored (crypto.h keyed_hash, purpose "mail-link"), in
 * email_codes beside the emailed codes, one live link per purpose and user
 * (a new one replaces the old). A link expires, and is used up by the one
 * request whose conditional delete wins, so two uses cannot both succeed. */
#ifndef MA_MAILLINK_H
#define MA_MAILLINK_H

#include <bson/bson.h>
#include <stdint.h>

#include "crypto.h"
#include "store.h"

#define LINK_RESET  "password-reset"    /* also the purpose of its mail_queue job */
#define LINK_VERIFY "verify-email"

/* What a live link is for. */
struct maillink {
	char    slot[96];       /* its _id: "<purpose>:<user id>" */
	char    user_id[64];
	char    address[256];   /* the address it was mailed to */
	int64_t expires;        /* epoch ms */
};

/* Looks TOKEN of PURPOSE up without using it: 1 live (OUT filled), 0 no
 * such live link (or a token of the wrong shape), -1 database error. */
int maillink_find(const char *purpose, const char *token, struct maillink *out);

/* Uses up the link maillink_find() returned in L, if TOKEN still holds
 * it: CLAIM_OK for exactly one of any number of racing callers. */
enum claim_result maillink_claim(const struct maillink *l, const char *token);

/* Makes a fresh link of PURPOSE for USER to ADDRESS (replacing a live
 * one) and queues its mail, in the user's language, with the link into
 * the SPA (site_url + "/#/reset-password/<token>" or "/#/verify-email/").
 * 1 queued, -1 database error, -2 no mail could be made (logged). */
int maillink_send(const bson_t *user, const char *purpose, const char *address);

/* Removes USER_ID's live link of PURPOSE (a reset link once the password
 * changed another way). Best effort. */
void maillink_drop(const char *purpose, const char *user_id);

/* For mails about the user: NAME (or USERNAME) with control characters as
 * spaces, cut to OUT's size on a character boundary. */
void maillink_user_name(const bson_t *user, char *out, size_t n);

#endif
