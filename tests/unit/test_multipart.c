/* test_multipart.c - multipart/form-data (lib/multipart.c): boundary
 * parameters, delimiters and CRLF, preamble and epilogue, part headers,
 * file names, sniffed types and limits, as valid[] / invalid[] tables. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "multipart.h"
#include "unit.h"

#define PNG  "\x89PNG\r\n\x1a\n\0\0\0\rIHDR"
#define JPEG "\xff\xd8\xff\xe0\0\x10JFIF"
#define GIF  "GIF89a\x01\0\x01\0"
#define WEBP "RIFF\x1a\0\0\0WEBPVP8 "
#define CD   "Content-Disposition: form-data; "

static const struct part spec[] = {
	{ .name = "avatar", .types = PART_PNG | PART_JPEG | PART_WEBP, .max = 64 },
	{ .name = "icon", .types = PART_GIF, .max = 16 },
	PART_END
};

static const struct part required_spec[] = {
	{ .name = "avatar", .types = PART_IMAGE, .max = 64, .flags = PART_REQUIRED },
	PART_END
};

/* A body as a C literal may hold NULs: sizeof - 1 is its length. */
#define BODY(s) s, sizeof s - 1

struct mp_case {
	const char  *what;
	const char  *ctype;
	const char  *body;
	size_t       len;
	const char  *fields;        /* valid: the body object as plain JSON */
	const char  *files;         /* valid: "name:type:len:filename;..." */
	enum err_kind kind;         /* invalid: the refusal */
};

