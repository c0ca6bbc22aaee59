/* loginguard.c - see loginguard.h. */
#include "loginguard.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "date.h"
#include "log.h"
#include "respond.h"
#include "signin.h"

#define NONCE_LEN 22    /* base64url of 16 random bytes */
#define MAC_LEN   43    /* base64url of HMAC-SHA-256 */

/* MAC of "<user id>\0<nonce>.<issued>" under the server key. */
static bool
cookie_mac(const char *user_id, const char *nonce, long long issued_s, char out[MAC_LEN + 1])
{
	char msg[256];
	unsigned char mac[32];
	int n = snprintf(msg, sizeof msg, "%s%c%s.%lld", user_id, '\0', nonce, issued_s);

	if (n < 0 || (size_t)n >= sizeof msg || !keyed_mac("device-cookie", msg, (size_t)n, mac))
		return false;
	sodium_bin2base64(out, MAC_LEN + 1, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return true;
}

bool
device_cookie_make(const char *user_id, long long issued_s, char out[DEVICE_COOKIE_MAX])
{
	unsigned char raw[16];
	char nonce[NONCE_LEN + 1], mac[MAC_LEN + 1];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(nonce, sizeof nonce, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (!cookie_mac(user_id, nonce, issued_s, mac))
		return false;
	snprintf(out, DEVICE_COOKIE_MAX, "%s.%lld.%s", nonce, issued_s, mac);
	return true;
}

bool
device_cookie_check(const char *value, const char *user_id, long long now_s, char nonce_out[NONCE_LEN + 1])
{
	char nonce[NONCE_LEN + 1], mac[MAC_LEN + 1];
	const char *dot1 = strchr(value, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	char *end;
	long long issued;

	if (dot2 == NULL || dot1 - value != NONCE_LEN || strlen(dot2 + 1) != MAC_LEN)
		return false;
	memcpy(nonce, value, NONCE_LEN);
	nonce[NONCE_LEN] = '\0';
	issued = strtoll(dot1 + 1, &end, 10);
	if (end != dot2 || dot2 == dot1 + 1 || issued > now_s + 60 ||
	    issued < now_s - (long long)DEVICE_COOKIE_DAYS * 86400)
		return false;
	if (!cookie_mac(user_id, nonce, issued, mac) || sodium_memcmp(mac, dot2 + 1, MAC_LEN) != 0)
		return false;
	memcpy(nonce_out, nonce, NONCE_LEN + 1);
	return true;
}

/* The account's key subject: its id, or for an unknown name or address
 * the text lower-cased (ASCII, as lookups compare), so every spelling of
 * one account counts alike. Owned by the caller; NULL when out of memory. */
static char *
account_subject(const char *user_id, const char *ident)
{
	const char *src = user_id ? user_id : ident;
	size_t n = strlen(src);
	char *s = malloc(n + 4);

	if (s == NULL)
		return NULL;
	memcpy(s, user_id ? "id:" : "nm:", 3);
	for (size_t i = 0; i <= n; i++)
		s[3 + i] = user_id || src[i] < 'A' || src[i] > 'Z' ? src[i] : (char)(src[i] + 32);
	return s;
}

/* The device this request comes from, when it proves one for USER_ID. */
static bool
trusted_device(const struct request *req, const char *user_id, char nonce[NONCE_LEN + 1])
{
	char value[DEVICE_COOKIE_MAX];
	return user_id && req_cookie(req, DEVICE_COOKIE, value, sizeof value) &&
	    device_cookie_check(value, user_id, now_ms() / 1000, nonce);
}

bool
loginguard_begin_or_reply(struct request *req, struct login_guard *g, const char *user_id, const char *ident)
{
	char nonce[NONCE_LEN + 1], source[96], *subject = NULL;
	bool ok = false;

	memset(g, 0, sizeof *g);
	snprintf(g->user_id, sizeof g->user_id, "%s", user_id ? user_id : "");
	g->trusted = trusted_device(req, user_id, nonce);
	if (g->trusted) {
		char dev[NONCE_LEN + 80];
		snprintf(dev, sizeof dev, "%s:%s", user_id, nonce);
		rl_key_backoff(&g->keys[g->n++], "login-device", dev, cfg.login_max_failures_per_user,
		    cfg.login_block_seconds, cfg.login_forget_seconds);
	} else {
		if ((subject = account_subject(user_id, ident)) == NULL) {
			reply_error(req, ERR_INTERNAL, NULL);
			return false;
		}
		rl_key_backoff(&g->keys[g->n++], "login-user", subject, cfg.login_max_failures_per_user,
		    cfg.login_block_seconds, cfg.login_forget_seconds);
		rl_source(req->ip, source, sizeof source);
		rl_key_backoff(&g->keys[g->n++], "login-ip", source, cfg.login_max_failures_per_ip,
		    cfg.login_block_seconds, cfg.login_forget_seconds);
	}
	for (int i = 0; i < g->n; i++) {
		enum rl_result r = rl_take(&g->keys[i]);
		if (r == RL_TAKEN)
			continue;
		loginguard_abandon(g);
		if (r == RL_REFUSED) {
			signin_failed(req, user_id, "blocked");
			reply_login_blocked(req, &g->keys[i]);
		}
		else
			reply_error(req, ERR_DB_UNAVAILABLE, NULL);
		goto out;
	}
	ok = true;
out:
	free(subject);
	return ok;
}

void
loginguard_failed(const struct request *req, struct login_guard *g)
{
	signin_failed(req, *g->user_id ? g->user_id : NULL, "password");
	for (int i = 0; i < g->n; i++)
		rl_failed(&g->keys[i]);
}

void
loginguard_passed(struct login_guard *g)
{
	for (int i = 0; i < g->n; i++)
		rl_release(&g->keys[i]);
	/* The device proved itself: its earlier typos are forgiven. The
	 * account's count is not, or an attacker's guesses would be. */
	if (g->trusted)
		rl_clear(&g->keys[0]);
}

void
loginguard_abandon(struct login_guard *g)
{
	for (int i = 0; i < g->n; i++)
		rl_release(&g->keys[i]);
}

void
loginguard_trust(struct request *req, const char *user_id)
{
	char value[DEVICE_COOKIE_MAX];
	const char *secure = strcmp(cfg.cookie_secure, "yes") == 0 ||
	    (strcmp(cfg.cookie_secure, "auto") == 0 && req->https) ? "; Secure" : "";

	if (!device_cookie_make(user_id, now_ms() / 1000, value))
		return;
	/* Sent only to the sign-in endpoint; scripts never see it. */
	resp_header(req, "Set-Cookie: %s=%s; Path=/api/v1/login; Max-Age=%ld; HttpOnly; SameSite=Strict%s",
	    DEVICE_COOKIE, value, (long)DEVICE_COOKIE_DAYS * 86400, secure);
}

/* Rocket.Chat's codes for a blocked sign-in, by what is blocked, with the
 * rate-limit headers; 401 in /login's shape (R_LOGIN_ERRORS). */
bool
reply_login_blocked(struct request *req, const struct rl_key *k)
{
	bool by_address = strncmp(k->id, "login-ip:", 9) == 0;
	long wait = ratelimit_headers(req, k);

	reply_error(req, by_address ? ERR_LOGIN_BLOCKED_IP : ERR_LOGIN_BLOCKED_USER,
	    "Too many failed sign-ins %s; try again in %ld seconds",
	    by_address ? "from this address" : "for this account", wait);
	return false;
}
