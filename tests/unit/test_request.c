/* test_request.c - what lib/request.c reads from the web server's
 * variables: the client address behind trusted proxies (X-Forwarded-For
 * walked from the right, over every value passed), Content-Length (digits
 * only, no overflow), and the body kinds a route takes. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "io.h"
#include "request.h"
#include "unit.h"

extern char **environ;

/* Runs req_begin() with exactly the variables VARS (NULL-terminated; a
 * name may repeat, as nginx passes a repeated header) and returns req.ip. */
static const char *
ip_with(char **vars, const char *trusted)
{
	static struct request req;
	char **saved = environ;

	cfg.trusted_proxies = (char *)trusted;
	environ = vars;
	req_begin(&req);
	environ = saved;
	static char ip[64];
	snprintf(ip, sizeof ip, "%s", req.ip);
	req_end(&req);
	return ip;
}

static void
test_client_ip(void)
{
	static const struct {
		const char *what, *trusted, *want;
		char *vars[5];
	} cases[] = {
		{ "no proxy configured: XFF ignored", "", "10.0.0.1",
		  { "REMOTE_ADDR=10.0.0.1", "HTTP_X_FORWARDED_FOR=1.2.3.4", NULL } },
		{ "peer not trusted: XFF ignored", "10.0.0.9", "10.0.0.1",
		  { "REMOTE_ADDR=10.0.0.1", "HTTP_X_FORWARDED_FOR=1.2.3.4", NULL } },
		{ "trusted peer: the hop it added", "10.0.0.1", "1.2.3.4",
		  { "REMOTE_ADDR=10.0.0.1", "HTTP_X_FORWARDED_FOR=1.2.3.4", NULL } },
		{ "client's own value left of the proxy's is ignored", "10.0.0.1", "1.2.3.4",
		  { "REMOTE_ADDR=10.0.0.1", "HTTP_X_FORWARDED_FOR=6.6.6.6, 1.2.3.4", NULL } },
		{ "proxy's own second line (nginx passes both variables)", "10.0.0.1", "1.2.3.4",
		  { "REMOTE_ADDR=10.0.0.1", "HTTP_X_FORWARDED_FOR=6.6.6.6", "HTTP_X_FORWARDED_FOR=1.2.3.4", NULL } },
		{ "two trusted proxies in a chain", "10.0.0.1,10.0.0.2", "1.2.3.4",
		  { "REMOTE_ADDR=10.0.0.1", "HTTP_X_FORWARDED_FOR=6.6.6.6,1.2.3.4 , 10.0.0.2", NULL } },
		{ "chain over two lines", "10.0.0.1, 10.0.0.2", "1.2.3.4",
		  { "REMOTE_ADDR=10.0.0.1", "HTTP_X_FORWARDED_FOR=6.6.6.6, 1.2.3.4", "HTTP_X_FORWARDED_FOR=10.0.0.2", NULL } },
		{ "IPv6 client", "::1", "2001:db8::7",
		  { "REMOTE_ADDR=::1", "HTTP_X_FORWARDED_FOR=2001:db8::7", NULL } },
		{ "garbage hop stops at the trusted one after it", "10.0.0.1,10.0.0.2", "10.0.0.2",
		  { "REMOTE_ADDR=10.0.0.1", "HTTP_X_FORWARDED_FOR=1.2.3.4, not-an-ip, 10.0.0.2", NULL } },
		{ "garbage nearest hop: the peer", "10.0.0.1", "10.0.0.1",
		  { "REMOTE_ADDR=10.0.0.1", "HTTP_X_FORWARDED_FOR=1.2.3.4, 1.2.3.5:80", NULL } },
		{ "empty hop: the peer", "10.0.0.1", "10.0.0.1",
		  { "REMOTE_ADDR=10.0.0.1", "HTTP_X_FORWARDED_FOR=1.2.3.4,", NULL } },
		{ "all hops trusted: the leftmost", "10.0.0.1,10.0.0.2", "10.0.0.2",
		  { "REMOTE_ADDR=10.0.0.1", "HTTP_X_FORWARDED_FOR=10.0.0.2", NULL } },
		{ "no XFF from a trusted peer: the peer", "10.0.0.1", "10.0.0.1",
		  { "REMOTE_ADDR=10.0.0.1", NULL } },
	};
	char what[256];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = ip_with((char **)cases[i].vars, cases[i].trusted);
		snprintf(what, sizeof what, "%s: got %s, want %s", cases[i].what, got, cases[i].want);
		CHECK(strcmp(got, cases[i].want) == 0, what);
	}
}

