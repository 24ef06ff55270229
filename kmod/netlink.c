// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "wicket": how wicketd drives the gate.
 * Commands, attributes and their rules are described in uapi/wicket.h.
 * Client commands live in netlink_client.c.
 */

#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/ipv6.h>

#include "compat.h"
#include "drops.h"
#include "garden.h"
#include "holders.h"
#include "hooks.h"
#include "netlink.h"
#include "ports.h"
#include "uapi/wicket.h"
#include "wicket.h"

/*
 * Every command but GET_VERSION must say which protocol it speaks, so an
 * old daemon talking to a newer module (or the reverse) fails loudly
 * instead of half-understanding the request.
 */
int wicket_nl_check_protocol(struct nlattr **attrs,
			     struct netlink_ext_ack *extack)
{
	u32 proto;

	if (!attrs[WICKET_A_PROTOCOL]) {
		NL_SET_ERR_MSG(extack, "WICKET_A_PROTOCOL is required");
		return -EINVAL;
	}
	proto = nla_get_u32(attrs[WICKET_A_PROTOCOL]);
	if (proto < WICKET_PROTOCOL_MIN || proto > WICKET_PROTOCOL) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[WICKET_A_PROTOCOL],
				    "unsupported wicket protocol revision");
		return -EPROTO;
	}
	return 0;
}

static struct wicket_net *wicket_nl_net(struct genl_info *info)
{
	return wicket_pernet(genl_info_net(info));
}

int wicket_nl_put_addr(struct sk_buff *skb, const struct in6_addr *addr)
{
	if (ipv6_addr_v4mapped(addr))
		return nla_put_in_addr(skb, WICKET_ADDR_A_IPV4,
				       addr->s6_addr32[3]);
	return nla_put_in6_addr(skb, WICKET_ADDR_A_IPV6, addr);
}

/* Turn an address attribute (IPV4 or IPV6) into the table's form. */
static int wicket_nl_get_prefix(struct nlattr **tb, struct in6_addr *addr,
				u8 *len, struct netlink_ext_ack *extack)
{
	u8 plen = nla_get_u8(tb[WICKET_GARDEN_A_PREFIXLEN]);

	if (!!tb[WICKET_GARDEN_A_IPV4] == !!tb[WICKET_GARDEN_A_IPV6]) {
		NL_SET_ERR_MSG(extack, "give exactly one of IPV4 and IPV6");
		return -EINVAL;
	}
	if (tb[WICKET_GARDEN_A_IPV4]) {
		if (plen > 32) {
			NL_SET_ERR_MSG_ATTR(extack,
					    tb[WICKET_GARDEN_A_PREFIXLEN],
					    "an IPv4 prefix is at most 32 bits");
			return -EINVAL;
		}
		ipv6_addr_set_v4mapped(nla_get_in_addr(tb[WICKET_GARDEN_A_IPV4]),
				       addr);
		*len = plen + 96;
		return 0;
	}
	*addr = nla_get_in6_addr(tb[WICKET_GARDEN_A_IPV6]);
	if (ipv6_addr_v4mapped(addr)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[WICKET_GARDEN_A_IPV6],
				    "give IPv4 prefixes as IPV4");
		return -EINVAL;
	}
	*len = plen;
	return 0;
}

/*
 * A reply of @cmd to @info, its header in *@hdr; NULL when out of memory.
 * Fill it, then genlmsg_end() and genlmsg_reply(), or nlmsg_free() it.
 */
