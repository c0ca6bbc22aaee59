/* prefkeys.c - the preference table of Rocket.Chat's My Account
 * (reference/rocketchat-api.md section 3.3), its defaults and the legacy
 * values it remaps. This table is the only place that says what a
 * preference may hold: the preferences program, /me and the config file
 * all go through it. */
#include "prefkeys.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bsonread.h"
#include "config.h"
#include "json.h"

/* "default" follows the server's default, as Rocket.Chat's web client sends. */
static const char *const notify_levels[] = { "all", "mentions", "nothing", "default", NULL };
/* "all" and "disabled" are legacy values, accepted and remapped (below). */
static const char *const email_modes[] = { "nothing", "mentions", "all", "disabled", NULL };
static const char *const send_on_enter[] = { "normal", "alternative", "desktop", NULL };
static const char *const thread_modes[] = { "default", "always", "never", NULL };
static const char *const sort_by[] = { "activity", "alphabetical", NULL };
static const char *const view_modes[] = { "extended", "medium", "condensed", NULL };
static const char *const themes[] = { "auto", "light", "dark", "high-contrast", NULL };
/* Rocket.Chat's 13 default sound ids (section 3.4), and "none". The SPA
 * ships www/sounds/<id>.ogg for each; the admin's custom sounds are listed
 * in the config (custom_sounds). */
static const char *const sounds[] = {
	"none", "chime", "door", "beep", "chelle", "ding", "droplet", "highbell", "seasons",
	"telephone", "outbound-call-ringing", "call-ended", "dialtone", "ringtone", NULL
};

/* A default sound or one of the admin's custom_sounds ids. */
static const char *
check_sound(json_object *v)
{
	const char *s = json_object_get_string(v), *list = cfg.custom_sounds;
	size_t n = strlen(s);

	for (const char *const *d = sounds; *d; d++)
		if (strcmp(*d, s) == 0)
			return NULL;
	while (list && *list && n > 0) {
		size_t len = strcspn(list, ",");
		const char *item = list;
		while (len > 0 && *item == ' ') {
			item++;
			len--;
		}
		if (len == n && strncmp(item, s, n) == 0)
			return NULL;
		list += strcspn(list, ",");
		list += *list == ',';
	}
	return "must be a sound id: none, a default sound or one of the server's custom sounds";
}

static const char *
check_language(json_object *v)
{
	const char *s = json_object_get_string(v);
	/* BCP 47-ish: "en", "pt-BR", "zh-Hant"; "" means the server's or
	 * browser's language. */
	size_t n = strlen(s);
	if (n == 0)
		return NULL;
	if (n < 2 || strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n)
		return "must be a language code such as en or pt-BR";
	return NULL;
}

/* A highlighted word that is empty or only blanks would match everything. */
static const char *
check_words(json_object *v)
{
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(v, i));
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			return "must not contain empty words";
	}
	return NULL;
}

/* Rocket.Chat's font sizes are CSS percentages: "100%", "112.5%". */
static const char *
check_percent(json_object *v)
{
	const char *s = json_object_get_string(v);
	size_t digits = strspn(s, "0123456789");

	if (digits > 0 && s[digits] == '.')
		digits += 1 + strspn(s + digits + 1, "0123456789");
	if (digits == 0 || strcmp(s + digits, "%") != 0)
		return "must be a percentage such as 100%";
	return NULL;
}

/* Every preference takes null too: it resets the key to the default. */
#define RESET              .flags = F_NULLABLE
#define BOOL(k)            FIELD_BOOL(k, RESET)
#define STR(k, list)       FIELD_CHOICE(k, list, RESET)
#define NUM(k, lo, hi)     FIELD_INT(k, lo, hi, RESET)
#define WORDS(k, n, len, chk) FIELD_WORDS(k, n, len, chk, RESET)
#define SOUND(k)           { .name = (k), .type = F_STRING, .flags = F_NULLABLE | F_NO_CTRL, \
                             .max = 64, .check = check_sound }

/* Rocket.Chat's {action, label} and {name, value} lists. */
static const struct field dont_ask_item[] = {
	{ .name = "action", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL, .min = 1, .max = 100 },
	{ .name = "label", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL, .max = 200 },
	FIELD_END
};

static const struct field feature_preview_item[] = {
	{ .name = "name", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL, .min = 1, .max = 100 },
	{ .name = "value", .type = F_BOOL, .flags = F_REQUIRED },
	FIELD_END
};

/* Every key Rocket.Chat's users.setPreferences schema takes (its REST
 * schema has no idleTimeLimitH/M/S: those are the DDP method's only). */
