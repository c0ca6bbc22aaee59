/* validate.c - walks a struct field table over a json-c object and hands
 * back typed values; see validate.h. */
#include "validate.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "utf8.h"

#define SHOWN_NAME_MAX 100     /* bytes of a caller's key echoed in a message */

/* Copies a caller-chosen name into OUT for a message: valid UTF-8 kept,
 * anything else (invalid bytes, controls) shown as '?', cut on a character
 * boundary with an ellipsis past SHOWN_NAME_MAX bytes. */
static void
show_name(char *out, size_t n, const char *s)
{
	size_t len = strlen(s), keep = utf8_prefix(s, SHOWN_NAME_MAX), o = 0;

	for (size_t i = 0; i < keep && o + 5 < n;) {
		unsigned char c = (unsigned char)s[i];
		int w = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		if (w == 0 || i + (size_t)w > keep || utf8_length(s + i, (size_t)w) != 1 ||
		    (w == 1 && (c < 0x20 || c == 0x7f))) {
			out[o++] = '?';
			i++;
			continue;
		}
		memcpy(out + o, s + i, (size_t)w);
		o += (size_t)w;
		i += (size_t)w;
	}
	if (keep < len && o + 4 <= n) {
		memcpy(out + o, "\xe2\x80\xa6", 3);     /* U+2026 */
		o += 3;
	}
	out[o] = '\0';
}

/* Records why validation failed and which field ("" : the whole body). */
static void __attribute__((format(printf, 3, 4)))
fail(struct verror *e, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	snprintf(e->field, sizeof e->field, "%s", path ? path : "");
	e->kind = ERR_INVALID_PARAMS;
}

/* A + B + C into OUT (N bytes), cut on a character boundary when long. */
static void
concat3(char *out, size_t n, const char *a, const char *b, const char *c)
{
	const char *parts[3] = { a, b, c };
	size_t o = 0;

	for (int i = 0; i < 3; i++) {
		size_t len = strlen(parts[i]), keep = utf8_prefix(parts[i], n - 1 - o);
		memcpy(out + o, parts[i], keep);
		o += keep;
		if (keep < len)
			break;
	}
	out[o] = '\0';
}

/* PARENT.KEY (or KEY at the top), shown safely, into OUT. */
static void
join_path(char *out, size_t n, const char *parent, const char *key)
{
	char shown[SHOWN_NAME_MAX + 8];
	show_name(shown, sizeof shown, key);
	if (parent && *parent)
		concat3(out, n, parent, ".", shown);
	else
		concat3(out, n, "", "", shown);
}

static bool
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* Plain decimal only: no blanks, '+', hex, "inf" or "nan" that the C
 * library would take. */
static bool
plain_decimal(const char *s, bool integer)
{
	const char *digits = s + (*s == '-');
	return *digits >= '0' && *digits <= '9' &&
	    strspn(digits, integer ? "0123456789" : "0123456789.eE+-") == strlen(digits);
}

/* Turns form and query text into typed values, as Rocket.Chat's AJV
 * (coerceTypes) does: "true"/"1", "false"/"0", "42", "1.5". */
static json_object *
coerce(json_object *v, enum ftype t)
{
	const char *s;
	char *end;

	if (!json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	switch (t) {
	case F_BOOL:
		if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0) return json_object_new_boolean(1);
		if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0) return json_object_new_boolean(0);
		return NULL;
	case F_INT: {
		long long n;
		if (!plain_decimal(s, true))
			return NULL;
		errno = 0;
		n = strtoll(s, &end, 10);
		return *end || errno ? NULL : json_object_new_int64(n);
	}
	case F_NUMBER: {
		double d;
		if (!plain_decimal(s, false))
			return NULL;
		errno = 0;
		d = strtod(s, &end);
		return *end || errno ? NULL : json_object_new_double(d);
	}
	default:
		return NULL;
	}
}

static const char *const type_names[] = {
	[F_STRING] = "a string", [F_BOOL] = "true or false", [F_INT] = "a whole number",
	[F_NUMBER] = "a number", [F_DATE] = "a date like 2027-01-31T23:59:59Z",
	[F_OBJECT] = "an object", [F_STRING_ARRAY] = "a list of strings",
	[F_OBJECT_ARRAY] = "a list of objects",
	[F_PASSWORD] = "a string or {digest, algorithm}",
	[F_LOGIN_USER] = "a string or {username} or {email}",
};

/* The walk's state: options, the arena values come from, the error. */
struct walk {
	const struct vopts *o;
	struct fvals       *arena;
	struct verror      *e;
};

