/* pwpolicy.c - see pwpolicy.h. One table of rules: when each applies, how
 * it is tested, and its names on the wire. */
#include "pwpolicy.h"

#include <stdbool.h>
#include <string.h>

#include "config.h"
#include "utf8.h"

/* Character classes as Rocket.Chat's regular expressions define them:
 * [a-z], [A-Z], [0-9], and special = anything else but a space. */
static bool is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static bool is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static bool is_special(unsigned char c) { return !is_lower(c) && !is_upper(c) && !is_digit(c) && c != ' '; }

static bool
has_class(const char *pw, bool (*cls)(unsigned char))
{
	for (const unsigned char *p = (const unsigned char *)pw; *p; p++)
		if (cls(*p))
			return true;
	return false;
}

static long length(const char *pw) { return utf8_length(pw, strlen(pw)); }

static bool too_short(const char *pw) { return length(pw) < cfg.password_min_length; }
static bool too_long(const char *pw) { return length(pw) > cfg.password_max_length; }
static bool no_lower(const char *pw) { return !has_class(pw, is_lower); }
static bool no_upper(const char *pw) { return !has_class(pw, is_upper); }
static bool no_digit(const char *pw) { return !has_class(pw, is_digit); }
static bool no_special(const char *pw) { return !has_class(pw, is_special); }

/* (.)\1{N,}: one character followed by N or more of itself, compared as
 * whole UTF-8 sequences. */
static bool
repeats(const char *pw)
{
	size_t n = strlen(pw), prev_len = 0;
	const char *prev = NULL;
	long run = 0;

	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq_len((const unsigned char *)pw + i, n - i);
		if (l == 0)
			l = 1;
		if (prev && l == prev_len && memcmp(prev, pw + i, l) == 0)
			run++;
		else
			run = 0;
		if (run >= cfg.password_max_repeating)
			return true;
		prev = pw + i;
		prev_len = l;
		i += l;
	}
	return false;
}

static const bool always = true;

static const struct rule {
	const bool *on;             /* the rule's switch */
	bool        needs_policy;   /* only while password_policy_enabled */
	bool      (*fails)(const char *pw);
	const char *policy;         /* pw.getPolicy's name */
	const char *param;          /* its parameter's name, NULL: none */
	const long *value;          /* the parameter */
	const char *error;          /* the reason's error */
	const char *message;
} rules[] = {
	{ &always, false, too_short, "get-password-policy-minLength", "minLength", &cfg.password_min_length,
	  "error-password-policy-not-met-minLength", "The password does not meet the minimum length password policy." },
	{ &always, false, too_long, "get-password-policy-maxLength", "maxLength", &cfg.password_max_length,
	  "error-password-policy-not-met-maxLength", "The password does not meet the maximum length password policy." },
	{ &cfg.password_forbid_repeating, true, repeats, "get-password-policy-forbidRepeatingCharactersCount",
	  "forbidRepeatingCharactersCount", &cfg.password_max_repeating,
	  "error-password-policy-not-met-repeatingCharacters", "The password contains repeating characters which is against the password policy." },
	{ &cfg.password_require_lowercase, true, no_lower, "get-password-policy-mustContainAtLeastOneLowercase", NULL, NULL,
	  "error-password-policy-not-met-oneLowercase", "The password does not contain at least one lowercase character which is against the password policy." },
	{ &cfg.password_require_uppercase, true, no_upper, "get-password-policy-mustContainAtLeastOneUppercase", NULL, NULL,
	  "error-password-policy-not-met-oneUppercase", "The password does not contain at least one uppercase character which is against the password policy." },
	{ &cfg.password_require_number, true, no_digit, "get-password-policy-mustContainAtLeastOneNumber", NULL, NULL,
	  "error-password-policy-not-met-oneNumber", "The password does not contain at least one numerical character which is against the password policy." },
	{ &cfg.password_require_special, true, no_special, "get-password-policy-mustContainAtLeastOneSpecialCharacter", NULL, NULL,
	  "error-password-policy-not-met-oneSpecial", "The password does not contain at least one special character which is against the password policy." },
};
#define NRULES (sizeof rules / sizeof rules[0])

static bool
rule_on(const struct rule *r)
{
	return *r->on && (!r->needs_policy || cfg.password_policy_enabled);
}

json_object *
pwpolicy_json(void)
{
	json_object *o = json_object_new_object(), *list = json_object_new_array();

	for (size_t i = 0; i < NRULES; i++) {
		if (!rule_on(&rules[i]))
			continue;
		json_object *item = json_object_new_array();
		/* Rocket.Chat lists the repeat switch on its own, then its count. */
		if (rules[i].fails == repeats) {
			json_object_array_add(item, json_object_new_string("get-password-policy-forbidRepeatingCharacters"));
			json_object_array_add(list, item);
			item = json_object_new_array();
		}
		json_object_array_add(item, json_object_new_string(rules[i].policy));
		if (rules[i].param) {
			json_object *p = json_object_new_object();
			json_object_object_add(p, rules[i].param, json_object_new_int64(*rules[i].value));
			json_object_array_add(item, p);
		}
		json_object_array_add(list, item);
	}
	/* The length limits always apply, so a policy is always in force. */
	json_object_object_add(o, "enabled", json_object_new_boolean(true));
	json_object_object_add(o, "policy", list);
	return o;
}

json_object *
pwpolicy_check(const char *password)
{
	json_object *reasons = json_object_new_array();

	if (strspn(password, " \t\r\n") == strlen(password))
		return reasons;
	for (size_t i = 0; i < NRULES; i++) {
		if (!rule_on(&rules[i]) || !rules[i].fails(password))
			continue;
		json_object *r = json_object_new_object();
		json_object_object_add(r, "error", json_object_new_string(rules[i].error));
		json_object_object_add(r, "message", json_object_new_string(rules[i].message));
		json_object_array_add(reasons, r);
	}
	if (json_object_array_length(reasons) == 0) {
		json_object_put(reasons);
		return NULL;
	}
	return reasons;
}
