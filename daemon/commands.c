/*
 * The control commands wicketctl sends (shapes documented in wicketctl.c).
 * Read commands answer from the store and the kernel as they are now.
 */
#include <errno.h>
#include <jansson.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "control.h"
#include "gateway.h"
#include "accounting.h"
#include "keepalive.h"
#include "metrics.h"
#include "portal.h"
#include "session.h"
#include "store.h"
#include "store_billing.h"
#include "store_outbox.h"
#include "uapi/wicket.h"

/* Keepalives received since start, by outcome: {"port": int, "ok": int, "bad-tag": int, ...}. */
static json_t *keepalives_json(struct gateway *gw)
{
	const struct keepalive_stats *st;
	json_t *o;

	if (!gw->keepalive)
		return json_null();
	st = keepalive_stats(gw->keepalive);
	o = json_pack("{s:i}", "port", keepalive_port(gw->keepalive));
	for (int r = 0; r < KEEPALIVE_RESULT_COUNT; r++)
		json_object_set_new(o, keepalive_result_name(r), json_integer((json_int_t)st->results[r]));
	return o;
}

/* The outbox: {"server": bool, "unacked": int, "oldest": unix s | null, "sent", "acked", "failed": int}. */
static json_t *accounting_json(struct gateway *gw)
{
	const struct accounting_stats *st = gw->accounting ? accounting_stats(gw->accounting) : NULL;
	int64_t unacked = 0, oldest = 0;

	store_outbox_depth(gw->store, &unacked, &oldest);
	return json_pack("{s:b, s:I, s:o, s:I, s:I, s:I}", "server", gw->radius != NULL, "unacked",
			 (json_int_t)unacked, "oldest", oldest ? json_integer(oldest / 1000) : json_null(),
			 "sent", (json_int_t)(st ? st->sent : 0), "acked", (json_int_t)(st ? st->acked : 0),
			 "failed", (json_int_t)(st ? st->failed : 0));
}

static json_t *cmd_status(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			  size_t errlen)
{
	struct gateway *gw = arg;
	struct client_counts n = { 0 };
	unsigned int active = 0;
	json_t *module;

	(void)args;
	(void)peer;
	if (metrics_count_clients(gw, &n, err, errlen))
		return NULL;
	if (store_sessions_active_count(gw->store, &active)) {
		snprintf(err, errlen, "store: %s", store_error(gw->store));
		return NULL;
	}
	module = json_pack("{s:s, s:i}", "release", gw->module.release, "protocol", (int)gw->module.protocol);
	return json_pack(
		"{s:s, s:o, s:I, s:{s:i, s:i, s:i, s:i, s:i}, s:i, s:i, s:s, s:o, s:o, s:o}", "version",
		WICKET_RELEASE, "module", module, "uptime_s", (json_int_t)(time(NULL) - gw->started),
		"clients", "total", n.total, "captive", n.by_state[WICKET_STATE_CAPTIVE], "provisional",
		n.by_state[WICKET_STATE_PROVISIONAL], "authorized", n.by_state[WICKET_STATE_AUTHORIZED],
		"blocked", n.by_state[WICKET_STATE_BLOCKED], "sessions_active", active, "ports",
		(int)gw->config->nports, "firewall",
		firewall_present(gw->firewall) == 1 ? "installed" : "missing", "keepalives",
		keepalives_json(gw), "accounting", accounting_json(gw), "portal",
		gw->portal ? json_pack("{s:s}", "fingerprint", portal_fingerprint(gw->portal)) : json_null());
}

/* A port as `ports` lists it: the store's room and mode, the kernel's count. */
static json_t *port_json(struct gateway *gw, const char *ifname, char *err, size_t errlen)
{
	struct client_counts n = { .port = if_nametoindex(ifname) };
	struct store_port p;

	if (store_port_get(gw->store, ifname, &p)) {
		snprintf(err, errlen, "store: %s", store_error(gw->store));
		return NULL;
	}
	if (n.port && metrics_count_clients(gw, &n, err, errlen))
		return NULL;
	return json_pack("{s:s, s:o, s:s?, s:s, s:s, s:i}", "ifname", p.ifname, "ifindex",
			 n.port ? json_integer(n.port) : json_null(), "room", p.room[0] ? p.room : NULL,
			 "mode", config_port_mode_name((uint8_t)p.mode), "set_by",
			 p.set_by_staff ? "staff" : "config", "clients", n.on_port);
}

static json_t *cmd_ports(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			 size_t errlen)
{
	struct gateway *gw = arg;
	json_t *list = json_array(), *one;

	(void)args;
	(void)peer;
	for (size_t i = 0; i < gw->config->nports; i++) {
		one = port_json(gw, gw->config->ports[i].ifname, err, errlen);
		if (!one) {
			json_decref(list);
			return NULL;
		}
		json_array_append_new(list, one);
	}
	return list;
}

