/* mydata.c - the My Data program: its route table and main(). Requests
 * only queue work; myaccount-admin run-queue makes the archive. */
#include "app.h"
#include "config.h"
#include "mydata.h"

/* Rocket.Chat reads fullExport as a string: only "true" means JSON. */
const struct field request_query[] = {
	[RQ_FULL_EXPORT] = { .name = "fullExport", .type = F_STRING, .max = 16 },
	FIELD_END
};

#define EXPORT_ROUTE .auth = AUTH_USER, .feature = &cfg.data_export_enabled

static const struct route routes[] = {
	{ .method = "GET", .path = "/api/v1/users.dataDownloadStatus", EXPORT_ROUTE,
	  .handler = download_status, .summary = "the caller's last export of each kind, with its link when ready" },
	/* A GET that queues work, as Rocket.Chat's: CSRF applies, HEAD does not run it. */
	{ .method = "GET", .path = "/api/v1/users.requestDataDownload", EXPORT_ROUTE,
	  .query = request_query, .flags = R_MUTATING, .handler = request_download,
	  .summary = "queue an export (fullExport=true: JSON, else HTML); a repeat within 24 h answers the last" },
	/* Signed in by headers, session cookie or Rocket.Chat's rc_uid/rc_token
	 * cookies (download.c checks: optional here so those can be tried). */
	{ .method = "GET", .path = "/data-export/*", .auth = AUTH_OPTIONAL, .feature = &cfg.data_export_enabled,
	  .feature_off = ERR_FORBIDDEN, .handler = download_file, .summary = "the caller's own archive, while its link is valid" },
	ROUTE_END
};

int
main(int argc, char **argv)
{
	static const struct program prog = {
		.name = "mydata",
		.summary = "My Data: export everything stored about the caller (Rocket.Chat REST API v1).",
		.routes = routes,
	};
	return app_main(argc, argv, &prog);
}
