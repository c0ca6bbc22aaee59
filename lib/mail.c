/* mail.c - see mail.h. No SMTP here (that is smtp.c): the programs that
 * link this never load libcurl. */
#include "mail.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bsonread.h"
#include "config.h"
#include "date.h"
#include "io.h"
#include "log.h"
#include "store.h"
#include "strbuf.h"
#include "utf8.h"

#ifndef BINDIR
#define BINDIR "/usr/local/bin"
#endif

#define MAX_PENDING 8

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

bool
mail_from_address(const char *from, char *out, size_t n)
{
	const char *lt = strrchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	if (lt && gt && (size_t)(gt - lt - 1) < n) {
		memcpy(out, lt + 1, (size_t)(gt - lt - 1));
		out[gt - lt - 1] = '\0';
	} else if (strlen(from) < n) {
		memcpy(out, from, strlen(from) + 1);
	} else {
		return false;
	}
	return mail_address_ok(out);
}

static bool
has_crlf(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

/* RFC 2047: ASCII subjects as they are; others as "=?UTF-8?B?...?="
 * words of at most 45 bytes of text each (75 characters encoded), cut on
 * character boundaries, folded onto continuation lines. */
static void
put_subject(struct strbuf *b, const char *text)
{
	size_t n = strlen(text), i = 0;
	bool ascii = true;

	for (size_t k = 0; k < n; k++)
		if ((unsigned char)text[k] >= 0x7f || (unsigned char)text[k] < 0x20)
			ascii = false;
	if (ascii) {
		strbuf_put(b, text, n);
		return;
	}
	while (i < n) {
		char b64[sodium_base64_ENCODED_LEN(45, sodium_base64_VARIANT_ORIGINAL)];
		size_t take = 0, k;
		while (i + take < n && (k = utf8_seq_len((const unsigned char *)text + i + take, n - i - take)) > 0 &&
		    take + k <= 45)
			take += k;
		if (take == 0)
			take = 1;       /* an invalid byte: sanitised before, so not reached */
		sodium_bin2base64(b64, sizeof b64, (const unsigned char *)text + i, take,
		    sodium_base64_VARIANT_ORIGINAL);
		if (i > 0)
			strbuf_puts(b, "\r\n ");
		strbuf_puts(b, "=?UTF-8?B?");
		strbuf_puts(b, b64);
		strbuf_puts(b, "?=");
		i += take;
	}
}

/* TEXT with CRLF line ends; false when a line is longer than RFC 5322's
 * 998 bytes (8bit cannot carry it). */
static bool
put_lines(struct strbuf *b, const char *text)
{
	size_t line = 0;

	for (const char *p = text; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			strbuf_put(b, "\r\n", 2);
			line = 0;
			continue;
		}
		if (++line > 998)
			return false;
		strbuf_put(b, p, 1);
	}
	strbuf_put(b, "\r\n", 2);
	return true;
}

static void
put_base64(struct strbuf *b, const char *data)
{
	size_t n = strlen(data);

	for (size_t i = 0; i < n; i += 57) {    /* 57 bytes: 76-character lines */
		char line[sodium_base64_ENCODED_LEN(57, sodium_base64_VARIANT_ORIGINAL)];
		sodium_bin2base64(line, sizeof line, (const unsigned char *)data + i, n - i < 57 ? n - i : 57,
		    sodium_base64_VARIANT_ORIGINAL);
		strbuf_puts(b, line);
		strbuf_put(b, "\r\n", 2);
	}
}

