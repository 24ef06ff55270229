/*
 * Discovery from the neighbour table, with libnl's cache manager: it keeps
 * a copy of the table and calls us for every entry that appears, changes
 * or goes.
 */
#include "neigh.h"

#include <errno.h>
#include <linux/neighbour.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/neighbour.h>
#include <stdlib.h>
#include <string.h>

struct neigh_watch {
	struct nl_cache_mngr *mngr;
	struct nl_cache *cache;
	struct nl_sock *sync; /* for refilling the cache after an overflow */
	neigh_is_port_fn is_port;
	neigh_seen_fn seen;
	void *arg;
};

/* States in which the guest is known to be (or have been) there. */
#define NEIGH_PROVEN (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)

/*
 * An entry that failed is gone as far as we can tell; a deleted one
 * carries no link-layer address any more (the MAC is then all zero).
 */
static void report(struct neigh_watch *w, struct rtnl_neigh *n, int deleted)
{
	struct nl_addr *ll = rtnl_neigh_get_lladdr(n), *dst = rtnl_neigh_get_dst(n);
	int state = rtnl_neigh_get_state(n);
	struct neigh_sighting s = {
		.ifindex = rtnl_neigh_get_ifindex(n),
		.gone = deleted || (state & (NUD_FAILED | NUD_INCOMPLETE)) || state == NUD_NONE,
	};

	if (!dst)
		return;
	if (!s.gone && (!(state & NEIGH_PROVEN) || !ll || nl_addr_get_len(ll) != sizeof(s.mac)))
		return;
	if (!w->is_port(s.ifindex, w->arg))
		return;
	s.family = nl_addr_get_family(dst);
	if (s.family == AF_INET && nl_addr_get_len(dst) == sizeof(s.v4)) {
		memcpy(&s.v4, nl_addr_get_binary_addr(dst), sizeof(s.v4));
		if (IN_MULTICAST(ntohl(s.v4.s_addr)) || s.v4.s_addr == INADDR_ANY ||
		    s.v4.s_addr == INADDR_BROADCAST)
			return;
	} else if (s.family == AF_INET6 && nl_addr_get_len(dst) == sizeof(s.v6)) {
		memcpy(&s.v6, nl_addr_get_binary_addr(dst), sizeof(s.v6));
		if (IN6_IS_ADDR_MULTICAST(&s.v6) || IN6_IS_ADDR_UNSPECIFIED(&s.v6))
			return;
	} else {
		return;
	}
	if (ll && nl_addr_get_len(ll) == sizeof(s.mac))
		memcpy(s.mac, nl_addr_get_binary_addr(ll), sizeof(s.mac));
	w->seen(&s, w->arg);
}

static void on_change(struct nl_cache *cache, struct nl_object *obj, int action, void *arg)
{
	(void)cache;
	report(arg, (struct rtnl_neigh *)obj, action == NL_ACT_DEL);
}

static void on_existing(struct nl_object *obj, void *arg)
{
	report(arg, (struct rtnl_neigh *)obj, 0);
}

static int errno_of(int nlerr)
{
	return nlerr == -NLE_NOMEM ? -ENOBUFS : nlerr == -NLE_PERM ? -EPERM : -EIO;
}

int neigh_watch_open(neigh_is_port_fn is_port, neigh_seen_fn seen, void *arg, struct neigh_watch **out)
{
	struct neigh_watch *w = calloc(1, sizeof(*w));
	int err;

	if (!w)
		return -ENOMEM;
	w->is_port = is_port;
	w->seen = seen;
	w->arg = arg;
	err = nl_cache_mngr_alloc(NULL, NETLINK_ROUTE, NL_AUTO_PROVIDE, &w->mngr);
	if (!err)
		err = nl_cache_mngr_add(w->mngr, "route/neigh", on_change, w, &w->cache);
	if (!err) {
		w->sync = nl_socket_alloc();
		err = w->sync ? nl_connect(w->sync, NETLINK_ROUTE) : -NLE_NOMEM;
	}
	if (err) {
		neigh_watch_close(w);
		return errno_of(err);
	}
	nl_cache_foreach(w->cache, on_existing, w);
	*out = w;
	return 0;
}

int neigh_watch_fd(const struct neigh_watch *w)
{
	return nl_cache_mngr_get_fd(w->mngr);
}

int neigh_watch_read(struct neigh_watch *w)
{
	int err = nl_cache_mngr_data_ready(w->mngr);

	if (err >= 0)
		return 0;
	if (err != -NLE_NOMEM)
		return errno_of(err);
	/* Events were lost: read the whole table again and report it all. */
	err = nl_cache_refill(w->sync, w->cache);
	if (err < 0)
		return errno_of(err);
	nl_cache_foreach(w->cache, on_existing, w);
	return -ENOBUFS;
}

void neigh_watch_close(struct neigh_watch *w)
{
	if (!w)
		return;
	if (w->mngr)
		nl_cache_mngr_free(w->mngr);
	if (w->sync)
		nl_socket_free(w->sync);
	free(w);
}
