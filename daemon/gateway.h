/*
 * The running gateway: wicketd's state, shared by its parts, and what
 * turns the configuration into the kernel's ports and mark, the store's
 * ports, and the firewall's table.
 */
#ifndef WICKET_GATEWAY_H
#define WICKET_GATEWAY_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "firewall.h"
#include "kernel.h"

struct control;
struct keepalive_server;
struct workers;
struct billing;
struct accounting;
struct radius;
struct portal;
struct event_base;
struct kernel_events;
struct neigh_watch;
struct store;
struct components;
struct metrics_http;

struct gateway {
	struct event_base *base;
	char config_path[256];
	struct wicket_config *config;
	struct store *store;
	struct kernel *kernel;
	struct kernel_version module;
	struct kernel_events *events;
	struct neigh_watch *neigh;
	struct firewall *firewall;
	struct control *control;
	struct keepalive_server *keepalive;
	struct workers *workers; /* blocking work (RADIUS, payments) off the loop */
	struct billing *billing;
	struct accounting *accounting;
	struct radius *radius; /* NULL without [radius] */
	struct portal *portal;
	struct components *components; /* the helper's signed components (components.h) */
	struct metrics_http *metrics; /* the staff's Prometheus endpoint; NULL when off */
	time_t started;
};

/* The firewall table that a configuration asks for. */
struct firewall_params gateway_firewall_params(const struct wicket_config *cfg);

/*
 * Make the kernel's access ports and mark, and the store's ports, those of
 * cfg. Every configured interface must exist, or nothing is changed and
 * err names the config line. Returns 0 or -errno.
 */
int gateway_apply(struct gateway *gw, const struct wicket_config *cfg, char *err, size_t errlen);

/*
 * One access port into the store (the config's room and mode, unless
 * staff set them) and then into the kernel (the mode in force). 0 or
 * -errno with err saying what failed.
 */
int gateway_port_apply(struct gateway *gw, const struct wicket_config_port *port, unsigned int ifindex,
		       char *err, size_t errlen);

/*
 * The RADIUS client of [radius] (secret read from its file), or none
 * without that section. 0 or -errno with err saying what to do.
 */
int gateway_radius_open(struct gateway *gw, char *err, size_t errlen);

/*
 * The helper's components for cfg (components.h), with the portal's
 * certificate (tls_cert, or the generated one in tls_dir: call this after
 * the portal is open): made whole, then put in gw->components in place of
 * the old ones. 0, or -errno with err saying what to do and gw->components
 * left as it was.
 */
int gateway_components_open(struct gateway *gw, const struct wicket_config *cfg, char *err, size_t errlen);

/* The control commands of the gateway (commands.c), and of billing (commands_billing.c). */
int commands_register(struct gateway *gw);
int commands_billing_register(struct gateway *gw);

#endif
