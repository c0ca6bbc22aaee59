/* avatar.c - GET /avatar/<username> and /avatar/uid/<user id> (Rocket.Chat's
 * two routes). An uploaded avatar is sent as it was stored: resized and
 * re-encoded once, when it was set (cgi-bin/avatar/), so no image work
 * happens here and this program links no image library. Without one,
 * Rocket.Chat's kind of default: the name's first character on a colour
 * chosen by the name, as SVG.
 *
 * Whether a name is taken must not show: a name nobody has and a user
 * without an upload get the same picture, headers and ETag, each after one
 * lookup of the user. (An upload shows that its user exists, as in
 * Rocket.Chat; user ids are random and not guessable.) A revalidation
 * whose If-None-Match is the user's avatarETag costs that one lookup. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "log.h"
#include "profile.h"
#include "respond.h"
#include "store.h"
#include "urlencoded.h"
#include "user.h"
#include "utf8.h"

#define NAME_MAX_BYTES 256
#define AVATAR_STYLE   "1"      /* bump when the picture changes: a new ETag */

/* Background colours, each with at least 4.5:1 contrast to white text. */
static const char *const colours[] = {
	"#1d74f5", "#5c3dc9", "#c2185b", "#b3261e", "#9c4a00", "#2e7d32",
	"#00695c", "#0069a8", "#6a1b9a", "#4e5d6c", "#ad1457", "#37474f",
};
#define NCOLOURS (sizeof colours / sizeof colours[0])

