/* strbuf.h - a growing NUL-terminated string for writers that build text
 * (mail messages, HTML). A failed allocation poisons the buffer instead of
 * every call returning an error: the writer checks `failed` once at the end.
 * Free BUF with free() (or hand it over). */
#ifndef MA_STRBUF_H
#define MA_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char   *buf;    /* owned; NUL-terminated once anything was put */
	size_t  len, cap;
	bool    failed;
};

#define STRBUF_INIT { NULL, 0, 0, false }

/* Appends N bytes of S. */
void strbuf_put(struct strbuf *b, const char *s, size_t n);
/* Appends the string S. */
void strbuf_puts(struct strbuf *b, const char *s);

#endif
