/*
 * dnsmasq's configuration for the access ports (see dnsmasq.h): made
 * whole in memory and written only when every port checked out, so that a
 * bad port never leaves half a file behind.
 */
#include "dnsmasq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

#define LEASE_MIN 120 /* dnsmasq's own minimum */
#define LEASE_MAX 31536000

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int dnsmasq_api_url(const char *host, uint16_t port, char *buf, size_t len)
{
	int n;

	if (!host || !*host || strchr(host, '%') || strpbrk(host, "[]/ ") || !port)
		return -EINVAL;
	if (strchr(host, ':'))
		n = snprintf(buf, len, "https://[%s]:%u/api/captive", host, port);
	else
		n = snprintf(buf, len, "https://%s:%u/api/captive", host, port);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return 0;
}

/*
 * The characters of a URI (RFC 3986: unreserved, reserved and '%'): no
 * space, control, quote, backslash or non-ASCII byte can reach dnsmasq's
 * quoted string, where the rest (',', ':', '.', '#') lose their meaning.
 */
static int uri_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("-._~:/?#[]@!$&'()*+,;=%", c));
}

static int check_url(const char *url, char *err, size_t errlen)
{
	size_t n;

	if (!url || strncmp(url, "https://", 8) != 0 || !url[8])
		return fail(err, errlen, "portal API URL \"%s\": expected https://HOST... (RFC 8908)",
			    url ? url : "");
	n = strlen(url);
	if (n > DNSMASQ_URL_MAX - 1)
		return fail(err, errlen, "portal API URL: %zu bytes, a DHCP option holds at most %d", n,
			    DNSMASQ_URL_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if (!uri_char((unsigned char)url[i]))
			return fail(err, errlen,
				    "portal API URL \"%s\": byte 0x%02x at %zu is not allowed in a URI", url,
				    (unsigned char)url[i], i);
	return 0;
}

/* Interface names go unquoted into interface= lists, where ',' separates. */
static int check_ifname(const char *name, char *err, size_t errlen)
{
	size_t n = strnlen(name, DNSMASQ_IFNAME_MAX);

	if (n == 0 || n >= DNSMASQ_IFNAME_MAX)
		return fail(err, errlen,
			    "access port \"%.*s\": expected an interface name of 1 to %d characters", (int)n,
			    name, DNSMASQ_IFNAME_MAX - 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= ' ' || c >= 0x7f || strchr(",\"#\\/:'", c))
			return fail(err, errlen,
				    "access port \"%s\": its name has a character dnsmasq cannot take", name);
	}
	return 0;
}

struct range4 {
	uint32_t start, end; /* host order, inclusive */
};

/* A port's IPv4 ranges (one, or two around the gateway) and how many addresses they hold. */
static int ranges4(const struct dnsmasq_port *port, struct range4 r[2], size_t *nr, uint64_t *count,
		   char *err, size_t errlen)
{
	uint32_t a = ntohl(port->v4.s_addr), mask, net, bcast, start, end;
	uint64_t size;
	char txt[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &port->v4, txt, sizeof(txt));
	if (port->v4_len > 32)
		return fail(err, errlen, "%s: %s/%u: not an IPv4 prefix length", port->ifname, txt,
			    port->v4_len);
	if ((a >> 24) == 0 || (a >> 24) == 127 || (a >> 28) >= 14)
		return fail(err, errlen, "%s: %s is not a unicast address a subnet can be served from",
			    port->ifname, txt);
	size = 1ULL << (32 - port->v4_len);
	mask = port->v4_len ? 0xffffffffU << (32 - port->v4_len) : 0;
	net = a & mask;
	bcast = net | ~mask;
	*nr = 0;
	*count = 0;
	if (size >= 4) {
		start = net + (size >= 64 ? 10 : 2);
		end = bcast - 1;
		if (a == net || a == bcast)
			return fail(err, errlen, "%s: %s/%u is its subnet's %s address, not a host's",
				    port->ifname, txt, port->v4_len, a == net ? "network" : "broadcast");
		if (a < start || a > end) {
			r[(*nr)++] = (struct range4){ start, end };
		} else {
			if (a > start)
				r[(*nr)++] = (struct range4){ start, a - 1 };
			if (a < end)
				r[(*nr)++] = (struct range4){ a + 1, end };
		}
		for (size_t i = 0; i < *nr; i++)
			*count += (uint64_t)r[i].end - r[i].start + 1;
	}
	if (*count < DNSMASQ_MIN_GUESTS)
		return fail(err, errlen,
			    "%s: %s/%u leaves %llu address%s to guests, at least %d are needed: "
			    "give the port a /29 or larger",
			    port->ifname, txt, port->v4_len, (unsigned long long)*count,
			    *count == 1 ? "" : "es", DNSMASQ_MIN_GUESTS);
	return 0;
}

