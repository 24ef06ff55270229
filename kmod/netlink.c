// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "wicket": how wicketd drives the gate.
 * Commands, attributes and their rules are described in uapi/wicket.h.
 */

#include <net/genetlink.h>

#include "netlink.h"
#include "uapi/wicket.h"

static struct genl_family wicket_genl_family;

/*
 * Every command but GET_VERSION must say which protocol it speaks, so an
 * old daemon talking to a newer module (or the reverse) fails loudly
 * instead of half-understanding the request.
 */
static int __maybe_unused wicket_nl_check_protocol(struct genl_info *info)
{
	u32 proto;

	if (GENL_REQ_ATTR_CHECK(info, WICKET_A_PROTOCOL))
		return -EINVAL;
	proto = nla_get_u32(info->attrs[WICKET_A_PROTOCOL]);
	if (proto < WICKET_PROTOCOL_MIN || proto > WICKET_PROTOCOL) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[WICKET_A_PROTOCOL],
				    "unsupported wicket protocol revision");
		return -EPROTO;
	}
	return 0;
}

static int wicket_nl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(GENLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &wicket_genl_family, 0,
				WICKET_CMD_GET_VERSION);
	if (!hdr)
		goto err_size;
	if (nla_put_u32(msg, WICKET_A_PROTOCOL, WICKET_PROTOCOL) ||
	    nla_put_u32(msg, WICKET_A_PROTOCOL_MIN, WICKET_PROTOCOL_MIN) ||
	    nla_put_string(msg, WICKET_A_RELEASE, WICKET_RELEASE))
		goto err_size;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_size:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

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
};

static struct genl_family wicket_genl_family __ro_after_init = {
	.name = WICKET_GENL_NAME,
	.version = WICKET_GENL_VERSION,
	.maxattr = WICKET_A_MAX,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = wicket_nl_ops,
	.n_ops = ARRAY_SIZE(wicket_nl_ops),
};

int __init wicket_netlink_init(void)
{
	return genl_register_family(&wicket_genl_family);
}

void wicket_netlink_uninit(void)
{
	genl_unregister_family(&wicket_genl_family);
}
