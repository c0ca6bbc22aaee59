/* profile.c - the profile program: its route table and main(). Each page's
 * handler lives in a file of its own (avatar.c, ...); profile.h lists them.
 * This is the area that grows into Rocket.Chat's profile endpoints
 * (users.updateOwnBasicInfo, users.setAvatar, ...). */
#include "app.h"
#include "profile.h"

static const struct route routes[] = {
	/* Public, as Rocket.Chat's: clients load avatars as plain images. */
	{ .method = "GET", .path = "/avatar/*", .auth = AUTH_NONE,
	  .cache = { .max_age = 3600, .shared = true },
	  .handler = avatar_get, .summary = "a user's avatar (generated until uploads exist)" },
	ROUTE_END
};

int
main(int argc, char **argv)
{
	static const struct program prog = {
		.name = "profile",
		.summary = "The caller's profile and everyone's avatars (Rocket.Chat REST API v1).",
		.routes = routes,
	};
	return app_main(argc, argv, &prog);
}