static struct sk_buff *wicket_nl_reply_new(struct genl_info *info, u8 cmd,
					   void **hdr)
{
	struct sk_buff *msg = genlmsg_new(GENLMSG_DEFAULT_SIZE, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &wicket_genl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int wicket_nl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = wicket_nl_reply_new(info, WICKET_CMD_GET_VERSION, &hdr);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, WICKET_A_PROTOCOL, WICKET_PROTOCOL) ||
	    nla_put_u32(msg, WICKET_A_PROTOCOL_MIN, WICKET_PROTOCOL_MIN) ||
	    nla_put_string(msg, WICKET_A_RELEASE, WICKET_RELEASE)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* --- ports */

static const struct nla_policy wicket_port_policy[WICKET_PORT_A_MAX + 1] = {
	[WICKET_PORT_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[WICKET_PORT_A_MODE] = NLA_POLICY_RANGE(NLA_U8, 1, WICKET_PORT_MODE_MAX),
};

static const struct nla_policy wicket_port_cmd_policy[WICKET_A_MAX + 1] = {
	[WICKET_A_PROTOCOL] = { .type = NLA_U32 },
	[WICKET_A_PORT] = NLA_POLICY_NESTED(wicket_port_policy),
};

static int wicket_nl_port_parse(struct genl_info *info, struct nlattr **tb,
				bool need_mode)
{
	int ret;

	ret = wicket_nl_check_protocol(info->attrs, info->extack);
	if (ret)
		return ret;
	if (WICKET_NL_REQUIRE(info->extack, NULL, info->attrs, WICKET_A_PORT,
			      "WICKET_A_PORT is required"))
		return -EINVAL;
	ret = nla_parse_nested(tb, WICKET_PORT_A_MAX, info->attrs[WICKET_A_PORT],
			       wicket_port_policy, info->extack);
	if (ret)
		return ret;
	if (WICKET_NL_REQUIRE(info->extack, info->attrs[WICKET_A_PORT], tb,
			      WICKET_PORT_A_IFINDEX, "a port needs IFINDEX"))
		return -EINVAL;
	if (need_mode &&
	    WICKET_NL_REQUIRE(info->extack, info->attrs[WICKET_A_PORT], tb,
			      WICKET_PORT_A_MODE, "setting a port needs MODE"))
		return -EINVAL;
	return 0;
}

static int wicket_nl_port_set(struct sk_buff *skb, struct genl_info *info)
{
	struct wicket_net *wn = wicket_nl_net(info);
	struct nlattr *tb[WICKET_PORT_A_MAX + 1];
	int ret;

	ret = wicket_nl_port_parse(info, tb, true);
	if (ret)
		return ret;
	mutex_lock(&wn->lock);
	ret = wicket_port_set(wn, nla_get_u32(tb[WICKET_PORT_A_IFINDEX]),
			      nla_get_u8(tb[WICKET_PORT_A_MODE]), info->extack);
	mutex_unlock(&wn->lock);
	return ret;
}

static int wicket_nl_port_del(struct sk_buff *skb, struct genl_info *info)
{
	struct wicket_net *wn = wicket_nl_net(info);
	struct nlattr *tb[WICKET_PORT_A_MAX + 1];
	int ret;

	ret = wicket_nl_port_parse(info, tb, false);
	if (ret)
		return ret;
	if (tb[WICKET_PORT_A_MODE]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[WICKET_PORT_A_MODE],
				    "deleting a port takes no mode");
		return -EINVAL;
	}
	mutex_lock(&wn->lock);
	ret = wicket_port_del(wn, nla_get_u32(tb[WICKET_PORT_A_IFINDEX]),
			      info->extack);
	mutex_unlock(&wn->lock);
	return ret;
}

static int wicket_nl_dump_start(struct netlink_callback *cb)
{
	return wicket_nl_check_protocol(wicket_nl_dump_attrs(cb), cb->extack);
}

/* cb->args[0]: the next ifindex to report. */
static int wicket_nl_port_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct wicket_net *wn = wicket_pernet(sock_net(skb->sk));
	struct nlattr *nest;
	u32 ifindex;
	void *hdr;
	u8 mode;

	rcu_read_lock();
	while ((ifindex = wicket_port_next(wn, cb->args[0], &mode))) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &wicket_genl_family,
				  NLM_F_MULTI, WICKET_CMD_PORT_GET);
		if (!hdr)
			break;
		nest = nla_nest_start(skb, WICKET_A_PORT);
		if (!nest ||
		    nla_put_u32(skb, WICKET_PORT_A_IFINDEX, ifindex) ||
		    nla_put_u8(skb, WICKET_PORT_A_MODE, mode)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		nla_nest_end(skb, nest);
		genlmsg_end(skb, hdr);
		cb->args[0] = ifindex + 1;
	}
	rcu_read_unlock();
	return skb->len;
}

/* --- walled garden */

