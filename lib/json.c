/* json.c - see json.h. */
#include "json.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

json_object *
json_date(int64_t ms)
{
	char buf[32];
	iso_date(ms, buf);
	return json_object_new_string(buf);
}

static json_object *
container_to_json(const bson_iter_t *it, bool array)
{
	bson_iter_t child;
	json_object *out = array ? json_object_new_array() : json_object_new_object();

	if (!bson_iter_recurse(it, &child))
		return out;
	while (bson_iter_next(&child)) {
		json_object *v = bson_iter_to_json(&child);
		if (array)
			json_object_array_add(out, v);
		else if (v)
			json_object_object_add(out, bson_iter_key(&child), v);
	}
	return out;
}

json_object *
bson_iter_to_json(const bson_iter_t *it)
{
	switch (bson_iter_type(it)) {
	case BSON_TYPE_UTF8: {
		uint32_t len;
		const char *s = bson_iter_utf8(it, &len);
		return json_object_new_string_len(s, (int)len);
	}
	case BSON_TYPE_INT32:
		return json_object_new_int64(bson_iter_int32(it));
	case BSON_TYPE_INT64:
		return json_object_new_int64(bson_iter_int64(it));
	case BSON_TYPE_DOUBLE:
		return json_object_new_double(bson_iter_double(it));
	case BSON_TYPE_BOOL:
		return json_object_new_boolean(bson_iter_bool(it));
	case BSON_TYPE_DATE_TIME:
		return json_date(bson_iter_date_time(it));
	case BSON_TYPE_DOCUMENT:
		return container_to_json(it, false);
	case BSON_TYPE_ARRAY:
		return container_to_json(it, true);
	case BSON_TYPE_OID: {
		char hex[25];
		bson_oid_to_string(bson_iter_oid(it), hex);
		return json_object_new_string(hex);
	}
	default:
		return NULL;
	}
}

json_object *
bson_to_json(const bson_t *doc)
{
	bson_iter_t it;
	json_object *out = json_object_new_object();

	if (!bson_iter_init(&it, doc))
		return out;
	while (bson_iter_next(&it)) {
		json_object *v = bson_iter_to_json(&it);
		if (v)
			json_object_object_add(out, bson_iter_key(&it), v);
	}
	return out;
}

static bool
find(const bson_t *doc, const char *path, bson_iter_t *out)
{
	bson_iter_t it;
	return doc && bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, path, out);
}

const char *
bson_get_str(const bson_t *doc, const char *path)
{
	bson_iter_t it;
	return find(doc, path, &it) && BSON_ITER_HOLDS_UTF8(&it) ? bson_iter_utf8(&it, NULL) : NULL;
}

int64_t
bson_get_date(const bson_t *doc, const char *path)
{
	bson_iter_t it;
	return find(doc, path, &it) && BSON_ITER_HOLDS_DATE_TIME(&it) ? bson_iter_date_time(&it) : 0;
}

bool
bson_get_bool(const bson_t *doc, const char *path)
{
	bson_iter_t it;
	return find(doc, path, &it) && bson_iter_as_bool(&it);
}
