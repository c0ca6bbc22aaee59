/* mail.c - see mail.h. */
#include "mail.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <time.h>

#include "config.h"
#include "crypto.h"
#include "json.h"
#include "log.h"
#include "store.h"

bool
mail_address_ok(const char *a)
{
	const char *at = strchr(a, '@');
	size_t n = strlen(a);

	if (n < 3 || n > 254 || at == NULL || at == a || at[1] == '\0' || strchr(at + 1, '@'))
		return false;
	for (const char *p = a; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || strchr("<>,;\"()\\[]:", *p))
			return false;
	return true;
}

/* The bare address of "Name <addr>" or "addr". */
static bool
from_address(const char *from, char *out, size_t n)
{
	const char *lt = strrchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt && (size_t)(gt - lt - 1) < n) {
		memcpy(out, lt + 1, (size_t)(gt - lt - 1));
		out[gt - lt - 1] = '\0';
	} else {
		snprintf(out, n, "%s", from);
	}
	return mail_address_ok(out);
}

static bool
has_crlf(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

/* RFC 2047 "=?UTF-8?B?...?=" for non-ASCII header text. */
static void
encode_header(const char *text, char *out, size_t n)
{
	bool ascii = true;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p >= 0x7f || *p < 0x20)
			ascii = false;
	if (ascii) {
		snprintf(out, n, "%s", text);
		return;
	}
	char b64[512];
	sodium_bin2base64(b64, sizeof b64, (const unsigned char *)text,
	    strlen(text) > 300 ? 300 : strlen(text), sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, n, "=?UTF-8?B?%s?=", b64);
}

char *
mail_build(const char *from, const char *to, const char *subject, const char *body)
{
	char date[64], subj[600], id[24], fromaddr[256];
	time_t now = time(NULL);
	struct tm tm;
	size_t cap, len;
	char *msg, *o;

	if (!mail_address_ok(to) || has_crlf(from) || has_crlf(subject) || strlen(from) > 300 ||
	    !from_address(from, fromaddr, sizeof fromaddr) || strlen(subject) > 300)
		return NULL;
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	encode_header(subject, subj, sizeof subj);
	random_id(id, 20);
	/* Headers are bounded by what was checked above; the body at most
	 * doubles when every line end becomes CRLF. */
	cap = strlen(from) + strlen(to) + strlen(subj) + strlen(body) * 2 + 1024;
	if ((msg = malloc(cap)) == NULL)
		return NULL;
	len = (size_t)snprintf(msg, cap,
	    "Date: %s\r\nFrom: %s\r\nTo: <%s>\r\nSubject: %s\r\nMessage-ID: <%s@%s>\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\n",
	    date, from, to, subj, id, strchr(fromaddr, '@') + 1);
	/* Body lines end in CRLF whatever the caller wrote; libcurl dot-stuffs. */
	o = msg + len;
	for (const char *p = body; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n')
			*o++ = '\r';
		*o++ = *p;
	}
	memcpy(o, "\r\n", 3);
	return msg;
}

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

/* One SMTP delivery; on failure ERR gets curl's reason (no message text). */
static bool
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
	if (!from_address(cfg.smtp_from, fromaddr, sizeof fromaddr)) {
		snprintf(err, errlen, "smtp_from is not a valid address");
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

/* Marks a queued message sent (and drops its text, which may hold a code)
 * or schedules the next try with exponential backoff. */
static void
record_attempt(const char *id, bool sent, int attempts, const char *why)
{
	bson_error_t e;
	int64_t now = now_ms();
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(id));
	bson_t *upd;

	if (sent) {
		upd = BCON_NEW("$set", "{", "state", BCON_UTF8("sent"), "sentAt", BCON_DATE_TIME(now),
		    "purgeAt", BCON_DATE_TIME(now + 7LL * 86400000), "}", "$unset", "{", "message", BCON_UTF8(""), "}");
	} else {
		int64_t wait = 60000LL << (attempts < 12 ? attempts : 12);
		if (wait > 6LL * 3600000)
			wait = 6LL * 3600000;
		bool give_up = attempts + 1 >= MAIL_MAX_ATTEMPTS;
		upd = BCON_NEW("$set", "{", "state", BCON_UTF8(give_up ? "failed" : "queued"),
		    "nextAttemptAt", BCON_DATE_TIME(now + wait), "lastError", BCON_UTF8(why), "}",
		    "$inc", "{", "attempts", BCON_INT32(1), "}");
	}
	if (!mongoc_collection_update_one(store_coll(COLL_MAIL), sel, upd, NULL, NULL, &e))
		store_log_error(LOG_WARN, "mail queue update", &e);
	bson_destroy(sel);
	bson_destroy(upd);
}

