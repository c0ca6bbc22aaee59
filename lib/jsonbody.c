/* jsonbody.c - strict RFC 8259 syntax check of request bodies, then json-c
 * (see jsonbody.h for why both). */
#include "jsonbody.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "xalloc.h"

struct scan {
	const unsigned char *p, *end, *start;
	const char *why;                /* first error, static text */
};

static bool
fail(struct scan *s, const char *why)
{
	if (s->why == NULL)
		s->why = why;
	return false;
}

static void
skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
hex4(const unsigned char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		int c = p[i], d;
		if (c >= '0' && c <= '9') d = c - '0';
		else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
		else return -1;
		v = v * 16 + d;
	}
	return v;
}

/* One UTF-8 sequence of 2-4 bytes at s->p (RFC 3629: no overlong forms,
 * no surrogates, at most U+10FFFF). */
static bool
utf8_seq(struct scan *s)
{
	const unsigned char *p = s->p;
	size_t left = (size_t)(s->end - p), n;
	uint32_t cp;

	if (p[0] >= 0xC2 && p[0] <= 0xDF) { n = 2; cp = p[0] & 0x1F; }
	else if (p[0] >= 0xE0 && p[0] <= 0xEF) { n = 3; cp = p[0] & 0x0F; }
	else if (p[0] >= 0xF0 && p[0] <= 0xF4) { n = 4; cp = p[0] & 0x07; }
	else return fail(s, "invalid UTF-8");
	if (left < n)
		return fail(s, "invalid UTF-8");
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return fail(s, "invalid UTF-8");
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return fail(s, "invalid UTF-8");
	s->p += n;
	return true;
}

/* A string; \u0000 is refused in a key (KEY), kept in a value. */
static bool
string(struct scan *s, bool key)
{
	if (s->p >= s->end || *s->p != '"')
		return fail(s, "a string (in double quotes) was expected");
	s->p++;
	while (s->p < s->end) {
		unsigned char c = *s->p;
		if (c == '"') {
			s->p++;
			return true;
		}
		if (c < 0x20)
			return fail(s, "a control character inside a string must be escaped");
		if (c >= 0x80) {
			if (!utf8_seq(s))
				return false;
			continue;
		}
		if (c != '\\') {
			s->p++;
			continue;
		}
		if (s->end - s->p < 2)
			break;
		c = s->p[1];
		if (strchr("\"\\/bfnrt", c) != NULL && c != '\0') {
			s->p += 2;
			continue;
		}
		if (c != 'u')
			return fail(s, "unknown escape in a string");
		int u = s->end - s->p >= 6 ? hex4(s->p + 2) : -1;
		if (u < 0)
			return fail(s, "\\u needs four hex digits");
		if (u == 0 && key)
			return fail(s, "\\u0000 is not accepted in a key");
		s->p += 6;
		if (u >= 0xDC00 && u <= 0xDFFF)
			return fail(s, "an unpaired surrogate escape");
		if (u >= 0xD800 && u <= 0xDBFF) {
			int lo = s->end - s->p >= 6 && s->p[0] == '\\' && s->p[1] == 'u' ? hex4(s->p + 2) : -1;
			if (lo < 0xDC00 || lo > 0xDFFF)
				return fail(s, "an unpaired surrogate escape");
			s->p += 6;
		}
	}
	return fail(s, "a string is not closed");
}

static bool
digits(struct scan *s)
{
	const unsigned char *from = s->p;
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > from;
}

static bool
number(struct scan *s)
{
	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0') {
		s->p++;
	} else if (!digits(s)) {
		return fail(s, "a value was expected");
	}
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (!digits(s))
			return fail(s, "digits must follow the decimal point");
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!digits(s))
			return fail(s, "digits must follow the exponent");
	}
	if (s->p < s->end && ((*s->p >= '0' && *s->p <= '9') || *s->p == '.'))
		return fail(s, "a number may not start with 0");
	return true;
}

static bool
literal(struct scan *s, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return fail(s, "a value was expected");
	s->p += n;
	return true;
}

static bool value(struct scan *s, int depth);

/* The members (or items) after '{' (or '['), up to the closing bracket. */
static bool
container(struct scan *s, int depth, bool object)
{
	char close = object ? '}' : ']';

	if (depth >= JSON_BODY_DEPTH)
		return fail(s, "nested too deeply");
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return true;
	}
	for (;;) {
		skip_ws(s);
		if (object) {
			if (!string(s, true))
				return false;
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return fail(s, "':' was expected after a key");
			s->p++;
		}
		if (!value(s, depth + 1))
			return false;
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			return true;
		}
		return fail(s, object ? "',' or '}' was expected" : "',' or ']' was expected");
	}
}

static bool
value(struct scan *s, int depth)
{
	skip_ws(s);
	if (s->p >= s->end)
		return fail(s, "the body ended inside a value");
	switch (*s->p) {
	case '{': return container(s, depth, true);
	case '[': return container(s, depth, false);
	case '"': return string(s, false);
	case 't': return literal(s, "true");
	case 'f': return literal(s, "false");
	case 'n': return literal(s, "null");
	default:  return number(s);
	}
}

bool
json_strict_check(const char *buf, size_t len, char *msg, size_t msglen)
{
	struct scan s = { (const unsigned char *)buf, (const unsigned char *)buf + len,
	    (const unsigned char *)buf, NULL };

	if (value(&s, 0)) {
		skip_ws(&s);
		if (s.p == s.end)
			return true;
		fail(&s, "unexpected data after the value");
	}
	snprintf(msg, msglen, "the body is not valid JSON: %s (at byte %zu)", s.why,
	    (size_t)(s.p - s.start));
	return false;
}

bool
json_body_parse(const char *buf, size_t len, json_object **out, char *msg, size_t msglen)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;

	*out = NULL;
	if (!json_strict_check(buf, len, msg, msglen))
		return false;
	/* Past the check, json-c can fail only for want of memory. */
	tok = json_tokener_new_ex(JSON_BODY_DEPTH + 1);
	if (tok == NULL)
		xalloc_fail("json_tokener_new_ex");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	*out = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (jerr != json_tokener_success && jerr != json_tokener_continue) {
		json_object_put(*out);
		*out = NULL;
		/* The check passed: json-c failed for want of memory. */
		xalloc_fail("json_tokener_parse_ex");
	}
	if (!json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		snprintf(msg, msglen, "the body must be a JSON object");
		return false;
	}
	return true;
}