char *
mail_build(const char *from, const char *to, const struct mail_content *c)
{
	char date[64], id[24], fromaddr[256], boundary[40], head[1024];
	char *subject = NULL, *text = NULL, *html = NULL;
	time_t now = time(NULL);
	struct strbuf b = STRBUF_INIT;
	struct tm tm;
	bool ok = false;

	if (!mail_address_ok(to) || has_crlf(from) || strlen(from) > 300 ||
	    !mail_from_address(from, fromaddr, sizeof fromaddr) || strlen(c->subject) > 300)
		goto out;
	subject = utf8_sanitize(c->subject, strlen(c->subject));
	text = utf8_sanitize(c->text, strlen(c->text));
	html = utf8_sanitize(c->html, strlen(c->html));
	if (subject == NULL || text == NULL || html == NULL || has_crlf(subject))
		goto out;
	/* A boundary that occurs in the text would end the part early. */
	do {
		char r[21];
		random_id(r, 20);
		snprintf(boundary, sizeof boundary, "=_%s", r);
	} while (strstr(text, boundary));
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	random_id(id, 20);
	snprintf(head, sizeof head, "Date: %s\r\nFrom: %s\r\nTo: <%s>\r\nSubject: ", date, from, to);
	strbuf_puts(&b, head);
	put_subject(&b, subject);
	snprintf(head, sizeof head, "\r\nMessage-ID: <%s@%s>\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/alternative; boundary=\"%s\"\r\n"
	    "Auto-Submitted: auto-generated\r\n\r\n"
	    "This is a message in MIME format.\r\n\r\n"
	    "--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
	    id, strchr(fromaddr, '@') + 1, boundary, boundary);
	strbuf_puts(&b, head);
	if (!put_lines(&b, text)) {
		log_error("refused to build a mail: a text line over 998 bytes");
		goto out;
	}
	snprintf(head, sizeof head, "--%s\r\nContent-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
	strbuf_puts(&b, head);
	put_base64(&b, html);
	snprintf(head, sizeof head, "--%s--\r\n", boundary);
	strbuf_puts(&b, head);
	ok = !b.failed;
out:
	if (text)
		sodium_memzero(text, strlen(text));
	if (html)
		sodium_memzero(html, strlen(html));
	free(subject);
	free(text);
	free(html);
	if (!ok && b.buf) {
		sodium_memzero(b.buf, b.len);
		free(b.buf);
		b.buf = NULL;
	}
	return b.buf;
}

/* Ids this process queued and has not handed to a sender yet. */
static char pending[MAX_PENDING][ID_LEN + 1];
static size_t npending;

bool
mail_pending_take(char id[ID_LEN + 1])
{
	if (npending == 0)
		return false;
	memcpy(id, pending[--npending], ID_LEN + 1);
	return true;
}

/* Runs once the answer is out (io_after_answer): the request that queued
 * mail has not waited for any of it. */
static void
kick_pending(void *arg)
{
	(void)arg;
	if (npending > 0 && !mail_kick(pending, npending))
		log_warn("mail: the sender did not start; run-queue will send %zu queued item(s)", npending);
	npending = 0;
}

static void
remember(const char *id)
{
	if (npending == MAX_PENDING)
		return;                 /* the cron worker sends the rest */
	memcpy(pending[npending++], id, ID_LEN + 1);
	io_after_answer(kick_pending, NULL);
}

/* Inserts DOC (consumed) as a new queue item with id ID. */
static enum mail_result
insert(bson_t *doc, const char *id)
{
	bson_error_t e;
	enum mail_result r = MAIL_QUEUED;

	if (!mongoc_collection_insert_one(store_coll(COLL_MAIL), doc, NULL, NULL, &e)) {
		log_warn("mail queue insert failed (database error %u.%u)", e.domain, e.code);
		r = MAIL_ERR_DB;
	} else {
		remember(id);
	}
	bson_destroy(doc);
	return r;
}

enum mail_result
mail_send(const char *to, const char *user_id, const struct mail_content *c, int64_t expires_ms)
{
	char id[ID_LEN + 1];
	int64_t now = now_ms();
	char *msg = mail_build(cfg.smtp_from, to, c);
	bson_t *doc;
	enum mail_result r;

	if (msg == NULL) {
		log_error("refused to build a mail: unsafe recipient, subject or smtp_from");
		return MAIL_ERR_BUILD;
	}
	random_id(id, ID_LEN);
	doc = BCON_NEW("_id", BCON_UTF8(id), "kind", BCON_UTF8(MAIL_ITEM_MESSAGE), "to", BCON_UTF8(to),
	    "message", BCON_UTF8(msg), "state", BCON_UTF8("queued"), "attempts", BCON_INT32(0),
	    "createdAt", BCON_DATE_TIME(now), "nextAttemptAt", BCON_DATE_TIME(now),
	    "purgeAt", BCON_DATE_TIME(expires_ms ? expires_ms : now + MAIL_STALE_MS));
	if (expires_ms)
		BSON_APPEND_DATE_TIME(doc, "expiresAt", expires_ms);
	if (user_id)
		BSON_APPEND_UTF8(doc, "userId", user_id);
	r = insert(doc, id);
	sodium_memzero(msg, strlen(msg));
	free(msg);
	return r;
}

enum mail_result
mail_queue_code_request(const char *who, const char *user_id, const char *purpose)
{
	char id[ID_LEN + 1];
	int64_t now = now_ms(), stale = now + 3600 * 1000;   /* a code asked for an hour ago is moot */

	random_id(id, ID_LEN);
	bson_t *doc = BCON_NEW("_id", BCON_UTF8(id), "kind", BCON_UTF8(MAIL_ITEM_CODE_REQUEST),
	    "purpose", BCON_UTF8(purpose), "state", BCON_UTF8("queued"), "attempts", BCON_INT32(0),
	    "createdAt", BCON_DATE_TIME(now), "nextAttemptAt", BCON_DATE_TIME(now),
	    "expiresAt", BCON_DATE_TIME(stale), "purgeAt", BCON_DATE_TIME(stale));
	BSON_APPEND_UTF8(doc, user_id ? "userId" : "who", user_id ? user_id : who);
	return insert(doc, id);
}

/* The sender's program: the configured one, else the installed admin tool. */
static const char *
sender_path(void)
{
	return *cfg.mail_sender ? cfg.mail_sender : BINDIR "/myaccount-admin";
}

bool
mail_kick(char ids[][ID_LEN + 1], size_t n)
{
	char *argv[MAX_PENDING + 3], confvar[4200], *envp[4];
	const char *conf = io_process_getenv("MYACCOUNT_CONFIG");
	size_t a = 0, e = 0;
	long maxfd = sysconf(_SC_OPEN_MAX);
	int status = 0;
	pid_t pid;

	if (n > MAX_PENDING)
		n = MAX_PENDING;
	/* Everything the child needs is made before fork: after it, only
	 * async-signal-safe calls (libmongoc may run threads). */
	argv[a++] = (char *)"myaccount-admin";
	argv[a++] = (char *)"send-mail";
	for (size_t i = 0; i < n; i++)
		argv[a++] = ids[i];
	argv[a] = NULL;
	envp[e++] = (char *)"PATH=/usr/local/bin:/usr/bin:/bin";
	if (conf && *conf && snprintf(confvar, sizeof confvar, "MYACCOUNT_CONFIG=%s", conf) < (int)sizeof confvar)
		envp[e++] = confvar;
	envp[e] = NULL;
	const char *path = sender_path();
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		return false;
	/* stderr stays the log, except a plain CGI's pipe or socket: the web
	 * server may wait for every writer of it to close before it ends the
	 * answer (fcgiwrap does), which would make the request wait for SMTP
	 * after all. The queue's lastError and run-queue still tell. */
	struct stat st;
	bool keep_stderr = !io_is_cgi() || (fstat(2, &st) == 0 && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode));
	if ((pid = fork()) < 0) {
		close(devnull);
		return false;
	}
	if (pid == 0) {
		/* Double fork: the sender is nobody's child here (no zombie, no
		 * SIGCHLD), in its own session, away from the web server's
		 * descriptors (under FastCGI fd 0 is the listening socket). */
		if (setsid() < 0)
			_exit(1);
		if ((pid = fork()) != 0)
			_exit(pid < 0);
		if (dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || (!keep_stderr && dup2(devnull, 2) < 0))
			_exit(1);
		if (close_range(3, ~0U, 0) != 0)       /* kernels before 5.9 */
			for (long fd = 3; fd < (maxfd > 0 && maxfd < 65536 ? maxfd : 65536); fd++)
				close((int)fd);
		execve(path, argv, envp);
		_exit(127);
	}
	close(devnull);
	/* The middle child exits at once; ECHILD (SIGCHLD ignored by whoever
	 * spawned us) leaves no zombie to reap either. */
	pid_t w;
	while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	return w < 0 || (WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

bson_t *
mail_claim(const char *id, char claim[ID_LEN + 1], bool *db_error)
{
	bson_error_t e;
	bson_t reply, *out = NULL;
	bson_iter_t it;
	int64_t now = now_ms();

	*db_error = false;
	random_id(claim, ID_LEN);
	bson_t *query = BCON_NEW("$or", "[",
	    "{", "state", BCON_UTF8("queued"), "nextAttemptAt", "{", "$lte", BCON_DATE_TIME(now), "}", "}",
	    "{", "state", BCON_UTF8("sending"), "leaseUntil", "{", "$lte", BCON_DATE_TIME(now), "}", "}", "]");
	if (id)
		BSON_APPEND_UTF8(query, "_id", id);
	bson_t *sort = BCON_NEW("nextAttemptAt", BCON_INT32(1));
	bson_t *update = BCON_NEW("$set", "{", "state", BCON_UTF8("sending"),
	    "leaseUntil", BCON_DATE_TIME(now + MAIL_LEASE_MS), "claim", BCON_UTF8(claim), "}",
	    "$inc", "{", "attempts", BCON_INT32(1), "}");
	if (!mongoc_collection_find_and_modify(store_coll(COLL_MAIL), query, sort, update, NULL,
	    false, false, true, &reply, &e)) {
		log_warn("mail queue claim failed (database error %u.%u)", e.domain, e.code);
		*db_error = true;
	} else if (bson_iter_init_find(&it, &reply, "value") && BSON_ITER_HOLDS_DOCUMENT(&it)) {
		const uint8_t *data;
		uint32_t len;
		bson_iter_document(&it, &len, &data);
		out = bson_new_from_data(data, len);
	}
	bson_destroy(&reply);
	bson_destroy(update);
	bson_destroy(sort);
	bson_destroy(query);
	return out;
}

void
mail_finish(const bson_t *doc, const char *claim, enum mail_outcome outcome, const char *why)
{
	static const char *const final_state[] = {
		[MAIL_DONE] = "sent", [MAIL_RETRY] = "failed", [MAIL_EXPIRED] = "expired",
	};
	const char *id = bson_get_str(doc, "_id");
	bson_iter_t it;
	int attempts = bson_iter_init_find(&it, doc, "attempts") ? (int)bson_iter_as_int64(&it) : 1;
	int64_t now = now_ms();
	bson_error_t e;
	bson_t *upd;

	if (id == NULL)
		return;
	if (outcome == MAIL_RETRY && attempts < MAIL_MAX_ATTEMPTS) {
		int64_t wait = 60000LL << (attempts - 1 < 12 ? (attempts > 0 ? attempts - 1 : 0) : 12);
		if (wait > 6LL * 3600000)
			wait = 6LL * 3600000;
		upd = BCON_NEW("$set", "{", "state", BCON_UTF8("queued"), "nextAttemptAt", BCON_DATE_TIME(now + wait),
		    "lastError", BCON_UTF8(why ? why : "?"), "}",
		    "$unset", "{", "leaseUntil", BCON_UTF8(""), "claim", BCON_UTF8(""), "}");
	} else {
		/* Done or given up: nothing worth a code stays behind. */
		bson_t set;
		upd = bson_new();
		BSON_APPEND_DOCUMENT_BEGIN(upd, "$set", &set);
		BSON_APPEND_UTF8(&set, "state", final_state[outcome]);
		BSON_APPEND_DATE_TIME(&set, "finishedAt", now);
		BSON_APPEND_DATE_TIME(&set, "purgeAt", now + MAIL_KEEP_MS);
		if (why)
			BSON_APPEND_UTF8(&set, "lastError", why);
		bson_append_document_end(upd, &set);
		BCON_APPEND(upd, "$unset", "{", "message", BCON_UTF8(""), "who", BCON_UTF8(""),
		    "leaseUntil", BCON_UTF8(""), "claim", BCON_UTF8(""), "}");
	}
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(id), "claim", BCON_UTF8(claim));
	if (!mongoc_collection_update_one(store_coll(COLL_MAIL), sel, upd, NULL, NULL, &e))
		log_warn("mail queue update failed (database error %u.%u)", e.domain, e.code);
	bson_destroy(sel);
	bson_destroy(upd);
}

int64_t
mail_purge(void)
{
	bson_error_t e;
	bson_t reply;
	bson_iter_t it;
	int64_t n = -1;
	bson_t *sel = BCON_NEW("purgeAt", "{", "$lte", BCON_DATE_TIME(now_ms()), "}");

	if (mongoc_collection_delete_many(store_coll(COLL_MAIL), sel, NULL, &reply, &e))
		n = bson_iter_init_find(&it, &reply, "deletedCount") ? bson_iter_as_int64(&it) : 0;
	else
		log_warn("mail queue purge failed (database error %u.%u)", e.domain, e.code);
	bson_destroy(&reply);
	bson_destroy(sel);
	return n;
}
