/*
 * The portal's APIs (shapes in portal.h): RFC 8908's /api/captive, and
 * the client API the page and wicket-helper speak. Every handler answers
 * for the guest that asks, found by its source address.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "billing.h"
#include "components.h"
#include "gateway.h"
#include "keepalive.h"
#include "log.h"
#include "portal_internal.h"
#include "store.h"
#include "store_billing.h"
#include "uapi/wicket.h"

#define TOKEN_LEN 32
#define COOKIE "wicket_token"

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static json_t *int_or_null(int64_t v, int has)
{
	return has ? json_integer((json_int_t)v) : json_null();
}

/* The token a request carries: Authorization: Bearer, else the cookie; NULL without. */
static const char *request_token(struct evhttp_request *req, char *buf, size_t len)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *auth = evhttp_find_header(h, "Authorization");
	const char *cookie = evhttp_find_header(h, "Cookie"), *c;

	if (auth && !strncmp(auth, "Bearer ", 7)) {
		snprintf(buf, len, "%s", auth + 7);
		return buf;
	}
	for (c = cookie; c && (c = strstr(c, COOKIE "=")); c += strlen(COOKIE "=")) {
		if (c == cookie || c[-1] == ' ' || c[-1] == ';') {
			size_t n = strcspn(c + strlen(COOKIE "="), "; ");

			snprintf(buf, len, "%.*s", (int)n, c + strlen(COOKIE "="));
			return buf;
		}
	}
	return NULL;
}

/*
 * The session the request is about: its token's, which must belong to the
 * asking guest, else the guest's own. 0 with *id (0: none), or answered.
 */
static int request_session(struct portal *p, struct evhttp_request *req, const struct session_client *c,
			   uint64_t *id)
{
	uint8_t raw[TOKEN_LEN], hash[SHA256_DIGEST_LENGTH];
	struct store_session_row row;
	char buf[2 * TOKEN_LEN + 8];
	const char *token = request_token(req, buf, sizeof(buf));

	*id = c->session_id;
	if (!token)
		return 0;
	if (strlen(token) != 2 * TOKEN_LEN)
		goto bad;
	for (int i = 0; i < TOKEN_LEN; i++)
		if (sscanf(token + 2 * i, "%2hhx", &raw[i]) != 1)
			goto bad;
	SHA256(raw, sizeof(raw), hash);
	if (store_session_by_token(p->gw->store, hash, id))
		goto bad;
	if (store_session_row_get(p->gw->store, *id, &row) || strcmp(row.mac, c->mac) ||
	    strcmp(row.port, c->port)) {
		portal_reply_error(req, 403, "this token belongs to another device: log in from this one");
		return -EPERM;
	}
	return 0;
bad:
	portal_reply_error(req, 401, "this token is not known here (any more): log in again");
	return -EACCES;
}

/* A session's state for the guest: the status shape of portal.h. */
static json_t *status_json(struct portal *p, const struct session_client *c, uint64_t id)
{
	struct store_session s;
	struct store_session_bill bill = { 0 };
	struct store_plan plan = { 0 };
	struct store_request r = { 0 };
	int64_t now = session_now_ms(), closes;
	int open = c->kernel.state == WICKET_STATE_AUTHORIZED || c->kernel.state == WICKET_STATE_PROVISIONAL;

	if (!id || store_session_get(p->gw->store, id, &s))
		return json_pack("{s:n, s:s, s:n, s:n, s:n, s:n, s:i, s:n, s:n}", "session", "state", "none",
				 "reason", "plan", "seconds_remaining", "bytes_remaining", "charge", 0,
				 "currency", "paid_seconds_remaining");
	store_session_bill_get(p->gw->store, id, &bill);
	if (bill.plan_id)
		store_plan_get(p->gw->store, bill.plan_id, &plan);
	if (!strcmp(s.state, "rejected"))
		store_request_latest(p->gw->store, id, &r);
	else if (!strcmp(s.state, "ended"))
		snprintf(r.reason, sizeof(r.reason), "%s", s.end_reason);
	closes = session_closes_at(p->gw->config, &s);
	return json_pack(
		"{s:I, s:s, s:o, s:o, s:o, s:o, s:I, s:o, s:o}", "session", (json_int_t)id, "state", s.state,
		"reason", r.reason[0] ? json_string(r.reason) : json_null(), "plan",
		plan.name[0] ? json_string(plan.name) : json_null(), "seconds_remaining",
		int_or_null(closes > now ? (closes - now) / 1000 : 0, open && closes), "bytes_remaining",
		int_or_null((int64_t)c->kernel.byte_cap, open && s.byte_cap), "charge",
		(json_int_t)bill.charge, "currency",
		bill.currency[0] ? json_string(bill.currency) : json_null(), "paid_seconds_remaining",
		int_or_null(s.deadline_at > now ? (s.deadline_at - now) / 1000 : 0, open && s.deadline_at));
}

