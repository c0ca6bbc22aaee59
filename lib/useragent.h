/* useragent.h - a short, readable name for a User-Agent string ("Firefox
 * 128, Linux"), for mails about a sign-in. The same heuristic as the
 * SPA's www/js/useragent.js; it only labels things for a human. */
#ifndef MA_USERAGENT_H
#define MA_USERAGENT_H

#include <stddef.h>

/* "<app> <major version>, <system>", either part left out when not
 * recognised; "" when neither is. */
void useragent_describe(const char *ua, char *out, size_t n);

#endif
