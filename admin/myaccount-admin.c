/* myaccount-admin.c - the administrator's command-line tool: prepare the
 * database, create and manage users. Reads the same config file as the
 * FastCGI programs. Exit codes: 0 done, 1 failed, 2 usage. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>
#include <sodium.h>

#include "app.h"
#include "config.h"
#include "crypto.h"
#include "emailcode.h"
#include "export.h"
#include "json.h"
#include "log.h"
#include "mail.h"
#include "maillink.h"
#include "schema.h"
#include "seclog.h"
#include "secretbox.h"
#include "smtp.h"
#include "store.h"
#include "twofactor.h"
#include "user.h"

static const char *prog = "myaccount-admin";

static int __attribute__((format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* Passwords typed or piped in live only in these buffers (and the digest
 * made from them), so every way out can wipe them: the commands wipe after
 * hashing, an atexit handler on every return from main, and the signal
 * handler below when the admin presses Ctrl-C at the prompt. */
#define PASSWORD_BUF 1100       /* above password_max_length's ceiling (1024) */
static char pw_typed[PASSWORD_BUF], pw_again[PASSWORD_BUF];
static char pw_digest[SHA256_HEX_LEN + 1];

/* The terminal's settings while echo is off, to put back on every path. */
static struct termios tty_saved;
static volatile sig_atomic_t tty_quiet;

static void
wipe_passwords(void)
{
	sodium_memzero(pw_typed, sizeof pw_typed);
	sodium_memzero(pw_again, sizeof pw_again);
	sodium_memzero(pw_digest, sizeof pw_digest);
}

/* Puts echo back if we turned it off. Async-signal-safe (tcsetattr is). */
static int
tty_restore(void)
{
	if (!tty_quiet)
		return 0;
	tty_quiet = 0;
	return tcsetattr(STDIN_FILENO, TCSAFLUSH, &tty_saved);
}

/* SIGINT, SIGTERM, SIGHUP, SIGQUIT at the prompt: echo back on, passwords
 * wiped, then die of the same signal so the shell sees what happened. */
static void
on_fatal_signal(int sig)
{
	int saved = errno;
	if (tty_quiet) {
		tty_restore();
		ssize_t w = write(STDERR_FILENO, "\n", 1);
		(void)w;
	}
	wipe_passwords();
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved;
}

static void
catch_fatal_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* Turns echo off on the terminal at stdin, checked: tcsetattr succeeds if
 * any one change took, so the result is read back. */
static int
tty_echo_off(void)
{
	struct termios quiet;

	if (tcgetattr(STDIN_FILENO, &tty_saved) != 0)
		return fail("cannot read the terminal's settings: %s", strerror(errno));
	quiet = tty_saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	tty_quiet = 1;          /* before the change, so a signal in between restores */
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0 || tcgetattr(STDIN_FILENO, &quiet) != 0 ||
	    (quiet.c_lflag & ECHO)) {
		int saved = errno;
		tty_restore();
		return fail("cannot turn off echo on the terminal (%s); not reading a password that would show",
		    saved ? strerror(saved) : "the setting did not take");
	}
	return 0;
}

/* One line into DST (N bytes), newline removed. 1 on a line that does not
 * fit (the rest is read and dropped), -1 at end of input. */
static int
read_line(char *dst, size_t n)
{
	if (fgets(dst, (int)n, stdin) == NULL)
		return -1;
	size_t len = strcspn(dst, "\r\n");
	bool whole = dst[len] != '\0' || feof(stdin);
	dst[len] = '\0';
	if (whole)
		return 0;
	for (int c; (c = getchar()) != EOF && c != '\n';)
		;
	return 1;
}

/* Reads a password into pw_typed: without echo from a terminal (asked
 * twice), else one line from stdin (for scripts: `echo pw | myaccount-admin
 * ...`). The caller wipes it (wipe_passwords) once hashed. */
