/* loginguard.h - who may try a password now: the sign-in throttling policy
 * (README, "Security"). Failures count per account and per source address
 * (IPv6 by /64) with progressive delays (ratelimit.h, RL_BACKOFF), and a
 * client that signed in to the account before carries a signed device
 * cookie (OWASP "device cookies") that gives it an allowance of its own:
 * a stranger guessing an account's password slows down other strangers,
 * never the owner's own browser. An unknown account counts and answers
 * exactly like a known one. */
#ifndef MA_LOGINGUARD_H
#define MA_LOGINGUARD_H

#include <stdbool.h>

#include "ratelimit.h"
#include "request.h"

#define DEVICE_COOKIE       "rc_device"
#define DEVICE_COOKIE_DAYS  365

struct login_guard {
	struct rl_key keys[2];  /* device alone, or account + source */
	int           n;
	bool          trusted;  /* a valid device cookie for this account */
	char          user_id[64];  /* the account when it exists, for the security log */
};

/* Takes this attempt's slots before any password work. USER_ID is the
 * account's id when it exists; otherwise IDENT (username or email, any
 * case) stands for it. false after answering: blocked, or 503. */
bool loginguard_begin_or_reply(struct request *req, struct login_guard *g,
    const char *user_id, const char *ident);
/* The password was wrong: the slots stay counted (and the security log of
 * a known account records it). */
void loginguard_failed(const struct request *req, struct login_guard *g);
/* The password was right: slots given back, a device's failures forgotten. */
void loginguard_passed(struct login_guard *g);
/* The password was never checked (server busy): slots given back. */
void loginguard_abandon(struct login_guard *g);
/* Signed in: gives the client a fresh device cookie for USER_ID. */
void loginguard_trust(struct request *req, const char *user_id);

/* The one answer to a blocked sign-in, whichever key refused. */
bool reply_login_blocked(struct request *req, const struct rl_key *k);

/* Device cookie values, exposed for tests: makes one for USER_ID issued at
 * ISSUED_S (seconds), or checks one; false without a secret_key. */
#define DEVICE_COOKIE_MAX 128
bool device_cookie_make(const char *user_id, long long issued_s, char out[DEVICE_COOKIE_MAX]);
/* NONCE_OUT (23 bytes) gets the device's id when VALUE is valid for USER_ID. */
bool device_cookie_check(const char *value, const char *user_id, long long now_s, char nonce_out[23]);

#endif
