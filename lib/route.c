/* route.c - the dispatcher: every check that the route table declares runs
 * here, in this order, before the handler sees the request. */
#include "route.h"

#include <stdio.h>
#include <string.h>

#include "caller.h"
#include "respond.h"

static bool
path_matches(const struct route *r, const char *path, const char **tail)
{
	size_t n = strlen(r->path);
	if (n > 0 && r->path[n - 1] == '*') {
		if (strncmp(path, r->path, n - 1) != 0 || path[n - 1] == '\0')
			return false;
		*tail = path + n - 1;
		return true;
	}
	*tail = NULL;
	return strcmp(path, r->path) == 0;
}

/* GET rows answer HEAD too, except those that change state. */
static bool
method_matches(const struct route *r, const char *method)
{
	return strcmp(r->method, method) == 0 ||
	    (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0 && !(r->flags & R_MUTATING));
}

/* 404, 405 or the route. */
static const struct route *
find_route_or_reply(struct request *req, const struct route *routes)
{
	char allow[128] = "";
	const char *tail;

	for (const struct route *r = routes; r->path; r++) {
		if (!path_matches(r, req->path, &tail))
			continue;
		if (method_matches(r, req->method)) {
			req->tail = tail;
			return r;
		}
		size_t used = strlen(allow);
		snprintf(allow + used, sizeof allow - used, "%s%s", used ? ", " : "", r->method);
	}
	if (*allow) {
		resp_header(req, "Allow: %s", allow);
		reply_error(req, ERR_METHOD, "%s is not allowed here; use %s", req->method, allow);
	} else {
		reply_error(req, ERR_NOT_FOUND, NULL);
	}
	return NULL;
}

/* The body kinds a row takes: its own list, else JSON (and forms with
 * R_FORM); a row with file parts takes multipart too. */
static unsigned
body_kinds(const struct route *r)
{
	if (r->bodies)
		return r->bodies;
	return BODY_JSON | (r->flags & R_FORM ? BODY_FORM : 0u) | (r->parts ? BODY_MULTIPART : 0u);
}

static bool
read_body_or_reply(struct request *req, const struct route *r)
{
	char msg[256];
	enum err_kind k;

	k = req_read_body(req, r->body_max, body_kinds(r), r->parts, msg, sizeof msg);
	if (k != ERR_NONE) {
		reply_error(req, k, "%s", msg);
		return false;
	}
	return true;
}

/* invalid-params with the failing field in details, so clients can show
 * the message next to it. */
static bool
invalid_or_reply(struct request *req, const struct verror *e)
{
	json_object *details = NULL;
	if (*e->field) {
		details = json_object_new_object();
		json_object_object_add(details, "field", json_object_new_string(e->field));
	}
	reply_error_ex(req, e->kind, details, "%s", e->msg);
	return false;
}

/* The query string and the body against the row's specs; the handler
 * then reads req->qs[KEY] and req->in[KEY]. Unknown query parameters are
 * ignored everywhere (cache busters, fields=, count=), as Rocket.Chat
 * does; unknown body keys only where the row says so. */
static bool
validate_or_reply(struct request *req, const struct route *r)
{
	static const struct field none[] = { FIELD_END };
	const struct vopts query_opts = { .coerce = true, .unknown = UNKNOWN_IGNORE };
	const struct vopts body_opts = {
		/* Multipart text parts are strings, as form values are. */
		.coerce = (r->flags & R_FORM) != 0 || req->body_kind == BODY_MULTIPART,
		.unknown = (r->flags & R_KEEP_UNKNOWN) ? UNKNOWN_IGNORE : UNKNOWN_REFUSE,
	};
	struct verror e;

	if (req->query == NULL) {
		reply_error(req, ERR_INVALID_PARAMS, "the query string is malformed");
		return false;
	}
	if (!validate_fields(req->query, r->query ? r->query : none, &query_opts, &req->vals, &req->qs, &e))
		return invalid_or_reply(req, &e);
	if (req->body == NULL)
		return true;
	if (!validate_fields(req->body, r->body ? r->body : none, &body_opts, &req->vals, &req->in, &e))
		return invalid_or_reply(req, &e);
	return true;
}

/* Who is calling, as the row needs it; false when answered. */
static bool
authenticate_or_reply(struct request *req, const struct route *r)
{
	bool safe = (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) &&
	    !(r->flags & R_MUTATING);

	if (r->auth == AUTH_NONE)
		return true;
	switch (auth_request(req)) {
	case CALLER_OK:
		return safe || csrf_check_or_reply(req);
	case CALLER_FAILED:
		return false;
	case CALLER_ABSENT:
	case CALLER_REFUSED:
	default:
		/* Optional auth: stale or wrong credentials mean "anonymous". */
		if (r->auth == AUTH_OPTIONAL)
			return true;
		reply_error(req, ERR_UNAUTHORIZED, NULL);
		return false;
	}
}

void
route_dispatch(struct request *req, const struct route *routes, const struct route_hooks *hooks)
{
	const struct route *r = find_route_or_reply(req, routes);

	if (r == NULL)
		return;
	req->route = r;
	/* 401/403 before 413/400, as Rocket.Chat answers; the second factor
	 * last, so a malformed request never spends a one-time code. */
	if (!authenticate_or_reply(req, r))
		return;
	/* A switched-off feature says so before asking for input or a code,
	 * in the words Rocket.Chat uses for that feature. */
	if (r->feature && !*r->feature) {
		reply_error(req, r->feature_off != ERR_NONE ? r->feature_off : ERR_NOT_ALLOWED, NULL);
		return;
	}
	if (!read_body_or_reply(req, r) || !validate_or_reply(req, r))
		return;
	if ((r->flags & (R_2FA | R_2FA_STRICT)) && !hooks->second_factor_or_reply(req))
		return;
	if (r->cache.max_age > 0)
		resp_cache(req, r->cache.max_age, r->cache.shared);
	r->handler(req);
	if (!replied(req))
		reply_error(req, ERR_INTERNAL, NULL);
}

int
route_check_table(const struct route *routes, const struct route_hooks *hooks, const char *program)
{
	for (const struct route *r = routes; r->path; r++) {
		if ((r->flags & (R_2FA | R_2FA_STRICT)) && hooks->second_factor_or_reply == NULL) {
			fprintf(stderr, "%s: %s %s needs the second factor, but the program sets no "
			    ".hooks.second_factor_or_reply\n", program, r->method, r->path);
			return -1;
		}
		size_t n = validate_spec_size(r->body) + validate_spec_size(r->query);
		if (n > FVAL_MAX) {
			fprintf(stderr, "%s: %s %s declares %zu fields, more than FVAL_MAX (%d)\n",
			    program, r->method, r->path, n, FVAL_MAX);
			return -1;
		}
	}
	return 0;
}
