/*
 * The guest's network settings over libnl-route-3 (see netconf.h): the
 * netlink socket, conversions between libnl's objects and netconf.h's
 * structs, reading an interface, its default route, its address mode.
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

void nc_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The kernel's errno, before libnl folds it into one of its own codes. */
static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct nc_nl *nl = arg;

	(void)who;
	nl->syserr = -e->error;
	return NL_STOP;
}

int nc_open(struct nc_nl *nl, char *err, size_t errlen)
{
	int ret;

	nl->syserr = 0;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		nc_err(err, errlen, "Out of memory.");
		return -ENOMEM;
	}
	ret = nl_connect(nl->sk, NETLINK_ROUTE);
	if (ret < 0) {
		ret = nc_errno(nl, ret);
		nc_err(err, errlen, "Cannot reach the system's network configuration (netlink): %s.",
		       strerror(-ret));
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return ret;
	}
	nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM, on_error, nl);
	return 0;
}

void nc_close(struct nc_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

int nc_errno(struct nc_nl *nl, int nlerr)
{
	int e;

	if (nlerr >= 0)
		return 0;
	if (nl && nl->syserr > 0) {
		e = nl->syserr;
		nl->syserr = 0;
		return -e;
	}
	switch (-nlerr) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_INVAL:
	case NLE_MISSING_ATTR:
	case NLE_AF_MISMATCH:
		return -EINVAL;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_INTR:
		return -EINTR;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

/* --- conversions */

/* a as text; "" without one, or the family's zero address if zero is set. */
static void ntop(struct nl_addr *a, int family, char *out, size_t len, int zero)
{
	unsigned char buf[16] = { 0 };
	unsigned int n = a ? nl_addr_get_len(a) : 0;

	out[0] = '\0';
	if (n > sizeof(buf) || (n == 0 && !zero))
		return;
	if (n)
		memcpy(buf, nl_addr_get_binary_addr(a), n);
	if (!inet_ntop(family, buf, out, len))
		out[0] = '\0';
}

struct nl_addr *nc_pton(int family, const char *text)
{
	unsigned char buf[16];

	if (inet_pton(family, text, buf) != 1)
		return NULL;
	return nl_addr_build(family, buf, family == AF_INET ? 4 : 16);
}

int nc_is_ll6(int family, const char *addr)
{
	struct in6_addr a;

	return family == AF_INET6 && inet_pton(AF_INET6, addr, &a) == 1 && IN6_IS_ADDR_LINKLOCAL(&a);
}

static void addr_from(struct rtnl_addr *ra, struct netconf_addr *a)
{
	const char *label = rtnl_addr_get_label(ra);

	memset(a, 0, sizeof(*a));
	a->family = rtnl_addr_get_family(ra);
	ntop(rtnl_addr_get_local(ra), a->family, a->addr, sizeof(a->addr), 0);
	ntop(rtnl_addr_get_peer(ra), a->family, a->peer, sizeof(a->peer), 0);
	ntop(rtnl_addr_get_broadcast(ra), a->family, a->broadcast, sizeof(a->broadcast), 0);
	a->prefixlen = rtnl_addr_get_prefixlen(ra);
	a->flags = rtnl_addr_get_flags(ra);
	a->valid_lft = rtnl_addr_get_valid_lifetime(ra);
	a->preferred_lft = rtnl_addr_get_preferred_lifetime(ra);
	a->scope = rtnl_addr_get_scope(ra);
	if (label && a->family == AF_INET)
		snprintf(a->label, sizeof(a->label), "%s", label);
}

/* 1 if r is a main-table unicast route out through ifindex (then in o). */
static int route_from(struct rtnl_route *r, int ifindex, struct netconf_route *o)
{
	int family = rtnl_route_get_family(r), type = rtnl_route_get_type(r);
	struct nl_addr *dst = rtnl_route_get_dst(r);
	struct rtnl_nexthop *nh;

	if ((family != AF_INET && family != AF_INET6) || rtnl_route_get_table(r) != RT_TABLE_MAIN)
		return 0;
	if (type == RTN_LOCAL || type == RTN_BROADCAST || type == RTN_ANYCAST || type == RTN_MULTICAST)
		return 0;
	if (rtnl_route_get_nnexthops(r) != 1)
		return 0;
	nh = rtnl_route_nexthop_n(r, 0);
	if (!nh || rtnl_route_nh_get_ifindex(nh) != ifindex)
		return 0;
	memset(o, 0, sizeof(*o));
	o->family = family;
	ntop(dst, family, o->dst, sizeof(o->dst), 1);
	o->dst_len = dst ? (int)nl_addr_get_prefixlen(dst) : 0;
	ntop(rtnl_route_nh_get_gateway(nh), family, o->gateway, sizeof(o->gateway), 0);
	ntop(rtnl_route_get_pref_src(r), family, o->prefsrc, sizeof(o->prefsrc), 0);
	o->metric = rtnl_route_get_priority(r);
	o->protocol = rtnl_route_get_protocol(r);
	o->scope = rtnl_route_get_scope(r);
	o->type = type;
	o->table = rtnl_route_get_table(r);
	o->flags = rtnl_route_nh_get_flags(nh) & RTNH_F_ONLINK;
	return 1;
}

int nc_addr_same(const struct netconf_addr *a, const struct netconf_addr *b)
{
	return a->family == b->family && strcmp(a->addr, b->addr) == 0 && a->prefixlen == b->prefixlen &&
	       strcmp(a->peer, b->peer) == 0;
}

/* Same address with what only removing and adding it again can change. */
int nc_addr_fixed_equal(const struct netconf_addr *a, const struct netconf_addr *b)
{
	return nc_addr_same(a, b) && strcmp(a->broadcast, b->broadcast) == 0 &&
	       strcmp(a->label, b->label) == 0 && a->scope == b->scope;
}

int nc_route_equal(const struct netconf_route *a, const struct netconf_route *b)
{
	return a->family == b->family && strcmp(a->dst, b->dst) == 0 && a->dst_len == b->dst_len &&
	       strcmp(a->gateway, b->gateway) == 0 && strcmp(a->prefsrc, b->prefsrc) == 0 &&
	       a->metric == b->metric && a->protocol == b->protocol && a->scope == b->scope &&
	       a->type == b->type && a->table == b->table && a->flags == b->flags;
}

void nc_route_str(const struct netconf_route *r, char *buf, size_t len)
{
	int n;

	if (r->dst_len == 0)
		n = snprintf(buf, len, "the default route");
	else
		n = snprintf(buf, len, "the route to %s/%d", r->dst, r->dst_len);
	if (n > 0 && (size_t)n < len && r->gateway[0])
		snprintf(buf + n, len - (size_t)n, " via %s", r->gateway);
}

/* --- reading */

static void link_from(struct rtnl_link *link, struct netconf_iface *out)
{
	struct nl_addr *mac = rtnl_link_get_addr(link);
	const unsigned char *m;

	out->ifindex = rtnl_link_get_ifindex(link);
	out->up = !!(rtnl_link_get_flags(link) & IFF_UP);
	out->carrier = !!rtnl_link_get_carrier(link);
	out->mtu = (int)rtnl_link_get_mtu(link);
	if (mac && nl_addr_get_len(mac) == 6) {
		m = nl_addr_get_binary_addr(mac);
		snprintf(out->mac, sizeof(out->mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
			 m[4], m[5]);
	}
}

static int read_addrs(struct nc_nl *nl, struct netconf_iface *out, char *err, size_t errlen)
{
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	int ret;

	nl->syserr = 0;
	ret = rtnl_addr_alloc_cache(nl->sk, &cache);
	if (ret < 0) {
		ret = nc_errno(nl, ret);
		nc_err(err, errlen, "Could not read the addresses of %s: %s.", out->name, strerror(-ret));
		return ret;
	}
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)obj;
		int family = rtnl_addr_get_family(ra);

		if (rtnl_addr_get_ifindex(ra) != out->ifindex || (family != AF_INET && family != AF_INET6))
			continue;
		if (out->naddrs == sizeof(out->addrs) / sizeof(out->addrs[0])) {
			nc_err(err, errlen, "%s has more addresses than the helper can save (%zu).",
			       out->name, out->naddrs);
			ret = -E2BIG;
			break;
		}
		addr_from(ra, &out->addrs[out->naddrs++]);
	}
	nl_cache_free(cache);
	return ret;
}

static int read_routes(struct nc_nl *nl, struct netconf_iface *out, char *err, size_t errlen)
{
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	int ret;

	nl->syserr = 0;
	ret = rtnl_route_alloc_cache(nl->sk, AF_UNSPEC, 0, &cache);
	if (ret < 0) {
		ret = nc_errno(nl, ret);
		nc_err(err, errlen, "Could not read the routes of %s: %s.", out->name, strerror(-ret));
		return ret;
	}
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
		struct netconf_route r;

		if (!route_from((struct rtnl_route *)obj, out->ifindex, &r))
			continue;
		if (out->nroutes == sizeof(out->routes) / sizeof(out->routes[0])) {
			nc_err(err, errlen, "%s has more routes than the helper can save (%zu).", out->name,
			       out->nroutes);
			ret = -E2BIG;
			break;
		}
		out->routes[out->nroutes++] = r;
	}
	nl_cache_free(cache);
	return ret;
}

