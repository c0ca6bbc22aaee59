/* test_stream.c - the response writer as a real program, under FastCGI and
 * plain CGI: this binary, started with --serve, answers requests with
 * reply_binary() and the streaming writer; the test talks FastCGI to it over
 * a UNIX socket (a small client below) and runs it as a CGI, and checks the
 * bytes, ETag/304, HEAD, and that a 64 MiB download never sits in memory
 * whole (peak RSS of the serving process). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "io.h"
#include "request.h"
#include "respond.h"
#include "unit.h"

#define BIG        (64LL << 20)
#define CHUNK      (64 << 10)
#define RSS_MAX_KB (40 << 10)   /* a copy of the body alone would be 64 MiB */

static const unsigned char blob[] = { 0, 1, 2, 0xff, 'x', 0 };

static void
serve_one(struct request *req)
{
	static char chunk[CHUNK];

	if (strcmp(req->path, "/blob") == 0) {
		reply_binary(req, "image/png", blob, sizeof blob, "\"b1\"", 600);
		return;
	}
	if (strcmp(req->path, "/stream") != 0) {
		reply_error(req, ERR_NOT_FOUND, NULL);
		return;
	}
	if (!reply_stream_begin(req, 200, "application/octet-stream", BIG, "W/\"s1\"", 60)) {
		reply_stream_end(req);
		return;
	}
	for (long long sent = 0; sent < BIG; sent += CHUNK) {
		for (size_t i = 0; i < CHUNK; i += 4096)
			chunk[i] = (char)(sent / CHUNK);       /* which chunk, checked below */
		reply_stream_write(req, chunk, CHUNK);
	}
	reply_stream_end(req);
}

static int
serve(void)
{
	char err[256];
	struct request req;

	if (config_load(NULL, err, sizeof err) != 0)
		return 1;
	while (io_accept() >= 0) {
		req_begin(&req);
		serve_one(&req);
		resp_send(&req);
		req_end(&req);
	}
	return 0;
}

/* A reply as the client saw it. */
struct reply {
	char      head[2048];
	long long body_len;
	bool      chunks_in_order;
	unsigned char first[16];
};

/* Appends body bytes: checks the chunk markers of /stream on the way. */
static void
take_body(struct reply *r, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		long long at = r->body_len + (long long)i;
		if (at < 16)
			r->first[at] = p[i];
		if (at % 4096 == 0 && p[i] != (unsigned char)(char)(at / CHUNK))
			r->chunks_in_order = false;
	}
	r->body_len += (long long)n;
}

/* Splits the CGI-style answer (headers, blank line, body) as it arrives. */
struct splitter {
	struct reply *r;
	size_t hlen;
	bool in_body;
};

static void
feed(struct splitter *s, const unsigned char *p, size_t n)
{
	while (!s->in_body && n > 0) {
		if (s->hlen < sizeof s->r->head - 1)
			s->r->head[s->hlen++] = (char)*p;
		s->r->head[s->hlen] = '\0';
		p++, n--;
		if (s->hlen >= 4 && memcmp(s->r->head + s->hlen - 4, "\r\n\r\n", 4) == 0)
			s->in_body = true;
	}
	if (n > 0)
		take_body(s->r, p, n);
}

/* FastCGI client: one request on a new connection to SOCK. */
static void
put_record(int fd, int type, const void *data, size_t n)
{
	unsigned char h[8] = { 1, (unsigned char)type, 0, 1, (unsigned char)(n >> 8), (unsigned char)n, 0, 0 };
	if (write(fd, h, 8) != 8 || (n && write(fd, data, n) != (ssize_t)n))
		perror("write");
}

static size_t
put_param(unsigned char *p, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value);
	p[0] = (unsigned char)nl;
	p[1] = (unsigned char)vl;
	memcpy(p + 2, name, nl);
	memcpy(p + 2 + nl, value, vl);
	return 2 + nl + vl;
}

