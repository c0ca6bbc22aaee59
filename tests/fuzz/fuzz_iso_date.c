/* fuzz_iso_date.c - fuzzes parse_iso_date(); asserts that what it accepts has the documented form YYYY-MM-DDTHH:MM:SS[.f...](Z|+HH:MM|-HH:MM) and that iso_date() of the result parses back to the same milliseconds (round trip). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"

static bool
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* The shape json.h promises, character by character (values unchecked). */
static bool
documented_form(const char *s)
{
	size_t n = strlen(s), i = 19;

	if (n < 20 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2) || s[10] != 'T' || !digits(s + 11, 2) || s[13] != ':' ||
	    !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
		return false;
	if (s[i] == '.') {
		size_t d = strspn(s + i + 1, "0123456789");
		if (d == 0)
			return false;
		i += 1 + d;
	}
	if (strcmp(s + i, "Z") == 0)
		return true;
	return (s[i] == '+' || s[i] == '-') && n - i == 6 && digits(s + i + 1, 2) &&
	    s[i + 3] == ':' && digits(s + i + 4, 2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, again[32];
	int64_t ms = 0, ms2 = 0;

	if ((s = fuzz_cstr(data, size)) == NULL)
		return 0;
	if (parse_iso_date(s, &ms)) {
		if (!documented_form(s))
			fuzz_fail("parse_iso_date() accepted \"%s\" (%lld ms), not the documented form",
			    s, (long long)ms);
		iso_date(ms, again);
		if (!parse_iso_date(again, &ms2))
			fuzz_fail("no round trip: \"%s\" is %lld ms, iso_date() writes \"%s\", "
			    "which parse_iso_date() refuses", s, (long long)ms, again);
		if (ms2 != ms)
			fuzz_fail("no round trip: \"%s\" is %lld ms, iso_date() writes \"%s\", "
			    "which is %lld ms", s, (long long)ms, again, (long long)ms2);
	}
	free(s);
	return 0;
}
