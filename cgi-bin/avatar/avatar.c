/* avatar.c - the avatar program's route table and main() (avatar.h says
 * why it is not part of profile). */
#include "app.h"
#include "avatar.h"

static const struct route routes[] = {
	{ .method = "POST", .path = "/api/v1/users.setAvatar", .auth = AUTH_USER,
	  .body_max = AVATAR_BODY_MAX, .bodies = BODY_JSON | BODY_FORM | BODY_MULTIPART,
	  .parts = set_avatar_parts, .body = set_avatar_fields,
	  .handler = set_avatar, .summary = "set the caller's avatar from an upload or a URL" },
	{ .method = "POST", .path = "/api/v1/users.resetAvatar", .auth = AUTH_USER,
	  .body_max = 1024, .bodies = BODY_JSON | BODY_FORM, .body = reset_avatar_fields,
	  .handler = reset_avatar, .summary = "back to the generated avatar" },
	ROUTE_END
};

int
main(int argc, char **argv)
{
	static const struct program prog = {
		.name = "avatar",
		.summary = "Changing avatars: users.setAvatar, users.resetAvatar (Rocket.Chat REST API v1).",
		.routes = routes,
	};
	return app_main(argc, argv, &prog);
}