static bool
read_all(int fd, void *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

static bool
fcgi_get(const char *sock, const char *method, const char *uri, const char *inm, struct reply *r)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	unsigned char params[1024], begin[8] = { 0, 1, 0 }, h[8], buf[65536 + 256];
	struct splitter s = { r, 0, false };
	size_t n = 0;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(r, 0, sizeof *r);
	r->chunks_in_order = true;
	snprintf(a.sun_path, sizeof a.sun_path, "%s", sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
		return false;
	n += put_param(params + n, "REQUEST_METHOD", method);
	n += put_param(params + n, "REQUEST_URI", uri);
	n += put_param(params + n, "REMOTE_ADDR", "127.0.0.1");
	if (inm)
		n += put_param(params + n, "HTTP_IF_NONE_MATCH", inm);
	put_record(fd, 1, begin, 8);
	put_record(fd, 4, params, n);
	put_record(fd, 4, NULL, 0);
	put_record(fd, 5, NULL, 0);
	for (;;) {
		if (!read_all(fd, h, 8))
			break;
		size_t len = (size_t)h[4] << 8 | h[5], pad = h[6];
		if (!read_all(fd, buf, len + pad))
			break;
		if (h[1] == 6)
			feed(&s, buf, len);
		if (h[1] == 3)
			break;
	}
	close(fd);
	return s.in_body || r->head[0];
}

/* Runs this binary as a plain CGI; its peak RSS goes to *MAXRSS_KB. */
static bool
cgi_get(const char *self, const char *method, const char *uri, const char *inm, struct reply *r, long *maxrss_kb)
{
	int p[2];
	struct splitter s = { r, 0, false };
	unsigned char buf[65536];
	struct rusage ru;
	int status;
	pid_t pid;

	memset(r, 0, sizeof *r);
	r->chunks_in_order = true;
	if (pipe(p) != 0 || (pid = fork()) < 0)
		return false;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(p[1], 1);
		close(p[0]);
		setenv("REQUEST_METHOD", method, 1);
		setenv("REQUEST_URI", uri, 1);
		setenv("REMOTE_ADDR", "127.0.0.1", 1);
		if (inm)
			setenv("HTTP_IF_NONE_MATCH", inm, 1);
		execl(self, self, "--serve", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	ssize_t got;
	while ((got = read(p[0], buf, sizeof buf)) > 0)
		feed(&s, buf, (size_t)got);
	close(p[0]);
	if (wait4(pid, &status, 0, &ru) != pid)
		return false;
	*maxrss_kb = ru.ru_maxrss;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool
has(const struct reply *r, const char *line)
{
	return strstr(r->head, line) != NULL;
}

/* Peak RSS (VmHWM) of PID in KiB; -1 when unreadable. */
static long
peak_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "VmHWM:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

static void
check_all(const char *mode, bool (*get)(const char *, const char *, const char *, const char *, struct reply *),
    const char *where)
{
	struct reply r;
	char what[128];

#define C(cond, text) do { snprintf(what, sizeof what, "%s: %s", mode, text); CHECK(cond, what); } while (0)
	C(get(where, "GET", "/blob", NULL, &r), "GET /blob answered");
	C(has(&r, "Status: 200 OK\r\n") && has(&r, "Content-Type: image/png\r\n") && has(&r, "Content-Length: 6\r\n"), "blob headers");
	C(has(&r, "ETag: \"b1\"\r\n") && has(&r, "Cache-Control: public, max-age=600\r\n"), "blob ETag and max-age");
	C(r.body_len == 6 && memcmp(r.first, blob, 6) == 0, "blob bytes");
	C(get(where, "GET", "/blob", "\"x\", W/\"b1\"", &r) && has(&r, "Status: 304 Not Modified\r\n") && r.body_len == 0, "blob 304");
	C(get(where, "HEAD", "/blob", NULL, &r) && has(&r, "Content-Length: 6\r\n") && r.body_len == 0, "blob HEAD");

	C(get(where, "GET", "/stream", NULL, &r), "GET /stream answered");
	C(has(&r, "Status: 200 OK\r\n") && has(&r, "Content-Length: 67108864\r\n") && has(&r, "ETag: W/\"s1\"\r\n"), "stream headers");
	C(r.body_len == BIG, "every byte of the stream");
	C(r.chunks_in_order, "the chunks in order");
	C(get(where, "GET", "/stream", "\"s1\"", &r) && has(&r, "Status: 304") && r.body_len == 0, "stream 304 (weak match)");
	C(get(where, "HEAD", "/stream", NULL, &r) && has(&r, "Content-Length: 67108864\r\n") && r.body_len == 0, "stream HEAD");
#undef C
}

static const char *cgi_self;
static long cgi_peak;

static bool
cgi_get_peak(const char *self, const char *method, const char *uri, const char *inm, struct reply *r)
{
	long kb = 0;
	bool ok = cgi_get(self, method, uri, inm, r, &kb);
	if (kb > cgi_peak)
		cgi_peak = kb;
	return ok;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/test_stream-XXXXXX", sock[64];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int lfd, status;
	pid_t app;

	if (argc > 1 && strcmp(argv[1], "--serve") == 0)
		return serve();
	signal(SIGPIPE, SIG_IGN);
	unsetenv("MYACCOUNT_CONFIG");
	cgi_self = argv[0];

	/* FastCGI: the app gets the listening socket as fd 0, as from spawn-fcgi. */
	CHECK(mkdtemp(dir) != NULL, "temp dir");
	snprintf(sock, sizeof sock, "%s/sock", dir);
	snprintf(a.sun_path, sizeof a.sun_path, "%s", sock);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 8) == 0, "listening socket");
	if ((app = fork()) == 0) {
		dup2(lfd, 0);
		close(lfd);
		execl(argv[0], argv[0], "--serve", (char *)NULL);
		_exit(127);
	}
	close(lfd);
	check_all("fastcgi", fcgi_get, sock);
	long fcgi_peak = peak_kb(app);
	CHECK(fcgi_peak > 0 && fcgi_peak < RSS_MAX_KB, "fastcgi: a 64 MiB download is never held whole");
	kill(app, SIGTERM);
	waitpid(app, &status, 0);
	unlink(sock);
	rmdir(dir);

	check_all("cgi", cgi_get_peak, cgi_self);
	CHECK(cgi_peak > 0 && cgi_peak < RSS_MAX_KB, "cgi: a 64 MiB download is never held whole");
	printf("peak RSS while streaming 64 MiB: fastcgi %ld KiB, cgi %ld KiB\n", fcgi_peak, cgi_peak);
	return unit_done();
}