static int
read_password(void)
{
	bool tty = isatty(STDIN_FILENO);
	int rc = 0;

	for (int round = 0; round < (tty ? 2 : 1) && rc == 0; round++) {
		char *dst = round == 0 ? pw_typed : pw_again;
		int got;
		/* Prompt once echo is off: what is typed after the prompt is hidden. */
		if (tty) {
			if ((rc = tty_echo_off()) != 0)
				break;
			fprintf(stderr, round == 0 ? "Password: " : "Again: ");
		}
		got = read_line(dst, PASSWORD_BUF);
		if (tty) {
			if (tty_restore() != 0)
				fprintf(stderr, "\n%s: could not turn echo back on: %s (run `stty echo`)", prog, strerror(errno));
			fputc('\n', stderr);
		}
		if (got < 0)
			rc = fail("%s", "no password given");
		else if (got > 0)
			rc = fail("the password must be at most %ld characters", cfg.password_max_length);
	}
	if (rc == 0 && tty && strcmp(pw_typed, pw_again) != 0)
		rc = fail("%s", "the two passwords differ");
	size_t len = strlen(pw_typed);
	if (rc == 0 && ((long)len < cfg.password_min_length || (long)len > cfg.password_max_length))
		rc = fail("the password must be %ld to %ld characters", cfg.password_min_length, cfg.password_max_length);
	sodium_memzero(pw_again, sizeof pw_again);
	if (rc != 0)
		wipe_passwords();
	return rc;
}

/* Hashes pw_typed as the programs verify it (argon2id over the hex SHA-256)
 * and wipes every copy of the password, whatever the outcome. */
static int
hash_password(char out[PWHASH_LEN])
{
	int rc = 0;
	sha256_hex(pw_typed, strlen(pw_typed), pw_digest);
	if (password_hash(pw_digest, cfg.argon2_opslimit, cfg.argon2_memlimit_kib, out) != 0)
		rc = fail("%s", "out of memory while hashing the password");
	wipe_passwords();
	return rc;
}

static bool
valid_username(const char *u)
{
	size_t n = strlen(u);
	return n >= 1 && n <= 64 && strspn(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static int
update_user(const char *username, bson_t *update, const char *done)
{
	bson_error_t err;
	bson_t reply;
	bson_t *sel = BCON_NEW("username", BCON_UTF8(username));
	bool ok = mongoc_collection_update_one(store_coll(COLL_USERS), sel, update, NULL, &reply, &err);
	bson_iter_t it;
	int64_t matched = ok && bson_iter_init_find(&it, &reply, "matchedCount") ? bson_iter_as_int64(&it) : 0;
	int rc = 0;

	if (!ok)
		rc = fail("database: %s", store_redact(&err).text);
	else if (matched == 0)
		rc = fail("no user named '%s'", username);
	else
		printf("%s: %s\n", username, done);
	bson_destroy(&reply);
	bson_destroy(sel);
	return rc;
}

static int
revoke_sessions(const char *user_id, bool include_pats)
{
	bson_error_t err;
	bson_t *sel = include_pats ? BCON_NEW("userId", BCON_UTF8(user_id))
	                           : BCON_NEW("userId", BCON_UTF8(user_id), "type", BCON_UTF8("session"));
	bool ok = mongoc_collection_delete_many(store_coll(COLL_TOKENS), sel, NULL, NULL, &err);
	bson_destroy(sel);
	return ok ? 0 : fail("database: %s", store_redact(&err).text);
}

/* Returns a copy of the user's _id, or NULL (message printed). */
static char *
user_id_of(const char *username)
{
	bson_error_t err;
	const bson_t *doc;
	char *id = NULL;
	bson_t *filter = BCON_NEW("username", BCON_UTF8(username));
	bson_t *opts = BCON_NEW("projection", "{", "_id", BCON_INT32(1), "}");
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_USERS), filter, opts, NULL);

	if (mongoc_cursor_next(cur, &doc) && bson_get_str(doc, "_id"))
		id = strdup(bson_get_str(doc, "_id"));
	if (mongoc_cursor_error(cur, &err))
		fail("database: %s", store_redact(&err).text);
	else if (id == NULL)
		fail("no user named '%s'", username);
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	return id;
}

static int
cmd_init_db(int argc, char **argv)
{
	char err[512];
	(void)argc; (void)argv;
	if (schema_apply(err, sizeof err) != 0)
		return fail("%s", err);
	printf("database '%s' is ready (collections, indexes, validators)\n", cfg.mongodb_database);
	return 0;
}