/* The /64 of an address, or an error for anything a guest cannot SLAAC in. */
static int prefix6(const struct dnsmasq_port *port, size_t i, struct in6_addr *prefix, char *err,
		   size_t errlen)
{
	const struct in6_addr *a = &port->v6[i].addr;
	char txt[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, txt, sizeof(txt));
	if (IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_MULTICAST(a) || IN6_IS_ADDR_UNSPECIFIED(a) ||
	    IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_V4MAPPED(a))
		return fail(err, errlen, "%s: %s is not a global or unique local address", port->ifname, txt);
	if (port->v6[i].len != 64)
		return fail(err, errlen,
			    "%s: IPv6 prefix %s/%u: an access port's prefix must be a /64 "
			    "(guests take SLAAC addresses in it)",
			    port->ifname, txt, port->v6[i].len);
	*prefix = *a;
	memset(prefix->s6_addr + 8, 0, 8);
	return 0;
}

static int check_ports(const struct dnsmasq_params *p, char *err, size_t errlen)
{
	struct range4 r[2];
	struct in6_addr pa, pb;
	uint64_t count;
	size_t nr;
	int ret;

	if (!p->nports)
		return fail(err, errlen, "no access ports");
	for (size_t i = 0; i < p->nports; i++) {
		const struct dnsmasq_port *port = &p->ports[i];

		ret = check_ifname(port->ifname, err, errlen);
		if (!ret && port->has_v4)
			ret = ranges4(port, r, &nr, &count, err, errlen);
		if (!ret && port->nv6 > DNSMASQ_V6_MAX)
			ret = fail(err, errlen, "%s: more than %d IPv6 prefixes", port->ifname,
				   DNSMASQ_V6_MAX);
		for (size_t k = 0; !ret && k < port->nv6; k++)
			ret = prefix6(port, k, &pa, err, errlen);
		if (ret)
			return ret;
	}
	/* Two ports in one subnet would hand out each other's addresses. */
	for (size_t i = 0; i < p->nports; i++) {
		const struct dnsmasq_port *a = &p->ports[i];

		for (size_t j = i + 1; j < p->nports; j++) {
			const struct dnsmasq_port *b = &p->ports[j];

			if (strcmp(a->ifname, b->ifname) == 0)
				return fail(err, errlen, "access port %s is given twice", a->ifname);
			if (a->has_v4 && b->has_v4) {
				unsigned int len = a->v4_len < b->v4_len ? a->v4_len : b->v4_len;
				uint32_t mask = len ? 0xffffffffU << (32 - len) : 0;

				if (((ntohl(a->v4.s_addr) ^ ntohl(b->v4.s_addr)) & mask) == 0)
					return fail(err, errlen,
						    "access ports %s and %s share an IPv4 subnet", a->ifname,
						    b->ifname);
			}
			for (size_t k = 0; k < a->nv6; k++)
				for (size_t m = 0; m < b->nv6; m++) {
					prefix6(a, k, &pa, NULL, 0);
					prefix6(b, m, &pb, NULL, 0);
					if (memcmp(&pa, &pb, sizeof(pa)) == 0)
						return fail(err, errlen,
							    "access ports %s and %s share an IPv6 prefix",
							    a->ifname, b->ifname);
				}
		}
	}
	return 0;
}

static void put_port(FILE *f, const struct dnsmasq_port *port, unsigned int lease)
{
	char s[INET6_ADDRSTRLEN], e[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN];
	struct range4 r[2];
	struct in6_addr prefix;
	struct in_addr a;
	uint64_t count;
	size_t nr;

	fprintf(f, "\n# access port %s\n", port->ifname);
	fprintf(f, "interface=%s\n", port->ifname);
	if (!port->has_v4 && !port->nv6)
		fprintf(f, "# (no address on %s: no DHCP or router advertisements there)\n", port->ifname);
	if (port->has_v4) {
		ranges4(port, r, &nr, &count, NULL, 0);
		a.s_addr = htonl(port->v4_len ? 0xffffffffU << (32 - port->v4_len) : 0);
		inet_ntop(AF_INET, &a, m, sizeof(m));
		for (size_t i = 0; i < nr; i++) {
			a.s_addr = htonl(r[i].start);
			inet_ntop(AF_INET, &a, s, sizeof(s));
			a.s_addr = htonl(r[i].end);
			inet_ntop(AF_INET, &a, e, sizeof(e));
			fprintf(f, "dhcp-range=%s,%s,%s,%u\n", s, e, m, lease);
		}
	}
	for (size_t i = 0; i < port->nv6; i++) {
		prefix6(port, i, &prefix, NULL, 0);
		inet_ntop(AF_INET6, &prefix, s, sizeof(s));
		fprintf(f, "dhcp-range=%s,ra-stateless,64,%u\n", s, lease);
	}
}

