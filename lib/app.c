/* app.c - see app.h. */
#include "app.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "io.h"
#include "log.h"
#include "prefkeys.h"
#include "respond.h"
#include "store.h"

static void
print_routes(const struct program *p, FILE *out)
{
	for (const struct route *r = p->routes; r->path; r++)
		fprintf(out, "%s %s\n", r->method, r->path);
}

static void
usage(const struct program *p)
{
	printf("usage: %s [--help | --version | --routes]\n\n"
	    "%s\n\n"
	    "A FastCGI program of myaccount %s. Spawn it on a socket (spawn-fcgi) or let the\n"
	    "web server run it as plain CGI; without options it serves requests.\n"
	    "Configuration: $MYACCOUNT_CONFIG, default %s.\n\n"
	    "Routes:\n", p->name, p->summary, MYACCOUNT_VERSION, config_default_path());
	for (const struct route *r = p->routes; r->path; r++)
		printf("  %-6s %-44s %s\n", r->method, r->path, r->summary ? r->summary : "");
}

/* Set-up done once per process, not per request. */
static int
setup(const struct program *p)
{
	char err[512];

	if (crypto_init() != 0) {
		fprintf(stderr, "%s: libsodium failed to initialise\n", p->name);
		return -1;
	}
	if (preferences_init(err, sizeof err) != 0 || config_load(NULL, err, sizeof err) != 0) {
		fprintf(stderr, "%s: config: %s\n", p->name, err);
		return -1;
	}
	log_init(p->name, cfg.log_level);
	if (store_init(p->name, err, sizeof err) != 0) {
		fprintf(stderr, "%s: %s\n", p->name, err);
		return -1;
	}
	return 0;
}

/* A request that arrives when the config could not be read still gets a
 * clear JSON answer rather than a bare 500 from the web server. */
static void
serve_broken(void)
{
	struct request req;
	while (io_accept() >= 0) {
		req_begin(&req);
		reply_error(&req, ERR_INTERNAL, "The service is misconfigured; the administrator can find the reason in the error log");
		resp_send(&req);
		req_end(&req);
	}
}

int
app_main(int argc, char **argv, const struct program *prog)
{
	struct request req;
	bool count = getenv("MYACCOUNT_COUNT_COMMANDS") != NULL;

	if (argc > 1) {
		if (strcmp(argv[1], "--version") == 0) {
			printf("%s (myaccount) %s\n", prog->name, MYACCOUNT_VERSION);
			return 0;
		}
		if (strcmp(argv[1], "--routes") == 0) {
			print_routes(prog, stdout);
			return 0;
		}
		usage(prog);
		return strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (route_check_table(prog->routes, &prog->hooks, prog->name) != 0)
		return 1;
	if (setup(prog) != 0) {
		serve_broken();
		return 1;
	}
	while (io_accept() >= 0) {
		unsigned long before = store_command_count();
		req_begin(&req);
		route_dispatch(&req, prog->routes, &prog->hooks);
		if (count)
			resp_header(&req, "X-Mongo-Commands: %lu", store_command_count() - before);
		io_drain();
		resp_send(&req);
		req_end(&req);
	}
	store_cleanup();
	config_free();
	return 0;
}
