/* respond.c - builds and sends answers; see respond.h. */
#include "respond.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "log.h"
#include "route.h"

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
	char text[1024], full[1100];
	int status = e->status;

	if (fmt)
		vsnprintf(text, sizeof text, fmt, ap);
	else
		snprintf(text, sizeof text, "%s", e->message);
	json_object_object_add(o, "success", json_object_new_boolean(0));
	if (login_shaped(req, e)) {
		status = 401;
		json_object_object_add(o, "error", json_object_new_string(e->type ? e->type : e->message));
		json_object_object_add(o, "status", json_object_new_string("error"));
		if (details)
			json_object_object_add(o, "details", details);
		json_object_object_add(o, "message", json_object_new_string(text));
		reply_json(req, status, o);
		return;
	}
	if (kind == ERR_UNAUTHORIZED || kind == ERR_LOGIN_FAILED) {
		/* Rocket.Chat's 401 keeps status/message for older clients. */
		json_object_object_add(o, "error", json_object_new_string(text));
		json_object_object_add(o, "status", json_object_new_string("error"));
		json_object_object_add(o, "message", json_object_new_string(text));
	} else if (e->type) {
		snprintf(full, sizeof full, "%s [%s]", text, e->type);
		json_object_object_add(o, "error", json_object_new_string(full));
		json_object_object_add(o, "errorType", json_object_new_string(e->type));
	} else {
		json_object_object_add(o, "error", json_object_new_string(text));
	}
	if (details)
		json_object_object_add(o, "details", details);
	if (status >= 500)
		log_warn("%s %s -> %d %s", req->method, req->path ? req->path : "?", status, text);
	reply_json(req, status, o);
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
resp_send(struct request *req)
{
	char head[512];
	int n;

	if (!req->resp.done)
		reply_error(req, ERR_INTERNAL, NULL);
	n = snprintf(head, sizeof head,
	    "Status: %d %s\r\n"
	    "Content-Type: %s%s\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "Pragma: no-cache\r\n"
	    "X-Content-Type-Options: nosniff\r\n",
	    req->resp.status, reason(req->resp.status), req->resp.content_type,
	    strcmp(req->resp.content_type, "application/json") == 0 ? "; charset=utf-8" : "",
	    req->resp.body_len);
	io_write(head, (size_t)n);
	io_write(req->resp.headers, req->resp.headers_len);
	io_write("\r\n", 2);
	if (strcmp(req->method, "HEAD") != 0)
		io_write(req->resp.body, req->resp.body_len);
}
