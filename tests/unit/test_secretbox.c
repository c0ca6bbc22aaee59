/* test_secretbox.c - TOTP secrets at rest (lib/secretbox.c): the key ring
 * as the config gives it, sealing bound to a user and a key, rotation's
 * view of "current"; and the otpauth URL and fresh secrets of lib/totp.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "crypto.h"
#include "secretbox.h"
#include "totp.h"
#include "unit.h"

#define KEY "secret_key = 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
#define K1  "1111111111111111111111111111111111111111111111111111111111111111"
#define K2  "2222222222222222222222222222222222222222222222222222222222222222"

/* Loads a config of KEY plus LINES; the loader's result. */
static int
load(const char *lines, char *err, size_t n)
{
	char path[] = "/tmp/ma-sb-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "%s%s", KEY, lines);
	fclose(f);
	int rc = config_load(path, err, n);
	unlink(path);
	return rc;
}

static void
test_ring(void)
{
	char err[512];
	static const struct { const char *lines; const char *why; } bad[] = {
		{ "totp_keys = a:12\n", "short key" },
		{ "totp_keys = " K1 "\n", "no id" },
		{ "totp_keys = a:" K1 ", a:" K2 "\n", "id twice" },
		{ "totp_keys = a b:" K1 "\n", "entry without a key" },
		{ "totp_keys = ab%:" K1 "\n", "bad id character" },
		{ "totp_keys = a:" K1 "\ntotp_key_current = b\n", "current not in the ring" },
		{ "totp_keys = sk:" K1 "\n", "sk is the derived key's id" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(load(bad[i].lines, err, sizeof err) != 0 && strstr(err, "totp_key") != NULL, bad[i].why);
	CHECK(load("", err, sizeof err) == 0 && strcmp(secretbox_current_id(), "sk") == 0, "no ring: sk");
	CHECK(load("totp_keys = a:" K1 ", b:" K2 "\n", err, sizeof err) == 0 && strcmp(secretbox_current_id(), "a") == 0,
	    "first listed is current");
	CHECK(load("totp_keys = a:" K1 ", b:" K2 "\ntotp_key_current = sk\n", err, sizeof err) == 0 &&
	    strcmp(secretbox_current_id(), "sk") == 0, "sk may be made current");
}

static void
test_seal(void)
{
	char err[512], *a, *b, *p;

	CHECK(load("", err, sizeof err) == 0, "loads");
	a = secretbox_seal("user1", "JBSWY3DPEHPK3PXP");
	CHECK(a && strncmp(a, "sb1:sk:", 7) == 0 && strstr(a, "JBSWY3DP") == NULL, "sealed names its key, hides the secret");
	b = secretbox_seal("user1", "JBSWY3DPEHPK3PXP");
	CHECK(a && b && strcmp(a, b) != 0, "a fresh nonce each time");
	p = secretbox_open("user1", a);
	CHECK(p && strcmp(p, "JBSWY3DPEHPK3PXP") == 0, "opens for its user");
	secretbox_free(p);
	CHECK(secretbox_open("user2", a) == NULL, "not for another user");
	CHECK(secretbox_open("user", a) == NULL, "not for a prefix of the user id");
	char *t = strdup(a);
	t[strlen(t) - 3] = t[strlen(t) - 3] == 'A' ? 'B' : 'A';
	CHECK(secretbox_open("user1", t) == NULL, "tampered: refused");
	CHECK(secretbox_open("user1", "JBSWY3DPEHPK3PXP") == NULL, "plain text is not sealed");
	CHECK(secretbox_open("user1", "sb1:zz:AAAA") == NULL, "unknown key id");
	CHECK(secretbox_is_current(a), "under the current key");

	/* A ring: sk still opens; new seals are under the ring's key. */
	CHECK(load("totp_keys = new:" K1 "\n", err, sizeof err) == 0, "ring loads");
	p = secretbox_open("user1", a);
	CHECK(p && strcmp(p, "JBSWY3DPEHPK3PXP") == 0, "the derived key still opens");
	secretbox_free(p);
	CHECK(!secretbox_is_current(a), "but is no longer current");
	char *c = secretbox_seal("user1", "ABC");
	CHECK(c && strncmp(c, "sb1:new:", 8) == 0 && secretbox_is_current(c), "sealed under the ring key");
	/* Without that key in the ring, it does not open. */
	CHECK(load("totp_keys = other:" K2 "\n", err, sizeof err) == 0, "other ring loads");
	CHECK(secretbox_open("user1", c) == NULL, "a key not in the ring: unreadable");
	free(a); free(b); free(c); free(t);
}

static void
test_totp_helpers(void)
{
	char s1[TOTP_SECRET_B32 + 1], s2[TOTP_SECRET_B32 + 1], err[512];
	uint64_t counter;

	totp_new_secret(s1);
	totp_new_secret(s2);
	CHECK(strlen(s1) == 32 && strspn(s1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == 32 && strcmp(s1, s2) != 0,
	    "secrets: 32 base32 characters, random");
	CHECK(load("site_name = Acme: Chat & Co\n", err, sizeof err) == 0, "loads");
	char *u = totp_otpauth_url("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "bob.smith");
	CHECK(u && strcmp(u, "otpauth://totp/Acme%20%20Chat%20%26%20Co:bob.smith?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	    "&issuer=Acme%20%20Chat%20%26%20Co&algorithm=SHA1&digits=6&period=30") == 0, "otpauth URL, issuer without colon");
	free(u);
	/* RFC 6238 at t=59 (6 digits), within the configured window. */
	CHECK(totp_code_ok("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "287082", 59, &counter) && counter == 1, "RFC 6238 t=59");
	CHECK(load("totp_window_steps = 0\n", err, sizeof err) == 0 &&
	    !totp_code_ok("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "287082", 89, &counter), "window 0: the step before is refused");
	CHECK(load("totp_window_steps = 1\n", err, sizeof err) == 0 &&
	    totp_code_ok("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "287082", 89, &counter), "window 1: accepted");
}

int
main(void)
{
	CHECK(crypto_init() == 0, "libsodium");
	test_ring();
	test_seal();
	test_totp_helpers();
	config_free();
	return unit_done();
}
