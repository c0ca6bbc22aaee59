/* app.h - main() of every program: --version/--help/--routes, set-up once
 * per process (config, database client, libsodium), then the accept loop. */
#ifndef MA_APP_H
#define MA_APP_H

#include "route.h"

#define MYACCOUNT_VERSION "0.1.0"

struct program {
	const char          *name;      /* "auth" */
	const char          *summary;   /* one line for --help */
	const struct route  *routes;
	struct route_hooks   hooks;     /* what its rows need (route.h) */
};

int app_main(int argc, char **argv, const struct program *prog);

#endif
