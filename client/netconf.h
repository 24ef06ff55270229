/*
 * The guest's network settings (client/netconf*.c; netconf_internal.h says
 * which file does what): read what the guest had, keep it in volatile storage, clear it, take the
 * gateway's DHCP lease, and put the original back exactly. Over
 * libnl-route-3; never through ip(8).
 *
 * Every function that can fail returns 0 (or the documented positive
 * value) or -errno, and then fills err with a sentence a guest can read.
 *
 * The save (run_dir/saved-network.json, 0600, made once and never
 * overwritten) holds one interface: its link state and MTU, every address
 * with its flags, lifetimes and label, the main-table routes through it,
 * and the exact bytes of resolv.conf (or that it was missing, or the
 * target of the symbolic link it was).
 *
 * What restore leaves to the kernel: IPv6 link-local addresses (fe80::/10)
 * are never removed; routes learnt from router advertisements (proto ra)
 * are neither removed nor re-added by restore (the kernel learns them again
 * from the router's next advertisement; one added by hand would never
 * expire). Address lifetimes that were finite count down from the moment
 * of the save: one that would have run out since is not put back, nor the
 * routes that went through it. Only the main table is saved: routes of
 * other tables (policy routing) are left alone, but the kernel itself drops
 * IPv4 ones through the interface when clear removes its last address.
 */
#ifndef WICKET_HELPER_NETCONF_H
#define WICKET_HELPER_NETCONF_H

#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct helper_paths;

/* A lifetime that never runs out (the kernel's INFINITY_LIFE_TIME). */
#define NETCONF_FOREVER 0xFFFFFFFFu

struct netconf_addr {
	int family; /* AF_INET or AF_INET6 */
	char addr[INET6_ADDRSTRLEN]; /* the local address */
	int prefixlen;
	uint32_t flags; /* IFA_F_* as the kernel reports them */
	uint32_t valid_lft, preferred_lft; /* seconds left; NETCONF_FOREVER */
	int scope; /* RT_SCOPE_* */
	char label[16]; /* IPv4 only ("eth0:1"); "" otherwise */
	char peer[INET6_ADDRSTRLEN]; /* point-to-point peer, "" if none */
	char broadcast[INET6_ADDRSTRLEN]; /* IPv4 broadcast, "" if none */
};

struct netconf_route {
	int family;
	char dst[INET6_ADDRSTRLEN]; /* "0.0.0.0" / "::" for a default route */
	int dst_len;
	char gateway[INET6_ADDRSTRLEN]; /* "" for a directly connected one */
	char prefsrc[INET6_ADDRSTRLEN]; /* "" if none */
	uint32_t metric;
	int protocol; /* RTPROT_*: RTPROT_KERNEL marks the kernel's own */
	int scope, type;
	uint32_t table;
	uint32_t flags; /* next-hop flags kept: RTNH_F_ONLINK */
};

struct netconf_iface {
	char name[IFNAMSIZ];
	int ifindex;
	int up; /* administratively (IFF_UP) */
	int carrier;
	int mtu;
	char mac[18]; /* "aa:bb:cc:dd:ee:ff", "" if none */
	size_t naddrs;
	struct netconf_addr addrs[32];
	size_t nroutes;
	struct netconf_route routes[64];
};

/*
 * ifname's link state, all its addresses (both families) and the routes of
 * the main table that leave through it (both families, unicast ones: not
 * the kernel's local/broadcast/multicast entries; proto kernel ones are
 * read, with protocol RTPROT_KERNEL; multipath routes are not read).
 * -ENODEV if there is no such interface, -E2BIG if it has more than the
 * arrays hold (a save of part of it could not be restored exactly).
 */
int netconf_read(const char *ifname, struct netconf_iface *out, char *err, size_t errlen);

/*
 * The default route of family (AF_INET or AF_INET6) with the lowest
 * metric: its interface and gateway ("" for a route without one).
 * -ENOENT if there is none.
 */
int netconf_default_route(int family, char *ifname, size_t iflen, char *gateway, size_t gwlen);

/*
 * How the global addresses of family came to be:
 *   "static" one of them never expires (set by hand or a static config);
 *   "dhcp"   they expire (a DHCP client gave them; for IPv6 a DHCPv6 one,
 *            not /64 and none of the kernel's SLAAC flags);
 *   "slaac"  IPv6 ones the kernel (or a SLAAC client) made from router
 *            advertisements: finite, and mngtmpaddr/temporary/
 *            stable-privacy, or a /64;
 *   "none"   no global address.
 * With a mix, the first of static, dhcp, slaac that applies.
 */
