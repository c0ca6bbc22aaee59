/* html.h - an HTML writer that escapes by construction (cgit's html_txt /
 * html_attr idea): markup comes only from string literals of our code
 * (html_raw), every other text goes through the writer of its context.
 * Builds into a growable buffer; out of memory makes html_take() fail once
 * at the end instead of every call checking. Used for HTML mail and, later,
 * the HTML export. */
#ifndef MA_HTML_H
#define MA_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

struct html {
	struct strbuf out;      /* an allocation failed: html_take() returns NULL */
};

void html_init(struct html *h);
/* Trusted markup: pass string literals of our own code only. */
void html_raw(struct html *h, const char *markup);
/* Text content: & < > " ' escaped, invalid UTF-8 made U+FFFD, control
 * characters but TAB and LF dropped. */
void html_txt(struct html *h, const char *text);
/* Same as html_txt, but each LF becomes <br>. */
void html_txt_lines(struct html *h, const char *text);
/* The value inside a double-quoted attribute (escaped as html_txt). */
void html_attr(struct html *h, const char *value);
/* True for a URL we put in href: absolute http, https or mailto, with no
 * space or control character. javascript:, data:, relative and
 * protocol-relative URLs are refused. */
bool html_url_ok(const char *url);
/* Writes ` href="URL"` (escaped) when html_url_ok(URL); false otherwise and
 * writes nothing, so the link is plain text. */
bool html_href(struct html *h, const char *url);

/* The built text (caller frees), or NULL when an allocation failed; the
 * writer is empty again afterwards. */
char *html_take(struct html *h);
void html_free(struct html *h);

#endif
