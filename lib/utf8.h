/* utf8.h - making text valid UTF-8 before it leaves us (JSON answers, HTML,
 * mail): invalid bytes become U+FFFD, characters are never cut in half. */
#ifndef MA_UTF8_H
#define MA_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the valid UTF-8 sequence at S (at most N bytes): 1-4, or 0 when
 * the bytes there are not one (RFC 3629: no overlongs, no surrogates, no
 * code points above U+10FFFF). */
size_t utf8_seq_len(const unsigned char *s, size_t n);

/* Number of code points in S (LEN bytes), or -1 when it is not valid UTF-8
 * (lengths in field specs count characters, not bytes). */
long utf8_length(const char *s, size_t len);

/* True when all N bytes of S are valid UTF-8. */
bool utf8_valid(const char *s, size_t n);

/* A new NUL-terminated copy of S (N bytes) with every invalid byte replaced
 * by U+FFFD; caller frees. NUL bytes become U+FFFD too. NULL on OOM. */
char *utf8_sanitize(const char *s, size_t n);

/* The longest prefix of S (NUL-terminated) of at most MAX bytes that ends on
 * a character boundary. */
size_t utf8_prefix(const char *s, size_t max);

/* Copies SRC (may be NULL) into DST (N bytes with the NUL) as printable
 * UTF-8: invalid bytes and control characters become '?', and a character
 * that does not fit whole is left out with everything after it. */
void utf8_copy_printable(char *dst, size_t n, const char *src);

#endif
