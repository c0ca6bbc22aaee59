/* utf8.c - see utf8.h. */
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

size_t
utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;     /* allowed range of the 2nd byte */

	if (n == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;              /* overlong */
		else if (c == 0xed)
			hi = 0x9f;              /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;              /* overlong */
		else if (c == 0xf4)
			hi = 0x8f;              /* above U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

bool
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if ((k = utf8_seq_len(p + i, n - i)) == 0)
			return false;
		i += k;
	}
	return true;
}

char *
utf8_sanitize(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(n * 3 + 1), *o = out;   /* one byte grows to 3 at most */
	size_t i = 0, k;

	if (out == NULL)
		return NULL;
	while (i < n) {
		k = p[i] == 0 ? 0 : utf8_seq_len(p + i, n - i);
		if (k == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(o, p + i, k);
		o += k;
		i += k;
	}
	*o = '\0';
	return out;
}

size_t
utf8_prefix(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	/* Step back over continuation bytes to the start of the cut character. */
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

long
utf8_length(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	long count = 0;

	for (size_t i = 0, k; i < len; i += k, count++)
		if ((k = utf8_seq_len(p + i, len - i)) == 0)
			return -1;
	return count;
}

/* Length of the UTF-8 character at S (1-4), 0 when S does not start a
 * valid one or it is a control character (C0, DEL, C1). */
static size_t
text_char(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;

	if (n == 0 || c < 0x20 || c == 0x7f || strnlen(s, n) < n || utf8_length(s, n) != 1)
		return 0;
	if (n == 2 && c == 0xC2 && (unsigned char)s[1] < 0xA0)
		return 0;               /* U+0080..U+009F */
	return n;
}

/* Copies SRC into DST (N bytes with the NUL) as printable UTF-8: invalid
 * bytes and control characters become '?', and a character that does not
 * fit whole is left out with everything after it, so the copy may be
 * shorter but is never cut inside a character. */
void
utf8_copy_printable(char *dst, size_t n, const char *src)
{
	size_t o = 0;
	while (src && *src) {
		size_t len = text_char(src);
		if (o + (len ? len : 1) + 1 > n)
			break;
		if (len == 0) {
			dst[o++] = '?';
			src++;
		} else {
			memcpy(dst + o, src, len);
			o += len;
			src += len;
		}
	}
	dst[o] = '\0';
}
