/* fuzz.h - shared by the libFuzzer targets in tests/fuzz/: fuzz_fail() and
 * FUZZ_ASSERT, a NUL-terminated copy of the input, field specs (every type;
 * setPreferences' body) and what every object a spec accepted must hold. */
#ifndef MA_FUZZ_H
#define MA_FUZZ_H

#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "prefkeys.h"
#include "validate.h"

/* A failed property is a crash for libFuzzer: it saves the input. The
 * message starts with "fuzz: " so that run.sh can show it. */
static inline void __attribute__((noreturn, format(printf, 1, 2)))
fuzz_fail(const char *fmt, ...)
{
	va_list ap;
	fputs("fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define FUZZ_ASSERT(cond) do { \
	if (!(cond)) \
		fuzz_fail("%s:%d: property failed: %s", __FILE__, __LINE__, #cond); \
} while (0)

/* New NUL-terminated copy of DATA (caller frees); NULL when DATA holds a NUL
 * byte (the C-string parsers never see one: their callers refuse it). */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s;
	if (memchr(data, '\0', size) != NULL)
		return NULL;
	s = malloc(size + 1);
	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The check hook of "expires": a date field, as cgi-bin/tokens.c has. */
static inline const char *
fuzz_check_date(json_object *v)
{
	int64_t ms;
	return parse_iso_date(json_object_get_string(v), &ms) ? NULL : "must be a date";
}

/* Every field type and flag the validator knows, in the shape of
 * tests/unit/test_validate.c's spec, plus numbers, nested and free objects. */
static const char *const fuzz_colours[] = { "red", "green", NULL };

static const struct field fuzz_inner_spec[] = {
	{ .name = "x", .type = F_INT, .flags = F_REQUIRED, .min = -5, .max = 5 },
	{ .name = "label", .type = F_STRING, .flags = F_NO_CTRL | F_NULLABLE, .max = 8 },
	{ .name = "flag", .type = F_BOOL },
	FIELD_END
};

static const struct field fuzz_spec[] = {
	{ .name = "name", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL, .min = 1, .max = 5 },
	{ .name = "flag", .type = F_BOOL },
	{ .name = "count", .type = F_INT, .min = 1, .max = 10 },
	{ .name = "big", .type = F_INT },
	{ .name = "ratio", .type = F_NUMBER, .flags = F_NULLABLE, .min = -1, .max = 1 },
	{ .name = "amount", .type = F_NUMBER },
	{ .name = "colour", .type = F_STRING, .choices = fuzz_colours },
	{ .name = "words", .type = F_STRING_ARRAY, .max = 2, .item_max = 3 },
	{ .name = "note", .type = F_STRING, .flags = F_NULLABLE, .max = 10 },
	{ .name = "password", .type = F_PASSWORD, .min = 1, .max = 20 },
	{ .name = "user", .type = F_LOGIN_USER, .flags = F_NO_CTRL, .min = 1, .max = 20 },
	{ .name = "inner", .type = F_OBJECT, .sub = fuzz_inner_spec },
	{ .name = "extra", .type = F_OBJECT, .flags = F_ANY_KEYS },
	{ .name = "expires", .type = F_STRING, .flags = F_NULLABLE, .min = 20, .max = 40, .check = fuzz_check_date },
	{ .name = "when", .type = F_DATE, .flags = F_NULLABLE },
	{ .name = "items", .type = F_OBJECT_ARRAY, .max = 3, .sub = fuzz_inner_spec },
	FIELD_END
};

/* setPreferences' body (cgi-bin/preferences.c): {"userId", "data": {...}}. */
static const struct field fuzz_set_preferences_spec[] = {
	{ .name = "userId", .type = F_STRING, .flags = F_NO_CTRL, .min = 1, .max = 64 },
	{ .name = "data", .type = F_OBJECT, .flags = F_REQUIRED, .sub = preference_fields },
	FIELD_END
};

/* What every accepted object must hold, whatever the spec: each number of an
 * F_INT / F_NUMBER field is finite and, when the field has bounds, inside
 * them; each string is UTF-8 without a NUL; an F_LOGIN_USER object holds
 * exactly one string, username or email. */
static inline void
fuzz_check_accepted(json_object *obj, const struct field *spec)
{
	for (const struct field *f = spec; f->name; f++) {
		json_object *v;
		if (!json_object_object_get_ex(obj, f->name, &v) || v == NULL)
			continue;
		if (f->type == F_INT || f->type == F_NUMBER) {
			double d = json_object_get_double(v);
			if (!isfinite(d))
				fuzz_fail("'%s' accepted with %g, not a finite number", f->name, d);
			if ((f->min != 0 || f->max != 0) && (d < (double)f->min || d > (double)f->max))
				fuzz_fail("'%s' accepted with %g, outside %lld..%lld", f->name, d,
				    f->min, f->max);
		} else if (json_object_is_type(v, json_type_string)) {
			const char *s = json_object_get_string(v);
			size_t len = (size_t)json_object_get_string_len(v);
			if (strlen(s) != len || utf8_length(s, len) < 0)
				fuzz_fail("'%s' accepted with a NUL or invalid UTF-8", f->name);
		} else if (f->type == F_LOGIN_USER) {
			json_object *u;
			if (json_object_object_length(v) != 1 ||
			    !((json_object_object_get_ex(v, "username", &u) ||
			    json_object_object_get_ex(v, "email", &u)) &&
			    json_object_is_type(u, json_type_string)))
				fuzz_fail("'%s' accepted as an object that is not {username} or {email}",
				    f->name);
		} else if (f->type == F_OBJECT && f->sub && !(f->flags & F_ANY_KEYS)) {
			fuzz_check_accepted(v, f->sub);
		}
	}
}

#endif
