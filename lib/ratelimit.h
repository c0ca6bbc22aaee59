/* ratelimit.h - fixed-window counters in MongoDB, shared by every process,
 * for everything an attacker could guess: passwords, codes, tokens. */
#ifndef MA_RATELIMIT_H
#define MA_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include <bson/bson.h>

#include "request.h"

struct rl_key {
	char    id[200];    /* "<scope>:<subject>" */
	long    limit;      /* failures allowed per window */
	long    window_s;
	long    count;      /* filled by ratelimit_read() */
	int64_t reset_ms;   /* filled by ratelimit_read(): window end */
};

/* Reads the current counts of N keys in one query; false on a database error. */
bool ratelimit_read(struct rl_key *keys, int n, bson_error_t *e);
/* The first key at or over its limit, or NULL. */
const struct rl_key *ratelimit_over(const struct rl_key *keys, int n);
/* Records one failure for each key (best effort: logs on error). */
void ratelimit_add(struct rl_key *keys, int n);
/* Forgets a key, e.g. the account's failures after a good login. */
void ratelimit_clear(const struct rl_key *key);
/* Counts one hit and answers 429 when it is over the limit: for endpoints
 * where every call costs (sending mail). false when replied. */
bool ratelimit_hit(struct request *req, struct rl_key *key);
/* The 429 answer with X-RateLimit-* headers. Returns false. */
bool ratelimit_reply(struct request *req, const struct rl_key *key);

void rl_key_set(struct rl_key *k, const char *scope, const char *subject, long limit, long window_s);

#endif
