/* mailtext.h - the words of the mails the service sends, in the languages
 * of the SPA, chosen by the user's language preference. */
#ifndef MA_MAILTEXT_H
#define MA_MAILTEXT_H

#include <bson/bson.h>
#include <stddef.h>

enum mail_kind {
	MAIL_2FA_CODE,      /* {site}, {code} */
};

/* Fills SUBJECT and BODY for USER's language (English when unknown),
 * replacing {site} and {code}. */
void mail_text(const bson_t *user, enum mail_kind kind, const char *site, const char *code,
    char *subject, size_t subject_len, char *body, size_t body_len);

/* The language tag mail_text() picks for USER ("en", "de", "pt-BR", ...). */
const char *mail_language(const bson_t *user);

#endif
