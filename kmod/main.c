// SPDX-License-Identifier: GPL-2.0
/*
 * wicket: per-client forwarding gate for venue internet gateways.
 * Module entry: per-namespace state, then the netlink family, up in order
 * and down in reverse.
 */

#include <linux/module.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>

#include "drops.h"
#include "events.h"
#include "garden.h"
#include "holders.h"
#include "hooks.h"
#include "netlink.h"
#include "ports.h"
#include "table.h"
#include "uapi/wicket.h"

#define WICKET_DEFAULT_MAX_CLIENTS (1U << 20)
#define WICKET_DEFAULT_SEEN_PER_SEC 100

static unsigned int wicket_net_id __read_mostly;

unsigned int wicket_port_group __read_mostly;
module_param_named(port_group, wicket_port_group, uint, 0444);
MODULE_PARM_DESC(port_group,
		 "netdev group whose interfaces are closed until made access ports (default 0: none)");

struct wicket_net *wicket_pernet(struct net *net)
{
	return net_generic(net, wicket_net_id);
}

static int __net_init wicket_net_init(struct net *net)
{
	struct wicket_net *wn = wicket_pernet(net);
	int ret;

	wn->net = net;
	mutex_init(&wn->lock);
	wn->max_clients = WICKET_DEFAULT_MAX_CLIENTS;
	wn->generation = 1;
	ratelimit_state_init(&wn->seen_limit, HZ, WICKET_DEFAULT_SEEN_PER_SEC);
	/* Suppressed events are expected: say nothing about them. */
	ratelimit_set_flags(&wn->seen_limit, RATELIMIT_MSG_ON_RELEASE);
	wn->drops = wicket_drops_alloc();
	if (!wn->drops)
		return -ENOMEM;
	ret = wicket_table_init(wn);
	if (ret)
		goto err_table;
	/* The group's interfaces are gated before any port is set. */
	if (wicket_port_group) {
		ret = wicket_hooks_register(wn);
		if (ret)
			goto err_hooks;
	}
	return 0;

err_hooks:
	mutex_lock(&wn->lock);
	wicket_table_destroy(wn);
	mutex_unlock(&wn->lock);
err_table:
	wicket_drops_free(wn->drops);
	return ret;
}

static void __net_exit wicket_net_exit(struct net *net)
{
	struct wicket_net *wn = wicket_pernet(net);

	wicket_hooks_unregister(wn);
	mutex_lock(&wn->lock);
	wicket_table_destroy(wn);
	wicket_ports_flush(wn);
	wicket_garden_flush(wn);
	mutex_unlock(&wn->lock);
	/* The hooks are gone (their unregistering waits for packets in flight). */
	wicket_drops_free(wn->drops);
}

static struct pernet_operations wicket_net_ops = {
	.init = wicket_net_init,
	.exit = wicket_net_exit,
	.id = &wicket_net_id,
	.size = sizeof(struct wicket_net),
};

static int __init wicket_init(void)
{
	int ret;

	ret = wicket_table_module_init();
	if (ret) {
		pr_err("cannot create the client caches: %d\n", ret);
		goto err_table;
	}
	ret = register_pernet_subsys(&wicket_net_ops);
	if (ret) {
		pr_err("cannot set up per-namespace state: %d\n", ret);
		goto err_pernet;
	}
	/* Before the family: a hold must be released with its socket. */
	ret = wicket_holders_init();
	if (ret) {
		pr_err("cannot watch netlink sockets: %d\n", ret);
		goto err_holders;
	}
	ret = wicket_netlink_init();
	if (ret) {
		pr_err("cannot register the generic netlink family: %d\n", ret);
		goto err_netlink;
	}
	wicket_events_enable(true);

	pr_info("release %s loaded\n", WICKET_RELEASE);
	return 0;

err_netlink:
	wicket_holders_exit();
err_holders:
	unregister_pernet_subsys(&wicket_net_ops);
	rcu_barrier();
err_pernet:
	wicket_table_module_exit();
err_table:
	return ret;
}

static void __exit wicket_exit(void)
{
	wicket_events_enable(false);
	wicket_netlink_uninit();
	wicket_holders_exit();
	unregister_pernet_subsys(&wicket_net_ops);
	/* Clients freed after a grace period must be gone with our code. */
	rcu_barrier();
	wicket_table_module_exit();
}

module_init(wicket_init);
module_exit(wicket_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Per-client forwarding gate for venue internet gateways");
MODULE_AUTHOR("The wicket developers");
MODULE_VERSION(WICKET_RELEASE);
MODULE_ALIAS_GENL_FAMILY(WICKET_GENL_NAME);