static const struct nla_policy wicket_garden_policy[WICKET_GARDEN_A_MAX + 1] = {
	[WICKET_GARDEN_A_IPV4] = NLA_POLICY_EXACT_LEN(4),
	[WICKET_GARDEN_A_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[WICKET_GARDEN_A_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

static const struct nla_policy wicket_garden_cmd_policy[WICKET_A_MAX + 1] = {
	[WICKET_A_PROTOCOL] = { .type = NLA_U32 },
	[WICKET_A_GARDEN] = NLA_POLICY_NESTED(wicket_garden_policy),
};

static int wicket_nl_garden_change(struct genl_info *info, bool add)
{
	struct wicket_net *wn = wicket_nl_net(info);
	struct nlattr *tb[WICKET_GARDEN_A_MAX + 1];
	struct in6_addr addr;
	u8 len;
	int ret;

	ret = wicket_nl_check_protocol(info->attrs, info->extack);
	if (ret)
		return ret;
	if (WICKET_NL_REQUIRE(info->extack, NULL, info->attrs, WICKET_A_GARDEN,
			      "WICKET_A_GARDEN is required"))
		return -EINVAL;
	ret = nla_parse_nested(tb, WICKET_GARDEN_A_MAX,
			       info->attrs[WICKET_A_GARDEN],
			       wicket_garden_policy, info->extack);
	if (ret)
		return ret;
	if (WICKET_NL_REQUIRE(info->extack, info->attrs[WICKET_A_GARDEN], tb,
			      WICKET_GARDEN_A_PREFIXLEN,
			      "a garden prefix needs PREFIXLEN"))
		return -EINVAL;
	ret = wicket_nl_get_prefix(tb, &addr, &len, info->extack);
	if (ret)
		return ret;
	mutex_lock(&wn->lock);
	if (add)
		ret = wicket_garden_add(wn, &addr, len, info->extack);
	else
		ret = wicket_garden_del(wn, &addr, len, info->extack);
	mutex_unlock(&wn->lock);
	return ret;
}

static int wicket_nl_garden_add(struct sk_buff *skb, struct genl_info *info)
{
	return wicket_nl_garden_change(info, true);
}

static int wicket_nl_garden_del(struct sk_buff *skb, struct genl_info *info)
{
	return wicket_nl_garden_change(info, false);
}

static int wicket_nl_put_prefix(struct sk_buff *skb,
				const struct wicket_prefix *p)
{
	if (ipv6_addr_v4mapped(&p->addr))
		return nla_put_in_addr(skb, WICKET_GARDEN_A_IPV4,
				       p->addr.s6_addr32[3]) ||
		       nla_put_u8(skb, WICKET_GARDEN_A_PREFIXLEN, p->len - 96);
	return nla_put_in6_addr(skb, WICKET_GARDEN_A_IPV6, &p->addr) ||
	       nla_put_u8(skb, WICKET_GARDEN_A_PREFIXLEN, p->len);
}

/* cb->args[0]: the next prefix to report. */
static int wicket_nl_garden_dump(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct wicket_net *wn = wicket_pernet(sock_net(skb->sk));
	struct wicket_garden *g;
	struct nlattr *nest;
	void *hdr;

	rcu_read_lock();
	g = rcu_dereference(wn->garden);
	while (g && cb->args[0] < g->n) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &wicket_genl_family,
				  NLM_F_MULTI, WICKET_CMD_GARDEN_GET);
		if (!hdr)
			break;
		nest = nla_nest_start(skb, WICKET_A_GARDEN);
		if (!nest || wicket_nl_put_prefix(skb, &g->prefix[cb->args[0]])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		nla_nest_end(skb, nest);
		genlmsg_end(skb, hdr);
		cb->args[0]++;
	}
	rcu_read_unlock();
	return skb->len;
}

/* --- config */

#define WICKET_MAX_SEEN_PER_SEC 100000
#define WICKET_MAX_MAX_CLIENTS (1U << 24)

static const struct nla_policy wicket_config_policy[WICKET_CONFIG_A_MAX + 1] = {
	[WICKET_CONFIG_A_MARK] = { .type = NLA_U32 },
	[WICKET_CONFIG_A_MARK_MASK] = { .type = NLA_U32 },
	[WICKET_CONFIG_A_SEEN_PER_SEC] = { .type = NLA_U32 },
	[WICKET_CONFIG_A_MAX_CLIENTS] = { .type = NLA_U32 },
};

static const struct nla_policy wicket_config_cmd_policy[WICKET_A_MAX + 1] = {
	[WICKET_A_PROTOCOL] = { .type = NLA_U32 },
	[WICKET_A_CONFIG] = NLA_POLICY_NESTED(wicket_config_policy),
};

static int wicket_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct wicket_net *wn = wicket_nl_net(info);
	struct nlattr *tb[WICKET_CONFIG_A_MAX + 1];
	struct nlattr *config = info->attrs[WICKET_A_CONFIG];
	int ret;

	ret = wicket_nl_check_protocol(info->attrs, info->extack);
	if (ret)
		return ret;
	if (WICKET_NL_REQUIRE(info->extack, NULL, info->attrs, WICKET_A_CONFIG,
			      "WICKET_A_CONFIG is required"))
		return -EINVAL;
	ret = nla_parse_nested(tb, WICKET_CONFIG_A_MAX, config,
			       wicket_config_policy, info->extack);
	if (ret)
		return ret;
	if (tb[WICKET_CONFIG_A_CLIENTS]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[WICKET_CONFIG_A_CLIENTS],
				    "the number of clients is read-only");
		return -EINVAL;
	}
	if (!tb[WICKET_CONFIG_A_MARK] != !tb[WICKET_CONFIG_A_MARK_MASK]) {
		NL_SET_ERR_MSG_ATTR(info->extack, config,
				    "MARK and MARK_MASK go together");
		return -EINVAL;
	}
	if (tb[WICKET_CONFIG_A_SEEN_PER_SEC] &&
	    nla_get_u32(tb[WICKET_CONFIG_A_SEEN_PER_SEC]) > WICKET_MAX_SEEN_PER_SEC) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[WICKET_CONFIG_A_SEEN_PER_SEC],
				    "at most 100000 seen events a second");
		return -ERANGE;
	}
	if (tb[WICKET_CONFIG_A_MAX_CLIENTS] &&
	    (nla_get_u32(tb[WICKET_CONFIG_A_MAX_CLIENTS]) < 1 ||
	     nla_get_u32(tb[WICKET_CONFIG_A_MAX_CLIENTS]) > WICKET_MAX_MAX_CLIENTS)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[WICKET_CONFIG_A_MAX_CLIENTS],
				    "MAX_CLIENTS is 1 to 16777216");
		return -ERANGE;
	}
	if (tb[WICKET_CONFIG_A_MARK] &&
	    (nla_get_u32(tb[WICKET_CONFIG_A_MARK]) &
	     ~nla_get_u32(tb[WICKET_CONFIG_A_MARK_MASK]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[WICKET_CONFIG_A_MARK],
				    "MARK has bits outside MARK_MASK");
		return -EINVAL;
	}

	mutex_lock(&wn->lock);
	if (tb[WICKET_CONFIG_A_MAX_CLIENTS] &&
	    nla_get_u32(tb[WICKET_CONFIG_A_MAX_CLIENTS]) < wn->nclients) {
		mutex_unlock(&wn->lock);
		NL_SET_ERR_MSG_ATTR(info->extack, tb[WICKET_CONFIG_A_MAX_CLIENTS],
				    "fewer than the clients in the table");
		return -EBUSY;
	}
	if (tb[WICKET_CONFIG_A_MARK]) {
		u32 mask = nla_get_u32(tb[WICKET_CONFIG_A_MARK_MASK]);

		/* Marking costs a hook on every packet: only while it is on. */
		ret = wicket_mark_hooks(wn, mask != 0);
		if (ret) {
			mutex_unlock(&wn->lock);
			NL_SET_ERR_MSG(info->extack,
				       "cannot register the marking hooks");
			return ret;
		}
		/* Mask first: a reader never applies a new mark to old bits. */
		WRITE_ONCE(wn->mark_mask, 0);
		WRITE_ONCE(wn->mark, nla_get_u32(tb[WICKET_CONFIG_A_MARK]));
		WRITE_ONCE(wn->mark_mask, mask);
	}
	if (tb[WICKET_CONFIG_A_SEEN_PER_SEC])
		WRITE_ONCE(wn->seen_limit.burst,
			   nla_get_u32(tb[WICKET_CONFIG_A_SEEN_PER_SEC]));
	if (tb[WICKET_CONFIG_A_MAX_CLIENTS])
		wn->max_clients = nla_get_u32(tb[WICKET_CONFIG_A_MAX_CLIENTS]);
	mutex_unlock(&wn->lock);
	return 0;
}