const struct field preference_fields[] = {
	/* Localization */
	{ .name = "language", .type = F_STRING, .flags = F_NULLABLE | F_NO_CTRL, .max = 16, .check = check_language },
	/* User presence; Rocket.Chat refuses an idle time under a minute. */
	BOOL("enableAutoAway"),
	FIELD_INT("idleTimeLimit", 60, 86400, RESET, .range_error = ERR_IDLE_TIME_LIMIT),
	/* Notifications */
	STR("desktopNotifications", notify_levels),
	BOOL("desktopNotificationRequireInteraction"),
	STR("pushNotifications", notify_levels),
	STR("emailNotificationMode", email_modes),
	BOOL("receiveLoginDetectionEmail"),
	BOOL("notifyCalendarEvents"),
	BOOL("enableMobileRinging"),
	BOOL("desktopNotificationVoiceCalls"),
	/* Messages */
	BOOL("unreadAlert"),
	BOOL("showThreadsInMainChannel"),
	STR("alsoSendThreadToChannel", thread_modes),
	NUM("clockMode", 0, 2),                 /* 0 language default, 1 12-hour, 2 24-hour */
	BOOL("useEmojis"),
	BOOL("convertAsciiEmoji"),
	BOOL("autoImageLoad"),
	BOOL("saveMobileBandwidth"),
	BOOL("collapseMediaByDefault"),
	BOOL("hideUsernames"),
	BOOL("hideRoles"),
	BOOL("hideFlexTab"),
	BOOL("displayAvatars"),
	STR("sendOnEnter", send_on_enter),
	NUM("messageViewMode", 0, 2),           /* 0 normal, 1 cozy, 2 compact */
	BOOL("mentionsWithSymbol"),
	BOOL("useLegacyMessageTemplate"),
	BOOL("enableNewMessageTemplate"),
	/* Highlights: up to 100 words of up to 100 characters. */
	WORDS("highlights", 100, 100, check_words),
	/* Sound; volumes in percent. */
	SOUND("newRoomNotification"),
	SOUND("newMessageNotification"),
	BOOL("muteFocusedConversations"),
	NUM("notificationsSoundVolume", 0, 100),
	NUM("masterVolume", 0, 100),
	NUM("voipRingerVolume", 0, 100),
	/* Sidebar and appearance (other Rocket.Chat clients set these). The
	 * section names change between versions, so they are not an enum. */
	BOOL("sidebarShowFavorites"),
	BOOL("sidebarShowUnread"),
	STR("sidebarSortby", sort_by),
	STR("sidebarViewMode", view_modes),
	BOOL("sidebarDisplayAvatar"),
	BOOL("sidebarGroupByType"),
	WORDS("sidebarSectionsOrder", 20, 40, NULL),
	STR("themeAppearence", themes),
	{ .name = "fontSize", .type = F_STRING, .flags = F_NULLABLE | F_NO_CTRL, .min = 2, .max = 8,
	  .check = check_percent },
	/* Dialogs the user asked not to see again; previews of new features. */
	{ .name = "dontAskAgainList", .type = F_OBJECT_ARRAY, .flags = F_NULLABLE, .max = 100,
	  .sub = dont_ask_item },
	{ .name = "featuresPreview", .type = F_OBJECT_ARRAY, .flags = F_NULLABLE, .max = 100,
	  .sub = feature_preview_item },
	/* Omnichannel */
	BOOL("omnichannelTranscriptEmail"),
	BOOL("omnichannelTranscriptPDF"),
	BOOL("omnichannelHideConversationAfterClosing"),
	FIELD_END
};

/* Accounts_Default_User_Preferences_* of Rocket.Chat, as JSON text; keys
 * Rocket.Chat has no server default for are absent. */
static const struct { const char *key, *json; } builtin[] = {
	{ "enableAutoAway", "true" }, { "idleTimeLimit", "300" },
	{ "desktopNotifications", "\"all\"" }, { "desktopNotificationRequireInteraction", "false" },
	{ "pushNotifications", "\"all\"" }, { "emailNotificationMode", "\"mentions\"" },
	{ "receiveLoginDetectionEmail", "true" }, { "notifyCalendarEvents", "true" },
	{ "enableMobileRinging", "true" },
	{ "unreadAlert", "true" }, { "showThreadsInMainChannel", "false" },
	{ "alsoSendThreadToChannel", "\"default\"" }, { "clockMode", "0" },
	{ "useEmojis", "true" }, { "convertAsciiEmoji", "true" }, { "autoImageLoad", "true" },
	{ "saveMobileBandwidth", "true" }, { "collapseMediaByDefault", "false" },
	{ "hideUsernames", "false" }, { "hideRoles", "false" }, { "hideFlexTab", "false" },
	{ "displayAvatars", "true" }, { "sendOnEnter", "\"normal\"" }, { "messageViewMode", "0" },
	{ "highlights", "[]" }, { "newRoomNotification", "\"door\"" },
	{ "newMessageNotification", "\"chime\"" }, { "muteFocusedConversations", "true" },
	{ "notificationsSoundVolume", "100" }, { "masterVolume", "100" },
	{ "voipRingerVolume", "100" }, { "sidebarShowFavorites", "true" },
	{ "sidebarShowUnread", "false" }, { "sidebarSortby", "\"activity\"" },
	{ "sidebarViewMode", "\"medium\"" }, { "sidebarDisplayAvatar", "true" },
	{ "sidebarGroupByType", "true" }, { "themeAppearence", "\"auto\"" },
	{ "omnichannelTranscriptEmail", "false" },
};

