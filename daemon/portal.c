/*
 * The portal's server (see portal.h): the plain-HTTP redirector, the HTTPS
 * server with its page files, and who is asking.
 */
#include "portal_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/keyvalq_struct.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gateway.h"
#include "log.h"
#include "neigh.h"
#include "tls.h"

#define BODY_MAX (16 << 10)
#define PAGE_FILE_MAX (1 << 20)

void portal_reply_json(struct evhttp_request *req, int code, json_t *body, const char *content_type)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *out = evbuffer_new();
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

	evhttp_add_header(h, "Content-Type", content_type ? content_type : "application/json");
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (out && text)
		evbuffer_add(out, text, strlen(text));
	evhttp_send_reply(req, text ? code : 500, text ? NULL : "Internal Server Error", out);
	if (out)
		evbuffer_free(out);
	free(text);
	json_decref(body);
}

void portal_reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	json_t *body;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	body = json_pack("{s:s}", "error", msg);
	if (!body) {
		/* Not UTF-8 (a quote of the request cut inside a character): other bytes as '?', not a 500.
		 */
		for (char *c = msg; *c; c++)
			if ((unsigned char)*c >= 0x80)
				*c = '?';
		body = json_pack("{s:s}", "error", msg);
	}
	portal_reply_json(req, code, body, NULL);
}

json_t *portal_request_json(struct portal *p, struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const char *type = evhttp_find_header(h, "Content-Type");
	const char *origin = evhttp_find_header(h, "Origin");
	size_t len = evbuffer_get_length(in);
	json_error_t jerr;
	json_t *body;

	/* CSRF: a cross-site form cannot send JSON without the browser asking first. */
	if (!type || strncmp(type, "application/json", 16) != 0) {
		portal_reply_error(req, 415, "send the request as application/json");
		return NULL;
	}
	if (origin && strcmp(origin, p->origin) != 0) {
		portal_reply_error(req, 403, "requests come from the portal's own page");
		return NULL;
	}
	if (len > BODY_MAX) {
		portal_reply_error(req, 413, "the request is larger than %d bytes", BODY_MAX);
		return NULL;
	}
	body = json_loadb((const char *)evbuffer_pullup(in, -1), len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(body)) {
		json_decref(body);
		portal_reply_error(req, 400, "the request is not a JSON object: %s", jerr.text);
		return NULL;
	}
	return body;
}

/* The guest's address as the kernel's table has it (an IPv4-mapped IPv6 address is IPv4). */
static int peer_addr(struct evhttp_request *req, struct kernel_addr *a)
{
	const struct sockaddr *sa = evhttp_connection_get_addr(evhttp_request_get_connection(req));

	memset(a, 0, sizeof(*a));
	if (sa && sa->sa_family == AF_INET) {
		a->family = AF_INET;
		a->v4 = ((const struct sockaddr_in *)sa)->sin_addr;
		return 0;
	}
	if (sa && sa->sa_family == AF_INET6) {
		const struct in6_addr *v6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(v6)) {
			a->family = AF_INET;
			memcpy(&a->v4, &v6->s6_addr[12], 4);
		} else {
			a->family = AF_INET6;
			a->v6 = *v6;
		}
		return 0;
	}
	return -EAFNOSUPPORT;
}

/*
 * A guest the kernel's table does not hold, though the gateway's neighbour
 * table proves it there: one that was forgotten ([gateway] forget_after)
 * and came back straight to the portal, whose packets to the gateway
 * itself the gate never sees. Seen again now, as its first packet through
 * the gate would have made it.
 */
static int resight(struct gateway *gw, const struct kernel_addr *addr)
{
	struct neigh_sighting want = { .family = addr->family }, found;

	if (!gw->neigh)
		return -ENOENT;
	if (addr->family == AF_INET)
		want.v4 = addr->v4;
	else
		want.v6 = addr->v6;
	if (neigh_watch_find(gw->neigh, &want, &found))
		return -ENOENT;
	return session_sighting(gw, (uint32_t)found.ifindex, found.mac, addr);
}

int portal_client(struct portal *p, struct evhttp_request *req, struct session_client *c, char *err,
		  size_t errlen)
{
	struct kernel_client k = { .port = 0, .naddrs = 1 };
	struct kernel_addr addr;
	int ret = peer_addr(req, &addr);

	k.addrs[0] = addr;
	if (!ret)
		ret = kernel_client_get(p->gw->kernel, &k, 0);
	if (ret == -ENOENT && resight(p->gw, &addr) == 0) {
		k = (struct kernel_client){ .naddrs = 1, .addrs[0] = addr };
		ret = kernel_client_get(p->gw->kernel, &k, 0);
	}
	if (ret) {
		snprintf(err, errlen, "this device is not a guest of an access port of this gateway");
		return -EPERM;
	}
	return session_client_of(p->gw, &k, c, err, errlen);
}

/* --- the page */

static const struct page_file {
	const char *path, *file, *type;
} page_files[] = {
	{ "/", "index.html", "text/html; charset=utf-8" },
	{ "/index.html", "index.html", "text/html; charset=utf-8" },
	{ "/style.css", "style.css", "text/css; charset=utf-8" },
	{ "/app.js", "app.js", "text/javascript; charset=utf-8" },
};

