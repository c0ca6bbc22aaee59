/* test_limits.c - what guards guessing, without a database: per-address key
 * subjects (IPv6 by /64), rate-limit keys of any length, keyed hashes of
 * codes, device cookies, the host-wide hashing semaphore (cap, timeout,
 * SEM_UNDO after a kill) and the dummy hash of unknown accounts. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "crypto.h"
#include "loginguard.h"
#include "pwcheck.h"
#include "ratelimit.h"
#include "totp.h"
#include "unit.h"

static char conf_path[] = "/tmp/ma-limits-XXXXXX";

static void
load_config(const char *extra)
{
	char err[512];
	FILE *f = fopen(conf_path, "w");
	fprintf(f, "secret_key = 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
	    "argon2_opslimit = 1\nargon2_memlimit_kib = 8192\n%s", extra);
	fclose(f);
	setenv("MYACCOUNT_CONFIG", conf_path, 1);
	CHECK(config_load(conf_path, err, sizeof err) == 0, err);
}

static void
test_sources(void)
{
	static const struct { const char *ip, *want; } cases[] = {
		{ "192.0.2.7", "192.0.2.7" },
		{ "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64" },
		{ "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64" },
		{ "2001:DB8:1:2::1", "2001:db8:1:2::/64" },
		{ "2001:db8:1:3::1", "2001:db8:1:3::/64" },
		{ "::ffff:192.0.2.7", "192.0.2.7" },
		{ "::1", "::/64" },
		{ "not an address", "not an address" },
	};
	char out[96];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		rl_source(cases[i].ip, out, sizeof out);
		CHECK(strcmp(out, cases[i].want) == 0, cases[i].ip);
	}
}

static void
test_keys(void)
{
	struct rl_key a, b;
	char long1[3000], long2[3000];

	/* 1000 three-byte characters: the key neither truncates nor collides. */
	for (int i = 0; i < 999; i++)
		memcpy(long1 + 3 * i, "\xe2\x82\xac", 3);
	memcpy(long2, long1, sizeof long1);
	memcpy(long1 + 2997, "a", 2);
	memcpy(long2 + 2997, "b", 2);
	rl_key_window(&a, "login-user", long1, 5, 60);
	rl_key_window(&b, "login-user", long2, 5, 60);
	CHECK(strcmp(a.id, b.id) != 0, "subjects differing at the end give different keys");
	CHECK(strlen(a.id) == strlen("login-user:") + 43, "key is scope + base64url SHA-256");
	CHECK(strspn(a.id + 11, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == 43,
	    "key is plain ASCII");
	rl_key_backoff(&b, "login-user", long1, 5, 60, 600);
	CHECK(strcmp(a.id, b.id) == 0 && b.policy == RL_BACKOFF && b.forget_s == 600, "same subject, same key");
}

static void
test_keyed(void)
{
	char h[KEYED_HASH_LEN + 1], h2[KEYED_HASH_LEN + 1];

	/* Python: hmac.new(key, b"backup-code\0ABCD2345", sha256), base64url. */
	CHECK(backup_code_hash("ABCD2345", h), "backup code hashed");
	CHECK(strcmp(h, "k1:4lhQMRJh5rlf_kAVwraaZkb0-j7QHzrZ_8jayTUhXb0") == 0, "HMAC-SHA-256 vector");
	CHECK(keyed_hash("email-code", "ABCD2345", 8, h2) && strcmp(h, h2) != 0, "purposes are separated");
}

