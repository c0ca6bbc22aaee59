/* io.c - fcgi_stdio.h redefines stdio; it is included here and nowhere else. */
#include <fcgi_stdio.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"

extern char **environ;

#define MAX_HOOKS 8

static char **process_env;
static bool in_request;
static struct { void (*fn)(void *); void *arg; } hooks[MAX_HOOKS];
static size_t nhooks;

bool
io_after_answer(void (*fn)(void *), void *arg)
{
	for (size_t i = 0; i < nhooks; i++)
		if (hooks[i].fn == fn && hooks[i].arg == arg)
			return true;
	if (nhooks == MAX_HOOKS)
		return false;
	hooks[nhooks].fn = fn;
	hooks[nhooks++].arg = arg;
	return true;
}

static void
run_hooks(void)
{
	/* A hook may register another: it runs in this round too. */
	for (size_t i = 0; i < nhooks; i++)
		hooks[i].fn(hooks[i].arg);
	nhooks = 0;
}

/* Hands the whole answer to the web server: FastCGI ends the request;
 * CGI flushes and lets go of stdout, which is the server's sign that the
 * answer is complete. */
static void
finish_answer(void)
{
	if (!in_request)
		return;
	in_request = false;
	if (nhooks == 0)
		return;         /* FCGI_Accept finishes it as always */
	if (FCGX_IsCGI()) {
		int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		fflush(stdout);
		if (fd >= 0) {
			dup2(fd, 1);
			close(fd);
		}
	} else {
		FCGI_Finish();
	}
	run_hooks();
}

static void
finish_at_exit(void)
{
	finish_answer();
}

int
io_accept(void)
{
	if (process_env == NULL) {
		process_env = environ;
		atexit(finish_at_exit);
	}
	finish_answer();
	if (FCGI_Accept() >= 0) {
		in_request = true;
		return 0;
	}
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

const char *
io_process_getenv(const char *name)
{
	size_t n = strlen(name);
	char **env = process_env ? process_env : environ;

	for (char **e = env; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

bool
io_is_cgi(void)
{
	return FCGX_IsCGI();
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
	if (n > 0)
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
