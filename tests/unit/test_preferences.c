/* test_preferences.c - the preference spec of lib/preferences.c, table-driven:
 * each row is a data object and whether users.setPreferences must take it;
 * then the defaults, the legacy remap, stored/merged views of a user, the
 * "preference.<key>" config lines and their documentation in the sample. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "prefkeys.h"
#include "unit.h"
#include "validate.h"

#define SAMPLE "deploy/myaccount.conf.sample"

/* The built-in defaults, copied before any test overrides one. */
static json_object *builtin;

static const struct { const char *json; bool ok; const char *why; } rows[] = {
	/* language */
	{ "{\"language\":\"de\"}", true, "language code" },
	{ "{\"language\":\"pt-BR\"}", true, "language with region" },
	{ "{\"language\":\"\"}", true, "empty language = default" },
	{ "{\"language\":\"x\"}", false, "one letter" },
	{ "{\"language\":\"de DE\"}", false, "space in language" },
	{ "{\"language\":\"abcdefghijklmnopq\"}", false, "17 characters" },
	{ "{\"language\":5}", false, "number for language" },
	/* presence */
	{ "{\"enableAutoAway\":false,\"idleTimeLimit\":60}", true, "idle time at its minimum" },
	{ "{\"idleTimeLimit\":86400}", true, "idle time at its maximum" },
	{ "{\"idleTimeLimit\":59}", false, "idle time under a minute" },
	{ "{\"idleTimeLimit\":86401}", false, "idle time over a day" },
	{ "{\"idleTimeLimit\":120.5}", false, "decimal idle time" },
	{ "{\"idleTimeLimit\":\"120\"}", false, "string idle time (no coercion here)" },
	{ "{\"enableAutoAway\":\"true\"}", false, "string for a boolean" },
	{ "{\"enableAutoAway\":1}", false, "number for a boolean" },
	/* notifications */
	{ "{\"desktopNotifications\":\"mentions\",\"pushNotifications\":\"nothing\"}", true, "notification levels" },
	{ "{\"desktopNotifications\":\"default\"}", true, "follow the server default" },
	{ "{\"pushNotifications\":\"ALL\"}", false, "enum is case-sensitive" },
	{ "{\"emailNotificationMode\":\"nothing\"}", true, "email nothing" },
	{ "{\"emailNotificationMode\":\"all\"}", true, "legacy email all is accepted" },
	{ "{\"emailNotificationMode\":\"disabled\"}", true, "legacy email disabled is accepted" },
	{ "{\"emailNotificationMode\":\"always\"}", false, "unknown email mode" },
	{ "{\"desktopNotificationRequireInteraction\":true}", true, "require interaction" },
	/* messages */
	{ "{\"clockMode\":0,\"messageViewMode\":2}", true, "clock and view modes" },
	{ "{\"clockMode\":3}", false, "clock mode 3" },
	{ "{\"messageViewMode\":-1}", false, "view mode -1" },
	{ "{\"sendOnEnter\":\"desktop\",\"alsoSendThreadToChannel\":\"never\"}", true, "enter and thread modes" },
	{ "{\"sendOnEnter\":\"ctrl\"}", false, "unknown enter mode" },
	{ "{\"unreadAlert\":false,\"showThreadsInMainChannel\":true,\"useEmojis\":false,"
	  "\"convertAsciiEmoji\":false,\"autoImageLoad\":false,\"saveMobileBandwidth\":false,"
	  "\"collapseMediaByDefault\":true,\"hideUsernames\":true,\"hideRoles\":true,"
	  "\"hideFlexTab\":true,\"displayAvatars\":false}", true, "every message switch" },
	/* highlights */
	{ "{\"highlights\":[]}", true, "no words" },
	{ "{\"highlights\":[\"deploy\",\"caf\\u00e9\"]}", true, "two words" },
	{ "{\"highlights\":[\"\"]}", false, "empty word" },
	{ "{\"highlights\":[\" \\t\"]}", false, "blank word" },
	{ "{\"highlights\":[\"a\\nb\"]}", false, "control character in a word" },
	{ "{\"highlights\":\"deploy\"}", false, "a string, not a list" },
	{ "{\"highlights\":[3]}", false, "a number in the list" },
	/* sound */
	{ "{\"newRoomNotification\":\"none\",\"newMessageNotification\":\"outbound-call-ringing\"}", true, "sound ids" },
	{ "{\"newMessageNotification\":\"bell\"}", false, "unknown sound" },
	{ "{\"notificationsSoundVolume\":0,\"masterVolume\":100,\"voipRingerVolume\":50}", true, "volumes in range" },
	{ "{\"masterVolume\":101}", false, "volume over 100" },
	{ "{\"notificationsSoundVolume\":-1}", false, "volume under 0" },
	{ "{\"muteFocusedConversations\":false}", true, "mute focused" },
	/* others */
	{ "{\"fontSize\":\"112.5%\"}", true, "font size percentage" },
	{ "{\"fontSize\":\"112\"}", false, "font size without %" },
	{ "{\"fontSize\":\"%\"}", false, "font size without digits" },
	{ "{\"sidebarSectionsOrder\":[\"Unread\",\"Favorites\"]}", true, "sections order" },
	{ "{\"themeAppearence\":\"dark\",\"sidebarViewMode\":\"condensed\",\"sidebarSortby\":\"alphabetical\"}", true, "appearance enums" },
	{ "{\"themeAppearence\":\"blue\"}", false, "unknown theme" },
	{ "{\"omnichannelTranscriptEmail\":true,\"omnichannelTranscriptPDF\":false}", true, "omnichannel switches" },
	/* keys */
	{ "{}", true, "nothing" },
	{ "{\"foo\":1}", false, "unknown key" },
	{ "{\"dontAskAgainList\":[]}", true, "an empty list of objects" },
	{ "{\"dontAskAgainList\":[{\"action\":\"deleteMessage\",\"label\":\"Delete\"}]}", true, "{action, label} items" },
	{ "{\"dontAskAgainList\":[{\"action\":\"deleteMessage\"}]}", false, "an item without its label" },
	{ "{\"featuresPreview\":[{\"name\":\"quickReactions\",\"value\":true}]}", true, "{name, value} items" },
	{ "{\"featuresPreview\":[{\"name\":\"quickReactions\",\"value\":\"on\"}]}", false, "a value that is no boolean" },
	{ "{\"idleTimeLimitH\":1}", false, "the DDP method's hours are not REST keys" },
	{ "{\"useEmojis\":null}", true, "null resets to the default" },
};

