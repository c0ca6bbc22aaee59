/* test_respond.c - the response writer, byte for byte: runs reply_*() and
 * resp_send() with stdout on a file (as under plain CGI) and checks what
 * went out: no-store by default; binary bodies with their type, ETag and
 * max-age; 304 on If-None-Match (RFC 9110 weak comparison, lists, "*");
 * HEAD without a body; the streaming writer; error texts made valid UTF-8. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "request.h"
#include "respond.h"
#include "utf8.h"
#include "unit.h"

static char out[4 << 20];
static size_t out_len;
static FILE *capture;
static int saved_stdout;

static void
begin(struct request *req, const char *method, const char *if_none_match)
{
	memset(req, 0, sizeof *req);
	req->method = method;
	req->path = (char *)"/test";
	req->resp.status = 200;
	if (if_none_match)
		setenv("HTTP_IF_NONE_MATCH", if_none_match, 1);
	else
		unsetenv("HTTP_IF_NONE_MATCH");
	fflush(stdout);
	capture = tmpfile();
	saved_stdout = dup(1);
	dup2(fileno(capture), 1);
}

/* Sends the answer and reads back what was written. */
static const char *
finish(struct request *req)
{
	resp_send(req);
	fflush(stdout);
	dup2(saved_stdout, 1);
	close(saved_stdout);
	rewind(capture);
	out_len = fread(out, 1, sizeof out - 1, capture);
	out[out_len] = '\0';
	fclose(capture);
	free(req->resp.body);
	req->resp.body = NULL;
	return out;
}

static const char *
body_of(void)
{
	const char *b = strstr(out, "\r\n\r\n");
	return b ? b + 4 : NULL;
}

static bool
has(const char *line)
{
	const char *end = strstr(out, "\r\n\r\n");
	const char *at = strstr(out, line);
	return at && end && at < end;
}

static const struct { const char *inm, *etag; bool match; } etags[] = {
	{ "\"v1\"", "\"v1\"", true },
	{ "W/\"v1\"", "\"v1\"", true },             /* weak comparison */
	{ "\"v1\"", "W/\"v1\"", true },
	{ "\"a\", \"v1\"", "\"v1\"", true },        /* a list */
	{ "\"a\",W/\"v1\" ", "\"v1\"", true },
	{ "*", "\"v1\"", true },
	{ " * ", "\"v1\"", true },
	{ "\"v2\"", "\"v1\"", false },
	{ "v1", "\"v1\"", false },                  /* not quoted: malformed */
	{ "\"v1", "\"v1\"", false },
	{ "\"a\" \"v1\"", "\"v1\"", false },        /* no comma */
	{ "*, \"v1\"", "\"v1\"", false },           /* "*" stands alone */
	{ "\"V1\"", "\"v1\"", false },              /* case matters */
	{ "", "\"v1\"", false },
	{ NULL, "\"v1\"", false },
};