int nc_read(struct nc_nl *nl, const char *ifname, struct netconf_iface *out, char *err, size_t errlen)
{
	struct rtnl_link *link = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!ifname || !*ifname || strlen(ifname) >= sizeof(out->name) || strchr(ifname, '/')) {
		nc_err(err, errlen, "\"%s\" is not the name of a network interface.", ifname ? ifname : "");
		return -EINVAL;
	}
	snprintf(out->name, sizeof(out->name), "%s", ifname);
	nl->syserr = 0;
	ret = rtnl_link_get_kernel(nl->sk, 0, ifname, &link);
	if (ret < 0) {
		ret = nc_errno(nl, ret);
		if (ret == -ENODEV || ret == -ENOENT) {
			nc_err(err, errlen, "There is no network interface called %s.", ifname);
			return -ENODEV;
		}
		nc_err(err, errlen, "Could not read the settings of %s: %s.", ifname, strerror(-ret));
		return ret;
	}
	link_from(link, out);
	rtnl_link_put(link);
	ret = read_addrs(nl, out, err, errlen);
	if (!ret)
		ret = read_routes(nl, out, err, errlen);
	return ret;
}

int netconf_read(const char *ifname, struct netconf_iface *out, char *err, size_t errlen)
{
	struct nc_nl nl;
	int ret = nc_open(&nl, err, errlen);

	if (ret) {
		memset(out, 0, sizeof(*out));
		return ret;
	}
	ret = nc_read(&nl, ifname, out, err, errlen);
	nc_close(&nl);
	return ret;
}