static void
test_rows(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		json_object *o = json_tokener_parse(rows[i].json);
		char msg[256] = "", what[512];
		bool ok = validate_object(o, preference_fields, false, msg, sizeof msg);
		snprintf(what, sizeof what, "%s: %s (message: %s)", rows[i].why, rows[i].json, msg);
		CHECK(o != NULL, "row parses");
		CHECK(ok == rows[i].ok, what);
		json_object_put(o);
	}
}

/* A refusal names the key, and the spec's bound where there is one. */
static void
test_messages(void)
{
	static const struct { const char *json, *want[2]; } cases[] = {
		{ "{\"idleTimeLimit\":30}", { "'idleTimeLimit'", "60" } },
		{ "{\"masterVolume\":300}", { "'masterVolume'", "100" } },
		{ "{\"newRoomNotification\":\"bell\"}", { "'newRoomNotification'", "sound id" } },
		{ "{\"highlights\":[\"ok\",\"\"]}", { "'highlights'", "empty" } },
		{ "{\"bogusKey\":true}", { "unknown field", "'bogusKey'" } },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_object *o = json_tokener_parse(cases[i].json);
		char msg[256] = "";
		validate_object(o, preference_fields, false, msg, sizeof msg);
		for (int j = 0; j < 2; j++)
			CHECK(strstr(msg, cases[i].want[j]) != NULL, cases[i].json);
		json_object_put(o);
	}
}

/* Every key is declared once; every default passes its key's spec. */
static void
test_table(void)
{
	char err[256];
	size_t n = 0, twice = 0;

	for (const struct field *f = preference_fields; f->name; f++, n++)
		for (const struct field *g = f + 1; g->name; g++)
			twice += strcmp(f->name, g->name) == 0;
	CHECK(twice == 0, "no key is declared twice");
	CHECK(n >= 48, "every Rocket.Chat key with a JSON type");
	CHECK(preferences_init(err, sizeof err) == 0, err);
	json_object_object_foreach(preferences_defaults(), key, value) {
		json_object *one = json_object_new_object();
		char msg[256] = "";
		json_object_object_add(one, key, json_object_get(value));
		CHECK(validate_object(one, preference_fields, false, msg, sizeof msg), key);
		json_object_put(one);
	}
}

static void
test_normalize(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "{\"emailNotificationMode\":\"all\"}", "{\"emailNotificationMode\":\"mentions\"}" },
		{ "{\"emailNotificationMode\":\"disabled\"}", "{\"emailNotificationMode\":\"nothing\"}" },
		{ "{\"emailNotificationMode\":\"mentions\"}", "{\"emailNotificationMode\":\"mentions\"}" },
		{ "{\"desktopNotifications\":\"all\"}", "{\"desktopNotifications\":\"all\"}" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_object *in = json_tokener_parse(cases[i].in), *out = json_tokener_parse(cases[i].out);
		preferences_normalize(in);
		CHECK(json_object_equal(in, out), cases[i].in);
		json_object_put(in);
		json_object_put(out);
	}
}

static json_object *
get(json_object *o, const char *key)
{
	json_object *v = NULL;
	json_object_object_get_ex(o, key, &v);
	return v;
}

