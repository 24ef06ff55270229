/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Access ports: the interfaces that face guests, each with its mode. Any
 * other interface is never touched by the gate.
 */
#ifndef _WICKET_PORTS_H
#define _WICKET_PORTS_H

#include <linux/netlink.h>
#include <linux/xarray.h>

#include "wicket.h"

/* The port's mode (enum wicket_port_mode), or 0 if not an access port. */
static inline u8 wicket_port_mode(struct wicket_net *wn, int ifindex)
{
	void *entry = xa_load(&wn->ports, ifindex);

	return xa_is_value(entry) ? xa_to_value(entry) : 0;
}

int wicket_port_set(struct wicket_net *wn, u32 ifindex, u8 mode,
		    struct netlink_ext_ack *extack);
int wicket_port_del(struct wicket_net *wn, u32 ifindex,
		    struct netlink_ext_ack *extack);
void wicket_ports_flush(struct wicket_net *wn);

#endif /* _WICKET_PORTS_H */
