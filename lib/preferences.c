/* preferences.c - the preference table of Rocket.Chat's My Account
 * (reference/rocketchat-api.md section 3.3) and its defaults. */
#include "preferences.h"

#include <stdio.h>
#include <string.h>

#include "json.h"

static const char *const notify_levels[] = { "all", "mentions", "nothing", NULL };
static const char *const email_modes[] = { "nothing", "mentions", "all", "disabled", NULL };
static const char *const send_on_enter[] = { "normal", "alternative", "desktop", NULL };
static const char *const thread_modes[] = { "default", "always", "never", NULL };
static const char *const sort_by[] = { "activity", "alphabetical", NULL };
static const char *const view_modes[] = { "extended", "medium", "condensed", NULL };
static const char *const themes[] = { "auto", "light", "dark", "high-contrast", NULL };
/* Rocket.Chat's 13 default sound ids, and "none". */
static const char *const sounds[] = {
	"none", "chime", "door", "beep", "chelle", "ding", "droplet", "highbell", "seasons",
	"telephone", "outbound-call-ringing", "call-ended", "dialtone", "ringtone", NULL
};

static const char *
check_language(json_object *v)
{
	const char *s = json_object_get_string(v);
	/* BCP 47-ish: "en", "pt-BR", "zh-Hant"; letters, digits and '-' only. */
	size_t n = strlen(s);
	if (n == 0)
		return NULL;
	if (n < 2 || strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n)
		return "must be a language code such as en or pt-BR";
	return NULL;
}

#define BOOL(k)              { k, F_BOOL, 0, 0, 0, NULL, NULL, 0, NULL }
#define STR(k, choices)      { k, F_STRING, 0, 0, 0, choices, NULL, 0, NULL }
#define NUM(k, lo, hi)       { k, F_INT, 0, lo, hi, NULL, NULL, 0, NULL }

const struct field preference_fields[] = {
	{ "language", F_STRING, F_NO_CTRL, 0, 16, NULL, NULL, 0, check_language },
	BOOL("enableAutoAway"),
	NUM("idleTimeLimit", 60, 86400),
	STR("desktopNotifications", notify_levels),
	BOOL("desktopNotificationRequireInteraction"),
	STR("pushNotifications", notify_levels),
	STR("emailNotificationMode", email_modes),
	BOOL("unreadAlert"),
	BOOL("showThreadsInMainChannel"),
	STR("alsoSendThreadToChannel", thread_modes),
	NUM("clockMode", 0, 2),
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
	NUM("messageViewMode", 0, 2),
	{ "highlights", F_STRING_ARRAY, 0, 0, 100, NULL, NULL, 100, NULL },
	STR("newRoomNotification", sounds),
	STR("newMessageNotification", sounds),
	BOOL("muteFocusedConversations"),
	NUM("notificationsSoundVolume", 0, 100),
	NUM("masterVolume", 0, 100),
	NUM("voipRingerVolume", 0, 100),
	BOOL("sidebarShowFavorites"),
	BOOL("sidebarShowUnread"),
	STR("sidebarSortby", sort_by),
	STR("sidebarViewMode", view_modes),
	BOOL("sidebarDisplayAvatar"),
	BOOL("sidebarGroupByType"),
	STR("themeAppearence", themes),
	BOOL("receiveLoginDetectionEmail"),
	BOOL("notifyCalendarEvents"),
	BOOL("enableMobileRinging"),
	FIELD_END
};

/* Accounts_Default_User_Preferences_* of Rocket.Chat, as JSON text. */
static const struct { const char *key, *json; } builtin[] = {
	{ "enableAutoAway", "true" }, { "idleTimeLimit", "300" },
	{ "desktopNotifications", "\"all\"" }, { "desktopNotificationRequireInteraction", "false" },
	{ "pushNotifications", "\"all\"" }, { "emailNotificationMode", "\"mentions\"" },
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
	{ "receiveLoginDetectionEmail", "true" }, { "notifyCalendarEvents", "true" },
	{ "enableMobileRinging", "true" },
};

static json_object *defaults;

int
preferences_set_default(const char *key, const char *text, char *err, size_t errlen)
{
	json_object *one, *v = json_tokener_parse(text);
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
	json_object_object_add(defaults, key, v);
	json_object_put(one);
	return 0;
}

int
preferences_init(char *err, size_t errlen)
{
	if (defaults)
		return 0;
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

json_object *
preferences_merged(const bson_t *user)
{
	json_object *out = json_object_new_object();
	bson_iter_t it, prefs;

	if (defaults) {
		json_object_object_foreach(defaults, k, v)
			json_object_object_add(out, k, json_object_get(v));
	}
	if (bson_iter_init(&it, user) &&
	    bson_iter_find_descendant(&it, "settings.preferences", &prefs) &&
	    BSON_ITER_HOLDS_DOCUMENT(&prefs) && bson_iter_recurse(&prefs, &it)) {
		while (bson_iter_next(&it)) {
			json_object *v = bson_iter_to_json(&it);
			if (v)
				json_object_object_add(out, bson_iter_key(&it), v);
		}
	}
	return out;
}
