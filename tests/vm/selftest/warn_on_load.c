// SPDX-License-Identifier: GPL-2.0
/*
 * A module that WARNs when loaded: the VM harness's own self-test loads it
 * to prove that a warning in the guest's kernel log fails the run.
 */

#include <linux/bug.h>
#include <linux/module.h>

static int __init warn_on_load_init(void)
{
	WARN(1, "wicket VM harness self-test: deliberate warning\n");
	return 0;
}

static void __exit warn_on_load_exit(void)
{
}

module_init(warn_on_load_init);
module_exit(warn_on_load_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberately WARNs on load (wicket VM harness self-test)");
