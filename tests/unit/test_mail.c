/* test_mail.c - building mail: header injection refused by construction,
 * CRLF line ends, RFC 2047 subjects, multipart/alternative, address checks;
 * the mail texts (www/i18n/mail): every kind in English, a missing
 * translation falls back to English of the same kind, user data escaped
 * in the HTML part. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto.h"
#include "mail.h"
#include "mailtext.h"
#include "unit.h"

static const struct { const char *addr; bool ok; } addresses[] = {
	{ "alice@example.org", true },
	{ "a.b+tag@sub.example.co.uk", true },
	{ "alice@example.org\r\nBcc: evil@x.org", false },
	{ "alice@example.org\nBcc: evil@x.org", false },
	{ "Alice <alice@example.org>", false },
	{ "alice@example.org, evil@x.org", false },
	{ "alice", false },
	{ "@example.org", false },
	{ "alice@localhost", true },
	{ "alice@", false },
	{ "alice@@example.org", false },
	{ "al ice@example.org", false },
	{ "alice@ex\xc3\xa4mple.org", false },
};

int
main(void)
{
	char *m;

	crypto_init();
	for (size_t i = 0; i < sizeof addresses / sizeof addresses[0]; i++)
		CHECK(mail_address_ok(addresses[i].addr) == addresses[i].ok, addresses[i].addr);

	struct mail_content c = { "Hello", "line one\nline two\n.dot\n", "<p>hi</p>" };
	m = mail_build("My Account <noreply@example.org>", "bob@example.org", &c);
	CHECK(m != NULL, "a plain mail builds");
	CHECK(strstr(m, "\r\nTo: <bob@example.org>\r\n") != NULL, "To header");
	CHECK(strstr(m, "\r\nSubject: Hello\r\n") != NULL, "Subject header");
	CHECK(strstr(m, "line one\r\nline two\r\n") != NULL, "body lines end in CRLF");
	CHECK(strstr(m, "\n\n") == NULL, "no bare LF left");
	CHECK(strstr(m, "Message-ID: <") != NULL && strstr(m, "@example.org>") != NULL, "Message-ID on the sender's domain");
	CHECK(strstr(m, "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"") != NULL, "multipart/alternative");
	const char *b = m ? strstr(m, "boundary=\"") : NULL;
	if (b) {
		char boundary[64], marker[256];
		snprintf(boundary, sizeof boundary, "%.*s", (int)strcspn(b + 10, "\""), b + 10);
		snprintf(marker, sizeof marker, "\r\n--%s\r\nContent-Type: text/plain; charset=utf-8\r\n", boundary);
		CHECK(strstr(m, marker) != NULL, "the text part first");
		snprintf(marker, sizeof marker, "\r\n--%s\r\nContent-Type: text/html; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\nPHA+aGk8L3A+\r\n", boundary);
		CHECK(strstr(m, marker) != NULL, "then the HTML part, base64");
		snprintf(marker, sizeof marker, "\r\n--%s--\r\n", boundary);
		CHECK(strlen(m) > strlen(marker) && strcmp(m + strlen(m) - strlen(marker), marker) == 0, "closing boundary last");
	}
	free(m);

	struct mail_content inj[] = {
		{ "Hi\r\nBcc: evil@x.org", "b", "b" }, { "Hi\nX-Evil: 1", "b", "b" },
	};
	struct mail_content hi = { "Hi", "b", "b" };
	CHECK(mail_build("x <noreply@example.org>", "bob@example.org\r\nBcc: evil@x.org", &hi) == NULL, "CRLF in To refused");
	CHECK(mail_build("x <noreply@example.org>", "bob@example.org", &inj[0]) == NULL, "CRLF in Subject refused");
	CHECK(mail_build("x <noreply@example.org>", "bob@example.org", &inj[1]) == NULL, "LF in Subject refused");
	CHECK(mail_build("x\r\nBcc: e@x.org <noreply@example.org>", "bob@example.org", &hi) == NULL, "CRLF in From refused");
	CHECK(mail_build("not an address", "bob@example.org", &hi) == NULL, "bad From refused");

	/* Long non-ASCII subjects: encoded words of at most 75 characters,
	 * never a character split between two of them. */
	char longsub[301] = "";
	for (int i = 0; i < 60; i++)
		strcat(longsub, "\xc3\xbc" "ab");   /* "üab" x 60: 240 bytes */
	struct mail_content u8 = { longsub, "b", "b" };
	m = mail_build("x <noreply@example.org>", "bob@example.org", &u8);
	CHECK(m != NULL && strstr(m, "Subject: =?UTF-8?B?") != NULL, "UTF-8 subject is RFC 2047 encoded");
	if (m) {
		char *p = strstr(m, "Subject: ") + 9, *end = strstr(p, "\r\nMessage-ID");
		int words = 0;
		bool short_words = true, whole = true;
		while (p < end) {
			char *q = strstr(p, "?=");
			if (q - p + 2 > 75)
				short_words = false;
			unsigned char raw[80];
			size_t rawlen;
			if (sodium_base642bin(raw, sizeof raw, p + 10, (size_t)(q - p - 10), NULL, &rawlen, NULL,
			    sodium_base64_VARIANT_ORIGINAL) != 0 || (raw[0] & 0xc0) == 0x80)
				whole = false;
			words++;
			p = q + 2;
			if (strncmp(p, "\r\n ", 3) == 0)
				p += 3;
		}
		CHECK(words > 1 && short_words, "folded into short encoded words");
		CHECK(whole, "no word starts inside a character");
	}
	free(m);
	struct mail_content bad = { "x", "ok \xff\xfe text", "<p>\xc3</p>" };
	m = mail_build("x <noreply@example.org>", "bob@example.org", &bad);
	CHECK(m != NULL && strstr(m, "ok \xef\xbf\xbd\xef\xbf\xbd text") != NULL, "invalid UTF-8 in the text becomes U+FFFD");
	free(m);
	char huge[1200];
	memset(huge, 'a', sizeof huge - 1);
	huge[sizeof huge - 1] = '\0';
	struct mail_content longline = { "x", huge, "b" };
	CHECK(mail_build("x <noreply@example.org>", "bob@example.org", &longline) == NULL, "a text line over 998 bytes refused");

	/* The shipped texts: every kind in English; every language has each. */
	const char *top = getenv("TOP");
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/www/i18n/mail", top ? top : ".");
	char err[256];
	CHECK(mailtext_load(dir, err, sizeof err) == 0, err);
	static const char *const shipped[] = { "en", "de", "fr", "es", "pt-BR" };
	for (size_t i = 0; i < sizeof shipped / sizeof shipped[0]; i++)
		for (int k = 0; k < MAIL_KINDS; k++) {
			struct mail_content mc;
			CHECK(mail_render(shipped[i], k, NULL, 0, &mc) == 0, shipped[i]);
			CHECK(mc.subject && *mc.subject && mc.text && strstr(mc.text, "{site}"), "kind rendered, placeholders kept");
			mail_content_free(&mc);
		}

	/* The user's language picks the words; unknown languages get English. */
	static const struct { const char *pref, *top, *lang; } langs[] = {
		{ "de", NULL, "de" }, { "de-AT", NULL, "de" }, { "pt", NULL, "pt-BR" }, { "PT-br", NULL, "pt-BR" },
		{ NULL, "fr", "fr" }, { "", "es", "es" }, { "xx", NULL, "en" }, { NULL, NULL, "en" }, { "d", NULL, "en" },
	};
	for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
		bson_t *u = bson_new();
		if (langs[i].pref) {
			bson_t s, p;
			BSON_APPEND_DOCUMENT_BEGIN(u, "settings", &s);
			BSON_APPEND_DOCUMENT_BEGIN(&s, "preferences", &p);
			BSON_APPEND_UTF8(&p, "language", langs[i].pref);
			bson_append_document_end(&s, &p);
			bson_append_document_end(u, &s);
		}
		if (langs[i].top)
			BSON_APPEND_UTF8(u, "language", langs[i].top);
		CHECK(strcmp(mail_language(u), langs[i].lang) == 0, langs[i].lang);
		bson_destroy(u);
	}
	struct mail_var vars[] = { { "site", "Team <Chat> & \"Co\"" }, { "code", "123-456" } };
	struct mail_content mc;
	CHECK(mail_render("de", MAIL_2FA_CODE, vars, 2, &mc) == 0, "German renders");
	CHECK(strcmp(mc.subject, "Anmeldecode") == 0, "German subject");
	CHECK(strstr(mc.text, "Team <Chat> & \"Co\"") && strstr(mc.text, "    123-456\n"), "site and code filled in, raw in text");
	CHECK(strchr(mc.text, '{') == NULL, "no placeholder left");
	CHECK(strstr(mc.html, "Team &lt;Chat&gt; &amp; &quot;Co&quot;") != NULL, "user data escaped in HTML");
	CHECK(strstr(mc.html, "<Chat>") == NULL, "no raw markup from data");
	CHECK(strstr(mc.html, "<strong>123-456</strong>") != NULL, "the code shown large");
	CHECK(strstr(mc.html, "Hier ist dein Anmeldecode f\xc3\xbcr ") != NULL, "German HTML");
	mail_content_free(&mc);
	mailtext_free();

	/* A language that lacks a kind (or has a broken one) gets English of
	 * the SAME kind, never another kind's text. */
	char tmp[] = "/tmp/mailtext-XXXXXX", path[1100];
	CHECK(mkdtemp(tmp) != NULL, "temp dir");
	/* English has every kind (a fixed list here would break with each new
	 * kind); 2fa-code's words are the ones checked below. */
	char en[4096] = "{\"2fa-code\": {\"subject\": \"EN code\", \"text\": \"EN {code}\"}";
	for (int k = 0; k < MAIL_KINDS; k++)
		if (k != MAIL_2FA_CODE)
			snprintf(en + strlen(en), sizeof en - strlen(en),
			    ", \"%s\": {\"subject\": \"EN\", \"text\": \"EN\"}", mail_kind_name(k));
	strcat(en, "}");
	const struct { const char *file, *json; } files[] = {
		{ "en.json", en },
		{ "de.json", "{\"other-kind\": {\"subject\": \"DE other\", \"text\": \"DE other\"}}" },
		{ "fr.json", "{\"2fa-code\": {\"subject\": 5, \"text\": \"FR\"}}" },
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", tmp, files[i].file);
		FILE *f = fopen(path, "w");
		fputs(files[i].json, f);
		fclose(f);
	}
	CHECK(mailtext_load(tmp, err, sizeof err) == 0, err);
	bson_t *de = BCON_NEW("language", BCON_UTF8("de"));
	CHECK(strcmp(mail_language(de), "de") == 0, "de is loaded");
	struct mail_var code = { "code", "9" };
	CHECK(mail_render("de", MAIL_2FA_CODE, &code, 1, &mc) == 0 && strcmp(mc.subject, "EN code") == 0 &&
	    strcmp(mc.text, "EN 9") == 0, "missing German kind: English of the same kind");
	mail_content_free(&mc);
	CHECK(mail_render("fr", MAIL_2FA_CODE, &code, 1, &mc) == 0 && strcmp(mc.subject, "EN code") == 0,
	    "broken French kind: English of the same kind");
	mail_content_free(&mc);
	bson_destroy(de);
	mailtext_free();
	/* English must have every kind. */
	snprintf(path, sizeof path, "%s/en.json", tmp);
	FILE *f = fopen(path, "w");
	fputs("{\"other-kind\": {\"subject\": \"x\", \"text\": \"y\"}}", f);
	fclose(f);
	CHECK(mailtext_load(tmp, err, sizeof err) != 0 && strstr(err, "2fa-code"), "English lacking a kind is refused");
	mailtext_free();
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", tmp, files[i].file);
		unlink(path);
	}
	rmdir(tmp);
	return unit_done();
}
