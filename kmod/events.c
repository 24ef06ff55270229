// SPDX-License-Identifier: GPL-2.0
/*
 * Events multicast to the daemon: a client's gate closed by the kernel
 * (with its final counters), and traffic from a source that is no client.
 * Both are sent from the packet path or a timer, so they never sleep and
 * never block a packet; nobody listening costs nothing.
 */

#include <linux/jhash.h>
#include <net/genetlink.h>

#include "events.h"
#include "netlink.h"
#include "table.h"

static bool wicket_events_enabled;

/* Off before the family goes away: no event may use a stale family. */
void wicket_events_enable(bool on)
{
	WRITE_ONCE(wicket_events_enabled, on);
	if (!on)
		synchronize_rcu();
}

static bool wicket_events_wanted(struct net *net)
{
	return READ_ONCE(wicket_events_enabled) &&
	       genl_has_listeners(&wicket_genl_family, net,
				  WICKET_MCGRP_EVENTS);
}

static void wicket_event_send(struct net *net, struct sk_buff *skb)
{
	genlmsg_multicast_netns(&wicket_genl_family, net, skb, 0,
				WICKET_MCGRP_EVENTS, GFP_ATOMIC);
}

void wicket_event_closed(struct wicket_client *c, u8 reason)
{
	struct net *net = c->wn->net;
	struct wicket_counters now;
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;

	if (!wicket_events_wanted(net))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &wicket_genl_family, 0,
			  WICKET_CMD_EVENT_CLOSED);
	if (!hdr)
		goto err;
	wicket_client_read(c, &now, NULL);
	nest = nla_nest_start(skb, WICKET_A_CLIENT);
	if (!nest ||
	    wicket_nl_put_client_key(skb, c) ||
	    nla_put_u64_64bit(skb, WICKET_CLIENT_A_SESSION,
			      READ_ONCE(c->session), WICKET_CLIENT_A_PAD) ||
	    nla_put_u8(skb, WICKET_CLIENT_A_REASON, reason) ||
	    wicket_nl_put_counters(skb, c, &now))
		goto err;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	wicket_event_send(net, skb);
	return;
err:
	nlmsg_free(skb);
}

/*
 * A source seen more than once a second is reported once; beyond that,
 * at most seen_limit events a second leave the namespace in all.
 */
static bool wicket_seen_recently(struct wicket_net *wn, u32 ifindex,
				 const u8 *mac, const struct in6_addr *addr)
{
	struct wicket_seen_slot *slot;
	u32 hash;

	hash = jhash(mac, ETH_ALEN, ifindex);
	if (addr)
		hash = jhash2(addr->s6_addr32, 4, hash);
	slot = &wn->seen[hash % WICKET_SEEN_SLOTS];
	if (READ_ONCE(slot->hash) == hash &&
	    time_before(jiffies, READ_ONCE(slot->when) + HZ))
		return true;
	WRITE_ONCE(slot->hash, hash);
	WRITE_ONCE(slot->when, jiffies);
	return false;
}

void wicket_event_seen(struct wicket_net *wn, u32 ifindex, const u8 *mac,
		       const struct in6_addr *addr)
{
	struct nlattr *nest, *addrs;
	struct sk_buff *skb;
	void *hdr;

	if (!wicket_events_wanted(wn->net) ||
	    wicket_seen_recently(wn, ifindex, mac, addr) ||
	    !__ratelimit(&wn->seen_limit))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &wicket_genl_family, 0,
			  WICKET_CMD_EVENT_SEEN);
	if (!hdr)
		goto err;
	nest = nla_nest_start(skb, WICKET_A_CLIENT);
	if (!nest ||
	    nla_put_u32(skb, WICKET_CLIENT_A_PORT, ifindex) ||
	    nla_put(skb, WICKET_CLIENT_A_MAC, ETH_ALEN, mac))
		goto err;
	if (addr) {
		addrs = nla_nest_start(skb, WICKET_CLIENT_A_ADDRS);
		if (!addrs || wicket_nl_put_addr(skb, addr))
			goto err;
		nla_nest_end(skb, addrs);
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	wicket_event_send(wn->net, skb);
	return;
err:
	nlmsg_free(skb);
}
