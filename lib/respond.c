/* respond.c - builds and sends answers; see respond.h. */
#include "respond.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "log.h"
#include "route.h"
#include "utf8.h"

#define MESSAGE_MAX 1024        /* bytes of an error message we send */
#define ETAG_MAX    130

/* What an answer carries beyond struct response: the cache policy and the
 * streaming state. One request at a time per process; reset with the
 * answer (resp_reset, resp_send). */
static struct {
	long max_age;           /* < 0: no-store */
	bool shared;
	char etag[ETAG_MAX];
	bool streamed;          /* status, headers (and body) already written */
} extra = { .max_age = -1 };

static void
extra_reset(void)
{
	memset(&extra, 0, sizeof extra);
	extra.max_age = -1;
}

static const struct { int code; const char *text; } reasons[] = {
	{ 200, "OK" }, { 204, "No Content" }, { 302, "Found" }, { 304, "Not Modified" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
	{ 404, "Not Found" }, { 405, "Method Not Allowed" }, { 413, "Payload Too Large" },
	{ 415, "Unsupported Media Type" }, { 429, "Too Many Requests" },
	{ 500, "Internal Server Error" }, { 503, "Service Unavailable" },
};

static const char *
reason(int code)
{
	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (reasons[i].code == code)
			return reasons[i].text;
	return "Unknown";
}

void
resp_reset(struct request *req)
{
	free(req->resp.body);
	memset(&req->resp, 0, sizeof req->resp);
	req->resp.status = 200;
	extra_reset();
}

bool
replied(const struct request *req)
{
	return req->resp.done;
}

static void
set_body(struct request *req, int status, const char *ctype, const void *data, size_t len)
{
	if (req->resp.done)
		return;
	req->resp.done = true;
	req->resp.status = status;
	req->resp.content_type = ctype;
	req->resp.body = malloc(len + 1);
	if (req->resp.body == NULL) {
		req->resp.status = 500;
		req->resp.body_len = 0;
		return;
	}
	memcpy(req->resp.body, data, len);
	req->resp.body[len] = '\0';
	req->resp.body_len = len;
}

void
reply_json(struct request *req, int status, json_object *obj)
{
	const char *text;
	size_t len;

	if (obj == NULL)
		obj = json_object_new_object();
	text = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	set_body(req, status, "application/json", text, len);
	json_object_put(obj);
}

void
reply_ok(struct request *req, json_object *obj)
{
	if (obj == NULL)
		obj = json_object_new_object();
	json_object_object_add(obj, "success", json_object_new_boolean(1));
	reply_json(req, 200, obj);
}

/* O with every string (keys too) valid UTF-8; returns O or its
 * replacement (O consumed). */
static json_object *
utf8_json(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_string: {
		const char *v = json_object_get_string(o);
		size_t n = (size_t)json_object_get_string_len(o);
		if (utf8_valid(v, n) && memchr(v, '\0', n) == NULL)
			return o;
		char *fixed = utf8_sanitize(v, n);
		json_object_put(o);
		o = json_object_new_string(fixed ? fixed : "\xef\xbf\xbd");
		free(fixed);
		return o;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			json_object *v = json_object_get(json_object_array_get_idx(o, i));
			json_object_array_put_idx(o, i, utf8_json(v));
		}
		return o;
	case json_type_object: {
		json_object *out = json_object_new_object();
		json_object_object_foreach(o, key, val) {
			char *k = utf8_sanitize(key, strlen(key));
			json_object_object_add(out, k ? k : "\xef\xbf\xbd", utf8_json(json_object_get(val)));
			free(k);
		}
		json_object_put(o);
		return out;
	}
	default:
		return o;
	}
}

/* FMT's text, at most MESSAGE_MAX bytes cut between characters, valid
 * UTF-8 (new string, caller frees; NULL on OOM). */
static char * __attribute__((format(printf, 1, 0)))
message_text(const char *fmt, va_list ap)
{
	char *raw = NULL, *out;

	if (vasprintf(&raw, fmt, ap) < 0)
		return NULL;
	raw[utf8_prefix(raw, MESSAGE_MAX)] = '\0';
	out = utf8_sanitize(raw, strlen(raw));
	free(raw);
	return out;
}

/* /login's routes answer their refusals as Rocket.Chat's /login does: 401,
 * the code in "error" (no errorType), status and message beside it. */
