/* fuzz_urlencoded.c - fuzzes parse_urlencoded() (bracketed keys included; then validate_object() with and without coercion, as query strings and form bodies go) and url_decode(); asserts no crash, leak or UB, only strings and non-empty keys in what it builds, and url_decode() == a reference decoder. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "urlencoded.h"
#include "validate.h"

static int
hex(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* application/x-www-form-urlencoded decoding (WHATWG URL, "percent-decode"
 * with '+' as space), refusing what url_decode() promises to refuse: a '%'
 * without two hex digits, and %00. Writes into OUT (as long as IN); false
 * when IN is refused. */
static bool
reference_decode(const char *in, char *out)
{
	size_t i = 0, o = 0, n = strlen(in);
	while (i < n) {
		if (in[i] == '%') {
			/* in[i + 1] is at worst the NUL, so in[i + 2] is only read
			 * when in[i + 1] was a digit. */
			if (hex(in[i + 1]) < 0 || hex(in[i + 2]) < 0)
				return false;
			out[o] = (char)(hex(in[i + 1]) * 16 + hex(in[i + 2]));
			if (out[o] == '\0')
				return false;
			o++;
			i += 3;
		} else {
			out[o++] = in[i] == '+' ? ' ' : in[i];
			i++;
		}
	}
	out[o] = '\0';
	return true;
}

/* What parse_urlencoded() builds: objects with non-empty keys whose values
 * are strings, objects of the same kind, or lists of strings ("a[b]=1",
 * "a[]=1"). */
static bool
form_shaped(json_object *v)
{
	if (json_object_is_type(v, json_type_string))
		return true;
	if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_string))
				return false;
		return true;
	}
	if (!json_object_is_type(v, json_type_object))
		return false;
	json_object_object_foreach(v, key, val) {
		if (key[0] == '\0' || !form_shaped(val))
			return false;
	}
	return true;
}

static void
validate_copy(json_object *obj, const struct field *spec, bool coerce)
{
	json_object *copy = NULL;
	char msg[256];

	FUZZ_ASSERT(json_object_deep_copy(obj, &copy, NULL) == 0);
	if (validate_object(copy, spec, coerce, msg, sizeof msg))
		fuzz_check_accepted(copy, spec);
	else
		FUZZ_ASSERT(msg[0] != '\0');
	json_object_put(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object *obj = json_object_new_object();
	char *s, *want;
	bool ok;

	/* parse_urlencoded() takes a length: the input as it is, NULs and all. */
	if (parse_urlencoded((const char *)data, size, obj)) {
		FUZZ_ASSERT(memchr(data, '\0', size) == NULL);
		FUZZ_ASSERT(form_shaped(obj));
		for (int coerce = 0; coerce <= 1; coerce++) {
			validate_copy(obj, fuzz_spec, coerce);
			validate_copy(obj, preference_fields, coerce);
			validate_copy(obj, fuzz_set_preferences_spec, coerce);
		}
	}
	json_object_put(obj);

	/* url_decode() works in place on a C string. */
	if ((s = fuzz_cstr(data, size)) == NULL)
		return 0;
	want = malloc(size + 1);
	FUZZ_ASSERT(want != NULL);
	ok = reference_decode(s, want);
	FUZZ_ASSERT(url_decode(s) == ok);
	if (ok)
		FUZZ_ASSERT(strcmp(s, want) == 0);
	free(want);
	free(s);
	return 0;
}