/* create-user USERNAME EMAIL|- [NAME]; password from the terminal or stdin.
 * "-" makes a user without an address (a bot, an import). */
static int
cmd_create_user(int argc, char **argv)
{
	char hash[PWHASH_LEN], id[ID_LEN + 1], email[256];
	bson_error_t e;
	int rc;

	bool no_email = argc >= 3 && strcmp(argv[2], "-") == 0;

	if (argc < 3 || argc > 4)
		return fail("%s", "usage: create-user USERNAME EMAIL|- [\"FULL NAME\"]");
	if (!valid_username(argv[1]))
		return fail("'%s' is not a valid username (letters, digits, . _ -; up to 64)", argv[1]);
	if (!no_email && !mail_address_ok(argv[2]))
		return fail("'%s' is not a valid email address", argv[2]);
	snprintf(email, sizeof email, "%s", no_email ? "" : argv[2]);
	for (char *p = email; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if ((rc = read_password()) != 0 || (rc = hash_password(hash)) != 0)
		return rc;
	random_id(id, ID_LEN);
	int64_t now = now_ms();
	char *key = user_name_key(argv[1]);
	bson_t *doc = BCON_NEW(
	    "_id", BCON_UTF8(id),
	    "createdAt", BCON_DATE_TIME(now),
	    "_updatedAt", BCON_DATE_TIME(now),
	    "type", BCON_UTF8("user"),
	    "username", BCON_UTF8(argv[1]),
	    "usernameKey", BCON_UTF8(key),
	    "name", BCON_UTF8(argc == 4 ? argv[3] : argv[1]),
	    "status", BCON_UTF8("offline"),
	    "active", BCON_BOOL(true),
	    "roles", "[", BCON_UTF8("user"), "]",
	    "services", "{", "password", "{", "argon2", BCON_UTF8(hash), "}", "}");
	bson_free(key);
	if (!no_email) {
		bson_t emails, one;
		BSON_APPEND_ARRAY_BEGIN(doc, "emails", &emails);
		BSON_APPEND_DOCUMENT_BEGIN(&emails, "0", &one);
		BSON_APPEND_UTF8(&one, "address", email);
		BSON_APPEND_BOOL(&one, "verified", true);
		bson_append_document_end(&emails, &one);
		bson_append_array_end(doc, &emails);
	}
	bool ok = mongoc_collection_insert_one(store_coll(COLL_USERS), doc, NULL, NULL, &e);
	bson_destroy(doc);
	if (!ok && store_is_duplicate(&e))
		return fail("%s", "that username or email is already taken");
	if (!ok)
		return fail("database: %s", store_redact(&e).text);
	printf("created user %s (id %s)\n", argv[1], id);
	return 0;
}

static int
cmd_set_password(int argc, char **argv)
{
	char hash[PWHASH_LEN];
	int rc;

	if (argc != 2)
		return fail("%s", "usage: set-password USERNAME");
	char *id = user_id_of(argv[1]);
	if (id == NULL)
		return 1;
	if ((rc = read_password()) != 0 || (rc = hash_password(hash)) != 0) {
		free(id);
		return rc;
	}
	bson_t *upd = BCON_NEW("$set", "{", "services.password.argon2", BCON_UTF8(hash),
	    "_updatedAt", BCON_DATE_TIME(now_ms()), "}");
	rc = update_user(argv[1], upd, "password set; other sessions signed out");
	bson_destroy(upd);
	if (rc == 0)
		rc = revoke_sessions(id, false);
	free(id);
	return rc;
}

static int
set_active(int argc, char **argv, bool active)
{
	if (argc != 2)
		return fail("usage: %s USERNAME", active ? "enable" : "disable");
	char *id = user_id_of(argv[1]);
	if (id == NULL)
		return 1;
	bson_t *upd = BCON_NEW("$set", "{", "active", BCON_BOOL(active), "_updatedAt", BCON_DATE_TIME(now_ms()), "}");
	int rc = update_user(argv[1], upd, active ? "enabled" : "disabled; every session and token revoked");
	bson_destroy(upd);
	if (rc == 0 && !active)
		rc = revoke_sessions(id, true);
	free(id);
	return rc;
}

static int cmd_enable(int argc, char **argv) { return set_active(argc, argv, true); }
static int cmd_disable(int argc, char **argv) { return set_active(argc, argv, false); }

/* Everything of both factors goes: the sealed secret and any enrolment in
 * progress, backup codes, the last used step (services.totp is replaced
 * whole), a pending emailed code, and the "remembered" second factor of
 * every session, so nothing passed before the reset still counts. */
static int
cmd_reset_2fa(int argc, char **argv)
{
	bson_error_t e;
	if (argc != 2)
		return fail("%s", "usage: reset-2fa USERNAME");
	char *id = user_id_of(argv[1]);
	if (id == NULL)
		return 1;
	/* Passkeys go too: they are a second factor and a way in. */
	bson_t *upd = BCON_NEW("$set", "{", "services.totp", "{", "enabled", BCON_BOOL(false), "}",
	    "services.email2fa", "{", "enabled", BCON_BOOL(false), "changedAt", BCON_DATE_TIME(now_ms()), "}",
	    "_updatedAt", BCON_DATE_TIME(now_ms()), "}",
	    "$unset", "{", "services.webauthn", BCON_UTF8(""), "}");
	int rc = update_user(argv[1], upd, "two-factor authentication switched off, passkeys removed");
	bson_destroy(upd);
	bson_t *codes = BCON_NEW("userId", BCON_UTF8(id));
	bson_t *sel = BCON_NEW("userId", BCON_UTF8(id));
	bson_t *forget = BCON_NEW("$unset", "{", "twoFactorAuthorizedUntil", BCON_UTF8(""),
	    "twoFactorAuthorizedHash", BCON_UTF8(""), "}");
	if (rc == 0 && (!mongoc_collection_delete_many(store_coll(COLL_EMAIL_CODES), codes, NULL, NULL, &e) ||
	    !mongoc_collection_update_many(store_coll(COLL_TOKENS), sel, forget, NULL, NULL, &e)))
		rc = fail("database: %s", store_redact(&e).text);
	if (rc == 0) {
		seclog_write(NULL, id, SEC_TOTP_DISABLED, "admin");
		seclog_write(NULL, id, SEC_EMAIL_2FA_DISABLED, "admin");
	}
	bson_destroy(codes);
	bson_destroy(sel);
	bson_destroy(forget);
	free(id);
	return rc;
}

/* rotate-key ---------------------------------------------------------
 * Re-seals every TOTP secret (and enrolment in progress) that is not under
 * the current key of totp_keys, and seals any still stored plain. Each
 * document is changed only if its value is still the one read, so the
 * programs may go on enrolling and signing in meanwhile: no downtime. */
struct rotation {
	long resealed, sealed, current, unreadable, changed_meanwhile;
};

static const struct { const char *plain, *sealed; } rotate_fields[] = {
	{ "services.totp.secret", "services.totp.secretBox" },
	{ "services.totp.tempSecret", "services.totp.tempSecretBox" },
};

static int
rotate_one(const char *uid, const char *plain_field, const char *sealed_field, const char *old, bool was_plain,
    struct rotation *r)
{
	char *secret = was_plain ? strdup(old) : secretbox_open(uid, old);
	char *fresh;

	if (secret == NULL) {
		r->unreadable++;
		fprintf(stderr, "%s: user %s: %s does not open with any key of totp_keys\n", prog, uid, sealed_field);
		return 0;
	}
	fresh = secretbox_seal(uid, secret);
	secretbox_free(secret);
	if (fresh == NULL)
		return fail("%s", "no key to seal with (secret_key or totp_keys)");
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(uid), was_plain ? plain_field : sealed_field, BCON_UTF8(old));
	bson_t *upd = was_plain
	    ? BCON_NEW("$set", "{", sealed_field, BCON_UTF8(fresh), "}", "$unset", "{", plain_field, BCON_UTF8(""), "}")
	    : BCON_NEW("$set", "{", sealed_field, BCON_UTF8(fresh), "}");
	free(fresh);
	switch (store_claim_update(COLL_USERS, sel, upd)) {
	case CLAIM_OK:
		if (was_plain)
			r->sealed++;
		else
			r->resealed++;
		return 0;
	case CLAIM_LOST:
		r->changed_meanwhile++;     /* written by a program since: under the current key */
		return 0;
	default:
		return fail("%s", "database error while re-sealing");
	}
}

