/* exportrules.h - what a My Data export takes from each collection of the
 * store's table (store.h): a whitelist of fields per collection, never
 * "everything". A field added to a collection later is exported only once
 * its rule names it; a collection added later is exported only once it has
 * a rule (the unit test fails until it does, and the worker skips a
 * collection without one). So no secret reaches an archive by default. */
#ifndef MA_EXPORTRULES_H
#define MA_EXPORTRULES_H

#include <stdbool.h>

#include "store.h"

enum export_kind {
	EXPORT_SKIP,        /* not exported (why says so) */
	EXPORT_DOCS,        /* the whitelisted fields of the user's documents */
	EXPORT_BINARY,      /* one stored file of the user (the avatar image) */
};

/* One file of the archive made from a collection: its documents, or the
 * subset whose MATCH_FIELD equals MATCH_VALUE (sessions and tokens share
 * one collection). */
struct export_part {
	const char *file;           /* "sessions.json"; NULL ends the list */
	const char *section;        /* key of its heading in the page texts */
	const char *match_field;    /* NULL: every document of the user */
	const char *match_value;
	bool        single;         /* one document, written as an object (user.json) */
};

#define EXPORT_PARTS_MAX 3

struct export_rule {
	enum export_kind   kind;
	const char *const *fields;  /* EXPORT_DOCS: dotted paths, NULL-terminated */
	const char        *sort;    /* EXPORT_DOCS: ascending by this field; NULL: none */
	struct export_part parts[EXPORT_PARTS_MAX];
	const char        *data_field;  /* EXPORT_BINARY: the bytes */
	const char        *type_field;  /* EXPORT_BINARY: their content type */
	const char        *why;     /* EXPORT_SKIP: what the documents are and why not */
};

/* C's rule (static, borrowed); NULL when none is declared: not exported. */
const struct export_rule *export_rule(enum coll c);

/* True for a path that holds a secret or a hash of one (the password
 * hash, login tokens, TOTP secret, backup and email code hashes, download
 * links), or a prefix or extension of one: no rule may name it. */
bool export_path_is_secret(const char *path);

#endif
