/*
 * The daemon's own nftables table, `table inet wicket`: policy around the
 * gate, never the gate itself (wicket.ko keeps unpaid clients out even
 * with no ruleset at all). It
 *   - redirects captive clients' HTTP to the portal and their DNS to the
 *     gateway's resolver (the packets wicket.ko marked),
 *   - limits captive DNS to 20 queries a second per source MAC (burst
 *     40): the resolver is a captive guest's only way out, and a tunnel
 *     over it stays that slow, and
 *   - keeps the portal, keepalive and resolver ports closed to the
 *     upstream side (the WAN can route to the access ports' addresses).
 * Installed in one transaction (replacing any old copy), removed at stop,
 * and reinstalled when a firewall reload flushes it: firewall_watch_read()
 * tells when.
 */
#ifndef WICKET_FIREWALL_H
#define WICKET_FIREWALL_H

#include <stddef.h>
#include <stdint.h>

struct firewall;

struct firewall_params {
	char upstream[16]; /* WAN interface name */
	char portal_addr[64]; /* the portal's numeric address; "": the port's own */
	uint16_t portal_port; /* where captive HTTP goes */
	uint16_t portal_tls_port; /* the portal's HTTPS, closed to the WAN */
	uint16_t dns_port; /* the gateway's resolver */
	uint16_t keepalive_port; /* UDP, closed to the WAN */
	uint32_t mark; /* captive mark value ... */
	uint32_t mark_mask; /* ... and the bits it owns */
};

/* Render the table as nft(8) text; -EINVAL for parameters that could not
 * be written safely (an interface name with anything but [A-Za-z0-9._-],
 * a portal address that is not a numeric IPv4 or IPv6 address). */
int firewall_ruleset(const struct firewall_params *p, char *buf, size_t len);

/* Every call returns 0 or -errno; firewall_error() says what nft said. */
int firewall_open(const struct firewall_params *p, struct firewall **out);
void firewall_close(struct firewall *fw);
const char *firewall_error(const struct firewall *fw);

int firewall_install(struct firewall *fw);
int firewall_remove(struct firewall *fw);
/* 1 if the table is there, 0 if not, -errno if nft cannot say. */
int firewall_present(struct firewall *fw);

/*
 * Ruleset changes, from the nftables netlink group: poll the fd, then
 * firewall_watch_read() returns 1 if our table was deleted (by name or by
 * a flush of the ruleset), 0 otherwise, -ENOBUFS if events were lost (the
 * caller checks firewall_present()), or another -errno.
 */
int firewall_watch_fd(const struct firewall *fw);
int firewall_watch_read(struct firewall *fw);

/* For the tests: whether an nftables event message deletes our table. */
int firewall_event_deletes_table(const void *msg, size_t len);

#endif
