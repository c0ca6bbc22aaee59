/* route.c - the dispatcher: every check that the route table declares runs
 * here, in this order, before the handler sees the request. */
#include "route.h"

#include <stdio.h>
#include <string.h>

#include "caller.h"
#include "respond.h"
#include "twofactor.h"

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

static bool
method_matches(const struct route *r, const char *method)
{
	return strcmp(r->method, method) == 0 ||
	    (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0);
}

/* 404, 405 or the route. */
static const struct route *
find_route(struct request *req, const struct route *routes)
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

static bool
read_body(struct request *req, const struct route *r)
{
	char msg[256];
	enum err_kind k;

	k = req_read_body(req, r->body_limit, BODY_JSON | (r->flags & R_FORM ? BODY_FORM : 0u),
	    NULL, msg, sizeof msg);
	if (k != ERR_NONE) {
		reply_error(req, k, "%s", msg);
		return false;
	}
	return true;
}

/* invalid-params with the failing field in details, so clients can show
 * the message next to it. */
static bool
invalid(struct request *req, const struct verror *e)
{
	json_object *details = NULL;
	if (*e->field) {
		details = json_object_new_object();
		json_object_object_add(details, "field", json_object_new_string(e->field));
	}
	reply_error_ex(req, ERR_INVALID_PARAMS, NULL, details, "%s", e->msg);
	return false;
}

static bool
validate(struct request *req, const struct route *r)
{
	static const struct field none[] = { FIELD_END };
	struct verror e;

	if (req->query == NULL) {
		reply_error(req, ERR_INVALID_PARAMS, "the query string is malformed");
		return false;
	}
	if (!validate_fields(req->query, r->query ? r->query : none, true, &e))
		return invalid(req, &e);
	if (req->body == NULL)
		return true;
	if (!validate_fields(req->body, r->body ? r->body : none, (r->flags & R_FORM) != 0, &e))
		return invalid(req, &e);
	return true;
}

static bool
authenticate(struct request *req, const struct route *r)
{
	bool safe = (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) &&
	    !(r->flags & R_MUTATING);

	if (r->auth == AUTH_NONE)
		return true;
	if (!auth_request(req)) {
		/* Optional auth: stale or wrong credentials mean "anonymous", but a
		 * database failure is still answered. */
		if (r->auth == AUTH_OPTIONAL && req->resp.status == 401)
			resp_reset(req);
		if (replied(req))
			return false;
		if (r->auth == AUTH_USER) {
			reply_error(req, ERR_UNAUTHORIZED, NULL);
			return false;
		}
		return true;
	}
	return safe || auth_check_csrf(req);
}

void
route_dispatch(struct request *req, const struct route *routes)
{
	const struct route *r = find_route(req, routes);

	if (r == NULL)
		return;
	req->route = r;
	/* 401/403 before 413/400, as Rocket.Chat answers; the second factor
	 * last, so a malformed request never spends a one-time code. */
	if (!authenticate(req, r))
		return;
	/* A switched-off feature says so before asking for input or a code. */
	if (r->feature && !*r->feature) {
		reply_error(req, ERR_NOT_ALLOWED, NULL);
		return;
	}
	if (!read_body(req, r) || !validate(req, r))
		return;
	if ((r->flags & R_2FA) && !twofactor_check(req))
		return;
	r->handler(req);
	if (!replied(req))
		reply_error(req, ERR_INTERNAL, NULL);
}
