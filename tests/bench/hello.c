/* hello.c - the benchmark's baseline: the smallest FastCGI (or CGI) program,
 * behind the same web server as ours, so the ratio shows what our code and
 * the database cost. Answers --routes like the real programs so the
 * generated web-server config routes /bench/hello to it. */
#include <fcgi_stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--routes") == 0) {
		/* Before FCGI_Accept the stdio wrappers are not set up: write(2). */
		static const char line[] = "GET /bench/hello\n";
		return write(1, line, sizeof line - 1) == (ssize_t)sizeof line - 1 ? 0 : 1;
	}
	while (FCGI_Accept() >= 0)
		printf("Status: 200 OK\r\nContent-Type: application/json\r\n\r\n{\"success\":true}");
	return 0;
}
