/* fuzz_cookie.c - fuzzes req_cookie() on the input as the Cookie header (HTTP_COOKIE), looking up a few names into small and large buffers; asserts no crash or UB and the same answer as a reference reading of "name=value; name=value". */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caller.h"
#include "fuzz.h"
#include "request.h"

/* The value of the first "NAME=" that starts the header or follows ';' and
 * spaces, up to the next ';'; NULL when there is none. Sets *LEN. */
static const char *
reference_cookie(const char *h, const char *name, size_t *len)
{
	size_t nlen = strlen(name);
	const char *seg = h;

	for (;;) {
		while (*seg == ' ' || *seg == ';')
			seg++;
		if (*seg == '\0')
			return NULL;
		if (strncmp(seg, name, nlen) == 0 && seg[nlen] == '=') {
			*len = strcspn(seg + nlen + 1, ";");
			return seg + nlen + 1;
		}
		seg += strcspn(seg, ";");
	}
}

/* Sets HTTP_COOKIE, which io_getenv() reads. Through putenv() with a
 * string of our own: glibc's setenv() keeps every value it was ever given,
 * which over millions of runs is the fuzzer's whole memory. */
static void
set_cookie_header(const char *value)
{
	static char *current;
	size_t n = strlen(value);
	char *var = malloc(sizeof "HTTP_COOKIE=" + n);

	FUZZ_ASSERT(var != NULL);
	memcpy(var, "HTTP_COOKIE=", sizeof "HTTP_COOKIE=" - 1);
	memcpy(var + sizeof "HTTP_COOKIE=" - 1, value, n + 1);
	FUZZ_ASSERT(putenv(var) == 0);
	free(current);          /* no longer in the environment */
	current = var;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { COOKIE_SESSION, COOKIE_CSRF, "a", "" };
	static const size_t sizes[] = { 0, 1, 2, 16, 64, 128, 2048 };
	struct request req;
	char *header;

	if ((header = fuzz_cstr(data, size)) == NULL)
		return 0;
	memset(&req, 0, sizeof req);
	set_cookie_header(header);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t want_len = 0;
		const char *want = reference_cookie(header, names[i], &want_len);
		for (size_t j = 0; j < sizeof sizes / sizeof sizes[0]; j++) {
			/* Exactly SIZES[j] bytes on the heap, so ASan sees overflows. */
			char *out = sizes[j] ? malloc(sizes[j]) : NULL;
			bool got = req_cookie(&req, names[i], out, sizes[j]);
			FUZZ_ASSERT(got == (want != NULL && want_len < sizes[j]));
			if (got)
				FUZZ_ASSERT(strlen(out) == want_len && memcmp(out, want, want_len) == 0);
			free(out);
		}
	}
	free(header);
	return 0;
}
