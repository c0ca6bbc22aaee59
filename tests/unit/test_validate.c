/* test_validate.c - the field validator, table-driven: each row is a body
 * and whether the spec below must accept it. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "prefkeys.h"
#include "unit.h"
#include "validate.h"

static const char *const colours[] = { "red", "green", NULL };

enum { K_NAME, K_FLAG, K_COUNT, K_COLOUR, K_WORDS, K_NOTE, K_PASSWORD, K_WHEN, K_INNER, K_ITEMS, K_WHO };

static const struct field inner_spec[] = {
	{ .name = "limit", .type = F_INT, .min = 60, .max = 100 },
	FIELD_END
};

static const struct field item_spec[] = {
	{ .name = "id", .type = F_STRING, .flags = F_REQUIRED, .min = 1, .max = 8 },
	FIELD_BOOL("on"),
	FIELD_END
};

static const struct field spec[] = {
	[K_NAME] = { .name = "name", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL, .min = 1, .max = 5 },
	[K_FLAG] = FIELD_BOOL("flag"),
	[K_COUNT] = FIELD_INT("count", 1, 10),
	[K_COLOUR] = FIELD_CHOICE("colour", colours),
	[K_WORDS] = FIELD_WORDS("words", 2, 3, NULL),
	[K_NOTE] = { .name = "note", .type = F_STRING, .flags = F_NULLABLE, .max = 10 },
	[K_PASSWORD] = { .name = "password", .type = F_PASSWORD, .min = 1, .max = 20 },
	[K_WHEN] = { .name = "when", .type = F_DATE },
	[K_INNER] = { .name = "inner", .type = F_OBJECT, .sub = inner_spec },
	[K_ITEMS] = { .name = "items", .type = F_OBJECT_ARRAY, .max = 2, .sub = item_spec },
	[K_WHO] = { .name = "who", .type = F_LOGIN_USER, .min = 1, .max = 20 },
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
	{ "{\"name\":\"abc\",\"when\":\"2027-01-31T23:59:59Z\"}", true, "date" },
	{ "{\"name\":\"abc\",\"when\":\"2027-02-31T23:59:59Z\"}", false, "no such day" },
	{ "{\"name\":\"abc\",\"when\":\"tomorrow\"}", false, "not a date" },
	{ "{\"name\":\"abc\",\"inner\":{\"limit\":60}}", true, "nested object" },
	{ "{\"name\":\"abc\",\"inner\":{\"limit\":59}}", false, "nested out of range" },
	{ "{\"name\":\"abc\",\"items\":[{\"id\":\"a\",\"on\":true},{\"id\":\"b\"}]}", true, "list of objects" },
	{ "{\"name\":\"abc\",\"items\":[{\"on\":true}]}", false, "item missing its id" },
	{ "{\"name\":\"abc\",\"items\":[{\"id\":\"a\",\"x\":1}]}", false, "item with an unknown key" },
	{ "{\"name\":\"abc\",\"items\":[1]}", false, "item not an object" },
	{ "{\"name\":\"abc\",\"items\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\"}]}", false, "too many objects" },
	{ "{\"name\":\"abc\",\"who\":{\"username\":\"kim\"}}", true, "login selector object" },
	{ "{\"name\":\"abc\",\"who\":{\"username\":\"kim\",\"email\":\"k@x\"}}", false, "two selectors" },
	{ "{\"name\":\"abc\",\"who\":{}}", false, "no selector" },
};

static void
test_rows(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		json_object *o = json_tokener_parse(rows[i].json);
		char msg[320] = "", what[600];
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

static const struct vopts strict = { .unknown = UNKNOWN_REFUSE };

/* validate_fields() into a fresh arena; VALS gets the values. */
static bool
check(json_object *o, const struct vopts *opts, struct fvals *arena, const struct fval **vals,
    struct verror *e)
{
	memset(arena, 0, sizeof *arena);
	return validate_fields(o, spec, opts, arena, vals, e);
}

static void
test_error_field(void)
{
	static struct fvals arena;
	const struct fval *v;
	struct verror e;
	json_object *o = json_tokener_parse("{\"name\":\"abc\",\"words\":[\"a\",\"toolong\"]}");
	CHECK(!check(o, &strict, &arena, &v, &e), "refused");
	CHECK(strcmp(e.field, "words[1]") == 0, "the failing list item is the field");
	json_object_put(o);
	o = json_tokener_parse("{}");
	CHECK(!check(o, &strict, &arena, &v, &e) && strcmp(e.field, "name") == 0, "a missing field is the field");
	json_object_put(o);
	o = json_tokener_parse("[]");
	CHECK(!check(o, &strict, &arena, &v, &e) && e.field[0] == '\0', "a non-object body has no field");
	json_object_put(o);
	o = json_tokener_parse("{\"name\":\"abc\",\"inner\":{\"limit\":5}}");
	CHECK(!check(o, &strict, &arena, &v, &e) && strcmp(e.field, "inner.limit") == 0 &&
	    strstr(e.msg, "'inner.limit'") != NULL, "a nested failure names its full path");
	json_object_put(o);
	o = json_tokener_parse("{\"name\":\"abc\",\"items\":[{\"id\":\"a\"},{\"id\":\"toolongid\"}]}");
	CHECK(!check(o, &strict, &arena, &v, &e) && strcmp(e.field, "items[1].id") == 0, "a list item's key is named by its path");
	json_object_put(o);
	o = json_tokener_parse("{\"name\":\"abc\",\"inner\":{\"nope\":1}}");
	CHECK(!check(o, &strict, &arena, &v, &e) && strcmp(e.field, "inner.nope") == 0, "an unknown nested key by its path");
	json_object_put(o);
}