static int
cmd_rotate_key(int argc, char **argv)
{
	struct rotation r = { 0 };
	bson_error_t e;
	const bson_t *doc;
	int rc = 0;
	(void)argv;

	if (argc != 1)
		return fail("%s", "usage: rotate-key");
	bson_t *filter = BCON_NEW("$or", "[",
	    "{", "services.totp.secret", "{", "$exists", BCON_BOOL(true), "}", "}",
	    "{", "services.totp.secretBox", "{", "$exists", BCON_BOOL(true), "}", "}",
	    "{", "services.totp.tempSecret", "{", "$exists", BCON_BOOL(true), "}", "}",
	    "{", "services.totp.tempSecretBox", "{", "$exists", BCON_BOOL(true), "}", "}", "]");
	bson_t *opts = BCON_NEW("projection", "{", "services.totp", BCON_INT32(1), "}");
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_USERS), filter, opts, NULL);
	while (rc == 0 && mongoc_cursor_next(cur, &doc)) {
		const char *uid = bson_get_str(doc, "_id");
		for (size_t i = 0; uid && rc == 0 && i < sizeof rotate_fields / sizeof rotate_fields[0]; i++) {
			const char *plain = bson_get_str(doc, rotate_fields[i].plain);
			const char *sealed = bson_get_str(doc, rotate_fields[i].sealed);
			if (sealed && secretbox_is_current(sealed))
				r.current++;
			else if (sealed)
				rc = rotate_one(uid, rotate_fields[i].plain, rotate_fields[i].sealed, sealed, false, &r);
			else if (plain)
				rc = rotate_one(uid, rotate_fields[i].plain, rotate_fields[i].sealed, plain, true, &r);
		}
	}
	if (mongoc_cursor_error(cur, &e))
		rc = fail("database: %s", store_redact(&e).text);
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	printf("TOTP secrets under key '%s': %ld re-sealed, %ld sealed from plain, %ld already current, "
	    "%ld changed meanwhile, %ld unreadable\n", secretbox_current_id(), r.resealed, r.sealed, r.current,
	    r.changed_meanwhile, r.unreadable);
	return rc ? rc : r.unreadable ? 1 : 0;
}

