/* mailtext.c - see mailtext.h. Placeholders are replaced here, so no format
 * string ever comes from a data file; a value never adds HTML structure
 * because paragraphs are cut from the template before values go in. */
#include "mailtext.h"

#include <dirent.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bsonread.h"
#include "config.h"
#include "html.h"
#include "log.h"

#define MAX_LANGS 32
#ifndef DATADIR
#define DATADIR "/usr/local/share/myaccount"
#endif

static const char *const kind_names[MAIL_KINDS] = {
	[MAIL_2FA_CODE] = "2fa-code",
	[MAIL_DATA_EXPORT] = "data-export-ready",
	[MAIL_NEW_SIGNIN] = "new-signin",
	[MAIL_VERIFY_EMAIL] = "verify-email",
	[MAIL_PASSWORD_RESET] = "password-reset",
	[MAIL_PASSWORD_CHANGED] = "password-changed",
	[MAIL_EMAIL_CHANGED] = "email-changed",
};

struct lang {
	char         tag[16];
	json_object *texts;     /* owned: kind name -> {subject, text} */
};

static struct lang langs[MAX_LANGS];
static size_t nlangs;
static int load_result = 1;     /* 1: not tried yet */
static char load_error[256];

const char *
mail_kind_name(enum mail_kind kind)
{
	return kind >= 0 && kind < MAIL_KINDS ? kind_names[kind] : NULL;
}

void
mailtext_free(void)
{
	for (size_t i = 0; i < nlangs; i++)
		json_object_put(langs[i].texts);
	nlangs = 0;
	load_result = 1;
}

/* "pt-BR.json" -> "pt-BR"; false for anything but a short language tag. */
static bool
tag_of(const char *file, char *tag, size_t n)
{
	size_t len = strlen(file);

	if (len < 6 || len - 5 >= n || strcmp(file + len - 5, ".json") != 0)
		return false;
	for (size_t i = 0; i < len - 5; i++)
		if (!((file[i] >= 'a' && file[i] <= 'z') || (file[i] >= 'A' && file[i] <= 'Z') || file[i] == '-'))
			return false;
	memcpy(tag, file, len - 5);
	tag[len - 5] = '\0';
	return true;
}

static const struct lang *
find_lang(const char *tag)
{
	for (size_t i = 0; i < nlangs; i++)
		if (strcmp(langs[i].tag, tag) == 0)
			return &langs[i];
	return NULL;
}

/* The {subject, text} of KIND in L, or NULL when L lacks it or it is not
 * two strings. */
static json_object *
kind_in(const struct lang *l, enum mail_kind kind)
{
	json_object *k, *s, *t;

	if (l == NULL || !json_object_object_get_ex(l->texts, kind_names[kind], &k) ||
	    !json_object_object_get_ex(k, "subject", &s) || !json_object_is_type(s, json_type_string) ||
	    !json_object_object_get_ex(k, "text", &t) || !json_object_is_type(t, json_type_string))
		return NULL;
	return k;
}

static int
load(const char *dir, char *err, size_t errlen)
{
	char path[4096], tag[16];
	struct dirent *d;
	DIR *dh = opendir(dir);
	int rc = -1;

	if (dh == NULL) {
		snprintf(err, errlen, "mail texts: cannot open %s", dir);
		return -1;
	}
	while ((d = readdir(dh)) != NULL && nlangs < MAX_LANGS) {
		if (!tag_of(d->d_name, tag, sizeof tag))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, d->d_name);
		json_object *o = json_object_from_file(path);
		if (o == NULL || !json_object_is_type(o, json_type_object)) {
			snprintf(err, errlen, "mail texts: %.150s/%.40s is not a JSON object", dir, d->d_name);
			json_object_put(o);
			goto out;
		}
		snprintf(langs[nlangs].tag, sizeof langs[nlangs].tag, "%s", tag);
		langs[nlangs++].texts = o;
	}
	const struct lang *en = find_lang("en");
	if (en == NULL) {
		snprintf(err, errlen, "mail texts: %s has no en.json", dir);
		goto out;
	}
	for (int k = 0; k < MAIL_KINDS; k++)
		if (kind_in(en, k) == NULL) {
			snprintf(err, errlen, "mail texts: en.json lacks \"%s\" (subject and text)", kind_names[k]);
			goto out;
		}
	rc = 0;
out:
	closedir(dh);
	if (rc != 0)
		mailtext_free();
	return rc;
}

int
mailtext_load(const char *dir, char *err, size_t errlen)
{
	if (load_result == 1) {
		if (dir == NULL)
			dir = *cfg.mail_texts ? cfg.mail_texts : DATADIR "/www/i18n/mail";
		load_result = load(dir, load_error, sizeof load_error);
		if (load_result != 0)
			log_error("%s", load_error);
	}
	if (load_result != 0)
		snprintf(err, errlen, "%s", load_error);
	return load_result;
}

const char *
mail_language(const bson_t *user)
{
	const char *want = bson_get_str(user, "settings.preferences.language");
	char err[256];

	if (want == NULL || *want == '\0')
		want = bson_get_str(user, "language");
	if (want == NULL || mailtext_load(NULL, err, sizeof err) != 0)
		return "en";
	/* Exact tag first ("pt-BR"), then the language alone ("de-AT" -> "de",
	 * "pt" -> "pt-BR"). */
	for (size_t i = 0; i < nlangs; i++)
		if (strcasecmp(langs[i].tag, want) == 0)
			return langs[i].tag;
	for (size_t i = 0; i < nlangs; i++)
		if (strncasecmp(langs[i].tag, want, 2) == 0 && (want[2] == '\0' || want[2] == '-' || want[2] == '_'))
			return langs[i].tag;
	return "en";
}

