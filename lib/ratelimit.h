/* ratelimit.h - counters in MongoDB, shared by every process and web node,
 * for everything an attacker could guess: passwords, codes, tokens.
 *
 * Take, then decide: a caller first takes a slot with one atomic write
 * (rl_take), does the costly or risky work only when it got one, and then
 * says how it went: rl_failed keeps the slot as a counted failure,
 * rl_release gives it back (success, or the work was never done). So N
 * parallel requests can never evaluate more than the limit allows.
 *
 * Two policies:
 *  - RL_WINDOW: at most LIMIT slots per fixed window of WINDOW_S seconds
 *    (second-factor codes, mails).
 *  - RL_BACKOFF: LIMIT free failures, then progressive delays: after the
 *    failure that brings the count to LIMIT + k the next attempt waits
 *    2^k seconds (1, 2, 4, ...), at most WINDOW_S; one attempt at a time.
 *    The series is forgotten FORGET_S after its last failure.
 *
 * Keys are "<scope>:<base64url SHA-256 of the subject>": fixed length
 * whatever the subject (long multi-byte names, IPv6), and no address or
 * name is stored in the clear. */
#ifndef MA_RATELIMIT_H
#define MA_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "request.h"

#define RL_ID_MAX 80

enum rl_policy { RL_WINDOW, RL_BACKOFF };

struct rl_key {
	char            id[RL_ID_MAX];
	const char     *scope;      /* borrowed, static: what the key counts */
	enum rl_policy  policy;
	long            limit;      /* slots per window / free failures */
	long            window_s;   /* window length / longest delay */
	long            forget_s;   /* RL_BACKOFF: memory of a series */
	/* Filled by rl_take(): */
	bool            taken;
	bool            extra;      /* RL_BACKOFF: a slot beyond the free ones */
	long            count;      /* slots taken in this window, ours included */
	int64_t         window_end; /* RL_WINDOW: the taken window's end (ms) */
	int64_t         retry_ms;   /* refused: when to try again (epoch ms) */
	int64_t         prev_next;  /* RL_BACKOFF extra: nextAt before our take */
};

enum rl_result { RL_TAKEN, RL_REFUSED, RL_ERROR };

void rl_key_window(struct rl_key *k, const char *scope, const char *subject, long limit, long window_s);
void rl_key_backoff(struct rl_key *k, const char *scope, const char *subject, long limit,
    long max_delay_s, long forget_s);

/* Takes one slot of K with one atomic write (a few more only when the
 * window must be restarted or the answer is no). RL_ERROR on a database
 * error: callers fail closed. A live counter is never reset. */
enum rl_result rl_take(struct rl_key *k);
/* The work behind a taken slot failed: the slot stays counted (and for
 * RL_BACKOFF, sets the next delay). Best effort: logs on error. */
void rl_failed(struct rl_key *k);
/* Gives a taken slot back. Best effort. */
void rl_release(struct rl_key *k);
/* Forgets K entirely, e.g. a device's failures after it signed in. */
void rl_clear(const struct rl_key *k);

/* The X-RateLimit-* and Retry-After headers of a refusal by K; returns
 * the wait in seconds. */
long ratelimit_headers(struct request *req, const struct rl_key *k);
/* The 429 answer for a refused K with Retry-After and X-RateLimit-*
 * headers, in Rocket.Chat's words. Returns false. */
bool reply_rate_limited(struct request *req, const struct rl_key *k);
/* Takes a slot for an endpoint where every call costs (mailing) and
 * answers 429 (or 503) when refused; false when replied. The slot is
 * kept: every call counts. */
bool ratelimit_hit_or_reply(struct request *req, struct rl_key *k);

/* The subject of per-address keys: an IPv4 address as it is, an IPv6
 * address reduced to its /64 (one customer's network, RFC 6177), an
 * IPv4-mapped IPv6 address as IPv4. Anything unparsable as it is. */
void rl_source(const char *ip, char *out, size_t n);

#endif
