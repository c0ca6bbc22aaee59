/* smtp.h - one SMTP delivery through libcurl, to the configured server. The
 * only file of lib/ that calls libcurl: only the admin tool (the mail
 * sender) links it, so the FastCGI programs never load libcurl. */
#ifndef MA_SMTP_H
#define MA_SMTP_H

#include <stdbool.h>
#include <stddef.h>

/* Sends MESSAGE (a whole RFC 5322 message, CRLF lines) to TO through
 * cfg.smtp_url; STARTTLS when offered, required when credentials are set.
 * On failure ERR gets curl's reason (never message text). */
bool smtp_deliver(const char *to, const char *message, char *err, size_t errlen);

#endif
