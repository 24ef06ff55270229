/*
 * The single changes that clear, apply_lease and restore are made of: the
 * link (up/down, MTU), one address, one route (see netconf_internal.h).
 */
#include "netconf_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nc_link_set(struct nc_nl *nl, const char *ifname, int up, int mtu, char *err, size_t errlen)
{
	struct rtnl_link *link = NULL, *change;
	unsigned int flags;
	int ret;

	nl->syserr = 0;
	ret = rtnl_link_get_kernel(nl->sk, 0, ifname, &link);
	if (ret < 0) {
		ret = nc_errno(nl, ret);
		nc_err(err, errlen, "Could not read the settings of %s: %s.", ifname, strerror(-ret));
		return ret;
	}
	flags = rtnl_link_get_flags(link);
	if (mtu > 0 && (unsigned int)mtu != rtnl_link_get_mtu(link)) {
		change = rtnl_link_alloc();
		if (!change) {
			rtnl_link_put(link);
			return -ENOMEM;
		}
		rtnl_link_set_mtu(change, (unsigned int)mtu);
		nl->syserr = 0;
		ret = rtnl_link_change(nl->sk, link, change, 0);
		rtnl_link_put(change);
		if (ret < 0) {
			ret = nc_errno(nl, ret);
			nc_err(err, errlen, "Could not set the MTU of %s to %d: %s.", ifname, mtu,
			       strerror(-ret));
			rtnl_link_put(link);
			return ret;
		}
	}
	if ((up == 1 && !(flags & IFF_UP)) || (up == 0 && (flags & IFF_UP))) {
		change = rtnl_link_alloc();
		if (!change) {
			rtnl_link_put(link);
			return -ENOMEM;
		}
		if (up)
			rtnl_link_set_flags(change, IFF_UP);
		else
			rtnl_link_unset_flags(change, IFF_UP);
		nl->syserr = 0;
		ret = rtnl_link_change(nl->sk, link, change, 0);
		rtnl_link_put(change);
		if (ret < 0) {
			ret = nc_errno(nl, ret);
			nc_err(err, errlen, "Could not bring %s %s: %s.", ifname, up ? "up" : "down",
			       strerror(-ret));
		}
	}
	rtnl_link_put(link);
	return ret < 0 ? ret : 0;
}

static int set_addr(int family, const char *text, int (*set)(struct rtnl_addr *, struct nl_addr *),
		    struct rtnl_addr *ra)
{
	struct nl_addr *a;
	int ret;

	if (!*text)
		return 0;
	a = nc_pton(family, text);
	if (!a)
		return -NLE_INVAL;
	ret = set(ra, a);
	nl_addr_put(a);
	return ret;
}

static struct rtnl_addr *addr_build(int ifindex, const struct netconf_addr *a)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();

	if (!ra)
		return NULL;
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_family(ra, a->family);
	if (set_addr(a->family, a->addr, rtnl_addr_set_local, ra) || !a->addr[0] ||
	    set_addr(a->family, a->peer, rtnl_addr_set_peer, ra) ||
	    set_addr(a->family, a->broadcast, rtnl_addr_set_broadcast, ra) ||
	    (a->family == AF_INET && a->label[0] && rtnl_addr_set_label(ra, a->label))) {
		rtnl_addr_put(ra);
		return NULL;
	}
	rtnl_addr_set_prefixlen(ra, a->prefixlen);
	rtnl_addr_set_scope(ra, a->scope);
	rtnl_addr_set_flags(ra, a->flags & NC_ADDR_SETTABLE_FLAGS);
	rtnl_addr_set_valid_lifetime(ra, a->valid_lft);
	rtnl_addr_set_preferred_lifetime(ra, a->preferred_lft);
	return ra;
}

int nc_addr_add(struct nc_nl *nl, int ifindex, const char *ifname, const struct netconf_addr *a, int nlmflags,
		char *err, size_t errlen)
{
	struct rtnl_addr *ra = addr_build(ifindex, a);
	int ret;

	if (!ra) {
		nc_err(err, errlen, "The address %s/%d is not valid.", a->addr, a->prefixlen);
		return -EINVAL;
	}
	nl->syserr = 0;
	ret = nc_errno(nl, rtnl_addr_add(nl->sk, ra, nlmflags));
	rtnl_addr_put(ra);
	if (ret)
		nc_err(err, errlen, "Could not give %s the address %s/%d: %s.", ifname, a->addr, a->prefixlen,
		       strerror(-ret));
	return ret;
}

