// SPDX-License-Identifier: GPL-2.0
/*
 * The gate itself: netfilter hooks for IPv4 and IPv6.
 *
 * FORWARD gates and counts. Upstream (arriving on an access port) a packet
 * passes only if its port, source MAC and source address all belong to one
 * client that may pass now; downstream (leaving through an access port) it
 * is matched by destination address. Unpaid clients reach the walled
 * garden, both ways. Traffic to the gateway itself never reaches FORWARD:
 * DHCP, DNS and the portal always work.
 *
 * PRE_ROUTING marks the packets of clients that may not pass whose
 * destination port nftables can redirect to the gateway (HTTP to the
 * portal, DNS to its resolver), before NAT sees them. Its hooks are in
 * place only while a mark is configured: a hook costs every packet.
 */

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ipv6.h>

#include "drops.h"
#include "events.h"
#include "garden.h"
#include "hooks.h"
#include "ports.h"
#include "table.h"

static const u8 *wicket_source_mac(const struct sk_buff *skb)
{
	if (!skb_mac_header_was_set(skb) || skb_mac_header_len(skb) < ETH_HLEN)
		return NULL;
	return eth_hdr(skb)->h_source;
}

/* The client that port, source MAC and source address all name, or NULL. */
static __always_inline struct wicket_client *
wicket_source_client(struct wicket_net *wn, const struct sk_buff *skb,
		     const struct net_device *in, const struct in6_addr *src,
		     const u8 *mac)
{
	struct wicket_addr *a = wicket_addr_lookup(wn, src);
	struct wicket_client *c;

	if (!a)
		return NULL;
	c = a->client;
	if (c->key.ifindex != in->ifindex || !mac ||
	    !ether_addr_equal(c->key.mac, mac))
		return NULL;
	return c;
}

static void wicket_report_unknown(struct wicket_net *wn,
				  const struct net_device *in, const u8 *mac,
				  const struct in6_addr *src)
{
	if (!mac)
		return;
	wicket_event_seen(wn, in->ifindex, mac,
			  ipv6_addr_any(src) ? NULL : src);
}

/*
 * Why a client may not pass now: 0 when it may (and then its packet is
 * counted), else the drop reason.
 */
static __always_inline u8 wicket_client_verdict(struct wicket_client *c,
						bool up, unsigned int len)
{
	struct wicket_stats *s;

	if (!wicket_client_open(c)) {
		/* A gate the cap closed stays closed for the cap's reason. */
		if (test_bit(WICKET_CLIENT_CLOSED_BIT, &c->flags) &&
		    READ_ONCE(c->close_reason) == WICKET_CLOSE_BYTE_CAP)
			return WICKET_STATS_A_DROP_BYTE_CAP;
		return WICKET_STATS_A_DROP_CAPTIVE;
	}
	s = this_cpu_ptr(c->stats);
	if (READ_ONCE(c->has_cap) && !wicket_cap_take(c, s, len))
		return WICKET_STATS_A_DROP_BYTE_CAP;
	wicket_client_count(c, s, up, len);
	return 0;
}

/* Upstream: 0 when the packet may pass, else why it is dropped. */
static __always_inline u8 wicket_upstream(struct wicket_net *wn,
					  struct sk_buff *skb,
					  const struct net_device *in, u8 mode,
					  const struct in6_addr *src,
					  const struct in6_addr *dst)
{
	const u8 *mac = wicket_source_mac(skb);
	struct wicket_client *c;
	u8 why;

	if (mode == WICKET_PORT_BLOCKED)
		return WICKET_STATS_A_DROP_PORT_BLOCKED;
	c = wicket_source_client(wn, skb, in, src, mac);
	if (!c) {
		wicket_report_unknown(wn, in, mac, src);
		if (mode == WICKET_PORT_FREE || wicket_garden_match(wn, dst))
			return 0;
		return WICKET_STATS_A_DROP_UNKNOWN;
	}
	if (READ_ONCE(c->state) == WICKET_STATE_BLOCKED)
		return WICKET_STATS_A_DROP_CLIENT_BLOCKED;
	if (mode == WICKET_PORT_FREE) {
		wicket_client_count(c, this_cpu_ptr(c->stats), true, skb->len);
		return 0;
	}
	why = wicket_client_verdict(c, true, skb->len);
	if (!why)
		return 0;
	wicket_client_heard(c);
	return wicket_garden_match(wn, dst) ? 0 : why;
}

