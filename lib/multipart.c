/* multipart.c - multipart/form-data bodies (see multipart.h). Strict on
 * structure (RFC 2046 5.1.1 delimiters with CRLF, RFC 7578 part headers),
 * so that what we accept is what every proxy and client means too. */
#include "multipart.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "urlencoded.h"
#include "validate.h"
#include "xalloc.h"

#define HEADERS_MAX  8192       /* bytes of one part's header block */
#define PARAM_MAX    1024       /* bytes of one parameter value */

/* Why a body was refused: the kind and the message, set once. */
struct mp_error {
	enum err_kind kind;
	char         *msg;
	size_t        msglen;
};

static bool __attribute__((format(printf, 3, 4)))
refuse(struct mp_error *e, enum err_kind kind, const char *fmt, ...)
{
	va_list ap;
	int n;

	e->kind = kind;
	n = snprintf(e->msg, e->msglen, "%s", kind == ERR_BAD_REQUEST ?
	    "the multipart body is malformed: " : "");
	if (n < 0 || (size_t)n >= e->msglen)
		return false;
	va_start(ap, fmt);
	vsnprintf(e->msg + n, e->msglen - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

/* ---- header values: a main value and ;-separated parameters ---------- */

static bool
is_tchar(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static const char *
skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* The token at *P (moved past it) into OUT; false when none or too long. */
static bool
token(const char **p, char *out, size_t outlen)
{
	size_t n = 0;
	while (is_tchar((unsigned char)(*p)[n]))
		n++;
	if (n == 0 || n >= outlen)
		return false;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n;
	return true;
}

/* The next ";name=value" at *P into NAME and VAL (token or quoted-string,
 * RFC 9110 5.6.6), *QUOTED telling which. Returns 1 for a parameter, 0 at
 * the end, -1 when malformed. */
static int
param_next(const char **p, char name[64], char val[PARAM_MAX], bool *quoted)
{
	const char *s = skip_ows(*p);
	size_t n = 0;

	if (*s == '\0')
		return 0;
	if (*s != ';')
		return -1;
	s = skip_ows(s + 1);
	if (!token(&s, name, 64) || *s != '=')
		return -1;
	s++;
	*quoted = *s == '"';
	if (!*quoted) {
		if (!token(&s, val, PARAM_MAX))
			return -1;
		*p = s;
		return 1;
	}
	for (s++; *s != '"'; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		else if (*s == '\0' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return -1;
		if (n + 1 >= PARAM_MAX)
			return -1;
		val[n++] = *s;
	}
	val[n] = '\0';
	*p = s + 1;
	return 1;
}

/* The main value of a header (before the first ';') is WANT, any case. */
static bool
main_value_is(const char **p, const char *want)
{
	char v[64];
	const char *s = skip_ows(*p);
	size_t n = strcspn(s, "; \t");

	if (n == 0 || n >= sizeof v)
		return false;
	memcpy(v, s, n);
	v[n] = '\0';
	*p = s + n;
	return strcasecmp(v, want) == 0;
}

static bool
is_bchar(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c != '\0' && strchr("'()+_,-./:=? ", c) != NULL);
}

bool
multipart_boundary(const char *content_type, char out[MP_BOUNDARY_MAX + 1], char *msg,
    size_t msglen)
{
	char name[64], val[PARAM_MAX];
	const char *p = content_type ? content_type : "";
	bool quoted, found = false;
	int r;

	if (!main_value_is(&p, "multipart/form-data")) {
		snprintf(msg, msglen, "the body is not multipart/form-data");
		return false;
	}
	while ((r = param_next(&p, name, val, &quoted)) == 1) {
		size_t n = strlen(val);
		if (strcasecmp(name, "boundary") != 0)
			continue;
		if (found) {
			snprintf(msg, msglen, "the Content-Type names two boundaries");
			return false;
		}
		if (n == 0 || n > MP_BOUNDARY_MAX || val[n - 1] == ' ' || strspn(val, " ") == n) {
			snprintf(msg, msglen, "the multipart boundary must be 1 to %d characters, "
			    "not ending in a space", MP_BOUNDARY_MAX);
			return false;
		}
		for (size_t i = 0; i < n; i++) {
			if (!is_bchar((unsigned char)val[i])) {
				snprintf(msg, msglen, "the multipart boundary holds a character "
				    "RFC 2046 does not allow");
				return false;
			}
		}
		memcpy(out, val, n + 1);
		found = true;
	}
	if (r < 0) {
		snprintf(msg, msglen, "the Content-Type parameters are malformed");
		return false;
	}
	if (!found)
		snprintf(msg, msglen, "the Content-Type has no multipart boundary");
	return found;
}

/* ---- one part ----------------------------------------------------------- */

struct part_head {
	bool  disposition, type;
	char  name[PARAM_MAX];
	char  filename[PARAM_MAX];
	bool  has_filename, has_filename_ext;
};


/* RFC 8187 ext-value "UTF-8'lang'%XX..." decoded into OUT (as long as V
 * at most); only UTF-8, no %00. */
static bool
ext_value(const char *v, char out[PARAM_MAX])
{
	const char *q = strchr(v, '\'');
	size_t n = 0;

	if (q == NULL || q - v != 5 || strncasecmp(v, "UTF-8", 5) != 0 ||
	    (q = strchr(q + 1, '\'')) == NULL)
		return false;
	for (q++; *q; q++) {
		int c = (unsigned char)*q;
		if (c == '%') {
			int hi = url_hex_digit((unsigned char)q[1]), lo = hi < 0 ? -1 : url_hex_digit((unsigned char)q[2]);
			if (lo < 0 || (hi == 0 && lo == 0))
				return false;
			c = hi * 16 + lo;
			q += 2;
		}
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return true;
}

/* Content-Disposition: form-data; name="..."; filename="..."; filename*=... */
static bool
disposition(const char *v, struct part_head *h, struct mp_error *e)
{
	char name[64], val[PARAM_MAX];
	bool quoted, has_name = false;
	int r;

	if (!main_value_is(&v, "form-data"))
		return refuse(e, ERR_BAD_REQUEST, "a part's Content-Disposition is not form-data");
	while ((r = param_next(&v, name, val, &quoted)) == 1) {
		if (strcasecmp(name, "name") == 0) {
			if (has_name)
				return refuse(e, ERR_BAD_REQUEST, "a part has two names");
			has_name = true;
			memcpy(h->name, val, strlen(val) + 1);
		} else if (strcasecmp(name, "filename") == 0) {
			if (h->has_filename)
				return refuse(e, ERR_BAD_REQUEST, "a part has two file names");
			h->has_filename = true;
			if (!h->has_filename_ext)   /* filename* wins (RFC 6266 4.3) */
				memcpy(h->filename, val, strlen(val) + 1);
		} else if (strcasecmp(name, "filename*") == 0) {
			if (h->has_filename_ext || quoted || !ext_value(val, h->filename))
				return refuse(e, ERR_BAD_REQUEST, "a part's filename* is not UTF-8''<percent-encoded>");
			h->has_filename_ext = true;
		}
	}
	if (r < 0)
		return refuse(e, ERR_BAD_REQUEST, "a part's Content-Disposition parameters are malformed");
	if (!has_name || h->name[0] == '\0' || utf8_length(h->name, strlen(h->name)) < 0)
		return refuse(e, ERR_BAD_REQUEST, "a part has no name (or one that is not UTF-8)");
	return true;
}

/* The file name as sent, without a path (old browsers send C:\x\y.png),
 * checked: UTF-8, no control characters, at most MP_FILENAME_MAX bytes. */
static bool
clean_filename(struct part_head *h, struct mp_error *e)
{
	char *base = h->filename;
	for (char *p = h->filename; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	memmove(h->filename, base, strlen(base) + 1);
	size_t n = strlen(h->filename);
	if (n > MP_FILENAME_MAX || utf8_length(h->filename, n) < 0)
		return refuse(e, ERR_BAD_REQUEST, "a file name is longer than %d bytes or not UTF-8",
		    MP_FILENAME_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)h->filename[i] < 0x20 || h->filename[i] == 0x7f)
			return refuse(e, ERR_BAD_REQUEST, "a file name holds a control character");
	return true;
}

/* The header block [P, END): lines "Name: value" each ending CRLF. */
static bool
part_headers(const char *p, const char *end, struct part_head *h, struct mp_error *e)
{
	if (end - p > HEADERS_MAX)
		return refuse(e, ERR_BAD_REQUEST, "a part's headers are longer than %d bytes", HEADERS_MAX);
	while (p < end) {
		const char *eol = memchr(p, '\r', (size_t)(end - p));
		char hname[64], *line;
		const char *v;
		bool ok = true;

		if (eol == NULL || eol + 1 >= end || eol[1] != '\n' || memchr(p, '\n', (size_t)(eol - p)))
			return refuse(e, ERR_BAD_REQUEST, "a part header does not end in CRLF");
		if (memchr(p, '\0', (size_t)(eol - p)))
			return refuse(e, ERR_BAD_REQUEST, "a part header holds a NUL byte");
		if (*p == ' ' || *p == '\t')
			return refuse(e, ERR_BAD_REQUEST, "folded part headers are not accepted");
		line = xstrndup(p, (size_t)(eol - p));
		v = line;
		if (!token(&v, hname, sizeof hname) || *v != ':') {
			ok = refuse(e, ERR_BAD_REQUEST, "a part header has no name");
		} else if (strcasecmp(hname, "Content-Disposition") == 0) {
			ok = h->disposition ? refuse(e, ERR_BAD_REQUEST, "a part has two Content-Disposition headers")
			    : disposition(v + 1, h, e);
			h->disposition = true;
		} else if (strcasecmp(hname, "Content-Type") == 0) {
			/* Noted, not trusted: file types are sniffed. */
			if (h->type)
				ok = refuse(e, ERR_BAD_REQUEST, "a part has two Content-Type headers");
			h->type = true;
		} else if (strcasecmp(hname, "Content-Transfer-Encoding") == 0) {
			const char *enc = skip_ows(v + 1);
			/* RFC 7578 4.7: deprecated; only the identity encodings. */
			if (strcasecmp(enc, "binary") != 0 && strcasecmp(enc, "8bit") != 0 &&
			    strcasecmp(enc, "7bit") != 0)
				ok = refuse(e, ERR_BAD_REQUEST, "a part's Content-Transfer-Encoding "
				    "must be binary, 8bit or 7bit");
		}
		free(line);
		if (!ok)
			return false;
		p = eol + 2;
	}
	if (!h->disposition)
		return refuse(e, ERR_BAD_REQUEST, "a part has no Content-Disposition header");
	return h->has_filename || h->has_filename_ext ? clean_filename(h, e) : true;
}

unsigned
part_sniff(const char *data, size_t len, const char **mime)
{
	static const struct {
		unsigned     type;
		const char  *mime;
		size_t       off, len;
		const char  *magic;
	} magic[] = {
		{ PART_PNG,  "image/png",  0, 8, "\x89PNG\r\n\x1a\n" },
		{ PART_JPEG, "image/jpeg", 0, 3, "\xff\xd8\xff" },
		{ PART_GIF,  "image/gif",  0, 6, "GIF87a" },
		{ PART_GIF,  "image/gif",  0, 6, "GIF89a" },
		{ PART_WEBP, "image/webp", 8, 4, "WEBP" },      /* after "RIFF" + size */
	};

	*mime = "application/octet-stream";
	for (size_t i = 0; i < sizeof magic / sizeof magic[0]; i++) {
		if (len < magic[i].off + magic[i].len ||
		    memcmp(data + magic[i].off, magic[i].magic, magic[i].len) != 0)
			continue;
		if (magic[i].type == PART_WEBP && memcmp(data, "RIFF", 4) != 0)
			continue;
		*mime = magic[i].mime;
		return magic[i].type;
	}
	return 0;
}

/* "PNG, JPEG or WebP" for TYPES. */
static const char *
types_text(unsigned types, char buf[64])
{
	static const struct { unsigned t; const char *name; } names[] = {
		{ PART_PNG, "PNG" }, { PART_JPEG, "JPEG" }, { PART_GIF, "GIF" }, { PART_WEBP, "WebP" },
	};
	size_t n = sizeof names / sizeof names[0], left = 0, used = 0;

	for (size_t i = 0; i < n; i++)
		left += (types & names[i].t) != 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!(types & names[i].t))
			continue;
		left--;
		used += (size_t)snprintf(buf + used, 64 - used, "%s%s", names[i].name,
		    left > 1 ? ", " : left == 1 ? " or " : "");
	}
	return buf;
}

struct mp_state {
	const struct part *spec;
	json_object       *fields;
	struct mp_file     *files;
	size_t             nfiles, nspec;
	struct mp_error    err;
};

/* NAME for a message: at most 64 bytes, cut on a character boundary
 * (NAME is valid UTF-8: disposition() checked it). */
static const char *
shown(const char *name, char buf[72])
{
	size_t n = strlen(name);
	if (n <= 64)
		return name;
	n = 64;
	while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
		n--;
	memcpy(buf, name, n);
	memcpy(buf + n, "\xe2\x80\xa6", 4);   /* U+2026 and the NUL */
	return buf;
}

static const struct part *
spec_find(const struct part *spec, const char *name)
{
	for (const struct part *s = spec; s && s->name; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

/* One part [P, END): headers, then a text field or a file. */
static bool
one_part(struct mp_state *st, const char *p, const char *end)
{
	struct part_head h;
	char sbuf[72];
	const char *content = end, *hend = end, *nm;
	const struct part *s;
	size_t len;

	memset(&h, 0, sizeof h);
	if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
		hend = content = p;             /* no headers at all */
	} else {
		const char *blank = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (blank) {
			hend = blank + 2;
			content = blank + 4;
		} else if (end - p < 2 || end[-2] != '\r' || end[-1] != '\n') {
			return refuse(&st->err, ERR_BAD_REQUEST, "a part's headers do not end in CRLF");
		}
	}
	if (!part_headers(p, hend, &h, &st->err))
		return false;
	len = (size_t)(end - content);
	nm = shown(h.name, sbuf);
	s = spec_find(st->spec, h.name);
	if (s == NULL && (h.has_filename || h.has_filename_ext))
		return refuse(&st->err, ERR_BAD_REQUEST, "this endpoint takes no file part '%s'", nm);
	if (s == NULL) {
		char *key;
		bool ok;
		if (len > MP_TEXT_MAX)
			return refuse(&st->err, ERR_TOO_LARGE, "the field '%s' is %zu bytes; a field "
			    "takes at most %d", nm, len, MP_TEXT_MAX);
		if (memchr(content, '\0', len))
			return refuse(&st->err, ERR_BAD_REQUEST, "the field '%s' holds a NUL byte", nm);
		key = xstrdup(h.name);
		ok = form_field_put(st->fields, key, content, len);
		free(key);
		return ok ? true : refuse(&st->err, ERR_BAD_REQUEST,
		    "the field '%s' is repeated or its name is malformed", nm);
	}
	for (size_t i = 0; i < st->nfiles; i++)
		if (st->files[i].spec == s)
			return refuse(&st->err, ERR_BAD_REQUEST, "the file part '%s' is repeated", nm);
	/* A browser form with no file chosen sends an empty, nameless part. */
	if (len == 0 && h.filename[0] == '\0')
		return true;
	if (len > s->max)
		return refuse(&st->err, ERR_TOO_LARGE, "the file '%s' is %zu bytes; it takes at most %zu",
		    nm, len, s->max);
	struct mp_file *u = &st->files[st->nfiles];
	char tbuf[64];
	if (!(part_sniff(content, len, &u->type) & s->types))
		return refuse(&st->err, ERR_UNSUPPORTED_TYPE, "the file '%s' must be %s "
		    "(judged by its content)", nm, types_text(s->types, tbuf));
	u->spec = s;
	u->filename = xstrdup(h.filename);
	u->data = content;
	u->len = len;
	st->nfiles++;
	return true;
}

/* After a delimiter's boundary at *P: "--" closes (then padding and CRLF or
 * the end), otherwise padding and CRLF open the next part. Returns 1 for a
 * part (at *P), 0 for the close, -1 when malformed. */
static int
after_boundary(const char **p, const char *end)
{
	const char *s = *p;
	bool close = end - s >= 2 && s[0] == '-' && s[1] == '-';

	if (close)
		s += 2;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (close && s == end)
		return 0;
	if (end - s < 2 || s[0] != '\r' || s[1] != '\n')
		return -1;
	*p = s + 2;
	return close ? 0 : 1;           /* after a close, the epilogue is ignored */
}

enum err_kind
multipart_parse(const char *body, size_t len, const char *content_type,
    const struct part *spec, json_object *fields, struct mp_file **files, size_t *nfiles,
    char *msg, size_t msglen)
{
	char boundary[MP_BOUNDARY_MAX + 1], delim[MP_BOUNDARY_MAX + 5];
	struct mp_state st = { spec, fields, NULL, 0, 0, { ERR_NONE, msg, msglen } };
	const char *p, *end = body + len;
	size_t dlen, parts = 0;
	int more;

	*files = NULL;
	*nfiles = 0;
	if (!multipart_boundary(content_type, boundary, msg, msglen))
		return ERR_BAD_REQUEST;
	for (const struct part *s = spec; s && s->name; s++)
		st.nspec++;
	st.files = *files = xcalloc(st.nspec, sizeof *st.files);
	dlen = (size_t)snprintf(delim, sizeof delim, "\r\n--%s", boundary);

	/* The first boundary opens the body or follows a preamble and CRLF. */
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
		p = body + dlen - 2;
	} else if ((p = memmem(body, len, delim, dlen)) != NULL) {
		p += dlen;
	} else {
		refuse(&st.err, ERR_BAD_REQUEST, "the boundary of the Content-Type is not in the body");
		goto out;
	}
	while ((more = after_boundary(&p, end)) == 1) {
		const char *next = memmem(p, (size_t)(end - p), delim, dlen);
		if (next == NULL) {
			refuse(&st.err, ERR_BAD_REQUEST, "the body ends before the closing boundary");
			goto out;
		}
		if (++parts > MP_PARTS_MAX) {
			refuse(&st.err, ERR_BAD_REQUEST, "more than %d parts", MP_PARTS_MAX);
			goto out;
		}
		if (!one_part(&st, p, next))
			goto out;
		p = next + dlen;
	}
	if (more < 0) {
		refuse(&st.err, ERR_BAD_REQUEST, "a boundary is followed by something other "
		    "than CRLF or \"--\"");
		goto out;
	}
	for (const struct part *s = spec; s && s->name; s++) {
		bool got = false;
		for (size_t i = 0; i < st.nfiles; i++)
			got |= st.files[i].spec == s;
		if ((s->flags & PART_REQUIRED) && !got) {
			refuse(&st.err, ERR_BAD_REQUEST, "the file part '%s' is required", s->name);
			goto out;
		}
	}
out:
	*nfiles = st.nfiles;
	return st.err.kind;
}

void
mp_files_free(struct mp_file *files, size_t nfiles)
{
	for (size_t i = 0; i < nfiles; i++)
		free(files[i].filename);
	free(files);
}
