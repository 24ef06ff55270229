/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _WICKET_EVENTS_H
#define _WICKET_EVENTS_H

#include <linux/in6.h>
#include <linux/types.h>

struct wicket_client;
struct wicket_net;

void wicket_events_enable(bool on);
void wicket_event_closed(struct wicket_client *c, u8 reason);
void wicket_event_seen(struct wicket_net *wn, u32 ifindex, const u8 *mac,
		       const struct in6_addr *addr);

#endif /* _WICKET_EVENTS_H */