/* Downstream: 0 when the packet may pass, else why it is dropped. */
static __always_inline u8 wicket_downstream(struct wicket_net *wn,
					    struct sk_buff *skb,
					    const struct net_device *out,
					    u8 mode,
					    const struct in6_addr *src,
					    const struct in6_addr *dst)
{
	struct wicket_addr *a;
	struct wicket_client *c = NULL;
	u8 why;

	if (mode == WICKET_PORT_BLOCKED)
		return WICKET_STATS_A_DROP_PORT_BLOCKED;
	a = wicket_addr_lookup(wn, dst);
	if (a && a->client->key.ifindex == out->ifindex)
		c = a->client;
	if (!c) {
		if (mode == WICKET_PORT_FREE || wicket_garden_match(wn, src))
			return 0;
		return WICKET_STATS_A_DROP_UNKNOWN;
	}
	if (READ_ONCE(c->state) == WICKET_STATE_BLOCKED)
		return WICKET_STATS_A_DROP_CLIENT_BLOCKED;
	if (mode == WICKET_PORT_FREE) {
		wicket_client_count(c, this_cpu_ptr(c->stats), false, skb->len);
		return 0;
	}
	why = wicket_client_verdict(c, false, skb->len);
	return why && !wicket_garden_match(wn, src) ? why : 0;
}

static __always_inline unsigned int
wicket_gate(struct wicket_net *wn, struct sk_buff *skb, u8 in_mode,
	    u8 out_mode, const struct nf_hook_state *state,
	    const struct in6_addr *src, const struct in6_addr *dst)
{
	u8 why = 0;

	if (in_mode)
		why = wicket_upstream(wn, skb, state->in, in_mode, src, dst);
	if (!why && out_mode)
		why = wicket_downstream(wn, skb, state->out, out_mode, src,
					dst);
	if (likely(!why))
		return NF_ACCEPT;
	wicket_drop_count(wn->drops, why);
	return NF_DROP;
}

static unsigned int wicket_forward4(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct wicket_net *wn = priv;
	u8 in_mode = wicket_dev_mode(wn, state->in);
	u8 out_mode = wicket_dev_mode(wn, state->out);
	const struct iphdr *iph;
	struct in6_addr src, dst;

	if (!(in_mode | out_mode))
		return NF_ACCEPT;
	iph = ip_hdr(skb);
	ipv6_addr_set_v4mapped(iph->saddr, &src);
	ipv6_addr_set_v4mapped(iph->daddr, &dst);
	return wicket_gate(wn, skb, in_mode, out_mode, state, &src, &dst);
}

static unsigned int wicket_forward6(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct wicket_net *wn = priv;
	u8 in_mode = wicket_dev_mode(wn, state->in);
	u8 out_mode = wicket_dev_mode(wn, state->out);
	const struct ipv6hdr *ip6h;

	if (!(in_mode | out_mode))
		return NF_ACCEPT;
	ip6h = ipv6_hdr(skb);
	return wicket_gate(wn, skb, in_mode, out_mode, state, &ip6h->saddr,
			   &ip6h->daddr);
}

/* Ports nftables redirects to the gateway: HTTP to the portal, DNS. */
static bool wicket_redirectable(u8 proto, __be16 dport)
{
	return (proto == IPPROTO_TCP && dport == htons(80)) ||
	       ((proto == IPPROTO_TCP || proto == IPPROTO_UDP) &&
		dport == htons(53));
}

static void wicket_mark_captive(struct wicket_net *wn, struct sk_buff *skb,
				const struct net_device *in, u32 mask,
				const struct in6_addr *src)
{
	const u8 *mac = wicket_source_mac(skb);
	struct wicket_client *c;

	c = wicket_source_client(wn, skb, in, src, mac);
	if (c && wicket_client_open(c))
		return;
	skb->mark = (skb->mark & ~mask) | (READ_ONCE(wn->mark) & mask);
	if (c)
		wicket_client_heard(c);
	else
		wicket_report_unknown(wn, in, mac, src);
}

/* The destination port of a TCP or UDP packet (both keep it at offset 2). */
static bool wicket_dport(const struct sk_buff *skb, unsigned int thoff,
			 __be16 *dport)
{
	__be16 _ports[2];
	const __be16 *ports;

	ports = skb_header_pointer(skb, thoff, sizeof(_ports), _ports);
	if (!ports)
		return false;
	*dport = ports[1];
	return true;
}