/* A session with a plan can be bought again (POST /api/v1/extend). */
static int can_extend(struct portal *p, const struct session_client *c)
{
	struct store_session_bill bill;

	return c->session_id && store_session_bill_get(p->gw->store, c->session_id, &bill) == 0 &&
	       bill.plan_id;
}

/* RFC 8908. */
static void api_captive(struct portal *p, struct evhttp_request *req, struct session_client *c)
{
	const struct kernel_client *k = &c->kernel;
	int open = k->state == WICKET_STATE_AUTHORIZED || k->state == WICKET_STATE_PROVISIONAL;
	char url[160];
	json_t *o;

	snprintf(url, sizeof(url), "%s/", p->origin);
	o = json_pack("{s:b, s:s, s:b}", "captive", !open, "user-portal-url", url, "can-extend-session",
		      open && can_extend(p, c));
	if (p->gw->config->gateway.venue_url[0])
		json_object_set_new(o, "venue-info-url", json_string(p->gw->config->gateway.venue_url));
	if (open && k->timeout_ms)
		json_object_set_new(o, "seconds-remaining", json_integer((json_int_t)(k->timeout_ms / 1000)));
	if (open && k->byte_cap)
		json_object_set_new(o, "bytes-remaining", json_integer((json_int_t)k->byte_cap));
	portal_reply_json(req, 200, o, "application/captive+json");
}

/* The IPv4 address and MTU of the guest's access port: its gateway and DNS, and its link. */
static void port_settings(const char *port, char *v4, size_t len, int *mtu)
{
	struct ifaddrs *ifa, *i;
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	v4[0] = '\0';
	*mtu = 1500;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", port);
	if (fd >= 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0)
		*mtu = ifr.ifr_mtu;
	if (fd >= 0)
		close(fd);
	if (getifaddrs(&ifa))
		return;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && !strcmp(i->ifa_name, port)) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, v4,
				  (socklen_t)len);
			break;
		}
	freeifaddrs(ifa);
}

static void api_network(struct portal *p, struct evhttp_request *req, struct session_client *c)
{
	const struct wicket_config *cfg = p->gw->config;
	char v4[INET_ADDRSTRLEN], url[160];
	int mtu;

	port_settings(c->port, v4, sizeof(v4), &mtu);
	snprintf(url, sizeof(url), "%s/", p->origin);
	portal_reply_json(req, 200,
			  json_pack("{s:{s:s, s:o, s:o}, s:{s:s}, s:s, s:i, s:s, s:{s:i, s:i}}", "ipv4",
				    "method", "dhcp", "gateway", v4[0] ? json_string(v4) : json_null(), "dns",
				    v4[0] ? json_pack("[s]", v4) : json_array(), "ipv6", "method", "slaac",
				    "proxy", "none", "mtu", mtu, "portal", url, "keepalive", "port",
				    cfg->keepalive.port, "interval_s", cfg->keepalive.interval),
			  NULL);
}

static int list_plan(const struct store_plan *pl, void *arg)
{
	json_t *methods = json_array();

	for (unsigned int m = 1; m <= STORE_METHOD_ALL; m <<= 1)
		if (pl->methods & m)
			json_array_append_new(methods, json_string(store_method_name(m)));
	json_array_append_new(
		arg, json_pack("{s:s, s:s, s:I, s:s, s:I, s:I, s:o, s:o, s:o}", "name", pl->name, "kind",
			       pl->kind, "price", (json_int_t)pl->price, "currency", pl->currency,
			       "per_minute", (json_int_t)pl->per_minute, "per_mb", (json_int_t)pl->per_mb,
			       "duration_s", int_or_null(pl->duration_s, pl->duration_s != 0), "bytes",
			       int_or_null(pl->bytes, pl->bytes != 0), "methods", methods));
	return 0;
}

