/* bsonread.c - see bsonread.h. */
#include "bsonread.h"

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
