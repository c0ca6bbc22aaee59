/* validate.h - declared field specs and the one validator that walks them
 * (the kcgi idea: handlers only ever see values that passed their spec).
 *
 * A spec is an array of struct field indexed by the program's own enum
 * (designated initializers, [KEY] = { .name = ..., .type = ... }) and ended
 * by FIELD_END. The validator fills one struct fval per row, at the same
 * index, so a handler reads req->in[KEY].s instead of looking the field up
 * again by name or parsing it a second time. */
#ifndef MA_VALIDATE_H
#define MA_VALIDATE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "utf8.h"       /* utf8_length(), which specs count in */

enum ftype {
	F_STRING,       /* min/max: length in characters (UTF-8 code points) */
	F_BOOL,
	F_INT,          /* min/max: value */
	F_NUMBER,       /* integer or decimal; min/max: value */
	F_DATE,         /* ISO 8601 string; fval.i gets epoch ms */
	F_OBJECT,       /* sub: its fields */
	F_STRING_ARRAY, /* min/max: number of items; item_max: characters each */
	F_OBJECT_ARRAY, /* min/max: number of items; sub: the fields of each item */
	F_PASSWORD,     /* plain string, or {digest: 64 hex, algorithm: "sha-256"} */
	F_LOGIN_USER,   /* "name or email", or Meteor's {username} / {email} object */
};

#define F_REQUIRED  0x01u   /* must be present */
#define F_NULLABLE  0x02u   /* JSON null accepted (and means "unset") */
#define F_NO_CTRL   0x04u   /* refuse control characters (single-line text) */
#define F_ANY_KEYS  0x08u   /* F_OBJECT: keys are not checked against sub */

struct field {
	const char          *name;
	enum ftype           type;
	unsigned             flags;
	long long            min, max;      /* 0,0 = no bound */
	const char *const   *choices;       /* F_STRING: NULL-terminated allowed values */
	const struct field  *sub;           /* F_OBJECT, F_OBJECT_ARRAY: FIELD_END-terminated */
	long                 item_max;      /* F_STRING_ARRAY: max characters per item */
	/* Extra check after the type check; returns NULL or a message. */
	const char *(*check)(json_object *value);
	/* Rocket.Chat's own errorType for a value out of min..max (a string
	 * over max characters, one not among choices), where it has one
	 * (ERR_NONE: invalid-params). */
	enum err_kind        range_error;
};

#define FIELD_END { .name = NULL }

/* Rows that recur, so long tables read one line per key; more members may
 * follow (FIELD_BOOL("x", .flags = F_NULLABLE)). */
#define FIELD_BOOL(k, ...)          { .name = (k), .type = F_BOOL, __VA_ARGS__ }
#define FIELD_CHOICE(k, list, ...)  { .name = (k), .type = F_STRING, .choices = (list), __VA_ARGS__ }
#define FIELD_INT(k, lo, hi, ...)   { .name = (k), .type = F_INT, .min = (lo), .max = (hi), __VA_ARGS__ }
#define FIELD_WORDS(k, n, len, chk, ...) { .name = (k), .type = F_STRING_ARRAY, .max = (n), \
                                      .item_max = (len), .check = (chk), __VA_ARGS__ }

/* One validated value; every pointer is borrowed from the parsed body or
 * query and lives as long as the request. */
struct fval {
	bool                set;        /* present and not null */
	bool                null;       /* present as JSON null (F_NULLABLE) */
	const char         *s;          /* strings; F_PASSWORD: the text or the hex digest;
	                                 * F_LOGIN_USER: the name or address */
	size_t              len;        /* bytes of s */
	bool                b;          /* F_BOOL */
	bool                is_digest;  /* F_PASSWORD: s is the lower-case hex SHA-256 */
	bool                is_email;   /* F_LOGIN_USER: s is an address */
	int64_t             i;          /* F_INT; F_DATE: epoch milliseconds */
	double              d;          /* F_NUMBER (F_INT too) */
	json_object        *j;          /* the value itself (objects, arrays) */
	const struct fval  *sub;        /* F_OBJECT with a spec: its values by index */
};

/* Room for the values of one request (query and body, nested objects
 * included). A spec that needs more is a programming error, caught when a
 * program starts (validate_spec_size()). */
#define FVAL_MAX 192

struct fvals {
	struct fval v[FVAL_MAX];
	size_t      used;
};

/* How the validator treats what the spec does not name. */
enum unknown_keys {
	UNKNOWN_REFUSE,     /* invalid-params naming the key (Rocket.Chat's additionalProperties:false) */
	UNKNOWN_IGNORE,     /* dropped from the object, as Rocket.Chat does elsewhere */
};

struct vopts {
	bool              coerce;   /* form and query text: "true", "1", "42" become typed */
	enum unknown_keys unknown;
};

/* Why input failed: the message names the field by its full path
 * ("data.idleTimeLimit"); FIELD holds the path alone ("" when the whole
 * body is wrong), for the "details" of an answer. Both are valid UTF-8. */
struct verror {
	char msg[320];
	char field[160];
	enum err_kind kind;     /* ERR_INVALID_PARAMS unless the field says otherwise */
};

/* Checks OBJ against SPEC. On success OUT (may be NULL) gets the values in
 * a block taken from ARENA (its address in *OUT), one per spec row. When
 * coercing, string values of bool/int/number fields are replaced in OBJ by
 * typed ones; ignored unknown keys are removed from OBJ. On failure E says
 * why and nothing needs undoing: OBJ is the request's own copy. */
bool validate_fields(json_object *obj, const struct field *spec, const struct vopts *o,
    struct fvals *arena, const struct fval **out, struct verror *e);

/* validate_fields() refusing unknown keys, without typed values: for
 * config values and tests. On failure writes the message into MSG. */
bool validate_object(json_object *obj, const struct field *spec, bool coerce,
    char *msg, size_t msglen);

/* Values SPEC can need at most (rows, nested objects included), so a
 * program can check at start-up that every route fits FVAL_MAX. */
size_t validate_spec_size(const struct field *spec);

#endif