static bool walk_object(struct walk *w, json_object *obj, const struct field *spec,
    const char *path, struct fval *into, const struct fval **out);

static bool
check_string(struct walk *w, json_object *v, const struct field *f, const char *path, struct fval *out)
{
	const char *s = json_object_get_string(v);
	size_t bytes = (size_t)json_object_get_string_len(v);
	long len = utf8_length(s, bytes);

	/* NUL inside a string would cut it in C: refuse, never truncate. */
	if (len < 0 || strlen(s) != bytes) {
		fail(w->e, path, "'%s' is not valid text", path);
		return false;
	}
	if ((f->flags & F_NO_CTRL) && has_control(s)) {
		fail(w->e, path, "'%s' must be a single line without control characters", path);
		return false;
	}
	if (f->min > 0 && len < f->min) {
		if (f->min == 1)
			fail(w->e, path, "'%s' must not be empty", path);
		else
			fail(w->e, path, "'%s' must be at least %lld characters", path, f->min);
		return false;
	}
	if (f->max > 0 && len > f->max) {
		fail(w->e, path, "'%s' must be at most %lld characters", path, f->max);
		if (f->range_error != ERR_NONE)
			w->e->kind = f->range_error;
		return false;
	}
	if (f->choices) {
		const char *const *c;
		for (c = f->choices; *c && strcmp(*c, s) != 0; c++)
			;
		if (*c == NULL) {
			fail(w->e, path, "'%s' must be one of:", path);
			for (c = f->choices; *c; c++) {
				size_t used = strlen(w->e->msg);
				snprintf(w->e->msg + used, sizeof w->e->msg - used, "%s %s",
				    c == f->choices ? "" : ",", *c);
			}
			if (f->range_error != ERR_NONE)
				w->e->kind = f->range_error;
			return false;
		}
	}
	if (out) {
		out->s = s;
		out->len = bytes;
	}
	return true;
}

static bool
check_number(struct walk *w, json_object *v, const struct field *f, const char *path, struct fval *out)
{
	double d = json_object_get_double(v);
	/* json-c takes NaN and Infinity; NaN compares false, so it would pass
	 * any range. */
	if (!isfinite(d)) {
		fail(w->e, path, "'%s' must be a finite number", path);
		return false;
	}
	if ((f->min != 0 || f->max != 0) && (d < (double)f->min || d > (double)f->max)) {
		fail(w->e, path, "'%s' must be from %lld to %lld", path, f->min, f->max);
		if (f->range_error != ERR_NONE)
			w->e->kind = f->range_error;
		return false;
	}
	out->d = d;
	out->i = json_object_get_int64(v);
	return true;
}

static bool
check_date(struct walk *w, json_object *v, const char *path, struct fval *out)
{
	const char *s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) > 40 || !parse_iso_date(s, &out->i)) {
		fail(w->e, path, "'%s' must be %s", path, type_names[F_DATE]);
		return false;
	}
	out->s = s;
	out->len = strlen(s);
	return true;
}

static bool
check_items(struct walk *w, json_object *v, const struct field *f, const char *path)
{
	size_t len = json_object_array_length(v);
	struct field item = { .type = F_STRING, .flags = F_NO_CTRL, .max = f->item_max };
	char sub[sizeof w->e->field], index[24];

	if ((f->max > 0 && (long long)len > f->max) || (long long)len < f->min) {
		fail(w->e, path, "'%s' must have from %lld to %lld items", path, f->min, f->max);
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		json_object *elem = json_object_array_get_idx(v, i);
		snprintf(index, sizeof index, "[%zu]", i);
		concat3(sub, sizeof sub, path, index, "");
		if (f->type == F_OBJECT_ARRAY) {
			if (!json_object_is_type(elem, json_type_object)) {
				fail(w->e, sub, "'%s' must be an object", sub);
				return false;
			}
			/* Items keep no typed values: handlers walk the list. */
			struct walk inner = { w->o, NULL, w->e };
			if (!walk_object(&inner, elem, f->sub, sub, NULL, NULL))
				return false;
			continue;
		}
		if (!json_object_is_type(elem, json_type_string)) {
			fail(w->e, sub, "'%s' must be a string", sub);
			return false;
		}
		if (!check_string(w, elem, &item, sub, NULL))
			return false;
	}
	return true;
}

