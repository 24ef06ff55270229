/* SPDX-License-Identifier: GPL-2.0 */
/* What differs between the kernels wicket builds for (6.1 to 6.12). */
#ifndef _WICKET_COMPAT_H
#define _WICKET_COMPAT_H

#include <net/genetlink.h>

/* HAVE_ macros come from feature tests against the kernel, in Kbuild. */

/* The parsed request attributes of a dump. */
static inline struct nlattr **wicket_nl_dump_attrs(struct netlink_callback *cb)
{
#ifdef WICKET_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#endif /* _WICKET_COMPAT_H */