static int
cmd_list_users(int argc, char **argv)
{
	bson_error_t e;
	const bson_t *doc;
	(void)argv;
	if (argc != 1)
		return fail("%s", "usage: list-users");
	bson_t *filter = bson_new();
	bson_t *opts = BCON_NEW("sort", "{", "username", BCON_INT32(1), "}");
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_USERS), filter, opts, NULL);
	printf("%-17s  %-24s  %-32s  %-8s  %s\n", "ID", "USERNAME", "EMAIL", "ACTIVE", "2FA");
	while (mongoc_cursor_next(cur, &doc)) {
		bson_iter_t it;
		const char *email = "";
		if (bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, "emails.0.address", &it) &&
		    BSON_ITER_HOLDS_UTF8(&it))
			email = bson_iter_utf8(&it, NULL);
		bool active = !bson_has_field(doc, "active") || bson_get_bool(doc, "active");
		const char *tf = bson_get_bool(doc, "services.totp.enabled") ? "totp" :
		    bson_get_bool(doc, "services.email2fa.enabled") ? "email" : "-";
		printf("%-17s  %-24s  %-32s  %-8s  %s\n", bson_get_str(doc, "_id") ? bson_get_str(doc, "_id") : "?",
		    bson_get_str(doc, "username") ? bson_get_str(doc, "username") : "?", email,
		    active ? "yes" : "no", tf);
	}
	int rc = mongoc_cursor_error(cur, &e) ? fail("database: %s", store_redact(&e).text) : 0;
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	return rc;
}

