// SPDX-License-Identifier: GPL-2.0
/* Access ports, kept in an xarray by ifindex that the packet path reads. */

#include <linux/if_arp.h>
#include <linux/netdevice.h>

#include "hooks.h"
#include "ports.h"
#include "table.h"

int wicket_port_set(struct wicket_net *wn, u32 ifindex, u8 mode,
		    struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	bool ether;
	int ret;

	dev = dev_get_by_index(wn->net, ifindex);
	if (!dev) {
		NL_SET_ERR_MSG(extack, "no such interface in this namespace");
		return -ENODEV;
	}
	ether = dev->type == ARPHRD_ETHER;
	dev_put(dev);
	if (!ether) {
		NL_SET_ERR_MSG(extack, "an access port must be an Ethernet interface");
		return -EOPNOTSUPP;
	}
	/* The gate must be in place before the first port counts on it. */
	ret = wicket_hooks_register(wn);
	if (ret) {
		NL_SET_ERR_MSG(extack, "cannot register the netfilter hooks");
		return ret;
	}
	return xa_err(xa_store(&wn->ports, ifindex, xa_mk_value(mode),
			       GFP_KERNEL));
}

/* The interface stops being an access port; its clients go with it. */
int wicket_port_del(struct wicket_net *wn, u32 ifindex,
		    struct netlink_ext_ack *extack)
{
	if (!xa_erase(&wn->ports, ifindex)) {
		NL_SET_ERR_MSG(extack, "not an access port");
		return -ENOENT;
	}
	wicket_client_flush(wn, ifindex);
	return 0;
}

void wicket_ports_flush(struct wicket_net *wn)
{
	unsigned long ifindex;
	void *entry;

	xa_for_each(&wn->ports, ifindex, entry)
		wicket_port_del(wn, ifindex, NULL);
}
