/* date.c - see date.h. */
#include "date.h"

#include <ctype.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

int64_t
now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

void
iso_date(int64_t ms, char out[32])
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	int rem = (int)(ms % 1000);

	if (rem < 0) {
		rem += 1000;
		s -= 1;
	}
	gmtime_r(&s, &tm);
	/* %04Y (glibc): years before 1000 keep four digits, as ISO 8601 has. */
	size_t n = strftime(out, 32, "%04Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03dZ", rem);
}

bool
parse_iso_date(const char *s, int64_t *ms)
{
	struct tm tm = { 0 };
	int frac = 0, oh = 0, om = 0, used = 0, n;
	const char *p;

	/* sscanf's %d would also take blanks and signs: check the shape first. */
	for (int i = 0; i < 19; i++)
		if ("dddd-dd-ddTdd:dd:dd"[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    s[i] != "dddd-dd-ddTdd:dd:dd"[i])
			return false;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 6 || used != 19)
		return false;
	p = s + used;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 3)
				frac = frac * 10 + (*p - '0');
		if (digits == 0)
			return false;
		for (; digits < 3; digits++)
			frac *= 10;
	}
	if (*p == 'Z') {
		p++;
	} else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) &&
	    isdigit((unsigned char)p[2]) && p[3] == ':' && isdigit((unsigned char)p[4]) &&
	    isdigit((unsigned char)p[5]) && sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) == 2 && n == 5) {
		int sign = *p == '-' ? -1 : 1;
		oh *= sign;
		om *= sign;
		p += 6;
	} else {
		return false;
	}
	if (*p != '\0' || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60 || oh < -14 || oh > 14 || om < -59 || om > 59)
		return false;
	int mday = tm.tm_mday;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	if (tm.tm_mday != mday)         /* 31 April and the like roll over */
		return false;
	*ms = ((int64_t)t - (oh * 3600 + om * 60)) * 1000 + frac;
	/* Only what iso_date() can write back: years 0000 to 9999 in UTC. */
	return *ms >= -62167219200000LL && *ms <= 253402300799999LL;
}
