/* mail.h - the outgoing mail queue (MongoDB collection mail_queue). A
 * request never talks SMTP: it queues a message (or a job that makes one)
 * and, once its answer has reached the web server, starts the sender (the
 * admin tool, `mail_sender` in the config) detached. The sender and the
 * cron worker (`myaccount-admin run-queue`) claim items atomically with a
 * lease, so no item is sent twice, and a crashed sender's item is taken
 * again when its lease ends. The SMTP side is smtp.h, linked only by the
 * admin tool. Header injection is refused by construction: addresses and
 * subjects with CR/LF never make a message.
 *
 * What is stored: the recipient and the whole message (which may hold a
 * one-time code) until it is sent, given up or stale; then the message is
 * dropped and the item kept MAIL_KEEP_MS for the admin (state, attempts,
 * lastError) before it is purged (TTL index on purgeAt, and run-queue). */
#ifndef MA_MAIL_H
#define MA_MAIL_H

#include <bson/bson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "mailtext.h"

#define MAIL_MAX_ATTEMPTS 10
#define MAIL_LEASE_MS     (120 * 1000)          /* > SMTP connect + transfer timeouts */
#define MAIL_KEEP_MS      (7LL * 86400 * 1000)  /* done items, for the admin */
#define MAIL_STALE_MS     (30LL * 86400 * 1000) /* never-sent items without expiry */

/* The kinds of queue item, by their "kind" field. */
#define MAIL_ITEM_MESSAGE      "message"        /* {to, message}: an SMTP delivery */
#define MAIL_ITEM_CODE_REQUEST "code-request"   /* {who | userId, purpose}: mail a code */

enum mail_result {
	MAIL_QUEUED    = 0,
	MAIL_ERR_DB    = -1,    /* the queue could not be written */
	MAIL_ERR_BUILD = -2,    /* no message could be made (address, config, texts) */
};

/* True for one plain address: local@domain, no spaces, CR/LF, <>,;"()\[]:,
 * only ASCII, at most 254 bytes. The one address check of the project (the
 * admin tool uses it too). */
bool mail_address_ok(const char *addr);
/* The bare address of "Name <addr>" or "addr" into OUT; false when none. */
bool mail_from_address(const char *from, char *out, size_t n);

/* Builds the RFC 5322 message: multipart/alternative with C's UTF-8 text
 * (8bit) and HTML (base64), CRLF lines, an RFC 2047 subject. New string
 * (caller frees); NULL when TO, FROM or the subject is unsafe. */
char *mail_build(const char *from, const char *to, const struct mail_content *c);

/* Queues a message to TO for the user USER_ID (recorded, so deleting or
 * exporting an account finds its mail; NULL when no user's); the sender
 * starts after the answer. EXPIRES_MS (0: never) drops it unsent once
 * stale (a one-time code). */
enum mail_result mail_send(const char *to, const char *user_id, const struct mail_content *c,
    int64_t expires_ms);

/* Queues a job "mail a PURPOSE code to the user WHO (username or email) or
 * USER_ID" for the sender to resolve. Costs the same whether or not the
 * user exists, so its timing tells nothing. */
enum mail_result mail_queue_code_request(const char *who, const char *user_id, const char *purpose);

/* Takes the id of an item this process queued and has not handed to a
 * sender yet; false when none. For the sender, which sends what its own
 * jobs queued at once. */
bool mail_pending_take(char id[ID_LEN + 1]);

/* Starts `mail_sender send-mail ID...` detached (own session, no inherited
 * descriptors but stderr, stdin/stdout on /dev/null; under plain CGI a
 * stderr pipe is not kept, so the web server is not held open). False
 * when it could not be started (the cron worker will send). */
bool mail_kick(char ids[][ID_LEN + 1], size_t n);

/* The sender's side. Claims ID (NULL: the most overdue item) for
 * MAIL_LEASE_MS: a queued item that is due, or one whose sender's lease ran
 * out. Returns the claimed document (caller destroys) with the claim token
 * in CLAIM, NULL when there was nothing to claim; *DB_ERROR says why. */
bson_t *mail_claim(const char *id, char claim[ID_LEN + 1], bool *db_error);

enum mail_outcome {
	MAIL_DONE,      /* sent, or the job resolved */
	MAIL_RETRY,     /* try again later (given up after MAIL_MAX_ATTEMPTS) */
	MAIL_EXPIRED,   /* stale: dropped unsent */
};
/* Records what became of a claimed item (only while CLAIM still holds it);
 * the message and the job's target are dropped unless it is retried. */
void mail_finish(const bson_t *doc, const char *claim, enum mail_outcome outcome, const char *why);

/* Deletes finished items whose purgeAt has passed; how many, -1 on error. */
int64_t mail_purge(void);

#endif
