/* avatar.c - GET /avatar/<username>. Until avatars can be uploaded every
 * user has Rocket.Chat's kind of default: the name's first character on a
 * colour chosen by the name, as SVG. No database read: the picture depends
 * on the name alone, so it says nothing about whether the user exists
 * (Rocket.Chat answers every name alike too). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "profile.h"
#include "respond.h"
#include "urlencoded.h"
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

void
avatar_get(struct request *req)
{
	unsigned char h[crypto_generichash_BYTES];
	char *name = NULL, *svg = NULL, letter[8], etag[40];
	struct html out;

	html_init(&out);
	if (req->tail == NULL || strlen(req->tail) > NAME_MAX_BYTES * 3 ||
	    (name = strdup(req->tail)) == NULL || !url_decode(name) || *name == '\0' ||
	    strchr(name, '/') != NULL || !utf8_valid(name, strlen(name))) {
		reply_error(req, ERR_NOT_FOUND, "No such avatar");
		goto out;
	}
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
		goto out;
	}
	/* An SVG is a document: nothing in it may run or load. */
	resp_header(req, "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'");
	reply_binary(req, "image/svg+xml", svg, strlen(svg), etag, -1);
out:
	html_free(&out);
	free(svg);
	free(name);
}