/* One of the page's own files, by an exact name: nothing else of the disk is served. */
static int serve_page_file(struct portal *p, struct evhttp_request *req, const char *path)
{
	const struct page_file *f = NULL;
	struct evbuffer *out;
	struct stat sb;
	char name[CONFIG_PATH_MAX + 32];
	int fd;

	for (size_t i = 0; i < sizeof(page_files) / sizeof(page_files[0]); i++)
		if (!strcmp(path, page_files[i].path))
			f = &page_files[i];
	if (!f)
		return 0;
	snprintf(name, sizeof(name), "%s/%s", p->gw->config->gateway.portal_dir, f->file);
	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size > PAGE_FILE_MAX) {
		if (fd >= 0)
			close(fd);
		log_warn("portal page %s: cannot be read", name);
		portal_reply_error(req, 500,
				   "the portal page is missing on this gateway: tell the front desk");
		return 1;
	}
	out = evbuffer_new();
	if (!out || evbuffer_add_file(out, fd, 0, sb.st_size)) {
		if (out)
			evbuffer_free(out);
		close(fd);
		portal_reply_error(req, 500, "out of memory");
		return 1;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", f->type);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-cache");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Security-Policy",
			  "default-src 'self'; frame-ancestors 'none'");
	evhttp_add_header(evhttp_request_get_output_headers(req), "X-Content-Type-Options", "nosniff");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
	return 1;
}

/* HTTPS: the API, then the page. */
static void on_https(struct evhttp_request *req, void *arg)
{
	struct portal *p = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;

	if (!path || !*path)
		path = "/";
	if (portal_api(p, req, path))
		return;
	if (evhttp_request_get_command(req) == EVHTTP_REQ_GET && serve_page_file(p, req, path))
		return;
	/* Browsers ask for it on every page; the page has none (its policy allows no inline icon). */
	if (!strcmp(path, "/favicon.ico")) {
		evhttp_send_reply(req, 204, "No Content", NULL);
		return;
	}
	portal_reply_error(req, 404, "no such page: the portal is at %s/", p->origin);
}

/* Plain HTTP: whatever was asked, the portal page (so captive-portal probes open it). */
static void on_http(struct evhttp_request *req, void *arg)
{
	struct portal *p = arg;
	char location[160];

	snprintf(location, sizeof(location), "%s/", p->origin);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Location", location);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	evhttp_send_reply(req, 302, "Found", NULL);
}

static struct bufferevent *tls_bufferevent(struct event_base *base, void *arg)
{
	struct portal *p = arg;
	SSL *ssl = SSL_new(tls_ctx(p->tls));

	if (!ssl)
		return NULL;
	return bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
					      BEV_OPT_CLOSE_ON_FREE);
}

/* A listener on the portal's address and port. */
static int listen_on(struct portal *p, struct evhttp *http, uint16_t port, char *err, size_t errlen)
{
	const struct wicket_config *cfg = p->gw->config;

	evhttp_set_timeout(http, 30);
	evhttp_set_max_body_size(http, BODY_MAX);
	evhttp_set_max_headers_size(http, 8192);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD);
	if (evhttp_bind_socket(http, cfg->gateway.portal.host, port)) {
		snprintf(err, errlen, "portal: cannot listen on %s port %u: %s", cfg->gateway.portal.host,
			 port, strerror(errno));
		return -EADDRINUSE;
	}
	return 0;
}

int portal_open(struct gateway *gw, struct portal **out, char *err, size_t errlen)
{
	const struct wicket_config *cfg = gw->config;
	const char *names[] = { cfg->gateway.portal.host };
	struct tls_params tp = { 0 };
	struct portal *p = calloc(1, sizeof(*p));
	int v6 = strchr(cfg->gateway.portal.host, ':') != NULL, ret;

	*out = NULL;
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->gw = gw;
	snprintf(p->origin, sizeof(p->origin), "https://%s%s%s:%u", v6 ? "[" : "", cfg->gateway.portal.host,
		 v6 ? "]" : "", cfg->gateway.portal_tls_port);
	tp.cert_file = cfg->gateway.tls_cert[0] ? cfg->gateway.tls_cert : NULL;
	tp.key_file = cfg->gateway.tls_key[0] ? cfg->gateway.tls_key : NULL;
	tp.state_dir = cfg->gateway.tls_dir;
	tp.names = names;
	tp.nnames = 1;
	/* 825 days: the longest that Apple devices accept for a certificate their users chose to trust. */
	tp.valid_days = 825;
	ret = tls_open(&tp, &p->tls, err, errlen);
	p->http = ret ? NULL : evhttp_new(gw->base);
	p->https = p->http ? evhttp_new(gw->base) : NULL;
	if (!ret && (!p->http || !p->https)) {
		snprintf(err, errlen, "portal: out of memory");
		ret = -ENOMEM;
	}
	if (!ret) {
		evhttp_set_gencb(p->http, on_http, p);
		evhttp_set_gencb(p->https, on_https, p);
		evhttp_set_bevcb(p->https, tls_bufferevent, p);
		ret = listen_on(p, p->http, cfg->gateway.portal.port, err, errlen);
	}
	if (!ret)
		ret = listen_on(p, p->https, cfg->gateway.portal_tls_port, err, errlen);
	if (ret) {
		portal_close(p);
		return ret;
	}
	log_info("portal %s/ (certificate %s)", p->origin, tls_fingerprint(p->tls));
	*out = p;
	return 0;
}

void portal_close(struct portal *p)
{
	if (!p)
		return;
	if (p->http)
		evhttp_free(p->http);
	if (p->https)
		evhttp_free(p->https);
	tls_close(p->tls);
	free(p);
}

const char *portal_fingerprint(struct portal *p)
{
	return tls_fingerprint(p->tls);
}
