/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netlink sockets that hold the module loaded (WICKET_CMD_HOLD): while
 * wicketd runs, rmmod fails with "in use" instead of taking the gate
 * away from under it, which would open every access port. The hold ends
 * when the socket is closed, however its owner ended.
 */
#ifndef _WICKET_HOLDERS_H
#define _WICKET_HOLDERS_H

#include <linux/types.h>

#include "uapi/wicket.h"

struct net;

int wicket_holders_init(void);
void wicket_holders_exit(void);
/* 0 (also when @portid already holds it), -ENOSPC, -ENOMEM or -ENODEV. */
int wicket_hold(struct net *net, u32 portid);

#endif /* _WICKET_HOLDERS_H */
