/*
 * Unit tests of the helper's network settings (client/netconf*.c) against
 * the real kernel: each test unshares a fresh network namespace (root),
 * makes a veth pair and gives its end wk0 a "foreign static" setup with
 * libnl directly (not through the code under test), and a resolv.conf in a
 * temporary directory. The helper's paths all point into that directory.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "netconf.h"
#include "paths.h"

#define IF "wk0"
#define RESOLV_BYTES                                                                                         \
	"# Set by hand for the office.\n"                                                                    \
	"; an old-style comment\n"                                                                           \
	"nameserver 192.0.2.53\n"                                                                            \
	"search home.example\n"                                                                              \
	"options edns0 \t" /* no newline at the end: the bytes must come back as they are */

static struct nl_sock *sock;
static char dir[64];
static struct helper_paths paths;
static char save_file[HELPER_PATH_MAX + 32];
static char err[512];

/* --- the namespace and its foreign configuration, made with libnl directly */

static void nl_ok(int ret, const char *what)
{
	if (ret < 0)
		fail_msg("%s: %s", what, nl_geterror(ret));
}

static void set_link(const char *name, int up, int mtu)
{
	struct rtnl_link *link = NULL, *change = rtnl_link_alloc();

	nl_ok(rtnl_link_get_kernel(sock, 0, name, &link), "get link");
	if (up > 0)
		rtnl_link_set_flags(change, IFF_UP);
	else if (up == 0)
		rtnl_link_unset_flags(change, IFF_UP);
	if (mtu)
		rtnl_link_set_mtu(change, (unsigned int)mtu);
	nl_ok(rtnl_link_change(sock, link, change, 0), "change link");
	rtnl_link_put(link);
	rtnl_link_put(change);
}

static struct nl_addr *parse(const char *text)
{
	struct nl_addr *a = NULL;

	nl_ok(nl_addr_parse(text, AF_UNSPEC, &a), text);
	return a;
}

static void addr_add(const char *cidr, const char *brd, const char *label, unsigned int flags)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = parse(cidr);

	rtnl_addr_set_ifindex(a, (int)if_nametoindex(IF));
	rtnl_addr_set_local(a, local);
	if (brd) {
		struct nl_addr *b = parse(brd);

		rtnl_addr_set_broadcast(a, b);
		nl_addr_put(b);
	}
	if (label)
		rtnl_addr_set_label(a, label);
	rtnl_addr_set_flags(a, flags);
	nl_ok(rtnl_addr_add(sock, a, 0), cidr);
	nl_addr_put(local);
	rtnl_addr_put(a);
}

/* The address there already, given other lifetimes and flags. */
static void addr_change(const char *cidr, uint32_t valid, uint32_t preferred, unsigned int flags)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = parse(cidr);

	rtnl_addr_set_ifindex(a, (int)if_nametoindex(IF));
	rtnl_addr_set_local(a, local);
	rtnl_addr_set_flags(a, flags);
	rtnl_addr_set_valid_lifetime(a, valid);
	rtnl_addr_set_preferred_lifetime(a, preferred);
	nl_ok(rtnl_addr_add(sock, a, NLM_F_REPLACE), cidr);
	nl_addr_put(local);
	rtnl_addr_put(a);
}

static void addr_del(const char *cidr)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = parse(cidr);

	rtnl_addr_set_ifindex(a, (int)if_nametoindex(IF));
	rtnl_addr_set_local(a, local);
	nl_ok(rtnl_addr_delete(sock, a, 0), cidr);
	nl_addr_put(local);
	rtnl_addr_put(a);
}

static void route_add_table(const char *dst, const char *gw, int proto, uint32_t metric, uint32_t table)
{
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *d = parse(dst), *g = gw ? parse(gw) : NULL;

	rtnl_route_set_family(r, (uint8_t)nl_addr_get_family(d));
	rtnl_route_set_table(r, table);
	rtnl_route_set_protocol(r, (uint8_t)proto);
	rtnl_route_set_priority(r, metric);
	rtnl_route_set_dst(r, d);
	rtnl_route_nh_set_ifindex(nh, (int)if_nametoindex(IF));
	if (g)
		rtnl_route_nh_set_gateway(nh, g);
	rtnl_route_add_nexthop(r, nh);
	nl_ok(rtnl_route_add(sock, r, NLM_F_EXCL), dst);
	nl_addr_put(d);
	if (g)
		nl_addr_put(g);
	rtnl_route_put(r);
}

static void route_add(const char *dst, const char *gw, int proto, uint32_t metric)
{
	route_add_table(dst, gw, proto, metric, RT_TABLE_MAIN);
}

/* Routes through wk0 in a table other than main (policy routing): not netconf's. */
static int other_table_routes(void)
{
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	int n = 0, ifindex = (int)if_nametoindex(IF);

	nl_ok(rtnl_route_alloc_cache(sock, AF_UNSPEC, 0, &cache), "routes");
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *r = (struct rtnl_route *)o;

		n += rtnl_route_get_table(r) == 100 && rtnl_route_get_nnexthops(r) == 1 &&
		     rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(r, 0)) == ifindex;
	}
	nl_cache_free(cache);
	return n;
}

static void write_file(const char *path, const char *bytes, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* path's bytes, malloc'd and NUL-terminated. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

static void assert_file_is(const char *path, const char *bytes)
{
	size_t len;
	char *now = slurp(path, &len);

	if (len != strlen(bytes) || memcmp(now, bytes, len) != 0)
		fail_msg("%s holds\n[%s]\ninstead of\n[%s]", path, now, bytes);
	free(now);
}

static int has_ll6(void)
{
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	int found = 0, ifindex = (int)if_nametoindex(IF);

	nl_ok(rtnl_addr_alloc_cache(sock, &cache), "addresses");
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o))
		if (rtnl_addr_get_ifindex((struct rtnl_addr *)o) == ifindex &&
		    rtnl_addr_get_scope((struct rtnl_addr *)o) == RT_SCOPE_LINK)
			found = 1;
	nl_cache_free(cache);
	return found;
}

