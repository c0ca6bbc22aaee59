/* validate.c - walks a struct field table over a json-c object. */
#include "validate.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Records why validation failed and which field (NULL: the whole body). */
static void __attribute__((format(printf, 3, 4)))
fail(struct verror *e, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
}

long
utf8_length(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	long n = 0;

	while (p < end) {
		unsigned c = *p;
		int extra;
		unsigned cp;
		if (c < 0x80) { extra = 0; cp = c; }
		else if ((c & 0xe0) == 0xc0) { extra = 1; cp = c & 0x1f; }
		else if ((c & 0xf0) == 0xe0) { extra = 2; cp = c & 0x0f; }
		else if ((c & 0xf8) == 0xf0) { extra = 3; cp = c & 0x07; }
		else return -1;
		if (end - p <= extra)
			return -1;
		for (int i = 1; i <= extra; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		/* Overlong forms, surrogates and values past U+10FFFF are not text. */
		if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
		    (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		p += extra + 1;
		n++;
	}
	return n;
}

static bool
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* Turns "true"/"42" strings into typed values for form and query input. */
static json_object *
coerce(json_object *v, enum ftype t)
{
	const char *s;
	char *end;

	if (!json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	/* Plain decimal only: no blanks, '+', hex, "inf" or "nan" that the C
	 * library would take. */
	if ((t == F_INT || t == F_NUMBER) &&
	    (*s == '\0' || strspn(s + (*s == '-'), t == F_INT ? "0123456789" : "0123456789.eE+-") !=
	    strlen(s + (*s == '-')) || !(s[*s == '-'] >= '0' && s[*s == '-'] <= '9')))
		return NULL;
	switch (t) {
	case F_BOOL:
		if (strcmp(s, "true") == 0) return json_object_new_boolean(1);
		if (strcmp(s, "false") == 0) return json_object_new_boolean(0);
		return NULL;
	case F_INT: {
		long long n;
		errno = 0;
		n = strtoll(s, &end, 10);
		if (*s == '\0' || *end || errno)
			return NULL;
		return json_object_new_int64(n);
	}
	case F_NUMBER: {
		double d;
		errno = 0;
		d = strtod(s, &end);
		if (*s == '\0' || *end || errno)
			return NULL;
		return json_object_new_double(d);
	}
	default:
		return NULL;
	}
}

static const char *type_names[] = {
	[F_STRING] = "a string", [F_BOOL] = "true or false", [F_INT] = "a whole number",
	[F_NUMBER] = "a number", [F_OBJECT] = "an object", [F_STRING_ARRAY] = "a list of strings",
	[F_PASSWORD] = "a string or {digest, algorithm}",
	[F_LOGIN_USER] = "a string or {username} or {email}",
};

static bool check_field(json_object *v, const struct field *f, bool coerce_on,
    const char *path, struct verror *e);

static bool
check_string(json_object *v, const struct field *f, const char *path, struct verror *e)
{
	const char *s = json_object_get_string(v);
	long len = utf8_length(s, (size_t)json_object_get_string_len(v));

	if (len < 0 || strlen(s) != (size_t)json_object_get_string_len(v)) {
		fail(e, path, "'%s' is not valid text", path);
		return false;
	}
	if ((f->flags & F_NO_CTRL) && has_control(s)) {
		fail(e, path, "'%s' must be a single line without control characters", path);
		return false;
	}
	if (f->min > 0 && len < f->min) {
		if (f->min == 1)
			fail(e, path, "'%s' must not be empty", path);
		else
			fail(e, path, "'%s' must be at least %lld characters", path, f->min);
		return false;
	}
	if (f->max > 0 && len > f->max) {
		fail(e, path, "'%s' must be at most %lld characters", path, f->max);
		return false;
	}
	if (f->choices) {
		for (const char *const *c = f->choices; *c; c++)
			if (strcmp(*c, s) == 0)
				return true;
		fail(e, path, "'%s' must be one of:", path);
		for (const char *const *c = f->choices; *c; c++) {
			size_t used = strlen(e->msg);
			if (used < sizeof e->msg)
				snprintf(e->msg + used, sizeof e->msg - used, "%s %s", c == f->choices ? "" : ",", *c);
		}
		return false;
	}
	return true;
}

static bool
check_number(json_object *v, const struct field *f, const char *path, struct verror *e)
{
	double d = json_object_get_double(v);
	/* json-c takes NaN and Infinity even in strict mode; strtod() "nan"
	 * and "inf". NaN compares false, so it would pass any range. */
	if (!isfinite(d)) {
		fail(e, path, "'%s' must be a finite number", path);
		return false;
	}
	if ((f->min != 0 || f->max != 0) && (d < (double)f->min || d > (double)f->max)) {
		fail(e, path, "'%s' must be from %lld to %lld", path, f->min, f->max);
		return false;
	}
	return true;
}

static bool
check_array(json_object *v, const struct field *f, const char *path, struct verror *e)
{
	size_t len = json_object_array_length(v);
	struct field item = { .type = F_STRING, .flags = F_NO_CTRL, .max = f->item_max };

	if ((f->max > 0 && (long long)len > f->max) || (long long)len < f->min) {
		fail(e, path, "'%s' must have from %lld to %lld items", path, f->min, f->max);
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		json_object *elem = json_object_array_get_idx(v, i);
		char sub[128];
		snprintf(sub, sizeof sub, "%s[%zu]", path, i);
		if (!json_object_is_type(elem, json_type_string)) {
			fail(e, sub, "'%s' must be a string", sub);
			return false;
		}
		if (!check_string(elem, &item, sub, e))
			return false;
	}
	return true;
}

static bool
check_password(json_object *v, const struct field *f, const char *path, struct verror *e)
{
	static const char *const algorithms[] = { "sha-256", NULL };
	static const struct field digest_spec[] = {
		{ "digest", F_STRING, F_REQUIRED, 64, 64, NULL, NULL, 0, NULL },
		{ "algorithm", F_STRING, F_REQUIRED, 0, 0, algorithms, NULL, 0, NULL },
		FIELD_END
	};
	if (json_object_is_type(v, json_type_string))
		return check_string(v, f, path, e);
	return validate_fields(v, digest_spec, false, e);
}

/* Meteor's login selector: one of username or email, as a string. */
static bool
check_login_user(json_object *v, const struct field *f, const char *path, struct verror *e)
{
	const struct field one[] = {
		{ "username", F_STRING, F_NO_CTRL, f->min, f->max, NULL, NULL, 0, NULL },
		{ "email", F_STRING, F_NO_CTRL, f->min, f->max, NULL, NULL, 0, NULL },
		FIELD_END
	};
	if (json_object_is_type(v, json_type_string))
		return check_string(v, f, path, e);
	if (!validate_fields(v, one, false, e))
		return false;
	if (json_object_object_length(v) != 1) {
		fail(e, path, "'%s' must hold exactly one of username or email", path);
		return false;
	}
	return true;
}

static bool
type_matches(json_object *v, enum ftype t)
{
	switch (t) {
	case F_STRING:       return json_object_is_type(v, json_type_string);
	case F_BOOL:         return json_object_is_type(v, json_type_boolean);
	case F_INT:          return json_object_is_type(v, json_type_int);
	case F_NUMBER:       return json_object_is_type(v, json_type_int) ||
	                         json_object_is_type(v, json_type_double);
	case F_OBJECT:       return json_object_is_type(v, json_type_object);
	case F_STRING_ARRAY: return json_object_is_type(v, json_type_array);
	case F_LOGIN_USER:   return json_object_is_type(v, json_type_string) ||
	                         json_object_is_type(v, json_type_object);
	case F_PASSWORD:     return json_object_is_type(v, json_type_string) ||
	                         json_object_is_type(v, json_type_object);
	}
	return false;
}

static bool
check_field(json_object *v, const struct field *f, bool coerce_on, const char *path,
    struct verror *e)
{
	const char *extra;
	bool ok;

	if (!type_matches(v, f->type)) {
		fail(e, path, "'%s' must be %s", path, type_names[f->type]);
		return false;
	}
	switch (f->type) {
	case F_STRING:       ok = check_string(v, f, path, e); break;
	case F_INT:
	case F_NUMBER:       ok = check_number(v, f, path, e); break;
	case F_STRING_ARRAY: ok = check_array(v, f, path, e); break;
	case F_PASSWORD:     ok = check_password(v, f, path, e); break;
	case F_LOGIN_USER:   ok = check_login_user(v, f, path, e); break;
	case F_OBJECT:
		ok = (f->flags & F_ANY_KEYS) || f->sub == NULL ||
		    validate_fields(v, f->sub, coerce_on, e);
		break;
	default:             ok = true; break;
	}
	if (ok && f->check && (extra = f->check(v)) != NULL) {
		fail(e, path, "'%s' %s", path, extra);
		ok = false;
	}
	return ok;
}

static const struct field *
find_field(const struct field *spec, const char *name)
{
	for (; spec && spec->name; spec++)
		if (strcmp(spec->name, name) == 0)
			return spec;
	return NULL;
}

bool
validate_fields(json_object *obj, const struct field *spec, bool coerce_on,
    struct verror *e)
{
	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		fail(e, NULL, "the body must be a JSON object");
		return false;
	}
	json_object_object_foreach(obj, key, val) {
		const struct field *f = find_field(spec, key);
		if (f == NULL) {
			fail(e, key, "unknown field '%.100s'", key);
			return false;
		}
		if (val == NULL || json_object_is_type(val, json_type_null)) {
			if (f->flags & F_NULLABLE)
				continue;
			fail(e, key, "'%s' must not be null", key);
			return false;
		}
		if (coerce_on && !type_matches(val, f->type)) {
			json_object *typed = coerce(val, f->type);
			if (typed) {
				json_object_object_add(obj, key, typed);
				val = typed;
			}
		}
		if (!check_field(val, f, coerce_on, key, e))
			return false;
	}
	for (const struct field *f = spec; f && f->name; f++) {
		if ((f->flags & F_REQUIRED) && !json_object_object_get_ex(obj, f->name, NULL)) {
			fail(e, f->name, "'%s' is required", f->name);
			return false;
		}
	}
	return true;
}

bool
validate_object(json_object *obj, const struct field *spec, bool coerce, char *msg, size_t msglen)
{
	struct verror e;
	bool ok = validate_fields(obj, spec, coerce, &e);
	if (!ok)
		snprintf(msg, msglen, "%s", e.msg);
	return ok;
}
