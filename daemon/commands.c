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
#include "store.h"
#include "uapi/wicket.h"

struct client_counts {
	unsigned int by_state[WICKET_STATE_MAX + 1];
	unsigned int total;
	uint32_t port; /* count only this port's clients, if not 0 */
	unsigned int on_port;
};

static int count_client(const struct kernel_client *c, void *arg)
{
	struct client_counts *n = arg;

	n->total++;
	if (c->state <= WICKET_STATE_MAX)
		n->by_state[c->state]++;
	if (n->port && c->port == n->port)
		n->on_port++;
	return 0;
}

/* Count the kernel's clients; a torn dump is taken again. */
static int count_clients(struct gateway *gw, struct client_counts *n, char *err, size_t errlen)
{
	for (int try = 0; try < 5; try++) {
		uint32_t port = n->port;
		int torn = 0, ret;

		memset(n, 0, sizeof(*n));
		n->port = port;
		ret = kernel_client_dump(gw->kernel, 0, count_client, n, &torn);
		if (ret) {
			snprintf(err, errlen, "wicket.ko: %s", kernel_error(gw->kernel));
			return ret;
		}
		if (!torn)
			return 0;
	}
	snprintf(err, errlen, "the client table kept changing: try again");
	return -EAGAIN;
}

static int count_active(const struct store_active *a, void *arg)
{
	(void)a;
	(*(unsigned int *)arg)++;
	return 0;
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
	if (count_clients(gw, &n, err, errlen))
		return NULL;
	if (store_sessions_active(gw->store, count_active, &active)) {
		snprintf(err, errlen, "store: %s", store_error(gw->store));
		return NULL;
	}
	module = json_pack("{s:s, s:i}", "release", gw->module.release, "protocol", (int)gw->module.protocol);
	return json_pack("{s:s, s:o, s:I, s:{s:i, s:i, s:i, s:i, s:i}, s:i, s:i, s:s}", "version",
			 WICKET_RELEASE, "module", module, "uptime_s", (json_int_t)(time(NULL) - gw->started),
			 "clients", "total", n.total, "captive", n.by_state[WICKET_STATE_CAPTIVE],
			 "provisional", n.by_state[WICKET_STATE_PROVISIONAL], "authorized",
			 n.by_state[WICKET_STATE_AUTHORIZED], "blocked", n.by_state[WICKET_STATE_BLOCKED],
			 "sessions_active", active, "ports", (int)gw->config->nports, "firewall",
			 firewall_present(gw->firewall) == 1 ? "installed" : "missing");
}

static json_t *cmd_ports(const json_t *args, const struct control_peer *peer, void *arg, char *err,
			 size_t errlen)
{
	struct gateway *gw = arg;
	json_t *list = json_array();

	(void)args;
	(void)peer;
	for (size_t i = 0; i < gw->config->nports; i++) {
		const struct wicket_config_port *p = &gw->config->ports[i];
		struct client_counts n = { .port = if_nametoindex(p->ifname) };
		json_t *ifindex = n.port ? json_integer(n.port) : json_null();

		if (n.port && count_clients(gw, &n, err, errlen)) {
			json_decref(ifindex);
			json_decref(list);
			return NULL;
		}
		json_array_append_new(list,
				      json_pack("{s:s, s:o, s:s?, s:s, s:i}", "ifname", p->ifname, "ifindex",
						ifindex, "room", p->room[0] ? p->room : NULL, "mode",
						config_port_mode_name(p->mode), "clients", n.on_port));
	}
	return list;
}

int commands_register(struct gateway *gw)
{
	if (control_register(gw->control, "status", cmd_status, gw) ||
	    control_register(gw->control, "ports", cmd_ports, gw))
		return -EINVAL;
	return 0;
}
