/* mailtext.c - see mailtext.h. One row per language and kind; placeholders
 * are replaced here, so no format string ever comes from a table. */
#include "mailtext.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bsonread.h"
#include "json.h"

struct text {
	const char     *lang;
	enum mail_kind  kind;
	const char     *subject;
	const char     *body;
};

static const struct text texts[] = {
	{ "en", MAIL_2FA_CODE, "Authentication code",
	  "Here is your authentication code for {site}:\n\n    {code}\n\n"
	  "It is valid for one hour. If you did not just try to sign in, someone knows\n"
	  "your password: change it.\n" },
	{ "de", MAIL_2FA_CODE, "Anmeldecode",
	  "Hier ist dein Anmeldecode f\xc3\xbcr {site}:\n\n    {code}\n\n"
	  "Er ist eine Stunde g\xc3\xbcltig. Wenn du dich nicht gerade anmelden wolltest,\n"
	  "kennt jemand dein Passwort: \xc3\xa4ndere es.\n" },
	{ "fr", MAIL_2FA_CODE, "Code d'authentification",
	  "Voici votre code d'authentification pour {site} :\n\n    {code}\n\n"
	  "Il est valable une heure. Si vous n'essayiez pas de vous connecter, quelqu'un\n"
	  "conna\xc3\xaet votre mot de passe : changez-le.\n" },
	{ "es", MAIL_2FA_CODE, "C\xc3\xb3" "digo de autenticaci\xc3\xb3n",
	  "Este es tu c\xc3\xb3" "digo de autenticaci\xc3\xb3n para {site}:\n\n    {code}\n\n"
	  "Es v\xc3\xa1lido durante una hora. Si no acabas de intentar iniciar sesi\xc3\xb3n,\n"
	  "alguien conoce tu contrase\xc3\xb1" "a: c\xc3\xa1mbiala.\n" },
	{ "pt-BR", MAIL_2FA_CODE, "C\xc3\xb3" "digo de autentica\xc3\xa7\xc3\xa3o",
	  "Aqui est\xc3\xa1 seu c\xc3\xb3" "digo de autentica\xc3\xa7\xc3\xa3o para {site}:\n\n    {code}\n\n"
	  "Ele \xc3\xa9 v\xc3\xa1lido por uma hora. Se voc\xc3\xaa n\xc3\xa3o acabou de tentar entrar,\n"
	  "algu\xc3\xa9m conhece sua senha: altere-a.\n" },
};

#define NTEXTS (sizeof texts / sizeof texts[0])

const char *
mail_language(const bson_t *user)
{
	const char *want = bson_get_str(user, "settings.preferences.language");

	if (want == NULL || *want == '\0')
		want = bson_get_str(user, "language");
	if (want == NULL)
		return "en";
	/* Exact tag first ("pt-BR"), then the language alone ("de-AT" -> "de",
	 * "pt" -> "pt-BR"). */
	for (size_t i = 0; i < NTEXTS; i++)
		if (strcasecmp(texts[i].lang, want) == 0)
			return texts[i].lang;
	for (size_t i = 0; i < NTEXTS; i++)
		if (strncasecmp(texts[i].lang, want, 2) == 0 && (want[2] == '\0' || want[2] == '-' || want[2] == '_'))
			return texts[i].lang;
	return "en";
}

/* Copies TEMPLATE into OUT with {site} and {code} replaced; truncates. */
static void
fill(const char *template, const char *site, const char *code, char *out, size_t n)
{
	size_t o = 0;

	for (const char *p = template; *p && o + 1 < n; p++) {
		const char *value = NULL;
		if (strncmp(p, "{site}", 6) == 0)
			value = site;
		else if (strncmp(p, "{code}", 6) == 0)
			value = code;
		if (value == NULL) {
			out[o++] = *p;
			continue;
		}
		for (; *value && o + 1 < n; value++)
			out[o++] = *value;
		p += 5;
	}
	out[o] = '\0';
}

void
mail_text(const bson_t *user, enum mail_kind kind, const char *site, const char *code,
    char *subject, size_t subject_len, char *body, size_t body_len)
{
	const char *lang = mail_language(user);
	const struct text *t = &texts[0];

	for (size_t i = 0; i < NTEXTS; i++)
		if (texts[i].kind == kind && strcmp(texts[i].lang, lang) == 0)
			t = &texts[i];
	fill(t->subject, site, code, subject, subject_len);
	fill(t->body, site, code, body, body_len);
}
