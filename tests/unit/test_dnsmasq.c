/*
 * Unit tests of daemon/dnsmasq.c: the configuration dnsmasq gets for the
 * access ports (checked by dnsmasq itself with --test too), the portal's
 * API URL, and the ports' addresses read from the kernel of a private
 * network namespace (those tests unshare one: they need root).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "dnsmasq.h"
#include "nl_links.h"

#define URL "https://10.0.1.1:8443/api/captive"

static char err[512];
static int ret;

static struct dnsmasq_port port4(const char *name, const char *addr, unsigned int len)
{
	struct dnsmasq_port p = { .has_v4 = 1, .v4_len = len };

	snprintf(p.ifname, sizeof(p.ifname), "%s", name);
	assert_int_equal(inet_pton(AF_INET, addr, &p.v4), 1);
	return p;
}

static void add6(struct dnsmasq_port *p, const char *addr, unsigned int len)
{
	assert_int_equal(inet_pton(AF_INET6, addr, &p->v6[p->nv6].addr), 1);
	p->v6[p->nv6++].len = len;
}

/* The text for these ports (NULL on failure, ret and err say why). */
static char *config_for(const struct dnsmasq_port *ports, size_t n, const char *url)
{
	struct dnsmasq_params p = {
		.ports = ports,
		.nports = n,
		.api_url = url,
		.dns_port = 53,
		.lease_seconds = 3600,
		.lease_file = "/var/lib/wicket/dnsmasq.leases",
	};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	err[0] = '\0';
	ret = dnsmasq_write_config(&p, f, err, sizeof(err));
	assert_int_equal(fclose(f), 0);
	if (ret) {
		/* Nothing written, and a message. */
		assert_int_equal(len, 0);
		assert_true(strlen(err) > 0);
		free(text);
		return NULL;
	}
	return text;
}

static void assert_has(const char *text, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (!strstr(text, want))
		fail_msg("no line \"%s\" in:\n%s", line, text);
}

static void assert_lacks(const char *text, const char *part)
{
	if (strstr(text, part))
		fail_msg("\"%s\" should not be in:\n%s", part, text);
}

static int count(const char *text, const char *part)
{
	int n = 0;

	for (const char *s = strstr(text, part); s; s = strstr(s + 1, part))
		n++;
	return n;
}

static void one_port_whole_file(void **state)
{
	struct dnsmasq_port p = port4("lan.101", "10.0.1.1", 24);
	char *text;

	(void)state;
	add6(&p, "fd00:1::1", 64);
	text = config_for(&p, 1, URL);
	assert_non_null(text);
	assert_string_equal(
		text, "# dnsmasq for wicket's access ports: DHCP, DNS and router advertisements.\n"
		      "# Made from wicketd's configuration and the ports' addresses by\n"
		      "# wicket-dnsmasq-conf; made anew at each start, so not to be edited. The\n"
		      "# venue's own settings (server=, local names) go in a file of their own.\n"
		      "\n"
		      "# Only the access ports, on their own addresses (not lo, not the upstream).\n"
		      "bind-dynamic\n"
		      "except-interface=lo\n"
		      "\n"
		      "# DNS, forwarded to the router's resolvers.\n"
		      "port=53\n"
		      "domain-needed\n"
		      "bogus-priv\n"
		      "\n"
		      "# DHCP: the only server on these links, no lease script.\n"
		      "dhcp-authoritative\n"
		      "dhcp-leasefile=/var/lib/wicket/dnsmasq.leases\n"
		      "dhcp-lease-max=245\n"
		      "enable-ra\n"
		      "\n"
		      "# RFC 8910: the portal's API (RFC 8908), DHCPv4 option 114 and DHCPv6 option 103.\n"
		      "dhcp-option=114,\"https://10.0.1.1:8443/api/captive\"\n"
		      "dhcp-option=option6:103,\"https://10.0.1.1:8443/api/captive\"\n"
		      "\n"
		      "# access port lan.101\n"
		      "interface=lan.101\n"
		      "dhcp-range=10.0.1.10,10.0.1.254,255.255.255.0,3600\n"
		      "dhcp-range=fd00:1::,ra-stateless,64,3600\n");
	assert_lacks(text, "dhcp-script");
	free(text);
}

