/* io.c - fcgi_stdio.h redefines stdio; it is included here and nowhere else. */
#include <fcgi_stdio.h>
#include <fcgiapp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"

extern char **environ;

int
io_accept(void)
{
	static char **process_env;

	if (process_env == NULL)
		process_env = environ;
	if (FCGI_Accept() >= 0)
		return 0;
	/* libfcgi pointed environ at the last request's variables, which it
	 * has freed by now; clean-up code (libmongoc logs, tzset) reads it. */
	environ = process_env;
	return -1;
}

const char *
io_getenv(const char *name)
{
	/* FCGI_Accept points environ at the current request's variables. */
	return getenv(name);
}

size_t
io_getenv_all(const char *name, const char **out, size_t max)
{
	size_t n = 0, len = strlen(name);

	/* getenv() answers the first; a server may pass a header twice. */
	for (char **e = environ; e && *e && n < max; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			out[n++] = *e + len + 1;
	return n;
}

size_t
io_read(void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		size_t r = fread((char *)buf + got, 1, n - got, stdin);
		if (r == 0)
			break;
		got += r;
	}
	return got;
}

void
io_write(const void *buf, size_t n)
{
	/* FCGI_fwrite takes a non-const pointer but only reads it. */
	fwrite((void *)(uintptr_t)buf, 1, n, stdout);
}

void
io_drain(void)
{
	char buf[65536];
	size_t total = 0;

	if (!FCGX_IsCGI())
		return;         /* libfcgi skips unread input by itself */
	/* A CGI that exits with its body unread makes fcgiwrap fail the whole
	 * request (502) instead of passing our answer on. Bounded: the web
	 * server caps bodies well below this. */
	while (total < 64u * 1024 * 1024) {
		size_t r = fread(buf, 1, sizeof buf, stdin);
		if (r == 0)
			break;
		total += r;
	}
}