static bool
login_shaped(const struct request *req, const struct err_info *e)
{
	return req->route && (req->route->flags & R_LOGIN_ERRORS) &&
	    e->status >= 400 && e->status <= 403;
}

static void __attribute__((format(printf, 4, 0)))
verror(struct request *req, enum err_kind kind, json_object *details, const char *fmt, va_list ap)
{
	const struct err_info *e = err_info(kind);
	json_object *o = json_object_new_object();
	char *text = fmt ? message_text(fmt, ap) : strdup(e->message), *full = NULL;
	const char *msg = text ? text : e->message;
	int status = e->status;

	json_object_object_add(o, "success", json_object_new_boolean(0));
	if (login_shaped(req, e)) {
		status = 401;
		json_object_object_add(o, "error", json_object_new_string(e->type ? e->type : e->message));
		json_object_object_add(o, "status", json_object_new_string("error"));
		if (details)
			json_object_object_add(o, "details", utf8_json(details));
		json_object_object_add(o, "message", json_object_new_string(msg));
	} else {
		if (kind == ERR_UNAUTHORIZED || kind == ERR_LOGIN_FAILED) {
			/* Rocket.Chat's 401 keeps status/message for older clients. */
			json_object_object_add(o, "error", json_object_new_string(msg));
			json_object_object_add(o, "status", json_object_new_string("error"));
			json_object_object_add(o, "message", json_object_new_string(msg));
		} else if (e->type) {
			if (asprintf(&full, "%s [%s]", msg, e->type) < 0)
				full = NULL;
			json_object_object_add(o, "error", json_object_new_string(full ? full : msg));
			json_object_object_add(o, "errorType", json_object_new_string(e->type));
		} else {
			json_object_object_add(o, "error", json_object_new_string(msg));
		}
		if (details)
			json_object_object_add(o, "details", utf8_json(details));
	}
	if (status >= 500)
		log_warn("%s %s -> %d %s", req->method, req->path ? req->path : "?", status, msg);
	reply_json(req, status, o);
	free(full);
	free(text);
}

void
reply_error(struct request *req, enum err_kind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(req, kind, NULL, fmt, ap);
	va_end(ap);
}

void
reply_error_ex(struct request *req, enum err_kind kind, json_object *details, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (req->resp.done)
		json_object_put(details);
	else
		verror(req, kind, details, fmt, ap);
	va_end(ap);
}

void
resp_header(struct request *req, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* Header injection is refused by construction, not by callers' care. */
	if (n < 0 || (size_t)n >= sizeof line || strpbrk(line, "\r\n") != NULL) {
		log_error("refused a header line with CR/LF or over %zu bytes", sizeof line);
		return;
	}
	if (req->resp.headers_len + (size_t)n + 2 >= sizeof req->resp.headers) {
		log_error("response headers full; dropped one");
		return;
	}
	memcpy(req->resp.headers + req->resp.headers_len, line, (size_t)n);
	memcpy(req->resp.headers + req->resp.headers_len + n, "\r\n", 2);
	req->resp.headers_len += (size_t)n + 2;
}

void
resp_cache(struct request *req, long max_age, bool shared)
{
	(void)req;
	extra.max_age = max_age;
	extra.shared = shared;
}

/* An entity-tag at P (RFC 9110 8.8.3: [W/] DQUOTE *etagc DQUOTE); its
 * opaque part (quotes included) in *OPAQUE and *OLEN; returns the byte after
 * it, NULL when malformed. */
static const char *
parse_etag(const char *p, const char **opaque, size_t *olen)
{
	const char *q;

	if (p[0] == 'W' && p[1] == '/')
		p += 2;
	if (*p != '"')
		return NULL;
	for (q = p + 1; *q && *q != '"'; q++)
		if ((unsigned char)*q < 0x21 || *q == 0x7f)
			return NULL;
	if (*q != '"')
		return NULL;
	*opaque = p;
	*olen = (size_t)(q + 1 - p);
	return q + 1;
}

static bool
etag_ok(const char *etag)
{
	const char *o;
	size_t n;
	const char *end = strlen(etag) < ETAG_MAX ? parse_etag(etag, &o, &n) : NULL;
	return end && *end == '\0';
}

