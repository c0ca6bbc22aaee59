/* export-zip.c - packs an export as a zip archive with libarchive (Deflate,
 * UTF-8 names). The only code that links libarchive, and only the admin
 * tool links this. */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <time.h>

#include "export.h"

int
export_zip(const struct export_archive *a, int fd, char *err, size_t errlen)
{
	struct archive *w = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	time_t now = time(NULL);
	int rc = -1;

	if (w == NULL || e == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (archive_write_set_format_zip(w) != ARCHIVE_OK ||
	    archive_write_set_options(w, "zip:compression=deflate,zip:hdrcharset=UTF-8") != ARCHIVE_OK ||
	    archive_write_open_fd(w, fd) != ARCHIVE_OK)
		goto fail;
	for (size_t i = 0; i < a->n; i++) {
		archive_entry_clear(e);
		archive_entry_set_pathname_utf8(e, a->e[i].name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)a->e[i].len);
		archive_entry_set_mtime(e, now, 0);
		if (archive_write_header(w, e) != ARCHIVE_OK ||
		    (a->e[i].len && archive_write_data(w, a->e[i].data, a->e[i].len) != (la_ssize_t)a->e[i].len))
			goto fail;
	}
	if (archive_write_close(w) != ARCHIVE_OK)
		goto fail;
	rc = 0;
	goto out;
fail:
	snprintf(err, errlen, "zip: %s", archive_error_string(w) ? archive_error_string(w) : "write failed");
out:
	if (e)
		archive_entry_free(e);
	if (w)
		archive_write_free(w);
	return rc;
}