int
main(void)
{
	struct request req;
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', 0, 1, 2, 0, 0xff };

	/* As a plain CGI: libfcgi's stdout is the process's. */
	CHECK(io_accept() == 0, "CGI request accepted");
	for (size_t i = 0; i < sizeof etags / sizeof etags[0]; i++)
		CHECK(etag_match(etags[i].inm, etags[i].etag) == etags[i].match, etags[i].inm ? etags[i].inm : "(none)");

	/* JSON: the API's default policy. */
	begin(&req, "GET", NULL);
	reply_ok(&req, NULL);
	finish(&req);
	CHECK(strncmp(out, "Status: 200 OK\r\n", 16) == 0, "status line");
	CHECK(has("\r\nContent-Type: application/json; charset=utf-8\r\n"), "JSON type");
	CHECK(has("\r\nCache-Control: no-store\r\nPragma: no-cache\r\n"), "no-store by default");
	CHECK(!has("ETag:"), "no ETag by default");

	/* A binary body: its own type, exact bytes (NULs too), ETag, max-age. */
	begin(&req, "GET", NULL);
	reply_binary(&req, "image/png", png, sizeof png, "\"v1\"", 3600);
	finish(&req);
	CHECK(has("\r\nContent-Type: image/png\r\n"), "binary type, no charset");
	CHECK(has("\r\nContent-Length: 9\r\n"), "binary length");
	CHECK(has("\r\nETag: \"v1\"\r\n"), "ETag sent");
	CHECK(has("\r\nCache-Control: public, max-age=3600\r\n") && !has("no-store") && !has("Pragma"), "max-age");
	CHECK(body_of() && out_len - (size_t)(body_of() - out) == sizeof png &&
	    memcmp(body_of(), png, sizeof png) == 0, "body bytes exact");

	/* If-None-Match that matches: 304, headers kept, no body. */
	static const char *const hits[] = { "\"v1\"", "W/\"v1\"", "\"x\", \"v1\"", "*" };
	for (size_t i = 0; i < sizeof hits / sizeof hits[0]; i++) {
		begin(&req, "GET", hits[i]);
		reply_binary(&req, "image/png", png, sizeof png, "\"v1\"", 3600);
		finish(&req);
		CHECK(strncmp(out, "Status: 304 Not Modified\r\n", 26) == 0, hits[i]);
		CHECK(has("\r\nETag: \"v1\"\r\n") && has("max-age=3600"), "304 keeps ETag and Cache-Control");
		CHECK(!has("\r\nContent-Length:") && !has("\r\nContent-Type:"), "304 has no length or type");
		CHECK(body_of() && *body_of() == '\0', "304 has no body");
	}
	begin(&req, "GET", "\"v2\"");
	reply_binary(&req, "image/png", png, sizeof png, "\"v1\"", 3600);
	finish(&req);
	CHECK(strncmp(out, "Status: 200 OK\r\n", 16) == 0, "another ETag: 200");
	begin(&req, "POST", "\"v1\"");
	reply_binary(&req, "image/png", png, sizeof png, "\"v1\"", 3600);
	finish(&req);
	CHECK(strncmp(out, "Status: 200 OK\r\n", 16) == 0, "only GET and HEAD get 304");
	begin(&req, "GET", NULL);
	reply_binary(&req, "image/png", png, sizeof png, "bad\r\netag", 60);
	finish(&req);
	CHECK(!has("ETag") && !has("bad"), "a malformed ETag is refused");

	/* HEAD: the same headers and length, no body. */
	begin(&req, "HEAD", NULL);
	reply_binary(&req, "image/png", png, sizeof png, "\"v1\"", 3600);
	finish(&req);
	CHECK(has("\r\nContent-Length: 9\r\n") && body_of() && *body_of() == '\0', "HEAD: length, no body");

	/* Streaming: headers at once, chunks as written, nothing added later. */
	static char chunk[256 * 1024];
	for (size_t i = 0; i < sizeof chunk; i++)
		chunk[i] = (char)('a' + i % 26);
	begin(&req, "GET", NULL);
	CHECK(reply_stream_begin(&req, 200, "application/octet-stream", -1, "\"big\"", 60), "stream: body wanted");
	for (int i = 0; i < 8; i++)
		reply_stream_write(&req, chunk, sizeof chunk);
	reply_stream_end(&req);
	reply_ok(&req, NULL);                   /* ignored: already answered */
	finish(&req);
	CHECK(has("\r\nContent-Type: application/octet-stream\r\n") && !has("Content-Length"), "stream: unknown length");
	CHECK(has("\r\nETag: \"big\"\r\n"), "stream: ETag");
	CHECK(body_of() && out_len - (size_t)(body_of() - out) == 8 * sizeof chunk, "stream: every byte, once");
	CHECK(body_of() && memcmp(body_of() + 7 * sizeof chunk, chunk, sizeof chunk) == 0, "stream: bytes in order");
	CHECK(strstr(out, "success") == NULL, "nothing after the stream");

	begin(&req, "GET", "W/\"big\"");
	CHECK(!reply_stream_begin(&req, 200, "application/octet-stream", 10, "\"big\"", 60), "stream 304: no body");
	reply_stream_write(&req, chunk, 10);
	reply_stream_end(&req);
	finish(&req);
	CHECK(strncmp(out, "Status: 304", 11) == 0 && body_of() && *body_of() == '\0', "stream 304");
	begin(&req, "HEAD", NULL);
	CHECK(!reply_stream_begin(&req, 200, "text/csv", 10, NULL, -1), "stream HEAD: no body");
	reply_stream_write(&req, chunk, 10);
	reply_stream_end(&req);
	finish(&req);
	CHECK(has("\r\nContent-Length: 10\r\n") && has("text/csv; charset=utf-8") && has("no-store"), "stream HEAD headers");
	CHECK(body_of() && *body_of() == '\0', "stream HEAD: nothing written");

	/* The policy is per answer: the next one is no-store again. */
	begin(&req, "GET", NULL);
	reply_ok(&req, NULL);
	finish(&req);
	CHECK(has("Cache-Control: no-store"), "policy reset after an answer");
	begin(&req, "GET", NULL);
	resp_cache(&req, 300, false);
	reply_ok(&req, NULL);
	finish(&req);
	CHECK(has("\r\nCache-Control: private, max-age=300\r\n"), "a route's private policy on JSON");

	/* Every error string we send is valid UTF-8: invalid bytes become
	 * U+FFFD, a long message is cut between characters. */
	begin(&req, "POST", NULL);
	json_object *details = json_object_new_object();
	json_object_object_add(details, "field", json_object_new_string("na\xffme\xc3"));
	json_object_object_add(details, "k\xe2\x82", json_object_new_string("ok"));
	reply_error_ex(&req, ERR_INVALID_PARAMS, details, "unknown field '%s'", "ab\xc3\x28z");
	finish(&req);
	const char *b = body_of();
	CHECK(b && utf8_valid(b, strlen(b)), "error body is valid UTF-8");
	CHECK(b && strstr(b, "ab\xef\xbf\xbd(z"), "invalid byte in the message: U+FFFD");
	CHECK(b && strstr(b, "na\xef\xbf\xbdme\xef\xbf\xbd"), "invalid bytes in details: U+FFFD");
	CHECK(b && strstr(b, "\"k\xef\xbf\xbd"), "invalid key in details: U+FFFD");
	json_object *parsed = b ? json_tokener_parse(b) : NULL;
	CHECK(parsed != NULL, "error body is JSON");
	json_object_put(parsed);

	char longmsg[3001] = "";
	for (int i = 0; i < 1000; i++)
		strcat(longmsg, "\xe2\x82\xac");        /* 1000 euro signs, 3000 bytes */
	begin(&req, "POST", NULL);
	reply_error(&req, ERR_INVALID_PARAMS, "%s", longmsg);
	finish(&req);
	b = body_of();
	parsed = b ? json_tokener_parse(b) : NULL;
	json_object *err = NULL;
	const char *text = parsed && json_object_object_get_ex(parsed, "error", &err) ? json_object_get_string(err) : "";
	CHECK(utf8_valid(text, strlen(text)) && strstr(text, "\xef\xbf\xbd") == NULL, "long message cut between characters");
	CHECK(strlen(text) < 1100 && strlen(text) > 1000, "long message bounded");
	json_object_put(parsed);
	return unit_done();
}