static void several_ports_each_its_own_ranges(void **state)
{
	struct dnsmasq_port p[3] = {
		port4("lan.101", "10.0.1.1", 24),
		port4("lan.102", "10.1.0.100", 24), /* the gateway mid-subnet: split around it */
		port4("lan.103", "192.168.7.14", 28), /* small: from the 2nd host address */
	};
	char *text;

	(void)state;
	text = config_for(p, 3, URL);
	assert_non_null(text);
	assert_has(text, "interface=lan.101");
	assert_has(text, "interface=lan.102");
	assert_has(text, "interface=lan.103");
	assert_has(text, "dhcp-range=10.0.1.10,10.0.1.254,255.255.255.0,3600");
	assert_has(text, "dhcp-range=10.1.0.10,10.1.0.99,255.255.255.0,3600");
	assert_has(text, "dhcp-range=10.1.0.101,10.1.0.254,255.255.255.0,3600");
	assert_has(text, "dhcp-range=192.168.7.2,192.168.7.13,255.255.255.240,3600");
	/* 245 + 90 + 154 + 12: every guest address counts, none beyond. */
	assert_has(text, "dhcp-lease-max=501");
	/* In the order given, each range after its port's interface= line. */
	assert_true(strstr(text, "interface=lan.101") < strstr(text, "10.0.1.10,"));
	assert_true(strstr(text, "10.0.1.10,") < strstr(text, "interface=lan.102"));
	assert_true(strstr(text, "interface=lan.102") < strstr(text, "10.1.0.10,"));
	assert_true(strstr(text, "10.1.0.101,") < strstr(text, "interface=lan.103"));
	assert_int_equal(count(text, "dhcp-option=114,"), 1);
	free(text);
}

static void ipv4_only_port_has_no_router_advertisements(void **state)
{
	struct dnsmasq_port p = port4("lan.101", "10.0.1.1", 24);
	char *text = config_for(&p, 1, URL);

	(void)state;
	assert_non_null(text);
	assert_lacks(text, "enable-ra");
	assert_lacks(text, "ra-stateless");
	assert_has(text, "dhcp-range=10.0.1.10,10.0.1.254,255.255.255.0,3600");
	free(text);
}

static void ipv6_prefixes(void **state)
{
	struct dnsmasq_port p[2] = { port4("lan.101", "10.0.1.1", 24), { .ifname = "lan.102" } };
	char *text;

	(void)state;
	/* The gateway's address anywhere in the /64 stands for the prefix. */
	add6(&p[0], "2001:db8:0:101::1", 64);
	add6(&p[0], "fd00:101::a:b:c:d", 64);
	add6(&p[1], "fd00:102::1", 64); /* an IPv6-only port */
	text = config_for(p, 2, URL);
	assert_non_null(text);
	assert_has(text, "enable-ra");
	assert_has(text, "dhcp-range=2001:db8:0:101::,ra-stateless,64,3600");
	assert_has(text, "dhcp-range=fd00:101::,ra-stateless,64,3600");
	assert_has(text, "dhcp-range=fd00:102::,ra-stateless,64,3600");
	assert_has(text, "dhcp-option=option6:103,\"" URL "\"");
	assert_true(strstr(text, "interface=lan.102") < strstr(text, "fd00:102::,"));
	assert_int_equal(count(text, "dhcp-range="), 4);
	free(text);

	/* IPv6 only: no DHCPv4 leases to count. */
	text = config_for(&p[1], 1, URL);
	assert_non_null(text);
	assert_lacks(text, "dhcp-lease-max");
	free(text);
}

static void ipv6_prefix_not_64_is_refused(void **state)
{
	struct dnsmasq_port p = port4("lan.101", "10.0.1.1", 24);

	(void)state;
	add6(&p, "fd00:1::1", 80);
	assert_null(config_for(&p, 1, URL));
	assert_int_equal(ret, -EINVAL);
	assert_non_null(strstr(err, "lan.101"));
	assert_non_null(strstr(err, "fd00:1::1/80"));
	assert_non_null(strstr(err, "/64"));
	p.v6[0].len = 48;
	assert_null(config_for(&p, 1, URL));
	p.nv6 = 0;
	add6(&p, "fe80::1", 64);
	assert_null(config_for(&p, 1, URL));
	assert_non_null(strstr(err, "fe80::1"));
}

