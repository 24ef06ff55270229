/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * wicket.ko's generic netlink interface: the one header that both the
 * module and every userspace program (wicketd, wicketctl, tests) include.
 *
 * Family WICKET_GENL_NAME ("wicket"), genl header version
 * WICKET_GENL_VERSION. Every command needs CAP_NET_ADMIN in the network
 * namespace's owning user namespace (the table lists guests' MACs).
 *
 * Every request may carry WICKET_A_PROTOCOL, the protocol revision the
 * sender speaks; every command but WICKET_CMD_GET_VERSION requires it and
 * is refused with -EPROTO (and an extended ACK message) unless it lies in
 * [WICKET_PROTOCOL_MIN, WICKET_PROTOCOL]. Bump WICKET_PROTOCOL whenever a
 * command, attribute or flag is added; attributes are only ever appended.
 *
 * Commands and their attributes:
 *
 * WICKET_CMD_GET_VERSION: ask which protocol and release the module runs.
 *   request:
 *     WICKET_A_PROTOCOL: NLA_U32, optional
 *   reply:
 *     WICKET_A_PROTOCOL: NLA_U32, the newest protocol the module speaks
 *     WICKET_A_PROTOCOL_MIN: NLA_U32, the oldest it still accepts
 *     WICKET_A_RELEASE: NLA_NUL_STRING, the module's release, e.g. "0.1.0"
 *
 * Errors come back as netlink errors with NETLINK_EXT_ACK messages that
 * name the offending attribute.
 */
#ifndef _UAPI_LINUX_WICKET_H
#define _UAPI_LINUX_WICKET_H

#define WICKET_GENL_NAME "wicket"
#define WICKET_GENL_VERSION 1

#define WICKET_PROTOCOL 1
#define WICKET_PROTOCOL_MIN 1

enum wicket_cmd {
	WICKET_CMD_UNSPEC,
	WICKET_CMD_GET_VERSION,
	__WICKET_CMD_MAX
};
#define WICKET_CMD_MAX (__WICKET_CMD_MAX - 1)

enum wicket_attr {
	WICKET_A_UNSPEC,
	WICKET_A_PROTOCOL,
	WICKET_A_PROTOCOL_MIN,
	WICKET_A_RELEASE,
	__WICKET_A_MAX
};
#define WICKET_A_MAX (__WICKET_A_MAX - 1)

#endif /* _UAPI_LINUX_WICKET_H */