const char *netconf_addr_mode(const struct netconf_iface *i, int family);

/*
 * resolv.conf. netconf_resolv_servers: the nameserver lines of path (up to
 * max; valid addresses only), -ENOENT if the file is missing.
 * netconf_resolv_write: servers (and a search line) into path IN PLACE:
 * the file is opened O_WRONLY|O_TRUNC (and created if missing) and written,
 * never replaced by a rename, so a bind mount (ip netns exec) or a symbolic
 * link (systemd-resolved, resolvconf) stays what it is.
 */
int netconf_resolv_servers(const char *path, char servers[][INET6_ADDRSTRLEN], size_t max, size_t *n);
int netconf_resolv_write(const char *path, const char *const *servers, size_t n, const char *search_or_null);

/*
 * Proxies the guest has configured, in this order:
 *   the environment  http_proxy https_proxy ftp_proxy all_proxy no_proxy,
 *                    lower case then upper case (source "environment");
 *   /etc/environment the same names as KEY=VALUE lines, values optionally
 *                    quoted (source "/etc/environment");
 *   apt              Acquire::http::Proxy, Acquire::https::Proxy (also
 *                    written as nested blocks) in /etc/apt/apt.conf, then
 *                    the files of /etc/apt/apt.conf.d in apt's order (source: the
 *                    file's path).
 * Empty values are skipped; longer ones are cut to the fields' size. The
 * files are looked for under the directory in the environment variable
 * WICKET_HELPER_ROOT if set (tests), else under /; sources name them
 * without that prefix.
 * Returns how many were stored in out (at most max).
 */
struct netconf_proxy {
	char source[64];
	char name[32];
	char value[256];
};
size_t netconf_proxies(struct netconf_proxy *out, size_t max);

/*
 * Save ifname's settings and p->resolv_conf's bytes to
 * p->run_dir/saved-network.json. 1 (no error) if a save exists already:
 * it is kept as it is, the original settings are never overwritten.
 */
int netconf_save(const struct helper_paths *p, const char *ifname, char *err, size_t errlen);

/*
 * 1 if a save exists, with its interface in ifname_out ("" if the file
 * cannot be read: it still exists and still blocks a new save), 0 if not.
 */
int netconf_saved(const struct helper_paths *p, char *ifname_out, size_t len);

/*
 * Remove ifname's IPv4 addresses and its main-table routes (both
 * families), except IPv6 link-local ones and the kernel's own (proto
 * kernel); bring the link up.
 */
int netconf_clear(const char *ifname, char *err, size_t errlen);

/* A DHCPv4 lease, as the helper got it from the gateway. */
struct netconf_lease {
	char addr[16];
	int prefixlen;
	char router[16]; /* "" for none */
	int mtu; /* 0: keep */
	uint32_t lease_s;
	size_t ndns;
	char dns[4][INET6_ADDRSTRLEN];
	char search[256]; /* "" for none */
};

/*
 * The lease on ifname: the address (valid and preferred lifetime lease_s;
 * every other IPv4 address of ifname goes), the default route via the
 * router (metric 0, proto dhcp; on-link if the router is outside the
 * subnet), the MTU, and with ndns > 0 p->resolv_conf (in place). A renew
 * with the same lease only refreshes the lifetimes.
 */
int netconf_apply_lease(const char *ifname, const struct netconf_lease *l, const struct helper_paths *p,
			char *err, size_t errlen);

/*
 * Put back what netconf_save saved, then delete the save: addresses not in
 * the save go (except IPv6 link-local), saved ones come back with their
 * flags and lifetimes, main-table routes through the interface that are
 * not in the save go, saved ones come back, then the MTU, the link state
 * and resolv.conf's bytes (or its absence, or its symbolic link) at the
 * path it was saved from.
 * 1 if nothing was saved. -EINVAL if the save cannot be read or is damaged:
 * then nothing at all is changed. -ENODEV if the interface is gone. If a
 * step fails the rest is still done and the save is kept for another try.
 */
int netconf_restore(const struct helper_paths *p, char *err, size_t errlen);

#endif
