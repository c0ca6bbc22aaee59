/* test_pwpolicy.c - the password policy's rules (Rocket.Chat's, from the
 * config), its pw.getPolicy shape, and the zxcvbn strength bands. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "pwpolicy.h"
#include "pwstrength.h"
#include "unit.h"

static void
set(const char *key, const char *value)
{
	char err[256];
	CHECK(config_set(key, value, err, sizeof err) == 0, key);
}

/* The reasons PW breaks the policy, as "minLength oneNumber ..." (the
 * part after "error-password-policy-not-met-"); "" when it passes. */
static void
reasons(const char *pw, char *out, size_t n)
{
	json_object *r = pwpolicy_check(pw);
	size_t used = 0;

	out[0] = '\0';
	if (r == NULL)
		return;
	if (json_object_array_length(r) == 0)
		snprintf(out, n, "(blank)");
	for (size_t i = 0; i < json_object_array_length(r); i++) {
		json_object *e;
		json_object_object_get_ex(json_object_array_get_idx(r, i), "error", &e);
		used += (size_t)snprintf(out + used, n - used, "%s%s", used ? " " : "",
		    json_object_get_string(e) + strlen("error-password-policy-not-met-"));
	}
	json_object_put(r);
}

static void
test_rules(void)
{
	static const struct { const char *pw, *why; } cases[] = {
		{ "Abcdef1!", "" },
		{ "Ab1!", "minLength" },
		{ "abcdefg1!", "oneUppercase" },
		{ "ABCDEFG1!", "oneLowercase" },
		{ "Abcdefgh!", "oneNumber" },
		{ "Abcdefg12", "oneSpecial" },
		{ "Abc defg1", "oneSpecial" },         /* a space is not special */
		{ "Abcdéfg1", "" },                    /* non-ASCII counts as special */
		{ "Abbbcde1!", "" },                   /* three in a row are fine */
		{ "Abbbbcd1!", "repeatingCharacters" },
		{ "Aéééé1!xyz", "repeatingCharacters" }, /* compared as characters */
		{ "        ", "(blank)" },
		{ "aaaa", "minLength repeatingCharacters oneUppercase oneNumber oneSpecial" },
	};
	char got[512];

	set("password_policy_enabled", "true");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		reasons(cases[i].pw, got, sizeof got);
		CHECK(strcmp(got, cases[i].why) == 0, cases[i].pw);
		if (strcmp(got, cases[i].why) != 0)
			fprintf(stderr, "  %s: got '%s', want '%s'\n", cases[i].pw, got, cases[i].why);
	}
	/* Off: only the lengths, which always apply. */
	set("password_policy_enabled", "false");
	reasons("aaaa", got, sizeof got);
	CHECK(strcmp(got, "minLength") == 0, "policy off: length only");
	set("password_max_length", "10");
	reasons("abcdefghijk", got, sizeof got);
	CHECK(strcmp(got, "maxLength") == 0, "the maximum length");
	reasons("ééééééééé", got, sizeof got);
	CHECK(strcmp(got, "") == 0, "lengths count characters, not bytes");
	set("password_max_length", "256");
}

static void
test_policy_json(void)
{
	set("password_policy_enabled", "true");
	set("password_require_special", "false");
	json_object *o = pwpolicy_json();
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	CHECK(strcmp(s, "{\"enabled\":true,\"policy\":[[\"get-password-policy-minLength\",{\"minLength\":8}],"
	    "[\"get-password-policy-maxLength\",{\"maxLength\":256}],[\"get-password-policy-forbidRepeatingCharacters\"],"
	    "[\"get-password-policy-forbidRepeatingCharactersCount\",{\"forbidRepeatingCharactersCount\":3}],"
	    "[\"get-password-policy-mustContainAtLeastOneLowercase\"],[\"get-password-policy-mustContainAtLeastOneUppercase\"],"
	    "[\"get-password-policy-mustContainAtLeastOneNumber\"]]}") == 0, s);
	json_object_put(o);
	set("password_require_special", "true");
	set("password_policy_enabled", "false");
}

static void
test_strength(void)
{
	static const char *const words[] = { "annabelle", NULL };
	static const struct { const char *pw; int min, max; unsigned has; } cases[] = {
		{ "password", 0, 0, PWS_DICTIONARY },
		{ "zxcvbnm,./", 0, 1, PWS_KEYBOARD },
		{ "abcdefgh", 0, 1, PWS_SEQUENCE },
		{ "Annabelle1", 0, 1, PWS_USER_WORD },
		{ "19871987", 0, 1, 0 },
		{ "Zq7!a1b2c3d4e5f6-Wm", 4, 4, 0 },
		{ "correct horse battery staple", 3, 4, PWS_DICTIONARY },
	};
	struct pw_strength s;

	set("password_min_strength", "2");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		pwstrength_estimate(cases[i].pw, words, &s);
		CHECK(s.score >= cases[i].min && s.score <= cases[i].max, cases[i].pw);
		CHECK((s.patterns & cases[i].has) == cases[i].has, cases[i].pw);
		CHECK(pwstrength_ok(&s) == (s.score >= 2), "ok follows the threshold");
	}
	char longpw[2048];
	memset(longpw, 'x', sizeof longpw - 1);
	longpw[sizeof longpw - 1] = '\0';
	pwstrength_estimate(longpw, NULL, &s);
	/* Judged on its first PWSTRENGTH_MAX_BYTES, quickly; zxcvbn scores a
	 * 256-character repeat as fair, so the policy's repeat rule is the
	 * one that refuses it. */
	CHECK(s.patterns & PWS_REPEAT, "a long repeat: judged on its prefix");
	set("password_policy_enabled", "true");
	json_object *r = pwpolicy_check(longpw);
	CHECK(r != NULL, "and refused by the repeat rule");
	json_object_put(r);
	set("password_policy_enabled", "false");
}

int
main(void)
{
	char err[256];
	CHECK(config_load("/nonexistent-so-defaults", err, sizeof err) != 0, "defaults set before the file is read");
	test_rules();
	test_policy_json();
	test_strength();
	return unit_done();
}
