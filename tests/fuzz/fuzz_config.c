/* fuzz_config.c - fuzzes config_load() on the input written to a temp file, then preferences_set_default() with the input split at its first '='; asserts no crash, leak or UB, errors that name the file, numbers inside their ranges, and string settings equal to a reference reading of the lines. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"
#include "prefkeys.h"
#include "validate.h"

static char path[256];

static void
remove_temp(void)
{
	unlink(path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	(void)argc;
	(void)argv;
	snprintf(path, sizeof path, "%s/fuzz_config-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if ((fd = mkstemp(path)) < 0) {
		perror(path);
		exit(1);
	}
	close(fd);
	atexit(remove_temp);
	/* Registers the "preference." keys, as every program does at start. */
	char err[256];
	if (preferences_init(err, sizeof err) != 0) {
		fprintf(stderr, "preferences_init: %s\n", err);
		exit(1);
	}
	return 0;
}

/* The string settings, by name, for the reference reading below. */
static const struct { const char *name; char **value; } strings[] = {
	{ "mongodb_uri", &cfg.mongodb_uri }, { "mongodb_database", &cfg.mongodb_database },
	{ "site_url", &cfg.site_url }, { "site_name", &cfg.site_name },
	{ "cookie_secure", &cfg.cookie_secure }, { "smtp_url", &cfg.smtp_url },
	{ "smtp_from", &cfg.smtp_from }, { "smtp_user", &cfg.smtp_user },
	{ "smtp_password", &cfg.smtp_password }, { "log_level", &cfg.log_level },
	{ "trusted_proxies", &cfg.trusted_proxies },
};
#define NSTRINGS (sizeof strings / sizeof strings[0])

/* The file format as myaccount.conf.sample describes it: one "key = value"
 * per line, blanks around both ignored, '#' lines and empty lines skipped,
 * the last line for a key wins; site_url loses trailing slashes. For a
 * config_load() that succeeded, every string key set in TEXT must hold
 * exactly its value from TEXT. */
static void
check_strings(const char *text)
{
	const char *want[NSTRINGS] = { 0 };
	size_t wlen[NSTRINGS] = { 0 };
	const char *line = text;

	while (*line) {
		const char *end = line + strcspn(line, "\n"), *s = line, *e = end, *eq, *k, *ke, *v;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (s < e && *s != '#' && (eq = memchr(s, '=', (size_t)(e - s))) != NULL) {
			k = s;
			ke = eq;
			while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t' || ke[-1] == '\r'))
				ke--;
			v = eq + 1;
			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			for (size_t i = 0; i < NSTRINGS; i++) {
				if (strlen(strings[i].name) == (size_t)(ke - k) &&
				    memcmp(strings[i].name, k, (size_t)(ke - k)) == 0) {
					want[i] = v;
					wlen[i] = (size_t)(e - v);
				}
			}
		}
		line = *end ? end + 1 : end;
	}
	for (size_t i = 0; i < NSTRINGS; i++) {
		if (want[i] == NULL)
			continue;
		if (strcmp(strings[i].name, "site_url") == 0)
			while (wlen[i] > 0 && want[i][wlen[i] - 1] == '/')
				wlen[i]--;
		if (strlen(*strings[i].value) != wlen[i] ||
		    memcmp(*strings[i].value, want[i], wlen[i]) != 0)
			fuzz_fail("%s is \"%.60s\"%s (%zu bytes), but the file says \"%.60s\"%s (%zu bytes)",
			    strings[i].name, *strings[i].value,
			    strlen(*strings[i].value) > 60 ? "..." : "", strlen(*strings[i].value),
			    want[i], wlen[i] > 60 ? "..." : "", wlen[i]);
	}
}

static void
load(const uint8_t *data, size_t size)
{
	char err[512] = "";
	FILE *f = fopen(path, "w");

	FUZZ_ASSERT(f != NULL);
	FUZZ_ASSERT(fwrite(data, 1, size, f) == size);
	FUZZ_ASSERT(fclose(f) == 0);
	if (config_load(path, err, sizeof err) == 0) {
		size_t n = strlen(cfg.site_url);
		FUZZ_ASSERT(cfg.mongodb_uri && cfg.mongodb_database && cfg.site_name &&
		    cfg.cookie_secure && cfg.smtp_url && cfg.smtp_from && cfg.smtp_user &&
		    cfg.smtp_password && cfg.log_level && cfg.trusted_proxies);
		FUZZ_ASSERT(n == 0 || cfg.site_url[n - 1] != '/');
		FUZZ_ASSERT(cfg.session_days >= 1 && cfg.session_days <= 3650);
		FUZZ_ASSERT(cfg.argon2_opslimit >= 1 && cfg.argon2_opslimit <= 20);
		FUZZ_ASSERT(cfg.argon2_memlimit_kib >= 8 && cfg.argon2_memlimit_kib <= 4194304);
		FUZZ_ASSERT(cfg.password_min_length >= 1 &&
		    cfg.password_min_length <= cfg.password_max_length &&
		    cfg.password_max_length <= 1024);
		FUZZ_ASSERT(cfg.personal_access_tokens_max_per_user >= 0 &&
		    cfg.personal_access_tokens_max_per_user <= 10000);
		/* (fgets() would stop a line at a NUL byte; the reference does not.) */
		if (memchr(data, '\0', size) == NULL) {
			char *text = fuzz_cstr(data, size);
			check_strings(text);
			free(text);
		}
	} else {
		/* "<file>:<line>: <what>" or "<file>: <what>". */
		FUZZ_ASSERT(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':');
	}
	config_free();
}

/* KEY=VALUE straight to preferences_set_default(), without the trimming
 * config_load() does; an accepted default must pass the spec itself. */
static void
set_default(const uint8_t *data, size_t size)
{
	const uint8_t *eq = memchr(data, '=', size);
	char *key, *value, err[512] = "";
	json_object *v, *one;

	if (eq == NULL)
		return;
	key = strndup((const char *)data, (size_t)(eq - data));
	value = strndup((const char *)eq + 1, size - (size_t)(eq - data) - 1);
	FUZZ_ASSERT(key && value);
	if (preferences_set_default(key, value, err, sizeof err) == 0) {
		FUZZ_ASSERT(json_object_object_get_ex(preferences_defaults(), key, &v));
		one = json_object_new_object();
		json_object_object_add(one, key, json_object_get(v));
		FUZZ_ASSERT(validate_object(one, preference_fields, false, err, sizeof err));
		json_object_put(one);
	} else {
		FUZZ_ASSERT(err[0] != '\0');
	}
	free(key);
	free(value);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load(data, size);
	set_default(data, size);
	return 0;
}
