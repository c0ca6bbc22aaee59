/* fetch.c - libcurl with the address check in CURLOPT_OPENSOCKETFUNCTION:
 * curl asks us for a socket for each address it tries (each one a name
 * resolved to, after each redirect), and gets none for an address the
 * policy refuses, so nothing but a checked address is ever connected to. */
#include "fetch.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

struct job {
	const struct fetch_limits *limits;
	char   *data;
	size_t  len, cap;
	bool    too_large;
	bool    refused;        /* an address was refused */
};

static bool
address_allowed(const struct fetch_limits *l, const struct sockaddr *sa)
{
	enum ip_class c = ip_class_sockaddr(sa);

	if (l->allow_nets != NULL && ip_nets_contain(l->allow_nets, sa))
		return true;
	return c == IP_PUBLIC || (c == IP_PRIVATE && l->allow_private);
}

static curl_socket_t
open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct job *job = arg;

	if (purpose != CURLSOCKTYPE_IPCXN || !address_allowed(job->limits, &addr->addr)) {
		job->refused = true;
		log_info("avatar fetch: refused a %s address", ip_class_name(ip_class_sockaddr(&addr->addr)));
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

static size_t
take_bytes(char *p, size_t size, size_t n, void *arg)
{
	struct job *job = arg;
	size_t len = size * n;

	if (len > job->limits->max_bytes - job->len) {
		job->too_large = true;
		return 0;   /* curl stops with CURLE_WRITE_ERROR */
	}
	if (job->len + len > job->cap) {
		size_t cap = job->cap ? job->cap : 65536;
		while (cap < job->len + len)
			cap *= 2;
		char *grown = realloc(job->data, cap);
		if (grown == NULL)
			return 0;
		job->data = grown;
		job->cap = cap;
	}
	memcpy(job->data + job->len, p, len);
	job->len += len;
	return len;
}

/* Is URL absolute with the scheme http or https? (curl would refuse the
 * others too; this answers FETCH_BAD_URL rather than a failed transfer.) */
static bool
http_url(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	bool ok = u != NULL && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0) && *host != '\0';

	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/* Every option that keeps the transfer to what fetch.h promises. */
static bool
set_options(CURL *c, const char *url, struct job *job)
{
	const struct fetch_limits *l = job->limits;

	return curl_easy_setopt(c, CURLOPT_URL, url) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRECTS) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_PROXY, "") == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, l->timeout_ms) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, l->timeout_ms) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)l->max_bytes) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_USERAGENT, "myaccount-avatar-fetch") == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, job) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, take_bytes) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, job) == CURLE_OK;
}

enum fetch_result
fetch_url(const char *url, const struct fetch_limits *limits, struct fetched *out)
{
	struct job job = { .limits = limits };
	enum fetch_result r;
	CURLcode rc;
	CURL *c;
	char *type = NULL;

	memset(out, 0, sizeof *out);
	if (!http_url(url))
		return FETCH_BAD_URL;
	if ((c = curl_easy_init()) == NULL || !set_options(c, url, &job)) {
		snprintf(out->detail, sizeof out->detail, "could not set up the transfer");
		curl_easy_cleanup(c);
		return FETCH_FAILED;
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type != NULL)
		snprintf(out->content_type, sizeof out->content_type, "%s", type);
	if (job.too_large || rc == CURLE_FILESIZE_EXCEEDED)
		r = FETCH_TOO_LARGE;
	else if (rc == CURLE_UNSUPPORTED_PROTOCOL)
		r = FETCH_BAD_URL;          /* a redirect to another scheme */
	else if (rc == CURLE_COULDNT_CONNECT && job.refused)
		r = FETCH_REFUSED;
	else if (rc != CURLE_OK)
		r = FETCH_FAILED;
	else if (out->status != 200)
		r = FETCH_NOT_OK;
	else
		r = FETCH_OK;
	if (r == FETCH_FAILED)
		snprintf(out->detail, sizeof out->detail, "%s", curl_easy_strerror(rc));
	if (r == FETCH_OK) {
		out->data = job.data;
		out->len = job.len;
		job.data = NULL;
	}
	free(job.data);
	curl_easy_cleanup(c);
	return r;
}