/* Appends TEMPLATE[0..N) to H with {name} replaced: literal text raw or as
 * HTML text, values raw or escaped. An unknown {name} stays as written. */
static void
fill(struct html *h, const char *tpl, size_t n, const struct mail_var *vars, size_t nvars, bool as_html)
{
	size_t i = 0, lit = 0;

	while (i <= n) {
		const struct mail_var *v = NULL;
		size_t vlen = 0;
		if (i < n && tpl[i] == '{')
			for (size_t k = 0; k < nvars && v == NULL; k++) {
				vlen = strlen(vars[k].name);
				if (i + vlen + 2 <= n && strncmp(tpl + i + 1, vars[k].name, vlen) == 0 && tpl[i + 1 + vlen] == '}')
					v = &vars[k];
			}
		if (v == NULL && i < n) {
			i++;
			continue;
		}
		/* Flush the literal run before the value (or the end). */
		if (i > lit) {
			char *seg = strndup(tpl + lit, i - lit);
			if (seg == NULL)
				h->out.failed = true;
			else if (as_html)
				html_txt_lines(h, seg);
			else
				html_raw(h, seg);
			free(seg);
		}
		if (v == NULL)
			break;
		if (as_html)
			html_txt(h, v->value);
		else
			html_raw(h, v->value);
		i += vlen + 2;
		lit = i;
	}
}

/* Paragraphs (split at blank lines) of the template, each in <p>; one
 * indented by four spaces is shown large and monospaced. */
static void
fill_html(struct html *h, const char *subject, const char *tpl, const struct mail_var *vars, size_t nvars)
{
	const char *p = tpl;

	html_raw(h, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
	html_txt(h, subject);
	html_raw(h, "</title></head>\n<body style=\"font-family: sans-serif; line-height: 1.4\">\n");
	while (*p) {
		while (*p == '\n')
			p++;
		if (*p == '\0')
			break;
		const char *end = strstr(p, "\n\n");
		size_t n = end ? (size_t)(end - p) : strlen(p);
		while (n > 0 && p[n - 1] == '\n')
			n--;
		bool code = strncmp(p, "    ", 4) == 0;
		if (code) {
			html_raw(h, "<p style=\"font-family: monospace; font-size: 1.6em; letter-spacing: 0.1em\"><strong>");
			fill(h, p + 4, n - 4, vars, nvars, true);
			html_raw(h, "</strong></p>\n");
		} else {
			html_raw(h, "<p>");
			fill(h, p, n, vars, nvars, true);
			html_raw(h, "</p>\n");
		}
		p += n;
	}
	html_raw(h, "</body></html>\n");
}

int
mail_render(const char *lang, enum mail_kind kind, const struct mail_var *vars, size_t nvars,
    struct mail_content *out)
{
	char err[256];
	struct html h;
	json_object *k, *s, *t;
	int rc = -1;

	memset(out, 0, sizeof *out);
	html_init(&h);
	if (kind < 0 || kind >= MAIL_KINDS || mailtext_load(NULL, err, sizeof err) != 0)
		goto out;
	if ((k = kind_in(find_lang(lang ? lang : "en"), kind)) == NULL)
		k = kind_in(find_lang("en"), kind);
	json_object_object_get_ex(k, "subject", &s);
	json_object_object_get_ex(k, "text", &t);
	const char *subject = json_object_get_string(s), *text = json_object_get_string(t);

	fill(&h, subject, strlen(subject), vars, nvars, false);
	out->subject = html_take(&h);
	/* A value never breaks the subject line (mail_build refuses CR/LF). */
	for (char *c = out->subject; c && *c; c++)
		if (*c == '\r' || *c == '\n' || *c == '\t')
			*c = ' ';
	fill(&h, text, strlen(text), vars, nvars, false);
	out->text = html_take(&h);
	if (out->subject)
		fill_html(&h, out->subject, text, vars, nvars);
	out->html = html_take(&h);
	if (out->subject && out->text && out->html)
		rc = 0;
	else
		log_error("mail text: out of memory");
out:
	html_free(&h);
	if (rc != 0)
		mail_content_free(out);
	return rc;
}

void
mail_content_free(struct mail_content *c)
{
	/* The text may hold a one-time code. */
	if (c->text)
		sodium_memzero(c->text, strlen(c->text));
	if (c->html)
		sodium_memzero(c->html, strlen(c->html));
	free(c->subject);
	free(c->text);
	free(c->html);
	memset(c, 0, sizeof *c);
}

json_object *
mailtext_strings(const char *lang, const char *key)
{
	char err[256];
	json_object *o;
	const struct lang *l;

	if (mailtext_load(NULL, err, sizeof err) != 0)
		return NULL;
	if ((l = find_lang(lang ? lang : "en")) && json_object_object_get_ex(l->texts, key, &o) &&
	    json_object_is_type(o, json_type_object))
		return o;
	if ((l = find_lang("en")) && json_object_object_get_ex(l->texts, key, &o) &&
	    json_object_is_type(o, json_type_object))
		return o;
	return NULL;
}