static void api_plans(struct portal *p, struct evhttp_request *req, struct session_client *c)
{
	struct store_port port = { 0 };
	json_t *list = json_array();

	store_port_get(p->gw->store, c->port, &port);
	if (store_plans_offered(p->gw->store, c->port, port.room, list_plan, list) < 0) {
		json_decref(list);
		portal_reply_error(req, 500, "the plans cannot be read now: try again");
		return;
	}
	portal_reply_json(req, 200, list, NULL);
}

static void copy_field(const json_t *body, const char *key, char *dst, size_t len)
{
	const char *v = json_string_value(json_object_get(body, key));

	snprintf(dst, len, "%s", v ? v : "");
}

/*
 * The HTTP status of a store that cannot be written (503: try again once
 * it can; the store's error says so), else otherwise.
 */
static int store_status(int ret, int otherwise)
{
	return ret == -ENOSPC || ret == -EROFS ? 503 : otherwise;
}

/* A new token for the session: the guest keeps it, the store its hash. */
static int new_token(struct portal *p, uint64_t session_id, char out[2 * TOKEN_LEN + 1])
{
	uint8_t raw[TOKEN_LEN], hash[SHA256_DIGEST_LENGTH];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -EIO;
	SHA256(raw, sizeof(raw), hash);
	hex(raw, sizeof(raw), out);
	return store_session_set_token(p->gw->store, session_id, hash);
}

int portal_preference_from_json(const json_t *body, struct billing_preference *pref, char *err, size_t errlen)
{
	memset(pref, 0, sizeof(*pref));
	if (!json_is_object(body)) {
		snprintf(err, errlen, "the request is not a JSON object");
		return -EINVAL;
	}
	copy_field(body, "plan", pref->plan, sizeof(pref->plan));
	copy_field(body, "method", pref->method, sizeof(pref->method));
	copy_field(body, "voucher", pref->voucher, sizeof(pref->voucher));
	copy_field(body, "room", pref->room, sizeof(pref->room));
	copy_field(body, "surname", pref->surname, sizeof(pref->surname));
	copy_field(body, "account", pref->account, sizeof(pref->account));
	copy_field(body, "secret", pref->secret, sizeof(pref->secret));
	return 0;
}

/* A POST's billing preference; 0, or answered. */
static int request_preference(struct portal *p, struct evhttp_request *req, struct billing_preference *pref)
{
	json_t *body = portal_request_json(p, req);
	char err[128];
	int ret;

	if (!body)
		return -EINVAL;
	ret = portal_preference_from_json(body, pref, err, sizeof(err));
	json_decref(body);
	if (ret)
		portal_reply_error(req, 400, "%s", err);
	return ret;
}

/*
 * The HTTP status of a refused billing preference: the guest's mistake
 * (400), a store that cannot be written (503: nothing can be sold until
 * it can; try again later), or a conflict with the session's state (409).
 */
static int submit_status(int ret)
{
	if (ret == -ENOENT || ret == -EINVAL)
		return 400;
	return store_status(ret, 409);
}

/* A refused billing preference: its status, and never without saying why. */
static void reply_refused(struct portal *p, struct evhttp_request *req, int ret, const char *err)
{
	if (err[0])
		portal_reply_error(req, submit_status(ret), "%s", err);
	else
		portal_reply_error(req, store_status(ret, 500), "store: %s", store_error(p->gw->store));
}

static void api_extend(struct portal *p, struct evhttp_request *req, struct session_client *c)
{
	struct billing_preference pref;
	struct billing_outcome out;
	char err[256];
	uint64_t id;
	int ret;

	if (request_session(p, req, c, &id) || request_preference(p, req, &pref))
		return;
	ret = billing_extend(p->gw->billing, c, &pref, &out, err, sizeof(err));
	OPENSSL_cleanse(pref.secret, sizeof(pref.secret));
	if (ret) {
		reply_refused(p, req, ret, err);
		return;
	}
	kernel_client_get(p->gw->kernel, &c->kernel, 0);
	portal_reply_json(req, 200, status_json(p, c, out.session_id), NULL);
}

