/* urlencoded.c - query strings and application/x-www-form-urlencoded
 * bodies into json-c objects of strings (see urlencoded.h). */
#include "urlencoded.h"

#include <string.h>

#include "xalloc.h"

int
url_hex_digit(int c)
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
			int hi = url_hex_digit((unsigned char)s[1]), lo = hi < 0 ? -1 : url_hex_digit((unsigned char)s[2]);
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

static bool
all_digits(const char *s)
{
	return strspn(s, "0123456789") == strlen(s);
}

/* "a[b][c]" nests objects, "a[]" (or "a[0]") appends to a list. A repeated
 * plain key, or a key used both as a value and as a container, is
 * ambiguous: false. */
bool
form_field_put(json_object *obj, char *key, const char *val, size_t vlen)
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
		bool list = i + 1 < n && all_digits(seg[i + 1]);
		json_object *next = NULL;
		if (json_object_is_type(cur, json_type_array)) {
			if (!all_digits(seg[i]) || i + 1 < n)
				return false;   /* lists hold values only */
			xjson_append(cur, XJSON(json_object_new_string_len(val, (int)vlen)));
			return true;
		}
		if (*seg[i] == '\0')
			return false;
		if (i + 1 == n) {
			if (json_object_object_get_ex(cur, seg[i], NULL))
				return false;
			xjson_add(cur, seg[i], XJSON(json_object_new_string_len(val, (int)vlen)));
			return true;
		}
		if (!json_object_object_get_ex(cur, seg[i], &next)) {
			next = XJSON(list ? json_object_new_array() : json_object_new_object());
			xjson_add(cur, seg[i], next);
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
	char *copy, *save = NULL, *pair;
	bool ok = true;

	if (memchr(s, '\0', len) != NULL)
		return false;
	copy = xstrndup(s, len);
	for (pair = strtok_r(copy, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(pair, '=');
		char *val = eq ? eq + 1 : pair + strlen(pair);
		if (eq)
			*eq = '\0';
		if (!url_decode(pair) || !url_decode(val) || *pair == '\0' ||
		    !form_field_put(obj, pair, val, strlen(val))) {
			ok = false;
			break;
		}
	}
	free(copy);
	return ok;
}