static void sysctl(const char *path, const char *value)
{
	write_file(path, value, strlen(value));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/*
 * A new namespace with wk0 (peer wk0p), both up, and on wk0: mtu 1400,
 * 192.168.77.10/24 brd .255 and 192.168.77.11/24 labelled wk0:1,
 * 2001:db8:77::10/64 (nodad), default via 192.168.77.1, 10.200.0.0/16 via
 * 192.168.77.254 (proto static, metric 50), IPv6 default via
 * 2001:db8:77::1, and 10.99.0.0/16 in table 100 (not main: never touched);
 * resolv.conf with RESOLV_BYTES.
 */
static int setup(void **state)
{
	struct rtnl_link *link, *peer;
	char path[128];

	(void)state;
	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		print_message("needs root to make a network namespace\n");
		return -1;
	}
	sysctl("/proc/sys/net/ipv6/conf/all/accept_dad", "0");
	sysctl("/proc/sys/net/ipv6/conf/default/accept_dad", "0");
	sock = nl_socket_alloc();
	nl_ok(nl_connect(sock, NETLINK_ROUTE), "connect");
	link = rtnl_link_veth_alloc();
	rtnl_link_set_name(link, IF);
	peer = rtnl_link_veth_get_peer(link);
	rtnl_link_set_name(peer, IF "p");
	rtnl_link_put(peer);
	nl_ok(rtnl_link_add(sock, link, NLM_F_CREATE | NLM_F_EXCL), "veth");
	rtnl_link_veth_release(link);
	set_link(IF "p", 1, 0);
	set_link(IF, 1, 1400);
	for (int i = 0; i < 200 && !has_ll6(); i++)
		usleep(10000);
	assert_true(has_ll6());
	addr_add("192.168.77.10/24", "192.168.77.255", NULL, 0);
	addr_add("192.168.77.11/24", "192.168.77.255", IF ":1", 0);
	addr_add("2001:db8:77::10/64", NULL, NULL, IFA_F_NODAD);
	route_add("0.0.0.0/0", "192.168.77.1", RTPROT_BOOT, 0);
	route_add("10.200.0.0/16", "192.168.77.254", RTPROT_STATIC, 50);
	route_add("::/0", "2001:db8:77::1", RTPROT_BOOT, 1024);
	route_add_table("10.99.0.0/16", "192.168.77.99", RTPROT_STATIC, 0, 100);

	snprintf(dir, sizeof(dir), "/tmp/test_netconf.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(paths.run_dir, sizeof(paths.run_dir), "%s/run", dir);
	snprintf(paths.state_dir, sizeof(paths.state_dir), "%s/state", dir);
	snprintf(paths.resolv_conf, sizeof(paths.resolv_conf), "%s/resolv.conf", dir);
	snprintf(save_file, sizeof(save_file), "%s/saved-network.json", paths.run_dir);
	write_file(paths.resolv_conf, RESOLV_BYTES, strlen(RESOLV_BYTES));
	snprintf(path, sizeof(path), "%s/root", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	err[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (sock)
		nl_socket_free(sock);
	sock = NULL;
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	dir[0] = '\0';
	return 0;
}

/* --- looking at what netconf_read says */

static const struct netconf_addr *find_addr(const struct netconf_iface *i, const char *addr)
{
	for (size_t k = 0; k < i->naddrs; k++)
		if (strcmp(i->addrs[k].addr, addr) == 0)
			return &i->addrs[k];
	return NULL;
}

static const struct netconf_route *find_route(const struct netconf_iface *i, const char *dst, int len)
{
	for (size_t k = 0; k < i->nroutes; k++)
		if (strcmp(i->routes[k].dst, dst) == 0 && i->routes[k].dst_len == len)
			return &i->routes[k];
	return NULL;
}

static size_t count_family(const struct netconf_iface *i, int family)
{
	size_t n = 0;

	for (size_t k = 0; k < i->naddrs; k++)
		n += i->addrs[k].family == family;
	return n;
}

static int addr_eq(const struct netconf_addr *a, const struct netconf_addr *b, int lifetimes)
{
	return a->family == b->family && !strcmp(a->addr, b->addr) && a->prefixlen == b->prefixlen &&
	       a->flags == b->flags && a->scope == b->scope && !strcmp(a->label, b->label) &&
	       !strcmp(a->peer, b->peer) && !strcmp(a->broadcast, b->broadcast) &&
	       (!lifetimes || (a->valid_lft == b->valid_lft && a->preferred_lft == b->preferred_lft));
}

static int route_eq(const struct netconf_route *a, const struct netconf_route *b)
{
	return a->family == b->family && !strcmp(a->dst, b->dst) && a->dst_len == b->dst_len &&
	       !strcmp(a->gateway, b->gateway) && !strcmp(a->prefsrc, b->prefsrc) && a->metric == b->metric &&
	       a->protocol == b->protocol && a->scope == b->scope && a->type == b->type &&
	       a->table == b->table && a->flags == b->flags;
}

/* Field by field, in any order; lifetimes too unless they are counting down. */
static void assert_same_iface(const struct netconf_iface *a, const struct netconf_iface *b, int lifetimes)
{
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->ifindex, b->ifindex);
	assert_int_equal(a->up, b->up);
	assert_int_equal(a->carrier, b->carrier);
	assert_int_equal(a->mtu, b->mtu);
	assert_string_equal(a->mac, b->mac);
	for (size_t k = 0; k < a->naddrs; k++) {
		const struct netconf_addr *x = &a->addrs[k];
		size_t j;

		for (j = 0; j < b->naddrs && !addr_eq(x, &b->addrs[j], lifetimes); j++)
			;
		if (j == b->naddrs)
			fail_msg("address %s/%d (flags %#x, valid %u, preferred %u, label '%s', brd '%s') is "
				 "missing",
				 x->addr, x->prefixlen, x->flags, x->valid_lft, x->preferred_lft, x->label,
				 x->broadcast);
	}
	assert_int_equal(a->naddrs, b->naddrs);
	for (size_t k = 0; k < a->nroutes; k++) {
		const struct netconf_route *x = &a->routes[k];
		size_t j;

		for (j = 0; j < b->nroutes && !route_eq(x, &b->routes[j]); j++)
			;
		if (j == b->nroutes)
			fail_msg("route %s/%d via '%s' src '%s' metric %u proto %d scope %d is missing",
				 x->dst, x->dst_len, x->gateway, x->prefsrc, x->metric, x->protocol,
				 x->scope);
	}
	assert_int_equal(a->nroutes, b->nroutes);
}

static void read_ok(struct netconf_iface *i)
{
	int ret = netconf_read(IF, i, err, sizeof(err));

	if (ret)
		fail_msg("netconf_read: %d %s", ret, err);
}

static const struct netconf_lease lease57 = {
	.addr = "10.0.1.57",
	.prefixlen = 24,
	.router = "10.0.1.1",
	.mtu = 1500,
	.lease_s = 3600,
	.ndns = 2,
	.dns = { "10.0.1.1", "2001:db8::53" },
	.search = "venue.example",
};

static void call_ok(int ret, const char *what)
{
	if (ret)
		fail_msg("%s: %d %s", what, ret, err);
}

/* --- the tests */

static void read_sees_the_foreign_static_config(void **state)
{
	struct netconf_iface i;
	const struct netconf_addr *a;
	const struct netconf_route *r;
	char name[IFNAMSIZ], gw[INET6_ADDRSTRLEN];

	(void)state;
	read_ok(&i);
	assert_string_equal(i.name, IF);
	assert_int_equal(i.ifindex, (int)if_nametoindex(IF));
	assert_int_equal(i.up, 1);
	assert_int_equal(i.carrier, 1);
	assert_int_equal(i.mtu, 1400);
	assert_int_equal(strlen(i.mac), 17);

	a = find_addr(&i, "192.168.77.10");
	assert_non_null(a);
	assert_int_equal(a->family, AF_INET);
	assert_int_equal(a->prefixlen, 24);
	assert_int_equal(a->valid_lft, NETCONF_FOREVER);
	assert_int_equal(a->preferred_lft, NETCONF_FOREVER);
	assert_true(a->flags & IFA_F_PERMANENT);
	assert_false(a->flags & IFA_F_SECONDARY);
	assert_int_equal(a->scope, RT_SCOPE_UNIVERSE);
	assert_string_equal(a->label, IF);
	assert_string_equal(a->broadcast, "192.168.77.255");
	a = find_addr(&i, "192.168.77.11");
	assert_non_null(a);
	assert_true(a->flags & IFA_F_SECONDARY);
	assert_string_equal(a->label, IF ":1");
	a = find_addr(&i, "2001:db8:77::10");
	assert_non_null(a);
	assert_int_equal(a->family, AF_INET6);
	assert_int_equal(a->prefixlen, 64);
	assert_true(a->flags & IFA_F_NODAD);
	assert_string_equal(a->label, "");
	assert_int_equal(count_family(&i, AF_INET), 2);
	assert_int_equal(count_family(&i, AF_INET6), 2); /* and the link-local one */

	r = find_route(&i, "0.0.0.0", 0);
	assert_non_null(r);
	assert_string_equal(r->gateway, "192.168.77.1");
	assert_int_equal(r->protocol, RTPROT_BOOT);
	assert_int_equal(r->table, RT_TABLE_MAIN);
	r = find_route(&i, "10.200.0.0", 16);
	assert_non_null(r);
	assert_string_equal(r->gateway, "192.168.77.254");
	assert_int_equal(r->metric, 50);
	assert_int_equal(r->protocol, RTPROT_STATIC);
	r = find_route(&i, "192.168.77.0", 24);
	assert_non_null(r);
	assert_int_equal(r->protocol, RTPROT_KERNEL); /* read, and marked */
	assert_string_equal(r->prefsrc, "192.168.77.10");
	assert_int_equal(r->scope, RT_SCOPE_LINK);
	r = find_route(&i, "::", 0);
	assert_non_null(r);
	assert_string_equal(r->gateway, "2001:db8:77::1");
	assert_int_equal(r->metric, 1024);
	assert_non_null(find_route(&i, "fe80::", 64));
	for (size_t k = 0; k < i.nroutes; k++) {
		assert_int_equal(i.routes[k].type, RTN_UNICAST); /* no local or broadcast entries */
		assert_int_equal(i.routes[k].table, RT_TABLE_MAIN);
	}
	assert_null(find_route(&i, "192.168.77.10", 32));
	assert_null(find_route(&i, "10.99.0.0", 16));
	assert_int_equal(other_table_routes(), 1);

	assert_string_equal(netconf_addr_mode(&i, AF_INET), "static");
	assert_string_equal(netconf_addr_mode(&i, AF_INET6), "static");
	assert_int_equal(netconf_default_route(AF_INET, name, sizeof(name), gw, sizeof(gw)), 0);
	assert_string_equal(name, IF);
	assert_string_equal(gw, "192.168.77.1");
	assert_int_equal(netconf_default_route(AF_INET6, name, sizeof(name), gw, sizeof(gw)), 0);
	assert_string_equal(gw, "2001:db8:77::1");

	assert_int_equal(netconf_read("nosuch0", &i, err, sizeof(err)), -ENODEV);
	assert_non_null(strstr(err, "nosuch0"));
}

static void default_route_takes_the_lowest_metric(void **state)
{
	char name[IFNAMSIZ], gw[INET6_ADDRSTRLEN];

	(void)state;
	route_add("0.0.0.0/0", "192.168.77.2", RTPROT_BOOT, 5);
	addr_del("192.168.77.11/24");
	addr_del("192.168.77.10/24"); /* the routes go with it */
	addr_add("192.168.77.10/24", NULL, NULL, 0);
	route_add("0.0.0.0/0", "192.168.77.3", RTPROT_BOOT, 20);
	route_add("0.0.0.0/0", "192.168.77.4", RTPROT_BOOT, 10);
	assert_int_equal(netconf_default_route(AF_INET, name, sizeof(name), gw, sizeof(gw)), 0);
	assert_string_equal(gw, "192.168.77.4");
	call_ok(netconf_clear(IF, err, sizeof(err)), "clear");
	assert_int_equal(netconf_default_route(AF_INET, name, sizeof(name), gw, sizeof(gw)), -ENOENT);
}

static void save_twice_keeps_the_first(void **state)
{
	char name[IFNAMSIZ] = "x", *first, *second;
	struct stat st;
	size_t n1, n2;
	int files = 0;

	(void)state;
	assert_int_equal(netconf_saved(&paths, name, sizeof(name)), 0);
	assert_string_equal(name, "");
	assert_int_equal(netconf_save(&paths, "nosuch0", err, sizeof(err)), -ENODEV);
	assert_int_equal(access(save_file, F_OK), -1);
	call_ok(netconf_save(&paths, IF, err, sizeof(err)), "save");
	assert_int_equal(stat(save_file, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(netconf_saved(&paths, name, sizeof(name)), 1);
	assert_string_equal(name, IF);
	first = slurp(save_file, &n1);
	assert_non_null(strstr(first, "192.168.77.10"));

	/* Settings change (the helper's own, say): a second save leaves the originals. */
	set_link(IF, 1, 1300);
	write_file(paths.resolv_conf, "nameserver 10.0.1.1\n", 20);
	err[0] = '\0';
	assert_int_equal(netconf_save(&paths, IF, err, sizeof(err)), 1);
	assert_true(strlen(err) > 0);
	second = slurp(save_file, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(first, second, n1);
	/* and no temporary file is left behind */
	{
		DIR *d = opendir(paths.run_dir);
		struct dirent *e;

		assert_non_null(d);
		while ((e = readdir(d)))
			files += e->d_name[0] != '.' || strncmp(e->d_name, ".saved", 6) == 0;
		closedir(d);
	}
	assert_int_equal(files, 1);
	free(first);
	free(second);
}

static void clear_removes_ipv4_and_the_routes(void **state)
{
	struct netconf_iface i;
	char name[IFNAMSIZ], gw[INET6_ADDRSTRLEN];

	(void)state;
	call_ok(netconf_clear(IF, err, sizeof(err)), "clear");
	read_ok(&i);
	assert_int_equal(count_family(&i, AF_INET), 0);
	assert_non_null(find_addr(&i, "2001:db8:77::10")); /* IPv6 addresses stay */
	assert_int_equal(count_family(&i, AF_INET6), 2);
	for (size_t k = 0; k < i.nroutes; k++)
		if (i.routes[k].protocol != RTPROT_KERNEL)
			fail_msg("route %s/%d is still there", i.routes[k].dst, i.routes[k].dst_len);
	assert_non_null(find_route(&i, "fe80::", 64));
	assert_int_equal(netconf_default_route(AF_INET, name, sizeof(name), gw, sizeof(gw)), -ENOENT);
	assert_int_equal(netconf_default_route(AF_INET6, name, sizeof(name), gw, sizeof(gw)), -ENOENT);
	assert_int_equal(i.up, 1);
	assert_int_equal(i.mtu, 1400);
	/* resolv.conf is not clear's business */
	assert_file_is(paths.resolv_conf, RESOLV_BYTES);
}

static void clear_brings_the_link_up(void **state)
{
	struct netconf_iface i;

	(void)state;
	set_link(IF, 0, 0);
	read_ok(&i);
	assert_int_equal(i.up, 0);
	call_ok(netconf_clear(IF, err, sizeof(err)), "clear");
	read_ok(&i);
	assert_int_equal(i.up, 1);
	assert_int_equal(count_family(&i, AF_INET), 0);
	assert_int_equal(netconf_clear("nosuch0", err, sizeof(err)), -ENODEV);
}

static void apply_lease_gives_address_route_mtu_dns(void **state)
{
	struct netconf_iface i, again;
	struct netconf_lease l = lease57;
	const struct netconf_addr *a;
	char servers[4][INET6_ADDRSTRLEN], name[IFNAMSIZ], gw[INET6_ADDRSTRLEN];
	struct stat st1, st2;
	size_t n;

	(void)state;
	call_ok(netconf_clear(IF, err, sizeof(err)), "clear");
	call_ok(netconf_apply_lease(IF, &l, &paths, err, sizeof(err)), "apply_lease");
	read_ok(&i);
	assert_int_equal(count_family(&i, AF_INET), 1);
	a = find_addr(&i, "10.0.1.57");
	assert_non_null(a);
	assert_int_equal(a->prefixlen, 24);
	assert_true(a->valid_lft <= 3600 && a->valid_lft > 3590);
	assert_true(a->preferred_lft <= 3600 && a->preferred_lft > 3590);
	assert_false(a->flags & IFA_F_PERMANENT);
	assert_string_equal(a->broadcast, "10.0.1.255");
	assert_int_equal(i.mtu, 1500);
	assert_int_equal(netconf_default_route(AF_INET, name, sizeof(name), gw, sizeof(gw)), 0);
	assert_string_equal(name, IF);
	assert_string_equal(gw, "10.0.1.1");
	assert_string_equal(netconf_addr_mode(&i, AF_INET), "dhcp");
	assert_int_equal(netconf_resolv_servers(paths.resolv_conf, servers, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(servers[0], "10.0.1.1");
	assert_string_equal(servers[1], "2001:db8::53");
	{
		char *text = slurp(paths.resolv_conf, NULL);

		assert_non_null(strstr(text, "\nsearch venue.example\n"));
		free(text);
	}

	/* A renew with the same lease changes nothing (resolv.conf not even written). */
	assert_int_equal(stat(paths.resolv_conf, &st1), 0);
	usleep(20000);
	call_ok(netconf_apply_lease(IF, &l, &paths, err, sizeof(err)), "renew");
	read_ok(&again);
	assert_same_iface(&i, &again, 0);
	assert_int_equal(stat(paths.resolv_conf, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(st1.st_mtim.tv_nsec, st2.st_mtim.tv_nsec);
	assert_int_equal(st1.st_mtim.tv_sec, st2.st_mtim.tv_sec);

	/* A new address replaces the old one; still one default route. */
	snprintf(l.addr, sizeof(l.addr), "10.0.1.58");
	call_ok(netconf_apply_lease(IF, &l, &paths, err, sizeof(err)), "new address");
	read_ok(&i);
	assert_int_equal(count_family(&i, AF_INET), 1);
	assert_non_null(find_addr(&i, "10.0.1.58"));
	assert_non_null(find_route(&i, "0.0.0.0", 0));
	{
		int defaults = 0;

		for (size_t k = 0; k < i.nroutes; k++)
			defaults += i.routes[k].family == AF_INET && i.routes[k].dst_len == 0;
		assert_int_equal(defaults, 1);
	}

	/* A /32 lease: its router is reached on-link. */
	l.prefixlen = 32;
	call_ok(netconf_apply_lease(IF, &l, &paths, err, sizeof(err)), "/32");
	read_ok(&i);
	assert_int_equal(find_route(&i, "0.0.0.0", 0)->flags, RTNH_F_ONLINK);
	assert_string_equal(find_route(&i, "0.0.0.0", 0)->gateway, "10.0.1.1");

	/* Straight over the foreign configuration: its addresses and default route go. */
	call_ok(netconf_apply_lease(IF, &lease57, &paths, err, sizeof(err)), "over");
	read_ok(&i);
	assert_null(find_addr(&i, "192.168.77.10"));

	/* A lease that is not one changes nothing. */
	l = lease57;
	snprintf(l.addr, sizeof(l.addr), "10.0.1.300");
	assert_int_equal(netconf_apply_lease(IF, &l, &paths, err, sizeof(err)), -EINVAL);
	read_ok(&again);
	assert_same_iface(&i, &again, 0);
}

static void apply_lease_on_the_foreign_config(void **state)
{
	struct netconf_iface i;

	(void)state;
	call_ok(netconf_apply_lease(IF, &lease57, &paths, err, sizeof(err)), "apply_lease");
	read_ok(&i);
	assert_int_equal(count_family(&i, AF_INET), 1);
	assert_null(find_addr(&i, "192.168.77.10"));
	assert_null(find_addr(&i, "192.168.77.11"));
	assert_string_equal(find_route(&i, "0.0.0.0", 0)->gateway, "10.0.1.1");
}

static void restore_puts_back_exactly(void **state)
{
	struct netconf_iface before, after;
	char name[IFNAMSIZ];

	(void)state;
	read_ok(&before);
	call_ok(netconf_save(&paths, IF, err, sizeof(err)), "save");
	call_ok(netconf_clear(IF, err, sizeof(err)), "clear");
	call_ok(netconf_apply_lease(IF, &lease57, &paths, err, sizeof(err)), "apply_lease");
	/* More for restore to undo: an IPv6 address changed, another one and a route added. */
	addr_change("2001:db8:77::10/64", 600, 300, IFA_F_NOPREFIXROUTE);
	addr_add("2001:db8:99::5/64", NULL, NULL, IFA_F_NODAD);
	route_add("2001:db8:aa::/48", "2001:db8:99::1", RTPROT_STATIC, 1024);
	read_ok(&after);
	assert_null(find_addr(&after, "192.168.77.10"));

	/*
	 * An IPv6 link-local address is the kernel's: restore leaves it. So are
	 * routes of other tables (the IPv4 one of table 100 went with the last
	 * IPv4 address at clear, the kernel's doing; this IPv6 one stays).
	 */
	addr_add("fe80::99/64", NULL, NULL, IFA_F_NODAD);
	assert_int_equal(other_table_routes(), 0);
	route_add_table("2001:db8:bb::/48", "fe80::1", RTPROT_STATIC, 1024, 100);

	call_ok(netconf_restore(&paths, err, sizeof(err)), "restore");
	assert_int_equal(other_table_routes(), 1);
	read_ok(&after);
	assert_non_null(find_addr(&after, "fe80::99"));
	addr_del("fe80::99/64");
	read_ok(&after);
	assert_same_iface(&before, &after, 1);
	assert_file_is(paths.resolv_conf, RESOLV_BYTES);
	assert_int_equal(access(save_file, F_OK), -1);
	assert_int_equal(netconf_saved(&paths, name, sizeof(name)), 0);

	/* and again: nothing saved now */
	err[0] = '\0';
	assert_int_equal(netconf_restore(&paths, err, sizeof(err)), 1);
	assert_true(strlen(err) > 0);
}

static void restore_with_nothing_saved_says_so(void **state)
{
	struct netconf_iface before, after;

	(void)state;
	read_ok(&before);
	assert_int_equal(netconf_restore(&paths, err, sizeof(err)), 1);
	assert_non_null(strstr(err, "nothing to restore"));
	read_ok(&after);
	assert_same_iface(&before, &after, 1);
	assert_file_is(paths.resolv_conf, RESOLV_BYTES);
}

/* A good save, altered by edit (NULL: cut in half), written as the save. */
static void write_corrupt(const char *good, void (*edit)(json_t *))
{
	json_t *root;
	char *text;

	if (!edit) {
		write_file(save_file, good, strlen(good) / 2);
		return;
	}
	root = json_loads(good, 0, NULL);
	assert_non_null(root);
	edit(root);
	text = json_dumps(root, 0);
	write_file(save_file, text, strlen(text));
	free(text);
	json_decref(root);
}

static void mtu_as_text(json_t *root)
{
	json_object_set_new(json_object_get(root, "link"), "mtu", json_string("1400"));
}

static void addresses_as_object(json_t *root)
{
	json_object_set_new(root, "addresses", json_object());
}

static void address_not_an_address(json_t *root)
{
	json_object_set_new(json_array_get(json_object_get(root, "addresses"), 0), "address",
			    json_string("192.168.77.300"));
}

/* The last thing in the file is wrong: whoever acts while reading has already acted. */
static void last_gateway_bad(json_t *root)
{
	json_t *routes = json_object_get(root, "routes");

	json_object_set_new(json_array_get(routes, json_array_size(routes) - 1), "gateway",
			    json_string("not-a-gateway"));
}

static void resolv_not_base64(json_t *root)
{
	json_object_set_new(json_object_get(root, "resolv_conf"), "content_base64",
			    json_string("!!notbase64"));
}

static void prefix_too_long(json_t *root)
{
	json_object_set_new(json_array_get(json_object_get(root, "addresses"), 0), "prefixlen",
			    json_integer(33));
}

static void preferred_longer_than_valid(json_t *root)
{
	json_t *a = json_array_get(json_object_get(root, "addresses"), 0);

	json_object_set_new(a, "valid_lft", json_integer(100));
	json_object_set_new(a, "preferred_lft", json_integer(200));
}

static void not_an_object(json_t *root)
{
	json_object_clear(root);
}

static void corrupt_save_changes_nothing(void **state)
{
	void (*edits[])(json_t *) = { NULL,
				      mtu_as_text,
				      addresses_as_object,
				      address_not_an_address,
				      last_gateway_bad,
				      resolv_not_base64,
				      prefix_too_long,
				      preferred_longer_than_valid,
				      not_an_object };
	struct netconf_iface foreign, before, after;
	char *good, *lease_resolv;

	(void)state;
	read_ok(&foreign);
	call_ok(netconf_save(&paths, IF, err, sizeof(err)), "save");
	good = slurp(save_file, NULL);
	assert_int_equal(unlink(save_file), 0);
	call_ok(netconf_clear(IF, err, sizeof(err)), "clear");
	call_ok(netconf_apply_lease(IF, &lease57, &paths, err, sizeof(err)), "apply_lease");
	read_ok(&before);
	lease_resolv = slurp(paths.resolv_conf, NULL);

	for (size_t k = 0; k < sizeof(edits) / sizeof(edits[0]); k++) {
		char *written;

		write_corrupt(good, edits[k]);
		written = slurp(save_file, NULL);
		err[0] = '\0';
		if (netconf_restore(&paths, err, sizeof(err)) != -EINVAL)
			fail_msg("case %zu: restore did not refuse: %s", k, err);
		assert_non_null(strstr(err, "nothing was changed"));
		print_message("case %zu: %s\n", k, err);
		read_ok(&after);
		assert_same_iface(&before, &after, 0);
		assert_file_is(paths.resolv_conf, lease_resolv);
		assert_file_is(save_file, written); /* kept for a look */
		free(written);
	}
	/* An empty file too; it is still a save, of no known interface. */
	write_file(save_file, "", 0);
	assert_int_equal(netconf_restore(&paths, err, sizeof(err)), -EINVAL);
	{
		char name[IFNAMSIZ] = "x";

		assert_int_equal(netconf_saved(&paths, name, sizeof(name)), 1);
		assert_string_equal(name, "");
		assert_int_equal(netconf_save(&paths, IF, err, sizeof(err)), 1);
		assert_file_is(save_file, "");
	}

	/* The good one would have changed it all. */
	assert_int_equal(unlink(save_file), 0);
	write_file(save_file, good, strlen(good));
	call_ok(netconf_restore(&paths, err, sizeof(err)), "restore the good one");
	read_ok(&after);
	assert_same_iface(&foreign, &after, 1);
	free(good);
	free(lease_resolv);
}

static void missing_resolv_conf_comes_back_missing(void **state)
{
	struct stat st;

	(void)state;
	assert_int_equal(unlink(paths.resolv_conf), 0);
	call_ok(netconf_save(&paths, IF, err, sizeof(err)), "save");
	call_ok(netconf_clear(IF, err, sizeof(err)), "clear");
	call_ok(netconf_apply_lease(IF, &lease57, &paths, err, sizeof(err)), "apply_lease");
	assert_int_equal(lstat(paths.resolv_conf, &st), 0);
	call_ok(netconf_restore(&paths, err, sizeof(err)), "restore");
	assert_int_equal(lstat(paths.resolv_conf, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void symlinked_resolv_conf_stays_a_link(void **state)
{
	char real[128], target[128];
	struct stat st;
	ssize_t n;
	char *text;

	(void)state;
	snprintf(real, sizeof(real), "%s/real-resolv.conf", dir);
	write_file(real, RESOLV_BYTES, strlen(RESOLV_BYTES));
	assert_int_equal(unlink(paths.resolv_conf), 0);
	assert_int_equal(symlink("real-resolv.conf", paths.resolv_conf), 0);
	call_ok(netconf_save(&paths, IF, err, sizeof(err)), "save");
	call_ok(netconf_apply_lease(IF, &lease57, &paths, err, sizeof(err)), "apply_lease");
	/* written through the link, in place */
	assert_int_equal(lstat(paths.resolv_conf, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	text = slurp(real, NULL);
	assert_non_null(strstr(text, "nameserver 10.0.1.1\n"));
	free(text);
	/* Someone puts a file in its place: restore makes the link again. */
	assert_int_equal(unlink(paths.resolv_conf), 0);
	write_file(paths.resolv_conf, "nameserver 9.9.9.9\n", 19);
	call_ok(netconf_restore(&paths, err, sizeof(err)), "restore");
	assert_int_equal(lstat(paths.resolv_conf, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	n = readlink(paths.resolv_conf, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "real-resolv.conf");
	assert_file_is(real, RESOLV_BYTES);

	/* Pointed elsewhere meanwhile: pointed back, and the other file left as it is. */
	call_ok(netconf_save(&paths, IF, err, sizeof(err)), "save again");
	assert_int_equal(unlink(paths.resolv_conf), 0);
	assert_int_equal(symlink("other.conf", paths.resolv_conf), 0);
	write_file(paths.resolv_conf, "nameserver 9.9.9.9\n", 19);
	call_ok(netconf_restore(&paths, err, sizeof(err)), "restore again");
	n = readlink(paths.resolv_conf, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "real-resolv.conf");
	assert_file_is(real, RESOLV_BYTES);
	snprintf(real, sizeof(real), "%s/other.conf", dir);
	assert_file_is(real, "nameserver 9.9.9.9\n");
}

static void dangling_resolv_link_stays_dangling(void **state)
{
	char target[128], real[128];
	ssize_t n;

	(void)state;
	assert_int_equal(unlink(paths.resolv_conf), 0);
	assert_int_equal(symlink("nowhere.conf", paths.resolv_conf), 0);
	call_ok(netconf_save(&paths, IF, err, sizeof(err)), "save");
	call_ok(netconf_apply_lease(IF, &lease57, &paths, err, sizeof(err)), "apply_lease");
	snprintf(real, sizeof(real), "%s/nowhere.conf", dir);
	assert_int_equal(access(real, F_OK), 0); /* written through the link */
	assert_int_equal(unlink(real), 0);
	call_ok(netconf_restore(&paths, err, sizeof(err)), "restore");
	n = readlink(paths.resolv_conf, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "nowhere.conf");
	assert_int_equal(access(real, F_OK), -1);
}

static void failed_restore_keeps_the_save(void **state)
{
	struct netconf_iface before, after;

	(void)state;
	read_ok(&before);
	call_ok(netconf_save(&paths, IF, err, sizeof(err)), "save");
	call_ok(netconf_apply_lease(IF, &lease57, &paths, err, sizeof(err)), "apply_lease");
	/* resolv.conf cannot be written back: a directory is in its way */
	assert_int_equal(unlink(paths.resolv_conf), 0);
	assert_int_equal(mkdir(paths.resolv_conf, 0755), 0);
	assert_int_equal(netconf_restore(&paths, err, sizeof(err)), -EISDIR);
	assert_non_null(strstr(err, "kept"));
	assert_int_equal(access(save_file, F_OK), 0);
	read_ok(&after);
	assert_same_iface(&before, &after, 1); /* the rest was done */
	/* and it can be tried again */
	assert_int_equal(rmdir(paths.resolv_conf), 0);
	call_ok(netconf_restore(&paths, err, sizeof(err)), "restore again");
	assert_file_is(paths.resolv_conf, RESOLV_BYTES);
	assert_int_equal(access(save_file, F_OK), -1);
}

static void restore_when_the_interface_is_gone(void **state)
{
	struct rtnl_link *link = NULL;

	(void)state;
	call_ok(netconf_save(&paths, IF, err, sizeof(err)), "save");
	call_ok(netconf_apply_lease(IF, &lease57, &paths, err, sizeof(err)), "apply_lease");
	nl_ok(rtnl_link_get_kernel(sock, 0, IF, &link), "get link");
	nl_ok(rtnl_link_delete(sock, link), "delete link");
	rtnl_link_put(link);
	assert_int_equal(netconf_restore(&paths, err, sizeof(err)), -ENODEV);
	assert_non_null(strstr(err, IF));
	assert_int_equal(access(save_file, F_OK), 0);
}

static void restore_puts_a_down_link_back_down(void **state)
{
	struct netconf_iface before, after;

	(void)state;
	set_link(IF, 0, 0);
	read_ok(&before);
	assert_int_equal(before.up, 0);
	call_ok(netconf_save(&paths, IF, err, sizeof(err)), "save");
	call_ok(netconf_clear(IF, err, sizeof(err)), "clear");
	call_ok(netconf_apply_lease(IF, &lease57, &paths, err, sizeof(err)), "apply_lease");
	read_ok(&after);
	assert_int_equal(after.up, 1);
	call_ok(netconf_restore(&paths, err, sizeof(err)), "restore");
	read_ok(&after);
	assert_same_iface(&before, &after, 1);
}

/* The guest's own configuration came from a DHCP client: its lifetimes go on counting down. */
static void restore_a_dhcp_config_with_what_is_left_of_it(void **state)
{
	struct netconf_iface before, after;
	const struct netconf_addr *was, *now;
	struct netconf_lease venue = lease57;
	json_t *root;
	char *text;

	(void)state;
	call_ok(netconf_clear(IF, err, sizeof(err)), "clear");
	call_ok(netconf_apply_lease(IF, &lease57, &paths, err, sizeof(err)), "own lease");
	read_ok(&before);
	assert_string_equal(netconf_addr_mode(&before, AF_INET), "dhcp");
	was = find_addr(&before, "10.0.1.57");
	assert_non_null(was);
	call_ok(netconf_save(&paths, IF, err, sizeof(err)), "save");
	snprintf(venue.addr, sizeof(venue.addr), "10.0.1.99");
	call_ok(netconf_apply_lease(IF, &venue, &paths, err, sizeof(err)), "venue lease");
	sleep(1);
	call_ok(netconf_restore(&paths, err, sizeof(err)), "restore");
	read_ok(&after);
	assert_null(find_addr(&after, "10.0.1.99"));
	now = find_addr(&after, "10.0.1.57");
	assert_non_null(now);
	assert_true(now->valid_lft < was->valid_lft && now->valid_lft + 5 > was->valid_lft);
	assert_true(now->preferred_lft < was->preferred_lft && now->preferred_lft + 5 > was->preferred_lft);
	assert_false(now->flags & IFA_F_PERMANENT);
	assert_same_iface(&before, &after, 0);

	/* Saved more than the lease ago: that address would be gone by now, and is not put back. */
	call_ok(netconf_save(&paths, IF, err, sizeof(err)), "save");
	root = json_load_file(save_file, 0, NULL);
	assert_non_null(root);
	json_object_set_new(
		root, "saved_at_boottime",
		json_integer(json_integer_value(json_object_get(root, "saved_at_boottime")) - 4000));
	text = json_dumps(root, 0);
	json_decref(root);
	assert_int_equal(unlink(save_file), 0);
	write_file(save_file, text, strlen(text));
	free(text);
	call_ok(netconf_apply_lease(IF, &venue, &paths, err, sizeof(err)), "venue lease");
	call_ok(netconf_restore(&paths, err, sizeof(err)), "restore");
	read_ok(&after);
	assert_int_equal(count_family(&after, AF_INET), 0);
	assert_null(find_route(&after, "0.0.0.0", 0));
}

static void resolv_servers_parses(void **state)
{
	char path[128], servers[8][INET6_ADDRSTRLEN];
	size_t n = 99;
	const char *text = "# nameserver 9.9.9.9\n"
			   "nameserver 192.0.2.1\n"
			   "  nameserver\t2001:db8::1   # a comment\n"
			   "nameservers 1.2.3.4\n"
			   "nameserver bogus\n"
			   "nameserver fe80::1%eth0\n"
			   "search x.example\n"
			   "nameserver 192.0.2.2";

	(void)state;
	snprintf(path, sizeof(path), "%s/parse.conf", dir);
	write_file(path, text, strlen(text));
	assert_int_equal(netconf_resolv_servers(path, servers, 8, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(servers[0], "192.0.2.1");
	assert_string_equal(servers[1], "2001:db8::1");
	assert_string_equal(servers[2], "fe80::1%eth0");
	assert_string_equal(servers[3], "192.0.2.2");
	assert_int_equal(netconf_resolv_servers(path, servers, 2, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(netconf_resolv_servers(paths.resolv_conf, servers, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(servers[0], "192.0.2.53");
	snprintf(path, sizeof(path), "%s/none.conf", dir);
	assert_int_equal(netconf_resolv_servers(path, servers, 8, &n), -ENOENT);
	assert_int_equal(n, 0);
}

static void resolv_write_is_in_place(void **state)
{
	const char *servers[] = { "10.0.1.1", "2001:db8::53" }, *bad[] = { "10.0.1.1", "nope" };
	struct stat st1, st2;

	(void)state;
	assert_int_equal(stat(paths.resolv_conf, &st1), 0);
	assert_int_equal(netconf_resolv_write(paths.resolv_conf, servers, 2, "venue.example"), 0);
	assert_int_equal(stat(paths.resolv_conf, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino); /* the same file, not a new one renamed over it */
	assert_file_is(paths.resolv_conf,
		       "# Written by wicket-helper for the venue's network.\n"
		       "# Your own settings come back when you log out (wicket-helper restore).\n"
		       "nameserver 10.0.1.1\n"
		       "nameserver 2001:db8::53\n"
		       "search venue.example\n");
	assert_int_equal(netconf_resolv_write(paths.resolv_conf, bad, 2, NULL), -EINVAL);
	assert_int_equal(netconf_resolv_write(paths.resolv_conf, servers, 1, "a\nnameserver 6.6.6.6"),
			 -EINVAL);
	assert_file_is(paths.resolv_conf,
		       "# Written by wicket-helper for the venue's network.\n"
		       "# Your own settings come back when you log out (wicket-helper restore).\n"
		       "nameserver 10.0.1.1\n"
		       "nameserver 2001:db8::53\n"
		       "search venue.example\n");
}

static void mkdirs(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/root%s", dir, rel);
	assert_int_equal(paths_mkdir(path), 0);
}

static void root_file(const char *rel, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/root%s", dir, rel);
	write_file(path, text, strlen(text));
}

static void proxies_from_env_environment_and_apt(void **state)
{
	static const char *const vars[] = {
		"http_proxy", "https_proxy", "ftp_proxy", "all_proxy", "no_proxy",
		"HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "ALL_PROXY", "NO_PROXY"
	};
	struct netconf_proxy p[16];
	char root[128];
	size_t n;

	(void)state;
	for (size_t k = 0; k < sizeof(vars) / sizeof(vars[0]); k++)
		unsetenv(vars[k]);
	setenv("http_proxy", "http://env.proxy:3128", 1);
	setenv("HTTPS_PROXY", "http://ENV.proxy:3129", 1);
	setenv("no_proxy", "", 1); /* empty: not a proxy */
	snprintf(root, sizeof(root), "%s/root", dir);
	setenv("WICKET_HELPER_ROOT", root, 1);
	mkdirs("/etc/apt/apt.conf.d");
	root_file("/etc/environment", "# proxies for everyone\n"
				      "PATH=\"/usr/bin:/bin\"\n"
				      "ftp_proxy=\"http://ftp.proxy:21\"\n"
				      "export ALL_PROXY='socks5://s.proxy:1080'\n"
				      "  no_proxy=localhost,127.0.0.1\r\n"
				      "Http_Proxy=http://mixed.case\n"
				      "http_proxy\n");
	root_file("/etc/apt/apt.conf", "// Acquire::https::Proxy \"http://commented\";\n"
				       "Acquire::http::Proxy \"http://apt.proxy:3142/\";\n"
				       "APT::Get::Assume-Yes \"true\";\n");
	root_file("/etc/apt/apt.conf.d/10case.conf",
		  "/* Acquire::http::Proxy \"http://in-a-block-comment\";\n*/\n"
		  "acquire::HTTP::proxy \"http://case.proxy:1\";\n");
	root_file("/etc/apt/apt.conf.d/90proxy",
		  "Acquire {\n  https {\n    Proxy \"http://nested.proxy:8080\";\n"
		  "  };\n  Retries \"3\";\n};\n");
	root_file("/etc/apt/apt.conf.d/99proxy.dpkg-old", "Acquire::http::Proxy \"http://ignored\";\n");

	n = netconf_proxies(p, 16);
	assert_int_equal(netconf_proxies(p + 8, 3), 3); /* no more than asked for */
	unsetenv("WICKET_HELPER_ROOT");
	for (size_t k = 0; k < n; k++)
		print_message("%s: %s=%s\n", p[k].source, p[k].name, p[k].value);
	assert_int_equal(n, 8);
	assert_string_equal(p[0].source, "environment");
	assert_string_equal(p[0].name, "http_proxy");
	assert_string_equal(p[0].value, "http://env.proxy:3128");
	assert_string_equal(p[1].name, "HTTPS_PROXY");
	assert_string_equal(p[1].value, "http://ENV.proxy:3129");
	assert_string_equal(p[2].source, "/etc/environment");
	assert_string_equal(p[2].name, "ftp_proxy");
	assert_string_equal(p[2].value, "http://ftp.proxy:21");
	assert_string_equal(p[3].name, "ALL_PROXY");
	assert_string_equal(p[3].value, "socks5://s.proxy:1080");
	assert_string_equal(p[4].name, "no_proxy");
	assert_string_equal(p[4].value, "localhost,127.0.0.1");
	assert_string_equal(p[5].source, "/etc/apt/apt.conf");
	assert_string_equal(p[5].name, "Acquire::http::Proxy");
	assert_string_equal(p[5].value, "http://apt.proxy:3142/");
	assert_string_equal(p[6].source, "/etc/apt/apt.conf.d/10case.conf");
	assert_string_equal(p[6].value, "http://case.proxy:1");
	assert_string_equal(p[7].source, "/etc/apt/apt.conf.d/90proxy");
	assert_string_equal(p[7].name, "Acquire::https::Proxy");
	assert_string_equal(p[7].value, "http://nested.proxy:8080");
	for (size_t k = 0; k < sizeof(vars) / sizeof(vars[0]); k++)
		unsetenv(vars[k]);
}

static void addr_modes(void **state)
{
	struct netconf_iface i = { .naddrs = 1 };
	struct netconf_addr *a = &i.addrs[0];

	(void)state;
	*a = (struct netconf_addr){ .family = AF_INET6,
				    .addr = "fe80::1",
				    .prefixlen = 64,
				    .scope = RT_SCOPE_LINK,
				    .valid_lft = NETCONF_FOREVER };
	assert_string_equal(netconf_addr_mode(&i, AF_INET6), "none");
	assert_string_equal(netconf_addr_mode(&i, AF_INET), "none");
	*a = (struct netconf_addr){
		.family = AF_INET6, .addr = "2001:db8::5", .prefixlen = 64, .valid_lft = 86400
	};
	assert_string_equal(netconf_addr_mode(&i, AF_INET6), "slaac");
	a->prefixlen = 128;
	assert_string_equal(netconf_addr_mode(&i, AF_INET6), "dhcp");
	a->flags = IFA_F_MANAGETEMPADDR;
	assert_string_equal(netconf_addr_mode(&i, AF_INET6), "slaac");
	i.addrs[1] = (struct netconf_addr){ .family = AF_INET6,
					    .addr = "2001:db8::9",
					    .prefixlen = 64,
					    .valid_lft = NETCONF_FOREVER,
					    .preferred_lft = NETCONF_FOREVER };
	i.naddrs = 2;
	assert_string_equal(netconf_addr_mode(&i, AF_INET6), "static");
	*a = (struct netconf_addr){
		.family = AF_INET, .addr = "10.0.1.5", .prefixlen = 24, .valid_lft = 600
	};
	i.naddrs = 1;
	assert_string_equal(netconf_addr_mode(&i, AF_INET), "dhcp");
	assert_string_equal(netconf_addr_mode(&i, AF_INET6), "none");
}

#define NS_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		NS_TEST(read_sees_the_foreign_static_config),
		NS_TEST(default_route_takes_the_lowest_metric),
		NS_TEST(save_twice_keeps_the_first),
		NS_TEST(clear_removes_ipv4_and_the_routes),
		NS_TEST(clear_brings_the_link_up),
		NS_TEST(apply_lease_gives_address_route_mtu_dns),
		NS_TEST(apply_lease_on_the_foreign_config),
		NS_TEST(restore_puts_back_exactly),
		NS_TEST(restore_with_nothing_saved_says_so),
		NS_TEST(corrupt_save_changes_nothing),
		NS_TEST(missing_resolv_conf_comes_back_missing),
		NS_TEST(symlinked_resolv_conf_stays_a_link),
		NS_TEST(failed_restore_keeps_the_save),
		NS_TEST(restore_when_the_interface_is_gone),
		NS_TEST(dangling_resolv_link_stays_dangling),
		NS_TEST(restore_puts_a_down_link_back_down),
		NS_TEST(restore_a_dhcp_config_with_what_is_left_of_it),
		NS_TEST(resolv_servers_parses),
		NS_TEST(resolv_write_is_in_place),
		NS_TEST(proxies_from_env_environment_and_apt),
		cmocka_unit_test(addr_modes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
