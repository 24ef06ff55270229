/*
 * Clearing the guest's own settings and taking the gateway's DHCP lease
 * instead (see netconf.h).
 */
#include "netconf_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"

#ifndef RTPROT_DHCP
#define RTPROT_DHCP 16
#endif

/* Routes clear leaves: the kernel's own, and IPv6 link-local ones. */
static int kept_by_clear(const struct netconf_route *r)
{
	return r->protocol == RTPROT_KERNEL || nc_is_ll6(r->family, r->dst);
}

int netconf_clear(const char *ifname, char *err, size_t errlen)
{
	struct netconf_iface *cur = malloc(sizeof(*cur));
	char why[256] = "";
	struct nc_nl nl;
	int ret, first = 0;

	if (!cur) {
		nc_err(err, errlen, "Out of memory.");
		return -ENOMEM;
	}
	ret = nc_open(&nl, err, errlen);
	if (ret) {
		free(cur);
		return ret;
	}
	ret = nc_read(&nl, ifname, cur, err, errlen);
	if (ret)
		goto out;
	ret = nc_link_set(&nl, ifname, 1, 0, err, errlen);
	if (ret)
		goto out;
	/* Secondaries (listed after their primary) first: none goes along with another. */
	for (size_t k = cur->naddrs; k-- > 0;) {
		if (cur->addrs[k].family != AF_INET)
			continue;
		ret = nc_addr_del(&nl, cur->ifindex, ifname, &cur->addrs[k], why, sizeof(why));
		if (ret && !first) {
			first = ret;
			nc_err(err, errlen, "%s", why);
		}
	}
	/* What is left of the routes once the addresses are gone. */
	ret = nc_read(&nl, ifname, cur, err, errlen);
	if (ret)
		goto out;
	for (size_t k = 0; k < cur->nroutes; k++) {
		if (kept_by_clear(&cur->routes[k]))
			continue;
		ret = nc_route_del(&nl, cur->ifindex, ifname, &cur->routes[k], why, sizeof(why));
		if (ret && !first) {
			first = ret;
			nc_err(err, errlen, "%s", why);
		}
	}
	ret = first;
out:
	nc_close(&nl);
	free(cur);
	return ret;
}

static int lease_check(const struct netconf_lease *l, struct in_addr *addr, char *err, size_t errlen)
{
	struct in_addr router;
	unsigned char buf[16];

	if (!memchr(l->addr, '\0', sizeof(l->addr)) || inet_pton(AF_INET, l->addr, addr) != 1 ||
	    addr->s_addr == htonl(INADDR_ANY) || addr->s_addr == htonl(INADDR_BROADCAST) ||
	    IN_MULTICAST(ntohl(addr->s_addr))) {
		nc_err(err, errlen, "The gateway offered an address that is not one (\"%.16s\").", l->addr);
		return -EINVAL;
	}
	if (l->prefixlen < 1 || l->prefixlen > 32) {
		nc_err(err, errlen, "The gateway offered a netmask that is not one (/%d).", l->prefixlen);
		return -EINVAL;
	}
	if (!memchr(l->router, '\0', sizeof(l->router)) ||
	    (l->router[0] && inet_pton(AF_INET, l->router, &router) != 1)) {
		nc_err(err, errlen, "The gateway offered a router that is not an address (\"%.16s\").",
		       l->router);
		return -EINVAL;
	}
	if (l->mtu && (l->mtu < 68 || l->mtu > 65535)) {
		nc_err(err, errlen, "The gateway offered an MTU that cannot be used (%d).", l->mtu);
		return -EINVAL;
	}
	if (l->lease_s == 0) {
		nc_err(err, errlen, "The gateway offered a lease of no time at all.");
		return -EINVAL;
	}
	if (l->ndns > sizeof(l->dns) / sizeof(l->dns[0])) {
		nc_err(err, errlen, "The gateway offered more name servers than the helper takes.");
		return -EINVAL;
	}
	for (size_t k = 0; k < l->ndns; k++)
		if (!memchr(l->dns[k], '\0', sizeof(l->dns[k])) ||
		    (inet_pton(AF_INET, l->dns[k], buf) != 1 && inet_pton(AF_INET6, l->dns[k], buf) != 1)) {
			nc_err(err, errlen,
			       "The gateway offered a name server that is not an address (\"%.46s\").",
			       l->dns[k]);
			return -EINVAL;
		}
	if (!memchr(l->search, '\0', sizeof(l->search))) {
		nc_err(err, errlen, "The gateway offered a search domain that is too long.");
		return -EINVAL;
	}
	for (const char *s = l->search; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			nc_err(err, errlen,
			       "The gateway offered a search domain that cannot be written down.");
			return -EINVAL;
		}
	return 0;
}

