/*
 * Obtaining an address from the gateway (dhcp.c): wicket-helper runs the
 * system's own DHCP client, ISC dhclient (stock Debian) or busybox udhcpc,
 * on one interface, with itself as the client's script. The script part
 * checks every value the server sent, applies the lease through netconf
 * (address, default route, MTU, DNS) and records it in RUN_DIR/lease,
 * with the portal API's URL from option 114 (RFC 8910). The client stays
 * in the background to renew the lease until dhcp_stop().
 *
 * RUN_DIR/lease: "key=value" lines: iface, addr, prefixlen, router, mtu,
 * lease_s, dns (space-separated), search, captive_url, client, at.
 */
#ifndef WICKET_HELPER_DHCP_H
#define WICKET_HELPER_DHCP_H

#include <stddef.h>

struct helper_paths;

#define DHCP_LEASE_FILE "lease"

struct dhcp_lease_info {
	char iface[32];
	char addr[16];
	int prefixlen;
	char router[16];
	char dns[128];
	char captive_url[256];
	char client[16];
};

/*
 * Run the DHCP client (client: "dhclient", "udhcpc" or NULL for the first
 * installed) on ifname until it has a lease; 0 or -errno with err.
 */
int dhcp_obtain(const struct helper_paths *p, const char *ifname, const char *client, char *err,
		size_t errlen);
/* Stop the background client, releasing the lease. 0, or 1 when none ran. */
int dhcp_stop(const struct helper_paths *p);
/* The recorded lease; -ENOENT if none. */
int dhcp_lease_read(const struct helper_paths *p, struct dhcp_lease_info *out);
/* The client's script: `wicket-helper dhcp-script CLIENT [EVENT]`, from the client's environment. */
int dhcp_script_main(int argc, char **argv);

#endif