static const struct mp_case valid[] = {
	{ "one text part", "multipart/form-data; boundary=XyZ",
	  BODY("--XyZ\r\n" CD "name=\"a\"\r\n\r\nhello\r\n--XyZ--\r\n"),
	  "{\"a\":\"hello\"}", "", 0 },
	{ "quoted boundary with RFC 2046 specials and a space", "multipart/form-data; boundary=\"a b'()+_,-./:=?\"",
	  BODY("--a b'()+_,-./:=?\r\n" CD "name=\"a\"\r\n\r\nx\r\n--a b'()+_,-./:=?--"),
	  "{\"a\":\"x\"}", "", 0 },
	{ "parameter names and type in any case, charset beside", "Multipart/Form-Data; charset=utf-8; BOUNDARY=b",
	  BODY("--b\r\n" CD "name=a\r\n\r\n1\r\n--b--"), "{\"a\":\"1\"}", "", 0 },
	{ "70-character boundary", "multipart/form-data; boundary=1234567890123456789012345678901234567890123456789012345678901234567890",
	  BODY("--1234567890123456789012345678901234567890123456789012345678901234567890\r\n" CD "name=a\r\n\r\n\r\n"
	  "--1234567890123456789012345678901234567890123456789012345678901234567890--"), "{\"a\":\"\"}", "", 0 },
	{ "preamble and epilogue ignored", "multipart/form-data; boundary=b",
	  BODY("this is the preamble\r\n--b\r\n" CD "name=a\r\n\r\nv\r\n--b--\r\nepilogue --b\r\n"),
	  "{\"a\":\"v\"}", "", 0 },
	{ "transport padding after delimiters", "multipart/form-data; boundary=b",
	  BODY("--b \t\r\n" CD "name=a\r\n\r\nv\r\n--b  \r\n" CD "name=c\r\n\r\nw\r\n--b-- \t"),
	  "{\"a\":\"v\",\"c\":\"w\"}", "", 0 },
	{ "content holding CRLF, dashes and the boundary without its CRLF", "multipart/form-data; boundary=b",
	  BODY("--b\r\n" CD "name=a\r\n\r\nline1\r\n-b\r\n--x--b\r\n--b--"), "{\"a\":\"line1\\r\\n-b\\r\\n--x--b\"}", "", 0 },
	{ "bracketed names nest as in forms", "multipart/form-data; boundary=b",
	  BODY("--b\r\n" CD "name=\"data[x]\"\r\n\r\n1\r\n--b\r\n" CD "name=\"l[]\"\r\n\r\n2\r\n--b\r\n" CD "name=\"l[]\"\r\n\r\n3\r\n--b--"),
	  "{\"data\":{\"x\":\"1\"},\"l\":[\"2\",\"3\"]}", "", 0 },
	{ "empty form (what a browser sends for no fields)", "multipart/form-data; boundary=b",
	  BODY("--b--\r\n"), "{}", "", 0 },
	{ "PNG file, declared type ignored", "multipart/form-data; boundary=b",
	  BODY("--b\r\n" CD "name=\"avatar\"; filename=\"me.png\"\r\nContent-Type: text/plain\r\n\r\n" PNG "\r\n--b--"),
	  "{}", "avatar:image/png:16:me.png;", 0 },
	{ "JPEG with a Windows path stripped", "multipart/form-data; boundary=b",
	  BODY("--b\r\n" CD "name=avatar; filename=\"C:\\\\Users\\\\me\\\\a.jpg\"\r\n\r\n" JPEG "\r\n--b--"),
	  "{}", "avatar:image/jpeg:10:a.jpg;", 0 },
	{ "WebP, filename* (RFC 8187) wins over filename", "multipart/form-data; boundary=b",
	  BODY("--b\r\n" CD "name=avatar; filename=\"x.webp\"; filename*=UTF-8''%C3%A9t%C3%A9.webp\r\n\r\n" WEBP "\r\n--b--"),
	  "{}", "avatar:image/webp:16:\xc3\xa9t\xc3\xa9.webp;", 0 },
	{ "GIF and a text field together, header names in any case", "multipart/form-data; boundary=b",
	  BODY("--b\r\ncontent-disposition: FORM-DATA; NAME=icon; FILENAME=i.gif\r\nX-Other: ignored\r\n\r\n" GIF "\r\n--b\r\n"
	  CD "name=note\r\nContent-Transfer-Encoding: binary\r\n\r\nhi\r\n--b--"),
	  "{\"note\":\"hi\"}", "icon:image/gif:10:i.gif;", 0 },
	{ "empty file part with an empty name: no file chosen", "multipart/form-data; boundary=b",
	  BODY("--b\r\n" CD "name=avatar; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--b--"),
	  "{}", "", 0 },
	{ "a part with headers only", "multipart/form-data; boundary=b",
	  BODY("--b\r\n" CD "name=a\r\n\r\n--b--"), "{\"a\":\"\"}", "", 0 },
	{ "file at exactly its limit", "multipart/form-data; boundary=b",
	  BODY("--b\r\n" CD "name=icon; filename=i.gif\r\n\r\n" GIF "123456\r\n--b--"), "{}", "icon:image/gif:16:i.gif;", 0 },
	{ "UTF-8 text kept as sent", "multipart/form-data; boundary=b",
	  BODY("--b\r\n" CD "name=\"n\xc3\xa4me\"\r\n\r\n\xf0\x9f\x98\x80\r\n--b--"), "{\"n\xc3\xa4me\":\"\xf0\x9f\x98\x80\"}", "", 0 },
};

