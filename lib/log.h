/* log.h - one-line logs to stderr. Callers never pass secrets: tokens,
 * passwords, codes and hashes are not arguments of any log call (database
 * errors go through store_log_error(), which redacts what the server quotes).
 *
 * Repeats are limited: the same line (level and text) is written at most
 * once per LOG_REPEAT_SECONDS per process; when it comes again after that,
 * it carries "(repeated K times)" for the K copies held back meanwhile. So
 * a database outage costs a FastCGI program one line per message per
 * window, not one per request. Under plain CGI every request is a new
 * process, so each still writes its line: a limit across processes would
 * need shared state (a file under a state dir, locked on every log call),
 * which adds a failure mode to the error path in the middle of an outage,
 * while plain CGI is meant for small sites whose request rate already
 * bounds the log. One line per request is accepted there. */
#ifndef MA_LOG_H
#define MA_LOG_H

#include <time.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

#define LOG_REPEAT_SECONDS 60

void log_init(const char *program, const char *level);
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* For tests: the clock the repeat limit reads (NULL: time(NULL)). */
void log_set_clock(time_t (*now)(void));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