/* The access port a command names by its "ifname" argument. */
static const struct wicket_config_port *named_port(struct gateway *gw, const json_t *args, char *err,
						   size_t errlen)
{
	const char *ifname = json_string_value(json_object_get(args, "ifname"));
	const struct wicket_config_port *port = ifname ? config_port(gw->config, ifname) : NULL;

	if (!ifname)
		snprintf(err, errlen, "name the port by its interface");
	else if (!port)
		snprintf(err, errlen,
			 "%.16s is not an access port: add a [port %.16s] section to %s and reload "
			 "(wicketctl ports lists them)",
			 ifname, ifname, gw->config_path);
	return port;
}

static int port_mode_parse(const char *name)
{
	for (int mode = WICKET_PORT_CHARGE; mode <= WICKET_PORT_MODE_MAX; mode++)
		if (strcmp(name, config_port_mode_name((uint8_t)mode)) == 0)
			return mode;
	return -1;
}

static json_t *cmd_port_set(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			    size_t errlen)
{
	struct gateway *gw = arg;
	const struct wicket_config_port *port = named_port(gw, args, err, errlen);
	json_t *room = json_object_get(args, "room"), *mode = json_object_get(args, "mode");
	struct store_port now;
	int m;

	(void)peer;
	if (!port)
		return NULL;
	if ((room && !json_is_string(room)) || (mode && !json_is_string(mode)) || (!room && !mode)) {
		snprintf(err, errlen, "give a room, a mode or both, as strings");
		return NULL;
	}
	if (store_port_get(gw->store, port->ifname, &now)) {
		snprintf(err, errlen, "store: %s", store_error(gw->store));
		return NULL;
	}
	m = mode ? port_mode_parse(json_string_value(mode)) : now.mode;
	if (m < 0) {
		snprintf(err, errlen, "mode: give charge, free or blocked");
		return NULL;
	}
	/* The store first; the kernel then takes the mode. */
	if (store_port_set(gw->store, port->ifname, room ? json_string_value(room) : now.room, m,
			   session_now_ms())) {
		snprintf(err, errlen, "store: %s", store_error(gw->store));
		return NULL;
	}
	if (kernel_port_set(gw->kernel, if_nametoindex(port->ifname), (uint8_t)m)) {
		snprintf(err, errlen, "wicket.ko: %s", kernel_error(gw->kernel));
		return NULL;
	}
	return port_json(gw, port->ifname, err, errlen);
}

static json_t *cmd_port_reset(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			      size_t errlen)
{
	struct gateway *gw = arg;
	const struct wicket_config_port *port = named_port(gw, args, err, errlen);

	(void)peer;
	if (!port)
		return NULL;
	if (store_port_reset(gw->store, port->ifname, session_now_ms())) {
		snprintf(err, errlen, "store: %s", store_error(gw->store));
		return NULL;
	}
	if (gateway_port_apply(gw, port, if_nametoindex(port->ifname), err, errlen))
		return NULL;
	return port_json(gw, port->ifname, err, errlen);
}

static const char *const state_names[] = {
	[WICKET_STATE_CAPTIVE] = "captive",
	[WICKET_STATE_PROVISIONAL] = "provisional",
	[WICKET_STATE_AUTHORIZED] = "authorized",
	[WICKET_STATE_BLOCKED] = "blocked",
};

struct client_list {
	struct gateway *gw;
	json_t *list;
};

static int list_client(const struct kernel_client *c, void *arg)
{
	struct client_list *l = arg;
	struct store_port port = { 0 };
	char ifname[IF_NAMESIZE] = "?", mac[18], addr[64];
	json_t *addrs = json_array();
	int64_t id = 0;

	if_indextoname(c->port, ifname);
	store_port_get(l->gw->store, ifname, &port);
	kernel_mac_format(c->mac, mac, sizeof(mac));
	store_client_get_or_add(l->gw->store, ifname, mac, session_now_ms(), &id);
	for (unsigned int i = 0; i < c->naddrs; i++)
		json_array_append_new(addrs,
				      json_string(kernel_addr_format(&c->addrs[i], addr, sizeof(addr))));
	json_array_append_new(
		l->list,
		json_pack("{s:I, s:s, s:s, s:s?, s:o, s:s, s:o, s:o, s:I, s:I, s:o}", "id", (json_int_t)id,
			  "mac", mac, "port", ifname, "room", port.room[0] ? port.room : NULL, "addrs", addrs,
			  "state",
			  c->state <= WICKET_STATE_MAX && state_names[c->state] ? state_names[c->state] : "?",
			  "session", c->session ? json_integer((json_int_t)c->session) : json_null(),
			  "remaining_s",
			  c->has & KERNEL_CLIENT_HAS_TIMEOUT
				  ? json_integer((json_int_t)(c->timeout_ms / 1000))
				  : json_null(),
			  "up_bytes", (json_int_t)c->up_bytes, "down_bytes", (json_int_t)c->down_bytes,
			  "idle_s",
			  c->has & KERNEL_CLIENT_HAS_IDLE ? json_integer((json_int_t)(c->idle_ms / 1000))
							  : json_null()));
	return 0;
}

