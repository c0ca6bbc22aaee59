/* security.c - the security program: its route table, the REST handlers
 * (each a line around an action of authenticator.c, email2fa.c, e2e.c)
 * and main(). Two-factor enrolment and management, the E2E key pair, and
 * Meteor's method.call for what Rocket.Chat clients still call as
 * methods. The second factor is the route flag's (R_2FA, R_2FA_STRICT:
 * no remember window), checked by lib/twofactor.c before a handler runs. */
#include <string.h>

#include "app.h"
#include "bsonread.h"
#include "config.h"
#include "pwcheck.h"
#include "respond.h"
#include "security.h"
#include "twofactor.h"

#define SMALL_BODY_MAX  1024
#define KEYS_BODY_MAX   (96 * 1024)
#define CALL_BODY_MAX   (80 * 1024)

void
reply_answer(struct request *req, struct answer a)
{
	if (a.err == ERR_NONE)
		reply_ok(req, a.value);
	else if (a.err == ERR_BUSY)
		reply_hash_busy(req), json_object_put(a.details);
	else if (a.reason)
		reply_error_ex(req, a.err, a.details, "%s", a.reason);
	else
		reply_error_ex(req, a.err, a.details, NULL);
}

/* {code}: the first code of an enrolment; on the routes with a second
 * factor, Rocket.Chat's way of sending it (the header works too). */
enum { CODE_CODE };
static const struct field code_required[] = {
	[CODE_CODE] = { .name = "code", .type = F_STRING, .flags = F_REQUIRED | F_NO_CTRL, .min = 1, .max = 64 },
	FIELD_END
};
static const struct field code_optional[] = {
	[CODE_CODE] = { .name = "code", .type = F_STRING, .flags = F_NO_CTRL, .min = 1, .max = 64 },
	FIELD_END
};

/* users.resetE2EKey names the user in Rocket.Chat too (admins reset
 * others'); here only oneself. */
enum { RESET_USER_ID, RESET_USERNAME };
static const struct field reset_fields[] = {
	[RESET_USER_ID] = { .name = "userId", .type = F_STRING, .flags = F_NO_CTRL, .min = 1, .max = 64 },
	[RESET_USERNAME] = { .name = "username", .type = F_STRING, .flags = F_NO_CTRL, .min = 1, .max = 254 },
	FIELD_END
};

enum { CALL_MESSAGE };
static const struct field call_fields[] = {
	[CALL_MESSAGE] = { .name = "message", .type = F_STRING, .flags = F_REQUIRED, .min = 2, .max = CALL_BODY_MAX - 1024 },
	FIELD_END
};

static void h_totp_enable(struct request *req) { reply_answer(req, totp_enable(req)); }
static void h_totp_validate(struct request *req) { reply_answer(req, totp_validate(req, req->in[CODE_CODE].s)); }
static void h_totp_disable(struct request *req) { reply_answer(req, totp_disable(req)); }
static void h_totp_regenerate(struct request *req) { reply_answer(req, totp_regenerate(req)); }
static void h_totp_remaining(struct request *req) { reply_answer(req, totp_remaining(req)); }
static void h_email_enable(struct request *req) { reply_answer(req, email2fa_enable(req)); }
static void h_email_disable(struct request *req) { reply_answer(req, email2fa_disable(req)); }

static void
h_reset_e2e(struct request *req)
{
	const char *id = req->in ? req->in[RESET_USER_ID].s : NULL;
	const char *name = req->in ? req->in[RESET_USERNAME].s : NULL;
	const char *own = bson_get_str(req->session.user, "username");

	if ((id && strcmp(id, req->session.user_id) != 0) || (name && (own == NULL || strcmp(name, own) != 0))) {
		reply_error(req, ERR_NOT_AUTHORIZED, "Only your own E2E key can be reset here");
		return;
	}
	reply_answer(req, e2e_reset_own(req));
}

#define TOTP_ROUTE  .auth = AUTH_USER, .feature = &cfg.totp_enabled
#define EMAIL_ROUTE .auth = AUTH_USER, .feature = &cfg.email_2fa_enabled
#define E2E_ROUTE   .auth = AUTH_USER, .feature = &cfg.e2e_enabled