/* The sender ------------------------------------------------------------
 * Requests queue mail and start `send-mail ID...` after their answer; cron
 * runs `run-queue`. Both claim items with a lease (mail.h), so an item is
 * sent once however many senders run, and retried when a sender died. */

/* The user a code request names: by username, or by (lower-cased) email.
 * Returns a copy (caller destroys), NULL when none (or on error: *DB_ERROR). */
static bson_t *
request_user(const bson_t *job, bool *db_error)
{
	const char *uid = bson_get_str(job, "userId"), *who = bson_get_str(job, "who");
	char lower[256];
	bson_error_t e;
	const bson_t *doc;
	bson_t *user = NULL, *filter;

	*db_error = false;
	if (uid)
		filter = BCON_NEW("_id", BCON_UTF8(uid));
	else if (who && strchr(who, '@') && strlen(who) < sizeof lower) {
		for (size_t i = 0; i <= strlen(who); i++)
			lower[i] = (char)tolower((unsigned char)who[i]);
		filter = BCON_NEW("emails.address", BCON_UTF8(lower));
	} else if (who)
		filter = BCON_NEW("username", BCON_UTF8(who));
	else
		return NULL;
	bson_t *opts = BCON_NEW("limit", BCON_INT64(1));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(COLL_USERS), filter, opts, NULL);
	if (mongoc_cursor_next(cur, &doc))
		user = bson_copy(doc);
	if (mongoc_cursor_error(cur, &e)) {
		log_warn("mail: user lookup failed (database error %u.%u)", e.domain, e.code);
		*db_error = true;
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	return user;
}

/* "Mail a password reset link to WHO" (users.forgotPassword): only to an
 * active user's verified address, the one asked for; anything else ends
 * silently, as the caller was told "success" either way. */
static enum mail_outcome
resolve_reset_request(const bson_t *job, const bson_t *user, char *why, size_t n)
{
	const char *who = bson_get_str(job, "who"), *to = user_verified_email(user);
	bool active = !bson_has_field(user, "active") || bson_get_bool(user, "active");

	if (!cfg.allow_password_change || !active || who == NULL || to == NULL || strcasecmp(who, to) != 0)
		return MAIL_DONE;
	switch (maillink_send(user, LINK_RESET, to)) {
	case -1:
		snprintf(why, n, "database error storing the reset link");
		return MAIL_RETRY;
	case -2:
		snprintf(why, n, "the reset mail could not be made (see the log)");
		return MAIL_DONE;
	default:
		return MAIL_DONE;
	}
}

/* "Mail a code to WHO": nothing happens for an unknown user or one without
 * email 2FA (the caller was told "success" either way). */
static enum mail_outcome
resolve_code_request(const bson_t *job, char *why, size_t n)
{
	const char *purpose = bson_get_str(job, "purpose");
	struct tf_methods m;
	int64_t expires;
	bool db_error;
	bson_t *user = request_user(job, &db_error);
	enum mail_outcome r = MAIL_DONE;

	if (db_error) {
		snprintf(why, n, "database error looking up the user");
		return MAIL_RETRY;
	}
	if (user == NULL || purpose == NULL)
		goto out;
	if (strcmp(purpose, LINK_RESET) == 0) {
		r = resolve_reset_request(job, user, why, n);
		goto out;
	}
	twofactor_methods(user, &m);
	if (strcmp(purpose, EMAIL_CODE_2FA) != 0 || !m.email)
		goto out;
	switch (emailcode_send(user, purpose, true, &expires)) {
	case -1:
		snprintf(why, n, "database error storing the code");
		r = MAIL_RETRY;
		break;
	case -2:
		snprintf(why, n, "the code mail could not be made (see the log)");
		break;
	default:
		break;
	}
out:
	if (user)
		bson_destroy(user);
	return r;
}

static enum mail_outcome
deliver_message(const bson_t *doc, char *why, size_t n)
{
	const char *to = bson_get_str(doc, "to"), *msg = bson_get_str(doc, "message");

	if (to == NULL || msg == NULL) {
		snprintf(why, n, "no recipient or message");
		return MAIL_EXPIRED;
	}
	if (smtp_deliver(to, msg, why, n))
		return MAIL_DONE;
	log_warn("mail %s to be retried: %s", bson_get_str(doc, "_id"), why);
	return MAIL_RETRY;
}