static void api_login(struct portal *p, struct evhttp_request *req, struct session_client *c)
{
	struct billing_preference pref;
	struct billing_outcome out;
	uint8_t key[KEEPALIVE_KEY_LEN];
	char err[256], token[2 * TOKEN_LEN + 1], keyhex[2 * KEEPALIVE_KEY_LEN + 1], cookie[160];
	json_t *status;
	int ret;

	if (request_preference(p, req, &pref))
		return;
	ret = billing_submit(p->gw->billing, c, &pref, &out, err, sizeof(err));
	OPENSSL_cleanse(pref.secret, sizeof(pref.secret));
	if (ret) {
		reply_refused(p, req, ret, err);
		return;
	}
	ret = new_token(p, out.session_id, token);
	if (ret == -ENOSPC || ret == -EROFS) {
		/* The session is paid for and stands; its token waits for the store: log in again later. */
		portal_reply_error(req, 503, "store: %s", store_error(p->gw->store));
		return;
	}
	if (ret || keepalive_session_key(p->gw->keepalive, out.session_id, key)) {
		portal_reply_error(req, 500, "the gateway could not make your session's keys: try again");
		return;
	}
	hex(key, sizeof(key), keyhex);
	OPENSSL_cleanse(key, sizeof(key));
	/* The answer is about the session as the kernel now has it. */
	kernel_client_get(p->gw->kernel, &c->kernel, 0);
	status = status_json(p, c, out.session_id);
	json_object_set_new(status, "token", json_string(token));
	json_object_set_new(status, "keepalive",
			    json_pack("{s:i, s:i, s:s}", "port", p->gw->config->keepalive.port, "interval_s",
				      (int)out.keepalive_s, "key", keyhex));
	snprintf(cookie, sizeof(cookie), COOKIE "=%s; Path=/; Secure; HttpOnly; SameSite=Strict", token);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Set-Cookie", cookie);
	portal_reply_json(req, 200, status, NULL);
}

static void api_status(struct portal *p, struct evhttp_request *req, struct session_client *c)
{
	uint64_t id;

	if (request_session(p, req, c, &id))
		return;
	portal_reply_json(req, 200, status_json(p, c, id), NULL);
}

static void api_logout(struct portal *p, struct evhttp_request *req, struct session_client *c)
{
	json_t *body = portal_request_json(p, req);
	char err[256];
	uint64_t id;
	int ret;

	if (!body)
		return;
	json_decref(body);
	if (request_session(p, req, c, &id))
		return;
	if (!id || id != c->session_id) {
		portal_reply_error(req, 409, "this device has no session to end");
		return;
	}
	/*
	 * The store first, then the gate: a logout the store cannot record
	 * (a full disk) is refused with 503 and the session runs on, since a
	 * gate closed on an unrecorded end would lose the session's billing.
	 */
	ret = session_end(p->gw, c, "logout", err, sizeof(err));
	if (ret) {
		portal_reply_error(req, store_status(ret, 500), "%s", err);
		return;
	}
	kernel_client_get(p->gw->kernel, &c->kernel, 0);
	portal_reply_json(req, 200, status_json(p, c, id), NULL);
}

/* --- the helper's components (components.h), served from memory as they were signed */

static void release_components(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	components_unref(arg);
}

/* 200 with len bytes of data; held: the components they belong to, kept until they are sent. */
static void reply_bytes(struct evhttp_request *req, const char *type, const void *data, size_t len,
			struct components *held)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *out = evbuffer_new();
	char length[24];
	int ret = out ? 0 : -1;

	/* The files may be large: referred to, not copied. */
	if (!ret && len && held) {
		components_ref(held);
		ret = evbuffer_add_reference(out, data, len, release_components, held);
		if (ret)
			components_unref(held);
	} else if (!ret && len) {
		ret = evbuffer_add(out, data, len);
	}
	if (ret) {
		if (out)
			evbuffer_free(out);
		portal_reply_error(req, 500, "out of memory");
		return;
	}
	snprintf(length, sizeof(length), "%zu", len);
	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Content-Length", length);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

/* The components in force; NULL after answering 503 (never so once wicketd has started). */
static struct components *request_components(struct portal *p, struct evhttp_request *req)
{
	if (!p->gw->components)
		portal_reply_error(req, 503, "the gateway has no components to offer now: try again later");
	return p->gw->components;
}