static void subnet_without_room_is_refused(void **state)
{
	struct dnsmasq_port p[2] = { port4("lan.101", "10.0.1.1", 24), port4("lan.102", "10.0.2.1", 30) };

	(void)state;
	assert_null(config_for(p, 2, URL));
	assert_int_equal(ret, -EINVAL);
	assert_string_equal(err, "lan.102: 10.0.2.1/30 leaves 1 address to guests, at least 4 are needed: "
				 "give the port a /29 or larger");
	p[1] = port4("lan.102", "10.0.2.1", 31);
	assert_null(config_for(p, 2, URL));
	assert_non_null(strstr(err, "leaves 0 addresses"));
	p[1] = port4("lan.102", "10.0.2.1", 32);
	assert_null(config_for(p, 2, URL));
	/* A /29 is enough, wherever the gateway is in it. */
	p[1] = port4("lan.102", "10.0.2.3", 29);
	free(config_for(p, 2, URL));
	assert_int_equal(ret, 0);
	/* The subnet's own network or broadcast address is no gateway's. */
	p[1] = port4("lan.102", "10.0.2.255", 24);
	assert_null(config_for(p, 2, URL));
	assert_non_null(strstr(err, "broadcast"));
}

static void ports_sharing_a_subnet_are_refused(void **state)
{
	struct dnsmasq_port p[2] = { port4("lan.101", "10.0.1.1", 24), port4("lan.102", "10.0.1.200", 24) };

	(void)state;
	assert_null(config_for(p, 2, URL));
	assert_non_null(strstr(err, "lan.101 and lan.102 share an IPv4 subnet"));
	p[1] = port4("lan.102", "10.0.2.1", 24);
	add6(&p[0], "fd00:1::1", 64);
	add6(&p[1], "fd00:1::2", 64);
	assert_null(config_for(p, 2, URL));
	assert_non_null(strstr(err, "share an IPv6 prefix"));
	p[1] = port4("lan.101", "10.0.2.1", 24);
	assert_null(config_for(p, 2, URL));
	assert_non_null(strstr(err, "given twice"));
}

