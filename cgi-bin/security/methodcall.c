/* methodcall.c - Meteor's methods over REST, as Rocket.Chat 6.x/7.x web
 * and mobile clients call them (its apps/meteor/app/api/server/v1/misc.ts):
 * POST /api/v1/method.call/<name> with {"message": "<EJSON of {msg:
 * "method", id, method, params}>"}, answered with HTTP 200 and {"message":
 * "<EJSON of {msg: "result", id, result | error}>"}; errors are Meteor
 * errors inside that message. method.callAnon is what a client without a
 * session uses: these methods all need one, so they answer not-authorized
 * there, as Rocket.Chat's do. Failures of the backend (503) stay HTTP. */
#include "security.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "bsonread.h"
#include "jsonbody.h"
#include "respond.h"
#include "twofactor.h"
#include "urlencoded.h"

/* params[I] when it is a string, else NULL. */
static const char *
param_str(json_object *params, size_t i)
{
	json_object *v = json_object_array_get_idx(params, i);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static struct answer
m_enable(struct request *req, json_object *params)
{
	(void)params;
	return totp_enable(req);
}

static struct answer
m_validate(struct request *req, json_object *params)
{
	const char *code = param_str(params, 0);
	return code ? totp_validate(req, code) : ANSWER_ERR(ERR_INVALID_TOTP, NULL);
}

/* 2fa:disable(code): true, or false on a wrong code (Rocket.Chat's). */
static struct answer
m_disable(struct request *req, json_object *params)
{
	const char *code = param_str(params, 0);
	enum err_kind why = code ? totp_code_check(req, code) : ERR_TOTP_INVALID;
	struct answer a;

	if (why == ERR_TOTP_INVALID)
		return ANSWER_OK(json_object_new_boolean(0));
	if (why != ERR_NONE)
		return ANSWER_ERR(why, NULL);
	a = totp_disable(req);
	if (a.err == ERR_NONE) {
		json_object *disabled = json_object_get(json_object_object_get(a.value, "disabled"));
		json_object_put(a.value);
		a.value = disabled;
	}
	return a;
}

/* 2fa:regenerateCodes(code): {codes}, or no result on a wrong code. */
static struct answer
m_regenerate(struct request *req, json_object *params)
{
	const char *code = param_str(params, 0);
	enum err_kind why;

	if (!bson_get_bool(req->session.user, "services.totp.enabled"))
		return ANSWER_ERR(ERR_INVALID_TOTP, NULL);
	why = code ? totp_code_check(req, code) : ERR_TOTP_INVALID;
	if (why == ERR_TOTP_INVALID)
		return ANSWER_OK(NULL);
	return why != ERR_NONE ? ANSWER_ERR(why, NULL) : totp_regenerate(req);
}

static struct answer
m_remaining(struct request *req, json_object *params)
{
	(void)params;
	return totp_remaining(req);
}

/* e2e.resetOwnE2EKey(): Rocket.Chat's twoFactorRequired, the code as a
 * last parameter {twoFactorCode, twoFactorMethod} or in the x-2fa-code /
 * x-2fa-method headers; strict (no remember window). */
static struct answer
m_reset_e2e(struct request *req, json_object *params)
{
	size_t n = json_object_array_length(params);
	json_object *last = n ? json_object_array_get_idx(params, n - 1) : NULL, *v;
	const char *code = req_header(req, "X-2fa-Code"), *method = req_header(req, "X-2fa-Method");
	struct answer a = { 0 };

	if (last && json_object_is_type(last, json_type_object)) {
		if (json_object_object_get_ex(last, "twoFactorCode", &v) && json_object_is_type(v, json_type_string))
			code = json_object_get_string(v);
		if (json_object_object_get_ex(last, "twoFactorMethod", &v) && json_object_is_type(v, json_type_string))
			method = json_object_get_string(v);
	}
	a.err = twofactor_check(req, code, method, true, &a.details);
	if (a.err == ERR_FORBIDDEN)
		a.reason = "This action needs a second factor or a password, and this account has neither";
	if (a.err != ERR_NONE)
		return a;
	a = e2e_reset_own(req);
	if (a.err == ERR_NONE)
		a.value = json_object_new_boolean(1);
	return a;
}

static const struct method {
	const char *name;
	struct answer (*run)(struct request *req, json_object *params);
	const bool *feature;        /* the admin's switch of the area */
} methods[] = {
	{ "2fa:enable", m_enable, &cfg.totp_enabled },
	{ "2fa:validateTempToken", m_validate, &cfg.totp_enabled },
	{ "2fa:disable", m_disable, &cfg.totp_enabled },
	{ "2fa:regenerateCodes", m_regenerate, &cfg.totp_enabled },
	{ "2fa:checkCodesRemaining", m_remaining, &cfg.totp_enabled },
	{ "e2e.resetOwnE2EKey", m_reset_e2e, &cfg.e2e_enabled },
};

static const struct method *
find_method(const char *name)
{
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(methods[i].name, name) == 0)
			return &methods[i];
	return NULL;
}