/* One of the components' published texts, as its accessor gives it. */
static void reply_component_text(struct portal *p, struct evhttp_request *req,
				 const char *(*text)(const struct components *, size_t *), const char *type)
{
	struct components *comp = request_components(p, req);
	const char *body;
	size_t len;

	if (!comp)
		return;
	body = text(comp, &len);
	reply_bytes(req, type, body, len, NULL);
}

static void api_components_key(struct portal *p, struct evhttp_request *req, struct session_client *c)
{
	(void)c;
	reply_component_text(p, req, components_key, "text/plain");
}

static void api_components_manifest(struct portal *p, struct evhttp_request *req, struct session_client *c)
{
	(void)c;
	reply_component_text(p, req, components_manifest, "application/json");
}

static void api_components_signature(struct portal *p, struct evhttp_request *req, struct session_client *c)
{
	(void)c;
	reply_component_text(p, req, components_signature, "text/plain");
}

/* GET /api/v1/components/files/NAME: the name as it is in the path (one that needs escaping is no name). */
static void api_components_file(struct portal *p, struct evhttp_request *req, struct session_client *c)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	const char *name = path ? path + strlen(COMPONENTS_URL_PREFIX) : "";
	struct components *comp = request_components(p, req);
	const unsigned char *data;
	size_t len = 0;

	(void)c;
	if (!comp)
		return;
	/* An invalid name is not repeated: it may not even be UTF-8. */
	if (!components_name_valid(name)) {
		portal_reply_error(req, 404,
				   "no such component: a name is 1 to %d of A-Z a-z 0-9 . _ -, not starting "
				   "with '.'; %s/api/v1/components/manifest lists them",
				   COMPONENTS_NAME_MAX, p->origin);
		return;
	}
	data = components_file(comp, name, &len);
	if (!data) {
		portal_reply_error(req, 404,
				   "no component \"%s\" here: %s/api/v1/components/manifest lists them", name,
				   p->origin);
		return;
	}
	reply_bytes(req, "application/octet-stream", data, len, comp);
}

/* A route's path is the path itself, or ends with '/' and is its prefix (the rest is the handler's). */
static int path_matches(const char *path, const char *route)
{
	size_t len = strlen(route);

	return route[len - 1] == '/' ? !strncmp(path, route, len) : !strcmp(path, route);
}

int portal_api(struct portal *p, struct evhttp_request *req, const char *path)
{
	static const struct route {
		const char *path;
		enum evhttp_cmd_type method;
		void (*handle)(struct portal *p, struct evhttp_request *req, struct session_client *c);
	} routes[] = {
		{ "/api/captive", EVHTTP_REQ_GET, api_captive },
		{ "/api/v1/network", EVHTTP_REQ_GET, api_network },
		{ "/api/v1/plans", EVHTTP_REQ_GET, api_plans },
		{ "/api/v1/login", EVHTTP_REQ_POST, api_login },
		{ "/api/v1/status", EVHTTP_REQ_GET, api_status },
		{ "/api/v1/logout", EVHTTP_REQ_POST, api_logout },
		{ "/api/v1/extend", EVHTTP_REQ_POST, api_extend },
		{ "/api/v1/components/key", EVHTTP_REQ_GET, api_components_key },
		{ "/api/v1/components/manifest", EVHTTP_REQ_GET, api_components_manifest },
		{ "/api/v1/components/manifest.sig", EVHTTP_REQ_GET, api_components_signature },
		{ COMPONENTS_URL_PREFIX, EVHTTP_REQ_GET, api_components_file },
	};
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	const struct route *r = NULL;
	struct session_client c;
	char err[256];
	int ret;

	if (strncmp(path, "/api/", 5) != 0)
		return 0;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (path_matches(path, routes[i].path))
			r = &routes[i];
	if (!r) {
		portal_reply_error(req, 404, "no such API: see %s/api/captive", p->origin);
		return 1;
	}
	if (method != r->method) {
		portal_reply_error(req, 405, "%s takes %s", r->path,
				   r->method == EVHTTP_REQ_GET ? "GET" : "POST");
		return 1;
	}
	ret = portal_client(p, req, &c, err, sizeof(err));
	if (ret) {
		/* A guest new to a store that cannot be written: not refused, but not now. */
		portal_reply_error(req, store_status(ret, 403), "%s", err);
		return 1;
	}
	r->handle(p, req, &c);
	return 1;
}
