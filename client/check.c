/*
 * `wicket-helper check`: can this machine use the venue as it is set up?
 * The interface, its addressing, route, DNS, proxies and MTU, compared
 * with the settings the gateway's API gives (/api/v1/network) when the
 * gateway can be reached, and the helper's components (a dry-run update).
 * Exit 0 when everything fits, 1 when something does not (each problem
 * said, with what to do).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "api.h"
#include "discover.h"
#include "helper.h"
#include "netconf.h"
#include "update.h"

struct findings {
	json_t *report;
	json_t *problems;
};

static void problem(struct findings *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct findings *f, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(f->problems, json_string(buf));
}

/* Is addr inside the network of (net, prefixlen)? IPv4 only. */
static int same_subnet(const char *addr, const char *net, int prefixlen)
{
	struct in_addr a, b;
	uint32_t mask;

	if (inet_pton(AF_INET, addr, &a) != 1 || inet_pton(AF_INET, net, &b) != 1 || prefixlen < 0 ||
	    prefixlen > 32)
		return 0;
	mask = prefixlen ? htonl(~0u << (32 - prefixlen)) : 0;
	return (a.s_addr & mask) == (b.s_addr & mask);
}

static void check_interface(struct findings *f, const struct netconf_iface *i, const char **v4,
			    int *v4_prefix)
{
	json_t *addrs = json_array();
	const char *mode = netconf_addr_mode(i, AF_INET);

	*v4 = NULL;
	for (size_t n = 0; n < i->naddrs; n++) {
		const struct netconf_addr *a = &i->addrs[n];
		char text[64];

		snprintf(text, sizeof(text), "%s/%d", a->addr, a->prefixlen);
		json_array_append_new(addrs, json_string(text));
		if (a->family == AF_INET && !*v4) {
			*v4 = a->addr;
			*v4_prefix = a->prefixlen;
		}
	}
	json_object_set_new(f->report, "interface",
			    json_pack("{s:s, s:b, s:b, s:i, s:s, s:s, s:o}", "name", i->name, "up", i->up,
				      "carrier", i->carrier, "mtu", i->mtu, "mac", i->mac, "ipv4", mode,
				      "addresses", addrs));
	if (!i->up)
		problem(f, "%s is down: bring it up, or run `wicket-helper prepare`", i->name);
	else if (!i->carrier)
		problem(f, "%s has no link: plug in the venue's cable or join its network", i->name);
	if (!*v4)
		problem(f, "%s has no IPv4 address: run `wicket-helper prepare` to take one from the venue",
			i->name);
	else if (!strcmp(mode, "static"))
		problem(f,
			"%s has a static address (%s/%d), not one from the venue's DHCP: run "
			"`wicket-helper prepare` (your settings are saved and come back at logout)",
			i->name, *v4, *v4_prefix);
}

static void check_names(struct findings *f, const struct helper *h, char dns[][INET6_ADDRSTRLEN],
			size_t *ndns)
{
	struct netconf_proxy proxies[16];
	size_t n = netconf_proxies(proxies, 16);
	json_t *list = json_array(), *plist = json_array();

	if (netconf_resolv_servers(h->paths.resolv_conf, dns, 4, ndns))
		*ndns = 0;
	for (size_t i = 0; i < *ndns; i++)
		json_array_append_new(list, json_string(dns[i]));
	json_object_set_new(f->report, "dns", list);
	if (!*ndns)
		problem(f, "no DNS server is set in %s", h->paths.resolv_conf);
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(plist, json_pack("{s:s, s:s, s:s}", "source", proxies[i].source, "name",
						       proxies[i].name, "value", proxies[i].value));
		if (strcasecmp(proxies[i].name, "no_proxy"))
			problem(f,
				"a proxy is set (%s=%s in %s): the venue has none, so web traffic "
				"would go nowhere; unset it while you are here",
				proxies[i].name, proxies[i].value, proxies[i].source);
	}
	json_object_set_new(f->report, "proxies", plist);
}

