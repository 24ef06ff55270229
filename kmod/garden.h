/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The walled garden: destination prefixes that clients reach before they
 * have paid (a payment processor, the venue's own site). Small, so a
 * linear scan of an RCU-published array is the fastest structure.
 */
#ifndef _WICKET_GARDEN_H
#define _WICKET_GARDEN_H

#include <linux/in6.h>
#include <linux/netlink.h>
#include <linux/rcupdate.h>

#include "wicket.h"

struct wicket_prefix {
	struct in6_addr addr;	/* IPv4 mapped into IPv6 */
	struct in6_addr mask;
	u8 len;			/* in IPv6 terms: an IPv4 /24 is 120 */
};

struct wicket_garden {
	unsigned int n;
	struct rcu_head rcu;
	struct wicket_prefix prefix[];
};

bool wicket_garden_match(struct wicket_net *wn, const struct in6_addr *addr);
int wicket_garden_add(struct wicket_net *wn, const struct in6_addr *addr,
		      u8 len, struct netlink_ext_ack *extack);
int wicket_garden_del(struct wicket_net *wn, const struct in6_addr *addr,
		      u8 len, struct netlink_ext_ack *extack);
void wicket_garden_flush(struct wicket_net *wn);

#endif /* _WICKET_GARDEN_H */
