/* validate.h - declared field specs and the one validator that walks them
 * (the kcgi idea: handlers only ever see values that passed their spec). */
#ifndef MA_VALIDATE_H
#define MA_VALIDATE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

enum ftype {
	F_STRING,       /* min/max: length in characters (UTF-8 code points) */
	F_BOOL,
	F_INT,          /* min/max: value */
	F_NUMBER,       /* integer or decimal; min/max: value */
	F_OBJECT,       /* sub: its fields */
	F_STRING_ARRAY, /* min/max: number of items; item_max: characters each */
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
	const struct field  *sub;           /* F_OBJECT: NULL-name-terminated spec */
	long                 item_max;      /* F_STRING_ARRAY: max characters per item */
	/* Extra check after the type check; returns NULL or a message. */
	const char *(*check)(json_object *value);
};

#define FIELD_END { NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL }

/* Why a body failed: the message names the field, FIELD holds it alone
 * ("" when the whole body is wrong), for the "details" of an answer. */
struct verror {
	char msg[256];
	char field[128];
};

bool validate_fields(json_object *obj, const struct field *spec, bool coerce, struct verror *e);

/* Checks OBJ against SPEC (NULL-name-terminated). Unknown keys, wrong types,
 * bounds, choices and missing required fields fail. When COERCE is set, string
 * values of bool/int/number fields (from form or query strings) are replaced
 * by typed values first. On failure writes "<message>" naming the field into
 * MSG and returns false; OBJ may be partly coerced but nothing is stored. */
bool validate_object(json_object *obj, const struct field *spec, bool coerce,
    char *msg, size_t msglen);

/* Number of UTF-8 code points, or -1 when S is not valid UTF-8. */
long utf8_length(const char *s, size_t len);

#endif
