/* test_html.c - the escaping HTML writer: what each context makes of
 * hostile text, which URLs may become links, and that building grows. */
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "unit.h"

static const struct { const char *in, *txt, *lines; } texts[] = {
	{ "plain", "plain", "plain" },
	{ "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;" },
	{ "a & b", "a &amp; b", "a &amp; b" },
	{ "\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;", "&quot;quoted&quot; &#39;single&#39;" },
	{ "&amp;", "&amp;amp;", "&amp;amp;" },                          /* escaped again, never trusted */
	{ "line\nbreak", "line\nbreak", "line<br>\nbreak" },
	{ "tab\there", "tab\there", "tab\there" },
	{ "bell\a nul-less\x1b[31m", "bell nul-less[31m", "bell nul-less[31m" },   /* controls dropped */
	{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },                 /* valid UTF-8 kept */
	{ "bad \xff byte", "bad \xef\xbf\xbd byte", "bad \xef\xbf\xbd byte" },
	{ "cut \xe2\x82", "cut \xef\xbf\xbd\xef\xbf\xbd", "cut \xef\xbf\xbd\xef\xbf\xbd" },
	{ "overlong \xc0\xbc", "overlong \xef\xbf\xbd\xef\xbf\xbd", "overlong \xef\xbf\xbd\xef\xbf\xbd" },
	{ "surrogate \xed\xa0\x80", "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	  "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "", "", "" },
};

static const struct { const char *url; bool ok; } urls[] = {
	{ "https://chat.example.org/account", true },
	{ "http://127.0.0.1:8080/#/tokens", true },
	{ "HTTPS://EXAMPLE.ORG/", true },
	{ "mailto:admin@example.org", true },
	{ "https://example.org/?a=1&b=\"2\"", true },                  /* escaped in the attribute */
	{ "javascript:alert(1)", false },
	{ "JavaScript:alert(1)", false },
	{ "data:text/html,<script>", false },
	{ "vbscript:msgbox", false },
	{ "//evil.example.org/", false },                              /* protocol-relative */
	{ "/relative/path", false },
	{ "https://", false },
	{ "https://exa mple.org/", false },
	{ "https://example.org/\r\nX: y", false },
	{ " https://example.org/", false },
	{ "https://example.org/\xff", false },
	{ "", false },
};

int
main(void)
{
	struct html h;
	char *s;

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		html_init(&h);
		html_txt(&h, texts[i].in);
		s = html_take(&h);
		CHECK(s && strcmp(s, texts[i].txt) == 0, texts[i].txt);
		free(s);
		html_txt_lines(&h, texts[i].in);
		s = html_take(&h);
		CHECK(s && strcmp(s, texts[i].lines) == 0, texts[i].lines);
		free(s);
		html_attr(&h, texts[i].in);
		s = html_take(&h);
		CHECK(s && strcmp(s, texts[i].txt) == 0, "attribute escapes as text");
		free(s);
	}
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		CHECK(html_url_ok(urls[i].url) == urls[i].ok, urls[i].url);
		html_raw(&h, "<a");
		CHECK(html_href(&h, urls[i].url) == urls[i].ok, urls[i].url);
		html_raw(&h, ">x</a>");
		s = html_take(&h);
		CHECK(s && (urls[i].ok ? strncmp(s, "<a href=\"", 9) == 0 : strcmp(s, "<a>x</a>") == 0), "href written only when safe");
		CHECK(s && (!urls[i].ok || strchr(s + 9, '"') == s + strlen(s) - 7), "one attribute, closed where we closed it");
		free(s);
	}
	html_raw(&h, "<a");
	html_href(&h, "https://example.org/?a=1&b=\"2\"");
	html_raw(&h, ">");
	s = html_take(&h);
	CHECK(s && strcmp(s, "<a href=\"https://example.org/?a=1&amp;b=&quot;2&quot;\">") == 0, "URL escaped in href");
	free(s);

	/* Markup from our literals and text from data, built into one page. */
	html_raw(&h, "<p>");
	html_txt(&h, "<b>not bold</b>");
	html_raw(&h, "</p>");
	s = html_take(&h);
	CHECK(s && strcmp(s, "<p>&lt;b&gt;not bold&lt;/b&gt;</p>") == 0, "raw markup around escaped text");
	free(s);

	/* Grows past any first allocation. */
	for (int i = 0; i < 20000; i++)
		html_txt(&h, "<&>");
	s = html_take(&h);
	CHECK(s && strlen(s) == 20000 * 13, "grows");
	free(s);
	s = html_take(&h);
	CHECK(s && *s == '\0', "empty after take");
	free(s);
	html_free(&h);
	return unit_done();
}
