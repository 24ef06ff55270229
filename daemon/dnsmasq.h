/*
 * DHCP, DNS and router advertisements for the guests, by dnsmasq: the
 * configuration file that dnsmasq runs with, made from wicketd's access
 * ports and the addresses the router's network configuration put on them.
 *
 * What the file says (dnsmasq_write_config):
 *   - dnsmasq listens on the access ports only (interface= per port,
 *     bind-dynamic: it binds their own addresses, follows ports and
 *     addresses that come later, and leaves lo, the upstream and any other
 *     resolver of the router alone);
 *   - DNS on the gateway's DNS port, forwarded to the router's own
 *     resolvers (/etc/resolv.conf; server= lines are the venue's);
 *   - per port one DHCPv4 range in the port's IPv4 subnet (below), the
 *     router and DNS options being the port's own address (dnsmasq's
 *     defaults), dhcp-authoritative, no lease script;
 *   - per IPv6 /64 prefix of a port, router advertisements with SLAAC and
 *     stateless DHCPv6 (ra-stateless: the A and O bits);
 *   - the portal's RFC 8908 API URI as DHCPv4 option 114 and DHCPv6
 *     option 103 (RFC 8910), to every port: a guest on a free port learns
 *     from the API that it is not captive;
 *   - dhcp-lease-max as large as the ranges (dnsmasq's default of 1000
 *     would refuse guests beyond it).
 *
 * The DHCPv4 range of a port with address A/len: its subnet's host
 * addresses from the 10th (the 2nd in subnets under 64 addresses) to the
 * last, without A (a range that would hold A is split around it). The
 * addresses below are left to the gateway and the venue's equipment. A
 * port must leave at least DNSMASQ_MIN_GUESTS addresses to guests: a
 * /29 or larger.
 *
 * An IPv6 prefix must be a /64: SLAAC needs one, and many guests (Android)
 * have no DHCPv6 client to take an address from a longer prefix.
 */
#ifndef WICKET_DNSMASQ_H
#define WICKET_DNSMASQ_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DNSMASQ_IFNAME_MAX 16 /* IFNAMSIZ, with its NUL */
#define DNSMASQ_V6_MAX 4 /* IPv6 prefixes per port */
#define DNSMASQ_MIN_GUESTS 4 /* addresses a port's DHCPv4 range must have */
#define DNSMASQ_URL_MAX 256 /* option 114 holds at most 255 bytes; with the NUL */
#define DNSMASQ_LEASE_DEFAULT 3600 /* seconds */

/* One access port and the gateway's own addresses on it. */
struct dnsmasq_port {
	char ifname[DNSMASQ_IFNAME_MAX];
	int has_v4;
	struct in_addr v4; /* the gateway's address, with its prefix length */
	unsigned int v4_len;
	size_t nv6;
	struct {
		struct in6_addr addr; /* an address of the gateway in the prefix */
		unsigned int len;
	} v6[DNSMASQ_V6_MAX];
};

struct dnsmasq_params {
	const struct dnsmasq_port *ports;
	size_t nports;
	const char *api_url; /* RFC 8908 API URI, https://... (dnsmasq_api_url) */
	uint16_t dns_port; /* where dnsmasq answers DNS; 0: no DNS */
	unsigned int lease_seconds; /* 120 to 31536000 (a year) */
	const char *lease_file; /* absolute path; NULL: dnsmasq's default */
};

/*
 * Write the whole configuration to out. Returns 0, or -EINVAL with a
 * one-line message in err (naming the port and what is wrong) and nothing
 * written; -ENOMEM, or -EIO when out fails.
 */
int dnsmasq_write_config(const struct dnsmasq_params *p, FILE *out, char *err, size_t errlen);

/*
 * The portal's API URI for option 114/103: https://HOST:PORT/api/captive,
 * an IPv6 HOST in brackets. host is numeric (as in [gateway] portal).
 * Returns 0, or -EINVAL (empty host, a zone index, port 0) or -ENOSPC.
 */
int dnsmasq_api_url(const char *host, uint16_t port, char *buf, size_t len);

/*
 * Fill each port's addresses (the caller sets ifname, the rest is cleared
 * first) from the kernel's interfaces, through libnl: the primary IPv4
 * address, and the global (and ULA) IPv6 addresses that are neither
 * temporary, tentative, deprecated nor /128. A port whose interface does
 * not exist, or has none of these, is left without addresses. Returns 0,
 * or -errno with a message when the kernel cannot be asked.
 */
int dnsmasq_read_ports(struct dnsmasq_port *ports, size_t nports, char *err, size_t errlen);

struct wicket_config;

/*
 * The code path of `wicket-dnsmasq-conf` (and of a `wicketd
 * --dnsmasq-config`): the configuration for wicketd's config, with its
 * access ports' addresses read from the kernel, written to out. A port
 * without any address gets no range and a warning (log_warn). The API URI
 * is the portal's ([gateway] portal's host and
 * portal_tls_port), the DNS port [gateway] dns_port, the
 * lease file dnsmasq.leases beside the store. Returns 0 or -errno with a
 * message in err.
 */
int dnsmasq_print_config(const struct wicket_config *cfg, FILE *out, char *err, size_t errlen);

#endif
