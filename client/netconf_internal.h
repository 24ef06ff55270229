/*
 * What the netconf*.c files share: a netlink socket that remembers the
 * kernel's own errno, conversions between libnl objects and the structs of
 * netconf.h, the changes themselves, resolv.conf snapshots and the save.
 *   netconf.c          socket, conversions, read, default route, mode
 *   netconf_change.c   link, address and route changes
 *   netconf_lease.c    clear, apply_lease
 *   netconf_save.c     save (and base64)
 *   netconf_load.c     reading a save back, checked; netconf_saved
 *   netconf_restore.c  restore
 *   netconf_resolv.c   resolv.conf
 *   netconf_proxy.c    proxies
 */
#ifndef WICKET_HELPER_NETCONF_INTERNAL_H
#define WICKET_HELPER_NETCONF_INTERNAL_H

#include <limits.h>
#include <linux/if_addr.h>
#include <stdarg.h>
#include <stddef.h>

#include "netconf.h"

struct nl_sock;

struct nc_nl {
	struct nl_sock *sk;
	int syserr; /* errno of the kernel's last refusal (positive), 0 if none */
};

/* err = the sentence, printf-style (err may be NULL). */
void nc_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

int nc_open(struct nc_nl *nl, char *err, size_t errlen);
void nc_close(struct nc_nl *nl);
/* -errno for a libnl error code, the kernel's own errno when it gave one. */
int nc_errno(struct nc_nl *nl, int nlerr);

/* text to a libnl address of family (full prefix length); NULL if it is not one. */
struct nl_addr *nc_pton(int family, const char *text);

/* netconf_read on an open socket. */
int nc_read(struct nc_nl *nl, const char *ifname, struct netconf_iface *out, char *err, size_t errlen);

/* Same address (family, address, prefix, peer) / every field that can be set alike. */
int nc_addr_same(const struct netconf_addr *a, const struct netconf_addr *b);
int nc_addr_fixed_equal(const struct netconf_addr *a, const struct netconf_addr *b);
/* The flags one can give an address (the others are the kernel's state). */
#define NC_ADDR_SETTABLE_FLAGS                                                                               \
	(IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN)
int nc_route_equal(const struct netconf_route *a, const struct netconf_route *b);
int nc_is_ll6(int family, const char *addr); /* fe80::/10 */

/*
 * The changes, each 0 or -errno with err. nlmflags for an address:
 * NLM_F_EXCL (new) or NLM_F_REPLACE (new or updated). Deleting something
 * already gone is not an error.
 */
int nc_link_set(struct nc_nl *nl, const char *ifname, int up, int mtu, char *err, size_t errlen);
int nc_addr_add(struct nc_nl *nl, int ifindex, const char *ifname, const struct netconf_addr *a, int nlmflags,
		char *err, size_t errlen);
int nc_addr_del(struct nc_nl *nl, int ifindex, const char *ifname, const struct netconf_addr *a, char *err,
		size_t errlen);
int nc_route_add(struct nc_nl *nl, int ifindex, const char *ifname, const struct netconf_route *r, char *err,
		 size_t errlen);
int nc_route_del(struct nc_nl *nl, int ifindex, const char *ifname, const struct netconf_route *r, char *err,
		 size_t errlen);
/* "10.200.0.0/16 via 192.168.77.254" or "the default route via ..." */
void nc_route_str(const struct netconf_route *r, char *buf, size_t len);

/* resolv.conf as it was: its bytes, its absence, or its symbolic link. */
enum nc_resolv_kind { NC_RESOLV_MISSING, NC_RESOLV_FILE, NC_RESOLV_SYMLINK };
#define NC_RESOLV_MAX (1024 * 1024)
struct nc_resolv {
	char path[PATH_MAX];
	enum nc_resolv_kind kind;
	char target[PATH_MAX]; /* symlink */
	int has_content; /* file, or symlink whose target exists */
	unsigned char *content; /* malloc'd */
	size_t len;
};
int nc_resolv_snapshot(const char *path, struct nc_resolv *r, char *err, size_t errlen);
int nc_resolv_put_back(const struct nc_resolv *r, char *err, size_t errlen);
void nc_resolv_free(struct nc_resolv *r);
/* The resolv.conf netconf_resolv_write writes, malloc'd into *out. */
int nc_resolv_format(const char *const *servers, size_t n, const char *search, char **out, size_t *len);
/* path's bytes (malloc'd and NUL-terminated; -EFBIG past max), -errno. */
int nc_read_bytes(const char *path, size_t max, unsigned char **buf, size_t *len);
int nc_write_in_place(const char *path, const void *buf, size_t len);

/* The save: run_dir/NC_SAVE_NAME. */
#define NC_SAVE_NAME "saved-network.json"
#define NC_SAVE_VERSION 1
#define NC_SAVE_MAX (2 * NC_RESOLV_MAX)

struct helper_paths;
struct nc_saved {
	struct netconf_iface iface;
	long long saved_at; /* CLOCK_BOOTTIME, seconds */
	struct nc_resolv resolv;
};

long long nc_boottime(void);
int nc_save_path(const struct helper_paths *p, char *out, size_t len, char *err, size_t errlen);
/* Strict base64 (whole quads, padding only at the end): -EINVAL otherwise. */
int nc_b64_decode(const char *in, size_t len, unsigned char **out, size_t *outlen);
/*
 * The save at path into s, every field checked: 0, 1 if there is none,
 * -EINVAL (err says why) if it cannot be read or used. s->resolv to be freed.
 */
int nc_save_read(const char *path, struct nc_saved *s, char *err, size_t errlen);

#endif
