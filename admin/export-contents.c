/* export-contents.c - what goes into an archive: every collection of the
 * store's table whose export rule (exportrules.h) says so, its documents
 * found by the table's owner kind, only the rule's fields. JSON exports get
 * one file per part (user.json an object, the rest arrays); HTML exports
 * one page, user.html. Both get the avatar image and README.txt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "date.h"
#include "export.h"
#include "exportrules.h"
#include "json.h"
#include "log.h"
#include "mailtext.h"
#include "store.h"

struct maker {
	const bson_t *user;
	const char   *uid;
	bool          full;
	json_object  *texts;        /* borrowed: the "data-export-page" words */
	struct html   page;
	struct export_archive *a;
	bool          private_key;  /* the user has an (encrypted) E2E private key */
};

bool
export_add(struct export_archive *a, const char *name, char *data, size_t len)
{
	if (data == NULL || a->n == EXPORT_ENTRIES_MAX) {
		free(data);
		return false;
	}
	snprintf(a->e[a->n].name, sizeof a->e[a->n].name, "%s", name);
	a->e[a->n].data = data;
	a->e[a->n].len = len;
	a->n++;
	return true;
}

void
export_archive_free(struct export_archive *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->e[i].data);
	a->n = 0;
}

/* The section title KEY in the user's language. */
static const char *
section(const struct maker *m, const char *key)
{
	json_object *s = NULL;
	json_object_object_get_ex(m->texts, "sections", &s);
	return text_of(s, key, key);
}

/* The filter of the user's documents in C (its owner kind), plus PART's match. */
static bson_t *
owner_filter(const struct maker *m, enum coll c, const struct export_part *part)
{
	const struct coll_owner *o = store_coll_owner(c);
	bson_t *f = bson_new();

	BSON_APPEND_UTF8(f, o->kind == OWNER_ID ? "_id" : o->field, m->uid);
	if (part->match_field)
		BSON_APPEND_UTF8(f, part->match_field, part->match_value);
	return f;
}

/* Find options: the rule's fields only (no _id unless named), its sort. */
static bson_t *
projection(const struct export_rule *r)
{
	bson_t *opts = bson_new(), proj;
	bool with_id = false;

	BSON_APPEND_DOCUMENT_BEGIN(opts, "projection", &proj);
	for (size_t i = 0; r->fields[i]; i++) {
		BSON_APPEND_INT32(&proj, r->fields[i], 1);
		with_id |= strcmp(r->fields[i], "_id") == 0;
	}
	if (!with_id)
		BSON_APPEND_INT32(&proj, "_id", 0);
	bson_append_document_end(opts, &proj);
	if (r->sort)
		BCON_APPEND(opts, "sort", "{", r->sort, BCON_INT32(1), "}");
	return opts;
}

/* The user's documents of C and PART as a JSON array; NULL on error. */
static json_object *
find_docs(const struct maker *m, enum coll c, const struct export_rule *r, const struct export_part *part)
{
	bson_error_t e;
	const bson_t *doc;
	json_object *arr = json_object_new_array();
	bson_t *filter = owner_filter(m, c, part), *opts = projection(r);
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(c), filter, opts, NULL);

	while (mongoc_cursor_next(cur, &doc))
		json_object_array_add(arr, bson_to_json(doc));
	if (mongoc_cursor_error(cur, &e)) {
		store_log_error(LOG_WARN, "export: read a collection", &e);
		json_object_put(arr);
		arr = NULL;
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	return arr;
}

/* Which second factors are on and how many backup codes are left: derived
 * from the full document, never copying a secret. */
static json_object *
two_factor(const bson_t *user)
{
	json_object *o = json_object_new_object();
	bson_iter_t it, child;
	int backup = 0;

	json_object_object_add(o, "totp", json_object_new_boolean(bson_get_bool(user, "services.totp.enabled")));
	json_object_object_add(o, "email", json_object_new_boolean(bson_get_bool(user, "services.email2fa.enabled")));
	if (bson_iter_init(&it, user) && bson_iter_find_descendant(&it, "services.totp.hashedBackup", &child) &&
	    BSON_ITER_HOLDS_ARRAY(&child) && bson_iter_recurse(&child, &it))
		while (bson_iter_next(&it))
			backup++;
	json_object_object_add(o, "backupCodesRemaining", json_object_new_int(backup));
	return o;
}

