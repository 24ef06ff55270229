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
 * An entry as a sighting: 1 when it is one to report. An entry that failed
 * is gone as far as we can tell; a deleted one carries no link-layer
 * address any more (the MAC is then all zero).
 */
static int sighting_of(struct neigh_watch *w, struct rtnl_neigh *n, int deleted, struct neigh_sighting *s)
{
	struct nl_addr *ll = rtnl_neigh_get_lladdr(n), *dst = rtnl_neigh_get_dst(n);
	int state = rtnl_neigh_get_state(n);

	memset(s, 0, sizeof(*s));
	s->ifindex = rtnl_neigh_get_ifindex(n);
	s->gone = deleted || (state & (NUD_FAILED | NUD_INCOMPLETE)) || state == NUD_NONE;
	if (!dst)
		return 0;
	if (!s->gone && (!(state & NEIGH_PROVEN) || !ll || nl_addr_get_len(ll) != sizeof(s->mac)))
		return 0;
	if (!w->is_port(s->ifindex, w->arg))
		return 0;
	s->family = nl_addr_get_family(dst);
	if (s->family == AF_INET && nl_addr_get_len(dst) == sizeof(s->v4)) {
		memcpy(&s->v4, nl_addr_get_binary_addr(dst), sizeof(s->v4));
		if (IN_MULTICAST(ntohl(s->v4.s_addr)) || s->v4.s_addr == INADDR_ANY ||
		    s->v4.s_addr == INADDR_BROADCAST)
			return 0;
	} else if (s->family == AF_INET6 && nl_addr_get_len(dst) == sizeof(s->v6)) {
		memcpy(&s->v6, nl_addr_get_binary_addr(dst), sizeof(s->v6));
		if (IN6_IS_ADDR_MULTICAST(&s->v6) || IN6_IS_ADDR_UNSPECIFIED(&s->v6))
			return 0;
	} else {
		return 0;
	}
	if (ll && nl_addr_get_len(ll) == sizeof(s->mac))
		memcpy(s->mac, nl_addr_get_binary_addr(ll), sizeof(s->mac));
	return 1;
}

static void report(struct neigh_watch *w, struct rtnl_neigh *n, int deleted)
{
	struct neigh_sighting s;

	if (sighting_of(w, n, deleted, &s))
		w->seen(&s, w->arg);
}

/*
 * Whether an entry's change is news of the guest: it answered (REACHABLE
 * again), another device has the address now (a new link-layer address),
 * an entry that proved nothing now does, or it failed. An entry that only
 * aged (REACHABLE to STALE, DELAY or PROBE: the gateway's doing) says
 * nothing new, and reporting it would bring a guest the daemon forgot
 * back into the gate's table though it left.
 */
static int news(struct rtnl_neigh *old, struct rtnl_neigh *new)
{
	struct nl_addr *oll = rtnl_neigh_get_lladdr(old), *nll = rtnl_neigh_get_lladdr(new);
	int os = rtnl_neigh_get_state(old), ns = rtnl_neigh_get_state(new);
	const int failed = NUD_FAILED | NUD_INCOMPLETE;

	if (!oll != !nll || (oll && nl_addr_cmp(oll, nll)))
		return 1;
	if ((ns & NUD_REACHABLE) && !(os & NUD_REACHABLE))
		return 1;
	if ((ns & NEIGH_PROVEN) && !(os & NEIGH_PROVEN))
		return 1;
	return (ns & failed) && !(os & failed);
}

static void on_change(struct nl_cache *cache, struct nl_object *old, struct nl_object *new, uint64_t diff,
		      int action, void *arg)
{
	(void)cache;
	(void)diff;
	if (action == NL_ACT_DEL) {
		report(arg, (struct rtnl_neigh *)old, 1);
		return;
	}
	if (!new ||
	    (action == NL_ACT_CHANGE && old && !news((struct rtnl_neigh *)old, (struct rtnl_neigh *)new)))
		return;
	report(arg, (struct rtnl_neigh *)new, 0);
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
		err = nl_cache_alloc_name("route/neigh", &w->cache);
	/* The v2 callback: a change comes with the entry as it was, to tell news from ageing. */
	if (!err) {
		err = nl_cache_mngr_add_cache_v2(w->mngr, w->cache, on_change, w);
		if (err) {
			nl_cache_free(w->cache);
			w->cache = NULL;
		}
	}
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

struct neigh_find {
	struct neigh_watch *w;
	const struct neigh_sighting *want;
	struct neigh_sighting *out;
	int found;
};

static void match_addr(struct nl_object *obj, void *arg)
{
	struct neigh_find *f = arg;
	struct neigh_sighting s;

	if (f->found || !sighting_of(f->w, (struct rtnl_neigh *)obj, 0, &s) || s.gone ||
	    s.family != f->want->family)
		return;
	if (s.family == AF_INET ? s.v4.s_addr != f->want->v4.s_addr
				: memcmp(&s.v6, &f->want->v6, sizeof(s.v6)) != 0)
		return;
	*f->out = s;
	f->found = 1;
}

int neigh_watch_find(struct neigh_watch *w, const struct neigh_sighting *want, struct neigh_sighting *out)
{
	struct neigh_find f = { .w = w, .want = want, .out = out };

	nl_cache_foreach(w->cache, match_addr, &f);
	return f.found ? 0 : -ENOENT;
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
