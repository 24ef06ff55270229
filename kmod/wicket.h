/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State that the gate keeps per network namespace, shared by every part of
 * the module. The daemon owns the truth; this is a cache of it that the
 * daemon can rebuild at any time, and that fails closed on its own.
 */
#ifndef _WICKET_H
#define _WICKET_H

#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/ratelimit.h>
#include <linux/rhashtable.h>
#include <net/net_namespace.h>

struct wicket_garden;
struct wicket_port_map;

/* Recently reported unknown sources, so one chatty guest is one event/s. */
#define WICKET_SEEN_SLOTS 256

struct wicket_seen_slot {
	u32 hash;
	unsigned long when;
};

struct wicket_drops;

struct wicket_net {
	struct net *net;
	/* Serializes every change; the packet path takes no lock. */
	struct mutex lock;

	struct rhashtable clients;	/* by (port, MAC) */
	struct rhashtable addrs;	/* by address, IPv4 mapped into IPv6 */
	struct list_head client_list;	/* all clients, for flush and exit */
	unsigned int nclients;
	u32 max_clients;
	/* Bumped on every add and delete, so a dump can tell it was torn. */
	u32 generation;

	struct wicket_port_map __rcu *ports;
	struct wicket_garden __rcu *garden;

	u32 mark;
	u32 mark_mask;

	/* Packets dropped, by reason (drops.h). */
	struct wicket_drops __percpu *drops;

	struct ratelimit_state seen_limit;
	struct wicket_seen_slot seen[WICKET_SEEN_SLOTS];

	/* FORWARD always; PRE_ROUTING only while captive packets are marked. */
	bool forward_hooks;
	bool mark_hooks;
	struct nf_hook_ops forward_ops[2];
	struct nf_hook_ops mark_ops[2];
};

struct wicket_net *wicket_pernet(struct net *net);

/* Bump the table generation; never 0, which dumps read as "not started". */
static inline void wicket_net_changed(struct wicket_net *wn)
{
	if (++wn->generation == 0)
		wn->generation = 1;
}

#endif /* _WICKET_H */