/* A Meteor.Error as EJSON serialises it. */
static json_object *
meteor_error(const struct answer *a, const char *reason_override)
{
	const struct err_info *e = err_info(a->err);
	const char *reason = reason_override ? reason_override : a->reason ? a->reason : e->message;
	json_object *o = json_object_new_object();
	char *message;

	json_object_object_add(o, "isClientSafe", json_object_new_boolean(1));
	/* Kinds without an errorType are Meteor's numeric errors (404). */
	if (e->type)
		json_object_object_add(o, "error", json_object_new_string(e->type));
	else
		json_object_object_add(o, "error", json_object_new_int(e->status));
	json_object_object_add(o, "reason", json_object_new_string(reason));
	if (a->details)
		json_object_object_add(o, "details", json_object_get(a->details));
	if (e->type)
		message = bson_strdup_printf("%s [%s]", reason, e->type);
	else
		message = bson_strdup_printf("%s [%d]", reason, e->status);
	json_object_object_add(o, "message", json_object_new_string(message));
	bson_free(message);
	json_object_object_add(o, "errorType", json_object_new_string("Meteor.Error"));
	return o;
}

/* {"message": "<EJSON>"}: the result or the error of call ID. Consumes A. */
static void
reply_envelope(struct request *req, const char *id, struct answer a, const char *reason_override)
{
	json_object *inner, *o;

	if (a.err != ERR_NONE && err_info(a.err)->status >= 500) {
		/* The backend failed: an HTTP answer clients already retry. */
		reply_answer(req, a);
		return;
	}
	inner = json_object_new_object();
	json_object_object_add(inner, "msg", json_object_new_string("result"));
	json_object_object_add(inner, "id", json_object_new_string(id));
	if (a.err != ERR_NONE)
		json_object_object_add(inner, "error", meteor_error(&a, reason_override));
	else if (a.value)
		json_object_object_add(inner, "result", json_object_get(a.value));
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string(
	    json_object_to_json_string_ext(inner, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)));
	json_object_put(inner);
	json_object_put(a.value);
	json_object_put(a.details);
	reply_ok(req, o);
}

/* The DDP message of the body and the method the path names; false after
 * answering "Invalid method call" (Rocket.Chat's words) when the message is
 * not {msg: "method", id, method, params: [...]} or names another method
 * than the path (ours: the web server routes by the path). The caller
 * puts *MSG. */
static bool
read_call_or_reply(struct request *req, json_object **msg, const char **id, const char **name,
    json_object **params)
{
	const char *text = req->in[0].s;
	char err[128], *path_name = strdup(req->tail ? req->tail : "");
	json_object *v;
	bool ok = false;

	*msg = NULL;
	if (path_name && url_decode(path_name) &&
	    json_body_parse(text, strlen(text), msg, err, sizeof err) && json_object_is_type(*msg, json_type_object) &&
	    json_object_object_get_ex(*msg, "msg", &v) && json_object_is_type(v, json_type_string) &&
	    strcmp(json_object_get_string(v), "method") == 0 &&
	    json_object_object_get_ex(*msg, "id", &v) && json_object_is_type(v, json_type_string) &&
	    (*id = json_object_get_string(v)) != NULL &&
	    json_object_object_get_ex(*msg, "method", &v) && json_object_is_type(v, json_type_string) &&
	    (*name = json_object_get_string(v)) != NULL &&
	    json_object_object_get_ex(*msg, "params", params) && json_object_is_type(*params, json_type_array)) {
		/* Clients put a method's '/' as ':' in the path. */
		char *want = strdup(*name);
		for (char *c = want; c && *c; c++)
			if (*c == '/')
				*c = ':';
		ok = want && strcmp(want, path_name) == 0;
		free(want);
	}
	free(path_name);
	if (!ok) {
		json_object_put(*msg);
		*msg = NULL;
		reply_error(req, ERR_INVALID_PARAMS, "Invalid method call");
	}
	return ok;
}

static void
dispatch(struct request *req, bool anonymous)
{
	const char *id, *name;
	json_object *msg, *params;
	const struct method *m;
	char reason[160];

	if (!read_call_or_reply(req, &msg, &id, &name, &params))
		return;
	if ((m = find_method(name)) == NULL) {
		snprintf(reason, sizeof reason, "Method '%.100s' not found", name);
		reply_envelope(req, id, ANSWER_ERR(ERR_NOT_FOUND, NULL), reason);
	} else if (anonymous) {
		reply_envelope(req, id, ANSWER_ERR(ERR_NOT_AUTHORIZED, NULL), NULL);
	} else if (m->feature && !*m->feature) {
		reply_envelope(req, id, ANSWER_ERR(ERR_NOT_ALLOWED, NULL), NULL);
	} else {
		reply_envelope(req, id, m->run(req, params), NULL);
	}
	json_object_put(msg);
}

void
method_call(struct request *req)
{
	dispatch(req, false);
}

void
method_call_anon(struct request *req)
{
	dispatch(req, true);
}
