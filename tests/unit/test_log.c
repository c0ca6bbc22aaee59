/* test_log.c - repeated log lines held back (lib/log.c) and database error
 * texts redacted before they are logged (store_redact in lib/store.c), on
 * messages as MongoDB and libmongoc really write them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "unit.h"

/* ---- repeat limit ---------------------------------------------------- */

static time_t fake_now = 1000000;
static time_t fake_clock(void) { return fake_now; }

static FILE *captured;
static int saved_stderr = -1;

/* Sends fd 2 to a temporary file until stop_capture(). */
static void
start_capture(void)
{
	captured = tmpfile();
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	dup2(fileno(captured), STDERR_FILENO);
}

/* What was written since start_capture(), as a malloc'd string. */
static char *
stop_capture(void)
{
	long n;
	char *text;

	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	n = ftell(captured);
	text = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
	rewind(captured);
	if (n > 0 && fread(text, 1, (size_t)n, captured) != (size_t)n)
		text[0] = '\0';
	fclose(captured);
	return text;
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static void
test_repeats(void)
{
	char *out;

	log_init("test_log", "info");
	log_set_clock(fake_clock);
	start_capture();
	for (int i = 0; i < 5; i++)
		log_warn("%s: database unavailable", "login");
	fake_now += LOG_REPEAT_SECONDS - 1;
	log_warn("%s: database unavailable", "login");      /* still inside the window */
	log_warn("another message");                        /* a different line goes out */
	log_error("%s: database unavailable", "login");     /* same text, other level */
	fake_now += 1;
	log_warn("login: database unavailable");            /* the window is over */
	log_warn("login: database unavailable");            /* and a new one began */
	out = stop_capture();
	CHECK(count(out, "warn: login: database unavailable\n") == 1, "the first copy is written plainly");
	CHECK(count(out, "warn: login: database unavailable (repeated 5 times)\n") == 1,
	    "after the window the line comes again with the count held back");
	CHECK(count(out, "login: database unavailable") == 3, "5 + 1 + 2 copies, 3 lines (one of them error)");
	CHECK(count(out, "error: login: database unavailable\n") == 1, "levels are counted apart");
	CHECK(count(out, "warn: another message\n") == 1, "other lines are not held back");
	CHECK(count(out, "\n") == 4, "four lines in all");
	free(out);

	/* More distinct lines than slots: the held-back count of the line
	 * that loses its slot is still told. */
	fake_now += 1000;
	start_capture();
	log_info("first");
	log_info("first");
	log_info("first");
	for (int i = 0; i < 20; i++) {
		fake_now++;
		log_info("line %d", i);
	}
	out = stop_capture();
	CHECK(count(out, "info: first (repeated 2 times)\n") == 1, "an evicted line's count is not lost");
	CHECK(count(out, "info: line 19\n") == 1, "new lines still go out");
	free(out);

	/* Below the threshold nothing is written or counted; newlines never split a line. */
	fake_now += 1000;
	start_capture();
	log_debug("not at info level");
	log_warn("two\nlines\r");
	out = stop_capture();
	CHECK(strstr(out, "not at info level") == NULL, "debug is below info");
	CHECK(count(out, "\n") == 1 && strstr(out, "two lines ") != NULL, "one event, one line");
	free(out);
	log_set_clock(NULL);
}

/* ---- redaction ------------------------------------------------------- */

static const char *
redacted(const char *message)
{
	static struct store_redacted r;
	bson_error_t e = { .domain = 12, .code = 11000 };
	snprintf(e.message, sizeof e.message, "%s", message);
	r = store_redact(&e);
	return r.text;
}

static void
test_redaction(void)
{
	static const struct { const char *in, *out, *why; } cases[] = {
		{ "E11000 duplicate key error collection: myaccount.tokens index: _id_ dup key: { _id: \"q1mZ4d3v+K/8x0bG2YlT5rWn9pHs7cJe6uAa4fDk3LQ=\" }",
		  "E11000 duplicate key error collection: myaccount.tokens index: _id_ dup key: { _id: ? }",
		  "MongoDB 4.2+ duplicate token hash" },
		{ "E11000 duplicate key error collection: myaccount.users index: emails.address_1 dup key: { emails.address: \"ann@example.org\" }",
		  "E11000 duplicate key error collection: myaccount.users index: emails.address_1 dup key: { emails.address: ? }",
		  "an email address in a dotted key" },
		{ "E11000 duplicate key error collection: myaccount.tokens index: userId_1_name_1 dup key: { userId: \"aB3dE5fG7hJ9kL2mN\", name: \"ci, \\\"prod\\\" }\" }",
		  "E11000 duplicate key error collection: myaccount.tokens index: userId_1_name_1 dup key: { userId: ?, name: ? }",
		  "a compound key, with a comma, escaped quotes and a brace inside the value" },
		{ "E11000 duplicate key error index: myaccount.tokens.$_id_  dup key: { : \"q1mZ4d3v+K/8x0bG2YlT5rWn9pHs7cJe6uAa4fDk3LQ=\" }",
		  "E11000 duplicate key error index: myaccount.tokens.$_id_  dup key: { : ? }",
		  "MongoDB 3.x (no key names)" },
		{ "Plan executor error during findAndModify :: caused by :: E11000 duplicate key error collection: myaccount.ratelimits index: _id_ dup key: { _id: \"login-ip:10.1.2.3\" }",
		  "Plan executor error during findAndModify :: caused by :: E11000 duplicate key error collection: myaccount.ratelimits index: _id_ dup key: { _id: ? }",
		  "findAndModify's wrapper" },
		{ "E11000 duplicate key error collection: db.c index: a_1 dup key: { a: { b: ObjectId('5f1e2d3c4b5a69788796a5b4'), c: 1 }, d: null }",
		  "E11000 duplicate key error collection: db.c index: a_1 dup key: { a: ?, d: ? }",
		  "nested documents and ObjectIds" },
		{ "Password \"min:s3cretPW\" must not have unescaped chars. Percent-encode username and password according to RFC 3986",
		  "Password \"?\" must not have unescaped chars. Percent-encode username and password according to RFC 3986",
		  "libmongoc quotes a bad URI's password" },
		{ "No suitable servers found (`serverSelectionTryOnce` set): [connection refused calling hello on '127.0.0.1:27017']",
		  "No suitable servers found (`serverSelectionTryOnce` set): [connection refused calling hello on '127.0.0.1:27017']",
		  "connection errors keep their (single-quoted) host" },
		{ "Failed to match token q1mZ4d3v-K_8x0bG2YlT5rWn9pHs7cJe6uAa4fDk3LQ for user",
		  "Failed to match token ? for user",
		  "an unquoted token-like run" },
		{ "Unterminated { _id: \"q1mZ4d3v",
		  "Unterminated { _id: ?",
		  "an unbalanced brace hides the rest" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = redacted(cases[i].in);
		CHECK(strcmp(got, cases[i].out) == 0, cases[i].why);
		if (strcmp(got, cases[i].out) != 0)
			fprintf(stderr, "  got:  %s\n  want: %s\n", got, cases[i].out);
	}

	/* store_log_error writes the codes and the redacted text only. */
	bson_error_t e = { .domain = 12, .code = 11000 };
	snprintf(e.message, sizeof e.message, "E11000 dup key: { _id: \"SECRETHASH1234567890abcdef=\" }");
	log_set_clock(fake_clock);
	start_capture();
	store_log_error(LOG_ERROR, "create session", &e);
	char *out = stop_capture();
	CHECK(strstr(out, "error: create session: database error (domain 12, code 11000): E11000 dup key: { _id: ? }\n") != NULL,
	    "store_log_error: domain, code, redacted message");
	CHECK(strstr(out, "SECRETHASH") == NULL, "no key value in the log");
	free(out);
	log_set_clock(NULL);
}

int
main(void)
{
	test_repeats();
	test_redaction();
	return unit_done();
}