static unsigned int wicket_prerouting4(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	struct wicket_net *wn = priv;
	u32 mask = READ_ONCE(wn->mark_mask);
	const struct iphdr *iph;
	struct in6_addr src;
	__be16 dport;

	if (!mask || wicket_port_mode(wn, state->in->ifindex) !=
		     WICKET_PORT_CHARGE)
		return NF_ACCEPT;
	iph = ip_hdr(skb);
	if (ip_is_fragment(iph) && (iph->frag_off & htons(IP_OFFSET)))
		return NF_ACCEPT;
	if (!wicket_dport(skb, ip_hdrlen(skb), &dport) ||
	    !wicket_redirectable(iph->protocol, dport))
		return NF_ACCEPT;
	ipv6_addr_set_v4mapped(iph->saddr, &src);
	wicket_mark_captive(wn, skb, state->in, mask, &src);
	return NF_ACCEPT;
}

static unsigned int wicket_prerouting6(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	struct wicket_net *wn = priv;
	u32 mask = READ_ONCE(wn->mark_mask);
	__be16 frag_off, dport;
	u8 proto;
	int thoff;

	if (!mask || wicket_port_mode(wn, state->in->ifindex) !=
		     WICKET_PORT_CHARGE)
		return NF_ACCEPT;
	proto = ipv6_hdr(skb)->nexthdr;
	thoff = ipv6_skip_exthdr(skb, sizeof(struct ipv6hdr), &proto,
				 &frag_off);
	if (thoff < 0 || (frag_off & htons(~0x7)))
		return NF_ACCEPT;
	if (!wicket_dport(skb, thoff, &dport) ||
	    !wicket_redirectable(proto, dport))
		return NF_ACCEPT;
	wicket_mark_captive(wn, skb, state->in, mask, &ipv6_hdr(skb)->saddr);
	return NF_ACCEPT;
}

static const struct nf_hook_ops wicket_forward_template[] = {
	{
		.hook = wicket_forward4,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP_PRI_FILTER - 10,
	},
	{
		.hook = wicket_forward6,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP6_PRI_FILTER - 10,
	},
};

static const struct nf_hook_ops wicket_mark_template[] = {
	{
		.hook = wicket_prerouting4,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_NAT_DST - 10,
	},
	{
		.hook = wicket_prerouting6,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_NAT_DST - 10,
	},
};

static int wicket_register(struct wicket_net *wn, struct nf_hook_ops *ops,
			   const struct nf_hook_ops *template, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		ops[i] = template[i];
		ops[i].priv = wn;
	}
	return nf_register_net_hooks(wn->net, ops, n);
}

int wicket_hooks_register(struct wicket_net *wn)
{
	int ret;

	BUILD_BUG_ON(ARRAY_SIZE(wicket_forward_template) !=
		     ARRAY_SIZE(wn->forward_ops));
	if (wn->forward_hooks)
		return 0;
	ret = wicket_register(wn, wn->forward_ops, wicket_forward_template,
			      ARRAY_SIZE(wn->forward_ops));
	if (!ret)
		wn->forward_hooks = true;
	return ret;
}

int wicket_mark_hooks(struct wicket_net *wn, bool on)
{
	int ret = 0;

	BUILD_BUG_ON(ARRAY_SIZE(wicket_mark_template) !=
		     ARRAY_SIZE(wn->mark_ops));
	if (on && !wn->mark_hooks) {
		ret = wicket_register(wn, wn->mark_ops, wicket_mark_template,
				      ARRAY_SIZE(wn->mark_ops));
		wn->mark_hooks = !ret;
	} else if (!on && wn->mark_hooks) {
		nf_unregister_net_hooks(wn->net, wn->mark_ops,
					ARRAY_SIZE(wn->mark_ops));
		wn->mark_hooks = false;
	}
	return ret;
}

void wicket_hooks_unregister(struct wicket_net *wn)
{
	wicket_mark_hooks(wn, false);
	if (!wn->forward_hooks)
		return;
	nf_unregister_net_hooks(wn->net, wn->forward_ops,
				ARRAY_SIZE(wn->forward_ops));
	wn->forward_hooks = false;
}