static const struct item_kind {
	const char *kind;
	enum mail_outcome (*run)(const bson_t *doc, char *why, size_t n);
} item_kinds[] = {
	{ MAIL_ITEM_MESSAGE, deliver_message },
	{ MAIL_ITEM_CODE_REQUEST, resolve_code_request },
};

struct tally {
	int done, retry, dropped;
};

/* Claims ID (NULL: the most overdue item) and does its work. False when
 * there was nothing to claim. */
static bool
process_one(const char *id, struct tally *t, bool *db_error)
{
	char claim[ID_LEN + 1], why[256] = "";
	bson_t *doc = mail_claim(id, claim, db_error);
	const char *kind;
	enum mail_outcome r = MAIL_EXPIRED;

	if (doc == NULL)
		return false;
	kind = bson_get_str(doc, "kind");
	int64_t expires = bson_get_date(doc, "expiresAt");
	if (expires && expires <= now_ms()) {
		snprintf(why, sizeof why, "stale: not sent before it expired");
	} else {
		snprintf(why, sizeof why, "unknown kind of item");
		for (size_t i = 0; i < sizeof item_kinds / sizeof item_kinds[0]; i++)
			if (strcmp(kind ? kind : MAIL_ITEM_MESSAGE, item_kinds[i].kind) == 0) {
				why[0] = '\0';
				r = item_kinds[i].run(doc, why, sizeof why);
			}
	}
	mail_finish(doc, claim, r, why[0] ? why : NULL);
	if (r == MAIL_DONE)
		t->done++;
	else if (r == MAIL_RETRY)
		t->retry++;
	else
		t->dropped++;
	bson_destroy(doc);
	return true;
}

/* What this process's own jobs queued (a code request's mail) goes out now. */
static void
process_pending(struct tally *t, bool *db_error)
{
	char id[ID_LEN + 1];

	for (int i = 0; i < 64 && mail_pending_take(id); i++)
		process_one(id, t, db_error);
}

/* send-mail ID...: started by a request after its answer. */
static int
cmd_send_mail(int argc, char **argv)
{
	struct tally t = { 0 };
	bool db_error = false;

	if (argc < 2)
		return fail("%s", "usage: send-mail ID...");
	for (int i = 1; i < argc; i++) {
		process_one(argv[i], &t, &db_error);
		process_pending(&t, &db_error);
	}
	return db_error || t.retry ? 1 : 0;
}

/* One pass of the queue work: My Data exports first (their link mails
 * then go out in the same pass), then due mail, then the clean-ups. Exit
 * status as run-queue's. */
static int
run_queue_once(long max, bool quiet_when_idle)
{
	struct tally t = { 0 };
	struct export_tally x = { 0 };
	bool db_error = false;

	bool exports_ok = export_run(max, &x);
	int64_t swept = export_sweep();
	for (long i = 0; i < max && process_one(NULL, &t, &db_error); i++)
		process_pending(&t, &db_error);
	int64_t purged = mail_purge();
	bool idle = x.done + x.failed + x.retry + t.done + t.retry + t.dropped == 0 && swept <= 0 && purged <= 0;
	if (quiet_when_idle && idle && exports_ok && !db_error)
		return 0;
	printf("exports: %d made, %d failed, %d left for a later try, %lld expired archives deleted\n",
	    x.done, x.failed, x.retry, (long long)(swept < 0 ? 0 : swept));
	if (!exports_ok || swept < 0)
		return fail("%s", "database error while working through the export queue");
	if (db_error || purged < 0)
		return fail("%s", "database error while working through the mail queue");
	printf("mail: %d sent, %d left for a later try, %d dropped, %lld purged\n", t.done, t.retry, t.dropped,
	    (long long)purged);
	fflush(stdout);
	return t.retry || x.retry ? 1 : 0;
}