static void put_config(FILE *f, const struct dnsmasq_params *p)
{
	uint64_t leases = 0, count;
	struct range4 r[2];
	size_t nr, nv6 = 0;

	for (size_t i = 0; i < p->nports; i++) {
		if (p->ports[i].has_v4 && ranges4(&p->ports[i], r, &nr, &count, NULL, 0) == 0)
			leases += count;
		nv6 += p->ports[i].nv6;
	}
	fputs("# dnsmasq for wicket's access ports: DHCP, DNS and router advertisements.\n"
	      "# Made from wicketd's configuration and the ports' addresses by\n"
	      "# wicket-dnsmasq-conf; made anew at each start, so not to be edited. The\n"
	      "# venue's own settings (server=, local names) go in a file of their own.\n",
	      f);
	fputs("\n# Only the access ports, on their own addresses (not lo, not the upstream).\n"
	      "bind-dynamic\n"
	      "except-interface=lo\n",
	      f);
	if (p->dns_port)
		fprintf(f,
			"\n# DNS, forwarded to the router's resolvers.\nport=%u\ndomain-needed\nbogus-priv\n",
			p->dns_port);
	else
		fputs("\n# No DNS.\nport=0\n", f);
	fputs("\n# DHCP: the only server on these links, no lease script.\ndhcp-authoritative\n", f);
	if (p->lease_file)
		fprintf(f, "dhcp-leasefile=%s\n", p->lease_file);
	if (leases)
		fprintf(f, "dhcp-lease-max=%llu\n",
			(unsigned long long)(leases > INT_MAX ? INT_MAX : leases));
	if (nv6)
		fputs("enable-ra\n", f);
	fprintf(f,
		"\n# RFC 8910: the portal's API (RFC 8908), DHCPv4 option 114 and DHCPv6 option 103.\n"
		"dhcp-option=114,\"%s\"\n"
		"dhcp-option=option6:103,\"%s\"\n",
		p->api_url, p->api_url);
	for (size_t i = 0; i < p->nports; i++)
		put_port(f, &p->ports[i], p->lease_seconds);
}

int dnsmasq_write_config(const struct dnsmasq_params *p, FILE *out, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	if (errlen)
		err[0] = '\0';
	ret = check_url(p->api_url, err, errlen);
	if (!ret && (p->lease_seconds < LEASE_MIN || p->lease_seconds > LEASE_MAX))
		ret = fail(err, errlen, "lease time %u s: expected %d to %d seconds", p->lease_seconds,
			   LEASE_MIN, LEASE_MAX);
	if (!ret && p->lease_file && (p->lease_file[0] != '/' || strpbrk(p->lease_file, "\n\r")))
		ret = fail(err, errlen, "lease file \"%s\": expected an absolute path", p->lease_file);
	if (!ret)
		ret = check_ports(p, err, errlen);
	if (ret)
		return ret;
	f = open_memstream(&text, &len);
	if (!f) {
		fail(err, errlen, "out of memory");
		return -ENOMEM;
	}
	put_config(f, p);
	if (fclose(f) != 0) {
		free(text);
		fail(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = fwrite(text, 1, len, out) == len && fflush(out) == 0 ? 0 : -EIO;
	if (ret)
		fail(err, errlen, "cannot write the configuration: %s", strerror(errno));
	free(text);
	return ret;
}

/* --- the ports' addresses, from the kernel */

struct port_index {
	int ifindex;
	size_t port;
};

static int by_ifindex(const void *a, const void *b)
{
	const struct port_index *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

static void take_addr(struct dnsmasq_port *port, struct rtnl_addr *ra)
{
	struct nl_addr *local = rtnl_addr_get_local(ra);
	unsigned int flags = rtnl_addr_get_flags(ra), len = rtnl_addr_get_prefixlen(ra);
	struct in6_addr a6;

	if (!local)
		return;
	if (rtnl_addr_get_family(ra) == AF_INET && nl_addr_get_len(local) == 4) {
		if (port->has_v4 || (flags & IFA_F_SECONDARY))
			return;
		memcpy(&port->v4, nl_addr_get_binary_addr(local), 4);
		port->v4_len = len;
		port->has_v4 = 1;
	} else if (rtnl_addr_get_family(ra) == AF_INET6 && nl_addr_get_len(local) == 16) {
		if (rtnl_addr_get_scope(ra) != RT_SCOPE_UNIVERSE || len >= 128 ||
		    (flags & (IFA_F_TEMPORARY | IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_DEPRECATED)))
			return;
		memcpy(&a6, nl_addr_get_binary_addr(local), 16);
		/* One per prefix: a second address in it adds nothing. */
		for (size_t i = 0; i < port->nv6; i++)
			if (port->v6[i].len == len && memcmp(&port->v6[i].addr, &a6, 8) == 0)
				return;
		if (port->nv6 == DNSMASQ_V6_MAX)
			return;
		port->v6[port->nv6].addr = a6;
		port->v6[port->nv6].len = len;
		port->nv6++;
	}
}

int dnsmasq_read_ports(struct dnsmasq_port *ports, size_t nports, char *err, size_t errlen)
{
	struct port_index *index = calloc(nports ? nports : 1, sizeof(*index)), key, *hit;
	struct nl_sock *sock = nl_socket_alloc();
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	size_t n = 0;
	int ret = 0;

	if (!index || !sock) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nports; i++) {
		char name[DNSMASQ_IFNAME_MAX];

		snprintf(name, sizeof(name), "%s", ports[i].ifname);
		memset(&ports[i], 0, sizeof(ports[i]));
		memcpy(ports[i].ifname, name, sizeof(name));
		key.ifindex = (int)if_nametoindex(name);
		if (key.ifindex > 0)
			index[n++] = (struct port_index){ key.ifindex, i };
	}
	qsort(index, n, sizeof(*index), by_ifindex);
	ret = nl_connect(sock, NETLINK_ROUTE);
	if (!ret)
		ret = rtnl_addr_alloc_cache(sock, &cache);
	if (ret) {
		snprintf(err, errlen, "cannot read the interfaces' addresses: %s", nl_geterror(ret));
		ret = -EIO;
		goto out;
	}
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)obj;

		key.ifindex = rtnl_addr_get_ifindex(ra);
		hit = bsearch(&key, index, n, sizeof(*index), by_ifindex);
		if (hit)
			take_addr(&ports[hit->port], ra);
	}
out:
	if (cache)
		nl_cache_free(cache);
	nl_socket_free(sock);
	free(index);
	return ret;
}