static json_t *cmd_clients(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			   size_t errlen)
{
	struct client_list l = { .gw = arg };
	int torn = 1;

	(void)args;
	(void)peer;
	for (int try = 0; torn && try < 5; try++) {
		json_decref(l.list);
		l.list = json_array();
		if (kernel_client_dump(l.gw->kernel, 0, list_client, &l, &torn)) {
			snprintf(err, errlen, "wicket.ko: %s", kernel_error(l.gw->kernel));
			json_decref(l.list);
			return NULL;
		}
	}
	return l.list;
}

/* The client a command names by its "mac" argument. */
static int named_client(struct gateway *gw, const json_t *args, struct session_client *c, char *err,
			size_t errlen)
{
	const char *mac = json_string_value(json_object_get(args, "mac"));

	if (!mac) {
		snprintf(err, errlen, "name the client by its MAC");
		return -EINVAL;
	}
	return session_find(gw, mac, c, err, errlen);
}

struct session_list {
	struct store *store;
	json_t *list;
};

static int session_row(const struct store_session_row *r, void *arg)
{
	const struct session_list *l = arg;
	const struct store_session *s = &r->session;
	struct store_session_bill bill = { 0 };
	struct store_plan plan = { 0 };

	store_session_bill_get(l->store, s->id, &bill);
	if (bill.plan_id)
		store_plan_get(l->store, bill.plan_id, &plan);
	json_array_append_new(
		l->list, json_pack("{s:I, s:s, s:s, s:s, s:I, s:o, s:s?, s:I, s:I, s:s?, s:I, s:s?}", "id",
				   (json_int_t)s->id, "mac", r->mac, "port", r->port, "state", s->state,
				   "started", (json_int_t)(s->started_at / 1000), "ended",
				   s->ended_at ? json_integer((json_int_t)(s->ended_at / 1000)) : json_null(),
				   "end_reason", s->end_reason[0] ? s->end_reason : NULL, "up_bytes",
				   (json_int_t)s->up_bytes, "down_bytes", (json_int_t)s->down_bytes, "plan",
				   plan.name[0] ? plan.name : NULL, "charge", (json_int_t)bill.charge,
				   "currency", bill.currency[0] ? bill.currency : NULL));
	return 0;
}

struct client_sessions {
	const char *mac;
	const char *port;
	struct session_list sessions;
};

static int client_session_row(const struct store_session_row *r, void *arg)
{
	struct client_sessions *cs = arg;

	if (strcmp(r->mac, cs->mac) == 0 && strcmp(r->port, cs->port) == 0)
		session_row(r, &cs->sessions);
	return 0;
}

/* A client's charges summed per currency: [{"currency": str, "charge": int}], from its sessions. */
static json_t *charged_by_currency(const json_t *sessions)
{
	json_t *out = json_array(), *s, *c;
	size_t i, j;

	json_array_foreach(sessions, i, s)
	{
		const char *cur = json_string_value(json_object_get(s, "currency"));
		json_int_t charge = json_integer_value(json_object_get(s, "charge"));
		int found = 0;

		if (!cur || !charge)
			continue;
		json_array_foreach(out, j, c)
		{
			if (!strcmp(json_string_value(json_object_get(c, "currency")), cur)) {
				json_object_set_new(
					c, "charge",
					json_integer(json_integer_value(json_object_get(c, "charge")) +
						     charge));
				found = 1;
			}
		}
		if (!found)
			json_array_append_new(out,
					      json_pack("{s:s, s:I}", "currency", cur, "charge", charge));
	}
	return out;
}

static json_t *cmd_client(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			  size_t errlen)
{
	struct gateway *gw = arg;
	struct client_list l = { .gw = gw, .list = json_array() };
	struct client_sessions cs;
	struct session_client c;
	json_t *one;

	(void)peer;
	if (named_client(gw, args, &c, err, errlen)) {
		json_decref(l.list);
		return NULL;
	}
	list_client(&c.kernel, &l);
	one = json_incref(json_array_get(l.list, 0));
	json_decref(l.list);
	cs = (struct client_sessions){ .mac = c.mac,
				       .port = c.port,
				       .sessions = { gw->store, json_array() } };
	if (store_sessions_list(gw->store, 0, 0, client_session_row, &cs)) {
		snprintf(err, errlen, "store: %s", store_error(gw->store));
		json_decref(cs.sessions.list);
		json_decref(one);
		return NULL;
	}
	json_object_set_new(one, "sessions", cs.sessions.list);
	json_object_set_new(one, "charged", charged_by_currency(cs.sessions.list));
	return one;
}

