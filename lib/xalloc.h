/* xalloc.h - the out-of-memory policy, stated once: allocation failure ends
 * the process (log one line, abort()).
 *
 * Why not answer 500: the answer itself needs memory (json-c objects, the
 * response buffer), and a half-built request leaves state no one can check
 * everywhere. A process that ran out of memory is better replaced: under
 * FastCGI the supervisor starts a fresh one (systemd Restart=on-failure, or
 * the web server's own spawner), and the web server answers 502 for that
 * one request; under plain CGI the process ends with the request anyway.
 * Nothing is half-written to the database: every store write is one
 * command, sent after the input was fully read and checked.
 *
 * Use these for every allocation on a request path: xmalloc/xstrndup for
 * memory, XJSON() around json-c constructors, xjson_add/xjson_append for
 * json-c insertions (which allocate too). */
#ifndef MA_XALLOC_H
#define MA_XALLOC_H

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static inline void __attribute__((noreturn))
xalloc_fail(const char *what)
{
	log_error("out of memory (%s): ending the process", what);
	abort();
}

static inline void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		xalloc_fail("malloc");
	return p;
}

static inline void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		xalloc_fail("calloc");
	return p;
}

static inline char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (p == NULL)
		xalloc_fail("strndup");
	return p;
}

static inline char *
xstrdup(const char *s)
{
	char *p = strdup(s);
	if (p == NULL)
		xalloc_fail("strdup");
	return p;
}

/* A json-c constructor's result, never NULL. */
static inline json_object *
xjson_check(json_object *o, const char *what)
{
	if (o == NULL)
		xalloc_fail(what);
	return o;
}
#define XJSON(expr) xjson_check((expr), #expr)

/* json_object_object_add / json_object_array_add, which fail only for want
 * of memory (VAL is consumed either way). */
static inline void
xjson_add(json_object *obj, const char *key, json_object *val)
{
	if (json_object_object_add(obj, key, val) != 0)
		xalloc_fail("json_object_object_add");
}

static inline void
xjson_append(json_object *arr, json_object *val)
{
	if (json_object_array_add(arr, val) != 0)
		xalloc_fail("json_object_array_add");
}

#endif
