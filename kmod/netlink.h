/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _WICKET_NETLINK_H
#define _WICKET_NETLINK_H

int wicket_netlink_init(void);
void wicket_netlink_uninit(void);

#endif /* _WICKET_NETLINK_H */
