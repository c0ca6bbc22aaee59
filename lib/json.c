/* json.c - see json.h. */
#include "json.h"

#include <stdio.h>
#include <string.h>

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
