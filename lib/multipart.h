/* multipart.h - multipart/form-data request bodies (RFC 7578, boundary and
 * delimiter rules of RFC 2046 section 5.1.1). A route declares its file
 * parts as a table, like its fields; every other part is a text field and
 * lands in the body object as a string, so the field spec validates it. */
#ifndef MA_MULTIPART_H
#define MA_MULTIPART_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "errors.h"

/* Types a file part may have, decided by its first bytes (its magic), never
 * by the Content-Type the client declared. */
#define PART_PNG    0x01u
#define PART_JPEG   0x02u
#define PART_GIF    0x04u
#define PART_WEBP   0x08u
#define PART_IMAGE  (PART_PNG | PART_JPEG | PART_GIF | PART_WEBP)

#define PART_REQUIRED 0x01u     /* flags: the part must be sent */

/* One file part a route takes. */
struct part {
	const char  *name;          /* the form field name */
	unsigned     types;         /* PART_* allowed (sniffed) */
	size_t       max;           /* bytes of content, at most */
	unsigned     flags;         /* PART_REQUIRED */
};
#define PART_END { NULL, 0, 0, 0 }

/* One file part received. */
struct mp_file {
	const struct part *spec;    /* borrowed: the row it matched */
	char        *filename;      /* owned: UTF-8, path stripped; "" if none */
	const char  *type;          /* static: sniffed MIME type ("image/png") */
	const char  *data;          /* borrowed: inside the body buffer */
	size_t       len;
};

#define MP_BOUNDARY_MAX 70      /* RFC 2046 */
#define MP_PARTS_MAX    64      /* parts in one body */
#define MP_TEXT_MAX     16384   /* bytes of one text part */
#define MP_FILENAME_MAX 255     /* bytes of a file name */

/* The boundary parameter of CONTENT_TYPE ("multipart/form-data;
 * boundary=..."), quoted or not, 1-70 characters of RFC 2046's bchars,
 * into OUT. False with MSG set when missing or malformed. */
bool multipart_boundary(const char *content_type, char out[MP_BOUNDARY_MAX + 1],
    char *msg, size_t msglen);

/* Splits BODY (LEN bytes) of CONTENT_TYPE into text fields, put into FIELDS
 * as strings (bracketed names nest as in forms), and file parts matching
 * SPEC (NULL: none), stored in *FILES (new array, *NFILES entries; free
 * with mp_files_free(), also after a failure). The total size is the
 * caller's body limit. Returns ERR_NONE, or with MSG set: ERR_BAD_REQUEST
 * (malformed, unknown or repeated file part, missing required part),
 * ERR_TOO_LARGE (a part over its limit), ERR_UNSUPPORTED_TYPE (content
 * that is none of the part's allowed types). */
enum err_kind multipart_parse(const char *body, size_t len, const char *content_type,
    const struct part *spec, json_object *fields, struct mp_file **files, size_t *nfiles,
    char *msg, size_t msglen);

void mp_files_free(struct mp_file *files, size_t nfiles);

/* PART_* of DATA by its magic bytes, 0 when none; *MIME its type. */
unsigned part_sniff(const char *data, size_t len, const char **mime);

#endif
