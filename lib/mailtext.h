/* mailtext.h - the words of the mails the service sends. They are data, not
 * C: one JSON file per language (www/i18n/mail/<lang>.json, beside the SPA's
 * translations), read once per process at the first mail; each kind has a
 * "subject" and a plain "text" with {placeholders}. The HTML part is built
 * from the text by the escaping writer (html.h): blank lines make
 * paragraphs, a paragraph indented by four spaces is shown large (a code).
 * A kind missing from a language falls back to English of the SAME kind. */
#ifndef MA_MAILTEXT_H
#define MA_MAILTEXT_H

#include <bson/bson.h>
#include <json-c/json.h>
#include <stddef.h>

enum mail_kind {
	MAIL_2FA_CODE,      /* "2fa-code": {site}, {code} */
	MAIL_DATA_EXPORT,   /* "data-export-ready": {site}, {link}, {expires}, {format} */
	MAIL_NEW_SIGNIN,    /* "new-signin": {site}, {time}, {ip}, {device}, {link} */
	/* Profile: lib/maillink.c and cgi-bin/profile/. */
	MAIL_VERIFY_EMAIL,  /* "verify-email": {site}, {name}, {address}, {link}, {hours} */
	MAIL_PASSWORD_RESET, /* "password-reset": {site}, {name}, {link}, {minutes} */
	MAIL_PASSWORD_CHANGED, /* "password-changed": {site}, {name}, {ip} */
	MAIL_EMAIL_CHANGED, /* "email-changed" (to the old address): {site}, {name}, {address}, {ip} */
	MAIL_KINDS
};

/* The kind's key in the JSON files ("2fa-code"). */
const char *mail_kind_name(enum mail_kind kind);

/* One placeholder: {NAME} is replaced by VALUE (user data is fine: the
 * text part takes it as is, the HTML part escapes it). */
struct mail_var {
	const char *name;
	const char *value;
};

/* A rendered mail; every string owned, freed by mail_content_free(). */
struct mail_content {
	char *subject;
	char *text;
	char *html;
};

/* Reads every <lang>.json of DIR (NULL: the configured mail_texts). Done
 * once: later calls return the first result. -1 with ERR when DIR has no
 * en.json, a file is not valid JSON, or English lacks a kind. */
int mailtext_load(const char *dir, char *err, size_t errlen);
/* Forgets what was loaded (tests load another directory). */
void mailtext_free(void);

/* The loaded language mail for USER is written in ("en", "de", "pt-BR",
 * ...): settings.preferences.language, exact tag first, then the language
 * alone; English when unknown. Borrowed. */
const char *mail_language(const bson_t *user);

/* Renders KIND in LANG (English when LANG lacks it) with VARS into OUT.
 * -1 when the texts cannot be loaded or memory ran out (logged). */
int mail_render(const char *lang, enum mail_kind kind, const struct mail_var *vars, size_t nvars,
    struct mail_content *out);
void mail_content_free(struct mail_content *c);

/* Other texts kept in the same files (the My Data page's words under
 * "data-export-page"): KEY's object in LANG, else in English; NULL when
 * neither has it. Borrowed until mailtext_free(). */
json_object *mailtext_strings(const char *lang, const char *key);

#endif
