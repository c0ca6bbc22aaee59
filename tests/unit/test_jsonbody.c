/* test_jsonbody.c - request bodies are strict RFC 8259 JSON objects
 * (lib/jsonbody.c): what json-c alone would let through is refused. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "jsonbody.h"
#include "unit.h"

#define BODY(s) s, sizeof s - 1

struct json_case {
	const char *what;
	const char *text;
	size_t      len;
};

static const struct json_case valid[] = {
	{ "empty object", BODY("{}") },
	{ "white space around", BODY(" \t\r\n{ \"a\" : 1 }\r\n ") },
	{ "every value kind", BODY("{\"s\":\"x\",\"n\":-0.5e+3,\"i\":0,\"t\":true,\"f\":false,\"z\":null,\"a\":[1,[],{}],\"o\":{\"p\":{}}}") },
	{ "escapes", BODY("{\"s\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00\"}") },
	{ "raw UTF-8", BODY("{\"\xc3\xa9\":\"\xf0\x9f\x98\x80\xe2\x82\xac\"}") },
	{ "32 levels of nesting", BODY("{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}") },
	{ "\\u0000 in a value (the validator refuses it, naming the field)", BODY("{\"a\":\"x\\u0000y\"}") },
	{ "exponent forms", BODY("{\"a\":1E5,\"b\":1e-0,\"c\":-0}") },
};

static const struct json_case invalid[] = {
	{ "single-quoted key", BODY("{'a':1}") },
	{ "single-quoted value", BODY("{\"a\":'x'}") },
	{ "\\u0000 in a key", BODY("{\"a\\u0000b\":1}") },
	{ "raw NUL byte", BODY("{\"a\":\"x\0y\"}") },
	{ "NaN", BODY("{\"a\":NaN}") },
	{ "Infinity", BODY("{\"a\":-Infinity}") },
	{ "raw tab in a string", BODY("{\"a\":\"\t\"}") },
	{ "raw newline in a string", BODY("{\"a\":\"x\ny\"}") },
	{ "trailing comma", BODY("{\"a\":1,}") },
	{ "trailing comma in a list", BODY("{\"a\":[1,]}") },
	{ "leading zero", BODY("{\"a\":01}") },
	{ "bare decimal point", BODY("{\"a\":1.}") },
	{ "leading decimal point", BODY("{\"a\":.5}") },
	{ "plus sign", BODY("{\"a\":+1}") },
	{ "hex number", BODY("{\"a\":0x10}") },
	{ "empty exponent", BODY("{\"a\":1e}") },
	{ "bare word", BODY("{\"a\":yes}") },
	{ "unquoted key", BODY("{a:1}") },
	{ "comment", BODY("{\"a\":1 /* x */}") },
	{ "two values", BODY("{} {}") },
	{ "data after the object", BODY("{\"a\":1}x") },
	{ "unclosed object", BODY("{\"a\":1") },
	{ "unclosed string", BODY("{\"a\":\"x}") },
	{ "unknown escape", BODY("{\"a\":\"\\x41\"}") },
	{ "short \\u escape", BODY("{\"a\":\"\\u12\"}") },
	{ "lone high surrogate", BODY("{\"a\":\"\\ud83d\"}") },
	{ "lone low surrogate", BODY("{\"a\":\"\\ude00\"}") },
	{ "invalid UTF-8", BODY("{\"a\":\"\xff\"}") },
	{ "overlong UTF-8", BODY("{\"a\":\"\xc0\xaf\"}") },
	{ "UTF-8 surrogate", BODY("{\"a\":\"\xed\xa0\x80\"}") },
	{ "truncated UTF-8", BODY("{\"a\":\"\xe2\x82\"}") },
	{ "33 levels of nesting", BODY("{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}") },
	{ "empty", BODY("") },
	{ "a list, not an object", BODY("[]") },
	{ "a string, not an object", BODY("\"x\"") },
	{ "a number, not an object", BODY("12") },
	{ "null, not an object", BODY("null") },
};

int
main(void)
{
	char msg[256], what[384];

	for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
		json_object *o = NULL;
		bool ok = json_body_parse(valid[i].text, valid[i].len, &o, msg, sizeof msg);
		snprintf(what, sizeof what, "valid: %s (%s)", valid[i].what, ok ? "ok" : msg);
		CHECK(ok && json_object_is_type(o, json_type_object), what);
		json_object_put(o);
	}
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		json_object *o = NULL;
		msg[0] = '\0';
		bool ok = json_body_parse(invalid[i].text, invalid[i].len, &o, msg, sizeof msg);
		snprintf(what, sizeof what, "invalid: %s", invalid[i].what);
		CHECK(!ok && o == NULL && msg[0] != '\0', what);
		json_object_put(o);
	}
	/* The message says where, so a client can find it. */
	json_object *o = NULL;
	json_body_parse(BODY("{\"a\":'x'}"), &o, msg, sizeof msg);
	CHECK(strcmp(msg, "the body is not valid JSON: a value was expected (at byte 5)") == 0, msg);
	json_body_parse(BODY("{\"k\\u0000\":1}"), &o, msg, sizeof msg);
	CHECK(strstr(msg, "\\u0000 is not accepted in a key") != NULL, msg);
	/* A NUL in a value keeps its length, so the validator sees it. */
	CHECK(json_body_parse(BODY("{\"s\":\"x\\u0000y\"}"), &o, msg, sizeof msg), "NUL value parses");
	json_object *nul;
	CHECK(o && json_object_object_get_ex(o, "s", &nul) && json_object_get_string_len(nul) == 3,
	    "NUL value keeps its length");
	json_object_put(o);
	/* The value json-c builds is the one checked: escapes decoded. */
	CHECK(json_body_parse(BODY("{\"s\":\"\\u00e9\\ud83d\\ude00\"}"), &o, msg, sizeof msg), "escapes parse");
	json_object *s;
	CHECK(o && json_object_object_get_ex(o, "s", &s) &&
	    strcmp(json_object_get_string(s), "\xc3\xa9\xf0\x9f\x98\x80") == 0, "escapes decoded to UTF-8");
	json_object_put(o);
	return unit_done();
}