static const struct nla_policy wicket_protocol_only_policy[WICKET_A_MAX + 1] = {
	[WICKET_A_PROTOCOL] = { .type = NLA_U32 },
};

static int wicket_nl_config_get(struct sk_buff *skb, struct genl_info *info)
{
	struct wicket_net *wn = wicket_nl_net(info);
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	ret = wicket_nl_check_protocol(info->attrs, info->extack);
	if (ret)
		return ret;
	msg = wicket_nl_reply_new(info, WICKET_CMD_CONFIG_GET, &hdr);
	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, WICKET_A_CONFIG);
	mutex_lock(&wn->lock);
	ret = !nest ||
	      nla_put_u32(msg, WICKET_CONFIG_A_MARK, wn->mark) ||
	      nla_put_u32(msg, WICKET_CONFIG_A_MARK_MASK, wn->mark_mask) ||
	      nla_put_u32(msg, WICKET_CONFIG_A_SEEN_PER_SEC,
			  wn->seen_limit.burst) ||
	      nla_put_u32(msg, WICKET_CONFIG_A_MAX_CLIENTS, wn->max_clients) ||
	      nla_put_u32(msg, WICKET_CONFIG_A_CLIENTS, wn->nclients);
	mutex_unlock(&wn->lock);
	if (ret)
		goto err;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* --- stats */

