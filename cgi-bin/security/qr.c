/* qr.c - the enrolment QR code as SVG, made with libqrencode: one path of
 * unit squares on a white field with the four-module quiet zone (ISO/IEC
 * 18004). Only integers and fixed markup go in, so nothing needs escaping. */
#include "security.h"

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>

#include "strbuf.h"

#define QUIET 4

char *
qr_svg(const char *text)
{
	/* Level M: what authenticator apps read well at screen sizes. */
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	struct strbuf b = STRBUF_INIT;
	char cell[48];

	if (qr == NULL)
		return NULL;
	int w = qr->width, size = w + 2 * QUIET;
	snprintf(cell, sizeof cell, "%d %d", size, size);
	strbuf_puts(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ");
	strbuf_puts(&b, cell);
	strbuf_puts(&b, "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
	    "<path fill=\"#000\" d=\"");
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w; x++)
			if (qr->data[y * w + x] & 1) {
				snprintf(cell, sizeof cell, "M%d %dh1v1h-1z", x + QUIET, y + QUIET);
				strbuf_puts(&b, cell);
			}
	strbuf_puts(&b, "\"/></svg>");
	QRcode_free(qr);
	if (b.failed) {
		free(b.buf);
		return NULL;
	}
	return b.buf;
}
