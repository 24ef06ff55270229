/*
 * Discovery: which MAC uses which IPv4 and IPv6 addresses on which access
 * port, learned from the kernel's neighbour table (libnl route). Every
 * address a guest talks from (SLAAC and privacy addresses included) shows
 * up as a neighbour entry on the gateway; this module reports each one,
 * and what has gone, to its owner (the daemon), which decides binding:
 * an address already bound to another client is never moved silently.
 *
 * Only entries on the interfaces the owner calls access ports, with a
 * link-layer address, in a state that proves the guest answered (or was
 * heard), and for unicast addresses are reported.
 */
#ifndef WICKET_NEIGH_H
#define WICKET_NEIGH_H

#include <netinet/in.h>
#include <stdint.h>

struct neigh_watch;

struct neigh_sighting {
	int ifindex;
	uint8_t mac[6];
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
	int gone; /* the entry failed or was deleted (not a proof the guest
		   * left); the MAC is then all zero if the kernel no longer
		   * says it */
};

/* Whether ifindex is an access port: the owner's answer. */
typedef int (*neigh_is_port_fn)(int ifindex, void *arg);
typedef void (*neigh_seen_fn)(const struct neigh_sighting *s, void *arg);

/*
 * Start watching; the entries already in the table are reported first.
 * Returns 0 or -errno. Poll neigh_watch_fd() and call neigh_watch_read().
 */
int neigh_watch_open(neigh_is_port_fn is_port, neigh_seen_fn seen, void *arg, struct neigh_watch **out);
/*
 * The table's entry for want's address (family and v4 or v6) on an access
 * port, as a sighting, whether or not it was reported lately: for a guest
 * that talks only to the gateway. 0, or -ENOENT when there is none fit to
 * report (the guest is not proven there).
 */
int neigh_watch_find(struct neigh_watch *w, const struct neigh_sighting *want, struct neigh_sighting *out);
int neigh_watch_fd(const struct neigh_watch *w);
/* Process what arrived; -ENOBUFS when events were lost (the table was
 * reported again from the start), other -errno on failure. */
int neigh_watch_read(struct neigh_watch *w);
void neigh_watch_close(struct neigh_watch *w);

#endif
