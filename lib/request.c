/* request.c - reads the CGI/FastCGI variables and the body of a request. */
#include "request.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "io.h"

const char *
req_header(const struct request *req, const char *name)
{
	char var[128] = "HTTP_";
	size_t i, j = 5;
	(void)req;

	for (i = 0; name[i] && j < sizeof var - 1; i++)
		var[j++] = name[i] == '-' ? '_' : (char)toupper((unsigned char)name[i]);
	var[j] = '\0';
	/* CGI passes these two without the HTTP_ prefix. */
	if (strcmp(var, "HTTP_CONTENT_TYPE") == 0 || strcmp(var, "HTTP_CONTENT_LENGTH") == 0)
		return io_getenv(var + 5);
	return io_getenv(var);
}

bool
req_cookie(const struct request *req, const char *name, char *out, size_t outlen)
{
	const char *h = req_header(req, "Cookie");
	size_t nlen = strlen(name);

	while (h && *h) {
		while (*h == ' ' || *h == ';')
			h++;
		if (strncmp(h, name, nlen) == 0 && h[nlen] == '=') {
			const char *v = h + nlen + 1;
			size_t vlen = strcspn(v, ";");
			if (vlen + 1 > outlen)
				return false;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return true;
		}
		h = strchr(h, ';');
	}
	return false;
}

