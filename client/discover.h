/*
 * Finding the gateway (discover.c). In order:
 *   1. --api URL, when the guest gives it;
 *   2. DHCP option 114 (RFC 8910) from a lease: the helper's own
 *      (RUN_DIR/lease), then the system's clients' (dhclient's lease files
 *      in /var/lib/dhcp, systemd-networkd's in /run/systemd/netif/leases);
 *   3. the `api` of the helper's configuration (helper_conf.h), which the
 *      venue's helper.conf component sets;
 *   4. the well-known way: the default gateway's plain-HTTP port, which a
 *      captive portal answers with a redirect to its page; the page's
 *      origin is the API's.
 * The API's RFC 8908 answer (/api/captive) then confirms it and gives the
 * portal page's URL. What was found is kept in RUN_DIR/gateway for the
 * other commands.
 */
#ifndef WICKET_HELPER_DISCOVER_H
#define WICKET_HELPER_DISCOVER_H

#include <stddef.h>

struct helper_paths;

struct gateway_info {
	char origin[200]; /* "https://10.0.1.1:8443" */
	char captive_url[256]; /* the RFC 8908 API: origin + "/api/captive" */
	char portal[256]; /* the page, from the API's user-portal-url */
	char source[640]; /* how it was found, for the guest */
	int captive; /* the API's "captive" */
};

/*
 * Find the gateway and ask its API (no cache). ca_file: as api_open's.
 * 0 or -errno with err.
 */
int discover(const struct helper_paths *p, const char *api_url, const char *ca_file, struct gateway_info *g,
	     char *err, size_t errlen);
/* The gateway found before (RUN_DIR/gateway), or discover() when there is none or api_url is given. */
int discover_cached(const struct helper_paths *p, const char *api_url, const char *ca_file,
		    struct gateway_info *g, char *err, size_t errlen);
/* "https://host:port" of an https URL; -EINVAL if it is not one. */
int discover_origin(const char *url, char *origin, size_t len);

#endif
