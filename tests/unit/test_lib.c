/* test_lib.c - config, hashing, tokens, TOTP, URL and JSON helpers. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "crypto.h"
#include "errors.h"
#include "json.h"
#include "prefkeys.h"
#include "request.h"
#include "store.h"
#include "totp.h"
#include "unit.h"
#include "useragent.h"

static void
test_config(void)
{
	char path[] = "/tmp/ma-config-XXXXXX", err[512];
	int fd = mkstemp(path);
	const char *text = "# comment\n\nsite_url = https://chat.example.org/\nsession_days=7\n"
	    "allow_username_change = no\npreference.idleTimeLimit = 600\n"
	    "secret_key = 00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF\n";
	CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "temp config written");
	close(fd);
	/* The preferences area registers its "preference." keys. */
	CHECK(preferences_init(err, sizeof err) == 0, "preference keys registered");
	CHECK(config_load(path, err, sizeof err) == 0, "config loads");
	CHECK(strcmp(cfg.site_url, "https://chat.example.org") == 0, "trailing slash trimmed");
	CHECK(cfg.session_days == 7, "number read");
	CHECK(!cfg.allow_username_change, "bool 'no'");
	CHECK(cfg.login_max_failures_per_user == 10, "default kept");

	static const struct { const char *line; const char *why; } bad[] = {
		{ "session_days = 0\n", "below range" },
		{ "session_days = ten\n", "not a number" },
		{ "no_such_key = 1\n", "unknown key" },
		{ "totp_enabled = maybe\n", "not a bool" },
		{ "just words\n", "no equals sign" },
		{ "preference.clockMode = 7\n", "preference out of range" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		FILE *f = fopen(path, "w");
		fputs(bad[i].line, f);
		fclose(f);
		err[0] = '\0';
		CHECK(config_load(path, err, sizeof err) != 0, bad[i].why);
		CHECK(strstr(err, ":1:") != NULL, "error names the line");
	}
	CHECK(config_load("/nonexistent/myaccount.conf", err, sizeof err) != 0, "missing explicit file is an error");
	/* A file must carry a well-formed server secret. */
	static const char *const secrets[] = { "", "secret_key =\n", "secret_key = abc\n",
	    "secret_key = 00112233445566778899aabbccddeeff00112233445566778899aabbccddeexx\n",
	    "secret_key = 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00\n" };
	for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
		FILE *s = fopen(path, "w");
		fputs(secrets[i], s);
		fclose(s);
		err[0] = '\0';
		CHECK(config_load(path, err, sizeof err) != 0 && strstr(err, "secret_key") != NULL,
		    "a missing or malformed secret_key is named");
	}
	FILE *f = fopen(path, "w");
	fprintf(f, "smtp_from = x <a@example.org>");
	for (int i = 0; i < 5000; i++)
		fputc('x', f);
	fputs("\nsession_days = 1\n", f);
	fclose(f);
	CHECK(config_load(path, err, sizeof err) != 0 && strstr(err, "longer than") != NULL,
	    "an over-long line is an error, not two lines");
	unlink(path);
}