static json_t *cmd_allow(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			 size_t errlen)
{
	json_int_t minutes = json_integer_value(json_object_get(args, "minutes"));
	struct session_client c;

	(void)peer;
	if (minutes < 1 || minutes > 527040) {
		snprintf(err, errlen, "minutes: give 1 to 527040 (a year)");
		return NULL;
	}
	if (named_client(arg, args, &c, err, errlen) ||
	    session_allow(arg, &c, (unsigned int)minutes, err, errlen))
		return NULL;
	return json_pack("{s:s, s:I, s:I}", "mac", c.mac, "session", (json_int_t)c.session_id, "remaining_s",
			 minutes * 60);
}

static json_t *cmd_kick(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			size_t errlen)
{
	struct session_client c;

	(void)peer;
	if (named_client(arg, args, &c, err, errlen) || session_end(arg, &c, "kick", err, errlen))
		return NULL;
	return json_pack("{s:s, s:o}", "mac", c.mac, "session",
			 c.session_id ? json_integer((json_int_t)c.session_id) : json_null());
}

static json_t *block_command(const json_t *args, void *arg, int block, char *err, size_t errlen)
{
	struct session_client c;

	if (named_client(arg, args, &c, err, errlen) || session_block(arg, &c, block, err, errlen))
		return NULL;
	return json_pack("{s:s, s:o, s:b}", "mac", c.mac, "session",
			 c.session_id && block ? json_integer((json_int_t)c.session_id) : json_null(),
			 "blocked", block);
}

static json_t *cmd_block(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			 size_t errlen)
{
	(void)peer;
	return block_command(args, arg, 1, err, errlen);
}

static json_t *cmd_unblock(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			   size_t errlen)
{
	(void)peer;
	return block_command(args, arg, 0, err, errlen);
}

static json_t *cmd_sessions(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			    size_t errlen)
{
	struct gateway *gw = arg;
	json_t *since = json_object_get(args, "since"), *list = json_array();
	struct session_list l = { gw->store, list };

	(void)peer;
	if (since && (!json_is_integer(since) || json_integer_value(since) < 0)) {
		snprintf(err, errlen, "since: give unix seconds");
		json_decref(list);
		return NULL;
	}
	if (store_sessions_list(gw->store, json_is_true(json_object_get(args, "active")),
				since ? json_integer_value(since) * 1000 : 0, session_row, &l)) {
		snprintf(err, errlen, "store: %s", store_error(gw->store));
		json_decref(list);
		return NULL;
	}
	return list;
}

static int event_row(const struct store_event *e, void *arg)
{
	json_array_append_new(arg, json_pack("{s:I, s:I, s:s, s:s?}", "at", (json_int_t)(e->at / 1000),
					     "session", (json_int_t)e->session_id, "event", e->event,
					     "detail", e->detail[0] ? e->detail : NULL));
	return 0;
}

static json_t *cmd_events(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			  size_t errlen)
{
	struct gateway *gw = arg;
	json_t *limit = json_object_get(args, "limit"), *list = json_array();
	json_int_t n = limit ? json_integer_value(limit) : 50;

	(void)peer;
	if (n < 1 || n > 10000) {
		snprintf(err, errlen, "limit: give 1 to 10000");
		json_decref(list);
		return NULL;
	}
	if (store_events_recent(gw->store, (unsigned int)n, event_row, list)) {
		snprintf(err, errlen, "store: %s", store_error(gw->store));
		json_decref(list);
		return NULL;
	}
	return list;
}

int commands_register(struct gateway *gw)
{
	if (control_register(gw->control, "status", cmd_status, gw) ||
	    control_register(gw->control, "ports", cmd_ports, gw) ||
	    control_register(gw->control, "port_set", cmd_port_set, gw) ||
	    control_register(gw->control, "port_reset", cmd_port_reset, gw) ||
	    control_register(gw->control, "clients", cmd_clients, gw) ||
	    control_register(gw->control, "allow", cmd_allow, gw) ||
	    control_register(gw->control, "kick", cmd_kick, gw) ||
	    control_register(gw->control, "block", cmd_block, gw) ||
	    control_register(gw->control, "unblock", cmd_unblock, gw) ||
	    control_register(gw->control, "sessions", cmd_sessions, gw) ||
	    control_register(gw->control, "client", cmd_client, gw) ||
	    control_register(gw->control, "events", cmd_events, gw))
		return -EINVAL;
	return 0;
}