static int wicket_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct wicket_net *wn = wicket_nl_net(info);
	u64 drops[WICKET_DROP_LAST + 1];
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;
	int ret, i;

	ret = wicket_nl_check_protocol(info->attrs, info->extack);
	if (ret)
		return ret;
	msg = wicket_nl_reply_new(info, WICKET_CMD_STATS_GET, &hdr);
	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, WICKET_A_STATS);
	if (!nest)
		goto err;
	wicket_drops_sum(wn->drops, drops);
	for (i = WICKET_DROP_FIRST; i <= WICKET_DROP_LAST; i++)
		if (nla_put_u64_64bit(msg, i, drops[i], WICKET_STATS_A_PAD))
			goto err;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* --- hold */

static int wicket_nl_hold(struct sk_buff *skb, struct genl_info *info)
{
	int ret = wicket_nl_check_protocol(info->attrs, info->extack);

	if (ret)
		return ret;
	ret = wicket_hold(genl_info_net(info), info->snd_portid);
	if (ret == -ENOSPC)
		NL_SET_ERR_MSG(info->extack, "too many sockets hold the module");
	return ret;
}

/* --- flush */

static const struct nla_policy wicket_flush_cmd_policy[WICKET_A_MAX + 1] = {
	[WICKET_A_PROTOCOL] = { .type = NLA_U32 },
	[WICKET_A_FLUSH] = { .type = NLA_U32 },
};

static int wicket_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct wicket_net *wn = wicket_nl_net(info);
	u32 what = WICKET_FLUSH_CLIENTS;
	int ret;

	ret = wicket_nl_check_protocol(info->attrs, info->extack);
	if (ret)
		return ret;
	if (info->attrs[WICKET_A_FLUSH]) {
		what = nla_get_u32(info->attrs[WICKET_A_FLUSH]);
		if (what & ~__WICKET_FLUSH_ALL) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[WICKET_A_FLUSH],
					    "unknown flush flags");
			return -EOPNOTSUPP;
		}
	}
	mutex_lock(&wn->lock);
	if (what & WICKET_FLUSH_CLIENTS)
		wicket_client_flush(wn, 0);
	if (what & WICKET_FLUSH_GARDEN)
		wicket_garden_flush(wn);
	if (what & WICKET_FLUSH_PORTS)
		wicket_ports_flush(wn);
	mutex_unlock(&wn->lock);
	return 0;
}

