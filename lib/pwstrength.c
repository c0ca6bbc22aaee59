/* pwstrength.c - see pwstrength.h. zxcvbn-c returns the entropy in bits
 * of the cheapest way to guess the password; the score is zxcvbn's own
 * banding of the guesses (10^3, 10^6, 10^8, 10^10). */
#include "pwstrength.h"

#include <math.h>
#include <sodium.h>
#include <string.h>
#include <zxcvbn.h>

#include "config.h"

static const struct { ZxcTypeMatch_t type; unsigned bit; } kinds[] = {
	{ DICTIONARY_MATCH, PWS_DICTIONARY },
	{ DICT_LEET_MATCH, PWS_DICTIONARY },
	{ USER_MATCH, PWS_USER_WORD },
	{ USER_LEET_MATCH, PWS_USER_WORD },
	{ REPEATS_MATCH, PWS_REPEAT },
	{ SEQUENCE_MATCH, PWS_SEQUENCE },
	{ SPATIAL_MATCH, PWS_KEYBOARD },
	{ DATE_MATCH, PWS_DATE },
	{ YEAR_MATCH, PWS_DATE },
};

static const struct { unsigned bit; const char *name; } names[] = {
	{ PWS_DICTIONARY, "dictionary" }, { PWS_USER_WORD, "userWord" }, { PWS_REPEAT, "repeat" },
	{ PWS_SEQUENCE, "sequence" }, { PWS_KEYBOARD, "keyboard" }, { PWS_DATE, "date" },
};

void
pwstrength_estimate(const char *password, const char *const *words, struct pw_strength *out)
{
	char buf[PWSTRENGTH_MAX_BYTES + 1];
	const char *dict[PWSTRENGTH_MAX_WORDS + 1];
	size_t n = 0;
	ZxcMatch_t *info = NULL;

	for (; words && words[n] && n < PWSTRENGTH_MAX_WORDS; n++)
		dict[n] = words[n];
	dict[n] = NULL;
	snprintf(buf, sizeof buf, "%s", password);
	double bits = ZxcvbnMatch(buf, dict, &info);
	sodium_memzero(buf, sizeof buf);
	out->patterns = 0;
	for (ZxcMatch_t *m = info; m; m = m->Next)
		for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
			if ((m->Type & ~MULTIPLE_MATCH) == kinds[i].type)
				out->patterns |= kinds[i].bit;
	ZxcvbnFreeInfo(info);
	out->guesses_log10 = bits * log10(2.0);
	out->score = out->guesses_log10 < 3 ? 0 : out->guesses_log10 < 6 ? 1 :
	    out->guesses_log10 < 8 ? 2 : out->guesses_log10 < 10 ? 3 : 4;
}

bool
pwstrength_ok(const struct pw_strength *s)
{
	return s->score >= cfg.password_min_strength;
}

json_object *
pwstrength_json(const struct pw_strength *s)
{
	json_object *o = json_object_new_object(), *p = json_object_new_array();

	json_object_object_add(o, "score", json_object_new_int(s->score));
	json_object_object_add(o, "minScore", json_object_new_int((int)cfg.password_min_strength));
	json_object_object_add(o, "ok", json_object_new_boolean(pwstrength_ok(s)));
	/* One decimal: enough for a meter, and no more than the score says. */
	json_object_object_add(o, "guessesLog10", json_object_new_double(round(s->guesses_log10 * 10) / 10));
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (s->patterns & names[i].bit)
			json_object_array_add(p, json_object_new_string(names[i].name));
	json_object_object_add(o, "patterns", p);
	return o;
}
