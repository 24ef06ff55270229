// SPDX-License-Identifier: GPL-2.0
/*
 * wicket: per-client forwarding gate for venue internet gateways.
 * Module entry: brings the subsystems up in order and down in reverse.
 */

#include <linux/module.h>
#include <net/genetlink.h>

#include "netlink.h"
#include "uapi/wicket.h"

static int __init wicket_init(void)
{
	int ret;

	ret = wicket_netlink_init();
	if (ret) {
		pr_err("cannot register the generic netlink family: %d\n", ret);
		goto err_netlink;
	}

	pr_info("release %s loaded\n", WICKET_RELEASE);
	return 0;

err_netlink:
	return ret;
}

static void __exit wicket_exit(void)
{
	wicket_netlink_uninit();
}

module_init(wicket_init);
module_exit(wicket_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Per-client forwarding gate for venue internet gateways");
MODULE_AUTHOR("The wicket developers");
MODULE_VERSION(WICKET_RELEASE);
MODULE_ALIAS_GENL_FAMILY(WICKET_GENL_NAME);
