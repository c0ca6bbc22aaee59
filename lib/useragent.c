/* useragent.c - see useragent.h. */
#include "useragent.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Order matters: Edge and Opera also say "Chrome", Chrome also says
 * "Safari", the Rocket.Chat desktop app also says "Chrome". MARK is
 * followed by the version, except Safari's, which says "Version/". */
static const struct { const char *name, *mark, *needs; } apps[] = {
	{ "Rocket.Chat Desktop", "Rocket.Chat/", NULL },
	{ "Rocket.Chat Mobile", "RC Mobile;", NULL },
	{ "Edge", "Edg/", NULL },
	{ "Edge", "EdgA/", NULL },
	{ "Edge", "EdgiOS/", NULL },
	{ "Opera", "OPR/", NULL },
	{ "Samsung Internet", "SamsungBrowser/", NULL },
	{ "Firefox", "Firefox/", NULL },
	{ "Firefox", "FxiOS/", NULL },
	{ "Chrome", "Chrome/", NULL },
	{ "Chrome", "CriOS/", NULL },
	{ "Safari", "Version/", "Safari/" },
};

static const struct { const char *name, *mark; } systems[] = {
	{ "iOS", "iPhone" }, { "iOS", "iPad" }, { "iOS", "iPod" },
	{ "Android", "Android" },
	{ "ChromeOS", "CrOS" },
	{ "Windows", "Windows" },
	{ "macOS", "Mac OS X" }, { "macOS", "Macintosh" },
	{ "Linux", "Linux" }, { "Linux", "X11" },
};

void
useragent_describe(const char *ua, char *out, size_t n)
{
	const char *app = NULL, *sys = NULL, *at = NULL;
	int digits = 0;

	for (size_t i = 0; ua && !app && i < sizeof apps / sizeof apps[0]; i++)
		if ((at = strstr(ua, apps[i].mark)) && (!apps[i].needs || strstr(ua, apps[i].needs)))
			app = apps[i].name;
	if (app) {
		at = strchr(at, '/') ? strchr(at, '/') + 1 : at + strlen(at);
		if (strncmp(app, "Rocket.Chat Mobile", 18) == 0 && (at = strstr(ua, " v")))
			at += 2;
		digits = (int)strspn(at ? at : "", "0123456789");
		if (digits > 6)
			digits = 6;
	}
	for (size_t i = 0; ua && !sys && i < sizeof systems / sizeof systems[0]; i++)
		if (strcasestr(ua, systems[i].mark))
			sys = systems[i].name;
	/* Names and digits only, so the label reads the same in every language. */
	snprintf(out, n, "%s%s%.*s%s%s", app ? app : "", app && digits ? " " : "", digits,
	    app ? at : "", app && sys ? ", " : "", sys ? sys : "");
}