const char *
req_query(const struct request *req, const char *name)
{
	json_object *v;
	if (req->query && json_object_object_get_ex(req->query, name, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

const char *
body_str(const struct request *req, const char *name)
{
	json_object *v;
	if (req->body && json_object_object_get_ex(req->body, name, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

bool
body_bool(const struct request *req, const char *name, bool dflt)
{
	json_object *v;
	if (req->body && json_object_object_get_ex(req->body, name, &v) &&
	    json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	return dflt;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

bool
url_decode(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (*s == '+') {
			*o++ = ' ';
		} else if (*s == '%') {
			int hi = hexval((unsigned char)s[1]), lo = hi < 0 ? -1 : hexval((unsigned char)s[2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return false;
			*o++ = (char)(hi * 16 + lo);
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return true;
}

/* Puts VAL under KEY in OBJ. KEY may use the brackets of Rocket.Chat's body
 * parser (express.urlencoded with qs): "a[b][c]" nests objects, "a[]" (or
 * "a[0]") appends to a list. A repeated plain key, or a key used both as a
 * value and as a container, is ambiguous: false. */
static bool
form_put(json_object *obj, char *key, const char *val)
{
	char *seg[8];
	size_t n = 0;
	json_object *cur = obj;

	if (*key == '[')
		return false;

	seg[n++] = key;
	for (char *p = strchr(key, '['); p && p != key; p = strchr(p, '[')) {
		char *close = strchr(p, ']');
		if (close == NULL || n == sizeof seg / sizeof seg[0] || (close[1] && close[1] != '['))
			return false;
		*p = *close = '\0';
		seg[n++] = p + 1;
		p = close + 1;
	}
	for (size_t i = 0; i < n; i++) {
		bool list = i + 1 < n && strspn(seg[i + 1], "0123456789") == strlen(seg[i + 1]);
		json_object *next = NULL;
		if (json_object_is_type(cur, json_type_array)) {
			if (strspn(seg[i], "0123456789") != strlen(seg[i]) || i + 1 < n)
				return false;   /* lists hold values only */
			json_object_array_add(cur, json_object_new_string(val));
			return true;
		}
		if (*seg[i] == '\0')
			return false;
		if (i + 1 == n) {
			if (json_object_object_get_ex(cur, seg[i], NULL))
				return false;
			json_object_object_add(cur, seg[i], json_object_new_string(val));
			return true;
		}
		if (!json_object_object_get_ex(cur, seg[i], &next)) {
			next = list ? json_object_new_array() : json_object_new_object();
			json_object_object_add(cur, seg[i], next);
		} else if (!json_object_is_type(next, list ? json_type_array : json_type_object)) {
			return false;
		}
		cur = next;
	}
	return false;
}

bool
parse_urlencoded(const char *s, size_t len, json_object *obj)
{
	char *copy = strndup(s, len), *save = NULL, *pair;
	bool ok = copy != NULL;

	if (copy && strlen(copy) != len)        /* a NUL byte inside */
		ok = false;
	for (pair = ok ? strtok_r(copy, "&", &save) : NULL; pair; pair = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(pair, '=');
		char *val = eq ? eq + 1 : pair + strlen(pair);
		if (eq)
			*eq = '\0';
		if (!url_decode(pair) || !url_decode(val) || *pair == '\0') {
			ok = false;
			break;
		}
		/* A repeated key is ambiguous; refuse it rather than guess. */
		if (!form_put(obj, pair, val)) {
			ok = false;
			break;
		}
	}
	free(copy);
	return ok;
}

/* True when IP is one of the comma-separated addresses in LIST. */
static bool
ip_listed(const char *ip, const char *list)
{
	size_t n = strlen(ip);
	for (const char *p = list; *p;) {
		p += strspn(p, ", ");
		size_t len = strcspn(p, ", ");
		if (len == n && n > 0 && strncmp(p, ip, n) == 0)
			return true;
		p += len;
	}
	return false;
}

/* Client address: REMOTE_ADDR, or the last X-Forwarded-For hop when the
 * direct peer is a configured trusted proxy (the hop the proxy added). */
static void
client_ip(struct request *req)
{
	const char *remote = io_getenv("REMOTE_ADDR");
	const char *xff = req_header(req, "X-Forwarded-For");
	const char *last;

	snprintf(req->ip, sizeof req->ip, "%s", remote ? remote : "unknown");
	if (xff == NULL || cfg.trusted_proxies == NULL || !ip_listed(req->ip, cfg.trusted_proxies))
		return;
	last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	last += strspn(last, " ");
	if (*last && strlen(last) < sizeof req->ip &&
	    strspn(last, "0123456789abcdefABCDEF.:") == strlen(last))
		snprintf(req->ip, sizeof req->ip, "%s", last);
}

void
req_begin(struct request *req)
{
	const char *uri = io_getenv("REQUEST_URI");
	const char *qs = io_getenv("QUERY_STRING");
	const char *https = io_getenv("HTTPS");
	size_t plen;

	memset(req, 0, sizeof *req);
	req->method = io_getenv("REQUEST_METHOD");
	if (req->method == NULL)
		req->method = "GET";
	if (uri == NULL)
		uri = io_getenv("SCRIPT_NAME");
	if (uri == NULL)
		uri = "/";
	plen = strcspn(uri, "?");
	req->path = strndup(uri, plen);
	if (qs == NULL && uri[plen] == '?')
		qs = uri + plen + 1;
	req->query = json_object_new_object();
	if (qs && *qs && !parse_urlencoded(qs, strlen(qs), req->query)) {
		json_object_put(req->query);
		req->query = NULL;      /* the dispatcher answers 400 */
	}
	req->content_type = io_getenv("CONTENT_TYPE");
	req->https = https && (strcasecmp(https, "on") == 0 || strcmp(https, "1") == 0);
	client_ip(req);
	req->resp.status = 200;
}

static bool
type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);
	return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* The whole body must be one JSON object: strict syntax (no trailing
 * commas or bare words), nothing but white space after it, no NUL bytes. */
static enum err_kind
parse_json_body(struct request *req, char *msg, size_t msglen)
{
	struct json_tokener *tok = json_tokener_new_ex(32);
	enum json_tokener_error jerr;
	size_t end;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	req->body = json_tokener_parse_ex(tok, req->raw_body, (int)req->raw_len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue) {
		/* Input ended inside a value ("{"...) or on a bare number or word. */
		snprintf(msg, msglen, "the body must be a complete JSON object");
		return ERR_BAD_REQUEST;
	}
	if (jerr != json_tokener_success) {
		snprintf(msg, msglen, "the body is not valid JSON: %s", json_tokener_error_desc(jerr));
		return ERR_BAD_REQUEST;
	}
	if (req->body == NULL || strspn(req->raw_body + end, " \t\r\n") != req->raw_len - end ||
	    strlen(req->raw_body) != req->raw_len) {
		snprintf(msg, msglen, "the body is not valid JSON: unexpected data after the value");
		return ERR_BAD_REQUEST;
	}
	if (!json_object_is_type(req->body, json_type_object)) {
		snprintf(msg, msglen, "the body must be a JSON object");
		return ERR_BAD_REQUEST;
	}
	return ERR_NONE;
}

enum err_kind
req_read_body(struct request *req, size_t limit, bool form, char *msg, size_t msglen)
{
	const char *cl = io_getenv("CONTENT_LENGTH");
	long long len = cl && *cl ? strtoll(cl, NULL, 10) : 0;

	if (len < 0) {
		snprintf(msg, msglen, "bad Content-Length");
		return ERR_BAD_REQUEST;
	}
	if ((unsigned long long)len > limit) {
		snprintf(msg, msglen, "the body is %lld bytes; this endpoint takes at most %zu", len, limit);
		return ERR_TOO_LARGE;
	}
	if (len > 0) {
		req->raw_body = malloc((size_t)len + 1);
		if (req->raw_body == NULL)
			return ERR_INTERNAL;
		req->raw_len = io_read(req->raw_body, (size_t)len);
		req->raw_body[req->raw_len] = '\0';
		if (req->raw_len != (size_t)len) {
			snprintf(msg, msglen, "the body ended before Content-Length bytes");
			return ERR_BAD_REQUEST;
		}
	}
	if (req->raw_len == 0) {
		req->body = json_object_new_object();
		return ERR_NONE;
	}
	if (type_is(req->content_type, "application/json"))
		return parse_json_body(req, msg, msglen);
	if (form && type_is(req->content_type, "application/x-www-form-urlencoded")) {
		req->body = json_object_new_object();
		if (!parse_urlencoded(req->raw_body, req->raw_len, req->body)) {
			snprintf(msg, msglen, "the form body is malformed");
			return ERR_BAD_REQUEST;
		}
		return ERR_NONE;
	}
	snprintf(msg, msglen, "send the body as application/json%s",
	    form ? " or application/x-www-form-urlencoded" : "");
	return ERR_UNSUPPORTED_TYPE;
}

void
req_end(struct request *req)
{
	free(req->path);
	json_object_put(req->query);
	json_object_put(req->body);
	free(req->raw_body);
	free(req->resp.body);
	if (req->session.user)
		bson_destroy(req->session.user);
	if (req->session.token_doc)
		bson_destroy(req->session.token_doc);
	memset(req, 0, sizeof *req);
}
