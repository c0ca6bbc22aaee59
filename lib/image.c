/* image.c - see image.h. The header readers check only what they need to
 * find the size; libgd checks the rest while decoding. */
#include "image.h"

#include <gd.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "log.h"
#include "multipart.h"

#define JPEG_QUALITY 85
/* A progressive JPEG may have many scans, each of which libjpeg decodes
 * over the whole picture again: thousands of tiny scans in a small file
 * cost minutes of CPU. Real encoders write about ten. */
#define JPEG_MAX_SCANS 100

static uint32_t be16(const unsigned char *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t le16(const unsigned char *p) { return (uint32_t)p[1] << 8 | p[0]; }
static uint32_t le24(const unsigned char *p) { return (uint32_t)p[2] << 16 | le16(p); }
static uint32_t be32(const unsigned char *p) { return be16(p) << 16 | be16(p + 2); }

/* PNG: the first chunk is IHDR with width and height. */
static int
png_size(const unsigned char *d, size_t len, uint32_t *w, uint32_t *h)
{
	if (len < 24 || memcmp(d + 12, "IHDR", 4) != 0)
		return 0;
	*w = be32(d + 16);
	*h = be32(d + 20);
	return 1;
}

/* GIF: the logical screen; libgd refuses frames that do not fit in it. */
static int
gif_size(const unsigned char *d, size_t len, uint32_t *w, uint32_t *h)
{
	if (len < 10)
		return 0;
	*w = le16(d + 6);
	*h = le16(d + 8);
	return 1;
}

/* JPEG: the first start-of-frame marker among the segments. */
static int
jpeg_size(const unsigned char *d, size_t len, uint32_t *w, uint32_t *h)
{
	size_t i = 2;

	while (i + 4 <= len) {
		unsigned m;
		if (d[i] != 0xff)
			return 0;
		m = d[i + 1];
		if (m == 0xff) {                /* fill byte */
			i++;
			continue;
		}
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {    /* no length */
			i += 2;
			continue;
		}
		if (m == 0xd9 || m == 0xda)     /* end, or scan data before any frame */
			return 0;
		bool sof = m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
		if (sof) {
			if (i + 9 > len)
				return 0;
			*h = be16(d + i + 5);
			*w = be16(d + i + 7);
			return 1;
		}
		i += 2 + be16(d + i + 2);
	}
	return 0;
}

/* Start-of-scan markers in D: entropy-coded data stuffs every 0xff
 * with 0x00, so each 0xff 0xda is a marker. */
static size_t
jpeg_scans(const unsigned char *d, size_t len)
{
	size_t n = 0;
	const unsigned char *p = d, *end = d + len;

	while ((p = memchr(p, 0xff, (size_t)(end - p))) != NULL && end - p > 1) {
		n += p[1] == 0xda;
		p++;
	}
	return n;
}

/* WebP: the first chunk after "RIFF....WEBP" is VP8 (lossy), VP8L
 * (lossless) or VP8X (extended, with the canvas size). */
static int
webp_size(const unsigned char *d, size_t len, uint32_t *w, uint32_t *h)
{
	const unsigned char *c = d + 12, *p = d + 20;

	if (len < 30)
		return 0;
	if (memcmp(c, "VP8 ", 4) == 0 && memcmp(p + 3, "\x9d\x01\x2a", 3) == 0) {
		*w = le16(p + 6) & 0x3fff;
		*h = le16(p + 8) & 0x3fff;
		return 1;
	}
	if (memcmp(c, "VP8L", 4) == 0 && p[0] == 0x2f) {
		uint32_t bits = (uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 24;
		*w = (bits & 0x3fff) + 1;
		*h = ((bits >> 14) & 0x3fff) + 1;
		return 1;
	}
	if (memcmp(c, "VP8X", 4) == 0) {
		*w = le24(p + 4) + 1;
		*h = le24(p + 7) + 1;
		return 1;
	}
	return 0;
}

/* Warnings reported, not ignored (gd_message() refuses the image). */
static gdImagePtr
jpeg_decode(int size, void *data)
{
	return gdImageCreateFromJpegPtrEx(size, data, 0);
}

static const struct {
	unsigned type;
	int (*size)(const unsigned char *, size_t, uint32_t *, uint32_t *);
	gdImagePtr (*decode)(int size, void *data);
} formats[] = {
	{ PART_PNG, png_size, gdImageCreateFromPngPtr },
	{ PART_JPEG, jpeg_size, jpeg_decode },
	{ PART_GIF, gif_size, gdImageCreateFromGifPtr },
	{ PART_WEBP, webp_size, gdImageCreateFromWebpPtr },
};
#define NFORMATS (sizeof formats / sizeof formats[0])

int
image_dimensions(const unsigned char *data, size_t len, unsigned type, uint32_t *w, uint32_t *h)
{
	*w = *h = 0;
	for (size_t i = 0; i < NFORMATS; i++)
		if (formats[i].type == type)
			return formats[i].size(data, len, w, h) && *w > 0 && *h > 0;
	return 0;
}

/* libgd reports through one process-wide hook; a decode that reported
 * anything (libjpeg's "premature end of data" is only a warning) is
 * refused. Nothing is printed: the input is the user's, not ours. */
static bool gd_complained;

static void
gd_message(int priority, const char *fmt, va_list ap)
{
	(void)priority;
	(void)fmt;
	(void)ap;
	gd_complained = true;
}

/* libgd's JPEG writer signs its work in a comment segment ("CREATOR:
 * gd-jpeg ..., quality = 85"): removed from the segments before the scan,
 * so the stored file says nothing but its pixels. */
static size_t
drop_jpeg_comments(unsigned char *d, size_t len)
{
	size_t i = 2, o = 2;

	while (i + 4 <= len && d[i] == 0xff && d[i + 1] != 0xda) {
		size_t seg = 2 + be16(d + i + 2);
		if (i + seg > len)
			break;
		if (d[i + 1] != 0xfe) {
			memmove(d + o, d + i, seg);
			o += seg;
		}
		i += seg;
	}
	memmove(d + o, d + i, len - i);
	return o + (len - i);
}

/* The centred square of SRC resized to SIZE x SIZE, transparency kept. */
static gdImagePtr
square(gdImagePtr src, int size)
{
	int w = gdImageSX(src), h = gdImageSY(src), side = w < h ? w : h;
	gdImagePtr dst = gdImageCreateTrueColor(size, size);

	if (dst == NULL)
		return NULL;
	gdImageAlphaBlending(dst, 0);
	gdImageSaveAlpha(dst, 1);
	gdImageFilledRectangle(dst, 0, 0, size - 1, size - 1, gdTrueColorAlpha(0, 0, 0, gdAlphaTransparent));
	gdImageCopyResampled(dst, src, 0, 0, (w - side) / 2, (h - side) / 2, size, size, side, side);
	return dst;
}

enum image_result
image_avatar(const void *data, size_t len, long size, long max_pixels, struct image_out *out)
{
	const char *mime;
	unsigned type = part_sniff(data, len, &mime);
	gdImagePtr src = NULL, dst = NULL;
	uint32_t w, h;
	size_t i;
	int n = 0;

	memset(out, 0, sizeof *out);
	for (i = 0; i < NFORMATS && formats[i].type != type; i++)
		;
	if (i == NFORMATS)
		return IMAGE_BAD_TYPE;
	if (!image_dimensions(data, len, type, &w, &h) || len > INT_MAX)
		return IMAGE_BAD;
	if ((uint64_t)w * h > (uint64_t)max_pixels)
		return IMAGE_TOO_MANY_PIXELS;
	if (type == PART_JPEG && jpeg_scans(data, len) > JPEG_MAX_SCANS)
		return IMAGE_BAD;
	gdSetErrorMethod(gd_message);
	gd_complained = false;
	src = formats[i].decode((int)len, (void *)data);
	if (src == NULL || gd_complained || (uint64_t)gdImageSX(src) * (uint64_t)gdImageSY(src) > (uint64_t)max_pixels) {
		if (src != NULL)
			gdImageDestroy(src);
		return IMAGE_BAD;
	}
	dst = square(src, (int)size);
	gdImageDestroy(src);
	if (dst == NULL)
		return IMAGE_FAILED;
	if (type == PART_JPEG) {
		out->data = gdImageJpegPtr(dst, &n, JPEG_QUALITY);
		out->type = "image/jpeg";
	} else {
		out->data = gdImagePngPtrEx(dst, &n, 9);
		out->type = "image/png";
	}
	gdImageDestroy(dst);
	if (out->data == NULL || n <= 0) {
		image_out_free(out);
		return IMAGE_FAILED;
	}
	out->len = type == PART_JPEG ? drop_jpeg_comments(out->data, (size_t)n) : (size_t)n;
	return IMAGE_OK;
}

void
image_out_free(struct image_out *out)
{
	if (out->data != NULL)
		gdFree(out->data);
	memset(out, 0, sizeof *out);
}