static char *
pretty(json_object *o)
{
	return strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
}

static bool
add_json(struct maker *m, const char *name, json_object *o)
{
	char *text = pretty(o);
	return export_add(m->a, name, text, text ? strlen(text) : 0);
}

/* The two-factor section of the page, in words. */
static void
page_two_factor(struct maker *m, json_object *tf)
{
	json_object *labels = NULL, *rows = json_object_new_object();

	json_object_object_get_ex(m->texts, "twoFactor", &labels);
	json_object_object_foreach(tf, key, v)
		json_object_object_add(rows, text_of(labels, key, key), json_object_get(v));
	page_object(&m->page, section(m, "twoFactor"), rows, m->texts);
	json_object_put(rows);
}

static int
export_docs(struct maker *m, enum coll c, const struct export_rule *r)
{
	for (size_t p = 0; p < EXPORT_PARTS_MAX && r->parts[p].file; p++) {
		const struct export_part *part = &r->parts[p];
		json_object *arr = find_docs(m, c, r, part), *out;
		if (arr == NULL)
			return -1;
		out = arr;
		if (part->single) {
			out = json_object_array_length(arr) > 0 ? json_object_get(json_object_array_get_idx(arr, 0))
			                                        : json_object_new_object();
			json_object_put(arr);
		}
		if (c == COLL_USERS) {
			json_object *e2e;
			m->private_key = json_object_object_get_ex(out, "e2e", &e2e) &&
			    json_object_object_get_ex(e2e, "private_key", NULL);
			json_object_object_add(out, "twoFactor", two_factor(m->user));
		}
		bool ok = true;
		if (m->full) {
			ok = add_json(m, part->file, out);
		} else if (part->single) {
			json_object *tf = NULL;
			json_object_object_get_ex(out, "twoFactor", &tf);
			json_object *tf_ref = tf ? json_object_get(tf) : NULL;
			json_object_object_del(out, "twoFactor");
			page_object(&m->page, section(m, part->section), out, m->texts);
			if (tf_ref) {
				page_two_factor(m, tf_ref);
				json_object_put(tf_ref);
			}
			if (m->private_key)
				page_note(&m->page, text_of(m->texts, "e2e", ""));
		} else {
			page_table(&m->page, section(m, part->section), out, r->fields, m->texts);
		}
		json_object_put(out);
		if (!ok)
			return -1;
	}
	return 0;
}

static const struct { const char *type, *ext; } image_types[] = {
	{ "image/png", ".png" }, { "image/jpeg", ".jpg" }, { "image/gif", ".gif" },
	{ "image/webp", ".webp" }, { "image/svg+xml", ".svg" },
};