static void
test_stored_and_merged(void)
{
	bson_t *none = BCON_NEW("_id", "u1");
	bson_t *some = BCON_NEW("_id", "u2", "language", "de",
	    "settings", "{", "preferences", "{", "idleTimeLimit", BCON_INT32(900),
	        "language", "fr", "customKey", "kept", "}", "}");
	json_object *s, *m;

	s = preferences_stored(none);
	CHECK(json_object_object_length(s) == 0, "no stored preferences: empty object");
	json_object_put(s);
	m = preferences_merged(none);
	CHECK(json_object_equal(m, preferences_defaults()), "no stored preferences: the defaults");
	json_object_put(m);

	s = preferences_stored(some);
	CHECK(json_object_object_length(s) == 3, "stored: the user's keys only");
	CHECK(strcmp(json_object_get_string(get(s, "language")), "de") == 0, "user.language wins");
	CHECK(get(s, "customKey") != NULL, "unknown stored keys are kept");
	json_object_put(s);
	m = preferences_merged(some);
	CHECK(json_object_get_int(get(m, "idleTimeLimit")) == 900, "merged: the user's value");
	CHECK(strcmp(json_object_get_string(get(m, "newRoomNotification")), "door") == 0, "merged: a default");
	CHECK(strcmp(json_object_get_string(get(m, "language")), "de") == 0, "merged: language");
	json_object_put(m);
	bson_destroy(none);
	bson_destroy(some);
}

/* The admin's "preference.<key> = <JSON>" lines, through the real loader. */
static void
test_config(void)
{
	char path[] = "/tmp/test_preferences_XXXXXX", err[256] = "";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	bson_t *user = BCON_NEW("_id", "u3", "settings", "{", "preferences", "{",
	    "masterVolume", BCON_INT32(10), "}", "}");
	json_object *m;

	CHECK(f != NULL, "temp config");
	if (f == NULL)
		return;
	fputs("preference.idleTimeLimit = 600\n"
	      "preference.newMessageNotification = \"ding\"\n"
	      "preference.emailNotificationMode = \"disabled\"\n"
	      "preference.highlights = [\"urgent\"]\n"
	      "preference.masterVolume = 70\n"
	      "secret_key = 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", f);
	fclose(f);
	CHECK(config_load(path, err, sizeof err) == 0, err);
	m = preferences_merged(user);
	CHECK(json_object_get_int(get(m, "idleTimeLimit")) == 600, "config default idleTimeLimit");
	CHECK(strcmp(json_object_get_string(get(m, "newMessageNotification")), "ding") == 0, "config default sound");
	CHECK(strcmp(json_object_get_string(get(m, "emailNotificationMode")), "nothing") == 0, "legacy default remapped");
	CHECK(json_object_array_length(get(m, "highlights")) == 1, "config default list");
	CHECK(json_object_get_int(get(m, "masterVolume")) == 10, "the user's value beats the config");
	json_object_put(m);
	bson_destroy(user);

	static const char *const bad[] = {
		"preference.idleTimeLimit = 30\n", "preference.useEmojis = yes\n",
		"preference.newRoomNotification = bell\n", "preference.nope = 1\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		f = fopen(path, "w");
		if (f == NULL)
			break;
		fputs(bad[i], f);
		fclose(f);
		CHECK(config_load(path, err, sizeof err) != 0, bad[i]);
		CHECK(strstr(err, "preference") != NULL, "the message names the line's key");
	}
	unlink(path);
	config_free();
}

/* Every line of the sample's "Preference defaults" section is a valid
 * default, shows the built-in value, and every built-in default is there. */
static void
test_sample(void)
{
	FILE *f = fopen(SAMPLE, "r");
	char line[512], err[256];
	json_object *seen = json_object_new_object();

	CHECK(f != NULL, "run from the top of the tree: " SAMPLE);
	if (f == NULL)
		goto out;
	while (fgets(line, sizeof line, f)) {
		char key[64], value[256];
		if (sscanf(line, "# preference.%63[A-Za-z] = %255[^\n]", key, value) != 2)
			continue;
		json_object *want = get(builtin, key), *got = json_tokener_parse(value);
		if (want)
			CHECK(json_object_equal(want, got), key);
		json_object_put(got);
		CHECK(preferences_set_default(key, value, err, sizeof err) == 0, err);
		json_object_object_add(seen, key, json_object_new_boolean(1));
	}
	fclose(f);
	json_object_object_foreach(builtin, key, value) {
		(void)value;
		CHECK(get(seen, key) != NULL, key);
	}
	CHECK(get(seen, "language") != NULL, "language is documented");
out:
	json_object_put(seen);
}

int
main(void)
{
	char err[256];

	if (preferences_init(err, sizeof err) != 0) {
		fprintf(stderr, "preferences_init: %s\n", err);
		return 1;
	}
	if (json_object_deep_copy(preferences_defaults(), &builtin, NULL) != 0)
		return 1;
	test_rows();
	test_messages();
	test_table();
	test_normalize();
	test_stored_and_merged();
	test_sample();
	test_config();
	json_object_put(builtin);
	return unit_done();
}
