/* log.c - timestamped, levelled lines on the real stderr (fd 2). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *names[] = { "error", "warn", "info", "debug" };
static enum log_level threshold = LOG_INFO;
static char prog[32] = "myaccount";

void
log_init(const char *program, const char *level)
{
	snprintf(prog, sizeof prog, "%s", program);
	for (int i = LOG_ERROR; i <= LOG_DEBUG; i++)
		if (level && strcmp(level, names[i]) == 0)
			threshold = (enum log_level)i;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char line[1024], stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	int n;

	if (level > threshold)
		return;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof line, "%s %s[%d] %s: ", stamp, prog, (int)getpid(), names[level]);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof line)
		vsnprintf(line + n, sizeof line - n, fmt, ap);
	va_end(ap);
	/* Keep one event on one line whatever the message holds. */
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	/* One write(2) so lines from several processes do not interleave. */
	size_t len = strlen(line);
	if (len > sizeof line - 2)
		len = sizeof line - 2;
	line[len++] = '\n';
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}