/* The stored file of C (the avatar), in both formats. */
static int
export_binary(struct maker *m, enum coll c, const struct export_rule *r)
{
	const struct export_part *part = &r->parts[0];
	bson_error_t e;
	const bson_t *doc;
	bson_iter_t it;
	int rc = 0;
	bson_t *filter = owner_filter(m, c, part);
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(store_coll(c), filter, NULL, NULL);

	if (mongoc_cursor_next(cur, &doc) && bson_iter_init_find(&it, doc, r->data_field) && BSON_ITER_HOLDS_BINARY(&it)) {
		const char *type = bson_get_str(doc, r->type_field), *ext = "";
		const uint8_t *data;
		uint32_t len;
		bson_subtype_t sub;
		char name[64];
		bson_iter_binary(&it, &sub, &len, &data);
		for (size_t i = 0; type && i < sizeof image_types / sizeof image_types[0]; i++)
			if (strcmp(type, image_types[i].type) == 0)
				ext = image_types[i].ext;
		snprintf(name, sizeof name, "%s%s", part->file, ext);
		char *copy = malloc(len ? len : 1);
		if (copy)
			memcpy(copy, data, len);
		if (!export_add(m->a, name, copy, len))
			rc = -1;
		if (!m->full && *ext)
			page_image(&m->page, section(m, part->section), type, data, len);
	}
	if (mongoc_cursor_error(cur, &e)) {
		store_log_error(LOG_WARN, "export: read a stored file", &e);
		rc = -1;
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(filter);
	return rc;
}

/* README.txt: what the archive is and what each file holds. */
static bool
add_readme(struct maker *m, const char *intro)
{
	json_object *files = NULL;
	struct strbuf b = STRBUF_INIT;

	json_object_object_get_ex(m->texts, "files", &files);
	strbuf_puts(&b, intro);
	strbuf_puts(&b, "\n\n");
	for (size_t i = 0; i < m->a->n; i++) {
		char key[64];
		snprintf(key, sizeof key, "%s", m->a->e[i].name);
		if (strncmp(key, "avatar", 6) == 0)
			key[6] = '\0';
		strbuf_puts(&b, m->a->e[i].name);
		strbuf_puts(&b, ": ");
		strbuf_puts(&b, text_of(files, key, ""));
		strbuf_puts(&b, "\n");
	}
	strbuf_puts(&b, "README.txt: this file\n");
	if (m->private_key) {
		strbuf_puts(&b, "\n");
		strbuf_puts(&b, text_of(m->texts, "e2e", ""));
		strbuf_puts(&b, "\n");
	}
	strbuf_put(&b, "", 0);
	if (b.failed) {
		free(b.buf);
		return false;
	}
	return export_add(m->a, "README.txt", b.buf, strlen(b.buf));
}

int
export_contents(const bson_t *user, bool full, int64_t made_at, export_progress_fn *progress,
    void *ctx, struct export_archive *a)
{
	struct maker m = { .user = user, .uid = bson_get_str(user, "_id"), .full = full, .a = a };
	const char *lang = mail_language(user);
	char date[32];
	char *title = NULL, *intro = NULL, *readme = NULL;
	int rc = -1;

	iso_date(made_at, date);
	date[16] = '\0';
	date[10] = ' ';
	m.texts = mailtext_strings(lang, "data-export-page");
	const char *names[] = { "site", "date" }, *values[] = { cfg.site_name, date };
	title = text_fill(text_of(m.texts, "title", "Your data"), names, values, 2);
	intro = text_fill(text_of(m.texts, "intro", ""), names, values, 2);
	readme = text_fill(text_of(m.texts, "readme", ""), names, values, 2);
	html_init(&m.page);
	if (m.uid == NULL || title == NULL || intro == NULL || readme == NULL)
		goto out;
	page_begin(&m.page, lang, title, intro);
	for (int c = 0; c < COLL__COUNT; c++) {
		const struct export_rule *r = export_rule((enum coll)c);
		const struct coll_owner *o = store_coll_owner((enum coll)c);
		if (!progress(ctx, "exporting", 10 + 50 * c / COLL__COUNT))
			goto out;
		if (r == NULL) {
			log_warn("export: %s has no export rule: not exported", store_coll_name((enum coll)c));
			continue;
		}
		if (r->kind == EXPORT_SKIP || (o->kind != OWNER_ID && o->kind != OWNER_FIELD))
			continue;
		if ((r->kind == EXPORT_DOCS ? export_docs(&m, (enum coll)c, r) : export_binary(&m, (enum coll)c, r)) != 0)
			goto out;
	}
	if (!full) {
		page_end(&m.page);
		char *html = html_take(&m.page);
		if (!export_add(a, "user.html", html, html ? strlen(html) : 0))
			goto out;
	}
	if (!add_readme(&m, readme))
		goto out;
	rc = 0;
out:
	html_free(&m.page);
	free(title);
	free(intro);
	free(readme);
	return rc;
}