bool
etag_match(const char *inm, const char *etag)
{
	const char *mine, *theirs, *p = inm;
	size_t mlen, tlen;

	if (inm == NULL || etag == NULL || parse_etag(etag, &mine, &mlen) == NULL)
		return false;
	p += strspn(p, " \t");
	if (*p == '*')
		return p[1 + strspn(p + 1, " \t")] == '\0';
	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			return false;
		if ((p = parse_etag(p, &theirs, &tlen)) == NULL)
			return false;
		if (tlen == mlen && memcmp(theirs, mine, mlen) == 0)
			return true;
		p += strspn(p, " \t");
		if (*p != ',' && *p != '\0')
			return false;
	}
}

/* Takes ETAG for this answer; true when the request's If-None-Match
 * matches it, so the answer is 304. */
static bool
take_etag(struct request *req, const char *etag)
{
	extra.etag[0] = '\0';
	if (etag == NULL)
		return false;
	if (!etag_ok(etag)) {
		log_error("refused a malformed ETag");
		return false;
	}
	snprintf(extra.etag, sizeof extra.etag, "%s", etag);
	return (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) &&
	    etag_match(req_header(req, "If-None-Match"), extra.etag);
}

static bool
is_text(const char *type)
{
	return strcmp(type, "application/json") == 0 || strncmp(type, "text/", 5) == 0;
}

/* Status line and headers; LENGTH < 0 sends no Content-Length. A 304 has
 * neither type nor length (RFC 9110 15.4.5). */
static void
write_head(struct request *req, int status, const char *type, long long length)
{
	char head[768];
	size_t n = 0;

#define ADD(...) (n += (size_t)snprintf(head + n, sizeof head - n, __VA_ARGS__))
	ADD("Status: %d %s\r\n", status, reason(status));
	if (status != 304) {
		ADD("Content-Type: %s%s\r\n", type, is_text(type) && !strchr(type, ';') ? "; charset=utf-8" : "");
		if (length >= 0)
			ADD("Content-Length: %lld\r\n", length);
	}
	if (extra.max_age < 0)
		ADD("Cache-Control: no-store\r\nPragma: no-cache\r\n");
	else
		ADD("Cache-Control: %s, max-age=%ld\r\n", extra.shared ? "public" : "private", extra.max_age);
	if (extra.etag[0])
		ADD("ETag: %s\r\n", extra.etag);
	ADD("X-Content-Type-Options: nosniff\r\n");
#undef ADD
	io_write(head, n < sizeof head ? n : sizeof head - 1);
	io_write(req->resp.headers, req->resp.headers_len);
	io_write("\r\n", 2);
}

void
reply_binary(struct request *req, const char *type, const void *data, size_t len,
    const char *etag, long max_age)
{
	if (req->resp.done)
		return;
	if (max_age >= 0)
		resp_cache(req, max_age, true);
	if (take_etag(req, etag)) {
		set_body(req, 304, type, "", 0);
		return;
	}
	set_body(req, 200, type, data, len);
}

bool
reply_stream_begin(struct request *req, int status, const char *type, long long length,
    const char *etag, long max_age)
{
	bool not_modified;

	if (req->resp.done)
		return false;
	if (max_age >= 0)
		resp_cache(req, max_age, true);
	not_modified = take_etag(req, etag);
	req->resp.done = true;
	req->resp.status = not_modified ? 304 : status;
	req->resp.content_type = type;
	extra.streamed = true;
	write_head(req, req->resp.status, type, length);
	return !not_modified && strcmp(req->method, "HEAD") != 0;
}

void
reply_stream_write(struct request *req, const void *data, size_t len)
{
	if (extra.streamed && req->resp.status != 304 && strcmp(req->method, "HEAD") != 0)
		io_write(data, len);
}

void
reply_stream_end(struct request *req)
{
	(void)req;
	/* Nothing is buffered here; resp_send() sees the stream and adds
	 * nothing, io_accept() finishes the answer. */
}

void
resp_send(struct request *req)
{
	if (!req->resp.done)
		reply_error(req, ERR_INTERNAL, NULL);
	if (!extra.streamed) {
		write_head(req, req->resp.status, req->resp.content_type,
		    req->resp.status == 304 ? -1 : (long long)req->resp.body_len);
		if (strcmp(req->method, "HEAD") != 0 && req->resp.status != 304)
			io_write(req->resp.body, req->resp.body_len);
	}
	extra_reset();
}
