/* smtp.c - see smtp.h. */
#include "smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "mail.h"

struct upload {
	const char *data;
	size_t left;
};

static size_t
read_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb < u->left ? size * nmemb : u->left;
	memcpy(buf, u->data, n);
	u->data += n;
	u->left -= n;
	return n;
}

bool
smtp_deliver(const char *to, const char *message, char *err, size_t errlen)
{
	static bool inited;
	char fromaddr[256], rcpt[300];
	struct upload u = { message, strlen(message) };
	struct curl_slist *rcpts = NULL;
	CURLcode rc;
	CURL *c;

	if (!inited) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		inited = true;
	}
	if (!mail_from_address(cfg.smtp_from, fromaddr, sizeof fromaddr)) {
		snprintf(err, errlen, "smtp_from is not a valid address");
		return false;
	}
	if (!mail_address_ok(to)) {
		snprintf(err, errlen, "not a valid recipient address");
		return false;
	}
	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "curl_easy_init failed");
		return false;
	}
	snprintf(rcpt, sizeof rcpt, "<%s>", to);
	rcpts = curl_slist_append(rcpts, rcpt);
	curl_easy_setopt(c, CURLOPT_URL, cfg.smtp_url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, fromaddr);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	/* Both bounded well inside MAIL_LEASE_MS, so a lease never runs out
	 * under a sender that is still talking. */
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 15L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* Use STARTTLS when offered; insist on it when credentials are sent. */
	curl_easy_setopt(c, CURLOPT_USE_SSL, *cfg.smtp_user ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	if (*cfg.smtp_user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg.smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, cfg.smtp_password);
	}
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
	curl_slist_free_all(rcpts);
	curl_easy_cleanup(c);
	return rc == CURLE_OK;
}