static bool
check_password(struct walk *w, json_object *v, const struct field *f, const char *path, struct fval *out)
{
	static const char *const algorithms[] = { "sha-256", NULL };
	static const struct field digest_spec[] = {
		{ .name = "digest", .type = F_STRING, .flags = F_REQUIRED, .min = 64, .max = 64 },
		{ .name = "algorithm", .type = F_STRING, .flags = F_REQUIRED, .choices = algorithms },
		FIELD_END
	};
	struct fval d[2];
	struct walk strict = { &(struct vopts){ .unknown = UNKNOWN_REFUSE }, NULL, w->e };

	if (json_object_is_type(v, json_type_string))
		return check_string(w, v, f, path, out);
	if (!walk_object(&strict, v, digest_spec, path, d, NULL))
		return false;
	if (strspn(d[0].s, "0123456789abcdefABCDEF") != 64) {
		fail(w->e, path, "'%s.digest' must be 64 hex digits", path);
		return false;
	}
	/* Lower-cased in place: the request owns its copy of the body. */
	for (char *p = (char *)d[0].s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	out->s = d[0].s;
	out->len = 64;
	out->is_digest = true;
	return true;
}

/* Meteor's login selector: one of username or email, as a string. */
static bool
check_login_user(struct walk *w, json_object *v, const struct field *f, const char *path, struct fval *out)
{
	const struct field one[] = {
		{ .name = "username", .type = F_STRING, .flags = F_NO_CTRL, .min = f->min, .max = f->max },
		{ .name = "email", .type = F_STRING, .flags = F_NO_CTRL, .min = f->min, .max = f->max },
		FIELD_END
	};
	struct fval sel[2];
	struct walk one_of = { w->o, NULL, w->e };

	if (json_object_is_type(v, json_type_string)) {
		if (!check_string(w, v, f, path, out))
			return false;
		out->is_email = strchr(out->s, '@') != NULL;
		return true;
	}
	if (!walk_object(&one_of, v, one, path, sel, NULL))
		return false;
	if (sel[0].set == sel[1].set) {
		fail(w->e, path, "'%s' must hold exactly one of username or email", path);
		return false;
	}
	*out = sel[0].set ? sel[0] : sel[1];
	out->is_email = sel[1].set;
	return true;
}

static bool
type_matches(json_object *v, enum ftype t)
{
	switch (t) {
	case F_STRING:
	case F_DATE:         return json_object_is_type(v, json_type_string);
	case F_BOOL:         return json_object_is_type(v, json_type_boolean);
	case F_INT:          return json_object_is_type(v, json_type_int);
	case F_NUMBER:       return json_object_is_type(v, json_type_int) ||
	                         json_object_is_type(v, json_type_double);
	case F_OBJECT:       return json_object_is_type(v, json_type_object);
	case F_STRING_ARRAY:
	case F_OBJECT_ARRAY: return json_object_is_type(v, json_type_array);
	case F_LOGIN_USER:
	case F_PASSWORD:     return json_object_is_type(v, json_type_string) ||
	                         json_object_is_type(v, json_type_object);
	}
	return false;
}

static bool
check_field(struct walk *w, json_object *v, const struct field *f, const char *path, struct fval *out)
{
	const char *extra;
	bool ok;

	if (!type_matches(v, f->type)) {
		fail(w->e, path, "'%s' must be %s", path, type_names[f->type]);
		return false;
	}
	out->j = v;
	switch (f->type) {
	case F_STRING:       ok = check_string(w, v, f, path, out); break;
	case F_BOOL:         out->b = json_object_get_boolean(v); ok = true; break;
	case F_INT:
	case F_NUMBER:       ok = check_number(w, v, f, path, out); break;
	case F_DATE:         ok = check_date(w, v, path, out); break;
	case F_STRING_ARRAY:
	case F_OBJECT_ARRAY: ok = check_items(w, v, f, path); break;
	case F_PASSWORD:     ok = check_password(w, v, f, path, out); break;
	case F_LOGIN_USER:   ok = check_login_user(w, v, f, path, out); break;
	case F_OBJECT:
		ok = (f->flags & F_ANY_KEYS) || f->sub == NULL ||
		    walk_object(w, v, f->sub, path, NULL, &out->sub);
		break;
	default:             ok = false; break;
	}
	if (ok && f->check && (extra = f->check(v)) != NULL) {
		fail(w->e, path, "'%s' %s", path, extra);
		ok = false;
	}
	return ok;
}

static size_t
spec_rows(const struct field *spec)
{
	size_t n = 0;
	while (spec && spec[n].name)
		n++;
	return n;
}

static long
find_field(const struct field *spec, const char *name)
{
	for (long i = 0; spec && spec[i].name; i++)
		if (strcmp(spec[i].name, name) == 0)
			return i;
	return -1;
}

/* ROWS values from the arena (a scratch block when the caller keeps no
 * values); NULL when they do not fit. */
static struct fval *
take_vals(struct walk *w, size_t rows, struct fval *scratch, size_t scratch_n)
{
	struct fval *v;

	if (w->arena == NULL) {
		if (rows > scratch_n)
			return NULL;
		v = scratch;
	} else {
		if (w->arena->used + rows > FVAL_MAX)
			return NULL;
		v = w->arena->v + w->arena->used;
		w->arena->used += rows;
	}
	memset(v, 0, rows * sizeof *v);
	return v;
}

/* Checks OBJ against SPEC at PATH. The values go into INTO when given (one
 * per row), else into a block of the arena whose address *OUT gets (NULL
 * without an arena). */
static bool
walk_object(struct walk *w, json_object *obj, const struct field *spec, const char *path,
    struct fval *into, const struct fval **out)
{
	struct fval scratch[64], *vals;
	size_t rows = spec_rows(spec);
	char sub[sizeof w->e->field];

	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		if (path && *path)
			fail(w->e, path, "'%s' must be an object", path);
		else
			fail(w->e, NULL, "the body must be a JSON object");
		return false;
	}
	if (into)
		vals = memset(into, 0, rows * sizeof *into);
	else if ((vals = take_vals(w, rows, scratch, sizeof scratch / sizeof scratch[0])) == NULL) {
		fail(w->e, path, "the field spec of '%s' is larger than the server allows", path ? path : "body");
		return false;
	}
	struct json_object_iterator it = json_object_iter_begin(obj), end = json_object_iter_end(obj);
	while (!json_object_iter_equal(&it, &end)) {
		const char *key = json_object_iter_peek_name(&it);
		json_object *val = json_object_iter_peek_value(&it);
		long i = find_field(spec, key);

		join_path(sub, sizeof sub, path, key);
		if (i < 0) {
			if (w->o->unknown == UNKNOWN_REFUSE) {
				fail(w->e, sub, "unknown field '%s'", sub);
				return false;
			}
			/* Dropped, so nothing downstream ever sees it. */
			json_object_iter_next(&it);
			json_object_object_del(obj, key);
			continue;
		}
		json_object_iter_next(&it);
		const struct field *f = &spec[i];
		if (val == NULL || json_object_is_type(val, json_type_null)) {
			if (!(f->flags & F_NULLABLE)) {
				fail(w->e, sub, "'%s' must not be null", sub);
				return false;
			}
			vals[i].null = true;
			continue;
		}
		if (w->o->coerce && !type_matches(val, f->type)) {
			json_object *typed = coerce(val, f->type);
			if (typed) {
				json_object_object_add(obj, f->name, typed);
				val = typed;
			}
		}
		if (!check_field(w, val, f, sub, &vals[i]))
			return false;
		vals[i].set = true;
	}
	for (size_t i = 0; i < rows; i++) {
		if ((spec[i].flags & F_REQUIRED) && !vals[i].set && !vals[i].null) {
			join_path(sub, sizeof sub, path, spec[i].name);
			fail(w->e, sub, "'%s' is required", sub);
			return false;
		}
	}
	if (out)
		*out = w->arena && !into ? vals : NULL;
	return true;
}

bool
validate_fields(json_object *obj, const struct field *spec, const struct vopts *o,
    struct fvals *arena, const struct fval **out, struct verror *e)
{
	struct walk w = { o, arena, e };
	const struct fval *vals = NULL;
	bool ok = walk_object(&w, obj, spec, "", NULL, &vals);

	if (out)
		*out = ok ? vals : NULL;
	return ok;
}

bool
validate_object(json_object *obj, const struct field *spec, bool coerce_on, char *msg, size_t msglen)
{
	struct vopts o = { .coerce = coerce_on, .unknown = UNKNOWN_REFUSE };
	struct verror e;
	struct fvals *arena = calloc(1, sizeof *arena);
	bool ok = arena && validate_fields(obj, spec, &o, arena, NULL, &e);

	if (!ok)
		snprintf(msg, msglen, "%s", arena ? e.msg : "out of memory");
	free(arena);
	return ok;
}

size_t
validate_spec_size(const struct field *spec)
{
	size_t n = spec_rows(spec);
	for (size_t i = 0; spec && spec[i].name; i++)
		if (spec[i].type == F_OBJECT && spec[i].sub && !(spec[i].flags & F_ANY_KEYS))
			n += validate_spec_size(spec[i].sub);
	return n;
}