/* Against the gateway's own word on how clients should be set up. */
static void check_venue(struct findings *f, struct helper *h, const struct netconf_iface *i, const char *v4,
			int v4_prefix, const char *gw, char dns[][INET6_ADDRSTRLEN], size_t ndns)
{
	struct gateway_info g;
	struct api_response r;
	struct api *a;
	char err[512];
	json_t *net;
	const char *vgw;
	int ret = helper_api(h, &a, &g, err, sizeof(err)), has_dns = 0;

	if (ret) {
		json_object_set_new(f->report, "venue", json_null());
		problem(f, "the venue's gateway cannot be reached: %s", err);
		return;
	}
	ret = api_get(a, "/api/v1/network", 64 * 1024, &r, err, sizeof(err));
	api_close(a);
	net = ret ? NULL : api_json(&r, "network settings", err, sizeof(err));
	if (!ret)
		api_response_free(&r);
	if (!net || !json_is_object(net)) {
		json_decref(net);
		json_object_set_new(f->report, "venue", json_null());
		problem(f, "%s", err);
		return;
	}
	json_object_set(f->report, "venue", net);
	vgw = json_string_value(json_object_get(json_object_get(net, "ipv4"), "gateway"));
	if (vgw && v4 && !same_subnet(vgw, v4, v4_prefix))
		problem(f,
			"the address %s/%d is not in the venue's network (gateway %s): run "
			"`wicket-helper prepare`",
			v4, v4_prefix, vgw);
	if (vgw && (!gw || strcmp(gw, vgw)))
		problem(f, "the default route goes via %s, not the venue's gateway %s", gw ? gw : "nowhere",
			vgw);
	for (size_t k = 0; k < json_array_size(json_object_get(json_object_get(net, "ipv4"), "dns")); k++) {
		const char *want = json_string_value(
			json_array_get(json_object_get(json_object_get(net, "ipv4"), "dns"), k));

		for (size_t d = 0; want && d < ndns; d++)
			has_dns |= !strcmp(dns[d], want);
	}
	if (ndns && !has_dns && json_array_size(json_object_get(json_object_get(net, "ipv4"), "dns")))
		problem(f, "the DNS servers are not the venue's: names will not resolve here; run "
			   "`wicket-helper prepare`");
	if (json_is_integer(json_object_get(net, "mtu")) &&
	    i->mtu > json_integer_value(json_object_get(net, "mtu")))
		problem(f, "the MTU %d is above the venue's %lld: large packets would be lost", i->mtu,
			(long long)json_integer_value(json_object_get(net, "mtu")));
	json_decref(net);
}

static void check_components(struct findings *f, struct helper *h)
{
	struct update_report *rep = calloc(1, sizeof(*rep));
	json_t *list = json_array();
	char err[512];

	if (!rep || helper_components(h, rep, err, sizeof(err))) {
		json_object_set_new(f->report, "components", json_null());
		if (rep)
			problem(f, "the helper's components cannot be checked: %s", err);
		free(rep);
		json_decref(list);
		return;
	}
	for (size_t i = 0; i < rep->nitems; i++) {
		const struct update_item *it = &rep->items[i];
		const char *state = it->state == UPDATE_CURRENT   ? "current"
				    : it->state == UPDATE_MISSING ? "missing"
								  : "outdated";

		json_array_append_new(list, json_pack("{s:s, s:I, s:s}", "name", it->name, "version",
						      (json_int_t)it->version, "state", state));
		if (it->state != UPDATE_CURRENT)
			problem(f, "the component %s is %s: run `wicket-helper update`", it->name, state);
	}
	json_object_set_new(f->report, "components", list);
	free(rep);
}

int cmd_check(struct helper *h, int argc, char **argv)
{
	struct findings f = { json_object(), json_array() };
	struct netconf_iface *i = calloc(1, sizeof(*i));
	char ifname[32], err[512], rif[32], gw[64], dns[4][INET6_ADDRSTRLEN];
	const char *v4 = NULL, *route = NULL;
	int v4_prefix = 0, fits;
	size_t ndns = 0, k;
	json_t *p;

	(void)argv;
	if (argc > 1) {
		free(i);
		return helper_fail("check takes no arguments (the global --json and --iface apply)");
	}
	if (!i || helper_iface(h, ifname, sizeof(ifname), err, sizeof(err)) ||
	    netconf_read(ifname, i, err, sizeof(err))) {
		free(i);
		json_decref(f.report);
		json_decref(f.problems);
		return helper_fail("%s", err);
	}
	check_interface(&f, i, &v4, &v4_prefix);
	if (netconf_default_route(AF_INET, rif, sizeof(rif), gw, sizeof(gw)) == 0 && !strcmp(rif, ifname))
		route = gw;
	json_object_set_new(f.report, "default_gateway", route ? json_string(route) : json_null());
	if (!route)
		problem(&f, "there is no default route through %s", ifname);
	check_names(&f, h, dns, &ndns);
	check_venue(&f, h, i, v4, v4_prefix, route, dns, ndns);
	if (json_is_object(json_object_get(f.report, "venue")))
		check_components(&f, h);
	fits = json_array_size(f.problems) == 0;
	json_object_set_new(f.report, "fits", json_boolean(fits));
	json_object_set(f.report, "problems", f.problems);
	if (h->json) {
		json_dumpf(f.report, stdout, JSON_INDENT(2));
		printf("\n");
	} else {
		printf("interface %s: %s, %s, IPv4 %s%s%s, MTU %d\n", ifname, i->up ? "up" : "down",
		       i->carrier ? "link" : "no link", netconf_addr_mode(i, AF_INET), v4 ? " " : "",
		       v4 ? v4 : "", i->mtu);
		printf("default gateway: %s\n", route ? route : "none");
		printf("DNS:");
		for (k = 0; k < ndns; k++)
			printf(" %s", dns[k]);
		printf("%s\n", ndns ? "" : " none");
		json_array_foreach(f.problems, k, p) printf("problem: %s\n", json_string_value(p));
		printf("%s\n",
		       fits ? "this machine fits the venue" : "this machine does not fit the venue yet");
	}
	json_decref(f.report);
	json_decref(f.problems);
	free(i);
	return fits ? 0 : 1;
}
