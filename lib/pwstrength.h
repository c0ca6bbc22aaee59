/* pwstrength.h - how guessable a password is, by Debian's libzxcvbn (the C
 * port of Dropbox's zxcvbn): dictionary words, names, keyboard walks,
 * sequences, repeats, dates, with the user's own names counted as words.
 * NIST SP 800-63B 5.1.1.2 asks verifiers to refuse such passwords; the
 * threshold is password_min_strength. */
#ifndef MA_PWSTRENGTH_H
#define MA_PWSTRENGTH_H

#include <json-c/json.h>
#include <stdbool.h>

#define PWSTRENGTH_MAX_BYTES 256    /* estimated on this prefix: the work grows with length */
#define PWSTRENGTH_MAX_WORDS 8

struct pw_strength {
	int    score;           /* zxcvbn's 0 (too guessable) .. 4 (very unguessable) */
	double guesses_log10;   /* estimated guesses, as a power of ten */
	unsigned patterns;      /* PWS_* found among the password's parts */
};

/* Kinds of weak part, as bits of pw_strength.patterns. */
#define PWS_DICTIONARY 0x01u    /* a common word or password (leet too) */
#define PWS_USER_WORD  0x02u    /* the user's name, username or address */
#define PWS_REPEAT     0x04u
#define PWS_SEQUENCE   0x08u    /* abc, 1234 */
#define PWS_KEYBOARD   0x10u    /* qwerty, zxcvbn */
#define PWS_DATE       0x20u    /* dates and years */

/* Estimates PASSWORD (plain UTF-8); WORDS (NULL-terminated, may be NULL)
 * are the user's own words, which count as guessable. */
void pwstrength_estimate(const char *password, const char *const *words, struct pw_strength *out);

/* Whether S meets password_min_strength. */
bool pwstrength_ok(const struct pw_strength *s);

/* {score, minScore, ok, guessesLog10, patterns: ["dictionary", ...]}.
 * New object, caller owns. */
json_object *pwstrength_json(const struct pw_strength *s);

#endif