static const struct route routes[] = {
	{ .method = "POST", .path = "/api/v1/users.totp.enable", TOTP_ROUTE,
	  .body_max = SMALL_BODY_MAX, .flags = R_FORM,
	  .handler = h_totp_enable, .summary = "start TOTP enrolment: secret, otpauth URL, QR code (SVG)" },
	{ .method = "POST", .path = "/api/v1/users.totp.validate", TOTP_ROUTE,
	  .body_max = SMALL_BODY_MAX, .body = code_required, .flags = R_FORM,
	  .handler = h_totp_validate, .summary = "confirm TOTP with its first code; 12 backup codes, once" },
	{ .method = "POST", .path = "/api/v1/users.totp.disable", TOTP_ROUTE,
	  .body_max = SMALL_BODY_MAX, .body = code_optional, .flags = R_FORM | R_2FA_STRICT,
	  .handler = h_totp_disable, .summary = "switch TOTP off (second factor, every time)" },
	{ .method = "POST", .path = "/api/v1/users.totp.regenerateCodes", TOTP_ROUTE,
	  .body_max = SMALL_BODY_MAX, .body = code_optional, .flags = R_FORM | R_2FA,
	  .handler = h_totp_regenerate, .summary = "12 new backup codes (second factor)" },
	{ .method = "GET", .path = "/api/v1/users.totp.codesRemaining", TOTP_ROUTE,
	  .handler = h_totp_remaining, .summary = "how many backup codes are left" },
	{ .method = "POST", .path = "/api/v1/users.2fa.enableEmail", EMAIL_ROUTE,
	  .body_max = SMALL_BODY_MAX, .flags = R_FORM,
	  .handler = h_email_enable, .summary = "email as second factor (every address verified)" },
	{ .method = "POST", .path = "/api/v1/users.2fa.disableEmail", EMAIL_ROUTE,
	  .body_max = SMALL_BODY_MAX, .flags = R_FORM | R_2FA_STRICT,
	  .handler = h_email_disable, .summary = "email second factor off (second factor, every time)" },
	{ .method = "GET", .path = "/api/v1/e2e.fetchMyKeys", E2E_ROUTE,
	  .handler = e2e_fetch_my_keys, .summary = "the caller's E2E key pair (private key client-encrypted)" },
	{ .method = "POST", .path = "/api/v1/e2e.setUserPublicAndPrivateKeys", E2E_ROUTE,
	  .body_max = KEYS_BODY_MAX, .body = e2e_key_fields, .flags = R_FORM,
	  .handler = e2e_set_keys, .summary = "store the caller's E2E key pair (once, unless force)" },
	{ .method = "POST", .path = "/api/v1/users.resetE2EKey", E2E_ROUTE,
	  .body_max = SMALL_BODY_MAX, .body = reset_fields, .flags = R_FORM | R_2FA_STRICT,
	  .handler = h_reset_e2e, .summary = "remove the caller's E2E keys; signs out everywhere" },
	{ .method = "POST", .path = "/api/v1/method.call/*", .auth = AUTH_USER,
	  .body_max = CALL_BODY_MAX, .body = call_fields, .flags = R_FORM,
	  .handler = method_call, .summary = "Meteor methods: 2fa:*, e2e.resetOwnE2EKey" },
	{ .method = "POST", .path = "/api/v1/method.callAnon/*", .auth = AUTH_NONE,
	  .body_max = CALL_BODY_MAX, .body = call_fields, .flags = R_FORM,
	  .handler = method_call_anon, .summary = "Meteor methods without a session (not-authorized)" },
	ROUTE_END
};

int
main(int argc, char **argv)
{
	static const struct program prog = {
		.name = "security",
		.summary = "Two-factor authentication (TOTP, email) and the E2E key (Rocket.Chat REST API v1).",
		.routes = routes,
		.hooks = { .second_factor_or_reply = twofactor_check_or_reply },
	};
	return app_main(argc, argv, &prog);
}