static const struct mp_case invalid[] = {
	{ "not multipart", "application/json", BODY("{}"), NULL, NULL, ERR_BAD_REQUEST },
	{ "no boundary", "multipart/form-data", BODY("--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "empty boundary", "multipart/form-data; boundary=\"\"", BODY("----"), NULL, NULL, ERR_BAD_REQUEST },
	{ "71-character boundary", "multipart/form-data; boundary=12345678901234567890123456789012345678901234567890123456789012345678901",
	  BODY("--12345678901234567890123456789012345678901234567890123456789012345678901--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "boundary ending in a space", "multipart/form-data; boundary=\"ab \"", BODY("--ab --"), NULL, NULL, ERR_BAD_REQUEST },
	{ "boundary with a character outside bchars", "multipart/form-data; boundary=\"a@b\"", BODY("--a@b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "unquoted boundary with a tspecial", "multipart/form-data; boundary=a:b", BODY("--a:b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "two boundaries", "multipart/form-data; boundary=a; boundary=b", BODY("--a--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "unterminated quoted boundary", "multipart/form-data; boundary=\"ab", BODY("--ab--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "boundary not in the body", "multipart/form-data; boundary=b", BODY("--c\r\n" CD "name=a\r\n\r\nv\r\n--c--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "no close delimiter", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=a\r\n\r\nv"), NULL, NULL, ERR_BAD_REQUEST },
	{ "no close delimiter after a part", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=a\r\n\r\nv\r\n--b\r\n"), NULL, NULL, ERR_BAD_REQUEST },
	{ "bare LF after the boundary", "multipart/form-data; boundary=b", BODY("--b\n" CD "name=a\r\n\r\nv\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "bare LF delimiter", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=a\n\nv\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "boundary followed by other characters", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=a\r\n\r\nv\r\n--bb\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "data right after the close delimiter", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=a\r\n\r\nv\r\n--b--x"), NULL, NULL, ERR_BAD_REQUEST },
	{ "no Content-Disposition", "multipart/form-data; boundary=b", BODY("--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "no headers at all", "multipart/form-data; boundary=b", BODY("--b\r\n\r\nv\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "disposition not form-data", "multipart/form-data; boundary=b", BODY("--b\r\nContent-Disposition: attachment; name=a\r\n\r\nv\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "no name", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "filename=x\r\n\r\nv\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "empty name", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=\"\"\r\n\r\nv\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "two names", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=a; name=b\r\n\r\nv\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "two Content-Disposition headers", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=a\r\n" CD "name=b\r\n\r\nv\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "folded header", "multipart/form-data; boundary=b", BODY("--b\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\nv\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "header without a colon", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=a\r\nBogus\r\n\r\nv\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "NUL in a header", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=\"a\0\"\r\n\r\nv\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "base64 transfer encoding", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=a\r\nContent-Transfer-Encoding: base64\r\n\r\ndg==\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "repeated text field", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=a\r\n\r\n1\r\n--b\r\n" CD "name=a\r\n\r\n2\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "NUL byte in a text field", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=a\r\n\r\nx\0y\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "file part the route does not take", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=other; filename=x.png\r\n\r\n" PNG "\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "repeated file part", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=avatar; filename=a.png\r\n\r\n" PNG "\r\n--b\r\n" CD "name=avatar; filename=b.png\r\n\r\n" PNG "\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "file name with a control character", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=avatar; filename=\"a\tb.png\"\r\n\r\n" PNG "\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "file name not UTF-8", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=avatar; filename=\"\xff.png\"\r\n\r\n" PNG "\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "filename* in another charset", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=avatar; filename*=ISO-8859-1''%E9.png\r\n\r\n" PNG "\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "filename* with %00", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=avatar; filename*=UTF-8''a%00.png\r\n\r\n" PNG "\r\n--b--"), NULL, NULL, ERR_BAD_REQUEST },
	{ "GIF where PNG, JPEG or WebP are allowed", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=avatar; filename=a.png\r\nContent-Type: image/png\r\n\r\n" GIF "\r\n--b--"), NULL, NULL, ERR_UNSUPPORTED_TYPE },
	{ "HTML declared as an image", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=avatar; filename=a.png\r\nContent-Type: image/png\r\n\r\n<html><script>\r\n--b--"), NULL, NULL, ERR_UNSUPPORTED_TYPE },
	{ "RIFF that is not WebP", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=avatar; filename=a.wav\r\n\r\nRIFF\x1a\0\0\0WAVEfmt \r\n--b--"), NULL, NULL, ERR_UNSUPPORTED_TYPE },
	{ "file one byte over its limit", "multipart/form-data; boundary=b", BODY("--b\r\n" CD "name=icon; filename=i.gif\r\n\r\n" GIF "1234567\r\n--b--"), NULL, NULL, ERR_TOO_LARGE },
};

/* "name:type:len:filename;" for every file, in order. */
static void
files_text(const struct mp_file *f, size_t n, char *out, size_t outlen)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && used < outlen; i++)
		used += (size_t)snprintf(out + used, outlen - used, "%s:%s:%zu:%s;", f[i].spec->name,
		    f[i].type, f[i].len, f[i].filename);
}

static void
test_tables(void)
{
	char msg[256], what[1024], got[512];

	for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
		const struct mp_case *c = &valid[i];
		json_object *fields = json_object_new_object();
		struct mp_file *files;
		size_t n;
		enum err_kind k = multipart_parse(c->body, c->len, c->ctype, spec, fields, &files, &n,
		    msg, sizeof msg);
		snprintf(what, sizeof what, "valid: %s (%s)", c->what, k == ERR_NONE ? "ok" : msg);
		CHECK(k == ERR_NONE, what);
		snprintf(what, sizeof what, "valid: %s: fields %s", c->what,
		    json_object_to_json_string_ext(fields, JSON_C_TO_STRING_PLAIN));
		CHECK(strcmp(json_object_to_json_string_ext(fields, JSON_C_TO_STRING_PLAIN), c->fields) == 0, what);
		files_text(files, n, got, sizeof got);
		snprintf(what, sizeof what, "valid: %s: files %s", c->what, got);
		CHECK(strcmp(got, c->files) == 0, what);
		for (size_t j = 0; j < n; j++)
			CHECK(files[j].data >= c->body && files[j].data + files[j].len <= c->body + c->len,
			    "file data points into the body");
		mp_files_free(files, n);
		json_object_put(fields);
	}
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		const struct mp_case *c = &invalid[i];
		json_object *fields = json_object_new_object();
		struct mp_file *files;
		size_t n;
		msg[0] = '\0';
		enum err_kind k = multipart_parse(c->body, c->len, c->ctype, spec, fields, &files, &n,
		    msg, sizeof msg);
		snprintf(what, sizeof what, "invalid: %s (got %d, want %d: %s)", c->what, (int)k,
		    (int)c->kind, msg);
		CHECK(k == c->kind && msg[0] != '\0', what);
		mp_files_free(files, n);
		json_object_put(fields);
	}
}

static void
test_required_and_messages(void)
{
	char msg[256];
	json_object *fields = json_object_new_object();
	struct mp_file *files;
	size_t n;
	static const char body[] = "--b\r\n" CD "name=a\r\n\r\nv\r\n--b--";

	CHECK(multipart_parse(body, sizeof body - 1, "multipart/form-data; boundary=b", required_spec,
	    fields, &files, &n, msg, sizeof msg) == ERR_BAD_REQUEST, "required part missing: 400");
	CHECK(strstr(msg, "'avatar' is required") != NULL, "the message names the missing part");
	mp_files_free(files, n);
	json_object_put(fields);

	/* Messages say what is wrong in words a client can show. */
	fields = json_object_new_object();
	static const char gif[] = "--b\r\n" CD "name=avatar; filename=a.png\r\n\r\n" GIF "\r\n--b--";
	CHECK(multipart_parse(gif, sizeof gif - 1, "multipart/form-data; boundary=b", spec, fields,
	    &files, &n, msg, sizeof msg) == ERR_UNSUPPORTED_TYPE, "wrong type refused");
	CHECK(strcmp(msg, "the file 'avatar' must be PNG, JPEG or WebP (judged by its content)") == 0, msg);
	mp_files_free(files, n);
	json_object_put(fields);
}

static void
test_sniff(void)
{
	static const struct { const char *data; size_t len; unsigned want; } cases[] = {
		{ PNG, 16, PART_PNG }, { JPEG, 10, PART_JPEG }, { GIF, 10, PART_GIF },
		{ "GIF87a", 6, PART_GIF }, { WEBP, 16, PART_WEBP },
		{ "\x89PNG\r\n\x1a", 7, 0 }, { "\xff\xd8", 2, 0 }, { "GIF88a", 6, 0 },
		{ "RIFF\0\0\0\0WEBP", 11, 0 }, { "RIFX\0\0\0\0WEBP", 12, 0 }, { "", 0, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *mime;
		char what[64];
		snprintf(what, sizeof what, "sniff case %zu", i);
		CHECK(part_sniff(cases[i].data, cases[i].len, &mime) == cases[i].want, what);
	}
}

int
main(void)
{
	test_tables();
	test_required_and_messages();
	test_sniff();
	return unit_done();
}
