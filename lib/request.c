/* request.c - reads the CGI/FastCGI variables and the body of a request. */
#include "request.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "io.h"
#include "jsonbody.h"
#include "xalloc.h"

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

static bool
is_ip(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

#define XFF_LINES 8

/* Client address: REMOTE_ADDR, unless that is a trusted proxy; then the
 * X-Forwarded-For hops are walked from the right (the hop nearest to us),
 * over every value the server passed (a proxy may append its own header
 * line, which nginx passes as a second variable and lighttpd joins with
 * ", "), skipping trusted proxies: the first untrusted address is the
 * client. Anything left of it is the client's own say and is ignored. A
 * hop that is not an address stops the walk at the trusted hop after it. */
static void
client_ip(struct request *req)
{
	const char *remote = io_getenv("REMOTE_ADDR");
	const char *lines[XFF_LINES];
	size_t nlines;

	snprintf(req->ip, sizeof req->ip, "%s", remote && strlen(remote) < sizeof req->ip ?
	    remote : "unknown");
	if (cfg.trusted_proxies == NULL || !ip_listed(req->ip, cfg.trusted_proxies))
		return;
	nlines = io_getenv_all("HTTP_X_FORWARDED_FOR", lines, XFF_LINES);
	for (size_t l = nlines; l-- > 0;) {
		const char *v = lines[l];
		for (size_t end = strlen(v); end > 0;) {
			size_t start = end;
			char hop[sizeof req->ip];
			while (start > 0 && v[start - 1] != ',')
				start--;
			size_t from = start + strspn(v + start, " \t"), len = end;
			while (len > from && (v[len - 1] == ' ' || v[len - 1] == '\t'))
				len--;
			len -= from;
			end = start > 0 ? start - 1 : 0;
			if (len == 0 && start == 0)
				break;
			if (len == 0 || len >= sizeof hop)
				return;
			memcpy(hop, v + from, len);
			hop[len] = '\0';
			if (!is_ip(hop))
				return;
			memcpy(req->ip, hop, len + 1);
			if (!ip_listed(hop, cfg.trusted_proxies))
				return;
		}
	}
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
	req->path = xstrndup(uri, plen);
	if (qs == NULL && uri[plen] == '?')
		qs = uri + plen + 1;
	req->query = XJSON(json_object_new_object());
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

static enum err_kind
parse_json(struct request *req, const struct part *parts, char *msg, size_t msglen)
{
	(void)parts;
	return json_body_parse(req->raw_body, req->raw_len, &req->body, msg, msglen) ?
	    ERR_NONE : ERR_BAD_REQUEST;
}

static enum err_kind
parse_form(struct request *req, const struct part *parts, char *msg, size_t msglen)
{
	(void)parts;
	req->body = XJSON(json_object_new_object());
	if (parse_urlencoded(req->raw_body, req->raw_len, req->body))
		return ERR_NONE;
	snprintf(msg, msglen, "the form body is malformed");
	return ERR_BAD_REQUEST;
}

static enum err_kind
parse_multipart(struct request *req, const struct part *parts, char *msg, size_t msglen)
{
	req->body = XJSON(json_object_new_object());
	return multipart_parse(req->raw_body, req->raw_len, req->content_type, parts, req->body,
	    &req->files, &req->nfiles, msg, msglen);
}

static const struct {
	unsigned     kind;
	const char  *type;
	enum err_kind (*parse)(struct request *, const struct part *, char *, size_t);
} body_kinds[] = {
	{ BODY_JSON,      "application/json",                  parse_json },
	{ BODY_FORM,      "application/x-www-form-urlencoded", parse_form },
	{ BODY_MULTIPART, "multipart/form-data",               parse_multipart },
};
#define NKINDS (sizeof body_kinds / sizeof body_kinds[0])

/* Content-Length as RFC 9110 8.6 has it: one or more digits, nothing else
 * (nginx sends "" for none). *LEN is the value, or SIZE_MAX past it. */
static bool
content_length(const char *s, size_t *len)
{
	*len = 0;
	if (s == NULL || *s == '\0')
		return true;
	if (strspn(s, "0123456789") != strlen(s))
		return false;
	for (; *s; s++) {
		if (*len > (SIZE_MAX - 9) / 10) {
			*len = SIZE_MAX;
			return true;
		}
		*len = *len * 10 + (size_t)(*s - '0');
	}
	return true;
}

static bool
any_required(const struct part *parts, char *msg, size_t msglen)
{
	for (const struct part *p = parts; p && p->name; p++) {
		if (p->flags & PART_REQUIRED) {
			snprintf(msg, msglen, "the file part '%s' is required", p->name);
			return true;
		}
	}
	return false;
}

enum err_kind
req_read_body(struct request *req, size_t limit, unsigned kinds, const struct part *parts,
    char *msg, size_t msglen)
{
	size_t len, used = 0;

	if (!content_length(io_getenv("CONTENT_LENGTH"), &len)) {
		snprintf(msg, msglen, "the Content-Length is not a number of bytes");
		return ERR_BAD_REQUEST;
	}
	if (len > limit) {
		if (len == SIZE_MAX)
			snprintf(msg, msglen, "this endpoint takes at most %zu bytes", limit);
		else
			snprintf(msg, msglen, "the body is %zu bytes; this endpoint takes at most %zu",
			    len, limit);
		return ERR_TOO_LARGE;
	}
	if (len > 0) {
		req->raw_body = xmalloc(len + 1);
		req->raw_len = io_read(req->raw_body, len);
		req->raw_body[req->raw_len] = '\0';
		if (req->raw_len != len) {
			snprintf(msg, msglen, "the body ended before Content-Length bytes");
			return ERR_BAD_REQUEST;
		}
	}
	if (req->raw_len == 0) {
		if ((kinds & BODY_MULTIPART) && any_required(parts, msg, msglen))
			return ERR_BAD_REQUEST;
		req->body = XJSON(json_object_new_object());
		return ERR_NONE;
	}
	for (size_t i = 0; i < NKINDS; i++) {
		if ((kinds & body_kinds[i].kind) && type_is(req->content_type, body_kinds[i].type)) {
			req->body_kind = body_kinds[i].kind;
			return body_kinds[i].parse(req, parts, msg, msglen);
		}
	}
	used = (size_t)snprintf(msg, msglen, "send the body as");
	for (size_t i = 0, n = 0; i < NKINDS && used < msglen; i++) {
		if (!(kinds & body_kinds[i].kind))
			continue;
		used += (size_t)snprintf(msg + used, msglen - used, "%s %s", n++ ? " or" : "",
		    body_kinds[i].type);
	}
	return ERR_UNSUPPORTED_TYPE;
}

const struct mp_file *
req_file(const struct request *req, const char *name)
{
	for (size_t i = 0; i < req->nfiles; i++)
		if (strcmp(req->files[i].spec->name, name) == 0)
			return &req->files[i];
	return NULL;
}

void
req_end(struct request *req)
{
	free(req->path);
	json_object_put(req->query);
	json_object_put(req->body);
	mp_files_free(req->files, req->nfiles);
	free(req->raw_body);
	free(req->resp.body);
	if (req->session.user)
		bson_destroy(req->session.user);
	if (req->session.token_doc)
		bson_destroy(req->session.token_doc);
	memset(req, 0, sizeof *req);
}
