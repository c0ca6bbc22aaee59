/* fetch.h - one HTTP(S) GET of a URL a user gave (users.setAvatar's
 * avatarUrl), safe against server-side request forgery: http and https
 * only (redirects too), at most FETCH_MAX_REDIRECTS redirects, a byte limit
 * enforced while downloading, one time limit for all of it, no proxy from
 * the environment, no cookies, no decompression. Every address is judged
 * when curl is about to connect to it (lib/ipclass.h), so names that
 * resolve to the server's own networks, every spelling of an IPv4 literal
 * (2130706433, 0177.0.0.1, 0x7f.1, 127.1) and redirects are covered alike:
 * only public addresses, plus private ones (RFC 1918, CGNAT, unique-local)
 * when ALLOW_PRIVATE, plus the admin's listed networks. */
#ifndef MA_FETCH_H
#define MA_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "ipclass.h"

#define FETCH_MAX_REDIRECTS 3

struct fetch_limits {
	size_t      max_bytes;
	long        timeout_ms;
	bool        allow_private;
	const struct ip_nets *allow_nets;   /* may be NULL */
};

enum fetch_result {
	FETCH_OK,
	FETCH_BAD_URL,      /* not an absolute http(s) URL */
	FETCH_REFUSED,      /* every address of the server is one we do not contact */
	FETCH_NOT_OK,       /* the final answer was not 200 */
	FETCH_TOO_LARGE,    /* more than max_bytes */
	FETCH_FAILED,       /* resolving, connecting, TLS, timeout, a bad redirect */
};

struct fetched {
	char   *data;               /* owned (free()); NULL unless FETCH_OK */
	size_t  len;
	char    content_type[128];  /* as the server sent it, "" when none */
	long    status;             /* the last HTTP status */
	char    detail[160];        /* what went wrong, for logs (no URL) */
};

/* GETs URL within LIMITS into OUT (always initialised; free OUT->data). */
enum fetch_result fetch_url(const char *url, const struct fetch_limits *limits, struct fetched *out);

#endif