/* Makes queued exports and sends due queued mail (cron: every few minutes;
 * one entry does both), deletes expired archives, purges finished mail.
 * Exit 1 when any is left for a later try. --loop [SECONDS]: for hosts
 * that allow a resident process, the same every SECONDS (default 60)
 * until stopped; a worker stopped mid-job leaves it to the next run once
 * its lease ends. */
static int
cmd_run_queue(int argc, char **argv)
{
	long max = 500, every = 0;
	char *end;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--max") == 0 && i + 1 < argc) {
			errno = 0;
			max = strtol(argv[++i], &end, 10);
			if (errno || *end || max < 1 || max > 100000)
				return fail("%s", "--max takes a number from 1 to 100000");
		} else if (strcmp(argv[i], "--loop") == 0) {
			every = 60;
			if (i + 1 < argc && argv[i + 1][0] != '-') {
				errno = 0;
				every = strtol(argv[++i], &end, 10);
				if (errno || *end || every < 1 || every > 86400)
					return fail("%s", "--loop takes a number of seconds from 1 to 86400");
			}
		} else {
			return fail("%s", "usage: run-queue [--max N] [--loop [SECONDS]]");
		}
	}
	if (every == 0)
		return run_queue_once(max, false);
	for (;;) {
		run_queue_once(max, true);
		sleep((unsigned)every);
	}
}

/* Exit 0 when USERNAME exists, 1 when not: for scripts (make run). */
static int
cmd_user_exists(int argc, char **argv)
{
	bson_error_t e;
	if (argc != 2)
		return fail("%s", "usage: user-exists USERNAME");
	bson_t *filter = BCON_NEW("username", BCON_UTF8(argv[1]));
	int64_t n = mongoc_collection_count_documents(store_coll(COLL_USERS), filter, NULL, NULL, NULL, &e);
	bson_destroy(filter);
	if (n < 0)
		return fail("database: %s", store_redact(&e).text) + 1;
	return n > 0 ? 0 : 1;
}

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "init-db", cmd_init_db, "init-db                         create collections, indexes and validators" },
	{ "create-user", cmd_create_user, "create-user USERNAME EMAIL|- [NAME]  add a user (password asked, or read from stdin; - : no email)" },
	{ "set-password", cmd_set_password, "set-password USERNAME           set a user's password; signs out their sessions" },
	{ "disable", cmd_disable, "disable USERNAME                block sign-in and revoke every session and token" },
	{ "enable", cmd_enable, "enable USERNAME                 allow sign-in again" },
	{ "reset-2fa", cmd_reset_2fa, "reset-2fa USERNAME              switch off TOTP and email 2FA, remove passkeys, forget codes and remembered 2FA (lost phone)" },
	{ "rotate-key", cmd_rotate_key, "rotate-key                      re-seal every TOTP secret under totp_key_current (no downtime)" },
	{ "list-users", cmd_list_users, "list-users                      id, username, email, active, 2FA" },
	{ "run-queue", cmd_run_queue, "run-queue [--max N] [--loop [S]] make queued data exports, send due mail, purge old items (cron: every few minutes)" },
	{ "send-mail", cmd_send_mail, "send-mail ID...                 send these queued items now (started by the programs)" },
	{ "user-exists", cmd_user_exists, "user-exists USERNAME            exit 0 when the user exists, 1 when not" },
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: %s COMMAND [ARGS]\n\nCommands:\n", prog);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %s\n", commands[i].usage);
	fprintf(out, "\nConfiguration: $MYACCOUNT_CONFIG, default %s.\n", config_default_path());
}

int
main(int argc, char **argv)
{
	char err[512];
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s (myaccount) %s\n", prog, MYACCOUNT_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if (crypto_init() != 0)
			return fail("%s", "libsodium failed to initialise");
		catch_fatal_signals();
		atexit(wipe_passwords);
		if (config_load(NULL, err, sizeof err) != 0)
			return fail("config: %s", err);
		log_init(prog, "warn");
		if (store_init(prog, err, sizeof err) != 0)
			return fail("%s", err);
		rc = commands[i].run(argc - 1, argv + 1);
		store_cleanup();
		config_free();
		return rc;
	}
	fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[1]);
	usage(stderr);
	return 2;
}
