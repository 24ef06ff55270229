/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _WICKET_NETLINK_H
#define _WICKET_NETLINK_H

#include <net/genetlink.h>

#include "table.h"

/* Index of the events group in the family's multicast groups. */
#define WICKET_MCGRP_EVENTS 0

extern struct genl_family wicket_genl_family;

/*
 * A required attribute is missing: tell tools which (the extended ACK's
 * missing-type) and people what (a message). True when missing.
 */
#define WICKET_NL_REQUIRE(extack, nest, tb, type, msg) ({		\
	bool __missing = NL_REQ_ATTR_CHECK(extack, nest, tb, type);	\
	if (__missing)							\
		NL_SET_ERR_MSG(extack, msg);				\
	__missing;							\
})

int wicket_netlink_init(void);
void wicket_netlink_uninit(void);

int wicket_nl_check_protocol(struct nlattr **attrs,
			     struct netlink_ext_ack *extack);
int wicket_nl_put_addr(struct sk_buff *skb, const struct in6_addr *addr);
int wicket_nl_put_client_key(struct sk_buff *skb, struct wicket_client *c);
int wicket_nl_put_counters(struct sk_buff *skb, struct wicket_client *c,
			   const struct wicket_counters *now);

/* Client commands (netlink_client.c). */
int wicket_nl_client_add(struct sk_buff *skb, struct genl_info *info);
int wicket_nl_client_update(struct sk_buff *skb, struct genl_info *info);
int wicket_nl_client_del(struct sk_buff *skb, struct genl_info *info);
int wicket_nl_client_get(struct sk_buff *skb, struct genl_info *info);
int wicket_nl_client_dump_start(struct netlink_callback *cb);
int wicket_nl_client_dump(struct sk_buff *skb, struct netlink_callback *cb);
int wicket_nl_client_dump_done(struct netlink_callback *cb);
extern const struct nla_policy wicket_client_cmd_policy[WICKET_A_MAX + 1];
extern const struct nla_policy wicket_client_get_policy[WICKET_A_MAX + 1];

#endif /* _WICKET_NETLINK_H */