/* resolv.conf for the lease, written only if it says something else. */
static int lease_resolv(const struct netconf_lease *l, const char *path, char *err, size_t errlen)
{
	const char *servers[4];
	unsigned char *now = NULL;
	char *text = NULL;
	size_t len = 0, nowlen = 0;
	int ret;

	for (size_t k = 0; k < l->ndns; k++)
		servers[k] = l->dns[k];
	ret = nc_resolv_format(servers, l->ndns, l->search[0] ? l->search : NULL, &text, &len);
	if (ret) {
		nc_err(err, errlen, "Could not write the name servers: %s.", strerror(-ret));
		return ret;
	}
	if (nc_read_bytes(path, NC_RESOLV_MAX, &now, &nowlen) == 0 && nowlen == len &&
	    memcmp(now, text, len) == 0)
		ret = 0;
	else if ((ret = nc_write_in_place(path, text, len)) != 0)
		nc_err(err, errlen, "Could not write the name servers to %s: %s.", path, strerror(-ret));
	free(now);
	free(text);
	return ret;
}

int netconf_apply_lease(const char *ifname, const struct netconf_lease *l, const struct helper_paths *p,
			char *err, size_t errlen)
{
	struct netconf_iface *cur = malloc(sizeof(*cur));
	struct netconf_addr want = { .family = AF_INET, .scope = RT_SCOPE_UNIVERSE };
	struct netconf_route route = {
		.family = AF_INET,
		.dst = "0.0.0.0",
		.protocol = RTPROT_DHCP,
		.scope = RT_SCOPE_UNIVERSE,
		.type = RTN_UNICAST,
		.table = RT_TABLE_MAIN,
	};
	struct in_addr addr, router, bcast;
	uint32_t mask;
	struct nc_nl nl;
	int ret, found = 0;

	if (!cur) {
		nc_err(err, errlen, "Out of memory.");
		return -ENOMEM;
	}
	ret = lease_check(l, &addr, err, errlen);
	if (ret) {
		free(cur);
		return ret;
	}
	mask = l->prefixlen == 32 ? 0xffffffffu : ~(0xffffffffu >> l->prefixlen);
	snprintf(want.addr, sizeof(want.addr), "%s", l->addr);
	want.prefixlen = l->prefixlen;
	want.valid_lft = want.preferred_lft = l->lease_s;
	if (l->prefixlen <= 30) {
		bcast.s_addr = htonl(ntohl(addr.s_addr) | ~mask);
		inet_ntop(AF_INET, &bcast, want.broadcast, sizeof(want.broadcast));
	}
	if (l->router[0]) {
		inet_pton(AF_INET, l->router, &router);
		snprintf(route.gateway, sizeof(route.gateway), "%s", l->router);
		if ((ntohl(router.s_addr) & mask) != (ntohl(addr.s_addr) & mask) || l->prefixlen == 32)
			route.flags = RTNH_F_ONLINK;
	}

	ret = nc_open(&nl, err, errlen);
	if (ret) {
		free(cur);
		return ret;
	}
	ret = nc_read(&nl, ifname, cur, err, errlen);
	if (!ret)
		ret = nc_link_set(&nl, ifname, 1, l->mtu, err, errlen);
	/* Every other IPv4 address goes (secondaries first), then the lease's (lifetimes refreshed). */
	for (size_t k = cur->naddrs; !ret && k-- > 0;)
		if (cur->addrs[k].family == AF_INET && !nc_addr_fixed_equal(&cur->addrs[k], &want))
			ret = nc_addr_del(&nl, cur->ifindex, ifname, &cur->addrs[k], err, errlen);
	if (!ret)
		ret = nc_addr_add(&nl, cur->ifindex, ifname, &want, NLM_F_REPLACE, err, errlen);
	if (!ret)
		ret = nc_read(&nl, ifname, cur, err, errlen);
	/* One IPv4 default route through ifname: the router's. */
	for (size_t k = 0; !ret && k < cur->nroutes; k++) {
		const struct netconf_route *r = &cur->routes[k];

		if (r->family != AF_INET || r->dst_len != 0)
			continue;
		if (l->router[0] && nc_route_equal(r, &route))
			found = 1;
		else
			ret = nc_route_del(&nl, cur->ifindex, ifname, r, err, errlen);
	}
	if (!ret && l->router[0] && !found)
		ret = nc_route_add(&nl, cur->ifindex, ifname, &route, err, errlen);
	nc_close(&nl);
	free(cur);
	if (!ret && l->ndns > 0)
		ret = lease_resolv(l, p->resolv_conf, err, errlen);
	return ret;
}
