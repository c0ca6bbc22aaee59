/* unit.h - a tiny test harness: CHECK() counts, each binary prints
 * "N passed, N failed" and exits non-zero on failure. */
#ifndef UNIT_H
#define UNIT_H

#include <stdbool.h>

void unit_check(bool ok, const char *file, int line, const char *what);
int unit_done(void);

#define CHECK(cond, what) unit_check((cond), __FILE__, __LINE__, (what))

#endif