/* req_read_body() with CONTENT_LENGTH CL, CONTENT_TYPE CT and BODY on
 * stdin; returns the error kind, *OUT the body as plain JSON. */
static enum err_kind
read_with(const char *cl, const char *ct, const char *body, unsigned kinds, char *out, size_t outlen)
{
	struct request req;
	char path[] = "/tmp/ma-body-XXXXXX", msg[256];
	int fd = mkstemp(path);
	enum err_kind k;

	if (fd < 0 || write(fd, body, strlen(body)) != (ssize_t)strlen(body) ||
	    freopen(path, "r", stdin) == NULL)
		return ERR_INTERNAL;
	close(fd);
	unlink(path);
	memset(&req, 0, sizeof req);
	setenv("CONTENT_LENGTH", cl, 1);
	req.content_type = ct;
	k = req_read_body(&req, 64, kinds, NULL, msg, sizeof msg);
	snprintf(out, outlen, "%s", k == ERR_NONE ?
	    json_object_to_json_string_ext(req.body, JSON_C_TO_STRING_PLAIN) : msg);
	req_end(&req);
	return k;
}

static void
test_read_body(void)
{
	static const struct {
		const char *what, *cl, *ct, *body;
		unsigned kinds;
		enum err_kind want;
		const char *out;
	} cases[] = {
		{ "JSON", "7", "application/json", "{\"a\":1}", BODY_JSON, ERR_NONE, "{\"a\":1}" },
		{ "none: empty object", "", NULL, "", BODY_JSON, ERR_NONE, "{}" },
		{ "form where taken", "3", "application/x-www-form-urlencoded", "a=1", BODY_JSON | BODY_FORM, ERR_NONE, "{\"a\":\"1\"}" },
		{ "form where not taken", "3", "application/x-www-form-urlencoded", "a=1", BODY_JSON, ERR_UNSUPPORTED_TYPE,
		  "send the body as application/json" },
		{ "multipart where not taken", "3", "multipart/form-data; boundary=b", "a=1", BODY_JSON | BODY_FORM,
		  ERR_UNSUPPORTED_TYPE, "send the body as application/json or application/x-www-form-urlencoded" },
		{ "multipart text parts become fields", "55", "multipart/form-data; boundary=b",
		  "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b--", BODY_MULTIPART, ERR_NONE, "{\"a\":\"1\"}" },
		{ "sign", "+7", "application/json", "{\"a\":1}", BODY_JSON, ERR_BAD_REQUEST, NULL },
		{ "negative", "-1", "application/json", "", BODY_JSON, ERR_BAD_REQUEST, NULL },
		{ "trailing garbage", "7x", "application/json", "{\"a\":1}", BODY_JSON, ERR_BAD_REQUEST, NULL },
		{ "white space", " 7", "application/json", "{\"a\":1}", BODY_JSON, ERR_BAD_REQUEST, NULL },
		{ "over the limit", "65", "application/json", "{}", BODY_JSON, ERR_TOO_LARGE, "the body is 65 bytes; this endpoint takes at most 64" },
		{ "wraps 64 bits", "18446744073709551623", "application/json", "{\"a\":1}", BODY_JSON, ERR_TOO_LARGE,
		  "this endpoint takes at most 64 bytes" },
		{ "far past 64 bits", "999999999999999999999999999999", "application/json", "{}", BODY_JSON, ERR_TOO_LARGE, NULL },
		{ "shorter than announced", "9", "application/json", "{\"a\":1}", BODY_JSON, ERR_BAD_REQUEST,
		  "the body ended before Content-Length bytes" },
	};
	char out[256], what[512];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum err_kind k = read_with(cases[i].cl, cases[i].ct, cases[i].body, cases[i].kinds, out, sizeof out);
		snprintf(what, sizeof what, "Content-Length/kinds: %s: got %d (%s)", cases[i].what, (int)k, out);
		CHECK(k == cases[i].want && (cases[i].out == NULL || strcmp(out, cases[i].out) == 0), what);
	}
}

int
main(void)
{
	test_client_ip();
	/* libfcgi reads plain-CGI bodies from stdin once it has accepted the
	 * (only) request; stdin is a file, so it does not take it for FastCGI. */
	if (freopen("/dev/null", "r", stdin) == NULL || io_accept() != 0)
		return 1;
	test_read_body();
	return unit_done();
}
