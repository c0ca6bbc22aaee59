/* date.h - time as Rocket.Chat and MongoDB keep it: epoch milliseconds,
 * written and read as ISO 8601 UTC strings ("2024-01-02T03:04:05.678Z"). */
#ifndef MA_DATE_H
#define MA_DATE_H

#include <stdbool.h>
#include <stdint.h>

/* Milliseconds since the epoch, for BSON dates. */
int64_t now_ms(void);
/* OUT gets MS as "YYYY-MM-DDTHH:MM:SS.fffZ". */
void iso_date(int64_t ms, char out[32]);
/* Parses "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)" into epoch ms; only
 * years 0000-9999, so every accepted date can be written back. */
bool parse_iso_date(const char *s, int64_t *ms);

#endif