int nc_addr_del(struct nc_nl *nl, int ifindex, const char *ifname, const struct netconf_addr *a, char *err,
		size_t errlen)
{
	struct rtnl_addr *ra = addr_build(ifindex, a);
	int ret;

	if (!ra) {
		nc_err(err, errlen, "The address %s/%d is not valid.", a->addr, a->prefixlen);
		return -EINVAL;
	}
	nl->syserr = 0;
	ret = nc_errno(nl, rtnl_addr_delete(nl->sk, ra, 0));
	rtnl_addr_put(ra);
	if (ret == -EADDRNOTAVAIL || ret == -ENOENT || ret == -ESRCH)
		return 0; /* gone already (with its primary, say) */
	if (ret)
		nc_err(err, errlen, "Could not remove the address %s/%d from %s: %s.", a->addr, a->prefixlen,
		       ifname, strerror(-ret));
	return ret;
}

static struct rtnl_route *route_build(int ifindex, const struct netconf_route *r)
{
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = nc_pton(r->family, r->dst), *a;
	int bad = !route || !nh || !dst;

	if (!bad) {
		rtnl_route_set_family(route, (uint8_t)r->family);
		rtnl_route_set_table(route, r->table);
		rtnl_route_set_type(route, (uint8_t)r->type);
		rtnl_route_set_protocol(route, (uint8_t)r->protocol);
		rtnl_route_set_scope(route, (uint8_t)r->scope);
		rtnl_route_set_priority(route, r->metric);
		nl_addr_set_prefixlen(dst, r->dst_len);
		bad = rtnl_route_set_dst(route, dst) < 0;
	}
	if (!bad && r->prefsrc[0]) {
		a = nc_pton(r->family, r->prefsrc);
		bad = !a || rtnl_route_set_pref_src(route, a) < 0;
		nl_addr_put(a);
	}
	if (!bad) {
		rtnl_route_nh_set_ifindex(nh, ifindex);
		rtnl_route_nh_set_flags(nh, r->flags);
		if (r->gateway[0]) {
			a = nc_pton(r->family, r->gateway);
			bad = !a;
			if (a)
				rtnl_route_nh_set_gateway(nh, a);
			nl_addr_put(a);
		}
	}
	nl_addr_put(dst);
	if (bad) {
		if (nh)
			rtnl_route_nh_free(nh);
		if (route)
			rtnl_route_put(route);
		return NULL;
	}
	rtnl_route_add_nexthop(route, nh);
	return route;
}

/* Add (NLM_F_EXCL) or delete one route; deleting one that is not there is no error. */
static int route_change(struct nc_nl *nl, int ifindex, const char *ifname, const struct netconf_route *r,
			int add, char *err, size_t errlen)
{
	struct rtnl_route *route = route_build(ifindex, r);
	char what[160];
	int ret;

	nc_route_str(r, what, sizeof(what));
	if (!route) {
		nc_err(err, errlen, "Cannot use %s on %s: it is not a valid route.", what, ifname);
		return -EINVAL;
	}
	nl->syserr = 0;
	ret = nc_errno(nl,
		       add ? rtnl_route_add(nl->sk, route, NLM_F_EXCL) : rtnl_route_delete(nl->sk, route, 0));
	rtnl_route_put(route);
	if (!add && (ret == -ESRCH || ret == -ENOENT))
		return 0;
	if (ret)
		nc_err(err, errlen, add ? "Could not add %s on %s: %s." : "Could not remove %s from %s: %s.",
		       what, ifname, strerror(-ret));
	return ret;
}

int nc_route_add(struct nc_nl *nl, int ifindex, const char *ifname, const struct netconf_route *r, char *err,
		 size_t errlen)
{
	return route_change(nl, ifindex, ifname, r, 1, err, errlen);
}

int nc_route_del(struct nc_nl *nl, int ifindex, const char *ifname, const struct netconf_route *r, char *err,
		 size_t errlen)
{
	return route_change(nl, ifindex, ifname, r, 0, err, errlen);
}