static void bad_port_names_and_lease_times_are_refused(void **state)
{
	struct dnsmasq_port p = port4("lan,101", "10.0.1.1", 24);
	struct dnsmasq_params params = { .ports = &p, .nports = 1, .api_url = URL, .dns_port = 53 };
	FILE *f = fopen("/dev/null", "w");

	(void)state;
	assert_null(config_for(&p, 1, URL));
	assert_non_null(strstr(err, "lan,101"));
	snprintf(p.ifname, sizeof(p.ifname), "lan.101");
	params.lease_seconds = 119;
	assert_int_equal(dnsmasq_write_config(&params, f, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "lease time"));
	params.lease_seconds = 120;
	assert_int_equal(dnsmasq_write_config(&params, f, err, sizeof(err)), 0);
	params.lease_file = "relative/leases";
	assert_int_equal(dnsmasq_write_config(&params, f, err, sizeof(err)), -EINVAL);
	params.lease_file = NULL;
	params.nports = 0;
	assert_int_equal(dnsmasq_write_config(&params, f, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no access ports");
	fclose(f);
}

static void url_is_quoted_and_checked(void **state)
{
	struct dnsmasq_port p = port4("lan.101", "10.0.1.1", 24);
	char long_url[300];
	char *text;

	(void)state;
	/* dnsmasq's special characters (, : . #) are plain inside the quotes. */
	text = config_for(&p, 1, "https://portal.example:8443/api/captive?a=1,b=2;c#top");
	assert_non_null(text);
	assert_has(text, "dhcp-option=114,\"https://portal.example:8443/api/captive?a=1,b=2;c#top\"");
	assert_has(text, "dhcp-option=option6:103,\"https://portal.example:8443/api/captive?a=1,b=2;c#top\"");
	free(text);
	/* What could end the quoted string, or is no URI, is refused. */
	assert_null(config_for(&p, 1, "https://10.0.1.1/a\"b"));
	assert_non_null(strstr(err, "0x22"));
	assert_null(config_for(&p, 1, "https://10.0.1.1/a\\b"));
	assert_non_null(strstr(err, "0x5c"));
	assert_null(config_for(&p, 1, "https://10.0.1.1/a b"));
	assert_null(config_for(&p, 1, "https://10.0.1.1/a\nport=99"));
	assert_null(config_for(&p, 1, "https://10.0.1.1/caf\xc3\xa9"));
	/* RFC 8908: https only. */
	assert_null(config_for(&p, 1, "http://10.0.1.1:8080/api/captive"));
	assert_non_null(strstr(err, "https://"));
	assert_null(config_for(&p, 1, "https://"));
	assert_null(config_for(&p, 1, NULL));
	/* A DHCPv4 option holds 255 bytes. */
	memset(long_url, 'a', sizeof(long_url));
	memcpy(long_url, "https://", 8);
	long_url[255] = '\0';
	free(config_for(&p, 1, long_url));
	assert_int_equal(ret, 0);
	long_url[255] = 'a';
	long_url[256] = '\0';
	assert_null(config_for(&p, 1, long_url));
	assert_non_null(strstr(err, "256 bytes"));
}

static void api_url_brackets_ipv6(void **state)
{
	char url[DNSMASQ_URL_MAX];

	(void)state;
	assert_int_equal(dnsmasq_api_url("10.0.1.1", 8443, url, sizeof(url)), 0);
	assert_string_equal(url, "https://10.0.1.1:8443/api/captive");
	assert_int_equal(dnsmasq_api_url("fd00:1::1", 443, url, sizeof(url)), 0);
	assert_string_equal(url, "https://[fd00:1::1]:443/api/captive");
	assert_int_equal(dnsmasq_api_url("fe80::1%lan0", 443, url, sizeof(url)), -EINVAL);
	assert_int_equal(dnsmasq_api_url("", 443, url, sizeof(url)), -EINVAL);
	assert_int_equal(dnsmasq_api_url("10.0.1.1", 0, url, sizeof(url)), -EINVAL);
	assert_int_equal(dnsmasq_api_url("10.0.1.1", 8443, url, 20), -ENOSPC);
}

/* What dnsmasq itself says of the file (its own parser, quotes included). */
static void dnsmasq_accepts_the_file(void **state)
{
	struct dnsmasq_port p[2] = { port4("lan.101", "10.0.1.1", 24), port4("lan.102", "10.1.0.100", 24) };
	char path[] = "/tmp/test_dnsmasq.XXXXXX", cmd[256];
	char *text;
	FILE *f;
	int fd;

	(void)state;
	if (system("dnsmasq --version > /dev/null 2>&1") != 0)
		skip();
	add6(&p[0], "fd00:1::1", 64);
	text = config_for(p, 2, "https://[fd00:1::1]:8443/api/captive?x=1,y#z");
	assert_non_null(text);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "dnsmasq --test --conf-file=%s > /dev/null 2>&1", path);
	ret = system(cmd);
	unlink(path);
	free(text);
	assert_int_equal(ret, 0);
}

/* --- the addresses of the ports, from a private network namespace */

static struct nl_sock *sock;

/* An address as the router's network configuration would put it. */
static int address(const char *dev, const char *cidr, int deprecated)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local;
	int err = nl_addr_parse(cidr, AF_UNSPEC, &local);

	if (err)
		return err;
	rtnl_addr_set_ifindex(a, (int)if_nametoindex(dev));
	rtnl_addr_set_local(a, local);
	if (nl_addr_get_family(local) == AF_INET6)
		rtnl_addr_set_flags(a, IFA_F_NODAD);
	if (deprecated) {
		rtnl_addr_set_valid_lifetime(a, 3600);
		rtnl_addr_set_preferred_lifetime(a, 0);
	}
	err = rtnl_addr_add(sock, a, 0);
	nl_addr_put(local);
	rtnl_addr_put(a);
	return err;
}

/* Once for all the tests below: a namespace with ports p1 and p2 (and their peers). */
static int netns(void **state)
{
	static int done, ok;

	(void)state;
	if (done)
		return ok ? 0 : -1;
	done = 1;
	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		print_message("needs root to make a network namespace\n");
		return -1;
	}
	sock = nl_socket_alloc();
	if (!sock || nl_connect(sock, NETLINK_ROUTE) || nl_links_veth(sock, "p1", "p1peer") ||
	    nl_links_veth(sock, "p2", "p2peer") || nl_links_up(sock, "p1") || nl_links_up(sock, "p1peer") ||
	    nl_links_up(sock, "p2") || nl_links_up(sock, "p2peer"))
		return -1;
	if (address("p1", "10.0.1.1/24", 0) || address("p1", "10.0.1.2/24", 0) || /* a secondary */
	    address("p1", "10.5.0.1/16", 0) || /* another primary: the first one counts */
	    address("p1", "fd00:1::1/64", 0) || address("p1", "fd00:1::2/64", 0) || /* same prefix */
	    address("p1", "2001:db8:1::1/64", 0) || address("p1", "fd00:9::1/128", 0) || /* no prefix */
	    address("p1", "fd00:8::1/64", 1) || /* deprecated */
	    address("p2", "fd00:2::1/64", 0))
		return -1;
	ok = 1;
	return 0;
}

