/* fuzz_json_body.c - fuzzes a JSON request body through req_read_body() (our strict RFC 8259 check, then json-c, depth 32; accepted means json-c strict accepts it too) and validate_object() with fuzz_spec, preference_fields and setPreferences' shape, with and without coercion; asserts no crash, leak or UB and that accepted numbers and strings keep their spec. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "io.h"
#include "jsonbody.h"
#include "request.h"
#include "validate.h"

#define BODY_LIMIT 4096

/* lib/io.c is replaced by these so that the input reaches the real
 * req_read_body() as a body of CONTENT_LENGTH bytes. (If request.c starts
 * using another io_* function, linking fails loudly: add it here.) */
static const uint8_t *body;
static size_t body_len, body_pos;
static char content_length[32];

const char *
io_getenv(const char *name)
{
	return strcmp(name, "CONTENT_LENGTH") == 0 ? content_length : NULL;
}

size_t
io_read(void *buf, size_t n)
{
	size_t left = body_len - body_pos;
	if (n > left)
		n = left;
	memcpy(buf, body + body_pos, n);
	body_pos += n;
	return n;
}

void
io_write(const void *buf, size_t n)
{
	(void)buf;
	(void)n;
}

void
io_drain(void)
{
	body_pos = body_len;
}

size_t
io_getenv_all(const char *name, const char **out, size_t max)
{
	(void)name;
	(void)out;
	(void)max;
	return 0;
}

int
io_accept(void)
{
	return -1;
}

/* Validates a deep copy of OBJ against SPEC (coercion may rewrite it). */
static void
validate_copy(json_object *obj, const struct field *spec, bool coerce)
{
	json_object *copy = NULL;
	char msg[256];

	FUZZ_ASSERT(json_object_deep_copy(obj, &copy, NULL) == 0);
	memset(msg, 'x', sizeof msg);
	if (validate_object(copy, spec, coerce, msg, sizeof msg)) {
		fuzz_check_accepted(copy, spec);
		if (spec == preference_fields)
			preferences_normalize(copy);
	} else {
		/* A refusal always says why, as one C string. */
		FUZZ_ASSERT(memchr(msg, '\0', sizeof msg) != NULL && msg[0] != '\0');
	}
	json_object_put(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request req;
	char msg[256];
	enum err_kind k;

	if (size > BODY_LIMIT)
		return 0;
	body = data;
	body_len = size;
	body_pos = 0;
	snprintf(content_length, sizeof content_length, "%zu", size);

	memset(&req, 0, sizeof req);
	req.content_type = "application/json";
	k = req_read_body(&req, BODY_LIMIT, BODY_JSON, NULL, msg, sizeof msg);
	FUZZ_ASSERT(k == ERR_NONE || k == ERR_BAD_REQUEST);
	if (k == ERR_NONE) {
		FUZZ_ASSERT(json_object_is_type(req.body, json_type_object));
		/* Ours is the stricter parser: json-c in strict mode takes it too,
		 * and builds the same value. */
		if (size > 0) {
			struct json_tokener *tok = json_tokener_new_ex(JSON_BODY_DEPTH + 1);
			json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
			json_object *plain = json_tokener_parse_ex(tok, (const char *)data, (int)size);
			FUZZ_ASSERT(plain != NULL && json_object_equal(plain, req.body));
			json_object_put(plain);
			json_tokener_free(tok);
		}
		for (int coerce = 0; coerce <= 1; coerce++) {
			validate_copy(req.body, fuzz_spec, coerce);
			validate_copy(req.body, preference_fields, coerce);
			validate_copy(req.body, fuzz_set_preferences_spec, coerce);
		}
	}
	req_end(&req);
	return 0;
}
