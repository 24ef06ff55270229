/* The staff-only metrics endpoint (metrics_http.h), on libevent's evhttp. */
#include "metrics_http.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"
#include "log.h"
#include "metrics.h"

struct metrics_http {
	struct gateway *gw;
	struct evhttp *http;
};

/* The address as bytes to compare with a prefix: IPv4-mapped IPv6 counts as IPv4. */
static int addr_bytes(const struct sockaddr *sa, uint8_t out[16])
{
	if (sa->sa_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return AF_INET;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			memcpy(out, &a->s6_addr[12], 4);
			return AF_INET;
		}
		memcpy(out, a, 16);
		return AF_INET6;
	}
	return -1;
}

int metrics_allowed(const struct config_prefix *allow, size_t nallow, const struct sockaddr *addr)
{
	uint8_t a[16];
	int family = addr ? addr_bytes(addr, a) : -1;

	for (size_t i = 0; family > 0 && i < nallow; i++) {
		unsigned int bits = allow[i].len, whole = bits / 8, rest = bits % 8;

		if (allow[i].family != family || memcmp(a, allow[i].addr, whole))
			continue;
		if (!rest || !((a[whole] ^ allow[i].addr[whole]) & (0xff00 >> rest)))
			return 1;
	}
	return 0;
}

static void reply_text(struct evhttp_request *req, int code, const char *reason, const char *text)
{
	struct evbuffer *body = evbuffer_new();

	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/plain; charset=utf-8");
	if (body)
		evbuffer_add_printf(body, "%s\n", text);
	evhttp_send_reply(req, code, reason, body);
	if (body)
		evbuffer_free(body);
}

static void on_request(struct evhttp_request *req, void *arg)
{
	struct metrics_http *mh = arg;
	const struct wicket_config *cfg = mh->gw->config;
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	const struct sockaddr *peer = conn ? evhttp_connection_get_addr(conn) : NULL;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	struct metrics_snapshot m;
	struct evbuffer *body;
	char err[256];

	if (!metrics_allowed(cfg->metrics.allow, cfg->metrics.nallow, peer)) {
		reply_text(req, 403, "Forbidden", "not allowed: add this address to [metrics] allow");
		return;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
		reply_text(req, 405, "Method Not Allowed", "only GET and HEAD");
		return;
	}
	if (!path || strcmp(path, "/metrics")) {
		reply_text(req, 404, "Not Found", "metrics are at /metrics");
		return;
	}
	if (metrics_take(mh->gw, &m, err, sizeof(err))) {
		log_warn("metrics: %s", err);
		reply_text(req, 500, "Internal Server Error", err);
		return;
	}
	body = evbuffer_new();
	if (!body || metrics_prometheus(&m, body)) {
		if (body)
			evbuffer_free(body);
		reply_text(req, 500, "Internal Server Error", "out of memory");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/plain; version=0.0.4; charset=utf-8");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	evhttp_send_reply(req, 200, "OK", body);
	evbuffer_free(body);
}

int metrics_http_open(struct gateway *gw, struct metrics_http **out, char *err, size_t errlen)
{
	const struct config_listen *l = &gw->config->metrics.listen;
	struct metrics_http *mh;

	*out = NULL;
	if (!gw->config->metrics.enabled)
		return 0;
	mh = calloc(1, sizeof(*mh));
	if (!mh || !(mh->http = evhttp_new(gw->base))) {
		free(mh);
		snprintf(err, errlen, "metrics: out of memory");
		return -ENOMEM;
	}
	mh->gw = gw;
	evhttp_set_timeout(mh->http, 10);
	/* Bodies are never read; a small one still gets its 405, not a 413. */
	evhttp_set_max_body_size(mh->http, 4096);
	evhttp_set_max_headers_size(mh->http, 8192);
	/* The rest get a 405 with Allow from on_request, not libevent's 501. */
	evhttp_set_allowed_methods(mh->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
						     EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
						     EVHTTP_REQ_PATCH);
	evhttp_set_gencb(mh->http, on_request, mh);
	if (evhttp_bind_socket(mh->http, l->host, l->port)) {
		snprintf(err, errlen,
			 "metrics: cannot listen on %s port %u: %s (change [metrics] listen, or set it to "
			 "off)",
			 l->host, l->port, strerror(errno));
		metrics_http_close(mh);
		return -EADDRINUSE;
	}
	log_info("metrics at http://%s%s%s:%u/metrics", strchr(l->host, ':') ? "[" : "", l->host,
		 strchr(l->host, ':') ? "]" : "", l->port);
	*out = mh;
	return 0;
}

void metrics_http_close(struct metrics_http *mh)
{
	if (!mh)
		return;
	evhttp_free(mh->http);
	free(mh);
}
