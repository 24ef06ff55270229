/*
 * Putting the saved settings back (see netconf.h): addresses, then routes,
 * then the link state, then resolv.conf; every step is tried, the first
 * failure is reported, and the save stays until all went well.
 */
#include "netconf_internal.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"

/* first error wins: its code into *first, its sentence into err. */
static void keep(int ret, int *first, const char *why, char *err, size_t errlen)
{
	if (ret && !*first) {
		*first = ret;
		nc_err(err, errlen, "%s", why);
	}
}

static int addr_wanted(const struct netconf_iface *want, const struct netconf_addr *a)
{
	for (size_t k = 0; k < want->naddrs; k++)
		if (nc_addr_fixed_equal(&want->addrs[k], a))
			return 1;
	return 0;
}

static const struct netconf_addr *addr_find(const struct netconf_iface *cur, const struct netconf_addr *a)
{
	for (size_t k = 0; k < cur->naddrs; k++)
		if (nc_addr_same(&cur->addrs[k], a))
			return &cur->addrs[k];
	return NULL;
}

static int route_in(const struct netconf_iface *i, const struct netconf_route *r)
{
	for (size_t k = 0; k < i->nroutes; k++)
		if (nc_route_equal(&i->routes[k], r))
			return 1;
	return 0;
}

/*
 * The saved addresses as they are to be now: finite lifetimes less the
 * time since the save, those that ran out dropped.
 */
static size_t age(struct netconf_iface *w, long long elapsed)
{
	size_t n = 0, dropped;

	if (elapsed < 0)
		elapsed = 0;
	for (size_t k = 0; k < w->naddrs; k++) {
		struct netconf_addr a = w->addrs[k];

		if (a.valid_lft != NETCONF_FOREVER) {
			if (a.valid_lft <= elapsed)
				continue;
			a.valid_lft -= (uint32_t)elapsed;
		}
		if (a.preferred_lft != NETCONF_FOREVER)
			a.preferred_lft = a.preferred_lft > elapsed ? a.preferred_lft - (uint32_t)elapsed : 0;
		w->addrs[n++] = a;
	}
	dropped = w->naddrs - n;
	w->naddrs = n;
	return dropped;
}

static int put_addrs(struct nc_nl *nl, const struct netconf_iface *w, struct netconf_iface *cur, int *first,
		     char *err, size_t errlen)
{
	char why[256];
	int ret;

	/* Not saved (or saved otherwise): away, except IPv6 link-local. Secondaries first. */
	for (size_t k = cur->naddrs; k-- > 0;) {
		const struct netconf_addr *a = &cur->addrs[k];

		if (!nc_is_ll6(a->family, a->addr) && !addr_wanted(w, a))
			keep(nc_addr_del(nl, cur->ifindex, cur->name, a, why, sizeof(why)), first, why, err,
			     errlen);
	}
	ret = nc_read(nl, w->name, cur, err, errlen);
	if (ret)
		return ret;
	for (size_t k = 0; k < w->naddrs; k++) {
		const struct netconf_addr *a = &w->addrs[k], *now = addr_find(cur, a);
		int flags;

		if (!now)
			flags = NLM_F_EXCL;
		else if ((now->flags ^ a->flags) & NC_ADDR_SETTABLE_FLAGS ||
			 a->valid_lft != NETCONF_FOREVER || now->valid_lft != NETCONF_FOREVER ||
			 now->preferred_lft != a->preferred_lft)
			flags = NLM_F_REPLACE; /* there: its flags and lifetimes as saved */
		else
			continue;
		keep(nc_addr_add(nl, cur->ifindex, w->name, a, flags, why, sizeof(why)), first, why, err,
		     errlen);
	}
	return 0;
}

/*
 * A saved route that restore does not add: the router's (learnt again from
 * its next advertisement), and one from an address that is not coming back
 * (the kernel's route of it, or any route from it once it ran out).
 */
static int not_added(const struct netconf_iface *w, const struct netconf_route *r, int pruned)
{
	if (r->protocol == RTPROT_RA)
		return 1;
	if ((r->protocol != RTPROT_KERNEL && !pruned) || !r->prefsrc[0])
		return 0;
	for (size_t k = 0; k < w->naddrs; k++)
		if (w->addrs[k].family == r->family && strcmp(w->addrs[k].addr, r->prefsrc) == 0)
			return 0;
	return 1;
}

