/* test_mail.c - building mail: header injection refused by construction,
 * CRLF line ends, RFC 2047 subjects, address checks. */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "mail.h"
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
	return unit_done();
}