int netconf_default_route(int family, char *ifname, size_t iflen, char *gateway, size_t gwlen)
{
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	struct nc_nl nl;
	int ret, best_if = 0;
	uint32_t best = 0;
	char gw[INET6_ADDRSTRLEN] = "", name[IF_NAMESIZE];

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	ret = nc_open(&nl, NULL, 0);
	if (ret)
		return ret;
	ret = rtnl_route_alloc_cache(nl.sk, family, 0, &cache);
	if (ret < 0) {
		ret = nc_errno(&nl, ret);
		nc_close(&nl);
		return ret;
	}
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_route *r = (struct rtnl_route *)obj;
		struct nl_addr *dst = rtnl_route_get_dst(r);
		struct rtnl_nexthop *nh;

		if (rtnl_route_get_family(r) != family || rtnl_route_get_table(r) != RT_TABLE_MAIN ||
		    rtnl_route_get_type(r) != RTN_UNICAST || (dst && nl_addr_get_prefixlen(dst) != 0) ||
		    rtnl_route_get_nnexthops(r) < 1 || !(nh = rtnl_route_nexthop_n(r, 0)))
			continue;
		if (best_if && rtnl_route_get_priority(r) >= best)
			continue;
		best_if = rtnl_route_nh_get_ifindex(nh);
		best = rtnl_route_get_priority(r);
		ntop(rtnl_route_nh_get_gateway(nh), family, gw, sizeof(gw), 0);
	}
	nl_cache_free(cache);
	nc_close(&nl);
	if (!best_if)
		return -ENOENT;
	if (!if_indextoname((unsigned int)best_if, name))
		return -ENODEV;
	if (ifname)
		snprintf(ifname, iflen, "%s", name);
	if (gateway)
		snprintf(gateway, gwlen, "%s", gw);
	return 0;
}

const char *netconf_addr_mode(const struct netconf_iface *i, int family)
{
	const uint32_t slaac_flags = IFA_F_MANAGETEMPADDR | IFA_F_TEMPORARY | IFA_F_STABLE_PRIVACY;
	int is_static = 0, dhcp = 0, slaac = 0;

	for (size_t k = 0; k < i->naddrs; k++) {
		const struct netconf_addr *a = &i->addrs[k];

		if (a->family != family || a->scope != RT_SCOPE_UNIVERSE)
			continue;
		if (a->valid_lft == NETCONF_FOREVER)
			is_static = 1;
		else if (family == AF_INET6 && ((a->flags & slaac_flags) || a->prefixlen == 64))
			slaac = 1;
		else
			dhcp = 1;
	}
	return is_static ? "static" : dhcp ? "dhcp" : slaac ? "slaac" : "none";
}