static int put_routes(struct nc_nl *nl, const struct netconf_iface *w, int pruned, struct netconf_iface *cur,
		      int *first, char *err, size_t errlen)
{
	char why[256], last[256] = "";
	int ret, left, progress, failed = 0, unreachable;
	unsigned char done[64] = { 0 };

	ret = nc_read(nl, w->name, cur, err, errlen);
	if (ret)
		return ret;
	for (size_t k = 0; k < cur->nroutes; k++) {
		const struct netconf_route *r = &cur->routes[k];

		if (r->protocol == RTPROT_RA || route_in(w, r))
			continue;
		keep(nc_route_del(nl, cur->ifindex, w->name, r, why, sizeof(why)), first, why, err, errlen);
	}
	ret = nc_read(nl, w->name, cur, err, errlen);
	if (ret)
		return ret;
	/* Direct routes first, then those through a gateway; again while that helps (a gateway behind
	 * another). */
	do {
		left = progress = unreachable = 0;
		for (int pass = 0; pass < 2; pass++)
			for (size_t k = 0; k < w->nroutes; k++) {
				const struct netconf_route *r = &w->routes[k];

				if (done[k] || !!r->gateway[0] != pass)
					continue;
				if (not_added(w, r, pruned) || route_in(cur, r)) {
					done[k] = 1;
					continue;
				}
				ret = nc_route_add(nl, cur->ifindex, w->name, r, why, sizeof(why));
				if (ret) {
					left++;
					unreachable += ret == -ENETUNREACH;
					failed = ret;
					snprintf(last, sizeof(last), "%s", why);
					continue;
				}
				done[k] = progress = 1;
			}
	} while (left && progress);
	/* Gateways that were reached through an address that ran out are out of reach: as they would be. */
	if (left && !(pruned && unreachable == left))
		keep(failed, first, last, err, errlen);
	return 0;
}

static int put_back(struct nc_nl *nl, struct netconf_iface *w, int pruned, char *err, size_t errlen)
{
	struct netconf_iface *cur = malloc(sizeof(*cur));
	char why[256];
	int ret, first = 0;

	if (!cur) {
		nc_err(err, errlen, "Out of memory.");
		return -ENOMEM;
	}
	ret = nc_read(nl, w->name, cur, why, sizeof(why));
	if (ret == -ENODEV)
		nc_err(err, errlen,
		       "The network interface %s, whose settings were saved, is not there any more; "
		       "nothing was changed and the saved settings are kept.",
		       w->name);
	else if (ret)
		nc_err(err, errlen, "%s", why);
	if (ret) {
		free(cur);
		return ret;
	}
	/* Up while routes are added (IPv4 refuses them on a link that is down), down at the end if it was. */
	keep(nc_link_set(nl, w->name, 1, w->mtu, why, sizeof(why)), &first, why, err, errlen);
	ret = put_addrs(nl, w, cur, &first, err, errlen);
	if (!ret)
		ret = put_routes(nl, w, pruned, cur, &first, err, errlen);
	if (!ret && !w->up)
		keep(nc_link_set(nl, w->name, 0, 0, why, sizeof(why)), &first, why, err, errlen);
	free(cur);
	return ret ? ret : first;
}

int netconf_restore(const struct helper_paths *p, char *err, size_t errlen)
{
	char path[HELPER_PATH_MAX + 32], why[512];
	struct nc_saved *s = malloc(sizeof(*s));
	struct nc_nl nl;
	int ret, first, pruned;

	if (!s) {
		nc_err(err, errlen, "Out of memory.");
		return -ENOMEM;
	}
	ret = nc_save_path(p, path, sizeof(path), err, errlen);
	if (!ret)
		ret = nc_save_read(path, s, err, errlen);
	if (!ret)
		ret = nc_open(&nl, err, errlen);
	if (ret) {
		nc_resolv_free(&s->resolv);
		free(s);
		return ret;
	}
	pruned = age(&s->iface, nc_boottime() - s->saved_at) > 0;
	first = put_back(&nl, &s->iface, pruned, err, errlen);
	nc_close(&nl);
	if (first != -ENODEV) {
		ret = nc_resolv_put_back(&s->resolv, why, sizeof(why));
		keep(ret, &first, why, err, errlen);
	}
	nc_resolv_free(&s->resolv);
	free(s);
	if (!first && unlink(path) && errno != ENOENT) {
		first = -errno;
		nc_err(err, errlen, "The settings are back, but the save %s could not be removed: %s.", path,
		       strerror(-first));
	} else if (first && first != -ENODEV && err && errlen) {
		size_t n = strlen(err);

		snprintf(err + n, errlen - n, " The saved settings are kept: restore can be tried again.");
	}
	return first;
}