/* Old values Rocket.Chat still accepts and stores as their successors
 * (saveUserPreferences.ts). */
static const struct { const char *key, *from, *to; } legacy[] = {
	{ "emailNotificationMode", "all", "mentions" },
	{ "emailNotificationMode", "disabled", "nothing" },
};

static json_object *defaults;

void
preferences_normalize(json_object *data)
{
	json_object *v;

	for (size_t i = 0; i < sizeof legacy / sizeof legacy[0]; i++) {
		if (json_object_object_get_ex(data, legacy[i].key, &v) &&
		    json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), legacy[i].from) == 0)
			json_object_object_add(data, legacy[i].key, json_object_new_string(legacy[i].to));
	}
}

/* One whole JSON value, strictly: "300 seconds" is not 300. */
static json_object *
parse_strict(const char *text)
{
	struct json_tokener *tok = json_tokener_new_ex(8);
	size_t len = strlen(text);
	char *padded = malloc(len + 2);
	json_object *v = NULL;

	/* The trailing blank ends a bare number or word. */
	if (padded && tok) {
		memcpy(padded, text, len);
		memcpy(padded + len, " ", 2);
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
		v = json_tokener_parse_ex(tok, padded, (int)len + 1);
		size_t end = json_tokener_get_parse_end(tok);
		if (json_tokener_get_error(tok) != json_tokener_success ||
		    strspn(padded + end, " \t") != len + 1 - end) {
			json_object_put(v);
			v = NULL;
		}
	}
	free(padded);
	if (tok)
		json_tokener_free(tok);
	return v;
}

int
preferences_set_default(const char *key, const char *text, char *err, size_t errlen)
{
	json_object *one, *v = parse_strict(text);
	const struct field *f;
	char msg[200];

	if (defaults == NULL && preferences_init(err, errlen) != 0) {
		json_object_put(v);
		return -1;
	}
	for (f = preference_fields; f->name && strcmp(f->name, key) != 0; f++)
		;
	if (f->name == NULL) {
		snprintf(err, errlen, "unknown preference '%s'", key);
		json_object_put(v);
		return -1;
	}
	one = json_object_new_object();
	if (v)
		json_object_object_add(one, key, json_object_get(v));
	if (v == NULL || !validate_object(one, preference_fields, false, msg, sizeof msg)) {
		snprintf(err, errlen, "preference.%s: %s", key, v ? msg : "not a JSON value");
		json_object_put(one);
		json_object_put(v);
		return -1;
	}
	preferences_normalize(one);
	json_object_object_add(defaults, key, json_object_get(json_object_object_get(one, key)));
	json_object_put(one);
	json_object_put(v);
	return 0;
}

int
preferences_init(char *err, size_t errlen)
{
	if (defaults)
		return 0;
	/* The admin overrides defaults with "preference.<key> = <JSON>". */
	if (config_section("preference.", preferences_set_default) != 0) {
		snprintf(err, errlen, "too many config sections");
		return -1;
	}
	defaults = json_object_new_object();
	for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
		if (preferences_set_default(builtin[i].key, builtin[i].json, err, errlen) != 0)
			return -1;
	return 0;
}

json_object *
preferences_defaults(void)
{
	return defaults;
}

/* Adds the user's stored preferences to OUT, replacing what OUT had. */
static void
overlay_stored(json_object *out, const bson_t *user)
{
	bson_iter_t it, prefs;
	const char *language = bson_get_str(user, "language");

	if (bson_iter_init(&it, user) &&
	    bson_iter_find_descendant(&it, "settings.preferences", &prefs) &&
	    BSON_ITER_HOLDS_DOCUMENT(&prefs) && bson_iter_recurse(&prefs, &it)) {
		while (bson_iter_next(&it)) {
			json_object *v = bson_iter_to_json(&it);
			if (v)
				json_object_object_add(out, bson_iter_key(&it), v);
		}
	}
	/* user.language is what Rocket.Chat reads (and writes with the
	 * preference); it wins, as in its getPreferences. */
	if (language)
		json_object_object_add(out, "language", json_object_new_string(language));
}

json_object *
preferences_stored(const bson_t *user)
{
	json_object *out = json_object_new_object();
	overlay_stored(out, user);
	return out;
}

json_object *
preferences_merged(const bson_t *user)
{
	json_object *out = json_object_new_object();

	if (defaults) {
		json_object_object_foreach(defaults, k, v)
			json_object_object_add(out, k, json_object_get(v));
	}
	overlay_stored(out, user);
	return out;
}
