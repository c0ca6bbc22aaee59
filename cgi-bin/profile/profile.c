/* profile.c - the profile program: its route table and main(). Each page's
 * handler lives in a file of its own (avatar.c, ...); profile.h lists them.
 * This is the area that grows into Rocket.Chat's profile endpoints
 * (users.updateOwnBasicInfo, users.setAvatar, ...). */
#include "app.h"
#include "config.h"
#include "profile.h"
#include "twofactor.h"

#define BASIC_INFO_BODY_MAX (16 * 1024)
#define STATUS_BODY_MAX     8192
#define SMALL_BODY_MAX    1024
#define PASSWORD_BODY_MAX 8192

static const struct route routes[] = {
	/* Public, as Rocket.Chat's: clients load avatars as plain images. */
	{ .method = "GET", .path = "/avatar/*", .auth = AUTH_NONE,
	  .cache = { .max_age = 3600, .shared = true },
	  .handler = avatar_get, .summary = "a user's avatar (generated until uploads exist)" },
	/* basicinfo.c */
	{ .method = "POST", .path = "/api/v1/users.updateOwnBasicInfo", .auth = AUTH_USER,
	  .body_max = BASIC_INFO_BODY_MAX, .body = basic_info_fields,
	  .handler = basic_info_update, .summary = "change the caller's name, username, nickname, bio, status, email, password" },
	{ .method = "POST", .path = "/api/v1/users.setStatus", .auth = AUTH_USER,
	  .body_max = STATUS_BODY_MAX, .body = set_status_fields, .flags = R_FORM | R_KEEP_UNKNOWN,
	  .handler = status_set, .summary = "set the caller's status and/or status message" },
	{ .method = "GET", .path = "/api/v1/users.getStatus", .auth = AUTH_USER,
	  .query = get_status_query, .handler = status_get, .summary = "a user's status" },
	/* username.c */
	{ .method = "GET", .path = "/api/v1/users.checkUsernameAvailability", .auth = AUTH_USER,
	  .query = username_query, .handler = username_availability, .summary = "is a username free for the caller" },
	{ .method = "GET", .path = "/api/v1/users.getUsernameSuggestion", .auth = AUTH_USER,
	  .handler = username_suggestion, .summary = "a free username made from the caller's name or email" },
	/* deleteown.c: Rocket.Chat's error-not-allowed when switched off. */
	{ .method = "POST", .path = "/api/v1/users.deleteOwnAccount", .auth = AUTH_USER,
	  .feature = &cfg.allow_delete_own_account, .body_max = SMALL_BODY_MAX, .body = delete_own_fields,
	  .flags = R_FORM | R_KEEP_UNKNOWN | R_2FA_STRICT,
	  .handler = delete_own_account, .summary = "delete the caller's account and all its data" },
	/* password.c */
	{ .method = "GET", .path = "/api/v1/pw.getPolicy", .auth = AUTH_USER,
	  .handler = password_policy, .summary = "the password policy (Rocket.Chat's shape)" },
	{ .method = "GET", .path = "/api/v1/pw.getPolicyReset", .auth = AUTH_NONE,
	  .query = policy_reset_query,
	  .handler = password_policy_reset, .summary = "the password policy, for a reset link's token" },
	{ .method = "POST", .path = "/api/v1/pw.strength", .auth = AUTH_OPTIONAL,
	  .body_max = PASSWORD_BODY_MAX, .body = strength_fields,
	  .handler = password_strength, .summary = "ours: how guessable a password is (signed in, or a reset token)" },
	{ .method = "POST", .path = "/api/v1/users.forgotPassword", .auth = AUTH_NONE,
	  .body_max = SMALL_BODY_MAX, .body = forgot_fields, .flags = R_FORM,
	  .feature = &cfg.allow_password_change,
	  .handler = password_forgot, .summary = "mail a reset link (the same answer for any address)" },
	{ .method = "POST", .path = "/api/v1/users.resetPassword", .auth = AUTH_NONE,
	  .body_max = PASSWORD_BODY_MAX, .body = reset_fields,
	  .feature = &cfg.allow_password_change,
	  .handler = password_reset, .summary = "ours: set a new password with a mailed reset link" },
	/* email.c */
	{ .method = "POST", .path = "/api/v1/users.sendConfirmationEmail", .auth = AUTH_USER,
	  .body_max = SMALL_BODY_MAX, .body = confirm_fields, .flags = R_FORM,
	  .handler = email_send_confirmation, .summary = "mail a new verification link to the caller's address" },
	{ .method = "POST", .path = "/api/v1/users.verifyEmail", .auth = AUTH_NONE,
	  .body_max = SMALL_BODY_MAX, .body = verify_fields,
	  .handler = email_verify, .summary = "ours: confirm an address with its mailed link" },
	ROUTE_END
};

int
main(int argc, char **argv)
{
	static const struct program prog = {
		.name = "profile",
		.summary = "The caller's profile and everyone's avatars (Rocket.Chat REST API v1).",
		.routes = routes,
		.hooks = { .second_factor_or_reply = twofactor_check_or_reply },
	};
	return app_main(argc, argv, &prog);
}
