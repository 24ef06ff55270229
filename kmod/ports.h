/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Access ports: the interfaces that face guests, each with its mode. Any
 * other interface is never touched by the gate. The packet path reads a
 * flat map indexed by ifindex (one bounds check, one byte), published
 * whole under RCU whenever a port changes.
 */
#ifndef _WICKET_PORTS_H
#define _WICKET_PORTS_H

#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <linux/rcupdate.h>

#include "uapi/wicket.h"
#include "wicket.h"

/* Ports are kept for ifindex below this: 1 MiB of map at the very most. */
#define WICKET_PORT_IFINDEX_LIMIT (1U << 20)

struct wicket_port_map {
	u32 size;
	struct rcu_head rcu;
	u8 mode[];	/* enum wicket_port_mode, or 0: not an access port */
};

/* The port's mode (enum wicket_port_mode), or 0 if not an access port. */
static inline u8 wicket_port_mode(struct wicket_net *wn, int ifindex)
{
	struct wicket_port_map *map = rcu_dereference(wn->ports);

	return map && (u32)ifindex < map->size ? map->mode[ifindex] : 0;
}

/*
 * The port_group module parameter: an interface in this netdev group that
 * is not an access port (yet) is gated as a blocked one, so that guest
 * ports are closed from boot, and across a module reload, until wicketd
 * has made them ports. 0 (the default group of every device): none.
 */
extern unsigned int wicket_port_group;

/* The mode the gate applies to @dev: its port's, or blocked by group. */
static inline u8 wicket_dev_mode(struct wicket_net *wn,
				 const struct net_device *dev)
{
	u8 mode = wicket_port_mode(wn, dev->ifindex);

	if (!mode && wicket_port_group && dev->group == wicket_port_group)
		return WICKET_PORT_BLOCKED;
	return mode;
}

int wicket_port_set(struct wicket_net *wn, u32 ifindex, u8 mode,
		    struct netlink_ext_ack *extack);
int wicket_port_del(struct wicket_net *wn, u32 ifindex,
		    struct netlink_ext_ack *extack);
void wicket_ports_flush(struct wicket_net *wn);
/* The next access port at or after @ifindex, or 0; under RCU. */
u32 wicket_port_next(struct wicket_net *wn, u32 ifindex, u8 *mode);

#endif /* _WICKET_PORTS_H */
