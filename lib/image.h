/* image.h - avatar images with libgd: the type by content (multipart.h's
 * sniffer); the dimensions from the header before anything is decoded (a
 * small file may declare 50000 x 50000 pixels), and for JPEG the number of
 * scans (each progressive scan is decoded over the whole picture again); a
 * decoder that must not complain (a truncated JPEG decodes to grey with
 * only a warning); then a centred square crop resized to SIZE x SIZE (as
 * Rocket.Chat's sharp does) and a fresh encoding: JPEG stays JPEG,
 * everything else becomes PNG (it may have transparency). Only pixels are
 * re-encoded, so no metadata (EXIF, GPS, ICC, comments) and no trailing
 * bytes (polyglots) survive. */
#ifndef MA_IMAGE_H
#define MA_IMAGE_H

#include <stddef.h>
#include <stdint.h>

enum image_result {
	IMAGE_OK,
	IMAGE_BAD_TYPE,         /* none of PNG, JPEG, GIF, WebP */
	IMAGE_TOO_MANY_PIXELS,  /* the header declares more than allowed */
	IMAGE_BAD,              /* does not decode cleanly */
	IMAGE_FAILED,           /* out of memory, encoder failure */
};

struct image_out {
	void       *data;       /* image_out_free() */
	size_t      len;
	const char *type;       /* static: "image/png" or "image/jpeg" */
};

/* Width and height as the header of DATA (of PART_* TYPE) declares them;
 * 0 when it cannot be read. */
int image_dimensions(const unsigned char *data, size_t len, unsigned type, uint32_t *w, uint32_t *h);

/* DATA (LEN bytes) made into a SIZE x SIZE avatar in OUT, refused when its
 * header declares more than MAX_PIXELS pixels. */
enum image_result image_avatar(const void *data, size_t len, long size, long max_pixels,
    struct image_out *out);

void image_out_free(struct image_out *out);

#endif