static void addresses_are_read_from_the_kernel(void **state)
{
	struct dnsmasq_port p[3] = { { .ifname = "p1", .has_v4 = 1, .nv6 = 3 },
				     { .ifname = "p2" },
				     { .ifname = "p9" } };
	char a[INET6_ADDRSTRLEN];
	int seen_ula = 0, seen_gua = 0;

	(void)state;
	assert_int_equal(dnsmasq_read_ports(p, 3, err, sizeof(err)), 0);
	assert_string_equal(p[0].ifname, "p1");
	assert_true(p[0].has_v4);
	assert_string_equal(inet_ntop(AF_INET, &p[0].v4, a, sizeof(a)), "10.0.1.1");
	assert_int_equal(p[0].v4_len, 24);
	/* Not link-local, not /128, not deprecated; one address per prefix. */
	assert_int_equal(p[0].nv6, 2);
	for (size_t i = 0; i < p[0].nv6; i++) {
		inet_ntop(AF_INET6, &p[0].v6[i].addr, a, sizeof(a));
		assert_int_equal(p[0].v6[i].len, 64);
		seen_ula += strncmp(a, "fd00:1::", 8) == 0;
		seen_gua += strcmp(a, "2001:db8:1::1") == 0;
	}
	assert_int_equal(seen_ula, 1);
	assert_int_equal(seen_gua, 1);
	/* IPv6 only. */
	assert_false(p[1].has_v4);
	assert_int_equal(p[1].nv6, 1);
	assert_string_equal(inet_ntop(AF_INET6, &p[1].v6[0].addr, a, sizeof(a)), "fd00:2::1");
	/* No such interface: no addresses, no error. */
	assert_string_equal(p[2].ifname, "p9");
	assert_false(p[2].has_v4);
	assert_int_equal(p[2].nv6, 0);
}

static void the_command_line_config(void **state)
{
	static const char conf[] = "[gateway]\n"
				   "store = /var/lib/wicket/wicket.db\n"
				   "portal = 10.0.1.1:8080\n"
				   "portal_tls_port = 8443\n"
				   "dns_port = 5353\n"
				   "upstream = wan0\n"
				   "[keepalive]\n"
				   "secret_file = /etc/wicket/keepalive.key\n"
				   "[port p1]\n"
				   "[port p2]\n"
				   "[port p9]\n";
	struct wicket_config *cfg = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(config_load_string(conf, "wicketd.conf", &cfg, err, sizeof(err)), 0);
	f = open_memstream(&text, &len);
	assert_int_equal(dnsmasq_print_config(cfg, f, err, sizeof(err)), 0);
	fclose(f);
	assert_has(text, "port=5353");
	assert_has(text, "dhcp-leasefile=/var/lib/wicket/dnsmasq.leases");
	assert_has(text, "dhcp-option=114,\"https://10.0.1.1:8443/api/captive\"");
	assert_has(text, "dhcp-range=10.0.1.10,10.0.1.254,255.255.255.0,3600");
	assert_has(text, "dhcp-range=fd00:2::,ra-stateless,64,3600");
	assert_has(text, "interface=p9");
	assert_has(text, "# (no address on p9: no DHCP or router advertisements there)");
	free(text);
	config_free(cfg);

	/* None of the ports has an address: an error, not an empty service. */
	cfg = NULL;
	assert_int_equal(config_load_string("[gateway]\nstore = /var/lib/wicket/wicket.db\n"
					    "portal = [fd00:1::1]:8080\nupstream = wan0\n"
					    "[keepalive]\nsecret_file = /k\n[port p9]\n",
					    "wicketd.conf", &cfg, err, sizeof(err)),
			 0);
	f = fopen("/dev/null", "w");
	assert_int_equal(dnsmasq_print_config(cfg, f, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "none of the 1 access ports has an address"));
	fclose(f);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_port_whole_file),
		cmocka_unit_test(several_ports_each_its_own_ranges),
		cmocka_unit_test(ipv4_only_port_has_no_router_advertisements),
		cmocka_unit_test(ipv6_prefixes),
		cmocka_unit_test(ipv6_prefix_not_64_is_refused),
		cmocka_unit_test(subnet_without_room_is_refused),
		cmocka_unit_test(ports_sharing_a_subnet_are_refused),
		cmocka_unit_test(bad_port_names_and_lease_times_are_refused),
		cmocka_unit_test(url_is_quoted_and_checked),
		cmocka_unit_test(api_url_brackets_ipv6),
		cmocka_unit_test(dnsmasq_accepts_the_file),
		cmocka_unit_test_setup(addresses_are_read_from_the_kernel, netns),
		cmocka_unit_test_setup(the_command_line_config, netns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
