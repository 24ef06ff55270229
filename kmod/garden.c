// SPDX-License-Identifier: GPL-2.0
/* The walled garden: copy, change, publish; readers never wait. */

#include <linux/slab.h>
#include <net/ipv6.h>

#include "garden.h"
#include "uapi/wicket.h"

bool wicket_garden_match(struct wicket_net *wn, const struct in6_addr *addr)
{
	struct wicket_garden *g = rcu_dereference(wn->garden);
	unsigned int i;

	if (!g)
		return false;
	for (i = 0; i < g->n; i++)
		if (!ipv6_masked_addr_cmp(&g->prefix[i].addr,
					  &g->prefix[i].mask, addr))
			return true;
	return false;
}

static struct wicket_garden *wicket_garden_get(struct wicket_net *wn)
{
	return rcu_dereference_protected(wn->garden,
					 lockdep_is_held(&wn->lock));
}

static int wicket_garden_find(struct wicket_garden *g,
			      const struct in6_addr *addr, u8 len)
{
	unsigned int i;

	for (i = 0; g && i < g->n; i++)
		if (g->prefix[i].len == len &&
		    ipv6_addr_equal(&g->prefix[i].addr, addr))
			return i;
	return -1;
}

/* Publish a copy of the garden with @n prefixes, @skip left out. */
static struct wicket_garden *wicket_garden_copy(struct wicket_garden *old,
						unsigned int n, int skip)
{
	struct wicket_garden *g;
	unsigned int i, j = 0;

	g = kzalloc(struct_size(g, prefix, n), GFP_KERNEL_ACCOUNT);
	if (!g)
		return NULL;
	for (i = 0; old && i < old->n; i++)
		if ((int)i != skip)
			g->prefix[j++] = old->prefix[i];
	g->n = j;
	return g;
}

static void wicket_garden_publish(struct wicket_net *wn,
				  struct wicket_garden *g)
{
	struct wicket_garden *old = wicket_garden_get(wn);

	rcu_assign_pointer(wn->garden, g);
	if (old)
		kfree_rcu(old, rcu);
}

int wicket_garden_add(struct wicket_net *wn, const struct in6_addr *addr,
		      u8 len, struct netlink_ext_ack *extack)
{
	static const struct in6_addr all_ones = {
		.s6_addr32 = { ~0U, ~0U, ~0U, ~0U }
	};
	struct wicket_garden *old = wicket_garden_get(wn), *g;
	struct wicket_prefix *p;
	struct in6_addr masked;

	ipv6_addr_prefix(&masked, addr, len);
	if (!ipv6_addr_equal(&masked, addr)) {
		NL_SET_ERR_MSG(extack, "the prefix has host bits set");
		return -EINVAL;
	}
	if (wicket_garden_find(old, addr, len) >= 0) {
		NL_SET_ERR_MSG(extack, "the prefix is in the garden already");
		return -EEXIST;
	}
	if (old && old->n >= WICKET_MAX_GARDEN) {
		NL_SET_ERR_MSG(extack, "the garden is full");
		return -ENOSPC;
	}
	g = wicket_garden_copy(old, (old ? old->n : 0) + 1, -1);
	if (!g)
		return -ENOMEM;
	p = &g->prefix[g->n++];
	p->addr = *addr;
	ipv6_addr_prefix(&p->mask, &all_ones, len);
	p->len = len;
	wicket_garden_publish(wn, g);
	return 0;
}

int wicket_garden_del(struct wicket_net *wn, const struct in6_addr *addr,
		      u8 len, struct netlink_ext_ack *extack)
{
	struct wicket_garden *old = wicket_garden_get(wn), *g;
	int i = wicket_garden_find(old, addr, len);

	if (i < 0) {
		NL_SET_ERR_MSG(extack, "the prefix is not in the garden");
		return -ENOENT;
	}
	g = wicket_garden_copy(old, old->n - 1, i);
	if (!g)
		return -ENOMEM;
	wicket_garden_publish(wn, g);
	return 0;
}

void wicket_garden_flush(struct wicket_net *wn)
{
	struct wicket_garden *old = wicket_garden_get(wn);

	RCU_INIT_POINTER(wn->garden, NULL);
	if (old)
		kfree_rcu(old, rcu);
}