/* --- the family */

static const struct nla_policy wicket_version_policy[WICKET_A_MAX + 1] = {
	[WICKET_A_PROTOCOL] = { .type = NLA_U32 },
};

static const struct genl_ops wicket_nl_ops[] = {
	{
		.cmd = WICKET_CMD_GET_VERSION,
		.doit = wicket_nl_get_version,
		.policy = wicket_version_policy,
		.maxattr = WICKET_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = WICKET_CMD_PORT_SET,
		.doit = wicket_nl_port_set,
		.policy = wicket_port_cmd_policy,
		.maxattr = WICKET_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = WICKET_CMD_PORT_DEL,
		.doit = wicket_nl_port_del,
		.policy = wicket_port_cmd_policy,
		.maxattr = WICKET_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = WICKET_CMD_PORT_GET,
		.start = wicket_nl_dump_start,
		.dumpit = wicket_nl_port_dump,
		.policy = wicket_protocol_only_policy,
		.maxattr = WICKET_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = WICKET_CMD_CLIENT_ADD,
		.doit = wicket_nl_client_add,
		.policy = wicket_client_cmd_policy,
		.maxattr = WICKET_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = WICKET_CMD_CLIENT_UPDATE,
		.doit = wicket_nl_client_update,
		.policy = wicket_client_cmd_policy,
		.maxattr = WICKET_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = WICKET_CMD_CLIENT_DEL,
		.doit = wicket_nl_client_del,
		.policy = wicket_client_cmd_policy,
		.maxattr = WICKET_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = WICKET_CMD_CLIENT_GET,
		.doit = wicket_nl_client_get,
		.start = wicket_nl_client_dump_start,
		.dumpit = wicket_nl_client_dump,
		.done = wicket_nl_client_dump_done,
		.policy = wicket_client_get_policy,
		.maxattr = WICKET_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = WICKET_CMD_GARDEN_ADD,
		.doit = wicket_nl_garden_add,
		.policy = wicket_garden_cmd_policy,
		.maxattr = WICKET_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = WICKET_CMD_GARDEN_DEL,
		.doit = wicket_nl_garden_del,
		.policy = wicket_garden_cmd_policy,
		.maxattr = WICKET_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = WICKET_CMD_GARDEN_GET,
		.start = wicket_nl_dump_start,
		.dumpit = wicket_nl_garden_dump,
		.policy = wicket_protocol_only_policy,
		.maxattr = WICKET_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = WICKET_CMD_CONFIG_SET,
		.doit = wicket_nl_config_set,
		.policy = wicket_config_cmd_policy,
		.maxattr = WICKET_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = WICKET_CMD_CONFIG_GET,
		.doit = wicket_nl_config_get,
		.policy = wicket_protocol_only_policy,
		.maxattr = WICKET_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = WICKET_CMD_STATS_GET,
		.doit = wicket_nl_stats_get,
		.policy = wicket_protocol_only_policy,
		.maxattr = WICKET_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = WICKET_CMD_HOLD,
		.doit = wicket_nl_hold,
		.policy = wicket_protocol_only_policy,
		.maxattr = WICKET_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = WICKET_CMD_FLUSH,
		.doit = wicket_nl_flush,
		.policy = wicket_flush_cmd_policy,
		.maxattr = WICKET_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

/* Events name guests' MACs: only administrators may listen. */
static const struct genl_multicast_group wicket_nl_mcgrps[] = {
	[WICKET_MCGRP_EVENTS] = {
		.name = WICKET_GENL_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family wicket_genl_family __ro_after_init = {
	.name = WICKET_GENL_NAME,
	.version = WICKET_GENL_VERSION,
	.maxattr = WICKET_A_MAX,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = wicket_nl_ops,
	.n_ops = ARRAY_SIZE(wicket_nl_ops),
	.mcgrps = wicket_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(wicket_nl_mcgrps),
};

int __init wicket_netlink_init(void)
{
	return genl_register_family(&wicket_genl_family);
}

void wicket_netlink_uninit(void)
{
	genl_unregister_family(&wicket_genl_family);
}
