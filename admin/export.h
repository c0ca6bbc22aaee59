/* export.h - the My Data worker of myaccount-admin: `run-queue` makes the
 * queued exports (export-job.c), whose contents come from the store's
 * table and the export rules (export-contents.c), as JSON files or one
 * HTML page (export-page.c), packed as a zip (export-zip.c, the only user
 * of libarchive). */
#ifndef MA_ADMIN_EXPORT_H
#define MA_ADMIN_EXPORT_H

#include <bson/bson.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "html.h"

#define EXPORT_MAX_ATTEMPTS 3
#define EXPORT_RETRY_MS     (60 * 1000)     /* after a database error */
#define EXPORT_ENTRIES_MAX  64

struct export_tally {
	int done, failed, retry;
};

/* Claims and makes queued exports, at most MAX; false when the database
 * failed (the job stays queued). */
bool export_run(long max, struct export_tally *t);
/* Deletes the archives whose link expired (GridFS files and their jobs):
 * how many files, -1 on a database error. */
int64_t export_sweep(void);

/* One file of an archive; DATA owned (malloc), LEN bytes. */
struct export_entry {
	char    name[64];
	char   *data;
	size_t  len;
};

struct export_archive {
	struct export_entry e[EXPORT_ENTRIES_MAX];
	size_t n;
};

/* Says how far the job got; false when the job is no longer ours (lost
 * its lease): the maker stops. */
typedef bool export_progress_fn(void *ctx, const char *status, int percent);

/* Fills A with USER's archive (the full user document; FULL: JSON files,
 * else one HTML page) in the user's language, README.txt included. 0, or
 * -1 on a database error or when PROGRESS said stop. */
int export_contents(const bson_t *user, bool full, int64_t made_at, export_progress_fn *progress,
    void *ctx, struct export_archive *a);
/* Adds a file (DATA consumed) to A; false when full or out of memory. */
bool export_add(struct export_archive *a, const char *name, char *data, size_t len);
void export_archive_free(struct export_archive *a);

/* The HTML page (export-page.c): head, sections, end. Words from TEXTS
 * (the "data-export-page" object of the user's language). */
void page_begin(struct html *h, const char *lang, const char *title, const char *intro);
/* A section of one document (OBJ, an object) as rows of name and value. */
void page_object(struct html *h, const char *title, json_object *obj, json_object *texts);
/* A section of documents (ARR) as a table with FIELDS as columns. */
void page_table(struct html *h, const char *title, json_object *arr, const char *const *fields,
    json_object *texts);
/* The avatar, as an image of TYPE from DATA (LEN bytes). */
void page_image(struct html *h, const char *title, const char *type, const void *data, size_t len);
void page_note(struct html *h, const char *text);
void page_end(struct html *h);

/* Packs A as a zip into FD (export-zip.c). 0, or -1 with ERR. */
int export_zip(const struct export_archive *a, int fd, char *err, size_t errlen);

/* The string STR under KEY of TEXTS (may be NULL) or FALLBACK. */
const char *text_of(json_object *texts, const char *key, const char *fallback);
/* TEMPLATE with "{name}" of each NAMES[i] replaced by VALUES[i]; caller frees. */
char *text_fill(const char *tpl, const char *const *names, const char *const *values, size_t n);

#endif
