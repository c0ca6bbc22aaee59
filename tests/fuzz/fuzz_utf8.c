/* fuzz_utf8.c - fuzzes utf8_length() differentially: it must return exactly what a reference decoder built from Unicode's table of well-formed UTF-8 returns (the code point count, or -1 when invalid); abort() on disagreement. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"
#include "validate.h"

/* The Unicode Standard, Table 3-7 "Well-Formed UTF-8 Byte Sequences": for
 * each lead byte, the range of the second byte; later bytes are 80..BF. */
static long
reference_length(const uint8_t *s, size_t len)
{
	size_t i = 0;
	long n = 0;

	while (i < len) {
		uint8_t b = s[i];
		size_t extra;
		uint8_t lo = 0x80, hi = 0xbf;

		if (b <= 0x7f)                  extra = 0;
		else if (b >= 0xc2 && b <= 0xdf) extra = 1;
		else if (b == 0xe0)             { extra = 2; lo = 0xa0; }
		else if (b >= 0xe1 && b <= 0xec) extra = 2;
		else if (b == 0xed)             { extra = 2; hi = 0x9f; }
		else if (b >= 0xee && b <= 0xef) extra = 2;
		else if (b == 0xf0)             { extra = 3; lo = 0x90; }
		else if (b >= 0xf1 && b <= 0xf3) extra = 3;
		else if (b == 0xf4)             { extra = 3; hi = 0x8f; }
		else                            return -1;
		if (len - i - 1 < extra)
			return -1;
		if (extra > 0 && (s[i + 1] < lo || s[i + 1] > hi))
			return -1;
		for (size_t k = 2; k <= extra; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return -1;
		i += extra + 1;
		n++;
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long got = utf8_length((const char *)data, size);
	long want = reference_length(data, size);

	if (got != want)
		fuzz_fail("utf8_length() = %ld, reference = %ld (%zu bytes)", got, want, size);
	return 0;
}
