/* fuzz_multipart.c - fuzzes multipart_parse() (lib/multipart.c). The input
 * is "<Content-Type value>\n<body>", so the boundary parameter is fuzzed
 * too. Asserts no crash, leak or UB; an answer of ERR_NONE, 400, 413 or 415
 * with a message; and for accepted bodies: every file matches a row of the
 * spec, fits its limit, lies inside the body, has an allowed sniffed type
 * and a clean file name; every field is a string (or a nest of them, as
 * forms make) without NUL, and the field validator copes with them. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "multipart.h"
#include "validate.h"

static const struct part spec[] = {
	{ .name = "avatar", .types = PART_PNG | PART_JPEG | PART_WEBP, .max = 256 },
	{ .name = "icon", .types = PART_GIF, .max = 32, .flags = PART_REQUIRED },
	PART_END
};

static bool
fields_shaped(json_object *v)
{
	if (json_object_is_type(v, json_type_string))
		return strlen(json_object_get_string(v)) == (size_t)json_object_get_string_len(v);
	if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (!fields_shaped(json_object_array_get_idx(v, i)))
				return false;
		return true;
	}
	if (!json_object_is_type(v, json_type_object))
		return false;
	json_object_object_foreach(v, key, val) {
		if (key[0] == '\0' || !fields_shaped(val))
			return false;
	}
	return true;
}

static void
check_file(const struct mp_file *f, const uint8_t *body, size_t len)
{
	const char *mime;
	unsigned t;

	FUZZ_ASSERT(f->spec == &spec[0] || f->spec == &spec[1]);
	FUZZ_ASSERT(f->len <= f->spec->max);
	FUZZ_ASSERT((const uint8_t *)f->data >= body && (const uint8_t *)f->data + f->len <= body + len);
	t = part_sniff(f->data, f->len, &mime);
	FUZZ_ASSERT((t & f->spec->types) != 0 && strcmp(mime, f->type) == 0);
	size_t n = strlen(f->filename);
	FUZZ_ASSERT(n <= MP_FILENAME_MAX && utf8_length(f->filename, n) >= 0);
	FUZZ_ASSERT(strpbrk(f->filename, "/\\") == NULL);
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT((unsigned char)f->filename[i] >= 0x20 && f->filename[i] != 0x7f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	json_object *fields;
	struct mp_file *files;
	size_t nfiles, blen;
	char *ctype, *body, msg[256];
	enum err_kind k;

	if (nl == NULL || (ctype = fuzz_cstr(data, (size_t)(nl - data))) == NULL)
		return 0;
	/* The body in its own allocation, so ASan sees any read past it. */
	blen = size - (size_t)(nl + 1 - data);
	body = malloc(blen ? blen : 1);
	FUZZ_ASSERT(body != NULL);
	memcpy(body, nl + 1, blen);

	fields = json_object_new_object();
	memset(msg, 'x', sizeof msg);
	k = multipart_parse(body, blen, ctype, spec, fields, &files, &nfiles, msg, sizeof msg);
	FUZZ_ASSERT(k == ERR_NONE || k == ERR_BAD_REQUEST || k == ERR_TOO_LARGE ||
	    k == ERR_UNSUPPORTED_TYPE);
	FUZZ_ASSERT(nfiles <= 2);
	if (k == ERR_NONE) {
		bool icon = false;
		FUZZ_ASSERT(fields_shaped(fields));
		for (size_t i = 0; i < nfiles; i++) {
			check_file(&files[i], (const uint8_t *)body, blen);
			icon |= files[i].spec == &spec[1];
			for (size_t j = 0; j < i; j++)
				FUZZ_ASSERT(files[j].spec != files[i].spec);
		}
		FUZZ_ASSERT(icon);      /* it is PART_REQUIRED */
		for (int coerce = 0; coerce <= 1; coerce++) {
			json_object *copy = NULL;
			char vmsg[256];
			FUZZ_ASSERT(json_object_deep_copy(fields, &copy, NULL) == 0);
			if (validate_object(copy, fuzz_spec, coerce, vmsg, sizeof vmsg))
				fuzz_check_accepted(copy, fuzz_spec);
			json_object_put(copy);
		}
	} else {
		/* A refusal always says why, as one C string. */
		FUZZ_ASSERT(memchr(msg, '\0', sizeof msg) != NULL && msg[0] != '\0');
	}
	mp_files_free(files, nfiles);
	json_object_put(fields);
	free(body);
	free(ctype);
	return 0;
}
