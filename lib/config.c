/* config.c - loads the flat config file through a table of known keys. */
#include "config.h"

#include <errno.h>
#include <sodium.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "secretbox.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif


struct config cfg;

enum kind { K_STR, K_LONG, K_BOOL };

struct key {
	const char *name;
	enum kind   kind;
	size_t      off;
	const char *def;
	long        min, max;   /* K_LONG range */
};

#define S(f, d)          { #f, K_STR,  offsetof(struct config, f), d, 0, 0 }
#define L(f, d, lo, hi)  { #f, K_LONG, offsetof(struct config, f), d, lo, hi }
#define B(f, d)          { #f, K_BOOL, offsetof(struct config, f), d, 0, 0 }

static const struct key keys[] = {
	S(mongodb_uri, "mongodb://127.0.0.1:27017/"),
	S(mongodb_database, "myaccount"),
	S(site_url, "http://127.0.0.1:8080"),
	S(site_name, "My Account"),
	/* What /api/info reports to Rocket.Chat clients (see cgi-bin/auth.c). */
	S(rocketchat_version, "7.6.0"),
	S(min_desktop_client_version, "3.9.0"),
	S(min_mobile_client_version, "4.40.0"),
	S(custom_sounds, ""),
	L(session_days, "90", 1, 3650),
	L(security_log_days, "90", 1, 3650),
	S(cookie_secure, "auto"),
	L(login_max_failures_per_user, "10", 1, 1000000),
	L(login_max_failures_per_ip, "50", 1, 1000000),
	L(login_block_seconds, "300", 1, 86400 * 7),
	L(argon2_opslimit, "3", 1, 20),
	L(argon2_memlimit_kib, "65536", 8, 4194304),
	L(password_min_length, "8", 1, 1024),
	L(password_max_length, "256", 8, 1024),
	S(smtp_url, "smtp://127.0.0.1:25"),
	S(smtp_from, "My Account <noreply@localhost>"),
	S(smtp_user, ""),
	S(smtp_password, ""),
	S(mail_texts, ""),      /* empty: the install's; see mailtext.c */
	S(mail_sender, ""),     /* empty: the install's; see mail.c */
	S(log_level, "info"),
	B(allow_username_change, "true"),
	B(allow_email_change, "true"),
	B(allow_password_change, "true"),
	B(allow_avatar_change, "true"),
	B(allow_name_change, "true"),
	B(totp_enabled, "true"),
	B(email_2fa_enabled, "true"),
	B(e2e_enabled, "true"),
	B(personal_access_tokens_enabled, "true"),
	L(personal_access_tokens_max_per_user, "50", 0, 10000),
	B(data_export_enabled, "true"),
	B(allow_delete_own_account, "false"),
	S(trusted_proxies, ""),
	S(secret_key, ""),
	L(login_forget_seconds, "86400", 60, 86400 * 30),
	L(hash_concurrency, "2", 0, 1024),
	L(hash_wait_ms, "3000", 0, 60000),
	/* profile */
	B(allow_profile_change, "true"),
	B(allow_status_message_change, "true"),
	B(allow_invisible_status, "true"),
	S(blocked_usernames, ""),
	/* Password policy, history and strength (cgi-bin/profile/password.c). */
	B(password_policy_enabled, "false"),
	B(password_forbid_repeating, "true"),
	L(password_max_repeating, "3", 1, 100),
	B(password_require_lowercase, "true"),
	B(password_require_uppercase, "true"),
	B(password_require_number, "true"),
	B(password_require_special, "true"),
	B(password_history_enabled, "false"),
	L(password_history_amount, "5", 1, 50),
	L(password_min_strength, "2", 0, 4),
	L(password_reset_minutes, "60", 5, 7 * 24 * 60),
	L(email_verify_hours, "24", 1, 30 * 24),
	/* Avatars: Rocket.Chat's Accounts_AvatarSize is 200. 4096 x 4096 pixels
	 * decode into 64 MiB; the URL rules are in lib/fetch.h. */
	L(avatar_size, "200", 16, 1024),
	L(avatar_max_bytes, "5242880", 1024, 16777216),
	L(avatar_max_pixels, "16777216", 1024, 100000000),
	B(avatar_url_fetch, "true"),
	L(avatar_fetch_timeout_ms, "10000", 100, 60000),
	B(avatar_fetch_allow_private, "false"),
	S(avatar_fetch_allow_networks, ""),
	/* The security area. */
	S(totp_keys, ""),
	S(totp_key_current, ""),
	L(totp_window_steps, "1", 0, 10),
	L(twofactor_remember_seconds, "1800", 0, 86400),
	L(backup_codes_warn_below, "3", 0, 12),
	B(passkeys_enabled, "true"),
	S(passkeys_user_verification, "preferred"),
	S(passkeys_origin, ""),
	/* My Data export (cgi-bin/mydata, myaccount-admin run-queue). */
	L(data_export_link_days, "7", 1, 90),
	L(data_export_requests_per_hour, "10", 1, 1000),
	L(data_export_lease_seconds, "600", 5, 86400),
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const struct key *
find_key(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
parse_bool(const char *v, bool *out)
{
	static const char *yes[] = { "true", "yes", "on", "1" };
	static const char *no[] = { "false", "no", "off", "0" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) { *out = true; return 0; }
		if (strcasecmp(v, no[i]) == 0) { *out = false; return 0; }
	}
	return -1;
}

/* Key families owned by an area (config_section()), looked up by prefix. */
#define MAX_SECTIONS 8
static struct { const char *prefix; config_section_fn *set; } sections[MAX_SECTIONS];
static size_t n_sections;

int
config_section(const char *prefix, config_section_fn *set)
{
	for (size_t i = 0; i < n_sections; i++)
		if (strcmp(sections[i].prefix, prefix) == 0) {
			sections[i].set = set;
			return 0;
		}
	if (n_sections == MAX_SECTIONS)
		return -1;
	sections[n_sections].prefix = prefix;
	sections[n_sections++].set = set;
	return 0;
}

int
config_set(const char *name, const char *value, char *err, size_t errlen)
{
	const struct key *k = find_key(name);
	char *p = k ? (char *)&cfg + k->off : NULL;

	if (k == NULL) {
		for (size_t i = 0; i < n_sections; i++)
			if (strncmp(name, sections[i].prefix, strlen(sections[i].prefix)) == 0)
				return sections[i].set(name + strlen(sections[i].prefix), value, err, errlen);
	}
	if (k == NULL) {
		snprintf(err, errlen, "unknown key '%s'", name);
		return -1;
	}
	switch (k->kind) {
	case K_STR: {
		char *copy = strdup(value);
		if (copy == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		free(*(char **)p);
		*(char **)p = copy;
		break;
	}
	case K_LONG: {
		char *end;
		long v;
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < k->min || v > k->max) {
			snprintf(err, errlen, "'%s' must be a whole number from %ld to %ld",
			    name, k->min, k->max);
			return -1;
		}
		*(long *)p = v;
		break;
	}
	case K_BOOL:
		if (parse_bool(value, (bool *)p) != 0) {
			snprintf(err, errlen, "'%s' must be true or false", name);
			return -1;
		}
		break;
	}
	return 0;
}

static char *
trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

const char *
config_default_path(void)
{
	const char *env = getenv("MYACCOUNT_CONFIG");
	return env && *env ? env : SYSCONFDIR "/myaccount.conf";
}

static int
read_file(const char *path, char *err, size_t errlen)
{
	char line[4096], msg[256];
	int lineno = 0, rc = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char *s, *eq;
		lineno++;
		/* A line that did not fit would be read on as a second line. */
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%d: line longer than %zu bytes", path, lineno,
			    sizeof line - 2);
			rc = -1;
			break;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (eq == NULL) {
			snprintf(err, errlen, "%s:%d: expected 'key = value'", path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		if (config_set(trim(s), trim(eq + 1), msg, sizeof msg) != 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
			rc = -1;
			break;
		}
	}
	fclose(f);
	return rc;
}

static unsigned char secret[32];
static bool have_secret;

const unsigned char *
config_secret(void)
{
	return have_secret ? secret : NULL;
}

/* secret_key is required in a config file: the keyed hashes of backup and
 * email codes and the device cookies depend on it, and a key made up here
 * would differ between processes. */
static int
load_secret(const char *path, char *err, size_t errlen)
{
	size_t n = 0;
	const char *s = cfg.secret_key;

	if (*s == '\0') {
		snprintf(err, errlen, "%s: secret_key is not set; add a line 'secret_key = ' followed by "
		    "64 random hex digits (openssl rand -hex 32)", path);
		return -1;
	}
	if (strlen(s) != 2 * sizeof secret || strspn(s, "0123456789abcdefABCDEF") != 2 * sizeof secret ||
	    sodium_hex2bin(secret, sizeof secret, s, strlen(s), NULL, &n, NULL) != 0 || n != sizeof secret) {
		snprintf(err, errlen, "%s: secret_key must be 64 hex digits (openssl rand -hex 32)", path);
		return -1;
	}
	have_secret = true;
	return 0;
}

int
config_load(const char *path, char *err, size_t errlen)
{
	const char *env = getenv("MYACCOUNT_CONFIG");
	size_t n;

	config_free();
	sodium_memzero(secret, sizeof secret);
	have_secret = false;
	for (size_t i = 0; i < NKEYS; i++)
		if (config_set(keys[i].name, keys[i].def, err, errlen) != 0)
			return -1;
	if (path == NULL) {
		path = config_default_path();
		/* Built-in defaults are enough for a first look without a file. */
		if ((env == NULL || *env == '\0') && access(path, R_OK) != 0)
			return 0;
	}
	if (read_file(path, err, errlen) != 0)
		return -1;
	n = strlen(cfg.site_url);
	while (n > 0 && cfg.site_url[n - 1] == '/')
		cfg.site_url[--n] = '\0';
	if (load_secret(path, err, errlen) != 0)
		return -1;
	if (secretbox_load(err, errlen) != 0)
		return -1;
	if (cfg.password_min_length > cfg.password_max_length) {
		snprintf(err, errlen, "%s: password_min_length is above password_max_length", path);
		return -1;
	}
	if (strcmp(cfg.passkeys_user_verification, "required") != 0 &&
	    strcmp(cfg.passkeys_user_verification, "preferred") != 0 &&
	    strcmp(cfg.passkeys_user_verification, "discouraged") != 0) {
		snprintf(err, errlen, "%s: passkeys_user_verification must be required, preferred or discouraged", path);
		return -1;
	}
	return 0;
}

void
config_free(void)
{
	if (cfg.secret_key)
		sodium_memzero(cfg.secret_key, strlen(cfg.secret_key));
	for (size_t i = 0; i < NKEYS; i++) {
		if (keys[i].kind == K_STR) {
			char **p = (char **)((char *)&cfg + keys[i].off);
			free(*p);
			*p = NULL;
		}
	}
}
