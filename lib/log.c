/* log.c - timestamped, levelled lines on the real stderr (fd 2), with
 * repeated lines held back (see log.h). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LINE_MAX_BYTES 1024
#define RECENT_SLOTS   16     /* distinct lines remembered per process */

static const char *names[] = { "error", "warn", "info", "debug" };
static enum log_level threshold = LOG_INFO;
static char prog[32] = "myaccount";
static time_t (*clock_fn)(void);

/* A line written lately: its text, when, and how many copies were held
 * back since. The oldest slot is reused for a new line. */
static struct recent {
	enum log_level level;
	time_t at;
	unsigned long held;
	char text[LINE_MAX_BYTES];
} recent[RECENT_SLOTS];

void
log_init(const char *program, const char *level)
{
	snprintf(prog, sizeof prog, "%s", program);
	for (int i = LOG_ERROR; i <= LOG_DEBUG; i++)
		if (level && strcmp(level, names[i]) == 0)
			threshold = (enum log_level)i;
}

void
log_set_clock(time_t (*now)(void))
{
	clock_fn = now;
	memset(recent, 0, sizeof recent);
}

static time_t
now_s(void)
{
	return clock_fn ? clock_fn() : time(NULL);
}

/* Writes one line: stamp, program, pid, level, TEXT, and SUFFIX. */
static void
emit(enum log_level level, time_t now, const char *text, const char *suffix)
{
	char line[LINE_MAX_BYTES + 64], stamp[32];
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	int n = snprintf(line, sizeof line - 1, "%s %s[%d] %s: %s%s", stamp, prog, (int)getpid(),
	    names[level], text, suffix);
	size_t len = n < 0 ? 0 : (size_t)n >= sizeof line - 1 ? sizeof line - 2 : (size_t)n;
	/* Keep one event on one line whatever the message holds. */
	for (size_t i = 0; i < len; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[len++] = '\n';
	/* One write(2) so lines from several processes do not interleave. */
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}

/* Writes TEXT unless the same line went out less than LOG_REPEAT_SECONDS
 * ago; then it only counts it. */
static void
emit_limited(enum log_level level, const char *text)
{
	time_t now = now_s();
	struct recent *slot = &recent[0];
	char suffix[48] = "";

	for (int i = 0; i < RECENT_SLOTS; i++) {
		struct recent *r = &recent[i];
		if (r->text[0] && r->level == level && strcmp(r->text, text) == 0) {
			if (now - r->at < LOG_REPEAT_SECONDS) {
				r->held++;
				return;
			}
			if (r->held)
				snprintf(suffix, sizeof suffix, " (repeated %lu times)", r->held);
			r->at = now;
			r->held = 0;
			emit(level, now, text, suffix);
			return;
		}
		if (r->at < slot->at)   /* empty slots have at == 0 */
			slot = r;
	}
	/* A new line takes the oldest slot; copies held back there are told. */
	if (slot->text[0] && slot->held) {
		snprintf(suffix, sizeof suffix, " (repeated %lu times)", slot->held);
		emit(slot->level, now, slot->text, suffix);
	}
	slot->level = level;
	slot->at = now;
	slot->held = 0;
	snprintf(slot->text, sizeof slot->text, "%s", text);
	emit(level, now, text, "");
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char text[LINE_MAX_BYTES];
	va_list ap;

	if (level > threshold)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	emit_limited(level, text);
}
