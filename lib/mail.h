/* mail.h - outgoing mail: every message is queued in MongoDB first, then
 * sent at once over SMTP (libcurl); a failed send stays queued and the
 * worker (`myaccount-admin run-queue`, from cron) retries with backoff, so
 * no mail is lost while the SMTP server is down. Header injection is refused
 * by construction: addresses and subjects with CR/LF never make a message. */
#ifndef MA_MAIL_H
#define MA_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAIL_MAX_ATTEMPTS 10

/* Builds the RFC 5322 message (CRLF lines, UTF-8 text, RFC 2047 subject)
 * into a new string (caller frees); NULL when TO or SUBJECT is unsafe. */
char *mail_build(const char *from, const char *to, const char *subject, const char *body);

/* True for one plain address: local@domain, no spaces, CR/LF, <>,;"()\. */
bool mail_address_ok(const char *addr);

/* Queues the message and tries it at once. EXPIRES_MS (0: never) drops it
 * unsent once stale (e.g. a one-time code). Returns -1 when it could not
 * even be queued (database), 0 queued but not sent yet, 1 sent. */
int mail_send(const char *to, const char *subject, const char *body, int64_t expires_ms);

/* Sends up to MAX due messages; returns how many were sent, -1 on a database
 * error. *FAILED counts those left for a later try or given up. */
int mail_run_queue(int max, int *failed);

#endif