int
mail_send(const char *to, const char *subject, const char *body, int64_t expires_ms)
{
	char id[ID_LEN + 1], why[256];
	bson_error_t e;
	int64_t now = now_ms();
	char *msg = mail_build(cfg.smtp_from, to, subject, body);
	int rc;

	if (msg == NULL) {
		log_error("refused to build a mail: unsafe address or subject");
		return -1;
	}
	random_id(id, ID_LEN);
	bson_t *doc = BCON_NEW("_id", BCON_UTF8(id), "to", BCON_UTF8(to), "message", BCON_UTF8(msg),
	    "state", BCON_UTF8("queued"), "attempts", BCON_INT32(0), "createdAt", BCON_DATE_TIME(now),
	    "nextAttemptAt", BCON_DATE_TIME(now));
	if (expires_ms)
		BSON_APPEND_DATE_TIME(doc, "expiresAt", expires_ms);
	if (!mongoc_collection_insert_one(store_coll(COLL_MAIL), doc, NULL, NULL, &e)) {
		store_log_error(LOG_WARN, "mail queue insert", &e);
		rc = -1;
	} else if (smtp_deliver(to, msg, why, sizeof why)) {
		record_attempt(id, true, 0, NULL);
		rc = 1;
	} else {
		log_warn("mail %s queued, SMTP failed: %s", id, why);
		record_attempt(id, false, 0, why);
		rc = 0;
	}
	bson_destroy(doc);
	sodium_memzero(msg, strlen(msg));
	free(msg);
	return rc;
}

int
mail_run_queue(int max, int *failed)
{
	bson_error_t e;
	const bson_t *doc;
	int64_t now = now_ms();
	int sent = 0;

	*failed = 0;
	bson_t *filter = BCON_NEW("state", BCON_UTF8("queued"),
	    "nextAttemptAt", "{", "$lte", BCON_DATE_TIME(now), "}",
	    "$or", "[", "{", "expiresAt", BCON_NULL, "}", "{", "expiresAt", "{", "$gt", BCON_DATE_TIME(now), "}", "}", "]");
	bson_t *opts = BCON_NEW("sort", "{", "nextAttemptAt", BCON_INT32(1), "}", "limit", BCON_INT64(max));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_MAIL), filter, opts, NULL);
	while (mongoc_cursor_next(cur, &doc)) {
		const char *id = bson_get_str(doc, "_id"), *to = bson_get_str(doc, "to");
		const char *msg = bson_get_str(doc, "message");
		bson_iter_t it;
		int attempts = bson_iter_init_find(&it, doc, "attempts") ? (int)bson_iter_as_int64(&it) : 0;
		char why[256];
		if (id == NULL || to == NULL || msg == NULL)
			continue;
		if (smtp_deliver(to, msg, why, sizeof why)) {
			record_attempt(id, true, attempts, NULL);
			sent++;
		} else {
			record_attempt(id, false, attempts, why);
			(*failed)++;
		}
	}
	bool bad = mongoc_cursor_error(cur, &e);
	if (bad)
		store_log_error(LOG_ERROR, "mail queue", &e);
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	/* Stale one-time codes are dropped unsent. */
	bson_t *stale = BCON_NEW("state", BCON_UTF8("queued"), "expiresAt", "{", "$lte", BCON_DATE_TIME(now), "}");
	bson_t *drop = BCON_NEW("$set", "{", "state", BCON_UTF8("expired"), "}", "$unset", "{", "message", BCON_UTF8(""), "}");
	mongoc_collection_update_many(store_coll(COLL_MAIL), stale, drop, NULL, NULL, NULL);
	bson_destroy(stale);
	bson_destroy(drop);
	return bad ? -1 : sent;
}
