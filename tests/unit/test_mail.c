/* test_mail.c - building mail: header injection refused by construction,
 * CRLF line ends, RFC 2047 subjects, address checks. */
#include <stdlib.h>
#include <string.h>

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

	m = mail_build("My Account <noreply@example.org>", "bob@example.org", "Hello", "line one\nline two\n.dot\n");
	CHECK(m != NULL, "a plain mail builds");
	CHECK(strstr(m, "\r\nTo: <bob@example.org>\r\n") != NULL, "To header");
	CHECK(strstr(m, "\r\nSubject: Hello\r\n") != NULL, "Subject header");
	CHECK(strstr(m, "line one\r\nline two\r\n") != NULL, "body lines end in CRLF");
	CHECK(strstr(m, "\n\n") == NULL, "no bare LF left");
	CHECK(strstr(m, "Message-ID: <") != NULL && strstr(m, "@example.org>") != NULL, "Message-ID on the sender's domain");
	free(m);

	CHECK(mail_build("x <noreply@example.org>", "bob@example.org\r\nBcc: evil@x.org", "Hi", "b") == NULL, "CRLF in To refused");
	CHECK(mail_build("x <noreply@example.org>", "bob@example.org", "Hi\r\nBcc: evil@x.org", "b") == NULL, "CRLF in Subject refused");
	CHECK(mail_build("x <noreply@example.org>", "bob@example.org", "Hi\nX-Evil: 1", "b") == NULL, "LF in Subject refused");
	CHECK(mail_build("x\r\nBcc: e@x.org <noreply@example.org>", "bob@example.org", "Hi", "b") == NULL, "CRLF in From refused");
	CHECK(mail_build("not an address", "bob@example.org", "Hi", "b") == NULL, "bad From refused");

	m = mail_build("x <noreply@example.org>", "bob@example.org", "Code f\xc3\xbcr dich", "b");
	CHECK(m != NULL && strstr(m, "Subject: =?UTF-8?B?") != NULL, "UTF-8 subject is RFC 2047 encoded");
	free(m);
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
	char subject[128], body[1024];
	bson_t *de = BCON_NEW("language", BCON_UTF8("de"));
	mail_text(de, MAIL_2FA_CODE, "Team Chat", "123-456", subject, sizeof subject, body, sizeof body);
	CHECK(strcmp(subject, "Anmeldecode") == 0, "German subject");
	CHECK(strstr(body, "Team Chat") && strstr(body, "    123-456\n"), "site and code filled in");
	CHECK(strchr(body, '{') == NULL, "no placeholder left");
	mail_text(de, MAIL_2FA_CODE, "Team Chat", "123-456", subject, sizeof subject, body, 20);
	CHECK(strlen(body) == 19, "bounded by the buffer");
	bson_destroy(de);
	return unit_done();
}
