/* fuzz_image.c - fuzzes lib/image.c: the header readers (image_dimensions)
 * of every type must never read outside the input, and the whole avatar
 * path (sniff, pixel limit, libgd decode, crop, re-encode) must either
 * refuse the input or make a PNG or JPEG of exactly the asked size that
 * image.c itself reads back. Small limits keep each run cheap. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "image.h"
#include "multipart.h"

#define SIZE       16
#define MAX_PIXELS 65536

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const unsigned types[] = { PART_PNG, PART_JPEG, PART_GIF, PART_WEBP };
	/* A copy of exactly LEN bytes, so ASan sees any read past the end. */
	unsigned char *copy = malloc(len ? len : 1);
	struct image_out out;
	const char *mime;
	uint32_t w, h;

	memcpy(copy, data, len);
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (image_dimensions(copy, len, types[i], &w, &h) && (w == 0 || h == 0))
			fuzz_fail("image_dimensions accepted a zero size");
	if (image_avatar(copy, len, SIZE, MAX_PIXELS, &out) == IMAGE_OK) {
		unsigned type = part_sniff(out.data, out.len, &mime);
		if (type != PART_PNG && type != PART_JPEG)
			fuzz_fail("the avatar is neither PNG nor JPEG");
		if (strcmp(mime, out.type) != 0)
			fuzz_fail("the avatar's type is %s but it says %s", mime, out.type);
		if (!image_dimensions(out.data, out.len, type, &w, &h) || w != SIZE || h != SIZE)
			fuzz_fail("the avatar is %ux%u, not %dx%d", w, h, SIZE, SIZE);
		image_out_free(&out);
	}
	free(copy);
	return 0;
}