/* The first character of NAME, ASCII letters upper-cased, into OUT. */
static void
initial(const char *name, char out[8])
{
	size_t n = utf8_seq_len((const unsigned char *)name, strlen(name));

	memcpy(out, name, n);
	out[n] = '\0';
	if (n == 1 && out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
}

/* An SVG is a document: nothing in it may run or load. An uploaded image
 * gets the same policy, should a browser ever take it for a document. */
#define AVATAR_CSP "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'"

/* The generated avatar of NAME. */
static void
reply_generated(struct request *req, const char *name)
{
	unsigned char h[crypto_generichash_BYTES];
	char *svg = NULL, letter[8], etag[40];
	struct html out;

	html_init(&out);
	crypto_generichash(h, sizeof h, (const unsigned char *)name, strlen(name), NULL, 0);
	snprintf(etag, sizeof etag, "\"" AVATAR_STYLE "-%02x%02x%02x%02x%02x%02x%02x%02x\"",
	    h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
	initial(name, letter);
	html_raw(&out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 200\" "
	    "width=\"200\" height=\"200\"><rect width=\"200\" height=\"200\" fill=\"");
	html_attr(&out, colours[h[8] % NCOLOURS]);
	html_raw(&out, "\"/><text x=\"100\" y=\"100\" dy=\"0.35em\" text-anchor=\"middle\" "
	    "fill=\"#ffffff\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"110\">");
	html_txt(&out, letter);
	html_raw(&out, "</text></svg>");
	if ((svg = html_take(&out)) == NULL) {
		reply_error(req, ERR_INTERNAL, NULL);
	} else {
		resp_header(req, AVATAR_CSP);
		reply_binary(req, "image/svg+xml", svg, strlen(svg), etag, -1);
	}
	html_free(&out);
	free(svg);
}

/* The one document FILTER (consumed) finds in C, with PROJECTION (JSON):
 * 1 found (*DOC a copy), 0 none, -1 after answering a database error. */
static int
find_one(struct request *req, enum coll c, bson_t *filter, const char *projection, bson_t **doc)
{
	bson_error_t e;
	const bson_t *d;
	int found = 0;
	bson_t *opts = BCON_NEW("limit", BCON_INT64(1));
	bson_t *proj = bson_new_from_json((const uint8_t *)projection, -1, NULL);
	mongoc_cursor_t *cur;

	BSON_APPEND_DOCUMENT(opts, "projection", proj);
	cur = mongoc_collection_find_with_opts(store_coll(c), filter, opts, NULL);
	if (mongoc_cursor_next(cur, &d)) {
		*doc = bson_copy(d);
		found = 1;
	}
	if (mongoc_cursor_error(cur, &e)) {
		found = -1;
		reply_store_error(req, &e, "avatar lookup");
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(proj);
	bson_destroy(opts);
	bson_destroy(filter);
	return found;
}

/* The stored image of user ID, known by its user document as ETAG (the
 * avatarETag). The row's own etag names the bytes it holds; it differs
 * from ETAG only while a change is being written (avstore.c). False when
 * there is no image (a reset being written): the caller answers. */
static bool
reply_stored(struct request *req, const char *id, const char *etag)
{
	bson_t *row = NULL;
	bson_iter_t it;
	const uint8_t *data = NULL;
	uint32_t len = 0;
	bson_subtype_t sub;
	const char *type, *row_etag;
	char quoted[80];
	int found;

	/* A revalidation of the current image needs nothing more. */
	snprintf(quoted, sizeof quoted, "\"%s\"", etag);
	if (etag_match(req_header(req, "If-None-Match"), quoted)) {
		reply_binary(req, "image/png", "", 0, quoted, -1);
		return true;
	}
	found = find_one(req, COLL_AVATARS, BCON_NEW("_id", BCON_UTF8(id)), "{\"data\":1,\"contentType\":1,\"etag\":1}", &row);
	if (found < 0)
		return true;
	if (found == 1 && bson_iter_init_find(&it, row, "data") && BSON_ITER_HOLDS_BINARY(&it))
		bson_iter_binary(&it, &sub, &len, &data);
	type = found == 1 ? bson_get_str(row, "contentType") : NULL;
	row_etag = found == 1 ? bson_get_str(row, "etag") : NULL;
	/* Only the two types cgi-bin/avatar/ writes are ever sent. */
	if (data == NULL || len == 0 || type == NULL || row_etag == NULL ||
	    (strcmp(type, "image/png") != 0 && strcmp(type, "image/jpeg") != 0)) {
		bson_destroy(row);
		return false;
	}
	snprintf(quoted, sizeof quoted, "\"%s\"", row_etag);
	resp_header(req, AVATAR_CSP);
	reply_binary(req, strcmp(type, "image/png") == 0 ? "image/png" : "image/jpeg", data, len, quoted, -1);
	bson_destroy(row);
	return true;
}

void
avatar_get(struct request *req)
{
	char *name = NULL, *key = NULL;
	const char *etag, *id, *username;
	bson_t *user = NULL;
	bool by_id;
	int found;

	if (req->tail == NULL || strlen(req->tail) > NAME_MAX_BYTES * 3 ||
	    (name = strdup(req->tail)) == NULL || !url_decode(name) || *name == '\0' ||
	    !utf8_valid(name, strlen(name))) {
		reply_error(req, ERR_NOT_FOUND, "No such avatar");
		goto out;
	}
	by_id = strncmp(name, "uid/", 4) == 0;
	if (strchr(by_id ? name + 4 : name, '/') != NULL || (by_id && name[4] == '\0')) {
		reply_error(req, ERR_NOT_FOUND, "No such avatar");
		goto out;
	}
	if (by_id)
		found = find_one(req, COLL_USERS, BCON_NEW("_id", BCON_UTF8(name + 4)),
		    "{\"avatarETag\":1,\"username\":1}", &user);
	else {
		key = user_name_key(name);
		found = find_one(req, COLL_USERS, BCON_NEW("usernameKey", BCON_UTF8(key)),
		    "{\"avatarETag\":1}", &user);
	}
	if (found < 0)
		goto out;
	etag = found ? bson_get_str(user, "avatarETag") : NULL;
	id = found ? bson_get_str(user, "_id") : NULL;
	if (etag != NULL && *etag != '\0' && id != NULL && reply_stored(req, id, etag))
		goto out;
	username = found && by_id ? bson_get_str(user, "username") : NULL;
	reply_generated(req, username ? username : by_id ? name + 4 : name);
out:
	bson_destroy(user);
	bson_free(key);
	free(name);
}
