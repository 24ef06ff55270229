/* See nl_links.h. */
#include "nl_links.h"

#include <net/if.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

int nl_links_veth(struct nl_sock *sock, const char *name, const char *peer)
{
	struct rtnl_link *link = rtnl_link_veth_alloc(), *other;
	int err;

	rtnl_link_set_name(link, name);
	other = rtnl_link_veth_get_peer(link);
	rtnl_link_set_name(other, peer);
	rtnl_link_put(other);
	err = rtnl_link_add(sock, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_veth_release(link);
	return err;
}

int nl_links_up(struct nl_sock *sock, const char *name)
{
	struct rtnl_link *link, *change = rtnl_link_alloc();
	int err = rtnl_link_get_kernel(sock, 0, name, &link);

	if (err) {
		rtnl_link_put(change);
		return err;
	}
	rtnl_link_set_flags(change, IFF_UP);
	err = rtnl_link_change(sock, link, change, 0);
	rtnl_link_put(link);
	rtnl_link_put(change);
	return err;
}
