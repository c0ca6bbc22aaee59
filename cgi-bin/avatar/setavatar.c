/* setavatar.c - users.setAvatar (an uploaded image, or one fetched from
 * avatarUrl) and users.resetAvatar. Whatever comes in is decoded and made
 * anew by lib/image.c, so what is stored is a clean image of the admin's
 * size; GET /avatar/... (cgi-bin/profile/avatar.c) only sends it. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "avatar.h"
#include "config.h"
#include "fetch.h"
#include "image.h"
#include "log.h"
#include "ratelimit.h"
#include "respond.h"
#include "store.h"

#define URL_MAX_CHARS 2048
/* Each avatarUrl makes the server send requests (up to four with
 * redirects) for the user: not a tool for probing other hosts. */
#define FETCHES_PER_WINDOW 20
#define FETCH_WINDOW_S     600

const struct field set_avatar_fields[] = {
	[SET_URL] = { .name = "avatarUrl", .type = F_STRING, .flags = F_NO_CTRL, .min = 1, .max = URL_MAX_CHARS },
	[SET_USER_ID] = { .name = "userId", .type = F_STRING, .flags = F_NO_CTRL, .min = 1, .max = 64 },
	[SET_USERNAME] = { .name = "username", .type = F_STRING, .flags = F_NO_CTRL, .min = 1, .max = 120 },
	FIELD_END
};

/* Rocket.Chat's getUserFromParams() keys; only the caller is allowed. */
const struct field reset_avatar_fields[] = {
	[RESET_USER_ID] = { .name = "userId", .type = F_STRING, .flags = F_NO_CTRL, .min = 1, .max = 64 },
	[RESET_USERNAME] = { .name = "username", .type = F_STRING, .flags = F_NO_CTRL, .min = 1, .max = 120 },
	FIELD_END
};

/* The web servers' limit; the admin's (avatar_max_bytes) is checked after. */
const struct part set_avatar_parts[] = {
	{ .name = "image", .types = PART_IMAGE, .max = AVATAR_BODY_MAX },
	PART_END
};

/* Is the request about the caller (ID and NAME as given, may be NULL), and
 * are avatar changes on? Rocket.Chat lets admins name another user; this
 * service has no admins among its users. */
static bool
own_avatar_or_reply(struct request *req, const char *id, const char *name, const char *method,
    const char *verb)
{
	const char *own_name = bson_get_str(req->session.user, "username");

	if ((id == NULL || strcmp(id, req->session.user_id) == 0) &&
	    (name == NULL || (own_name != NULL && strcmp(name, own_name) == 0)) && cfg.allow_avatar_change)
		return true;
	json_object *details = json_object_new_object();
	json_object_object_add(details, "method", json_object_new_string(method));
	reply_error_ex(req, ERR_NOT_ALLOWED, details, "%s avatar is not allowed", verb);
	return false;
}

/* The admin's networks, parsed once per process; a list that does not
 * parse allows nothing more (and says so in the log). */
static const struct ip_nets *
allowed_networks(void)
{
	static struct ip_nets nets;
	static bool parsed;

	if (!parsed) {
		parsed = true;
		if (!ip_nets_parse(cfg.avatar_fetch_allow_networks, &nets)) {
			log_error("avatar_fetch_allow_networks: not a list of networks; none allowed");
			nets.n = 0;
		}
	}
	return &nets;
}

