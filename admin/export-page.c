/* export-page.c - the HTML export: one self-contained page, escaped by
 * construction (html.h: markup only from literals here, every stored value
 * through html_txt/html_attr), with Rocket.Chat's strict CSP as a meta tag
 * (nothing loads or runs; inline style and data: images only). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"

const char *
text_of(json_object *texts, const char *key, const char *fallback)
{
	json_object *v;
	if (texts && json_object_object_get_ex(texts, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return fallback;
}

char *
text_fill(const char *tpl, const char *const *names, const char *const *values, size_t n)
{
	struct strbuf b = STRBUF_INIT;
	const char *p = tpl;

	while (*p) {
		size_t k = 0, len = 0;
		if (*p == '{')
			for (k = 0; k < n; k++) {
				len = strlen(names[k]);
				if (strncmp(p + 1, names[k], len) == 0 && p[1 + len] == '}')
					break;
			}
		if (*p == '{' && k < n) {
			strbuf_puts(&b, values[k]);
			p += len + 2;
		} else {
			strbuf_put(&b, p++, 1);
		}
	}
	strbuf_put(&b, "", 0);
	if (b.failed) {
		free(b.buf);
		return NULL;
	}
	return b.buf ? b.buf : strdup("");
}

static const char style[] =
    "body{font-family:system-ui,sans-serif;line-height:1.45;max-width:70em;margin:2em auto;padding:0 1em;color:#1f2329}"
    "h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccd}"
    "table{border-collapse:collapse;width:100%;font-size:.9em}"
    "th,td{border:1px solid #ccd;padding:.3em .5em;text-align:left;vertical-align:top;overflow-wrap:anywhere}"
    "th{background:#f2f3f5}.note{background:#fff8e1;padding:.6em;border-left:4px solid #f5a623}"
    "img{max-width:12em;border-radius:6px}";

void
page_begin(struct html *h, const char *lang, const char *title, const char *intro)
{
	html_raw(h, "<!DOCTYPE html>\n<html lang=\"");
	html_attr(h, lang);
	html_raw(h, "\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	html_txt(h, title);
	html_raw(h, "</title>\n<style>");
	html_raw(h, style);
	html_raw(h, "</style>\n</head>\n<body>\n<h1>");
	html_txt(h, title);
	html_raw(h, "</h1>\n<p>");
	html_txt(h, intro);
	html_raw(h, "</p>\n");
}

/* A value as text: strings as they are, booleans in words, the rest as
 * compact JSON. */
static void
value(struct html *h, json_object *v, json_object *texts)
{
	if (v == NULL)
		return;
	switch (json_object_get_type(v)) {
	case json_type_string:
		html_txt(h, json_object_get_string(v));
		break;
	case json_type_boolean:
		html_txt(h, json_object_get_boolean(v) ? text_of(texts, "yes", "yes") : text_of(texts, "no", "no"));
		break;
	default:
		html_txt(h, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		break;
	}
}

static void
heading(struct html *h, const char *title)
{
	html_raw(h, "<h2>");
	html_txt(h, title);
	html_raw(h, "</h2>\n");
}

static void
none(struct html *h, json_object *texts)
{
	html_raw(h, "<p>");
	html_txt(h, text_of(texts, "none", "Nothing stored."));
	html_raw(h, "</p>\n");
}

/* Rows "path | value" of OBJ, nested objects flattened into dotted paths. */
static void
rows(struct html *h, const char *prefix, json_object *obj, json_object *texts)
{
	json_object_object_foreach(obj, key, v) {
		char path[256];
		snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
		if (v && json_object_is_type(v, json_type_object) && json_object_object_length(v) > 0) {
			rows(h, path, v, texts);
			continue;
		}
		html_raw(h, "<tr><th scope=\"row\">");
		html_txt(h, path);
		html_raw(h, "</th><td>");
		value(h, v, texts);
		html_raw(h, "</td></tr>\n");
	}
}

void
page_object(struct html *h, const char *title, json_object *obj, json_object *texts)
{
	heading(h, title);
	if (obj == NULL || json_object_object_length(obj) == 0) {
		none(h, texts);
		return;
	}
	html_raw(h, "<table>\n");
	rows(h, "", obj, texts);
	html_raw(h, "</table>\n");
}

/* The value at dotted PATH in OBJ, or NULL. */
static json_object *
at_path(json_object *obj, const char *path)
{
	char part[128];
	const char *p = path;

	while (obj && *p) {
		size_t n = strcspn(p, ".");
		if (n >= sizeof part || !json_object_is_type(obj, json_type_object))
			return NULL;
		memcpy(part, p, n);
		part[n] = '\0';
		if (!json_object_object_get_ex(obj, part, &obj))
			return NULL;
		p += n + (p[n] == '.');
	}
	return obj;
}

void
page_table(struct html *h, const char *title, json_object *arr, const char *const *fields, json_object *texts)
{
	size_t n = arr ? json_object_array_length(arr) : 0;

	heading(h, title);
	if (n == 0) {
		none(h, texts);
		return;
	}
	html_raw(h, "<table>\n<tr>");
	for (size_t f = 0; fields[f]; f++) {
		html_raw(h, "<th scope=\"col\">");
		html_txt(h, fields[f]);
		html_raw(h, "</th>");
	}
	html_raw(h, "</tr>\n");
	for (size_t i = 0; i < n; i++) {
		json_object *doc = json_object_array_get_idx(arr, i);
		html_raw(h, "<tr>");
		for (size_t f = 0; fields[f]; f++) {
			html_raw(h, "<td>");
			value(h, at_path(doc, fields[f]), texts);
			html_raw(h, "</td>");
		}
		html_raw(h, "</tr>\n");
	}
	html_raw(h, "</table>\n");
}

void
page_image(struct html *h, const char *title, const char *type, const void *data, size_t len)
{
	size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(n);

	heading(h, title);
	if (b64 == NULL) {
		h->out.failed = true;
		return;
	}
	sodium_bin2base64(b64, n, data, len, sodium_base64_VARIANT_ORIGINAL);
	html_raw(h, "<p><img alt=\"\" src=\"data:");
	html_attr(h, type);
	html_raw(h, ";base64,");
	html_attr(h, b64);
	html_raw(h, "\"></p>\n");
	free(b64);
}

void
page_note(struct html *h, const char *text)
{
	html_raw(h, "<p class=\"note\">");
	html_txt(h, text);
	html_raw(h, "</p>\n");
}

void
page_end(struct html *h)
{
	html_raw(h, "</body>\n</html>\n");
}
