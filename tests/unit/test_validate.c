/* test_validate.c - the field validator, table-driven: each row is a body
 * and whether the spec below must accept it. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "prefkeys.h"
#include "unit.h"
#include "validate.h"

static const char *const colours[] = { "red", "green", NULL };

static const struct field spec[] = {
	{ "name", F_STRING, F_REQUIRED | F_NO_CTRL, 1, 5, NULL, NULL, 0, NULL },
	{ "flag", F_BOOL, 0, 0, 0, NULL, NULL, 0, NULL },
	{ "count", F_INT, 0, 1, 10, NULL, NULL, 0, NULL },
	{ "colour", F_STRING, 0, 0, 0, colours, NULL, 0, NULL },
	{ "words", F_STRING_ARRAY, 0, 0, 2, NULL, NULL, 3, NULL },
	{ "note", F_STRING, F_NULLABLE, 0, 10, NULL, NULL, 0, NULL },
	{ "password", F_PASSWORD, 0, 1, 20, NULL, NULL, 0, NULL },
	FIELD_END
};

static const struct { const char *json; bool ok; const char *why; } rows[] = {
	{ "{\"name\":\"abc\"}", true, "minimal" },
	{ "{\"name\":\"abcde\",\"flag\":true,\"count\":10,\"colour\":\"red\"}", true, "all bounds" },
	{ "{\"name\":\"h\\u00e9llo\"}", true, "5 code points, 6 bytes" },
	{ "{\"name\":\"abc\",\"words\":[\"a\",\"bcd\"]}", true, "array at its limits" },
	{ "{\"name\":\"abc\",\"note\":null}", true, "nullable" },
	{ "{\"name\":\"abc\",\"password\":\"secret\"}", true, "plain password" },
	{ "{\"name\":\"abc\",\"password\":{\"digest\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"algorithm\":\"sha-256\"}}", true, "digest password" },
	{ "{}", false, "missing required" },
	{ "{\"name\":\"\"}", false, "empty string" },
	{ "{\"name\":\"abcdef\"}", false, "too long" },
	{ "{\"name\":\"a\\nb\"}", false, "control character" },
	{ "{\"name\":\"a\\u0000b\"}", false, "NUL inside" },
	{ "{\"name\":5}", false, "wrong type" },
	{ "{\"name\":\"abc\",\"flag\":\"true\"}", false, "string for bool (no coercion)" },
	{ "{\"name\":\"abc\",\"count\":0}", false, "below range" },
	{ "{\"name\":\"abc\",\"count\":11}", false, "above range" },
	{ "{\"name\":\"abc\",\"count\":1.5}", false, "decimal for int" },
	{ "{\"name\":\"abc\",\"colour\":\"blue\"}", false, "not in enum" },
	{ "{\"name\":\"abc\",\"words\":[\"a\",\"b\",\"c\"]}", false, "too many items" },
	{ "{\"name\":\"abc\",\"words\":[\"abcd\"]}", false, "item too long" },
	{ "{\"name\":\"abc\",\"words\":[1]}", false, "item not a string" },
	{ "{\"name\":\"abc\",\"extra\":1}", false, "unknown field" },
	{ "{\"name\":null}", false, "null for non-nullable" },
	{ "{\"name\":\"abc\",\"password\":{\"digest\":\"xyz\",\"algorithm\":\"sha-256\"}}", false, "short digest" },
	{ "{\"name\":\"abc\",\"password\":{\"digest\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"algorithm\":\"md5\"}}", false, "other algorithm" },
	{ "{\"name\":\"abc\",\"password\":[]}", false, "password array" },
};

static void
test_rows(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		json_object *o = json_tokener_parse(rows[i].json);
		char msg[256] = "", what[400];
		bool ok = validate_object(o, spec, false, msg, sizeof msg);
		snprintf(what, sizeof what, "%s: %s (message: %s)", rows[i].why, rows[i].json, msg);
		CHECK(o != NULL, "row parses");
		CHECK(ok == rows[i].ok, what);
		if (!ok)
			CHECK(msg[0] != '\0', "a refusal says why");
		json_object_put(o);
	}
}

static void
test_messages_name_the_field(void)
{
	json_object *o = json_tokener_parse("{\"name\":\"abc\",\"bogus\":1}");
	char msg[256];
	validate_object(o, spec, false, msg, sizeof msg);
	CHECK(strstr(msg, "bogus") != NULL, "unknown field is named");
	json_object_put(o);
	o = json_tokener_parse("{\"name\":\"abc\",\"count\":99}");
	validate_object(o, spec, false, msg, sizeof msg);
	CHECK(strstr(msg, "count") != NULL && strstr(msg, "10") != NULL, "range message names field and bound");
	json_object_put(o);
}

static void
test_error_field(void)
{
	struct verror e;
	json_object *o = json_tokener_parse("{\"name\":\"abc\",\"words\":[\"a\",\"toolong\"]}");
	CHECK(!validate_fields(o, spec, false, &e), "refused");
	CHECK(strcmp(e.field, "words[1]") == 0, "the failing list item is the field");
	json_object_put(o);
	o = json_tokener_parse("{}");
	CHECK(!validate_fields(o, spec, false, &e) && strcmp(e.field, "name") == 0, "a missing field is the field");
	json_object_put(o);
	o = json_tokener_parse("[]");
	CHECK(!validate_fields(o, spec, false, &e) && e.field[0] == '\0', "a non-object body has no field");
	json_object_put(o);
}

static void
test_coercion(void)
{
	json_object *o = json_tokener_parse("{\"name\":\"abc\",\"flag\":\"false\",\"count\":\"7\"}");
	char msg[256];
	CHECK(validate_object(o, spec, true, msg, sizeof msg), "form strings coerce");
	json_object *v;
	CHECK(json_object_object_get_ex(o, "count", &v) && json_object_is_type(v, json_type_int) &&
	    json_object_get_int(v) == 7, "count became an int");
	json_object_put(o);
	static const char *const not_numbers[] = { "7x", "+7", " 7", "0x10", "", "-", "1e3" };
	for (size_t i = 0; i < sizeof not_numbers / sizeof not_numbers[0]; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string("abc"));
		json_object_object_add(o, "count", json_object_new_string(not_numbers[i]));
		CHECK(!validate_object(o, spec, true, msg, sizeof msg), not_numbers[i]);
		json_object_put(o);
	}
	o = json_tokener_parse("{\"name\":\"abc\",\"count\":\"-0\"}");
	CHECK(!validate_object(o, spec, true, msg, sizeof msg), "-0 is out of range 1..10");
	json_object_put(o);
}

static void
test_utf8(void)
{
	CHECK(utf8_length("abc", 3) == 3, "ascii");
	CHECK(utf8_length("\xc3\xa9", 2) == 1, "two-byte");
	CHECK(utf8_length("\xf0\x9f\x98\x80", 4) == 1, "four-byte emoji");
	CHECK(utf8_length("\xc3", 1) == -1, "truncated");
	CHECK(utf8_length("\xc0\xaf", 2) == -1, "overlong");
	CHECK(utf8_length("\xed\xa0\x80", 3) == -1, "surrogate");
	CHECK(utf8_length("\xff", 1) == -1, "invalid byte");
}

static void
test_preference_spec(void)
{
	char err[256];
	CHECK(preferences_init(err, sizeof err) == 0, "built-in defaults pass their own spec");
	json_object *d = preferences_defaults();
	json_object *v;
	CHECK(json_object_object_get_ex(d, "idleTimeLimit", &v) && json_object_get_int(v) == 300, "idleTimeLimit default 300");
	CHECK(preferences_set_default("idleTimeLimit", "30", err, sizeof err) != 0, "default below 60 refused");
	CHECK(preferences_set_default("nope", "1", err, sizeof err) != 0, "unknown preference refused");
	CHECK(preferences_set_default("idleTimeLimit", "300 seconds", err, sizeof err) != 0, "trailing words refused");
	CHECK(preferences_set_default("idleTimeLimit", "600", err, sizeof err) == 0, "a bare number is a value");
	CHECK(preferences_set_default("useEmojis", "false", err, sizeof err) == 0, "a bare word is a value");
	CHECK(preferences_set_default("newRoomNotification", "\"beep\"", err, sizeof err) == 0, "sound default settable");
	json_object *o = json_tokener_parse("{\"desktopNotifications\":\"loud\"}");
	CHECK(!validate_object(o, preference_fields, false, err, sizeof err), "enum enforced");
	json_object_put(o);
}

int
main(void)
{
	test_rows();
	test_messages_name_the_field();
	test_error_field();
	test_coercion();
	test_utf8();
	test_preference_spec();
	return unit_done();
}