/* Fetches the avatarUrl into OUT; false after answering. */
static bool
fetch_or_reply(struct request *req, const char *url, struct fetched *out)
{
	const struct fetch_limits limits = {
		.max_bytes = (size_t)cfg.avatar_max_bytes, .timeout_ms = cfg.avatar_fetch_timeout_ms,
		.allow_private = cfg.avatar_fetch_allow_private, .allow_nets = allowed_networks(),
	};

	struct rl_key k;

	if (!cfg.avatar_url_fetch) {
		reply_error(req, ERR_NOT_ALLOWED, "Setting an avatar from a URL is switched off");
		return false;
	}
	rl_key_window(&k, "avatar-fetch", req->session.user_id, FETCHES_PER_WINDOW, FETCH_WINDOW_S);
	if (!ratelimit_hit_or_reply(req, &k))
		return false;
	switch (fetch_url(url, &limits, out)) {
	case FETCH_OK:
		if (strncasecmp(out->content_type, "image/", 6) == 0)
			return true;
		reply_error(req, ERR_AVATAR_INVALID_URL, "Invalid avatar URL: %s (the answer is not an image)", url);
		return false;
	case FETCH_BAD_URL:
		reply_error(req, ERR_AVATAR_INVALID_URL, "Invalid avatar URL: %s (only http and https)", url);
		return false;
	case FETCH_REFUSED:
		reply_error(req, ERR_AVATAR_INVALID_URL, "Invalid avatar URL: %s (the server's address is not public)", url);
		return false;
	case FETCH_NOT_OK:
		reply_error(req, ERR_AVATAR_INVALID_URL, "Invalid avatar URL: %s (the server answered %ld)", url, out->status);
		return false;
	case FETCH_TOO_LARGE:
		reply_error(req, ERR_TOO_LARGE, "The image is larger than %ld bytes", cfg.avatar_max_bytes);
		return false;
	case FETCH_FAILED:
		break;
	}
	log_info("avatar fetch failed user=%s: %s", req->session.user_id, out->detail);
	reply_error(req, ERR_AVATAR_URL_HANDLING, "Error while handling avatar setting from a URL (%s)", out->detail);
	return false;
}

/* DATA made into the stored avatar; false after answering. */
static bool
convert_or_reply(struct request *req, const void *data, size_t len, struct image_out *img)
{
	if (len > (size_t)cfg.avatar_max_bytes) {
		reply_error(req, ERR_TOO_LARGE, "The image is larger than %ld bytes", cfg.avatar_max_bytes);
		return false;
	}
	switch (image_avatar(data, len, cfg.avatar_size, cfg.avatar_max_pixels, img)) {
	case IMAGE_OK:
		return true;
	case IMAGE_BAD_TYPE:
		reply_error(req, ERR_UNSUPPORTED_TYPE, "The image must be PNG, JPEG, GIF or WebP");
		return false;
	case IMAGE_TOO_MANY_PIXELS:
		reply_error(req, ERR_TOO_LARGE, "The image has more than %ld pixels", cfg.avatar_max_pixels);
		return false;
	case IMAGE_BAD:
		reply_error(req, ERR_INVALID_IMAGE, NULL);
		return false;
	case IMAGE_FAILED:
		break;
	}
	reply_error(req, ERR_INTERNAL, NULL);
	return false;
}

void
set_avatar(struct request *req)
{
	const struct mp_file *file = req_file(req, "image");
	const char *url = req->in[SET_URL].s, *origin = file ? "rest" : "url";
	struct fetched got = { 0 };
	struct image_out img = { 0 };
	const void *data;
	size_t len;

	if (!own_avatar_or_reply(req, req->in[SET_USER_ID].s, req->in[SET_USERNAME].s, "users.setAvatar", "Change"))
		return;
	if (file == NULL && url == NULL) {
		reply_error(req, ERR_PARAM_REQUIRED, "The 'image' param is required");
		return;
	}
	if (file != NULL) {
		data = file->data;
		len = file->len;
	} else if (fetch_or_reply(req, url, &got)) {
		data = got.data;
		len = got.len;
	} else
		goto out;
	if (!convert_or_reply(req, data, len, &img) ||
	    !avatar_store_set_or_reply(req, img.data, img.len, img.type, origin))
		goto out;
	log_info("avatar set user=%s origin=%s bytes=%zu", req->session.user_id, origin, img.len);
	reply_ok(req, NULL);
out:
	image_out_free(&img);
	free(got.data);
}

void
reset_avatar(struct request *req)
{
	if (!own_avatar_or_reply(req, req->in[RESET_USER_ID].s, req->in[RESET_USERNAME].s,
	    "users.resetAvatar", "Reset") || !avatar_store_reset_or_reply(req))
		return;
	log_info("avatar reset user=%s", req->session.user_id);
	reply_ok(req, NULL);
}
