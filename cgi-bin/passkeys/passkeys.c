/* passkeys.c - the route table and main() of the passkeys program. Paths
 * are our own (README, "Additions"); a Rocket.Chat client never sees them. */
#include "app.h"
#include "config.h"
#include "passkeys.h"
#include "twofactor.h"

#define PK_ROUTE .feature = &cfg.passkeys_enabled

static const struct route routes[] = {
	{ .method = "POST", .path = "/api/v1/passkeys.registerOptions", PK_ROUTE, .auth = AUTH_USER,
	  .body_max = 1024, .flags = R_2FA | R_KEEP_UNKNOWN,
	  .handler = register_options, .summary = "begin adding a passkey: creation options (second factor)" },
	{ .method = "POST", .path = "/api/v1/passkeys.register", PK_ROUTE, .auth = AUTH_USER,
	  .body_max = PASSKEYS_BODY_MAX, .body = register_fields,
	  .handler = register_finish, .summary = "finish adding a passkey: the attestation" },
	{ .method = "GET", .path = "/api/v1/passkeys.list", PK_ROUTE, .auth = AUTH_USER,
	  .handler = passkeys_list, .summary = "the caller's passkeys" },
	{ .method = "POST", .path = "/api/v1/passkeys.rename", PK_ROUTE, .auth = AUTH_USER,
	  .body_max = 4096, .body = rename_fields,
	  .handler = passkeys_rename, .summary = "rename a passkey" },
	{ .method = "POST", .path = "/api/v1/passkeys.remove", PK_ROUTE, .auth = AUTH_USER,
	  .body_max = 4096, .body = remove_fields, .flags = R_2FA,
	  .handler = passkeys_remove, .summary = "remove a passkey (second factor)" },
	{ .method = "POST", .path = "/api/v1/passkeys.signInOptions", PK_ROUTE, .auth = AUTH_NONE,
	  .body_max = 1024, .flags = R_KEEP_UNKNOWN,
	  .handler = signin_options, .summary = "begin a passwordless sign-in: request options" },
	{ .method = "POST", .path = "/api/v1/passkeys.signIn", PK_ROUTE, .auth = AUTH_NONE,
	  .body_max = PASSKEYS_BODY_MAX, .body = signin_fields, .flags = R_LOGIN_ERRORS,
	  .handler = signin_finish, .summary = "sign in with a passkey (as /api/v1/login answers)" },
	ROUTE_END
};

int
main(int argc, char **argv)
{
	static const struct program prog = {
		.name = "passkeys",
		.summary = "Passkeys (WebAuthn): add, list, rename, remove, and passwordless sign-in.",
		.routes = routes,
		.hooks = { .second_factor_or_reply = twofactor_check_or_reply },
	};
	return app_main(argc, argv, &prog);
}
