/* html.c - see html.h. */
#include "html.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"

void
html_init(struct html *h)
{
	memset(h, 0, sizeof *h);
}

static void
put(struct html *h, const char *s, size_t n)
{
	strbuf_put(&h->out, s, n);
}

void
html_raw(struct html *h, const char *markup)
{
	put(h, markup, strlen(markup));
}

static const char *const entity[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
};

static void
escape(struct html *h, const char *text, bool br)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t n = strlen(text), i = 0, k;

	while (i < n) {
		unsigned char c = p[i];
		if (c == '\n' && br) {
			put(h, "<br>\n", 5);
			i++;
		} else if (entity[c]) {
			put(h, entity[c], strlen(entity[c]));
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			if (c == '\n' || c == '\t')
				put(h, (const char *)p + i, 1);
			i++;
		} else if ((k = utf8_seq_len(p + i, n - i)) == 0) {
			put(h, "\xef\xbf\xbd", 3);
			i++;
		} else {
			put(h, (const char *)p + i, k);
			i += k;
		}
	}
}

void
html_txt(struct html *h, const char *text)
{
	escape(h, text, false);
}

void
html_txt_lines(struct html *h, const char *text)
{
	escape(h, text, true);
}

void
html_attr(struct html *h, const char *value)
{
	escape(h, value, false);
}

bool
html_url_ok(const char *url)
{
	static const char *const schemes[] = { "https://", "http://", "mailto:" };
	bool known = false;

	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (strncasecmp(url, schemes[i], strlen(schemes[i])) == 0 && url[strlen(schemes[i])] != '\0')
			known = true;
	if (!known)
		return false;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return false;
	return utf8_valid(url, strlen(url));
}

bool
html_href(struct html *h, const char *url)
{
	if (!html_url_ok(url))
		return false;
	put(h, " href=\"", 7);
	html_attr(h, url);
	put(h, "\"", 1);
	return true;
}

char *
html_take(struct html *h)
{
	char *out = h->out.failed ? NULL : h->out.buf;

	if (out == NULL && !h->out.failed)
		out = strdup("");
	if (h->out.failed)
		free(h->out.buf);
	html_init(h);
	return out;
}

void
html_free(struct html *h)
{
	free(h->out.buf);
	html_init(h);
}