int dnsmasq_print_config(const struct wicket_config *cfg, FILE *out, char *err, size_t errlen)
{
	struct dnsmasq_port *ports = calloc(cfg->nports ? cfg->nports : 1, sizeof(*ports));
	char url[DNSMASQ_URL_MAX], leases[CONFIG_PATH_MAX + 32];
	const char *slash;
	struct dnsmasq_params p = {
		.ports = ports,
		.nports = cfg->nports,
		.api_url = url,
		.dns_port = cfg->gateway.dns_port,
		.lease_seconds = DNSMASQ_LEASE_DEFAULT,
		.lease_file = leases,
	};
	size_t served = 0;
	int ret;

	if (!ports) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* The API is on the portal's HTTPS port (portal.c's origin). */
	ret = dnsmasq_api_url(cfg->gateway.portal.host, cfg->gateway.portal_tls_port, url, sizeof(url));
	if (ret) {
		snprintf(err, errlen,
			 "[gateway] portal %s, portal_tls_port %u: no API URL can be made of them",
			 cfg->gateway.portal.host, cfg->gateway.portal_tls_port);
		goto out;
	}
	/* The store's directory is wicketd's own: the leases go beside it. */
	slash = strrchr(cfg->gateway.store, '/');
	snprintf(leases, sizeof(leases), "%.*sdnsmasq.leases",
		 slash ? (int)(slash + 1 - cfg->gateway.store) : 0, cfg->gateway.store);
	for (size_t i = 0; i < cfg->nports; i++)
		snprintf(ports[i].ifname, sizeof(ports[i].ifname), "%s", cfg->ports[i].ifname);
	ret = dnsmasq_read_ports(ports, cfg->nports, err, errlen);
	if (ret)
		goto out;
	for (size_t i = 0; i < cfg->nports; i++) {
		if (ports[i].has_v4 || ports[i].nv6)
			served++;
		else
			log_warn("access port %s: %s: no DHCP or router advertisements there",
				 ports[i].ifname,
				 if_nametoindex(ports[i].ifname) ? "no IPv4 or global IPv6 address on it"
								 : "no such interface");
	}
	if (!served && cfg->nports) {
		ret = -ENOENT;
		snprintf(err, errlen, "none of the %zu access ports has an address: nothing to serve",
			 cfg->nports);
		goto out;
	}
	ret = dnsmasq_write_config(&p, out, err, errlen);
out:
	free(ports);
	return ret;
}
