// SPDX-License-Identifier: GPL-2.0
/*
 * Module references held for netlink sockets, dropped when the socket is
 * released (NETLINK_URELEASE, as nfnetlink_queue and NFC clean up after a
 * socket that goes away).
 */

#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include "holders.h"

struct wicket_holder {
	struct list_head list;
	possible_net_t net;
	u32 portid;
};

static LIST_HEAD(wicket_holders);
static DEFINE_MUTEX(wicket_holders_lock);
static unsigned int wicket_nholders;

static struct wicket_holder *wicket_holder_find(struct net *net, u32 portid)
{
	struct wicket_holder *h;

	list_for_each_entry(h, &wicket_holders, list)
		if (h->portid == portid && net_eq(read_pnet(&h->net), net))
			return h;
	return NULL;
}

int wicket_hold(struct net *net, u32 portid)
{
	struct wicket_holder *h;
	int ret = 0;

	mutex_lock(&wicket_holders_lock);
	if (wicket_holder_find(net, portid))
		goto out;
	if (wicket_nholders >= WICKET_MAX_HOLDERS) {
		ret = -ENOSPC;
		goto out;
	}
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h) {
		ret = -ENOMEM;
		goto out;
	}
	/* Fails only while the module is already on its way out. */
	if (!try_module_get(THIS_MODULE)) {
		kfree(h);
		ret = -ENODEV;
		goto out;
	}
	write_pnet(&h->net, net);
	h->portid = portid;
	list_add(&h->list, &wicket_holders);
	wicket_nholders++;
out:
	mutex_unlock(&wicket_holders_lock);
	return ret;
}

static int wicket_holders_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct wicket_holder *h;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	mutex_lock(&wicket_holders_lock);
	h = wicket_holder_find(n->net, n->portid);
	if (h) {
		list_del(&h->list);
		wicket_nholders--;
	}
	mutex_unlock(&wicket_holders_lock);
	if (!h)
		return NOTIFY_DONE;
	kfree(h);
	/*
	 * The last reference may go here, and rmmod proceed; its exit
	 * unregisters this notifier, which waits for this call to return.
	 */
	module_put(THIS_MODULE);
	return NOTIFY_DONE;
}

static struct notifier_block wicket_holders_notifier = {
	.notifier_call = wicket_holders_event,
};

int __init wicket_holders_init(void)
{
	return netlink_register_notifier(&wicket_holders_notifier);
}

void wicket_holders_exit(void)
{
	/* Every hold is a module reference: none is left when exit runs. */
	netlink_unregister_notifier(&wicket_holders_notifier);
}