static void
test_hashes(void)
{
	char h[TOKEN_HASH_LEN + 1], hex[SHA256_HEX_LEN + 1];
	/* base64(SHA-256("abc")), as Meteor's _hashLoginToken computes it. */
	token_hash("abc", h);
	CHECK(strcmp(h, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=") == 0, "token hash vector");
	sha256_hex("abc", 3, hex);
	CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0, "sha256 hex vector");
	CHECK(is_sha256_hex(hex), "hex recognised");
	CHECK(!is_sha256_hex("BA7816BF"), "short/upper refused");
	CHECK(secret_equal("abc", "abc") && !secret_equal("abc", "abd") && !secret_equal("abc", "abcd"), "secret_equal");
}

static void
test_random(void)
{
	char a[SECRET_LEN + 1], b[SECRET_LEN + 1], id[ID_LEN + 1], d[7];
	random_secret(a);
	random_secret(b);
	CHECK(strlen(a) == SECRET_LEN && strcmp(a, b) != 0, "secrets are 43 chars and differ");
	CHECK(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == SECRET_LEN, "base64url alphabet");
	random_id(id, ID_LEN);
	CHECK(strlen(id) == ID_LEN && strspn(id, "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz") == ID_LEN, "Random.id alphabet");
	random_digits(d, 6);
	CHECK(strlen(d) == 6 && strspn(d, "0123456789") == 6, "digits");
}

static void
test_passwords(void)
{
	char stored[PWHASH_LEN], digest[SHA256_HEX_LEN + 1], other[SHA256_HEX_LEN + 1];
	sha256_hex("correct horse", 13, digest);
	sha256_hex("wrong horse", 11, other);
	CHECK(password_hash(digest, 1, 8192, stored) == 0, "hash made");
	CHECK(strncmp(stored, "$argon2id$", 10) == 0, "argon2id");
	CHECK(password_verify(stored, digest), "right password verifies");
	CHECK(!password_verify(stored, other), "wrong password fails");
	CHECK(!password_needs_rehash(stored, 1, 8192), "same cost: no rehash");
	CHECK(password_needs_rehash(stored, 2, 8192), "higher cost: rehash");
}

static void
test_totp(void)
{
	/* RFC 6238 secret "12345678901234567890"; 6-digit SHA1 code at t=59 is 287082. */
	const char *secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
	uint64_t counter = 0;
	CHECK(totp_code_ok(secret, "287082", 59, &counter) && counter == 1, "RFC 6238 vector at t=59");
	CHECK(totp_code_ok(secret, "287082", 89, &counter), "previous step accepted (window 1)");
	CHECK(!totp_code_ok(secret, "287082", 150, &counter), "far step refused");
	CHECK(!totp_code_ok(secret, "28708", 59, &counter), "short code refused");
	CHECK(!totp_code_ok(secret, "28708a", 59, &counter), "non-digit refused");
	CHECK(totp_code_ok(secret, "081804", 1111111109, &counter), "RFC vector 1111111109 (6 digits)");
}

static void
test_urlencoded(void)
{
	json_object *o = json_object_new_object();
	CHECK(parse_urlencoded("user=a%40b.c&password=p+w", 25, o), "form parses");
	json_object *v;
	CHECK(json_object_object_get_ex(o, "user", &v) && strcmp(json_object_get_string(v), "a@b.c") == 0, "percent decoded");
	CHECK(json_object_object_get_ex(o, "password", &v) && strcmp(json_object_get_string(v), "p w") == 0, "plus is space");
	json_object_put(o);
	/* Rocket.Chat's body parser (qs) brackets: nesting and lists. */
	o = json_object_new_object();
	const char *form = "data%5BuseEmojis%5D=false&data[highlights][]=a&data[highlights][]=b&userId=x";
	CHECK(parse_urlencoded(form, strlen(form), o), "bracketed form parses");
	CHECK(strcmp(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	    "{\"data\":{\"useEmojis\":\"false\",\"highlights\":[\"a\",\"b\"]},\"userId\":\"x\"}") == 0,
	    "a[b] nests, a[] appends");
	json_object_put(o);
	static const char *bad[] = { "a=%zz", "a=%00", "a=1&a=2", "=x", "a=1&a[b]=2", "a[b]=1&a[b]=2",
	    "a[b=1", "[x]=1", "a[]=1&a[x]=2", "a[][b]=1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		o = json_object_new_object();
		CHECK(!parse_urlencoded(bad[i], strlen(bad[i]), o), bad[i]);
		json_object_put(o);
	}
}

static void
test_json_dates(void)
{
	char buf[32];
	iso_date(0, buf);
	CHECK(strcmp(buf, "1970-01-01T00:00:00.000Z") == 0, "epoch");
	static const char *const bad_dates[] = {
		"2027-06-15T12:-5:00Z", "+027-06-15T12:00:00Z", "2027-06-15T 2:00:00Z", "2027-06-15T12:00:00+ 4:00",
		"2027-02-30T00:00:00Z", "2027-06-15T12:00:00", "2027-06-15 12:00:00Z", "2027-06-15T12:00:00.Z",
		"9999-12-31T23:59:59.999-14:00", "2027-06-15T12:00:00Zx",
	};
	int64_t ms;
	for (size_t i = 0; i < sizeof bad_dates / sizeof bad_dates[0]; i++)
		CHECK(!parse_iso_date(bad_dates[i], &ms), bad_dates[i]);
	CHECK(parse_iso_date("2027-06-15T12:00:00.5+02:00", &ms) && ms == 1813053600500LL, "offset and fraction");
	/* Years before 1000 keep four digits; the proleptic Gregorian calendar,
	 * as JavaScript's Date and Python's datetime count. */
	iso_date(-30000000000000LL, buf);
	CHECK(strcmp(buf, "1019-05-04T18:40:00.000Z") == 0, "a date before 1900");
	iso_date(-62135596800000LL, buf);
	CHECK(strcmp(buf, "0001-01-01T00:00:00.000Z") == 0, "year 1 has four digits");
	CHECK(parse_iso_date("0001-01-01T00:00:00Z", &ms) && ms == -62135596800000LL, "and reads back");
	iso_date(1700000000123LL, buf);
	CHECK(strcmp(buf, "2023-11-14T22:13:20.123Z") == 0, "milliseconds kept");
	bson_t *doc = BCON_NEW("a", BCON_UTF8("x"), "d", BCON_DATE_TIME(0), "n", "{", "b", BCON_BOOL(true), "}");
	json_object *o = bson_to_json(doc);
	CHECK(strcmp(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	    "{\"a\":\"x\",\"d\":\"1970-01-01T00:00:00.000Z\",\"n\":{\"b\":true}}") == 0, "bson to json");
	json_object_put(o);
	bson_destroy(doc);
}

/* The error table is the whole vocabulary: every kind has a row, a status
 * and a message, and no two kinds share an errorType. */
static void
test_error_table(void)
{
	for (int k = ERR_NONE + 1; k < ERR__COUNT; k++) {
		const struct err_info *e = err_info((enum err_kind)k);
		char what[64];
		snprintf(what, sizeof what, "error kind %d has a status and a message", k);
		CHECK(e->status >= 400 && e->status <= 599 && e->message && *e->message, what);
		for (int j = k + 1; e->type && j < ERR__COUNT; j++) {
			const struct err_info *o = err_info((enum err_kind)j);
			snprintf(what, sizeof what, "errorType %s is one kind's", e->type);
			CHECK(o->type == NULL || strcmp(o->type, e->type) != 0, what);
		}
	}
	CHECK(err_info((enum err_kind)9999) == err_info(ERR_INTERNAL), "out of range is internal");
}

/* Deleting or exporting an account walks the collection table: every
 * collection must say how its documents belong to a user. */
static void
test_collection_owners(void)
{
	for (int c = 0; c < COLL__COUNT; c++) {
		const struct coll_owner *o = store_coll_owner((enum coll)c);
		char what[96];
		snprintf(what, sizeof what, "every collection says whose documents it holds: %s",
		    store_coll_name((enum coll)c) ? store_coll_name((enum coll)c) : "(unnamed)");
		CHECK(store_coll_name((enum coll)c) != NULL, what);
		CHECK((o->kind == OWNER_ID) || (o->kind == OWNER_FIELD && o->field && *o->field) ||
		    (o->kind == OWNER_NONE && o->why && *o->why) ||
		    (o->kind == OWNER_GRIDFS && o->field && *o->field), what);
	}
}

/* The device named in a new-sign-in mail: the SPA's heuristic in C. */
static void
test_user_agents(void)
{
	static const struct { const char *ua, *want; } cases[] = {
		{ "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox 128, Linux" },
		{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
		  "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge 126, Windows" },
		{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
		  "Version/17.5 Mobile/15E148 Safari/604.1", "Safari 17, iOS" },
		{ "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
		  "Chrome 126, Android" },
		{ "RC Mobile; android 14; v4.49.0 (250)", "Rocket.Chat Mobile 4, Android" },
		{ "curl/8.1.2", "" },
		{ "", "" },
		{ NULL, "" },
	};
	char out[128], what[160];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		useragent_describe(cases[i].ua, out, sizeof out);
		snprintf(what, sizeof what, "user agent named \"%s\" (got \"%s\")", cases[i].want, out);
		CHECK(strcmp(out, cases[i].want) == 0, what);
	}
	useragent_describe("Mozilla/5.0 (X11; Linux) Firefox/1281234567890", out, 12);
	CHECK(strlen(out) < 12, "the label fits its buffer");
}

int
main(void)
{
	if (crypto_init() != 0)
		return 1;
	test_config();
	test_hashes();
	test_random();
	test_passwords();
	test_totp();
	test_urlencoded();
	test_json_dates();
	test_error_table();
	test_collection_owners();
	test_user_agents();
	return unit_done();
}