static void
test_device_cookies(void)
{
	char c[DEVICE_COOKIE_MAX], c2[DEVICE_COOKIE_MAX], nonce[23], tampered[DEVICE_COOKIE_MAX];
	long long now = 1800000000;

	CHECK(device_cookie_make("user1", now, c), "cookie made");
	CHECK(device_cookie_check(c, "user1", now + 10, nonce) && strlen(nonce) == 22, "valid for its user");
	CHECK(!device_cookie_check(c, "user2", now, nonce), "not for another user");
	CHECK(!device_cookie_check(c, "user1", now + (long long)DEVICE_COOKIE_DAYS * 86400 + 1, nonce), "expires");
	CHECK(!device_cookie_check(c, "user1", now - 3600, nonce), "not from the future");
	snprintf(tampered, sizeof tampered, "%s", c);
	tampered[strlen(tampered) - 1] ^= 1;
	CHECK(!device_cookie_check(tampered, "user1", now, nonce), "tampered MAC refused");
	snprintf(tampered, sizeof tampered, "%s", c);
	tampered[23] = tampered[23] == '1' ? '2' : '1';   /* the issue time */
	CHECK(!device_cookie_check(tampered, "user1", now, nonce), "changed issue time refused");
	CHECK(device_cookie_make("user1", now, c2) && strcmp(c, c2) != 0, "each cookie is a new device");
	static const char *const junk[] = { "", ".", "..", "a.b.c", "x", "abc.123" };
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
		CHECK(!device_cookie_check(junk[i], "user1", now, nonce), "junk refused");
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void
test_semaphore(void)
{
	struct timespec t0;
	int pipefd[2];
	char c;

	load_config("hash_concurrency = 2\nhash_wait_ms = 200\n");
	pw_slot_remove();
	CHECK(pw_slot_take(0) == 0 && pw_slot_take(0) == 0, "two slots of two");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(pw_slot_take(150) == 1, "a third waits, then is told busy");
	CHECK(ms_since(&t0) >= 140, "after the bounded wait");
	pw_slot_give();
	CHECK(pw_slot_take(0) == 0, "a given-back slot is free again");
	pw_slot_give();
	pw_slot_give();

	/* Another process takes both slots and is killed holding them. */
	CHECK(pipe(pipefd) == 0, "pipe");
	pid_t pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		if (pw_slot_take(0) == 0 && pw_slot_take(0) == 0)
			(void)!write(pipefd[1], "x", 1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	CHECK(read(pipefd[0], &c, 1) == 1, "the child holds both slots");
	CHECK(pw_slot_take(50) == 1, "none left for us");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(pipefd[0]);
	CHECK(pw_slot_take(0) == 0 && pw_slot_take(0) == 0, "SEM_UNDO gave the killed process's slots back");
	pw_slot_give();
	pw_slot_give();

	/* A verification waits for a slot like everything else. */
	CHECK(pw_slot_take(0) == 0 && pw_slot_take(0) == 0, "both taken");
	char digest[SHA256_HEX_LEN + 1];
	sha256_hex("pw", 2, digest);
	CHECK(pw_verify(NULL, digest) == PW_BUSY, "no slot: busy, never a quick mismatch");
	pw_slot_give();
	pw_slot_give();
	pw_slot_remove();
}

static void
test_dummy(void)
{
	char stored[PWHASH_LEN], digest[SHA256_HEX_LEN + 1], other[SHA256_HEX_LEN + 1];
	double known[9], unknown[9];
	struct timespec t0;

	load_config("hash_concurrency = 0\n");
	sha256_hex("right", 5, digest);
	sha256_hex("wrong", 5, other);
	CHECK(pw_hash(digest, stored) == PW_MATCH, "hash made");
	CHECK(pw_verify(stored, digest) == PW_MATCH, "right password");
	CHECK(pw_verify(stored, other) == PW_MISMATCH, "wrong password");
	CHECK(pw_verify(NULL, digest) == PW_MISMATCH, "unknown account never matches");
	for (int i = 0; i < 9; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		pw_verify(stored, other);
		known[i] = ms_since(&t0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		pw_verify(NULL, other);
		unknown[i] = ms_since(&t0);
	}
	qsort(known, 9, sizeof known[0], cmp_double);
	qsort(unknown, 9, sizeof unknown[0], cmp_double);
	char msg[128];
	snprintf(msg, sizeof msg, "unknown account costs a real check (median %.2f ms vs %.2f ms)",
	    unknown[4], known[4]);
	CHECK(unknown[4] > known[4] * 0.7 && unknown[4] < known[4] * 1.3, msg);
	/* A changed cost changes the dummy too. */
	load_config("hash_concurrency = 0\nargon2_memlimit_kib = 16384\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pw_verify(NULL, other);
	CHECK(ms_since(&t0) > known[4] * 1.3, "the dummy follows the configured cost");
}

int
main(void)
{
	int fd = mkstemp(conf_path);
	CHECK(fd >= 0 && crypto_init() == 0, "set up");
	close(fd);
	load_config("");
	test_sources();
	test_keys();
	test_keyed();
	test_device_cookies();
	test_semaphore();
	test_dummy();
	unlink(conf_path);
	config_free();
	return unit_done();
}