/* Handlers read typed values by their enum, parsed once. */
static void
test_typed_values(void)
{
	static struct fvals arena;
	const struct fval *v;
	struct verror e;
	json_object *o = json_tokener_parse("{\"name\":\"h\u00e9\",\"flag\":true,\"count\":7,"
	    "\"when\":\"2027-01-31T23:59:59.5+01:00\",\"note\":null,\"inner\":{\"limit\":61},"
	    "\"password\":{\"digest\":\"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\",\"algorithm\":\"sha-256\"},"
	    "\"who\":\"kim@example.org\"}");
	CHECK(check(o, &strict, &arena, &v, &e), e.msg);
	CHECK(v != NULL && v[K_NAME].set && strcmp(v[K_NAME].s, "h\xc3\xa9") == 0 && v[K_NAME].len == 3, "string and its bytes");
	CHECK(v[K_FLAG].set && v[K_FLAG].b, "bool");
	CHECK(v[K_COUNT].set && v[K_COUNT].i == 7, "int");
	CHECK(v[K_WHEN].set && v[K_WHEN].i == 1801436399500LL, "date in epoch ms, offset applied");
	CHECK(!v[K_NOTE].set && v[K_NOTE].null, "null is told apart from absent");
	CHECK(!v[K_COLOUR].set && !v[K_COLOUR].null, "absent");
	CHECK(v[K_INNER].set && v[K_INNER].sub && v[K_INNER].sub[0].i == 61, "nested values by the sub-spec's index");
	CHECK(v[K_PASSWORD].is_digest && strcmp(v[K_PASSWORD].s, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") == 0,
	    "a digest is lower-cased");
	CHECK(v[K_WHO].is_email && strcmp(v[K_WHO].s, "kim@example.org") == 0, "login selector: an address");
	json_object_put(o);
	o = json_tokener_parse("{\"name\":\"abc\",\"who\":{\"username\":\"kim\"}}");
	CHECK(check(o, &strict, &arena, &v, &e) && !v[K_WHO].is_email && strcmp(v[K_WHO].s, "kim") == 0,
	    "login selector: {username}");
	json_object_put(o);
}

/* Rocket.Chat ignores what it does not know on most routes: dropped. */
static void
test_unknown_ignored(void)
{
	static struct fvals arena;
	const struct vopts lenient = { .unknown = UNKNOWN_IGNORE };
	const struct fval *v;
	struct verror e;
	json_object *o = json_tokener_parse("{\"a\":1,\"name\":\"abc\",\"_\":\"123\",\"z\":[1]}");
	CHECK(check(o, &lenient, &arena, &v, &e), e.msg);
	CHECK(json_object_object_length(o) == 1 && v[K_NAME].set, "unknown keys dropped, known kept");
	json_object_put(o);
}

/* Names a caller chose are echoed as valid UTF-8, cut on a boundary. */
static void
test_echoed_names(void)
{
	static struct fvals arena;
	const struct fval *v;
	struct verror e;
	char key[400];
	size_t n = 0;

	/* 110 three-byte characters, then invalid bytes. */
	for (int i = 0; i < 110; i++)
		n += (size_t)snprintf(key + n, sizeof key - n, "\xe2\x82\xac");
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string("abc"));
	json_object_object_add(o, key, json_object_new_int(1));
	CHECK(!check(o, &strict, &arena, &v, &e), "unknown long key refused");
	CHECK(utf8_length(e.msg, strlen(e.msg)) > 0 && utf8_length(e.field, strlen(e.field)) > 0,
	    "message and field stay valid UTF-8");
	CHECK(strstr(e.field, "\xe2\x80\xa6") != NULL, "a cut name ends in an ellipsis");
	json_object_put(o);
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string("abc"));
	json_object_object_add(o, "bad\xff\xc3key", json_object_new_int(1));
	CHECK(!check(o, &strict, &arena, &v, &e), "invalid UTF-8 key refused");
	CHECK(utf8_length(e.msg, strlen(e.msg)) > 0 && strstr(e.field, "bad??key") != NULL,
	    "invalid bytes are shown as '?'");
	json_object_put(o);
	CHECK(utf8_prefix("a\xe2\x82\xac", 3) == 1, "a prefix never ends inside a character");
	CHECK(utf8_prefix("abc", 5) == 3, "a short string is whole");
}

static void
test_spec_size(void)
{
	CHECK(validate_spec_size(spec) == 12, "rows plus the nested object's rows");
	CHECK(validate_spec_size(preference_fields) < FVAL_MAX, "the preference spec fits");
}

static void
test_coercion(void)
{
	json_object *o = json_tokener_parse("{\"name\":\"abc\",\"flag\":\"false\",\"count\":\"7\"}");
	char msg[320];
	CHECK(validate_object(o, spec, true, msg, sizeof msg), "form strings coerce");
	json_object *b = json_tokener_parse("{\"name\":\"abc\",\"flag\":\"1\"}");
	CHECK(validate_object(b, spec, true, msg, sizeof msg) && json_object_get_boolean(json_object_object_get(b, "flag")),
	    "form 1 is true, as Rocket.Chat's AJV coerces");
	json_object_put(b);
	b = json_tokener_parse("{\"name\":\"abc\",\"flag\":\"yes\"}");
	CHECK(!validate_object(b, spec, true, msg, sizeof msg), "other words are not booleans");
	json_object_put(b);
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
	test_typed_values();
	test_unknown_ignored();
	test_echoed_names();
	test_spec_size();
	test_coercion();
	test_utf8();
	test_preference_spec();
	return unit_done();
}
