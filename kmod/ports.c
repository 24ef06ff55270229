// SPDX-License-Identifier: GPL-2.0
/* Access ports: change a copy of the map, publish it, free the old one. */

#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/slab.h>

#include "hooks.h"
#include "ports.h"
#include "table.h"

static struct wicket_port_map *wicket_port_map(struct wicket_net *wn)
{
	return rcu_dereference_protected(wn->ports,
					 lockdep_is_held(&wn->lock));
}

/* Publish a copy of the map with @ifindex in @mode (0 removes it). */
static int wicket_port_publish(struct wicket_net *wn, u32 ifindex, u8 mode)
{
	struct wicket_port_map *old = wicket_port_map(wn), *map;
	u32 size = old ? old->size : 0;

	if (ifindex >= size)
		size = ALIGN(ifindex + 1, 64);
	map = kzalloc(struct_size(map, mode, size), GFP_KERNEL_ACCOUNT);
	if (!map)
		return -ENOMEM;
	map->size = size;
	if (old)
		memcpy(map->mode, old->mode, old->size);
	map->mode[ifindex] = mode;
	rcu_assign_pointer(wn->ports, map);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

int wicket_port_set(struct wicket_net *wn, u32 ifindex, u8 mode,
		    struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	bool ether;
	int ret;

	if (ifindex >= WICKET_PORT_IFINDEX_LIMIT) {
		NL_SET_ERR_MSG(extack, "the interface index is too large");
		return -ERANGE;
	}
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
	return wicket_port_publish(wn, ifindex, mode);
}

/* The interface stops being an access port; its clients go with it. */
int wicket_port_del(struct wicket_net *wn, u32 ifindex,
		    struct netlink_ext_ack *extack)
{
	struct wicket_port_map *map = wicket_port_map(wn);
	int ret;

	if (!map || ifindex >= map->size || !map->mode[ifindex]) {
		NL_SET_ERR_MSG(extack, "not an access port");
		return -ENOENT;
	}
	ret = wicket_port_publish(wn, ifindex, 0);
	if (ret)
		return ret;
	wicket_client_flush(wn, ifindex);
	return 0;
}

void wicket_ports_flush(struct wicket_net *wn)
{
	struct wicket_port_map *map = wicket_port_map(wn);
	u32 i;

	RCU_INIT_POINTER(wn->ports, NULL);
	if (!map)
		return;
	for (i = 0; i < map->size; i++)
		if (map->mode[i])
			wicket_client_flush(wn, i);
	kfree_rcu(map, rcu);
}

u32 wicket_port_next(struct wicket_net *wn, u32 ifindex, u8 *mode)
{
	struct wicket_port_map *map = rcu_dereference(wn->ports);

	for (; map && ifindex < map->size; ifindex++) {
		if (map->mode[ifindex]) {
			*mode = map->mode[ifindex];
			return ifindex;
		}
	}
	return 0;
}
